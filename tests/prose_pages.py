"""The prose pages as the build renders them, and the calculator results their numbers must equal: shared by
the tests of the Learn, Run it fast and other prose sections."""

import functools
from pathlib import Path

from calculators.web import compute
from generator.site import glossary, prose

DOCS = Path(__file__).resolve().parents[1] / "docs"


@functools.cache
def rendered(page: str) -> str:
    """docs/<page> rendered by the prose template step (numbers filled in, glossary terms linked)."""
    return prose.render((DOCS / page).read_text(encoding="utf-8"), page, _terms())


@functools.cache
def _terms():
    return glossary.collect(DOCS)


def result(page: str, **inputs) -> dict:
    """The calculator's result for these inputs, as the page's calc(...) call gets it; bad inputs fail the test."""
    reply = compute(page, {key: str(value) for key, value in inputs.items()})
    assert reply["ok"], reply["errors"]
    return reply["result"]
