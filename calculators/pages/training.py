"""Training memory: full fine-tuning, LoRA and QLoRA side by side, by what the memory holds."""

from .. import cli_args
from ..chart_parts import STACK_LEGEND, figure, highlight, in_units
from ..display import beyond_model_context_html, beyond_model_context_lines, gib
from ..inputs import UNITS, read_model
from ..markup import escape
from ..page import Command, Field, Page
from ..records import as_dict
from ..training import MAX_LORA_RANK, METHODS, OPTIMIZER_BYTES, training_memory
from ..validate import MAX_BATCH, MAX_TOKENS

METHOD_LABELS = {"full": "Full fine-tuning", "lora": "LoRA", "qlora": "QLoRA"}
# (key of a training method's row, label) for the memory training holds, total excluded.
TRAINING_PARTS = (("weights", "Weights"), ("gradients", "Gradients"), ("optimizer_states", "Optimizer states"),
                  ("master_weights", "FP32 master weights"), ("activations", "Activations (estimate)"),
                  ("logits", "Logits (estimate)"))


def compute(inputs):
    arch = read_model(inputs)
    method = inputs.choice("method", METHODS, "method")
    optimizer = inputs.choice("optimizer", OPTIMIZER_BYTES, "optimizer")
    sequence = inputs.whole("sequence", 1, MAX_TOKENS, "sequence length", tokens=True)
    batch = inputs.whole("batch", 1, MAX_BATCH, "batch size")
    rank = inputs.whole("lora_rank", 1, MAX_LORA_RANK, "LoRA rank")
    checkpointing = inputs.flag("checkpointing")
    units = inputs.choice("units", UNITS, "unit")
    if inputs.errors:
        return None
    rows = {m: training_memory(arch, m, sequence, batch, optimizer, rank, checkpointing) for m in METHODS}
    chosen = rows[method]
    return {"units": units, "model": arch.name, "method": method, "optimizer": optimizer, "sequence": sequence,
            "batch": batch, "model_context": arch.max_context,
            "lora_rank": rank, "checkpointing": checkpointing,
            "methods": {m: {"weights": r.weights, "gradients": r.gradients, "optimizer_states": r.optimizer_states,
                            "master_weights": r.master_weights, "activations": r.activations, "logits": r.logits,
                            "total": r.total, "trainable_params": r.trainable_params} for m, r in rows.items()},
            "total_bytes": chosen.total}


def render(r) -> str:
    u = r["units"]
    head = "".join(f"<th scope=\"col\">{METHOD_LABELS[m]}</th>" for m in r["methods"])
    parts = TRAINING_PARTS + (("total", "Total"),)
    body = "".join(f"<tr><th scope=\"row\">{label}</th>"
                   + "".join(f"<td>{gib(row[key], u)}</td>" for row in r["methods"].values()) + "</tr>"
                   for key, label in parts)
    trainable = "".join(f"<td>{row['trainable_params']:,}</td>" for row in r["methods"].values())
    chosen = METHOD_LABELS[r["method"]]
    return (f"<p class=\"calc-headline\"><strong>{gib(r['total_bytes'], u)}</strong> to train {escape(r['model'])} "
            f"with {chosen} at {r['batch']:,} × {r['sequence']:,} tokens.</p>"
            f"<table class=\"calc-table\"><thead><tr><td></td>{head}</tr></thead><tbody>{body}"
            f"<tr><th scope=\"row\">Trainable parameters</th>{trainable}</tr></tbody></table>"
            f"{beyond_model_context_html(r['sequence'], r['model_context'])}")


def charts(r) -> list:
    methods = r["methods"]
    labels = [METHOD_LABELS[m] for m in methods]
    size = in_units(r["units"])
    traces = [{"type": "bar", "name": label, "x": labels, "y": [size(row[key]) for row in methods.values()],
               "marker": highlight(labels, METHOD_LABELS[r["method"]])} for key, label in TRAINING_PARTS]
    return [figure("training-methods", "Training memory by method", traces, {"title": "method"},
                   {"title": r["units"]}, barmode="stack", legend=dict(STACK_LEGEND))]


def run(args):
    size = cli_args.sizer(args)
    arch = cli_args.load_model(args)
    result = training_memory(arch, args.method, args.sequence, args.batch, args.optimizer, args.lora_rank,
                             not args.no_checkpointing)
    data = {"model": cli_args.model_json(arch), **as_dict(result), "total": result.total}
    lines = [f"{arch.name}, {result.method}: {result.trainable_params:,} trainable parameters",
             *cli_args.table([("weights", size(result.weights)), ("gradients", size(result.gradients)),
                              ("optimizer states", size(result.optimizer_states)),
                              ("fp32 master weights", size(result.master_weights)),
                              ("activations (estimate)", size(result.activations)),
                              ("logits (estimate)", size(result.logits)), ("total", size(result.total))]),
             *beyond_model_context_lines(args.sequence, arch.max_context)]
    return data, "\n".join(lines)


# The evidence summary as `python -m generator evidence --json` prints it, without loading the generator's whole
# command line (plotting and the bench): the two functions that command calls.


def arguments(sub):
    cli_args.add_model(sub)
    cli_args.add_units(sub)
    sub.add_argument("--method", default="full", choices=METHODS)
    sub.add_argument("--optimizer", default="adamw", choices=tuple(OPTIMIZER_BYTES))
    sub.add_argument("--sequence", type=cli_args.tokens, default=2048)
    sub.add_argument("--batch", type=cli_args.whole, default=1)
    sub.add_argument("--lora-rank", type=cli_args.whole, default=16)
    sub.add_argument("--no-checkpointing", action="store_true", help="keep every layer's activations")


PAGE = Page(
    name="training", path="calculators/training-memory", title="Training memory", order=60,
    fields=(Field("model", "Model", "model", "llama-3.1-8b"), Field("method", "Method", "method", "qlora"),
            Field("optimizer", "Optimizer", "optimizer", "adamw"),
            Field("sequence", "Sequence length (tokens; 4k = 4,096)", "tokens", "2048"),
            # A training batch is not a number of users being served: it does not travel to the other pages.
            Field("batch", "Batch size", "number", "1", carried=False),
            Field("lora_rank", "LoRA rank", "number", "16"),
            Field("checkpointing", "Activation checkpointing", "checkbox", "on"),
            Field("units", "Units", "units", "GiB")),
    compute=compute, render=render, charts=charts,
    choices=lambda: {"method": [(m, METHOD_LABELS[m]) for m in METHOD_LABELS],
                     "optimizer": [(o, o) for o in OPTIMIZER_BYTES]},
    command=Command("training memory: full fine-tuning, LoRA, QLoRA", arguments, run))
