"""`python -m calculators <command>`: the calculators from a terminal.

Raw numbers are gathered first and formatted last: `--json` prints them as
one JSON object, otherwise a small table. Every bad input exits with status 2
and one line on stderr. A calculator page's command is declared with the page
(calculators/pages/); the catalogue listings are here.
"""

import argparse
import json
import os
import sys

from .cli_args import table
from .errors import CalculatorError
from .formats import KV_FORMATS, WEIGHT_FORMATS, weight_format
from .hardware import ACCELERATORS, GIB
from .pages import all_pages
from .presets import PRESETS
from .weights import weight_bytes


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CalculatorError(f"{self.prog}: {message}")


def cmd_models(args):
    rows, data = [], []
    for preset_id, p in PRESETS.items():
        arch = p.architecture
        params = weight_bytes(arch, weight_format("bf16")).params
        data.append({"id": preset_id, "name": p.name, "hf_repo": p.hf_repo, "params": params,
                     "config_source": p.config_source})
        rows.append((preset_id, p.name, f"{params / 1e9:,.2f}B"))
    return {"models": data}, "\n".join(table(rows))


def cmd_formats(args):
    weights = [{"id": f.id, "label": f.label, "family": f.family, "bits_per_weight_4096x4096": f.nominal_bits,
                "quantized_parts": sorted(f.quantized_parts), "source": f.source} for f in WEIGHT_FORMATS.values()]
    kv = [{"id": f.id, "label": f.label, "bits": f.bits, "source": f.source} for f in KV_FORMATS.values()]
    rows = [(f["id"], f["label"], f"{f['bits_per_weight_4096x4096']:.3f} bits") for f in weights]
    rows += [(f"kv: {f['id']}", f["label"], f"{f['bits']} bits") for f in kv]
    return {"weight_formats": weights, "kv_formats": kv}, "\n".join(table(rows))


def cmd_gpus(args):
    data = [{"id": g.id, "name": g.name, "memory_bytes": g.memory_bytes, "allocatable_bytes": g.allocatable_bytes,
             "allocatable_source": g.allocatable_source, "allocatable_quote": g.allocatable_quote,
             "bandwidth_bytes_s": g.bandwidth_bytes_s,
             "dense_flops_s": g.dense_flops_s, "compute_capability": g.compute_capability,
             "sources": list(g.sources)} for g in ACCELERATORS.values()]
    # The label, then what a program can allocate ("label" where no report of it is known).
    rows = [(g.id, g.name, f"{g.memory_gib:,.0f} GiB",
             f"{g.allocatable_bytes / GIB:,.2f} GiB allocatable" if g.allocatable_source else "(label)",
             f"{g.bandwidth_bytes_s / 1e9:,.0f} GB/s",
             f"{g.dense_flops_s['bf16'] / 1e12:,.0f} TFLOP/s bf16" if g.dense_flops_s["bf16"] else "no published rate")
            for g in ACCELERATORS.values()]
    return {"gpus": data}, "\n".join(table(rows))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m calculators", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="print one JSON object")
        sub.set_defaults(handler=handler)
        return sub

    for page in all_pages():
        if page.command:
            page.command.arguments(command(page.name, page.command.run, page.command.help))
    command("models", cmd_models, "list the model presets")
    command("formats", cmd_formats, "list weight and KV-cache formats")
    command("gpus", cmd_gpus, "list the accelerators")
    return parser


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        data, text = args.handler(args)
    except CalculatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        print(json.dumps(data, indent=2) if args.json else text)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
