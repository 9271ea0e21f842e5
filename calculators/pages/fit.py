"""Will it fit: the memory a model takes per GPU against what the engine may use, what would make it fit, and the
decode speed bound at those inputs."""

from .. import cli_args, fitting
from ..chart_parts import CAPACITY_COLOUR, STACK_LEGEND, figure, in_units
from ..display import (beyond_model_context_html, beyond_model_context_lines, bytes_cell, capitalized, counted, gib,
                       money, rate, rows_table, seconds, significant)
from ..errors import CalculatorError
from ..fitting import DEFAULT_MEMORY_UTILIZATION, fit, memory_stack, usable_bytes
from ..formats import kv_format, weight_format
from ..hardware import ACCELERATORS, accelerator
from ..inputs import CUSTOM_FIELDS, UNITS, read_deployment
from ..markup import escape, urlencode
from ..page import Command, Field, Page
from ..records import as_dict
from ..roofline import roofline
from ..validate import MAX_BATCH, MAX_GPUS, MAX_TOKENS
from ..weights import weight_bytes

MAX_PRICE = 10_000.0  # per GPU-hour, in whatever currency the user thinks in
CURRENCY_SIGNS = "$€£¥"


def _price_text(text: str) -> str:
    """A price as typed, without a leading currency sign: "$2.50" is 2.50."""
    return text.strip().lstrip(CURRENCY_SIGNS).strip()


# (key of the result's "stack", label) for the memory a GPU holds.
FIT_PARTS = (("weights", "Weights"), ("kv_cache", "KV cache"),
             ("activations", "Activations and kernel workspace (estimate)"),
             ("overhead", "Runtime overhead (estimate)"))
# Weight formats tried when the weights must shrink, from the least quality lost to the most (8-bit, then
# 4-bit with calibration, 4-bit without, a 4-bit GGUF mix, 3-bit): the first that fits is offered.
SMALLER_WEIGHTS = {"fp8-e4m3-channel": "8-bit", "awq-int4-g128": "4-bit", "nf4-dq": "4-bit",
                   "gguf-q4-k-m": "mostly 4-bit", "gptq-int3-g128": "3-bit"}
# Catalog kinds a "bigger card" may come from: a card of the same kind and vendor, so a gaming GPU is not told
# to become a datacenter part, a CUDA setup is not told to move to ROCm, and a CPU is not told to become a GPU.
_CARD_KINDS = ("datacenter-gpu", "workstation-gpu", "consumer-gpu")


def compute(inputs):
    arch, fmt, kv, gpu = read_deployment(inputs)
    gpus = inputs.whole("gpus", 1, MAX_GPUS, "number of GPUs")
    context = inputs.whole("context", 1, MAX_TOKENS, "context length", tokens=True)
    batch = inputs.whole("batch", 1, MAX_BATCH, "number of concurrent sequences")
    share = inputs.share("memory_share", 0.05, 1.0, "share of GPU memory the engine may use")
    inputs.raw["price"] = _price_text(inputs.raw.get("price", ""))
    price = inputs.optional_number("price", 0.0, MAX_PRICE, "price per GPU-hour")
    units = inputs.choice("units", UNITS, "unit")
    if inputs.errors:
        return None
    try:
        result = fit(arch, weight_format(fmt), kv_format(kv), accelerator(gpu), gpus, context, batch,
                     memory_utilization=share)
    except CalculatorError as error:
        inputs.fail({"num_gpus": "gpus"}.get(error.field, error.field or "gpus"), str(error))
        return None
    card = accelerator(gpu)
    # The inputs as understood (85% and 0.85 give the same links), for the links that apply each lever.
    understood = {**inputs.raw, "format": fmt, "kv_format": kv, "gpu": gpu, "gpus": str(gpus), "context": str(context),
                  "batch": str(batch), "memory_share": f"{share:g}"}
    suggestions = [] if result.fits else _suggestions(arch, fmt, kv, card, gpus, context, batch, result, share,
                                                      understood)
    return {"units": units, "model": arch.name, "gpu": card.name, "gpus": gpus, "context": context, "batch": batch,
            **decode_bound(arch, fmt, kv, card, batch, context, gpus, price), "price_per_gpu_hour": price,
            "format_label": weight_format(fmt).label, "kv_label": kv_format(kv).label, "fits": result.fits,
            "capacity_bytes": result.capacity_bytes,
            "stack": {"weights": result.per_gpu.weights, "kv_cache": result.per_gpu.kv_cache,
                      "activations": result.per_gpu.activations, "overhead": result.per_gpu.overhead},
            "total_bytes": result.per_gpu.total, "free_bytes": result.free_bytes, "max_context": result.max_context,
            "max_batch": result.max_batch, "context_capped": result.context_capped, "kv_shards": result.kv_shards,
            "model_context": result.model_context, "card_bytes": result.card_bytes, "memory_share": share,
            "label_bytes": card.memory_bytes, "allocatable_source": card.allocatable_source,
            "allocatable_quote": card.allocatable_quote,
            "memory_noun": card.memory_noun, "per_device": card.per_device, "suggestions": suggestions}


def decode_bound(arch, fmt, kv, card, batch, context, gpus, price=None) -> dict:
    """The fastest decoding can go, every sequence at the full context so that each step reads the most KV
    cache (the roofline bound), and what a million generated tokens cost at it from a price per GPU-hour. The
    values are None for a device with no published peak rate, which has no bound to give."""
    try:
        speed = roofline(arch, weight_format(fmt), kv_format(kv), card, batch, context, num_gpus=gpus)
    except CalculatorError:
        speed = None
    gpu_hours = gpus * 1e6 / speed.tokens_per_s / 3600 if speed else None
    return {"decode_tokens_per_s": speed and speed.tokens_per_s, "decode_step_s": speed and speed.tpot_s,
            "decode_bound": speed and speed.decode.bound, "gpu_hours_per_million_tokens": gpu_hours,
            "cost_per_million_tokens": None if price is None or not speed else price * gpu_hours}


def _suggestions(arch, fmt, kv, card, gpus, context, batch, result, share, raw, block_size=0,
                 prefill_chunk=fitting.DEFAULT_PREFILL_CHUNK):
    """Every lever that makes it fit on its own, each checked with the same memory stack and capacity as the
    verdict, ranked by what it costs: first what costs a little quality (the KV cache, then the weights),
    then what costs service (fewer sequences, a shorter context), then what costs hardware. Each comes with
    the inputs it changes and the inputs that apply it, as a link to this page."""
    # The verdict's own test (per-GPU total within the usable share) without fit()'s searches for the limits.
    def fits(weights=fmt, cache=kv, n=gpus, device=card):
        return memory_stack(arch, weight_format(weights), kv_format(cache), context, batch, n, block_size,
                            prefill_chunk).total <= usable_bytes(device, share)

    # The fields of this page (and a custom architecture's sizes), whatever else the form or URL sent along;
    # a pasted config.json is too long for a link, so such a model gets no links.
    fields = list(PAGE.defaults) + (list(CUSTOM_FIELDS) if raw.get("model") == "custom" else [])

    def lever(text, cost, **changes):
        changes = {key: str(value) for key, value in changes.items()}
        inputs = {key: raw[key] for key in fields if key in raw}
        inputs.update(changes)
        link = "?" + urlencode(inputs) if raw.get("model") != "config" else ""
        return {"text": text, "cost": cost, "changes": changes, "link": link}

    levers = []
    if kv_format(kv).bits > 8 and fits(cache="fp8-e4m3"):
        levers.append(lever("keep the KV cache in FP8", "KV-cache rounding, a small quality cost",
                            kv_format="fp8-e4m3"))
    elif kv_format(kv).bits > 4 and fits(cache="int4-g64"):
        levers.append(lever("keep the KV cache in 4 bits (int4, groups of 64)",
                            "a larger quality cost, most on long contexts", kv_format="int4-g64"))
    current = weight_bytes(arch, weight_format(fmt)).total_bytes
    for other, bits in SMALLER_WEIGHTS.items():
        if weight_bytes(arch, weight_format(other)).total_bytes < current and fits(weights=other):
            levers.append(lever(f"store the weights as {weight_format(other).label}",
                                f"the quality lost to {bits} weights", format=other))
            break
    if result.max_batch and result.max_batch < batch:
        levers.append(lever(f"serve at most {counted(result.max_batch, 'sequence')} at once at this context",
                            "throughput: fewer users at a time", batch=result.max_batch))
    if result.max_context and result.max_context < context:
        levers.append(lever(f"shorten the context to {result.max_context:,} tokens",
                            "capability: shorter prompts and answers", context=result.max_context))
    for n in (gpus * more for more in (2, 4, 8, 16) if card.per_device):  # not for a CPU or an Apple chip
        splits = arch.num_attention_heads % n == 0 and (arch.is_mla or arch.num_kv_heads % n == 0
                                                        or n % arch.num_kv_heads == 0)
        if splits and fits(n=n):
            levers.append(lever(f"use {n} GPUs", f"hardware: {n - gpus} more {card.name}", gpus=n))
            break
    if card.kind in _CARD_KINDS:
        bigger = sorted((other for other in ACCELERATORS.values()
                         if other.kind == card.kind and other.vendor == card.vendor
                         and other.allocatable_bytes > card.allocatable_bytes),
                        key=lambda other: (other.allocatable_bytes, other.id))
        for other in bigger:
            if fits(device=other):
                levers.append(lever(f"use {gpus} × {other.name}",
                                    f"hardware: cards with {other.memory_gib:,.0f} GiB instead of "
                                    f"{card.memory_gib:,.0f} GiB", gpu=other.id))
                break
    return levers


def render(r) -> str:
    u = r["units"]
    stack = r["stack"]
    rows = [(label, bytes_cell(stack[key], u)) for key, label in FIT_PARTS]
    per = (" " + r["per_device"]) if r["per_device"] else ""
    rows += [("Total" + per, f"<strong>{bytes_cell(r['total_bytes'], u)}</strong>"),
             (f"{capitalized(r['memory_noun'])} the engine may use ({r['memory_share']:.0%} of "
              f"{gib(r['card_bytes'], u)})", bytes_cell(r["capacity_bytes"], u))]
    source = r["allocatable_source"]
    if source:
        where = (f"<a href=\"{escape(source)}\">a published report</a>" if source.startswith("https://")
                 else f"our own record <code>{escape(source)}</code>")
        allocatable = (f"<p class=\"calc-note\">{gib(r['card_bytes'], u)} is what a program can allocate on "
                       f"{escape(r['gpu'])}, less than the {gib(r['label_bytes'], u)} on its label (the driver "
                       f"keeps some, ECC takes a share); from {where}: “{escape(r['allocatable_quote'])}”. It "
                       "varies a little with the driver, ECC mode and operating system.</p>")
    else:
        allocatable = (f"<p class=\"calc-note\">Counted at the {gib(r['label_bytes'], u)} on the label: we know "
                       f"of no published report of what a program can allocate on {escape(r['gpu'])}, which is "
                       "usually a little less.</p>")
    verdict = "Fits" if r["fits"] else "Does not fit"
    margin = (f"{gib(r['free_bytes'], u)} free{per}" if r["fits"] else f"{gib(-r['free_bytes'], u)} short{per}")
    share_note = ("<p class=\"calc-note\">A serving engine does not give the model all of the memory: vLLM takes "
                  "the share set by <code>--gpu-memory-utilization</code>, 0.9 by default "
                  "(<a href=\"https://docs.vllm.ai/en/stable/configuration/engine_args.html\">vLLM engine "
                  "arguments</a>), and fills what the model leaves with KV cache. Set 1 (100%) for a runtime "
                  "that may use all of it.</p>")
    model_context = r["model_context"]
    if r["context_capped"] and model_context and r["max_context"] == model_context:
        capped = " (the model's own limit, from its config.json; memory would allow more)"
    elif r["context_capped"]:
        capped = " (the calculator stops counting there)"
    else:
        capped = ""
    beyond = beyond_model_context_html(r["context"], model_context)
    limits = (f"<p>Largest context at {counted(r['batch'], 'sequence')}: <strong>{r['max_context']:,}</strong> "
              f"tokens{capped}. Largest number of sequences at {counted(r['context'], 'token')}: "
              f"<strong>{r['max_batch']:,}</strong>.</p>{beyond}{share_note}{allocatable}")
    advice = ""
    if r["suggestions"]:
        items = "".join(
            (f"<li><a href=\"{escape(s['link'])}\">{escape(s['text'])}</a>" if s["link"] else f"<li>{escape(s['text'])}")
            + f" <span class=\"calc-cost\">(costs {escape(s['cost'])})</span></li>" for s in r["suggestions"])
        advice = ("<p>Each of these alone would make it fit, cheapest first; a link opens this page with the "
                  f"change made:</p><ol class=\"calc-advice\">{items}</ol>")
    elif not r["fits"]:
        advice = ("<p>No single change makes it fit (a smaller KV cache or weights, fewer sequences, a shorter "
                  "context, more GPUs or a bigger card): combine them.</p>")
    return (f"<p class=\"calc-headline calc-{'fits' if r['fits'] else 'nofit'}\"><strong>{verdict}</strong>: "
            f"{escape(r['model'])}, {escape(r['format_label'])} weights and {escape(r['kv_label'])} KV cache on "
            f"{r['gpus']:,} × {escape(r['gpu'])}, {margin}.</p>{rows_table(rows)}{limits}{advice}{_fit_speed(r)}")


def _fit_speed(r) -> str:
    """The decode bound at these inputs and what a million generated tokens cost at it."""
    if r["decode_tokens_per_s"] is None:
        return (f"<p>{escape(r['gpu'])} has no published peak compute rate, so there is no decode speed bound "
                "to give.</p>")
    hour = "GPU-hour" if r["per_device"] else "hour"
    where = escape(r["gpu"]) if r["gpus"] == 1 else f"{r['gpus']:,} × {escape(r['gpu'])}"
    speed = (f"<p>Decoding {counted(r['batch'], 'sequence')} that each hold the full {counted(r['context'], 'token')}, "
             f"{where} can generate at most <strong>{rate(r['decode_tokens_per_s'])} tokens/s</strong> in all "
             f"({seconds(r['decode_step_s'])} per step, {r['decode_bound']}-bound; the "
             f"<a href=\"../roofline/\">roofline</a> bound, which real engines reach a fraction of). A million tokens "
             f"take at least "
             f"{significant(r['gpu_hours_per_million_tokens'])} {hour}s.")
    if r["price_per_gpu_hour"] is None:
        cost = f" Enter a price per {hour} to see what that costs.</p>"
    else:
        cost = (f" At {money(r['price_per_gpu_hour'])} per {hour} that is at least "
                f"<strong>{money(r['cost_per_million_tokens'])} per million tokens</strong>; a real engine's cost is "
                f"this bound divided by the share of peak bandwidth it reaches.</p>")
    note = ("" if r["fits"] else "<p class=\"calc-note\">As set up now it does not fit, so this speed is not "
            "reachable until it does.</p>")
    return speed + cost + note


def charts(r) -> list:
    size = in_units(r["units"])
    capacity = size(r["capacity_bytes"])
    noun = r["memory_noun"]
    column = r["per_device"] or "total"
    traces = [{"type": "bar", "name": label, "x": [column], "y": [size(r["stack"][key])]}
              for key, label in FIT_PARTS]
    # The dashed line across the plot is a shape; this trace gives it a legend entry and a row in the table.
    traces.append({"type": "scatter", "mode": "lines", "name": capitalized(noun), "x": [column],
                   "y": [capacity], "line": {"dash": "dash", "color": CAPACITY_COLOUR}})
    line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": capacity, "y1": capacity,
            "line": {"dash": "dash", "color": CAPACITY_COLOUR, "width": 2}}
    on_gpus = bool(r["per_device"])
    title = "Memory per GPU against the card's capacity" if on_gpus else f"Memory needed against the {noun}"
    return [figure("fit-memory", title, traces, {"title": ""},
                   {"title": r["units"]}, x_title="GPU" if on_gpus else "device", barmode="stack", bargap=0.5,
                   shapes=[line], legend=dict(STACK_LEGEND))]


# The option of this command that sets each input a lever changes.
CLI_OPTIONS = {"kv_format": "--kv-format", "format": "--format", "batch": "--batch", "context": "--context",
               "gpus": "--gpus", "gpu": "--gpu"}


def run(args):
    size = cli_args.sizer(args)
    arch = cli_args.load_model(args)
    gpu = accelerator(args.gpu)
    result = fitting.fit(arch, weight_format(args.format), kv_format(args.kv_format), gpu, args.gpus,
                            args.context, args.batch, args.block_size, args.prefill_chunk, args.memory_share)
    levers = [] if result.fits else _suggestions(arch, args.format, args.kv_format, gpu, result.num_gpus,
                                                 args.context, args.batch, result, args.memory_share, {},
                                                 args.block_size, args.prefill_chunk)
    suggestions = [{"text": lever["text"], "cost": lever["cost"], "changes": lever["changes"],
                    "options": " ".join(f"{CLI_OPTIONS[key]} {value}" for key, value in lever["changes"].items())}
                   for lever in levers]
    speed = decode_bound(arch, args.format, args.kv_format, gpu, args.batch, args.context, result.num_gpus,
                         args.price)
    data = {"model": cli_args.model_json(arch), "gpu": gpu.id, **as_dict(result),
            "per_gpu_total": result.per_gpu.total, "suggestions": suggestions, "price_per_gpu_hour": args.price,
            **speed}
    stack = result.per_gpu
    verdict = "fits" if result.fits else "does NOT fit"
    lines = [f"{arch.name} on {result.num_gpus:,} x {gpu.name}: {verdict}",
             *cli_args.table([("weights", size(stack.weights)), ("KV cache", size(stack.kv_cache)),
                              ("activations (estimate)", size(stack.activations)),
                              ("runtime overhead (estimate)", size(stack.overhead)),
                              ("total " + (gpu.per_device or "needed"), size(stack.total)),
                              (f"{gpu.memory_noun} usable ({result.memory_utilization:.0%} of "
                               f"{size(result.card_bytes)})", size(result.capacity_bytes))]),
             f"largest context at batch {args.batch}: {result.max_context:,} tokens"
             + (" (the model's own limit)" if result.model_context and result.max_context == result.model_context
                else ""),
             f"largest batch at context {args.context:,}: {result.max_batch:,}"]
    lines += beyond_model_context_lines(args.context, result.model_context)
    if suggestions:
        lines.append("each of these alone would make it fit, cheapest first:")
        lines += [f"  {n}. {s['text']} (costs {s['cost']}): {s['options']}" for n, s in enumerate(suggestions, 1)]
    elif not result.fits:
        lines.append("no single change makes it fit (a smaller KV cache or weights, fewer sequences, a shorter "
                     "context, more GPUs or a bigger card): combine them")
    lines += _speed_lines(speed, gpu, args, result.fits)
    return data, "\n".join(lines)


def _speed_lines(speed: dict, gpu, args, fits: bool) -> list:
    if speed["decode_tokens_per_s"] is None:
        return [f"decode bound: none, {gpu.name} has no published peak compute rate"]
    hour = "GPU-hour" if gpu.per_device else "hour"
    lines = [f"decode bound: at most {rate(speed['decode_tokens_per_s'])} tokens/s over "
             f"{counted(args.batch, 'sequence')} of {counted(args.context, 'token')} "
             f"({seconds(speed['decode_step_s'])} per step, {speed['decode_bound']}-bound); a million tokens take at "
             f"least {significant(speed['gpu_hours_per_million_tokens'])} {hour}s"]
    if speed["cost_per_million_tokens"] is not None:
        lines.append(f"  at {money(args.price)} per {hour}: at least {money(speed['cost_per_million_tokens'])} per "
                     "million tokens")
    if not fits:
        lines.append("  not reachable as set up: it does not fit")
    return lines


def _price(text: str) -> float:
    """argparse type for --price: a number of any currency per GPU-hour, "2.50" or "$2.50"."""
    return cli_args.number_between(_price_text(text), 0.0, MAX_PRICE, "price per GPU-hour")


def arguments(sub):
    cli_args.add_model(sub)
    cli_args.add_units(sub)
    sub.add_argument("--format", default="bf16")
    sub.add_argument("--kv-format", default="bf16")
    sub.add_argument("--gpu", default="h100-sxm", help="GPU id (see `gpus`)")
    sub.add_argument("--gpus", type=cli_args.whole, default=1, help="number of GPUs")
    sub.add_argument("--context", type=cli_args.tokens, default=4096)
    sub.add_argument("--batch", type=cli_args.whole, default=1)
    sub.add_argument("--block-size", type=cli_args.whole, default=0)
    sub.add_argument("--prefill-chunk", type=cli_args.whole, default=fitting.DEFAULT_PREFILL_CHUNK,
                     help="prompt tokens per forward pass (0: every prompt at once)")
    sub.add_argument("--memory-share", type=cli_args.share, default=fitting.DEFAULT_MEMORY_UTILIZATION,
                     help="share of each GPU's memory the engine may use, 0.9 or 90%% (vLLM's "
                          "--gpu-memory-utilization, 0.9 by default)")
    sub.add_argument("--price", type=_price, default=None,
                     help="price per GPU-hour, any currency, for the cost of a million tokens at the decode bound")


PAGE = Page(
    name="fit", path="calculators/will-it-fit", title="Will it fit", order=30,
    fields=(Field("model", "Model", "model", "llama-3.1-70b"),
            Field("format", "Weight format", "format", "awq-int4-g128"),
            Field("kv_format", "KV-cache format", "kv_format", "bf16"), Field("gpu", "GPU", "gpu", "l40s"),
            Field("gpus", "Number of GPUs", "number", "2"),
            Field("context", "Context length (tokens; 128k = 131,072)", "tokens", "32768"),
            Field("batch", "Concurrent sequences", "number", "16"),
            Field("memory_share", "Share of GPU memory the engine may use (0.9 or 90%)", "text",
                  f"{DEFAULT_MEMORY_UTILIZATION:g}"),
            Field("price", "Price per GPU-hour (optional, any currency)", "text", ""),
            Field("units", "Units", "units", "GiB")),
    compute=compute, render=render, charts=charts,
    command=Command("will it fit on N GPUs (tensor parallel)", arguments, run))
