"""Published figures, each with the source it was read from. They are shown as published results, never as
measurements of this project; perplexities from different sources are not comparable with each other (each
evaluation has its own context length, tokenizer handling and data split)."""

LLAMA_CPP_SOURCE = ("llama.cpp, tools/perplexity/README.md at commit f364eb6f (Llama-3-8B, WikiText-2, CUDA on one "
                    "RTX 4090, against FP16)",
                    "https://github.com/ggml-org/llama.cpp/blob/f364eb6f/tools/perplexity/README.md")
# quant, GiB, perplexity, mean KL divergence from FP16
LLAMA_CPP_LLAMA3_8B = (
    ("f16", 14.97, 6.233160, 0.000551), ("q8_0", 7.96, 6.234284, 0.001355), ("q6_K", 6.14, 6.253382, 0.005452),
    ("q5_K_M", 5.33, 6.288607, 0.010762), ("q4_K_M (imatrix)", 4.58, 6.382937, 0.028152),
    ("q4_K_M", 4.58, 6.407115, 0.031273), ("iq4_XS (imatrix)", 4.14, 6.459705, 0.036334),
    ("q4_K_S", 4.37, 6.500529, 0.043136), ("q4_0", 4.34, 6.700147, 0.071940), ("q3_K_M", 3.74, 6.888498, 0.101913),
    ("q3_K_S", 3.41, 7.863786, 0.228217), ("q2_K", 2.96, 9.751568, 0.445132),
    ("iq2_XXS (imatrix)", 2.24, 14.091782, 0.812022), ("iq1_S (imatrix)", 1.88, 58.097760, 2.211278),
)

GPTQ_SOURCE = ("GPTQ (Frantar et al., arXiv 2210.17323), IST-DASLab/gptq README: LLaMA, WikiText-2 perplexity",
               "https://github.com/IST-DASLab/gptq/blob/main/README.md")
# size -> {method: perplexity}
GPTQ_LLAMA = {
    "7B": {"FP16": 5.68, "4-bit RTN": 6.29, "4-bit GPTQ": 6.09, "3-bit RTN": 25.54, "3-bit GPTQ": 8.07,
           "3-bit g128 GPTQ": 6.61},
    "13B": {"FP16": 5.09, "4-bit RTN": 5.53, "4-bit GPTQ": 5.36, "3-bit RTN": 11.40, "3-bit GPTQ": 6.63,
            "3-bit g128 GPTQ": 5.62},
    "30B": {"FP16": 4.10, "4-bit RTN": 4.54, "4-bit GPTQ": 4.45, "3-bit RTN": 14.89, "3-bit GPTQ": 5.69,
            "3-bit g128 GPTQ": 4.80},
    "65B": {"FP16": 3.53, "4-bit RTN": 3.92, "4-bit GPTQ": 3.84, "3-bit RTN": 10.59, "3-bit GPTQ": 5.04,
            "3-bit g128 GPTQ": 4.17},
}

AWQ_SOURCE = ("AWQ (Lin et al., arXiv 2306.00978), Table 4: Llama-2, WikiText-2 perplexity, group size 128",
              "https://arxiv.org/abs/2306.00978")
AWQ_LLAMA2 = {
    "7B": {"FP16": 5.47, "INT4 RTN": 5.73, "INT4 GPTQ": 5.69, "INT4 GPTQ-R": 5.63, "INT4 AWQ": 5.60,
           "INT3 RTN": 6.66, "INT3 GPTQ": 6.43, "INT3 AWQ": 6.24},
    "13B": {"FP16": 4.88, "INT4 RTN": 4.98, "INT4 GPTQ": 4.98, "INT4 GPTQ-R": 4.99, "INT4 AWQ": 4.97,
            "INT3 RTN": 5.52, "INT3 GPTQ": 5.48, "INT3 AWQ": 5.32},
    "70B": {"FP16": 3.32, "INT4 RTN": 3.46, "INT4 GPTQ": 3.42, "INT4 GPTQ-R": 3.43, "INT4 AWQ": 3.41,
            "INT3 RTN": 3.98, "INT3 GPTQ": 3.88, "INT3 AWQ": 3.74},
}

GPT_FAST_SOURCE = ("gpt-fast README (pytorch-labs/gpt-fast): A100-80GB power-limited to 330 W, batch 1, tokens/s "
                   "with achieved GB/s; the card's peak is about 1700 GB/s",
                   "https://github.com/pytorch-labs/gpt-fast/blob/main/README.md")
GPT_FAST_PEAK_GB_S = 1700
# model -> {method: (tokens/s, achieved GB/s)}; a method the README marks OOM or leaves blank is absent
GPT_FAST = {
    "Llama-2-7B": {"bf16": (104.9, 1397), "int8 weight-only": (155.58, 1069), "int4 g32": (196.80, 863)},
    "Llama-3.1-8B": {"bf16": (93.89, 1411), "int8 weight-only": (137.64, 1031)},
    "Llama-2-70B": {"int8 weight-only": (19.13, 1323), "int4 g32": (25.25, 1098)},
}

TINYCHAT_SOURCE = ("AWQ TinyChat README (mit-han-lab/llm-awq, tinychat/README.md): RTX 4090 decode latency, FP16 "
                   "against AWQ INT4", "https://github.com/mit-han-lab/llm-awq/blob/main/tinychat/README.md")
TINYCHAT_MS = {"Llama-3-8B": (17.07, 6.39), "Llama-2-7B": (15.50, 5.28)}

TORCHAO_SOURCE = ("torchao quantization README (pytorch/ao, torchao/quantization/README.md): A100, batch 1, "
                  "Llama-3-8B, WikiText perplexity and tokens/s",
                  "https://github.com/pytorch/ao/blob/main/torchao/quantization/README.md")
TORCHAO_LLAMA3_8B = (("base (bf16)", 7.441, 95.64), ("int8 weight-only", 7.447, 153.03),
                     ("int4 weight-only g64", 8.316, 180.80), ("int4 weight-only g64, GPTQ", 7.921, 180.80))
