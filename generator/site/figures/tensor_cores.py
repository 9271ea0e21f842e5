"""Which number formats each NVIDIA generation multiplies natively, with the dense peak rates from the calculators'
hardware data (calculators/hardware_data.py, where each figure names its source)."""

from html import escape

from calculators.hardware import accelerator

__all__ = ["tensor_core_table"]

# (accelerator id, architecture), oldest first: one or two cards per generation.
CARDS = (("v100-sxm2-32gb", "Volta"), ("t4", "Turing"), ("a100-sxm-80gb", "Ampere"), ("rtx-3090", "Ampere"),
         ("l40s", "Ada Lovelace"), ("rtx-4090", "Ada Lovelace"), ("h100-sxm", "Hopper"), ("b200", "Blackwell"),
         ("rtx-5090", "Blackwell"))
RATES = (("int8", "INT8"), ("fp8", "FP8"), ("fp4", "FP4"))


def _rate(flops_s) -> str:
    return "—" if not flops_s else f"{flops_s / 1e12:,.0f}"


def tensor_core_table(page=None) -> str:
    """An HTML table (in a scrollable, focusable region for narrow screens): card, architecture, compute
    capability and dense tensor-core TFLOP/s (TOP/s for INT8) per data type; a dash where the card has no such
    tensor-core path or its maker publishes no figure. 16-bit is BF16, or FP16 on cards without BF16."""
    head = "".join(f"<th scope=\"col\">{label}</th>" for label in
                   ("GPU", "Architecture", "Compute capability", "16-bit", *(label for _, label in RATES)))
    rows = []
    for ident, architecture in CARDS:
        card = accelerator(ident)
        rates = card.dense_flops_s
        sixteen = rates.get("bf16") or rates.get("fp16")
        cells = [escape(card.name.removeprefix("NVIDIA ")), architecture, card.compute_capability, _rate(sixteen),
                 *(_rate(rates.get(key)) for key, _ in RATES)]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return ("<div class=\"results-table\" role=\"region\" tabindex=\"0\" aria-label=\"Dense tensor-core rates\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
