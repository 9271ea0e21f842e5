"""The calculators as the site's pages use them: text inputs in, results out.

`compute(page, params)` takes the raw strings of a form or a URL query and
returns a JSON-able dict: the inputs as understood, the result's raw numbers,
the HTML of the result panel and its charts as Plotly figures, each made by the
page's declaration (calculators/pages/). The same call runs at build time (the
pre-rendered default) and in the browser through Pyodide, so both always agree.
Bad input never raises: it comes back as `errors`, a message per field.
"""

from .markup import escape, urlencode

from .charts import figures
from .errors import CalculatorError
from .inputs import CARRIED_INPUTS, Inputs, carried_fields
from .pages import calculator_pages, page as find_page
from .render import render_result


def compute(page: str, params: dict) -> dict:
    """{"ok", "page", "inputs", "errors", "result", "html", "charts"}; never raises on bad input. "charts" is
    the result's figures (`charts.figures`), empty when the inputs are not valid."""
    declared = find_page(page) if isinstance(page, str) else None
    if declared is None:
        return {"ok": False, "page": str(page)[:40], "inputs": {}, "errors": {"page": "unknown calculator"},
                "result": None, "html": "", "charts": []}
    inputs = Inputs(declared.defaults, params if isinstance(params, dict) else {})
    try:
        result = declared.compute(inputs)
    except CalculatorError as error:  # a limit only the combination of inputs reaches
        inputs.fail(error.field or "model", str(error))
        result = None
    ok = result is not None and not inputs.errors
    notes = "".join(f"<p class=\"calc-note\">{escape(note)}</p>" for note in inputs.notes)
    # The pages outside the Calculators section link to the calculators themselves, or not at all.
    links = related_links(declared, inputs.values) if declared.in_calculators_section else ""
    html = notes + render_result(page, result) + links if ok else ""
    return {"ok": ok, "page": page, "inputs": inputs.values, "errors": inputs.errors,
            "result": result if ok else None, "html": html, "charts": figures(page, result) if ok else []}


def related_links(page, values: dict) -> str:
    """Links to the other calculators with the inputs they share with this one (a `page.Page`), as this page
    understood them. A pasted config.json is too long for an address: the link says model=config, and the page
    it opens takes the config from the browser's storage (calculators.js)."""
    if not carried_fields(page):
        return ""
    carried = {name: values[field] for field, name in carried_fields(page).items() if field in values}
    if carried.get("model") != "custom":
        carried = {name: value for name, value in carried.items() if name in CARRIED_INPUTS}
    links = []
    for other in calculator_pages():
        fields = {name: field for field, name in carried_fields(other).items()}
        defaults = other.defaults
        query = {fields[name]: value for name, value in carried.items()
                 if name in fields and value != defaults.get(fields[name], "")}
        if other is not page and fields:
            address = f"../{other.slug}/" + ("?" + urlencode(query) if query else "")
            links.append(f"<a href=\"{escape(address)}\">{escape(other.title)}</a>")
    if not links:
        return ""
    return f"<p class=\"calc-related\">The same inputs in the other calculators: {' · '.join(links)}.</p>"
