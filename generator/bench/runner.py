"""Running bench items into a record: each result is written as soon as it is measured.

A method that cannot run here is an "unsupported" result, running out of
device memory an "oom" result and any other failure an "error" result (its
traceback goes to stderr); all are data points, and the run goes on.
"""

import gc
import sys
import time
import traceback
from dataclasses import dataclass, field

import torch

import calculators

from . import measure, methods
from .models import build_model, parameter_count, state_dict_bytes, weight_bytes_in_memory
from ..records import RecordWriter, new_result, one_line
from .suites import BenchItem

QUALITY_METRICS = ("logits_sqnr_db", "kl_divergence", "top1_agreement")
GRAPH_METRICS = ("decode_graph_ms_per_token", "tokens_per_s_graph", "bandwidth_graph_bytes_s")
SPEED_METRICS = ("prefill_ms", "decode_ms_per_token", "tokens_per_s", "bandwidth_bytes_s", *GRAPH_METRICS)


@dataclass
class RunOutcome:
    written: list = field(default_factory=list)  # results measured in this session
    resumed: int = 0  # items found already measured in the record
    left: list = field(default_factory=list)  # items not started because the budget was spent

    @property
    def finished(self) -> bool:
        return not self.left


def run_items(items: list, writer: RecordWriter, device, budget_s: float | None = None,
              on_result=lambda result: None, measure_one=None) -> RunOutcome:
    """Measure every item the record does not hold yet; finish the record unless the budget ran out first.

    `measure_one(item) -> result` defaults to measuring a whole model (measure_item);
    the kernel suite passes its own.
    """
    outcome = RunOutcome()
    started = time.monotonic()
    if measure_one is None:
        references = {}  # (model id, batch, prompt tokens) -> bf16 prefill logits on the CPU, or why there are none
        measure_one = lambda item: measure_item(item, device, references)  # noqa: E731
    for index, item in enumerate(items):
        if writer.has(item.key):
            outcome.resumed += 1
            continue
        if budget_s is not None and time.monotonic() - started >= budget_s:
            outcome.left = [rest for rest in items[index:] if not writer.has(rest.key)]
            break
        result = measure_one(item)
        writer.append(result)
        outcome.written.append(result)
        on_result(result)
    if outcome.finished:
        writer.finish()
    return outcome


def measure_item(item: BenchItem, device, references: dict) -> dict:
    """Build, quantize and measure one item; failures become the result's status, never an exception."""
    metrics, missing, spread = {}, {}, {}
    status, error, repeats = "ok", None, 0
    params = calculators.count_parameters(item.model.architecture).total  # replaced by the built model's count
    model = None
    try:
        reference = None
        if item.model.kind == "random-init":  # agreement between random models says nothing of a real one
            for name in QUALITY_METRICS:
                missing[name] = "random-init model: quality is measured on reference-trained models only"
        else:
            reference = _reference_logits(item, device, references, missing)
        model = build_model(item.model, device)
        params = parameter_count(model)
        calibration = measure.calibration_ids(item.model.vocab_size, device)
        _, metrics["quantize_s"] = measure.timed(
            lambda: methods.quantize(model, item.method, device, calibration), device)
        metrics["weight_bytes"] = weight_bytes_in_memory(model)
        metrics["state_dict_bytes"] = state_dict_bytes(model)

        workload = item.workload
        input_ids = measure.prompt_ids(item.model.vocab_size, workload.batch, workload.prompt_tokens, device)
        measuring_peak = measure.reset_peak_memory(device)
        logits = measure.prefill_logits(model, input_ids).cpu()
        if item.method == methods.REFERENCE and item.model.kind != "random-init":
            if not isinstance(references.get(_reference_key(item)), torch.Tensor):
                references[_reference_key(item)] = logits
            for name in QUALITY_METRICS:
                missing[name] = "this is the bf16 reference the other methods are compared with"
        elif reference is not None:
            add_agreement(metrics, missing, measure.compare_logits(reference, logits))
        del logits

        if workload.new_tokens:
            timing = measure.time_generation(model, input_ids, workload.new_tokens, item.repeats, device)
            repeats = item.repeats
            _add_timing(metrics, spread, timing, workload.batch)
        else:
            for name in SPEED_METRICS:
                missing[name] = "the workload generates no tokens"
        if measuring_peak:  # prefill and decode as a user runs them; the graph run below has its own cache
            metrics["peak_bytes"] = measure.peak_memory_bytes(device)
        else:
            missing["peak_bytes"] = f"peak memory is measured on CUDA only, not on {torch.device(device).type}"
        if workload.new_tokens:
            _add_graph_timing(model, input_ids, item, device, metrics, missing, spread)
    except Exception as failure:  # a data point: the run goes on
        status, error = failure_status(failure, f"{item.method.label} on {item.model.id}")
    finally:
        del model
        _free(device)
    return new_result({"id": item.model.id, "kind": item.model.kind, "params": params}, item.method.to_record(),
                      item.workload.to_record(), status, error, metrics, missing, repeats, spread)


def _reference_key(item: BenchItem) -> tuple:
    return item.model.id, item.workload.batch, item.workload.prompt_tokens


def _reference_logits(item: BenchItem, device, references: dict, missing: dict):
    """The bf16 model's prefill logits on this item's prompt, computed once per model and prompt shape.

    None for the reference itself, and when the reference could not be computed
    (the reason then goes into `missing`, and is not retried for later items).
    """
    if item.method == methods.REFERENCE:
        return None
    key = _reference_key(item)
    if key not in references:
        references[key] = _compute_reference(item, device)
    reference = references[key]
    if isinstance(reference, str):
        for name in QUALITY_METRICS:
            missing[name] = reference
        return None
    return reference


def _compute_reference(item: BenchItem, device):
    """Logits on the CPU, or why they could not be had."""
    model = None
    try:
        model = build_model(item.model, device)
        input_ids = measure.prompt_ids(item.model.vocab_size, item.workload.batch, item.workload.prompt_tokens,
                                       device)
        return measure.prefill_logits(model, input_ids).cpu()
    except Exception as failure:  # the item itself may still run; its quality metrics say why they are absent
        return f"the bf16 reference failed: {type(failure).__name__}: {one_line(failure)}"
    finally:
        del model
        _free(device)


def add_agreement(metrics: dict, missing: dict, agreement: measure.LogitAgreement):
    if agreement.sqnr_db is None:
        missing["logits_sqnr_db"] = "logits identical to the reference (infinite SQNR)"
    else:
        metrics["logits_sqnr_db"] = agreement.sqnr_db
    metrics["kl_divergence"] = agreement.kl_divergence
    metrics["top1_agreement"] = agreement.top1_agreement


def _add_timing(metrics: dict, spread: dict, timing: measure.GenerationTiming, batch: int):
    prefill, decode = timing.prefill, timing.decode_per_token
    metrics["prefill_ms"] = prefill.median_s * 1000
    spread["prefill_ms"] = {"min": prefill.min_s * 1000, "max": prefill.max_s * 1000}
    metrics["decode_ms_per_token"] = decode.median_s * 1000
    spread["decode_ms_per_token"] = {"min": decode.min_s * 1000, "max": decode.max_s * 1000}
    metrics["tokens_per_s"] = batch / decode.median_s
    metrics["bandwidth_bytes_s"] = metrics["weight_bytes"] / decode.median_s


def _add_graph_timing(model, input_ids, item: BenchItem, device, metrics: dict, missing: dict, spread: dict):
    """Decode with launch overhead removed (CUDA graphs); what stops it is recorded as missing, and the
    eager metrics already measured stand."""
    reason = None
    if torch.device(device).type != "cuda":
        reason = f"CUDA graphs need a CUDA device; this run is on {torch.device(device).type}"
    else:
        try:
            timing = measure.time_static_decode(model, input_ids, item.workload.new_tokens, item.repeats, device)
        except measure.GraphCaptureFailed as failure:
            reason = str(failure)
        except torch.OutOfMemoryError as failure:
            reason = f"out of memory for the static cache or the graph: {one_line(failure)}"
        except Exception as failure:  # the static-cache path itself failed; the eager results above stand
            print(f"error in the static-cache decode of {item.method.label} on {item.model.id}:", file=sys.stderr)
            traceback.print_exception(failure, file=sys.stderr)
            reason = f"static-cache decode failed: {type(failure).__name__}: {one_line(failure)}"
    if reason is not None:
        for name in GRAPH_METRICS:
            missing[name] = reason
        return
    metrics["decode_graph_ms_per_token"] = timing.median_s * 1000
    spread["decode_graph_ms_per_token"] = {"min": timing.min_s * 1000, "max": timing.max_s * 1000}
    metrics["tokens_per_s_graph"] = item.workload.batch / timing.median_s
    metrics["bandwidth_graph_bytes_s"] = metrics["weight_bytes"] / timing.median_s


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


def _free(device):
    gc.collect()
    if torch.device(device).type == "cuda":
        torch.cuda.empty_cache()
