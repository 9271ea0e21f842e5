"""The site's stylesheet parses: a block left open swallows every rule after it (a merge once left the quiz's
styles inside a phone-only media query)."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[1] / "docs" / "assets" / "css" / "site.css"


def test_every_block_of_the_stylesheet_is_closed_where_it_should_be():
    depth = 0
    for number, line in enumerate(re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
                                  .splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert 0 <= depth <= 2, f"site.css line {number}: {depth} blocks open"
        if line.startswith((".", "[", "#")) and not line.startswith(" "):
            assert depth <= 1 or line.rstrip().endswith("}"), f"site.css line {number}: a rule inside an open block"
    assert depth == 0
