import json

import pytest

from calculators import CalculatorError, architecture_from_config, architecture_from_json, count_parameters
from calculators.hf_config import BUILDERS
from calculators.preset_configs import PRESET_CONFIGS

LLAMA = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
         "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 100}

REQUIRED_BY_ISSUE = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
                     "gemma3_text", "phi3", "falcon", "gpt2", "gpt_neox", "olmo", "deepseek_v3"}


def test_every_required_model_type_is_supported():
    assert REQUIRED_BY_ISSUE <= set(BUILDERS)


def test_llama_defaults_follow_the_config_class(tiny_llama):
    arch = architecture_from_config(LLAMA)
    assert (arch.head_dim, arch.tie_word_embeddings, arch.qkv_bias) == (16, False, False)
    assert count_parameters(arch).total == count_parameters(tiny_llama).total


@pytest.mark.parametrize("key", ["hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                                 "vocab_size"])
def test_a_missing_key_is_named_with_the_model_type(key):
    config = {k: v for k, v in LLAMA.items() if k != key}
    with pytest.raises(CalculatorError) as error:
        architecture_from_config(config)
    assert key in str(error.value) and "'llama'" in str(error.value)
    assert error.value.field == key


@pytest.mark.parametrize("key, value", [("hidden_size", "4096"), ("hidden_size", -1), ("num_hidden_layers", 2.5),
                                        ("tie_word_embeddings", "yes"), ("vocab_size", True)])
def test_a_wrong_value_is_named(key, value):
    with pytest.raises(CalculatorError) as error:
        architecture_from_config({**LLAMA, key: value})
    assert error.value.field == key


@pytest.mark.parametrize("config, message", [
    ({"hidden_size": 1}, "no 'model_type'"),
    ({**LLAMA, "model_type": "mamba"}, "not supported"),
    ({**LLAMA, "model_type": "<script>alert(1)</script>" * 10}, "not supported"),
    ([1, 2], "JSON object"),
    ({"model_type": "gemma3", "text_config": "nope"}, "text_config"),
    ({**LLAMA, "num_key_value_heads": 3}, "multiple of num_kv_heads"),
    ({**LLAMA, "layer_types": ["full_attention"]}, "one entry per layer"),
    ({**LLAMA, "model_type": "qwen2_moe", "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 8,
      "shared_expert_intermediate_size": 8, "mlp_only_layers": [0]}, "every layer is MoE"),
    ({**LLAMA, "model_type": "olmoe", "head_dim": 32}, "sized from hidden_size"),
    ({**LLAMA, "model_type": "smollm3", "use_sliding_window": True, "sliding_window": 8, "no_rope_layers": [1]},
     "'no_rope_layers' must list 0 or 1 for each of the 2 layers"),
    ({**LLAMA, "model_type": "smollm3", "use_sliding_window": True, "sliding_window": 8, "no_rope_layers": [1, 2]},
     "'no_rope_layers' must list 0 or 1"),
    ({**LLAMA, "model_type": "cohere2", "sliding_window_pattern": 0}, "'sliding_window_pattern' must be a whole"),
    ({**LLAMA, "model_type": "exaone4", "sliding_window_pattern": "LLLG"},
     "'sliding_window_pattern' must be a whole number >= 1, not 'LLLG'"),
])
def test_configs_it_cannot_understand_get_a_clear_error(config, message):
    with pytest.raises(CalculatorError) as error:
        architecture_from_config(config)
    assert message in str(error.value)
    # short, whatever the config held; an unknown model_type's message also lists every supported type
    assert len(str(error.value).replace(", ".join(sorted(BUILDERS)), "")) < 400


@pytest.mark.parametrize("text, message", [("", "not valid JSON"), ("{", "line 1"), ("{'a': 1}", "not valid JSON"),
                                           ("[" * 100000 + "]" * 100000, "JSON")])
def test_malformed_json_is_reported(text, message):
    with pytest.raises(CalculatorError) as error:
        architecture_from_json(text)
    assert message in str(error.value)


def test_the_json_path_reads_a_published_config():
    arch = architecture_from_json(json.dumps(PRESET_CONFIGS["llama-3.1-8b"]["config"]))
    assert count_parameters(arch).total == 8_030_261_248


def test_gemma_ties_embeddings_by_default_and_keeps_head_dim():
    arch = architecture_from_config({**LLAMA, "model_type": "gemma", "head_dim": 32})
    assert arch.tie_word_embeddings and arch.head_dim == 32 and arch.query_width == 4 * 32


def test_gemma2_alternates_sliding_layers_and_has_four_norms():
    arch = architecture_from_config({**LLAMA, "model_type": "gemma2", "num_hidden_layers": 4, "sliding_window": 16})
    assert arch.sliding_layers == (True, False, True, False)
    assert arch.norms_per_layer == 4


def test_gemma3_every_sixth_layer_is_global():
    arch = architecture_from_config({**LLAMA, "model_type": "gemma3_text", "num_hidden_layers": 12,
                                     "sliding_window": 8, "sliding_window_pattern": 6})
    assert [i for i, sliding in enumerate(arch.sliding_layers) if not sliding] == [5, 11]
    assert arch.qk_norm == "per-head"


def test_layer_types_take_precedence():
    arch = architecture_from_config({**LLAMA, "model_type": "gemma3_text", "sliding_window": 8,
                                     "layer_types": ["full_attention", "sliding_attention"]})
    assert arch.sliding_layers == (False, True)


def test_gemma3_wrapper_reads_text_config():
    arch = architecture_from_config({"model_type": "gemma3", "text_config": {**LLAMA, "model_type": "gemma3_text",
                                                                             "sliding_window": 4,
                                                                             "sliding_window_pattern": 2}})
    assert arch.sliding_layers == (True, False)


def test_mistral_window_default_and_null():
    config = {**LLAMA, "model_type": "mistral"}
    assert architecture_from_config(config).sliding_window == 4096  # MistralConfig's class default
    assert architecture_from_config({**config, "sliding_window": None}).sliding_layers == ()


def test_qwen2_sliding_only_when_enabled():
    config = {**LLAMA, "model_type": "qwen2", "sliding_window": 32, "max_window_layers": 1}
    assert architecture_from_config(config).sliding_layers == ()
    assert architecture_from_config({**config, "use_sliding_window": True}).sliding_layers == (False, True)
    assert architecture_from_config(config).qkv_bias and not architecture_from_config(config).o_bias


def test_gpt_neox_is_ungated_with_biases_and_layer_norms():
    arch = architecture_from_config({**LLAMA, "model_type": "gpt_neox", "num_key_value_heads": 4})
    h, i, layers = 64, 128, 2
    per_layer = 4 * h * h + 4 * h + 2 * h * i + i + h + 2 * 2 * h
    assert count_parameters(arch).total == layers * per_layer + 2 * h + 2 * 100 * h


def test_olmo_layer_norm_has_no_parameters():
    arch = architecture_from_config({**LLAMA, "model_type": "olmo"})
    assert count_parameters(arch).by_part["norms"] == 0


def test_olmo2_normalises_whole_q_and_k():
    arch = architecture_from_config({**LLAMA, "model_type": "olmo2"})
    attention_vectors = sum(g.numel for g in arch.tensors() if g.part == "attention" and not g.is_matrix)
    assert attention_vectors == 2 * (64 + 32)


def test_falcon_old_and_new_decoder_architectures():
    old = architecture_from_config({"model_type": "RefinedWebModel", "hidden_size": 64, "n_head": 4, "n_layer": 2,
                                    "multi_query": True, "parallel_attn": True, "vocab_size": 100})
    assert (old.num_kv_heads, old.norms_per_layer, old.intermediate_size, old.tie_word_embeddings) == (1, 1, 256, True)
    new = architecture_from_config({"model_type": "falcon", "hidden_size": 64, "num_attention_heads": 4,
                                    "num_hidden_layers": 2, "new_decoder_architecture": True, "num_kv_heads": 2,
                                    "vocab_size": 100})
    assert (new.num_kv_heads, new.norms_per_layer) == (2, 2)


def test_deepseek_v2_without_q_compression():
    config = {"model_type": "deepseek_v2", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
              "intermediate_size": 128, "vocab_size": 100, "q_lora_rank": None, "kv_lora_rank": 16,
              "qk_nope_head_dim": 8, "qk_rope_head_dim": 4, "v_head_dim": 8, "n_routed_experts": 8,
              "n_shared_experts": 2, "moe_intermediate_size": 16, "num_experts_per_tok": 2,
              "first_k_dense_replace": 1}
    arch = architecture_from_config(config)
    names = {g.name for g in arch.tensors()}
    assert "q_proj" in names and "q_a_proj" not in names
    assert not arch.router_bias and arch.shared_expert_intermediate_size == 32 and arch.first_dense_layers == 1


@pytest.mark.parametrize("field, value", [("num_hidden_layers", 10 ** 12), ("hidden_size", 10 ** 9),
                                          ("vocab_size", 10 ** 15), ("intermediate_size", 1 << 40),
                                          ("num_attention_heads", 1 << 20), ("max_position_embeddings", 1 << 40)])
def test_an_absurd_size_is_refused_naming_its_field(field, value):
    from calculators.hf_config import FIELD_LIMITS

    with pytest.raises(CalculatorError) as error:
        architecture_from_config({**LLAMA, field: value})
    assert error.value.field == field and f"'{field}' is {value:,}" in str(error.value)
    assert f"at most {FIELD_LIMITS[field]:,}" in str(error.value)
    architecture_from_config({**LLAMA, field: FIELD_LIMITS[field]} if field in ("max_position_embeddings",
                                                                                  "vocab_size") else LLAMA)


@pytest.mark.parametrize("model_type, field, value", [
    ("glm4_moe", "n_routed_experts", 1 << 20), ("glm4_moe", "n_shared_experts", 1 << 20),
    ("glm4_moe", "first_k_dense_replace", 1 << 11), ("olmoe", "num_experts", 1 << 20),
    ("cohere2", "sliding_window_pattern", 1 << 11), ("cohere2", "sliding_window", 1 << 40),
    ("smollm3", "no_rope_layer_interval", 1 << 11), ("exaone4", "sliding_window_pattern", 1 << 11)])
def test_the_newer_model_types_bound_their_own_fields(model_type, field, value):
    from calculators.hf_config import FIELD_LIMITS

    config = {**LLAMA, "model_type": model_type, "use_sliding_window": True, "sliding_window": 8, field: value}
    with pytest.raises(CalculatorError) as error:
        architecture_from_config(config)
    assert error.value.field == field and f"at most {FIELD_LIMITS[field]:,}" in str(error.value)


def test_every_preset_is_well_inside_the_field_limits():
    from calculators.hf_config import FIELD_LIMITS
    from calculators.preset_configs import PRESET_CONFIGS

    for name, entry in PRESET_CONFIGS.items():
        configs = [entry["config"]] + ([entry["config"]["text_config"]] if "text_config" in entry["config"] else [])
        for config in configs:
            for field, limit in FIELD_LIMITS.items():
                value = config.get(field)
                if isinstance(value, int) and not isinstance(value, bool):
                    assert value * 4 <= limit or field in ("max_window_layers",), (name, field, value)
