"""newscli's segment writer (grouped postings, newscli.segment) writes the files Whoosh's own
SegmentWriter path writes for the same documents, byte for byte."""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import types
from pathlib import Path
from typing import Any

import pytest
from whoosh.writing import PostingPool, SegmentWriter

from newscli.index import INDEX_NAME, _writer_class, make_schema
from newscli.segment import TermPool
from newscli.storage import DurableFileStorage

WORDS = (
    "minister foreign talks Kashmir Pakistan India trade border said ministers Erdoğan Türkiye "
    "visit agreement security council president summit economy the of and"
).split()


def documents(n: int, seed: int = 5) -> list[dict[str, Any]]:
    """Documents for every kind of field: common words (terms with more than one 128-posting
    block), rare ones, repeated words, accents, a body long enough for positions past 4,096,
    empty and missing optional fields, keyword lists and sortable columns."""
    rnd = random.Random(seed)
    docs = []
    for i in range(n):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(0, 60))]
        words += [f"rare{rnd.randint(0, 5 * n)}" for _ in range(rnd.randint(0, 4))]
        if i % 97 == 3:
            words *= 120  # positions past the single-position cache
        doc: dict[str, Any] = {
            "id": f"id{i:05d}",
            "title": " ".join(rnd.sample(WORDS, 4)),
            "body": " ".join(words),
            "sort_asc": f"2024-01-{1 + i % 28:02d}",
            "sort_desc": f"2024-01-{1 + i % 28:02d}",
            "country": ",".join(rnd.sample(["PK", "IN", "AF", "TR", "US"], rnd.randint(0, 3))),
            "official": "Shah Mahmood Qureshi" if i % 3 else "",
            "hash": f"h{i}",
            "record": "{}",
        }
        if i % 4:
            doc["source"] = "Tribune"
            doc["date"] = doc["sort_asc"]
        if i % 5 == 0:
            doc["locator"] = f"path:/x/{i}.txt"
        if i % 11 == 5:  # keyword lists with repeats, blanks and spaces; empty and odd IDs
            doc["country"] = " PK , ,IN,PK,,TR "
            doc["official"] = "Ishaq Dar, Ishaq Dar ,Erdoğan"
            doc["sort_desc"] = ""
            doc["source"] = " Dawn  "
        if i % 13 == 6:
            doc["country"] = ""
            doc["hijri"] = "1446-05-20"
        docs.append(doc)
    return docs


def _storage(folder: Path) -> DurableFileStorage:
    folder.mkdir(parents=True, exist_ok=True)
    return DurableFileStorage(str(folder))


def _whoosh_path(w: Any) -> None:
    """Whoosh's own add_document and pool on this writer: one posting at a time."""
    w.add_document = types.MethodType(SegmentWriter.add_document, w)
    w.pool = PostingPool(w._tempstorage, w.newsegment, limitmb=96)
    w.pool.grouped = lambda: None


def segment_files(
    tmp: Path, docs: list[dict[str, Any]], mode: str, schema: Any = None
) -> dict[str, str]:
    """Write `docs` into a fresh index with one writer and return {file kind: sha256}."""
    folder = tmp / mode
    ix = _storage(folder).create_index(
        schema if schema is not None else make_schema(), indexname=INDEX_NAME
    )
    w = _writer_class()(ix, _lk=False, limitmb=96, compound=False)
    if mode.startswith("whoosh"):
        _whoosh_path(w)
    if mode.endswith("spill"):
        w.pool.limit = 50_000  # several sorted runs on disk
    for d in docs:
        w.add_document(**d)
    if mode == "ours":
        assert w.pool.grouped() is not None  # the grouped path is the one under test
    seg = w._finalize_segment()
    w._tempstorage.destroy()
    out = {}
    for name in os.listdir(folder):
        if seg.segid in name:
            data = (folder / name).read_bytes()
            out[name.replace(seg.segid, "SEG")] = hashlib.sha256(data).hexdigest()
    return out


@pytest.mark.parametrize("n", [1, 40, 700])
def test_grouped_segment_is_byte_identical_to_whoosh(tmp_path: Path, n: int) -> None:
    docs = documents(n)
    expected = segment_files(tmp_path, docs, "whoosh")
    assert {k.rsplit(".", 1)[-1] for k in expected} >= {"pst", "trm", "col", "nsw"}
    assert segment_files(tmp_path, docs, "ours") == expected


def test_spilled_pool_matches_whoosh_spilled_pool(tmp_path: Path) -> None:
    """Past its memory limit the pool writes Whoosh's sorted runs and Whoosh merges them."""
    docs = documents(300)
    assert segment_files(tmp_path, docs, "ours-spill") == segment_files(
        tmp_path, docs, "whoosh-spill"
    )


@pytest.mark.parametrize("late", [2, 5])
def test_pool_takes_whoosh_path_for_postings_out_of_order(tmp_path: Path, late: int) -> None:
    """A term's docnum not above its last one (earlier or the same document) turns the grouped
    path off; Whoosh's sort then orders the postings."""
    pool = TermPool(_storage(tmp_path), None, limitmb=1)
    pool.add(("body", b"b", 5, 1.0, b"x"))
    pool.add(("body", b"a", 1, 1.0, b"y"))
    assert pool.grouped() is not None
    pool.add(("body", b"b", late, 2.0, b"z"))
    assert pool.grouped() is None
    assert list(pool.iter_postings()) == sorted(
        [
            ("body", b"a", 1, 1.0, b"y"),
            ("body", b"b", 5, 1.0, b"x"),
            ("body", b"b", late, 2.0, b"z"),
        ]
    )


def test_merged_segments_are_byte_identical_to_whoosh(tmp_path: Path) -> None:
    """A merge (add_reader: postings of other segments, some documents deleted) through the
    grouped pool writes what Whoosh's pool writes."""
    from whoosh.reading import SegmentReader

    docs = documents(500, seed=9)
    source = _storage(tmp_path / "src").create_index(make_schema(), indexname=INDEX_NAME)
    for part in (docs[:200], docs[200:]):
        w = _writer_class()(source, compound=False)
        for d in part:
            w.add_document(**d)
        w.commit(merge=False)
    w = _writer_class()(source, compound=False)
    for i in range(0, 500, 7):
        w.delete_by_term("id", f"id{i:05d}")
    w.commit(merge=False)
    segments = source._segments()
    assert len(segments) == 2

    def merged(mode: str) -> dict[str, str]:
        folder = tmp_path / mode
        ix = _storage(folder).create_index(make_schema(), indexname=INDEX_NAME)
        w = _writer_class()(ix, _lk=False, compound=False)
        if mode == "whoosh":
            _whoosh_path(w)
        for seg in segments:
            reader = SegmentReader(source.storage, source.schema, seg)
            w.add_reader(reader)
            reader.close()
        seg = w._finalize_segment()
        w._tempstorage.destroy()
        return {
            name.replace(seg.segid, "SEG"): hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for name in os.listdir(folder)
            if seg.segid in name
        }

    assert merged("ours") == merged("whoosh")


def test_boosts_stored_values_and_empty_fields_match_whoosh(tmp_path: Path) -> None:
    """Document and field boosts (a NaN one too), a `_stored_<field>` value for a stored field
    and a sortable column, and fields given only empty values."""
    docs = documents(200, seed=3)
    for i, d in enumerate(docs):
        if i % 3 == 0:
            d["_boost"] = 1.5
        if i % 5 == 1:
            d["_title_boost"] = 3
        if i % 7 == 2:
            d["_body_boost"] = float("nan")
        if i % 4 == 3:
            d["_stored_title"] = "shown instead"
            d["_stored_sort_asc"] = "2025-05-05"
        d["official"] = ""
    assert segment_files(tmp_path, docs, "ours") == segment_files(tmp_path, docs, "whoosh")


def test_term_vectors_of_a_glob_field_take_whoosh_path(tmp_path: Path) -> None:
    """A field with term vectors (here a glob field, not listed by schema.items()) is written by
    Whoosh's add_document: its vectors are kept."""
    from whoosh.fields import TEXT

    schema = make_schema()
    schema.add("*_v", TEXT(vector=True, stored=True), glob=True)
    docs = [dict(d, x_v=d["body"]) for d in documents(30, seed=4)]
    ours = segment_files(tmp_path, docs, "ours-vectors", schema)
    assert any(name.endswith(".vps") for name in ours)
    assert ours == segment_files(tmp_path, docs, "whoosh-vectors", schema)


def _postings(folder: Path) -> dict[tuple[str, bytes], Any]:
    """Every term of the index's one segment as Whoosh's reader decodes it: its term info and
    its postings (document, weight, value)."""
    from whoosh.index import open_dir

    ix = open_dir(str(folder), indexname=INDEX_NAME)
    out: dict[tuple[str, bytes], Any] = {}
    with ix.reader() as r:
        for fieldname, text in r.all_terms():
            ti = r.term_info(fieldname, text)
            m = r.postings(fieldname, text)
            items = []
            while m.is_active():
                items.append((m.id(), m.weight(), m.value()))
                m.next()
            stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length())
            out[fieldname, text] = (stats, ti.max_weight(), ti.min_id(), ti.max_id(), items)
    return out


def test_blocks_read_back_as_whoosh_wrote_them_and_tiny_ones_are_not_compressed(
    tmp_path: Path,
) -> None:
    """Whoosh's own writer (its pool, field writer and postings writer) and newscli's, over the
    same documents: Whoosh's reader decodes the same term infos and postings from both. Only
    newscli's leaves blocks under SMALLEST_COMPRESSED bytes uncompressed, so its postings file
    is smaller."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    from newscli.segment import SMALLEST_COMPRESSED

    docs = documents(700, seed=11)
    sizes = {}
    for mode in ("whoosh", "ours"):
        folder = tmp_path / mode
        ix = _storage(folder).create_index(make_schema(), indexname=INDEX_NAME)
        writer = SegmentWriter if mode == "whoosh" else _writer_class()
        w = writer(ix, compound=False)
        for d in docs:
            w.add_document(**d)
        w.commit(merge=False)
        sizes[mode] = sum(f.stat().st_size for f in folder.glob("*.pst"))
    assert _postings(tmp_path / "ours") == _postings(tmp_path / "whoosh")
    assert sizes["ours"] < sizes["whoosh"]

    levels: dict[str, set[int]] = {"small": set(), "large": set()}
    original = W3LeafMatcher._read_data

    def spy(self: Any) -> None:
        original(self)
        raw = self._data  # (ids, weights, values) as unpickled
        size = len(pickle.dumps(raw, 2))
        levels["large" if size >= SMALLEST_COMPRESSED else "small"].add(self._compression)

    from whoosh.index import open_dir

    ix = open_dir(str(tmp_path / "ours"), indexname=INDEX_NAME)
    W3LeafMatcher._read_data = spy
    try:
        with ix.reader() as r:
            for fieldname, text in r.all_terms():
                m = r.postings(fieldname, text)
                while m.is_active():
                    m.value()
                    m.next()
    finally:
        W3LeafMatcher._read_data = original
    assert levels == {"small": {0}, "large": {3}}


def test_term_vectors_read_back_as_whoosh_wrote_them(tmp_path: Path) -> None:
    """A field with term vectors (none in newscli's schema; a user's glob field may have one):
    its vector blocks, whose ids are terms, read back as plain Whoosh wrote them."""
    from whoosh.fields import TEXT
    from whoosh.index import open_dir

    docs = [dict(d, x_v=d["body"]) for d in documents(60, seed=4)]
    vectors = {}
    for mode in ("whoosh", "ours"):
        schema = make_schema()
        schema.add("*_v", TEXT(vector=True, stored=True), glob=True)
        folder = tmp_path / mode
        ix = _storage(folder).create_index(schema, indexname=INDEX_NAME)
        writer = SegmentWriter if mode == "whoosh" else _writer_class()
        w = writer(ix, compound=False)
        for d in docs:
            w.add_document(**d)
        w.commit(merge=False)
        with open_dir(str(folder), indexname=INDEX_NAME).reader() as r:
            vectors[mode] = [
                list(r.vector_as("weight", n, "x_v")) if r.has_vector(n, "x_v") else None
                for n in range(r.doc_count_all())
            ]
    assert vectors["ours"] == vectors["whoosh"]
    assert sum(1 for v in vectors["ours"] if v) > 40
