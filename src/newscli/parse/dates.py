"""Gregorian publication dates: finding a date line, parsing it with dateutil, keeping time and offset."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime

from dateutil import parser as du_parser
from dateutil.parser import UnknownTimezoneWarning

from newscli.models import Published

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:r(?:s)?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?"
_ORD = r"(?:st|nd|rd|th)?"
_DMY = rf"\d{{1,2}}{_ORD}\s+{_MONTH},?\s+\d{{4}}"
_MDY = rf"{_MONTH}\s+\d{{1,2}}{_ORD},?\s+\d{{4}}"
_ISO = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_REUT = r"\d{1,2}-[a-z]{3}-\d{4}"
_NUM = r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"
_TIME = (
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?"
    r"|,?\s*(?:at\s+)?\d{1,2}\s*[ap]\.?m\.?)"
)
_TZ = r"(?-i:\s*\(?(?:Z|[A-Z]{2,5}(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})\)?)"
_LABEL = (
    r"(?:(?:last\s+)?updated|published|posted|first\s+published|date|dated|filed|issued)"
    r"(?:\s+(?:on|at))?\s*[:\-]?\s*"
)

DATE_LINE = re.compile(
    rf"^\s*(?:{_LABEL})?(?:{_WEEKDAY}\s*)?"
    rf"(?P<date>{_ISO}|{_REUT}|{_DMY}|{_MDY}|{_NUM})"
    rf"(?P<time>{_TIME})?(?P<tz>{_TZ})?(?P<rest>.*)$",
    re.IGNORECASE,
)

# Offsets for the abbreviations news sites print. Ambiguous ones (IST, CST) take the reading most
# common in world news: India, US Central.
_TZ_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "UT": 0,
    "WET": 0,
    "BST": 1,
    "CET": 1,
    "WAT": 1,
    "WEST": 1,
    "CEST": 2,
    "EET": 2,
    "SAST": 2,
    "CAT": 2,
    "EEST": 3,
    "MSK": 3,
    "AST": 3,
    "EAT": 3,
    "TRT": 3,
    "IRST": 3.5,
    "GST": 4,
    "AFT": 4.5,
    "PKT": 5,
    "IST": 5.5,
    "NPT": 5.75,
    "BDT": 6,
    "ICT": 7,
    "WIB": 7,
    "CST": -6,
    "HKT": 8,
    "SGT": 8,
    "PHT": 8,
    "AWST": 8,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    "EST": -5,
    "EDT": -4,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "HST": -10,
}
TZINFOS = {k: int(v * 3600) for k, v in _TZ_HOURS.items()}

MIN_YEAR = 1800
FAST_DATES = True  # tests turn the dateutil-free path off to compare


@dataclass(frozen=True)
class DateResult:
    published: Published | None
    problem: str | None = None  # set when the text looks like a date but is impossible


_NO_DATE = DateResult(None)


def library_version() -> str:
    """dateutil's version: part of what decides the dates read from a file (the ingest ledger)."""
    import dateutil

    return str(getattr(dateutil, "__version__", "?"))


def _max_year() -> int:
    return date.today().year + 1


def parse_date_line(line: str, *, dayfirst: bool = True, max_rest_words: int = 6) -> DateResult:
    """Parse a line that should consist of a date (plus a label, weekday, time, zone, short junk)."""
    m = DATE_LINE.match(line)
    if not m:
        return _NO_DATE
    rest = m.group("rest").strip(" ,;|")
    if len(rest.split()) > max_rest_words:
        return _NO_DATE
    return _parse_parts(m.group("date"), m.group("time"), m.group("tz"), line.strip(), dayfirst)


# The common case -- a day, a month name and a year, no time, no zone -- without dateutil, whose
# parser took 0.37 of 3.1 ms of parsing and extraction per article (cProfile, 1,000 generated
# articles; dateutil ran twice per article). tests/test_dates.py checks that the two
# agree on every month spelling DATE_LINE accepts, every day 0-32, both orders.
_MONTH_NUMBER = {
    m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}
_FAST_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})", re.I)
_FAST_MDY = re.compile(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I)


def _fast_date(date_s: str) -> datetime | None:
    """The date of "23 November 2024" / "Nov. 23rd, 2024", or None for anything else (including
    an impossible day, left to dateutil and its message)."""
    m = _FAST_DMY.fullmatch(date_s)
    if m:
        day, month, year = m.group(1), m.group(2), m.group(3)
    else:
        m = _FAST_MDY.fullmatch(date_s)
        if not m:
            return None
        month, day, year = m.group(1), m.group(2), m.group(3)
    number = _MONTH_NUMBER.get(month.lower())
    if number is None:
        return None
    try:
        return datetime(int(year), number, int(day))
    except ValueError:
        return None


def _parse_parts(
    date_s: str, time_s: str | None, tz_s: str | None, shown: str, dayfirst: bool
) -> DateResult:
    if not (time_s and time_s.strip(" ,")) and not (tz_s and tz_s.strip()) and FAST_DATES:
        fast = _fast_date(date_s.strip())
        if fast is not None and MIN_YEAR <= fast.year <= _max_year():
            return DateResult(Published(fast, has_time=False))
    d = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", date_s, flags=re.I).replace(".", " ")
    if re.fullmatch(_ISO, date_s.strip(), flags=re.I) or re.fullmatch(_NUM, date_s.strip()):
        d = date_s.strip()
    has_time = bool(time_s and time_s.strip(" ,"))
    t = ""
    if has_time and time_s:
        t = re.sub(r"^[,\s]*(?:at\s+)?", "", time_s, flags=re.I)
        # "14.05" is a time, "15:01:01.79" has centiseconds: only the first dot-pair becomes a colon
        t = re.sub(r"^(\d{1,2})\.(\d{2})", r"\1:\2", t)
        t = re.sub(r"([ap])\.?m\.?", r"\1m", t, flags=re.I)
    z = (tz_s or "").strip().strip("()").strip()
    if re.search(r"\d:\d", d):  # ISO with its time: "2024-11-23T10:15" or "2024-11-23 10:15"
        has_time = True
    text = " ".join(p for p in (d, t, z) if p)
    numeric = bool(re.fullmatch(_NUM, date_s.strip()))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnknownTimezoneWarning)
            dt = du_parser.parse(
                text, dayfirst=dayfirst if numeric else False, tzinfos=TZINFOS, fuzzy=False
            )
    except (ValueError, OverflowError) as exc:
        # Retry without the zone: an unknown abbreviation must not cost the date.
        if z:
            return _parse_parts(date_s, time_s, None, shown, dayfirst)
        return DateResult(None, f"impossible date {shown!r} ({exc})")
    if not MIN_YEAR <= dt.year <= _max_year():
        return DateResult(None, f"implausible date {shown!r} (year {dt.year})")
    if dt.tzinfo is not None and dt.utcoffset() is None:
        dt = dt.replace(tzinfo=None)
    return DateResult(Published(dt, has_time=has_time))


def parse_date_value(value: object, *, dayfirst: bool = True) -> DateResult:
    """A date from a JSON field or a header value: ISO text, free text, or a Unix timestamp."""
    if isinstance(value, bool) or value is None:
        return _NO_DATE
    if isinstance(value, int | float):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000.0
        try:
            dt = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return DateResult(None, f"implausible timestamp {value!r}")
        if not MIN_YEAR <= dt.year <= _max_year():
            return DateResult(None, f"implausible timestamp {value!r} (year {dt.year})")
        return DateResult(Published(dt, has_time=True))
    if not isinstance(value, str):
        return DateResult(None, f"date must be a string or a number, not {type(value).__name__}")
    s = value.strip()
    if not s:
        return _NO_DATE
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", s):
        return parse_date_value(float(s), dayfirst=dayfirst)
    try:
        iso = datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        iso = None
    if iso is not None:
        if not MIN_YEAR <= iso.year <= _max_year():
            return DateResult(None, f"implausible date {s!r} (year {iso.year})")
        return DateResult(Published(iso, has_time=len(s) > 10))
    res = parse_date_line(s, dayfirst=dayfirst, max_rest_words=12)
    if res.published or res.problem:
        return res
    return DateResult(None, f"unrecognised date {s!r}")


def byline_date(line: str, *, dayfirst: bool = True) -> tuple[str | None, DateResult]:
    """Split 'By Staff Correspondent | Published 7 February 2025, 10:42 pm' into author and date."""
    author: str | None = None
    found = _NO_DATE
    for seg in re.split(r"\s*[|•·]\s*|\s+[—–]\s+", line.strip()):
        m = re.match(r"^by\s+(.+)$", seg, flags=re.I)
        if m and author is None:
            sub = parse_date_line(m.group(1), dayfirst=dayfirst)
            if sub.published is None:
                author = m.group(1).strip(" ,")
                continue
        res = parse_date_line(seg, dayfirst=dayfirst)
        if (res.published or res.problem) and found.published is None:
            found = res
    return author, found


_BYLINE = re.compile(r"^by\s+\S", re.I)


def is_byline(line: str) -> bool:
    s = line.strip()
    return bool(_BYLINE.match(s)) and len(s) <= 200
