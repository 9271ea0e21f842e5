"""`python -m calculators <command>`: the calculators from a terminal.

Raw numbers are gathered first and formatted last: `--json` prints them as
one JSON object, otherwise a small table. Every bad input exits with status 2
and one line on stderr.
"""

import argparse
import json
import os
import sys
from dataclasses import asdict

from . import fitting
from .architecture import PARTS, Architecture
from .errors import CalculatorError
from .validate import exact_whole, share_from_text, tokens_from_text
from .formats import KV_FORMATS, WEIGHT_FORMATS, kv_format, weight_format
from .hardware import ACCELERATORS, GIB, accelerator
from .hf_config import architecture_from_json
from .kv_cache import kv_cache_bytes
from .presets import PRESETS, preset_architecture
from .render import gib
from .roofline import compute_bound_batch, roofline
from .speculative import speculative_decoding
from .training import METHODS, OPTIMIZER_BYTES, training_memory
from .weights import weight_bytes

MAX_CONFIG_BYTES = 1 << 20


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CalculatorError(f"{self.prog}: {message}")


def _negative(text: str) -> int | None:
    """A negative whole number, passed on so that the calculator's own range check names the least."""
    plain = text.strip().replace("_", "")
    return int(plain) if plain.startswith("-") and plain[1:].isdigit() else None


def _whole(text: str) -> int:
    """argparse type for counts: digits or 1e6; a clear message instead of a traceback."""
    value = _negative(text)
    if value is None:
        value = exact_whole(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number (digits, or 1e6)")
    return value


def _tokens(text: str) -> int:
    """argparse type for token counts: 131072, 131,072, 128k (k = 1,024 tokens) or 1e6."""
    value = _negative(text)
    if value is not None:
        return value
    try:
        return tokens_from_text(text)
    except CalculatorError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _share(text: str) -> float:
    """argparse type for a share: 0.9 or 90%."""
    try:
        return share_from_text(text)
    except CalculatorError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None


def _load_model(args) -> Architecture:
    if args.config:
        try:
            with open(args.config, encoding="utf-8") as handle:
                text = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as error:
            raise CalculatorError(f"cannot read {args.config}: {error.strerror}", "config") from None
        except UnicodeDecodeError:
            raise CalculatorError(f"{args.config} is not UTF-8 text", "config") from None
        if len(text) > MAX_CONFIG_BYTES:
            raise CalculatorError(f"{args.config} is larger than 1 MiB; is it really a config.json?", "config")
        return architecture_from_json(text, source=args.config)
    return preset_architecture(args.model)


def _add_model(parser):
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--model", help="a preset id (see `models`)")
    group.add_argument("--config", help="path to a Hugging Face config.json")


def _model_json(arch: Architecture) -> dict:
    return {"name": arch.name, "source": arch.source}


# -- commands: each returns (json object, text) --------------------------------

def cmd_weights(args):
    arch = _load_model(args)
    fmt = weight_format(args.format)
    result = weight_bytes(arch, fmt)
    data = {"model": _model_json(arch), "format": fmt.id, "params": result.params,
            "active_params": result.active_params, "total_bytes": result.total_bytes,
            "active_bytes": result.active_bytes, "metadata_bytes": result.metadata_bytes,
            "parts": result.by_part, "bits_per_param": result.bits_per_param}
    if result.header_bytes:
        data.update(header_bytes=result.header_bytes, file_bytes=result.file_bytes)
    rows = [(part, gib(result.by_part[part])) for part in PARTS if result.by_part[part]]
    rows.append(("quantization metadata", gib(result.metadata_bytes)))
    lines = [f"{arch.name}, {fmt.label}: {result.params:,} parameters"
             + (f" ({result.active_params:,} active per token)" if arch.is_moe else ""),
             *_table(rows),
             f"total: {gib(result.total_bytes)} ({result.total_bytes:,} bytes, "
             f"{result.bits_per_param:.3f} bits per parameter)"]
    if result.header_bytes:
        lines.append(f"file: {result.file_bytes:,} bytes with a header of about {result.header_bytes:,}")
    return data, "\n".join(lines)


def cmd_kv(args):
    arch = _load_model(args)
    fmt = kv_format(args.kv_format)
    result = kv_cache_bytes(arch, fmt, args.context, args.batch, args.block_size, args.engine)
    data = {"model": _model_json(arch), **asdict(result)}
    lines = [f"{arch.name}, KV cache in {fmt.label}",
             f"per token (all layers): {gib(result.bytes_per_token)} ({result.bytes_per_token:,} bytes)",
             f"total for {result.batch} x {result.context:,} tokens: {gib(result.total_bytes)} "
             f"({result.total_bytes:,} bytes)"]
    if result.sliding_layers:
        lines.append(f"{result.sliding_layers} of {arch.num_layers} layers keep only the last "
                     f"{arch.sliding_window:,} tokens")
    if result.window_rule:
        lines.append(f"as {result.engine} allocates it: {result.window_rule}")
    return data, "\n".join(lines)


def cmd_fit(args):
    arch = _load_model(args)
    gpu = accelerator(args.gpu)
    result = fitting.fit(arch, weight_format(args.format), kv_format(args.kv_format), gpu, args.gpus,
                            args.context, args.batch, args.block_size, args.prefill_chunk, args.memory_share)
    data = {"model": _model_json(arch), "gpu": gpu.id, **asdict(result), "per_gpu_total": result.per_gpu.total}
    stack = result.per_gpu
    verdict = "fits" if result.fits else "does NOT fit"
    lines = [f"{arch.name} on {result.num_gpus} x {gpu.name}: {verdict}",
             *_table([("weights", gib(stack.weights)), ("KV cache", gib(stack.kv_cache)),
                      ("activations (estimate)", gib(stack.activations)),
                      ("runtime overhead (estimate)", gib(stack.overhead)),
                      ("total " + (gpu.per_device or "needed"), gib(stack.total)),
                      (f"{gpu.memory_noun} usable ({result.memory_utilization:.0%} of {gib(result.card_bytes)})",
                       gib(result.capacity_bytes))]),
             f"largest context at batch {args.batch}: {result.max_context:,} tokens"
             + (" (the model's own limit)" if result.model_context and result.max_context == result.model_context
                else ""),
             f"largest batch at context {args.context:,}: {result.max_batch:,}"]
    return data, "\n".join(lines)


def cmd_roofline(args):
    arch = _load_model(args)
    gpu = accelerator(args.gpu)
    fmt = weight_format(args.format)
    kv = kv_format(args.kv_format)
    result = roofline(arch, fmt, kv, gpu, args.batch, args.prompt, args.context, args.gpus)
    turn = compute_bound_batch(arch, fmt, kv, gpu, result.context)
    memory = fitting.fit(arch, fmt, kv, gpu, args.gpus, result.context, args.batch)
    data = {"model": _model_json(arch), "gpu": gpu.id, "gpus": args.gpus, **asdict(result), "ttft_s": result.ttft_s,
            "tpot_s": result.tpot_s, "tokens_per_s": result.tokens_per_s, "compute_bound_batch": turn,
            "fits": memory.fits}
    where = gpu.name if args.gpus == 1 else f"{args.gpus} x {gpu.name} (ideal tensor parallel)"
    lines = [] if memory.fits else [
        f"NOT REACHABLE: does not fit in {memory.memory_utilization:.0%} of the memory of {where} "
        f"({gib(-memory.free_bytes)} short per GPU); the bounds are for a machine with the memory"]
    lines += [f"{arch.name}, {fmt.label} on {where} ({result.compute_used} peak "
             f"{result.peak_flops_s / 1e12:,.1f} TFLOP/s, {result.bandwidth_bytes_s / 1e9:,.0f} GB/s; "
             f"ridge {result.ridge_point:,.1f} FLOP/byte)"]
    if result.note:
        lines.append(f"note: {result.note}")
    for label, step in (("prefill", result.prefill), ("decode", result.decode)):
        lines.append(f"{label}: {step.flops:.3e} FLOP, {step.bytes:.3e} bytes, intensity {step.intensity:,.1f} "
                     f"FLOP/byte, {step.bound}-bound, >= {step.time_s * 1e3:,.3f} ms")
    lines.append(f"lower bounds: time to first token {result.ttft_s * 1e3:,.2f} ms, "
                 f"time per output token {result.tpot_s * 1e3:,.3f} ms, at most {result.tokens_per_s:,.1f} tokens/s")
    lines.append("decode turns compute-bound at batch " + (f"{turn:,}" if turn else "(never, up to 1,048,576)"))
    return data, "\n".join(lines)


def cmd_speculative(args):
    result = speculative_decoding(args.acceptance, args.draft_tokens, args.draft_cost)
    text = (f"expected tokens per target step: {result.expected_tokens_per_step:.3f}; "
            f"speedup: {result.speedup:.3f}x")
    return asdict(result), text


def cmd_training(args):
    arch = _load_model(args)
    result = training_memory(arch, args.method, args.sequence, args.batch, args.optimizer, args.lora_rank,
                             not args.no_checkpointing)
    data = {"model": _model_json(arch), **asdict(result), "total": result.total}
    lines = [f"{arch.name}, {result.method}: {result.trainable_params:,} trainable parameters",
             *_table([("weights", gib(result.weights)), ("gradients", gib(result.gradients)),
                      ("optimizer states", gib(result.optimizer_states)),
                      ("fp32 master weights", gib(result.master_weights)),
                      ("activations (estimate)", gib(result.activations)),
                      ("logits (estimate)", gib(result.logits)), ("total", gib(result.total))])]
    return data, "\n".join(lines)


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
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


def cmd_wizard(args):
    from . import wizard, wizard_text

    arch = _load_model(args)
    model_ref = PRESETS[args.model].hf_repo if args.model else "./" + os.path.basename(
        os.path.dirname(os.path.abspath(args.config)))
    inputs = wizard.make_inputs(args.goal, accelerator(args.gpu), args.gpus, arch, args.context, args.concurrency,
                                args.priority, model_ref)
    data = wizard.recommend(inputs, None if args.no_evidence else _load_evidence(args.evidence))
    return data, wizard_text.text(data)


def cmd_models(args):
    rows, data = [], []
    for preset_id, p in PRESETS.items():
        arch = p.architecture
        params = weight_bytes(arch, weight_format("bf16")).params
        data.append({"id": preset_id, "name": p.name, "hf_repo": p.hf_repo, "params": params,
                     "config_source": p.config_source})
        rows.append((preset_id, p.name, f"{params / 1e9:,.2f}B"))
    return {"models": data}, "\n".join(_table(rows))


def cmd_formats(args):
    weights = [{"id": f.id, "label": f.label, "family": f.family, "bits_per_weight_4096x4096": f.nominal_bits,
                "quantized_parts": sorted(f.quantized_parts), "source": f.source} for f in WEIGHT_FORMATS.values()]
    kv = [{"id": f.id, "label": f.label, "bits": f.bits, "source": f.source} for f in KV_FORMATS.values()]
    rows = [(f["id"], f["label"], f"{f['bits_per_weight_4096x4096']:.3f} bits") for f in weights]
    rows += [(f"kv: {f['id']}", f["label"], f"{f['bits']} bits") for f in kv]
    return {"weight_formats": weights, "kv_formats": kv}, "\n".join(_table(rows))


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
    return {"gpus": data}, "\n".join(_table(rows))


def _table(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m calculators", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="print one JSON object")
        sub.set_defaults(handler=handler)
        return sub

    sub = command("weights", cmd_weights, "weight memory of a model in a format")
    _add_model(sub)
    sub.add_argument("--format", default="bf16", help="weight format id (see `formats`)")

    sub = command("kv", cmd_kv, "KV-cache memory")
    _add_model(sub)
    sub.add_argument("--context", type=_tokens, default=4096, help="tokens per sequence (131072 or 128k)")
    sub.add_argument("--batch", type=_whole, default=1, help="concurrent sequences")
    sub.add_argument("--kv-format", default="bf16", help="KV-cache format id")
    sub.add_argument("--block-size", type=_whole, default=0, help="paged-attention block size (0: no paging)")
    sub.add_argument("--engine", default="vllm", help="whose reading of an ambiguous sliding window: vllm or llama.cpp")

    sub = command("fit", cmd_fit, "will it fit on N GPUs (tensor parallel)")
    _add_model(sub)
    sub.add_argument("--format", default="bf16")
    sub.add_argument("--kv-format", default="bf16")
    sub.add_argument("--gpu", default="h100-sxm", help="GPU id (see `gpus`)")
    sub.add_argument("--gpus", type=_whole, default=1, help="number of GPUs")
    sub.add_argument("--context", type=_tokens, default=4096)
    sub.add_argument("--batch", type=_whole, default=1)
    sub.add_argument("--block-size", type=_whole, default=0)
    sub.add_argument("--prefill-chunk", type=_whole, default=fitting.DEFAULT_PREFILL_CHUNK,
                     help="prompt tokens per forward pass (0: every prompt at once)")
    sub.add_argument("--memory-share", type=_share, default=fitting.DEFAULT_MEMORY_UTILIZATION,
                     help="share of each GPU's memory the engine may use, 0.9 or 90%% (vLLM's "
                          "--gpu-memory-utilization, 0.9 by default)")

    sub = command("roofline", cmd_roofline, "arithmetic intensity and roofline time bounds")
    _add_model(sub)
    sub.add_argument("--format", default="bf16")
    sub.add_argument("--kv-format", default="bf16")
    sub.add_argument("--gpu", default="h100-sxm")
    sub.add_argument("--batch", type=_whole, default=1)
    sub.add_argument("--prompt", type=_tokens, default=512, help="prompt tokens per sequence")
    sub.add_argument("--gpus", type=_whole, default=1, help="number of GPUs (tensor parallel, ideal split)")
    sub.add_argument("--context", type=_tokens, default=None, help="tokens cached at decode (default: the prompt)")

    sub = command("speculative", cmd_speculative, "speculative decoding: expected tokens and speedup")
    sub.add_argument("--acceptance", type=_number, required=True, help="per-token acceptance rate in [0, 1]")
    sub.add_argument("--draft-tokens", type=_whole, required=True, help="tokens the draft proposes per step")
    sub.add_argument("--draft-cost", type=_number, required=True, help="draft step time / target step time")

    sub = command("training", cmd_training, "training memory: full fine-tuning, LoRA, QLoRA")
    _add_model(sub)
    sub.add_argument("--method", default="full", choices=METHODS)
    sub.add_argument("--optimizer", default="adamw", choices=tuple(OPTIMIZER_BYTES))
    sub.add_argument("--sequence", type=_tokens, default=2048)
    sub.add_argument("--batch", type=_whole, default=1)
    sub.add_argument("--lora-rank", type=_whole, default=16)
    sub.add_argument("--no-checkpointing", action="store_true", help="keep every layer's activations")

    sub = command("wizard", cmd_wizard, "which quantization method: ranked, checked, with evidence")
    sub.add_argument("--goal", required=True, choices=("serve", "finetune", "local"))
    sub.add_argument("--gpu", required=True, help="accelerator id (see `gpus`: GPUs, CPUs and Apple chips)")
    sub.add_argument("--gpus", type=_whole, default=1, help="how many of them (tensor parallel)")
    _add_model(sub)
    sub.add_argument("--context", type=_tokens, default=4096, help="tokens per sequence (fine-tuning: sequence "
                                                                  "length)")
    sub.add_argument("--concurrency", type=_whole, default=1, help="concurrent sequences (fine-tuning: "
                                                                   "micro-batch)")
    sub.add_argument("--priority", default="latency", choices=("latency", "throughput", "quality", "memory"))
    sub.add_argument("--evidence", help="an evidence summary JSON (default: the records in gpu_runs/)")
    sub.add_argument("--no-evidence", action="store_true", help="published figures only")

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
