"""Decode with torch.compile, the way pytorch-labs/gpt-fast generate.py runs it: a static KV cache, the
one-token decode step compiled whole (fullgraph) and, on CUDA, replayed from CUDA graphs
(mode="reduce-overhead": inductor's kernels captured once, launched as one graph per step); the prefill
stays eager. Compiling and warming up are timed apart and never enter the step timing.

A compiled step is trusted only once it computes what the eager step computes: fed the same tokens as
eager static-cache decoding, its logits must be eager's but for rounding and its greedy token eager's but
at a rounding tie (measure.check_same_work, the check the CUDA graph of the eager step passes too).
Anything else, a failed compile included, is CompileFailed, whose message is one line for a record's
`missing` field.
"""

import time
from dataclasses import dataclass

import torch

from ..records import one_line
from .measure import StaticDecoder, Timing, check_same_work, synchronize, timed

# Calls of the compiled step before anything is checked or timed: the first compiles; under
# reduce-overhead CUDA graph trees run the second eagerly to warm up and record the graph on the third.
WARMUP_STEPS = 3
# Headroom for recompiles of one model's step (dynamo is reset between models): past the limit (8 by
# default) dynamo would quietly run the step eagerly, and its timing would not be of compiled code.
RECOMPILE_LIMIT = 64


class CompileFailed(Exception):
    """The decode step could not be compiled, or its compiled form computes something else; the message is
    one line, recorded as the reason the compiled metrics are missing."""


@dataclass(frozen=True)
class CompiledTiming:
    step: Timing  # seconds per compiled decode step
    compile_s: float  # wall seconds of compiling and warming up, outside `step`
    # True when each step was replayed from CUDA graphs; False on the CPU, or where inductor declined to
    # capture them (then the steps ran inductor's kernels one launch at a time).
    cuda_graphs: bool = False
    # (step, sequence) pairs of the check where the compiled step picked another token than eager decoding at
    # a rounding tie (measure.check_step_logits); 0 means its free-running greedy tokens are exactly eager's.
    rounding_ties: int = 0
    # The largest relative RMS difference of a sequence's logits from eager decoding's at any checked step.
    logits_relative_rms: float = 0.0


def compile_mode(device) -> str | None:
    """reduce-overhead (CUDA graphs) on CUDA; inductor's default mode elsewhere (a CPU has no launch
    overhead for graphs to remove, and CUDA graphs need CUDA)."""
    return "reduce-overhead" if torch.device(device).type == "cuda" else None


def compile_decode_step(decoder: StaticDecoder, device):
    """The compiled form of one greedy step of `decoder`: () -> last-position logits (batch, vocab), with
    the chosen token written into decoder.next_ids inside the graph, so a replay needs nothing from the host.

    Dynamo is reset first, so that no guard or graph of a model compiled before is reused. Under
    reduce-overhead the returned logits live in the CUDA graph's memory and the next call overwrites them:
    clone what is kept, and call torch.compiler.cudagraph_mark_step_begin() before each call (gpt-fast does).
    """
    torch._dynamo.reset()
    raise_recompile_limit(RECOMPILE_LIMIT)
    # The buffer is mutated inside the graph; a static address lets CUDA graph trees keep it in place
    # instead of refusing the mutation (transformers' StaticCache marks its key, value and length tensors so).
    torch._dynamo.mark_static_address(decoder.next_ids)

    def greedy_step():
        logits = decoder._forward(decoder.next_ids)[:, -1]
        decoder.next_ids.copy_(logits.argmax(dim=-1, keepdim=True))
        return logits

    return torch.compile(greedy_step, mode=compile_mode(device), fullgraph=True)


def raise_recompile_limit(at_least: int) -> None:
    """Let dynamo recompile a function at least `at_least` times before it gives up and runs it eagerly.
    recompile_limit since torch 2.6; cache_size_limit is its old name."""
    limits = torch._dynamo.config
    name = "recompile_limit" if hasattr(limits, "recompile_limit") else "cache_size_limit"
    setattr(limits, name, max(getattr(limits, name), at_least))


def _call(step) -> torch.Tensor:
    torch.compiler.cudagraph_mark_step_begin()  # the previous call's outputs are dead; lets graphs replay
    with torch.inference_mode():
        return step()


def _failure(what: str, failure: BaseException, device) -> CompileFailed:
    """The failure as CompileFailed, once the device is known to be usable: a CUDA error that poisons the
    context raises again here, from synchronize, so the caller sees it as the error it is."""
    synchronize(device)
    return CompileFailed(f"{what}: {type(failure).__name__}: {one_line(failure, limit=300)}")


def time_compiled_decode(model, input_ids: torch.Tensor, new_tokens: int, repeats: int, device) -> CompiledTiming:
    """Seconds per greedy decode step with the step compiled (gpt-fast style), and the seconds spent compiling.

    After an eager prefill into a StaticCache, the compiled step is warmed up (WARMUP_STEPS calls: compile,
    CUDA graph warm-up and recording; their wall time is `compile_s`), checked against eager decoding, then
    timed: median over `repeats` runs of `new_tokens` steps, each after a fresh prefill that is not timed.
    Raises CompileFailed when the step does not compile under fullgraph or does not compute the eager step.
    Dynamo is reset afterwards, so its caches and CUDA graph memory do not keep the model alive.
    """
    if new_tokens < 1 or repeats < 1:
        raise ValueError("time_compiled_decode needs new_tokens >= 1 and repeats >= 1")
    batch, prompt_tokens = input_ids.shape
    decoder = StaticDecoder(model, batch, prompt_tokens + max(new_tokens, WARMUP_STEPS) + 2, input_ids.device)
    try:
        return _time_compiled(decoder, input_ids, new_tokens, repeats, device)
    finally:
        torch._dynamo.reset()


def _time_compiled(decoder: StaticDecoder, input_ids: torch.Tensor, new_tokens: int, repeats: int,
                   device) -> CompiledTiming:
    with torch.inference_mode():
        decoder.prefill(input_ids)  # eager: makes the cache's tensors (and marks them static) before compiling
    step = compile_decode_step(decoder, device)  # resets dynamo; compiles at its first call
    skips_before = _cudagraph_skips()
    start = time.perf_counter()
    try:
        for _ in range(WARMUP_STEPS):
            _call(step)
        synchronize(device)
    except torch.OutOfMemoryError:
        raise  # an out-of-memory result is the runner's to record, not a compile failure
    except Exception as failure:  # dynamo's Unsupported, inductor's lowering errors, CUDA graph refusals: data
        raise _failure("torch.compile of the decode step failed", failure, device) from None
    compile_s = time.perf_counter() - start
    try:
        # The graph's output is overwritten by the next call: check_same_work compares it before that.
        same_work = check_same_work(decoder, input_ids, new_tokens, lambda: _call(step), "the compiled decode step",
                                    CompileFailed)
    except (CompileFailed, torch.OutOfMemoryError):
        raise
    except Exception as failure:  # a recompile for the check's state that fails, a replay error
        raise _failure("the compiled decode step failed when checked against eager decoding", failure,
                       device) from None

    def decode():
        for _ in range(new_tokens):
            _call(step)

    samples = []
    for _ in range(repeats):
        with torch.inference_mode():
            decoder.prefill(input_ids)
        samples.append(timed(decode, device)[1] / new_tokens)
    cuda_graphs = compile_mode(device) == "reduce-overhead" and _cudagraph_skips() == skips_before
    return CompiledTiming(step=Timing.of(samples), compile_s=compile_s, cuda_graphs=cuda_graphs,
                          rounding_ties=same_work.rounding_ties, logits_relative_rms=same_work.logits_relative_rms)


def _cudagraph_skips() -> int:
    """How many times inductor has declined to use CUDA graphs (a mutated input, a CPU tensor, dynamic
    shapes...) and run its kernels without them; it says why only in its log."""
    return torch._dynamo.utils.counters["inductor"]["cudagraph_skips"]
