"""Timing discipline: a discarded warm-up, medians with their spread, and layers rotated past the L2 cache."""

import time

import pytest

torch = pytest.importorskip("torch")

from generator.bench import kernels, measure  # noqa: E402

CPU = torch.device("cpu")
H200_L2 = 60 * 1024 * 1024  # torch.cuda.get_device_properties(...).L2_cache_size on an H200


def test_a_timing_is_the_median_with_the_extremes_of_its_samples():
    timing = measure.Timing.of([0.5, 0.1, 0.3, 0.2, 0.4])
    assert (timing.median_s, timing.min_s, timing.max_s, timing.repeats) == (0.3, 0.1, 0.5, 5)
    with pytest.raises(ValueError):
        measure.Timing.of([])


def test_the_warm_up_call_is_run_but_never_counted():
    calls = []

    def work():
        calls.append(None)
        time.sleep(0.3 if len(calls) == 1 else 0.001)  # the first call pays for compilation, allocation, ...

    timing = measure.repeat_timed(work, repeats=5, device=CPU)
    assert len(calls) == 6 and timing.repeats == 5
    assert timing.max_s < 0.1


@pytest.mark.parametrize("layer_bytes, copies", [
    (4096 * 4096 * 2, 4),  # bf16 q_proj of Llama-3.1-8B, 32 MiB: 2 x 60 MiB needs 4 copies
    (14336 * 4096 * 2, 2),  # bf16 gate_proj, 112 MiB: larger than L2 already, still never the same copy twice
    (14336 * 4096 // 2 + 14336 * 32 * 4, 5),  # int4 gate_proj with its scales, 29.8 MiB
    (1024, 64),  # a tiny layer: capped
])
def test_enough_copies_of_a_layer_to_hold_twice_the_l2_cache(layer_bytes, copies):
    assert kernels.rotation_copies(layer_bytes, H200_L2) == copies
    if copies < kernels.MAX_COPIES:
        assert copies * layer_bytes >= 2 * H200_L2 or copies == 2


def test_each_timed_call_reads_the_next_copy_in_turn():
    copies = [torch.nn.Linear(8, 8) for _ in range(3)]
    order = []
    for index, module in enumerate(copies):
        module.register_forward_hook(lambda module, args, output, index=index: order.append(index))
    timing = kernels.time_eager(copies, torch.randn(2, 8), CPU, repeats=5)
    per_sample = kernels.calls_per_sample(3, kernels.CPU_MIN_CALLS)
    assert per_sample >= kernels.CPU_MIN_CALLS and per_sample % 3 == 0
    assert kernels.calls_per_sample(3) >= kernels.MIN_CALLS_PER_SAMPLE  # on CUDA
    assert len(order) == 6 * per_sample  # one warm-up sample and five timed ones
    assert all(order[i] == i % 3 for i in range(len(order)))  # never the same copy twice in a row
    assert 0 < timing.min_s <= timing.median_s <= timing.max_s


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError):
        kernels.rotation_copies(0, H200_L2)


def test_a_dequantize_and_matmul_layer_is_timed_compiled_with_the_eager_result():
    """int8 weight-only is fast only once torch.compile fuses its conversion into the matmul: the kernel sweep
    times it compiled (on CUDA; here on the CPU through the same path), and compiled it computes the same."""
    from generator.bench.methods import Int8WeightOnly
    from generator.bench.models import model_spec

    item = kernels.KernelItem(model_spec("tiny-llama"), "self_attn.q_proj", "q_proj", Int8WeightOnly(), 4, 2)
    cache = kernels.LayerCache(compile_on_cpu=True)
    copies = cache.layer_copies(item, CPU)
    assert len(copies) == kernels.CPU_MAX_COPIES
    eager = cache.model(item, CPU).model.layers[0].self_attn.q_proj
    inputs = torch.randn(4, eager.in_features, dtype=torch.bfloat16)
    with torch.inference_mode():
        assert torch.allclose(copies[1](inputs).float(), eager(inputs).float(), atol=1e-2, rtol=1e-2)
    result = kernels.measure_kernel_item(item, CPU, cache)
    assert result["status"] == "ok" and result["metrics"]["layer_ms"] > 0


def test_a_decode_time_at_or_below_zero_is_missing_not_a_division_by_zero():
    from generator.bench.runner import Measurement
    from generator.bench.whole_model import _add_decode

    names = ("decode_ms_per_token", "tokens_per_s", "bandwidth_bytes_s")
    m = Measurement("noisy", "cpu")
    _add_decode(m, names, measure.Timing(0.0, 0.0, 0.001, 5), batch=1, bytes_per_step=100)
    assert not any(name in m.metrics for name in names)
    assert all("at or below zero" in m.missing[name] for name in names)
    m = Measurement("quiet", "cpu")
    _add_decode(m, names, measure.Timing(0.002, 0.001, 0.003, 5), batch=2, bytes_per_step=100)
    assert m.metrics["tokens_per_s"] == 1000 and not m.missing
