"""The kernel micro-benchmark: one linear layer at a real model's shapes, every method, 1 to 256 tokens.

Each method quantizes a one-layer copy of a preset (its real layer shapes, a tiny vocabulary)
through the same `methods.quantize` as the whole-model suites, so the layer timed is the module a
user would run. The timed call is that module's forward on (tokens, in_features) bf16 activations:
eagerly as a user sees it, and on CUDA also replayed from a CUDA graph, which removes the launch
overhead that dominates at small batches.

A method whose kernel is fused only under torch.compile (int8 and FP8 weight-only: a dequantize-and-matmul)
is timed compiled on CUDA, since its eager forward is an unfused reference path.

The L2 cache: an H200 has 60 MB of it. A bf16 q_proj of Llama-3.1-8B (32 MB) fits, the int4
gate_proj (30 MB) fits, the bf16 gate_proj (117 MB) does not; timing one copy over and over would
time a layer read from L2 for some methods and from HBM for others. So each method's layer is
copied until the copies together hold more than ROTATION_L2_MULTIPLE times the L2 cache, and the
timed calls go round the copies, each call reading weights that the previous calls pushed out of
L2, as a real model's next layer does. Each sample times at least MIN_CALLS_PER_SAMPLE calls.

Speedups over bf16 and the batch at which a method stops winning are derived from these raw times
(generator.records.analysis); the record keeps only the measurements.
"""

import copy
import math
from dataclasses import dataclass

import torch

from ..records import result_key
from . import measure, methods
from .compiled import raise_recompile_limit
from .models import ModelSpec, build_model, model_spec, stored_tensors, unique_storage_bytes
from .runner import Measurement, Runner, free

# (module path inside decoder layer 0, label): the three shapes of a llama MLP and attention block.
LAYERS = (("self_attn.q_proj", "q_proj"), ("mlp.gate_proj", "gate_proj"), ("mlp.down_proj", "down_proj"))
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
ROTATION_L2_MULTIPLE = 2  # copies of a layer hold at least this many L2 caches of weights
MAX_COPIES = 64
CPU_MAX_COPIES, CPU_MIN_CALLS = 4, 4  # the CPU sweep is a test of the code path, not a measurement anyone reads
MIN_CALLS_PER_SAMPLE = 20  # forward calls per clock read, so a sample dwarfs the timer and launch jitter
CPU_L2_BYTES = 2 << 20  # used where the device does not report its L2 (a CPU core's L2 is 0.5 to 2 MB)


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
    def params(self) -> int:
        out_features, in_features = dict((group.name, group.shape)
                                         for group in self.source.architecture.tensors())[self.label]
        return out_features * in_features

    def skeleton(self) -> dict:
        return {"model": {"id": self.model_id, "kind": self.source.kind, "params": self.params},
                "method": self.method.to_record(), "workload": self.to_workload()}

    @property
    def key(self) -> str:
        return result_key(self.skeleton())


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


def rotation_copies(layer_bytes: int, l2_bytes: int, multiple: int = ROTATION_L2_MULTIPLE,
                    max_copies: int = MAX_COPIES) -> int:
    """How many copies of a layer to go round so that no call finds its weights in L2: enough to hold
    `multiple` L2 caches, at least 2 (so consecutive calls never read the same copy), at most max_copies."""
    if layer_bytes <= 0 or l2_bytes <= 0:
        raise ValueError("layer_bytes and l2_bytes must be positive")
    return max(2, min(max_copies, math.ceil(multiple * l2_bytes / layer_bytes)))


def calls_per_sample(copies: int, minimum: int = MIN_CALLS_PER_SAMPLE) -> int:
    """Whole rounds over the copies, at least `minimum` calls."""
    return copies * math.ceil(minimum / copies)


def l2_cache_bytes(device) -> int:
    if torch.device(device).type == "cuda":
        return getattr(torch.cuda.get_device_properties(device), "L2_cache_size", 0) or 50 << 20
    return CPU_L2_BYTES


def _round_robin(modules: list, inputs, calls: int):
    def sample():
        for index in range(calls):
            modules[index % len(modules)](inputs)
    return sample


def time_eager(modules: list, inputs, device, repeats: int) -> measure.Timing:
    """Per call: one warm-up round, then `repeats` samples of calls_per_sample calls round the copies."""
    calls = calls_per_sample(len(modules), MIN_CALLS_PER_SAMPLE if torch.device(device).type == "cuda"
                             else CPU_MIN_CALLS)
    timing = measure.repeat_timed(_round_robin(modules, inputs, calls), repeats, device)
    return _per_call(timing, calls)


def time_graph(modules: list, inputs, device, repeats: int) -> measure.Timing:
    """One forward of every copy captured in a CUDA graph and replayed: launch overhead removed."""
    stream = torch.cuda.Stream(device)
    stream.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(stream):
        for module in modules:  # warm up on a side stream, as graph capture requires
            module(inputs)
    torch.cuda.current_stream(device).wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for module in modules:
            module(inputs)
    replays = math.ceil(MIN_CALLS_PER_SAMPLE / len(modules))

    def sample():
        for _ in range(replays):
            graph.replay()

    return _per_call(measure.repeat_timed(sample, repeats, device), replays * len(modules))


def _per_call(timing: measure.Timing, calls: int) -> measure.Timing:
    return measure.Timing(timing.median_s / calls, timing.min_s / calls, timing.max_s / calls, timing.repeats)


def compiled(modules: list) -> list:
    """Each module under torch.compile (fullgraph). Dynamo lifts a module's parameters and buffers into graph
    inputs (inline_inbuilt_nn_modules), so copies of one layer share one compiled graph; the limit on
    recompiles is raised in case a torch compiles per instance. Compiling happens at the first call, which the
    timings' warm-up makes."""
    raise_recompile_limit(2 * MAX_COPIES)
    return [torch.compile(module, fullgraph=True) for module in modules]


class LayerCache:
    """Quantized one-layer models by (source, method), each made once for all layers and token counts,
    and the rotation copies of each layer. A one-layer copy of an 8B-class model is a few hundred MB."""

    def __init__(self, compile_on_cpu: bool = False):
        self.models, self.copies = {}, {}
        self.compile_on_cpu = compile_on_cpu

    def model(self, item: KernelItem, device):
        key = (item.source.id, item.method)
        if key not in self.models:
            model = build_model(item.source, device)
            calibration = measure.calibration_ids(item.source.vocab_size, device)
            methods.quantize(model, item.method, device, calibration)
            self.models[key] = model
        return self.models[key]

    def layer_copies(self, item: KernelItem, device) -> list:
        """The rotation copies of the item's layer; for a method whose kernel is fused only under torch.compile
        (compiled_only), each copy compiled, on CUDA (and on the CPU when `compile_on_cpu`)."""
        key = (item.source.id, item.method, item.layer)
        if key not in self.copies:
            module = self.model(item, device).model.layers[0].get_submodule(item.layer)
            on_cuda = torch.device(device).type == "cuda"
            count = rotation_copies(unique_storage_bytes(stored_tensors(module)), l2_cache_bytes(device),
                                    max_copies=MAX_COPIES if on_cuda else CPU_MAX_COPIES)
            copies = [module] + [copy.deepcopy(module) for _ in range(count - 1)]
            if item.method.compiled_only and (on_cuda or self.compile_on_cpu):
                copies = compiled(copies)
            self.copies[key] = copies
        return self.copies[key]

    def drop(self, item: KernelItem, device):
        self.models.pop((item.source.id, item.method), None)
        self.copies = {key: value for key, value in self.copies.items() if key[:2] != (item.source.id, item.method)}
        free(device)

    def clear(self, device):
        self.models.clear()
        self.copies.clear()
        free(device)


@torch.inference_mode()
def measure_kernel_item(item: KernelItem, device, cache: LayerCache) -> dict:
    m = Measurement(f"{item.method.label} on {item.model_id} at {item.tokens} tokens", device)
    with m.guard():
        modules = cache.layer_copies(item, device)
        m.metrics["weight_bytes"] = unique_storage_bytes(stored_tensors(modules[0]))
        generator = torch.Generator().manual_seed(7)
        dtype = cache.model(item, device).get_input_embeddings().weight.dtype  # the activations' dtype
        inputs = torch.randn(item.tokens, modules[0].in_features, generator=generator).to(device=device,
                                                                                           dtype=dtype)
        measure.require_finite(modules[0](inputs), "the layer's output")
        m.add_timing("layer_ms", time_eager(modules, inputs, device, item.repeats))
        if torch.device(device).type == "cuda":
            try:
                m.add_timing("layer_graph_ms", time_graph(modules, inputs, device, item.repeats))
            except RuntimeError as failure:  # some kernels cannot be captured: a finding, not a crash
                m.miss(["layer_graph_ms"], f"CUDA graph capture failed: {measure.one_line(failure)}")
        else:
            m.miss(["layer_graph_ms"], "CUDA graphs exist on CUDA only")
    if m.status == "oom":
        cache.clear(device)  # every cached layer goes, to make room for the next method
    elif m.status != "ok":
        cache.drop(item, device)
    skeleton = item.skeleton()
    return m.result(skeleton["model"], skeleton["method"], skeleton["workload"])


RUNNER = Runner("kernel", measure=lambda item, device, cache: measure_kernel_item(item, device, cache),
                new_state=LayerCache, close=lambda cache, device: cache.clear(device))
