"""Edge cases found in review: sniffing, date-time forms, bounds, stopwords, accents, stable output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clitools import cli
from conftest import SAMPLE
from newscli.parse.dates import parse_date_line


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    idx = tmp_path / "idx"
    assert cli("ingest", "--index", str(idx), str(SAMPLE)).code == 0
    monkeypatch.setenv("NEWSCLI_INDEX", str(idx))
    return idx


@pytest.mark.parametrize("name", ["b.md", "b.txt", "noext"])
def test_text_starting_with_bracket_is_text(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_text(
        "[Updated] Pakistan and India agree on talks\n\nISLAMABAD: Officials said talks would resume.\n"
    )
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    assert cli("search", "*").jsonl()[0]["title"] == "[Updated] Pakistan and India agree on talks"


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("2024-11-23 10:15 IST", "2024-11-23T10:15:00+05:30"),
        ("2024-11-23 10:15:00 UTC", "2024-11-23T10:15:00+00:00"),
        ("Published: 2024-11-23 10:15 PKT", "2024-11-23T10:15:00+05:00"),
    ],
)
def test_iso_date_with_space_and_time(line: str, iso: str) -> None:
    p = parse_date_line(line).published
    assert p is not None and p.iso() == iso


def test_hijri_only_date_survives_export_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "h.txt"
    f.write_text(
        "Indus Chronicle\n\n3 Ramadan 1446\n\nA headline here\n\nBody text of the article.\n"
    )
    cli("ingest", str(f))
    original = cli("export").jsonl()
    assert original[0]["date_from"] == "hijri"
    dump = tmp_path / "d.jsonl"
    dump.write_text(json.dumps(original[0]) + "\n")
    monkeypatch.setenv("NEWSCLI_INDEX", str(tmp_path / "other"))
    cli("ingest", str(dump))
    again = cli("export").jsonl()[0]
    assert {k: v for k, v in again.items() if k != "ingested_at"} == {
        k: v for k, v in original[0].items() if k != "ingested_at"
    }


@pytest.mark.parametrize(
    "args",
    [
        ("search", "--since", "3000y"),
        ("search", "--since", "1000000d"),
        ("search", "--until", "99999"),
        ("similar", "0000000000000000", "-n", "-1"),
        ("facets", "--top", "-1"),
        ("stats", "--top", "-1"),
        ("search", "x", "--fields", "id,body"),
        ("search", "x", "--facets", "planet"),
    ],
)
def test_bad_values_are_usage_errors(sample: Path, args: tuple[str, ...]) -> None:
    r = cli(*args)
    assert r.code == 2
    assert r.err.startswith("newscli: error:") and "unexpected" not in r.err


def test_far_until_is_a_bound(sample: Path) -> None:
    r = cli("timeline", "--by", "year", "--until", "9998", "--format", "jsonl")
    assert r.code == 0
    rows = r.jsonl()
    assert len(rows) < 60 and sum(x["count"] for x in rows if x["period"] != "undated") > 0


def test_stopword_queries_agree(sample: Path) -> None:
    assert cli("search", "the").code == 1
    assert cli("search", "the", "--literal").code == 1


def test_minus_is_not_an_operator(sample: Path) -> None:
    r = cli("search", "Kashmir -Pakistan")
    assert r.code == 2 and "NOT Pakistan" in r.err
    assert cli("search", "U.S.-Taliban").code == 0  # a hyphen inside a word is fine


def test_accent_and_unicode_form_insensitive(sample: Path) -> None:
    import unicodedata

    plain = {h["id"] for h in cli("search", "Erdogan", "-n", "0").jsonl()}
    accented = {h["id"] for h in cli("search", "Erdoğan", "-n", "0").jsonl()}
    nfd = {
        h["id"] for h in cli("search", unicodedata.normalize("NFD", "Erdoğan"), "-n", "0").jsonl()
    }
    assert plain and plain == accented == nfd
    assert cli("search", "Turkiye").code == 0


def test_snippets_are_stable_across_processes(sample: Path) -> None:
    outs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "NEWSCLI_INDEX": str(sample)}
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "newscli",
                "search",
                "Kashmir",
                "-n",
                "3",
                "--fields",
                "snippet",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        outs.add(r.stdout)
    assert len(outs) == 1


def test_timeline_ids_prints_periods(sample: Path) -> None:
    r = cli("timeline", "--by", "year", "--since", "2024", "--until", "2025", "--format", "ids")
    assert r.out.split() == ["2024", "2025"]


def test_stats_top_zero_is_all(sample: Path) -> None:
    st = json.loads(cli("stats", "--top", "0", "--format", "json").out)
    assert len(st["sources"]) == 7


def test_table_shows_full_id_at_80_columns(sample: Path) -> None:
    hit = cli("search", "Kashmir", "-n", "1").jsonl()[0]
    r = cli("search", "Kashmir", "-n", "1", tty=True, width=80)
    assert hit["id"] in r.out


def test_show_accepts_upper_case_prefix(sample: Path) -> None:
    hit = cli("search", "Kashmir", "-n", "1").jsonl()[0]
    assert cli("show", hit["id"][:8].upper(), "--format", "json").json()["id"] == hit["id"]


def test_exclusive_date_range(sample: Path) -> None:
    inclusive = {h["id"] for h in cli("search", "date:[2023 to 2025]", "-n", "0").jsonl()}
    exclusive = {h["id"] for h in cli("search", "date:{2023 to 2025}", "-n", "0").jsonl()}
    only_2024 = {h["id"] for h in cli("search", "date:2024", "-n", "0").jsonl()}
    assert exclusive == only_2024 and exclusive < inclusive


@pytest.mark.parametrize(
    "name",
    ["a.txt", "a.", ".bashrc", "a", "a.b.JSONL", "..", "a..", ".a.txt", "x.tar.gz", "a. ", "ü.md"],
)
def test_walk_suffix_is_pathlib_suffix(name: str) -> None:
    from newscli.sources import _suffix

    assert _suffix(name) == Path(name).suffix


@pytest.mark.parametrize(
    "path", ["plain/path.txt", "tab\there.txt", "esc\x1b[31mred.txt", "bad\udcff.txt", "é.txt"]
)
def test_shown_fast_path_agrees_with_the_full_cleaning(path: str) -> None:
    """Printable ASCII paths skip the cleaning; every other path goes through it."""
    from newscli.parse.text import clean
    from newscli.sources import shown

    full = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    assert shown(path) == clean(full).replace("\n", " ")


# --- standard input read as it comes ------------------------------------------------------------


class _Trickle:
    """A pipe that hands over one byte per read1 (and everything at a plain read)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read1(self, n: int = -1) -> bytes:
        out, self.data = self.data[:1], self.data[1:]
        return out

    def read(self, n: int = -1) -> bytes:
        out, self.data = (self.data, b"") if n < 0 else (self.data[:n], self.data[n:])
        return out


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b'[\n  {"title": "A", "body": "B"}\n]\n', "json"),
        (b'\xef\xbb\xbf{\n  "title": "A",\n  "body": "B"\n}\n', "json"),
        (b'{"title": "A", "body": "B"}\n{"title": "C", "body": "D"}\n', "jsonl"),
        (b"[Updated] Pakistan and India talk\n\nBody.\n", "text"),
        (b"Meridian Times\n\n4 March 2024\n\nTalks\n\nBody.\n", "text"),
        (b'{"title": "A", "body": "B"}', "jsonl"),  # one record, no newline: the pipe ends
    ],
)
def test_a_pipe_is_sniffed_from_what_it_sent_first(data: bytes, fmt: str) -> None:
    from newscli.sources import Task, _tasks_from_stream

    tasks = list(_tasks_from_stream("<stdin>", _Trickle(data), "auto", size=None))  # type: ignore[arg-type]
    assert tasks and all(isinstance(t, Task) and t.fmt == fmt for t in tasks)
    assert b"".join(t.data for t in tasks if isinstance(t, Task)).replace(
        b"\n", b""
    ) == data.replace(b"\n", b"")


def test_json_lines_from_a_pipe_become_tasks_as_they_come() -> None:
    """The first record is a task before the writer sends the second: `tail -f | ingest -`."""
    import threading

    from newscli.sources import Task, _tasks_from_stream

    r, w = os.pipe()
    got_first = threading.Event()

    def writer() -> None:
        with os.fdopen(w, "wb") as fh:
            fh.write(b'{"title": "A", "body": "one"}\n')
            fh.flush()
            got_first.wait(timeout=10)
            fh.write(b'{"title": "B", "body": "two"}\n')

    t = threading.Thread(target=writer)
    t.start()
    seen: list[tuple[int, bool]] = []
    with os.fdopen(r, "rb") as fh:
        for task in _tasks_from_stream("<stdin>", fh, "auto", size=None):
            assert isinstance(task, Task)
            seen.append((task.first_line, got_first.is_set()))
            got_first.set()
    t.join()
    assert seen == [(1, False), (2, True)]
