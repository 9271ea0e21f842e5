"""Whole models: build, quantize and measure one (model, method, workload) item.

What is measured, in order, each in its own memory window:

    quantize       build the random-init model on the device and quantize it: quantize_s,
                   peak_quantize_bytes, weight_bytes, state_dict_bytes
    kv cache       (CUDA) one prefill of the prompt into a DynamicCache, logits of the last position
                   only: kv_cache_bytes, the allocated bytes the cache holds
    generate       model.generate as a user calls it: prefill_ms (time to first token), then
                   decode_ms_per_token; peak_bytes and peak_reserved_bytes over that window
    graph          (CUDA) a static cache and one decode step replayed from a CUDA graph, checked
                   against eager steps: graph_logits_rel_rms
    compiled       (items that ask for it) the decode step compiled with torch.compile, checked the
                   same way: compiled_logits_rel_rms

A method whose speed is another method's (`speed_of`: GPTQ and AWQ end on round-to-nearest's
int4 module) gets its quantization time and bytes measured and its speed metrics listed as missing
with the method that has them. A method whose kernel is fast only once compiled (`compiled_only`)
has its eager timings left out wherever its compiled decode is measured. Random-init models
carry no quality metrics; a user's pretrained model (--model) is compared with its bf16 self.
"""

import functools
import sys
from dataclasses import dataclass

import torch

import calculators

from ..records import one_line, result_key
from . import compiled, measure, methods
from .models import ModelSpec, build_model, parameter_count, state_dict_bytes, weight_bytes_in_memory
from .runner import Measurement, Runner, device_poisoned, free

AGREEMENT_METRICS = ("logits_sqnr_db", "kl_divergence", "top1_agreement")
# Each way of decoding: (ms per token, tokens per second, achieved bandwidth).
EAGER_DECODE = ("decode_ms_per_token", "tokens_per_s", "bandwidth_bytes_s")
GRAPH_DECODE = ("decode_graph_ms_per_token", "tokens_per_s_graph", "bandwidth_graph_bytes_s")
GRAPH_METRICS = (*GRAPH_DECODE, "graph_logits_rel_rms")
COMPILED_DECODE = ("decode_compiled_ms_per_token", "tokens_per_s_compiled", "bandwidth_compiled_bytes_s")
COMPILED_METRICS = ("compile_s", *COMPILED_DECODE, "compiled_logits_rel_rms")
EAGER_METRICS = ("prefill_ms", *EAGER_DECODE)
SPEED_METRICS = (*EAGER_METRICS, *GRAPH_METRICS, *COMPILED_METRICS, "peak_bytes", "peak_reserved_bytes",
                 "kv_cache_bytes")
CUDA_ONLY_MEMORY = ("peak_quantize_bytes", "peak_bytes", "peak_reserved_bytes", "kv_cache_bytes")


@dataclass(frozen=True)
class Workload:
    batch: int
    prompt_tokens: int
    new_tokens: int

    def to_record(self) -> dict:
        return {"batch": self.batch, "prompt_tokens": self.prompt_tokens, "new_tokens": self.new_tokens}


@dataclass(frozen=True)
class BenchItem:
    """One measurement: a model, quantized by a method, run on a workload."""

    model: ModelSpec
    method: methods.MethodConfig
    workload: Workload
    repeats: int = 5
    compiled: bool = False  # also time the torch.compile'd decode step
    time_speed: bool = True  # False: quantization time and bytes only (the method's speed is measured elsewhere)
    streamed: bool = False  # built on the meta device and quantized layer by layer (bf16 never whole)

    @property
    def key(self) -> str:
        """The same key records.result_key gives the result of this item (used to resume a run)."""
        return result_key(self.skeleton())

    def skeleton(self) -> dict:
        return {"model": {"id": self.model.id, "kind": self.model.kind,
                          "params": calculators.count_parameters(self.model.architecture).total},
                "method": self.method.to_record(), "workload": self.workload.to_record()}

    @property
    def label(self) -> str:
        return f"{self.method.label} on {self.model.id}, batch {self.workload.batch}, prompt " \
               f"{self.workload.prompt_tokens}"


def measure_item(item: BenchItem, device, references: dict | None = None) -> dict:
    """Build, quantize and measure one item; failures become the result's status, never an exception."""
    references = {} if references is None else references
    m = Measurement(item.label, device)
    skeleton = item.skeleton()
    on_cuda = torch.device(device).type == "cuda"
    if not on_cuda:
        m.miss(CUDA_ONLY_MEMORY, f"device memory is measured on CUDA only, not on {torch.device(device).type}")
    quality = item.model.kind != "random-init"
    if not quality:
        m.miss(AGREEMENT_METRICS, "random-init model: quality is measured on reference-trained models only")
    with m.guard():
        reference = _reference_logits(item, device, references, m) if quality else None
        measure.reset_peak_memory(device)
        if item.streamed:  # quantize_s then counts the building too: the two are one pass
            from .streaming import build_quantized_layer_by_layer

            model, m.metrics["quantize_s"] = measure.timed(
                lambda: build_quantized_layer_by_layer(item.model, item.method, device), device)
        else:
            model = build_model(item.model, device)
            skeleton["model"]["params"] = parameter_count(model)  # before quantizing turns weights into buffers
            calibration = measure.calibration_ids(item.model.vocab_size, device)
            _, m.metrics["quantize_s"] = measure.timed(
                functools.partial(methods.quantize, model, item.method, device, calibration), device)
        if on_cuda:
            m.metrics["peak_quantize_bytes"] = torch.cuda.max_memory_allocated(device)
        m.metrics["weight_bytes"] = weight_bytes_in_memory(model)
        m.metrics["state_dict_bytes"] = state_dict_bytes(model)
        workload = item.workload
        input_ids = measure.prompt_ids(item.model.vocab_size, workload.batch, workload.prompt_tokens, device)
        measure.require_finite_logits(model, input_ids)
        if not item.time_speed:
            speed_of = item.method.speed_of
            m.miss(SPEED_METRICS, f"runs on the same module and kernel as {speed_of.label}: its speed is that "
                                  "method's, measured in the same suite" if speed_of else
                                  "this item measures quantization only")
        elif workload.new_tokens == 0:
            m.miss(SPEED_METRICS, "the workload generates no tokens")
        else:
            _measure_speed(model, input_ids, item, device, m)
        if quality:
            _measure_agreement(model, input_ids, item, reference, references, m)
        del model
    return m.result(skeleton["model"], skeleton["method"], skeleton["workload"])


def _measure_speed(model, input_ids, item: BenchItem, device, m: Measurement):
    workload = item.workload
    bytes_per_step = decode_bytes_per_step(item.model, m.metrics["weight_bytes"], model,
                                           workload.batch, workload.prompt_tokens + workload.new_tokens // 2)
    m.metrics["decode_bytes_per_step"] = bytes_per_step
    on_cuda = torch.device(device).type == "cuda"
    if on_cuda:
        m.metrics["kv_cache_bytes"] = measure.kv_cache_allocated_bytes(model, input_ids, device)
    eager_is_reference = item.compiled and item.method.compiled_only
    if eager_is_reference:
        m.miss((*EAGER_METRICS, "peak_bytes", "peak_reserved_bytes"),
               f"this kernel ({item.method.kernel}) is unfused when eager: its speed is the compiled decode's")
    else:
        measure.reset_peak_memory(device)
        timing = measure.time_generation(model, input_ids, workload.new_tokens, item.repeats, device)
        if on_cuda:
            m.metrics["peak_bytes"] = torch.cuda.max_memory_allocated(device)
            m.metrics["peak_reserved_bytes"] = torch.cuda.max_memory_reserved(device)
        m.add_timing("prefill_ms", timing.prefill)
        _add_decode(m, EAGER_DECODE, timing.decode_per_token, workload.batch, bytes_per_step)
    _measure_graph(model, input_ids, item, device, m, bytes_per_step)
    if item.compiled:
        _measure_compiled(model, input_ids, item, device, m, bytes_per_step)
    else:
        m.miss(COMPILED_METRICS, "this item does not compile the decode step (the GPU suites do)")


def decode_bytes_per_step(spec: ModelSpec, weight_bytes: int, model, batch: int, context: int) -> int:
    """The least a decode step reads: the stored weights less the input embedding table (each sequence
    reads one row of it), plus the 16-bit KV cache of `context` tokens (calculators.kv_cache_bytes)."""
    embedding = model.get_input_embeddings().weight
    tied = model.get_output_embeddings() is not None and model.get_output_embeddings().weight is embedding
    table = 0 if tied else embedding.numel() * embedding.element_size()
    row = embedding.shape[1] * embedding.element_size()
    kv = calculators.kv_cache_bytes(spec.architecture, calculators.kv_format("bf16"), context, batch).total_bytes
    return weight_bytes - table + batch * row + kv


def _measure_graph(model, input_ids, item: BenchItem, device, m: Measurement, bytes_per_step: int):
    """Decode with launch overhead removed (CUDA graphs); what stops it is recorded as missing, and the
    eager metrics already measured stand."""
    if torch.device(device).type != "cuda":
        m.miss(GRAPH_METRICS, f"CUDA graphs need a CUDA device; this run is on {torch.device(device).type}")
        return
    if item.method.compiled_only:
        m.miss(GRAPH_METRICS, f"a graph of the unfused eager kernel ({item.method.kernel}) is not this "
                              "method's speed; see the compiled decode")
        return
    timing = _unless_it_fails(m, GRAPH_METRICS, "static-cache decode", device, measure.GraphCaptureFailed,
                              lambda: measure.time_static_decode(model, input_ids, item.workload.new_tokens,
                                                                 item.repeats, device))
    if timing is not None:
        _add_decode(m, GRAPH_DECODE, timing.step, item.workload.batch, bytes_per_step)
        m.metrics["graph_logits_rel_rms"] = timing.same_work.logits_relative_rms


def _add_decode(m: Measurement, names: tuple, step: measure.Timing, batch: int, bytes_per_step: int):
    """One way of decoding's (ms per token with its spread, tokens per second, achieved bandwidth)."""
    ms_name, tokens_name, bandwidth_name = names
    if step.median_s <= 0:  # generate's paired differences, drowned by noise on a busy CPU: no rate to give
        m.miss(names, "the decode time per token came out at or below zero (the timer's noise was larger than "
                      "the decode steps on this machine), so no speed is recorded")
        return
    m.add_timing(ms_name, step)
    m.metrics[tokens_name] = batch / step.median_s
    m.metrics[bandwidth_name] = bytes_per_step / step.median_s


def _unless_it_fails(m: Measurement, names, what: str, device, expected: type, timing_function):
    """timing_function()'s result, or None with the reason it failed listed for `names`: the other timings
    of the item stand whatever happens here, unless the failure left the CUDA context unusable; then it is
    raised, the item becomes an error and the runner hands the rest to a new process."""
    try:
        return timing_function()
    except Exception as failure:  # noqa: BLE001
        if device_poisoned(device):
            raise
        if isinstance(failure, expected):  # the path's own refusal (no faithful graph, no compile), one line
            m.miss(names, str(failure))
        elif isinstance(failure, torch.OutOfMemoryError):
            m.miss(names, f"out of memory in the {what}: {one_line(failure)}")
        else:
            m.miss(names, f"{what} failed: {type(failure).__name__}: {one_line(failure)}")
    finally:
        free(device)
    return None


def _measure_compiled(model, input_ids, item: BenchItem, device, m: Measurement, bytes_per_step: int):
    timing = _unless_it_fails(m, COMPILED_METRICS, "compiled decode", device, compiled.CompileFailed,
                              lambda: compiled.time_compiled_decode(model, input_ids, item.workload.new_tokens,
                                                                    item.repeats, device))
    if timing is None:
        return
    if torch.device(device).type == "cuda" and not timing.cuda_graphs:
        print(f"note: inductor ran the compiled decode of {item.label} without CUDA graphs "
              "(TORCH_LOGS=perf_hints says why)", file=sys.stderr)
    m.metrics["compile_s"] = timing.compile_s
    _add_decode(m, COMPILED_DECODE, timing.step, item.workload.batch, bytes_per_step)
    m.metrics["compiled_logits_rel_rms"] = timing.logits_relative_rms


# -- agreement with the bf16 model (pretrained models only) ---------------------------------------

def _reference_key(item: BenchItem) -> tuple:
    return item.model.id, item.workload.batch, item.workload.prompt_tokens


def _reference_logits(item: BenchItem, device, references: dict, m: Measurement):
    """The bf16 model's prefill logits (on the CPU) for this item's prompt, computed once per model and
    prompt shape; None for the reference itself or when it failed (the reason goes into `missing`)."""
    if item.method == methods.REFERENCE:
        m.miss(AGREEMENT_METRICS, "this is the bf16 reference the other methods are compared with")
        return None
    key = _reference_key(item)
    if key not in references:
        references[key] = _compute_reference(item, device)
    reference = references[key]
    if isinstance(reference, str):
        m.miss(AGREEMENT_METRICS, reference)
        return None
    return reference


def _compute_reference(item: BenchItem, device):
    model = None
    try:
        model = build_model(item.model, device)
        input_ids = measure.prompt_ids(item.model.vocab_size, item.workload.batch, item.workload.prompt_tokens,
                                       device)
        return measure.prefill_logits(model, input_ids).cpu()
    except Exception as failure:  # noqa: BLE001  the item itself may still run
        return f"the bf16 reference failed: {type(failure).__name__}: {one_line(failure)}"
    finally:
        del model
        free(device)


def _measure_agreement(model, input_ids, item: BenchItem, reference, references: dict, m: Measurement):
    """After the memory windows: the full-vocabulary logits would otherwise count in peak_bytes."""
    logits = measure.prefill_logits(model, input_ids).cpu()
    if item.method == methods.REFERENCE:
        references.setdefault(_reference_key(item), logits)
        return
    if reference is None:
        return
    m.add_agreement(measure.compare_logits(reference, logits))


RUNNER = Runner("model", measure=lambda item, device, state: measure_item(item, device, state))
