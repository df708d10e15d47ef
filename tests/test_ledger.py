"""The ledger of ingested files: a re-ingest skips the files it holds unchanged, and the index ends
up exactly as if every file had been read again (`--rescan`), whatever happened in between."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import clitools
from clitools import cli
from conftest import SAMPLE
from newscli import pipeline
from newscli.ledger import LEDGER_FILE

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _files_not_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests write their files just before ingesting them: a file changed less than RACY_S
    before it is read is not recorded (test_a_file_just_written_is_read_again checks that)."""
    from newscli import ledger

    monkeypatch.setattr(ledger, "RACY_S", -1.0)


def summary(err: str) -> dict[str, int]:
    line = [x for x in err.splitlines() if "added," in x][-1]
    out = {
        k: int(v) for v, k in re.findall(r"(\d+) (added|updated|unchanged|rejected|warning)", line)
    }
    m = re.search(r"\((\d+) file\(s\) not read", line)
    out["not_read"] = int(m.group(1)) if m else 0
    files = re.search(r"from (\d+) file\(s\)", line)
    assert files
    out["files"] = int(files.group(1))
    return out


def records(index: Path) -> list[dict[str, Any]]:
    return clitools.records(index, drop=("ingested_at", "path"))  # two worlds, two folders


def feed_line(i: int, body: str | None = None) -> str:
    return json.dumps(
        {
            "title": f"Feed item {i}",
            "body": body or f"Body {i} on Pakistan and India.",
            "url": f"https://x.test/{i}",
        }
    )


class World:
    """A corpus folder and its index; `rescan` worlds read every file at every ingest."""

    def __init__(self, root: Path, rescan: bool, *, warned: bool = False) -> None:
        self.corpus = root / "corpus"
        self.index = root / "idx"
        self.rescan = rescan
        shutil.copytree(SAMPLE, self.corpus)
        first = sorted(self.corpus.rglob("*.txt"))[0]
        (self.corpus / "zz-copy-of-first.txt").write_bytes(first.read_bytes())
        (self.corpus / "feed.jsonl").write_text(
            "\n".join(feed_line(i) for i in range(12)) + "\n", encoding="utf-8"
        )
        if warned:  # a file read with a warning (not UTF-8)
            text = "Meridian Times\n\n4 March 2024\n\nCaf\u00e9 talks\n\nLAHORE: Pakistan's caf\u00e9s.\n"
            (self.corpus / "latin1.txt").write_bytes(text.encode("cp1252"))

    def ingest(self, *extra: str, inputs: list[Path] | None = None, jobs: int = 0) -> Any:
        args = ["ingest", "--index", str(self.index), "--jobs", str(jobs), "--batch", "9"]
        if self.rescan:
            args.append("--rescan")
        return cli(*args, *extra, *map(str, inputs or [self.corpus]))


def same_outcome(a: Any, b: Any) -> None:
    sa, sb = summary(a.err), summary(b.err)
    sa.pop("not_read")
    sb.pop("not_read")
    assert sa == sb, (a.err, b.err)
    assert a.code == b.code


@pytest.mark.parametrize("jobs", [0, 2])
def test_with_the_ledger_every_step_ends_as_a_full_rescan(tmp_path: Path, jobs: int) -> None:
    full = World(tmp_path / "full", True, warned=True)
    fast = World(tmp_path / "fast", False, warned=True)
    worlds = (full, fast)

    def step(*extra: str, inputs: str | None = None) -> tuple[Any, Any]:
        a, b = (
            w.ingest(*extra, inputs=[w.corpus / inputs] if inputs else None, jobs=jobs)
            for w in worlds
        )
        same_outcome(a, b)
        assert records(full.index) == records(fast.index)
        return a, b

    _, b = step()
    n = summary(b.err)["added"]
    assert n > 80 and summary(b.err)["not_read"] == 0
    # nothing changed: every file is skipped, every article counts as unchanged
    _, b = step()
    assert summary(b.err)["unchanged"] == n + 1  # + the copy of the first file
    # all but latin1.txt, read every time for its warning
    assert summary(b.err)["not_read"] == summary(b.err)["files"] - 1 > 70
    assert summary(b.err)["warning"] == 1
    # one file edited, one added, one removed from disk (its article stays in the index)
    for w in worlds:
        victim = sorted(w.corpus.rglob("*.txt"))[5]
        victim.write_text(victim.read_text(encoding="utf-8") + "\nA late line.\n", "utf-8")
        (w.corpus / "new.txt").write_text(
            "Meridian Times\n\n3 March 2024\n\nA new story\n\nISLAMABAD: Pakistan said so.\n",
            encoding="utf-8",
        )
        sorted(w.corpus.rglob("*.txt"))[9].unlink()
    _, b = step()
    assert summary(b.err)["updated"] == 1 and summary(b.err)["added"] == 1
    # an article updated from another file: the file it came from must be read again
    for w in worlds:
        (w.corpus / "later").mkdir()
        (w.corpus / "later" / "item3.json").write_text(
            feed_line(3, "Body 3, corrected, on Pakistan and India."), encoding="utf-8"
        )
    _, b = step(inputs="later")
    assert summary(b.err)["updated"] == 1
    _, b = step()  # feed.jsonl's item 3 wins back; the correction is a duplicate, as before
    assert summary(b.err)["updated"] == 1 and summary(b.err)["warning"] == 2  # + latin1.txt
    _, b = step()  # the correction is read again (its entry went with the update): a duplicate
    assert summary(b.err)["warning"] == 2
    # the first of the two gone from disk, the duplicate is the one read: it updates item 3
    for w in worlds:
        (w.corpus / "feed.jsonl").rename(w.corpus.parent / "feed.jsonl")
    _, b = step()
    assert summary(b.err)["updated"] == 1 and summary(b.err)["warning"] == 1
    for w in worlds:
        (w.corpus.parent / "feed.jsonl").rename(w.corpus / "feed.jsonl")
    step()

    # a file renamed, then a new file at its old path: the old path's article is replaced, so
    # the renamed file, which gave the same article, must be read again
    def single(day: int, n: str) -> None:
        for w in worlds:
            (w.corpus / "single.txt").write_text(
                f"Meridian Times\n\n{day} March 2024\n\nStory {n}\n\nKABUL: Afghanistan said {n}.\n",
                encoding="utf-8",
            )
        step()

    single(5, "one")
    for w in worlds:
        (w.corpus / "single.txt").rename(w.corpus / "story-one.txt")
    step()
    single(6, "two")
    _, b = step()
    assert "Story one" in {r["title"] for r in records(fast.index)}
    # a copy of a file made, then the original edited in the same run
    for w in worlds:
        (w.corpus / "story-one-copy.txt").write_bytes((w.corpus / "story-one.txt").read_bytes())
        with (w.corpus / "story-one.txt").open("a", encoding="utf-8") as fh:
            fh.write("A correction.\n")
    step()
    step()
    # a deleted article comes back at the next ingest, as it always did
    victim_id = records(fast.index)[0]["id"]
    for w in worlds:
        assert cli("delete", "--index", str(w.index), victim_id).code == 0
    _, b = step()
    assert summary(b.err)["added"] == 1
    # other settings read every file again: month-first dates may give other articles
    _, b = step("--month-first")
    assert summary(b.err)["not_read"] == 0
    _, b = step("--month-first")
    assert summary(b.err)["not_read"] > 0
    for w in worlds:
        assert cli("check", "--index", str(w.index)).code == 0


def test_a_file_just_written_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed less than RACY_S before it was read, a file could change again within its
    timestamps' granularity (2 s on FAT, a clock tick on older kernels) without them moving."""
    from newscli import ledger

    monkeypatch.setattr(ledger, "RACY_S", 2.0)
    w = World(tmp_path, False)
    assert w.ingest().code == 0
    assert summary(w.ingest().err)["not_read"] == 0
    old = time.time() - 10
    for f in w.corpus.rglob("*.*"):
        os.utime(f, (old, old))  # the change time still says now
    assert summary(w.ingest().err)["not_read"] == 0


def test_entries_are_written_while_the_index_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer's delete or update forgets entries; it must see every entry that
    describes the index it opens, so ours are written before the write lock is released."""
    from newscli.index import Index
    from newscli.ledger import Ledger

    w = World(tmp_path, False)
    held: list[bool] = []
    real = Ledger.after_commit

    def check(self: Any) -> None:
        lock = Index.open(w.index).ix.lock("WRITELOCK")
        free = lock.acquire(blocking=False)
        if free:
            lock.release()
        held.append(not free)
        real(self)

    monkeypatch.setattr(Ledger, "after_commit", check)
    assert w.ingest().code == 0
    assert held and all(held)


def test_a_skipped_file_is_not_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = World(tmp_path, False)
    assert w.ingest().code == 0
    read: list[str] = []
    real = pipeline.tasks_for

    def spy(path: str, fmt: Any = "auto", st: Any = None) -> Any:
        read.append(path)
        return real(path, fmt, st)

    monkeypatch.setattr(pipeline, "tasks_for", spy)
    touched = sorted(w.corpus.rglob("*.txt"))[2]
    os.utime(touched)  # a new modification time: read again, found unchanged
    r = w.ingest()
    assert r.code == 0, r.err
    assert read == [str(touched)]
    assert summary(r.err)["added"] == summary(r.err)["updated"] == 0


def test_same_size_and_restored_mtime_is_still_read(tmp_path: Path) -> None:
    """Rewritten in place with other text of the same length and the old modification time:
    the change time (and a rename's inode) still tell."""
    w = World(tmp_path, False)
    assert w.ingest().code == 0
    f = sorted(w.corpus.rglob("*.txt"))[4]
    st = f.stat()
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("the", "THE", 1), encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    r = w.ingest()
    assert summary(r.err)["updated"] == 1, r.err


def test_files_with_a_rejected_article_are_read_and_reported_every_time(tmp_path: Path) -> None:
    w = World(tmp_path, False)
    lines = [feed_line(i) for i in range(5)]
    lines[2] = "{broken"
    (w.corpus / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for _ in range(2):
        r = w.ingest()
        assert r.code == 2 and "feed.jsonl:3" in r.err  # exit 2: something was rejected
        assert summary(r.err)["rejected"] == 1


def test_the_run_that_fails_to_commit_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newscli.errors import IndexError_
    from newscli.index import IndexWriter

    w = World(tmp_path, False)
    real = IndexWriter.commit

    def failing(self: Any, **kw: Any) -> None:
        raise IndexError_("disk full (simulated)")

    monkeypatch.setattr(IndexWriter, "commit", failing)
    assert w.ingest().code != 0
    monkeypatch.setattr(IndexWriter, "commit", real)
    r = w.ingest()
    assert summary(r.err)["not_read"] == 0 and summary(r.err)["added"] > 80, r.err


def test_a_damaged_ledger_is_replaced_with_a_warning(tmp_path: Path) -> None:
    w = World(tmp_path, False)
    assert w.ingest().code == 0
    (w.index / LEDGER_FILE).write_bytes(b"this is not a database" * 100)
    r = w.ingest()
    assert r.code == 0, r.err
    assert "unreadable" in r.err and LEDGER_FILE in r.err
    assert summary(r.err)["not_read"] == 0 and summary(r.err)["added"] == 0
    r = w.ingest()
    assert summary(r.err)["not_read"] == summary(r.err)["files"] > 70 and "unreadable" not in r.err


def test_reindex_and_aliases_read_every_file_again(tmp_path: Path) -> None:
    w = World(tmp_path, False)
    assert w.ingest().code == 0
    assert cli("reindex", "--index", str(w.index)).code == 0
    assert not (w.index / LEDGER_FILE).exists()
    assert summary(w.ingest().err)["not_read"] == 0
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("Imran Niazi\tImran Khan\n", encoding="utf-8")
    r = w.ingest("--aliases", str(aliases))
    assert summary(r.err)["not_read"] == 0
    r = w.ingest("--aliases", str(aliases))
    assert summary(r.err)["not_read"] == summary(r.err)["files"] > 70
    aliases.write_text("Imran Niazi\tImran Khan\nSMQ\tShah Mahmood Qureshi\n", encoding="utf-8")
    assert summary(w.ingest("--aliases", str(aliases)).err)["not_read"] == 0


def test_stdin_is_never_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    text = "Meridian Times\n\n3 March 2024\n\nFrom a pipe\n\nISLAMABAD: Pakistan said so.\n"
    for expected in ("added", "unchanged"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        r = cli("ingest", "-")
        assert r.code == 0, r.err
        assert summary(r.err)[expected] == 1 and summary(r.err)["not_read"] == 0
