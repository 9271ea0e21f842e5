"""AWQ (Lin et al., arXiv 2306.00978): scale up the input channels that carry large activations before
rounding, and scale the activations down by the same factor, so the salient weights lose less.

For the linears that read the same input X (tokens, in), a per-input-channel scale
    s = mean|X|^alpha,  normalised by sqrt(max s * min s)        (sec. 3.2, eq. 5; llm-awq auto_scale)
is searched over alpha = i / n_grid, i = 0 .. n_grid - 1 (alpha = 0 is round-to-nearest), keeping
the alpha that minimises sum over the linears of ||Q(W s) (X / s)^T - W X^T||^2 on the calibration
inputs, Q the group-128 int4 quantizer these weights end up in. The scale is then folded in:
W *= s on the reading linears, and the op that produces X divides by s, exactly as llm-awq and
AutoAWQ fold it for llama-style layers:

    input_layernorm           -> q_proj, k_proj, v_proj     (the RMSNorm weight / s)
    v_proj                    -> o_proj                     (v_proj's output rows / s; only when
                                                             v_proj's outputs are o_proj's inputs one to
                                                             one, i.e. no grouped-query attention)
    post_attention_layernorm  -> gate_proj, up_proj
    up_proj                   -> down_proj                  (down reads act(gate) * up, linear in up)
    final norm                -> lm_head                    (here because lm_head is int4 in this format)

No explicit input scale is kept anywhere, so the model has exactly RTN's modules and bytes. o_proj
under grouped-query attention gets no scale (as in AutoAWQ) and is plain round-to-nearest.

Then the clipping search (llm-awq auto_clip; version 2 of this method): for each group of 128 weights
of a linear, the weights are clamped to [-r max|w|, r max|w|] before rounding, r = 1 - i / clip_grid for
i below max_shrink * clip_grid, keeping per group the r whose group's share of the output, x_g w_g^T,
changes least on up to 512 calibration tokens (the search treats groups one by one, as llm-awq does; the
cross terms between groups are left out). A slightly clipped group spends its 16 levels on where most
weights are. q_proj and k_proj are not clipped: their outputs meet in the attention scores, which a
per-linear error does not see (llm-awq skips them for that reason). Folding into the 16-bit norm weights
rounds s / norm to bf16; the scaled weights are rounded to bf16 before quantization, as the search
assumes. Then every linear is quantized group-wise (int4_weight_only's RTN) onto its tinygemm
module: weight format int4-tinygemm-g128 (an AutoAWQ checkpoint would store awq-int4-g128).

The folds are a table of module names, so only model types known to have llama's layer layout
(and an RMSNorm that multiplies by its weight, which Gemma's 1 + weight does not) are accepted.
"""

from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn as nn

from ._calibration import Block, blocks, calibration_or_default, int4_linear, require_tinygemm, run_capturing
from .int4_weight_only import (EndsOnTinygemm, check_tinygemm_settings, dequantize_groups, group_qparams,
                               quantize_groups)
from .registry import MethodConfig, Unsupported, register

LLAMA_LAYOUT = ("llama", "mistral", "qwen2", "qwen3")

# (op whose output is the input, linears that read it), names relative to the decoder layer.
LAYER_FOLDS = (
    ("input_layernorm", ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj")),
    ("self_attn.v_proj", ("self_attn.o_proj",)),
    ("post_attention_layernorm", ("mlp.gate_proj", "mlp.up_proj")),
    ("mlp.up_proj", ("mlp.down_proj",)),
)
HEAD_FOLD = ("model.norm", ("lm_head",))  # names relative to the model


@dataclass(frozen=True)
class AWQ(EndsOnTinygemm, MethodConfig):
    method_id: ClassVar[str] = "awq"
    version: ClassVar[int] = 2  # 2: the clipping search
    bits: int = 4
    group_size: int = 128
    n_grid: int = 20  # llm-awq auto_scale's grid
    inner_k_tiles: int = 8
    clip: bool = True
    clip_grid: int = 20  # llm-awq auto_clip's grid and largest shrink
    max_shrink: float = 0.5

    def __post_init__(self):
        check_tinygemm_settings(self.bits, self.group_size, self.inner_k_tiles)
        if self.n_grid < 1 or self.clip_grid < 1:
            raise ValueError(f"n_grid and clip_grid must be at least 1, not {self.n_grid} and {self.clip_grid}")
        if not 0.0 <= self.max_shrink < 1.0:
            raise ValueError(f"max_shrink must be in [0, 1), not {self.max_shrink}")

    @property
    def weight_format(self) -> str:
        return f"int4-tinygemm-g{self.group_size}"

    @property
    def label(self) -> str:
        return f"awq-int4-g{self.group_size}"


AWQ.variants = (AWQ(),)


# -- tensor primitives ----------------------------------------------------------

def fake_quantize(weight: torch.Tensor, group_size: int) -> torch.Tensor:
    """The weight as the int4 kernel will see it: bf16, then group-wise RTN, dequantized (fp32)."""
    weight = weight.to(torch.bfloat16)
    scales, zeros = group_qparams(weight, group_size)
    return dequantize_groups(quantize_groups(weight, scales, zeros, group_size), scales, zeros, group_size)


def candidate_scales(inputs: torch.Tensor, alpha: float) -> torch.Tensor:
    """s = mean|x|^alpha per input channel, normalised by sqrt(max * min) (llm-awq auto_scale)."""
    scales = inputs.float().abs().mean(dim=0).pow(alpha).clamp(min=1e-4)
    return scales / (scales.max() * scales.min()).sqrt()


def scaled_output_error(weights: list, inputs: torch.Tensor, scales: torch.Tensor, group_size: int) -> float:
    """sum over weights of mean (Q(W s) (X / s)^T - W X^T)^2; Q(W s) / s is used so X is multiplied once."""
    x = inputs.float()
    error = 0.0
    for weight in weights:
        weight = weight.float()
        effective = fake_quantize(weight * scales, group_size) / scales
        error += (x @ (effective - weight).T).pow(2).mean().item()
    return error


def search_scales(weights: list, inputs: torch.Tensor, config: AWQ) -> tuple:
    """(best alpha, its per-channel scales) over the grid; alpha = 0 (s = 1, plain RTN) is always a candidate."""
    candidates = [(i / config.n_grid, candidate_scales(inputs, i / config.n_grid)) for i in range(config.n_grid)]
    errors = [scaled_output_error(weights, inputs, scales, config.group_size) for _, scales in candidates]
    return candidates[errors.index(min(errors))]


CLIP_TOKENS = 512  # calibration tokens the clipping search looks at (llm-awq n_sample_token)
CLIP_ROWS = 256  # output rows searched at once, to bound the (rows, tokens, groups) products in memory
NOT_CLIPPED = ("q_proj", "k_proj")


def clip_limits(weight: torch.Tensor, inputs: torch.Tensor, config: AWQ) -> torch.Tensor:
    """Per (output row, group): the largest |w| to keep, chosen from r max|w| over the grid so that the
    group's output x_g Q(clamp(w_g))^T on the calibration inputs moves least from x_g w_g^T."""
    out_features, in_features = weight.shape
    groups, size = in_features // config.group_size, config.group_size
    x = inputs.float()
    x = x[torch.linspace(0, len(x) - 1, min(len(x), CLIP_TOKENS)).long()].reshape(-1, groups, size)
    limits = []
    for start in range(0, out_features, CLIP_ROWS):
        w = weight[start:start + CLIP_ROWS].to(torch.bfloat16).float()
        rows = w.shape[0]
        exact = torch.einsum("tgk,ogk->otg", x, w.reshape(rows, groups, size))
        original = w.reshape(rows, groups, size).abs().amax(dim=-1)
        best, best_error = original.clone(), torch.full_like(original, float("inf"))
        for step in range(int(config.max_shrink * config.clip_grid)):
            limit = original * (1 - step / config.clip_grid)
            clipped = w.reshape(rows, groups, size).clamp(-limit[..., None], limit[..., None]).reshape(rows, -1)
            rounded = fake_quantize(clipped, size).reshape(rows, groups, size)
            error = (torch.einsum("tgk,ogk->otg", x, rounded) - exact).pow(2).mean(dim=1)
            better = error < best_error
            best_error[better], best[better] = error[better], limit[better]
        limits.append(best)
    return torch.cat(limits)


def clip_weight(weight: torch.Tensor, limits: torch.Tensor, group_size: int) -> torch.Tensor:
    """Each group clamped to [-limit, limit], in the weight's dtype."""
    grouped = weight.float().reshape(weight.shape[0], -1, group_size)
    clipped = grouped.clamp(-limits[..., None], limits[..., None])
    return clipped.reshape(weight.shape).to(weight.dtype)


def fold_scales(previous: nn.Module, linears: list, scales: torch.Tensor) -> None:
    """W *= s on the reading linears; the previous op's output divided by s (a norm's weight, or a linear's rows)."""
    for linear in linears:
        linear.weight.data = (linear.weight.float() * scales).to(linear.weight.dtype)
    if isinstance(previous, nn.Linear):
        previous.weight.data = (previous.weight.float() / scales[:, None]).to(previous.weight.dtype)
        if previous.bias is not None:
            previous.bias.data = (previous.bias.float() / scales).to(previous.bias.dtype)
    else:
        previous.weight.data = (previous.weight.float() / scales).to(previous.weight.dtype)


# -- the model ------------------------------------------------------------------

def block_folds(model, block: Block) -> list:
    """(previous module, [reading linears], their qualified names) for each fold that applies to `block`."""
    prefix = block.name + "." if block.name else ""
    table = LAYER_FOLDS if block.name else (HEAD_FOLD,)
    folds = []
    for previous_name, names in table:
        names = [prefix + name for name in names]
        if not all(name in block.linears for name in names):
            continue  # a tied lm_head: not quantized
        previous = model.get_submodule(prefix + previous_name)
        linears = [block.linears[name] for name in names]
        if isinstance(previous, nn.Linear) and previous.out_features != linears[0].in_features:
            continue  # v_proj -> o_proj under grouped-query attention: not one to one
        folds.append((previous, linears, names))
    return folds


def capture_inputs(model, calibration: torch.Tensor, block: Block) -> dict:
    """Each linear's inputs (tokens, in) on the calibration tokens."""
    inputs = {}
    run_capturing(model, calibration, block, lambda name, x: inputs.setdefault(name, []).append(x))
    return {name: torch.cat(chunks) for name, chunks in inputs.items()}


def require_llama_layout(model, method: str) -> None:
    """Unsupported unless the folds' module names (LAYER_FOLDS, HEAD_FOLD) describe this model's layers."""
    model_type = model.config.model_type
    if model_type not in LLAMA_LAYOUT:
        raise Unsupported(f"{method}'s scale folding here knows the llama layer layout ({', '.join(LLAMA_LAYOUT)}), "
                          f"not model type {model_type!r}")


@register(AWQ)
def quantize_awq(model, config: AWQ, device, calibration=None) -> None:
    require_llama_layout(model, "AWQ")
    kernels = require_tinygemm(model, config.group_size, config.inner_k_tiles, device)
    calibration = calibration_or_default(model, calibration, device)
    for block in blocks(model):
        folds = block_folds(model, block)
        inputs = capture_inputs(model, calibration, block)
        # Search every fold first, on the unscaled layer, then fold: a fold's division of a linear's rows
        # (v_proj, up_proj) does not change how that linear's own groups round (per-row scales are equivariant).
        input_scales = {}  # reading linear -> the scales its input is divided by once folded
        for _, linears, names in folds:
            _, scales = search_scales([linear.weight for linear in linears], inputs[names[0]], config)
            input_scales.update(dict.fromkeys(names, scales))
        for previous, linears, names in folds:
            fold_scales(previous, linears, input_scales[names[0]])
        for name, linear in block.linears.items():
            if config.clip and not name.endswith(NOT_CLIPPED):
                x = inputs[name].float() / input_scales.get(name, 1.0)
                linear.weight.data = clip_weight(linear.weight, clip_limits(linear.weight, x, config),
                                                 config.group_size)
            weight = linear.weight.detach()
            scales, zeros = group_qparams(weight, config.group_size)
            codes = quantize_groups(weight, scales, zeros, config.group_size)
            model.set_submodule(name, int4_linear(linear, codes, scales, zeros, config.group_size,
                                                  config.inner_k_tiles, kernels))
