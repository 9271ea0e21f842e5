"""The presets against what their publishers say about them.

Checkpoint sizes are `metadata.total_size` of each model's published
model.safetensors.index.json (tensor bytes of the 16-bit checkpoint); the
source of every figure is stored beside it in calculators/preset_configs.py.
"""

import pytest

from calculators import PRESETS, count_parameters, weight_bytes, weight_format

WITH_CHECKPOINT = [p for p in PRESETS.values() if p.checkpoint_total_size]

# pytorch_model.bin.index.json sums the size of every key, and a tied lm_head is a
# second key for the embedding matrix, so the published total counts it twice.
TIED_COUNTED_TWICE = {"falcon-7b"}


def test_at_least_25_presets_across_families():
    assert len(PRESETS) >= 25
    families = {p.architecture.name.split()[0] for p in PRESETS.values()}
    assert {"Llama", "Mistral", "Mixtral", "Qwen2.5", "Qwen3", "Gemma", "Phi-3", "DeepSeek-V3", "Falcon",
            "GPT-2"} <= families


@pytest.mark.parametrize("preset", PRESETS.values(), ids=lambda p: p.id)
def test_every_preset_names_its_source(preset):
    assert preset.config_source and preset.hf_repo in preset.architecture.source
    if preset.checkpoint_total_size:
        assert preset.checkpoint_source


def test_enough_presets_have_a_published_checkpoint_size():
    assert len(WITH_CHECKPOINT) >= 8


@pytest.mark.parametrize("preset", WITH_CHECKPOINT, ids=lambda p: p.id)
def test_bf16_weights_match_the_published_checkpoint_size(preset):
    arch = preset.architecture
    predicted = weight_bytes(arch, weight_format("bf16")).total_bytes
    if preset.id in TIED_COUNTED_TWICE:
        assert arch.tie_word_embeddings
        predicted += 2 * arch.vocab_size * arch.hidden_size
    assert predicted == pytest.approx(preset.checkpoint_total_size, rel=1e-3), preset.checkpoint_source


# Parameter counts the publishers print on their model cards. Publishers round or
# truncate, so a count may sit up to one printed unit from the figure.
_HUB_COUNT = ("AlexsJones/llmfit llmfit-core/data/hf_models.json @a3e0eb27c57fe05298292f4c61699b9aed2824ea "
              "(parameters_raw: the Hub API's safetensors total, scripts/scrape_hf_models.py)")
PUBLISHED_PARAMS = [
    # (preset, total, active or None, digits printed after the point in billions, source)
    ("deepseek-v3", 671e9, 37e9, 0, "deepseek-ai/DeepSeek-V3 README: 671B total, 37B activated"),
    ("qwen3-8b", 8.2e9, None, 1, "Qwen/Qwen3-8B model card: Number of Parameters 8.2B"),
    ("qwen3-32b", 32.8e9, None, 1, "Qwen/Qwen3-32B model card: 32.8B"),
    ("qwen3-30b-a3b", 30.5e9, 3.3e9, 1, "Qwen/Qwen3-30B-A3B model card: 30.5B total, 3.3B activated"),
    ("qwen3-235b-a22b", 235e9, 22e9, 0, "Qwen/Qwen3-235B-A22B model card: 235B total, 22B activated"),
    ("qwen2.5-7b", 7.61e9, None, 2, "Qwen/Qwen2.5-7B model card: 7.61B"),
    ("qwen2.5-0.5b", 0.49e9, None, 2, "Qwen/Qwen2.5-0.5B model card: 0.49B"),
    ("qwen2.5-72b-instruct", 72.7e9, None, 1, "Qwen/Qwen2.5-72B-Instruct model card: 72.7B"),
    ("pythia-6.9b", 6_857_302_016, None, 9, "EleutherAI/pythia README, model table: 6,857,302,016 parameters"),
    ("qwen2.5-72b-instruct", 72_706_203_648, None, 9, "model report of Qwen2.5-72B-Instruct's safetensors (see preset)"),
    ("mixtral-8x7b", 47e9, 13e9, 0, "Mistral AI, Mixtral of experts (arXiv 2401.04088): 47B total, 13B active"),
    ("internlm2.5-7b-chat", 7.74e9, None, 2, "Hugging Face's safetensors count of internlm2_5-7b-chat's weights, "
     "'Model size 7.74B params' (https://huggingface.co/xiaoxishui/internlm2_5-7b-chat, a copy of the checkpoint)"),
    ("internlm2.5-7b-chat", 7e9, None, 0, "InternLM/InternLM model_cards/internlm2.5_7b.md "
     "@28707dc28a42c2c8a3d450a9d3a877b5e1fc5236: 'a 7 billion parameter base model and a chat model'"),
    ("smollm3-3b", 3e9, None, 0, "HuggingFaceTB/SmolLM3-3B model card (copy: fetchwiki/HuggingFaceTB-SmolLM3-3B "
     "README.md @24f7882f92998ee0e691d105ade637afc3e5171f): 'SmolLM3 is a 3B parameter language model'"),
    ("olmoe-1b-7b-0125-instruct", 6.9e9, 1.3e9, 1, "allenai/OLMoE README.md @019a4431607c3723aa23de0558d3949ec73f960b: "
     "'1.3 billion active and 6.9 billion total parameters'"),
    ("stablelm-3b-4e1t", 2_795_443_200, None, 9, "Stability-AI/StableLM README.md "
     "@e60081c81430e5ca9b2f1276978a37583a92bfe4, StableLM-3B-4E1T: 2,795,443,200 parameters"),
    ("starcoder2-7b", 7e9, None, 0, "Lozhkov et al., StarCoder 2 and The Stack v2 (arXiv 2402.19173): StarCoder2-7B"),
    ("aya-23-8b", 8e9, None, 0, "Aryabumi et al., Aya 23 (arXiv 2405.15032): Aya 23 8B"),
    # The Hub API's count of the tensors in the safetensors files (safetensors.total), as a scraper recorded it.
    ("granite-3.3-8b-instruct", 8_170_864_640, None, 9, _HUB_COUNT),
    ("exaone-4.0-32b", 32_003_216_384, None, 9, _HUB_COUNT),
]


@pytest.mark.parametrize("preset_id, total, active, digits, source", PUBLISHED_PARAMS,
                         ids=[row[0] for row in PUBLISHED_PARAMS])
def test_parameter_counts_round_to_the_published_figures(preset_id, total, active, digits, source):
    counts = count_parameters(PRESETS[preset_id].architecture)
    unit = 10 ** (9 - digits)
    assert abs(counts.total - total) < unit, source
    if active is not None:
        assert abs(counts.active - active) < unit, source


# gpt-oss ships its experts in MXFP4 and the rest in bf16. Its model card (arXiv 2508.10925, Table 1) prints
# parameters to two decimals in billions, active parameters without the embedding table, and checkpoint sizes
# in GiB to one decimal.
GPT_OSS = [("gpt-oss-20b", 20.91e9, 3.61e9, 12.8), ("gpt-oss-120b", 116.83e9, 5.13e9, 60.8)]


@pytest.mark.parametrize("preset_id, total, active, checkpoint_gib", GPT_OSS, ids=[row[0] for row in GPT_OSS])
def test_gpt_oss_matches_its_model_card(preset_id, total, active, checkpoint_gib):
    arch = PRESETS[preset_id].architecture
    counts = count_parameters(arch)
    assert abs(counts.total - total) <= 0.005e9
    assert abs(counts.active - counts.by_part["embedding"] - active) <= 0.005e9
    checkpoint = weight_bytes(arch, weight_format("mxfp4-experts")).total_bytes / 2 ** 30
    assert abs(checkpoint - checkpoint_gib) <= 0.05
    assert arch.attention_sinks and arch.num_sliding_layers == arch.num_layers // 2 and arch.sliding_window == 128


# Sizes of the published safetensors shards: each is an 8-byte length, a JSON header naming every tensor, and the
# tensor bytes, so the shards exceed the bf16 weights by the headers alone (a few hundred bytes a tensor).
SAFETENSORS_SHARDS = [
    ("smollm3-3b", (4_966_315_264, 1_183_919_744), "fetchwiki/HuggingFaceTB-SmolLM3-3B model_files.json "
     "@24f7882f92998ee0e691d105ade637afc3e5171f"),
]


@pytest.mark.parametrize("preset_id, shard_bytes, source", SAFETENSORS_SHARDS, ids=[row[0] for row in SAFETENSORS_SHARDS])
def test_bf16_weights_fill_the_published_shards_but_their_headers(preset_id, shard_bytes, source):
    arch = PRESETS[preset_id].architecture
    weights = weight_bytes(arch, weight_format("bf16")).total_bytes
    assert weights == 2 * count_parameters(arch).total
    tensors = sum(group.count for group in arch.tensors())
    headers = sum(shard_bytes) - weights
    assert 8 * len(shard_bytes) < headers < 300 * tensors, source
