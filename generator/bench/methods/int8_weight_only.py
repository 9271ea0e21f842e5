"""INT8 weight-only, one scale per output channel, symmetric round-to-nearest; activations stay bf16.

As gpt-fast's WeightOnlyInt8Linear and torchao's Int8WeightOnlyConfig store it: int8 codes (out, in) and
one scale per output row. Every nn.Linear is converted, lm_head included. Two kernels compute the product:

- "dequant-matmul" (the standard one): y = linear(x, codes.to(x.dtype)) * scales, gpt-fast's forward
  (pytorch-labs/gpt-fast quantize.py, WeightOnlyInt8Linear). Eager, this converts the whole weight to
  bf16 on every call, so it reads more bytes than bf16 does; under torch.compile inductor fuses the
  conversion into the matmul and the weight is read once, as int8. Its speed is therefore the compiled
  decode's (`compiled_only`), and its eager timings are of that unfused reference path.
- "int8pack-mm": torch._weight_int8pack_mm. A good kernel on the CPU; on CUDA (torch 2.11 at least) a
  naive one (a thread per output, serial over the reduction), so its CUDA timings are that kernel's, not
  int8's: the label says which kernel it is.
"""

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn as nn
import torch.nn.functional as F

from ._linears import replace_linears
from .registry import MethodConfig, register, require_op

KERNELS = {
    "dequant-matmul": "linear(x, int8 weight -> bf16) * scales; inductor fuses it under torch.compile (gpt-fast)",
    "int8pack-mm": "torch._weight_int8pack_mm",
}


@dataclass(frozen=True)
class Int8WeightOnly(MethodConfig):
    method_id: ClassVar[str] = "int8-weight-only"
    version: ClassVar[int] = 2  # 2: the kernel is a setting; dequant-matmul is the standard one
    kernel_name: str = "dequant-matmul"

    def __post_init__(self):
        if self.kernel_name not in KERNELS:
            raise ValueError(f"kernel_name must be one of {', '.join(KERNELS)}, not {self.kernel_name!r}")

    @property
    def weight_format(self) -> str:
        return "int8-channel"

    @property
    def label(self) -> str:
        return "int8-channel" if self.kernel_name == "dequant-matmul" else "int8-channel (_weight_int8pack_mm)"

    @property
    def kernel(self) -> str:
        return KERNELS[self.kernel_name]

    @property
    def compiled_only(self) -> bool:
        return self.kernel_name == "dequant-matmul"


Int8WeightOnly.variants = (Int8WeightOnly("dequant-matmul"), Int8WeightOnly("int8pack-mm"))


def quantize_per_channel(weight: torch.Tensor, scale_dtype=torch.bfloat16):
    """scale = max|w_row| / 127 (kept in `scale_dtype`), q = clamp(round(w / scale), -127, 127)."""
    scales = (weight.float().abs().amax(dim=1) / 127).clamp(min=1e-12).to(scale_dtype)
    codes = torch.round(weight.float() / scales.float()[:, None]).clamp(-127, 127).to(torch.int8)
    return codes, scales


class Int8WeightOnlyLinear(nn.Module):
    def __init__(self, codes: torch.Tensor, scales: torch.Tensor, bias: torch.Tensor | None, kernel_name: str):
        super().__init__()
        self.out_features, self.in_features = codes.shape
        self.kernel_name = kernel_name
        self.register_buffer("weight", codes)
        self.register_buffer("scales", scales)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)

    @classmethod
    def from_linear(cls, linear: nn.Linear, kernel_name: str) -> "Int8WeightOnlyLinear":
        codes, scales = quantize_per_channel(linear.weight.detach(), scale_dtype=linear.weight.dtype)
        return cls(codes, scales, None if linear.bias is None else linear.bias.detach(), kernel_name)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.kernel_name == "dequant-matmul":
            out = F.linear(x, self.weight.to(x.dtype)) * self.scales.to(x.dtype)
        else:
            flat = x.reshape(-1, self.in_features).contiguous()
            out = torch._weight_int8pack_mm(flat, self.weight, self.scales.to(x.dtype))
            out = out.reshape(*x.shape[:-1], self.out_features)
        return out if self.bias is None else out + self.bias


@register(Int8WeightOnly)
def quantize_int8_weight_only(model, config: Int8WeightOnly, device, calibration=None) -> None:
    if config.kernel_name == "int8pack-mm":
        _require_int8pack_mm(device)
    replace_linears(model, lambda name, linear: Int8WeightOnlyLinear.from_linear(linear, config.kernel_name))


def _require_int8pack_mm(device):
    probe = torch.ones(1, 32, dtype=torch.bfloat16, device=device)
    require_op("torch._weight_int8pack_mm", device, lambda: torch._weight_int8pack_mm(
        probe, torch.ones(8, 32, dtype=torch.int8, device=device), torch.ones(8, dtype=torch.bfloat16, device=device)))
