"""The one-word top-k (newscli.topk) against Whoosh's own search on the same index: same hits,
same scores, same order, same counts, with and without the scoring sidecars, with deletions and
filters."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq

from newscli import topk
from newscli.index import Index
from newscli.pipeline import IngestOptions, ingest
from newscli.query import SearchRequest

WORDS = [f"w{i:02d}" for i in range(40)]  # w00 is in most articles, w39 in few
MONTHS = ["January", "March", "June", "October"]


def _article(rng: random.Random, n: int, edition: int) -> str:
    def words(k: int) -> str:
        # A skewed choice: low-numbered words are common, high-numbered ones rare.
        return " ".join(WORDS[min(int(rng.expovariate(0.12)), 39)] for _ in range(k))

    day = 1 + n % 28
    # "zeta": once in every body, in every fifth title; "eta": in a third of the bodies, in one
    # title in fifty. Short titles score high: the shape of a news word (see the pruning test).
    title = " zeta" * (n % 5 == 0) + " eta" * (n % 50 == 0)
    body = " zeta" + " eta" * (n % 3 == 0)
    return (
        f"title: Headline {n} ed{edition} {words(rng.randint(1, 8))}{title}\n"
        f"source: Outlet {n % 5}\ndate: {day} {MONTHS[n % 4]} 2024\n\n"
        f"{words(rng.randint(5, 260))}{body} closing{edition}.\n"
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """~600 articles in several segments, 80 of them re-ingested changed (deleted documents)."""
    root = tmp_path_factory.mktemp("topk")
    rng = random.Random(7)
    files = root / "files"
    files.mkdir()
    for n in range(600):
        (files / f"a{n:04d}.txt").write_text(_article(rng, n, 1), encoding="utf-8")
    ix = Index.open(root / "ix", create=True)
    ingest(ix, [str(files)], IngestOptions(jobs=0, batch=150), report=lambda p: None)
    for n in range(0, 600, 7)[:80]:
        (files / f"a{n:04d}.txt").write_text(_article(rng, n, 2), encoding="utf-8")
    ingest(Index.open(root / "ix"), [str(files)], IngestOptions(jobs=0), report=lambda p: None)
    return Index.open(root / "ix")


def _queries(ix: Index, s: Any) -> list[Any]:
    out = []
    extra = [
        "zeta",
        "eta",
        "title:w01",
        "body:w02",
        "w03^2",
        "zeta^2",
        "title:zeta^2",
        "zzz",
        "ed2",
    ]
    for text in [*WORDS, *extra, "headline"]:
        q, _ = ix._build(s, SearchRequest(query=text), None)
        out.append(q)
    return out


def _top(
    s: Any, q: Any, limit: int, allow: set[int] | None = None, folder: str | None = None
) -> list[tuple[float, int]] | None:
    ranked = topk.rank(s, q, limit, allow, folder)
    return None if ranked is None else ranked[0]


def _count(s: Any, q: Any, allow: set[int] | None = None, folder: str | None = None) -> int | None:
    ranked = topk.rank(s, q, 1, allow, folder, counting=True)
    return None if ranked is None else ranked[1]


def _whoosh(
    s: Any, q: Any, limit: int, allow: set[int] | None, collector: bool = True
) -> list[tuple[float, int]]:
    """Whoosh's ranking of every match (score, then lower document number), cut at limit.
    Its top-N collector gives the same, except for a boosted OR ("w03^2"): there, replacing the
    union matcher compares the children's unboosted best scores with boosted ones and drops
    matches (Whoosh 2.7.4), e.g. the best document of this corpus."""
    everything = [(h.score, h.docnum) for h in s.search(q, limit=None, filter=allow)]
    if q.boost == 1.0 and collector:
        assert everything[:limit] == [
            (h.score, h.docnum) for h in s.search(q, limit=limit, filter=allow)
        ]
    return everything[:limit]


def test_index_has_sidecars_and_deletions(corpus: Index) -> None:
    with corpus.searcher() as s:
        readers = [r for r, _ in s.reader().leaf_readers()]
        assert len(readers) >= 4
        assert any(r.has_deletions() for r in readers)
        side_terms = 0
        for r in readers:
            path = corpus.path / r.segment().make_filename(topk.SIDECAR_EXT)
            side = topk.SidecarReader(str(path))
            for word in WORDS:
                for field in ("title", "body"):
                    text = word.encode()
                    found = side.postings(field, text)
                    if (field, text) not in r or r.doc_frequency(field, text) < topk.SIDECAR_MIN:
                        assert found is None
                        continue
                    side_terms += 1
                    assert found is not None
                    m = r._terms.matcher(field, text, r.schema[field].format)
                    ids, weights = [], []
                    while m.is_active():
                        ids.append(m.id())
                        weights.append(m.weight())
                        m.next()
                    assert (list(found[0]), list(found[1])) == (ids, weights)
        assert side_terms > 20


@pytest.mark.parametrize("limit", [1, 10, 1000])
def test_top_equals_whoosh(corpus: Index, limit: int) -> None:
    with corpus.searcher() as s:
        compared = 0
        for q in _queries(corpus, s):
            ours = _top(s, q, limit, None, str(corpus.path))
            assert ours is not None, q
            assert ours == _whoosh(s, q, limit, None), q
            compared += len(ours)
        assert compared > (30 if limit == 1 else 300)


def test_top_equals_whoosh_without_sidecars(corpus: Index) -> None:
    with corpus.searcher() as s:
        for q in _queries(corpus, s):
            assert _top(s, q, 10, None, None) == _whoosh(s, q, 10, None), q


def test_top_and_count_with_filter(corpus: Index) -> None:
    rng = random.Random(3)
    with corpus.searcher() as s:
        n = s.doc_count_all()
        allow = {d for d in range(n) if rng.random() < 0.3}
        for q in _queries(corpus, s):
            assert _top(s, q, 10, allow, str(corpus.path)) == _whoosh(s, q, 10, allow), q
            matched = set(s.docs_for_query(q))
            assert _count(s, q, allow, str(corpus.path)) == len(matched & allow)
            assert _count(s, q, None, str(corpus.path)) == len(matched)


def test_other_queries_are_left_to_whoosh(corpus: Index) -> None:
    with corpus.searcher() as s:
        for text in ["w01 w02 w03", '"w01 w02"', "w0*", "w01 OR w02 OR w03", "NOT w01", "w01~"]:
            q, _ = corpus._build(s, SearchRequest(query=text), None)
            assert _top(s, q, 10) is None, text
            assert _count(s, q) is None, text


@pytest.mark.parametrize("offset", [0, 3])
def test_search_uses_it_with_same_hits(
    corpus: Index, monkeypatch: pytest.MonkeyPatch, offset: int
) -> None:
    from newscli.query import Filters

    answered: list[object] = []
    rank = topk.rank

    def spying(*a: Any, **k: Any) -> Any:
        answered.append(rank(*a, **k))
        return answered[-1]

    monkeypatch.setattr(topk, "rank", spying)
    requests = [
        SearchRequest(query="w04", limit=5, offset=offset),
        SearchRequest(
            query="zeta", limit=5, offset=offset, filters=Filters(sources=(("Outlet 2",),))
        ),
    ]
    ours = [corpus.search(req) for req in requests]
    assert len(answered) == 2 and all(a is not None and a[0] for a in answered)
    monkeypatch.setattr(topk, "rank", lambda *a, **k: None)
    assert [corpus.search(req) for req in requests] == ours
    assert all(total > 20 and len(hits) == 5 for total, hits in ours)


def test_sidecar_reader_tolerates_missing_and_foreign_files(tmp_path: Path) -> None:
    assert topk.SidecarReader(str(tmp_path / "none.nsw")).postings("body", b"x") is None
    (tmp_path / "bad.nsw").write_bytes(b"XXXX" + bytes(100))
    assert topk.SidecarReader(str(tmp_path / "bad.nsw")).postings("body", b"x") is None
    (tmp_path / "empty.nsw").write_bytes(b"")
    assert topk.SidecarReader(str(tmp_path / "empty.nsw")).postings("body", b"x") is None


def test_sidecar_with_colliding_hashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries are told apart by their keys when their hashes are equal."""
    monkeypatch.setattr(topk, "_hash", lambda key: 7)
    postings = [
        ("body", f"t{k}".encode(), d, float(1 + (d + k) % 3), b"")
        for k in range(5)
        for d in range(70)
    ]
    with open(tmp_path / "s.nsw", "wb") as f:
        side = topk.Sidecar(f)
        assert list(side.tap(iter(postings))) == postings
        side.finish()
    reader = topk.SidecarReader(str(tmp_path / "s.nsw"))
    for k in range(5):
        found = reader.postings("body", f"t{k}".encode())
        assert found is not None
        assert list(found[0]) == list(range(70))
        assert list(found[1]) == [1 + (d + k) % 3 for d in range(70)]
    assert reader.postings("body", b"t9") is None
    assert reader.postings("title", b"t1") is None


def test_pruning_is_exercised_and_exact(corpus: Index) -> None:
    """Segments skipped on their bound and segments where only the smaller list's documents that
    can reach the top are scored give Whoosh's hits too; this corpus makes both happen."""
    before = dict(topk.SEGMENTS)
    with corpus.searcher() as s:
        for q in _queries(corpus, s):
            for limit in (1, 3):
                assert _top(s, q, limit, None, str(corpus.path)) == _whoosh(s, q, limit, None)
    assert topk.SEGMENTS["skipped"] > before["skipped"]
    assert topk.SEGMENTS["pruned"] > before["pruned"]
    assert topk.SEGMENTS["full"] > before["full"]


def test_damaged_sidecar_is_ignored_by_search_and_reported_by_check(tmp_path: Path) -> None:
    rng = random.Random(11)
    files = tmp_path / "files"
    files.mkdir()
    for n in range(300):  # one segment of 300: document numbers need two bytes (typecode H)
        (files / f"a{n:04d}.txt").write_text(_article(rng, n, 1), encoding="utf-8")
    ix = Index.open(tmp_path / "ix", create=True)
    ingest(ix, [str(files)], IngestOptions(jobs=0), report=lambda p: None)
    ix = Index.open(tmp_path / "ix")
    assert ix.check() == []
    sidecars = sorted((tmp_path / "ix").glob(f"*{topk.SIDECAR_EXT}"))
    assert len(sidecars) == 1
    with ix.searcher() as s:
        q, _ = ix._build(s, SearchRequest(query="zeta"), None)
        expected = _whoosh(s, q, 10, None)
    data = bytearray(sidecars[0].read_bytes())
    first = len(topk._MAGIC)  # the first entry: CRC, header, key, then its arrays
    _count, keylen, *_ = topk._REST.unpack_from(data, first + topk._CRC.size)
    data[first + topk._CRC.size + topk._REST.size + keylen] ^= 0xFF  # its first document number
    sidecars[0].write_bytes(bytes(data))
    ix = Index.open(tmp_path / "ix")
    problems = ix.check()
    assert len(problems) == 1 and "damaged" in problems[0] and sidecars[0].name in problems[0]
    damaged = problems[0].split("(")[1].split(")")[0]  # "entry N (field:text) damaged"
    field, text = damaged.split(":")
    with ix.searcher() as s:
        q = wq.Term(field, text)
        assert _top(s, q, 10, None, str(ix.path)) == _whoosh(s, q, 10, None)
        for text in ["zeta", *WORDS]:
            q, _ = ix._build(s, SearchRequest(query=text), None)
            assert _top(s, q, 10, None, str(ix.path)) == _whoosh(s, q, 10, None)
        q, _ = ix._build(s, SearchRequest(query="zeta"), None)
        assert _top(s, q, 10, None, str(ix.path)) == expected
    ix.optimize()
    assert Index.open(tmp_path / "ix").check() == []


def test_empty_index(tmp_path: Path) -> None:
    ix = Index.open(tmp_path / "ix", create=True)
    assert ix.check() == []
    assert ix.search(SearchRequest(query="zeta")) == (0, [])
    with ix.searcher() as s:
        q, _ = ix._build(s, SearchRequest(query="zeta"), None)
        assert _top(s, q, 10, None, str(ix.path)) == []
        assert _count(s, q, None, str(ix.path)) == 0


@pytest.mark.parametrize("chunk", [5, 16, 64])
def test_large_segments_ranked_in_parts_equal_whoosh(
    corpus: Index, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """A segment larger than CHUNK documents is ranked in parts; with small parts this corpus's
    segments are "large": same hits, scores, order and counts, with and without a filter, and
    parts are skipped and pruned."""
    monkeypatch.setattr(topk, "CHUNK", chunk)
    before = dict(topk.SEGMENTS)
    rng = random.Random(chunk)
    with corpus.searcher() as s:
        allow = {d for d in range(s.doc_count_all()) if rng.random() < 0.5}
        for q in _queries(corpus, s):
            matched = set(s.docs_for_query(q))
            for limit in (1, 3, 10):
                assert _top(s, q, limit, None, str(corpus.path)) == _whoosh(s, q, limit, None), q
            assert _top(s, q, 10, allow, str(corpus.path)) == _whoosh(s, q, 10, allow), q
            assert _count(s, q, None, str(corpus.path)) == len(matched)
            assert _top(s, q, 10, None, None) == _whoosh(s, q, 10, None), q  # no sidecars
    assert topk.SEGMENTS["skipped"] - before["skipped"] > 50
    assert topk.SEGMENTS["pruned"] - before["pruned"] > 50


TWO_WORDS = ["w00 w01", "w01 w02", "zeta eta", "w00 zeta", "w05 w39", "headline w03", "eta zzz"]
TWO_WORDS += ["w02 ed2", "closing1 w04", "title:w01 w02", "w01 body:w03", "w00 w00"]


@pytest.mark.parametrize("limit", [1, 3, 10, 1000])
def test_two_words_equal_whoosh(corpus: Index, limit: int) -> None:
    """Two plain words (And of two Ors, or of a Term and an Or): same hits, scores, order and
    counts as Whoosh's exhaustive ranking, with and without sidecars and a filter."""
    before = dict(topk.SEGMENTS)
    rng = random.Random(limit)
    answered = 0
    with corpus.searcher() as s:
        allow = {d for d in range(s.doc_count_all()) if rng.random() < 0.4}
        for text in TWO_WORDS:
            q, _ = corpus._build(s, SearchRequest(query=text), None)
            if not topk.answers(q):
                continue
            answered += 1
            # Whoosh's own top-N collector can drop matches of an And (see the README):
            # compared with its exhaustive ranking.
            expected = _whoosh(s, q, limit, None, collector=False)
            assert _top(s, q, limit, None, str(corpus.path)) == expected, text
            assert _top(s, q, limit, None, None) == expected, text  # no sidecars
            filtered = _whoosh(s, q, limit, allow, collector=False)
            assert _top(s, q, limit, allow, str(corpus.path)) == filtered, text
            matched = set(s.docs_for_query(q))
            assert _count(s, q, None, str(corpus.path)) == len(matched), text
            assert _count(s, q, allow, str(corpus.path)) == len(matched & allow), text
    assert answered >= 10
    assert topk.SEGMENTS["full"] > before["full"]


def test_two_word_search_uses_it_with_same_hits(
    corpus: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = [SearchRequest(query="w01 w02", limit=5), SearchRequest(query="zeta eta", limit=7)]
    ours = [corpus.search(req) for req in requests]
    monkeypatch.setattr(topk, "rank", lambda *a, **k: None)
    assert [corpus.search(req) for req in requests] == ours
    assert all(total > 5 and hits for total, hits in ours)
