"""The decision matrix of docs/choose/decision-matrix.md: situations against model sizes, each cell the wizard's
top recommendation, computed at build time by the same call the wizard page makes (`calculators.web.compute`),
so the matrix and the wizard cannot disagree. Each cell links to the wizard with its inputs in the address."""

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from calculators import knowledge as kb
from calculators.hardware import accelerator
from calculators.presets import PRESETS
from calculators.web import compute

__all__ = ["decision_matrix", "matrix_situations"]

WIZARD_URL = "../"  # the wizard (docs/choose/index.md) from docs/choose/decision-matrix.md


@dataclass(frozen=True)
class Situation:
    name: str
    goal: str
    gpu: str
    gpus: int
    context: int
    concurrency: int
    priority: str
    why: str  # what the row stands for


SITUATIONS = (
    Situation("Cloud GPU, latency-critical", "serve", "h100-sxm", 2, 8192, 1, "latency",
              "one request at a time, answers as fast as possible"),
    Situation("Cloud GPU, throughput- and cost-critical", "serve", "h100-sxm", 2, 8192, 32, "throughput",
              "continuous batching of many users; the most tokens per GPU-hour"),
    Situation("Previous-generation cloud GPU, throughput", "serve", "a100-sxm-80gb", 2, 8192, 32, "throughput",
              "the same workload on Ampere, which has no FP8 tensor cores"),
    Situation("Mid-tier GPU, throughput", "serve", "rtx-a6000", 2, 8192, 32, "throughput",
              "the study's mid-tier card under continuous batching"),
    Situation("Cloud GPU, maximum quality", "serve", "h100-sxm", 2, 8192, 8, "quality",
              "the least accuracy lost, speed second"),
    Situation("Consumer GPU, run locally", "local", "rtx-4090", 1, 8192, 1, "latency",
              "one 24 GB card, one user"),
    Situation("Consumer GPU, smallest footprint", "local", "rtx-4090", 1, 8192, 1, "memory",
              "the least memory, to leave room for other work"),
    Situation("CPU server", "local", "epyc-9654", 1, 4096, 1, "latency",
              "no GPU: one CPU socket and its memory"),
    Situation("Apple silicon", "local", "m3-max", 1, 8192, 1, "latency",
              "a laptop chip with unified memory"),
    Situation("Fine-tuning on one card", "finetune", "rtx-4090", 1, 2048, 1, "memory",
              "adapters on one 24 GB card, sequences of 2,048 tokens"),
    Situation("Fine-tuning on one datacenter card", "finetune", "h100-sxm", 1, 2048, 4, "quality",
              "one 80 GB card, micro-batch of 4"),
)
MODELS = ("llama-3.1-8b", "qwen3-32b", "llama-3.1-70b")


def wizard_params(situation: Situation, model: str) -> dict:
    """The wizard's inputs for one cell, as strings, as its form and its address carry them."""
    return {"model": model, "goal": situation.goal, "gpu": situation.gpu, "gpus": str(situation.gpus),
            "context": str(situation.context), "concurrency": str(situation.concurrency),
            "priority": situation.priority}


def cell(situation: Situation, model: str) -> dict:
    """{"params", "top": the first recommendation or None, "alternative": what would fit when nothing does}."""
    params = wizard_params(situation, model)
    reply = compute("wizard", params)
    if not reply["ok"]:
        raise ValueError(f"the decision matrix asks the wizard something it rejects: {params}: {reply['errors']}")
    result = reply["result"]
    recs = result["recommendations"]
    return {"params": params, "top": recs[0] if recs else None,
            "alternative": result["alternatives"][0] if result["alternatives"] else None}


def short_label(label: str) -> str:
    """A method's name without its parenthesised details: "AWQ 4-bit g128 (W4A16)" is "AWQ 4-bit g128"."""
    return label.split(" (")[0]


def _cell_html(found: dict) -> str:
    link = WIZARD_URL + "?" + urlencode(found["params"])
    top = found["top"]
    if top is None:
        change = found["alternative"]["change"] if found["alternative"] else "other hardware"
        return f"<td><a href=\"{escape(link)}\">nothing fits</a><br><small>try {escape(change.split(' (')[0])}</small></td>"
    runtime = kb.RUNTIME_LABELS.get(top["runtime"], top["runtime"])
    offload = ", CPU offload" if top["offload"] else ""
    return (f"<td><a href=\"{escape(link)}\">{escape(short_label(top['label']))}</a><br>"
            f"<small>{escape(top['scheme'])}, {escape(runtime)}{offload}</small></td>")


def decision_matrix(page=None) -> str:
    """The matrix as an HTML table in a scrolling region."""
    head = "<th scope=\"col\">situation</th>" + "".join(
        f"<th scope=\"col\">{escape(PRESETS[m].name)}</th>" for m in MODELS)
    rows = []
    for situation in SITUATIONS:
        gpu = accelerator(situation.gpu)
        where = f"{situation.gpus} × {gpu.name}" if situation.gpus > 1 else gpu.name
        label = (f"<th scope=\"row\">{escape(situation.name)}<br><small>{escape(where)}, "
                 f"{situation.context:,} tokens × {situation.concurrency}</small></th>")
        rows.append("<tr>" + label + "".join(_cell_html(cell(situation, m)) for m in MODELS) + "</tr>")
    return ("<div class=\"results-table\" role=\"region\" tabindex=\"0\" aria-label=\"decision matrix\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def matrix_situations(page=None) -> str:
    """What each row stands for and its inputs, as a Markdown list."""
    lines = []
    for s in SITUATIONS:
        lines.append(f"- **{s.name}**: {s.why}. Goal `{s.goal}`, `{s.gpu}` × {s.gpus}, context {s.context:,}, "
                     f"{s.concurrency} concurrent sequence{'s' if s.concurrency != 1 else ''}, priority "
                     f"`{s.priority}`.")
    return "\n".join(lines)
