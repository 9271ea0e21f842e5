"""The Results section: built from the committed records and from a synthetic set made by the smoke suite;
every number in a table traced back to its record; a malformed record stops the build; the charts in
Chromium, with their table views."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.records import METRICS, load_record
from drawn_charts import draw_every_chart, scroll_to_chart

ROOT = Path(__file__).resolve().parents[2]
GPU_RUNS = ROOT / "gpu_runs"
RESULT_PAGES = ("results", "results/methodology", "results/calculators", "results/published", "results/data")


def _build(records: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "LQFG_RECORDS": str(records)}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=False)


def _committed():
    return {path.name: load_record(path) for path in sorted(GPU_RUNS.glob("*.json"))}


def _device_pages(site: Path) -> list:
    return sorted(path.parent for path in (site / "results").glob("*/index.html")
                  if path.parent.name not in {Path(p).name for p in RESULT_PAGES} | {"downloads"})


class _Cells(HTMLParser):
    """Every <td> with its attributes and text."""

    def __init__(self):
        super().__init__()
        self.cells, self._open = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._open = (dict(attrs), [])

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._open is not None:
            self.cells.append((self._open[0], "".join(self._open[1])))
            self._open = None


def _cells(page: Path) -> list:
    parser = _Cells()
    parser.feed((page / "index.html").read_text())
    return parser.cells


def _shown_number(text: str) -> tuple:
    """The first number in a cell's text, and the unit after it."""
    match = re.search(r"([-+]?[\d,]+(?:\.\d+)?(?:e[-+]?\d+)?)\s*(GiB|ms|s|%|×)?", text)
    assert match, text
    return float(match.group(1).replace(",", "")), match.group(2), match.group(1)


def _agrees(text: str, value: float) -> bool:
    """Whether the text shows `value` at the precision it is written with."""
    number, unit, written = _shown_number(text)
    if "e" in written:  # scientific: the mantissa's decimals set the precision
        mantissa, exponent = written.split("e")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return abs(number - value) <= 0.5 * 10 ** (int(exponent) - decimals) * (1 + 1e-9)
    scale = {"GiB": 2**30, "%": 0.01}.get(unit, 1)
    decimals = len(written.split(".")[1]) if "." in written else 0
    if unit is None and decimals == 0 and abs(value) >= 1e4:
        return number == int(value)  # exact byte counts
    tolerance = 0.5 * 10 ** -decimals * scale + 1e-12
    if unit is None and decimals == 0:  # 4 significant digits written without decimals
        tolerance = max(tolerance, 0.5 * 10 ** (len(str(int(abs(number)))) - 4))
    return abs(number * scale - value) <= tolerance * (1 + 1e-9)


def _metric(records, source: str) -> float:
    file, rest = source.split("#")
    index, metric = rest.split(":")
    return records[file]["results"][int(index)]["metrics"][metric]


def test_the_results_pages_are_built_from_the_committed_records(site_dir):
    site, _ = site_dir
    for page in RESULT_PAGES:
        assert (site / page / "index.html").exists(), page
    records = _committed()
    devices = {record["run"]["device"]["name"] for record in records.values()}
    assert len(_device_pages(site)) == len(devices)
    for path in _device_pages(site):
        html = (path / "index.html").read_text()
        heading = re.search(r"<h1[^>]*>([^<]*)<", html).group(1)
        assert heading.endswith(("(GPU)", "(CPU)")), heading
        # A page of one device shows no run of another.
        other = [name for name in records if records[name]["run"]["device"]["name"] not in html]
        assert all(name not in html for name in other)


def test_every_measured_number_in_a_table_equals_its_record(site_dir):
    site, _ = site_dir
    records = _committed()
    checked = derived = 0
    for page in _device_pages(site) + [site / "results/calculators", site / "results/published"]:
        for attributes, text in _cells(page):
            if "data-record" in attributes:
                record = records[attributes["data-record"]]
                value = record["results"][int(attributes["data-result"])]["metrics"][attributes["data-metric"]]
                assert float(attributes["data-value"]) == value
                assert _agrees(text, value), (page.name, attributes, text)
                checked += 1
            elif attributes.get("data-derived") == "ratio":
                top, bottom = attributes["data-from"].split()
                value = _metric(records, top) / _metric(records, bottom)
                assert float(attributes["data-value"]) == pytest.approx(value, rel=1e-12)
                assert _agrees(text, value), (page.name, attributes, text)
                derived += 1
    assert checked > 50 and derived > 5


def test_missing_measurements_are_shown_with_their_reasons(site_dir):
    site, _ = site_dir
    records = _committed()
    reasons = {reason for record in records.values() if record["run"]["device"]["kind"] == "cuda"
               for result in record["results"] for name, reason in result.get("missing", {}).items()
               if name == "decode_graph_ms_per_token"}
    pages = "".join((path / "index.html").read_text() for path in _device_pages(site))
    from html import unescape
    for reason in reasons:
        assert reason in unescape(pages), reason


def test_the_downloads_hold_every_record_and_result(site_dir):
    site, _ = site_dir
    records = _committed()
    downloads = site / "results/downloads"
    for name, record in records.items():
        assert json.loads((downloads / "records" / name).read_text()) == record
    rows = list(csv.DictReader(io.StringIO((downloads / "results.csv").read_text())))
    assert len(rows) == sum(len(record["results"]) for record in records.values())
    for row in rows:
        result = records[row["record"]]["results"]
        # the row's metrics, in order, are some result's of that record
        assert any(all((row[name] == "" and name not in r["metrics"]) or
                       (row[name] != "" and float(row[name]) == r["metrics"].get(name)) for name in METRICS)
                   for r in result)
    evidence = json.loads((downloads / "evidence.json").read_text())
    assert {entry["file"] for entry in evidence["records"]} == set(records)
    for method in evidence["methods"].values():
        for device in method["devices"].values():
            for item in device["speed"]:
                source = item["source"]
                value = records[source["record"]]["results"][source["result"]]["metrics"][source["metric"]]
                assert item["ms_per_token"] == value


def test_the_results_pages_stay_small(site_dir):
    site, _ = site_dir
    for path in [site / page for page in RESULT_PAGES] + _device_pages(site):
        size = (path / "index.html").stat().st_size
        assert size < 400_000, (path, size)


def test_a_malformed_record_stops_the_build_naming_file_and_field(tmp_path):
    records = tmp_path / "records"
    shutil.copytree(GPU_RUNS, records, ignore=shutil.ignore_patterns("*.md"))
    name = sorted(path.name for path in records.glob("*.json"))[-1]
    record = json.loads((records / name).read_text())
    record["results"][0]["metrics"]["weight_bytes"] = "many"
    (records / name).chmod(0o644)
    (records / name).write_text(json.dumps(record))
    result = _build(records, tmp_path / "site")
    assert result.returncode != 0
    assert name in result.stderr and "weight_bytes" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_the_pages_build_from_a_synthetic_set_made_by_the_smoke_suite(tmp_path):
    """The smoke suite on the CPU (cut short by a budget), then a build from its record alone."""
    records = tmp_path / "records"
    bench = subprocess.run([sys.executable, "-m", "generator", "bench", "--suite", "smoke", "--out", str(records),
                            "--run-id", "smoke-site", "--budget-s", "8"], cwd=ROOT, capture_output=True,
                           text=True, check=False)
    assert bench.returncode in (0, 3), bench.stderr[-2000:]
    kernels = subprocess.run([sys.executable, "-m", "generator", "bench", "--suite", "kernels-smoke", "--out",
                              str(records), "--run-id", "kernels-site", "--budget-s", "4"], cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert kernels.returncode in (0, 3), kernels.stderr[-2000:]
    record = load_record(records / "smoke-site.json")
    assert record["results"]
    result = _build(records, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    pages = _device_pages(site)
    assert len(pages) == 1
    html = (pages[0] / "index.html").read_text()
    assert re.search(r"<h1[^>]*>[^<]*\(CPU\)<", html) and "(GPU)" not in html
    labels = {result["method"]["label"] for result in record["results"] if result["status"] == "ok"
              and "decode_ms_per_token" in result["metrics"]}
    for label in labels:
        assert label in html
    evidence = json.loads((site / "results/downloads/evidence.json").read_text())
    assert set(evidence["methods"]) >= labels
    # the kernel sweep's record gives the kernel section its charts and its "stops winning" table
    assert re.search(r'<figure class="chart" id="[^"]*-kernels-', html)
    assert "stops winning at" in html


# -- in Chromium ------------------------------------------------------------------------------------

def _table_rows(page, figure):
    return page.evaluate("""(figure) => Array.from(figure.querySelectorAll('.chart-table tbody tr'))
        .map((tr) => Array.from(tr.children).map((td) => td.textContent))""", figure)


def _plotted(page, figure):
    """(series, x, y) of every point the drawn chart holds, horizontal bars turned as the table writes them."""
    return page.evaluate("""(figure) => {
        const gd = figure.querySelector('.js-plotly-plot');
        const out = [];
        for (const trace of gd.data) {
          const horizontal = trace.orientation === 'h';
          const xs = horizontal ? trace.y : trace.x, ys = horizontal ? trace.x : trace.y;
          xs.forEach((x, i) => out.push([trace.name || '', x, ys[i]]));
        }
        return out;
    }""", figure)


@pytest.mark.parametrize("path", ["results/", "results/calculators/", "results/published/"])
def test_charts_render_and_their_tables_match(watched, base_url, site_dir, path):
    site, _ = site_dir
    pages = [path] + [f"results/{p.name}/" for p in _device_pages(site)] if path == "results/" else [path]
    for address in pages:
        page = watched.page
        page.goto(f"{base_url}/{address}")
        figures = page.query_selector_all("figure.chart")
        if not figures:
            continue
        draw_every_chart(page)
        page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {len(figures)}",
                               timeout=20000)
        for figure in figures:
            rows = _table_rows(page, figure)
            points = _plotted(page, figure)
            assert len(rows) == len(points) > 0
            for (series, x, y), (t_series, t_x, t_y) in zip(points, rows):
                assert t_series == series
                assert t_x.replace(",", "") == str(x).replace(",", "") or \
                    float(t_x.replace(",", "")) == pytest.approx(float(x), rel=1e-3)
                if y is None:
                    assert t_y == "missing"
                else:
                    assert _agrees(t_y, y), (address, series, x, y, t_y)
    assert not watched.errors, watched.errors
    assert all(request.startswith(base_url) for request in watched.requests), watched.requests


def test_results_charts_draw_after_instant_navigation(watched, base_url, site_dir):
    """Material's instant navigation swaps the page in without a reload; its charts must still be drawn."""
    site, _ = site_dir
    device = _device_pages(site)[0].name
    page = watched.page
    page.goto(f"{base_url}/")
    watched.reach_for_the_page()
    page.click(f"nav a[href$='results/{device}/']")
    page.wait_for_url(f"**/results/{device}/")
    page.wait_for_selector("figure.chart")
    count = len(page.query_selector_all("figure.chart"))
    assert count > 0
    # charts.js takes charge of every chart of the new page, and draws the one the reader scrolls to
    page.wait_for_function(f"document.querySelectorAll('figure.chart[data-watched]').length === {count}",
                           timeout=20000)
    last = page.evaluate("[...document.querySelectorAll('figure.chart')].pop().id")
    scroll_to_chart(page, f"[id='{last}']")
    assert not watched.errors, watched.errors
