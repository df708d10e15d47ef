"""Where the index and the user's config live."""

from __future__ import annotations

import os
from pathlib import Path

INDEX_MARKER = "newscli-index.json"  # in every index folder newscli creates
INDEX_SCHEMA_VERSION = 1  # bumped when the index fields change; `newscli reindex` rebuilds
INGEST_BATCH = 4000  # articles per commit unless --batch says otherwise (a worker's segment: half)
INCOMING = "incoming"  # <index>/incoming/<name>/: a worker's segments until the ingest adopts them


def index_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--index, then $NEWSCLI_INDEX, then $XDG_DATA_HOME/newscli/index, then ~/.local/share/newscli/index."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("NEWSCLI_INDEX")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "newscli" / "index"


def config_dir() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "newscli"


def aliases_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """--aliases, then $NEWSCLI_ALIASES, then $XDG_CONFIG_HOME/newscli/aliases.tsv if it exists."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("NEWSCLI_ALIASES")
    if env:
        return Path(env).expanduser()
    default = config_dir() / "aliases.tsv"
    return default if default.exists() else None
