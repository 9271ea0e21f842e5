"""A Plotly figure drawn as a static SVG at build time, so that a chart is on screen at first paint.

The page shows this drawing until `assets/js/charts.js` replaces it with the
interactive plotly.js chart (and for good when JavaScript is off). It is made
from the same figure JSON, so it shows the same numbers. Only what the site's
figures use is drawn: bar traces (vertical or horizontal; grouped, stacked or
overlaid; opacity and colour per bar; text at the bar's end) and scatter
traces (lines, markers, or both; a missing value breaks the line), on linear,
log or category axes, with line shapes, axis titles, ticks and a legend.
Anything else fails the build with the figure and attribute at fault, rather
than being drawn wrong.

The width of the page is not known at build time; the height is (the figure's
height, or charts.js's default). So the SVG is 100% wide and as high as the
chart plotly.js will draw, and the plot area is a nested SVG as wide as what
the labels leave (a CSS `calc()`). Inside it, shapes that may stretch (bars,
lines, grid lines, markers drawn as round dots) sit in a viewBox scaled to the
width with non-scaling strokes, and text is placed at percentages of the
width, so it keeps its size. Colours are CSS classes (c0..c9, the charts.js
colourway), text takes the theme's text colour: see docs/assets/css/site.css.
"""

import math
import re
from dataclasses import dataclass
from html import escape

DEFAULT_HEIGHT = 380  # charts.js draws a figure that sets no height this high
NOMINAL_WIDTH = 720  # the content column on a desktop screen: lays out the legend and the viewBox
CHAR_PX = 6.6  # the mean width of a character of 12 px text, to size margins for labels
LINE_PX = 14
COLOURS = 10  # classes c0..c9 in the stylesheet, plotly's colourway in charts.js
BARGAP = 0.2  # plotly's default gap between bar slots, as a share of a slot
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|rgba?\([0-9., %]+\)|[a-z]{3,20}")
MINUS = "\u2212"  # plotly writes negative ticks with a minus sign, not a hyphen


def _n(value: float) -> str:
    """A coordinate rounded to a tenth of a pixel, without trailing zeros (pages stay small)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pc(fraction: float) -> str:
    return f"{_n(fraction * 100)}%"


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _title(axis: dict) -> str:
    title = axis.get("title") or ""
    return str(title.get("text") or "") if isinstance(title, dict) else str(title)


# -- axes -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """One axis: `low` and `high` in its units (log10 of the value on a log axis, the index of a category),
    and its ticks as (units, label)."""

    kind: str  # "linear", "log" or "category"
    low: float
    high: float
    reversed: bool
    categories: tuple
    ticks: tuple
    title: str

    def unit(self, value):
        """The value in the axis's units; None for a missing value or one the axis cannot show (log of <= 0)."""
        if value is None:
            return None
        if self.kind == "category":
            return float(self.categories.index(str(value)))
        if not _number(value) or (self.kind == "log" and value <= 0):
            return None
        return math.log10(value) if self.kind == "log" else float(value)

    def fraction(self, unit: float) -> float:
        """Where a point in axis units lies along the axis, 0 at its start (left, or bottom) and 1 at its end."""
        share = (unit - self.low) / (self.high - self.low)
        return 1 - share if self.reversed else share


def _nice_step(span: float, count: float) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.999)


def _label(value: float, step: float) -> str:
    """A tick label as plotly writes one: 0.25, 1500, 20k, 1.5M, 3B; a minus sign for negative values."""
    if abs(value) < step * 1e-6:
        return "0"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= 1e4 and abs(value) >= size:
            return _label(value / size, step / size) + suffix
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if value != 0 and abs(value) < 1e-3 and decimals > 4:
        text = f"{value:.0e}".replace("e-0", "e-")
    else:
        text = f"{value:.{decimals}f}"
    return text.replace("-", MINUS) if text.startswith("-") else text


def _linear_ticks(low: float, high: float, count: float) -> tuple:
    step = _nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9)
    ticks = []
    for k in range(first, first + int((high - low) / step) + 2):
        value = k * step
        if low - step * 1e-9 <= value <= high + step * 1e-9:
            ticks.append((value, _label(value, step)))
    return tuple(ticks)


def _log_ticks(low: float, high: float, count: float, dtick) -> tuple:
    """Ticks of a log axis whose range is low..high decades: every `dtick` decades if the figure sets it,
    decades when it spans several, 1-2-5 or every digit when it spans less."""
    span = high - low
    if _number(dtick):
        values = [10 ** (k * dtick) for k in range(math.floor(low / dtick), math.ceil(high / dtick) + 1)]
    elif span >= 3:
        every = max(1, math.ceil(span / count))
        values = [10.0 ** e for e in range(math.floor(low), math.ceil(high) + 1) if e % every == 0]
    else:
        digits = (1, 2, 5) if span >= 1 else range(1, 10)
        values = [d * 10.0 ** e for e in range(math.floor(low) - 1, math.ceil(high) + 1) for d in digits]
    ticks = []
    for value in values:
        if low - 1e-9 <= math.log10(value) <= high + 1e-9:
            ticks.append((math.log10(value), _label(value, 10 ** math.floor(math.log10(value) + 1e-9))))
    return tuple(ticks)


def _axis(layout_axis: dict, values: list, zero: bool, pad_end: float, length_px: float, name: str) -> Axis:
    """An axis for `values` (every value the traces put on it). `zero`: bars start at zero, so the range holds
    it; `pad_end`: the share of the range added beyond the largest value (room for text past a bar's end)."""
    kind = layout_axis.get("type") or ("category" if any(isinstance(v, str) for v in values) else "linear")
    if kind not in ("linear", "log", "category"):
        raise ValueError(f"{name}: axis type {kind!r} has no static drawing")
    reversed_ = layout_axis.get("autorange") == "reversed"
    title = _title(layout_axis)
    if kind == "category":
        categories = tuple(dict.fromkeys(str(v) for v in values if v is not None))
        ticks = tuple((float(i), c) for i, c in enumerate(categories))
        return Axis(kind, -0.5, max(len(categories), 1) - 0.5, reversed_, categories, ticks, title)
    units = [math.log10(v) if kind == "log" else float(v) for v in values
             if _number(v) and (kind == "linear" or v > 0)]
    if zero and kind == "linear":
        units.append(0.0)
    if not units:
        units = [0.0, 1.0]
    low, high = min(units), max(units)
    if high == low:
        low, high = low - 0.5, high + 0.5
    span = high - low
    low_pad = 0.0 if zero and kind == "linear" and low == 0 else 0.05
    high_pad = 0.0 if zero and kind == "linear" and high == 0 else 0.05 + pad_end
    low, high = low - span * low_pad, high + span * high_pad
    count = length_px / (80 if name == "xaxis" else 50)
    ticks = (_log_ticks(low, high, count, layout_axis.get("dtick")) if kind == "log"
             else _linear_ticks(low, high, count))
    return Axis(kind, low, high, reversed_, (), ticks, title)


# -- traces -----------------------------------------------------------------------------------------------


def _colour(value, where: str) -> str:
    if not isinstance(value, str) or not COLOUR.fullmatch(value):
        raise ValueError(f"{where}: colour {value!r} is not one the static chart can draw")
    return value


def _per_point(value, index: int):
    return value[index] if isinstance(value, list) else value


def _wrap(label: str, width: int) -> list:
    """A label in lines of at most `width` characters where it can be broken, at spaces and after hyphens
    (the way charts.js wraps category names on a phone screen)."""
    lines = []
    for index, word in enumerate(label.split(" ")):
        for part, piece in enumerate(re.split(r"(?<=-)", word)):
            if not piece:
                continue
            joined = None if not lines else lines[-1] + (" " if part == 0 and index > 0 else "") + piece
            if joined is not None and len(joined) <= width:
                lines[-1] = joined
            else:
                lines.append(piece)
    return lines or [""]


MARKERS = {"circle": "circle", "0": "circle", "square": "square", "1": "square", "diamond": "diamond",
           "2": "diamond", "x": "x", "4": "x", "line-ns-open": "line-ns"}


def _marker_path(symbol: str, x: float, y: float, r: float) -> str:
    """The path of one marker centred on (x, y). Dots and squares are zero-length strokes with round or
    square caps, which keep their shape when the plot stretches to the page's width."""
    if symbol in ("circle", "square"):
        return f"M{_n(x)} {_n(y)}h0"
    if symbol == "diamond":
        return f"M{_n(x - r)} {_n(y)}l{_n(r)} {_n(-r)}l{_n(r)} {_n(r)}l{_n(-r)} {_n(r)}z"
    if symbol == "x":
        return f"M{_n(x - r)} {_n(y - r)}l{_n(2 * r)} {_n(2 * r)}m0 {_n(-2 * r)}l{_n(-2 * r)} {_n(2 * r)}"
    return f"M{_n(x)} {_n(y - r)}v{_n(2 * r)}"  # line-ns


def _marker_style(symbol: str, size: float) -> str:
    """The attributes that draw a marker path in its colour (class `mk` strokes, `mf` fills)."""
    if symbol in ("circle", "square"):
        cap = "round" if symbol == "circle" else "square"
        return f"class=\"mk\" stroke-width=\"{_n(size)}\" stroke-linecap=\"{cap}\""
    if symbol == "diamond":
        return "class=\"mf\""
    return "class=\"mk\" stroke-width=\"2\""


def _dash(line: dict) -> str:
    dash = {"dash": "6 4", "dot": "2 3", "dashdot": "6 3 2 3", "longdash": "10 4"}.get(line.get("dash") or "solid")
    return f" stroke-dasharray=\"{dash}\"" if dash else ""


def _colour_attrs(index: int, colour) -> tuple:
    """(class, style) giving an element its trace's colour: the theme's colourway, or the figure's own."""
    if colour:
        return "", f" style=\"color:{escape(colour)}\""
    return f" c{index % COLOURS}", ""


@dataclass(frozen=True)
class Plot:
    """The plot area: nominal width `w` (the viewBox's) and height `h` in pixels, and its two axes."""

    w: float
    h: float
    x: Axis
    y: Axis

    def px(self, x_unit: float, y_unit: float) -> tuple:
        return self.x.fraction(x_unit) * self.w, (1 - self.y.fraction(y_unit)) * self.h


def _trace_name(trace: dict, index: int) -> str:
    return f"trace {index} ({trace.get('name') or 'unnamed'})"


def _bars(plot: Plot, traces: list, layout: dict) -> tuple:
    """(shapes, texts) of every bar trace: rects in the viewBox, their text at percentages of the width."""
    bars = [(i, t) for i, t in traces if t.get("type") == "bar"]
    if not bars:
        return [], []
    mode = layout.get("barmode") or "group"
    gap = layout.get("bargap", BARGAP)
    shapes, texts = [], []
    stacks = {}
    groups = len(bars) if mode == "group" else 1
    for slot, (index, trace) in enumerate(bars):
        horizontal = trace.get("orientation") == "h"
        where, value_axis = (plot.y, plot.x) if horizontal else (plot.x, plot.y)
        positions, values = (trace["y"], trace["x"]) if horizontal else (trace["x"], trace["y"])
        marker = trace.get("marker") or {}
        width = (1 - gap) / groups
        offset = -(1 - gap) / 2 + width * (slot if mode == "group" else 0)
        colour_class, style = _colour_attrs(index, marker.get("color") if isinstance(marker.get("color"), str)
                                            else None)
        text = trace.get("text")
        base_unit = 0.0 if value_axis.kind == "linear" else value_axis.low
        for point, (position, value) in enumerate(zip(positions, values)):
            at, end = where.unit(position), value_axis.unit(value)
            if at is None or end is None:
                continue  # a missing value is no bar, not a bar of zero
            start = base_unit
            if mode in ("stack", "relative") and value_axis.kind == "linear":
                key = (horizontal, at, value >= 0)
                start = stacks.get(key, 0.0)
                end = start + end
                stacks[key] = end
            lo, hi = at + offset, at + offset + width
            if horizontal:
                (x0, y0), (x1, y1) = plot.px(start, lo), plot.px(end, hi)
            else:
                (x0, y0), (x1, y1) = plot.px(lo, start), plot.px(hi, end)
            colour = _per_point(marker.get("color"), point) if isinstance(marker.get("color"), list) else None
            opacity = _per_point(marker.get("opacity", trace.get("opacity", 1)), point)
            attrs = (f" style=\"color:{escape(_colour(colour, _trace_name(trace, index)))}\"" if colour else style)
            fade = f" fill-opacity=\"{opacity:g}\"" if _number(opacity) and opacity < 1 else ""
            shapes.append(f"<rect class=\"b{colour_class}\"{attrs}{fade} x=\"{_n(min(x0, x1))}\" "
                          f"y=\"{_n(min(y0, y1))}\" width=\"{_n(abs(x1 - x0))}\" height=\"{_n(abs(y1 - y0))}\"/>")
            label = _per_point(text, point) if text is not None else None
            if label not in (None, "") and trace.get("textposition", "outside") != "none":
                texts.append(_bar_text(str(label), horizontal, x0, x1, y0, y1, plot.w, value < 0))
    return shapes, texts


def _bar_text(label: str, horizontal: bool, x0, x1, y0, y1, width: float, negative: bool) -> str:
    """A bar's text just past its end, as plotly's textposition "outside" puts it."""
    if horizontal:
        anchor, dx = ("end", -4) if negative else ("start", 4)
        return (f"<text x=\"{_pc(x1 / width)}\" dx=\"{dx}\" y=\"{_n((y0 + y1) / 2)}\" dy=\"0.35em\" "
                f"text-anchor=\"{anchor}\">{escape(label)}</text>")
    y = max(y0, y1) + 14 if negative else min(y0, y1) - 4
    return f"<text x=\"{_pc((x0 + x1) / 2 / width)}\" y=\"{_n(y)}\" text-anchor=\"middle\">{escape(label)}</text>"


def _scatters(plot: Plot, traces: list) -> list:
    """Paths of every scatter trace: a line broken where a value is missing, and its markers."""
    shapes = []
    for index, trace in traces:
        if trace.get("type", "scatter") != "scatter":
            continue
        points = [None if (px := plot.x.unit(x)) is None or (py := plot.y.unit(y)) is None else plot.px(px, py)
                  for x, y in zip(trace["x"], trace["y"])]
        mode = trace.get("mode") or ("lines+markers" if len(points) < 20 else "lines")
        line = trace.get("line") or {}
        marker = trace.get("marker") or {}
        if "lines" in mode:
            cls, style = _colour_attrs(index, line.get("color") and _colour(line["color"], _trace_name(trace, index)))
            d, pen_down = [], False
            for point in points:
                if point is None:
                    pen_down = False
                    continue
                d.append(f"{'L' if pen_down else 'M'}{_n(point[0])} {_n(point[1])}")
                pen_down = True
            if d:
                width = line.get("width", 2)
                shapes.append(f"<path class=\"ln{cls}\"{style} stroke-width=\"{_n(width)}\"{_dash(line)} "
                              f"d=\"{''.join(d)}\"/>")
        if "markers" in mode:
            shapes.extend(_markers(index, trace, marker, points))
    return shapes


def _markers(index: int, trace: dict, marker: dict, points: list) -> list:
    symbol = MARKERS.get(str(marker.get("symbol", "circle")))
    size = marker.get("size", 6)
    if symbol is None or not _number(size):
        raise ValueError(f"{_trace_name(trace, index)}: marker {marker.get('symbol')!r} of size {size!r} has no "
                         f"static drawing (chart_svg.MARKERS)")
    colour = marker.get("color") if isinstance(marker.get("color"), str) else None
    cls, style = _colour_attrs(index, colour and _colour(colour, _trace_name(trace, index)))
    by_opacity = {}
    for point_index, point in enumerate(points):
        if point is not None:
            opacity = _per_point(marker.get("opacity", trace.get("opacity", 1)), point_index)
            by_opacity.setdefault(opacity, []).append(_marker_path(symbol, *point, size / 2))
    paths = []
    for opacity, parts in by_opacity.items():
        fade = f" opacity=\"{opacity:g}\"" if _number(opacity) and opacity < 1 else ""
        attrs = _marker_style(symbol, size).replace("class=\"", f"class=\"{cls.strip()} " if cls else "class=\"")
        paths.append(f"<path {attrs}{style}{fade} d=\"{''.join(parts)}\"/>")
    return paths


def _shapes(plot: Plot, layout: dict) -> list:
    """The layout's line shapes (a capacity line across the plot, say)."""
    drawn = []
    for number, shape in enumerate(layout.get("shapes") or []):
        if shape.get("type") != "line":
            raise ValueError(f"layout.shapes[{number}]: a {shape.get('type')!r} shape has no static drawing")

        def place(axis, ref, value):
            return value if ref == "paper" else axis.fraction(axis.unit(value))

        x0, x1 = (place(plot.x, shape.get("xref", "x"), shape[k]) * plot.w for k in ("x0", "x1"))
        y0, y1 = ((1 - place(plot.y, shape.get("yref", "y"), shape[k])) * plot.h for k in ("y0", "y1"))
        line = shape.get("line") or {}
        colour = line.get("color")
        style = f" style=\"color:{escape(_colour(colour, f'layout.shapes[{number}]'))}\"" if colour else ""
        drawn.append(f"<path class=\"ln{'' if colour else ' c0'}\"{style} stroke-width=\"{_n(line.get('width', 2))}\""
                     f"{_dash(line)} d=\"M{_n(x0)} {_n(y0)}L{_n(x1)} {_n(y1)}\"/>")
    return drawn


# -- legend -----------------------------------------------------------------------------------------------


def _legend_entries(traces: list, layout: dict) -> list:
    """(index, trace) of the traces the legend lists: plotly shows a legend once a figure has two traces."""
    entries = [(i, t) for i, t in traces if t.get("showlegend", True) and t.get("name")]
    shown = layout.get("showlegend")
    if shown is False or (shown is None and len(traces) < 2):
        return []
    vertical = (layout.get("legend") or {}).get("orientation", "v") == "v"
    if vertical and layout.get("barmode") in ("stack", "relative"):
        entries.reverse()  # plotly lists a stack's traces top to bottom, as they are drawn
    return entries


def _swatch(index: int, trace: dict, x: float, y: float) -> str:
    """A legend entry's symbol, 20 px wide, centred on (x + 10, y)."""
    kind = trace.get("type", "scatter")
    if kind == "bar":
        marker = trace.get("marker") or {}
        colour = marker.get("color") if isinstance(marker.get("color"), str) else None
        cls, style = _colour_attrs(index, colour)
        return f"<rect class=\"b{cls}\"{style} x=\"{_n(x + 4)}\" y=\"{_n(y - 6)}\" width=\"12\" height=\"12\"/>"
    mode = trace.get("mode") or "lines+markers"
    line, marker = trace.get("line") or {}, trace.get("marker") or {}
    parts = []
    if "lines" in mode:
        cls, style = _colour_attrs(index, line.get("color"))
        parts.append(f"<path class=\"ln{cls}\"{style} stroke-width=\"{_n(min(line.get('width', 2), 4))}\""
                     f"{_dash(line)} d=\"M{_n(x)} {_n(y)}h20\"/>")
    if "markers" in mode:
        symbol = MARKERS.get(str(marker.get("symbol", "circle")), "circle")
        size = min(marker.get("size", 6) if _number(marker.get("size", 6)) else 6, 12)
        colour = marker.get("color") if isinstance(marker.get("color"), str) else None
        cls, style = _colour_attrs(index, colour)
        attrs = _marker_style(symbol, size).replace("class=\"", f"class=\"{cls.strip()} ")
        parts.append(f"<path {attrs}{style} d=\"{_marker_path(symbol, x + 10, y, size / 2)}\"/>")
    return "".join(parts)


def _legend(entries: list, vertical: bool, left: float) -> tuple:
    """(markup, rows, width): a horizontal legend flows in rows from the plot's left edge at the nominal width;
    a vertical one is a column at the right, drawn in a nested SVG placed at 100% of the width."""
    if not entries:
        return "", 0, 0
    items, x, row = [], left, 0
    width = max(30 + len(str(t["name"])) * CHAR_PX for _, t in entries) + 8
    for number, (index, trace) in enumerate(entries):
        name = str(trace["name"])
        if vertical:
            y = 10 + number * 20
            items.append(_swatch(index, trace, -width, y) +
                         f"<text x=\"{_n(-width + 26)}\" y=\"{y}\" dy=\"0.35em\">{escape(name)}</text>")
            continue
        item = 30 + len(name) * CHAR_PX + 12
        if x > left and x + item > NOMINAL_WIDTH:
            x, row = left, row + 1
        y = 10 + row * 20
        items.append(_swatch(index, trace, x, y) +
                     f"<text x=\"{_n(x + 26)}\" y=\"{y}\" dy=\"0.35em\">{escape(name)}</text>")
        x += item
    if vertical:
        return f"<svg x=\"100%\" overflow=\"visible\">{''.join(items)}</svg>", len(entries), width
    return "".join(items), row + 1, 0


# -- the figure -------------------------------------------------------------------------------------------


def _axis_values(traces: list, layout: dict, letter: str) -> list:
    """Every value on an axis: the traces' and those of the shapes placed in its units (plotly's autorange
    holds them too, so a capacity line above every bar is still in the plot)."""
    values = []
    for _, trace in traces:
        values.extend(trace.get(letter) or [])
    for shape in layout.get("shapes") or []:
        if shape.get(f"{letter}ref", letter) == letter:
            values.extend(shape.get(f"{letter}{end}") for end in (0, 1))
    return values


def _stack_values(traces: list, layout: dict) -> tuple:
    """The values bars reach on each axis: stacked bars reach the sum of their stack."""
    sums = {}
    for _, trace in traces:
        if trace.get("type") == "bar" and layout.get("barmode") in ("stack", "relative"):
            horizontal = trace.get("orientation") == "h"
            positions, values = (trace["y"], trace["x"]) if horizontal else (trace["x"], trace["y"])
            for position, value in zip(positions, values):
                if _number(value):
                    key = (horizontal, str(position), value >= 0)
                    sums[key] = sums.get(key, 0) + value
    return ([v for (h, _, _), v in sums.items() if h], [v for (h, _, _), v in sums.items() if not h])


def narrow_height(figure: dict) -> float:
    """How high charts.js draws the figure on a phone screen (its `themed` and `wrappedCategories`): a side
    legend moves above the plot, which keeps its height under it, and long category names of horizontal bars
    are wrapped at 20 characters, each category as high as its lines or its bars."""
    layout, data = figure.get("layout") or {}, figure.get("data") or []
    height = layout.get("height") or DEFAULT_HEIGHT
    if layout.get("showlegend") is not False and (layout.get("legend") or {}).get("orientation") != "h":
        height = max(height, 280 + 20 * len(data))
    hbars = [t for t in data if t.get("orientation") == "h"]
    categories = list(dict.fromkeys(y for t in hbars for y in (t.get("y") or []) if isinstance(y, str)))
    if any(len(name) > 20 for name in categories):
        lines = max(len(_wrap(name, 20)) for name in categories)
        height = max(height, 110 + len(categories) * max(lines * 15 + 4, len(hbars) * 22))
    return height


def figure_svg(figure: dict, label: str) -> str:
    """The figure as an inline SVG, as high as plotly.js will draw it, named `label` for assistive technology."""
    layout = figure.get("layout") or {}
    traces = list(enumerate(figure.get("data") or []))
    for index, trace in traces:
        if trace.get("type", "scatter") not in ("bar", "scatter"):
            raise ValueError(f"{_trace_name(trace, index)}: a {trace.get('type')!r} trace has no static drawing")
    height = layout.get("height") or DEFAULT_HEIGHT
    bars = [t for _, t in traces if t.get("type") == "bar"]
    hbars = [t for t in bars if t.get("orientation") == "h"]
    vbars = [t for t in bars if t.get("orientation") != "h"]
    texts = any(t.get("text") is not None for t in bars)
    stacked_x, stacked_y = _stack_values(traces, layout)

    entries = _legend_entries(traces, layout)
    vertical = (layout.get("legend") or {}).get("orientation", "v") == "v"
    x_layout, y_layout = layout.get("xaxis") or {}, layout.get("yaxis") or {}

    # The y axis first: its tick labels set the left margin, which sets the plot's width.
    y_axis = _axis(y_layout, _axis_values(traces, layout, "y") + stacked_y, bool(vbars), 0.08 if texts and vbars else 0,
                   height - 80, "yaxis")
    top_guess = height - 60
    y_labels = _tick_lines(y_axis, top_guess / max(len(y_axis.ticks), 1))
    # At least plotly's default margins (80 px; 40 at the top, as the site's figures set it), so that the plot
    # area is where plotly.js will draw it.
    left = max(80, 10 + max((max(len(line) for line in lines) * CHAR_PX for _, lines in y_labels), default=0) +
               (24 if y_axis.title else 0))
    legend, rows, legend_width = _legend(entries, vertical, left)
    right = max(80, 24 + legend_width)
    x_axis = _axis(x_layout, _axis_values(traces, layout, "x") + stacked_x, bool(hbars), 0.15 if texts and hbars else 0,
                   NOMINAL_WIDTH - left - right, "xaxis")
    plot_w = NOMINAL_WIDTH - left - right
    x_slot = plot_w / max(len(x_axis.ticks), 1)
    x_labels = _tick_lines(x_axis, LINE_PX * 3, width_px=x_slot)
    x_lines = max((len(lines) for _, lines in x_labels), default=1)
    top = max(40, 12 + (rows * 20 if rows and not vertical else 0))
    bottom = max(80, 10 + x_lines * LINE_PX + (30 if x_axis.title else 0))
    plot = Plot(plot_w, max(height - top - bottom, 40), x_axis, y_axis)

    bar_shapes, bar_texts = _bars(plot, traces, layout)
    geometry = (_grid(plot) + bar_shapes + _scatters(plot, traces) + _shapes(plot, layout))
    ticks = ([_y_tick(plot, unit, lines) for unit, lines in y_labels] +
             [_x_tick(plot, unit, lines) for unit, lines in x_labels])
    x_title = (f"<text class=\"t\" x=\"50%\" y=\"{_n(plot.h + 8 + x_lines * LINE_PX + 26)}\" "
               f"text-anchor=\"middle\">{escape(x_axis.title)}</text>") if x_axis.title else ""
    y_title = (f"<text class=\"t\" transform=\"translate(14 {_n(top + plot.h / 2)}) rotate(-90)\" "
               f"text-anchor=\"middle\">{escape(y_axis.title)}</text>") if y_axis.title else ""
    fallback = _pc(plot_w / NOMINAL_WIDTH)  # the plot's width where CSS cannot size an SVG element
    legend_at = f"<g transform=\"translate(0 {_n(top if vertical else 2)})\">{legend}</g>" if legend else ""
    # The stylesheet gives the box its phone-screen height from --narrow-height. The search index leaves out
    # the drawing's text (ticks and legend; the table view is indexed).
    return (f"<svg class=\"chart-static\" data-search-exclude width=\"100%\" height=\"{_n(height)}\" "
            f"style=\"--narrow-height:{_n(narrow_height(figure))}px\" role=\"img\" "
            f"aria-label=\"{escape(label)}\">{legend_at}{y_title}"
            f"<svg x=\"{_n(left)}\" y=\"{_n(top)}\" width=\"{fallback}\" height=\"{_n(plot.h)}\" "
            f"style=\"width:calc(100% - {_n(left + right)}px)\" overflow=\"visible\">"
            f"<svg width=\"100%\" height=\"100%\" viewBox=\"0 0 {_n(plot.w)} {_n(plot.h)}\" "
            f"preserveAspectRatio=\"none\" overflow=\"visible\">{''.join(geometry)}</svg>"
            f"{''.join(ticks)}{''.join(bar_texts)}{x_title}</svg></svg>")


def _tick_lines(axis: Axis, room_px: float, width_px: float = 0) -> list:
    """(units, [lines]) per tick: a category name longer than 28 characters is wrapped where the room allows."""
    labels = []
    for unit, text in axis.ticks:
        lines = [text]
        if axis.kind == "category":
            width = int(width_px / CHAR_PX) if width_px else 24
            if len(text) > max(width, 28 if not width_px else 0):
                wrapped = _wrap(text, max(width, 10))
                if len(wrapped) * LINE_PX <= room_px or width_px:
                    lines = wrapped[:3]
        labels.append((unit, lines))
    return labels


def _grid(plot: Plot) -> list:
    """Grid lines at the ticks of the value axes (a category axis has none)."""
    d = []
    if plot.x.kind != "category":
        d += [f"M{_n(plot.x.fraction(u) * plot.w)} 0V{_n(plot.h)}" for u, _ in plot.x.ticks]
    if plot.y.kind != "category":
        d += [f"M0 {_n((1 - plot.y.fraction(u)) * plot.h)}H{_n(plot.w)}" for u, _ in plot.y.ticks]
    return [f"<path class=\"grid\" d=\"{''.join(d)}\"/>"] if d else []


def _y_tick(plot: Plot, unit: float, lines: list) -> str:
    y = (1 - plot.y.fraction(unit)) * plot.h
    if len(lines) == 1:
        return f"<text x=\"-6\" y=\"{_n(y)}\" dy=\"0.35em\" text-anchor=\"end\">{escape(lines[0])}</text>"
    first = y - (len(lines) - 1) * LINE_PX / 2
    spans = "".join(f"<tspan x=\"-6\" y=\"{_n(first + i * LINE_PX)}\" dy=\"0.35em\">{escape(line)}</tspan>"
                    for i, line in enumerate(lines))
    return f"<text text-anchor=\"end\">{spans}</text>"


def _x_tick(plot: Plot, unit: float, lines: list) -> str:
    x = _pc(plot.x.fraction(unit))
    spans = "".join(f"<tspan x=\"{x}\" y=\"{_n(plot.h + 8 + (i + 1) * LINE_PX - 3)}\">{escape(line)}</tspan>"
                    for i, line in enumerate(lines))
    return f"<text text-anchor=\"middle\">{spans}</text>"
