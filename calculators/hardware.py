"""Accelerators: memory, bandwidth and dense peak rates, each with its sources.

The values live in `hardware_data.py` (transcribed from vendor datasheets and
spec tables, each entry with the citations it was read from); this module turns
them into typed records and picks the peak rate a given compute data type runs at.
"""

from .errors import CalculatorError
from .hardware_data import ALLOCATABLE, HARDWARE
from .records import record

GIB = 1 << 30
RATE_KEYS = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4")


MEMORY_NOUNS = {"cpu": "system memory", "unified-memory": "unified memory"}


@record
class Accelerator:
    id: str
    name: str
    vendor: str
    kind: str
    memory_bytes: int
    memory_type: str
    bandwidth_bytes_s: float
    compute_capability: str | None
    dense_flops_s: dict  # data type -> dense peak FLOP/s (or OP/s for int8); None where not published
    interconnect: str | None
    sources: tuple
    notes: str
    # What a program can allocate (CUDA's or ROCm's total, Metal's default working set on Apple silicon), with
    # the report it comes from; the label's capacity where no report is known (allocatable_source is None).
    allocatable_bytes: int = 0
    allocatable_source: str | None = None
    allocatable_quote: str = ""

    @property
    def memory_gib(self) -> float:
        return self.memory_bytes / GIB

    @property
    def memory_noun(self) -> str:
        """What its memory is called in a sentence: a CPU has system memory, an Apple chip unified memory."""
        return MEMORY_NOUNS.get(self.kind, "GPU memory")

    @property
    def per_device(self) -> str:
        """'per GPU' for accelerators of which a setup may hold several; a CPU or an Apple chip is one machine."""
        return "" if self.kind in MEMORY_NOUNS else "per GPU"


@record
class PeakRate:
    """The rate a matmul in `requested` runs at here; `used` says which rate that was."""

    requested: str
    used: str
    flops_s: float
    note: str


def _allocatable(device_id: str, label_bytes: int) -> tuple:
    """(bytes, source, quote) from ALLOCATABLE, or the label with no source."""
    entry = ALLOCATABLE.get(device_id)
    if entry is None:
        return label_bytes, None, ""
    exact = entry["bytes"] if "bytes" in entry else round(entry["gib"] * GIB)
    return exact, entry["source"], entry["quote"]


def _accelerator(entry: dict) -> Accelerator:
    rates = entry["dense_tflops"]
    label_bytes = round(entry["memory_gib"] * GIB)
    allocatable, source, quote = _allocatable(entry["id"], label_bytes)
    return Accelerator(
        id=entry["id"], name=entry["name"], vendor=entry["vendor"], kind=entry["kind"],
        # Vendors label capacity in binary units (HBM and GDDR parts come in powers of two).
        memory_bytes=label_bytes,
        memory_type=entry["memory_type"],
        bandwidth_bytes_s=entry["memory_bandwidth_gb_s"] * 1e9,
        compute_capability=entry.get("compute_capability"),
        dense_flops_s={key: (rates[key] * 1e12 if rates.get(key) is not None else None) for key in RATE_KEYS},
        interconnect=entry.get("interconnect"),
        sources=tuple(entry["sources"]),
        notes=entry.get("notes", ""),
        allocatable_bytes=allocatable, allocatable_source=source, allocatable_quote=quote,
    )


ACCELERATORS = {entry["id"]: _accelerator(entry) for entry in HARDWARE}


def accelerator(accelerator_id: str) -> Accelerator:
    try:
        return ACCELERATORS[accelerator_id]
    except (KeyError, TypeError):
        raise CalculatorError(
            f"unknown GPU {str(accelerator_id)[:40]!r}; `python -m calculators gpus` lists them", "gpu") from None


# Which rates stand in when a data type has no hardware support, in order.
_FALLBACKS = {
    "fp32": ("fp32",),
    "bf16": ("bf16", "fp16", "fp32"),
    "fp16": ("fp16", "bf16", "fp32"),
    "int8": ("int8", "bf16", "fp16", "fp32"),
    "fp8": ("fp8", "bf16", "fp16", "fp32"),
    "fp4": ("fp4", "fp8", "bf16", "fp16", "fp32"),
}


def peak_rate(acc: Accelerator, compute: str) -> PeakRate:
    """Dense peak for `compute`, or the first supported fallback (FP8 W8A8 on an
    Ampere card runs as 16-bit, for example), saying so in `note`."""
    if compute not in _FALLBACKS:
        raise CalculatorError(f"unknown compute type {compute!r}", "compute")
    for key in _FALLBACKS[compute]:
        rate = acc.dense_flops_s.get(key)
        if rate:
            note = "" if key == compute else f"{acc.name} has no published dense {compute} rate; using {key}"
            return PeakRate(requested=compute, used=key, flops_s=rate, note=note)
    raise CalculatorError(f"{acc.name} has no published peak compute rate", "gpu")


def ridge_point(acc: Accelerator, compute: str = "bf16") -> float:
    """Arithmetic intensity (FLOP per byte) where the roofline turns: peak FLOP/s / bandwidth B/s."""
    return peak_rate(acc, compute).flops_s / acc.bandwidth_bytes_s


# Bounds no real accelerator of this catalog's kinds falls outside; a value
# typed in the wrong unit (GB/s as MB/s, sparse for dense) lands outside them.
PLAUSIBLE = {
    "memory_bytes": (4 * GIB, 2048 * GIB),
    "bandwidth_bytes_s": (50e9, 20e12),
    "fp32": (0.5e12, 500e12),
    "bf16": (5e12, 20_000e12),
    "ridge_bf16": (5.0, 2000.0),
}


def implausible_fields(acc: Accelerator) -> list:
    """Names of the fields whose values fall outside PLAUSIBLE or break an ordering
    every datasheet keeps (fp8 and int8 at least as fast as 16-bit)."""
    problems = []
    for name in ("memory_bytes", "bandwidth_bytes_s"):
        low, high = PLAUSIBLE[name]
        if not low <= getattr(acc, name) <= high:
            problems.append(name)
    rates = acc.dense_flops_s
    for name in ("fp32", "bf16"):
        low, high = PLAUSIBLE[name]
        if rates[name] is not None and not low <= rates[name] <= high:
            problems.append(name)
    if rates["bf16"]:
        low, high = PLAUSIBLE["ridge_bf16"]
        if not low <= rates["bf16"] / acc.bandwidth_bytes_s <= high:
            problems.append("ridge_bf16")
        for name in ("fp8", "int8", "fp4"):
            if rates[name] is not None and rates[name] < rates["bf16"]:
                problems.append(name)
    if not acc.sources:
        problems.append("sources")
    return problems
