"""The GPU plan: every GPU suite's items in order of value, each with an estimated duration, run within a
hard wall-clock cap, one bench process per suite.

    python -m generator bench-plan --dry-run [--cap-s 420]     list the plan and what fits this call
    python -m generator bench-plan --cap-s 420 --out "$OUT"     run it (generator/bench/run_on_gpu.sh)

Order: the suites in the order generator.bench.suites lists them (most valuable first), each suite's
items in its own order, leaving out items that a committed record (gpu_runs/) already measured on a
device of the same name, so each GPU session goes on where the last one stopped.

Containment: each suite runs in a process of its own. Before an item is measured its skeleton is in an
in-flight file beside the record (generator.bench.runner); if the process dies inside an item (a
segfault, an abort, a CUDA error that poisons the context), the plan records that item as an error with
the exit status and starts a new process that resumes the record after it. A process that reports a
poisoned context (exit status 75) after recording its failure is restarted likewise.

The cap: items start only while their estimated end is before `cap * (1 - MARGIN)`; at the cap itself
the running process is stopped and its item recorded as an error ("stopped at the wall-clock cap").

Estimates come from the sizes (bytes, tokens, layers) and assumed rates of the device (DeviceRates).
They are assumptions until a GPU run calibrates them: each result's `measured` time in a record, less the
previous one's, is that item's measured duration.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..records import RecordError, RecordWriter, load_record, load_records, new_result, result_key
from .runner import inflight_path

MARGIN = 0.2  # share of the cap kept free for estimates that run long
DEFAULT_CAP_S = 420.0
MAX_RESTARTS = 3  # per suite: a suite that keeps killing its process is given up
PROCESS_START_S = 25.0  # python, torch, transformers and the CUDA context, plus the copy-bandwidth probe
QUALITY_SIZES, QUALITY_MAX_TRAIN_S, QUALITY_MIN_TRAIN_S = 3, 120.0, 45.0  # gpu-quality: seconds of training per size
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DeviceRates:
    """Assumed rates of a GPU for estimating durations; not measurements (see the module docstring)."""

    name: str
    bandwidth_bytes_s: float  # achievable HBM bandwidth of a decode step
    bf16_flops: float  # achievable dense bf16 rate
    init_bytes_s: float  # random initialisation of weights on the device (normal_ kernels)
    eager_layer_overhead_s: float  # Python and launch time per decoder layer per eager step of a HF model
    compile_s: float  # torch.compile of one decode step (inductor, reduce-overhead), warm-up included
    capture_s: float  # CUDA graph capture and its token check


# H200: 4.8 TB/s HBM3e and 989 TFLOP/s dense bf16 on NVIDIA's datasheet, taken at 75% and 60%; the eager
# overhead (launch-bound HF decode, about 25 ms a token for 32 layers) and the compile time are assumptions
# to be replaced by the first GPU run's measured durations.
H200 = DeviceRates("NVIDIA H200", bandwidth_bytes_s=3.6e12, bf16_flops=6.0e14, init_bytes_s=2.0e11,
                   eager_layer_overhead_s=0.8e-3, compile_s=60.0, capture_s=3.0)

# Seconds to quantize a billion parameters on the GPU, by method id: round-to-nearest and bitsandbytes are
# one pass over the weights; SmoothQuant and the calibrated methods run calibration forwards; GPTQ solves
# per column and AWQ searches scales and clipping per layer (minutes on an 8B model).
QUANTIZE_S_PER_BILLION = {"unquantized": 0.1, "int4-weight-only": 1.0, "int8-weight-only": 0.5, "fp8": 0.5,
                          "bnb-4bit": 1.0, "bnb-llm-int8": 1.0, "smoothquant": 2.0, "gptq": 25.0, "awq": 20.0}
# Eager overhead of a method's modules against bf16's (bitsandbytes and the W8A8 paths add Python and
# quantization kernels per linear).
EAGER_OVERHEAD_FACTOR = {"bnb-4bit": 2.0, "bnb-llm-int8": 3.0, "fp8": 1.5, "smoothquant": 1.5}


def estimate_item_s(item, rates: DeviceRates = H200) -> float:
    """Seconds one item should take on `rates`' device, from its sizes."""
    from .kernels import KernelItem
    from .quality import QualityItem
    from .whole_model import BenchItem

    if isinstance(item, BenchItem):
        return _whole_model_s(item, rates)
    if isinstance(item, KernelItem):
        return _kernel_s(item, rates)
    if isinstance(item, QualityItem):
        return 5.0
    return 10.0


def _whole_model_s(item, rates: DeviceRates) -> float:
    import calculators

    arch = item.model.architecture
    params = calculators.count_parameters(arch).total
    weight_bytes = calculators.weight_bytes(arch, calculators.weight_format(item.method.weight_format)).total_bytes
    build_s = 3.0 + 2 * params / rates.init_bytes_s
    quantize_s = QUANTIZE_S_PER_BILLION.get(item.method.method_id, 2.0) * params / 1e9
    total = build_s + quantize_s + 2.0
    if not item.time_speed or item.workload.new_tokens == 0:
        return total
    workload = item.workload
    kv = calculators.kv_cache_bytes(arch, calculators.kv_format("bf16"),
                                    workload.prompt_tokens + workload.new_tokens, workload.batch).total_bytes
    step_bytes_s = (weight_bytes + kv) / rates.bandwidth_bytes_s
    eager_step_s = step_bytes_s + arch.num_layers * rates.eager_layer_overhead_s * \
        EAGER_OVERHEAD_FACTOR.get(item.method.method_id, 1.0)
    prefill_s = 2 * params * workload.batch * workload.prompt_tokens / rates.bf16_flops \
        + arch.num_layers * rates.eager_layer_overhead_s
    calls = 1 + item.repeats  # one warm-up pair, then a pair per repeat
    total += prefill_s  # the KV-cache probe
    if not (item.compiled and item.method.compiled_only):
        total += calls * (2 * prefill_s + (1 + workload.new_tokens) * eager_step_s)
    if not item.method.compiled_only:  # graph: capture, the check against eager steps, replays
        total += rates.capture_s + (1 + item.repeats) * (prefill_s + workload.new_tokens * step_bytes_s) \
            + 2 * workload.new_tokens * eager_step_s
    if item.compiled:
        total += rates.compile_s + (2 + item.repeats) * (prefill_s + workload.new_tokens * step_bytes_s)
    return total


def _kernel_s(item, rates: DeviceRates) -> float:
    """A layer's timings are milliseconds; building and quantizing the one-layer model is most of it, once per
    method (charged to the method's first item: batch 1 on q_proj)."""
    first = item.tokens == 1 and item.label == "q_proj"
    return (4.0 if first else 0.0) + 0.5


def quality_suite_s(train_s_per_size: float, sizes: int, methods_count: int) -> float:
    return sizes * (train_s_per_size + 10.0 + methods_count * 5.0)


# -- the plan ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlannedItem:
    suite: str
    label: str
    estimate_s: float
    key: str | None  # None for a suite whose items exist only after training (the quality suite)


# Reasons for a missing timing that an earlier bench gave and the present one no longer would: the token
# check that compared greedy tokens (before the teacher-forced logits check, measure.check_same_work).
# A result that lacks a timing for one of these is measured again.
RETRIED_REASONS = ("the replayed CUDA graph picked other tokens", "the compiled decode step picked token")


def measured_keys(records: list, device_name: str) -> set:
    """Keys of results a record measured on a device of this name with a final status: ok, oom, or unsupported
    by the device or torch. An error is worth another try, and so is a method a run could not try because a
    library was missing (bitsandbytes not carried)."""

    def final(result) -> bool:
        if any(reason.startswith(RETRIED_REASONS) for reason in result.get("missing", {}).values()):
            return False
        return result["status"] in ("ok", "oom") or (result["status"] == "unsupported"
                                                     and "not installed" not in result["error"])

    return {result_key(result) for record in records if record["run"]["device"]["name"] == device_name
            for result in record["results"] if final(result)}


def gpu_plan(device_name: str = H200.name, measured: set = frozenset(), suites=None, quality_train_s: float = 120.0,
             rates: DeviceRates = H200) -> list:
    """Every GPU suite's items not yet measured on `device_name`, in order, with estimates."""
    from .suites import SUITES, SuiteOptions, gpu_suites

    planned = []
    for name in suites or gpu_suites():
        suite = SUITES[name]
        if suite.trains_models:
            from .methods import standard_configs
            what = (f"measure {len(standard_configs())} methods on each" if suite.runner.name == "quality"
                    else "fine-tune each 4 ways, merge and re-quantize QLoRA")
            planned.append(PlannedItem(name, f"train 3 reference models ({quality_train_s:.0f} s each) and {what}",
                                       quality_suite_s(quality_train_s, 3, len(standard_configs())), None))
            continue
        for item in suite.items(SuiteOptions(device="cuda")):
            if item.key not in measured:
                planned.append(PlannedItem(name, _item_label(item), estimate_item_s(item, rates), item.key))
    return planned


def _item_label(item) -> str:
    label = getattr(item, "label", None)
    if hasattr(item, "tokens"):  # a kernel item
        return f"{item.method.label} on {item.model_id}, {item.tokens} tokens"
    return label or str(item)


def fitting(planned: list, cap_s: float, margin: float = MARGIN) -> list:
    """The items a call of `cap_s` seconds starts: in order, while the running estimate (a process start per
    suite included) stays within cap * (1 - margin). Stops at the first item that does not fit, so the order
    of value is kept."""
    budget, used, suites, chosen = cap_s * (1 - margin), 0.0, set(), []
    for item in planned:
        cost = item.estimate_s + (PROCESS_START_S if item.suite not in suites else 0.0)
        if used + cost > budget:
            break
        used += cost
        suites.add(item.suite)
        chosen.append(item)
    return chosen


def planned_seconds(chosen: list) -> float:
    return sum(item.estimate_s for item in chosen) + PROCESS_START_S * len({item.suite for item in chosen})


def format_plan(planned: list, cap_s: float) -> str:
    chosen = fitting(planned, cap_s)
    lines = [f"{'#':>3} {'suite':<18} {'item':<70} {'est. s':>7} {'total s':>8}  call"]
    total = 0.0
    suites = set()
    for index, item in enumerate(planned):
        total += item.estimate_s + (PROCESS_START_S if item.suite not in suites else 0.0)
        suites.add(item.suite)
        lines.append(f"{index + 1:>3} {item.suite:<18} {item.label[:70]:<70} {item.estimate_s:>7.1f} {total:>8.1f}  "
                     + ("this" if index < len(chosen) else "later"))
    used = planned_seconds(chosen)
    lines.append(f"this call: {len(chosen)} of {len(planned)} items, estimated {used:.0f} s of a {cap_s:.0f} s cap "
                 f"({100 * (1 - used / cap_s):.0f}% margin; at least {100 * MARGIN:.0f}% is kept); the rest, "
                 f"estimated {total - used:.0f} s, goes to later calls")
    return "\n".join(lines)


# -- running it ----------------------------------------------------------------------------------

def register(subparsers) -> None:
    parser = subparsers.add_parser("bench-plan", help="run the GPU plan within a wall-clock cap (or --dry-run it)")
    parser.add_argument("--cap-s", type=float, default=DEFAULT_CAP_S, help="wall-clock seconds for the whole call")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "gpu_runs", help="folder for the records")
    parser.add_argument("--dry-run", action="store_true", help="list the plan with estimates; run nothing")
    parser.add_argument("--device-name", default=None,
                        help="the device whose committed measurements are left out (default: this machine's GPU, "
                             f"else {H200.name})")
    parser.add_argument("--suites", default=None, help="comma-separated GPU suites to run (default: all, in order)")
    parser.add_argument("--log", type=Path, default=None, help="append every process's output to this file")
    parser.add_argument("--end-at", type=float, default=None, metavar="UNIX_TIME",
                        help="when the cap ends (default: --cap-s from now); the caller's clock, so that the time "
                             "this process takes to start counts against the cap")
    parser.set_defaults(run=_run_command)
    prepare = subparsers.add_parser("bench-prepare", help="write what the GPU call carries into .gpu-carry/")
    prepare.add_argument("--quality", action="store_true",
                         help="also the corpus and tokenizer cache (and the fine-tuning domain's text), for the "
                              "gpu-quality and gpu-qlora suites")
    prepare.add_argument("--no-wheel", action="store_true", help="leave out the bitsandbytes wheel")
    prepare.set_defaults(run=_prepare_command)


def _run_command(args) -> int:
    from .suites import gpu_suites

    GPU_SUITES = gpu_suites()
    suites = GPU_SUITES if args.suites is None else tuple(name.strip() for name in args.suites.split(","))
    unknown = [name for name in suites if name not in GPU_SUITES]
    if unknown:
        print(f"error: --suites: {', '.join(unknown)} is not a GPU suite ({', '.join(GPU_SUITES)})", file=sys.stderr)
        return 2
    if not args.cap_s > PROCESS_START_S:
        print(f"error: --cap-s must be more than {PROCESS_START_S:.0f} seconds", file=sys.stderr)
        return 2
    device_name = args.device_name or _cuda_device_name() or H200.name
    try:
        measured = measured_keys(load_records(REPO_ROOT / "gpu_runs"), device_name)
    except RecordError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    planned = gpu_plan(device_name, measured, suites)
    print(f"GPU plan for {device_name}: {len(planned)} items not yet measured on it")
    print(format_plan(planned, args.cap_s))
    if args.dry_run:
        return 0
    started = None if args.end_at is None else args.end_at - args.cap_s
    return run_plan(suites, args.cap_s, args.out, args.log, started=started)


CACHE_ARCHIVE = "cache.tar.xz"  # the corpus and tokenizer cache, unpacked into $LQFG_CACHE by run_on_gpu.sh
BNB_WHEEL_PLATFORM = "manylinux_2_24_x86_64"  # bitsandbytes' Linux x86-64 wheels hold the CUDA kernels


def _prepare_command(args) -> int:
    """The GPU machine's copy of the tree has no .git, no bitsandbytes and no network: write the commit, fetch
    the bitsandbytes wheel of the version installed here (for Python 3.12) and, for the quality suite, build
    the corpus and tokenizer cache, all into .gpu-carry/ (ignored by git), and print the call to make."""
    from importlib import metadata

    from . import environment

    carry = environment.CARRY_DIR
    try:
        provenance = environment.write_provenance()
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"commit {provenance['git_commit']}" + (" (uncommitted changes!)" if provenance["git_dirty"] else ""))
    if not args.no_wheel:
        version = metadata.version("bitsandbytes")
        for old in carry.glob("bitsandbytes-*.whl"):
            if f"-{version}-" not in old.name:
                old.unlink()
        if not list(carry.glob(f"bitsandbytes-{version}-*.whl")):
            download = subprocess.run([sys.executable, "-m", "pip", "download", f"bitsandbytes=={version}",
                                       "--no-deps", "--only-binary=:all:", "--platform", BNB_WHEEL_PLATFORM,
                                       "--python-version", "3.12", "-d", str(carry)], check=False)
            if download.returncode:
                print("error: pip could not download the bitsandbytes wheel", file=sys.stderr)
                return 2
    if args.quality:  # xz-compressed: text and small token ids shrink to a fifth, leaving room for the wheel
        import tarfile

        from .reference import cache_dir, corpus, tokenizer

        from .reference import domain

        data = tokenizer.TokenizedCorpus(corpus.load_corpus())
        held_out = domain.load_domain(data)  # the fine-tuning suites' held-out domain, extracted into its cache
        archive = carry / CACHE_ARCHIVE
        temporary = archive.with_name(f".{archive.name}.tmp")
        with tarfile.open(temporary, "w:xz") as tar:
            corpus_file = cache_dir() / f"corpus-{data.corpus_key}.json"
            tar.add(corpus_file, arcname=corpus_file.name)
            tar.add(data.path, arcname=data.path.name)
            domain_file = domain.domain_cache() / f"corpus-{held_out.corpus_key}.json"
            tar.add(domain_file, arcname=f"{domain_file.parent.name}/{domain_file.name}")
        os.replace(temporary, archive)
    size = sum(path.stat().st_size for path in carry.rglob("*") if path.is_file())
    print(f".gpu-carry/ holds {size / 2**20:.1f} MiB (the call carries at most 64 MiB with the tree)")
    print('device call: carry [".gpu-carry"], command "bash generator/bench/run_on_gpu.sh 420", timeout 480')
    return 0


def _cuda_device_name() -> str | None:
    try:
        import torch
        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except Exception:  # noqa: BLE001  no torch, no driver: the dry run still works
        return None


def run_plan(suites, cap_s: float, out: Path, log_path: Path | None = None, started: float | None = None,
             python=sys.executable, extra_env: dict | None = None, process_start_s: float = PROCESS_START_S) -> int:
    """Run each suite in a process of its own, in order, until the plan is done or the cap is reached.
    0 when every suite finished, 1 when some item failed or was stopped, 3 when the cap cut the plan short."""
    started = time.time() if started is None else started
    hard_end, planned_end = started + cap_s, started + cap_s * (1 - MARGIN)
    stamp = datetime.fromtimestamp(started, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "a", encoding="utf-8") if log_path else None
    status = 0
    try:
        for suite in suites:
            run_id = f"{stamp}-{suite}"
            command = [python, "-m", "generator", "bench", "--suite", suite, "--out", str(out), "--run-id", run_id,
                       "--deadline", f"{planned_end:.0f}", "--skip-measured", str(REPO_ROOT / "gpu_runs")]
            if _is_quality(suite):  # training is not an item: give it what the cap leaves, or wait for a call
                train_s = _quality_train_s(planned_end - time.time() - process_start_s)
                if train_s is None:
                    _say(log, f"== {suite}: needs at least {_quality_call_s():.0f} s; run it in a call of its own "
                              f"(bash generator/bench/run_on_gpu.sh 420 {suite})")
                    continue
                command += ["--budget-s", f"{train_s:.0f}"]
            for attempt in range(MAX_RESTARTS + 1):
                if time.time() + process_start_s > planned_end:
                    _say(log, f"== {suite}: not started, the cap leaves no time for it")
                    return 3
                _say(log, f"== {suite} (process {attempt + 1}, {hard_end - time.time():.0f} s left of the cap)")
                code = _run_process(command, hard_end, log, extra_env)
                record = out / f"{run_id}.json"
                if code == "timeout":
                    _record_inflight(record, "stopped at the wall-clock cap of the GPU plan")
                    return 3
                if code in (0, 1, 2, 3):
                    status = max(status, 1 if code in (1, 2) else 0)
                    if code == 3:
                        return 3
                    break
                if code != 75:  # the process died inside an item: that item is an error, the rest go on
                    _record_inflight(record, f"the bench process died ({_describe_exit(code)}) while measuring "
                                             "this item; a new process went on with the next")
                    status = 1
            else:
                _say(log, f"== {suite}: given up after {MAX_RESTARTS + 1} processes")
                status = 1
    finally:
        if log:
            log.close()
    return status


def _is_quality(suite: str) -> bool:
    """A suite that trains its reference models first (gpu-quality, gpu-qlora): its budget is training time."""
    from .suites import SUITES

    return suite in SUITES and SUITES[suite].trains_models


def _quality_evaluation_s() -> float:
    from .methods import standard_configs

    return QUALITY_SIZES * (10.0 + 5.0 * len(standard_configs()))


def _quality_call_s() -> float:
    return PROCESS_START_S + QUALITY_SIZES * QUALITY_MIN_TRAIN_S + _quality_evaluation_s()


def _quality_train_s(seconds_left: float) -> float | None:
    """Training seconds per size that leave time to measure every method on each; None when under the minimum."""
    per_size = min(QUALITY_MAX_TRAIN_S, (seconds_left - _quality_evaluation_s()) / QUALITY_SIZES)
    return per_size if per_size >= QUALITY_MIN_TRAIN_S else None


def _run_process(command, hard_end: float, log, extra_env):
    env = dict(os.environ, PYTHONUNBUFFERED="1", **(extra_env or {}))
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env, start_new_session=True)
    reader = threading.Thread(target=_copy_lines, args=(process.stdout, log), daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=max(1.0, hard_end - time.time()))
    except subprocess.TimeoutExpired:
        _stop(process)
        code = "timeout"
    reader.join(timeout=10)
    return code


def _stop(process):
    for sig, wait_s in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def _copy_lines(stream, log):
    for line in stream:
        sys.stdout.write(line)
        sys.stdout.flush()
        if log:
            log.write(line)
            log.flush()


def _say(log, line: str):
    print(line, flush=True)
    if log:
        log.write(line + "\n")
        log.flush()


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _record_inflight(record_path: Path, reason: str) -> bool:
    """Append the item the dead process was measuring, as an error with `reason`; False when there was none."""
    marker = inflight_path(record_path)
    if not marker.exists() or not record_path.exists():
        return False
    skeleton = json.loads(marker.read_text(encoding="utf-8"))
    try:
        header = load_record(record_path)["run"]
        writer = RecordWriter(record_path.parent, header)
        if not writer.has(result_key(skeleton)):
            writer.append(new_result(skeleton["model"], skeleton["method"], skeleton["workload"], "error", reason,
                                     {}, {}, 0, {}))
    except RecordError as error:
        print(f"error: could not record the failed item: {error}", file=sys.stderr)
        return False
    finally:
        marker.unlink(missing_ok=True)
    return True
