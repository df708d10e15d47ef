"""The title/body analyzer: Whoosh's StemmingAnalyzer | CharsetFilter(accent_map), fused into one loop.

Whoosh runs an analyzer as a chain of generators (tokenizer -> lowercase -> stop words -> stemmer
-> accent folding), each passing one Token object along, and wraps the stemmer in an LFU cache
written in Python. That chain was about a fifth of an ingest worker's time (py-spy on gen10k).
`FusedAnalyzer` keeps the same parts -- so it pickles, compares and reports `has_morph()` like the
chain -- and produces the same tokens (text, position, character offsets, stopped flag, boost) in
one loop with a plain dict in front of the stemmer; tests/test_analysis.py compares the two token
by token. Calls the fused loop does not cover (`no_morph`, `keeporiginal`, `tokenize=False`) go
through the chain as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
    Token,
)
from whoosh.formats import Positions
from whoosh.support.charset import accent_map

_CACHE_LIMIT = 200_000  # distinct words; cleared when full (one ingest worker's vocabulary fits)
_UNSEEN = "".join(["\0", "unseen"])  # a str object of its own, compared by identity


@lru_cache(maxsize=64)
def _prefixes(terms: frozenset[str]) -> frozenset[str]:
    """Every non-empty prefix of the terms: built once per search, not once per snippet."""
    return frozenset(t[:k] for t in terms for k in range(1, len(t) + 1))


class FusedAnalyzer(CompositeAnalyzer):  # type: ignore[misc]
    def __init__(self, *items: Any) -> None:
        super().__init__(*items)
        self._setup()

    def _setup(self) -> None:
        parts = self.items
        shape = [type(p) for p in parts]
        if shape != [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter, CharsetFilter]:
            raise TypeError(
                f"FusedAnalyzer needs the stemming chain with a charset filter: {self!r}"
            )
        tok, _, stop, stem, charset = parts
        if tok.gaps or stem.lang:
            raise TypeError(f"FusedAnalyzer covers neither gaps nor snowball stemmers: {self!r}")
        self._rx = tok.expression
        self._stops = stop.stops
        self._min = stop.min
        self._max = stop.max
        self._renumber = stop.renumber
        self._stemfn = stem.stemfn
        self._ignore = stem.ignore
        self._charmap = charset.charmap
        self._cache: dict[str, str] = {}
        self._terms: dict[str, str | None] = {}  # term_positions: lowercased word -> term
        self._findall = _whole_matches(self._rx)

    # The schema is pickled into the index: keep only the parts, rebuild the rest on load.
    def __getstate__(self) -> dict[str, Any]:
        return {"items": self.items}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.items = state["items"]
        self._setup()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompositeAnalyzer) and self.items == other.items

    __hash__ = None  # type: ignore[assignment]

    def clean(self) -> None:
        super().clean()
        self._cache.clear()
        self._terms.clear()

    def __call__(
        self,
        value: str,
        no_morph: bool = False,
        keeporiginal: bool = False,
        tokenize: bool = True,
        **kwargs: Any,
    ) -> Iterator[Any]:
        if no_morph or keeporiginal or not tokenize:
            return super().__call__(  # type: ignore[no-any-return]
                value, no_morph=no_morph, keeporiginal=keeporiginal, tokenize=tokenize, **kwargs
            )
        return self._tokens(value, **kwargs)

    def marking_words(
        self, value: str, terms: frozenset[str]
    ) -> Iterator[tuple[int, Any, str, bool]]:
        """What Whoosh's highlighter sees of `self(value, positions=True, chars=True,
        removestops=False)`, as (position, match, text, stopped) for each word; a word is
        matched where its text is in `terms`. A word whose folded first letter begins none of
        the terms is not stemmed -- Porter's stemmer keeps a word's first letter (checked over
        ~190k words) -- and its text is "", never a term. Snippets (index._Marker) read these
        directly: through Whoosh's chain of generators they took ~1 ms per hit."""
        return self._words(value, 0, True, _prefixes(terms))

    def _words(
        self, value: str, start_pos: int, stops_too: bool, heads: frozenset[str] | None = None
    ) -> Iterator[tuple[int, Any, str, bool]]:
        """(position, match, term, stopped) for each word, as the chain would see it: positions
        counted from start_pos, kept words renumbered as StopFilter does (0, 1, 2... after the
        first), stop words (only with stops_too) lowercased and folded but neither stemmed nor
        renumbered. The one place that decides what a word becomes, for indexing and queries.
        With `heads` (marking_words), a kept word whose folded first letter is not in it comes
        out as "" unstemmed: it cannot become a term beginning with one of them."""
        cache = self._cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        stems, stemfn, ignore = cache.get, self._stemfn, self._ignore
        stops, least, most, renumber = self._stops, self._min, self._max, self._renumber
        charmap = self._charmap
        pos = -1  # the last kept word's position
        for i, m in enumerate(self._rx.finditer(value), start_pos):
            text = m.group().lower()
            n = len(text)
            if n < least or (most is not None and n > most) or text in stops:
                if stops_too:
                    yield i, m, text.translate(charmap), True
                continue
            if heads is not None and text[:1].translate(charmap) not in heads:
                pos = pos + 1 if renumber and pos >= 0 else i  # cannot become one of the terms
                yield pos, m, "", False
                continue
            if text not in ignore:
                stem = stems(text)
                if stem is None:
                    stem = cache[text] = stemfn(text)
                text = stem
            pos = pos + 1 if renumber and pos >= 0 else i
            yield pos, m, text.translate(charmap), False

    def _tokens(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Any]:
        if not isinstance(value, str):
            raise TypeError(f"{value!r} is not a string")
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, m, text, stopped in self._words(value, start_pos, not removestops):
            t.text = text
            t.stopped = stopped
            if positions:
                t.pos = pos
            t.boost = 1.0
            if chars:
                t.startchar = start_char + m.start()
                t.endchar = start_char + m.end()
            yield t

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """{term: positions} for indexing: what Positions.word_values collects from
        `self(value, positions=True)`, without a Token per word. `_words(value, 0, False)` in
        one loop, with each lowercased word's final term (stemmed and folded, or None when the
        stop filter drops it) cached: 2,000 gen10k files took 0.20-0.22 instead of 0.34-0.36 ms
        each (3 alternating rounds, the same dicts).

        The words come from one `findall` over the lower-cased text when that is the same as
        lower-casing each word (see _same_words_lowered): no match object per word, 112-115
        against 160-176 us per gen10k body (least of 7)."""
        terms = self._terms
        if len(terms) > _CACHE_LIMIT:
            terms.clear()
        get, term_of, renumber = terms.get, self._term, self._renumber
        low = value.lower()
        if _same_words_lowered(value, low) and self._findall is not None:
            words: Any = self._findall(low)
        else:
            words = (m.group().lower() for m in self._rx.finditer(value))
        out: dict[str, list[int]] = {}
        pos = -1  # the last kept word's position
        for i, word in enumerate(words):
            term = get(word, _UNSEEN)
            if term is _UNSEEN:
                term = terms[word] = term_of(word)
            if term is None:
                continue
            pos = pos + 1 if renumber and pos >= 0 else i
            at = out.get(term)
            if at is None:
                out[term] = [pos]
            else:
                at.append(pos)
        return out

    def _term(self, text: str) -> str | None:
        """A lowercased word's indexed term, as `_words` makes it; None for a dropped word."""
        n = len(text)
        if n < self._min or (self._max is not None and n > self._max) or text in self._stops:
            return None
        if text not in self._ignore:
            text = self._stemfn(text)
        return text.translate(self._charmap)


class FusedPositions(Positions):  # type: ignore[misc]
    """Whoosh's Positions format; with a FusedAnalyzer, indexing takes its term_positions()
    instead of a stream of tokens. Same postings: tests/test_analysis.py compares them."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        if (
            not isinstance(analyzer, FusedAnalyzer)
            or not isinstance(value, str)
            or kwargs.keys() - {"mode"}
        ):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        yield from self.postings(value, analyzer, as_bytes=False)

    def postings(self, value: str, analyzer: FusedAnalyzer, *, as_bytes: bool) -> list[Any]:
        """(word, frequency, weight, encoded positions) for each word of `value`, as
        word_values yields them; with `as_bytes`, each word UTF-8 encoded as FieldType.index()
        gives it (newscli's segment writer takes these without the generators in between)."""
        boost = self.field_boost
        single = _SINGLE_POSITION
        encode = self.encode
        out = []
        for word, positions in analyzer.term_positions(value).items():
            key = word.encode("utf-8") if as_bytes else word
            if len(positions) == 1 and positions[0] < _SINGLE_LIMIT:
                at = positions[0]  # most words of an article occur once: their encoding is kept
                encoded = single.get(at)
                if encoded is None:
                    encoded = single[at] = encode(positions)
                out.append((key, 1, boost, encoded))
            else:
                out.append((key, len(positions), len(positions) * boost, encode(positions)))
        return out


# Whoosh's default tokenizer pattern (StemmingAnalyzer's), and the same with its group not
# capturing, so that findall gives whole matches.
_DEFAULT_WORDS = r"\w+(\.?\w+)*"
_DEFAULT_WORDS_PLAIN = r"\w+(?:\.?\w+)*"


def _whole_matches(rx: Any) -> Any:
    """`findall` giving the tokenizer's whole matches, for Whoosh's default pattern; None for
    another pattern (term_positions then takes the matches one by one)."""
    import re

    if rx.pattern != _DEFAULT_WORDS:
        return None
    return re.compile(_DEFAULT_WORDS_PLAIN, rx.flags).findall


def _same_words_lowered(value: str, low: str) -> bool:
    """Tokenizing `low` (value.lower()) gives each word of `value` lower-cased, at the same
    index, when lower() kept the length and there is no capital sigma: lower() maps every
    character to one character but U+0130, never makes a word character of another or the
    reverse (tests check every code point), and depends on no neighbour but for the capital
    sigma (final or not by what follows it)."""
    return len(low) == len(value) and "\u03a3" not in value


# Positions.encode([p]) for positions below _SINGLE_LIMIT (a news article has ~350 words): -9% of
# the time of word_values over 2,000 gen10k bodies (0.421 -> 0.384 ms, best of 5, alternating).
_SINGLE_LIMIT = 4096
_SINGLE_POSITION: dict[int, bytes] = {}


def text_analyzer() -> FusedAnalyzer:
    """Accent-insensitive stemming: "Erdogan" finds "Erdoğan", "Turkiye" finds "Türkiye"."""
    return FusedAnalyzer(StemmingAnalyzer() | CharsetFilter(accent_map))
