"""The questions of the self-check quiz (docs/exam-prep/quiz.md), as data.

Each question names the section that teaches its answer (`link`, a docs-relative page and anchor). A choice is
text, or a `Calc`: a number the calculators compute when the site is built, so an answer key never goes stale
when a formula or a catalogue entry changes. The page is drawn by generator/site/figures/quiz.py; the tests
check every `Calc` against a direct `calculators.web.compute` call and every link against the built site.

Text may hold `code` in backticks; everything else is plain text (the renderer escapes it).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Calc:
    """A number from a calculator: `compute(page, inputs)["result"][field]`, times `factor`, written with
    `unit` (one of the prose filters: gb, gib, num) to `digits` decimals, then `suffix`."""

    page: str
    inputs: tuple  # ((name, value), ...): hashable, in the order written
    field: str
    unit: str = "num"
    digits: int = 2
    factor: float = 1.0
    suffix: str = ""


def calc(page: str, field_name: str, unit: str = "num", digits: int = 2, factor: float = 1.0, suffix: str = "",
         **inputs) -> Calc:
    return Calc(page, tuple((key, str(value)) for key, value in inputs.items()), field_name, unit, digits, factor,
                suffix)


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    choices: tuple  # str or Calc
    answer: int  # index into choices
    why: str  # why the answer is right (and the usual wrong turn), shown after any answer
    link: str  # "learn/number-formats.md#fp8": the section that teaches it
    topic: str = field(default="")  # the section's name in the link text


Q = Question

QUESTIONS = (
    # -- Learn: what quantization is --------------------------------------------------------------------
    Q("weights-70b-bf16", "How much memory do the weights of Llama 3.1 70B take in BF16?",
      (calc("weights", "total_bytes", "gb", model="llama-3.1-70b", format="fp32"),
       calc("weights", "total_bytes", "gb", model="llama-3.1-70b", format="bf16"),
       calc("weights", "total_bytes", "gb", model="llama-3.1-70b", format="awq-int4-g128"),
       calc("weights", "total_bytes", "gb", model="llama-3.1-70b", format="bf16", factor=0.5)), 1,
      "Two bytes per parameter, before any KV cache or runtime overhead. The last figure is one byte per "
      "parameter; the first two are FP32 and AWQ 4-bit.",
      "learn/index.md#memory-arithmetic", "Memory arithmetic"),
    Q("bandwidth-limit", "A dense 8B model generates text for one user on one GPU. What mostly sets the time "
      "of each new token?",
      ("The GPU's peak FLOP/s", "Reading every weight from GPU memory once per token",
       "The speed of the tokenizer", "The PCIe link to the CPU"), 1,
      "At batch 1 each weight is used for about two floating-point operations per token, so the step waits on "
      "memory bandwidth, not on arithmetic. That is why fewer bytes per weight can mean more tokens a second.",
      "learn/index.md#bandwidth", "Bandwidth"),
    Q("what-it-costs", "What does quantization give up in exchange for the memory it saves?",
      ("Nothing: rounding to fewer bits is lossless",
       "Rounding error, which can cost quality, and speed too where the kernel for the format is slow",
       "Only the time it takes to load the model",
       "The ability to run on more than one GPU"), 1,
      "Every weight moves to the nearest point of a coarser grid. The error is usually small at 8 bits and "
      "grows below 4; and a format only runs fast where a kernel computes with it efficiently.",
      "learn/index.md#what-quantization-costs", "What quantization costs"),
    # -- Number formats ----------------------------------------------------------------------------------
    Q("fp8-digits", "About how many significant decimal digits does an FP8 E4M3 number carry?",
      ("About 0.9", "About 1.2", "About 2.4", "About 3.3"), 1,
      "E4M3 has 3 stored mantissa bits plus the implicit leading one: 4 significant bits, and log10(2^4) is "
      "about 1.2. E5M2 (2 mantissa bits) carries about 0.9, FP16 (10 bits) about 3.3.",
      "learn/number-formats.md#fp8", "FP8"),
    Q("bf16-range", "Why does a model that overflows in FP16 usually run fine in BF16?",
      ("BF16 has more mantissa bits than FP16",
       "BF16 keeps FP32's 8 exponent bits, so it spans the same range; it pays with fewer mantissa bits",
       "BF16 uses 32 bits in memory", "BF16 clips every value to [-1, 1]"), 1,
      "FP16 has 5 exponent and 10 mantissa bits (largest value 65,504); BF16 has 8 and 7, the range of FP32 "
      "with less precision.",
      "learn/number-formats.md#bf16-vs-fp16", "BF16 and FP16"),
    Q("int4-levels", "How many distinct values can one 4-bit integer code represent?",
      ("8", "15", "16", "32"), 2,
      "Four bits make 2^4 = 16 codes. Symmetric schemes sometimes leave one of them unused to keep zero "
      "exactly in the middle.",
      "learn/number-formats.md#int8-int4", "INT8 and INT4"),
    Q("nf4-levels", "How does NF4 place its 16 levels?",
      ("Evenly spaced between the block's minimum and maximum",
       "At quantiles of a normal distribution, so levels are denser near zero where most weights are",
       "At powers of two", "Learned by gradient descent for each layer"), 1,
      "QLoRA's NF4 (Dettmers et al. 2023, arXiv 2305.14314) assumes weights are roughly normal within a "
      "block and spends its codes where they fall most often; each block has its own absmax scale.",
      "learn/number-formats.md#nf4", "NF4"),
    Q("fp4-blocks", "MXFP4 and NVFP4 both store 4-bit E2M1 elements. How do they differ?",
      ("MXFP4 shares a power-of-two (E8M0) scale over 32 elements; NVFP4 an FP8 E4M3 scale over 16",
       "MXFP4 is integer, NVFP4 is floating point", "NVFP4 has no scale at all",
       "They are two names for one format"), 0,
      "The OCP microscaling spec gives MXFP4 blocks of 32 with an 8-bit exponent-only scale; NVIDIA's NVFP4 "
      "uses smaller blocks of 16 with an FP8 scale (and a per-tensor FP32 scale), so it follows local ranges "
      "more closely.",
      "learn/number-formats.md#fp4", "FP4"),
    Q("fp32-size", "Llama 3.1 8B stored in FP32 takes how much memory for its weights?",
      (calc("weights", "total_bytes", "gb", model="llama-3.1-8b", format="bf16"),
       calc("weights", "total_bytes", "gb", model="llama-3.1-8b", format="fp32"),
       calc("weights", "total_bytes", "gb", model="llama-3.1-8b", format="nf4"),
       calc("weights", "total_bytes", "gb", model="llama-3.1-8b", format="fp32", factor=2)), 1,
      "Four bytes per parameter, twice BF16. Training keeps FP32 master weights; inference rarely needs them.",
      "learn/number-formats.md#fp32", "FP32"),
    # -- Scale and zero point -----------------------------------------------------------------------------
    Q("zero-point", "In asymmetric quantization, what is the zero point?",
      ("The smallest weight of the tensor", "The integer code that stands for the real value 0, which shifts "
       "the grid so an off-centre range uses every code", "A weight that is pruned", "The scale's exponent"), 1,
      "Symmetric quantization maps 0 to code 0 and uses one scale; asymmetric adds the zero point so a range "
      "such as [-0.2, 1.0] is not wasted on values that never occur.",
      "learn/scale-and-zero-point.md#symmetric-asymmetric", "Symmetric and asymmetric"),
    Q("per-channel", "Why are weights usually quantized per output channel (or per group) rather than per "
      "tensor?",
      ("It is faster to compute one scale", "So that one channel with large values does not set a coarse scale "
       "for every other channel", "Per-tensor scales are not allowed by PyTorch",
       "Per-channel needs no scale"), 1,
      "With a single scale the largest magnitude anywhere in the tensor decides the step size for all of it; "
      "finer granularity lets each channel or group use its own range, at the cost of storing more scales.",
      "learn/scale-and-zero-point.md#granularity", "Granularity"),
    Q("gptq-7b-size", "Llama 2 7B in GPTQ 4-bit with group size 128 (scales and zero points counted, "
      "embeddings and output head in 16 bits): how large are the weights?",
      (calc("weights", "total_bytes", "gb", model="llama-2-7b", format="bf16", factor=0.25),
       calc("weights", "total_bytes", "gb", model="llama-2-7b", format="gptq-int4-g128"),
       calc("weights", "total_bytes", "gb", model="llama-2-7b", format="bf16"),
       calc("weights", "total_bytes", "gb", model="llama-2-7b", format="gptq-int8-g128")), 1,
      "Half a byte per parameter alone gives the first figure, but each group of 128 weights also stores a "
      "scale and a zero point, and the embedding table and output head stay 16-bit.",
      "learn/scale-and-zero-point.md#group-size-cost", "What a group size costs"),
    Q("dynamic-static", "With dynamic activation quantization, when is the activation scale chosen?",
      ("Once, from calibration data, before deployment", "At run time, from the values of each token or tensor "
       "as it passes", "Never: activations keep 16 bits", "During pre-training"), 1,
      "Dynamic scales follow the data (robust, a small cost per call); static scales are fixed in advance "
      "from calibration data and cost nothing at run time, but a value outside the calibrated range clips.",
      "learn/scale-and-zero-point.md#dynamic-static", "Dynamic and static"),
    Q("double-quant", "What does QLoRA's double quantization quantize?",
      ("The activations, a second time", "The per-block scales of the NF4 weights, which are stored in 8 bits "
       "instead of 32", "The LoRA adapters", "The KV cache"), 1,
      "With blocks of 64 weights an FP32 scale costs 0.5 bit per weight; quantizing those scales to 8 bits (in "
      "blocks of 256 with their own FP32 scale) brings the overhead to about 0.127 bit.",
      "learn/scale-and-zero-point.md#double-quantization", "Double quantization"),
    # -- PTQ and QAT ----------------------------------------------------------------------------------------
    Q("ptq-needs", "What does post-training quantization (PTQ) need?",
      ("A full training run on the pre-training corpus", "A trained model and, for most methods, a small set of "
       "calibration samples; no training loop", "Labelled task data", "A second, larger teacher model"), 1,
      "PTQ methods quantize a finished model in minutes to hours; some (round-to-nearest, NF4, HQQ) need no data "
      "at all, others (GPTQ, AWQ, SmoothQuant) run a few hundred samples through it.",
      "learn/ptq-and-qat.md#ptq", "PTQ"),
    Q("qat-gradients", "Rounding has a zero gradient almost everywhere. How does quantization-aware training "
      "still learn?",
      ("It skips rounding during training", "With the straight-through estimator: the backward pass treats "
       "rounding as the identity", "By training only the biases", "It cannot; QAT uses no gradients"), 1,
      "The forward pass sees the quantized weights, so the model learns to live with their error; the backward "
      "pass passes gradients through the rounding step unchanged.",
      "learn/ptq-and-qat.md#qat", "QAT"),
    Q("calibration-domain", "You quantize a code model with GPTQ using only English news articles as "
      "calibration data. What is the risk?",
      ("None: calibration data does not matter", "The method minimizes error on activations unlike the ones "
       "the model will see, so quality on code can drop more than it should", "The file will be larger",
       "GPTQ refuses text that is not code"), 1,
      "Methods that use calibration data decide which errors matter from the activations it produces; data "
      "close to the real workload gives them the right picture.",
      "learn/ptq-and-qat.md#calibration-data", "Calibration data"),
    # -- Outliers ---------------------------------------------------------------------------------------------
    Q("outlier-scale", "Dettmers et al. (LLM.int8(), arXiv 2208.07339) found that large-magnitude activation "
      "features spread through nearly every layer from about which model size?",
      ("125M parameters", "1.3B parameters", "6.7B parameters", "175B parameters"), 2,
      "Below that size the outliers are scattered; from about 6.7B they appear in the same feature dimensions "
      "across layers, and plain 8-bit activation quantization loses badly.",
      "learn/outliers.md#outlier-features", "Outlier features"),
    Q("llm-int8-how", "How does LLM.int8() keep outliers from ruining 8-bit matrix products?",
      ("It clips them to the INT8 range", "It computes the few outlier feature dimensions in 16 bits and the "
       "rest in INT8, then adds the two results", "It quantizes them to 4 bits", "It retrains the model"), 1,
      "A mixed-precision decomposition: columns whose activations exceed a threshold (6 by default) go through "
      "an FP16 product, which keeps quality but costs speed.",
      "learn/outliers.md#llm-int8", "LLM.int8()"),
    Q("smoothquant-how", "What does SmoothQuant do before quantizing to W8A8?",
      ("It removes outlier tokens from the input", "It divides each activation channel by a factor and "
       "multiplies the matching weights by it, moving the hard part from activations to weights",
       "It keeps activations in FP16", "It prunes half of the weights"), 1,
      "The product is unchanged mathematically; the migration strength (alpha, 0.5 by default) sets how much "
      "of the range moves (Xiao et al. 2022, arXiv 2211.10438).",
      "learn/outliers.md#smoothquant", "SmoothQuant"),
    Q("awq-idea", "What is AWQ's central observation?",
      ("All weights matter equally", "A small share of weight channels, found from activation magnitudes, "
       "matters most; scaling them up before quantizing protects them without keeping them in 16 bits",
       "Weights should be stored in FP8", "The output head can be removed"), 1,
      "Lin et al. (arXiv 2306.00978) search a per-channel scale from calibration activations; the scaled "
      "weights round with less relative error and the inverse scale folds into the previous operator.",
      "learn/outliers.md#awq-scaling", "AWQ's scaling"),
    # -- Weights and activations ------------------------------------------------------------------------------
    Q("w4a16-math", "In W4A16 weight-only quantization, in what precision are the matrix products computed?",
      ("4-bit integer", "16-bit: weights are dequantized on the fly and multiplied with 16-bit activations",
       "8-bit integer", "FP32"), 1,
      "Weight-only saves memory and bandwidth; the arithmetic stays 16-bit, which is why it helps most when "
      "decoding is bound by memory bandwidth.",
      "learn/weights-and-activations.md#weight-only", "Weight-only"),
    Q("w8a8-throughput", "For high-throughput serving under continuous batching, which scheme gave the best "
      "throughput in Kurtic et al. 2024 (arXiv 2411.02355)?",
      ("4-bit weight-only (W4A16)", "8-bit weights and activations (W8A8, INT8 or FP8)", "BF16",
       "2-bit AQLM"), 1,
      "Large batches make the products compute-bound, and W8A8 runs them on 8-bit tensor cores; 4-bit "
      "weight-only wins where latency at low batch matters.",
      "learn/weights-and-activations.md#w8a8", "W8A8"),
    Q("fp8-hardware", "Which NVIDIA GPUs have FP8 tensor cores?",
      ("Every GPU since Volta", "Compute capability 8.9 and up (Ada, Hopper, Blackwell); not the A100 (8.0)",
       "Only the A100", "Only consumer GeForce cards"), 1,
      "On an A100 an FP8 checkpoint can still save memory as weight-only (dequantized to 16 bits), but W8A8 "
      "FP8 products need 8.9 or later.",
      "learn/weights-and-activations.md#hardware-support", "Hardware support"),
    # -- The methods ------------------------------------------------------------------------------------------
    Q("gptq-how", "What makes GPTQ more accurate than rounding each weight to the nearest level?",
      ("It uses more bits", "It quantizes weights one column at a time and adjusts the columns not yet "
       "quantized to compensate, using second-order information from calibration data",
       "It trains the model again", "It skips the attention layers"), 1,
      "Frantar et al. (arXiv 2210.17323) use the inverse Hessian of each layer's reconstruction error, "
      "computed from calibration activations.",
      "learn/methods.md#gptq", "GPTQ"),
    Q("awq-data", "Which of these does AWQ use to choose its scales?",
      ("Gradients of the training loss", "Activation statistics from a small calibration set",
       "Nothing: it is data-free", "A teacher model's logits"), 1,
      "AWQ needs no backpropagation and little data; it measures how large each input channel's activations are "
      "and searches scales that minimize the layer's output error.",
      "learn/methods.md#awq", "AWQ"),
    Q("bnb-data", "How much calibration data does bitsandbytes NF4 need?",
      ("None: it quantizes each block from its own absmax when the model loads", "A few hundred samples",
       "The full pre-training corpus", "One sample per layer"), 0,
      "That is why `load_in_4bit` works on any checkpoint as it loads, and why methods that do use data "
      "(GPTQ, AWQ) can beat it at the same bit width.",
      "learn/methods.md#bitsandbytes", "bitsandbytes"),
    Q("gguf-km", "What is the \"_M\" in the GGUF type Q4_K_M?",
      ("It means the file was made with an importance matrix", "A fixed mix: a rule that gives some tensors "
       "(for example parts of attention V and the feed-forward down projection) a higher-bit k-quant",
       "Medium context length", "Mixed FP8 and INT4"), 1,
      "K-quants are super-block formats; _S, _M and _L are per-tensor rules built into llama.cpp's quantizer. "
      "The importance matrix is a separate, optional input to any of them.",
      "learn/methods.md#gguf", "GGUF"),
    Q("hqq-what", "What sets HQQ apart?",
      ("It needs a large calibration set", "It is calibration-free: it optimizes each group's zero point and "
       "scale against the weights alone, in minutes", "It only works on CPUs", "It stores 16-bit weights"), 1,
      "Half-quadratic quantization minimizes a robust error between the weights and their quantized copy; no "
      "activations are needed.",
      "learn/methods.md#hqq", "HQQ"),
    Q("aqlm-what", "How does AQLM reach about 2 bits per weight?",
      ("Round-to-nearest with 2-bit integers", "Additive vector quantization: groups of weights are coded as "
       "sums of vectors from learned codebooks", "Pruning 90% of the weights", "Storing weights in FP2"), 1,
      "Egiazarian et al. (arXiv 2401.06118) encode each group of 8 weights with one or two codebook indices; "
      "the codebooks are learned per layer.",
      "learn/methods.md#aqlm", "AQLM"),
    Q("quip-what", "What does QuIP# apply before quantizing to make weights easier to code?",
      ("Random Hadamard transforms (incoherence processing), then an E8 lattice codebook",
       "A sort of the weights by size", "Knowledge distillation", "FP8 conversion"), 0,
      "Multiplying by random orthogonal (Hadamard) matrices spreads out large entries; the E8 lattice packs "
      "8-dimensional vectors efficiently (Tseng et al., arXiv 2402.04396).",
      "learn/methods.md#quip-sharp", "QuIP#"),
    Q("spqr-what", "How does SpQR treat the weights that are most sensitive to quantization?",
      ("It drops them", "It keeps them in higher precision in a separate sparse matrix, and quantizes the rest "
       "in small groups", "It doubles their group size", "It replaces them with their mean"), 1,
      "Dettmers et al. (arXiv 2306.03078) isolate the outliers so the dense part can use few bits.",
      "learn/methods.md#spqr", "SpQR"),
    Q("fp8-methods", "FP8 W8A8 with per-channel weight scales and dynamic per-token activation scales: what does "
      "Kurtic et al. 2024 report about its accuracy?",
      ("Large losses on every task", "Essentially lossless against BF16 across their evaluations",
       "Only usable below 1B parameters", "Worse than 2-bit methods"), 1,
      "Their half a million evaluations (arXiv 2411.02355) found FP8 W8A8 recovering BF16 accuracy, INT8 W8A8 "
      "a little behind and well-tuned 4-bit weight-only competitive.",
      "learn/methods.md#fp8", "FP8"),
    Q("smoothquant-methods", "Which method is a W8A8 scheme rather than a weight-only one?",
      ("GPTQ", "AWQ", "SmoothQuant", "NF4"), 2,
      "SmoothQuant exists to make activations quantizable to 8 bits; the other three quantize weights only and "
      "compute in 16 bits.",
      "learn/methods.md#smoothquant", "SmoothQuant"),
    Q("methods-compare", "Which two methods store 4-bit weights without any calibration data?",
      ("GPTQ and AWQ", "bitsandbytes NF4 and HQQ", "SpQR and AQLM", "SmoothQuant and LLM.int8()"), 1,
      "GPTQ, AWQ, SpQR and AQLM all run calibration data through the model; SmoothQuant and LLM.int8() are "
      "8-bit schemes.",
      "learn/methods.md#comparison", "Comparing the methods"),
    # -- Fine-tuning --------------------------------------------------------------------------------------------
    Q("qlora-trains", "In QLoRA, which parameters does the optimizer update?",
      ("All of them, in NF4", "Only the LoRA adapters, kept in 16 bits; the NF4 base stays frozen",
       "Only the embeddings", "The NF4 scales"), 1,
      "Gradients flow through the dequantized base to the small adapter matrices; the base's 4-bit weights "
      "never change.",
      "learn/fine-tuning.md#qlora", "QLoRA"),
    Q("qlora-memory", "Llama 3.1 8B, QLoRA rank 16, AdamW, 2,048 tokens, batch 1, activation checkpointing "
      "on: what does the training calculator estimate?",
      (calc("training", "total_bytes", "gib", method="full"),
       calc("training", "total_bytes", "gib", method="lora"),
       calc("training", "total_bytes", "gib", method="qlora"),
       calc("training", "total_bytes", "gib", method="qlora", factor=0.25)), 2,
      "The base weights in NF4 are the largest term; the adapters and their optimizer state are small. LoRA "
      "on a 16-bit base and full fine-tuning give the larger figures.",
      "learn/fine-tuning.md#qlora-memory", "QLoRA's memory"),
    Q("merge-requant", "You merge a QLoRA adapter into its base and quantize the merged model to NF4 again. "
      "What happens?",
      ("Nothing changes: the result is bit-identical", "Every weight is rounded to a new NF4 grid, which adds a "
       "new quantization error on top of the adapter's effect", "The adapter is lost entirely",
       "The model grows to 16 bits"), 1,
      "Merging in 16 bits only rounds the sum of the base and the adapter's update; quantizing the merged "
      "weights again rounds each of them to the new grid, an error the adapter was never trained to correct. "
      "Compare the final model with the un-merged one.",
      "learn/fine-tuning.md#merging-adapters", "Merging adapters"),
    # -- Run it fast --------------------------------------------------------------------------------------------
    Q("intensity-gemv", "A matrix-vector product (batch 1) with BF16 weights: about how many FLOPs per byte "
      "of weights read?",
      ("About 1", "About 16", "About 128", "About 1,000"), 0,
      "Each 2-byte weight takes part in one multiply and one add: 2 FLOPs per 2 bytes. GPUs need hundreds of "
      "FLOPs per byte to be compute-bound.",
      "run-it-fast/index.md#arithmetic-intensity", "Arithmetic intensity"),
    Q("ridge-h100", "From the roofline calculator: at what arithmetic intensity (FLOPs per byte) does an H100 "
      "SXM stop being memory-bound in BF16?",
      (calc("roofline", "ridge_point", "num", 0, gpu="a100-sxm-80gb"),
       calc("roofline", "ridge_point", "num", 0, gpu="h100-sxm"),
       calc("roofline", "ridge_point", "num", 0, gpu="l40s"),
       "1"), 1,
      "The ridge point is peak FLOP/s divided by memory bandwidth. The other figures are the A100 SXM's and "
      "the L40S's ridge points.",
      "run-it-fast/index.md#roofline", "The roofline"),
    Q("decode-bound", "Llama 3.1 8B in BF16 on one H100 SXM, batch 1, 512-token prompt: what is the "
      "roofline's upper bound on decode speed (tokens per second)?",
      (calc("roofline", "tokens_per_s", "num", 0, format="bf16"),
       calc("roofline", "tokens_per_s", "num", 0, format="bf16", factor=10),
       calc("roofline", "tokens_per_s", "num", 0, format="bf16", gpu="a100-sxm-80gb"),
       calc("roofline", "tokens_per_s", "num", 0, format="awq-int4-g128")), 0,
      "Each step reads all 16-bit weights plus the KV cache; bandwidth divided by those bytes bounds the rate. "
      "The last figure is the same model in AWQ 4-bit, the third an A100's.",
      "run-it-fast/index.md#decode-is-memory-bound", "Decode is memory-bound"),
    Q("quant-changes", "Same model, GPU and batch, but AWQ 4-bit weights: what does the roofline bound become?",
      (calc("roofline", "tokens_per_s", "num", 0, format="bf16"),
       calc("roofline", "tokens_per_s", "num", 0, format="fp8-e4m3-channel"),
       calc("roofline", "tokens_per_s", "num", 0, format="awq-int4-g128"),
       calc("roofline", "tokens_per_s", "num", 0, format="awq-int4-g128", factor=4)), 2,
      "About a quarter of the weight bytes to read per token; less than four times the speed, because the "
      "KV cache, the embeddings and the scales still have to be read. A real kernel gets below the bound.",
      "run-it-fast/index.md#what-quantization-changes", "What quantization changes"),
    # -- KV cache -----------------------------------------------------------------------------------------------
    Q("kv-llama2", "Llama 2 7B (32 layers, 32 KV heads of 128) caches one sequence of 4,096 tokens in FP16. "
      "How large is its KV cache?",
      (calc("kv", "total_bytes", "gib", model="llama-2-7b", context=4096, kv_format="fp16", factor=0.5),
       calc("kv", "total_bytes", "gib", model="llama-2-7b", context=4096, kv_format="fp16"),
       calc("kv", "total_bytes", "gib", model="llama-2-7b", context=4096, kv_format="fp16", factor=4),
       calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=4096, kv_format="fp16")), 1,
      "2 (K and V) x 32 layers x 32 heads x 128 x 2 bytes x 4,096 tokens. Forgetting the factor 2 for K and V "
      "gives the first figure.",
      "run-it-fast/kv-cache.md#kv-size", "KV cache size"),
    Q("kv-gqa", "Llama 3.1 8B has 32 query heads but only 8 KV heads. Its BF16 KV cache at 8,192 tokens is:",
      (calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=8192),
       calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=8192, factor=4),
       calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=8192, factor=0.125),
       calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=8192, factor=2)), 0,
      "Grouped-query attention stores K and V for 8 heads, not 32: a quarter of what full multi-head attention "
      "would need (the second figure).",
      "run-it-fast/kv-cache.md#gqa-mqa-mla", "GQA, MQA and MLA"),
    Q("sliding", "With sliding-window attention of W tokens, how does a sliding layer's KV cache grow with the "
      "context?",
      ("Linearly, without limit", "Up to W tokens, then it stays the same size", "Quadratically",
       "It needs no KV cache"), 1,
      "A sliding layer only attends to the last W tokens, so older entries can be dropped. Models such as "
      "Gemma 2 mix sliding and global layers, and the global ones still grow.",
      "run-it-fast/kv-cache.md#sliding-window", "Sliding windows"),
    Q("kv-fp8", "Llama 3.1 8B at 32,768 tokens, one sequence, KV cache in FP8 E4M3: how large?",
      (calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=32768, kv_format="bf16"),
       calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=32768, kv_format="fp8-e4m3"),
       calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=32768, kv_format="int4-g64"),
       calc("kv", "total_bytes", "gib", model="llama-3.1-8b", context=8192, kv_format="fp8-e4m3")), 1,
      "One byte per element instead of two halves the cache (the scale costs a few bytes). The INT4 figure "
      "includes its per-group scales.",
      "run-it-fast/kv-cache.md#kv-quantization", "KV-cache quantization"),
    Q("paged", "What waste does paged attention remove, and what is left?",
      ("It removes all waste", "It stops reserving a whole maximum-length slab per sequence; what remains is "
       "at most the unused part of each sequence's last block", "It compresses the KV cache to 4 bits",
       "It removes the KV cache of finished sequences only"), 1,
      "KV memory is handed out in fixed-size blocks as a sequence grows (Kwon et al., vLLM, arXiv 2309.06180), "
      "so fragmentation and over-reservation mostly disappear.",
      "run-it-fast/kv-cache.md#paged-attention", "Paged attention"),
    Q("prefix", "Many requests start with the same long system prompt. What does prefix caching save?",
      ("Nothing for long prompts", "Recomputing (and storing again) the KV cache of the shared prefix",
       "The decode steps of every request", "The model weights"), 1,
      "The server keeps the prefix's KV blocks and reuses them, so prefill starts where the shared part ends.",
      "run-it-fast/kv-cache.md#prefix-caching", "Prefix caching"),
    # -- Speculative decoding -------------------------------------------------------------------------------------
    Q("draft-verify", "In speculative decoding, what does the large target model do in one step?",
      ("Generates one token, as usual", "Scores all the draft's proposed tokens in a single forward pass and "
       "keeps the longest accepted prefix, plus one token of its own", "Trains the draft model",
       "Checks the output for safety"), 1,
      "Verification of k tokens costs about one memory-bound forward pass, which is why the method pays off "
      "when the draft is often right.",
      "run-it-fast/speculative-decoding.md#draft-and-verify", "Draft and verify"),
    Q("exactness", "Why does speculative sampling produce exactly the target model's distribution?",
      ("Because the draft is trained on the target's outputs", "A draft token x is accepted with probability "
       "min(1, p(x)/q(x)); on rejection the token is drawn from the normalized max(0, p - q)",
       "It only works with greedy decoding", "It does not; it is an approximation"), 1,
      "This rejection rule (Leviathan et al., arXiv 2211.17192; Chen et al., arXiv 2302.01318) makes every "
      "emitted token follow p, whatever the draft proposes.",
      "run-it-fast/speculative-decoding.md#exactness", "Exactness"),
    Q("acceptance", "Each draft token is accepted with probability 0.8, and the draft proposes 4 tokens per "
      "step. How many tokens does one target step yield on average?",
      (calc("speculative", "expected_tokens", "num", 2, acceptance=0.6),
       calc("speculative", "expected_tokens", "num", 2),
       calc("speculative", "expected_tokens", "num", 2, draft_tokens=8),
       "4.00"), 1,
      "(1 - a^(k+1)) / (1 - a) with a = 0.8 and k = 4. The first figure is for an acceptance of 0.6, the third "
      "for 8 draft tokens.",
      "run-it-fast/speculative-decoding.md#acceptance-rate", "Acceptance rate"),
    Q("variants", "Which variant trades the exact output distribution for more accepted tokens when sampling?",
      ("Standard speculative sampling with a draft model", "Medusa with its typical-acceptance scheme",
       "Greedy decoding with prompt lookup", "None of them"), 1,
      "Medusa's typical acceptance (Cai et al., arXiv 2401.10774) accepts plausible candidates rather than "
      "applying the rejection rule; with greedy decoding the variants are exact.",
      "run-it-fast/speculative-decoding.md#variants", "Variants"),
    # -- Distillation and pruning -----------------------------------------------------------------------------
    Q("distill", "In knowledge distillation, what does the student learn from?",
      ("Only the hard labels of the data", "The teacher's output distributions (soft targets), usually with the "
       "data's own labels", "The teacher's weights, copied", "Random noise"), 1,
      "Soft targets carry how likely the teacher finds every other token, which is more signal per example "
      "than the single right answer.",
      "run-it-fast/distillation-and-pruning.md#distillation", "Distillation"),
    Q("unstructured", "Why does 50% unstructured sparsity by itself rarely speed up GPU inference?",
      ("Because the zeros are irregular: dense kernels multiply them anyway, and sparse formats need much higher "
       "sparsity to pay off", "Because pruning increases the weight count", "Because GPUs cannot store zeros",
       "It always doubles the speed"), 0,
      "SparseGPT and Wanda reach 50% unstructured sparsity with small losses, but the speed needs a pattern "
      "the hardware accelerates or much sparser matrices.",
      "run-it-fast/distillation-and-pruning.md#unstructured", "Unstructured pruning"),
    Q("two-four", "What does 2:4 semi-structured sparsity require?",
      ("Two layers out of every four removed", "At least 2 zeros in every group of 4 consecutive weights, a "
       "pattern sparse tensor cores (Ampere and later) can skip", "Half of the attention heads pruned",
       "4-bit weights"), 1,
      "The pattern halves the math of the sparse products; the end-to-end gain is smaller because attention, "
      "the KV cache and the metadata remain.",
      "run-it-fast/distillation-and-pruning.md#two-four-sparsity", "2:4 sparsity"),
    Q("structured", "What does structured pruning remove?",
      ("Single weights anywhere", "Whole units: attention heads, feed-forward channels, layers, or hidden "
       "width, leaving a smaller dense model", "Only biases", "Only the embedding table"), 1,
      "The result runs faster on any hardware with ordinary kernels, but usually needs training (often "
      "distillation) to recover quality.",
      "run-it-fast/distillation-and-pruning.md#structured", "Structured pruning"),
    Q("llama32", "How did Meta make Llama 3.2 1B and 3B?",
      ("Trained from scratch with no teacher", "Structured pruning of Llama 3.1 8B, then distillation using "
       "logits of Llama 3.1 8B and 70B as token-level targets", "4-bit quantization of Llama 3.1 8B",
       "Merging LoRA adapters"), 1,
      "Meta's Llama 3.2 announcement (September 2024) describes pruning followed by knowledge distillation "
      "during pre-training.",
      "run-it-fast/distillation-and-pruning.md#llama-3-2", "Llama 3.2"),
    # -- Kernels ----------------------------------------------------------------------------------------------------
    Q("flashattention", "What does FlashAttention save?",
      ("FLOPs, by approximating attention", "Memory traffic: it computes attention in tiles kept on chip and "
       "never writes the full score matrix to GPU memory; the result is exact",
       "Weight memory", "KV-cache memory at decode time"), 1,
      "Dao et al. (arXiv 2205.14135). The gain is largest for long prefills; in decode, reading the KV cache "
      "dominates.",
      "run-it-fast/kernels.md#flashattention", "FlashAttention"),
    Q("fusion", "Why fuse a bias add, an activation and a scale into one kernel?",
      ("To use more memory", "So the intermediate tensors are not written to and read back from GPU memory "
       "between the steps", "To change the result", "Fusion is only for training"), 1,
      "Element-wise steps do almost no arithmetic, so their cost is the memory round trips that fusion removes.",
      "run-it-fast/kernels.md#fusion", "Operator fusion"),
    Q("compile", "What does `torch.compile` do with a model's forward pass?",
      ("Converts it to C++ source for you to edit", "Captures it as a graph and generates fused kernels for it "
       "(TorchDynamo and Inductor)", "Quantizes it to INT8", "Runs it on the CPU"), 1,
      "The first call compiles, later calls reuse the kernels; `mode=\"reduce-overhead\"` also replays them "
      "from CUDA graphs.",
      "run-it-fast/kernels.md#torch-compile", "torch.compile"),
    Q("cuda-graphs", "What do CUDA graphs remove?",
      ("The cost of reading the weights", "The CPU's cost of launching each kernel, by recording a sequence of "
       "launches once and replaying it", "The need for a KV cache", "Rounding error"), 1,
      "At batch 1 a decode step launches hundreds of small kernels; replaying them as one graph can matter as "
      "much as the weight format. The captured shapes and addresses must stay fixed.",
      "run-it-fast/kernels.md#cuda-graphs", "CUDA graphs"),
    # -- Serving --------------------------------------------------------------------------------------------------
    Q("stack-gguf", "Which stack loads GGUF files and runs them on CPUs and Apple silicon as well as GPUs?",
      ("TensorRT-LLM", "llama.cpp (and Ollama, built on it)", "TGI", "ExLlamaV2"), 1,
      "GGUF is llama.cpp's file format; its k-quants have CPU, Metal and CUDA kernels.",
      "run-it-fast/serving-stacks.md#stacks-table", "The stacks"),
    Q("stack-choice", "You serve many concurrent users on data-centre GPUs. What should the stack offer first?",
      ("Continuous batching and paged KV-cache memory, as vLLM and SGLang do", "A single-user chat interface",
       "CPU-only kernels", "FP32 weights"), 0,
      "Throughput at many users comes from batching requests as they arrive and leave, with KV memory handed "
      "out in blocks.",
      "run-it-fast/serving-stacks.md#choosing-a-stack", "Choosing a stack"),
    # -- Evaluate -------------------------------------------------------------------------------------------------
    Q("ppl-tokenizer", "Llama 2 scores a lower WikiText perplexity than Llama 3 on the same text. What can you "
      "conclude?",
      ("Llama 2 is the better model", "Little: their tokenizers differ, so their per-token perplexities are "
       "not comparable", "Llama 3 is broken", "Llama 3 was quantized"), 1,
      "Perplexity is per token; a tokenizer with longer tokens makes each prediction harder. Compare perplexity "
      "only between versions of one model with one tokenizer, context length and text.",
      "evaluate/index.md#perplexity", "Perplexity"),
    Q("kld-how", "How does `llama-perplexity` score a quantized GGUF file with `--kl-divergence`?",
      ("It asks a judge model", "It compares the quantized model's token distributions with logits of the 16-bit "
       "model saved earlier on the same text (`--kl-divergence-base`)", "It counts the file's bytes",
       "It runs MMLU"), 1,
      "Besides the mean KL divergence it reports how often both models rank the same token first (\"Same top "
      "p\") and the change in the probability of the right token.",
      "evaluate/index.md#kl-divergence", "KL divergence"),
    Q("flips", "A quantized model scores the same accuracy as the original on a benchmark. What can it still "
      "hide?",
      ("Nothing", "Flips: answers that changed from right to wrong and from wrong to right in equal numbers",
       "A larger file", "A different tokenizer"), 1,
      "Dutta et al. (arXiv 2407.09141) found many flips behind near-equal accuracies and recommend KL "
      "divergence and flips alongside accuracy.",
      "evaluate/index.md#task-benchmarks", "Task benchmarks"),
    Q("hurts-most", "Where has 4-bit weight quantization been measured to hurt most?",
      ("Short multiple-choice questions", "Long-context inputs and multi-step math problems", "Nowhere: "
       "4-bit is always lossless", "Only on models above 100B parameters"), 1,
      "Mekala et al. (arXiv 2505.20276) measured large 4-bit drops at 64K+ tokens; Li et al. (arXiv 2501.03035) "
      "on math reasoning; llama.cpp's tables show Llama 3 8B losing more than Llama 2 7B.",
      "evaluate/index.md#when-it-hurts", "When it hurts"),
    Q("our-records", "What are this site's quality measurements?",
      ("GPU measurements of Llama 3.1 70B", "CPU measurements of small reference llamas that the bench trained "
       "itself, quantized with every method", "Numbers copied from papers", "Estimates from the calculators"), 1,
      "They show how methods rank against each other on models we can train and measure end to end; they are "
      "not measurements of production-size models.",
      "evaluate/index.md#our-measurements", "Our measurements"),
    # -- The calculators -------------------------------------------------------------------------------------------
    Q("fit-70b", "Llama 3.1 70B in AWQ 4-bit on two L40S GPUs, 32,768-token contexts, BF16 KV cache: how many "
      "such sequences fit at once, by the Will it fit calculator?",
      (calc("fit", "max_batch", "num", 0),
       calc("fit", "max_batch", "num", 0, factor=0),
       calc("fit", "batch", "num", 0),
       calc("fit", "max_batch", "num", 0, factor=4)), 0,
      "The weights leave room for only a few full-length KV caches; the calculator also offers a shorter "
      "context as the other way out.",
      "calculators/will-it-fit.md", "Will it fit"),
)
