"""Reading record files, and writing them atomically, result by result (standard library only)."""

import json
import os
from pathlib import Path

from .schema import SCHEMA_VERSION, RecordError, utc_now, validate_record, validate_result


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


def load_records(directory) -> list:
    """Every record file in `directory` (sorted by name), validated; the first bad one raises RecordError."""
    return [load_record(path) for path in sorted(Path(directory).glob("*.json"))]


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
            if record["schema"] != SCHEMA_VERSION:
                raise RecordError(self.path, "schema", f"cannot resume a schema {record['schema']} record; "
                                                       "start a new run id")
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
        write_json_atomically(self.path, self.record)


def write_json_atomically(path: Path, data) -> None:
    """`data` as JSON in `path`, through a temporary file and a rename: readers see the old file or the new
    one, never half of one (NaN and infinity refused, as JSON has no such numbers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=1, allow_nan=False)
        stream.write("\n")
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def _dig(mapping: dict, keys: tuple):
    for key in keys:
        mapping = mapping[key]
    return mapping
