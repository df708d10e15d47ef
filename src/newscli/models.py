"""The records newscli passes between layers; their to_dict() is the documented JSON schema."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple


class HijriDate(NamedTuple):
    year: int
    month: int
    day: int
    text: str  # as written in the article
    gregorian: date | None = None  # Umm al-Qura conversion, None if out of the table's range

    @property
    def ymd(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


class Published(NamedTuple):
    """A publication date as far as the source tells it: always a day, sometimes a time and an offset."""

    value: datetime  # naive when no offset was given
    has_time: bool = False
    source: str = "gregorian"  # or "hijri" when converted from a Hijri line

    @property
    def day(self) -> date:
        return self.value.date()

    def iso(self) -> str:
        if not self.has_time:
            return self.value.date().isoformat()
        return self.value.isoformat()


class Country(NamedTuple):
    code: str
    name: str
    mentions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "mentions": self.mentions}


class Official(NamedTuple):
    name: str
    title: str | None = None
    mentions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "mentions": self.mentions}


class Article(NamedTuple):
    title: str
    body: str
    source: str | None = None
    published: Published | None = None
    hijri: HijriDate | None = None
    dateline: str | None = None
    author: str | None = None
    url: str | None = None
    path: str | None = None
    given_id: str | None = None  # an id supplied by a JSON record
    countries: tuple[Country, ...] = ()
    main_country: str | None = None
    officials: tuple[Official, ...] = ()
    ingested_at: datetime | None = None
    id: str = ""

    def with_id(self) -> Article:
        return self._replace(id=self.id or article_id(self))

    def content_hash(self) -> str:
        """Changes whenever anything the user could see of the parsed article changes."""
        import hashlib  # here: a search never hashes, and hashlib loads OpenSSL (~3 ms)

        h = hashlib.sha256()
        for part in (
            self.title,
            self.body,
            self.source or "",
            self.published.iso() if self.published else "",
            self.hijri.ymd if self.hijri else "",
            self.dateline or "",
            self.author or "",
            self.url or "",
        ):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
        return h.hexdigest()[:16]

    def to_dict(self, *, body: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "date": self.published.day.isoformat() if self.published else None,
            "published": self.published.iso() if self.published else None,
            "date_from": self.published.source if self.published else None,
            "hijri_date": self.hijri.text if self.hijri else None,
            "hijri": self.hijri.ymd if self.hijri else None,
            "dateline": self.dateline,
            "author": self.author,
            "countries": [c.to_dict() for c in self.countries],
            "main_country": self.main_country,
            "officials": [o.to_dict() for o in self.officials],
            "path": self.path,
            "url": self.url,
            "ingested_at": self.ingested_at.isoformat() if self.ingested_at else None,
        }
        if body:
            d["body"] = self.body
        return d


class Hit(NamedTuple):
    article: Article
    score: float | None = None
    snippet: str | None = None
    highlights: tuple[tuple[int, int], ...] = ()  # [start, end) offsets of matched terms in snippet

    def to_dict(self, *, body: bool = False) -> dict[str, Any]:
        d = self.article.to_dict(body=body)
        d["score"] = round(self.score, 4) if self.score is not None else None
        d["snippet"] = self.snippet
        d["highlights"] = [list(span) for span in self.highlights]
        return d


_WS = re.compile(r"\s+")
_ID_RE = re.compile(r"^[0-9a-f]{16}$")


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key: 'Erdoğan' and 'ERDOGAN' fold alike."""
    # Names and phrases are folded dozens of times per article: cached. Whole texts are not
    # (a cache of article bodies grew an ingest worker by 5 MB per 1,000 articles).
    return _fold_short(text) if len(text) <= 80 else _fold(text)


@lru_cache(maxsize=1 << 14)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).replace("ı", "i")
    # " ".join(split()) is _WS.sub(" ", ...).strip(): re's \s and str.split() both take
    # str.isspace()'s white space (checked over every code point); ~3x faster on an article body.
    return " ".join(text.casefold().split())


_ALIGNED: dict[int, str] = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def fold_aligned(text: str) -> str:
    """Like fold() but exactly one character out per character in, so match offsets map back to `text`."""
    if text.isascii():
        return text.lower()
    for ch in set(text):
        if ord(ch) not in _ALIGNED:
            f = fold(ch)
            low = ch.lower()
            _ALIGNED[ord(ch)] = f if len(f) == 1 else (low if len(low) == 1 else ch)
    return text.translate(_ALIGNED)


def _digest(*parts: str) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


def normalise_url(url: str) -> str:
    u = url.strip()
    u = re.sub(r"^https?://", "", u, flags=re.I)
    u = re.sub(r"^www\.", "", u, flags=re.I)
    u = u.split("#", 1)[0]
    return u.rstrip("/").lower()


def is_newscli_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def article_id(a: Article) -> str:
    """Stable id: from the URL when known, else a supplied id, else the normalised outlet+title+body."""
    if a.url:
        return _digest("url", normalise_url(a.url))
    if a.given_id:
        if is_newscli_id(a.given_id):
            return a.given_id
        return _digest("id", fold(a.source or ""), a.given_id.strip())
    return _digest("text", fold(a.source or ""), fold(a.title), fold(a.body))
