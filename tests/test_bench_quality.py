"""The quality suite's pipeline on a slice of the corpus: the sources, the split, the tokenizer, a tiny llama
trained for seconds (and one stopped early), the second-half scoring, and the measurements against its bf16
self."""

import dataclasses
import math
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from generator.bench import methods, quality  # noqa: E402
from generator.records import load_record, validate_result  # noqa: E402
from generator.bench.reference import corpus, train  # noqa: E402
from generator.bench.reference.tokenizer import END_OF_DOCUMENT, TokenizedCorpus, train_tokenizer  # noqa: E402
from reference_pages import first_pages  # noqa: E402

_NOT_INSTALLED = [source.package for source in corpus.SOURCES if not source.html_root.is_dir()]
if _NOT_INSTALLED:
    pytest.skip(f"the corpus' documentation is not installed: apt-get install {' '.join(_NOT_INSTALLED)}",
                allow_module_level=True)

CPU = torch.device("cpu")
VOCAB = 1024  # a multiple of 128 that the slice below can fill
SOURCE = {source.package: source for source in corpus.SOURCES}


def _slice() -> list:
    """Of each source, the first 6 train, 1 validation and 1 test page in path order (the Python docs: 30
    train pages, 5 and 5): small, every split and every source present."""
    return first_pages(corpus.SOURCES, train=6)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("lqfg-cache")


@pytest.fixture(scope="module")
def data(cache):
    return TokenizedCorpus(corpus.load_corpus(cache=cache, paths=_slice()), vocab_size=VOCAB, cache=cache)


@pytest.fixture(scope="module")
def trained(data, cache):
    # 4 validation passes, not 20; small batches, and a step large enough to learn in 60 of them
    recipe = dataclasses.replace(train.RECIPES["tiny"], validation_every=0.25, learning_rate=3e-3, batch=8)
    return train.train("tiny", data, CPU, steps=60, cache=cache, log=lambda line: None, recipe=recipe)


# -- corpus -----------------------------------------------------------------------------

def test_split_is_deterministic_disjoint_by_document_and_about_90_5_5():
    paths = [f"{source.package}/{path}" for source in corpus.SOURCES for path in corpus.document_paths(source)]
    assert len(paths) > 4000 and len(set(paths)) == len(paths)
    splits = {path: corpus.split_of(path) for path in paths}
    assert splits == {path: corpus.split_of(path) for path in reversed(paths)}
    shares = {name: sum(split == name for split in splits.values()) / len(paths) for name in corpus.SPLITS}
    assert 0.87 < shares["train"] < 0.93 and 0.03 < shares["validation"] < 0.07 and 0.03 < shares["test"] < 0.07
    assert not any(part in path for path in paths for part in ("/_sources/", "/_static/", "/_modules/", "genindex"))


def test_run_all_installs_every_source():
    run_all = (Path(__file__).parent / "run-all.sh").read_text()
    for source in corpus.SOURCES:
        assert f"{source.package}:{source.html_root}" in run_all.split("corpus_docs=", 1)[1], source.package


def test_every_source_has_pages_and_a_free_licence():
    for source in corpus.SOURCES:
        paths = corpus.document_paths(source)
        assert paths == sorted(paths) and len(paths) > 50, source.package
        assert source.licence in {"PSF-2.0", "BSD-2-Clause", "BSD-3-Clause", "MIT", "PostgreSQL", "GPL-2.0-only"}


def test_corpus_splits_partition_the_documents_and_the_cache_returns_the_same(data, cache):
    first = corpus.load_corpus(cache=cache, paths=_slice())  # from the cache written by the fixture
    again = corpus.load_corpus(cache=cache, paths=list(reversed(_slice())))
    assert first == again and first.key == data.corpus_key
    fewer = corpus.load_corpus(corpus.SOURCES[:1], cache=cache, paths=_slice()[:10])
    assert fewer.key != first.key  # the key changes with the set of sources and pages
    by_split = {name: {document.path for document in first.split(name)} for name in corpus.SPLITS}
    assert set.union(*by_split.values()) == {document.path for document in first.documents}
    assert sum(map(len, by_split.values())) == len(first.documents)
    assert all(by_split.values())


@pytest.mark.parametrize("html, expected", [
    ('<div class="sphinxsidebar">Navigation</div><div class="body" role="main"><h1>Title<a class="headerlink" '
     'href="#t">¶</a></h1><p>Some   <code>len()</code>\n text.</p><div class="highlight"><pre>x = 1</pre></div>'
     '<p>After&nbsp;code &amp; more</p></div><div class="footer">©</div>',
     "Title\nSome len() text.\nAfter code & more"),
    ('<div role="main"><ul><li>one<li>two</ul><p>unclosed<br>line</div><p>outside</p>', "one\ntwo\nunclosed\nline"),
])
def test_extract_prose_keeps_the_body_and_drops_code_and_navigation(html, expected):
    assert corpus.extract_prose(html) == expected


@pytest.mark.parametrize("package, html, expected", [
    ("postgresql-doc-15",  # DocBook: the whole body less the navigation tables
     '<html><head><title>2.5. Querying a Table</title></head><body id="docContent" class="container-fluid col-10">'
     '<div class="navheader"><table><tr><th>2.5. Querying a Table</th></tr><tr><td><a href="p.html">Prev</a></td>'
     '</tr></table></div><div class="sect1" id="TUTORIAL-SELECT"><div class="titlepage"><h2 class="title">2.5. '
     'Querying a Table</h2></div><p>To retrieve data, use <code class="command">SELECT</code>.</p><pre '
     'class="programlisting">SELECT * FROM weather;</pre></div><div class="navfooter"><table><tr><td>Next</td>'
     '</tr></table></div></body></html>',
     "2.5. Querying a Table\nTo retrieve data, use SELECT."),
    ("python-django-doc",  # Django's own Sphinx theme: <div id="yui-main">, the sidebar beside it
     '<div id="hd"><div class="nav">Home | Table of contents</div></div><div id="yui-main"><div class="yui-b">'
     '<div class="yui-g" id="topics-http-sessions"><h1>How to use sessions<a class="headerlink" href="#x">¶</a>'
     '</h1><p>Django provides full support for anonymous sessions.</p></div></div></div><div class="yui-b" '
     'id="sidebar"><h3>Contents</h3></div>',
     "How to use sessions\nDjango provides full support for anonymous sessions."),
    ("git-doc",  # AsciiDoc: <div id="content">, header and footer outside it
     '<div id="header"><h1>git-commit(1) Manual Page</h1></div><div id="content"><div class="sect1"><h2 id="_name">'
     'NAME</h2><div class="sectionbody"><div class="paragraph"><p>git-commit - Record changes to the repository</p>'
     '</div><div class="listingblock"><div class="content"><pre>$ git commit -a</pre></div></div></div></div></div>'
     '<div id="footer"><div id="footer-text">Last updated</div></div>',
     "NAME\ngit-commit - Record changes to the repository"),
    ("cmake-doc",  # Sphinx: role="main"
     '<div class="related" role="navigation">Navigation</div><div class="body" role="main"><h1>CMAKE_PDB_OUTPUT'
     '</h1><p>Output directory for MS debug symbol <code>.pdb</code> files.</p></div>',
     "CMAKE_PDB_OUTPUT\nOutput directory for MS debug symbol .pdb files."),
])
def test_each_source_finds_its_pages_prose(package, html, expected):
    assert corpus.extract_prose(html, SOURCE[package]) == expected


def test_the_corpus_records_each_source_with_its_package_version_and_licence(data, cache):
    sliced = corpus.load_corpus(cache=cache, paths=_slice())
    assert [source["package"] for source in sliced.sources] == [source.package for source in corpus.SOURCES]
    assert tuple(sliced.sources) == tuple(data.sources)
    for recorded in sliced.sources:
        assert recorded["licence"] == SOURCE[recorded["package"]].licence
        assert recorded["version"] == corpus.package_version(recorded["package"]) != "unknown"
        assert recorded["documents"] == sum(document.path.startswith(recorded["package"] + "/")
                                            for document in sliced.documents) > 0


def test_missing_documentation_names_every_package_to_install(tmp_path):
    moved = tuple(dataclasses.replace(source, html_root=tmp_path / "no-docs" / source.package)
                  for source in corpus.SOURCES)
    with pytest.raises(corpus.CorpusMissing) as missing:
        corpus.load_corpus(moved, cache=tmp_path)
    assert f"apt-get install {' '.join(source.package for source in corpus.SOURCES)}`" in str(missing.value)


def test_without_the_documentation_the_one_cached_corpus_is_used(data, cache, tmp_path):
    elsewhere = tmp_path / "gpu-cache"
    elsewhere.mkdir()
    (elsewhere / f"corpus-{data.corpus_key}.json").write_bytes((cache / f"corpus-{data.corpus_key}.json").read_bytes())
    moved = tuple(dataclasses.replace(source, html_root=tmp_path / "no-docs" / source.package)
                  for source in corpus.SOURCES)
    found = corpus.load_corpus(moved, cache=elsewhere)
    assert found == corpus.load_corpus(cache=cache, paths=_slice()) and found.sources


# -- tokenizer ----------------------------------------------------------------------------

def test_tokenizer_round_trips_text_and_is_deterministic(data):
    tokenizer = data.tokenizer
    assert tokenizer.get_vocab_size() == VOCAB
    texts = [corpus.load_corpus(cache=data.path.parent, paths=_slice()).split("test")[0].text,
             "naïve café — ✓ 𝔘 \t tabs\n\n  spaces  ", "def f(x):\n    return x ** 2\n"]
    for text in texts:
        assert tokenizer.decode(tokenizer.encode(text).ids) == text
    again = train_tokenizer([document.text for document in
                             corpus.load_corpus(cache=data.path.parent, paths=_slice()).split("train")], VOCAB)
    assert again.to_str() == tokenizer.to_str()
    end = tokenizer.token_to_id(END_OF_DOCUMENT)
    test_documents = corpus.load_corpus(cache=data.path.parent, paths=_slice()).split("test")
    assert int((data.ids["test"] == end).sum()) == len(test_documents)  # one after each test document
    assert int(data.ids["train"].max()) < VOCAB


# -- training and measuring ---------------------------------------------------------------------

def test_a_tiny_llama_trained_for_seconds_lowers_validation_loss(trained, data):
    assert trained.planned_steps == trained.steps_run == 60 and not trained.stopped_early
    assert trained.stop_reason == "schedule finished" and 0 < trained.steps <= 60
    assert trained.validation_loss < trained.validation_loss_start - 1.0
    # better than the train split's token frequencies alone: the model uses context
    assert math.exp(trained.validation_loss) < 0.8 * train.unigram_perplexity(data.ids["train"],
                                                                               data.ids["validation"], VOCAB)
    assert (trained.path / "model.safetensors").exists() and trained.model_id.startswith("pydocs-llama-tiny-")
    # bf16 autocast only where bf16 is native; the checkpoint says which precision trained it
    assert trained.precision == train.training_precision(CPU)
    native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    assert trained.precision == (train.BF16_AUTOCAST if native else train.FP32)
    assert train.training_precision(torch.device("cuda")) == train.BF16_AUTOCAST


def test_training_stops_once_validation_loss_rises_and_keeps_the_best_weights(data, tmp_path, monkeypatch):
    """Validation losses forced to fall for 3 measurements, then rise: with patience 3 training stops at
    the 6th, and the checkpoint saved holds the weights measured at the 3rd."""
    forced = iter([9.0, 8.0, 7.0, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5])
    weights_seen = []

    def fake_validation_loss(model, ids, device, precision):
        weights_seen.append(model.lm_head.weight.detach().clone())
        return next(forced)

    monkeypatch.setattr(train, "validation_loss", fake_validation_loss)
    recipe = dataclasses.replace(train.RECIPES["tiny"], validation_every=0.05, patience=3, batch=8)  # every step
    stopped = train.train("tiny", data, CPU, steps=20, cache=tmp_path, log=lambda line: None, recipe=recipe)
    assert (stopped.steps, stopped.steps_run, stopped.planned_steps) == (3, 6, 20)
    assert stopped.stop_reason == "validation loss stopped improving" and not stopped.stopped_early
    assert stopped.validation_loss == 6.0 and stopped.validation_loss_start == 9.0
    assert stopped.tokens == 3 * recipe.batch * train.CONTEXT
    saved = stopped.load(CPU, dtype=torch.float32).lm_head.weight
    assert torch.equal(saved, weights_seen[3]) and not torch.equal(saved, weights_seen[6])
    assert train.cached_models("tiny", data, cache=tmp_path) == [stopped]
    record = quality.training_record(stopped)
    assert record["steps"] == 3 and record["recipe"]["stop_reason"] == "validation loss stopped improving"
    assert (record["recipe"]["planned_steps"], record["recipe"]["steps_run"]) == (20, 6)


def test_every_linear_fits_the_int4_and_bitsandbytes_layouts():
    for size in train.SIZES:
        config = train.llama_config(size, 8192)
        heads = config.num_attention_heads * config.head_dim
        kv = config.num_key_value_heads * config.head_dim
        assert config.hidden_size % 128 == 0 and config.intermediate_size % 128 == 0 and heads % 128 == 0
        assert kv % 8 == 0 and config.vocab_size % 128 == 0


class _ScriptedModel:
    """A stand-in for a llama: certain of the true next token in the first half of each window, uniform over
    the vocabulary in the second half."""

    def __call__(self, ids, use_cache=False):
        logits = torch.zeros(*ids.shape, VOCAB)
        half = ids.shape[1] // 2
        logits[:, :half - 1].scatter_(-1, ids[:, 1:half, None], 1000.0)
        return type("Output", (), {"logits": logits})()


def test_perplexity_scores_only_the_second_half_of_each_window_as_llama_cpp():
    assert quality.scored_slice(256) == slice(128, 255)  # logits 128..254 predict tokens 129..255
    test = torch.randint(0, VOCAB, (3, 16))
    model = _ScriptedModel()
    reference = quality.reference_logits(model, test, CPU, batch=2)
    assert [logits.shape for logits in reference] == [(2, 7, VOCAB), (1, 7, VOCAB)]
    result = quality.evaluate(model, test, reference, CPU, batch=2)
    # Only the uniform half is scored: every scored token has probability 1/VOCAB. Scoring the certain first
    # half too would give exp(log(VOCAB) * 8/15) = 40.3.
    assert result.perplexity == pytest.approx(VOCAB, rel=1e-5) and result.positions == 3 * 7


def test_kl_percentiles_match_a_direct_computation():
    generator = torch.Generator().manual_seed(0)
    reference = torch.randn(5, 40, 64, generator=generator) * 3
    logits = reference + torch.randn(5, 40, 64, generator=generator) * torch.rand(5, 40, 1, generator=generator)
    sums = quality.ScoredAgreement()
    for start in range(0, 5, 2):  # batch by batch, as evaluate adds them
        sums.add(reference[start:start + 2], logits[start:start + 2])
    p, q = torch.softmax(reference.double(), -1), torch.softmax(logits.double(), -1)
    direct = sorted((p * (p / q).log()).sum(-1).reshape(-1).tolist())  # 200 positions
    percentiles = sums.kl_percentiles()
    assert percentiles["kl_median"] == pytest.approx((direct[99] + direct[100]) / 2, rel=1e-4)
    assert percentiles["kl_p99"] == pytest.approx(direct[197] + 0.01 * (direct[198] - direct[197]), rel=1e-4)
    assert percentiles["kl_max"] == pytest.approx(direct[-1], rel=1e-4)
    assert sums.agreement().kl_divergence == pytest.approx(sum(direct) / 200, rel=1e-4)


def test_bf16_against_itself_has_no_divergence(trained, data):
    test = quality.evaluation_windows(data, 4)
    model = trained.load(CPU)
    reference = quality.reference_logits(model, test, CPU, batch=2)
    result = quality.evaluate(trained.load(CPU), test, reference, CPU, batch=2)
    assert result.agreement.kl_divergence == 0 and result.agreement.top1_agreement == 1
    assert result.kl_median == result.kl_p99 == result.kl_max == 0 and result.positions == 4 * 127
    assert result.agreement.sqnr_db is None
    assert 1 < result.perplexity < math.exp(trained.validation_loss_start)


def test_int8_stays_closer_to_bf16_than_nf4_and_fp4(trained, data):
    test, calibration = quality.evaluation_windows(data, 4), quality.calibration_windows(data, 2)
    reference = quality.reference_logits(trained.load(CPU), test, CPU)
    results = {}
    for config in (methods.Int8WeightOnly(), methods.Bnb4bit("nf4"), methods.Bnb4bit("fp4")):
        result = validate_result(quality.measure_method(trained, config, test, calibration, reference, CPU))
        if result["status"] == "unsupported":
            pytest.skip(f"{config.label} cannot run here: {result['error']}")
        assert result["status"] == "ok", result["error"]
        assert result["model"]["kind"] == "reference-trained"
        results[config.label] = result["metrics"]
    assert results["int8-channel"]["kl_divergence"] < results["nf4"]["kl_divergence"]
    assert results["int8-channel"]["kl_divergence"] < results["fp4"]["kl_divergence"]
    assert results["int8-channel"]["top1_agreement"] > 0.9
    for metrics in results.values():
        assert metrics["kl_median"] <= metrics["kl_p99"] <= metrics["kl_max"]
        assert metrics["kl_median"] < metrics["kl_divergence"] < metrics["kl_max"]  # KL is right-skewed


def test_run_quality_writes_a_finished_valid_record(trained, data, cache, tmp_path, monkeypatch):
    monkeypatch.setenv("LQFG_CACHE", str(cache))  # the fixture's tiny checkpoint is found there
    chosen = [methods.REFERENCE, methods.Int8WeightOnly(), methods.Int4WeightOnly()]
    monkeypatch.setattr(methods, "standard_configs", lambda: chosen)
    lines = []
    assert quality.run_quality(tmp_path, CPU, ("tiny",), budget_s=5, run_id="quality-test", data=data,
                               test_sequences=2, log=lines.append) == 0
    record = load_record(tmp_path / "quality-test.json")
    assert record["run"]["suite"] == "quality-cpu" and record["run"]["finished"] is not None
    assert [result["method"]["id"] for result in record["results"]] == [config.method_id for config in chosen]
    for result in record["results"]:
        training = result["model"].pop("training")
        assert result["model"] == {"id": trained.model_id, "kind": "reference-trained", "params": trained.params}
        assert training["steps"] == trained.steps and training["tokens"] == trained.tokens
        assert training["corpus"] == data.key and training["recipe"]["batch"] == trained.recipe["batch"]
        assert training["sources"] == [dict(source) for source in data.sources]
        assert {"package", "version", "licence", "documents"} <= set(training["sources"][0])
        assert training["recipe"]["stop_reason"] == "schedule finished"
        assert result["status"] == "ok" and result["metrics"]["perplexity"] > 1
        assert result["workload"] == {"batch": 2, "prompt_tokens": 256, "new_tokens": 0}
    assert record["results"][0]["metrics"]["kl_divergence"] == 0
    assert all({"kl_median", "kl_p99", "kl_max"} <= set(result["metrics"]) for result in record["results"])
    assert any("cached checkpoint" in line for line in lines)
