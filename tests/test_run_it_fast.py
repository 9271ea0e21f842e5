"""The Run it fast pages: their numbers against direct calls of the calculators, and the chart of our measured
decode steps against the raw records in gpu_runs/."""

import json
import re
from html import unescape
from pathlib import Path

import pytest

import calculators
from generator.site import glossary, hooks
from generator.site.figures import roofline_points
import prose_pages
from prose_pages import result

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GPU_RUNS = ROOT / "gpu_runs"
PAGES = ("run-it-fast/index.md", "run-it-fast/kv-cache.md", "run-it-fast/speculative-decoding.md")
ANCHORS = {
    "run-it-fast/index.md": ("arithmetic-intensity", "roofline", "decode-is-memory-bound", "what-quantization-changes"),
    "run-it-fast/kv-cache.md": ("kv-size", "gqa-mqa-mla", "sliding-window", "kv-quantization", "paged-attention",
                                "prefix-caching"),
    "run-it-fast/speculative-decoding.md": ("draft-and-verify", "exactness", "acceptance-rate", "variants"),
}
TERMS = ("arithmetic intensity", "roofline", "memory-bound", "compute-bound", "prefill", "decode", "KV cache", "GQA",
         "MQA", "MLA", "sliding-window attention", "paged attention", "prefix caching", "continuous batching",
         "speculative decoding", "acceptance rate", "draft model")


@pytest.fixture(scope="module")
def rendered():
    return {page: prose_pages.rendered(page) for page in PAGES}



@pytest.mark.parametrize("page", PAGES)
def test_every_required_anchor_is_on_its_page(rendered, page):
    for anchor in ANCHORS[page]:
        assert re.search(r"^#+ .+\{: #" + re.escape(anchor) + r" \}$", rendered[page], re.M), anchor


def test_the_pages_define_their_glossary_terms_and_link_them():
    terms = glossary.collect(DOCS)
    for name in TERMS:
        entry = terms[glossary.slug(name)]
        assert entry.page in PAGES, name


def test_the_roofline_numbers_are_the_calculators(rendered):
    text = rendered["run-it-fast/index.md"]
    one = result("roofline", gpu="h200-sxm")
    assert f"{one['ridge_point']:,.0f} FLOP per byte" in text
    assert f"{one['tpot_s'] * 1e3:,.2f} ms, at most\n{one['tokens_per_s']:,.0f} tokens/s" in text
    for batch in (1, 8, 64, 256):
        r = result("roofline", gpu="h200-sxm", batch=batch)
        assert (f"| {batch} | {r['decode']['intensity']:,.1f} | {r['tpot_s'] * 1e3:,.2f} ms | "
                f"{r['tokens_per_s']:,.0f} |") in text
    for fmt in ("bf16", "fp8-e4m3-channel", "int8-w8a8-channel", "awq-int4-g128"):
        r, wide = result("roofline", gpu="h200-sxm", format=fmt), result("roofline", gpu="h200-sxm", format=fmt,
                                                                          batch=256)
        row = (f"| {r['format_label']} | {r['decode']['bytes'] / 1e9:,.2f} GB | {r['tokens_per_s']:,.0f} | "
               f"{wide['tokens_per_s']:,.0f} | {r['ridge_point']:,.0f} |")
        assert row in text, row
    # decode at batch 1 is memory-bound and prefill compute-bound, as the text says
    assert one["decode"]["bound"] == "memory" and one["prefill"]["bound"] == "compute"
    # the batch where BF16 decode turns compute-bound does not fit on the card, as the text says
    assert one["compute_bound_batch"] > one["max_batch"]
    assert f"from batch {one['compute_bound_batch']:,}" in text and f"most {one['max_batch']:,} such" in text


def test_the_kv_numbers_are_the_calculators(rendered):
    text = rendered["run-it-fast/kv-cache.md"]
    llama2 = result("kv", model="llama-2-7b", context=4096, kv_format="fp16")
    assert llama2["total_bytes"] == 2 * 32 * 32 * 128 * 2 * 4096 == 2 ** 31
    assert "a 4,096-token sequence holds\n2 GiB, exactly" in text
    for model in ("llama-2-7b", "llama-3.1-8b", "llama-3.1-70b", "deepseek-v3"):
        short, long = result("kv", model=model, context=4096), result("kv", model=model, context=131072)
        row = (f"| {short['model']} | {short['bytes_per_token']:,} | {short['total_bytes'] / 2**30:,.2f} GiB | "
               f"{long['total_bytes'] / 2**30:,.2f} GiB |")
        assert row in text, row
    # DeepSeek-V3's MLA latent: 61 layers x (512 + 64) elements x 2 bytes
    assert result("kv", model="deepseek-v3")["bytes_per_token"] == 61 * 576 * 2
    assert f"= {61 * 576 * 2:,} bytes in 16-bit" in text
    for model in ("mistral-7b-v0.1", "mistral-7b-v0.3", "gemma-2-9b", "gemma-3-1b"):
        r = result("kv", model=model, context=32768)
        assert f"| {r['model']} | {r['sliding_layers']} of {r['sliding_layers'] + r['full_layers']} |" in text
        assert f"| {r['total_bytes'] / 2**30:,.2f} GiB |" in text
    bf16 = result("kv", model="llama-3.1-8b", context=32768)["total_bytes"]
    for fmt in ("bf16", "fp8-e4m3", "int8", "gguf-q8-0", "int4-g64", "gguf-q4-0", "int2-g64"):
        r = result("kv", model="llama-3.1-8b", context=32768, kv_format=fmt)
        row = f"| {r['kv_label']} | {r['total_bytes'] / 2**30:,.2f} GiB | {r['total_bytes'] / bf16 * 100:.1f}% |"
        assert row in text, row
    paged, exact = (result("kv", model="llama-3.1-8b", context=1000, block_size=16)["total_bytes"],
                    result("kv", model="llama-3.1-8b", context=1000)["total_bytes"])
    assert paged == exact * 1008 // 1000  # the last block of 16 holds 8 unused token slots
    assert f"occupies\n{paged:,} bytes against\n{exact:,} without blocks" in text
    assert f"a waste of\n{(paged / exact - 1) * 100:.2f}%" in text


def test_the_speculative_numbers_are_the_calculators(rendered):
    text = rendered["run-it-fast/speculative-decoding.md"]
    for alpha in (0.5, 0.6, 0.7, 0.8, 0.9):
        r = result("speculative", acceptance=alpha, draft_tokens=4, draft_cost=0.05)
        assert r["expected_tokens"] == pytest.approx((1 - alpha ** 5) / (1 - alpha))
        row = (f"| {alpha} | {r['expected_tokens']:,.2f} | {r['speedup']:,.2f}× | {r['best_draft_tokens']} | "
               f"{r['best_speedup']:,.2f}× |")
        assert row in text, row
    slow = result("speculative", acceptance=0.8, draft_tokens=4, draft_cost=0.3)
    assert slow["speedup"] == pytest.approx(slow["expected_tokens"] / (4 * 0.3 + 1))
    assert f"to {slow['speedup']:,.2f}×" in text


# -- the measured points -------------------------------------------------------------------------------------

def _raw_records():
    return {path.name: json.loads(path.read_text()) for path in sorted(GPU_RUNS.glob("*.json"))}


def _key(result):
    return json.dumps([result["model"]["id"], result["method"]["id"], result["method"]["version"],
                       result["method"]["config"], result["workload"]], sort_keys=True)


def _figure(html):
    found = re.search(r'<figure class="chart" id="measured-roofline">.*?<template class="chart-figure"[^>]*>(.*?)'
                      r"</template>", html, re.S)
    return json.loads(unescape(found.group(1)))


def test_the_measured_points_are_the_records():
    records = _raw_records()
    html = roofline_points.measured_roofline()
    points = [(trace, x, y, source) for trace in _figure(html)["data"] if trace["name"].startswith("measured")
              for x, y, source in zip(trace["x"], trace["y"], trace["customdata"])]
    assert points
    gpu = calculators.accelerator("h200-sxm")
    for trace, x, y, (file, index, metric) in points:
        record = records[file]
        assert record["run"]["device"]["kind"] == "cuda" and record["run"]["device"]["name"] == "NVIDIA H200"
        measured = record["results"][index]
        ms = measured["metrics"][metric]
        # a point is the newest measurement of its model, method and workload
        later = [name for name, other in records.items() if name > file
                 and any(_key(r) == _key(measured) for r in other["results"])]
        assert later == [], (file, index, later)
        workload = measured["workload"]
        bound = calculators.roofline(calculators.preset_architecture(measured["model"]["id"]),
                                     calculators.weight_format(measured["method"]["weight_format"]),
                                     calculators.kv_format("bf16"), gpu, workload["batch"], workload["prompt_tokens"],
                                     workload["prompt_tokens"] + workload["new_tokens"] // 2)
        assert x == pytest.approx(bound.decode.intensity)
        assert y == pytest.approx(bound.decode.flops / (ms / 1e3) / 1e12)
        # and the table cell of the same measurement carries the record's raw value
        cell = (f'data-record="{file}" data-result="{index}" data-metric="{metric}" data-value="{ms!r}"')
        assert cell in html
    # every decode timing of the newest GPU decode results is on the chart
    newest = {}
    for file, record in records.items():
        if record["run"]["suite"].startswith("gpu-decode"):
            for index, measured in enumerate(record["results"]):
                newest[_key(measured)] = (file, index, measured)
    expected = {(file, index, metric) for file, index, measured in newest.values() if measured["status"] == "ok"
                for metric in ("decode_ms_per_token", "decode_graph_ms_per_token", "decode_compiled_ms_per_token")
                if metric in measured["metrics"]}
    assert {tuple(source) for *_, source in points} == expected


def test_each_measured_point_links_to_its_record_from_the_page():
    class Page:
        url = "run-it-fast/"

    html = roofline_points.measured_roofline(Page())
    links = set(re.findall(r'<a href="\.\./results/downloads/records/([^"]+)">', html))
    assert links and links <= set(_raw_records())


def test_a_calculator_outside_its_section_links_into_it():
    assert hooks._links_base("calculators/kv-cache/") == ""
    assert hooks._links_base("run-it-fast/") == "../calculators/"
    assert hooks._links_base("run-it-fast/kv-cache/") == "../../calculators/"
    match = hooks.CALCULATOR.search("<!-- calculator: kv -->")
    embedded = hooks._calculator_html(match, "../../calculators/")
    related = re.search(r'<p class="calc-related">.*?</p>', embedded).group(0)
    hrefs = re.findall(r'href="([^"]+)"', related)
    assert hrefs and all(href.startswith("../../calculators/") for href in hrefs)
    assert 'data-links-base="../../calculators/"' in embedded
    own = hooks._calculator_html(match)
    assert all(href.startswith("../") and "calculators" not in href
               for href in re.findall(r'href="([^"]+)"', re.search(r'<p class="calc-related">.*?</p>', own).group(0)))


def test_what_the_page_says_of_the_measured_points_holds_for_them(rendered):
    """The paragraph after the chart and the key takeaway, against the points the chart draws."""
    text = " ".join(rendered["run-it-fast/index.md"].split())
    found = roofline_points.points()
    gpu = found[0].gpu
    bf16 = {(p.row.batch, p.way): p.share_of_bound for p in found if p.row.result["method"]["weight_format"] == "bf16"}
    quantized = [p for p in found if p.row.result["method"]["weight_format"] != "bf16"]
    assert {p.row.run.device_name for p in found} == {"NVIDIA H200"} and "timings on an NVIDIA H200" in text
    assert {p.row.result["model"]["id"] for p in found} == {"llama-3.1-8b"}  # the model the caption names
    # "every point lies on the sloped part of the roof, far left of the ridge"
    assert all(p.intensity < 0.2 * calculators.peak_rate(gpu, p.bound.compute_used).flops_s / gpu.bandwidth_bytes_s
               for p in found)
    # "eager generate at batch 1 reaches a small share of the bound ... the graph and compiled steps remove most"
    eager_1 = [p.share_of_bound for p in found if p.way == "eager" and p.row.batch == 1]
    assert eager_1 and max(eager_1) < 0.25 and bf16[1, "compiled"] > 3 * bf16[1, "eager"]
    # "the quantized formats sit further below the roof than BF16 does" (the same batch, decoded the same way)
    for point in quantized:
        if (point.row.batch, point.way) in bf16:
            assert point.share_of_bound < bf16[point.row.batch, point.way], (point.row.method, point.way)
    # "the card's plain copy bandwidth ... is below the datasheet's"
    copies = {p.row.run.header["device"]["measured_bandwidth_bytes_s"] for p in found}
    assert copies and all(copy < gpu.bandwidth_bytes_s for copy in copies)
    best, best_quantized = max(p.share_of_bound for p in found), max(p.share_of_bound for p in quantized)
    assert (f"Our NVIDIA H200 decode timings reach at most {100 * best:.0f}% of it, and quantized kernels at most "
            f"{100 * best_quantized:.0f}%: measure") in text


def test_without_gpu_decode_records_the_page_says_the_points_are_missing(tmp_path, monkeypatch):
    for path in GPU_RUNS.glob("*.json"):
        if not json.loads(path.read_text())["run"]["suite"].startswith("gpu-decode"):
            (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("LQFG_RECORDS", str(tmp_path))
    assert roofline_points.measured_decode() is None
    text = " ".join(prose_pages.rendered.__wrapped__("run-it-fast/index.md").split())
    assert "No GPU decode record on an accelerator preset yet." in text
    assert "H200 set against" not in text and "Three things stand out" not in text and "decode timings reach" not in text
    assert "Real kernels reach a share of it: measure before you promise a speed-up." in text
