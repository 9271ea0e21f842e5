"""The bench on the CPU with tiny random llamas: methods, measurements, the smoke suite end to end."""

import copy
import json
import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

import calculators  # noqa: E402
from generator.__main__ import main  # noqa: E402
from generator.bench import measure, methods  # noqa: E402
from generator.bench.models import (TINY_LLAMA_CONFIG, ModelSpec, build_model, model_spec,  # noqa: E402
                                    parameter_count, state_dict_bytes, weight_bytes_in_memory)
from generator.bench.methods.int4_weight_only import (Int4WeightOnly, Int4WeightOnlyLinear,  # noqa: E402
                                                      _KERNELS, dequantize_groups, group_qparams, quantize_groups)
from generator.records import RecordWriter, load_record  # noqa: E402
from generator.bench.runner import run_items  # noqa: E402
from generator.bench.suites import SUITES, SuiteOptions  # noqa: E402
from generator.bench.whole_model import BenchItem, Workload, measure_item  # noqa: E402

CPU = torch.device("cpu")
try:
    import bitsandbytes  # noqa: F401
    HAS_BNB = True
except ImportError:
    HAS_BNB = False

# Every dimension a multiple of 128 (kv heads 4 x head_dim 32), so no layout needs padding.
TINY_128 = ModelSpec("tiny-llama-128", dict(TINY_LLAMA_CONFIG, num_key_value_heads=4))


def _needs(config):
    if config.method_id.startswith("bnb-") and not HAS_BNB:
        pytest.skip("bitsandbytes is not installed")


def _quantized(spec, config, device=CPU):
    model = build_model(spec, device)
    methods.quantize(model, config, device)
    return model


def _logits(model, spec=TINY_128, device=CPU):
    return measure.prefill_logits(model, measure.prompt_ids(spec.vocab_size, 2, 16, device))


# -- models ---------------------------------------------------------------------

def test_the_tiny_model_has_the_parameters_the_calculators_count():
    spec = model_spec("tiny-llama")
    model = build_model(spec, CPU)
    assert type(model).__name__ == "LlamaForCausalLM"
    assert parameter_count(model) == calculators.count_parameters(spec.architecture).total
    assert all(parameter.dtype == torch.bfloat16 for parameter in model.parameters())


@pytest.mark.parametrize("preset_id", sorted(calculators.PRESETS))
def test_every_preset_builds_with_the_parameter_count_of_the_calculators(preset_id):
    """On the meta device (no memory): the transformers class the bench would benchmark has the
    calculators' parameters. DeepSeek-V3's and GLM-4.5's e_score_correction_bias (one per expert in each MoE
    layer) is a buffer in transformers and a parameter in the calculators, as in the checkpoints.
    """
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    model_type = calculators.preset_architecture(preset_id).model_type
    if model_type not in CONFIG_MAPPING:
        pytest.skip(f"{model_type} is remote code, not a transformers class the bench can build "
                    "(tests/test_hf_config_remote.py checks its importer against its published modeling code)")
    spec = model_spec(preset_id)
    model = build_model(spec, torch.device("meta"))
    arch = spec.architecture
    buffers_counted_as_parameters = \
        arch.moe_layers * arch.num_experts if model_type in ("deepseek_v3", "glm4_moe") else 0
    assert parameter_count(model) + buffers_counted_as_parameters == \
        calculators.count_parameters(spec.architecture).total


def test_bf16_against_itself_gives_identical_logits():
    first = _logits(build_model(TINY_128, CPU))
    second = _logits(_quantized(TINY_128, methods.REFERENCE))
    assert torch.equal(first, second)
    assert measure.compare_logits(first, second) == measure.LogitAgreement(None, 0.0, 1.0)


def test_logit_agreement_is_the_same_whatever_the_chunking():
    """compare_logits works a few thousand positions at a time; the sums must not depend on where it cuts."""
    generator = torch.Generator().manual_seed(3)
    reference = torch.randn(3, 50, 97, generator=generator)
    noisy = reference + 0.3 * torch.randn(3, 50, 97, generator=generator)
    whole = measure.compare_logits(reference, noisy, chunk_rows=10_000)
    log_p, log_q = torch.log_softmax(reference.double(), -1), torch.log_softmax(noisy.double(), -1)
    assert whole.kl_divergence == pytest.approx((log_p.exp() * (log_p - log_q)).sum(-1).mean().item(), rel=1e-5)
    assert whole.top1_agreement == (reference.argmax(-1) == noisy.argmax(-1)).double().mean().item()
    for chunk_rows in (1, 7, 149):
        chunked = measure.compare_logits(reference, noisy, chunk_rows=chunk_rows)
        assert chunked.sqnr_db == pytest.approx(whole.sqnr_db, rel=1e-6)  # float32 sums in another order
        assert chunked.kl_divergence == pytest.approx(whole.kl_divergence, rel=1e-6)
        assert chunked.top1_agreement == whole.top1_agreement


# -- methods --------------------------------------------------------------------

@pytest.mark.parametrize("config", methods.standard_configs(), ids=lambda config: config.label)
def test_every_config_round_trips_through_its_record(config):
    record = json.loads(json.dumps(config.to_record()))
    assert methods.config_from_record(record) == config
    assert calculators.weight_format(record["weight_format"]).id == config.weight_format


def test_the_registry_rejects_what_it_cannot_dispatch():
    from dataclasses import dataclass

    @dataclass
    class NotFrozen:
        method_id = "not-frozen"
        version = 1

    with pytest.raises(TypeError, match="NotFrozen must be a frozen dataclass"):
        methods.registry.register(NotFrozen)
    with pytest.raises(TypeError, match="not a registered method config"):
        methods.quantize(build_model(TINY_128, CPU), object(), CPU)
    with pytest.raises(ValueError, match="version 2, the record has version 7"):
        methods.config_from_record(dict(methods.Int8WeightOnly().to_record(), version=7))


@pytest.mark.parametrize("config", methods.standard_configs(), ids=lambda config: config.label)
def test_measured_weight_bytes_match_the_calculators(config):
    """Within 1%, and the remaining difference is exactly what the calculators leave out on purpose:
    the rotary inv_freq and original_inv_freq buffers (fp32, not weights), and for LLM.int8() the 1-byte
    weight_format flag per layer, which exists in the state dict only.
    """
    _needs(config)
    model = _quantized(TINY_128, config)
    measured = weight_bytes_in_memory(model)
    predicted = calculators.weight_bytes(TINY_128.architecture, calculators.weight_format(config.weight_format))
    assert abs(measured - predicted.total_bytes) <= 0.01 * predicted.total_bytes
    rotary = sum(buffer.numel() * buffer.element_size() for name, buffer in model.named_buffers()
                 if name.endswith("inv_freq"))
    flags = 14 if config.weight_format == "llm-int8" else 0  # 2 layers x 7 linears
    assert measured - predicted.total_bytes == rotary - flags


@pytest.mark.parametrize("config", [c for c in methods.standard_configs() if c.method_id == "bnb-4bit"],
                         ids=lambda config: config.label)
def test_a_4bit_checkpoint_also_holds_the_quant_state_json(config):
    """state_dict() adds one packed quant_state JSON blob per layer (calculators: about 80-175 bytes)."""
    _needs(config)
    model = _quantized(TINY_128, config)
    extra_per_layer = (state_dict_bytes(model) - weight_bytes_in_memory(model)) / 14
    assert 60 < extra_per_layer < 200


@pytest.mark.skipif(not HAS_BNB, reason="bitsandbytes is not installed")
def test_llm_int8_runs_without_its_cast_notice_on_every_call(caplog, recwarn):
    """bitsandbytes says on every LLM.int8() matmul that it casts bf16 inputs to float16; the bench drops
    exactly that notice, and keeps the rest of what bitsandbytes logs or warns."""
    import logging
    import warnings

    model = _quantized(TINY_128, methods.BnbInt8())
    with caplog.at_level(logging.WARNING):
        _logits(model)
        logging.getLogger("bitsandbytes.autograd._functions").warning(
            "MatMul8bitLt: inputs will be cast from %s to float16 during quantization", torch.bfloat16)
        logging.getLogger("bitsandbytes.autograd._functions").warning("another notice")
        warnings.warn("MatMul8bitLt: inputs will be cast from torch.bfloat16 to float16 during quantization")
        warnings.warn("another warning")
    assert [record.getMessage() for record in caplog.records if "bitsandbytes" in record.name] == ["another notice"]
    assert [str(warning.message) for warning in recwarn] == ["another warning"]


def test_int8_output_is_closer_to_bf16_than_4bit_output():
    reference = _logits(build_model(TINY_128, CPU))
    sqnr = {}
    for config in methods.standard_configs():
        if config.method_id.startswith("bnb-") and not HAS_BNB:
            continue
        sqnr[config.weight_format] = measure.compare_logits(reference, _logits(_quantized(TINY_128, config))).sqnr_db
    for int8 in ("int8-channel", "llm-int8"):
        for four_bit in ("nf4", "nf4-dq", "fp4", "int4-tinygemm-g128"):
            if int8 in sqnr and four_bit in sqnr:
                assert sqnr[int8] > sqnr[four_bit] + 6, (int8, four_bit, sqnr)


def test_the_int4_cpu_kernel_computes_the_dequantized_matmul():
    torch.manual_seed(0)
    linear = torch.nn.Linear(256, 64, bias=False, dtype=torch.bfloat16)
    config = Int4WeightOnly(group_size=128)
    module = Int4WeightOnlyLinear.from_linear(linear, config, _KERNELS["cpu"])
    scales, zeros = group_qparams(linear.weight, 128)
    dequantized = dequantize_groups(quantize_groups(linear.weight, scales, zeros, 128), scales, zeros, 128)
    x = torch.randn(3, 256, dtype=torch.bfloat16)
    expected = x.float() @ dequantized.T
    assert torch.allclose(module(x).float(), expected, rtol=2e-2, atol=2e-2)
    assert (dequantized - linear.weight.float()).abs().max() <= scales.float().max() / 2 + 1e-3


def test_a_method_that_cannot_run_is_recorded_as_unsupported_with_the_reason():
    # hidden 96 is not a multiple of tinygemm's group of 128
    spec = ModelSpec("tiny-llama-96", dict(TINY_LLAMA_CONFIG, hidden_size=96, num_attention_heads=3,
                                           num_key_value_heads=1))
    result = measure_item(BenchItem(spec, Int4WeightOnly(), Workload(1, 8, 2), repeats=1), CPU, {})
    assert result["status"] == "unsupported"
    assert "q_proj is 96x96; tinygemm needs in_features a multiple of 128" in result["error"]
    assert result["metrics"] == {} and result["model"]["params"] == parameter_count(build_model(spec, CPU))


# -- the suite ------------------------------------------------------------------

def test_the_smoke_suite_end_to_end_with_a_budget_and_a_resume(tmp_path, capsys):
    assert main(["bench", "--suite", "smoke", "--out", str(tmp_path), "--budget-s", "1e-9",
                 "--run-id", "smoke-test"]) == 3
    assert "Continue with: --run-id smoke-test" in capsys.readouterr().out
    assert load_record(tmp_path / "smoke-test.json")["results"] == []

    assert main(["bench", "--suite", "smoke", "--out", str(tmp_path), "--run-id", "smoke-test"]) == 0
    record = load_record(tmp_path / "smoke-test.json")
    assert record["run"]["finished"] is not None and record["run"]["device"]["kind"] == "cpu"
    # Keyed by label: GPTQ, AWQ and RTN share one weight format, and so do the two FP8 schemes.
    results = {methods.config_from_record(result["method"]).label: result for result in record["results"]}
    assert list(results) == [config.label for config in methods.standard_configs()]
    for label, result in results.items():
        expected = "unsupported" if label in ("llm-int8", "nf4", "nf4-dq", "fp4") and not HAS_BNB else "ok"
        assert result["status"] == expected, result["error"]
        if expected == "ok":
            metrics = result["metrics"]
            assert metrics["weight_bytes"] > 0 and metrics["prefill_ms"] > 0 and metrics["decode_ms_per_token"] > 0
            assert result["repeats"] == 5 and set(result["spread"]) == {"prefill_ms", "decode_ms_per_token"}
            assert "peak_bytes" not in metrics and "CUDA only" in result["missing"]["peak_bytes"]
    for result in results.values():  # random weights: speed and memory only, never quality
        assert not set(result["metrics"]) & {"top1_agreement", "kl_divergence", "logits_sqnr_db", "perplexity"}
        if result["status"] == "ok":
            assert "reference-trained models only" in result["missing"]["kl_divergence"]
    assert record["run"]["git_source"] == "checkout" and len(record["run"]["git_commit"]) == 40
    assert results["gptq-int4-g128"]["method"]["kernel"] == results["int4-tinygemm-g128"]["method"]["kernel"]

    assert main(["bench", "--suite", "smoke", "--out", str(tmp_path), "--run-id", "smoke-test"]) == 2
    assert "never rewritten" in capsys.readouterr().err

    if HAS_BNB:  # every item has a final status: a run that skips measured items has nothing to do, writes nothing
        again = tmp_path / "again"
        assert main(["bench", "--suite", "smoke", "--out", str(again), "--run-id", "smoke-again",
                     "--skip-measured", str(tmp_path)]) == 0
        assert "nothing to run, no record written" in capsys.readouterr().out
        assert not (again / "smoke-again.json").exists()


def test_a_killed_suite_resumes_and_skips_what_it_measured(tmp_path):
    items = SUITES["smoke"].items(SuiteOptions())[:3]
    run = _run_header("killed-run")
    writer = RecordWriter(tmp_path, run)
    writer.append(measure_item(items[0], CPU, {}))  # measured, then the process "died"
    resumed = RecordWriter(tmp_path, run)
    outcome = run_items(items, resumed, lambda item: measure_item(item, CPU), CPU)
    assert outcome.resumed == 1 and len(outcome.written) == 2 and outcome.finished
    assert [result["method"]["weight_format"] for result in load_record(resumed.path)["results"]] == [
        item.method.weight_format for item in items]


def _run_header(run_id):
    from generator.bench.environment import run_header

    return run_header("smoke", CPU, "pytest", run_id)


# -- CUDA only ------------------------------------------------------------------

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@cuda
@pytest.mark.parametrize("config", [methods.Int8WeightOnly(), Int4WeightOnly()], ids=lambda config: config.label)
def test_the_cuda_kernels_agree_with_the_cpu_kernels(config):
    """The same bf16 weights, made on the CPU (CUDA's random generator would make others) and quantized on
    each device, give the same logits on either device's kernels but for rounding."""
    sqnr, numbers = _kernels_against_cpu(config, torch.device("cuda"))
    assert sqnr is None or sqnr > 30, numbers


def _kernels_against_cpu(config, device):
    """(SQNR in dB of `config`'s logits on `device` against its logits on the CPU, from the same weights; a
    line with that and the numbers that say where a difference comes from)."""
    bf16 = build_model(TINY_128, CPU)
    logits = {}
    for where in (CPU, device):
        model = copy.deepcopy(bf16).to(where)
        logits["bf16", where.type] = _logits(model, device=where).cpu()
        methods.quantize(model, config, where)
        logits[config.label, where.type] = _logits(model, device=where).cpu()

    def sqnr(first, second):
        value = measure.compare_logits(logits[first], logits[second]).sqnr_db
        return math.inf if value is None else value

    here, there = "cpu", device.type
    return measure.compare_logits(logits[config.label, here], logits[config.label, there]).sqnr_db, (
        f"{config.label}: {there} against {here} {sqnr((config.label, here), (config.label, there)):.1f} dB SQNR; "
        f"bf16 {there} against {here} {sqnr(('bf16', here), ('bf16', there)):.1f} dB; {config.label} against "
        f"bf16: {here} {sqnr(('bf16', here), (config.label, here)):.1f} dB, "
        f"{there} {sqnr(('bf16', there), (config.label, there)):.1f} dB")


def test_the_kernel_comparison_of_the_cuda_test_runs_on_the_cpu():
    """Its CPU twin: the same weights on the same kernels give identical logits, and the line says so."""
    sqnr, numbers = _kernels_against_cpu(Int4WeightOnly(), CPU)
    assert sqnr is None
    assert numbers.startswith("int4-tinygemm-g128: cpu against cpu inf dB SQNR; bf16 cpu against cpu inf dB; ")


@cuda
def test_peak_memory_is_measured_on_cuda():
    item = BenchItem(TINY_128, methods.REFERENCE, Workload(1, 16, 4), repeats=2)
    result = measure_item(item, torch.device("cuda"), {})
    assert result["status"] == "ok"
    assert result["metrics"]["peak_bytes"] >= result["metrics"]["weight_bytes"]


def test_the_torch_free_analysis_knows_the_bf16_reference_by_the_same_key():
    from generator.records.analysis import REFERENCE_METHOD, method_key

    assert method_key(methods.REFERENCE.to_record()) == method_key(REFERENCE_METHOD)
