"""Storage formats for weights and for the KV cache, each with its exact cost.

A weight format says how one (out_features, in_features) matrix is stored:
payload bytes and metadata bytes (scales, zero points, codebooks, index
tensors) separately, so the breakdown can show what quantization metadata
costs. It also says which parts of a model the implementing library leaves
in 16-bit by default. Every entry names where its layout comes from.
"""

from math import ceil

from .errors import CalculatorError
from .exl2 import HEAD_MIXES, SOURCE as EXL2_SOURCE, decoder_matrix_bytes, exl2_file
from .gguf import FALLBACK, FILE_TYPES, GGML_TYPES, IMATRIX_BY_DEFAULT, QUANT_SOURCE, gguf_file, normalize_file_type
from .records import record

# Parts of a model (see architecture.PARTS) that a library quantizes.
DECODER_LINEARS = frozenset({"attention", "mlp", "experts", "shared_experts"})
ALL_LINEARS = DECODER_LINEARS | {"lm_head"}
EVERY_MATRIX = ALL_LINEARS | {"embedding"}


@record
class MatrixBytes:
    payload: int
    metadata: int

    @property
    def total(self) -> int:
        return self.payload + self.metadata


# -- layouts: one small class per way of storing a matrix -------------------

@record
class Dense:
    """bytes = out * in * bits / 8, nothing else."""

    bits: int

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        return MatrixBytes(ceil(out * inp * self.bits / 8), 0)


@record
class GroupScaled:
    """Integer or float codes with scales along the input dimension.

    payload  = ceil(out * in * bits / 8)
    metadata = out * ceil(in / group) * (scale_bits + zero_bits) / 8     (group=0: one group per row)
             + in * column_bits / 8          (GPTQ's g_idx)
             + out * row_bits / 8            (per-output-channel scales)
             + tensor_bytes                  (per-tensor scalars)
    """

    bits: int
    group: int = 0
    scale_bits: int = 0
    zero_bits: int = 0
    column_bits: int = 0
    row_bits: int = 0
    tensor_bytes: int = 0

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        groups_per_row = ceil(inp / self.group) if self.group else 1
        meta_bits = out * groups_per_row * (self.scale_bits + self.zero_bits)
        meta_bits += inp * self.column_bits + out * self.row_bits
        return MatrixBytes(ceil(out * inp * self.bits / 8), ceil(meta_bits / 8) + self.tensor_bytes)


@record
class Block2D:
    """FP8 with one fp32 scale per (block x block) tile (DeepSeek-V3's weight_scale_inv).

    metadata = ceil(out / block) * ceil(in / block) * 4
    """

    block: int

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        return MatrixBytes(out * inp, ceil(out / self.block) * ceil(inp / self.block) * 4)


@record
class BnbFourBit:
    """bitsandbytes Params4bit: blocks run over the flattened tensor.

    payload  = ceil(n / 2)                           (two 4-bit codes per byte)
    metadata = 4 * ceil(n / 64) + 16 * 4             (fp32 absmax per block, 16-entry fp32 quant_map)
    double quantization: absmax becomes uint8, re-quantized in blocks of 256:
    metadata = ceil(n / 64) + 4 * ceil(ceil(n / 64) / 256) + 4 + 256 * 4 + 16 * 4
               (uint8 absmax, fp32 nested absmax, fp32 offset, 256-entry fp32 nested code, quant_map)
    """

    double_quant: bool
    blocksize: int = 64
    nested_blocksize: int = 256

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        n = out * inp
        blocks = ceil(n / self.blocksize)
        if self.double_quant:
            meta = blocks + 4 * ceil(blocks / self.nested_blocksize) + 4 + 256 * 4 + 16 * 4
        else:
            meta = 4 * blocks + 16 * 4
        return MatrixBytes(ceil(n / 2), meta)


@record
class GgufBlocks:
    """ggml block quantization: each row is cut into blocks of `weights` values.

    bytes = out * (in / weights) * block_bytes; the block's scales are inside
    block_bytes, so metadata = block bytes beyond `bits` per weight. A row that
    is not a whole number of blocks takes llama.cpp's fallback type
    (llama-quant.cpp, tensor_type_fallback), and F16 if that does not fit either.
    """

    weights: int
    block_bytes: int
    bits: int
    fallback: "GgufBlocks | None" = None

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        if inp % self.weights:
            if self.fallback is not None:
                return self.fallback.matrix_bytes(out, inp)
            return MatrixBytes(out * inp * 2, 0)
        blocks = out * (inp // self.weights)
        total = blocks * self.block_bytes
        payload = blocks * self.weights * self.bits // 8
        return MatrixBytes(payload, total - payload)


@record
class GgufFileType:
    """A llama.cpp file type (Q4_K_M, Q4_0, IQ4_XS ...): one ggml type per tensor, chosen by
    llama-quantize's rules from the tensor's name, layer and shape (calculators/gguf.py).

    A lone matrix is counted in the file type's default type; a whole model goes through
    `model_file`, which weights.weight_bytes uses.
    """

    file_type: str

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        return _gguf_blocks(FILE_TYPES[self.file_type]).matrix_bytes(out, inp)

    def model_file(self, arch):
        return gguf_file(arch, self.file_type)


@record
class Exl2Target:
    """exllamav2's EXL2 at an average of target_centibits / 100 bits per decoder weight, the head
    layer at head_bits (calculators/exl2.py). A lone matrix is counted at the target; a whole model
    goes through `model_file`: decoder layers at the target, the head's exact mix, the rest fp16."""

    target_centibits: int
    head_bits: int = 6

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        return MatrixBytes(*decoder_matrix_bytes(self.target_centibits, out, inp))

    def model_file(self, arch):
        return exl2_file(arch, self.target_centibits, self.head_bits)


def _gguf_blocks(name: str) -> GgufBlocks:
    """GgufBlocks for a ggml type, with llama.cpp's fallback for rows that are not whole blocks."""
    block = GGML_TYPES[name]
    fallback = FALLBACK.get(name)
    return GgufBlocks(block.weights, block.block_bytes, block.bits, _gguf_blocks(fallback) if fallback else None)


def _dashed(name: str) -> str:
    return name.lower().replace("_", "-")


@record
class Codebook:
    """AQLM additive quantization.

    codes     = out * ceil(in / in_group) * codebooks * code_bits / 8
    metadata  = codebooks * 2**code_bits * in_group * 2   (fp16 codebooks, per layer)
              + out * 2                                    (fp16 scale per output channel)
    """

    codebooks: int
    code_bits: int
    in_group: int = 8

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        codes = ceil(out * ceil(inp / self.in_group) * self.codebooks * self.code_bits / 8)
        meta = self.codebooks * (2 ** self.code_bits) * self.in_group * 2 + out * 2
        return MatrixBytes(codes, meta)


# The headings formats are listed under, by family.
FORMAT_GROUPS = {"float": "16- and 32-bit", "fp8": "8-bit", "bitsandbytes": "bitsandbytes",
                 "gptq": "GPTQ and AWQ", "awq": "GPTQ and AWQ", "generic": "Group-wise integer",
                 "hqq": "Group-wise integer", "gguf": "GGUF (llama.cpp)", "aqlm": "Codebooks (AQLM)",
                 "mlx": "Group-wise integer", "fp4": "4-bit floating point", "exl2": "EXL2 (ExLlamaV2)"}


@record
class WeightFormat:
    id: str
    label: str
    family: str
    layout: object
    quantized_parts: frozenset
    compute: str  # the data type the matmul runs in: "fp32", "bf16", "int8", "fp8" or "fp4"
    source: str
    notes: str = ""
    unquantized_bits: int = 16  # what the parts left out are stored in

    def matrix_bytes(self, out: int, inp: int) -> MatrixBytes:
        return self.layout.matrix_bytes(out, inp)

    @property
    def short_label(self) -> str:
        """The label without its parenthesis, short enough for a chart's axis."""
        return self.label.split(" (")[0]

    @property
    def group(self) -> str:
        """The heading it is listed under in a choice of formats."""
        if self.family == "torch":
            return "8-bit" if self.compute == "int8" or self.id.startswith("int8") else "Group-wise integer"
        return FORMAT_GROUPS[self.family]

    @property
    def nominal_bits(self) -> float:
        """Bits per weight of a 4096 x 4096 matrix, metadata included (for tables)."""
        return self.matrix_bytes(4096, 4096).total * 8 / 4096 ** 2


# -- the catalog --------------------------------------------------------------

_BNB_SOURCE = ("bitsandbytes functional.quantize_4bit (blocksize 64 over the flattened tensor, fp32 absmax, 16-entry "
               "fp32 quant_map; compress_statistics re-quantizes absmax to uint8 in blocks of 256) and QLoRA, arXiv "
               "2305.14314 sec. 3; transformers' bitsandbytes integration skips lm_head (get_keys_to_not_convert) "
               "and converts only nn.Linear, so embeddings stay 16-bit")
_BNB_NOTES = ("The quant_state JSON blob (about 80-175 bytes per layer) is left out. In transformers 5 the experts of "
              "MoE models are fused 3-D parameters, not nn.Linear, and the bitsandbytes integration does not convert "
              "them (read from its code, not yet measured); these figures assume experts are quantized, as in "
              "transformers 4.")
_GPTQ_SOURCE = ("GPTQ checkpoint layout as written by AutoGPTQ/GPTQModel and read by transformers and vLLM: "
                "qweight int32 (in*bits/32, out), qzeros int32 (groups, out*bits/32), scales fp16 (groups, out), "
                "g_idx int32 (in); qzeros are stored even for sym=True; embeddings and lm_head stay fp16")
_AWQ_SOURCE = ("AutoAWQ GEMM layout: qweight int32 (in, out/8), qzeros int32 (groups, out/8), scales fp16 "
               "(groups, out); no g_idx; embeddings and lm_head stay fp16")
_TINYGEMM_SOURCE = ("torch._convert_weight_to_int4pack / _weight_int4pack_mm (tinygemm): packed int4 plus "
                    "scales_and_zeros bf16 of shape (in/group, out, 2), as gpt-fast and torchao "
                    "Int4WeightOnlyConfig store it; torchao's quantize_ default filter takes every nn.Linear, "
                    "lm_head included")
_MXFP4_SOURCE = ("OCP Microscaling Formats (MX) Specification v1.0 (https://www.opencompute.org/documents/"
                 "ocp-microscaling-formats-mx-v1-0-spec-final-pdf): blocks of 32 FP4 E2M1 elements share one 8-bit "
                 "E8M0 power-of-two scale, 4.25 bits per weight")
_GGUF_SOURCE = "ggml-org/llama.cpp ggml/src/ggml-common.h block structs (block_q4_0 ... block_q6_K, QK_K = 256); llama.cpp keeps 1-D tensors in F32"


def _catalog() -> dict:
    formats = [
        WeightFormat("fp32", "FP32", "float", Dense(32), EVERY_MATRIX, "fp32",
                     "IEEE 754 binary32: 4 bytes per weight", unquantized_bits=32),
        WeightFormat("fp16", "FP16", "float", Dense(16), frozenset(), "bf16",
                     "IEEE 754 binary16: 2 bytes per weight"),
        WeightFormat("bf16", "BF16", "float", Dense(16), frozenset(), "bf16",
                     "bfloat16: 2 bytes per weight (8-bit exponent, 7-bit mantissa)"),
    ]
    fp8_source = ("FP8 formats (Micikevicius et al., arXiv 2209.05433); weights 1 byte each; scales fp32 as vLLM "
                  "holds them in memory (fp8_utils.create_fp8_scale_parameter: one per tensor, or (out, 1) per "
                  "channel); vLLM never quantizes lm_head or the embeddings, and llm-compressor's FP8 examples "
                  "ignore lm_head")
    for variant in ("e4m3", "e5m2"):
        formats += [
            WeightFormat(f"fp8-{variant}", f"FP8 {variant.upper()} (per-tensor scale)", "fp8",
                         GroupScaled(8, tensor_bytes=4), DECODER_LINEARS, "fp8", fp8_source),
            WeightFormat(f"fp8-{variant}-channel", f"FP8 {variant.upper()} (per-channel scales)", "fp8",
                         GroupScaled(8, row_bits=32), DECODER_LINEARS, "fp8", fp8_source),
        ]
    formats.append(WeightFormat(
        "fp8-e4m3-block128", "FP8 E4M3 (128x128 block scales)", "fp8", Block2D(128), DECODER_LINEARS,
        "fp8", "DeepSeek-V3 checkpoint: float8_e4m3fn weights with fp32 weight_scale_inv per 128x128 tile "
        "(quantization_config weight_block_size [128, 128]); embeddings, lm_head and gates stay bf16"))
    formats += [
        WeightFormat("int8-channel", "INT8 weight-only (per-channel)", "torch", GroupScaled(8, row_bits=16),
                     ALL_LINEARS, "bf16",
                     "torch._weight_int8pack_mm as gpt-fast/torchao use it: int8 weight (out, in) and one bf16 "
                     "scale per output channel; every nn.Linear, lm_head included"),
        WeightFormat("llm-int8", "LLM.int8() (bitsandbytes)", "bitsandbytes", GroupScaled(8, row_bits=32, tensor_bytes=1),
                     DECODER_LINEARS, "int8",
                     "bitsandbytes Int8Params: CB int8 (out, in), SCB fp32 per output row and a 1-byte "
                     "weight_format flag; outliers (threshold "
                     "6.0) are found in the activations at run time, not stored; transformers' bitsandbytes "
                     "integration skips lm_head and leaves nn.Embedding alone"),
        WeightFormat("int8-w8a8-channel", "INT8 W8A8 (SmoothQuant; per-channel weights)", "torch",
                     GroupScaled(8, row_bits=32), DECODER_LINEARS, "int8",
                     "SmoothQuant (Xiao et al., arXiv 2211.10438) as vLLM runs compressed-tensors int8 W8A8: int8 "
                     "weight (out, in), one fp32 scale per output channel, activations quantized per token at run "
                     "time; the smoothing factors are folded into the RMSNorm weights, so they add no bytes; "
                     "llm-compressor's W8A8 recipes ignore lm_head, and the embeddings stay 16-bit"),
        WeightFormat("nf4", "NF4 (bitsandbytes)", "bitsandbytes", BnbFourBit(False), DECODER_LINEARS, "bf16",
                     _BNB_SOURCE, _BNB_NOTES),
        WeightFormat("nf4-dq", "NF4 + double quantization (bitsandbytes)", "bitsandbytes", BnbFourBit(True),
                     DECODER_LINEARS, "bf16", _BNB_SOURCE, _BNB_NOTES),
        WeightFormat("fp4", "FP4 (bitsandbytes)", "bitsandbytes", BnbFourBit(False), DECODER_LINEARS, "bf16",
                     _BNB_SOURCE, _BNB_NOTES),
        WeightFormat("fp4-dq", "FP4 + double quantization (bitsandbytes)", "bitsandbytes", BnbFourBit(True),
                     DECODER_LINEARS, "bf16", _BNB_SOURCE, _BNB_NOTES),
    ]
    for group in (32, 64, 128, 256):
        formats.append(WeightFormat(
            f"int4-tinygemm-g{group}", f"INT4 g{group} (tinygemm, asymmetric)", "torch",
            GroupScaled(4, group, scale_bits=16, zero_bits=16), ALL_LINEARS, "bf16", _TINYGEMM_SOURCE,
            notes="gpt-fast and torchao pad in_features up to a multiple of 1024 when it is not a multiple of the "
                  "group and of 128; padding is not counted here."))
    for bits in (8, 4, 3, 2):
        for group in (32, 64, 128):
            formats.append(WeightFormat(
                f"gptq-int{bits}-g{group}", f"GPTQ {bits}-bit g{group}", "gptq",
                GroupScaled(bits, group, scale_bits=16, zero_bits=bits, column_bits=32), DECODER_LINEARS, "bf16",
                _GPTQ_SOURCE))
    for bits in (8, 4):
        formats.append(WeightFormat(
            f"gptq-int{bits}", f"GPTQ {bits}-bit, no grouping", "gptq",
            GroupScaled(bits, 0, scale_bits=16, zero_bits=bits, column_bits=32), DECODER_LINEARS, "bf16",
            _GPTQ_SOURCE + "; group_size -1 keeps one scale and one zero point per output channel (scales (1, out))",
            notes="The layout of the main branch of many older GPTQ repositories."))
    formats += [
        WeightFormat("mxfp4", "MXFP4 (OCP MX, blocks of 32)", "fp4", GroupScaled(4, 32, scale_bits=8),
                     DECODER_LINEARS, "fp4", _MXFP4_SOURCE,
                     notes="Blackwell tensor cores multiply MXFP4 natively; older GPUs dequantize it to 16-bit "
                           "before the multiply."),
        WeightFormat("mxfp4-experts", "MXFP4 experts, the rest BF16 (as gpt-oss ships)", "fp4",
                     GroupScaled(4, 32, scale_bits=8), frozenset({"experts"}), "bf16",
                     _MXFP4_SOURCE + "; gpt-oss model card (arXiv 2508.10925): the MoE expert weights are "
                     "post-trained to MXFP4, attention, router, embeddings and lm_head stay BF16 (checkpoint "
                     "tensors *_blocks uint8 (.., in/32, 16) and *_scales uint8 (.., in/32))"),
        WeightFormat("nvfp4", "NVFP4 W4A4 (blocks of 16, FP8 scales)", "fp4",
                     GroupScaled(4, 16, scale_bits=8, tensor_bytes=8), DECODER_LINEARS, "fp4",
                     "NVFP4 as compressed-tensors stores it (nvfp4-pack-quantized) and vLLM loads it "
                     "(CompressedTensorsW4A4Fp4.create_weights: weight_packed uint8 (out, in/2), weight_scale "
                     "float8_e4m3fn (out, in/16), weight_global_scale and input_global_scale fp32); "
                     "vllm-project/llm-compressor examples/quantization_w4a4_fp4/README.md @80f11695a8040891fba39d2175072d1b8db6ed40 "
                     "(groups of 16, per-tensor global scales, lm_head ignored); embeddings stay 16-bit",
                     notes="FP4 matrix multiplies need Blackwell (compute capability 10.0 or newer); vLLM runs NVFP4 "
                           "checkpoints weight-only on older GPUs."),
    ]
    for group in (32, 64, 128):
        formats.append(WeightFormat(
            f"awq-int4-g{group}", f"AWQ 4-bit g{group}", "awq",
            GroupScaled(4, group, scale_bits=16, zero_bits=4), DECODER_LINEARS, "bf16", _AWQ_SOURCE))
    for bits in (4, 3, 2):
        for group in (32, 64, 128):
            formats.append(WeightFormat(
                f"int{bits}-g{group}-sym", f"INT{bits} g{group} symmetric (scale only)", "generic",
                GroupScaled(bits, group, scale_bits=16), DECODER_LINEARS, "bf16",
                "Symmetric group-wise quantization: codes plus one fp16 scale per group and no zero point "
                "(as Marlin and ExLlamaV2 keep symmetric weights); embeddings and lm_head stay 16-bit"))
    for bits, group in ((8, 64), (4, 64), (3, 64), (2, 16)):
        formats.append(WeightFormat(
            f"hqq-int{bits}-g{group}", f"HQQ {bits}-bit g{group}", "hqq",
            GroupScaled(bits, group, scale_bits=16, zero_bits=16), DECODER_LINEARS, "bf16",
            "HQQ BaseQuantizeConfig (axis 1, quant_zero and quant_scale off): packed codes plus fp16 scale and "
            "fp16 zero per group; transformers' HqqConfig skips lm_head"))
    formats += [
        WeightFormat("aqlm-1x16", "AQLM 2-bit (1 codebook of 2^16, groups of 8)", "aqlm", Codebook(1, 16),
                     DECODER_LINEARS, "bf16",
                     "AQLM (arXiv 2401.06118): int16 codes per 8 weights, fp16 codebooks (1, 65536, 1, 8) per layer, "
                     "fp16 scales (out, 1, 1, 1); embeddings and lm_head stay fp16"),
        WeightFormat("aqlm-2x8", "AQLM 2-bit (2 codebooks of 2^8, groups of 8)", "aqlm", Codebook(2, 8),
                     DECODER_LINEARS, "bf16",
                     "AQLM (arXiv 2401.06118): two uint8 codes per 8 weights, fp16 codebooks (2, 256, 1, 8) per "
                     "layer, fp16 scales per output channel; embeddings and lm_head stay fp16"),
    ]
    for bits in (4, 8):
        formats.append(WeightFormat(
            f"mlx-int{bits}-g64", f"MLX {bits}-bit g64 (affine)", "mlx",
            GroupScaled(bits, 64, scale_bits=16, zero_bits=16), EVERY_MATRIX, "bf16",
            "MLX affine quantization (mlx.core.quantize: groups of 64 along the input dimension, one scale and one "
            "bias per group in the weights' 16-bit type); mlx_lm convert -q quantizes every Linear and the "
            "Embedding (mlx.nn.quantize), default 4 bits"))
    # The rates turboderp publishes per model (e.g. https://huggingface.co/turboderp/Llama-3.2-1B-exl2/blob/
    # 4b433c24e7ec135cc14d12547972faf7a5439368/README.md: 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0 and 8.0 bpw) and
    # bartowski's 6.5; bartowski's EXL2 READMEs (e.g. https://huggingface.co/bartowski/Mistral-7B-Instruct-v0.2-exl2-experimental)
    # say the head takes 8 bits above 6.0 bpw and convert.py's default 6 otherwise.
    for centibits in (250, 300, 350, 400, 450, 500, 600, 650, 800):
        head_bits = 8 if centibits > 600 else 6
        rate = f"{centibits / 100:.1f}"
        formats.append(WeightFormat(
            f"exl2-{rate}bpw" + ("-h8" if head_bits == 8 else ""), f"EXL2 {rate} bpw (head {head_bits}-bit)", "exl2",
            Exl2Target(centibits, head_bits), ALL_LINEARS, "bf16",
            f"{EXL2_SOURCE}: each linear layer stores q_weight (int32 codes packed per group), q_scale (4-bit per "
            f"group and output column), q_scale_max (fp16) and q_groups (2 x int16) per group, q_invperm (int32 per "
            f"input feature) and an fp16 bias; convert.py -b {rate} -hb {head_bits}; embeddings and norms fp16",
            notes=f"Exact: the head layer (the {head_bits}-bit mix {HEAD_MIXES[head_bits].bits} of "
                  "qparams_headoptions, with its scales and permutation; a tied embedding still gets a quantized "
                  "head of its own), and the fp16 embeddings and norms. By construction: the decoder layers' total, "
                  f"which exllamav2's optimizer keeps within {rate} bits per weight, scales, permutation and biases "
                  "included. Which layer gets how many bits depends on the model's measurement pass, so a real "
                  "file's per-layer mix differs and its decoder can fall slightly under the target; the group "
                  "scales (which depend on the mix) are counted with the codes, and only q_invperm as metadata. The "
                  "revision cited converts the families its architecture.py lists (Llama, Mistral, Mixtral, Qwen2, "
                  "Gemma, Gemma 2, Phi-3, Cohere, Granite, StarCoder2, InternLM2, MiniCPM, DBRX and a few more); for "
                  "other models the figure is what this layout would cost."))
    for name, block in GGML_TYPES.items():
        if block.weights == 1 or name.startswith("IQ"):
            continue
        formats.append(WeightFormat(
            f"gguf-{_dashed(name)}-pure", f"GGUF {name} (every matrix, --pure)", "gguf", _gguf_blocks(name),
            EVERY_MATRIX, "bf16", f"{_GGUF_SOURCE}: {name} stores {block.weights} weights in {block.block_bytes} bytes",
            notes="Every 2-D tensor in one type, embeddings and output included, as llama-quantize --pure writes "
                  "it; the file types without --pure (gguf-q4-0, gguf-q4-k-m, ...) choose a type per tensor.",
            unquantized_bits=32))
    for name, default in FILE_TYPES.items():
        imatrix = "made with an importance matrix" if name in IMATRIX_BY_DEFAULT else "made without an importance matrix"
        formats.append(WeightFormat(
            f"gguf-{_dashed(name)}", f"GGUF {name} (llama.cpp file type)", "gguf", GgufFileType(name),
            EVERY_MATRIX, "bf16",
            f"{QUANT_SOURCE}: the type llama-quantize gives each tensor for {name} (default {default}); block "
            f"sizes from ggml-common.h; header and tokenizer metadata estimated (calculators/gguf.py)",
            notes=f"Exact per-tensor types, counted as a file {imatrix}; the GGUF header and tokenizer are "
                  "counted in the file size, not in the weights held in memory.", unquantized_bits=32))
    return {fmt.id: fmt for fmt in formats}


WEIGHT_FORMATS = _catalog()

# Ids that earlier versions used: the model-wide "-mix" averages are now exact file types, and the
# one-type-for-every-matrix GGUF formats are the "-pure" ones.
WEIGHT_FORMAT_ALIASES = {
    **{f"gguf-{_dashed(name)}-mix": f"gguf-{_dashed(name)}"
       for name in ("Q2_K", "Q3_K_S", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0", "IQ4_XS",
                    "IQ2_XXS")},
    "gguf-q3-k": "gguf-q3-k-pure", "gguf-q4-k": "gguf-q4-k-pure", "gguf-q5-k": "gguf-q5-k-pure",
}


def resolve_weight_format_id(name) -> str | None:
    """The catalog id a name stands for: an id, an old id, or a llama.cpp file-type name
    ('Q4_K_M', 'q4_k_m', 'model-Q4_K_M.gguf'); None when it names no format."""
    if not isinstance(name, str):
        return None
    if name in WEIGHT_FORMATS:
        return name
    if name in WEIGHT_FORMAT_ALIASES:
        return WEIGHT_FORMAT_ALIASES[name]
    file_type = normalize_file_type(name)
    return f"gguf-{_dashed(file_type)}" if file_type else None


def weight_format(format_id: str) -> WeightFormat:
    try:
        return WEIGHT_FORMATS[resolve_weight_format_id(format_id)]
    except (KeyError, TypeError):
        raise CalculatorError(
            f"unknown weight format {str(format_id)[:40]!r}; `python -m calculators formats` lists them",
            "format") from None


# -- KV cache -----------------------------------------------------------------

@record
class KVFormat:
    """How cached keys and values are stored.

    Per token, a vector of `width` elements costs
        width * bits / 8 + n_groups * (scale_bits + zero_bits) / 8
    where n_groups = heads * ceil(head_dim / group) (group 0: one group per head).
    `layer_bytes` are per-layer constants (fp8's k_scale and v_scale), and the
    last `residual_tokens` tokens stay in 16-bit (Hugging Face's QuantizedCache).
    """

    id: str
    label: str
    bits: int
    source: str
    group: int = 0
    scale_bits: int = 0
    zero_bits: int = 0
    layer_bytes: int = 0
    residual_tokens: int = 0

    def vector_bytes_x8(self, heads: int, head_dim: int) -> int:
        """Eight times the bytes of one token's vector (kept integral until the end)."""
        groups = heads * (ceil(head_dim / self.group) if self.group else 1)
        metadata_bits = groups * (self.scale_bits + self.zero_bits) if (self.scale_bits or self.zero_bits) else 0
        return heads * head_dim * self.bits + metadata_bits


_HF_QUANTIZED_CACHE = ("transformers QuantizedCache (q_group_size 64, residual_length 128): quanto/HQQ store a "
                       "16-bit scale and zero per group of 64; new tokens wait in a 16-bit residual that is "
                       "re-quantized when it reaches 128, so up to 127 tokens per layer are 16-bit, counted here "
                       "at that maximum. KIVI, arXiv 2402.02750, keeps a similar 16-bit residual")

# The quantized types llama.cpp's KV cache can hold (common/arg.cpp kv_cache_types); each block is
# bits per element plus one fp16 scale (and one fp16 minimum for Q4_1 and Q5_1) per 32 elements.
_LLAMA_CPP_KV_TYPES = ("Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL")

KV_FORMATS = {fmt.id: fmt for fmt in (
    KVFormat("fp32", "FP32", 32, "4 bytes per element"),
    KVFormat("fp16", "FP16", 16, "2 bytes per element (the default cache dtype of most engines)"),
    KVFormat("bf16", "BF16", 16, "2 bytes per element"),
    KVFormat("fp8-e4m3", "FP8 E4M3", 8, "vLLM kv_cache_dtype fp8_e4m3: 1 byte per element, one fp32 k_scale and "
             "v_scale per layer", layer_bytes=8),
    KVFormat("fp8-e5m2", "FP8 E5M2", 8, "vLLM kv_cache_dtype fp8_e5m2: 1 byte per element, no scales"),
    KVFormat("int8", "INT8 (per token and head, fp16 scale)", 8,
             "int8 codes with one fp16 scale per token and head (symmetric), as in LMDeploy's and TensorRT-LLM's "
             "int8 KV cache", scale_bits=16),
    KVFormat("int4-g64", "INT4 group 64 (HF QuantizedCache)", 4, _HF_QUANTIZED_CACHE, group=64, scale_bits=16,
             zero_bits=16, residual_tokens=127),
    KVFormat("int2-g64", "INT2 group 64 (HF QuantizedCache)", 2, _HF_QUANTIZED_CACHE, group=64, scale_bits=16,
             zero_bits=16, residual_tokens=127),
    *(KVFormat(f"gguf-{_dashed(name)}", f"{name} (llama.cpp cache type {name.lower()})", GGML_TYPES[name].bits,
               f"llama.cpp --cache-type-k/-v {name.lower()}: each token's keys (and values) of a layer are one row "
               f"of {name} blocks, {GGML_TYPES[name].block_bytes} bytes per 32 elements (ggml-org/llama.cpp "
               f"ggml/src/ggml-common.h); a quantized V cache needs flash attention", group=32, scale_bits=16,
               zero_bits=16 if name in ("Q4_1", "Q5_1") else 0)
      for name in _LLAMA_CPP_KV_TYPES),
)}


# llama.cpp's --cache-type-k/-v names for the formats above.
_LLAMA_CPP_KV_NAMES = {"f32": "fp32", "f16": "fp16", "bf16": "bf16", **{
    name.lower(): f"gguf-{_dashed(name)}" for name in _LLAMA_CPP_KV_TYPES}}


def resolve_kv_format_id(name) -> str | None:
    """The KV-format id a name stands for: an id or a llama.cpp cache type ('q8_0', 'f16'); None otherwise."""
    if not isinstance(name, str):
        return None
    if name in KV_FORMATS:
        return name
    return _LLAMA_CPP_KV_NAMES.get(name.strip().lower())


def kv_format(format_id: str) -> KVFormat:
    try:
        return KV_FORMATS[resolve_kv_format_id(format_id)]
    except (KeyError, TypeError):
        raise CalculatorError(
            f"unknown KV-cache format {str(format_id)[:40]!r}; choose one of {', '.join(KV_FORMATS)}",
            "kv_format") from None
