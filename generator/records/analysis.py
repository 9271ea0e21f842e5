"""Figures derived from records, never stored in them: the kernel sweep's speedups over bf16, whether each
is larger than the measured spread, and the token count from which a method stops winning.

Records keep only what was measured; everything here is recomputed from them, so a better derivation never
needs a record to be rewritten. Standard library only, like the rest of generator.records.
"""

import json
import math
from dataclasses import dataclass, field

REFERENCE_METHOD = {"id": "unquantized", "version": 1, "config": {"dtype": "bfloat16"}}
TIMINGS = ("layer_graph_ms", "layer_ms")  # launch overhead removed where measured, else eager
FASTER, SLOWER, WITHIN_SPREAD = "faster", "slower", "within spread"


@dataclass(frozen=True)
class Comparison:
    """A method's time against bf16's at one token count, each a median with its [min, max] over repeats."""

    method_ms: float
    method_range: tuple
    reference_ms: float
    reference_range: tuple

    @property
    def speedup(self) -> float:
        return self.reference_ms / self.method_ms

    @property
    def speedup_range(self) -> tuple:
        """(slowest repeat of bf16 / fastest of the method, fastest of bf16 / slowest of the method)."""
        return self.reference_range[0] / self.method_range[1], self.reference_range[1] / self.method_range[0]

    @property
    def verdict(self) -> str:
        """FASTER only when every repeat of the method beat every repeat of bf16 (the ranges do not overlap),
        SLOWER likewise, else WITHIN_SPREAD: a difference smaller than the noise is no finding."""
        if self.method_range[1] < self.reference_range[0]:
            return FASTER
        if self.method_range[0] > self.reference_range[1]:
            return SLOWER
        return WITHIN_SPREAD


@dataclass(frozen=True)
class KernelSpeedup:
    """One method on one layer against bf16 on the same layer, at each token count where both were measured."""

    layer: str  # the kernel result's model id, "<preset>-1layer:<layer>"
    method: str  # the method's label
    timing: str  # which metric the ratios are of (TIMINGS)
    comparisons: dict  # tokens -> Comparison

    @property
    def speedups(self) -> dict:
        return {tokens: comparison.speedup for tokens, comparison in self.comparisons.items()}

    @property
    def stops_winning_at(self) -> int | None:
        """The smallest token count from which the method is not measurably faster than bf16 at any larger
        count measured; None when it is measurably faster at the largest count. Equal to the smallest count
        when it never wins."""
        crossing = None
        for tokens in sorted(self.comparisons, reverse=True):
            if self.comparisons[tokens].verdict == FASTER:
                break
            crossing = tokens
        return crossing

    @property
    def wins_anywhere(self) -> bool:
        return any(comparison.verdict == FASTER for comparison in self.comparisons.values())


def kernel_speedups(record: dict) -> list:
    """Every (layer, method) of a kernel record against the bf16 reference on the same layer, per timing kind.

    Results that are not ok, or lack the timing, are left out (the record says why); a timing kind is
    used only where bf16 has it too.
    """
    reference_method = method_key(REFERENCE_METHOD)
    times = {}  # (layer, method key) -> {timing: {tokens: (median, (min, max))}}
    labels = {}
    for result in record["results"]:
        if result["status"] != "ok" or "layer_ms" not in result["metrics"]:
            continue
        key = (result["model"]["id"], method_key(result["method"]))
        for timing in TIMINGS:
            if timing in result["metrics"]:
                value = result["metrics"][timing]
                bounds = result["spread"].get(timing, {"min": value, "max": value})
                times.setdefault(key, {}).setdefault(timing, {})[result["workload"]["batch"]] = \
                    (value, (bounds["min"], bounds["max"]))
        labels[key] = method_label(result["method"])
    summaries = []
    for (layer, method), by_timing in times.items():
        reference = times.get((layer, reference_method))
        if reference is None or method == reference_method:
            continue
        for timing in TIMINGS:
            shared = sorted(set(by_timing.get(timing, {})) & set(reference.get(timing, {})))
            if shared:
                comparisons = {tokens: Comparison(*by_timing[timing][tokens], *reference[timing][tokens])
                               for tokens in shared}
                summaries.append(KernelSpeedup(layer, labels[layer, method], timing, comparisons))
    return summaries


def method_key(method: dict) -> str:
    """What makes two results the same method: id, version and config (not the label or kernel text)."""
    return json.dumps([method["id"], method["version"], method["config"]], sort_keys=True)


def method_label(method: dict) -> str:
    """The label the record gives (schema 2), else one made of the id, version and weight format (schema 1)."""
    return method.get("label") or f"{method['id']} v{method['version']} ({method['weight_format']})"


def format_kernel_speedups(summaries: list) -> str:
    """A plain-text table: one line per layer, method and timing; a speedup inside the spread is marked ~."""
    if not summaries:
        return "no kernel speedups: the record has no bf16 reference timed next to a method"
    counts = sorted({tokens for summary in summaries for tokens in summary.comparisons})
    head = f"{'layer':<28} {'method':<34} {'timing':<15}" + "".join(f"{count:>8}" for count in counts)
    lines = [head + "  stops winning at (tokens)"]
    for summary in sorted(summaries, key=lambda s: (s.layer, s.timing, s.method)):
        cells = "".join(_cell(summary.comparisons.get(count)) for count in counts)
        crossing = summary.stops_winning_at
        verdict = ("never measurably faster" if not summary.wins_anywhere else
                   "faster at every count measured" if crossing is None else str(crossing))
        lines.append(f"{summary.layer[-28:]:<28} {summary.method[:34]:<34} {summary.timing:<15}{cells}  {verdict}")
    lines.append("~ marks a speedup within the spread of the repeats (not a measurable difference)")
    return "\n".join(lines)


def _cell(comparison: Comparison | None) -> str:
    if comparison is None:
        return f"{'-':>8}"
    mark = "~" if comparison.verdict == WITHIN_SPREAD else ""
    return f"{mark}{comparison.speedup:.2f}".rjust(8)


# -- whole-model decode --------------------------------------------------------------------------

DECODE_TIMINGS = (("eager", "decode_ms_per_token", "bandwidth_bytes_s"),
                  ("graph", "decode_graph_ms_per_token", "bandwidth_graph_bytes_s"),
                  ("compiled", "decode_compiled_ms_per_token", "bandwidth_compiled_bytes_s"))


@dataclass(frozen=True)
class DecodeRow:
    """One method on one model and workload: per way of decoding (eager generate, CUDA graph, compiled),
    ms per token, the share of the run's measured copy bandwidth it achieved, and its speedup over bf16
    decoded the same way (None where either side was not measured)."""

    model: str
    method: str
    kernel: str
    batch: int
    prompt_tokens: int
    ms_per_token: dict  # way -> ms
    bandwidth_share: dict  # way -> achieved bandwidth / measured copy bandwidth (absent without the latter)
    speedup: dict  # way -> Comparison with bf16

    def best(self) -> str | None:
        """The fastest way this method was measured: what a reader should compare."""
        return min(self.ms_per_token, key=self.ms_per_token.get) if self.ms_per_token else None


def decode_rows(record: dict) -> list:
    """A row per ok whole-model result that timed decoding, in the record's order."""
    copy_bandwidth = record["run"]["device"].get("measured_bandwidth_bytes_s")
    results = [result for result in record["results"]
               if result["status"] == "ok" and any(name in result["metrics"] for _, name, _ in DECODE_TIMINGS)]
    reference = {(r["model"]["id"], json.dumps(r["workload"], sort_keys=True)): r for r in results
                 if method_key(r["method"]) == method_key(REFERENCE_METHOD)}
    rows = []
    for result in results:
        metrics = result["metrics"]
        bf16 = reference.get((result["model"]["id"], json.dumps(result["workload"], sort_keys=True)))
        ms, share, speedup = {}, {}, {}
        for way, time_name, bandwidth_name in DECODE_TIMINGS:
            if time_name not in metrics:
                continue
            ms[way] = metrics[time_name]
            if copy_bandwidth and bandwidth_name in metrics:
                share[way] = metrics[bandwidth_name] / copy_bandwidth
            if bf16 is not None and bf16 is not result and time_name in bf16["metrics"]:
                speedup[way] = compare(result, bf16, time_name)
        rows.append(DecodeRow(result["model"]["id"], method_label(result["method"]),
                              result["method"].get("kernel", "-"), result["workload"]["batch"],
                              result["workload"]["prompt_tokens"], ms, share, speedup))
    return rows


def spread_range(result: dict, name: str) -> tuple:
    """(min, max) of a metric over its repeats; the value itself twice where the result kept no spread."""
    metrics = result["metrics"]
    bounds = result.get("spread", {}).get(name, {"min": metrics[name], "max": metrics[name]})
    return bounds["min"], bounds["max"]


def compare(result: dict, reference: dict, name: str) -> Comparison:
    """A result's metric `name` (a time) against the reference result's, each with its spread."""
    return Comparison(result["metrics"][name], spread_range(result, name), reference["metrics"][name],
                      spread_range(reference, name))


def format_decode_rows(rows: list) -> str:
    """Plain text: ms per token, share of copy bandwidth and speedup over bf16 for each way of decoding."""
    if not rows:
        return "no decode timings in this record"
    lines = [f"{'model':<14} {'method':<34} {'batch':>5} {'prompt':>6}  " +
             "  ".join(f"{way + ' ms (bw, x bf16)':<28}" for way, _, _ in DECODE_TIMINGS)]
    for row in rows:
        cells = []
        for way, _, _ in DECODE_TIMINGS:
            if way not in row.ms_per_token:
                cells.append(f"{'-':<28}")
                continue
            share = f"{row.bandwidth_share[way]:.0%}" if way in row.bandwidth_share else "-"
            comparison = row.speedup.get(way)
            speed = "-" if comparison is None else \
                f"{'~' if comparison.verdict == WITHIN_SPREAD else ''}{comparison.speedup:.2f}x"
            cells.append(f"{row.ms_per_token[way]:.3f} ({share}, {speed})".ljust(28))
        lines.append(f"{row.model[:14]:<14} {row.method[:34]:<34} {row.batch:>5} {row.prompt_tokens:>6}  "
                     + "  ".join(cells))
    lines.append("bw: achieved bandwidth as a share of the run's measured copy bandwidth; ~ marks a speedup "
                 "within the spread of the repeats")
    return "\n".join(lines)


# -- measured memory against the calculators ------------------------------------------------------

@dataclass(frozen=True)
class MemoryCheck:
    """A measured byte count beside what `calculators` predicts for the same model, format and workload."""

    model: str
    method: str
    quantity: str  # "weights" or "kv cache"
    measured_bytes: int
    predicted_bytes: int
    result: dict = field(default=None, compare=False, repr=False)  # the record's result it checks

    @property
    def error(self) -> float:
        """(measured - predicted) / predicted."""
        return (self.measured_bytes - self.predicted_bytes) / self.predicted_bytes


def memory_checks(record: dict) -> list:
    """Weight bytes against calculators.weight_bytes and KV-cache bytes (one prefill of the prompt, 16-bit)
    against calculators.kv_cache_bytes, for every ok result on a calculators preset (others have no
    architecture to predict from)."""
    import calculators

    checks = []
    for result in record["results"]:
        model_id, metrics = result["model"]["id"], result["metrics"]
        if result["status"] != "ok" or model_id not in calculators.PRESETS:
            continue
        arch = calculators.preset_architecture(model_id)
        label = method_label(result["method"])
        try:
            fmt = calculators.weight_format(result["method"]["weight_format"])
        except calculators.CalculatorError:
            fmt = None
        if fmt is not None and "weight_bytes" in metrics:
            checks.append(MemoryCheck(model_id, label, "weights", metrics["weight_bytes"],
                                      calculators.weight_bytes(arch, fmt).total_bytes, result))
        if "kv_cache_bytes" in metrics:
            workload = result["workload"]
            predicted = calculators.kv_cache_bytes(arch, calculators.kv_format("bf16"), workload["prompt_tokens"],
                                                   workload["batch"]).total_bytes
            checks.append(MemoryCheck(model_id, f"{label}, batch {workload['batch']}, {workload['prompt_tokens']} "
                                                "tokens", "kv cache", metrics["kv_cache_bytes"], predicted, result))
    return checks


def format_memory_checks(checks: list) -> str:
    if not checks:
        return "no measured bytes of a calculators preset in this record"
    lines = [f"{'model':<14} {'what':<10} {'method':<48} {'measured':>16} {'predicted':>16} {'error':>8}"]
    for check in checks:
        lines.append(f"{check.model[:14]:<14} {check.quantity:<10} {check.method[:48]:<48} "
                     f"{check.measured_bytes:>16,} {check.predicted_bytes:>16,} {check.error:>+8.2%}")
    return "\n".join(lines)


# -- fine-tuning -------------------------------------------------------------------------------------

FINETUNE_METHODS = {"finetune-qlora": "qlora", "finetune-lora": "lora", "finetune-full": "full"}


@dataclass(frozen=True)
class TrainingMemoryCheck:
    """A fine-tuning run's measured training memory against calculators.training_memory for its settings."""

    model: str
    method: str
    device_kind: str  # "cuda": peak allocated bytes; "cpu": peak resident set less the baseline before the model
    measured_bytes: int
    predicted_bytes: int
    trainable_params: int
    predicted_trainable_params: int
    predicted: object = field(default=None, compare=False, repr=False)  # the calculators.TrainingMemory
    result: dict = field(default=None, compare=False, repr=False)

    @property
    def error(self) -> float:
        """(measured - predicted) / predicted."""
        return (self.measured_bytes - self.predicted_bytes) / self.predicted_bytes

    @property
    def measured_as(self) -> str:
        return ("peak allocated (torch.cuda.max_memory_allocated)" if self.device_kind == "cuda"
                else "CPU: peak resident set less the resident set before the model was loaded")


def training_memory_checks(record: dict) -> list:
    """Every ok fine-tuning result against `python -m calculators training` with the same model (the base's
    config in the record), method, LoRA rank, batch and sequence: AdamW, no activation checkpointing (the
    bench keeps every activation), fused attention (torch's scaled_dot_product_attention). On CUDA the
    measured figure is the allocated peak; on the CPU the peak resident set less the baseline just before
    the model was loaded, which includes what the C allocator keeps of freed memory."""
    import calculators

    device_kind = record["run"]["device"]["kind"]
    checks = []
    for result in record["results"]:
        method, metrics = result["method"], result["metrics"]
        if result["status"] != "ok" or method["id"] not in FINETUNE_METHODS:
            continue
        if device_kind == "cuda" and "train_peak_allocated_bytes" in metrics:
            measured = metrics["train_peak_allocated_bytes"]
        elif {"train_peak_rss_bytes", "train_rss_baseline_bytes"} <= set(metrics):
            measured = metrics["train_peak_rss_bytes"] - metrics["train_rss_baseline_bytes"]
        else:
            continue
        config = method["config"]
        arch = calculators.architecture_from_config(config["model_config"], name=result["model"]["id"])
        predicted = calculators.training_memory(
            arch, FINETUNE_METHODS[method["id"]], sequence=result["workload"]["prompt_tokens"],
            batch=result["workload"]["batch"], optimizer=config.get("optimizer", "adamw"),
            lora_rank=config.get("rank", 16), checkpointing=False, flash_attention=True)
        checks.append(TrainingMemoryCheck(result["model"]["id"], method_label(method), device_kind, int(measured),
                                          predicted.total, int(metrics["trainable_params"]),
                                          predicted.trainable_params, predicted, result))
    return checks


def format_training_memory_checks(checks: list) -> str:
    if not checks:
        return "no fine-tuning result with a measured training peak in this record"
    lines = [f"{'model':<34} {'method':<22} {'trainable':>10} {'measured':>14} {'predicted':>14} {'error':>8}  measured as"]
    for check in checks:
        lines.append(f"{check.model[:34]:<34} {check.method[:22]:<22} {check.trainable_params:>10,} "
                     f"{check.measured_bytes:>14,} {check.predicted_bytes:>14,} {check.error:>+8.1%}  {check.measured_as}")
    return "\n".join(lines)


@dataclass(frozen=True)
class FinetuneRow:
    model: str
    method: str
    metrics: dict
    spread: dict
    result: dict = field(default=None, compare=False, repr=False)

    def perplexity(self, loss_metric: str) -> float | None:
        """exp of a loss metric (nats per token), None where it was not measured."""
        return math.exp(self.metrics[loss_metric]) if loss_metric in self.metrics else None


def finetune_rows(record: dict) -> list:
    return [FinetuneRow(result["model"]["id"], method_label(result["method"]), result["metrics"], result["spread"],
                        result)
            for result in record["results"] if result["status"] == "ok" and result["method"]["id"] in FINETUNE_METHODS]


def format_finetune_rows(rows: list) -> str:
    if not rows:
        return "no ok fine-tuning result in this record"

    def ppl(row, name):
        value = row.perplexity(name)
        return "-" if value is None else f"{value:.1f}"

    def number(row, name, pattern):
        return pattern.format(row.metrics[name]) if name in row.metrics else "-"

    lines = [f"{'model':<34} {'method':<22} {'step ms':>8} {'domain ppl base->tuned':>23} "
             f"{'original ppl base->tuned':>25} {'merged KL':>10} {'merged ppl':>10} {'requant KL':>10} "
             f"{'requant ppl':>11}"]
    for row in rows:
        lines.append(f"{row.model[:34]:<34} {row.method[:22]:<22} {number(row, 'train_step_ms', '{:.0f}'):>8} "
                     f"{ppl(row, 'domain_loss_base') + ' -> ' + ppl(row, 'domain_loss'):>23} "
                     f"{ppl(row, 'original_loss_base') + ' -> ' + ppl(row, 'original_loss'):>25} "
                     f"{number(row, 'merged_kl_divergence', '{:.2e}'):>10} {ppl(row, 'merged_domain_loss'):>10} "
                     f"{number(row, 'requantized_kl_divergence', '{:.2e}'):>10} "
                     f"{ppl(row, 'requantized_domain_loss'):>11}")
    return "\n".join(lines)
