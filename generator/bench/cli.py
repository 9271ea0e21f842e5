"""`python -m generator bench`: run a suite and write its record.

Exit status: 0 when every item was measured (unsupported methods included),
1 when some result has status "error", 2 for a bad argument or record,
3 when the budget ran out first (rerun with the printed --run-id to go on).
"""

import argparse
import sys
import time
from pathlib import Path

# Imported here, not in run(): a missing torch or transformers then fails the import, and
# `python -m generator` shows which extra to install instead of a traceback.
from calculators import CalculatorError

from . import environment, methods
from ..records.analysis import format_kernel_speedups, kernel_speedups
from .kernels import run_kernel_items
from .models import pretrained_spec
from ..records import RUN_ID_PATTERN, RecordError, RecordWriter
from .runner import run_items
from .suites import SUITES

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "gpu_runs"
# Training seconds per reference model size when --budget-s is not given (a cached checkpoint is reused).
QUALITY_TRAIN_S = {"quality-cpu": 600.0, "gpu-quality": 120.0}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench", help="quantize and measure models, write a record into gpu_runs/",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", required=True, choices=sorted(SUITES),
                        help="; ".join(f"{name}: {suite.description}" for name, suite in SUITES.items()))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the record (default: gpu_runs/)")
    parser.add_argument("--budget-s", type=_positive_seconds, default=None,
                        help="start no new measurement after this many seconds; the record stays resumable")
    parser.add_argument("--run-id", default=None,
                        help="name of the record; an unfinished record of this id is resumed")
    parser.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    parser.add_argument("--model", default=None, metavar="DIR_OR_HUB_ID",
                        help="measure your own model (a save_pretrained directory, or a hub id where the network "
                             "allows) instead of the suite's models; smoke and gpu-speed only")
    parser.set_defaults(run=run)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def run(args) -> int:
    if args.run_id is not None and not RUN_ID_PATTERN.match(args.run_id):
        return _fail(f"--run-id {args.run_id!r} must match {RUN_ID_PATTERN.pattern}")
    try:
        device = environment.pick_device(args.device)
    except (ValueError, RuntimeError) as error:
        return _fail(str(error))
    if SUITES[args.suite].kind == "quality":  # trains its models, then measures; writes its own record
        from .quality import run_quality

        budget_s = args.budget_s or QUALITY_TRAIN_S[args.suite]
        return run_quality(args.out, device, SUITES[args.suite].sizes, budget_s, run_id=args.run_id,
                           suite=args.suite)
    started = time.monotonic()
    if args.model is not None:
        if SUITES[args.suite].kind != "model":
            return _fail(f"--model works with the whole-model suites (smoke, gpu-speed), not {args.suite}")
        try:
            items = SUITES[args.suite].items([pretrained_spec(args.model)])
        except (ValueError, CalculatorError) as error:
            return _fail(str(error))
    else:
        items = SUITES[args.suite].items()
    try:
        header = environment.run_header(args.suite, device, environment.command_line(), args.run_id)
        writer = RecordWriter(args.out, header)
    except (RecordError, OSError) as error:
        return _fail(str(error))
    print(f"{'resuming' if writer.resumed else 'writing'} {writer.path} ({len(items)} items on {device})")
    print(_ROW.format("model", "method", "status", "weight bytes", "prefill ms", "decode ms/tok", "note"))
    run_function = run_kernel_items if SUITES[args.suite].kind == "kernel" else run_items
    outcome = run_function(items, writer, device, args.budget_s, on_result=lambda result: print(_format_row(result)))
    elapsed = time.monotonic() - started
    if outcome.resumed:
        print(f"{outcome.resumed} items were already in the record and were skipped")
    if not outcome.finished:
        print(f"budget of {args.budget_s:g} s spent after {elapsed:.1f} s; {len(outcome.left)} items left. "
              f"Continue with: --run-id {writer.run_id}")
        return 3
    if SUITES[args.suite].kind == "kernel":
        print("\nspeedup over bf16 per token count (bf16 time / method time):")
        print(format_kernel_speedups(kernel_speedups(writer.record)))
    errors = sum(result["status"] == "error" for result in writer.record["results"])
    print(f"finished {writer.path} in {elapsed:.1f} s" + (f"; {errors} results with status error" if errors else ""))
    return 1 if errors else 0


_ROW = "{:<12} {:<30} {:<12} {:>13} {:>11} {:>14}  {}"


def _format_row(result: dict) -> str:
    metrics = result["metrics"]

    def number(name, pattern):
        return pattern.format(metrics[name]) if name in metrics else "-"

    note = result["error"] or ""
    if "decode_graph_ms_per_token" in metrics:
        note = f"{metrics['decode_graph_ms_per_token']:.2f} ms per step from a CUDA graph"
    if "layer_ms" in metrics:
        note = f"{result['workload']['batch']} tokens: {metrics['layer_ms']:.4f} ms per forward" + (
            f", {metrics['layer_graph_ms']:.4f} ms from a CUDA graph" if "layer_graph_ms" in metrics else "")
    return _ROW.format(result["model"]["id"][:12], methods.config_from_record(result["method"]).label,
                       result["status"],
                       number("weight_bytes", "{:,.0f}"), number("prefill_ms", "{:.2f}"),
                       number("decode_ms_per_token", "{:.2f}"), note)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
