import pytest

from calculators import CalculatorError, count_parameters, preset_architecture, training_memory, weight_bytes, \
    weight_format
from calculators.training import lora_params

LLAMA8 = preset_architecture("llama-3.1-8b")


def test_full_fine_tuning_keeps_sixteen_bytes_per_parameter_of_state():
    params = count_parameters(LLAMA8).total
    result = training_memory(LLAMA8, "full")
    assert result.weights + result.gradients + result.optimizer_states + result.master_weights == 16 * params


def test_lora_rank_16_on_every_projection_of_llama_3_8b():
    # PEFT prints "trainable params: 41,943,040" for r=16 on all seven projections of Llama-3-8B.
    assert lora_params(LLAMA8, 16) == 41_943_040


def test_qlora_base_is_nf4_with_double_quantization():
    result = training_memory(LLAMA8, "qlora", lora_rank=16)
    adapters = 2 * 41_943_040
    assert result.weights == weight_bytes(LLAMA8, weight_format("nf4-dq")).total_bytes + adapters
    assert result.total < training_memory(LLAMA8, "lora").total < training_memory(LLAMA8, "full").total


def test_checkpointing_and_flash_attention_shrink_activations():
    with_ckpt = training_memory(LLAMA8, "lora", sequence=4096, checkpointing=True)
    without = training_memory(LLAMA8, "lora", sequence=4096, checkpointing=False)
    eager = training_memory(LLAMA8, "lora", sequence=4096, checkpointing=False, flash_attention=False)
    assert with_ckpt.activations < without.activations < eager.activations
    assert without.activations == 32 * 34 * 4096 * 4096


def test_eight_bit_optimizer():
    assert training_memory(LLAMA8, "full", optimizer="adamw-8bit").optimizer_states == \
        2 * count_parameters(LLAMA8).total


@pytest.mark.parametrize("kwargs, field", [({"method": "dora"}, "method"), ({"optimizer": "lion"}, "optimizer"),
                                           ({"sequence": 0}, "sequence"), ({"lora_rank": 0}, "lora_rank")])
def test_bad_input(kwargs, field):
    with pytest.raises(CalculatorError) as error:
        training_memory(LLAMA8, **{"method": "lora", **kwargs})
    assert error.value.field == field
