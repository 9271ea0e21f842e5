"""The 16-bit baselines: the model as built (bf16), or its parameters cast to fp16."""

from dataclasses import dataclass
from typing import ClassVar

import torch

from .registry import MethodConfig, register

_DTYPES = {"bfloat16": (torch.bfloat16, "bf16"), "float16": (torch.float16, "fp16")}


@dataclass(frozen=True)
class Unquantized(MethodConfig):
    method_id: ClassVar[str] = "unquantized"
    version: ClassVar[int] = 1
    dtype: str = "bfloat16"

    def __post_init__(self):
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(_DTYPES)}, not {self.dtype!r}")

    @property
    def weight_format(self) -> str:
        return _DTYPES[self.dtype][1]

    @property
    def kernel(self) -> str:
        return f"torch.nn.functional.linear in {self.dtype} (cuBLAS on CUDA)"


Unquantized.variants = (Unquantized("bfloat16"), Unquantized("float16"))


@register(Unquantized)
def cast_parameters(model, config: Unquantized, device, calibration=None) -> None:
    # Parameters only: Module.to(dtype) would also cast the fp32 rotary inv_freq buffer.
    dtype = _DTYPES[config.dtype][0]
    for parameter in model.parameters():
        parameter.data = parameter.data.to(dtype)
