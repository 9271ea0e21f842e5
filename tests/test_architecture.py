import pytest

from calculators import Architecture, CalculatorError, count_parameters, preset_architecture
from calculators.records import fields


def test_tiny_llama_counted_by_hand(tiny_llama):
    h, layers, vocab, inter, kv_width = 64, 2, 100, 128, 2 * 16
    attention = layers * (h * h + 2 * kv_width * h + h * h)
    mlp = layers * 3 * h * inter
    norms = layers * 2 * h + h
    counts = count_parameters(tiny_llama)
    assert counts.by_part["embedding"] == vocab * h
    assert counts.by_part["attention"] == attention
    assert counts.by_part["mlp"] == mlp
    assert counts.by_part["norms"] == norms
    assert counts.by_part["lm_head"] == vocab * h
    assert counts.total == counts.active == 2 * vocab * h + attention + mlp + norms


def test_gpt2_small_has_its_well_known_124m_parameters():
    # 124,439,808: the count every GPT-2 reimplementation prints (tied embeddings, 1024 positions).
    assert count_parameters(preset_architecture("gpt2")).total == 124_439_808


def test_moe_active_parameters_count_only_routed_experts_used():
    arch = Architecture(name="moe", hidden_size=32, num_layers=2, num_attention_heads=2, num_kv_heads=2, head_dim=16,
                        intermediate_size=64, vocab_size=50, num_experts=8, experts_per_token=2,
                        moe_intermediate_size=48)
    counts = count_parameters(arch)
    per_expert = 3 * 32 * 48
    assert counts.by_part["experts"] == 2 * 8 * per_expert
    assert counts.by_part["mlp"] == 0
    assert counts.by_part["router"] == 2 * 8 * 32
    assert counts.total - counts.active == 2 * 6 * per_expert


def test_first_dense_layers_use_the_dense_width():
    arch = Architecture(name="ds", hidden_size=32, num_layers=3, num_attention_heads=2, num_kv_heads=2, head_dim=16,
                        intermediate_size=100, vocab_size=50, num_experts=4, experts_per_token=1,
                        moe_intermediate_size=10, shared_expert_intermediate_size=10, first_dense_layers=1)
    counts = count_parameters(arch)
    assert counts.by_part["mlp"] == 1 * 3 * 32 * 100
    assert counts.by_part["experts"] == 2 * 4 * 3 * 32 * 10
    assert counts.by_part["shared_experts"] == 2 * 3 * 32 * 10


def test_mla_projection_shapes():
    arch = Architecture(name="mla", hidden_size=64, num_layers=1, num_attention_heads=4, num_kv_heads=4, head_dim=24,
                        intermediate_size=128, vocab_size=10, q_lora_rank=16, kv_lora_rank=8, qk_nope_head_dim=16,
                        qk_rope_head_dim=8, v_head_dim=12)
    shapes = {group.name: group.shape for group in arch.tensors() if group.part == "attention"}
    assert shapes == {"q_a_proj": (16, 64), "q_a_layernorm": (16,), "q_b_proj": (4 * 24, 16),
                      "kv_a_proj_with_mqa": (8 + 8, 64), "kv_a_layernorm": (8,),
                      "kv_b_proj": (4 * (16 + 12), 8), "o_proj": (64, 4 * 12)}


@pytest.mark.parametrize("changes, field", [
    ({"hidden_size": 0}, "hidden_size"),
    ({"num_kv_heads": 3}, "num_kv_heads"),
    ({"num_layers": 2.5}, "num_layers"),
    ({"norm_kind": "batchnorm"}, "norm_kind"),
    ({"experts_per_token": 2}, "num_experts"),
    ({"sliding_layers": (True,)}, "sliding_layers"),
    ({"sliding_layers": (True, False)}, "sliding_window"),
])
def test_bad_architectures_name_the_field(tiny_llama, changes, field):
    values = {name: getattr(tiny_llama, name) for name in fields(tiny_llama)}
    values.update(changes)
    with pytest.raises(CalculatorError) as error:
        Architecture(**values)
    assert error.value.field == field
