"""Training the reference llamas: LlamaForCausalLM at a few sizes, on the corpus' train split.

Every linear's in_features is a multiple of 128 and every out_features a multiple of 8
(hidden, MLP width, heads x head_dim, vocabulary), so tinygemm int4 with groups of 128
and the bitsandbytes layouts apply to every layer without padding. Embeddings are not
tied, as in Llama 3 8B, so lm_head is a linear of its own that the int4/int8 methods
quantize and bitsandbytes keeps in 16-bit.

Recipe (nanoGPT's and the Chinchilla-era small-model defaults): AdamW (0.9, 0.95), weight
decay 0.1 on matrices only, linear warm-up over 5% of the steps then cosine decay to 10%,
gradient clipping at 1.0, random 256-token windows of the train split. Each CPU size sees twice
the tokens of the one below it (Recipe.max_tokens; see RECIPES for why), less than one pass over
the train split, so that perplexity falls with size, which is what the quality-against-size chart
needs; data seen once cannot be memorised, so they need no dropout. The GPU size, which may make several passes, gets attention dropout
(LlamaConfig's only dropout). Weights are kept
in fp32. Where the hardware multiplies bf16 natively (CUDA; a CPU with AVX512-BF16 or AMX) the
forward and backward run under bf16 autocast, the fast, stable choice, with fp32 master weights
against bf16's lost small updates; elsewhere they run in fp32, since emulated bf16 is far slower
(training_precision; the checkpoint's training.json records which). The number of steps fixes the schedule, so a run is
reproducible for a given step count; a time budget picks the step count from a timed probe
of a few steps on a throwaway copy, and training stops early, saying so, if it overruns.

Early stopping: the validation loss is measured every Recipe.validation_every of the planned
steps; the weights with the lowest so far are kept, and training stops once it has not improved
for Recipe.patience measurements in a row. The checkpoint saved is always the best one
(TrainedModel.steps is its step; stop_reason says why training ended).

Checkpoints are a cache (`models/<tokenized corpus key>/<size>-seed<seed>-<steps>steps/`),
saved with save_pretrained in fp32, with training.json beside them.
"""

import json
import math
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import LlamaConfig, LlamaForCausalLM

from . import cache_dir
from .tokenizer import TokenizedCorpus

CONTEXT = 256
BF16_AUTOCAST = "fp32 weights, bf16 autocast"
FP32 = "fp32"


def training_precision(device) -> str:
    """BF16_AUTOCAST on CUDA and on CPUs with native bf16 arithmetic (AVX512-BF16, AMX); FP32 on the
    rest, where autocast's bf16 matmuls are emulated: a step of the tiny llama (8x256 tokens) took
    1.50 s under autocast and 0.14 s in fp32 on a 2-core AVX2 machine."""
    if torch.device(device).type == "cuda":
        return BF16_AUTOCAST
    # torch's own CPU feature probes (torch/cpu/__init__.py); a torch without them is taken to lack both
    native = [getattr(torch.cpu, probe, lambda: False)() for probe in ("_is_avx512_bf16_supported",
                                                                        "_is_amx_tile_supported")]
    return BF16_AUTOCAST if torch.device(device).type == "cpu" and any(native) else FP32

# name -> the llama's shape; parameter counts at vocabulary 8192 (untied embeddings).
SIZES = {
    "tiny": dict(hidden_size=128, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
                 intermediate_size=256),  # 2.4M: tests (1.3M at a 1024-token vocabulary)
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                  intermediate_size=768),  # 7.3M: trains on 2 CPU cores in minutes
    "medium": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=6, num_key_value_heads=2,
                   intermediate_size=1024),  # 15.7M: its 2.5M training tokens take 2 CPU cores about 10 minutes
    "large": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=4,
                  intermediate_size=2048),  # 88M: for the GPU
}


@dataclass(frozen=True)
class Recipe:
    batch: int  # sequences of CONTEXT tokens per step
    learning_rate: float
    max_epochs: float = 1.0  # passes over the train split at most: repeated data is what the models overfit
    max_tokens: int | None = None  # training tokens at most (the CPU sizes: the same for each, see above)
    dropout: float = 0.0  # LlamaConfig.attention_dropout
    validation_every: float = 0.05  # of the planned steps, between validation measurements
    patience: int = 3  # measurements without a new best before training stops
    warmup_fraction: float = 0.05
    final_lr_fraction: float = 0.1
    weight_decay: float = 0.1
    clip: float = 1.0


# Training tokens double with each CPU size (as compute-optimal training scales tokens with parameters,
# Hoffmann et al. 2022, arXiv:2203.15556), at one batch size, so the steps double too: so few tokens
# leave the CPU sizes short of steps rather than of capacity, and at equal steps the larger model did
# not pull ahead. Measured on this corpus (validation loss after 2.5M tokens each): tiny at batch 8 and
# 3e-3 4.66, small and medium at batch 16 and 2e-3 and 1.5e-3 4.91 and 4.81; at batch 8 and 1.5e-3
# small and medium were equal at every step (4.76 at step 976 of 1220); at batch 16 and 2e-3 tiny led
# small from step 120 on. Smaller models take larger steps (as in the GPT-3 and Chinchilla tables).
# Tiny, small and medium take about 0.5, 2.5 and 10 minutes on 2 idle CPU cores (34k, 8.8k, 4k tokens/s).
RECIPES = {"tiny": Recipe(batch=16, learning_rate=3e-3, max_tokens=625_000),
           "small": Recipe(batch=16, learning_rate=2e-3, max_tokens=1_250_000),
           "medium": Recipe(batch=16, learning_rate=1.5e-3, max_tokens=2_500_000),
           "large": Recipe(batch=32, learning_rate=6e-4, max_epochs=4.0, dropout=0.1)}


def llama_config(size: str, vocab_size: int, dropout: float = 0.0) -> LlamaConfig:
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    shape = SIZES[size]
    return LlamaConfig(vocab_size=vocab_size, max_position_embeddings=CONTEXT, tie_word_embeddings=False,
                       head_dim=shape["hidden_size"] // shape["num_attention_heads"], rms_norm_eps=1e-5,
                       rope_theta=10000.0, bos_token_id=None, eos_token_id=None, pad_token_id=None,
                       attention_dropout=dropout, **shape)


@dataclass(frozen=True)
class TrainedModel:
    size: str
    path: Path  # the save_pretrained folder
    steps: int  # of the checkpoint kept (the best on validation)
    tokens: int  # training tokens the checkpoint has seen (steps x batch x CONTEXT)
    train_s: float
    params: int
    validation_loss_start: float  # nats per token, before the first step
    validation_loss: float  # of the checkpoint kept
    stopped_early: bool  # the budget ran out before the planned steps
    precision: str
    recipe: dict
    planned_steps: int | None = None  # the schedule's length (None: checkpoints from before early stopping)
    steps_run: int | None = None  # steps taken before training ended
    stop_reason: str = "schedule finished"  # or "time budget ran out", "validation loss stopped improving"
    sources: tuple = ()  # the corpus' Debian packages: {"package", "version", "licence", "documents"} each

    @property
    def model_id(self) -> str:
        return f"pydocs-llama-{self.path.name}"  # size, seed and steps: one id per checkpoint

    def load(self, device, dtype=torch.bfloat16):
        model = LlamaForCausalLM.from_pretrained(self.path, dtype=dtype)
        return model.to(device).eval().requires_grad_(False)


def windows(ids: torch.Tensor, count: int, length: int = CONTEXT) -> torch.Tensor:
    """`count` windows of `length` tokens spread evenly over `ids` (count x length, int64)."""
    if ids.numel() < count * length:
        raise ValueError(f"{ids.numel()} tokens cannot give {count} windows of {length}")
    starts = torch.linspace(0, ids.numel() - length, count).long()
    return torch.stack([ids[start:start + length] for start in starts.tolist()]).long()


def random_windows(ids: torch.Tensor, count: int, generator: torch.Generator, length: int = CONTEXT + 1):
    starts = torch.randint(0, ids.numel() - length + 1, (count,), generator=generator)
    return torch.stack([ids[start:start + length] for start in starts.tolist()]).long()


def next_token_loss(model, batch: torch.Tensor, device, precision: str = BF16_AUTOCAST) -> torch.Tensor:
    """Mean cross-entropy of predicting batch[:, 1:] from batch[:, :-1], under bf16 autocast unless
    `precision` is FP32."""
    batch = batch.to(device)
    with torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=precision == BF16_AUTOCAST):
        logits = model(batch[:, :-1], use_cache=False).logits
    return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))


@torch.no_grad()
def validation_loss(model, ids: torch.Tensor, device, sequences: int = 32, batch: int = 8,
                    precision: str = BF16_AUTOCAST) -> float:
    was_training = model.training
    model.eval()
    data = windows(ids, sequences, CONTEXT + 1)
    losses = [next_token_loss(model, data[start:start + batch], device, precision).item()
              for start in range(0, sequences, batch)]
    model.train(was_training)
    return sum(losses) / len(losses)


def unigram_perplexity(train_ids: torch.Tensor, test_ids: torch.Tensor, vocab_size: int) -> float:
    """exp(mean -log p(token)) with p the add-one-smoothed token frequencies of the train split: the
    baseline a language model must beat by using context."""
    counts = torch.bincount(train_ids.long(), minlength=vocab_size).double() + 1
    log_p = torch.log(counts / counts.sum())
    return math.exp(-log_p[test_ids.long()].mean().item())


def _learning_rate(step: int, steps: int, recipe: Recipe) -> float:
    warmup = max(1, round(steps * recipe.warmup_fraction))
    if step < warmup:
        return recipe.learning_rate * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    floor = recipe.final_lr_fraction
    return recipe.learning_rate * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


def _new_model(size: str, vocab_size: int, device, seed: int, dropout: float = 0.0):
    torch.manual_seed(seed)
    with torch.device(device):
        model = LlamaForCausalLM(llama_config(size, vocab_size, dropout))
    return model.float().train()


def _optimizer(model, recipe: Recipe):
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    vectors = [p for p in model.parameters() if p.dim() < 2]  # RMSNorm weights: no decay
    return torch.optim.AdamW([{"params": matrices, "weight_decay": recipe.weight_decay},
                              {"params": vectors, "weight_decay": 0.0}],
                             lr=recipe.learning_rate, betas=(0.9, 0.95), eps=1e-8,
                             fused=torch.device(device_of(model)).type == "cuda")


def device_of(model) -> torch.device:
    return next(model.parameters()).device


def _step(model, optimizer, batch, device, recipe: Recipe, learning_rate: float, precision: str) -> float:
    for group in optimizer.param_groups:
        group["lr"] = learning_rate
    loss = next_token_loss(model, batch, device, precision)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def probe_step_s(size: str, data: TokenizedCorpus, device, recipe: Recipe, probe_steps: int = 3) -> float:
    """Seconds per training step, timed on a throwaway model after one warm-up step."""
    model = _new_model(size, data.vocab_size, device, seed=12345, dropout=recipe.dropout)
    optimizer = _optimizer(model, recipe)
    generator = torch.Generator().manual_seed(12345)
    precision = training_precision(device)
    _step(model, optimizer, random_windows(data.ids["train"], recipe.batch, generator), device, recipe, 0.0,
          precision)
    _sync(device)
    started = time.perf_counter()
    for _ in range(probe_steps):
        _step(model, optimizer, random_windows(data.ids["train"], recipe.batch, generator), device, recipe, 0.0,
              precision)
    _sync(device)
    return (time.perf_counter() - started) / probe_steps


def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def planned_steps(size: str, data: TokenizedCorpus, device, budget_s: float, recipe: Recipe) -> int:
    """As many steps as the budget allows (90% of it, for the validation passes and the slower first
    steps), at most recipe.max_epochs passes over the train split and recipe.max_tokens tokens, at least 1."""
    step_tokens = recipe.batch * CONTEXT
    limits = [int(recipe.max_epochs * data.ids["train"].numel() / step_tokens)]
    if recipe.max_tokens is not None:
        limits.append(recipe.max_tokens // step_tokens)
    by_data = min(limits)
    if budget_s == math.inf:
        return max(1, by_data)
    return max(1, min(int(0.9 * budget_s / probe_step_s(size, data, device, recipe)), by_data))


def models_folder(data: TokenizedCorpus, cache: Path | None = None) -> Path:
    return (Path(cache) if cache is not None else cache_dir()) / "models" / data.key


def cached_models(size: str, data: TokenizedCorpus, seed: int = 0, cache: Path | None = None) -> list:
    """Finished checkpoints of this size and seed, fewest steps first."""
    found = []
    for manifest in models_folder(data, cache).glob(f"{size}-seed{seed}-*steps/training.json"):
        fields = json.loads(manifest.read_text())
        found.append(TrainedModel(**dict(fields, path=manifest.parent, sources=tuple(fields.get("sources", ())))))
    return sorted(found, key=lambda trained: (trained.planned_steps or trained.steps, trained.steps))


def train(size: str, data: TokenizedCorpus, device, steps: int | None = None, budget_s: float | None = None,
          seed: int = 0, cache: Path | None = None, log=print, recipe: Recipe | None = None) -> TrainedModel:
    """Train `steps` steps (or as many as `budget_s` allows), stopping early once the validation loss stops
    improving; save the best checkpoint and return its description.

    A checkpoint of the same size, seed and planned steps in the cache is returned as it is.
    `recipe` (default RECIPES[size]) is for tests.
    """
    recipe = recipe or RECIPES[size]
    if steps is None:
        if budget_s is None:
            raise ValueError("train needs steps or budget_s")
        steps = planned_steps(size, data, device, budget_s, recipe)
    folder = models_folder(data, cache) / f"{size}-seed{seed}-{steps}steps"
    for trained in cached_models(size, data, seed, cache):
        if (trained.planned_steps or trained.steps) == steps and not trained.stopped_early:
            return trained

    precision = training_precision(device)
    model = _new_model(size, data.vocab_size, device, seed, recipe.dropout)
    params = sum(parameter.numel() for parameter in model.parameters())
    optimizer = _optimizer(model, recipe)
    generator = torch.Generator().manual_seed(seed)
    start_loss = validation_loss(model, data.ids["validation"], device, precision=precision)
    log(f"{size}: {params:,} parameters, {steps} steps of {recipe.batch}x{CONTEXT} tokens, "
        f"validation loss {start_loss:.3f} before training")
    every = max(1, round(steps * recipe.validation_every))
    best = _Best(start_loss, 0, _copy_state(model))
    stop_reason, since_best = "schedule finished", 0
    started, done = time.perf_counter(), 0
    for step in range(steps):
        if budget_s is not None and time.perf_counter() - started > budget_s:
            stop_reason = "time budget ran out"
            break
        loss = _step(model, optimizer, random_windows(data.ids["train"], recipe.batch, generator), device, recipe,
                     _learning_rate(step, steps, recipe), precision)
        done = step + 1
        if done % every and done != steps:
            continue
        current = validation_loss(model, data.ids["validation"], device, precision=precision)
        log(f"{size}: step {done}/{steps}, train loss {loss:.3f}, validation loss {current:.3f}, "
            f"{time.perf_counter() - started:.0f} s")
        if current < best.loss:
            best, since_best = _Best(current, done, _copy_state(model)), 0
        else:
            since_best += 1
            if since_best >= recipe.patience:
                stop_reason = "validation loss stopped improving"
                break
    _sync(device)
    train_s = time.perf_counter() - started
    if done and done % every and done != steps:  # cut short by the budget between measurements
        current = validation_loss(model, data.ids["validation"], device, precision=precision)
        if current < best.loss:
            best = _Best(current, done, _copy_state(model))
    model.load_state_dict(best.state)
    log(f"{size}: kept step {best.step} of {done} ({stop_reason}), validation loss {best.loss:.3f} "
        f"(perplexity {math.exp(best.loss):.1f}), {train_s:.0f} s")

    trained = TrainedModel(size=size, path=folder, steps=best.step, tokens=best.step * recipe.batch * CONTEXT,
                           train_s=train_s, params=params, validation_loss_start=start_loss,
                           validation_loss=best.loss, stopped_early=stop_reason == "time budget ran out",
                           precision=precision, recipe=asdict(recipe), planned_steps=steps, steps_run=done,
                           stop_reason=stop_reason, sources=tuple(data.sources))
    if trained.stopped_early:  # name the folder by the steps really taken (its schedule was cut short)
        trained = TrainedModel(**dict(vars(trained), path=folder.with_name(f"{size}-seed{seed}-{done}of{steps}steps")))
    _save(model, trained)
    return trained


@dataclass(frozen=True)
class _Best:
    loss: float
    step: int
    state: dict  # a copy of the weights


def _copy_state(model) -> dict:
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def _save(model, trained: TrainedModel):
    temporary = trained.path.with_name(f".{trained.path.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    model.save_pretrained(temporary)
    fields = {key: value for key, value in vars(trained).items() if key != "path"}
    (temporary / "training.json").write_text(json.dumps(fields, indent=1) + "\n")
    # Another process (a parallel test run) may have saved this model meanwhile, from the same inputs and so
    # with the same files: keep that one, whole, rather than delete it under a reader.
    if not (trained.path / "training.json").exists():
        shutil.rmtree(trained.path, ignore_errors=True)  # a save stopped halfway
        try:
            os.replace(temporary, trained.path)
            return
        except OSError:  # saved by the other process between the check and the rename
            if not (trained.path / "training.json").exists():
                raise
    shutil.rmtree(temporary, ignore_errors=True)
