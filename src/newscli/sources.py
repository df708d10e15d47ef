"""The only reader of files, folders, globs and stdin: turns input specs into parse tasks, sniffing the format."""

from __future__ import annotations

import glob
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from newscli.parse.text import clean
from newscli.paths import INDEX_MARKER

Format = Literal["auto", "text", "json", "jsonl"]

FOLDER_SUFFIXES = frozenset({".txt", ".text", ".md", ".json", ".jsonl", ".ndjson", ""})
MAX_TEXT_BYTES = 10 * 1024 * 1024  # one plain-text article; JSONL is streamed and has no limit
MAX_JSON_BYTES = 512 * 1024 * 1024
JSONL_CHUNK_LINES = 100
STDIN = "-"


def shown(path: str) -> str:
    """A path as it may be stored and printed: undecodable bytes as U+FFFD, control characters removed."""
    if path.isascii() and path.isprintable():
        return path  # nothing to replace or remove (the per-character check below took
        # ~0.16 s of a 10,000-file walk under cProfile)
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in path):
        path = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return clean(path).replace("\n", " ")


@dataclass(frozen=True)
class Task:
    """One unit of parsing work: a whole text file, a JSON document, or a run of JSONL lines."""

    origin: str  # path as the user named it, or "<stdin>"
    fmt: Literal["text", "json", "jsonl"]
    data: bytes
    first_line: int = 1
    single: bool = True  # the file holds one article (its path then identifies it)

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin", shown(self.origin))


@dataclass(frozen=True)
class Problem:
    origin: str
    message: str
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin", shown(self.origin))

    def __str__(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line else self.origin
        return f"{where}: {self.message}"


def _has_magic(spec: str) -> bool:
    return any(c in spec for c in "*?[")


def expand(specs: list[str]) -> Iterator[str | Problem]:
    """Input specs to file paths (or STDIN), in a stable order; folders are walked recursively."""
    for spec in specs:
        if spec == STDIN:
            yield STDIN
            continue
        p = Path(spec)
        if _has_magic(spec) and not p.exists():
            matches = sorted(glob.glob(spec, recursive=True))
            if not matches:
                yield Problem(spec, "no files match this pattern")
            for m in matches:
                yield from _walk(Path(m)) if Path(m).is_dir() else iter([m])
            continue
        if not os.path.lexists(spec):
            yield Problem(spec, "no such file or directory")
        elif p.is_dir():
            yield from _walk(p)
        else:
            yield spec


def _walk(root: Path) -> Iterator[str | Problem]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            st = d.stat()
        except OSError as exc:
            yield Problem(str(d), f"cannot open folder ({exc.strerror or exc})")
            continue
        if (st.st_dev, st.st_ino) in seen:
            yield Problem(str(d), "symlink loop: folder already visited, skipped")
            continue
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            yield Problem(str(d), f"cannot list folder ({exc.strerror or exc})")
            continue
        if any(e.name == INDEX_MARKER for e in entries):
            continue  # a newscli index inside the input folder is not input
        subdirs = []
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                is_dir = e.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(Path(e.path))
            elif _suffix(e.name).lower() in FOLDER_SUFFIXES:
                if e.is_symlink() and not os.path.exists(e.path):
                    yield Problem(e.path, "broken symlink")
                    continue
                yield e.path
        stack.extend(reversed(subdirs))


def _suffix(name: str) -> str:
    """Path(name).suffix without building a Path (once per file of a walk)."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _sniff(origin: str, head: bytes, fmt: Format) -> Literal["text", "json", "jsonl"]:
    if fmt != "auto":
        return fmt
    suffix = _suffix(os.path.basename(origin.rstrip("/"))).lower() if origin != "<stdin>" else ""
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".txt", ".text", ".md"):
        return "text"  # "[Updated] Pakistan and India..." is a headline, not JSON
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        after = stripped[1:].lstrip(b" \t\r\n")
        return "json" if after[:1] in (b"{", b"]") else "text"
    if stripped.startswith(b"{"):
        first_line = stripped.split(b"\n", 1)[0].strip()
        if first_line.endswith(b"}"):
            return "jsonl"
        after = stripped[1:].lstrip(b" \t\r\n")
        return "json" if after[:1] in (b'"', b"}") else "text"
    return "text"


def tasks_for(
    path: str, fmt: Format = "auto", st: os.stat_result | None = None
) -> Iterator[Task | Problem]:
    """Read one file (or stdin) into parse tasks. `st`: its os.stat(), when the caller has it."""
    if path == STDIN:
        yield from _tasks_from_stream("<stdin>", sys.stdin.buffer, fmt, size=None)
        return
    try:
        if st is None:
            st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            yield Problem(path, "not a regular file")
            return
        fh = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as exc:
        yield Problem(path, f"cannot read ({exc.strerror or exc})")
        return
    try:
        yield from _tasks_from_stream(path, fh, fmt, size=st.st_size)
    except OSError as exc:
        yield Problem(path, f"read error ({exc.strerror or exc})")
    finally:
        fh.close()


def _tasks_from_stream(
    origin: str, fh: BinaryIO, fmt: Format, size: int | None
) -> Iterator[Task | Problem]:
    """size None: a pipe (stdin), read as its data comes."""
    head = fh.read(65536) if size is not None else _pipe_head(fh)
    # a file's buffered read returns less than asked only at its end: no read to find the end
    ended = size is not None and len(head) < 65536
    kind = _sniff(origin, head, fmt)
    if kind == "jsonl":
        yield from _jsonl_tasks(origin, head, fh, live=size is None, ended=ended)
        return
    limit = MAX_JSON_BYTES if kind == "json" else MAX_TEXT_BYTES
    if size is not None and size > limit:
        yield Problem(
            origin,
            f"file too large for one {'JSON document' if kind == 'json' else 'article'} "
            f"({size / 1048576:.1f} MB > {limit / 1048576:.0f} MB); split it or use JSON Lines",
        )
        return
    rest = fh.read(limit + 1 - len(head)) if len(head) < limit + 1 and not ended else b""
    data = head + rest
    if len(data) > limit:
        yield Problem(origin, f"input too large for one article (> {limit / 1048576:.0f} MB)")
        return
    yield Task(origin, kind, data, 1, True)


def _pipe_head(fh: BinaryIO) -> bytes:
    """What a pipe has sent until _sniff can tell its format (at most 64 KiB, or all of it when
    it ends first), without waiting for 64 KiB that may come much later or never."""
    head = b""
    read = getattr(fh, "read1", fh.read)
    while len(head) < 65536 and not _sniffable(head):
        chunk = read(65536 - len(head))
        if not chunk:
            break
        head += chunk
    return head


def _sniffable(head: bytes) -> bool:
    """_sniff decides from this: the first non-blank character; after "[" the next one; after
    "{" also the whole first line."""
    s = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if s[:1] == b"[":
        return bool(s[1:].lstrip(b" \t\r\n"))
    if s[:1] == b"{":
        return b"\n" in s and bool(s[1:].lstrip(b" \t\r\n"))
    return bool(s)


def _jsonl_tasks(
    origin: str, head: bytes, fh: BinaryIO, *, live: bool = False, ended: bool = False
) -> Iterator[Task]:
    """Tasks of up to JSONL_CHUNK_LINES lines. `live` (a pipe): each read takes what has come
    (read1), and the lines complete so far become a task before the next read, which may wait:
    `tail -f feed.jsonl | newscli ingest - --batch 1` indexes each record as it comes."""
    buf = head
    lines: list[bytes] = []
    first = 1
    lineno = 0
    read = getattr(fh, "read1", fh.read) if live else fh.read
    while True:
        *complete, buf = buf.split(b"\n")
        for line in complete:
            lineno += 1
            lines.append(line)
            if len(lines) >= JSONL_CHUNK_LINES:
                yield Task(origin, "jsonl", b"\n".join(lines), first, False)
                first, lines = lineno + 1, []
        if live and lines:
            yield Task(origin, "jsonl", b"\n".join(lines), first, False)
            first, lines = lineno + 1, []
        chunk = b"" if ended else read(1 << 20)
        if not chunk:
            break
        buf += chunk
    if buf:
        lines.append(buf)
    if lines:
        yield Task(origin, "jsonl", b"\n".join(lines), first, False)
