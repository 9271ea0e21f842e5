import pytest

from calculators import (CalculatorError, accelerator, compute_bound_batch, kv_format, preset_architecture,
                         ridge_point, roofline, weight_bytes, weight_format)
from calculators.roofline import attention_flops_prefill, matmul_params_per_token

LLAMA8 = preset_architecture("llama-3.1-8b")
H100 = accelerator("h100-sxm")
BF16, KV16 = weight_format("bf16"), kv_format("bf16")


def test_ridge_point_is_peak_over_bandwidth():
    assert ridge_point(H100) == pytest.approx(989.5e12 / 3350e9)


def test_matmul_parameters_exclude_the_embedding_lookup():
    # Untied: every parameter but the embedding table and the norm vectors.
    arch = LLAMA8
    norms = 32 * 2 * 4096 + 4096
    assert matmul_params_per_token(arch) == 8_030_261_248 - 128256 * 4096 - norms


def test_batch_one_decode_is_memory_bound_and_reads_every_weight_but_the_embedding_rows_it_skips():
    result = roofline(LLAMA8, BF16, KV16, H100, batch=1, prompt_tokens=1)
    weights = weight_bytes(LLAMA8, BF16).total_bytes
    table = 128256 * 4096 * 2  # Llama-3.1-8B's untied input embedding: one 8 KiB row is read per token
    assert result.decode.bound == "memory"
    assert result.decode.bytes == pytest.approx(weights - table + 4096 * 2 + 131072 + 131072)
    assert result.tpot_s == pytest.approx(result.decode.bytes / 3350e9)
    assert result.tokens_per_s == pytest.approx(1 / result.tpot_s)
    assert result.decode.flops == pytest.approx(2 * matmul_params_per_token(LLAMA8) + 2 * 2 * 4096 * 32)


def test_long_prefill_is_compute_bound():
    result = roofline(LLAMA8, BF16, KV16, H100, batch=1, prompt_tokens=4096)
    assert result.prefill.bound == "compute"
    assert result.ttft_s == pytest.approx(result.prefill.flops / 989.5e12)


def test_causal_attention_flops_with_a_window():
    arch = preset_architecture("mistral-7b-v0.1")  # every layer slides with a 4096 window
    width = 32 * 128
    p = 5000
    seen = 4096 * 4097 // 2 + (p - 4096) * 4096
    assert attention_flops_prefill(arch, p) == 32 * 2 * 2 * width * seen


def test_compute_bound_batch_is_the_first_compute_bound_batch():
    batch = compute_bound_batch(LLAMA8, BF16, KV16, H100, context=64)
    assert batch is not None
    assert roofline(LLAMA8, BF16, KV16, H100, batch, 64).decode.bound == "compute"
    assert roofline(LLAMA8, BF16, KV16, H100, batch - 1, 64).decode.bound == "memory"
    # At 512 tokens the KV cache read per sequence keeps decode memory-bound at any batch.
    assert compute_bound_batch(LLAMA8, BF16, KV16, H100, context=512) is None


def test_quantized_weights_read_fewer_bytes():
    int4 = roofline(LLAMA8, weight_format("int4-tinygemm-g128"), KV16, H100)
    bf16 = roofline(LLAMA8, BF16, KV16, H100)
    assert int4.decode.bytes < bf16.decode.bytes / 3


def test_moe_decode_reads_only_the_experts_it_uses():
    arch = preset_architecture("mixtral-8x7b")
    weights = weight_bytes(arch, BF16)
    table, row = 32000 * 4096 * 2, 4096 * 2  # Mixtral's untied input embedding and one of its rows
    one = roofline(arch, BF16, KV16, H100, batch=1, prompt_tokens=1)
    assert one.decode.bytes == pytest.approx(weights.active_bytes - table + row + 2 * 131072)
    many = roofline(arch, BF16, KV16, H100, batch=256, prompt_tokens=1)
    assert many.decode.bytes - 256 * 2 * 131072 == pytest.approx(weights.total_bytes - table + 256 * row, rel=1e-6)


def test_a_tied_embedding_is_read_whole_by_the_output_head():
    arch = preset_architecture("llama-3.2-1b")
    assert arch.tie_word_embeddings
    weights = weight_bytes(arch, BF16).total_bytes
    assert roofline(arch, BF16, KV16, H100, batch=1, prompt_tokens=1).decode.bytes == \
        pytest.approx(weights + 2 * 2 * arch.num_layers * arch.num_kv_heads * arch.head_dim * 2)


def test_fp8_on_a_card_without_fp8_falls_back_with_a_note():
    result = roofline(LLAMA8, weight_format("fp8-e4m3"), KV16, accelerator("a100-sxm-80gb"))
    assert result.compute_used == "bf16" and "fp8" in result.note


def test_a_card_without_published_rates_says_so():
    with pytest.raises(CalculatorError, match="no published peak"):
        roofline(LLAMA8, BF16, KV16, accelerator("m2-ultra"))
