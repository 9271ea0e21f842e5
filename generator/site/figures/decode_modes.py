"""Our own GPU decode timings of the same model eager, replayed from a CUDA graph and under torch.compile (the
kernels page cites them), read when the site is built from the records the build reads
(`results.dataset.build_records()`, as every page does).

A graph or compiled timing is shown only when it carries the bench's teacher-forced check
(`graph_logits_rel_rms`, `compiled_logits_rel_rms`), which it records only for a replayed or compiled step that
gave eager decoding's logits. Each row is one result: where several records hold a checked timing of the same
method and batch, the newest record's (gpu_runs/README.md: the newer result is the one the site cites). Where the
records hold no such timing, `decode_modes_measured()` is false and the page says the measurement is missing."""

from dataclasses import dataclass
from html import escape

from generator.records.analysis import DECODE_TIMINGS, method_label
from generator.site.results import dataset as results_dataset

__all__ = ["decode_modes_table", "decode_modes_measured", "decode_modes_device", "decode_modes_models",
           "decode_modes_compile_seconds"]

SUITES = ("gpu-decode", "gpu-decode-batched")
WAYS = ("eager", "graph", "compiled")
CHECKS = {"graph": "graph_logits_rel_rms", "compiled": "compiled_logits_rel_rms"}


@dataclass(frozen=True)
class Timing:
    """One method at one batch decoded one way, from one record."""

    record: str  # the record's file name
    device: str
    model: str  # the model's id and prompt length: rows of different shapes are never merged
    method: str
    batch: int
    way: str  # eager, graph or compiled
    ms: float  # per decode step
    bandwidth_share: float | None  # the step's least bytes / its time, over the run's measured copy bandwidth
    result: int  # the result's index in its record
    compile_s: float | None = None  # for a compiled timing: how long torch.compile took first


def timings() -> list:
    """Every eager, and every checked graph and compiled, decode timing of the GPU decode suites, in record
    order (the oldest record first)."""
    found = []
    for run in results_dataset.load_dataset(results_dataset.build_records()).runs:
        if not run.on_gpu or run.header["suite"] not in SUITES:
            continue
        copy = run.header["device"].get("measured_bandwidth_bytes_s")
        for index, result in enumerate(run.record["results"]):
            metrics = result["metrics"]
            if result["status"] != "ok":
                continue
            for way, time_name, bandwidth_name in DECODE_TIMINGS:
                if time_name not in metrics or (way in CHECKS and CHECKS[way] not in metrics):
                    continue
                share = metrics[bandwidth_name] / copy if copy and bandwidth_name in metrics else None
                model = f"{result['model']['id']}, {result['workload']['prompt_tokens']}-token prompt"
                found.append(Timing(run.file, run.device_name, model, method_label(result["method"]),
                                    result["workload"]["batch"], way, metrics[time_name], share, index,
                                    metrics.get("compile_s") if way == "compiled" else None))
    return found


def decode_mode_rows() -> list:
    """One row per model, method and batch that has a checked graph or compiled timing: (method, batch,
    {way: Timing}), the ways of the newest such result; batch 1 first, then in record order."""
    results = {}
    for timing in timings():
        results.setdefault((timing.record, timing.result), {})[timing.way] = timing
    newest = {}
    for ways in results.values():  # in record order, so a newer result replaces an older one
        if "graph" in ways or "compiled" in ways:
            one = next(iter(ways.values()))
            newest.pop((one.model, one.method, one.batch), None)
            newest[one.model, one.method, one.batch] = ways
    return sorted(((method, batch, ways) for (_, method, batch), ways in newest.items()), key=lambda row: row[1])


def decode_modes_compile_seconds() -> str:
    """How long torch.compile took for the shown compiled timings, as text: "25 to 33 s"."""
    seconds = [ways["compiled"].compile_s for _, _, ways in decode_mode_rows()
               if "compiled" in ways and ways["compiled"].compile_s is not None]
    if not seconds:
        return ""
    low, high = f"{min(seconds):.0f}", f"{max(seconds):.0f}"
    return f"{low} s" if low == high else f"{low} to {high} s"


def decode_modes_models() -> list:
    """The model shapes of the shown timings (model id and prompt length), each once."""
    return list(dict.fromkeys(next(iter(ways.values())).model for _, _, ways in decode_mode_rows()))


def decode_modes_measured() -> bool:
    return bool(decode_mode_rows())


def decode_modes_device() -> str:
    """The device (or devices, joined) the shown timings come from."""
    return " and ".join(dict.fromkeys(timing.device for _, _, ways in decode_mode_rows() for timing in ways.values()))


def _ms(timing) -> str:
    return "–" if timing is None else f"{timing.ms:.2f}"


def _link(page, name: str) -> str:
    """A link to the record's download: HTML, since the file is copied into the site after MkDocs has checked
    the pages' Markdown links."""
    return f"<a href=\"{escape(results_dataset.record_href(page, name))}\">{escape(name)}</a>"


def decode_modes_table(page=None) -> str:
    """The record files and their device, then a table: per method and batch, ms per decode step eager / CUDA graph
    / compiled, eager over the fastest, and the fastest way's share of the copy bandwidth. The table is a
    focusable region that scrolls sideways where the page is narrower than it."""
    rows = decode_mode_rows()
    sources = {}
    for _, _, ways in rows:
        for timing in ways.values():
            sources.setdefault(timing.record, timing.device)
    several = len(decode_modes_models()) > 1
    columns = (["Model"] if several else []) + [
        "Method", "Batch", "Eager generate (ms/step)", "CUDA graph (ms/step)", "torch.compile (ms/step)",
        "Eager / best", "Best share of copy bandwidth"]
    body = []
    for method, batch, ways in rows:
        fastest = min(ways.values(), key=lambda timing: timing.ms)
        eager = ways.get("eager")
        cells = ([next(iter(ways.values())).model] if several else []) + [
            method, str(batch), *(_ms(ways.get(way)) for way in WAYS),
            "–" if eager is None else f"{eager.ms / fastest.ms:.1f}x",
            "–" if fastest.bandwidth_share is None else f"{fastest.bandwidth_share * 100:.0f}%"]
        body.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>")
    head = "".join(f"<th scope=\"col\">{escape(column)}</th>" for column in columns)
    records = "; ".join(f"{_link(page, name)} ({escape(device)})" for name, device in sorted(sources.items()))
    return (f"<p>Records: {records}.</p>\n\n"
            "<div class=\"results-table prose-table\" role=\"region\" tabindex=\"0\" "
            "aria-label=\"Decode step eager, from a CUDA graph and compiled\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>\n")
