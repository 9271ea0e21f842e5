"""What the calibrated int4 methods (GPTQ, AWQ) share: the model walked block by block, the inputs
each linear sees on the calibration tokens (forward pre-hooks), and the tinygemm int4 module they
all end on, so that GPTQ, AWQ and round-to-nearest differ in quality only, not in speed or bytes.

Blocks are the decoder layers in order, then the linears outside them (lm_head). A block's inputs
are captured after every earlier block has been quantized, so each block is fitted to the inputs
the quantized model really gives it (GPTQ sec. 4 "sequential", AWQ's layer-by-layer search); the
forward pass stops as soon as the block has run.
"""

from dataclasses import dataclass
from typing import Callable, Iterator

import torch
import torch.nn as nn

from .. import measure
from .int4_weight_only import _KERNELS, Int4WeightOnlyLinear, _Kernels, pack_scales_and_zeros
from .registry import Unsupported


class _BlockDone(Exception):
    """Raised by a hook to end the calibration forward pass once the block of interest has run."""


@dataclass(frozen=True)
class Block:
    """A stretch of the model whose linears are quantized together, from inputs captured in one pass."""

    name: str  # qualified module name ("model.layers.3"), or "" for the linears outside the decoder layers
    module: nn.Module | None  # the pass stops after this module; None: run the whole model
    linears: dict  # qualified name -> nn.Linear


def calibration_or_default(model, calibration, device) -> torch.Tensor:
    """The token ids to calibrate on; without any, the bench's random ids (measure.calibration_ids),
    the same ones the runner passes for random-init models."""
    if calibration is not None:
        return calibration
    return measure.calibration_ids(model.config.vocab_size, device)


def quantizable_linears(model) -> dict:
    """Every plain nn.Linear by qualified name, except a lm_head tied to the embedding (as _linears.replace_linears)."""
    embedding = model.get_input_embeddings().weight
    return {name: module for name, module in model.named_modules()
            if type(module) is nn.Linear and module.weight is not embedding}


def decoder_layers(model) -> tuple:
    """(qualified name, layer) of each decoder layer: the ModuleList of config.num_hidden_layers blocks."""
    count = model.config.num_hidden_layers
    for name, module in model.named_modules():
        if isinstance(module, nn.ModuleList) and len(module) == count:
            return tuple((f"{name}.{index}", layer) for index, layer in enumerate(module))
    raise Unsupported(f"found no ModuleList of {count} decoder layers in {type(model).__name__}")


def blocks(model) -> Iterator[Block]:
    """The decoder layers in order, then a last block of the linears outside them (lm_head).

    Lazy: a block's linears are looked up only when it is reached, after the
    earlier blocks' linears have been replaced.
    """
    layers = decoder_layers(model)
    for name, layer in layers:
        yield Block(name, layer, {key: linear for key, linear in quantizable_linears(model).items()
                                  if key.startswith(name + ".")})
    prefixes = tuple(name + "." for name, _ in layers)
    rest = {key: linear for key, linear in quantizable_linears(model).items() if not key.startswith(prefixes)}
    if rest:
        yield Block("", None, rest)


@torch.no_grad()
def run_capturing(model, calibration: torch.Tensor, block: Block, on_input: Callable) -> None:
    """Run the calibration tokens through `model`, calling on_input(name, x) with each of the block's
    linears' inputs, x as (tokens, in_features); stop once the block has run."""
    def capture(name):
        return lambda module, args: on_input(name, args[0].reshape(-1, args[0].shape[-1]))

    def stop(module, args, output):
        raise _BlockDone

    handles = [linear.register_forward_pre_hook(capture(name)) for name, linear in block.linears.items()]
    if block.module is not None:
        handles.append(block.module.register_forward_hook(stop))
    try:
        model(calibration, use_cache=False)
    except _BlockDone:
        pass
    finally:
        for handle in handles:
            handle.remove()


# -- the tinygemm int4 module they all end on -----------------------------------

def require_tinygemm(model, group_size: int, inner_k_tiles: int, device) -> _Kernels:
    """The tinygemm kernels for `device`, after checking every linear fits them (as int4_weight_only does)."""
    kernels = _KERNELS.get(torch.device(device).type)
    if kernels is None:
        raise Unsupported(f"no tinygemm int4 kernel for device type {torch.device(device).type!r}")
    multiple = max(group_size, inner_k_tiles * 16)
    for name, linear in quantizable_linears(model).items():
        if linear.in_features % multiple or linear.out_features % 8:
            raise Unsupported(f"{name} is {linear.out_features}x{linear.in_features}; tinygemm needs in_features "
                              f"a multiple of {multiple} and out_features a multiple of 8 (padding not implemented)")
    return kernels


def int4_linear(linear: nn.Linear, codes: torch.Tensor, scales: torch.Tensor, zeros: torch.Tensor,
                group_size: int, inner_k_tiles: int, kernels: _Kernels) -> Int4WeightOnlyLinear:
    """int4_weight_only's module holding given codes (int32 (out, in)) and bf16 scales and zeros (out, groups)."""
    bias = None if linear.bias is None else linear.bias.detach()
    return Int4WeightOnlyLinear(kernels.pack(codes.contiguous(), inner_k_tiles), pack_scales_and_zeros(scales, zeros),
                                bias, linear.in_features, linear.out_features, group_size, kernels)
