"""Charts drawn at build time: a Plotly figure as JSON inside the page, with its data as a table.

Every chart on the site goes through `chart_html`: the figure is drawn as a
static SVG (chart_svg.py), on screen at first paint, and its JSON sits in a
`<template class="chart-figure">` that `assets/js/charts.js` hands to the
vendored plotly.js once the page has painted, which replaces the SVG with the
interactive chart. The same numbers are written into an HTML table (the
chart's accessible view, and what a reader copies from).
The table is made from the figure's own traces, one row per point, so the two
cannot disagree. Colours come from the page's theme when the chart is drawn,
which is how charts follow dark mode.
"""

import json
import math
from dataclasses import dataclass, field
from html import escape

from .chart_svg import figure_svg


@dataclass(frozen=True)
class Chart:
    """One figure: `figure` is {"data": [traces], "layout": {...}} in Plotly's JSON form; traces are scatter
    or bar traces with `name`, `x` and `y` lists (None for a missing value)."""

    id: str  # unique on its page: the anchor a link to the chart uses
    title: str
    figure: dict
    caption: str  # which records (or sources) the numbers come from
    x_title: str
    y_title: str
    y_format: str = "{:,.4g}"  # how the table writes y values
    notes: tuple = field(default_factory=tuple)  # extra lines under the caption (e.g. what is missing)

    def table_rows(self) -> list:
        """(series, x, y) for every point of every trace, y formatted; a missing y is written 'missing'."""
        rows = []
        for trace in self.figure["data"]:
            for x, y in zip(trace["x"], trace["y"]):
                if trace.get("orientation") == "h":
                    x, y = y, x
                rows.append((trace.get("name") or "", _cell(x), "missing" if y is None else
                             self.y_format.format(y)))
        return rows


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def figure(traces: list, x_title: str, y_title: str, **layout) -> dict:
    """A figure in Plotly's JSON form from plain trace dicts; validated by plotly's own classes so that a
    wrong attribute fails the build instead of being ignored in the browser. No template: charts.js sets
    the theme's colours at draw time."""
    import plotly.graph_objects as go

    for trace in traces:
        for value in trace.get("y", ()):
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"chart trace {trace.get('name')!r} has a non-finite value")
        if trace.get("type") == "bar":
            categories = trace.get("y" if trace.get("orientation") == "h" else "x", ())
            if len(set(categories)) != len(categories):
                # plotly would stack the repeated bars into one, drawing a sum no record holds
                raise ValueError(f"bar trace {trace.get('name')!r} names a category twice")
    base = {"xaxis": {"title": {"text": x_title}, "automargin": True},
            "yaxis": {"title": {"text": y_title}, "automargin": True},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, "margin": {"t": 40}}
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    validated = go.Figure(data=traces, layout=base)
    result = validated.to_plotly_json()
    result["layout"].pop("template", None)
    return json.loads(json.dumps(result, default=_plain))


def _plain(value):
    """numpy scalars and arrays that plotly may hand back, as JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


def hbars(name: str, labels: list, values: list) -> dict:
    """A horizontal bar trace: method names read best down the side, however long they are."""
    return {"type": "bar", "orientation": "h", "name": name, "y": list(labels), "x": list(values)}


def hbar_layout(categories: int, traces: int) -> dict:
    """Layout for horizontal bars: first category on top, and height for every bar."""
    return {"yaxis": {"autorange": "reversed"}, "barmode": "group",
            "height": max(260, 90 + categories * max(traces, 1) * 22)}


TABLE_HOLDS = "the table view holds its data"


def chart_html(chart: Chart) -> str:
    # A template rather than a <script type="application/json">: the theme's instant navigation re-creates
    # every script of the new page without its type and class, which runs the JSON as JavaScript. The
    # search index leaves the JSON out.
    figure_json = escape(json.dumps(chart.figure, separators=(",", ":")), quote=False)
    rows = "".join(f"<tr><td>{escape(s)}</td><td>{escape(x)}</td><td>{escape(y)}</td></tr>"
                   for s, x, y in chart.table_rows())
    notes = "".join(f"<br><span class=\"chart-note\">{escape(note)}</span>" for note in chart.notes)
    return (f"<figure class=\"chart\" id=\"{escape(chart.id)}\">"
            # Until charts.js draws the interactive chart (and without JavaScript), the box shows the same figure
            # drawn at build time, an image named by the chart's title. The drawn chart holds buttons (plotly's
            # legend), so its box takes no role of its own: the <figure> is named by its caption, and the table
            # view holds the data.
            f"<div class=\"chart-plot\">{figure_svg(chart.figure, f'{chart.title} (chart; {TABLE_HOLDS})')}</div>"
            f"<template class=\"chart-figure\" data-search-exclude>{figure_json}</template>"
            f"<figcaption><strong>{escape(chart.title)}.</strong> {escape(chart.caption)}{notes}</figcaption>"
            f"<details class=\"chart-table\"><summary>Table view</summary>"
            f"<table class=\"data-table\"><thead><tr><th scope=\"col\">series</th><th scope=\"col\">{escape(chart.x_title)}</th>"
            f"<th scope=\"col\">{escape(chart.y_title)}</th></tr></thead><tbody>{rows}</tbody></table>"
            "</details></figure>")
