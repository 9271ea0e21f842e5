"""calculators.charts: the figures of every calculator page, made from the result they show."""

import json
import math

import pytest

from calculators.chart_parts import GIB
from calculators.pages import names
from calculators.pages.weights import COMPARED_WEIGHT_FORMATS
from calculators.web import compute

PAGES = names()
from generator.site.charts import figure

SAMPLES = [
    ("weights", {}),
    ("weights", {"model": "mixtral-8x7b", "format": "gptq-int4-g128"}),
    ("weights", {"model": "deepseek-v3", "format": "bf16"}),
    ("kv", {}),
    ("kv", {"model": "gemma-2-9b", "context": "32768", "batch": "8", "kv_format": "fp8-e4m3"}),
    ("kv", {"model": "deepseek-v3", "context": "1", "block_size": "16"}),
    ("fit", {}),
    ("fit", {"model": "qwen3-30b-a3b", "format": "bf16", "gpu": "rtx-4090", "gpus": "1"}),
    ("roofline", {}),
    ("roofline", {"model": "qwen3-30b-a3b", "format": "int4-tinygemm-g128", "gpu": "a100-sxm-80gb",
                  "batch": "32", "prompt": "2048"}),
    ("roofline", {"batch": "65536", "prompt": "1048576"}),
    ("speculative", {}),
    ("speculative", {"acceptance": "0", "draft_tokens": "0", "draft_cost": "1"}),
    ("speculative", {"acceptance": "1", "draft_tokens": "16", "draft_cost": "0"}),
    ("training", {}),
    ("training", {"model": "qwen2.5-7b", "method": "lora", "optimizer": "adamw-8bit", "checkpointing": ""}),
]


def charts(page, params=None):
    reply = compute(page, params or {})
    assert reply["ok"], reply["errors"]
    return reply["result"], {chart["id"]: chart for chart in reply["charts"]}


def trace(chart, name):
    (found,) = [t for t in chart["data"] if t["name"] == name]
    return found


def numbers(value):
    return [value] if isinstance(value, (int, float)) else []


@pytest.mark.parametrize("page, params", SAMPLES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(SAMPLES)])
def test_every_figure_is_whole_finite_and_what_plotly_accepts(page, params):
    reply = compute(page, params)
    assert reply["ok"] and reply["charts"]
    assert json.loads(json.dumps(reply["charts"], allow_nan=False)) == reply["charts"]
    ids = [chart["id"] for chart in reply["charts"]]
    assert len(set(ids)) == len(ids)
    for chart in reply["charts"]:
        assert set(chart) == {"id", "title", "data", "layout", "x_title", "y_title", "y_format"}
        assert chart["title"] and chart["y_title"] and chart["y_format"].format(1.5)
        for t in chart["data"]:
            assert t["type"] in ("scatter", "bar") and t["name"]
            assert len(t["x"]) == len(t["y"]) > 0
            for value in t["x"] + t["y"]:
                assert type(value) in (int, float, str)
                assert not isinstance(value, float) or math.isfinite(value)
        # Plotly's own classes take the figure as it is: the build embeds exactly what the browser draws live.
        checked = figure(chart["data"], chart["x_title"], chart["y_title"], **chart["layout"])
        assert checked == {"data": chart["data"], "layout": chart["layout"]}


def test_weights_charts_are_the_bytes_by_part_and_the_other_formats():
    result, figures = charts("weights", {"model": "mixtral-8x7b", "format": "gptq-int4-g128"})
    parts = trace(figures["weights-by-part"], result["format_label"])
    assert parts["orientation"] == "h"
    expected = [size / 2**30 for size in result["parts"].values() if size] + [result["metadata_bytes"] / 2**30]
    assert parts["x"] == expected
    assert "Routed experts" in parts["y"] and parts["y"][-1] == "Quantization metadata"
    assert sum(parts["x"]) == pytest.approx(result["total_bytes"] / GIB)
    formats = trace(figures["weights-formats"], "total")
    assert formats["x"] == [c["total_bytes"] / 2**30 for c in result["comparison"]]
    assert len(formats["y"]) == len(COMPARED_WEIGHT_FORMATS)
    solid = [label for label, opacity in zip(formats["y"], formats["marker"]["opacity"]) if opacity == 1]
    assert solid == ["GPTQ 4-bit g128"] == [result["format_label"]]


def test_kv_chart_is_every_format_against_context_with_the_result_marked():
    result, figures = charts("kv", {"model": "qwen3-8b", "context": "20000", "batch": "3", "kv_format": "int8"})
    chart = figures["kv-context"]
    assert "3 sequences" in chart["title"]
    for series in result["series"]:
        line = trace(chart, series["label"])
        assert line["x"] == series["context"] and line["y"] == [b / 2**30 for b in series["bytes"]]
        assert max(line["x"]) == 20000
    marker = chart["data"][-1]
    assert marker["x"] == [20000] and marker["y"] == [result["total_bytes"] / 2**30]


def test_fit_chart_stacks_the_memory_under_the_capacity_line():
    result, figures = charts("fit")
    chart = figures["fit-memory"]
    assert chart["layout"]["barmode"] == "stack"
    stacked = [t["y"][0] for t in chart["data"] if t["type"] == "bar"]
    assert stacked == [result["stack"][k] / 2**30 for k in ("weights", "kv_cache", "activations", "overhead")]
    assert sum(stacked) == pytest.approx(result["total_bytes"] / 2**30)
    capacity = result["capacity_bytes"] / 2**30
    assert trace(chart, "GPU memory")["y"] == [capacity]
    (line,) = chart["layout"]["shapes"]
    assert line["y0"] == line["y1"] == capacity


def test_roofline_charts_are_the_roof_with_both_operating_points_and_decode_over_batch():
    result, figures = charts("roofline")
    chart = figures["roofline-chart"]
    assert chart["layout"]["xaxis"]["type"] == chart["layout"]["yaxis"]["type"] == "log"
    roof = trace(chart, "attainable TFLOP/s")
    assert result["ridge_point"] in roof["x"]
    for x, y in zip(roof["x"], roof["y"]):
        assert y == min(result["peak_flops_s"], result["bandwidth_bytes_s"] * x) / 1e12
    for step in ("prefill", "decode"):
        point = trace(chart, step)
        assert point["x"] == [result[step]["intensity"]]
        assert point["y"] == [result[step]["flops"] / result[step]["time_s"] / 1e12]
        assert min(roof["x"]) <= point["x"][0] <= max(roof["x"])
    batch = figures["roofline-batch"]
    for expected in [result["sweep"]] + result["compared"]:  # the chosen format and those set beside it
        sweep = trace(batch, expected["label"])
        assert sweep["x"] == expected["batch"] and sweep["y"] == expected["tokens_per_s"]
    assert [t["name"] for t in batch["data"][:4]] == ["BF16", "FP8 E4M3", "AWQ 4-bit g128"] + ["batch 1"]
    assert batch["data"][-1]["x"] == [1] and batch["data"][-1]["y"] == [result["tokens_per_s"]]


def test_speculative_chart_is_the_speedup_curve_with_the_chosen_length():
    result, figures = charts("speculative", {"acceptance": "0.65", "draft_tokens": "7", "draft_cost": "0.12"})
    chart = figures["speculative-draft-length"]
    curve = trace(chart, "speedup")
    assert curve["x"] == result["curve"]["draft_tokens"] and curve["y"] == result["curve"]["speedup"]
    assert chart["data"][-1]["x"] == [7] and chart["data"][-1]["y"] == [result["speedup"]]


def test_training_chart_stacks_each_methods_memory():
    result, figures = charts("training")
    chart = figures["training-methods"]
    assert chart["layout"]["barmode"] == "stack"
    assert all(t["x"] == ["Full fine-tuning", "LoRA", "QLoRA"] for t in chart["data"])
    for column, row in enumerate(result["methods"].values()):
        assert sum(t["y"][column] for t in chart["data"]) == pytest.approx(row["total"] / 2**30)
    assert trace(chart, "Optimizer states")["y"] == [row["optimizer_states"] / 2**30
                                                     for row in result["methods"].values()]
    assert trace(chart, "Weights")["marker"]["opacity"][2] == 1 > trace(chart, "Weights")["marker"]["opacity"][0]


@pytest.mark.parametrize("page, params", [
    ("weights", {"model": "config", "config": "{not json"}), ("kv", {"context": "NaN"}), ("fit", {"gpus": "3"}),
    ("roofline", {"gpu": "m2-ultra"}), ("speculative", {"acceptance": "Infinity"}), ("training", {"lora_rank": "0"}),
    ("nope", {}),
])
def test_bad_input_has_no_charts(page, params):
    reply = compute(page, params)
    assert reply["ok"] is False and reply["charts"] == []


# The number-format explorer shows one value's bits in each format: a table, with nothing to plot.
WITHOUT_CHARTS = {"number_format"}


def test_every_page_has_charts():
    assert all(compute(page, {})["charts"] for page in PAGES if page not in WITHOUT_CHARTS)
    assert all(not compute(page, {})["charts"] for page in WITHOUT_CHARTS)


def test_a_point_that_is_not_finite_is_left_out():
    from calculators.chart_parts import _finite

    kept = _finite({"name": "s", "x": [1, 2, 3, 4], "y": [1.0, math.inf, math.nan, 2.0]})
    assert kept["x"] == [1, 4] and kept["y"] == [1.0, 2.0]


def test_a_bar_trace_that_names_a_category_twice_stops_the_build():
    # plotly stacks bars of one trace that share a category, which would draw a sum no result holds
    with pytest.raises(ValueError, match="names a category twice"):
        figure([{"type": "bar", "orientation": "h", "name": "weights", "y": ["bf16, batch 8", "bf16, batch 8"],
                 "x": [-0.5, -0.4]}], "error (%)", "method, batch")
    assert figure([{"type": "bar", "name": "weights", "x": ["a", "b"], "y": [1.0, 2.0]}], "x", "y")["data"]
