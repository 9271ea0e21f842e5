"""EXL2, the format exllamav2 writes: GPTQ-style codes at a mix of bit widths chosen per layer.

Every quantized linear layer of an EXL2 model is stored as (turboderp/exllamav2
exllamav2/conversion/adaptivegptq.py, AdaptiveGPTQ.pack,
@b9c025b4b1ee78c0d34e700f2e474a02dfb13c90); "rows" are the input features:

    q_weight     int32 (sum over groups of ceil(rows_g * bits_g / 32), out + pad)   the codes
    q_scale      int32 (groups, (out + pad) * 4 / 32)    a 4-bit scale per group and output column
    q_scale_max  fp16  (groups,)                         each group's maximum scale
    q_groups     int16 (2 * groups,)                     each group's bit width and first packed row
    q_invperm    int32 (in,)                             the inverse act-order permutation (q_perm is rebuilt from it on load, module.py)
    bias         fp16  (out,)                            when the layer has one

where pad = -out % 32. Which bit widths a layer gets, and in which proportions and group
sizes, is a "mix" (exllamav2's QParams): the rows are cut, in order, into ceil(rows * p / group)
groups of each width. The head layer always takes the mix its head_bits names
(qparams_headoptions), so its bytes are exact. The decoder layers take whichever of the mixes in
qparams_attn / qparams_mlp the measurement pass and optimizer pick (conversion/optimize.py): the
optimizer keeps the sum of every decoder layer's stored bits (codes, scales, permutation and bias)
within target_bpw times the weights of the decoder's linear layers, norms counting zero
(RMSNorm.numel). So the decoder's total is the target by construction, and the split between layers
depends on the model's measurement.
"""

from math import ceil

from .records import record

SOURCE = ("turboderp/exllamav2 exllamav2/conversion/adaptivegptq.py (AdaptiveGPTQ.pack), conversion/qparams.py "
          "(QParams, qparams_headoptions), conversion/optimize.py (weight_budget), conversion/compile.py and "
          "model.py @b9c025b4b1ee78c0d34e700f2e474a02dfb13c90")

# A decoder linear layer's bias is stored in fp16 inside the target (measure.py counts it in total_bits).
_DECODER_BIASES = frozenset({"q_bias", "kv_bias", "o_bias", "up_bias", "down_bias"})
_DECODER_PARTS = frozenset({"attention", "mlp", "experts", "shared_experts"})


@record
class Exl2Mix:
    """One of exllamav2's QParams: bit widths in row order, the share of rows each takes, and
    each width's group size (scale_bits is always 4: pack asserts it)."""

    bits: tuple[int, ...]
    shares: tuple[float, ...]
    group_sizes: tuple[int, ...]

    def groups(self, rows: int) -> list[tuple[int, int]]:
        """(bits, rows) of each group in order, as AdaptiveGPTQ.configure and pack cut them.

        The float arithmetic is exllamav2's own (rows * p), so a share that lands on a group
        boundary rounds as it does there."""
        out = []
        remaining = rows
        for bits, share, size in zip(self.bits, self.shares, self.group_sizes):
            count = max(ceil(min(rows * share, remaining) / size), 0)
            for _ in range(count):
                group_rows = min(size, remaining)
                if group_rows > 0:
                    out.append((bits, group_rows))
                remaining -= size
        return out

    def matrix_bytes(self, out: int, inp: int) -> tuple[int, int]:
        """(payload, metadata) of one (out, in) layer:
        payload  = q_weight: 4 * (out + pad) * sum(ceil(rows_g * bits_g / 32))
        metadata = per group: q_scale (out + pad) / 2, q_scale_max 2, q_groups 4; and q_invperm 4 * in"""
        columns = out + (-out % 32)
        groups = self.groups(inp)
        packed_rows = sum(ceil(rows * bits / 32) for bits, rows in groups)
        metadata = len(groups) * (columns // 2 + 2 + 4) + 4 * inp
        return 4 * packed_rows * columns, metadata


# exllamav2's qparams_headoptions: the head layer's mix for each --head_bits (default 6).
HEAD_MIXES = {
    2: Exl2Mix((4, 2), (0.3, 0.7), (32, 32)),
    3: Exl2Mix((4, 3), (0.15, 0.85), (32, 32)),
    4: Exl2Mix((6, 4), (0.15, 0.85), (32, 32)),
    5: Exl2Mix((6, 5), (0.15, 0.85), (128, 128)),
    6: Exl2Mix((8, 6), (0.15, 0.85), (128, 128)),
    8: Exl2Mix((8,), (1.0,), (128,)),
}


@record
class Exl2File:
    """An EXL2 model's tensor bytes by part (the same shape as gguf.GgufFile, less the header)."""

    by_part: dict
    metadata_by_part: dict
    header_bytes: int = 0


def decoder_matrix_bytes(target_centibits: int, out: int, inp: int) -> tuple[int, int]:
    """(payload, metadata) of a decoder layer at the target rate: total = ceil(target * out * in / 8),
    of which q_invperm (4 bytes per input feature) is the metadata every mix has; the group scales
    depend on the mix and are counted with the codes."""
    total = ceil(target_centibits * out * inp / 800)
    invperm = min(4 * inp, total)
    return total - invperm, invperm


def exl2_file(arch, target_centibits: int, head_bits: int) -> Exl2File:
    """Decoder linear layers at the target (their biases inside it), the head exact from HEAD_MIXES,
    everything else fp16. A model with tied embeddings still gets its own quantized lm_head:
    exllamav2 quantizes the head from the embedding's weights (model.py, lm_head's alt_key)."""
    by_part, metadata_by_part = {}, {}

    def add(part, payload, metadata=0):
        by_part[part] = by_part.get(part, 0) + payload
        metadata_by_part[part] = metadata_by_part.get(part, 0) + metadata

    for group in arch.tensors():
        if group.part in _DECODER_PARTS and group.is_matrix:
            payload, metadata = decoder_matrix_bytes(target_centibits, *group.shape)
            add(group.part, payload * group.count, metadata * group.count)
        elif group.part in _DECODER_PARTS and group.name in _DECODER_BIASES:
            continue  # inside the decoder's budget
        elif group.part != "lm_head":  # the head is added below, tied or not
            add(group.part, group.numel * 2)
    add("lm_head", *HEAD_MIXES[head_bits].matrix_bytes(arch.vocab_size, arch.hidden_size))
    return Exl2File(by_part, metadata_by_part)
