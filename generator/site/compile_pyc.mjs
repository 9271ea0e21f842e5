// Compiles calculators/ to bytecode with the Python the site ships, Pyodide's own, so that the browser's worker
// imports the package without compiling it (compiling is most of the import's time in WebAssembly).
// Usage: node compile_pyc.mjs PYODIDE_DIR TREE
// TREE holds calculators/**.py; each module's __pycache__/NAME.cpython-3XX.pyc is written beside it, as an
// unchecked-hash pyc (PEP 552): the worker's file system gives the sources fresh timestamps, which a
// timestamp-checked pyc would take for a change.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, tree] = process.argv.slice(2);
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

for (const source of sources) {
  pyodide.FS.mkdirTree(`/tree/${path.posix.dirname(source)}`);
  pyodide.FS.writeFile(`/tree/${source}`, fs.readFileSync(path.join(tree, source)));
}
pyodide.globals.set("sources", pyodide.toPy(sources));
const compiled = pyodide.runPython(`
import importlib.util, py_compile
written = []
for source in sources:
    target = importlib.util.cache_from_source("/tree/" + source)
    py_compile.compile("/tree/" + source, cfile=target, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    written.append(target[len("/tree/"):])
written
`).toJs();
for (const pyc of compiled) {
  fs.mkdirSync(path.join(tree, path.dirname(pyc)), { recursive: true });
  fs.writeFileSync(path.join(tree, pyc), pyodide.FS.readFile(`/tree/${pyc}`));
}
console.log(`${compiled.length} modules compiled`);
