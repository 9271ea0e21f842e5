"""The calculators in a real browser: Debian's Chromium running Pyodide in a worker."""

import json
from pathlib import Path
from urllib.parse import urlencode, urlparse, parse_qs

import pytest

from calculators.preset_configs import PRESET_CONFIGS
from calculators.web import compute
from generator.site import CALCULATOR_PAGES

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
    return f"{base}/{CALCULATOR_PAGES[page]}/" + (f"?{urlencode(params)}" if params else "")


@pytest.mark.parametrize("page, params", SAMPLES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(SAMPLES)])
def test_the_browser_computes_exactly_what_cpython_computes(watched, base_url, page, params):
    watched.page.goto(url(base_url, page, params))
    reply = watched.wait_live()
    expected = json.loads(json.dumps(compute(page, params)))
    assert reply == expected
    assert reply["ok"]
    assert watched.page.inner_text(".calc-status") == "Live result."
    assert watched.errors == []


def test_a_url_round_trips(watched, base_url):
    params = {"model": "qwen3-8b", "context": "20000", "batch": "3", "kv_format": "int8", "block_size": "16"}
    watched.page.goto(url(base_url, "kv", params))
    first = watched.wait_live()
    for field, value in params.items():
        assert watched.page.input_value(f"#f-{field}") == value
    watched.page.fill("#f-context", "40000")
    watched.wait_live(count=2)
    query = parse_qs(urlparse(watched.page.url).query)
    assert query["context"] == ["40000"] and query["model"] == ["qwen3-8b"]
    watched.page.reload()
    again = watched.wait_live()
    assert again["inputs"]["context"] == "40000"
    assert again["result"]["total_bytes"] == 2 * first["result"]["total_bytes"]


def test_editing_an_input_recomputes_and_the_chart_is_drawn(watched, base_url):
    watched.page.goto(url(base_url, "fit"))
    watched.wait_live()
    watched.page.select_option("#f-gpu", "b200")
    reply = watched.wait_live(count=2)
    assert reply["result"]["gpu"] == "NVIDIA B200 (HGX B200, 1000 W)"
    assert "B200" in watched.page.inner_text(".calc-result")
    watched.page.wait_for_selector(".calc-chart .main-svg")


BAD_INPUTS = [
    ("kv", {"context": "-5"}, "context", "at least"),
    ("kv", {"context": "1e308"}, "context", "whole number"),
    ("kv", {"context": "NaN"}, "context", "whole number"),
    ("kv", {"context": ""}, "context", "enter"),
    ("kv", {"batch": "0"}, "batch", "at least 1"),
    ("kv", {"model": "<script>alert(1)</script>"}, "model", "unknown model"),
    ("fit", {"gpus": "javascript:alert(1)"}, "gpus", "whole number"),
    ("fit", {"gpus": "3"}, "gpus", "cannot split"),
    ("fit", {"gpu": "\"><img src=x onerror=alert(1)>"}, "gpu", "unknown GPU"),
    ("speculative", {"acceptance": "Infinity"}, "acceptance", "between 0 and 1"),
    ("speculative", {"draft_cost": "-0.5"}, "draft_cost", "between 0 and 1"),
    ("weights", {"model": "config", "config": "{\"model_type\": \"<script>alert(1)</script>\"}"}, "config",
     "not supported"),
    ("weights", {"model": "config", "config": "{not json"}, "config", "not valid JSON"),
    ("weights", {"model": "config", "config": "{\"model_type\": \"llama\"}"}, "config", "missing 'hidden_size'"),
    ("weights", {"model": "custom", "num_kv_heads": "3"}, "num_kv_heads", "multiple"),
    ("roofline", {"gpu": "m2-ultra"}, "gpu", "no published peak"),
    ("training", {"lora_rank": "0"}, "lora_rank", "at least 1"),
]


@pytest.mark.parametrize("page, params, field, message", BAD_INPUTS,
                         ids=[f"{p}-{f}-{i}" for i, (p, _, f, _) in enumerate(BAD_INPUTS)])
def test_bad_input_gets_a_message_next_to_the_field(watched, base_url, page, params, field, message):
    watched.page.goto(url(base_url, page, params))
    reply = watched.wait_live()
    assert not reply["ok"]
    shown = watched.page.inner_text(f"#e-{field}")
    assert message in shown, shown
    assert watched.page.get_attribute(f"[name={field}]", "aria-invalid") == "true"
    result = watched.page.inner_text(".calc-result")
    assert result.strip() and "NaN" not in result and "Infinity" not in result and "Traceback" not in result
    assert watched.dialogs == [] and watched.errors == []
    assert watched.page.evaluate("document.querySelectorAll('.calc img, .calc script').length") == 0


def test_typing_bad_input_then_fixing_it(watched, base_url):
    watched.page.goto(url(base_url, "kv"))
    watched.wait_live()
    watched.page.fill("#f-context", "abc")
    watched.wait_live(count=2)
    assert "whole number" in watched.page.inner_text("#e-context")
    watched.page.fill("#f-context", "4096")
    reply = watched.wait_live(count=3)
    assert reply["ok"] and watched.page.inner_text("#e-context") == ""


def test_instant_navigation_keeps_one_worker(watched, base_url):
    watched.page.goto(url(base_url, "kv"))
    watched.wait_live()
    started = watched.page.evaluate("window.__calc.startedAt")
    watched.page.click("nav a[href$='will-it-fit/']")
    watched.page.wait_for_selector(".calc[data-page='fit'][data-bound]")
    reply = watched.wait_live(count=2)
    assert reply["page"] == "fit"
    assert watched.page.evaluate("window.__calc.startedAt") == started  # the same worker, not a new Pyodide
    assert watched.errors == []


def test_a_page_without_a_calculator_starts_no_worker(watched, base_url):
    watched.page.goto(base_url + "/")
    watched.page.wait_for_load_state("networkidle")
    assert watched.page.evaluate("window.__calc.startedAt") is None
    assert not any("pyodide" in r or "plotly" in r for r in watched.requests)
