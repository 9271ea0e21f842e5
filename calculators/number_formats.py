"""How the number formats of LLM quantization store one value, exactly.

Every encoding here is computed with `fractions.Fraction`, so rounding is exact
round-to-nearest, ties-to-even (IEEE 754's default) with no float arithmetic in
between. The float formats are described by their field widths:

- FP32, FP16, BF16: IEEE 754 binary layouts (BF16 is FP32's top 16 bits),
  with infinities and NaNs; overflow rounds to infinity.
- FP8 E4M3 and E5M2: the OCP 8-bit Floating Point specification (OFP8, rev. 1.0,
  2023) and Micikevicius et al., "FP8 Formats for Deep Learning", arXiv 2209.05433.
  E5M2 keeps IEEE's infinities and NaNs. E4M3 has no infinity and only one NaN
  pattern per sign (S.1111.111), which buys it 448 as its largest value; a value
  beyond it is clamped to ±448 here, as PyTorch's cast to float8_e4m3fn does (the
  specification's non-saturating mode would give NaN instead).
- FP4 E2M1: the element type of the OCP Microscaling formats (MX spec v1.0,
  2023): ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}, no infinity, no NaN.

The block formats store a code and need a scale taken from the block the value
belongs to, given here by the block's largest magnitude (absmax):

- INT8 and INT4: symmetric absmax scaling, code = round(x / (absmax / qmax)),
  qmax = 127 and 7.
- NF4: the 16-level NormalFloat code book of QLoRA (Dettmers et al., arXiv
  2305.14314), built from quantiles of the standard normal distribution as
  bitsandbytes' `create_normal_map` builds it; x / absmax goes to the nearest level.
- MXFP4: blocks of 32 E2M1 values sharing a power-of-two (E8M0) scale,
  2^(floor(log2(absmax)) - 2), as the MX spec's conversion sets it.
- NVFP4: blocks of 16 E2M1 values sharing an FP8 E4M3 scale, absmax / 6 rounded to
  E4M3 (NVIDIA's NVFP4; a second, per-tensor FP32 scale is left at 1 here).
"""

from fractions import Fraction
from math import log10
from statistics import NormalDist

from .errors import CalculatorError
from .records import record

MAX_INPUT_CHARS = 60
LARGEST_INPUT = Fraction(10) ** 39  # beyond FP32's range (3.4e38), so that its overflow can be seen
SMALLEST_INPUT = Fraction(1, 10 ** 50)  # below FP32's smallest subnormal (1.4e-45), so that underflow can be seen


@record
class FloatFormat:
    name: str
    exponent_bits: int
    mantissa_bits: int
    ieee_specials: bool  # the all-ones exponent holds infinities and NaNs (IEEE); otherwise see `nan_codes`
    nan_codes: int = 0  # without IEEE specials: how many of the top codes (per sign) are NaN (E4M3: 1)
    overflow: str = "infinity"  # "infinity" or "saturate"

    @property
    def bias(self) -> int:
        return (1 << (self.exponent_bits - 1)) - 1

    @property
    def bits(self) -> int:
        return 1 + self.exponent_bits + self.mantissa_bits

    @property
    def min_exponent(self) -> int:
        return 1 - self.bias

    @property
    def max_finite(self) -> Fraction:
        top_field = (1 << self.exponent_bits) - 1 - (1 if self.ieee_specials else 0)
        top_mantissa = (1 << self.mantissa_bits) - 1 - self.nan_codes
        return Fraction(2) ** (top_field - self.bias) * (1 + Fraction(top_mantissa, 1 << self.mantissa_bits))

    @property
    def min_normal(self) -> Fraction:
        return Fraction(2) ** self.min_exponent

    @property
    def min_subnormal(self) -> Fraction:
        return Fraction(2) ** (self.min_exponent - self.mantissa_bits)

    @property
    def decimal_digits(self) -> float:
        """Significant decimal digits a normal value carries: log10 of 2^(mantissa bits + 1)."""
        return (self.mantissa_bits + 1) * log10(2)


FP32 = FloatFormat("FP32", 8, 23, True)
BF16 = FloatFormat("BF16", 8, 7, True)
FP16 = FloatFormat("FP16", 5, 10, True)
E4M3 = FloatFormat("FP8 E4M3", 4, 3, False, nan_codes=1, overflow="saturate")
E5M2 = FloatFormat("FP8 E5M2", 5, 2, True)
E2M1 = FloatFormat("FP4 E2M1", 2, 1, False, overflow="saturate")
FLOAT_FORMATS = {"fp32": FP32, "bf16": BF16, "fp16": FP16, "fp8-e4m3": E4M3, "fp8-e5m2": E5M2, "fp4-e2m1": E2M1}


@record
class Stored:
    """One value as a format stores it. `fields` is [(kind, bit string)] with kind "sign", "exponent",
    "mantissa", "code" or "scale"; `value` is None for NaN and ±inf is given by `special`."""

    value: Fraction | None
    fields: tuple
    special: str = ""  # "", "inf", "-inf" or "nan"
    status: str = "exact"  # exact, rounded, subnormal, underflow, overflow-infinity, saturated
    scale: Fraction | None = None  # the block scale the code is multiplied by, for block formats
    code: int | None = None


def _floor_log2(a: Fraction) -> int:
    """floor(log2(a)) for a > 0, exactly."""
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    elif Fraction(2) ** (e + 1) <= a:
        e += 1
    return e


def _bits(number: int, width: int) -> str:
    return format(number, f"0{width}b") if width else ""


def encode_float(x: Fraction, fmt: FloatFormat, negative_zero: bool = False) -> Stored:
    """x rounded to the nearest value of `fmt`, ties to even, with its bit fields."""
    negative = x < 0 or (x == 0 and negative_zero)
    a = abs(x)
    sign = "1" if negative else "0"
    m = fmt.mantissa_bits
    if a == 0:
        return Stored(Fraction(0), (("sign", sign), ("exponent", "0" * fmt.exponent_bits), ("mantissa", "0" * m)))
    exponent = max(_floor_log2(a), fmt.min_exponent)
    quantum = Fraction(2) ** (exponent - m)
    rounded = round(a / quantum) * quantum  # Fraction.__round__ rounds half to even
    if rounded > fmt.max_finite:
        if fmt.overflow == "infinity":
            field = "1" * fmt.exponent_bits
            return Stored(None, (("sign", sign), ("exponent", field), ("mantissa", "0" * m)),
                          special="-inf" if negative else "inf", status="overflow-infinity")
        rounded, status = fmt.max_finite, "saturated"
    elif rounded == 0:
        status = "underflow"
    elif rounded < fmt.min_normal:
        status = "subnormal"
    else:
        status = "exact" if rounded == a else "rounded"
    if rounded == 0:
        field, mantissa = 0, 0
    elif rounded < fmt.min_normal:
        field, mantissa = 0, int(rounded / fmt.min_subnormal)
    else:
        e = _floor_log2(rounded)
        field = e + fmt.bias
        mantissa = int((rounded / Fraction(2) ** e - 1) * (1 << m))
    value = -rounded if negative else rounded
    return Stored(value, (("sign", sign), ("exponent", _bits(field, fmt.exponent_bits)),
                          ("mantissa", _bits(mantissa, m))), status=status)


def decode_float(bits: int, fmt: FloatFormat):
    """The value of a bit pattern (an int of fmt.bits bits): a Fraction, or "nan", "inf", "-inf"."""
    m, e_bits = fmt.mantissa_bits, fmt.exponent_bits
    negative = bits >> (e_bits + m) & 1
    field = bits >> m & ((1 << e_bits) - 1)
    mantissa = bits & ((1 << m) - 1)
    top = (1 << e_bits) - 1
    if fmt.ieee_specials and field == top:
        return "nan" if mantissa else ("-inf" if negative else "inf")
    if not fmt.ieee_specials and fmt.nan_codes and field == top and mantissa >= (1 << m) - fmt.nan_codes:
        return "nan"
    if field == 0:
        value = mantissa * fmt.min_subnormal
    else:
        value = Fraction(2) ** (field - fmt.bias) * (1 + Fraction(mantissa, 1 << m))
    return -value if negative else value


# -- block formats: a code and a scale shared with the rest of the block ------------------------------

NF4_OFFSET = 0.9677083  # bitsandbytes create_normal_map: the outermost quantile used


def nf4_code_book() -> tuple:
    """The 16 NF4 levels, ascending, in [-1, 1]: 8 quantiles of N(0, 1) evenly spaced in probability from
    NF4_OFFSET down to 0.5 on the positive side, 7 on the negative side, and an exact zero, each side scaled
    so that its outermost level is ±1 (QLoRA, arXiv 2305.14314, section 3; bitsandbytes create_normal_map)."""
    normal = NormalDist()

    def quantiles(count):  # count evenly spaced points from the offset to 0.5, the last (0.5, i.e. 0) left out
        return [normal.inv_cdf(NF4_OFFSET + (0.5 - NF4_OFFSET) * i / (count - 1)) for i in range(count - 1)]

    positive = quantiles(9)
    negative = [-q for q in quantiles(8)]
    top = max(positive)
    return tuple(sorted(v / top for v in positive + negative + [0.0]))


NF4_LEVELS = nf4_code_book()
E2M1_VALUES = tuple(sorted({decode_float(b, E2M1) for b in range(16)}))  # -6 .. 6


def _twos_complement(code: int, width: int) -> str:
    return _bits(code & ((1 << width) - 1), width)


def encode_int(x: Fraction, absmax: Fraction, bits: int) -> Stored:
    """Symmetric absmax quantization to a signed `bits`-bit integer (codes -qmax..qmax, qmax = 2^(bits-1) - 1)."""
    qmax = (1 << (bits - 1)) - 1
    scale = absmax / qmax
    unclamped = round(x / scale)
    code = max(-qmax, min(qmax, unclamped))
    value = code * scale
    status = "saturated" if code != unclamped else \
        ("exact" if value == x else ("underflow" if code == 0 else "rounded"))
    return Stored(value, (("code", _twos_complement(code, bits)),), status=status, scale=scale, code=code)


def encode_nf4(x: Fraction, absmax: Fraction) -> Stored:
    """The NF4 level nearest x / absmax (bitsandbytes' absmax scaling, one scale per block)."""
    normalized = float(max(-1, min(1, x / absmax)))  # beyond the block's absmax: the outermost level
    index = min(range(16), key=lambda i: (abs(NF4_LEVELS[i] - normalized), i))
    value = Fraction(NF4_LEVELS[index]) * absmax
    status = "saturated" if abs(x) > absmax else \
        ("exact" if value == x else ("underflow" if NF4_LEVELS[index] == 0 else "rounded"))
    return Stored(value, (("code", _bits(index, 4)),), status=status, scale=absmax, code=index)


def mx_scale(absmax: Fraction) -> Fraction:
    """MXFP4's shared E8M0 scale: 2^(floor(log2(absmax)) - 2), E2M1's largest power of two being 2^2."""
    return Fraction(2) ** (_floor_log2(absmax) - 2)


def nvfp4_scale(absmax: Fraction) -> Fraction:
    """NVFP4's block scale: absmax / 6 (E2M1's largest value) stored as FP8 E4M3."""
    stored = encode_float(absmax / 6, E4M3)
    return stored.value if stored.value else E4M3.min_subnormal


def encode_fp4_block(x: Fraction, scale: Fraction, scale_fields: tuple) -> Stored:
    """x / scale as E2M1 (clamped to ±6), with the block's scale bits beside the element's bits."""
    element = encode_float(x / scale, E2M1)
    value = element.value * scale
    status = element.status if element.status in ("saturated", "underflow", "subnormal") else \
        ("exact" if value == x else "rounded")
    if status == "subnormal":  # E2M1's only subnormal is 0.5: report it as rounding, not as a range event
        status = "exact" if value == x else "rounded"
    return Stored(value, element.fields + scale_fields, status=status, scale=scale)


def _e8m0_fields(scale: Fraction) -> tuple:
    return (("scale", _bits(_floor_log2(scale) + 127, 8)),)


def _e4m3_fields(scale: Fraction) -> tuple:
    return tuple(("scale", bits) for _, bits in encode_float(scale, E4M3).fields)


@record
class Row:
    id: str
    label: str
    bits: int  # bits per stored element, the block scale not counted
    stored: Stored
    block: str  # "" or how the scale is shared


def parse_value(text: str, label: str) -> Fraction:
    """A finite decimal number ("0.1", "-3e-5", "1/3") as an exact Fraction; a clear CalculatorError otherwise."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        raise CalculatorError(f"enter the {label}", "value")
    if len(text) > MAX_INPUT_CHARS:
        raise CalculatorError(f"the {label} is too long (more than {MAX_INPUT_CHARS} characters)", "value")
    lowered = text.lower().lstrip("+-")
    if lowered in ("nan", "inf", "infinity", "∞"):
        raise CalculatorError(f"the {label} must be a finite number: NaN and infinity are special bit patterns, "
                              "not values to round (the table of special values below lists them)", "value")
    mantissa, _, exponent = lowered.partition("e")
    if exponent.lstrip("+-").isdigit() and len(exponent.lstrip("+-")) > 4:  # 1e99999 would take long to build
        raise CalculatorError(f"the {label} must be between -1e39 and 1e39, and 0 or at least 1e-50 in size",
                              "value")
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise CalculatorError(f"the {label} must be a number, such as 0.1, -3.5e-4 or 1/3", "value") from None
    if abs(value) > LARGEST_INPUT or (value and abs(value) < SMALLEST_INPUT):
        raise CalculatorError(f"the {label} must be between -1e39 and 1e39, and 0 or at least 1e-50 in size",
                              "value")
    return value


def explore(value: Fraction, absmax: Fraction, negative_zero: bool = False) -> list:
    """[Row] for every format, the block formats scaled by a block whose largest magnitude is `absmax`. A value
    beyond `absmax` is clamped by them, as a static scale set too small clips what exceeds it."""
    if absmax <= 0:
        raise CalculatorError("the block's largest magnitude must be greater than 0", "absmax")
    rows = [Row(key, fmt.name, fmt.bits, encode_float(value, fmt, negative_zero), "")
            for key, fmt in FLOAT_FORMATS.items() if key != "fp4-e2m1"]
    rows.append(Row("int8", "INT8 (absmax)", 8, encode_int(value, absmax, 8), "one scale per block"))
    rows.append(Row("int4", "INT4 (absmax)", 4, encode_int(value, absmax, 4), "one scale per block"))
    rows.append(Row("nf4", "NF4", 4, encode_nf4(value, absmax), "one absmax per block of 64 (bitsandbytes)"))
    scale = mx_scale(absmax)
    rows.append(Row("mxfp4", "MXFP4", 4, encode_fp4_block(value, scale, _e8m0_fields(scale)),
                    "E8M0 power-of-two scale per 32 values"))
    scale = nvfp4_scale(absmax)
    rows.append(Row("nvfp4", "NVFP4", 4, encode_fp4_block(value, scale, _e4m3_fields(scale)),
                    "FP8 E4M3 scale per 16 values"))
    return rows


def short(value: Fraction) -> str:
    """A stored value as the shortest decimal that reads back to the same double (exact for every format here
    up to FP32, whose values are all doubles); whole numbers without a decimal point."""
    number = float(value)
    if number == 0:
        return "0" if value >= 0 else "-0"
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))  # 70000, not 70000.0
    return repr(number)
