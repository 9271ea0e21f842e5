// Calculator pages: inputs <-> URL, a Pyodide worker that runs calculators/,
// and the result's charts redrawn from each live result. Loaded on every page
// but does nothing where there is no calculator; the worker is started once and
// kept across instant navigation.
(() => {
  const assets = new URL("..", document.currentScript.src); // .../assets/
  let worker = null;
  let nextId = 0;
  const waiting = new Map();
  window.__calc = { startedAt: null, liveAt: null, computeMs: [], addressPending: false, start: null,
    chartsSettled: true };

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
      const timing = event.data.timing; // the worker's start, with its first answer: on the page's clock
      if (timing) {
        window.__calc.start = Object.fromEntries(Object.entries(timing)
          .map(([step, at]) => [step, at - performance.timeOrigin]));
      }
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
          option.dataset.unlisted = "1"; // adoptListed replaces it where the calculator reads it as a listed one
          element.add(option);
        }
        element.value = value;
      } else element.value = value;
    }
  }

  // A choice from the address that the list does not hold but the calculator reads as one it does (a format's
  // older id, or a llama.cpp name such as q4_k_m for gguf-q4-k-m: calculators/formats.py) shows as that entry
  // once the calculator has answered, in place of "(not in the list)", and the address takes its id. `values`
  // are the inputs the answer is for; the form's values are returned, changed or not.
  function adoptListed(form, values, inputs) {
    let changed = false;
    for (const element of form.elements) {
      const chosen = element.tagName === "SELECT" ? element.selectedOptions[0] : null;
      if (!chosen || !chosen.dataset.unlisted || element.value !== values[element.name]) continue;
      const read = inputs && inputs[element.name];
      const listed = [...element.options].find((option) => option.value === read && !option.dataset.unlisted);
      if (!listed) continue;
      element.value = read;
      chosen.remove();
      changed = true;
    }
    return changed ? formValues(form) : values;
  }

  // -- inputs carried between calculators: what the user chose on one page is where the next one starts.
  // Each carried input is marked data-carry with the name it travels under (calculators/inputs.py CARRIED).
  const STORE = "lqfg-calculator-inputs";

  function stored() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE));
      return saved && typeof saved === "object" ? saved : {};
    } catch (error) {
      return {}; // storage disabled or unreadable: nothing carried
    }
  }

  // The carried inputs as they are now (a valid result's), and the function that writes them into storage.
  function remember(form) {
    const carried = {};
    const model = form.elements.namedItem("model");
    for (const input of form.querySelectorAll("[data-carry]")) {
      if (input.dataset.carry === "config" && (!model || model.value !== "config")) continue;
      carried[input.dataset.carry] = input.type === "checkbox" ? (input.checked ? "on" : "") : input.value;
    }
    return () => {
      try {
        localStorage.setItem(STORE, JSON.stringify({ ...stored(), ...carried }));
      } catch (error) {
        // storage full or disabled: the next page starts from its defaults
      }
    };
  }

  // Fills the carried inputs from storage (only the pasted config.json when `onlyConfig`); a choice this
  // page does not offer is left at its default.
  function applyStored(form, onlyConfig) {
    const saved = stored();
    for (const input of form.querySelectorAll("[data-carry]")) {
      const name = input.dataset.carry;
      if (!(name in saved) || (onlyConfig && name !== "config")) continue;
      const value = String(saved[name]);
      if (input.tagName === "SELECT" && ![...input.options].some((o) => o.value === value)) continue;
      if (input.type === "checkbox") input.checked = value === "on";
      else input.value = value;
    }
    const model = form.elements.namedItem("model");
    const config = form.elements.namedItem("config");
    if (config && (!model || model.value !== "config")) config.value = "";
  }

  // -- the Hugging Face Hub: the one other host the site may ask, and only when the user presses the button.
  const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

  async function fetchConfig(form) {
    const input = form.querySelector("#f-hub");
    const slot = form.querySelector("#e-hub");
    const button = form.querySelector(".calc-hub-fetch");
    const id = input.value.trim().replace(/^https?:\/\/huggingface\.co\//, "").replace(/\/+$/, "");
    if (!HUB_ID.test(id)) {
      slot.textContent = "Enter a model id as owner/name, as in the model's address: Qwen/Qwen2.5-7B-Instruct.";
      return;
    }
    const hub = window.__calcHubBase || "https://huggingface.co"; // the tests point this at a local stand-in
    slot.textContent = `Fetching ${id}'s config.json…`;
    button.disabled = true;
    let response;
    try {
      response = await fetch(`${hub}/${id}/resolve/main/config.json`, { credentials: "omit", referrerPolicy: "no-referrer" });
    } catch (error) {
      slot.textContent = "Could not reach huggingface.co (offline, or the network blocks it): paste config.json above.";
      return;
    } finally {
      button.disabled = false;
    }
    if (response.status === 401 || response.status === 403) {
      slot.textContent = `huggingface.co sends ${id}'s config.json only to signed-in users who accepted its terms `
        + "(a gated or private model): download it from the model's page and paste it above.";
      return;
    }
    if (response.status === 404) {
      slot.textContent = `huggingface.co has no config.json for ${id}: check the id (owner/name, as in its address).`;
      return;
    }
    if (!response.ok) {
      slot.textContent = `huggingface.co answered ${response.status}: try again, or paste config.json above.`;
      return;
    }
    const text = await response.text();
    const config = form.elements.namedItem("config");
    config.value = text;
    slot.textContent = `Fetched ${id}'s config.json.`;
    config.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // -- export: the result as Markdown or JSON on the clipboard, a chart's table as a CSV file.
  function cellText(cell) {
    return cell.textContent.replace(/\s+/g, " ").trim();
  }

  function markdownTable(table) {
    const rows = [...table.rows].map((row) => [...row.cells].map((c) => cellText(c).replace(/\|/g, "\\|")));
    const head = table.tHead ? rows.shift() : rows[0].map((_, index) => (index ? "value" : ""));
    const line = (cells) => `| ${cells.join(" | ")} |`;
    return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
  }

  function markdown(result) {
    const blocks = [];
    for (const node of result.children) {
      if (node.classList.contains("calc-related")) continue; // links to this site's other pages
      if (node.tagName === "TABLE") blocks.push(markdownTable(node));
      else if (node.tagName === "OL" || node.tagName === "UL") {
        blocks.push([...node.children].map((item, index) => `${node.tagName === "OL" ? `${index + 1}.` : "-"} ${cellText(item)}`).join("\n"));
      } else if (cellText(node)) blocks.push(cellText(node));
    }
    return `${blocks.join("\n\n")}\n\nComputed by ${location.href}\n`;
  }

  function csv(table) {
    const quote = (text) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
    return [...table.rows].map((row) => [...row.cells].map((c) => quote(cellText(c))).join(",")).join("\r\n") + "\r\n";
  }

  async function copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) { // no clipboard API outside a secure context: the older way
      const area = Object.assign(document.createElement("textarea"), { value: text });
      document.body.append(area);
      area.select();
      const done = document.execCommand("copy");
      area.remove();
      return done;
    }
  }

  function addCsvButton(figure) {
    const details = figure.querySelector("details.chart-table");
    if (!details || details.querySelector(".calc-csv")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "calc-csv md-button";
    button.textContent = "Download this table as CSV";
    button.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([csv(details.querySelector("table"))], { type: "text/csv" }));
      link.download = `${figure.id || "chart"}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
    details.append(button);
  }

  function bindHub(form) {
    const button = form.querySelector(".calc-hub-fetch");
    if (!button) return;
    button.addEventListener("click", () => fetchConfig(form));
    form.querySelector("#f-hub").addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); fetchConfig(form); }
    });
  }

  function bindExport(root, exported) {
    const result = root.querySelector(".calc-result");
    const status = root.querySelector(".calc-status");
    for (const button of root.querySelectorAll("[data-export]")) {
      button.addEventListener("click", async () => {
        if (result.classList.contains("calc-stale") || !exported.reply) {
          status.textContent = "The result is being computed for the inputs shown; copy it in a moment.";
          return;
        }
        const json = button.dataset.export === "json";
        const text = json
          ? `${JSON.stringify({ calculator: root.dataset.page, address: location.href, ...exported.reply }, null, 2)}\n`
          : markdown(result);
        status.textContent = (await copy(text)) ? `Copied the result as ${json ? "JSON" : "Markdown"}.`
          : "The browser did not allow copying; select the result and copy it by hand.";
      });
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

  // The address and the remembered inputs follow the inputs once typing pauses: replaceState takes the main
  // thread for a millisecond or more (tens under load), and writing the browser's storage half a millisecond,
  // which every keystroke's result would otherwise wait on. Pending writes are made at once when the reader
  // leaves the page or clicks (a link, before instant navigation follows it); the address is dropped if the
  // page it was meant for is gone. Leaving writes at beforeunload, as the navigation starts, and again at
  // pagehide: the next page may open in another renderer process, which reads the storage when it commits, and
  // a write made as the old page goes can reach the storage after that read.
  const ADDRESS_DELAY_MS = 300;
  let addressTimer = null;
  let addressWrite = null;
  let storageWrite = null;
  function flushAddress() {
    clearTimeout(addressTimer);
    const writes = [addressWrite, storageWrite];
    addressWrite = storageWrite = null;
    window.__calc.addressPending = false;
    for (const write of writes) if (write) write();
  }
  function scheduleAddress(root, values, defaults) {
    const path = location.pathname;
    addressWrite = () => {
      if (root.isConnected && location.pathname === path) writeUrl(values, defaults);
    };
    window.__calc.addressPending = true;
    clearTimeout(addressTimer);
    addressTimer = setTimeout(flushAddress, ADDRESS_DELAY_MS);
  }
  addEventListener("beforeunload", flushAddress);
  addEventListener("pagehide", flushAddress);
  addEventListener("click", flushAddress, { capture: true });

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

  // A calculator embedded outside the Calculators section: its result's links to the other calculators
  // ("../kv-cache/") are relative to the Calculators section, which data-links-base locates from this page.
  function rebaseLinks(root, container) {
    const base = root.dataset.linksBase;
    if (!base) return;
    for (const link of container.querySelectorAll('a[href^="../"]')) {
      link.setAttribute("href", base + link.getAttribute("href").slice(3));
    }
  }

  // A new result is written into the panel by changing only what differs from the one shown: the text and
  // attributes of the nodes that stay where they are, nodes added, removed or replaced where the structure
  // changed. A keystroke mostly changes numbers, so the panel's elements stay, with little to style and lay out
  // again (on the will-it-fit page, in headless Chromium on 2 cores, the frame that draws a new result took a
  // median 2.6 ms of style, layout and paint this way, 3.9-4.3 ms when the panel's children were replaced),
  // and a reader tabbing through its links when a new result comes (the first live result comes seconds after
  // the page shows) keeps their place: the focused link is the same element. A reply whose HTML is
  // that of the last one changes nothing; the first, compared node by node, changes nothing either when it
  // reads as the panel the build rendered (the page's declaration escapes an apostrophe, the page does not).
  const applied = new WeakMap(); // panel -> the reply HTML last written into it
  function showResult(root, container, html) {
    if (applied.get(container) === html) return;
    const incoming = document.createElement("template");
    incoming.innerHTML = html;
    rebaseLinks(root, incoming.content);
    updateChildren(container, incoming.content);
    applied.set(container, html);
  }

  function updateChildren(target, source) {
    let current = target.firstChild;
    let next = source.firstChild;
    while (next) {
      const following = next.nextSibling; // `next` moves into the page when it is new
      if (!current) target.appendChild(next);
      else if (current.nodeType === next.nodeType && current.nodeName === next.nodeName) {
        updateNode(current, next);
        current = current.nextSibling;
      } else {
        const after = current.nextSibling;
        target.replaceChild(next, current);
        current = after;
      }
      next = following;
    }
    while (current) {
      const after = current.nextSibling;
      current.remove();
      current = after;
    }
  }

  function updateNode(current, next) {
    if (current.nodeType !== Node.ELEMENT_NODE) {
      if (current.nodeValue !== next.nodeValue) current.nodeValue = next.nodeValue;
      return;
    }
    for (const { name, value } of next.attributes) {
      if (current.getAttribute(name) !== value) current.setAttribute(name, value);
    }
    for (const { name } of [...current.attributes]) {
      if (!next.hasAttribute(name)) current.removeAttribute(name);
    }
    updateChildren(current, next);
  }

  const STALE_DELAY_MS = 150;

  function bind(root) {
    if (root.dataset.bound) return;
    root.dataset.bound = "1";
    const page = root.dataset.page;
    const form = root.querySelector("form");
    const status = root.querySelector(".calc-status");
    const result = root.querySelector(".calc-result");
    const charts = root.querySelector(".calc-charts");
    const defaults = formValues(form);
    // An address with inputs is shown as it is (a shared link must show what its sender saw); without one,
    // the page starts from the inputs chosen on the other calculators.
    const query = new URLSearchParams(location.search);
    const addressed = [...query.keys()].length > 0;
    if (addressed) {
      applyUrl(form);
      if (query.get("model") === "config" && !query.has("config")) applyStored(form, true);
    } else applyStored(form, false);
    showGroups(form);
    const fromUrl = JSON.stringify(formValues(form)) !== JSON.stringify(defaults);
    if (fromUrl) {
      result.classList.add("calc-stale");
      if (charts) charts.classList.add("calc-stale");
      status.textContent = addressed ? "Computing the result for the inputs in the address…"
        : "Computing the result for the inputs you chose on another calculator…";
    }
    // Inputs are remembered once the user has chosen them (here or in the address), not a page's defaults.
    let chosen = fromUrl;
    bindHub(form);
    if (charts) for (const figure of charts.querySelectorAll(":scope > figure.chart")) addCsvButton(figure);
    // The last valid result's inputs and numbers, for the JSON export: the build's default one until then.
    const defaultReply = root.querySelector("template.calc-default");
    const exported = { reply: defaultReply ? JSON.parse(defaultReply.content.textContent) : null };
    bindExport(root, exported);
    // The pre-rendered charts are the default result's: they stand until the inputs differ from the defaults.
    let chartsLive = fromUrl;
    // The inputs the result on screen was computed for (null: none yet, it is stale already).
    let shown = fromUrl ? null : JSON.stringify(defaults);
    let inFlight = false;
    let staleTimer = null; // markIfStale's, while a live answer is awaited
    let pending = false;

    async function recompute() {
      if (inFlight) { pending = true; return; }
      inFlight = true;
      let values = formValues(form);
      const started = performance.now();
      const answer = await ask(page, values);
      inFlight = false;
      if (!root.isConnected) return;
      if (pending) { pending = false; recompute(); return; }
      clearTimeout(staleTimer); // this answer is for the inputs on screen: it decides what is marked
      if (answer.failure) {
        status.textContent = shown === JSON.stringify(formValues(form))
          ? `The live calculator failed to start (${answer.failure}); the result shown is the one computed at build time.`
          : `The live calculator failed to start (${answer.failure}); the result shown was computed at build time for the default inputs, not for these.`;
        return;
      }
      const reply = answer.reply;
      window.__calc.lastReply = reply;
      values = adoptListed(form, values, reply.inputs);
      scheduleAddress(root, values, defaults);
      showErrors(form, reply.errors);
      if (reply.ok) {
        shown = JSON.stringify(values);
        exported.reply = { inputs: reply.inputs, result: reply.result };
        if (chosen) storageWrite = remember(form); // written with the address (scheduleAddress, above)
        showResult(root, result, reply.html); // the page's declaration's HTML (calculators/pages/), inputs escaped
        result.classList.remove("calc-stale");
        status.textContent = "Live result.";
        if (charts) charts.classList.remove("calc-stale");
        if (chartsLive || JSON.stringify(values) !== JSON.stringify(defaults)) {
          chartsLive = true;
          scheduleCharts(reply.charts, charts);
        }
      } else {
        result.classList.add("calc-stale");
        if (charts) charts.classList.add("calc-stale");
        status.textContent = "Check the highlighted input; the result below is for the last valid inputs.";
      }
      window.__calc.computeMs.push(performance.now() - started);
      if (window.__calc.liveAt === null) {
        window.__calc.liveAt = performance.now();
        performance.mark("calc-live");
      }
    }

    // The moment the inputs differ from those of the result on screen, it is marked stale: before Pyodide
    // is ready that can last seconds, and a result must never look computed for inputs it was not. Once the
    // calculator is live it answers in milliseconds: the mark waits STALE_DELAY_MS for that answer, so that the
    // result does not flash at every keystroke, and restyling the page does not hold the answer up.
    function markIfStale() {
      clearTimeout(staleTimer);
      if (window.__calc.liveAt !== null) staleTimer = setTimeout(markStale, STALE_DELAY_MS);
      else markStale();
    }

    function markStale() {
      if (JSON.stringify(formValues(form)) === shown) return;
      result.classList.add("calc-stale");
      if (charts) charts.classList.add("calc-stale");
      status.textContent = "Computing the result for the changed inputs…";
    }

    form.addEventListener("input", (event) => {
      if (!event.target.name) return; // the Hub's model id is not an input of the calculators
      chosen = true;
      if (event.target.name === "model") showGroups(form);
      markIfStale();
      recompute();
    });
    form.addEventListener("change", (event) => {
      if (event.target.name === "model") showGroups(form);
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    recompute();
  }

  // -- charts: the figures the page's declaration made for the live result (calculators/charts.py) --
  // The page arrives with the default result's figures (generator/site/charts.py), drawn by charts.js;
  // a live result redraws them in place: the plot, its embedded JSON, its title and its table view.
  const CAPTION = "Computed by calculators/ for the inputs above.";

  function trimZeros(text) {
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  }

  // Python's format(value, ",.4g"), which the build's table view uses, for a finite number (a tie that binary
  // floats hold exactly, such as 1234.5, rounds up here and to even in Python).
  function fourDigits(value) {
    if (value === 0) return "0";
    const [mantissa, exponent] = value.toExponential(3).split("e");
    const power = Number(exponent);
    if (power < -4 || power >= 4) {
      return `${trimZeros(mantissa)}e${power < 0 ? "-" : "+"}${String(Math.abs(power)).padStart(2, "0")}`;
    }
    const [whole, fraction] = trimZeros(value.toFixed(3 - power)).split(".");
    return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (fraction ? `.${fraction}` : "");
  }

  function cell(value) {
    if (typeof value !== "number") return String(value);
    return Number.isInteger(value) ? value.toLocaleString("en-US") : fourDigits(value);
  }

  // (series, x, y) for every point of every trace, as Chart.table_rows writes them.
  function tableRows(figure) {
    const rows = [];
    for (const trace of figure.data) {
      trace.x.forEach((x, index) => {
        let y = trace.y[index];
        if (trace.orientation === "h") [x, y] = [y, x];
        rows.push([trace.name || "", cell(x), y === null || y === undefined ? "missing" : fourDigits(y)]);
      });
    }
    return rows;
  }

  function element(tag, attributes = {}, text = null) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== null) node.textContent = text;
    return node;
  }

  // The markup chart_html writes, empty; fillFigure puts a figure in it.
  function newFigure(caption) {
    const node = element("figure", { class: "chart" });
    // As chart_html writes it: the plot box takes no role (the drawn chart holds a legend's buttons); the
    // <figure> is named by its caption and the table view holds the data.
    node.append(element("div", { class: "chart-plot" }), element("template", { class: "chart-figure" }));
    const figcaption = element("figcaption");
    figcaption.append(element("strong"), ` ${caption}`);
    const details = element("details", { class: "chart-table" });
    const head = element("tr");
    for (let column = 0; column < 3; column += 1) head.append(element("th", { scope: "col" }));
    const table = element("table");
    table.append(element("thead"), element("tbody"));
    table.tHead.append(head);
    details.append(element("summary", {}, "Table view"), table);
    node.append(figcaption, details);
    addCsvButton(node);
    return node;
  }

  function fillFigure(node, figure) {
    node.id = figure.id;
    node.querySelector("template.chart-figure").content.textContent =
      JSON.stringify({ data: figure.data, layout: figure.layout });
    node.querySelector("figcaption strong").textContent = `${figure.title}.`;
    const headings = node.querySelectorAll("thead th");
    ["series", figure.x_title, figure.y_title].forEach((text, index) => { headings[index].textContent = text; });
    const body = node.querySelector("tbody");
    body.replaceChildren(...tableRows(figure).map((row) => {
      const tr = element("tr");
      for (const text of row) tr.append(element("td", {}, text));
      return tr;
    }));
  }

  // Charts follow the numbers a moment later, so that typing never waits for Plotly.
  let chartTimer = null;
  let chartRun = 0;
  // window.__calc.chartsSettled is false from a result until its charts are written (the tests wait for it
  // before reading the page: the redraw replaces nodes).
  function scheduleCharts(figures, container) {
    clearTimeout(chartTimer);
    window.__calc.chartsSettled = false;
    const timer = chartTimer = setTimeout(() => {
      drawCharts(figures, container).finally(() => { if (chartTimer === timer) window.__calc.chartsSettled = true; });
    }, 120);
  }

  async function drawCharts(figures, container) {
    if (!container || !window.__charts || !Array.isArray(figures)) return;
    const run = ++chartRun;
    const existing = [...container.querySelectorAll(":scope > figure.chart")];
    const caption = existing.length
      ? existing[0].querySelector("figcaption").lastChild.textContent.trim() : CAPTION;
    for (const stale of existing.slice(figures.length)) stale.remove();
    for (const [index, figure] of figures.entries()) {
      const node = existing[index] || container.appendChild(newFigure(caption));
      fillFigure(node, figure);
      node.dataset.drawn = "1"; // charts.js leaves this figure to the live draw
      const plot = node.querySelector(".chart-plot");
      try {
        // Drawn now if it is near the screen, else as it comes near (charts.js); plotly's drawing replaces the
        // one the box holds (the build's, of the default result), in the same task.
        await window.__charts.drawLive(plot, { data: figure.data, layout: figure.layout });
      } catch (error) {
        window.__charts.failures.push(String(error));
      }
      if (run !== chartRun || !container.isConnected) return; // a newer result is being drawn
    }
  }

  function onPage() {
    for (const root of document.querySelectorAll(".calc[data-page]")) bind(root);
  }

  window.__onEveryPage(onPage); // charts.js
})();
