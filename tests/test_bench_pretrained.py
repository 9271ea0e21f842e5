"""The loading path for a user's own model, on a tiny model saved locally with save_pretrained."""

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import torch  # noqa: E402

import calculators  # noqa: E402
from generator.bench.models import build_model, model_spec, pretrained_spec, weight_bytes_in_memory  # noqa: E402
from generator.records import load_record  # noqa: E402


def bench(*argv):
    import argparse

    from generator.bench import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["bench", *argv])
    return args.run(args)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    directory = tmp_path_factory.mktemp("my-model")
    model = build_model(model_spec("tiny-llama"), "cpu", seed=3)
    with torch.no_grad():  # weights no random init would give, so loading them is what is tested
        model.model.layers[0].mlp.down_proj.weight.fill_(0.125)
    model.save_pretrained(directory)
    return directory


def test_a_saved_model_loads_with_its_own_weights(saved_model):
    spec = pretrained_spec(str(saved_model))
    assert spec.kind == "pretrained" and spec.id == f"pretrained:{saved_model.name}"
    model = build_model(spec, "cpu")
    assert torch.all(model.model.layers[0].mlp.down_proj.weight == 0.125)
    assert weight_bytes_in_memory(model) - 128 == calculators.weight_bytes(
        spec.architecture, calculators.weight_format("bf16")).total_bytes  # 128: rotary inv_freq buffers


def test_the_smoke_suite_measures_a_users_model(saved_model, tmp_path):
    assert bench("--suite", "smoke", "--model", str(saved_model), "--out", str(tmp_path), "--run-id", "mine",
                 "--device", "cpu") == 0
    record = load_record(tmp_path / "mine.json")
    assert {r["model"]["kind"] for r in record["results"]} == {"pretrained"}
    assert all(r["status"] in ("ok", "unsupported") for r in record["results"])


@pytest.mark.parametrize("source, message", [("/nonexistent/model", "no local directory"),
                                             ("{tmp}", "has no config.json")])
def test_bad_sources_get_one_line(tmp_path, capsys, source, message):
    code = bench("--suite", "smoke", "--model", source.format(tmp=tmp_path), "--out", str(tmp_path),
                 "--device", "cpu")
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_an_unsupported_architecture_is_refused_before_loading(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 64}))
    assert bench("--suite", "smoke", "--model", str(tmp_path), "--out", str(tmp_path), "--device", "cpu") == 2
    assert "not supported" in capsys.readouterr().err


def test_model_is_refused_for_kernel_suites(tmp_path, capsys):
    assert bench("--suite", "kernels-smoke", "--model", str(tmp_path), "--out", str(tmp_path)) == 2
    assert "whole-model suites" in capsys.readouterr().err
