import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from calculators import kv_cache_bytes, kv_format, preset_architecture, weight_bytes, weight_format
from calculators.cli import build_parser, main
from calculators.preset_configs import PRESET_CONFIGS
from calculators.web import compute

ROOT = Path(__file__).resolve().parents[1]


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_weights_json_has_integer_totals_and_parts(capsys):
    code, out, err = run(["weights", "--model", "llama-3.1-8b", "--format", "nf4", "--json"], capsys)
    assert code == 0 and err == ""
    data = json.loads(out)
    expected = weight_bytes(preset_architecture("llama-3.1-8b"), weight_format("nf4"))
    assert data["total_bytes"] == expected.total_bytes and isinstance(data["total_bytes"], int)
    assert data["params"] == 8_030_261_248
    assert set(data["parts"]) >= {"embedding", "attention", "mlp", "lm_head"}
    assert data["metadata_bytes"] == expected.metadata_bytes


def test_kv_json(capsys):
    code, out, _ = run(["kv", "--model", "gemma-2-9b", "--context", "8192", "--batch", "2", "--kv-format",
                        "fp8-e4m3", "--json"], capsys)
    data = json.loads(out)
    expected = kv_cache_bytes(preset_architecture("gemma-2-9b"), kv_format("fp8-e4m3"), 8192, 2)
    assert code == 0
    assert (data["bytes_per_token"], data["total_bytes"]) == (expected.bytes_per_token, expected.total_bytes)


def test_config_file_gives_the_same_answer_as_the_preset(tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(PRESET_CONFIGS["qwen3-30b-a3b"]["config"]))
    _, from_file, _ = run(["weights", "--config", str(path), "--format", "awq-int4-g128", "--json"], capsys)
    _, from_preset, _ = run(["weights", "--model", "qwen3-30b-a3b", "--format", "awq-int4-g128", "--json"], capsys)
    assert json.loads(from_file)["total_bytes"] == json.loads(from_preset)["total_bytes"]


@pytest.mark.parametrize("argv", [
    ["weights", "--model", "llama-3.1-8b"],
    ["kv", "--model", "deepseek-v3", "--context", "32768"],
    ["fit", "--model", "llama-3.1-70b", "--format", "nf4", "--gpu", "l40s", "--gpus", "2", "--context", "32768",
     "--batch", "16"],
    ["roofline", "--model", "mixtral-8x7b", "--format", "int4-tinygemm-g128", "--gpu", "h100-sxm", "--batch", "8"],
    ["speculative", "--acceptance", "0.7", "--draft-tokens", "5", "--draft-cost", "0.05"],
    ["training", "--model", "llama-3.2-1b", "--method", "lora"],
    ["models"], ["formats"], ["gpus"],
])
def test_every_command_prints_a_table_and_json(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 0 and out.strip() and err == ""
    assert "nan" not in out.lower() and "inf " not in out.lower()
    code, out, _ = run(argv + ["--json"], capsys)
    assert code == 0 and isinstance(json.loads(out), dict)


@pytest.mark.parametrize("argv, message", [
    ([], "required: command"),
    (["weights"], "one of the arguments --model --config is required"),
    (["weights", "--model", "llama-9"], "unknown model 'llama-9'"),
    (["weights", "--model", "gpt2", "--format", "int5"], "unknown weight format"),
    (["kv", "--model", "gpt2", "--context", "-4"], "context must be at least 1"),
    (["kv", "--model", "gpt2", "--context", "1e308"], "at most"),
    (["kv", "--model", "gpt2", "--context", "1.5e0"], "is not a whole number"),
    (["kv", "--model", "gpt2", "--batch", "2.5"], "is not a whole number (digits, or 1e6)"),
    (["kv", "--model", "gpt2", "--context", "NaN"], "is not a whole number"),
    (["kv", "--model", "gpt2", "--context", "99999999999999999999"], "at most"),
    (["kv", "--model", "gpt2", "--batch", "0"], "batch must be at least 1"),
    (["kv", "--model", "gpt2", "--context", "0.3k"], "is not a whole number of tokens"),
    (["kv", "--model", "gpt2", "--context=--5"], "is not a whole number of tokens"),
    (["fit", "--model", "llama-3.1-8b", "--context", "128q"], "write 131072, 128k"),
    (["fit", "--model", "llama-3.1-8b", "--gpus", "3"], "cannot split"),
    (["fit", "--model", "llama-3.1-8b", "--gpu", "h300"], "unknown GPU"),
    (["speculative", "--acceptance", "2", "--draft-tokens", "4", "--draft-cost", "0.1"], "acceptance_rate"),
    (["speculative", "--acceptance", "inf", "--draft-tokens", "4", "--draft-cost", "0.1"], "acceptance_rate"),
    (["weights", "--config", "/nonexistent/config.json"], "cannot read"),
    (["roofline", "--model", "llama-3.1-8b", "--gpu", "m2-ultra"], "no published peak"),
])
def test_bad_arguments_exit_2_with_one_line(argv, message, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("content, message", [("{not json", "not valid JSON"), ('{"model_type": "llama"}',
                                                                               "missing 'hidden_size'"),
                                              ("\udcff", "not UTF-8"), ('{"model_type": "bert"}', "not supported")])
def test_bad_config_files(tmp_path, capsys, content, message):
    path = tmp_path / "config.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    code, _, err = run(["weights", "--config", str(path)], capsys)
    assert code == 2 and message in err and err.count("\n") == 1


def test_python_dash_m_entry_point():
    result = subprocess.run([sys.executable, "-m", "calculators", "kv", "--model", "llama-3.1-8b", "--context",
                             "1000", "--json"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0 and json.loads(result.stdout)["total_bytes"] == 1000 * 131072
    result = subprocess.run([sys.executable, "-m", "calculators", "weights"], capture_output=True, text=True,
                            cwd=ROOT, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert re.search(rf"\| `{name}` \|", readme), name


def test_token_counts_take_the_suffix_model_cards_use(capsys):
    code, out, _ = run(["kv", "--model", "llama-3.1-8b", "--context", "128k", "--json"], capsys)
    assert code == 0 and json.loads(out)["context"] == 131072
    code, out, _ = run(["kv", "--model", "llama-3.1-8b", "--context", "1e5", "--batch", "2e0", "--json"], capsys)
    assert code == 0 and json.loads(out)["context"] == 100000 and json.loads(out)["batch"] == 2
    code, out, _ = run(["roofline", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--prompt", "1.5K", "--json"],
                       capsys)
    assert code == 0 and json.loads(out)["prompt_tokens"] == 1536


def test_a_reader_that_stops_early_gets_no_traceback():
    reader = subprocess.run(f"{sys.executable} -m calculators gpus | head -n 1", shell=True, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert reader.stdout.count("\n") == 1 and "Traceback" not in reader.stderr


# -- fit: the page's advice and decode bound on the command line ------------------------------------------------

NOT_FITTING = [
    ["--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--context", "8k", "--batch", "4"],
    ["--model", "llama-3.1-70b", "--format", "awq-int4-g128", "--gpu", "l40s", "--gpus", "2", "--context", "32k",
     "--batch", "64"],
    ["--model", "llama-3.1-8b", "--gpu", "rtx-4090", "--context", "128k", "--batch", "8", "--prefill-chunk", "0"],
    ["--model", "mixtral-8x7b", "--gpu", "a100-40gb", "--batch", "2"],
]


def _web_inputs(argv: list) -> dict:
    """The fit page's inputs for a command line of NOT_FITTING."""
    pairs = dict(zip(argv[::2], argv[1::2]))
    names = {"--model": "model", "--format": "format", "--gpu": "gpu", "--gpus": "gpus", "--context": "context",
             "--batch": "batch", "--kv-format": "kv_format"}
    return {"format": "bf16", "gpu": "h100-sxm", "gpus": "1", "context": "4096", "batch": "1",
            **{names[flag]: value for flag, value in pairs.items() if flag in names}}


@pytest.mark.parametrize("argv", NOT_FITTING)
def test_fit_lists_what_would_make_it_fit_and_each_option_does(argv, capsys):
    code, out, _ = run(["fit", *argv, "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and not data["fits"] and data["suggestions"]
    _, text, _ = run(["fit", *argv], capsys)
    assert "each of these alone would make it fit, cheapest first:" in text
    for number, lever in enumerate(data["suggestions"], 1):
        assert f"  {number}. {lever['text']} (costs {lever['cost']}): {lever['options']}" in text
        # The options given, added to the same command line (the later value wins), make it fit.
        code, out, _ = run(["fit", *argv, *lever["options"].split(), "--json"], capsys)
        assert code == 0 and json.loads(out)["fits"], lever
    if "--prefill-chunk" not in argv:  # the page has no such input; otherwise it gives the same advice
        page = compute("fit", _web_inputs(argv))["result"]["suggestions"]
        assert [(s["text"], s["changes"]) for s in page] == [(s["text"], s["changes"]) for s in data["suggestions"]]


def test_a_slow_or_long_bound_is_written_in_significant_figures_never_as_zero(capsys):
    # A billion tokens of context: every decode step of Llama 3.1 8B reads 119 TiB of KV cache, 39 s a token.
    argv = ["--model", "llama-3.1-8b", "--context", "1e9"]
    code, out, _ = run(["fit", *argv, "--price", "2", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and 0.02 < data["decode_tokens_per_s"] < 0.03
    assert 10_000 < data["gpu_hours_per_million_tokens"] < 11_000 and data["cost_per_million_tokens"] > 1
    _, text, _ = run(["fit", *argv, "--price", "2"], capsys)
    html = compute("fit", {**_web_inputs(argv), "price": "2"})["html"]
    for written in (text, html):
        assert f"at most {data['decode_tokens_per_s']:.2g} tokens/s" in written.replace("<strong>", "")
        assert f"{round(data['gpu_hours_per_million_tokens']):,} GPU-hours" in written
        assert f"{data['cost_per_million_tokens']:,.2f} per million tokens" in written.replace("<strong>", "")
        assert "0.0 tokens/s" not in written and "e+" not in written
    # Its prompt of a billion tokens takes years to prefill at the card's peak: seconds, and years beside them.
    code, out, _ = run(["roofline", *argv[:2], "--prompt", "1e9", "--json"], capsys)
    ttft = json.loads(out)["ttft_s"]
    years = f"{ttft:,.0f} s ({ttft / (365.25 * 86400):.2g} years)"
    _, text, _ = run(["roofline", *argv[:2], "--prompt", "1e9"], capsys)
    html = compute("roofline", {"model": "llama-3.1-8b", "prompt": "1e9"})["html"]
    assert f"time to first token {years}" in text and f"at least {years}" in html
    assert "0.0 tokens/s" not in text + html
    # A price under a cent an hour is not written as 0.00, nor the cost it leads to.
    _, text, _ = run(["fit", "--model", "llama-3.1-8b", "--batch", "64", "--price", "0.004"], capsys)
    html = compute("fit", {**_web_inputs(["--model", "llama-3.1-8b", "--batch", "64"]), "price": "0.004"})["html"]
    assert "at 0.0040 per GPU-hour: at least 0.000" in text and "At 0.0040 per GPU-hour" in html
    assert "0.00 per" not in text + html

def test_fit_gives_the_pages_decode_bound_and_the_cost_of_a_million_tokens(capsys):
    argv = ["--model", "llama-3.1-8b", "--format", "awq-int4-g128", "--gpu", "l40s", "--context", "8k", "--batch",
            "16"]
    code, out, _ = run(["fit", *argv, "--price", "$1.20", "--json"], capsys)
    data = json.loads(out)
    page = compute("fit", {**_web_inputs(argv), "price": "1.20"})["result"]
    assert code == 0 and data["fits"] and data["price_per_gpu_hour"] == 1.2
    for key in ("decode_tokens_per_s", "decode_step_s", "decode_bound", "gpu_hours_per_million_tokens",
                "cost_per_million_tokens"):
        assert data[key] == page[key], key
    assert data["cost_per_million_tokens"] == pytest.approx(1.2 * 1e6 / data["decode_tokens_per_s"] / 3600)
    _, text, _ = run(["fit", *argv, "--price", "1.2"], capsys)
    assert f"at most {data['decode_tokens_per_s']:,.1f} tokens/s over 16 sequences of 8,192 tokens" in text
    assert 0.1 <= data["cost_per_million_tokens"] < 1  # two significant figures: two decimals here
    assert f"at 1.20 per GPU-hour: at least {data['cost_per_million_tokens']:.2f} per million tokens" in text
    assert "not reachable" not in text and "would make it fit" not in text
    _, text, _ = run(["fit", "--model", "llama-3.1-8b", "--gpu", "m2-ultra"], capsys)
    assert "decode bound: none, Apple M2 Ultra has no published peak compute rate" in text


def test_fit_says_when_the_context_is_beyond_the_models_own(capsys):
    _, text, _ = run(["fit", "--model", "llama-3.1-8b", "--context", "200000"], capsys)
    assert "note: 200,000 tokens is beyond the 131,072 tokens this model was made for" in text
    _, text, _ = run(["fit", "--model", "llama-3.1-8b", "--context", "128k"], capsys)
    assert "beyond" not in text


@pytest.mark.parametrize("price, message", [("-1", "between 0 and 10000"), ("nan", "between 0 and 10000"),
                                            ("1e9", "between 0 and 10000"), ("two", "'two' is not a number")])
def test_fit_refuses_a_bad_price_in_one_line(price, message, capsys):
    code, out, err = run(["fit", "--model", "llama-3.1-8b", f"--price={price}"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err


@pytest.mark.parametrize("command", ["weights", "kv", "fit", "roofline", "training"])
def test_a_multimodal_config_says_only_its_text_model_is_counted(command, tmp_path, capsys):
    text = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
            "intermediate_size": 128, "vocab_size": 100, "max_position_embeddings": 8192}
    (tmp_path / "llava.json").write_text(json.dumps({"model_type": "llava", "text_config": text,
                                                     "vision_config": {"hidden_size": 1024}}))
    (tmp_path / "text.json").write_text(json.dumps(text))
    code, wrapped, err = run([command, "--config", str(tmp_path / "llava.json"), "--json"], capsys)
    assert code == 0 and err.count("\n") == 1 and err.startswith("note: ")
    assert "multimodal model (model_type 'llava'): only its text model is counted" in err
    code, plain, err = run([command, "--config", str(tmp_path / "text.json"), "--json"], capsys)
    assert code == 0 and err == ""
    wrapped, plain = json.loads(wrapped), json.loads(plain)
    assert wrapped["model"]["text_model_of"] == "llava" and plain["model"]["text_model_of"] is None
    wrapped["model"], plain["model"] = plain["model"], plain["model"]  # the same numbers, but for the names
    assert wrapped == plain


@pytest.mark.parametrize("command, option", [("kv", "--context"), ("fit", "--context"), ("roofline", "--prompt"),
                                             ("roofline", "--context"), ("training", "--sequence")])
def test_every_command_notes_a_token_count_beyond_the_models_own(command, option, capsys):
    _, out, _ = run([command, "--model", "llama-3.1-8b", option, "131073"], capsys)
    assert ("note: 131,073 tokens is beyond the 131,072 tokens this model was made for (max_position_embeddings "
            "in its config.json)") in out.splitlines()
    _, out, _ = run([command, "--model", "llama-3.1-8b", option, "128k"], capsys)
    assert "is beyond the" not in out


# The largest value each calculator takes, the same on its page and on its command line.
LIMITS = [("kv", "context", "--context", 2 ** 31), ("kv", "batch", "--batch", 2 ** 20),
          ("fit", "context", "--context", 2 ** 31), ("fit", "batch", "--batch", 2 ** 20),
          ("roofline", "prompt", "--prompt", 2 ** 31), ("roofline", "batch", "--batch", 2 ** 20),
          ("training", "sequence", "--sequence", 2 ** 31), ("training", "batch", "--batch", 2 ** 20),
          ("training", "lora_rank", "--lora-rank", 2 ** 16)]


@pytest.mark.parametrize("page, field, option, largest", LIMITS)
def test_the_page_and_the_command_take_the_same_largest_value(page, field, option, largest, capsys):
    base = {"training": ["--method", "lora"]}.get(page, [])
    web = {"model": "llama-3.2-1b", "method": "lora"} if page == "training" else {"model": "llama-3.2-1b"}
    assert compute(page, {**web, field: str(largest)})["ok"]
    refused = compute(page, {**web, field: str(largest + 1)})
    assert not refused["ok"] and f"{largest:,}" in refused["errors"][field]
    code, _, _ = run([page, "--model", "llama-3.2-1b", *base, option, str(largest), "--json"], capsys)
    assert code == 0
    code, _, err = run([page, "--model", "llama-3.2-1b", *base, option, str(largest + 1)], capsys)
    assert code == 2 and f"{largest:,}" in err and err.count("\n") == 1


@pytest.mark.parametrize("command", ["weights", "kv", "fit", "training"])
def test_units_gb_writes_decimal_sizes_and_leaves_the_json_in_bytes(command, capsys):
    argv = [command, "--model", "llama-3.1-8b"]
    _, binary, _ = run(argv, capsys)
    code, decimal, _ = run(argv + ["--units", "GB"], capsys)
    assert code == 0 and re.search(r"\d [kMGT]?B\b", decimal) and re.search(r"\d [KMGT]iB\b", binary)
    assert not re.search(r"\b[KMGT]iB\b", decimal)
    _, plain_json, _ = run(argv + ["--json"], capsys)
    _, gb_json, _ = run(argv + ["--units", "GB", "--json"], capsys)
    assert json.loads(plain_json) == json.loads(gb_json)
    code, _, err = run(argv + ["--units", "gigs"], capsys)
    assert code == 2 and "invalid choice" in err
