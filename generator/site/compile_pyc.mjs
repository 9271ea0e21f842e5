// Compiles, with the Python the site ships (Pyodide's own), what the browser's worker imports: calculators/ and
// the modules of Python's standard library that starting Pyodide, importing calculators/ and computing each
// page bring in. Pyodide ships its standard library as source, and compiling is most of an import's time in
// WebAssembly: most of the seconds Pyodide takes to start.
// Usage: node compile_pyc.mjs PYODIDE_DIR TREE [SOURCE_ONLY...]
// TREE holds calculators/**.py. Each module's __pycache__/NAME.cpython-3XX.pyc is written beside it (except the
// SOURCE_ONLY paths, imported but kept as source), and each standard library module imported, at its path in
// python_stdlib.zip, under TREE/stdlib/ (json/decoder.py as stdlib/json/decoder.pyc). All are unchecked-hash
// pycs (PEP 552): the worker's file system gives files fresh timestamps, which a timestamp-checked pyc would
// take for a change, and the standard library's compiled modules replace their sources.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, tree, ...sourceOnly] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });

const sources = [];
(function walk(relative) {
  for (const entry of fs.readdirSync(path.join(tree, relative), { withFileTypes: true })) {
    const child = path.posix.join(relative, entry.name);
    if (entry.isDirectory() && entry.name !== "__pycache__") walk(child);
    else if (entry.isFile() && entry.name.endsWith(".py")) sources.push(child);
  }
})("calculators");

// The sources reach /tree as a zip unpacked by Pyodide, which imports the modules unpacking needs (zipfile,
// shutil) as it starts, in the worker too.
pyodide.globals.set("sources", pyodide.toPy(sources));
pyodide.globals.set("texts", pyodide.toPy(sources.map((source) => fs.readFileSync(path.join(tree, source), "utf8"))));
const packed = pyodide.runPython(`
import io, zipfile
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as archive:
    for source, text in zip(sources, texts):
        archive.writestr(source, text)
buffer.getvalue()
`).toJs();
pyodide.unpackArchive(packed, "zip", { extractDir: "/tree" });
pyodide.globals.set("sources", pyodide.toPy(sources.filter((source) => !sourceOnly.includes(source))));
// What the worker imports (calc-worker.mjs), then every page computed once: the standard library modules in
// sys.modules by then, found before this script imports anything of its own.
const written = pyodide.runPython(`
import gc, json, sys
sys.path.insert(0, "/tree")
from calculators.pages import names
from calculators.web import compute
for name in names():
    compute(name, {})
# A number in scientific notation ("1e6") is the one input whose parsing imports more (decimal; the number
# format page imports it too today, through fractions).
compute("kv", {"context": "1e4"})
stdlib_zip = next(entry for entry in sys.path if entry.endswith(".zip"))
# where each module came from (its spec's origin): the frozen ones (codecs, abc, ...) name the zip as their file
origins = [getattr(module.__spec__, "origin", None) or "" for module in list(sys.modules.values())]
imported = sorted({origin[len(stdlib_zip) + 1:] for origin in origins if origin.startswith(stdlib_zip + "/")})

import importlib.util, os, py_compile, zipfile
UNCHECKED = py_compile.PycInvalidationMode.UNCHECKED_HASH
written = []
for source in sources:
    target = importlib.util.cache_from_source("/tree/" + source)
    py_compile.compile("/tree/" + source, cfile=target, doraise=True, invalidation_mode=UNCHECKED)
    written.append(target[len("/tree/"):])
with zipfile.ZipFile(stdlib_zip) as archive:
    for member in imported:
        os.makedirs(os.path.dirname("/stdlib-source/" + member), exist_ok=True)
        with open("/stdlib-source/" + member, "wb") as file:
            file.write(archive.read(member))
        target = "/tree/stdlib/" + member[:-len(".py")] + ".pyc"
        # dfile: a traceback names the module's place in python_stdlib.zip, as it would with the source
        py_compile.compile("/stdlib-source/" + member, cfile=target, dfile=stdlib_zip + "/" + member,
                           doraise=True, invalidation_mode=UNCHECKED)
        written.append(target[len("/tree/"):])
written
`).toJs();
for (const pyc of written) {
  fs.mkdirSync(path.join(tree, path.dirname(pyc)), { recursive: true });
  fs.writeFileSync(path.join(tree, pyc), pyodide.FS.readFile(`/tree/${pyc}`));
}
const stdlib = written.filter((pyc) => pyc.startsWith("stdlib/")).length;
console.log(`${written.length - stdlib} modules of calculators/ and ${stdlib} of the standard library compiled`);
