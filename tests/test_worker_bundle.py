"""The zip the browser's worker imports from and the standard library it starts with (generator/site/assets.py), run
by the Pyodide the site ships, in Node: every page computes its default from them alone, and the modules of both
are imported as the bytecode the build compiled, so the browser compiles none of them."""

import json
import shutil
import subprocess

from calculators.pages import CALCULATORS, names
from calculators.web import compute
from generator.site import assets

SCRIPT = """
import fs from "node:fs";
import { pathToFileURL } from "node:url";
const [pyodideDir, archive, stdlib] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(pyodideDir + "/pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", stdLibURL: stdlib });
pyodide.FS.writeFile("/home/pyodide/calculators.zip", new Uint8Array(fs.readFileSync(archive)));
console.log(pyodide.runPython(`
import json, sys
sys.path.insert(0, "/home/pyodide/calculators.zip")
from calculators.pages import names
from calculators.web import compute
first = compute("fit", {})
pages_for_fit = sorted(name for name in sys.modules if name.startswith("calculators.pages."))
replies = {name: compute(name, {}) for name in names()}
ok = [name for name in names() if replies[name]["ok"]]
html = {name: reply["html"] for name, reply in replies.items()}
ok_exponent = compute("kv", {"context": "1e4"})["ok"] and "decimal" in sys.modules  # only such input imports it
loaded = {name: module.__spec__.origin for name, module in sys.modules.items() if name.startswith("calculators")}
stdlib_zip = next(entry for entry in sys.path if entry.endswith(".zip") and "calculators" not in entry)
origins = {name: getattr(module.__spec__, "origin", None) or "" for name, module in sys.modules.items()}
stdlib = {name: origin for name, origin in origins.items() if origin.startswith(stdlib_zip + "/")}
json.dumps({"ok": ok, "ok_exponent": ok_exponent, "loaded": loaded, "stdlib": stdlib, "stdlib_zip": stdlib_zip,
            "pages_for_fit": pages_for_fit, "html": html})
`));
"""


def test_pyodide_runs_every_page_from_the_bundle_without_compiling_it(tmp_path):
    node = shutil.which("node")
    assert node, "Node.js is needed (npm ci installs the Pyodide it runs)"
    (tmp_path / "run.mjs").write_text(SCRIPT)
    (tmp_path / "calculators.zip").write_bytes(assets.calculators_archive())
    (tmp_path / assets.STDLIB).write_bytes(assets.stdlib_archive())
    done = subprocess.run([node, str(tmp_path / "run.mjs"), str(assets.PYODIDE_DIR), str(tmp_path / "calculators.zip"),
                           str(tmp_path / assets.STDLIB)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] == list(names()) and report["ok_exponent"]
    # The calculators' results link to each other from the targets the build wrote into the bundle: the first
    # result of a page imports no other page, and the links are those the declarations give in CPython.
    assert report["pages_for_fit"] == ["calculators.pages.fit"]
    for name in CALCULATORS:
        assert report["html"][name] == compute(name, {})["html"], name
    bundle = "/home/pyodide/calculators.zip/"
    assert all(origin.startswith(bundle) for origin in report["loaded"].values()), report["loaded"]
    compiled_here = {name for name, origin in report["loaded"].items() if not origin.endswith(".pyc")}
    kept_as_source = {path[:-3].replace("/", ".") for path in assets.SOURCE_ONLY}
    assert compiled_here <= kept_as_source, compiled_here
    assert len(report["loaded"]) > 20  # the pages, and what they import
    # Pyodide's own start, the calculators' imports and each page's: the standard library as compiled bytecode
    assert len(report["stdlib"]) > 50 and {"json.decoder", "dataclasses", "decimal"} <= report["stdlib"].keys()
    from_source = {name: path for name, path in report["stdlib"].items() if not path.endswith(".pyc")}
    assert from_source == {}, from_source


def test_the_standard_library_keeps_every_member_and_compiles_each_module_in_place(tmp_path):
    import zipfile

    (tmp_path / assets.STDLIB).write_bytes(assets.stdlib_archive())
    ours = zipfile.ZipFile(tmp_path / assets.STDLIB)
    with zipfile.ZipFile(assets.PYODIDE_DIR / assets.STDLIB) as shipped, ours:
        compiled = {name for name in ours.namelist() if name.endswith(".pyc")}
        assert {name[:-1] for name in compiled} <= set(shipped.namelist())  # x.pyc where Pyodide has x.py
        assert not {name[:-1] for name in compiled} & set(ours.namelist())  # the source it replaces is gone
        kept = [name for name in ours.namelist() if name not in compiled]
        assert len(kept) + len(compiled) == len(shipped.namelist())
        assert all(ours.read(name) == shipped.read(name) for name in kept)
        for name in compiled:  # unchecked-hash pycs (PEP 552) of the source they replace
            data = ours.read(name)
            assert int.from_bytes(data[4:8], "little") == 0b01, name


def test_the_link_targets_the_build_writes_are_those_the_declarations_give():
    from calculators.pages import calculator_pages
    from calculators.web import LINK_TARGETS_MODULE, LinkTarget, link_targets, link_targets_source

    written = {}
    exec(link_targets_source(), written)
    assert tuple(LinkTarget(**target) for target in written["TARGETS"]) == link_targets()
    assert [target.name for target in link_targets()] == [declared.name for declared in calculator_pages()]
    fit = next(target for target in link_targets() if target.name == "fit")
    assert fit.fields["context"] == "context" and fit.defaults["context"] == "32768"
    roofline = next(target for target in link_targets() if target.name == "roofline")
    assert roofline.fields["context"] == "prompt"  # the roofline's prompt is the context the others carry
    assert assets.calculator_sources()[LINK_TARGETS_MODULE] == link_targets_source()
