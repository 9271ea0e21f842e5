"""Building a model straight into 4-bit, one layer at a time, so that a 70B-class model is measured in
4-bit (about 40 GB) on one H200 (141 GB), which could not first hold its 141 GB of bf16 weights.

The model is made on the meta device (shapes, no memory). Then its modules are made real in forward
order, one unit at a time: the embedding, each decoder layer, the final norm, the rotary embedding,
lm_head. A unit's parameters and buffers are allocated on the device and filled by the model's own
`_init_weights` (the initialisation transformers applies to any weight a checkpoint lacks: normal(0,
initializer_range) for linears and embeddings, ones for RMSNorm weights, the rotary inv_freq computed from
the config; a model class that overrides it gets its own), and the unit's linears are quantized before the
next unit is made. So at most one unit is ever held in bf16, beside the 4-bit weights already made.
"""

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn as nn

from .methods import Bnb4bit, Int4WeightOnly, MethodConfig, Unsupported
from .methods._bitsandbytes import fill_bnb_module, swap_in_bnb_modules
from .methods.bnb_4bit import transformers_config
from .methods.int4_weight_only import Int4WeightOnlyLinear, require_tinygemm_shapes
from .models import ModelSpec, build_model

META = torch.device("meta")


@dataclass(frozen=True)
class _Unit:
    """What is made real and quantized at once: a decoder layer whole, or one other module's own tensors."""

    name: str
    modules: tuple  # (qualified name, module) pairs whose own parameters and buffers belong to this unit


def build_quantized_layer_by_layer(spec: ModelSpec, config: MethodConfig, device, seed: int = 0,
                                   on_unit: Callable[[str, str, nn.Module], None] | None = None):
    """The spec's model with random weights, quantized by `config`, built one unit at a time (see above).

    Supports Int4WeightOnly (every linear, lm_head included, to tinygemm's Int4WeightOnlyLinear, as
    methods.quantize does) and Bnb4bit (bitsandbytes Linear4bit for the linears transformers' integration
    converts: lm_head and tied weights stay bf16); other configs raise Unsupported.
    `on_unit(unit_name, stage, model)`, if given, is called as each unit is made ("materialised") and once
    its linears are quantized ("quantized"): tests look at the model at those points.
    """
    if spec.pretrained is not None:
        raise Unsupported(f"{spec.id} is a checkpoint; the layer-by-layer build makes random weights only")
    device = torch.device(device)
    model = build_model(spec, META)
    convert = _converter(config)(model, config, device)
    torch.manual_seed(seed)
    made = {}  # id of a meta tensor -> (it, its real tensor): a tied weight is made once, then shared
    for unit in _units(model):
        _materialise(model, unit, device, made)
        if on_unit is not None:
            on_unit(unit.name, "materialised", model)
        for name, module in unit.modules:
            if type(module) is nn.Linear:
                replacement = convert(model, name, module)
                if replacement is not None:
                    model.set_submodule(name, replacement)
        if on_unit is not None:
            on_unit(unit.name, "quantized", model)
    left = [name for name, tensor in (*model.named_parameters(), *model.named_buffers()) if tensor.is_meta]
    if left:
        raise RuntimeError(f"{spec.id}: {', '.join(left[:5])} still on the meta device after the layer-by-layer "
                           "build (a module outside every unit?)")
    return model


def peak_bf16_layer_bytes(spec: ModelSpec, dtype=torch.bfloat16) -> int:
    """Bytes of the largest unit (decoder layer, embedding or lm_head) in `dtype`: the most that
    build_quantized_layer_by_layer holds unquantized at once, beside the quantized weights already made
    (quantizing a linear briefly needs a few float32 copies of it too). Computed on the meta device."""
    model = build_model(spec, META)
    return max(sum(tensor.numel() * (dtype.itemsize if tensor.is_floating_point() else tensor.element_size())
                   for _, module in unit.modules for tensor in module.parameters(recurse=False))
               for unit in _units(model))


# -- units ------------------------------------------------------------------------

def _decoder_layers(model) -> nn.ModuleList:
    """The model's stack of decoder layers: its ModuleList with the most parameters (model.layers in
    transformers' decoder-only models)."""
    lists = [module for module in model.modules() if isinstance(module, nn.ModuleList)]
    if not lists:
        raise Unsupported(f"{type(model).__name__} has no ModuleList of decoder layers to build one at a time")
    return max(lists, key=lambda layers: sum(parameter.numel() for parameter in layers.parameters()))


def _units(model) -> list:
    """The units in the order of model.named_modules() (forward order for transformers' decoder-only models)."""
    layers = {id(layer) for layer in _decoder_layers(model)}
    units, inside = [], None
    for name, module in model.named_modules():
        if inside is not None and name.startswith(inside + "."):
            continue  # part of the decoder layer already taken whole
        if id(module) in layers:
            inside = name
            units.append(_Unit(name, tuple(module.named_modules(prefix=name))))
        elif any(tensor is not None for tensor in (*module._parameters.values(), *module._buffers.values())):
            units.append(_Unit(name, ((name, module),)))
    return units


def _materialise(model, unit: _Unit, device, made: dict) -> None:
    """Replace the unit's meta parameters and buffers by tensors on `device`, filled by the model's _init_weights.

    They start as NaN, so a tensor that _init_weights leaves unset is found (and named) rather than timed.
    """
    fresh = []
    for module_name, module in unit.modules:
        new_here = False
        for slot in (module._parameters, module._buffers):
            for key, tensor in slot.items():
                if tensor is None or not tensor.is_meta:
                    continue
                if id(tensor) not in made:
                    real = _unset_like(tensor, device)
                    made[id(tensor)] = (tensor, nn.Parameter(real, requires_grad=False)
                                        if slot is module._parameters else real)
                    new_here = True
                slot[key] = made[id(tensor)][1]
        if new_here:
            fresh.append((module_name, module))
    with torch.no_grad():
        for _, module in fresh:
            model._init_weights(module)
    for module_name, module in fresh:
        for key, tensor in (*module._parameters.items(), *module._buffers.items()):
            if tensor is not None and tensor.is_floating_point() and torch.isnan(tensor).any():
                raise RuntimeError(f"{type(model).__name__}._init_weights left {module_name}.{key} unset; "
                                   "the layer-by-layer build cannot make this model")


def _unset_like(tensor: torch.Tensor, device) -> torch.Tensor:
    if tensor.is_floating_point():
        return torch.full_like(tensor, float("nan"), device=device)
    return torch.zeros_like(tensor, device=device)


# -- one linear at a time, per method --------------------------------------------------

def _converter(config: MethodConfig):
    """prepare(meta model, config, device) -> convert(model, name, linear) -> its quantized module, or None
    to keep it bf16. `prepare` refuses (Unsupported) before anything is made."""
    prepare = _PREPARE.get(type(config))
    if prepare is None:
        raise Unsupported(f"{config.label} has no layer-by-layer build; it has: "
                          f"{', '.join(config_type.method_id for config_type in _PREPARE)}")
    return prepare


def _prepare_int4(model, config: Int4WeightOnly, device):
    """What methods.quantize(model, Int4WeightOnly) does, one linear at a time: its refusals checked on the
    meta model, then Int4WeightOnlyLinear."""
    kernels = require_tinygemm_shapes(model, config, device)

    def convert(model, name, linear):
        if linear.weight is model.get_input_embeddings().weight:
            return None  # a tied lm_head stays the embedding, as in _linears.replace_linears
        return Int4WeightOnlyLinear.from_linear(linear, config, kernels)

    return convert


def _prepare_bnb_4bit(model, config: Bnb4bit, device):
    """What methods.quantize(model, Bnb4bit) does, one linear at a time: transformers' module swap runs once
    on the meta model, so the same linears (not lm_head, not tied weights) become the same Linear4bit modules;
    the plain linears go back until their unit is made, and then each is filled and quantized on the device."""
    targets = swap_in_bnb_modules(model, transformers_config(config))
    for name, (module, original) in targets.items():
        model.set_submodule(name, original)

    def convert(model, name, linear):
        target = targets.pop(name, None)
        return None if target is None else fill_bnb_module(target[0], linear, device)

    return convert


_PREPARE = {Int4WeightOnly: _prepare_int4, Bnb4bit: _prepare_bnb_4bit}
