"""Checks for user-supplied numbers, shared by every calculator.

Limits are generous for real use and small enough that no result overflows a
float (so nothing downstream can turn into Infinity or NaN).
"""

from math import isfinite

from .errors import CalculatorError

MAX_TOKENS = 2 ** 31  # context lengths, prompt lengths
MAX_BATCH = 2 ** 20
MAX_GPUS = 4096


def whole_number(name: str, value, minimum: int = 1, maximum: int = MAX_TOKENS) -> int:
    """An int in [minimum, maximum]; floats with no fraction are accepted (JSON, URLs)."""
    if isinstance(value, bool):
        raise CalculatorError(f"{name} must be a whole number, not {value!r}", name)
    if isinstance(value, float):
        if not isfinite(value) or value != int(value):
            raise CalculatorError(f"{name} must be a whole number, not {value!r}", name)
        value = int(value)
    if not isinstance(value, int):
        raise CalculatorError(f"{name} must be a whole number, not {str(value)[:40]!r}", name)
    if value < minimum:
        raise CalculatorError(f"{name} must be at least {minimum}, not {value}", name)
    if value > maximum:
        raise CalculatorError(f"{name} must be at most {maximum:,}, not {value:,}", name)
    return value


def one_of(name: str, value, choices) -> str:
    """value, when it is one of `choices` (a value no choice equals is named, cut to 20 characters)."""
    if value not in choices:
        raise CalculatorError(f"{name} must be one of {', '.join(choices)}, not {str(value)[:20]!r}", name)
    return value


def fraction(name: str, value, minimum: float = 0.0, maximum: float = 1.0, *, open_low=False, open_high=False) -> float:
    """A finite float in the given range; ints are accepted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CalculatorError(f"{name} must be a number, not {str(value)[:40]!r}", name)
    value = float(value)
    if not isfinite(value):
        raise CalculatorError(f"{name} must be a finite number, not {value!r}", name)
    too_low = value <= minimum if open_low else value < minimum
    too_high = value >= maximum if open_high else value > maximum
    if too_low or too_high:
        low = "(" if open_low else "["
        high = ")" if open_high else "]"
        raise CalculatorError(f"{name} must be in {low}{minimum:g}, {maximum:g}{high}, not {value:g}", name)
    return value


def share_from_text(text: str) -> float:
    """A share written as a fraction ("0.9") or a percentage ("90%"), as a float; CalculatorError with what
    is expected otherwise (the range is the caller's to check)."""
    cleaned = str(text).strip().replace(" ", "")
    try:
        value = float(cleaned[:-1]) / 100 if cleaned.endswith("%") else float(cleaned)
    except ValueError:
        raise CalculatorError(f"{str(text)[:40]!r} is not a share: write 0.9 or 90%", "memory_share") from None
    if not isfinite(value):
        raise CalculatorError(f"{str(text)[:40]!r} is not a share: write 0.9 or 90%", "memory_share")
    return value


# Token counts are written the way model cards write them: "128k" is Llama 3.1's 131,072-token context and
# "32K" Qwen's 32,768, so k means 1,024 tokens here (and M 1,048,576), never 1,000.
TOKEN_SUFFIXES = {"k": 1 << 10, "m": 1 << 20}


def tokens_from_text(text: str, name: str = "tokens") -> int:
    """A token count written as digits ("131072", "131,072", "131_072") or with a binary suffix ("128k",
    "1.5K", "1M"); CalculatorError saying what is expected otherwise (the range is the caller's to check)."""
    cleaned = str(text).strip().replace(",", "").replace("_", "").replace(" ", "")
    scale = TOKEN_SUFFIXES.get(cleaned[-1:].lower(), 1)
    digits = cleaned[:-1] if scale > 1 else cleaned
    written = exact_whole(cleaned) if scale == 1 else None  # "131072", "1e6"
    if written is not None:
        return written
    whole, _, decimals = digits.partition(".")
    readable = whole.isdigit() and (not decimals or decimals.isdigit()) and len(digits) <= 15
    # Exact arithmetic: "1.5k" is 1,536 tokens; "0.3k" is not a whole number of tokens.
    numerator, denominator = (int(whole + decimals) * scale, 10 ** len(decimals)) if readable else (0, 1)
    if not readable or numerator % denominator:
        raise CalculatorError(f"{str(text)[:40]!r} is not a whole number of tokens: write 131072, 128k "
                              "(k = 1,024 tokens) or 1e6", name)
    return numerator // denominator


def exact_whole(text: str) -> int | None:
    """The whole number a text writes in digits or in exact scientific notation ("1e6", "2.5E3"), or None:
    "1.5e0" and "1e-3" are not whole, and exponents past 10^15 are left to the caller's range check
    by returning a number just past any limit rather than building a huge integer."""
    cleaned = str(text).strip().replace(",", "").replace("_", "")
    if cleaned.isdigit():
        return int(cleaned)
    if "e" not in cleaned.lower() or len(cleaned) > 40:
        return None
    # Imported here, for the one input that needs it: decimal (with numbers, which it imports) took 20-30 ms
    # of the calculators' import under Pyodide, in Node.
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        return None
    return int(value) if value < Decimal(10) ** 15 else 10 ** 15
