"""Llama 3.1 8B next to the Llama 3.2 1B and 3B that Meta pruned from it: shapes from the model presets
(each read from the model's config.json) and parameter counts and BF16 weight bytes from the weights
calculator."""

from dataclasses import dataclass

from calculators import presets
from calculators.web import compute

__all__ = ["llama_32_shapes_table", "LLAMA_32_MODELS"]

LLAMA_32_MODELS = ("llama-3.1-8b", "llama-3.2-3b", "llama-3.2-1b")


@dataclass(frozen=True)
class Shape:
    name: str
    layers: int
    hidden_size: int
    mlp_size: int
    query_heads: int
    kv_heads: int
    tied_embeddings: bool
    params: int
    embedding_params: int
    bf16_bytes: int


def shapes() -> list:
    """A Shape per model of LLAMA_32_MODELS, in that order."""
    found = []
    for model in LLAMA_32_MODELS:
        arch = presets.PRESETS[model].architecture
        result = compute("weights", {"model": model, "format": "bf16"})["result"]
        found.append(Shape(arch.name, arch.num_layers, arch.hidden_size, arch.intermediate_size,
                           arch.num_attention_heads, arch.num_kv_heads, arch.tie_word_embeddings,
                           result["params"], result["parts"]["embedding"], result["total_bytes"]))
    return found


def llama_32_shapes_table() -> str:
    lines = ["| Model | Layers | Hidden | MLP | Heads (query / KV) | Parameters | BF16 weights |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for s in shapes():
        lines.append(f"| {s.name} | {s.layers} | {s.hidden_size:,} | {s.mlp_size:,} | {s.query_heads} / {s.kv_heads} | "
                     f"{s.params / 1e9:.2f}B | {s.bf16_bytes / 1e9:.2f} GB |")
    return "\n".join(lines) + "\n"
