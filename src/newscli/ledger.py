"""The files an index was built from, so that re-ingesting a folder skips the files it already holds.

`newscli ingest ~/news` over an archive of 100,000 files parsed and extracted every one of them
again to find that they were unchanged (~90 s). The ledger remembers, per file, what it looked like
(size, modification and change times, inode), the settings and code that read it, and the
(id, hash) of the articles it gave. A file that matches is not read again: its articles count as
unchanged, and the run's own bookkeeping (an id met twice is a duplicate) sees them as if it had.

Kept in <index>/ingested-files.sqlite. Entries are added only after the index commit that holds
their articles, and removed before a commit that could make them wrong (an article updated from
another file, a deletion), so a crash between the two leaves a file to be read again, never one
skipped whose articles are not in the index. The ledger is an optimisation: if it cannot be read
it is rebuilt, and `ingest --rescan` reads every file whatever it says.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

LEDGER_FILE = "ingested-files.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS files (path BLOB PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
    " ctime_ns INTEGER, ino INTEGER, dev INTEGER, fingerprint TEXT, articles TEXT) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS ids (id TEXT, path BLOB);"
    "CREATE INDEX IF NOT EXISTS ids_id ON ids (id);"
    "CREATE INDEX IF NOT EXISTS ids_path ON ids (path);"
)

Stat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
RACY_S = 2.0  # a file changed this recently may change again within its timestamps' granularity
Articles = list[tuple[str, str]]  # (id, stored hash) of each article a file gave


def _key(path: str) -> bytes:
    """The absolute path as bytes: a file name need not be UTF-8 (sqlite's TEXT must)."""
    return os.fsencode(os.path.abspath(path))


def file_stat(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


_CODE_DIGEST: str | None = None


def code_digest() -> str:
    """Every source and data file of the installed newscli package: a new version, or any edit of
    the parser or the extractor's tables, reads every file again once."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        root = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                h.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
                h.update(path.read_bytes() + b"\0")
        _CODE_DIGEST = h.hexdigest()
    return _CODE_DIGEST


def fingerprint(fmt: str, dayfirst: bool, aliases: str | None, libraries: str) -> str:
    """What, beside a file's bytes, decides the articles read from it: newscli's code and data,
    the settings, the aliases file, Python and the libraries (`libraries`: their versions), and
    the year (a date more than a year ahead is implausible, so the year changes what is read:
    every file is read once more in a new year)."""
    h = hashlib.sha256(code_digest().encode())
    year = time.localtime().tm_year
    h.update(f"\0{fmt}\0{dayfirst}\0{sys.version}\0{libraries}\0{year}\0".encode())
    if aliases:
        try:
            h.update(Path(aliases).read_bytes())
        except OSError:
            h.update(b"\0unreadable")
    return h.hexdigest()[:20]


@dataclass
class _Open:
    """A file being ingested in this run."""

    path: bytes  # _key()
    stat: Stat
    started: float  # when it was opened (time.time())
    tasks: int = 0  # tasks read from it so far
    done: int = 0  # of those, decided
    complete: bool = False  # every task has been read
    bad: bool = False  # a problem (rejection, warning, duplicate) or a recalled task: not recorded
    articles: Articles = field(default_factory=list)


class Ledger:
    """One ingest run's view of the ledger (the caller holds the index's write lock)."""

    def __init__(self, index_path: Path, fingerprint: str, *, rescan: bool = False) -> None:
        self.fingerprint = fingerprint
        self.rescan = rescan
        self._path = index_path / LEDGER_FILE
        self._open: dict[int, _Open] = {}
        self._next = 0
        self._forget: set[str] = set()
        self._deleted: set[str] = set()  # ids this run deleted through a file's path (locator)
        self._db: sqlite3.Connection | None = None
        self.problem: str | None = None  # why the ledger is not used, if it is not
        self._empty = False  # nothing to look up (a first ingest): ~8 us saved per file
        try:
            self._db = self._connect()
            self._empty = self._db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None
        except sqlite3.Error as exc:
            try:
                self._rebuild(exc)
            except OSError as exc2:  # every file is read; forget_ids() retries the removal
                self.problem = f"{self._path}: cannot be used ({exc2}); every file is read"

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self._path), isolation_level=None)
        db.executescript(_SCHEMA)
        return db

    def _rebuild(self, exc: Exception) -> None:
        """An unreadable ledger (a damaged file) is replaced by an empty one: files are read again.
        Raises OSError if it cannot be removed: entries that may be wrong must not outlive this."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        _remove(self._path)
        try:
            self._db = self._connect()
            self.problem = f"{self._path}: unreadable ({exc}); replaced, every file is read again"
        except (sqlite3.Error, OSError) as exc2:
            self.problem = f"{self._path}: cannot be used ({exc2}); every file is read"

    def _query(self, sql: str, args: tuple[object, ...]) -> list[tuple[object, ...]]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            self._rebuild(exc)
            return []

    # --- while reading inputs ------------------------------------------------------------------

    def unchanged(self, path: str, st: Stat) -> Articles | None:
        """The (id, hash) of the articles of `path` if it is as it was when it was ingested with
        these settings and code; None if it must be read."""
        if self.rescan or self._empty:
            return None
        rows = self._query(
            "SELECT size, mtime_ns, ctime_ns, ino, dev, fingerprint, articles FROM files"
            " WHERE path = ?",
            (_key(path),),
        )
        if not rows or tuple(rows[0][:5]) != st or rows[0][5] != self.fingerprint:
            return None
        text = str(rows[0][6])
        out: Articles = []
        for item in text.split(",") if text else ():
            aid, _, digest = item.partition(":")
            out.append((aid, digest))
        return out

    def begin(self, path: str, st: Stat) -> int:
        """A file about to be read; the number its tasks and results are reported under."""
        n = self._next
        self._next += 1
        self._open[n] = _Open(_key(path), st, time.time())
        return n

    def task(self, n: int) -> None:
        self._open[n].tasks += 1

    def end(self, n: int) -> None:
        """Every task of file `n` has been read (a read error comes as a Problem among them)."""
        self._open[n].complete = True

    # --- while deciding ------------------------------------------------------------------------

    def article(self, n: int | None, aid: str, digest: str, status: str) -> None:
        if status == "updated":
            self._forget.add(aid)  # another file's entry may hold the old version
        f = self._open.get(n) if n is not None else None
        if f is not None:
            f.articles.append((aid, digest))
            if status == "duplicate":
                # Its article is not the one the index keeps: it is read again every time, as
                # before the ledger (and stays a duplicate while the first file is there).
                f.bad = True

    def reread(self, n: int | None) -> None:
        """A file with a rejected article or a warning (or a task recalled at Ctrl-C) is read
        again next time, and reports its problems again, as without the ledger."""
        if n is not None and n in self._open:
            self._open[n].bad = True

    def task_done(self, n: int | None) -> None:
        if n is not None and n in self._open:
            self._open[n].done += 1

    # --- around each commit ---------------------------------------------------------------------

    def before_commit(self, deleted: Iterable[str] = ()) -> None:
        """Forget the files that gave an article this batch replaces, before the index commits it.
        `deleted`: ids the batch deletes because their file now gives another article (its path,
        the locator): no file holding them is recorded in this run, and entries holding them go."""
        for aid in deleted:
            self._deleted.add(aid)
            self._forget.add(aid)
        if self._forget:
            self.forget_ids(sorted(self._forget))
            self._forget.clear()

    def after_commit(self) -> None:
        """Record the files whose articles are all in the index now (called by the index's
        commit once its commit point is on disk, while it still holds the write lock)."""
        deleted = self._deleted
        ready = [
            k
            for k, f in self._open.items()
            if f.complete
            and f.done == f.tasks
            and not f.bad
            and max(f.stat[1], f.stat[2]) / 1e9 < f.started - RACY_S  # else: read it again
            and not any(a in deleted for a, _ in f.articles)
        ]
        rows = []
        for k in ready:
            f = self._open.pop(k)
            text = ",".join(f"{a}:{d}" for a, d in f.articles)
            rows.append((f.path, *f.stat, self.fingerprint, text, f.articles))
        for k in [k for k, f in self._open.items() if f.complete and f.done == f.tasks]:
            del self._open[k]  # bad ones: nothing to record
        if not rows or self._db is None:
            return
        try:
            with self._transaction() as db:
                paths = [(r[0],) for r in rows]
                db.executemany("DELETE FROM ids WHERE path = ?", paths)
                db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [r[:8] for r in rows],
                )
                db.executemany(
                    "INSERT INTO ids VALUES (?, ?)", [(a, r[0]) for r in rows for a, _ in r[8]]
                )
        except sqlite3.Error as exc:
            # Runs inside the index's commit (after its commit point): never raises. Entries
            # not written only mean files read again.
            with contextlib.suppress(OSError):
                self._rebuild(exc)

    def forget_ids(self, ids: list[str]) -> None:
        """Drop the entries of every file that gave one of these articles."""
        if not ids:
            return
        if self._db is None:
            _remove(self._path)  # not readable now, maybe readable later: it must not survive
            return
        try:
            with self._transaction() as db:
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    paths = [
                        (p,)
                        for (p,) in db.execute(
                            f"SELECT DISTINCT path FROM ids WHERE id IN ({marks})", chunk
                        )
                    ]
                    db.executemany("DELETE FROM files WHERE path = ?", paths)
                    db.executemany("DELETE FROM ids WHERE path = ?", paths)
        except sqlite3.Error as exc:
            self._rebuild(exc)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        assert self._db is not None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")


def forget(index_path: Path, ids: list[str] | None = None) -> None:
    """Outside an ingest (delete, reindex), before the index commit: drop the entries of the
    files that gave these articles, or the whole ledger (ids None). Raises OSError if it can't."""
    path = index_path / LEDGER_FILE
    if not path.exists():
        return
    if ids is None:
        _remove(path)
        return
    ledger = Ledger(index_path, "")
    try:
        ledger.forget_ids(ids)
    finally:
        ledger.close()
