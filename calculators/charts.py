"""The charts of the calculator pages, as Plotly figures built from a result of `web.compute`.

`figures(page, result)` returns plain dicts that JSON carries as they are: the
build embeds the default result's figures in the page (generator/site/hooks.py
through generator/site/charts.py) and the browser draws the figures that the
Pyodide worker returns after each edit, so both come from this one module.

Only scatter and bar traces are used (the site ships plotly.js's basic bundle)
and every number is a finite float or int: a point that is not finite is left
out rather than written as NaN or Infinity, which JSON cannot carry.
"""

import math

from .wizard_web import figures as wizard_figures
from .render import FIT_PARTS, METADATA_LABEL, METHOD_LABELS, PART_LABELS, TRAINING_PARTS, capitalized

GIB = 1 << 30
CAPACITY_COLOUR = "#d33"  # readable on the light and the dark theme
TERA = 1e12
# Legends above the plot, as the site's other charts have them; every position key is given so that the
# layout reads the same whatever defaults generator/site/charts.py merges it with.
LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
# A stacked chart's legend sits at the right, top to bottom like the stack (plotly reverses it for stacks).
STACK_LEGEND = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}
OTHERS_OPACITY = 0.45  # bars other than the inputs' own choice, which is drawn solid


UNIT_BYTES = {"GiB": GIB, "GB": 10 ** 9}


def _in(units):
    """Bytes to the page's unit (GiB or GB), as a function for a chart's values."""
    return lambda n: n / UNIT_BYTES[units]


def _axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, "automargin": True, **extra}


def _figure(ident, title, traces, x_axis, y_axis, x_title=None, y_title=None, **layout) -> dict:
    """x_title and y_title head the table view's columns; they default to the axes' titles (a horizontal bar
    chart's table has its categories as x and its values as y, the other way round from its axes)."""
    base = {"xaxis": _axis(x_axis.pop("title"), **x_axis), "yaxis": _axis(y_axis.pop("title"), **y_axis),
            "legend": dict(LEGEND), "margin": {"t": 40}}
    return {"id": ident, "title": title, "data": [_finite(trace) for trace in traces], "layout": {**base, **layout},
            "x_title": x_title or base["xaxis"]["title"]["text"], "y_title": y_title or base["yaxis"]["title"]["text"],
            "y_format": "{:,.4g}"}


def _finite(trace: dict) -> dict:
    """The trace without its points whose x or y is a non-finite number."""
    def ok(value):
        return not isinstance(value, float) or math.isfinite(value)

    points = [(x, y) for x, y in zip(trace["x"], trace["y"]) if ok(x) and ok(y)]
    return {**trace, "x": [x for x, _ in points], "y": [y for _, y in points]}


def _bar_h(name, labels, values, units) -> dict:
    """Horizontal bars with their values written at their ends."""
    sizes = [_in(units)(v) for v in values]
    return {"type": "bar", "orientation": "h", "name": name, "y": list(labels), "x": sizes,
            "text": [f"{size:,.2f}" for size in sizes], "textposition": "outside", "cliponaxis": False}


def _highlight(labels, chosen) -> dict:
    """Marker settings that draw the bar of the chosen label solid and the others faded."""
    return {"opacity": [1 if label == chosen else OTHERS_OPACITY for label in labels]}


def _marker(name, x, y) -> dict:
    """One point of a curve: the inputs the result is for."""
    return {"type": "scatter", "mode": "markers", "name": name, "x": [x], "y": [y],
            "marker": {"size": 12, "symbol": "diamond"}}


def _weights(r) -> list:
    units = r["units"]
    parts = [(PART_LABELS[part], size) for part, size in r["parts"].items() if size]
    parts.append((METADATA_LABEL, r["metadata_bytes"]))
    formats = r["comparison"]
    others = _bar_h("total", [f["short_label"] for f in formats], [f["total_bytes"] for f in formats], units)
    others["marker"] = _highlight(others["y"], r["format_short_label"])
    return [
        _figure("weights-by-part", f"Weight memory by part in {r['format_label']}",
                [_bar_h(r["format_label"], [p for p, _ in parts], [n for _, n in parts], units)],
                {"title": units}, {"title": "", "autorange": "reversed"}, x_title="part", y_title=units,
                showlegend=False),
        _figure("weights-formats", f"The same model in other formats ({r['format_short_label']} solid)",
                [others],
                {"title": units}, {"title": "", "autorange": "reversed"}, x_title="format", y_title=units,
                showlegend=False, height=30 * len(formats) + 120),
    ]


def _kv(r) -> list:
    size = _in(r["units"])
    traces = [{"type": "scatter", "mode": "lines", "name": s["label"], "x": s["context"],
               "y": [size(b) for b in s["bytes"]]} for s in r["series"]]
    traces.append(_marker(f"{r['kv_label']} at {r['context']:,} tokens", r["context"], size(r["total_bytes"])))
    sequences = f"{r['batch']:,} sequence" + ("s" if r["batch"] != 1 else "")
    return [_figure("kv-context", f"KV cache for {sequences} against context length", traces,
                    {"title": "context (tokens)"}, {"title": r["units"]})]


def _fit(r) -> list:
    size = _in(r["units"])
    capacity = size(r["capacity_bytes"])
    noun = r["memory_noun"]
    column = r["per_device"] or "total"
    traces = [{"type": "bar", "name": label, "x": [column], "y": [size(r["stack"][key])]}
              for key, label in FIT_PARTS]
    # The dashed line across the plot is a shape; this trace gives it a legend entry and a row in the table.
    traces.append({"type": "scatter", "mode": "lines", "name": capitalized(noun), "x": [column],
                   "y": [capacity], "line": {"dash": "dash", "color": CAPACITY_COLOUR}})
    line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": capacity, "y1": capacity,
            "line": {"dash": "dash", "color": CAPACITY_COLOUR, "width": 2}}
    on_gpus = bool(r["per_device"])
    title = "Memory per GPU against the card's capacity" if on_gpus else f"Memory needed against the {noun}"
    return [_figure("fit-memory", title, traces, {"title": ""},
                    {"title": r["units"]}, x_title="GPU" if on_gpus else "device", barmode="stack", bargap=0.5,
                    shapes=[line], legend=dict(STACK_LEGEND))]


def _roofline(r) -> list:
    prefill, decode = r["prefill"], r["decode"]
    peak, bandwidth, ridge = r["peak_flops_s"], r["bandwidth_bytes_s"], r["ridge_point"]
    # The roof is straight on log axes between the decades and the ridge, so those points draw it exactly.
    # Decades are parsed from text rather than computed with a power, which libms may round differently.
    shown = [i for i in (prefill["intensity"], decode["intensity"], ridge) if i > 0 and math.isfinite(i)]
    low = min([-1] + [math.floor(math.log10(i)) for i in shown])
    high = max([5] + [math.ceil(math.log10(i)) for i in shown])
    intensities = sorted({float(f"1e{e}") for e in range(low, high + 1)} | ({ridge} if ridge in shown else set()))
    roof = {"type": "scatter", "mode": "lines", "name": "attainable TFLOP/s", "x": intensities,
            "y": [min(peak, bandwidth * i) / TERA for i in intensities]}

    def achieved(step):
        return step["flops"] / step["time_s"] / TERA if step["time_s"] > 0 else math.inf

    # One curve per format, each ending at the largest batch its memory allows (the result's text names a
    # format with no batch that fits, which has no curve).
    curves = [{"type": "scatter", "mode": "lines+markers", "name": sweep["label"], "x": sweep["batch"],
               "y": sweep["tokens_per_s"], **({"line": {"width": 3}} if sweep is r["sweep"] else {})}
              for sweep in [r["sweep"]] + r["compared"] if sweep["fits"]]
    return [
        _figure("roofline", "Roofline with the prefill and decode operating points",
                [roof, _marker("prefill", prefill["intensity"], achieved(prefill)),
                 _marker("decode", decode["intensity"], achieved(decode))],
                {"title": "arithmetic intensity (FLOP/byte)", "type": "log"}, {"title": "TFLOP/s", "type": "log"}),
        _figure("roofline-batch", "Decode throughput bound against batch size, until memory runs out",
                curves + [_marker(f"batch {r['batch']:,}", r["batch"], r["tokens_per_s"])],
                {"title": "batch", "type": "log"}, {"title": "tokens/s (upper bound)", "type": "log"}),
    ]


def _speculative(r) -> list:
    curve = r["curve"]
    return [_figure("speculative-draft-length", "Speedup against draft length",
                    [{"type": "scatter", "mode": "lines+markers", "name": "speedup", "x": curve["draft_tokens"],
                      "y": curve["speedup"]},
                     _marker(f"{r['draft_tokens']} draft tokens", r["draft_tokens"], r["speedup"])],
                    {"title": "draft tokens per step"}, {"title": "speedup (×)"})]


def _training(r) -> list:
    methods = r["methods"]
    labels = [METHOD_LABELS[m] for m in methods]
    size = _in(r["units"])
    traces = [{"type": "bar", "name": label, "x": labels, "y": [size(row[key]) for row in methods.values()],
               "marker": _highlight(labels, METHOD_LABELS[r["method"]])} for key, label in TRAINING_PARTS]
    return [_figure("training-methods", "Training memory by method", traces, {"title": "method"},
                    {"title": r["units"]}, barmode="stack", legend=dict(STACK_LEGEND))]


def _playground(r) -> list:
    def points(name, values, symbol):
        return {"type": "scatter", "mode": "markers", "name": name, "x": list(range(len(values))), "y": values,
                "marker": {"size": 6, "symbol": symbol}}

    way = {"tensor": "per-tensor", "channel": "per-channel", "group": f"groups of {r['group_size']}",
           "decomposition": f"16-bit where |x| ≥ {r['threshold']:g}",
           "smoothquant": f"smoothed at α = {r['alpha']:g}"}[r["granularity"]]
    how = f"{r['bits']}-bit {r['scheme']}, {way}"
    return [_figure("playground-weights", f"The first {len(r['row0'])} weights of row 0, before and after ({how})",
                    [points("original", r["row0"], "circle"), points("quantized", r["row0_quantized"], "x")],
                    {"title": "input feature (column)"}, {"title": "weight"}),
            _figure("playground-activation", f"The activation, before and after ({how})",
                    [points("original", r["activation"], "circle"),
                     points("quantized", r["activation_quantized"], "x")],
                    {"title": "input feature"}, {"title": "activation"})]


CHARTS = {"weights": _weights, "kv": _kv, "fit": _fit, "roofline": _roofline, "speculative": _speculative,
          "training": _training, "playground": _playground,
          "wizard": wizard_figures}


def figures(page: str, result: dict) -> list:
    """[{"id", "title", "data", "layout", "x_title", "y_title", "y_format"}] for a page's result; `data` and
    `layout` are Plotly's JSON form, the rest is what the caption and the table view need."""
    if page not in CHARTS or not result:
        return []
    return CHARTS[page](result)
