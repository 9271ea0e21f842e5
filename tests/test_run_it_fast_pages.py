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


TIMINGS = {"eager": "decode_ms_per_token", "graph": "decode_graph_ms_per_token",
           "compiled": "decode_compiled_ms_per_token"}
CHECKS = {"graph": "graph_logits_rel_rms", "compiled": "compiled_logits_rel_rms"}


def checked_decode_results(records=ROOT / "gpu_runs") -> dict:
    """Read here without the page's code: (model, method label, batch) -> (record file, {way: ms}) for the newest
    ok result of the GPU decode suites with a graph or compiled timing that carries its logits check."""
    newest = {}
    for path in sorted(records.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["run"]["suite"] not in ("gpu-decode", "gpu-decode-batched"):
            continue
        for result in record["results"]:
            metrics = result["metrics"]
            ways = {way: metrics[name] for way, name in TIMINGS.items()
                    if name in metrics and (way not in CHECKS or CHECKS[way] in metrics)}
            if result["status"] == "ok" and ({"graph", "compiled"} & ways.keys()):
                key = (result["model"]["id"], result["method"]["label"], result["workload"]["batch"])
                newest.pop(key, None)
                newest[key] = (path.name, ways)
    return newest


def test_the_decode_table_is_the_newest_checked_timing_of_each_method_and_batch():
    text = rendered("run-it-fast/kernels.md")
    table = re.search(r'<div class="results-table prose-table" role="region" tabindex="0" '
                      r'aria-label="Decode step eager[^"]*"><table.*?</table></div>', text, re.S).group(0)
    assert "<th scope=\"col\">Method</th><th scope=\"col\">Batch</th>" in table
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(<td>.*?)</tr>", table)]
    measured = checked_decode_results()
    assert {model for model, _, _ in measured} == {"llama-3.1-8b"}  # the shape the page's prose names
    expected = sorted(((method, str(batch), *(f"{ways[way]:.2f}" if way in ways else "–" for way in TIMINGS))
                       for (_, method, batch), (_, ways) in measured.items()), key=lambda row: int(row[1]))
    assert [tuple(row[:5]) for row in rows] == expected
    for name in {name for name, _ in measured.values()}:
        assert f'<a href="../../results/downloads/records/{name}">{name}</a>' in text
    # The first GPU session's graph timings, made before the logits check, are not shown.
    assert "20261130T185057Z" not in text and "20261130T185800Z" not in text


def test_what_the_kernels_page_says_of_the_timings_holds_for_them():
    measured = {(method, batch): ways for (_, method, batch), (_, ways) in checked_decode_results().items()}
    bf16_1, bf16_8 = measured["bf16", 1], measured["bf16", 8]
    text = " ".join(rendered("run-it-fast/kernels.md").split())
    # "replaying the bf16 decode step ... from a CUDA graph, or compiling it, made it several times faster"
    assert "several times faster" in text and bf16_1["eager"] / bf16_1["graph"] > 2.5 < bf16_1["eager"] / bf16_1["compiled"]
    # "the eager time barely changed from batch 1 to batch 8"
    assert abs(bf16_8["eager"] / bf16_1["eager"] - 1) < 0.05
    # "The compiled bf16 step ... beat the plain graph replay"
    assert bf16_1["compiled"] < bf16_1["graph"] and bf16_8["compiled"] < bf16_8["graph"]
    # "At batch 1, in eager generate the 4-bit int4 and NF4 methods were slower than bf16; replayed from a graph,
    # int4 was faster than bf16 at batch 1 ... by much less than the 4x fewer weight bytes"
    for method in ("int4-tinygemm-g128", "nf4"):
        assert measured[method, 1]["eager"] > bf16_1["eager"]
    assert 1 < bf16_1["graph"] / measured["int4-tinygemm-g128", 1]["graph"] < 2
    # "the compiled int8 and FP8 weight-only steps in the table below were slower than compiled bf16"
    for (method, batch), ways in measured.items():
        if method in ("int8-channel", "fp8-e4m3-channel-weight-only"):
            assert ways["compiled"] > measured["bf16", batch]["compiled"], (method, batch)
    assert "on our NVIDIA H200" in text and "on an NVIDIA H200, times the same decode step" in text
    compile_s = [json.loads((ROOT / "gpu_runs" / name).read_text())["results"] for name, _ in
                 checked_decode_results().values()]
    seconds = sorted({r["metrics"]["compile_s"] for results in compile_s for r in results
                      if "compiled_logits_rel_rms" in r["metrics"]
                      and (r["method"]["label"], r["workload"]["batch"]) in measured})
    assert f"for each compiled method, {seconds[0]:.0f} to {seconds[-1]:.0f} s for the 8B-shaped" in text


def test_without_gpu_decode_records_the_kernels_page_says_what_is_missing(tmp_path, monkeypatch):
    for path in (ROOT / "gpu_runs").glob("*.json"):
        if not json.loads(path.read_text())["run"]["suite"].startswith("gpu-decode"):
            (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("LQFG_RECORDS", str(tmp_path))
    assert not decode_modes.decode_modes_measured()
    text = " ".join(rendered.__wrapped__("run-it-fast/kernels.md").split())  # not the cached page of gpu_runs/
    assert "No GPU decode timings in this build" in text and "<table" not in text
    assert "H200" not in text and "records/" not in text and "Our own benchmark shows" not in text
    assert "### What our GPU runs measured" in text and "Compare methods the way they will be served" in text


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
