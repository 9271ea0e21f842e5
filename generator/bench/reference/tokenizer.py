"""A byte-level BPE (GPT-2's scheme, `tokenizers`) trained on the corpus' train split, and the
token ids of every split.

Byte-level: any text encodes and decodes back exactly, with no unknown token. The
vocabulary is a multiple of 128 (default 8192) so that the embedding and lm_head
shapes suit the int4 tinygemm (in_features a multiple of 128) and bitsandbytes
block layouts. One special token, END_OF_DOCUMENT, is placed between documents.

Cached as `tokenizer-<corpus key>-v<vocab>/`: tokenizer.json and the ids of each
split (`<split>.pt`, int32, documents concatenated in path order).
"""

import os
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from . import cache_dir
from .corpus import SPLITS, Corpus

END_OF_DOCUMENT = "<|endoftext|>"
DEFAULT_VOCAB_SIZE = 8192


def train_tokenizer(texts: list, vocab_size: int = DEFAULT_VOCAB_SIZE) -> Tokenizer:
    """A byte-level BPE with `vocab_size` entries (the 256 bytes and END_OF_DOCUMENT included).

    BPE training counts pairs and merges the most frequent, ties broken by the
    pair itself, so the same texts give the same merges.
    """
    if vocab_size % 128:
        raise ValueError(f"vocab_size must be a multiple of 128 (tinygemm and bitsandbytes shapes), not {vocab_size}")
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[END_OF_DOCUMENT], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer=trainer)
    if tokenizer.get_vocab_size() != vocab_size:  # a corpus too small to make that many merges
        raise ValueError(f"the training texts give only {tokenizer.get_vocab_size()} tokens, not {vocab_size}")
    return tokenizer


def encode_documents(tokenizer: Tokenizer, texts) -> torch.Tensor:
    """The texts' ids, concatenated, END_OF_DOCUMENT after each (int32)."""
    end = tokenizer.token_to_id(END_OF_DOCUMENT)
    ids = []
    for encoding in tokenizer.encode_batch(list(texts), add_special_tokens=False):
        ids.extend(encoding.ids)
        ids.append(end)
    return torch.tensor(ids, dtype=torch.int32)


class TokenizedCorpus:
    """The tokenizer and each split's ids, built once per corpus and vocabulary size, then read from the cache."""

    def __init__(self, corpus: Corpus, vocab_size: int = DEFAULT_VOCAB_SIZE, cache: Path | None = None):
        self.corpus_key, self.vocab_size = corpus.key, vocab_size
        self.sources = corpus.sources  # the Debian packages the corpus came from, as the record lists them
        self.path = (Path(cache) if cache is not None else cache_dir()) / f"tokenizer-{corpus.key}-v{vocab_size}"
        if not (self.path / "test.pt").exists():  # test.pt is written last
            self._build(corpus)
        self.tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self.ids = {split: torch.load(self.path / f"{split}.pt") for split in SPLITS}

    @property
    def key(self) -> str:
        return f"{self.corpus_key}-v{self.vocab_size}"

    def _build(self, corpus: Corpus):
        self.path.mkdir(parents=True, exist_ok=True)
        tokenizer = train_tokenizer([document.text for document in corpus.split("train")], self.vocab_size)
        _atomic(self.path / "tokenizer.json", lambda target: tokenizer.save(str(target)))
        for split in SPLITS:
            ids = encode_documents(tokenizer, (document.text for document in corpus.split(split)))
            _atomic(self.path / f"{split}.pt", lambda target: torch.save(ids, target))


def _atomic(path: Path, write):
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(temporary)
    os.replace(temporary, path)
