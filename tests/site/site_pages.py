"""The built site's pages as a visitor's browser finds and loads them: the crawl from the home page, the
sections the page checks are shared out by (each section's test file runs in its own test process, beside the
others), the check every page gets, and axe."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urlencode, urljoin, urlparse

from calculators.pages import page as calculator_page

from drawn_charts import draw_every_chart

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Each page is checked by the test file of its section: the first whose path prefixes the page's.
SECTIONS = {"calculators": ("/calculators/", "/choose/"), "learn": ("/learn/",),
            "guides": ("/run-it-fast/", "/exam-prep/", "/evaluate/"), "home and results": ("/results/",)}
HOME = "/"


class _Parsed(HTMLParser):
    """The href of every <a> in a page and every id, as its HTML has them."""

    def __init__(self, html: str):
        super().__init__()
        self.hrefs, self.ids = [], set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") is not None:
            self.hrefs.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def ids_of(html: str) -> set:
    return _Parsed(html).ids


def crawl(page, base_url):
    """Every page reachable from the home page, with the anchors linked to on each. Linked files that are
    not pages (the results' data downloads) must answer 200 too, but are not returned as pages. Of the links
    that set a calculator's inputs, one is followed for each page and set of inputs (the catalogue on the
    Calculators page links every model, format and GPU). Links are read from each page's HTML as served:
    every link of the site is in it (a calculator's links come with its pre-rendered result, and a live result
    writes the same ones), so the crawl runs no page's scripts; the section tests load every page in full."""
    seen, queue, anchors, html_pages = set(), [base_url + "/"], {}, []
    while queue:
        address = queue.pop()
        parts = urlparse(address)
        kind = (parts.path, tuple(sorted(parse_qs(parts.query))))
        if address in seen or kind in seen:
            continue
        seen.update((address, kind))
        response = page.request.get(address)
        assert response.status == 200, address
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        html_pages.append(address)
        for href in _Parsed(response.text()).hrefs:
            target, fragment = urldefrag(urljoin(address, href))
            if urlparse(target).netloc != urlparse(base_url).netloc:
                continue
            if fragment:
                anchors.setdefault(target, set()).add(fragment)
            if target not in seen and not target.endswith((".js", ".css", ".json", ".xml", ".png", ".svg")):
                queue.append(target)
    return sorted(html_pages), anchors


def crawled(browser, base_url):
    context = browser.new_context()
    found = crawl(context.new_page(), base_url)
    context.close()
    return found


def built_pages(site_dir) -> list:
    """The address path of every page the build wrote (each an index.html; the missing page, 404.html, aside)."""
    directory = Path(site_dir[0])
    paths = []
    for index in directory.rglob("index.html"):
        folder = index.parent.relative_to(directory).as_posix()
        paths.append("/" if folder == "." else f"/{folder}/")
    return sorted(paths)


def section_of(address: str) -> str | None:
    """The section of a page's address (or of its path)."""
    path = urlparse(address).path
    if path == HOME:
        return "home and results"
    return next((name for name, prefixes in SECTIONS.items() if path.startswith(prefixes)), None)


def calculator_url(base_url: str, page: str, params: dict | None = None) -> str:
    """The address of a calculator's page (calculators/pages/), its inputs in the query if any are given."""
    return f"{base_url}/{calculator_page(page).path}/" + (f"?{urlencode(params)}" if params else "")


def axe_violations(page, context: str = "document") -> list:
    """(rule, impact, first targets) of each axe violation in `context` (axe.run's first argument, as JavaScript),
    read once the charts are still: a live result's charts written (calculators.js) and none being drawn by
    plotly.js (charts.js), since axe fails on nodes that are replaced while it reads them. Colours are read
    in their final state: the theme's transitions (a link's, the palette's) are ended for the reading, since
    a colour caught half-way between two states has neither state's contrast."""
    page.wait_for_function("(!window.__calc || window.__calc.chartsSettled !== false)"
                           " && (!window.__charts || window.__charts.drawing === 0)", timeout=30_000)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(f"""async () => {{
        const still = document.createElement('style');
        still.textContent = '*, *::before, *::after {{ transition: none !important; animation: none !important; }}';
        document.head.append(still);
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
        try {{
            return await axe.run({context}, {{resultTypes: ['violations']}});
        }} finally {{
            still.remove();
        }}
    }}""")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]


PHONE = {"width": 390, "height": 844}
# Every drawn chart on a phone screen: its width, its plot area's, and where its legend went.
CHARTS_ON_A_PHONE = """() => [...document.querySelectorAll('.js-plotly-plot')].map((div) => ({
    width: div._fullLayout.width, plot: div._fullLayout._size.w, height: div._fullLayout._size.h,
    legend: div._fullLayout.showlegend ? div._fullLayout.legend.orientation : null,
    right: div.getBoundingClientRect().right, modebar: div.querySelectorAll('.modebar-btn').length}))"""


def foreign_requests(watched, base_url: str) -> list:
    """The requests the page made to another host (data: and blob: addresses are the page's own)."""
    host = urlparse(base_url).netloc
    return [request for request in watched.requests if urlparse(request).netloc not in (host, "")
            and not request.startswith(("data:", "blob:"))]


def check_page(watched, address: str, base_url: str, status: int = 200):
    """One page as a desktop browser and then a phone (390 px wide) show it: nothing from another host, no axe
    violation of any impact in the light or the dark scheme, no horizontal scrolling on the phone, and charts
    that keep a plot area there, with the legend above rather than beside it and no tool bar.

    Every page is checked with the theme's script brought in by the reader's first key press. A calculator's
    page is checked as a reader finds it before Pyodide has started: the result the build rendered. The live
    result is the same page declaration's HTML for other inputs (calculators/pages/); the calculators'
    bad-input tests run axe on live pages showing their messages."""
    page = watched.page
    watched.requests.clear()
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(address)
    assert response.status == status, address
    calculator = page.query_selector(".calc[data-page]")
    page.wait_for_load_state("load" if calculator else "networkidle")
    page.keyboard.press("Shift")
    page.wait_for_function("typeof window.document$ === 'object'", timeout=30_000)
    page.wait_for_timeout(300)  # the theme's first render
    foreign = foreign_requests(watched, base_url)
    assert foreign == [], (address, foreign)
    violations = axe_violations(page)
    assert violations == [], (address, violations)
    # The dark scheme has colours of its own (the theme's and this site's): the same page in it, as the
    # theme switch sets it, without the theme's colour transitions (axe would read colours half-way). The
    # charts plotly.js drew are left out while they redraw in the dark colours
    # (the theme-switch and static-chart tests check charts in both schemes).
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    violations = axe_violations(page, "{exclude: [['.js-plotly-plot']]}")
    assert violations == [], (address, "dark scheme", violations)
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'default')")

    charts = page.evaluate("document.querySelectorAll('figure.chart').length")
    if charts:
        draw_every_chart(page)
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"""() => document.querySelectorAll('.js-plotly-plot').length === {charts}
        && [...document.querySelectorAll('.js-plotly-plot')].every((div) => div._fullLayout.width <= 390)""")
    page.wait_for_timeout(100)  # a redraw for the phone width in flight
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], (address, "scrolls sideways on a phone", width)
    for chart in page.evaluate(CHARTS_ON_A_PHONE):
        assert chart["right"] <= PHONE["width"] and chart["modebar"] == 0, (address, chart)
        assert chart["legend"] in (None, "h") and chart["plot"] >= 100 and chart["height"] >= 150, (address, chart)
    # The browser reports the 404 status of a missing page itself as an error, and nothing else.
    expected = ["Failed to load resource: the server responded with a status of 404 (Not Found)"] \
        if status == 404 else []
    assert watched.errors == expected and watched.dialogs == [], address
    watched.errors.clear()


def hold_pyodide_back(page):
    """Pyodide's requests go unanswered: a calculator's page stays as the build rendered it, and the CPU is not
    spent starting a live calculator the test does not use."""
    page.route("**/vendor/pyodide/**", lambda route: None)


def check_section(watched, site_dir, base_url, section: str, at_least: int):
    """Every page of a section (test_crawl.py checks that the crawl from the home page finds every page the build
    wrote), each with Pyodide held back (see check_page)."""
    paths = [path for path in built_pages(site_dir) if section_of(path) == section]
    assert len(paths) >= at_least, (section, paths)
    hold_pyodide_back(watched.page)
    for path in paths:
        check_page(watched, base_url + path, base_url)
