"""The decision wizard: which quantization method for a goal, a model, a machine and a workload.

For every method of the knowledge base (`knowledge.py`) it finds a runtime whose kernel runs it on this hardware,
checks the memory with the same stack as `fitting.fit` (or `training.training_memory` for fine-tuning), bounds
the decode speed with `roofline.roofline`, adds the project's measurements (the evidence summary that
`python -m generator evidence --json` prints) and the published figures with their sources, and ranks what fits
by the priority. A method that cannot run or does not fit is ruled out with its reason. Nothing here depends on
the priority except the order, so the priority never changes which methods fit.
"""

from math import inf

from . import knowledge as kb
from .architecture import Architecture
from .display import counted, rate
from .errors import CalculatorError
from .fitting import (DEFAULT_MEMORY_UTILIZATION, RUNTIME_OVERHEAD_BYTES, check_tensor_parallel, fit,
                      kv_shards, memory_stack, usable_bytes)
from .formats import kv_format, weight_format
from .hardware import GIB, Accelerator
from .kv_cache import kv_bytes_per_token, kv_cache_bytes
from .records import field, record
from .roofline import compute_bound_batch, roofline, weight_bytes_read
from .training import training_memory
from .validate import MAX_BATCH, MAX_GPUS, MAX_TOKENS, one_of, whole_number
from .weights import weight_bytes

GOALS = ("serve", "finetune", "local")
PRIORITIES = ("latency", "throughput", "quality", "memory")
# The fixed vocabulary of `scheme` (README, "The decision wizard").
SCHEMES = ("BF16", "FP16", "FP8-W8A8", "FP8-W8A16", "INT8-W8A8", "INT8-W8A16", "INT4-W4A16", "FP4-W4A4", "NF4", "GGUF",
           "MLX")
W8A8 = ("FP8-W8A8", "INT8-W8A8")
MAX_SUGGESTED_GPUS = 8  # one node


@record
class Inputs:
    goal: str
    gpu: Accelerator
    gpus: int
    arch: Architecture
    context: int
    concurrency: int
    priority: str
    model_ref: str  # what a launch command loads: the Hugging Face repo, or a local path

    @property
    def platform(self) -> str:
        return platform_of(self.gpu)


def platform_of(acc: Accelerator) -> str:
    """nvidia, amd, apple or cpu: the kernels a chip can run follow its maker and kind."""
    if acc.kind == "cpu":
        return "cpu"
    return {"NVIDIA": "nvidia", "AMD": "amd", "Apple": "apple"}.get(acc.vendor, "other")


def compute_capability(acc: Accelerator) -> float | None:
    return float(acc.compute_capability) if acc.compute_capability else None


def _runs(kernel: kb.Kernel, acc: Accelerator) -> bool:
    if kernel.platform != platform_of(acc):
        return False
    if kernel.needs_rate and not acc.dense_flops_s.get(kernel.needs_rate):
        return False
    if kernel.platform != "nvidia":
        return True
    cc = compute_capability(acc)
    if cc is None:
        return False
    return (kernel.min_cc is None or cc >= kernel.min_cc) and (kernel.below_cc is None or cc < kernel.below_cc)


def resolve_kernel(kernels, goal: str, acc: Accelerator) -> kb.Kernel | None:
    """The first runtime of the goal's preference with a kernel that runs on this chip."""
    for runtime in kb.RUNTIME_PREFERENCE[goal]:
        for kernel in kernels:
            if kernel.runtime == runtime and _runs(kernel, acc):
                return kernel
    return None


def why_not_runs(kernels, goal: str, acc: Accelerator) -> str:
    runtimes = kb.RUNTIME_PREFERENCE[goal]
    mine = [k for k in kernels if k.runtime in runtimes and k.platform == platform_of(acc)]
    if platform_of(acc) == "nvidia" and mine:
        cc = compute_capability(acc)
        needed = min(k.min_cc for k in mine if k.min_cc is not None)
        runtime = kb.RUNTIME_LABELS[next(k.runtime for k in mine if k.min_cc == needed)]
        return (f"needs compute capability {needed:.1f} ({runtime}; {kb.short_source(mine[0].source)}); "
                f"{acc.name} has {cc:.1f}")
    if mine:
        return f"needs {mine[0].needs_rate.upper()} arithmetic, which {acc.name} does not have"
    names = ", ".join(kb.RUNTIME_LABELS[r] for r in runtimes)
    where = {"nvidia": "NVIDIA GPUs", "amd": "AMD GPUs", "apple": "Apple silicon", "cpu": "CPUs"}.get(
        platform_of(acc), acc.name)
    return f"no runtime the wizard launches for this goal ({names}) runs it on {where}"


def tensor_parallel_problem(arch: Architecture, group: int, num_gpus: int) -> str | None:
    """A group-quantized matrix split by its input dimension (attention output, MLP down projection) needs a
    whole number of groups on every GPU."""
    if num_gpus == 1 or not group:
        return None
    inputs = {"attention output projection": arch.attention_output_width}
    if arch.dense_layers:
        inputs["MLP down projection"] = arch.intermediate_size
    if arch.is_moe:
        inputs["expert down projection"] = arch.moe_intermediate_size
    for name, width in inputs.items():
        if width % num_gpus or (width // num_gpus) % group:
            return (f"{num_gpus} GPUs split the {name}'s {width:,} inputs into shards of {width / num_gpus:,.1f}, "
                    f"not a whole number of groups of {group}")
    return None


# -- the evidence summary ---------------------------------------------------------------------------------------

def _record_source(entry: dict) -> str:
    return f"gpu_runs/{entry['record']} result {entry['result']}"


def measured_speed(evidence: dict | None, labels, batch: int) -> dict | None:
    """The measured decode speed against bf16 nearest this batch, CUDA graphs preferred (serving engines
    capture graphs too); None when the records hold none."""
    if not evidence:
        return None
    items = []
    for label in labels:
        for device, entry in evidence.get("methods", {}).get(label, {}).get("devices", {}).items():
            if entry.get("measured_on") != "GPU":
                continue
            items += [(label, device, item) for item in entry.get("speed", []) if "speedup_vs_bf16" in item]
    if not items:
        return None
    label, device, item = min(items, key=lambda t: (abs(t[2]["batch"] - batch), t[2]["decoding"] != "CUDA graph"))
    return {"speedup_vs_bf16": item["speedup_vs_bf16"], "range": item.get("speedup_range"),
            "batch": item["batch"], "decoding": item["decoding"], "model": item["model"], "device": device,
            "method": label, "source": _record_source(item["source"])}


def measured_quality(evidence: dict | None, labels) -> dict | None:
    """The worst perplexity ratio and KL divergence against bf16 over the reference models."""
    if not evidence:
        return None
    items = []
    for label in labels:
        for entry in evidence.get("methods", {}).get(label, {}).get("devices", {}).values():
            items += [item for item in entry.get("quality", []) if "perplexity_ratio_vs_bf16" in item]
    if not items:
        return None
    worst = max(items, key=lambda item: item["perplexity_ratio_vs_bf16"])
    kls = [item["kl_divergence"] for item in items if "kl_divergence" in item]
    return {"worst_perplexity_ratio_vs_bf16": worst["perplexity_ratio_vs_bf16"], "model": worst["model"],
            "max_kl_divergence": max(kls) if kls else None, "models": len({item["model"] for item in items}),
            "source": _record_source(worst["source"]),
            "about": "reference models trained by this project, not the model asked about"}


# -- one candidate ----------------------------------------------------------------------------------------------

@record(frozen=False)
class Candidate:
    method: str
    label: str
    scheme: str
    format: str
    runtime: str
    fits: bool
    offload: bool
    min_compute_capability: str | None
    fine_tunable: bool
    calibration: bool
    quality_tier: int
    bits: float
    kv_format: str | None = None
    memory: dict = field(default_factory=dict)
    speed: dict | None = None
    reasons: list = field(default_factory=list)
    caveats: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    command: str = ""
    howto: str = ""
    runtimes: list = field(default_factory=list)
    favoured_by: list = field(default_factory=list)  # rule ids that put it ahead
    demoted_by: list = field(default_factory=list)

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        return data


def _gib(n: float) -> str:
    return f"{n / GIB:,.1f} GiB"


def decode_bound(inputs: Inputs, fmt, kv) -> dict:
    """The roofline's decode bound at this concurrency and context; a chip with no published compute rate
    (Apple, CPUs) gets the memory-time bound alone."""
    arch, n = inputs.arch, inputs.gpus
    try:
        result = roofline(arch, fmt, kv, inputs.gpu, inputs.concurrency, inputs.context, inputs.context, n)
        return {"tpot_s": result.tpot_s, "tokens_per_s": result.tokens_per_s, "bound": result.decode.bound,
                "compute_used": result.compute_used, "note": result.note, "source": "calculators.roofline"}
    except CalculatorError:
        weights = weight_bytes(arch, fmt)
        bytes_ = weight_bytes_read(arch, weights, inputs.concurrency) + \
            kv_cache_bytes(arch, kv, inputs.context, inputs.concurrency).total_bytes
        time_s = bytes_ / (inputs.gpu.bandwidth_bytes_s * n)
        return {"tpot_s": time_s, "tokens_per_s": inputs.concurrency / time_s, "bound": "memory",
                "compute_used": None, "note": f"{inputs.gpu.name} has no published compute rate: memory time only",
                "source": "calculators.roofline (memory term)"}


def _kv_choices(inputs: Inputs, scheme: str, runtime: str) -> list:
    """16-bit first; FP8 where vLLM has it on this chip (8.9+, or an AMD chip with FP8)."""
    base = "fp16" if scheme == "FP16" else "bf16"
    choices = [base]
    cc = compute_capability(inputs.gpu)
    fp8_ok = (cc is not None and cc >= 8.9) or (inputs.platform == "amd" and inputs.gpu.dense_flops_s.get("fp8"))
    if runtime == "vllm" and fp8_ok:
        choices.append("fp8-e4m3")
    return choices


def kv_room_tokens(inputs: Inputs, fmt, kv) -> int:
    """Tokens of KV cache that fit in what vLLM leaves after weights, activations and overhead (per GPU,
    times the GPUs the cache is split over)."""
    stack = memory_stack(inputs.arch, fmt, kv, inputs.context, inputs.concurrency, inputs.gpus)
    room = usable_bytes(inputs.gpu) - stack.weights - stack.activations - stack.overhead
    return max(0, room) * kv_shards(inputs.arch, inputs.gpus) // kv_bytes_per_token(inputs.arch, kv)


def _offload_layers(inputs: Inputs, fmt, kv) -> tuple[int, int]:
    """llama.cpp -ngl: the most layers whose weights and KV fit on the GPUs beside the output head, the
    activations and the overhead; and the bytes left in system memory (the other layers and the token
    embeddings, which llama.cpp keeps in host memory)."""
    arch = inputs.arch
    weights = weight_bytes(arch, fmt)
    layers = arch.num_layers
    embedding, head = weights.by_part.get("embedding", 0), weights.by_part.get("lm_head", 0)
    per_layer = (weights.total_bytes - embedding - head) / layers + \
        kv_cache_bytes(arch, kv, inputs.context, inputs.concurrency).total_bytes / layers
    stack = memory_stack(arch, fmt, kv, inputs.context, inputs.concurrency, inputs.gpus)
    room = inputs.gpus * (usable_bytes(inputs.gpu) - stack.activations - stack.overhead) - head
    on_gpu = max(0, min(layers, int(room // per_layer)))
    return on_gpu, int((layers - on_gpu) * per_layer + embedding)


def _name(inputs: Inputs) -> str:
    return inputs.model_ref.rstrip("/").split("/")[-1] or "model"


def launch_command(inputs: Inputs, method: kb.Method, kernel: kb.Kernel, kv: str, ngl: int | None,
                   kv_cache_bytes_per_gpu: int) -> str:
    name, n, c, b = _name(inputs), inputs.gpus, inputs.context, inputs.concurrency
    if kernel.runtime == "vllm":
        prequantized = {"awq": "-AWQ", "gptq": "-GPTQ", "int8-w8a8": "-W8A8-INT8", "int8-w8a16": "-W8A16-INT8",
                        "nvfp4": "-NVFP4"}
        model = f"./{name}{prequantized[method.id]}" if method.id in prequantized else inputs.model_ref
        flags = {"fp8-dynamic": " --quantization fp8", "nf4": " --quantization bitsandbytes"}.get(method.id, "")
        flags += " --dtype float16" if kernel.scheme == "FP16" else ""
        flags += " --kv-cache-dtype fp8" if kv.startswith("fp8") else ""
        if inputs.platform == "cpu":  # vLLM's CPU back end sizes its KV cache from this variable, in GiB
            return (f"VLLM_CPU_KVCACHE_SPACE={-(-kv_cache_bytes_per_gpu // GIB)} vllm serve {model}"
                    f" --max-model-len {c} --max-num-seqs {b}{flags}")
        return (f"vllm serve {model} --tensor-parallel-size {n} --max-model-len {c} --max-num-seqs {b} "
                f"--gpu-memory-utilization {DEFAULT_MEMORY_UTILIZATION:g}{flags}")
    if kernel.runtime == "tgi":
        return (f"text-generation-launcher --model-id {inputs.model_ref} --quantize bitsandbytes --num-shard {n} "
                f"--max-input-tokens {c - 1} --max-total-tokens {c} --max-concurrent-requests {b}")
    if kernel.runtime == "llama.cpp":
        quant = {"gguf-q8-0": "Q8_0", "gguf-q4-k-m": "Q4_K_M", "gguf-q2-k": "Q2_K"}.get(method.id, "F16")
        layers = 0 if inputs.platform == "cpu" else (inputs.arch.num_layers + 1 if ngl is None else ngl)
        # -c is the context of all -np slots together: each slot gets c / np tokens.
        return f"llama-server -m ./{name}-{quant}.gguf -ngl {layers} -c {c * b} -np {b}"
    if kernel.runtime == "mlx":
        model = inputs.model_ref if method.id == "bf16" else f"./{name}-mlx-4bit"
        return f"mlx_lm.server --model {model}"
    quant = {"nf4": "BitsAndBytesConfig(bnb_4bit_compute_dtype=torch.bfloat16, "
                    "load_in_4bit=True, bnb_4bit_use_double_quant=True, bnb_4bit_quant_type='nf4')",
             "llm-int8": "BitsAndBytesConfig(load_in_8bit=True)"}.get(method.id)
    model = {"awq": f"./{name}-AWQ", "gptq": f"./{name}-GPTQ"}.get(method.id, inputs.model_ref)
    args = f"'{model}', device_map='auto'" + (f", quantization_config={quant}" if quant else "")
    return f"AutoModelForCausalLM.from_pretrained({args})"


def evaluate_inference(inputs: Inputs, method: kb.Method, evidence: dict | None):
    """A Candidate, or the reason it is ruled out (a string)."""
    kernel = resolve_kernel(method.kernels, inputs.goal, inputs.gpu)
    if kernel is None:
        return why_not_runs(method.kernels, inputs.goal, inputs.gpu)
    fmt = weight_format(kernel.format or method.format)
    if kernel.runtime in ("vllm", "tgi"):
        problem = tensor_parallel_problem(inputs.arch, method.group_size, inputs.gpus)
        if problem:
            return f"{problem}; {kb.RUNTIME_LABELS[kernel.runtime]} refuses to load it ({kb.SOURCES['vllm-tp-groups']})"
    result, kv = None, None
    for choice in _kv_choices(inputs, kernel.scheme, kernel.runtime):
        kv = kv_format(choice)
        result = fit(inputs.arch, fmt, kv, inputs.gpu, inputs.gpus, inputs.context, inputs.concurrency)
        if result.fits:
            break
    offload, ngl, host_bytes = False, None, 0
    if not result.fits:
        if kernel.runtime == "llama.cpp" and inputs.goal == "local" and inputs.platform in ("nvidia", "amd"):
            kv = kv_format("bf16")
            ngl, host_bytes = _offload_layers(inputs, fmt, kv)
            offload = ngl >= 1
        if not offload:
            short = -result.free_bytes
            return (f"does not fit by {_gib(short)} {inputs.gpu.per_device or ''}".rstrip() +
                    f" (needs {_gib(result.per_gpu.total)} of {_gib(result.capacity_bytes)} usable, KV cache in "
                    f"{kv.label}, {inputs.concurrency} x {inputs.context:,} tokens)")
    cc = compute_capability(inputs.gpu)
    candidate = Candidate(
        method=method.id, label=method.label, scheme=kernel.scheme, format=fmt.id, runtime=kernel.runtime,
        fits=True, offload=offload, min_compute_capability=f"{kernel.min_cc:.1f}" if kernel.min_cc else None,
        fine_tunable=method.fine_tunable, calibration=method.calibration, quality_tier=method.quality_tier,
        bits=method.bits, kv_format=None if kv.id in ("bf16", "fp16") else kv.id, howto=method.howto,
        runtimes=sorted(kb.RUNTIME_LABELS[r] for r in method.loaders))
    stack = result.per_gpu
    candidate.memory = {"per_gpu_bytes": stack.total, "usable_bytes": result.capacity_bytes,
                        "free_bytes": result.free_bytes, "weights_bytes": stack.weights,
                        "kv_cache_bytes": stack.kv_cache, "max_context": result.max_context,
                        "max_batch": result.max_batch, "source": "calculators.fitting.fit"}
    where = f"{inputs.gpus} x {inputs.gpu.name}" if inputs.gpus > 1 else inputs.gpu.name
    if offload:
        candidate.memory.update({"gpu_layers": ngl, "layers": inputs.arch.num_layers, "host_bytes": host_bytes})
        candidate.reasons.append(
            f"does not fit on {where} alone; with {ngl} of {inputs.arch.num_layers} layers on the GPU (-ngl {ngl}) "
            f"the rest, {_gib(host_bytes)}, stays in system memory (CPU offload: decode then runs at the host's "
            f"memory speed, which the wizard does not know)")
    else:
        candidate.reasons.append(
            f"fits: {_gib(stack.total)} of {_gib(result.capacity_bytes)} usable {inputs.gpu.per_device or ''}"
            .rstrip() + f" on {where} (weights {_gib(stack.weights)}, KV cache {_gib(stack.kv_cache)} in "
            f"{kv.label}); up to {counted(result.max_batch, 'sequence')} of {counted(inputs.context, 'token')}")
        candidate.speed = decode_bound(inputs, fmt, kv)
        speed = candidate.speed
        candidate.reasons.append(
            f"decode bound: at most {rate(speed['tokens_per_s'], 0)} tokens/s over "
            f"{counted(inputs.concurrency, 'sequence')} ({speed['tpot_s'] * 1e3:,.2f} ms per token, "
            f"{speed['bound']}-bound)")
    if kv.id.startswith("fp8"):
        candidate.reasons.append("the KV cache in 16-bit does not fit; in FP8 it does (--kv-cache-dtype fp8)")
    runtime = kb.RUNTIME_LABELS[kernel.runtime]
    if kernel.status == kb.FALLBACK:
        candidate.caveats.append(f"{runtime}: {kernel.note} ({kb.SOURCES[kernel.source]})")
    elif kernel.note:
        candidate.reasons.append(f"{runtime}: {kernel.note}")
    if kernel.min_cc is not None:
        candidate.reasons.append(f"runs natively in {runtime} from compute capability {kernel.min_cc:.1f}; "
                                 f"{inputs.gpu.name} has {cc:.1f}" if kernel.status == kb.NATIVE else
                                 f"runs in {runtime} on compute capability {cc:.1f} as {kernel.scheme}")
    if method.calibration:
        candidate.caveats.append("needs calibration data (a few hundred samples) once, or a published checkpoint")
    candidate.evidence.append({"source": kb.SOURCES[kernel.source], "kind": "hardware support"})
    for claim in method.quality:
        candidate.evidence.append({"source": kb.SOURCES[claim.source], "kind": "published quality",
                                   "claim": claim.claim})
    speed_measured = measured_speed(evidence, method.measured_speed.get(kernel.scheme, ()), inputs.concurrency)
    if speed_measured:
        candidate.evidence.append({"kind": "measured speed", **speed_measured})
        candidate.reasons.append(
            f"measured {speed_measured['speedup_vs_bf16']:.2f}x the speed of bf16 at batch {speed_measured['batch']} "
            f"({speed_measured['decoding']}, {speed_measured['model']} shape on {speed_measured['device']}, torch "
            f"kernels of this project's bench, not {runtime}'s)")
        if speed_measured["speedup_vs_bf16"] < kb.SLOW_RATIO:
            candidate.demoted_by.append("measured-slow")
    quality_measured = measured_quality(evidence, method.measured_quality)
    if quality_measured:
        candidate.evidence.append({"kind": "measured quality", **quality_measured})
        candidate.reasons.append(
            f"measured quality: perplexity at most {quality_measured['worst_perplexity_ratio_vs_bf16']:.3f}x "
            f"bf16's on {quality_measured['models']} reference models trained by this project")
    if method.quality_tier >= 4:
        candidate.demoted_by.append("large-loss")
    candidate.command = launch_command(inputs, method, kernel, kv.id, ngl, stack.kv_cache)
    _answer_questions(inputs, method, kernel, candidate, fmt, kv, speed_measured)
    return candidate


def _answer_questions(inputs, method, kernel, candidate, fmt, kv, speed_measured):
    def ask(key, answer):
        question, sources = kb.QUESTIONS[key]
        candidate.questions.append({"id": key, "question": question, "answer": answer,
                                    "sources": [kb.SOURCES[s] for s in sources]})

    if kernel.scheme == "INT4-W4A16" and inputs.concurrency > kb.MARLIN_BATCH // 2 and candidate.speed:
        turn = compute_bound_batch(inputs.arch, fmt, kv, inputs.gpu, inputs.context) \
            if candidate.speed["compute_used"] else None  # no published compute rate: no compute roof
        ask("4bit-slower-at-concurrency",
            "Weight-only 4-bit saves bytes, not arithmetic: its matmuls run at the 16-bit rate after the weights "
            f"are unpacked. Here decode is "
            f"{candidate.speed['bound']}-bound at {counted(inputs.concurrency, 'sequence')}"
            + (f" and turns compute-bound at batch {turn:,}" if turn else "")
            + f"; Marlin-class kernels keep their edge only up to about {kb.MARLIN_BATCH // 2}-{kb.MARLIN_BATCH} "
            "tokens per step, and W8A8 uses the 8-bit tensor cores instead.")
    if kernel.runtime == "vllm" and inputs.platform != "cpu" and method.id != "bf16":
        bf16_tokens = kv_room_tokens(inputs, weight_format("bf16"), kv_format("bf16"))
        mine = kv_room_tokens(inputs, fmt, kv)
        bf16_room = f"{bf16_tokens:,} with BF16 weights" if bf16_tokens else "none with BF16 weights, which do not fit"
        ask("quantized-uses-same-memory",
            f"vLLM takes {DEFAULT_MEMORY_UTILIZATION:.0%} of each GPU whatever the weights weigh and fills the "
            f"rest with KV cache. With this method that room holds about {mine:,} tokens of KV cache, against "
            f"{bf16_room}: the saving shows up as more concurrent sequences, not as free memory.")
    if method.id == "fp8-dynamic" and kernel.status == kb.FALLBACK:
        ask("fp8-before-ada", "It loads, but as weight-only FP8 through Marlin: half the weight memory of BF16, "
                              "no FP8 arithmetic (that needs compute capability 8.9).")
    if method.id in ("nf4", "llm-int8") and inputs.goal == "serve":
        measured = (f" This project measured {speed_measured['speedup_vs_bf16']:.2f}x bf16's decode speed at "
                    f"batch {speed_measured['batch']} ({speed_measured['source']})." if speed_measured else "")
        ask("bitsandbytes-serving", "bitsandbytes quantizes on load and needs no calibration, but its kernels "
                                    "dequantize to 16-bit for batched inputs, so it trades speed for memory."
            + measured + " Prefer AWQ/GPTQ or FP8 for serving when they fit.")
    if kv.id.startswith("fp8"):
        before = kv_cache_bytes(inputs.arch, kv_format("bf16"), inputs.context, inputs.concurrency).total_bytes
        after = kv_cache_bytes(inputs.arch, kv, inputs.context, inputs.concurrency).total_bytes
        ask("fp8-kv-safe", f"It halves the cache ({_gib(before)} to {_gib(after)} for this workload). vLLM uses "
                           "scales of 1.0 unless the checkpoint carries calibrated ones; this project has not "
                           "measured its quality, so check your own task.")


def evaluate_finetune(inputs: Inputs, method_id: str, evidence):
    label, scheme, format_id, source = kb.FINETUNE[method_id]
    kernel = resolve_kernel(kb.FINETUNE_KERNELS[method_id], "finetune", inputs.gpu)
    if kernel is None:
        return why_not_runs(kb.FINETUNE_KERNELS[method_id], "finetune", inputs.gpu)
    memory = training_memory(inputs.arch, method_id, inputs.context, inputs.concurrency)
    need = memory.total + RUNTIME_OVERHEAD_BYTES
    capacity = usable_bytes(inputs.gpu, 1.0)
    if need > capacity:
        return (f"does not fit by {_gib(need - capacity)} {inputs.gpu.per_device or ''}".rstrip()
                + f" (training needs {_gib(need)} of {_gib(capacity)}; each GPU holds a whole copy)")
    fmt = kernel.format or format_id
    candidate = Candidate(
        method=method_id, label=label, scheme=kernel.scheme, format=fmt, runtime=kernel.runtime, fits=True,
        offload=False, min_compute_capability=f"{kernel.min_cc:.1f}" if kernel.min_cc else None, fine_tunable=True,
        calibration=False, quality_tier={"full": 0, "lora": 0, "qlora": 0}[method_id], bits=16.0)
    candidate.memory = {"per_gpu_bytes": need, "usable_bytes": capacity, "free_bytes": capacity - need,
                        "weights_bytes": memory.weights, "trainable_params": memory.trainable_params,
                        "source": "calculators.training.training_memory"}
    candidate.reasons.append(
        f"fits: {_gib(need)} of {_gib(capacity)} (weights {_gib(memory.weights)}, optimizer states "
        f"{_gib(memory.optimizer_states)}, activations {_gib(memory.activations)} with checkpointing); "
        f"{memory.trainable_params:,} trainable parameters")
    if inputs.gpus > 1:
        candidate.caveats.append("sized for data parallelism: every GPU holds the whole model (no FSDP/ZeRO "
                                 "sharding)")
    candidate.evidence.append({"source": kb.SOURCES[source], "kind": "method"})
    candidate.evidence.append({"source": kb.SOURCES[kernel.source], "kind": "hardware support"})
    name = _name(inputs)
    if kernel.runtime == "mlx":
        model = f"./{name}-mlx-4bit" if method_id == "qlora" else inputs.model_ref
        candidate.command = (f"mlx_lm.lora --model {model} --train --data ./data --batch-size {inputs.concurrency} "
                             f"--max-seq-length {inputs.context}")
    else:
        quant = (", quantization_config=BitsAndBytesConfig(bnb_4bit_compute_dtype=torch.bfloat16, "
                 "load_in_4bit=True, bnb_4bit_use_double_quant=True, bnb_4bit_quant_type='nf4')") \
            if method_id == "qlora" else ", torch_dtype=torch.bfloat16"
        adapters = "" if method_id == "full" else "; get_peft_model(model, LoraConfig(r=16, target_modules='all-linear'))"
        candidate.command = (f"model = AutoModelForCausalLM.from_pretrained('{inputs.model_ref}'{quant}){adapters}; "
                             f"model.gradient_checkpointing_enable()  # sequences of {inputs.context}, "
                             f"micro-batch {inputs.concurrency}")
    candidate.howto = {"full": "Trains every weight: the most memory, no adapter to merge.",
                       "lora": "Trains small adapters on a frozen 16-bit base.",
                       "qlora": "Trains adapters on a frozen NF4 base; merge them into the 16-bit model (or "
                                "quantize the merged model again) to serve it."}[method_id]
    candidate.runtimes = [kb.RUNTIME_LABELS[kernel.runtime]]
    return candidate


# -- ranking ------------------------------------------------------------------------------------------------------

# Runtimes that reserve a fixed KV cache per request slot or batch instead of paging it (rule static-kv).
STATIC_KV_RUNTIMES = ("llama.cpp", "ollama", "transformers")


def _apply_rules(inputs: Inputs, candidates: list) -> list:
    """Mark the candidates the serving rules favour; returns the rules that applied."""
    if inputs.goal == "finetune":
        return []
    applied = []
    if inputs.goal == "serve" and inputs.concurrency > 1 and inputs.platform in ("nvidia", "amd"):
        for c in candidates:
            if c.runtime in STATIC_KV_RUNTIMES:
                c.demoted_by.append("static-kv")
    # The study's 4-bit results are of weight-only INT4 (W4A16) checkpoints served by vLLM: not of NF4, GGUF's
    # k-quants under llama.cpp, nor FP4 weights and activations.
    four_bit = [c for c in candidates if c.scheme == "INT4-W4A16"]
    if inputs.priority == "latency":
        applied.append("sync-w4a16")
        for c in four_bit:
            c.favoured_by.append("sync-w4a16")
    elif inputs.priority == "throughput" and inputs.concurrency > 1 and inputs.platform in ("nvidia", "amd"):
        params = weight_bytes(inputs.arch, weight_format("bf16")).params
        high_end = inputs.gpu.kind == "datacenter-gpu" and \
            (inputs.gpu.dense_flops_s.get("bf16") or 0) >= kb.HIGH_END_BF16_FLOPS_S
        if high_end and params >= kb.MID_SIZE_PARAMS:
            applied.append("async-w8a8")
            for c in candidates:
                if c.scheme in W8A8 and "measured-slow" not in c.demoted_by:
                    c.favoured_by.append("async-w8a8")
        elif not high_end:
            applied.append("async-midtier")
            for c in four_bit:
                c.favoured_by.append("async-midtier")
    return applied


def _order(priority: str):
    def key(c: Candidate):
        tpot = c.speed["tpot_s"] if c.speed else inf
        gate = "large-loss" in c.demoted_by and priority != "memory"
        slow = "measured-slow" in c.demoted_by and priority in ("latency", "throughput")
        favoured = not c.favoured_by
        if priority == "quality":
            return (c.offload, c.quality_tier, tpot)
        if priority == "memory":
            return (c.offload, c.memory["per_gpu_bytes"], tpot)
        # Offloaded layers decode at the host's memory speed, which the wizard does not know (tpot is None):
        # the fewer bytes left in system memory, the faster, so those come first.
        host = c.memory.get("host_bytes", 0) if c.offload else 0
        static = "static-kv" in c.demoted_by
        return (c.offload, gate, slow, static, favoured, host, tpot)
    return key


# -- entry point --------------------------------------------------------------------------------------------------

def make_inputs(goal: str, gpu: Accelerator, gpus: int, arch: Architecture, context: int, concurrency: int,
                priority: str, model_ref: str) -> Inputs:
    one_of("goal", goal, GOALS)
    one_of("priority", priority, PRIORITIES)
    gpus = whole_number("gpus", gpus, 1, MAX_GPUS)
    if gpu.kind in ("cpu", "unified-memory") and gpus != 1:
        raise CalculatorError(f"{gpu.name} is one machine: the count must be 1", "gpus")
    check_tensor_parallel(arch, gpus)
    context = whole_number("context", context, 1, MAX_TOKENS)
    if arch.max_context and context > arch.max_context:
        raise CalculatorError(f"{arch.name} reads at most {arch.max_context:,} tokens; context {context:,} is "
                              "longer", "context")
    concurrency = whole_number("concurrency", concurrency, 1, MAX_BATCH)
    return Inputs(goal, gpu, gpus, arch, context, concurrency, priority, model_ref)


def recommend(inputs: Inputs, evidence: dict | None = None) -> dict:
    """{"recommendations": [...], "ruled_out": [...], "rules": [...], "alternatives": [...]}: the methods
    that run and fit, best first for the priority, and every other method with its reason."""
    candidates, ruled_out = [], []
    if inputs.goal == "finetune":
        for method_id in kb.FINETUNE:
            outcome = evaluate_finetune(inputs, method_id, evidence)
            (candidates.append(outcome) if isinstance(outcome, Candidate)
             else ruled_out.append({"method": method_id, "reason": outcome}))
        for method in kb.METHODS:
            if method.id in ("bf16", "nf4"):
                continue  # trained as lora/full and qlora above
            reason = (f"adapters can be trained on it ({kb.short_source(method.fine_tune_source)}), "
                      "but the training calculator sizes only 16-bit and NF4 bases") if method.fine_tunable \
                else "cannot be fine-tuned: no adapter training on this format in the runtimes the wizard knows"
            ruled_out.append({"method": method.id, "reason": reason})
    else:
        for method in kb.METHODS:
            outcome = evaluate_inference(inputs, method, evidence)
            (candidates.append(outcome) if isinstance(outcome, Candidate)
             else ruled_out.append({"method": method.id, "reason": outcome}))
    applied = _apply_rules(inputs, candidates)
    candidates.sort(key=_order(inputs.priority))
    rules = [{"id": rule_id, "statement": kb.RULES[rule_id].statement, "source": kb.SOURCES[kb.RULES[rule_id].source]}
             for rule_id in applied + sorted({r for c in candidates for r in c.demoted_by})]
    for c in candidates:
        for rule_id in c.favoured_by:
            c.reasons.append(f"ranked ahead: {kb.RULES[rule_id].statement} ({kb.short_source(kb.RULES[rule_id].source)})")
        for rule_id in c.demoted_by:
            c.caveats.append(f"ranked lower: {kb.RULES[rule_id].statement}")
    return {"inputs": {"goal": inputs.goal, "gpu": inputs.gpu.id, "gpus": inputs.gpus, "model": inputs.arch.name,
                       "context": inputs.context, "concurrency": inputs.concurrency, "priority": inputs.priority},
            "recommendations": [c.as_json() for c in candidates], "ruled_out": ruled_out, "rules": rules,
            "alternatives": [] if candidates else alternatives(inputs),
            "evidence_summary": "records in gpu_runs/ (python -m generator evidence)" if evidence else
                                "not available: published figures only"}


def alternatives(inputs: Inputs) -> list:
    """When nothing fits: what would, each computed with the same checks."""
    out = []
    runnable = []
    for method in kb.METHODS:
        kernel = resolve_kernel(method.kernels, "serve" if inputs.goal == "finetune" else inputs.goal, inputs.gpu)
        if kernel is not None:
            runnable.append((method, kernel))
    if inputs.goal == "finetune":
        memory = training_memory(inputs.arch, "qlora", inputs.context, inputs.concurrency)
        out.append({"change": "shorter sequences or a smaller micro-batch",
                    "detail": f"QLoRA needs {_gib(memory.total + RUNTIME_OVERHEAD_BYTES)} here; activations "
                              f"({_gib(memory.activations)}) and logits ({_gib(memory.logits)}) shrink with both"})
        return out
    # Best quality first, then the smaller; 2-bit methods only where nothing else would do.
    runnable.sort(key=lambda mk: (mk[0].quality_tier >= 4, mk[0].quality_tier, mk[0].bits))
    if not runnable:
        return [{"change": "other hardware", "detail": "no method in the knowledge base runs on this chip"}]

    def first_fit(test):
        for method, kernel in runnable:
            fmt = weight_format(kernel.format or method.format)
            for choice in _kv_choices(inputs, kernel.scheme, kernel.runtime):
                found = test(fmt, kv_format(choice))
                if found:
                    return method, choice, found
        return None

    if inputs.platform in ("nvidia", "amd"):
        for n in range(inputs.gpus + 1, MAX_SUGGESTED_GPUS + 1):
            try:
                check_tensor_parallel(inputs.arch, n)
            except CalculatorError:
                continue
            found = first_fit(lambda fmt, kv: fit(inputs.arch, fmt, kv, inputs.gpu, n, inputs.context,
                                                  inputs.concurrency).fits)
            if found:
                out.append({"change": "more GPUs", "detail": f"{found[0].label} fits on {n} x {inputs.gpu.name} "
                                                             f"(KV cache {found[1]})"})
                break
    # What fits on the user's own GPUs with less demand: the sequences served at once, or their length.
    smaller_demand = (("max_batch", "fewer concurrent sequences",
                       lambda label, value, kv: f"{label} fits {counted(value, 'sequence')} of "
                                                f"{counted(inputs.context, 'token')} (KV cache {kv})"),
                      ("max_context", "shorter context",
                       lambda label, value, kv: f"{label} fits {counted(inputs.concurrency, 'sequence')} of up "
                                                f"to {value:,} tokens (KV cache {kv})"))
    for attribute, change, detail in smaller_demand:
        found = first_fit(lambda fmt, kv: getattr(fit(inputs.arch, fmt, kv, inputs.gpu, inputs.gpus, inputs.context,
                                                      inputs.concurrency), attribute))
        if found:
            out.append({"change": change, "detail": detail(found[0].label, found[2], found[1])})
    if inputs.platform in ("nvidia", "amd"):
        ngl, host = _offload_layers(inputs, weight_format("gguf-q4-k-m"), kv_format("bf16"))
        if ngl:
            out.append({"change": "CPU offload (llama.cpp, slower: decode at host-memory speed)",
                        "detail": f"GGUF Q4_K_M with {ngl} of {inputs.arch.num_layers} layers on the GPU and "
                                  f"{_gib(host)} in system memory"})
    out.append({"change": "fewer bits", "detail": "every method of the knowledge base that runs here was tried, "
                                                  "down to 2-bit GGUF Q2_K: nothing smaller is known"})
    return out
