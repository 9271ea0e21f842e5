"""The hand-written pages as Jinja templates: numbers computed by calculators/, links to glossary terms, and
figures generated in Python.

A page in one of the prose sections (Learn, Run it fast, Evaluate, Choose, Exam prep) is rendered through
Jinja before Markdown sees it, so a number in its text is a call, never a copy:

    Llama 2 7B in GPTQ 4-bit g128 takes {{ calc("weights", model="llama-2-7b", format="gptq-int4-g128").total_bytes | gb }}.

- `calc(page, **inputs)` runs the same `calculators.web.compute` as the calculator pages and returns its
  `result` (fields read as attributes). Inputs the calculator rejects stop the build, with the page and the
  message.
- Filters format raw numbers: `gb` and `gib` (bytes, 2 decimals unless given), `num` (thousands separators,
  0 decimals unless given), `pct` (a fraction as a percentage, 1 decimal unless given).
- `term("group size")` links a term to its definition in the glossary (`term("KV cache", "caches")` with
  other link text); a term no page defines stops the build.
- Every public function of a module in `generator/site/figures/` is available by name, with `page` (the
  MkDocs page being rendered) in the context for those that build relative links.

A literal `{{` in a code example goes inside `{% raw %}...{% endraw %}`. Anchors are written as Markdown's
attribute lists have them (`## FP8 {#fp8}`): a template comment is `{## ... ##}`, not Jinja's usual `{# ... #}`.
"""

import importlib
import pkgutil
from functools import lru_cache

import jinja2

from calculators.web import compute

from generator.site import glossary

PROSE_SECTIONS = ("learn/", "run-it-fast/", "evaluate/", "choose/", "exam-prep/")


class PageError(ValueError):
    """A prose page asks for something the calculators or the glossary do not have."""


class _Result(dict):
    """A calculator's result whose fields read as attributes, so that a missing one is an error at once."""

    def __getattr__(self, name):
        try:
            value = self[name]
        except KeyError:
            raise PageError(f"the result has no field {name!r} (fields: {', '.join(self)})") from None
        return _wrap(value)


def _wrap(value):
    if isinstance(value, dict):
        return _Result(value)
    if isinstance(value, list):
        return [_wrap(item) for item in value]
    return value


@lru_cache(maxsize=None)
def _cached(page: str, inputs: tuple) -> dict:
    reply = compute(page, dict(inputs))
    if not reply["ok"]:
        problems = "; ".join(f"{field}: {message}" for field, message in reply["errors"].items())
        raise PageError(f"calc({page!r}, {dict(inputs)}) was rejected: {problems}")
    return reply["result"]


def calc(page: str, **inputs) -> _Result:
    """The result of a calculator for these inputs (the rest are the calculator's defaults)."""
    return _Result(_cached(page, tuple(sorted((key, str(value)) for key, value in inputs.items()))))


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PageError(f"expected a number, got {value!r}")
    return value


def gb(value, digits: int = 2) -> str:
    return f"{_number(value) / 1e9:,.{digits}f} GB"


def gib(value, digits: int = 2) -> str:
    return f"{_number(value) / 2 ** 30:,.{digits}f} GiB"


def num(value, digits: int = 0) -> str:
    return f"{_number(value):,.{digits}f}"


def pct(value, digits: int = 1) -> str:
    return f"{_number(value) * 100:.{digits}f}%"


@lru_cache(maxsize=None)
def _figure_functions() -> dict:
    """{name: function} for every public function of the modules in generator/site/figures/."""
    from generator.site import figures

    found = {}
    for module_info in pkgutil.iter_modules(figures.__path__):
        module = importlib.import_module(f"{figures.__name__}.{module_info.name}")
        for name in getattr(module, "__all__", ()):
            if name in found:
                raise PageError(f"two figure modules define {name!r}")
            found[name] = getattr(module, name)
    return found


def is_prose(src_uri: str) -> bool:
    return src_uri.startswith(PROSE_SECTIONS)


def render(markdown: str, src_uri: str, terms: dict, page=None) -> str:
    """The page's Markdown with every template expression evaluated; `terms` is `glossary.collect`'s answer.
    Errors name the page."""

    def term(name: str, text: str | None = None) -> str:
        slug = glossary.slug(name)
        if slug not in terms:
            raise PageError(f"term({name!r}): no page defines it in its front matter's glossary")
        return f"[{text or name}]({glossary.link_from(src_uri)}#{slug})"

    # Jinja's comments would start at "{#", which Markdown's attribute lists use for anchors ("## FP8 {#fp8}");
    # comments here are written "{##" ... "##}" instead.
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                     autoescape=False, comment_start_string="{##", comment_end_string="##}")
    environment.filters.update(gb=gb, gib=gib, num=num, pct=pct)
    environment.globals.update(calc=calc, term=term, page=page, **_figure_functions())  # modules read once per process
    try:
        return environment.from_string(markdown).render()
    except (PageError, jinja2.TemplateError) as error:
        raise PageError(f"{src_uri}: {error}") from None
