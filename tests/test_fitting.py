import pytest
from hypothesis import given
from hypothesis import strategies as st

from model_configs import MINICPM3_4B

from calculators import CalculatorError, accelerator, fit, kv_format, memory_stack, preset_architecture, weight_bytes, \
    weight_format
from calculators.fitting import RUNTIME_OVERHEAD_BYTES, _largest, activation_bytes
from calculators.hf_config import architecture_from_config

LLAMA8 = preset_architecture("llama-3.1-8b")
BF16, KV16 = weight_format("bf16"), kv_format("bf16")


def test_stack_parts_on_one_gpu():
    stack = memory_stack(LLAMA8, BF16, KV16, context=8192, batch=2)
    assert stack.weights == weight_bytes(LLAMA8, BF16).total_bytes
    assert stack.kv_cache == 2 * 8192 * 131072
    assert stack.overhead == RUNTIME_OVERHEAD_BYTES
    assert stack.total == stack.weights + stack.kv_cache + stack.activations + stack.overhead


def test_tensor_parallel_splits_weights_and_kv_heads():
    one = memory_stack(LLAMA8, BF16, KV16, 8192, 1, num_gpus=1)
    two = memory_stack(LLAMA8, BF16, KV16, 8192, 1, num_gpus=2)
    assert two.weights == -(-one.weights // 2)
    assert two.kv_cache == one.kv_cache // 2
    # 8 KV heads on 16 GPUs: each GPU holds one head's copy, so KV splits only 8 ways.
    arch = preset_architecture("llama-3.1-405b")
    sixteen = memory_stack(arch, BF16, KV16, 8192, 1, num_gpus=16)
    assert sixteen.kv_cache == memory_stack(arch, BF16, KV16, 8192, 1).kv_cache // 8


def test_mla_latent_is_copied_on_every_gpu():
    arch = preset_architecture("deepseek-v3")
    assert memory_stack(arch, BF16, KV16, 4096, 1, num_gpus=8).kv_cache == \
        memory_stack(arch, BF16, KV16, 4096, 1).kv_cache


def test_fit_verdict_and_limits_are_consistent():
    gpu = accelerator("rtx-4090")
    result = fit(LLAMA8, BF16, KV16, gpu, context=8192)
    # vLLM's default --gpu-memory-utilization, of what CUDA reports (23.68 GiB on a "24 GB" RTX 4090)
    usable = int(gpu.allocatable_bytes * 0.9)
    assert gpu.allocatable_bytes == round(23.68 * (1 << 30)) < gpu.memory_bytes
    assert result.capacity_bytes == usable and result.card_bytes == gpu.allocatable_bytes
    assert result.fits and result.free_bytes == usable - result.per_gpu.total
    assert memory_stack(LLAMA8, BF16, KV16, result.max_context, 1).total <= usable
    assert memory_stack(LLAMA8, BF16, KV16, result.max_context + 1, 1).total > usable
    assert memory_stack(LLAMA8, BF16, KV16, 8192, result.max_batch).total <= usable
    assert memory_stack(LLAMA8, BF16, KV16, 8192, result.max_batch + 1).total > usable


@pytest.mark.parametrize("model, weights, kv, gpu, gpus, block_size", [
    ("gemma-2-27b", "awq-int4-g128", "int4-g64", "l40s", 2, 16),  # sliding layers; a 16-bit residual window
    ("mistral-7b-v0.1", "nf4-dq", "fp8-e4m3", "rtx-4090", 1, 0),  # every layer slides; per-layer scales
    ("deepseek-v3", "fp8-e4m3-channel", "bf16", "h200-sxm", 8, 64),  # an MLA latent copied on every GPU
    ("gpt-oss-20b", "bf16", "int2-g64", "a100-sxm-80gb", 1, 32),
    ("qwen2.5-7b", "gguf-q4-k-m", "gguf-q8-0", "rtx-4090", 2, 0),
])
def test_the_largest_context_and_batch_are_those_of_the_memory_stack(model, weights, kv, gpu, gpus, block_size):
    """fit's searches work the KV cache out once for many contexts and batches: each limit they find is the
    last one memory_stack, which works everything out afresh, says fits."""
    arch, fmt, cache, card = preset_architecture(model), weight_format(weights), kv_format(kv), accelerator(gpu)
    result = fit(arch, fmt, cache, card, gpus, context=8192, batch=4, block_size=block_size)

    def total(context, batch):
        return memory_stack(arch, fmt, cache, context, batch, gpus, block_size).total

    assert result.per_gpu == memory_stack(arch, fmt, cache, 8192, 4, gpus, block_size)
    assert 0 < result.max_context and total(result.max_context, 4) <= result.capacity_bytes
    assert result.context_capped or total(result.max_context + 1, 4) > result.capacity_bytes
    assert 0 < result.max_batch and total(8192, result.max_batch) <= result.capacity_bytes
    assert result.batch_capped or total(8192, result.max_batch + 1) > result.capacity_bytes


@pytest.mark.parametrize("model", ["llama-3.1-8b", "gemma-2-27b", "deepseek-v3", "qwen3-30b-a3b", "gpt-oss-20b",
                                   "mistral-7b-v0.1"])
def test_the_searches_sum_the_stack_as_memory_stack_does(model):
    """The searches' stack (stack_parts, which makes no record and works the KV cache out from kv_total_bytes)
    equals memory_stack's, and both equal the stack summed from its published parts (kv_cache_bytes,
    activation_bytes' peak and kernel_workspace_bytes), for every weight format, with the kernels' workspaces
    among them, at one token in flight and at many, chunked or not."""
    from calculators.formats import WEIGHT_FORMATS
    from calculators.kv_cache import kv_cache_bytes, kv_total_bytes
    from calculators.fitting import kernel_workspace_bytes, kv_shards, stack_parts

    arch = preset_architecture(model)
    gpus = [n for n in (1, 2, 8) if arch.num_attention_heads % n == 0 and
            (arch.is_mla or arch.num_kv_heads % n == 0 or n % arch.num_kv_heads == 0)]
    checked = 0
    for fmt in WEIGHT_FORMATS.values():
        weights = weight_bytes(arch, fmt).total_bytes
        for kv, block_size in ((KV16, 0), (kv_format("int4-g64"), 16)):
            kv_total = kv_total_bytes(arch, kv, block_size)
            for n in gpus:
                for chunk in (0, 2, 8192):
                    parts = stack_parts(arch, weights, fmt, kv_total, n, chunk)
                    for context, batch in ((1, 1), (2, 1), (1, 3), (4096, 1), (8191, 7), (131072, 64)):
                        total = sum(parts(context, batch))
                        assert total == memory_stack(arch, fmt, kv, context, batch, n, block_size,
                                                     chunk).total, (fmt.id, n, chunk, context)
                        act = activation_bytes(arch, context, batch, chunk, n)
                        cache = kv_cache_bytes(arch, kv, context, batch, block_size).total_bytes
                        assert parts(context, batch) == (
                            -(-weights // n), -(-cache // kv_shards(arch, n)),
                            max(act.peak_bytes, kernel_workspace_bytes(arch, fmt, act.prefill_tokens_in_flight, n)),
                            RUNTIME_OVERHEAD_BYTES), (fmt.id, n, chunk, context)
                        checked += 1
    assert checked >= 1000


def test_the_share_of_memory_the_engine_may_use_decides_the_fit():
    import pytest

    gpu = accelerator("rtx-4090")
    whole = fit(LLAMA8, BF16, KV16, gpu, context=8192, memory_utilization=1.0)
    share = fit(LLAMA8, BF16, KV16, gpu, context=8192, memory_utilization=0.7)
    assert whole.capacity_bytes == gpu.allocatable_bytes and whole.max_batch > share.max_batch
    assert not share.fits or share.free_bytes < whole.free_bytes
    for bad in (0.0, 1.5, float("nan"), True, "0.9"):
        with pytest.raises(CalculatorError, match="share of GPU memory"):
            fit(LLAMA8, BF16, KV16, gpu, memory_utilization=bad)


def test_70b_bf16_does_not_fit_one_h100_but_nf4_does():
    arch = preset_architecture("llama-3.1-70b")
    gpu = accelerator("h100-sxm")
    assert not fit(arch, BF16, KV16, gpu, context=4096).fits
    assert fit(arch, BF16, KV16, gpu, 2, context=4096).fits
    nf4 = fit(arch, weight_format("nf4"), KV16, gpu, context=4096)
    assert nf4.fits and nf4.max_context > 4096


def test_nothing_fits_gives_zero_limits():
    result = fit(preset_architecture("llama-3.1-405b"), BF16, KV16, accelerator("t4"), context=1)
    assert not result.fits and result.max_context == 0 and result.max_batch == 0


def test_chunked_prefill_bounds_activations():
    whole = activation_bytes(LLAMA8, 32768, batch=4, prefill_chunk=0)
    chunked = activation_bytes(LLAMA8, 32768, batch=4, prefill_chunk=2048)
    assert chunked.prefill_tokens_in_flight == 2048 and whole.prefill_tokens_in_flight == 4 * 32768
    assert chunked.prefill_bytes * 64 == whole.prefill_bytes


@pytest.mark.parametrize("gpus, message", [(3, "cannot split 32 attention heads"), (0, "at least 1"),
                                           (64, "cannot split")])
def test_bad_gpu_counts(gpus, message):
    with pytest.raises(CalculatorError, match=message):
        fit(LLAMA8, BF16, KV16, accelerator("h100-sxm"), gpus)


def test_the_largest_context_never_exceeds_the_models_own_limit():
    from calculators import accelerator, fit, kv_format, preset_architecture, weight_format

    arch = preset_architecture("llama-3.1-8b")
    assert arch.max_context == 131072  # max_position_embeddings in its config.json
    result = fit(arch, weight_format("nf4"), kv_format("fp8-e4m3"), accelerator("b200"), context=4096)
    assert result.max_context == 131072 and result.context_capped and result.model_context == 131072
    # memory binds first on a small card: the limit is memory's, below the model's
    small = fit(arch, weight_format("bf16"), kv_format("bf16"), accelerator("rtx-4090"), context=1024)
    assert 0 < small.max_context < 131072 and not small.context_capped


def test_the_context_limit_is_read_from_config_json():
    import pytest

    from calculators import CalculatorError, architecture_from_config, preset_configs

    config = dict(preset_configs.PRESET_CONFIGS["llama-3.1-8b"]["config"])
    assert architecture_from_config(config).max_context == 131072
    del config["max_position_embeddings"]
    assert architecture_from_config(config).max_context == 0
    with pytest.raises(CalculatorError, match="max_position_embeddings"):
        architecture_from_config(dict(config, max_position_embeddings="long"))
    gpt2 = dict(preset_configs.PRESET_CONFIGS["gpt2"]["config"]) if "gpt2" in preset_configs.PRESET_CONFIGS else None
    if gpt2 is not None:
        assert architecture_from_config(gpt2).max_context == gpt2["n_positions"]


def test_the_fit_page_says_when_the_models_limit_binds_or_is_passed():
    from calculators.web import compute

    capped = compute("fit", {"model": "llama-3.1-8b", "format": "nf4", "gpu": "b200", "context": "4096"})
    assert capped["ok"] and "the model's own limit" in capped["html"]
    beyond = compute("fit", {"model": "llama-3.1-8b", "format": "nf4", "gpu": "b200", "context": "200000"})
    assert beyond["ok"] and "beyond the 131,072 tokens this model was made for" in beyond["html"]


def _bisection(cost, capacity, limit):
    """The plain bisection _largest replaces: the largest n in [1, limit] with cost(n) <= capacity, or 0."""
    if cost(1) > capacity:
        return 0
    low, high = 1, limit
    while low < high:
        middle = (low + high + 1) // 2
        if cost(middle) <= capacity:
            low = middle
        else:
            high = middle - 1
    return low


@given(per_token=st.integers(0, 10**6), windowed=st.integers(0, 10**6), window=st.integers(1, 2**20),
       block=st.integers(1, 4096), per_block=st.integers(0, 10**8), fixed=st.integers(0, 10**11),
       capacity=st.integers(0, 10**12), limit=st.integers(1, 2**24))
def test_the_search_finds_what_bisection_finds(per_token, windowed, window, block, per_block, fixed, capacity,
                                               limit):
    # Shaped like the memory stack: a linear part, a part that stops growing at a window, paging in blocks.
    def cost(n):
        return fixed + per_token * n + windowed * min(n, window) + per_block * -(-n // block)
    assert _largest(cost, capacity, limit) == _bisection(cost, capacity, limit)


def test_a_straight_cost_is_searched_in_a_few_steps():
    calls = []

    def cost(n):
        calls.append(n)
        return 1_000_000 + 131_072 * n
    found = _largest(cost, 80 * 2**30, 1 << 24)
    assert found == (80 * 2**30 - 1_000_000) // 131_072 and len(calls) <= 5
    # A step the line through the ends cannot foresee is still found, by the halving steps.
    steps = []
    assert _largest(lambda n: steps.append(n) or (0 if n < 2 else 10), 5, 1 << 24) == 1
    assert len(steps) <= 2 * 24 + 2


def test_a_per_head_cache_splits_over_gpus_where_a_latent_is_copied():
    minicpm3 = architecture_from_config(MINICPM3_4B)
    one, two = (memory_stack(minicpm3, BF16, KV16, 8192, 1, num_gpus=n) for n in (1, 2))
    assert two.kv_cache == one.kv_cache // 2  # vLLM caches it per head, and heads split
    deepseek = preset_architecture("deepseek-v3")
    assert memory_stack(deepseek, BF16, KV16, 8192, 1, num_gpus=8).kv_cache == \
        memory_stack(deepseek, BF16, KV16, 8192, 1).kv_cache  # the latent is on every GPU
