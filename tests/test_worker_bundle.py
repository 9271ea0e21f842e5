"""The zip the browser's worker unpacks (generator/site/assets.py), run by the Pyodide the site ships, in Node:
every page computes its default from it alone, and its modules are imported as the bytecode the build compiled,
so the browser compiles none of them."""

import json
import shutil
import subprocess

from calculators.pages import names
from generator.site import assets

SCRIPT = """
import fs from "node:fs";
import { pathToFileURL } from "node:url";
const [pyodideDir, archive] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(pyodideDir + "/pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
pyodide.unpackArchive(new Uint8Array(fs.readFileSync(archive)), "zip", { extractDir: "/home/pyodide/lib" });
console.log(pyodide.runPython(`
import json, sys
sys.path.insert(0, "/home/pyodide/lib")
from calculators.pages import names
from calculators.web import compute
ok = [name for name in names() if compute(name, {})["ok"]]
loaded = {name: type(module.__spec__.loader).__name__ for name, module in sys.modules.items()
          if name.startswith("calculators")}
json.dumps({"ok": ok, "loaded": loaded})
`));
"""


def test_pyodide_runs_every_page_from_the_bundle_without_compiling_it(tmp_path):
    node = shutil.which("node")
    assert node, "Node.js is needed (npm ci installs the Pyodide it runs)"
    (tmp_path / "run.mjs").write_text(SCRIPT)
    (tmp_path / "calculators.zip").write_bytes(assets.calculators_archive())
    done = subprocess.run([node, str(tmp_path / "run.mjs"), str(assets.PYODIDE_DIR), str(tmp_path / "calculators.zip")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] == list(names())
    compiled_here = {name for name, loader in report["loaded"].items() if loader != "SourcelessFileLoader"}
    kept_as_source = {path[:-3].replace("/", ".") for path in assets.SOURCE_ONLY}
    assert compiled_here <= kept_as_source, compiled_here
    assert len(report["loaded"]) > 20  # the pages, and what they import
