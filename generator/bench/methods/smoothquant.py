"""SmoothQuant W8A8 (Xiao et al., arXiv 2211.10438): int8 weights and int8 activations, the matmul in
integers on torch._int_mm, after moving the activations' outlier channels into the weights.

Activations of LLMs have a few input channels tens of times larger than the rest, so one int8 scale per
token wastes most of its 255 levels on them; weights are flat and quantize easily. SmoothQuant divides
each input channel j of the activations by

    s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)        (eq. 4; alpha = 0.5 for most models)

and multiplies the weights' column j by it, which leaves X W^T unchanged and splits the difficulty
between the two. max|X_j| is taken over calibration tokens on the unquantized model, max|W_j| over the
columns of every linear that reads X. The division is folded into the RMSNorm that produces X, so the
smoothed model has no extra op and no extra bytes; as the authors' smooth_lm does for Llama, that is:

    input_layernorm           -> q_proj, k_proj, v_proj
    post_attention_layernorm  -> gate_proj, up_proj

o_proj and down_proj have no norm in front of them and are quantized W8A8 without smoothing.

Quantization, as vLLM's int8 W8A8 path (compressed-tensors) runs it: weights symmetric int8 with one
fp32 scale per output channel, activations symmetric int8 with one scale per token computed at run time
(dynamic), y = (q_x q_w^T as int32) * s_x * s_w. lm_head and the embeddings stay 16-bit. Weight format:
calculators' int8-w8a8-channel.

torch._int_mm on CUDA needs more than 16 rows and both other dimensions multiples of 8; decode's few
rows are padded to 32 with zeros, whose products are dropped. The CPU build has no such limits.
"""

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn as nn

from ._calibration import Block, calibration_or_default, decoder_layers, run_capturing
from .awq import fold_scales, require_llama_layout
from .registry import MethodConfig, Unsupported, register, require_op

INT8_MAX = 127
CUDA_MIN_ROWS = 17  # torch._int_mm on CUDA: "mat1.size(0) needs to be greater than 16"

# (norm whose output is the input, linears that read it), names relative to the decoder layer.
SMOOTHED = (
    ("input_layernorm", ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj")),
    ("post_attention_layernorm", ("mlp.gate_proj", "mlp.up_proj")),
)


@dataclass(frozen=True)
class SmoothQuant(MethodConfig):
    method_id: ClassVar[str] = "smoothquant"
    version: ClassVar[int] = 1
    alpha: float = 0.5  # migration strength: 0 leaves the activations' outliers in place, 1 moves them all
    smooth: bool = True  # False: the same W8A8 quantization without smoothing (the paper's baseline)

    def __post_init__(self):
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be between 0 and 1, not {self.alpha}")

    @property
    def weight_format(self) -> str:
        return "int8-w8a8-channel"

    @property
    def label(self) -> str:
        return f"smoothquant-w8a8-a{self.alpha:g}" if self.smooth else "w8a8-int8-unsmoothed"

    @property
    def kernel(self) -> str:
        return "torch._int_mm (int8 x int8 -> int32), per-token activation quantization in eager ops"


SmoothQuant.variants = (SmoothQuant(),)


# -- tensor primitives ----------------------------------------------------------

def quantize_rows_int8(matrix: torch.Tensor) -> tuple:
    """(int8 codes, fp32 scales (rows,)): symmetric, scale = max|row| / 127, round to nearest."""
    matrix = matrix.float()
    scales = (matrix.abs().amax(dim=-1) / INT8_MAX).clamp(min=1e-8)
    codes = torch.round(matrix / scales[:, None]).clamp(-INT8_MAX, INT8_MAX).to(torch.int8)
    return codes, scales


def smoothing_scales(activation_max: torch.Tensor, weights: list, alpha: float) -> torch.Tensor:
    """s_j = max|X_j|^alpha / max|W_j|^(1 - alpha), W_j the column j of every reading linear (eq. 4)."""
    weight_max = torch.stack([weight.float().abs().amax(dim=0) for weight in weights]).amax(dim=0)
    scales = activation_max.float().clamp(min=1e-5).pow(alpha) / weight_max.clamp(min=1e-5).pow(1 - alpha)
    return scales.clamp(min=1e-5)


def int8_matmul(x: torch.Tensor, codes: torch.Tensor, scales: torch.Tensor, out_dtype) -> torch.Tensor:
    """x (tokens, in) quantized per token, times int8 weight codes (out, in), on torch._int_mm."""
    x_codes, x_scales = quantize_rows_int8(x)
    rows = x_codes.shape[0]
    if x_codes.is_cuda and rows < CUDA_MIN_ROWS:
        x_codes = torch.cat([x_codes, x_codes.new_zeros(32 - rows, x_codes.shape[1])])
    products = torch._int_mm(x_codes, codes.t())[:rows]
    return (products.float() * x_scales[:, None] * scales[None, :]).to(out_dtype)


class W8A8Linear(nn.Module):
    def __init__(self, codes: torch.Tensor, scales: torch.Tensor, bias: torch.Tensor | None):
        super().__init__()
        self.out_features, self.in_features = codes.shape
        self.register_buffer("weight", codes)
        self.register_buffer("weight_scale", scales)
        self.bias = None if bias is None else nn.Parameter(bias, requires_grad=False)

    @classmethod
    def from_linear(cls, linear: nn.Linear) -> "W8A8Linear":
        codes, scales = quantize_rows_int8(linear.weight.detach())
        return cls(codes, scales, None if linear.bias is None else linear.bias.detach())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features)
        out = int8_matmul(flat, self.weight, self.weight_scale, x.dtype).reshape(*x.shape[:-1], self.out_features)
        return out if self.bias is None else out + self.bias


# -- the model ------------------------------------------------------------------

def activation_maxima(model, calibration: torch.Tensor, names: list) -> dict:
    """max|x_j| per input channel of each named linear, over the calibration tokens, in one forward pass."""
    maxima = {}

    def record(name, x):
        x = x.float().abs().amax(dim=0)
        maxima[name] = x if name not in maxima else torch.maximum(maxima[name], x)

    readers = Block("", None, {name: model.get_submodule(name) for name in names})  # no module: the whole model
    run_capturing(model, calibration, readers, record)
    return maxima


def smooth(model, calibration: torch.Tensor, alpha: float) -> None:
    """Fold the smoothing scales into each decoder layer's two RMSNorms and the linears after them."""
    folds = [(f"{layer}.{norm}", [f"{layer}.{name}" for name in readers])
             for layer, _ in decoder_layers(model) for norm, readers in SMOOTHED]
    maxima = activation_maxima(model, calibration, [readers[0] for _, readers in folds])
    for norm, readers in folds:
        linears = [model.get_submodule(name) for name in readers]
        scales = smoothing_scales(maxima[readers[0]], [linear.weight for linear in linears], alpha)
        fold_scales(model.get_submodule(norm), linears, scales)


@register(SmoothQuant)
def quantize_smoothquant(model, config: SmoothQuant, device, calibration=None) -> None:
    require_llama_layout(model, "SmoothQuant")
    lm_head = model.get_output_embeddings()
    embedding = model.get_input_embeddings().weight
    linears = {name: module for name, module in model.named_modules()
               if type(module) is nn.Linear and module is not lm_head and module.weight is not embedding}
    _require_int_mm(linears, device)
    if config.smooth:
        smooth(model, calibration_or_default(model, calibration, device), config.alpha)
    for name in linears:
        model.set_submodule(name, W8A8Linear.from_linear(model.get_submodule(name)))


def _require_int_mm(linears: dict, device):
    """Unsupported unless torch._int_mm runs on `device` for every layer's shape."""
    device = torch.device(device)
    if device.type == "cuda":
        for name, linear in linears.items():
            if linear.in_features % 8 or linear.out_features % 8:
                raise Unsupported(f"{name} is {linear.out_features}x{linear.in_features}; torch._int_mm on CUDA "
                                  "needs both dimensions multiples of 8 (padding not implemented)")
    probe = torch.ones(32, 32, device=device)
    require_op("torch._int_mm", device, lambda: int8_matmul(probe, *quantize_rows_int8(probe), torch.bfloat16))
