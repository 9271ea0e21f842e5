"""The quantization playground (calculators/playground.py) against torch, its page API, and the export script
that writes its sample of real weights."""

import importlib.util
import json

import pytest

from calculators import playground
from calculators.web import compute

torch = pytest.importorskip("torch")

ROWS = playground.layers()["down_proj"]["rows"]
ACTIVATION = playground.layers()["down_proj"]["activation"]


def torch_quantize(x: torch.Tensor, bits: int, symmetric: bool) -> torch.Tensor:
    """Round-to-nearest over the last dimension of x (each row of x is one group), in float64."""
    if symmetric:
        top = 2 ** (bits - 1) - 1
        scale = x.abs().amax(dim=-1, keepdim=True) / top
        return torch.clamp(torch.round(x / scale), -top, top) * scale
    top = 2 ** bits - 1
    low = torch.clamp(x.amin(dim=-1, keepdim=True), max=0)
    high = torch.clamp(x.amax(dim=-1, keepdim=True), min=0)
    scale = (high - low) / top
    zero = torch.clamp(torch.round(-low / scale), 0, top)
    return (torch.clamp(torch.round(x / scale) + zero, 0, top) - zero) * scale


def grouped(w: torch.Tensor, granularity: str, group_size: int) -> torch.Tensor:
    """w reshaped so that each row is one group sharing a scale."""
    if granularity == "group":
        return w.reshape(-1, group_size)
    return w.reshape(1, -1) if granularity == "tensor" else w


@pytest.mark.parametrize("bits", [2, 3, 4, 8])
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("granularity, group_size", [("tensor", 0), ("channel", 0), ("group", 32), ("group", 128)])
def test_weights_round_as_a_direct_torch_computation_does(bits, symmetric, granularity, group_size):
    w = torch.tensor(ROWS, dtype=torch.float64)
    expected = torch_quantize(grouped(w, granularity, group_size), bits, symmetric).reshape(w.shape)
    got = playground.quantize_rows(ROWS, bits, symmetric, granularity, group_size)
    torch.testing.assert_close(torch.tensor(got.values, dtype=torch.float64), expected, rtol=0, atol=1e-12)
    levels = 2 ** bits - (1 if symmetric else 0)
    assert len({c for row in got.codes for c in row}) <= levels
    assert got.scales == grouped(w, granularity, group_size).shape[0]


def test_8_bit_matches_torchs_own_quantized_tensors():
    """torch.quantize_per_channel and quantize_per_tensor (float32 arithmetic) agree with the playground's
    float64 rounding except, at most, where a value sits within float32 noise of a rounding tie."""
    w = torch.tensor(ROWS, dtype=torch.float64)
    scales = w.abs().amax(dim=1) / 127
    ours = torch.tensor(playground.quantize_rows(ROWS, 8, True, "channel").values, dtype=torch.float64)
    theirs = torch.quantize_per_channel(w.float(), scales.float(), torch.zeros(len(ROWS), dtype=torch.long), 0,
                                        torch.qint8).dequantize().double()
    differs = (ours - theirs).abs() > 1e-6
    assert differs.float().mean() < 1e-3
    assert ((ours - theirs).abs() <= scales[:, None] * 1.0001).all()

    x = torch.tensor(ACTIVATION, dtype=torch.float64)
    scale, zero, _, _ = playground.grid(ACTIVATION, 8, False)
    ours = torch.tensor(playground.quantize_rows([ACTIVATION], 8, False, "tensor").values[0], dtype=torch.float64)
    theirs = torch.quantize_per_tensor(x.float(), scale, zero, torch.quint8).dequantize().double()
    assert ((ours - theirs).abs() > 1e-4).float().mean() < 1e-2
    assert ((ours - theirs).abs() <= scale * 1.0001).all()


@pytest.mark.parametrize("bits, threshold", [(8, 6.0), (4, 10.0), (3, 30.0)])
def test_the_decomposition_and_the_output_error_match_torch(bits, threshold):
    w = torch.tensor(ROWS, dtype=torch.float64)
    x = torch.tensor(ACTIVATION, dtype=torch.float64)
    outliers = x.abs() >= threshold
    assert 0 < int(outliers.sum()) < len(ACTIVATION)
    w_q = torch_quantize(w[:, ~outliers], bits, True)
    x_q = torch_quantize(x[~outliers].reshape(1, -1), bits, True)[0]
    # the split-off features are multiplied in 16-bit
    expected = w_q @ x_q + w[:, outliers].half().double() @ x[outliers].half().double()
    exact = w @ x
    run = playground.run("down_proj", bits, True, "decomposition", 64, threshold)
    assert run["kept_columns"] == outliers.nonzero().flatten().tolist()
    assert run["output_relative"] == pytest.approx(float((expected - exact).norm() / exact.norm()), rel=1e-9)
    assert run["output"]["max_abs"] == pytest.approx(float((expected - exact).abs().max()), rel=1e-9)
    assert run["activation"]["mse"] == pytest.approx(
        float(((torch.where(outliers, x.half().double(), torch.zeros_like(x)) + torch.zeros_like(x).index_put(
            (~outliers).nonzero(as_tuple=True), x_q) - x) ** 2).mean()), rel=1e-9)


def test_per_group_activation_and_weights_give_the_output_torch_gives():
    w = torch.tensor(ROWS, dtype=torch.float64)
    x = torch.tensor(ACTIVATION, dtype=torch.float64)
    w_q = torch_quantize(w.reshape(-1, 64), 4, False).reshape(w.shape)
    x_q = torch_quantize(x.reshape(-1, 64), 4, False).reshape(-1)
    run = playground.run("down_proj", 4, False, "group", 64, 10.0)
    exact = w @ x
    assert run["output_relative"] == pytest.approx(float((w_q @ x_q - exact).norm() / exact.norm()), rel=1e-9)
    assert run["weights"]["mse"] == pytest.approx(float(((w_q - w) ** 2).mean()), rel=1e-9)


def test_the_page_shows_the_playgrounds_own_numbers():
    reply = compute("playground", {"bits": "4", "scheme": "asymmetric", "group_size": "128", "threshold": "12"})
    assert reply["ok"]
    direct = playground.compare("down_proj", 4, False, 128, 12.0, 0.5)
    for granularity, run in direct.items():
        shown = reply["result"]["runs"][granularity]
        assert shown["output_relative"] == run["output_relative"] and shown["weights"] == run["weights"]
        assert f"{run['output_relative']:.3%}" in reply["html"]
    assert json.loads(json.dumps(reply)) == reply


def test_one_level_grid_and_an_all_zero_group_do_not_divide_by_zero():
    values, codes = playground.quantize_group([0.0, 0.0, 0.0], 4, True)
    assert values == [0.0, 0.0, 0.0] and codes == [0, 0, 0]
    values, codes = playground.quantize_group([0.0, 0.0], 4, False)
    assert values == [0.0, 0.0]


@pytest.mark.parametrize("params, field, message", [
    ({"group_size": "100"}, "group_size", "must divide the row length, 768: try 16, 24, 32"),
    ({"group_size": ""}, "group_size", "enter the group size"),
    ({"group_size": "1"}, "group_size", "at least 2"),
    ({"bits": "NaN"}, "bits", "whole number"),
    ({"bits": "9"}, "bits", "at most 8"),
    ({"bits": "1e300"}, "bits", "at most 8"),
    ({"bits": "four"}, "bits", "whole number"),
    ({"threshold": "nan"}, "threshold", "between 0.01 and"),
    ({"threshold": "inf"}, "threshold", "between 0.01 and"),
    ({"threshold": ""}, "threshold", "enter the outlier threshold"),
    ({"threshold": "lots"}, "threshold", "must be a number"),
    ({"layer": "lm_head"}, "layer", "unknown layer"),
    ({"scheme": "both"}, "scheme", "unknown scheme"),
    ({"alpha": "1.5"}, "alpha", "migration strength must be between 0 and 1"),
    ({"layer": "q_proj", "group_size": "512"}, "group_size", "row length, 256"),
])
def test_bad_input_gets_a_message(params, field, message):
    reply = compute("playground", params)
    assert not reply["ok"] and reply["html"] == "" and reply["charts"] == []
    assert message in reply["errors"][field], reply["errors"]


def test_the_committed_sample_says_where_it_came_from():
    source = playground.source()
    assert {"model", "size", "params", "steps", "seed", "corpus_key", "commit", "date"} <= set(source)
    for layer in playground.layers().values():
        rows, width = layer["rows"], layer["shape"][1]
        assert len(layer["activation"]) == width and all(len(row) == width for row in rows)
        assert len(layer["channel_max"]) == width


# -- the export script, on a tiny llama trained for a few steps on a slice of the corpus ---------------------

def test_the_export_script_writes_the_models_own_weights_and_activation(tmp_path):
    pytest.importorskip("transformers")
    pytest.importorskip("tokenizers")
    from transformers import LlamaForCausalLM

    from generator.bench.reference import corpus, export, train
    from generator.bench.reference.tokenizer import TokenizedCorpus
    from reference_pages import first_pages

    missing = [source.package for source in corpus.SOURCES if not source.html_root.is_dir()]
    if missing:
        pytest.skip(f"documentation not installed: apt-get install {' '.join(missing)}")
    cpu = torch.device("cpu")
    pages = first_pages(corpus.SOURCES, train=1, python_scale=1)
    data = TokenizedCorpus(corpus.load_corpus(cache=tmp_path, paths=pages), vocab_size=1024, cache=tmp_path)
    # An untrained tiny llama saved as train.train saves its checkpoints (training is tested elsewhere and takes
    # minutes on a busy CPU): the export reads whatever weights the checkpoint holds.
    torch.manual_seed(0)
    model = LlamaForCausalLM(train.llama_config("tiny", data.vocab_size))
    folder = train.models_folder(data, tmp_path) / "tiny-seed0-0steps"
    model.save_pretrained(folder)
    trained = train.TrainedModel(size="tiny", path=folder, steps=0, tokens=0, train_s=0.0,
                                 params=sum(p.numel() for p in model.parameters()), validation_loss_start=0.0,
                                 validation_loss=0.0, stopped_early=False, precision=train.BF16_AUTOCAST, recipe={})
    sample = export.sample(trained, data)
    out = tmp_path / "reference_weights.py"
    export.write(sample, out)
    spec = importlib.util.spec_from_file_location("exported", out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SAMPLE == json.loads(json.dumps(sample))
    model = trained.load(cpu, dtype=torch.float32)
    down = model.model.layers[0].mlp.down_proj
    seen = []
    down.register_forward_hook(lambda mod, args, output: seen.append(args[0][0]))
    with torch.no_grad():
        model(data.ids["validation"][:export.TOKENS].long().unsqueeze(0))
    layer = module.SAMPLE["layers"]["down_proj"]
    torch.testing.assert_close(torch.tensor(layer["rows"]), down.weight[:export.ROWS], rtol=1e-5, atol=1e-9)
    torch.testing.assert_close(torch.tensor(layer["activation"]), seen[0][layer["token_position"]], rtol=1e-5,
                               atol=1e-9)
    assert seen[0].abs().amax(dim=1).argmax() == layer["token_position"]
    assert module.SAMPLE["provenance"]["size"] == "tiny" and module.SAMPLE["provenance"]["corpus_key"] == data.key


@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.85])
def test_smoothquant_matches_torch(alpha):
    layer = playground.layers()["down_proj"]
    w = torch.tensor(ROWS, dtype=torch.float64)
    x = torch.tensor(ACTIVATION, dtype=torch.float64)
    calibration = torch.tensor(layer["channel_max"], dtype=torch.float64)
    s = calibration ** alpha / w.abs().amax(dim=0) ** (1 - alpha)
    w_q = torch_quantize(w * s, 6, True)
    x_q = torch_quantize((x / s).reshape(1, -1), 6, True)[0]
    exact = w @ x
    run = playground.run("down_proj", 6, True, "smoothquant", 64, 10.0, alpha)
    assert run["output_relative"] == pytest.approx(float((w_q @ x_q - exact).norm() / exact.norm()), rel=1e-9)
    assert run["weights"]["mse"] == pytest.approx(float(((w_q / s - w) ** 2).mean()), rel=1e-9)
    assert run["activation"]["mse"] == pytest.approx(float(((x_q * s - x) ** 2).mean()), rel=1e-9)


def test_the_calibration_statistic_bounds_the_activation():
    for layer in playground.layers().values():
        assert all(abs(x) <= m for x, m in zip(layer["activation"], layer["channel_max"]))
