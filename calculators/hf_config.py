"""Build an `Architecture` from a Hugging Face `config.json`.

A key that changes the count and is missing is an error naming the key and the
model_type. The only defaults used are those of the transformers config class
for that model_type, because `save_pretrained` leaves keys out of config.json
when they equal the class default (so a missing `tie_word_embeddings` in a Gemma
config really means True). Each default below is the class default in
transformers' `configuration_<model_type>.py` (or the modeling code, where the
value is fixed there).
"""

import json

from .architecture import Architecture
from .errors import CalculatorError
from .validate import MAX_TOKENS

_MISSING = object()


# The largest value each config.json field may take: generous beyond every published model (the largest
# dense models have about 130 layers and a hidden size of 16,384 to 25,600), small enough that a typo or a
# hostile file (10^12 layers) gets a message naming the field instead of astronomical totals.
_LAYER_COUNTS = ("num_hidden_layers", "n_layer", "first_k_dense_replace", "max_window_layers", "moe_layer_freq",
                 "decoder_sparse_step", "sliding_window_pattern", "num_ln_in_parallel_attn", "no_rope_layer_interval")
_HEAD_COUNTS = ("num_attention_heads", "n_head", "num_key_value_heads", "num_kv_heads", "n_head_kv")
_EXPERT_COUNTS = ("num_experts", "num_local_experts", "n_routed_experts", "n_shared_experts", "num_experts_per_tok")
_HEAD_SIZES = ("head_dim", "v_head_dim", "qk_rope_head_dim", "qk_nope_head_dim")
_WIDTHS = ("hidden_size", "n_embd", "kv_lora_rank", "q_lora_rank")
_FFN_WIDTHS = ("intermediate_size", "n_inner", "ffn_hidden_size", "moe_intermediate_size",
               "shared_expert_intermediate_size")
_TOKEN_COUNTS = ("sliding_window", "n_positions", "max_position_embeddings", "max_sequence_length", "seq_length")
FIELD_LIMITS = {
    **dict.fromkeys(_LAYER_COUNTS, 1 << 10), **dict.fromkeys(_HEAD_COUNTS, 1 << 12),
    **dict.fromkeys(_EXPERT_COUNTS, 1 << 14), **dict.fromkeys(_HEAD_SIZES, 1 << 12),
    **dict.fromkeys(_WIDTHS, 1 << 17), **dict.fromkeys(_FFN_WIDTHS, 1 << 19),
    **dict.fromkeys(_TOKEN_COUNTS, MAX_TOKENS), "vocab_size": 1 << 22,
}
DEFAULT_FIELD_LIMIT = 1 << 20


def _check_limit(name: str, value: int, model_type: str) -> int:
    limit = FIELD_LIMITS.get(name, DEFAULT_FIELD_LIMIT)
    if value > limit:
        raise CalculatorError(f"config.json (model_type '{model_type}'): '{name}' is {value:,}; the calculators "
                              f"take at most {limit:,}, far beyond any published model", name)
    return value


class _Reader:
    """Typed access to one config dict, with errors that name key and model_type."""

    def __init__(self, config: dict, model_type: str):
        self.config = config
        self.model_type = model_type

    def _get(self, keys, default):
        for key in (keys if isinstance(keys, tuple) else (keys,)):
            if key in self.config and self.config[key] is not None:
                return key, self.config[key]
        if default is _MISSING:
            name = keys[0] if isinstance(keys, tuple) else keys
            raise CalculatorError(f"config.json (model_type '{self.model_type}') is missing '{name}'", name)
        return None, default

    def int(self, keys, default=_MISSING, minimum=1) -> int:
        key, value = self._get(keys, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            name = key or (keys[0] if isinstance(keys, tuple) else keys)
            raise CalculatorError(
                f"config.json (model_type '{self.model_type}'): '{name}' must be a whole number >= {minimum}, "
                f"not {value!r}", name)
        return _check_limit(key or (keys[0] if isinstance(keys, tuple) else keys), value, self.model_type)

    def bool(self, keys, default=_MISSING) -> bool:
        key, value = self._get(keys, default)
        if not isinstance(value, bool):
            raise CalculatorError(
                f"config.json (model_type '{self.model_type}'): '{key}' must be true or false, not {value!r}", key)
        return value

    def optional_int(self, key) -> int:
        """A size where null or absent means 'none' (0), e.g. sliding_window."""
        value = self.config.get(key)
        if value is None:
            return 0
        return self.int(key, minimum=0)


def _sliding_pattern(layer_types, num_layers, model_type):
    if not isinstance(layer_types, list) or len(layer_types) != num_layers:
        raise CalculatorError(
            f"config.json (model_type '{model_type}'): 'layer_types' must list one entry per layer "
            f"({num_layers})", "layer_types")
    known = {"sliding_attention": True, "full_attention": False}
    for entry in layer_types:
        if entry not in known:
            raise CalculatorError(
                f"config.json (model_type '{model_type}'): unknown layer type {entry!r} in 'layer_types'",
                "layer_types")
    return tuple(known[entry] for entry in layer_types)


def _common(r: _Reader, *, tie_default: bool, norm_kind="rmsnorm", norms_per_layer=2, window_default=_MISSING,
            **extra) -> dict:
    """The llama-shaped core most model types share; window_default is the class default of sliding_window,
    for types whose layer_types can name sliding layers."""
    hidden = r.int("hidden_size")
    heads = r.int("num_attention_heads")
    if "head_dim" in r.config and r.config["head_dim"] is not None:
        head_dim = r.int("head_dim")
    elif hidden % heads:
        raise CalculatorError(
            f"config.json (model_type '{r.model_type}'): no 'head_dim', and hidden_size {hidden} is not a "
            f"multiple of num_attention_heads {heads}", "head_dim")
    else:
        head_dim = hidden // heads
    num_layers = r.int("num_hidden_layers")
    fields = dict(
        hidden_size=hidden,
        num_layers=num_layers,
        num_attention_heads=heads,
        # Every config class here documents: "if not specified, defaults to num_attention_heads".
        num_kv_heads=r.int("num_key_value_heads", heads),
        head_dim=head_dim,
        intermediate_size=r.int("intermediate_size"),
        vocab_size=r.int("vocab_size"),
        tie_word_embeddings=r.bool("tie_word_embeddings", tie_default),
        norm_kind=norm_kind,
        norms_per_layer=norms_per_layer,
    )
    fields.update(extra)
    if "layer_types" in r.config and r.config["layer_types"] is not None:
        pattern = _sliding_pattern(r.config["layer_types"], num_layers, r.model_type)
        if any(pattern):
            fields["sliding_window"] = r.int("sliding_window", window_default)
            fields["sliding_layers"] = pattern
    return fields


def _all_sliding(r, fields, window_key="sliding_window", default=0):
    """Mistral-style: every layer slides when a window is set."""
    if "sliding_layers" in fields:
        return fields
    window = r.optional_int(window_key) if window_key in r.config else default
    if window:
        fields["sliding_window"] = window
        fields["sliding_layers"] = (True,) * fields["num_layers"]
    return fields


def _qwen_sliding(r, fields):
    """Qwen2/3: layers from max_window_layers on slide, only if use_sliding_window."""
    if "sliding_layers" in fields or not r.bool("use_sliding_window", False):
        return fields
    first = r.int("max_window_layers", minimum=0)
    window = r.int("sliding_window")
    fields["sliding_window"] = window
    fields["sliding_layers"] = tuple(i >= first for i in range(fields["num_layers"]))
    return fields


def _periodic_sliding(r, fields):
    """Cohere2, EXAONE 4.0: without layer_types, every sliding_window_pattern-th layer (class default 4) is global
    and the others slide over sliding_window (class default 4096); a null sliding_window makes every layer global."""
    if "sliding_window" in r.config and r.config["sliding_window"] is None:
        fields.pop("sliding_window", None)
        fields.pop("sliding_layers", None)
    elif r.config.get("layer_types") is None:
        period = r.int("sliding_window_pattern", 4)
        fields["sliding_window"] = r.int("sliding_window", 4096)
        fields["sliding_layers"] = tuple((i + 1) % period != 0 for i in range(fields["num_layers"]))
    return fields


def _every_layer_sparse(r):
    if r.int("decoder_sparse_step", 1) != 1 or r.config.get("mlp_only_layers"):
        raise CalculatorError(
            f"config.json (model_type '{r.model_type}'): only configs where every layer is MoE "
            "(decoder_sparse_step 1, no mlp_only_layers) are supported", "decoder_sparse_step")


def _llama(r):
    return _common(r, tie_default=False, qkv_bias=r.bool("attention_bias", False),
                   o_bias=r.bool("attention_bias", False), mlp_bias=r.bool("mlp_bias", False))


def _mistral(r):
    # MistralConfig's class default window is 4096; v0.2+ configs write null.
    fields = _common(r, tie_default=False)
    if "sliding_window" in r.config:
        return _all_sliding(r, fields)
    return _all_sliding(r, fields, default=4096)


def _mixtral(r):
    fields = _common(r, tie_default=False)
    fields.update(num_experts=r.int("num_local_experts"), experts_per_token=r.int("num_experts_per_tok"),
                  moe_intermediate_size=fields["intermediate_size"])
    return _all_sliding(r, fields)


def _qwen2(r):
    # Qwen2Attention hard-codes bias=True on q/k/v and bias=False on o_proj.
    return _qwen_sliding(r, _common(r, tie_default=False, qkv_bias=True))


def _qwen2_moe(r):
    _every_layer_sparse(r)
    fields = _common(r, tie_default=False, qkv_bias=True)
    fields.update(num_experts=r.int("num_experts"), experts_per_token=r.int("num_experts_per_tok"),
                  moe_intermediate_size=r.int("moe_intermediate_size"),
                  shared_expert_intermediate_size=r.int("shared_expert_intermediate_size"),
                  shared_expert_gate=True)
    return _qwen_sliding(r, fields)


def _qwen3(r):
    bias = r.bool("attention_bias", False)
    return _qwen_sliding(r, _common(r, tie_default=False, qkv_bias=bias, o_bias=bias, qk_norm="per-head"))


def _qwen3_moe(r):
    _every_layer_sparse(r)
    fields = _qwen3(r)
    # transformers 5 writes Qwen3-MoE's expert count as num_local_experts (its attribute_map).
    fields.update(num_experts=r.int(("num_experts", "num_local_experts")),
                  experts_per_token=r.int("num_experts_per_tok"), moe_intermediate_size=r.int("moe_intermediate_size"))
    return fields


def _gpt_oss(r):
    # GptOssAttention: q/k/v/o with bias (attention_bias), a learned sink logit per head; GptOssExperts: fused
    # gate_up (E, h, 2 * intermediate) and down (E, intermediate, h) with biases; GptOssTopKRouter: weight and
    # bias. transformers src/transformers/models/gpt_oss/modeling_gpt_oss.py.
    bias = r.bool("attention_bias", True)
    fields = _common(r, tie_default=False, qkv_bias=bias, o_bias=bias, mlp_bias=True, attention_sinks=True,
                     window_default=128)
    fields.update(num_experts=r.int("num_local_experts"), experts_per_token=r.int("num_experts_per_tok"),
                  moe_intermediate_size=fields["intermediate_size"], router_bias=True)
    return fields


def _internlm2(r):
    # Remote code (InternLM/InternEvo-HFModels huggingface_model/internlm/internlm2_7b/modeling_internlm2.py
    # @1a4733c400dbef80772e9f425bcc68227a94eb0d, configuration_internlm2.py @4c80f4995e7d5682e5cfd81c3e85a60978648ab8,
    # the files internlm/internlm2_5-7b-chat ships): one fused wqkv of (heads + 2 * kv_heads) * head_dim rows and
    # wo, both biased when `bias` (class default True); head_dim is hidden_size // num_attention_heads, whatever
    # the config says; w1/w3/w2 without bias; RMSNorm attention_norm and ffn_norm.
    r = _Reader({key: value for key, value in r.config.items() if key != "head_dim"}, r.model_type)
    bias = r.bool("bias", True)
    return _common(r, tie_default=False, qkv_bias=bias, o_bias=bias)


def _minicpm(r):
    # Remote code (configuration_minicpm.py: MiniCPMConfig defaults tie_word_embeddings True, attention_bias False;
    # vllm-project/vllm vllm/model_executor/models/minicpm.py @74fb5d5383d956e3a8e8bd2ecefa24b0cb59a09f): Llama's
    # layers with head_dim = hidden_size // num_attention_heads; scale_emb, scale_depth and dim_model_base scale
    # activations, not weights; num_experts > 0 (MiniCPM-MoE) makes every MLP a mixture of experts of
    # intermediate_size each with a bias-free gate.
    bias = r.bool("attention_bias", False)
    fields = _common(r, tie_default=True, qkv_bias=bias, o_bias=bias)
    experts = r.int("num_experts", 0, minimum=0)
    if experts:
        fields.update(num_experts=experts, experts_per_token=r.int("num_experts_per_tok"),
                      moe_intermediate_size=fields["intermediate_size"])
    return fields


def _minicpm3(r):
    # MiniCPM3 (transformers src/transformers/models/minicpm3/, v5.24.0; before that the remote code
    # openbmb/MiniCPM3-4B ships): DeepSeek-V2's multi-head latent attention without experts, under one dense
    # SwiGLU MLP per layer. v_head_dim, absent from the published config.json, is hidden_size //
    # num_attention_heads; embeddings tied by default; scale_emb, scale_depth and dim_model_base scale
    # activations, not weights. Engines cache it per head, not as the latent (kv_cache.per_head_layout).
    heads = r.int("num_attention_heads")
    hidden = r.int("hidden_size")
    nope, rope = r.int("qk_nope_head_dim", 64), r.int("qk_rope_head_dim", 32)
    v = r.optional_int("v_head_dim") or hidden // heads
    bias = r.bool("attention_bias", False)
    return dict(
        hidden_size=hidden, num_layers=r.int("num_hidden_layers"), num_attention_heads=heads, num_kv_heads=heads,
        head_dim=nope + rope, intermediate_size=r.int("intermediate_size"), vocab_size=r.int("vocab_size"),
        tie_word_embeddings=r.bool("tie_word_embeddings", True), qkv_bias=bias, o_bias=bias,
        mlp_bias=r.bool("mlp_bias", False), q_lora_rank=r.optional_int("q_lora_rank"),
        kv_lora_rank=r.int("kv_lora_rank"), qk_nope_head_dim=nope, qk_rope_head_dim=rope, v_head_dim=v)


def _gemma(r):
    return _common(r, tie_default=True, qkv_bias=r.bool("attention_bias", False),
                   o_bias=r.bool("attention_bias", False))


def _gemma2(r):
    fields = _common(r, tie_default=True, norms_per_layer=4, qkv_bias=r.bool("attention_bias", False),
                     o_bias=r.bool("attention_bias", False), window_default=4096)
    if "sliding_layers" not in fields:  # older configs: even-numbered layers slide
        fields["sliding_window"] = r.int("sliding_window", 4096)
        fields["sliding_layers"] = tuple(i % 2 == 0 for i in range(fields["num_layers"]))
    return fields


def _gemma3_text(r):
    fields = _common(r, tie_default=True, norms_per_layer=4, qk_norm="per-head",
                     qkv_bias=r.bool("attention_bias", False), o_bias=r.bool("attention_bias", False),
                     window_default=4096)
    if "sliding_layers" not in fields:  # older configs: every `sliding_window_pattern`-th layer is global
        period = r.int("sliding_window_pattern")
        fields["sliding_window"] = r.int("sliding_window", 4096)
        fields["sliding_layers"] = tuple((i + 1) % period != 0 for i in range(fields["num_layers"]))
    return fields


def _phi3(r):
    return _all_sliding(r, _common(r, tie_default=False))


def _olmo(r):
    # OlmoLayerNorm has no learned parameters.
    bias = r.bool("attention_bias", False)
    return _common(r, tie_default=False, norm_kind="nonparametric", qkv_bias=bias, o_bias=bias)


def _olmo2(r):
    bias = r.bool("attention_bias", False)
    return _common(r, tie_default=False, qk_norm="full", qkv_bias=bias, o_bias=bias)


def _granite(r):
    # Llama's layers; the multipliers (embedding, residual, attention, logits) scale activations, not weights.
    bias = r.bool("attention_bias", False)
    return _common(r, tie_default=False, qkv_bias=bias, o_bias=bias, mlp_bias=r.bool("mlp_bias", False))


def _starcoder2(r):
    # Starcoder2: LayerNorm with bias, a plain (c_fc, c_proj) MLP, every linear biased when use_bias.
    bias = r.bool("use_bias", True)
    fields = _common(r, tie_default=True, norm_kind="layernorm", mlp_gated=False, qkv_bias=bias, o_bias=bias,
                     mlp_bias=bias)
    return _all_sliding(r, fields)


def _cohere(r):
    # CohereLayerNorm has a weight and no bias; attention and MLP run in parallel after one norm per layer;
    # use_qk_norm adds a (heads, head_dim) weight for q and a (kv_heads, head_dim) one for k.
    bias = r.bool("attention_bias", False)
    return _common(r, tie_default=True, norm_kind="layernorm-nobias", norms_per_layer=1, qkv_bias=bias,
                   o_bias=bias, qk_norm="full" if r.bool("use_qk_norm", False) else "none")


def _stablelm(r):
    # StableLM: LayerNorm with bias; a second norm per layer unless attention and MLP run in parallel; q/k/v
    # biased when use_qkv_bias, o_proj never; qk_layernorm is one bias-free LayerNorm per head (head_dim each).
    parallel = r.bool("use_parallel_residual", False)
    return _common(r, tie_default=False, norm_kind="layernorm", norms_per_layer=1 if parallel else 2,
                   qkv_bias=r.bool("use_qkv_bias", False), qk_norm="full" if r.bool("qk_layernorm", False) else "none")


def _glm4_moe(r):
    # transformers src/transformers/models/glm4_moe/modeling_glm4_moe.py @a0699c971daff96403489086fcfd07469d20b17f
    # and configuration_glm4_moe.py @c7ec229ad64cdcf0176f669969c66c9a652e7f38: q/k/v biased when attention_bias,
    # o_proj never; use_qk_norm adds a head_dim RMSNorm for q and one for k; the first first_k_dense_replace
    # layers are dense, the rest route to n_routed_experts and add one shared MLP n_shared_experts *
    # moe_intermediate_size wide; the router keeps an e_score_correction_bias the checkpoint stores (a buffer
    # to transformers, a tensor to every loader). The multi-token-prediction layer (num_nextn_predict_layers)
    # is skipped on load, as it is for DeepSeek-V3, so it is not counted.
    fields = _common(r, tie_default=False, qkv_bias=r.bool("attention_bias", False),
                     qk_norm="per-head" if r.bool("use_qk_norm", False) else "none")
    moe_width = r.int("moe_intermediate_size", 1408)
    fields.update(num_experts=r.int(("n_routed_experts", "num_local_experts"), 128),
                  experts_per_token=r.int("num_experts_per_tok", 8), moe_intermediate_size=moe_width,
                  shared_expert_intermediate_size=r.int("n_shared_experts", 1, minimum=0) * moe_width,
                  first_dense_layers=r.int("first_k_dense_replace", 1, minimum=0), router_bias=True)
    return fields


def _olmoe(r):
    # transformers src/transformers/models/olmoe/modeling_olmoe.py @f321adbcdc617db59b4948f9b3b2eb679a57f2dd:
    # q_norm is an RMSNorm over hidden_size and k_norm over (hidden_size // heads) * kv_heads, so they match
    # the projections only when head_dim is hidden_size // heads; every layer routes to num_experts experts of
    # intermediate_size each, with no shared expert and a bias-free router.
    fields = _common(r, tie_default=False, qkv_bias=r.bool("attention_bias", False),
                     o_bias=r.bool("attention_bias", False), qk_norm="full")
    if fields["head_dim"] * fields["num_attention_heads"] != fields["hidden_size"]:
        raise CalculatorError(f"config.json (model_type 'olmoe'): head_dim {fields['head_dim']} x "
                              f"num_attention_heads must equal hidden_size {fields['hidden_size']} (OLMoE's q/k "
                              "norms are sized from hidden_size)", "head_dim")
    fields.update(num_experts=r.int(("num_experts", "num_local_experts"), 64),
                  experts_per_token=r.int("num_experts_per_tok", 8),
                  moe_intermediate_size=fields["intermediate_size"])
    return fields


def _cohere2(r):
    # transformers src/transformers/models/cohere2/modeling_cohere2.py @ca095230eda56a13ead849509f02fbaaa9b3f0e0
    # and configuration_cohere2.py @eab64a0e0f16fdd51fe10d3702f4cf9c8c36f7ce: Cohere's parallel block (one
    # bias-free LayerNorm per layer, no q/k norms); the config class sets head_dim to hidden_size // heads
    # whatever config.json says.
    r = _Reader({key: value for key, value in r.config.items() if key != "head_dim"}, r.model_type)
    bias = r.bool("attention_bias", False)
    fields = _common(r, tie_default=True, norm_kind="layernorm-nobias", norms_per_layer=1, qkv_bias=bias,
                     o_bias=bias, window_default=4096)
    return _periodic_sliding(r, fields)


def _exaone4(r):
    # transformers src/transformers/models/exaone4/modeling_exaone4.py @948448a0267c036370ef15663ac42dc15fbfa682
    # and configuration_exaone4.py @f503927de04b3c1dd739a6c6af54e36f68b777d7: bias-free q/k/v/o with a head_dim
    # RMSNorm on q and on k, two norms per layer (after attention and after the MLP); a layer slides when its
    # layer_types entry says so and sliding_window is set.
    return _periodic_sliding(r, _common(r, tie_default=False, qk_norm="per-head", window_default=4096))


def _smollm3(r):
    # transformers src/transformers/models/smollm3/modeling_smollm3.py @b0fc62de0305fe2977549846eb8ba12048edadf3
    # and configuration_smollm3.py @6551e17f8b5c3d17840d6be0ee8ce40a3626c544: Llama's layers (attention_bias on
    # q/k/v/o, mlp_bias); layers without rotary embeddings (no_rope_layers) have the same weights. A layer slides
    # only when use_sliding_window is set and its layer_types entry says so; without layer_types, the layers
    # with no rotary embedding (no_rope_layers 0; by default every no_rope_layer_interval-th) are the sliding ones.
    config = {key: value for key, value in r.config.items() if key != "layer_types"}
    sliding = r.bool("use_sliding_window", False) and r.config.get("sliding_window") is not None
    if sliding and r.config.get("layer_types") is not None:
        config["layer_types"] = r.config["layer_types"]
    r = _Reader(config, r.model_type)
    bias = r.bool("attention_bias", False)
    fields = _common(r, tie_default=True, qkv_bias=bias, o_bias=bias, mlp_bias=r.bool("mlp_bias", False))
    if sliding and "layer_types" not in config:
        layers = fields["num_layers"]
        has_rope = r.config.get("no_rope_layers")
        if has_rope is None:
            interval = r.int("no_rope_layer_interval", 4)
            has_rope = [int((i + 1) % interval != 0) for i in range(layers)]
        elif not (isinstance(has_rope, list) and len(has_rope) == layers and all(v in (0, 1) for v in has_rope)
                  and not any(isinstance(v, bool) for v in has_rope)):
            raise CalculatorError(f"config.json (model_type 'smollm3'): 'no_rope_layers' must list 0 or 1 for each "
                                  f"of the {layers} layers", "no_rope_layers")
        if not all(has_rope):
            fields["sliding_window"] = r.int("sliding_window")
            fields["sliding_layers"] = tuple(not flag for flag in has_rope)
    return fields


def _gpt2(r):
    hidden = r.int("n_embd")
    heads = r.int("n_head")
    if hidden % heads:
        raise CalculatorError(f"config.json (model_type 'gpt2'): n_embd {hidden} is not a multiple of n_head {heads}",
                              "n_head")
    return dict(hidden_size=hidden, num_layers=r.int("n_layer"), num_attention_heads=heads, num_kv_heads=heads,
                head_dim=hidden // heads, intermediate_size=r.int("n_inner", 4 * hidden),
                vocab_size=r.int("vocab_size"), mlp_gated=False, tie_word_embeddings=r.bool("tie_word_embeddings", True),
                qkv_bias=True, o_bias=True, mlp_bias=True, norm_kind="layernorm",
                learned_position_embeddings=r.int("n_positions"))


def _gpt_neox(r):
    bias = r.bool("attention_bias", True)
    return _common(r, tie_default=False, norm_kind="layernorm", mlp_gated=False, qkv_bias=bias, o_bias=bias,
                   mlp_bias=True)


def _falcon(r):
    hidden = r.int("hidden_size")
    heads = r.int(("num_attention_heads", "n_head"))
    layers = r.int(("num_hidden_layers", "n_layer"))
    new_arch = r.bool("new_decoder_architecture", r.model_type == "RefinedWeb")
    if new_arch:
        kv_heads = r.int(("num_kv_heads", "n_head_kv"))
        norms = r.int("num_ln_in_parallel_attn", 2)
    else:
        kv_heads = 1 if r.bool("multi_query", True) else heads
        norms = 1 if r.bool("parallel_attn", True) else 2
    if hidden % heads:
        raise CalculatorError(f"config.json (model_type 'falcon'): hidden_size {hidden} is not a multiple of "
                              f"num_attention_heads {heads}", "num_attention_heads")
    bias = r.bool("bias", False)
    return dict(hidden_size=hidden, num_layers=layers, num_attention_heads=heads, num_kv_heads=kv_heads,
                head_dim=hidden // heads, intermediate_size=r.int("ffn_hidden_size", 4 * hidden),
                vocab_size=r.int("vocab_size"), mlp_gated=False,
                tie_word_embeddings=r.bool("tie_word_embeddings", True), qkv_bias=bias, o_bias=bias,
                mlp_bias=bias, norm_kind="layernorm", norms_per_layer=norms)


def _deepseek(r):
    if r.int("moe_layer_freq", 1) != 1:
        raise CalculatorError(f"config.json (model_type '{r.model_type}'): only moe_layer_freq 1 is supported",
                              "moe_layer_freq")
    rope, nope, v = r.int("qk_rope_head_dim"), r.int("qk_nope_head_dim"), r.int("v_head_dim")
    routed = r.int("n_routed_experts")
    shared = r.int("n_shared_experts", 0, minimum=0)
    moe_width = r.int("moe_intermediate_size")
    heads = r.int("num_attention_heads")
    return dict(
        hidden_size=r.int("hidden_size"), num_layers=r.int("num_hidden_layers"), num_attention_heads=heads,
        num_kv_heads=heads, head_dim=nope + rope, intermediate_size=r.int("intermediate_size"),
        vocab_size=r.int("vocab_size"), tie_word_embeddings=r.bool("tie_word_embeddings", False),
        num_experts=routed, experts_per_token=r.int("num_experts_per_tok"), moe_intermediate_size=moe_width,
        shared_expert_intermediate_size=shared * moe_width,
        first_dense_layers=r.int("first_k_dense_replace", 0, minimum=0),
        router_bias=r.config.get("topk_method", "noaux_tc" if r.model_type == "deepseek_v3" else "greedy")
        == "noaux_tc",
        q_lora_rank=r.optional_int("q_lora_rank"), kv_lora_rank=r.int("kv_lora_rank"),
        qk_nope_head_dim=nope, qk_rope_head_dim=rope, v_head_dim=v)


BUILDERS = {
    "llama": _llama,
    "mistral": _mistral,
    "mixtral": _mixtral,
    "qwen2": _qwen2,
    "qwen2_moe": _qwen2_moe,
    "qwen3": _qwen3,
    "qwen3_moe": _qwen3_moe,
    "gemma": _gemma,
    "gpt_oss": _gpt_oss,
    "granite": _granite,
    "starcoder2": _starcoder2,
    "cohere": _cohere,
    "stablelm": _stablelm,
    "gemma2": _gemma2,
    "gemma3_text": _gemma3_text,
    "phi3": _phi3,
    "falcon": _falcon,
    "RefinedWeb": _falcon,  # Falcon-40B's original remote-code model_type
    "RefinedWebModel": _falcon,  # Falcon-7B's
    "gpt2": _gpt2,
    "gpt_neox": _gpt_neox,
    "olmo": _olmo,
    "olmo2": _olmo2,
    "internlm2": _internlm2,
    "minicpm": _minicpm,
    "minicpm3": _minicpm3,
    "deepseek_v2": _deepseek,
    "deepseek_v3": _deepseek,
    "glm4_moe": _glm4_moe,
    "olmoe": _olmoe,
    "cohere2": _cohere2,
    "smollm3": _smollm3,
    "exaone4": _exaone4,
}

# Remote-code configs that name no model_type: transformers reads it from the config class auto_map points to
# (its class attribute model_type), as MiniCPM-2B's published config.json needs.
_REMOTE_CONFIG_CLASSES = {"configuration_internlm2.InternLM2Config": "internlm2",
                          "configuration_minicpm.MiniCPMConfig": "minicpm",
                          "configuration_minicpm.MiniCPM3Config": "minicpm3"}

# Wrappers whose language model lives under "text_config".
_TEXT_CONFIG_WRAPPERS = {"gemma3": "gemma3_text", "mistral3": "mistral", "llava": "llama"}


def architecture_from_config(config, name: str = "", source: str = "") -> Architecture:
    """An Architecture from a parsed config.json (a dict)."""
    if not isinstance(config, dict):
        raise CalculatorError("config.json must be a JSON object ({...})", "config")
    model_type = config.get("model_type")
    if model_type is None:
        model_type = _remote_model_type(config)
        if model_type:
            config = {**config, "model_type": model_type}
    wrapper = ""
    if model_type in _TEXT_CONFIG_WRAPPERS:
        wrapper = model_type
        text = config.get("text_config")
        if not isinstance(text, dict):
            raise CalculatorError(f"config.json (model_type '{model_type}') has no 'text_config' object",
                                  "text_config")
        config = dict(text)
        config.setdefault("model_type", _TEXT_CONFIG_WRAPPERS[model_type])
        model_type = config["model_type"]
    if model_type is None:
        raise CalculatorError("config.json has no 'model_type'", "model_type")
    builder = BUILDERS.get(model_type)
    if builder is None:
        raise CalculatorError(
            f"model_type {str(model_type)[:40]!r} is not supported; supported: {', '.join(sorted(BUILDERS))}",
            "model_type")
    fields = builder(_Reader(config, model_type))
    fields.setdefault("max_context", _max_context(config))
    label = name or config.get("_name_or_path") or model_type
    return Architecture(name=str(label)[:100], source=source, text_model_of=wrapper, model_type=model_type,
                        **fields)


def _remote_model_type(config: dict) -> str | None:
    """The model_type of the remote config class auto_map names ("repo--" prefixes allowed), None if unknown."""
    auto_map = config.get("auto_map")
    target = auto_map.get("AutoConfig") if isinstance(auto_map, dict) else None
    if not isinstance(target, str):
        return None
    return _REMOTE_CONFIG_CLASSES.get(target.split("--")[-1])


# Where configs state the longest context the model supports (GPT-2 says n_positions).
_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length")


def _max_context(config: dict) -> int:
    """The model's context limit from config.json, 0 when it states none."""
    for key in _CONTEXT_KEYS:
        if key in config and config[key] is not None:
            value = config[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise CalculatorError(f"config.json field '{key}' must be a positive whole number", key)
            return _check_limit(key, value, config.get("model_type", "?"))
    return 0


def architecture_from_json(text: str, name: str = "", source: str = "") -> Architecture:
    """An Architecture from config.json text; malformed JSON gets its line and column."""
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise CalculatorError(
            f"config.json is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            "config") from None
    except (TypeError, RecursionError):
        raise CalculatorError("config.json could not be read as JSON", "config") from None
    return architecture_from_config(config, name=name, source=source)
