"""calculators.web: the page API the browser calls, checked in CPython."""

import json
import re

import pytest

from calculators import fit, kv_cache_bytes, kv_format, preset_architecture, weight_bytes, weight_format, accelerator
from calculators.render import render_form
from calculators.pages import names, page as find_page
from calculators.web import compute

PAGES = names()


def defaults(page: str) -> dict:
    return find_page(page).defaults


@pytest.mark.parametrize("page", PAGES)
def test_defaults_compute_and_round_trip_through_json(page):
    reply = compute(page, {})
    assert reply["ok"] and reply["errors"] == {} and reply["html"]
    assert json.loads(json.dumps(reply)) == reply
    assert "nan" not in json.dumps(reply).lower() and "infinity" not in json.dumps(reply).lower()


def test_results_are_the_calculators_results():
    reply = compute("weights", {"model": "llama-3.1-70b", "format": "awq-int4-g128"})
    assert reply["result"]["total_bytes"] == \
        weight_bytes(preset_architecture("llama-3.1-70b"), weight_format("awq-int4-g128")).total_bytes
    reply = compute("kv", {"model": "gemma-2-27b", "context": "12345", "batch": "3", "kv_format": "int4-g64"})
    assert reply["result"]["total_bytes"] == \
        kv_cache_bytes(preset_architecture("gemma-2-27b"), kv_format("int4-g64"), 12345, 3).total_bytes
    reply = compute("fit", defaults("fit"))
    expected = fit(preset_architecture("llama-3.1-70b"), weight_format("awq-int4-g128"), kv_format("bf16"),
                   accelerator("l40s"), 2, 32768, 16)
    assert reply["result"]["max_context"] == expected.max_context


@pytest.mark.parametrize("page, params, field, message", [
    ("kv", {"context": "-5"}, "context", "at least 1"),
    ("kv", {"context": "4,096.5"}, "context", "whole number"),
    ("kv", {"context": "9" * 40}, "context", "at most"),
    ("fit", {"gpus": "3"}, "gpus", "cannot split"),
    ("fit", {"model": "nope"}, "model", "unknown model"),
    ("speculative", {"acceptance": "nan"}, "acceptance", "between 0 and 1"),
    ("weights", {"model": "config", "config": ""}, "config", "paste a config.json"),
    ("weights", {"model": "config", "config": "x" * 300_000}, "config", "too long"),
    ("weights", {"model": "custom", "hidden_size": "0"}, "hidden_size", "at least 1"),
])
def test_bad_input_comes_back_as_field_errors(page, params, field, message):
    reply = compute(page, params)
    assert not reply["ok"] and reply["result"] is None and reply["html"] == ""
    assert message in reply["errors"][field]


def test_several_errors_at_once():
    reply = compute("kv", {"context": "x", "batch": "-1", "kv_format": "fp7"})
    assert set(reply["errors"]) == {"context", "batch", "kv_format"}


def test_inputs_are_escaped_in_the_html():
    reply = compute("weights", {"model": "config", "config": json.dumps(
        {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
         "intermediate_size": 128, "vocab_size": 100, "_name_or_path": "<script>alert(1)</script>"})})
    assert reply["ok"]
    assert "<script>" not in reply["html"]


def test_unknown_page():
    assert compute("nope", {})["errors"] == {"page": "unknown calculator"}


def test_fit_suggests_changes_that_fit():
    reply = compute("fit", {"model": "llama-3.1-70b", "format": "bf16", "gpu": "h100-sxm", "gpus": "1",
                            "context": "8192", "batch": "1"})
    result = reply["result"]
    assert not result["fits"] and result["suggestions"]
    assert any("GPUs" in s["text"] for s in result["suggestions"])


@pytest.mark.parametrize("gpu, noun", [("epyc-9654", "System memory"), ("m4-max", "Unified memory")])
def test_a_cpu_or_an_apple_chip_is_one_machine_not_a_gpu(gpu, noun):
    fits = compute("fit", {"model": "llama-3.1-8b", "format": "bf16", "gpu": gpu, "gpus": "1", "context": "4096",
                           "batch": "1"})
    assert fits["result"]["fits"] and "per GPU" not in fits["html"] and "GPU memory" not in fits["html"]
    assert f"{noun} the engine may use" in fits["html"] and " free</" in fits["html"].replace(" free.", " free</")
    assert fits["charts"][0]["data"][-1]["name"] == noun
    short = compute("fit", {"model": "llama-3.1-405b", "format": "bf16", "gpu": gpu, "gpus": "1", "context": "4096",
                            "batch": "1"})
    assert not short["result"]["fits"] and "per GPU" not in short["html"]
    assert not any("GPU" in s["text"] for s in short["result"]["suggestions"])  # one CPU socket, one Mac
    gpu_reply = compute("fit", {"model": "llama-3.1-8b", "format": "bf16", "gpu": "h100-sxm", "gpus": "1",
                                "context": "4096", "batch": "1"})
    assert "free per GPU" in gpu_reply["html"] and "GPU memory the engine may use" in gpu_reply["html"]


@pytest.mark.parametrize("page", PAGES)
def test_forms_label_every_control(page):
    html = render_form(page)
    assert html.count("<label for=") >= html.count("<select") + html.count("<input") + html.count("<textarea")


def test_the_fit_page_takes_the_share_of_memory_the_engine_may_use():
    from calculators import accelerator, fit, kv_format, preset_architecture, weight_format

    base = {"model": "llama-3.1-8b", "format": "bf16", "kv_format": "bf16", "gpu": "rtx-4090", "gpus": "1",
            "context": "8192", "batch": "4"}
    default = compute("fit", base)
    assert default["ok"] and default["result"]["memory_share"] == 0.9
    assert default["result"]["capacity_bytes"] == int(accelerator("rtx-4090").allocatable_bytes * 0.9)
    assert "--gpu-memory-utilization" in default["html"] and "90% of 23.68 GiB" in default["html"]
    as_percent = compute("fit", {**base, "memory_share": "85%"})
    as_fraction = compute("fit", {**base, "memory_share": "0.85"})
    assert as_percent["result"] == as_fraction["result"]
    expected = fit(preset_architecture("llama-3.1-8b"), weight_format("bf16"), kv_format("bf16"),
                   accelerator("rtx-4090"), 1, 8192, 4, memory_utilization=0.85)
    assert as_percent["result"]["max_batch"] == expected.max_batch
    for bad, message in (("lots", "write 0.9 or 90%"), ("150%", "between 0.05 and 1"), ("0", "between 0.05 and 1"),
                         ("nan", "write 0.9 or 90%"), ("", "enter the share")):
        reply = compute("fit", {**base, "memory_share": bad})
        assert not reply["ok"] and message in reply["errors"]["memory_share"], (bad, reply["errors"])


def test_every_lever_offered_fits_on_its_own_and_they_come_cheapest_first():
    from urllib.parse import parse_qsl

    cases = [{"model": "llama-3.1-70b", "format": "bf16", "kv_format": "bf16", "gpu": "h100-sxm", "gpus": "2",
              "context": "32768", "batch": "8", "memory_share": "0.9"},
             {"model": "llama-3.1-70b", "format": "awq-int4-g128", "kv_format": "bf16", "gpu": "l40s", "gpus": "2",
              "context": "32k", "batch": "16", "memory_share": "0.9"},
             {"model": "llama-3.1-8b", "format": "bf16", "kv_format": "bf16", "gpu": "rtx-4090", "gpus": "1",
              "context": "128k", "batch": "4", "memory_share": "0.9"}]
    order = ("KV-cache", "quality", "throughput", "capability", "hardware")
    for params in cases:
        reply = compute("fit", params)
        levers = reply["result"]["suggestions"]
        assert reply["ok"] and not reply["result"]["fits"] and len(levers) >= 2, params
        ranks = [next(i for i, word in enumerate(order) if word in lever["cost"]) for lever in levers]
        assert ranks == sorted(ranks), levers
        for lever in levers:  # the link holds the inputs that apply the change, and with them it fits
            applied = compute("fit", dict(parse_qsl(lever["link"][1:])))
            assert applied["ok"] and applied["result"]["fits"], lever
            assert f'href="{lever["link"].replace("&", "&amp;")}"' in reply["html"]
        # 32k is 32768 in the links, which also give the inputs left at their defaults
        understood = {**defaults("fit"), **params, "context": str(reply["result"]["context"])}
        changed = [set(dict(parse_qsl(lever["link"][1:])).items()) - set(understood.items()) for lever in levers]
        assert all(len(change) == 1 for change in changed), changed  # one lever, one input


def test_the_roofline_says_when_a_setup_does_not_fit_and_splits_over_gpus():
    base = {"model": "llama-3.1-70b", "format": "bf16", "kv_format": "bf16", "gpu": "h100-sxm", "batch": "1",
            "prompt": "512"}
    one = compute("roofline", {**base, "gpus": "1"})
    assert one["ok"] and not one["result"]["fits"] and "Not reachable" in one["html"]
    four = compute("roofline", {**base, "gpus": "4"})
    assert four["ok"] and four["result"]["fits"] and "Not reachable" not in four["html"]
    assert "4 × NVIDIA H100" in four["html"] and "all-reduces" in four["html"]
    # an ideal split: four cards' bandwidth, so a quarter of the memory-bound decode time
    assert four["result"]["tpot_s"] == pytest.approx(one["result"]["tpot_s"] / 4)
    # the batch sweep stops where memory runs out
    assert max(four["result"]["sweep"]["batch"]) <= four["result"]["max_batch"]
    bad = compute("roofline", {**base, "gpus": "3"})  # 64 heads do not split over 3 GPUs
    assert not bad["ok"] and "gpus" in bad["errors"]


@pytest.mark.parametrize("page, field, text, tokens", [("fit", "context", "128k", 131072), ("kv", "context", "32K", 32768),
                                                      ("roofline", "prompt", "1.5k", 1536),
                                                      ("training", "sequence", "4k", 4096)])
def test_token_fields_take_k_as_1024(page, field, text, tokens):
    reply = compute(page, {**defaults(page), field: text})
    assert not reply["errors"] and reply["result"][field if page != "training" else "sequence"] == tokens


@pytest.mark.parametrize("text", ["0.3k", "k", "12q", "1e-3", "1.5e0", "-2k"])
def test_token_fields_refuse_what_is_not_a_whole_number_of_tokens(text):
    reply = compute("fit", {**defaults("fit"), "context": text})
    assert "whole number" in reply["errors"]["context"] and "Traceback" not in reply["html"]


def test_a_batch_takes_no_suffix():
    assert "whole number" in compute("fit", {**defaults("fit"), "batch": "1k"})["errors"]["batch"]


def test_exact_scientific_notation_is_a_whole_number():
    reply = compute("fit", {**defaults("fit"), "context": "1e4", "batch": "1E1"})
    assert not reply["errors"] and reply["result"]["context"] == 10000 and reply["result"]["batch"] == 10
    assert "at most" in compute("fit", {**defaults("fit"), "batch": "1e300"})["errors"]["batch"]
    assert "digits, or 1e6" in compute("fit", {**defaults("fit"), "batch": "2.5"})["errors"]["batch"]


def test_every_result_links_to_the_other_calculators_with_the_inputs_they_share():
    from html import unescape
    from urllib.parse import parse_qsl, urlsplit

    from calculators.inputs import carried_fields
    from calculators.pages import all_pages

    params = {"model": "qwen2.5-7b", "format": "gptq-int4-g128", "kv_format": "fp8-e4m3", "gpu": "h100-sxm",
              "gpus": "1", "context": "16k", "batch": "4", "units": "GB"}
    reply = compute("fit", params)
    links = dict((unescape(href), title) for href, title in
                 re.findall(r'<a href="(\.\./[^"]+)">([^<]+)</a>', reply["html"].split('class="calc-related"')[1]))
    assert sorted(links.values()) == ["KV cache", "Roofline", "Training memory", "Weight memory"]
    for href in links:
        path, query = urlsplit(href).path, dict(parse_qsl(urlsplit(href).query))
        target = next(page for page in all_pages() if path == f"../{page.slug}/")
        there = compute(target.name, query)
        assert there["ok"], (href, there["errors"])
        names = carried_fields(target)
        for field, value in {**target.defaults, **there["inputs"]}.items():  # what the target page shows
            if names.get(field) in params:
                assert value == params[names[field]], (href, field)
    assert "prompt=16k" in next(h for h in links if h.startswith("../roofline/"))  # the context is its prompt
    assert "batch" not in next(h for h in links if h.startswith("../training-memory/"))  # not a serving batch
    assert 'class="calc-related"' not in compute("speculative", {})["html"]  # it shares no input
    pasted = compute("weights", {"model": "config", "config": json.dumps(
        {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
         "intermediate_size": 128, "vocab_size": 100})})
    related = pasted["html"].split('class="calc-related"')[1]
    assert pasted["ok"] and "model=config" in related and "hidden_size" not in related  # the text stays behind


def test_sizes_in_decimal_units_on_request():
    binary, decimal = compute("weights", {}), compute("weights", {"units": "GB"})
    total = binary["result"]["total_bytes"]
    assert f"{total / 2 ** 30:,.2f} GiB" in binary["html"] and f"{total / 1e9:,.2f} GB" in decimal["html"]
    assert decimal["charts"][0]["layout"]["xaxis"]["title"]["text"] == "GB"
    assert decimal["charts"][1]["data"][0]["x"][0] == pytest.approx(
        decimal["result"]["comparison"][0]["total_bytes"] / 1e9)
    assert compute("kv", {"units": "TB"})["errors"] == {"units": "unknown unit; pick one from the list"}


def test_the_chosen_weight_format_is_always_in_the_comparison_and_drawn_solid():
    reply = compute("weights", {"format": "hqq-int3-g64"})
    bars = reply["charts"][1]["data"][0]
    assert bars["y"][-1] == "HQQ 3-bit g64" and bars["marker"]["opacity"][-1] == 1
    assert all(opacity < 1 for opacity in bars["marker"]["opacity"][:-1])
    assert bars["text"] == [f"{x:,.2f}" for x in bars["x"]]  # the values are written on the bars


def test_the_fit_page_gives_the_decode_bound_and_the_cost_per_million_tokens():
    from calculators import kv_format as kv, roofline, weight_format as wf

    params = {"model": "llama-3.1-8b", "format": "awq-int4-g128", "gpu": "l40s", "gpus": "2", "context": "8192",
              "batch": "8"}
    priced = compute("fit", {**params, "price": "$1.50"})
    bound = roofline(preset_architecture("llama-3.1-8b"), wf("awq-int4-g128"), kv("bf16"), accelerator("l40s"), 8,
                     8192, num_gpus=2)
    result = priced["result"]
    assert result["decode_tokens_per_s"] == bound.tokens_per_s
    assert result["cost_per_million_tokens"] == pytest.approx(1.5 * 2 * 1e6 / bound.tokens_per_s / 3600)
    assert 0.1 <= result["cost_per_million_tokens"] < 1  # two significant figures: two decimals here
    assert f"{result['cost_per_million_tokens']:.2f} per million tokens" in priced["html"]
    unpriced = compute("fit", params)
    assert unpriced["result"]["cost_per_million_tokens"] is None and "Enter a price per GPU-hour" in unpriced["html"]
    for bad, message in (("cheap", "must be a number"), ("-2", "between 0 and 10000"), ("nan", "between")):
        assert message in compute("fit", {**params, "price": bad})["errors"]["price"]
    cpu = compute("fit", {**params, "gpu": "epyc-9654", "gpus": "1"})
    assert cpu["ok"] and "no decode speed bound" in cpu["html"]


def test_the_roofline_sets_other_formats_beside_the_chosen_one_each_until_its_memory_runs_out():
    params = {"model": "llama-3.1-70b", "format": "nf4", "gpu": "h100-sxm", "gpus": "1", "prompt": "4096"}
    result = compute("roofline", params)["result"]
    names = {"bf16": None}
    for sweep in [result["sweep"]] + result["compared"]:
        largest = fit(preset_architecture("llama-3.1-70b"), weight_format(sweep["format"]), kv_format("bf16"),
                      accelerator("h100-sxm"), 1, 4096, 1).max_batch
        assert sweep["fits"] == (largest > 0)
        assert all(b <= largest for b in sweep["batch"]) and (not sweep["batch"] or sweep["batch"][-1] * 2 > largest
                                                             or sweep["batch"][-1] == 1024)
        names[sweep["format"]] = sweep["fits"]
    assert names == {"nf4": True, "bf16": False, "fp8-e4m3-channel": False, "awq-int4-g128": True}
    drawn = [t["name"] for t in compute("roofline", params)["charts"][1]["data"]]
    assert "BF16" not in drawn and "NF4" in drawn  # 70B in bf16 does not fit one H100: no curve


def test_the_format_list_is_grouped():
    form = render_form("weights")
    groups = re.findall(r'<optgroup label="([^"]+)">', form)
    assert groups == ["16- and 32-bit", "8-bit", "bitsandbytes", "GPTQ and AWQ", "Group-wise integer",
                      "4-bit floating point", "GGUF (llama.cpp)", "EXL2 (ExLlamaV2)", "Codebooks (AQLM)"]
    from calculators.formats import WEIGHT_FORMATS
    select = form.split('name="format"')[1].split("</select>")[0]
    assert sorted(re.findall(r'<option value="([^"]+)"', select)) == sorted(WEIGHT_FORMATS)


def test_a_multimodal_config_says_only_its_text_model_is_counted():
    text = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
            "intermediate_size": 128, "vocab_size": 100}
    wrapped = compute("weights", {"model": "config", "config": json.dumps(
        {"model_type": "llava", "text_config": text, "vision_config": {"hidden_size": 1024}})})
    plain = compute("weights", {"model": "config", "config": json.dumps(text)})
    assert wrapped["ok"] and wrapped["result"]["total_bytes"] == plain["result"]["total_bytes"]
    assert "only its text model is counted" in wrapped["html"] and "&#x27;llava&#x27;" in wrapped["html"]
    assert "only its text model" not in plain["html"]


@pytest.mark.parametrize("page, field", [("kv", "context"), ("fit", "context"), ("roofline", "prompt"),
                                         ("training", "sequence")])
def test_every_page_says_when_its_token_count_is_beyond_the_models_own(page, field):
    over = compute(page, {"model": "llama-3.1-8b", field: "131073"})
    at = compute(page, {"model": "llama-3.1-8b", field: "128k"})
    assert over["ok"] and at["ok"]
    assert ("<p class=\"calc-note\">131,073 tokens is beyond the 131,072 tokens this model was made for "
            "(max_position_embeddings in its config.json).</p>") in over["html"]
    assert "is beyond the" not in at["html"]
    # A config that does not say how long a context its model takes gets no such sentence.
    config = json.dumps({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                         "intermediate_size": 128, "vocab_size": 100})
    unknown = compute(page, {"model": "config", "config": config, field: "200000"})
    assert unknown["ok"] and "is beyond the" not in unknown["html"]


def test_the_training_headline_writes_a_large_batch_with_separators():
    html = compute("training", {"model": "llama-3.2-1b", "batch": "10000", "sequence": "2048"})["html"]
    assert " at 10,000 × 2,048 tokens." in html


def test_the_largest_kv_cache_the_page_takes_is_written_in_exbibytes_and_exabytes():
    # 2^31 tokens x 2^20 sequences x 128 KiB a token (Llama 3.1 8B in BF16) = 2^68 bytes.
    params = {"model": "llama-3.1-8b", "context": "2147483648", "batch": "1048576"}
    binary = compute("kv", params)
    decimal = compute("kv", {**params, "units": "GB"})
    assert binary["result"]["total_bytes"] == 1 << 68
    assert "256.00 EiB" in binary["html"] and "295.15 EB" in decimal["html"]
    assert "TiB" not in binary["html"].split("Per token")[0]


def test_a_slowdown_is_not_called_faster_and_one_of_a_thing_is_singular():
    slow = compute("speculative", {"acceptance": "0.1", "draft_tokens": "4", "draft_cost": "0.5"})
    assert slow["result"]["speedup"] < 1 and slow["result"]["best_draft_tokens"] == 0
    text = re.sub(r"<[^>]+>", "", slow["html"])
    assert "faster" not in text
    assert f"decoding runs at {slow['result']['speedup']:.2f}× the speed of the target model alone" in text
    assert "0 tokens (no speculation), 1.000×" in text
    one = re.sub(r"<[^>]+>", "", compute("speculative", {"draft_tokens": "1"})["html"])
    assert "× faster decoding with 1 draft token at acceptance 0.8." in one
    fit_one = compute("fit", {"model": "llama-3.1-8b", "gpu": "h100-sxm", "gpus": "1", "batch": "1"})
    assert "Largest context at 1 sequence:" in fit_one["html"]
    one_token = compute("fit", {"model": "llama-3.1-8b", "context": "1", "batch": "1"})["html"]
    assert "Largest number of sequences at 1 token:" in one_token and "the full 1 token," in one_token
    assert not re.search(r"\b1 (sequences|tokens|draft tokens)\b",
                         re.sub(r"<[^>]+>", "", fit_one["html"] + one + one_token))
