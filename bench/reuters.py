"""Reuters-21578 helpers for the benchmarks: read the SGML stories, convert them, measure extraction recall.

  python bench/reuters.py convert --format jsonl OUT.jsonl   # one JSON record per story with a body
  python bench/reuters.py convert --format text OUTDIR       # one header-layout text file per story
  python bench/reuters.py recall                             # PLACES / PEOPLE recall (and precision)

The corpus is read from ../shared/corpora/reuters21578 (or $NEWSCLI_REUTERS); nothing from it is
copied into the repository.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(
    os.environ.get("NEWSCLI_REUTERS", ROOT.parent / "shared" / "corpora" / "reuters21578")
)

# Reuters place labels that are not a current country's plain name (see README "Countries").
PLACE_CODES = {
    "usa": "US",
    "uk": "GB",
    "ussr": "RU",
    "west-germany": "DE",
    "east-germany": "DE",
    "czechoslovakia": "CZ",
    "yugoslavia": "RS",
    "zaire": "CD",
    "burma": "MM",
    "kampuchea": "KH",
    "ivory-coast": "CI",
    "swaziland": "SZ",
    "western-samoa": "WS",
    "yemen-arab-republic": "YE",
    "yemen-demo-republic": "YE",
    "netherlands-antilles": "CW",
    "trinidad-tobago": "TT",
    "uae": "AE",
    "vatican": "VA",
    "hong-kong": "HK",
    "macao": "MO",
    "congo": "CG",
}


@dataclass
class Story:
    newid: str
    date: str
    title: str
    dateline: str
    body: str
    places: list[str]
    people: list[str]


def _field(tag: str, text: str) -> str:
    m = re.search(rf"<{tag}>(.*?)</{tag}>", text, re.S)
    return m.group(1) if m else ""


def _clean(s: str) -> str:
    s = html.unescape(s)
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", s)


def stories(corpus: Path = CORPUS) -> Iterator[Story]:
    for f in sorted(corpus.glob("reut2-*.sgm")):
        data = f.read_text(encoding="latin-1")
        for chunk in re.findall(r"<REUTERS(.*?)</REUTERS>", data, re.S):
            newid = re.search(r'NEWID="(\d+)"', chunk)
            body = _field("BODY", chunk)
            if not body.strip():
                continue
            yield Story(
                newid=newid.group(1) if newid else "",
                date=_clean(_field("DATE", chunk)).strip(),
                title=_clean(_field("TITLE", chunk)).strip(),
                dateline=_clean(_field("DATELINE", chunk)).strip(),
                body=_clean(body).replace("\n    ", "\n\n").strip(),
                places=re.findall(r"<D>(.*?)</D>", _field("PLACES", chunk)),
                people=re.findall(r"<D>(.*?)</D>", _field("PEOPLE", chunk)),
            )


def as_record(s: Story) -> dict[str, str]:
    body = f"{s.dateline} {s.body}" if s.dateline else s.body
    return {
        "id": f"reuters-{s.newid}",
        "title": s.title.title() if s.title.isupper() else s.title,
        "body": body,
        "date": s.date,
        "source": "Reuters",
    }


def as_text(s: Story) -> str:
    r = as_record(s)
    return f"Title: {r['title']}\nSource: Reuters\nDate: {r['date']}\n\n{r['body']}\n"


def convert(fmt: str, out: Path) -> int:
    n = 0
    if fmt == "jsonl":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for s in stories():
                fh.write(json.dumps(as_record(s), ensure_ascii=False) + "\n")
                n += 1
    else:
        out.mkdir(parents=True, exist_ok=True)
        for s in stories():
            (out / f"reuters-{int(s.newid):05d}.txt").write_text(as_text(s), encoding="utf-8")
            n += 1
    return n


def recall() -> None:
    from newscli.extract import Extractor
    from newscli.models import fold
    from newscli.parse.records import parse_record

    ex = Extractor.load()
    unmapped: set[str] = set()
    p_tp = p_fn = p_extra = p_found = 0
    o_tp = o_fn = o_found = o_match = 0
    dates_ok = dates_n = 0
    spent = 0.0
    n = 0
    for s in stories():
        rec = as_record(s)
        article = parse_record(rec).article
        dates_n += 1
        dates_ok += article.published is not None
        t0 = time.perf_counter()
        a = ex.extract(article)
        spent += time.perf_counter() - t0
        n += 1
        got = {c.code for c in a.countries}
        want = set()
        for place in s.places:
            code = PLACE_CODES.get(place) or ex.resolve_country(place.replace("-", " "))
            if code is None:
                unmapped.add(place)
            else:
                want.add(code)
        p_tp += len(want & got)
        p_fn += len(want - got)
        p_found += len(got)
        p_extra += len(got - want) if want else 0
        names = [fold(o.name) for o in a.officials]
        if s.people:
            o_found += len(names)
            surnames = {p.split("-")[-1] for p in s.people}
            o_match += sum(1 for nm in names if surnames & set(re.split(r"[\s\-]", nm)))
        for person in s.people:
            surname = person.split("-")[
                -1
            ]  # "leigh-pemberton" -> "pemberton", also a part of the name
            if any(surname in re.split(r"[\s\-]", nm) for nm in names):
                o_tp += 1
            else:
                o_fn += 1
    labelled_found = p_found  # every extracted country, in stories with or without labels
    print(f"stories with a body: {n}")
    print(
        f"PLACES recall  {p_tp / max(p_tp + p_fn, 1):.3f} ({p_tp}/{p_tp + p_fn} labels)  "
        f"share of extracted countries that are labels {p_tp / max(labelled_found, 1):.3f}"
    )
    print(
        f"PEOPLE recall  {o_tp / max(o_tp + o_fn, 1):.3f} ({o_tp}/{o_tp + o_fn} labels, by surname)  "
        f"share of extracted officials (in stories with PEOPLE labels) that are labels {o_match / max(o_found, 1):.3f}"
    )
    print(f"dates parsed   {dates_ok}/{dates_n}")
    print(f"extraction     {spent / max(n, 1) * 1e6:.0f} µs per story")
    if unmapped:
        print(f"unmapped place labels: {', '.join(sorted(unmapped))}")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("--format", choices=["jsonl", "text"], default="jsonl")
    c.add_argument("out", type=Path)
    sub.add_parser("recall")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"Reuters corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    if args.cmd == "convert":
        print(f"{convert(args.format, args.out)} stories written to {args.out}")
    else:
        recall()
    return 0


if __name__ == "__main__":
    sys.exit(main())
