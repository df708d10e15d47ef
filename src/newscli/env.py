"""The process environment the CLI writes to: streams and whether they are terminals (tests swap it)."""

from __future__ import annotations

import os
import sys
from typing import TextIO


class Env:
    """A plain class, not a dataclass: importing dataclasses costs 2-3 ms on every call."""

    def __init__(
        self,
        out: TextIO | None = None,  # None: whatever sys.stdout is at the time of writing
        err: TextIO | None = None,
        stdout_isatty: bool = False,
        stderr_isatty: bool = False,
        no_color: bool = False,
        width: int | None = None,
    ) -> None:
        self.out, self.err = out, err
        self.stdout_isatty, self.stderr_isatty = stdout_isatty, stderr_isatty
        self.no_color, self.width = no_color, width

    @property
    def stdout(self) -> TextIO:
        return _PipeGuard(self.out or sys.stdout)  # type: ignore[return-value]

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


class _PipeGuard:
    """Turns BrokenPipeError into PipeClosed, which Click does not intercept (it maps EPIPE to exit 1)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, s: str) -> int:
        from newscli.errors import PipeClosed

        try:
            return self._stream.write(s)
        except BrokenPipeError:
            raise PipeClosed from None

    def flush(self) -> None:
        from newscli.errors import PipeClosed

        try:
            self._stream.flush()
        except BrokenPipeError:
            raise PipeClosed from None

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)
