"""The calculators against our own measurements: predicted and measured weight bytes, KV-cache bytes and
peak memory, and the roofline's lower bound on a decode step against the measured step time.

Only results on a calculators preset can be predicted (the reference models are not presets). The
predictions are recomputed here from `calculators`, at build time, for each measured workload.
"""

import math
from dataclasses import dataclass

import calculators
import calculators.fitting
from generator.records import analysis

from ..charts import Chart, chart_html, figure, hbar_layout, hbars
from . import tables
from .tables import html_table

# The accelerator preset a measured device corresponds to, for the roofline's bandwidth and peak rates.
DEVICE_PRESETS = {"NVIDIA H200": "h200-sxm", "NVIDIA H100 80GB HBM3": "h100-sxm", "NVIDIA H100 PCIe": "h100-pcie",
                  "NVIDIA A100-SXM4-80GB": "a100-sxm-80gb"}
# How far a memory prediction may be off before the page flags it (and the calculator needs fixing).
TOLERANCE = 0.02


@dataclass(frozen=True)
class Check:
    row: object  # dataset.Row
    quantity: str
    metric: str
    predicted: float
    what: str  # what the prediction adds up

    @property
    def measured(self) -> float:
        return self.row.metrics[self.metric]

    @property
    def error(self) -> float:
        return (self.measured - self.predicted) / self.predicted


def predictable(row):
    """(architecture, weight format) of an ok result on a calculators preset in a known format, else None:
    only those can be predicted."""
    if not row.ok or row.model not in calculators.PRESETS:
        return None
    try:
        return calculators.preset_architecture(row.model), calculators.weight_format(row.weight_format)
    except calculators.CalculatorError:
        return None


# The bench's own checks (generator.records.analysis.memory_checks) of weights and the KV cache, as the page
# names them: (quantity, metric, what the prediction adds up).
ANALYSIS_CHECKS = {"weights": ("weights", "weight_bytes", "calculators.weight_bytes"),
                   "kv cache": ("KV cache after the prompt", "kv_cache_bytes",
                                "calculators.kv_cache_bytes, 16-bit, prompt tokens")}


def memory_checks(rows) -> list:
    """Weights and KV cache as the bench checks them (analysis.memory_checks), and the peak, per result."""
    bench = {}  # (id of the result, quantity) -> predicted bytes
    for run in {id(row.run): row.run for row in rows}.values():
        for check in analysis.memory_checks(run.record):
            bench[id(check.result), check.quantity] = check.predicted_bytes
    checks = []
    for row in rows:
        found = predictable(row)
        if found is None:
            continue
        arch, fmt = found
        workload = row.result["workload"]
        for key, (quantity, metric, what) in ANALYSIS_CHECKS.items():
            if (id(row.result), key) in bench:
                checks.append(Check(row, quantity, metric, bench[id(row.result), key], what))
        if "peak_bytes" in row.metrics:
            context = workload["prompt_tokens"] + workload["new_tokens"]
            stack = calculators.memory_stack(arch, fmt, calculators.kv_format("bf16"), context, workload["batch"])
            checks.append(Check(row, "peak allocated", "peak_bytes",
                                stack.weights + stack.kv_cache + stack.activations,
                                "weights + KV cache at the full context + the larger of activations and kernel "
                                "workspace (calculators.memory_stack, without its fixed runtime overhead, which "
                                "max_memory_allocated does not see)"))
    return checks


@dataclass(frozen=True)
class WorkspacePoint:
    """One measured peak of a format with a kernel workspace: what the workspace had to hold (peak less the
    predicted weights and KV cache) in units of calculators.workspace_unit."""

    row: object
    kind: str
    needed_bytes: int
    unit_bytes: int
    activation_bytes: int  # the activation estimate: where it covers the need, the point binds no constant

    @property
    def ratio(self) -> float:
        return self.needed_bytes / self.unit_bytes

    @property
    def binding(self) -> bool:
        return self.needed_bytes > self.activation_bytes


def workspace_points(rows) -> list:
    points = []
    for row in rows:
        found = predictable(row) if "peak_bytes" in row.metrics else None
        if found is None:
            continue
        arch, fmt = found
        kind = calculators.fitting.workspace_kind(fmt)
        if kind is None:
            continue
        workload = row.result["workload"]
        context = workload["prompt_tokens"] + workload["new_tokens"]
        kv = calculators.kv_cache_bytes(arch, calculators.kv_format("bf16"), context, workload["batch"]).total_bytes
        activations = calculators.activation_bytes(arch, context, workload["batch"],
                                                   calculators.fitting.DEFAULT_PREFILL_CHUNK)
        needed = row.metrics["peak_bytes"] - calculators.weight_bytes(arch, fmt).total_bytes - kv
        unit = calculators.fitting.workspace_unit(arch, kind, activations.prefill_tokens_in_flight)
        points.append(WorkspacePoint(row, kind, needed, unit, activations.peak_bytes))
    return points


def fitted_workspace(points) -> dict:
    """kind -> the constant, on a grid of 0.1, that makes the worst error of the peak prediction
    (weights + KV + max(activation estimate, constant x unit), against the measured peak) smallest over
    the points of the kind; the smallest such constant on a tie (0.0 where the activations alone do best)."""
    fitted = {}
    for kind in sorted({point.kind for point in points}):
        chosen = [point for point in points if point.kind == kind]
        top = math.ceil(max(point.ratio for point in chosen) * 10) + 1
        fitted[kind] = min((tenths / 10 for tenths in range(top + 1)),
                           key=lambda k: (round(_worst_error(chosen, k), 9), k))
    return fitted


def _worst_error(points, constant: float) -> float:
    return max(abs(max(point.activation_bytes, int(constant * point.unit_bytes)) - point.needed_bytes)
               / point.row.metrics["peak_bytes"] for point in points)


def calculator_constants() -> dict:
    fitting = calculators.fitting
    return {"bnb-4bit": fitting.BNB_4BIT_DEQUANT_COPIES, "llm-int8": fitting.LLM_INT8_COPIES,
            **{f"w8a8-{compute}": value for compute, value in fitting.W8A8_BYTES_PER_TOKEN_ELEMENT.items()}}


UNITS = {"bnb-4bit": "copies of the largest quantized matrix in 16-bit",
         "llm-int8": "copies of the largest matrix in 16-bit",
         "w8a8-int8": "bytes per token in flight per element of the widest layer",
         "w8a8-fp8": "bytes per token in flight per element of the widest layer"}


def workspace_html(rows) -> str:
    points = workspace_points(rows)
    if not points:
        return "<p class=\"missing\">No peak memory of a format with a kernel workspace has been measured.</p>"
    fitted = fitted_workspace(points)
    constants = calculator_constants()
    table_rows = [[p.row.method, p.row.batch, p.kind, tables.measured(p.row, "peak_bytes", tables.exact_bytes),
                   tables.exact_bytes(p.needed_bytes), tables.exact_bytes(p.activation_bytes),
                   tables.exact_bytes(p.unit_bytes), f"{p.ratio:.3f}" + ("" if p.binding else
                                                                           " (the activations cover it)")]
                  for p in points]
    fit_rows = [[kind, UNITS[kind], f"{fitted[kind]:.1f}", f"{constants.get(kind, float('nan')):.1f}"]
                for kind in sorted(fitted)]
    return ("<p>The kernels of some formats allocate buffers the activation estimate does not hold: "
            "bitsandbytes 4-bit multiplies a prompt through a 16-bit copy of each weight, LLM.int8() keeps "
            "int8 and 16-bit copies for its outlier decomposition, and W8A8 methods quantize activations on "
            "the fly. The calculators model each as a workspace (the larger of it and the activation "
            "estimate counts), with a constant fitted here:  The fit "
            "is in-sample (the same measurements it is checked against), on one model shape and one card; "
            "more shapes will test it.</p>" +
            html_table(["kind", "unit", "fitted from the records", "constant in calculators/fitting.py"],
                       fit_rows) +
            html_table(["method", "batch", "kind", "measured peak bytes", "peak − weights − KV",
                        "activation estimate", "unit bytes", "ratio"], table_rows))


@dataclass(frozen=True)
class SpeedCheck:
    row: object
    way: str
    metric: str
    bound_s: float
    gpu: str

    @property
    def measured_s(self) -> float:
        return self.row.metrics[self.metric] / 1e3

    @property
    def share_of_bound(self) -> float:
        """bound / measured: the share of the roofline's speed the measurement reached."""
        return self.bound_s / self.measured_s


def speed_checks(rows) -> list:
    checks = []
    for row in rows:
        preset = DEVICE_PRESETS.get(row.run.device_name)
        found = predictable(row) if preset is not None else None
        if found is None:
            continue
        arch, fmt = found
        workload = row.result["workload"]
        gpu = calculators.accelerator(preset)
        bound = calculators.roofline(arch, fmt, calculators.kv_format("bf16"), gpu, workload["batch"],
                                     workload["prompt_tokens"],
                                     workload["prompt_tokens"] + workload["new_tokens"] // 2).decode.time_s
        for way, metric in (("generate (eager)", "decode_ms_per_token"), ("CUDA graph", "decode_graph_ms_per_token"),
                            ("torch.compile", "decode_compiled_ms_per_token")):
            if metric in row.metrics:
                checks.append(SpeedCheck(row, way, metric, bound, gpu.name))
    return checks


def _run_label(check, what: str) -> str:
    """One bar's name: what it measured and the run that measured it (a suite run more than once measures the
    same thing again, and plotly stacks bars that share a name within a trace)."""
    return f"{what}, run {check.row.run.file.split('-')[0]}"


def _memory_label(check) -> str:
    return _run_label(check, f"{check.row.method}, batch {check.row.batch}")


def memory_html(rows) -> str:
    checks = memory_checks(rows)
    if not checks:
        return "<p class=\"missing\">No measured result on a calculators preset yet.</p>"
    table_rows = []
    for check in checks:
        flag = "" if abs(check.error) <= TOLERANCE else " (over 2%)"
        table_rows.append([check.row.model, check.row.method, check.row.batch, check.quantity,
                           tables.measured(check.row, check.metric, tables.exact_bytes),
                           tables.Cell(tables.exact_bytes(check.predicted), (("data-predicted", check.what),)),
                           tables.Cell(tables.signed_percent(check.error) + flag), check.row.run.where])
    worst = {}
    for check in checks:
        worst[check.quantity] = max(worst.get(check.quantity, 0.0), abs(check.error))
    summary = "; ".join(f"{quantity}: at most {error:.2%} off over {sum(c.quantity == quantity for c in checks)} "
                        "results" for quantity, error in worst.items())
    traces = []
    for quantity in worst:
        chosen = [check for check in checks if check.quantity == quantity]
        traces.append(hbars(quantity, [_memory_label(c) for c in chosen], [100 * c.error for c in chosen]))
    categories = len({_memory_label(c) for c in checks})
    chart = Chart("memory-error-chart", "Measured memory against the calculators' prediction",
                  figure(traces, "error of the prediction (% of predicted)", "method, batch",
                         **hbar_layout(categories, len(traces))),
                  "(measured − predicted) / predicted, for every measured result on a calculators preset. Records: "
                  + ", ".join(sorted({c.row.run.file for c in checks})) + ".", "method, batch", "error (%)",
                  "{:+.3f}")
    over = [check for check in checks if abs(check.error) > TOLERANCE]
    verdict = ("<p>Every prediction is within 2% of the measurement; the peaks of formats with a kernel "
               "workspace are predicted with constants fitted to these measurements (below).</p>" if not over else
               f"<p><strong>{len(over)} predictions are more than 2% off</strong>; they are flagged in the table.</p>")
    return (f"<p>{summary}.</p>{verdict}" + chart_html(chart) +
            html_table(["model", "method", "batch", "quantity", "measured bytes", "predicted bytes", "error",
                        "measured on"], table_rows) +
            "<p class=\"chart-note\">The weight prediction is calculators.weight_bytes for the method's format; "
            "the measured weights are every parameter, buffer and quantization state tensor on the device. The "
            "peak prediction leaves out the fixed runtime overhead (the CUDA context and the allocator's reserve) "
            "that the will-it-fit calculator adds, because torch.cuda.max_memory_allocated does not count it.</p>")


def speed_html(rows) -> str:
    checks = speed_checks(rows)
    if not checks:
        return "<p class=\"missing\">No decode timing on a device with an accelerator preset yet.</p>"
    table_rows = []
    for check in checks:
        table_rows.append([check.row.model, check.row.method, check.row.batch, check.way,
                           tables.measured(check.row, check.metric, tables.ms),
                           tables.Cell(tables.ms(check.bound_s * 1e3)),
                           tables.Cell(tables.share(check.share_of_bound)), check.gpu])
    graph = [check for check in checks if check.way != "generate (eager)"]
    traces = []
    for way in ("generate (eager)", "CUDA graph", "torch.compile"):
        chosen = [check for check in checks if check.way == way and check.row.batch == 1]
        if chosen:
            traces.append(hbars(way, [_run_label(c, c.row.method) for c in chosen],
                                [100 * c.share_of_bound for c in chosen]))
    methods = len({_run_label(c, c.row.method) for c in checks if c.row.batch == 1})
    chart = Chart("roofline-share-chart", "Measured decode speed as a share of the roofline bound, batch 1",
                  figure(traces, "roofline bound / measured step time (%)", "method",
                         **hbar_layout(methods, len(traces))),
                  "The bound is calculators.roofline's decode step time for the card's specification (every "
                  "weight but the embedding rows no token looks up, and the KV cache, read once at the datasheet "
                  "bandwidth). Measured on GPU. Records: "
                  + ", ".join(sorted({c.row.run.file for c in checks})) + ".", "method", "share of the bound (%)",
                  "{:.1f}")
    best = max(graph, key=lambda c: c.share_of_bound) if graph else None
    lead = "" if best is None else (
        f"<p>The closest a measured decode came to the roofline is {best.share_of_bound:.0%} of it "
        f"({best.row.method}, {best.way}, batch {best.row.batch}). Eager generate is far from it at batch 1: "
        "its time is spent launching kernels, not reading memory.</p>")
    return lead + chart_html(chart) + html_table(["model", "method", "batch", "decoding", "measured per token",
                                                   "roofline bound", "share of the bound", "bound for"],
                                                  table_rows)
