"""Compile many literal phrases into one regex shaped like a prefix tree (Python's re does not do this itself)."""

from __future__ import annotations

import re
from typing import Any


def trie_pattern(phrases: list[str], *, space: str = r"[ \u00a0]+") -> str:
    """A regex source matching any of `phrases` (longest first at each branch); spaces match `space`."""
    root: dict[str, Any] = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root, space) or "(?!)"


def _emit(node: dict[str, Any], space: str) -> str:
    ends = "" in node
    branches = []
    for ch in sorted(k for k in node if k):
        atom = space if ch == " " else re.escape(ch)
        branches.append(atom + _emit(node[ch], space))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return "(?:" + body + ")?"
    return body
