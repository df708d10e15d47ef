"""search / show / stats on the ingested sample_data: filters, formats, exit codes, JSON contract."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from clitools import cli
from conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("idx") / "index"
    r = cli("ingest", "--index", str(path), str(SAMPLE))
    assert r.code == 0, r.err
    return str(path)


@pytest.fixture(autouse=True)
def _use_sample(sample_index: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCLI_INDEX", sample_index)


def all_records() -> list[dict[str, Any]]:
    r = cli("export")
    assert r.code == 0
    return r.jsonl()


def labelled(labels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return labels


CONTRACT = {
    "id",
    "title",
    "source",
    "date",
    "published",
    "hijri_date",
    "dateline",
    "countries",
    "officials",
    "path",
    "url",
    "score",
    "snippet",
}


def test_kashmir_jsonl_contract(sample_labels: list[dict[str, Any]]) -> None:
    r = cli("search", "Kashmir", "--limit", "0")
    assert r.code == 0
    hits = r.jsonl()
    assert hits
    for h in hits:
        assert set(h) >= CONTRACT
        assert h["date"] is None or len(h["date"]) == 10
        assert all(set(c) >= {"code", "name"} for c in h["countries"])
        assert all(set(o) >= {"name", "title"} for o in h["officials"])
        assert "kashmir" in (h["title"] + " " + h["snippet"]).lower()
    # every article whose text says Kashmir is found
    texts = [rec for rec in all_records() if "kashmir" in (rec["title"] + rec["body"]).lower()]
    assert {h["id"] for h in hits} == {t["id"] for t in texts}


def test_no_hits_exit_1_and_empty_json() -> None:
    r = cli("search", "zzzzunfindable", "--format", "json")
    assert r.code == 1
    assert r.json() == []
    assert cli("search", "zzzzunfindable").out == ""


def test_error_exit_2_one_line() -> None:
    r = cli("search", "x", "--since", "2024-13")
    assert r.code == 2
    assert r.err.startswith("newscli: error: ") and r.err.count("\n") == 1


def test_since_until_inclusive(
    sample_labels: list[dict[str, Any]], eval_labels: list[dict[str, Any]]
) -> None:
    labels = sample_labels + eval_labels
    want = {
        lab["title"]
        for lab in labels
        if lab["date"] and "2024-01-01" <= lab["date"] <= "2024-12-31"
    }
    got = {
        h["title"]
        for h in cli("search", "*", "--since", "2024", "--until", "2024", "--limit", "0").jsonl()
    }
    assert got == want
    want_m = {lab["title"] for lab in labels if lab["date"] and lab["date"].startswith("2024-11")}
    got_m = {
        h["title"]
        for h in cli("search", "--since", "2024-11", "--until", "2024-11", "-n", "0").jsonl()
    }
    assert got_m == want_m and want_m
    day = next(lab["date"] for lab in labels if lab["date"])
    got_d = {h["date"] for h in cli("search", "--since", day, "--until", day, "-n", "0").jsonl()}
    assert got_d == {day}


def test_country_filter_any_spelling() -> None:
    recs = all_records()
    want = {r["id"] for r in recs if any(c["code"] == "PK" for c in r["countries"])}
    assert want
    for spelling in ("PK", "pk", "pakistan", "Pakistan", "Islamic Republic of Pakistan"):
        got = {h["id"] for h in cli("search", "--country", spelling, "-n", "0").jsonl()}
        assert got == want, spelling
    us = {r["id"] for r in recs if any(c["code"] == "US" for c in r["countries"])}
    assert {h["id"] for h in cli("search", "--country", "U.S.", "-n", "0").jsonl()} == us


def test_country_flags_repeat_is_and_comma_is_or() -> None:
    recs = all_records()

    def has(r: dict[str, Any], code: str) -> bool:
        return any(c["code"] == code for c in r["countries"])

    both = {r["id"] for r in recs if has(r, "PK") and has(r, "IN")}
    either = {r["id"] for r in recs if has(r, "PK") or has(r, "IN")}
    assert both and either - both
    assert {h["id"] for h in cli("search", "-c", "PK", "-c", "IN", "-n", "0").jsonl()} == both
    assert {h["id"] for h in cli("search", "-c", "PK,IN", "-n", "0").jsonl()} == either


def test_unknown_country_is_an_error() -> None:
    r = cli("search", "--country", "Atlantis")
    assert r.code == 2 and "Atlantis" in r.err


def test_official_filter_full_name_surname_any_case() -> None:
    recs = all_records()
    want = {
        r["id"] for r in recs if any(o["name"] == "Shah Mahmood Qureshi" for o in r["officials"])
    }
    assert want
    for v in ("Shah Mahmood Qureshi", "shah mahmood qureshi", "Qureshi", "QURESHI"):
        assert {h["id"] for h in cli("search", "--official", v, "-n", "0").jsonl()} == want, v


def test_source_filter_any_case() -> None:
    recs = all_records()
    want = {r["id"] for r in recs if r["source"] == "Meridian Times"}
    assert want
    assert {h["id"] for h in cli("search", "--source", "meridian times", "-n", "0").jsonl()} == want
    two = {r["id"] for r in recs if r["source"] in ("Meridian Times", "Northern Ledger")}
    assert {
        h["id"] for h in cli("search", "-s", "Meridian Times,northern ledger", "-n", "0").jsonl()
    } == two


def test_limit_offset_sort() -> None:
    dated = cli("search", "*", "--sort", "-date", "-n", "0").jsonl()
    dates = [h["date"] for h in dated]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True)
    assert dates.index(None) > len(known) - 1 if None in dates else True  # undated come last
    asc = [h["date"] for h in cli("search", "*", "--sort", "date", "-n", "0").jsonl()]
    assert [d for d in asc if d] == sorted(known)
    assert asc[-1] is None  # undated last in ascending order too
    page2 = cli("search", "*", "--sort", "-date", "--limit", "5", "--offset", "5").jsonl()
    assert [h["id"] for h in page2] == [h["id"] for h in dated[5:10]]
    assert len(cli("search", "*").jsonl()) == 10


def test_exit_code_follows_matches_not_the_page() -> None:
    """Machine formats skip the exact total; the exit code must still say whether anything matched."""
    n = int(cli("search", "Kashmir", "--count").out)
    past_the_end = cli("search", "Kashmir", "--offset", str(n + 5), "--format", "jsonl")
    assert past_the_end.code == 0 and past_the_end.out == ""
    assert cli("search", "zzzzunfindable", "--format", "jsonl").code == 1
    assert cli("search", "zzzzunfindable", "--country", "PK", "--format", "ids").code == 1
    table = cli("search", "Kashmir", "--format", "table", "-n", "2")
    assert table.code == 0 and f"1-2 of {n} hits" in table.out  # the table shows the exact total


def test_count() -> None:
    n = len(cli("search", "Kashmir", "-n", "0").jsonl())
    r = cli("search", "Kashmir", "--count")
    assert r.code == 0 and r.out.strip() == str(n)
    assert cli("search", "zzzzunfindable", "--count").out.strip() == "0"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "ids"])
def test_formats_parse_back(fmt: str) -> None:
    r = cli("search", "Kashmir", "-n", "0", "--format", fmt)
    assert r.code == 0
    ids = {h["id"] for h in cli("search", "Kashmir", "-n", "0").jsonl()}
    if fmt == "json":
        got = {h["id"] for h in json.loads(r.out)}
    elif fmt == "jsonl":
        got = {json.loads(line)["id"] for line in r.out.splitlines()}
    elif fmt == "csv":
        got = {row["id"] for row in csv.DictReader(io.StringIO(r.out))}
    elif fmt == "tsv":
        got = {row["id"] for row in csv.DictReader(io.StringIO(r.out), delimiter="\t")}
    else:
        got = set(r.out.split())
    assert got == ids


def test_fields_and_no_headers() -> None:
    r = cli("search", "Kashmir", "--format", "csv", "--fields", "id,date,title", "--no-headers")
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows and all(len(row) == 3 for row in rows)
    assert rows[0][0] != "id"
    j = cli("search", "Kashmir", "--format", "jsonl", "--fields", "id,title").jsonl()
    assert all(set(h) == {"id", "title"} for h in j)
    assert cli("search", "x", "--fields", "nope").code == 2


def test_table_on_tty_highlights_and_counts() -> None:
    r = cli("search", "Kashmir", tty=True, width=200)
    assert r.code == 0
    assert "Kashmir" in r.out
    assert "hits" in r.out


def test_show_and_prefix() -> None:
    hit = cli("search", "Kashmir", "-n", "1").jsonl()[0]
    full = cli("show", hit["id"], "--format", "json")
    assert full.code == 0
    rec = full.json()
    assert rec["id"] == hit["id"] and rec["body"]
    assert cli("show", hit["id"][:8], "--format", "json").json()["id"] == hit["id"]
    assert cli("show", "ffffffffffffffff").code == 1
    view = cli("show", hit["id"], tty=True)
    assert rec["title"][:30] in view.out


def test_stats() -> None:
    st = json.loads(cli("stats", "--format", "json").out)
    recs = all_records()
    assert st["articles"] == len(recs)
    dates = sorted(r["date"] for r in recs if r["date"])
    assert (st["first_date"], st["last_date"]) == (dates[0], dates[-1])
    assert st["undated"] == sum(1 for r in recs if not r["date"])
    assert st["countries"] and st["officials"] and st["sources"]


def test_missing_index_is_error(tmp_path: Path) -> None:
    r = cli("search", "x", "--index", str(tmp_path / "none"))
    assert r.code == 2 and "no index" in r.err


@pytest.mark.parametrize(
    "args",
    [
        ("Kashmir", "--country", "BR"),
        ("Kashmir", "--country", "PK"),
        ("minister", "--since", "2030"),
        ("minister", "--source", "Meridian Times"),
        ("*", "--official", "Qureshi"),
        ("Kashmir", "--no-snippet", "--country", "IN"),
    ],
)
def test_total_and_exit_code_agree_with_filters(args: tuple[str, ...]) -> None:
    hits = cli("search", *args, "-n", "0")
    count = cli("search", *args, "--count")
    n = len(hits.jsonl())
    assert int(count.out) == n
    assert hits.code == count.code == (0 if n else 1)
    table = cli("search", *args, tty=True, width=200)
    assert table.code == hits.code
    if n:
        assert f"of {n} hits" in table.out
