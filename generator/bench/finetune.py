"""The fine-tuning suites: QLoRA on the reference models, against LoRA on a bf16 base and full fine-tuning,
then merging and re-quantizing the QLoRA adapters.

Each item fine-tunes one trained reference model (reference.train) one way on a held-out domain the
base never saw (reference.domain: the Debian Administrator's Handbook) and measures:

    trainable_params              parameters the optimizer updates
    train_step_ms                 median step time (forward, backward, clipping, AdamW), warm-up steps excluded
    train_peak_*                  peak memory over the training steps (see below)
    domain_loss, original_loss    mean next-token loss (nats) after fine-tuning on the domain's held-out pages
                                  and on the base corpus' test split: how much it learned, how much it forgot
    domain_loss_base, original_loss_base   the same for the base before fine-tuning (for QLoRA: the NF4 base)

and, for QLoRA, what merging does: the NF4 base dequantized to bf16 plus the LoRA update (merged_*), and
that merged model quantized to NF4 again with the same settings (requantized_*), each as its domain loss
and its KL divergence and top-1 agreement against the un-merged QLoRA model on the same positions.

Methods (FinetuneConfig.method):
    qlora   the base's block linears in bitsandbytes NF4 (double quantization on or off), frozen; LoRA
            adapters in fp32 on every block linear (Dettmers et al. 2023, arXiv 2305.14314)
    lora    the same adapters on a frozen bf16 base (Hu et al. 2021, arXiv 2106.09685)
    full    every parameter trained: fp32 weights under bf16 autocast, as the base was trained; AdamW states
            fp32 (4 + 4 + 8 = 16 bytes a parameter, the calculators' 2 + 2 + 4 + 8 of mixed precision)
Every method trains with AdamW (betas 0.9, 0.999, no weight decay), a linear warm-up over the first 5% of
the steps then a constant rate (QLoRA's schedule), gradient clipping at 1.0, random 256-token windows of
the domain's train split, losses in fp32 from bf16-autocast logits (reference.train.next_token_loss).

Memory: each item runs in a fresh process (spawned), so that nothing an earlier item allocated is in its
measurement. On CUDA, torch.cuda.max_memory_allocated and max_memory_reserved over the training steps
(the model's weights included: the process allocated nothing before them). On the CPU, the process'
peak resident set (VmHWM, reset through /proc/self/clear_refs just before the first step) and its
resident set just before the model was loaded: the peak less that baseline is what training added to
the Python and torch runtime, the figure set against `python -m calculators training`
(generator.records.analysis.training_memory_checks).

Scoring: every loss and KL is over the second half of each 256-token window, as the quality suite scores
(quality.scored_slice).
"""

import concurrent.futures
import json
import math
import multiprocessing
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F

from ..records import result_key
from . import lora, quality
from .measure import synchronize
from .models import weight_bytes_in_memory
from .reference import train as train_module
from .runner import Measurement, Runner

MODEL_KIND = "reference-trained"
WARMUP_STEPS = 2  # steps left out of the step time (first-call allocations, kernel selection)
EVAL_SEQUENCES = 32  # 256-token windows of each evaluation set
EVAL_BATCH = 8
# Torch threads of a fine-tuning process on the CPU. One: on a machine whose cores other jobs share, two OpenMP
# threads that wait for each other made a step of the tiny model 8 times slower than on idle cores (1.27 s
# against 0.16 s), and one thread times the same work whatever else runs.
CPU_THREADS = 1
CUDA_ONLY = ("train_peak_allocated_bytes", "train_peak_reserved_bytes")
CPU_ONLY = ("train_peak_rss_bytes", "train_rss_baseline_bytes", "train_rss_before_steps_bytes")
# Adapters take larger steps than full fine-tuning (they start from zero, and only they move); for models
# this small both are above the 2e-4 QLoRA used on 7B to 65B models (arXiv 2305.14314, appendix B.2).
LORA_LEARNING_RATE, FULL_LEARNING_RATE = 2e-3, 3e-4
MERGE_METRICS = ("merged_domain_loss", "merged_kl_divergence", "merged_top1_agreement", "requantized_domain_loss",
                 "requantized_kl_divergence", "requantized_top1_agreement")


@dataclass(frozen=True)
class FinetuneConfig:
    method: str  # "qlora", "lora" or "full"
    steps: int
    batch: int = 8  # sequences of 256 tokens per step
    learning_rate: float = 1e-3
    quant_type: str = "nf4"  # qlora: the base's 4-bit format
    double_quant: bool = True  # qlora: the block absmax re-quantized to 8 bits (QLoRA section 3)
    rank: int = 16
    alpha: float = 32.0
    targets: tuple = lora.ALL_BLOCK_LINEARS
    warmup_fraction: float = 0.05
    clip: float = 1.0
    seed: int = 0

    def __post_init__(self):
        if self.method not in ("qlora", "lora", "full"):
            raise ValueError(f"method must be qlora, lora or full, not {self.method!r}")
        if self.steps <= WARMUP_STEPS:
            raise ValueError(f"steps must be more than the {WARMUP_STEPS} warm-up steps, not {self.steps}")
        if self.quant_type not in ("nf4", "fp4"):
            raise ValueError(f"quant_type must be nf4 or fp4, not {self.quant_type!r}")

    @property
    def adapters(self) -> bool:
        return self.method != "full"

    @property
    def weight_format(self) -> str:
        """The calculators weight format of the frozen base (full: the trained fp32 weights)."""
        if self.method == "qlora":
            return self.quant_type + ("-dq" if self.double_quant else "")
        return "bf16" if self.method == "lora" else "fp32"

    @property
    def label(self) -> str:
        if self.method == "qlora":
            return f"QLoRA {self.quant_type}{'+dq' if self.double_quant else ''} r{self.rank}"
        return f"LoRA bf16 r{self.rank}" if self.method == "lora" else "full fine-tuning"

    @property
    def kernel(self) -> str:
        base = {"qlora": f"bitsandbytes Linear4bit ({self.quant_type} dequantized to bf16 per call)",
                "lora": "F.linear in bf16", "full": "F.linear under bf16 autocast (fp32 weights)"}[self.method]
        return base + (" plus two F.linear of the fp32 adapters under bf16 autocast" if self.adapters else "")

    def to_record(self, domain_source: dict, model_config: dict) -> dict:
        """The record's method: these settings, the optimizer, the domain's package, version and licence, and
        the base's transformers config (the shape `python -m calculators training` is given)."""
        config = asdict(self)
        config["targets"] = list(self.targets)
        if not self.adapters:
            for name in ("quant_type", "double_quant", "rank", "alpha", "targets"):
                config.pop(name)
        elif self.method == "lora":
            config.pop("quant_type")
            config.pop("double_quant")
        config.update(optimizer="adamw", betas=[0.9, 0.999], weight_decay=0.0,
                      schedule="linear warm-up, then constant", domain=dict(domain_source),
                      model_config=dict(model_config))
        return {"id": f"finetune-{self.method}", "version": 1, "config": config, "weight_format": self.weight_format,
                "label": self.label, "kernel": self.kernel}


def standard_finetunes(steps: int, batch: int = 8) -> list:
    """QLoRA with and without double quantization, LoRA on bf16, full fine-tuning: the same steps and data.
    Full fine-tuning takes a smaller step, as every weight moves."""
    return [FinetuneConfig("qlora", steps, batch, LORA_LEARNING_RATE, double_quant=True),
            FinetuneConfig("qlora", steps, batch, LORA_LEARNING_RATE, double_quant=False),
            FinetuneConfig("lora", steps, batch, LORA_LEARNING_RATE),
            FinetuneConfig("full", steps, batch, FULL_LEARNING_RATE)]


@dataclass(frozen=True)
class FinetuneItem:
    trained: train_module.TrainedModel
    config: FinetuneConfig
    domain_train: torch.Tensor  # int32 ids of the domain's train split
    domain_eval: torch.Tensor  # windows of the domain's held-out pages (count x 256)
    original_eval: torch.Tensor  # windows of the base corpus' test split
    domain_source: dict = field(hash=False)

    def skeleton(self) -> dict:
        return {"model": {"id": self.trained.model_id, "kind": MODEL_KIND, "params": self.trained.params,
                          "training": quality.training_record(self.trained)},
                "method": self.config.to_record(self.domain_source, model_config(self.trained)),
                "workload": {"batch": self.config.batch, "prompt_tokens": train_module.CONTEXT, "new_tokens": 0}}

    @property
    def key(self) -> str:
        return result_key(self.skeleton())

    @property
    def label(self) -> str:
        return f"{self.config.label} on {self.trained.model_id}, {self.config.steps} steps"


def measure_finetune(item: FinetuneItem, device) -> dict:
    """One record result; the fine-tuning runs in a process of its own, and its failure is the status."""
    m = Measurement(item.label, device)
    on_cuda = torch.device(device).type == "cuda"
    m.miss(CPU_ONLY if on_cuda else CUDA_ONLY, "measured on CUDA: allocated and reserved peaks instead" if on_cuda
           else "CUDA only; on the CPU the process' resident memory is measured")
    if not item.config.method == "qlora":
        m.miss(MERGE_METRICS, "merging and re-quantizing are measured for QLoRA only")
    with m.guard():
        job = _Job(str(item.trained.path), item.config, str(device), item.domain_train, item.domain_eval,
                   item.original_eval)
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=_job_context(on_cuda)) as pool:
            measured = pool.submit(run_job, job).result()
        m.metrics.update(measured["metrics"])
        m.missing.update({name: reason for name, reason in measured["missing"].items() if name not in m.metrics})
        m.spread.update(measured["spread"])
        m.repeats = measured["repeats"]
    skeleton = item.skeleton()
    return m.result(skeleton["model"], skeleton["method"], skeleton["workload"])


def _job_context(on_cuda: bool):
    """Spawn on CUDA: a process forked after its parent touched the CUDA driver cannot use the GPU. On the CPU
    each job is forked from a server process that imported torch, transformers' llama and bitsandbytes once
    (seconds a spawned job spent importing them again)."""
    if on_cuda:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["torch", "transformers.models.llama.modeling_llama", "bitsandbytes",
                                    __name__])
    return context


RUNNER = Runner("finetune", measure=lambda item, device, state: measure_finetune(item, device))


# -- in the fine-tuning process --------------------------------------------------------------------

@dataclass(frozen=True)
class _Job:
    model_path: str
    config: FinetuneConfig
    device: str
    domain_train: torch.Tensor
    domain_eval: torch.Tensor
    original_eval: torch.Tensor


def run_job(job: _Job) -> dict:
    """Build, fine-tune and evaluate in this process; {"metrics", "missing", "spread", "repeats"}."""
    from transformers import LlamaForCausalLM

    from .methods import Bnb4bit
    from .methods._bitsandbytes import quantize_with_bnb_config
    from .methods.bnb_4bit import transformers_config

    config, device = job.config, torch.device(job.device)
    on_cuda = device.type == "cuda"
    if not on_cuda:
        torch.set_num_threads(CPU_THREADS)
    metrics, missing = {}, {}
    torch.manual_seed(config.seed)

    def quantize(model):
        quantize_with_bnb_config(model, transformers_config(Bnb4bit(config.quant_type, config.double_quant)), device)
        lora.keep_4bit_layout(model)  # evaluated as trained: dequantize, then multiply

    if not on_cuda:
        metrics["train_rss_baseline_bytes"] = _status_bytes("VmRSS")
    if config.method == "full":
        model = LlamaForCausalLM.from_pretrained(job.model_path, dtype=torch.float32).to(device)
        model.requires_grad_(True)
    else:
        model = LlamaForCausalLM.from_pretrained(job.model_path, dtype=torch.bfloat16).to(device)
        if config.method == "qlora":
            from .methods._bitsandbytes import import_bitsandbytes

            import_bitsandbytes()  # Unsupported when it is not installed
            quantize(model)
        lora.attach_lora(model, config.rank, config.alpha, config.targets)
    model.train()
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    metrics["trainable_params"] = sum(parameter.numel() for parameter in trainable)
    metrics["weight_bytes"] = weight_bytes_in_memory(model)
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                                  fused=on_cuda)

    if on_cuda:
        synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    else:
        metrics["train_rss_before_steps_bytes"] = _status_bytes("VmRSS")
        if not _reset_peak_rss():
            missing["train_peak_rss_bytes"] = "the peak resident set could not be reset (/proc/self/clear_refs)"
    generator = torch.Generator().manual_seed(config.seed)
    warmup = max(1, round(config.steps * config.warmup_fraction))
    step_s, losses = [], []
    for step in range(config.steps):
        for group in optimizer.param_groups:
            group["lr"] = config.learning_rate * min(1.0, (step + 1) / warmup)
        batch = train_module.random_windows(job.domain_train, config.batch, generator)
        synchronize(device)
        started = time.perf_counter()
        loss = train_module.next_token_loss(model, batch, device)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, config.clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        synchronize(device)
        step_s.append(time.perf_counter() - started)
        losses.append(loss.item())
    if on_cuda:
        metrics["train_peak_allocated_bytes"] = torch.cuda.max_memory_allocated(device)
        metrics["train_peak_reserved_bytes"] = torch.cuda.max_memory_reserved(device)
    elif "train_peak_rss_bytes" not in missing:
        metrics["train_peak_rss_bytes"] = _status_bytes("VmHWM")
    timed = step_s[WARMUP_STEPS:]
    metrics["train_step_ms"] = statistics.median(timed) * 1000
    spread = {"train_step_ms": {"min": min(timed) * 1000, "max": max(timed) * 1000}}
    if not all(math.isfinite(value) for value in losses):
        raise FloatingPointError(f"the training loss became {losses[-1]} (not finite)")
    del optimizer, trainable
    model.eval()

    domain = _evaluate(model, job.domain_eval, device, keep_logits=config.method == "qlora")
    metrics["domain_loss"] = domain.loss
    metrics["original_loss"] = _evaluate(model, job.original_eval, device).loss
    if config.method == "qlora":
        lora.merge_lora(model, torch.bfloat16)
        merged = _evaluate(model, job.domain_eval, device, reference=domain.logits)
        metrics.update(merged_domain_loss=merged.loss, merged_kl_divergence=merged.kl,
                       merged_top1_agreement=merged.top1)
        quantize(model)
        requantized = _evaluate(model, job.domain_eval, device, reference=domain.logits)
        metrics.update(requantized_domain_loss=requantized.loss, requantized_kl_divergence=requantized.kl,
                       requantized_top1_agreement=requantized.top1)
    del model, domain
    # The base before fine-tuning, as the method starts from it (QLoRA: quantized the same way).
    base = LlamaForCausalLM.from_pretrained(job.model_path, dtype=torch.float32 if config.method == "full"
                                            else torch.bfloat16).to(device).eval()
    if config.method == "qlora":
        quantize(base)
    metrics["domain_loss_base"] = _evaluate(base, job.domain_eval, device).loss
    metrics["original_loss_base"] = _evaluate(base, job.original_eval, device).loss
    return {"metrics": metrics, "missing": missing, "spread": spread, "repeats": len(timed)}


@dataclass
class _Evaluation:
    loss: float
    logits: list | None = None
    kl: float | None = None
    top1: float | None = None


@torch.inference_mode()
def _evaluate(model, windows: torch.Tensor, device, keep_logits: bool = False, reference: list | None = None):
    """Mean next-token loss over the scored positions (bf16 autocast, as in training); with `reference`
    (the kept logits of another model on the same windows) the KL from it and the top-1 agreement."""
    scored = quality.scored_slice(windows.shape[1])
    targets = slice(scored.start + 1, scored.stop + 1)
    nll = positions = 0
    kept, sums = [], quality.ScoredAgreement() if reference is not None else None
    for index, start in enumerate(range(0, windows.shape[0], EVAL_BATCH)):
        ids = windows[start:start + EVAL_BATCH].to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16):
            logits = model(ids, use_cache=False).logits[:, scored].float()
        nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, targets].reshape(-1),
                               reduction="sum").item()
        positions += ids[:, targets].numel()
        if keep_logits:
            kept.append(logits)
        if sums is not None:
            sums.add(reference[index], logits)
    evaluation = _Evaluation(nll / positions, kept if keep_logits else None)
    if sums is not None:
        agreement = sums.agreement()
        evaluation.kl, evaluation.top1 = agreement.kl_divergence, agreement.top1_agreement
    return evaluation


def _status_bytes(field_name: str) -> int:
    """A size from /proc/self/status (VmRSS: resident now; VmHWM: the peak resident set), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"/proc/self/status has no {field_name} (not Linux?)")


def _reset_peak_rss() -> bool:
    """Set VmHWM to the present resident set (Linux 4.0 and later: `echo 5 > /proc/self/clear_refs`)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def model_config(trained: train_module.TrainedModel) -> dict:
    """The checkpoint's config.json, less what names the library that wrote it."""
    config = json.loads((trained.path / "config.json").read_text(encoding="utf-8"))
    return {key: value for key, value in config.items() if key not in ("transformers_version", "architectures")}


# -- items and the suite ------------------------------------------------------------------------------

def eval_windows(ids: torch.Tensor, count: int = EVAL_SEQUENCES) -> torch.Tensor:
    """Up to `count` windows spread over `ids`, as many as it holds without overlapping."""
    count = min(count, ids.numel() // train_module.CONTEXT)
    if count < 1:
        raise ValueError(f"{ids.numel()} tokens are fewer than one window of {train_module.CONTEXT}")
    return train_module.windows(ids, count)


def items_for(trained: train_module.TrainedModel, configs, data, domain, eval_sequences: int = EVAL_SEQUENCES) -> list:
    """Each config on one trained model, evaluated on up to `eval_sequences` windows of the domain's held-out
    pages (its validation and test splits: no early stopping looks at them) and of the base corpus' test split."""
    held_out = torch.cat([domain.ids["validation"], domain.ids["test"]])
    domain_eval = eval_windows(held_out, eval_sequences)
    original_eval = eval_windows(data.ids["test"], eval_sequences)
    return [FinetuneItem(trained, config, domain.ids["train"], domain_eval, original_eval, domain.source)
            for config in configs]


def finetune_items(device, sizes, budget_s: float, data, domain, steps: dict, log=print) -> tuple:
    """(items, sizes that could not be trained): each size's reference model (cached or trained within
    budget_s), fine-tuned every standard way for steps[size] steps."""
    items, failed = [], []
    for size in sizes:
        try:
            trained = quality.reference_model(size, data, device, budget_s, log)
        except Exception:  # noqa: BLE001  out of memory, say: the other sizes can still be measured
            import traceback

            print(f"error: training the {size} reference model failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            failed.append(size)
            continue
        items += items_for(trained, standard_finetunes(steps[size]), data, domain)
    return items, failed
