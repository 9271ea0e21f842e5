"""The quality suites: every method on the reference llamas the bench trains itself.

For each model size: train it (or take the cached checkpoint, see reference.train), compute
the bf16 model's logits on the test split once, then for each method in
methods.standard_configs() load a fresh bf16 copy, quantize it (calibrating on token ids of
the TRAIN split) and measure on the TEST split (never seen in training or calibration).

Only the second half of each 256-token window is scored, as llama.cpp's `perplexity` tool
does (ggml-org/llama.cpp tools/perplexity/perplexity.cpp, `first = n_ctx/2`): the logits at
positions 128..254 predicting tokens 129..255, so every scored token has at least 128 tokens
of context and none is scored from a near-empty one. Every metric is over those positions:

    perplexity       exp(mean next-token cross-entropy)
    kl_divergence    mean KL(bf16 || quantized) of the next-token distributions
    kl_median, kl_p99, kl_max   that KL's median, 99th percentile (linear interpolation) and maximum
    top1_agreement   share of positions whose argmax token is the bf16 model's
                     (1 - top1_agreement: the share of tokens whose top token changes)
    logits_sqnr_db   10 log10(sum ref^2 / sum (ref - logits)^2)

The KL, top-1 and SQNR sums are measure.AgreementSums, accumulated batch by batch so
that no more than one batch of logits per model is in memory at a time; the percentiles come
from one KL value per scored position, kept beside them. The bf16 method is
measured like the others against the separately computed reference, so its KL 0 and
agreement 1 are a check that the evaluation is deterministic.

Each result is written as soon as it is measured; a killed run resumes with the same run id.
"""

import math
import sys
import time
import traceback
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..records import RecordError, RecordWriter, result_key
from . import environment, methods
from .measure import AgreementSums, LogitAgreement, synchronize
from .models import state_dict_bytes, weight_bytes_in_memory
from .runner import Measurement, Runner, free, run_suite_items
from .whole_model import SPEED_METRICS
from .reference import corpus as corpus_module
from .reference import train as train_module
from .reference.tokenizer import TokenizedCorpus

MODEL_KIND = "reference-trained"
TEST_SEQUENCES = 128  # x 256 tokens (a third of the 446k-token test split), 127 scored positions each: 16,256
CALIBRATION_SEQUENCES = 16  # x 256 tokens of the train split
EVAL_BATCH = 8  # sequences per forward pass: 8 x 256 x 8192 fp32 logits are 64 MiB
NOT_MEASURED = {name: "the quality suite measures no speed or memory; see the speed suites"
                for name in (*SPEED_METRICS, "peak_quantize_bytes")}


@dataclass(frozen=True)
class Quality:
    perplexity: float
    agreement: LogitAgreement  # with the bf16 reference's logits
    kl_median: float  # over the scored positions, nats
    kl_p99: float
    kl_max: float
    positions: int  # scored


def scored_slice(length: int) -> slice:
    """The logit positions scored in a window of `length` tokens: its second half, as llama.cpp's perplexity
    (first = length // 2; logits first..length-2 predict tokens first+1..length-1)."""
    return slice(length // 2, length - 1)


def position_kl(reference: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """KL(softmax reference || softmax logits) at each position (last dimension the vocabulary), at least 0."""
    log_p = torch.log_softmax(reference.float(), dim=-1)
    log_q = torch.log_softmax(logits.float(), dim=-1)
    return (log_p.exp() * (log_p - log_q)).sum(dim=-1).clamp_min(0.0).reshape(-1)


class ScoredAgreement(AgreementSums):
    """AgreementSums that also keeps each position's KL (one float each), for the KL percentiles."""

    def __init__(self):
        super().__init__()
        self.kl_values = []

    def add(self, reference: torch.Tensor, logits: torch.Tensor) -> None:
        super().add(reference, logits)
        self.kl_values.append(position_kl(reference, logits).double().cpu())

    def kl_percentiles(self) -> dict:
        """kl_median, kl_p99 (linear interpolation, as numpy's default) and kl_max."""
        values = torch.cat(self.kl_values)
        median, p99 = torch.quantile(values, torch.tensor([0.5, 0.99], dtype=values.dtype)).tolist()
        return {"kl_median": median, "kl_p99": p99, "kl_max": values.max().item()}


def evaluation_windows(data: TokenizedCorpus, sequences: int = TEST_SEQUENCES) -> torch.Tensor:
    return train_module.windows(data.ids["test"], sequences)


def calibration_windows(data: TokenizedCorpus, sequences: int = CALIBRATION_SEQUENCES) -> torch.Tensor:
    return train_module.windows(data.ids["train"], sequences)


@torch.inference_mode()
def reference_logits(model, test: torch.Tensor, device, batch: int = EVAL_BATCH) -> list:
    """The bf16 model's fp32 logits at the scored positions, one tensor per batch of test windows, on `device`."""
    scored = scored_slice(test.shape[1])
    return [model(test[start:start + batch].to(device), use_cache=False).logits[:, scored].float()
            for start in range(0, test.shape[0], batch)]


@torch.inference_mode()
def evaluate(model, test: torch.Tensor, reference: list, device, batch: int = EVAL_BATCH) -> Quality:
    """Perplexity on `test` and agreement with `reference` (reference_logits of the bf16 model), over the
    scored positions (scored_slice)."""
    scored = scored_slice(test.shape[1])
    targets = slice(scored.start + 1, scored.stop + 1)
    nll = positions = 0
    sums = ScoredAgreement()
    for index, start in enumerate(range(0, test.shape[0], batch)):
        ids = test[start:start + batch].to(device)
        logits = model(ids, use_cache=False).logits[:, scored].float()
        nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, targets].reshape(-1),
                               reduction="sum").item()
        positions += ids[:, targets].numel()
        sums.add(reference[index], logits)
    return Quality(perplexity=math.exp(nll / positions), agreement=sums.agreement(), positions=positions,
                   **sums.kl_percentiles())


@dataclass(frozen=True)
class QualityItem:
    """One method on one trained reference model, measured on the test windows."""

    trained: train_module.TrainedModel
    config: methods.MethodConfig
    test: torch.Tensor
    calibration: torch.Tensor

    def skeleton(self) -> dict:
        return {"model": {"id": self.trained.model_id, "kind": MODEL_KIND, "params": self.trained.params,
                          "training": training_record(self.trained)},
                "method": self.config.to_record(),
                "workload": {"batch": self.test.shape[0], "prompt_tokens": self.test.shape[1], "new_tokens": 0}}

    @property
    def key(self) -> str:
        return result_key(self.skeleton())


def measure_method(trained: train_module.TrainedModel, config, test: torch.Tensor, calibration: torch.Tensor,
                   reference: list, device) -> dict:
    """One record result: a fresh bf16 copy quantized by `config`, measured; failures become its status."""
    item = QualityItem(trained, config, test, calibration)
    m = Measurement(f"{config.label} on {trained.model_id}", device)
    m.missing.update(NOT_MEASURED)
    with m.guard():
        model = trained.load(device)
        started = time.perf_counter()
        methods.quantize(model, config, device, calibration.to(device))
        synchronize(device)
        m.metrics["quantize_s"] = time.perf_counter() - started
        m.metrics["weight_bytes"] = weight_bytes_in_memory(model)
        m.metrics["state_dict_bytes"] = state_dict_bytes(model)
        quality = evaluate(model, test, reference, device)
        m.metrics["perplexity"] = quality.perplexity
        m.add_agreement(quality.agreement)
        m.metrics.update(kl_median=quality.kl_median, kl_p99=quality.kl_p99, kl_max=quality.kl_max)
        del model
    m.repeats = 1 if m.status == "ok" else 0
    skeleton = item.skeleton()
    return m.result(skeleton["model"], skeleton["method"], skeleton["workload"])


class _ReferenceLogits:
    """The bf16 logits of each trained model on the test windows, computed once and kept for its methods."""

    def __init__(self):
        self.by_model = {}

    def get(self, item: QualityItem, device) -> list:
        if item.trained.model_id not in self.by_model:
            self.by_model.clear()  # one model's logits at a time: items come model by model
            model = item.trained.load(device)
            self.by_model[item.trained.model_id] = reference_logits(model, item.test, device)
            del model
            free(device)
        return self.by_model[item.trained.model_id]


RUNNER = Runner("quality", new_state=_ReferenceLogits, close=lambda state, device: state.by_model.clear(),
                measure=lambda item, device, state: measure_method(item.trained, item.config, item.test,
                                                                   item.calibration, state.get(item, device),
                                                                   device))


def training_record(trained: train_module.TrainedModel) -> dict:
    """The record's model.training: how the checkpoint was made (its folder sits under the corpus key) and
    from which Debian packages its corpus came. The recipe also carries how training ended: the planned
    and run steps and the stop reason (`steps` is the kept checkpoint's, the best on validation)."""
    recipe = dict(trained.recipe, planned_steps=trained.planned_steps or trained.steps,
                  steps_run=trained.steps_run or trained.steps, stop_reason=trained.stop_reason)
    record = {"corpus": trained.path.parent.name, "steps": trained.steps, "tokens": trained.tokens,
              "train_s": trained.train_s, "validation_loss_start": trained.validation_loss_start,
              "validation_loss": trained.validation_loss, "stopped_early": trained.stopped_early,
              "precision": trained.precision, "recipe": recipe}
    if trained.sources:
        record["sources"] = [dict(source) for source in trained.sources]
    return record


def reference_model(size: str, data: TokenizedCorpus, device, budget_s: float, log=print):
    """The cached checkpoint of this size with the most steps (one whose schedule ran to the end if any),
    else one trained now within budget_s."""
    cached = train_module.cached_models(size, data)
    complete = [trained for trained in cached if not trained.stopped_early]
    if complete or cached:
        trained = (complete or cached)[-1]
        log(f"{size}: cached checkpoint {trained.path}")
        return trained
    return train_module.train(size, data, device, budget_s=budget_s, log=log)


def quality_items(device, sizes, budget_s: float, data: TokenizedCorpus, test_sequences: int = TEST_SEQUENCES,
                  configs=None, log=print) -> tuple:
    """(items, sizes that could not be trained): each size trained (or taken from the cache), then every
    method on it, model by model."""
    test, calibration = evaluation_windows(data, test_sequences), calibration_windows(data)
    items, failed = [], []
    for size in sizes:
        try:
            trained = reference_model(size, data, device, budget_s, log)
        except Exception:  # noqa: BLE001  out of memory, say: the other sizes can still be measured
            print(f"error: training the {size} reference model failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            failed.append(size)
            free(device)
            continue
        log(f"{trained.model_id}: {trained.params:,} parameters, {trained.tokens:,} training tokens in "
            f"{trained.train_s:.0f} s ({trained.precision}), validation perplexity "
            f"{math.exp(trained.validation_loss):.1f}" + (", schedule cut short by the budget" if trained.stopped_early
                                                          else ""))
        items += [QualityItem(trained, config, test, calibration)
                  for config in (configs if configs is not None else methods.standard_configs())]
    return items, failed


def run_quality(out_dir, device, sizes, budget_s: float, run_id: str | None = None, suite: str | None = None,
                data: TokenizedCorpus | None = None, test_sequences: int = TEST_SEQUENCES, command: str | None = None,
                log=print) -> int:
    """Train (or load) each size within `budget_s` seconds of training per size, measure every method on it,
    and write the record. Exit status as `generator bench`: 0 done, 1 some result is an error, 2 nothing
    could run (no corpus, bad record). `data` (default: the whole corpus at 8192 tokens) is for tests;
    `command` (default: this process' `python -m generator` command line) goes into the record."""
    device = torch.device(device)
    suite = suite or ("quality-cpu" if device.type == "cpu" else "gpu-quality")
    if data is None:
        try:
            data = TokenizedCorpus(corpus_module.load_corpus())
        except corpus_module.CorpusMissing as missing:
            print(f"error: {missing}", file=sys.stderr)
            return 2
    try:
        header = environment.run_header(suite, device, command or environment.command_line(), run_id)
        writer = RecordWriter(out_dir, header)
    except (RecordError, OSError) as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 2
    log(f"{'resuming' if writer.resumed else 'writing'} {writer.path}; corpus {data.key}, unigram test perplexity "
        f"{train_module.unigram_perplexity(data.ids['train'], data.ids['test'], data.vocab_size):.1f}")
    items, failed_sizes = quality_items(device, sizes, budget_s, data, test_sequences, log=log)
    log(_ROW.format("method", "status", "perplexity", "KL", "top-1", "SQNR dB", "note"))
    run_suite_items(RUNNER, items, writer, device, finish=not failed_sizes,
                    on_result=lambda result: log(_format_row(result)))
    if failed_sizes:  # left open: a rerun with the same run id trains them again and adds their results
        log(f"{writer.path} left unfinished: no model for {', '.join(failed_sizes)}; rerun with --run-id "
            f"{writer.run_id}")
        return 1
    errors = sum(result["status"] == "error" for result in writer.record["results"])
    log(f"finished {writer.path}" + (f"; {errors} results with status error" if errors else ""))
    return 1 if errors else 0


_ROW = "{:<30} {:<12} {:>10} {:>10} {:>7} {:>8}  {}"


def _format_row(result: dict) -> str:
    metrics = result["metrics"]

    def number(name, pattern):
        return pattern.format(metrics[name]) if name in metrics else "-"

    return _ROW.format(result["method"]["label"], result["status"], number("perplexity", "{:.3f}"),
                       number("kl_divergence", "{:.5f}"), number("top1_agreement", "{:.4f}"),
                       number("logits_sqnr_db", "{:.1f}"), result["error"] or "")

