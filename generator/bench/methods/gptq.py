"""GPTQ (Frantar et al., arXiv 2210.17323): int4 codes chosen column by column, each column's rounding
error spread over the columns not yet quantized through the inverse Hessian of the layer's inputs.

For a linear with inputs X (tokens, in) the layer-wise objective ||W X^T - Q X^T||^2 has Hessian
    H = 2 X^T X / tokens                                   (eq. 1-2; averaged as the reference does)
dampened by damp * mean(diag H) on the diagonal (sec. 4 "Cholesky reformulation"). With U the upper
Cholesky factor of H^-1, quantizing column j and updating the rest is (eq. 3 with Algorithm 1)
    err = (w_j - q(w_j)) / U_jj,      W[:, j+1:] -= err U_j,j+1:
applied lazily in blocks of `block_size` columns (sec. 4 "lazy batch updates"). With act_order the
columns go in order of decreasing diag(H) (the reference's --act-order).

Quantizer: the same asymmetric group-wise int4 as round-to-nearest (int4_weight_only.group_qparams:
min/max per group of 128 inputs, bf16 scale and zero), so GPTQ and RTN differ only in the codes.
Without act_order a group's scale and zero are computed from the error-updated weights when its
first column is reached, as in the reference's gptq.py. With act_order the groups' scales and zeros
are computed up front from the original weights (the reference's --static-groups): tinygemm needs
each group to be 128 contiguous input columns, so the permuted groups a g_idx would describe cannot
be stored.

The result runs on int4_weight_only's tinygemm module, every nn.Linear included (lm_head too, fitted
to its own inputs), so speed and bytes are RTN's: weight format int4-tinygemm-g128. A GPTQ checkpoint
would store the same codes as gptq-int4-g128 (int32-packed qweight and qzeros, fp16 scales, g_idx).
Each decoder layer's linears are fitted together on the inputs the already-quantized earlier layers
give them (the reference without --true-sequential).
"""

from dataclasses import dataclass
from typing import ClassVar

import torch

from ._calibration import blocks, calibration_or_default, int4_linear, require_tinygemm, run_capturing
from .int4_weight_only import EndsOnTinygemm, check_tinygemm_settings, group_qparams
from .registry import MethodConfig, register


@dataclass(frozen=True)
class GPTQ(EndsOnTinygemm, MethodConfig):
    method_id: ClassVar[str] = "gptq"
    version: ClassVar[int] = 1
    bits: int = 4
    group_size: int = 128
    act_order: bool = False
    damp: float = 0.01  # the reference's --percdamp default
    block_size: int = 128  # lazy-batch width (the reference's blocksize)
    inner_k_tiles: int = 8

    def __post_init__(self):
        check_tinygemm_settings(self.bits, self.group_size, self.inner_k_tiles)
        if self.block_size % self.group_size:
            raise ValueError(f"block_size {self.block_size} must be a multiple of group_size {self.group_size}, "
                             "so that a group's scale is computed from fully updated weights")
        if not 0 < self.damp < 1:
            raise ValueError(f"damp must be between 0 and 1, not {self.damp}")

    @property
    def weight_format(self) -> str:
        return f"int4-tinygemm-g{self.group_size}"

    @property
    def label(self) -> str:
        return f"gptq-int4-g{self.group_size}" + ("-act-order" if self.act_order else "")


GPTQ.variants = (GPTQ(), GPTQ(act_order=True))


# -- tensor primitives ----------------------------------------------------------

def hessian(inputs_sum: torch.Tensor, tokens: int) -> torch.Tensor:
    """H = 2 X^T X / tokens from the accumulated X^T X (fp32)."""
    return 2 * inputs_sum / tokens


def inverse_hessian_factor(hessian: torch.Tensor, damp: float) -> torch.Tensor:
    """U, the upper Cholesky factor of (H + damp * mean(diag H) * I)^-1 (GPTQ sec. 4)."""
    dampened = hessian + damp * hessian.diagonal().mean() * torch.eye(len(hessian), device=hessian.device)
    factor, info = torch.linalg.cholesky_ex(dampened)
    if info.item():
        raise ValueError(f"the dampened Hessian is not positive definite (leading minor {info.item()}); "
                         "raise damp")
    return torch.linalg.cholesky(torch.cholesky_inverse(factor), upper=True)


def quantize_column(column: torch.Tensor, scales: torch.Tensor, zeros: torch.Tensor):
    """(codes, dequantized) of one input column against each row's group scale and zero (as quantize_groups)."""
    low = zeros - 8 * scales
    codes = column.sub(low).div(scales).round().clamp(0, 15)
    return codes, (codes - 8) * scales + zeros


def gptq_quantize(weight: torch.Tensor, hessian: torch.Tensor, config: GPTQ):
    """GPTQ's codes (int32 (out, in)) and bf16 scales and zeros (out, in / group) for one weight."""
    weight = weight.float().clone()
    hessian = hessian.float().clone()
    dead = hessian.diagonal() == 0  # inputs that are always zero: any code will do
    hessian[dead, dead] = 1
    weight[:, dead] = 0
    columns, group = weight.shape[1], config.group_size
    static = group_qparams(weight, group) if config.act_order else None
    order = torch.argsort(hessian.diagonal(), descending=True) if config.act_order else torch.arange(columns)
    weight, hessian = weight[:, order], hessian[order][:, order]
    inverse = inverse_hessian_factor(hessian, config.damp)

    codes = torch.zeros_like(weight)
    scales = torch.zeros(weight.shape[0], columns // group, dtype=torch.bfloat16, device=weight.device)
    zeros = torch.zeros_like(scales)
    for start in range(0, columns, config.block_size):
        end = min(start + config.block_size, columns)
        block, errors = weight[:, start:end].clone(), torch.zeros_like(weight[:, start:end])
        for i in range(end - start):
            column = start + i
            original = order[column].item()
            if static is None and column % group == 0:  # a new group: scale and zero from the updated weights
                group_scales, group_zeros = group_qparams(block[:, i:i + group], group)
                scales[:, column // group], zeros[:, column // group] = group_scales[:, 0], group_zeros[:, 0]
            scale, zero = (static[0], static[1]) if static is not None else (scales, zeros)
            codes[:, column], dequantized = quantize_column(
                block[:, i], scale[:, original // group].float(), zero[:, original // group].float())
            errors[:, i] = (block[:, i] - dequantized) / inverse[column, column]
            block[:, i:] -= errors[:, i:i + 1] @ inverse[column:column + 1, column:end]
        weight[:, end:] -= errors @ inverse[start:end, end:]
    if static is not None:
        scales, zeros = static
    return codes[:, torch.argsort(order)].to(torch.int32), scales, zeros


# -- the model ------------------------------------------------------------------

def accumulate_hessians(model, calibration: torch.Tensor, block) -> dict:
    """H of every linear of `block` on the calibration tokens."""
    sums, tokens = {}, {}

    def add(name, x):
        x = x.float()
        sums[name] = sums.get(name, 0) + x.T @ x
        tokens[name] = tokens.get(name, 0) + x.shape[0]

    run_capturing(model, calibration, block, add)
    return {name: hessian(sums[name], tokens[name]) for name in sums}


@register(GPTQ)
def quantize_gptq(model, config: GPTQ, device, calibration=None) -> None:
    kernels = require_tinygemm(model, config.group_size, config.inner_k_tiles, device)
    calibration = calibration_or_default(model, calibration, device)
    for block in blocks(model):
        hessians = accumulate_hessians(model, calibration, block)
        for name, linear in block.linears.items():
            if name not in hessians:
                raise ValueError(f"{name} saw none of the calibration tokens, so GPTQ has no Hessian for it")
            codes, scales, zeros = gptq_quantize(linear.weight.detach(), hessians[name], config)
            model.set_submodule(name, int4_linear(linear, codes, scales, zeros, config.group_size,
                                                  config.inner_k_tiles, kernels))
