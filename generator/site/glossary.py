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


# -- linking first uses ----------------------------------------------------------------------------------------

# Elements whose text is not prose: links, code, headings, form controls, embedded data, and the calculators',
# charts' and quiz's own markup.
_SKIPPED_TAGS = {"a", "code", "pre", "kbd", "samp", "small", "script", "style", "template", "button", "label",
                 "select", "option", "textarea", "svg", "summary", "dt", "th", "title",
                 "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED_CLASS = re.compile(r'class="[^"]*\b(calc|chart|quiz|nf-|glossary-term)')
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_TAG = re.compile(r"(<!--.*?-->|<[^>]+>)", re.S)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")
# Glossary entries that are also everyday words: linking their first use would mostly link the everyday sense.
COMMON_WORDS = {"quantization", "parameter", "scale", "decode", "prefill", "adapter", "pruning", "flips",
                "exponent", "mantissa"}


def _pattern(term: Term) -> re.Pattern:
    """A term written as defined: exact case when its name has capitals (FP8, LoRA), any case otherwise."""
    flags = 0 if any(c.isupper() for c in term.name) else re.IGNORECASE
    return re.compile(r"(?<![\w#.-])" + re.escape(term.name) + r"(?![\w-]|\.\w)", flags)


def link_first_uses(html: str, src_uri: str, terms: dict, glossary_url: str) -> str:
    """The page's HTML with the first use of each term of another page linked to its glossary entry, in prose
    only (see _SKIPPED_TAGS); terms the page already links to the glossary are left as they are.
    glossary_url is the glossary page's address relative to this page."""
    already = set(re.findall(r"glossary/#([a-z0-9-]+)", html))
    wanted = [(key, term, _pattern(term)) for key, term in terms.items()
              if term.page != src_uri and key not in already and term.name.lower() not in COMMON_WORDS]
    # Longer names first, so that "KV cache" is found before a shorter term inside it.
    wanted.sort(key=lambda item: -len(item[1].name))
    pieces = _TAG.split(html)
    stack = []  # (tag name, skipped)
    for index, piece in enumerate(pieces):
        if not piece:
            continue
        if index % 2:  # a tag or a comment
            if piece.startswith("<!--") or piece.startswith("<!"):
                continue
            match = _TAG_NAME.match(piece)
            if not match:
                continue
            name = match.group(1).lower()
            if piece.startswith("</"):
                for depth in range(len(stack) - 1, -1, -1):
                    if stack[depth][0] == name:
                        del stack[depth:]
                        break
            elif name not in _VOID_TAGS and not piece.endswith("/>"):
                parent_skipped = bool(stack) and stack[-1][1]
                stack.append((name, parent_skipped or name in _SKIPPED_TAGS or bool(_SKIPPED_CLASS.search(piece))))
            continue
        if stack and stack[-1][1] or not wanted:
            continue
        pieces[index] = _link_in_text(piece, wanted, glossary_url)
    return "".join(pieces)


def _link_in_text(text: str, wanted: list, glossary_url: str) -> str:
    """Links, in one run of text, the first use of every term still wanted (and removes it from `wanted`)."""
    found = []
    for item in list(wanted):
        key, term, pattern = item
        match = pattern.search(text)
        if match and not any(start < match.end() and match.start() < end for start, end, *_ in found):
            found.append((match.start(), match.end(), key, term))
            wanted.remove(item)
    for start, end, key, term in sorted(found, reverse=True):
        title = term.definition.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        text = (f'{text[:start]}<a class="glossary-term" href="{glossary_url}#{key}" title="{title}">'
                f"{text[start:end]}</a>{text[end:]}")
    return text
