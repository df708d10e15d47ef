"""Writing a segment's postings term by term instead of posting by posting.

Whoosh's SegmentWriter puts every posting into a PostingPool as a 5-tuple (field, term, docnum,
weight, value), sorts all of them at the flush and hands them, one call per posting, to the
codec's FieldWriter and PostingsWriter. For a 2,000-article segment that is ~320,000 postings
(~16,000 terms). Written this way, adding 1,000 generated articles and flushing their segment
took 1.13 instead of 1.43 ms per article: the flush 0.52 instead of 0.76 ms, the adding about the
same (0.61 against 0.59 ms; in-process, the least of 8 alternating rounds each). The worker's
peak RSS with 2,000 articles was 66 instead of 96 MB.

`TermPool` groups the postings by field and term as they are added (docnums arrive in increasing
order: documents are numbered as they are added, and a merged reader's postings come in
order); `write_grouped` then writes each term's Whoosh 3 postings blocks, term info and term
index entry, so the files are byte for byte those of Whoosh's path through the same writer
(tests/test_segment.py compares them). Anything else -- a pool that spilled to disk, postings
out of order, another codec -- goes through Whoosh's path.

One difference from Whoosh's own writer, on both paths: blocks under SMALLEST_COMPRESSED bytes
are not compressed (PostingsWriter). Whoosh's reader decodes the same postings either way
(tests/test_segment.py).
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import sub
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3PostingsWriter
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool

# Memory accounting, to spill to Whoosh's sorted runs past the writer's `limitmb` as Whoosh's pool
# does (not at the same point: the estimates differ, and the limit is checked after each field of a
# document rather than after each posting): rough bytes of Python objects per posting (an int, a
# float, three list slots, the value's bytes counted apart, even where they are shared) and per new
# term (the key's bytes object, a tuple of three lists, a dict slot).
_POSTING_BYTES = 100
_TERM_BYTES = 400

Postings = tuple[list[int], list[float], list[bytes]]


class TermPool(PostingPool):  # type: ignore[misc]
    """Whoosh's PostingPool (same interface, same spilling to sorted runs past `limitmb`) that
    keeps the postings grouped: {field: {term bytes: (docnums, weights, values)}}."""

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.fields: dict[str, dict[bytes, Postings]] = {}
        self.in_order = True  # every term's docnums strictly increasing

    def add(self, item: tuple[Any, ...]) -> None:
        """One posting (field, term bytes, docnum, weight, value), as Whoosh's pool takes it
        (merges add a reader's postings this way)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        self.add_items(fieldname, docnum, ((tbytes, 0, weight, vbytes),), None)

    def add_items(
        self, fieldname: str, docnum: int, items: Iterable[tuple[Any, ...]], boost: float | None
    ) -> int:
        """A document's (term bytes, frequency, weight, value) items of one field, as
        SegmentWriter.add_document adds them one `add` at a time, each weight times `boost`
        (None: as given); returns the frequencies' sum."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        get = terms.get
        length = size = 0
        for tbytes, freq, weight, vbytes in items:
            if boost is not None:
                weight *= boost
            length += freq
            p = get(tbytes)
            if p is None:
                terms[tbytes] = ([docnum], [weight], [vbytes])
                size += _TERM_BYTES + len(tbytes)
            else:
                ids = p[0]
                if docnum <= ids[-1]:
                    self.in_order = False
                ids.append(docnum)
                p[1].append(weight)
                p[2].append(vbytes)
            size += _POSTING_BYTES + (len(vbytes) if vbytes else 0)
        if size:
            self.fieldnames.add(fieldname)
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()
        return length

    def _tuples(self) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for fieldname, terms in self.fields.items():
            for tbytes, (ids, weights, values) in terms.items():
                out.extend(
                    zip(
                        [fieldname] * len(ids),
                        [tbytes] * len(ids),
                        ids,
                        weights,
                        values,
                        strict=True,
                    )
                )
        return out

    def save(self) -> None:
        """Spill to a sorted run on disk (Whoosh's run format), as Whoosh's pool does. In order,
        the grouped postings stream out sorted already, without a list of them all beside."""
        if self.in_order:
            if self.fields:
                path, f = self._new_run()
                self._write_run(f, iter_tuples(self.fields))
                self._add_run(path)
        else:
            self.current = self._tuples()
            super().save()
        self.fields = {}
        self.currentsize = 0

    def grouped(self) -> dict[str, dict[bytes, Postings]] | None:
        """The postings by field and term, or None when they must take Whoosh's path."""
        if self.runs or not self.in_order:
            return None
        return self.fields

    def iter_postings(self) -> Any:
        if self.runs:
            self.save()  # the rest becomes a run too; Whoosh merges the runs
            return super().iter_postings()
        self.current = self._tuples()
        self.fields = {}
        return super().iter_postings()  # sorted(self.current): Whoosh's order exactly


# A block whose pickled postings are shorter than this is stored uncompressed. zlib made such
# blocks larger (1.56 times under 20 bytes, 0.96 at 60-79, 0.87 at 80-99, over the blocks of a
# 2,000-article gen10k segment), and 11,529 of its 15,598 blocks are that small. Whoosh 2.7.4
# means to skip tiny blocks (its limit is 20 bytes) but then compresses them anyway. The block's
# info records the level (0 = none), and Whoosh's reader decompresses only what says so.
SMALLEST_COMPRESSED = 80

_pack_int = struct.Struct("!i").pack
_pack_terminfo = struct.Struct("!BfIBBfII").pack  # W3TermInfo without the extent
_pack_extent = struct.Struct("!qi").pack  # offset (pack_long) and length (pack_int)
_pack_ushort = struct.Struct("!H").pack


def deltas(ids: Sequence[int]) -> tuple[int, ...]:
    """A block's document numbers as Whoosh 3 stores them: the first, then the differences."""
    if len(ids) == 1:
        return (ids[0],)
    return (ids[0], *map(sub, ids[1:], ids[:-1]))


def block_bytes(
    ids: tuple[int, ...],  # as stored: deltas() of the document numbers
    last_id: int,
    weights: array[float],  # array("f"): the weights as the block keeps them
    values: list[bytes],  # the non-empty encoded values
    fixedsize: int | None,
    maxweight: float,
    minlength: int | None,
    maxlength: int,
    compression: int,
    last: bool,
) -> bytes:
    """One Whoosh 3 postings block: its length (negative for a term's last block), its info and
    its data -- the pickle of (ids; weights: None when all are 1, one float when all are equal,
    else each; values: each, none for a fixed size of 0, else joined) -- compressed from
    SMALLEST_COMPRESSED bytes on."""
    n = len(ids)
    if weights.count(1.0) == n:
        w: Any = None
    elif weights.count(weights[0]) == n:
        w = weights[0]
    else:
        w = tuple(weights)
    if fixedsize is None or fixedsize < 0:
        v: Any = tuple(values)
    elif fixedsize == 0:
        v = None
    else:
        v = b"".join(values)
    data = dumps((ids, w, v), 2)
    comp = compression if len(data) >= SMALLEST_COMPRESSED else 0
    if comp:
        data = zlib.compress(data, comp)
    info = dumps(
        (n, last_id, maxweight, comp, length_to_byte(minlength), length_to_byte(maxlength)), 2
    )
    size = len(info) + len(data)
    return _pack_int(-size if last else size) + info + data


class PostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """Whoosh 3's postings writer with its blocks made by block_bytes (tiny blocks uncompressed).
    newscli's writers use it for every term, through FieldWriter."""

    def _write_block(self, last: bool = False) -> None:
        if self._byteids:  # a vector's terms as ids: not a field writer's (the document's is)
            super()._write_block(last)
            return
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        self._postfile.write(
            block_bytes(
                deltas(ids),
                ids[-1],
                self._weights,
                self._values,
                self._format.fixed_value_size(),
                self._maxweight,
                self._minlength,
                self._maxlength,
                self._compression,
                last,
            )
        )
        self._blockcount += 1
        self._new_block()


class FieldWriter(W3FieldWriter):  # type: ignore[misc]
    """Whoosh 3's field writer whose postings writer is PostingsWriter. newscli's segment writer
    turns its W3FieldWriter into this one (the class, not the codec, which is pickled into the
    index's TOC and stays Whoosh's own)."""

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self._postwriter.__class__ = PostingsWriter


def write_grouped(
    fieldwriter: Any,
    schema: Any,
    fields: dict[str, dict[bytes, Postings]],
    lengths: Callable[[str], list[int | None] | None],
    on_term: Callable[[str, bytes, list[int], list[float]], None],
) -> None:
    """Write grouped postings with Whoosh 3's field writer (a FieldWriter), as
    `FieldWriter.add_postings` would write the same postings sorted. `lengths(field)`: every
    document's field length as `doc_field_length` gives it (None for a field without lengths).
    `on_term` sees each term's docnums and weights first (the sidecar).

    A term of one block (most terms: 13,721 terms and 15,598 blocks in a 2,000-article segment)
    is encoded here in one go -- block, term info, term index entry -- and the postings of a
    field are written to the file in one piece: with the postings writer's calls per term and
    block, the flush took 0.332 / 0.384 ms per article (least / median of 5, bench_worker.py)
    instead of 0.288 / 0.314 (bench/README.md, "Changes measured")."""
    postfile = fieldwriter._postfile
    tindex = fieldwriter._tindex
    for fieldname in sorted(fields):
        terms = fields[fieldname]
        if not terms:
            continue  # a field given only empty values: Whoosh's path never starts it
        fieldobj = schema[fieldname]
        fieldwriter.start_field(fieldname, fieldobj)
        pw = fieldwriter._postwriter
        limit = pw._blocklimit
        compression = pw._compression
        fixedsize = fieldobj.format.fixed_value_size()
        prefix = _pack_ushort(fieldwriter._fieldid)
        table = lengths(fieldname)
        size = len(table) if table is not None else 0
        out = bytearray()  # postings not yet written; they start at `base` in the file
        base = postfile.tell()
        for tbytes in sorted(terms):
            ids, weights, values = terms[tbytes]
            on_term(fieldname, tbytes, ids, weights)
            n = len(ids)
            if n > limit:  # several blocks: the postings writer's own calls
                if out:
                    postfile.write(out)
                    out = bytearray()
                fieldwriter.start_term(tbytes)
                for lo in range(0, n, limit):
                    if lo:
                        pw._write_block()  # as add_posting does when a full block gets one more
                    _fill(
                        pw,
                        ids[lo : lo + limit],
                        weights[lo : lo + limit],
                        values[lo : lo + limit],
                        table,
                        size,
                    )
                fieldwriter.finish_term()
                base = postfile.tell()
                continue
            w32 = array("f", weights)
            top, minlength, maxlength = _stats(ids, weights, table, size)
            start = base + len(out)
            out += WHOOSH3_HEADER_MAGIC
            out += block_bytes(
                deltas(ids),
                ids[-1],
                w32,
                [v for v in values if v],
                fixedsize,
                top,
                minlength,
                maxlength,
                compression,
                True,
            )
            length = base + len(out) - start
            info = _pack_terminfo(
                0,
                sum(w32),
                n,
                0 if minlength is None else length_to_byte(minlength),
                length_to_byte(maxlength),
                top,
                ids[0],
                ids[-1],
            ) + _pack_extent(start, length)
            tindex.add(prefix + tbytes, info)
        if out:
            postfile.write(out)
        fieldwriter.finish_field()


def _stats(
    ids: list[int], weights: list[float], table: list[int | None] | None, size: int
) -> tuple[float, int | None, int]:
    """A block's largest weight (as add_posting keeps it: the first above 0, never a NaN; else
    0) and its documents' smallest (None when none has one) and largest field lengths."""
    top: float = max(weights)
    if not top > 0:
        top = max((w for w in weights if w > 0), default=0)
    if table is None:
        return top, None, 0
    if ids[-1] < size:
        present = [x for x in map(table.__getitem__, ids) if x]
    else:
        present = [x for d in ids if d < size and (x := table[d])]
    if not present:
        return top, None, 0
    return top, min(present), max(present)


def _fill(
    pw: Any,
    ids: list[int],
    weights: list[float],
    values: list[bytes],
    table: list[int | None] | None,
    size: int,
) -> None:
    """Put one block's postings into the postings writer, as its add_posting calls would."""
    pw._ids = array("I", ids)
    pw._weights = array("f", weights)
    pw._values = [v for v in values if v]
    pw._maxweight, pw._minlength, pw._maxlength = _stats(ids, weights, table, size)


def iter_tuples(fields: dict[str, dict[bytes, Postings]]) -> Iterator[tuple[Any, ...]]:
    """The grouped postings as Whoosh's sorted 5-tuples (for tests)."""
    for fieldname in sorted(fields):
        terms = fields[fieldname]
        for tbytes in sorted(terms):
            ids, weights, values = terms[tbytes]
            for d, w, v in zip(ids, weights, values, strict=True):
                yield fieldname, tbytes, d, w, v
