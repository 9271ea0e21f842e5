"""Round-to-nearest quantization of a short list of numbers with a scale and, optionally, a zero point.

Symmetric: scale = absmax / qmax, codes in [-qmax, qmax] with qmax = 2^(bits-1) - 1, zero point 0.
Asymmetric (affine): scale = (max - min) / (2^bits - 1), zero point = round(-min / scale), codes in
[0, 2^bits - 1]; a value is stored as round(x / scale) + zero and read back as (code - zero) * scale.
This is the arithmetic every integer method of the site starts from (the explainer's worked example uses it).
"""

from .errors import CalculatorError
from .records import record


@record
class Quantized:
    bits: int
    symmetric: bool
    scale: float
    zero_point: int
    codes: tuple
    dequantized: tuple

    def errors(self, values) -> tuple:
        return tuple(d - v for d, v in zip(self.dequantized, values))

    def max_error(self, values) -> float:
        return max(abs(e) for e in self.errors(values))


def quantize(values, bits: int, symmetric: bool) -> Quantized:
    values = [float(v) for v in values]
    if not values or not 2 <= bits <= 16:
        raise CalculatorError("quantize a non-empty list to 2 to 16 bits", "bits")
    if symmetric:
        qmax = (1 << (bits - 1)) - 1
        scale = max(abs(v) for v in values) / qmax or 1.0
        codes = tuple(max(-qmax, min(qmax, round(v / scale))) for v in values)
        return Quantized(bits, True, scale, 0, codes, tuple(c * scale for c in codes))
    top = (1 << bits) - 1
    low, high = min(min(values), 0.0), max(max(values), 0.0)  # zero stays exactly representable
    scale = (high - low) / top or 1.0
    zero = round(-low / scale)
    codes = tuple(max(0, min(top, round(v / scale) + zero)) for v in values)
    return Quantized(bits, False, scale, zero, codes, tuple((c - zero) * scale for c in codes))
