"""Gregorian date lines: every format the brief names, day-first rule, impossible dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newscli.parse.dates import byline_date, parse_date_line, parse_date_value


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Saturday, November 23, 2024", "2024-11-23"),
        ("23 Nov 2024", "2024-11-23"),
        ("Nov. 23, 2024", "2024-11-23"),
        ("2024-11-23T10:15:00+05:00", "2024-11-23T10:15:00+05:00"),
        ("Sunday 2 March 2025 14.05 GMT", "2025-03-02T14:05:00+00:00"),
        ("Updated: 23/11/2024", "2024-11-23"),
        ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01.790000"),
        ("26-FEB-1987 15:01:01.79 (archived copy)", "1987-02-26T15:01:01.790000"),
        ("Published 7 February 2025, 10:42 pm", "2025-02-07T22:42:00"),
        ("March 3, 2025 at 9:30 a.m. PKT", "2025-03-03T09:30:00+05:00"),
        ("Last updated on 5 Jan 2023", "2023-01-05"),
        ("1st December 2022", "2022-12-01"),
    ],
)
def test_date_formats(line: str, iso: str) -> None:
    res = parse_date_line(line)
    assert res.problem is None
    assert res.published is not None
    assert res.published.iso() == iso


def test_day_first_by_default_and_switchable() -> None:
    first = parse_date_line("05/03/2024").published
    assert first is not None and first.iso() == "2024-03-05"
    month_first = parse_date_line("05/03/2024", dayfirst=False).published
    assert month_first is not None and month_first.iso() == "2024-05-03"


def test_keeps_offset() -> None:
    p = parse_date_line("2024-11-23T10:15:00+05:00").published
    assert p is not None
    assert p.value.utcoffset() == timedelta(hours=5)
    assert p.has_time


@pytest.mark.parametrize("line", ["31 February 2024", "0000-01-01", "1 Jan 9999", "30/02/2021"])
def test_impossible_dates_are_problems_not_dates(line: str) -> None:
    res = parse_date_line(line)
    assert res.published is None
    assert res.problem and line.split()[0] in res.problem


@pytest.mark.parametrize(
    "line",
    [
        "Pakistan and Russia agree to expand energy cooperation",
        "Talks set for 23 Nov 2024 as leaders meet in the capital again today for hours",
        "3 Ramadan 1446",
        "The talks on October 4 last year",
        "",
    ],
)
def test_not_date_lines(line: str) -> None:
    res = parse_date_line(line)
    assert res.published is None and res.problem is None


def test_byline_split() -> None:
    author, res = byline_date("By Staff Correspondent | Published 7 February 2025, 10:42 pm")
    assert author == "Staff Correspondent"
    assert res.published is not None and res.published.iso() == "2025-02-07T22:42:00"


def test_values_from_json() -> None:
    p = parse_date_value(1700000000).published
    assert p is not None and p.value == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    p2 = parse_date_value("2024-11-23").published
    assert p2 is not None and p2.iso() == "2024-11-23" and not p2.has_time
    assert parse_date_value(["2024"]).problem
    assert parse_date_value("sometime soon").problem


MONTH_SPELLINGS = [
    *"jan january feb february mar march apr april may jun june jul july aug august".split(),
    *"sep sept september oct october nov november dec december".split(),
]


def test_fast_path_agrees_with_dateutil(monkeypatch: pytest.MonkeyPatch) -> None:
    """Day-month-year lines skip dateutil; every spelling DATE_LINE accepts gives the same result."""
    from newscli.parse import dates

    lines = []
    for spelling in MONTH_SPELLINGS:
        for month in {spelling, spelling.title(), spelling.upper(), spelling.title() + "."}:
            for day in (0, 1, 2, 9, 13, 28, 29, 30, 31, 32):
                for year in (1799, 1900, 2000, 2023, 2024, 2099):
                    suffix = {1: "st", 2: "nd"}.get(day, "th")
                    lines += [
                        f"{day} {month} {year}",
                        f"{day}{suffix} {month}, {year}",
                        f"Saturday, {month} {day}, {year}",
                        f"{month} {day}{suffix} {year}",
                    ]
    assert len(lines) > 20_000
    fast = [dates.parse_date_line(line) for line in lines]
    monkeypatch.setattr(dates, "FAST_DATES", False)
    slow = [dates.parse_date_line(line) for line in lines]
    assert fast == slow
    found = sum(1 for r in fast if r.published)
    assert 10_000 < found < len(lines)  # impossible days and years were among them
    assert sum(1 for r in fast if r.problem) > 1_000
    assert dates._fast_date("Nov. 23rd, 2024") == datetime(2024, 11, 23)  # the path was taken
    assert dates._fast_date("31 June 2024") is None  # left to dateutil and its message
