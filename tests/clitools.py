"""Running newscli in-process with captured streams (httpie-style Env), and parsing its output."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newscli.cli import run
from newscli.env import Env


@dataclass
class Result:
    code: int
    out: str
    err: str

    def jsonl(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def json(self) -> Any:
        return json.loads(self.out)


def cli(*args: str, tty: bool = False, width: int = 160, no_color: bool = False) -> Result:
    out, err = io.StringIO(), io.StringIO()
    env = Env(
        out=out, err=err, stdout_isatty=tty, stderr_isatty=False, no_color=no_color, width=width
    )
    code = run(list(args), env)
    return Result(code, out.getvalue(), err.getvalue())


def records(index: Path, *, drop: tuple[str, ...] = ("ingested_at",)) -> list[dict[str, Any]]:
    """Every article of the index (`newscli export`), sorted by id, without the fields in
    `drop` (by default the ingest time, which differs between two otherwise equal runs)."""
    r = cli("export", "--index", str(index))
    assert r.code == 0, r.err
    out = []
    for rec in r.jsonl():
        for name in drop:
            rec.pop(name, None)
        out.append(rec)
    return sorted(out, key=lambda x: x["id"])


def write_texts(folder: Path, texts: list[str]) -> Path:
    """One file a text (0000.txt, 0001.txt ...) in a new folder: the folder."""
    folder.mkdir()
    for i, text in enumerate(texts):
        (folder / f"{i:04d}.txt").write_text(text, encoding="utf-8")
    return folder


def small_articles(folder: Path, n: int, outlet: str = "Merge Wire") -> Path:
    """n short seed-layout articles, one a file, each its own story about Pakistan."""
    return write_texts(
        folder,
        [
            f"{outlet}\n\n{1 + i % 28} May 2024\n\nItem {i}\n\nISLAMABAD: Story {i} about Pakistan.\n"
            for i in range(n)
        ],
    )
