"""`python -m generator site-benchmark`: how fast the built site is in headless Chromium.

Measures, over cold runs (a fresh browser context each time, so nothing is cached):
- first contentful paint of a calculator page, which shows the pre-rendered result and its charts (static
  SVG), and when plotly.js drew its first chart, if one was near the screen;
- time until the page computes live (Pyodide ready, first recompute rendered),
  and the part of it that follows Pyodide's start in the same page (importing calculators/, the first compute,
  the answer shown), which is the site's own and varies far less from run to run than Pyodide's start,
  divided by the time a bare page needs only to load Pyodide in a worker, both
  measured in the same run; the bare page loads this site's Pyodide (its standard
  library compiled at build time, assets.stdlib_archive), and a second bare page
  the standard library as Pyodide ships it (source, compiled at every start);
- recompute latency after an input change (input event to rendered result), once the page has settled:
  the edits are made inside the page, a keystroke's input event every EDIT_PAUSE_MS, so that nothing the
  harness does (Playwright's actionability checks force layouts) falls inside the time measured;
- bytes transferred by a plain page and by a calculator page.
The harness waits for a page inside it, on a timer (WAIT_IN_PAGE), so as not to work beside the page's start.
Prints medians and spreads; it asserts nothing, because the machines are shared
and noisy (targets belong in the note that quotes the output, not in tests).
"""

import functools
import http.server
import statistics
import threading
from pathlib import Path

from .assets import PYODIDE_DIR, STDLIB
from .build import SITE_DIR, build_site
from .serve import StaticHandler

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]
BARE_PAGE = "assets/vendor/_bare-pyodide.html"
BARE_WORKER = "assets/vendor/_bare-worker.mjs"
STOCK_STDLIB = "assets/vendor/_stock-python_stdlib.zip"
PYODIDE_PREFIX = "/assets/vendor/pyodide/"
EDITS = 20
SETTLE_MS = 2000
EDIT_PAUSE_MS = 250  # a keystroke every quarter second; the charts redraw 120 ms after a result (calculators.js)
# Sets the context field as typing would (its value, then an input event), waits for the result (30 s at most:
# a page that failed never times one), pauses.
TYPE_IN_PAGE = """async ([count, pause]) => {
  const input = document.querySelector("#f-context");
  const times = window.__calc.computeMs;
  for (let i = 0; i < count; i++) {
    const before = times.length;
    const deadline = performance.now() + 30000;
    input.value = String(4096 + 512 * (i % 7));
    input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText" }));
    while (times.length === before) {
      if (performance.now() > deadline) throw new Error(`no result for edit ${i + 1} within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return times.slice(-count);
}"""


# Waits inside the page until `condition` (a JavaScript expression) holds, checking it every 25 ms on a timer.
# Playwright's wait_for_function would first install its injected script in the page (about 30-100 ms of the
# main thread's time on these machines) and then check at every animation frame, making the page render frames
# meanwhile: work of the harness's own beside Pyodide's start. It fell in the middle of a calculator page's start
# (Playwright waits for the load event first) but before the bare page's heavy part (its load event comes at
# once), so it weighed on the calculator page's time far more than on the bare page's.
WAIT_IN_PAGE = """(condition) => new Promise((resolve, reject) => {
  const holds = new Function(`return (${condition});`);
  const deadline = performance.now() + 120000;
  const check = () => {
    if (holds()) resolve();
    else if (performance.now() > deadline) reject(new Error(`still not ${condition} after 120 s`));
    else setTimeout(check, 25);
  };
  check();
})"""


def register(commands):
    bench = commands.add_parser("site-benchmark", help="time the built site in headless Chromium")
    bench.add_argument("--runs", type=int, default=5)
    bench.add_argument("--page", default="calculators/will-it-fit/")
    bench.set_defaults(run=lambda args: run(args.runs, args.page))


def _write_bare_page():
    """A page that does nothing but start Pyodide in a worker: the baseline. With ?stock, its standard library
    is the one Pyodide ships."""
    (SITE_DIR / STOCK_STDLIB).write_bytes((PYODIDE_DIR / STDLIB).read_bytes())
    (SITE_DIR / BARE_WORKER).write_text(
        'const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", import.meta.url).href);\n'
        'const stock = new URL(import.meta.url).searchParams.has("stock");\n'
        'await loadPyodide({ indexURL: new URL("pyodide/", import.meta.url).href,\n'
        f'  ...(stock ? {{ stdLibURL: new URL("{Path(STOCK_STDLIB).name}", import.meta.url).href }} : {{}}) }});\n'
        'self.postMessage("ready");\n')
    (SITE_DIR / BARE_PAGE).write_text(
        '<!doctype html><html lang="en"><title>bare</title><script>\n'
        'window.readyAt = null;\n'
        'const w = new Worker("_bare-worker.mjs" + location.search, {type: "module"});\n'
        'w.onmessage = () => { window.readyAt = performance.now(); };\n'
        '</script></html>\n')


def _summary(values, unit, scale=1.0, digits=1):
    values = [v * scale for v in values]
    spread = f"{min(values):,.{digits}f}-{max(values):,.{digits}f}" if len(values) > 1 else "-"
    return f"median {statistics.median(values):,.{digits}f} {unit} (min-max {spread}, n={len(values)})"


class _Transfers:
    """Bytes of every response a context received, the worker's included."""

    def __init__(self, context):
        self.items = []
        context.on("requestfinished", self._add)

    def _add(self, request):
        sizes = request.sizes()
        self.items.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    def total(self, only=None):
        return sum(size for url, size in self.items if only is None or _category(url) == only)


def _category(url):
    """pyodide, plotly, theme (mkdocs-material's bundle) or ours (pages, our JS and CSS, the calculators)."""
    if PYODIDE_PREFIX in url:
        return "pyodide"
    if url.rsplit("/", 1)[-1].startswith("plotly"):
        return "plotly"
    if "/assets/javascripts/" in url or "/assets/stylesheets/" in url or "/assets/images/" in url:
        return "theme"
    return "ours"


def _results_page() -> str | None:
    """The first device page of the Results section, GPUs first (the build lists them so)."""
    pages = sorted(path.parent.name for path in (SITE_DIR / "results").glob("*/index.html"))
    devices = [name for name in pages if name not in ("calculators", "data", "methodology", "published", "downloads")]
    gpus = [name for name in devices if not name.startswith(("amd-", "intel-", "cpu"))]
    chosen = (gpus or devices or [None])[0]
    return None if chosen is None else f"results/{chosen}/"


def _first_contentful_paint(page) -> float:
    """When the page first painted content: the entry can come after the load event on a busy machine."""
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0", timeout=30_000)
    return page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")


def _first_plotly_chart(page) -> float | None:
    """When plotly.js drew the page's first chart, or None where it drew none: charts.js hands a chart to
    plotly.js only as it comes near the screen (each chart is on screen as a static SVG from first paint)."""
    page.wait_for_timeout(3000)
    return page.evaluate("window.__charts ? window.__charts.firstDrawnAt : null")


def _drawn_summary(values) -> str:
    drawn = [v for v in values if v is not None]
    left = len(values) - len(drawn)
    return (_summary(drawn, "ms") if drawn else "none") + (f"; not drawn in {left} run(s), no chart near the "
                                                           "screen" if left else "")


def run(runs: int = 5, page_path: str = "calculators/will-it-fit/") -> int:
    from playwright.sync_api import sync_playwright

    code = build_site(site_url="http://127.0.0.1:8000/", local=True)
    if code:
        return code
    _write_bare_page()
    handler = functools.partial(StaticHandler, directory=str(SITE_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    first_paint, live, bare, stock, recompute, plain_bytes, calc_bytes = [], [], [], [], [], [], []
    ready, after_ready, imported, first_compute = [], [], [], []
    calc_chart, results_paint, results_chart, results_bytes = [], [], [], []
    results_path = _results_page()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.goto(base + BARE_PAGE)
                page.evaluate(WAIT_IN_PAGE, "window.readyAt !== null")
                bare.append(page.evaluate("window.readyAt"))
                context.close()

                context = browser.new_context()
                page = context.new_page()
                page.goto(base + BARE_PAGE + "?stock")
                page.evaluate(WAIT_IN_PAGE, "window.readyAt !== null")
                stock.append(page.evaluate("window.readyAt"))
                context.close()

                context = browser.new_context()
                transfers = _Transfers(context)
                page = context.new_page()
                page.goto(base + page_path)
                page.evaluate(WAIT_IN_PAGE, "window.__calc && window.__calc.liveAt !== null")
                live.append(page.evaluate("window.__calc.liveAt"))
                start = page.evaluate("window.__calc.start")
                ready.append(start["pyodideReady"])
                after_ready.append(live[-1] - start["pyodideReady"])
                imported.append(start["imported"] - start["pyodideReady"])
                first_compute.append(start["computed"] - start["imported"])
                first_paint.append(_first_contentful_paint(page))
                calc_chart.append(_first_plotly_chart(page))
                calc_bytes.append({key: transfers.total(key) for key in ("pyodide", "plotly", "theme", "ours")})
                # Settled: the page has started and idles. The theme's script waits for the reader's first
                # key or pointer (generator/site/hooks.py), which edits made inside the page are not.
                page.wait_for_timeout(SETTLE_MS)
                recompute.extend(page.evaluate(TYPE_IN_PAGE, [EDITS, EDIT_PAUSE_MS]))
                context.close()

                context = browser.new_context()
                transfers = _Transfers(context)
                page = context.new_page()
                page.goto(base)
                page.wait_for_load_state("networkidle")
                plain_bytes.append(transfers.total())
                context.close()

                if results_path:
                    context = browser.new_context()
                    transfers = _Transfers(context)
                    page = context.new_page()
                    page.goto(base + results_path)
                    page.wait_for_load_state("load")
                    results_paint.append(_first_contentful_paint(page))
                    results_chart.append(_first_plotly_chart(page))
                    page.wait_for_load_state("networkidle")
                    results_bytes.append({key: transfers.total(key) for key in ("plotly", "theme", "ours")})
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        for name in (BARE_PAGE, BARE_WORKER, STOCK_STDLIB):
            Path(SITE_DIR / name).unlink(missing_ok=True)

    ratios = [l / b for l, b in zip(live, bare)]
    stock_ratios = [l / b for l, b in zip(live, stock)]
    p95 = sorted(recompute)[max(0, int(round(0.95 * len(recompute))) - 1)]
    print(f"page: /{page_path}, {runs} cold runs, headless Chromium")
    print(f"first contentful paint (pre-rendered result): {_summary(first_paint, 'ms')}")
    print("static charts: part of the page's HTML, drawn with it at first paint")
    print(f"first chart drawn by plotly.js:               {_drawn_summary(calc_chart)}")
    print(f"live (Pyodide ready + first recompute):       {_summary(live, 'ms')}")
    print(f"  Pyodide ready in the page:                  {_summary(ready, 'ms')}")
    print(f"  from Pyodide ready to live:                 {_summary(after_ready, 'ms')}")
    print(f"    importing calculators/:                   {_summary(imported, 'ms')}")
    print(f"    first compute:                            {_summary(first_compute, 'ms')}")
    print(f"bare page loading only Pyodide:               {_summary(bare, 'ms')}")
    print(f"live / bare, per run:                         {_summary(ratios, 'x', digits=2)}")
    print(f"bare page, Pyodide's stdlib as shipped:       {_summary(stock, 'ms')}")
    print(f"live / bare as shipped, per run:              {_summary(stock_ratios, 'x', digits=2)}")
    print(f"recompute after an input change:              {_summary(recompute, 'ms')}, p95 {p95:,.1f} ms")
    print(f"  ({EDITS} edits a run, typed in the page {SETTLE_MS / 1000:g} s after it went live, "
          f"one every {EDIT_PAUSE_MS} ms)")
    print(f"bytes, plain page (home):                     {_summary(plain_bytes, 'KB', 1 / 1000)}")
    for key in ("pyodide", "plotly", "theme", "ours"):
        print(f"bytes, calculator page, {key + ':':<22}{_summary([c[key] for c in calc_bytes], 'KB', 1 / 1000)}")
    if results_path:
        print(f"results page /{results_path}:")
        print(f"  first contentful paint:                     {_summary(results_paint, 'ms')}")
        print(f"  first chart drawn by plotly.js:             {_drawn_summary(results_chart)}")
        for key in ("plotly", "theme", "ours"):
            print(f"  bytes, {key + ':':<37}{_summary([c[key] for c in results_bytes], 'KB', 1 / 1000)}")
    return 0
