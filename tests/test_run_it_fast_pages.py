"""The distillation-and-pruning, kernels and serving-stacks pages: their numbers come from the calculators, the
records and the knowledge base, their required anchors exist, and their CPU code examples run."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from calculators import knowledge, presets
from calculators.web import compute
from generator.site.figures import decode_modes, llama_32, stacks
from prose_pages import rendered

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = {
    "run-it-fast/distillation-and-pruning.md": ("distillation", "unstructured", "two-four-sparsity", "structured",
                                                "llama-3-2"),
    "run-it-fast/kernels.md": ("flashattention", "fusion", "torch-compile", "cuda-graphs"),
    "run-it-fast/serving-stacks.md": ("stacks-table", "choosing-a-stack"),
}
CODE_PAGES = ("run-it-fast/distillation-and-pruning.md", "run-it-fast/kernels.md")



def table_rows(markdown: str, header_start: str) -> list:
    """The cells of each body row of the Markdown table whose header row starts with header_start."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return rows


@pytest.mark.parametrize("page, anchors", PAGES.items())
def test_each_page_has_its_required_anchors(page, anchors):
    text = (DOCS / page).read_text(encoding="utf-8")
    found = set(re.findall(r"^#+ .*\{ ?#([a-z0-9-]+) ?\}\s*$", text, re.M))
    assert set(anchors) <= found, set(anchors) - found


def test_the_llama_3_2_weights_in_the_prose_are_the_calculators():
    text = rendered("run-it-fast/distillation-and-pruning.md")
    for model, fmt in [("llama-3.2-1b", "bf16"), ("llama-3.2-3b", "bf16"), ("llama-3.1-8b", "bf16"),
                       ("llama-3.2-1b", "gguf-q4-k-m")]:
        total = compute("weights", {"model": model, "format": fmt})["result"]["total_bytes"]
        assert f"{total / 1e9:,.2f} GB" in text, (model, fmt)


def test_the_embedding_shares_in_the_prose_are_the_calculators():
    text = rendered("run-it-fast/distillation-and-pruning.md")
    for model in llama_32.LLAMA_32_MODELS:
        weights = compute("weights", {"model": model, "format": "bf16"})["result"]
        assert f"{weights['parts']['embedding'] / weights['params'] * 100:.0f}%" in text, model


def test_the_llama_3_2_shapes_table_is_the_presets_and_the_weights_calculator():
    rows = table_rows(rendered("run-it-fast/distillation-and-pruning.md"), "| Model | Layers")
    assert [row[0] for row in rows] == ["Llama 3.1 8B", "Llama 3.2 3B", "Llama 3.2 1B"]
    for row, model in zip(rows, llama_32.LLAMA_32_MODELS):
        arch = presets.PRESETS[model].architecture
        weights = compute("weights", {"model": model, "format": "bf16"})["result"]
        assert int(row[1]) == arch.num_layers
        assert int(row[2].replace(",", "")) == arch.hidden_size
        assert int(row[3].replace(",", "")) == arch.intermediate_size
        assert row[4] == f"{arch.num_attention_heads} / {arch.num_kv_heads}"
        assert row[5] == f"{weights['params'] / 1e9:.2f}B"
        assert row[6] == f"{weights['total_bytes'] / 1e9:.2f} GB"
    # The pruned models really are smaller in both depth and width than the 8B they came from.
    eight, three, one = (presets.PRESETS[m].architecture for m in llama_32.LLAMA_32_MODELS)
    assert eight.num_layers > three.num_layers > one.num_layers
    assert eight.hidden_size > three.hidden_size > one.hidden_size


def test_the_stacks_table_rows_are_the_knowledge_base():
    rows = table_rows(rendered("run-it-fast/serving-stacks.md"), "| Stack |")
    assert [row[0] for row in rows] == [knowledge.RUNTIME_LABELS[runtime] for runtime in stacks.STACKS]
    for row, runtime in zip(rows, stacks.STACKS):
        expected = [method.label.split(" (")[0] for method in knowledge.METHODS if runtime in method.loaders]
        assert row[1].split(", ") == expected, runtime
        for method in knowledge.METHODS:
            if runtime in method.loaders:
                source = knowledge.short_source(method.loaders[runtime])
                assert source.split(" (https://")[0] in row[2], (runtime, source)


def test_every_stack_of_the_table_is_a_runtime_of_the_knowledge_base_that_loads_something():
    assert set(stacks.STACKS) <= set(knowledge.RUNTIME_LABELS)
    assert all(row.methods for row in stacks.stack_rows())


def test_the_decode_table_is_the_records():
    text = rendered("run-it-fast/kernels.md")
    rows = table_rows(text, "| Method | Batch")
    expected = []
    for path in decode_modes.DECODE_MODE_RECORDS:
        assert f"`{path}`" in text
        record = json.loads((ROOT / path).read_text(encoding="utf-8"))
        for result in record["results"]:
            metrics = result["metrics"]
            if result["status"] == "ok" and ("decode_graph_ms_per_token" in metrics
                                             or "decode_compiled_ms_per_token" in metrics):
                expected.append((result["method"]["label"], str(result["workload"]["batch"]),
                                 *(f"{metrics[name]:.2f}" if name in metrics else "–"
                                   for name in ("decode_ms_per_token", "decode_graph_ms_per_token",
                                                "decode_compiled_ms_per_token"))))
    assert [tuple(row[:5]) for row in rows] == expected
    bf16 = next(row for row in rows if row[0] == "bf16" and row[1] == "1")
    assert float(bf16[2]) > float(bf16[3]) > float(bf16[4])  # what the page's prose says about these numbers


def code_blocks(page: str) -> list:
    return re.findall(r"^```python\n(.*?)^```", (DOCS / page).read_text(encoding="utf-8"), re.S | re.M)


@pytest.mark.parametrize("page, index", [(page, index) for page in CODE_PAGES
                                         for index in range(len(code_blocks(page)))])
def test_the_cpu_code_examples_run(page, index, tmp_path):
    result = subprocess.run([sys.executable, "-c", code_blocks(page)[index]], cwd=tmp_path, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]


def test_each_page_is_small():
    for page in PAGES:
        assert len(rendered(page).encode()) < 400_000
