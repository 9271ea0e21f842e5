"""The decision wizard: properties over random inputs, the scenarios the evidence settles, the command line."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators import knowledge as kb
from calculators import wizard
from calculators.cli import main
from calculators.fitting import RUNTIME_OVERHEAD_BYTES, fit, usable_bytes
from calculators.formats import WEIGHT_FORMATS, kv_format, weight_format
from calculators.hardware import ACCELERATORS, accelerator
from calculators.presets import PRESETS, preset_architecture
from calculators.training import training_memory

ROOT = Path(__file__).resolve().parents[1]
# Small and mid-size dense models, one MoE, one with sliding windows: enough shapes, cheap to fit.
MODELS = ("llama-3.2-1b", "llama-3.1-8b", "qwen2.5-7b", "mistral-nemo-12b", "gemma-2-9b", "llama-3.1-70b",
          "mixtral-8x7b")


def answer(goal, gpu, model, context=4096, concurrency=1, priority="latency", gpus=1, evidence=None):
    inputs = wizard.make_inputs(goal, accelerator(gpu), gpus, preset_architecture(model), context, concurrency,
                                priority, PRESETS[model].hf_repo)
    return wizard.recommend(inputs, evidence)


def by_method(data):
    return {rec["method"]: rec for rec in data["recommendations"]}


@st.composite
def cases(draw):
    gpu = draw(st.sampled_from(sorted(ACCELERATORS)))
    model = draw(st.sampled_from(MODELS))
    arch = preset_architecture(model)
    counts = [n for n in (1, 2, 4, 8) if arch.num_attention_heads % n == 0 and
              (arch.num_kv_heads % n == 0 or n % arch.num_kv_heads == 0)]
    single = ACCELERATORS[gpu].kind in ("cpu", "unified-memory")
    gpus = 1 if single else draw(st.sampled_from(counts))
    context = draw(st.sampled_from([c for c in (512, 2048, 8192, 32768) if c <= (arch.max_context or c)]))
    concurrency = draw(st.sampled_from([1, 4, 16, 64]))
    goal = draw(st.sampled_from(wizard.GOALS))
    return goal, gpu, model, context, concurrency, gpus


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(wizard.PRIORITIES))
def test_every_recommendation_fits_and_runs_and_every_exclusion_has_a_reason(case, priority):
    goal, gpu, model, context, concurrency, gpus = case
    data = answer(goal, gpu, model, context, concurrency, priority, gpus)
    acc, arch = accelerator(gpu), preset_architecture(model)
    for rec in data["recommendations"]:
        assert rec["fits"] is True and rec["scheme"] in wizard.SCHEMES and rec["format"] in WEIGHT_FORMATS
        assert rec["evidence"] and all(item.get("source") for item in rec["evidence"])
        if goal == "finetune":
            need = training_memory(arch, rec["method"], context, concurrency).total + RUNTIME_OVERHEAD_BYTES
            assert need <= usable_bytes(acc, 1.0)
            kernels = kb.FINETUNE_KERNELS[rec["method"]]
        else:
            kernels = kb.METHODS_BY_ID[rec["method"]].kernels
            if not rec["offload"]:
                kv = kv_format(rec["kv_format"] or ("fp16" if rec["scheme"] == "FP16" else "bf16"))
                assert fit(arch, weight_format(rec["format"]), kv, acc, gpus, context, concurrency).fits
        # It runs here: a kernel of its runtime for this chip, and the compute capability it needs.
        assert any(k.runtime == rec["runtime"] and wizard._runs(k, acc) for k in kernels)
        if rec["min_compute_capability"] is not None:
            assert float(acc.compute_capability) >= float(rec["min_compute_capability"])
    for item in data["ruled_out"]:
        assert item["method"] and item["reason"].strip()
    named = {rec["method"] for rec in data["recommendations"]} | {item["method"] for item in data["ruled_out"]}
    expected = set(kb.FINETUNE) | {m.id for m in kb.METHODS if m.id not in ("bf16", "nf4")} if goal == "finetune" \
        else {m.id for m in kb.METHODS}
    assert named == expected  # every method is either recommended or ruled out, never dropped


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_priority_changes_the_order_never_what_fits(case):
    goal, gpu, model, context, concurrency, gpus = case
    answers = [answer(goal, gpu, model, context, concurrency, priority, gpus) for priority in wizard.PRIORITIES]
    fitting = [sorted((r["method"], r["format"], r["kv_format"], r["offload"]) for r in a["recommendations"])
               for a in answers]
    assert all(f == fitting[0] for f in fitting)


# -- scenarios the evidence settles -----------------------------------------------------------------------------

def test_fp8_on_ampere_runs_weight_only_through_marlin():
    # vLLM docs, FP8 W8A8: W8A8 needs compute capability 8.9; Ampere runs FP8 checkpoints as W8A16 (Marlin).
    ampere = by_method(answer("serve", "a100-sxm-80gb", "llama-3.1-8b"))["fp8-dynamic"]
    assert ampere["scheme"] == "FP8-W8A16" and any(q["id"] == "fp8-before-ada" for q in ampere["questions"])
    hopper = by_method(answer("serve", "h100-sxm", "llama-3.1-8b"))["fp8-dynamic"]
    assert hopper["scheme"] == "FP8-W8A8" and hopper["min_compute_capability"] == "8.9"


def test_fp8_and_awq_are_ruled_out_on_volta_with_the_capability_they_need():
    # vLLM Supported Hardware table: AWQ and INT8 W8A8 from Turing (7.5), Marlin (FP8 weight-only) from 8.0.
    data = answer("serve", "v100-sxm2-32gb", "llama-3.1-8b")
    reasons = {item["method"]: item["reason"] for item in data["ruled_out"]}
    assert "needs compute capability 8.0" in reasons["fp8-dynamic"]
    assert "needs compute capability 7.5" in reasons["awq"]
    assert by_method(data)["bf16"]["scheme"] == "FP16"  # no bfloat16 below 8.0 in vLLM


def test_latency_bound_serving_puts_4bit_weight_only_ahead_of_w8a8():
    # Kurtic et al., arXiv 2411.02355: W4A16 is the most cost-efficient for synchronous deployment.
    order = [r["scheme"] for r in answer("serve", "h100-sxm", "llama-3.1-70b", 4096, 1, "latency")["recommendations"]]
    assert order.index("INT4-W4A16") < order.index("FP8-W8A8")


def test_throughput_on_high_end_gpus_puts_w8a8_first():
    # Kurtic et al., arXiv 2411.02355: W8A8 (FP8 on Hopper, INT8 on Ampere) leads asynchronous continuous
    # batching of mid-size and large models on high-end GPUs.
    hopper = answer("serve", "h100-sxm", "llama-3.1-70b", 4096, 64, "throughput", gpus=2)["recommendations"]
    assert hopper[0]["scheme"] == "FP8-W8A8"
    ampere = answer("serve", "a100-sxm-80gb", "llama-3.1-70b", 8192, 64, "throughput", gpus=4)["recommendations"]
    assert ampere[0]["scheme"] == "INT8-W8A8"


def test_throughput_on_a_mid_tier_gpu_keeps_4bit_weight_only_first():
    # Kurtic et al., arXiv 2411.02355: on mid-tier GPUs (A6000) W4A16 stays the most cost-efficient.
    recs = answer("serve", "rtx-a6000", "llama-3.1-8b", 4096, 16, "throughput")["recommendations"]
    assert recs[0]["scheme"] in ("INT4-W4A16", "GGUF") and recs[0]["format"] != "gguf-q2-k"


def test_group_quantized_layers_need_whole_groups_per_tensor_parallel_shard():
    # vLLM gptq.py/awq.py: in_features / tp must be a multiple of the group size. Qwen2.5-7B's MLP is 18,944
    # wide: 4 shards of 4,736 are 37 groups of 128, 8 shards of 2,368 are 18.5.
    arch = preset_architecture("qwen2.5-7b")
    assert wizard.tensor_parallel_problem(arch, 128, 4) is None
    assert "not a whole number of groups of 128" in wizard.tensor_parallel_problem(arch, 128, 8)


def test_nothing_fits_says_what_would():
    data = answer("serve", "l40s", "llama-3.1-70b", 32768, 16, "throughput", gpus=2)
    assert data["recommendations"] == []
    changes = {alt["change"] for alt in data["alternatives"]}
    assert {"more GPUs", "fewer concurrent sequences", "shorter context"} <= changes
    assert any(change.startswith("CPU offload") for change in changes)


def test_local_on_a_small_card_offers_cpu_offload_marked_as_such():
    recs = answer("local", "rtx-4080", "llama-3.1-70b", 4096, 1, "quality")["recommendations"]
    assert recs and all(rec["offload"] for rec in recs) and all(rec["runtime"] == "llama.cpp" for rec in recs)
    assert "-ngl " in recs[0]["command"] and recs[0]["memory"]["gpu_layers"] < 80


def test_apple_silicon_gets_mlx_or_llama_cpp_and_never_cuda_only_methods():
    data = answer("local", "m3-max", "llama-3.1-8b")
    # bitsandbytes runs on Apple's Metal back end from 0.50: transformers may load NF4 there.
    assert {rec["runtime"] for rec in data["recommendations"]} == {"mlx", "llama.cpp", "transformers"}
    assert "mlx-4bit" in by_method(data)
    assert {"awq", "fp8-dynamic", "int8-w8a8"} <= {item["method"] for item in data["ruled_out"]}


def test_finetuning_recommends_qlora_where_lora_does_not_fit():
    # QLoRA, arXiv 2305.14314: the NF4 base is what lets a 70B model be fine-tuned on one 80 GB card.
    data = answer("finetune", "h100-sxm", "llama-3.1-70b", 2048, 1, "quality")
    assert [rec["method"] for rec in data["recommendations"]] == ["qlora"]
    reasons = {item["method"]: item["reason"] for item in data["ruled_out"]}
    assert reasons["lora"].startswith("does not fit by") and "cannot be fine-tuned" in reasons["gguf-q4-k-m"]


def test_launch_commands_carry_the_fit():
    rec = by_method(answer("serve", "l40s", "llama-3.1-70b", 8192, 16, "throughput", gpus=2))["awq"]
    assert rec["kv_format"] == "fp8-e4m3"  # 16-bit KV does not fit; FP8 does on compute capability 8.9
    for flag in ("--tensor-parallel-size 2", "--max-model-len 8192", "--max-num-seqs 16",
                 "--gpu-memory-utilization 0.9", "--kv-cache-dtype fp8"):
        assert flag in rec["command"]
    gguf = by_method(answer("local", "rtx-4090", "llama-3.1-8b", 8192, 4))["gguf-q4-k-m"]
    assert "-c 32768 -np 4" in gguf["command"]  # llama.cpp shares -c among the -np slots


def test_measured_evidence_names_its_record():
    evidence = {"methods": {"int4-tinygemm-g128": {"devices": {"NVIDIA H200": {"measured_on": "GPU", "speed": [
        {"model": "llama-3.1-8b", "batch": 1, "decoding": "CUDA graph", "speedup_vs_bf16": 1.5,
         "speedup_range": [1.4, 1.6], "source": {"record": "x.json", "result": 3}}], "quality": []}}}}}
    rec = by_method(answer("serve", "h100-sxm", "llama-3.1-8b", evidence=evidence))["awq"]
    measured = [e for e in rec["evidence"] if e["kind"] == "measured speed"]
    assert measured[0]["source"] == "gpu_runs/x.json result 3" and measured[0]["speedup_vs_bf16"] == 1.5


def test_the_measured_labels_of_the_knowledge_base_exist_in_the_evidence_summary():
    from generator.site.results.dataset import DEFAULT_RECORDS, load_dataset
    from generator.site.results.evidence import summary

    labels = set(summary(load_dataset(DEFAULT_RECORDS))["methods"])
    for method in kb.METHODS:
        for names in (*method.measured_speed.values(), method.measured_quality):
            assert set(names) <= labels, method.id


def test_every_source_key_is_known():
    keys = {k.source for m in kb.METHODS for k in m.kernels} | {q.source for m in kb.METHODS for q in m.quality}
    keys |= {m.fine_tune_source for m in kb.METHODS} | {r.source for r in kb.RULES.values()}
    keys |= {k.source for ks in kb.FINETUNE_KERNELS.values() for k in ks}
    keys |= {s for _, sources in kb.QUESTIONS.values() for s in sources}
    assert keys <= set(kb.SOURCES)
    assert all(m.format in WEIGHT_FORMATS for m in kb.METHODS)


# -- command line -------------------------------------------------------------------------------------------------

def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_has_the_documented_keys(capsys):
    code, out, err = run(["wizard", "--goal", "serve", "--gpu", "h100-sxm", "--model", "llama-3.1-8b",
                          "--context", "8k", "--concurrency", "8", "--priority", "throughput", "--no-evidence",
                          "--json"], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) >= {"recommendations", "ruled_out"}
    for rec in data["recommendations"]:
        assert set(rec) >= {"method", "scheme", "format", "kv_format", "fits", "offload", "min_compute_capability",
                            "fine_tunable", "runtime", "reasons", "evidence"}


def test_cli_text_matches_json(capsys, tmp_path):
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps({"methods": {}}))
    argv = ["wizard", "--goal", "local", "--gpu", "rtx-4090", "--model", "llama-3.1-8b", "--evidence", str(path)]
    _, text, _ = run(argv, capsys)
    _, out, _ = run(argv + ["--json"], capsys)
    first = json.loads(out)["recommendations"][0]
    assert f"1. {first['label']}: {first['scheme']}" in text and first["command"] in text


@pytest.mark.parametrize("argv, message", [
    (["--goal", "sell", "--gpu", "h100-sxm", "--model", "llama-3.1-8b"], "invalid choice"),
    (["--goal", "serve", "--gpu", "h100-sxm", "--model", "llama-3.1-8b", "--gpus", "3"], "attention heads"),
    (["--goal", "serve", "--gpu", "m3-max", "--model", "llama-3.1-8b", "--gpus", "2"], "one machine"),
    (["--goal", "serve", "--gpu", "tpu", "--model", "llama-3.1-8b"], "unknown GPU"),
    (["--goal", "serve", "--gpu", "h100-sxm", "--model", "llama-3.1-8b", "--context", "-5"], "at least"),
    (["--goal", "serve", "--gpu", "h100-sxm", "--model", "llama-3.1-8b", "--context", "10m"], "reads at most"),
    (["--goal", "serve", "--gpu", "h100-sxm"], "required"),
])
def test_cli_bad_flags_exit_2_with_one_line(argv, message, capsys):
    code, out, err = run(["wizard", *argv, "--no-evidence"], capsys)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_many_users_on_gpu_servers_are_served_by_an_engine_that_pages_the_kv_cache():
    recs = answer("serve", "h100-sxm", "llama-3.1-8b", 8192, 64, "throughput", gpus=2)["recommendations"]
    assert recs[0]["runtime"] == "vllm"
    static = [rec for rec in recs if rec["runtime"] == "llama.cpp"]
    assert static and all("static-kv" in rec["demoted_by"] for rec in static)
    assert recs.index(static[0]) > max(i for i, rec in enumerate(recs) if rec["runtime"] == "vllm")
    # One user on one machine: llama.cpp is not held back.
    local = answer("local", "rtx-4090", "llama-3.1-8b", 8192, 1, "latency")["recommendations"]
    assert not any("static-kv" in rec["demoted_by"] for rec in local)


def test_the_latency_rule_favours_int4_weight_only_not_every_four_bit_file():
    recs = answer("serve", "h100-sxm", "llama-3.1-8b", 8192, 1, "latency")["recommendations"]
    favoured = {rec["scheme"] for rec in recs if "sync-w4a16" in rec["favoured_by"]}
    assert favoured == {"INT4-W4A16"} and recs[0]["scheme"] == "INT4-W4A16"


def test_offloaded_candidates_keep_the_fewest_bytes_in_system_memory_first():
    recs = [rec for rec in answer("local", "rtx-4090", "llama-3.1-70b", 8192, 1, "latency")["recommendations"]
            if rec["offload"] and "large-loss" not in rec["demoted_by"]]
    hosts = [rec["memory"]["host_bytes"] for rec in recs]
    assert len(hosts) >= 2 and hosts == sorted(hosts)
