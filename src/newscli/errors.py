"""Exit statuses and the exceptions that carry them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NO_HITS = 1
    ERROR = 2
    INTERRUPTED = 130


class NewscliError(Exception):
    """An error the user can act on; printed as one line, exits with `code`."""

    code: ExitCode = ExitCode.ERROR


class UsageError(NewscliError):
    pass


class InputError(NewscliError):
    """One input (file, line, record) could not be turned into an article."""


class QueryError(NewscliError):
    pass


class IndexError_(NewscliError):
    """The index is missing, locked, foreign, damaged or of another schema version."""


class LockTimeout(IndexError_):
    pass


class PipeClosed(Exception):
    """stdout's reader closed the pipe; newscli stops writing and exits 0."""
