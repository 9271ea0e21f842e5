"""Figures derived from a record's raw measurements: the kernel sweep's speedups over bf16 and the
token count at which each method stops winning.

Records keep only what was measured; everything here is recomputed from them, so a better
derivation never needs a record to be rewritten.
"""

import json
from dataclasses import dataclass

from . import methods

TIMINGS = ("layer_graph_ms", "layer_ms")  # launch overhead removed where measured, else eager


@dataclass(frozen=True)
class KernelSpeedup:
    """One method on one layer: bf16 time / method time at each token count where both were measured."""

    layer: str  # the kernel result's model id, "<preset>-1layer:<layer>"
    method: str  # the method's label
    timing: str  # which metric the ratios are of (TIMINGS)
    speedups: dict  # tokens -> speedup (> 1: faster than bf16)

    @property
    def stops_winning_at(self) -> int | None:
        """The smallest token count from which the method is no faster than bf16 at every larger count
        measured; None when it is faster at the largest count. Equal to the smallest count when it never wins."""
        crossing = None
        for tokens in sorted(self.speedups, reverse=True):
            if self.speedups[tokens] > 1:
                break
            crossing = tokens
        return crossing

    @property
    def wins_anywhere(self) -> bool:
        return any(speedup > 1 for speedup in self.speedups.values())


def kernel_speedups(record: dict) -> list:
    """Every (layer, method) of a kernel record against the bf16 reference on the same layer, per timing kind.

    Results that are not ok, or lack the timing, are left out (the record says why); a timing kind is
    used only where bf16 has it too.
    """
    reference_method = _method_key(methods.REFERENCE.to_record())
    times = {}  # (layer, method key) -> {timing: {tokens: ms}}
    labels = {}
    for result in record["results"]:
        if result["status"] != "ok" or "layer_ms" not in result["metrics"]:
            continue
        key = (result["model"]["id"], _method_key(result["method"]))
        for timing in TIMINGS:
            if timing in result["metrics"]:
                times.setdefault(key, {}).setdefault(timing, {})[result["workload"]["batch"]] = \
                    result["metrics"][timing]
        labels[key] = _label(result["method"])
    summaries = []
    for (layer, method), by_timing in times.items():
        reference = times.get((layer, reference_method))
        if reference is None or method == reference_method:
            continue
        for timing in TIMINGS:
            shared = sorted(set(by_timing.get(timing, {})) & set(reference.get(timing, {})))
            if shared:
                speedups = {tokens: reference[timing][tokens] / by_timing[timing][tokens] for tokens in shared}
                summaries.append(KernelSpeedup(layer, labels[layer, method], timing, speedups))
    return summaries


def _method_key(method: dict) -> str:
    return json.dumps([method["id"], method["version"], method["config"]], sort_keys=True)


def _label(method: dict) -> str:
    try:
        return methods.config_from_record(method).label
    except (ValueError, TypeError):  # a method of another version: its id is still a fair name
        return f"{method['id']} v{method['version']}"


def format_kernel_speedups(summaries: list) -> str:
    """A plain-text table: one line per layer, method and timing."""
    if not summaries:
        return "no kernel speedups: the record has no bf16 reference timed next to a method"
    counts = sorted({tokens for summary in summaries for tokens in summary.speedups})
    head = f"{'layer':<28} {'method':<30} {'timing':<15}" + "".join(f"{count:>7}" for count in counts)
    lines = [head + "  stops winning at (tokens)"]
    for summary in sorted(summaries, key=lambda s: (s.layer, s.timing, s.method)):
        cells = "".join(f"{summary.speedups[count]:>7.2f}" if count in summary.speedups else f"{'-':>7}"
                        for count in counts)
        crossing = summary.stops_winning_at
        verdict = ("never faster" if not summary.wins_anywhere else
                   "faster at every count measured" if crossing is None else str(crossing))
        lines.append(f"{summary.layer[-28:]:<28} {summary.method:<30} {summary.timing:<15}{cells}  {verdict}")
    return "\n".join(lines)
