"""Quantization methods: one file each, registered by config type (see registry.py).

Importing a method's module registers it; the order below is the order the
suites run them in, baselines first.
"""

from .registry import MethodConfig, Unsupported, config_from_record, config_types, quantize, standard_configs
from . import (unquantized, int8_weight_only, int4_weight_only, bnb_int8, bnb_4bit,  # noqa: E402,F401  (registration)
               gptq, awq, fp8, smoothquant)
from .bnb_4bit import Bnb4bit
from .bnb_int8 import BnbInt8
from .fp8 import Fp8
from .int4_weight_only import Int4WeightOnly
from .int8_weight_only import Int8WeightOnly
from .smoothquant import SmoothQuant
from .unquantized import Unquantized

REFERENCE = Unquantized("bfloat16")  # what quality metrics are measured against
