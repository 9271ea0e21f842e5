"""The static SVG drawing of a Plotly figure (generator/site/chart_svg.py): its geometry is the figure's numbers."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from generator.site.chart_svg import DEFAULT_HEIGHT, figure_svg
from generator.site.charts import Chart, chart_html, figure

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """The SVG as XML (which it must be: a stray '<' or '&' in a label would fail here)."""
    markup = markup.replace(" data-search-exclude ", " data-search-exclude=\"\" ", 1)
    return ET.fromstring(markup.replace("<svg class", f"<svg xmlns=\"{SVG[1:-1]}\" class", 1))


def drawn(markup: str):
    """The plot's viewBox SVG: its width and height, and the element tree inside it."""
    root = parse(markup)
    box = next(el for el in root.iter(f"{SVG}svg") if el.get("viewBox"))
    _, _, width, height = (float(v) for v in box.get("viewBox").split())
    return width, height, box


def rects(box) -> list:
    """(x, y, width, height, attributes) of every bar."""
    return [(float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")), r.attrib)
            for r in box.iter(f"{SVG}rect") if r.get("class", "").split()[0] == "b"]


def paths(box, kind: str) -> list:
    return [p for p in box.iter(f"{SVG}path") if kind in p.get("class", "").split()]


def points(d: str) -> list:
    """(x, y) of every M or L command of a path."""
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+) (-?[\d.]+)", d)]


def texts(markup: str) -> list:
    return ["".join(t.itertext()) for t in parse(markup).iter(f"{SVG}text")]


def hbar_figure(values, labels=None, **layout) -> dict:
    labels = labels or [f"item {i}" for i in range(len(values))]
    return {"data": [{"type": "bar", "orientation": "h", "name": "size", "y": labels, "x": values}],
            "layout": {"xaxis": {"title": {"text": "GiB"}}, "yaxis": {"title": {"text": ""}}, **layout}}


def test_bar_lengths_are_proportional_to_the_values_from_zero():
    _, _, box = drawn(figure_svg(hbar_figure([1.0, 2.0, 4.0, 3.5]), "sizes"))
    bars = rects(box)
    assert len(bars) == 4
    assert {round(x, 1) for x, *_ in bars} == {0.0}  # every bar starts at the axis's zero, the left edge
    widths = [w for _, _, w, _, _ in bars]
    for width, value in zip(widths, [1.0, 2.0, 4.0, 3.5]):
        assert width / widths[0] == pytest.approx(value / 1.0, rel=0.01)


def test_vertical_bars_grow_up_from_zero_in_proportion():
    fig = {"data": [{"type": "bar", "name": "n", "x": ["a", "b"], "y": [10, 30]}], "layout": {}}
    _, height, box = drawn(figure_svg(fig, "n"))
    (x_a, y_a, w_a, h_a, _), (x_b, y_b, w_b, h_b, _) = rects(box)
    assert y_a + h_a == pytest.approx(height, abs=0.1) and y_b + h_b == pytest.approx(height, abs=0.1)
    assert h_b / h_a == pytest.approx(3, rel=0.01)
    assert x_b > x_a + w_a  # b is right of a


def test_a_missing_value_is_no_bar_not_a_bar_of_zero():
    _, _, box = drawn(figure_svg(hbar_figure([1.0, None, 3.0]), "sizes"))
    assert len(rects(box)) == 2
    fig = {"data": [{"type": "scatter", "mode": "lines+markers", "name": "s", "x": [1, 2, 3, 4, 5],
                     "y": [1.0, None, 3.0, 4.0, 5.0]}], "layout": {}}
    _, _, box = drawn(figure_svg(fig, "s"))
    (line,) = paths(box, "ln")
    assert line.get("d").count("M") == 2  # the line breaks at the gap: one point, then the rest
    assert len(points(line.get("d"))) == 4
    (dots,) = paths(box, "mk")
    assert dots.get("d").count("M") == 4


def test_log_axis_places_points_at_their_logarithm():
    fig = {"data": [{"type": "scatter", "mode": "lines", "name": "roof", "x": [1, 10, 100, 1000],
                     "y": [1, 10, 20, 40]}],
           "layout": {"xaxis": {"type": "log", "title": {"text": "intensity"}}, "yaxis": {"type": "log"}}}
    markup = figure_svg(fig, "roof")
    _, height, box = drawn(markup)
    (line,) = paths(box, "ln")
    xs = [x for x, _ in points(line.get("d"))]
    steps = [b - a for a, b in zip(xs, xs[1:])]
    assert steps == pytest.approx([steps[0]] * 3, abs=0.2)  # a decade is the same distance everywhere
    ys = [y for _, y in points(line.get("d"))]
    # 10 -> 20 and 20 -> 40 are both a doubling: the same height on a log axis, and log10(2) of a decade.
    assert (ys[1] - ys[2]) == pytest.approx(ys[2] - ys[3], abs=0.2)
    assert (ys[1] - ys[2]) / (ys[0] - ys[1]) == pytest.approx(math.log10(2), abs=0.01)
    labels = texts(markup)
    assert {"1", "10", "100", "1000"} <= set(labels)


def test_a_log_axis_leaves_out_values_it_cannot_show():
    fig = {"data": [{"type": "scatter", "mode": "markers", "name": "kl", "x": [1, 2, 3], "y": [0.1, 0, 0.01]}],
           "layout": {"yaxis": {"type": "log"}}}
    _, _, box = drawn(figure_svg(fig, "kl"))
    (dots,) = paths(box, "mk")
    assert dots.get("d").count("M") == 2


def test_stacked_bars_start_where_the_one_below_ends_and_grouped_bars_sit_side_by_side():
    traces = [{"type": "bar", "name": "weights", "x": ["A"], "y": [4.0]},
              {"type": "bar", "name": "cache", "x": ["A"], "y": [2.0]}]
    _, _, box = drawn(figure_svg({"data": traces, "layout": {"barmode": "stack"}}, "memory"))
    (x0, y0, w0, h0, _), (x1, y1, w1, h1, _) = rects(box)
    assert y1 + h1 == pytest.approx(y0, abs=0.1) and h0 / h1 == pytest.approx(2, rel=0.01)
    assert (x0, w0) == (x1, w1)
    _, _, box = drawn(figure_svg({"data": traces, "layout": {"barmode": "group"}}, "memory"))
    (x0, _, w0, _, _), (x1, _, w1, _, _) = rects(box)
    assert x1 == pytest.approx(x0 + w0, abs=0.1)


def test_per_bar_opacity_and_colour():
    fig = hbar_figure([1, 2, 3])
    fig["data"][0]["marker"] = {"opacity": [0.45, 1, 0.45], "color": ["#112233", "#445566", "#778899"]}
    _, _, box = drawn(figure_svg(fig, "formats"))
    bars = rects(box)
    assert [attrs.get("fill-opacity") for *_, attrs in bars] == ["0.45", None, "0.45"]
    assert [attrs.get("style") for *_, attrs in bars] == ["color:#112233", "color:#445566", "color:#778899"]


def test_traces_take_the_theme_colourway_by_index():
    traces = [{"type": "bar", "name": f"t{i}", "x": ["a"], "y": [i + 1]} for i in range(12)]
    _, _, box = drawn(figure_svg({"data": traces, "layout": {}}, "many"))
    classes = [attrs["class"] for *_, attrs in rects(box)]
    assert classes[:3] == ["b c0", "b c1", "b c2"] and classes[10] == "b c0"


def test_text_on_bars_is_written_at_their_ends():
    fig = hbar_figure([1.0, 2.0])
    fig["data"][0]["text"] = ["1.00", "2.00"]
    assert {"1.00", "2.00"} <= set(texts(figure_svg(fig, "sizes")))


def test_a_legend_entry_per_named_trace():
    traces = [{"type": "scatter", "mode": "lines", "name": name, "x": [1, 2], "y": [1, 2]}
              for name in ("BF16", "FP8", "AWQ")]
    traces.append({"type": "scatter", "mode": "lines", "x": [1, 2], "y": [2, 3]})  # no name: no entry
    traces.append({"type": "scatter", "mode": "lines", "name": "hidden", "showlegend": False, "x": [1], "y": [1]})
    labels = texts(figure_svg({"data": traces, "layout": {}}, "speeds"))
    assert [label for label in labels if label in ("BF16", "FP8", "AWQ", "hidden")] == ["BF16", "FP8", "AWQ"]
    one = texts(figure_svg({"data": traces[:1], "layout": {}}, "speed"))
    assert "BF16" not in one  # plotly shows no legend for a single trace
    off = texts(figure_svg({"data": traces, "layout": {"showlegend": False}}, "speeds"))
    assert "FP8" not in off


def test_labels_names_and_titles_are_escaped():
    nasty = "<b>AWQ & GPTQ</b> \"4-bit\""
    fig = hbar_figure([1.0, 2.0], labels=[nasty, "plain"], xaxis={"title": {"text": "x < y & z"}})
    fig["data"].append({"type": "bar", "orientation": "h", "name": "</svg><script>", "y": ["plain"], "x": [1]})
    markup = figure_svg(fig, "a <label> & more")
    assert "<script>" not in markup and "<b>" not in markup
    assert {nasty, "x < y & z", "</svg><script>"} <= set(texts(markup))
    assert parse(markup).get("aria-label") == "a <label> & more"


def test_the_box_is_as_high_as_plotly_draws_the_figure():
    assert parse(figure_svg(hbar_figure([1]), "a")).get("height") == str(DEFAULT_HEIGHT)
    assert parse(figure_svg(hbar_figure([1], height=570), "a")).get("height") == "570"


def test_a_capacity_line_sits_at_its_value():
    traces = [{"type": "bar", "name": "weights", "x": ["GPU"], "y": [30.0]}]
    shape = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 30.0, "y1": 30.0,
             "line": {"dash": "dash", "color": "#d33", "width": 2}}
    width, _, box = drawn(figure_svg({"data": traces, "layout": {"shapes": [shape]}}, "fit"))
    (_, top, _, _, _), = rects(box)
    (line,) = paths(box, "ln")
    (x0, y0), (x1, y1) = points(line.get("d"))
    assert y0 == y1 == pytest.approx(top, abs=0.1) and (x0, x1) == (0, pytest.approx(width, abs=0.1))
    assert line.get("stroke-dasharray") and "#d33" in line.get("style")


def test_coordinates_are_rounded():
    fig = {"data": [{"type": "scatter", "mode": "lines", "name": "s", "x": [i / 7 for i in range(50)],
                     "y": [math.sin(i / 3) for i in range(50)]}], "layout": {}}
    markup = figure_svg(fig, "sine")
    coordinates = re.findall(r' (?:d|x|y|width|height)="([^"]*)"', markup)
    assert coordinates and not any(re.search(r"\d\.\d{2,}", value) for value in coordinates)


@pytest.mark.parametrize("fig, message", [
    ({"data": [{"type": "pie", "name": "p", "values": [1]}], "layout": {}}, "'pie' trace"),
    ({"data": [{"type": "scatter", "mode": "markers", "name": "s", "x": [1], "y": [1],
                "marker": {"symbol": "star"}}], "layout": {}}, "marker 'star'"),
    ({"data": [{"type": "scatter", "mode": "lines", "name": "s", "x": [1], "y": [1],
                "line": {"color": "red;}</style>"}}], "layout": {}}, "colour"),
    ({"data": [], "layout": {"xaxis": {"type": "date"}}}, "axis type 'date'"),
])
def test_what_it_cannot_draw_fails_with_the_trace_at_fault(fig, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        figure_svg(fig, "x")


def test_chart_html_puts_the_drawing_where_the_chart_goes():
    fig = figure([{"type": "bar", "name": "a", "x": ["p", "q"], "y": [1, 2]}], "part", "GiB")
    html = chart_html(Chart(id="c", title="Parts", figure=fig, caption="From records.", x_title="part",
                            y_title="GiB"))
    plot = re.search(r"<div class=\"chart-plot\">(.*?)</div>", html, re.S).group(1)
    assert plot.startswith("<svg class=\"chart-static\" data-search-exclude ") and "role=\"img\"" in plot
    assert "aria-label=\"Parts (chart; the table view holds its data)\"" in plot
    assert "chart-wait" not in html
