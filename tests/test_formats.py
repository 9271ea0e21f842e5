from math import ceil

import pytest

from calculators import (KV_FORMATS, PRESETS, WEIGHT_FORMATS, CalculatorError, preset_architecture, weight_bytes,
                         weight_format)
from calculators.formats import MatrixBytes

O, I = 4096, 4096
N = O * I


@pytest.mark.parametrize("fmt", WEIGHT_FORMATS.values(), ids=lambda f: f.id)
def test_every_weight_format_cites_its_layout(fmt):
    assert len(fmt.source) > 20
    assert fmt.compute in {"fp32", "bf16", "int8", "fp8", "fp4"}


@pytest.mark.parametrize("fmt", KV_FORMATS.values(), ids=lambda f: f.id)
def test_every_kv_format_cites_its_layout(fmt):
    assert len(fmt.source) > 10


def test_the_issue_lists_are_covered():
    ids = set(WEIGHT_FORMATS)
    assert {"fp32", "fp16", "bf16", "fp8-e4m3", "fp8-e5m2", "fp8-e4m3-channel", "fp8-e4m3-block128", "int8-channel",
            "llm-int8", "nf4", "nf4-dq", "fp4", "fp4-dq", "gguf-q4-0", "gguf-q4-1", "gguf-q5-0", "gguf-q8-0",
            "gguf-q2-k", "gguf-q3-k-pure", "gguf-q4-k-pure", "gguf-q5-k-pure", "gguf-q6-k", "gguf-q4-k-m", "hqq-int4-g64",
            "aqlm-1x16", "aqlm-2x8"} <= ids
    for bits in (4, 3, 2):
        for group in (32, 64, 128):
            assert {f"gptq-int{bits}-g{group}", f"int{bits}-g{group}-sym"} <= ids
    assert {"fp16", "bf16", "fp8-e4m3", "int8", "int4-g64"} <= set(KV_FORMATS)


def bits(format_id, out=O, inp=I):
    return weight_format(format_id).matrix_bytes(out, inp).total * 8 / (out * inp)


def test_four_bit_floats_carry_their_block_scales():
    # MXFP4: 32 E2M1 codes share one E8M0 byte. NVFP4: 16 codes share one FP8 byte, plus two fp32 per tensor.
    assert weight_format("mxfp4").matrix_bytes(4096, 14336) == MatrixBytes(4096 * 14336 // 2, 4096 * 14336 // 32)
    assert weight_format("nvfp4").matrix_bytes(4096, 14336) == MatrixBytes(4096 * 14336 // 2,
                                                                           4096 * 14336 // 16 + 8)
    assert weight_format("mxfp4-experts").quantized_parts == {"experts"}


def test_gptq_without_groups_keeps_one_scale_and_zero_per_output_channel():
    # qweight (in*4/32, out) int32, qzeros (1, out*4/32) int32, scales (1, out) fp16, g_idx (in,) int32
    out, inp = 4096, 11008
    assert weight_format("gptq-int4").matrix_bytes(out, inp) == MatrixBytes(
        inp * 4 // 32 * out * 4, out * 4 // 32 * 4 + out * 2 + inp * 4)


def test_nf4_is_four_and_a_half_bits_and_double_quantization_is_qlora_figure():
    # 4 + 32/64 bits plus one 16-entry fp32 code book per tensor.
    assert weight_format("nf4").matrix_bytes(O, I).total == N // 2 + 4 * N // 64 + 64
    assert bits("nf4") == pytest.approx(4.5, abs=1e-4)
    # QLoRA, sec. 3: 4 + 8/64 + 32/(64*256) bits, plus per-tensor constants.
    assert bits("nf4-dq") == pytest.approx(4 + 8 / 64 + 32 / (64 * 256), abs=1e-3)
    blocks = N // 64
    assert weight_format("nf4-dq").matrix_bytes(O, I).total == N // 2 + blocks + 4 * ceil(blocks / 256) + 4 + 1024 + 64


def test_bitsandbytes_blocks_run_over_the_flattened_tensor():
    # 5 x 40 = 200 values make ceil(200 / 64) = 4 blocks; blocks per row would make 5.
    assert weight_format("nf4").matrix_bytes(5, 40).metadata == 4 * ceil(200 / 64) + 64


def test_gptq_checkpoint_tensors_exactly():
    g = I // 128
    qweight = (I * 4 // 32) * O * 4
    qzeros = g * (O * 4 // 32) * 4
    scales = g * O * 2
    g_idx = I * 4
    assert weight_format("gptq-int4-g128").matrix_bytes(O, I).total == qweight + qzeros + scales + g_idx


def test_awq_and_tinygemm_exactly():
    g = I // 128
    assert weight_format("awq-int4-g128").matrix_bytes(O, I).total == N // 2 + g * O // 8 * 4 + g * O * 2
    assert weight_format("int4-tinygemm-g128").matrix_bytes(O, I).total == N // 2 + g * O * 2 * 2


def test_int8_weight_only_and_llm_int8():
    assert weight_format("int8-channel").matrix_bytes(O, I).total == N + 2 * O
    assert weight_format("llm-int8").matrix_bytes(O, I).total == N + 4 * O + 1


def test_fp8_scales():
    assert weight_format("fp8-e4m3").matrix_bytes(O, I).total == N + 4
    assert weight_format("fp8-e4m3-channel").matrix_bytes(O, I).total == N + 4 * O
    assert weight_format("fp8-e4m3-block128").matrix_bytes(7168, 2048).metadata == 56 * 16 * 4
    assert weight_format("fp8-e4m3-block128").matrix_bytes(100, 130).metadata == 1 * 2 * 4


@pytest.mark.parametrize("name, block_weights, block_bytes", [
    ("q4-0", 32, 18), ("q4-1", 32, 20), ("q5-0", 32, 22), ("q5-1", 32, 24), ("q8-0", 32, 34), ("q2-k", 256, 84),
    ("q3-k", 256, 110), ("q4-k", 256, 144), ("q5-k", 256, 176), ("q6-k", 256, 210)])
def test_gguf_block_sizes(name, block_weights, block_bytes):
    assert weight_format(f"gguf-{name}").matrix_bytes(O, I).total == O * (I // block_weights) * block_bytes


def test_gguf_rows_that_are_not_whole_blocks_fall_back_like_llama_cpp():
    # 4544 (Falcon-7B's width) is not a multiple of 256: Q4_K falls back to Q5_0 (32-weight blocks of 22 bytes).
    assert weight_format("gguf-q4-k").matrix_bytes(10, 4544).total == 10 * (4544 // 32) * 22
    # 100 is not a multiple of 32 either: F16.
    assert weight_format("gguf-q6-k").matrix_bytes(10, 100).total == 10 * 100 * 2


def test_aqlm_codebooks_are_a_per_layer_constant():
    one_by_16 = weight_format("aqlm-1x16").matrix_bytes(O, I)
    assert one_by_16.payload == N * 2 // 8
    assert one_by_16.metadata == 65536 * 8 * 2 + O * 2
    assert weight_format("aqlm-2x8").matrix_bytes(O, I).metadata == 2 * 256 * 8 * 2 + O * 2


def test_bitsandbytes_keeps_embedding_and_lm_head_in_16_bit():
    arch = preset_architecture("llama-3.1-8b")
    nf4 = weight_bytes(arch, weight_format("nf4"))
    bf16 = weight_bytes(arch, weight_format("bf16"))
    assert nf4.by_part["embedding"] == bf16.by_part["embedding"]
    assert nf4.by_part["lm_head"] == bf16.by_part["lm_head"]
    assert nf4.by_part["norms"] == bf16.by_part["norms"]
    assert nf4.by_part["mlp"] == bf16.by_part["mlp"] // 4


def test_torch_int8_quantizes_lm_head_but_not_embeddings():
    arch = preset_architecture("llama-3.1-8b")
    result = weight_bytes(arch, weight_format("int8-channel"))
    assert result.by_part["lm_head"] == arch.vocab_size * arch.hidden_size
    assert result.by_part["embedding"] == 2 * arch.vocab_size * arch.hidden_size


def test_gguf_stores_norms_in_f32():
    arch = preset_architecture("llama-3.1-8b")
    assert weight_bytes(arch, weight_format("gguf-q4-0")).by_part["norms"] == \
        2 * weight_bytes(arch, weight_format("bf16")).by_part["norms"]


@pytest.mark.parametrize("preset_id", ["llama-3.1-8b", "mixtral-8x7b", "deepseek-v3", "gemma-2-9b"])
def test_parts_and_metadata_add_up(preset_id):
    arch = preset_architecture(preset_id)
    for fmt in WEIGHT_FORMATS.values():
        result = weight_bytes(arch, fmt)
        assert result.total_bytes == sum(result.by_part.values()) + result.metadata_bytes
        assert 0 < result.active_bytes <= result.total_bytes


@pytest.mark.parametrize("preset_id", sorted(PRESETS))
def test_quantized_is_never_larger_than_bf16_for_any_preset(preset_id):
    arch = preset_architecture(preset_id)
    bf16 = weight_bytes(arch, weight_format("bf16")).total_bytes
    for fmt in WEIGHT_FORMATS.values():
        if fmt.id != "fp32":
            assert weight_bytes(arch, fmt).total_bytes <= bf16, fmt.id


def test_unknown_format_ids_get_a_message():
    with pytest.raises(CalculatorError, match="unknown weight format"):
        weight_format("int5")
    with pytest.raises(CalculatorError, match="unknown KV-cache format"):
        from calculators import kv_format
        kv_format(["list"])
