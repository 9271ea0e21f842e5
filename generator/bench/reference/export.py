"""Export a few rows of a reference llama's weights, and a real activation, for the quantization playground.

`python -m generator.bench.reference.export` trains (or finds in the cache) the reference model of a size,
runs it on the first tokens of the validation split, and writes `calculators/reference_weights.py`: for each
of two linear layers, some rows of the weight matrix (output channels, each holding every input feature) and
the input vector the layer received at the token whose input had the largest magnitude. The file is Python,
not JSON, so that the browser gets it with the rest of `calculators/` (generator/site/assets.py packs only
.py files) and the calculators stay standard-library only.

The sample is small on purpose (a few thousand numbers): it is for teaching, and it is labelled on the site as
the weights of our small reference model, not of a production LLM.
"""

import argparse
import datetime
import math
import json
import subprocess
from pathlib import Path

import torch

from . import corpus, train
from .tokenizer import TokenizedCorpus

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUT = ROOT / "calculators" / "reference_weights.py"
# (key, module path inside the llama, what the site calls it): the MLP's down projection reads the SwiGLU
# product, whose few large features are the outliers; the query projection reads the normalised residual.
LAYERS = (("down_proj", "model.layers.{layer}.mlp.down_proj", "MLP down projection"),
          ("q_proj", "model.layers.{layer}.self_attn.q_proj", "attention query projection"))
ROWS = 16  # output channels kept per layer
TOKENS = 128  # validation tokens run through the model to find the activation
DIGITS = 6  # significant digits kept of each fp32 value


def _rounded(values) -> list:
    return [float(f"{value:.{DIGITS}g}") for value in values]


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def sample(trained: train.TrainedModel, data: TokenizedCorpus, layer: int = 0) -> dict:
    """{"provenance", "layers": {key: {"name", "rows", "activation", ...}}} from the model's forward pass."""
    model = trained.load(torch.device("cpu"), dtype=torch.float32)
    modules = dict(model.named_modules())
    inputs = {}
    hooks = []
    for key, path, _ in LAYERS:
        module = modules[path.format(layer=layer)]
        hooks.append(module.register_forward_hook(
            lambda mod, args, out, key=key: inputs.__setitem__(key, args[0][0].detach())))
    ids = data.ids["validation"][:TOKENS].long().unsqueeze(0)
    with torch.no_grad():
        model(ids)
    for hook in hooks:
        hook.remove()
    layers = {}
    for key, path, label in LAYERS:
        name = path.format(layer=layer)
        weight = modules[name].weight.detach()
        seen = inputs[key]  # tokens x in_features
        position = int(seen.abs().amax(dim=1).argmax())  # the token whose input holds the largest value
        activation = seen[position]
        layers[key] = {"name": name, "label": f"layer {layer} {label}", "shape": list(weight.shape),
                       "token_position": position,
                       "rows": [_rounded(row.tolist()) for row in weight[:ROWS]],
                       "activation": _rounded(activation.tolist()),
                       # per input channel, the largest magnitude over all the tokens run: the calibration
                       # statistic SmoothQuant's factors are computed from
                       "channel_max": _rounded(seen.abs().amax(dim=0).tolist())}
    provenance = {"model": trained.model_id, "size": trained.size, "params": trained.params,
                  "steps": trained.steps, "seed": int(trained.path.name.split("-seed")[1].split("-")[0]),
                  "corpus_key": data.key, "validation_loss": round(trained.validation_loss, 4),
                  "tokens_run": TOKENS, "digits": DIGITS, "commit": _commit(),
                  "date": datetime.date.today().isoformat()}
    return {"provenance": provenance, "layers": layers}


def write(data: dict, out: Path) -> None:
    text = ('"""Rows of weights and a real activation from our small reference llama, for the quantization '
            'playground.\n\nWritten by `python -m generator.bench.reference.export`; do not edit by hand. These are '
            'the weights of a\nsmall model trained on CPU for this site, not of a production LLM.\n"""\n\n'
            # JSON is a Python literal here (no true, false or null in it): one line per weight row.
            "SAMPLE = " + json.dumps(data, separators=(",", ":")).replace("],[", "],\n[") + "\n")
    out.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.bench.reference.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="small", choices=sorted(train.SIZES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layer", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    data = TokenizedCorpus(corpus.load_corpus())
    recipe = train.RECIPES[args.size]
    steps = train.planned_steps(args.size, data, torch.device("cpu"), math.inf, recipe)
    trained = train.train(args.size, data, torch.device("cpu"), steps=steps, seed=args.seed)
    write(sample(trained, data, args.layer), args.out)
    print(f"wrote {args.out} from {trained.model_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
