"""EXL2 (exllamav2): the layer layout computed by hand, and what must hold whatever the measurement picks."""

import pytest

from calculators import PRESETS, preset_architecture, weight_bytes, weight_format
from calculators.exl2 import HEAD_MIXES, Exl2Mix
from calculators.formats import WEIGHT_FORMATS

EXL2 = sorted((f for f in WEIGHT_FORMATS.values() if f.family == "exl2"), key=lambda f: f.layout.target_centibits)


def test_published_rates_are_listed_with_their_head_widths():
    assert [(f.layout.target_centibits, f.layout.head_bits) for f in EXL2] == [
        (250, 6), (300, 6), (350, 6), (400, 6), (450, 6), (500, 6), (600, 6), (650, 8), (800, 8)]
    for fmt in EXL2:
        assert "b9c025b4b1ee78c0d34e700f2e474a02dfb13c90" in fmt.source and "depends on" in fmt.notes


def test_a_decoder_mix_by_hand():
    # qparams_attn's first option, QParams(64, [3, 2], [0.05, 0.95], 4), on a 4096 x 4096 layer.
    # Rows are input features: ceil(4096 * 0.05 / 64) = 4 groups of 3-bit rows (256), then
    # ceil(min(3891.2, 3840) / 64) = 60 groups of 2-bit rows (3840): 64 groups.
    mix = Exl2Mix((3, 2), (0.05, 0.95), (64, 64))
    assert mix.groups(4096) == [(3, 64)] * 4 + [(2, 64)] * 60
    payload, metadata = mix.matrix_bytes(4096, 4096)
    # q_weight: 4 * (64*3/32) + 60 * (64*2/32) = 264 packed int32 rows of 4096 columns
    assert payload == 264 * 4096 * 4
    # per group: q_scale 4096 * 4 bits = 2048 bytes, q_scale_max 2, q_groups 4; q_invperm 4096 int32
    assert metadata == 64 * (2048 + 2 + 4) + 4096 * 4
    # the same as exllamav2's QParams.total_bits: codes + 16 + 32 + columns * 4 per group + 32 per row
    total_bits = 4096 * (256 * 3 + 3840 * 2) + 64 * (16 + 32 + 4096 * 4) + 4096 * 32
    assert (payload + metadata) * 8 == total_bits


def test_the_head_mix_of_llama_3_1_8b_by_hand():
    # head_bits 6 is QParams(128, [8, 6], [0.15, 0.85], 4); the head is (128256, 4096):
    # ceil(614.4 / 128) = 5 groups of 8-bit rows (640), then 27 groups of 6-bit rows (3456).
    arch = preset_architecture("llama-3.1-8b")
    result = weight_bytes(arch, weight_format("exl2-4.0bpw"))
    codes = (5 * 128 * 8 // 32 + 27 * 128 * 6 // 32) * 128256 * 4
    scales = 32 * (128256 // 2 + 2 + 4) + 4096 * 4
    assert HEAD_MIXES[6].matrix_bytes(128256, 4096) == (codes, scales)
    assert result.by_part["lm_head"] == codes
    head_h8 = weight_bytes(arch, weight_format("exl2-8.0bpw-h8")).by_part["lm_head"]
    assert head_h8 == 4096 * 8 // 32 * 128256 * 4  # all 8-bit: 1024 packed rows


def test_an_output_width_that_is_not_a_multiple_of_32_is_padded():
    # pack pads the columns (output features) to a multiple of 32 before packing codes and scales.
    mix = HEAD_MIXES[8]
    payload, metadata = mix.matrix_bytes(1001, 256)
    assert payload == 256 * 8 // 32 * 1024 * 4
    assert metadata == 2 * (1024 // 2 + 6) + 256 * 4


def test_the_last_group_takes_the_rows_left():
    # configure: ceil(300 / 128) = 3 groups; pack cuts min(128, rows left): 128, 128, 44 rows,
    # the last packed into ceil(44 * 8 / 32) = 11 int32 rows.
    mix = HEAD_MIXES[8]
    assert mix.groups(300) == [(8, 128), (8, 128), (8, 44)]
    assert mix.matrix_bytes(64, 300)[0] == (32 + 32 + 11) * 64 * 4


@pytest.mark.parametrize("preset_id", ["llama-3.1-8b", "mixtral-8x7b", "qwen2.5-7b", "gemma-2-9b"])
def test_the_decoder_takes_the_target_and_the_rest_is_fp16(preset_id):
    arch = preset_architecture(preset_id)
    decoder = [g for g in arch.tensors() if g.is_matrix and g.part in ("attention", "mlp", "experts", "shared_experts")]
    numel = sum(g.numel for g in decoder)
    for fmt in EXL2:
        result = weight_bytes(arch, fmt)
        stored = sum(result.by_part[p] for p in ("attention", "mlp", "experts", "shared_experts"))
        stored += result.metadata_bytes - HEAD_MIXES[fmt.layout.head_bits].matrix_bytes(arch.vocab_size,
                                                                                           arch.hidden_size)[1]
        exact = fmt.layout.target_centibits * numel / 800
        assert exact <= stored < exact + sum(g.count for g in decoder)  # one byte of rounding per matrix
        assert result.by_part["embedding"] == 2 * arch.vocab_size * arch.hidden_size
        assert result.by_part["norms"] == weight_bytes(arch, weight_format("fp16")).by_part["norms"]


def test_decoder_biases_are_inside_the_target():
    arch = preset_architecture("qwen2.5-7b")  # q/k/v biases
    assert arch.qkv_bias
    fmt = weight_format("exl2-4.0bpw")
    attention = weight_bytes(arch, fmt).by_part["attention"]
    matrices = [g for g in arch.tensors() if g.part == "attention" and g.is_matrix]
    assert attention == sum(g.count * fmt.matrix_bytes(*g.shape).payload for g in matrices)


def test_a_tied_model_gets_a_quantized_head_of_its_own():
    arch = preset_architecture("qwen2.5-0.5b")
    assert arch.tie_word_embeddings
    head = weight_bytes(arch, weight_format("exl2-5.0bpw")).by_part["lm_head"]
    assert head == HEAD_MIXES[6].matrix_bytes(arch.vocab_size, arch.hidden_size)[0] > 0


@pytest.mark.parametrize("preset_id", sorted(PRESETS))
def test_a_higher_target_is_never_smaller(preset_id):
    arch = preset_architecture(preset_id)
    sizes = [weight_bytes(arch, fmt).total_bytes for fmt in EXL2]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)


def test_a_lone_matrix_is_the_target():
    for fmt in EXL2:
        assert fmt.nominal_bits == fmt.layout.target_centibits / 100
