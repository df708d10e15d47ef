"""Hijri date lines: spellings, Umm al-Qura conversion, bad months."""

from __future__ import annotations

from datetime import date

import pytest

from newscli.parse.hijri import HijriProblem, month_number, parse_hijri_line


@pytest.mark.parametrize(
    ("line", "ymd", "greg"),
    [
        ("20 Jumada Al-Awwal 1446", (1446, 5, 20), date(2024, 11, 22)),
        ("Jumada al-Awwal 12, 1446 AH", (1446, 5, 12), date(2024, 11, 14)),
        ("3 Ramadan 1446", (1446, 9, 3), date(2025, 3, 3)),
        ("1 Muharram 1447", (1447, 1, 1), date(2025, 6, 26)),
        ("10 Dhul Hijjah 1445 AH", (1445, 12, 10), date(2024, 6, 16)),
    ],
)
def test_parse_and_convert(line: str, ymd: tuple[int, int, int], greg: date) -> None:
    h = parse_hijri_line(line)
    assert h is not None
    assert (h.year, h.month, h.day) == ymd
    assert h.gregorian == greg
    assert h.text == line


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("Muharram", 1),
        ("Moharram", 1),
        ("Safar", 2),
        ("Rabi al-Awwal", 3),
        ("Rabi ul Awal", 3),
        ("Rabi' al-Thani", 4),
        ("Rabi ul Akhir", 4),
        ("Rabi II", 4),
        ("Jumada al-Ula", 5),
        ("Jamadi ul Awal", 5),
        ("Jumada I", 5),
        ("Jumada al-Akhirah", 6),
        ("Jumada al-Thani", 6),
        ("Jumada II", 6),
        ("Rajab", 7),
        ("Sha'ban", 8),
        ("Shaaban", 8),
        ("Ramadan", 9),
        ("Ramazan", 9),
        ("Ramadhan", 9),
        ("Shawwal", 10),
        ("Shawal", 10),
        ("Dhu al-Qadah", 11),
        ("Dhul Qadah", 11),
        ("Zulqada", 11),
        ("Dhu al-Qi'dah", 11),
        ("Dhu al-Hijjah", 12),
        ("Zilhaj", 12),
        ("Zil Hijja", 12),
        ("Dhul-Hijjah", 12),
    ],
)
def test_month_spellings(name: str, number: int) -> None:
    assert month_number(name) == number


def test_bad_month_is_a_problem() -> None:
    with pytest.raises(HijriProblem):
        parse_hijri_line("20 Foobar 1446 AH")


def test_bad_day_is_a_problem() -> None:
    with pytest.raises(HijriProblem):
        parse_hijri_line("31 Ramadan 1446")


def test_gregorian_line_is_not_hijri() -> None:
    assert parse_hijri_line("Saturday, November 23, 2024") is None
    assert parse_hijri_line("23 Nov 2024") is None


def test_out_of_table_year_keeps_text_without_conversion() -> None:
    h = parse_hijri_line("5 Rajab 1200")
    assert h is not None and h.gregorian is None
