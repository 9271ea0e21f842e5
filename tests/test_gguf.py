"""GGUF file types against published file sizes, and properties of llama-quantize's rules."""

import pytest

from calculators import architecture_from_config
from calculators.formats import (KV_FORMATS, WEIGHT_FORMATS, kv_format, resolve_kv_format_id,
                                 resolve_weight_format_id, weight_format)
from calculators.gguf import FILE_TYPES, FUSED_QKV, GGML_TYPES, gguf_file, normalize_file_type, tensor_bytes, tensor_types
from calculators.presets import PRESETS, preset_architecture
from calculators.weights import weight_bytes

GPT4ALL = "nomic-ai/gpt4all gpt4all-chat/metadata/models3.json @ 5cd0bd135a45d2bc236ad22b21403be67a2d7dfe"
LMSTUDIO = "lmstudio-ai/model-catalog catalog.json @ 78bd5602295154a6477fa440fa45e024c62a26f5"
LMSTUDIO_PHI = "lmstudio-ai/model-catalog models/phi-3.1-mini-4k.json @ 0bbfc5eb624b4b27cbc64709f6eca8587b8acc53"
LMSTUDIO_FALCON = "lmstudio-ai/model-catalog models/falcon-7b-instruct.json @ 3b52909fb634d2d7ac5c07ad1547bf1ddeb9ba77"
# TheBloke/Llama-2-70B-Chat-GGUF's files (September 2023, before importance matrices), with their download URLs.
LLAMA2_70B = "leliuga/cohere-configurations models/Llama-2-70B-Chat/manifest.yaml @ 84408edf57f071dc9d1d75b9eacb8d3f06c01018"
# A catalog of bartowski's and others' files, each repository pinned to a revision; bartowski's model cards say
# every quant was made with an importance matrix.
RAMPART = "aflin/rampart-langtools rampart-models.js @ d4784bdc5f53032ff7c8e664d5e1335549c1451d"
RAMPART_CATALOG = "aflin/rampart-langtools rampart-models-catalog.json @ d36c8d5142a6998b5b97bc96c3ccc36fb4f0b104"

# (preset, file type, published bytes, made with an importance matrix, published file, where the size is listed).
# The files are fine-tunes or instruct versions with the preset's shapes and vocabulary.
PUBLISHED = [
    ("llama-3.1-8b", "Q4_0", 4661212096, False, "Meta-Llama-3.1-8B-Instruct-128k-Q4_0.gguf", GPT4ALL),
    ("llama-3.1-8b", "Q4_0", 4661724384, False, "Meta-Llama-3-8B-Instruct.Q4_0.gguf", GPT4ALL),
    ("llama-3.1-8b", "Q4_K_M", 4920739168, False, "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", LMSTUDIO),
    ("llama-3.1-8b", "Q4_K_M", 4920733888, False, "Meta-Llama-3-8B-Instruct-Q4_K_M.gguf", LMSTUDIO),
    # bartowski's quants are made with an importance matrix, which moves the first eighth of ffn_down to Q4_1.
    ("llama-3.2-1b", "Q4_0", 773025920, True, "bartowski Llama-3.2-1B-Instruct-Q4_0.gguf", GPT4ALL),
    ("llama-3.2-3b", "Q4_0", 1921909280, True, "bartowski Llama-3.2-3B-Instruct-Q4_0.gguf", GPT4ALL),
    ("llama-2-13b", "Q4_0", 7365834624, False, "wizardlm-13b-v1.2.Q4_0.gguf", GPT4ALL),
    ("mistral-7b-v0.1", "Q4_0", 4108916384, False, "mistral-7b-instruct-v0.1.Q4_0.gguf", GPT4ALL),
    ("mistral-7b-v0.1", "Q4_K_S", 4140373664, False, "mistral-7b-instruct-v0.1.Q4_K_S.gguf", LMSTUDIO),
    ("mistral-7b-v0.1", "Q6_K", 5942064800, False, "mistral-7b-instruct-v0.1.Q6_K.gguf", LMSTUDIO),
    ("qwen2.5-7b", "Q4_0", 4431390720, False, "qwen2.5-coder-7b-instruct-q4_0.gguf", GPT4ALL),
    ("phi-3-mini-4k", "Q4_0", 2176181568, False, "Phi-3-mini-4k-instruct.Q4_0.gguf", GPT4ALL),
    ("phi-3-mini-4k", "Q4_K_M", 2393232096, False, "Phi-3.1-mini-4k-instruct-Q4_K_M.gguf", LMSTUDIO),
    ("phi-3-mini-4k", "Q5_K_M", 2815275232, False, "Phi-3.1-mini-4k-instruct-Q5_K_M.gguf", LMSTUDIO_PHI),
    ("gemma-2-9b", "Q4_K_M", 5761057728, False, "gemma-2-9b-it-Q4_K_M.gguf", LMSTUDIO),
    ("falcon-7b", "Q4_0", 4210994112, False, "gpt4all-falcon-newbpe-q4_0.gguf", GPT4ALL),
    ("falcon-7b", "Q4_K_M", 4975385792, False, "tiiuae-falcon-7b-instruct-Q4_K_M.gguf", LMSTUDIO_FALCON),
    ("falcon-7b", "Q5_K_M", 5731380160, False, "tiiuae-falcon-7b-instruct-Q5_K_M.gguf", LMSTUDIO_FALCON),
    ("falcon-7b", "Q6_K", 7031618496, False, "tiiuae-falcon-7b-instruct-Q6_K.gguf", LMSTUDIO_FALCON),
    # 70B-class models.
    ("llama-2-70b", "Q3_K_S", 29919294368, False, "llama-2-70b-chat.Q3_K_S.gguf", LLAMA2_70B),
    ("llama-2-70b", "Q3_K_L", 36147835808, False, "llama-2-70b-chat.Q3_K_L.gguf", LLAMA2_70B),
    ("llama-2-70b", "Q4_0", 38872249248, False, "llama-2-70b-chat.Q4_0.gguf", LLAMA2_70B),
    ("llama-2-70b", "Q4_K_M", 41422910368, False, "llama-2-70b-chat.Q4_K_M.gguf", LLAMA2_70B),
    ("llama-2-70b", "Q5_0", 47461397408, False, "llama-2-70b-chat.Q5_0.gguf", LLAMA2_70B),
    ("llama-2-70b", "Q5_K_M", 48753767328, False, "llama-2-70b-chat.Q5_K_M.gguf", LLAMA2_70B),
    *[("qwen2.5-72b-instruct", file_type, size, True, f"bartowski Qwen2.5-72B-Instruct-{file_type}.gguf", RAMPART)
      for file_type, size in [("Q4_K_M", 47415715488), ("Q4_0", 41383126688), ("Q3_K_M", 37698725536),
                              ("Q2_K", 29811762848), ("IQ4_XS", 39709075104), ("IQ3_M", 35503597216),
                              ("IQ3_XXS", 31845082784), ("IQ2_M", 29338986144), ("IQ2_XS", 27057645216),
                              ("IQ2_XXS", 25490024096), ("IQ1_M", 23740212896)]],
    # IQ types (importance-matrix quants) of smaller models.
    *[("mistral-7b-v0.3", file_type, size, True, f"bartowski Mistral-7B-Instruct-v0.3-{file_type}.gguf", RAMPART)
      for file_type, size in [("IQ4_XS", 3911962848), ("IQ4_NL", 4130066656), ("IQ3_M", 3288846560),
                              ("IQ3_XS", 3022770400), ("IQ3_XXS", 2830880992), ("IQ2_M", 2504249568),
                              ("IQ2_XS", 2201473248), ("IQ2_XXS", 1994903776), ("IQ1_S", 1615319264)]],
    *[("llama-3.1-8b", file_type, size, True, f"bartowski Meta-Llama-3.1-8B-Instruct-{file_type}.gguf", RAMPART)
      for file_type, size in [("IQ4_XS", 4447667616), ("IQ4_NL", 4677993888), ("IQ3_M", 3784828320),
                              ("IQ3_XS", 3518752160), ("IQ2_M", 2948285856)]],
    ("llama-3.2-1b", "IQ4_XS", 743141504, True, "bartowski Llama-3.2-1B-Instruct-IQ4_XS.gguf", RAMPART_CATALOG),
    ("llama-3.2-1b", "IQ3_M", 657289344, True, "bartowski Llama-3.2-1B-Instruct-IQ3_M.gguf", RAMPART_CATALOG),
    # Phi-3.5-mini has Phi-3-mini's shapes (its file adds two 48-value rope factor tensors for 128k contexts).
    *[("phi-3-mini-4k", file_type, size, True, f"bartowski Phi-3.5-mini-instruct-{file_type}.gguf", RAMPART)
      for file_type, size in [("IQ4_XS", 2059853088), ("IQ3_M", 1855600416), ("IQ3_XS", 1625175840),
                              ("IQ2_M", 1316395296)]],
]
# Falcon-7B Q2_K (tiiuae-falcon-7b-instruct-Q2_K.gguf, 4,025,162,688 bytes, LMSTUDIO_FALCON, listed 2023-10-31 with
# the three files above) was made by the llama.cpp of late 2023, whose Q2_K differs from today's in two rules that
# matter for Falcon-7B's rows of 4544 (not a whole number of 256-weight blocks). get_k_quant_type then (the version
# after ggml-org/llama.cpp PR #3747, read in Cebtenzzre/llama.cpp llama.cpp @ 08ef054cb6381d098ad9bbd1c3a52bea1c6a9edc):
#   - Q2_K moved ffn_up and ffn_gate to Q3_K (from PR #2707); today's source keeps them in Q2_K (the rule is
#     commented out in src/llama-quant.cpp @ 8784689f: "IK: let's remove this, else Q2_K is almost the same as Q3_K_S");
#   - a row that is not whole 256-blocks fell back Q2_K -> Q4_0 and Q3_K -> Q4_1; today both fall back to IQ4_NL.
# Per tensor, then:           rule                                   type   payload bytes
#   token_embd  65024 x 4544  Q2_K, fallback                         Q4_0     166,201,344
#   output      65024 x 4544  Falcon's output                        Q8_0     313,935,872
#   attn_qkv    32 x 4672 x 4544  Q2_K, fallback                     Q4_0     382,132,224
#   attn_output 32 x 4544 x 4544  Falcon keeps Q2_K, fallback        Q4_0     371,662,848
#   ffn_up      32 x 18176 x 4544  Q2_K -> Q3_K, fallback            Q4_1   1,651,834,880
#   ffn_down    32 x 4544 x 18176  Q2_K -> Q3_K (71 blocks a row)    Q3_K   1,135,636,480
#   all matrices                                                           4,021,403,648
# With the header and vectors counted as for the other rows this is the file to the same 8,032 bytes as the
# Q4_K_M, Q5_K_M and Q6_K files of that repository. Today's llama-quantize stores ffn_up in IQ4_NL (4.5 instead
# of 5 bits a weight), 165,183,488 bytes less: the module predicts that file, 4.1% smaller than the published one.
FALCON_Q2_K_OF_LATE_2023 = {"token_embd": "Q4_0", "attn_qkv": "Q4_0", "attn_output": "Q4_0", "ffn_up": "Q4_1"}
FALCON_Q2_K = 4025162688


@pytest.mark.parametrize("model, file_type, published, imatrix, name, source", PUBLISHED,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in PUBLISHED])
def test_file_size_within_a_quarter_percent_of_the_published_file(model, file_type, published, imatrix, name,
                                                                   source):
    predicted = gguf_file(preset_architecture(model), file_type, imatrix=imatrix).file_bytes
    assert abs(predicted - published) / published < 0.0025, (predicted, published)


@pytest.mark.parametrize("model, file_type, published", [(r[0], r[1], r[2]) for r in PUBLISHED])
def test_the_format_reports_the_same_file_size_within_one_percent(model, file_type, published):
    # The catalog format counts the file as made without an importance matrix (IQ types: with one).
    result = weight_bytes(preset_architecture(model), weight_format(file_type))
    assert abs(result.file_bytes - published) / published < 0.01
    assert result.header_bytes > 0 and result.total_bytes < result.file_bytes


def test_the_header_is_the_same_for_every_file_type_of_a_model():
    # Published Mistral 7B files of three types differ from the tensor sums by the same header bytes,
    # which is what exact per-tensor types predict.
    arch = preset_architecture("mistral-7b-v0.1")
    tensors = {ft: gguf_file(arch, ft).tensor_bytes for ft in ("Q4_0", "Q4_K_S", "Q6_K")}
    gaps = {4108916384 - tensors["Q4_0"], 4140373664 - tensors["Q4_K_S"], 5942064800 - tensors["Q6_K"]}
    assert len(gaps) == 1


def test_falcon_q2_k_of_late_2023_is_reproduced_by_the_rules_of_its_time():
    arch = preset_architecture("falcon-7b")
    then = {t.name: FALCON_Q2_K_OF_LATE_2023[t.name.split(".")[-1]] for t, _ in tensor_types(arch, "Q2_K")
            if t.is_matrix and t.name.split(".")[-1] in FALCON_Q2_K_OF_LATE_2023}
    assert len(then) == 1 + 3 * 32
    made_then = gguf_file(arch, "Q2_K", promote=then)
    assert made_then.types == {"Q4_0": 65, "Q8_0": 1, "Q4_1": 32, "Q3_K": 32}
    # Exact tensor bytes: the gap to the published size is the header estimate's, the same for every file of
    # the repository (its Q4_K_M file, made by the same converter, shows it).
    gap = 4975385792 - gguf_file(arch, "Q4_K_M").file_bytes
    assert FALCON_Q2_K - made_then.file_bytes == gap and abs(gap) / FALCON_Q2_K < 0.0001


def test_falcon_q2_k_today_keeps_ffn_up_in_q2_k_and_falls_back_to_iq4_nl():
    arch = preset_architecture("falcon-7b")
    types = types_of("falcon-7b", "Q2_K")
    assert {types["blk.7.ffn_up"], types["blk.7.attn_qkv"], types["blk.7.attn_output"], types["token_embd"]} == {
        "IQ4_NL"}
    assert types["blk.7.ffn_down"] == "Q3_K" and types["output"] == "Q8_0"
    today = gguf_file(arch, "Q2_K").file_bytes
    then = gguf_file(arch, "Q2_K", promote={f"blk.{i}.ffn_up": "Q4_1" for i in range(32)}).file_bytes
    assert then - today == 32 * 18176 * 4544 // 32 * (20 - 18)  # a Q4_1 block is 20 bytes, an IQ4_NL one 18
    assert 0.04 < (FALCON_Q2_K - today) / FALCON_Q2_K < 0.042


def test_the_old_model_wide_averages_miss_by_more_than_the_exact_rules():
    # Llama-3.2-1B: a tied embedding kept in Q6_K, which the Q4_0 bits per weight of a matrix leave out.
    arch = preset_architecture("llama-3.2-1b")
    pure = weight_bytes(arch, weight_format("gguf-q4-0-pure")).total_bytes
    assert (773025920 - pure) / 773025920 > 0.05


# -- rules ---------------------------------------------------------------------------

def types_of(model, file_type, **kw):
    return {t.name: ty for t, ty in tensor_types(preset_architecture(model), file_type, **kw)}


def test_q4_k_m_promotes_attn_v_and_ffn_down_in_use_more_bits_layers():
    types = types_of("llama-3.1-8b", "Q4_K_M")
    # use_more_bits(i, 32): the first 4 layers, the last 4, and every third layer between.
    promoted = [i for i in range(32) if types[f"blk.{i}.ffn_down"] == "Q6_K"]
    assert promoted == [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
    assert [i for i in range(32) if types[f"blk.{i}.attn_v"] == "Q6_K"] == promoted
    assert types["output"] == "Q6_K" and types["token_embd"] == "Q4_K" and types["blk.5.attn_q"] == "Q4_K"


def test_a_tied_embedding_takes_the_output_type():
    assert types_of("llama-3.2-1b", "Q4_0")["token_embd"] == "Q6_K"
    assert types_of("llama-3.1-8b", "Q4_0")["token_embd"] == "Q4_0"
    assert types_of("gemma-2-9b", "Q8_0")["token_embd"] == "Q8_0"


def test_falcon_keeps_output_in_q8_0_and_falls_back_on_rows_of_4544():
    types = types_of("falcon-7b", "Q4_K_M")
    assert types["output"] == "Q8_0"
    assert types["blk.0.attn_output"] == "Q5_0"  # Q4_K needs rows of 256; 4544 = 142 x 32
    assert types["blk.0.attn_qkv"] == "Q5_1"  # Q5_K for attn_qkv in Q4_K_M, then its fallback


def test_70b_models_keep_attn_v_in_q5_k():
    assert types_of("llama-3.1-70b", "Q3_K_S")["blk.40.attn_v"] == "Q5_K"
    assert types_of("llama-3.1-8b", "Q3_K_S")["blk.20.attn_v"] == "Q3_K"


def test_mixtral_keeps_attn_v_and_attn_k_in_q8_0():
    types = types_of("mixtral-8x7b", "Q4_K_M")
    assert types["blk.3.attn_v"] == "Q8_0" and types["blk.3.attn_k"] == "Q8_0"
    assert types["blk.3.ffn_up_exps"] == "Q4_K"


def test_qwen_72b_ffn_down_rows_of_29568_fall_back():
    assert types_of("qwen2.5-72b-instruct", "Q4_K_M")["blk.10.ffn_down"] == "Q5_0"


# -- properties ------------------------------------------------------------------------

K_QUANT_ORDER = ("Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0")
BITS = {name: t.block_bytes * 8 / t.weights for name, t in GGML_TYPES.items()}


@pytest.mark.parametrize("preset_id", sorted(PRESETS))
def test_k_quant_file_types_grow_in_order(preset_id):
    arch = preset_architecture(preset_id)
    sizes = [gguf_file(arch, ft).file_bytes for ft in K_QUANT_ORDER]
    whole_blocks = all(t.inp % 256 == 0 for t, _ in tensor_types(arch, "Q4_K_M") if t.is_matrix)
    if whole_blocks and arch.model_type not in FUSED_QKV:
        assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
    else:
        # llama.cpp's own rules break the order here: when rows fall back (Qwen2.5-0.5B's 896, Gemma 3 1B's
        # 1152) Q2_K's promoted attn_v lands in Q5_0 and outweighs Q3_K_S; with a fused attn_qkv (GPT-2)
        # Q3_K_L's Q5_K ffn_down outweighs Q4_K_S. From Q4_K_S up the order holds.
        assert sizes[4:] == sorted(sizes[4:]) and sizes[0] <= sizes[2] <= sizes[3]


@pytest.mark.parametrize("preset_id", ["llama-3.2-1b", "mistral-7b-v0.1", "phi-3-mini-4k", "falcon-7b",
                                       "qwen1.5-moe-a2.7b", "gemma-3-1b"])
@pytest.mark.parametrize("file_type", sorted(FILE_TYPES))
def test_promoting_a_tensor_never_shrinks_the_file(preset_id, file_type):
    arch = preset_architecture(preset_id)
    assigned = tensor_types(arch, file_type)
    base = gguf_file(arch, file_type).file_bytes
    for tensor, type_name in assigned[:40]:
        if not tensor.is_matrix:
            continue
        bigger = [t for t in GGML_TYPES if BITS[t] > BITS[type_name] and t != "F32"]
        for target in bigger[:3]:
            assert gguf_file(arch, file_type, promote={tensor.name: target}).file_bytes >= base


# The shape keys of tiiuae/falcon-40b-instruct's config as printed in kpanchapTT/mistral7b-uplift
# falcon-40b-inference-api/docs/backend.md @ 077fe1cfa5af032fe82b6186161ba56fa1f62c1e (RWConfig dump).
FALCON_40B_CONFIG = {"model_type": "RefinedWeb", "hidden_size": 8192, "n_head": 128, "n_head_kv": 8, "n_layer": 60,
                     "vocab_size": 65024, "parallel_attn": True, "bias": False}


def test_a_falcon_40b_sized_model_takes_the_falcon_rules_without_fallbacks():
    arch = architecture_from_config(FALCON_40B_CONFIG)
    assigned = {t.name: ty for t, ty in tensor_types(arch, "Q4_K_M")}
    assert assigned["output"] == "Q8_0" and assigned["token_embd"] == "Q4_K"
    assert assigned["blk.0.attn_qkv"] == "Q5_K" and assigned["blk.0.attn_output"] == "Q4_K"
    # Falcon's Q4_K_M ffn_down: Q6_K in the first n_layer/16 layers, then Q5_K where use_more_bits, else Q4_K.
    down = [assigned[f"blk.{i}.ffn_down"] for i in range(60)]
    assert down[:3] == ["Q6_K"] * 3 and down[3] == "Q5_K" and down[7] == "Q4_K" and down[9] == "Q5_K"
    # Rows of 8192 and 32768 are whole 256-blocks, so every k-quant file type is larger than the one before.
    sizes = [gguf_file(arch, ft).file_bytes for ft in K_QUANT_ORDER]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
    base = gguf_file(arch, "Q2_K").file_bytes
    q2_k = {t.name: ty for t, ty in tensor_types(arch, "Q2_K")}
    for name in ("token_embd", "output", "blk.0.attn_qkv", "blk.30.attn_output", "blk.59.ffn_up", "blk.59.ffn_down"):
        type_name = q2_k[name]
        for target in [t for t in GGML_TYPES if BITS[t] > BITS[type_name] and t != "F32"]:
            assert gguf_file(arch, "Q2_K", promote={name: target}).file_bytes > base, (name, target)


@pytest.mark.parametrize("preset_id", ["llama-3.1-8b", "qwen2.5-0.5b", "falcon-7b", "deepseek-v3"])
@pytest.mark.parametrize("file_type", sorted(FILE_TYPES))
def test_matrix_bytes_lie_between_the_smallest_and_largest_type_used(preset_id, file_type):
    assigned = [(t, ty) for t, ty in tensor_types(preset_architecture(preset_id), file_type) if t.is_matrix]
    weights = sum(t.out * t.inp * t.count for t, _ in assigned)
    stored = sum(sum(tensor_bytes(t, ty)) for t, ty in assigned)
    used = [BITS[ty] for _, ty in assigned]
    # Each tensor is padded to 32 bytes at most once per stacked matrix.
    assert min(used) * weights / 8 <= stored <= max(used) * weights / 8 + 32 * sum(t.count for t, _ in assigned)


# -- names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Q4_K_M", "gguf-q4-k-m"), ("q4_k_m", "gguf-q4-k-m"), ("Llama-3.2-1B-Instruct-Q4_K_M.gguf", "gguf-q4-k-m"),
    ("model.Q5_K_S.gguf", "gguf-q5-k-s"), ("IQ4_XS", "gguf-iq4-xs"), ("q8_0", "gguf-q8-0"),
    ("gguf-q4-k-m-mix", "gguf-q4-k-m"), ("gguf-q3-k", "gguf-q3-k-pure"), ("awq-int4-g128", "awq-int4-g128"),
    ("Q3_K", None), ("nonsense", None), (None, None)])
def test_llama_cpp_names_resolve_to_formats(name, expected):
    assert resolve_weight_format_id(name) == expected
    if expected:
        assert expected in WEIGHT_FORMATS


def test_every_file_type_has_a_format_and_parses_back():
    for name in FILE_TYPES:
        assert normalize_file_type(name.lower() + ".gguf") == name
        assert weight_format(name).layout.file_type == name


@pytest.mark.parametrize("name, expected, bytes_per_32", [
    ("q8_0", "gguf-q8-0", 34), ("q4_0", "gguf-q4-0", 18), ("q4_1", "gguf-q4-1", 20), ("q5_0", "gguf-q5-0", 22),
    ("q5_1", "gguf-q5-1", 24), ("iq4_nl", "gguf-iq4-nl", 18)])
def test_llama_cpp_cache_types_are_kv_formats_with_ggml_block_sizes(name, expected, bytes_per_32):
    assert resolve_kv_format_id(name) == expected and expected in KV_FORMATS
    # One token of 8 heads x 128: 32 blocks of 32 elements.
    assert kv_format(name).vector_bytes_x8(8, 128) == 8 * 32 * bytes_per_32


def test_f16_cache_type_is_fp16():
    assert kv_format("f16").id == "fp16" and kv_format("F32").id == "fp32"


# Three Llama-2-70B files of TheBloke's (LLAMA2_70B, September 2023) were made by the llama.cpp of their time, whose
# get_k_quant_type (Cebtenzzre/llama.cpp llama.cpp @ 2777a84be429401a2b7d33c2b6a4ada1f0776f1b, 2023-09-29) differs
# from today's src/llama-quant.cpp in one rule for each:
#   - Q2_K put ffn_gate and ffn_up in Q3_K (ggml-org/llama.cpp PR #2707); today they stay in Q2_K;
#   - Q3_K_M put the first 2 ffn_down layers in Q5_K (`i_feed_forward_w2 < 2`); today the first n_layer/16 = 5
#     (PRs #4872 and #4927, January 2024);
#   - Q4_K_S put the first 4 ffn_down layers in Q5_K (`i_feed_forward_w2 < 4`); today the first n_layer/8 = 10.
# With those types every file is reproduced to the same header bytes as the repository's Q4_0, Q4_K_M and Q5_K_M
# files, which no rule changed.
LLAMA2_70B_OF_SEPTEMBER_2023 = [
    ("Q2_K", 29279253408, lambda name, layer: "Q3_K" if name in ("ffn_gate", "ffn_up") else None),
    ("Q3_K_M", 33186657184, lambda name, layer: ("Q5_K" if layer < 2 else "Q4_K") if name == "ffn_down" else None),
    ("Q4_K_S", 39073575840, lambda name, layer: ("Q5_K" if layer < 4 else "Q4_K") if name == "ffn_down" else None),
]


@pytest.mark.parametrize("file_type, published, rule_then", LLAMA2_70B_OF_SEPTEMBER_2023,
                         ids=[row[0] for row in LLAMA2_70B_OF_SEPTEMBER_2023])
def test_llama_2_70b_files_of_september_2023_are_reproduced_by_the_rules_of_their_time(file_type, published,
                                                                                        rule_then):
    arch = preset_architecture("llama-2-70b")
    header_gap = gguf_file(arch, "Q4_0").file_bytes - 38872249248
    assert header_gap == gguf_file(arch, "Q4_K_M").file_bytes - 41422910368
    then = {}
    for tensor, today in tensor_types(arch, file_type):
        kind = tensor.name.split(".")[-1]
        if tensor.is_matrix and rule_then(kind, tensor.layer) not in (None, today):
            then[tensor.name] = rule_then(kind, tensor.layer)
    assert then  # the rule did change these tensors' types
    assert gguf_file(arch, file_type, promote=then).file_bytes - published == header_gap
    # Today's llama-quantize writes another size: 13% smaller for Q2_K, under half a percent off for the others.
    assert 0 < abs(gguf_file(arch, file_type).file_bytes - published) / published < 0.15
