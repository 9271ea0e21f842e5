"""The number-format explorer's encodings (calculators/number_formats.py) against PyTorch's own dtypes and
bitsandbytes' NF4 code book."""

import math
import random
import struct
from fractions import Fraction

import pytest

from calculators.number_formats import (E2M1, E2M1_VALUES, E4M3, E5M2, FP16, FP32, BF16, NF4_LEVELS, decode_float,
                                        encode_float, encode_int, encode_nf4, explore, mx_scale, nvfp4_scale,
                                        parse_value)
from calculators.web import compute

torch = pytest.importorskip("torch")

DTYPES = {"fp16": (FP16, torch.float16), "bf16": (BF16, torch.bfloat16), "e4m3": (E4M3, torch.float8_e4m3fn),
          "e5m2": (E5M2, torch.float8_e5m2)}


def float32_samples(count: int, seed: int) -> list:
    """Random float32 values spread over every exponent, plus each format's edges and the halfway points
    between neighbouring values, where ties-to-even decides."""
    rng = random.Random(seed)
    values = [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32) & 0x7F7FFFFF | rng.getrandbits(1) << 31))[0]
              for _ in range(count)]
    values += [rng.uniform(-600, 600) for _ in range(count // 4)]
    values += [rng.uniform(-1e-4, 1e-4) for _ in range(count // 4)]
    for fmt in (FP16, BF16, E4M3, E5M2):
        for bits in range(0, 1 << min(fmt.bits, 16), 1 if fmt.bits == 8 else 97):
            low, high = decode_float(bits, fmt), decode_float(bits + 1, fmt)
            if isinstance(low, Fraction) and isinstance(high, Fraction) and low >= 0 and high > low:
                for point in (low, (low + high) / 2, high):
                    values += [float(point), -float(point)]
    values += [float(E4M3.max_finite) * k for k in (1.03, 1.0714, 1.1, 2, 1e6)]
    values += [float(E5M2.max_finite) * k for k in (1.06, 1.0714, 1.1)]
    return [v for v in values if abs(v) < 3.4e38 and struct.unpack("<f", struct.pack("<f", v))[0] == v]


@pytest.mark.parametrize("name", DTYPES)
def test_every_float_format_rounds_as_torch_does(name):
    fmt, dtype = DTYPES[name]
    values = float32_samples(20_000, seed=len(name))
    cast = torch.tensor(values, dtype=torch.float32).to(dtype).to(torch.float64).tolist()
    mismatches = []
    for value, expected in zip(values, cast):
        stored = encode_float(Fraction(value), fmt)
        got = float(stored.value) if stored.value is not None else \
            (float("inf") if stored.special == "inf" else float("-inf"))
        if got != expected:
            mismatches.append((value, got, expected))
    assert len(values) > 20_000 and mismatches == []


@pytest.mark.parametrize("name", DTYPES)
def test_the_bits_are_torchs_bits(name):
    fmt, dtype = DTYPES[name]
    values = float32_samples(3_000, seed=7)
    view = {8: torch.uint8, 16: torch.int16}[fmt.bits]
    patterns = torch.tensor(values, dtype=torch.float32).to(dtype).view(view).tolist()
    for value, pattern in zip(values, patterns):
        stored = encode_float(Fraction(value), fmt, negative_zero=math.copysign(1, value) < 0)
        assert int("".join(bits for _, bits in stored.fields), 2) == pattern & ((1 << fmt.bits) - 1), value


def test_fp32_is_a_single_correct_rounding_of_a_double():
    rng = random.Random(3)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-44, 38) for _ in range(20_000)] + [0.1, 1 / 3, 2 ** -149]
    cast = torch.tensor(values, dtype=torch.float64).to(torch.float32).to(torch.float64).tolist()
    for value, expected in zip(values, cast):
        stored = encode_float(Fraction(value), FP32)
        got = float(stored.value) if stored.value is not None else float(stored.special)
        assert got == expected, value


def test_the_ranges_and_precision_of_the_fp8_formats():
    assert E4M3.max_finite == 448 and E5M2.max_finite == 57344 and FP16.max_finite == 65504
    assert E4M3.min_subnormal == Fraction(1, 2 ** 9) and E5M2.min_subnormal == Fraction(1, 2 ** 16)
    assert round(E4M3.decimal_digits, 1) == 1.2 and round(E5M2.decimal_digits, 1) == 0.9
    assert decode_float(0x7F, E4M3) == "nan" and decode_float(0x7C, E5M2) == "inf"
    assert decode_float(0x7E, E4M3) == 448


def test_fp4_e2m1_holds_the_mx_values():
    assert [float(v) for v in E2M1_VALUES if v >= 0] == [0, 0.5, 1, 1.5, 2, 3, 4, 6]
    assert encode_float(Fraction(100), E2M1).value == 6 and encode_float(Fraction(5), E2M1).value == 4  # tie: even
    assert mx_scale(Fraction(1)) == Fraction(1, 4) and mx_scale(Fraction(6)) == 1
    assert nvfp4_scale(Fraction(6)) == 1


def test_nf4_is_bitsandbytes_code_book():
    functional = pytest.importorskip("bitsandbytes.functional")
    expected = functional.get_4bit_type("nf4", device="cpu").tolist()
    assert NF4_LEVELS == pytest.approx(expected, abs=1e-6)
    assert NF4_LEVELS[7] == 0 and NF4_LEVELS[0] == -1 and NF4_LEVELS[-1] == 1


def test_nf4_codes_are_bitsandbytes_codes():
    functional = pytest.importorskip("bitsandbytes.functional")
    rng = random.Random(5)
    block = [rng.gauss(0, 0.02) for _ in range(64)]
    packed, state = functional.quantize_4bit(torch.tensor(block, dtype=torch.float32), blocksize=64,
                                             quant_type="nf4")
    codes = [c for byte in packed.flatten().tolist() for c in (byte >> 4, byte & 15)]
    absmax = Fraction(state.absmax.item())
    mine = [encode_nf4(Fraction(x), absmax).code for x in block]
    assert sum(a == b for a, b in zip(mine, codes)) >= 63  # a value on a midpoint may round either way


def test_integer_codes_are_symmetric_absmax():
    stored = encode_int(Fraction(1, 10), Fraction(1), 8)
    assert stored.code == 13 and stored.value == Fraction(13, 127)
    assert encode_int(Fraction(-2), Fraction(1), 4).code == -7 and encode_int(Fraction(-2), Fraction(1), 4).status == \
        "saturated"


@pytest.mark.parametrize("text, message", [("", "enter the value"), ("nan", "finite number"), ("-inf", "finite"),
                                           ("1e99999", "between -1e39 and 1e39"), ("abc", "must be a number"),
                                           ("1e-60", "at least 1e-50"), ("9" * 80, "too long")])
def test_bad_input_is_a_message(text, message):
    reply = compute("number_format", {"value": text})
    assert not reply["ok"] and message in reply["errors"]["value"] and reply["html"] == ""
    with pytest.raises(ValueError):
        parse_value(text, "value")


def test_a_zero_scale_is_a_message():
    reply = compute("number_format", {"absmax": "0"})
    assert not reply["ok"] and "greater than 0" in reply["errors"]["absmax"]


def test_the_page_result_is_the_encoders_result():
    reply = compute("number_format", {"value": "70000", "absmax": "1"})
    rows = {row["id"]: row for row in reply["result"]["rows"]}
    assert rows["fp16"]["stored"] == "inf" and rows["fp16"]["status"] == "overflow-infinity"
    assert rows["fp8-e4m3"]["stored"] == "448" and rows["fp8-e4m3"]["status"] == "saturated"
    assert rows["int8"]["status"] == "clipped" and rows["nf4"]["stored"] == "1"
    assert rows["bf16"]["stored_number"] == float(encode_float(Fraction(70000), BF16).value)
    assert [row.id for row in explore(Fraction(1), Fraction(1))] == list(rows)
    assert "nf-sign" in reply["html"] and "<script" not in compute("number_format", {"value": "<script>"})["html"]
