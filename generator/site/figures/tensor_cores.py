"""Which number formats each NVIDIA generation multiplies natively, with the dense peak rates from the calculators'
hardware data (calculators/hardware_data.py, where each figure names its source)."""

from calculators.hardware import accelerator

__all__ = ["tensor_core_table"]

# (accelerator id, architecture), oldest first: one or two cards per generation.
CARDS = (("v100-sxm2-32gb", "Volta"), ("t4", "Turing"), ("a100-sxm-80gb", "Ampere"), ("rtx-3090", "Ampere"),
         ("l40s", "Ada Lovelace"), ("rtx-4090", "Ada Lovelace"), ("h100-sxm", "Hopper"), ("b200", "Blackwell"),
         ("rtx-5090", "Blackwell"))
RATES = (("fp16", "FP16"), ("bf16", "BF16"), ("int8", "INT8"), ("fp8", "FP8"), ("fp4", "FP4"))


def _rate(flops_s) -> str:
    return "—" if not flops_s else f"{flops_s / 1e12:,.0f}"


def tensor_core_table(page=None) -> str:
    """A Markdown table: card, architecture, compute capability and dense tensor-core TFLOP/s (TOP/s for INT8)
    per data type; a dash where the card has no such tensor-core path or its maker publishes no figure."""
    head = "| GPU | Architecture | Compute capability | " + " | ".join(label for _, label in RATES) + " |"
    rule = "|" + "---|" * (3 + len(RATES))
    rows = []
    for ident, architecture in CARDS:
        card = accelerator(ident)
        rates = " | ".join(_rate(card.dense_flops_s.get(key)) for key, _ in RATES)
        rows.append(f"| {card.name} | {architecture} | {card.compute_capability} | {rates} |")
    return "\n".join([head, rule, *rows])
