import pytest

from model_configs import MINICPM3_4B

from calculators import Architecture, CalculatorError, kv_bytes_per_token, kv_cache_bytes, kv_format, \
    preset_architecture
from calculators.hf_config import architecture_from_config
from calculators.records import replace

BF16 = kv_format("bf16")


@pytest.mark.parametrize("preset_id, expected", [
    ("llama-2-7b", 32 * 2 * 32 * 128 * 2),  # MHA: 32 layers, K and V, 32 heads x 128
    ("llama-3.1-8b", 32 * 2 * 8 * 128 * 2),  # GQA: 8 KV heads
    ("llama-3.1-70b", 80 * 2 * 8 * 128 * 2),
    ("falcon-7b", 32 * 2 * 1 * 64 * 2),  # MQA: one KV head of 64
    ("mistral-nemo-12b", 40 * 2 * 8 * 128 * 2),  # head_dim 128, not 5120 / 32
    ("deepseek-v3", 61 * (512 + 64) * 2),  # MLA: latent 512 + rope key 64
    ("gemma-2-9b", 42 * 2 * 8 * 256 * 2),
])
def test_bytes_per_token_exact(preset_id, expected):
    assert kv_bytes_per_token(preset_architecture(preset_id), BF16) == expected


def test_total_is_per_token_times_context_and_batch_without_windows():
    arch = preset_architecture("llama-3.1-8b")
    result = kv_cache_bytes(arch, BF16, context=8192, batch=4)
    assert result.total_bytes == 4 * 8192 * 131072
    assert result.sliding_layers == 0


def test_mistral_v01_keeps_only_the_window_on_every_layer():
    arch = preset_architecture("mistral-7b-v0.1")
    assert kv_cache_bytes(arch, BF16, 10_000).total_bytes == 4096 * 131072
    assert kv_cache_bytes(arch, BF16, 1000).total_bytes == 1000 * 131072


def test_gemma2_half_the_layers_slide():
    arch = preset_architecture("gemma-2-9b")
    per_layer_token = 2 * 8 * 256 * 2
    result = kv_cache_bytes(arch, BF16, 8192)
    assert result.total_bytes == per_layer_token * (21 * 8192 + 21 * 4096)
    assert (result.sliding_layers, result.full_layers) == (21, 21)


def test_gemma3_five_of_six_layers_slide():
    arch = preset_architecture("gemma-3-1b")
    assert arch.num_layers == 26 and arch.sliding_window == 512
    global_layers = [i for i in range(26) if not arch.layer_is_sliding(i)]
    assert global_layers == [5, 11, 17, 23]
    per_layer_token = 2 * arch.num_kv_heads * arch.head_dim * 2
    assert kv_cache_bytes(arch, BF16, 32768).total_bytes == per_layer_token * (4 * 32768 + 22 * 512)


def test_paging_rounds_each_layer_up_to_whole_blocks():
    arch = preset_architecture("llama-3.1-8b")
    assert kv_cache_bytes(arch, BF16, 17, block_size=16).total_bytes == 32 * 131072
    assert kv_cache_bytes(arch, BF16, 32, block_size=16).total_bytes == 32 * 131072


def test_quantized_formats():
    arch = preset_architecture("llama-3.1-8b")
    assert kv_bytes_per_token(arch, kv_format("fp8-e4m3")) == 131072 // 2
    # fp8-e4m3 adds one fp32 k_scale and v_scale per layer, shared by every sequence.
    assert kv_cache_bytes(arch, kv_format("fp8-e4m3"), 100, 3).total_bytes == 3 * 100 * 65536 + 32 * 8
    # int8: one fp16 scale per token and head: 8 heads x (128 + 2) bytes, K and V, 32 layers.
    assert kv_bytes_per_token(arch, kv_format("int8")) == 32 * 2 * 8 * (128 + 2)
    # int4, groups of 64 with fp16 scale and zero: 128 * 4 / 8 + 2 * (2 + 2) bytes per head.
    assert kv_bytes_per_token(arch, kv_format("int4-g64")) == 32 * 2 * 8 * (64 + 8)


def test_quantized_cache_keeps_a_16_bit_residual():
    arch = preset_architecture("llama-3.1-8b")
    int4 = kv_format("int4-g64")
    assert kv_cache_bytes(arch, int4, 100).total_bytes == 100 * 131072  # all still in the 16-bit residual
    assert kv_cache_bytes(arch, int4, 1127).total_bytes == 127 * 131072 + 1000 * 32 * 2 * 8 * 72


@pytest.mark.parametrize("kwargs, field", [({"context": 0}, "context"), ({"context": -5}, "context"),
                                           ({"context": 1.5}, "context"), ({"context": float("nan")}, "context"),
                                           ({"context": 1e308}, "context"), ({"context": "4096"}, "context"),
                                           ({"batch": 0}, "batch"), ({"block_size": -1}, "block_size")])
def test_bad_input(kwargs, field):
    arch = preset_architecture("llama-3.1-8b")
    args = {"context": 4096, "batch": 1, **kwargs}
    with pytest.raises(CalculatorError) as error:
        kv_cache_bytes(arch, BF16, **args)
    assert error.value.field == field


def test_mqa_uses_one_head():
    arch = Architecture(name="mqa", hidden_size=64, num_layers=3, num_attention_heads=8, num_kv_heads=1,
                        head_dim=8, intermediate_size=64, vocab_size=10)
    assert kv_bytes_per_token(arch, BF16) == 3 * 2 * 8 * 2


# Phi-3-mini-4k: 32 layers, 32 KV heads of 96, sliding_window 2047 with no list of sliding layers.
PHI3_PER_TOKEN = 32 * 2 * 32 * 96 * 2


def test_vllm_slides_every_phi3_layer_over_the_configs_window():
    arch = preset_architecture("phi-3-mini-4k")
    result = kv_cache_bytes(arch, BF16, context=4096, engine="vllm")
    assert (result.sliding_layers, result.full_layers) == (32, 0)
    assert result.total_bytes == 2047 * PHI3_PER_TOKEN
    assert "vllm/engine/arg_utils.py @" in result.window_rule and result.engine == "vllm"
    assert kv_cache_bytes(arch, BF16, context=4096) == result  # vLLM is the default


def test_llama_cpp_caches_the_whole_context_on_every_phi3_layer():
    arch = preset_architecture("phi-3-mini-4k")
    result = kv_cache_bytes(arch, BF16, context=4096, engine="llama.cpp")
    assert (result.sliding_layers, result.full_layers) == (0, 32)
    assert result.total_bytes == 4096 * PHI3_PER_TOKEN
    assert "llama.cpp/pull/13676" in result.window_rule


# Mistral 7B v0.1: 32 layers, 8 KV heads of 128, sliding_window 4096; StarCoder2-7B: 32 layers, 4 KV heads of 128,
# sliding_window 4096. Neither config lists which layers slide.
@pytest.mark.parametrize("preset_id, per_token, loader", [
    ("mistral-7b-v0.1", 32 * 2 * 8 * 128 * 2, "LLM_ARCH_LLAMA"),
    ("starcoder2-7b", 32 * 2 * 4 * 128 * 2, "LLM_ARCH_STARCODER2"),
])
def test_vllm_slides_every_layer_and_llama_cpp_caches_the_whole_context(preset_id, per_token, loader):
    arch = preset_architecture(preset_id)
    vllm = kv_cache_bytes(arch, BF16, context=16384, engine="vllm")
    llama_cpp = kv_cache_bytes(arch, BF16, context=16384, engine="llama.cpp")
    assert (vllm.sliding_layers, vllm.total_bytes) == (32, 4096 * per_token)
    assert (llama_cpp.sliding_layers, llama_cpp.total_bytes) == (0, 16384 * per_token)
    assert "vllm/engine/arg_utils.py @" in vllm.window_rule
    assert f"src/llama-model.cpp @00342301d01add50835550e8a916f12097d94517, case {loader}" in llama_cpp.window_rule
    # Within the window the engines agree, and still say which rule they followed.
    short = [kv_cache_bytes(arch, BF16, context=4096, engine=e) for e in ("vllm", "llama.cpp")]
    assert short[0].total_bytes == short[1].total_bytes == 4096 * per_token


def test_qwen2_windows_from_max_window_layers_on_and_llama_cpp_ignores_them():
    arch = architecture_from_config({"model_type": "qwen2", "hidden_size": 256, "num_hidden_layers": 4,
                                     "num_attention_heads": 8, "num_key_value_heads": 2, "intermediate_size": 512,
                                     "vocab_size": 1000, "use_sliding_window": True, "sliding_window": 64,
                                     "max_window_layers": 2})
    per_token = 2 * 2 * 32 * 2  # K and V, 2 KV heads of 32, bf16, in one layer
    vllm = kv_cache_bytes(arch, BF16, context=256, engine="vllm")
    assert (vllm.sliding_layers, vllm.total_bytes, vllm.window_rule) == (2, (2 * 256 + 2 * 64) * per_token, "")
    llama_cpp = kv_cache_bytes(arch, BF16, context=256, engine="llama.cpp")
    assert (llama_cpp.sliding_layers, llama_cpp.total_bytes) == (0, 4 * 256 * per_token)
    assert "case LLM_ARCH_QWEN2" in llama_cpp.window_rule


def test_a_phi3_window_longer_than_the_context_changes_nothing():
    long_window = replace(preset_architecture("phi-3-mini-4k"), sliding_window=262144)
    for engine in ("vllm", "llama.cpp"):
        assert kv_cache_bytes(long_window, BF16, context=131072, engine=engine).total_bytes == \
            131072 * PHI3_PER_TOKEN


def test_a_phi3_config_without_a_window_has_no_rule_to_follow():
    arch = preset_architecture("phi-4")  # sliding_window null
    assert arch.num_sliding_layers == 0
    vllm, llama_cpp = (kv_cache_bytes(arch, BF16, 16384, engine=e) for e in ("vllm", "llama.cpp"))
    assert vllm.total_bytes == llama_cpp.total_bytes and vllm.window_rule == llama_cpp.window_rule == ""


def test_unambiguous_windows_do_not_depend_on_the_engine():
    arch = preset_architecture("gemma-2-9b")  # layer pattern fixed by the model type
    vllm, llama_cpp = (kv_cache_bytes(arch, BF16, 16384, engine=e) for e in ("vllm", "llama.cpp"))
    assert vllm.total_bytes == llama_cpp.total_bytes and vllm.sliding_layers == 21 and not vllm.window_rule


def test_an_unknown_engine_is_named():
    with pytest.raises(CalculatorError, match="engine must be one of vllm, llama.cpp"):
        kv_cache_bytes(preset_architecture("phi-3-mini-4k"), BF16, 4096, engine="sglang")


# A cohere2 config as the older releases write it: no layer_types, every sliding_window_pattern-th layer global.
COHERE2 = {"model_type": "cohere2", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
           "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 256000, "sliding_window": 4096,
           "sliding_window_pattern": 4}


def test_cohere2_one_layer_in_four_keeps_the_whole_context():
    arch = architecture_from_config(COHERE2)
    assert [i for i in range(32) if not arch.layer_is_sliding(i)] == [3, 7, 11, 15, 19, 23, 27, 31]
    per_layer_token = 2 * 8 * 128 * 2
    result = kv_cache_bytes(arch, BF16, 32768, engine="llama.cpp")
    assert (result.sliding_layers, result.full_layers) == (24, 8)
    assert result.total_bytes == per_layer_token * (8 * 32768 + 24 * 4096)
    assert kv_cache_bytes(arch, BF16, 32768, engine="vllm") == replace(result, engine="vllm")


def test_smollm3_slides_only_its_nope_layers_and_only_when_asked():
    config = {"model_type": "smollm3", "hidden_size": 2048, "num_hidden_layers": 8, "num_attention_heads": 16,
              "num_key_value_heads": 4, "intermediate_size": 11008, "vocab_size": 128256, "sliding_window": 1024}
    per_layer_token = 2 * 4 * 128 * 2
    assert kv_cache_bytes(architecture_from_config(config), BF16, 8192).total_bytes == 8 * 8192 * per_layer_token
    arch = architecture_from_config({**config, "use_sliding_window": True})
    assert [i for i in range(8) if arch.layer_is_sliding(i)] == [3, 7]
    assert kv_cache_bytes(arch, BF16, 8192).total_bytes == per_layer_token * (6 * 8192 + 2 * 1024)


MINICPM3 = architecture_from_config(MINICPM3_4B)


def test_minicpm3_is_cached_per_head_as_each_engine_lays_it_out():
    vllm = kv_cache_bytes(MINICPM3, BF16, context=4096, engine="vllm")
    llama_cpp = kv_cache_bytes(MINICPM3, BF16, context=4096, engine="llama.cpp")
    # vLLM pads V to K's 96 per head; llama.cpp keeps V at 64. Neither caches the 288-wide latent.
    assert vllm.bytes_per_token == 62 * 40 * (96 + 96) * 2 == 952_320
    assert llama_cpp.bytes_per_token == 62 * 40 * (96 + 64) * 2
    assert vllm.total_bytes == 4096 * vllm.bytes_per_token
    assert "models/minicpm3.py @009ccee0" in vllm.layout_rule and "src/models/minicpm3.cpp @a0b8c172" in \
        llama_cpp.layout_rule
    assert kv_bytes_per_token(MINICPM3, BF16) == vllm.bytes_per_token


def test_deepseek_keeps_its_latent_and_no_layout_rule():
    arch = preset_architecture("deepseek-v3")
    result = kv_cache_bytes(arch, BF16, context=4096)
    assert result.bytes_per_token == arch.num_layers * (512 + 64) * 2 and result.layout_rule == ""
