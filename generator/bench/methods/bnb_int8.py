"""LLM.int8() (bitsandbytes Linear8bitLt) through transformers' BitsAndBytesConfig.

int8 weights with one fp32 scale per output row; activation columns with any
value above `threshold` go through a 16-bit matmul (Dettmers et al., arXiv
2208.07339). lm_head and the embeddings stay 16-bit.
"""

from dataclasses import dataclass
from typing import ClassVar

from ._bitsandbytes import import_bitsandbytes, quantize_with_bnb_config
from .registry import MethodConfig, register


@dataclass(frozen=True)
class BnbInt8(MethodConfig):
    method_id: ClassVar[str] = "bnb-llm-int8"
    version: ClassVar[int] = 1
    threshold: float = 6.0  # the paper's outlier threshold and transformers' default

    @property
    def weight_format(self) -> str:
        return "llm-int8"

    @property
    def kernel(self) -> str:
        return "bitsandbytes Linear8bitLt: int8 matmul, outlier columns in 16-bit"


BnbInt8.variants = (BnbInt8(),)


@register(BnbInt8)
def quantize_llm_int8(model, config: BnbInt8, device, calibration=None) -> None:
    import_bitsandbytes()
    from transformers import BitsAndBytesConfig

    quantize_with_bnb_config(model, BitsAndBytesConfig(load_in_8bit=True, llm_int8_threshold=config.threshold),
                             device)
