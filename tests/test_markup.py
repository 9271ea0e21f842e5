"""calculators.markup writes what html.escape and urllib.parse.urlencode write."""

import html
import urllib.parse

from hypothesis import given, strategies as st

from calculators.markup import escape, urlencode


@given(st.text(), st.booleans())
def test_escape_is_the_standard_librarys(text, quote):
    assert escape(text, quote) == html.escape(text, quote)


@given(st.dictionaries(st.text(), st.one_of(st.text(), st.integers(), st.floats(allow_nan=False))))
def test_urlencode_is_the_standard_librarys(query):
    assert urlencode(query) == urllib.parse.urlencode(query)


def test_an_address_with_every_kind_of_character():
    query = {"model": "config", "context": "128k", "note": "a b&c=d/é?#%+"}
    assert urlencode(query) == urllib.parse.urlencode(query)
    assert escape("<a href=\"x\">it's</a>") == "&lt;a href=&quot;x&quot;&gt;it&#x27;s&lt;/a&gt;"
