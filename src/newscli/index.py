"""Schema, open/create, add/update/delete, search, facets, timeline.

With storage.py, analysis.py, segment.py and topk.py, the only module that imports whoosh."""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from whoosh import highlight
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import Token
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.searching import Results

import newscli
from newscli import topk
from newscli.analysis import FusedAnalyzer, FusedPositions, text_analyzer
from newscli.errors import IndexError_, LockTimeout, QueryError
from newscli.models import Article, Country, HijriDate, Hit, Official, Published, fold
from newscli.paths import INCOMING, INDEX_MARKER, INDEX_SCHEMA_VERSION
from newscli.query import Filters, SearchRequest
from newscli.storage import DurableFileStorage, clean_files, fsync_dir

SCHEMA_VERSION = INDEX_SCHEMA_VERSION
MARKER = INDEX_MARKER
INDEX_NAME = "MAIN"
SNIPPET_CHARS = 220
UNDATED_ASC = "~"  # sorts after every ISO date, so undated articles come last in ascending order


def make_schema() -> Schema:
    ana = text_analyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=ana, field_boost=2.0),
        body=TEXT(stored=True, analyzer=ana),
        source=ID(stored=True),
        date=ID(),
        hijri=ID(),
        sort_asc=ID(sortable=True),
        sort_desc=ID(sortable=True),
        country=KEYWORD(commas=True, scorable=False),
        official=KEYWORD(commas=True, scorable=False),
        path=STORED(),
        url=STORED(),
        locator=ID(stored=True),
        hash=STORED(),
        record=STORED(),
    )
    for name in ("title", "body"):  # same postings as TEXT's own Positions, built faster
        schema[name].format = FusedPositions(field_boost=schema[name].format.field_boost)
    return schema


# ---------------------------------------------------------------------------------------------
# Opening


class Stats(NamedTuple):
    path: str
    articles: int
    size_bytes: int
    segments: int
    first_date: str | None
    last_date: str | None
    undated: int
    countries: list[tuple[str, int]]
    officials: list[tuple[str, int]]
    sources: list[tuple[str, int]]


def _marker(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IndexError_(f"{path}: unreadable index marker {MARKER} ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != "newscli-index":
        raise IndexError_(f"{path}: {MARKER} is not a newscli index marker; refusing to open")
    return data


def _write_marker(path: Path) -> None:
    tmp = path / (MARKER + ".tmp")
    payload = {
        "format": "newscli-index",
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path / MARKER)
    fsync_dir(str(path))


def _create(path: Path, *, fresh: bool) -> Any:
    """Whoosh's empty index in `path`; `fresh`: the folder and the marker first. Killed before
    Whoosh's first TOC, the folder holds only the marker, and the next ingest finishes the
    creation (fresh=False). The other order left Whoosh's files without a marker: a folder
    refused for ever after."""
    try:
        if fresh:
            path.mkdir(parents=True, exist_ok=True)
            _write_marker(path)
        return DurableFileStorage(str(path)).create_index(make_schema(), indexname=INDEX_NAME)
    except OSError as exc:
        raise IndexError_(f"{path}: cannot create index ({exc.strerror or exc})") from exc


class Index:
    """An open newscli index. Reading never blocks; writing takes Whoosh's lock (see writer())."""

    def __init__(self, path: Path, ix: Any, version: int = SCHEMA_VERSION) -> None:
        self.path = path
        self.ix = ix
        self.version = (
            version  # of the schema on disk; differs only for an index opened to rebuild it
        )

    @classmethod
    def open(cls, path: Path, *, create: bool = False, any_version: bool = False) -> Index:
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise IndexError_(f"{path}: exists and is not a folder")
        marker = _marker(path) if path.is_dir() else None
        if marker is None:
            # The marker's temporary file alone: killed while writing the marker, the first thing
            # an index's creation writes (test_crash's earliest kill landed there).
            ours = MARKER + ".tmp"
            if path.is_dir() and any(not n.startswith(".") and n != ours for n in os.listdir(path)):
                raise IndexError_(
                    f"{path}: folder is not empty and is not a newscli index; refusing to open it "
                    "(a Whoosh index stores pickles, so only indexes newscli created are opened)"
                )
            if not create:
                raise IndexError_(f"{path}: no index here yet; run `newscli ingest` first")
            return cls(path, _create(path, fresh=True))
        version = marker.get("schema_version")
        if version != SCHEMA_VERSION and not any_version:
            raise IndexError_(
                f"{path}: index schema version {version}, this newscli writes version {SCHEMA_VERSION}; "
                "run `newscli reindex` to rebuild it"
            )
        try:
            storage = DurableFileStorage(str(path), readonly=False)
            # The marker vouches for the fields: use this build's schema rather than unpickling
            # the stored one at every access (and older indexes get the fused analyzer too).
            current = make_schema() if version == SCHEMA_VERSION else None
            ix = storage.open_index(indexname=INDEX_NAME, schema=current)
        except windex.EmptyIndexError as exc:
            if create and version == SCHEMA_VERSION:  # its creation was interrupted: finish it
                return cls(path, _create(path, fresh=False))
            raise IndexError_(
                f"{path}: no index data yet (its creation was interrupted); "
                "`newscli ingest` creates it"
            ) from exc
        except Exception as exc:
            raise IndexError_(f"{path}: cannot open index ({type(exc).__name__}: {exc})") from exc
        return cls(path, ix, version if isinstance(version, int) else -1)

    def replace_with(self, new: Index) -> Index:
        """Swap a rebuilt index into this one's place. The old folder is kept as `<path>.old-<time>`
        until the new one has been renamed into place, then removed."""
        import shutil

        old = self.path.with_name(f"{self.path.name}.old-{int(time.time())}")
        self.ix.close()
        new.ix.close()
        os.rename(self.path, old)
        os.rename(new.path, self.path)
        fsync_dir(str(self.path.parent))
        shutil.rmtree(old, ignore_errors=True)
        return Index.open(self.path)

    # --- reading -------------------------------------------------------------------------------

    def engine_version(self) -> str:
        import whoosh

        return str(whoosh.versionstring())

    def searcher(self) -> Any:
        return self.ix.searcher(weighting=_weighting())

    def count(self) -> int:
        return int(self.ix.doc_count())

    def get(self, article_id: str) -> Article | None:
        with self.searcher() as s:
            fields = s.document(id=article_id)
            return _to_article(fields) if fields else None

    def get_prefix(self, prefix: str) -> list[Article]:
        with self.searcher() as s:
            out = []
            for docnum in s.docs_for_query(wq.Prefix("id", prefix)):
                out.append(_to_article(s.stored_fields(docnum)))
                if len(out) > 5:
                    break
            return out

    def iter_articles(
        self, request: SearchRequest | None = None, resolver: Resolver | None = None
    ) -> Iterator[Article]:
        with self.searcher() as s:
            if request is None:
                docnums: Iterable[int] = s.reader().all_doc_ids()
            else:
                q, flt = self._build(s, request, resolver)
                docnums = (
                    sorted(set(s.docs_for_query(q)) & _as_docs(s, flt))
                    if flt is not None
                    else sorted(s.docs_for_query(q))
                )
            for docnum in docnums:
                yield _to_article(s.stored_fields(docnum))

    def iter_records(self) -> Iterator[tuple[Article, str | None]]:
        """Every stored article with its locator (for reindex)."""
        with self.searcher() as s:
            for docnum in s.reader().all_doc_ids():
                fields = s.stored_fields(docnum)
                yield _to_article(fields), fields.get("locator") or None

    # --- writing -------------------------------------------------------------------------------

    def writer(
        self, *, wait: float = 30.0, on_wait: Callable[[], None] | None = None
    ) -> IndexWriter:
        return IndexWriter(self, wait=wait, on_wait=on_wait)

    # --- search --------------------------------------------------------------------------------

    def _build(self, s: Any, req: SearchRequest, resolver: Resolver | None) -> tuple[Any, Any]:
        q = self._user_query(req, resolver, s)
        flt = self._filters(s, req.filters, resolver)
        return q, flt

    def _user_query(self, req: SearchRequest, resolver: Resolver | None, s: Any) -> Any:
        text = req.query.strip()
        if not text or text == "*":
            return wq.Every()
        if req.literal:
            ana = self.ix.schema["body"].analyzer
            words = [t.text for t in ana(text)]
            if not words:
                return wq.NullQuery  # only stopwords: like the parsed query, nothing matches
            return wq.And([wq.Or([wq.Term("title", w), wq.Term("body", w)]) for w in words])
        plain = _plain_words(self.ix.schema, text)
        if plain is not None:
            return plain
        from whoosh.qparser import AndGroup, FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser

        parser = MultifieldParser(["title", "body"], self.ix.schema, group=AndGroup)
        parser.add_plugin(FuzzyTermPlugin())
        parser.add_plugin(
            FieldAliasPlugin(
                {
                    "title": ["headline"],
                    "body": ["text", "content"],
                    "source": ["outlet", "publisher"],
                    "country": ["countries"],
                    "official": ["officials"],
                }
            )
        )
        try:
            q = parser.parse(text)
        except Exception as exc:
            raise QueryError(f"cannot parse query {text!r}: {exc}") from exc
        return _rewrite(q, _Rewriter(s.reader(), resolver))

    def _filters(self, s: Any, f: Filters, resolver: Resolver | None) -> Any:
        """The filters as a query, or as a set of document numbers when there is a date range."""
        reader = s.reader()
        parts: list[Any] = []
        dated: set[int] | None = None
        if f.since or f.until:
            dated = _dated_between(
                reader,
                f.since.isoformat() if f.since else "",
                f.until.isoformat() if f.until else None,
            )
        for group in f.countries:
            parts.append(wq.Or([wq.Term("country", c) for c in group]))
        for group in f.officials:
            terms = [t for v in group for t in _match_lexicon(reader, "official", v, surname=True)]
            parts.append(wq.Or([wq.Term("official", t) for t in terms]) if terms else wq.NullQuery)
        for group in f.sources:
            terms = [t for v in group for t in _match_lexicon(reader, "source", v)]
            parts.append(wq.Or([wq.Term("source", t) for t in terms]) if terms else wq.NullQuery)
        if f.hijri:
            parts.append(wq.Prefix("hijri", f.hijri + ("-" if len(f.hijri) <= 7 else "")))
        if not parts:
            return dated
        q = wq.And(parts) if len(parts) > 1 else parts[0]
        return q if dated is None else dated.intersection(s.docs_for_query(q))

    def search(
        self, req: SearchRequest, resolver: Resolver | None = None, *, exact_total: bool = True
    ) -> tuple[int, list[Hit]]:
        """(total hits, the page of hits). Without exact_total, total is only guaranteed to be 0
        exactly when nothing matches: counting every match costs a pass over all of them."""
        with self.searcher() as s:
            q, flt = self._build(s, req, resolver)
            if isinstance(flt, set) and not flt:
                return 0, []  # Whoosh reads an empty filter set as "no filter"
            limit = None if req.limit == 0 else req.offset + req.limit
            kwargs: dict[str, Any] = {"limit": limit, "filter": flt}
            if req.sort == "date":
                kwargs["sortedby"] = "sort_asc"
            elif req.sort == "-date":
                kwargs.update(sortedby="sort_desc", reverse=True)
            ranked = None
            if req.sort == "relevance" and limit is not None and topk.answers(q):
                allow = None if flt is None else set(s._filter_to_comb(flt))
                ranked = topk.rank(s, q, limit, allow, str(self.path), counting=exact_total)
            # No terms=True in Whoosh's search: recording the matched terms of every hit disables
            # its skipping of low-scoring blocks; snippets highlight the query's terms instead.
            results = Results(s, q, ranked[0]) if ranked is not None else s.search(q, **kwargs)

            def count() -> int:
                if ranked is not None:  # without exact_total: none ranked iff nothing matches
                    return ranked[1] if ranked[1] is not None else len(ranked[0])
                # Whoosh 2.7.4's len(results) counts the query's matches, ignoring the filter.
                return len(results) if flt is None else _size(s, self._docset(s, req, resolver))

            hits: list[Hit] = []
            scored = req.sort == "relevance" and not isinstance(q, wq.Every)
            marker = _Marker(s, results) if req.snippet else None
            for hit in results[req.offset :] if limit is None or req.offset < limit else []:
                fields = hit.fields()
                article = _to_article(fields)
                snippet: str | None = None
                spans: tuple[tuple[int, int], ...] = ()
                if marker is not None:
                    snippet, spans = _snippet(hit, fields, marker)
                hits.append(Hit(article, float(hit.score) if scored else None, snippet, spans))
            total = count() if exact_total or not hits else results.scored_length()
            return total, hits

    def count_hits(self, req: SearchRequest, resolver: Resolver | None = None) -> int:
        with self.searcher() as s:
            return _size(s, self._docset(s, req, resolver))

    def _docset(self, s: Any, req: SearchRequest, resolver: Resolver | None) -> set[int] | None:
        """The matching document numbers, or None for "every live document" (the cheap case)."""
        q, flt = self._build(s, req, resolver)
        if isinstance(q, wq.Every) and flt is None:
            return None
        docs = (
            set(s.docs_for_query(q))
            if not isinstance(q, wq.Every)
            else set(s.reader().all_doc_ids())
        )
        if flt is not None:
            docs.intersection_update(_as_docs(s, flt))
        return docs

    def facets(
        self, req: SearchRequest, by: str, resolver: Resolver | None = None
    ) -> tuple[int, list[tuple[str, int]]]:
        """Exact counts of the hit set per value of `by` (multi-valued fields count once per value)."""
        with self.searcher() as s:
            docs = self._docset(s, req, resolver)
            total = _size(s, docs)
            reader = s.reader()
            field = {
                "country": "country",
                "official": "official",
                "source": "source",
                "country-pair": "country",
                "official-pair": "official",
            }.get(by)
            if field is not None and not by.endswith("-pair"):
                counts = _term_counts(reader, field, docs)
            elif field is not None:
                per_doc: dict[int, list[str]] = {}
                for term, ids in _postings(reader, field):
                    for d in ids:
                        if docs is None or d in docs:
                            per_doc.setdefault(d, []).append(term)
                counts = Counter()
                for terms in per_doc.values():
                    terms.sort()
                    for i, a in enumerate(terms):
                        for b in terms[i + 1 :]:
                            counts[f"{a} + {b}"] += 1
            else:
                days = _term_counts(reader, "hijri" if by == "hijri-month" else "date", docs)
                width = {"year": 4, "month": 7, "day": 10, "hijri-month": 7}[by]
                counts = Counter()
                for day, n in days.items():
                    counts[day[:width]] += n
            return total, sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def day_counts(
        self, req: SearchRequest, resolver: Resolver | None = None
    ) -> tuple[int, Counter[str]]:
        with self.searcher() as s:
            docs = self._docset(s, req, resolver)
            return _size(s, docs), _term_counts(s.reader(), "date", docs)

    def similar(self, article_id: str, limit: int) -> list[Hit]:
        with self.searcher() as s:
            docnum = s.document_number(id=article_id)
            if docnum is None:
                return []
            fields = s.stored_fields(docnum)
            keys = [
                w for w, _ in s.key_terms_from_text("body", fields.get("body", ""), numterms=12)
            ]
            keys += [
                w for w, _ in s.key_terms_from_text("title", fields.get("title", ""), numterms=5)
            ]
            if not keys:
                return []
            q = wq.Or([wq.Term("body", k) for k in keys] + [wq.Term("title", k) for k in keys])
            results = s.search(q, limit=limit + 1)
            out = []
            for hit in results:
                if hit["id"] == article_id:
                    continue
                out.append(Hit(_to_article(hit.fields()), float(hit.score), None, ()))
            return out[:limit]

    def stats(self, top: int | None = 10) -> Stats:
        with self.searcher() as s:
            reader = s.reader()
            days = _term_counts(reader, "date", None)
            dated = sum(days.values())
            countries = _term_counts(reader, "country", None).most_common(top)
            officials = _term_counts(reader, "official", None).most_common(top)
            sources = _term_counts(reader, "source", None).most_common(top)
            n = reader.doc_count()
            size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
            return Stats(
                path=str(self.path),
                articles=n,
                size_bytes=size,
                segments=len(self.ix._segments()),
                first_date=min(days) if days else None,
                last_date=max(days) if days else None,
                undated=n - dated,
                countries=countries,
                officials=officials,
                sources=sources,
            )

    def check(self) -> list[str]:
        """Open every segment, read every stored document, compare ids with the id postings and
        every scoring sidecar with its segment's postings."""
        problems: list[str] = []
        with self.searcher() as s:
            reader = s.reader()
            ids: Counter[str] = Counter()
            n = 0
            for docnum in reader.all_doc_ids():
                try:
                    fields = reader.stored_fields(docnum)
                    json.loads(fields.get("record") or "{}")
                except Exception as exc:
                    problems.append(f"document {docnum}: unreadable stored fields ({exc})")
                    continue
                n += 1
                ids[fields.get("id", "")] += 1
            dupes = [i for i, c in ids.items() if c > 1]
            if dupes:
                problems.append(f"{len(dupes)} ids stored more than once (e.g. {dupes[0]})")
            indexed = sum(1 for _ in _postings_ids(reader, "id"))
            if indexed != n:
                problems.append(f"{n} stored documents but {indexed} indexed ids")
            if n != self.ix.doc_count():
                problems.append(f"TOC says {self.ix.doc_count()} documents, {n} readable")
            problems += topk.check(s, str(self.path))
        return problems

    def optimize(self, wait: float = 30.0, on_wait: Callable[[], None] | None = None) -> None:
        w = _acquire(self.ix, wait, on_wait)
        clean_incoming(self.path)
        w.commit(optimize=True)

    def delete(
        self, ids: list[str], wait: float = 30.0, on_wait: Callable[[], None] | None = None
    ) -> int:
        from newscli import ledger

        w = _acquire(self.ix, wait, on_wait)
        n = 0
        try:
            # before the commit: a re-ingest reads the files of deleted articles again
            ledger.forget(self.path, list(ids))
            for i in ids:
                n += w.delete_by_term("id", i)
        except BaseException:
            w.cancel()
            raise
        w.commit()
        return n


Resolver = Callable[[str], str | None]


# Every writer (the parent's and each worker's) writes segments as separate files, not one compound
# file: Whoosh reads a compound file's parts through BytesIO(memoryview), which copies each part
# whole into memory at every open, so a search paid for the size of the index (48 ms of a
# 10k-article search opening one segment).
#
# WRITER_MB is Whoosh's posting buffer before it spills sorted runs to disk: it holds a worker's
# 2,000-article segment without spilling. Its accounting counts the bytes of the postings, not
# Python's objects around them (~3x more): 256 took the parent past 500 MB RSS.
WRITER_MB = 96


# Scoring. Whoosh's BM25F reads each scored document's field length from the segment's column
# file, a seek and a read per document per field: about 40% of `search minister` over 100k
# articles (cProfile). After LENGTHS_AFTER lookups in one segment and field (reading the column of
# a 2,000-document segment took as long as 15 lookups, 47 vs 3.2 us), the whole length
# column (one byte per document) is read at once and lookups become list indexing.
LENGTHS_AFTER = 16


def _fast_lengths(scorer: Any, searcher: Any, fieldname: str) -> None:
    """Replaces BM25FScorer.dfl (field length, or 1 without lengths) with the same values read
    through the whole column once the scorer has asked LENGTHS_AFTER times."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    per_doc = searcher.doc_field_length
    calls = 0

    def counting(docnum: int) -> Any:
        nonlocal calls
        calls += 1
        if calls == LENGTHS_AFTER:
            perdoc = getattr(searcher.reader(), "_perdoc", None)
            if isinstance(perdoc, W3PerDocReader):
                lengths = _field_lengths(perdoc, fieldname)
                if lengths is not None:
                    count = len(lengths)
                    scorer.dfl = lambda d: lengths[d] if d < count else None
        return per_doc(docnum, fieldname, 1)

    scorer.dfl = counting


@cache
def _decoded_lengths() -> list[int | None]:
    """Whoosh's one-byte field lengths, decoded; as W3PerDocReader.doc_field_length, 0 is None."""
    from whoosh.util.numeric import byte_to_length

    return [None] + [byte_to_length(b) for b in range(1, 256)]


def _length_bytes(perdoc: Any, fieldname: str) -> Sequence[int] | None:
    """Every document's length byte in a field of one segment (W3PerDocReader), or None when
    the segment keeps no lengths for the field. The column is one byte per document: one read."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, _lenfield
    from whoosh.columns import FixedBytesColumn, NumericColumn
    from whoosh.filedb.filestore import FileStorage

    if (
        type(perdoc) is W3PerDocReader
        and isinstance(perdoc._storage, FileStorage)
        and type(LENGTHS_COLUMN) is NumericColumn
        and LENGTHS_COLUMN._typecode == "B"  # one byte per document
    ):
        # The column's file is its bytes and nothing else (what the branch below reads whole):
        # one open and read, without Whoosh's two stats and reader objects. A search reads two
        # columns in each segment: ~60 us each this way, ~30 us less.
        name = W3Codec.column_filename(perdoc._segment, _lenfield(fieldname))
        try:
            with open(os.path.join(perdoc._storage.folder, name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    if isinstance(column, FixedBytesColumn.Reader) and column._fixedlen == 1:
        return column._dbfile.get(column._basepos, column._count)  # type: ignore[no-any-return]
    return list(column.load())


def _field_lengths(perdoc: Any, fieldname: str) -> list[int | None] | None:
    """_length_bytes decoded as W3PerDocReader.doc_field_length decodes one (0 is None)."""
    raw = _length_bytes(perdoc, fieldname)
    if raw is None:
        return None
    decoded = _decoded_lengths()
    return [decoded[b] for b in raw]


@cache
def _weighting() -> Any:
    from whoosh.scoring import BM25F, BM25FScorer

    class Weighting(BM25F):  # type: ignore[misc]
        """Whoosh's BM25F, its scorers reading field lengths through _fast_lengths()."""

        def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
            scorer = super().scorer(searcher, fieldname, text, qf=qf)
            if type(scorer) is BM25FScorer and hasattr(scorer, "dfl"):
                _fast_lengths(scorer, searcher, fieldname)
            return scorer

    return Weighting()


class _LengthTable:
    """Field lengths for Whoosh's segment flush, read once per field.

    Writing the postings, Whoosh asks for the document's field length once per posting, and each
    answer is a seek and a read in the segment's column file: 18% of the indexing time of 2,000
    generated articles under cProfile. This answers from a list loaded once, with the same values
    (None for a zero length byte, `default` for a field without lengths)."""

    def __init__(self, pdr: Any) -> None:
        self._pdr = pdr
        self._tables: dict[str, list[int | None] | None] = {}

    def table(self, fieldname: str) -> list[int | None] | None:
        """Every document's length in the field (None: the field keeps no lengths)."""
        try:
            return self._tables[fieldname]
        except KeyError:
            table = self._tables[fieldname] = _field_lengths(self._pdr, fieldname)
            return table

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        table = self.table(fieldname)
        if table is None:
            return default
        return table[docnum] if docnum < len(table) else None


@cache
def _writer_class() -> Any:
    from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PerDocReader
    from whoosh.writing import SegmentWriter

    from newscli.segment import FieldWriter, TermPool, write_grouped

    class Writer(SegmentWriter):  # type: ignore[misc]
        """Whoosh's SegmentWriter with its postings grouped by term as they are added and written
        a block at a time (newscli.segment), the field lengths of a flush read once
        (_LengthTable), and the segment's scoring sidecar (topk.Sidecar) beside its postings."""

        def __init__(self, ix: Any, *args: Any, limitmb: int = 128, **kwargs: Any) -> None:
            super().__init__(ix, *args, limitmb=limitmb, **kwargs)
            self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)
            if type(self.fieldwriter) is W3FieldWriter:  # its files are open: change its class
                self.fieldwriter.__class__ = FieldWriter
            self._fast: dict[str, Any] = {}  # field name -> _fast_items(field)
            self.committed_hook: Callable[[], None] | None = None

        def _commit_toc(self, segments: Any) -> None:
            """Whoosh's commit point (the new TOC), the clean-up of files no longer listed
            (storage.clean_files: dropped segments are kept a while for open readers), then
            the hook, while this writer still holds the lock."""
            from whoosh.index import TOC

            TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
            clean_files(
                self.storage, self.indexname, self.generation, segments, self.newsegment.segid
            )
            if self.committed_hook is not None:
                self.committed_hook()

        def add_document(self, **fields: Any) -> None:
            """SegmentWriter.add_document, with each field's postings added to the pool in one
            call (TermPool.add_items) instead of one call per posting. A document with
            a field that has term vectors or separate spelling words (none in newscli's schema;
            a glob field or one added to the writer may) goes through Whoosh's code."""
            self._check_state()
            schema, pdw, pool, docnum = self.schema, self.perdocwriter, self.pool, self.docnum
            names = sorted(name for name in fields if not name.startswith("_"))
            self._check_fields(schema, names)
            objs = [schema[name] for name in names]
            if any(f.vector or f.separate_spelling() for f in objs):
                super().add_document(**fields)
                return
            docboost = self._doc_boost(fields)
            pdw.start_doc(docnum)
            for name, field in zip(names, objs, strict=True):
                value = fields[name]
                if value is None:
                    continue
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, name, docboost)
                    fast = self._fast.get(name, _UNSET)
                    if fast is _UNSET:
                        fast = self._fast[name] = _fast_items(field)
                    items = fast(value) if fast and isinstance(value, str) else field.index(value)
                    length = pool.add_items(name, docnum, items, boost)
                    if not field.scorable:
                        length = 0
                stored = fields.get("_stored_" + name, value)
                pdw.add_field(name, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    pdw.add_column_value(name, column, field.to_column_value(stored))
            pdw.finish_doc()
            self._added = True
            self.docnum += 1

        def _flush_segment(self) -> None:
            self.perdocwriter.close()
            pdr = self.per_document_reader() if self.codec.length_stats else None
            try:
                lengths = _LengthTable(pdr) if isinstance(pdr, W3PerDocReader) else pdr
                f = self.newsegment.create_file(self.storage, topk.SIDECAR_EXT)
                try:
                    sidecar = topk.Sidecar(f)
                    grouped = self.pool.grouped()
                    fw = self.fieldwriter
                    if (
                        grouped is not None
                        and type(fw) is FieldWriter
                        and type(fw._codec) is W3Codec
                        and (lengths is None or isinstance(lengths, _LengthTable))
                    ):
                        write_grouped(
                            fw,
                            self.schema,
                            grouped,
                            lengths.table if lengths is not None else lambda _f: None,
                            sidecar.add_term,
                        )
                    else:
                        postings = sidecar.tap(self.pool.iter_postings())
                        fw.add_postings(self.schema, lengths, postings)
                    sidecar.finish()
                finally:
                    f.close()
                self.fieldwriter.close()
            finally:
                if pdr:
                    pdr.close()

    return Writer


_UNSET = object()


def _fast_items(field: Any) -> Callable[[str], Any] | None:
    """What `field.index(value)` yields for a string value, built without Whoosh's generators of
    tokens and word values (~2.4 us an ID field, ~6 us a keyword list, ~10% of a body's adding):
    for newscli's text fields (FusedPositions.postings), ID fields (the value, once) and
    comma-separated keywords (each item stripped, with its count). None for any other kind of
    field, which takes field.index(). The segment tests compare the files with Whoosh's path."""
    from whoosh.analysis import CompositeAnalyzer, IDTokenizer, RegexTokenizer, StripFilter
    from whoosh.formats import Existence, Frequency
    from whoosh.system import pack_uint

    fmt, ana = field.format, field.analyzer
    if type(fmt) is FusedPositions and isinstance(ana, FusedAnalyzer):
        return lambda value: fmt.postings(value, ana, as_bytes=True)
    if type(fmt) is Existence and type(ana) is IDTokenizer:
        boost = fmt.field_boost
        return lambda value: ((value.encode("utf-8"), 1, boost, b""),)
    if (
        type(fmt) is Frequency
        and type(ana) is CompositeAnalyzer
        and [type(part) for part in ana.items] == [RegexTokenizer, StripFilter]
        and ana.items[0].expression.pattern == "[^,]+"
        and not ana.items[0].gaps
    ):
        boost = fmt.field_boost

        def keywords(value: str) -> list[tuple[bytes, int, float, bytes]]:
            counts: dict[str, int] = {}
            for piece in value.split(","):  # the tokenizer's [^,]+ runs, then stripped
                if piece:
                    word = piece.strip()
                    counts[word] = counts.get(word, 0) + 1
            return [(w.encode("utf-8"), n, n * boost, pack_uint(n)) for w, n in counts.items()]

        return keywords
    return None


def _acquire(ix: Any, wait: float, on_wait: Callable[[], None] | None) -> Any:
    writer = _writer_class()
    try:
        try:
            return writer(ix, timeout=0.0, limitmb=WRITER_MB, compound=False)
        except LockError:
            if on_wait:
                on_wait()
        try:
            return writer(ix, timeout=wait, delay=0.25, limitmb=WRITER_MB, compound=False)
        except LockError as exc:
            raise LockTimeout(
                f"the index is locked by another newscli process; gave up after {wait:g}s (see --wait)"
            ) from exc
    except OSError as exc:
        folder = getattr(getattr(ix, "storage", None), "folder", "index")
        raise IndexError_(f"{folder}: cannot write to the index ({exc.strerror or exc})") from exc


MERGE_FACTOR = 10  # this many small segments are merged into one at a commit
SMALL_SEGMENT = 200  # live documents; only segments smaller than this are merged during ingest


def _merge_small(writer: Any, segments: list[Any]) -> list[Any]:
    """Merge policy for ingest: once MERGE_FACTOR segments hold fewer than SMALL_SEGMENT live
    documents each (left by many small ingests), they are merged into one; larger segments are
    never rewritten here. Whoosh's merge costs about as much as indexing the documents again
    (~3 ms each), and its default policy rewrote the whole index once it held ~16 equal segments,
    while search time hardly depends on the number of segments (bench/README.md). `newscli
    optimize` merges everything. Segments whose documents are all deleted are dropped."""
    from whoosh.reading import SegmentReader

    live = [s for s in segments if s.doc_count() > 0]
    small = [s for s in live if s.doc_count() < SMALL_SEGMENT]
    if len(small) < MERGE_FACTOR:
        return live
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in live if s.doc_count() >= SMALL_SEGMENT]


def _flock_free(path: Path) -> bool:
    """True when no live process holds the lock file (its owner died or never started)."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def clean_incoming(index_path: Path) -> None:
    """Remove scratch folders that no live worker owns (left by a killed ingest). Call with the
    index's write lock held: their segments were never adopted, so nothing committed is in them."""
    import shutil

    root = index_path / INCOMING
    if not root.is_dir():
        return
    for sub in root.iterdir():
        if sub.is_dir() and _flock_free(sub / "owner.lock"):
            shutil.rmtree(sub, ignore_errors=True)


class _Lookups:
    """Exact-value lookups in ID fields of a searcher, with a prefilter once they are many: each
    lookup asks every segment's term table (dozens of small reads in a 50-segment index: adding
    1,000 articles to 100k took 11 s), while most values looked up are new. After PREFILTER_AFTER
    lookups the field's terms are read once into a sorted array of their hashes; a value whose
    hash is absent cannot be in the index. Values added since are the caller's to remember."""

    PREFILTER_AFTER = 256

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.empty = searcher.doc_count_all() == 0
        self._count = 0
        self._hashes: dict[str, Any] = {}

    def _absent(self, field: str, value: str) -> bool:
        from array import array
        from bisect import bisect_left

        self._count += 1
        if self._count < self.PREFILTER_AFTER:
            return False
        table = self._hashes.get(field)
        if table is None:
            seen: set[int] = set()
            for leaf, _offset in self.searcher.reader().leaf_readers():  # no k-way term merge
                if field in leaf.indexed_field_names():
                    seen.update(hash(t) for t in leaf.lexicon(field))
            table = self._hashes[field] = array("q", sorted(seen))
        h = hash(value.encode("utf-8"))
        i = bisect_left(table, h)
        return i == len(table) or table[i] != h

    def get(self, field: str, value: str) -> tuple[int | None, dict[str, Any] | None]:
        if self.empty or self._absent(field, value):
            return None, None
        docnum = self.searcher.document_number(**{field: value})
        if docnum is None:
            return None, None
        return docnum, self.searcher.stored_fields(docnum)


class SegmentBuilder:
    """Worker side of a parallel ingest: indexes articles into a private segment under
    <index>/incoming/<name>/ that the parent's IndexWriter adopts at its next commit. Whoosh's own
    multi-process writer does the same, but its workers outlive a killed parent; ours are ours."""

    def __init__(self, index_path: Path, name: str) -> None:
        import fcntl

        self.folder = index_path / INCOMING / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.folder / "owner.lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        storage = DurableFileStorage(str(self.folder))
        self._scratch = storage.create_index(make_schema(), indexname=INDEX_NAME)
        main = DurableFileStorage(str(index_path)).open_index(
            indexname=INDEX_NAME, schema=make_schema()
        )
        self._snapshot = main.searcher()  # the index as it was when this worker started
        # Whoosh opens a segment's stored-fields column at its first use, and the parent's
        # commits may merge small segments and delete their files meanwhile (_merge_small): the
        # worker's first look-up in such a segment then failed ("worker process failed:
        # TypeError: 'NoneType' object is not subscriptable"). Opened now, while the files are
        # there, they stay readable after the unlinking.
        for leaf, _offset in self._snapshot.reader().leaf_readers():
            if leaf.doc_count_all():
                leaf.stored_fields(0)
        self._lookups = _Lookups(self._snapshot)
        self._w: Any = None

    def known(self, aid: str, digest: str) -> bool:
        """The index held this exact article (same id, same content and entities) at start."""
        _, fields = self._lookups.get("id", aid)
        return fields is not None and fields.get("hash") == digest

    def add(self, article: Article, digest: str, locator: str | None) -> int:
        """Index the article; returns its document number inside the segment being written."""
        if self._w is None:
            self._w = _writer_class()(self._scratch, _lk=False, limitmb=WRITER_MB, compound=False)
        docnum = int(self._w.docnum)
        self._w.add_document(**_to_fields(article, digest, locator))
        return docnum

    def flush(self) -> tuple[str, Any] | None:
        """Finish the segment: (folder, segment) for IndexWriter.adopt, or None if nothing was added."""
        w, self._w = self._w, None
        if w is None:
            return None
        if not w._added:
            w._close_segment()
            w._tempstorage.destroy()
            return None
        segment = w._finalize_segment()
        w._tempstorage.destroy()
        return str(self.folder), segment

    def close(self) -> None:
        import shutil

        with contextlib.suppress(Exception):
            self._snapshot.close()
        if self._w is not None:
            with contextlib.suppress(Exception):
                self._w._close_segment()
        shutil.rmtree(self.folder, ignore_errors=True)
        os.close(self._lock_fd)


Ref = tuple[int, int]  # (worker, document number) inside a worker's segment not yet adopted


class IndexWriter:
    """Adds articles with de-duplication; commits in batches. Use as a context manager.

    Articles come either through put() (indexed in this process) or, in a parallel ingest, from
    worker segments: the workers index, decide() makes the same in-order decisions from the ids
    they report, and adopt() takes their finished segments into the next commit."""

    def __init__(self, index: Index, *, wait: float, on_wait: Callable[[], None] | None) -> None:
        self.index = index
        self.wait = wait
        self.on_wait = on_wait
        self._w = _acquire(index.ix, wait, on_wait)
        self._pending: dict[str, tuple[str, Ref | None]] = {}  # id -> (hash, where), this batch
        self._run: dict[str, int] = {}  # id -> hash(content hash) of every id decided in this run
        self._run_loc: dict[str, str] = {}  # locator -> id, for everything added in this run
        # Ids and locators met in this run are in _run / _run_loc; the index only needs asking
        # about what it held before, and nothing when it was empty (a first bulk load: the
        # lookups in ever more segments were most of the parent's time).
        self._lookups = _Lookups(index.ix.searcher())  # keeps its prefilter across commits
        self._drops: dict[int, set[int]] = {}  # worker -> documents of its segment not to keep
        self._adopted: list[tuple[str, Any]] = []  # (folder, segment) from workers
        self.pending = 0
        self.last_digest = ""  # the stored hash of the article put() took last
        self._replaced: list[str] = []  # ids deleted because their file now gives another one

    def _lookup(self, field: str, value: str) -> tuple[int | None, dict[str, Any] | None]:
        return self._lookups.get(field, value)

    def _drop(self, ref: Ref) -> None:
        self._drops.setdefault(ref[0], set()).add(ref[1])

    def take_replaced(self) -> list[str]:
        """The ids deleted since the last call because their file (locator) now gives another
        article: other files that gave them must be read again (the ingest ledger)."""
        out, self._replaced = self._replaced, []
        return out

    def _delete_pending(self, aid: str) -> None:
        self._replaced.append(aid)
        _, ref = self._pending.pop(aid)
        self.pending -= 1
        if ref is None:
            self._w.delete_by_term("id", aid)  # reaches committed copies only (Whoosh)
        else:
            self._drop(ref)

    def put(self, article: Article, *, locator: str | None) -> str:
        """'added', 'updated', 'unchanged' or 'duplicate'; indexes the article in this process."""
        digest = self.last_digest = digest_of(article)
        status = self._classify(article.id, digest, locator)
        if status in ("added", "updated"):
            self._w.add_document(**_to_fields(article, digest, locator))
            self._remember(article.id, digest, locator, None)
        return status

    def skip(self, aid: str, digest: str) -> str:
        """put() for an article of a file the ledger vouches for (unchanged since the index took
        it): 'unchanged', or 'duplicate' if an article of this run had its id and other content."""
        status = self._seen_in_run(aid, digest)
        if status is None:
            self._run[aid] = hash(digest)
            return "unchanged"
        return status

    def decide(self, aid: str, digest: str, locator: str | None, ref: Ref | None) -> str:
        """put() for an article a worker has already indexed at `ref`, or (ref None) skipped
        because the index held it unchanged when the worker started."""
        if ref is None:
            status = self._seen_in_run(aid, digest)
            if status is None:
                _, existing = self._lookup("id", aid)
                # changed since the worker's snapshot: only an earlier article of this run does that
                status = "unchanged" if existing and existing.get("hash") == digest else "duplicate"
                self._run[aid] = hash(digest)
            return status
        status = self._classify(aid, digest, locator)
        if status in ("added", "updated"):
            self._remember(aid, digest, locator, ref)
        else:
            self._drop(ref)
        return status

    def _seen_in_run(self, aid: str, digest: str) -> str | None:
        """Every id is decided once per run, whatever the batches: a repeat is unchanged, or a
        duplicate (the first one is kept) when its content differs."""
        seen = self._run.get(aid)
        if seen is None:
            return None
        return "unchanged" if seen == hash(digest) else "duplicate"

    def _classify(self, aid: str, digest: str, locator: str | None) -> str:
        status = self._seen_in_run(aid, digest)
        if status is not None:
            return status
        self._run[aid] = hash(digest)
        _, existing = self._lookup("id", aid)
        if existing is not None:
            if existing.get("hash") == digest:
                return "unchanged"
            self._w.delete_by_term("id", aid)
            return "updated"
        if locator:
            old = self._run_loc.get(locator)  # the same file gave another article in this run
            if old is not None:
                if old in self._pending:
                    self._delete_pending(old)
                else:
                    self._replaced.append(old)
                    self._w.delete_by_term("id", old)  # committed by an earlier batch
                return "updated"
            _, prev = self._lookup("locator", locator)
            if prev is not None:
                self._replaced.append(prev["id"])
                self._w.delete_by_term("id", prev["id"])
                return "updated"
        return "added"

    def _remember(self, aid: str, digest: str, locator: str | None, ref: Ref | None) -> None:
        self._pending[aid] = (digest, ref)
        if locator:
            self._run_loc[locator] = aid
        self.pending += 1

    def adopt(self, worker: int, folder: str, segment: Any) -> None:
        """Take a worker's finished segment into the next commit, minus the documents decide()
        rejected. Call once every decision about that segment's documents has been made."""
        for docnum in self._drops.pop(worker, ()):
            segment.delete_document(docnum)
        self._adopted.append((folder, segment))

    def remove(self, aid: str) -> None:
        self._w.delete_by_term("id", aid)
        self.pending += 1

    def _move_adopted(self) -> list[Any]:
        """Rename adopted segment files into the index folder (same file system: atomic, no copy).
        Until the TOC names them they are leftovers that Whoosh's next commit deletes."""
        from whoosh.filedb.filestore import FileStorage

        segments = []
        for folder, segment in self._adopted:
            files = segment.list_files(FileStorage(folder))
            if segment.doc_count() == 0:
                for name in files:
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(folder, name))
                continue
            for name in files:
                os.rename(os.path.join(folder, name), self.index.path / name)
            segments.append(segment)
        return segments

    def commit(self, *, reopen: bool = True, after: Callable[[], None] | None = None) -> None:
        """`after` runs once the commit point (the TOC) is on disk, before the lock is released."""
        self._lookups.searcher.close()
        try:
            adopted = self._move_adopted()
            self._w.committed_hook = after
            self._w.commit(mergetype=lambda w, segs: _merge_small(w, segs) + adopted)
        except OSError as exc:
            # ENOSPC, EROFS, EIO...: Whoosh wrote no new TOC, so the last commit stays the index.
            with contextlib.suppress(Exception):
                self._w.cancel()
            raise IndexError_(
                f"{self.index.path}: cannot write to the index ({exc.strerror or exc}); "
                "the articles of this batch were not committed"
            ) from exc
        self._pending.clear()
        self._drops.clear()
        self._adopted.clear()
        self.pending = 0
        if reopen:
            self._w = _acquire(self.index.ix, self.wait, self.on_wait)
            self._lookups.searcher = self.index.ix.searcher()

    def cancel(self) -> None:
        """Roll back the batch in progress; safe to call after a failed commit."""
        with contextlib.suppress(Exception):
            self._lookups.searcher.close()
        if not getattr(self._w, "is_closed", False):
            self._w.cancel()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.commit(reopen=False)
        else:
            self.cancel()


def digest_of(article: Article) -> str:
    """The stored hash: content plus extracted entities (re-extraction with new data is a change)."""
    return article.content_hash() + _entities_digest(article)


def _entities_digest(a: Article) -> str:
    """Part of the stored hash, so re-extraction with new data counts as a change."""
    key = (
        ",".join(c.code + str(c.mentions) for c in a.countries)
        + "|"
        + ",".join(f"{o.name}/{o.title}/{o.mentions}" for o in a.officials)
    )
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()[:8]


# ---------------------------------------------------------------------------------------------
# Records <-> fields


def _to_fields(a: Article, digest: str, locator: str | None) -> dict[str, Any]:
    day = a.published.day.isoformat() if a.published else None
    hijri_key = a.hijri.ymd if a.hijri else None
    if hijri_key is None and a.published is not None:
        # imported here, not on the search path: its regexes cost 5 ms
        from newscli.parse.hijri import from_gregorian

        h = from_gregorian(a.published.day)
        hijri_key = f"{h[0]:04d}-{h[1]:02d}-{h[2]:02d}" if h else None
    sort_key = a.published.value.replace(tzinfo=None).isoformat() if a.published else None
    record = {
        "source": a.source,
        "published": a.published.value.isoformat() if a.published else None,
        "has_time": a.published.has_time if a.published else False,
        "date_from": a.published.source if a.published else None,
        "hijri": [
            a.hijri.year,
            a.hijri.month,
            a.hijri.day,
            a.hijri.text,
            a.hijri.gregorian.isoformat() if a.hijri.gregorian else None,
        ]
        if a.hijri
        else None,
        "dateline": a.dateline,
        "author": a.author,
        "countries": [[c.code, c.name, c.mentions] for c in a.countries],
        "main_country": a.main_country,
        "officials": [[o.name, o.title, o.mentions] for o in a.officials],
        "ingested_at": (a.ingested_at or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    fields: dict[str, Any] = {
        "id": a.id,
        "title": a.title,
        "body": a.body,
        "source": a.source or "",
        "sort_asc": sort_key or UNDATED_ASC,
        "sort_desc": sort_key or "",
        "country": ",".join(c.code for c in a.countries),
        "official": ",".join(o.name.replace(",", " ") for o in a.officials),
        "path": a.path or "",
        "url": a.url or "",
        "hash": digest,
        "record": json.dumps(record, ensure_ascii=False),
    }
    if day:
        fields["date"] = day
    if hijri_key:
        fields["hijri"] = hijri_key
    if locator:
        fields["locator"] = locator
    if not fields["source"]:
        del fields["source"]
    return fields


def _to_article(fields: dict[str, Any]) -> Article:
    rec = json.loads(fields.get("record") or "{}")
    published = None
    if rec.get("published"):
        published = Published(
            datetime.fromisoformat(rec["published"]),
            bool(rec.get("has_time")),
            rec.get("date_from") or "gregorian",
        )
    hijri = None
    if rec.get("hijri"):
        y, m, d, text, g = rec["hijri"]
        hijri = HijriDate(y, m, d, text, date.fromisoformat(g) if g else None)
    return Article(
        id=fields.get("id", ""),
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        source=rec.get("source"),
        published=published,
        hijri=hijri,
        dateline=rec.get("dateline"),
        author=rec.get("author"),
        url=fields.get("url") or None,
        path=fields.get("path") or None,
        countries=tuple(Country(c, n, m) for c, n, m in rec.get("countries", [])),
        main_country=rec.get("main_country"),
        officials=tuple(Official(n, t, m) for n, t, m in rec.get("officials", [])),
        ingested_at=datetime.fromisoformat(rec["ingested_at"]) if rec.get("ingested_at") else None,
    )


# ---------------------------------------------------------------------------------------------
# Term statistics


def _postings(reader: Any, field: str) -> Iterator[tuple[str, list[int]]]:
    if field not in reader.indexed_field_names():
        return
    for term in reader.lexicon(field):
        text = _term_text(term)
        yield text, list(reader.postings(field, term).all_ids())


def _postings_ids(reader: Any, field: str) -> Iterator[int]:
    for _term, ids in _postings(reader, field):
        yield from ids


def _dated_between(reader: Any, lo: str, hi: str | None) -> set[int]:
    """Documents published on a day in [lo, hi] (ISO dates; hi None = open-ended), from the
    sortable date column: one sequential read per segment. Whoosh's TermRange unions one matcher
    per day through a heap, document by document, and reading each day's postings instead still
    cost ~60 us per day and segment: over 100k articles in 51 segments a two-year range took
    1.9 s that way and 0.2 s from the column."""
    out: set[int] = set()
    undated, low = UNDATED_ASC.encode(), lo.encode()
    high = None if hi is None else hi.encode()
    for leaf, offset in reader.leaf_readers():
        if not leaf.has_column("sort_asc"):
            continue
        deleted = leaf._perdoc.deleted_docs() if leaf.has_deletions() else ()
        # Sort keys are ASCII (ISO dates and times): comparing their UTF-8 bytes is comparing them.
        for i, value in enumerate(_column_bytes(leaf, "sort_asc")):
            day = value[:10]
            if value != undated and low <= day and (high is None or day <= high):
                out.add(offset + i)
        out.difference_update(offset + d for d in deleted)
    return out


def _column_bytes(leaf: Any, fieldname: str) -> Iterator[bytes]:
    """Every document's raw value in a segment's column. A variable-bytes column (a sortable
    ID's) is read in one piece and sliced; Whoosh reads each value with a seek, a read and a
    decode (~3 us each: 0.3 s for a date filter over 100k articles, most of the search)."""
    from whoosh.columns import VarBytesColumn

    column = leaf.column_reader(fieldname, translate=False)
    if type(column) is not VarBytesColumn.Reader:
        for value in leaf.column_reader(fieldname):
            yield value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return
    lengths = column._lengths
    data = column._dbfile.get(column._basepos, sum(lengths))
    pos = 0
    for n in lengths:
        yield data[pos : pos + n]
        pos += n


def _as_docs(s: Any, flt: Any) -> set[int]:
    return flt if isinstance(flt, set) else set(s.docs_for_query(flt))


def _term_text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _size(s: Any, docs: set[int] | None) -> int:
    return int(s.reader().doc_count()) if docs is None else len(docs)


def _term_counts(reader: Any, field: str, docs: set[int] | None) -> Counter[str]:
    """Documents per term of `field` among `docs` (None = all live documents)."""
    counts: Counter[str] = Counter()
    if field not in reader.indexed_field_names():
        return counts
    if docs is None:
        # Per segment: a segment without deletions has exact document frequencies in its term
        # index (no postings to read); one with deletions is counted from its postings.
        for leaf, _offset in reader.leaf_readers():
            if field not in leaf.indexed_field_names():
                continue
            exact = not leaf.has_deletions()
            for term in leaf.lexicon(field):
                n = (
                    leaf.doc_frequency(field, term)
                    if exact
                    else sum(1 for _ in leaf.postings(field, term).all_ids())  # skips deleted
                )
                if n:
                    counts[_term_text(term)] += n
        return counts
    for term in reader.lexicon(field):
        n = len(docs.intersection(reader.postings(field, term).all_ids()))
        if n:
            counts[_term_text(term)] = n
    return counts


def _match_lexicon(reader: Any, field: str, value: str, *, surname: bool = False) -> list[str]:
    """Indexed values equal to `value` ignoring case and accents (for officials also by surname)."""
    want = fold(value)
    out: list[str] = []
    if field not in reader.indexed_field_names():
        return out
    for term in reader.lexicon(field):
        text = _term_text(term)
        f = fold(text)
        if f == want or (surname and " " not in want and f.rsplit(" ", 1)[-1] == want):
            out.append(text)
    return out


# ---------------------------------------------------------------------------------------------
# Query rewriting: field values as users type them -> indexed terms


class _Rewriter:
    def __init__(self, reader: Any, resolver: Resolver | None) -> None:
        self.reader = reader
        self.resolver = resolver


def _value(q: Any) -> str:
    if isinstance(q, wq.Phrase):
        return " ".join(q.words)
    return str(q.text)


_PLAIN_WORD = re.compile(r"\w+")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def _plain_words(schema: Any, text: str) -> Any:
    """The query Whoosh's parser (as set up in Index._user_query) makes of plain words -- each
    word in title or body, all words required -- or None for anything else (operators, fields,
    quotes, wildcards, a word its analyzer splits). Most searches are plain words; building
    their query directly skips importing and running the parser (~8 ms of a ~200 ms call)."""
    groups = []
    for word in text.split():
        if word in _OPERATORS or not _PLAIN_WORD.fullmatch(word):
            return None
        terms = []
        for name in ("title", "body"):
            texts = list(schema[name].process_text(word, mode="query"))
            if len(texts) > 1:
                return None
            terms += [wq.Term(name, t) for t in texts]
        groups.append(wq.Or(terms) if terms else wq.NullQuery)
    return wq.And(groups).normalize() if groups else None


def _rewrite(q: Any, rw: _Rewriter) -> Any:
    if isinstance(q, wq.compound.CompoundQuery):
        return q.__class__([_rewrite(sub, rw) for sub in q.subqueries], boost=q.boost)
    if isinstance(q, wq.Not):
        return wq.Not(_rewrite(q.query, rw))
    field = getattr(q, "fieldname", None)
    if field == "country" and isinstance(q, wq.Term | wq.Phrase):
        value = _value(q)
        code = rw.resolver(value) if rw.resolver else value.upper()
        if code is None:
            raise QueryError(f"unknown country {value!r} in query")
        return wq.Term("country", code)
    if field in ("official", "source") and isinstance(q, wq.Term | wq.Phrase):
        terms = _match_lexicon(rw.reader, field, _value(q), surname=field == "official")
        return wq.Or([wq.Term(field, t) for t in terms]) if terms else wq.NullQuery
    if field in ("date", "hijri"):
        if isinstance(q, wq.TermRange):
            # [2024 to 2025] includes both years; {2024 to 2025} excludes them (whole periods)
            lo = _expand(q.start, low=not q.startexcl) if q.start else None
            hi = _expand(q.end, low=q.endexcl) if q.end else None
            return wq.TermRange(field, lo, hi, startexcl=q.startexcl, endexcl=q.endexcl)
        if isinstance(q, wq.Term | wq.Phrase):
            v = _value(q)
            if not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", v):
                raise QueryError(f"{field}: expects YYYY, YYYY-MM or YYYY-MM-DD, got {v!r}")
            return wq.Term(field, v) if len(v) == 10 else wq.Prefix(field, v)
    return q


def _expand(v: str, *, low: bool) -> str:
    v = str(v).strip()
    if not re.fullmatch(r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?", v):
        raise QueryError(f"date range bound must be YYYY, YYYY-MM or YYYY-MM-DD, got {v!r}")
    parts = v.split("-")
    parts[1:] = [p.zfill(2) for p in parts[1:]]
    while len(parts) < 3:
        parts.append("00" if low else "99")
    return "-".join(parts)


# ---------------------------------------------------------------------------------------------
# Snippets

_OPEN, _CLOSE = "\ue000", "\ue001"


class _EarlierFirstScorer(highlight.BasicFragmentScorer):  # type: ignore[misc]
    """Whoosh breaks ties between equally scored fragments by id() (memory address), so the chosen
    snippet could change from one run to the next; the earlier fragment now wins a tie."""

    def __call__(self, f: Any) -> float:
        start: int = f.startchar
        return float(super().__call__(f)) + 1e-6 / (2 + start)


class _MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return _OPEN + str(highlight.get_text(text, token, replace)) + _CLOSE

    def format_fragment(self, fragment: Any, replace: bool = False) -> str:
        out = super().format_fragment(fragment, replace)
        return str(out)


class _Marker:
    """The body's best fragments with the query's terms marked: Hit.highlights("body", top=2)
    with the highlighter it sets up on `results`, the same steps as Whoosh's highlight_hit (the
    path that re-tokenizes the text), except that the words come from
    FusedAnalyzer.marking_words and go through the fragmenter's steps in one loop (_fragments).
    tests/test_index.py compares the two."""

    def __init__(self, s: Any, results: Any) -> None:
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        results.formatter = _MarkFormatter()
        results.order = highlight.FIRST  # stable: fragments in text order
        results.scorer = _EarlierFirstScorer()
        field = s.schema["body"]
        self.analyzer = field.analyzer if isinstance(field.analyzer, FusedAnalyzer) else None
        self.hl = results.highlighter
        try:
            self.words = frozenset(
                field.from_bytes(t[1]) for t in results.query_terms(expand=True, fieldname="body")
            )
        except Exception:  # as a highlighting failure: Whoosh's path, inside _snippet's guard
            self.analyzer, self.words = None, frozenset()

    def __call__(self, hit: Any, text: str) -> str:
        if self.analyzer is None:
            return str(hit.highlights("body", text=text, top=2) or "")
        hl = self.hl
        best = highlight.top_fragments(self._fragments(text), 2, hl.scorer, hl.order, minscore=1)
        return str(hl.formatter.format(best))

    def _fragments(self, text: str) -> list[Any]:
        """What the highlighter's ContextFragmenter makes of the text's tokens, matched where
        their text is a query term, in one loop over the analyzer's words: the fragmenter's
        steps, restated here, run on each word's offsets, and only the matched words become
        Token objects (the fragments keep copies of the matched tokens only). Outside a
        fragment, the starts of the words of the last `surround` characters wait; a matched
        word opens a fragment at the earliest of them (or at itself, with twice the context
        after it); each matched word in it restarts a countdown of `surround` characters of
        words, and the fragment ends when the countdown runs out or `maxchars` of words would
        be exceeded. (The highlighter's merging of matched tokens that touch never applies:
        the tokenizer's words never touch.)"""
        fragmenter = self.hl.fragmenter
        maxchars, surround, limit = fragmenter.maxchars, fragmenter.surround, fragmenter.charlimit
        terms = self.words
        assert self.analyzer is not None
        out: list[Any] = []
        waiting: deque[int] = deque()  # starts of the unmatched words just before
        matched: list[Any] = []
        first: int | None = None  # where the open fragment starts
        countdown = -1  # < 0: no fragment open
        length = end = 0
        for pos, m, word, stopped in self.analyzer.marking_words(text, terms):
            start, end = m.span()
            size = end - start
            if limit and end > limit:
                break
            hit = word in terms
            if countdown < 0 and not hit:
                waiting.append(start)
                while waiting and end - waiting[0] > surround:
                    waiting.popleft()
            elif length + size > maxchars:
                countdown = 0
            elif hit:
                countdown = surround
                if first is None:
                    if waiting:
                        first = waiting[0]
                    else:
                        first = start
                        countdown += surround
                matched.append(
                    Token(
                        positions=True,
                        chars=True,
                        removestops=False,
                        mode="index",
                        boost=1.0,
                        text=word,
                        stopped=stopped,
                        pos=pos,
                        startchar=start,
                        endchar=end,
                        matched=True,
                    )
                )
            if countdown >= 0:
                length += size
                countdown -= size
                if countdown <= 0:
                    out.append(highlight.mkfrag(text, matched, startchar=first, endchar=end))
                    matched, waiting, first, length = [], deque(), None, 0
        if matched:
            out.append(highlight.mkfrag(text, matched, startchar=first, endchar=end))
        return out


def _snippet(
    hit: Any, fields: dict[str, Any], marker: _Marker
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Best body fragments around the matched terms, or the lead when only the title matched."""
    try:
        marked = marker(hit, fields.get("body", ""))
    except Exception:  # a highlighting failure must not cost the hit
        marked = ""
    if not marked:
        body = fields.get("body", "")
        lead = body[:SNIPPET_CHARS]
        if len(body) > SNIPPET_CHARS:
            lead = lead.rsplit(" ", 1)[0] + " …"
        return " ".join(lead.split()), ()
    text, spans = [], []
    pos = 0
    start = 0
    for ch in " ".join(marked.split()):
        if ch == _OPEN:
            start = pos
        elif ch == _CLOSE:
            spans.append((start, pos))
        else:
            text.append(ch)
            pos += 1
    return "".join(text), tuple(spans)


newscli.loaded()  # the last large import of a command's work: see newscli/__init__.py
