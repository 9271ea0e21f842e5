#!/usr/bin/env bash
# The prepared GPU run: one call on the lent GPU machine (an H100 or H200 with Python 3.12, torch,
# transformers and numpy; no bitsandbytes, no network, no .git), from the repository root, after
# `python -m generator bench-prepare` on the CPU machine (gpu_runs/README.md):
#
#   bash generator/bench/run_on_gpu.sh [cap seconds] [suites]
#
# cap: default 420, which leaves room for a retry in 15 minutes of device time; suites: comma-separated GPU
# suites to run instead of the whole plan (gpu-quality and gpu-qlora each need a call of their own).
#
# Everything, the install and the tests included, ends within the cap: the plan's processes are stopped
# at it, and `timeout` ends whatever is left a few seconds later. Records and one log land in $OUT
# (the device tool brings that folder back; at most 8 files) or in gpu_runs/.
#
# On the CPU machine, `PYTHON=.venv/bin/python bash generator/bench/run_on_gpu.sh --dry-run [cap]` shows what
# the call will measure: the plan for the cap less the setup and test allowance (SETUP_S).
set -uo pipefail
export PYTHONUNBUFFERED=1
python=${PYTHON:-python3}
SETUP_S=120  # installing the wheel, nvidia-smi and the versions (about 20 s) and the CUDA-only tests (at most 90 s)
if [ "${1:-}" = "--dry-run" ]; then
  exec "$python" -m generator bench-plan --dry-run --cap-s $(( ${2:-420} - SETUP_S ))
fi
cap=${1:-420}
suites=${2:-}
started=$(date +%s)
out=${OUT:-gpu_runs}
mkdir -p "$out"
log="$out/log-$(date -u +%Y%m%dT%H%M%SZ).txt"
left() { echo $(( cap - ($(date +%s) - started) )); }
# Output for the console and the log alike; each call ends before the next begins, so the log keeps its order.
both() { "$@" 2>&1 | tee -a "$log"; return "${PIPESTATUS[0]}"; }
say() { echo "$*" | tee -a "$log"; }

say "== setup"
wheel=$(ls .gpu-carry/bitsandbytes-*.whl 2>/dev/null | head -n 1)
if [ -n "$wheel" ] && both "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/lqfg-site "$wheel"; then
  export PYTHONPATH=/tmp/lqfg-site
else
  say "bitsandbytes was not carried or did not install: its methods will be recorded as unsupported"
fi
if [ -f .gpu-carry/cache.tar.xz ] && both "$python" -c \
    "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter='data')" \
    .gpu-carry/cache.tar.xz /tmp/lqfg-cache; then  # the corpus and tokenizer cache (bench-prepare --quality)
  export LQFG_CACHE=/tmp/lqfg-cache
fi
[ -f .gpu-carry/provenance.json ] && both cat .gpu-carry/provenance.json
both nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm,power.limit --format=csv
both "$python" -c "import torch, transformers; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'transformers', transformers.__version__)"

# The CUDA-only tests (skipped where CI runs): a quick check that the GPU paths work here. Their whole
# output, every failure's short traceback and the summary of failures and errors (-rfE), goes to the log;
# the console shows its end.
say "== CUDA-only tests (at most 90 s; the whole output is in the log)"
tests=$(mktemp)
timeout --kill-after=5 90 "$python" -m pytest -q -rfE --tb=short -p no:cacheprovider -k cuda tests/test_bench_smoke.py \
  tests/test_bench_methods_quality.py tests/test_bench_decode.py tests/test_bench_compiled.py >"$tests" 2>&1
status=$?
cat "$tests" >>"$log"
tail -n 15 "$tests"
rm -f "$tests"
say "== CUDA-only tests exit status $status"

say "== the plan ($(left) s left of the ${cap} s cap)"
plan_s=$(( $(left) - 10 ))
both timeout --kill-after=5 $(( plan_s + 5 )) "$python" -m generator bench-plan --cap-s "$plan_s" \
  --end-at $(( $(date +%s) + plan_s )) --out "$out" ${suites:+--suites "$suites"}
say "== plan exit status $?"
ls -l "$out"
