"""The layer-by-layer 4-bit build on the CPU with tiny llamas: the same model as building whole then
quantizing, a working forward and generate, nothing left on the meta device, never more than one layer in bf16."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from calculators.preset_configs import PRESET_CONFIGS  # noqa: E402
from generator.bench import measure, methods  # noqa: E402
from generator.bench.models import (TINY_LLAMA_CONFIG, ModelSpec, build_model, model_spec,  # noqa: E402
                                    weight_bytes_in_memory)
from generator.bench.streaming import build_quantized_layer_by_layer, peak_bf16_layer_bytes  # noqa: E402

CPU = torch.device("cpu")
TINY = model_spec("tiny-llama")
TIED = ModelSpec("tiny-llama-tied", dict(TINY_LLAMA_CONFIG, tie_word_embeddings=True))
CONFIGS = [methods.Int4WeightOnly(), methods.Bnb4bit("nf4"), methods.Bnb4bit("nf4", double_quant=True)]
LINEARS_PER_LAYER = 7  # q, k, v, o, gate, up, down


def _bf16_linears_made(model) -> int:
    return sum(1 for module in model.modules() if type(module) is torch.nn.Linear
               and not module.weight.is_meta and module.weight.dtype == torch.bfloat16)


def _streamed(spec, config, on_unit=None):
    try:
        return build_quantized_layer_by_layer(spec, config, CPU, on_unit=on_unit)
    except methods.Unsupported as reason:  # bitsandbytes missing, or without a CPU backend
        pytest.skip(str(reason))


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda config: config.label)
def streamed(request):
    """(config, model, what on_unit saw: (unit, stage, bf16 linears made) at every call)."""
    seen = []

    def look(unit, stage, model):
        seen.append((unit, stage, _bf16_linears_made(model)))

    model = _streamed(TINY, request.param, look)
    return request.param, model, seen


def test_the_streamed_model_holds_the_bytes_of_the_model_built_whole_then_quantized(streamed):
    config, model, _ = streamed
    whole = build_model(TINY, CPU)
    methods.quantize(whole, config, CPU)
    assert weight_bytes_in_memory(model) == weight_bytes_in_memory(whole)
    assert [type(module) for module in model.modules()] == [type(module) for module in whole.modules()]


def test_the_streamed_model_runs_forward_and_generate(streamed):
    _, model, _ = streamed
    input_ids = measure.prompt_ids(TINY.vocab_size, 2, 16, CPU)
    assert torch.isfinite(measure.prefill_logits(model, input_ids)).all()
    with torch.inference_mode():
        out = model.generate(input_ids, max_new_tokens=4, min_new_tokens=4, do_sample=False,
                             attention_mask=torch.ones_like(input_ids), pad_token_id=0)
    assert out.shape == (2, 20) and torch.equal(out[:, :16], input_ids)


def test_nothing_is_left_on_the_meta_device_and_rotary_frequencies_are_computed(streamed):
    _, model, _ = streamed
    for name, tensor in (*model.named_parameters(), *model.named_buffers()):
        assert tensor.device == CPU, name
    assert torch.equal(model.model.rotary_emb.inv_freq, build_model(TINY, CPU).model.rotary_emb.inv_freq)


def test_at_most_one_decoder_layer_is_ever_bf16(streamed):
    """Looked at as each unit is made and again once it is quantized: the bf16 linears present are at most
    one layer's, and the 4-bit methods leave none behind (bitsandbytes keeps lm_head in bf16, as it does whole)."""
    config, _, seen = streamed
    assert [unit for unit, stage, _ in seen if stage == "materialised"] == [
        "model.embed_tokens", "model.layers.0", "model.layers.1", "model.norm", "model.rotary_emb", "lm_head"]
    assert max(count for _, _, count in seen) == LINEARS_PER_LAYER
    kept_bf16 = {"lm_head"} if isinstance(config, methods.Bnb4bit) else set()
    for unit, stage, count in seen:
        if stage == "quantized":
            assert count == (1 if unit in kept_bf16 else 0), unit


def test_weights_follow_the_models_own_initialisation():
    """normal(0, initializer_range) for linears, ones for RMSNorm weights: seen in bf16, before quantizing."""
    made = {}

    def look(unit, stage, model):
        if (unit, stage) == ("model.layers.0", "materialised"):
            layer = model.model.layers[0]
            made.update(std=layer.mlp.up_proj.weight.float().std().item(), norm=layer.input_layernorm.weight.clone())

    _streamed(TINY, methods.Int4WeightOnly(), look)
    assert made["std"] == pytest.approx(TINY_LLAMA_CONFIG.get("initializer_range", 0.02), rel=0.1)
    assert torch.equal(made["norm"], torch.ones_like(made["norm"]))


def test_a_tied_lm_head_stays_the_embedding_as_when_quantized_whole():
    model = _streamed(TIED, methods.Int4WeightOnly())
    whole = build_model(TIED, CPU)
    methods.quantize(whole, methods.Int4WeightOnly(), CPU)
    assert model.lm_head.weight is model.model.embed_tokens.weight
    assert weight_bytes_in_memory(model) == weight_bytes_in_memory(whole)


@pytest.mark.parametrize("preset_id", ["llama-3.1-70b", "qwen2.5-72b-instruct"])
def test_70b_class_configs_shrunk_to_tiny_sizes_stream_like_they_build_whole(preset_id):
    """The presets the streamed build is for, with their own rope scaling (llama3), biases (qwen2's q, k,
    v) and norms, at tiny sizes: every buffer as computed by a whole build, the same bytes, finite logits."""
    shrunk = dict(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, head_dim=32, vocab_size=512, bos_token_id=None, eos_token_id=None)
    spec = ModelSpec(f"{preset_id}-shrunk", dict(PRESET_CONFIGS[preset_id]["config"], **shrunk))
    model = _streamed(spec, methods.Int4WeightOnly())
    whole = build_model(spec, CPU)
    methods.quantize(whole, methods.Int4WeightOnly(), CPU)
    buffers = dict(model.named_buffers())
    for name, buffer in whole.named_buffers():
        if not name.endswith(("weight", "scales_and_zeros")):  # the int4 layers' own buffers hold random weights
            assert torch.equal(buffers[name], buffer), name
    assert weight_bytes_in_memory(model) == weight_bytes_in_memory(whole)
    assert torch.isfinite(measure.prefill_logits(model, measure.prompt_ids(512, 1, 8, CPU))).all()


def test_a_weight_the_models_init_leaves_unset_is_named(monkeypatch):
    model_class = type(build_model(TINY, torch.device("meta")))
    original = model_class._init_weights

    def init_skipping_norms(self, module):
        if "RMSNorm" not in type(module).__name__:
            original(self, module)

    monkeypatch.setattr(model_class, "_init_weights", init_skipping_norms)
    with pytest.raises(RuntimeError, match="left model.layers.0.input_layernorm.weight unset"):
        build_quantized_layer_by_layer(TINY, methods.Int4WeightOnly(), CPU)


def test_other_methods_are_unsupported():
    with pytest.raises(methods.Unsupported, match="no layer-by-layer build"):
        build_quantized_layer_by_layer(TINY, methods.Int8WeightOnly(), CPU)


def test_the_peak_bf16_unit_is_the_largest_layer_or_embedding():
    # tiny: a layer is q, o 128x128, k, v 64x128, gate, up, down 256x128 and two norms of 128: 147,712
    # weights, more than the 512x128 embedding.
    assert peak_bf16_layer_bytes(TINY) == 2 * (2 * 128 * 128 + 2 * 64 * 128 + 3 * 256 * 128 + 2 * 128)
    # Llama 3.1 70B: the 128,256 x 8,192 embedding (2.1 GB) outweighs a decoder layer (1.7 GB).
    assert peak_bf16_layer_bytes(model_spec("llama-3.1-70b")) == 2 * 128256 * 8192
