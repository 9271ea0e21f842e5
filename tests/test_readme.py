"""The README's set-up commands are the ones CI and users run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_ci_runs_the_readme_test_command():
    test_command = readme_commands()[1]
    assert "run-all.sh" in test_command
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci


def test_the_readme_serve_command_uses_the_venv_at_the_root():
    serve = readme_commands()[0]
    assert serve.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert serve.endswith("python -m generator serve")


def test_the_test_script_runs_pytest_from_the_venv():
    script = (ROOT / "tests" / "run-all.sh").read_text()
    assert ".venv/bin/python -m pytest" in script and "apt-get install -y -qq chromium $doc_packages" in script
    assert "python3.11-doc:/usr/share/doc/python3.11/html" in script  # the corpus packages it installs


def test_the_test_script_installs_every_corpus_package_where_the_corpus_reads_it():
    """generator.bench.reference imports no torch; the Debian packages are what the quality tests read."""
    from generator.bench.reference.corpus import SOURCES

    script = (ROOT / "tests" / "run-all.sh").read_text()
    for source in SOURCES:
        assert f"{source.package}:{source.html_root}" in script, source.package
