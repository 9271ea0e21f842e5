#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs them all:
# Debian's Chromium (the browser tests drive it) and python3.11-doc (the corpus of the
# bench's reference models), the pinned npm packages (Pyodide, axe-core), CPU torch and
# the Python extras, all in .venv at the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages: Chromium for the browser tests, the Python docs as the reference models' corpus.
if ! command -v chromium >/dev/null 2>&1 || [ ! -d /usr/share/doc/python3.11/html ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium python3.11-doc >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# torch first, pinned: the CPU wheel on this machine; an unpinned torch pulls a CUDA build of several GB.
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e '.[site,test,bench]'
npm ci --no-audit --no-fund --loglevel=error
.venv/bin/python -m pytest -q "$@"
