"""The pieces the calculator pages' charts are made of (calculators/pages/), as Plotly's JSON form.

Only scatter and bar traces are used (the site ships plotly.js's basic bundle) and every number is a finite
float or int: `figure` leaves out a point that is not finite rather than writing NaN or Infinity, which JSON
cannot carry.
"""

import math

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


def in_units(units):
    """Bytes to the page's unit (GiB or GB), as a function for a chart's values."""
    return lambda n: n / UNIT_BYTES[units]


def _axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, "automargin": True, **extra}


def figure(ident, title, traces, x_axis, y_axis, x_title=None, y_title=None, **layout) -> dict:
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


def bar_h(name, labels, values, units) -> dict:
    """Horizontal bars with their values written at their ends."""
    sizes = [in_units(units)(v) for v in values]
    return {"type": "bar", "orientation": "h", "name": name, "y": list(labels), "x": sizes,
            "text": [f"{size:,.2f}" for size in sizes], "textposition": "outside", "cliponaxis": False}


def highlight(labels, chosen) -> dict:
    """Marker settings that draw the bar of the chosen label solid and the others faded."""
    return {"opacity": [1 if label == chosen else OTHERS_OPACITY for label in labels]}


def marker(name, x, y) -> dict:
    """One point of a curve: the inputs the result is for."""
    return {"type": "scatter", "mode": "markers", "name": name, "x": [x], "y": [y],
            "marker": {"size": 12, "symbol": "diamond"}}

