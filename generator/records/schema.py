"""The record schema: what one benchmark run writes, and the validator that checks it.

One JSON file per run, `<run id>.json`:

    {"schema": 2,
     "run": {"id", "suite", "started", "finished" (null while the run is going), "git_commit", "git_dirty",
             "git_source": "checkout|provenance-file|null", "command", "notes" (optional: how to read the
             suite's measurements, a list of strings),
             "device": {"name", "kind": "cpu|cuda", "cc", "memory_bytes", "measured_bandwidth_bytes_s",
                        "l2_cache_bytes"},
             "versions": {"python", "torch", "cuda", "transformers", "bitsandbytes", "driver"}},
     "results": [{"model": {"id", "kind": "random-init|reference-trained|pretrained", "params",
                            "training" (reference-trained models only, optional): {"corpus", "steps", "tokens",
                                        "train_s", "validation_loss_start", "validation_loss", "stopped_early",
                                        "precision", "recipe": {...}, "sources" (optional): [...]}},
                  "method": {"id", "version", "config": {...}, "weight_format", "label", "kernel"},
                  "workload": {"batch", "prompt_tokens", "new_tokens"},
                  "status": "ok|oom|unsupported|error", "error": null or one line,
                  "measured": ISO-8601 time,
                  "metrics": {name: number}, "missing": {name: why it was not measured},
                  "repeats", "spread": {name: {"min", "max"}}}]}

`method.weight_format` is a `calculators` weight format id, so the measured
weight bytes can be set against `calculators.weight_bytes`; `method.kernel`
names what computes the method's matrix products, so a speed is never read as a
method's when it is one kernel's. A metric that could not be measured is absent
from `metrics` and named in `missing` with the reason; it is never written as zero.
Random-initialised models carry no quality metrics: agreement between random
models says nothing about a real one.

Schema 1 (the first records, November 2026) lacks `run.git_source`,
`run.device.l2_cache_bytes`, `run.versions.driver`, `method.label` and
`method.kernel`, scores perplexity over every position of a window, and may hold
quality metrics of random-init models; it is still read, never written.

Standard library only: the site build validates records without torch.
"""

import math
import re
from datetime import datetime, timezone

SCHEMA_VERSION = 2  # what the bench writes
SCHEMA_VERSIONS = (1, 2)  # what is read
STATUSES = ("ok", "oom", "unsupported", "error")
MODEL_KINDS = ("random-init", "reference-trained", "pretrained")
DEVICE_KINDS = ("cpu", "cuda")
GIT_SOURCES = ("checkout", "provenance-file")
# Metrics that only a model trained on real text gives meaning to.
QUALITY_METRICS = ("perplexity", "kl_divergence", "kl_median", "kl_p99", "kl_max", "top1_agreement",
                   "logits_sqnr_db")
METRICS = {
    "weight_bytes": "bytes of every parameter, buffer and quantization state tensor in memory, each storage once",
    "state_dict_bytes": "bytes of the tensors in model.state_dict() (what a checkpoint holds), each storage once",
    "decode_bytes_per_step": "bytes a decode step must read at least: the stored weights less the input "
                             "embedding table (a step reads one row of it per sequence), plus the 16-bit KV cache "
                             "at the middle of the timed decode (calculators.kv_cache_bytes)",
    "quantize_s": "seconds to quantize the model in place (on CUDA, synchronised)",
    "peak_quantize_bytes": "torch.cuda.max_memory_allocated while the model was built and quantized (CUDA only)",
    "peak_bytes": "torch.cuda.max_memory_allocated over the timed prefill and decode, the quality check's "
                  "full-vocabulary logits excluded (CUDA only)",
    "peak_reserved_bytes": "torch.cuda.max_memory_reserved over the same window: what the caching allocator held "
                           "from the driver (CUDA only)",
    "kv_cache_bytes": "bytes allocated by the KV cache after the prompt's prefill: the memory allocated with the "
                      "cache less the memory allocated before it (CUDA only)",
    "prefill_ms": "median time of a greedy model.generate call making one token: the prompt's forward pass and "
                  "the first token (time to first token)",
    "decode_ms_per_token": "median of (a generate call making 1 + new_tokens tokens - one making 1) / new_tokens, "
                           "paired within each repeat: each further token as a user of generate sees it",
    "tokens_per_s": "batch * 1000 / decode_ms_per_token",
    "bandwidth_bytes_s": "decode_bytes_per_step / decode seconds per token (schema 1: weight_bytes / seconds)",
    "decode_graph_ms_per_token": "median seconds per decode step x 1000 with launch overhead removed: a static KV "
                                 "cache, each step replayed from a CUDA graph checked to compute the logits of eager "
                                 "steps but for rounding, and their greedy tokens but at rounding ties (CUDA only)",
    "tokens_per_s_graph": "batch * 1000 / decode_graph_ms_per_token",
    "bandwidth_graph_bytes_s": "decode_bytes_per_step / decode_graph seconds per step",
    "compile_s": "seconds torch.compile took to compile (and, on CUDA, graph-capture) the decode step, warm-up "
                 "calls included; never part of a timing",
    "decode_compiled_ms_per_token": "median seconds per decode step x 1000 of the decode step compiled with "
                                    "torch.compile (mode reduce-overhead: inductor kernels replayed from CUDA "
                                    "graphs, unless inductor declines them, which the run's log says), a static "
                                    "KV cache, gpt-fast's way of decoding",
    "tokens_per_s_compiled": "batch * 1000 / decode_compiled_ms_per_token",
    "bandwidth_compiled_bytes_s": "decode_bytes_per_step / decode_compiled seconds per step",
    "graph_logits_rel_rms": "the largest relative RMS difference ||graph - eager|| / ||eager|| of one sequence's "
                            "next-token logits at any decode step of the check before the graph timing, each "
                            "replay fed eager static-cache decoding's token: rounding only, as the check refuses "
                            "a graph above generator.bench.measure.SAME_WORK_TOLERANCE (CUDA only)",
    "compiled_logits_rel_rms": "the same for the compiled decode step: the largest relative RMS difference of its "
                               "logits from eager static-cache decoding's, fed eager's tokens",
    "logits_sqnr_db": "10 log10(sum ref^2 / sum (ref - logits)^2) against the unquantized bf16 model, same input",
    "kl_divergence": "mean KL(ref || quantized) of next-token distributions over the scored positions, nats",
    "kl_median": "median over scored positions of KL(ref || quantized), nats",
    "kl_p99": "99th percentile over scored positions of KL(ref || quantized), nats",
    "kl_max": "largest KL(ref || quantized) at any scored position, nats",
    "top1_agreement": "fraction of scored positions where the argmax token matches the bf16 reference "
                      "(1 - top1_agreement is the share of tokens whose top token changes)",
    "perplexity": "perplexity on held-out text, reference-trained models only; schema 2 scores the second half "
                  "of each window as llama.cpp's perplexity does (every position has half a window of context), "
                  "schema 1 every position after the first",
    "trainable_params": "fine-tuning suites: parameters the optimizer updates (LoRA: the adapters only)",
    "train_step_ms": "fine-tuning suites: median time of one training step (forward, backward, gradient clipping, "
                     "optimizer step) on `batch` sequences of `prompt_tokens` tokens, the first steps excluded",
    "train_peak_allocated_bytes": "fine-tuning suites: torch.cuda.max_memory_allocated over the training steps, the "
                                  "model's weights included (CUDA only)",
    "train_peak_reserved_bytes": "fine-tuning suites: torch.cuda.max_memory_reserved over the training steps "
                                 "(CUDA only)",
    "train_peak_rss_bytes": "fine-tuning suites, CPU only: the process' peak resident memory (VmHWM) over the "
                            "training steps, the Python and torch runtime included; not a GPU measurement",
    "train_rss_baseline_bytes": "fine-tuning suites, CPU only: the process' resident memory just before the model "
                                "was loaded (the runtime and the data)",
    "train_rss_before_steps_bytes": "fine-tuning suites, CPU only: the process' resident memory after the model, "
                                    "its adapters and the optimizer were made, before the first step",
    "domain_loss": "fine-tuning suites: mean next-token loss (nats) of the fine-tuned model on the held-out pages "
                   "of the new domain, second half of each window scored",
    "domain_loss_base": "fine-tuning suites: the same for the base before fine-tuning (QLoRA: the quantized base)",
    "original_loss": "fine-tuning suites: mean next-token loss (nats) of the fine-tuned model on the base corpus' "
                     "test split (what fine-tuning made it forget)",
    "original_loss_base": "fine-tuning suites: the same for the base before fine-tuning (QLoRA: the quantized base)",
    "merged_domain_loss": "QLoRA: domain_loss of the merged model (NF4 base dequantized to bf16 plus the LoRA "
                          "update, in bf16)",
    "merged_kl_divergence": "QLoRA: mean KL(un-merged QLoRA model || merged bf16 model) over the scored positions "
                            "of the domain's held-out pages, nats",
    "merged_top1_agreement": "QLoRA: share of those positions where the merged model's top token is the un-merged "
                             "model's",
    "requantized_domain_loss": "QLoRA: domain_loss of the merged model quantized to 4 bits again with the base's "
                               "settings",
    "requantized_kl_divergence": "QLoRA: mean KL(un-merged QLoRA model || re-quantized merged model), nats",
    "requantized_top1_agreement": "QLoRA: share of positions where the re-quantized model's top token is the "
                                  "un-merged model's",
    "layer_ms": "kernel suite: median time of one forward of a single linear layer on `batch` tokens, eager "
                "(on CUDA under torch.compile for methods whose kernel is fused only compiled), rotating over "
                "copies of the layer that together exceed the L2 cache",
    "layer_graph_ms": "kernel suite: the same forwards replayed from a CUDA graph (launch overhead removed)",
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
    """One result as the schema has it, stamped now.

    A metric that was measured is not also listed as missing. A metric that came out NaN or infinite
    is a failed measurement: the result becomes an "error" naming it, and the metric moves to `missing`.
    """
    bad = [name for name, value in metrics.items() if not _finite(value)]
    bad += [name for name, bounds in spread.items() if name not in bad
            and not (_finite(bounds.get("min")) and _finite(bounds.get("max")))]
    if bad:
        metrics = {name: value for name, value in metrics.items() if name not in bad}
        spread = {name: bounds for name, bounds in spread.items() if name not in bad and name in metrics}
        missing = dict(missing, **{name: "measured as NaN or infinite" for name in bad})
        if status == "ok":
            status, error = "error", f"{', '.join(sorted(bad))} came out NaN or infinite"
    missing = {name: reason for name, reason in missing.items() if name not in metrics}
    return {"model": model, "method": method, "workload": workload, "status": status, "error": error,
            "measured": utc_now(), "metrics": metrics, "missing": missing, "repeats": repeats, "spread": spread}


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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
    schema = record["schema"]
    if isinstance(schema, bool) or schema not in SCHEMA_VERSIONS:
        check.fail("schema", f"must be one of {', '.join(map(str, SCHEMA_VERSIONS))}, not {_describe(schema)}")
    _check_run(check, record["run"], schema)
    if not isinstance(record["results"], list):
        check.fail("results", f"must be a list, not {_describe(record['results'])}")
    for index, result in enumerate(record["results"]):
        _check_result(check, result, f"results[{index}]", schema)
    return record


def validate_result(result, source="<result>", schema: int = SCHEMA_VERSION) -> dict:
    _check_result(_Checker(source), result, "result", schema)
    return result


def _since_2(schema: int, *fields) -> tuple:
    """Fields that schema 2 added: required from then on, unknown before."""
    return fields if schema >= 2 else ()


def _check_run(check: _Checker, run, schema: int):
    check.obj(run, "run", ("id", "suite", "started", "finished", "git_commit", "git_dirty", "command", "device",
                           "versions", *_since_2(schema, "git_source")), ("notes",) if schema >= 2 else ())
    notes = run.get("notes", [])
    if not isinstance(notes, list):
        check.fail("run.notes", f"must be a list of strings, not {_describe(notes)}")
    for index, note in enumerate(notes):
        check.text(note, f"run.notes[{index}]")
    check.text(run["id"], "run.id", pattern=RUN_ID_PATTERN)
    check.text(run["suite"], "run.suite")
    check.time(run["started"], "run.started")
    check.time(run["finished"], "run.finished", nullable=True)
    check.text(run["git_commit"], "run.git_commit", nullable=True)
    if run["git_dirty"] not in (True, False, None):
        check.fail("run.git_dirty", f"must be true, false or null, not {_describe(run['git_dirty'])}")
    if schema >= 2:
        check.text(run["git_source"], "run.git_source", nullable=True, choices=GIT_SOURCES)
        if (run["git_source"] is None) != (run["git_commit"] is None):
            check.fail("run.git_source", "must be null exactly when run.git_commit is null")
    check.text(run["command"], "run.command")
    device = check.obj(run["device"], "run.device", ("name", "kind", "cc", "memory_bytes",
                                                     "measured_bandwidth_bytes_s",
                                                     *_since_2(schema, "l2_cache_bytes")))
    check.text(device["name"], "run.device.name")
    check.text(device["kind"], "run.device.kind", choices=DEVICE_KINDS)
    check.text(device["cc"], "run.device.cc", nullable=True)
    check.integer(device["memory_bytes"], "run.device.memory_bytes", minimum=1, nullable=True)
    check.number(device["measured_bandwidth_bytes_s"], "run.device.measured_bandwidth_bytes_s", nullable=True)
    if schema >= 2:
        check.integer(device["l2_cache_bytes"], "run.device.l2_cache_bytes", minimum=1, nullable=True)
    versions = check.obj(run["versions"], "run.versions", ("python", "torch", "cuda", "transformers",
                                                           "bitsandbytes", *_since_2(schema, "driver")))
    for name in ("python", "torch", "transformers"):
        check.text(versions[name], f"run.versions.{name}")
    # Absent on a CPU build / when bitsandbytes is not installed / without nvidia-smi.
    for name in ("cuda", "bitsandbytes", *_since_2(schema, "driver")):
        check.text(versions[name], f"run.versions.{name}", nullable=True)


def _check_result(check: _Checker, result, where: str, schema: int):
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
    method = check.obj(result["method"], f"{where}.method", ("id", "version", "config", "weight_format",
                                                              *_since_2(schema, "label", "kernel")))
    check.text(method["id"], f"{where}.method.id")
    check.integer(method["version"], f"{where}.method.version", minimum=1)
    if not isinstance(method["config"], dict):
        check.fail(f"{where}.method.config", f"must be an object, not {_describe(method['config'])}")
    check.text(method["weight_format"], f"{where}.method.weight_format")
    if schema >= 2:
        check.text(method["label"], f"{where}.method.label")
        check.text(method["kernel"], f"{where}.method.kernel")
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
        if schema >= 2 and kind == "random-init" and name in QUALITY_METRICS:
            check.fail(f"{where}.metrics.{name}", "random-init models carry no quality metrics")
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
                                "stopped_early", "precision", "recipe"), ("sources",))
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
    sources = training.get("sources", [])
    if not isinstance(sources, list):
        check.fail(f"{where}.sources", f"must be a list, not {_describe(sources)}")
    for index, source in enumerate(sources):  # the corpus' parts: which Debian package, version and licence
        source = check.obj(source, f"{where}.sources[{index}]", ("package", "version", "licence"), ("documents",))
        for name in ("package", "version", "licence"):
            check.text(source[name], f"{where}.sources[{index}].{name}")
        if "documents" in source:
            check.integer(source["documents"], f"{where}.sources[{index}].documents", minimum=1)


