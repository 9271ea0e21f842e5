"""INT4 weight-only, group-wise asymmetric round-to-nearest, on the tinygemm kernels.

The layout of gpt-fast's WeightOnlyInt4Linear and torchao's Int4WeightOnlyConfig:
4-bit codes packed by `_convert_weight_to_int4pack*` and `scales_and_zeros`, bf16
of shape (in / group, out, 2). A group of `group_size` input weights is
dequantized as w = (q - 8) * scale + zero. Every nn.Linear is converted,
lm_head included. No padding: a layer whose in_features is not a multiple of
the group and of inner_k_tiles * 16 makes the method unsupported for the model.
"""

from dataclasses import dataclass
from typing import Callable, ClassVar

import torch
import torch.nn as nn

from ._linears import replace_linears
from .registry import MethodConfig, Unsupported, register


@dataclass(frozen=True)
class Int4WeightOnly(MethodConfig):
    method_id: ClassVar[str] = "int4-weight-only"
    version: ClassVar[int] = 1
    group_size: int = 128
    inner_k_tiles: int = 8

    def __post_init__(self):
        check_tinygemm_settings(4, self.group_size, self.inner_k_tiles)

    @property
    def weight_format(self) -> str:
        return f"int4-tinygemm-g{self.group_size}"

    @property
    def kernel(self) -> str:
        return "torch._weight_int4pack_mm (tinygemm; _for_cpu on the CPU)"


class EndsOnTinygemm:
    """For methods that choose int4 weights their own way (GPTQ, AWQ) and then run on round-to-nearest's
    module: their kernel, and so their speed, is Int4WeightOnly's with the same group and tiling."""

    @property
    def speed_of(self) -> "Int4WeightOnly":
        return Int4WeightOnly(group_size=self.group_size, inner_k_tiles=self.inner_k_tiles)

    @property
    def kernel(self) -> str:
        return self.speed_of.kernel


def check_tinygemm_settings(bits: int, group_size: int, inner_k_tiles: int) -> None:
    """The settings the tinygemm int4 kernel takes; every method that runs on it (RTN, GPTQ, AWQ) checks these."""
    if bits != 4:
        raise ValueError(f"bits must be 4 (the tinygemm int4 layout), not {bits}")
    if group_size not in (32, 64, 128, 256):
        raise ValueError(f"group_size must be 32, 64, 128 or 256, not {group_size}")
    if inner_k_tiles not in (2, 4, 8):
        raise ValueError(f"inner_k_tiles must be 2, 4 or 8, not {inner_k_tiles}")


Int4WeightOnly.variants = (Int4WeightOnly(group_size=128),)


# -- tensor primitives ----------------------------------------------------------

def group_qparams(weight: torch.Tensor, group_size: int):
    """Per group of `group_size` inputs: scale = (max - min) / 15, zero = min + 8 * scale (bf16, (out, groups))."""
    groups = weight.float().reshape(-1, group_size)
    low, high = groups.amin(dim=1), groups.amax(dim=1)
    scales = (high - low).clamp(min=1e-6) / 15
    zeros = low + scales * 8
    shape = (weight.shape[0], -1)
    return scales.to(torch.bfloat16).reshape(shape), zeros.to(torch.bfloat16).reshape(shape)


def quantize_groups(weight: torch.Tensor, scales: torch.Tensor, zeros: torch.Tensor, group_size: int):
    """q = clamp(round((w - (zero - 8 * scale)) / scale), 0, 15) as int32 (out, in)."""
    groups = weight.float().reshape(-1, group_size)
    scales, zeros = scales.float().reshape(-1, 1), zeros.float().reshape(-1, 1)
    low = zeros - scales * 8
    return groups.sub(low).div(scales).round().clamp(0, 15).to(torch.int32).reshape(weight.shape)


def dequantize_groups(codes: torch.Tensor, scales: torch.Tensor, zeros: torch.Tensor, group_size: int):
    """w = (q - 8) * scale + zero: the reference the kernels must agree with."""
    groups = codes.float().reshape(-1, group_size)
    return ((groups - 8) * scales.float().reshape(-1, 1) + zeros.float().reshape(-1, 1)).reshape(codes.shape)


def pack_scales_and_zeros(scales: torch.Tensor, zeros: torch.Tensor) -> torch.Tensor:
    """(out, groups) twice -> (groups, out, 2), the layout tinygemm reads."""
    return torch.stack([scales, zeros], dim=2).transpose(0, 1).contiguous()


@dataclass(frozen=True)
class _Kernels:
    pack: Callable  # int32 codes (out, in), inner_k_tiles -> packed weight
    matmul: Callable  # x (tokens, in), packed, group_size, scales_and_zeros -> (tokens, out)


def _pack_cuda(codes: torch.Tensor, inner_k_tiles: int) -> torch.Tensor:
    # Since torch 2.5 the CUDA op takes two codes per byte, the even column in the high nibble.
    packed_bytes = (codes[:, ::2] << 4 | codes[:, 1::2]).to(torch.uint8)
    return torch._convert_weight_to_int4pack(packed_bytes, inner_k_tiles)


_KERNELS = {
    "cpu": _Kernels(torch._convert_weight_to_int4pack_for_cpu, torch._weight_int4pack_mm_for_cpu),
    "cuda": _Kernels(_pack_cuda, torch._weight_int4pack_mm),
}


class Int4WeightOnlyLinear(nn.Module):
    def __init__(self, packed: torch.Tensor, scales_and_zeros: torch.Tensor, bias: torch.Tensor | None,
                 in_features: int, out_features: int, group_size: int, kernels: _Kernels):
        super().__init__()
        self.in_features, self.out_features, self.group_size = in_features, out_features, group_size
        self.kernels = kernels
        self.register_buffer("weight", packed)
        self.register_buffer("scales_and_zeros", scales_and_zeros)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)

    @classmethod
    def from_linear(cls, linear: nn.Linear, config: Int4WeightOnly, kernels: _Kernels) -> "Int4WeightOnlyLinear":
        weight = linear.weight.detach()
        scales, zeros = group_qparams(weight, config.group_size)
        codes = quantize_groups(weight, scales, zeros, config.group_size)
        packed = kernels.pack(codes, config.inner_k_tiles)
        bias = None if linear.bias is None else linear.bias.detach()
        return cls(packed, pack_scales_and_zeros(scales, zeros), bias, linear.in_features, linear.out_features,
                   config.group_size, kernels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features).to(torch.bfloat16).contiguous()  # tinygemm: bf16, row-major
        out = self.kernels.matmul(flat, self.weight, self.group_size, self.scales_and_zeros)
        out = out.to(x.dtype).reshape(*x.shape[:-1], self.out_features)
        return out if self.bias is None else out + self.bias


@register(Int4WeightOnly)
def quantize_int4_weight_only(model, config: Int4WeightOnly, device, calibration=None) -> None:
    kernels = require_tinygemm_shapes(model, config, device)
    replace_linears(model, lambda name, linear: Int4WeightOnlyLinear.from_linear(linear, config, kernels))


def require_tinygemm_shapes(model, config: Int4WeightOnly, device) -> _Kernels:
    """The device's tinygemm kernels; Unsupported when there are none or a linear's shape does not suit them
    (checked on every nn.Linear before any is converted; a meta-device model will do)."""
    kernels = _KERNELS.get(torch.device(device).type)
    if kernels is None:
        raise Unsupported(f"no tinygemm int4 kernel for device type {torch.device(device).type!r}")
    multiple = max(config.group_size, config.inner_k_tiles * 16)
    for name, module in model.named_modules():
        if type(module) is nn.Linear and (module.in_features % multiple or module.out_features % 8):
            raise Unsupported(f"{name} is {module.out_features}x{module.in_features}; tinygemm needs in_features "
                              f"a multiple of {multiple} and out_features a multiple of 8 (padding not implemented)")
    return kernels
