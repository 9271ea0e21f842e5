"""The results of one device, as page sections (HTML strings): speed, memory and the kernel sweep for a GPU;
quality of the reference models wherever the quality suite ran. Every chart says whether its numbers were
measured on a GPU or a CPU, and a measurement a record lacks is shown as missing with the record's reason."""

from collections import OrderedDict
from dataclasses import dataclass

from generator.records.analysis import DECODE_TIMINGS, REFERENCE_METHOD, compare, kernel_speedups, method_key

from ..charts import Chart, chart_html, figure, hbar_layout, hbars
from . import tables
from .tables import html_table

WAY_NAMES = {"eager": "generate (eager)", "graph": "CUDA graph", "compiled": "torch.compile"}
# Metric families a result may lack, each shown once per result in the "not measured" table.
MISSING_FAMILIES = (("eager decode", "decode_ms_per_token"), ("CUDA-graph decode", "decode_graph_ms_per_token"),
                    ("compiled decode", "decode_compiled_ms_per_token"), ("prefill", "prefill_ms"),
                    ("peak memory", "peak_bytes"), ("KV-cache bytes", "kv_cache_bytes"))


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    html: str


def is_reference(row) -> bool:
    return method_key(row.result["method"]) == method_key(REFERENCE_METHOD)


def _ordered_methods(rows) -> list:
    """Method labels in the order the records list them, bf16 first."""
    labels = list(OrderedDict.fromkeys(row.method for row in rows))
    references = [row.method for row in rows if is_reference(row)]
    if references:
        labels.remove(references[0])
        labels.insert(0, references[0])
    return labels


def _where(rows) -> str:
    kinds = {row.run.where for row in rows}
    return "/".join(sorted(kinds))


def _records(rows) -> str:
    files = sorted({row.run.file for row in rows})
    return ", ".join(files)


def _caption(rows, what: str) -> str:
    devices = sorted({row.run.device_name for row in rows})
    return f"Measured on {_where(rows)} ({', '.join(devices)}). {what} Records: {_records(rows)}."


# -- whole-model speed and memory (random-init real architectures) -----------------------------------

def speed_rows(rows) -> list:
    """Whole-model results of random-init models; where a later record measured the same model, method and
    workload again on the same device, only the later result (records are read in the order of their
    names, which begin with the run's time)."""
    from generator.records import result_key

    latest = {}
    for row in rows:
        if row.model_kind == "random-init" and "layer_ms" not in row.metrics and "layer_ms" not in row.missing:
            latest[(row.run.device_name, result_key(row.result))] = row
    return list(latest.values())


def speed_sections(rows, slug: str) -> list:
    rows = speed_rows(rows)
    sections = []
    for model in OrderedDict.fromkeys(row.model for row in rows):
        model_rows = [row for row in rows if row.model == model]
        sections.extend(_model_speed_sections(model, model_rows, slug))
    return sections


def _by_batch(rows) -> dict:
    batches = {}
    for row in rows:
        batches.setdefault((row.batch, row.prompt_tokens), []).append(row)
    return dict(sorted(batches.items()))


def _model_speed_sections(model: str, rows, slug: str) -> list:
    sections = []
    methods = _ordered_methods(rows)
    groups = _by_batch(rows)
    for (batch, prompt), group in groups.items():
        anchor = f"{slug}-{model}-decode-b{batch}-p{prompt}"
        sections.append(Section(anchor, f"{model}: decode at batch {batch}, {prompt}-token prompt",
                                _decode_html(model, group, methods, batch, prompt, anchor)))
    anchor = f"{slug}-{model}-prefill"
    sections.append(Section(anchor, f"{model}: prefill (time to first token)", _prefill_html(model, rows, methods,
                                                                                           anchor)))
    batches = sorted({batch for batch, _ in groups})
    if len(batches) > 1:
        anchor = f"{slug}-{model}-throughput"
        sections.append(Section(anchor, f"{model}: throughput against batch size", _throughput_html(
            model, rows, methods, anchor)))
    anchor = f"{slug}-{model}-memory"
    sections.append(Section(anchor, f"{model}: weights and peak memory", _memory_html(model, rows, methods, anchor)))
    return sections


def _find(group, method):
    for row in group:
        if row.method == method:
            return row
    return None


def _decode_html(model, group, methods, batch, prompt, anchor) -> str:
    present = [method for method in methods if _find(group, method) is not None]
    traces = []
    for way, metric, _ in DECODE_TIMINGS:
        values = [(_find(group, method).metrics.get(metric)) for method in present]
        if any(value is not None for value in values):
            traces.append(hbars(WAY_NAMES[way], present, values))
    parts = []
    if traces:
        chart = Chart(f"{anchor}-chart", f"Decode time per token, {model}, batch {batch}",
                      figure(traces, "ms per token (lower is faster)", "method", **hbar_layout(len(present),
                                                                                              len(traces))),
                      _caption(group, "Random-init weights of the real architecture; median of the repeats."),
                      "method", "ms per token")
        parts.append(chart_html(chart))
    reference = next((row for row in group if is_reference(row)), None)
    table_rows = []
    for method in present:
        row = _find(group, method)
        for way, metric, bandwidth in DECODE_TIMINGS:
            if metric not in row.metrics and metric not in row.missing:
                continue
            copy = row.run.header["device"].get("measured_bandwidth_bytes_s")
            share = tables.missing() if bandwidth not in row.metrics or not copy else \
                tables.Cell(tables.share(row.metrics[bandwidth] / copy))
            speedup = tables.missing() if reference is None or row is reference else \
                _speedup_cell(row, reference, metric)
            table_rows.append([method, WAY_NAMES[way], tables.measured(row, metric, tables.ms),
                               _spread(row, metric), speedup, share,
                               tables.measured(row, "prefill_ms", tables.ms) if way == "eager" else ""])
    parts.append(_bandwidth_chart(model, group, present, batch, anchor))
    parts.append(html_table(["method", "decoding", "ms per token", "min–max over repeats", "speedup over bf16",
                             "share of measured copy bandwidth", "prefill (time to first token)"], table_rows))
    parts.append("<p class=\"chart-note\">Speedups are bf16's time over the method's, decoded the same way; "
                 "<em>within spread</em> means the ranges of the repeats overlap, so the difference is no "
                 "finding. Bandwidth is the bytes a step must read (weights and KV cache) over the step's "
                 "time, as a share of the copy bandwidth the run measured on the same card.</p>")
    return "\n".join(parts)


def _prefill_html(model, rows, methods, anchor) -> str:
    traces = []
    for (batch, prompt), group in _by_batch(rows).items():
        present = [method for method in methods if _find(group, method) is not None]
        values = [_find(group, method).metrics.get("prefill_ms") for method in present]
        if any(value is not None for value in values):
            traces.append(hbars(f"batch {batch}, {prompt}-token prompt", present, values))
    if not traces:
        return "<p class=\"missing\">No prefill was timed.</p>"
    chart = Chart(f"{anchor}-chart", f"Prefill time (time to first token), {model}",
                  figure(traces, "ms (lower is faster)", "method", **hbar_layout(len(methods), len(traces))),
                  _caption(rows, "A generate call making one token: the prompt's forward pass and the first token; "
                                 "median of the repeats."), "method", "ms", "{:,.2f}")
    return chart_html(chart)


def _bandwidth_chart(model, group, present, batch, anchor) -> str:
    copy = group[0].run.header["device"].get("measured_bandwidth_bytes_s")
    if not copy:
        return ""
    traces = []
    for way, metric, bandwidth in DECODE_TIMINGS:
        values = [_find(group, method).metrics.get(bandwidth) for method in present]
        if any(value is not None for value in values):
            traces.append(hbars(WAY_NAMES[way], present, [None if v is None else 100 * v / copy for v in values]))
    if not traces:
        return ""
    chart = Chart(f"{anchor}-bandwidth", f"Achieved bandwidth as a share of the measured copy bandwidth, {model}, "
                                         f"batch {batch}",
                  figure(traces, "% of the copy bandwidth measured on the same card", "method",
                         **hbar_layout(len(present), len(traces))),
                  _caption(group, f"Bytes a decode step must read (weights and KV cache) over its time; the copy "
                                  f"bandwidth of the run was {copy / 1e12:.2f} TB/s."), "method", "% of copy bandwidth",
                  "{:.1f}")
    return chart_html(chart)


def _spread(row, metric) -> tables.Cell:
    bounds = row.result.get("spread", {}).get(metric)
    if not bounds:
        return tables.missing() if metric not in row.metrics else tables.Cell("one repeat")
    return tables.Cell(f"{bounds['min']:,.2f}–{bounds['max']:,.2f} ms")


def _speedup_cell(row, reference, metric) -> tables.Cell:
    cell = tables.ratio(reference, metric, row, metric, tables.times)
    if cell.missing:
        return tables.missing(row.missing.get(metric) or reference.missing.get(metric) or "")
    if metric in row.result["spread"] and metric in reference.result["spread"]:  # a verdict needs both spreads
        return tables.Cell(f"{cell.text} ({compare(row.result, reference.result, metric).verdict})",
                           cell.attributes)
    return cell


def _throughput_html(model, rows, methods, anchor) -> str:
    traces = []
    for method in methods:
        points = sorted((row.batch, row.metrics.get("tokens_per_s")) for row in rows if row.method == method)
        if any(value is not None for _, value in points):
            traces.append({"type": "scatter", "mode": "lines+markers", "name": method,
                           "x": [batch for batch, _ in points], "y": [value for _, value in points]})
    if not traces:
        return "<p class=\"missing\">No throughput was measured.</p>"
    chart = Chart(f"{anchor}-chart", f"Decode throughput against batch size, {model} (generate, eager)",
                  figure(traces, "batch (sequences)", "tokens per second (higher is better)",
                         xaxis={"type": "log", "dtick": 0.30103}),
                  _caption(rows, "Eager generate is the one way every method was timed at every batch; a "
                                 "missing point is a batch not measured."),
                  "batch", "tokens per second", "{:,.1f}")
    return chart_html(chart)


def _memory_html(model, rows, methods, anchor) -> str:
    first = {}
    for row in rows:
        first.setdefault(row.method, row)
    present = [method for method in methods if method in first]
    weights = [first[method].metrics.get("weight_bytes") for method in present]
    traces = [hbars("weights", present, [None if w is None else w / 2**30 for w in weights])]
    parts = []
    peaks = {}
    for row in rows:
        if row.batch == 1 and "peak_bytes" in row.metrics:
            peaks.setdefault(row.method, row)
    if peaks:
        traces.append(hbars("peak allocated, batch 1", present,
                            [peaks[m].metrics["peak_bytes"] / 2**30 if m in peaks else None for m in present]))
    chart = Chart(f"{anchor}-chart", f"Weights and peak memory, {model}",
                  figure(traces, "GiB", "method", **hbar_layout(len(present), len(traces))),
                  _caption(rows, "Weights: every parameter, buffer and quantization state in memory. Peak: "
                                 "torch.cuda.max_memory_allocated over prefill and decode."),
                  "method", "GiB", "{:,.3f}")
    parts.append(chart_html(chart))
    table_rows = []
    for row in rows:
        table_rows.append([row.method, row.batch, tables.measured(row, "weight_bytes", tables.exact_bytes),
                           tables.measured(row, "peak_bytes", tables.exact_bytes),
                           tables.measured(row, "peak_reserved_bytes", tables.exact_bytes),
                           tables.measured(row, "peak_quantize_bytes", tables.exact_bytes),
                           tables.measured(row, "quantize_s", tables.seconds)])
    parts.append(html_table(["method", "batch", "weight bytes", "peak allocated bytes", "peak reserved bytes",
                             "peak while quantizing", "time to quantize"], table_rows))
    return "\n".join(parts)


# -- the kernel sweep ------------------------------------------------------------------------------

def kernel_section(runs, slug: str) -> Section:
    anchor = f"{slug}-kernels"
    parts, verdicts = [], []
    for run in runs:
        summaries = kernel_speedups(run.record)
        for layer in OrderedDict.fromkeys(summary.layer for summary in summaries):
            on_layer = [summary for summary in summaries if summary.layer == layer]
            timing = on_layer[0].timing  # graph timings where measured (analysis.TIMINGS order), else eager
            traces = []
            for summary in on_layer:
                if summary.timing != timing:
                    continue
                counts = sorted(summary.comparisons)
                traces.append({"type": "scatter", "mode": "lines+markers", "name": summary.method, "x": counts,
                               "y": [summary.speedups[count] for count in counts]})
                stops = summary.stops_winning_at
                verdicts.append([layer, summary.method, "never measurably faster" if not summary.wins_anywhere
                                 else "still faster at the largest count" if stops is None else f"{stops:,} tokens",
                                 timing, run.file])
            name = layer.split(":")[-1]
            chart = Chart(f"{anchor}-{device_slug_part(layer)}", f"Speedup over bf16 against tokens, {layer}",
                          figure(traces, "tokens in the batch", "speedup over bf16 (×)",
                                 xaxis={"type": "log", "dtick": 0.30103}),
                          f"Measured on {run.where} ({run.device_name}): one linear layer ({name}), copies rotated "
                          f"past the L2 cache, median of the repeats ({timing}). Record: {run.file}.",
                          "tokens", "speedup (×)", "{:.3f}")
            parts.append(chart_html(chart))
    if not parts:
        parts.append("<p class=\"missing\">Not measured on this device yet: no record of the kernel sweep "
                     "(the <code>gpu-kernels</code> suite) exists for it.</p>")
    else:
        parts.append("<p>Where each method stops winning: the smallest token count from which it is no longer "
                     "measurably faster than bf16 (every repeat faster) at any larger count measured.</p>" +
                     html_table(["layer", "method", "stops winning at", "timing", "record"], verdicts))
    return Section(anchor, "Kernel sweep: where each method stops winning", "\n".join(parts))


def device_slug_part(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


# -- what could not be measured ---------------------------------------------------------------------

def missing_section(rows, slug: str) -> Section:
    table_rows = []
    for row in rows:
        if not row.ok:
            table_rows.append([row.model, row.method, row.batch, "the whole item",
                               tables.missing(f"{row.result['status']}: {row.result.get('error') or ''}",
                                              inline=True)])
            continue
        for family, metric in MISSING_FAMILIES:
            reason = row.missing.get(metric)
            if reason and not reason.startswith("this item does not"):
                table_rows.append([row.model, row.method, row.batch, family, tables.missing(reason, inline=True)])
    if not table_rows:
        html = "<p>Every planned measurement of these runs was made.</p>"
    else:
        html = ("<p>Each row is a measurement the run tried and could not make, with the reason its record "
                "gives. Nothing here is filled in from elsewhere.</p>" +
                html_table(["model", "method", "batch", "what", "reason"], table_rows))
    return Section(f"{slug}-missing", "Not measured, and why", html)


# -- quality of the reference models ------------------------------------------------------------------

def quality_rows(rows) -> list:
    return [row for row in rows if row.model_kind == "reference-trained" and row.ok and
            "perplexity" in row.metrics]


def pareto_front(points: list) -> list:
    """The (bits, loss, label) points no other point beats on both: fewer or equal bits and lower or equal
    loss, one strictly. Sorted by bits."""
    front = []
    for point in points:
        dominated = any(other[0] <= point[0] and other[1] <= point[1] and (other[0] < point[0] or
                                                                             other[1] < point[1])
                        for other in points)
        if not dominated:
            front.append(point)
    return sorted(front)


def quality_sections(rows, slug: str) -> list:
    import calculators

    rows = quality_rows(rows)
    if not rows:
        return []
    sections = []
    # The Pareto charts show one model: the largest of the newest record (schema 2 scores perplexity as
    # llama.cpp does); every other model's numbers are in the table and the size chart.
    newest = [row for row in rows if row.run.record["schema"] >= 2] or rows
    newest_file = max(row.run.file for row in newest)
    newest = [row for row in newest if row.run.file == newest_file]
    model = max(newest, key=lambda row: row.params).model
    chosen = [row for row in newest if row.model == model and not is_reference(row)]
    for metric, title, axis, fmt in (("kl_divergence", "Mean KL divergence from bf16", "mean KL (nats, log scale, "
                                      "lower is better)", "{:.4g}"),
                                     ("top1_agreement", "Top-1 agreement with bf16", "share of positions whose "
                                      "top token is bf16's", "{:.4f}")):
        points = sorted((round(calculators.weight_format(row.weight_format).nominal_bits, 3), row.metrics[metric],
                         row.method) for row in chosen if metric in row.metrics)
        traces = [{"type": "scatter", "mode": "markers", "name": method, "x": [bits], "y": [value],
                   "marker": {"size": 10, "symbol": index // 10}}
                  for index, (bits, value, method) in enumerate(points)]
        loss = (lambda p: p[1]) if metric == "kl_divergence" else (lambda p: -p[1])
        front = pareto_front([(p[0], loss(p), p[2]) for p in points])
        traces.append({"type": "scatter", "mode": "lines", "name": "Pareto front", "x": [p[0] for p in front],
                       "y": [p[1] if metric == "kl_divergence" else -p[1] for p in front],
                       "line": {"dash": "dot", "color": "#888"}})
        anchor = f"{slug}-quality-{metric.replace('_', '-')}"
        on_front = ", ".join(p[2] for p in front)
        chart = Chart(f"{anchor}-chart", f"{title} against bits per weight, {model}", figure(
            traces, "bits per quantized weight (format's storage cost, scales included)", axis,
            height=460 + 22 * (len(traces) // 3),
            **({"yaxis": {"type": "log"}} if metric == "kl_divergence" else {})),
            _caption(chosen, f"A reference model trained by this project on openly licensed documentation "
                             f"({chosen[0].params:,} parameters); bits per weight is the format's storage cost "
                             "for a 4096×4096 matrix (calculators). On the Pareto front (no method has fewer bits "
                             f"and better quality): {on_front}."),
            "bits per weight", axis, fmt)
        sections.append(Section(anchor, f"{title} against bits per weight", chart_html(chart)))
    sections.append(_size_section(rows, slug))
    sections.append(_quality_table(rows, slug))
    return sections


def _size_section(rows, slug) -> Section:
    traces = []
    for method in _ordered_methods(rows):
        points = sorted((row.params, row.metrics["kl_divergence"], row.run.file) for row in rows
                        if row.method == method and not is_reference(row) and "kl_divergence" in row.metrics
                        and row.run.record["schema"] >= 2)
        if points:
            traces.append({"type": "scatter", "mode": "lines+markers", "name": method, "x": [p[0] for p in points],
                           "y": [max(p[1], 1e-7) for p in points]})
    anchor = f"{slug}-quality-size"
    chart = Chart(f"{anchor}-chart", "Mean KL divergence from bf16 against reference model size", figure(
        traces, "parameters", "mean KL (nats, log scale; 0 drawn at 1e-7)", xaxis={"type": "log"},
        yaxis={"type": "log"}, height=460 + 22 * (len(traces) // 2)),
        _caption([row for row in rows if row.run.record["schema"] >= 2],
                 "Schema-2 records only (their models share one corpus and recipe, so sizes compare)."),
        "parameters", "mean KL (nats)", "{:.3g}")
    return Section(anchor, "Quality against reference model size", chart_html(chart))


def _quality_table(rows, slug) -> Section:
    references = {(row.run.file, row.model): row for row in rows if is_reference(row)}
    table_rows = []
    for row in rows:
        reference = references.get((row.run.file, row.model))
        ppl_ratio = tables.missing() if reference is None else tables.ratio(row, "perplexity", reference,
                                                                            "perplexity", tables.plain)
        table_rows.append([row.model, row.method, tables.measured(row, "perplexity", tables.plain), ppl_ratio,
                           tables.measured(row, "kl_divergence", tables.plain),
                           tables.measured(row, "kl_p99", tables.plain),
                           tables.measured(row, "top1_agreement", tables.plain),
                           tables.measured(row, "weight_bytes", tables.exact_bytes)])
    html = html_table(["model", "method", "perplexity", "perplexity / bf16's", "mean KL", "KL p99",
                       "top-1 agreement", "weight bytes"], table_rows)
    return Section(f"{slug}-quality-table", "Every quality measurement", html)


def reference_models_section(rows, slug) -> Section:
    seen = OrderedDict()
    for row in quality_rows(rows):
        seen.setdefault(row.model, row)
    table_rows = []
    for model, row in seen.items():
        training = row.result["model"].get("training") or {}
        table_rows.append([model, f"{row.params:,}", training.get("steps", "-"),
                           f"{training['tokens']:,}" if "tokens" in training else "-",
                           f"{training['validation_loss']:.3f}" if "validation_loss" in training else "-",
                           f"{training['train_s']:.0f} s" if "train_s" in training else "-", row.run.file])
    html = html_table(["model", "parameters", "training steps", "training tokens", "validation loss",
                       "training time", "record"], table_rows)
    return Section(f"{slug}-reference-models", "The reference models", html)
