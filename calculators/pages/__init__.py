"""Every calculator page of the site: one module each, found here, so a new page is one new module.

Each module defines `PAGE`, a `calculators.page.Page`; `all_pages()` lists them in their `order`, `page(name)`
finds one. The modules are found on the package's path at import time (pkgutil works the same in Pyodide,
whose file system holds the packed calculators/).
"""

import importlib
import pkgutil

from ..page import Page

_PAGES = {}


def _discover() -> dict:
    found = []
    for module in pkgutil.iter_modules(__path__):
        declared = getattr(importlib.import_module(f"{__name__}.{module.name}"), "PAGE", None)
        if not isinstance(declared, Page):
            raise TypeError(f"calculators/pages/{module.name}.py must define PAGE, a calculators.page.Page")
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
