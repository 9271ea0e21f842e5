"""Every committed record, read once and flattened: one row per result, with where it was measured.

Standard library only (the records contract is): the site builds without torch. A record that does not
validate stops the build with its file name and the field at fault (generator.records raises RecordError).
"""

import csv
import functools
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.records import METRICS, load_record
from generator.records.analysis import method_label

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_RECORDS = ROOT / "gpu_runs"
# Where the site publishes its data downloads, and each record file among them, from its root (results/pages.py
# writes them; the pages that quote a record link to it there).
DATA_DIR = "results/downloads"
RECORDS_URL = f"{DATA_DIR}/records/"


@dataclass(frozen=True)
class Run:
    """One record file's run header, and the device it names."""

    file: str  # the record's file name in gpu_runs/
    record: dict

    @property
    def header(self) -> dict:
        return self.record["run"]

    @property
    def device_name(self) -> str:
        return self.header["device"]["name"]

    @property
    def on_gpu(self) -> bool:
        return self.header["device"]["kind"] == "cuda"

    @property
    def where(self) -> str:
        """GPU or CPU: said on every chart and table that shows a number of this run."""
        return "GPU" if self.on_gpu else "CPU"

    @property
    def date(self) -> str:
        return self.header["started"][:10]

    def command(self) -> str:
        """How to measure this run again: the bench command it ran, with the module path the README uses."""
        return re.sub(r"^\S*python3?\s+-m\s+generator", "python -m generator", self.header["command"])


@dataclass(frozen=True)
class Row:
    """One result of one run."""

    run: Run
    result: dict
    index: int  # the result's place in its record's results

    @property
    def model(self) -> str:
        return self.result["model"]["id"]

    @property
    def model_kind(self) -> str:
        return self.result["model"]["kind"]

    @property
    def params(self) -> int:
        return self.result["model"]["params"]

    @property
    def method(self) -> str:
        return method_label(self.result["method"])

    @property
    def weight_format(self) -> str:
        return self.result["method"]["weight_format"]

    @property
    def batch(self) -> int:
        return self.result["workload"]["batch"]

    @property
    def prompt_tokens(self) -> int:
        return self.result["workload"]["prompt_tokens"]

    @property
    def ok(self) -> bool:
        return self.result["status"] == "ok"

    @property
    def metrics(self) -> dict:
        return self.result["metrics"]

    @property
    def missing(self) -> dict:
        return self.result.get("missing", {})


@dataclass(frozen=True)
class Dataset:
    runs: tuple  # Run, sorted by file name
    rows: tuple  # Row, in record order

    def devices(self) -> list:
        """(device name, GPU or CPU), GPUs first, each once."""
        seen = {}
        for run in self.runs:
            seen.setdefault(run.device_name, run.where)
        return sorted(seen.items(), key=lambda item: (item[1] != "GPU", item[0]))

    def runs_on(self, device: str) -> list:
        return [run for run in self.runs if run.device_name == device]

    def rows_on(self, device: str) -> list:
        return [row for row in self.rows if row.run.device_name == device]


def build_records():
    """The records a build of the site reads: the directory named by $LQFG_RECORDS, else gpu_runs/. Every page
    quotes this one set (a page that read gpu_runs/ in a build from another set linked to device pages that
    set did not have)."""
    return os.environ.get("LQFG_RECORDS") or DEFAULT_RECORDS


def load_dataset(directory=DEFAULT_RECORDS) -> Dataset:
    """The records of a directory, read and validated once while their files stay as they are: a build's pages
    each ask for the records (their tables, and the sentences worked out from them), and a record added,
    rewritten or removed is read afresh (the key holds every file's name, size and modification time)."""
    paths = sorted(Path(directory).glob("*.json"))
    files = tuple((str(path.resolve()), *_stamp(path)) for path in paths)
    return _load_dataset(files)


def _stamp(path: Path) -> tuple:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


@functools.lru_cache(maxsize=8)
def _load_dataset(files: tuple) -> Dataset:
    runs, rows = [], []
    for name, *_ in files:
        path = Path(name)
        run = Run(path.name, load_record(path))
        runs.append(run)
        rows.extend(Row(run, result, index) for index, result in enumerate(run.record["results"]))
    return Dataset(tuple(runs), tuple(rows))


def record_href(page, file: str) -> str:
    """A record's download, relative to a page's URL (directory URLs: learn/methods/; no page: two levels down)."""
    depth = page.url.count("/") if page is not None else 2
    return "../" * depth + RECORDS_URL + file


def device_slug(name: str) -> str:
    """A device name as a page name: "NVIDIA H200" -> "nvidia-h200"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "device"


CSV_FIELDS = ("record", "run_id", "suite", "measured_on", "device", "date", "git_commit", "torch", "cuda",
              "transformers", "bitsandbytes", "driver", "model", "model_kind", "params", "method", "method_id",
              "weight_format", "kernel", "batch", "prompt_tokens", "new_tokens", "status", "error",
              *METRICS)


def results_csv(dataset: Dataset) -> str:
    """One flat CSV of every result: a column per metric, empty where the result has none (its record says
    why under `missing`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in dataset.rows:
        header, result = row.run.header, row.result
        versions = header["versions"]
        line = {"record": row.run.file, "run_id": header["id"], "suite": header["suite"],
                "measured_on": row.run.where, "device": row.run.device_name, "date": row.run.date,
                "git_commit": header["git_commit"], "torch": versions.get("torch"), "cuda": versions.get("cuda"),
                "transformers": versions.get("transformers"), "bitsandbytes": versions.get("bitsandbytes"),
                "driver": versions.get("driver"), "model": row.model, "model_kind": row.model_kind,
                "params": row.params, "method": row.method, "method_id": result["method"]["id"],
                "weight_format": row.weight_format, "kernel": result["method"].get("kernel", ""),
                "batch": row.batch, "prompt_tokens": row.prompt_tokens,
                "new_tokens": result["workload"]["new_tokens"], "status": result["status"],
                "error": result.get("error") or ""}
        for name in METRICS:
            value = row.metrics.get(name)
            line[name] = "" if value is None else repr(value)
        writer.writerow({key: "" if value is None else value for key, value in line.items()})
    return out.getvalue()
