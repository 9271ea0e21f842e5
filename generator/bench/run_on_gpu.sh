#!/usr/bin/env bash
# The prepared GPU run: one call on the lent GPU machine (an H100 or H200 with Python 3.12, torch,
# transformers and numpy, no bitsandbytes and no network), from the repository root:
#
#   bash generator/bench/run_on_gpu.sh [seconds]      (default 480: leaves room for a retry in 15 minutes)
#
# It installs the bitsandbytes wheel carried in .wheels/ (see gpu_runs/README.md), prints the versions,
# runs the CUDA-only tests, then the GPU suites, most valuable first, each within its share of the time. Every record is
# written result by result into $OUT (the device tool brings that folder back) or gpu_runs/, so a run
# cut short keeps what it measured; rerun with the same --run-id values to resume.
set -uo pipefail
budget=${1:-480}
out=${OUT:-gpu_runs}
mkdir -p "$out"
stamp=${STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}  # set STAMP to a previous run's stamp to resume it

wheel=$(ls .wheels/bitsandbytes-*.whl 2>/dev/null | head -n 1)
if [ -n "$wheel" ]; then
  python -m pip install --quiet --no-deps --no-index "$wheel" || echo "bitsandbytes did not install: its methods will be recorded as unsupported"
else
  echo "no .wheels/bitsandbytes-*.whl carried: the bitsandbytes methods will be recorded as unsupported"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,power.limit --format=csv | tee "$out/nvidia-smi-$stamp.txt"
python -c "import torch, transformers; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'transformers', transformers.__version__)"

# The CUDA-only tests first (skipped on the CPU machines where CI runs): a quick check that the GPU paths
# work here, in at most 120 s of the budget. pytest is in the GPU machine's image; a failure is reported
# and the suites still run, since each of their measurements records its own failures.
started=$(date +%s)
timeout 120 python -m pytest -q -p no:cacheprovider -k cuda tests/test_bench_smoke.py \
  tests/test_bench_methods_quality.py tests/test_bench_decode.py 2>&1 | tee "$out/cuda-tests-$stamp.txt" | tail -n 15
budget=$(( budget - ($(date +%s) - started) ))
if [ "$budget" -lt 30 ]; then budget=30; fi

run() {  # suite, share of the remaining budget in percent
  local seconds=$(( budget * $2 / 100 ))
  echo "== $1 ($seconds s)"
  python -m generator bench --suite "$1" --out "$out" --budget-s "$seconds" --run-id "gpu-$1-$stamp" 2>&1 \
    | tee -a "$out/log-$stamp.txt" | grep -v "^Failed to load CPU gemm_4bit"
}
run gpu-kernels 30
run gpu-speed 70
ls -l "$out"
