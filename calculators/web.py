"""The calculators as the site's pages use them: text inputs in, results out.

`compute(page, params)` takes the raw strings of a form or a URL query and
returns a JSON-able dict: the inputs as understood, the result's raw numbers,
the HTML of the result panel (from `render.py`) and its charts as Plotly
figures (from `charts.py`). The same call runs at build time (the pre-rendered
default) and in the browser through Pyodide, so both always agree. Bad input
never raises: it comes back as `errors`, a message per field.
"""

from html import escape
from urllib.parse import urlencode

from .architecture import Architecture
from .errors import CalculatorError
from .fitting import DEFAULT_MEMORY_UTILIZATION, fit, memory_stack, usable_bytes
from .formats import (KV_FORMATS, WEIGHT_FORMATS, kv_format, resolve_kv_format_id, resolve_weight_format_id,
                      weight_format)
from .hardware import ACCELERATORS, accelerator
from .hf_config import architecture_from_config, architecture_from_json
from .kv_cache import kv_cache_bytes
from .playground import GRANULARITIES, MAX_BITS, MIN_BITS, MIN_GROUP, compare, layers, source as playground_source
from . import number_format_page
from .presets import PRESETS, preset
from .roofline import compute_bound_batch, roofline
from .speculative import MAX_DRAFT_TOKENS, speculative_decoding
from .training import METHODS, OPTIMIZER_BYTES, training_memory
from .validate import (MAX_BATCH, MAX_GPUS, MAX_TOKENS, TOKEN_SUFFIXES, exact_whole, share_from_text,
                       tokens_from_text)
from .weights import weight_bytes
from . import wizard_web

MAX_CONFIG_CHARS = 200_000
CUSTOM_FIELDS = ("hidden_size", "num_layers", "num_heads", "num_kv_heads", "head_dim", "intermediate_size",
                 "vocab_size")

# Formats the comparison charts show, in order.
COMPARED_WEIGHT_FORMATS = ("bf16", "fp8-e4m3-channel", "int8-channel", "llm-int8", "gguf-q8-0", "gguf-q6-k",
                           "gguf-q4-k-m", "nf4", "nf4-dq", "awq-int4-g128", "gptq-int4-g128",
                           "int4-tinygemm-g128", "hqq-int4-g64", "gptq-int3-g128", "aqlm-2x8")
COMPARED_KV_FORMATS = ("bf16", "fp8-e4m3", "int8", "int4-g64", "int2-g64")
# Formats the roofline's throughput chart sets beside the chosen one: 16-bit, W8A8 in FP8, 4-bit weight-only.
COMPARED_ROOFLINE_FORMATS = ("bf16", "fp8-e4m3-channel", "awq-int4-g128")

DEFAULTS = {
    "weights": {"model": "llama-3.1-8b", "format": "nf4", "units": "GiB"},
    "kv": {"model": "llama-3.1-8b", "context": "8192", "batch": "1", "kv_format": "bf16", "block_size": "0",
           "units": "GiB"},
    "fit": {"model": "llama-3.1-70b", "format": "awq-int4-g128", "kv_format": "bf16", "gpu": "l40s", "gpus": "2",
            "context": "32768", "batch": "16", "memory_share": f"{DEFAULT_MEMORY_UTILIZATION:g}", "price": "",
            "units": "GiB"},
    "roofline": {"model": "llama-3.1-8b", "format": "bf16", "kv_format": "bf16", "gpu": "h100-sxm", "gpus": "1",
                 "batch": "1", "prompt": "512"},
    "speculative": {"acceptance": "0.8", "draft_tokens": "4", "draft_cost": "0.05"},
    "training": {"model": "llama-3.1-8b", "method": "qlora", "optimizer": "adamw", "sequence": "2048",
                 "batch": "1", "lora_rank": "16", "checkpointing": "on", "units": "GiB"},
    "playground": {"layer": "down_proj", "bits": "8", "scheme": "symmetric", "granularity": "tensor",
                   "group_size": "64", "threshold": "10", "alpha": "0.5"},
    "number_format": number_format_page.DEFAULTS,  # the explorer on learn/number-formats.md
    "wizard": wizard_web.DEFAULTS,
}
# Byte units a page may show: binary, as drivers and memory specs count, or decimal, as model hubs list files
# and vendors label cards.
UNITS = ("GiB", "GB")
MAX_PRICE = 10_000.0  # per GPU-hour, in whatever currency the user thinks in

# Where each calculator lives, relative to another calculator's page, and its name in links.
PAGE_PATHS = {"weights": "weights", "kv": "kv-cache", "fit": "will-it-fit", "roofline": "roofline",
              "speculative": "speculative-decoding", "training": "training-memory"}
PAGE_TITLES = {"weights": "Weight memory", "kv": "KV cache", "fit": "Will it fit", "roofline": "Roofline",
               "speculative": "Speculative decoding", "training": "Training memory"}
# Inputs that mean the same on every page that asks for them, by the name they carry between pages: the
# roofline's prompt length is the context the other pages ask for (it sets the KV cache a decode step reads).
# Choices that also accept other names for their entries.
_FORMAT_NAMES = {"format": resolve_weight_format_id, "kv_format": resolve_kv_format_id}
CARRIED_INPUTS = ("model", "format", "kv_format", "gpu", "gpus", "context", "batch", "units")
CARRIED = CARRIED_INPUTS + CUSTOM_FIELDS + ("tie_embeddings",)  # a custom architecture's sizes travel with it
CARRIED_AS = {"prompt": "context", "concurrency": "batch"}
NOT_CARRIED = {("training", "batch")}  # a training batch is not a number of users being served


def carried_fields(page: str) -> dict:
    """{field of this page: the name it carries between pages} for the inputs that travel."""
    fields = list(DEFAULTS.get(page, ()))
    if "model" in fields:
        fields += list(CUSTOM_FIELDS) + ["tie_embeddings"]
    return {field: CARRIED_AS.get(field, field) for field in fields
            if CARRIED_AS.get(field, field) in CARRIED and (page, field) not in NOT_CARRIED}
CUSTOM_DEFAULTS = {"hidden_size": "4096", "num_layers": "32", "num_heads": "32", "num_kv_heads": "8",
                   "head_dim": "128", "intermediate_size": "14336", "vocab_size": "128256"}


class _Inputs:
    """Reads one form's strings, collecting an error per field instead of stopping at the first."""

    def __init__(self, page: str, params: dict):
        self.raw = {**DEFAULTS[page], **{k: v for k, v in params.items() if isinstance(v, str)}}
        self.values = {}
        self.errors = {}
        self.notes = []  # said above the result

    def fail(self, field, message):
        self.errors.setdefault(field, message)

    def text(self, field, limit=200):
        value = self.raw.get(field, "")
        if len(value) > limit:
            self.fail(field, f"too long (more than {limit:,} characters)")
            return None
        self.values[field] = value
        return value

    def whole(self, field, minimum, maximum, label, tokens=False):
        text = self.raw.get(field, "").strip().replace(",", "").replace("_", "")
        self.values[field] = self.raw.get(field, "")[:40]
        if not text:
            self.fail(field, f"enter the {label}")
            return None
        if tokens and text[-1:].lower() in TOKEN_SUFFIXES:  # "128k" = 131,072 tokens, as model cards write it
            try:
                text = str(tokens_from_text(text, field))
            except CalculatorError as error:
                self.fail(field, str(error))
                return None
        if text.startswith("-") and text[1:].isdigit():
            self.fail(field, f"the {label} must be at least {minimum:,}")
            return None
        written = exact_whole(text)  # digits, or exact scientific notation ("1e6")
        if written is not None:
            text = str(written)
        if not text.isdigit():
            self.fail(field, f"the {label} must be a whole number (digits, or 1e6)")
            return None
        if len(text) > 12 or int(text) > maximum:
            self.fail(field, f"the {label} must be at most {maximum:,}")
            return None
        number = int(text)
        if number < minimum:
            self.fail(field, f"the {label} must be at least {minimum:,}")
            return None
        return number

    def number(self, field, minimum, maximum, label):
        text = self.raw.get(field, "").strip()
        self.values[field] = text[:40]
        try:
            number = float(text)
        except ValueError:
            self.fail(field, f"the {label} must be a number" if text else f"enter the {label}")
            return None
        if not (minimum <= number <= maximum):  # also false for NaN
            self.fail(field, f"the {label} must be between {minimum:g} and {maximum:g}")
            return None
        return number

    def optional_number(self, field, minimum, maximum, label):
        """A number, or None when the field is left empty."""
        if not self.raw.get(field, "").strip():
            self.values[field] = ""
            return None
        return self.number(field, minimum, maximum, label)

    def share(self, field, minimum, maximum, label):
        """A fraction ("0.9") or a percentage ("90%")."""
        text = self.raw.get(field, "").strip()
        self.values[field] = text[:40]
        if not text:
            self.fail(field, f"enter the {label}")
            return None
        try:
            value = share_from_text(text)
        except CalculatorError as error:
            self.fail(field, str(error))
            return None
        if not minimum <= value <= maximum:
            self.fail(field, f"the {label} must be between {minimum:g} and {maximum:g} ({minimum:.0%} to "
                             f"{maximum:.0%})")
            return None
        return value

    def choice(self, field, choices, label):
        value = self.raw.get(field, "")
        if value not in choices and field in _FORMAT_NAMES:  # old ids and llama.cpp names ("Q4_K_M", "q8_0")
            value = _FORMAT_NAMES[field](value) or value
        self.values[field] = value[:60]
        if value not in choices:
            self.fail(field, f"unknown {label}; pick one from the list")
            return None
        return value

    def flag(self, field):
        value = self.raw.get(field, "") in ("on", "1", "true", "yes")
        self.values[field] = "on" if value else ""
        return value


def _model(inputs: _Inputs) -> Architecture | None:
    choices = set(PRESETS) | {"custom", "config"}
    model = inputs.choice("model", choices, "model")
    if model is None:
        return None
    if model == "config":
        text = inputs.text("config", MAX_CONFIG_CHARS)
        if text is None:
            return None
        if not text.strip():
            inputs.fail("config", "paste a config.json")
            return None
        try:
            arch = architecture_from_json(text, name="pasted config.json")
        except CalculatorError as error:
            inputs.fail("config", str(error))
            return None
        if arch.text_model_of:
            inputs.notes.append(f"This config.json describes a multimodal model (model_type "
                                f"'{arch.text_model_of}'): only its text model is counted, not its vision "
                                "encoder or projector.")
        return arch
    if model == "custom":
        return _custom_model(inputs)
    return preset(model).architecture


def _custom_model(inputs: _Inputs) -> Architecture | None:
    for field, default in CUSTOM_DEFAULTS.items():
        inputs.raw.setdefault(field, default)
    sizes = {field: inputs.whole(field, 1, 1 << 22, field.replace("_", " ")) for field in CUSTOM_FIELDS}
    tie = inputs.flag("tie_embeddings")
    if None in sizes.values():
        return None
    config = {"model_type": "llama", "hidden_size": sizes["hidden_size"], "num_hidden_layers": sizes["num_layers"],
              "num_attention_heads": sizes["num_heads"], "num_key_value_heads": sizes["num_kv_heads"],
              "head_dim": sizes["head_dim"], "intermediate_size": sizes["intermediate_size"],
              "vocab_size": sizes["vocab_size"], "tie_word_embeddings": tie}
    try:
        return architecture_from_config(config, name="custom architecture")
    except CalculatorError as error:
        field = {"num_key_value_heads": "num_kv_heads", "num_attention_heads": "num_heads"}.get(error.field,
                                                                                                 error.field)
        inputs.fail(field if field in CUSTOM_FIELDS else "num_kv_heads", str(error).split(": ", 1)[-1])
        return None


# -- one function per page: inputs -> raw result and chart series -------------

def _weights(inputs):
    arch = _model(inputs)
    fmt = inputs.choice("format", WEIGHT_FORMATS, "weight format")
    units = inputs.choice("units", UNITS, "unit")
    if inputs.errors:
        return None
    fmt = weight_format(fmt)
    result = weight_bytes(arch, fmt)
    compared = COMPARED_WEIGHT_FORMATS + (() if fmt.id in COMPARED_WEIGHT_FORMATS else (fmt.id,))
    comparison = [{"format": f, "label": weight_format(f).label, "short_label": weight_format(f).short_label,
                   "total_bytes": weight_bytes(arch, weight_format(f)).total_bytes}
                  for f in compared]
    return {"units": units, "model": arch.name, "format": fmt.id, "format_label": fmt.label,
            "format_short_label": fmt.short_label, "format_source": fmt.source,
            "format_notes": fmt.notes, "params": result.params, "active_params": result.active_params,
            "is_moe": arch.is_moe, "parts": result.by_part, "metadata_bytes": result.metadata_bytes,
            "total_bytes": result.total_bytes, "active_bytes": result.active_bytes,
            "bits_per_param": result.bits_per_param, "comparison": comparison}


def _kv(inputs):
    arch = _model(inputs)
    context = inputs.whole("context", 1, MAX_TOKENS, "context length", tokens=True)
    batch = inputs.whole("batch", 1, MAX_BATCH, "number of sequences")
    fmt = inputs.choice("kv_format", KV_FORMATS, "KV-cache format")
    block = inputs.whole("block_size", 0, 1 << 16, "block size")
    units = inputs.choice("units", UNITS, "unit")
    if inputs.errors:
        return None
    result = kv_cache_bytes(arch, kv_format(fmt), context, batch, block)
    top = max(context, 1024)
    points = sorted({max(1, round(top * i / 32)) for i in range(0, 33)})
    series = [{"format": f, "label": kv_format(f).label, "context": points,
               "bytes": [kv_cache_bytes(arch, kv_format(f), c, batch, block).total_bytes for c in points]}
              for f in COMPARED_KV_FORMATS]
    return {"units": units, "model": arch.name, "kv_format": fmt, "kv_label": kv_format(fmt).label, "context": context,
            "batch": batch, "block_size": block, "bytes_per_token": result.bytes_per_token,
            "total_bytes": result.total_bytes, "sliding_layers": result.sliding_layers,
            "full_layers": result.full_layers, "sliding_window": arch.sliding_window, "is_mla": arch.is_mla,
            "series": series}


def _deployment(inputs):
    """The model, weight format, KV-cache format and GPU that several pages ask for."""
    return (_model(inputs), inputs.choice("format", WEIGHT_FORMATS, "weight format"),
            inputs.choice("kv_format", KV_FORMATS, "KV-cache format"), inputs.choice("gpu", ACCELERATORS, "GPU"))


def _fit(inputs):
    arch, fmt, kv, gpu = _deployment(inputs)
    gpus = inputs.whole("gpus", 1, MAX_GPUS, "number of GPUs")
    context = inputs.whole("context", 1, MAX_TOKENS, "context length", tokens=True)
    batch = inputs.whole("batch", 1, MAX_BATCH, "number of concurrent sequences")
    share = inputs.share("memory_share", 0.05, 1.0, "share of GPU memory the engine may use")
    inputs.raw["price"] = inputs.raw.get("price", "").strip().lstrip("$€£¥").strip()  # "$2.50" is 2.50
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
    # The fastest decoding can go: every sequence at the full context, so each step reads the most KV cache.
    try:
        speed = roofline(arch, weight_format(fmt), kv_format(kv), card, batch, context, num_gpus=gpus)
    except CalculatorError:  # a device with no published peak rate has no bound to give
        speed = None
    hours_per_million = 1e6 / speed.tokens_per_s / 3600 if speed else None
    return {"units": units, "model": arch.name, "gpu": card.name, "gpus": gpus, "context": context, "batch": batch,
            "decode_tokens_per_s": speed and speed.tokens_per_s, "decode_step_s": speed and speed.tpot_s,
            "decode_bound": speed and speed.decode.bound, "price_per_gpu_hour": price,
            "cost_per_million_tokens": None if price is None or not speed else price * gpus * hours_per_million,
            "gpu_hours_per_million_tokens": speed and gpus * hours_per_million,
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


# Weight formats tried when the weights must shrink, from the least quality lost to the most (8-bit, then
# 4-bit with calibration, 4-bit without, a 4-bit GGUF mix, 3-bit): the first that fits is offered.
SMALLER_WEIGHTS = {"fp8-e4m3-channel": "8-bit", "awq-int4-g128": "4-bit", "nf4-dq": "4-bit",
                   "gguf-q4-k-m": "mostly 4-bit", "gptq-int3-g128": "3-bit"}
# Catalog kinds a "bigger card" may come from: a card of the same kind and vendor, so a gaming GPU is not told
# to become a datacenter part, a CUDA setup is not told to move to ROCm, and a CPU is not told to become a GPU.
_CARD_KINDS = ("datacenter-gpu", "workstation-gpu", "consumer-gpu")


def _suggestions(arch, fmt, kv, card, gpus, context, batch, result, share, raw):
    """Every lever that makes it fit on its own, each checked with the same memory stack and capacity as the
    verdict, ranked by what it costs: first what costs a little quality (the KV cache, then the weights),
    then what costs service (fewer sequences, a shorter context), then what costs hardware. Each comes with
    the inputs that apply it, as a link to this page."""
    # The verdict's own test (per-GPU total within the usable share) without fit()'s searches for the limits.
    def fits(weights=fmt, cache=kv, n=gpus, device=card):
        return memory_stack(arch, weight_format(weights), kv_format(cache), context, batch, n).total \
            <= usable_bytes(device, share)

    # The fields of this page (and a custom architecture's sizes), whatever else the form or URL sent along;
    # a pasted config.json is too long for a link, so such a model gets no links.
    fields = list(DEFAULTS["fit"]) + (list(CUSTOM_FIELDS) if raw.get("model") == "custom" else [])

    def lever(text, cost, **changes):
        inputs = {key: raw[key] for key in fields if key in raw}
        inputs.update({key: str(value) for key, value in changes.items()})
        link = "?" + urlencode(inputs) if raw.get("model") != "config" else ""
        return {"text": text, "cost": cost, "link": link}

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
        levers.append(lever(f"serve at most {result.max_batch:,} sequences at once at this context",
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


def _roofline(inputs):
    arch, fmt, kv, gpu = _deployment(inputs)
    gpus = inputs.whole("gpus", 1, MAX_GPUS, "number of GPUs")
    batch = inputs.whole("batch", 1, MAX_BATCH, "batch size")
    prompt = inputs.whole("prompt", 1, 1 << 20, "prompt length", tokens=True)
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
            "sweep": sweep(fmt, memory.max_batch), "compared": others}


def _speculative(inputs):
    alpha = inputs.number("acceptance", 0.0, 1.0, "acceptance rate")
    gamma = inputs.whole("draft_tokens", 0, MAX_DRAFT_TOKENS, "draft length")
    cost = inputs.number("draft_cost", 0.0, 1.0, "draft cost")
    if inputs.errors:
        return None
    result = speculative_decoding(alpha, gamma, cost)
    lengths = list(range(0, 17))
    curve = [speculative_decoding(alpha, g, cost) for g in lengths]
    best = max(curve, key=lambda r: r.speedup)
    return {"acceptance": alpha, "draft_tokens": gamma, "draft_cost": cost,
            "expected_tokens": result.expected_tokens_per_step, "speedup": result.speedup,
            "best_draft_tokens": best.draft_tokens, "best_speedup": best.speedup,
            "curve": {"draft_tokens": lengths, "speedup": [r.speedup for r in curve],
                      "expected_tokens": [r.expected_tokens_per_step for r in curve]}}


def _training(inputs):
    arch = _model(inputs)
    method = inputs.choice("method", METHODS, "method")
    optimizer = inputs.choice("optimizer", OPTIMIZER_BYTES, "optimizer")
    sequence = inputs.whole("sequence", 1, 1 << 20, "sequence length", tokens=True)
    batch = inputs.whole("batch", 1, 4096, "batch size")
    rank = inputs.whole("lora_rank", 1, 4096, "LoRA rank")
    checkpointing = inputs.flag("checkpointing")
    units = inputs.choice("units", UNITS, "unit")
    if inputs.errors:
        return None
    rows = {m: training_memory(arch, m, sequence, batch, optimizer, rank, checkpointing) for m in METHODS}
    chosen = rows[method]
    return {"units": units, "model": arch.name, "method": method, "optimizer": optimizer, "sequence": sequence,
            "batch": batch,
            "lora_rank": rank, "checkpointing": checkpointing,
            "methods": {m: {"weights": r.weights, "gradients": r.gradients, "optimizer_states": r.optimizer_states,
                            "master_weights": r.master_weights, "activations": r.activations, "logits": r.logits,
                            "total": r.total, "trainable_params": r.trainable_params} for m, r in rows.items()},
            "total_bytes": chosen.total}


def _playground(inputs):
    layer = inputs.choice("layer", layers(), "layer")
    bits = inputs.whole("bits", MIN_BITS, MAX_BITS, "bit width")
    scheme = inputs.choice("scheme", ("symmetric", "asymmetric"), "scheme")
    granularity = inputs.choice("granularity", GRANULARITIES, "granularity")
    group = inputs.whole("group_size", MIN_GROUP, 1 << 20, "group size")
    threshold = inputs.number("threshold", 0.01, 1e6, "outlier threshold")
    alpha = inputs.number("alpha", 0.0, 1.0, "migration strength")
    if layer is None or group is None:
        return None
    width = len(layers()[layer]["activation"])
    if width % group:
        fits = ", ".join(str(g) for g in range(MIN_GROUP, width + 1) if width % g == 0 and g >= 16)
        inputs.fail("group_size", f"the group size must divide the row length, {width:,}: try {fits}")
    if inputs.errors:
        return None
    sample = layers()[layer]
    runs = compare(layer, bits, scheme == "symmetric", group, threshold, alpha)
    chosen = runs[granularity]
    shown = 96  # weights of the first row drawn in the chart
    source = playground_source()
    return {"model": source["model"], "params": source["params"], "steps": source["steps"],
            "tokens_run": source["tokens_run"],
            "layer": layer, "layer_label": sample["label"], "module": sample["name"], "shape": sample["shape"],
            "rows": len(sample["rows"]), "width": width, "token_position": sample["token_position"],
            "largest": max(abs(x) for x in sample["activation"]),
            "median": sorted(abs(x) for x in sample["activation"])[width // 2],
            "bits": bits, "scheme": scheme, "granularity": granularity, "group_size": group,
            "threshold": threshold, "alpha": alpha,
            "runs": {g: {k: v for k, v in run.items() if k not in ("row0", "activation_values")}
                     for g, run in runs.items()},
            "row0": sample["rows"][0][:shown], "row0_quantized": [round(v, 8) for v in chosen["row0"][:shown]],
            "activation": sample["activation"],
            "activation_quantized": [round(v, 6) for v in chosen["activation_values"]]}


def _wizard(inputs):
    return wizard_web.page_result(inputs, _model)


PAGES = {"weights": _weights, "kv": _kv, "fit": _fit, "roofline": _roofline, "speculative": _speculative,
         "training": _training, "playground": _playground,
         "number_format": number_format_page.compute, "wizard": _wizard}


def compute(page: str, params: dict) -> dict:
    """{"ok", "page", "inputs", "errors", "result", "html", "charts"}; never raises on bad input. "charts" is
    the result's figures (`charts.figures`), empty when the inputs are not valid."""
    from .charts import figures
    from .render import render_result

    if page not in PAGES:
        return {"ok": False, "page": str(page)[:40], "inputs": {}, "errors": {"page": "unknown calculator"},
                "result": None, "html": "", "charts": []}
    inputs = _Inputs(page, params if isinstance(params, dict) else {})
    try:
        result = PAGES[page](inputs)
    except CalculatorError as error:  # a limit only the combination of inputs reaches
        inputs.fail(error.field or "model", str(error))
        result = None
    ok = result is not None and not inputs.errors
    notes = "".join(f"<p class=\"calc-note\">{escape(note)}</p>" for note in inputs.notes)
    # The wizard links each of its answers to the calculators itself (calculators/wizard_web.py).
    links = related_links(page, inputs.values) if page in PAGE_PATHS else ""
    html = notes + render_result(page, result) + links if ok else ""
    return {"ok": ok, "page": page, "inputs": inputs.values, "errors": inputs.errors,
            "result": result if ok else None, "html": html, "charts": figures(page, result) if ok else []}


def related_links(page: str, values: dict) -> str:
    """Links to the other calculators with the inputs they share with this one, as this page understood them.
    A pasted config.json is too long for an address: the link says model=config, and the page it opens takes
    the config from the browser's storage (calculators.js)."""
    if not carried_fields(page):
        return ""
    carried = {name: values[field] for field, name in carried_fields(page).items() if field in values}
    if carried.get("model") != "custom":
        carried = {name: value for name, value in carried.items() if name in CARRIED_INPUTS}
    links = []
    for other in PAGE_PATHS:
        fields = {name: field for field, name in carried_fields(other).items()}
        query = {fields[name]: value for name, value in carried.items()
                 if name in fields and value != DEFAULTS[other].get(fields[name], "")}
        if other != page and fields:
            address = f"../{PAGE_PATHS[other]}/" + ("?" + urlencode(query) if query else "")
            links.append(f"<a href=\"{escape(address)}\">{escape(PAGE_TITLES[other])}</a>")
    if not links:
        return ""
    return f"<p class=\"calc-related\">The same inputs in the other calculators: {' · '.join(links)}.</p>"


def options() -> dict:
    """The choices every select offers, for building forms."""
    return {
        "model": [(p.id, p.name) for p in PRESETS.values()] + [("custom", "Custom architecture"),
                                                                ("config", "Paste a config.json (or fetch one from the Hub)")],
        "format": [(f.id, f.label) for f in WEIGHT_FORMATS.values()],
        "units": [("GiB", "GiB (binary: drivers, memory specs)"), ("GB", "GB (decimal: model hubs, GPU boxes)")],
        "kv_format": [(f.id, f.label) for f in KV_FORMATS.values()],
        "gpu": [(g.id, g.name) for g in ACCELERATORS.values()],
        "method": [("full", "Full fine-tuning"), ("lora", "LoRA"), ("qlora", "QLoRA")],
        "optimizer": [(o, o) for o in OPTIMIZER_BYTES],
        "layer": [(key, f"{layer['label']} ({len(layer['activation']):,} inputs)") for key, layer in layers().items()],
        "scheme": [("symmetric", "Symmetric (zero point 0)"), ("asymmetric", "Asymmetric (with a zero point)")],
        "granularity": list(GRANULARITIES.items()),
        "goal": wizard_web.GOAL_CHOICES,
        "priority": wizard_web.PRIORITY_CHOICES,
    }


FORMAT_GROUP_ORDER = ("16- and 32-bit", "8-bit", "bitsandbytes", "GPTQ and AWQ", "Group-wise integer",
                      "4-bit floating point", "GGUF (llama.cpp)", "EXL2 (ExLlamaV2)", "Codebooks (AQLM)")


def option_groups() -> dict:
    """{select: [(heading, [(value, label), ...]), ...]} for the selects listed under headings."""
    formats = {group: [] for group in FORMAT_GROUP_ORDER}
    for f in WEIGHT_FORMATS.values():
        formats[f.group].append((f.id, f.label))
    return {"format": [(group, choices) for group, choices in formats.items() if choices]}
