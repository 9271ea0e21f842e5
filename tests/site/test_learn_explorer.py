"""The number-format explorer on learn/number-formats in Chromium, and the first Learn pages as built."""

import json


from calculators.web import compute
from site_pages import axe_violations

EXPLORER = "learn/number-formats/"
PAGES = {"learn/index.html": ("memory-arithmetic", "bandwidth", "what-quantization-costs"),
         "learn/number-formats/index.html": ("fp32", "bf16-vs-fp16", "fp8", "int8-int4", "nf4", "fp4"),
         "learn/scale-and-zero-point/index.html": ("symmetric-asymmetric", "granularity", "group-size-cost",
                                                   "dynamic-static", "double-quantization")}


def test_the_explorer_computes_in_the_browser_what_cpython_computes(watched, base_url):
    page = watched.page
    page.goto(f"{base_url}/{EXPLORER}")
    assert "0.10000000149011612" in page.inner_text(".calc-result")  # pre-rendered at build time
    reply = watched.wait_live()
    assert reply == json.loads(json.dumps(compute("number_format", {})))
    page.fill("#f-value", "70000")
    reply = watched.wait_live(count=2)
    assert reply == json.loads(json.dumps(compute("number_format", {"value": "70000"})))
    result = page.inner_text(".calc-result")
    assert "overflow: becomes infinity" in result and "448" in result and "70144" in result
    assert page.inner_text(".calc-status") == "Live result."
    assert "value=70000" in watched.address()
    assert page.eval_on_selector(".nf-sign", "e => getComputedStyle(e).backgroundColor") != \
        page.eval_on_selector(".nf-exp", "e => getComputedStyle(e).backgroundColor")
    assert watched.errors == [] and watched.dialogs == []
    assert all(url.startswith(base_url) or url.startswith(("blob:", "data:")) for url in watched.requests), \
        [url for url in watched.requests if not url.startswith(base_url)]


BAD_ENTRIES = [("value", "", "enter the value"),
               ("value", "nan", "must be a finite number"),
               ("value", "inf", "must be a finite number"),
               ("value", "1e99999", "between -1e39 and 1e39"),
               ("value", "twelve", "must be a number, such as 0.1"),
               ("absmax", "0", "greater than 0")]


def test_bad_input_gets_a_message_and_keeps_the_last_result(watched, base_url):
    """Each bad value typed into the live explorer, each put right before the next."""
    page = watched.page
    page.goto(f"{base_url}/{EXPLORER}")
    watched.wait_live()
    for field, text, message in BAD_ENTRIES:
        reply, before = watched.enter({field: text})
        assert not reply["ok"] and message in reply["errors"][field], (field, text)
        assert message in page.inner_text(f"#e-{field}")
        assert page.get_attribute(f"#f-{field}", "aria-invalid") == "true"
        assert page.inner_text(".calc-status").startswith("Check the highlighted input")
        assert "Traceback" not in page.inner_text("body") and "NaN" not in page.inner_text(".calc-result")
        assert watched.errors == []
        if (field, text) == BAD_ENTRIES[0][:2]:  # the live page with a message at a field, for axe
            assert axe_violations(page) == [], (field, text)
        assert all(url.startswith(base_url) for url in watched.requests if not url.startswith(("blob:", "data:")))
        reply, _ = watched.enter(before)
        assert reply["ok"] and page.inner_text(".calc-status") == "Live result.", (field, text)


def test_the_learn_pages_are_small_and_carry_their_anchors(site_dir):
    directory, _ = site_dir
    for path, anchors in PAGES.items():
        html = (directory / path).read_text(encoding="utf-8")
        assert len(html.encode("utf-8")) < 400_000, path
        for anchor in anchors:
            assert f'id="{anchor}"' in html, (path, anchor)
    home = (directory / "index.html").read_text(encoding="utf-8")
    assert "not written yet" not in home and 'href="learn/' in home
