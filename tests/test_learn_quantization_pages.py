"""The PTQ/QAT, outlier and weights-and-activations pages: their numbers are the calculators' answers, their
required anchors are there, and the tensor-core table is the hardware data."""

import re
from pathlib import Path

import pytest

from calculators.hardware import accelerator
from prose_pages import rendered, result

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = {"learn/ptq-and-qat.md": ("ptq", "qat", "calibration-data"),
           "learn/outliers.md": ("outlier-features", "llm-int8", "smoothquant", "awq-scaling"),
           "learn/weights-and-activations.md": ("weight-only", "w8a8", "hardware-support")}




@pytest.mark.parametrize("page", ANCHORS)
def test_required_anchors_and_a_key_takeaways_box(page):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    for anchor in ANCHORS[page]:
        assert re.search(r"^#+ .*\{: #" + re.escape(anchor) + r" \}$", text, re.M), anchor
    assert '!!! abstract "Key takeaways"' in text


def test_the_outlier_page_shows_the_playgrounds_numbers():
    text = rendered("learn/outliers.md")
    eight, four = result("playground", bits=8), result("playground", bits=4)
    assert f"a largest value\nof {eight['largest']:,.1f}" in text
    assert f"Of the {eight['width']:,} inputs, {eight['runs']['tensor']['activation_zeroed']:,}" in text
    assert f"{eight['runs']['tensor']['output_relative'] * 100:.2f}%" in text
    assert f"{eight['runs']['decomposition']['output_relative'] * 100:.2f}%" in text
    for granularity in ("tensor", "group", "decomposition"):
        assert f"{four['runs'][granularity]['output_relative'] * 100:.1f}%" in text
    wide = result("playground", bits=8, threshold=6)
    assert f"keeps {len(wide['runs']['decomposition']['kept_columns'])}\n  of" in text
    assert "<!-- calculator: playground -->" in text


def test_the_weights_and_activations_page_shows_the_calculators_numbers():
    text = rendered("learn/weights-and-activations.md")
    for fmt in ("bf16", "awq-int4-g128", "fp8-e4m3-channel"):
        assert f"{result('weights', model='llama-3.1-8b', format=fmt)['total_bytes'] / 1e9:,.2f} GB" in text
        speed = result("roofline", model="llama-3.1-8b", format=fmt, gpu="h100-sxm", batch=1, prompt=1024)
        assert f"{speed['tokens_per_s']:,.0f}" in text and f"{speed['ttft_s'] * 1000:,.1f} ms" in text
    h100 = accelerator("h100-sxm")
    row = re.search(r"<tr><td>H100 SXM 80GB</td>.*?</tr>", text).group(0)
    cells = re.findall(r"<td>(.*?)</td>", row)
    rates = [f"{h100.dense_flops_s[kind] / 1e12:,.0f}" for kind in ("bf16", "int8", "fp8")]
    assert cells[2:] == ["9.0", *rates, "—"]  # no FP4 on Hopper


def test_the_ptq_page_shows_the_training_calculators_numbers():
    text = rendered("learn/ptq-and-qat.md")
    full = result("training", model="llama-3.1-8b", method="full")
    weights = result("weights", model="llama-3.1-8b", format="bf16")
    assert f"about {full['total_bytes'] / 2 ** 30:,.0f} GiB" in text
    assert f"against\n{weights['total_bytes'] / 2 ** 30:,.0f} GiB" in text


def test_the_straight_through_example_on_the_page_runs_and_passes_gradients_through():
    torch = pytest.importorskip("torch")
    text = (ROOT / "docs/learn/ptq-and-qat.md").read_text(encoding="utf-8")
    tab = text.split('=== "The idea in plain PyTorch"', 1)[1]
    code = tab.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec("\n".join(line[4:] for line in code.splitlines()), namespace)
    w = torch.tensor([[0.5, -0.25, 0.1, 0.7]], requires_grad=True)
    out = namespace["fake_quantize"](w, bits=4)
    scale = 0.7 / 7
    assert torch.allclose(out, torch.round(w.detach() / scale) * scale)  # the forward pass sees the grid
    out.sum().backward()
    assert torch.equal(w.grad, torch.ones_like(w))  # the backward pass sees the identity


def test_the_smoothquant_sentence_follows_the_numbers():
    text = rendered("learn/outliers.md")
    six, eight = result("playground", bits=6), result("playground", bits=8)
    assert f"{six['runs']['smoothquant']['output_relative'] * 100:.1f}%, and the activation" in text
    helps = eight["runs"]["smoothquant"]["output_relative"] < eight["runs"]["channel"]["output_relative"]
    assert ("At 8 bits it\nalso helps" in text) == helps and ("does\nnot help this small model" in text) != helps
