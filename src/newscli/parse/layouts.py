"""Plain-text article layouts: seed, header block, headline-first, undated; datelines in the first paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from newscli.models import Article, HijriDate, Published
from newscli.parse.dates import (
    DateResult,
    byline_date,
    is_byline,
    parse_date_line,
    parse_date_value,
)
from newscli.parse.hijri import HijriProblem, parse_hijri_line
from newscli.parse.text import clean, clean_line

HIJRI_TOLERANCE_DAYS = 2


@dataclass
class Parsed:
    """An article without entities, plus what the parser noticed along the way."""

    article: Article
    layout: str
    warnings: list[str] = field(default_factory=list)


class NotAnArticle(ValueError):
    pass


_HEADER_KEYS = {
    "title": "title",
    "headline": "title",
    "head": "title",
    "source": "source",
    "outlet": "source",
    "publisher": "source",
    "publication": "source",
    "newspaper": "source",
    "site": "source",
    "published": "date",
    "date": "date",
    "dated": "date",
    "pubdate": "date",
    "published at": "date",
    "publication date": "date",
    "published on": "date",
    "updated": "updated",
    "url": "url",
    "link": "url",
    "permalink": "url",
    "author": "author",
    "by": "author",
    "byline": "author",
    "authors": "author",
    "writer": "author",
    "hijri": "hijri",
    "hijri date": "hijri",
    "islamic date": "hijri",
    "dateline": "dateline",
    "id": "id",
}
_KEY_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z _\-]{0,24}?)\s*:\s*(.*?)\s*$")

# ISLAMABAD, Nov 23 (APP): / WASHINGTON (Reuters) - / BEIJING: / NEW DELHI, March 3 --
_DL_PLACE = r"[A-Z][A-Z\.'’\-]+(?:\s+[A-Z][A-Z\.'’\-]+){0,3}(?:,\s+[A-Z][A-Za-z\.]+(?:\s+[A-Z][A-Za-z\.]+)?)??"
_DL_DATE = r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})"
_DL_AGENCY = r"(?:\s*\([A-Za-z][A-Za-z\.&/'’\- ]{0,30}\))"
DATELINE = re.compile(
    rf"^(?P<place>{_DL_PLACE})(?P<date>{_DL_DATE})?(?P<agency>{_DL_AGENCY})?\s*(?:[:]|--|[-–—])\s+"
)
_TITLECASE_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?:(?P<date>{_DL_DATE})(?P<agency>{_DL_AGENCY})?"
    rf"|(?P<agency2>{_DL_AGENCY}))\s*(?:[:]|--|[-–—])\s+"
)


def find_dateline(paragraph: str) -> str | None:
    """The place of a dateline opening the first paragraph, as written ('ISLAMABAD')."""
    m = DATELINE.match(paragraph)
    if m:
        # "KAZAN, Russia" / "WILLMAR, Minn.": the field keeps the city; the qualifier stays in the body
        place = m.group("place").split(",", 1)[0].strip()
        words = place.replace(",", " ").split()
        # "AP -" or "THE" alone are not places; a one-letter token is not a city
        if len(place) >= 3 and not (len(words) == 1 and len(place) <= 2):
            return place
    m = _TITLECASE_DATELINE.match(paragraph)
    if m:
        return m.group("place")
    return None


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    cur: list[str] = []
    for line in lines:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def _is_short(line: str, words: int, chars: int) -> bool:
    return len(line) <= chars and len(line.split()) <= words


def _looks_like_headline(line: str) -> bool:
    # A paragraph opening with a dateline ("WASHINGTON (Reuters) - ...") is body text, never a headline.
    return _is_short(line, 40, 250) and find_dateline(line) is None


def _looks_like_outlet(line: str) -> bool:
    return _is_short(line, 7, 60) and not line.endswith((".", "?", "!", ":"))


def parse_text(text: str, *, path: str | None = None, dayfirst: bool = True) -> Parsed:
    """Parse one plain-text article; raises NotAnArticle when there is no usable text."""
    text = clean(text)
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise NotAnArticle("empty file")
    header = _try_header(lines, dayfirst)
    if header is not None:
        return _finish(header, path)
    return _finish(_sniff_plain(lines, dayfirst), path)


@dataclass
class _Draft:
    layout: str
    title: str = ""
    body_blocks: list[list[str]] = field(default_factory=list)
    source: str | None = None
    date: DateResult | None = None
    hijri: HijriDate | None = None
    author: str | None = None
    url: str | None = None
    given_id: str | None = None
    dateline: str | None = None
    warnings: list[str] = field(default_factory=list)


def _try_header(lines: list[str], dayfirst: bool) -> _Draft | None:
    head: list[tuple[str, str]] = []
    i = 0
    while i < len(lines) and lines[i].strip():
        m = _KEY_LINE.match(lines[i])
        if not m:
            return None
        head.append(
            (" ".join(m.group(1).lower().replace("_", " ").replace("-", " ").split()), m.group(2))
        )
        i += 1
    known = [(k, v) for k, v in head if k in _HEADER_KEYS]
    kinds = {_HEADER_KEYS[k] for k, _ in known}
    if len(known) < 2 or not kinds & {"title", "source", "date"}:
        return None
    d = _Draft("header")
    updated: str | None = None
    for key, value in known:
        kind = _HEADER_KEYS[key]
        value = clean_line(value)
        if not value:
            continue
        if kind == "title" and not d.title:
            d.title = value
        elif kind == "source" and not d.source:
            d.source = value
        elif kind == "date" and d.date is None:
            d.date = parse_date_value(value, dayfirst=dayfirst)
            if d.date.published is None and d.date.problem is None:
                hijri = _hijri(value, d)
                if hijri is not None:
                    d.hijri = hijri
                    d.date = None
        elif kind == "updated":
            updated = value
        elif kind == "url" and not d.url:
            d.url = value
        elif kind == "author" and not d.author:
            d.author = value
        elif kind == "hijri" and d.hijri is None:
            d.hijri = _hijri(value, d)
        elif kind == "dateline":
            d.dateline = value
        elif kind == "id":
            d.given_id = value
    if (d.date is None or d.date.published is None) and updated:
        d.date = parse_date_value(updated, dayfirst=dayfirst)
    d.body_blocks = _blocks(lines[i:])
    if not d.title and d.body_blocks and len(d.body_blocks[0]) == 1:
        first = d.body_blocks[0][0]
        if _looks_like_headline(first) and len(d.body_blocks) > 1:
            d.title = first
            d.body_blocks = d.body_blocks[1:]
    return d


def _hijri(line: str, d: _Draft) -> HijriDate | None:
    try:
        return parse_hijri_line(line)
    except HijriProblem as exc:
        d.warnings.append(str(exc))
        return None


_STAMP_LINE = re.compile(r"^(?:published|updated|posted)\b", re.I)


def _classify(line: str, dayfirst: bool, d: _Draft) -> str:
    """'date', 'hijri', 'byline' or 'text' for one of the first lines of an article."""
    if is_byline(line) or (_STAMP_LINE.match(line) and "|" in line):
        return "byline"
    res = parse_date_line(line, dayfirst=dayfirst)
    if res.published is not None or res.problem is not None:
        return "date"
    try:
        if parse_hijri_line(line) is not None:
            return "hijri"
    except HijriProblem:
        return "hijri"
    return "text"


def _sniff_plain(lines: list[str], dayfirst: bool) -> _Draft:
    blocks = _blocks(lines)
    # Walk the first few short lines, noting dates, Hijri dates and bylines, until the body starts.
    flat: list[tuple[int, str]] = []  # (block index, line)
    for bi, block in enumerate(blocks[:6]):
        for line in block:
            flat.append((bi, line))
    kinds = []
    d = _Draft("plain")
    for _bi, line in flat[:8]:
        kinds.append(_classify(line, dayfirst, d) if len(line) <= 200 else "long")
    meta_idx = [i for i, k in enumerate(kinds) if k in ("date", "hijri", "byline")]
    # Only metadata lines near the top count: within the first 4 lines and before any long line.
    first_long = next((i for i, k in enumerate(kinds) if k == "long"), len(kinds))
    meta_idx = [i for i in meta_idx if i < min(first_long, 5)]
    consumed_blocks = 0
    if meta_idx:
        first_meta, last_meta = meta_idx[0], meta_idx[-1]
        before = [flat[i][1] for i in range(first_meta)]
        for i in meta_idx:
            line = flat[i][1]
            if kinds[i] == "date" and (d.date is None or d.date.published is None):
                d.date = parse_date_line(line, dayfirst=dayfirst)
            elif kinds[i] == "hijri" and d.hijri is None:
                d.hijri = _hijri(line, d)
            elif kinds[i] == "byline":
                author, res = byline_date(line, dayfirst=dayfirst)
                d.author = d.author or (clean_line(author) if author else None)
                if (res.published or res.problem) and (d.date is None or d.date.published is None):
                    d.date = res
        after_block = flat[last_meta][0] + 1
        # Lines in the last metadata block after the metadata belong to the body.
        tail = [line for bi, line in flat[last_meta + 1 :] if bi == flat[last_meta][0]]
        rest = ([tail] if tail else []) + blocks[after_block:]
        if len(before) == 1:
            # outlet/date/headline (seed) or headline/byline (headline first)?
            nxt = rest[0] if rest else []
            seed = (
                len(nxt) == 1
                and _looks_like_headline(nxt[0])
                and len(rest) > 1
                and _looks_like_outlet(before[0])
                and flat[first_meta][0] > flat[0][0]  # a blank line between outlet and date
            )
            if seed:
                d.layout, d.source, d.title = "seed", clean_line(before[0]), clean_line(nxt[0])
                d.body_blocks = rest[1:]
            else:
                d.layout, d.title = "headline-first", clean_line(before[0])
                d.body_blocks = rest
        elif len(before) == 0:
            # date first: the headline is the next short single-line block
            d.layout = "date-first"
            if rest and len(rest[0]) == 1 and _looks_like_headline(rest[0][0]) and len(rest) > 1:
                d.title, d.body_blocks = clean_line(rest[0][0]), rest[1:]
            else:
                d.body_blocks = rest
        else:
            # outlet and headline (or headline and deck) above the date
            d.layout = "seed"
            if _looks_like_outlet(before[0]) and len(before) == 2:
                d.source, d.title = clean_line(before[0]), clean_line(before[1])
            else:
                d.title = clean_line(before[0])
                rest = [before[1:], *rest]
            d.body_blocks = rest
        consumed_blocks = -1
    if consumed_blocks == 0:
        d.layout = "undated"
        if (
            len(blocks) >= 3
            and len(blocks[0]) == 1
            and len(blocks[1]) == 1
            and _looks_like_outlet(blocks[0][0])
            and _looks_like_headline(blocks[1][0])
        ):
            d.source, d.title = clean_line(blocks[0][0]), clean_line(blocks[1][0])
            d.body_blocks = blocks[2:]
        elif len(blocks[0]) == 1 and _looks_like_headline(blocks[0][0]) and len(blocks) > 1:
            d.title, d.body_blocks = clean_line(blocks[0][0]), blocks[1:]
        else:
            d.body_blocks = blocks
    return d


def _finish(d: _Draft, path: str | None) -> Parsed:
    paragraphs = [" ".join(block) for block in d.body_blocks]
    body = "\n\n".join(p for p in paragraphs if p)
    if not d.title and paragraphs:
        first = paragraphs[0]
        d.title = first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "..."
    if not d.title and not body:
        raise NotAnArticle("no headline and no body text")
    if d.dateline is None and paragraphs:
        d.dateline = find_dateline(paragraphs[0])
    article = Article(
        title=d.title,
        body=body,
        source=d.source,
        author=d.author,
        url=d.url,
        given_id=d.given_id,
        dateline=d.dateline,
        path=path,
    )
    warnings = list(d.warnings)
    article = apply_dates(article, d.date, d.hijri, warnings)
    return Parsed(article, d.layout, warnings)


def apply_dates(
    article: Article, greg: DateResult | None, hijri: HijriDate | None, warnings: list[str]
) -> Article:
    """Choose the publication date: Gregorian wins; the Hijri date fills in or is checked against it."""
    published: Published | None = None
    if greg is not None:
        if greg.problem:
            warnings.append(greg.problem)
        published = greg.published
    if hijri is not None:
        if hijri.gregorian is None:
            warnings.append(
                f"Hijri date {hijri.text!r} is outside the Umm al-Qura table or impossible"
            )
        elif published is None:
            from datetime import datetime

            g: date = hijri.gregorian
            published = Published(datetime(g.year, g.month, g.day), has_time=False, source="hijri")
        else:
            gap = abs((published.day - hijri.gregorian).days)
            if gap > HIJRI_TOLERANCE_DAYS:
                warnings.append(
                    f"Hijri date {hijri.text!r} (= {hijri.gregorian.isoformat()}) disagrees with "
                    f"Gregorian date {published.day.isoformat()} by {gap} days; using the Gregorian date"
                )
    return article._replace(published=published, hijri=hijri)
