import pytest
from hypothesis import settings

# No per-example time limit in the property tests: the machines are shared, and a first example that fills the
# calculators' caches can take longer than hypothesis's default 200 ms there. Speed is measured by benchmarks.
settings.register_profile("shared-machines", deadline=None)
settings.load_profile("shared-machines")

from calculators import Architecture


@pytest.fixture
def tiny_llama():
    """A llama-shaped model small enough to count by hand."""
    return Architecture(name="tiny", hidden_size=64, num_layers=2, num_attention_heads=4, num_kv_heads=2,
                        head_dim=16, intermediate_size=128, vocab_size=100)
