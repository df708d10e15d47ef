"""Ingest orchestration: sources -> parse -> extract (in worker processes) -> index, with batched commits."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscli.errors import InputError
from newscli.extract import Extractor
from newscli.ledger import Articles, Ledger, file_stat, fingerprint
from newscli.models import Article
from newscli.parse.layouts import NotAnArticle, parse_text
from newscli.parse.records import MAX_DEPTH, depth, parse_record
from newscli.parse.text import decode
from newscli.paths import INDEX_SCHEMA_VERSION, INGEST_BATCH
from newscli.sources import STDIN, Format, Problem, Task, expand, shown, tasks_for


@dataclass(frozen=True)
class Parsed:
    article: Article
    origin: str
    line: int | None
    locator: str | None


Result = Parsed | Problem  # a Problem with a "warning: " message does not reject anything


@dataclass(frozen=True)
class Skipped:
    """A file the ledger vouches for: unchanged since it was ingested, not read again."""

    origin: str
    articles: Articles


def _warning(origin: str, line: int | None, msg: str) -> Problem:
    return Problem(origin, "warning: " + msg, line)


def is_warning(p: Problem) -> bool:
    return p.message.startswith("warning: ")


# --- worker side -------------------------------------------------------------------------------


def run_task(task: Task, extractor: Extractor, dayfirst: bool) -> list[Result]:
    """Parse and extract one task. Never raises for bad input: problems come back as results."""
    out: list[Result] = []
    origin = task.origin
    path = None if origin == "<stdin>" else origin
    try:
        text, note = decode(task.data)
    except InputError as exc:
        return [Problem(origin, str(exc))]
    if note:
        out.append(_warning(origin, None, note))
    if task.fmt == "text":
        try:
            parsed = parse_text(text, path=path, dayfirst=dayfirst)
        except NotAnArticle as exc:
            return [*out, Problem(origin, str(exc))]
        out.extend(_warning(origin, None, w) for w in parsed.warnings)
        out.append(_finish(parsed.article, extractor, origin, None, path if task.single else None))
        return out
    if task.fmt == "json":
        try:
            doc = json.loads(text)
        except RecursionError:
            return [*out, Problem(origin, "JSON nested too deeply")]
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            return [*out, Problem(origin, f"invalid JSON ({getattr(exc, 'msg', exc)})", line)]
        items = doc
        if isinstance(doc, dict):
            for key in ("articles", "items", "data", "results", "records"):
                if isinstance(doc.get(key), list):
                    items = doc[key]
                    break
            else:
                items = [doc]
        if not isinstance(items, list):
            return [
                *out,
                Problem(origin, f"expected a JSON object or array, got {type(items).__name__}"),
            ]
        for n, obj in enumerate(items, 1):
            out.extend(
                _record(
                    obj,
                    extractor,
                    origin,
                    n,
                    path,
                    dayfirst,
                    single=len(items) == 1 and task.single,
                )
            )
        return out
    for offset, raw in enumerate(text.split("\n")):
        lineno = task.first_line + offset
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except RecursionError:
            out.append(Problem(origin, "JSON nested too deeply", lineno))
            continue
        except ValueError as exc:
            out.append(Problem(origin, f"invalid JSON ({getattr(exc, 'msg', exc)})", lineno))
            continue
        out.extend(_record(obj, extractor, origin, lineno, path, dayfirst, single=False))
    return out


def _record(
    obj: object,
    extractor: Extractor,
    origin: str,
    line: int,
    path: str | None,
    dayfirst: bool,
    *,
    single: bool,
) -> list[Result]:
    if depth(obj) > MAX_DEPTH:
        return [Problem(origin, f"record nested deeper than {MAX_DEPTH} levels", line)]
    try:
        parsed = parse_record(obj, path=path, dayfirst=dayfirst)
    except NotAnArticle as exc:
        return [Problem(origin, str(exc), line)]
    res: list[Result] = [_warning(origin, line, w) for w in parsed.warnings]
    locator = None
    if single and path:
        locator = "path:" + os.path.abspath(path)
    res.append(_finish(parsed.article, extractor, origin, line, locator))
    return res


def _finish(
    article: Article, extractor: Extractor, origin: str, line: int | None, locator: str | None
) -> Parsed:
    if locator and not locator.startswith("path:"):
        locator = "path:" + os.path.abspath(locator)
    article = extractor.extract(article).with_id()
    return Parsed(article, origin, line, locator)


# --- parent side -------------------------------------------------------------------------------


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    duplicates: int = 0
    committed: int = 0
    files: int = 0
    skipped_files: int = 0  # not read: unchanged since their last ingest (the ledger)
    started: float = field(default_factory=time.monotonic)

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicates

    def elapsed(self) -> float:
        return time.monotonic() - self.started


Item = Task | Problem | Skipped


def iter_tasks(
    specs: list[str], fmt: Format, summary: Summary, ledger: Ledger | None = None
) -> Iterator[tuple[int | None, Item]]:
    """(file number in the ledger or None, item) in input order; files the ledger vouches for
    come as one Skipped item, unread."""
    for item in expand(specs):
        if isinstance(item, Problem):
            yield None, item
            continue
        summary.files += 1
        raw = None
        if ledger is not None and item != STDIN:
            with contextlib.suppress(OSError):  # tasks_for() reports it
                raw = os.stat(item)
        if ledger is None or raw is None:
            for t in tasks_for(item, fmt):
                yield None, t
            continue
        st = file_stat(raw)
        known = ledger.unchanged(item, st)
        if known is not None:
            summary.skipped_files += 1
            yield None, Skipped(shown(item), known)
            continue
        n = ledger.begin(item, st)
        for t in tasks_for(item, fmt, raw):  # read as the ledger saw it: the same stat
            ledger.task(n)
            yield n, t
        ledger.end(n)


def stamp(article: Article) -> Article:
    return article._replace(ingested_at=datetime.now(UTC).replace(microsecond=0))


@dataclass
class IngestOptions:
    fmt: Format = "auto"
    dayfirst: bool = True
    jobs: int = -1  # worker processes; 0 = parse in this process; -1 = decide from the input size
    wait: float = 30.0
    batch: int = INGEST_BATCH
    aliases: str | None = None
    rescan: bool = False  # read every file, even those the ledger says are unchanged


class Interrupted(Exception):
    def __init__(self, summary: Summary, committed: bool) -> None:
        super().__init__("interrupted")
        self.summary = summary
        self.committed = committed


PARALLEL_BYTES = 1024 * 1024  # of files to read: from here on, worker processes pay off


def auto_jobs(specs: list[str], ledger: Ledger | None = None) -> int:
    """Worker processes pay off only for larger inputs: they take ~0.3 s to start. 0 = parse
    inline. Adding 500 generated articles (1.1 MB) to a 100k index took 2.0-2.1 s with two
    workers, 2.4-3.0 s inline; 250 articles about the same either way. Files the ledger will
    skip are not counted."""
    cpus = os.cpu_count() or 1
    if cpus < 2 or any(s == STDIN for s in specs):
        return 0
    total = 0
    for item in expand(specs):
        if isinstance(item, str):
            try:
                st = os.stat(item)
            except OSError:
                continue
            if ledger is not None and ledger.unchanged(item, file_stat(st)) is not None:
                continue
            total += st.st_size
            if total > PARALLEL_BYTES:
                # workers parse, extract and index; the parent only decides and commits
                return min(cpus, 4)
    return 0


class _StopFlag:
    """First Ctrl-C asks the loop to stop between two articles (never inside a Whoosh call, which
    could leave a half-added document to be committed); a second one aborts and rolls back."""

    def __init__(self) -> None:
        self.stop = False
        self._previous: Any = None

    def __enter__(self) -> _StopFlag:
        global _ACTIVE_FLAG
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            _ACTIVE_FLAG = self
        return self

    def _handle(self, _signum: int, _frame: Any) -> None:
        if self.stop and not _COMMITTING.is_set():
            raise KeyboardInterrupt
        self.stop = True  # during a commit, even a second Ctrl-C waits for the commit to finish

    def __exit__(self, *_: Any) -> None:
        global _ACTIVE_FLAG
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            _ACTIVE_FLAG = None


def ingest(
    index: Any,
    specs: list[str],
    opts: IngestOptions,
    *,
    report: Callable[[Problem], None],
    on_article: Callable[[Summary], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Summary:
    """Ingest everything `specs` names into `index`; problems go to `report`, never raise for bad input."""
    summary = Summary()
    tally = _Tally(summary, report, on_article)
    with _StopFlag() as flag:
        writer = index.writer(wait=opts.wait, on_wait=on_wait)
        ledger = None
        try:
            if any(s != STDIN for s in specs):  # the ledger is read under the write lock
                from newscli.parse.dates import library_version

                libraries = f"whoosh {index.engine_version()}, dateutil {library_version()}"
                ledger = Ledger(
                    index.path,
                    fingerprint(opts.fmt, opts.dayfirst, opts.aliases, libraries),
                    rescan=opts.rescan,
                )
                if ledger.problem:
                    report(Problem(str(index.path), "warning: " + ledger.problem))
            jobs = opts.jobs if opts.jobs >= 0 else auto_jobs(specs, ledger)
            tasks = iter_tasks(specs, opts.fmt, summary, ledger)
            if jobs > 0:
                _ingest_parallel(index, writer, tasks, jobs, opts, tally, flag, ledger)
            else:
                _ingest_inline(writer, tasks, opts, tally, flag, ledger)
        except KeyboardInterrupt:
            writer.cancel()
            raise Interrupted(summary, committed=False) from None
        except BaseException:
            writer.cancel()
            raise
        finally:
            if ledger is not None:
                ledger.close()
        if flag.stop:
            raise Interrupted(summary, committed=True)
    return summary


class _Tally:
    """Counts outcomes into the summary and reports problems, the same for both ingest paths."""

    def __init__(
        self,
        summary: Summary,
        report: Callable[[Problem], None],
        on_article: Callable[[Summary], None] | None,
    ) -> None:
        self.summary = summary
        self.report = report
        self.on_article = on_article

    def problem(self, p: Problem) -> None:
        if is_warning(p):
            self.summary.warnings += 1
        else:
            self.summary.rejected += 1
        self.report(p)

    def status(self, status: str, aid: str, origin: str, line: int | None) -> None:
        s = self.summary
        if status == "duplicate":
            s.duplicates += 1
            s.warnings += 1
            self.report(
                _warning(
                    origin,
                    line,
                    f"same id as an earlier article in this run ({aid}); kept the first",
                )
            )
        else:
            setattr(s, status, getattr(s, status) + 1)
        if self.on_article:
            self.on_article(s)


def _skipped(writer: Any, item: Skipped, tally: _Tally) -> None:
    for aid, digest in item.articles:
        tally.status(writer.skip(aid, digest), aid, item.origin, None)


def _problem(p: Problem, n: int | None, tally: _Tally, ledger: Ledger | None) -> None:
    tally.problem(p)
    if ledger is not None:
        ledger.reread(n)


def _ingest_inline(
    writer: Any,
    tasks: Iterable[tuple[int | None, Item]],
    opts: IngestOptions,
    tally: _Tally,
    flag: _StopFlag,
    ledger: Ledger | None = None,
) -> None:
    extractor: Extractor | None = None
    for n, item in tasks:
        if flag.stop:
            break
        if isinstance(item, Skipped):
            _skipped(writer, item, tally)
            continue
        if isinstance(item, Problem):
            _problem(item, n, tally, ledger)
            if ledger is not None:
                ledger.task_done(n)
            continue
        if extractor is None:  # not at all when every file is skipped (~0.2 s)
            extractor = Extractor.load(Path(opts.aliases) if opts.aliases else None)
        for res in run_task(item, extractor, opts.dayfirst):
            if flag.stop:
                break
            if isinstance(res, Problem):
                _problem(res, n, tally, ledger)
                continue
            article = stamp(res.article)
            status = writer.put(article, locator=res.locator)
            tally.status(status, article.id, res.origin, res.line)
            if ledger is not None:
                ledger.article(n, article.id, writer.last_digest, status)
            if writer.pending >= opts.batch:
                writer_commit(writer, tally.summary, ledger=ledger)
        else:
            if ledger is not None:
                ledger.task_done(n)
    writer_commit(writer, tally.summary, reopen=False, ledger=ledger)


def _ingest_parallel(
    index: Any,
    writer: Any,
    tasks: Iterator[tuple[int | None, Item]],
    jobs: int,
    opts: IngestOptions,
    tally: _Tally,
    flag: _StopFlag,
    ledger: Ledger | None = None,
) -> None:
    """See parallel.py for the protocol. Tasks are numbered in input order; their reports are
    decided in that order, so the outcome is the same as parsing everything in this process."""
    from collections import deque

    from newscli.index import clean_incoming
    from newscli.parallel import AHEAD_BYTES, AHEAD_TASKS, Indexed, Workers, estimate_articles

    clean_incoming(index.path)  # the write lock is ours: no live ingest owns what is left there
    dispatched = accepted = 0  # task numbers
    ahead_bytes = 0
    sizes: dict[int, int] = {}  # task number -> bytes, while dispatched and not yet decided
    file_of: dict[int, int] = {}  # task number -> its file's number in the ledger
    recalled = False
    buffer: dict[int, tuple[int, list[Any]]] = {}  # task number -> (worker, reports)
    closed: deque[tuple[int, int]] = deque()  # (epoch, first task number after it), not committed
    segments: dict[int, list[tuple[int, Any]]] = {}  # epoch -> (worker, segment info) received
    epoch = 0  # being dispatched
    epoch_start = 0
    estimate = 0
    exhausted = False
    with Workers(jobs, index.path, opts.aliases, opts.dayfirst) as pool:

        def close_epoch() -> None:
            nonlocal epoch, epoch_start, estimate
            closed.append((epoch, dispatched))
            segments[epoch] = []
            pool.flush(epoch)
            epoch += 1
            epoch_start = dispatched
            estimate = 0

        while True:
            while (
                not exhausted
                and not flag.stop
                and dispatched - accepted < AHEAD_TASKS
                and ahead_bytes < AHEAD_BYTES
            ):
                pair = next(tasks, None)
                if pair is None:
                    exhausted = True
                    break
                n, item = pair
                if n is not None:
                    file_of[dispatched] = n
                if isinstance(item, Problem | Skipped):
                    buffer[dispatched] = (-1, [item])
                else:
                    pool.send_task(dispatched, item)
                    sizes[dispatched] = len(item.data)
                    ahead_bytes += len(item.data)
                    estimate += estimate_articles(item)
                dispatched += 1
                if estimate >= opts.batch:
                    close_epoch()
            if flag.stop and not recalled:
                recalled = True  # Ctrl-C: what the workers have not started is not done
                for seq in pool.recall():
                    buffer[seq] = (-1, [])
                    if ledger is not None:
                        ledger.reread(file_of.get(seq))  # not done: read again next time
            finishing = exhausted or flag.stop
            if finishing and dispatched > epoch_start:
                close_epoch()
            limit = closed[0][1] if closed else dispatched
            while accepted < limit and accepted in buffer:
                worker, reports = buffer.pop(accepted)
                ahead_bytes -= sizes.pop(accepted, 0)
                n = file_of.pop(accepted, None)
                accepted += 1
                for r in reports:
                    if isinstance(r, Indexed):
                        ref = None if r.docnum is None else (worker, r.docnum)
                        status = writer.decide(r.aid, r.digest, r.locator, ref)
                        tally.status(status, r.aid, r.origin, r.line)
                        if ledger is not None:
                            ledger.article(n, r.aid, r.digest, status)
                    elif isinstance(r, Skipped):
                        _skipped(writer, r, tally)
                    else:
                        _problem(r, n, tally, ledger)
                if ledger is not None:
                    ledger.task_done(n)
            if closed and accepted == closed[0][1] and len(segments[closed[0][0]]) == jobs:
                done, _ = closed.popleft()
                for worker, info in segments.pop(done):
                    if info is not None:
                        writer.adopt(worker, *info)
                last = finishing and not closed and accepted == dispatched
                writer_commit(writer, tally.summary, reopen=not last, ledger=ledger)
                if last:
                    return
                continue
            if finishing and not closed and accepted == dispatched:
                writer_commit(writer, tally.summary, reopen=False, ledger=ledger)  # nothing left
                return
            for worker, msg in pool.replies(timeout=0.2):
                if msg[0] == "done":
                    for seq, reports in msg[1]:
                        buffer[seq] = (worker, reports)
                else:
                    segments[msg[1]].append((worker, msg[2]))


_COMMITTING = threading.Event()
_ACTIVE_FLAG: _StopFlag | None = None


def writer_commit(
    writer: Any, summary: Summary, *, reopen: bool = True, ledger: Ledger | None = None
) -> None:
    """Commit the batch; Ctrl-C meanwhile is remembered (by _StopFlag), never lost or mid-commit.
    The ledger forgets what the batch makes wrong before, and records what it holds after."""
    previous = None
    if _ACTIVE_FLAG is None and threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # no _StopFlag (reindex): ignore
    _COMMITTING.set()
    try:
        n = writer.pending
        if ledger is not None:
            ledger.before_commit(writer.take_replaced())
        # the ledger's new entries are written once the index's commit point is on disk, before
        # the write lock is released: another writer's forgetting must see them
        writer.commit(reopen=reopen, after=ledger.after_commit if ledger is not None else None)
        summary.committed += n
    finally:
        _COMMITTING.clear()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def reindex(
    index: Any,
    extractor: Extractor,
    *,
    wait: float,
    batch: int = INGEST_BATCH,
    on_article: Callable[[Summary], None] | None = None,
) -> Summary:
    """Re-run extraction over the stored articles; only changed records are rewritten.

    An index of another schema version is rebuilt into a new folder and swapped into place."""
    from newscli import ledger

    summary = Summary()
    records = list(index.iter_records())
    target = index
    if index.version != INDEX_SCHEMA_VERSION:
        import shutil

        fresh_path = index.path.with_name(index.path.name + ".rebuilding")
        shutil.rmtree(fresh_path, ignore_errors=True)
        target = type(index).open(fresh_path, create=True)
    writer = target.writer(wait=wait)
    try:
        ledger.forget(index.path)  # its entries vouch for the hashes this rewrites
        for a, locator in records:
            fresh = extractor.extract(a)
            status = writer.put(fresh, locator=locator)
            setattr(summary, status, getattr(summary, status) + 1)
            if writer.pending >= batch:
                writer_commit(writer, summary)
            if on_article:
                on_article(summary)
        writer_commit(writer, summary, reopen=False)
    except BaseException:
        writer.cancel()
        raise
    if target is not index:
        index.replace_with(target)
    return summary
