"""Crash safety and concurrency with real processes: SIGKILL at many moments, SIGINT, two writers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WORDS = (
    "talks minister border trade energy agreement security summit envoy pipeline election "
    "ceasefire sanctions investment delegation parliament budget corridor refugees drought"
).split()
PLACES = (
    "Pakistan",
    "India",
    "Russia",
    "China",
    "Iran",
    "Afghanistan",
    "Turkey",
    "Egypt",
    "Brazil",
    "Kenya",
)


def make_corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        words = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(250))
        place = PLACES[i % len(PLACES)]
        (folder / f"a{i:05d}.txt").write_text(
            f"Crash Test Wire\n\n{1 + i % 28} March {2015 + i % 10}\n\nStory {i} about {place}\n\n"
            f"KABUL (CTW) - Article number {i} on {place}: Foreign Minister Ishaq Dar said {words}.\n",
            encoding="utf-8",
        )


def newscli(*args: str, index: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newscli", *args, "--index", str(index)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kw,
    )  # type: ignore[call-overload]


def start(*args: str, index: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newscli", *args, "--index", str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out: set[int] = set()
    stack = [pid]
    while stack:
        for c in children.get(stack.pop(), []):
            if c not in out:
                out.add(c)
                stack.append(c)
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stats(index: Path) -> dict[str, object]:
    r = newscli("stats", "--format", "json", index=index)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


N = 1200
BATCH = 150


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "corpus"
    make_corpus(folder, N)
    return folder


@pytest.fixture(scope="module")
def full_run_seconds(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    index = tmp_path_factory.mktemp("baseline") / "index"
    t0 = time.monotonic()
    r = newscli("ingest", str(corpus), "--batch", str(BATCH), "--jobs", "2", index=index)
    assert r.returncode == 0, r.stderr
    assert stats(index)["articles"] == N
    return time.monotonic() - t0


KILL_POINTS = [0.05, 0.12, 0.2, 0.28, 0.36, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]


@pytest.mark.parametrize("fraction", KILL_POINTS)
def test_sigkill_during_ingest_loses_nothing_committed(
    corpus: Path, full_run_seconds: float, tmp_path: Path, fraction: float
) -> None:
    index = tmp_path / "index"
    proc = start("ingest", str(corpus), "--batch", str(BATCH), "--jobs", "2", index=index)
    time.sleep(full_run_seconds * fraction)
    kids = descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(k) for k in kids), "worker processes outlived the killed ingest"
    if not index.exists() or not (index / "newscli-index.json").exists():
        # killed before the index was even created: nothing was committed, nothing can be lost
        committed = 0
    else:
        st = stats(index)
        committed = int(st["articles"])  # type: ignore[call-overload]
        assert committed % BATCH == 0, "a partial batch became visible"
        check = newscli("check", index=index)
        assert check.returncode == 0, check.stderr
        if committed:
            ids = newscli("search", "*", "--limit", "0", "--format", "ids", index=index)
            assert len(set(ids.stdout.split())) == committed
    # the next ingest is not blocked and ends with exactly the full set, no duplicates
    again = newscli("ingest", str(corpus), "--batch", str(BATCH), "--wait", "5", index=index)
    assert again.returncode == 0, again.stderr
    assert f"{N - committed} added" in again.stderr
    assert stats(index)["articles"] == N
    assert newscli("check", index=index).returncode == 0


def test_sigint_commits_what_is_done_and_exits_130(
    corpus: Path, full_run_seconds: float, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    proc = start("ingest", str(corpus), "--batch", str(BATCH), "--jobs", "1", index=index)
    # right after its first batch is committed (Whoosh's TOC of generation 1): mid-run, however
    # fast the machine, and not before start-up is over
    deadline = time.monotonic() + max(full_run_seconds * 5, 30.0)
    while not list(index.glob("_MAIN_[1-9]*.toc")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted: committed" in err
    done = int(err.split("interrupted: committed ")[1].split()[0])
    assert stats(index)["articles"] == done
    assert newscli("check", index=index).returncode == 0


def test_second_writer_waits_then_times_out_and_searches_work(corpus: Path, tmp_path: Path) -> None:
    """The first writer holds the lock while it waits for more of its standard input: the
    second one's wait is sure to fall inside the first's run, however fast ingesting is."""
    index = tmp_path / "index"
    assert newscli("ingest", str(corpus / "a00000.txt"), index=index).returncode == 0
    first = subprocess.Popen(
        [sys.executable, "-m", "newscli", "ingest", "-", "--batch", "1", "--index", str(index)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdin is not None
    record = {"title": "From the pipe", "body": "Foreign Minister Ishaq Dar spoke.", "source": "P"}
    first.stdin.write(json.dumps(record) + "\n")
    first.stdin.flush()
    deadline = time.monotonic() + 60
    while stats(index)["articles"] < 2:  # the first writer committed its first record
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    second = newscli("ingest", str(corpus / "a00001.txt"), "--wait", "0.5", index=index)
    search = newscli("search", "*", "--count", index=index)
    _out, err = first.communicate(json.dumps(dict(record, title="Second from the pipe")) + "\n")
    assert first.returncode == 0, err
    assert "2 added" in err
    assert second.returncode == 2
    assert "waiting" in second.stderr
    assert "newscli: error:" in second.stderr and "locked" in second.stderr
    assert search.returncode == 0 and int(search.stdout) >= 2  # reads see the last commit meanwhile


def test_second_writer_waits_and_succeeds(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = start("ingest", str(corpus), "--batch", str(BATCH), "--jobs", "1", index=index)
    time.sleep(1.0)
    extra = tmp_path / "extra.txt"
    extra.write_text(
        "Other Wire\n\n2 May 2020\n\nA different story\n\nBody of a different story.\n"
    )
    second = newscli("ingest", str(extra), "--wait", "300", index=index)
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 0, second.stderr
    assert stats(index)["articles"] == N + 1
