"""The fine-tuning suite on a slice of the corpus: LoRA adapters and their merge, the held-out domain, and the
smoke variant of the suite (a tiny llama trained for seconds, fine-tuned four ways for a few steps, each in a
process of its own, written into a record and set against the training calculator)."""

import dataclasses

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from generator.bench import environment, finetune, lora  # noqa: E402
from generator.bench.reference import corpus, domain, train  # noqa: E402
from generator.bench.reference.tokenizer import TokenizedCorpus  # noqa: E402
from generator.bench.runner import run_suite_items  # noqa: E402
from generator.records import RecordWriter, load_record  # noqa: E402
from generator.records.analysis import finetune_rows, training_memory_checks  # noqa: E402
from reference_pages import first_pages  # noqa: E402

CPU = torch.device("cpu")
VOCAB = 1024
_NOT_INSTALLED = [source.package for source in (*corpus.SOURCES, domain.DOMAIN) if not source.html_root.is_dir()]


def _bitsandbytes():
    try:
        import bitsandbytes
    except ImportError:
        pytest.skip("bitsandbytes is not installed")
    return bitsandbytes


# -- adapters ---------------------------------------------------------------------------------------

def _small_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(128, 256, bias=False), torch.nn.ReLU(),
                               torch.nn.Linear(256, 128, bias=False))


def test_lora_starts_as_its_base_trains_only_the_adapters_and_merges_exactly_in_fp32():
    model = _small_model()
    x = torch.randn(4, 128)
    before = model(x)
    trainable = lora.attach_lora(model, rank=4, alpha=8, targets=("0", "2"))
    assert trainable == 4 * (128 + 256) + 4 * (256 + 128)
    assert torch.equal(model(x), before)  # B starts at zero
    assert {name for name, p in model.named_parameters() if p.requires_grad} == {
        "0.lora_a", "0.lora_b", "2.lora_a", "2.lora_b"}
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, lora.LoRALinear):
                module.lora_b.normal_()
    adapted = model(x)
    assert not torch.allclose(adapted, before)
    assert lora.merge_lora(model, torch.float32) == 2
    assert not any(isinstance(module, lora.LoRALinear) for module in model.modules())
    torch.testing.assert_close(model(x), adapted, rtol=1e-5, atol=1e-4)


def test_lora_refuses_a_model_without_its_targets_and_a_rank_below_one():
    with pytest.raises(ValueError, match="no linear layer"):
        lora.attach_lora(_small_model(), rank=4, alpha=8, targets=("q_proj",))
    with pytest.raises(ValueError, match="rank"):
        lora.LoRALinear(torch.nn.Linear(8, 8), 8, 8, rank=0, alpha=1)


def test_lora_on_an_nf4_base_gets_gradients_and_merges_to_what_it_computes():
    bnb = _bitsandbytes()
    torch.manual_seed(0)
    linear = torch.nn.Linear(128, 64, bias=False).to(torch.bfloat16)
    base = bnb.nn.Linear4bit(128, 64, bias=False, compute_dtype=torch.bfloat16, quant_type="nf4",
                             compress_statistics=True)
    base.weight = bnb.nn.Params4bit(linear.weight.data, requires_grad=False, quant_type="nf4",
                                    compress_statistics=True).to("cpu")
    model = torch.nn.Sequential(base)
    lora.keep_4bit_layout(model)
    lora.attach_lora(model, rank=8, alpha=16, targets=("0",))
    adapted = model[0]
    x = torch.randn(2, 16, 128)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        model(x).float().square().mean().backward()
    assert adapted.lora_a.grad is None or torch.count_nonzero(adapted.lora_a.grad) == 0  # B = 0: no signal to A
    assert torch.count_nonzero(adapted.lora_b.grad) > 0
    with torch.no_grad():
        adapted.lora_b.normal_(std=0.02)
    model.eval()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):  # as the bench evaluates
        unmerged = model(x).float()
    lora.merge_lora(model, torch.bfloat16)
    assert type(model[0]) is torch.nn.Linear and model[0].weight.dtype == torch.bfloat16
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        merged = model(x).float()
    # the merged bf16 weight rounds W + BA once: outputs agree to bf16 precision, not bit for bit
    assert (merged - unmerged).norm() / unmerged.norm() < 1e-2


# -- the smoke variant of the suite -------------------------------------------------------------------

needs_docs = pytest.mark.skipif(bool(_NOT_INSTALLED), reason=f"documentation not installed: apt-get install "
                                                              f"{' '.join(_NOT_INSTALLED)}")


def _slice() -> list:
    """Of each base source, the first 4 train, 1 validation and 1 test page (the Python docs: 20, 5, 5)."""
    return first_pages(corpus.SOURCES, train=4)


def _domain_slice() -> list:
    return first_pages((domain.DOMAIN,), train=12, held_out=2)


@needs_docs
def test_the_held_out_domain_is_recorded_and_none_of_its_pages_is_in_the_base_corpus(tmp_path):
    assert domain.DOMAIN.package not in {source.package for source in corpus.SOURCES}
    assert len(corpus.document_paths(domain.DOMAIN)) > 100
    data = TokenizedCorpus(corpus.load_corpus(cache=tmp_path, paths=_slice()), vocab_size=VOCAB, cache=tmp_path)
    held_out = domain.load_domain(data, cache=tmp_path / "domain", paths=_domain_slice())
    assert held_out.source["package"] == "debian-handbook" and held_out.source["version"] != "unknown"
    assert held_out.source["licence"] == domain.DOMAIN.licence
    assert all(held_out.tokens(split) > 256 for split in corpus.SPLITS)
    base = corpus.load_corpus(cache=tmp_path, paths=_slice())
    pages = corpus.load_corpus((domain.DOMAIN,), cache=tmp_path / "domain", paths=_domain_slice())
    assert not {document.text for document in base.documents} & {document.text for document in pages.documents}
    assert all(document.path.startswith("debian-handbook/") for document in pages.documents)
    # its own cache folder: the base corpus stays the one corpus-*.json a GPU call finds
    assert [path.name for path in tmp_path.glob("corpus-*.json")] == [f"corpus-{data.corpus_key}.json"]


@needs_docs
def test_smoke_fine_tunes_four_ways_merges_and_requantizes_into_a_valid_record(tmp_path):
    _bitsandbytes()
    cache = tmp_path / "cache"
    data = TokenizedCorpus(corpus.load_corpus(cache=cache, paths=_slice()), vocab_size=VOCAB, cache=cache)
    held_out = domain.load_domain(data, cache=cache / "domain", paths=_domain_slice())
    recipe = dataclasses.replace(train.RECIPES["tiny"], validation_every=0.5, batch=8)
    trained = train.train("tiny", data, CPU, steps=40, cache=cache, log=lambda line: None, recipe=recipe)
    # 6 steps of 4 windows each way, evaluated on 8 windows: enough to move the losses, seconds per job
    configs = [dataclasses.replace(config, steps=6, batch=4) for config in finetune.standard_finetunes(6)]
    items = finetune.items_for(trained, configs, data, held_out, eval_sequences=8)
    header = environment.run_header("qlora-smoke", CPU, "pytest", measure_bandwidth=False)
    writer = RecordWriter(tmp_path, dict(header, notes=["smoke"]))
    run_suite_items(finetune.RUNNER, items, writer, CPU)
    record = load_record(writer.path)
    assert [result["status"] for result in record["results"]] == ["ok"] * 4, [r["error"] for r in record["results"]]
    by_method = {(result["method"]["id"], result["method"]["config"].get("double_quant")): result["metrics"]
                 for result in record["results"]}
    qlora_dq = by_method[("finetune-qlora", True)]
    for metrics in by_method.values():
        assert metrics["domain_loss"] < metrics["domain_loss_base"]  # it learned the new domain
        assert metrics["train_rss_baseline_bytes"] < metrics["train_rss_before_steps_bytes"] \
            <= metrics["train_peak_rss_bytes"]
        assert metrics["train_step_ms"] > 0
    assert by_method[("finetune-full", None)]["trainable_params"] == trained.params
    # merging is exact but for bf16 rounding; re-quantizing moves every weight to a new NF4 grid point
    assert qlora_dq["merged_kl_divergence"] < 1e-3 < qlora_dq["merged_top1_agreement"]
    assert qlora_dq["requantized_kl_divergence"] > 2 * qlora_dq["merged_kl_divergence"]
    assert "merged_kl_divergence" not in by_method[("finetune-lora", None)]
    assert "merged_kl_divergence" in record["results"][2]["missing"]
    checks = training_memory_checks(record)
    assert len(checks) == 4 and all(check.measured_bytes > 0 for check in checks)
    for check in checks:  # the calculator counts the same adapters the bench trains
        assert check.trainable_params == check.predicted_trainable_params, check.method
    assert len(finetune_rows(record)) == 4


def test_finetune_config_refuses_bad_settings():
    with pytest.raises(ValueError, match="method"):
        finetune.FinetuneConfig("dora", steps=10)
    with pytest.raises(ValueError, match="warm-up"):
        finetune.FinetuneConfig("qlora", steps=2)
    with pytest.raises(ValueError, match="quant_type"):
        finetune.FinetuneConfig("qlora", steps=10, quant_type="int4")
