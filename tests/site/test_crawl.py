"""Every page of the built site, as a visitor's browser loads it."""

from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def crawl(page, base_url):
    """Every page reachable from the home page, with the anchors linked to on each. Linked files that are
    not pages (the results' data downloads) must answer 200 too, but are not returned as pages."""
    seen, queue, anchors, html_pages = set(), [base_url + "/"], {}, []
    while queue:
        address = queue.pop()
        if address in seen:
            continue
        seen.add(address)
        response = page.request.get(address)
        assert response.status == 200, address
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        html_pages.append(address)
        page.goto(address)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
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
    _, anchors = pages
    context = browser.new_context()
    page = context.new_page()
    for address, fragments in anchors.items():
        page.goto(address)
        for fragment in fragments:
            assert page.query_selector(f"[id='{fragment}']") is not None, f"{address}#{fragment}"
    context.close()


def test_no_page_requests_another_host_logs_an_error_or_fails_axe(pages, watched, base_url):
    addresses, _ = pages
    host = urlparse(base_url).netloc
    for address in addresses:
        watched.requests.clear()
        watched.page.goto(address)
        if watched.page.query_selector(".calc[data-page]"):
            watched.page.wait_for_function("window.__calc && window.__calc.liveAt !== null", timeout=60_000)
            watched.page.wait_for_timeout(300)
        else:
            watched.page.wait_for_load_state("networkidle")
        foreign = [r for r in watched.requests if urlparse(r).netloc not in (host, "")
                   and not r.startswith(("data:", "blob:"))]
        assert foreign == [], (address, foreign)
        watched.page.add_script_tag(path=str(AXE))
        results = watched.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], (address, serious)
    assert watched.errors == [] and watched.dialogs == []
