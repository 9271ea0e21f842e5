"""Every calculator page of the site: one module each, named after its page, so a new page is one new module
and its name here (tests/test_page_declarations.py checks that every module of the package is named).

Each module defines `PAGE`, a `calculators.page.Page` whose name is the module's; `all_pages()` lists them in
their `order`, `page(name)` finds one, `calculator_pages()` the pages of the Calculators section.

A page is imported when it is first asked for, not with the others: the browser's worker computes one page,
and importing all nine under Pyodide took 30-36 ms in Node, 10-15 of them the wizard's modules, which only the
wizard's page needs (with the presets built on demand, calculators/presets.py, the will-it-fit page's time from
Pyodide ready to its first result went from a median 153 ms to 119 ms in headless Chromium, 12 loads of each,
alternating; its first compute from 61 ms to 38 ms). So the pages of the Calculators section, whose
results link to one another, are named apart from the rest; asking for a page checks that it was named in the
right list. The names are written out rather than found on the package's path: pkgutil, which finds them,
took 17-27 ms to import under Pyodide, in Node (it builds a namedtuple, whose source Python compiles).
"""

import importlib

from ..page import Page

CALCULATORS = ("fit", "kv", "roofline", "speculative", "training", "weights")  # under calculators/
ELSEWHERE = ("number_format", "playground", "wizard")
MODULES = CALCULATORS + ELSEWHERE

_LOADED = {}


def _load(name: str) -> Page:
    declared = _LOADED.get(name)
    if declared is not None:
        return declared
    declared = getattr(importlib.import_module(f"{__name__}.{name}"), "PAGE", None)
    if not isinstance(declared, Page):
        raise TypeError(f"calculators/pages/{name}.py must define PAGE, a calculators.page.Page")
    if declared.name != name:
        raise ValueError(f"calculators/pages/{name}.py declares the page {declared.name!r}; a page is named "
                         "after its module")
    if declared.in_calculators_section != (name in CALCULATORS):
        listed, other = ("CALCULATORS", "ELSEWHERE") if name in CALCULATORS else ("ELSEWHERE", "CALCULATORS")
        raise ValueError(f"calculators/pages/{name}.py lives at {declared.path}/ but is listed in {listed}; "
                         f"move it to {other} in calculators/pages/__init__.py")
    _LOADED[name] = declared
    return declared


def _in_order(names) -> tuple:
    return tuple(sorted((_load(name) for name in names), key=lambda p: (p.order, p.name)))


def all_pages() -> tuple:
    """Every page, in order."""
    return _in_order(MODULES)


def calculator_pages() -> tuple:
    """The pages of the Calculators section, in order: the ones whose results link to each other."""
    return _in_order(CALCULATORS)


def names() -> tuple:
    return tuple(p.name for p in all_pages())


def page(name: str) -> Page | None:
    """The page of that name, or None."""
    return _load(name) if isinstance(name, str) and name in MODULES else None
