"""Charts at first paint: every chart is on screen as the SVG drawn at build time before plotly.js has loaded,
and plotly.js's chart takes its place in a box of the same size, so nothing on the page moves."""

import pytest

from site_pages import axe_violations, hold_pyodide_back

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# The figures' boxes and what each holds: the static SVG (and whether it is on screen), or plotly's chart.
BOXES = """() => [...document.querySelectorAll('figure.chart')].map((figure) => {
    const plot = figure.querySelector('.chart-plot').getBoundingClientRect();
    const svg = figure.querySelector('.chart-plot > svg.chart-static');
    const box = svg && svg.getBoundingClientRect();
    return {id: figure.id, top: plot.top + window.scrollY, height: plot.height, bottom: plot.bottom + window.scrollY,
            figureBottom: figure.getBoundingClientRect().bottom + window.scrollY,
            svg: svg ? {width: box.width, height: box.height, bars: svg.querySelectorAll('rect').length,
                        lines: svg.querySelectorAll('path').length, label: svg.getAttribute('aria-label'),
                        visible: box.width > 0 && box.height > 0 && getComputedStyle(svg).visibility === 'visible'}
                     : null,
            plotly: !!figure.querySelector('.js-plotly-plot .main-svg')};
})"""

# Layout shifts the browser records (the Layout Instability API), from the moment the observer starts.
OBSERVE_SHIFTS = """() => { window.__shifts = [];
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__shifts.push(entry.value); })
        .observe({type: 'layout-shift'}); }"""


def ask_for_every_chart(page):
    """Every chart asks charts.js for plotly.js, as scrolling past each would; not waited for."""
    page.wait_for_function("window.__charts && typeof window.__charts.drawAll === 'function'")
    page.evaluate("() => { window.__charts.drawAll(); }")


@pytest.mark.parametrize("path", ["/calculators/training-memory/", "/results/published/", "/results/calculators/"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_charts_show_at_first_paint_and_plotly_replaces_them_in_place(watched, base_url, path, viewport):
    page = watched.page
    page.set_viewport_size(viewport)
    held = []
    page.route("**/vendor/plotly-basic.min.js", lambda route: held.append(route))
    hold_pyodide_back(page)  # the charts at first paint are the build's, whatever the live calculator does later
    page.goto(base_url + path, wait_until="domcontentloaded")  # a chart that asks for plotly.js holds "load"
    page.wait_for_function("document.querySelectorAll('figure.chart').length > 0")
    ask_for_every_chart(page)
    page.wait_for_timeout(300)  # plotly.js's request is held
    assert held, "charts.js asked for no plotly.js"
    before = page.evaluate(BOXES)
    for box in before:
        assert box["svg"] and box["svg"]["visible"] and not box["plotly"], (path, box)
        assert box["svg"]["bars"] + box["svg"]["lines"] > 0, (path, box)  # it draws something
        assert box["svg"]["width"] <= viewport["width"] and box["height"] == box["svg"]["height"], (path, box)
        assert box["svg"]["label"].endswith("(chart; the table view holds its data)"), box

    page.evaluate(OBSERVE_SHIFTS)
    held[0].continue_()
    page.wait_for_function(f"[...document.querySelectorAll('figure.chart .js-plotly-plot')]"
                           f".filter((div) => div.querySelector('.main-svg')).length === {len(before)}", timeout=30_000)
    page.wait_for_timeout(300)
    after = page.evaluate(BOXES)
    assert [box["svg"] for box in after] == [None] * len(after), "the static SVG stayed beside plotly's chart"
    for old, new in zip(before, after):
        assert (new["top"], new["height"], new["figureBottom"]) == (old["top"], old["height"], old["figureBottom"]), \
            (path, viewport, old["id"], old, new)
    assert page.evaluate("window.__shifts") == [], "the page moved when plotly.js drew its charts"
    assert watched.errors == []


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_the_static_charts_pass_axe_in_both_themes(watched, base_url, scheme):
    """Without plotly.js, the page keeps its static charts (named images) and their text reads on either
    theme's background (axe checks the charts' figures, caption and table view included)."""
    page = watched.page
    page.route("**/vendor/plotly-basic.min.js", lambda route: route.abort())
    hold_pyodide_back(page)
    for path in ["/results/published/", "/calculators/will-it-fit/", "/learn/outliers/"]:
        page.goto(base_url + path)
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        ask_for_every_chart(page)
        page.wait_for_function("window.__charts && window.__charts.failures.length > 0")  # plotly.js did not load
        boxes = page.evaluate(BOXES)
        assert boxes and all(box["svg"] and box["svg"]["visible"] for box in boxes), (path, boxes)
        violations = axe_violations(page, "{include: [['figure.chart']]}")
        assert violations == [], (path, scheme, violations)
        watched.errors.clear()  # the aborted plotly.js request is reported as an error


def test_without_javascript_a_reader_sees_the_charts(browser, base_url):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/results/published/")
    svgs = page.locator("figure.chart svg.chart-static")
    assert svgs.count() == page.locator("figure.chart").count() > 0
    assert all(svgs.nth(i).is_visible() for i in range(svgs.count()))
    context.close()


def test_plotly_js_loads_only_when_a_chart_comes_near_the_screen(watched, base_url):
    """On a phone the calculator's charts are below the fold: the page computes live without plotly.js, and the
    first chart scrolled to brings it."""
    page = watched.page
    page.set_viewport_size(PHONE)
    page.goto(base_url + "/calculators/will-it-fit/")
    watched.wait_live()
    page.wait_for_function("document.querySelectorAll('figure.chart[data-watched]').length > 0")
    page.wait_for_timeout(500)
    assert not [r for r in watched.requests if r.endswith("plotly-basic.min.js")]
    first = page.evaluate("document.querySelector('figure.chart').id")
    page.eval_on_selector(f"[id='{first}']", "figure => figure.scrollIntoView()")
    page.wait_for_selector(f"[id='{first}'] .js-plotly-plot .main-svg", timeout=30_000)
    assert [r for r in watched.requests if r.endswith("plotly-basic.min.js")]
    assert watched.errors == []
