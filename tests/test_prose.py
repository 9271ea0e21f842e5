"""Prose pages as templates (generator/site/prose.py) and the glossary gathered from their front matter."""

import subprocess
import sys
from pathlib import Path

import pytest

from calculators.web import compute
from generator.site import glossary, prose

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def write(directory: Path, path: str, text: str) -> None:
    target = directory / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def test_a_number_in_a_page_is_the_calculators_result_formatted():
    text = prose.render('{{ calc("weights", model="llama-2-7b", format="gptq-int4-g128").total_bytes | gb }} and '
                        '{{ calc("kv", model="llama-2-7b", context=4096, kv_format="fp16").total_bytes | gib(0) }}',
                        "learn/index.md", {})
    weights = compute("weights", {"model": "llama-2-7b", "format": "gptq-int4-g128"})["result"]["total_bytes"]
    assert text == f"{weights / 1e9:,.2f} GB and 2 GiB"
    assert text.startswith("3.89 GB")  # a real 4-bit g128 file of Llama 2 7B is 3.9 GB


@pytest.mark.parametrize("template, message", [
    ('{{ calc("weights", model="no-such-model").total_bytes }}', "learn/x.md: calc('weights'"),
    ('{{ calc("weights").no_such_field }}', "no field 'no_such_field'"),
    ('{{ calc("weights").model | gb }}', "expected a number"),
    ("{{ undefined_name }}", "undefined"),
    ('{{ term("no such term") }}', "no page defines it"),
    ("{{ unclosed", "learn/x.md"),
])
def test_a_bad_expression_names_the_page_and_the_problem(template, message):
    with pytest.raises(prose.PageError, match=message.replace("(", r"\(")):
        prose.render(template, "learn/x.md", {})


def test_an_anchor_is_markdown_not_a_template_comment():
    assert prose.render("## FP8 {#fp8}\n{## a note ##}text", "learn/x.md", {}) == "## FP8 {#fp8}\ntext"


def test_a_literal_brace_pair_survives_inside_raw():
    assert prose.render("{% raw %}{{ messages }}{% endraw %}", "learn/x.md", {}) == "{{ messages }}"


def test_terms_link_to_the_glossary_relative_to_the_page(tmp_path):
    write(tmp_path, "learn/scales.md", "---\nglossary:\n  group size: Weights that share one scale.\n---\n# Scales\n")
    terms = glossary.collect(tmp_path)
    assert terms["group-size"].page == "learn/scales.md" and terms["group-size"].page_title == "Scales"
    assert prose.render('{{ term("Group size", "groups") }}', "learn/methods/gptq.md", terms) == \
        "[groups](../../exam-prep/glossary.md#group-size)"
    page = glossary.page_markdown(terms)
    assert "**group size** {#group-size}" in page and "[Scales](../learn/scales.md)" in page


def test_a_term_defined_on_two_pages_is_an_error_naming_both(tmp_path):
    write(tmp_path, "learn/a.md", "---\nglossary:\n  KV cache: One.\n---\n# A\n")
    write(tmp_path, "run-it-fast/b.md", "---\nglossary:\n  kv-cache: Two.\n---\n# B\n")
    with pytest.raises(glossary.GlossaryError, match="learn/a.md and in run-it-fast/b.md"):
        glossary.collect(tmp_path)


@pytest.mark.parametrize("front, message", [("glossary: [a, b]", "must map each term"),
                                            ("glossary:\n  term: ''", "must map each term"),
                                            ("glossary: {a: [", "not valid YAML")])
def test_a_malformed_glossary_entry_is_an_error_naming_the_page(tmp_path, front, message):
    write(tmp_path, "learn/a.md", f"---\n{front}\n---\n# A\n")
    with pytest.raises(glossary.GlossaryError, match=message):
        glossary.collect(tmp_path)


def test_every_term_of_the_site_is_defined_once():
    terms = glossary.collect(ROOT / "docs")  # raises on a duplicate
    assert all(term.definition and (ROOT / "docs" / term.page).is_file() for term in terms.values())


@pytest.mark.skipif(not (SHARED / "tools" / "seed_overlap.py").is_file(),
                    reason="shared/tools/seed_overlap.py is not beside the checkout")
def test_no_prose_repeats_ten_words_of_the_study_guide():
    result = subprocess.run([sys.executable, str(SHARED / "tools" / "seed_overlap.py"), "."], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def _terms(tmp_path):
    write(tmp_path, "learn/formats.md", "---\nglossary:\n  FP8: An 8-bit float.\n  KV cache: Keys and values kept.\n"
                                        "  group size: Weights sharing a scale.\n  decode: One step.\n---\n# F\n")
    write(tmp_path, "learn/own.md", "---\nglossary:\n  NF4: A 4-bit code book.\n---\n# Own\n")
    return glossary.collect(tmp_path)


def test_the_first_use_of_another_pages_term_links_to_the_glossary(tmp_path):
    terms = _terms(tmp_path)
    html = ("<h2>FP8 and NF4</h2><p>Use <code>FP8</code> or FP8 with a KV cache; FP8 again. The Group size, "
            "fp8 (lower case), FP8-ish, a decode step and NF4.</p><p>KV cache once more.</p>")
    linked = glossary.link_first_uses(html, "learn/own.md", terms, "../exam-prep/glossary/")
    assert linked.count('class="glossary-term"') == 3  # FP8, KV cache, group size: once each
    assert '<h2>FP8 and NF4</h2>' in linked and "<code>FP8</code>" in linked  # headings and code stay as written
    assert 'href="../exam-prep/glossary/#fp8" title="An 8-bit float.">FP8</a> with' in linked
    assert '#group-size" title="Weights sharing a scale.">Group size</a>' in linked  # any case for lower-case terms
    assert "#nf4" not in linked and "#decode" not in linked  # its own term; an everyday word
    assert linked.endswith("<p>KV cache once more.</p>")


def test_a_term_already_linked_or_inside_a_calculator_is_left_alone(tmp_path):
    terms = _terms(tmp_path)
    html = ('<p><a href="../exam-prep/glossary/#fp8">FP8</a> then FP8.</p>'
            '<div class="calc" data-page="kv"><div><p>KV cache</p></div></div><p>A KV cache.</p>')
    linked = glossary.link_first_uses(html, "learn/own.md", terms, "../exam-prep/glossary/")
    assert linked.count("#fp8") == 1
    assert '<div class="calc" data-page="kv"><div><p>KV cache</p></div></div>' in linked
    assert linked.endswith('<p>A <a class="glossary-term" href="../exam-prep/glossary/#kv-cache" '
                           'title="Keys and values kept.">KV cache</a>.</p>')
