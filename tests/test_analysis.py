"""The fused title/body analyzer yields exactly the tokens of the Whoosh chain it replaces."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from whoosh.analysis import CharsetFilter, StandardAnalyzer, StemmingAnalyzer
from whoosh.support.charset import accent_map

from newscli.analysis import FusedAnalyzer, text_analyzer
from newscli.index import Index

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"

TRICKY = [
    "",
    "   ",
    "a I an the of",  # only stop words and one-letter words
    "Erdoğan's Türkiye: U.S.-Taliban talks, 1990s e-mail 3.5% İstanbul straße ﬁne ǅemal",
    "Foreign Minister Shah Mahmood Qureshi met his Russian counterpart Sergey Lavrov.",
    "running runs ran runner RUNNING Running's",
    "x" * 300 + " " + "ab" * 5,
    "Ça va? Ελλάδα Россия 中国 ＡＢＣ",
    "a.b.c a..b _under_score__ 12_34",
    " ".join(f"word{i}" for i in range(5000)),  # single positions past the encoding cache's limit
    "ΟΔΟΣ ΑΣ'Β ΑΣ.Β ΟΔΟΣ. Σ ΣΑ",  # capital sigma: lowered as final or not by what follows
    "İSTANBUL İzmir KİEV",  # U+0130 lowers to two characters
    "“Pakistan’s” — Qureshi’s visit… café ﬁnal",  # non-ASCII the fast path takes
]


def chain():  # the analyzer newscli used before the fused one
    return StemmingAnalyzer() | CharsetFilter(accent_map)


def tokens(analyzer, text, **kwargs):
    return [
        (
            t.text,
            getattr(t, "pos", None),
            getattr(t, "startchar", None),
            getattr(t, "endchar", None),
            t.stopped,
            t.boost,
        )
        for t in analyzer(text, **kwargs)
    ]


CALLS = [
    {},
    {"positions": True},
    {"positions": True, "chars": True, "mode": "index"},
    {"chars": True, "removestops": False},
    {"positions": True, "removestops": False, "start_pos": 7, "start_char": 3, "mode": "query"},
    {"no_morph": True, "positions": True},
    {"keeporiginal": True, "positions": True},
    {"tokenize": False, "positions": True, "chars": True},
]


def texts() -> list[str]:
    files = sorted(SAMPLE.rglob("*.txt"))
    assert len(files) > 50
    return TRICKY + [f.read_text(encoding="utf-8") for f in files]


@pytest.mark.parametrize("kwargs", CALLS, ids=[repr(c) for c in CALLS])
def test_same_tokens_as_the_chain(kwargs) -> None:
    old, new = chain(), text_analyzer()
    checked = 0
    for text in texts():
        expected = tokens(old, text, **kwargs)
        assert tokens(new, text, **kwargs) == expected, text[:80]
        checked += len(expected)
    # the sample articles were really analysed (untokenized: one token per text)
    assert checked > (10_000 if kwargs.get("tokenize", True) else 50)


def test_stop_words_keep_positions_and_kept_words_are_renumbered() -> None:
    text = "the minister of the interior"
    got = tokens(text_analyzer(), text, positions=True, removestops=False)
    assert got == tokens(chain(), text, positions=True, removestops=False)
    assert [(t[0], t[1], t[4]) for t in got] == [
        ("the", 0, True),
        ("minist", 1, False),  # the first kept word keeps its place...
        ("of", 2, True),
        ("the", 3, True),
        ("interior", 2, False),  # ...later ones follow it, skipping the stop words
    ]


def test_pickles_and_compares_like_the_chain() -> None:
    new = text_analyzer()
    back = pickle.loads(pickle.dumps(new))
    assert isinstance(back, FusedAnalyzer)
    assert back == new == chain()
    assert back.has_morph()
    assert tokens(back, TRICKY[3]) == tokens(chain(), TRICKY[3])
    assert len(pickle.dumps(new)) < 2 * len(pickle.dumps(chain()))  # no stem cache in the schema


def test_refuses_a_chain_it_does_not_cover() -> None:
    with pytest.raises(TypeError):
        FusedAnalyzer(*StandardAnalyzer().items)


def test_stem_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import newscli.analysis as analysis

    monkeypatch.setattr(analysis, "_CACHE_LIMIT", 5)
    ana = text_analyzer()
    list(ana(" ".join(f"word{i}s" for i in range(50))))
    assert len(ana._cache) == 50
    assert [t.text for t in ana("ministers")] == ["minist"]
    assert len(ana._cache) == 1  # cleared before the call, then refilled
    ana.term_positions(" ".join(f"word{i}s" for i in range(50)) + " the")
    assert len(ana._terms) == 51
    assert ana.term_positions("the ministers") == {"minist": [1]}
    assert len(ana._terms) == 2


def test_an_index_written_with_the_chain_is_searched_with_the_same_terms(tmp_path: Path) -> None:
    """Indexes made before the fused analyzer store the chain in their schema; opening one uses
    this build's schema, and its terms are the ones the fused analyzer produces."""
    from whoosh.fields import Schema

    import newscli.index as index_mod
    from newscli.pipeline import IngestOptions, ingest
    from newscli.query import SearchRequest

    def old_schema() -> Schema:
        schema = original()
        for name in ("title", "body"):
            schema[name].analyzer = chain()
        return schema

    original = index_mod.make_schema
    path = tmp_path / "old"
    index_mod.make_schema = old_schema  # type: ignore[assignment]
    try:
        ix = Index.open(path, create=True)
        stored = ix.ix.schema["body"].analyzer
        assert type(stored) is not FusedAnalyzer
        summary = ingest(ix, [str(SAMPLE)], IngestOptions(jobs=0), report=lambda p: None)
        assert summary.added > 50
    finally:
        index_mod.make_schema = original  # type: ignore[assignment]
    reopened = Index.open(path)
    assert isinstance(reopened.ix.schema["body"].analyzer, FusedAnalyzer)
    for query in ("ministers", "Erdogan", "Türkiye", '"foreign minister"', "talks AND Kashmir"):
        total, _ = reopened.search(SearchRequest(query=query, limit=5))
        assert total > 0, query


def test_fused_positions_give_whoosh_postings() -> None:
    from whoosh.formats import Positions

    from newscli.analysis import FusedPositions

    for boost in (1.0, 2.0):
        ours, theirs = FusedPositions(field_boost=boost), Positions(field_boost=boost)
        for text in texts():
            expected = list(theirs.word_values(text, chain(), mode="index"))
            assert list(ours.word_values(text, text_analyzer(), mode="index")) == expected
    # anything else goes through Whoosh's own path
    odd = list(FusedPositions().word_values(["a", "b"], text_analyzer(), mode="index"))
    assert odd == list(Positions().word_values(["a", "b"], chain(), mode="index"))


def test_schema_uses_the_fused_parts() -> None:
    from newscli.analysis import FusedPositions
    from newscli.index import make_schema

    schema = make_schema()
    for name in ("title", "body"):
        assert isinstance(schema[name].format, FusedPositions)
        assert isinstance(schema[name].analyzer, FusedAnalyzer)
    assert schema["title"].format.field_boost == 2.0
    assert pickle.loads(pickle.dumps(schema))["body"].format == schema["body"].format


def test_marking_words_are_what_the_highlighter_marks() -> None:
    """marking_words (snippets) against Whoosh's highlighter input: the chain's tokens with
    removestops=False and matched = text in terms. Unmatched words may keep unstemmed text
    (never a term); positions, offsets, stop flags and matches must be the same."""
    from whoosh.highlight import set_matched_filter

    old, new = chain(), text_analyzer()
    marked = 0
    for n, text in enumerate(texts()):
        stems = sorted({t.text for t in old(text)})
        # terms of this text (every 7th, offset by n), one absent term, an accented one, a stop word
        terms = frozenset([*stems[n % 7 :: 7], "zzzabsent", "turkiy", "the", "ça"])
        kwargs = {"positions": True, "chars": True, "mode": "index", "removestops": False}
        expected = [
            (t.pos, t.startchar, t.endchar, t.stopped, t.matched, t.text if t.matched else None)
            for t in set_matched_filter(old(text, **kwargs), terms)
        ]
        got = [
            (pos, m.start(), m.end(), stopped, word in terms, word if word in terms else None)
            for pos, m, word, stopped in new.marking_words(text, terms)
        ]
        assert got == expected, text[:80]
        marked += sum(1 for e in expected if e[4])
    assert marked > 1000


def test_term_positions_over_random_texts_match_the_chain() -> None:
    """Random texts from characters that lower() treats specially (capital sigma, U+0130,
    final sigma's case-ignorable neighbours), punctuation the tokenizer joins on, accents."""
    import random

    from whoosh.formats import Positions

    from newscli.analysis import FusedPositions

    pool = ["Σ", "ΑΣ", "σ", "ς", "İ", "ı", "'", "’", ".", "..", " ", "  ", "\n", "-", "_", "3"]
    pool += ["Minister", "ministers", "TALKS", "Türkiye", "é", "ß", "ǅ", "ﬁ", "the", "a", "U.S."]
    rnd = random.Random(5)
    ours, theirs = FusedPositions(), Positions()
    for _ in range(3000):
        text = "".join(rnd.choices(pool, k=rnd.randint(0, 40)))
        expected = list(theirs.word_values(text, chain(), mode="index"))
        assert list(ours.word_values(text, text_analyzer(), mode="index")) == expected, text


def test_lower_maps_each_character_to_one_of_the_same_kind() -> None:
    """What term_positions' findall over the lower-cased text relies on: every code point
    lowers to one character (but U+0130, to two), a word character to a word character and
    any other to another, and only the capital sigma depends on its neighbours."""
    import random
    import re
    import sys

    word = re.compile(r"\w")
    longer, kind = [], []
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        low = c.lower()
        if len(low) != 1:
            longer.append(cp)
        elif bool(word.match(c)) != bool(word.match(low)):
            kind.append(cp)
    assert longer == [0x130] and kind == []
    rnd = random.Random(1)
    letters = [chr(cp) for cp in range(0x20, 0x3000) if cp != 0x3A3]
    for _ in range(200):
        random_text = "".join(rnd.choices(letters, k=50))
        assert random_text.lower() == "".join(c.lower() for c in random_text)
