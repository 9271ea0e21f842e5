"""Suites: named lists of bench items, the most valuable first (a run may be cut short by its budget)."""

from dataclasses import dataclass
from typing import Callable

from . import methods
from .models import ModelSpec, model_spec
from .records import result_key


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
    items: Callable[[], list]  # built on demand: building a ModelSpec reads the presets


def _smoke_items() -> list:
    # Small enough for a CPU test run; 8 new tokens are enough to time decode, 3 repeats give a median.
    tiny = model_spec("tiny-llama")
    workload = Workload(batch=1, prompt_tokens=32, new_tokens=8)
    return [BenchItem(tiny, config, workload, repeats=3) for config in methods.standard_configs()]


SUITES = {suite.name: suite for suite in (
    Suite("smoke", "every registered method on the tiny random llama; about a minute on a CPU", _smoke_items),
)}
