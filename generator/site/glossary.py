"""The glossary, gathered from the pages that define its terms.

A page defines a term once, in its front matter, where it explains it:

    ---
    glossary:
      group size: The number of weights that share one scale (and zero point) ...
    ---

`collect` reads every page's definitions (a term defined on two pages is an error naming both), and
`page_markdown` writes the glossary page, one entry per term, with a link to the page that explains it.
Prose pages link a term with `term("group size")` (generator/site/prose.py).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

GLOSSARY_PAGE = "exam-prep/glossary.md"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)(?:---|\.\.\.)\s*\n", re.S)
_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.M)


class GlossaryError(ValueError):
    """A definition that cannot go into the glossary."""


@dataclass(frozen=True)
class Term:
    name: str
    definition: str
    page: str  # the docs-relative path of the page that defines and explains it
    page_title: str


def slug(name: str) -> str:
    """The term's anchor: lower case, runs of anything but letters and digits as one hyphen."""
    value = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not value:
        raise GlossaryError(f"the term {name!r} has no letters or digits")
    return value


def link_from(src_uri: str) -> str:
    """The glossary page's path relative to the page at src_uri (both docs-relative)."""
    depth = src_uri.count("/")
    return "../" * depth + GLOSSARY_PAGE


def _definitions(path: Path, src_uri: str) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, ""
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise GlossaryError(f"{src_uri}: its front matter is not valid YAML: {error}") from None
    entries = meta.get("glossary") if isinstance(meta, dict) else None
    if entries is None:
        return {}, ""
    if not isinstance(entries, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                for k, v in entries.items()):
        raise GlossaryError(f"{src_uri}: glossary must map each term to a one-paragraph definition")
    title = _TITLE.search(text[match.end():])
    return entries, (title.group(1) if title else src_uri)


def collect(docs_dir) -> dict:
    """{slug: Term} for every term the pages under docs_dir define."""
    docs = Path(docs_dir)
    terms = {}
    for path in sorted(docs.rglob("*.md")):
        src_uri = path.relative_to(docs).as_posix()
        entries, title = _definitions(path, src_uri)
        for name, definition in entries.items():
            key = slug(name)
            if key in terms:
                raise GlossaryError(f"the term {name!r} is defined twice: in {terms[key].page} and in {src_uri}")
            terms[key] = Term(name, " ".join(definition.split()), src_uri, title)
    return terms


def page_markdown(terms: dict) -> str:
    """The glossary page: terms in alphabetical order under their initial, each with its definition and a
    link to the page that explains it."""
    lines = ["---", "hide:", "  - toc", "---", "", "# Glossary", "",
             "Every term the guide uses, defined once. Each entry links to the page that explains it.", ""]
    if not terms:
        lines.append("No page defines a term yet.")
    initial = None
    for key, term in sorted(terms.items(), key=lambda item: item[1].name.lower()):
        first = term.name[0].upper() if term.name[0].isalpha() else "0–9"
        if first != initial:
            initial = first
            lines += [f"## {first}", ""]
        target = "../" * GLOSSARY_PAGE.count("/") + term.page
        lines += [f"**{term.name}** {{#{key}}}", f": {term.definition} "
                  f"*Explained in [{term.page_title}]({target}).*", ""]
    return "\n".join(lines) + "\n"
