"""Hijri date lines: month-name spelling variants, Y-M-D, and Umm al-Qura conversion to Gregorian."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from newscli.models import HijriDate

# Each month's spellings, squashed to lowercase ASCII letters: "Jumada Al-Awwal", "Jamadi ul Awal"
# and "Jumada I" all squash to something matched here.
_ART = r"(?:a|u|e|i)?(?:l|s|sh|th|t|n|z|d)?"  # al-, ul-, el-, ath-, as-, an- ... run into the word
_MONTH_PATTERNS: tuple[tuple[int, str], ...] = (
    (1, r"muh?arr?am|moharr?am"),
    (2, r"safa?r|sapha?r"),
    (3, r"rabi(?:a|e|i|ee|y)?" + _ART + r"(?:aw+al|aval|ula|oola|i|1)"),
    (4, r"rabi(?:a|e|i|ee|y)?" + _ART + r"(?:th?ani|sani|akh[ie]r|akhar|ii|2)"),
    (5, r"j[ua]m[aā]d[aie]?(?:y)?" + _ART + r"(?:aw+al|awal|aval|ula|oola|ulaa|i|1)"),
    (6, r"j[ua]m[aā]d[aie]?(?:y)?" + _ART + r"(?:th?ani|sani|akh[ie]ra?h?|ukhra|akhir|ii|2)"),
    (7, r"rajj?ab"),
    (8, r"sha?a?ba?an|shaban"),
    (9, r"rama?[dz]h?a?an|ramzan|ramadhan"),
    (10, r"shaw+a+l"),
    (11, r"(?:dh|z)[ui]?" + _ART + r"(?:q|k)(?:a|i)?(?:'|a)?(?:a)?da?h?"),
    (12, r"(?:dh|z)[ui]?" + _ART + r"h[aei]j+a?h?"),
)
_MONTHS = [(n, re.compile(rf"^(?:{p})$")) for n, p in _MONTH_PATTERNS]

NAMES = (
    "Muharram",
    "Safar",
    "Rabi al-Awwal",
    "Rabi al-Thani",
    "Jumada al-Awwal",
    "Jumada al-Thani",
    "Rajab",
    "Shaban",
    "Ramadan",
    "Shawwal",
    "Dhu al-Qadah",
    "Dhu al-Hijjah",
)

_WORD = r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff'’ʿʾ`\-\.]+"
_MONTH_TEXT = rf"{_WORD}(?:\s+{_WORD}){{0,2}}"
_SUFFIX = r"(?:\s*(?:A\.?\s?H\.?|H\.?|Hijri|هـ)(?![A-Za-z]))?"
_DMY = re.compile(
    rf"^\s*(?:hijri(?:\s+date)?\s*:\s*)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_TEXT}?),?\s+(?P<y>\d{{3,4}}){_SUFFIX}(?P<rest>.*)$",
    re.IGNORECASE,
)
_MDY = re.compile(
    rf"^\s*(?:hijri(?:\s+date)?\s*:\s*)?(?P<m>{_MONTH_TEXT}?)\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{3,4}}){_SUFFIX}(?P<rest>.*)$",
    re.IGNORECASE,
)


def month_number(name: str) -> int | None:
    """1-12 for a Hijri month name in any common transliteration, else None."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_ = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_ = re.sub(r"\b(?:i{1,2})\b", lambda m: str(len(m.group(0))), ascii_)
    squashed = re.sub(r"[^a-z0-9]", "", ascii_)
    for number, pattern in _MONTHS:
        if pattern.match(squashed):
            return number
    return None


class HijriProblem(ValueError):
    pass


def parse_hijri_line(line: str) -> HijriDate | None:
    """A line holding a Hijri date ('20 Jumada Al-Awwal 1446', 'Jumada al-Awwal 12, 1446 AH').

    Returns None when the line is not a Hijri date; raises HijriProblem when it clearly is one
    (a Hijri-looking year and the AH suffix or a month-like word) but cannot be a real date.
    """
    for rx in (_DMY, _MDY):
        m = rx.match(line)
        if not m:
            continue
        if len(m.group("rest").split()) > 4:
            continue
        year, day = int(m.group("y")), int(m.group("d"))
        month = month_number(m.group("m"))
        if month is None:
            if re.search(r"\d\s*A\.?\s?H\b", line, re.I) and 1300 <= year <= 1600:
                raise HijriProblem(f"unknown Hijri month {m.group('m')!r} in {line.strip()!r}")
            continue
        if not 1 <= day <= 30:
            raise HijriProblem(f"impossible Hijri day {day} in {line.strip()!r}")
        if not 1 <= year <= 2000:
            raise HijriProblem(f"implausible Hijri year {year} in {line.strip()!r}")
        return HijriDate(year, month, day, " ".join(line.split()), to_gregorian(year, month, day))
    return None


def to_gregorian(year: int, month: int, day: int) -> date | None:
    """Umm al-Qura conversion (hijridate covers 1343-1500 AH); None outside it or for day 30 of a 29-day month."""
    from hijridate import Hijri

    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return date(g.year, g.month, g.day)


def from_gregorian(d: date) -> tuple[int, int, int] | None:
    from hijridate import Gregorian

    try:
        h = Gregorian(d.year, d.month, d.day).to_hijri()
    except (ValueError, OverflowError):
        return None
    return (h.year, h.month, h.day)
