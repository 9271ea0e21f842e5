"""Compiled decode (gpt-fast style) on the CPU with the tiny llama: the compiled step picks eager decoding's
tokens, its timing excludes compilation, and a step that cannot compile whole is CompileFailed, not a crash."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from generator.bench import measure, methods  # noqa: E402
from generator.bench.compiled import CompileFailed, compile_decode_step, time_compiled_decode  # noqa: E402
from generator.bench.methods.fp8 import Fp8  # noqa: E402
from generator.bench.models import TINY_LLAMA_CONFIG, ModelSpec, build_model, model_spec  # noqa: E402

CPU = torch.device("cpu")
TINY = model_spec("tiny-llama")
ONE_LAYER = ModelSpec("tiny-llama-1-layer", dict(TINY_LLAMA_CONFIG, num_hidden_layers=1))  # compiles faster
# bf16 and the two methods whose speed is their compiled decode's (inductor fuses their dequantize-and-matmul).
CONFIGS = [methods.REFERENCE, methods.Int8WeightOnly("dequant-matmul"), Fp8("weight-only")]


def _model(config, device=CPU):
    model = build_model(TINY, device)
    methods.quantize(model, config, device)
    return model


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda config: config.label)
def compiled_run(request):
    """One compiled timing per method (compiling is the slow part), with the model and prompt it ran on."""
    model = _model(request.param)
    input_ids = measure.prompt_ids(TINY.vocab_size, 2, 16, CPU)
    return model, input_ids, time_compiled_decode(model, input_ids, 8, 3, CPU)


def test_compiled_timing_excludes_compilation_and_has_an_ordered_spread(compiled_run):
    _, _, timing = compiled_run
    assert timing.compile_s > 0
    assert timing.step.repeats == 3 and 0 < timing.step.min_s <= timing.step.median_s <= timing.step.max_s
    assert timing.cuda_graphs is False  # the CPU runs inductor's default mode, no CUDA graphs


def test_the_compiled_step_picks_the_greedy_token_of_the_eager_step_every_time(compiled_run):
    """No step of the check needed the rounding-tie allowance: fed eager's tokens, the compiled step picked
    eager's token every time, so left to feed itself it makes exactly eager's tokens; its logits differ from
    eager's by rounding only (inductor fuses ops and keeps some intermediates in float32)."""
    assert compiled_run[2].rounding_ties == 0
    assert 0 <= compiled_run[2].logits_relative_rms < measure.SAME_WORK_TOLERANCE / 5


def test_free_running_compiled_steps_make_the_tokens_of_eager_steps():
    """The same, shown directly (for the fused int8 method on one layer only, as each compile takes seconds):
    the compiled step's own tokens, fed back through the decoder's buffer, are eager static-cache decoding's."""
    model = build_model(ONE_LAYER, CPU)
    methods.quantize(model, methods.Int8WeightOnly("dequant-matmul"), CPU)
    input_ids = measure.prompt_ids(TINY.vocab_size, 2, 16, CPU)
    decoder = measure.StaticDecoder(model, 2, 16 + 12, CPU)
    eager = measure.static_decode_tokens(decoder, input_ids, 8)
    with torch.inference_mode():
        decoder.prefill(input_ids)
    step = compile_decode_step(decoder, CPU)
    try:
        with torch.inference_mode():
            compiled = measure.static_decode_tokens(decoder, input_ids, 8, step)
    finally:
        torch._dynamo.reset()
    assert torch.equal(compiled, eager)


def test_a_forward_that_cannot_compile_whole_is_compile_failed_with_a_one_line_reason(monkeypatch):
    model = build_model(ONE_LAYER, CPU)
    norm = model.model.norm
    original = norm.forward

    def forward_with_a_graph_break(hidden_states):
        torch._dynamo.graph_break()  # fullgraph=True refuses any break
        return original(hidden_states)

    monkeypatch.setattr(norm, "forward", forward_with_a_graph_break)
    with pytest.raises(CompileFailed) as failure:
        time_compiled_decode(model, measure.prompt_ids(TINY.vocab_size, 1, 8, CPU), 2, 1, CPU)
    message = str(failure.value)
    assert message.startswith("torch.compile of the decode step failed: ") and "\n" not in message


def test_a_compiled_step_that_computes_something_else_is_compile_failed(monkeypatch):
    """The check against eager decoding catches a compiled step whose logits are not the eager ones: here
    the compiled forward (and only it: torch.compiler.is_compiling) adds noise far beyond rounding."""
    model = build_model(ONE_LAYER, CPU)
    head = model.lm_head
    original = head.forward

    def forward_that_differs_when_compiled(hidden_states):
        logits = original(hidden_states)
        return logits + 10 * torch.randn_like(logits) if torch.compiler.is_compiling() else logits

    monkeypatch.setattr(head, "forward", forward_that_differs_when_compiled)
    with pytest.raises(CompileFailed, match="^the compiled decode step computed other logits than eager decoding "
                                            "at step 0, sequence 0: a relative RMS difference of "):
        time_compiled_decode(model, measure.prompt_ids(TINY.vocab_size, 1, 8, CPU), 4, 1, CPU)


# -- CUDA only ------------------------------------------------------------------------

@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("config", CONFIGS, ids=lambda config: config.label)
def test_reduce_overhead_replays_cuda_graphs_of_the_eager_greedy_path(config):
    device = torch.device("cuda")
    model = _model(config, device)
    input_ids = measure.prompt_ids(TINY.vocab_size, 2, 32, device)
    timing = time_compiled_decode(model, input_ids, 8, 3, device)
    assert timing.cuda_graphs, "inductor ran the step without CUDA graphs (see TORCH_LOGS=perf_hints)"
    assert timing.compile_s > 0 and 0 < timing.step.min_s <= timing.step.median_s <= timing.step.max_s
