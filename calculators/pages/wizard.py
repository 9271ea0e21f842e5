"""The decision wizard's page (docs/choose/index.md) and its command, `python -m calculators wizard`.

What it computes and how its answer reads are in calculators/wizard.py (the engine) and
calculators/wizard_web.py (the form's answer as HTML and a chart).
"""

import json
import os
import sys

from .. import cli_args, wizard, wizard_text, wizard_web
from ..errors import CalculatorError
from ..hardware import accelerator
from ..page import Command, Field, Page
from ..presets import PRESETS


# The evidence summary as `python -m generator evidence --json` prints it, without loading the generator's whole
# command line (plotting and the bench): the two functions that command calls.
_EVIDENCE_SCRIPT = ("import json; from generator.site.results.dataset import DEFAULT_RECORDS, load_dataset; "
                    "from generator.site.results.evidence import summary; "
                    "print(json.dumps(summary(load_dataset(DEFAULT_RECORDS))))")


def _load_evidence(path):
    """The evidence summary: a JSON file (`python -m generator evidence --json`, or the site's evidence.json), or
    the records in gpu_runs/ summarised by the generator of this checkout, in a child process so that
    calculators/ itself imports nothing outside the standard library; None when there is no checkout around
    the package (then the wizard cites published figures only)."""
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except OSError as error:
            raise CalculatorError(f"cannot read {path}: {error.strerror}", "evidence") from None
        except ValueError:
            raise CalculatorError(f"{path} is not a JSON evidence summary", "evidence") from None
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not (os.path.isdir(os.path.join(root, "generator")) and os.path.isdir(os.path.join(root, "gpu_runs"))):
        return None
    import subprocess

    result = subprocess.run([sys.executable, "-c", _EVIDENCE_SCRIPT], cwd=root, capture_output=True, text=True,
                            check=False)
    if result.returncode:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise CalculatorError(f"the evidence summary of gpu_runs/ failed ({last[:200]}); --no-evidence skips it",
                              "evidence")
    return json.loads(result.stdout)


def run(args):
    arch = cli_args.load_model(args)
    model_ref = PRESETS[args.model].hf_repo if args.model else "./" + os.path.basename(
        os.path.dirname(os.path.abspath(args.config)))
    inputs = wizard.make_inputs(args.goal, accelerator(args.gpu), args.gpus, arch, args.context, args.concurrency,
                                args.priority, model_ref)
    data = wizard.recommend(inputs, None if args.no_evidence else _load_evidence(args.evidence))
    return data, wizard_text.text(data)


def arguments(sub):
    sub.add_argument("--goal", required=True, choices=("serve", "finetune", "local"))
    sub.add_argument("--gpu", required=True, help="accelerator id (see `gpus`: GPUs, CPUs and Apple chips)")
    sub.add_argument("--gpus", type=cli_args.whole, default=1, help="how many of them (tensor parallel)")
    cli_args.add_model(sub)
    sub.add_argument("--context", type=cli_args.tokens, default=4096,
                     help="tokens per sequence (fine-tuning: sequence length)")
    sub.add_argument("--concurrency", type=cli_args.whole, default=1,
                     help="concurrent sequences (fine-tuning: micro-batch)")
    sub.add_argument("--priority", default="latency", choices=("latency", "throughput", "quality", "memory"))
    sub.add_argument("--evidence", help="an evidence summary JSON (default: the records in gpu_runs/)")
    sub.add_argument("--no-evidence", action="store_true", help="published figures only")


PAGE = Page(
    name="wizard", path="choose", title="Choose", order=90,
    fields=(Field("model", "Model", "model", "llama-3.1-70b"), Field("goal", "Goal", "goal", "serve"),
            Field("gpu", "Hardware (GPU, CPU or Apple chip)", "gpu", "h100-sxm"),
            Field("gpus", "How many of them", "number", "2"),
            Field("context", "Context length per sequence (tokens; 8k = 8,192)", "tokens", "8192"),
            Field("concurrency", "Concurrent sequences (for fine-tuning: the micro-batch)", "number", "32"),
            Field("priority", "Priority", "priority", "throughput")),
    compute=wizard_web.page_result, render=wizard_web.render, charts=wizard_web.figures,
    choices=lambda: {"goal": [("serve", "Serve (a server for many users)"), ("local", "Run locally (few requests)"),
                              ("finetune", "Fine-tune")],
                     "priority": [("latency", "Latency (fastest answers)"),
                                  ("throughput", "Throughput (tokens per GPU-hour)"),
                                  ("quality", "Quality (least loss)"), ("memory", "Memory (smallest footprint)")]},
    command=Command("which quantization method: ranked, checked, with evidence", arguments, run))
