"""Top-k and counts of a one-word query, without Whoosh's matcher objects.

A word typed at `newscli search` becomes Or([Term("title", w), Term("body", w)]). Whoosh scores
it through a union of two posting matchers, several Python method calls per document: over 100k
generated articles, where "minister" is in 97% of the bodies, ~250 ms for one query. Skipping
blocks by their best possible score does not help such a word: nearly every block holds a short
title or body with the word, so every block could hold a top document (measured: 1,088 of 1,098
blocks). So this module reads postings cheaply instead, and skips only what provably cannot reach
the top (see rank()):

- Each segment gets a sidecar file `<segment>.nsw` ("newscli weights"), written while Whoosh
  writes the segment (`Sidecar`), holding for every title/body term in at least SIDECAR_MIN of
  the segment's documents its document numbers and term frequencies as plain arrays: one read,
  no unpickling of positions (Whoosh's posting blocks keep positions beside the frequencies, and
  decoding them cost ~93 us per block of ~90 postings).
- Other terms (rare ones, segments written before sidecars) are read from Whoosh's blocks.
- Scores use the expression of whoosh.scoring.bm25 on the same values (Whoosh's BM25F scorer's
  idf and average length), so they are the same floats, and ties rank the lower document number
  first: the hits and order of Whoosh's exhaustive ranking (tests compare; Whoosh's own top-N
  collector agrees except for a boosted OR, where Whoosh 2.7.4 drops matches).

Queries other than one Term or an Or of two Terms get None, and the caller uses Whoosh.
"""

from __future__ import annotations

import heapq
import mmap
import os
import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from itertools import accumulate, chain, groupby
from operator import itemgetter
from pickle import loads
from typing import Any

Scored = tuple[float, int]  # (score, document number), as in Whoosh's Results.top_n

# How rank() treated the segments it was given, since start-up (for tests and curiosity):
# "skipped" (no document could enter the top), "pruned" (only the smaller list's documents that
# could were scored), "full" (every posting scored).
SEGMENTS: dict[str, int] = {"skipped": 0, "pruned": 0, "full": 0}  # segments or parts, as ranked
# A segment of more documents than this (one left by `newscli optimize`) is ranked in parts of
# CHUNK documents, as if they were segments: the top fills from the first part and the bounds
# skip or prune the others. Ranked whole, the first segment cannot be pruned: "minister" over an
# optimized 100k index scored all ~130k postings (45-57 ms against 30-36 ms over 51 segments).
CHUNK = 2048

SIDECAR_EXT = ".nsw"
# Terms in fewer documents of a segment are read from Whoosh's blocks (at most one block of 128
# postings, cheap); from 64 on, the sidecar pays for its space (~10% of an index).
SIDECAR_MIN = 64
_MAGIC = b"NW4" + sys.byteorder[:1].encode()  # layout 4; arrays in the machine's byte order
# Layout: magic; the entries; padding to 8; the sorted key hashes and the entries' offsets (two
# arrays of n uint64); the tail: offset of those arrays, n, magic. An entry: CRC-32 of all that
# follows it in the entry, then the postings count, key length, id typecode, frequency typecode,
# highest frequency, the key (field NUL text), the ids, the frequencies. An entry failing its CRC
# is ignored: Whoosh's postings answer instead.
_CRC = struct.Struct("<I")
_REST = struct.Struct("<IHccI")
_TAIL = struct.Struct("<QI4s")
_TYPECODES = (b"B", b"H", b"I")


_FIELD_TEXT = itemgetter(0, 1)


def _key(fieldname: str, text: bytes) -> bytes:
    return fieldname.encode() + b"\0" + text


def _hash(key: bytes) -> int:
    # CRC-32 (zlib): quick for short keys; 32 bits suffice, as entries with equal hashes are
    # told apart by their keys.
    return zlib.crc32(key)


def _kept(fieldname: str, count: int) -> bool:
    """A term the sidecar holds: a title/body word in at least SIDECAR_MIN documents."""
    return count >= SIDECAR_MIN and (fieldname == "body" or fieldname == "title")


def _typecode(top: int) -> str:
    return "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"


class Sidecar:
    """Writes a segment's frequent title/body postings to its sidecar file while they stream to
    Whoosh's writer: `tap` the postings, then `finish`. Entries go to the file as they come (only
    a hash and an offset per term stay in memory: a merge of 100k articles has ~20M of these
    postings)."""

    def __init__(self, f: Any) -> None:
        self._f = f
        self._at = len(_MAGIC)
        self._index: list[tuple[int, int]] = []
        f.write(_MAGIC)

    def tap(self, postings: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """Yields Whoosh's (field, text, docnum, weight, value) postings unchanged. Grouped by
        term in C (groupby, list, chain): Python runs once per term, not once per posting."""
        return chain.from_iterable(self._terms(postings))

    def _terms(self, postings: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
        for (fieldname, text), group in groupby(postings, key=_FIELD_TEXT):
            items = list(group)
            if _kept(fieldname, len(items)):
                self._add(_key(fieldname, text), [p[2] for p in items], [p[3] for p in items])
            yield items

    def add_term(self, fieldname: str, text: bytes, ids: list[int], weights: list[Any]) -> None:
        """One term's postings, grouped already (newscli.segment.write_grouped)."""
        if _kept(fieldname, len(ids)):
            self._add(_key(fieldname, text), ids, weights)

    def _add(self, key: bytes, ids: list[int], weights: list[Any]) -> None:
        try:
            tfs = list(map(int, weights))
        except (ValueError, OverflowError):  # a NaN or infinite weight (a boost)
            return
        if tfs != weights or len(key) > 0xFFFF:  # counts only (else Whoosh's blocks answer)
            return
        top = max(tfs)
        idc, tfc = _typecode(ids[-1]), _typecode(top)
        rest = _REST.pack(len(ids), len(key), idc.encode(), tfc.encode(), top) + key
        rest += array(idc, ids).tobytes() + array(tfc, tfs).tobytes()
        self._index.append((_hash(key), self._at))
        self._f.write(_CRC.pack(zlib.crc32(rest)) + rest)
        self._at += _CRC.size + len(rest)

    def finish(self) -> None:
        index = sorted(self._index)
        pad = -self._at % 8
        self._f.write(
            b"\0" * pad
            + array("Q", (h for h, _ in index)).tobytes()
            + array("Q", (at for _, at in index)).tobytes()
            + _TAIL.pack(self._at + pad, len(index), _MAGIC)
        )


class SidecarReader:
    """One segment's sidecar, memory-mapped; `postings` finds a term by binary search."""

    def __init__(self, path: str) -> None:
        self._mm: mmap.mmap | None = None
        self._n = self._end = 0
        try:
            with open(path, "rb") as f:
                if os.fstat(f.fileno()).st_size >= len(_MAGIC) + _TAIL.size:
                    self._mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError:
            return
        mm = self._mm
        if mm is None:
            return
        tail = len(mm) - _TAIL.size
        end, n, magic = _TAIL.unpack_from(mm, tail)
        if mm[: len(_MAGIC)] != _MAGIC or magic != _MAGIC or end % 8 or end + 16 * n != tail:
            self._mm = None
            return
        self._n, self._end = n, end
        view = memoryview(mm)
        self._hashes = view[end : end + 8 * n].cast("Q")
        self._offsets = view[end + 8 * n : tail].cast("Q")

    def postings(self, fieldname: str, text: bytes) -> tuple[array[int], array[int], int] | None:
        """(document numbers, term frequencies, the highest frequency) of the term, None when
        the file lacks it."""
        try:
            return self._postings(fieldname, text)
        except (ValueError, IndexError, struct.error):  # a damaged file: Whoosh's blocks answer
            return None

    def _postings(self, fieldname: str, text: bytes) -> tuple[array[int], array[int], int] | None:
        mm = self._mm
        if mm is None:
            return None
        key = _key(fieldname, text)
        h = _hash(key)
        hashes = self._hashes
        lo = bisect_left(hashes, h)
        while lo < self._n and hashes[lo] == h:
            entry_key, found = self._entry(lo)
            if entry_key == key:
                return found
            lo += 1
        return None

    def _entry(self, i: int) -> tuple[bytes, tuple[array[int], array[int], int] | None]:
        """Entry i's key and (ids, frequencies, highest frequency), None when damaged."""
        mm = self._mm
        assert mm is not None
        at = self._offsets[i]
        if at + _CRC.size + _REST.size > self._end:
            return b"", None
        (crc,) = _CRC.unpack_from(mm, at)
        count, keylen, idc, tfc, top = _REST.unpack_from(mm, at + _CRC.size)
        start = at + _CRC.size + _REST.size
        key = mm[start : start + keylen]
        if idc not in _TYPECODES or tfc not in _TYPECODES:
            return key, None
        ids, tfs = array(idc.decode()), array(tfc.decode())
        start += keylen
        end = start + count * ids.itemsize
        stop = end + count * tfs.itemsize
        if stop > self._end or zlib.crc32(mm[at + _CRC.size : stop]) != crc:
            return key, None
        ids.frombytes(mm[start:end])
        tfs.frombytes(mm[end:stop])
        return key, (ids, tfs, top)

    def problems(self, reader: Any) -> list[str]:
        """What differs from the segment's own postings (for `newscli check`), every entry read."""
        if self._mm is None:
            return ["unreadable"]
        out: list[str] = []
        try:
            for i in range(self._n):
                key, found = self._entry(i)
                fieldname, _, text = key.partition(b"\0")
                name = f"{fieldname.decode(errors='replace')}:{text.decode(errors='replace')}"
                if _hash(key) != self._hashes[i] or found is None:
                    out.append(f"entry {i} ({name}) damaged")
                    continue
                field = fieldname.decode()
                if (field, text) not in reader:
                    out.append(f"{name} is not in the segment")
                    continue
                ids, weights = _read_postings(reader, field, text)
                if list(found[0]) != ids or list(found[1]) != weights or found[2] != max(weights):
                    out.append(f"{name}: postings differ from the segment's")
        except (ValueError, IndexError, struct.error, UnicodeDecodeError) as exc:
            out.append(f"unreadable ({exc})")
        return out[:5] + ([f"... {len(out) - 5} more"] if len(out) > 5 else [])


def _terms(q: Any) -> tuple[list[Any], float] | None:
    """The Term leaves of a query this module answers and the boost of their sum, else None."""
    from whoosh import query as wq

    boost = 1.0
    if type(q) is wq.Term:
        leaves = [q]
    elif type(q) is wq.Or and not q.scale and not q.minmatch:
        leaves = list(q.subqueries)
        if not 1 <= len(leaves) <= 2:
            return None
        if len(leaves) == 2:  # Whoosh applies an Or's boost to the sum, skipped for one leaf
            boost = q.boost
    else:
        return None
    for t in leaves:
        if type(t) is not wq.Term or getattr(t, "minquality", None):
            return None
    return leaves, boost


def _words(q: Any) -> list[list[Any]] | None:
    """The Term leaves of each word of a two-word query -- And of two parts, each one Term or an
    Or of two, nothing boosted: what plain words typed at `newscli search` become -- else None."""
    from whoosh import query as wq

    if type(q) is not wq.And or q.boost != 1.0 or len(q.subqueries) != 2:
        return None
    words = []
    for sub in q.subqueries:
        shape = _terms(sub)
        if shape is None or shape[1] != 1.0 or any(t.boost != 1.0 for t in shape[0]):
            return None
        words.append(shape[0])
    return words


def answers(q: Any) -> bool:
    """True when rank() answers q (else it returns None)."""
    return _terms(q) is not None or _words(q) is not None


class _Term:
    """A query term's values for every segment: its bytes, boost and, when Whoosh would score it
    with BM25F, that scorer's idf and the length part of its denominator per length byte."""

    def __init__(self, searcher: Any, term: Any) -> None:
        from whoosh.scoring import BM25F

        from newscli.index import _decoded_lengths, _weighting

        self.term = term
        self.fieldname = term.fieldname
        self.boost = term.boost
        self.text: bytes | None = None
        self.norms: list[Any] | None = None
        self.tables: dict[Any, list[float]] = {}  # frequency -> score per length byte (_List)
        self.idf = self.k1p1 = 0.0
        schema = searcher.schema
        if term.fieldname not in schema:
            return
        try:
            text = schema[term.fieldname].to_bytes(term.text)
        except ValueError:
            return
        if (term.fieldname, text) not in searcher.reader():
            return
        self.text = text
        w = searcher.weighting
        if type(w) in (BM25F, type(_weighting())) and schema[term.fieldname].scorable:
            # The values BM25FScorer.__init__ takes (idf and average length: of the whole index),
            # without its setup(), which reads the term's info in every segment for a bound of
            # Whoosh's own that is not used here (~100 look-ups in a 51-segment index).
            idf = searcher.get_parent().idf(term.fieldname, text)
            avgfl = searcher.get_parent().avg_field_length(term.fieldname) or 1
            b, k1 = w._field_B.get(term.fieldname, w.B), w.K1
            self.idf, self.k1p1 = idf, k1 + 1
            # The expression of whoosh.scoring.bm25, split where the document's length enters.
            self.norms = [
                None if fl is None else k1 * ((1 - b) + b * fl / avgfl) for fl in _decoded_lengths()
            ]


class _List:
    """A term's live postings in one segment: document numbers (ascending), their scores on
    demand, one score, and a bound no score of the list exceeds."""

    __slots__ = ("_bound", "_raw", "_scores", "_t", "_tfs", "_top", "ids")

    def __init__(
        self,
        ids: Sequence[int],
        tfs: Sequence[Any],
        raw: Any,
        t: _Term | None,
        scores: Any,
        top: Any = None,
    ) -> None:
        self.ids = ids
        self._tfs, self._raw, self._t = tfs, raw, t
        self._scores: list[float] | None = scores
        self._top = top  # the highest frequency, when known
        self._bound: float | None = None

    def scores(self) -> list[float]:
        if self._scores is None:
            t, raw = self._t, self._raw
            assert t is not None and t.norms is not None
            idf, k1p1, norms = t.idf, t.k1p1, t.norms
            scores = [
                (idf * ((tf * k1p1) / (tf + norms[raw[d]])))
                for d, tf in zip(self.ids, self._tfs, strict=True)
            ]
            if t.boost != 1.0:  # Whoosh wraps a boosted term's matcher: score times boost
                boost = t.boost
                scores = [s * boost for s in scores]
            self._scores = scores
        return self._scores

    def at_least(self, need: float) -> tuple[list[int], list[float]]:
        """The document numbers and scores of the postings that score at least `need`. A score
        depends only on the frequency and the length byte, so each frequency gets a table of
        its 256 scores (the expression of _score()) instead of computing every posting's."""
        ids = self.ids
        if self._scores is not None:
            picked = [k for k, s in enumerate(self._scores) if s >= need]
            return [ids[k] for k in picked], [self._scores[k] for k in picked]
        t, raw = self._t, self._raw
        assert t is not None and t.norms is not None
        norms, nan = t.norms, float("nan")  # NaN: a length byte no posting has (no length)
        tables = t.tables  # the same for every segment: the term's idf and lengths are global

        def table(tf: Any) -> list[float]:
            tables[tf] = row = [nan if norms[b] is None else self._score(tf, b) for b in range(256)]
            return row

        got = tables.get
        hits = [
            (d, s)
            for d, tf in zip(ids, self._tfs, strict=True)
            if (s := (got(tf) or table(tf))[raw[d]]) >= need
        ]
        return [d for d, _ in hits], [s for _, s in hits]

    def score(self, k: int) -> float:
        if self._scores is not None:
            return self._scores[k]
        return self._score(self._tfs[k], self._raw[self.ids[k]])

    def _score(self, tf: Any, length_byte: int) -> float:
        """One posting's score: the expression of scores(), for a single value."""
        t = self._t
        assert t is not None and t.norms is not None
        s: float = t.idf * ((tf * t.k1p1) / (tf + t.norms[length_byte]))
        return s * t.boost if t.boost != 1.0 else s

    def part(self, lo: int, hi: int) -> _List:
        """The postings of documents lo <= d < hi, bounded by this list's bound."""
        a, b = bisect_left(self.ids, lo), bisect_left(self.ids, hi)
        out = _List(
            self.ids[a:b],
            self._tfs[a:b] if len(self._tfs) else self._tfs,
            self._raw,
            self._t,
            None if self._scores is None else self._scores[a:b],
            self._top,
        )
        out._bound = self.bound()
        return out

    def bound(self) -> float:
        if self._bound is None:
            self._bound = self._compute_bound()
        return self._bound

    def _compute_bound(self) -> float:
        """The highest frequency at the shortest length bounds every posting: the score falls with
        the length, rounding included (each step is monotonic), and rises with the frequency
        (for the integer frequencies here, by far more than any rounding)."""
        if self._scores is not None:
            return max(self._scores, default=0.0)
        lengths = set(self._raw)
        lengths.discard(0)
        if not self.ids or not lengths:
            return 0.0
        return self._score(self._top if self._top is not None else max(self._tfs), min(lengths))


def _postings(seg: _Segment, t: _Term) -> _List | None:
    """The term's live postings in one segment searcher, None when it has none there."""
    from whoosh.reading import SegmentReader, TermNotFound

    from newscli.index import _length_bytes

    sub = seg.sub
    reader = sub.reader()
    text = t.text
    if text is None:
        return None
    raw = None
    if t.norms is not None and type(reader) is SegmentReader:
        raw = _length_bytes(reader._perdoc, t.fieldname)
    if raw is None:  # another scorer or reader: Whoosh's matcher scores, deletions included
        m = t.term.matcher(sub)
        out_ids: list[int] = []
        out_scores: list[float] = []
        while m.is_active():
            out_ids.append(m.id())
            out_scores.append(m.score())
            m.next()
        return _List(out_ids, (), None, None, out_scores) if out_ids else None

    try:  # one look-up in the segment's term table (each is an MD5 and a few reads)
        df = reader.term_info(t.fieldname, text).doc_frequency()
    except TermNotFound:
        return None
    ids: Sequence[int]
    tfs: Sequence[Any]
    side = seg.sidecar if df >= SIDECAR_MIN else None
    found = side.postings(t.fieldname, text) if side is not None else None
    top = None
    if found is not None and len(found[0]) == df:
        ids, tfs, top = found
    else:
        ids, tfs = _read_postings(reader, t.fieldname, text)
    deleted = seg.deleted
    if deleted:
        kept = [(d, tf) for d, tf in zip(ids, tfs, strict=True) if d not in deleted]
        ids, tfs = [d for d, _ in kept], [tf for _, tf in kept]
    return _List(ids, tfs, raw, t, None, top)


def _read_postings(reader: Any, fieldname: str, text: bytes) -> tuple[list[int], list[Any]]:
    """Every (document number, weight) of a term's posting list in a segment reader, deleted
    documents included (the segment's own postings, as the sidecar holds them)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    m = reader._terms.matcher(fieldname, text, reader.schema[fieldname].format)
    if type(m) is W3LeafMatcher:
        return _read_blocks(m)
    ids: list[int] = []
    weights: list[Any] = []
    while m.is_active():  # postings inlined in the term table
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return ids, weights


def _read_blocks(m: Any) -> tuple[list[int], list[Any]]:
    """Every (document number, weight) of a Whoosh posting list, block by block."""
    ids: list[int] = []
    weights: list[Any] = []
    postfile, byteids = m._postfile, m._byteids
    m.reset()
    while True:
        raw = postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        data = loads(zlib.decompress(raw) if m._compression else raw)
        block = list(data[0]) if byteids else list(accumulate(data[0]))
        w = data[1]
        ids += block
        if w is None or isinstance(w, float):
            weights += [1.0 if w is None else w] * len(block)
        else:
            weights += w
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return ids, weights


def _sidecar_name(reader: Any) -> str | None:
    """The sidecar's file name of a segment reader (None for readers without a segment, such as
    Whoosh's empty reader)."""
    segment = getattr(reader, "segment", None)
    seg = segment() if callable(segment) else None
    return None if seg is None else str(seg.make_filename(SIDECAR_EXT))


class _Segment:
    """One segment searcher and what its terms' postings share, each read once when first
    asked: its scoring sidecar and its set of deleted documents (a segment reader's)."""

    def __init__(self, sub: Any, folder: str | None) -> None:
        self.sub, self.folder = sub, folder

    @cached_property
    def sidecar(self) -> SidecarReader | None:
        name = _sidecar_name(self.sub.reader())
        return SidecarReader(os.path.join(self.folder, name)) if self.folder and name else None

    @cached_property
    def deleted(self) -> frozenset[int]:
        reader = self.sub.reader()
        return frozenset(reader._perdoc.deleted_docs()) if reader.has_deletions() else frozenset()


def _segments(
    searcher: Any, terms: list[_Term], folder: str | None
) -> Iterator[tuple[int, list[_List | None]]]:
    for sub, offset in searcher.leaf_searchers():
        seg = _Segment(sub, folder)
        yield offset, [_postings(seg, t) for t in terms]


def rank(
    searcher: Any,
    q: Any,
    limit: int,
    allow: set[int] | None = None,
    folder: str | None = None,
    *,
    counting: bool = False,
) -> tuple[list[Scored], int | None] | None:
    """The best `limit` (score, document number) pairs for q, best first, as Whoosh's exhaustive
    ranking orders them, and with `counting` how many live documents q matches (else None), from
    the same reads; None when q is not a query this module answers. `allow`: only these
    document numbers (Whoosh's `filter`). `folder`: the index folder, where the sidecars are.

    Segments come in document order, so a document of a later segment that only ties the
    weakest of the top loses (Whoosh ranks the lower number first): once the top is full, a
    segment whose bound is below the weakest score is skipped, and where the larger list's bound
    is below it, only the smaller list's documents that can reach it are scored. A large segment
    is taken in parts of CHUNK documents the same way."""
    if limit < 1 or searcher.weighting.use_final:
        return None
    shape = _terms(q)
    if shape is None:
        words = _words(q)
        return None if words is None else _rank_two(searcher, words, limit, allow, folder, counting)
    leaves, boost = shape
    terms = [_Term(searcher, t) for t in leaves]
    best: list[tuple[float, int]] = []  # (score, -document number): the weakest on top
    total = 0
    for offset, lists in _segments(searcher, terms, folder):
        present = [p for p in lists if p is not None]
        if not present:
            continue
        if counting:
            present.sort(key=lambda p: len(p.ids))
            found = set(present[0].ids).union(*(p.ids for p in present[1:]))
            total += len(found) if allow is None else sum(1 for d in found if offset + d in allow)
        last = max((p.ids[-1] for p in present if len(p.ids)), default=-1)
        if last < CHUNK + CHUNK // 2:
            _take(best, present, offset, limit, allow, boost)
            continue
        for lo in range(0, last + 1, CHUNK):
            parts = [p.part(lo, lo + CHUNK) for p in present]
            _take(best, [p for p in parts if len(p.ids)], offset, limit, allow, boost)
    best.sort(reverse=True)
    return [(s, -nd) for s, nd in best], total if counting else None


def _union(lists: list[_List]) -> dict[int, float]:
    """Each document's score summed over the lists, as Whoosh's union of two matchers adds a
    document's scores where both match (a + b == b + a, so the order of the lists is free)."""
    summed = dict(zip(lists[0].ids, lists[0].scores(), strict=True))
    for other in lists[1:]:
        got = summed.get
        for d, sc in zip(other.ids, other.scores(), strict=True):
            prev = got(d)
            summed[d] = sc if prev is None else prev + sc
    return summed


def _rank_two(
    searcher: Any,
    words: list[list[Any]],
    limit: int,
    allow: set[int] | None,
    folder: str | None,
    counting: bool,
) -> tuple[list[Scored], int | None]:
    """rank() for two words: Whoosh intersects the two words' unions (title or body) and adds
    their scores (a + b at each level, so the order of the sums does not change the floats).
    Every document with both words is scored: the sum of four loose bounds hardly ever falls
    below the top's weakest score, so no segment is skipped. Whoosh's own top-N collector can
    drop matches of such an And (a higher-scoring document missed: 9.48 returned, 10.24
    existed, in tests/test_topk.py's corpus); this gives its exhaustive ranking."""
    terms = [[_Term(searcher, t) for t in leaves] for leaves in words]
    first = len(terms[0])
    best: list[tuple[float, int]] = []
    total = 0
    for offset, lists in _segments(searcher, terms[0] + terms[1], folder):
        present = [
            [p for p in lists[:first] if p is not None],
            [p for p in lists[first:] if p is not None],
        ]
        if not present[0] or not present[1]:
            continue
        SEGMENTS["full"] += 1
        sums = [_union(word) for word in present]
        small, large = sorted(sums, key=len)
        both = sorted(d for d in small if d in large and (allow is None or offset + d in allow))
        total += len(both)
        a, b = sums
        _push(best, both, [a[d] + b[d] for d in both], offset, limit)
    best.sort(reverse=True)
    return [(s, -nd) for s, nd in best], total if counting else None


def _take(
    best: list[tuple[float, int]],
    present: list[_List],
    offset: int,
    limit: int,
    allow: set[int] | None,
    boost: float,
) -> None:
    """Put the documents of `present` (the lists of one segment, or one part of one) that reach
    the top into the heap `best`."""
    if not present:
        return
    present = sorted(present, key=lambda p: len(p.ids))
    weakest = best[0][0] if len(best) == limit and boost == 1.0 else None
    if weakest is not None and sum(p.bound() for p in present) < weakest:
        SEGMENTS["skipped"] += 1
        return
    ids: Sequence[int]
    scores: list[float]
    if len(present) == 1:
        SEGMENTS["full"] += 1
        ids, scores = present[0].ids, present[0].scores()
    elif weakest is not None and present[1].bound() < weakest:
        # No document outside the smaller list can enter, nor one scoring too low in it.
        SEGMENTS["pruned"] += 1
        small, large = present
        reach = large.bound()
        large_ids, n = large.ids, len(large.ids)
        found_ids: list[int] = []
        scores = []
        # A cheap first cut, loose enough for rounding; the exact test follows.
        need = weakest - reach
        need -= abs(need) * 1e-9 + 1e-12
        for d, s in zip(*small.at_least(need), strict=True):
            if s + reach < weakest:
                continue
            j = bisect_left(large_ids, d)
            found_ids.append(d)
            scores.append(s + large.score(j) if j < n and large_ids[j] == d else s)
        ids = found_ids
    else:
        SEGMENTS["full"] += 1
        summed = _union(present)
        ids, scores = list(summed), list(summed.values())
    if boost != 1.0:
        scores = [s * boost for s in scores]
    if allow is not None:
        kept = [k for k, d in enumerate(ids) if offset + d in allow]
        ids, scores = [ids[k] for k in kept], [scores[k] for k in kept]
    _push(best, ids, scores, offset, limit)


def _push(
    best: list[tuple[float, int]],
    ids: Sequence[int],
    scores: list[float],
    offset: int,
    limit: int,
) -> None:
    """Put the (score, document) pairs of one segment that enter the top into the heap."""
    if not scores:
        return
    # The limit-th best score of the segment (or of the top so far) bounds the candidates.
    floor = heapq.nlargest(limit, scores)[-1] if len(scores) > limit else min(scores)
    if len(best) == limit and best[0][0] > floor:
        floor = best[0][0]
    for item in sorted(
        ((s, -offset - d) for d, s in zip(ids, scores, strict=True) if s >= floor),
        reverse=True,
    ):
        if len(best) < limit:
            heapq.heappush(best, item)
        elif item > best[0]:
            heapq.heapreplace(best, item)
        else:
            break


def check(searcher: Any, folder: str) -> list[str]:
    """Problems of the index's scoring sidecars: each one compared with its segment's postings.
    A missing sidecar is no problem (segments written before them; search reads Whoosh's)."""
    out = []
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        name = _sidecar_name(reader)
        path = os.path.join(folder, name) if name else ""
        if name and os.path.exists(path):
            out += [
                f"{name}: {p} (`newscli optimize` rewrites it)"
                for p in SidecarReader(path).problems(reader)
            ]
    return out
