"""Charts drawn by plotly.js in a test's page. charts.js hands a chart drawn at build time to plotly.js only as it
comes near the screen (or is pointed at); a test that inspects every plotly chart of a page asks for all of them,
as scrolling past each would."""


def draw_every_chart(page, timeout=60_000):
    page.wait_for_function("window.__charts && typeof window.__charts.drawAll === 'function'", timeout=timeout)
    page.evaluate("window.__charts.drawAll()")


def scroll_to_chart(page, selector, timeout=60_000):
    """Scroll the reader to one chart, once charts.js watches it, and wait for plotly.js to draw it there."""
    page.wait_for_function(f"(document.querySelector(\"{selector}\") || {{dataset: {{}}}}).dataset.watched === '1'",
                           timeout=timeout)
    page.eval_on_selector(selector, "figure => figure.scrollIntoView()")
    page.wait_for_selector(f"{selector} .js-plotly-plot .main-svg", timeout=timeout)


def wait_for_drawing(page, figure_id, figure, timeout=60_000):
    """Scroll to the chart of that id and wait until plotly.js holds this figure's y values in it (a live result's
    charts are drawn a moment after its numbers, as they come near the screen, and plotly.js may still be
    loading)."""
    want = [trace["y"] for trace in figure["data"]]
    # A live chart is drawn as it comes near the screen: the reader scrolls to it.
    page.eval_on_selector(f"[id='{figure_id}']", "figure => figure.scrollIntoView()")
    page.wait_for_function(
        "([id, want]) => { const plot = document.querySelector(`[id='${id}'] .js-plotly-plot`);"
        " if (!plot || !plot.data || plot.data.length !== want.length) return false;"
        " return plot.data.every((trace, i) => { const y = Array.from(trace.y);"
        " return y.length === want[i].length && y.every((v, j) => v === want[i][j]); }); }",
        arg=[figure_id, want], timeout=timeout)
