"""The quality suite's pipeline on a slice of the corpus: the split, the tokenizer, a tiny llama trained for
seconds, and the measurements against its bf16 self."""

import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from generator.bench import methods, quality  # noqa: E402
from generator.records import load_record, validate_result  # noqa: E402
from generator.bench.reference import corpus, train  # noqa: E402
from generator.bench.reference.tokenizer import END_OF_DOCUMENT, TokenizedCorpus, train_tokenizer  # noqa: E402

if not corpus.DEFAULT_HTML_ROOT.is_dir():
    pytest.skip(f"the Python documentation is not at {corpus.DEFAULT_HTML_ROOT}: apt-get install python3.11-doc",
                allow_module_level=True)

CPU = torch.device("cpu")
VOCAB = 1024  # a multiple of 128 that the slice below can fill


def _slice() -> list:
    """The first 40 train, 4 validation and 4 test pages in path order: small, and every split present."""
    taken = {"train": 40, "validation": 4, "test": 4}
    chosen = []
    for path in corpus.document_paths():
        split = corpus.split_of(path)
        if taken[split]:
            taken[split] -= 1
            chosen.append(path)
    return chosen


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("lqfg-cache")


@pytest.fixture(scope="module")
def data(cache):
    return TokenizedCorpus(corpus.load_corpus(cache=cache, paths=_slice()), vocab_size=VOCAB, cache=cache)


@pytest.fixture(scope="module")
def trained(data, cache):
    return train.train("tiny", data, CPU, steps=60, cache=cache, log=lambda line: None)


# -- corpus -----------------------------------------------------------------------------

def test_split_is_deterministic_disjoint_by_document_and_about_90_5_5():
    paths = corpus.document_paths()
    assert paths == sorted(paths) and len(paths) > 400
    splits = {path: corpus.split_of(path) for path in paths}
    assert splits == {path: corpus.split_of(path) for path in reversed(paths)}
    shares = {name: sum(split == name for split in splits.values()) / len(paths) for name in corpus.SPLITS}
    assert 0.85 < shares["train"] < 0.95 and 0.02 < shares["validation"] < 0.08 and 0.02 < shares["test"] < 0.08
    assert not any(path.startswith(("_sources/", "_static/")) or "genindex" in path for path in paths)


def test_corpus_splits_partition_the_documents_and_the_cache_returns_the_same(data, cache):
    first = corpus.load_corpus(cache=cache, paths=_slice())  # from the cache written by the fixture
    again = corpus.load_corpus(cache=cache, paths=list(reversed(_slice())))
    assert first == again and first.key == data.corpus_key
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


def test_missing_documentation_names_the_package(tmp_path):
    with pytest.raises(corpus.CorpusMissing, match="apt-get install python3.11-doc"):
        corpus.load_corpus(html_root=tmp_path / "no-docs", cache=tmp_path)


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
    assert int((data.ids["test"] == end).sum()) == 4  # one after each test document
    assert int(data.ids["train"].max()) < VOCAB


# -- training and measuring ---------------------------------------------------------------------

def test_a_tiny_llama_trained_for_seconds_lowers_validation_loss(trained):
    assert trained.steps == 60 and not trained.stopped_early
    assert trained.validation_loss < trained.validation_loss_start - 1.0
    assert math.exp(trained.validation_loss) < VOCAB / 4
    assert (trained.path / "model.safetensors").exists() and trained.model_id.startswith("pydocs-llama-tiny-")


def test_every_linear_fits_the_int4_and_bitsandbytes_layouts():
    for size in train.SIZES:
        config = train.llama_config(size, 8192)
        heads = config.num_attention_heads * config.head_dim
        kv = config.num_key_value_heads * config.head_dim
        assert config.hidden_size % 128 == 0 and config.intermediate_size % 128 == 0 and heads % 128 == 0
        assert kv % 8 == 0 and config.vocab_size % 128 == 0


def test_bf16_against_itself_has_no_divergence(trained, data):
    test = quality.evaluation_windows(data, 4)
    model = trained.load(CPU)
    reference = quality.reference_logits(model, test, CPU, batch=2)
    result = quality.evaluate(trained.load(CPU), test, reference, CPU, batch=2)
    assert result.agreement.kl_divergence == 0 and result.agreement.top1_agreement == 1
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
        assert result["status"] == "ok" and result["metrics"]["perplexity"] > 1
        assert result["workload"] == {"batch": 2, "prompt_tokens": 256, "new_tokens": 0}
    assert record["results"][0]["metrics"]["kl_divergence"] == 0
    assert any("cached checkpoint" in line for line in lines)
