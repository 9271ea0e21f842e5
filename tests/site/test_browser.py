"""The calculators in a real browser: Debian's Chromium running Pyodide in a worker."""

import json
from pathlib import Path
from urllib.parse import urlencode, urlparse, parse_qs

import pytest

from calculators.preset_configs import PRESET_CONFIGS
from calculators.pages import page as calculator_page
from calculators.web import compute
from drawn_charts import draw_every_chart, scroll_to_chart, wait_for_drawing

ROOT = Path(__file__).resolve().parents[2]

SAMPLES = [
    ("weights", {"model": "mixtral-8x7b", "format": "gptq-int4-g128"}),
    ("weights", {"model": "custom", "hidden_size": "2048", "num_layers": "16", "num_heads": "16",
                 "num_kv_heads": "4", "head_dim": "128", "intermediate_size": "8192", "vocab_size": "32000"}),
    ("weights", {"model": "config", "config": json.dumps(PRESET_CONFIGS["deepseek-v3"]["config"]),
                 "format": "fp8-e4m3-block128"}),
    ("kv", {"model": "gemma-2-9b", "context": "32768", "batch": "8", "kv_format": "fp8-e4m3"}),
    ("kv", {"model": "deepseek-v3", "context": "131072", "block_size": "16"}),
    ("fit", {"model": "llama-3.1-405b", "format": "nf4-dq", "gpu": "h200-sxm", "gpus": "4", "context": "8192",
             "batch": "4"}),
    ("fit", {"model": "qwen3-30b-a3b", "format": "bf16", "gpu": "rtx-4090", "gpus": "1"}),
    ("roofline", {"model": "qwen3-30b-a3b", "format": "int4-tinygemm-g128", "gpu": "a100-sxm-80gb",
                  "batch": "32", "prompt": "2048"}),
    ("speculative", {"acceptance": "0.65", "draft_tokens": "7", "draft_cost": "0.12"}),
    ("training", {"model": "qwen2.5-7b", "method": "lora", "optimizer": "adamw-8bit", "sequence": "4096",
                  "lora_rank": "64", "checkpointing": ""}),
]


def url(base, page, params=None):
    return f"{base}/{calculator_page(page).path}/" + (f"?{urlencode(params)}" if params else "")


SAMPLES_BY_PAGE = {}
for _page, _params in SAMPLES:
    SAMPLES_BY_PAGE.setdefault(_page, []).append(_params)


@pytest.mark.parametrize("page", SAMPLES_BY_PAGE)
def test_the_browser_computes_exactly_what_cpython_computes(watched, base_url, page):
    """A page's first sample opened from its address, the others entered on the same live page, each put
    back before the next."""
    first, *others = SAMPLES_BY_PAGE[page]
    watched.page.goto(url(base_url, page, first))
    reply = watched.wait_live()
    assert reply == json.loads(json.dumps(compute(page, first)))
    assert reply["ok"]
    assert watched.page.inner_text(".calc-status") == "Live result."
    for params in others:
        reply, before = watched.enter(params)
        assert reply == json.loads(json.dumps(compute(page, reply["inputs"]))), params
        assert reply["ok"] and watched.page.inner_text(".calc-status") == "Live result.", params
        watched.enter(before)
    assert watched.errors == []


def test_a_url_round_trips(watched, base_url):
    params = {"model": "qwen3-8b", "context": "20000", "batch": "3", "kv_format": "int8", "block_size": "16"}
    watched.page.goto(url(base_url, "kv", params))
    first = watched.wait_live()
    for field, value in params.items():
        assert watched.page.input_value(f"#f-{field}") == value
    watched.page.fill("#f-context", "40000")
    watched.wait_live(count=2)
    query = parse_qs(urlparse(watched.address()).query)
    assert query["context"] == ["40000"] and query["model"] == ["qwen3-8b"]
    watched.page.reload()
    again = watched.wait_live()
    assert again["inputs"]["context"] == "40000"
    assert again["result"]["total_bytes"] == 2 * first["result"]["total_bytes"]


def test_the_address_follows_the_inputs_and_back_returns_to_them(watched, base_url):
    """The address is written once typing pauses, and before a link is followed however soon it is clicked."""
    page = watched.page
    page.goto(url(base_url, "kv"))
    watched.wait_live()
    for count, context in enumerate(("5000", "50000", "60000"), start=2):
        page.fill("#f-context", context)
        watched.wait_live(count=count)
    assert parse_qs(urlparse(watched.address()).query)["context"] == ["60000"]
    page.fill("#f-batch", "7")
    page.wait_for_function("window.__calc.lastReply.inputs.batch === '7'", timeout=60_000)
    page.click("nav a[href$='will-it-fit/']")  # at once: the address must not wait for typing to pause
    page.wait_for_url("**/will-it-fit/**")
    page.go_back()
    page.wait_for_url("**/kv-cache/**")
    query = parse_qs(urlparse(page.url).query)
    assert query["context"] == ["60000"] and query["batch"] == ["7"]
    assert page.input_value("#f-batch") == "7"
    assert watched.errors == []


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
    watched.page.goto(url(base_url, page))
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
    watched.page.goto(url(base_url, "kv"))
    draw_every_chart(watched.page)
    watched.page.wait_for_selector(".calc-charts .js-plotly-plot .main-svg")
    drawn = drawn_figures(watched.page)
    assert drawn["kv-context"][0]["y"] == compute("kv", {})["charts"][0]["data"][0]["y"]
    # The worker reports that it could not start; the build's charts stand.
    watched.page.wait_for_function("document.querySelector('.calc-status').textContent.includes('failed to start')",
                                   timeout=60_000)
    assert drawn_figures(watched.page) == drawn


def test_editing_an_input_recomputes_and_the_chart_is_drawn(watched, base_url):
    watched.page.goto(url(base_url, "fit"))
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
    watched.page.goto(url(base_url, "fit"))
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


def test_live_charts_rewrite_their_titles_and_tables(watched, base_url):
    config = dict(PRESET_CONFIGS["llama-3.1-8b"]["config"], _name_or_path="<img src=x onerror=alert(1)>")
    watched.page.goto(url(base_url, "kv", {"model": "config", "config": json.dumps(config), "batch": "3"}))
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


# Bad values in the address: the page opens with a message, not with what the value would inject.
BAD_ADDRESSES = [
    ("kv", {"model": "<script>alert(1)</script>"}, "model", "unknown model"),
    ("fit", {"gpus": "javascript:alert(1)"}, "gpus", "whole number"),
    ("fit", {"gpu": "\"><img src=x onerror=alert(1)>"}, "gpu", "unknown GPU"),
]
# Bad values entered on the live page, one after another, each put right before the next: {page: cases}.
BAD_ENTRIES = {
    "kv": [({"context": "-5"}, "context", "at least"),
           ({"context": "1e308"}, "context", "at most"),
           ({"context": "0.3k"}, "context", "whole number of tokens"),
           ({"context": "NaN"}, "context", "whole number"),
           ({"context": ""}, "context", "enter"),
           ({"batch": "0"}, "batch", "at least 1")],
    "fit": [({"gpus": "3"}, "gpus", "cannot split")],
    "speculative": [({"acceptance": "Infinity"}, "acceptance", "between 0 and 1"),
                    ({"draft_cost": "-0.5"}, "draft_cost", "between 0 and 1")],
    "weights": [({"model": "config", "config": "{\"model_type\": \"<script>alert(1)</script>\"}"}, "config",
                 "not supported"),
                ({"model": "config", "config": "{not json"}, "config", "not valid JSON"),
                ({"model": "config", "config": "{\"model_type\": \"llama\"}"}, "config", "missing 'hidden_size'"),
                ({"model": "custom", "num_kv_heads": "3"}, "num_kv_heads", "multiple")],
    "roofline": [({"gpu": "m2-ultra"}, "gpu", "no published peak")],
    "training": [({"lora_rank": "0"}, "lora_rank", "at least 1")],
}


def shows_the_message_and_nothing_else(watched, reply, field, message):
    assert not reply["ok"]
    shown = watched.page.inner_text(f"#e-{field}")
    assert message in shown, shown
    assert watched.page.get_attribute(f"[name={field}]", "aria-invalid") == "true"
    result = watched.page.inner_text(".calc-result")
    assert result.strip() and "NaN" not in result and "Infinity" not in result and "Traceback" not in result
    assert "calc-stale" in watched.page.get_attribute(".calc-result", "class")
    assert watched.dialogs == [] and watched.errors == []
    assert watched.page.evaluate("document.querySelectorAll('.calc img, .calc script').length") == 0


@pytest.mark.parametrize("page, params, field, message", BAD_ADDRESSES,
                         ids=[f"{p}-{f}" for p, _, f, _ in BAD_ADDRESSES])
def test_a_bad_value_in_the_address_gets_a_message_next_to_the_field(watched, base_url, page, params, field,
                                                                     message):
    watched.page.goto(url(base_url, page, params))
    shows_the_message_and_nothing_else(watched, watched.wait_live(), field, message)


@pytest.mark.parametrize("page", BAD_ENTRIES)
def test_bad_input_gets_a_message_next_to_the_field_and_fixing_it_clears_it(watched, base_url, page):
    watched.page.goto(url(base_url, page))
    watched.wait_live()
    for values, field, message in BAD_ENTRIES[page]:
        reply, before = watched.enter(values)
        shows_the_message_and_nothing_else(watched, reply, field, message)
        reply, _ = watched.enter(before)
        assert reply["ok"], (values, reply["errors"])
        assert watched.page.inner_text(f"#e-{field}") == ""
        assert watched.page.get_attribute(f"[name={field}]", "aria-invalid") != "true"
        assert "calc-stale" not in watched.page.get_attribute(".calc-result", "class")


def test_instant_navigation_keeps_one_worker(watched, base_url):
    watched.page.goto(url(base_url, "kv"))
    watched.wait_live()
    started = watched.page.evaluate("window.__calc.startedAt")
    watched.page.click("nav a[href$='will-it-fit/']")
    watched.page.wait_for_selector(".calc[data-page='fit'][data-bound]")
    reply = watched.wait_live(count=2)
    assert reply["page"] == "fit"
    assert watched.page.evaluate("window.__calc.startedAt") == started  # the same worker, not a new Pyodide
    # The page that instant navigation brought in draws its charts as a page loaded directly does.
    scroll_to_chart(watched.page, "[id='fit-memory']")
    assert watched.errors == []


def test_a_page_without_a_calculator_starts_no_worker(watched, base_url):
    watched.page.goto(base_url + "/")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.evaluate("window.__calc.startedAt") is None
    assert not any("pyodide" in r or "plotly" in r for r in watched.requests)


def test_a_change_before_the_live_calculator_marks_the_result_stale(watched, base_url):
    """The build's result is for the default inputs: the moment an input differs it must not look current,
    even while Pyodide is still starting (here it never starts)."""
    watched.page.route("**/vendor/pyodide/**", lambda route: route.abort())
    watched.page.goto(url(base_url, "fit"))
    assert "calc-stale" not in watched.page.get_attribute(".calc-result", "class")
    watched.page.fill("#f-context", "12345")
    assert "calc-stale" in watched.page.get_attribute(".calc-result", "class")
    assert "calc-stale" in watched.page.get_attribute(".calc-charts", "class")
    status = watched.page.text_content(".calc-status")
    assert "Computing" in status or "not for these" in status, status
    watched.page.wait_for_function(
        "document.querySelector('.calc-status').textContent.includes('not for these')", timeout=60_000)
    assert "calc-stale" in watched.page.get_attribute(".calc-result", "class")


def test_a_live_answer_slow_to_come_marks_the_result_stale_until_it_comes(watched, base_url):
    """Live, the mark waits a moment for the answer (it usually comes in milliseconds); one that does not come
    in that moment is marked as before Pyodide was ready."""
    page = watched.page
    page.goto(url(base_url, "fit"))
    watched.wait_live()
    page.evaluate("""() => { const worker = window.__calcWorker, send = worker.postMessage.bind(worker);
        worker.postMessage = (message) => setTimeout(() => send(message), 5000); }""")
    page.fill("#f-context", "12345")
    page.wait_for_function("document.querySelector('.calc-result').classList.contains('calc-stale')",
                           timeout=4000)
    assert "calc-stale" in page.get_attribute(".calc-charts", "class")
    assert "Computing" in page.text_content(".calc-status")
    assert watched.wait_live(count=2)["inputs"]["context"] == "12345"
    assert "calc-stale" not in page.get_attribute(".calc-result", "class")
    assert page.text_content(".calc-status") == "Live result."
    assert watched.errors == []


def test_inputs_carry_to_the_next_calculator_and_its_links_keep_them(watched, base_url):
    page = watched.page
    page.goto(url(base_url, "weights"))
    watched.wait_live()
    page.select_option("#f-model", "qwen2.5-7b")
    page.select_option("#f-format", "gptq-int4-g128")
    page.wait_for_function("window.__calc.lastReply.inputs.format === 'gptq-int4-g128' && "
                           "window.__calc.lastReply.inputs.model === 'qwen2.5-7b'", timeout=60_000)
    page.goto(url(base_url, "fit"))  # no inputs in the address: it starts from what was chosen
    assert page.input_value("#f-model") == "qwen2.5-7b" and page.input_value("#f-format") == "gptq-int4-g128"
    assert page.input_value("#f-gpu") == "l40s"  # the weights page has no GPU: this page's own default
    assert "calc-stale" in page.get_attribute(".calc-result", "class")
    reply = watched.wait_live()
    assert reply["inputs"]["model"] == "qwen2.5-7b" and page.inner_text(".calc-status") == "Live result."
    page.fill("#f-context", "64k")
    page.wait_for_function("window.__calc.lastReply.inputs.context === '64k'", timeout=60_000)
    with page.expect_navigation():
        page.click(".calc-related a:text('Roofline')")
    assert parse_qs(urlparse(page.url).query)["prompt"] == ["64k"]
    assert page.input_value("#f-model") == "qwen2.5-7b" and page.input_value("#f-prompt") == "64k"
    assert watched.wait_live()["ok"]
    assert watched.errors == []


@pytest.fixture
def hub_stand_in():
    """A local stand-in for huggingface.co: one public config, one gated model; it records every request."""
    import http.server
    import threading

    config = json.dumps(PRESET_CONFIGS["qwen2.5-7b"]["config"]).encode()
    seen = []

    class Hub(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            status, body = {"/acme/tiny-model/resolve/main/config.json": (200, config),
                            "/gated/model/resolve/main/config.json": (401, b"{}")}.get(self.path, (404, b"{}"))
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_the_hub_is_asked_for_a_config_only_when_the_button_is_pressed(watched, base_url, hub_stand_in):
    hub, seen = hub_stand_in
    page = watched.page
    page.add_init_script(f"window.__calcHubBase = {json.dumps(hub)}")
    page.goto(url(base_url, "weights"))
    watched.wait_live()
    page.select_option("#f-model", "config")
    page.fill("#f-hub", "not an id")
    page.click(".calc-hub-fetch")
    assert "owner/name" in page.inner_text("#e-hub")
    assert seen == [] and not any("huggingface.co" in r for r in watched.requests)  # nothing until pressed
    page.fill("#f-hub", "gated/model")
    page.click(".calc-hub-fetch")
    page.wait_for_function("document.querySelector('#e-hub').textContent.includes('gated')", timeout=30_000)
    page.fill("#f-hub", "https://huggingface.co/acme/tiny-model")  # a pasted address works too
    page.click(".calc-hub-fetch")
    page.wait_for_function("window.__calc.lastReply.inputs.model === 'config' && window.__calc.lastReply.ok",
                           timeout=60_000)
    expected = compute("weights", {"model": "config",
                                   "config": json.dumps(PRESET_CONFIGS["qwen2.5-7b"]["config"])})["result"]
    assert page.evaluate("window.__calc.lastReply.result.params") == expected["params"]
    assert seen == ["/gated/model/resolve/main/config.json", "/acme/tiny-model/resolve/main/config.json"]
    assert not any("huggingface.co" in r for r in watched.requests)
    assert page.inner_text("#e-hub").startswith("Fetched acme/tiny-model")


def test_a_result_is_copied_as_markdown_or_json_and_a_chart_table_downloads_as_csv(watched, base_url):
    page = watched.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    params = {"model": "mistral-7b-v0.3", "context": "16384", "batch": "2", "units": "GB"}
    page.goto(url(base_url, "kv", params))
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
    watched.page.goto(url(base_url, page, params))
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
    watched.page.goto(url(base_url, "fit"))
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


def test_the_theme_script_waits_for_the_live_calculator_or_the_reader(watched, base_url):
    """mkdocs-material's script (search, the palette switch, instant navigation) is held back while Pyodide
    starts (generator/site/hooks.py, DEFERRED_THEME): it comes once the calculator is live, or when the reader
    first reaches for the page (here, the search box the header shows from the start), whichever is first, and
    then works as on any other page."""
    page = watched.page
    page.goto(url(base_url, "roofline"))
    assert page.evaluate("typeof window.document$") == "undefined"
    watched.wait_live()
    page.wait_for_function("typeof window.document$ === 'object'", timeout=30_000)
    assert page.locator("script[src*='javascripts/bundle.']").count() == 1
    page.click("input.md-search__input")
    page.keyboard.type("roofline")
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    # Pyodide held back for good: only the reader's key press brings the theme.
    early = page.context.new_page()
    early.route("**/vendor/pyodide/**", lambda route: None)  # never answered
    early.goto(url(base_url, "kv"))
    early.wait_for_timeout(500)
    assert early.evaluate("typeof window.document$") == "undefined"
    assert early.is_visible("input.md-search__input")  # the header is whole before the theme's script comes
    assert early.get_attribute("body", "data-md-color-scheme") == "default"
    early.click("label[title='Dark mode']")  # the palette switch, pressed before the script has come
    early.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=30_000)
    assert early.is_visible("label[title='Light mode']") and not early.is_visible("label[title='Dark mode']")
    early.click("input.md-search__input")
    early.wait_for_function("typeof window.document$ === 'object'", timeout=30_000)
    early.keyboard.type("roofline")
    early.wait_for_selector(".md-search-result__item", timeout=30_000)
    assert watched.errors == []
