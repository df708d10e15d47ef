"""Ingest orchestration: sources -> parse -> extract (in worker processes) -> index, with batched commits."""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscli.errors import InputError
from newscli.extract import Extractor
from newscli.models import Article
from newscli.parse.layouts import NotAnArticle, parse_text
from newscli.parse.records import MAX_DEPTH, depth, parse_record
from newscli.parse.text import decode
from newscli.paths import INDEX_SCHEMA_VERSION
from newscli.sources import STDIN, Format, Problem, Task, expand, tasks_for


@dataclass(frozen=True)
class Parsed:
    article: Article
    origin: str
    line: int | None
    locator: str | None


Result = Parsed | Problem  # a Problem with a "warning: " message does not reject anything


def _warning(origin: str, line: int | None, msg: str) -> Problem:
    return Problem(origin, "warning: " + msg, line)


def is_warning(p: Problem) -> bool:
    return p.message.startswith("warning: ")


# --- worker side -------------------------------------------------------------------------------

_EXTRACTOR: Extractor | None = None
_DAYFIRST = True


def init_worker(aliases: str | None, dayfirst: bool) -> None:
    global _EXTRACTOR, _DAYFIRST
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    _EXTRACTOR = Extractor.load(Path(aliases) if aliases else None)
    _DAYFIRST = dayfirst


def process_task(task: Task) -> list[Result]:
    assert _EXTRACTOR is not None
    return run_task(task, _EXTRACTOR, _DAYFIRST)


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
    started: float = field(default_factory=time.monotonic)

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged + self.duplicates

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def iter_tasks(specs: list[str], fmt: Format, summary: Summary) -> Iterator[Task | Problem]:
    for item in expand(specs):
        if isinstance(item, Problem):
            yield item
            continue
        summary.files += 1
        yield from tasks_for(item, fmt)


def results(
    tasks: Iterable[Task | Problem],
    *,
    jobs: int,
    aliases: str | None,
    dayfirst: bool,
    extractor_factory: Callable[[], Extractor],
) -> Iterator[Result]:
    """Run tasks in `jobs` worker processes (in order), or inline for jobs == 0."""
    if jobs <= 0:
        ex = extractor_factory()
        for t in tasks:
            if isinstance(t, Problem):
                yield t
            else:
                yield from run_task(t, ex, dayfirst)
        return
    problems: list[Problem] = []

    def only_tasks() -> Iterator[Task]:
        for t in tasks:
            if isinstance(t, Problem):
                problems.append(t)
            else:
                yield t

    ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
    pool = ctx.Pool(jobs, initializer=init_worker, initargs=(aliases, dayfirst))
    # Pool.imap has no back-pressure and workers outrun Whoosh: unbounded, it held a whole 100k
    # corpus in memory (1.1 GB). Its feeder thread now waits while IN_FLIGHT tasks per worker are ahead.
    ahead = threading.Semaphore(IN_FLIGHT * jobs)
    stop = threading.Event()

    def feed() -> Iterator[Task]:
        for t in only_tasks():
            while not ahead.acquire(timeout=0.1):
                if stop.is_set():
                    return
            yield t

    try:
        for batch in pool.imap(process_task, feed(), chunksize=1):
            ahead.release()
            while problems:
                yield problems.pop(0)
            yield from batch
        while problems:
            yield problems.pop(0)
        pool.close()
    finally:
        stop.set()
        pool.terminate()
        pool.join()


IN_FLIGHT = 64  # tasks per worker parsed ahead of the indexer


def stamp(article: Article) -> Article:
    return replace(article, ingested_at=datetime.now(UTC).replace(microsecond=0))


@dataclass
class IngestOptions:
    fmt: Format = "auto"
    dayfirst: bool = True
    jobs: int = -1  # worker processes; 0 = parse in this process; -1 = decide from the input size
    wait: float = 30.0
    batch: int = 2000
    aliases: str | None = None


class Interrupted(Exception):
    def __init__(self, summary: Summary, committed: bool) -> None:
        super().__init__("interrupted")
        self.summary = summary
        self.committed = committed


def auto_jobs(specs: list[str]) -> int:
    """Worker processes pay off only for larger inputs: their start-up costs ~0.3 s. 0 = parse inline."""
    cpus = os.cpu_count() or 1
    if cpus < 2 or any(s == STDIN for s in specs):
        return 0
    total = 0
    for item in expand(specs):
        if isinstance(item, str):
            with contextlib.suppress(OSError):
                total += os.path.getsize(item)
            if total > 4 * 1024 * 1024:
                # the parent is busy indexing: one core for it, the rest for parsing workers
                return max(1, min(cpus - 1, 4))
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
    jobs = opts.jobs if opts.jobs >= 0 else auto_jobs(specs)
    tasks = iter_tasks(specs, opts.fmt, summary)
    stream = results(
        tasks,
        jobs=jobs,
        aliases=opts.aliases,
        dayfirst=opts.dayfirst,
        extractor_factory=lambda: Extractor.load(Path(opts.aliases) if opts.aliases else None),
    )
    with _StopFlag() as flag:
        writer = index.writer(wait=opts.wait, on_wait=on_wait)
        try:
            for res in stream:
                if flag.stop:
                    break
                if isinstance(res, Problem):
                    if is_warning(res):
                        summary.warnings += 1
                    else:
                        summary.rejected += 1
                    report(res)
                    continue
                status = writer.put(stamp(res.article), locator=res.locator)
                if status == "duplicate":
                    summary.duplicates += 1
                    summary.warnings += 1
                    report(
                        _warning(
                            res.origin,
                            res.line,
                            f"same id as an earlier article in this run ({res.article.id}); kept the first",
                        )
                    )
                else:
                    setattr(summary, status, getattr(summary, status) + 1)
                if writer.pending >= opts.batch:
                    writer_commit(writer, summary)
                if on_article:
                    on_article(summary)
            writer_commit(writer, summary, reopen=False)
        except KeyboardInterrupt:
            writer.cancel()
            if hasattr(stream, "close"):
                stream.close()
            raise Interrupted(summary, committed=False) from None
        except BaseException:
            writer.cancel()
            raise
        if flag.stop:
            if hasattr(stream, "close"):
                stream.close()
            raise Interrupted(summary, committed=True)
    return summary


_COMMITTING = threading.Event()
_ACTIVE_FLAG: _StopFlag | None = None


def writer_commit(writer: Any, summary: Summary, *, reopen: bool = True) -> None:
    """Commit the batch; Ctrl-C meanwhile is remembered (by _StopFlag), never lost or mid-commit."""
    previous = None
    if _ACTIVE_FLAG is None and threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # no _StopFlag (reindex): ignore
    _COMMITTING.set()
    try:
        n = writer.pending
        writer.commit(reopen=reopen)
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
    batch: int = 2000,
    on_article: Callable[[Summary], None] | None = None,
) -> Summary:
    """Re-run extraction over the stored articles; only changed records are rewritten.

    An index of another schema version is rebuilt into a new folder and swapped into place."""
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
