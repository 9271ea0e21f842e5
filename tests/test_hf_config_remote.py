"""Importers of remote-code model types (shipped with the checkpoints, not with transformers): layer shapes counted
by hand from their modeling code, and presets against the parameter counts their publishers print."""

import pytest

from model_configs import MINICPM3_4B

from calculators import CalculatorError, architecture_from_config, count_parameters, preset_architecture, \
    weight_bytes, weight_format

SMALL = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "intermediate_size": 128, "vocab_size": 100}
H, I, LAYERS, KV_WIDTH = 64, 128, 2, 2 * 16


def test_internlm2_biases_follow_the_bias_key_whose_class_default_is_true():
    # wqkv (64 + 2 * 32, 64) and wo (64, 64); w1, w3 (128, 64) and w2 (64, 128); two RMSNorms per layer.
    matrices = (H + 2 * KV_WIDTH) * H + H * H + 3 * H * I
    norms = 2 * H
    embeddings = 2 * 100 * H  # untied by default
    unbiased = architecture_from_config({**SMALL, "model_type": "internlm2", "bias": False})
    assert count_parameters(unbiased).total == LAYERS * (matrices + norms) + H + embeddings
    biased = architecture_from_config({**SMALL, "model_type": "internlm2"})
    assert count_parameters(biased).total - count_parameters(unbiased).total == LAYERS * (H + 2 * KV_WIDTH + H)


def test_internlm2_takes_head_dim_from_the_hidden_size_whatever_the_config_says():
    arch = architecture_from_config({**SMALL, "model_type": "internlm2", "head_dim": 48})
    assert arch.head_dim == 16


def test_minicpm_ties_embeddings_by_default_and_can_be_a_mixture_of_experts():
    dense = architecture_from_config({**SMALL, "model_type": "minicpm"})
    assert dense.tie_word_embeddings and not dense.qkv_bias
    assert count_parameters(dense).total == LAYERS * ((H + 2 * KV_WIDTH + H) * H + 3 * H * I + 2 * H) + H + 100 * H
    moe = architecture_from_config({**SMALL, "model_type": "minicpm", "num_experts": 8, "num_experts_per_tok": 2})
    assert (moe.num_experts, moe.experts_per_token, moe.moe_intermediate_size) == (8, 2, I)
    assert count_parameters(moe).by_part["router"] == LAYERS * 8 * H


@pytest.mark.parametrize("auto_config, model_type", [
    ("configuration_minicpm.MiniCPMConfig", "minicpm"),
    ("openbmb/MiniCPM-1B-sft-bf16--configuration_minicpm.MiniCPMConfig", "minicpm"),
    ("configuration_internlm2.InternLM2Config", "internlm2"),
])
def test_a_config_without_model_type_takes_it_from_its_config_class(auto_config, model_type):
    arch = architecture_from_config({**SMALL, "auto_map": {"AutoConfig": auto_config}})
    assert arch.model_type == model_type


@pytest.mark.parametrize("config", [{**SMALL, "auto_map": {"AutoConfig": "configuration_x.XConfig"}},
                                    {**SMALL, "auto_map": "configuration_minicpm.MiniCPMConfig"}])
def test_an_unknown_config_class_still_asks_for_model_type(config):
    with pytest.raises(CalculatorError, match="no 'model_type'"):
        architecture_from_config(config)


@pytest.mark.parametrize("field, value", [("num_experts", 10 ** 9), ("num_hidden_layers", 10 ** 6)])
def test_remote_code_fields_are_bounded(field, value):
    with pytest.raises(CalculatorError) as error:
        architecture_from_config({**SMALL, "model_type": "minicpm", "num_experts_per_tok": 2, field: value})
    assert error.value.field == field


# The MiniCPM paper (Hu et al., arXiv 2404.06395, Table 2) prints the non-embedding parameters exactly.
MINICPM_NON_EMBEDDING = [("minicpm-2b-sft", 2_442_057_984), ("minicpm-1b-sft", 1_247_442_432)]


@pytest.mark.parametrize("preset_id, non_embedding", MINICPM_NON_EMBEDDING, ids=[r[0] for r in MINICPM_NON_EMBEDDING])
def test_minicpm_presets_have_the_papers_non_embedding_parameters(preset_id, non_embedding):
    arch = preset_architecture(preset_id)
    counts = count_parameters(arch)
    assert arch.tie_word_embeddings and counts.by_part["lm_head"] == 0
    assert counts.total - counts.by_part["embedding"] == non_embedding


@pytest.mark.parametrize("preset_id", ["internlm2.5-7b-chat", "minicpm-2b-sft", "minicpm-1b-sft"])
def test_bf16_bytes_are_twice_the_parameters(preset_id):
    arch = preset_architecture(preset_id)
    assert weight_bytes(arch, weight_format("bf16")).total_bytes == 2 * count_parameters(arch).total


def test_internlm2_5_7b_counts_its_fused_qkv_and_untied_head():
    arch = preset_architecture("internlm2.5-7b-chat")
    counts = count_parameters(arch)
    # per layer: wqkv 4096 x (32 + 2 * 8) * 128, wo 4096 x 4096, three 4096 x 14336 MLP matrices, two norms
    per_layer = 4096 * 48 * 128 + 4096 * 4096 + 3 * 4096 * 14336 + 2 * 4096
    assert counts.total == 32 * per_layer + 4096 + 2 * 92544 * 4096


def test_minicpm3_is_latent_attention_with_a_dense_mlp_and_tied_embeddings():
    arch = architecture_from_config(MINICPM3_4B)
    assert arch.model_type == "minicpm3" and arch.is_mla and not arch.is_moe and arch.tie_word_embeddings
    assert (arch.v_head_dim, arch.head_dim) == (64, 96)
    # transformers' MiniCPM3Config defaults are this checkpoint's; the model it builds from them on the meta
    # device has 4,073,875,968 parameters (tests/test_hf_config_transformers.py checks the importer against it
    # at small sizes); in bf16 that is the 8.15 GB pytorch_model.bin openbmb/MiniCPM3-4B publishes.
    assert count_parameters(arch).total == 4_073_875_968
