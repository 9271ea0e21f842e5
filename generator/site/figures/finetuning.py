"""Tables of the fine-tuning page (docs/learn/fine-tuning.md), read from this project's QLoRA record: what
training took in memory against the training calculator, what the adapters learned and forgot, and what
merging and re-quantizing the adapters changed. The record is a CPU run of small reference models; every
table says so."""

import math
from html import escape

from generator.records import load_record
from generator.records.analysis import finetune_rows, training_memory_checks
from generator.site.results import dataset as results_dataset

__all__ = ["qlora_record_link", "qlora_memory_table", "qlora_learning_table", "qlora_merge_table",
           "qlora_merge_ratio", "qlora_merge_factor", "qlora_run_description", "qlora_merged_kl_range"]

QLORA_RECORD = "20261201T002724Z-qlora-cpu-amd-epyc-2-cores.json"
MIB = 2 ** 20
OPTIMIZER_NAMES = {"adamw": "AdamW", "adamw-8bit": "8-bit AdamW"}


def record() -> dict:
    return load_record(results_dataset.DEFAULT_RECORDS / QLORA_RECORD)


def _href(page) -> str:
    depth = page.url.count("/") if page is not None else 2
    return "../" * depth + f"results/downloads/records/{QLORA_RECORD}"


def qlora_record_link(page=None) -> str:
    return f"<a href=\"{_href(page)}\">{escape(QLORA_RECORD)}</a>"


def _table(columns: list, rows: list, label: str) -> str:
    head = "".join(f"<th scope=\"col\">{escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return (f"<div class=\"results-table prose-table\" role=\"region\" tabindex=\"0\" aria-label=\"{escape(label)}\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _model_names(data: dict) -> dict:
    """Model id -> a short name for table cells: the size word of the id and the parameter count."""
    names = {}
    for result in data["results"]:
        model = result["model"]
        words = [word for word in model["id"].split("-") if word in ("tiny", "small", "medium", "large")]
        names[model["id"]] = f"{words[0] if words else model['id']} ({model['params'] / 1e6:.1f}M)"
    return names


def _device(data: dict) -> str:
    return f"{data['run']['device']['name']}, {data['run']['device']['kind'].upper()}"


def memory_rows(data: dict | None = None) -> list:
    """(model, method, trainable, measured MiB, predicted MiB) for each fine-tuning result."""
    data = data or record()
    return [(check.model, check.method, check.trainable_params, check.measured_bytes / MIB,
             check.predicted_bytes / MIB) for check in training_memory_checks(data)]


def qlora_memory_table() -> str:
    data = record()
    names = _model_names(data)
    rows = [(names[model], method, f"{trainable:,}", f"{measured:.1f}", f"{predicted:.1f}",
             f"{measured / predicted:.2f}×") for model, method, trainable, measured, predicted in memory_rows(data)]
    return _table(["model", "method", "trainable parameters", "measured MiB (CPU resident set)",
                   "calculator MiB", "measured / calculator"], rows,
                  f"Training memory of the QLoRA record ({_device(data)})")


def _ppl(loss: float) -> str:
    return f"{math.exp(loss):.1f}"


def qlora_learning_table() -> str:
    data = record()
    names = _model_names(data)
    rows = []
    for row in finetune_rows(data):
        m = row.metrics
        rows.append((names[row.model], row.method, f"{_ppl(m['domain_loss_base'])} → {_ppl(m['domain_loss'])}",
                     f"{_ppl(m['original_loss_base'])} → {_ppl(m['original_loss'])}"))
    return _table(["model", "method", "perplexity on the new domain, before → after",
                   "perplexity on the original corpus, before → after"], rows,
                  f"What fine-tuning learned and forgot ({_device(data)})")


def merge_rows(data: dict | None = None) -> list:
    """The QLoRA results with a merge measurement: (model, method, metrics)."""
    data = data or record()
    return [(row.model, row.method, row.metrics) for row in finetune_rows(data)
            if "merged_kl_divergence" in row.metrics and "requantized_kl_divergence" in row.metrics]


def qlora_merge_table() -> str:
    data = record()
    names = _model_names(data)
    rows = [(names[model], method, _ppl(m["domain_loss"]),
             f"{m['merged_kl_divergence']:.1e}", f"{m['merged_top1_agreement']:.1%}", _ppl(m["merged_domain_loss"]),
             f"{m['requantized_kl_divergence']:.1e}", f"{m['requantized_top1_agreement']:.1%}",
             _ppl(m["requantized_domain_loss"]))
            for model, method, m in merge_rows(data)]
    return _table(["model", "method", "QLoRA perplexity (un-merged)", "merged BF16: KL", "merged: top-1 kept",
                   "merged: perplexity", "re-quantized NF4: KL", "re-quantized: top-1 kept",
                   "re-quantized: perplexity"], rows, f"Merging and re-quantizing QLoRA adapters ({_device(data)})")


def qlora_merge_ratio(which: str = "min") -> float:
    """The smallest (or largest) factor by which re-quantizing raised the KL divergence over merging alone."""
    ratios = [m["requantized_kl_divergence"] / m["merged_kl_divergence"] for _, _, m in merge_rows()]
    return min(ratios) if which == "min" else max(ratios)


def qlora_run_description() -> str:
    """Where the record ran, on which models, with which adapter settings: read from the record."""
    data = record()
    results = [r for r in data["results"] if r["status"] == "ok"]
    models = {}
    for result in results:
        models.setdefault(result["model"]["id"], result)
    sizes = " and ".join(f"`{model}` ({result['model']['params']:,} parameters)" for model, result in models.items())
    vocab = {result["method"]["config"]["model_config"]["vocab_size"] for result in results}
    qlora = next(r for r in results if r["method"]["id"] == "finetune-qlora")
    config = qlora["method"]["config"]
    steps = " and ".join(f"{r['method']['config']['steps']}" for r in models.values())
    optimizer = OPTIMIZER_NAMES.get(config["optimizer"], config["optimizer"])
    return (f"on **a CPU** ({escape(data['run']['device']['name'])}), on {sizes}, reference models this project "
            f"trained (vocabulary {', '.join(f'{v:,}' for v in sorted(vocab))} tokens). The adapters had rank "
            f"{config['rank']} (alpha {config['alpha']:g}) on all {len(config['targets'])} block linears "
            f"({', '.join(config['targets'])}); training ran {optimizer} for {steps} steps of batches of "
            f"{config['batch']} × {qlora['workload']['prompt_tokens']} tokens.")


def qlora_merged_kl_range() -> str:
    """The smallest and largest KL divergence that merging alone caused, as text."""
    values = [m["merged_kl_divergence"] for _, _, m in merge_rows()]
    return f"{min(values):.1e} to {max(values):.1e}"


def qlora_merge_factor() -> str:
    """How many times re-quantizing raised the KL divergence over merging alone, as text ('19 to 21',
    or 'about 19' when the runs agree to the unit)."""
    low, high = f"{qlora_merge_ratio('min'):.0f}", f"{qlora_merge_ratio('max'):.0f}"
    return f"about {low}" if low == high else f"{low} to {high}"
