"""Tables of the fine-tuning page (docs/learn/fine-tuning.md), read from this project's QLoRA record when the
site is built: what training took in memory against the training calculator, what the adapters learned and
forgot, and what merging and re-quantizing the adapters changed. The record is the newest of the `qlora-cpu`
suite among the records the build reads (`results.dataset.build_records()`, as every page does), a CPU run of
small reference models; every table says so. Where those records hold none, `our_qlora()` is None and the page
says the measurement is missing."""

import math
from dataclasses import dataclass
from html import escape

from generator.records.analysis import finetune_rows, training_memory_checks
from generator.site.results import dataset as results_dataset

__all__ = ["our_qlora", "qlora_record_link", "qlora_memory_table", "qlora_learning_table", "qlora_merge_table",
           "qlora_merge_ratio", "qlora_merge_factor", "qlora_run_description", "qlora_merged_kl_range"]

SUITE = "qlora-cpu"
MIB = 2 ** 20
OPTIMIZER_NAMES = {"adamw": "AdamW", "adamw-8bit": "8-bit AdamW"}
ADAPTERS = ("finetune-qlora", "finetune-lora")  # the methods that train adapters on a frozen base
SAME_PLACE = 0.01  # adapter runs whose tuned perplexities are within 1% of each other "ended at the same place"


@dataclass(frozen=True)
class QLoRAMeasured:
    """What the page says of the record in its own words, worked out from it."""

    record: str  # the record's file name
    memory_ratio_low: float  # measured / calculator memory, over every result
    memory_ratio_high: float
    adapters_spread: float  # the largest relative gap in tuned domain perplexity between adapter runs of a model
    full_learns_more: bool  # full fine-tuning reached a lower domain perplexity than every adapter, on every model
    full_forgets_more: bool  # ... and a higher perplexity on the original corpus than every adapter
    merged: bool  # the record measured merging and re-quantizing; if so, over its merge runs:
    merged_ppl_change: float  # the largest relative change of perplexity that merging caused
    requantized_ppl_change: float  # ... that re-quantizing the merged model caused
    requantized_flips_low: float  # the share of positions whose top token re-quantizing changed, lowest
    requantized_flips_high: float  # ... and highest

    @property
    def adapters_agree(self) -> bool:
        return self.adapters_spread < SAME_PLACE

    @property
    def full_learns_and_forgets_more(self) -> bool:
        return self.full_learns_more and self.full_forgets_more

    @staticmethod
    def at_most(fraction: float) -> str:
        """A bound as a percentage to two significant figures, rounded up so that it still bounds: 0.00122 is
        "0.13%"."""
        if fraction <= 0:
            return "0%"
        step = 10 ** (math.floor(math.log10(fraction * 100)) - 1)
        return f"{math.ceil(fraction * 100 / step - 1e-9) * step:.{max(0, -math.floor(math.log10(step)))}f}%"


def _newest():
    """The newest `qlora-cpu` run among the records the build reads, or None."""
    runs = [run for run in results_dataset.load_dataset(results_dataset.build_records()).runs
            if run.header["suite"] == SUITE]
    return max(runs, key=lambda run: run.file) if runs else None


def record() -> dict:
    run = _newest()
    if run is None:
        raise LookupError(f"no {SUITE} record among the records this build reads")
    return run.record


def our_qlora() -> QLoRAMeasured | None:
    run = _newest()
    if run is None:
        return None
    ratios = [measured / predicted for _, _, _, measured, predicted in memory_rows(run.record)]
    rows = finetune_rows(run.record)
    adapters, full = {}, {}
    for row in rows:
        method = row.result["method"]["id"]
        if method in ADAPTERS:
            adapters.setdefault(row.model, []).append(row.metrics)
        elif method == "finetune-full":
            full[row.model] = row.metrics
    spread = max((max(m["domain_loss"] for m in runs) - min(m["domain_loss"] for m in runs)
                  for runs in adapters.values()), default=0.0)  # a gap in loss is a ratio of perplexities
    learns = bool(full) and all(model in adapters and all(full[model]["domain_loss"] < m["domain_loss"]
                                                          for m in adapters[model]) for model in full)
    forgets = bool(full) and all(model in adapters and all(full[model]["original_loss"] > m["original_loss"]
                                                           for m in adapters[model]) for model in full)
    merges = [metrics for _, _, metrics in merge_rows(run.record)]
    flips = [1 - m["requantized_top1_agreement"] for m in merges]
    return QLoRAMeasured(run.file, min(ratios, default=math.nan), max(ratios, default=math.nan),
                         math.expm1(spread), learns, forgets, bool(merges),
                         _largest_change(merges, "merged_domain_loss"),
                         _largest_change(merges, "requantized_domain_loss"),
                         min(flips, default=math.nan), max(flips, default=math.nan))


def _largest_change(merges: list, loss: str) -> float:
    """The largest |perplexity / the un-merged model's - 1| over the merge runs."""
    return max((abs(math.expm1(m[loss] - m["domain_loss"])) for m in merges), default=math.nan)


def qlora_record_link(page=None) -> str:
    name = _newest().file
    return f"<a href=\"{results_dataset.record_href(page, name)}\">{escape(name)}</a>"


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
