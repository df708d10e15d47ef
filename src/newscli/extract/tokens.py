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


def joined_by_space_or_hyphen(text: str, a: Token, b: Token) -> bool:
    gap = text[a.end : b.start]
    return len(gap) <= 3 and gap.strip(" -–\u00a0\n") == ""


def sentence_start(text: str, tok: Token) -> bool:
    before = text[max(0, tok.start - 3) : tok.start].rstrip(" \"'“‘(\u00a0")
    return not before or before[-1] in ".!?:\n"
