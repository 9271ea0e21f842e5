"""Weight memory: bytes of a model's weights in a format, broken down by part."""

from functools import lru_cache

from .architecture import PARTS, Architecture, count_parameters
from .formats import WeightFormat
from .records import record


@record
class WeightBytes:
    """Bytes of every part, quantization metadata in its own bucket.

    total_bytes = sum(by_part.values()) + metadata_bytes.
    active_bytes are what one token reads: for MoE only experts_per_token of
    num_experts routed experts (their metadata included).
    """

    format_id: str
    by_part: dict
    metadata_bytes: int
    total_bytes: int
    active_bytes: int
    expert_bytes: int  # routed experts, metadata included (0 for dense models)
    params: int
    active_params: int
    # Bytes a file holds besides the tensors (a GGUF header and tokenizer); not part of total_bytes.
    header_bytes: int = 0

    @property
    def bits_per_param(self) -> float:
        return self.total_bytes * 8 / self.params

    @property
    def file_bytes(self) -> int:
        """Size of the file the weights are shipped in (tensors plus header)."""
        return self.total_bytes + self.header_bytes


def weight_bytes(arch: Architecture, fmt: WeightFormat) -> WeightBytes:
    """The bytes of `arch`'s weights stored in `fmt`, by part (see _weight_bytes)."""
    return _cached_weight_bytes(arch, fmt)


# A page's result asks for the same model in the same format many times (the comparison, the fit's
# suggestions, the roofline's sweeps), and a live page recomputes it on every input change; architectures
# and formats are frozen and hashable, and callers never change a result (its by_part is read only).
@lru_cache(maxsize=256)
def _cached_weight_bytes(arch: Architecture, fmt: WeightFormat) -> WeightBytes:
    return _weight_bytes(arch, fmt)


def _weight_bytes(arch: Architecture, fmt: WeightFormat) -> WeightBytes:
    """For each tensor: format.matrix_bytes(out, in) if the format quantizes its part,
    else numel * unquantized_bits / 8 (norms, biases, router, parts a library skips).
    A GGUF file type picks a type per tensor of the whole model (formats.GgufFileType).
    """
    by_part = {part: 0 for part in PARTS}
    metadata_by_part = {part: 0 for part in PARTS}
    header = 0
    model_file = getattr(fmt.layout, "model_file", None)
    if model_file is not None:
        stored = model_file(arch)
        for part, size in stored.by_part.items():
            by_part[part] += size
        for part, size in stored.metadata_by_part.items():
            metadata_by_part[part] += size
        header = stored.header_bytes
    else:
        for group in arch.tensors():
            if group.is_matrix and group.part in fmt.quantized_parts:
                stored = fmt.matrix_bytes(*group.shape)
                by_part[group.part] += stored.payload * group.count
                metadata_by_part[group.part] += stored.metadata * group.count
            else:
                by_part[group.part] += group.numel * fmt.unquantized_bits // 8
    metadata = sum(metadata_by_part.values())
    total = sum(by_part.values()) + metadata
    experts = by_part["experts"] + metadata_by_part["experts"]
    active = total - experts * (arch.num_experts - arch.experts_per_token) // arch.num_experts if arch.is_moe else total
    counts = count_parameters(arch)
    return WeightBytes(format_id=fmt.id, by_part=by_part, metadata_bytes=metadata, total_bytes=total,
                       active_bytes=active, expert_bytes=experts, params=counts.total, active_params=counts.active,
                       header_bytes=header)
