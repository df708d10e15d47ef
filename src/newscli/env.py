"""The process environment the CLI writes to: streams and whether they are terminals (tests swap it)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO


@dataclass
class Env:
    out: TextIO | None = None  # None: whatever sys.stdout is at the time of writing
    err: TextIO | None = None
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    no_color: bool = False
    width: int | None = None

    @property
    def stdout(self) -> TextIO:
        return self.out or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self.err or sys.stderr

    @classmethod
    def from_process(cls) -> Env:
        def tty(stream: TextIO) -> bool:
            try:
                return stream.isatty()
            except (AttributeError, ValueError):
                return False

        return cls(
            stdout_isatty=tty(sys.stdout),
            stderr_isatty=tty(sys.stderr),
            no_color="NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb",
        )
