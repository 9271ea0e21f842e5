"""HTML for the calculator pages: the forms and the result panels.

Rendered by the same Python at build time and in the browser, so the first
paint and every live update agree. Every value that came from a user passes
through `html.escape`; nothing here builds markup from unescaped input.
"""

from html import escape

from . import number_format_page
from .architecture import PARTS
from . import wizard_web
from .web import CUSTOM_DEFAULTS, CUSTOM_FIELDS, DEFAULTS, carried_fields, option_groups, options

PART_LABELS = {"embedding": "Embeddings", "attention": "Attention", "mlp": "MLP", "experts": "Routed experts",
               "shared_experts": "Shared experts", "router": "Routers", "norms": "Norms", "lm_head": "LM head"}
METADATA_LABEL = "Quantization metadata"
# (key of the result's "stack", label) for the memory a GPU holds on the fit page.
FIT_PARTS = (("weights", "Weights"), ("kv_cache", "KV cache"), ("activations", "Activations and kernel workspace (estimate)"),
             ("overhead", "Runtime overhead (estimate)"))
METHOD_LABELS = {"full": "Full fine-tuning", "lora": "LoRA", "qlora": "QLoRA"}
# (key of a training method's row, label) for the memory training holds, total excluded.
TRAINING_PARTS = (("weights", "Weights"), ("gradients", "Gradients"), ("optimizer_states", "Optimizer states"),
                  ("master_weights", "FP32 master weights"), ("activations", "Activations (estimate)"),
                  ("logits", "Logits (estimate)"))


SCALES = {  # the page's unit: the prefixes it writes sizes in, largest first
    "GiB": (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)),
    "GB": (("TB", 10 ** 12), ("GB", 10 ** 9), ("MB", 10 ** 6), ("kB", 10 ** 3)),
}


def gib(n: float, units: str = "GiB") -> str:
    """Bytes in binary units, as drivers and memory specs report them, or in decimal ones (units="GB"), as
    model hubs list files and vendors label cards."""
    for unit, scale in SCALES[units]:
        if abs(n) >= scale:
            return f"{n / scale:,.2f} {unit}"
    return f"{n:,.0f} B"


def seconds(s: float) -> str:
    if s >= 1:
        return f"{s:,.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:,.2f} ms"
    return f"{s * 1e6:,.1f} µs"


def _rows(rows) -> str:
    body = "".join(f"<tr><th scope=\"row\">{escape(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return f"<table class=\"calc-table\"><tbody>{body}</tbody></table>"


def _bytes_cell(n: int, units: str = "GiB") -> str:
    return f"{gib(n, units)} <span class=\"calc-exact\">({n:,} bytes)</span>"


def _weights(r) -> str:
    u = r["units"]
    rows = [(PART_LABELS[p], _bytes_cell(r["parts"][p], u)) for p in PARTS if r["parts"][p]]
    rows.append((METADATA_LABEL, _bytes_cell(r["metadata_bytes"], u)))
    rows.append(("Total", f"<strong>{_bytes_cell(r['total_bytes'], u)}</strong>"))
    params = f"{r['params']:,} parameters"
    if r["is_moe"]:
        params += f", {r['active_params']:,} active per token ({gib(r['active_bytes'], u)} read per token)"
    notes = f"<p class=\"calc-note\">{escape(r['format_notes'])}</p>" if r["format_notes"] else ""
    return (f"<p class=\"calc-headline\"><strong>{gib(r['total_bytes'], u)}</strong> for {escape(r['model'])} in "
            f"{escape(r['format_label'])}: {r['bits_per_param']:.3f} bits per parameter.</p>"
            f"<p>{params}.</p>{_rows(rows)}"
            f"<p class=\"calc-source\">Layout: {escape(r['format_source'])}.</p>{notes}")


def _kv(r) -> str:
    u = r["units"]
    rows = [("Per token, all layers", _bytes_cell(r["bytes_per_token"], u)),
            (f"{r['batch']:,} × {r['context']:,} tokens", f"<strong>{_bytes_cell(r['total_bytes'], u)}</strong>")]
    lines = []
    if r["sliding_layers"]:
        lines.append(f"{r['sliding_layers']} of {r['sliding_layers'] + r['full_layers']} layers keep only the last "
                     f"{r['sliding_window']:,} tokens, so the total grows more slowly than per-token × context.")
    if r["is_mla"]:
        lines.append("This model uses multi-head latent attention: each layer caches one compressed latent per "
                     "token, shared by all heads, as vLLM and SGLang store it.")
    if r["block_size"]:
        lines.append(f"Paged allocation rounds every layer's tokens up to whole blocks of {r['block_size']}.")
    extra = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return (f"<p class=\"calc-headline\"><strong>{gib(r['total_bytes'], u)}</strong> of KV cache in "
            f"{escape(r['kv_label'])} for {escape(r['model'])}.</p>{_rows(rows)}{extra}")


def _fit(r) -> str:
    u = r["units"]
    stack = r["stack"]
    rows = [(label, _bytes_cell(stack[key], u)) for key, label in FIT_PARTS]
    per = (" " + r["per_device"]) if r["per_device"] else ""
    rows += [("Total" + per, f"<strong>{_bytes_cell(r['total_bytes'], u)}</strong>"),
             (f"{capitalized(r['memory_noun'])} the engine may use ({r['memory_share']:.0%} of "
              f"{gib(r['card_bytes'], u)})", _bytes_cell(r["capacity_bytes"], u))]
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
    beyond = (f"<p class=\"calc-note\">{r['context']:,} tokens is beyond the {model_context:,} tokens this model "
              "was made for (max_position_embeddings in its config.json).</p>"
              if model_context and r["context"] > model_context else "")
    limits = (f"<p>Largest context at {r['batch']:,} sequences: <strong>{r['max_context']:,}</strong> tokens"
              f"{capped}. Largest number of sequences at {r['context']:,} tokens: "
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
            f"{r['gpus']} × {escape(r['gpu'])}, {margin}.</p>{_rows(rows)}{limits}{advice}{_fit_speed(r)}")


def _fit_speed(r) -> str:
    """The decode bound at these inputs and what a million generated tokens cost at it."""
    if r["decode_tokens_per_s"] is None:
        return (f"<p>{escape(r['gpu'])} has no published peak compute rate, so there is no decode speed bound "
                "to give.</p>")
    sequences = f"{r['batch']:,} sequence" + ("s" if r["batch"] != 1 else "")
    hour = "GPU-hour" if r["per_device"] else "hour"
    where = escape(r["gpu"]) if r["gpus"] == 1 else f"{r['gpus']} × {escape(r['gpu'])}"
    speed = (f"<p>Decoding {sequences} that each hold the full {r['context']:,} tokens, {where} can generate at most "
             f"<strong>{r['decode_tokens_per_s']:,.1f} tokens/s</strong> in all ({seconds(r['decode_step_s'])} "
             f"per step, {r['decode_bound']}-bound; the <a href=\"../roofline/\">roofline</a> bound, which real "
             f"engines reach a fraction of). A million tokens take at least "
             f"{r['gpu_hours_per_million_tokens']:,.3g} {hour}s.")
    if r["price_per_gpu_hour"] is None:
        cost = f" Enter a price per {hour} to see what that costs.</p>"
    else:
        cost = (f" At {r['price_per_gpu_hour']:,.2f} per {hour} that is at least "
                f"<strong>{r['cost_per_million_tokens']:,.3f} per million tokens</strong>; a real engine's cost is "
                f"this bound divided by the share of peak bandwidth it reaches.</p>")
    note = ("" if r["fits"] else "<p class=\"calc-note\">As set up now it does not fit, so this speed is not "
            "reachable until it does.</p>")
    return speed + cost + note


def capitalized(noun: str) -> str:
    """'GPU memory' and 'system memory' at the start of a label."""
    return noun[:1].upper() + noun[1:]


def _roofline(r) -> str:
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
        headline = (f"<p class=\"calc-headline\">At best <strong>{r['tokens_per_s']:,.1f} tokens/s</strong> "
                    f"({seconds(r['tpot_s'])} per output token) and a first token after {seconds(r['ttft_s'])}, for "
                    f"{escape(r['model'])} in {escape(r['format_label'])} on {where} at batch {r['batch']:,}.</p>")
    else:
        largest = (f"the largest batch that fits at this prompt length is {r['max_batch']:,}" if r["max_batch"]
                   else "not even one sequence fits")
        headline = (f"<p class=\"calc-headline calc-nofit\"><strong>Not reachable</strong>: {escape(r['model'])} "
                    f"in {escape(r['format_label'])} at batch {r['batch']:,} does not fit in "
                    f"{r['memory_share']:.0%} of the memory of {where} ({gib(-r['free_bytes'])} short{per}; "
                    f"{largest}). The bounds below are for a machine with the memory: at best "
                    f"{r['tokens_per_s']:,.1f} tokens/s.</p>")
    parallel = ("<p class=\"calc-note\">On several GPUs the bounds assume an ideal split of the work and leave out "
                "the all-reduces between the cards, so they are lower bounds still.</p>" if gpus > 1 else "")
    left_out = [sweep["label"] for sweep in [r["sweep"]] + r["compared"] if not sweep["fits"]]
    if left_out:
        names = " and ".join([", ".join(left_out[:-1]), left_out[-1]] if len(left_out) > 1 else left_out)
        parallel += (f"<p class=\"calc-note\">The batch chart has no curve for {escape(names)}: not even one "
                     "sequence fits in memory with "
                     f"{'those weights' if len(left_out) > 1 else 'that format'} here.</p>")
    return (f"{headline}{_rows(rows)}<p>{escape(turn)}</p>{note}{parallel}"
            "<p class=\"calc-note\">Lower bounds from the card's peak rates; real kernels reach a fraction of "
            "both peaks. The batch chart ends where memory runs out (the will-it-fit check).</p>")


def _speculative(r) -> str:
    rows = [("Expected tokens per target step", f"{r['expected_tokens']:.3f}"),
            ("Expected speedup", f"<strong>{r['speedup']:.3f}×</strong>"),
            ("Best draft length (0–16)", f"{r['best_draft_tokens']} tokens, {r['best_speedup']:.3f}×")]
    slower = "<p>With these settings speculation slows decoding down.</p>" if r["speedup"] < 1 else ""
    return (f"<p class=\"calc-headline\"><strong>{r['speedup']:.2f}× faster</strong> decoding with "
            f"{r['draft_tokens']} draft tokens at acceptance {r['acceptance']:g}.</p>{_rows(rows)}{slower}")


def _training(r) -> str:
    u = r["units"]
    head = "".join(f"<th scope=\"col\">{METHOD_LABELS[m]}</th>" for m in r["methods"])
    parts = TRAINING_PARTS + (("total", "Total"),)
    body = "".join(f"<tr><th scope=\"row\">{label}</th>"
                   + "".join(f"<td>{gib(row[key], u)}</td>" for row in r["methods"].values()) + "</tr>"
                   for key, label in parts)
    trainable = "".join(f"<td>{row['trainable_params']:,}</td>" for row in r["methods"].values())
    chosen = METHOD_LABELS[r["method"]]
    return (f"<p class=\"calc-headline\"><strong>{gib(r['total_bytes'], u)}</strong> to train {escape(r['model'])} "
            f"with {chosen} at {r['batch']} × {r['sequence']:,} tokens.</p>"
            f"<table class=\"calc-table\"><thead><tr><td></td>{head}</tr></thead><tbody>{body}"
            f"<tr><th scope=\"row\">Trainable parameters</th>{trainable}</tr></tbody></table>")


def _playground(r) -> str:
    from .playground import GRANULARITIES, source as playground_source

    runs, bits = r["runs"], r["bits"]
    names = {"tensor": "Per-tensor", "channel": "Per-channel", "group": f"Per-group ({r['group_size']})",
             "decomposition": f"Decomposition (|x| ≥ {r['threshold']:g})",
             "smoothquant": f"SmoothQuant (α = {r['alpha']:g})"}
    mark = {g: " class=\"calc-chosen\"" if g == r["granularity"] else "" for g in GRANULARITIES}
    head = "".join(f"<th scope=\"col\"{mark[g]}>{escape(names[g])}</th>" for g in GRANULARITIES)
    levels = 2 ** bits - (1 if r["scheme"] == "symmetric" else 0)
    lines = (("Scales stored", lambda run: f"{run['weight_scales']:,}"),
             ("Weights: mean squared error", lambda run: f"{run['weights']['mse']:.3g}"),
             ("Weights: largest error", lambda run: f"{run['weights']['max_abs']:.3g}"),
             (f"Weights: levels used (of {levels})", lambda run: f"{run['weight_levels']:,}"),
             ("Activation: mean squared error", lambda run: f"{run['activation']['mse']:.3g}"),
             ("Activation: largest error", lambda run: f"{run['activation']['max_abs']:.3g}"),
             (f"Activation: levels used (of {levels})", lambda run: f"{run['activation_levels']:,}"),
             (f"Activation: non-zero inputs read back as 0 (of {r['width']:,})",
              lambda run: f"{run['activation_zeroed']:,}"),
             ("Inputs kept in 16-bit", lambda run: f"{len(run['kept_columns']):,}"),
             ("Output W·x: relative error", lambda run: f"{run['output_relative']:.3%}"),
             ("Output W·x: largest error", lambda run: f"{run['output']['max_abs']:.3g}"))
    body = "".join(f"<tr><th scope=\"row\">{escape(label)}</th>"
                   + "".join(f"<td{mark[g]}>{cell(runs[g])}</td>"
                             for g in GRANULARITIES) + "</tr>" for label, cell in lines)
    chosen = runs[r["granularity"]]
    source = playground_source()
    return (f"<p class=\"calc-headline\"><strong>{chosen['output_relative']:.2%}</strong> error in the layer's "
            f"output with {escape(names[r['granularity']].lower())} {bits}-bit {escape(r['scheme'])} quantization "
            f"of weights and activation.</p>"
            # wider than a phone: a region that scrolls sideways and takes the keyboard focus to do so
            "<div class=\"results-table\" role=\"region\" tabindex=\"0\" aria-label=\"Errors by granularity\">"
            f"<table class=\"calc-table\"><thead><tr><td></td>{head}</tr></thead><tbody>{body}</tbody></table></div>"
            f"<p class=\"calc-note\">Weights: the first {r['rows']} rows (output channels) of "
            f"<code>{escape(r['module'])}</code>, a {r['shape'][0]:,} × {r['shape'][1]:,} matrix of our small "
            f"reference llama ({source['params']:,} parameters, {source['steps']} steps on CPU; "
            f"<code>{escape(source['model'])}</code>), not of a production LLM. Activation: the input that layer "
            f"received at token {r['token_position']} of the first {source['tokens_run']} validation tokens; its "
            f"largest magnitude is {r['largest']:.3g} and its median magnitude {r['median']:.3g}. "
            "The output error compares the quantized W·x with the unquantized product of the same rows. SmoothQuant's "
            f"factors use each input's largest magnitude over those {source['tokens_run']} tokens and each weight "
            "column's over these rows.</p>")


RENDERERS = {"weights": _weights, "kv": _kv, "fit": _fit, "roofline": _roofline, "speculative": _speculative,
             "training": _training, "playground": _playground,
             "number_format": number_format_page.render,
             "wizard": wizard_web.render}


def render_result(page: str, result: dict) -> str:
    return RENDERERS[page](result)


# -- forms --------------------------------------------------------------------

FIELDS = {  # page: (field, label, kind); kind is a select's options key, "number", "tokens", "text" or "checkbox"
    "weights": (("model", "Model", "model"), ("format", "Weight format", "format"), ("units", "Units", "units")),
    "kv": (("model", "Model", "model"), ("context", "Context length (tokens; 128k = 131,072)", "tokens"),
           ("batch", "Sequences in the batch", "number"), ("kv_format", "KV-cache format", "kv_format"),
           ("block_size", "Paged block size (0: no paging)", "number"), ("units", "Units", "units")),
    "fit": (("model", "Model", "model"), ("format", "Weight format", "format"),
            ("kv_format", "KV-cache format", "kv_format"), ("gpu", "GPU", "gpu"), ("gpus", "Number of GPUs", "number"),
            ("context", "Context length (tokens; 128k = 131,072)", "tokens"), ("batch", "Concurrent sequences", "number"),
            ("memory_share", "Share of GPU memory the engine may use (0.9 or 90%)", "text"),
            ("price", "Price per GPU-hour (optional, any currency)", "text"), ("units", "Units", "units")),
    "roofline": (("model", "Model", "model"), ("format", "Weight format", "format"),
                 ("kv_format", "KV-cache format", "kv_format"), ("gpu", "GPU", "gpu"), ("gpus", "Number of GPUs", "number"),
                 ("batch", "Batch size", "number"), ("prompt", "Prompt length (tokens; 4k = 4,096)", "tokens")),
    "speculative": (("acceptance", "Acceptance rate (0 to 1)", "text"),
                    ("draft_tokens", "Draft length (tokens)", "number"),
                    ("draft_cost", "Draft cost (draft step ÷ target step)", "text")),
    "training": (("model", "Model", "model"), ("method", "Method", "method"), ("optimizer", "Optimizer", "optimizer"),
                 ("sequence", "Sequence length (tokens; 4k = 4,096)", "tokens"), ("batch", "Batch size", "number"),
                 ("lora_rank", "LoRA rank", "number"), ("checkpointing", "Activation checkpointing", "checkbox"),
                 ("units", "Units", "units")),
    "playground": (("layer", "Layer of the reference model", "layer"), ("bits", "Bits (2 to 8)", "number"),
                   ("scheme", "Scheme", "scheme"), ("granularity", "Drawn in the charts", "granularity"),
                   ("group_size", "Group size (per-group)", "number"),
                   ("threshold", "Outlier threshold |x| (decomposition)", "text"),
                   ("alpha", "Migration strength α, 0 to 1 (SmoothQuant)", "text")),
    "number_format": number_format_page.FIELDS,
    "wizard": wizard_web.FIELDS,
}


def _field(field, label, kind, value, choices, groups=None) -> str:
    groups = groups or {}
    ident = f"f-{field}"
    error = f"<p class=\"calc-error\" id=\"e-{field}\" aria-live=\"polite\"></p>"
    described = f"aria-describedby=\"e-{field}\""
    if kind == "checkbox":
        checked = " checked" if value == "on" else ""
        return (f"<div class=\"calc-field calc-check\"><input type=\"checkbox\" id=\"{ident}\" name=\"{field}\" "
                f"{described}{checked}><label for=\"{ident}\">{escape(label)}</label>{error}</div>")
    if kind in choices:
        def option(key, text):
            return f"<option value=\"{escape(key)}\"{' selected' if key == value else ''}>{escape(text)}</option>"

        if kind in groups:
            opts = "".join(f"<optgroup label=\"{escape(heading)}\">" + "".join(option(*c) for c in listed)
                           + "</optgroup>" for heading, listed in groups[kind])
        else:
            opts = "".join(option(key, text) for key, text in choices[kind])
        control = f"<select id=\"{ident}\" name=\"{field}\" {described}>{opts}</select>"
    else:
        # A token count takes a letter ("128k"), so its keyboard keeps letters.
        mode = {"number": "numeric", "tokens": "text"}.get(kind, "decimal")
        control = (f"<input type=\"text\" inputmode=\"{mode}\" id=\"{ident}\" name=\"{field}\" "
                   f"value=\"{escape(value)}\" {described} autocomplete=\"off\">")
    return f"<div class=\"calc-field\"><label for=\"{ident}\">{escape(label)}</label>{control}{error}</div>"


def render_form(page: str) -> str:
    """The page's form with its default values; the JS fills it from the URL, or from the inputs the user
    chose on another calculator (each carried input is marked with the name it travels under)."""
    choices, groups = options(), option_groups()
    values = DEFAULTS[page]
    fields = [_field(field, label, kind, values.get(field, ""), choices, groups)
              for field, label, kind in FIELDS[page]]
    if any(field == "model" for field, _, _ in FIELDS[page]):
        custom = "".join(_field(field, field.replace("_", " ").capitalize(), "number", CUSTOM_DEFAULTS[field], {})
                         for field in CUSTOM_FIELDS)
        custom += _field("tie_embeddings", "Tied input and output embeddings", "checkbox", "", {})
        fields.insert(1, f"<fieldset class=\"calc-group\" data-when-model=\"custom\" hidden>"
                         f"<legend>Custom architecture (llama-style)</legend>{custom}</fieldset>")
        fields.insert(2, "<div class=\"calc-field calc-group\" data-when-model=\"config\" hidden>"
                         "<label for=\"f-config\">config.json</label>"
                         "<textarea id=\"f-config\" name=\"config\" rows=\"8\" spellcheck=\"false\" "
                         "aria-describedby=\"e-config\"></textarea>"
                         "<p class=\"calc-error\" id=\"e-config\" aria-live=\"polite\"></p>"
                         # The one request the site may make to another host, and only when this is pressed.
                         "<div class=\"calc-hub\"><label for=\"f-hub\">Or a Hugging Face model id</label>"
                         "<input type=\"text\" id=\"f-hub\" placeholder=\"Qwen/Qwen2.5-7B-Instruct\" "
                         "autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"e-hub\">"
                         "<button type=\"button\" class=\"calc-hub-fetch md-button\">Fetch its config.json from "
                         "huggingface.co</button>"
                         "<p class=\"calc-hub-status\" id=\"e-hub\" aria-live=\"polite\"></p></div></div>")
    form = f"<form class=\"calc-form\" data-calculator=\"{page}\" novalidate>{''.join(fields)}</form>"
    for field, name in carried_fields(page).items():
        form = form.replace(f" name=\"{field}\"", f" name=\"{field}\" data-carry=\"{name}\"", 1)
    return form.replace(" name=\"config\"", " name=\"config\" data-carry=\"config\"", 1)
