"""KV-cache memory for MHA, GQA, MQA and MLA models, with sliding windows and paging."""

from math import ceil

from .architecture import Architecture
from .formats import KVFormat
from .records import record
from .validate import MAX_BATCH, MAX_TOKENS, one_of, whole_number

# Engines whose KV-cache allocation differs where config.json is ambiguous about sliding windows.
ENGINES = ("vllm", "llama.cpp")

# Phi-3's config.json gives a sliding_window (2047 in the 4k models, 262144 in Phi-3-mini-128k, more than its
# context) and no list of which layers slide; so do Mistral 7B v0.1, StarCoder2 and Qwen2 with
# use_sliding_window. The engines read such a window differently. vLLM slides every layer over it:
_PHI3_VLLM = ("vLLM caches Phi-3 as if every layer slides over config.json's sliding_window: a model without "
              "layer_types gets CacheConfig.sliding_window = sliding_window for all its layers "
              "(vllm-project/vllm vllm/engine/arg_utils.py @99d7eb5d6a512cfcc5a2b104f24ebf2d6cda772b; "
              "vllm/model_executor/models/llama.py @e06c9ba2a6ea923a84add30f5dafaea126429b81, which Phi-3 reuses); "
              "a window at least as long as the context caches the whole context")
_VLLM_EVERY_LAYER = ("vLLM slides every layer over config.json's sliding_window: a model without layer_types gets "
                     "CacheConfig.sliding_window = sliding_window for all its layers (vllm-project/vllm "
                     "vllm/engine/arg_utils.py @99d7eb5d6a512cfcc5a2b104f24ebf2d6cda772b)")
# llama.cpp builds its two-part cache (full layers, plus small sliding-window layers) only for architectures
# whose loader sets a window type (Gemma 2 and 3, for example); the loaders of these read no window, or drop it:
_LLAMA_CPP_MODEL = "ggml-org/llama.cpp src/llama-model.cpp @00342301d01add50835550e8a916f12097d94517"
_LLAMA_CPP_NO_WINDOW = {
    "phi3": ("llama.cpp disables Phi-3's sliding window, so every layer caches the whole context "
             "(https://github.com/ggml-org/llama.cpp/pull/13676, 'model : disable SWA for Phi models'; "
             "src/llama-model.cpp warns 'Phi SWA is currently disabled')"),
    "mistral": ("llama.cpp caches the whole context on every layer: Mistral's GGUF files use the llama "
                f"architecture, whose loader ({_LLAMA_CPP_MODEL}, case LLM_ARCH_LLAMA) reads no sliding window, so "
                "it keeps one full-size cache; sliding windows for Mistral were requested "
                "(https://github.com/ggml-org/llama.cpp/issues/3377) and not added"),
    "starcoder2": ("llama.cpp caches the whole context on every layer: its StarCoder2 loader "
                   f"({_LLAMA_CPP_MODEL}, case LLM_ARCH_STARCODER2) reads no sliding window, and "
                   "convert_hf_to_gguf.py writes none for StarCoder2, so it keeps one full-size cache"),
    "qwen2": ("llama.cpp caches the whole context on every layer: its Qwen2 loader "
              f"({_LLAMA_CPP_MODEL}, case LLM_ARCH_QWEN2) reads no sliding window, so it keeps one full-size "
              "cache"),
}
_LLAMA_CPP_NO_WINDOW["mixtral"] = _LLAMA_CPP_NO_WINDOW["mistral"]  # Mixtral's GGUF files use the llama architecture too


# MiniCPM3 projects K and V through a compressed latent as DeepSeek-V2 does, but no engine here caches that
# latent for it: both expand it per head, with K of qk_nope_head_dim + qk_rope_head_dim per head.
_PER_HEAD_LAYOUT = {
    "vllm": ("vLLM caches MiniCPM3 per head, not as the latent: K of qk_nope_head_dim + qk_rope_head_dim per "
             "head, and V zero-padded to the same size (vllm-project/vllm vllm/model_executor/models/minicpm3.py "
             "@009ccee09595bc1ed5de28164ea2490a5ba1ce84: an ordinary Attention of qk_head_dim, and 'v = "
             "torch.nn.functional.pad(v, [0, self.qk_head_dim - self.v_head_dim], value=0)')"),
    "llama.cpp": ("llama.cpp caches MiniCPM3 per head, not as the latent: K of qk_nope_head_dim + qk_rope_head_dim "
                  "per head and V of v_head_dim (ggml-org/llama.cpp src/models/minicpm3.cpp "
                  "@a0b8c172c7113ff5275be4de7f6f68d214a527c6 passes k_states = concat(k_nope, k_pe) and v_states "
                  "to the standard build_attn)"),
}
PER_HEAD_MLA_MODEL_TYPES = ("minicpm3",)


@record
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
    engine: str = "vllm"
    window_rule: str = ""  # how the engine reads an ambiguous sliding window, with its source ("" when unambiguous)
    layout_rule: str = ""  # how the engine lays out an MLA model's cache per head, with its source ("" for the latent)


def per_head_layout(arch: Architecture, engine: str = "vllm") -> tuple[int, int] | None:
    """(K, V elements per head) where the engine caches an MLA model per head; None where it caches the latent
    (DeepSeek) or the model has no latent."""
    if not arch.is_mla or arch.model_type not in PER_HEAD_MLA_MODEL_TYPES:
        return None
    qk = arch.qk_nope_head_dim + arch.qk_rope_head_dim
    return (qk, qk) if engine == "vllm" else (qk, arch.v_head_dim)


def layer_bytes_per_token_x8(arch: Architecture, fmt: KVFormat, bits: int | None = None,
                             engine: str = "vllm") -> int:
    """Eight times one layer's cache bytes for one token.

    MHA/GQA/MQA: K and V, each num_kv_heads * head_dim elements.
    MLA (DeepSeek-V2/V3, as vLLM and SGLang cache it): one latent of
    kv_lora_rank + qk_rope_head_dim elements, shared by K and V; MiniCPM3, which
    engines cache per head: K and V per head, as per_head_layout gives them.
    """
    if bits is not None and bits != fmt.bits:  # the 16-bit residual of a quantized cache
        fmt = KVFormat(fmt.id + "-residual", "", bits, "")
    per_head = per_head_layout(arch, engine)
    if per_head:
        heads = arch.num_attention_heads
        return fmt.vector_bytes_x8(heads, per_head[0]) + fmt.vector_bytes_x8(heads, per_head[1])
    if arch.is_mla:
        return fmt.vector_bytes_x8(1, arch.kv_lora_rank + arch.qk_rope_head_dim)
    return 2 * fmt.vector_bytes_x8(arch.num_kv_heads, arch.head_dim)


def kv_bytes_per_token(arch: Architecture, fmt: KVFormat, engine: str = "vllm") -> int:
    """bytes_per_token = num_layers * layer bytes per token (rounded up to a byte)."""
    return ceil(arch.num_layers * layer_bytes_per_token_x8(arch, fmt, engine=engine) / 8)


def _allocated(tokens: int, block_size: int) -> int:
    """With paging, tokens are held in whole blocks of block_size."""
    return -(-tokens // block_size) * block_size if block_size else tokens


def engine_sliding_layers(arch: Architecture, engine: str = "vllm") -> tuple[int, str]:
    """(layers the engine caches as sliding windows, the rule it follows where the config is ambiguous)."""
    engine = one_of("engine", engine, ENGINES)
    if arch.model_type not in _LLAMA_CPP_NO_WINDOW or not arch.num_sliding_layers:
        return arch.num_sliding_layers, ""
    if engine == "llama.cpp":
        return 0, _LLAMA_CPP_NO_WINDOW[arch.model_type]
    if arch.model_type == "phi3":
        return arch.num_sliding_layers, _PHI3_VLLM
    # Qwen2's config says which layers slide (those from max_window_layers on): nothing is left to read.
    return arch.num_sliding_layers, _VLLM_EVERY_LAYER if arch.num_sliding_layers == arch.num_layers else ""


MAX_BLOCK_SIZE = 1 << 16  # tokens in a page of the paged cache


def _layer_groups(full: int, sliding: int, window: int, context: int, block_size: int):
    """((layers, tokens each caches), ...): every full-attention layer caches the same tokens, and so does
    every sliding one."""
    return ((full, _allocated(context, block_size)),
            (sliding, _allocated(min(context, window), block_size) if sliding else 0))


def kv_total_bytes(arch: Architecture, fmt: KVFormat, block_size: int = 0, engine: str = "vllm"):
    """kv_cache_bytes(arch, fmt, context, batch, block_size, engine).total_bytes as a function of (context, batch),
    with what depends on neither worked out once, for the searches that try many; it checks nothing itself.
    A format with residual_tokens keeps the newest that many tokens in 16-bit."""
    sliding, _ = engine_sliding_layers(arch, engine)
    quantized_x8 = layer_bytes_per_token_x8(arch, fmt, engine=engine)
    residual_x8 = layer_bytes_per_token_x8(arch, fmt, bits=16, engine=engine) if fmt.residual_tokens else 0
    full = arch.num_layers - sliding
    window = arch.sliding_window
    kept = fmt.residual_tokens
    scales = arch.num_layers * fmt.layer_bytes  # per-layer scales, shared by all sequences

    def total(context: int, batch: int) -> int:
        sequence_x8 = 0
        for layers, tokens in _layer_groups(full, sliding, window, context, block_size):
            residual = min(tokens, kept)
            sequence_x8 += layers * ((tokens - residual) * quantized_x8 + residual * residual_x8)
        return -(-batch * sequence_x8 // 8) + scales
    return total


def kv_cache_bytes(arch: Architecture, fmt: KVFormat, context: int, batch: int = 1,
                   block_size: int = 0, engine: str = "vllm") -> KVCacheBytes:
    """total = batch * sum over layers of layer_bytes(tokens cached in that layer)
             + num_layers * fmt.layer_bytes   (per-layer scales, shared by all sequences)
    A format with residual_tokens keeps the newest that many tokens in 16-bit. Which layers slide is
    the engine's reading of the config (engine_sliding_layers).
    """
    context = whole_number("context", context, 1, MAX_TOKENS)
    batch = whole_number("batch", batch, 1, MAX_BATCH)
    block_size = whole_number("block_size", block_size, 0, MAX_BLOCK_SIZE)
    sliding, window_rule = engine_sliding_layers(arch, engine)
    total = kv_total_bytes(arch, fmt, block_size, engine)(context, batch)
    tokens_cached = sum(layers * tokens for layers, tokens in
                        _layer_groups(arch.num_layers - sliding, sliding, arch.sliding_window, context, block_size))
    return KVCacheBytes(format_id=fmt.id, context=context, batch=batch, block_size=block_size,
                        bytes_per_token=kv_bytes_per_token(arch, fmt, engine), total_bytes=total,
                        tokens_cached_per_sequence=tokens_cached, sliding_layers=sliding,
                        full_layers=arch.num_layers - sliding, engine=engine, window_rule=window_rule,
                        layout_rule=_PER_HEAD_LAYOUT[engine] if per_head_layout(arch, engine) else "")
