"""HTML escaping and query strings, as `html.escape` and `urllib.parse.urlencode` make them.

Written out here because importing those two modules costs the browser's worker a noticeable share of its start
(html imports its table of 2,000 entities, urllib.parse imports ipaddress), for two functions of a few lines.
tests/test_markup.py checks both against the standard library's.
"""

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def escape(text: str, quote: bool = True) -> str:
    """`html.escape`: &, < and > always; " and ' too when quote is true."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;").replace("'", "&#x27;")
    return text


def _quote_plus(value) -> str:
    value = str(value)
    if _UNRESERVED.issuperset(value):  # most values (numbers, ids): nothing to encode
        return value
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        out.append(char if char in _UNRESERVED else "+" if char == " " else f"%{byte:02X}")
    return "".join(out)


def urlencode(query: dict) -> str:
    """`urllib.parse.urlencode` of a dict of scalars: key=value pairs joined by &, each percent-encoded (UTF-8,
    a space as +)."""
    return "&".join(f"{_quote_plus(key)}={_quote_plus(value)}" for key, value in query.items())
