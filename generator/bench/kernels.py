"""The kernel micro-benchmark: one linear layer at a real model's shapes, every method, batch 1 to 256.

Each method quantizes a one-layer copy of a preset (its real layer shapes, a
tiny vocabulary) through the same `methods.quantize` as the whole-model suites,
so the layer timed is the module a user would run. The timed call is that
module's forward on (tokens, in_features) bf16 activations: eagerly as a user
sees it, and on CUDA also replayed from a CUDA graph, which removes the launch
overhead that dominates at small batches. Speedups over bf16 and the batch at
which a method stops winning are derived from these raw times when the site
is built; the record keeps only the measurements.
"""

from dataclasses import dataclass

import torch

from . import measure, methods
from .models import ModelSpec, build_model, model_spec, stored_tensors, unique_storage_bytes
from ..records import RecordWriter, new_result, one_line, result_key
from .runner import RunOutcome, _free, failure_status, run_items

# (module path inside decoder layer 0, label): the three shapes of a llama MLP and attention block.
LAYERS = (("self_attn.q_proj", "q_proj"), ("mlp.gate_proj", "gate_proj"), ("mlp.down_proj", "down_proj"))
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
CALLS_PER_SAMPLE = 10  # forward calls per clock read, so a sample is well above the timer's resolution


@dataclass(frozen=True)
class KernelItem:
    """One method on one layer of a one-layer copy of `source`, at one token count."""

    source: ModelSpec
    layer: str  # module path inside the decoder layer
    label: str
    method: methods.MethodConfig
    tokens: int
    repeats: int

    @property
    def model_id(self) -> str:
        return f"{self.source.id}:{self.label}"

    def to_workload(self) -> dict:
        return {"batch": self.tokens, "prompt_tokens": 1, "new_tokens": 0}

    @property
    def key(self) -> str:
        return result_key({"model": {"id": self.model_id}, "method": self.method.to_record(),
                           "workload": self.to_workload()})


def one_layer_spec(preset_id: str) -> ModelSpec:
    """The preset with one decoder layer and a 256-token vocabulary: real layer shapes, little else."""
    spec = model_spec(preset_id)
    config = {**spec.hf_config, "num_hidden_layers": 1, "vocab_size": 256, "tie_word_embeddings": False}
    config.pop("layer_types", None)
    return ModelSpec(f"{preset_id}-1layer", config)


def kernel_items(source: ModelSpec, batches=BATCHES, repeats: int = 5, configs=None) -> list:
    """Most valuable first: every method at batch 1 on every layer, then the larger batches."""
    configs = configs if configs is not None else methods.standard_configs()
    batches = batches or BATCHES
    return [KernelItem(source, layer, label, config, tokens, repeats)
            for tokens in batches for layer, label in LAYERS for config in configs]


def _time_eager(module, inputs, device, repeats) -> measure.Timing:
    def sample():
        for _ in range(CALLS_PER_SAMPLE):
            module(inputs)

    sample()  # warm-up: kernel selection, lazy state (bitsandbytes moves CB/SCB on the first call)
    return measure.Timing.of([measure.timed(sample, device)[1] / CALLS_PER_SAMPLE for _ in range(repeats)])


def _time_graph(module, inputs, device, repeats) -> measure.Timing:
    """The forward captured once in a CUDA graph and replayed: launch overhead removed."""
    stream = torch.cuda.Stream(device)
    stream.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(stream):
        for _ in range(3):  # warm up on a side stream, as graph capture requires
            module(inputs)
    torch.cuda.current_stream(device).wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        module(inputs)

    def sample():
        for _ in range(CALLS_PER_SAMPLE):
            graph.replay()

    sample()
    return measure.Timing.of([measure.timed(sample, device)[1] / CALLS_PER_SAMPLE for _ in range(repeats)])


class _LayerCache:
    """Quantized one-layer models by (source, method), each made once for all layers and token counts.

    A one-layer copy of an 8B-class model is a few hundred MB, so every method's
    copy fits on the GPU at once and the sweep can run batch 1 for every method first.
    """

    def __init__(self):
        self.models = {}

    def get(self, item: KernelItem, device):
        key = (item.source.id, item.method)
        if key not in self.models:
            model = build_model(item.source, device)
            calibration = measure.calibration_ids(item.source.vocab_size, device)
            methods.quantize(model, item.method, device, calibration)
            self.models[key] = model
        return self.models[key]

    def drop(self, item: KernelItem, device):
        self.models.pop((item.source.id, item.method), None)
        _free(device)

    def clear(self, device):
        self.models.clear()
        _free(device)


@torch.inference_mode()
def measure_kernel_item(item: KernelItem, device, cache: _LayerCache) -> dict:
    metrics, missing, spread = {}, {}, {}
    status, error, repeats, params = "ok", None, 0, None
    try:
        model = cache.get(item, device)
        module = model.model.layers[0].get_submodule(item.layer)
        in_features = getattr(module, "in_features")
        out_features = getattr(module, "out_features")
        params = in_features * out_features
        metrics["weight_bytes"] = unique_storage_bytes(stored_tensors(module))
        generator = torch.Generator().manual_seed(7)
        dtype = model.get_input_embeddings().weight.dtype  # the activations' dtype under this method
        inputs = torch.randn(item.tokens, in_features, generator=generator).to(device=device, dtype=dtype)
        eager = _time_eager(module, inputs, device, item.repeats)
        repeats = item.repeats
        metrics["layer_ms"] = eager.median_s * 1e3
        spread["layer_ms"] = {"min": eager.min_s * 1e3, "max": eager.max_s * 1e3}
        if torch.device(device).type == "cuda":
            try:
                graph = _time_graph(module, inputs, device, item.repeats)
                metrics["layer_graph_ms"] = graph.median_s * 1e3
                spread["layer_graph_ms"] = {"min": graph.min_s * 1e3, "max": graph.max_s * 1e3}
            except RuntimeError as failure:  # some kernels cannot be captured; that is a finding, not a crash
                missing["layer_graph_ms"] = f"CUDA graph capture failed: {one_line(failure)}"
        else:
            missing["layer_graph_ms"] = "CUDA graphs exist on CUDA only"
    except Exception as failure:  # a data point: the sweep goes on
        status, error = failure_status(failure, f"{item.method.label} on {item.model_id} at {item.tokens} tokens")
        if status == "oom":
            cache.clear(device)  # every cached layer goes, to make room for the next method
        else:
            cache.drop(item, device)
    if params is None:
        shape = dict((group.name, group.shape) for group in item.source.architecture.tensors())
        out_features, in_features = shape[item.label]
        params = out_features * in_features
    return new_result({"id": item.model_id, "kind": item.source.kind, "params": params}, item.method.to_record(),
                      item.to_workload(), status, error, metrics, missing, repeats, spread)


def run_kernel_items(items: list, writer: RecordWriter, device, budget_s: float | None = None,
                     on_result=lambda result: None) -> RunOutcome:
    """runner.run_items over kernel items, keeping each method's quantized layer for all its token counts."""
    cache = _LayerCache()
    try:
        return run_items(items, writer, device, budget_s, on_result,
                         measure_one=lambda item: measure_kernel_item(item, device, cache))
    finally:
        cache.clear(device)
