"""The evidence summary the decision wizard reads: per method and device, speed against bf16 with its spread,
memory, and quality against bf16, each entry naming the record (and result) it came from.

Derived from the records at build time (site/results/data/evidence.json) and on demand
(`python -m generator evidence`); never edited by hand. Standard library only.
"""

import json
import os
import sys
from collections import OrderedDict

from generator.records.analysis import DECODE_TIMINGS, compare, spread_range

from . import device
from .dataset import DEFAULT_RECORDS, load_dataset

EVIDENCE_SCHEMA = 1


def _source(row, metric=None) -> dict:
    entry = {"record": row.run.file, "result": row.index}
    if metric:
        entry["metric"] = metric
    return entry


def summary(dataset) -> dict:
    methods = OrderedDict()

    def entry(row):
        method = methods.setdefault(row.method, {"method_id": row.result["method"]["id"],
                                                 "weight_format": row.weight_format,
                                                 "kernel": row.result["method"].get("kernel"), "devices": {}})
        return method["devices"].setdefault(row.run.device_name, {"measured_on": row.run.where, "speed": [],
                                                                   "memory": [], "quality": []})

    speed = [row for row in device.speed_rows(dataset.rows) if row.ok]
    references = {(row.run.device_name, row.model, json.dumps(row.result["workload"], sort_keys=True)): row
                  for row in speed if device.is_reference(row)}
    for row in speed:
        reference = references.get((row.run.device_name, row.model, json.dumps(row.result["workload"],
                                                                                 sort_keys=True)))
        for way, metric, _ in DECODE_TIMINGS:
            if metric not in row.metrics:
                continue
            item = {"model": row.model, "batch": row.batch, "prompt_tokens": row.prompt_tokens,
                    "decoding": device.WAY_NAMES[way], "ms_per_token": row.metrics[metric],
                    "ms_range": list(spread_range(row.result, metric)), "source": _source(row, metric)}
            if reference is not None and reference is not row and metric in reference.metrics:
                comparison = compare(row.result, reference.result, metric)
                if min(*comparison.method_range, *comparison.reference_range) > 0:
                    item["speedup_vs_bf16"] = comparison.speedup
                    item["speedup_range"] = list(comparison.speedup_range)
                    item["verdict"] = comparison.verdict
                    item["reference"] = _source(reference, metric)
            entry(row)["speed"].append(item)
        memory = {name: row.metrics[name] for name in ("weight_bytes", "peak_bytes", "kv_cache_bytes")
                  if name in row.metrics}
        if memory:
            entry(row)["memory"].append({"model": row.model, "batch": row.batch, **memory, "source": _source(row)})
    quality = device.quality_rows(dataset.rows)
    bf16 = {(row.run.file, row.model): row for row in quality if device.is_reference(row)}
    for row in quality:
        reference = bf16.get((row.run.file, row.model))
        item = {"model": row.model, "params": row.params, "source": _source(row)}
        for name in ("kl_divergence", "kl_p99", "top1_agreement", "perplexity"):
            if name in row.metrics:
                item[name] = row.metrics[name]
        if reference is not None and "perplexity" in row.metrics:
            item["perplexity_ratio_vs_bf16"] = row.metrics["perplexity"] / reference.metrics["perplexity"]
        entry(row)["quality"].append(item)
    return {"schema": EVIDENCE_SCHEMA,
            "about": "Derived at build time from the records in gpu_runs/ (generator/site/results/evidence.py). "
                     "Speed and memory are of random-init real architectures; quality is of reference models "
                     "trained by this project. measured_on says GPU or CPU.",
            "records": [{"file": run.file, "device": run.device_name, "measured_on": run.where, "date": run.date,
                         "git_commit": run.header["git_commit"], "suite": run.header["suite"]}
                        for run in dataset.runs],
            "methods": methods}


def register(commands):
    command = commands.add_parser("evidence", help="print the evidence summary the wizard reads, from the records")
    command.add_argument("--records", default=str(DEFAULT_RECORDS), help="directory of record files")
    command.add_argument("--json", action="store_true", help="print the JSON instead of a table")
    command.set_defaults(run=run)


def run(args) -> int:
    from generator.records import RecordError

    try:
        data = summary(load_dataset(args.records))
    except RecordError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        _print(data, args.json)
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _print(data: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, indent=1))
        return
    print(f"{'method':<36} {'device':<22} {'on':<4} {'speed items':>11} {'best x bf16':>12} {'quality items':>13}")
    for label, method in data["methods"].items():
        for name, evidence in method["devices"].items():
            ratios = [item["speedup_vs_bf16"] for item in evidence["speed"] if "speedup_vs_bf16" in item]
            best = f"{max(ratios):.2f}x" if ratios else "-"
            print(f"{label[:36]:<36} {name[:22]:<22} {evidence['measured_on']:<4} {len(evidence['speed']):>11} "
                  f"{best:>12} {len(evidence['quality']):>13}")
    sys.stdout.flush()
