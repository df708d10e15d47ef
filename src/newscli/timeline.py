"""Bucketing day counts into day/week/month/year periods, with empty periods filled in as zero."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta


def _key(d: date, by: str) -> str:
    if by == "day":
        return d.isoformat()
    if by == "week":
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}"
    if by == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def _step(d: date, by: str) -> date:
    if by == "day":
        return d + timedelta(days=1)
    if by == "week":
        return d + timedelta(days=7)
    if by == "month":
        return date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date(d.year + 1, 1, 1)


def _floor(d: date, by: str) -> date:
    if by == "week":
        return d - timedelta(days=d.weekday())
    if by == "month":
        return d.replace(day=1)
    if by == "year":
        return date(d.year, 1, 1)
    return d


def periods(
    days: Counter[str], by: str, since: date | None = None, until: date | None = None
) -> list[tuple[str, int]]:
    """Every period from the first to the last (or --since/--until), in order, zeros included."""
    if not days and not (since and until):
        return []
    parsed = {date.fromisoformat(k): n for k, n in days.items()}
    # a far --since/--until ("--until 9999") is a bound, not a request for 8,000 empty years
    first, last = (min(parsed), max(parsed)) if parsed else (date.today(), date.today())
    lo = max(since or first, date(1800, 1, 1))
    hi = min(until or last, max(last, date.today()))
    buckets: Counter[str] = Counter()
    for d, n in parsed.items():
        buckets[_key(d, by)] += n
    out = []
    cur = _floor(lo, by)
    while cur <= hi:
        k = _key(cur, by)
        out.append((k, buckets.get(k, 0)))
        cur = _step(cur, by)
    return out
