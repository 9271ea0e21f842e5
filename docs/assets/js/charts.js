// Draws the charts the build embedded in a page (generator/site/charts.py):
// each <figure class="chart"> holds its Plotly figure as JSON, and the same
// figure drawn as a static SVG, which the plotly.js chart replaces as it comes
// near the screen. plotly.js is vendored and loaded only once a chart needs it,
// after the page has painted; colours follow the theme, dark mode included, and are redrawn when
// the reader switches it. calculators.js draws its live charts through
// window.__charts.draw as well.
(() => {
  const assets = new URL("..", document.currentScript.src); // .../assets/
  let plotly = null;
  // drawing: how many charts plotly.js is drawing now (the tests wait for none before reading the page).
  window.__charts = { failures: [], firstDrawnAt: null, drawing: 0 };

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = new URL("vendor/plotly-basic.min.js", assets).href;
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => reject(new Error("plotly.js did not load"));
        document.head.appendChild(script);
      });
    }
    return plotly;
  }

  function theme() {
    const style = getComputedStyle(document.body);
    const fg = style.getPropertyValue("--md-default-fg-color").trim() || "#333";
    const grid = "rgba(128,128,128,0.25)";
    return { paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: fg },
      colorway: ["#3f6ec6", "#e07b39", "#3a9d5d", "#c23b5a", "#8a63c9", "#8c6d46", "#d665b5", "#7a7a7a",
        "#b5b83a", "#2bb0c2"],
      xaxis: { gridcolor: grid, zerolinecolor: grid, linecolor: grid },
      yaxis: { gridcolor: grid, zerolinecolor: grid, linecolor: grid } };
  }

  // Phone screens: a legend at the side of the plot would leave it a sliver of the width, so it goes above.
  const narrow = window.matchMedia("(max-width: 40em)");

  // "GGUF Q4_K_M mix (4.8944 bits/weight, published)" in lines of at most `width` characters where it can be
  // broken: at its spaces, and after its hyphens ("fp8-e4m3-channel-w8a8-dynamic").
  function wrap(label, width) {
    const lines = [];
    for (const [index, word] of String(label).split(" ").entries()) {
      for (const [part, piece] of word.split(/(?<=-)/).entries()) {
        const last = lines.length - 1;
        const joined = last < 0 ? null : lines[last] + (part === 0 && index > 0 ? " " : "") + piece;
        if (joined !== null && joined.length <= width) lines[last] = joined;
        else lines.push(piece);
      }
    }
    return lines.join("<br>");
  }

  // On a phone screen, the long category names of horizontal bars are written on several lines, so that
  // they leave the bars most of the width.
  function wrappedCategories(data) {
    const categories = [];
    for (const trace of data) {
      if (trace.orientation !== "h" || !Array.isArray(trace.y)) continue;
      for (const name of trace.y) if (typeof name === "string" && !categories.includes(name)) categories.push(name);
    }
    if (!categories.some((name) => name.length > 20)) return null;
    const ticktext = categories.map((name) => wrap(name, 20));
    const lines = Math.max(...ticktext.map((text) => text.split("<br>").length));
    const bars = data.filter((trace) => trace.orientation === "h").length;
    // Each category gets the height of its lines of text, or of its bars if they need more.
    return { axis: { tickmode: "array", tickvals: categories, ticktext },
      height: 110 + categories.length * Math.max(lines * 15 + 4, bars * 22) };
  }

  // The figure's own layout wins, except for the theme's colours (and the legend on a phone screen).
  function themed(layout, traces = 0) {
    const base = theme();
    const merged = { ...layout, paper_bgcolor: base.paper_bgcolor, plot_bgcolor: base.plot_bgcolor,
      font: { ...(layout.font || {}), color: base.font.color }, colorway: base.colorway };
    for (const axis of Object.keys(layout).filter((key) => /^[xy]axis\d*$/.test(key)).concat(["xaxis", "yaxis"])) {
      merged[axis] = { ...base[axis.slice(0, 5)], ...(layout[axis] || {}) };
    }
    if (!merged.height) merged.height = 380;
    if (narrow.matches) {
      merged.margin = { ...(merged.margin || {}), l: 16, r: 48 }; // automargin widens them for labels
      if (merged.showlegend !== false && (merged.legend || {}).orientation !== "h") {
        merged.legend = { ...(merged.legend || {}), orientation: "h", x: 0, xanchor: "left", y: 1.02,
          yanchor: "bottom" };
        merged.height = Math.max(merged.height, 280 + 20 * traces); // the plot keeps its height under the legend
      }
    }
    return merged;
  }

  // One drawing at a time in a box, and only the newest figure asked for: the build's figure (handed over as
  // the chart nears the screen) and a live result's can both be waiting for plotly.js, and two Plotly.react
  // calls in flight on one box may finish in either order.
  function draw(div, figure) {
    div.__wanted = figure;
    window.__charts.drawing += 1;
    const turn = (div.__drawing || Promise.resolve()).catch(() => {}).then(async () => {
      const Plotly = await loadPlotly();
      if (div.__wanted === figure) await drawNow(Plotly, div, figure);
    }).finally(() => { window.__charts.drawing -= 1; });
    div.__drawing = turn;
    return turn;
  }

  async function drawNow(Plotly, div, figure) {
    div.__figure = figure;
    // No mode bar: its buttons would be focusable controls inside the plot's role="img" (axe:
    // nested-interactive), and one of them offers to send the data to plotly's servers. Dragging still zooms
    // and a double click resets; the table view holds the numbers.
    const layout = themed(figure.layout || {}, (figure.data || []).length);
    const categories = narrow.matches ? wrappedCategories(figure.data || []) : null;
    const xTitle = (layout.xaxis || {}).title;
    if (narrow.matches && xTitle && typeof xTitle.text === "string") {
      layout.xaxis = { ...layout.xaxis, title: { ...xTitle, text: wrap(xTitle.text, 32) } };
    }
    if (categories) {
      layout.yaxis = { ...layout.yaxis, ...categories.axis };
      layout.height = Math.max(layout.height, categories.height);
    }
    // The chart drawn at build time gives way to plotly's in the same task, the box held at its height
    // meanwhile, so nothing below it moves; it comes back if plotly.js cannot draw the figure.
    const still = div.querySelector(":scope > svg.chart-static");
    if (still) {
      div.style.minHeight = `${div.offsetHeight}px`;
      still.remove();
    }
    try {
      await Plotly.react(div, figure.data, layout,
        { displaylogo: false, displayModeBar: false, responsive: true });
    } catch (error) {
      if (still) div.replaceChildren(still);
      throw error;
    } finally {
      div.style.minHeight = "";
    }
    if (window.__charts.firstDrawnAt === null) window.__charts.firstDrawnAt = performance.now();
  }
  window.__charts.draw = draw;

  async function upgrade(element) {
    if (element.dataset.drawn) return;
    const plot = element.querySelector(".chart-plot");
    const data = element.querySelector("template.chart-figure");
    if (!plot || !data) return;
    element.dataset.drawn = "1";
    try {
      await draw(plot, JSON.parse(data.content.textContent));
    } catch (error) {
      // The chart drawn at build time stays where plotly.js could not draw.
      window.__charts.failures.push(String(error));
    }
  }

  // plotly.js is most of a page's main-thread work (parsing it, then laying out every chart), so a chart
  // drawn at build time is handed to plotly.js only as it comes near the screen, or when the reader points
  // at it or moves the keyboard focus into it: a page whose charts are below the fold never loads it.
  const nearScreen = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      nearScreen.unobserve(entry.target);
      upgrade(entry.target);
    }
  }, { rootMargin: "200px 0px" }) : null;

  function drawPage() {
    for (const element of document.querySelectorAll("figure.chart")) {
      if (element.dataset.drawn || element.dataset.watched) continue;
      element.dataset.watched = "1";
      for (const event of ["pointerenter", "focusin", "touchstart"]) {
        element.addEventListener(event, () => upgrade(element), { once: true, passive: true });
      }
      if (nearScreen) nearScreen.observe(element);
      else upgrade(element);
    }
  }

  // A live result's chart that is far from the screen is drawn when it comes near, so that typing never waits
  // for plotly.js to lay out charts nobody is looking at. Until then its box keeps the chart it had, marked as
  // not yet redrawn (figure.chart-pending), and holds the newest figure asked for.
  const pending = new Map(); // plot box -> figure
  const boxOf = (div) => div.closest("figure.chart") || div;
  function isNear(element) {
    const box = element.getBoundingClientRect();
    return box.bottom >= -200 && box.top <= window.innerHeight + 200;
  }
  function drawPending(div) {
    const figure = pending.get(div);
    if (!figure) return Promise.resolve();
    pending.delete(div);
    boxOf(div).classList.remove("chart-pending");
    if (nearPending) nearPending.unobserve(boxOf(div));
    // The chart drawn at build time is the default result's, not this one's: it goes, even if plotly.js fails.
    for (const drawing of div.querySelectorAll(":scope > svg.chart-static")) drawing.remove();
    return draw(div, figure);
  }
  const nearPending = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const div = entry.isIntersecting && entry.target.querySelector(".chart-plot");
      if (div) drawPending(div).catch((error) => window.__charts.failures.push(String(error)));
    }
  }, { rootMargin: "200px 0px" }) : null;
  window.__charts.drawLive = (div, figure) => {
    pending.set(div, figure);
    if (!nearPending || isNear(boxOf(div))) return drawPending(div);
    boxOf(div).classList.add("chart-pending");
    nearPending.observe(boxOf(div));
    return Promise.resolve();
  };

  // Printing does not scroll, so a chart still waiting to be redrawn would print the default result's drawing
  // (drawing is asynchronous; the printout is laid out as soon as "beforeprint" returns). The printout shows its
  // table view instead, which is the live result's already, and its plot not at all (site.css, @media print).
  addEventListener("beforeprint", () => {
    for (const details of document.querySelectorAll("figure.chart-pending > details.chart-table:not([open])")) {
      details.open = true;
      details.dataset.openedToPrint = "1";
    }
  });
  addEventListener("afterprint", () => {
    for (const details of document.querySelectorAll("details[data-opened-to-print]")) {
      details.open = false;
      delete details.dataset.openedToPrint;
    }
  });

  // Every chart of the page, drawn now (what scrolling past each of them does).
  window.__charts.drawAll = () => Promise.all([...document.querySelectorAll("figure.chart")].map(upgrade)
    .concat([...pending.keys()].map(drawPending)));

  function redrawAll() {
    if (!plotly) return;
    for (const div of document.querySelectorAll(".js-plotly-plot")) {
      const figure = div.__wanted || div.__figure; // the newest asked for, drawn or still waiting
      if (figure) draw(div, figure).catch((error) => window.__charts.failures.push(String(error)));
    }
  }
  // The moment the reader switches the theme, every drawn chart is redrawn in its colours; and when the
  // window crosses the phone width, with its legend where it fits.
  new MutationObserver(redrawAll).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  narrow.addEventListener("change", redrawAll);

  // After first paint: two animation frames, so that the page is on screen before plotly.js is fetched.
  function onPage() {
    if (!document.querySelector("figure.chart")) return;
    requestAnimationFrame(() => requestAnimationFrame(() => { drawPage(); }));
  }

  // Runs `callback` for this page and each page instant navigation brings in: the theme's script (its
  // document$) comes when the reader first reaches for the page (generator/site/hooks.py, DEFERRED_THEME) and
  // "lqfg-theme" says it has come. Listed first in mkdocs.yml, this file defines it for calculators.js and quiz.js too.
  window.__onEveryPage = (callback) => {
    const follow = () => window.document$ && typeof window.document$.subscribe === "function"
      && (window.document$.subscribe(callback), true);
    if (follow()) return;
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", callback, { once: true });
    else callback();
    document.addEventListener("lqfg-theme", follow, { once: true });
  };
  window.__onEveryPage(onPage);
})();
