"""Methods and a suite that fail on purpose, for the bench's failure-containment tests.

Imported into a bench process through LQFG_BENCH_PLUGINS=tests.bench_faults (generator.bench.cli), so
the process that fails is a real one of its own:

    fault-nan         quantizes every weight to NaN: the model's outputs are NaN
    fault-cuda-error  raises the error an illegal memory access gives, and leaves the process's device
                      unusable (what a sticky CUDA error does), so the process must be replaced
    fault-abort       aborts the process (SIGABRT) in the middle of quantizing, as a crashing kernel would
    fault-hang        never ends (a kernel that hangs), for the plan's wall-clock cap
"""

import os
import time
from dataclasses import dataclass
from typing import ClassVar

from generator.bench import runner
from generator.bench.methods.registry import MethodConfig, register
from generator.bench.suites import SUITES, Suite, SuiteOptions
from generator.bench.methods import REFERENCE, Int4WeightOnly
from generator.bench.models import model_spec
from generator.bench.whole_model import RUNNER, BenchItem, Workload


@dataclass(frozen=True)
class Fault(MethodConfig):
    method_id: ClassVar[str] = "fault"
    version: ClassVar[int] = 1
    kind: str = "nan"

    @property
    def weight_format(self) -> str:
        return "bf16"

    @property
    def label(self) -> str:
        return f"fault-{self.kind}"

    @property
    def kernel(self) -> str:
        return "none: a method that fails on purpose"


@register(Fault)
def quantize_fault(model, config: Fault, device, calibration=None) -> None:
    if config.kind.startswith("nan"):
        for parameter in model.parameters():
            parameter.data.fill_(float("nan"))
    elif config.kind == "cuda-error":
        runner.device_poisoned = lambda device: True  # from now on this process's device is unusable
        raise RuntimeError("CUDA error: an illegal memory access was encountered")
    elif config.kind == "abort":
        os.abort()
    elif config.kind == "hang":
        time.sleep(3600)


def _fault_items(options: SuiteOptions) -> list:
    workload = Workload(batch=1, prompt_tokens=16, new_tokens=4)
    configs = (REFERENCE, Fault("nan"), Fault("cuda-error"), Int4WeightOnly(), Fault("abort"), Fault("nan-again"))
    return [BenchItem(model_spec("tiny-llama"), config, workload, repeats=2) for config in configs]


# gpu=True: the GPU plan and run_on_gpu.sh accept them by name (the plan's own order never reaches them
# outside a process that loaded this plugin).
SUITES["faults"] = Suite("faults", "methods that fail on purpose (tests only)", RUNNER, _fault_items, gpu=True)


def _hang_items(options: SuiteOptions) -> list:
    workload = Workload(batch=1, prompt_tokens=16, new_tokens=4)
    return [BenchItem(model_spec("tiny-llama"), config, workload, repeats=2) for config in (REFERENCE, Fault("hang"))]


SUITES["faults-hang"] = Suite("faults-hang", "a method that never ends (tests only)", RUNNER, _hang_items,
                              gpu=True)
