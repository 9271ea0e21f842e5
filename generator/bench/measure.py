"""Measurements of one model: timings of prefill and decode, peak memory, agreement with a reference.

Timing discipline: one warm-up pass that is not counted, the device
synchronised before every clock read, medians over repeats with min and max
kept as the spread. What a device cannot measure is reported as missing, with
the reason, never as zero.
"""

import inspect
import math
import statistics
import time
from dataclasses import dataclass

import torch
from transformers import StaticCache

from ..records import one_line


@dataclass(frozen=True)
class Timing:
    """Seconds of one timed step over `repeats` runs."""

    median_s: float
    min_s: float
    max_s: float
    repeats: int

    @classmethod
    def of(cls, samples_s: list) -> "Timing":
        if not samples_s:
            raise ValueError("a timing needs at least one sample")
        return cls(statistics.median(samples_s), min(samples_s), max(samples_s), len(samples_s))


def repeat_timed(function, repeats: int, device, warmup: int = 1) -> Timing:
    """Call `function` `warmup` times untimed (allocator, kernel selection, lazy state), then `repeats`
    times, each timed with the device synchronised; the median and the [min, max] of those."""
    if repeats < 1:
        raise ValueError("repeat_timed needs repeats >= 1")
    for _ in range(warmup):
        function()
    return Timing.of([timed(function, device)[1] for _ in range(repeats)])


@dataclass(frozen=True)
class GenerationTiming:
    prefill: Timing  # generate() making one token: the prompt's forward pass and the first token
    decode_per_token: Timing  # each further token of a greedy generate()


@dataclass(frozen=True)
class LogitAgreement:
    """How far logits are from a reference's on the same input (see records.METRICS)."""

    sqnr_db: float | None  # None when the logits are identical (infinite SQNR)
    kl_divergence: float
    top1_agreement: float


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def timed(function, device):
    """(result, seconds) of one call, the device synchronised before and after."""
    synchronize(device)
    start = time.perf_counter()
    result = function()
    synchronize(device)
    return result, time.perf_counter() - start


def prompt_ids(vocab_size: int, batch: int, prompt_tokens: int, device, seed: int = 1234) -> torch.Tensor:
    """A fixed random prompt: the same ids for every method, so outputs can be compared."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab_size, (batch, prompt_tokens), generator=generator).to(device)


# Random-init models have no data to calibrate on; random token ids exercise the
# same code path (reference-trained models pass their corpus' training split instead).
CALIBRATION_SEQUENCES, CALIBRATION_TOKENS = 8, 128


def calibration_ids(vocab_size: int, device, seed: int = 4321) -> torch.Tensor:
    """Calibration token ids for methods that look at activations (GPTQ, AWQ)."""
    return prompt_ids(vocab_size, CALIBRATION_SEQUENCES, CALIBRATION_TOKENS, device, seed)


@torch.inference_mode()
def prefill_logits(model, input_ids: torch.Tensor) -> torch.Tensor:
    """Logits at every prompt position, float32 (batch, tokens, vocab)."""
    return model(input_ids, use_cache=False).logits.float()


def _cache_keyword(model) -> str:
    """transformers 5.17 calls the cache argument `past_key_values`, later 5.x releases `cache`."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


@torch.inference_mode()
def _generate_s(model, input_ids: torch.Tensor, new_tokens: int, device) -> float:
    """Seconds of one greedy `generate` call that makes exactly `new_tokens` tokens (no early stop at EOS)."""
    settings = dict(max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False, use_cache=True,
                    attention_mask=torch.ones_like(input_ids), pad_token_id=model.config.pad_token_id or 0)
    return timed(lambda: model.generate(input_ids, **settings), device)[1]


def time_generation(model, input_ids: torch.Tensor, new_tokens: int, repeats: int, device) -> GenerationTiming:
    """What a user of `model.generate` sees (greedy, its default DynamicCache), after one warm-up call:

    prefill = a generate call that makes 1 token (the prompt's forward pass and the first token: time to
    first token); decode per token = (a call that makes 1 + new_tokens tokens - that one) / new_tokens,
    paired within each repeat, so the prompt's cost cancels. Medians over `repeats`, min and max kept.
    """
    if new_tokens < 1 or repeats < 1:
        raise ValueError("time_generation needs new_tokens >= 1 and repeats >= 1")
    _generate_s(model, input_ids, 1 + new_tokens, device)  # warm-up: allocator, kernels, lazy init
    prefill, decode = [], []
    for _ in range(repeats):
        first = _generate_s(model, input_ids, 1, device)
        whole = _generate_s(model, input_ids, 1 + new_tokens, device)
        prefill.append(first)
        decode.append(max(whole - first, 0.0) / new_tokens)
    return GenerationTiming(Timing.of(prefill), Timing.of(decode))


# -- decode with launch overhead removed ----------------------------------------

class StaticDecoder:
    """Greedy decode into a StaticCache with every step's state on the device, so that one step can be
    captured in a CUDA graph and replayed: the next token is written into a fixed input buffer, and the
    cache's length is a device tensor that its `update` advances in place (transformers 5.17 to 5.24 at
    least), so nothing goes back to the host between steps and each replay writes at the next position.
    """

    def __init__(self, model, batch: int, max_tokens: int, device):
        self.model = model
        self.cache = StaticCache(config=model.config, max_cache_len=max_tokens)
        self.keyword = _cache_keyword(model)
        self.next_ids = torch.zeros(batch, 1, dtype=torch.long, device=device)

    def _forward(self, input_ids, **settings):
        return self.model(input_ids, use_cache=True, **{self.keyword: self.cache}, **settings).logits

    @torch.inference_mode()
    def prefill(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Start over: empty the cache, run the prompt, leave its greedy next token in next_ids. Returns the
        last position's logits only (every position's would be 4 GB at batch 32 x 512 x a 128k vocabulary)."""
        self.cache.reset()
        logits = self._forward(input_ids, logits_to_keep=1)
        self.next_ids.copy_(logits[:, -1:].argmax(dim=-1))
        return logits

    @torch.inference_mode()
    def step(self) -> torch.Tensor:
        """One decode step from the buffers; returns its logits (batch, 1, vocab)."""
        logits = self._forward(self.next_ids)
        self.next_ids.copy_(logits[:, -1:].argmax(dim=-1))
        return logits


class GraphCaptureFailed(Exception):
    """A decode step could not be captured or replayed faithfully; the message says why (recorded as missing)."""


def static_decode_tokens(decoder: StaticDecoder, input_ids: torch.Tensor, new_tokens: int, step=None) -> torch.Tensor:
    """The greedy tokens (batch, new_tokens) after the prompt, each step from `step` (default: eager)."""
    decoder.prefill(input_ids)
    tokens = []
    for _ in range(new_tokens):
        tokens.append(decoder.next_ids.clone())
        (step or decoder.step)()
    return torch.cat(tokens, dim=1)


# -- the same work: a faster way of decoding checked against eager decoding -------------------------------

# How far one sequence's next-token logits may be from eager decoding's, as ||run - eager|| / ||eager||, for
# a step to count as the same computation rounded differently. Random-init models amplify rounding: on the
# CPU, a model with Llama-3.1-8B's depth and per-layer gains (std * sqrt(fan-in)) gives bf16 logits 5-8%
# RMS away from float32 ones, with the largest single difference 0.36-0.42 (torch.compile's against eager's
# on an H200: 0.34-0.43), and with Llama-3.1-70B's 80 layers 16-24%. A step that computes something else
# (another token, another position or sequence, rotary embeddings one position off) gives logits 0.8-1.45
# of eager's RMS away, sqrt(2) being what two unrelated logit vectors of the same size give. 0.5 lies
# between the two.
SAME_WORK_TOLERANCE = 0.5
# A run may pick another token than eager decoding only where eager's logit of that token is within
# TIE_SIGMAS RMS differences of the sequence's logits (plus one rounding step of the best logit) of eager's
# best: each of the two logits moved by about that RMS difference, so a larger gap means one of them
# moved far more than rounding moves the rest of the vocabulary.
TIE_SIGMAS = 8


@dataclass(frozen=True)
class StepCheck:
    """One decode step of a run set against eager decoding's same step (check_step_logits)."""

    ties: int  # sequences where the run picked another token than eager decoding at a rounding tie
    relative_rms: float  # the largest ||run - eager|| / ||eager|| over the batch's sequences
    problem: str | None  # None: the same work; else one line saying what differed and by how much


def check_step_logits(run: torch.Tensor, eager: torch.Tensor, chosen: torch.Tensor | None = None,
                      what: str = "the run", step: int = 0) -> StepCheck:
    """Whether `run` logits (batch, vocab) computed the same as `eager` logits on the same input, rounding
    apart: every sequence's logits within SAME_WORK_TOLERANCE relative RMS of eager's, and the tokens
    `chosen` by the run (default: its argmax) eager's argmax but at a tie within the rounding margin.
    `what` and `step` name the run and the step in the problem's text."""
    if run.shape != eager.shape or run.dim() != 2:
        raise ValueError(f"logits must both be (batch, vocab), not {tuple(run.shape)} and {tuple(eager.shape)}")
    epsilon = torch.finfo(eager.dtype).eps if eager.dtype.is_floating_point else 0.0
    run, eager = run.float(), eager.float()
    chosen = run.argmax(dim=-1) if chosen is None else chosen.reshape(-1).to(run.device)
    for name, logits in ((what, run), ("eager decoding", eager)):
        if not torch.isfinite(logits).all():
            bad = (~torch.isfinite(logits)).sum().item()
            return StepCheck(0, math.inf, f"{name} computed NaN or infinite logits at step {step} ({bad} of "
                                          f"{logits.numel()} values), so the timing would not be of the same work")
    difference = (run - eager).norm(dim=-1)
    size = eager.norm(dim=-1)
    relative = torch.where(difference == 0, torch.zeros_like(size), difference / size)
    worst = relative.max().item()
    if worst > SAME_WORK_TOLERANCE:
        row = relative.argmax().item()
        return StepCheck(0, worst, f"{what} computed other logits than eager decoding at step {step}, sequence "
                                   f"{row}: a relative RMS difference of {worst:.3g}, where rounding stays under "
                                   f"{SAME_WORK_TOLERANCE:g}, so its timing would not be of the same work")
    best, expected = eager.max(dim=-1)
    picked = eager.gather(1, chosen[:, None])[:, 0]
    gap = best - picked
    # one rounding step at the best logit: epsilon * 2^floor(log2 |best|), frexp's exponent being one more
    ulp = torch.ldexp(torch.full_like(best, epsilon), torch.frexp(best).exponent - 1)
    margin = TIE_SIGMAS * difference / math.sqrt(eager.shape[-1]) + ulp
    swapped = chosen != expected
    beyond = swapped & (gap > margin)
    if beyond.any():
        row = beyond.nonzero()[0, 0].item()
        return StepCheck(0, worst, f"{what} picked token {chosen[row].item()} where eager decoding picked "
                                   f"{expected[row].item()} at step {step}, sequence {row}: eager logits "
                                   f"{gap[row].item():.3g} apart, more than the {margin[row].item():.3g} that "
                                   f"rounding explains (relative RMS difference {relative[row].item():.3g}), so "
                                   "its timing would not be of the same work")
    return StepCheck(int(swapped.sum().item()), worst, None)


@dataclass(frozen=True)
class SameWork:
    """How a way of decoding compared with eager decoding over the checked steps (check_same_work)."""

    rounding_ties: int  # (step, sequence) pairs where it picked another token at a rounding tie
    logits_relative_rms: float  # the largest relative RMS difference of a sequence's logits at any step


@torch.inference_mode()
def eager_step_logits(decoder: StaticDecoder, input_ids: torch.Tensor, new_tokens: int):
    """Eager static-cache greedy decoding: its tokens (batch, new_tokens), each the token a step was fed,
    and each step's last-position logits in the model's dtype (at batch 32 x a 128k vocabulary, 8 MB a step)."""
    decoder.prefill(input_ids)
    tokens, logits = [], []
    for _ in range(new_tokens):
        tokens.append(decoder.next_ids.clone())
        logits.append(decoder.step()[:, -1].clone())
    return torch.cat(tokens, dim=1), logits


def check_same_work(decoder: StaticDecoder, input_ids: torch.Tensor, new_tokens: int, run_step, what: str,
                    failure: type = GraphCaptureFailed) -> SameWork:
    """Teacher-forced check of a faster way of decoding against eager steps: after an eager prefill, each
    step of `run_step` (() -> last-position logits (batch, vocab), reading decoder.next_ids and writing its
    own greedy token there) is fed eager decoding's token of that step, so a difference at one step cannot
    hide the rest, and its logits and token are set against eager's (check_step_logits). Raises
    `failure` with the first step's problem."""
    eager_tokens, eager_logits = eager_step_logits(decoder, input_ids, new_tokens)
    with torch.inference_mode():
        decoder.prefill(input_ids)
    ties, worst = 0, 0.0
    for index in range(new_tokens):
        with torch.inference_mode():
            decoder.next_ids.copy_(eager_tokens[:, index:index + 1])
        logits = run_step()
        check = check_step_logits(logits, eager_logits[index], decoder.next_ids[:, 0], what, index)
        if check.problem is not None:
            raise failure(check.problem)
        ties, worst = ties + check.ties, max(worst, check.relative_rms)
    return SameWork(ties, worst)


class CapturedStep:
    """A decode step captured in a CUDA graph; calling it replays the graph and returns the step's logits
    (batch, 1, vocab), a static tensor that the next replay overwrites."""

    def __init__(self, graph, logits: torch.Tensor):
        self.graph, self.logits = graph, logits

    def __call__(self) -> torch.Tensor:
        self.graph.replay()
        return self.logits


def capture_decode_graph(decoder: StaticDecoder, input_ids: torch.Tensor, new_tokens: int):
    """A CUDA graph of one decode step, checked against eager decoding (check_same_work): (CapturedStep,
    SameWork). GraphCaptureFailed says why there is none."""
    device = input_ids.device
    before = torch.cuda.current_stream(device)
    inside = []  # the error the step raised during capture, which ending the capture replaces with its own
    try:
        decoder.prefill(input_ids)
        side = torch.cuda.Stream(device)
        side.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(side):  # warm-up on a side stream, as torch.cuda.graph's documentation asks
            for _ in range(2):
                decoder.step()
        torch.cuda.current_stream(device).wait_stream(side)
        decoder.prefill(input_ids)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            try:
                logits = decoder.step()
            except Exception as error:
                inside.append(error)
                raise
    except Exception as failure:  # capture is refused by host syncs, unsupported ops, ...; data, not a crash
        # torch.cuda.graph leaves its capture stream current when ending the capture fails.
        torch.cuda.set_stream(before)
        torch.cuda.synchronize(device)  # raises again if the failure left the CUDA context unusable
        cause = inside[0] if inside else failure
        raise GraphCaptureFailed(f"CUDA graph capture of the decode step failed: {type(cause).__name__}: "
                                 f"{one_line(cause, limit=300)}") from None
    step = CapturedStep(graph, logits)
    try:
        same_work = check_same_work(decoder, input_ids, new_tokens, lambda: step()[:, -1],
                                    "the replayed CUDA graph")
    except GraphCaptureFailed:
        raise
    except Exception as failure:  # a replay that fails
        torch.cuda.synchronize(device)
        raise GraphCaptureFailed(f"replaying the CUDA graph of the decode step failed: {type(failure).__name__}: "
                                 f"{one_line(failure, limit=300)}") from None
    return step, same_work


@dataclass(frozen=True)
class StaticDecodeTiming:
    step: Timing  # seconds per decode step
    # The graph's check against eager decoding (check_same_work); None on the CPU, whose steps are eager ones.
    same_work: SameWork | None = None


def time_static_decode(model, input_ids: torch.Tensor, new_tokens: int, repeats: int, device) -> StaticDecodeTiming:
    """Seconds per decode step with launch overhead removed: a StaticCache and, on CUDA, each step replayed
    from a CUDA graph (a CPU has no launch overhead to remove; there the steps run eagerly).

    Median over `repeats` runs of `new_tokens` steps, each after a fresh prefill that is not timed.
    Raises GraphCaptureFailed when CUDA cannot capture the step faithfully.
    """
    if new_tokens < 1 or repeats < 1:
        raise ValueError("time_static_decode needs new_tokens >= 1 and repeats >= 1")
    decoder = StaticDecoder(model, input_ids.shape[0], input_ids.shape[1] + new_tokens + 2, input_ids.device)
    step, same_work = decoder.step, None
    if torch.device(device).type == "cuda":
        step, same_work = capture_decode_graph(decoder, input_ids, new_tokens)
    else:
        static_decode_tokens(decoder, input_ids, new_tokens)  # warm-up
    samples = []
    for _ in range(repeats):
        decoder.prefill(input_ids)

        def decode():
            for _ in range(new_tokens):
                step()

        samples.append(timed(decode, device)[1] / new_tokens)
    return StaticDecodeTiming(Timing.of(samples), same_work)


class NonFiniteOutput(RuntimeError):
    """A quantized model or layer computed NaN or infinite values: its timings would be of broken work."""


def require_finite(values: torch.Tensor, what: str):
    if not torch.isfinite(values).all():
        share = (~torch.isfinite(values)).float().mean().item()
        raise NonFiniteOutput(f"{what} came out NaN or infinite ({share:.0%} of the values)")


@torch.inference_mode()
def require_finite_logits(model, input_ids: torch.Tensor):
    """One prefill; NonFiniteOutput when the last position's logits are not all finite."""
    require_finite(model(input_ids, use_cache=False, logits_to_keep=1).logits, "the model's logits")


@torch.inference_mode()
def kv_cache_allocated_bytes(model, input_ids: torch.Tensor, device) -> int:
    """Bytes the KV cache of one prefill of `input_ids` holds on a CUDA device: allocated memory with the
    cache alive less allocated memory before, the logits of the last position only (a full 32k x 128k
    vocabulary logits tensor would be 8 GB and swamp the cache)."""
    synchronize(device)
    before = torch.cuda.memory_allocated(device)
    output = model(input_ids, use_cache=True, logits_to_keep=1)
    synchronize(device)
    held = torch.cuda.memory_allocated(device) - before - output.logits.numel() * output.logits.element_size()
    del output
    return held


def reset_peak_memory(device) -> bool:
    """Start a peak-memory window; False where the device cannot measure one."""
    if torch.device(device).type != "cuda":
        return False
    torch.cuda.reset_peak_memory_stats(device)
    return True


def peak_memory_bytes(device) -> int:
    return torch.cuda.max_memory_allocated(device)


class AgreementSums:
    """The running sums behind compare_logits, so that logits can be compared a piece at a time:
    SQNR = 10 log10(sum ref^2 / sum (ref - x)^2); KL(softmax ref || softmax x) averaged over positions;
    top-1 agreement = share of positions whose argmax token is the same."""

    def __init__(self):
        self.signal = self.noise = self.kl = 0.0
        self.agree = self.positions = 0

    def add(self, reference: torch.Tensor, logits: torch.Tensor) -> None:
        ref = reference.float().reshape(-1, reference.shape[-1])
        out = logits.float().reshape(-1, logits.shape[-1])
        self.signal += ref.pow(2).sum().item()
        self.noise += (ref - out).pow(2).sum().item()
        log_p, log_q = torch.log_softmax(ref, dim=-1), torch.log_softmax(out, dim=-1)
        self.kl += (log_p.exp() * (log_p - log_q)).sum().item()
        self.agree += (ref.argmax(dim=-1) == out.argmax(dim=-1)).sum().item()
        self.positions += ref.shape[0]

    def agreement(self) -> LogitAgreement:
        sqnr_db = None if self.noise == 0 else 10 * math.log10(self.signal / self.noise)
        return LogitAgreement(sqnr_db=sqnr_db, kl_divergence=max(self.kl / self.positions, 0.0),
                              top1_agreement=self.agree / self.positions)


def compare_logits(reference: torch.Tensor, logits: torch.Tensor, chunk_rows: int = 4096) -> LogitAgreement:
    """How far `logits` are from `reference` (AgreementSums), `chunk_rows` positions at a time: at batch
    32 x 512 tokens x a 128k vocabulary one float32 copy of the logits is 8.4 GB, and the softmaxes would
    need several."""
    reference = reference.reshape(-1, reference.shape[-1])
    logits = logits.reshape(-1, logits.shape[-1])
    sums = AgreementSums()
    for start in range(0, reference.shape[0], chunk_rows):
        sums.add(reference[start:start + chunk_rows], logits[start:start + chunk_rows])
    return sums.agreement()


def copy_bandwidth_bytes_s(device, size_bytes: int = 1 << 30, repeats: int = 5) -> float | None:
    """Device memory bandwidth from a device-to-device copy: 2 * size (read + write) / median time.

    CUDA only (None elsewhere); the number achieved decode bandwidth is set against.
    """
    if torch.device(device).type != "cuda":
        return None
    source = torch.empty(size_bytes, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)
    target.copy_(source)  # warm-up
    samples = [timed(lambda: target.copy_(source), device)[1] for _ in range(repeats)]
    del source, target
    torch.cuda.empty_cache()
    return 2 * size_bytes / statistics.median(samples)
