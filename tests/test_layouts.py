"""Plain-text layouts a-e, datelines, Hijri handling, JSON records and decoding."""

from __future__ import annotations

import codecs

import pytest

from newscli.errors import InputError
from newscli.parse.layouts import NotAnArticle, find_dateline, parse_text
from newscli.parse.records import parse_record
from newscli.parse.text import clean, decode

SEED = """The Indus Chronicle

Saturday, November 23, 2024
21 Jumada Al-Awwal 1446

Pakistan and Russia agree to expand energy cooperation

ISLAMABAD, Nov 23 (CNA): Foreign Minister Shah Mahmood Qureshi said on Saturday that talks went well.

A second paragraph mentions Kashmir.
"""


def test_seed_layout() -> None:
    p = parse_text(SEED)
    a = p.article
    assert p.layout == "seed"
    assert a.source == "The Indus Chronicle"
    assert a.title == "Pakistan and Russia agree to expand energy cooperation"
    assert a.published is not None and a.published.iso() == "2024-11-23"
    assert a.hijri is not None and a.hijri.ymd == "1446-05-21"
    assert a.dateline == "ISLAMABAD"
    assert a.body.startswith("ISLAMABAD, Nov 23 (CNA):")
    assert "Kashmir" in a.body
    assert p.warnings == []


def test_header_block_any_case_any_order() -> None:
    text = (
        "source: Gulf Morning Herald\nPUBLISHED: 2024-11-23T10:15:00+05:00\nTitle: Talks resume in Doha\n"
        "url: https://example-news.test/a/1\nBy: Amina Rauf\n\nDOHA (GMH) - The talks resumed.\n"
    )
    p = parse_text(text)
    a = p.article
    assert p.layout == "header"
    assert (a.title, a.source, a.url, a.author) == (
        "Talks resume in Doha",
        "Gulf Morning Herald",
        "https://example-news.test/a/1",
        "Amina Rauf",
    )
    assert a.published is not None and a.published.iso() == "2024-11-23T10:15:00+05:00"
    assert a.dateline == "DOHA"
    assert a.body == "DOHA (GMH) - The talks resumed."


@pytest.mark.parametrize("key", ["Outlet", "Publisher", "SOURCE"])
def test_header_source_synonyms(key: str) -> None:
    a = parse_text(f"Title: T\n{key}: Meridian Times\nDate: 23 Nov 2024\n\nBody text.\n").article
    assert a.source == "Meridian Times"
    assert a.published is not None and a.published.iso() == "2024-11-23"


def test_headline_first_with_byline() -> None:
    text = (
        "Afghan-led peace process gains momentum\nBy Staff Correspondent | Published 7 February 2025, 10:42 pm\n\n"
        "KABUL: Officials said on Friday that the process was moving.\n"
    )
    p = parse_text(text)
    a = p.article
    assert p.layout == "headline-first"
    assert a.title == "Afghan-led peace process gains momentum"
    assert a.source is None
    assert a.author == "Staff Correspondent"
    assert a.published is not None and a.published.iso() == "2025-02-07T22:42:00"
    assert a.dateline == "KABUL"


@pytest.mark.parametrize(
    ("para", "place"),
    [
        ("ISLAMABAD, Nov 23 (APP): The minister said", "ISLAMABAD"),
        ("WASHINGTON (Reuters) - The Fed said", "WASHINGTON"),
        ("BEIJING: China said", "BEIJING"),
        ("NEW DELHI, March 3 -- India said", "NEW DELHI"),
        ("KAZAN, Russia (CWS) - Leaders met", "KAZAN"),
        ("Islamabad, Nov 23 (APP): The minister said", "Islamabad"),
        ("The minister said on Saturday: talks went well", None),
        ("US officials said - quietly - that", None),
    ],
)
def test_datelines(para: str, place: str | None) -> None:
    assert find_dateline(para) == place


def test_dateline_not_taken_as_outlet_or_headline() -> None:
    text = "WASHINGTON (Reuters) - The Federal Reserve held rates on Wednesday, officials said.\n\nMore text.\n"
    a = parse_text(text).article
    assert a.source is None
    assert a.dateline == "WASHINGTON"
    assert a.published is None


UNDATED = (
    "Northern Ledger\n\nLeaders meet again on trade\n\n"
    "The talks on October 4 last year were first held in 2017.\n\nMore.\n"
)


@pytest.mark.parametrize(
    "text",
    [
        UNDATED,
        "Leaders meet again on trade\n\nThe talks on October 4 last year were first held in 2017 and resumed.\n",
    ],
)
def test_undated_stays_unknown(text: str) -> None:
    p = parse_text(text)
    assert p.article.published is None
    assert p.article.title == "Leaders meet again on trade"
    assert p.layout == "undated"


def test_undated_outlet_detected() -> None:
    assert parse_text(UNDATED).article.source == "Northern Ledger"


def test_hijri_only_is_used_as_date() -> None:
    text = "Indus Chronicle\n\n3 Ramadan 1446\n\nA headline here\n\nBody text that is long enough to be a body.\n"
    a = parse_text(text).article
    assert a.published is not None
    assert a.published.iso() == "2025-03-03"
    assert a.published.source == "hijri"


def test_hijri_disagreement_warns_and_gregorian_wins() -> None:
    text = SEED.replace("21 Jumada Al-Awwal 1446", "3 Ramadan 1446")
    p = parse_text(text)
    assert p.article.published is not None and p.article.published.iso() == "2024-11-23"
    assert any("disagrees" in w and "2025-03-03" in w for w in p.warnings)


def test_hijri_within_two_days_is_quiet() -> None:
    text = SEED.replace("21 Jumada Al-Awwal 1446", "20 Jumada Al-Awwal 1446")  # one day off
    assert parse_text(text).warnings == []


def test_impossible_date_warns_and_stays_unknown() -> None:
    text = "Indus Chronicle\n\n31 February 2024\n\nA headline here\n\nBody text here.\n"
    p = parse_text(text)
    assert p.article.published is None
    assert any("impossible" in w for w in p.warnings)


def test_bad_hijri_month_warns() -> None:
    text = "Indus Chronicle\n\nSaturday, November 23, 2024\n20 Foobar 1446 AH\n\nA headline\n\nBody text.\n"
    p = parse_text(text)
    assert p.article.published is not None
    assert any("Hijri month" in w for w in p.warnings)


def test_empty_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        parse_text("  \n\n \n")


def test_json_record_field_names() -> None:
    a = parse_record(
        {
            "headline": "H",
            "content": "Body.\n\nMore.",
            "published_at": "2024-11-23T10:15:00Z",
            "publisher": {"name": "Wire"},
            "link": "https://x.test/1",
            "tags": ["ignored"],
        }
    ).article
    assert (a.title, a.body, a.source, a.url) == ("H", "Body.\n\nMore.", "Wire", "https://x.test/1")
    assert a.published is not None and a.published.iso() == "2024-11-23T10:15:00+00:00"


def test_json_record_wrong_types() -> None:
    with pytest.raises(NotAnArticle, match="title"):
        parse_record({"title": ["a", "b"], "body": "x"})
    with pytest.raises(NotAnArticle):
        parse_record({"tags": []})
    with pytest.raises(NotAnArticle):
        parse_record([1, 2])


def test_json_epoch_date() -> None:
    a = parse_record({"title": "T", "body": "B", "timestamp": 1732356900}).article
    assert a.published is not None and a.published.iso() == "2024-11-23T10:15:00+00:00"


def test_decode_bom_and_fallbacks() -> None:
    assert decode(codecs.BOM_UTF8 + "héllo".encode())[0] == "héllo"
    assert decode(codecs.BOM_UTF16_LE + "héllo".encode("utf-16-le"))[0] == "héllo"
    text, note = decode("café".encode("latin-1"))
    assert text == "café" and note and "Windows-1252" in note
    assert decode(b"\x81\x8d ok")[0].endswith(" ok")  # bytes cp1252 leaves undefined still decode


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n\x00\x00", b"\x1f\x8b\x08\x00abc", b"a\x00b\x00c\x00d\x00" * 50]
)
def test_decode_refuses_binary(data: bytes) -> None:
    with pytest.raises(InputError):
        decode(data)


def test_clean_strips_terminal_sequences() -> None:
    hostile = "A\x1b[31mred\x1b[0m \x1b]8;;http://evil.test\x07link\x1b]8;;\x07 B\rC\x07\x9b2J"
    out = clean(hostile)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "red" in out and "link" in out
