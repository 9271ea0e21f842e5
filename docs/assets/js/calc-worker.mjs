// Runs calculators/ in Pyodide, off the main thread (starting Pyodide on the
// main thread would freeze the page for seconds). One request at a time:
// {id, page, params} in, {id, reply} out, where reply is calculators.web.compute's JSON.
const base = new URL("../vendor/", import.meta.url);
const ready = (async () => {
  // The bundle downloads while Pyodide starts.
  const bundleRequest = fetch(new URL("calculators.json", base)).then((response) => response.json());
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", base).href);
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", base).href });
  const bundle = await bundleRequest;
  pyodide.FS.mkdirTree("/home/pyodide/lib/calculators");
  for (const [path, source] of Object.entries(bundle)) {
    pyodide.FS.writeFile(`/home/pyodide/lib/${path}`, source);
  }
  pyodide.runPython(`
import json, sys
sys.path.insert(0, "/home/pyodide/lib")
from calculators.web import compute

def compute_json(page, params_json):
    return json.dumps(compute(page, json.loads(params_json)))
`);
  return pyodide.globals.get("compute_json");
})();

self.onmessage = async (event) => {
  const { id, page, params } = event.data;
  try {
    const computeJson = await ready;
    self.postMessage({ id, reply: JSON.parse(computeJson(page, JSON.stringify(params))) });
  } catch (error) {
    self.postMessage({ id, failure: String(error && error.message ? error.message : error).slice(0, 300) });
  }
};
