"""MkDocs hooks: pre-render the calculators into their pages, generate the Results section from the
records, and vendor the browser assets.

A page asks for a calculator with the comment `<!-- calculator: NAME -->`; the
hook puts the form there with the default result already computed by
`calculators.web`, so a correct number shows at first paint without any
JavaScript, and with that result's charts (drawn by charts.js like every chart
of the site, then redrawn by calculators.js from each live result). The
Results pages and their downloads are generated from the records in gpu_runs/
(or the directory in $LQFG_RECORDS) by generator.site.results; the prose pages are rendered as templates
(generator.site.prose) and the glossary page is gathered from their definitions; the home page's
`<!-- results: findings -->` becomes the findings they support. After the
build, the Pyodide runtime, plotly.js and the packed `calculators/` are copied
into the site, so it loads nothing from other hosts.
"""

import json
import re
import shutil
from html import escape
from pathlib import Path

from calculators.pages import all_pages, names as calculator_names, page as calculator_page
from calculators.render import render_form
from calculators import wizard_web
from calculators.web import compute

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from generator.records import RecordError
from generator.site import assets, glossary, prose
from generator.site.charts import Chart, chart_html, figure
from generator.site.results import dataset as results_dataset
from generator.site.results import evidence as results_evidence
from generator.site.results import findings as results_findings
from generator.site.results import pages as results_pages

_state = {}  # the records read in on_config, for the hooks after it


def on_config(config):
    """Read and validate every record once (a bad one stops the build, naming the file and the field), and
    list each measured device's page in the Results section of the navigation."""
    try:
        data = results_dataset.load_dataset(results_dataset.build_records())
    except RecordError as error:
        raise PluginError(f"a benchmark record is malformed: {error}") from None
    _state["dataset"] = data
    # The wizard's answers cite the records; the browser's worker loads the same summary (results/downloads).
    wizard_web.use_evidence(results_evidence.summary(data))
    try:
        _state["terms"] = glossary.collect(config["docs_dir"])
    except glossary.GlossaryError as error:
        raise PluginError(f"the glossary: {error}") from None
    _state["findings"] = results_findings.findings(data)  # the home page and the Results index show them
    _state["pages"] = results_pages.pages(data, _state["findings"])
    for entry in config["nav"] or []:
        if isinstance(entry, dict) and "Results" in entry:
            section = entry["Results"]
            at = next((i + 1 for i, item in enumerate(section)
                       if isinstance(item, dict) and "results/methodology.md" in item.values()), len(section))
            section[at:at] = [{title: uri} for title, uri in results_pages.device_pages(data)]
        if isinstance(entry, dict) and "Calculators" in entry:
            entry["Calculators"] += calculators_nav()
    return config


def calculators_nav() -> list:
    """The Calculators section's pages, in their order, as declared in calculators/pages/ (mkdocs.yml lists the
    section's index page only)."""
    return [{page.title: f"{page.path}.md"} for page in all_pages() if page.in_calculators_section]


def on_files(files, config):
    for page in _state["pages"]:
        files.append(File.generated(config, page.src_uri, content=page.markdown))
    files.append(File.generated(config, glossary.GLOSSARY_PAGE, content=glossary.page_markdown(_state["terms"])))
    return files


def on_page_markdown(markdown, page, config, files):
    """Prose pages are templates: their numbers come from calculators/ (generator/site/prose.py)."""
    src_uri = page.file.src_uri
    if not prose.is_prose(src_uri) or src_uri == glossary.GLOSSARY_PAGE:
        return markdown
    try:
        return prose.render(markdown, src_uri, _state["terms"], page=page)
    except prose.PageError as error:
        raise PluginError(str(error)) from None

CALCULATOR = re.compile(r"(?:<p>)?<!-- calculator: (\w+) -->(?:</p>)?")
CHART_CAPTION = "Computed by calculators/ for the inputs above."


def _chart(spec: dict) -> Chart:
    """One figure of `calculators.charts`, checked by plotly's own classes (a wrong attribute fails the build).
    The figure keeps the layout calculators/ gave it, so the charts drawn live look like these."""
    checked = figure(spec["data"], spec["x_title"], spec["y_title"], **spec["layout"])
    return Chart(id=spec["id"], title=spec["title"], figure=checked, caption=CHART_CAPTION,
                 x_title=spec["x_title"], y_title=spec["y_title"], y_format=spec["y_format"])


# A calculator's result links to the other calculators relative to its own page ("../kv-cache/"); embedded in a
# page outside the Calculators section, those links are rewritten to point into it (calculators.js does the
# same for the live results, from the data-links-base the embedding carries).
RELATIVE_LINK = re.compile(r'href="\.\./')


def _links_base(page_url: str) -> str:
    """The Calculators section relative to a page outside it; empty for the calculators' own pages."""
    if page_url.startswith("calculators/"):
        return ""
    return "../" * page_url.count("/") + "calculators/"


def _calculator_html(match, base: str = "") -> str:
    page = match.group(1)
    if calculator_page(page) is None:
        raise ValueError(f"unknown calculator {page!r} in a page (known: {', '.join(calculator_names())})")
    default = compute(page, {})
    if not default["ok"]:
        raise ValueError(f"the default inputs of the {page} calculator are invalid: {default['errors']}")
    # The form's option lists (every model, format and GPU) stay out of the search index, so that a search for
    # a model finds the pages that say something about it. A form cannot hold another form, which matters:
    # the theme's indexer stops skipping at the first closing tag of the same name.
    form = render_form(page).replace("<form ", "<form data-search-exclude ", 1)
    # The wizard, the playground and the explorer live outside the Calculators section: their links are relative
    # to their own page.
    if not calculator_page(page).in_calculators_section:
        base = ""
    result = RELATIVE_LINK.sub(f'href="{base}', default["html"]) if base else default["html"]
    embedded = f" data-links-base=\"{escape(base)}\"" if base else ""
    return (f"<div class=\"calc\" data-page=\"{page}\"{embedded}>{form}"
            "<p class=\"calc-status\" role=\"status\" aria-live=\"polite\">"
            "Result computed when this page was built, for the inputs shown.</p>"
            f"<div class=\"calc-result\" aria-live=\"polite\">{result}</div>"
            "<div class=\"calc-export\" role=\"group\" aria-label=\"Export the result\">"
            "<button type=\"button\" class=\"md-button\" data-export=\"markdown\">Copy as Markdown</button>"
            "<button type=\"button\" class=\"md-button\" data-export=\"json\">Copy as JSON</button></div>"
            # The default result's numbers, for the JSON export before the live calculator has answered; a
            # template, as charts embed theirs (generator/site/charts.py chart_html says why).
            "<template class=\"calc-default\" data-search-exclude>"
            + escape(json.dumps({"inputs": default["inputs"], "result": default["result"]}), quote=False)
            + "</template>"
            f"<div class=\"calc-charts\" data-charts=\"{escape(page)}\">"
            + "".join(chart_html(_chart(spec)) for spec in default["charts"]) + "</div></div>")


CATALOGUE = re.compile(r"(?:<p>)?<!-- calculators: catalogue -->(?:</p>)?")


def _catalogue_html(page_url: str) -> str:
    """Every model, weight format and accelerator the calculators know, by name: the search finds them here
    (the forms' option lists are left out of the index), and each links to a calculator with it chosen."""
    from calculators.formats import WEIGHT_FORMATS, weight_format
    from calculators.hardware import ACCELERATORS
    from calculators.presets import PRESETS
    from calculators.weights import weight_bytes

    root = "../" * page_url.count("/")
    fit, weights = f"{root}{calculator_page('fit').path}/", f"{root}{calculator_page('weights').path}/"
    models = [((preset.name, f"{fit}?model={preset_id}"), preset.hf_repo,
               f"{weight_bytes(preset.architecture, weight_format('bf16')).params / 1e9:,.2f} billion",
               "mixture of experts" if preset.architecture.is_moe else "dense")
              for preset_id, preset in PRESETS.items()]
    formats = [((fmt.label, f"{weights}?format={fmt.id}"), fmt.family, f"{fmt.nominal_bits:.3f}")
               for fmt in WEIGHT_FORMATS.values()]
    gpus = [((gpu.name, f"{fit}?gpu={gpu.id}"), f"{gpu.memory_gib:,.0f} GiB {gpu.memory_type}",
             f"{gpu.bandwidth_bytes_s / 1e9:,.0f} GB/s") for gpu in ACCELERATORS.values()]
    return ("<h3 id=\"models\">Models</h3>"
            + _table(["model", "Hugging Face repository", "parameters", "kind"], models, "models")
            + "<h3 id=\"weight-formats\">Weight formats</h3>"
            + _table(["format", "family", "bits per weight (4096 × 4096 matrix)"], formats, "weight formats")
            + "<h3 id=\"accelerators\">GPUs and other accelerators</h3>"
            + _table(["accelerator", "memory", "memory bandwidth"], gpus, "accelerators"))


def _table(columns, rows, label) -> str:
    """A data table in a scrolling region; a cell is a string, or (text, href) for a link."""
    def cell(value):
        if isinstance(value, tuple):
            return f"<td><a href=\"{escape(value[1])}\">{escape(value[0])}</a></td>"
        return f"<td>{escape(value)}</td>"
    head = "".join(f"<th scope=\"col\">{escape(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(cell(value) for value in row) + "</tr>" for row in rows)
    return (f"<div class=\"results-table\" role=\"region\" tabindex=\"0\" aria-label=\"{escape(label)}\">"
            f"<table class=\"data-table\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


FINDINGS = re.compile(r"(?:<p>)?<!-- results: findings -->(?:</p>)?")


def _findings_html(match) -> str:
    found = _state["findings"]
    if not found:
        return "<p class=\"missing\">No record holds enough data for a finding yet.</p>"
    return "".join(f"<p class=\"finding\">{finding.html} <a href=\"{escape(finding.link)}\">See the chart.</a></p>"
                   for finding in found)


def on_page_content(html, page, config, files):
    src_uri = page.file.src_uri
    if prose.is_prose(src_uri) and src_uri != glossary.GLOSSARY_PAGE:
        glossary_url = "../" * page.url.count("/") + glossary.GLOSSARY_PAGE.removesuffix(".md") + "/"
        html = glossary.link_first_uses(html, src_uri, _state["terms"], glossary_url)
    if "<!-- results: findings -->" in html:
        html = FINDINGS.sub(_findings_html, html)
    if "<!-- calculators: catalogue -->" in html:
        html = CATALOGUE.sub(lambda match: _catalogue_html(page.url), html)
    if "<!-- calculator:" not in html:
        return html
    base = _links_base(page.url)
    return CALCULATOR.sub(lambda match: _calculator_html(match, base), html)


SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


# What the theme's script does first (DEFERRED_THEME, below), done in <head> before the first style is computed:
# the page is marked as one that runs scripts, so the header shows its search from first paint and nothing moves
# when the script comes; marked later, every element's style is computed again (on Lighthouse's phone profile,
# a 100-300 ms task as the page finishes parsing).
CHARSET = '<meta charset="utf-8">'
SCRIPTS_ON = '<script>document.documentElement.classList.replace("no-js", "js")</script>'
# On a calculator page loaded directly, Pyodide starts from <head>, before the
# rest of the page is parsed; calculators.js adopts this worker. It comes before the
# style sheets: an inline script waits until those above it have loaded.
EARLY_WORKER = ("<script>window.__calcWorkerStartedAt = performance.now(); window.__calcWorker = new Worker("
                "new URL('{root}assets/js/calc-worker.mjs', document.baseURI), {{type: 'module'}});</script>")


# The theme's script (mkdocs-material's bundle: search, the palette switch, instant navigation, the header's
# title on scrolling) waits until the reader first reaches for the page: a pointer moved or pressed, a key, the
# focus, a touch, the wheel, a scroll. Its set-up is one task, the longest of a page's start (it reads styles and
# sizes, which forces the page's layout): 90-180 ms in headless Chromium on 2 cores (home, number formats, will
# it fit), four times that on Lighthouse's mobile profile, where it made most of the blocking time that held
# explainer and calculator pages to a performance score of 73-86; and on a calculator page it takes the CPU that
# Pyodide starts on. Everything it does answers something the reader does, so that is when it comes. It sets
# itself up on DOMContentLoaded, which has passed by then, so the loader fires it again for the theme alone to
# see (charts.js's __onEveryPage, which calculators.js and quiz.js use too, listens to it once); "lqfg-theme"
# tells them to follow its pages. The key press that brought it is pressed again for it, so "/" or "s" opens
# the search on the first try.
THEME_SCRIPT = re.compile(r'<script src="(?P<src>[^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')
DEFERRED_THEME = """<script>(() => {{
  // The palette switch shows as the script would show it: the toggle of the palette in use, the one stored,
  // else the one for the system's scheme (mkdocs-material's components/palette). A toggle pressed before the
  // script has come is passed on to it once it has set up.
  const inputs = [...document.querySelectorAll("[data-md-component=palette] input")];
  let stored = null;
  try {{ stored = window.__md_get && __md_get("__palette"); }} catch (error) {{ /* storage disabled */ }}
  const chosen = stored && Number.isInteger(stored.index) ? stored.index
    : inputs.findIndex((input) => matchMedia(input.getAttribute("data-md-color-media")).matches);
  const index = Math.max(0, Math.min(chosen, inputs.length - 1));
  inputs.forEach((input, i) => {{ if (input.nextElementSibling) input.nextElementSibling.hidden = i !== index; }});
  // Code blocks that scroll sideways take the keyboard focus, as the theme's script makes them (axe:
  // scrollable-region-focusable): measured once the page has loaded, its layout done.
  addEventListener("load", () => {{
    for (const code of document.querySelectorAll("pre > code")) {{
      if (code.scrollWidth > code.clientWidth) code.setAttribute("tabindex", "0");
    }}
  }}, {{ once: true }});
  let themeReady = false, pressed = null, key = null;
  for (const input of inputs) input.addEventListener("change", () => {{ if (!themeReady) pressed = input; }});
  const events = ["pointermove", "pointerdown", "keydown", "focusin", "touchstart", "wheel", "scroll"];
  const editable = (element) => element instanceof Element
    && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  let loading = null;
  window.__loadTheme = (event) => loading ??= new Promise((resolve) => {{
    for (const name of events) removeEventListener(name, window.__loadTheme, true);
    if (event && event.type === "keydown" && !editable(event.target)) key = event;
    const script = document.createElement("script");
    script.src = "{src}";
    script.onload = script.onerror = () => {{
      if (document.readyState !== "loading") document.dispatchEvent(new Event("DOMContentLoaded"));
      themeReady = true;
      if (pressed) pressed.dispatchEvent(new Event("change"));
      if (key && !key.defaultPrevented && document.activeElement === key.target) {{
        key.target.dispatchEvent(new KeyboardEvent("keydown", {{ key: key.key, code: key.code,
          shiftKey: key.shiftKey, altKey: key.altKey, bubbles: true, cancelable: true }}));
      }}
      document.dispatchEvent(new Event("lqfg-theme"));
      resolve();
    }};
    document.body.appendChild(script);
  }});
  for (const name of events) addEventListener(name, window.__loadTheme, {{ capture: true, passive: true }});
}})();</script>"""


# With navigation.indexes, a section's sub-navigation is labelled by the label that only holds the toggle's
# icon, so every section's <nav> has the same empty name (axe: landmark-unique); it takes the section's title.
SECTION_NAV = re.compile(r'<nav class="md-nav" data-md-level="(\d+)" aria-labelledby="__nav_[\d_]+_label"'
                         r'(?P<rest>[^>]*>\s*<label class="md-nav__title" for="[^"]+">\s*'
                         r'<span class="md-nav__icon md-icon"></span>\s*(?P<title>[^<]*?)\s*</label>)')
REGION = re.compile(r'(<div class="[^"]*" role="region" tabindex="0" aria-label=")([^"]*)(")')


def _unique_regions(output):
    """Scrolling table regions whose names repeat on one page are numbered (axe: landmark-unique)."""
    seen = {}

    def number(match):
        label = match.group(2)
        seen[label] = seen.get(label, 0) + 1
        return match.group(0) if seen[label] == 1 else f"{match.group(1)}{label} ({seen[label]}){match.group(3)}"
    return REGION.sub(number, output)


def _accessible_names(output):
    """Names the theme's markup leaves out: the search dialog's (axe: aria-dialog-name), each section
    navigation's, and those of repeated table regions."""
    output = output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + ' aria-label="Search">', 1)
    output = SECTION_NAV.sub(lambda m: f'<nav class="md-nav" data-md-level="{m.group(1)}" '
                             f'aria-label="{m.group("title")}"{m.group("rest")}', output)
    return _unique_regions(output)


def _in_head(output, script):
    """`script` first in <head>, right after the character set (which must come in the first 1024 bytes)."""
    return (output.replace(CHARSET, CHARSET + script, 1) if CHARSET in output
            else output.replace("</head>", script + "</head>", 1))


def _theme_held_back(output):
    output = _in_head(output, SCRIPTS_ON)
    return THEME_SCRIPT.sub(lambda match: DEFERRED_THEME.format(src=match.group("src")), output, count=1)


def on_post_template(output, template_name, config):
    """Pages from the theme's own templates (404.html) get the same names and script loading as the others."""
    if not template_name.endswith(".html"):
        return output
    return _theme_held_back(_accessible_names(output))


def on_post_page(output, page, config):
    output = _theme_held_back(_accessible_names(output))
    if 'class="calc" data-page=' in output:
        root = "../" * page.url.count("/")
        output = _in_head(output, EARLY_WORKER.format(root=root))  # first of all
    return output


def on_post_build(config):
    site = Path(config["site_dir"])
    for source, target in assets.vendored_files():
        destination = site / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    for path, text in results_pages.data_files(_state["dataset"]).items():
        destination = site / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    bundle = site / assets.BUNDLE_PATH
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_bytes(assets.calculators_archive())
    (site / assets.STDLIB_PATH).write_bytes(assets.stdlib_archive())
