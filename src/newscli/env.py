"""The process environment the CLI writes to: streams and whether they are terminals (tests swap it)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Env:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    no_color: bool = False
    width: int | None = None

    @classmethod
    def from_process(cls) -> Env:
        def tty(stream: TextIO) -> bool:
            try:
                return stream.isatty()
            except (AttributeError, ValueError):
                return False

        return cls(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdout_isatty=tty(sys.stdout),
            stderr_isatty=tty(sys.stderr),
            no_color="NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb",
        )
