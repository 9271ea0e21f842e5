import json
import re
from html import unescape

from calculators.web import DEFAULTS, compute
from generator.site import CALCULATOR_PAGES
from generator.site.assets import PYODIDE_FILES


def test_vendored_assets_are_in_the_site(site_dir):
    directory, _ = site_dir
    for name in PYODIDE_FILES:
        assert (directory / "assets/vendor/pyodide" / name).stat().st_size > 0
    assert (directory / "assets/vendor/plotly-basic.min.js").stat().st_size > 500_000
    bundle = json.loads((directory / "assets/vendor/calculators.json").read_text())
    assert "calculators/web.py" in bundle and "calculators/render.py" in bundle


def test_every_calculator_page_carries_its_default_result(site_dir):
    directory, _ = site_dir
    for page, path in CALCULATOR_PAGES.items():
        html = (directory / path / "index.html").read_text()
        expected = compute(page, {})
        assert expected["ok"]
        assert f'data-page="{page}"' in html
        # The headline number of the default result is in the static HTML.
        headline = re.search(r"<strong>([^<]+)</strong>", expected["html"]).group(1)
        assert headline in unescape(html), (page, headline)


def test_every_calculator_page_carries_its_default_charts(site_dir):
    """The figures are in the static HTML, before any script runs, inside the calculator's chart container."""
    directory, _ = site_dir
    for page, path in CALCULATOR_PAGES.items():
        html = (directory / path / "index.html").read_text()
        expected = compute(page, {})["charts"]
        container = html[html.index(f'<div class="calc-charts" data-charts="{page}">'):]
        figures = re.findall(r'<figure class="chart" id="([^"]+)">.*?<template class="chart-figure" '
                             r'data-search-exclude>(.*?)</template>.*?<tbody>(.*?)</tbody>', container, re.S)
        assert [ident for ident, _, _ in figures] == [chart["id"] for chart in expected], page
        for (_, figure_json, rows), chart in zip(figures, expected):
            assert json.loads(unescape(figure_json)) == {"data": chart["data"], "layout": chart["layout"]}
            assert rows.count("<tr>") == sum(len(trace["x"]) for trace in chart["data"])
            assert "NaN" not in figure_json and "Infinity" not in figure_json
        assert "Computed by calculators/ for the inputs above." in container


def test_no_asset_is_loaded_from_another_host(site_dir):
    directory, port = site_dir
    for html_file in directory.rglob("*.html"):
        text = html_file.read_text()
        # Assets: anything loaded by src=, and <link href> (stylesheets, icons). A plain <a href> to a source
        # on another host is a citation the reader may follow, not something the page loads.
        assets = re.findall(r'src="(https?://[^"]+)"', text) + \
            re.findall(r'<link\b[^>]*\bhref="(https?://[^"]+)"', text)
        for url in assets:
            assert url.startswith(f"http://127.0.0.1:{port}/") or "squidfunk" in url or "mkdocs.org" in url, \
                (html_file, url)
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_defaults_cover_every_page():
    assert set(CALCULATOR_PAGES) == set(DEFAULTS)


def test_a_malformed_record_stops_the_build_with_its_file_and_field(tmp_path):
    import pytest

    from generator.records import RecordError
    from generator.site.build import GPU_RUNS, validate_records

    assert validate_records(GPU_RUNS) >= 0  # what is committed validates
    (tmp_path / "broken.json").write_text('{"schema": 1, "run": {}, "results": []}')
    with pytest.raises(RecordError) as error:
        validate_records(tmp_path)
    assert "broken.json" in str(error.value) and "run" in str(error.value)
