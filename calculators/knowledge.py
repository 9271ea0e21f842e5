"""What the decision wizard knows about quantization methods, as data with a source for every fact.

Each method says how it is stored (a weight format id of `formats.py`, so the fit calculators can size it),
whether it needs calibration data, whether adapters can be trained on it, which runtimes load it, and, per
runtime and hardware, whether a kernel runs it natively, runs it through a fallback (another scheme), or not at
all. Rules that rank methods cite the study they come from. The wizard (`wizard.py`) reads only this module
and the evidence summary of the project's own records; it never decides from a method's name.
"""

from .records import field, record

# -- sources ---------------------------------------------------------------------------------------------------

SOURCES = {
    "pagedattention": "Kwon et al., Efficient Memory Management for Large Language Model Serving with "
                      "PagedAttention, arXiv 2309.06180: systems that reserve each request's KV cache contiguously up "
                      "front waste 60-80% of it; paging it lets vLLM batch 2-4x more requests at the same latency",
    "kurtic": "Kurtic et al., \"Give Me BF16 or Give Me Death\"? Accuracy-Performance Trade-Offs in LLM "
              "Quantization, arXiv 2411.02355 (ACL 2025): Llama-3.1 8B/70B/405B, vLLM on A6000, A100 and H100",
    "vllm-hw": "vLLM docs, Quantization, Supported Hardware table "
               "(https://docs.vllm.ai/en/v0.11.2/features/quantization/)",
    "vllm-fp8": "vLLM docs, FP8 W8A8 (https://docs.vllm.ai/en/v0.11.2/features/quantization/fp8.html): "
                "W8A8 FP8 needs compute capability 8.9 or newer; on 8.0-8.6 FP8 checkpoints run weight-only "
                "(W8A16) through the FP8 Marlin kernel; --quantization fp8 quantizes a 16-bit checkpoint on load",
    "vllm-kv": "vLLM docs, Quantized KV Cache (https://docs.vllm.ai/en/v0.11.2/features/quantization/"
               "quantized_kvcache.html): --kv-cache-dtype fp8 halves KV-cache bytes; scales default to 1.0 unless "
               "calibrated",
    "vllm-bf16": "vLLM refuses bfloat16 below compute capability 8.0 ('Bfloat16 is only supported on GPUs with "
                 "compute capability of at least 8.0'; vllm/platforms/cuda.py) and asks for --dtype float16",
    "vllm-engine": "vLLM engine arguments (https://docs.vllm.ai/en/stable/configuration/engine_args.html): "
                   "--gpu-memory-utilization (default 0.9) is the share of each GPU vLLM takes, weights, "
                   "activations and then KV cache, whatever the model's size",
    "vllm-tp-groups": "vLLM GPTQ/AWQ linear methods (vllm/model_executor/layers/quantization/gptq.py, awq.py, "
                      "create_weights): 'The input size is not aligned with the quantized weight shape. This can "
                      "be caused by too large tensor parallel size.' when in_features / tensor-parallel size is not "
                      "a multiple of the group size",
    "llm-compressor": "vllm-project/llm-compressor docs/steps/choosing-scheme.md: W4A16 and W8A16 need compute "
                      "capability 7.5; W8A8-INT8 7.5; W8A8-FP8 8.9; NVFP4 and MXFP4 (4-bit floating-point weights "
                      "and activations) 10.0, Blackwell; FP8 dynamic needs no calibration data",
    "marlin": "IST-DASLab/marlin README: 4-bit g128 kernel close to the ideal 3.87x over FP16 up to batch 16-32, "
              "compute capability 8.0 or newer",
    "sglang": "SGLang docs, Quantization (https://docs.sglang.io/docs/advanced_features/quantization): offline "
              "AWQ, GPTQ, FP8, INT8 W8A8 checkpoints and online fp8",
    "tgi": "text-generation-inference docs, Quantization (https://huggingface.co/docs/text-generation-inference/"
           "conceptual/quantization): GPTQ, AWQ, bitsandbytes, EETQ, Marlin, EXL2 and fp8; bitsandbytes and fp8 "
           "quantized on load",
    "trtllm": "NVIDIA TensorRT-LLM docs, Numerical Precision (https://nvidia.github.io/TensorRT-LLM/reference/"
              "precision.html): FP8 (Ada and Hopper), INT8 SmoothQuant, INT4/INT8 weight-only, AWQ and GPTQ",
    "transformers": "transformers docs, Quantization overview table (https://huggingface.co/docs/transformers/"
                    "quantization/overview): per method CPU, CUDA, ROCm, Metal support and PEFT fine-tuning",
    "bnb": "bitsandbytes docs and release notes: NF4/FP4 on compute capability 5.0+, LLM.int8() on 7.5+; CPU "
           "int8 and 4-bit from 0.47; Apple Metal (mps) from 0.50",
    "qlora": "Dettmers et al., QLoRA, arXiv 2305.14314: NF4 with double quantization; 4-bit base with LoRA "
             "adapters matches 16-bit full fine-tuning on the tasks studied",
    "llm-int8": "Dettmers et al., LLM.int8(), arXiv 2208.07339: int8 matmul with 16-bit outlier columns, no "
                "perplexity loss up to 175B",
    "awq": "Lin et al., AWQ, arXiv 2306.00978, Table 4: Llama-2-70B WikiText-2 perplexity FP16 3.32, INT4 g128 "
           "AWQ 3.41, GPTQ 3.42",
    "gptq": "Frantar et al., GPTQ, arXiv 2210.17323; IST-DASLab/gptq README",
    "llama.cpp-ppl": "llama.cpp tools/perplexity/README.md at commit f364eb6f: Llama-3-8B WikiText-2 against FP16, "
                     "mean KL divergence q8_0 0.001355, q4_K_M 0.028152 (imatrix), q2_K 0.445132",
    "llama.cpp": "llama.cpp README and tools/server/README.md: CUDA, HIP (AMD), Metal and CPU back ends; -ngl "
                 "layers on the GPU, -c context shared by the -np parallel slots, -ctk/-ctv KV-cache types",
    "ollama": "Ollama README (github.com/ollama/ollama): runs GGUF models through llama.cpp",
    "exllamav2": "turboderp/exllamav2 README: loads GPTQ 4-bit and EXL2 models on NVIDIA GPUs",
    "mlx": "MLX docs, mlx.core.quantize (https://ml-explore.github.io/mlx/build/html/python/_autosummary/"
           "mlx.core.quantize.html): affine mode, groups of 64, 4 bits by default; ml-explore/mlx-lm README: "
           "mlx_lm.convert -q, mlx_lm.server",
    "mlx-lora": "ml-explore/mlx-lm LORA.md: LoRA on a quantized model trains as QLoRA",
    "peft-gptq": "transformers docs, GPTQ: adapters can be trained on GPTQ models with PEFT (ExLlama kernels off)",
    "measured": "this project's records in gpu_runs/, summarised by `python -m generator evidence`",
}


def short_source(key: str) -> str:
    """A source's name without its details (the text before the first ': ')."""
    return SOURCES[key].split(": ")[0]


# -- kernels: where a method runs, per runtime ---------------------------------------------------------------

NATIVE, FALLBACK = "native", "fallback"


@record
class Kernel:
    """One way a runtime runs a method. `platform` is nvidia, amd, apple or cpu; for nvidia the compute
    capability must lie in [min_cc, below_cc). `needs_rate` names a dense rate the chip must publish (FP8 on
    AMD needs CDNA3's). A fallback runs another `scheme` (and may store another `format`)."""

    runtime: str
    platform: str
    status: str
    scheme: str
    source: str
    min_cc: float | None = None
    below_cc: float | None = None
    needs_rate: str | None = None
    format: str | None = None  # a different storage than the method's, where the kernel needs it
    note: str = ""


@record
class PublishedQuality:
    claim: str
    source: str


@record
class Method:
    id: str
    label: str
    scheme: str  # the scheme it runs as natively
    format: str  # weight format id (formats.py)
    calibration: bool
    fine_tunable: bool
    fine_tune_source: str
    loaders: dict  # runtime -> source key: which runtimes load it
    kernels: tuple
    quality_tier: int  # 0 lossless reference ... 4 large loss; the basis is in `quality`
    quality: tuple
    howto: str
    measured_speed: dict = field(default_factory=dict)  # scheme -> evidence method labels (speed)
    measured_quality: tuple = ()  # evidence method labels (quality on the reference models)
    training_method: str | None = None  # training.py method when fine-tuning with it
    bits: float = 16.0  # nominal weight bits, for "fewer bits" suggestions
    group_size: int = 0  # group-quantized along the input dimension: tensor-parallel shards need whole groups


RUNTIME_LABELS = {"vllm": "vLLM", "sglang": "SGLang", "tgi": "TGI", "trtllm": "TensorRT-LLM",
                  "llama.cpp": "llama.cpp", "ollama": "Ollama", "exllamav2": "ExLlamaV2", "mlx": "MLX (mlx-lm)",
                  "transformers": "transformers"}

# Runtimes the wizard launches, in the order it prefers them for each goal: serving engines first when serving,
# the local tools first on one's own machine, transformers + PEFT (or mlx-lm) for training.
RUNTIME_PREFERENCE = {
    "serve": ("vllm", "tgi", "llama.cpp", "mlx"),
    "local": ("llama.cpp", "mlx", "vllm", "transformers"),
    "finetune": ("transformers", "mlx"),
}


def _all(runtime, status, scheme, source, platforms=("nvidia", "amd", "apple", "cpu"), **extra):
    return tuple(Kernel(runtime, platform, status, scheme, source, **extra) for platform in platforms)


_GGUF_LOADERS = {"llama.cpp": "llama.cpp", "ollama": "ollama", "vllm": "vllm-hw", "transformers": "transformers"}

METHODS = (
    Method(
        "bf16", "16-bit (no quantization)", "BF16", "bf16", calibration=False, fine_tunable=True,
        fine_tune_source="qlora",
        loaders={"transformers": "transformers", "vllm": "vllm-hw", "sglang": "sglang", "tgi": "tgi",
                 "trtllm": "trtllm", "llama.cpp": "llama.cpp", "mlx": "mlx"},
        kernels=(Kernel("vllm", "nvidia", NATIVE, "BF16", "vllm-bf16", min_cc=8.0),
                 Kernel("vllm", "nvidia", FALLBACK, "FP16", "vllm-bf16", min_cc=7.0, below_cc=8.0, format="fp16",
                        note="no bfloat16 below compute capability 8.0: served in float16 (--dtype float16)"),
                 Kernel("vllm", "amd", NATIVE, "BF16", "vllm-hw"),
                 *_all("llama.cpp", NATIVE, "FP16", "llama.cpp", platforms=("apple", "cpu"), format="fp16"),
                 Kernel("mlx", "apple", NATIVE, "BF16", "mlx"),
                 Kernel("transformers", "nvidia", NATIVE, "BF16", "transformers", min_cc=8.0),
                 Kernel("transformers", "amd", NATIVE, "BF16", "transformers")),
        quality_tier=0, quality=(PublishedQuality("the reference every other method is compared with", "kurtic"),),
        howto="Serve the published checkpoint as it is.", training_method="lora"),
    Method(
        "fp8-dynamic", "FP8 (weights per channel, activations per token, no calibration)", "FP8-W8A8",
        "fp8-e4m3-channel", calibration=False, fine_tunable=False, fine_tune_source="transformers",
        loaders={"vllm": "vllm-fp8", "sglang": "sglang", "tgi": "tgi", "trtllm": "trtllm"},
        kernels=(Kernel("vllm", "nvidia", NATIVE, "FP8-W8A8", "vllm-fp8", min_cc=8.9),
                 Kernel("vllm", "nvidia", FALLBACK, "FP8-W8A16", "vllm-fp8", min_cc=8.0, below_cc=8.9,
                        note="no FP8 tensor cores below compute capability 8.9: vLLM runs the FP8 weights through "
                             "the Marlin weight-only kernel (W8A16), which saves memory but not compute"),
                 Kernel("vllm", "amd", NATIVE, "FP8-W8A8", "vllm-hw", needs_rate="fp8")),
        quality_tier=1,
        quality=(PublishedQuality("W8A8-FP8 recovers the 16-bit accuracy at every Llama-3.1 size", "kurtic"),),
        howto="No calibration: `--quantization fp8` quantizes the 16-bit checkpoint as vLLM loads it, or "
              "llm-compressor's FP8_DYNAMIC scheme writes an FP8 checkpoint once.",
        measured_speed={"FP8-W8A8": ("fp8-e4m3-channel-w8a8-dynamic",),
                        "FP8-W8A16": ("fp8-e4m3-channel-weight-only",)},
        measured_quality=("fp8-e4m3-channel-w8a8-dynamic", "fp8 v1 (fp8-e4m3-channel)"), bits=8),
    Method(
        "int8-w8a8", "INT8 W8A8 (SmoothQuant + GPTQ, llm-compressor)", "INT8-W8A8", "int8-w8a8-channel",
        calibration=True, fine_tunable=False, fine_tune_source="transformers",
        loaders={"vllm": "vllm-hw", "sglang": "sglang", "trtllm": "trtllm"},
        kernels=(Kernel("vllm", "nvidia", NATIVE, "INT8-W8A8", "vllm-hw", min_cc=7.5),
                 Kernel("vllm", "cpu", NATIVE, "INT8-W8A8", "vllm-hw")),
        quality_tier=2,
        quality=(PublishedQuality("well-tuned W8A8-INT8 loses 1-3% of the 16-bit accuracy on Llama-3.1", "kurtic"),),
        howto="Quantize once with llm-compressor (SmoothQuant then GPTQ, W8A8 recipe) on a few hundred calibration "
              "samples; vLLM reads the scheme from the checkpoint.",
        measured_speed={"INT8-W8A8": ("smoothquant-w8a8-a0.5",)},
        measured_quality=("smoothquant-w8a8-a0.5", "smoothquant v1 (int8-w8a8-channel)"), bits=8),
    Method(
        "int8-w8a16", "INT8 W8A16 (weight-only per channel, llm-compressor)", "INT8-W8A16", "int8-channel",
        calibration=True, fine_tunable=False, fine_tune_source="transformers",
        loaders={"vllm": "llm-compressor"},
        kernels=(Kernel("vllm", "nvidia", NATIVE, "INT8-W8A16", "llm-compressor", min_cc=7.5,
                        note="8-bit weights unpacked to 16-bit in the matmul: half the weight bytes of BF16, "
                             "16-bit arithmetic"),),
        quality_tier=1,
        quality=(PublishedQuality("8-bit weights per output channel with 16-bit activations; no published accuracy "
                                  "figure for this scheme is in the knowledge base", "llm-compressor"),),
        howto="Quantize once with llm-compressor's W8A16 scheme (GPTQ on a few hundred calibration samples); vLLM "
              "reads the scheme from the checkpoint. Where the GPU has FP8, FP8 W8A8 needs no calibration and "
              "also uses the 8-bit tensor cores.",
        # The project's int8 weight-only speed is of torch's int8 matmul, not of vLLM's kernels: quality only.
        measured_quality=("int8-channel", "int8-weight-only v1 (int8-channel)"), bits=8),
    Method(
        "nvfp4", "NVFP4 W4A4 (4-bit floating point, llm-compressor)", "FP4-W4A4", "nvfp4", calibration=True,
        fine_tunable=False, fine_tune_source="transformers", loaders={"vllm": "llm-compressor"},
        # FP4 tensor cores: Blackwell, which publishes an FP4 rate. vLLM also runs NVFP4 checkpoints weight-only on
        # older GPUs; that path is not in the knowledge base, so they are not offered it.
        kernels=(Kernel("vllm", "nvidia", NATIVE, "FP4-W4A4", "llm-compressor", min_cc=10.0, needs_rate="fp4",
                        note="FP4 weights and activations on the FP4 tensor cores"),),
        quality_tier=2,
        quality=(PublishedQuality("4-bit floating-point weights and activations in blocks of 16 with FP8 scales; no "
                                  "published accuracy figure for it is in the knowledge base", "llm-compressor"),),
        howto="Quantize once with llm-compressor's NVFP4 scheme (it calibrates the activations' global scales on a "
              "few hundred samples); vLLM reads the scheme from the checkpoint.",
        bits=4.5, group_size=16),
    Method(
        "awq", "AWQ 4-bit g128 (W4A16)", "INT4-W4A16", "awq-int4-g128", calibration=True, fine_tunable=True,
        fine_tune_source="transformers",
        loaders={"vllm": "vllm-hw", "sglang": "sglang", "tgi": "tgi", "trtllm": "trtllm",
                 "transformers": "transformers"},
        kernels=(Kernel("vllm", "nvidia", NATIVE, "INT4-W4A16", "vllm-hw", min_cc=8.0,
                        note="runs through the Marlin kernel (awq_marlin)"),
                 Kernel("vllm", "nvidia", NATIVE, "INT4-W4A16", "vllm-hw", min_cc=7.5, below_cc=8.0,
                        note="AWQ's own GEMM kernel: Marlin needs compute capability 8.0"),
                 Kernel("vllm", "cpu", NATIVE, "INT4-W4A16", "vllm-hw"),
                 Kernel("transformers", "nvidia", NATIVE, "INT4-W4A16", "transformers", min_cc=7.5),
                 Kernel("transformers", "amd", NATIVE, "INT4-W4A16", "transformers")),
        quality_tier=2,
        quality=(PublishedQuality("W4A16-INT is competitive with W8A8-INT8 across Llama-3.1", "kurtic"),
                 PublishedQuality("Llama-2-70B WikiText-2 perplexity 3.32 (FP16) to 3.41 (AWQ INT4 g128)", "awq")),
        howto="Quantize once (AutoAWQ, or llm-compressor's AWQ W4A16 recipe) on a small calibration set "
              "(about 10 minutes for an 8B model on one A100, transformers docs), or use a published AWQ "
              "checkpoint; vLLM reads the scheme from it.",
        measured_speed={"INT4-W4A16": ("int4-tinygemm-g128",)},
        measured_quality=("awq-int4-g128", "awq v2 (int4-tinygemm-g128)"), bits=4, group_size=128),
    Method(
        "gptq", "GPTQ 4-bit g128 (W4A16)", "INT4-W4A16", "gptq-int4-g128", calibration=True, fine_tunable=True,
        fine_tune_source="peft-gptq",
        loaders={"vllm": "vllm-hw", "sglang": "sglang", "tgi": "tgi", "trtllm": "trtllm",
                 "exllamav2": "exllamav2", "transformers": "transformers"},
        kernels=(Kernel("vllm", "nvidia", NATIVE, "INT4-W4A16", "vllm-hw", min_cc=8.0,
                        note="runs through the Marlin kernel (gptq_marlin)"),
                 Kernel("vllm", "nvidia", NATIVE, "INT4-W4A16", "vllm-hw", min_cc=7.0, below_cc=8.0,
                        note="the ExLlama GPTQ kernel: Marlin needs compute capability 8.0"),
                 Kernel("vllm", "cpu", NATIVE, "INT4-W4A16", "vllm-hw"),
                 Kernel("transformers", "nvidia", NATIVE, "INT4-W4A16", "transformers", min_cc=7.0),
                 Kernel("transformers", "amd", NATIVE, "INT4-W4A16", "transformers")),
        quality_tier=2,
        quality=(PublishedQuality("W4A16-INT (GPTQ) is competitive with W8A8-INT8 across Llama-3.1", "kurtic"),
                 PublishedQuality("Llama-2-70B WikiText-2 perplexity 3.32 (FP16) to 3.42 (GPTQ INT4 g128)", "awq")),
        howto="Quantize once with GPTQModel or llm-compressor (W4A16 recipe) on a calibration set (about 20 "
              "minutes for an 8B model on one A100, transformers docs), or use a published GPTQ checkpoint.",
        measured_speed={"INT4-W4A16": ("int4-tinygemm-g128",)},
        measured_quality=("gptq-int4-g128", "gptq-int4-g128-act-order"), bits=4, group_size=128),
    Method(
        "nf4", "bitsandbytes NF4 (double quantization)", "NF4", "nf4-dq", calibration=False, fine_tunable=True,
        fine_tune_source="qlora",
        loaders={"transformers": "transformers", "vllm": "vllm-hw", "tgi": "tgi"},
        kernels=(Kernel("vllm", "nvidia", NATIVE, "NF4", "vllm-hw", min_cc=7.0),
                 Kernel("transformers", "nvidia", NATIVE, "NF4", "bnb", min_cc=5.0),
                 Kernel("transformers", "cpu", NATIVE, "NF4", "bnb"),
                 Kernel("transformers", "apple", NATIVE, "NF4", "bnb")),
        quality_tier=3,
        quality=(PublishedQuality("NF4 is the QLoRA base: adapters on it match 16-bit fine-tuning", "qlora"),),
        howto="No calibration: bitsandbytes quantizes as the model loads (BitsAndBytesConfig with "
              "4-bit NF4 weights and double quantization).",
        measured_speed={"NF4": ("nf4",)}, measured_quality=("nf4-dq", "bnb-4bit v1 (nf4-dq)"),
        training_method="qlora", bits=4),
    Method(
        "llm-int8", "bitsandbytes LLM.int8()", "INT8-W8A8", "llm-int8", calibration=False, fine_tunable=True,
        fine_tune_source="transformers",
        loaders={"transformers": "transformers", "tgi": "tgi"},
        kernels=(Kernel("tgi", "nvidia", NATIVE, "INT8-W8A8", "tgi", min_cc=7.5),
                 Kernel("transformers", "nvidia", NATIVE, "INT8-W8A8", "bnb", min_cc=7.5),
                 Kernel("transformers", "cpu", NATIVE, "INT8-W8A8", "bnb")),
        quality_tier=1, quality=(PublishedQuality("no perplexity loss up to 175B parameters", "llm-int8"),),
        howto="No calibration: BitsAndBytesConfig(load_in_8bit=True), or TGI's --quantize bitsandbytes.",
        measured_speed={"INT8-W8A8": ("llm-int8",)}, measured_quality=("llm-int8", "bnb-llm-int8 v1 (llm-int8)"),
        bits=8),
    Method(
        "gguf-q8-0", "GGUF Q8_0 (llama.cpp)", "GGUF", "gguf-q8-0", calibration=False, fine_tunable=False,
        fine_tune_source="llama.cpp", loaders=_GGUF_LOADERS,
        kernels=_all("llama.cpp", NATIVE, "GGUF", "llama.cpp"),
        quality_tier=1,
        quality=(PublishedQuality("Llama-3-8B: mean KL divergence 0.0014 from FP16", "llama.cpp-ppl"),),
        howto="Convert once with llama.cpp's convert_hf_to_gguf.py and llama-quantize (no calibration), or "
              "use a published GGUF file; `ollama run` takes the same file.", bits=8.5),
    Method(
        "gguf-q4-k-m", "GGUF Q4_K_M (llama.cpp)", "GGUF", "gguf-q4-k-m", calibration=False,
        fine_tunable=False, fine_tune_source="llama.cpp", loaders=_GGUF_LOADERS,
        kernels=_all("llama.cpp", NATIVE, "GGUF", "llama.cpp"),
        quality_tier=3,
        quality=(PublishedQuality("Llama-3-8B: mean KL divergence 0.028 from FP16 (0.031 without an importance "
                                  "matrix)", "llama.cpp-ppl"),),
        howto="Convert with convert_hf_to_gguf.py, then `llama-quantize model-f16.gguf model-Q4_K_M.gguf Q4_K_M` "
              "(an importance matrix from llama-imatrix is optional and lowers the loss); or a published file.",
        bits=4.9),
    Method(
        "gguf-q2-k", "GGUF Q2_K (llama.cpp)", "GGUF", "gguf-q2-k", calibration=False, fine_tunable=False,
        fine_tune_source="llama.cpp", loaders=_GGUF_LOADERS,
        kernels=_all("llama.cpp", NATIVE, "GGUF", "llama.cpp"),
        quality_tier=4,
        quality=(PublishedQuality("Llama-3-8B: mean KL divergence 0.445 from FP16, perplexity 6.23 to 9.75",
                                  "llama.cpp-ppl"),),
        howto="llama-quantize ... Q2_K, best with an importance matrix; a last resort for memory.", bits=3.2),
    Method(
        "mlx-4bit", "MLX 4-bit g64", "MLX", "mlx-int4-g64", calibration=False, fine_tunable=True,
        fine_tune_source="mlx-lora", loaders={"mlx": "mlx"},
        kernels=(Kernel("mlx", "apple", NATIVE, "MLX", "mlx"),),
        quality_tier=3,
        quality=(PublishedQuality("round-to-nearest 4-bit with a scale and bias per 64 weights; no published "
                                  "figure for it is in the knowledge base", "mlx"),),
        howto="`mlx_lm.convert --hf-path REPO -q` (4 bits, groups of 64, no calibration), then mlx_lm.server or "
              "mlx_lm.generate.", bits=4.5),
)

METHODS_BY_ID = {method.id: method for method in METHODS}

# Fine-tuning methods: what training.py computes, each run by transformers + PEFT.
FINETUNE = {
    "full": ("Full fine-tuning (BF16, AdamW)", "BF16", "bf16", "qlora"),
    "lora": ("LoRA on a 16-bit base", "BF16", "bf16", "qlora"),
    "qlora": ("QLoRA (LoRA on an NF4 base)", "NF4", "nf4-dq", "qlora"),
}
FINETUNE_KERNELS = {
    "full": (Kernel("transformers", "nvidia", NATIVE, "BF16", "transformers", min_cc=8.0),
             Kernel("transformers", "amd", NATIVE, "BF16", "transformers")),
    "lora": (Kernel("transformers", "nvidia", NATIVE, "BF16", "transformers", min_cc=8.0),
             Kernel("transformers", "amd", NATIVE, "BF16", "transformers"),
             Kernel("mlx", "apple", NATIVE, "BF16", "mlx-lora")),
    "qlora": (Kernel("transformers", "nvidia", NATIVE, "NF4", "bnb", min_cc=5.0),
              Kernel("mlx", "apple", NATIVE, "MLX", "mlx-lora", format="mlx-int4-g64")),
}


# -- rules from the evidence -------------------------------------------------------------------------------------

@record
class Rule:
    id: str
    statement: str
    source: str


RULES = {
    "sync-w4a16": Rule("sync-w4a16", "for latency-bound serving (one request, or few, at a time) 4-bit weight-only "
                       "(W4A16) gave the lowest cost per request", "kurtic"),
    "async-w8a8": Rule("async-w8a8", "for throughput under continuous batching of mid-size and large models on "
                       "high-end GPUs (A100, H100), W8A8 (FP8 where the GPU has it, else INT8) beat 4-bit weight-only",
                       "kurtic"),
    "async-midtier": Rule("async-midtier", "on mid-tier GPUs (A6000) 4-bit weight-only stayed the most "
                          "cost-efficient under continuous batching too", "kurtic"),
    "marlin-batch": Rule("marlin-batch", "4-bit weight-only kernels keep their speedup over 16-bit only up to about "
                         "16-32 tokens per step; beyond, the dequantization is paid in compute", "marlin"),
    "measured-slow": Rule("measured-slow", "measured on this project's GPU records at less than half the speed of "
                          "bf16 at this batch: ranked after the methods that were not", "measured"),
    "static-kv": Rule("static-kv", "for many concurrent requests on a GPU server, an engine that pages the KV cache "
                      "and batches continuously (vLLM, SGLang, TGI) serves more of them than one that splits a fixed "
                      "context among its slots (llama.cpp's -c over -np) or pads a static batch (transformers' "
                      "generate): ranked after those that do", "pagedattention"),
    "large-loss": Rule("large-loss", "its published quality loss is large: ranked after the others unless memory "
                       "is the priority", "llama.cpp-ppl"),
}
# The slowest card the study counted as high-end (A100: 312 dense bf16 TFLOP/s) and the smallest model for which
# it found W8A8 ahead under continuous batching (the 70B; the 8B counted as small).
HIGH_END_BF16_FLOPS_S = 312e12
MID_SIZE_PARAMS = 20e9
# Batch beyond which 4-bit weight-only loses its edge (the upper end of Marlin's range).
MARLIN_BATCH = 32
# A measured speed below this fraction of bf16's demotes a method.
SLOW_RATIO = 0.5


# -- the questions people keep asking --------------------------------------------------------------------------

QUESTIONS = {
    "4bit-slower-at-concurrency": (
        "Why can 4-bit be slower than 16-bit at high concurrency?", ("marlin", "kurtic")),
    "quantized-uses-same-memory": (
        "Why does a quantized model 'use as much memory' as 16-bit in vLLM?", ("vllm-engine",)),
    "fp8-before-ada": ("Does FP8 work on GPUs older than compute capability 8.9?", ("vllm-fp8", "vllm-hw")),
    "bitsandbytes-serving": ("Should I serve with bitsandbytes?", ("measured", "tgi")),
    "fp8-kv-safe": ("Is an FP8 KV cache safe?", ("vllm-kv",)),
}
