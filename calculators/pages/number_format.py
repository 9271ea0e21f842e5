"""The number-format explorer (on learn/number-formats.md): one typed value, how every format stores it.

`compute(inputs)` reads the page's form (an `inputs.Inputs`) and returns a JSON-able result; `render(result)`
writes its panel. Both run at build time and in the browser's Pyodide worker, like every calculator of the site.
"""

from ..markup import escape

from ..errors import CalculatorError
from ..page import Field, Page

STATUS = {
    "exact": "exact",
    "rounded": "rounded to nearest (ties to even)",
    "subnormal": "subnormal: fewer significant bits",
    "underflow": "underflow: becomes zero",
    "overflow-infinity": "overflow: becomes infinity",
    "saturated": "overflow: clamped to the largest value",
    "clipped": "clipped: beyond what the block's scale reaches",
}
KIND_CLASS = {"sign": "nf-sign", "exponent": "nf-exp", "mantissa": "nf-man", "code": "nf-code", "scale": "nf-scale"}
KIND_LABEL = {"sign": "sign", "exponent": "exponent", "mantissa": "mantissa", "code": "integer code or code-book index",
              "scale": "shared block scale"}


def compute(inputs) -> dict | None:
    """The explorer's result for a form (an `inputs.Inputs`); None when a field is at fault."""
    # Imported here, not with the declaration: the encoders' exact arithmetic (fractions, statistics) is a
    # noticeable share of the browser worker's start, which reads every page's declaration.
    from ..number_formats import explore, parse_value, short

    text = inputs.text("value", 200)
    absmax_text = inputs.text("absmax", 200)
    if text is None or absmax_text is None:
        return None
    value = absmax = None
    try:
        value = parse_value(text, "value")
    except CalculatorError as error:
        inputs.fail("value", str(error))
    try:
        absmax = parse_value(absmax_text, "block's largest magnitude")
    except CalculatorError as error:
        inputs.fail("absmax", str(error))
    if value is None or absmax is None:
        return None
    try:
        rows = explore(value, absmax, negative_zero=text.strip().startswith("-"))
    except CalculatorError as error:
        inputs.fail(error.field or "absmax", str(error))
        return None
    return {"value": short(value), "absmax": short(absmax), "exact_value": float(value),
            "rows": [_row(row, value) for row in rows]}


def _row(row, value) -> dict:
    from ..number_formats import short

    stored = row.stored
    if stored.value is None:
        number, error, relative = None, None, None
    else:
        number = float(stored.value)
        error = float(stored.value - value)
        relative = float(abs(stored.value - value) / abs(value)) if value else None
    return {"id": row.id, "label": row.label, "bits": row.bits, "block": row.block,
            "fields": [[kind, bits] for kind, bits in stored.fields],
            "stored": stored.special or ("-0" if stored.value == 0 and stored.fields[0] == ("sign", "1")
                                         else short(stored.value)), "stored_number": number, "special": stored.special,
            "status": "clipped" if stored.status == "saturated" and stored.scale is not None else stored.status, "error": error, "relative_error": relative,
            "scale": None if stored.scale is None else f"{float(stored.scale):.6g}", "code": stored.code}


def _bits_html(fields) -> str:
    spans = "".join(f"<span class=\"{KIND_CLASS[kind]}\" title=\"{KIND_LABEL[kind]}\">{bits}</span>"
                    for kind, bits in fields if bits)
    return f"<code class=\"nf-bits\">{spans}</code>"


def _error_text(row) -> str:
    if row["error"] is None:
        return "infinite"
    if row["error"] == 0:
        return "0"
    relative = f" ({row['relative_error']:.3g} relative)" if row["relative_error"] is not None else ""
    return f"{row['error']:+.4g}{relative}"


def render(result: dict) -> str:
    body = []
    for row in result["rows"]:
        scale = (f"<br><span class=\"calc-exact\">scale {escape(row['scale'])}; {escape(row['block'])}</span>"
                 if row["scale"] is not None else "")
        body.append(f"<tr><th scope=\"row\">{escape(row['label'])}<br><span class=\"calc-exact\">{row['bits']} bits"
                    f"</span></th><td>{_bits_html(row['fields'])}{scale}</td>"
                    f"<td><strong>{escape(row['stored'])}</strong><br><span class=\"nf-error\">error "
                    f"{_error_text(row)}</span><br>"
                    f"<span class=\"nf-status nf-{row['status']}\">{STATUS[row['status']]}</span></td></tr>")
    legend = ("<p class=\"nf-legend\">Bits: <code class=\"nf-bits\"><span class=\"nf-sign\">sign</span></code> "
              "<code class=\"nf-bits\"><span class=\"nf-exp\">exponent</span></code> "
              "<code class=\"nf-bits\"><span class=\"nf-man\">mantissa</span></code> "
              "<code class=\"nf-bits\"><span class=\"nf-code\">integer code or NF4 index</span></code> "
              "<code class=\"nf-bits\"><span class=\"nf-scale\">block scale</span></code></p>")
    head = ("<thead><tr><th scope=\"col\">Format</th><th scope=\"col\">Bits</th><th scope=\"col\">Stored value, error, what happened</th>"
            "</tr></thead>")
    return (f"<p class=\"calc-headline\">How <strong>{escape(result['value'])}</strong> is stored, with "
            f"{escape(result['absmax'])} as the largest magnitude of its block.</p>{legend}"
            f"<div class=\"nf-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Encodings\">"
            f"<table class=\"calc-table nf-table\">{head}<tbody>{''.join(body)}</tbody></table></div>")


PAGE = Page(
    name="number_format", path="learn/number-formats", title="Number formats", order=80,
    fields=(Field("value", "Value to store (0.1, -3.5e-4, 1/3)", "text", "0.1"),
            Field("absmax", "Largest magnitude in its block (scales INT8, INT4, NF4, MXFP4, NVFP4)", "text", "1")),
    compute=compute, render=render)
