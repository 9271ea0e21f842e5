// Calculator pages: inputs <-> URL, a Pyodide worker that runs calculators/,
// and Plotly charts. Loaded on every page but does nothing where there is no
// calculator; the worker is started once and kept across instant navigation.
(() => {
  const assets = new URL("..", document.currentScript.src); // .../assets/
  let worker = null;
  let nextId = 0;
  const waiting = new Map();
  window.__calc = { startedAt: null, liveAt: null, computeMs: [] };

  function startWorker() {
    if (worker) return worker;
    if (window.__calcWorker) { // started early from <head> on a calculator page
      worker = window.__calcWorker;
      window.__calc.startedAt = window.__calcWorkerStartedAt;
    } else {
      worker = new Worker(new URL("js/calc-worker.mjs", assets), { type: "module" });
      window.__calc.startedAt = performance.now();
    }
    worker.onmessage = (event) => {
      const callback = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      if (callback) callback(event.data);
    };
    return worker;
  }

  function ask(page, params) {
    const id = ++nextId;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      startWorker().postMessage({ id, page, params });
    });
  }

  function formValues(form) {
    const values = {};
    for (const element of form.elements) {
      if (!element.name) continue;
      values[element.name] = element.type === "checkbox" ? (element.checked ? "on" : "") : element.value;
    }
    return values;
  }

  function applyUrl(form) {
    const query = new URLSearchParams(location.search);
    for (const element of form.elements) {
      if (!element.name || !query.has(element.name)) continue;
      const value = query.get(element.name);
      if (element.type === "checkbox") element.checked = value === "on";
      else if (element.tagName === "SELECT") {
        // An unknown choice must still reach the calculator so it can say so.
        if (![...element.options].some((o) => o.value === value)) {
          const option = new Option(`${value.slice(0, 60)} (not in the list)`, value);
          element.add(option);
        }
        element.value = value;
      } else element.value = value;
    }
  }

  function showGroups(form) {
    const model = form.elements.namedItem("model");
    for (const group of form.querySelectorAll("[data-when-model]")) {
      group.hidden = !model || model.value !== group.dataset.whenModel;
    }
  }

  function writeUrl(values, defaults) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) {
      if (value !== defaults[name] && !(value === "" && !(name in defaults))) query.set(name, value);
    }
    const search = query.toString();
    history.replaceState(history.state, "", search ? `?${search}` : location.pathname);
  }

  function showErrors(form, errors) {
    for (const element of form.querySelectorAll(".calc-error")) element.textContent = "";
    for (const element of form.elements) element.removeAttribute("aria-invalid");
    for (const [field, message] of Object.entries(errors)) {
      const slot = form.querySelector(`#e-${CSS.escape(field)}`);
      const input = form.elements.namedItem(field);
      if (slot) slot.textContent = message;
      if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
    }
  }

  function bind(root) {
    if (root.dataset.bound) return;
    root.dataset.bound = "1";
    const page = root.dataset.page;
    const form = root.querySelector("form");
    const status = root.querySelector(".calc-status");
    const result = root.querySelector(".calc-result");
    const charts = root.querySelector(".calc-charts");
    const defaults = formValues(form);
    applyUrl(form);
    showGroups(form);
    const fromUrl = JSON.stringify(formValues(form)) !== JSON.stringify(defaults);
    if (fromUrl) {
      result.classList.add("calc-stale");
      status.textContent = "Computing the result for the inputs in the address…";
    }
    let inFlight = false;
    let pending = false;

    async function recompute() {
      if (inFlight) { pending = true; return; }
      inFlight = true;
      const values = formValues(form);
      const started = performance.now();
      const answer = await ask(page, values);
      inFlight = false;
      if (!root.isConnected) return;
      if (pending) { pending = false; recompute(); return; }
      if (answer.failure) {
        status.textContent = `The live calculator failed to start (${answer.failure}); the result shown is the one computed at build time.`;
        return;
      }
      const reply = answer.reply;
      window.__calc.lastReply = reply;
      writeUrl(values, defaults);
      showErrors(form, reply.errors);
      if (reply.ok) {
        result.innerHTML = reply.html; // HTML rendered by calculators/render.py, every input escaped
        result.classList.remove("calc-stale");
        status.textContent = "Live result.";
        scheduleCharts(page, reply.result, charts);
      } else {
        result.classList.add("calc-stale");
        status.textContent = "Check the highlighted input; the result below is for the last valid inputs.";
      }
      window.__calc.computeMs.push(performance.now() - started);
      if (window.__calc.liveAt === null) {
        window.__calc.liveAt = performance.now();
        performance.mark("calc-live");
      }
    }

    form.addEventListener("input", (event) => {
      if (event.target.name === "model") showGroups(form);
      recompute();
    });
    form.addEventListener("change", (event) => {
      if (event.target.name === "model") showGroups(form);
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    recompute();
  }

  // -- charts -------------------------------------------------------------------
  const GIB = 2 ** 30;

  const PART_LABELS = { embedding: "Embeddings", attention: "Attention", mlp: "MLP", experts: "Routed experts",
    shared_experts: "Shared experts", router: "Routers", norms: "Norms", lm_head: "LM head" };

  const CHARTS = {
    weights: (r) => [
      { title: "Bytes by part", traces: [{ type: "bar", orientation: "h",
        y: Object.keys(r.parts).filter((p) => r.parts[p]).map((p) => PART_LABELS[p] || p).concat(["Quantization metadata"]),
        x: Object.keys(r.parts).filter((p) => r.parts[p]).map((p) => r.parts[p] / GIB).concat([r.metadata_bytes / GIB]) }],
        layout: { xaxis: { title: { text: "GiB" } }, yaxis: { autorange: "reversed" }, margin: { l: 170 } } },
      { title: "The same model in other formats", traces: [{ type: "bar", orientation: "h",
        y: r.comparison.map((c) => c.label), x: r.comparison.map((c) => c.total_bytes / GIB) }],
        layout: { xaxis: { title: { text: "GiB" } }, yaxis: { autorange: "reversed" }, margin: { l: 300 },
          height: 480 } },
    ],
    kv: (r) => [{ title: `KV cache for ${r.batch} sequence(s) against context length`,
      traces: r.series.map((s) => ({ type: "scatter", mode: "lines", name: s.label, x: s.context,
        y: s.bytes.map((b) => b / GIB) })),
      layout: { xaxis: { title: { text: "context (tokens)" } }, yaxis: { title: { text: "GiB" } } } }],
    fit: (r) => [{ title: "Memory per GPU against the card's capacity",
      traces: ["weights", "kv_cache", "activations", "overhead"].map((k) => ({ type: "bar", name: k.replace("_", " "),
        x: ["per GPU"], y: [r.stack[k] / GIB] })),
      layout: { barmode: "stack", yaxis: { title: { text: "GiB" } },
        shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: r.capacity_bytes / GIB, y1: r.capacity_bytes / GIB,
          line: { dash: "dash", color: "#d33" } }] } }],
    roofline: (r) => {
      const xs = [];
      for (let e = -1; e <= 5; e += 0.05) xs.push(10 ** e);
      return [
        { title: "Roofline with the prefill and decode operating points", traces: [
          { type: "scatter", mode: "lines", name: "attainable FLOP/s",
            x: xs, y: xs.map((i) => Math.min(r.peak_flops_s, r.bandwidth_bytes_s * i)) },
          { type: "scatter", mode: "markers", name: "prefill", marker: { size: 12 },
            x: [r.prefill.intensity], y: [r.prefill.flops / r.prefill.time_s] },
          { type: "scatter", mode: "markers", name: "decode", marker: { size: 12 },
            x: [r.decode.intensity], y: [r.decode.flops / r.decode.time_s] }],
          layout: { xaxis: { type: "log", title: { text: "arithmetic intensity (FLOP/byte)" } },
            yaxis: { type: "log", title: { text: "FLOP/s" } } } },
        { title: "Decode over batch size", traces: [
          { type: "scatter", mode: "lines+markers", name: "tokens/s (upper bound)", x: r.sweep.batch,
            y: r.sweep.tokens_per_s }],
          layout: { xaxis: { type: "log", title: { text: "batch" } }, yaxis: { title: { text: "tokens/s" } } } },
      ];
    },
    speculative: (r) => [{ title: "Speedup against draft length", traces: [
      { type: "scatter", mode: "lines+markers", name: "speedup", x: r.curve.draft_tokens, y: r.curve.speedup }],
      layout: { xaxis: { title: { text: "draft tokens per step" } }, yaxis: { title: { text: "speedup (×)" } } } }],
    training: (r) => [{ title: "Training memory by method",
      traces: ["weights", "gradients", "optimizer_states", "master_weights", "activations", "logits"].map((k) => ({
        type: "bar", name: k.replace("_", " "), x: Object.keys(r.methods), y: Object.values(r.methods).map((m) => m[k] / GIB) })),
      layout: { barmode: "stack", yaxis: { title: { text: "GiB" } } } }],
  };

  // Charts follow the numbers a moment later, so that typing never waits for Plotly.
  let chartTimer = null;
  function scheduleCharts(page, result, container) {
    clearTimeout(chartTimer);
    chartTimer = setTimeout(() => drawCharts(page, result, container), 120);
  }

  async function drawCharts(page, result, container) {
    if (!container || !CHARTS[page] || !window.__charts) return;
    const figures = CHARTS[page](result);
    while (container.children.length > figures.length) container.lastChild.remove();
    for (const [index, figure] of figures.entries()) {
      let div = container.children[index];
      if (!div) {
        div = document.createElement("div");
        div.className = "calc-chart";
        div.setAttribute("role", "figure");
        container.appendChild(div);
      }
      div.setAttribute("aria-label", figure.title);
      const layout = { ...figure.layout, title: { text: figure.title }, margin: { l: 70, r: 20, t: 40, b: 60,
        ...(figure.layout.margin || {}) } };
      try { await window.__charts.draw(div, { data: figure.traces, layout }); } catch (error) { return; }
    }
  }

  function onPage() {
    for (const root of document.querySelectorAll(".calc[data-page]")) bind(root);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(onPage);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onPage);
  else onPage();
})();
