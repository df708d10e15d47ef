"""Turns CLI filters and the user's query string into one SearchRequest (plain data, no whoosh types)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal, NamedTuple

from newscli.errors import QueryError, UsageError

Sort = Literal["relevance", "date", "-date"]


class Filters(NamedTuple):
    since: date | None = None
    until: date | None = None
    countries: tuple[tuple[str, ...], ...] = ()  # AND of OR-groups of ISO codes
    officials: tuple[tuple[str, ...], ...] = ()
    sources: tuple[tuple[str, ...], ...] = ()
    hijri: str | None = None  # "1446" or "1446-05"


class SearchRequest(NamedTuple):
    query: str = ""
    literal: bool = False
    filters: Filters = Filters()
    limit: int = 10
    offset: int = 0
    sort: Sort = "relevance"
    snippet: bool = True


_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "–": "-",
        "—": "-",
        "−": "-",
        "\u00a0": " ",
    }
)


def normalise_query(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_QUOTES).strip()


KNOWN_FIELDS = frozenset(
    {
        "title",
        "headline",
        "body",
        "text",
        "content",
        "source",
        "outlet",
        "publisher",
        "country",
        "countries",
        "official",
        "officials",
        "date",
        "hijri",
    }
)


def validate_query(text: str) -> None:
    """Catch what Whoosh's lenient parser would silently misread; say where (1-based column)."""
    depth = 0
    in_quote: int | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            in_quote = None if in_quote is not None else i
        elif in_quote is None:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth < 0:
                    raise QueryError(f"query error at column {i + 1}: unmatched ')' in {text!r}")
        i += 1
    if in_quote is not None:
        raise QueryError(f"query error at column {in_quote + 1}: unclosed '\"' in {text!r}")
    if depth > 0:
        raise QueryError(f"query error: {depth} unclosed '(' in {text!r}")
    outside = re.sub(r'"[^"]*"', lambda m: " " * len(m.group(0)), text)
    for m in re.finditer(r"(?<![\w\\])([A-Za-z_]+):", outside):
        name, nxt = m.group(1), text[m.end() : m.end() + 1].strip()
        if name.lower() not in KNOWN_FIELDS:
            raise QueryError(
                f"query error at column {m.start() + 1}: unknown field {name!r} "
                f"(fields: title, body, source, country, official, date, hijri)"
            )
        if not nxt or nxt in ")":
            raise QueryError(f"query error at column {m.start() + 1}: field {name!r} has no value")
    tokens = [(t.group(0), t.start()) for t in re.finditer(r'"[^"]*"|\S+', outside)]
    for tok, pos in tokens:
        if re.match(r"-[^\W\d_]", tok):
            raise QueryError(
                f"query error at column {pos + 1}: {tok!r}: newscli has no '-' operator; write NOT {tok[1:]}"
            )
    ops = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
    for idx, (tok, pos) in enumerate(tokens):
        if tok in ops:
            prev = tokens[idx - 1][0] if idx else None
            nxt_tok = tokens[idx + 1][0] if idx + 1 < len(tokens) else None
            if nxt_tok is None or nxt_tok in ops - {"NOT"} or nxt_tok == ")":
                raise QueryError(f"query error at column {pos + 1}: {tok} needs a term after it")
            if tok != "NOT" and (prev is None or prev in ops or prev == "("):
                raise QueryError(f"query error at column {pos + 1}: {tok} needs a term before it")


# --- dates --------------------------------------------------------------------------------------

_REL = re.compile(r"^(\d+)\s*([dwmy])$")


def parse_when(value: str, *, end: bool, today: date | None = None) -> date:
    """YYYY, YYYY-MM, YYYY-MM-DD (inclusive bounds), or relative: 7d, 2w, 3m, 1y, today, yesterday."""
    v = value.strip().lower()
    today = today or date.today()
    if v == "today":
        return today
    if v == "yesterday":
        return today - timedelta(days=1)
    m = _REL.match(v)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        try:
            if unit == "d":
                return today - timedelta(days=n)
            if unit == "w":
                return today - timedelta(weeks=n)
            if unit == "m":
                return _add_months(today, -n)
            return _add_months(today, -12 * n)
        except (OverflowError, ValueError) as exc:
            raise UsageError(f"bad date {value!r}: too far back") from exc
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", v)
    if not m:
        raise UsageError(
            f"bad date {value!r}: use YYYY, YYYY-MM, YYYY-MM-DD, Nd/Nw/Nm/Ny, today or yesterday"
        )
    y = int(m.group(1))
    if not 1 <= y <= 9998:
        raise UsageError(f"bad date {value!r}: year out of range")
    try:
        if m.group(3):
            return date(y, int(m.group(2)), int(m.group(3)))
        if m.group(2):
            mo = int(m.group(2))
            return date(y, mo, _month_days(y, mo) if end else 1)
        return date(y, 12, 31) if end else date(y, 1, 1)
    except ValueError as exc:
        raise UsageError(f"bad date {value!r}: {exc}") from exc


def _month_days(year: int, month: int) -> int:
    """calendar.monthrange(year, month)[1], without importing calendar (and locale: ~2 ms)."""
    if not 1 <= month <= 12:
        raise ValueError("month must be in 1..12")
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _add_months(d: date, months: int) -> date:
    idx = d.year * 12 + d.month - 1 + months
    y, m = divmod(idx, 12)
    return date(y, m + 1, min(d.day, _month_days(y, m + 1)))


def parse_hijri_filter(value: str) -> str:
    m = re.fullmatch(r"\s*(\d{3,4})(?:-(\d{1,2}))?\s*", value)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise UsageError(f"bad --hijri {value!r}: use a Hijri year (1446) or year-month (1446-05)")
    return f"{int(m.group(1)):04d}" + (f"-{int(m.group(2)):02d}" if m.group(2) else "")


def groups(
    values: list[str] | None, resolve: Callable[[str], str] | None = None
) -> tuple[tuple[str, ...], ...]:
    """Repeated flags are AND, a comma list inside one flag is OR."""
    out = []
    for v in values or []:
        items = [p.strip() for p in v.split(",") if p.strip()]
        if not items:
            raise UsageError(f"empty filter value {v!r}")
        out.append(tuple(resolve(i) if resolve else i for i in items))
    return tuple(out)


def build_request(
    query: str = "",
    *,
    literal: bool = False,
    since: str | None = None,
    until: str | None = None,
    countries: list[str] | None = None,
    officials: list[str] | None = None,
    sources: list[str] | None = None,
    hijri: str | None = None,
    limit: int = 10,
    offset: int = 0,
    sort: str = "relevance",
    snippet: bool = True,
    resolve_country: Callable[[str], str | None] | None = None,
) -> SearchRequest:
    q = normalise_query(query)
    if q and q != "*" and not literal:
        validate_query(q)
    if limit < 0 or offset < 0:
        raise UsageError("--limit and --offset must be >= 0")
    if sort not in ("relevance", "date", "-date"):
        raise UsageError(f"bad --sort {sort!r}: use relevance, date or -date")

    def country(v: str) -> str:
        code = resolve_country(v) if resolve_country else v.upper()
        if code is None:
            raise UsageError(f"unknown country {v!r} (use an ISO code like PK, a name or an alias)")
        return code

    s = parse_when(since, end=False) if since else None
    u = parse_when(until, end=True) if until else None
    if s and u and s > u:
        raise UsageError(f"--since {since} is after --until {until}")
    filters = Filters(
        since=s,
        until=u,
        countries=groups(countries, country),
        officials=groups(officials),
        sources=groups(sources),
        hijri=parse_hijri_filter(hijri) if hijri else None,
    )
    return SearchRequest(q, literal, filters, limit, offset, sort, snippet)  # type: ignore[arg-type]


def codes_first(load: Callable[[], Callable[[str], str | None]]) -> Callable[[str], str | None]:
    """A --country resolver that answers a two-letter code of the country table itself and
    calls load() -- the extractor's resolver, with the user's aliases -- only for anything else.
    Loading the extractor (the gazetteer, the officials' data and their patterns) took ~100 ms
    of a ~300 ms search; a code of the table resolves to itself whatever the aliases say
    (Gazetteer.resolve tries the codes first)."""
    import os

    table = os.path.join(os.path.dirname(__file__), "extract", "data", "countries.tsv")
    try:
        with open(table, encoding="utf-8") as f:
            codes = {line.split("\t", 1)[0] for line in f}
    except OSError:
        codes = set()
    loaded: list[Callable[[str], str | None]] = []

    def resolve(value: str) -> str | None:
        v = value.strip()
        if len(v) == 2 and v.upper() in codes:
            return v.upper()
        if not loaded:
            loaded.append(load())
        return loaded[0](value)

    return resolve
