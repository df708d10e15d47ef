"""Shared fixtures: every test gets its own index and config folder; nothing touches the user's home."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCLI_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("NEWSCLI_ALIASES", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def load_labels(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for line in (folder / ".labels.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="session")
def sample_labels() -> list[dict[str, Any]]:
    return load_labels(SAMPLE)


@pytest.fixture(scope="session")
def eval_labels() -> list[dict[str, Any]]:
    return load_labels(SAMPLE / "eval")
