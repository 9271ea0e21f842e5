"""Every page of the built site, as a visitor's browser loads it."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urljoin, urlparse

import pytest

from drawn_charts import draw_every_chart

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


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


def crawl(page, base_url):
    """Every page reachable from the home page, with the anchors linked to on each. Linked files that are
    not pages (the results' data downloads) must answer 200 too, but are not returned as pages. Of the links
    that set a calculator's inputs, one is followed for each page and set of inputs (the catalogue on the
    Calculators page links every model, format and GPU). Links are read from each page's HTML as served:
    every link of the site is in it (a calculator's links come with its pre-rendered result, and a live result
    writes the same ones), so the crawl runs no page's scripts; the axe test below loads every page in full."""
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


@pytest.fixture(scope="module")
def pages(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    found = crawl(page, base_url)
    context.close()
    return found


def test_the_crawl_reaches_every_calculator(pages, base_url):
    addresses, _ = pages
    for path in ("calculators/weights/", "calculators/will-it-fit/", "calculators/training-memory/"):
        assert f"{base_url}/{path}" in addresses
    assert len(addresses) >= 8


def test_every_linked_anchor_exists(pages, browser):
    """Every #fragment a link points to is an id in its page's HTML as served (not one a script adds later)."""
    _, anchors = pages
    context = browser.new_context()
    for address, fragments in anchors.items():
        ids = _Parsed(context.request.get(address).text()).ids
        for fragment in fragments:
            assert fragment in ids, f"{address}#{fragment}"
    context.close()


def axe_violations(page, context: str) -> list:
    """(rule, impact, first targets) of each axe violation in `context` (axe.run's first argument, as JavaScript)."""
    results = page.evaluate(f"axe.run({context}, {{resultTypes: ['violations']}})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]


PHONE = {"width": 390, "height": 844}
# Every drawn chart on a phone screen: its width, its plot area's, and where its legend went.
CHARTS_ON_A_PHONE = """() => [...document.querySelectorAll('.js-plotly-plot')].map((div) => ({
    width: div._fullLayout.width, plot: div._fullLayout._size.w, height: div._fullLayout._size.h,
    legend: div._fullLayout.showlegend ? div._fullLayout.legend.orientation : null,
    right: div.getBoundingClientRect().right, modebar: div.querySelectorAll('.modebar-btn').length}))"""


def test_every_page_loads_only_from_its_host_passes_axe_and_fits_a_phone(pages, watched, base_url):
    """Each page, the 404 page included, as a desktop browser and then a phone (390 px wide) show it: nothing
    from another host, no axe violation of any impact in the light or the dark scheme, no horizontal scrolling
    on the phone, and charts that keep a plot area there, with the legend above rather than beside it and no
    tool bar."""
    addresses, _ = pages
    host = urlparse(base_url).netloc
    missing = base_url + "/no-such-page/"
    # One visit per page: its plain address where the crawl found one, else its first with inputs (the links
    # that set a calculator's inputs all answered 200 in the crawl; the browser tests check inputs from the URL).
    by_path = {}
    for address in addresses:
        path = urlparse(address).path
        if path not in by_path or not urlparse(address).query:
            by_path[path] = address
    for address in sorted(by_path.values()) + [missing]:
        watched.requests.clear()
        watched.page.set_viewport_size({"width": 1280, "height": 900})
        response = watched.page.goto(address)
        assert response.status == (404 if address == missing else 200), address
        if watched.page.query_selector(".calc[data-page]"):
            watched.page.wait_for_function("window.__calc && window.__calc.liveAt !== null", timeout=60_000)
            watched.page.wait_for_timeout(300)
        else:
            watched.page.wait_for_load_state("networkidle")
        foreign = [r for r in watched.requests if urlparse(r).netloc not in (host, "")
                   and not r.startswith(("data:", "blob:"))]
        assert foreign == [], (address, foreign)
        watched.page.add_script_tag(path=str(AXE))
        assert axe_violations(watched.page, "document") == [], address
        # The dark scheme has colours of its own (the theme's and this site's): the same page in it, as the
        # theme switch sets it, without the theme's colour transitions (axe would read colours half-way). The
        # charts plotly.js drew are left out while they redraw in the dark colours
        # (the theme-switch and static-chart tests check charts in both schemes).
        watched.page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        watched.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
        assert axe_violations(watched.page, "{exclude: [['.js-plotly-plot']]}") == [], (address, "dark scheme")
        watched.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'default')")

        charts = watched.page.evaluate("document.querySelectorAll('figure.chart').length")
        if charts:
            draw_every_chart(watched.page)
        watched.page.set_viewport_size(PHONE)
        watched.page.wait_for_function(f"""() => document.querySelectorAll('.js-plotly-plot').length === {charts}
            && [...document.querySelectorAll('.js-plotly-plot')].every((div) => div._fullLayout.width <= 390)""")
        watched.page.wait_for_timeout(100)  # a redraw for the phone width in flight
        width = watched.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (address, "scrolls sideways on a phone", width)
        for chart in watched.page.evaluate(CHARTS_ON_A_PHONE):
            assert chart["right"] <= PHONE["width"] and chart["modebar"] == 0, (address, chart)
            assert chart["legend"] in (None, "h") and chart["plot"] >= 100 and chart["height"] >= 150, (address, chart)
        # The browser reports the 404 status of the missing page itself as an error, and nothing else.
        expected = ["Failed to load resource: the server responded with a status of 404 (Not Found)"] \
            if address == missing else []
        assert watched.errors == expected and watched.dialogs == [], address
        watched.errors.clear()
