"""Our measured GPU decode steps on the roofline: each point is a result of a `gpu-decode` record in gpu_runs/,
placed at the step's arithmetic intensity (from calculators.roofline, for the measured workload) and at the
FLOP rate it reached (the step's FLOPs divided by the measured time per token).

The roof is the one calculators.roofline draws for the accelerator preset of the measured device: the
datasheet bandwidth times the intensity, capped by the dense peak rate of the format's matrix products.
Where a later record measured the same model, method and workload again, only the later result is shown
(as on the Results pages).
"""

from dataclasses import dataclass
from html import escape

import calculators
from generator.records.analysis import DECODE_TIMINGS
from generator.site.charts import Chart, chart_html, figure
from generator.site.results import dataset as results_dataset
from generator.site.results.calibration import DEVICE_PRESETS, predictable
from generator.site.results.device import speed_rows

__all__ = ["measured_roofline", "measured_decode"]

WAYS = {"eager": "generate (eager)", "graph": "CUDA graph", "compiled": "torch.compile"}


@dataclass(frozen=True)
class Point:
    """One measured decode timing of one result, beside the roofline's bound for the same workload."""

    row: object  # results.dataset.Row
    way: str  # "eager", "graph" or "compiled"
    metric: str  # the record's metric: milliseconds per decode step
    bound: object  # calculators.Roofline for the measured workload
    gpu: object  # calculators.Accelerator

    @property
    def measured_s(self) -> float:
        return self.row.metrics[self.metric] / 1e3

    @property
    def intensity(self) -> float:
        return self.bound.decode.intensity

    @property
    def achieved_flops_s(self) -> float:
        return self.bound.decode.flops / self.measured_s

    @property
    def measured_tokens_per_s(self) -> float:
        return self.row.batch / self.measured_s

    @property
    def bound_tokens_per_s(self) -> float:
        return self.bound.tokens_per_s

    @property
    def share_of_bound(self) -> float:
        return self.bound.decode.time_s / self.measured_s


def points(data=None) -> list:
    """Every decode timing of the GPU decode suites that the calculators can predict, in record order."""
    data = data or results_dataset.load_dataset(results_dataset.build_records())
    found = []
    rows = [row for row in data.rows
            if row.run.on_gpu and row.run.header["suite"].startswith("gpu-decode")]
    for row in speed_rows(rows):
        preset = DEVICE_PRESETS.get(row.run.device_name)
        known = predictable(row) if preset else None
        if known is None:
            continue
        arch, fmt = known
        gpu = calculators.accelerator(preset)
        workload = row.result["workload"]
        # The KV cache a mid-generation step reads: the prompt and half the new tokens, as on Results.
        bound = calculators.roofline(arch, fmt, calculators.kv_format("bf16"), gpu, workload["batch"],
                                     workload["prompt_tokens"],
                                     workload["prompt_tokens"] + workload["new_tokens"] // 2)
        for way, metric, _ in DECODE_TIMINGS:
            if metric in row.metrics:
                found.append(Point(row, way, metric, bound, gpu))
    return found


@dataclass(frozen=True)
class MeasuredDecode:
    """What the roofline page says of the points in its own words, worked out from them."""

    device: str  # the measured device(s), joined
    best_share: float  # the largest share of the bound any point reached
    best_quantized_share: float | None  # ... any point of a quantized format (None if none was measured)


def measured_decode() -> MeasuredDecode | None:
    """None where the records the build reads hold no decode timing on an accelerator preset."""
    found = points()
    if not found:
        return None
    devices = list(dict.fromkeys(point.row.run.device_name for point in found))
    quantized = [point.share_of_bound for point in found
                 if point.row.result["method"].get("weight_format") not in (None, "bf16")]
    return MeasuredDecode(" and ".join(devices), max(point.share_of_bound for point in found),
                          max(quantized, default=None))


def _roof(gpu, compute: str, low: float, high: float) -> dict:
    """The roof of one peak rate: min(peak, bandwidth x intensity), sampled on a log grid with its corner."""
    peak = calculators.peak_rate(gpu, compute).flops_s
    ridge = peak / gpu.bandwidth_bytes_s
    xs, x = [], low
    while x < high:
        xs.append(x)
        x *= 2
    xs = sorted(set(xs + [ridge, high]))
    return {"type": "scatter", "mode": "lines", "name": f"roof, {compute.upper()} peak",
            "x": xs, "y": [min(peak, gpu.bandwidth_bytes_s * x) / 1e12 for x in xs], "hoverinfo": "skip"}


def _label(point: Point) -> str:
    return f"{point.row.method}, batch {point.row.batch}"


def chart(found: list) -> Chart:
    gpu = found[0].gpu
    traces = [_roof(gpu, "bf16", 0.5, 2048)]
    if any(point.bound.compute_used in ("fp8", "int8") for point in found):
        traces.append(_roof(gpu, "fp8", 0.5, 2048))
    for way, name in WAYS.items():
        chosen = [point for point in found if point.way == way]
        if chosen:
            traces.append({"type": "scatter", "mode": "markers", "name": f"measured, {name}",
                           "x": [point.intensity for point in chosen],
                           "y": [point.achieved_flops_s / 1e12 for point in chosen],
                           "text": [f"{_label(point)} ({point.row.run.file})" for point in chosen],
                           # where each point's time comes from: record file, result index, metric
                           "customdata": [[point.row.run.file, point.row.index, point.metric] for point in chosen],
                           "hovertemplate": "%{text}<br>%{x:.3g} FLOP/byte, %{y:.3g} TFLOP/s<extra></extra>"})
    files = sorted({point.row.run.file for point in found})
    return Chart("measured-roofline", f"Our decode steps on the {gpu.name} roofline",
                 figure(traces, "arithmetic intensity of a decode step (FLOP per byte)",
                        "FLOP rate (TFLOP/s)", xaxis={"type": "log"}, yaxis={"type": "log"}, height=460),
                 "Roofs: calculators/ for the card's datasheet (bandwidth and dense peak). Points: measured on GPU, "
                 "a random-init Llama 3.1 8B decoding after a 512-token prompt; the step's FLOPs and intensity are "
                 "calculators.roofline's for the measured workload, the rate is those FLOPs over the measured time "
                 "per step. Records: " + ", ".join(files) + ".",
                 "intensity (FLOP/byte)", "TFLOP/s", "{:,.3g}")


def _table(found: list, page) -> str:
    head = "".join(f"<th scope=\"col\">{escape(column)}</th>" for column in (
        "method", "batch", "decoding", "measured per step", "tokens/s measured", "roofline bound per step",
        "tokens/s bound", "share of the bound", "record"))
    body = []
    for point in found:
        row = point.row
        link = results_dataset.record_href(page, row.run.file)
        body.append(
            "<tr>"
            f"<td>{escape(row.method)}</td><td>{row.batch}</td><td>{escape(WAYS[point.way])}</td>"
            f"<td data-record=\"{escape(row.run.file)}\" data-result=\"{row.index}\" "
            f"data-metric=\"{escape(point.metric)}\" data-value=\"{row.metrics[point.metric]!r}\">"
            f"{row.metrics[point.metric]:,.2f} ms</td>"
            f"<td>{point.measured_tokens_per_s:,.0f}</td>"
            f"<td>{point.bound.decode.time_s * 1e3:,.2f} ms</td><td>{point.bound_tokens_per_s:,.0f}</td>"
            f"<td>{point.share_of_bound:.0%}</td>"
            f"<td><a href=\"{escape(link)}\">{escape(row.run.file)}</a> (result {row.index})</td></tr>")
    return ("<div class=\"results-table\" role=\"region\" tabindex=\"0\" "
            "aria-label=\"Measured decode steps against the roofline bound\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _conditions(found: list) -> str:
    """Where and with what each record was measured, and the copy bandwidth its bench measured on the card."""
    runs = {point.row.run.file: (point.row.run, point.gpu) for point in found}
    parts = []
    for file, (run, gpu) in sorted(runs.items()):
        header, versions = run.header, run.header["versions"]
        copy = header["device"].get("measured_bandwidth_bytes_s")
        measured = "" if not copy else (f", measured copy bandwidth {copy / 1e12:.2f} TB/s "
                                        f"({copy / gpu.bandwidth_bytes_s:.0%} of the datasheet's "
                                        f"{gpu.bandwidth_bytes_s / 1e12:.1f} TB/s)")
        parts.append(f"{escape(file)}: {escape(run.device_name)}, {run.date}, commit {header['git_commit'][:7]}, "
                     f"torch {escape(versions.get('torch') or '-')}, transformers "
                     f"{escape(versions.get('transformers') or '-')}, driver {escape(versions.get('driver') or '-')}"
                     + measured)
    return "<p class=\"chart-note\">Measured on GPU. " + "; ".join(parts) + ".</p>"


def measured_roofline(page=None) -> str:
    """The chart, the table of every point with a link to its record, and the conditions of the runs."""
    found = sorted(points(), key=lambda point: point.row.batch)  # batch 1 first; record order within a batch
    if not found:
        return "<p class=\"missing\">No GPU decode record on an accelerator preset yet.</p>"
    return chart_html(chart(found)) + _table(found, page) + _conditions(found)
