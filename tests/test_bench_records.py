"""The record schema, its validator and the atomic, resumable writer (standard library only, no torch)."""

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.records import RecordError, RecordWriter, load_record, result_key, validate_record

ROOT = Path(__file__).resolve().parents[1]


def make_run(run_id="20260101T000000Z-smoke-test-cpu", device_name="Test CPU (2 cores)"):
    return {"id": run_id, "suite": "smoke", "started": "2026-01-01T00:00:00+00:00", "finished": None,
            "git_commit": "0" * 40, "git_dirty": False, "git_source": "checkout",
            "command": "python -m generator bench --suite smoke",
            "device": {"name": device_name, "kind": "cpu", "cc": None, "memory_bytes": 8 << 30,
                       "measured_bandwidth_bytes_s": None, "l2_cache_bytes": None},
            "versions": {"python": "3.11.7", "torch": "2.13.0+cpu", "cuda": None, "transformers": "5.24.0",
                         "bitsandbytes": "0.50.2", "driver": None}}


def make_result(method_id="bnb-4bit", prompt_tokens=32, status="ok"):
    ok = status == "ok"
    return {"model": {"id": "tiny-llama", "kind": "random-init", "params": 426624},
            "method": {"id": method_id, "version": 1, "config": {"quant_type": "nf4", "double_quant": False},
                       "weight_format": "nf4", "label": "nf4", "kernel": "bitsandbytes Linear4bit"},
            "workload": {"batch": 1, "prompt_tokens": prompt_tokens, "new_tokens": 8},
            "status": status, "error": None if ok else "Unsupported: no kernel for this device",
            "measured": "2026-01-01T00:00:05+00:00",
            "metrics": {"weight_bytes": 430336, "prefill_ms": 1.5, "decode_ms_per_token": 1.2} if ok else {},
            "missing": {"peak_bytes": "peak memory is measured on CUDA only, not on cpu"},
            "repeats": 3 if ok else 0,
            "spread": {"prefill_ms": {"min": 1.4, "max": 1.9}} if ok else {}}


def make_record():
    return {"schema": 2, "run": make_run(), "results": [make_result(), make_result(status="unsupported")]}


def test_a_valid_record_passes():
    record = make_record()
    assert validate_record(record) is record


def _set(record, path, value):
    target = record
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_DELETE = object()


@pytest.mark.parametrize("path, value, location, words", [
    (("schema",), 3, "schema", "must be one of 1, 2"),
    (("schema",), True, "schema", "must be one of 1, 2"),
    (("run", "git_source"), "laptop", "run.git_source", "one of checkout, provenance-file"),
    (("run", "git_source"), None, "run.git_source", "null exactly when run.git_commit is null"),
    (("run", "versions", "driver"), _DELETE, "run.versions", "'driver' is missing"),
    (("results", 0, "method", "kernel"), _DELETE, "results[0].method", "'kernel' is missing"),
    (("results", 0, "metrics", "kl_divergence"), 0.1, "results[0].metrics.kl_divergence",
     "random-init models carry no quality metrics"),
    (("run", "id"), "has spaces/and slashes", "run.id", "does not match"),
    (("run", "started"), "yesterday", "run.started", "ISO-8601"),
    (("run", "device", "kind"), "tpu", "run.device.kind", "one of cpu, cuda"),
    (("run", "device", "memory_bytes"), -5, "run.device.memory_bytes", "whole number >= 1"),
    (("run", "versions", "torch"), _DELETE, "run.versions", "'torch' is missing"),
    (("run", "colour"), "blue", "run.colour", "unknown field"),
    (("results",), {}, "results", "must be a list"),
    (("results", 1, "status"), "fine", "results[1].status", "one of ok, oom, unsupported, error"),
    (("results", 1, "error"), None, "results[1].error", "non-empty string"),
    (("results", 1, "error"), "two\nlines", "results[1].error", "one line"),
    (("results", 0, "error"), "boom", "results[0].error", "null when status is ok"),
    (("results", 0, "model", "kind"), "fine-tuned", "results[0].model.kind", "random-init"),
    (("results", 0, "model", "params"), True, "results[0].model.params", "whole number"),
    (("results", 0, "method", "version"), 0, "results[0].method.version", ">= 1"),
    (("results", 0, "method", "config"), [], "results[0].method.config", "must be an object"),
    (("results", 0, "workload", "batch"), 0, "results[0].workload.batch", ">= 1"),
    (("results", 0, "metrics", "prefill_ms"), "fast", "results[0].metrics.prefill_ms", "finite number"),
    (("results", 0, "metrics", "prefill_ms"), float("nan"), "results[0].metrics.prefill_ms", "finite number"),
    (("results", 0, "metrics", "speed"), 1.0, "results[0].metrics.speed", "unknown field"),
    (("results", 0, "metrics", "weight_bytes"), _DELETE, "results[0].metrics", "needs weight_bytes"),
    (("results", 0, "missing", "prefill_ms"), "not timed", "results[0].missing.prefill_ms", "also in metrics"),
    (("results", 0, "spread", "prefill_ms"), {"min": 1.6, "max": 1.9}, "results[0].spread.prefill_ms",
     "does not contain"),
    (("results", 0, "spread", "peak_bytes"), {"min": 1, "max": 2}, "results[0].spread.peak_bytes",
     "unknown field"),
])
def test_a_malformed_record_is_rejected_with_its_location(path, value, location, words):
    record = make_record()
    _set(record, path, value)
    with pytest.raises(RecordError) as raised:
        validate_record(record, "gpu_runs/x.json")
    assert raised.value.location == location
    message = str(raised.value)
    assert message.startswith(f"gpu_runs/x.json: {location}: ")
    assert words in message
    assert "\n" not in message


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@pytest.mark.parametrize("replacement", [None, "x", -1, 1.5, True, [], {}, float("inf"), _DELETE])
def test_no_change_anywhere_escapes_as_anything_but_a_record_error(replacement):
    for path in list(_paths(make_record()))[1:]:
        record = copy.deepcopy(make_record())
        if replacement is _DELETE and isinstance(path[-1], int):
            continue
        _set(record, path, replacement)
        try:
            validate_record(record)
        except RecordError:
            pass


@pytest.mark.parametrize("record", [None, [], "text", 3])
def test_a_record_that_is_not_an_object(record):
    with pytest.raises(RecordError, match="record: must be an object"):
        validate_record(record)


def test_load_record_names_the_file_and_the_json_fault(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"schema": 1,\n "run": }')
    with pytest.raises(RecordError) as raised:
        load_record(path)
    assert str(raised.value).startswith(f"{path}: line 2, column 9: not valid JSON")


def test_load_record_rejects_nan_and_a_file_name_that_is_not_the_run_id(tmp_path):
    record = make_record()
    path = tmp_path / f"{record['run']['id']}.json"
    path.write_text(json.dumps(record).replace('"prefill_ms": 1.5', '"prefill_ms": NaN'))
    with pytest.raises(RecordError, match="not valid JSON"):
        load_record(path)
    renamed = tmp_path / "other-name.json"
    renamed.write_text(json.dumps(record))
    with pytest.raises(RecordError, match="run.id: .* does not match the file name"):
        load_record(renamed)


# -- the writer -----------------------------------------------------------------

def test_the_writer_writes_after_every_result_and_finishes(tmp_path):
    writer = RecordWriter(tmp_path, make_run())
    assert not writer.resumed
    assert load_record(writer.path)["results"] == []
    writer.append(make_result(prompt_tokens=16))
    assert len(load_record(writer.path)["results"]) == 1
    writer.append(make_result(prompt_tokens=32))
    writer.finish()
    record = load_record(writer.path)
    assert len(record["results"]) == 2 and record["run"]["finished"] is not None
    assert [path.name for path in tmp_path.iterdir()] == [writer.path.name]  # no temporary file left behind


def test_the_writer_validates_each_result_before_writing(tmp_path):
    writer = RecordWriter(tmp_path, make_run())
    bad = make_result()
    bad["status"] = "great"
    with pytest.raises(RecordError, match=r"result.status"):
        writer.append(bad)
    with pytest.raises(RecordError, match="already holds"):
        writer.append(make_result())
        writer.append(make_result())
    assert len(load_record(writer.path)["results"]) == 1


def test_a_finished_record_is_never_rewritten(tmp_path):
    writer = RecordWriter(tmp_path, make_run())
    writer.append(make_result())
    writer.finish()
    before = writer.path.read_bytes()
    with pytest.raises(RecordError, match="run.finished: .* never rewritten"):
        RecordWriter(tmp_path, make_run())
    assert writer.path.read_bytes() == before


def test_a_run_resumes_only_on_the_same_device_and_versions(tmp_path):
    RecordWriter(tmp_path, make_run()).append(make_result())
    with pytest.raises(RecordError, match="run.device.name: cannot resume"):
        RecordWriter(tmp_path, make_run(device_name="Another CPU"))


# A writer that appends a new result every few milliseconds until it is killed.
_KILLED_WRITER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.test_bench_records import make_result, make_run
from generator.records import RecordWriter
writer = RecordWriter({out!r}, make_run())
for prompt_tokens in range(1, 100000):
    writer.append(make_result(prompt_tokens=prompt_tokens))
    time.sleep(0.002)
"""


def test_a_killed_run_keeps_what_it_wrote_and_resumes(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER.format(root=str(ROOT), out=str(tmp_path))])
    path = tmp_path / f"{make_run()['id']}.json"
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if path.exists() and len(json.loads(path.read_text())["results"]) >= 5:
                break
            time.sleep(0.01)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    kept = load_record(path)["results"]  # a complete, valid file, never half of one
    assert len(kept) >= 5 and kept[0]["workload"]["prompt_tokens"] == 1

    writer = RecordWriter(tmp_path, make_run())
    assert writer.resumed
    assert all(writer.has(result_key(result)) for result in kept)
    new = make_result(prompt_tokens=100000)
    assert not writer.has(result_key(new))
    writer.append(new)
    writer.finish()
    record = load_record(path)
    assert record["results"][:len(kept)] == kept and record["results"][-1] == new


# -- model.training: how a reference model was trained ------------------------------------------

def _with_training(**changes):
    record = make_record()
    model = record["results"][0]["model"]
    model.update(kind="reference-trained", id="pydocs-llama-small-seed0-1784steps")
    model["training"] = {"corpus": "91f47e3093f7e3cd-v8192", "steps": 1784, "tokens": 7307264, "train_s": 833.0,
                         "validation_loss_start": 9.04, "validation_loss": 3.68, "stopped_early": False,
                         "precision": "fp32 weights, bf16 autocast", "recipe": {"batch": 16, "learning_rate": 2e-3}}
    model["training"].update(changes)
    return record


def test_a_reference_model_may_say_how_it_was_trained():
    record = _with_training()
    assert validate_record(record) is record


@pytest.mark.parametrize("changes, location, words", [
    ({"steps": 0}, "results[0].model.training.steps", "whole number >= 1"),
    ({"stopped_early": "no"}, "results[0].model.training.stopped_early", "true or false"),
    ({"validation_loss": float("nan")}, "results[0].model.training.validation_loss", "finite number"),
    ({"recipe": [16]}, "results[0].model.training.recipe", "must be an object"),
    ({"epochs": 4}, "results[0].model.training.epochs", "unknown field"),
])
def test_a_malformed_training_block_is_rejected_with_its_field(changes, location, words):
    with pytest.raises(RecordError, match=words) as error:
        validate_record(_with_training(**changes))
    assert error.value.location == location


def test_only_reference_trained_models_carry_a_training_block():
    record = _with_training()
    record["results"][0]["model"]["kind"] = "random-init"
    with pytest.raises(RecordError, match="only reference-trained models have one") as error:
        validate_record(record)
    assert error.value.location == "results[0].model.training"


def test_a_schema_1_record_is_still_read_without_the_fields_schema_2_added():
    record = make_record()
    record["schema"] = 1
    for field in ("git_source",):
        del record["run"][field]
    del record["run"]["device"]["l2_cache_bytes"]
    del record["run"]["versions"]["driver"]
    for result in record["results"]:
        del result["method"]["label"], result["method"]["kernel"]
    record["results"][0]["metrics"]["kl_divergence"] = 0.1  # schema 1 allowed quality metrics on random models
    assert validate_record(record) is record
    record["results"][0]["method"]["label"] = "nf4"
    with pytest.raises(RecordError, match="unknown field"):
        validate_record(record)


def test_every_committed_record_validates():
    for path in sorted((ROOT / "gpu_runs").glob("*.json")):
        load_record(path)


def test_a_nan_or_infinite_metric_turns_the_result_into_an_error_naming_it():
    from generator.records import new_result

    base = make_result()
    result = new_result(base["model"], base["method"], base["workload"], "ok", None,
                        {"weight_bytes": 10, "prefill_ms": float("nan"), "decode_ms_per_token": float("inf")},
                        {}, 5, {"prefill_ms": {"min": 1.0, "max": float("nan")}})
    assert result["status"] == "error"
    assert result["error"] == "decode_ms_per_token, prefill_ms came out NaN or infinite"
    assert result["metrics"] == {"weight_bytes": 10} and result["spread"] == {}
    assert result["missing"]["prefill_ms"] == "measured as NaN or infinite"
    assert validate_record(dict(make_record(), results=[result]))


def test_the_record_contract_imports_no_torch():
    """The site reads records without torch installed: generator.records must not import it."""
    code = ("import sys; sys.modules['torch'] = None; import generator.records, generator.records.analysis; "
            "import generator.site.cli")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_every_metric_is_explained_in_the_gpu_runs_readme():
    from generator.records import METRICS

    readme = (ROOT / "gpu_runs" / "README.md").read_text()
    assert [name for name in METRICS if f"`{name}`" not in readme] == []


def test_decode_rows_give_each_way_of_decoding_its_bandwidth_share_and_speedup_over_bf16():
    from generator.records.analysis import WITHIN_SPREAD, decode_rows, format_decode_rows

    record = make_record()
    record["run"]["device"]["measured_bandwidth_bytes_s"] = 4.0e12
    bf16, int4 = make_result(), make_result(method_id="int4-weight-only")
    bf16["method"] = {"id": "unquantized", "version": 1, "config": {"dtype": "bfloat16"}, "weight_format": "bf16",
                      "label": "bf16", "kernel": "cuBLAS"}
    bf16["metrics"].update(decode_ms_per_token=20.0, decode_graph_ms_per_token=5.0, bandwidth_graph_bytes_s=3.2e12)
    bf16["spread"] = {"decode_ms_per_token": {"min": 19.0, "max": 21.0},
                      "decode_graph_ms_per_token": {"min": 4.9, "max": 5.1}}
    int4["metrics"].update(decode_ms_per_token=19.5, decode_graph_ms_per_token=2.0, bandwidth_graph_bytes_s=2.4e12)
    int4["spread"] = {"decode_ms_per_token": {"min": 18.0, "max": 21.0},
                      "decode_graph_ms_per_token": {"min": 1.9, "max": 2.1}}
    record["results"] = [bf16, int4, make_result(status="unsupported")]
    rows = decode_rows(validate_record(record))
    assert [row.method for row in rows] == ["bf16", "nf4"]
    bf16_row, int4_row = rows
    assert bf16_row.bandwidth_share == {"graph": 0.8} and bf16_row.speedup == {}
    assert int4_row.speedup["graph"].speedup == pytest.approx(2.5) and int4_row.speedup["graph"].verdict == "faster"
    assert int4_row.speedup["eager"].verdict == WITHIN_SPREAD  # 19.5 against 20 ms, both spreads overlap
    assert int4_row.best() == "graph"
    table = format_decode_rows(rows)
    assert "2.000 (60%, 2.50x)" in table and "~1.03x" in table


def test_measured_bytes_are_set_against_the_calculators_for_presets_only():
    import calculators
    from generator.records.analysis import format_memory_checks, memory_checks

    arch = calculators.preset_architecture("llama-3.1-8b")
    weights = calculators.weight_bytes(arch, calculators.weight_format("nf4")).total_bytes
    kv = calculators.kv_cache_bytes(arch, calculators.kv_format("bf16"), 8192, 1).total_bytes  # 1 GiB
    record = make_record()
    preset = make_result(prompt_tokens=8192)
    preset["model"] = {"id": "llama-3.1-8b", "kind": "random-init", "params": 8030261248}
    preset["metrics"].update(weight_bytes=int(weights * 1.005), kv_cache_bytes=kv)
    record["results"] = [preset, make_result()]  # the second is the tiny test model: no preset to predict from
    checks = memory_checks(validate_record(record))
    assert [(check.quantity, round(check.error, 4)) for check in checks] == [("weights", 0.005), ("kv cache", 0.0)]
    assert kv == 2 * 32 * 8 * 128 * 2 * 8192  # K and V, 32 layers, 8 KV heads of 128, 2 bytes, 8192 tokens
    assert "+0.50%" in format_memory_checks(checks)
