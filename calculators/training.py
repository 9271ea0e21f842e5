"""Training memory for full fine-tuning, LoRA and QLoRA (per GPU, no sharding).

States per trained parameter, mixed precision with AdamW (Rajbhandari et al.,
ZeRO, arXiv 1910.02054, sec. 3.1: 2 + 2 + 12 = 16 bytes):
    bf16 weight 2 + bf16 gradient 2 + fp32 master copy 4 + fp32 Adam m and v 8.
An 8-bit optimizer (bitsandbytes AdamW8bit) keeps m and v in 1 byte each.

Activations saved for the backward pass, per layer, for sequence s, batch b,
hidden h, heads a (Korthikanti et al., arXiv 2205.05198, eq. 1, 16-bit):
    s * b * h * 34 + 5 * a * s**2 * b
The s**2 term is the attention matrix; fused (flash) attention never stores
it. With full activation checkpointing only each layer's input (2 * s * b * h
bytes) is kept, plus one layer's activations while it is recomputed. The
formula was derived for a GPT block with a 4h MLP; it is an estimate for
other shapes, and is labelled as such.
"""

from .architecture import Architecture, count_parameters
from .formats import weight_format
from .records import record
from .validate import MAX_BATCH, MAX_TOKENS, one_of, whole_number
from .weights import weight_bytes

OPTIMIZER_BYTES = {"adamw": 8, "adamw-8bit": 2, "sgd-momentum": 4, "sgd": 0}
METHODS = ("full", "lora", "qlora")
# Matrices LoRA adapts by default here: every attention and MLP projection
# (the QLoRA paper adapts all linear layers of the decoder blocks).
LORA_PARTS = frozenset({"attention", "mlp", "shared_experts", "experts"})


@record
class TrainingMemory:
    method: str
    weights: int  # frozen or trained base weights
    trainable_params: int
    gradients: int
    optimizer_states: int
    master_weights: int
    activations: int  # estimate
    logits: int  # fp32 logits and their gradient for every token (estimate)

    @property
    def total(self) -> int:
        return (self.weights + self.gradients + self.optimizer_states + self.master_weights
                + self.activations + self.logits)


MAX_LORA_RANK = 1 << 16


def lora_params(arch: Architecture, rank: int) -> int:
    """Adapter parameters: rank * (in + out) for every adapted matrix."""
    rank = whole_number("lora_rank", rank, 1, MAX_LORA_RANK)
    return sum(rank * (group.shape[0] + group.shape[1]) * group.count for group in arch.tensors()
               if group.is_matrix and group.part in LORA_PARTS)


def activation_bytes_training(arch: Architecture, sequence: int, batch: int, checkpointing: bool,
                              flash_attention: bool = True) -> int:
    s, b, h, a = sequence, batch, arch.hidden_size, arch.num_attention_heads
    per_layer = 34 * s * b * h + (0 if flash_attention else 5 * a * s * s * b)
    if checkpointing:
        return arch.num_layers * 2 * s * b * h + per_layer
    return arch.num_layers * per_layer


def training_memory(arch: Architecture, method: str = "full", sequence: int = 2048, batch: int = 1,
                    optimizer: str = "adamw", lora_rank: int = 16, checkpointing: bool = True,
                    flash_attention: bool = True) -> TrainingMemory:
    """full: every parameter trained, 2 (weight) + 2 (grad) + 4 (master) + optimizer bytes each.
    lora: bf16 frozen base; adapters trained with the same per-parameter states.
    qlora: the base in NF4 with double quantization (bitsandbytes), adapters as in lora.
    """
    one_of("method", method, METHODS)
    one_of("optimizer", optimizer, OPTIMIZER_BYTES)
    sequence = whole_number("sequence", sequence, 1, MAX_TOKENS)
    batch = whole_number("batch", batch, 1, MAX_BATCH)
    params = count_parameters(arch).total
    if method == "full":
        trainable = params
        base = 2 * params
    else:
        trainable = lora_params(arch, lora_rank)
        base_format = weight_format("nf4-dq" if method == "qlora" else "bf16")
        base = weight_bytes(arch, base_format).total_bytes + (2 * trainable)
    return TrainingMemory(
        method=method, weights=base, trainable_params=trainable, gradients=2 * trainable,
        optimizer_states=OPTIMIZER_BYTES[optimizer] * trainable, master_weights=4 * trainable,
        activations=activation_bytes_training(arch, sequence, batch, checkpointing, flash_attention),
        logits=2 * 4 * sequence * batch * arch.vocab_size)
