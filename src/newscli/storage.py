"""A Whoosh FileStorage whose commits survive power loss: files are fsynced before the TOC rename."""

from __future__ import annotations

import os
import random
import string
from typing import Any

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
        name = name or "".join(random.choices(string.ascii_lowercase, k=12)) + ".tmp"
        return FileStorage(os.path.join(self.folder, name)).create()
