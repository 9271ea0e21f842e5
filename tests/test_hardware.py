import json
from pathlib import Path

import pytest

from calculators import ACCELERATORS, CalculatorError, accelerator, peak_rate
from calculators.hardware import GIB, implausible_fields
from calculators.records import replace

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "gpus.json"


def test_at_least_twenty_accelerators_of_every_kind():
    assert len(ACCELERATORS) >= 20
    assert {"NVIDIA", "AMD", "Apple"} <= {a.vendor for a in ACCELERATORS.values()}
    assert {"datacenter-gpu", "consumer-gpu", "unified-memory", "cpu"} <= {a.kind for a in ACCELERATORS.values()}
    assert {"v100-sxm2-32gb", "t4", "h100-sxm", "h200-sxm", "b200", "mi300x", "rtx-4090"} <= set(ACCELERATORS)


@pytest.mark.parametrize("acc", ACCELERATORS.values(), ids=lambda a: a.id)
def test_values_are_plausible(acc):
    assert implausible_fields(acc) == []
    if acc.vendor == "NVIDIA":
        major, minor = acc.compute_capability.split(".")
        assert major.isdigit() and minor.isdigit()


@pytest.mark.parametrize("field, factor", [("bandwidth_bytes_s", 1000), ("bandwidth_bytes_s", 1 / 1000),
                                           ("memory_bytes", 1000)])
def test_a_value_a_thousand_times_off_is_caught(field, factor):
    acc = accelerator("h100-sxm")
    broken = replace(acc, **{field: getattr(acc, field) * factor})
    assert field in implausible_fields(broken)


def test_a_rate_in_the_wrong_unit_is_caught():
    acc = accelerator("h100-sxm")
    broken = replace(acc, dense_flops_s={**acc.dense_flops_s, "bf16": acc.dense_flops_s["bf16"] * 1000})
    assert "bf16" in implausible_fields(broken)


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference/gpus.json is not beside the checkout")
def test_curated_reference_values_are_carried_over_in_order():
    reference = json.loads(REFERENCE.read_text())
    for entry, acc in zip(reference, list(ACCELERATORS.values())[:len(reference)]):
        assert acc.memory_bytes == entry["memory_GB"] * GIB, entry["name"]
        assert acc.bandwidth_bytes_s == entry["memory_bandwidth_GBps"] * 1e9, entry["name"]
        for key, ours in (("dense_tflops_fp16_bf16_tensor", "fp16"), ("dense_tflops_fp8", "fp8"),
                          ("dense_tops_int8", "int8")):
            expected = entry[key] * 1e12 if entry[key] is not None else None
            assert acc.dense_flops_s[ours] == expected, (entry["name"], key)


def test_peak_rate_falls_back_with_a_note():
    t4 = accelerator("t4")
    rate = peak_rate(t4, "bf16")
    assert rate.used == "fp16" and "bf16" in rate.note
    assert peak_rate(accelerator("h100-sxm"), "fp8").used == "fp8"


def test_unknown_gpu():
    with pytest.raises(CalculatorError, match="unknown GPU"):
        accelerator("h300")


def test_allocatable_memory_is_a_sourced_share_of_the_label():
    """What a program can allocate is a little less than the label (driver reserve, ECC, Metal's working set),
    quoted from a report a reader can open; a device without one is counted at its label."""
    root = Path(__file__).resolve().parents[1]
    reported = [acc for acc in ACCELERATORS.values() if acc.allocatable_source]
    assert len(reported) >= 20
    for acc in ACCELERATORS.values():
        if acc.allocatable_source is None:
            assert acc.allocatable_bytes == acc.memory_bytes and not acc.allocatable_quote
            continue
        assert 0.8 * acc.memory_bytes <= acc.allocatable_bytes <= acc.memory_bytes, acc.id
        assert acc.allocatable_quote, acc.id
        source = acc.allocatable_source
        assert source.startswith("https://") or (root / source).is_file(), source


def test_our_own_h200_measurement_is_the_h200s_allocatable_memory():
    record = json.loads((Path(__file__).resolve().parents[1] / ACCELERATORS["h200-sxm"].allocatable_source)
                        .read_text())
    assert record["run"]["device"]["name"] == "NVIDIA H200"
    assert ACCELERATORS["h200-sxm"].allocatable_bytes == record["run"]["device"]["memory_bytes"]
