"""A live calculator's page in a real browser beyond its numbers: its charts (pre-rendered, redrawn, in each
theme, as tables and downloads), the copy buttons, focus rings, the theme's deferred script and instant
navigation."""

import json
from pathlib import Path

import pytest

from calculators.preset_configs import PRESET_CONFIGS
from calculators.web import compute
from drawn_charts import draw_every_chart, scroll_to_chart, wait_for_drawing
from site_pages import calculator_url, hold_pyodide_back


def drawn_figures(page):
    """{figure id: the traces plotly holds (div.data)} for every drawn chart of the calculator."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.calc-charts figure.chart')]
        .map((figure) => [figure.id, (figure.querySelector('.js-plotly-plot') || {}).data || null]))""")


def table_view(page, ident):
    return page.eval_on_selector_all(f"[id='{ident}'] tbody tr",
                                     "rows => rows.map(row => [...row.cells].map(cell => cell.textContent))")


def as_number(text):
    return float(text.replace(",", ""))


def assert_table_matches_traces(rows, traces):
    """The table view holds every point of the drawn traces: series, x, and y to 4 significant digits."""
    points = []
    for trace in traces:
        for x, y in zip(trace["x"], trace["y"]):
            points.append((trace["name"],) + ((y, x) if trace.get("orientation") == "h" else (x, y)))
    assert len(rows) == len(points) > 0
    for (series, x_text, y_text), (name, x, y) in zip(rows, points):
        assert series == name
        if isinstance(x, str):
            assert x_text == x
        else:
            assert as_number(x_text) == pytest.approx(x, rel=5e-4)
        assert as_number(y_text) == pytest.approx(y, rel=5e-4)


@pytest.mark.parametrize("page", ["weights", "fit", "roofline"])
def test_the_pre_rendered_charts_are_drawn_from_the_page(watched, base_url, page):
    hold_pyodide_back(watched.page)
    watched.page.goto(calculator_url(base_url, page))
    expected = compute(page, {})["charts"]
    draw_every_chart(watched.page)
    watched.page.wait_for_function(f"document.querySelectorAll('.calc-charts .js-plotly-plot').length === "
                                   f"{len(expected)}")
    drawn = drawn_figures(watched.page)
    assert list(drawn) == [chart["id"] for chart in expected]
    for chart in expected:
        traces = drawn[chart["id"]]
        assert [(t["x"], t["y"]) for t in traces] == [(t["x"], t["y"]) for t in chart["data"]]
        assert_table_matches_traces(table_view(watched.page, chart["id"]), traces)
    assert watched.errors == []


def test_the_pre_rendered_charts_need_no_pyodide(watched, base_url):
    watched.page.route("**/vendor/pyodide/**", lambda route: route.abort())
    watched.page.goto(calculator_url(base_url, "kv"))
    draw_every_chart(watched.page)
    watched.page.wait_for_selector(".calc-charts .js-plotly-plot .main-svg")
    drawn = drawn_figures(watched.page)
    assert drawn["kv-context"][0]["y"] == compute("kv", {})["charts"][0]["data"][0]["y"]
    # The worker reports that it could not start; the build's charts stand.
    watched.page.wait_for_function("document.querySelector('.calc-status').textContent.includes('failed to start')",
                                   timeout=60_000)
    assert drawn_figures(watched.page) == drawn


def test_editing_an_input_recomputes_and_the_chart_is_drawn(watched, base_url):
    watched.page.goto(calculator_url(base_url, "fit"))
    watched.wait_live()
    watched.page.select_option("#f-gpu", "b200")
    reply = watched.wait_live(count=2)
    assert reply["result"]["gpu"] == "NVIDIA B200 (HGX B200, 1000 W)"
    assert "B200" in watched.page.inner_text(".calc-result")
    capacity = reply["result"]["capacity_bytes"] / 2**30
    assert capacity != compute("fit", {})["result"]["capacity_bytes"] / 2**30
    # The drawn chart follows the new result a moment later, once the reader scrolls to it: its capacity line is
    # the B200's.
    watched.page.eval_on_selector("[id='fit-memory']", "figure => figure.scrollIntoView()")
    watched.page.wait_for_function(f"""() => {{
        const plot = document.querySelector("[id='fit-memory'] .js-plotly-plot");
        return plot && plot.data && plot.data.some((t) => t.name === "GPU memory" && t.y[0] === {capacity!r});
    }}""")
    drawn = drawn_figures(watched.page)
    assert [(t["name"], t["y"]) for t in drawn["fit-memory"]] == \
        [(t["name"], t["y"]) for t in reply["charts"][0]["data"]]
    assert_table_matches_traces(table_view(watched.page, "fit-memory"), drawn["fit-memory"])
    assert "Memory per GPU" in watched.page.inner_text("[id='fit-memory'] figcaption")
    assert watched.errors == []


def test_a_live_chart_off_the_screen_is_redrawn_as_the_reader_comes_to_it(watched, base_url):
    """Typing never waits for plotly.js to draw charts nobody sees: a live result's chart below the fold keeps its
    drawing, marked as not yet redrawn, until the reader scrolls near it."""
    watched.page.set_viewport_size({"width": 1280, "height": 600})
    watched.page.goto(calculator_url(base_url, "fit"))
    watched.wait_live()
    watched.page.select_option("#f-gpu", "b200")
    reply = watched.wait_live(count=2)
    pending = "document.querySelector(\"[id='fit-memory']\").classList.contains('chart-pending')"
    watched.page.wait_for_function(pending)
    assert watched.page.evaluate("typeof window.Plotly") == "undefined"  # nothing drew it, nor loaded plotly.js
    assert_table_matches_traces(table_view(watched.page, "fit-memory"), reply["charts"][0]["data"])  # already new
    wait_for_drawing(watched.page, "fit-memory", reply["charts"][0])  # scrolls to it
    assert not watched.page.evaluate(pending)
    assert watched.errors == []


def test_a_chart_not_yet_redrawn_prints_as_its_table_of_the_live_result(watched, base_url):
    """A printout does not scroll: the chart still holding the default result's drawing prints its table view
    (the live result's) instead of that drawing, and the page is as it was after printing."""
    page = watched.page
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(calculator_url(base_url, "fit"))
    watched.wait_live()
    page.select_option("#f-gpu", "b200")
    reply = watched.wait_live(count=2)
    page.wait_for_function("document.querySelector(\"[id='fit-memory']\").classList.contains('chart-pending')")
    # Listened to after charts.js's own listeners, so it sees the page as the printout is laid out.
    page.evaluate("""() => addEventListener("beforeprint", () => {
        const figure = document.querySelector("[id='fit-memory']");
        window.__printed = {open: figure.querySelector("details.chart-table").open,
                            rows: [...figure.querySelectorAll("tbody tr")].map((row) => row.cells[2].textContent)};
    })""")
    page.pdf()
    printed = page.evaluate("window.__printed")
    assert printed["open"], "the table view was not opened for the printout"
    assert [float(cell) for cell in printed["rows"]] == pytest.approx(
        [trace["y"][0] for trace in reply["charts"][0]["data"]], rel=5e-4)
    assert not page.evaluate("document.querySelector(\"[id='fit-memory'] details.chart-table\").open")
    plot = "getComputedStyle(document.querySelector(\"[id='fit-memory'] .chart-plot\")).display"
    page.emulate_media(media="print")
    assert page.evaluate(plot) == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.calc-export')).display") == "none"
    page.emulate_media(media="screen")
    assert page.evaluate(plot) != "none"
    assert watched.errors == []

def test_live_charts_rewrite_their_titles_and_tables(watched, base_url):
    config = dict(PRESET_CONFIGS["llama-3.1-8b"]["config"], _name_or_path="<img src=x onerror=alert(1)>")
    watched.page.goto(calculator_url(base_url, "kv", {"model": "config", "config": json.dumps(config), "batch": "3"}))
    reply = watched.wait_live()
    assert reply["ok"]
    watched.page.wait_for_function("""() => {
        const caption = document.querySelector("[id='kv-context'] figcaption strong");
        return caption && caption.textContent.includes("3 sequences");
    }""")
    wait_for_drawing(watched.page, "kv-context", reply["charts"][0])
    drawn = drawn_figures(watched.page)
    assert [t["y"] for t in drawn["kv-context"]] == [t["y"] for t in reply["charts"][0]["data"]]
    assert_table_matches_traces(table_view(watched.page, "kv-context"), drawn["kv-context"])
    assert watched.page.evaluate("document.querySelectorAll('.calc-charts img').length") == 0
    assert watched.errors == [] and watched.dialogs == []


def test_instant_navigation_keeps_one_worker(watched, base_url):
    watched.page.goto(calculator_url(base_url, "kv"))
    watched.wait_live()
    # Instant navigation is the theme's, whose script comes when the reader first reaches for the page
    # (hooks.py): a link followed before it has loaded is an ordinary navigation, to a page with a worker of
    # its own.
    watched.reach_for_the_page()
    started = watched.page.evaluate("window.__calc.startedAt")
    watched.page.click("nav a[href$='will-it-fit/']")
    watched.page.wait_for_selector(".calc[data-page='fit'][data-bound]")
    reply = watched.wait_live(count=2)
    assert reply["page"] == "fit"
    assert watched.page.evaluate("window.__calc.startedAt") == started  # the same worker, not a new Pyodide
    # The page that instant navigation brought in draws its charts as a page loaded directly does.
    scroll_to_chart(watched.page, "[id='fit-memory']")
    assert watched.errors == []


def test_a_result_is_copied_as_markdown_or_json_and_a_chart_table_downloads_as_csv(watched, base_url):
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    params = {"model": "mistral-7b-v0.3", "context": "16384", "batch": "2", "units": "GB"}
    page.goto(calculator_url(base_url, "kv", params))
    watched.wait_live()
    page.click("[data-export='markdown']")
    page.wait_for_function("document.querySelector('.calc-status').textContent.startsWith('Copied')")
    text = page.evaluate("navigator.clipboard.readText()")
    expected = compute("kv", params)["result"]
    assert f"{expected['total_bytes'] / 1e9:,.2f} GB" in text and "| Per token, all layers |" in text
    page.click("[data-export='json']")
    page.wait_for_function("document.querySelector('.calc-status').textContent.includes('as JSON')")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied["calculator"] == "kv" and copied["result"] == json.loads(json.dumps(expected))
    page.click(".calc-charts details.chart-table summary")
    with page.expect_download() as download:
        page.click(".calc-charts .calc-csv")
    rows = Path(download.value.path()).read_text().strip().splitlines()
    table_rows = page.eval_on_selector(".calc-charts details.chart-table table", "t => t.rows.length")
    assert download.value.suggested_filename == "kv-context.csv" and len(rows) == table_rows
    assert rows[0] == "series,context (tokens),GB"


@pytest.mark.parametrize("page, params, kinds", [("training", None, {"select-one", "text", "checkbox"}),
                                                 ("weights", {"model": "config"}, {"select-one", "textarea", "text", "button"})])
def test_every_form_control_shows_a_focus_ring_and_charts_add_no_tab_stops(watched, base_url, page, params, kinds):
    """Tabbing through the page: each control of the form (select, text, checkbox, textarea, button) shows a ring of
    at least 2 px, and a drawn chart holds one tab stop, its table view, whatever plotly drew."""
    watched.page.goto(calculator_url(base_url, page, params))
    charts = len(compute(page, {})["charts"])  # the build's charts stand while the inputs are incomplete
    draw_every_chart(watched.page)
    watched.page.wait_for_function(f"document.querySelectorAll('.calc-charts .js-plotly-plot').length === {charts}")
    controls = watched.page.evaluate("[...document.querySelector('.calc form').elements].filter((e) => "
                                     "e.matches('input, select, textarea, button') && !e.closest('[hidden]')).length")
    focused, in_charts = [], []
    for _ in range(200):
        watched.page.keyboard.press("Tab")
        where = watched.page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return {name: e.name || null, type: e.type || e.tagName, inForm: !!e.closest('.calc form'),
                    inChart: !!e.closest('figure.chart'), tag: e.tagName, outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth)}; }""")
        if where["inForm"]:
            focused.append(where)
        if where["inChart"]:
            in_charts.append(where["tag"])
        if where["tag"] == "BODY" and focused:
            break
    assert len(focused) == controls > 0
    assert {control["type"] for control in focused} == kinds
    for control in focused:
        assert control["outline"] not in ("none", "hidden") and control["width"] >= 2, control
    assert in_charts == ["SUMMARY"] * charts


def test_switching_the_theme_redraws_the_charts_in_its_colours(watched, base_url):
    watched.page.goto(calculator_url(base_url, "fit"))
    # The theme's script, which comes when the reader first reaches for the page (a switch pressed before it
    # comes is passed on to it: test_the_theme_script_waits_for_the_reader).
    watched.wait_live()
    watched.reach_for_the_page()
    charts = len(compute("fit", {})["charts"])
    draw_every_chart(watched.page)
    watched.page.wait_for_function(f"document.querySelectorAll('.calc-charts .js-plotly-plot').length === {charts}")
    # Each chart's text colour as [red, green, blue], whatever notation plotly keeps it in.
    colours = """() => {
        const rgb = (colour) => { const probe = document.createElement('i'); probe.style.color = colour;
            document.body.append(probe); const value = getComputedStyle(probe).color; probe.remove();
            return value.match(/[\\d.]+/g).slice(0, 3).map(Number); };
        return {scheme: document.body.dataset.mdColorScheme,
                charts: [...document.querySelectorAll('.js-plotly-plot')].map((div) => rgb(div._fullLayout.font.color))};
    }"""
    light = watched.page.evaluate(colours)
    assert light["scheme"] == "default" and len(light["charts"]) == charts
    assert all(max(colour) < 60 for colour in light["charts"]), light  # dark text on the light background
    watched.page.click("label[for='__palette_1']")
    # Drawn again at once, in the dark theme's text colour: no reload, no other event.
    watched.page.wait_for_function("""() => document.body.dataset.mdColorScheme === 'slate' &&
        [...document.querySelectorAll('.js-plotly-plot')].every((div) => div._fullLayout.font.color ===
        getComputedStyle(document.body).getPropertyValue('--md-default-fg-color').trim())""",
                                   timeout=2_000)
    dark = watched.page.evaluate(colours)
    assert dark["scheme"] == "slate"
    assert all(min(colour) > 200 for colour in dark["charts"]), dark  # light text on the dark background
    assert watched.errors == []


def test_the_theme_script_waits_for_the_reader(watched, base_url):
    """mkdocs-material's script (search, the palette switch, instant navigation) is held back until the reader
    first reaches for the page (generator/site/hooks.py, DEFERRED_THEME), even once the calculator is live,
    and then works as on any other page: a palette switch pressed before it comes is passed on to it, and the
    key that brought it is pressed again for it."""
    page = watched.page
    page.goto(calculator_url(base_url, "roofline"))
    watched.wait_live()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.document$") == "undefined"
    assert page.locator("script[src*='javascripts/bundle.']").count() == 0
    assert page.is_visible("input.md-search__input")  # the header is whole before the theme's script comes
    page.mouse.move(200, 400)
    page.wait_for_function("typeof window.document$ === 'object'", timeout=30_000)
    assert page.locator("script[src*='javascripts/bundle.']").count() == 1
    page.click("input.md-search__input")
    page.keyboard.type("roofline")
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    # Pyodide held back for good, on a calculator page and on one without a calculator: the reader's first
    # action brings the theme.
    for address in (calculator_url(base_url, "kv"), base_url + "/learn/"):
        context = page.context.browser.new_context()  # nothing stored: the light palette
        early = context.new_page()
        early.route("**/vendor/pyodide/**", lambda route: None)  # never answered
        early.goto(address)
        early.wait_for_timeout(500)
        assert early.evaluate("typeof window.document$") == "undefined", address
        assert early.get_attribute("body", "data-md-color-scheme") == "default"
        early.click("label[title='Dark mode']")  # the palette switch, pressed before the script has come
        early.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=30_000)
        assert early.is_visible("label[title='Light mode']") and not early.is_visible("label[title='Dark mode']")
        context.close()
    # "/" opens the search, as the theme's keyboard shortcut does, though it is the key that brought the theme.
    early = page.context.new_page()
    early.goto(base_url + "/learn/")
    early.wait_for_timeout(300)
    assert early.evaluate("typeof window.document$") == "undefined"
    early.keyboard.press("/")
    early.wait_for_function("document.activeElement && document.activeElement.matches('input.md-search__input')",
                            timeout=30_000)
    early.keyboard.type("roofline")
    early.wait_for_selector(".md-search-result__item", timeout=30_000)
    early.close()
    assert watched.errors == []


def test_the_first_answer_tells_when_each_step_of_the_start_ended(watched, base_url):
    """The site's benchmark (generator/site/performance.py) splits going live into Pyodide's start and what
    follows it: the worker's first answer carries when Pyodide was ready, calculators/ imported and the first
    result computed, on the page's clock, in that order and before the page went live; later answers do not.
    The benchmark waits for the page to go live with a wait of its own, which resolves then."""
    from generator.site.performance import WAIT_IN_PAGE

    watched.page.goto(calculator_url(base_url, "fit"))
    watched.page.evaluate(WAIT_IN_PAGE, "window.__calc && window.__calc.liveAt !== null")
    assert watched.page.evaluate("window.__calc.computeMs.length") >= 1
    start = watched.page.evaluate("window.__calc.start")
    live = watched.page.evaluate("window.__calc.liveAt")
    assert 0 < start["pyodideReady"] <= start["imported"] <= start["computed"] <= live, (start, live)
    watched.page.fill("#f-batch", "3")
    watched.wait_live(count=2)
    assert watched.page.evaluate("window.__calc.start") == start
    assert watched.errors == []
