"""The Choose section in Chromium: the wizard live through Pyodide, and the decision matrix's links into it.
conftest.py loads the evidence summary of the records, so that CPython answers as the built site does."""

import json
from urllib.parse import urlencode

from calculators.pages import page as calculator_page
from calculators.web import compute
from generator.site.figures import decisions
from site_pages import axe_violations


def wizard_url(base, params=None):
    return f"{base}/{calculator_page('wizard').path}/" + (f"?{urlencode(params)}" if params else "")


def off_site(watched, base_url):
    return [r for r in watched.requests if not r.startswith((base_url, "data:", "blob:"))]


def test_the_wizard_answers_live_as_cpython_does(watched, base_url):
    """The default answer, then two situations entered on the same live page, each put back before the next."""
    watched.page.goto(wizard_url(base_url, {}))
    reply = watched.wait_live()
    assert reply == json.loads(json.dumps(compute("wizard", {})))
    for params in [{"model": "qwen3-8b", "goal": "local", "gpu": "m3-max", "gpus": "1", "context": "16k",
                    "priority": "memory"},
                   {"model": "llama-3.1-8b", "goal": "finetune", "gpu": "rtx-4090", "gpus": "1", "context": "2048",
                    "concurrency": "1", "priority": "quality"}]:
        reply, before = watched.enter(params)
        assert reply == json.loads(json.dumps(compute("wizard", reply["inputs"]))), params
        assert all(reply["inputs"][name] == value for name, value in params.items())
        assert reply["ok"] and watched.page.inner_text(".calc-status") == "Live result."
        assert "records in gpu_runs/" in watched.page.inner_text(".calc-result")  # the worker loaded the evidence
        watched.enter(before)
    assert watched.errors == [] and off_site(watched, base_url) == []


def test_changing_the_hardware_changes_the_recommendation(watched, base_url):
    """FP8 W8A8 on an H100 (compute capability 9.0); an A100 (8.0) has no FP8 tensor cores, so FP8 is offered
    only as weight-only and INT8 W8A8 comes first (Kurtic et al., arXiv 2411.02355; vLLM's FP8 docs)."""
    page = watched.page
    page.goto(wizard_url(base_url, {"model": "qwen3-32b"}))
    reply = watched.wait_live()
    schemes = [rec["scheme"] for rec in reply["result"]["recommendations"]]
    assert schemes[0] == "FP8-W8A8"
    assert "FP8-W8A8" in page.inner_text(".calc-result details.wizard-rec[open] summary")
    page.select_option("#f-gpu", "a100-sxm-80gb")
    reply = watched.wait_live(count=2)
    schemes = [rec["scheme"] for rec in reply["result"]["recommendations"]]
    assert schemes[0] == "INT8-W8A8" and "FP8-W8A16" in schemes and "FP8-W8A8" not in schemes
    assert "INT8-W8A8" in page.inner_text(".calc-result details.wizard-rec[open] summary")
    assert "gpu=a100-sxm-80gb" in watched.address()  # the answer is in the address
    assert watched.errors == [] and off_site(watched, base_url) == []


def shows_the_message_and_nothing_else(watched, reply, field, message):
    assert not reply["ok"]
    assert message in watched.page.inner_text(f"#e-{field}")
    assert watched.page.get_attribute(f"[name={field}]", "aria-invalid") == "true"
    result = watched.page.inner_text(".calc-result")
    assert result.strip() and "NaN" not in result and "Traceback" not in result
    assert watched.dialogs == [] and watched.errors == []
    assert watched.page.evaluate("document.querySelectorAll('.calc-result img, .calc-result script').length") == 0


def test_a_bad_value_in_the_address_gets_a_clear_message(watched, base_url):
    watched.page.goto(wizard_url(base_url, {"goal": "<img src=x onerror=alert(1)>"}))
    shows_the_message_and_nothing_else(watched, watched.wait_live(), "goal", "pick one from the list")


def test_bad_input_gets_a_clear_message(watched, base_url):
    """Each bad answer entered on the live wizard, each put right before the next."""
    watched.page.goto(wizard_url(base_url, {}))
    watched.wait_live()
    for values, field, message in [({"model": "config", "config": ""}, "config", "paste a config.json"),
                                   ({"context": "a long one"}, "context", "whole number"),
                                   ({"gpus": "0"}, "gpus", "at least 1"),
                                   ({"gpu": "m3-max", "gpus": "2"}, "gpus", "one machine")]:
        reply, before = watched.enter(values)
        shows_the_message_and_nothing_else(watched, reply, field, message)
        if field == "config":  # the live wizard with a message at a field, for axe (site_pages.check_page)
            assert axe_violations(watched.page) == [], values
        reply, _ = watched.enter(before)
        assert reply["ok"], (values, reply["errors"])


def test_a_matrix_cell_opens_the_wizard_with_the_same_answer(watched, base_url):
    page = watched.page
    page.goto(f"{base_url}/choose/decision-matrix/")
    situation = next(s for s in decisions.SITUATIONS if s.gpu == "a100-sxm-80gb")
    expected = decisions.cell(situation, "qwen3-32b")["top"]
    # "../?model=..." as built; the theme's script, once the reader reaches for the page, makes it absolute.
    link = page.locator(f"td a[href$='/?{urlencode(decisions.wizard_params(situation, 'qwen3-32b'))}']")
    assert link.inner_text() == decisions.short_label(expected["label"])
    link.click()
    page.wait_for_url(f"**/choose/?{urlencode(decisions.wizard_params(situation, 'qwen3-32b'))}")
    page.wait_for_selector(".calc[data-page='wizard'][data-bound]")
    reply = watched.wait_live()
    assert reply["result"]["recommendations"][0]["method"] == expected["method"]
    assert watched.errors == [] and off_site(watched, base_url) == []
