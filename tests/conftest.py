import pytest

from calculators import Architecture


@pytest.fixture
def tiny_llama():
    """A llama-shaped model small enough to count by hand."""
    return Architecture(name="tiny", hidden_size=64, num_layers=2, num_attention_heads=4, num_kv_heads=2,
                        head_dim=16, intermediate_size=128, vocab_size=100)
