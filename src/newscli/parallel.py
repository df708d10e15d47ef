"""Parallel ingest: worker processes parse, extract *and index* into private segments; the parent
makes the in-order decisions (new, updated, unchanged, duplicate) from the small reports they send
back and commits their segments in batches. Both cores index, and the parent stays light.

Protocol, per worker: the parent sends ("tasks", [(seq, Task), ...]) and ("flush", epoch) messages
down the worker's inbox pipe; the worker answers on its pipe with ("done", [(seq, reports), ...])
per chunk of tasks, then ("segment", epoch, (folder, segment) | None) once every task before the
flush is in the segment. Tasks travel in chunks (CHUNK_TASKS, CHUNK_BYTES): one message per task
cost the parent's four pipe threads ~2.2 s of CPU over gen10k (each worker used 7-8 s).
A batch (epoch) is the tasks dispatched between two flushes, so the parent commits exactly what
it has decided about. Workers die with the parent: a pipe only the parent holds the writing end of
reaches EOF when it dies, and a watchdog thread in each worker exits on that.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import secrets
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from newscli.errors import IndexError_
from newscli.extract import Extractor
from newscli.paths import INCOMING
from newscli.sources import Problem, Task

# How far dispatching may run ahead of the parent's decisions. Generous, so workers keep indexing
# while the parent waits for a batch's last segment or merges segments at a commit; bounded in bytes,
# so a JSON Lines feed cut into large tasks cannot pile up in memory.
AHEAD_TASKS = 4000
AHEAD_BYTES = 64 * 1024 * 1024
# Tasks per message. Small enough that the last chunk of an input keeps a worker busy for ~50 ms
# at most while the other may already be idle.
CHUNK_TASKS = 32
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True)
class Indexed:
    """A worker indexed an article as document `docnum` of its current segment (docnum None: the
    index already held it unchanged when the worker started, so it was not indexed again)."""

    aid: str
    digest: str
    locator: str | None
    docnum: int | None
    origin: str
    line: int | None


Report = Indexed | Problem


# --- worker side -------------------------------------------------------------------------------


_PRELOADED: Extractor | None = None  # the default extractor, loaded in the forkserver


def preload() -> None:
    """Run in the forkserver before it forks the workers (newscli._forkserver): the worker's
    modules and a warmed default extractor, which every worker then inherits instead of
    loading and compiling its own (~0.4 s of CPU each: ~0.14 s of imports, ~0.25 s of
    regexes compiled at the first article)."""
    global _PRELOADED
    import newscli.index
    import newscli.pipeline  # noqa: F401

    extractor = Extractor.load(None)
    extractor.warm()
    _PRELOADED = extractor


def _watchdog(life: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        life.recv()
    os._exit(0)  # the parent is gone: nothing this worker holds is committed, so just stop


def worker_main(
    inbox: Any,
    outbox: Connection,
    life: Connection,
    index_path: str,
    name: str,
    aliases: str | None,
    dayfirst: bool,
) -> None:
    from newscli.index import SegmentBuilder, digest_of
    from newscli.pipeline import Parsed, run_task, stamp

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    threading.Thread(target=_watchdog, args=(life,), daemon=True).start()
    builder = None
    try:
        if aliases is None and _PRELOADED is not None:
            extractor = _PRELOADED
        else:
            extractor = Extractor.load(Path(aliases) if aliases else None)
        builder = SegmentBuilder(Path(index_path), name)
        while True:
            try:
                msg = inbox.recv()
            except EOFError:
                break  # the parent closed our inbox
            if msg[0] == "tasks":
                done: list[tuple[int, list[Report]]] = []
                for seq, task in msg[1]:
                    reports: list[Report] = []
                    for res in run_task(task, extractor, dayfirst):
                        if not isinstance(res, Parsed):
                            reports.append(res)
                            continue
                        art = stamp(res.article)
                        digest = digest_of(art)
                        docnum = (
                            None
                            if builder.known(art.id, digest)
                            else builder.add(art, digest, res.locator)
                        )
                        reports.append(
                            Indexed(art.id, digest, res.locator, docnum, res.origin, res.line)
                        )
                    done.append((seq, reports))
                outbox.send(("done", done))
            elif msg[0] == "flush":
                outbox.send(("segment", msg[1], builder.flush()))
            else:  # "stop": everything flushed has been adopted (or abandoned) by the parent
                break
    except BaseException as exc:  # report, never hang the parent; it aborts the ingest
        with contextlib.suppress(Exception):
            outbox.send(("error", name, f"{type(exc).__name__}: {exc}"))
    finally:
        if builder is not None:
            builder.close()


# --- parent side -------------------------------------------------------------------------------


def _receiver(w: int, conn: Any, answers: queue.SimpleQueue[tuple[int, tuple[Any, ...]]]) -> None:
    """One thread per worker, blocked in recv. One thread over all of them with
    `multiprocessing.connection.wait` built and polled a selector for every message: over gen10k
    that thread used 0.76 s of CPU, these two 0.44 s together (/proc per-thread times)."""
    while True:
        try:
            answers.put((w, conn.recv()))
        except (EOFError, OSError):
            answers.put((w, ("eof",)))
            return


def _sender(q: queue.SimpleQueue[Any], conn: Connection) -> None:
    try:
        while True:
            msg = q.get()
            if msg is None:
                break
            conn.send(msg)
            if msg[0] == "stop":
                break
    except OSError:
        pass  # the worker is gone; the loop learns it from its answers
    finally:
        conn.close()


class Workers:
    """The worker processes of one ingest. Use as a context manager: leaving it stops them."""

    def __init__(self, n: int, index_path: Path, aliases: str | None, dayfirst: bool) -> None:
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        ctx: Any = mp.get_context(method)
        if method == "forkserver":
            # takes effect when this process starts its forkserver (its first ingest);
            # "__main__" as by default, else each worker would run the main script again
            ctx.set_forkserver_preload(["__main__", "newscli._forkserver"])
        self.n = n
        self._queues: list[queue.SimpleQueue[Any]] = []
        self._senders: list[threading.Thread] = []
        self.outboxes: list[Any] = []  # Connection
        self._lives: list[Connection] = []
        self.procs: list[Any] = []
        self._running: list[Any] = []  # the processes started (_start)
        self.outstanding = [0] * n  # tasks sent, not yet answered
        self._chunk: list[tuple[int, Task]] = []  # tasks not yet sent (send_task, push)
        self._chunk_bytes = 0
        self._scratch: list[Path] = []  # each worker's folder under <index>/incoming/
        ends: list[tuple[Any, ...]] = []  # the child's ends of each worker's pipes
        for i in range(n):
            in_r, in_w = ctx.Pipe(duplex=False)
            out_r, out_w = ctx.Pipe(duplex=False)
            life_r, life_w = ctx.Pipe(duplex=False)
            name = f"{os.getpid()}-{i}-{secrets.token_hex(4)}"
            self._scratch.append(index_path / INCOMING / name)
            p = ctx.Process(
                target=worker_main,
                args=(in_r, out_w, life_r, str(index_path), name, aliases, dayfirst),
                daemon=True,
            )
            ends.append((in_r, out_w, life_r))
            # a thread per worker does the sending, so the loop never blocks on a full pipe
            # while that worker blocks on sending its answers to us
            q: queue.SimpleQueue[Any] = queue.SimpleQueue()
            t = threading.Thread(target=_sender, args=(q, in_w), daemon=True)
            t.start()
            self._queues.append(q)
            self._senders.append(t)
            self.outboxes.append(out_r)
            self._lives.append(life_w)
            self.procs.append(p)
        # and a thread per worker receives its answers as they come, so workers never wait for
        # the loop either (it may be merging segments for seconds)
        self._answers: queue.SimpleQueue[tuple[int, tuple[Any, ...]]] = queue.SimpleQueue()
        self._receivers = [
            threading.Thread(target=_receiver, args=(w, conn, self._answers), daemon=True)
            for w, conn in enumerate(self.outboxes)
        ]
        for t in self._receivers:
            t.start()
        # Starting the first worker waits for the forkserver to load and warm the extractor
        # (~0.4 s): meanwhile this process reads the first files and queues their tasks.
        self._starter = threading.Thread(target=self._start, args=(ends,), daemon=True)
        self._starter.start()

    def _start(self, ends: list[tuple[Any, ...]]) -> None:
        failed = False
        for w, (p, child_ends) in enumerate(zip(self.procs, ends, strict=True)):
            try:
                if not failed:
                    p.start()
                    self._running.append(p)
            except BaseException as exc:  # reported by replies(); the ingest aborts
                self._answers.put((w, ("error", str(w), f"could not start: {exc}")))
                failed = True
            finally:
                for end in child_ends:
                    end.close()

    def send_task(self, seq: int, task: Task) -> None:
        """Queue a task; it is sent with the next full chunk, or at push()."""
        self._chunk.append((seq, task))
        self._chunk_bytes += len(task.data)
        if len(self._chunk) >= CHUNK_TASKS or self._chunk_bytes >= CHUNK_BYTES:
            self.push()

    def push(self) -> None:
        """Send the tasks queued so far, as one message, to the worker with the fewest tasks
        outstanding."""
        if not self._chunk:
            return
        w = min(range(self.n), key=self.outstanding.__getitem__)
        self.outstanding[w] += len(self._chunk)
        self._queues[w].put(("tasks", self._chunk))
        self._chunk = []
        self._chunk_bytes = 0

    def recall(self) -> list[int]:
        """Take back the tasks not yet sent to a worker (on Ctrl-C): their numbers."""
        taken = [seq for seq, _ in self._chunk]
        self._chunk = []
        self._chunk_bytes = 0
        for w, q in enumerate(self._queues):
            keep = []
            while True:
                try:
                    msg = q.get_nowait()
                except queue.Empty:
                    break
                if msg is not None and msg[0] == "tasks":
                    taken.extend(seq for seq, _ in msg[1])
                    self.outstanding[w] -= len(msg[1])
                else:
                    keep.append(msg)
            for msg in keep:
                q.put(msg)
        return taken

    def flush(self, epoch: int) -> None:
        self.push()
        for q in self._queues:
            q.put(("flush", epoch))

    def replies(self, timeout: float | None) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(worker, message) for every answer waiting, after waiting up to `timeout` for one.
        The tasks queued are sent first: their answers may be the ones awaited."""
        self.push()
        try:
            answers = [self._answers.get(timeout=timeout)]
        except queue.Empty:
            return
        while True:
            try:
                answers.append(self._answers.get_nowait())
            except queue.Empty:
                break
        for w, msg in answers:
            if msg[0] == "done":
                self.outstanding[w] -= len(msg[1])
            elif msg[0] == "error":
                raise IndexError_(f"worker process failed: {msg[2]}")
            elif msg[0] == "eof":
                raise IndexError_(
                    f"worker process {w} died unexpectedly (exit code {self.procs[w].exitcode})"
                )
            yield w, msg

    def stop(self, *, graceful: bool) -> None:
        self._starter.join()
        for q in self._queues:
            q.put(("stop",) if graceful else None)
        if graceful:
            for p in self._running:
                p.join(timeout=30)
        for p in self._running:
            if p.is_alive():
                p.kill()
                p.join()
        # a killed worker leaves its unadopted segments; nothing there is committed
        if not graceful:
            for folder in self._scratch:
                shutil.rmtree(folder, ignore_errors=True)
        for t in (*self._senders, *self._receivers):
            t.join(timeout=5)
        for conn in (*self.outboxes, *self._lives):
            conn.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.stop(graceful=exc_type is None)


def estimate_articles(task: Task) -> int:
    """Articles a task will probably yield, to end a batch at a task boundary."""
    if task.fmt == "jsonl":
        return max(1, task.data.count(b"\n"))
    return 1
