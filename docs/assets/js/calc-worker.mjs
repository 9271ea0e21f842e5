// Runs calculators/ in Pyodide, off the main thread (starting Pyodide on the
// main thread would freeze the page for seconds). One request at a time:
// {id, page, params} in, {id, reply} out, where reply is calculators.web.compute's JSON (the first answer
// also carries the times of the worker's start: startTiming below).
const base = new URL("../vendor/", import.meta.url);
const BUNDLE = "/home/pyodide/calculators.zip";
// When each step of the start ended (ms since the epoch: the page's clock and the worker's start at different
// times), sent with the first answer for the site's benchmark (generator/site/performance.py).
const now = () => performance.timeOrigin + performance.now();
let startTiming = {};
const ready = (async () => {
  // The package downloads while Pyodide starts: a zip of calculators/ with its bytecode, compiled at build time
  // by this same Pyodide (generator/site/assets.py), so importing it compiles nothing.
  const bundleRequest = fetch(new URL("calculators.zip", base)).then((response) => {
    if (!response.ok) throw new Error(`calculators.zip: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", base).href);
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", base).href });
  startTiming.pyodideReady = now();
  // Imported from the zip itself, as the standard library is (zipimport): unpacking it took longer.
  pyodide.FS.writeFile(BUNDLE, new Uint8Array(await bundleRequest));
  pyodide.runPython(`
import gc, json, sys
sys.path.insert(0, "${BUNDLE}")
from calculators.web import compute
# What importing made lives as long as the worker: the collector need not walk it again at every compute.
gc.freeze()

def compute_json(page, params_json):
    return json.dumps(compute(page, json.loads(params_json)))
`);
  startTiming.imported = now();
  return { pyodide, computeJson: pyodide.globals.get("compute_json") };
})();

// The wizard cites this project's records through the evidence summary the Results section publishes
// (generator/site/results/evidence.py); it is fetched from this site once, the first time the wizard asks.
let evidenceLoaded = null;
function loadEvidence(pyodide) {
  evidenceLoaded ??= fetch(new URL("../../results/downloads/evidence.json", import.meta.url))
    .then((response) => (response.ok ? response.text() : ""))
    .catch(() => "")
    .then((text) => {
      if (!text) return; // not published: the wizard says it answers from published figures only
      pyodide.FS.writeFile("/home/pyodide/evidence.json", text);
      pyodide.runPython(`
from calculators.wizard_web import use_evidence_file
use_evidence_file("/home/pyodide/evidence.json")
`);
    });
  return evidenceLoaded;
}

// V8 runs WebAssembly first as its baseline compiler made it, and optimizes the functions that run often; until
// then a compute takes two to three times as long (in Chromium, the will-it-fit page: 2.0-3.6 ms a compute over
// the first 40, 0.9-1.4 ms after 60). Once the first answer is sent, the worker computes that request again, one
// run per task so that a reader's request waits behind one at most, until WARM_UP_RUNS runs or WARM_UP_MS of its
// time (a run takes longer while the page is still busy beside it), so that the interpreter is optimized before
// the reader's first edit. A page whose first compute took longer than that (the playground's) is left as it is:
// its own computes are long enough to optimize it.
const WARM_UP_RUNS = 60;
const WARM_UP_MS = 500;
let warmedUp = false;
function warmUp(computeJson, page, paramsJson, firstMs) {
  if (warmedUp) return;
  warmedUp = true;
  if (firstMs > WARM_UP_MS) return;
  let runs = 0;
  let spent = 0;
  const step = () => {
    const started = performance.now();
    try {
      computeJson(page, paramsJson); // answered once already: it does not fail now but for a bug
    } catch {
      return;
    }
    spent += performance.now() - started;
    if (++runs < WARM_UP_RUNS && spent < WARM_UP_MS) setTimeout(step, 0);
  };
  setTimeout(step, 0);
}

self.onmessage = async (event) => {
  const { id, page, params } = event.data;
  try {
    const { pyodide, computeJson } = await ready;
    if (page === "wizard") await loadEvidence(pyodide);
    const paramsJson = JSON.stringify(params);
    const started = performance.now();
    const reply = JSON.parse(computeJson(page, paramsJson));
    const timing = startTiming && { ...startTiming, computed: now() };
    startTiming = null;
    self.postMessage({ id, reply, timing });
    warmUp(computeJson, page, paramsJson, performance.now() - started);
  } catch (error) {
    self.postMessage({ id, failure: String(error && error.message ? error.message : error).slice(0, 300) });
  }
};
