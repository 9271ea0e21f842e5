"""The kernel micro-benchmark on the CPU: one linear layer per method and token count."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import calculators  # noqa: E402
from generator.bench import methods  # noqa: E402
from generator.bench.models import TINY_LLAMA_CONFIG  # noqa: E402

from generator.bench.kernels import LAYERS  # noqa: E402
from generator.bench.records import load_record  # noqa: E402


def run_suite(out, *extra):
    import argparse

    from generator.bench import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["bench", "--suite", "kernels-smoke", "--out", str(out), "--device", "cpu", *extra])
    return args.run(args)


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    out = tmp_path_factory.mktemp("kernels")
    assert run_suite(out) == 0
    (path,) = out.glob("*.json")
    return load_record(path)


def test_every_method_layer_and_token_count_is_measured(record):
    results = record["results"]
    expected = {(config.to_record()["id"], str(config.to_record()["config"]), label, tokens)
                for config in methods.standard_configs() for _, label in LAYERS for tokens in (1, 8, 64)}
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


def test_a_budget_stops_the_sweep_and_a_rerun_resumes_it(tmp_path):
    assert run_suite(tmp_path, "--budget-s", "0.001", "--run-id", "kernels-resume") == 3
    partial = load_record(tmp_path / "kernels-resume.json")
    assert partial["run"]["finished"] is None and len(partial["results"]) >= 1
    assert run_suite(tmp_path, "--run-id", "kernels-resume") == 0
    whole = load_record(tmp_path / "kernels-resume.json")
    assert whole["run"]["finished"] is not None
    keys = [(r["method"]["id"], str(r["method"]["config"]), r["model"]["id"], r["workload"]["batch"])
            for r in whole["results"]]
    assert len(keys) == len(set(keys)) == len(methods.standard_configs()) * 3 * 3
