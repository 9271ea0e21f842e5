"""Roofline: FLOPs and bytes of prefill and decode, their bounds on time, and decode throughput against batch."""

import math

from .. import cli_args, fitting
from ..chart_parts import TERA, figure, marker
from ..display import beyond_model_context_html, beyond_model_context_lines, gib, rate, rows_table, seconds
from ..errors import CalculatorError
from ..fitting import fit
from ..formats import kv_format, weight_format
from ..hardware import accelerator
from ..inputs import read_deployment
from ..markup import escape
from ..page import Command, Field, Page
from ..records import as_dict
from ..roofline import compute_bound_batch, roofline
from ..validate import MAX_BATCH, MAX_GPUS, MAX_TOKENS

# Formats the throughput chart sets beside the chosen one: 16-bit, W8A8 in FP8, 4-bit weight-only.
COMPARED_ROOFLINE_FORMATS = ("bf16", "fp8-e4m3-channel", "awq-int4-g128")


def compute(inputs):
    arch, fmt, kv, gpu = read_deployment(inputs)
    gpus = inputs.whole("gpus", 1, MAX_GPUS, "number of GPUs")
    batch = inputs.whole("batch", 1, MAX_BATCH, "batch size")
    prompt = inputs.whole("prompt", 1, MAX_TOKENS, "prompt length", tokens=True)
    if inputs.errors:
        return None
    card = accelerator(gpu)
    try:
        # Whether the setup exists at all: the same memory check as the fit page (its default engine share).
        memory = fit(arch, weight_format(fmt), kv_format(kv), card, gpus, prompt, batch)
        result = roofline(arch, weight_format(fmt), kv_format(kv), card, batch, prompt, num_gpus=gpus)
    except CalculatorError as error:
        inputs.fail("gpus" if error.field in ("num_gpus", "gpus") else "gpu", str(error))
        return None
    turn = compute_bound_batch(arch, weight_format(fmt), kv_format(kv), card, prompt)

    def sweep(weights, largest):
        """Throughput bound at each power-of-two batch, ending where memory runs out at this prompt length."""
        batches = [b for b in (2 ** i for i in range(0, 11)) if b <= largest]
        runs = [roofline(arch, weight_format(weights), kv_format(kv), card, b, prompt, num_gpus=gpus)
                for b in batches]
        return {"format": weights, "label": weight_format(weights).short_label, "batch": batches,
                "intensity": [r.decode.intensity for r in runs], "tokens_per_s": [r.tokens_per_s for r in runs],
                "fits": largest > 0}

    # The chosen format against the others people weigh it with, each on its own memory limit.
    others = []
    for other in COMPARED_ROOFLINE_FORMATS:
        if other != fmt:
            largest = fit(arch, weight_format(other), kv_format(kv), card, gpus, prompt, 1).max_batch
            others.append(sweep(other, largest))

    def step(s):
        return {"flops": s.flops, "bytes": s.bytes, "intensity": s.intensity, "time_s": s.time_s, "bound": s.bound}

    return {"model": arch.name, "gpu": card.name, "format_label": weight_format(fmt).label, "batch": batch,
            "prompt": prompt, "prefill": step(result.prefill), "decode": step(result.decode),
            "ridge_point": result.ridge_point, "peak_flops_s": result.peak_flops_s,
            "bandwidth_bytes_s": result.bandwidth_bytes_s, "compute_used": result.compute_used, "note": result.note,
            "ttft_s": result.ttft_s, "tpot_s": result.tpot_s, "tokens_per_s": result.tokens_per_s,
            "flops_per_token": result.decode.flops / batch, "bytes_per_token": result.decode.bytes / batch,
            "compute_bound_batch": turn, "gpus": gpus, "fits": memory.fits, "free_bytes": memory.free_bytes,
            "per_device": card.per_device,
            "max_batch": memory.max_batch, "memory_share": memory.memory_utilization,
            "sweep": sweep(fmt, memory.max_batch), "compared": others, "model_context": arch.max_context}


def render(r) -> str:
    rows = []
    for label, step in (("Prefill (whole prompt)", r["prefill"]), ("Decode (one token per sequence)", r["decode"])):
        rows.append((label, f"{step['flops']:.3e} FLOP, {step['bytes']:.3e} bytes, intensity "
                            f"{step['intensity']:,.1f} FLOP/byte: <strong>{step['bound']}-bound</strong>, at least "
                            f"{seconds(step['time_s'])}"))
    rows += [("Ridge point", f"{r['ridge_point']:,.1f} FLOP/byte ({r['peak_flops_s'] / 1e12:,.1f} TFLOP/s "
                             f"{escape(r['compute_used'])} ÷ {r['bandwidth_bytes_s'] / 1e9:,.0f} GB/s)"),
             ("Per generated token", f"{r['flops_per_token']:.3e} FLOP, {r['bytes_per_token']:.3e} bytes")]
    turn = (f"Decode turns compute-bound at a batch of {r['compute_bound_batch']:,}."
            if r["compute_bound_batch"] else
            "Decode stays memory-bound at any batch here: each sequence's KV cache is read once per token.")
    note = f"<p class=\"calc-note\">{escape(r['note'])}.</p>" if r["note"] else ""
    gpus = r["gpus"]
    per = (" " + r["per_device"]) if r["per_device"] else ""
    where = escape(r["gpu"]) if gpus == 1 else f"{gpus} × {escape(r['gpu'])} (tensor parallel)"
    if r["fits"]:
        headline = (f"<p class=\"calc-headline\">At best <strong>{rate(r['tokens_per_s'])} tokens/s</strong> "
                    f"({seconds(r['tpot_s'])} per output token) and a first token after {seconds(r['ttft_s'])}, for "
                    f"{escape(r['model'])} in {escape(r['format_label'])} on {where} at batch {r['batch']:,}.</p>")
    else:
        largest = (f"the largest batch that fits at this prompt length is {r['max_batch']:,}" if r["max_batch"]
                   else "not even one sequence fits")
        headline = (f"<p class=\"calc-headline calc-nofit\"><strong>Not reachable</strong>: {escape(r['model'])} "
                    f"in {escape(r['format_label'])} at batch {r['batch']:,} does not fit in "
                    f"{r['memory_share']:.0%} of the memory of {where} ({gib(-r['free_bytes'])} short{per}; "
                    f"{largest}). The bounds below are for a machine with the memory: at best "
                    f"{rate(r['tokens_per_s'])} tokens/s.</p>")
    parallel = ("<p class=\"calc-note\">On several GPUs the bounds assume an ideal split of the work and leave out "
                "the all-reduces between the cards, so they are lower bounds still.</p>" if gpus > 1 else "")
    left_out = [sweep["label"] for sweep in [r["sweep"]] + r["compared"] if not sweep["fits"]]
    if left_out:
        names = " and ".join([", ".join(left_out[:-1]), left_out[-1]] if len(left_out) > 1 else left_out)
        parallel += (f"<p class=\"calc-note\">The batch chart has no curve for {escape(names)}: not even one "
                     "sequence fits in memory with "
                     f"{'those weights' if len(left_out) > 1 else 'that format'} here.</p>")
    return (f"{headline}{rows_table(rows)}<p>{escape(turn)}</p>{note}{parallel}"
            f"{beyond_model_context_html(r['prompt'], r['model_context'])}"
            "<p class=\"calc-note\">Lower bounds from the card's peak rates; real kernels reach a fraction of "
            "both peaks. The batch chart ends where memory runs out (the will-it-fit check).</p>")


def charts(r) -> list:
    prefill, decode = r["prefill"], r["decode"]
    peak, bandwidth, ridge = r["peak_flops_s"], r["bandwidth_bytes_s"], r["ridge_point"]
    # The roof is straight on log axes between the decades and the ridge, so those points draw it exactly.
    # Decades are parsed from text rather than computed with a power, which libms may round differently.
    shown = [i for i in (prefill["intensity"], decode["intensity"], ridge) if i > 0 and math.isfinite(i)]
    low = min([-1] + [math.floor(math.log10(i)) for i in shown])
    high = max([5] + [math.ceil(math.log10(i)) for i in shown])
    intensities = sorted({float(f"1e{e}") for e in range(low, high + 1)} | ({ridge} if ridge in shown else set()))
    roof = {"type": "scatter", "mode": "lines", "name": "attainable TFLOP/s", "x": intensities,
            "y": [min(peak, bandwidth * i) / TERA for i in intensities]}

    def achieved(step):
        return step["flops"] / step["time_s"] / TERA if step["time_s"] > 0 else math.inf

    # One curve per format, each ending at the largest batch its memory allows (the result's text names a
    # format with no batch that fits, which has no curve).
    curves = [{"type": "scatter", "mode": "lines+markers", "name": sweep["label"], "x": sweep["batch"],
               "y": sweep["tokens_per_s"], **({"line": {"width": 3}} if sweep is r["sweep"] else {})}
              for sweep in [r["sweep"]] + r["compared"] if sweep["fits"]]
    return [
        figure("roofline-chart", "Roofline with the prefill and decode operating points",
               [roof, marker("prefill", prefill["intensity"], achieved(prefill)),
                marker("decode", decode["intensity"], achieved(decode))],
               {"title": "arithmetic intensity (FLOP/byte)", "type": "log"}, {"title": "TFLOP/s", "type": "log"}),
        figure("roofline-batch", "Decode throughput bound against batch size, until memory runs out",
               curves + [marker(f"batch {r['batch']:,}", r["batch"], r["tokens_per_s"])],
               {"title": "batch", "type": "log"}, {"title": "tokens/s (upper bound)", "type": "log"}),
    ]


def run(args):
    arch = cli_args.load_model(args)
    gpu = accelerator(args.gpu)
    fmt = weight_format(args.format)
    kv = kv_format(args.kv_format)
    result = roofline(arch, fmt, kv, gpu, args.batch, args.prompt, args.context, args.gpus)
    turn = compute_bound_batch(arch, fmt, kv, gpu, result.context)
    memory = fitting.fit(arch, fmt, kv, gpu, args.gpus, result.context, args.batch)
    data = {"model": cli_args.model_json(arch), "gpu": gpu.id, "gpus": args.gpus, **as_dict(result),
            "ttft_s": result.ttft_s,
            "tpot_s": result.tpot_s, "tokens_per_s": result.tokens_per_s, "compute_bound_batch": turn,
            "fits": memory.fits}
    where = gpu.name if args.gpus == 1 else f"{args.gpus} x {gpu.name} (ideal tensor parallel)"
    lines = [] if memory.fits else [
        f"NOT REACHABLE: does not fit in {memory.memory_utilization:.0%} of the memory of {where} "
        f"({gib(-memory.free_bytes)} short per GPU); the bounds are for a machine with the memory"]
    lines += [f"{arch.name}, {fmt.label} on {where} ({result.compute_used} peak "
             f"{result.peak_flops_s / 1e12:,.1f} TFLOP/s, {result.bandwidth_bytes_s / 1e9:,.0f} GB/s; "
             f"ridge {result.ridge_point:,.1f} FLOP/byte)"]
    if result.note:
        lines.append(f"note: {result.note}")
    for label, step in (("prefill", result.prefill), ("decode", result.decode)):
        lines.append(f"{label}: {step.flops:.3e} FLOP, {step.bytes:.3e} bytes, intensity {step.intensity:,.1f} "
                     f"FLOP/byte, {step.bound}-bound, >= {seconds(step.time_s)}")
    lines.append(f"lower bounds: time to first token {seconds(result.ttft_s)}, "
                 f"time per output token {seconds(result.tpot_s)}, at most {rate(result.tokens_per_s)} tokens/s")
    lines.append("decode turns compute-bound at batch " + (f"{turn:,}" if turn else "(never, up to 1,048,576)"))
    lines += beyond_model_context_lines(result.context, arch.max_context)
    return data, "\n".join(lines)


def arguments(sub):
    cli_args.add_model(sub)
    sub.add_argument("--format", default="bf16")
    sub.add_argument("--kv-format", default="bf16")
    sub.add_argument("--gpu", default="h100-sxm")
    sub.add_argument("--batch", type=cli_args.whole, default=1)
    sub.add_argument("--prompt", type=cli_args.tokens, default=512, help="prompt tokens per sequence")
    sub.add_argument("--gpus", type=cli_args.whole, default=1, help="number of GPUs (tensor parallel, ideal split)")
    sub.add_argument("--context", type=cli_args.tokens, default=None,
                     help="tokens cached at decode (default: the prompt)")


PAGE = Page(
    name="roofline", path="calculators/roofline", title="Roofline", order=40,
    fields=(Field("model", "Model", "model", "llama-3.1-8b"), Field("format", "Weight format", "format", "bf16"),
            Field("kv_format", "KV-cache format", "kv_format", "bf16"), Field("gpu", "GPU", "gpu", "h100-sxm"),
            Field("gpus", "Number of GPUs", "number", "1"), Field("batch", "Batch size", "number", "1"),
            Field("prompt", "Prompt length (tokens; 4k = 4,096)", "tokens", "512")),
    compute=compute, render=render, charts=charts,
    command=Command("arithmetic intensity and roofline time bounds", arguments, run))
