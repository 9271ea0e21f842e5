"""INT8 weight-only, one scale per output channel, on PyTorch's `_weight_int8pack_mm`.

As gpt-fast's WeightOnlyInt8Linear and torchao's Int8WeightOnlyConfig store it:
int8 codes (out, in) and one bf16 scale per output row, symmetric, round to
nearest; activations stay bf16. Every nn.Linear is converted, lm_head included.
"""

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn as nn

from ._linears import replace_linears
from .registry import MethodConfig, register, require_op


@dataclass(frozen=True)
class Int8WeightOnly(MethodConfig):
    method_id: ClassVar[str] = "int8-weight-only"
    version: ClassVar[int] = 1
    kernel: str = "torch._weight_int8pack_mm"

    @property
    def weight_format(self) -> str:
        return "int8-channel"


Int8WeightOnly.variants = (Int8WeightOnly(),)


def quantize_per_channel(weight: torch.Tensor, scale_dtype=torch.bfloat16):
    """scale = max|w_row| / 127 (kept in `scale_dtype`), q = clamp(round(w / scale), -127, 127)."""
    scales = (weight.float().abs().amax(dim=1) / 127).clamp(min=1e-12).to(scale_dtype)
    codes = torch.round(weight.float() / scales.float()[:, None]).clamp(-127, 127).to(torch.int8)
    return codes, scales


class Int8WeightOnlyLinear(nn.Module):
    def __init__(self, codes: torch.Tensor, scales: torch.Tensor, bias: torch.Tensor | None):
        super().__init__()
        self.out_features, self.in_features = codes.shape
        self.register_buffer("weight", codes)
        self.register_buffer("scales", scales)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)

    @classmethod
    def from_linear(cls, linear: nn.Linear) -> "Int8WeightOnlyLinear":
        codes, scales = quantize_per_channel(linear.weight.detach(), scale_dtype=linear.weight.dtype)
        return cls(codes, scales, None if linear.bias is None else linear.bias.detach())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features).contiguous()
        out = torch._weight_int8pack_mm(flat, self.weight, self.scales.to(x.dtype))
        out = out.reshape(*x.shape[:-1], self.out_features)
        return out if self.bias is None else out + self.bias


@register(Int8WeightOnly)
def quantize_int8_weight_only(model, config: Int8WeightOnly, device, calibration=None) -> None:
    _require_kernel(device)
    replace_linears(model, lambda name, linear: Int8WeightOnlyLinear.from_linear(linear))


def _require_kernel(device):
    probe = torch.ones(1, 32, dtype=torch.bfloat16, device=device)
    require_op("torch._weight_int8pack_mm", device, lambda: torch._weight_int8pack_mm(
        probe, torch.ones(8, 32, dtype=torch.int8, device=device), torch.ones(8, dtype=torch.bfloat16, device=device)))
