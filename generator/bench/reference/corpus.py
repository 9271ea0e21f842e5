"""The corpus: the prose of the Python 3.11 documentation, split by document.

Source: Debian's python3.11-doc package (/usr/share/doc/python3.11/html, the
Python Software Foundation's documentation, PSF licence). Each HTML page is one
document. Only the page body (Sphinx's `<div role="main">`) is kept; navigation,
`<pre>` code blocks, scripts, styles and the headerlink pilcrows are dropped and
whitespace is normalised to single spaces, one block (paragraph, list item,
heading, table cell) per line. Inline code (`<code>`) stays: it is part of the prose.

Documents are assigned to a split by a hash of their path (90 / 5 / 5), so a
page is never split across train and test, and adding a page moves no other.

The extracted text is cached as one JSON file per distinct input (`corpus-<key>.json`,
the key a hash of the extractor version and every page's path and bytes). Where the
documentation is not installed (the GPU machine), a single cached corpus in the cache
directory is used instead, so the corpus can travel as that one file.
"""

import hashlib
import json
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from . import cache_dir

DEFAULT_HTML_ROOT = Path("/usr/share/doc/python3.11/html")
SPLITS = ("train", "validation", "test")
SPLIT_PERCENT = {"train": 90, "validation": 5, "test": 5}
EXTRACTOR_VERSION = 1  # bump when extract_prose changes its output

# Sphinx output that is not a document: indexes, search, copies of the sources, assets.
_NOT_DOCUMENTS = re.compile(r"^(_sources|_static|_downloads|_images)/|^(genindex.*|py-modindex|search)\.html$")


class CorpusMissing(RuntimeError):
    """Neither the documentation nor a cached corpus is here."""


@dataclass(frozen=True)
class Document:
    path: str  # relative to the HTML root, "/"-separated
    text: str


@dataclass(frozen=True)
class Corpus:
    key: str  # identifies the input and the extractor; tokenizers and models built on it carry it
    documents: tuple  # every Document, in sorted path order

    def split(self, name: str) -> tuple:
        if name not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {name!r}")
        return tuple(document for document in self.documents if split_of(document.path) == name)


def split_of(path: str) -> str:
    """train / validation / test by the first 8 bytes of sha256(path) mod 100."""
    bucket = int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % 100
    bound = 0
    for name in SPLITS:
        bound += SPLIT_PERCENT[name]
        if bucket < bound:
            return name
    raise AssertionError("SPLIT_PERCENT must add up to 100")


def document_paths(html_root: Path = DEFAULT_HTML_ROOT) -> list:
    """Every documentation page under `html_root`, relative and sorted."""
    paths = (path.relative_to(html_root).as_posix() for path in Path(html_root).rglob("*.html"))
    return sorted(path for path in paths if not _NOT_DOCUMENTS.search(path))


# -- HTML to prose ------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "section", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
               "br", "blockquote", "table", "ul", "ol", "dl", "caption", "figcaption", "pre"}
_SKIPPED_TAGS = {"pre", "script", "style"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _ProseParser(HTMLParser):
    """Collects the text inside the main body, skipping code blocks and headerlinks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, starts the body, starts a skipped stretch) of the open elements
        self.body_depth = 0  # open elements that are the main body (0 or 1)
        self.skip_depth = 0  # open elements whose text is dropped
        self.blocks, self.current = [], []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self._end_block()
        if tag in _VOID_TAGS:
            return
        attributes = dict(attrs)
        is_body = attributes.get("role") == "main"
        is_skipped = tag in _SKIPPED_TAGS or (tag == "a" and "headerlink" in (attributes.get("class") or "").split())
        self.stack.append((tag, is_body, is_skipped))
        self.body_depth += is_body
        self.skip_depth += is_skipped

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self._end_block()
        if not any(open_tag == tag for open_tag, _, _ in self.stack):
            return  # a stray end tag: ignore, as browsers do
        while self.stack:  # close what was left open inside it (<p> without </p>, say)
            open_tag, is_body, is_skipped = self.stack.pop()
            self.body_depth -= is_body
            self.skip_depth -= is_skipped
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.body_depth and not self.skip_depth:
            self.current.append(data)

    def _end_block(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def prose(self) -> str:
        self._end_block()
        return "\n".join(self.blocks)


def extract_prose(html: str) -> str:
    """The prose of one Sphinx page: one block per line, whitespace normalised."""
    parser = _ProseParser()
    parser.feed(html)
    parser.close()
    return parser.prose()


# -- the cached corpus -------------------------------------------------------------

def corpus_key(html_root: Path, paths: list) -> str:
    digest = hashlib.sha256(f"extractor {EXTRACTOR_VERSION}\n".encode())
    for path in paths:
        digest.update(path.encode("utf-8") + b"\0" + hashlib.sha256((html_root / path).read_bytes()).digest())
    return digest.hexdigest()[:16]


def load_corpus(html_root: Path = DEFAULT_HTML_ROOT, cache: Path | None = None, paths: list | None = None) -> Corpus:
    """The extracted corpus, from the cache or extracted now (and cached).

    `paths` (relative to html_root) picks a subset of the pages, for tests;
    by default every page. Raises CorpusMissing when neither the pages nor a
    cached corpus exist.
    """
    html_root, cache = Path(html_root), Path(cache) if cache is not None else cache_dir()
    if not html_root.is_dir():
        return _only_cached_corpus(html_root, cache)
    paths = document_paths(html_root) if paths is None else sorted(paths)
    if not paths:
        raise CorpusMissing(f"no documentation pages under {html_root}")
    key = corpus_key(html_root, paths)
    cached = cache / f"corpus-{key}.json"
    if cached.exists():
        return _read(cached)
    documents = tuple(Document(path, extract_prose((html_root / path).read_text(encoding="utf-8")))
                      for path in paths)
    corpus = Corpus(key, tuple(document for document in documents if document.text))
    _write(cached, corpus, html_root)
    return corpus


def _only_cached_corpus(html_root: Path, cache: Path) -> Corpus:
    candidates = sorted(cache.glob("corpus-*.json"))
    if len(candidates) == 1:
        return _read(candidates[0])
    found = f"{len(candidates)} cached corpora in {cache}" if candidates else f"no cached corpus in {cache}"
    raise CorpusMissing(f"the Python documentation is not at {html_root} and there are {found}: install it with "
                        "`apt-get install python3.11-doc` (Debian/Ubuntu), or set LQFG_CACHE to a folder holding "
                        "exactly one corpus-*.json made on a machine that has it")


def _read(path: Path) -> Corpus:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Corpus(data["key"], tuple(Document(item["path"], item["text"]) for item in data["documents"]))


def _write(path: Path, corpus: Corpus, html_root: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"key": corpus.key, "source": f"{html_root} (Debian python3.11-doc, PSF licence)",
            "extractor_version": EXTRACTOR_VERSION,
            "documents": [{"path": document.path, "split": split_of(document.path), "text": document.text}
                          for document in corpus.documents]}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
