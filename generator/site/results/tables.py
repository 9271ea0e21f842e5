"""HTML tables whose numbers say where they come from.

A measured cell carries the record file, the result's index in it, the metric and the raw value
(`data-record`, `data-result`, `data-metric`, `data-value`), so a test can check every number on a page
against the raw files. A derived cell (a ratio of two measurements) carries `data-derived` and the two
sources it divides, `data-from="FILE#I:METRIC FILE#J:METRIC"`.
"""

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Cell:
    text: str
    attributes: tuple = ()  # (name, value) pairs written on the <td>
    missing: bool = False


def text(value) -> Cell:
    return Cell(str(value))


def missing(reason: str = "", inline: bool = False) -> Cell:
    """A measurement we could not make: shown as missing. The record's reason is written out where `inline`
    (the page's "not measured" table); elsewhere it is the cell's tooltip, so that long reasons do not
    swamp a table of numbers, and the page's "not measured" table lists it in full."""
    if inline and reason:
        return Cell(reason, missing=True)
    return Cell("missing", (("title", reason),) if reason else (), missing=True)


def measured(row, metric: str, formatter) -> Cell:
    """The metric of a result (dataset.Row) formatted, or missing with the reason its record gives."""
    value = row.metrics.get(metric)
    if value is None:
        return missing(row.missing.get(metric, "" if row.ok else f"{row.result['status']}: {row.result.get('error')}"))
    return Cell(formatter(value), (("data-record", row.run.file), ("data-result", str(row.index)),
                                   ("data-metric", metric), ("data-value", repr(value))))


def ratio(numerator_row, numerator_metric: str, denominator_row, denominator_metric: str, formatter) -> Cell:
    """numerator / denominator of two measured metrics, or missing when either is absent."""
    top = numerator_row.metrics.get(numerator_metric)
    bottom = denominator_row.metrics.get(denominator_metric)
    if top is None or bottom is None or bottom == 0:
        return missing()
    sources = f"{source(numerator_row, numerator_metric)} {source(denominator_row, denominator_metric)}"
    return Cell(formatter(top / bottom), (("data-derived", "ratio"), ("data-from", sources),
                                          ("data-value", repr(top / bottom))))


def source(row, metric: str) -> str:
    return f"{row.run.file}#{row.index}:{metric}"


def html_table(columns: list, rows: list, css_class: str = "results-table", label: str = "") -> str:
    """A table in a scrolling region that the keyboard can reach (it can be wider than the page); a cell is
    a Cell or anything str() can write."""
    head = "".join(f"<th scope=\"col\">{escape(str(column))}</th>" for column in columns)
    body = []
    for row in rows:
        cells = []
        for cell in row:
            cell = cell if isinstance(cell, Cell) else Cell(str(cell))
            attributes = "".join(f" {name}=\"{escape(value)}\"" for name, value in cell.attributes)
            if cell.missing:
                attributes += " class=\"missing\""
            cells.append(f"<td{attributes}>{escape(cell.text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    # The table has a class, so that the theme does not wrap it in a second scrolling region of its own.
    name = label or "table: " + ", ".join(str(column) for column in columns[:3])
    return (f"<div class=\"{css_class}\" role=\"region\" tabindex=\"0\" aria-label=\"{escape(name)}\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


# -- number formats, one per kind of quantity -------------------------------------------------------

def ms(value: float) -> str:
    return f"{value:,.2f} ms"


def per_s(value: float) -> str:
    return f"{value:,.1f}"


def gib(value: float) -> str:
    return f"{value / 2**30:,.2f} GiB"


def exact_bytes(value: float) -> str:
    return f"{int(value):,}"


def share(value: float) -> str:
    return f"{value:.0%}"


def times(value: float) -> str:
    return f"{value:.2f}×"


def seconds(value: float) -> str:
    return f"{value:,.2f} s"


def plain(value: float) -> str:
    return f"{value:,.4g}"


def signed_percent(value: float) -> str:
    return f"{value:+.2%}"
