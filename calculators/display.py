"""Numbers as the pages and the command line write them, and the HTML pieces every result panel uses.

Every value that came from a user passes through `html.escape` in the callers; these helpers take numbers and
already-escaped HTML only.
"""

import math

from .markup import escape

SCALES = {  # the page's unit: the prefixes it writes sizes in, largest first
    "GiB": (("EiB", 1 << 60), ("PiB", 1 << 50), ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20),
            ("KiB", 1 << 10)),
    "GB": (("EB", 10 ** 18), ("PB", 10 ** 15), ("TB", 10 ** 12), ("GB", 10 ** 9), ("MB", 10 ** 6), ("kB", 10 ** 3)),
}


def beyond_model_context(tokens: int, model_context: int) -> str:
    """The sentence for a token count longer than the model was made for, or "" (model_context 0: the config
    does not say). Every page and command that takes a context, a prompt or a sequence says it."""
    if not model_context or tokens <= model_context:
        return ""
    return (f"{tokens:,} tokens is beyond the {model_context:,} tokens this model was made for "
            "(max_position_embeddings in its config.json).")


def beyond_model_context_html(tokens: int, model_context: int) -> str:
    sentence = beyond_model_context(tokens, model_context)
    return f"<p class=\"calc-note\">{escape(sentence)}</p>" if sentence else ""


def beyond_model_context_lines(tokens: int, model_context: int) -> list:
    """The command line's form of the same: a "note:" line, or none."""
    sentence = beyond_model_context(tokens, model_context)
    return [f"note: {sentence.rstrip('.')}"] if sentence else []


def gib(n: float, units: str = "GiB") -> str:
    """Bytes in binary units, as drivers and memory specs report them, or in decimal ones (units="GB"), as
    model hubs list files and vendors label cards."""
    for unit, scale in SCALES[units]:
        if abs(n) >= scale:
            return f"{n / scale:,.2f} {unit}"
    return f"{n:,.0f} B"


# Long durations also in the largest unit that is at least one of them: a step of "264,940,889 s" says little.
LONG_UNITS = (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600))


def significant(x: float, digits: int = 3) -> str:
    """x to at least `digits` significant figures, with thousands separators and never an exponent:
    4.21, 0.00421, 10,923 (a whole part is never rounded off)."""
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def counted(n: int, noun: str) -> str:
    """"1 sequence", "16 sequences", "1,024 sequences"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def rate(x: float, decimals: int = 1) -> str:
    """A rate such as tokens/s: `decimals` places from 1 up, two significant figures below, so that a slow
    rate is never written as 0."""
    return f"{x:,.{decimals}f}" if x >= 1 or x == 0 else significant(x, 2)


def money(x: float) -> str:
    """An amount in the reader's currency: two decimals, or two significant figures under 1."""
    return rate(x, 2)


def seconds(s: float) -> str:
    if s >= 3600:
        unit, size = next((unit, size) for unit, size in LONG_UNITS if s >= size)
        return f"{s:,.0f} s ({significant(s / size, 2)} {unit})"
    if s >= 100:
        return f"{s:,.0f} s"
    if s >= 1:
        return f"{s:,.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:,.2f} ms"
    return f"{s * 1e6:,.1f} µs"


def capitalized(noun: str) -> str:
    """'GPU memory' and 'system memory' at the start of a label."""
    return noun[:1].upper() + noun[1:]


def rows_table(rows) -> str:
    """A two-column table of (label, HTML value) rows; labels are escaped here."""
    body = "".join(f"<tr><th scope=\"row\">{escape(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return f"<table class=\"calc-table\"><tbody>{body}</tbody></table>"


def bytes_cell(n: int, units: str = "GiB") -> str:
    return f"{gib(n, units)} <span class=\"calc-exact\">({n:,} bytes)</span>"
