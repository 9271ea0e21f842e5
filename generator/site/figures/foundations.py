"""Figures and tables of the first three Learn pages (what quantization is, number formats, scale and zero
point), every number computed here from calculators/ when the site is built."""

from html import escape
from statistics import NormalDist

from calculators.formats import weight_format
from calculators.number_formats import FLOAT_FORMATS, NF4_LEVELS, NF4_OFFSET
from calculators.scale_zero import quantize
from calculators.web import compute

from generator.site.charts import Chart, chart_html, figure, hbar_layout, hbars

__all__ = ["calc_bits", "metadata_bits", "calc_digits", "memory_bars", "fit_table", "float_formats_table", "nf4_codebook_figure", "group_size_table",
           "worked_example", "WORKED_VALUES"]

# The vector of the worked example on the scale-and-zero-point page: eight weights of one group, lopsided
# (mostly positive), which is where a zero point earns its keep.
WORKED_VALUES = (0.21, -0.04, 0.35, 0.08, -0.12, 0.52, 0.17, 0.03)


def _table(columns, rows) -> str:
    head = "".join(f"<th scope=\"col\">{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (f"<div class=\"results-table\" role=\"region\" tabindex=\"0\" aria-label=\"{escape(columns[0])} table\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def memory_bars(model: str = "llama-3.1-8b") -> str:
    """The weight memory of one model in every format the weights calculator compares, in GB."""
    result = compute("weights", {"model": model, "units": "GB"})["result"]
    formats = result["comparison"]
    labels = [f["short_label"] for f in formats]
    trace = hbars("weights", labels, [f["total_bytes"] / 1e9 for f in formats])
    trace.update(text=[f"{f['total_bytes'] / 1e9:,.2f}" for f in formats], textposition="outside", cliponaxis=False)
    chart = Chart(id=f"memory-bars-{model}", title=f"{result['model']}: weight memory in each format",
                  figure=figure([trace], "GB", "", showlegend=False, **hbar_layout(len(labels), 1)),
                  caption="Computed by calculators/ (the weight-memory calculator) from the model's config.json "
                          "and each format's storage layout: scales, zero points and the parts each library "
                          "keeps in 16-bit are counted.",
                  x_title="format", y_title="GB", y_format="{:,.2f}")
    return chart_html(chart)


FIT_CASES = (("llama-3.1-8b", "bf16", "rtx-4090", 1), ("llama-3.1-8b", "awq-int4-g128", "rtx-4090", 1),
             ("llama-3.1-70b", "bf16", "h100-sxm", 1), ("llama-3.1-70b", "bf16", "h100-sxm", 2),
             ("llama-3.1-70b", "fp8-e4m3-channel", "h100-sxm", 1), ("llama-3.1-70b", "awq-int4-g128", "h100-sxm", 1),
             ("llama-3.1-70b", "awq-int4-g128", "rtx-4090", 2))


def fit_table(context: int = 8192, page=None) -> str:
    """Will-it-fit verdicts for one sequence of `context` tokens, from the fit calculator (its default 90%
    share of memory for the engine)."""
    rows = []
    for model, fmt, gpu, gpus in FIT_CASES:
        inputs = {"model": model, "format": fmt, "gpu": gpu, "gpus": str(gpus), "context": str(context),
                  "batch": "1", "units": "GB"}
        r = compute("fit", inputs)["result"]
        link = "../calculators/will-it-fit/?" + "&".join(f"{k}={v}" for k, v in inputs.items() if k != "units")
        margin = (f"{r['free_bytes'] / 1e9:,.1f} GB free" if r["fits"] else f"{-r['free_bytes'] / 1e9:,.1f} GB short")
        per = " per GPU" if gpus > 1 else ""
        rows.append((f"{escape(r['model'])}, {escape(r['format_label'])}<br>{gpus} × {escape(r['gpu'])}",
                     f"{r['total_bytes'] / 1e9:,.1f} GB{per}", f"{r['capacity_bytes'] / 1e9:,.1f} GB{per}",
                     f"<a href=\"{escape(link)}\">{'fits' if r['fits'] else 'does not fit'}</a><br>{margin}{per}"))
    return _table(["setup", "needed", "usable", "verdict"], rows)


def calc_bits(fmt: str, digits: int = 3) -> str:
    """Bits per weight of a weight format on a 4096 × 4096 matrix (calculators/formats.py)."""
    return f"{weight_format(fmt).nominal_bits:.{digits}f}"


def metadata_bits(fmt: str, payload: int = 4, digits: int = 3) -> str:
    """The bits per weight a format spends beyond its `payload`-bit codes: scales, zero points, absmax."""
    return f"{weight_format(fmt).nominal_bits - payload:.{digits}f}"


def calc_digits(fmt: str) -> str:
    """Significant decimal digits of a float format (a key of FLOAT_FORMATS), to one decimal."""
    return f"{FLOAT_FORMATS[fmt].decimal_digits:.1f}"


def _num(value) -> str:
    number = float(value)
    if number >= 1e5 or number < 1e-3:
        return f"{number:.3g}"
    return f"{number:,.6g}"


def float_formats_table() -> str:
    """Bit layout, range and precision of every floating-point format, from calculators/number_formats.py."""
    specials = {"fp32": "±inf, NaN", "bf16": "±inf, NaN", "fp16": "±inf, NaN", "fp8-e5m2": "±inf, NaN",
                "fp8-e4m3": "NaN only (S.1111.111)", "fp4-e2m1": "none"}
    rows = []
    for key, fmt in FLOAT_FORMATS.items():
        rows.append((escape(fmt.name), f"1 / {fmt.exponent_bits} / {fmt.mantissa_bits}", str(fmt.bias),
                     _num(fmt.max_finite), _num(fmt.min_normal), _num(fmt.min_subnormal),
                     f"{fmt.decimal_digits:.2f}", specials[key]))
    return _table(["format", "sign / exponent / mantissa bits", "bias", "largest finite", "smallest normal",
                   "smallest subnormal", "decimal digits", "special values"], rows)


def nf4_codebook_figure() -> str:
    """The 16 NF4 levels and the 15 symmetric INT4 levels (-7..7, divided by 7) on the normal density that
    NF4's levels are quantiles of, both on the [-1, 1] range a block's absmax maps to."""
    normal = NormalDist()
    edge = normal.inv_cdf(NF4_OFFSET)  # NF4's outermost quantile sits at ±1 after normalisation
    density = NormalDist(0, 1 / edge)
    xs = [round(-1.1 + 2.2 * i / 88, 4) for i in range(89)]
    curve = {"type": "scatter", "mode": "lines", "name": "normal density (σ = 1 / %.3f)" % edge, "x": xs,
             "y": [density.pdf(x) for x in xs]}
    nf4 = {"type": "scatter", "mode": "markers", "name": "NF4 levels (16)", "x": [round(v, 4) for v in NF4_LEVELS],
           "y": [density.pdf(v) for v in NF4_LEVELS], "marker": {"size": 10, "symbol": "circle"}}
    int4 = [k / 7 for k in range(-7, 8)]
    grid = {"type": "scatter", "mode": "markers", "name": "INT4 levels (15, absmax / 7 apart)",
            "x": [round(v, 4) for v in int4], "y": [0.0] * len(int4), "marker": {"size": 9, "symbol": "line-ns-open"}}
    chart = Chart(id="nf4-codebook", title="NF4 levels against a normal distribution, with the INT4 grid",
                  figure=figure([curve, nf4, grid], "value ÷ block absmax", "density", height=360),
                  caption="NF4 levels computed as QLoRA (arXiv 2305.14314, section 3) and bitsandbytes' "
                          "create_normal_map define them: quantiles of N(0, 1) up to probability 0.9677083, scaled "
                          "to ±1; our tests check them against bitsandbytes' own code book. NF4 points sit on the "
                          "curve, the evenly spaced INT4 grid on the axis.",
                  x_title="value ÷ block absmax", y_title="density", y_format="{:.3f}")
    return chart_html(chart)


def group_size_table() -> str:
    """Bits per weight of 4-bit formats at each group size, for one 4096 × 4096 matrix (calculators/formats.py)."""
    rows = []
    for fmt_id in ("int4-g32-sym", "int4-g64-sym", "int4-g128-sym", "int4-tinygemm-g32", "int4-tinygemm-g64",
                   "int4-tinygemm-g128", "int4-tinygemm-g256", "nf4", "nf4-dq"):
        fmt = weight_format(fmt_id)
        rows.append((escape(fmt.label), f"{fmt.nominal_bits:.3f}", f"{fmt.nominal_bits - 4:.3f}",
                     f"{(fmt.nominal_bits - 4) / fmt.nominal_bits:.1%}"))
    return _table(["4-bit format", "bits per weight", "metadata bits per weight",
                   "share of the bytes that is metadata"], rows)


def worked_example() -> str:
    """WORKED_VALUES in 4 bits, symmetric and asymmetric: scale, zero point, codes, values read back, errors."""
    values = WORKED_VALUES
    sym, asym = quantize(values, 4, True), quantize(values, 4, False)
    rows = []
    for i, v in enumerate(values):
        rows.append((f"{v:g}", str(sym.codes[i]), f"{sym.dequantized[i]:.4f}", f"{sym.errors(values)[i]:+.4f}",
                     str(asym.codes[i]), f"{asym.dequantized[i]:.4f}", f"{asym.errors(values)[i]:+.4f}"))
    summary = (f"<p>Symmetric: scale = {max(abs(v) for v in values):g} ÷ 7 = <strong>{sym.scale:.5f}</strong>, zero point 0, codes "
               f"from −7 to 7 (only {len(set(sym.codes))} distinct codes used, worst error "
               f"{sym.max_error(values):.4f}). Asymmetric: scale = ({max(values):g} − ({min(values):g})) ÷ 15 = "
               f"<strong>{asym.scale:.5f}</strong>, zero point <strong>{asym.zero_point}</strong>, codes from 0 to 15 "
               f"({len(set(asym.codes))} distinct codes, worst error {asym.max_error(values):.4f}).</p>")
    return summary + _table(["weight", "symmetric code", "read back", "error", "asymmetric code", "read back",
                             "error"], rows)
