"""Running newscli in-process with captured streams (httpie-style Env), and parsing its output."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
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
