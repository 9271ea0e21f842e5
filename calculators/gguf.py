"""llama.cpp GGUF files: the ggml type llama-quantize gives each tensor, and the file's bytes.

A GGUF "file type" such as Q4_K_M is not one storage format: llama-quantize
starts from the file type's default ggml type and then picks a type per tensor
(the output tensor, a tied token embedding, attn_v and ffn_down in some layers,
mixture-of-experts and Falcon exceptions, and fallbacks when a row is not a
whole number of blocks). This module follows those rules as written in
ggml-org/llama.cpp src/llama-quant.cpp @ 8784689fee07c6daabf3487d24e1535534ef6e6b
(llama_tensor_get_type and the default type of llama_model_quantize_impl). A later
revision (@ 007dbbf3fd17eefe9b47fee45f48f7ba5e62b714) sends fused attn_qkv tensors
through the attn_v rules instead of their own; published Phi-3 files follow the
older rule, so this module does too. Files made by the llama.cpp of late
2023 can differ where Q2_K meets rows that are not whole 256-weight blocks: Q2_K
then also moved ffn_up and ffn_gate to Q3_K, and such rows fell back to Q4_0 or
Q4_1 rather than IQ4_NL (tests/test_gguf.py reproduces a Falcon-7B Q2_K file of
that time). The module sums the bytes of every tensor, each padded to the file's
32-byte alignment, plus the header and key-value metadata (ggml/src/gguf.cpp).

Block sizes are the structs of ggml/src/ggml-common.h (same repository).
"""

from math import ceil

from .errors import CalculatorError
from .records import record

SOURCE_COMMIT = "8784689fee07c6daabf3487d24e1535534ef6e6b"
QUANT_SOURCE = f"ggml-org/llama.cpp src/llama-quant.cpp @ {SOURCE_COMMIT}"
ALIGNMENT = 32  # GGUF_DEFAULT_ALIGNMENT: every tensor's data starts on a 32-byte boundary


@record
class GgmlType:
    """A ggml tensor type: `weights` values in `block_bytes` bytes; `bits` of each weight are its code."""

    name: str
    weights: int
    block_bytes: int
    bits: int

    def row_bytes(self, row: int) -> int:
        return row // self.weights * self.block_bytes


# ggml-common.h block structs; F32/F16/BF16 are one value per "block".
GGML_TYPES = {t.name: t for t in (
    GgmlType("F32", 1, 4, 32), GgmlType("F16", 1, 2, 16), GgmlType("BF16", 1, 2, 16),
    GgmlType("Q4_0", 32, 18, 4), GgmlType("Q4_1", 32, 20, 4), GgmlType("Q5_0", 32, 22, 5),
    GgmlType("Q5_1", 32, 24, 5), GgmlType("Q8_0", 32, 34, 8),
    GgmlType("Q2_K", 256, 84, 2), GgmlType("Q3_K", 256, 110, 3), GgmlType("Q4_K", 256, 144, 4),
    GgmlType("Q5_K", 256, 176, 5), GgmlType("Q6_K", 256, 210, 6),
    GgmlType("IQ1_S", 256, 50, 1), GgmlType("IQ1_M", 256, 56, 1), GgmlType("IQ2_XXS", 256, 66, 2),
    GgmlType("IQ2_XS", 256, 74, 2), GgmlType("IQ2_S", 256, 82, 2), GgmlType("IQ3_XXS", 256, 98, 3),
    GgmlType("IQ3_S", 256, 110, 3), GgmlType("IQ4_NL", 32, 18, 4), GgmlType("IQ4_XS", 256, 136, 4),
)}

# convert_incompatible_tensor: the type used when a row is not a whole number of the target's
# blocks (F16 when the fallback does not fit either).
FALLBACK = {"IQ1_S": "IQ4_NL", "IQ1_M": "IQ4_NL", "IQ2_XXS": "IQ4_NL", "IQ2_XS": "IQ4_NL", "IQ2_S": "IQ4_NL",
            "IQ3_XXS": "IQ4_NL", "IQ3_S": "IQ4_NL", "IQ4_XS": "IQ4_NL", "Q2_K": "IQ4_NL", "Q3_K": "IQ4_NL",
            "Q4_K": "Q5_0", "Q5_K": "Q5_1", "Q6_K": "Q8_0"}

# The default type of each file type (llama_model_quantize_impl's switch), where every tensor starts.
FILE_TYPES = {
    "Q4_0": "Q4_0", "Q4_1": "Q4_1", "Q5_0": "Q5_0", "Q5_1": "Q5_1", "Q8_0": "Q8_0",
    "Q2_K": "Q2_K", "Q2_K_S": "Q2_K", "Q3_K_S": "Q3_K", "Q3_K_M": "Q3_K", "Q3_K_L": "Q3_K",
    "Q4_K_S": "Q4_K", "Q4_K_M": "Q4_K", "Q5_K_S": "Q5_K", "Q5_K_M": "Q5_K", "Q6_K": "Q6_K",
    "IQ1_S": "IQ1_S", "IQ1_M": "IQ1_M", "IQ2_XXS": "IQ2_XXS", "IQ2_XS": "IQ2_XS", "IQ2_S": "IQ2_XS",
    "IQ2_M": "IQ2_S", "IQ3_XXS": "IQ3_XXS", "IQ3_XS": "IQ3_S", "IQ3_S": "IQ3_S", "IQ3_M": "IQ3_S",
    "IQ4_NL": "IQ4_NL", "IQ4_XS": "IQ4_XS",
}

# Published IQ files are made with an importance matrix (llama-quantize refuses IQ1/IQ2/IQ3_XXS
# without one); the others are counted as made without. The choice changes a few rules below.
IMATRIX_BY_DEFAULT = frozenset(name for name in FILE_TYPES if name.startswith("IQ"))

# Kinds of tensor the rules tell apart (llama_tensor_get_type matches these in tensor names).
TOKEN_EMBD, OUTPUT, ATTN_Q, ATTN_K, ATTN_V, ATTN_QKV, ATTN_KV_B, ATTN_OUTPUT = (
    "token_embd", "output", "attn_q", "attn_k", "attn_v", "attn_qkv", "attn_kv_b", "attn_output")
FFN_UP, FFN_GATE, FFN_DOWN, OTHER = "ffn_up", "ffn_gate", "ffn_down", "other"
_ATTN_V_LIKE = (ATTN_V,)

# model_types converted with one fused q/k/v matrix (attn_qkv), and those whose gate and up
# projections are one ffn_up matrix (convert_hf_to_gguf.py keeps Phi-3's gate_up_proj whole).
FUSED_QKV = frozenset({"phi3", "falcon", "RefinedWeb", "RefinedWebModel", "gpt2", "gpt_neox"})
FUSED_GATE_UP = frozenset({"phi3"})
FALCON = frozenset({"falcon", "RefinedWeb", "RefinedWebModel"})
# Falcon checkpoints save lm_head.weight although it is tied, and the converter writes it as
# output.weight; llama.cpp's Falcon loader takes output.weight when present. Published Falcon-7B
# GGUF sizes are consistent only with both tensors being in the file.
UNTIED_IN_GGUF = FALCON


@record
class GgufTensor:
    """`count` stacked (out, inp) matrices of one category in `layer` (-1: outside the layers),
    or, when inp == 0, `out` vectors of `count` elements each, which llama.cpp keeps in F32."""

    name: str
    part: str
    category: str
    out: int
    inp: int
    layer: int = -1
    count: int = 1

    @property
    def is_matrix(self) -> bool:
        return self.inp > 0


def gguf_tensors(arch) -> list:
    """The tensors of `arch` as a GGUF file names and shapes them, one entry per layer."""
    mt = arch.model_type
    h, kv = arch.hidden_size, arch.num_kv_heads * arch.head_dim
    out = [GgufTensor("token_embd", "embedding", TOKEN_EMBD, arch.vocab_size, h)]
    if arch.learned_position_embeddings:
        out.append(GgufTensor("position_embd", "embedding", OTHER, arch.learned_position_embeddings, h))
    if not arch.tie_word_embeddings or mt in UNTIED_IN_GGUF:
        out.append(GgufTensor("output", "lm_head", OUTPUT, arch.vocab_size, h))
    for layer in range(arch.num_layers):
        out.extend(_attention(arch, layer, mt, h, kv))
        out.extend(_feed_forward(arch, layer, mt, h))
    for group in arch.tensors():  # every vector (norms, biases) is stored in F32, one tensor each
        if not group.is_matrix:
            out.append(GgufTensor(group.name, group.part, OTHER, group.count, 0, count=group.shape[0]))
    return out


def _attention(arch, layer, mt, h, kv):
    t = lambda name, cat, o, i: GgufTensor(f"blk.{layer}.{name}", "attention", cat, o, i, layer)
    if arch.is_mla:
        q = arch.query_width
        rows = [t("attn_kv_a_mqa", OTHER, arch.kv_lora_rank + arch.qk_rope_head_dim, h),
                t("attn_kv_b", ATTN_KV_B, arch.num_attention_heads * (arch.qk_nope_head_dim + arch.v_head_dim),
                  arch.kv_lora_rank)]
        if arch.q_lora_rank:
            rows += [t("attn_q_a", OTHER, arch.q_lora_rank, h), t("attn_q_b", OTHER, q, arch.q_lora_rank)]
        else:
            rows.append(t("attn_q", ATTN_Q, q, h))
        return rows + [t("attn_output", ATTN_OUTPUT, h, arch.attention_output_width)]
    if mt in FUSED_QKV:
        rows = [t("attn_qkv", ATTN_QKV, arch.query_width + 2 * kv, h)]
    else:
        rows = [t("attn_q", ATTN_Q, arch.query_width, h), t("attn_k", ATTN_K, kv, h), t("attn_v", ATTN_V, kv, h)]
    return rows + [t("attn_output", ATTN_OUTPUT, h, arch.attention_output_width)]


def _feed_forward(arch, layer, mt, h):
    rows = []

    def mlp(part, suffix, width, count):
        t = lambda name, cat, o, i: GgufTensor(f"blk.{layer}.{name}{suffix}", part, cat, o, i, layer, count)
        if mt in FUSED_GATE_UP:
            rows.append(t("ffn_up", FFN_UP, 2 * width, h))
        else:
            if arch.mlp_gated:
                rows.append(t("ffn_gate", FFN_GATE, width, h))
            rows.append(t("ffn_up", FFN_UP, width, h))
        rows.append(t("ffn_down", FFN_DOWN, h, width))

    if not arch.is_moe or layer < arch.first_dense_layers:
        mlp("mlp", "", arch.intermediate_size, 1)
    else:
        mlp("experts", "_exps", arch.moe_intermediate_size, arch.num_experts)
        if arch.shared_expert_intermediate_size:
            mlp("shared_experts", "_shexp", arch.shared_expert_intermediate_size, 1)
        # ffn_gate_inp (the router) is never quantized; it stays with the F32 vectors' rule below.
        rows.append(GgufTensor(f"blk.{layer}.ffn_gate_inp", "router", OTHER, 1, 0, layer, arch.num_experts * h))
        if arch.shared_expert_gate:
            rows.append(GgufTensor(f"blk.{layer}.ffn_gate_inp_shexp", "router", OTHER, 1, 0, layer, h))
    return rows


# -- llama_tensor_get_type_impl ------------------------------------------------

def _use_more_bits(i, n):
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


@record(frozen=False)
class _State:
    """quantize_state_impl: counters the rules read, for one file."""

    arch: object
    ftype: str
    imatrix: bool
    n_attention_wv: int
    i_attention_wv: int = 0


def _is_70b(arch):
    # llama-model.cpp gives LLM_TYPE_70B to 80-layer llama and qwen2 models; only that type matters here.
    return arch.num_layers == 80 and arch.model_type in ("llama", "mistral", "qwen2")


def _type_for(s: _State, tensor: GgufTensor, new: str) -> str:
    ft, arch, cat = s.ftype, s.arch, tensor.category
    n_gqa = arch.num_attention_heads // arch.num_kv_heads
    n_expert = arch.num_experts
    falcon = arch.model_type in FALCON
    n_layer = arch.num_layers
    i_layer = tensor.layer
    iq12 = ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M")
    tied = arch.tie_word_embeddings and arch.model_type not in UNTIED_IN_GGUF
    if cat == OUTPUT or (tied and cat == TOKEN_EMBD):
        if falcon or tensor.inp % GGML_TYPES[new].weights:
            return "Q8_0"
        if ft in ("IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"):
            return "Q5_K"
        return new if new == "Q8_0" else "Q6_K"
    if cat == TOKEN_EMBD:
        if ft in ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"):
            return "Q2_K"
        if ft in ("IQ2_S", "IQ2_M", "IQ3_XXS"):
            return "IQ3_S"
        return new
    if ft in iq12:
        if cat in _ATTN_V_LIKE:
            s.i_attention_wv += 1
            if n_gqa >= 4 or n_expert >= 4:
                return "Q4_K"
            return "IQ3_S" if ft in ("IQ2_S", "IQ2_M") else "Q2_K"
        if n_expert == 8 and cat == ATTN_K:
            return "Q4_K"
        if cat == FFN_DOWN:
            if i_layer < n_layer // 8:
                return "IQ3_S" if ft in ("IQ2_S", "IQ2_M") else "Q2_K"
            return new
        if cat == ATTN_OUTPUT:
            if n_expert == 8:
                return "Q5_K"
            if ft in ("IQ1_S", "IQ1_M"):
                return "IQ2_XXS"
            if ft in ("IQ2_S", "IQ2_M"):
                return "IQ3_S"
        return new
    if cat in _ATTN_V_LIKE:
        i = s.i_attention_wv
        if ft == "Q2_K":
            new = "Q4_K" if n_gqa >= 4 else "Q3_K"
        elif ft == "Q2_K_S" and n_gqa >= 4:
            new = "Q4_K"
        elif ft == "IQ3_XXS":
            new = "Q4_K" if n_gqa >= 4 else ("IQ3_S" if not s.imatrix else "IQ3_XXS")
        elif ft in ("IQ3_XS", "IQ3_S") and n_gqa >= 4:
            new = "Q4_K"
        elif ft == "IQ3_M":
            new = "Q4_K"
        elif ft == "Q3_K_M":
            new = "Q5_K" if i < 2 else "Q4_K"
        elif ft == "Q3_K_L":
            new = "Q5_K"
        elif ft in ("IQ4_NL", "IQ4_XS") and n_gqa >= 4:
            new = "Q5_K"
        elif ft in ("Q4_K_M", "Q5_K_M") and _use_more_bits(i, s.n_attention_wv):
            new = "Q6_K"
        elif ft == "Q4_K_S" and i < 4:
            new = "Q5_K"
        if _is_70b(arch) and new in ("Q3_K", "Q4_K"):
            new = "Q5_K"
        if n_expert == 8:
            new = "Q8_0"
        s.i_attention_wv += 1
        return new
    if cat == ATTN_K:
        if n_expert == 8:
            return "Q8_0"
        if ft == "IQ3_XS":
            return "IQ3_XXS"
        if ft == "IQ3_XXS":
            return "IQ2_S"
        return new
    if cat == ATTN_Q:
        if ft == "IQ3_XS":
            return "IQ3_XXS"
        if ft == "IQ3_XXS":
            return "IQ2_S"
        return new
    if cat == FFN_DOWN:
        first_eighth = i_layer < n_layer // 8
        if ft == "Q2_K":
            return "Q3_K"
        if ft == "Q2_K_S":
            return "Q4_K" if first_eighth else new
        if ft == "IQ3_XXS" and not s.imatrix:
            return "Q4_K" if first_eighth else "Q3_K"
        if ft == "Q3_K_M":
            if i_layer < n_layer // 16:
                return "Q5_K"
            return "Q4_K" if not falcon or _use_more_bits(i_layer, n_layer) else "Q3_K"
        if ft == "IQ3_M" and (first_eighth or (n_expert == 8 and _use_more_bits(i_layer, n_layer))):
            return "Q4_K"
        if ft == "Q3_K_L":
            return "Q4_K" if falcon else "Q5_K"
        if ft == "Q4_K_M":
            if falcon:
                if i_layer < n_layer // 16:
                    return "Q6_K"
                return "Q5_K" if _use_more_bits(i_layer, n_layer) else "Q4_K"
            return "Q6_K" if _use_more_bits(i_layer, n_layer) else new
        if first_eighth and ft in ("IQ4_NL", "IQ4_XS") and not s.imatrix:
            return "Q5_K"
        if ft == "Q5_K_M" and _use_more_bits(i_layer, n_layer):
            return "Q6_K"
        if ft == "Q4_K_S" and not falcon and first_eighth:
            return "Q5_K"
        if ft in ("Q4_0", "Q5_0") and s.imatrix and first_eighth:
            return "Q4_1" if ft == "Q4_0" else "Q5_1"
        return new
    if cat == ATTN_OUTPUT:
        if not falcon:
            if n_expert == 8:
                if ft in ("Q2_K", "IQ3_XS", "IQ3_XXS", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M", "IQ3_S",
                          "IQ3_M", "IQ4_XS"):
                    return "Q5_K"
                return new
            return {"Q2_K": "Q3_K", "IQ3_XXS": "IQ3_S", "Q3_K_M": "Q4_K", "Q3_K_L": "Q5_K",
                    "IQ3_M": "Q4_K"}.get(ft, new)
        return "Q4_K" if ft == "Q3_K_L" else new
    if cat == ATTN_QKV:
        if ft in ("Q3_K_M", "Q3_K_L", "IQ3_M"):
            return "Q4_K"
        return {"Q4_K_M": "Q5_K", "Q5_K_M": "Q6_K"}.get(ft, new)
    if cat in (FFN_GATE, FFN_UP):
        if ft == "IQ3_XS" and n_layer // 8 <= i_layer < 7 * n_layer // 8:
            return "IQ3_XXS"
        return new
    return new


def _fallback(name: str, row: int) -> str:
    if row % GGML_TYPES[name].weights == 0:
        return name
    name = FALLBACK.get(name, "F16")
    return name if row % GGML_TYPES[name].weights == 0 else "F16"


def tensor_types(arch, ftype: str, imatrix: bool | None = None, promote: dict | None = None) -> list:
    """(tensor, ggml type name) for every tensor of `arch` in a file of type `ftype`.

    `promote` maps tensor names to a type used instead of the one the rules chose (the rules
    still see the tensor, so the others keep their types); the row-length fallback still applies.
    """
    if ftype not in FILE_TYPES:
        raise CalculatorError(f"unknown GGUF file type {str(ftype)[:20]!r}", "format")
    if imatrix is None:
        imatrix = ftype in IMATRIX_BY_DEFAULT
    tensors = gguf_tensors(arch)
    state = _State(arch, ftype, imatrix, sum(1 for t in tensors if t.category in _ATTN_V_LIKE))
    default = FILE_TYPES[ftype]
    result = []
    for tensor in tensors:
        # tensor_allows_quantization: only matrices, never position embeddings (BERT/GPT-2 style).
        if not tensor.is_matrix:
            result.append((tensor, "F32"))
            continue
        if tensor.name == "position_embd":
            result.append((tensor, "F16"))
            continue
        chosen = _type_for(state, tensor, default)  # always run: the rules count the tensors they see
        if promote and tensor.name in promote:
            chosen = promote[tensor.name]
        result.append((tensor, _fallback(chosen, tensor.inp)))
    return result


def tensor_bytes(tensor: GgufTensor, type_name: str) -> tuple:
    """(payload, metadata) bytes of one tensor entry, each stacked matrix padded to the alignment."""
    t = GGML_TYPES[type_name]
    if not tensor.is_matrix:
        return tensor.out * _pad(tensor.count * t.block_bytes), 0
    per_matrix = tensor.out * t.row_bytes(tensor.inp)
    payload = tensor.out * tensor.inp * t.bits // 8
    # The experts of one layer are one 3-D tensor, padded once.
    total = _pad(per_matrix * tensor.count) if tensor.layer >= 0 else _pad(per_matrix) * tensor.count
    return payload * tensor.count, total - payload * tensor.count


def _pad(n: int) -> int:
    return ceil(n / ALIGNMENT) * ALIGNMENT


# -- the header ------------------------------------------------------------------
#
# gguf.cpp writes: magic, version, tensor count and key-value count (24 bytes); every key-value
# pair (string key, type, value); every tensor's name, dimensions, type and offset; then pads to
# the alignment. Tensor infos are counted exactly from the names llama.cpp uses. The key-value
# pairs are dominated by the tokenizer (tokenizer.ggml.tokens and token_type, plus scores for
# SentencePiece or merges for byte-level BPE), whose strings are not in config.json; they are
# estimated per vocabulary entry, the bytes per entry measured from the header of published files
# of each tokenizer family (file size minus the exact tensor bytes; tests/test_gguf.py):
#   SentencePiece (Llama 1/2, Mistral 7B, Phi-3, Gemma): 8-byte length + token text, 4-byte score,
#       4-byte type: 23 bytes per entry (Mistral 7B v0.1: 734,880 bytes for 32,000 entries).
#   byte-level BPE with about one merge per entry (Qwen2, Falcon): 39 bytes per entry
#       (Qwen2.5-7B: 5,953,536 bytes for 152,064; Falcon-7B: 2,559,424 for 65,024).
#   Llama 3's tiktoken-derived BPE (128,256 entries, 280,147 merges): 61 bytes per entry.
# Every other key (hyperparameters, names, a chat template) is counted as OTHER_KV_BYTES.
HEADER_FIXED = 24
OTHER_KV_BYTES = 4096
VOCAB_ENTRY_BYTES = {"sentencepiece": 23, "bpe": 39, "llama3-bpe": 61}


def tokenizer_kind(arch) -> str:
    """The tokenizer family a model's GGUF stores (see VOCAB_ENTRY_BYTES)."""
    mt = arch.model_type
    if mt.startswith("gemma") or (mt in ("llama", "mistral", "mixtral", "phi3") and arch.vocab_size <= 32768):
        return "sentencepiece"
    if mt == "llama" and arch.vocab_size == 128256:
        return "llama3-bpe"
    return "bpe"


def header_bytes(arch, tensors=None) -> int:
    """Bytes before the first tensor's data: fixed header, key-value pairs and tensor infos, padded."""
    tensors = gguf_tensors(arch) if tensors is None else tensors
    infos = 0
    for t in tensors:
        names = t.out if not t.is_matrix else 1  # one info per vector
        dims = 3 if t.is_matrix and t.count > 1 else (2 if t.is_matrix else 1)
        name_len = len(t.name) + len(".weight")
        infos += names * (8 + name_len + 4 + 8 * dims + 4 + 8)
    vocab = arch.vocab_size * VOCAB_ENTRY_BYTES[tokenizer_kind(arch)]
    return _pad(HEADER_FIXED + OTHER_KV_BYTES + vocab + infos)


@record
class GgufFile:
    """A GGUF file's bytes: tensor payload and block metadata by part, and its header."""

    file_type: str
    by_part: dict
    metadata_by_part: dict
    header_bytes: int
    types: dict  # ggml type name -> number of tensors of that type

    @property
    def tensor_bytes(self) -> int:
        return sum(self.by_part.values()) + sum(self.metadata_by_part.values())

    @property
    def file_bytes(self) -> int:
        return self.tensor_bytes + self.header_bytes


def gguf_file(arch, ftype: str, imatrix: bool | None = None, promote: dict | None = None) -> GgufFile:
    """Every tensor's bytes in a llama-quantize file of type `ftype`, plus the header."""
    by_part, meta_by_part, types = {}, {}, {}
    assigned = tensor_types(arch, ftype, imatrix, promote)
    for tensor, type_name in assigned:
        payload, meta = tensor_bytes(tensor, type_name)
        by_part[tensor.part] = by_part.get(tensor.part, 0) + payload
        meta_by_part[tensor.part] = meta_by_part.get(tensor.part, 0) + meta
        if tensor.is_matrix:
            types[type_name] = types.get(type_name, 0) + tensor.count
    return GgufFile(ftype, by_part, meta_by_part, header_bytes(arch, [t for t, _ in assigned]), types)


def normalize_file_type(name: str) -> str | None:
    """llama.cpp's spelling of a file type from a name such as 'q4_k_m', 'Q4_K_M.gguf' or
    'Llama-3.2-1B-Instruct-Q4_K_M.gguf'; None when it names none."""
    if not isinstance(name, str):
        return None
    text = name.strip().upper().replace("-", "_").replace(".", "_")
    if text.endswith("_GGUF"):
        text = text[:-5]
    if text.startswith("GGUF_"):
        text = text[5:]
    for candidate in sorted(FILE_TYPES, key=len, reverse=True):
        if text == candidate or text.endswith("_" + candidate):
            return candidate
    return None
