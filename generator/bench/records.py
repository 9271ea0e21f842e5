"""Benchmark records: the schema, its validator and the atomic, resumable writer.

One JSON file per run, `<run id>.json`:

    {"schema": 1,
     "run": {"id", "suite", "started", "finished" (null while the run is going), "git_commit", "git_dirty",
             "command", "device": {"name", "kind": "cpu|cuda", "cc", "memory_bytes", "measured_bandwidth_bytes_s"},
             "versions": {"python", "torch", "cuda", "transformers", "bitsandbytes"}},
     "results": [{"model": {"id", "kind": "random-init|reference-trained|pretrained", "params",
                            "training" (reference-trained models only, optional): {"corpus", "steps", "tokens",
                                        "train_s", "validation_loss_start", "validation_loss", "stopped_early",
                                        "precision", "recipe": {...}}},
                  "method": {"id", "version", "config": {...}, "weight_format"},
                  "workload": {"batch", "prompt_tokens", "new_tokens"},
                  "status": "ok|oom|unsupported|error", "error": null or one line,
                  "measured": ISO-8601 time,
                  "metrics": {name: number}, "missing": {name: why it was not measured},
                  "repeats", "spread": {name: {"min", "max"}}}]}

`method.weight_format` is a `calculators` weight format id, so the measured
weight bytes can be set against `calculators.weight_bytes`. A metric that could
not be measured (peak memory on a CPU) is absent from `metrics` and named in
`missing` with the reason; it is never written as zero.

Standard library only: the site build validates records without torch.
"""

import json
import math
import os
import re
from datetime import datetime, timezone
from pathlib import Path

SCHEMA_VERSION = 1
STATUSES = ("ok", "oom", "unsupported", "error")
MODEL_KINDS = ("random-init", "reference-trained", "pretrained")
DEVICE_KINDS = ("cpu", "cuda")
METRICS = {
    "weight_bytes": "bytes of every parameter, buffer and quantization state tensor in memory, each storage once",
    "state_dict_bytes": "bytes of the tensors in model.state_dict() (what a checkpoint holds), each storage once",
    "quantize_s": "seconds to quantize the model in place (on CUDA, synchronised)",
    "peak_bytes": "torch.cuda.max_memory_allocated over prefill and decode (CUDA only)",
    "prefill_ms": "median time of a greedy model.generate call making one token: the prompt's forward pass and "
                  "the first token (time to first token)",
    "decode_ms_per_token": "median of (a generate call making 1 + new_tokens tokens - one making 1) / new_tokens, "
                           "paired within each repeat: each further token as a user of generate sees it",
    "tokens_per_s": "batch * 1000 / decode_ms_per_token",
    "bandwidth_bytes_s": "weight_bytes / decode seconds per token: as if every stored weight byte were read once "
                         "per step (the embedding table is not, in truth) and KV-cache reads left out",
    "decode_graph_ms_per_token": "median seconds per decode step x 1000 with launch overhead removed: a static KV "
                                 "cache, each step replayed from a CUDA graph checked to pick the same greedy tokens "
                                 "as eager steps (CUDA only)",
    "tokens_per_s_graph": "batch * 1000 / decode_graph_ms_per_token",
    "bandwidth_graph_bytes_s": "weight_bytes / decode_graph seconds per step (as bandwidth_bytes_s)",
    "logits_sqnr_db": "10 log10(sum ref^2 / sum (ref - logits)^2) against the unquantized bf16 model, same input",
    "kl_divergence": "mean KL(ref || quantized) of next-token distributions over prompt positions, nats",
    "top1_agreement": "fraction of prompt positions where the argmax token matches the bf16 reference",
    "perplexity": "perplexity on held-out text (reference-trained models only)",
    "layer_ms": "kernel suite: median time of one forward of a single linear layer on `batch` tokens, eager",
    "layer_graph_ms": "kernel suite: the same forward replayed from a CUDA graph (launch overhead removed)",
}
RUN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class RecordError(ValueError):
    """A record that breaks the schema, said in one line: the file, where in it, and what is wrong."""

    def __init__(self, source, location: str, message: str):
        self.source, self.location = str(source), location
        super().__init__(f"{self.source}: {location}: {message}")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def one_line(exception: BaseException, limit: int = 500) -> str:
    """An exception as a record holds it: its first non-blank line (its type's name if none), cut at `limit`."""
    lines = [line.strip() for line in str(exception).splitlines() if line.strip()]
    return (lines[0] if lines else type(exception).__name__)[:limit]


def new_result(model: dict, method: dict, workload: dict, status: str, error: str | None, metrics: dict,
               missing: dict, repeats: int, spread: dict) -> dict:
    """One result as the schema has it, stamped now; a metric that was measured is not also listed as missing."""
    missing = {name: reason for name, reason in missing.items() if name not in metrics}
    return {"model": model, "method": method, "workload": workload, "status": status, "error": error,
            "measured": utc_now(), "metrics": metrics, "missing": missing, "repeats": repeats, "spread": spread}


# -- validation ---------------------------------------------------------------



class _Checker:
    """Walks one record; each method checks one field and returns its value."""

    def __init__(self, source):
        self.source = source

    def fail(self, where: str, message: str):
        raise RecordError(self.source, where, message)

    def obj(self, value, where: str, required: tuple, optional: tuple = ()) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"must be an object, not {_describe(value)}")
        for key in required:
            if key not in value:
                self.fail(where, f"field {key!r} is missing")
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            self.fail(f"{where}.{unknown[0]}", "unknown field")
        return value

    def text(self, value, where: str, nullable=False, choices=None, pattern=None) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"must be a non-empty string{' or null' if nullable else ''}, not {_describe(value)}")
        if choices is not None and value not in choices:
            self.fail(where, f"must be one of {', '.join(choices)}, not {value!r}")
        if pattern is not None and not pattern.match(value):
            self.fail(where, f"{value!r} does not match {pattern.pattern}")
        return value

    def integer(self, value, where: str, minimum=0, nullable=False) -> int | None:
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(where, f"must be a whole number >= {minimum}{' or null' if nullable else ''}, "
                             f"not {_describe(value)}")
        return value

    def number(self, value, where: str, nullable=False) -> float | None:
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(where, f"must be a finite number{' or null' if nullable else ''}, not {_describe(value)}")
        return value

    def time(self, value, where: str, nullable=False) -> str | None:
        if value is None and nullable:
            return None
        self.text(value, where)
        try:
            datetime.fromisoformat(value)
        except ValueError:
            self.fail(where, f"must be an ISO-8601 time, not {value!r}")
        return value


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return repr(value)[:60]


def validate_record(record, source="<record>") -> dict:
    """Check a whole record against schema version 1; return it, or raise RecordError naming the field."""
    check = _Checker(source)
    check.obj(record, "record", ("schema", "run", "results"))
    if record["schema"] != SCHEMA_VERSION:
        check.fail("schema", f"must be {SCHEMA_VERSION}, not {_describe(record['schema'])}")
    _check_run(check, record["run"])
    if not isinstance(record["results"], list):
        check.fail("results", f"must be a list, not {_describe(record['results'])}")
    for index, result in enumerate(record["results"]):
        _check_result(check, result, f"results[{index}]")
    return record


def validate_result(result, source="<result>") -> dict:
    _check_result(_Checker(source), result, "result")
    return result


def _check_run(check: _Checker, run):
    check.obj(run, "run", ("id", "suite", "started", "finished", "git_commit", "git_dirty", "command", "device",
                           "versions"))
    check.text(run["id"], "run.id", pattern=RUN_ID_PATTERN)
    check.text(run["suite"], "run.suite")
    check.time(run["started"], "run.started")
    check.time(run["finished"], "run.finished", nullable=True)
    check.text(run["git_commit"], "run.git_commit", nullable=True)
    if run["git_dirty"] not in (True, False, None):
        check.fail("run.git_dirty", f"must be true, false or null, not {_describe(run['git_dirty'])}")
    check.text(run["command"], "run.command")
    device = check.obj(run["device"], "run.device", ("name", "kind", "cc", "memory_bytes",
                                                     "measured_bandwidth_bytes_s"))
    check.text(device["name"], "run.device.name")
    check.text(device["kind"], "run.device.kind", choices=DEVICE_KINDS)
    check.text(device["cc"], "run.device.cc", nullable=True)
    check.integer(device["memory_bytes"], "run.device.memory_bytes", minimum=1, nullable=True)
    check.number(device["measured_bandwidth_bytes_s"], "run.device.measured_bandwidth_bytes_s", nullable=True)
    versions = check.obj(run["versions"], "run.versions", ("python", "torch", "cuda", "transformers",
                                                           "bitsandbytes"))
    for name in ("python", "torch", "transformers"):
        check.text(versions[name], f"run.versions.{name}")
    for name in ("cuda", "bitsandbytes"):  # absent on a CPU build / when bitsandbytes is not installed
        check.text(versions[name], f"run.versions.{name}", nullable=True)


def _check_result(check: _Checker, result, where: str):
    check.obj(result, where, ("model", "method", "workload", "status", "error", "measured", "metrics", "missing",
                              "repeats", "spread"))
    model = check.obj(result["model"], f"{where}.model", ("id", "kind", "params"), ("training",))
    check.text(model["id"], f"{where}.model.id")
    kind = check.text(model["kind"], f"{where}.model.kind", choices=MODEL_KINDS)
    check.integer(model["params"], f"{where}.model.params", minimum=1)
    if "training" in model:
        if kind != "reference-trained":
            check.fail(f"{where}.model.training", f"only reference-trained models have one, not {kind}")
        _check_training(check, model["training"], f"{where}.model.training")
    method = check.obj(result["method"], f"{where}.method", ("id", "version", "config", "weight_format"))
    check.text(method["id"], f"{where}.method.id")
    check.integer(method["version"], f"{where}.method.version", minimum=1)
    if not isinstance(method["config"], dict):
        check.fail(f"{where}.method.config", f"must be an object, not {_describe(method['config'])}")
    check.text(method["weight_format"], f"{where}.method.weight_format")
    workload = check.obj(result["workload"], f"{where}.workload", ("batch", "prompt_tokens", "new_tokens"))
    check.integer(workload["batch"], f"{where}.workload.batch", minimum=1)
    check.integer(workload["prompt_tokens"], f"{where}.workload.prompt_tokens", minimum=1)
    check.integer(workload["new_tokens"], f"{where}.workload.new_tokens", minimum=0)
    status = check.text(result["status"], f"{where}.status", choices=STATUSES)
    if status == "ok":
        if result["error"] is not None:
            check.fail(f"{where}.error", "must be null when status is ok")
    else:
        check.text(result["error"], f"{where}.error")
        if "\n" in result["error"]:
            check.fail(f"{where}.error", "must be one line")
    check.time(result["measured"], f"{where}.measured")
    metrics = check.obj(result["metrics"], f"{where}.metrics", (), tuple(METRICS))
    for name, value in metrics.items():
        check.number(value, f"{where}.metrics.{name}")
    missing = check.obj(result["missing"], f"{where}.missing", (), tuple(METRICS))
    for name, reason in missing.items():
        check.text(reason, f"{where}.missing.{name}")
        if name in metrics:
            check.fail(f"{where}.missing.{name}", "is also in metrics")
    if status == "ok" and "weight_bytes" not in metrics:
        check.fail(f"{where}.metrics", "a result with status ok needs weight_bytes")
    check.integer(result["repeats"], f"{where}.repeats", minimum=0)
    spread = check.obj(result["spread"], f"{where}.spread", (), tuple(metrics))
    for name, bounds in spread.items():
        bounds = check.obj(bounds, f"{where}.spread.{name}", ("min", "max"))
        low = check.number(bounds["min"], f"{where}.spread.{name}.min")
        high = check.number(bounds["max"], f"{where}.spread.{name}.max")
        if not low <= metrics[name] <= high:
            check.fail(f"{where}.spread.{name}", f"[{low}, {high}] does not contain the metric {metrics[name]}")


def _check_training(check: _Checker, training, where: str):
    """How the bench trained a reference model (generator.bench.reference.train.TrainedModel)."""
    check.obj(training, where, ("corpus", "steps", "tokens", "train_s", "validation_loss_start", "validation_loss",
                                "stopped_early", "precision", "recipe"))
    check.text(training["corpus"], f"{where}.corpus")
    check.integer(training["steps"], f"{where}.steps", minimum=1)
    check.integer(training["tokens"], f"{where}.tokens", minimum=1)
    for name in ("train_s", "validation_loss_start", "validation_loss"):
        check.number(training[name], f"{where}.{name}")
    if not isinstance(training["stopped_early"], bool):
        check.fail(f"{where}.stopped_early", f"must be true or false, not {_describe(training['stopped_early'])}")
    check.text(training["precision"], f"{where}.precision")
    if not isinstance(training["recipe"], dict):
        check.fail(f"{where}.recipe", f"must be an object, not {_describe(training['recipe'])}")


def load_record(path) -> dict:
    """Read and validate one record file; any fault becomes a RecordError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RecordError(path, "file", error.strerror or str(error)) from None
    except UnicodeDecodeError:
        raise RecordError(path, "file", "is not UTF-8 text") from None
    try:
        record = json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        location = f"line {error.lineno}, column {error.colno}" if hasattr(error, "lineno") else "json"
        raise RecordError(path, location, f"not valid JSON ({getattr(error, 'msg', error)})") from None
    validate_record(record, path)
    if record["run"]["id"] != path.stem:
        raise RecordError(path, "run.id", f"{record['run']['id']!r} does not match the file name")
    return record


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON number")


# -- writing ------------------------------------------------------------------

def result_key(result: dict) -> str:
    """What makes two results the same measurement: model, method (with its config) and workload."""
    method = result["method"]
    return json.dumps([result["model"]["id"], method["id"], method["version"], method["config"],
                       result["workload"]], sort_keys=True)


# Fields of the run header that must agree for a killed run to be resumed.
_RESUME_MUST_MATCH = (("suite",), ("device", "name"), ("device", "kind"), ("versions", "torch"),
                      ("versions", "transformers"), ("versions", "bitsandbytes"), ("versions", "cuda"))


class RecordWriter:
    """Writes `<out_dir>/<run id>.json`, rewriting it atomically after every result.

    A file of the same run that is not finished is resumed: its results are kept
    and `has()` says which to skip. A finished file is never touched again.
    """

    def __init__(self, out_dir, run: dict):
        self.path = Path(out_dir) / f"{run['id']}.json"
        if self.path.exists():
            record = load_record(self.path)
            if record["run"]["finished"] is not None:
                raise RecordError(self.path, "run.finished",
                                  f"run {run['id']!r} finished at {record['run']['finished']}; records are never "
                                  "rewritten, start a new run id")
            for keys in _RESUME_MUST_MATCH:
                old, new = _dig(record["run"], keys), _dig(run, keys)
                if old != new:
                    raise RecordError(self.path, "run." + ".".join(keys),
                                      f"cannot resume: the file has {old!r}, this run has {new!r}")
            self.resumed = True
        else:
            record = validate_record({"schema": SCHEMA_VERSION, "run": dict(run, finished=None), "results": []},
                                     self.path)
            self.resumed = False
        self.record = record
        self._done = {result_key(result) for result in record["results"]}
        if not self.resumed:
            self._write()

    @property
    def run_id(self) -> str:
        return self.record["run"]["id"]

    def has(self, result_key_: str) -> bool:
        return result_key_ in self._done

    def append(self, result: dict):
        validate_result(result, self.path)
        key = result_key(result)
        if key in self._done:
            raise RecordError(self.path, "results", f"already holds a result for {key}")
        self.record["results"].append(result)
        self._done.add(key)
        self._write()

    def finish(self):
        self.record["run"]["finished"] = utc_now()
        self._write()

    def _write(self):
        validate_record(self.record, self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(self.record, stream, indent=1, allow_nan=False)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.path)  # readers see the old file or the new one, never half of one


def _dig(mapping: dict, keys: tuple):
    for key in keys:
        mapping = mapping[key]
    return mapping
