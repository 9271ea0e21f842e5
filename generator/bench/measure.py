"""Measurements of one model: timings of prefill and decode, peak memory, agreement with a reference.

Timing discipline: one warm-up pass that is not counted, the device
synchronised before every clock read, medians over repeats with min and max
kept as the spread. What a device cannot measure is reported as missing, with
the reason, never as zero.
"""

import inspect
import statistics
import time
from dataclasses import dataclass

import torch
from transformers import DynamicCache


@dataclass(frozen=True)
class Timing:
    """Seconds of one timed step over `repeats` runs."""

    median_s: float
    min_s: float
    max_s: float
    repeats: int

    @classmethod
    def of(cls, samples_s: list) -> "Timing":
        return cls(statistics.median(samples_s), min(samples_s), max(samples_s), len(samples_s))


@dataclass(frozen=True)
class GenerationTiming:
    prefill: Timing  # one forward pass over the prompt, fresh cache
    decode_per_token: Timing  # the greedy decode loop / new_tokens


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
def _generate_once(model, input_ids: torch.Tensor, new_tokens: int, device) -> tuple:
    """Greedy prefill + decode into a fresh DynamicCache; (prefill seconds, decode seconds)."""
    cache = DynamicCache(config=model.config)
    keyword = _cache_keyword(model)
    logits, prefill_s = timed(lambda: model(input_ids, use_cache=True, **{keyword: cache}).logits, device)

    def decode():
        last = logits
        for _ in range(new_tokens):
            next_ids = last[:, -1:].argmax(dim=-1)
            last = model(next_ids, use_cache=True, **{keyword: cache}).logits
        return last

    _, decode_s = timed(decode, device)
    return prefill_s, decode_s


def time_generation(model, input_ids: torch.Tensor, new_tokens: int, repeats: int, device) -> GenerationTiming:
    """Median prefill time and decode time per token over `repeats` runs after one warm-up run."""
    if new_tokens < 1 or repeats < 1:
        raise ValueError("time_generation needs new_tokens >= 1 and repeats >= 1")
    _generate_once(model, input_ids, new_tokens, device)  # warm-up: allocator, kernels, lazy init
    prefill, decode = [], []
    for _ in range(repeats):
        prefill_s, decode_s = _generate_once(model, input_ids, new_tokens, device)
        prefill.append(prefill_s)
        decode.append(decode_s / new_tokens)
    return GenerationTiming(Timing.of(prefill), Timing.of(decode))


def reset_peak_memory(device) -> bool:
    """Start a peak-memory window; False where the device cannot measure one."""
    if torch.device(device).type != "cuda":
        return False
    torch.cuda.reset_peak_memory_stats(device)
    return True


def peak_memory_bytes(device) -> int:
    return torch.cuda.max_memory_allocated(device)


def compare_logits(reference: torch.Tensor, logits: torch.Tensor) -> LogitAgreement:
    """SQNR = 10 log10(sum ref^2 / sum (ref - x)^2); KL(softmax ref || softmax x) averaged over positions;
    top-1 agreement = share of positions whose argmax token is the same.
    """
    reference, logits = reference.float(), logits.float()
    noise = (reference - logits).pow(2).sum().item()
    sqnr_db = None if noise == 0 else 10 * torch.log10(reference.pow(2).sum() / noise).item()
    log_p = torch.log_softmax(reference, dim=-1)
    log_q = torch.log_softmax(logits, dim=-1)
    kl = (log_p.exp() * (log_p - log_q)).sum(dim=-1).mean().item()
    top1 = (reference.argmax(dim=-1) == logits.argmax(dim=-1)).float().mean().item()
    return LogitAgreement(sqnr_db=sqnr_db, kl_divergence=max(kl, 0.0), top1_agreement=top1)


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
