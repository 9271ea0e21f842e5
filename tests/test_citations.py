"""Every source in the catalogs is a citation a reader can follow.

A source is a URL, an arXiv id, a GitHub file as `owner/repo path @commit`,
or a file of this repository; never a note about how it was found, and never
a path outside the repository.
"""

import re
from pathlib import Path

import pytest

from calculators.hardware_data import ALLOCATABLE, HARDWARE
from calculators.preset_configs import PRESET_CONFIGS

ROOT = Path(__file__).resolve().parents[1]

URL = re.compile(r"^https://[^\s/]+\.[^\s/]+\S*")
ARXIV = re.compile(r"^arXiv:\d{4}\.\d{4,5}(v\d+)?\b")
REPO_FILE = re.compile(r"^[\w.-]+/[\w.-]+ [^\s@]+ @[0-9a-f]{7,40}\b")
RESEARCH_LOG = ("file id", "code-index", "shared/", "same source as", "previous line", "find_string",
                "search index", "stored public")


def _citations():
    for entry in HARDWARE:
        for source in entry["sources"]:
            yield f"hardware {entry['id']}", source
    for device, entry in ALLOCATABLE.items():
        yield f"allocatable {device}", entry["source"]
    for preset_id, entry in PRESET_CONFIGS.items():
        yield f"preset {preset_id} config", entry["config_source"]
        if entry["checkpoint_source"] is not None:
            yield f"preset {preset_id} checkpoint", entry["checkpoint_source"]


CITATIONS = list(_citations())


def _followable(source: str) -> bool:
    if URL.match(source) or ARXIV.match(source) or REPO_FILE.match(source):
        return True
    first = source.split()[0] if source.split() else ""
    return "/" in first and (ROOT / first).is_file()  # a file of this repository


@pytest.mark.parametrize("where, source", CITATIONS, ids=[w for w, _ in CITATIONS])
def test_every_source_is_a_followable_citation(where, source):
    assert _followable(source), f"{where}: {source[:120]!r}"
    lowered = source.lower()
    assert not [word for word in RESEARCH_LOG if word in lowered], f"{where}: {source[:120]!r}"


@pytest.mark.parametrize("preset_id", list(PRESET_CONFIGS))
def test_preset_notes_carry_no_research_log(preset_id):
    notes = PRESET_CONFIGS[preset_id]["notes"].lower()
    assert not [word for word in RESEARCH_LOG if word in notes]


def test_every_device_cites_something():
    assert all(entry["sources"] for entry in HARDWARE)
