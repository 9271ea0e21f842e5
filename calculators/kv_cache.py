"""KV-cache memory for MHA, GQA, MQA and MLA models, with sliding windows and paging."""

from dataclasses import dataclass
from math import ceil

from .architecture import Architecture
from .formats import KVFormat
from .validate import MAX_BATCH, MAX_TOKENS, whole_number


@dataclass(frozen=True)
class KVCacheBytes:
    """KV-cache size for `batch` sequences of `context` tokens.

    bytes_per_token: one token in every layer (what a full-attention layer stack
    adds per token of context; for formats with a 16-bit residual window, the
    quantized rate). total_bytes: the whole cache, sliding windows, paging and
    per-layer scales included.
    """

    format_id: str
    context: int
    batch: int
    block_size: int
    bytes_per_token: int
    total_bytes: int
    tokens_cached_per_sequence: int  # summed over layers
    sliding_layers: int
    full_layers: int


def layer_bytes_per_token_x8(arch: Architecture, fmt: KVFormat, bits: int | None = None) -> int:
    """Eight times one layer's cache bytes for one token.

    MHA/GQA/MQA: K and V, each num_kv_heads * head_dim elements.
    MLA (DeepSeek-V2/V3, as vLLM and SGLang cache it): one latent of
    kv_lora_rank + qk_rope_head_dim elements, shared by K and V.
    """
    if bits is not None and bits != fmt.bits:  # the 16-bit residual of a quantized cache
        fmt = KVFormat(fmt.id + "-residual", "", bits, "")
    if arch.is_mla:
        return fmt.vector_bytes_x8(1, arch.kv_lora_rank + arch.qk_rope_head_dim)
    return 2 * fmt.vector_bytes_x8(arch.num_kv_heads, arch.head_dim)


def kv_bytes_per_token(arch: Architecture, fmt: KVFormat) -> int:
    """bytes_per_token = num_layers * layer bytes per token (rounded up to a byte)."""
    return ceil(arch.num_layers * layer_bytes_per_token_x8(arch, fmt) / 8)


def _allocated(tokens: int, block_size: int) -> int:
    """With paging, tokens are held in whole blocks of block_size."""
    return -(-tokens // block_size) * block_size if block_size else tokens


def kv_cache_bytes(arch: Architecture, fmt: KVFormat, context: int, batch: int = 1,
                   block_size: int = 0) -> KVCacheBytes:
    """total = batch * sum over layers of layer_bytes(tokens cached in that layer)
             + num_layers * fmt.layer_bytes   (per-layer scales, shared by all sequences)
    A format with residual_tokens keeps the newest that many tokens in 16-bit.
    """
    context = whole_number("context", context, 1, MAX_TOKENS)
    batch = whole_number("batch", batch, 1, MAX_BATCH)
    block_size = whole_number("block_size", block_size, 0, 1 << 16)
    quantized_x8 = layer_bytes_per_token_x8(arch, fmt)
    residual_x8 = layer_bytes_per_token_x8(arch, fmt, bits=16) if fmt.residual_tokens else 0
    sequence_x8 = 0
    tokens_cached = 0
    sliding = arch.num_sliding_layers
    # Every full-attention layer caches the same tokens, and so does every sliding one.
    for layers, tokens in ((arch.num_layers - sliding, _allocated(context, block_size)),
                           (sliding, _allocated(min(context, arch.sliding_window), block_size))):
        residual = min(tokens, fmt.residual_tokens)
        sequence_x8 += layers * ((tokens - residual) * quantized_x8 + residual * residual_x8)
        tokens_cached += layers * tokens
    total = ceil(batch * sequence_x8 / 8) + arch.num_layers * fmt.layer_bytes
    return KVCacheBytes(format_id=fmt.id, context=context, batch=batch, block_size=block_size,
                        bytes_per_token=kv_bytes_per_token(arch, fmt), total_bytes=total,
                        tokens_cached_per_sequence=tokens_cached, sliding_layers=sliding,
                        full_layers=arch.num_layers - sliding)
