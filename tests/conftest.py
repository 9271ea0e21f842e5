import os

# tests/run-all.sh runs one test process per core. Torch's OpenMP threads spin while they wait for one another,
# so a process with as many threads as the machine has cores, beside another busy process, loses most of its
# time waiting: a 10 s training run of the tiny reference model took 30 s beside one busy core and up to 165 s
# beside a browser test. Each test process therefore uses its share of the cores, and so do the processes it
# starts (they read OMP_NUM_THREADS), unless the environment already says how many threads to use.
_processes = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _processes > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // _processes)))

import pytest
from hypothesis import settings

# No per-example time limit in the property tests: the machines are shared, and a first example that fills the
# calculators' caches can take longer than hypothesis's default 200 ms there. Speed is measured by benchmarks.
settings.register_profile("shared-machines", deadline=None)
settings.load_profile("shared-machines")

from calculators import Architecture

# The slowest test files, slowest first (pytest --durations=0 on CI's 2 cores). xdist (--dist loadfile) hands
# files out in collection order, so these start first and the many short files fill the end, rather than a
# long file starting last and running alone while the other process waits.
SLOWEST_FIRST = ("site/test_browser.py", "test_bench_plan.py", "site/test_calculator_pages_browser.py",
                 "site/test_crawl.py", "test_bench_finetune.py", "site/test_results.py",
                 "site/test_static_charts_browser.py", "site/test_run_it_fast_browser.py",
                 "site/test_choose_browser.py", "site/test_pages_calculators.py", "site/test_pages_guides.py",
                 "site/test_playground_browser.py")


def pytest_collection_modifyitems(items):
    tests = os.path.dirname(os.path.abspath(__file__))

    def rank(item):
        relative = os.path.relpath(str(item.path), tests).replace(os.sep, "/")
        return SLOWEST_FIRST.index(relative) if relative in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: each file's tests keep their order


@pytest.fixture
def tiny_llama():
    """A llama-shaped model small enough to count by hand."""
    return Architecture(name="tiny", hidden_size=64, num_layers=2, num_attention_heads=4, num_kv_heads=2,
                        head_dim=16, intermediate_size=128, vocab_size=100)
