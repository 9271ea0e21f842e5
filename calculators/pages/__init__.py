"""Every calculator page of the site: one module each, named in MODULES, so a new page is one new module and
its name there (tests/test_page_declarations.py checks that every module of the package is named).

Each module defines `PAGE`, a `calculators.page.Page`; `all_pages()` lists them in their `order`, `page(name)`
finds one. The names are written out rather than found on the package's path: pkgutil, which finds them, took
17-27 ms to import under Pyodide, in Node (it builds a namedtuple, whose source Python compiles), a fifth
of the calculators' whole import.
"""

import importlib

from ..page import Page

MODULES = ("fit", "kv", "number_format", "playground", "roofline", "speculative", "training", "weights", "wizard")

_PAGES = {}


def _discover() -> dict:
    found = []
    for name in MODULES:
        declared = getattr(importlib.import_module(f"{__name__}.{name}"), "PAGE", None)
        if not isinstance(declared, Page):
            raise TypeError(f"calculators/pages/{name}.py must define PAGE, a calculators.page.Page")
        found.append(declared)
    found.sort(key=lambda p: (p.order, p.name))
    names = [p.name for p in found]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"two pages declare the name {', '.join(repeated)}")
    return {p.name: p for p in found}


def all_pages() -> tuple:
    """Every page, in order."""
    if not _PAGES:
        _PAGES.update(_discover())
    return tuple(_PAGES.values())


def names() -> tuple:
    return tuple(p.name for p in all_pages())


def page(name: str) -> Page | None:
    """The page of that name, or None."""
    all_pages()
    return _PAGES.get(name)
