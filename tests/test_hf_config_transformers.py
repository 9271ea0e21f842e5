"""The config.json importer against transformers itself: for each model type, a config as save_pretrained
writes it (keys equal to the class default left out) gives the calculators the parameter count of the model
transformers builds from it, on the meta device (no memory, no weights)."""

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from calculators import count_parameters  # noqa: E402
from calculators.hf_config import architecture_from_config  # noqa: E402

SMALL = dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=8, num_key_value_heads=2,
             intermediate_size=512, vocab_size=1000)

# (model_type, settings beyond SMALL); each row exercises a switch of that type's layers.
CASES = [
    ("granite", {}),
    ("granite", {"attention_bias": True, "mlp_bias": True, "tie_word_embeddings": True}),
    ("starcoder2", {}),
    ("starcoder2", {"use_bias": False, "sliding_window": 64, "tie_word_embeddings": False}),
    ("cohere", {}),
    ("cohere", {"use_qk_norm": True, "attention_bias": True}),
    ("stablelm", {}),
    ("stablelm", {"use_qkv_bias": True, "qk_layernorm": True, "use_parallel_residual": True}),
    ("gpt_oss", {"num_local_experts": 4, "num_experts_per_tok": 2, "head_dim": 32,
                 "layer_types": ["sliding_attention", "full_attention"] * 2}),
    ("llama", {"attention_bias": True}),
    ("qwen3", {"head_dim": 48}),
    ("gemma2", {"head_dim": 32}),
    ("gemma3_text", {"head_dim": 32}),
    ("mistral", {"sliding_window": 128}),
    ("mixtral", {"num_local_experts": 4, "num_experts_per_tok": 2}),
    ("qwen2", {}),
    ("qwen2_moe", {"num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 64,
                   "shared_expert_intermediate_size": 128}),
    ("qwen3_moe", {"num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 64}),
    ("phi3", {"pad_token_id": None}),
    ("olmo2", {}),
    ("glm4_moe", {"head_dim": 48, "n_routed_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 64}),
    ("glm4_moe", {"head_dim": 48, "n_routed_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 64,
                  "n_shared_experts": 2, "first_k_dense_replace": 2, "attention_bias": True, "use_qk_norm": True}),
    ("olmoe", {"num_experts": 4, "num_experts_per_tok": 2}),
    ("olmoe", {"num_experts": 4, "num_experts_per_tok": 2, "attention_bias": True, "tie_word_embeddings": True}),
    ("cohere2", {}),
    ("cohere2", {"sliding_window": 64, "layer_types": ["full_attention", "sliding_attention"] * 2,
                 "attention_bias": True, "tie_word_embeddings": False}),
    ("exaone4", {"head_dim": 48}),
    ("exaone4", {"sliding_window": 64, "layer_types": ["sliding_attention", "full_attention"] * 2,
                 "tie_word_embeddings": True}),
    ("minicpm3", {"kv_lora_rank": 32, "q_lora_rank": 48, "qk_nope_head_dim": 16, "qk_rope_head_dim": 16}),
    ("minicpm3", {"kv_lora_rank": 32, "q_lora_rank": 48, "qk_nope_head_dim": 16, "qk_rope_head_dim": 16,
                  "v_head_dim": 24, "attention_bias": True, "mlp_bias": True, "tie_word_embeddings": False}),
    ("minicpm3", {"kv_lora_rank": 32, "q_lora_rank": None, "qk_nope_head_dim": 16, "qk_rope_head_dim": 16,
                  "attention_bias": True}),
    ("smollm3", {"pad_token_id": None}),
    ("smollm3", {"pad_token_id": None, "use_sliding_window": True, "sliding_window": 64, "attention_bias": True, "mlp_bias": True,
                 "tie_word_embeddings": False}),
]


def _parameters(model) -> int:
    """Parameters (tied ones once) plus the buffers a checkpoint stores (GLM-4.5's router score bias)."""
    saved = model.state_dict().keys()
    stored_buffers = sum(buffer.numel() for name, buffer in model.named_buffers() if name in saved)
    return sum(parameter.numel() for parameter in model.parameters()) + stored_buffers


@pytest.mark.parametrize("model_type, settings", CASES,
                         ids=[f"{model_type}-{i}" for i, (model_type, _) in enumerate(CASES)])
def test_a_saved_config_gives_the_parameters_transformers_builds(model_type, settings):
    config = transformers.AutoConfig.for_model(model_type, **SMALL, **settings)
    defaults = type(config)().to_dict()
    # A config.json may leave out what equals the class default (older save_pretrained did, for keys the base
    # class also has); the importer must supply those defaults. The sizes given here are always written.
    saved = {key: value for key, value in config.to_dict().items()
             if key in SMALL or key in settings or key not in defaults or defaults[key] != value}
    saved["model_type"] = model_type
    with torch.device("meta"):
        model = transformers.AutoModelForCausalLM.from_config(config)
    assert count_parameters(architecture_from_config(saved)).total == _parameters(model)


def _windows(model) -> list:
    return [getattr(layer.self_attn, "sliding_window", None) for layer in model.model.layers]


# Sliding windows as the attention layers transformers builds keep them, for the types whose configs can mix
# sliding and global layers; older releases wrote no layer_types, and the importer must derive the same pattern
# the config class does (Command R7B's and EXAONE 4.0's sliding_window_pattern; SmolLM3's NoPE layers).
SLIDING_CASES = [case for case in CASES if case[0] in ("cohere2", "smollm3", "exaone4")] + [
    ("exaone4", {"num_hidden_layers": 8, "sliding_window": 64, "sliding_window_pattern": 4}),
    ("exaone4", {"num_hidden_layers": 8, "sliding_window": 64, "sliding_window_pattern": 3}),
    ("exaone4", {"num_hidden_layers": 8, "sliding_window": None, "layer_types": ["sliding_attention"] * 8}),
    ("cohere2", {"num_hidden_layers": 8, "sliding_window": 64, "sliding_window_pattern": 4}),
    ("cohere2", {"num_hidden_layers": 8, "sliding_window": 64, "sliding_window_pattern": 2}),
    ("cohere2", {"num_hidden_layers": 8}),
    ("cohere2", {"num_hidden_layers": 8, "sliding_window": None}),
    ("smollm3", {"num_hidden_layers": 8, "use_sliding_window": True, "sliding_window": 64, "pad_token_id": None}),
    ("smollm3", {"num_hidden_layers": 8, "use_sliding_window": True, "sliding_window": 64, "pad_token_id": None,
                 "no_rope_layers": [1, 0, 1, 1, 0, 1, 1, 0]}),
    ("smollm3", {"num_hidden_layers": 8, "use_sliding_window": False, "sliding_window": 64, "pad_token_id": None,
                 "layer_types": ["sliding_attention", "full_attention"] * 4}),
]


@pytest.mark.parametrize("model_type, settings", SLIDING_CASES,
                         ids=[f"{model_type}-{i}" for i, (model_type, _) in enumerate(SLIDING_CASES)])
def test_sliding_layers_are_those_transformers_builds(model_type, settings):
    given = {**SMALL, **settings}
    config = transformers.AutoConfig.for_model(model_type, **given)
    with torch.device("meta"):
        model = transformers.AutoModelForCausalLM.from_config(config)
    # EXAONE 4.0 keeps the window on every layer and flags the sliding ones with is_sliding.
    windows = [layer.self_attn.sliding_window if getattr(layer.self_attn, "is_sliding", True) else None
               for layer in model.model.layers]
    arch = architecture_from_config({**given, "model_type": model_type})
    assert [arch.layer_is_sliding(i) for i in range(arch.num_layers)] == [w is not None for w in windows]
    assert {w for w in windows if w is not None} <= {arch.sliding_window}
