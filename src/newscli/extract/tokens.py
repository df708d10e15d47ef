"""Tokenising news text for gazetteer look-ups: words, initialisms ('U.S.') and their spans."""

from __future__ import annotations

import re
from typing import NamedTuple

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")


class Token(NamedTuple):
    text: str  # possessive 's stripped, curly apostrophes straightened
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    append = out.append
    for m in _TOKEN.finditer(text):
        t = m.group(0)
        if "'" in t or "’" in t:
            t = t.replace("’", "'")
            if t.endswith("'s") and len(t) > 3:
                t = t[:-2]
            elif t.endswith("s'") and len(t) > 3:
                t = t[:-1]
        append(Token(t, m.start(), m.end()))
    return out


def key_of(phrase: str) -> tuple[str, ...]:
    """The token tuple a gazetteer phrase is looked up by (same rules as the text)."""
    return tuple(t.text for t in tokenize(phrase))
