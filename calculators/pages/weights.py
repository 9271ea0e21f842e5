"""Weight memory: the bytes of a model's weights in a format, by part, against the formats people compare."""

from ..markup import escape

from .. import cli_args
from ..architecture import PARTS
from ..chart_parts import bar_h, figure, highlight
from ..display import bytes_cell, gib, rows_table
from ..formats import WEIGHT_FORMATS, weight_format
from ..inputs import UNITS, read_model
from ..page import Command, Field, Page
from ..weights import weight_bytes

# Formats the comparison chart shows, in order.
COMPARED_WEIGHT_FORMATS = ("bf16", "fp8-e4m3-channel", "int8-channel", "llm-int8", "gguf-q8-0", "gguf-q6-k",
                           "gguf-q4-k-m", "nf4", "nf4-dq", "awq-int4-g128", "gptq-int4-g128",
                           "int4-tinygemm-g128", "hqq-int4-g64", "gptq-int3-g128", "aqlm-2x8")
PART_LABELS = {"embedding": "Embeddings", "attention": "Attention", "mlp": "MLP", "experts": "Routed experts",
               "shared_experts": "Shared experts", "router": "Routers", "norms": "Norms", "lm_head": "LM head"}
METADATA_LABEL = "Quantization metadata"


def compute(inputs):
    arch = read_model(inputs)
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


def render(r) -> str:
    u = r["units"]
    rows = [(PART_LABELS[p], bytes_cell(r["parts"][p], u)) for p in PARTS if r["parts"][p]]
    rows.append((METADATA_LABEL, bytes_cell(r["metadata_bytes"], u)))
    rows.append(("Total", f"<strong>{bytes_cell(r['total_bytes'], u)}</strong>"))
    params = f"{r['params']:,} parameters"
    if r["is_moe"]:
        params += f", {r['active_params']:,} active per token ({gib(r['active_bytes'], u)} read per token)"
    notes = f"<p class=\"calc-note\">{escape(r['format_notes'])}</p>" if r["format_notes"] else ""
    return (f"<p class=\"calc-headline\"><strong>{gib(r['total_bytes'], u)}</strong> for {escape(r['model'])} in "
            f"{escape(r['format_label'])}: {r['bits_per_param']:.3f} bits per parameter.</p>"
            f"<p>{params}.</p>{rows_table(rows)}"
            f"<p class=\"calc-source\">Layout: {escape(r['format_source'])}.</p>{notes}")


def charts(r) -> list:
    units = r["units"]
    parts = [(PART_LABELS[part], size) for part, size in r["parts"].items() if size]
    parts.append((METADATA_LABEL, r["metadata_bytes"]))
    formats = r["comparison"]
    others = bar_h("total", [f["short_label"] for f in formats], [f["total_bytes"] for f in formats], units)
    others["marker"] = highlight(others["y"], r["format_short_label"])
    return [
        figure("weights-by-part", f"Weight memory by part in {r['format_label']}",
               [bar_h(r["format_label"], [p for p, _ in parts], [n for _, n in parts], units)],
               {"title": units}, {"title": "", "autorange": "reversed"}, x_title="part", y_title=units,
               showlegend=False),
        figure("weights-formats", f"The same model in other formats ({r['format_short_label']} solid)",
               [others],
               {"title": units}, {"title": "", "autorange": "reversed"}, x_title="format", y_title=units,
               showlegend=False, height=30 * len(formats) + 120),
    ]


def run(args):
    size = cli_args.sizer(args)
    arch = cli_args.load_model(args)
    fmt = weight_format(args.format)
    result = weight_bytes(arch, fmt)
    data = {"model": cli_args.model_json(arch), "format": fmt.id, "params": result.params,
            "active_params": result.active_params, "total_bytes": result.total_bytes,
            "active_bytes": result.active_bytes, "metadata_bytes": result.metadata_bytes,
            "parts": result.by_part, "bits_per_param": result.bits_per_param}
    if result.header_bytes:
        data.update(header_bytes=result.header_bytes, file_bytes=result.file_bytes)
    rows = [(part, size(result.by_part[part])) for part in PARTS if result.by_part[part]]
    rows.append(("quantization metadata", size(result.metadata_bytes)))
    lines = [f"{arch.name}, {fmt.label}: {result.params:,} parameters"
             + (f" ({result.active_params:,} active per token)" if arch.is_moe else ""),
             *cli_args.table(rows),
             f"total: {size(result.total_bytes)} ({result.total_bytes:,} bytes, "
             f"{result.bits_per_param:.3f} bits per parameter)"]
    if result.header_bytes:
        lines.append(f"file: {result.file_bytes:,} bytes with a header of about {result.header_bytes:,}")
    return data, "\n".join(lines)


def arguments(sub):
    cli_args.add_model(sub)
    cli_args.add_units(sub)
    sub.add_argument("--format", default="bf16", help="weight format id (see `formats`)")


PAGE = Page(
    name="weights", path="calculators/weights", title="Weight memory", order=10,
    fields=(Field("model", "Model", "model", "llama-3.1-8b"), Field("format", "Weight format", "format", "nf4"),
            Field("units", "Units", "units", "GiB")),
    compute=compute, render=render, charts=charts,
    command=Command("weight memory of a model in a format", arguments, run))
