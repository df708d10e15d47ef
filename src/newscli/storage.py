"""Whoosh's files: a FileStorage whose commits survive power loss (files are fsynced before the
TOC rename), and a faster open of its hash files."""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from typing import Any

from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage


def fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# A segment's files ("MAIN_<id>.<ext>"), as Whoosh names them (TOC._segment_pattern).
_SEGMENT_FILE = re.compile(r"([A-Za-z0-9]+_[0-9a-z]+)[.][A-Za-z0-9_.]+$")
RETIRED = ".retired-files.json"  # hidden: Whoosh's clean-up skips names starting with "."
RETIRE_GRACE_S = 600.0


def clean_files(storage: Any, indexname: str, generation: int, segments: Any, own: str) -> None:
    """Whoosh's clean-up after a commit (whoosh.index.clean_files), but the files of segments
    that a commit dropped are deleted RETIRE_GRACE_S later (at the first commit after that), not
    at once: a search that opened the index before the commit opens some of a segment's files
    only when it needs them (stored fields, field lengths, sort columns), and found them gone
    ("TypeError: 'NoneType' object is not subscriptable" from Whoosh). Unreferenced by the TOC
    meanwhile, they are never read by a newer reader. `own`, the segment id of the committing
    writer's own segment, was never in a TOC when the new one leaves it out (a writer that only
    adopted the workers' segments): its files go at once. The list of retired files is read and
    written once a commit: kept per file, it was read and rewritten for each file Whoosh deleted,
    and 400 commits of one article each took 439 s instead of 4.5 s."""
    toc = re.compile(rf"_{re.escape(indexname)}_([0-9]+)\.toc$")
    current = {s.segment_id() for s in segments}
    mine = f"{indexname}_{own}"
    path = os.path.join(storage.folder, RETIRED)
    try:
        with open(path, encoding="utf-8") as fh:
            retired = json.load(fh)
        if not isinstance(retired, dict):
            retired = {}
    except (OSError, ValueError):
        retired = {}  # lost or damaged: the files are retired again from now
    now = time.time()
    names = set(storage.list())
    kept = {k: v for k, v in retired.items() if k in names and isinstance(v, int | float)}
    for name in sorted(names):
        if name.startswith("."):
            continue
        m = toc.match(name)
        segment = _SEGMENT_FILE.match(name)
        if m:
            if int(m.group(1)) != generation:
                _delete(storage, name)
        elif segment and segment.group(1).startswith(indexname + "_"):
            seg = segment.group(1)
            if seg in current:
                kept.pop(name, None)
            elif seg == mine:
                _delete(storage, name)
            elif name not in kept:
                kept[name] = now
            elif now - kept[name] >= RETIRE_GRACE_S:
                _delete(storage, name)
                del kept[name]
    if kept != retired:
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(kept, fh)
        os.replace(tmp, path)  # not fsynced: a lost list only retires the files again


def _delete(storage: Any, name: str) -> None:
    with contextlib.suppress(OSError):  # gone already, or still open elsewhere (Windows)
        storage.delete_file(name)


class DurableFileStorage(FileStorage):  # type: ignore[misc]
    """Every file Whoosh writes is fsynced on close; every rename (the TOC's, which is the commit
    point) is followed by an fsync of the folder. Temporary pool files are not synced."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> Any:
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        previous = f.onclose

        def _sync(sf: Any) -> None:
            if previous:
                previous(sf)
            raw = sf.file
            if hasattr(raw, "flush") and hasattr(raw, "fileno"):
                raw.flush()
                os.fsync(raw.fileno())

        f.onclose = _sync
        return f

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        super().rename_file(oldname, newname, safe=safe)
        fsync_dir(self.folder)

    def temp_storage(self, name: str | None = None) -> FileStorage:
        import random  # here: searches never need it (random and string, ~1-2 ms of start-up)
        import string

        name = name or "".join(random.choices(string.ascii_lowercase, k=12)) + ".tmp"
        return FileStorage(os.path.join(self.folder, name)).create()


# Whoosh's hash tables (term tables) hash keys with hashlib's md5, whose import loads OpenSSL
# (~3 ms of every start); CPython's built-in _md5 gives the same digests. Whoosh imports hashlib
# through a stand-in (newscli/__init__.py), so a search never loads it.
try:
    from _md5 import md5 as _builtin_md5  # type: ignore[import-not-found]
except ImportError:  # a Python built without it: hashlib's, through the stand-in
    pass
else:
    filetables.md5 = _builtin_md5


# Opening a segment opens its term table, a Whoosh HashReader, which reads its directory of 256
# hash tables with 256 calls of a Python file wrapper. That was 0.2-0.3 ms per segment: 10-15 ms
# of a search over 100k articles (51 segments), most of opening the index. The same __init__ with
# the directory read at once; Whoosh is pinned to 2.7.4, whose code this follows line for line.
# tests/test_index.py compares every attribute with Whoosh's own on real segments.
_WHOOSH_HASH_READER_INIT = filetables.HashReader.__init__


def _hash_reader_init(
    self: Any, dbfile: Any, length: int | None = None, magic: bytes = b"HSH3", startoffset: int = 0
) -> None:
    self.dbfile = dbfile
    self.startoffset = startoffset
    self.is_closed = False
    if length is None:
        dbfile.seek(0, os.SEEK_END)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    filemagic = dbfile.read(4)
    if filemagic != magic:
        raise filetables.FileFormatError(f"Unknown file header {filemagic!r}")
    self.hashtype = dbfile.read_byte()
    self.hashfn = filetables._hash_functions[self.hashtype]
    dbfile.read_int()  # two ints reserved for future use
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    exptr = startoffset + length - filetables._INT_SIZE
    exlen = dbfile.get_int(exptr)
    expos = exptr - exlen
    dbfile.seek(expos)
    self._read_extras()
    size = filetables._directory_size
    dbfile.seek(expos - size)
    raw = dbfile.read(size)
    if len(raw) != size:
        raise filetables.FileFormatError(f"hash directory cut short ({len(raw)} of {size} bytes)")
    self.tables = _Directory(raw)
    self.endofdata = self.tables[0][0]


class _Directory:
    """The 256 (position, number of slots) entries of a hash file's directory, unpacked when
    looked up: a search asks one or two of them per segment, unpacking all 256 took ~80 us."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def __len__(self) -> int:
        return 256

    def __getitem__(self, i: int) -> tuple[int, int]:
        if not 0 <= i < 256:
            raise IndexError(i)
        return filetables._dir_entry.unpack_from(self._raw, i * filetables._dir_entry.size)  # type: ignore[no-any-return]


filetables.HashReader.__init__ = _hash_reader_init
