"""LoRA adapters on a model's linear layers (Hu et al. 2021, arXiv 2106.09685), on a 16-bit or a
bitsandbytes 4-bit base (QLoRA, Dettmers et al. 2023, arXiv 2305.14314), and merging them back.

    y = base(x) + (alpha / rank) * x A^T B^T        A: rank x in, B: out x rank

A is initialised as nn.Linear's weight is (Kaiming uniform) and B to zero, so an adapted model starts
out computing exactly what its base does. The adapter parameters are float32 (the master weights of
mixed-precision training); the base is frozen and may be any module that maps in_features to
out_features, nn.Linear or bitsandbytes' Linear4bit, whose backward pass gives the input's gradient
from the dequantized weight (QLoRA section 3).

Merging replaces each adapted module by one nn.Linear holding W + (alpha / rank) B A in the base's
16-bit dtype, W dequantized first for a 4-bit base: the merged model computes what the adapted one
does, up to the rounding of that sum to 16 bits. Quantizing it to 4 bits again rounds every weight
to the NF4 grid of its new block absmax, which is no longer the grid the adapters were trained on.
"""

import math

import torch
import torch.nn as nn

# Linear layers of a llama decoder block: every attention and MLP projection, as the QLoRA paper adapts
# (section 4: "LoRA on all linear transformer block layers"); lm_head and the embeddings are not adapted.
ALL_BLOCK_LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoRALinear(nn.Module):
    """A frozen base linear plus a trainable low-rank update."""

    def __init__(self, base: nn.Module, in_features: int, out_features: int, rank: int, alpha: float):
        super().__init__()
        if rank < 1:
            raise ValueError(f"LoRA rank must be at least 1, not {rank}")
        self.base, self.rank, self.alpha = base, rank, alpha
        self.in_features, self.out_features = in_features, out_features
        device = next(base.parameters()).device
        self.lora_a = nn.Parameter(torch.empty(rank, in_features, device=device, dtype=torch.float32))
        self.lora_b = nn.Parameter(torch.zeros(out_features, rank, device=device, dtype=torch.float32))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

    @property
    def scale(self) -> float:
        return self.alpha / self.rank

    def forward(self, x):
        return self.base(x) + nn.functional.linear(nn.functional.linear(x, self.lora_a), self.lora_b) * self.scale

    def delta_weight(self) -> torch.Tensor:
        """(alpha / rank) B A, float32, out x in."""
        return (self.lora_b @ self.lora_a) * self.scale


def attach_lora(model, rank: int, alpha: float, targets=ALL_BLOCK_LINEARS) -> int:
    """Freeze every parameter of `model` and wrap each linear whose name ends in one of `targets` in a
    LoRALinear; return the number of trainable (adapter) parameters."""
    model.requires_grad_(False)
    names = [name for name, module in model.named_modules()
             if name.rsplit(".", 1)[-1] in targets and _features(module) is not None]
    if not names:
        raise ValueError(f"no linear layer of the model is named {', '.join(targets)}")
    for name in names:
        module = model.get_submodule(name)
        in_features, out_features = _features(module)
        model.set_submodule(name, LoRALinear(module, in_features, out_features, rank, alpha))
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


def _features(module):
    """(in, out) of a linear layer (nn.Linear or a bitsandbytes subclass of it), else None."""
    return (module.in_features, module.out_features) if isinstance(module, nn.Linear) else None


def dequantized_weight(module: nn.Module, dtype) -> torch.Tensor:
    """The weight a base module computes with, in `dtype`: nn.Linear's own, or bitsandbytes' 4-bit weight
    dequantized with its quantization state (double quantization undone first).

    A Linear4bit that bitsandbytes repacked for its CPU inference kernel (quant_state.packing_format_for_cpu,
    done at the first eval-mode forward on a CPU with AVX512-BF16; it rounds the block absmax to bf16) no
    longer holds the weights it was trained with: such a module is refused (see keep_4bit_layout)."""
    if type(module) is nn.Linear:
        return module.weight.detach().to(dtype)
    import bitsandbytes.functional as bnb_functional

    data, state = module.weight.data, module.weight.quant_state
    if getattr(state, "packing_format_for_cpu", False):
        raise ValueError("the 4-bit weight was repacked for bitsandbytes' CPU inference kernel; call "
                         "keep_4bit_layout(model) before its first forward")
    return bnb_functional.dequantize_4bit(data, state).to(dtype)


@torch.no_grad()
def merge_lora(model, dtype=torch.bfloat16) -> int:
    """Replace every LoRALinear by an nn.Linear of `dtype` holding its base weight (dequantized) plus its
    update; return how many were merged."""
    names = [name for name, module in model.named_modules() if isinstance(module, LoRALinear)]
    for name in names:
        adapted = model.get_submodule(name)
        merged = (dequantized_weight(adapted.base, torch.float32) + adapted.delta_weight()).to(dtype)
        bias = getattr(adapted.base, "bias", None)
        linear = nn.Linear(adapted.in_features, adapted.out_features, bias=bias is not None,
                           device=merged.device, dtype=dtype)
        linear.weight.copy_(merged)
        if bias is not None:
            linear.bias.copy_(bias.detach().to(dtype))
        linear.requires_grad_(False)
        model.set_submodule(name, linear)
    return len(names)


def keep_4bit_layout(model) -> int:
    """Keep every bitsandbytes Linear4bit of `model` on its dequantize-and-multiply path in eval mode too, as
    in training and on CUDA: on a CPU with AVX512-BF16, bitsandbytes 0.50 otherwise repacks a weight for its
    CPU kernel at the first inference forward, rounding the block absmax to bf16 (bitsandbytes/nn/modules.py,
    Linear4bit.forward, support_avx512bf16_for_cpu). Returns how many modules it set."""
    count = 0
    for module in model.modules():
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False
            count += 1
    return count
