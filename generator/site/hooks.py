"""MkDocs hooks: pre-render the calculators into their pages and vendor the browser assets.

A page asks for a calculator with the comment `<!-- calculator: NAME -->`; the
hook puts the form there with the default result already computed by
`calculators.web`, so a correct number shows at first paint without any
JavaScript, and with that result's charts (drawn by charts.js like every chart
of the site, then redrawn by calculators.js from each live result). After the
build, the Pyodide runtime, plotly.js and the packed `calculators/` are copied
into the site, so it loads nothing from other hosts.
"""

import re
import shutil
from html import escape
from pathlib import Path

from calculators.render import render_form
from calculators.web import DEFAULTS, compute

from generator.site import assets
from generator.site.charts import Chart, chart_html, figure

CALCULATOR = re.compile(r"(?:<p>)?<!-- calculator: (\w+) -->(?:</p>)?")
CHART_CAPTION = "Computed by calculators/ for the inputs above."


def _chart(spec: dict) -> Chart:
    """One figure of `calculators.charts`, checked by plotly's own classes (a wrong attribute fails the build).
    The figure keeps the layout calculators/ gave it, so the charts drawn live look like these."""
    checked = figure(spec["data"], spec["x_title"], spec["y_title"], **spec["layout"])
    return Chart(id=spec["id"], title=spec["title"], figure=checked, caption=CHART_CAPTION,
                 x_title=spec["x_title"], y_title=spec["y_title"], y_format=spec["y_format"])


def _calculator_html(match) -> str:
    page = match.group(1)
    if page not in DEFAULTS:
        raise ValueError(f"unknown calculator {page!r} in a page (known: {', '.join(DEFAULTS)})")
    default = compute(page, {})
    if not default["ok"]:
        raise ValueError(f"the default inputs of the {page} calculator are invalid: {default['errors']}")
    return (f"<div class=\"calc\" data-page=\"{page}\">{render_form(page)}"
            "<p class=\"calc-status\" role=\"status\" aria-live=\"polite\">"
            "Result computed when this page was built, for the inputs shown.</p>"
            f"<div class=\"calc-result\" aria-live=\"polite\">{default['html']}</div>"
            f"<div class=\"calc-charts\" data-charts=\"{escape(page)}\">"
            + "".join(chart_html(_chart(spec)) for spec in default["charts"]) + "</div></div>")


def on_page_content(html, page, config, files):
    if "<!-- calculator:" not in html:
        return html
    return CALCULATOR.sub(_calculator_html, html)


SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


# On a calculator page loaded directly, Pyodide starts from <head>, before the
# rest of the page is parsed; calculators.js adopts this worker.
EARLY_WORKER = ("<script>window.__calcWorkerStartedAt = performance.now(); window.__calcWorker = new Worker("
                "new URL('{root}assets/js/calc-worker.mjs', document.baseURI), {{type: 'module'}});</script>")


def on_post_page(output, page, config):
    """The theme's search dialog has no accessible name (axe: aria-dialog-name)."""
    output = output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + ' aria-label="Search">', 1)
    if 'class="calc" data-page=' in output:
        root = "../" * page.url.count("/")
        output = output.replace("</head>", EARLY_WORKER.format(root=root) + "</head>", 1)
    return output


def on_post_build(config):
    site = Path(config["site_dir"])
    for source, target in assets.vendored_files():
        destination = site / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    bundle = site / assets.BUNDLE_PATH
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_text(assets.calculators_bundle(), encoding="utf-8")
