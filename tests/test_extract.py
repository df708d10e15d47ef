"""Countries and officials: every alias shape, every guard, officials shapes, surname merge, aliases file."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscli.errors import UsageError
from newscli.extract import Extractor
from newscli.models import Article


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor.load()


def codes(ex: Extractor, text: str, dateline: str | None = None) -> set[str]:
    return {c.code for c in ex.extract(Article(title="", body=text, dateline=dateline)).countries}


def names(ex: Extractor, text: str) -> dict[str, str | None]:
    return {o.name: o.title for o in ex.extract(Article(title="", body=text)).officials}


# --- countries: what must be found ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Talks in Pakistan ended.", "PK"),
        ("the U.S. said", "US"),
        ("US officials said", "US"),
        ("the USA team", "US"),
        ("the UK government", "GB"),
        ("the UAE said", "AE"),
        ("the DRC army", "CD"),
        ("his Russian counterpart", "RU"),
        ("the U.S.-Taliban deal", "US"),
        ("the U.S.-Taliban deal in Doha", "QA"),
        ("an Afghan-led process", "AF"),
        ("the China-Pakistan corridor", "CN"),
        ("the China-Pakistan corridor", "PK"),
        ("Indo-Pakistani ties", "IN"),
        ("Indo-Pakistani ties", "PK"),
        ("Sino-Indian border", "CN"),
        ("Pakistan's army", "PK"),
        ("Islamabad said", "PK"),
        ("Moscow replied", "RU"),
        ("in Kabul", "AF"),
        ("Tehran warned", "IR"),
        ("New Delhi said", "IN"),
        ("Riyadh hosted", "SA"),
        ("an Emirati firm", "AE"),
        ("a Saudi prince", "SA"),
        ("Iranian drones", "IR"),
        ("Burma's junta", "MM"),
        ("in Ivory Coast", "CI"),
        ("Türkiye said", "TR"),
        ("Turkey said", "TR"),
        ("the Soviet Union collapsed", "RU"),
        ("the USSR", "RU"),
        ("in Kosovo", "XK"),
        ("in Taiwan", "TW"),
        ("the West Bank", "PS"),
        ("in Gaza", "PS"),
        ("Pakistan Tehreek-e-Insaf rallied", "PK"),
        ("Saudi Aramco profit", "SA"),
        ("PAKISTAN REJECTS", "PK"),
        ("Georgian Prime Minister Irakli Kobakhidze in Tbilisi", "GE"),
        ("in Georgia, the former Soviet republic, Tbilisi", "GE"),
        ("Jordan's King Abdullah", "JO"),
        ("troops left Chad", "TD"),
        ("in Papua New Guinea", "PG"),
        ("in Guinea", "GN"),
        ("Guinea-Bissau voted", "GW"),
        ("in Niger", "NE"),
        ("in Nigeria", "NG"),
        ("South Sudan", "SS"),
        ("Sudan", "SD"),
        ("North Korea", "KP"),
        ("South Korea", "KR"),
        ("Dominica", "DM"),
        ("the Dominican Republic", "DO"),
    ],
)
def test_found(ex: Extractor, text: str, code: str) -> None:
    assert code in codes(ex, text)


# --- countries: guards --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Governor Brian Kemp spoke in Atlanta, Georgia, on Monday.", "GE"),
        ("Jordan Henderson scored twice.", "JO"),
        ("coach Jordan Ruiz said", "JO"),
        ("Chad Miller, a farmer, said. Later Chad added more.", "TD"),
        ("a roast turkey and the good china", "TR"),
        ("a roast turkey and the good china", "CN"),
        ("ships in the Indian Ocean", "IN"),
        ("the governor of New Mexico", "MX"),
        ("the West Indies cricket team", "IN"),
        ("Papua New Guinea votes", "GN"),
        ("Nigeria's oil", "NE"),
        ("South Sudan's president", "SD"),
        ("North Korea fired", "KR"),
        ("South Korea", "KP"),
        ("the Dominican Republic", "DM"),
        ("Dominica's prime minister", "DO"),
    ],
)
def test_guards(ex: Extractor, text: str, absent: str) -> None:
    assert absent not in codes(ex, text)


def test_us_state_counts_as_us(ex: Extractor) -> None:
    assert codes(ex, "Governor Brian Kemp spoke in Atlanta, Georgia, on Monday.") == {"US"}
    assert "US" in codes(ex, "the governor of New Mexico")


def test_dateline_qualifier_decides(ex: Extractor) -> None:
    assert codes(ex, "LONDON, Ontario, March 3 - The company said.") == {"CA"}
    assert codes(ex, "CAMBRIDGE, Mass., March 3 - The company said.") == {"US"}


def test_mention_counts_and_main_country(ex: Extractor) -> None:
    a = ex.extract(
        Article(
            title="Pakistan and India",
            body="ISLAMABAD: India said. India again. Pakistan.",
            dateline="ISLAMABAD",
        )
    )
    counts = {c.code: c.mentions for c in a.countries}
    assert counts == {"PK": 3, "IN": 3}
    assert a.main_country == "PK"  # tie broken by the dateline


def test_longest_match_wins(ex: Extractor) -> None:
    assert codes(ex, "Papua New Guinea") == {"PG"}
    assert codes(ex, "Equatorial Guinea") == {"GQ"}
    assert codes(ex, "the Republic of the Congo") == {"CG"}


# --- officials ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        ("Foreign Minister Shah Mahmood Qureshi said", "Shah Mahmood Qureshi", "Foreign Minister"),
        ("Prime Minister Imran Khan said", "Imran Khan", "Prime Minister"),
        ("U.S. Secretary of State Antony Blinken said", "Antony Blinken", "Secretary of State"),
        ("Chief Minister Omar Abdullah said", "Omar Abdullah", "Chief Minister"),
        (
            "acting Foreign Minister Amir Khan Muttaqi said",
            "Amir Khan Muttaqi",
            "acting Foreign Minister",
        ),
        ("former prime minister Nawaz Sharif said", "Nawaz Sharif", "former prime minister"),
        ("King Abdullah II said", "Abdullah II", "King"),
        ("army chief Gen Qamar Javed Bajwa said", "Qamar Javed Bajwa", None),
        ("Ambassador Masood Khan said", "Masood Khan", "Ambassador"),
        ("Governor Jameel Ahmad said", "Jameel Ahmad", "Governor"),
        ("Chief Adviser Muhammad Yunus said", "Muhammad Yunus", "Chief Adviser"),
        ("met his Iranian counterpart Abbas Araghchi", "Abbas Araghchi", None),
        ("met Russian counterpart Sergey Lavrov", "Sergey Lavrov", None),
        ("Volodymyr Zelenskyy, the Ukrainian president, said", "Volodymyr Zelenskyy", None),
        ("said the Ukrainian president, Volodymyr Zelenskyy.", "Volodymyr Zelenskyy", None),
        ("prime minister Shehbaz Sharif said", "Shehbaz Sharif", "prime minister"),
        (
            "External Affairs Minister S. Jaishankar said",
            "S. Jaishankar",
            "External Affairs Minister",
        ),
        (
            "Pakistan's special representative for Afghanistan, Mohammad Sadiq, said",
            "Mohammad Sadiq",
            None,
        ),
        ("President Recep Tayyip Erdoğan said", "Recep Tayyip Erdoğan", "President"),
    ],
)
def test_official_shapes(ex: Extractor, text: str, name: str, title: str | None) -> None:
    found = names(ex, text)
    assert name in found, found
    if title is not None:
        assert found[name] == title


@pytest.mark.parametrize(
    "text",
    [
        "cricketer Rashid Khan took five wickets",
        "analyst Michael Kugelman said",
        "author Mohsin Hamid wrote",
        "Chief executive Amin Nasser said",
        "the professor Ayesha Siddiqa said",
    ],
)
def test_non_officials_not_taken(ex: Extractor, text: str) -> None:
    assert names(ex, text) == {}


def test_surname_mentions_merge(ex: Extractor) -> None:
    a = ex.extract(
        Article(
            title="",
            body="Foreign Minister Shah Mahmood Qureshi arrived. Mr Qureshi said. Qureshi left.",
        )
    )
    assert [(o.name, o.mentions) for o in a.officials] == [("Shah Mahmood Qureshi", 3)]
    b = ex.extract(
        Article(
            title="",
            body="Russian counterpart Sergey Lavrov met them. Lavrov said talks went well.",
        )
    )
    assert {o.name: o.mentions for o in b.officials}["Sergey Lavrov"] == 2


def test_diacritic_and_case_insensitive_merge_keeps_spelling(ex: Extractor) -> None:
    a = ex.extract(
        Article(
            title="", body="President Recep Tayyip Erdoğan spoke. Later ERDOGAN and Erdogan left."
        )
    )
    assert [(o.name, o.mentions) for o in a.officials] == [("Recep Tayyip Erdoğan", 3)]


def test_known_official_without_title(ex: Extractor) -> None:
    found = names(ex, "Talks between Vladimir Putin and Xi Jinping ended.")
    assert "Vladimir Putin" in found and "Xi Jinping" in found


def test_known_name_inside_longer_name_is_not_that_official(ex: Extractor) -> None:
    assert "Sadiq Khan" not in names(ex, "envoy Mohammad Sadiq Khan held talks")


# --- aliases file ------------------------------------------------------------------------------


def test_aliases_file(tmp_path: Path) -> None:
    f = tmp_path / "aliases.tsv"
    f.write_text(
        "# my aliases\nZelensky\tVolodymyr Zelenskyy\nSMQ\tShah Mahmood Qureshi\nBharat\tIN\n"
        "+Ayesha Farooq\tMinister of State\n!Jordan\n",
        encoding="utf-8",
    )
    ex = Extractor.load(f)
    a = ex.extract(
        Article(
            title="", body="Zelensky met SMQ in Bharat. Ayesha Farooq joined. Jordan was absent."
        )
    )
    assert {c.code for c in a.countries} == {"IN"}
    got = {o.name for o in a.officials}
    assert {"Volodymyr Zelenskyy", "Shah Mahmood Qureshi", "Ayesha Farooq"} <= got
    assert ex.resolve_country("bharat") == "IN"


@pytest.mark.parametrize("content", ["just one column\n", "Foo\tZZ\n"])
def test_bad_aliases_file_is_usage_error(tmp_path: Path, content: str) -> None:
    f = tmp_path / "aliases.tsv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=r"aliases\.tsv:1"):
        Extractor.load(f)


def test_trie_not_after_refuses_matches_inside_words() -> None:
    import re

    from newscli.extract.trie import trie_pattern

    rx = re.compile(trie_pattern(["Oman", "Iran", "Iraq", "Ir"], not_after=r"[\w]"))
    text = "XOman Oman, Iran;Iraq _Iran 9Iraq Irish"
    assert [(m.group(), m.start()) for m in rx.finditer(text)] == [
        ("Oman", 6),
        ("Iran", 12),
        ("Iraq", 17),
        ("Ir", 34),
    ]
    assert rx.pattern.startswith("(?:I")  # each branch opens with its literal
    # a phrase that starts with a space cannot carry the check after its first character
    spaced = re.compile(trie_pattern([" x", "y"], not_after=r"[\w]"))
    assert [m.start() for m in spaced.finditer("- x ay y a x")] == [1, 7]


def test_fold_caches_names_but_not_whole_texts() -> None:
    from newscli.models import _fold_short, fold

    _fold_short.cache_clear()
    assert fold("Recep Tayyip ERDOĞAN") == "recep tayyip erdogan"
    body = "Foreign Minister Shah Mahmood Qureshi " * 40
    assert fold(body) == body.lower().strip()
    assert _fold_short.cache_info().currsize == 1  # the body was folded but not kept


# --- the title regex's fast scan (OfficialData.title_matches) ----------------------------------

_SCAN_PIECES = [
    "Foreign Minister",
    "foreign minister",
    "FOREIGN MINISTER",
    "Prime\u00a0Minister",
    "PM",
    "pm",
    "Gen",
    "gen",
    "General",
    "Lt Gen",
    "President",
    "president-elect",
    "vice-President",
    "Tánaiste",
    "TÁNAISTE",
    "Chargé d'Affaires",
    "Ambassador to the United States",
    "Shah Mahmood Qureshi",
    "Imran Khan",
    "Ishaq Dar",
    "Mr Qureshi",
    "A. B. Khan",
    " ",
    " ",
    " ",
    "  ",
    ", ",
    ". ",
    "\n",
    "\n\n",
    "-",
    "(",
    ")",
    '"',
    "’",
    "'s",
    "ſ",
    "ı",
    "İ",
    "K",
    "ß",
    "Σ",
    "x",
    "7",
    "_",
    "said",
    "the",
    "his counterpart",
]


def _same_as_finditer(ex: Extractor, text: str) -> None:
    od = ex.od
    slow = [(m.span(), m.groupdict()) for m in od.title_regex().finditer(text)]
    fast = [(m.span(), m.groupdict()) for m in od.title_matches(text)]
    assert fast == slow, text


def test_title_scan_finds_what_the_title_regex_finds(ex: Extractor) -> None:
    import random

    rnd = random.Random(7)
    texts = [p.read_text(encoding="utf-8") for p in Path("sample_data").rglob("*.txt")]
    texts += ["".join(rnd.choices(_SCAN_PIECES, k=rnd.randint(1, 60))) for _ in range(3000)]
    texts += [t.upper() for t in texts[:40]] + [t.lower() for t in texts[:40]]
    hits = 0
    for text in texts:
        _same_as_finditer(ex, text)
        hits += sum(1 for _ in ex.od.title_matches(text))
    assert hits > 1000  # the texts do hold titles with names


@pytest.mark.parametrize(
    "text",
    [
        "Foreign Minister Shah Mahmood Qureshi",  # at the very start
        "xForeign Minister Shah Mahmood Qureshi",  # inside a word: no match either way
        "-President Imran Khan",
        "FOREIGN MINIſTER Shah Mahmood Qureshi",  # ſ matches s only under IGNORECASE
        "Prıme Minister Imran Khan",  # dotless i, likewise
        "İ Prime Minister Imran Khan",  # lower() makes İ two characters
        "prime minister prime minister Imran Khan",  # a failed start, then a match inside it
    ],
)
def test_title_scan_edge_cases(ex: Extractor, text: str) -> None:
    _same_as_finditer(ex, text)


def test_case_insensitive_extras_match_every_code_point() -> None:
    """The characters the scan cannot see through lower() are all known to it: re's table of
    extra cases gives those a search of every code point finds for the titles' letters (apart
    from U+0130, whose lower() is two characters, which the scan checks by length)."""
    import re

    from newscli.extract.officials import case_insensitive_extras

    letters = {c for t in Extractor.load().od.titles for c in " ".join(t.split()).lower()}
    every = "".join(map(chr, range(0x110000)))
    found = set()
    for letter in letters:
        matched = re.compile("(?i)" + re.escape(letter)).findall(every)
        found.update(c for c in matched if c.lower() != letter)
    extras = case_insensitive_extras(letters)
    assert extras is not None  # this interpreter's re has the table
    assert {"ſ", "ı"} <= found
    assert found - extras <= {"\u0130"}


def test_title_scan_without_re_case_table_takes_the_plain_regex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newscli.extract import officials

    monkeypatch.setattr(officials, "case_insensitive_extras", lambda letters: None)
    fresh = Extractor.load()
    text = "FOREIGN MINIſTER Shah Mahmood Qureshi met Prime Minister Imran Khan."
    assert fresh.od._title_scan is None
    _same_as_finditer(fresh, text)
    assert fresh.od._title_scan is not None
    unsafe = fresh.od._title_scan[1]
    assert unsafe is not None and unsafe.search("plain ascii")  # every text: the plain regex
