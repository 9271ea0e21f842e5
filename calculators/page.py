"""What a calculator page is: one declaration that the site, the browser's worker, the CLI and the tests read.

Each module of `calculators/pages/` defines one `PAGE`; `calculators.pages` finds them. A page's form is its
`fields`; `compute` reads them (an `inputs.Inputs`) into a JSON-able result, `render` writes that result as
HTML and `charts` draws it as Plotly figures. `web.compute`, `render.render_form`, `charts.figures`, the site
build (generator/site) and `python -m calculators` all look a page up here, so adding a calculator is one module
in `calculators/pages/` and the page file that holds `<!-- calculator: NAME -->` (docs/<path>.md, or
docs/<path>/index.md for a section's own page, as the wizard's).
"""

from typing import Callable

from .records import record

CALCULATORS_SECTION = "calculators/"  # the site's Calculators section, where most pages live


@record
class Field:
    """One input of a page's form. `kind` is a select's choices key (see `inputs.options` and `Page.choices`),
    "number", "tokens", "text" or "checkbox"; `default` is the string the form starts with. A field that other
    pages ask for too travels between them (`inputs.CARRIED`) unless `carried` is False."""
    name: str
    label: str
    kind: str
    default: str
    carried: bool = True


@record
class Command:
    """The page's command of `python -m calculators`: `arguments(parser)` adds its options, `run(args)` returns
    (JSON-able data, text)."""
    help: str
    arguments: Callable
    run: Callable


@record
class Page:
    name: str  # in `<!-- calculator: NAME -->`, the worker's requests and the form's data-calculator
    path: str  # where it lives in the built site: docs/<path>.md (or <path>/index.md), served at <path>/
    title: str  # its name in the navigation and in links from the other calculators
    order: int  # its place among the pages: the navigation, the links between calculators
    fields: tuple
    compute: Callable  # inputs.Inputs -> result dict, or None with an error per field in the inputs
    render: Callable  # result -> HTML of the result panel
    charts: Callable = lambda result: []  # result -> [figure], as `charts.figures` returns them
    choices: Callable = dict  # () -> {kind: [(value, label)]} for the selects only this page has
    command: Command | None = None  # None: no command of its own

    @property
    def defaults(self) -> dict:
        """{field: default string}, in the form's order."""
        return {f.name: f.default for f in self.fields}

    @property
    def in_calculators_section(self) -> bool:
        """Its result links to the other pages of the section, with the inputs they share with it."""
        return self.path.startswith(CALCULATORS_SECTION)

    @property
    def slug(self) -> str:
        """Its address relative to another page of the Calculators section ("kv-cache" for ../kv-cache/)."""
        return self.path.removeprefix(CALCULATORS_SECTION)
