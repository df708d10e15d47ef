"""JSON article records: the usual field names of feeds, scrapers and newscli's own export."""

from __future__ import annotations

from typing import Any

from newscli.models import Article
from newscli.parse.dates import DateResult, parse_date_value
from newscli.parse.hijri import HijriProblem, parse_hijri_line
from newscli.parse.layouts import NotAnArticle, Parsed, apply_dates, find_dateline
from newscli.parse.text import clean, clean_line

TITLE_KEYS = ("title", "headline", "name")
BODY_KEYS = ("body", "text", "content", "article", "full_text", "description", "summary")
DATE_KEYS = (
    "published",
    "date",
    "published_at",
    "publishedAt",
    "pubDate",
    "pub_date",
    "timestamp",
    "datetime",
    "created_at",
    "time",
)
SOURCE_KEYS = ("source", "outlet", "publisher", "publication", "site", "source_name")
URL_KEYS = ("url", "link", "permalink", "href")
AUTHOR_KEYS = ("author", "byline", "authors", "by")

MAX_DEPTH = 5  # levels of nesting a record may have ({"a": 1} has one)


def _text(
    obj: dict[str, Any], keys: tuple[str, ...], what: str, *, nested_name: bool = False
) -> str | None:
    for key in keys:
        if key not in obj or obj[key] is None:
            continue
        value = obj[key]
        if nested_name and isinstance(value, dict):
            value = value.get("name") or value.get("title")
            if value is None:
                continue
        if isinstance(value, list) and what == "author" and all(isinstance(v, str) for v in value):
            value = ", ".join(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and what == "id":
            value = str(value)
        if not isinstance(value, str):
            raise NotAnArticle(f"field {key!r} must be a string, not {type(value).__name__}")
        return value
    return None


def parse_record(obj: object, *, path: str | None = None, dayfirst: bool = True) -> Parsed:
    """One JSON object to an article; raises NotAnArticle with a reason naming the bad field."""
    if not isinstance(obj, dict):
        raise NotAnArticle(f"expected a JSON object, got {type(obj).__name__}")
    title = _text(obj, TITLE_KEYS, "title")
    body = _text(obj, BODY_KEYS, "body")
    if not clean_line(title or "") and not clean_line(body or ""):
        raise NotAnArticle("record has neither a title nor a body")
    source = _text(obj, SOURCE_KEYS, "source", nested_name=True)
    url = _text(obj, URL_KEYS, "url")
    author = _text(obj, AUTHOR_KEYS, "author", nested_name=True)
    given_id = _text(obj, ("id", "_id", "guid", "uuid"), "id")
    dateline = _text(obj, ("dateline",), "dateline")
    hijri_text = _text(obj, ("hijri_date", "hijri"), "hijri")
    orig_path = clean_line(obj["path"]) or None if isinstance(obj.get("path"), str) else None

    warnings: list[str] = []
    greg: DateResult | None = None
    for key in DATE_KEYS:
        if key in obj and obj[key] not in (None, ""):
            greg = parse_date_value(obj[key], dayfirst=dayfirst)
            break
    hijri = None
    if hijri_text:
        try:
            hijri = parse_hijri_line(clean_line(hijri_text))
        except HijriProblem as exc:
            warnings.append(str(exc))
    body_text = clean(body or "").strip()
    paragraphs = [" ".join(p.split()) for p in body_text.split("\n\n")]
    body_text = "\n\n".join(p for p in paragraphs if p)
    title_text = clean_line(title or "")
    if not title_text:
        first = paragraphs[0] if paragraphs else ""
        title_text = first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "..."
    article = Article(
        title=title_text,
        body=body_text,
        source=clean_line(source) if source else None,
        url=clean_line(url) if url else None,
        author=clean_line(author) if author else None,
        given_id=clean_line(given_id) if given_id else None,
        dateline=clean_line(dateline)
        if dateline
        else (find_dateline(paragraphs[0]) if paragraphs else None),
        path=orig_path or path,
    )
    article = apply_dates(article, greg, hijri, warnings)
    if obj.get("date_from") == "hijri" and article.published is not None:
        # newscli's own export: the date was converted from the Hijri line
        article = article._replace(published=article.published._replace(source="hijri"))
    return Parsed(article, "json", warnings)


def depth(obj: object, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth, capped at `limit` (deeply nested records are refused, not walked)."""
    if limit <= 0:
        return 0
    if isinstance(obj, dict):
        return 1 + max((depth(v, limit - 1) for v in obj.values()), default=0)
    if isinstance(obj, list):
        return 1 + max((depth(v, limit - 1) for v in obj), default=0)
    return 0
