"""Running a suite's items into a record, one result at a time, whatever each item does.

Every suite (whole models, single layers, reference models) goes through `run_items`, and every
measurement through one `Measurement`: metrics, what is missing and why, the spread of repeated
timings, and the failure of the item as its status. A method that cannot run here is an
"unsupported" result, running out of device memory an "oom" result and any other failure an
"error" result (its traceback goes to stderr); all are data points, and the run goes on.

Before an item is measured its result's skeleton is written to an in-flight file beside the
record; if the process dies inside the item (a segfault, a CUDA error that poisons the
process), the process that started it (generator.bench.plan) finds that file, records the item
as an error, and starts a new process that resumes the record after it.
"""

import contextlib
import gc
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from ..records import RecordWriter, new_result, one_line, write_json_atomically
from . import measure, methods

# Exit status of a bench process that recorded its item's failure and found the CUDA context unusable
# afterwards (a sticky error): the caller starts a new process, which resumes the record.
EXIT_RESTART = 75


@dataclass(frozen=True)
class Runner:
    """How a suite's items are measured: one per kind of item, named by the suites that use it.

    `measure(item, device, state) -> result` never raises; `state` (made by `new_state`, released by
    `close(state, device)`) carries what items share, such as quantized layers or reference logits.
    """

    name: str
    measure: Callable[[Any, Any, Any], dict]
    new_state: Callable[[], Any] = dict
    close: Callable[[Any, Any], None] = lambda state, device: None


def run_suite_items(runner: Runner, items: list, writer: RecordWriter, device, **options) -> "RunOutcome":
    """run_items with the runner's measure and shared state, released whatever happens.

    What the process holds before the first item (torch, transformers, the suites: some 350,000 objects) is
    frozen out of the garbage collector's reach while the items run: the collection that frees each item's
    model (free) then walks only what the items made, instead of taking a quarter of a second every item."""
    gc.collect()
    gc.freeze()
    state = runner.new_state()
    try:
        return run_items(items, writer, lambda item: runner.measure(item, device, state), device, **options)
    finally:
        runner.close(state, device)
        gc.unfreeze()


@dataclass
class RunOutcome:
    written: list = field(default_factory=list)  # results measured in this session
    resumed: int = 0  # items found already measured in the record
    left: list = field(default_factory=list)  # items not started because the budget was spent
    poisoned: bool = False  # stopped because the device cannot be used any more in this process

    @property
    def finished(self) -> bool:
        return not self.left and not self.poisoned


def inflight_path(record_path: Path) -> Path:
    return record_path.with_name(f".{record_path.stem}.inflight.json")


def run_items(items: list, writer: RecordWriter, measure_one, device, budget_s: float | None = None,
              on_result=lambda result: None, estimate_s=lambda item: 0.0, deadline: float | None = None,
              finish: bool = True) -> RunOutcome:
    """Measure every item the record does not hold yet, in order; finish the record unless stopped first.

    `measure_one(item) -> result`. An item starts only while the budget (seconds from now) is not spent
    and, given a wall-clock `deadline` (time.time()), only if its estimated duration still fits before
    it. The item's skeleton is in the in-flight file while it is measured.
    """
    outcome = RunOutcome()
    started = time.monotonic()
    marker = inflight_path(writer.path)
    for index, item in enumerate(items):
        if writer.has(item.key):
            outcome.resumed += 1
            continue
        out_of_budget = budget_s is not None and time.monotonic() - started >= budget_s
        out_of_time = deadline is not None and time.time() + estimate_s(item) > deadline
        if out_of_budget or out_of_time:
            outcome.left = [rest for rest in items[index:] if not writer.has(rest.key)]
            break
        write_json_atomically(marker, item.skeleton())
        result = measure_one(item)
        writer.append(result)
        marker.unlink(missing_ok=True)
        outcome.written.append(result)
        on_result(result)
        if result["status"] != "ok" and device_poisoned(device):
            outcome.poisoned = True
            outcome.left = [rest for rest in items[index + 1:] if not writer.has(rest.key)]
            break
    if outcome.finished and finish:
        writer.finish()
    return outcome


def device_poisoned(device) -> bool:
    """True when the CUDA context no longer works (a sticky error such as an illegal memory access):
    every later call in this process would fail too. Always False on the CPU."""
    if torch.device(device).type != "cuda":
        return False
    try:
        torch.cuda.synchronize(device)
        torch.zeros(1, device=device).add_(1).item()
        return False
    except Exception:  # noqa: BLE001  any failure here means the context is gone
        return True


class Measurement:
    """What one item measured: metrics, missing metrics with their reasons, spreads, status.

        m = Measurement(f"{config.label} on {model_id}", device)
        with m.guard():
            m.metrics["weight_bytes"] = ...
            m.add_timing("prefill_ms", timing)
        return m.result(model, method, workload)

    `guard` turns any exception into the result's status (failure_status) and frees the device
    afterwards, so one item's failure never costs the next.
    """

    def __init__(self, what: str, device):
        self.what, self.device = what, device
        self.metrics, self.missing, self.spread = {}, {}, {}
        self.status, self.error, self.repeats = "ok", None, 0

    def add_timing(self, name: str, timing: measure.Timing, scale: float = 1000.0):
        """A median with its [min, max] over the repeats, in `name`'s unit (ms by default)."""
        self.metrics[name] = timing.median_s * scale
        self.spread[name] = {"min": timing.min_s * scale, "max": timing.max_s * scale}
        self.repeats = max(self.repeats, timing.repeats)

    def add_agreement(self, agreement: measure.LogitAgreement):
        """KL, top-1 and SQNR against the bf16 reference (identical logits have no finite SQNR)."""
        if agreement.sqnr_db is None:
            self.miss(["logits_sqnr_db"], "logits identical to the reference (infinite SQNR)")
        else:
            self.metrics["logits_sqnr_db"] = agreement.sqnr_db
        self.metrics["kl_divergence"] = agreement.kl_divergence
        self.metrics["top1_agreement"] = agreement.top1_agreement

    def miss(self, names, reason: str):
        for name in names:
            self.missing.setdefault(name, reason)

    @contextlib.contextmanager
    def guard(self):
        try:
            yield self
        except Exception as failure:  # noqa: BLE001  a data point: the run goes on
            self.status, self.error = failure_status(failure, self.what)
        finally:
            free(self.device)

    def result(self, model: dict, method: dict, workload: dict) -> dict:
        return new_result(model, method, workload, self.status, self.error, self.metrics, self.missing,
                          self.repeats if self.status == "ok" else 0, self.spread if self.status == "ok" else {})


def failure_status(failure: Exception, what: str) -> tuple:
    """(status, one-line error) of a measurement that raised: "unsupported" when the method cannot run
    here, "oom" when the device ran out of memory, else "error" with its traceback on stderr."""
    if isinstance(failure, methods.Unsupported):
        return "unsupported", one_line(failure)
    if isinstance(failure, torch.OutOfMemoryError):
        return "oom", one_line(failure)
    print(f"error in {what}:", file=sys.stderr)
    traceback.print_exception(failure, file=sys.stderr)
    return "error", f"{type(failure).__name__}: {one_line(failure)}"


def free(device):
    gc.collect()
    if torch.device(device).type == "cuda":
        try:
            torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001  a poisoned context; device_poisoned reports it
            pass
