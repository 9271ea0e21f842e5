"""bitsandbytes 4-bit (NF4 or FP4, optionally double-quantized) through transformers' BitsAndBytesConfig.

Blocks of 64 over the flattened weight, one fp32 absmax per block; double
quantization re-quantizes the absmax to uint8 in blocks of 256 (QLoRA, arXiv
2305.14314). Compute runs in `compute_dtype`. lm_head and the embeddings stay 16-bit.
"""

from dataclasses import dataclass
from typing import ClassVar

import torch

from ._bitsandbytes import import_bitsandbytes, quantize_with_bnb_config
from .registry import MethodConfig, register


@dataclass(frozen=True)
class Bnb4bit(MethodConfig):
    method_id: ClassVar[str] = "bnb-4bit"
    version: ClassVar[int] = 1
    quant_type: str = "nf4"
    double_quant: bool = False
    compute_dtype: str = "bfloat16"

    def __post_init__(self):
        if self.quant_type not in ("nf4", "fp4"):
            raise ValueError(f"quant_type must be nf4 or fp4, not {self.quant_type!r}")
        if self.compute_dtype not in ("bfloat16", "float16", "float32"):
            raise ValueError(f"compute_dtype must be bfloat16, float16 or float32, not {self.compute_dtype!r}")

    @property
    def weight_format(self) -> str:
        return self.quant_type + ("-dq" if self.double_quant else "")

    @property
    def kernel(self) -> str:
        return (f"bitsandbytes Linear4bit: {self.quant_type} dequantized to {self.compute_dtype} per call, "
                "fused 4-bit GEMV for single-token inputs")


Bnb4bit.variants = (Bnb4bit("nf4"), Bnb4bit("nf4", double_quant=True), Bnb4bit("fp4"))


@register(Bnb4bit)
def quantize_bnb_4bit(model, config: Bnb4bit, device, calibration=None) -> None:
    import_bitsandbytes()
    quantize_with_bnb_config(model, transformers_config(config), device)


def transformers_config(config: Bnb4bit):
    """The BitsAndBytesConfig a user would pass to from_pretrained for these settings."""
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(bnb_4bit_quant_type=config.quant_type, load_in_4bit=True,
                              bnb_4bit_use_double_quant=config.double_quant,
                              bnb_4bit_compute_dtype=getattr(torch, config.compute_dtype))
