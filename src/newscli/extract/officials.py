"""Government officials named in a text: title + name, counterparts, appositives, known names, surname merging."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from newscli.extract.trie import trie_pattern
from newscli.models import Official, fold, fold_aligned

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
# A capitalised word of two or more letters. Atomic, with the "ends in a letter" test as a
# lookbehind: a backtracking version took seconds on one 10,000-character capitalised token.
_CAP = rf"[{_UP}](?>[\w’'\-]+)(?<=[^\W\d_])"
_INITIAL = rf"[{_UP}]\."
_PARTICLE = r"(?:bin|bint|ibn|al|el|ul|ud|da|de|del|della|di|dos|du|van|von|der|den|le|la|ben|abu)"
_PARTICLE_HYPH = rf"(?:al|el|ul|ud|ad|as|ash|at|az|an|ar|ut)-[{_UP}][\w’'\-]*"
_NUMERAL = r"(?:II|III|IV|VI|VII|VIII|IX|Jr\.?|Sr\.?)"
# A name's first character is always a capital ("A. B. Name" or "Name"): written so that it
# opens the pattern, which lets the appositive regex below skip to capitals in C.
_FIRST_UP = f"[{_UP}]"
_NAME_REST = (  # up to three initials ("A. B. Name") and the first word, then more words
    rf"(?:\.\s?[{_UP}]){{0,3}}(?>[\w’'\-]+)(?<=[^\W\d_])"
    rf"(?:[ \u00a0](?:{_INITIAL}|(?:{_PARTICLE}[ \u00a0])?(?:{_CAP}|{_PARTICLE_HYPH})|{_PARTICLE_HYPH})){{0,4}}"
    rf"(?:[ \u00a0]{_NUMERAL}\b)?"
)
NAME = _FIRST_UP + _NAME_REST
_MODIFIER = r"(?:(?:acting|former|then|caretaker|interim|outgoing|incoming|late|ex-|deposed|ousted)[ \u00a0]+)"
# Looked for just before a title match rather than as an optional group in front of the title
# pattern, which the regex engine tried at every position: the same matches in half the time
# (0.41 -> 0.23 ms per generated article, identical results on 1,000 of them).
_MODIFIER_BEFORE = re.compile(rf"{_MODIFIER}$")

# Words that end a name when they follow it ("President Biden Thursday"), or that can't be one.
STOP_WORDS = frozenset(
    """The A An And Or But In On At Of For To From By With As After Before During Since Until Under
    Over Also Mr Mrs Ms Dr Sir His Her Their Its This That These Those It He She They We I You
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December Today Yesterday Tomorrow Said Says Told Met Meets
    While When Where Who Which What Why How However Meanwhile Earlier Later Minister President
    Secretary Prime Government Ministry Office Party Council Assembly Parliament Senate Committee
    Commission Foreign Defence Defense Interior Finance State National Federal Army Navy Air Force
    Chief General Governor Ambassador Spokesperson Spokesman Spokeswoman King Queen Prince Crown
    Affairs Embassy Department Bank Islamic Republic Kingdom People Union Front League Movement
    Headquarters Staff Command Corps Court Police Guard Guards Agency Institute Authority""".split()
)
NON_OFFICIAL_ROLES = re.compile(
    r"\b(?:cricketer|footballer|player|batsman|bowler|coach|captain|athlete|analyst|analysts|"
    r"author|writer|novelist|poet|professor|academic|scholar|researcher|economist|journalist|"
    r"reporter|columnist|editor|correspondent|singer|actor|actress|director|filmmaker|artist|"
    r"businessman|businesswoman|entrepreneur|executive|CEO|founder|investor|lawyer|activist|"
    r"student|farmer|resident|shopkeeper|doctor|expert|commentator|historian|blogger)\s*,?\s*$",
    re.IGNORECASE,
)

_FALLBACK_TITLES = (
    "President",
    "Prime Minister",
    "Foreign Minister",
    "Minister",
    "Secretary of State",
    "King",
    "Queen",
    "Crown Prince",
    "Chancellor",
    "Governor",
    "Ambassador",
    "Chief Minister",
    "Gen",
    "General",
    "Spokesperson",
    "Chief Adviser",
    "Emir",
    "Defence Minister",
)


@dataclass(frozen=True)
class KnownOfficial:
    name: str
    title: str | None
    country: str | None


@dataclass
class OfficialData:
    titles: list[str] = field(default_factory=list)
    ranks: list[str] = field(
        default_factory=list
    )  # military titles, stripped from the front of names
    known: dict[str, KnownOfficial] = field(
        default_factory=dict
    )  # folded name or alias -> official
    by_surname: dict[str, list[KnownOfficial]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)  # folded names never taken
    aliases: dict[str, str] = field(default_factory=dict)  # folded variant -> canonical name
    user_keys: set[str] = field(
        default_factory=set
    )  # short variants a user's aliases file asked for ("SMQ")
    _title_rx: re.Pattern[str] | None = None
    _title_scan: tuple[re.Pattern[str], re.Pattern[str] | None] | None = None
    _lead_rx: re.Pattern[str] | None = None
    _alt: str | None = None
    _appos: tuple[re.Pattern[str], re.Pattern[str]] | None = None
    _known_rx: re.Pattern[str] | None = None

    def add_known(
        self, name: str, title: str | None, country: str | None, aliases: list[str]
    ) -> None:
        k = KnownOfficial(name, title, country)
        for variant in [name, *aliases]:
            if variant.strip():
                self.known[fold(variant)] = k
        parts = [p for p in name.split() if not re.fullmatch(_NUMERAL, p)]
        if len(parts) >= 2:
            same = self.by_surname.setdefault(fold(_strip_particle(parts[-1])), [])
            same[:] = [
                o for o in same if fold(o.name) != fold(name)
            ]  # a later row (current office) wins
            same.append(k)
        self._known_rx = None

    def canonical(self, name: str) -> str:
        return self.aliases.get(fold(name), name)

    def title_regex(self) -> re.Pattern[str]:
        if self._title_rx is None:
            self._title_rx = _compile_titles(self.titles or list(_FALLBACK_TITLES))
        return self._title_rx

    def title_matches(self, text: str) -> Iterator[re.Match[str]]:
        """`title_regex().finditer(text)`, found faster: the regex is tried only where a title
        begins a word, which one scan of the lower-cased text finds (_title_starts). Its leading
        lookbehind made Python's re try the whole pattern at every position of the text: 135-140
        against 64 us per generated article, the same matches (tests/test_extract.py)."""
        rx = self.title_regex()
        if self._title_scan is None:
            self._title_scan = _title_starts(self.titles or list(_FALLBACK_TITLES))
        starts, unsafe = self._title_scan
        low = " " + text.lower()
        if len(low) != len(text) + 1 or (unsafe is not None and unsafe.search(text)):
            yield from rx.finditer(text)  # lower() moved offsets, or missed a (?i) match
            return
        search, match = starts.search, rx.match
        pos = 0
        while (c := search(low, pos)) is not None:
            # c.start() indexes the character before the title in `low`: the title in `text`
            m = match(text, c.start())
            if m is None:
                pos = c.start() + 1
            else:
                yield m
                pos = m.end()

    def title_alt(self) -> str:
        if self._alt is None:
            self._alt = _title_alternation(self.titles or list(_FALLBACK_TITLES))
        return self._alt

    def appositives(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        if self._appos is None:
            self._appos = (_appositive_after(self), _appositive_before(self))
        return self._appos

    def leading_title(self) -> re.Pattern[str]:
        """A rank at the start of a captured name ("Gen Qamar Javed Bajwa" after "Army chief").
        Only military ranks: "Amir Khan Muttaqi" starts with a word that is also a title."""
        if self._lead_rx is None:
            ranks = self.ranks or ["Gen", "General", "Lt Gen", "Field Marshal"]
            self._lead_rx = re.compile(rf"^(?:{_title_alternation(ranks)})\.?[ \u00a0]+(?=\S)")
        return self._lead_rx

    def known_regex(self) -> re.Pattern[str] | None:
        """One alternation of every known name and alias, matched case- and accent-insensitively on folded text."""
        if self._known_rx is None and self.known:
            keys = [k for k in self.known if len(k) >= 4 or k in self.user_keys]
            self._known_rx = re.compile(
                r"(?<![\w])(?:" + trie_pattern(keys, space=r"\s+") + r")(?![\w])"
            )
        return self._known_rx


# Compiled once: these run a few times per name, and re's cache look-up for a pattern given as
# a string costs more than the match itself (~0.05 ms per article).
_HYPHEN_PARTICLE = re.compile(r"^(?:al|el|ul|ud|ad|as|ash|at|az|an|ar)-", re.I)
_NUMERAL_RX = re.compile(_NUMERAL)


def _strip_particle(word: str) -> str:
    return _HYPHEN_PARTICLE.sub("", word)


# Titles that, in lower case, are usually business roles ("chief executive Amin Nasser").
CASE_SENSITIVE_TITLES = frozenset(
    {"Chief Executive", "Director", "Director General", "Director-General", "Commissioner"}
)


def _title_alternation(titles: list[str]) -> str:
    sensitive, insensitive = [], []
    for t in {" ".join(t.split()) for t in titles if t.strip()}:
        # Abbreviations ("PM", "Gen", "Amb.") only count as written: "pm" is a time.
        if len(t.rstrip(".")) <= 3 or t.isupper() or t.endswith(".") or t in CASE_SENSITIVE_TITLES:
            sensitive.append(t)
        else:
            insensitive.append(t.lower())
    return f"(?i:{trie_pattern(insensitive)})|{trie_pattern(sensitive)}"


def _compile_titles(titles: list[str]) -> re.Pattern[str]:
    alt = _title_alternation(titles)
    # "Special Representative for Afghanistan, Mohammad Sadiq" / "Ambassador to the United States Masood Khan"
    scope = (
        rf"(?:[ \u00a0]+(?:for|of|to|in|at)[ \u00a0]+(?:the[ \u00a0]+)?{_CAP}"
        rf"(?:[ \u00a0]+(?:(?:and|of|the)[ \u00a0]+)?{_CAP}){{0,4}})?"
    )
    return re.compile(rf"(?<![\w-])(?P<title>{alt})(?![\w]){scope}\.?,?[ \u00a0]+(?P<name>{NAME})")


def _title_starts(titles: list[str]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    r"""A pattern for `" " + text.lower()` that finds, at the character before it, every place of
    `text` where the title regex can match: a character that is not [\w-] (as its lookbehind
    asks), then any title in lower case. Opening with a character class lets Python's re skip
    the letters in C; only the ~400 separators of an article are tried.

    It finds every such place when lower() keeps the text's length (it does but for U+0130) and
    every character that (?i) matches to a title's letter lowers to it: true but for the few
    that re matches by its extra case table (`ſ` for s, `ı` for i). A text with one of those
    (`unsafe`) takes the plain regex. lower() never turns a word character into another kind.
    """
    lowered = sorted({" ".join(t.split()).lower() for t in titles if t.strip()})
    extra = case_insensitive_extras({c for t in lowered for c in t})
    if extra is None:
        unsafe: re.Pattern[str] | None = re.compile(".", re.S)  # unknown: every text
    elif extra:
        unsafe = re.compile("[" + "".join(map(re.escape, sorted(extra))) + "]")
    else:
        unsafe = None
    return re.compile(rf"[^\w-](?:{trie_pattern(lowered)})"), unsafe


def case_insensitive_extras(letters: set[str]) -> set[str] | None:
    """The characters that re's IGNORECASE matches to one of `letters` (lower-case) although
    they lower() to another character, from re's own table of extra cases (CPython 3.11-3.13;
    tests/test_extract.py checks it against every code point). None where re has no such
    table: then every text takes the plain regex."""
    import importlib

    try:
        table = importlib.import_module("re._compiler")._EXTRA_CASES
    except (ImportError, AttributeError):
        return None
    return {chr(x) for c in letters for x in table.get(ord(c), ())}


def load_official_data() -> OfficialData:
    data = OfficialData()
    base = resources.files("newscli.extract").joinpath("data")
    titles = base.joinpath("titles.tsv")
    if titles.is_file():
        with titles.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
        data.titles = [row["title"] for row in rows]
        data.ranks = [row["title"] for row in rows if row.get("category") == "military"]
    known = base.joinpath("officials.tsv")
    if known.is_file():
        with known.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
                data.add_known(
                    row["name"].strip(),
                    (row.get("title") or "").strip() or None,
                    (row.get("country") or "").strip() or None,
                    aliases,
                )
    return data


@dataclass
class _Found:
    name: str
    title: str | None
    start: int
    strength: int  # 3 titled, 2 appositive/counterpart, 1 known name only


_INITIAL_RX = re.compile(_INITIAL)


def _clean_name(raw: str, lead: re.Pattern[str] | None = None) -> str | None:
    raw = raw.replace("\u00a0", " ")
    if lead is not None:
        for _ in range(3):
            stripped = lead.sub("", raw, count=1)
            if stripped == raw:
                break
            raw = stripped
    words = raw.split()
    out: list[str] = []
    for w in words:
        w2 = w[:-2] if w.endswith(("'s", "’s")) else w
        if w2.strip(".") in STOP_WORDS and not _INITIAL_RX.fullmatch(w2):
            break
        out.append(w2)
        if w2 != w:  # possessive ends the name
            break
    while out and (out[-1].lower() in {"al", "el", "bin", "ibn", "de", "da", "van", "von"}):
        out.pop()
    if not out:
        return None
    name = " ".join(out)
    return name if len(name) >= 3 else None


def find_officials(
    text: str, data: OfficialData, country_words: frozenset[str] = frozenset()
) -> list[Official]:
    """Officials in `text`, merged by name, with their title as found and a mention count."""
    found: list[_Found] = []
    lead = data.leading_title()
    for m in data.title_matches(text):
        name = _clean_name(m.group("name"), lead)
        if not name or name in country_words:
            continue
        mod = _MODIFIER_BEFORE.search(text, max(0, m.start() - 40), m.start())
        title = " ".join(((mod.group(0) if mod else "") + m.group("title")).split())
        found.append(_Found(name, title, m.start("name"), 3))
    for m in _COUNTERPART.finditer(text):
        name = _clean_name(m.group("name"), lead)
        if name and name not in country_words:
            found.append(_Found(name, None, m.start("name"), 2))
    for rx in data.appositives():
        for m in rx.finditer(text):
            name = _clean_name(m.group("name"))
            if name and name not in country_words and len(name.split()) >= 2:
                title = " ".join(m.group("title").split())
                found.append(_Found(name, title, m.start("name"), 2))
    folded = fold_aligned(text)
    known_rx = data.known_regex()
    if known_rx is not None:
        for m in known_rx.finditer(folded):
            original = text[m.start() : m.end()]
            key = fold(m.group(0))
            if (
                original[:1].isupper()
                and key in data.known
                and not _inside_longer_name(text, m.start(), m.end())
                and not _after_non_official(text, m.start())
            ):
                k = data.known[key]
                found.append(_Found(k.name, k.title, m.start(), 1))
    return _merge(text, folded, found, data)


_COUNTERPART = re.compile(rf"counterpart(?<!\wcounterpart)s?,?[ \u00a0]+(?P<name>{NAME})")


def _appositive_after(data: OfficialData) -> re.Pattern[str]:
    titles = data.title_alt()
    return re.compile(
        # NAME's first capital, then the check that no word character comes before it
        rf"(?P<name>{_FIRST_UP}(?<![\w’'\-]{_FIRST_UP}){_NAME_REST}),"
        rf"[ \u00a0]+(?:the|a|an|his|her)[ \u00a0]+(?:{_MODIFIER})?"
        rf"(?:[\w\-\.'’]+[ \u00a0]+){{0,3}}?(?P<title>{titles})(?![\w])"
    )


def _appositive_before(data: OfficialData) -> re.Pattern[str]:
    titles = data.title_alt()
    return re.compile(
        # "the"/"a" as a word, each alternative opening with its literal (see _appositive_after)
        rf"(?:T(?<!\wT)he|t(?<!\wt)he|A(?<!\wA)|a(?<!\wa))[ \u00a0]+(?:{_MODIFIER})?"
        rf"(?:[{_UP}][\w\-\.]*[ \u00a0]+){{0,2}}"
        rf"(?P<title>{titles})(?:[ \u00a0]+of[ \u00a0]+(?:the[ \u00a0]+)?[{_UP}][\w\-]*(?:[ \u00a0]+[{_UP}][\w\-]*)?)?"
        rf",[ \u00a0]+(?P<name>{NAME})"
    )


_NAME_WORD_BEFORE = re.compile(rf"(?:^|[^\w.])(?:{_CAP})[ \u00a0]$")
_NAME_WORD_AFTER = re.compile(rf"^[ \u00a0](?:{_CAP})")


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    """'Sadiq Khan' inside 'Mohammad Sadiq Khan' is not the mayor of London."""
    before = text[max(0, start - 30) : start]
    m = _NAME_WORD_BEFORE.search(before)
    if m and m.group(0).strip(" .\u00a0") not in STOP_WORDS:
        return True
    after = _NAME_WORD_AFTER.match(text[end : end + 30])
    return bool(after and after.group(0).strip() not in STOP_WORDS)


def _after_non_official(text: str, start: int) -> bool:
    return bool(NON_OFFICIAL_ROLES.search(text[max(0, start - 40) : start]))


def _surname(name: str) -> str:
    parts = [p for p in name.split() if not _NUMERAL_RX.fullmatch(p)]
    return _strip_particle(parts[-1]) if parts else name


def _merge(text: str, folded: str, found: list[_Found], data: OfficialData) -> list[Official]:
    found.sort(key=lambda f: f.start)
    full: dict[str, dict[str, object]] = {}  # folded canonical -> {name, title, first}
    singles: list[_Found] = []
    for f in found:
        canonical = data.canonical(f.name)
        if fold(canonical) in data.blocked:
            continue
        known = data.known.get(fold(canonical))
        if known is not None:
            canonical = known.name
        if len(canonical.split()) < 2 and known is None:
            singles.append(f)
            continue
        key = fold(canonical)
        entry = full.get(key)
        if entry is None:
            full[key] = {
                "name": canonical,
                "title": f.title,
                "first": f.start,
                "strength": f.strength,
            }
        elif entry["title"] is None and f.title:
            entry["title"] = f.title
    # A one-word name after a title ("Prime Minister Khan") joins the full name it shortens.
    by_surname: dict[str, list[str]] = {}
    for key, entry in full.items():
        by_surname.setdefault(fold(_surname(str(entry["name"]))), []).append(key)
    for f in singles:
        keys = by_surname.get(fold(_strip_particle(f.name)), [])
        if len(keys) == 1:
            entry = full[keys[0]]
            if entry["title"] is None and f.title:
                entry["title"] = f.title
        else:
            cands = data.by_surname.get(fold(_strip_particle(f.name)), [])
            if len(cands) == 1:
                k = cands[0]
                key = fold(k.name)
                full.setdefault(
                    key,
                    {"name": k.name, "title": f.title or k.title, "first": f.start, "strength": 1},
                )
                by_surname.setdefault(fold(_surname(k.name)), []).append(key)
            elif (
                f.strength == 3
                and f.title
                and not keys
                and _mononym_title(f.title)
                and not re.search(
                    rf"(?<!\w){re.escape(f.name.lower())}(?!\w)", text
                )  # a lowercase use: a common noun
            ):
                # "President Suharto", "King Fahd": the one name the article gives
                key = fold(f.name)
                full.setdefault(
                    key, {"name": f.name, "title": f.title, "first": f.start, "strength": 3}
                )
                by_surname.setdefault(key, []).append(key)
    for entry in full.values():
        if entry["title"] is None:
            known_title = data.known.get(fold(str(entry["name"])))
            entry["title"] = known_title.title if known_title else None
    counts = _mention_counts(text, folded, full, by_surname, data)
    ordered = sorted(full.items(), key=lambda kv: (-counts[kv[0]], int(str(kv[1]["first"]))))
    return [
        Official(
            str(e["name"]), e["title"] if isinstance(e["title"], str) else None, max(1, counts[k])
        )
        for k, e in ordered
    ]


_MONONYM_TITLES = re.compile(
    r"(?i)^(?:(?:acting|former|then|late|interim)\s+)?(?:president|king|queen|emir|amir|sultan|crown prince|"
    r"prince|sheikh|chancellor|premier|prime minister|general|gen\.?|field marshal|ayatollah|supreme leader)$"
)


def _mononym_title(title: str) -> bool:
    return bool(_MONONYM_TITLES.match(title))


@lru_cache(maxsize=4096)
def _whole_words(words: tuple[str, ...]) -> re.Pattern[str]:
    """The words, in order, separated by white space, not inside longer words. The literal opens
    the pattern (Python's re then finds it with a fast string search); the "no word character
    before" test follows the first word instead of preceding it."""
    first = re.escape(words[0])
    rest = "".join(r"\s+" + re.escape(w) for w in words[1:])
    return re.compile(rf"{first}(?<!\w{first}){rest}(?!\w)")


def _mention_counts(
    text: str,
    folded: str,  # fold_aligned(text)
    full: dict[str, dict[str, object]],
    by_surname: dict[str, list[str]],
    data: OfficialData,
) -> Counter[str]:
    counts: Counter[str] = Counter()
    for key, entry in full.items():
        name = str(entry["name"])
        surname_key = fold(_surname(name))
        if len(by_surname.get(surname_key, [])) == 1:
            # every use of the surname ("Mr Qureshi", "Qureshi said") is a mention, including the full name
            n = 0
            for m in _whole_words((surname_key,)).finditer(folded):
                if text[m.start() : m.start() + 1].isupper():
                    n += 1
            counts[key] = n
        else:
            counts[key] = len(_whole_words(tuple(fold(name).split())).findall(folded))
    return counts
