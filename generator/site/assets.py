"""Where the site's vendored browser assets come from.

Pyodide comes from the npm package `pyodide` and plotly.js from
`plotly.js-basic-dist-min` (both pinned in package.json and package-lock.json;
the basic bundle draws scatter and bar traces, all the site uses, in a quarter
of the full bundle's bytes), and `calculators/` is packed as one JSON file
that the worker writes into Pyodide's file system.
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_DIR = ROOT / "node_modules" / "pyodide"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
VENDOR = "assets/vendor"
BUNDLE_PATH = f"{VENDOR}/calculators.json"


class MissingAsset(Exception):
    """A vendored file is not installed; the message says which command installs it."""


PLOTLY_JS = ROOT / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
PLOTLY_TARGET = f"{VENDOR}/plotly-basic.min.js"


def vendored_files() -> list:
    """(source, path inside the site) for every vendored file."""
    missing = [name for name in PYODIDE_FILES if not (PYODIDE_DIR / name).exists()]
    if missing:
        raise MissingAsset(f"Pyodide files missing from {PYODIDE_DIR} ({', '.join(missing)}): run `npm ci`")
    if not PLOTLY_JS.exists():
        raise MissingAsset(f"{PLOTLY_JS} is missing: run `npm ci`")
    files = [(PYODIDE_DIR / name, f"{VENDOR}/pyodide/{name}") for name in PYODIDE_FILES]
    files.append((PLOTLY_JS, PLOTLY_TARGET))
    return files


def calculators_bundle() -> str:
    """{"calculators/<path>.py": source} for every module of the package and of its subpackages (the pages)."""
    package = ROOT / "calculators"
    sources = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
               for path in sorted(package.rglob("*.py"))}
    return json.dumps(sources, separators=(",", ":"))
