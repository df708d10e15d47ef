"""Hostile and broken inputs: each one is reported with its path (and line), nothing else is lost,
the exit status says whether anything was rejected, and article text can never drive the terminal.
Property tests check that the pure parsers and the extractor only raise their documented exceptions."""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clitools import Result, cli
from newscli.errors import InputError
from newscli.extract import Extractor
from newscli.models import Article
from newscli.parse.dates import DateResult, parse_date_line
from newscli.parse.hijri import HijriProblem, parse_hijri_line
from newscli.parse.layouts import NotAnArticle, parse_text
from newscli.parse.records import parse_record
from newscli.parse.text import decode

# A good article ingested next to every hostile input: it must come through untouched.
GOOD_WORD = "zanzibarquokka"
GOOD_TEXT = (
    "The Indus Chronicle\n\nSaturday, November 23, 2024\n\nA perfectly ordinary headline\n\n"
    f"ISLAMABAD, Nov 23 (CNA): An ordinary body that mentions the {GOOD_WORD} once.\n"
)


def _summary(err: str) -> dict[str, int]:
    line = [ln for ln in err.splitlines() if " added, " in ln][-1]
    out = {}
    for key in ("added", "updated", "unchanged", "rejected", "warning(s)"):
        out[key.removesuffix("(s)")] = int(line.split(f" {key}")[0].rsplit(" ", 1)[-1].lstrip(":"))
    return out


def _rejections(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("newscli: rejected: ")]


def _warnings(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("newscli: ") and "warning: " in ln]


def _good(tmp_path: Path) -> Path:
    p = tmp_path / "good" / "good.txt"
    p.parent.mkdir(exist_ok=True)
    p.write_text(GOOD_TEXT, encoding="utf-8")
    return p


def _assert_good_searchable() -> None:
    r = cli("search", GOOD_WORD)
    assert r.code == 0, (r.err, r.out)
    assert [h["title"] for h in r.jsonl()] == ["A perfectly ordinary headline"]


def _assert_rejected(r: Result, where: str, *reason: str) -> str:
    """Exit 2, no traceback, exactly one rejection naming `where` (a path or path:LINE)."""
    assert r.code == 2, r.err
    assert "Traceback" not in r.err and "unexpected" not in r.err, r.err
    mine = [ln for ln in _rejections(r.err) if f"rejected: {where}: " in ln]
    assert len(mine) == 1, r.err
    for word in reason:
        assert word in mine[0], mine[0]
    return mine[0]


def _only_hit() -> dict[str, Any]:
    hits = cli("search", "*", "-n", "0").jsonl()
    assert len(hits) == 1, hits
    return hits[0]


def _show(article_id: str) -> dict[str, Any]:
    r = cli("show", article_id, "--format", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


# --- empty, binary and NUL-laden files ----------------------------------------------------------


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def _gzip() -> bytes:
    return gzip.compress(("Title: hidden\n\n" + "compressed article text " * 200).encode())


BAD_FILES = {
    "empty": (b"", "empty"),
    "whitespace-only": (b"  \n\t\n   \r\n\n \x0c\n", ""),
    "png": (_png(), "PNG"),
    "gzip": (_gzip(), "gzip"),
    "nul-bytes": (b"Title: Nul\n\n" + b"text with NULs \x00\x00\x00\x00 inside " * 40, "NUL"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_unusable_file_rejected_with_path_others_ingested(tmp_path: Path, kind: str) -> None:
    data, reason = BAD_FILES[kind]
    bad = tmp_path / f"{kind}.txt"
    bad.write_bytes(data)
    r = cli("ingest", str(bad), str(_good(tmp_path)))
    _assert_rejected(r, str(bad), reason)
    assert _summary(r.err)["added"] == 1 and _summary(r.err)["rejected"] == 1
    _assert_good_searchable()


@pytest.mark.parametrize("suffix", ["", ".json", ".jsonl"])
def test_binary_data_under_a_json_name_is_rejected(tmp_path: Path, suffix: str) -> None:
    bad = tmp_path / f"image{suffix}"
    bad.write_bytes(_png())
    r = cli("ingest", str(bad), str(_good(tmp_path)))
    assert r.code == 2, r.err
    assert "Traceback" not in r.err
    assert any(f"rejected: {bad}" in ln for ln in _rejections(r.err)), r.err
    _assert_good_searchable()


def test_a_stray_nul_byte_is_removed_not_stored(tmp_path: Path) -> None:
    f = tmp_path / "stray.txt"
    f.write_bytes(b"Title: Stray\x00 byte\nDate: 2024-01-02\n\nA body with one stray\x00 NUL.\n")
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    rec = _show(_only_hit()["id"])
    assert "\x00" not in rec["title"] + rec["body"]
    assert rec["title"] == "Stray byte"


# --- encodings ----------------------------------------------------------------------------------


def test_invalid_utf8_decoded_as_windows_1252_with_warning(tmp_path: Path) -> None:
    f = tmp_path / "mixed.txt"
    f.write_bytes(
        b"Title: Prices rise\nDate: 2024-01-02\n\n"
        b"Valid UTF-8 first: na\xc3\xafve. Then a stray \x93quoted\x94 word and \x8020 in cash.\n"
    )
    r = cli("ingest", str(f), str(_good(tmp_path)))
    assert r.code == 0, r.err
    mine = [w for w in _warnings(r.err) if str(f) in w]
    assert len(mine) == 1 and "Windows-1252" in mine[0] and "UTF-8" in mine[0], r.err
    assert _summary(r.err)["added"] == 2 and _summary(r.err)["rejected"] == 0
    hit = cli("search", "cash").jsonl()
    assert len(hit) == 1
    body = _show(hit[0]["id"])["body"]
    # Windows-1252: 0x93/0x94 are curly quotes, 0x80 the euro sign; the valid UTF-8 bytes are
    # decoded as Windows-1252 too (the whole file falls back), never dropped.
    assert "\u201cquoted\u201d" in body and "\u20ac20" in body
    assert "na\u00c3\u00afve" in body
    _assert_good_searchable()


def test_latin1_cafe_is_ingested_and_searchable(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes(
        "Title: Le café du coin\nDate: 2024-01-02\n\nOn a bu un café à Lyon.\n".encode("latin-1")
    )
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    assert any(str(f) in w for w in _warnings(r.err)), r.err
    hits = cli("search", "café").jsonl()
    assert [h["title"] for h in hits] == ["Le café du coin"]
    assert "café à Lyon" in _show(hits[0]["id"])["body"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_bom_encodings_ingested_with_correct_title(tmp_path: Path, encoding: str) -> None:
    text = "Title: Über die Grenze — Ürümqi talks\nDate: 2024-01-02\n\nGespräche über die Grenze.\n"
    data = text.encode(encoding)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    f = tmp_path / "bom.txt"
    f.write_bytes(bom + data)
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    assert _warnings(r.err) == [], r.err
    hit = _only_hit()
    assert hit["title"] == "Über die Grenze — Ürümqi talks"
    assert hit["date"] == "2024-01-02"
    assert cli("search", "Gespräche").code == 0


# --- size ---------------------------------------------------------------------------------------


def test_50mb_text_file_rejected_quickly_as_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    block = (
        b"Lorem ipsum dolor sit amet, a very long article indeed. " * 64 + b"\n"
    ) * 256  # ~0.9 MB
    with open(big, "wb") as fh:
        fh.write(b"Title: Enormous\nDate: 2024-01-02\n\n")
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(block)
    start = time.monotonic()
    r = cli("ingest", str(big), str(_good(tmp_path)))
    elapsed = time.monotonic() - start
    _assert_rejected(r, str(big), "too large")
    assert _summary(r.err)["added"] == 1
    # Generous: the file must be refused by its size, not read and parsed (that takes far longer).
    assert elapsed < 15, elapsed
    _assert_good_searchable()


def test_sparse_50mb_text_file_rejected_as_too_large(tmp_path: Path) -> None:
    big = tmp_path / "sparse.txt"
    with open(big, "wb") as fh:
        fh.write(b"Title: Sparse\nDate: 2024-01-02\n\nA body.\n")
        fh.truncate(50 * 1024 * 1024)
    r = cli("ingest", str(big), str(_good(tmp_path)))
    _assert_rejected(r, str(big), "too large")
    _assert_good_searchable()


def test_single_10000_character_line_article_is_ingested(tmp_path: Path) -> None:
    words = []
    i = 0
    while sum(len(w) + 1 for w in words) < 10_000 - 40:
        words.append(f"word{i}")
        i += 1
    line = " ".join([*words, "finalmarker"])
    line = line + " " + "x" * (10_000 - len(line) - 1)
    assert len(line) == 10_000 and "\n" not in line
    f = tmp_path / "oneline.txt"
    f.write_text(line, encoding="utf-8")
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    assert _summary(r.err)["added"] == 1
    hit = cli("search", "finalmarker").jsonl()
    assert len(hit) == 1
    rec = _show(hit[0]["id"])
    assert "finalmarker" in rec["title"] + rec["body"]
    assert "word0" in rec["title"] + rec["body"]


# --- JSON with wrong types, deep nesting, broken lines -----------------------------------------


def test_json_wrong_types_rejected_with_line_others_ingested(tmp_path: Path) -> None:
    f = tmp_path / "types.jsonl"
    lines = [
        {"title": "Epoch dated", "body": "date given as Unix seconds", "date": 1700000000},
        {"title": ["a", "list"], "body": "title is a list"},
        {"title": "Body is a dict", "body": {"text": "nested"}},
        {
            "title": "Epoch millis",
            "body": "date given as Unix milliseconds",
            "published": 1700000000000,
        },
        {"title": 42, "body": "title is a number"},
        {"title": "Last good one", "body": "still here"},
    ]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    r = cli("ingest", str(f), str(_good(tmp_path)))
    _assert_rejected(r, f"{f}:2", "field 'title' must be a string, not list")
    _assert_rejected(r, f"{f}:3", "field 'body' must be a string, not dict")
    _assert_rejected(r, f"{f}:5", "field 'title' must be a string, not int")
    assert _summary(r.err)["added"] == 4 and _summary(r.err)["rejected"] == 3
    hits = {h["title"]: h for h in cli("search", "*", "-n", "0").jsonl()}
    assert set(hits) == {
        "Epoch dated",
        "Epoch millis",
        "Last good one",
        "A perfectly ordinary headline",
    }
    assert hits["Epoch dated"]["date"] == "2023-11-14"
    assert hits["Epoch millis"]["date"] == "2023-11-14"
    _assert_good_searchable()


def test_json_document_with_wrong_type_rejected_with_path(tmp_path: Path) -> None:
    f = tmp_path / "one.json"
    f.write_text(json.dumps({"title": "ok", "body": {"a": 1}}), encoding="utf-8")
    r = cli("ingest", str(f), str(_good(tmp_path)))
    assert r.code == 2
    assert any(f"rejected: {f}" in ln and "'body'" in ln for ln in _rejections(r.err)), r.err
    _assert_good_searchable()


DEEP = {
    "10000-nested-lists": "[" * 10_000 + "]" * 10_000,
    "10000-nested-objects": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "deep-field": json.dumps(
        {"title": "Deep", "body": "b", "extra": json.loads("[" * 50 + "]" * 50)}
    ),
    "deep-title": '{"title":' + "[" * 10_000 + "]" * 10_000 + ', "body": "x"}',
    "unclosed-deep": "[" * 100_000,
}


@pytest.mark.parametrize("kind", list(DEEP))
def test_deeply_nested_jsonl_line_rejected_with_line_no_crash(tmp_path: Path, kind: str) -> None:
    f = tmp_path / "deep.jsonl"
    f.write_text(
        json.dumps({"title": "Before", "body": "line one"})
        + "\n"
        + DEEP[kind]
        + "\n"
        + json.dumps({"title": "After", "body": "line three"})
        + "\n",
        encoding="utf-8",
    )
    r = cli("ingest", str(f))
    _assert_rejected(r, f"{f}:2")
    assert "RecursionError" not in r.err
    assert _summary(r.err)["added"] == 2
    assert {h["title"] for h in cli("search", "*").jsonl()} == {"Before", "After"}


# A .txt file is text whatever its first character; --input-format json makes it JSON.
@pytest.mark.parametrize(("suffix", "extra"), [(".json", ()), (".txt", ("--input-format", "json"))])
def test_deeply_nested_json_document_rejected_no_crash(
    tmp_path: Path, suffix: str, extra: tuple[str, ...]
) -> None:
    f = tmp_path / f"deep{suffix}"
    f.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    good = _good(tmp_path)
    r = cli("ingest", *extra, str(f)) if extra else cli("ingest", str(f), str(good))
    if extra:
        cli("ingest", str(good))
    assert r.code == 2, r.err
    assert "Traceback" not in r.err and "RecursionError" not in r.err and "unexpected" not in r.err
    assert any(f"rejected: {f}" in ln for ln in _rejections(r.err)), r.err
    _assert_good_searchable()


def _nested(levels: int) -> dict[str, Any]:
    """A record `levels` deep, the record itself being level 1."""
    value: Any = 1
    for _ in range(levels - 1):
        value = [value]
    return {"title": f"Nested {levels}", "body": "b", "extra": value}


def test_nesting_limit_is_five_levels_as_documented(tmp_path: Path) -> None:
    f = tmp_path / "levels.jsonl"
    f.write_text(json.dumps(_nested(5)) + "\n" + json.dumps(_nested(6)) + "\n", encoding="utf-8")
    r = cli("ingest", str(f))
    _assert_rejected(r, f"{f}:2", "nested")
    assert [h["title"] for h in cli("search", "*").jsonl()] == ["Nested 5"]


def test_nesting_rejection_states_the_real_limit(tmp_path: Path) -> None:
    f = tmp_path / "levels.jsonl"
    f.write_text(json.dumps(_nested(6)) + "\n", encoding="utf-8")
    r = cli("ingest", str(f))
    _assert_rejected(r, f"{f}:1", "deeper than 5 levels")


def test_broken_jsonl_lines_among_good_ones(tmp_path: Path) -> None:
    f = tmp_path / "feed.ndjson"
    good = [json.dumps({"title": f"Good {n}", "body": f"good body {n}"}) for n in range(4)]
    lines = [
        good[0],  # 1
        "{not json",  # 2
        "",  # 3: blank lines are skipped, not rejected
        "[1, 2, 3]",  # 4: not an object
        good[1],  # 5
        '"just a string"',  # 6
        "null",  # 7
        '{"title": "truncated", "body": "cut off',  # 8
        good[2] + "\r",  # 9: CRLF line ending is fine
        "{}",  # 10: neither title nor body
        '{"title": "x", "body": "y"} trailing',  # 11
        "\ufeff" + good[3],  # 12: stray BOM mid-file
    ]
    f.write_text("\n".join(lines), encoding="utf-8")  # no final newline
    r = cli("ingest", str(f), str(_good(tmp_path)))
    for n in (2, 4, 6, 7, 8, 10, 11):
        _assert_rejected(r, f"{f}:{n}")
    assert not [ln for ln in _rejections(r.err) if f"{f}:3:" in ln or f"{f}:9:" in ln], r.err
    titles = {h["title"] for h in cli("search", "*", "-n", "0").jsonl()}
    assert {"Good 0", "Good 1", "Good 2"} <= titles
    _assert_good_searchable()


def test_jsonl_line_numbers_stay_right_across_chunks(tmp_path: Path) -> None:
    f = tmp_path / "long.jsonl"
    lines = [json.dumps({"title": f"Item {n}", "body": f"body {n}"}) for n in range(1, 1001)]
    lines[0] = "{bad first"
    lines[399] = "{bad 400"
    lines[400] = "{bad 401"
    lines[999] = "{bad last"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = cli("ingest", str(f))
    assert r.code == 2
    assert sorted(int(ln.split(f"{f}:")[1].split(":")[0]) for ln in _rejections(r.err)) == [
        1,
        400,
        401,
        1000,
    ]
    assert _summary(r.err)["added"] == 996


# --- dates --------------------------------------------------------------------------------------

BAD_DATES = ["31 February 2024", "0000-01-01", "9999-01-01", "1 January 9999"]


def _dated(layout: str, date_text: str) -> tuple[str, str]:
    if layout == "seed":
        return "txt", (
            f"The Indus Chronicle\n\n{date_text}\n\nTalks on an impossible day\n\n"
            "ISLAMABAD: Officials met to discuss the calendar.\n"
        )
    if layout == "header":
        return "txt", f"Title: Talks on an impossible day\nDate: {date_text}\n\nOfficials met.\n"
    return "jsonl", json.dumps(
        {"title": "Talks on an impossible day", "body": "Officials met.", "date": date_text}
    ) + "\n"


@pytest.mark.parametrize("layout", ["seed", "header", "jsonl"])
@pytest.mark.parametrize("date_text", BAD_DATES)
def test_impossible_date_ingested_undated_with_warning(
    tmp_path: Path, layout: str, date_text: str
) -> None:
    ext, content = _dated(layout, date_text)
    f = tmp_path / f"dated.{ext}"
    f.write_text(content, encoding="utf-8")
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    where = f"{f}:1:" if layout == "jsonl" else f"{f}:"
    mine = [w for w in _warnings(r.err) if f"newscli: {where} warning: " in w]
    assert len(mine) == 1, r.err
    assert date_text in mine[0]
    hit = _only_hit()
    assert hit["title"] == "Talks on an impossible day"
    assert hit["date"] is None and hit["published"] is None


@pytest.mark.parametrize("layout", ["seed", "header", "jsonl"])
def test_hijri_date_with_unknown_month_is_a_warning(tmp_path: Path, layout: str) -> None:
    hijri = "20 Foobar 1446 AH"
    if layout == "seed":
        name, content = (
            "h.txt",
            (
                f"The Indus Chronicle\n\nSaturday, November 23, 2024\n{hijri}\n\nA Hijri headline\n\n"
                "ISLAMABAD: The body of the article.\n"
            ),
        )
    elif layout == "header":
        name, content = (
            "h.txt",
            (
                f"Title: A Hijri headline\nDate: 2024-11-23\nHijri: {hijri}\n\nThe body of the article.\n"
            ),
        )
    else:
        name, content = (
            "h.jsonl",
            json.dumps(
                {
                    "title": "A Hijri headline",
                    "body": "The body.",
                    "date": "2024-11-23",
                    "hijri_date": hijri,
                }
            )
            + "\n",
        )
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    where = f"{f}:1:" if layout == "jsonl" else f"{f}:"
    mine = [w for w in _warnings(r.err) if f"newscli: {where} warning: " in w]
    assert len(mine) == 1 and "Foobar" in mine[0], r.err
    hit = _only_hit()
    assert hit["title"] == "A Hijri headline"
    assert hit["date"] == "2024-11-23" and hit["hijri"] is None


# --- folders, links, permissions, missing paths ------------------------------------------------


def test_symlink_loop_reported_real_files_ingested(tmp_path: Path) -> None:
    root = tmp_path / "news"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (root / "sub" / "b.txt").write_text(
        "Title: Second real file\nDate: 2024-01-03\n\nA second body.\n", encoding="utf-8"
    )
    os.symlink("..", root / "sub" / "loop")  # sub/loop -> news
    os.symlink("self.txt", root / "self.txt")  # a link to itself (ELOOP when followed)
    start = time.monotonic()
    r = cli("ingest", str(root))
    assert time.monotonic() - start < 60
    assert "Traceback" not in r.err and "unexpected" not in r.err, r.err
    loop_lines = [
        ln for ln in r.err.splitlines() if "loop" in ln and str(root / "sub" / "loop") in ln
    ]
    assert len(loop_lines) == 1, r.err
    assert any(str(root / "self.txt") in ln for ln in r.err.splitlines()), r.err
    s = _summary(r.err)
    assert s["added"] == 2
    assert r.code == (2 if s["rejected"] else 0)
    assert {h["title"] for h in cli("search", "*").jsonl()} == {
        "A perfectly ordinary headline",
        "Second real file",
    }


def test_unreadable_file_rejected_others_ingested(tmp_path: Path) -> None:
    bad = tmp_path / "secret.txt"
    bad.write_text("Title: Secret\n\nYou cannot read me.\n", encoding="utf-8")
    bad.chmod(0)
    try:
        if os.access(bad, os.R_OK):
            pytest.skip("running with privileges that read a mode-000 file (root)")
        r = cli("ingest", str(bad), str(_good(tmp_path)))
        _assert_rejected(r, str(bad), "cannot read")
        assert _summary(r.err)["added"] == 1
        _assert_good_searchable()
    finally:
        bad.chmod(0o644)


def test_unreadable_folder_reported_others_ingested(tmp_path: Path) -> None:
    root = tmp_path / "news"
    locked = root / "locked"
    locked.mkdir(parents=True)
    (locked / "x.txt").write_text("Title: Locked\n\nHidden.\n", encoding="utf-8")
    (root / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK | os.X_OK):
            pytest.skip("running with privileges that list a mode-000 folder (root)")
        r = cli("ingest", str(root))
        _assert_rejected(r, str(locked))
        assert _summary(r.err)["added"] == 1
        _assert_good_searchable()
    finally:
        locked.chmod(0o755)


def test_missing_path_rejected_others_ingested(tmp_path: Path) -> None:
    missing = tmp_path / "does" / "not" / "exist.txt"
    r = cli("ingest", str(missing), str(_good(tmp_path)))
    _assert_rejected(r, str(missing), "no such file or directory")
    assert _summary(r.err)["added"] == 1
    _assert_good_searchable()


def test_glob_matching_nothing_rejected(tmp_path: Path) -> None:
    pattern = str(tmp_path / "nothing-here" / "*.txt")
    r = cli("ingest", pattern, str(_good(tmp_path)))
    _assert_rejected(r, pattern, "no files match")
    _assert_good_searchable()


def _chmod_tree(root: Path, writable: bool) -> None:
    """chmod -R a-w (or u+w to undo)."""
    no_write = ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    paths = [root] + [Path(d) / n for d, dirs, files in os.walk(root) for n in [*dirs, *files]]
    for p in paths:
        mode = p.stat().st_mode
        p.chmod(mode | stat.S_IWUSR if writable else mode & no_write)


def test_read_only_index_fails_cleanly_and_still_opens(tmp_path: Path) -> None:
    index = Path(os.environ["NEWSCLI_INDEX"])
    assert cli("ingest", str(_good(tmp_path))).code == 0
    other = tmp_path / "other.txt"
    other.write_text(
        "Title: Another article\nDate: 2024-02-02\n\nAnother body.\n", encoding="utf-8"
    )
    _chmod_tree(index, writable=False)
    try:
        if os.access(index, os.W_OK):
            pytest.skip("running with privileges that write a read-only folder (root)")
        r = cli("ingest", str(other), "--wait", "1")
        assert r.code == 2, r.err
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("newscli: error: "), r.err
        assert "Traceback" not in r.err
        # an index error the user can act on, naming the folder, not an "unexpected" failure
        assert "unexpected" not in r.err and "NEWSCLI_DEBUG" not in r.err, r.err
        assert str(index) in r.err, r.err
        after = cli("search", "*")
        assert after.code == 0, after.err
        assert [h["title"] for h in after.jsonl()] == ["A perfectly ordinary headline"]
        _assert_good_searchable()
        assert cli("check").code == 0
    finally:
        _chmod_tree(index, writable=True)
    # once writable again, the same ingest works
    assert cli("ingest", str(other)).code == 0
    assert len(cli("search", "*").jsonl()) == 2


def test_non_utf8_file_name_does_not_lose_the_run(tmp_path: Path) -> None:
    root = tmp_path / "news"
    root.mkdir()
    (root / "a.txt").write_text(GOOD_TEXT, encoding="utf-8")
    odd = os.path.join(os.fsencode(root), b"caf\xe9-latin1-name.txt")
    with open(odd, "wb") as fh:
        fh.write(b"Title: Oddly named file\nDate: 2024-01-05\n\nThe name is not UTF-8.\n")
    r = cli("ingest", str(root))
    assert "unexpected" not in r.err and "Traceback" not in r.err, r.err
    s = _summary(r.err)
    assert r.code == (2 if s["rejected"] else 0)
    # Either ingested or rejected with its name; the other file in the run is never lost.
    assert s["added"] + s["rejected"] == 2
    _assert_good_searchable()


@pytest.mark.parametrize("kind", ["fifo", "char-device"])
def test_special_files_rejected_without_blocking(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        special = str(tmp_path / "pipe.txt")
        os.mkfifo(special)  # opening it for reading would block forever
    else:
        special = "/dev/zero"  # reading it would never end
        if not os.path.exists(special):
            pytest.skip("no /dev/zero")
    r = cli("ingest", special, str(_good(tmp_path)))
    _assert_rejected(r, special, "not a regular file")
    _assert_good_searchable()


def test_long_capitalised_token_does_not_hang_ingest(tmp_path: Path) -> None:
    """One 100,000-letter capitalised 'word' (a 0.1 MB article; 10 MB are allowed) must not stall
    ingest: run in a subprocess so that a hang fails the test instead of the suite."""
    f = tmp_path / "token.txt"
    f.write_text(
        "Title: A long token\nDate: 2024-01-02\n\n" + "A" * 100_000 + "\n", encoding="utf-8"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "newscli", "ingest", str(f)],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("ingest of one 100,000-letter capitalised token took more than 20 s")
    assert proc.returncode == 0, proc.stderr
    assert cli("search", "title:long").code == 0


# --- terminal safety ----------------------------------------------------------------------------

HOSTILE = (
    "Red \x1b[31malert\x1b[0m \x1b[2Jcleared "
    "\x1b]8;;http://evil.test\x07click\x1b]8;;\x07 "
    "ring\x07bell over\rwrite \x9b2Jcsi8 \x1b[?1049h "
    "[bold]x[/bold] [/] [link=http://evil.test]y[/link]"
)
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\r")
_RICH_SGR = re.compile(r"\x1b\[[0-9;]*m")


def _clean_output(out: str, what: str) -> None:
    for ch in FORBIDDEN:
        assert ch not in out, f"{what}: {ch!r} in {out!r}"


def _ingest_hostile(tmp_path: Path, kind: str) -> None:
    body = f"Mooncake summit. {HOSTILE}\n\nSecond paragraph: mooncake {HOSTILE} again."
    if kind == "text":
        f = tmp_path / "hostile.txt"
        # In a plain-text file a lone CR is a line break (old Mac files), so the header line gets none.
        title = HOSTILE.replace("\r", " ")
        f.write_text(
            f"Title: {title}\nSource: [red]Evil[/red] \x1b[1mTimes\nDate: 2024-03-04\n\n{body}\n"
        )
    else:
        f = tmp_path / "hostile.jsonl"
        rec = {
            "title": HOSTILE,
            "body": body,
            "source": "[red]Evil[/red] \x1b[1mTimes",
            "date": "2024-03-04",
            "author": "\x1b[2JMallory\x07",
            "url": "http://x.test/\x1b[31m",
        }
        f.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    _clean_output(r.err, "ingest stderr")


@pytest.mark.parametrize("kind", ["text", "jsonl"])
def test_control_sequences_never_reach_the_terminal(tmp_path: Path, kind: str) -> None:
    _ingest_hostile(tmp_path, kind)
    article_id = _only_hit()["id"]

    # Every machine format: raw stdout and every decoded string value are free of controls.
    for fmt in ("json", "jsonl", "csv", "tsv", "ids"):
        r = cli(
            "search",
            "mooncake",
            "--format",
            fmt,
            "--fields",
            ",".join(["id", "title", "source", "author", "url", "snippet", "dateline"])
            if fmt not in ("ids",)
            else "id",
        )
        assert r.code == 0, (fmt, r.err)
        _clean_output(r.out, f"search --format {fmt}")
        if fmt != "ids":
            assert "[bold]x[/bold]" in r.out and "[link=http://evil.test]y[/link]" in r.out, (
                fmt,
                r.out,
            )
    for rec in cli("search", "mooncake", "--format", "jsonl").jsonl():
        for v in rec.values():
            if isinstance(v, str):
                _clean_output(v, "search jsonl value")
    shown = cli("show", article_id, "--format", "json")
    assert shown.code == 0
    _clean_output(shown.out, "show --format json")
    rec = shown.json()
    for key in ("title", "body", "source", "author", "url"):
        if rec.get(key) is not None:
            _clean_output(rec[key], f"show json {key}")
    assert rec["title"].startswith("Red alert cleared click ringbell over write")
    assert "[bold]x[/bold] [/] [link=http://evil.test]y[/link]" in rec["title"]
    exported = cli("export")
    _clean_output(exported.out, "export")

    # Terminal output: no control sequences from the article, and markup printed literally.
    for no_color in (True, False):
        for args in (
            ("search", "mooncake", "--format", "table"),
            ("search", "mooncake"),
            ("show", article_id),
        ):
            r = cli(*args, tty=True, width=400, no_color=no_color)
            assert r.code == 0, (args, r.err)
            out = r.out if no_color else _RICH_SGR.sub("", r.out)
            _clean_output(out, f"{' '.join(args)} tty no_color={no_color}")
            assert "\x1b[31m" not in r.out and "\x1b[2J" not in r.out and "\x1b]" not in r.out
            assert "[bold]x[/bold]" in out, (args, out)
            assert "[/]" in out and "[link=http://evil.test]y[/link]" in out, (args, out)
            if args[0] == "show":
                assert "[red]Evil[/red] Times" in out, out


def _all_outputs_clean(article_id: str) -> None:
    for fmt in ("json", "jsonl", "csv", "tsv"):
        r = cli(
            "search",
            "*",
            "--format",
            fmt,
            "--fields",
            "id,title,path,hijri_date,hijri,url,source,author",
        )
        assert r.code == 0, r.err
        _clean_output(r.out, f"search --format {fmt}")
    r = cli("search", "*", "--format", "jsonl")
    _clean_output(r.out, "search --format jsonl (default fields)")
    r = cli("show", article_id, "--format", "json")
    _clean_output(r.out, "show --format json")
    for no_color in (True, False):
        r = cli("show", article_id, tty=True, width=400, no_color=no_color)
        _clean_output(r.out if no_color else _RICH_SGR.sub("", r.out), "show (tty)")
    _clean_output(cli("export").out, "export")


@pytest.mark.parametrize("field", ["path", "hijri_date"])
def test_control_sequences_in_other_json_fields_are_removed(tmp_path: Path, field: str) -> None:
    value = {
        "path": "news/\x9b2J\x1b[31mred\x07\r.txt",
        "hijri_date": "20 Ramadan 1446 \x9b2J \x1b[2J\x07",
    }[field]
    f = tmp_path / "fields.jsonl"
    f.write_text(
        json.dumps({"title": "Other fields", "body": "A body.", field: value}) + "\n",
        encoding="utf-8",
    )
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    hit = _only_hit()
    rec = _show(hit["id"])
    for key, v in rec.items():
        if isinstance(v, str):
            _clean_output(v, f"stored {key}")  # removed from all text at ingest
    _all_outputs_clean(hit["id"])


def test_control_characters_in_a_file_name_never_reach_stdout(tmp_path: Path) -> None:
    f = tmp_path / "evil\x1b[2J\x9b31m\x07name.txt"
    f.write_text("Title: Evil file name\nDate: 2024-01-02\n\nA body.\n", encoding="utf-8")
    r = cli("ingest", str(f))
    assert r.code == 0, r.err
    _clean_output(r.err, "ingest stderr")
    _all_outputs_clean(_only_hit()["id"])


@pytest.mark.parametrize(
    "kind",
    ["text", "jsonl"],
)
def test_article_of_nothing_but_control_characters_is_rejected(tmp_path: Path, kind: str) -> None:
    if kind == "text":
        f = tmp_path / "controls.txt"
        f.write_text(
            "\x1b[2J\x07\r\n\x1b]8;;http://evil.test\x07\x1b]8;;\x07\n\u200b\n", encoding="utf-8"
        )
        where = str(f)
    else:
        f = tmp_path / "controls.jsonl"
        f.write_text(
            json.dumps(
                {"title": "\x1b[2J\x07\u200b", "body": "\x1b[31m\r\x00\x1b]8;;http://evil.test\x07"}
            )
            + "\n",
            encoding="utf-8",
        )
        where = f"{f}:1"
    r = cli("ingest", str(f), str(_good(tmp_path)))
    _assert_rejected(r, where)
    assert [h["title"] for h in cli("search", "*", "-n", "0").jsonl()] == [
        "A perfectly ordinary headline"
    ]


# --- property tests: pure parsers raise only their documented exceptions -----------------------

PROPS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

FRAGMENTS = [
    "Saturday, November 23, 2024",
    "23 Nov 2024",
    "2024-11-23T10:15:00+05:00",
    "31 February 2024",
    "0000-01-01",
    "9999-12-31",
    "05/03/2024",
    "26-FEB-1987 15:01:01.79",
    "Published 7 February 2025, 10:42 pm",
    "March 3, 2025 at 9:30 a.m. PKT",
    "Sunday 2 March 2025 14.05 GMT",
    "Updated: 23/11/2024",
    "20 Jumada Al-Awwal 1446",
    "Jumada al-Awwal 12, 1446 AH",
    "20 Foobar 1446 AH",
    "31 Ramadan 1446",
    "3 Ramadan 99999",
    "0 Muharram 0",
    "Title: x",
    "Source: y",
    "Date: z",
    "Hijri: 1 Safar 1446",
    "By Staff Correspondent | Published 7 February 2025, 10:42 pm",
    "ISLAMABAD, Nov 23 (APP): text",
    "WASHINGTON (Reuters) - text",
    "\x1b[31m",
    "\x1b]8;;http://e\x07",
    "\r",
    "\x00",
    "\ufeff",
    "",
    "99999999999999999999",
    "1e400",
    "12:99 pm",
    "Nov 99, 2024",
    "2024-13-45",
    "29 Feb 1900",
]
lines_text = st.lists(st.one_of(st.text(max_size=80), st.sampled_from(FRAGMENTS)), max_size=12).map(
    "\n".join
)
any_text = st.one_of(st.text(max_size=300), lines_text)

KEYS = [
    "title",
    "headline",
    "name",
    "body",
    "text",
    "content",
    "published",
    "date",
    "timestamp",
    "pubDate",
    "source",
    "outlet",
    "url",
    "link",
    "id",
    "_id",
    "guid",
    "author",
    "authors",
    "byline",
    "dateline",
    "hijri_date",
    "hijri",
    "path",
]
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(FRAGMENTS),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=20,
)
records = st.one_of(json_values, st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8))


@PROPS
@given(text=any_text, dayfirst=st.booleans(), path=st.one_of(st.none(), st.text(max_size=20)))
def test_parse_text_raises_only_not_an_article(text: str, dayfirst: bool, path: str | None) -> None:
    try:
        parsed = parse_text(text, path=path, dayfirst=dayfirst)
    except NotAnArticle:
        return
    _clean_output(parsed.article.title + parsed.article.body, "parse_text title/body")
    assert "\x00" not in parsed.article.title + parsed.article.body


@PROPS
@given(obj=records, dayfirst=st.booleans())
def test_parse_record_raises_only_not_an_article(obj: object, dayfirst: bool) -> None:
    try:
        parsed = parse_record(obj, dayfirst=dayfirst)
    except NotAnArticle:
        return
    _clean_output(parsed.article.title + parsed.article.body, "parse_record title/body")


@PROPS
@given(line=any_text, dayfirst=st.booleans())
def test_parse_date_line_never_raises(line: str, dayfirst: bool) -> None:
    assert isinstance(parse_date_line(line, dayfirst=dayfirst), DateResult)


@PROPS
@given(line=any_text)
def test_parse_hijri_line_raises_only_hijri_problem(line: str) -> None:
    with contextlib.suppress(HijriProblem):
        parse_hijri_line(line)


PREFIXES = [
    b"",
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    b"\x89PNG",
    b"\x1f\x8b",
    b"PK\x03\x04",
    b"%PDF",
    b"\x00\x00\x00",
]


@PROPS
@given(prefix=st.sampled_from(PREFIXES), data=st.binary(max_size=400))
def test_decode_raises_only_input_error(prefix: bytes, data: bytes) -> None:
    with contextlib.suppress(InputError):
        text, _note = decode(prefix + data)
        assert isinstance(text, str)


EXTRACTOR = Extractor.load()


@PROPS
@given(title=any_text, body=any_text)
def test_extractor_never_raises(title: str, body: str) -> None:
    EXTRACTOR.extract(Article(title=title, body=body))
