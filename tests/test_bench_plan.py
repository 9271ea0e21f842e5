"""The GPU plan on the CPU: its dry run, its cap, and failures contained in processes of their own."""

import json
import time

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from generator.__main__ import main  # noqa: E402
from generator.bench import plan  # noqa: E402
from generator.bench.suites import GPU_SUITES, SUITES, SuiteOptions  # noqa: E402
from generator.records import load_record  # noqa: E402


def test_the_dry_run_lists_every_gpu_item_in_order_and_this_call_fits_the_cap_with_a_fifth_to_spare(capsys):
    assert main(["bench-plan", "--dry-run", "--cap-s", "420", "--device-name", "A GPU nothing was measured on"]) == 0
    out = capsys.readouterr().out
    planned = plan.gpu_plan("A GPU nothing was measured on")
    # every GPU suite's items, in the registry's order of value
    assert [item.suite for item in planned] == sorted((item.suite for item in planned), key=GPU_SUITES.index)
    # a suite that trains its models first (gpu-quality, gpu-qlora) is one planned item, its items exist after training
    training = [name for name in GPU_SUITES if SUITES[name].trains_models]
    assert training == ["gpu-quality", "gpu-qlora"]
    assert len(planned) == len(training) + sum(len(SUITES[name].items(SuiteOptions(device="cuda")))
                                               for name in GPU_SUITES if name not in training)
    assert all(item.estimate_s > 0 for item in planned)
    chosen = plan.fitting(planned, 420)
    assert chosen and plan.planned_seconds(chosen) <= 0.8 * 420
    assert planned[0].suite == "gpu-decode" and planned[0].label.startswith("bf16 on llama-3.1-8b, batch 1")
    assert f"this call: {len(chosen)} of {len(planned)} items" in out and "% margin" in out
    margin = 1 - plan.planned_seconds(chosen) / 420
    assert margin >= 0.2


def test_the_plan_leaves_out_what_a_committed_record_measured_on_the_same_device():
    planned = plan.gpu_plan("Some GPU")
    first, second = planned[0], planned[1]
    record = {"run": {"device": {"name": "Some GPU"}}, "results": []}
    skeleton = json.loads(first.key)
    record["results"].append({"model": {"id": skeleton[0]}, "method": {"id": skeleton[1], "version": skeleton[2],
                              "config": skeleton[3]}, "workload": skeleton[4], "status": "ok"})
    assert plan.measured_keys([record], "Some GPU") == {first.key}
    assert plan.measured_keys([record], "Another GPU") == set()
    for status, error, final in (("error", "RuntimeError: boom", False), ("oom", "CUDA out of memory", True),
                                 ("unsupported", "FP8 matmuls need compute capability 8.9", True),
                                 ("unsupported", "bitsandbytes is not installed (no module)", False)):
        retried = dict(record["results"][0], status=status, error=error)
        assert plan.measured_keys([dict(record, results=[retried])], "Some GPU") == ({first.key} if final else set())
    again = plan.gpu_plan("Some GPU", plan.measured_keys([record], "Some GPU"))
    assert again[0] == second and len(again) == len(planned) - 1
    # A timing the earlier token check refused is measured again; another missing reason is final.
    refused = dict(record["results"][0], missing={
        "decode_graph_ms_per_token": "the replayed CUDA graph picked other tokens than eager decoding (53% equal)"})
    assert plan.measured_keys([dict(record, results=[refused])], "Some GPU") == set()
    other = dict(record["results"][0], missing={"decode_graph_ms_per_token": "CUDA graph capture failed: X"})
    assert plan.measured_keys([dict(record, results=[other])], "Some GPU") == {first.key}


def test_an_item_that_does_not_fit_stops_the_call_there_keeping_the_order():
    items = [plan.PlannedItem("a", "one", 100, "1"), plan.PlannedItem("a", "two", 300, "2"),
             plan.PlannedItem("a", "three", 10, "3")]
    assert [item.label for item in plan.fitting(items, 500)] == ["one"]  # 25 + 100 + 300 > 400
    assert [item.label for item in plan.fitting(items, 1000)] == ["one", "two", "three"]


@pytest.mark.parametrize("bad, words", [(["--cap-s", "5"], "must be more than"),
                                        (["--suites", "smoke"], "is not a GPU suite")])
def test_bad_plan_arguments_get_one_line(capsys, bad, words):
    assert main(["bench-plan", "--dry-run", *bad]) == 2
    assert words in capsys.readouterr().err


def test_the_cap_stops_a_running_item_and_records_it(tmp_path):
    started = time.time()
    status = plan.run_plan(["faults-hang"], cap_s=40, out=tmp_path, process_start_s=1,
                           extra_env={"LQFG_BENCH_PLUGINS": "tests.bench_faults"}, started=started)
    assert status == 3 and time.time() - started < 40 + 15
    (path,) = tmp_path.glob("*-faults-hang.json")
    results = load_record(path)["results"]
    assert [result["status"] for result in results] == ["ok", "error"]
    assert results[1]["error"] == "stopped at the wall-clock cap of the GPU plan"


def test_no_suite_starts_when_the_cap_leaves_no_time_for_its_process(tmp_path):
    assert plan.run_plan(["faults"], cap_s=plan.PROCESS_START_S, out=tmp_path) == 3
    assert not list(tmp_path.glob("*.json"))


def test_the_commit_travels_in_the_provenance_file_to_a_copy_without_git(tmp_path, monkeypatch):
    from generator.bench import environment

    commit, dirty, source = environment.git_state()
    assert source == "checkout" and len(commit) == 40
    written = environment.write_provenance(tmp_path / "provenance.json")
    assert written["git_commit"] == commit and written["git_dirty"] == dirty
    monkeypatch.setattr(environment, "REPO_ROOT", tmp_path)  # a copy of the tree: no .git
    monkeypatch.setattr(environment, "PROVENANCE_FILE", tmp_path / "provenance.json")
    assert environment.git_state() == (commit, dirty, "provenance-file")
    (tmp_path / "provenance.json").unlink()
    assert environment.git_state() == (None, None, None)


def test_the_gpu_quality_suite_trains_for_what_the_cap_leaves_or_waits_for_a_call_of_its_own():
    evaluation = plan._quality_evaluation_s()
    assert plan._quality_train_s(evaluation + 3 * 500) == plan.QUALITY_MAX_TRAIN_S
    assert plan._quality_train_s(evaluation + 3 * 60) == pytest.approx(60)
    assert plan._quality_train_s(evaluation + 3 * 30) is None
    assert plan._quality_call_s() < 420  # a call of its own at the default cap is enough


def test_the_gpu_scripts_dry_run_shows_what_its_call_measures_inside_the_cap():
    import os
    import re
    import subprocess
    import sys

    answer = subprocess.run(["bash", "generator/bench/run_on_gpu.sh", "--dry-run", "420"], cwd=plan.REPO_ROOT,
                            env=dict(os.environ, PYTHON=sys.executable), capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0, answer.stderr
    summary = re.search(r"this call: (\d+) of \d+ items, estimated (\d+) s of a (\d+) s cap", answer.stdout)
    items, estimated, cap = map(int, summary.groups())
    assert items >= 1 and cap < 420 and estimated <= 0.8 * cap


def test_the_gpu_script_runs_end_to_end_within_its_cap_contains_failures_and_returns_a_log_and_the_records(
        tmp_path):
    """run_on_gpu.sh as the device call runs it (here on the CPU, with the failing methods as its one suite):
    setup, the CUDA-only tests (all skipped here), the plan; what comes back is the log and the record.

    Each failure stays in its item: a NaN model is an error result; a CUDA-like error that leaves the
    process's device unusable and an abort in the middle of an item each cost a process, never the items
    after them."""
    import os
    import subprocess
    import sys

    started = time.time()
    env = dict(os.environ, PYTHON=sys.executable, OUT=str(tmp_path), LQFG_BENCH_PLUGINS="tests.bench_faults")
    answer = subprocess.run(["bash", "generator/bench/run_on_gpu.sh", "200", "faults"], cwd=plan.REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=260)
    assert answer.returncode == 0, answer.stdout[-2000:]
    assert time.time() - started < 200
    (record_path,) = tmp_path.glob("*-faults.json")
    (log_path,) = tmp_path.glob("log-*.txt")
    assert len(list(tmp_path.iterdir())) == 2  # nothing else comes back: no in-flight or temporary files
    record = load_record(record_path)
    assert record["run"]["finished"] is not None
    results = {result["method"]["label"]: result for result in record["results"]}
    assert list(results) == ["bf16", "fault-nan", "fault-cuda-error", "int4-tinygemm-g128", "fault-abort",
                             "fault-nan-again"]
    assert results["bf16"]["status"] == "ok" and results["int4-tinygemm-g128"]["status"] == "ok"
    assert results["fault-nan"]["status"] == "error" and "NaN or infinite" in results["fault-nan"]["error"]
    assert results["fault-cuda-error"]["status"] == "error"
    assert "illegal memory access" in results["fault-cuda-error"]["error"]
    assert results["fault-abort"]["status"] == "error"
    assert "the bench process died (killed by SIGABRT)" in results["fault-abort"]["error"]
    assert results["fault-nan-again"]["status"] == "error"
    log = log_path.read_text()
    assert log.count("== faults (process") == 3  # the first, after the poisoned device, after the abort
    assert "== CUDA-only tests" in log and "== plan exit status 1" in log  # 1: some items failed, by design
    # The tests' whole output is in the log, in its place; the console has its end.
    order = [log.index(line) for line in ("== setup", "== CUDA-only tests", " deselected", "== CUDA-only tests exit "
                                          "status 0", "== the plan", "== plan exit status")]
    assert order == sorted(order)
    assert "deselected" in answer.stdout and "== CUDA-only tests exit status 0" in answer.stdout
