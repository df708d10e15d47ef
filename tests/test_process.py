"""Real subprocess runs: python -m newscli, help texts, pipes into head, NO_COLOR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE
from newscli.cli import app

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands if c.callback)


def run(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    e = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "newscli", *args],
        capture_output=True,
        text=True,
        env=e,
        timeout=120,
        check=False,
        **kw,
    )  # type: ignore[call-overload]


def test_module_help() -> None:
    r = run("--help")
    assert r.returncode == 0
    for name in COMMANDS:
        assert name in r.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_example(name: str) -> None:
    r = run(name, "--help")
    assert r.returncode == 0, r.stderr
    assert "Example:" in r.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_alone_behaves_as_in_the_whole_app(name: str, tmp_path: Path) -> None:
    """run() builds only the command argv names (_app_for): its help, its usage errors and a
    typo's suggestion read as with every command built."""
    import contextlib
    import io

    from newscli.cli import _app_for

    assert [c.callback.__name__ for c in _app_for([name]).registered_commands] == [name]
    for other in ([], ["--help"], [name + "zz"], ["--version", name]):
        assert _app_for(other) is app
    for argv in ([name, "--help"], [name, "--no-such-option"], [name + "x"]):
        got = []
        for built in (_app_for(argv), app):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    built(args=argv, prog_name="newscli")
                except SystemExit as exc:
                    code = exc.code
            got.append((code, out.getvalue(), err.getvalue()))
        assert got[0] == got[1]
        assert got[0][1] + got[0][2]  # something was said


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("newscli ")


def test_bad_option_is_usage_error() -> None:
    r = run("search", "--no-such-option")
    assert r.returncode == 2
    assert r.stdout == ""


def test_ingest_search_pipe_into_head(tmp_path: Path) -> None:
    env = {"NEWSCLI_INDEX": str(tmp_path / "idx")}
    r = run("ingest", str(SAMPLE), env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "added" in r.stderr
    # `newscli export | head -1`: head closes the pipe early; newscli must end quietly with 0.
    shell = f'{sys.executable} -m newscli export | head -1; echo "rc=${{PIPESTATUS[0]}}"'
    p = subprocess.run(
        ["bash", "-c", shell],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("{") and lines[1] == "rc=0"
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr


def test_no_colour_in_pipe_or_with_no_color(tmp_path: Path) -> None:
    env = {"NEWSCLI_INDEX": str(tmp_path / "idx"), "NO_COLOR": "1"}
    run("ingest", str(SAMPLE / "misc"), env=env)
    r = run("search", "*", "--format", "table", env=env)
    assert r.returncode == 0
    assert "\x1b[" not in r.stdout and "\x1b[" not in r.stderr


def test_whoosh_loads_without_the_modules_it_never_uses() -> None:
    """urllib.request and whoosh.lang.morph_en are stand-ins while Whoosh imports them (and
    subprocess while Typer does); the real modules still load when something calls into them,
    and later imports get the real ones."""
    code = """
import sys
import newscli.index
print("urllib.request" in sys.modules, "whoosh.lang.morph_en" in sys.modules)
from whoosh.query.terms import variations
print("ministers" in variations("minister"), "whoosh.lang.morph_en" in sys.modules)
import urllib.request
print(hasattr(urllib.request, "urlopen"))
import newscli.cli
print("subprocess" in sys.modules, "ipaddress" in sys.modules)
import typer.main
print(typer.main.subprocess.DEVNULL == -3, type(sys.modules["subprocess"]).__name__)
from urllib.parse import urlsplit
print(urlsplit("http://[::1]:8080/x").hostname, type(sys.modules["ipaddress"]).__name__)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split("\n")
    assert out[0] == "False False"
    assert out[1] == "True True"
    assert out[2] == "True"
    assert out[3] == "False False"  # Typer's subprocess, urllib.parse's ipaddress: stand-ins
    assert out[4] == "True module"
    assert out[5] == "::1 module"


def test_start_up_skips_what_a_search_never_calls() -> None:
    """Typer's shutil, difflib and gettext, Whoosh's html, random, tempfile, calendar, automata
    and hashlib, inspect's tokenize are stand-ins while their importers run; each still works
    when called. The collector's first threshold is raised before anything else loads, and
    restored once newscli.index is loaded."""
    code = """
import sys, gc
default = gc.get_threshold()
import newscli
raised = gc.get_threshold()[0] >= 100_000
import newscli.cli, newscli.index, whoosh.codec.whoosh3, whoosh.classify
print(raised, gc.get_threshold() == default, gc.get_freeze_count() > 10_000)
lazy = ["shutil", "difflib", "random", "tempfile", "calendar", "whoosh.automata.lev", "hashlib"]
lazy += ["tokenize", "gettext", "html"]
print([m for m in lazy if type(sys.modules.get(m)).__name__ == "module"])
import typer, typer.core, whoosh.util, whoosh.util.times, whoosh.filedb.filestore
import whoosh.codec.base
print(typer.get_terminal_size().columns > 0, typer.core.get_close_matches("serch", ["search"]))
print(len(whoosh.util.random_name(8)), bool(whoosh.filedb.filestore.tempfile.gettempdir()))
print(whoosh.util.times.adatetime(2024, 2, 29).day, whoosh.codec.base.lev.levenshtein_automaton)
try:
    whoosh.util.times.adatetime(2023, 2, 29)
except whoosh.util.times.TimeError as exc:
    print(exc)
from whoosh.filedb.filetables import md5_hash
import hashlib
print(md5_hash(b"minister") == int(hashlib.md5(b"minister").hexdigest(), 16) & 0xFFFFFFFF)
import whoosh.compat
print(whoosh.compat.htmlescape("<b>"), typer.core._("Aborted!"))
import inspect, linecache
print(inspect.getsource(whoosh.util.times.adatetime.__init__).lstrip()[:12])
print([type(sys.modules[m]).__name__ for m in lazy])
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split("\n")
    assert out[0] == "True True True"  # raised while loading; restored, loaded objects frozen
    assert out[1] == "[]"  # none loaded by importing the CLI and the index
    assert out[2] == "True ['search']"
    assert out[3] == "8 True"
    assert out[4].startswith("29 <function levenshtein_automaton")
    assert out[5] == "day is out of range for month"
    assert out[6] == "True"  # Whoosh's term tables hash with the built-in _md5: the same
    assert out[7] == "&lt;b&gt; Aborted!"
    assert out[8] == "def __init__"  # inspect reads source through tokenize
    assert out[9] == str(["module"] * 10)  # the real modules, once used


def test_plain_word_search_runs_without_the_query_parser(tmp_path: Path) -> None:
    """Plain words skip importing Whoosh's parser; anything else still uses it."""
    env = {"NEWSCLI_INDEX": str(tmp_path / "idx")}
    assert run("ingest", str(SAMPLE / "misc"), env=env).returncode == 0
    code = """
import sys
from newscli.index import Index
from newscli.query import SearchRequest
ix = Index.open(sys.argv[1])
total, hits = ix.search(SearchRequest(query=sys.argv[2]))
print(total > 0, "whoosh.qparser" in sys.modules)
"""
    for query, parser in (
        ("minister", False),
        ("foreign minister", False),
        ("body:minister", True),
    ):
        p = subprocess.run(
            [sys.executable, "-c", code, env["NEWSCLI_INDEX"], query],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert p.stdout.split() == ["True", str(parser)], query


def test_country_code_filter_does_not_load_the_extractor(tmp_path: Path) -> None:
    """--country PK resolves from the country table alone; a name still loads the gazetteer,
    with the user's aliases, but not the officials' data. All give the same hits."""
    env = {"NEWSCLI_INDEX": str(tmp_path / "idx")}
    assert run("ingest", str(SAMPLE / "misc"), env=env).returncode == 0
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("Land of the Pure\tPK\n", encoding="utf-8")
    code = """
import io, sys
from newscli.cli import run
from newscli.env import Env
if sys.argv[2] == "name":
    import newscli.extract

    def refuse():
        raise AssertionError("the officials' data was loaded")

    newscli.extract.load_official_data = refuse
sys.stdout = out = io.StringIO()
argv = ["search", "--format", "ids", "--country", sys.argv[1], "--aliases", sys.argv[3], "minister"]
rc = run(argv, Env.from_process())
sys.stdout = sys.__stdout__
print(rc, "newscli.extract.officials" in sys.modules, ",".join(out.getvalue().split()))
"""
    results = {}
    for value, loads in (
        ("PK", False),
        ("pk", False),
        ("Pakistan", True),
        ("Land of the Pure", True),
    ):
        p = subprocess.run(
            [sys.executable, "-c", code, value, "name" if loads else "code", str(aliases)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env={**os.environ, **env},
        )
        rc, loaded, ids = p.stdout.split()
        assert (rc, loaded) == ("0", str(loads)), (value, p.stdout, p.stderr)
        results[value] = ids
    assert results["PK"] == results["pk"] == results["Pakistan"] != ""
    assert results["Land of the Pure"] == results["PK"]
