"""The parallel ingest (workers index into their own segments) must decide exactly like the
in-process one: same articles, same counts, same warnings in the same order."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from clitools import cli, records, small_articles, write_texts
from conftest import SAMPLE

pytestmark = pytest.mark.slow


def summary(err: str) -> dict[str, int]:
    line = [x for x in err.splitlines() if "added," in x][-1]
    return {
        k: int(v) for v, k in re.findall(r"(\d+) (added|updated|unchanged|rejected|warning)", line)
    }


def problems(err: str) -> list[str]:
    return [
        x for x in err.splitlines() if "added," not in x and not x.startswith("newscli: waiting")
    ]


def ingest(index: Path, *inputs: str | Path, jobs: int, batch: int = 2000) -> Any:
    return cli(
        "ingest",
        "--index",
        str(index),
        "--jobs",
        str(jobs),
        "--batch",
        str(batch),
        *map(str, inputs),
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The sample articles, a repeated article in two files, and a JSONL feed with bad lines."""
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE, folder)
    first = sorted(folder.rglob("*.txt"))[0]
    (folder / "zz-copy-of-first.txt").write_bytes(first.read_bytes())  # same id, later in the walk
    lines = [
        json.dumps(
            {
                "title": f"Feed item {i}",
                "body": f"Body {i} on Pakistan and India.",
                "url": f"https://x.test/{i}",
            }
        )
        for i in range(30)
    ]
    lines[7] = "{not json"
    lines[19] = json.dumps(
        {"title": "Feed item 3 again", "body": "Changed text.", "url": "https://x.test/3"}
    )
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("batch", [2000, 7])
def test_parallel_ingest_matches_inline(corpus: Path, tmp_path: Path, batch: int) -> None:
    inline = ingest(tmp_path / "a", corpus, jobs=0, batch=batch)
    parallel = ingest(tmp_path / "b", corpus, jobs=2, batch=batch)
    assert inline.code == parallel.code == 2  # the bad JSONL line is a rejection
    assert summary(parallel.err) == summary(inline.err)
    assert summary(parallel.err)["rejected"] == 1
    assert problems(parallel.err) == problems(inline.err)
    assert any("same id as an earlier article" in p for p in problems(parallel.err))
    assert any("feed.jsonl:8" in p for p in problems(parallel.err))
    assert records(tmp_path / "b") == records(tmp_path / "a")
    assert cli("check", "--index", str(tmp_path / "b")).code == 0
    assert not any((tmp_path / "b" / "incoming").iterdir()), "scratch segments left behind"


def test_parallel_reingest_is_unchanged_and_updates_are_seen(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    first = ingest(index, corpus, jobs=2, batch=10)
    n = summary(first.err)["added"]
    again = ingest(index, corpus, jobs=2, batch=10)
    assert summary(again.err)["added"] == 0
    assert summary(again.err)["unchanged"] == n + 1  # + the copy, unchanged against its twin
    victim = sorted(corpus.rglob("*.txt"))[3]
    victim.write_text(
        victim.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8"
    )
    third = ingest(index, corpus, jobs=2, batch=10)
    assert summary(third.err)["updated"] == 1
    assert summary(third.err)["added"] == 0
    stats = json.loads(cli("stats", "--index", str(index), "--format", "json").out)
    assert stats["articles"] == n
    assert cli("check", "--index", str(index)).code == 0


def test_many_small_batches_are_merged_not_piled_up(tmp_path: Path) -> None:
    folder = small_articles(tmp_path / "many", 400)
    index = tmp_path / "idx"
    r = ingest(index, folder, jobs=2, batch=10)  # 40 commits of 2 segments each
    assert r.code == 0, r.err
    stats = json.loads(cli("stats", "--index", str(index), "--format", "json").out)
    assert stats["articles"] == 400
    assert stats["segments"] < 20  # the merge policy keeps the count down (without: 80)
    assert cli("check", "--index", str(index)).code == 0
    assert cli("optimize", "--index", str(index)).code == 0
    stats = json.loads(cli("stats", "--index", str(index), "--format", "json").out)
    assert stats["segments"] == 1 and stats["articles"] == 400


def test_leftover_scratch_of_a_dead_worker_is_removed(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    assert ingest(index, corpus / "misc", jobs=2).code == 0
    dead = index / "incoming" / "12345-0-deadbeef"
    dead.mkdir(parents=True)
    (dead / "owner.lock").write_text("")
    (dead / "_MAIN_abc.seg").write_bytes(b"half a segment")
    assert ingest(index, corpus / "misc", jobs=2).code == 0
    assert not dead.exists()


def test_a_worker_snapshot_outlives_the_merge_of_its_segments(tmp_path: Path) -> None:
    """A worker looks articles up in the index as it was when it started; the parent's commits
    may meanwhile merge small segments and delete their files. Whoosh opened a segment's stored
    fields at their first use, so the worker's look-up failed ("worker process failed:
    TypeError"), seen in test_ledger's re-ingests with --batch 9."""
    from newscli.index import SegmentBuilder

    index = tmp_path / "idx"
    folder = small_articles(tmp_path / "small", 11)
    for i in range(10):  # ten commits: ten small segments
        assert ingest(index, folder / f"{i:04d}.txt", jobs=0).code == 0
    ids = [r["id"] for r in records(index)]
    builder = SegmentBuilder(index, "test-worker")
    try:
        assert ingest(index, folder / "0010.txt", jobs=0).code == 0  # the ten are merged
        stats = json.loads(cli("stats", "--index", str(index), "--format", "json").out)
        assert stats["segments"] == 1
        for aid in ids:  # every one in a segment whose files are gone
            _docnum, fields = builder._lookups.get("id", aid)
            assert fields is not None and fields["id"] == aid
    finally:
        builder.close()


def test_workers_take_the_aliases_file_and_none_after_it(tmp_path: Path) -> None:
    """Workers share one default extractor, loaded in their forkserver; a run with an aliases
    file loads its own, and a later run without one is not given those aliases."""
    folder = write_texts(
        tmp_path / "news",
        [
            f"Title: Summit {i}\nDate: 2024-01-{i + 1:02d}\n\nLeaders met in Bharatvarsh {i}.\n"
            for i in range(12)
        ],
    )
    aliases = tmp_path / "aliases.tsv"
    aliases.write_text("Bharatvarsh\tIN\n", encoding="utf-8")

    def countries(index: Path) -> set[str]:
        return {c["code"] for rec in records(index) for c in rec["countries"]}

    r = ingest(tmp_path / "a", "--aliases", aliases, folder, jobs=2)
    assert r.code == 0, r.err
    assert countries(tmp_path / "a") == {"IN"}
    r = ingest(tmp_path / "b", folder, jobs=2)
    assert r.code == 0, r.err
    assert countries(tmp_path / "b") == set()


def test_preload_warms_the_default_extractor() -> None:
    from newscli import parallel

    saved = parallel._PRELOADED
    try:
        parallel.preload()
        ex = parallel._PRELOADED
        assert ex is not None and ex.aliases_file is None
        assert ex.od._title_rx is not None and ex.od._known_rx is not None
        assert ex.gz._rx is not None
    finally:
        parallel._PRELOADED = saved
