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
from .records import as_dict, record
from .render import render_result

# The module the browser's bundle carries with the link targets computed at build time (generator/site/assets.py
# writes it there; it is never on disk beside the package).
LINK_TARGETS_MODULE = "calculators/_link_targets.py"


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


@record
class LinkTarget:
    """A page of the Calculators section as the other calculators' results link to it: the inputs it takes
    from them ({the name an input travels under: its field}) and its defaults for those fields."""
    name: str
    slug: str
    title: str
    fields: dict
    defaults: dict


def _target(declared) -> LinkTarget:
    fields = {name: field for field, name in carried_fields(declared).items()}
    return LinkTarget(declared.name, declared.slug, declared.title, fields,
                      {field: declared.defaults.get(field, "") for field in fields.values()})


def _declared_targets() -> list:
    return [_target(declared) for declared in calculator_pages()]


_TARGETS = []


def link_targets() -> tuple:
    """The pages of the Calculators section as the results link to them, in order. Read from their declarations,
    except in the browser, whose bundle carries them computed at build time (`link_targets_source`): there a
    result links to the other calculators without importing their modules (five, for the will-it-fit page):
    its first compute in Pyodide, in Node, went from a median 25.5 ms to 19.6 ms (16 starts of each)."""
    if not _TARGETS:
        try:
            from ._link_targets import TARGETS  # only in the browser's bundle
        except ImportError:
            _TARGETS.extend(_declared_targets())
        else:
            _TARGETS.extend(LinkTarget(**target) for target in TARGETS)
    return tuple(_TARGETS)


def link_targets_source() -> str:
    """The source of LINK_TARGETS_MODULE: the link targets as the declarations give them, as Python literals."""
    targets = tuple(as_dict(target) for target in _declared_targets())
    return ('"""The link targets of the Calculators section (calculators.web.link_targets), written by the site\'s '
            'build."""\n\nTARGETS = ' + repr(targets) + "\n")


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
    for other in link_targets():
        if other.name == page.name or not other.fields:
            continue
        query = {other.fields[name]: value for name, value in carried.items()
                 if name in other.fields and value != other.defaults[other.fields[name]]}
        address = f"../{other.slug}/" + ("?" + urlencode(query) if query else "")
        links.append(f"<a href=\"{escape(address)}\">{escape(other.title)}</a>")
    if not links:
        return ""
    return f"<p class=\"calc-related\">The same inputs in the other calculators: {' · '.join(links)}.</p>"
