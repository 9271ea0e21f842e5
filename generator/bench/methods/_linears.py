"""Swapping a model's nn.Linear modules for quantized ones, one module at a time."""

import torch.nn as nn


def replace_linears(model, make_replacement) -> int:
    """Replace every plain nn.Linear by `make_replacement(name, linear)`; return how many were replaced.

    A linear whose weight is the input embedding (tied lm_head) is left alone:
    quantizing it would add a second copy of the embedding. Each original is
    released as soon as its replacement is in place, so the peak is one model
    plus one layer, not two models.
    """
    embedding = model.get_input_embeddings().weight
    names = [name for name, module in model.named_modules()
             if type(module) is nn.Linear and module.weight is not embedding]
    for name in names:
        model.set_submodule(name, make_replacement(name, model.get_submodule(name)))
    return len(names)
