"""The quantization playground on the outlier page, live in Chromium: the same numbers as CPython, charts redrawn,
bad input answered next to its field, nothing loaded from another host; the three pages stay small."""

import json
from urllib.parse import urlencode

from calculators.pages import page as calculator_page
from calculators.web import compute
from site_pages import axe_violations, foreign_requests

PAGES = ("learn/ptq-and-qat", "learn/outliers", "learn/weights-and-activations")


def address(base_url, params=None):
    return f"{base_url}/{calculator_page('playground').path}/" + (f"?{urlencode(params)}" if params else "")


def test_the_playground_computes_live_what_cpython_computes(watched, base_url):
    watched.page.goto(address(base_url))
    reply = watched.wait_live()
    assert reply == json.loads(json.dumps(compute("playground", {})))
    assert watched.page.inner_text(".calc-status") == "Live result."
    watched.page.fill("#f-bits", "4")
    watched.page.select_option("#f-granularity", "decomposition")
    watched.page.wait_for_function("window.__calc.lastReply.inputs.bits === '4' && "
                                   "window.__calc.lastReply.inputs.granularity === 'decomposition'", timeout=60_000)
    reply = watched.page.evaluate("window.__calc.lastReply")
    expected = json.loads(json.dumps(compute("playground", {"bits": "4", "granularity": "decomposition"})))
    assert reply == expected
    headline = f"{expected['result']['runs']['decomposition']['output_relative']:.2%}"
    watched.page.wait_for_function(f"document.querySelector('.calc-result').textContent.includes('{headline}')")
    # the activation chart is redrawn with the quantized values of the new settings; each input change redraws it,
    # so wait for the drawing of the last one rather than for any drawing
    want = expected["charts"][1]["data"][1]["y"]
    watched.page.eval_on_selector("[id='playground-activation']", "figure => figure.scrollIntoView()")  # drawn in view
    watched.page.wait_for_function(
        "want => { const p = document.querySelector(\"[id='playground-activation'] .js-plotly-plot\");"
        " if (!p || !p.data || !p.data[1] || p.data[1].name !== 'quantized') return false;"
        " const y = Array.from(p.data[1].y);"
        " return y.length === want.length && y.every((v, i) => v === want[i]); }", arg=want, timeout=60_000)
    drawn = watched.page.evaluate(
        "Array.from(document.querySelector(\"[id='playground-activation'] .js-plotly-plot\").data[1].y)")
    assert drawn == want
    assert watched.errors == [] and watched.dialogs == []
    assert foreign_requests(watched, base_url) == []


BAD_ENTRIES = [
    ("group_size", "100", "must divide the row length"),
    ("group_size", "", "enter the group size"),
    ("bits", "NaN", "whole number"),
    ("bits", "1e300", "at most 8"),
    ("bits", "eight", "whole number"),
    ("threshold", "nan", "between 0.01 and"),
    ("threshold", "99999999999", "between 0.01 and"),
    ("alpha", "", "enter the migration strength"),
    ("alpha", "2", "between 0 and 1"),
]


def test_bad_input_gets_a_message_and_no_traceback(watched, base_url):
    """Each bad value typed into the live playground, each put right before the next."""
    watched.page.goto(address(base_url))
    watched.wait_live()
    for field, value, message in BAD_ENTRIES:
        reply, before = watched.enter({field: value})
        assert not reply["ok"], (field, value)
        assert message in watched.page.inner_text(f"#e-{field}"), (field, value)
        assert watched.page.get_attribute(f"[name={field}]", "aria-invalid") == "true"
        result = watched.page.inner_text(".calc-result")
        assert result.strip() and "NaN" not in result and "Traceback" not in result
        assert "calc-stale" in watched.page.get_attribute(".calc-result", "class")
        assert watched.errors == [] and foreign_requests(watched, base_url) == []
        if (field, value) == BAD_ENTRIES[0][:2]:  # the live page with a message at a field, for axe
            assert axe_violations(watched.page) == [], (field, value)
        reply, _ = watched.enter(before)
        assert reply["ok"] and watched.page.inner_text(f"#e-{field}") == "", (field, value)


def test_the_learn_pages_stay_small(site_dir):
    directory, _ = site_dir
    for page in PAGES:
        size = (directory / page / "index.html").stat().st_size
        assert size < 400_000, (page, size)
