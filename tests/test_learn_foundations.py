"""The first three Learn pages: their numbers are the calculators' numbers, and their code runs."""

from pathlib import Path

import pytest

from calculators.formats import weight_format
from calculators.number_formats import FLOAT_FORMATS
from calculators.scale_zero import quantize
from generator.site import glossary
from generator.site.figures.foundations import WORKED_VALUES
import prose_pages
from prose_pages import result

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = ("learn/index.md", "learn/number-formats.md", "learn/scale-and-zero-point.md")
ANCHORS = {"learn/index.md": ("memory-arithmetic", "bandwidth", "what-quantization-costs"),
           "learn/number-formats.md": ("fp32", "bf16-vs-fp16", "fp8", "int8-int4", "nf4", "fp4"),
           "learn/scale-and-zero-point.md": ("symmetric-asymmetric", "granularity", "group-size-cost",
                                             "dynamic-static", "double-quantization")}


@pytest.fixture(scope="module")
def rendered():
    return {page: prose_pages.rendered(page) for page in PAGES}



def gb(n, digits=2):
    return f"{n / 1e9:,.{digits}f} GB"


def test_the_memory_table_is_the_weight_calculators(rendered):
    text = rendered["learn/index.md"]
    for model in ("llama-2-7b", "llama-3.1-8b", "llama-3.1-70b"):
        row = [gb(result("weights", model=model, format=f)["total_bytes"])
               for f in ("bf16", "int8-channel", "awq-int4-g128")]
        name = result("weights", model=model)["model"]
        cells = " | ".join(row)
        assert any(line.startswith(f"| {name} |") and line.endswith(f"| {cells} |") for line in text.splitlines()), \
            (model, row)
    four_bit = result("weights", model="llama-2-7b", format="awq-int4-g128")["total_bytes"]
    assert gb(four_bit) == "3.89 GB" and gb(four_bit) in text  # a real 4-bit g128 file of Llama 2 7B is 3.9 GB


def test_the_kv_and_speed_numbers_are_the_calculators(rendered):
    text = rendered["learn/index.md"]
    kv = result("kv", model="llama-2-7b", context=4096, kv_format="fp16")["total_bytes"]
    assert kv == 2 * 32 * 32 * 128 * 2 * 4096 and f"{kv / 2 ** 30:,.1f} GiB" in text
    for fmt in ("bf16", "fp8-e4m3-channel", "awq-int4-g128"):
        speed = result("roofline", model="llama-3.1-8b", gpu="h100-sxm", format=fmt)["tokens_per_s"]
        assert f"| {speed:,.0f} tokens/s |" in text
    fit = result("fit", model="llama-3.1-70b", format="bf16", gpu="h100-sxm", gpus=1, context=8192, batch=1)
    assert not fit["fits"] and f"{-fit['free_bytes'] / 1e9:,.1f} GB short" in text


def test_the_format_table_is_the_encoders(rendered):
    text = rendered["learn/number-formats.md"]
    for fmt in FLOAT_FORMATS.values():
        assert f"<td>{fmt.name}</td><td>1 / {fmt.exponent_bits} / {fmt.mantissa_bits}</td>" in text
        assert f"<td>{fmt.decimal_digits:.2f}</td>" in text
    assert "<td>1.20</td>" in text and "<td>0.90</td>" in text  # E4M3 and E5M2, not 3 and 2 digits
    assert gb(result("weights", model="llama-3.1-8b", format="fp32")["total_bytes"], 1) in text
    assert 'id="nf4-codebook"' in text


def test_the_scale_page_numbers_are_the_calculators(rendered):
    text = rendered["learn/scale-and-zero-point.md"]
    for fmt in ("int4-g32-sym", "int4-g128-sym", "nf4", "nf4-dq"):
        assert f"<td>{weight_format(fmt).nominal_bits:.3f}</td>" in text
    for fmt in ("nf4", "nf4-dq"):
        assert gb(result("weights", model="llama-3.1-8b", format=fmt)["metadata_bytes"], 3) in text
    saving = (result("weights", model="llama-3.1-70b", format="nf4")["total_bytes"]
              - result("weights", model="llama-3.1-70b", format="nf4-dq")["total_bytes"])
    assert gb(saving) in text
    asym = quantize(WORKED_VALUES, 4, symmetric=False)
    assert f"zero point <strong>{asym.zero_point}</strong>" in text and f"{asym.scale:.5f}" in text


def test_the_worked_example_reads_back_within_half_a_step():
    for symmetric in (True, False):
        q = quantize(WORKED_VALUES, 4, symmetric)
        assert q.max_error(WORKED_VALUES) <= q.scale / 2 + 1e-12
    assert quantize(WORKED_VALUES, 4, False).max_error(WORKED_VALUES) < \
        quantize(WORKED_VALUES, 4, True).max_error(WORKED_VALUES)


def test_the_required_anchors_and_glossary_terms(rendered):
    for uri, anchors in ANCHORS.items():
        for anchor in anchors:
            assert f"{{: #{anchor} }}" in rendered[uri], (uri, anchor)
    terms = glossary.collect(DOCS)
    for term in ("quantization", "bits per weight", "FP8", "E4M3", "NF4", "NVFP4", "group size", "zero point",
                 "double quantization", "dynamic quantization"):
        assert glossary.slug(term) in terms


def test_the_pytorch_group_quantizer_on_the_page_runs():
    torch = pytest.importorskip("torch")
    text = (DOCS / "learn/scale-and-zero-point.md").read_text(encoding="utf-8")
    block = text.split('=== "PyTorch, by hand"')[1].split("```python")[1].split("```")[0]
    namespace = {}
    exec(compile("\n".join(line[4:] for line in block.splitlines()), "scale-and-zero-point.md", "exec"), namespace)
    w = torch.randn(64, 256)
    codes, scale, zero = namespace["quantize_groups"](w, group=128)
    back = namespace["dequantize_groups"](codes, scale, zero)
    assert codes.dtype == torch.uint8 and int(codes.max()) <= 15
    assert (back - w).abs().reshape(64, 2, 128).amax(-1).le(scale.squeeze(-1) / 2 + 1e-6).all()
