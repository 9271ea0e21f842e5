"""Suites: named lists of bench items, the most valuable first (a run may be cut short by its budget)."""

from dataclasses import dataclass
from typing import Callable

from . import methods
from .models import ModelSpec, model_spec
from ..records import result_key


@dataclass(frozen=True)
class Workload:
    batch: int
    prompt_tokens: int
    new_tokens: int

    def to_record(self) -> dict:
        return {"batch": self.batch, "prompt_tokens": self.prompt_tokens, "new_tokens": self.new_tokens}


@dataclass(frozen=True)
class BenchItem:
    """One measurement: a model, quantized by a method, run on a workload."""

    model: ModelSpec
    method: methods.MethodConfig
    workload: Workload
    repeats: int

    @property
    def key(self) -> str:
        """The same key records.result_key gives the result of this item (used to resume a run)."""
        return result_key({"model": {"id": self.model.id}, "method": self.method.to_record(),
                           "workload": self.workload.to_record()})


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    items: Callable[..., list]  # built on demand; model suites take an optional list of ModelSpecs to use instead
    kind: str = "model"  # "model": whole models (runner.run_items); "kernel": one layer (kernels.run_kernel_items);
    #                      "quality": reference llamas trained here (quality.run_quality; items unused)
    sizes: tuple = ()  # quality suites: reference.train.SIZES to train and measure, in order


def _smoke_items(models=None) -> list:
    # Small enough for a CPU test run; 8 new tokens are enough to time decode, 3 repeats give a median.
    workload = Workload(batch=1, prompt_tokens=32, new_tokens=8)
    return [BenchItem(model, config, workload, repeats=3)
            for model in models or [model_spec("tiny-llama")] for config in methods.standard_configs()]


def _speed_items(models=None) -> list:
    """Real shapes with random weights; batch 1 on both models first, the larger batches after."""
    models = models or [model_spec("llama-3.1-8b"), model_spec("llama-3.2-1b")]
    workloads = [Workload(batch, 512, 64) for batch in (1, 8, 32)]
    return [BenchItem(model, config, workload, repeats=3)
            for workload in workloads for model in models for config in methods.standard_configs()]


def _kernel_items(source_id: str, batches: tuple, repeats: int):
    def items():
        from .kernels import kernel_items, one_layer_spec

        return kernel_items(one_layer_spec(source_id), batches, repeats)

    return items


SUITES = {suite.name: suite for suite in (
    Suite("smoke", "every registered method on the tiny random llama; about a minute on a CPU", _smoke_items),
    Suite("kernels-smoke", "the kernel sweep on the tiny llama's layer shapes at 1, 8 and 64 tokens (CPU test)",
          _kernel_items("tiny-llama", (1, 8, 64), 3), kind="kernel"),
    Suite("gpu-speed", "Llama-3.1-8B and Llama-3.2-1B shapes (random-init), every method, batch 1/8/32, "
          "prompt 512, 64 new tokens", _speed_items),
    Suite("gpu-kernels", "one linear layer at Llama-3.1-8B's q_proj, gate_proj and down_proj shapes, every "
          "method, 1 to 256 tokens, eager and CUDA-graph timing", _kernel_items("llama-3.1-8b", None, 10),
          kind="kernel"),
    Suite("quality-cpu", "reference llamas trained here on the Python docs (tiny 2.4M, small 7M, medium 19M; "
          "checkpoints cached), every method: test perplexity, KL and top-1 against bf16; --budget-s is training "
          "seconds per size (default 600)", list, kind="quality", sizes=("tiny", "small", "medium")),
    Suite("gpu-quality", "the quality suite on the GPU: small, medium and large (88M) reference llamas; "
          "--budget-s is training seconds per size (default 120)", list, kind="quality",
          sizes=("small", "medium", "large")),
)}
