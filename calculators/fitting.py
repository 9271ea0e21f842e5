"""Will it fit: weights + KV cache + activations + runtime overhead per GPU.

Activation and overhead figures are estimates (said so wherever they are
shown); weights and KV cache are exact for the formats' layouts.
"""

from .architecture import Architecture
from .errors import CalculatorError
from .formats import KVFormat, WeightFormat
from .hardware import GIB, Accelerator
from .kv_cache import MAX_BLOCK_SIZE, kv_cache_bytes, kv_total_bytes, per_head_layout
from .records import record
from .validate import MAX_BATCH, MAX_GPUS, MAX_TOKENS, whole_number
from .weights import weight_bytes

# CUDA context, cuBLAS/cuDNN workspaces and allocator slack, per GPU. An
# uncalibrated round figure for now: a CUDA context alone takes about 0.3-0.6 GiB
# on recent cards; the bench issue measures the real value and replaces this.
RUNTIME_OVERHEAD_BYTES = 1 * GIB

LOGITS_BYTES = 4  # transformers upcasts logits to fp32

# Transient buffers of quantized kernels that the activation estimate does not hold. Each constant is
# fitted to this project's GPU records (gpu_runs/20261130T185057Z-gpu-decode.json,
# gpu_runs/20261130T185057Z-gpu-decode-batched.json, gpu_runs/20261130T185800Z-gpu-decode-batched.json and
# the 20261130T210910Z-* and 20261130T230810Z-* records beside them: the Llama-3.1-8B shape on an NVIDIA
# H200, torch 2.11, bitsandbytes 0.50.2): the value, on a grid of 0.1,
# that makes the worst error of the predicted peak (weights + KV + max(activations, workspace)) smallest
# over the measured peaks of its kind. The Results section's "Calculators against measurements" page
# recomputes the fit from the records, and a test keeps these equal to it.
# bitsandbytes 4-bit multiplies a multi-token input through a 16-bit copy of the weight (matmul_4bit
# dequantizes it unless the input is one token): copies of the largest quantized matrix in 16-bit.
BNB_4BIT_DEQUANT_COPIES = 2.2
# LLM.int8() (int8 matmul with fp16 outlier decomposition): copies of the largest matrix in 16-bit.
LLM_INT8_COPIES = 5.2
# W8A8 (activations quantized on the fly): bytes per token in flight per element of the widest layer.
W8A8_BYTES_PER_TOKEN_ELEMENT = {"int8": 16.1, "fp8": 12.1}

# The share of each GPU's memory a serving engine lets itself use: vLLM's --gpu-memory-utilization, whose
# default is 0.9 (vllm/engine/arg_utils.py, EngineArgs.gpu_memory_utilization; documented at
# https://docs.vllm.ai/en/stable/configuration/engine_args.html). vLLM fills that share with weights,
# activations and then KV cache, so a model "fits" only within it. 1.0 is the whole card.
DEFAULT_MEMORY_UTILIZATION = 0.9

# Prompt tokens processed in one forward pass when serving. Our default
# assumption (servers prefill long or many prompts in chunks); 0 means every
# prompt of the batch at once.
DEFAULT_PREFILL_CHUNK = 8192


@record
class ActivationBytes:
    """Peak working memory of one forward step (estimate).

    working set per token = (4 * hidden + (q + k + v widths + mlp_width * m) / tp) * act_bytes,
    m = 3 for a gated MLP (gate, up, product) else 2; mlp_width for MoE is the
    width a token goes through (experts_per_token * expert width + shared).
    prefill = working set * tokens in flight (all prompt tokens, or one chunk);
    decode = working set * batch; logits = rows * vocab * 4 bytes.
    """

    prefill_bytes: int
    decode_bytes: int
    prefill_tokens_in_flight: int
    logits_bytes: int

    @property
    def peak_bytes(self) -> int:
        return max(self.prefill_bytes, self.decode_bytes) + self.logits_bytes


def mlp_width_per_token(arch: Architecture) -> int:
    dense = arch.intermediate_size if arch.dense_layers else 0
    moe = arch.experts_per_token * arch.moe_intermediate_size + arch.shared_expert_intermediate_size
    return max(dense, moe if arch.is_moe else 0)


def activation_bytes_per_token(arch: Architecture, tensor_parallel: int = 1, act_bytes: int = 2) -> int:
    """The working set of one token in flight on one GPU (ActivationBytes' formula)."""
    kv_width = (arch.kv_lora_rank + arch.qk_rope_head_dim) if arch.is_mla else arch.num_kv_heads * arch.head_dim
    sharded = arch.query_width + 2 * kv_width + mlp_width_per_token(arch) * (3 if arch.mlp_gated else 2)
    return (4 * arch.hidden_size + -(-sharded // tensor_parallel)) * act_bytes


def tokens_in_flight(prompt_tokens: int, batch: int, prefill_chunk: int) -> int:
    """Prompt tokens one prefill step holds: every prompt of the batch, or one chunk of them."""
    in_flight = batch * prompt_tokens
    return min(in_flight, prefill_chunk) if prefill_chunk else in_flight


def activation_bytes(arch: Architecture, prompt_tokens: int, batch: int = 1, prefill_chunk: int = 0,
                     tensor_parallel: int = 1, act_bytes: int = 2) -> ActivationBytes:
    per_token = activation_bytes_per_token(arch, tensor_parallel, act_bytes)
    in_flight = tokens_in_flight(prompt_tokens, batch, prefill_chunk)
    # generate() keeps only the last position's logits (logits_to_keep=1), one row per sequence.
    logits = batch * arch.vocab_size * LOGITS_BYTES
    return ActivationBytes(prefill_bytes=per_token * in_flight, decode_bytes=per_token * batch,
                           prefill_tokens_in_flight=in_flight, logits_bytes=logits)


def workspace_kind(weight_fmt: WeightFormat) -> str | None:
    """Which fitted workspace a format's kernels need: "bnb-4bit", "llm-int8", "w8a8-int8", "w8a8-fp8"
    or None (weight-only kernels that read the stored weight directly, and 16-bit)."""
    if weight_fmt.family == "bitsandbytes":
        return "llm-int8" if weight_fmt.compute == "int8" else "bnb-4bit"
    if weight_fmt.compute in W8A8_BYTES_PER_TOKEN_ELEMENT:
        return f"w8a8-{weight_fmt.compute}"
    return None


def largest_matrix_elements(arch: Architecture) -> int:
    """Elements of the largest per-layer weight matrix (attention projection or MLP / expert matrix)."""
    expert = arch.moe_intermediate_size if arch.is_moe else 0
    width = max(arch.query_width, arch.num_kv_heads * arch.head_dim, arch.intermediate_size if arch.dense_layers
                else 0, expert, arch.shared_expert_intermediate_size)
    return arch.hidden_size * width


def workspace_unit(arch: Architecture, kind: str, tokens_in_flight: int) -> int:
    """The quantity a workspace constant multiplies: bytes of the largest matrix in 16-bit for the
    bitsandbytes kinds, tokens in flight x elements of the widest layer for W8A8."""
    if kind in ("bnb-4bit", "llm-int8"):
        return 2 * largest_matrix_elements(arch)
    return tokens_in_flight * max(arch.hidden_size, mlp_width_per_token(arch))


def kernel_workspace_bytes(arch: Architecture, weight_fmt: WeightFormat, tokens_in_flight: int,
                           tensor_parallel: int = 1) -> int:
    """Transient bytes the format's kernels allocate during a forward step of `tokens_in_flight` tokens,
    beyond the activations (constants above, fitted to measurements). 0 for formats without one, and for
    bitsandbytes 4-bit at one token (its gemv reads the packed weight)."""
    return kernel_workspace_function(arch, weight_fmt, tensor_parallel)(tokens_in_flight)


def kernel_workspace_function(arch: Architecture, weight_fmt: WeightFormat, tensor_parallel: int = 1):
    """kernel_workspace_bytes as a function of the tokens in flight, the format's constants looked up once."""
    kind = workspace_kind(weight_fmt)
    if kind is None:
        return lambda tokens_in_flight: 0
    factor = {"bnb-4bit": BNB_4BIT_DEQUANT_COPIES, "llm-int8": LLM_INT8_COPIES}.get(kind) or \
        W8A8_BYTES_PER_TOKEN_ELEMENT[weight_fmt.compute]
    if kind in ("bnb-4bit", "llm-int8"):  # a copy of the largest matrix, whatever the tokens (but one, in 4-bit)
        copies = int(factor * workspace_unit(arch, kind, 0)) // tensor_parallel
        if kind == "bnb-4bit":
            return lambda tokens_in_flight: copies if tokens_in_flight > 1 else 0
        return lambda tokens_in_flight: copies
    width = workspace_unit(arch, kind, 1)  # the elements of the widest layer, per token in flight
    return lambda tokens_in_flight: int(factor * (tokens_in_flight * width)) // tensor_parallel


@record
class MemoryStack:
    """Bytes on one GPU."""

    weights: int
    kv_cache: int
    activations: int
    overhead: int

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.activations + self.overhead


@record
class FitResult:
    fits: bool
    num_gpus: int
    capacity_bytes: int  # per GPU
    per_gpu: MemoryStack
    free_bytes: int  # per GPU; negative when it does not fit
    kv_shards: int  # GPUs the KV cache is split over (the rest hold copies)
    max_context: int  # largest context that fits at this batch (0: none)
    max_batch: int  # largest batch that fits at this context (0: none)
    context_capped: bool  # max_context reached a limit (the model's own, or the search's), not memory
    batch_capped: bool
    model_context: int = 0  # the model's own context limit (0: unknown); max_context never exceeds it
    card_bytes: int = 0  # per GPU, what a program can allocate; capacity_bytes is the share the engine may use
    memory_utilization: float = 1.0


def check_tensor_parallel(arch: Architecture, num_gpus: int) -> int:
    num_gpus = whole_number("num_gpus", num_gpus, 1, MAX_GPUS)
    if arch.num_attention_heads % num_gpus:
        raise CalculatorError(
            f"{num_gpus} GPUs cannot split {arch.num_attention_heads} attention heads evenly (tensor parallelism "
            f"needs a divisor of the head count)", "num_gpus")
    if not arch.is_mla and arch.num_kv_heads % num_gpus and num_gpus % arch.num_kv_heads:
        raise CalculatorError(
            f"{num_gpus} GPUs and {arch.num_kv_heads} KV heads: one must divide the other", "num_gpus")
    return num_gpus


def memory_stack(arch: Architecture, weight_fmt: WeightFormat, kv_fmt: KVFormat, context: int, batch: int,
                 num_gpus: int = 1, block_size: int = 0,
                 prefill_chunk: int = DEFAULT_PREFILL_CHUNK) -> MemoryStack:
    """Per GPU with tensor parallelism over num_gpus:
    weights / n; KV / min(n, kv_heads) (heads are copied when n > kv_heads; an MLA
    latent is copied on every GPU); activations with sharded widths; overhead.
    """
    kv = kv_cache_bytes(arch, kv_fmt, context, batch, block_size)  # checks context, batch and block_size
    weights = weight_bytes(arch, weight_fmt).total_bytes
    parts = stack_parts(arch, weights, weight_fmt, lambda c, b: kv.total_bytes, num_gpus, prefill_chunk)
    return MemoryStack(*parts(kv.context, kv.batch))


def stack_parts(arch, weights_total, weight_fmt, kv_total, num_gpus, prefill_chunk):
    """One GPU's (weights, kv_cache, activations, overhead), MemoryStack's fields, as a function of (context,
    batch), given kv_total(context, batch), the whole KV cache's bytes (kv_total_bytes). What depends on neither
    is worked out once and no record is made: fit's searches try many contexts and batches.

    activations = the larger of the activation estimate (activation_bytes' peak_bytes) and the kernels'
    workspace: the workspace constants were fitted as peak - weights - KV, so they already hold the
    activations beside them."""
    weights = -(-weights_total // num_gpus)
    shards = kv_shards(arch, num_gpus)
    per_token = activation_bytes_per_token(arch, num_gpus)
    logits_per_sequence = arch.vocab_size * LOGITS_BYTES
    workspace = kernel_workspace_function(arch, weight_fmt, num_gpus)

    def parts(context: int, batch: int) -> tuple:
        in_flight = tokens_in_flight(context, batch, prefill_chunk)
        estimate = per_token * max(in_flight, batch) + batch * logits_per_sequence  # prefill or decode, + logits
        return (weights, -(-kv_total(context, batch) // shards), max(estimate, workspace(in_flight)),
                RUNTIME_OVERHEAD_BYTES)
    return parts


def kv_shards(arch: Architecture, num_gpus: int) -> int:
    """GPUs the KV cache splits over: an MLA latent is copied on every GPU; heads (MiniCPM3's too, which vLLM
    caches per head) are split between them."""
    return 1 if arch.is_mla and not per_head_layout(arch) else min(num_gpus, arch.num_kv_heads)


def _largest(cost, capacity: int, limit: int) -> int:
    """Largest n in [1, limit] with cost(n) <= capacity, for a cost that never falls as n grows; 0 if none.

    Memory is close to linear in context and batch (linear pieces, bent by sliding windows and paging), so the
    point where the line through the two ends of the interval meets the capacity is a far better next guess
    than its middle: a straight piece is found in three or four steps where halving takes twenty. A guess that
    leaves more than half the interval is followed by a halving step, so no search takes more than twice the
    steps of bisection. The answer is bisection's: the largest fitting n is one number, however it is found.
    """
    low_cost = cost(1)
    if low_cost > capacity:
        return 0
    high_cost = cost(limit)
    if high_cost <= capacity:
        return limit
    low, high = 1, limit  # cost(low) <= capacity < cost(high)
    halve = False
    while high - low > 1:
        width = high - low
        if halve or high_cost == low_cost:
            guess = low + width // 2
        else:
            guess = low + (capacity - low_cost) * width // (high_cost - low_cost)
            guess = min(max(guess, low + 1), high - 1)
        value = cost(guess)
        if value <= capacity:
            low, low_cost = guess, value
        else:
            high, high_cost = guess, value
        halve = not halve and high - low > width // 2
    return low


def usable_bytes(gpu: Accelerator, memory_utilization: float = DEFAULT_MEMORY_UTILIZATION) -> int:
    """The memory of one GPU the engine lets the model use: its share of what a program can allocate there."""
    if isinstance(memory_utilization, bool) or not isinstance(memory_utilization, (int, float)) or \
            not 0.05 <= memory_utilization <= 1.0:  # also false for NaN
        raise CalculatorError("the share of GPU memory the engine may use must be between 0.05 and 1",
                              "memory_utilization")
    return int(gpu.allocatable_bytes * memory_utilization)


def fit(arch: Architecture, weight_fmt: WeightFormat, kv_fmt: KVFormat, gpu: Accelerator, num_gpus: int = 1,
        context: int = 4096, batch: int = 1, block_size: int = 0,
        prefill_chunk: int = DEFAULT_PREFILL_CHUNK,
        memory_utilization: float = DEFAULT_MEMORY_UTILIZATION) -> FitResult:
    """fits = per-GPU total <= memory_utilization x GPU memory; max_context and max_batch by search (_largest)
    (memory never falls as context or batch grow)."""
    num_gpus = check_tensor_parallel(arch, num_gpus)
    context = whole_number("context", context, 1, MAX_TOKENS)
    batch = whole_number("batch", batch, 1, MAX_BATCH)
    prefill_chunk = whole_number("prefill_chunk", prefill_chunk, 0, MAX_TOKENS)
    capacity = usable_bytes(gpu, memory_utilization)

    block_size = whole_number("block_size", block_size, 0, MAX_BLOCK_SIZE)
    # The searches try many contexts and batches: the weights and the KV cache's layout are worked out once.
    weights = weight_bytes(arch, weight_fmt).total_bytes
    kv_total = kv_total_bytes(arch, kv_fmt, block_size)

    parts = stack_parts(arch, weights, weight_fmt, kv_total, num_gpus, prefill_chunk)

    def total(c, b):
        return sum(parts(c, b))

    stack = MemoryStack(*parts(context, batch))
    # The largest context is looked for only up to the model's own limit, where the config states one.
    context_limit = min(arch.max_context, MAX_TOKENS) if arch.max_context else MAX_TOKENS
    max_context = _largest(lambda c: total(c, batch), capacity, context_limit)
    max_batch = _largest(lambda b: total(context, b), capacity, MAX_BATCH)
    return FitResult(fits=stack.total <= capacity, num_gpus=num_gpus, capacity_bytes=capacity, per_gpu=stack,
                     free_bytes=capacity - stack.total, kv_shards=kv_shards(arch, num_gpus),
                     max_context=max_context, max_batch=max_batch, context_capped=max_context == context_limit,
                     batch_capped=max_batch == MAX_BATCH, model_context=arch.max_context,
                     card_bytes=gpu.allocatable_bytes, memory_utilization=float(memory_utilization))
