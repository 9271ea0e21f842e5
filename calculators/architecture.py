"""A decoder-only transformer described well enough to count every parameter.

`Architecture` holds the shape; `tensors()` lists every weight tensor it has,
grouped by the part of the model it belongs to. Parameter counts, weight bytes
in any format and FLOPs are all sums over that one list, so a new kind of layer
is added in one place.
"""

from functools import lru_cache
from math import prod

from .errors import CalculatorError
from .records import record

# The parts a weight can belong to; the order is the order of every breakdown.
PARTS = (
    "embedding",  # token (and learned position) embeddings
    "attention",  # q/k/v/o projections, their biases, q/k norms, MLA down/up projections
    "mlp",  # dense feed-forward layers
    "experts",  # routed MoE experts
    "shared_experts",  # MoE experts every token goes through
    "router",  # MoE gates (kept in 16-bit by every library covered here)
    "norms",  # layer norms / RMS norms
    "lm_head",  # output projection (absent when tied to the embedding)
)

NORM_KINDS = {
    "rmsnorm": 1,  # weight only
    "layernorm": 2,  # weight and bias
    "layernorm-nobias": 1,  # layer norm with a weight and no bias
    "nonparametric": 0,  # OLMo-1: layer norm without learned parameters
}

QK_NORM_KINDS = ("none", "per-head", "full")


@record
class TensorGroup:
    """`count` identical weight tensors of one `shape` in one `part`.

    Matrices are (out_features, in_features), as torch.nn.Linear stores them;
    vectors (biases, norm weights) have a one-element shape.
    """

    part: str
    name: str
    shape: tuple[int, ...]
    count: int

    @property
    def numel(self) -> int:
        return prod(self.shape) * self.count

    @property
    def is_matrix(self) -> bool:
        return len(self.shape) == 2


@record
class Architecture:
    """Shape of a decoder-only transformer.

    Sizes are counts of elements. `head_dim` is its own field because it is not
    always hidden_size / num_attention_heads (Gemma, Mistral-Nemo, Qwen3).
    `sliding_layers` has one flag per layer, True where attention only looks at
    the last `sliding_window` tokens; an empty tuple means no sliding layers.
    """

    name: str
    hidden_size: int
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int
    head_dim: int
    intermediate_size: int
    vocab_size: int
    mlp_gated: bool = True
    tie_word_embeddings: bool = False
    qkv_bias: bool = False
    o_bias: bool = False
    mlp_bias: bool = False
    norm_kind: str = "rmsnorm"
    norms_per_layer: int = 2
    qk_norm: str = "none"
    attention_sinks: bool = False  # gpt-oss: one learned logit per query head and layer
    final_norm: bool = True
    learned_position_embeddings: int = 0
    # Mixture of experts. A layer is MoE unless it is one of the first
    # `first_dense_layers`; dense layers use `intermediate_size`.
    num_experts: int = 0
    experts_per_token: int = 0
    moe_intermediate_size: int = 0
    shared_expert_intermediate_size: int = 0  # total width of all shared experts
    shared_expert_gate: bool = False  # Qwen2-MoE: a sigmoid gate on the shared expert
    router_bias: bool = False  # a bias per expert on the router (DeepSeek-V3's e_score_correction_bias, gpt-oss)
    first_dense_layers: int = 0
    # Multi-head latent attention (DeepSeek-V2/V3); kv_lora_rank 0 means plain attention.
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    sliding_window: int = 0
    sliding_layers: tuple[bool, ...] = ()
    # The longest context the model was made for (config.json's max_position_embeddings or its
    # equivalent); 0 when the config does not say.
    max_context: int = 0
    source: str = ""
    # The model_type of a multimodal config whose text model this is ("llava"); its other towers are not counted.
    text_model_of: str = ""
    # config.json's model_type ("" when built by hand); file formats that name tensors per model (GGUF) read it.
    model_type: str = ""

    def __post_init__(self):
        for name in ("hidden_size", "num_layers", "num_attention_heads", "num_kv_heads", "head_dim",
                     "intermediate_size", "vocab_size"):
            _require_positive_int(self, name)
        for name in ("norms_per_layer", "learned_position_embeddings", "num_experts", "experts_per_token",
                     "moe_intermediate_size", "shared_expert_intermediate_size", "first_dense_layers",
                     "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim",
                     "sliding_window", "max_context"):
            _require_non_negative_int(self, name)
        if self.num_attention_heads % self.num_kv_heads:
            raise CalculatorError(
                f"num_attention_heads ({self.num_attention_heads}) must be a multiple of "
                f"num_kv_heads ({self.num_kv_heads})", "num_kv_heads")
        if self.norm_kind not in NORM_KINDS:
            raise CalculatorError(f"norm_kind must be one of {sorted(NORM_KINDS)}, not {self.norm_kind!r}",
                                  "norm_kind")
        if self.qk_norm not in QK_NORM_KINDS:
            raise CalculatorError(f"qk_norm must be one of {QK_NORM_KINDS}, not {self.qk_norm!r}", "qk_norm")
        if self.num_experts:
            if not 1 <= self.experts_per_token <= self.num_experts:
                raise CalculatorError(
                    f"experts_per_token must be between 1 and num_experts ({self.num_experts}), "
                    f"not {self.experts_per_token}", "experts_per_token")
            if self.moe_intermediate_size < 1:
                raise CalculatorError("an MoE model needs moe_intermediate_size >= 1", "moe_intermediate_size")
            if self.first_dense_layers > self.num_layers:
                raise CalculatorError("first_dense_layers exceeds num_layers", "first_dense_layers")
        elif self.experts_per_token or self.shared_expert_intermediate_size or self.first_dense_layers:
            raise CalculatorError("expert settings given but num_experts is 0", "num_experts")
        if self.kv_lora_rank and not (self.qk_rope_head_dim and self.qk_nope_head_dim and self.v_head_dim):
            raise CalculatorError("MLA (kv_lora_rank > 0) needs qk_nope_head_dim, qk_rope_head_dim and v_head_dim",
                                  "qk_rope_head_dim")
        if self.sliding_layers:
            if len(self.sliding_layers) != self.num_layers:
                raise CalculatorError(
                    f"sliding_layers has {len(self.sliding_layers)} entries for {self.num_layers} layers",
                    "sliding_layers")
            if any(self.sliding_layers) and not self.sliding_window:
                raise CalculatorError("sliding layers given without a sliding_window size", "sliding_window")

    # -- derived shape -------------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.num_experts > 0

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def moe_layers(self) -> int:
        return self.num_layers - self.first_dense_layers if self.is_moe else 0

    @property
    def dense_layers(self) -> int:
        return self.num_layers - self.moe_layers

    def layer_is_sliding(self, layer: int) -> bool:
        return bool(self.sliding_layers) and self.sliding_layers[layer]

    @property
    def num_sliding_layers(self) -> int:
        return sum(self.sliding_layers)

    @property
    def query_width(self) -> int:
        """Elements of one token's queries (all heads)."""
        per_head = self.qk_nope_head_dim + self.qk_rope_head_dim if self.is_mla else self.head_dim
        return self.num_attention_heads * per_head

    @property
    def attention_output_width(self) -> int:
        """Elements of one token's attention output before o_proj."""
        per_head = self.v_head_dim if self.is_mla else self.head_dim
        return self.num_attention_heads * per_head

    # -- the tensor list -----------------------------------------------------
    def tensors(self) -> tuple[TensorGroup, ...]:
        """Every weight tensor of the model, grouped; the single source of counts."""
        return _tensors(self)

    def _tensor_list(self) -> tuple[TensorGroup, ...]:
        groups = []
        add = lambda part, name, shape, count: count and groups.append(TensorGroup(part, name, shape, count))
        h, n_layers = self.hidden_size, self.num_layers

        add("embedding", "embed_tokens", (self.vocab_size, h), 1)
        add("embedding", "embed_positions", (self.learned_position_embeddings, h),
            1 if self.learned_position_embeddings else 0)
        groups.extend(self._attention_tensors())
        groups.extend(self._feed_forward_tensors())

        norm_vectors = NORM_KINDS[self.norm_kind]
        add("norms", "layer_norms", (h,), n_layers * self.norms_per_layer * norm_vectors)
        add("norms", "final_norm", (h,), norm_vectors if self.final_norm else 0)
        if not self.tie_word_embeddings:
            add("lm_head", "lm_head", (self.vocab_size, h), 1)
        return tuple(groups)

    def _attention_tensors(self) -> list[TensorGroup]:
        h, n = self.hidden_size, self.num_layers
        out = []
        add = lambda name, shape, count=n: count and out.append(TensorGroup("attention", name, shape, count))
        if self.is_mla:
            q_width = self.query_width
            if self.q_lora_rank:
                add("q_a_proj", (self.q_lora_rank, h))
                add("q_a_layernorm", (self.q_lora_rank,))
                add("q_b_proj", (q_width, self.q_lora_rank))
            else:
                add("q_proj", (q_width, h))
            add("kv_a_proj_with_mqa", (self.kv_lora_rank + self.qk_rope_head_dim, h))
            add("kv_a_layernorm", (self.kv_lora_rank,))
            if self.qkv_bias:  # attention_bias: on the two down-projections (and on o_proj, below)
                if self.q_lora_rank:
                    add("q_a_bias", (self.q_lora_rank,))
                add("kv_a_bias", (self.kv_lora_rank + self.qk_rope_head_dim,))
            add("kv_b_proj", (self.num_attention_heads * (self.qk_nope_head_dim + self.v_head_dim),
                              self.kv_lora_rank))
            add("o_proj", (h, self.attention_output_width))
        else:
            kv_width = self.num_kv_heads * self.head_dim
            add("q_proj", (self.query_width, h))
            add("k_proj", (kv_width, h))
            add("v_proj", (kv_width, h))
            add("o_proj", (h, self.attention_output_width))
            if self.qkv_bias:
                add("q_bias", (self.query_width,))
                add("kv_bias", (kv_width,), 2 * n)  # k and v biases
        if self.o_bias:
            add("o_bias", (h,))
        if self.attention_sinks:
            add("sinks", (self.num_attention_heads,))
        if self.qk_norm == "per-head":  # one head_dim vector shared by all heads, for q and for k
            add("qk_norm", (self.head_dim,), 2 * n)
        elif self.qk_norm == "full":  # OLMo-2 normalises the whole projected q and k
            add("q_norm", (self.query_width,))
            add("k_norm", (self.num_kv_heads * self.head_dim,))
        return out

    def _feed_forward_tensors(self) -> list[TensorGroup]:
        h = self.hidden_size
        out = []

        def mlp(part, prefix, width, count):
            if not count or not width:
                return
            names = ("gate_proj", "up_proj", "down_proj") if self.mlp_gated else ("up_proj", "down_proj")
            for name in names:
                shape = (h, width) if name == "down_proj" else (width, h)
                out.append(TensorGroup(part, prefix + name, shape, count))
            if self.mlp_bias:
                out.append(TensorGroup(part, prefix + "up_bias", (width,), count * (len(names) - 1)))
                out.append(TensorGroup(part, prefix + "down_bias", (h,), count))

        mlp("mlp", "", self.intermediate_size, self.dense_layers)
        if self.is_moe:
            moe = self.moe_layers
            mlp("experts", "experts.", self.moe_intermediate_size, moe * self.num_experts)
            mlp("shared_experts", "shared_expert.", self.shared_expert_intermediate_size, moe)
            out.append(TensorGroup("router", "gate", (self.num_experts, h), moe))
            if self.router_bias:
                out.append(TensorGroup("router", "e_score_correction_bias", (self.num_experts,), moe))
            if self.shared_expert_gate:
                out.append(TensorGroup("router", "shared_expert_gate", (1, h), moe))
        return out


@lru_cache(maxsize=128)
def _tensors(arch: Architecture) -> tuple[TensorGroup, ...]:
    """Architecture.tensors, once per architecture: every weight, parameter and FLOP count sums over it."""
    return arch._tensor_list()


@record
class ParameterCount:
    """Parameters by part, the total, and those one token passes through (MoE)."""

    by_part: dict
    total: int
    active: int


def count_parameters(arch: Architecture) -> ParameterCount:
    """total = sum of numel over `arch.tensors()`;
    active = total - routed experts * (1 - experts_per_token / num_experts).
    """
    by_part = {part: 0 for part in PARTS}
    for group in arch.tensors():
        by_part[group.part] += group.numel
    total = sum(by_part.values())
    active = total
    if arch.is_moe:
        inactive = by_part["experts"] * (arch.num_experts - arch.experts_per_token) // arch.num_experts
        active -= inactive
    return ParameterCount(by_part=by_part, total=total, active=active)


def _require_positive_int(arch, name):
    value = getattr(arch, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CalculatorError(f"{name} must be a whole number >= 1, not {value!r}", name)


def _require_non_negative_int(arch, name):
    value = getattr(arch, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CalculatorError(f"{name} must be a whole number >= 0, not {value!r}", name)
