"""`python -m generator bench`: run a suite and write its record.

Exit status: 0 when every item was measured (unsupported methods included),
1 when some result has status "error", 2 for a bad argument or record,
3 when the budget or deadline came first (rerun with the printed --run-id to go on),
75 when a failure left the CUDA context unusable (a new process resumes the record).
"""

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

# Imported here, not in run(): a missing torch or transformers then fails the import, and
# `python -m generator` shows which extra to install instead of a traceback.
from calculators import CalculatorError

from ..records import RUN_ID_PATTERN, RecordError, RecordWriter, load_records
from ..records.analysis import (decode_rows, finetune_rows, format_decode_rows, format_finetune_rows,
                                format_kernel_speedups, format_memory_checks, format_training_memory_checks,
                                kernel_speedups, memory_checks, training_memory_checks)
from . import environment, plan
from .models import pretrained_spec
from .runner import EXIT_RESTART, run_suite_items
from .suites import SUITES, SuiteOptions

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "gpu_runs"
# Extra modules to import before a run (comma-separated), each registering more methods or suites: how the
# tests inject failing methods into a bench process of its own.
PLUGINS_VARIABLE = "LQFG_BENCH_PLUGINS"


def register(subparsers) -> None:
    load_plugins()  # before the suite names are offered as choices
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
                             "allows) instead of the suite's models; " +
                             ", ".join(name for name, suite in SUITES.items() if suite.accepts_models) + " only")
    parser.add_argument("--deadline", type=float, default=None, metavar="UNIX_TIME",
                        help="start no item whose estimated duration would end after this time (the GPU plan's cap)")
    parser.add_argument("--skip-measured", type=Path, default=None, metavar="DIR",
                        help="leave out items that a record in DIR measured with status ok on a device of this name")
    parser.set_defaults(run=run)
    plan.register(subparsers)


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
    suite = SUITES[args.suite]
    options = SuiteOptions(device=device, train_budget_s=args.budget_s if suite.trains_models else None)
    if args.model is not None:
        if not suite.accepts_models:
            return _fail(f"--model works with the whole-model suites "
                         f"({', '.join(name for name, s in SUITES.items() if s.accepts_models)}), not {args.suite}")
        try:
            options.models = [pretrained_spec(args.model)]
        except (ValueError, CalculatorError) as error:
            return _fail(str(error))
    started = time.monotonic()
    try:
        header = environment.run_header(args.suite, device, environment.command_line(), args.run_id)
    except (RecordError, OSError) as error:
        return _fail(str(error))
    if suite.notes:
        header["notes"] = list(suite.notes)
    items = suite.items(options)
    measured = set()
    if args.skip_measured is not None:
        try:
            measured = plan.measured_keys(load_records(args.skip_measured), header["device"]["name"])
        except RecordError as error:
            return _fail(str(error))
        # A suite with nothing left to measure writes no record: an empty one would only say "ran, measured nothing".
        if items and all(item.key in measured for item in items) \
                and not (Path(args.out) / f"{header['id']}.json").exists():
            print(f"every item of {args.suite} is already measured on {header['device']['name']} in "
                  f"{args.skip_measured}: nothing to run, no record written")
            return 0
    try:
        writer = RecordWriter(args.out, header)
    except (RecordError, OSError) as error:
        return _fail(str(error))
    if args.skip_measured is not None:
        kept = [item for item in items if item.key not in measured or writer.has(item.key)]
        skipped, items = len(items) - len(kept), kept
        if skipped:
            print(f"{skipped} items already measured on {header['device']['name']} in {args.skip_measured} "
                  "are left out")
    print(f"{'resuming' if writer.resumed else 'writing'} {writer.path} ({len(items)} items on {device})")
    for problem in options.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(_ROW.format("model", "method", "status", "weight bytes", "prefill ms", "decode ms/tok", "note"))
    budget_s = None if suite.trains_models else args.budget_s
    outcome = run_suite_items(suite.runner, items, writer, device, budget_s=budget_s, deadline=args.deadline,
                              estimate_s=plan.estimate_item_s, finish=not options.problems,
                              on_result=lambda result: print(_format_row(result), flush=True))
    elapsed = time.monotonic() - started
    if outcome.resumed:
        print(f"{outcome.resumed} items were already in the record and were skipped")
    if outcome.poisoned:
        print(f"the CUDA context failed after the last result; {len(outcome.left)} items left for a new process: "
              f"--run-id {writer.run_id}")
        return EXIT_RESTART
    if outcome.left:
        print(f"budget or deadline reached after {elapsed:.1f} s; {len(outcome.left)} items left. "
              f"Continue with: --run-id {writer.run_id}")
        return 3
    if options.problems:
        print(f"{writer.path} left unfinished: {'; '.join(options.problems)}. Rerun with --run-id {writer.run_id}")
        return 1
    if suite.runner.name == "kernel":
        print("\nspeedup over bf16 per token count (bf16 time / method time):")
        print(format_kernel_speedups(kernel_speedups(writer.record)))
    elif suite.runner.name == "finetune":
        print("\nfine-tuning, and QLoRA merged and re-quantized against the un-merged model:")
        print(format_finetune_rows(finetune_rows(writer.record)))
        print("\ntraining memory against python -m calculators training:")
        print(format_training_memory_checks(training_memory_checks(writer.record)))
    elif suite.runner.name == "model":
        print("\ndecode per token, each way it was timed:")
        print(format_decode_rows(decode_rows(writer.record)))
        print("\nmeasured bytes against the calculators:")
        print(format_memory_checks(memory_checks(writer.record)))
    errors = sum(result["status"] == "error" for result in writer.record["results"])
    print(f"finished {writer.path} in {elapsed:.1f} s" + (f"; {errors} results with status error" if errors else ""))
    return 1 if errors else 0


def load_plugins():
    for name in filter(None, (part.strip() for part in os.environ.get(PLUGINS_VARIABLE, "").split(","))):
        importlib.import_module(name)


_ROW = "{:<12} {:<34} {:<12} {:>13} {:>11} {:>14}  {}"


def _format_row(result: dict) -> str:
    metrics = result["metrics"]

    def number(name, pattern):
        return pattern.format(metrics[name]) if name in metrics else "-"

    note = result["error"] or ""
    if "decode_graph_ms_per_token" in metrics:
        note = f"{metrics['decode_graph_ms_per_token']:.2f} ms per step from a CUDA graph"
    if "train_step_ms" in metrics:
        note = f"{metrics['train_step_ms']:.0f} ms a training step" + (
            f"; domain loss {metrics['domain_loss_base']:.3f} -> {metrics['domain_loss']:.3f}"
            if "domain_loss" in metrics and "domain_loss_base" in metrics else "")
    if "layer_ms" in metrics:
        note = f"{result['workload']['batch']} tokens: {metrics['layer_ms']:.4f} ms per forward" + (
            f", {metrics['layer_graph_ms']:.4f} ms from a CUDA graph" if "layer_graph_ms" in metrics else "")
    return _ROW.format(result["model"]["id"][:12], result["method"]["label"],
                       result["status"],
                       number("weight_bytes", "{:,.0f}"), number("prefill_ms", "{:.2f}"),
                       number("decode_ms_per_token", "{:.2f}"), note)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
