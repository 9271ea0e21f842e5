import json
import re
import zipfile
from html import unescape

from calculators.pages import all_pages
from calculators.web import LINK_TARGETS_MODULE, compute
from generator.site.assets import PYODIDE_FILES, ROOT, SOURCE_ONLY


def test_vendored_assets_are_in_the_site(site_dir):
    directory, _ = site_dir
    for name in PYODIDE_FILES:
        assert (directory / "assets/vendor/pyodide" / name).stat().st_size > 0
    assert (directory / "assets/vendor/plotly-basic.min.js").stat().st_size > 500_000
    with zipfile.ZipFile(directory / "assets/vendor/calculators.zip") as archive:
        bundle = {name: archive.read(name) for name in archive.namelist()}
    # Every module once, and the link targets the build writes for the browser alone: compiled by the Python the
    # site ships (tests/test_worker_bundle.py runs it there), as a pyc whose header says hash-based and unchecked
    # (PEP 552 flags 0b01), or as source where the build keeps it.
    modules = {path.relative_to(ROOT).with_suffix("").as_posix() for path in (ROOT / "calculators").rglob("*.py")}
    modules.add(LINK_TARGETS_MODULE.removesuffix(".py"))
    assert {name.rsplit(".", 1)[0] for name in bundle} == modules and len(bundle) == len(modules)
    assert all(f"calculators/pages/{page.name}.pyc" in bundle for page in all_pages())
    assert all(int.from_bytes(data[4:8], "little") == 0b01 for name, data in bundle.items() if name.endswith(".pyc"))
    assert [name for name in bundle if name.endswith(".py")] == list(SOURCE_ONLY)


def test_every_calculator_page_carries_its_default_result(site_dir):
    directory, _ = site_dir
    for declared in all_pages():
        page, html = declared.name, (directory / declared.path / "index.html").read_text()
        expected = compute(page, {})
        assert expected["ok"]
        assert f'data-page="{page}"' in html
        # The headline number of the default result is in the static HTML.
        headline = re.search(r"<strong>([^<]+)</strong>", expected["html"]).group(1)
        assert headline in unescape(html), (page, headline)


def test_every_calculator_page_carries_its_default_charts(site_dir):
    """The figures are in the static HTML, before any script runs, inside the calculator's chart container."""
    directory, _ = site_dir
    for declared in all_pages():
        page, html = declared.name, (directory / declared.path / "index.html").read_text()
        expected = compute(page, {})["charts"]
        container = html[html.index(f'<div class="calc-charts" data-charts="{page}">'):]
        container = container[:container.index("</div></div>")]  # the calculator's end: a page may hold other charts
        figures = re.findall(r'<figure class="chart" id="([^"]+)">.*?<template class="chart-figure" '
                             r'data-search-exclude>(.*?)</template>.*?<tbody>(.*?)</tbody>', container, re.S)
        assert [ident for ident, _, _ in figures] == [chart["id"] for chart in expected], page
        for (_, figure_json, rows), chart in zip(figures, expected):
            assert json.loads(unescape(figure_json)) == {"data": chart["data"], "layout": chart["layout"]}
            assert rows.count("<tr>") == sum(len(trace["x"]) for trace in chart["data"])
            assert "NaN" not in figure_json and "Infinity" not in figure_json
        assert "Computed by calculators/ for the inputs above." in container or not expected


def test_no_page_gives_two_elements_one_id(site_dir):
    """A link to #id, the table view's and a test's lookups find one element: a heading and a chart (or a
    calculator's chart embedded under a heading of the same name) never share an id."""
    directory, _ = site_dir
    repeated = {}
    for page in sorted(directory.rglob("*.html")):
        text = re.sub(r"<template.*?</template>", "", page.read_text(encoding="utf-8"), flags=re.S)
        ids = re.findall(r"\sid=\"([^\"]+)\"", text)
        twice = sorted({name for name in ids if ids.count(name) > 1})
        if twice:
            repeated[str(page.relative_to(directory))] = twice
    assert repeated == {}


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


def test_a_malformed_record_stops_the_build_with_its_file_and_field(tmp_path):
    import pytest

    from generator.records import RecordError
    from generator.site.build import GPU_RUNS, validate_records

    assert validate_records(GPU_RUNS) >= 0  # what is committed validates
    (tmp_path / "broken.json").write_text('{"schema": 1, "run": {}, "results": []}')
    with pytest.raises(RecordError) as error:
        validate_records(tmp_path)
    assert "broken.json" in str(error.value) and "run" in str(error.value)


def test_the_search_index_leaves_out_the_option_lists_and_finds_every_name(site_dir):
    """The forms' <select> lists are not indexed (a search for a model would land on every calculator); the
    catalogue on the Calculators page holds every model, weight format and GPU by name instead."""
    from html.parser import HTMLParser

    from calculators.formats import WEIGHT_FORMATS
    from calculators.hardware import ACCELERATORS
    from calculators.presets import PRESETS
    from calculators.render import render_form

    class Options(HTMLParser):
        def __init__(self):
            super().__init__()
            self.lists, self.inside = [], False

        def handle_starttag(self, tag, attrs):
            if tag == "select":
                self.lists.append([])
            self.inside = tag == "option"

        def handle_data(self, data):
            if self.inside:
                self.lists[-1].append(data)

    directory, _ = site_dir
    docs = json.loads((directory / "search/search_index.json").read_text())["docs"]
    text = {doc["location"]: unescape(doc["title"] + " " + doc["text"]) for doc in docs}
    for page in (declared.name for declared in all_pages()):
        parser = Options()
        parser.feed(render_form(page))
        assert parser.lists or page in ("speculative", "number_format"), page  # those forms have text fields only
        for options in parser.lists:
            # Indexed, a list reads as its labels run together: any four neighbours would show it (a shorter
            # list can read like the header of the result's table, which names the same things).
            for at in range(len(options) - 3):
                run = "".join(options[at:at + 4])
                assert not any(run in body for body in text.values()), (page, run)
    catalogue = " ".join(body for location, body in text.items() if location.startswith("calculators/#"))
    for name in [p.name for p in PRESETS.values()] + [f.label for f in WEIGHT_FORMATS.values()] + \
            [g.name for g in ACCELERATORS.values()]:
        assert name in catalogue, name
    assert "Mixtral 8x7B" in text["calculators/#models"] and "NVIDIA H200" in text["calculators/#accelerators"]


LOCAL = re.compile(r"127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0")


def built_text(directory):
    """Every page, sitemap and search index of a built site, the gzipped sitemap unpacked."""
    import gzip

    texts = {path: path.read_text() for pattern in ("*.html", "*.xml", "search/*.json")
             for path in directory.rglob(pattern)}
    texts[directory / "sitemap.xml.gz"] = gzip.decompress((directory / "sitemap.xml.gz").read_bytes()).decode()
    return texts


def test_a_build_for_hosting_names_only_its_address(tmp_path):
    from generator.site.build import build_site

    assert build_site("https://guide.example.org/llm", site_dir=tmp_path) == 0
    texts = built_text(tmp_path)
    assert not [path for path, text in texts.items() if LOCAL.search(text)]
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', texts[tmp_path / "calculators/will-it-fit/index.html"])
    assert canonical.group(1) == "https://guide.example.org/llm/calculators/will-it-fit/"
    locations = re.findall(r"<loc>([^<]+)</loc>", texts[tmp_path / "sitemap.xml"])
    assert len(locations) >= 10 and all(url.startswith("https://guide.example.org/llm/") for url in locations)


def test_a_build_without_an_address_has_no_canonical_links_or_sitemap_entries(tmp_path, monkeypatch, capsys):
    from generator.site.build import build_site

    monkeypatch.delenv("SITE_URL", raising=False)
    assert build_site(site_dir=tmp_path) == 0
    assert "no site address" in capsys.readouterr().err
    texts = built_text(tmp_path)
    assert not [path for path, text in texts.items() if LOCAL.search(text) or 'rel="canonical"' in text]
    assert "<loc>" not in texts[tmp_path / "sitemap.xml"]


def test_a_build_for_hosting_refuses_a_local_address(tmp_path, monkeypatch, capsys):
    from generator.site.build import build_site

    for address in ("http://127.0.0.1:8000/", "http://localhost/", "http://[::1]:8000/", "http://docs.localhost/"):
        assert build_site(address, site_dir=tmp_path) == 2
        assert "local address" in capsys.readouterr().err
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000/")
    assert build_site(site_dir=tmp_path) == 2
    assert build_site("guide.example.org", site_dir=tmp_path) == 2
    assert not any(tmp_path.iterdir())  # refused before building anything


def test_every_page_holds_the_theme_script_back_until_the_reader_reaches_for_it(site_dir):
    directory, _ = site_dir
    bundle = re.compile(r'<script src="[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"')
    pages = sorted(directory.rglob("*.html"))
    assert len(pages) > len(all_pages()) and directory / "404.html" in pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert not bundle.search(html) and html.count("window.__loadTheme = ") == 1, path
        assert re.search(r'script\.src = "[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js"', html), path
        # The page is marked as one that runs scripts before its first style sheet, so no style is computed twice.
        assert html.index('classList.replace("no-js", "js")') < html.index('<link rel="stylesheet"') \
            < html.index("</head>"), path


def test_no_script_with_a_source_holds_the_first_paint_back(site_dir):
    """Every script a page loads from a file is deferred (or a module): the parser never stops for one."""
    directory, _ = site_dir
    for path in sorted(directory.rglob("*.html")):
        for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", path.read_text(encoding="utf-8")):
            assert re.search(r"\b(defer|async)\b|type=\"module\"", tag), (path, tag)


def test_calculator_pages_start_their_worker_before_any_style_sheet(site_dir):
    """The inline script that starts Pyodide's worker would wait for every style sheet above it to load."""
    directory, _ = site_dir
    for page in all_pages():
        html = (directory / page.path / "index.html").read_text(encoding="utf-8")
        head = html[:html.index("</head>")]
        worker = head.find("window.__calcWorker = new Worker(")
        sheet = head.find('<link rel="stylesheet"')
        assert 0 <= worker < sheet, page.path
