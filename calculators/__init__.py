"""The LLM quantization field guide's calculators: every formula, once.

Standard library only, so the same code runs in CPython 3.11+ and in Pyodide.
"""

from .architecture import PARTS, Architecture, ParameterCount, TensorGroup, count_parameters
from .errors import CalculatorError
from .fitting import ActivationBytes, FitResult, MemoryStack, activation_bytes, fit, memory_stack
from .formats import KV_FORMATS, WEIGHT_FORMATS, KVFormat, WeightFormat, kv_format, weight_format
from .hardware import ACCELERATORS, Accelerator, accelerator, peak_rate, ridge_point
from .hf_config import architecture_from_config, architecture_from_json
from .kv_cache import KVCacheBytes, kv_bytes_per_token, kv_cache_bytes
from .presets import PRESETS, Preset, preset, preset_architecture
from .roofline import Roofline, StepCost, compute_bound_batch, roofline
from .speculative import SpeculativeResult, best_draft_length, speculative_decoding
from .training import TrainingMemory, training_memory
from .weights import WeightBytes, weight_bytes
