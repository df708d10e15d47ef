"""Facets, timelines, query language, relative dates, export round trip, delete, similar."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from clitools import cli
from conftest import SAMPLE
from newscli.query import parse_when


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("idx") / "index"
    assert cli("ingest", "--index", str(path), str(SAMPLE)).code == 0
    return str(path)


@pytest.fixture(autouse=True)
def _use_sample(sample_index: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCLI_INDEX", sample_index)


def export(*args: str) -> list[dict[str, Any]]:
    r = cli("export", *args)
    assert r.code in (0, 1), r.err
    return r.jsonl()


def facet_rows(*args: str) -> dict[str, int]:
    r = cli("facets", *args, "--top", "0", "--format", "jsonl")
    assert r.code == 0, r.err
    return {row["value"]: row["count"] for row in r.jsonl()}


# --- facets -------------------------------------------------------------------------------------


def test_country_facets_equal_counts_from_export() -> None:
    want = Counter(c["code"] for rec in export() for c in rec["countries"])
    assert facet_rows("--by", "country") == dict(want)


def test_official_facets_with_query_and_filter_equal_export() -> None:
    recs = export("Kashmir", "--country", "PK")
    want = Counter(o["name"] for rec in recs for o in rec["officials"])
    assert facet_rows("Kashmir", "--by", "official", "--country", "PK") == dict(want)


@pytest.mark.parametrize(("by", "width"), [("year", 4), ("month", 7), ("day", 10)])
def test_period_facets_equal_export(by: str, width: int) -> None:
    want = Counter(rec["date"][:width] for rec in export() if rec["date"])
    assert facet_rows("--by", by) == dict(want)


def test_source_facets_and_pairs() -> None:
    recs = export()
    assert facet_rows("--by", "source") == dict(Counter(r["source"] for r in recs if r["source"]))
    pairs: Counter[str] = Counter()
    for r in recs:
        codes = sorted(c["code"] for c in r["countries"])
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                pairs[f"{a} + {b}"] += 1
    assert facet_rows("--by", "country-pair") == dict(pairs)


def test_hijri_month_facet_and_filter() -> None:
    rows = facet_rows("--by", "hijri-month")
    assert rows
    month, n = next(iter(sorted(rows.items(), key=lambda kv: -kv[1])))
    hits = cli("search", "--hijri", month, "-n", "0").jsonl()
    assert len(hits) == n
    year = month[:4]
    assert len(cli("search", "--hijri", year, "-n", "0").jsonl()) == sum(
        v for k, v in rows.items() if k.startswith(year)
    )


def test_facets_csv_and_table() -> None:
    r = cli("facets", "--by", "country", "--format", "csv", "--top", "3")
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert len(rows) == 3 and set(rows[0]) == {"value", "label", "count"}
    t = cli("facets", "--by", "country", tty=True)
    assert "█" in t.out
    s = cli("search", "Kashmir", "--facets", "country,official", tty=True, width=200)
    assert s.code == 0 and "by country" in s.out and "by official" in s.out


def test_bad_by_is_usage_error() -> None:
    assert cli("facets", "--by", "planet").code == 2


# --- timeline -----------------------------------------------------------------------------------


def test_timeline_sums_to_dated_hits_and_fills_gaps() -> None:
    recs = export("Kashmir")
    dated = [r for r in recs if r["date"]]
    rows = cli("timeline", "Kashmir", "--by", "year", "--format", "jsonl").jsonl()
    periods = [r for r in rows if r["period"] != "undated"]
    assert sum(r["count"] for r in periods) == len(dated)
    years = [int(r["period"]) for r in periods]
    assert years == list(range(min(years), max(years) + 1))  # empty years are present, as zero
    undated = [r for r in rows if r["period"] == "undated"]
    assert (undated[0]["count"] if undated else 0) == len(recs) - len(dated)


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_timeline_other_periods_sum(by: str) -> None:
    recs = export()
    rows = cli(
        "timeline", "--by", by, "--since", "2024-01-01", "--until", "2024-12-31", "--format", "csv"
    ).out
    body = list(csv.DictReader(io.StringIO(rows)))
    assert sum(int(r["count"]) for r in body) == sum(
        1 for r in recs if r["date"] and r["date"].startswith("2024")
    )
    if by == "month":
        assert [r["period"] for r in body] == [f"2024-{m:02d}" for m in range(1, 13)]


# --- query language ------------------------------------------------------------------------------


def ids(*args: str) -> set[str]:
    r = cli("search", *args, "-n", "0")
    assert r.code in (0, 1), r.err
    return {h["id"] for h in r.jsonl()}


def test_boolean_operators_and_phrases() -> None:
    kashmir, pak = ids("Kashmir"), ids("Pakistan")
    assert ids("Kashmir AND Pakistan") == kashmir & pak
    assert ids("Kashmir Pakistan") == kashmir & pak  # default AND
    assert ids("Kashmir OR Pakistan") == kashmir | pak
    assert ids("Kashmir NOT Pakistan") == kashmir - pak
    assert ids("(Kashmir OR Taliban) AND Pakistan") == (kashmir | ids("Taliban")) & pak
    phrase = ids('"foreign minister"')
    assert phrase and phrase <= ids("foreign minister")


def test_field_queries() -> None:
    recs = export()
    pk = {r["id"] for r in recs if any(c["code"] == "PK" for c in r["countries"])}
    assert ids("country:PK") == pk
    assert ids("country:pakistan") == pk
    lavrov = {r["id"] for r in recs if any(o["name"] == "Sergey Lavrov" for o in r["officials"])}
    assert lavrov and ids('official:"Sergey Lavrov"') == lavrov
    meridian = {r["id"] for r in recs if r["source"] == "Meridian Times"}
    assert ids('source:"meridian times"') == meridian
    in_2024 = {r["id"] for r in recs if r["date"] and "2024-01" <= r["date"][:7] <= "2024-06"}
    assert ids("date:[2024-01 to 2024-06]") == in_2024
    kashmir_titles = {r["id"] for r in recs if "kashmir" in r["title"].lower()}
    assert ids("title:Kashmir") == kashmir_titles


def test_wildcards_fuzzy_and_quotes() -> None:
    assert ids("Kashm*") >= ids("Kashmir")
    assert ids("Kashmer~") >= ids("Kashmir")
    assert ids("“foreign minister”") == ids('"foreign minister"')  # curly quotes normalised


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ('"unclosed phrase', "column 1"),
        ("(Kashmir OR Pakistan", "unclosed"),
        ("Kashmir)", "column 8"),
        ("Kashmir AND", "column 9"),
        ("planet:Mars", "unknown field"),
        ("OR Kashmir", "column 1"),
    ],
)
def test_parse_errors_exit_2_and_say_where(query: str, where: str) -> None:
    r = cli("search", query)
    assert r.code == 2
    assert where in r.err and r.err.startswith("newscli: error: query error")


def test_literal_searches_words_as_typed() -> None:
    r = cli("search", "Kashmir AND", "--literal", "-n", "0")
    assert r.code == 0
    assert {h["id"] for h in r.jsonl()} == ids("Kashmir")


@pytest.mark.parametrize(
    ("value", "days"),
    [("7d", 7), ("2w", 14), ("today", 0), ("yesterday", 1)],
)
def test_relative_dates(value: str, days: int) -> None:
    today = date(2026, 11, 28)
    assert parse_when(value, end=False, today=today) == today - timedelta(days=days)


def test_relative_months_years() -> None:
    today = date(2026, 3, 31)
    assert parse_when("3m", end=False, today=today) == date(2025, 12, 31)
    assert parse_when("1m", end=False, today=today) == date(2026, 2, 28)
    assert parse_when("1y", end=False, today=today) == date(2025, 3, 31)


def test_month_ends_match_the_calendar_module() -> None:
    """query._month_days replaces calendar.monthrange (not imported at start-up): every month of
    years around each leap-year rule, through parse_when's month-end and month arithmetic."""
    import calendar

    from newscli.query import _month_days

    for year in (1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9998):
        for month in range(1, 13):
            assert _month_days(year, month) == calendar.monthrange(year, month)[1]
            end = parse_when(f"{year:04d}-{month:02d}", end=True)
            assert end == date(year, month, calendar.monthrange(year, month)[1])
    for month in (0, 13):
        with pytest.raises(ValueError):
            _month_days(2024, month)
    assert cli("search", "--since", "2024-13").code == 2
    today = date(2024, 2, 29)
    assert parse_when("12m", end=False, today=today) == date(2023, 2, 28)
    assert parse_when("48m", end=False, today=today) == date(2020, 2, 29)


def test_relative_since_in_cli_matches_absolute() -> None:
    today = date.today()
    since = parse_when("10y", end=False, today=today).isoformat()
    assert ids("--since", "10y") == ids("--since", since)
    assert cli("search", "--since", "soon").code == 2


# --- export / ingest round trip, delete, similar ----------------------------------------------


def _comparable(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k not in ("ingested_at",)}


def test_export_ingest_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = export()
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in original))
    other = tmp_path / "other"
    r = cli("ingest", "--index", str(other), str(dump))
    assert r.code == 0, r.err
    monkeypatch.setenv("NEWSCLI_INDEX", str(other))
    again = export()
    assert sorted(map(json.dumps, map(_comparable, again))) == sorted(
        map(json.dumps, map(_comparable, original))
    )


def test_delete_by_id_and_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    idx = tmp_path / "del"
    assert cli("ingest", "--index", str(idx), str(SAMPLE / "misc")).code == 0
    monkeypatch.setenv("NEWSCLI_INDEX", str(idx))
    all_ids = ids("*")
    victim = sorted(all_ids)[0]
    r = cli("delete", victim)
    assert r.code == 0 and "deleted 1" in r.err
    assert ids("*") == all_ids - {victim}
    kashmir = ids("Kashmir")
    assert kashmir
    refused = cli("delete", "--query", "Kashmir")
    assert refused.code == 2 and "--yes" in refused.err
    assert cli("delete", "--query", "Kashmir", "--yes").code == 0
    assert ids("*") == all_ids - {victim} - kashmir
    # counts skip deleted documents, with and without a query
    recs = export()
    assert facet_rows("--by", "country") == dict(
        Counter(c["code"] for r in recs for c in r["countries"])
    )
    st = json.loads(cli("stats", "--format", "json").out)
    assert st["articles"] == len(recs) == len(all_ids) - 1 - len(kashmir)
    assert sum(
        r["count"] for r in cli("timeline", "--by", "year", "--format", "jsonl").jsonl()
    ) == len(recs)


def test_similar() -> None:
    seed = cli("search", "Kashmir", "-n", "1").jsonl()[0]
    r = cli("similar", seed["id"], "--limit", "3")
    assert r.code == 0
    hits = r.jsonl()
    assert 0 < len(hits) <= 3 and seed["id"] not in {h["id"] for h in hits}
