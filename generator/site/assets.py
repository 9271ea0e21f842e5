"""Where the site's vendored browser assets come from.

Pyodide comes from the npm package `pyodide` and plotly.js from
`plotly.js-basic-dist-min` (both pinned in package.json and package-lock.json;
the basic bundle draws scatter and bar traces, all the site uses, in a quarter
of the full bundle's bytes), and `calculators/` is packed as one zip file that
the worker puts on Python's path (zipimport): each module as bytecode compiled
by Pyodide's own Python, so the worker imports without compiling (most of an
import's time in WebAssembly), except the few kept as source (SOURCE_ONLY).
Pyodide's standard library (python_stdlib.zip, which it ships as source) is
served with the modules the worker imports compiled the same way: starting
Pyodide is mostly compiling them.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_DIR = ROOT / "node_modules" / "pyodide"
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
VENDOR = "assets/vendor"
BUNDLE_PATH = f"{VENDOR}/calculators.zip"
STDLIB = "python_stdlib.zip"
STDLIB_PATH = f"{VENDOR}/pyodide/{STDLIB}"
# Compiled bytecode, kept between builds by a hash of the sources and of the Pyodide that compiled them.
PYC_CACHE = ROOT / ".lqfg-cache" / "calculators-pyc"
COMPILE_SCRIPT = Path(__file__).with_name("compile_pyc.mjs")
# Modules shipped as source: one large table of data that only the playground reads (imported when it first
# computes), whose bytecode is three and a half times its source's compressed size.
SOURCE_ONLY = ("calculators/reference_weights.py",)


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
    # the standard library is written by stdlib_archive()
    files = [(PYODIDE_DIR / name, f"{VENDOR}/pyodide/{name}") for name in PYODIDE_FILES if name != STDLIB]
    files.append((PLOTLY_JS, PLOTLY_TARGET))
    return files


def calculator_sources() -> dict:
    """{"calculators/<path>.py": source} for every module of the package and of its subpackages (the pages),
    and the one the build writes for the browser alone: the link targets of the Calculators section
    (calculators.web.LINK_TARGETS_MODULE), so that a page's first result need not import the other pages."""
    from calculators.web import LINK_TARGETS_MODULE, link_targets_source

    package = ROOT / "calculators"
    sources = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
               for path in sorted(package.rglob("*.py"))}
    if LINK_TARGETS_MODULE in sources:
        raise ValueError(f"{LINK_TARGETS_MODULE} is written into the browser's bundle by the build; delete the "
                           "file of that name from the package")
    sources[LINK_TARGETS_MODULE] = link_targets_source()
    return dict(sorted(sources.items()))


def _compiled(sources: dict) -> dict:
    """The bytecode Pyodide's Python imports, compiled by Pyodide in Node (compile_pyc.mjs), or taken from the
    cache when these sources were compiled by this Pyodide and this script before: {"calculators/.../__pycache__/
    <name>.cpython-3XX.pyc": bytes} for each module of `sources` but SOURCE_ONLY, and {"stdlib/<path>.pyc":
    bytes} for each module of the standard library that the worker imports (python_stdlib.zip's <path>.py)."""
    lock = (PYODIDE_DIR / "pyodide-lock.json").read_bytes()
    key = hashlib.sha256(json.dumps(sources, sort_keys=True).encode() + lock + COMPILE_SCRIPT.read_bytes()
                         ).hexdigest()[:32]
    cached = PYC_CACHE / f"{key}.zip"
    if cached.exists():
        with zipfile.ZipFile(cached) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    node = shutil.which("node")
    if node is None:
        raise MissingAsset("Node.js is needed to compile calculators/ for the browser: install it with npm")
    with tempfile.TemporaryDirectory() as tree:
        for name, text in sources.items():
            (Path(tree) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tree) / name).write_text(text, encoding="utf-8")
        done = subprocess.run([node, str(COMPILE_SCRIPT), str(PYODIDE_DIR), tree, *SOURCE_ONLY], capture_output=True,
                              text=True)
        if done.returncode:
            raise MissingAsset(f"compiling calculators/ with Pyodide failed: {done.stderr.strip()[-2000:]}")
        compiled = {path.relative_to(tree).as_posix(): path.read_bytes()
                    for path in sorted(Path(tree).rglob("*.pyc"))}
    modules = sum(name.startswith("calculators/") for name in compiled)
    expected = len(set(sources) - set(SOURCE_ONLY))
    if modules != expected:
        raise MissingAsset(f"Pyodide compiled {modules} of the {expected} modules of calculators/ it compiles")
    PYC_CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f".{cached.name}.{os.getpid()}.partial")
    partial.write_bytes(_zip(compiled))
    partial.replace(cached)  # whole or not at all: a build stopped halfway leaves no broken cache entry
    return compiled


def _zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in files.items():
            # A fixed date: the same sources give the same bytes, build after build.
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def calculators_archive() -> bytes:
    """The zip the worker imports from: every module of calculators/ once, as `<name>.pyc` (bytecode for Pyodide's
    Python, which it imports with no source beside it) or, for SOURCE_ONLY, as `<name>.py`."""
    sources = calculator_sources()
    files = {name: sources[name].encode("utf-8") for name in SOURCE_ONLY}
    for cached, data in _compiled(sources).items():
        if cached.startswith("calculators/"):
            folder, _, file_name = cached.rpartition("/__pycache__/")
            files[f"{folder}/{file_name.split('.')[0]}.pyc"] = data
    return _zip(dict(sorted(files.items())))


def stdlib_archive() -> bytes:
    """Pyodide's python_stdlib.zip with each module the worker imports as `<path>.pyc` in place of its source
    (zipimport imports a sourceless pyc as it would the source); every other member as Pyodide ships it."""
    compiled = {name[len("stdlib/"):]: data for name, data in _compiled(calculator_sources()).items()
                if name.startswith("stdlib/")}
    files = {}
    with zipfile.ZipFile(PYODIDE_DIR / STDLIB) as shipped:
        for name in shipped.namelist():
            pyc = name[:-len(".py")] + ".pyc" if name.endswith(".py") else None
            if pyc in compiled:
                files[pyc] = compiled[pyc]
            else:
                files[name] = shipped.read(name)
    if len(files) != len(shipped.namelist()) or not compiled.keys() <= files.keys():
        raise MissingAsset(f"the compiled standard library does not match {PYODIDE_DIR / STDLIB}: reinstall it "
                           f"with `npm ci` and delete {PYC_CACHE}")
    return _zip(files)
