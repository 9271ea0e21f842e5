"""FLOPs and bytes per step, arithmetic intensity and roofline time bounds.

A step's time can be no less than its FLOPs at the peak rate, nor its bytes at
the peak bandwidth (Williams et al., "Roofline", CACM 2009):
    time >= max(flops / peak_flops_s, bytes / bandwidth_bytes_s)
These are lower bounds: real kernels reach a fraction of both peaks.
"""

from .architecture import Architecture
from .formats import KVFormat, WeightFormat
from .hardware import Accelerator, peak_rate
from .kv_cache import kv_cache_bytes, kv_bytes_per_token
from .records import record
from .validate import MAX_BATCH, MAX_GPUS, MAX_TOKENS, whole_number
from .weights import WeightBytes, weight_bytes


@record
class StepCost:
    """One forward step on the roofline."""

    flops: float
    bytes: float
    intensity: float  # FLOP per byte
    compute_time_s: float
    memory_time_s: float
    time_s: float  # the larger of the two: the lower bound
    bound: str  # "memory" or "compute"


@record
class Roofline:
    prefill: StepCost  # the whole prompt of every sequence: time to first token
    decode: StepCost  # one new token for every sequence, at `context` tokens cached
    ridge_point: float  # FLOP per byte where the roof turns
    peak_flops_s: float
    bandwidth_bytes_s: float
    compute_used: str
    note: str
    batch: int
    prompt_tokens: int
    context: int

    @property
    def ttft_s(self) -> float:
        return self.prefill.time_s

    @property
    def tpot_s(self) -> float:
        return self.decode.time_s

    @property
    def tokens_per_s(self) -> float:
        """Generated tokens per second over the whole batch (upper bound)."""
        return self.batch / self.decode.time_s


def matmul_params_per_token(arch: Architecture) -> int:
    """Weights one token multiplies with: every matrix except the embedding lookup,
    routed experts scaled by experts_per_token / num_experts, and the output
    projection (the embedding matrix itself when tied)."""
    total = 0
    for group in arch.tensors():
        if not group.is_matrix or group.part == "embedding":
            continue
        numel = group.numel
        if group.part == "experts":
            numel = numel * arch.experts_per_token // arch.num_experts
        total += numel
    if arch.tie_word_embeddings:
        total += arch.vocab_size * arch.hidden_size
    return total


def _attention_dims(arch: Architecture) -> tuple[int, int]:
    """(query-key width, value width) summed over heads, as the unabsorbed kernels compute them."""
    if arch.is_mla:
        return arch.num_attention_heads * (arch.qk_nope_head_dim + arch.qk_rope_head_dim), \
            arch.num_attention_heads * arch.v_head_dim
    width = arch.num_attention_heads * arch.head_dim
    return width, width


def attention_flops_decode(arch: Architecture, context: int) -> float:
    """One new token attending to `context` cached tokens:
    sum over layers of 2 * (qk_width + v_width) * min(context, window)."""
    qk, v = _attention_dims(arch)
    sliding = arch.num_sliding_layers
    seen = (arch.num_layers - sliding) * context + sliding * min(context, arch.sliding_window)
    return float(2 * (qk + v) * seen)


def attention_flops_prefill(arch: Architecture, prompt_tokens: int) -> float:
    """Causal attention over a prompt of P tokens: token t sees min(t, window) tokens,
    so each layer does 2 * (qk_width + v_width) * sum_t min(t, W)."""
    qk, v = _attention_dims(arch)
    p = prompt_tokens
    full = p * (p + 1) // 2
    w = min(arch.sliding_window, p)
    windowed = w * (w + 1) // 2 + (p - w) * w
    sliding = arch.num_sliding_layers
    return float(2 * (qk + v) * ((arch.num_layers - sliding) * full + sliding * windowed))


def weight_bytes_read(arch: Architecture, weights: WeightBytes, tokens: int) -> float:
    """Weights read by one step over `tokens` tokens.

    The input embedding table is not read whole: a step looks up one row per token, at most
    min(tokens, vocab) rows of it (its quantization metadata, if any, is counted as read). A table tied
    to the output head is read whole by the head anyway. For MoE each layer reads the experts at least
    one token was routed to; with uniform routing the expected share is 1 - (1 - k/E) ** tokens."""
    total = float(weights.total_bytes)
    if not arch.tie_word_embeddings:
        table = weights.by_part.get("embedding", 0)
        total -= table * (1.0 - min(tokens, arch.vocab_size) / arch.vocab_size)
    if not arch.is_moe:
        return total
    share = 1.0 - (1.0 - arch.experts_per_token / arch.num_experts) ** tokens
    return total - weights.expert_bytes * (1.0 - share)


def _step(flops: float, bytes_: float, peak: float, bandwidth: float) -> StepCost:
    compute_s, memory_s = flops / peak, bytes_ / bandwidth
    return StepCost(flops=flops, bytes=bytes_, intensity=flops / bytes_, compute_time_s=compute_s,
                    memory_time_s=memory_s, time_s=max(compute_s, memory_s),
                    bound="compute" if compute_s >= memory_s else "memory")


def roofline(arch: Architecture, weight_fmt: WeightFormat, kv_fmt: KVFormat, gpu: Accelerator, batch: int = 1,
             prompt_tokens: int = 512, context: int | None = None, num_gpus: int = 1) -> Roofline:
    """prefill: flops = B * (2 * N_matmul * P + attention_prefill(P)),
                bytes = weights read for B*P tokens + KV written for B*P tokens
    decode:  flops = B * (2 * N_matmul + attention_decode(C)),
             bytes = weights read for B tokens + KV read for B sequences of C tokens + KV written
    with N_matmul = matmul_params_per_token, C = context (defaults to the prompt).
    On num_gpus GPUs (tensor parallel) the peak rate and the bandwidth are num_gpus times one card's: an
    ideal split that leaves out the time of the all-reduces between them, so still a lower bound.
    """
    batch = whole_number("batch", batch, 1, MAX_BATCH)
    prompt_tokens = whole_number("prompt_tokens", prompt_tokens, 1, MAX_TOKENS)
    context = prompt_tokens if context is None else whole_number("context", context, 1, MAX_TOKENS)
    num_gpus = whole_number("num_gpus", num_gpus, 1, MAX_GPUS)
    rate = peak_rate(gpu, weight_fmt.compute)
    weights = weight_bytes(arch, weight_fmt)
    n_matmul = matmul_params_per_token(arch)
    per_token_kv = kv_bytes_per_token(arch, kv_fmt)

    prefill_flops = batch * (2.0 * n_matmul * prompt_tokens + attention_flops_prefill(arch, prompt_tokens))
    prefill_bytes = weight_bytes_read(arch, weights, batch * prompt_tokens) + \
        kv_cache_bytes(arch, kv_fmt, prompt_tokens, batch).total_bytes
    decode_flops = batch * (2.0 * n_matmul + attention_flops_decode(arch, context))
    decode_bytes = weight_bytes_read(arch, weights, batch) + \
        kv_cache_bytes(arch, kv_fmt, context, batch).total_bytes + batch * per_token_kv
    bandwidth = gpu.bandwidth_bytes_s * num_gpus
    peak = rate.flops_s * num_gpus
    return Roofline(prefill=_step(prefill_flops, prefill_bytes, peak, bandwidth),
                    decode=_step(decode_flops, decode_bytes, peak, bandwidth),
                    ridge_point=peak / bandwidth, peak_flops_s=peak, bandwidth_bytes_s=bandwidth,
                    compute_used=rate.used, note=rate.note, batch=batch, prompt_tokens=prompt_tokens,
                    context=context)


def compute_bound_batch(arch: Architecture, weight_fmt: WeightFormat, kv_fmt: KVFormat, gpu: Accelerator,
                        context: int = 512, limit: int = MAX_BATCH) -> int | None:
    """Smallest batch at which decode is compute-bound at this context, or None
    if none up to `limit` is (long contexts: KV reads grow with batch too).
    Decode intensity never falls as the batch grows, so bisection finds it."""
    limit = whole_number("limit", limit, 1, MAX_BATCH)

    def compute_bound(b):
        return roofline(arch, weight_fmt, kv_fmt, gpu, b, context, context).decode.bound == "compute"

    if not compute_bound(limit):
        return None
    low, high = 1, limit
    while low < high:
        middle = (low + high) // 2
        if compute_bound(middle):
            high = middle
        else:
            low = middle + 1
    return low
