"""Numbers as the pages and the command line write them, and the HTML pieces every result panel uses.

Every value that came from a user passes through `html.escape` in the callers; these helpers take numbers and
already-escaped HTML only.
"""

from .markup import escape

SCALES = {  # the page's unit: the prefixes it writes sizes in, largest first
    "GiB": (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)),
    "GB": (("TB", 10 ** 12), ("GB", 10 ** 9), ("MB", 10 ** 6), ("kB", 10 ** 3)),
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


def seconds(s: float) -> str:
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
