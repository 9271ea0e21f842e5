"""FP8 E4M3 weights (float8_e4m3fn, Micikevicius et al., arXiv 2209.05433) with one fp32 scale per
output channel, in two schemes:

- "weight-only": y = linear(x, q.to(x.dtype)) * scale, the matmul in bf16 (every e4m3 value is exact in
  bf16). Eager, that converts the whole weight on every forward and reads more bytes than bf16; under
  torch.compile inductor fuses the conversion into the matmul, as for int8 weight-only, so its speed is
  the compiled decode's (`compiled_only`) and its eager timings are of the unfused reference path. Runs
  wherever float8_e4m3fn tensors do (CPU included).
- "w8a8-dynamic": activations are quantized too, one scale per token computed at run time,
  and the matmul is torch._scaled_mm(fp8 x fp8, row-wise scales) -> bf16, as vLLM's and
  llm-compressor's FP8_DYNAMIC scheme runs on Ada/Hopper GPUs (compute capability >= 8.9).
  On CUDA an older GPU is unsupported. torch 2.13's CPU build also runs _scaled_mm with row-wise
  scales (found while writing this; the apply function probes for it, and
  tests/test_bench_methods_quality.py checks it returns the product of the dequantized operands to
  bf16 rounding), so on a CPU this scheme runs too; its timings are the CPU's.

Scales: scale = max|w_row| / 448 (448 = float8_e4m3fn's largest finite value), q = w / scale
rounded to fp8; per token likewise for activations. lm_head and the embeddings stay 16-bit, as in
vLLM and llm-compressor's FP8 recipes and in calculators' fp8-e4m3-channel format (decoder linears only).
"""

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn as nn
import torch.nn.functional as F

from ._linears import replace_linears
from .registry import MethodConfig, Unsupported, register, require_op

FP8 = torch.float8_e4m3fn
FP8_MAX = torch.finfo(FP8).max  # 448
SCHEMES = ("weight-only", "w8a8-dynamic")


@dataclass(frozen=True)
class Fp8(MethodConfig):
    method_id: ClassVar[str] = "fp8"
    version: ClassVar[int] = 2  # 2: weight-only scales the product, so torch.compile can fuse the conversion
    scheme: str = "weight-only"

    def __post_init__(self):
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, not {self.scheme!r}")

    @property
    def weight_format(self) -> str:
        return "fp8-e4m3-channel"

    @property
    def label(self) -> str:
        return f"fp8-e4m3-channel-{self.scheme}"

    @property
    def kernel(self) -> str:
        if self.scheme == "weight-only":
            return "linear(x, fp8 weight -> bf16) * scales; inductor fuses it under torch.compile"
        return "torch._scaled_mm (fp8 x fp8, row-wise scales), per-token activation quantization in eager ops"

    @property
    def compiled_only(self) -> bool:
        return self.scheme == "weight-only"


Fp8.variants = (Fp8("w8a8-dynamic"), Fp8("weight-only"))


# -- tensor primitives ----------------------------------------------------------

def quantize_rows(matrix: torch.Tensor):
    """(fp8 codes, fp32 scales (rows,)): scale = max|row| / 448, codes = row / scale in float8_e4m3fn."""
    scales = (matrix.float().abs().amax(dim=-1) / FP8_MAX).clamp(min=1e-12)
    codes = (matrix.float() / scales[:, None]).clamp(-FP8_MAX, FP8_MAX).to(FP8)
    return codes, scales


def dequantize_rows(codes: torch.Tensor, scales: torch.Tensor, dtype=torch.float32) -> torch.Tensor:
    return (codes.to(torch.float32) * scales[:, None]).to(dtype)


def scaled_matmul(x: torch.Tensor, codes: torch.Tensor, scales: torch.Tensor, out_dtype) -> torch.Tensor:
    """x (tokens, in) quantized per token, times fp8 weight codes (out, in): y = (qx sx)(qw sw)^T via _scaled_mm."""
    x_codes, x_scales = quantize_rows(x)
    return torch._scaled_mm(x_codes, codes.t(), scale_a=x_scales[:, None], scale_b=scales[None, :],
                            out_dtype=out_dtype)


class Fp8Linear(nn.Module):
    def __init__(self, codes: torch.Tensor, scales: torch.Tensor, bias: torch.Tensor | None, scheme: str):
        super().__init__()
        self.out_features, self.in_features = codes.shape
        self.scheme = scheme
        self.register_buffer("weight", codes)
        self.register_buffer("weight_scale", scales)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)

    @classmethod
    def from_linear(cls, linear: nn.Linear, scheme: str) -> "Fp8Linear":
        codes, scales = quantize_rows(linear.weight.detach())
        return cls(codes, scales, None if linear.bias is None else linear.bias.detach(), scheme)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.scheme == "weight-only":
            out = F.linear(x, self.weight.to(x.dtype)) * self.weight_scale.to(x.dtype)
            return out if self.bias is None else out + self.bias
        flat = x.reshape(-1, self.in_features)
        out = scaled_matmul(flat, self.weight, self.weight_scale, x.dtype).reshape(*x.shape[:-1], self.out_features)
        return out if self.bias is None else out + self.bias


@register(Fp8)
def quantize_fp8(model, config: Fp8, device, calibration=None) -> None:
    lm_head = model.get_output_embeddings()
    if config.scheme == "w8a8-dynamic":
        _require_scaled_mm(model, lm_head, device)
    replace_linears(model, lambda name, linear: linear if linear is lm_head else
                    Fp8Linear.from_linear(linear, config.scheme))


def _require_scaled_mm(model, lm_head, device):
    """Unsupported unless torch._scaled_mm with row-wise scales runs on `device` for every layer's shape."""
    device = torch.device(device)
    if device.type == "cuda" and torch.cuda.get_device_capability(device) < (8, 9):
        major, minor = torch.cuda.get_device_capability(device)
        raise Unsupported(f"FP8 matmuls need compute capability 8.9 or newer (Ada, Hopper); "
                          f"{torch.cuda.get_device_name(device)} is {major}.{minor}")
    for name, module in model.named_modules():
        if type(module) is nn.Linear and module is not lm_head and (module.in_features % 16 or
                                                                    module.out_features % 16):
            raise Unsupported(f"{name} is {module.out_features}x{module.in_features}; torch._scaled_mm needs "
                              "both dimensions multiples of 16 (padding not implemented)")
    probe = torch.ones(16, 32, device=device)
    require_op("torch._scaled_mm with row-wise scales", device,
               lambda: scaled_matmul(probe.to(torch.bfloat16), *quantize_rows(probe), torch.bfloat16))
