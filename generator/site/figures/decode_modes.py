"""Our own H200 decode timings of the same model eager, replayed from a CUDA graph and under torch.compile, read
from the records in gpu_runs/ (the kernels page cites them)."""

from pathlib import Path

from generator.records.analysis import decode_rows
from generator.records.store import load_record

__all__ = ["decode_modes_table", "DECODE_MODE_RECORDS"]

ROOT = Path(__file__).resolve().parents[3]
# The second GPU session's records: the ones whose graph and compiled timings passed the teacher-forced check.
DECODE_MODE_RECORDS = ("gpu_runs/20261130T210910Z-gpu-decode.json",
                       "gpu_runs/20261130T210910Z-gpu-decode-batched.json")
WAYS = ("eager", "graph", "compiled")


def decode_mode_rows() -> list:
    """[(record path, device name, DecodeRow)] for each result timed from a CUDA graph or compiled."""
    found = []
    for path in DECODE_MODE_RECORDS:
        record = load_record(ROOT / path)
        for row in decode_rows(record):
            if "graph" in row.ms_per_token or "compiled" in row.ms_per_token:
                found.append((path, record["run"]["device"]["name"], row))
    return found


def _ms(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _ratio(eager, best) -> str:
    return "–" if eager is None else f"{eager / best:.1f}x"


def decode_modes_table() -> str:
    """Markdown: the record files and their device, then per result its batch, ms per decode step eager /
    CUDA graph / compiled, eager over the fastest, and the fastest way's share of the copy bandwidth."""
    rows = decode_mode_rows()
    sources = []
    for path, device, row in rows:
        entry = f"`{path}` ({device}, batch {row.batch})"
        if entry not in sources:
            sources.append(entry)
    lines = ["Records: " + "; ".join(sources) + ".", "",
             "| Method | Batch | Eager generate (ms/step) | CUDA graph (ms/step) | torch.compile (ms/step) | "
             "Eager / best | Best share of copy bandwidth |", "|---|---:|---:|---:|---:|---:|---:|"]
    for _path, _device, row in rows:
        ms = row.ms_per_token
        fastest = min(ms, key=ms.get)
        share = row.bandwidth_share.get(fastest)
        share_cell = "–" if share is None else f"{share * 100:.0f}%"
        cells = " | ".join(_ms(ms.get(way)) for way in WAYS)
        lines.append(f"| {row.method} | {row.batch} | {cells} | {_ratio(ms.get('eager'), ms[fastest])} | {share_cell} |")
    return "\n".join(lines) + "\n"
