"""Ingest end to end on sample_data and on small made-up inputs: counts, dedupe, updates, rejects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clitools import cli
from conftest import SAMPLE


def _summary(err: str) -> dict[str, int]:
    line = [ln for ln in err.splitlines() if " added, " in ln][-1]
    out = {}
    for key in ("added", "updated", "unchanged", "rejected"):
        out[key] = int(line.split(f" {key}")[0].rsplit(" ", 1)[-1].lstrip(":"))
    return out


def test_sample_ingest_twice_adds_nothing_the_second_time(
    sample_labels: list[dict[str, Any]], eval_labels: list[dict[str, Any]]
) -> None:
    first = cli("ingest", str(SAMPLE))
    assert first.code == 0, first.err
    expected = len(sample_labels) + len(eval_labels)
    assert _summary(first.err) == {"added": expected, "updated": 0, "unchanged": 0, "rejected": 0}
    assert first.out == ""  # data only on stdout; the summary is on stderr
    second = cli("ingest", str(SAMPLE))
    assert second.code == 0
    assert _summary(second.err) == {"added": 0, "updated": 0, "unchanged": expected, "rejected": 0}
    stats = cli("stats", "--format", "json")
    assert json.loads(stats.out)["articles"] == expected


def test_ingest_glob_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = cli("ingest", str(SAMPLE / "misc" / "*.txt"))
    assert r.code == 0, r.err
    n_misc = len(list((SAMPLE / "misc").glob("*.txt")))
    assert _summary(r.err)["added"] == n_misc
    import io
    import sys

    data = (SAMPLE / "feeds" / "wire.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    r2 = cli("ingest", "-")
    assert r2.code == 0, r2.err
    assert _summary(r2.err)["added"] == len(data.splitlines())


def test_changed_file_is_updated_not_duplicated(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(
        "Indus Chronicle\n\n23 Nov 2024\n\nTalks in Islamabad\n\nISLAMABAD: First version of the body.\n"
    )
    assert cli("ingest", str(f)).code == 0
    first_id = cli("search", "*").jsonl()[0]["id"]
    f.write_text(
        "Indus Chronicle\n\n23 Nov 2024\n\nTalks in Islamabad\n\nISLAMABAD: Second version, corrected.\n"
    )
    r = cli("ingest", str(f))
    assert _summary(r.err) == {"added": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    hits = cli("search", "*").jsonl()
    assert len(hits) == 1
    assert hits[0]["id"] != first_id
    assert cli("search", "corrected").code == 0
    assert cli("search", "first").code == 1


def test_same_url_changed_text_is_updated(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"title": "T", "body": "old body", "url": "https://x.test/1"}) + "\n")
    cli("ingest", str(f))
    g = tmp_path / "feed2.jsonl"
    g.write_text(json.dumps({"title": "T", "body": "new body", "url": "https://x.test/1/"}) + "\n")
    r = cli("ingest", str(g))
    assert _summary(r.err)["updated"] == 1
    hits = cli("search", "*").jsonl()
    assert len(hits) == 1 and hits[0]["url"] == "https://x.test/1/"


def test_jsonl_bad_line_reported_rest_goes_on(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text(
        json.dumps({"title": "One", "body": "first"})
        + "\n"
        + "{not json\n"
        + json.dumps({"title": ["bad"], "body": "x"})
        + "\n"
        + json.dumps({"title": "Four", "body": "fourth"})
        + "\n"
    )
    r = cli("ingest", str(f))
    assert r.code == 2
    assert f"{f}:2: invalid JSON" in r.err
    assert f"{f}:3: field 'title' must be a string" in r.err
    assert _summary(r.err) == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert {h["title"] for h in cli("search", "*").jsonl()} == {"One", "Four"}


def test_missing_path_is_rejected_others_ingested(tmp_path: Path) -> None:
    r = cli("ingest", str(tmp_path / "nope.txt"), str(SAMPLE / "misc"))
    assert r.code == 2
    assert "nope.txt: no such file or directory" in r.err
    assert _summary(r.err)["added"] > 0


def test_duplicate_within_one_run_kept_once(tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    rec = json.dumps({"title": "Same", "body": "same body", "url": "https://x.test/same"})
    f.write_text(rec + "\n" + rec + "\n")
    r = cli("ingest", str(f))
    assert r.code == 0
    assert len(cli("search", "*").jsonl()) == 1


def test_hijri_disagreement_warning_names_file(tmp_path: Path) -> None:
    f = tmp_path / "h.txt"
    f.write_text(
        "Indus Chronicle\n\nSaturday, November 23, 2024\n3 Ramadan 1446\n\nA headline\n\nBody text.\n"
    )
    r = cli("ingest", str(f))
    assert r.code == 0
    assert str(f) in r.err and "disagrees" in r.err
    hit = cli("search", "*").jsonl()[0]
    assert hit["date"] == "2024-11-23" and hit["hijri"] == "1446-09-03"


def test_reindex_applies_new_aliases_without_original_files(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(
        "Indus Chronicle\n\n23 Nov 2024\n\nSMQ visits Bharatvarsh\n\nSMQ said Bharatvarsh and Pakistan must talk.\n"
    )
    assert cli("ingest", str(src)).code == 0
    before = cli("search", "*").jsonl()[0]
    assert {c["code"] for c in before["countries"]} == {"PK"}
    assert before["officials"] == []
    src.unlink()  # reindex works from the stored articles
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("SMQ\tShah Mahmood Qureshi\nBharatvarsh\tIN\n")
    r = cli("reindex", "--aliases", str(aliases))
    assert r.code == 0, r.err
    assert "1 changed" in r.err
    after = cli("search", "*").jsonl()[0]
    assert after["id"] == before["id"]
    assert {c["code"] for c in after["countries"]} == {"PK", "IN"}
    assert [o["name"] for o in after["officials"]] == ["Shah Mahmood Qureshi"]
    again = cli("reindex", "--aliases", str(aliases))
    assert "0 changed" in again.err
    assert cli("search", "--official", "Qureshi").code == 0


def test_default_aliases_location_is_used(tmp_path: Path) -> None:
    import os

    cfg = Path(os.environ["XDG_CONFIG_HOME"]) / "newscli"
    cfg.mkdir(parents=True)
    (cfg / "aliases.tsv").write_text("Bharatvarsh\tIN\n")
    f = tmp_path / "b.txt"
    f.write_text("Title: Bharatvarsh summit\nDate: 2024-01-02\n\nLeaders met in Bharatvarsh.\n")
    assert cli("ingest", str(f)).code == 0
    assert {c["code"] for c in cli("search", "*").jsonl()[0]["countries"]} == {"IN"}


def test_an_index_inside_the_input_folder_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Title: One\nDate: 2024-01-02\n\nBody one.\n")
    idx = folder / "idx"
    assert cli("ingest", "--index", str(idx), str(folder)).code == 0
    again = cli("ingest", "--index", str(idx), str(folder))
    assert again.code == 0, again.err
    assert _summary(again.err) == {"added": 0, "updated": 0, "unchanged": 1, "rejected": 0}
