"""Each third-party library is imported in one place (the house layering), checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "newscli"

ALLOWED = {
    "whoosh": {"index.py", "storage.py", "analysis.py", "topk.py", "segment.py"},
    "rich": {"render.py"},
    "typer": {"cli.py"},
    "click": set(),
    "dateutil": {"parse/dates.py"},
    "hijridate": {"parse/hijri.py"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_third_party_imports_stay_in_their_module(path: Path) -> None:
    rel = str(path.relative_to(SRC))
    for lib in imports(path) & set(ALLOWED):
        assert rel in ALLOWED[lib], f"{rel} imports {lib}; only {sorted(ALLOWED[lib])} may"


def test_parse_and_extract_do_no_io_libraries() -> None:
    for sub in ("parse", "extract"):
        for path in (SRC / sub).rglob("*.py"):
            assert not imports(path) & {"whoosh", "rich", "typer", "sys", "subprocess"}, path
