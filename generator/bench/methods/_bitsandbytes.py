"""Quantizing a model in place the way transformers' bitsandbytes integration does at load time.

`from_pretrained(quantization_config=BitsAndBytesConfig(...))` needs a checkpoint
on disk; the bench's models are made in memory, so this repeats its steps on a
live model: the same modules to skip (`get_keys_to_not_convert`: lm_head and
tied weights), the same module swap (`replace_with_bnb_linear`, which builds
the bitsandbytes modules on the meta device) and the same parameter
conversion as its Bnb4bitQuantize / Bnb8bitQuantize ops, quantizing on the
model's device.
"""

import logging
import warnings

import torch

from .registry import Unsupported

# LLM.int8()'s matmul casts bf16 inputs to float16, and bitsandbytes says so on every call: 0.50 with a
# logging warning, older releases with warnings.warn. A decode run of an 8B model made a 4.6 MB log of it.
CAST_NOTICE = "MatMul8bitLt: inputs will be cast from"


def _not_the_cast_notice(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(CAST_NOTICE)


def import_bitsandbytes():
    try:
        import bitsandbytes
    except ImportError as error:
        raise Unsupported(f"bitsandbytes is not installed ({error})") from None
    notices = logging.getLogger("bitsandbytes.autograd._functions")
    if _not_the_cast_notice not in notices.filters:
        notices.addFilter(_not_the_cast_notice)
    warnings.filterwarnings("ignore", message=CAST_NOTICE)
    return bitsandbytes


def swap_in_bnb_modules(model, bnb_config) -> dict:
    """transformers' module swap: {name: (the bitsandbytes module now in the model, the nn.Linear it replaced)}
    for every linear it converts (not lm_head, not tied weights); the new modules' weights are not made yet."""
    bnb = import_bitsandbytes()
    from transformers.integrations import replace_with_bnb_linear
    from transformers.quantizers.base import get_keys_to_not_convert

    skip = get_keys_to_not_convert(model) + list(bnb_config.llm_int8_skip_modules or [])
    originals = {name: module for name, module in model.named_modules() if type(module) is torch.nn.Linear}
    replace_with_bnb_linear(model, modules_to_not_convert=skip, quantization_config=bnb_config)
    return {name: (module, originals[name]) for name, module in model.named_modules()
            if isinstance(module, (bnb.nn.Linear4bit, bnb.nn.Linear8bitLt))}


def fill_bnb_module(module, linear, device):
    """Give a swapped-in bitsandbytes module `linear`'s weight (quantized on `device`) and bias."""
    bnb = import_bitsandbytes()
    weight = linear.weight.detach().to(device)
    if isinstance(module, bnb.nn.Linear8bitLt):
        module.weight = _int8_parameter(bnb, weight)
    else:  # Params4bit quantizes when it is moved to a device, as in transformers' Bnb4bitQuantize
        module.weight = bnb.nn.Params4bit(weight, requires_grad=False, **vars(module.weight)).to(device)
    if linear.bias is not None:
        module.bias = torch.nn.Parameter(linear.bias.detach().to(device), requires_grad=False)
    return module


def quantize_with_bnb_config(model, bnb_config, device) -> None:
    for module, original in swap_in_bnb_modules(model, bnb_config).values():
        fill_bnb_module(module, original, device)


def _int8_parameter(bnb, weight):
    """What Int8Params._quantize does, on the weight's own device.

    Int8Params quantizes only when it is moved off the CPU, so transformers sends
    every weight through the CPU; for a model already on the GPU that copy would
    dominate the measured quantize time.
    """
    codes, scales, _ = bnb.functional.int8_vectorwise_quant(weight.to(torch.float16).contiguous())
    return bnb.nn.Int8Params(codes, requires_grad=False, has_fp16_weights=False, CB=codes, SCB=scales)
