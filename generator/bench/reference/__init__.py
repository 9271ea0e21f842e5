"""Reference language models that the bench trains itself, for quality measurements.

No pretrained weights or hub data sets can be downloaded where the bench runs, so
quality is measured on small llamas trained here on an openly licensed corpus:
the English prose of Debian documentation packages under free licences (the Python,
Django, SQLAlchemy, Sphinx, pytest, CMake, PostgreSQL and Git manuals; corpus.SOURCES).

    corpus.py     the documents' prose, split by document into train / validation / test
    tokenizer.py  a byte-level BPE trained on the train split
    train.py      LlamaForCausalLM at a few sizes, trained within a time budget, stopped early
                  on validation loss

Everything they make (text, token ids, tokenizer, checkpoints) is a cache
(cache_dir()), never committed: the same inputs rebuild the same files.
"""

import os
from pathlib import Path


def cache_dir() -> Path:
    """$LQFG_CACHE, else ~/.cache/llm-quant-field-guide."""
    configured = os.environ.get("LQFG_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "llm-quant-field-guide"
