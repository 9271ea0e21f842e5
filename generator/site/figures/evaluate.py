"""Our own quality measurements for the Evaluate page (docs/evaluate/index.md), read from the records when the
site is built: the newest CPU quality record of the reference models the bench trains, never a copy of its
numbers.

`our_quality()` gives the page the figures it quotes in its text (`q.rows["nf4"].flips`); `our_quality_table()`
draws one row per method for the largest reference model of that record.
"""

from dataclasses import dataclass
from html import escape

import calculators

from generator.site.results import dataset as results_dataset
from generator.site.results import device

__all__ = ["our_quality", "our_quality_table", "signed_percent"]

SUITE = "quality-cpu"


@dataclass(frozen=True)
class Measured:
    method: str
    bits: float  # the weight format's storage cost per weight, scales included (calculators)
    perplexity: float
    perplexity_change: float  # perplexity / bf16's - 1
    kl: float  # mean KL(bf16 || method), nats per token
    kl_p99: float
    top1: float  # share of positions whose top token is bf16's
    flips: float  # 1 - top1


@dataclass(frozen=True)
class Quality:
    record: str  # the record's file name in gpu_runs/
    where: str  # "CPU"
    device: str
    date: str
    model: str
    params: int
    models: tuple  # (model, params, bf16 perplexity) of every reference model in the record, smallest first
    rows: dict  # method -> Measured, for `model`
    results_page: str  # docs-relative, e.g. "results/amd-epyc-2-cores.md"
    slug: str  # the device's slug, which starts the anchors of that page's quality sections


def _dataset():
    return results_dataset.load_dataset(results_dataset.build_records())


def our_quality() -> Quality | None:
    """The newest schema-2 quality-cpu record's measurements of its largest reference model; None when the
    records hold none (the page then says the measurement is missing)."""
    rows = [row for row in device.quality_rows(_dataset().rows)
            if row.run.record["schema"] >= 2 and row.run.header["suite"] == SUITE]
    if not rows:
        return None
    newest = max(row.run.file for row in rows)
    rows = [row for row in rows if row.run.file == newest]
    references = {row.model: row for row in rows if device.is_reference(row)}
    largest = max(rows, key=lambda row: row.params)
    base = references[largest.model].metrics["perplexity"]
    measured = {}
    for row in rows:
        if row.model != largest.model or device.is_reference(row):
            continue
        metrics = row.metrics
        if not {"perplexity", "kl_divergence", "top1_agreement", "kl_p99"} <= set(metrics):
            continue
        measured[row.method] = Measured(row.method, calculators.weight_format(row.weight_format).nominal_bits,
                                        metrics["perplexity"], metrics["perplexity"] / base - 1,
                                        metrics["kl_divergence"], metrics["kl_p99"], metrics["top1_agreement"],
                                        1 - metrics["top1_agreement"])
    models = tuple(sorted({(row.model, row.params, references[row.model].metrics["perplexity"])
                           for row in rows if row.model in references}, key=lambda item: item[1]))
    run = largest.run
    slug = results_dataset.device_slug(run.device_name)
    return Quality(newest, run.where, run.device_name, run.date, largest.model, largest.params, models, measured,
                   f"results/{slug}.md", slug)


def signed_percent(fraction: float) -> str:
    """+0.40%, -0.03%, and 0.00% for a change that rounds to nothing (never "-0.00%")."""
    text = f"{fraction * 100:+.2f}%"
    return "0.00%" if text in ("+0.00%", "-0.00%") else text


def our_quality_table(page=None) -> str:
    """A table of every method on the largest reference model, fewest bits first, with where it comes from."""
    quality = our_quality()
    if quality is None:
        return '<p class="missing">No CPU quality record among this build\'s records.</p>'
    body = "".join(
        f"<tr><td>{escape(m.method)}</td><td>{m.bits:.2f}</td><td>{m.perplexity:.2f}</td>"
        f"<td>{signed_percent(m.perplexity_change)}</td><td>{m.kl:.2e}</td><td>{m.kl_p99:.2e}</td>"
        f"<td>{m.flips * 100:.1f}%</td></tr>"
        for m in sorted(quality.rows.values(), key=lambda m: (m.bits, m.kl)))
    record = escape(quality.record)
    return (f'<div class="results-table" role="region" tabindex="0" aria-label="our quality measurements">'
            '<table class="data-table"><caption>Measured on a CPU ('
            f'{escape(quality.device)}, {quality.date}) on {escape(quality.model)} ({quality.params:,} parameters), '
            'a reference model trained by this project\'s bench; record '
            f'<a href="{escape(results_dataset.record_href(page, quality.record))}">'
            f'<code>gpu_runs/{record}</code></a>.</caption>'
            '<thead><tr><th scope="col">method</th><th scope="col">bits per weight</th>'
            '<th scope="col">perplexity</th><th scope="col">perplexity change</th><th scope="col">mean KL (nats)</th>'
            '<th scope="col">KL, 99th percentile</th><th scope="col">top tokens flipped</th></tr></thead>'
            f"<tbody>{body}</tbody></table></div>")
