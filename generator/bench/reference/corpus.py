"""The corpus: the English prose of several Debian documentation packages, split by document.

Each Source is one Debian package of HTML documentation under a free licence (SOURCES: the
package, where its HTML is, which element holds a page's prose, its licence). Each HTML page is
one document, named `<package>/<path under the HTML root>`. Only the page body is kept (the
element the source names: Sphinx's `<div role="main">`, an element id for the other
generators); navigation, `<pre>` code blocks, scripts, styles, headerlink pilcrows and the
source's own non-prose classes are dropped and whitespace is normalised to single spaces, one
block (paragraph, list item, heading, table cell) per line. Inline code (`<code>`) stays: it is
part of the prose.

Documents are assigned to a split by a hash of their name (90 / 5 / 5), so a page is never
split across train and test, and adding a page or a package moves no other page.

The extracted text is cached as one JSON file per distinct input (`corpus-<key>.json`, the key
a hash of the extractor version, the sources' rules and every page's name and bytes), with each
source's package, installed version and licence. Where the documentation is not installed (the
GPU machine), a single cached corpus in the cache directory is used instead, so the corpus can
travel as that one file.
"""

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from . import cache_dir

SPLITS = ("train", "validation", "test")
SPLIT_PERCENT = {"train": 90, "validation": 5, "test": 5}
EXTRACTOR_VERSION = 2  # bump when extract_prose changes its output

# Generated pages that are not documents: indexes, search, copies of the sources, assets.
_NOT_DOCUMENTS = r"(^|/)(_sources|_static|_downloads|_images|_modules)/|(^|/)(genindex.*|py-modindex|search)\.html$"


@dataclass(frozen=True)
class Source:
    """One Debian documentation package: where its pages are and how to find their prose."""

    package: str  # the Debian package (apt-get install <package>)
    html_root: Path
    licence: str  # SPDX-style name, from /usr/share/doc/<package>/copyright
    body: tuple  # (attribute, value) of the element that holds a page's prose
    skipped_classes: frozenset = field(default_factory=frozenset)  # elements inside the body that are not prose
    not_documents: str = _NOT_DOCUMENTS  # regex on the path under html_root

    def rule(self) -> str:
        """What the extraction depends on, for the cache key."""
        return f"{self.package} {self.body} {sorted(self.skipped_classes)} {self.not_documents}"


SOURCES = (
    Source("python3.11-doc", Path("/usr/share/doc/python3.11/html"), "PSF-2.0", ("role", "main")),
    Source("python-django-doc", Path("/usr/share/doc/python-django-doc/html"), "BSD-3-Clause", ("id", "yui-main")),
    Source("python-sqlalchemy-doc", Path("/usr/share/doc/python-sqlalchemy-doc/html"), "MIT", ("role", "main")),
    Source("sphinx-doc", Path("/usr/share/doc/sphinx-doc/html"), "BSD-2-Clause", ("role", "main")),
    Source("python-pytest-doc", Path("/usr/share/doc/python-pytest-doc/html"), "MIT", ("role", "main")),
    Source("cmake-doc", Path("/usr/share/doc/cmake-data/html"), "BSD-3-Clause", ("role", "main")),
    # DocBook XSL: the prose is the whole <body>, less the navigation tables above and below it.
    Source("postgresql-doc-15", Path("/usr/share/doc/postgresql-doc-15/html"), "PostgreSQL", ("id", "docContent"),
           frozenset({"navheader", "navfooter"})),
    # AsciiDoc: the manual pages, in <div id="content">.
    Source("git-doc", Path("/usr/share/doc/git-doc"), "GPL-2.0-only", ("id", "content")),
)
DEFAULT_HTML_ROOT = SOURCES[0].html_root


class CorpusMissing(RuntimeError):
    """Neither the documentation nor a cached corpus is here."""


@dataclass(frozen=True)
class Document:
    path: str  # "<package>/<path under its HTML root>", "/"-separated
    text: str


@dataclass(frozen=True)
class Corpus:
    key: str  # identifies the input and the extractor; tokenizers and models built on it carry it
    documents: tuple  # every Document, in sorted path order
    sources: tuple = ()  # one {"package", "version", "licence", "documents"} per source, as in the record

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


def document_paths(source: Source = SOURCES[0]) -> list:
    """Every documentation page of `source`, relative to its HTML root and sorted."""
    root = Path(source.html_root)
    paths = (path.relative_to(root).as_posix() for path in root.rglob("*.html"))
    return sorted(path for path in paths if not re.search(source.not_documents, path))


def package_version(package: str) -> str:
    """The installed Debian version of `package` (dpkg-query), "unknown" where dpkg cannot say."""
    try:
        found = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                               check=False)
    except OSError:
        return "unknown"
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else "unknown"


# -- HTML to prose ------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "section", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
               "br", "blockquote", "table", "ul", "ol", "dl", "caption", "figcaption", "pre"}
_SKIPPED_TAGS = {"pre", "script", "style"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _ProseParser(HTMLParser):
    """Collects the text inside the main body, skipping code blocks, headerlinks and the source's non-prose."""

    def __init__(self, body: tuple, skipped_classes: frozenset):
        super().__init__(convert_charrefs=True)
        self.body, self.skipped_classes = body, skipped_classes
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
        classes = set((attributes.get("class") or "").replace(",", " ").split())
        is_body = attributes.get(self.body[0]) == self.body[1]
        is_skipped = (tag in _SKIPPED_TAGS or (tag == "a" and "headerlink" in classes)
                      or bool(classes & self.skipped_classes))
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


def extract_prose(html: str, source: Source = SOURCES[0]) -> str:
    """The prose of one page of `source`: one block per line, whitespace normalised."""
    parser = _ProseParser(source.body, source.skipped_classes)
    parser.feed(html)
    parser.close()
    return parser.prose()


# -- the cached corpus -------------------------------------------------------------

def corpus_key(sources: tuple, pages: list) -> str:
    """A hash of the extractor, each source's rules and every page's name and bytes; `pages` are
    (source, path under its root) in name order."""
    digest = hashlib.sha256(f"extractor {EXTRACTOR_VERSION}\n".encode())
    for source in sources:
        digest.update(source.rule().encode("utf-8") + b"\n")
    for source, path in pages:
        digest.update(f"{source.package}/{path}".encode("utf-8") + b"\0"
                      + hashlib.sha256((Path(source.html_root) / path).read_bytes()).digest())
    return digest.hexdigest()[:16]


def load_corpus(sources: tuple = SOURCES, cache: Path | None = None, paths: list | None = None) -> Corpus:
    """The extracted corpus, from the cache or extracted now (and cached).

    `paths` (document names, "<package>/<path under its HTML root>") picks a subset of the pages,
    for tests; by default every page of every source. Where a source's documentation is not
    installed, the one cached corpus in `cache` is used; raises CorpusMissing when there is none.
    """
    sources, cache = tuple(sources), Path(cache) if cache is not None else cache_dir()
    missing = [source for source in sources if not Path(source.html_root).is_dir()]
    if missing:
        return _only_cached_corpus(missing, cache)
    by_package = {source.package: source for source in sources}
    if paths is None:
        pages = [(source, path) for source in sources for path in document_paths(source)]
    else:
        unknown = sorted({name.split("/", 1)[0] for name in paths} - set(by_package))
        if unknown:
            raise ValueError(f"document names must start with a source's package, not {', '.join(unknown)}")
        pages = [(by_package[name.split("/", 1)[0]], name.split("/", 1)[1]) for name in paths]
    pages.sort(key=lambda page: f"{page[0].package}/{page[1]}")
    if not pages:
        raise CorpusMissing(f"no documentation pages under {', '.join(str(source.html_root) for source in sources)}")
    key = corpus_key(sources, pages)
    cached = cache / f"corpus-{key}.json"
    if cached.exists():
        return _read(cached)
    documents = tuple(Document(f"{source.package}/{path}",
                               extract_prose((Path(source.html_root) / path).read_text(encoding="utf-8",
                                                                                       errors="replace"), source))
                      for source, path in pages)
    documents = tuple(document for document in documents if document.text)
    counts = {source.package: 0 for source in sources}
    for document in documents:
        counts[document.path.split("/", 1)[0]] += 1
    corpus = Corpus(key, documents, tuple({"package": source.package, "version": package_version(source.package),
                                           "licence": source.licence, "documents": counts[source.package]}
                                          for source in sources if counts[source.package]))
    _write(cached, corpus, sources)
    return corpus


def _only_cached_corpus(missing: list, cache: Path) -> Corpus:
    candidates = sorted(cache.glob("corpus-*.json"))
    if len(candidates) == 1:
        return _read(candidates[0])
    found = f"{len(candidates)} cached corpora in {cache}" if candidates else f"no cached corpus in {cache}"
    where = ", ".join(str(source.html_root) for source in missing)
    raise CorpusMissing(f"the documentation is not at {where} and there are {found}: install it with "
                        f"`apt-get install {' '.join(source.package for source in missing)}` (Debian), or set "
                        "LQFG_CACHE to a folder holding exactly one corpus-*.json made on a machine that has it")


def _read(path: Path) -> Corpus:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Corpus(data["key"], tuple(Document(item["path"], item["text"]) for item in data["documents"]),
                  tuple(data.get("sources", ())))


def _write(path: Path, corpus: Corpus, sources: tuple):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"key": corpus.key, "extractor_version": EXTRACTOR_VERSION, "sources": list(corpus.sources),
            "html_roots": {source.package: str(source.html_root) for source in sources},
            "documents": [{"path": document.path, "split": split_of(document.path), "text": document.text}
                          for document in corpus.documents]}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
