#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs them all:
# Debian's Chromium (the browser tests drive it), eight documentation packages (the corpus
# of the bench's reference models) and a ninth (the fine-tuning suites' held-out domain), the
# pinned npm packages (Pyodide, axe-core), CPU torch and the Python extras, all in .venv at the
# repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages: Chromium for the browser tests, documentation packages as the reference models' corpus
# (generator/bench/reference/corpus.py SOURCES: each package and the folder of its HTML), and the held-out
# domain the fine-tuning suites train on (generator/bench/reference/domain.py DOMAIN, the last entry).
corpus_docs="python3.11-doc:/usr/share/doc/python3.11/html python-django-doc:/usr/share/doc/python-django-doc/html
  python-sqlalchemy-doc:/usr/share/doc/python-sqlalchemy-doc/html sphinx-doc:/usr/share/doc/sphinx-doc/html
  python-pytest-doc:/usr/share/doc/python-pytest-doc/html cmake-doc:/usr/share/doc/cmake-data/html
  postgresql-doc-15:/usr/share/doc/postgresql-doc-15/html git-doc:/usr/share/doc/git-doc
  debian-handbook:/usr/share/doc/debian-handbook/html/en-US"
doc_packages="" docs_missing=""
for entry in $corpus_docs; do
  doc_packages="$doc_packages ${entry%%:*}"
  [ -d "${entry#*:}" ] || docs_missing=yes
done
# apt installs them while pip fills .venv (pip's work is mostly the CPU's, apt's mostly the network's and the
# disk's); the tests start once both are done, and a failure of either stops the script.
apt_install=""
if ! command -v chromium >/dev/null 2>&1 || [ -n "$docs_missing" ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  # shellcheck disable=SC2086  # one word per package
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium $doc_packages >/dev/null; } &
  apt_install=$!
fi
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
# --no-compile: pip would byte-compile every module of every package it installs (about a minute of the two
# CPUs); the tests import a small part of them, and Python compiles and caches those as they are imported
# (PYTHONDONTWRITEBYTECODE is unset below).
# torch first, pinned: the CPU wheel on this machine; an unpinned torch pulls a CUDA build of several GB.
.venv/bin/pip install -q --no-compile torch==2.13.0
.venv/bin/pip install -q --no-compile -e '.[site,test,bench]'
npm ci --no-audit --no-fund --loglevel=error
[ -z "$apt_install" ] || wait "$apt_install"
# Python writes its bytecode caches (__pycache__, ignored by git) even where the environment turns them off:
# each test process, and each process the tests start, imports the same modules of this repository, and
# compiling them again every time made collecting the tests alone take 20 s instead of 13.5 s.
unset PYTHONDONTWRITEBYTECODE
# One test process per CPU (CI has two): a browser test mostly waits on Chromium, a bench test computes, so
# two of them run side by side. Each file's tests stay in one process, which builds its module fixtures
# (a trained reference model, the crawled site) once.
.venv/bin/python -m pytest -q -n auto --dist loadfile "$@"
