"""The self-check quiz's answer keys, its links, and the Evaluate page's figures from the quality records."""

import json
import re
from pathlib import Path

import pytest

from calculators.web import compute
from generator.site import prose
from generator.site.figures import evaluate, quiz
from generator.site.quiz_bank import QUESTIONS, Calc

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# The sections every page of the guide must carry (the brief the pages are written to); the quiz may link to
# these before the page is on the branch, and to any page that exists.
REQUIRED_ANCHORS = {
    "learn/index.md": "memory-arithmetic bandwidth what-quantization-costs",
    "learn/number-formats.md": "fp32 bf16-vs-fp16 fp8 int8-int4 nf4 fp4",
    "learn/scale-and-zero-point.md": "symmetric-asymmetric granularity group-size-cost dynamic-static "
                                     "double-quantization",
    "learn/ptq-and-qat.md": "ptq qat calibration-data",
    "learn/outliers.md": "outlier-features llm-int8 smoothquant awq-scaling",
    "learn/weights-and-activations.md": "weight-only w8a8 hardware-support",
    "learn/methods.md": "gptq awq bitsandbytes gguf hqq aqlm quip-sharp spqr smoothquant fp8 comparison",
    "learn/fine-tuning.md": "qlora qlora-memory merging-adapters",
    "run-it-fast/index.md": "arithmetic-intensity roofline decode-is-memory-bound what-quantization-changes",
    "run-it-fast/kv-cache.md": "kv-size gqa-mqa-mla sliding-window kv-quantization paged-attention prefix-caching",
    "run-it-fast/speculative-decoding.md": "draft-and-verify exactness acceptance-rate variants",
    "run-it-fast/distillation-and-pruning.md": "distillation unstructured two-four-sparsity structured llama-3-2",
    "run-it-fast/kernels.md": "flashattention fusion torch-compile cuda-graphs",
    "run-it-fast/serving-stacks.md": "stacks-table choosing-a-stack",
    "evaluate/index.md": "perplexity kl-divergence task-benchmarks when-it-hurts our-measurements",
    "choose/index.md": "",
    "choose/decision-matrix.md": "",
}


def expected_text(choice: Calc) -> str:
    """The calculator's own number for the choice, formatted here independently of the quiz's renderer."""
    reply = compute(choice.page, dict(choice.inputs))
    assert reply["ok"], (choice, reply["errors"])
    value = reply["result"][choice.field] * choice.factor
    scaled = {"gb": (value / 1e9, " GB"), "gib": (value / 2 ** 30, " GiB"), "num": (value, "")}[choice.unit]
    return f"{scaled[0]:,.{choice.digits}f}{scaled[1]}{choice.suffix}"


def numeric_choices():
    return [(question.id, index, choice) for question in QUESTIONS for index, choice in enumerate(question.choices)
            if isinstance(choice, Calc)]


def test_the_quiz_has_at_least_40_questions_with_unique_ids():
    ids = [question.id for question in QUESTIONS]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("question", QUESTIONS, ids=[question.id for question in QUESTIONS])
def test_each_question_has_distinct_choices_and_a_key_among_them(question):
    texts = [quiz.choice_text(choice) for choice in question.choices]
    assert 3 <= len(texts) <= len(quiz.LETTERS)
    assert len(set(texts)) == len(texts), texts  # a distractor that computes to the answer would be a second key
    assert 0 <= question.answer < len(texts)
    assert question.prompt.strip() and question.why.strip() and question.topic.strip()


@pytest.mark.parametrize("qid, index, choice", numeric_choices(),
                         ids=[f"{qid}-{index}" for qid, index, _ in numeric_choices()])
def test_every_numeric_choice_is_the_calculators_number(qid, index, choice):
    assert quiz.choice_text(choice) == expected_text(choice)


def test_numeric_answer_keys_are_unscaled_calculator_results():
    """A numeric key is the calculator's result itself, never a multiple of it (those are distractors)."""
    keys = [(question.id, question.choices[question.answer]) for question in QUESTIONS
            if isinstance(question.choices[question.answer], Calc)]
    assert len(keys) >= 10
    assert all(choice.factor == 1 for _, choice in keys), keys
    # Spot checks against figures fixed by the formulas themselves (brief: known traps).
    texts = {qid: quiz.choice_text(choice) for qid, choice in keys}
    assert texts["kv-llama2"] == "2.00 GiB"  # 2 x 32 layers x 32 heads x 128 x 2 bytes x 4,096
    assert texts["gptq-7b-size"] == "3.89 GB"  # not 3.5: scales, zero points and 16-bit embeddings


def anchors_of(path: Path) -> set:
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"\{:?\s*#([A-Za-z0-9_-]+)\s*\}", text)) | set(re.findall(r'id="([^"]+)"', text))


@pytest.mark.parametrize("question", QUESTIONS, ids=[question.id for question in QUESTIONS])
def test_every_question_links_to_a_required_anchor_or_an_existing_page(question):
    page, _, anchor = question.link.partition("#")
    if page in REQUIRED_ANCHORS:
        assert anchor in REQUIRED_ANCHORS[page].split() or not anchor, question.link
        if (DOCS / page).is_file() and anchor:  # once the page has landed, the anchor must be in it
            assert anchor in anchors_of(DOCS / page), question.link
    else:
        assert (DOCS / page).is_file(), question.link
        assert not anchor or anchor in anchors_of(DOCS / page), question.link


def test_the_quiz_covers_every_page_with_required_anchors():
    linked = {question.link.partition("#")[0] for question in QUESTIONS}
    pages = {page for page, anchors in REQUIRED_ANCHORS.items() if anchors}
    assert pages <= linked, sorted(pages - linked)


class FakePage:
    """What the figure functions read of an MkDocs page: its address and its source file's path."""

    def __init__(self, url, src_uri=""):
        self.url = url
        self.file = type("File", (), {"src_uri": src_uri})()


def test_the_quiz_renders_every_question_with_a_fallback_answer_and_link():
    html = quiz.quiz(FakePage("exam-prep/quiz/"))
    assert html.count("data-quiz-question=") == len(QUESTIONS)
    assert html.count('<details class="quiz-why">') == len(QUESTIONS)
    assert html.count('type="radio"') == sum(len(question.choices) for question in QUESTIONS)
    assert 'href="../../learn/number-formats/#fp8"' in html
    assert 'href="../../calculators/will-it-fit/"' in html
    assert 'href="../../learn/#memory-arithmetic"' in html  # an index page is its directory


def test_quiz_text_is_escaped_and_backticks_become_code():
    assert quiz._inline("a < b and `x`") == "a &lt; b and <code>x</code>"


def test_calc_link_carries_the_inputs_and_rejects_bad_ones():
    link = quiz.calc_link("fit", page=FakePage("exam-prep/", "exam-prep/index.md"), model="llama-3.1-70b", gpus=2)
    assert link == "../calculators/will-it-fit.md?model=llama-3.1-70b&gpus=2"
    with pytest.raises(prose.PageError, match="gpus"):
        quiz.calc_link("fit", model="llama-3.1-70b", gpus=0)


def newest_quality_record() -> dict:
    files = sorted((ROOT / "gpu_runs").glob("*-quality-cpu-*.json"))
    records = [(path.name, json.loads(path.read_text())) for path in files]
    return [(name, record) for name, record in records if record["schema"] >= 2][-1]


def test_our_quality_is_the_newest_cpu_quality_record_as_measured():
    name, record = newest_quality_record()
    quality = evaluate.our_quality()
    assert quality.record == name and quality.where == "CPU"
    measured = [result for result in record["results"] if result["model"]["id"] == quality.model
                and result["status"] == "ok"]
    assert quality.params == max(result["model"]["params"] for result in record["results"])
    base = next(r for r in measured if r["method"]["label"] == "bf16")["metrics"]["perplexity"]
    for result in measured:
        label = result["method"]["label"]
        if label not in quality.rows:
            continue
        row, metrics = quality.rows[label], result["metrics"]
        assert row.top1 == metrics["top1_agreement"] and row.flips == pytest.approx(1 - metrics["top1_agreement"])
        assert row.kl == metrics["kl_divergence"]
        assert row.perplexity_change == pytest.approx(metrics["perplexity"] / base - 1)
    assert len(quality.rows) >= 10


def test_the_quality_table_names_the_record_and_says_cpu():
    html = evaluate.our_quality_table(FakePage("evaluate/"))
    quality = evaluate.our_quality()
    assert f"../results/downloads/records/{quality.record}" in html and "Measured on a CPU" in html
    assert html.count("<tr>") == len(quality.rows) + 1


def test_without_a_quality_record_the_page_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("LQFG_RECORDS", str(tmp_path))
    assert evaluate.our_quality() is None
    assert "No CPU quality record" in evaluate.our_quality_table(FakePage("evaluate/"))
    from generator.site import glossary

    page = (ROOT / "docs" / "evaluate" / "index.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    text = prose.render(page, "evaluate/index.md", glossary.collect(ROOT / "docs"), page=FakePage("evaluate/"))
    assert "has no measurements to show" in text and "Three things in it" not in text


@pytest.mark.parametrize("fraction, text", [(0.004, "+0.40%"), (-0.0003, "-0.03%"), (-0.00001, "0.00%"),
                                            (0.0, "0.00%")])
def test_signed_percent(fraction, text):
    assert evaluate.signed_percent(fraction) == text
