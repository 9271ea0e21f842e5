"""The quantization playground: round real weights and a real activation to a few bits, several ways.

Pure Python over lists (the browser runs it in Pyodide, where there is no numpy). The weights are a few rows
of one linear layer of our small reference llama (`reference_weights.py`, written by
generator/bench/reference/export.py) and the activation is the input that layer received at one token.

Round-to-nearest integer quantization, as every weight format starts from:
- symmetric: codes -(2^(b-1) - 1) .. 2^(b-1) - 1, scale = max|x| / (2^(b-1) - 1), zero point 0 (the
  restricted range LLM.int8() and most weight quantizers use, so that +x and -x round alike);
- asymmetric: codes 0 .. 2^b - 1, scale = (max - min) / (2^b - 1) over a range that always holds 0, and
  zero point round(-min / scale), so that 0 is stored exactly.
A value becomes clamp(round(x / scale) + zero, lowest, highest), read back as (code - zero) * scale. Python's
round() rounds halves to even, as torch.round does.

Granularity says which values share one scale: the whole tensor, one row (an output channel), or a group of
consecutive weights in a row. The decomposition of LLM.int8() (Dettmers et al. 2022, arXiv:2208.07339) keeps
every input feature whose activation reaches a threshold in 16-bit, in the activation and in the matching
column of the weights, and quantizes the rest per row (weights) and per token (activation). SmoothQuant
(Xiao et al. 2022, arXiv:2211.10438) first divides each input channel j of the activation by
s_j = max|X_j|^alpha / max|W_j|^(1 - alpha) and multiplies the weights' column j by it (the product is
unchanged), then quantizes per row and per token; max|X_j| is taken over all the tokens the export ran (its
calibration), max|W_j| over the rows in the sample.
"""

import math
import struct

from .records import record


GRANULARITIES = {"tensor": "Per-tensor", "channel": "Per-channel (one scale per row)",
                 "group": "Per-group", "decomposition": "LLM.int8()-style decomposition",
                 "smoothquant": "SmoothQuant smoothing"}
MIN_BITS, MAX_BITS = 2, 8
MIN_GROUP = 2


@record
class Quantized:
    """Values read back after quantization, and how they were stored."""
    values: list  # dequantized, same shape as the input (a list of rows)
    codes: list  # the integers stored, None where a value was kept in 16-bit
    scales: int  # how many scales (and zero points) were stored


def layers() -> dict:
    return _sample()["layers"]


def source() -> dict:
    """Where the sample came from: the checkpoint, its size and steps, the corpus, the commit and the date."""
    return _sample()["provenance"]


def _sample() -> dict:
    # Imported on first use: the sample is the largest module of the package, and only this page's results
    # read it (its declaration is imported for its form and its defaults, too: by the site's build and the CLI).
    from .reference_weights import SAMPLE

    return SAMPLE


def fp16(x: float) -> float:
    """x rounded to IEEE half precision, as a 16-bit copy of it would hold it."""
    return struct.unpack("<e", struct.pack("<e", x))[0]


def grid(values: list, bits: int, symmetric: bool) -> tuple:
    """(scale, zero point, lowest code, highest code) for one group of values."""
    if symmetric:
        top = 2 ** (bits - 1) - 1
        largest = max((abs(v) for v in values), default=0.0)
        return (largest / top if largest > 0 else 1.0), 0, -top, top
    top = 2 ** bits - 1
    low, high = min(min(values, default=0.0), 0.0), max(max(values, default=0.0), 0.0)
    scale = (high - low) / top if high > low else 1.0
    zero = min(max(round(-low / scale), 0), top)
    return scale, zero, 0, top


def quantize_group(values: list, bits: int, symmetric: bool) -> tuple:
    """(dequantized values, codes) of one group sharing a scale."""
    scale, zero, lowest, highest = grid(values, bits, symmetric)
    codes = [min(max(round(v / scale) + zero, lowest), highest) for v in values]
    return [(c - zero) * scale for c in codes], codes


def quantize_rows(rows: list, bits: int, symmetric: bool, granularity: str, group_size: int = 0,
                  keep: frozenset = frozenset()) -> Quantized:
    """Quantize a matrix (a list of equal rows). Columns in `keep` are stored in 16-bit instead; the others
    share scales by `granularity`: "tensor", "channel" (per row) or "group" (`group_size` consecutive
    columns of a row)."""
    width = len(rows[0])
    columns = [j for j in range(width) if j not in keep]
    if granularity == "tensor":
        groups = [[(i, j) for i in range(len(rows)) for j in columns]]
    elif granularity == "channel":
        groups = [[(i, j) for j in columns] for i in range(len(rows))]
    elif granularity == "group":
        groups = [[(i, j) for j in range(start, start + group_size) if j not in keep]
                  for i in range(len(rows)) for start in range(0, width, group_size)]
    else:
        raise ValueError(f"unknown granularity {granularity!r}")
    values = [[fp16(v) for v in row] for row in rows]  # kept columns stay as 16-bit copies
    codes = [[None] * width for _ in rows]
    stored = 0
    for group in groups:
        if not group:
            continue
        read, ints = quantize_group([rows[i][j] for i, j in group], bits, symmetric)
        for (i, j), value, code in zip(group, read, ints):
            values[i][j], codes[i][j] = value, code
        stored += 1
    return Quantized(values, codes, stored)


def errors(original: list, approx: list) -> dict:
    """Mean squared error and largest absolute error over two equal flat lists."""
    diffs = [a - b for a, b in zip(approx, original)]
    return {"mse": math.fsum(d * d for d in diffs) / len(diffs), "max_abs": max(abs(d) for d in diffs)}


def matvec(rows: list, vector: list) -> list:
    return [math.fsum(w * x for w, x in zip(row, vector)) for row in rows]


def outlier_columns(activation: list, threshold: float) -> frozenset:
    return frozenset(j for j, x in enumerate(activation) if abs(x) >= threshold)


def smoothing_factors(rows: list, channel_max: list, alpha: float) -> list:
    """SmoothQuant's s_j per input channel; 1 where a channel is all zeros on either side."""
    factors = []
    for j, largest in enumerate(channel_max):
        weight = max(abs(row[j]) for row in rows)
        factors.append(largest ** alpha / weight ** (1 - alpha) if largest > 0 and weight > 0 else 1.0)
    return factors


def run(layer: str, bits: int, symmetric: bool, granularity: str, group_size: int, threshold: float,
        alpha: float = 0.5) -> dict:
    """One way of quantizing the layer's rows and its activation, with the errors it makes: of the weights,
    of the activation, and of the layer's output W·x against the unquantized product."""
    sample = layers()[layer]
    rows, activation = sample["rows"], sample["activation"]
    keep = outlier_columns(activation, threshold) if granularity == "decomposition" else frozenset()
    weight_granularity = "channel" if granularity == "decomposition" else granularity
    if granularity == "smoothquant":
        weight_granularity = "channel"
        factors = smoothing_factors(rows, sample["channel_max"], alpha)
    else:
        factors = [1.0] * len(activation)
    # Smoothing moves range from the activation into the weights; the product of the two is unchanged, and the
    # errors are measured on the values the quantized layer effectively uses (read back and unscaled).
    scaled_rows = [[w * s for w, s in zip(row, factors)] for row in rows]
    weights = quantize_rows(scaled_rows, bits, symmetric, weight_granularity, group_size, keep)
    weights = Quantized([[w / s for w, s in zip(row, factors)] for row in weights.values], weights.codes,
                        weights.scales)
    # The activation is one token's vector: per-tensor is per-token. It shares the weights' groups when the
    # weights are grouped (as block formats such as MXFP4 do), and its outliers' 16-bit split otherwise.
    act_granularity = "group" if granularity == "group" else "tensor"
    act = quantize_rows([[x / s for x, s in zip(activation, factors)]], bits, symmetric, act_granularity,
                        group_size, keep)
    act = Quantized([[x * s for x, s in zip(act.values[0], factors)]], act.codes, act.scales)
    flat_w = [v for row in rows for v in row]
    flat_wq = [v for row in weights.values for v in row]
    exact = matvec(rows, activation)
    approx = matvec(weights.values, act.values[0])
    out_err = errors(exact, approx)
    norm = math.sqrt(math.fsum(y * y for y in exact))
    distance = math.sqrt(math.fsum((a - b) ** 2 for a, b in zip(approx, exact)))
    act_codes = [c for c in act.codes[0] if c is not None]
    # Inputs that carried a value and came back as exactly zero: their information is gone.
    lost = sum(1 for x, q in zip(activation, act.values[0]) if x != 0 and q == 0)
    return {"granularity": granularity, "weights": errors(flat_w, flat_wq),
            "weight_levels": len({c for row in weights.codes for c in row if c is not None}),
            "weight_scales": weights.scales, "activation": errors(activation, act.values[0]),
            "activation_levels": len(set(act_codes)),
            "activation_zeroed": lost,
            "kept_columns": sorted(keep), "output": out_err,
            "output_relative": distance / norm if norm else 0.0,
            "row0": weights.values[0], "activation_values": act.values[0]}


def compare(layer: str, bits: int, symmetric: bool, group_size: int, threshold: float, alpha: float = 0.5) -> dict:
    """Every granularity at these settings, by name."""
    return {g: run(layer, bits, symmetric, g, group_size, threshold, alpha) for g in GRANULARITIES}
