"""A held-out domain for fine-tuning the reference models: text none of them was trained on.

The Debian Administrator's Handbook (Debian package debian-handbook, GPL-2.0+ or CC-BY-SA-3.0, its
/usr/share/doc/debian-handbook/copyright), English edition: system administration prose, where the
reference models learned from the manuals of Python, its libraries, PostgreSQL, CMake and Git
(corpus.SOURCES, which does not list it). Each HTML page is a document, split 90/5/5 by the same hash
of its name as the base corpus (corpus.split_of), extracted by the same parser, and tokenized with
the base model's tokenizer, as a fine-tuning data set would be.

Publican pages put their prose straight in <body>, with no element of its own around it, so the
extraction starts at <html> (its xmlns attribute) and drops the navigation bars (class "docnav")
and the download banner (its text is in a span of class "text"). The page's <title>, which repeats
its first heading, stays.

The extracted text is cached beside the base corpus, in a folder of its own (`domain/`), so that the
base corpus stays the only `corpus-*.json` of the cache.
"""

from dataclasses import dataclass
from pathlib import Path

import torch

from . import cache_dir
from .corpus import _NOT_DOCUMENTS, SOURCES, SPLITS, CorpusMissing, Source, load_corpus
from .tokenizer import TokenizedCorpus, encode_documents

DOMAIN = Source("debian-handbook", Path("/usr/share/doc/debian-handbook/html/en-US"), "GPL-2.0-or-later OR CC-BY-SA-3.0",
                ("xmlns", "http://www.w3.org/1999/xhtml"), frozenset({"docnav", "text"}),
                _NOT_DOCUMENTS + r"|(^|/)Common_Content/")
assert DOMAIN.package not in {source.package for source in SOURCES}, "the held-out domain must not be a base source"


@dataclass(frozen=True)
class DomainData:
    """The held-out domain's token ids per split, in the base model's tokenizer, and where they came from."""

    ids: dict  # split -> int32 ids
    source: dict  # {"package", "version", "licence", "documents"}
    corpus_key: str

    def tokens(self, split: str) -> int:
        return self.ids[split].numel()


def domain_cache() -> Path:
    return cache_dir() / "domain"


def load_domain(data: TokenizedCorpus, source: Source = DOMAIN, cache: Path | None = None,
                paths: list | None = None) -> DomainData:
    """The domain's documents (from the cache, or extracted now), encoded with `data`'s tokenizer.
    `paths` picks some pages (names "<package>/<path>"), for tests. Raises CorpusMissing when neither the
    package nor a cached extraction is here."""
    cache = Path(cache) if cache is not None else domain_cache()
    try:
        domain = load_corpus((source,), cache=cache, paths=paths)
    except CorpusMissing as missing:
        raise CorpusMissing(f"the held-out fine-tuning domain: {missing}") from None
    ids = {split: encode_documents(data.tokenizer, [document.text for document in domain.split(split)])
           if domain.split(split) else torch.zeros(0, dtype=torch.int32) for split in SPLITS}
    if not domain.sources:
        raise CorpusMissing(f"no text extracted from {source.html_root}")
    return DomainData(ids, dict(domain.sources[0]), domain.key)
