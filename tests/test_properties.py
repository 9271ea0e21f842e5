"""Properties that hold for every architecture, format and workload in range."""

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calculators import (KV_FORMATS, WEIGHT_FORMATS, Architecture, accelerator, fit, kv_cache_bytes,
                         roofline, training_memory, weight_bytes, weight_format)
from calculators.records import as_dict, is_record, replace

QUANTIZED = [f for f in WEIGHT_FORMATS.values() if f.id not in {"fp32", "fp16", "bf16"}]
# AQLM's code books cost a fixed 1 MiB (1x16) or 8 KiB (2x8) per layer whatever the
# layer's size, so AQLM beats bf16 only on large layers; it is checked on such layers.
PROPORTIONAL = [f for f in QUANTIZED if f.family != "aqlm"]


@st.composite
def architectures(draw, min_hidden=64):
    kv_heads = draw(st.sampled_from([1, 2, 4, 8]))
    heads = kv_heads * draw(st.sampled_from([1, 2, 4, 8]))
    head_dim = draw(st.sampled_from([32, 64, 128, 256]))
    hidden = draw(st.integers(min_hidden // 32, 256)) * 32
    layers = draw(st.integers(1, 96))
    moe = draw(st.booleans())
    experts = draw(st.integers(2, 64)) if moe else 0
    window = draw(st.sampled_from([0, 512, 4096]))
    pattern = draw(st.sampled_from(["all", "alternate", "none"])) if window else "none"
    sliding = {"all": (True,) * layers, "alternate": tuple(i % 2 == 0 for i in range(layers)), "none": ()}[pattern]
    mla = draw(st.booleans()) and not moe
    return Architecture(
        name="random", hidden_size=hidden, num_layers=layers, num_attention_heads=heads, num_kv_heads=kv_heads,
        head_dim=head_dim, intermediate_size=draw(st.integers(1, 512)) * 32, vocab_size=draw(st.integers(1000, 260_000)),
        mlp_gated=draw(st.booleans()), tie_word_embeddings=draw(st.booleans()), qkv_bias=draw(st.booleans()),
        num_experts=experts, experts_per_token=draw(st.integers(1, experts)) if moe else 0,
        moe_intermediate_size=draw(st.integers(1, 128)) * 32 if moe else 0,
        kv_lora_rank=512 if mla else 0, qk_nope_head_dim=128 if mla else 0, qk_rope_head_dim=64 if mla else 0,
        v_head_dim=128 if mla else 0, q_lora_rank=draw(st.sampled_from([0, 1536])) if mla else 0,
        sliding_window=window if sliding else 0, sliding_layers=sliding)


contexts = st.integers(1, 1_000_000)
kv_formats = st.sampled_from(list(KV_FORMATS.values()))


@given(architectures(), kv_formats, contexts, contexts, st.integers(1, 64), st.sampled_from([0, 16, 256]))
def test_more_context_never_means_less_kv_memory(arch, fmt, a, b, batch, block):
    low, high = sorted((a, b))
    assert kv_cache_bytes(arch, fmt, low, batch, block).total_bytes <= \
        kv_cache_bytes(arch, fmt, high, batch, block).total_bytes


@given(architectures(), kv_formats, contexts, st.integers(1, 64))
def test_fewer_kv_heads_never_mean_more_kv_memory(arch, fmt, context, batch):
    assume(not arch.is_mla and arch.num_kv_heads > 1)
    fewer = replace(arch, num_kv_heads=arch.num_kv_heads // 2)
    assert kv_cache_bytes(arch, fmt, context, batch).total_bytes >= \
        kv_cache_bytes(fewer, fmt, context, batch).total_bytes


@given(st.sampled_from(PROPORTIONAL), st.integers(1, 1024), st.integers(1, 1024))
def test_a_quantized_matrix_is_never_larger_than_bf16(fmt, rows, cols):
    out, inp = rows * 32, cols * 32
    assert fmt.matrix_bytes(out, inp).total <= out * inp * 2


@given(st.sampled_from(["aqlm-1x16", "aqlm-2x8"]), st.integers(32, 512), st.integers(32, 512))
def test_aqlm_on_layers_of_a_million_weights_or_more(format_id, rows, cols):
    out, inp = rows * 32, cols * 32
    assert weight_format(format_id).matrix_bytes(out, inp).total <= out * inp * 2


@given(architectures(min_hidden=2048), st.sampled_from(QUANTIZED))
@settings(max_examples=200)
def test_a_quantized_model_is_never_larger_than_bf16(arch, fmt):
    if fmt.family == "aqlm":  # only on layers of a million weights or more (see PROPORTIONAL above)
        assume(min(math.prod(group.shape) for group in arch.tensors()
                   if len(group.shape) == 2 and group.part in fmt.quantized_parts) >= 1 << 20)
    bound = weight_bytes(arch, weight_format("bf16")).total_bytes
    if fmt.family == "exl2" and arch.tie_word_embeddings:
        # exllamav2 writes a quantized head even when the head is the embedding, so a tied model's EXL2
        # file holds one matrix its bf16 checkpoint does not: it is bounded by bf16 with that matrix added.
        bound += 2 * arch.vocab_size * arch.hidden_size
    assert weight_bytes(arch, fmt).total_bytes <= bound


def _finite_non_negative(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert math.isfinite(value) and value >= 0, value
    elif isinstance(value, dict):
        for item in value.values():
            _finite_non_negative(item)
    elif is_record(value):
        _finite_non_negative(as_dict(value))


@given(architectures(), st.sampled_from(list(WEIGHT_FORMATS.values())), kv_formats, st.integers(1, 2 ** 31),
       st.integers(1, 2 ** 20), st.sampled_from(["h100-sxm", "t4", "rtx-4090", "mi300x"]))
@settings(max_examples=60, deadline=None)
def test_no_input_in_range_gives_nan_infinity_or_a_negative_size(arch, wfmt, kvfmt, context, batch, gpu_id):
    gpu = accelerator(gpu_id)
    _finite_non_negative(weight_bytes(arch, wfmt))
    _finite_non_negative(kv_cache_bytes(arch, kvfmt, context, batch))
    result = roofline(arch, wfmt, kvfmt, gpu, batch=min(batch, 4096), prompt_tokens=min(context, 1 << 20))
    _finite_non_negative(result)
    assert result.tokens_per_s > 0
    if arch.num_attention_heads % 2 == 0:  # KV heads are 1, 2, 4 or 8: two GPUs always split them
        placed = fit(arch, wfmt, kvfmt, gpu, 2, context, batch)
        _finite_non_negative(replace(placed, free_bytes=abs(placed.free_bytes)))
    _finite_non_negative(training_memory(arch, "qlora", min(context, 1 << 16), min(batch, 64)))


@given(architectures(), kv_formats, st.integers(1, 100_000), st.integers(1, 64))
def test_kv_totals_are_at_least_bytes_per_token_for_full_attention(arch, fmt, context, batch):
    assume(not arch.sliding_layers)
    total = kv_cache_bytes(arch, fmt, context, batch).total_bytes
    if not fmt.residual_tokens:
        assert total >= batch * context * kv_cache_bytes(arch, fmt, 1, 1).bytes_per_token
