"""The calculators in a real browser: Debian's Chromium running Pyodide in a worker."""

import json
from urllib.parse import urlparse, parse_qs

import pytest

from calculators.preset_configs import PRESET_CONFIGS
from calculators.web import compute
from site_pages import axe_violations, calculator_url


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


SAMPLES_BY_PAGE = {}
for _page, _params in SAMPLES:
    SAMPLES_BY_PAGE.setdefault(_page, []).append(_params)


@pytest.mark.parametrize("page", SAMPLES_BY_PAGE)
def test_the_browser_computes_exactly_what_cpython_computes(watched, base_url, page):
    """A page's first sample opened from its address, the others entered on the same live page, each put
    back before the next."""
    first, *others = SAMPLES_BY_PAGE[page]
    watched.page.goto(calculator_url(base_url, page, first))
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
    watched.page.goto(calculator_url(base_url, "kv", params))
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


# (page, field, a name the calculators read as a listed choice, that choice's id)
OTHER_SPELLINGS = [("weights", "format", "q4_k_m", "gguf-q4-k-m"),  # llama.cpp's name, as the command line takes
                   ("weights", "format", "gguf-q4-k-m-mix", "gguf-q4-k-m"),  # an id of an earlier version
                   ("kv", "kv_format", "q8_0", "gguf-q8-0")]  # llama.cpp's --cache-type-k


@pytest.mark.parametrize("page, field, spelled, listed", OTHER_SPELLINGS, ids=[s[2] for s in OTHER_SPELLINGS])
def test_a_choice_named_in_another_spelling_in_the_address_shows_as_the_listed_one(watched, base_url, page, field,
                                                                                    spelled, listed):
    """The list and the address show the choice the calculator read the name as, not the name "(not in the
    list)"."""
    assert compute(page, {field: spelled})["inputs"][field] == listed
    watched.page.goto(calculator_url(base_url, page, {"model": "mixtral-8x7b", field: spelled}))
    reply = watched.wait_live()
    assert reply["ok"] and reply["inputs"][field] == listed
    assert watched.page.input_value(f"#f-{field}") == listed
    assert "not in the list" not in watched.page.inner_text(f"#f-{field}")
    assert watched.page.inner_text(".calc-status") == "Live result."
    assert "calc-stale" not in watched.page.get_attribute(".calc-result", "class")
    assert parse_qs(urlparse(watched.address()).query)[field] == [listed]
    # A name that is no choice stays in the list as typed, with the calculator's message.
    watched.page.goto(calculator_url(base_url, page, {field: "q9_k_z"}))
    reply = watched.wait_live()
    assert not reply["ok"] and "q9_k_z (not in the list)" in watched.page.inner_text(f"#f-{field}")
    assert watched.errors == []

def test_the_address_follows_the_inputs_and_back_returns_to_them(watched, base_url):
    """The address is written once typing pauses, and before a link is followed however soon it is clicked."""
    page = watched.page
    page.goto(calculator_url(base_url, "kv"))
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
    watched.page.goto(calculator_url(base_url, page, params))
    shows_the_message_and_nothing_else(watched, watched.wait_live(), field, message)


@pytest.mark.parametrize("page", BAD_ENTRIES)
def test_bad_input_gets_a_message_next_to_the_field_and_fixing_it_clears_it(watched, base_url, page):
    watched.page.goto(calculator_url(base_url, page))
    watched.wait_live()
    for number, (values, field, message) in enumerate(BAD_ENTRIES[page]):
        reply, before = watched.enter(values)
        shows_the_message_and_nothing_else(watched, reply, field, message)
        if number == 0:  # the live page, with a message at a field, for axe (site_pages.check_page checks the build's)
            assert axe_violations(watched.page) == [], values
        reply, _ = watched.enter(before)
        assert reply["ok"], (values, reply["errors"])
        assert watched.page.inner_text(f"#e-{field}") == ""
        assert watched.page.get_attribute(f"[name={field}]", "aria-invalid") != "true"
        assert "calc-stale" not in watched.page.get_attribute(".calc-result", "class")


def test_a_page_without_a_calculator_starts_no_worker(watched, base_url):
    watched.page.goto(base_url + "/")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.evaluate("window.__calc.startedAt") is None
    assert not any("pyodide" in r or "plotly" in r for r in watched.requests)


def test_a_change_before_the_live_calculator_marks_the_result_stale(watched, base_url):
    """The build's result is for the default inputs: the moment an input differs it must not look current,
    even while Pyodide is still starting (here it never starts)."""
    watched.page.route("**/vendor/pyodide/**", lambda route: route.abort())
    watched.page.goto(calculator_url(base_url, "fit"))
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
    page.goto(calculator_url(base_url, "fit"))
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
    page.goto(calculator_url(base_url, "weights"))
    watched.wait_live()
    page.select_option("#f-model", "qwen2.5-7b")
    page.select_option("#f-format", "gptq-int4-g128")
    page.wait_for_function("window.__calc.lastReply.inputs.format === 'gptq-int4-g128' && "
                           "window.__calc.lastReply.inputs.model === 'qwen2.5-7b'", timeout=60_000)
    # Written once typing pauses. (A page left sooner writes them as it goes, but an address typed into the
    # browser may open in another renderer process, which can read the storage before that write reaches it.)
    watched.address()
    page.goto(calculator_url(base_url, "fit"))  # no inputs in the address: it starts from what was chosen
    assert page.input_value("#f-model") == "qwen2.5-7b" and page.input_value("#f-format") == "gptq-int4-g128"
    assert page.input_value("#f-gpu") == "l40s"  # the weights page has no GPU: this page's own default
    assert "calc-stale" in page.get_attribute(".calc-result", "class")
    reply = watched.wait_live()
    assert reply["inputs"]["model"] == "qwen2.5-7b" and page.inner_text(".calc-status") == "Live result."
    page.fill("#f-context", "64k")
    page.wait_for_function("window.__calc.lastReply.inputs.context === '64k'", timeout=60_000)
    watched.reach_for_the_page()  # the link is followed by instant navigation, as most readers' are
    page.click(".calc-related a:text('Roofline')")
    reply = watched.followed_to("roofline")
    assert parse_qs(urlparse(page.url).query)["prompt"] == ["64k"]
    assert page.input_value("#f-model") == "qwen2.5-7b" and page.input_value("#f-prompt") == "64k"
    assert reply["ok"] and reply["inputs"]["model"] == "qwen2.5-7b" and reply["inputs"]["prompt"] == "64k"
    assert watched.errors == []


def test_a_reader_tabbing_through_the_results_links_keeps_their_place_when_a_new_result_comes(watched, base_url):
    page = watched.page
    page.goto(calculator_url(base_url, "fit"))
    watched.wait_live()
    page.focus(".calc-result .calc-related a >> nth=1")
    focused = page.evaluate("document.activeElement.textContent")
    page.evaluate("""() => { const input = document.querySelector('#f-context'); input.value = '12345';
        input.dispatchEvent(new InputEvent('input', { bubbles: true })); }""")  # the focus stays where it is
    assert watched.wait_live(count=2)["inputs"]["context"] == "12345"
    assert page.evaluate("document.activeElement.closest('.calc-result') !== null && "
                         "document.activeElement.textContent") == focused
    assert watched.errors == []


WATCH_THE_RESULT = """document.addEventListener("DOMContentLoaded", () => {
    window.__resultChanges = 0;
    const panel = document.querySelector(".calc-result");
    if (panel) new MutationObserver((records) => { window.__resultChanges += records.length; })
        .observe(panel, { childList: true, subtree: true, characterData: true });
}, { once: true });"""  # once: the theme's script, when it comes, fires DOMContentLoaded again for itself


def test_a_live_result_that_reads_as_the_one_shown_leaves_the_page_untouched(watched, base_url):
    """The first live result, for the inputs the build rendered, and a keystroke that changes nothing change
    nothing on the page: no element is replaced (the roofline's result has an apostrophe, which the page
    declaration escapes and the page's own HTML does not)."""
    page = watched.page
    page.add_init_script(WATCH_THE_RESULT)
    page.goto(calculator_url(base_url, "roofline"))
    assert "'" in page.inner_text(".calc-result")
    watched.wait_live()
    assert page.evaluate("window.__resultChanges") == 0
    page.evaluate("""() => { const input = document.querySelector('#f-batch');
        input.dispatchEvent(new InputEvent('input', { bubbles: true })); }""")  # the same value, computed again
    watched.wait_live(count=2)
    assert page.evaluate("window.__resultChanges") == 0
    page.fill("#f-batch", "3")
    assert watched.wait_live(count=3)["inputs"]["batch"] == "3"
    assert page.evaluate("window.__resultChanges") > 0 and "3" in page.inner_text(".calc-result")
    assert watched.errors == []


READS_AS_THE_REPLY = """(html) => { const parsed = document.createElement('template'); parsed.innerHTML = html;
    return parsed.innerHTML === document.querySelector('.calc-result').innerHTML; }"""


def test_a_new_result_changes_only_what_differs_and_then_reads_as_the_reply(watched, base_url):
    """A live result is written into the panel node by node: where only numbers changed, the panel's elements
    are the ones it had; where the structure changed (a setup that fits loses the list of what would make it
    fit, and gains it back), nodes come and go. Either way the panel then reads exactly as the reply's HTML."""
    page = watched.page
    page.goto(calculator_url(base_url, "fit"))
    watched.wait_live()
    watched.reach_for_the_page()  # the theme's script, as it sets up, writes the page's links as absolute ones
    assert page.locator(".calc-result ol.calc-advice").count() == 1  # the defaults do not fit
    page.evaluate("() => { window.__table = document.querySelector('.calc-result table'); }")
    before = page.inner_text(".calc-result table")
    page.fill("#f-context", "30000")
    reply = watched.wait_live(count=2)
    assert reply["inputs"]["context"] == "30000" and page.inner_text(".calc-result table") != before
    assert page.evaluate("document.querySelector('.calc-result table') === window.__table")
    assert page.evaluate(READS_AS_THE_REPLY, reply["html"])
    page.fill("#f-batch", "1")
    reply = watched.wait_live(count=3)
    assert reply["result"]["fits"] and page.locator(".calc-result ol.calc-advice").count() == 0
    assert page.evaluate(READS_AS_THE_REPLY, reply["html"])
    page.fill("#f-batch", "16")
    reply = watched.wait_live(count=4)
    assert not reply["result"]["fits"] and page.locator(".calc-result ol.calc-advice li").count() >= 1
    assert page.evaluate(READS_AS_THE_REPLY, reply["html"])
    assert page.evaluate("document.querySelector('.calc-result table') === window.__table")
    assert watched.errors == []


def test_a_value_the_calculator_refused_is_not_carried_to_the_next_one(watched, base_url):
    """What the next calculator starts from is the inputs of the last valid result, written once typing pauses
    or the page is left; a value typed after it and refused stays on its page."""
    page = watched.page
    page.goto(calculator_url(base_url, "fit"))
    watched.wait_live()
    page.fill("#f-context", "64k")
    page.wait_for_function("window.__calc.lastReply.inputs.context === '64k'", timeout=60_000)
    page.fill("#f-context", "lots")
    page.wait_for_function("window.__calc.lastReply.ok === false", timeout=60_000)
    page.goto(calculator_url(base_url, "kv"))  # leaving the page writes what was pending
    assert page.input_value("#f-context") == "64k"
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
    page.goto(calculator_url(base_url, "weights"))
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
