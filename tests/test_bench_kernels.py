"""The kernel micro-benchmark on the CPU: one linear layer per method and token count."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import calculators  # noqa: E402
from generator.bench import methods  # noqa: E402
from generator.bench.models import TINY_LLAMA_CONFIG  # noqa: E402

from generator.bench.kernels import LAYERS  # noqa: E402
from generator.bench.suites import SMOKE_KERNEL_TOKENS  # noqa: E402
from generator.records import load_record  # noqa: E402


def run_suite(out, *extra):
    import argparse

    from generator.bench import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["bench", "--suite", "kernels-smoke", "--out", str(out), "--device", "cpu", *extra])
    return args.run(args)


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    """The sweep stopped by its budget after its first results, then rerun to the end under the same run id:
    (the record as the budget left it, the finished record). The finished one is the module's record.

    A budget of one second: the first item starts at once (a budget of a millisecond could be spent before
    it, on a slow machine), and 90 items of several timed calls each cannot all fit in it."""
    out = tmp_path_factory.mktemp("kernels")
    assert run_suite(out, "--budget-s", "1", "--run-id", "kernels-resume") == 3
    partial = load_record(out / "kernels-resume.json")
    assert run_suite(out, "--run-id", "kernels-resume") == 0
    (path,) = out.glob("*.json")
    return partial, load_record(path)


@pytest.fixture(scope="module")
def record(resumed):
    return resumed[1]


def test_every_method_layer_and_token_count_is_measured(record):
    results = record["results"]
    expected = {(config.to_record()["id"], str(config.to_record()["config"]), label, tokens)
                for config in methods.standard_configs() for _, label in LAYERS for tokens in SMOKE_KERNEL_TOKENS}
    found = {(r["method"]["id"], str(r["method"]["config"]), r["model"]["id"].split(":")[1], r["workload"]["batch"])
             for r in results}
    assert found == expected
    assert record["run"]["finished"] is not None


def test_cpu_results_time_the_layer_and_say_why_graphs_are_missing(record):
    for result in record["results"]:
        if result["status"] != "ok":
            assert result["status"] == "unsupported" and result["error"]
            continue
        assert result["metrics"]["layer_ms"] > 0
        assert result["missing"]["layer_graph_ms"] == "CUDA graphs exist on CUDA only"
        low, high = result["spread"]["layer_ms"]["min"], result["spread"]["layer_ms"]["max"]
        assert low <= result["metrics"]["layer_ms"] <= high


def test_layer_bytes_match_the_calculators_layout(record):
    for result in record["results"]:
        if result["status"] != "ok":
            continue
        fmt = calculators.weight_format(result["method"]["weight_format"])
        layer = result["model"]["id"].split(":")[1]
        shapes = {g.name: g.shape for g in calculators.architecture_from_config(TINY_LLAMA_CONFIG).tensors()}
        out_features, in_features = shapes[layer]
        predicted = (fmt.matrix_bytes(out_features, in_features).total if "attention" in fmt.quantized_parts
                     else out_features * in_features * fmt.unquantized_bits // 8)
        assert result["metrics"]["weight_bytes"] == pytest.approx(predicted, rel=0.01), (fmt.id, layer)


def test_a_budget_stops_the_sweep_and_a_rerun_resumes_it(resumed):
    partial, whole = resumed
    assert partial["run"]["finished"] is None and len(partial["results"]) >= 1
    assert whole["run"]["finished"] is not None
    assert whole["results"][:len(partial["results"])] == partial["results"]  # kept, not measured again
    keys = [(r["method"]["id"], str(r["method"]["config"]), r["model"]["id"], r["workload"]["batch"])
            for r in whole["results"]]
    assert len(keys) == len(set(keys)) == len(methods.standard_configs()) * len(LAYERS) * len(SMOKE_KERNEL_TOKENS)


# -- speedups derived from the record ---------------------------------------------------

def _kernel_result(layer, config, tokens, eager_ms, graph_ms=None, status="ok", noise=0.01):
    """A result whose repeats spread `noise` (a fraction) either side of each median."""
    metrics = {"weight_bytes": 1, "layer_ms": eager_ms} if status == "ok" else {}
    if graph_ms is not None:
        metrics["layer_graph_ms"] = graph_ms
    spread = {name: {"min": value * (1 - noise), "max": value * (1 + noise)} for name, value in metrics.items()
              if name != "weight_bytes"}
    return {"model": {"id": layer}, "method": config.to_record(), "workload": {"batch": tokens},
            "status": status, "metrics": metrics, "spread": spread}


def test_speedups_and_the_token_count_where_a_method_stops_winning():
    from generator.records.analysis import format_kernel_speedups, kernel_speedups

    bf16, int4, int8 = methods.REFERENCE, methods.Int4WeightOnly(), methods.Int8WeightOnly()
    layer = "llama-3.1-8b-1layer:q_proj"
    results = [_kernel_result(layer, bf16, tokens, 1.0 * tokens, 0.5 * tokens) for tokens in (1, 8, 64)]
    results += [_kernel_result(layer, int4, 1, 0.25, 0.1), _kernel_result(layer, int4, 8, 4.0, 2.0),
                _kernel_result(layer, int4, 64, 128.0, 64.0)]
    results += [_kernel_result(layer, int8, 1, 2.0), _kernel_result(layer, int8, 8, 16.0),
                _kernel_result(layer, int8, 64, 0.0, status="error")]
    summaries = {(s.method, s.timing): s for s in kernel_speedups({"results": results})}
    assert set(summaries) == {("int4-tinygemm-g128", "layer_graph_ms"), ("int4-tinygemm-g128", "layer_ms"),
                              ("int8-channel", "layer_ms")}
    graph = summaries["int4-tinygemm-g128", "layer_graph_ms"]
    assert graph.speedups == pytest.approx({1: 5.0, 8: 2.0, 64: 0.5})
    assert graph.stops_winning_at == 64
    assert summaries["int4-tinygemm-g128", "layer_ms"].speedups == pytest.approx({1: 4.0, 8: 2.0, 64: 0.5})
    slower = summaries["int8-channel", "layer_ms"]
    assert slower.speedups == pytest.approx({1: 0.5, 8: 0.5}) and slower.stops_winning_at == 1
    assert not slower.wins_anywhere
    table = format_kernel_speedups(list(summaries.values()))
    assert "never measurably faster" in table and table.count("\n") == 4


def _comparisons(speedups: dict, noise: float = 0.01) -> dict:
    from generator.records.analysis import Comparison

    return {tokens: Comparison(1 / speedup, (1 / speedup * (1 - noise), 1 / speedup * (1 + noise)),
                               1.0, (1 - noise, 1 + noise)) for tokens, speedup in speedups.items()}


def test_a_method_faster_everywhere_has_no_crossing():
    from generator.records.analysis import KernelSpeedup

    assert KernelSpeedup("l", "m", "layer_ms", _comparisons({1: 3.0, 8: 0.9, 64: 1.1})).stops_winning_at is None
    assert KernelSpeedup("l", "m", "layer_ms", _comparisons({1: 3.0, 8: 1.2, 64: 0.9})).stops_winning_at == 64


def test_a_speedup_inside_the_spread_of_the_repeats_is_no_win():
    from generator.records.analysis import FASTER, SLOWER, WITHIN_SPREAD, KernelSpeedup

    noisy = _comparisons({1: 1.05, 8: 1.3, 64: 0.97}, noise=0.05)  # +-5%: 1.05 and 0.97 overlap bf16's range
    assert [noisy[tokens].verdict for tokens in (1, 8, 64)] == [WITHIN_SPREAD, FASTER, WITHIN_SPREAD]
    summary = KernelSpeedup("l", "m", "layer_ms", noisy)
    assert summary.wins_anywhere and summary.stops_winning_at == 64
    assert not KernelSpeedup("l", "m", "layer_ms", _comparisons({1: 1.05}, noise=0.05)).wins_anywhere
    assert _comparisons({1: 0.5}, noise=0.05)[1].verdict == SLOWER


def test_the_cpu_sweep_gives_a_speedup_for_every_method_that_ran(record):
    from generator.records.analysis import kernel_speedups

    summaries = kernel_speedups(record)
    ran = {(r["model"]["id"], r["method"]["id"], str(r["method"]["config"])) for r in record["results"]
           if r["status"] == "ok" and r["method"] != methods.REFERENCE.to_record()}
    assert len(summaries) == len(ran)  # eager only: no graph timing on a CPU
    assert all(summary.timing == "layer_ms" and set(summary.speedups) == set(SMOKE_KERNEL_TOKENS)
               for summary in summaries)
    assert all(speedup > 0 for summary in summaries for speedup in summary.speedups.values())
