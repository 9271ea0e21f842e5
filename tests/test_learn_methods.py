"""The methods and fine-tuning pages (docs/learn/methods.md, docs/learn/fine-tuning.md): every number they
render from the calculators equals a direct call, the comparison table is knowledge.py's data, the measured
cells are the records' values, and the code examples marked as running on a CPU run."""

import ast
import json
import math
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from calculators import knowledge, weight_format
from calculators.gguf import GGML_TYPES, gguf_file, tensor_bytes, tensor_types
from calculators.presets import preset_architecture
from calculators.web import compute
from generator.site.figures import finetuning, methods
from prose_pages import rendered

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("learn/methods.md", "learn/fine-tuning.md")
RECORDS = ROOT / "gpu_runs"


def source(page: str) -> str:
    return (ROOT / "docs" / page).read_text(encoding="utf-8")



# -- numbers from the calculators --------------------------------------------------------------------------

CALC = re.compile(r"\{\{\s*calc\((?P<args>[^)]*)\)(?P<fields>(?:\.\w+)+)\s*\|\s*(?P<filter>\w+)"
                  r"(?:\((?P<digits>\d+)\))?\s*\}\}")
MATRIX_BITS = re.compile(r"\{\{\s*matrix_bits\(\"(?P<format>[^\"]+)\"\)\s*\|\s*num\((?P<digits>\d+)\)\s*\}\}")


def direct(args: str, fields: str):
    """The value a calc(...) expression names, computed by calling calculators.web.compute directly."""
    call = ast.parse(f"f({args})", mode="eval").body
    page = ast.literal_eval(call.args[0])
    inputs = {keyword.arg: str(ast.literal_eval(keyword.value)) for keyword in call.keywords}
    reply = compute(page, inputs)
    assert reply["ok"], reply
    value = reply["result"]
    for name in fields.strip(".").split("."):
        value = value[name]
    return value


def formatted(value, filter_name: str, digits):
    if filter_name == "gb":
        return f"{value / 1e9:,.{2 if digits is None else int(digits)}f} GB"
    if filter_name == "gib":
        return f"{value / 2 ** 30:,.{2 if digits is None else int(digits)}f} GiB"
    if filter_name == "num":
        return f"{value:,.{0 if digits is None else int(digits)}f}"
    raise AssertionError(f"no formatter for {filter_name}")


@pytest.mark.parametrize("page", PAGES)
def test_every_calculator_number_on_the_page_equals_a_direct_call(page):
    text, html = source(page), rendered(page)
    expressions = list(CALC.finditer(text))
    assert len(expressions) >= 10
    for match in expressions:
        expected = formatted(direct(match["args"], match["fields"]), match["filter"], match["digits"])
        assert expected in html, f"{match.group(0)} should render as {expected}"
    for match in MATRIX_BITS.finditer(text):
        assert f"{weight_format(match['format']).nominal_bits:,.{int(match['digits'])}f} bits" in html


def test_the_training_defaults_are_the_ones_the_fine_tuning_page_names():
    # The page names AdamW and activation checkpointing in words; the calls rely on the calculator's defaults.
    from calculators.pages import page

    assert page("training").defaults["optimizer"] == "adamw" and page("training").defaults["checkpointing"] == "on"
    assert "AdamW" in source("learn/fine-tuning.md") and "activation checkpointing on" in source("learn/fine-tuning.md")


def test_q4_k_m_on_llama_3_1_8b_is_the_published_bits_per_weight():
    # llama.cpp tools/quantize/README.md lists Llama-3.1-8B Q4_K_M at 4.8944 bits per weight.
    bits = compute("weights", {"model": "llama-3.1-8b", "format": "gguf-q4-k-m"})["result"]["bits_per_param"]
    assert abs(bits - 4.8944) < 0.001
    assert f"{bits:,.3f}" in rendered("learn/methods.md")


# -- the comparison table is the knowledge base ------------------------------------------------------------

class _Rows(HTMLParser):
    """The cell texts of every table row of a fragment."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def table_rows(html: str) -> list:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def test_comparison_rows_are_the_knowledge_base():
    rows = methods.comparison_rows()
    assert [row.method_id for row in rows] == [method.id for method in knowledge.METHODS]
    for row, method in zip(rows, knowledge.METHODS):
        weights = compute("weights", {"model": "llama-3.1-8b", "format": method.format})["result"]
        assert (row.nominal_bits, row.calibration, row.fine_tunable) == (method.bits, method.calibration,
                                                                        method.fine_tunable)
        assert row.runtimes == tuple(knowledge.RUNTIME_LABELS[name] for name in method.loaders)
        assert (row.total_bytes, row.bits_per_weight) == (weights["total_bytes"], weights["bits_per_param"])
        native = {kernel.platform for kernel in method.kernels if kernel.status == knowledge.NATIVE}
        assert {phrase.split(" ")[0] for phrase in row.hardware} >= {methods.PLATFORM_LABELS[p] for p in native}


def test_the_rendered_comparison_tables_have_one_row_per_method_with_its_data():
    html = methods.method_comparison_table()
    first, second = html.split("\n\n")
    for table in (first, second):
        header, *body = table_rows(table)
        assert len(body) == len(knowledge.METHODS)
        column = {name: index for index, name in enumerate(header)}
        for cells, method in zip(body, knowledge.METHODS):
            assert cells[column["method"]] == method.label
            if "calibration data" in column:
                assert cells[column["calibration data"]] == ("yes" if method.calibration else "no")
                assert cells[column["adapters trainable on it"]] == ("yes" if method.fine_tunable else "no")
                assert cells[column["bits per code"]] == f"{method.bits:g}"
            else:
                assert cells[column["runtimes that load it"]] == ", ".join(knowledge.RUNTIME_LABELS[r]
                                                                           for r in method.loaders)
    assert "{{ method_comparison_table(page) }}" in source("learn/methods.md")


# -- measured quality is the record's ----------------------------------------------------------------------

@pytest.mark.parametrize("method_id", ["gptq", "awq", "nf4", "int8-w8a8", "fp8-dynamic", "llm-int8"])
def test_the_measured_quality_is_the_records_value(method_id):
    row = methods.quality_measurement(method_id)
    assert row is not None and row.run.where == "CPU"
    raw = json.loads((RECORDS / row.run.file).read_text())["results"][row.index]
    assert raw["metrics"]["kl_divergence"] == row.metrics["kl_divergence"]
    assert row.method in knowledge.METHODS_BY_ID[method_id].measured_quality
    note = methods.measured_quality_note(method_id)
    assert f"{raw['metrics']['kl_divergence']:.2g}" in note and "CPU" in note and row.run.file in note


def test_a_method_without_a_measurement_says_so():
    assert methods.quality_measurement("gguf-q4-k-m") is None
    assert "no quality measurement" in methods.measured_quality_note("gguf-q4-k-m")


# -- GGUF per-tensor types ---------------------------------------------------------------------------------

def test_q4_k_m_promotes_attn_v_and_ffn_down_by_llama_cpps_layer_rule():
    arch = preset_architecture("llama-3.1-8b")
    n = arch.num_layers
    # llama-quant.cpp use_more_bits: the first and last eighth, and every third layer in between.
    more = {i for i in range(n) if i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2}
    groups = {(group.category, group.type_name): group for group in methods.gguf_type_summary()}
    for category in ("attn_v", "ffn_down"):
        assert set(groups[(category, "Q6_K")].layers) == more
        assert set(groups[(category, "Q4_K")].layers) == set(range(n)) - more
    assert groups[("output", "Q6_K")].matrices == 1


def test_the_gguf_table_adds_up_to_the_files_tensor_bytes():
    arch = preset_architecture("llama-3.1-8b")
    summary = methods.gguf_type_summary()
    assigned = tensor_types(arch, "Q4_K_M")
    vectors = sum(sum(tensor_bytes(tensor, name)) for tensor, name in assigned if not tensor.is_matrix)
    file = gguf_file(arch, "Q4_K_M")
    assert sum(group.bytes for group in summary) + vectors == file.tensor_bytes
    assert sum(group.matrices for group in summary) == sum(file.types.values())


@pytest.mark.parametrize("type_name", sorted(methods.BLOCK_FIELDS))
def test_a_block_diagram_adds_up_to_the_calculators_block_size(type_name):
    block = GGML_TYPES[type_name]
    assert methods.block_bytes_check(type_name) == block.block_bytes
    assert f"= {block.block_bytes * 8 / block.weights:g} bits per weight" in methods.block_layout_figure(type_name)


# -- fine-tuning tables are the QLoRA record's -------------------------------------------------------------

def qlora_record() -> tuple:
    """The newest qlora-cpu record in gpu_runs/, read here without the page's code: (file name, record)."""
    records = sorted(path for path in RECORDS.glob("*.json")
                     if json.loads(path.read_text())["run"]["suite"] == "qlora-cpu")
    assert records, "gpu_runs/ holds a qlora-cpu record"
    return records[-1].name, json.loads(records[-1].read_text())


def qlora_results() -> list:
    _, data = qlora_record()
    assert data["run"]["device"]["kind"] == "cpu"
    return [result for result in data["results"] if result["status"] == "ok"]


def by_model(results: list) -> dict:
    models = {}
    for result in results:
        models.setdefault(result["model"]["id"], {})[result["method"]["id"], result["method"]["label"]] = \
            result["metrics"]
    return models


def test_the_page_quotes_the_newest_qlora_record_and_links_to_its_download():
    name, _ = qlora_record()
    html = rendered("learn/fine-tuning.md")
    assert finetuning.our_qlora().record == name
    assert f'href="../../results/downloads/records/{name}">{name}</a>' in html


def test_what_the_page_says_of_the_fine_tuning_runs_is_what_the_record_holds():
    html = " ".join(rendered("learn/fine-tuning.md").split())
    results = qlora_results()
    ratios = [(m["train_peak_rss_bytes"] - m["train_rss_baseline_bytes"]) / predicted
              for m, predicted in zip((r["metrics"] for r in results),
                                      (row[4] * 2 ** 20 for row in finetuning.memory_rows()))]
    assert f"came out at {min(ratios):.1f} to {max(ratios):.1f} times the prediction" in html
    spreads, learns, forgets = [], [], []
    for runs in by_model(results).values():
        adapters = [m for (method, _), m in runs.items() if method in ("finetune-qlora", "finetune-lora")]
        full = [m for (method, _), m in runs.items() if method == "finetune-full"]
        domain = [math.exp(m["domain_loss"]) for m in adapters]
        spreads.append(max(domain) / min(domain) - 1)
        learns += [f["domain_loss"] < m["domain_loss"] for f in full for m in adapters]
        forgets += [f["original_loss"] > m["original_loss"] for f in full for m in adapters]
    assert f"ended within {100 * max(spreads):.2f}% of each other's perplexity" in html
    assert ("at the same place, as the QLoRA paper found" in html) == (max(spreads) < 0.01)
    assert ("Full fine-tuning learned the domain much better and forgot much more" in html) == \
        (all(learns) and all(forgets) and bool(learns))


def percent_in(html: str, before: str) -> float:
    """The percentage the page writes right after `before`."""
    return float(re.search(re.escape(before) + r" ([0-9.]+)%", html).group(1)) / 100


def test_the_sentences_around_the_merge_table_are_the_records_figures():
    html = " ".join(rendered("learn/fine-tuning.md").split())
    merges = [r["metrics"] for r in qlora_results() if "merged_kl_divergence" in r["metrics"]]
    assert merges
    merged = max(abs(math.exp(m["merged_domain_loss"]) / math.exp(m["domain_loss"]) - 1) for m in merges)
    requantized = max(abs(math.exp(m["requantized_domain_loss"]) / math.exp(m["domain_loss"]) - 1) for m in merges)
    flips = [1 - m["requantized_top1_agreement"] for m in merges]
    # Each "within" is a bound: at least the largest change, and no more than the next figure up.
    for bound, largest in ((percent_in(html, "perplexity within"), merged),
                           (percent_in(html, "perplexity still within"), requantized)):
        assert largest <= bound <= largest * 1.1
    assert f"changed the top token at {100 * min(flips):.1f}% to {100 * max(flips):.1f}% of positions" in html


@pytest.mark.parametrize("fraction, text", [(0.0012177, "0.13%"), (0.00012, "0.012%"), (0.012, "1.2%"),
                                            (0.5, "50%"), (0.00143, "0.15%"), (0.0, "0%")])
def test_a_bound_is_rounded_up_to_two_figures(fraction, text):
    assert finetuning.QLoRAMeasured.at_most(fraction) == text


def test_without_a_qlora_record_the_page_says_the_measurement_is_missing(tmp_path, monkeypatch):
    for path in RECORDS.glob("*.json"):  # every record but the fine-tuning ones
        if json.loads(path.read_text())["run"]["suite"] != "qlora-cpu":
            (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("LQFG_RECORDS", str(tmp_path))
    assert finetuning.our_qlora() is None
    html = " ".join(rendered.__wrapped__("learn/fine-tuning.md").split())  # not the cached page of gpu_runs/
    assert "No QLoRA record in this build" in html and "has no measurements to show" in html
    assert "records/" not in html and "qlora-cpu-" not in html
    assert "This project ran QLoRA" not in html and "found QLoRA and LoRA learning the same" not in html
    assert "no measurement of merging" in html and "Merging is nearly free" not in html
    assert "{#" not in html and 'id="qlora-record"' not in html  # the heading and its anchor stay (Markdown's)
    assert "### What this project measured { #qlora-record }" in html


def test_the_memory_table_is_the_records_resident_memory_against_the_calculator():
    html = rendered("learn/fine-tuning.md")
    results = qlora_results()
    rows = finetuning.memory_rows()
    assert len(rows) == len(results)
    for result, (model, method, trainable, measured_mib, _) in zip(results, rows):
        metrics = result["metrics"]
        assert (model, method, trainable) == (result["model"]["id"], result["method"]["label"],
                                              metrics["trainable_params"])
        measured = (metrics["train_peak_rss_bytes"] - metrics["train_rss_baseline_bytes"]) / 2 ** 20
        assert measured_mib == measured and f"{measured:.1f}" in html


def test_the_merge_table_is_the_records_kl_and_perplexity():
    html = rendered("learn/fine-tuning.md")
    merged = [r for r in qlora_results() if "merged_kl_divergence" in r["metrics"]]
    assert len(merged) == 4
    for result in merged:
        m = result["metrics"]
        for text in (f"{m['merged_kl_divergence']:.1e}", f"{m['requantized_kl_divergence']:.1e}",
                     f"{math.exp(m['requantized_domain_loss']):.1f}", f"{m['requantized_top1_agreement']:.1%}"):
            assert text in html
    ratios = [r["metrics"]["requantized_kl_divergence"] / r["metrics"]["merged_kl_divergence"] for r in merged]
    low, high = f"{min(ratios):.0f}", f"{max(ratios):.0f}"
    factor = f"about {low}" if low == high else f"{low} to {high}"
    assert f"raised the KL divergence {factor} times" in " ".join(html.split())


# -- code examples -----------------------------------------------------------------------------------------

FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>\w+)\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S)
CPU_MARK = "<!-- example: cpu -->"


def examples(page: str) -> list:
    """(runs_on_cpu, language, code, text before the block) for every fenced block of the page's source."""
    text = source(page)
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip().splitlines()
        marked = bool(before) and before[-1].strip() == CPU_MARK
        found.append((marked, match["lang"], textwrap.dedent(match["body"]), text[:match.start()]))
    return found


@pytest.mark.parametrize("page", PAGES)
def test_every_example_is_either_run_or_marked_as_not_run(page):
    for marked, language, code, before in examples(page):
        if marked:
            assert language == "python"
            continue
        label = before[before.rfind("**Example**"):]
        assert "**Example**" in before and "not run by our tests" in label, code[:80]


CPU_EXAMPLES = [(page, index, code) for page in PAGES
                for index, (marked, _, code, _) in enumerate(examples(page)) if marked]


def test_the_pages_have_cpu_examples():
    assert len(CPU_EXAMPLES) >= 4


@pytest.mark.parametrize("page, index, code", CPU_EXAMPLES, ids=[f"{p}#{i}" for p, i, _ in CPU_EXAMPLES])
def test_a_cpu_example_runs(page, index, code, tmp_path):
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                              "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("page", PAGES)
def test_the_rendered_page_is_small(page):
    assert len(rendered(page).encode()) < 400_000
