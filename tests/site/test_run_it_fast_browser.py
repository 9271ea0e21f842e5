"""The Run it fast pages in Chromium: their embedded calculators compute live what CPython computes, their
links to the other calculators land in the Calculators section, the measured-points chart is drawn, and no
request leaves the site."""

import json
from urllib.parse import parse_qs, urlparse

import pytest

from calculators.web import compute
from drawn_charts import scroll_to_chart
from site_pages import axe_violations, foreign_requests

# page, calculator, inputs in the address, one input to edit afterwards
EMBEDDED = [
    ("run-it-fast/", "roofline", {"gpu": "h200-sxm", "batch": "8"}, ("#f-batch", "64")),
    ("run-it-fast/kv-cache/", "kv", {"model": "llama-2-7b", "context": "4096", "kv_format": "fp16"},
     ("#f-block_size", "16")),
    ("run-it-fast/speculative-decoding/", "speculative", {"acceptance": "0.7"}, ("#f-draft_tokens", "6")),
]


@pytest.mark.parametrize("path, calculator, params, edit", EMBEDDED, ids=[e[1] for e in EMBEDDED])
def test_the_embedded_calculator_computes_live_and_keeps_its_links(watched, base_url, path, calculator, params, edit):
    page = watched.page
    query = "&".join(f"{key}={value}" for key, value in params.items())
    page.goto(f"{base_url}/{path}?{query}")
    reply = watched.wait_live()
    assert reply == json.loads(json.dumps(compute(calculator, params)))
    assert page.inner_text(".calc-status") == "Live result."
    field, value = edit
    page.fill(field, value)
    reply = watched.wait_live(count=2)
    name = field[3:]
    assert reply["inputs"][name] == value and reply == json.loads(json.dumps(compute(calculator, {**params, name: value})))
    assert axe_violations(page) == []  # the live page (site_pages.check_page checks the build's)
    # the address keeps the inputs, as on the calculator's own page
    assert parse_qs(urlparse(watched.address()).query)[name] == [value]
    # the live result's links to the other calculators point into the Calculators section
    hrefs = page.eval_on_selector_all(".calc-related a", "links => links.map(a => a.href)")
    for href in hrefs:
        assert urlparse(href).path.startswith("/calculators/"), href
    assert watched.errors == []
    assert foreign_requests(watched, base_url) == []


def test_a_related_link_opens_the_calculator_with_the_inputs(watched, base_url):
    page = watched.page
    page.goto(f"{base_url}/run-it-fast/kv-cache/?model=llama-3.1-70b&context=32768")
    watched.wait_live()
    with page.expect_navigation():
        page.click(".calc-related a:text('Roofline')")
    assert urlparse(page.url).path == "/calculators/roofline/"
    assert parse_qs(urlparse(page.url).query)["prompt"] == ["32768"]
    reply = watched.followed_to("roofline")
    assert reply["ok"] and reply["inputs"]["model"] == "llama-3.1-70b" and reply["inputs"]["prompt"] == "32768"
    assert watched.errors == [] and foreign_requests(watched, base_url) == []


def test_the_measured_points_are_drawn_and_link_to_their_records(watched, base_url):
    page = watched.page
    page.goto(f"{base_url}/run-it-fast/")
    scroll_to_chart(page, "#measured-roofline")
    links = page.eval_on_selector_all("a[href*='results/downloads/records/']", "links => links.map(a => a.href)")
    assert links
    for link in sorted(set(links)):
        response = page.request.get(link)
        assert response.status == 200, link
        assert json.loads(response.text())["run"]["device"]["kind"] == "cuda"
    assert watched.errors == [] and foreign_requests(watched, base_url) == []


@pytest.mark.parametrize("path", [e[0] for e in EMBEDDED])
def test_the_pages_stay_small(site_dir, path):
    site, _ = site_dir
    assert (site / path / "index.html").stat().st_size < 400_000
