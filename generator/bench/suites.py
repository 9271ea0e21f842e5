"""Suites: named lists of bench items, the most valuable first, each measured by its runner.

One registry, as the methods have: a suite names its runner (whole models, single layers, trained
reference models) and builds its items; `python -m generator bench --suite NAME` and the GPU plan
(generator.bench.plan) read nothing else. The GPU suites are listed in the order the GPU plan runs
them, most valuable first: whole-model decode of the Llama-3.1-8B shape at batch 1 for each distinct
kernel, then batch 8 and 32, then the kernel sweep, long context, the 70B-class model, the rest.
"""

from dataclasses import dataclass, field
from typing import Callable

from . import finetune, kernels, methods, quality, whole_model
from .methods import Bnb4bit, BnbInt8, Fp8, Int4WeightOnly, Int8WeightOnly, SmoothQuant
from .models import model_spec
from .runner import Runner
from .whole_model import BenchItem, Workload


@dataclass
class SuiteOptions:
    """What a suite's items may depend on: the device, a user's models, the training budget, a log."""

    device: object = "cpu"
    models: list | None = None  # ModelSpecs to measure instead of the suite's own (--model)
    train_budget_s: float | None = None
    log: Callable = print
    problems: list = field(default_factory=list)  # what kept items from being made (a size that failed to train)


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    runner: Runner
    items: Callable[[SuiteOptions], list]
    gpu: bool = False  # part of the GPU plan
    accepts_models: bool = False  # --model replaces its models
    notes: tuple = ()  # how the suite's measurements are to be read, copied into its records' run.notes

    @property
    def trains_models(self) -> bool:
        """Its items exist only once the reference models are trained (or found in the cache): --budget-s is
        training seconds per size, not a budget for the items."""
        return self.runner.name in ("quality", "finetune")


REFERENCE = methods.REFERENCE
# One config per distinct kernel, most asked-about first. GPTQ and AWQ run on int4 RTN's module and kernel,
# nf4 with double quantization and fp4 on nf4's; fp16 answers nothing bf16 does not on these GPUs.
DISTINCT_KERNELS = (REFERENCE, Int4WeightOnly(), Int8WeightOnly("dequant-matmul"), Fp8("w8a8-dynamic"),
                    Fp8("weight-only"), SmoothQuant(), Bnb4bit("nf4"), BnbInt8())
SAME_KERNEL_VARIANTS = (Bnb4bit("nf4", double_quant=True), Bnb4bit("fp4"), Int8WeightOnly("int8pack-mm"))
CALIBRATED_INT4 = tuple(config for config in methods.standard_configs() if config.speed_of is not None)
GPU_REPEATS = 5
# The CPU kernel sweep tests the code path at a decode-sized and a prefill-sized token count; nobody reads its
# CPU timings.
SMOKE_KERNEL_TOKENS = (1, 64)
DECODE_PROMPT, DECODE_NEW_TOKENS = 512, 32


def _smoke_items(options: SuiteOptions) -> list:
    # Small enough for a CPU test run; 8 new tokens are enough to time decode.
    workload = Workload(batch=1, prompt_tokens=32, new_tokens=8)
    return [BenchItem(model, config, workload, repeats=5)
            for model in options.models or [model_spec("tiny-llama")] for config in methods.standard_configs()]


def _decode_items(batches: tuple, models: tuple = ("llama-3.1-8b",)):
    """Each distinct kernel at each batch. Every method's decode step is also replayed from a CUDA graph (no
    launch overhead); torch.compile (a minute or so each) is spent on bf16, the reference every speedup is
    taken against, and on the kernels that are fast only compiled (their eager path is an unfused reference)."""
    def items(options: SuiteOptions) -> list:
        specs = options.models or [model_spec(model) for model in models]
        return [BenchItem(spec, config, Workload(batch, DECODE_PROMPT, DECODE_NEW_TOKENS), GPU_REPEATS,
                          compiled=config == REFERENCE or config.compiled_only)
                for batch in batches for spec in specs for config in DISTINCT_KERNELS]
    return items


def _long_context_items(options: SuiteOptions) -> list:
    spec = model_spec("llama-3.1-8b")
    return [BenchItem(spec, config, Workload(1, prompt, DECODE_NEW_TOKENS), GPU_REPEATS)
            for prompt in (8192, 32768) for config in (REFERENCE, Int4WeightOnly(), Fp8("w8a8-dynamic"))]


def _streamed_items(options: SuiteOptions) -> list:
    spec = model_spec("llama-3.1-70b")
    return [BenchItem(spec, config, Workload(1, DECODE_PROMPT, DECODE_NEW_TOKENS), GPU_REPEATS, streamed=True)
            for config in (Int4WeightOnly(), Bnb4bit("nf4"))]


def _more_speed_items(options: SuiteOptions) -> list:
    eight_b, one_b = model_spec("llama-3.1-8b"), model_spec("llama-3.2-1b")
    items = [BenchItem(eight_b, config, Workload(1, DECODE_PROMPT, DECODE_NEW_TOKENS), GPU_REPEATS,
                       compiled=config.compiled_only) for config in SAME_KERNEL_VARIANTS]
    items += [BenchItem(one_b, config, Workload(batch, DECODE_PROMPT, DECODE_NEW_TOKENS), GPU_REPEATS,
                        compiled=config == REFERENCE or config.compiled_only)
              for batch in (1, 8, 32) for config in DISTINCT_KERNELS]
    # GPTQ and AWQ: their speed is int4 RTN's; what is theirs is the quantization time (minutes on 8B).
    items += [BenchItem(eight_b, config, Workload(1, DECODE_PROMPT, DECODE_NEW_TOKENS), time_speed=False)
              for config in CALIBRATED_INT4]
    return items


def _kernel_items(source_id: str, batches: tuple | None, repeats: int, configs=None):
    def items(options: SuiteOptions) -> list:
        return kernels.kernel_items(kernels.one_layer_spec(source_id), batches, repeats, configs)
    return items


def _quality_items(sizes: tuple, default_budget_s: float):
    def items(options: SuiteOptions) -> list:
        from .reference import corpus
        from .reference.tokenizer import TokenizedCorpus

        try:
            data = TokenizedCorpus(corpus.load_corpus())
        except corpus.CorpusMissing as missing:
            options.problems.append(str(missing))
            return []
        made, failed = quality.quality_items(options.device, sizes, options.train_budget_s or default_budget_s,
                                             data, log=options.log)
        options.problems += [f"the {size} reference model could not be trained" for size in failed]
        return made
    return items


def _finetune_items(sizes: tuple, default_budget_s: float, steps: dict):
    def items(options: SuiteOptions) -> list:
        from .reference import corpus, domain
        from .reference.tokenizer import TokenizedCorpus

        try:
            data = TokenizedCorpus(corpus.load_corpus())
            held_out = domain.load_domain(data)
        except corpus.CorpusMissing as missing:
            options.problems.append(str(missing))
            return []
        made, failed = finetune.finetune_items(options.device, sizes, options.train_budget_s or default_budget_s,
                                               data, held_out, steps, log=options.log)
        options.problems += [f"the {size} reference model could not be trained" for size in failed]
        return made
    return items


# Steps of fine-tuning per reference size: on one CPU thread about 0.1 s (tiny) and 0.4 s (small) a step of 8 x 256
# tokens, so that each size's four runs take minutes.
FINETUNE_STEPS_CPU = {"tiny": 200, "small": 80}
FINETUNE_STEPS_GPU = {"small": 300, "medium": 300, "large": 300}
FINETUNE_NOTES = (
    "Fine-tuning on a held-out domain (Debian package debian-handbook, English pages): each run in a fresh process; "
    "on the CPU with one torch thread (generator.bench.finetune.CPU_THREADS), so step times are single-core ones.",
    "Memory on the CPU is the process' resident set: train_peak_rss_bytes is its peak over the training steps "
    "(VmHWM, reset just before the first step), train_rss_baseline_bytes the resident set just before the model "
    "was loaded (Python, torch, the data). Their difference is set against `python -m calculators training` "
    "(same model, method, rank, batch and sequence; AdamW; no activation checkpointing; fused attention) by "
    "generator.records.analysis.training_memory_checks. It is not the bytes of live tensors: the C allocator keeps "
    "freed memory resident, so a CPU figure bounds what training needs from above and does not calibrate the "
    "calculator; CUDA's max_memory_allocated does.",
)

SUITES = {suite.name: suite for suite in (
    Suite("smoke", "every registered method on the tiny random llama; seconds on a CPU", whole_model.RUNNER,
          _smoke_items, accepts_models=True),
    Suite("kernels-smoke", "the kernel sweep on the tiny llama's layer shapes at 1 and 64 tokens (CPU test)",
          kernels.RUNNER, _kernel_items("tiny-llama", SMOKE_KERNEL_TOKENS, 3)),
    Suite("quality-cpu", "reference llamas trained here (tiny, small, medium; checkpoints cached), every method: "
          "test perplexity, KL and top-1 against bf16; --budget-s is training seconds per size (default 3000: "
          "enough for each size's token budget on 2 cores, so the schedule, not the clock, sets the steps)",
          quality.RUNNER, _quality_items(("tiny", "small", "medium"), 3000.0)),
    Suite("qlora-cpu", "fine-tuning on a held-out domain (the Debian Administrator's Handbook): QLoRA (NF4 with and "
          "without double quantization), LoRA on bf16 and full fine-tuning of the tiny and small reference llamas "
          f"({FINETUNE_STEPS_CPU['tiny']} and {FINETUNE_STEPS_CPU['small']} steps of 8 x 256 tokens), peak memory, "
          "step time, losses on the new domain and the original test split, QLoRA merged and re-quantized; "
          "--budget-s is training seconds per reference size when it is not cached (default 3000)",
          finetune.RUNNER, _finetune_items(("tiny", "small"), 3000.0, FINETUNE_STEPS_CPU), notes=FINETUNE_NOTES),
    Suite("gpu-decode", "Llama-3.1-8B shape (random-init), each distinct kernel, batch 1: generate, CUDA-graph "
          "and torch.compile decode, memory", whole_model.RUNNER, _decode_items((1,)), gpu=True,
          accepts_models=True),
    Suite("gpu-decode-batched", "the same at batch 8 and 32", whole_model.RUNNER, _decode_items((8, 32)),
          gpu=True, accepts_models=True),
    Suite("gpu-kernels", "one linear layer at Llama-3.1-8B's q_proj, gate_proj and down_proj shapes, each "
          "distinct kernel, 1 to 256 tokens, weights rotated through more than the L2 cache",
          kernels.RUNNER, _kernel_items("llama-3.1-8b", None, GPU_REPEATS,
                                        DISTINCT_KERNELS + (Int8WeightOnly("int8pack-mm"),)), gpu=True),
    Suite("gpu-long-context", "Llama-3.1-8B at 8k and 32k prompt tokens, three methods: KV-cache bytes and "
          "decode speed against context", whole_model.RUNNER, _long_context_items, gpu=True),
    Suite("gpu-70b", "Llama-3.1-70B shape in 4 bits, built and quantized layer by layer (bf16 never whole)",
          whole_model.RUNNER, _streamed_items, gpu=True),
    Suite("gpu-speed-more", "the same-kernel variants on 8B, Llama-3.2-1B at batch 1/8/32, GPTQ and AWQ "
          "quantization time on 8B", whole_model.RUNNER, _more_speed_items, gpu=True),
    Suite("gpu-quality", "the quality suite on the GPU: small, medium and large reference llamas; --budget-s "
          "is training seconds per size (default 120)", quality.RUNNER, _quality_items(("small", "medium", "large"),
                                                                                        120.0), gpu=True),
    Suite("gpu-qlora", "the fine-tuning suite on the GPU: small, medium and large reference llamas trained there "
          f"(--budget-s seconds each, default 120), {FINETUNE_STEPS_GPU['large']} steps each way",
          finetune.RUNNER, _finetune_items(("small", "medium", "large"), 120.0, FINETUNE_STEPS_GPU), gpu=True,
          notes=FINETUNE_NOTES[:1]),
)}
GPU_SUITES = tuple(name for name, suite in SUITES.items() if suite.gpu)


def gpu_suites() -> tuple:
    """The GPU suites in plan order, those a plugin registered (LQFG_BENCH_PLUGINS) included."""
    return tuple(name for name, suite in SUITES.items() if suite.gpu)
