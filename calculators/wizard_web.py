"""The decision wizard as a calculator page: its inputs read from the form, and its answer as HTML and a chart.

The page is declared in calculators/pages/wizard.py: `web.compute("wizard", params)` reads the form through
`page_result` and draws the answer with `render` and `figures`, so the page pre-rendered at build time and the
page live in the browser run the same code as `python -m calculators wizard`. The answer cites its evidence: every source of the knowledge base, and the
records of gpu_runs/ through the evidence summary (`use_evidence`), which the build and the browser's worker
both load from the summary the Results section publishes.
"""

import json
import re
from .markup import escape, urlencode

from . import knowledge as kb
from . import wizard
from .display import counted, rate
from .errors import CalculatorError
from .hardware import ACCELERATORS, GIB, accelerator
from .inputs import read_model
from .presets import PRESETS
from .validate import MAX_BATCH, MAX_GPUS, MAX_TOKENS

# Where the records of gpu_runs/ are published in the site, relative to the wizard's page (docs/choose/index.md).
RECORDS_URL = "../results/downloads/records/"
SITE_ROOT = "../"
LEARN_URL = "../learn/"
# The section of the Learn pages that explains each method (docs/learn/*.md anchors).
EXPLAINED_AT = {"bf16": "number-formats/#bf16-vs-fp16", "fp8-dynamic": "methods/#fp8",
                "int8-w8a8": "methods/#smoothquant", "int8-w8a16": "weights-and-activations/#weight-only", "nvfp4": "number-formats/#fp4",
                "awq": "methods/#awq", "gptq": "methods/#gptq", "nf4": "methods/#bitsandbytes",
                "llm-int8": "outliers/#llm-int8", "gguf-q8-0": "methods/#gguf", "gguf-q4-k-m": "methods/#gguf",
                "gguf-q2-k": "methods/#gguf", "mlx-4bit": "weights-and-activations/#hardware-support",
                "lora": "fine-tuning/#qlora", "qlora": "fine-tuning/#qlora", "full": "fine-tuning/"}

_evidence = {"summary": None}


def use_evidence(summary: dict | None) -> None:
    """The evidence summary of the project's records (generator/site/results/evidence.py) the answers cite;
    None leaves the published figures alone."""
    _evidence["summary"] = summary if isinstance(summary, dict) and "methods" in summary else None


def use_evidence_file(path: str) -> None:
    try:
        with open(path, encoding="utf-8") as handle:
            use_evidence(json.load(handle))
    except (OSError, ValueError):
        use_evidence(None)


def page_result(inputs) -> dict | None:
    """The wizard's answer for a form (an `inputs.Inputs`), or None with an error per field."""
    arch = read_model(inputs)
    goal = inputs.choice("goal", wizard.GOALS, "goal")
    gpu = inputs.choice("gpu", ACCELERATORS, "GPU")
    gpus = inputs.whole("gpus", 1, MAX_GPUS, "number of GPUs")
    context = inputs.whole("context", 1, MAX_TOKENS, "context length", tokens=True)
    concurrency = inputs.whole("concurrency", 1, MAX_BATCH, "number of concurrent sequences")
    priority = inputs.choice("priority", wizard.PRIORITIES, "priority")
    if inputs.errors:
        return None
    model = inputs.values["model"]
    model_ref = PRESETS[model].hf_repo if model in PRESETS else "./model"
    try:
        asked = wizard.make_inputs(goal, accelerator(gpu), gpus, arch, context, concurrency, priority, model_ref)
    except CalculatorError as error:
        inputs.fail({"num_gpus": "gpus"}.get(error.field, error.field) or "model", str(error))
        return None
    data = wizard.recommend(asked, _evidence["summary"])
    # The inputs as the page understood them, for the links to the calculators and to this page.
    data["query"] = {field: inputs.values[field] for field in ("model", "gpu", "gpus", "goal", "priority")}
    data["query"].update(context=str(context), concurrency=str(concurrency))
    if model == "custom":
        data["query"].update({field: inputs.values[field] for field in inputs.values if field not in data["query"]
                              and field != "config"})
    data["gpu_name"] = asked.gpu.name
    data["per_device"] = asked.gpu.per_device or ""
    return data


# -- citations ------------------------------------------------------------------------------------------------

_URL = re.compile(r"https://[^\s)]+")
_ARXIV = re.compile(r"arXiv (\d{4}\.\d{4,5})")
_RECORD = re.compile(r"gpu_runs/([\w.-]+\.json)")


def cite(text: str) -> str:
    """A source's text, escaped, with its URLs, arXiv ids and record files as links."""
    html = escape(text)
    html = _URL.sub(lambda m: f"<a href=\"{m.group(0)}\">{m.group(0)}</a>", html)
    html = _ARXIV.sub(lambda m: f"<a href=\"https://arxiv.org/abs/{m.group(1)}\">arXiv {m.group(1)}</a>", html)
    return _RECORD.sub(lambda m: f"<a href=\"{RECORDS_URL}{m.group(1)}\">gpu_runs/{m.group(1)}</a>", html)


def _code_spans(html: str) -> str:
    """`text` in the knowledge base's how-tos as <code>text</code> (the text is already escaped)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html)


def _gib(n: float) -> str:
    return f"{n / GIB:,.1f} GiB"


# -- the answer as HTML ------------------------------------------------------------------------------------------

def _calculator_links(data: dict, rec: dict) -> str:
    """The will-it-fit, roofline and weight calculators with this recommendation's inputs."""
    from .pages import page  # the registry imports the wizard's declaration, which imports this module

    q = data["query"]
    common = {key: q[key] for key in q if key not in ("goal", "priority", "concurrency", "context")}
    if q["model"] == "config":
        common = {"model": "config", "gpu": q["gpu"], "gpus": q["gpus"]}  # the page takes config.json from storage
    fmt = {"format": rec["format"], "kv_format": rec["kv_format"] or "bf16"}
    if data["inputs"]["goal"] == "finetune":
        method = rec["method"]
        links = [("training", {"model": q["model"], "method": method, "sequence": q["context"],
                               "batch": q["concurrency"]})]
    else:
        links = [("fit", {**common, **fmt, "context": q["context"], "batch": q["concurrency"]}),
                 ("roofline", {**common, **fmt, "prompt": q["context"], "batch": q["concurrency"]}),
                 ("weights", {"model": q["model"], "format": rec["format"]})]
    items = [f"<a href=\"{escape(SITE_ROOT + page(name).path + '/?' + urlencode(params))}\">{page(name).title}</a>"
             for name, params in links]
    explained = EXPLAINED_AT.get(rec["method"])
    read = (f" How it works: <a href=\"{escape(LEARN_URL + explained)}\">{escape(rec['label'])}</a>."
            if explained else "")
    return f"<p class=\"calc-related\">Check it in the calculators: {' · '.join(items)}.{read}</p>"


def _speed(rec: dict) -> str:
    speed = rec["speed"]
    if not speed:
        return "not bounded here: part of the model runs from system memory"
    text = (f"at most <strong>{rate(speed['tokens_per_s'], 0)} tokens/s</strong> in all "
            f"({speed['tpot_s'] * 1e3:,.2f} ms per step, {escape(speed['bound'])}-bound; roofline bound, real engines "
            "reach a fraction of it)")
    measured = next((e for e in rec["evidence"] if e.get("kind") == "measured speed"), None)
    if measured:
        low, high = measured.get("range") or (None, None)
        spread = f", range {low:.2f}–{high:.2f}" if low is not None and f"{low:.2f}" != f"{high:.2f}" else ""
        text += (f"; measured <strong>{measured['speedup_vs_bf16']:.2f}×</strong> bf16's decode speed{spread} at "
                 f"batch {measured['batch']} ({escape(measured['decoding'])}, {escape(measured['model'])} shape on "
                 f"{escape(measured['device'])}, this project's bench kernels: {cite(measured['source'])})")
    return text


def _quality(rec: dict) -> str:
    items = [f"{escape(e['claim'])} ({cite(e['source'])})" for e in rec["evidence"]
             if e.get("kind") == "published quality"]
    measured = next((e for e in rec["evidence"] if e.get("kind") == "measured quality"), None)
    if measured:
        kl = (f", mean KL divergence at most {measured['max_kl_divergence']:.4f}"
              if measured.get("max_kl_divergence") is not None else "")
        items.append(f"measured: perplexity at most {measured['worst_perplexity_ratio_vs_bf16']:.3f}× bf16's{kl} "
                     f"on {measured['models']} reference models trained by this project, not the model asked "
                     f"about ({cite(measured['source'])})")
    if not items:
        return "published: see the method's source below"
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _memory(rec: dict, per_device: str) -> str:
    m = rec["memory"]
    per = f" {escape(per_device)}" if per_device else ""
    if "usable_bytes" in m and "kv_cache_bytes" in m and not rec["offload"]:
        return (f"fits: {_gib(m['per_gpu_bytes'])} of {_gib(m['usable_bytes'])} usable{per} (weights "
                f"{_gib(m['weights_bytes'])}, KV cache {_gib(m['kv_cache_bytes'])}); "
                f"{_gib(m['free_bytes'])} free; up to {counted(m['max_batch'], 'sequence')} at this context")
    if rec["offload"]:
        return (f"does not fit on the GPUs alone: {m['gpu_layers']} of {m['layers']} layers on the GPU, "
                f"{_gib(m['host_bytes'])} in system memory (CPU offload)")
    return (f"fits: {_gib(m['per_gpu_bytes'])} of {_gib(m['usable_bytes'])}{per} (weights {_gib(m['weights_bytes'])}, "
            f"{m['trainable_params']:,} trainable parameters)")


def _list(items, cls="") -> str:
    """A list of HTML items (already escaped); empty when there are none."""
    if not items:
        return ""
    attribute = f" class=\"{cls}\"" if cls else ""
    return f"<ul{attribute}>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _recommendation(n: int, rec: dict, data: dict) -> str:
    runtime = kb.RUNTIME_LABELS.get(rec["runtime"], rec["runtime"])
    kv = f", KV cache {escape(rec['kv_format'])}" if rec["kv_format"] else ""
    cc = rec["min_compute_capability"]
    rows = [("Scheme", f"<strong>{escape(rec['scheme'])}</strong>, stored as <code>{escape(rec['format'])}</code>{kv}; "
                       f"run with {escape(runtime)}" + (f" (needs compute capability {escape(cc)})" if cc else "")),
            ("Memory", _memory(rec, data["per_device"])),
            ("Speed", _speed(rec)),
            ("Quality cost", _quality(rec)),
            ("Calibration data", "needed (once, or use a published checkpoint)" if rec["calibration"] else "none"),
            ("Fine-tunable", "yes" if rec["fine_tunable"] else "no"),
            ("Runtimes that load it", escape(", ".join(rec["runtimes"])) or escape(runtime))]
    table = "".join(f"<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>" for label, value in rows)
    reasons = _list([cite(r) for r in rec["reasons"]])
    caveats = _list([cite(c) for c in rec["caveats"]])
    questions = "".join(f"<p><strong>{escape(q['question'])}</strong> {escape(q['answer'])} <span class=\"calc-source\">"
                        f"({'; '.join(cite(s) for s in q['sources'])})</span></p>" for q in rec["questions"])
    sources = sorted({e["source"] for e in rec["evidence"] if e.get("source")})
    evidence = _list([cite(s) for s in sources], "calc-source")
    open_ = " open" if n == 1 else ""
    where = "top recommendation" if n == 1 else f"option {n}"
    summary = (f"{n}. {escape(rec['label'])}: {escape(rec['scheme'])} with {escape(runtime)}"
               + (" (CPU offload)" if rec["offload"] else ""))
    return (f"<details class=\"wizard-rec\"{open_}><summary>{summary}</summary>"
            f"<table class=\"calc-table\" aria-label=\"{escape(where)}\"><tbody>{table}</tbody></table>"
            f"<p>Why:</p>{reasons}" + (f"<p>Caveats:</p>{caveats}" if caveats else "") + questions
            + f"<p>How to run it ({escape(runtime)}), with the flags the fit computed:</p>"
              f"<pre class=\"wizard-command\"><code tabindex=\"0\">{escape(rec['command'])}</code></pre>"
            + (f"<p>{_code_spans(escape(rec['howto']))}</p>" if rec["howto"] else "")
            + f"<p>Evidence:</p>{evidence}{_calculator_links(data, rec)}</details>")


def render(data: dict) -> str:
    i = data["inputs"]
    where = f"{i['gpus']} × {data['gpu_name']}" if i["gpus"] > 1 else data["gpu_name"]
    goal = {"serve": "Serving", "local": "Running", "finetune": "Fine-tuning"}[i["goal"]]
    asked = (f"{goal} {escape(i['model'])} on {escape(where)}, {i['context']:,} tokens × {i['concurrency']:,}, "
             f"priority {escape(i['priority'])}")
    recs = data["recommendations"]
    if recs:
        top = recs[0]
        runtime = kb.RUNTIME_LABELS.get(top["runtime"], top["runtime"])
        headline = (f"<p class=\"calc-headline calc-fits\">{asked}: <strong>{escape(top['label'])}</strong> "
                    f"({escape(top['scheme'])} with {escape(runtime)}), then {len(recs) - 1} other method"
                    f"{'s' if len(recs) != 2 else ''} that run and fit.</p>")
        body = "".join(_recommendation(n, rec, data) for n, rec in enumerate(recs, 1))
    else:
        alternatives = _list([f"<strong>{escape(a['change'])}</strong>: {escape(a['detail'])}"
                              for a in data["alternatives"]])
        headline = (f"<p class=\"calc-headline calc-nofit\">{asked}: <strong>nothing fits or runs</strong>. "
                    "What would, each checked with the same calculators:</p>")
        body = alternatives
    rules = ""
    if data["rules"]:
        rules = ("<p>Rules from the evidence that set the order:</p>"
                 + _list([f"{escape(r['statement'])} ({cite(r['source'])})" for r in data["rules"]]))
    ruled = ""
    if data["ruled_out"]:
        labels = {m.id: m.label for m in kb.METHODS}
        labels.update({key: value[0] for key, value in kb.FINETUNE.items()})
        rows = "".join(f"<tr><th scope=\"row\">{escape(labels.get(r['method'], r['method']))}</th>"
                       f"<td>{cite(r['reason'])}</td></tr>" for r in data["ruled_out"])
        ruled = (f"<p>Ruled out ({len(data['ruled_out'])}):</p><table class=\"calc-table\" aria-label=\"ruled out\">"
                 f"<thead><tr><th scope=\"col\">method</th><th scope=\"col\">why not</th></tr></thead>"
                 f"<tbody>{rows}</tbody></table>")
    summary = data["evidence_summary"]
    note = (f"<p class=\"calc-note\">Our measurements: {escape(summary)}. Measured speeds are of this project's "
            "bench kernels on random-init models of the same shape; measured quality is of small reference models "
            "this project trained. Published figures name their paper or documentation.</p>")
    return headline + body + rules + ruled + note


# -- the chart ---------------------------------------------------------------------------------------------------

def figures(result: dict) -> list:
    """The decode bound of every recommendation, in the order the wizard ranks them."""
    recs = [rec for rec in result["recommendations"] if rec["speed"]]
    if not recs:
        return []
    labels = [f"{n}. {rec['label']}" for n, rec in enumerate(recs, 1)]
    values = [rec["speed"]["tokens_per_s"] for rec in recs]
    trace = {"type": "bar", "orientation": "h", "name": "decode bound", "y": labels, "x": values,
             "text": [f"{v:,.0f}" for v in values], "textposition": "outside", "cliponaxis": False}
    return [{"id": "wizard-speed", "title": "Decode speed bound of each recommendation (roofline)",
             "data": [trace],
             "layout": {"xaxis": {"title": {"text": "tokens/s (all sequences)"}, "automargin": True},
                        "yaxis": {"title": {"text": ""}, "automargin": True, "autorange": "reversed"},
                        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
                        "margin": {"t": 40}, "showlegend": False, "height": 34 * len(recs) + 120},
             "x_title": "method", "y_title": "tokens/s", "y_format": "{:,.4g}"}]
