"""Countries mentioned in a text: names, aliases, demonyms, capitals, prefixes, with guards against false hits."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise

from newscli.extract.tokens import Token, joined_by_space_or_hyphen, key_of, tokenize

# Words that are both a country and a common given name or surname ("Jordan Henderson", "Chad Miller",
# "George Washington"): when a capitalised name-like word stands right before or after them, they are people.
PERSON_AMBIGUOUS = frozenset(
    {"Jordan", "Chad", "Georgia", "Israel", "Kenya", "India", "Washington", "Lebanon", "Chile"}
)
# Capitalised words that may follow an ambiguous country without making it a person's name.
_OK_NEIGHBOURS = frozenset(
    """Valley River Basin Government Army Armed Forces Ministry Minister President Prime King Queen
    Embassy Times Post News Airways Airlines Police Republic Kingdom Parliament Senate Cabinet Foreign
    Defence Defense Interior National State Central Bank Olympic Olympics Football Cup Team Red Crescent
    Legion Rift Lake Sea Desert Monitor Observer Herald Tribune Daily Chronicle Dispatch Gazette Review
    The And Or But In On At Of For To From By With Without After Before During Since Until Under Over
    January February March April May June July August September October November December Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday Mr Mrs Ms Dr""".split()
)
# Signs that "Georgia" is the US state, and signs that it is the country.
_US_GEORGIA = frozenset(
    {"Atlanta", "Savannah", "Kemp", "Peach", "Macon", "Augusta", "Fulton", "Raffensperger"}
)
_GE_GEORGIA = frozenset(
    {"Tbilisi", "Georgian", "Georgians", "Kobakhidze", "Abkhazia", "Ossetia", "Batumi", "Kutaisi"}
)

NONE = ""  # value of a blocked phrase: matches (so it wins as the longest) but names no country


@dataclass
class Gazetteer:
    names: dict[str, str] = field(default_factory=dict)  # code -> display name
    phrases: dict[tuple[str, ...], tuple[str, str]] = field(
        default_factory=dict
    )  # key -> (code, kind)
    prefixes: dict[str, str] = field(default_factory=dict)  # "Sino" -> CN (only before a hyphen)
    first: dict[str, int] = field(default_factory=dict)  # first token -> longest phrase length
    lookup: dict[str, str] = field(default_factory=dict)  # folded name/alias/code -> code
    qualifiers: dict[str, str] = field(
        default_factory=dict
    )  # "Mass." / "Ontario" in a dateline -> code

    def add(self, phrase: str, code: str, kind: str) -> None:
        key = key_of(phrase)
        if not key:
            return
        for k in {key, tuple(t.upper() for t in key)}:
            if k in self.phrases and kind != "user" and k != key:
                continue  # the upper-case variant never overrides a real entry
            self.phrases[k] = (code, kind)
            self.first[k[0]] = max(self.first.get(k[0], 0), len(k))
        if code and kind in ("name", "alias", "user", "demonym"):
            from newscli.models import fold

            self.lookup.setdefault(fold(phrase), code)

    def block(self, phrase: str) -> None:
        self.add(phrase, NONE, "block")

    def resolve(self, value: str) -> str | None:
        """A user's --country value ('PK', 'pakistan', 'U.S.') to a code."""
        from newscli.models import fold

        v = value.strip()
        if len(v) == 2 and v.upper() in self.names:
            return v.upper()
        return self.lookup.get(fold(v)) or self.lookup.get(fold(v).replace(".", ""))


# Phrases that contain a country word but are not about that country.
BLOCKED = (
    "Indian Ocean",
    "West Indies",
    "West Indian",
    "American Indian",
    "American Indians",
    "New Guinea",
    "Gulf of Guinea",
    "Latin America",
    "Latin American",
    "South America",
    "South American",
    "North America",
    "North American",
    "Central America",
    "Central American",
    "Americas",
    "Jordan River",
    "Turkey Point",
    "Indian Wells",
    "Korean Peninsula",
    "Dutch Harbor",
    "Gulf of Mexico",
    "Mexico City",
    "Panama Canal",
    "Irish Sea",
)


def load_gazetteer() -> Gazetteer:
    gz = Gazetteer()
    data = resources.files("newscli.extract").joinpath("data/countries.tsv")
    with data.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        code = row["code"].strip()
        name = row["name"].strip()
        gz.names[code] = name
        gz.lookup.setdefault(code.casefold(), code)
    for row in rows:
        code = row["code"].strip()
        gz.add(row["name"], code, "name")
        for col, kind in (("aliases", "alias"), ("demonyms", "demonym"), ("places", "place")):
            for phrase in (row.get(col) or "").split("|"):
                if phrase.strip():
                    gz.add(phrase.strip(), code, kind)
        for prefix in (row.get("prefixes") or "").split("|"):
            if prefix.strip():
                gz.prefixes[prefix.strip()] = code
    base = resources.files("newscli.extract").joinpath("data")
    with base.joinpath("regions.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            code, name = row["code"].strip(), row["name"].strip()
            if name != "Georgia":  # the country keeps the bare word; see _is_person_or_state
                gz.add(name, code, "place")
            gz.qualifiers[name] = code
            for abbr in (row.get("abbreviations") or "").split("|"):
                if abbr.strip():
                    gz.qualifiers[abbr.strip()] = code
    with base.joinpath("cities.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            for city in (row.get("cities") or "").split("|"):
                if city.strip():
                    gz.add(city.strip(), row["code"].strip(), "place")
    for phrase in BLOCKED:
        gz.block(phrase)
    return gz


@dataclass(frozen=True)
class CountryMention:
    code: str
    start: int
    end: int
    kind: str


def find_countries(
    text: str, gz: Gazetteer, tokens: list[Token] | None = None
) -> list[CountryMention]:
    """Every country mention, longest match first, guards applied."""
    toks = tokens if tokens is not None else tokenize(text)
    out: list[CountryMention] = []
    words = {t.text for t in toks}
    us_georgia = bool(words & _US_GEORGIA) and not (words & _GE_GEORGIA)
    people: set[str] = (
        set()
    )  # ambiguous words seen as a person's name in this text ("Chad Whitaker")
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i]
        longest = gz.first.get(tok.text)
        if longest is None:
            code = gz.prefixes.get(tok.text)
            if code and text[tok.end : tok.end + 1] == "-":
                out.append(CountryMention(code, tok.start, tok.end, "prefix"))
            i += 1
            continue
        hit = None
        for size in range(min(longest, n - i), 0, -1):
            span = toks[i : i + size]
            if size > 1 and not all(
                joined_by_space_or_hyphen(text, a, b) for a, b in pairwise(span)
            ):
                continue
            value = gz.phrases.get(tuple(t.text for t in span))
            if value is not None:
                hit = (size, value)
                break
        if hit is None:
            i += 1
            continue
        size, (code, kind) = hit
        if code and size == 1 and _is_person_or_state(text, toks, i, us_georgia):
            if tok.text == "Georgia" and us_georgia:
                code = "US"  # the state
            else:
                people.add(tok.text)
                code = NONE
        if code:
            out.append(CountryMention(code, tok.start, toks[i + size - 1].end, kind))
        i += size
    if people:
        # once "Chad" is a first name in this article, a bare "Chad" later is the same person
        out = [
            m
            for m in out
            if not (
                m.end - m.start == len(text[m.start : m.end])
                and text[m.start : m.end].rstrip("'’s") in people
            )
        ]
    return out


def _capitalised_name(tok: Token) -> bool:
    return tok.text[:1].isupper() and tok.text[1:2].islower() and tok.text not in _OK_NEIGHBOURS


def _is_person_or_state(text: str, toks: list[Token], i: int, us_georgia: bool) -> bool:
    word = toks[i].text
    if word == "Georgia" and us_georgia:
        return True
    if word not in PERSON_AMBIGUOUS:
        return False
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and text[toks[i].end : nxt.start] == " " and _capitalised_name(nxt):
        return True
    prev = toks[i - 1] if i > 0 else None
    return prev is not None and text[prev.end : toks[i].start] == " " and _capitalised_name(prev)


def count_countries(mentions: list[CountryMention]) -> Counter[str]:
    return Counter(m.code for m in mentions)


_DATELINE_QUAL = re.compile(
    r"\s*(?P<place>[A-Z][A-Za-z.'’\- ]{1,40}?),\s+(?P<qual>[A-Z][A-Za-z.\- ]{0,25}?\.?)"
    r"(?=,\s+[A-Z][a-z]{2,8}\.?\s+\d|\s*\(|\s+[-–—]|\s*:|\s*--)"
)


def dateline_qualifier(text: str, start: int, gz: Gazetteer) -> tuple[str, int, int] | None:
    """'CAMBRIDGE, Mass., March 3 -' / 'LONDON, Ontario -': the qualifier's country and the place's span.

    The qualifier decides the country: London, Ontario is in Canada, Cambridge, Mass. in the US."""
    m = _DATELINE_QUAL.match(text, start)
    if not m:
        return None
    qual = m.group("qual").strip()
    code = gz.qualifiers.get(qual) or gz.qualifiers.get(qual.rstrip(".") + ".")
    if code is None and len(qual) > 3:
        code = gz.resolve(qual)
    if not code:
        return None
    return code, m.start("place"), m.end("place")
