"""Countries mentioned in a text: names, aliases, demonyms, capitals, prefixes, with guards against false hits."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from importlib import resources

from newscli.extract.tokens import key_of
from newscli.extract.trie import trie_pattern

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

_US_GEORGIA_RX = re.compile(r"\b(?:" + "|".join(sorted(_US_GEORGIA)) + r")\b")
_GE_GEORGIA_RX = re.compile(r"\b(?:" + "|".join(sorted(_GE_GEORGIA)) + r")\b")

NONE = ""  # value of a blocked phrase: matches (so it wins as the longest) but names no country


@dataclass
class Gazetteer:
    names: dict[str, str] = field(default_factory=dict)  # code -> display name
    # token key ("Papua", "New", "Guinea") -> (code, kind)
    phrases: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)  # "Sino" -> CN (only before a hyphen)
    first: dict[str, int] = field(default_factory=dict)  # first token -> longest phrase length
    lookup: dict[str, str] = field(default_factory=dict)  # folded name/alias/code -> code
    # "Mass." / "Ontario" in a dateline -> code
    qualifiers: dict[str, str] = field(default_factory=dict)
    _rx: re.Pattern[str] | None = None
    _rx_size: int = -1
    _prefix_rx: re.Pattern[str] | None = None

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


def _compiled(gz: Gazetteer) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """One prefix-tree regex over every phrase (longest match at each position), and one for prefixes."""
    if gz._rx is None or gz._rx_size != len(gz.phrases):
        surfaces = [" ".join(k) for k in gz.phrases]
        body = trie_pattern(surfaces, space=r"[\s\-]+", not_after=r"[\w]")
        gz._rx = re.compile(rf"(?:{body})(?=(?:['’][sS]?)?(?![\w]))")
        gz._rx_size = len(gz.phrases)
        gz._prefix_rx = (
            re.compile("(?:" + trie_pattern(list(gz.prefixes), not_after=r"[\w]") + ")(?=-)")
            if gz.prefixes
            else None
        )
    return gz._rx, gz._prefix_rx


_SEP = re.compile(r"[\s\-]+")
_PREV_WORD = re.compile(r"(?:^|[^\w'’])([^\W\d_][\w'’\-]*) $")
_NEXT_WORD = re.compile(r" ([^\W\d_][\w'’\-]*)")


def find_countries(text: str, gz: Gazetteer) -> list[CountryMention]:
    """Every country mention, longest match first, guards applied."""
    rx, prefix_rx = _compiled(gz)
    scan = text.replace("’", "'")  # same length: offsets stay valid
    out: list[CountryMention] = []
    people: set[str] = set()  # ambiguous words seen as a person's name here ("Chad Whitaker")
    us_georgia: bool | None = None
    for m in rx.finditer(scan):
        key = tuple(_SEP.split(m.group(0)))
        code, kind = gz.phrases.get(key, (NONE, "block"))
        if code and len(key) == 1 and key[0] in PERSON_AMBIGUOUS:
            if key[0] == "Georgia":
                if us_georgia is None:
                    us_georgia = bool(_US_GEORGIA_RX.search(text)) and not _GE_GEORGIA_RX.search(
                        text
                    )
                if us_georgia:
                    code = "US"  # the state
            if code != "US" and _next_to_a_name(text, m.start(), m.end()):
                people.add(key[0])
                code = NONE
        if code:
            out.append(CountryMention(code, m.start(), m.end(), kind))
    if prefix_rx is not None:
        for m in prefix_rx.finditer(scan):
            out.append(CountryMention(gz.prefixes[m.group(0)], m.start(), m.end(), "prefix"))
        out.sort(key=lambda c: c.start)
    if people:
        # once "Chad" is a first name in this article, a bare "Chad" later is the same person
        out = [c for c in out if text[c.start : c.end] not in people]
    return out


def _next_to_a_name(text: str, start: int, end: int) -> bool:
    nxt = _NEXT_WORD.match(text, end)
    if nxt and _capitalised_name(nxt.group(1)):
        return True
    prev = _PREV_WORD.search(text, max(0, start - 40), start)
    return bool(prev and _capitalised_name(prev.group(1)))


def _capitalised_name(word: str) -> bool:
    word = re.sub(r"['’]s$", "", word)
    return word[:1].isupper() and word[1:2].islower() and word not in _OK_NEIGHBOURS


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
