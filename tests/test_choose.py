"""The Choose section: the wizard as a calculator page (calculators/wizard_web.py) and the decision matrix
(generator/site/figures/decisions.py), checked against the engine they show (calculators/wizard.py)."""

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urlparse

import pytest

from calculators import wizard, wizard_web
from calculators.hardware import accelerator
from calculators.pages import page
from calculators.presets import PRESETS
from calculators.web import compute
from generator.site.figures import decisions


@pytest.fixture
def no_evidence():
    """The published figures alone, as `recommend(..., None)` answers; the build's summary is restored after."""
    saved = wizard_web._evidence["summary"]
    wizard_web.use_evidence(None)
    yield
    wizard_web.use_evidence(saved)


def _engine(params: dict, evidence=None) -> dict:
    """The engine's answer for a form's strings, called directly as the CLI does."""
    inputs = wizard.make_inputs(params["goal"], accelerator(params["gpu"]), int(params["gpus"]),
                                PRESETS[params["model"]].architecture, int(params["context"]),
                                int(params["concurrency"]), params["priority"], PRESETS[params["model"]].hf_repo)
    return wizard.recommend(inputs, evidence)


@pytest.mark.parametrize("situation", decisions.SITUATIONS, ids=[s.name for s in decisions.SITUATIONS])
def test_every_matrix_cell_is_the_engines_top_recommendation(no_evidence, situation):
    for model in decisions.MODELS:
        found = decisions.cell(situation, model)
        expected = _engine(decisions.wizard_params(situation, model))
        recs = expected["recommendations"]
        assert (found["top"] or {}).get("method") == (recs[0]["method"] if recs else None), (situation, model)
        if not recs:
            assert found["alternative"] == expected["alternatives"][0]


def test_the_matrix_links_each_cell_to_the_wizard_with_its_inputs(no_evidence):
    html = decisions.decision_matrix()
    links = [unescape(href) for href in re.findall(r'<td><a href="([^"]+)"', html)]
    assert len(links) == len(decisions.SITUATIONS) * len(decisions.MODELS)
    for href in links:
        address = urlparse(href)
        assert address.path == "../"  # docs/choose/index.md from docs/choose/decision-matrix.md
        params = dict(parse_qsl(address.query))
        reply = compute("wizard", params)
        assert reply["ok"] and set(params) == set(page("wizard").defaults)


def test_the_matrix_shows_the_hardware_rule_of_the_evidence(no_evidence):
    """Kurtic et al. (arXiv 2411.02355): under continuous batching of mid-size and large models on H100, W8A8 in
    FP8; on A100, which has no FP8 tensor cores, FP8 runs weight-only and INT8 W8A8 is the W8A8 choice (vLLM's FP8
    documentation for the fallback)."""
    h100 = next(s for s in decisions.SITUATIONS if s.gpu == "h100-sxm" and s.priority == "throughput")
    a100 = next(s for s in decisions.SITUATIONS if s.gpu == "a100-sxm-80gb")
    assert decisions.cell(h100, "llama-3.1-70b")["top"]["scheme"] == "FP8-W8A8"
    assert decisions.cell(h100, "qwen3-32b")["top"]["scheme"] == "FP8-W8A8"
    assert decisions.cell(a100, "qwen3-32b")["top"]["scheme"] == "INT8-W8A8"
    on_a100 = compute("wizard", decisions.wizard_params(a100, "qwen3-32b"))["result"]["recommendations"]
    assert "FP8-W8A8" not in {rec["scheme"] for rec in on_a100}
    assert {"FP8-W8A16", "INT8-W8A8"} <= {rec["scheme"] for rec in on_a100}


def test_the_page_answers_what_the_cli_answers(no_evidence):
    params = {**page("wizard").defaults, "model": "qwen3-32b", "gpu": "l40s", "gpus": "2", "priority": "latency"}
    reply = compute("wizard", params)
    expected = json.loads(json.dumps(_engine(params)))
    assert reply["ok"]
    for key in ("recommendations", "ruled_out", "rules", "alternatives", "inputs"):
        assert reply["result"][key] == expected[key]


def test_the_answer_cites_its_sources_as_links(no_evidence):
    html = compute("wizard", {})["html"]
    assert '<a href="https://arxiv.org/abs/2411.02355">arXiv 2411.02355</a>' in html
    assert "<pre class=\"wizard-command\"><code tabindex=\"0\">vllm serve" in html
    assert "Ruled out" in html and "does not fit by" in html
    assert 'href="../calculators/will-it-fit/?' in html


def test_measured_evidence_links_its_record():
    from generator.site.results.dataset import DEFAULT_RECORDS, load_dataset
    from generator.site.results.evidence import summary

    saved = wizard_web._evidence["summary"]
    wizard_web.use_evidence(summary(load_dataset(DEFAULT_RECORDS)))
    try:
        reply = compute("wizard", {})
    finally:
        wizard_web.use_evidence(saved)
    kinds = {e["kind"] for rec in reply["result"]["recommendations"] for e in rec["evidence"]}
    assert {"measured speed", "measured quality"} <= kinds
    records = re.findall(r'href="\.\./results/downloads/records/([^"]+)"', reply["html"])
    assert records and all(name.endswith(".json") for name in records)


@pytest.mark.parametrize("params, field, message", [
    ({"gpus": "0"}, "gpus", "at least 1"),
    ({"context": "lots"}, "context", "whole number"),
    ({"model": "config", "config": ""}, "config", "paste a config.json"),
    ({"model": "config", "config": "{\"hidden_size\": 1}"}, "config", ""),
    ({"gpus": "3"}, "gpus", "cannot split"),
    ({"gpu": "m3-max", "gpus": "2"}, "gpus", "one machine"),
    ({"goal": "<script>alert(1)</script>"}, "goal", "pick one from the list"),
    ({"priority": "cheap"}, "priority", "pick one from the list"),
    ({"concurrency": "1e9"}, "concurrency", "at most"),
])
def test_bad_input_gets_a_message(params, field, message):
    reply = compute("wizard", params)
    assert not reply["ok"] and reply["html"] == "" and message in reply["errors"][field]
    assert "<script>" not in json.dumps(reply["errors"])


def test_nothing_fits_says_what_would():
    reply = compute("wizard", {"model": "llama-3.1-405b", "gpu": "rtx-4090", "gpus": "1", "goal": "serve"})
    assert reply["ok"] and reply["result"]["recommendations"] == []
    assert "nothing fits or runs" in reply["html"] and reply["result"]["alternatives"]


def test_int8_weight_only_runs_from_compute_capability_7_5(no_evidence):
    """llm-compressor docs/steps/choosing-scheme.md: W8A16 in vLLM needs compute capability 7.5 (Turing)."""
    params = {**page("wizard").defaults, "model": "llama-3.1-8b", "gpus": "1", "concurrency": "4", "priority": "quality"}
    on_t4 = compute("wizard", {**params, "gpu": "t4", "context": "2048"})["result"]
    w8a16 = next(rec for rec in on_t4["recommendations"] if rec["method"] == "int8-w8a16")
    assert w8a16["scheme"] == "INT8-W8A16" and w8a16["format"] == "int8-channel"
    assert "--max-model-len 2048" in w8a16["command"]
    on_v100 = compute("wizard", {**params, "gpu": "v100-sxm2-32gb"})["result"]
    reason = next(r["reason"] for r in on_v100["ruled_out"] if r["method"] == "int8-w8a16")
    assert "needs compute capability 7.5" in reason and "has 7.0" in reason


def test_nvfp4_runs_only_on_gpus_with_fp4_tensor_cores(no_evidence):
    """llm-compressor docs/steps/choosing-scheme.md: NVFP4 (FP4 weights and activations) needs compute capability
    10.0 (Blackwell) in vLLM."""
    params = {**page("wizard").defaults, "model": "llama-3.1-70b", "gpus": "1", "concurrency": "8"}
    on_b200 = compute("wizard", {**params, "gpu": "b200"})["result"]
    nvfp4 = next(rec for rec in on_b200["recommendations"] if rec["method"] == "nvfp4")
    assert nvfp4["scheme"] == "FP4-W4A4" and nvfp4["min_compute_capability"] == "10.0"
    assert nvfp4["command"].startswith("vllm serve ./Llama-3.1-70B-NVFP4 ")
    on_h100 = compute("wizard", {**params, "gpu": "h100-sxm"})["result"]
    reason = next(r["reason"] for r in on_h100["ruled_out"] if r["method"] == "nvfp4")
    assert "needs compute capability 10.0" in reason and "has 9.0" in reason


def test_every_method_links_to_the_learn_section_that_explains_it():
    import re
    from pathlib import Path

    from calculators import knowledge, wizard_web

    docs = Path(__file__).resolve().parents[1] / "docs" / "learn"
    methods = knowledge.METHODS.values() if isinstance(knowledge.METHODS, dict) else knowledge.METHODS
    for method in methods:
        page, _, anchor = wizard_web.EXPLAINED_AT[method.id].partition("/#")
        text = (docs / f"{page.rstrip('/')}.md").read_text(encoding="utf-8")
        assert not anchor or re.search(r"\{:?\s*#" + re.escape(anchor) + r"\s*\}", text), (method.id, anchor)
