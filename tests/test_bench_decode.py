"""Decode with launch overhead removed: the static-cache decoder that a CUDA graph replays."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from transformers import DynamicCache  # noqa: E402

from generator.bench import measure  # noqa: E402
from generator.bench.methods import Int8WeightOnly, SmoothQuant  # noqa: E402
from generator.bench.models import build_model, model_spec  # noqa: E402
from generator.bench.whole_model import GRAPH_METRICS, BenchItem, Workload, measure_item  # noqa: E402

CPU = torch.device("cpu")
TINY = model_spec("tiny-llama")


@torch.inference_mode()
def _dynamic_decode_logits(model, input_ids, tokens):
    """The usual decode loop's logits (DynamicCache) when it is fed `tokens` (batch, steps) one at a time."""
    cache = DynamicCache(config=model.config)
    keyword = measure._cache_keyword(model)
    model(input_ids, use_cache=True, **{keyword: cache})
    return [model(tokens[:, step:step + 1], use_cache=True, **{keyword: cache}).logits
            for step in range(tokens.shape[1])]


@pytest.mark.parametrize("batch", [1, 3])
def test_static_decoder_steps_give_the_logits_of_dynamic_cache_decoding(batch):
    """Every step, from buffers advanced in place, computes what the usual decode loop computes on the same
    tokens: the new key and value land at the right position and attention sees exactly the filled part of
    the cache (only bf16 rounding differs: the static cache's attention runs over its whole, masked length)."""
    model = build_model(TINY, CPU)
    input_ids = measure.prompt_ids(TINY.vocab_size, batch, 24, CPU)
    decoder = measure.StaticDecoder(model, batch, 24 + 12, CPU)
    for _ in range(2):  # the second prefill starts over from an emptied cache
        decoder.prefill(input_ids)
        fed, static = [], []
        for _ in range(10):
            fed.append(decoder.next_ids.clone())
            static.append(decoder.step())
    expected = _dynamic_decode_logits(model, input_ids, torch.cat(fed, dim=1))
    for step, (reference, logits) in enumerate(zip(expected, static)):
        assert torch.allclose(logits.float(), reference.float(), atol=2e-2), f"step {step}"


def test_static_decode_tokens_are_the_greedy_choices_of_its_steps():
    model = build_model(TINY, CPU)
    input_ids = measure.prompt_ids(TINY.vocab_size, 2, 16, CPU)
    decoder = measure.StaticDecoder(model, 2, 30, CPU)
    tokens = measure.static_decode_tokens(decoder, input_ids, 6)
    logits = _dynamic_decode_logits(model, input_ids, tokens)
    assert tokens.shape == (2, 6)
    assert torch.equal(tokens[:, 0:1], measure.prefill_logits(model, input_ids)[:, -1:].argmax(dim=-1))
    agree = torch.cat([step[:, -1:].argmax(dim=-1) for step in logits[:-1]], dim=1) == tokens[:, 1:]
    assert agree.float().mean() >= 0.8  # the same path, but for a near-tie that bf16 rounding may flip


def test_static_decode_timing_runs_eagerly_on_the_cpu():
    model = build_model(TINY, CPU)
    timing = measure.time_static_decode(model, measure.prompt_ids(TINY.vocab_size, 1, 16, CPU), 4, 2, CPU)
    assert timing.step.repeats == 2 and 0 < timing.step.min_s <= timing.step.median_s <= timing.step.max_s
    assert timing.same_work is None  # eager steps: nothing to check against eager ones


def test_the_cpu_run_records_graph_metrics_as_missing_with_the_reason():
    result = measure_item(BenchItem(TINY, Int8WeightOnly(), Workload(1, 16, 4), repeats=2), CPU, {})
    assert result["status"] == "ok", result["error"]
    for name in GRAPH_METRICS:
        assert name not in result["metrics"]
        assert result["missing"][name] == "CUDA graphs need a CUDA device; this run is on cpu"
    assert result["metrics"]["decode_ms_per_token"] > 0


class _FakeCuda:
    """Just enough of torch.cuda for capture_decode_graph's failure path on the CPU: streams are names, and
    ending a capture fails as CUDA does after an error inside it, without restoring the stream that was
    current before (torch.cuda.graph.__exit__ restores it only after capture_end returns)."""

    def __init__(self):
        self.current = "default"

    def install(self, monkeypatch):
        fake = self

        class Stream:
            def __init__(self, device=None, name="side"):
                self.name = name

            def wait_stream(self, other):
                pass

        class Graph:
            def __init__(self, graph):
                pass

            def __enter__(self):
                self.before, fake.current = fake.current, "capture"

            def __exit__(self, *failure):
                raise RuntimeError("CUDA error: operation failed due to a previous error during capture")

        class StreamContext:
            def __init__(self, stream):
                self.stream = stream

            def __enter__(self):
                self.before, fake.current = fake.current, self.stream.name

            def __exit__(self, *failure):
                fake.current = self.before

        monkeypatch.setattr(torch.cuda, "Stream", Stream)
        monkeypatch.setattr(torch.cuda, "stream", StreamContext)
        monkeypatch.setattr(torch.cuda, "current_stream", lambda device=None: Stream(name=fake.current))
        monkeypatch.setattr(torch.cuda, "set_stream", lambda stream: setattr(fake, "current", stream.name))
        monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: None)
        monkeypatch.setattr(torch.cuda, "CUDAGraph", lambda: object())
        monkeypatch.setattr(torch.cuda, "graph", Graph)


def test_a_failed_capture_says_what_failed_inside_it_and_restores_the_stream(monkeypatch):
    """What LLM.int8() did on the H200: a host sync inside the captured step. The reason recorded is the
    step's own error, not the one ending the capture reports, and the stream current before is current again."""
    model = build_model(TINY, CPU)  # before torch.cuda is faked: transformers' modules import with it
    decoder = measure.StaticDecoder(model, 1, 24, CPU)
    fake = _FakeCuda()
    fake.install(monkeypatch)
    norm = model.model.norm
    original = norm.forward

    def forward_that_syncs(hidden_states):
        if fake.current == "capture":
            raise RuntimeError("CUDA error: operation not permitted when stream is capturing\nmore lines")
        return original(hidden_states)

    monkeypatch.setattr(norm, "forward", forward_that_syncs)
    with pytest.raises(measure.GraphCaptureFailed) as failure:
        measure.capture_decode_graph(decoder, measure.prompt_ids(TINY.vocab_size, 1, 16, CPU), 4)
    assert str(failure.value) == ("CUDA graph capture of the decode step failed: RuntimeError: CUDA error: "
                                  "operation not permitted when stream is capturing")
    assert fake.current == "default"


# -- CUDA only ------------------------------------------------------------------------

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@cuda
@pytest.mark.parametrize("config", [Int8WeightOnly(), SmoothQuant()], ids=lambda config: config.label)
def test_graph_decode_is_measured_on_cuda_or_says_why_not(config):
    """A method whose speed is its compiled decode's (compiled_only: int8-channel's dequantize-and-matmul)
    gets no graph of its unfused eager kernel; the others get a graph timing, or the reason there is none."""
    result = measure_item(BenchItem(TINY, config, Workload(2, 32, 8), repeats=3), torch.device("cuda"), {})
    assert result["status"] == "ok", result["error"]
    missing = result["missing"].get("decode_graph_ms_per_token")
    if config.compiled_only:
        assert missing.startswith("a graph of the unfused eager kernel"), missing
    elif "decode_graph_ms_per_token" in result["metrics"]:
        assert result["metrics"]["tokens_per_s_graph"] > 0
        assert result["spread"]["decode_graph_ms_per_token"]["min"] > 0
        assert 0 <= result["metrics"]["graph_logits_rel_rms"] < measure.SAME_WORK_TOLERANCE
    else:
        assert missing.startswith(("CUDA graph capture", "the replayed CUDA graph", "replaying the CUDA graph")), \
            missing


@cuda
def test_a_decode_step_captured_on_cuda_replays_the_eager_greedy_path():
    """The tiny model's logits are far from ties: the replays' own tokens are exactly eager decoding's, and
    their logits eager's but for rounding."""
    device = torch.device("cuda")
    model = build_model(TINY, device)
    input_ids = measure.prompt_ids(TINY.vocab_size, 2, 32, device)
    decoder = measure.StaticDecoder(model, 2, 48, device)
    step, same_work = measure.capture_decode_graph(decoder, input_ids, 8)
    eager = measure.static_decode_tokens(decoder, input_ids, 8)
    assert torch.equal(measure.static_decode_tokens(decoder, input_ids, 8, step), eager)
    assert same_work.rounding_ties == 0 and same_work.logits_relative_rms < 0.05, same_work


@cuda
def test_a_step_that_cannot_be_captured_leaves_the_stream_and_context_usable(monkeypatch):
    """A host sync inside the captured step (as LLM.int8()'s outlier search does) fails the capture: the
    reason is the step's own error, not the one ending the capture reports, and the stream that was current
    before is current again."""
    device = torch.device("cuda")
    model = build_model(TINY, device)
    input_ids = measure.prompt_ids(TINY.vocab_size, 1, 16, device)
    decoder = measure.StaticDecoder(model, 1, 32, device)
    norm = model.model.norm
    original = norm.forward

    def forward_with_a_host_sync(hidden_states):
        hidden_states.sum().item()
        return original(hidden_states)

    monkeypatch.setattr(norm, "forward", forward_with_a_host_sync)
    before = torch.cuda.current_stream(device)
    with pytest.raises(measure.GraphCaptureFailed, match="^CUDA graph capture of the decode step failed: ") as failure:
        measure.capture_decode_graph(decoder, input_ids, 4)
    assert "\n" not in str(failure.value)
    assert torch.cuda.current_stream(device) == before
    assert torch.ones(4, device=device).sum().item() == 4
