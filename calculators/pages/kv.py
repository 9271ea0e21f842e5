"""KV cache: its bytes per token and for a batch of sequences, against context length in other formats."""

from .. import cli_args
from ..chart_parts import figure, in_units, marker
from ..display import beyond_model_context_html, beyond_model_context_lines, bytes_cell, counted, gib, rows_table
from ..formats import KV_FORMATS, kv_format
from ..inputs import UNITS, read_model
from ..kv_cache import ENGINES, kv_cache_bytes
from ..markup import escape
from ..page import Command, Field, Page
from ..records import as_dict
from ..validate import MAX_BATCH, MAX_TOKENS

ENGINE_LABELS = {"vllm": "vLLM", "llama.cpp": "llama.cpp"}
COMPARED_KV_FORMATS = ("bf16", "fp8-e4m3", "int8", "int4-g64", "int2-g64")  # the chart's curves, in order


def compute(inputs):
    arch = read_model(inputs)
    context = inputs.whole("context", 1, MAX_TOKENS, "context length", tokens=True)
    batch = inputs.whole("batch", 1, MAX_BATCH, "number of sequences")
    fmt = inputs.choice("kv_format", KV_FORMATS, "KV-cache format")
    block = inputs.whole("block_size", 0, 1 << 16, "block size")
    units = inputs.choice("units", UNITS, "unit")
    engine = inputs.choice("engine", ENGINES, "engine")
    if inputs.errors:
        return None
    result = kv_cache_bytes(arch, kv_format(fmt), context, batch, block, engine)
    top = max(context, 1024)
    points = sorted({max(1, round(top * i / 32)) for i in range(0, 33)})
    series = [{"format": f, "label": kv_format(f).label, "context": points,
               "bytes": [kv_cache_bytes(arch, kv_format(f), c, batch, block, engine).total_bytes for c in points]}
              for f in COMPARED_KV_FORMATS]
    return {"units": units, "model": arch.name, "kv_format": fmt, "kv_label": kv_format(fmt).label, "context": context,
            "batch": batch, "block_size": block, "bytes_per_token": result.bytes_per_token,
            "total_bytes": result.total_bytes, "sliding_layers": result.sliding_layers,
            "full_layers": result.full_layers, "sliding_window": arch.sliding_window, "is_mla": arch.is_mla,
            "engine": engine, "window_rule": result.window_rule, "layout_rule": result.layout_rule, "series": series,
            "model_context": arch.max_context}


def render(r) -> str:
    u = r["units"]
    rows = [("Per token, all layers", bytes_cell(r["bytes_per_token"], u)),
            (f"{r['batch']:,} × {r['context']:,} tokens", f"<strong>{bytes_cell(r['total_bytes'], u)}</strong>")]
    lines = []
    if r["sliding_layers"]:
        lines.append(f"{r['sliding_layers']} of {r['sliding_layers'] + r['full_layers']} layers keep only the last "
                     f"{r['sliding_window']:,} tokens, so the total grows more slowly than per-token × context.")
    if r["window_rule"]:
        lines.append(f"Its config leaves the sliding window open to reading; as {ENGINE_LABELS[r['engine']]} "
                     f"allocates it: {r['window_rule']}")
    if r["layout_rule"]:
        lines.append(f"This model projects its keys and values through a compressed latent, but "
                     f"{ENGINE_LABELS[r['engine']]} does not cache the latent: {r['layout_rule']}")
    elif r["is_mla"]:
        lines.append("This model uses multi-head latent attention: each layer caches one compressed latent per "
                     "token, shared by all heads, as vLLM and SGLang store it.")
    if r["block_size"]:
        lines.append(f"Paged allocation rounds every layer's tokens up to whole blocks of {r['block_size']:,}.")
    extra = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return (f"<p class=\"calc-headline\"><strong>{gib(r['total_bytes'], u)}</strong> of KV cache in "
            f"{escape(r['kv_label'])} for {escape(r['model'])}.</p>{rows_table(rows)}{extra}"
            f"{beyond_model_context_html(r['context'], r['model_context'])}")


def charts(r) -> list:
    size = in_units(r["units"])
    traces = [{"type": "scatter", "mode": "lines", "name": s["label"], "x": s["context"],
               "y": [size(b) for b in s["bytes"]]} for s in r["series"]]
    traces.append(marker(f"{r['kv_label']} at {counted(r['context'], 'token')}", r["context"], size(r["total_bytes"])))
    return [figure("kv-context", f"KV cache for {counted(r['batch'], 'sequence')} against context length", traces,
                   {"title": "context (tokens)"}, {"title": r["units"]})]


def run(args):
    size = cli_args.sizer(args)
    arch = cli_args.load_model(args)
    fmt = kv_format(args.kv_format)
    result = kv_cache_bytes(arch, fmt, args.context, args.batch, args.block_size, args.engine)
    data = {"model": cli_args.model_json(arch), **as_dict(result)}
    lines = [f"{arch.name}, KV cache in {fmt.label}",
             f"per token (all layers): {size(result.bytes_per_token)} ({result.bytes_per_token:,} bytes)",
             f"total for {result.batch:,} x {result.context:,} tokens: {size(result.total_bytes)} "
             f"({result.total_bytes:,} bytes)"]
    if result.sliding_layers:
        lines.append(f"{result.sliding_layers} of {arch.num_layers} layers keep only the last "
                     f"{arch.sliding_window:,} tokens")
    if result.window_rule:
        lines.append(f"as {result.engine} allocates it: {result.window_rule}")
    if result.layout_rule:
        lines.append(f"as {result.engine} lays it out: {result.layout_rule}")
    lines += beyond_model_context_lines(args.context, arch.max_context)
    return data, "\n".join(lines)


def arguments(sub):
    cli_args.add_model(sub)
    cli_args.add_units(sub)
    sub.add_argument("--context", type=cli_args.tokens, default=4096,
                     help="tokens per sequence (131072 or 128k)")
    sub.add_argument("--batch", type=cli_args.whole, default=1, help="concurrent sequences")
    sub.add_argument("--kv-format", default="bf16", help="KV-cache format id")
    sub.add_argument("--block-size", type=cli_args.whole, default=0,
                     help="paged-attention block size (0: no paging)")
    sub.add_argument("--engine", default="vllm",
                     help="whose reading of an ambiguous sliding window: vllm or llama.cpp")


PAGE = Page(
    name="kv", path="calculators/kv-cache", title="KV cache", order=20,
    fields=(Field("model", "Model", "model", "llama-3.1-8b"),
            Field("context", "Context length (tokens; 128k = 131,072)", "tokens", "8192"),
            Field("batch", "Sequences in the batch", "number", "1"),
            Field("kv_format", "KV-cache format", "kv_format", "bf16"),
            Field("block_size", "Paged block size (0: no paging)", "number", "0"),
            Field("units", "Units", "units", "GiB"),
            Field("engine", "Engine (where a config's sliding window is read two ways)", "engine", "vllm")),
    compute=compute, render=render, charts=charts,
    choices=lambda: {"engine": list(ENGINE_LABELS.items())},
    command=Command("KV-cache memory", arguments, run))
