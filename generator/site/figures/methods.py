"""Tables of the methods page (docs/learn/methods.md): the comparison of methods, read from the decision
wizard's knowledge base (calculators/knowledge.py) so the page and the wizard cannot disagree; the per-tensor
types llama-quantize gives a real model (calculators/gguf.py); and this project's measured quality of a method
on its reference models (gpu_runs/, CPU records).

`comparison_rows` and `quality_measurement` return data (the tests compare them with their sources); the
functions in `__all__` return HTML or Markdown for the page.
"""

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from calculators import knowledge, weight_format
from calculators.gguf import GGML_TYPES, gguf_file, tensor_bytes, tensor_types
from calculators.presets import preset_architecture
from calculators.web import compute

from generator.site.results import dataset as results_dataset
from generator.site.results import device, tables

__all__ = ["method_comparison_table", "gguf_tensor_types_table", "measured_quality_note", "matrix_bits",
           "runtimes_of", "quality_reference", "block_layout_figure"]

# The model every size on the page is computed for.
SIZE_MODEL = "llama-3.1-8b"

# formats.WeightFormat.compute: weights in a 16-bit compute type are dequantized before the product.
COMPUTE_LABELS = {"bf16": "BF16 (weights dequantized first)", "int8": "INT8", "fp8": "FP8", "fp32": "FP32", "fp4": "FP4"}

PLATFORM_LABELS = {"nvidia": "NVIDIA", "amd": "AMD", "apple": "Apple", "cpu": "CPU"}


@dataclass(frozen=True)
class ComparisonRow:
    method_id: str
    label: str
    nominal_bits: float  # knowledge.Method.bits: the bits of a quantized weight's code
    compute: str  # what the matrix product runs in (formats.WeightFormat.compute)
    bits_per_weight: float  # the whole model in this format, scales and 16-bit parts included (calculators)
    total_bytes: int
    calibration: bool
    hardware: tuple  # one short phrase per platform
    runtimes: tuple  # runtime labels, in the knowledge base's order
    fine_tunable: bool


def _weights(format_id: str, model: str = SIZE_MODEL) -> dict:
    reply = compute("weights", {"model": model, "format": format_id})
    if not reply["ok"]:
        raise ValueError(f"the weights calculator rejected {format_id!r} for {model!r}: {reply['errors']}")
    return reply["result"]


def matrix_bits(format_id: str) -> float:
    """Bits per weight of one 4096 x 4096 matrix in the format, its scales and other metadata included."""
    return weight_format(format_id).nominal_bits


def runtimes_of(method_id: str) -> str:
    """The runtimes that load a knowledge-base method, as a comma-separated list."""
    return ", ".join(knowledge.RUNTIME_LABELS[runtime] for runtime in knowledge.METHODS_BY_ID[method_id].loaders)


def hardware(method: knowledge.Method) -> tuple:
    """Where some runtime runs the method natively (NVIDIA with the lowest compute capability any kernel
    needs), then each fallback with the scheme it runs instead."""
    lowest = {}
    for kernel in method.kernels:
        if kernel.status == knowledge.NATIVE:
            lowest[kernel.platform] = min(lowest.get(kernel.platform, 99.0), kernel.min_cc or 0.0)
    phrases = []
    for platform, label in PLATFORM_LABELS.items():
        if platform not in lowest:
            continue
        if platform == "nvidia" and lowest[platform]:
            label += f" (compute capability ≥ {lowest[platform]:.1f})"
        phrases.append(label)
    for kernel in method.kernels:
        if kernel.status == knowledge.FALLBACK:
            phrases.append(f"{PLATFORM_LABELS[kernel.platform]} {kernel.min_cc:.1f} to {kernel.below_cc:.1f}: "
                           f"runs as {kernel.scheme}")
    return tuple(phrases)


def comparison_rows(model: str = SIZE_MODEL) -> list:
    """One row per method of the knowledge base, in its order; sizes are the weights calculator's for `model`."""
    rows = []
    for method in knowledge.METHODS:
        result = _weights(method.format, model)
        rows.append(ComparisonRow(
            method.id, method.label, method.bits, weight_format(method.format).compute, result["bits_per_param"], result["total_bytes"],
            method.calibration, hardware(method),
            tuple(knowledge.RUNTIME_LABELS[runtime] for runtime in method.loaders), method.fine_tunable))
    return rows


# -- our measurements --------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _quality_rows() -> tuple:
    """The quality results of the newest record that scores the reference models the current way (schema 2),
    for its largest model: one model, so the methods compare."""
    rows = device.quality_rows(results_dataset.load_dataset(results_dataset.build_records()).rows)
    newest = [row for row in rows if row.run.record["schema"] >= 2]
    if not newest:
        return ()
    latest = max(row.run.file for row in newest)
    newest = [row for row in newest if row.run.file == latest]
    largest = max(row.params for row in newest)
    return tuple(row for row in newest if row.params == largest)


def quality_measurement(method_id: str):
    """The result (a results dataset Row) that measured this knowledge-base method, or None: the first of the
    method's `measured_quality` labels that the chosen record holds."""
    method = knowledge.METHODS_BY_ID[method_id]
    by_label = {row.method: row for row in _quality_rows()}
    for label in method.measured_quality:
        if label in by_label:
            return by_label[label]
    return None


def _device_page(row) -> str:
    """The Results page of the device the row was measured on, relative to docs/learn/."""
    return f"../results/{results_dataset.device_slug(row.run.device_name)}.md"


def _quality_cell(method_id: str, page) -> str:
    if method_id == "bf16":
        return "the reference the others are scored against"
    row = quality_measurement(method_id)
    if row is None:
        return "not measured"
    kl = tables.measured(row, "kl_divergence", lambda value: f"{value:.2g}")
    top1 = tables.measured(row, "top1_agreement", lambda value: f"{value:.1%}")
    return (f"KL {escape(kl.text)}, top-1 {escape(top1.text)} "
            f"(<a href=\"{results_dataset.record_href(page, row.run.file)}\">CPU record</a>)")


def measured_quality_note(method_id: str, page=None) -> str:
    """A sentence for a method's section: what this project measured of it, where, and on what model."""
    row = quality_measurement(method_id)
    if row is None:
        return "This project has no quality measurement of this method yet."
    kl = row.metrics["kl_divergence"]
    top1 = row.metrics["top1_agreement"]
    ppl_bf16 = next(other.metrics["perplexity"] for other in _quality_rows() if device.is_reference(other))
    return (f"**Our measurement (CPU, a small reference model, not a GPU figure):** on "
            f"`{row.model}` ({row.params:,} parameters, trained by this project), `{row.method}` "
            f"moved the next-token distribution by a mean KL divergence of {kl:.2g} nats from bf16, kept "
            f"bf16's top token at {top1:.1%} of positions, and turned perplexity {ppl_bf16:.2f} into "
            f"{row.metrics['perplexity']:.2f}. Record: <a href=\"{results_dataset.record_href(page, row.run.file)}\">"
            f"{escape(row.run.file)}</a>; every method side by side in "
            f"[the CPU quality table]({_device_page(row)}). A model of this size is far "
            "more fragile than an 8B one, so read it as a ranking, not as the loss you would see.")


def _compute_label(row: ComparisonRow) -> str:
    if row.nominal_bits >= 16:
        return "BF16 (as stored)"
    if knowledge.METHODS_BY_ID[row.method_id].scheme == "GGUF":
        return "llama.cpp block kernels"
    return COMPUTE_LABELS[row.compute]


def _html_table(columns: list, rows: list, label: str) -> str:
    """A table in the Results pages' keyboard-reachable scrolling region; cells are HTML already escaped."""
    head = "".join(f"<th scope=\"col\">{escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (f"<div class=\"results-table prose-table\" role=\"region\" tabindex=\"0\" aria-label=\"{escape(label)}\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def method_comparison_table(page=None, model: str = SIZE_MODEL) -> str:
    """Two tables over the same rows: what each method stores and needs, then where it runs and how it
    measured here."""
    label = _weights("bf16", model)["model"]
    rows = comparison_rows(model)
    storage = [[escape(row.label), f"{row.nominal_bits:g}",
                f"{row.bits_per_weight:.2f} ({row.total_bytes / 1e9:.2f} GB)", escape(_compute_label(row)),
                "yes" if row.calibration else "no", "yes" if row.fine_tunable else "no"] for row in rows]
    running = [[escape(row.label), escape("; ".join(row.hardware)), escape(", ".join(row.runtimes)),
                _quality_cell(row.method_id, page)] for row in rows]
    return (_html_table(["method", "bits per code", f"bits per weight on {label} (size)", "matrix product in",
                         "calibration data", "adapters trainable on it"], storage,
                        "Comparison of quantization methods: storage and preparation")
            + "\n\n" +
            _html_table(["method", "hardware with a native kernel", "runtimes that load it",
                         "our quality measurement (CPU, small reference model)"], running,
                        "Comparison of quantization methods: where they run and how they measured"))


def quality_reference() -> str:
    """The reference model the quality column measured: its name and size, from the record."""
    rows = _quality_rows()
    if not rows:
        return "no reference model yet"
    return f"`{rows[0].model}` ({rows[0].params:,} parameters)"


# -- GGUF: the type of every tensor ------------------------------------------------------------------------

@dataclass(frozen=True)
class TensorGroup:
    """The matrices of one kind (attn_v, ffn_down ...) that llama-quantize gives one ggml type."""

    category: str
    type_name: str
    layers: tuple  # layer indices; empty for the tensors outside the layers
    matrices: int
    weights: int
    bytes: int  # data bytes, each tensor padded to the file's alignment


def gguf_type_summary(model: str = SIZE_MODEL, file_type: str = "Q4_K_M") -> list:
    """One TensorGroup per tensor kind and type llama-quantize chooses, kinds in file order."""
    groups, order = {}, []
    for tensor, type_name in tensor_types(preset_architecture(model), file_type):
        if not tensor.is_matrix:
            continue
        if tensor.category not in order:
            order.append(tensor.category)
        entry = groups.setdefault((tensor.category, type_name), {"layers": [], "matrices": 0, "weights": 0,
                                                                 "bytes": 0})
        payload, meta = tensor_bytes(tensor, type_name)
        if tensor.layer >= 0:
            entry["layers"].append(tensor.layer)
        entry["matrices"] += tensor.count
        entry["weights"] += tensor.out * tensor.inp * tensor.count
        entry["bytes"] += payload + meta
    return [TensorGroup(category, type_name, tuple(entry["layers"]), entry["matrices"], entry["weights"],
                        entry["bytes"])
            for (category, type_name), entry in sorted(groups.items(),
                                                       key=lambda item: (order.index(item[0][0]), item[0][1]))]


def _ranges(layers: tuple) -> str:
    """(0, 1, 2, 3, 6, 9) -> '0–3, 6, 9'."""
    if not layers:
        return "–"
    parts, start = [], layers[0]
    for previous, current in zip(layers, layers[1:] + (None,)):
        if current != previous + 1 if current is not None else True:
            parts.append(f"{start}" if start == previous else f"{start}–{previous}")
            start = current
    return ", ".join(parts)


def gguf_tensor_types_table(model: str = SIZE_MODEL, file_type: str = "Q4_K_M") -> str:
    rows = []
    for group in gguf_type_summary(model, file_type):
        block = GGML_TYPES[group.type_name]
        rows.append([escape(group.category), group.type_name, _ranges(group.layers), f"{group.matrices}",
                     f"{group.weights:,}", f"{block.block_bytes * 8 / block.weights:.4g}",
                     f"{group.bytes / 1e6:,.1f} MB"])
    arch = preset_architecture(model)
    file = gguf_file(arch, file_type)
    label = compute("weights", {"model": model, "format": "bf16"})["result"]["model"]
    caption = (f"<p>{escape(label)} as llama-quantize writes {file_type} (no importance matrix): "
               f"{sum(file.types.values())} weight matrices in {len(file.types)} types "
               f"({', '.join(f'{count} × {name}' for name, count in sorted(file.types.items()))}); "
               "the 1-D norm weights stay F32 and are not listed.</p>")
    return caption + _html_table(
        ["tensor", "ggml type", "layers", "matrices", "weights", "bits per weight of the type", "bytes"], rows,
        f"Per-tensor types of {label} in {file_type}")


# -- GGUF: a block, byte by byte ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BlockField:
    name: str  # the struct member in ggml-common.h
    bytes: int
    holds: str  # what it stores
    kind: str  # "codes", "scales" (per sub-block) or "super" (per block)


# The block structs of ggml-org/llama.cpp ggml/src/ggml-common.h, member by member (QK_K = 256).
BLOCK_FIELDS = {
    "Q8_0": (BlockField("d", 2, "FP16 scale", "super"), BlockField("qs", 32, "32 × 8-bit codes", "codes")),
    "Q4_0": (BlockField("d", 2, "FP16 scale", "super"), BlockField("qs", 16, "32 × 4-bit codes", "codes")),
    "Q4_K": (BlockField("d", 2, "FP16 scale of the scales", "super"),
             BlockField("dmin", 2, "FP16 scale of the minimums", "super"),
             BlockField("scales", 12, "8 scales + 8 minimums, 6 bits each", "scales"),
             BlockField("qs", 128, "256 × 4-bit codes", "codes")),
    "Q6_K": (BlockField("ql", 128, "low 4 bits of 256 codes", "codes"),
             BlockField("qh", 64, "high 2 bits of 256 codes", "codes"),
             BlockField("scales", 16, "16 × 8-bit scales", "scales"),
             BlockField("d", 2, "FP16 scale of the scales", "super")),
}
_FILLS = {"codes": "#a6cee3", "scales": "#fdbf6f", "super": "#fb9a99"}


def block_bytes_check(type_name: str) -> int:
    """The block's size from its fields; an error when it disagrees with the calculators' ggml type."""
    total = sum(field.bytes for field in BLOCK_FIELDS[type_name])
    if total != GGML_TYPES[type_name].block_bytes:
        raise ValueError(f"{type_name}: the fields add up to {total} bytes, calculators/gguf.py says "
                         f"{GGML_TYPES[type_name].block_bytes}")
    return total


def block_layout_figure(type_name: str) -> str:
    """One ggml block drawn to scale (width proportional to bytes), with its bits per weight."""
    block = GGML_TYPES[type_name]
    total = block_bytes_check(type_name)
    fields = BLOCK_FIELDS[type_name]
    width, height, x = 600.0, 50, 0.0
    parts = []
    for index, field in enumerate(fields):
        w = width * field.bytes / total
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{_FILLS[field.kind]}" '
                     f'stroke="#333" stroke-width="1"/>')
        if w >= 44:
            parts.append(f'<text x="{x + w / 2:.1f}" y="22" text-anchor="middle" font-size="14" fill="#111">'
                         f'{escape(field.name)}</text><text x="{x + w / 2:.1f}" y="40" text-anchor="middle" '
                         f'font-size="12" fill="#111">{field.bytes} B</text>')
        x += w
    code_bits = sum(f.bytes for f in fields if f.kind == "codes") * 8 / block.weights
    bits = total * 8 / block.weights
    title = f"{type_name}: {block.weights} weights in {total} bytes"
    legend = "; ".join(f"<code>{escape(f.name)}</code> {f.bytes} B: {escape(f.holds)}" for f in fields)
    return (f'<figure class="block-layout"><svg viewBox="0 0 {width:.0f} {height}" role="img" '
            f'aria-label="{escape(title)}, drawn to scale" style="width: 100%; height: auto">'
            f'{"".join(parts)}</svg><figcaption><strong>{escape(title)}</strong> = {bits:g} bits per weight '
            f'({code_bits:g} for the codes, {bits - code_bits:g} for scales). {legend}.</figcaption></figure>')
