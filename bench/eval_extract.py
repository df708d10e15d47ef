"""Accuracy of country, official and date extraction against the labelled sample articles.

Usage: python bench/eval_extract.py [--verbose]
Prints micro precision / recall / F1 for countries and officials and the share of exact dates.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscli.extract import Extractor
from newscli.models import Article, fold
from newscli.parse.layouts import parse_text
from newscli.parse.records import parse_record

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, where: str, want: set[str], got: set[str]) -> None:
        self.tp += len(want & got)
        self.fp += len(got - want)
        self.fn += len(want - got)
        if want != got:
            self.errors.append(f"{where}: missing {sorted(want - got)} extra {sorted(got - want)}")

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def line(self, name: str) -> str:
        return f"{name:<10} P={self.p:.3f} R={self.r:.3f} F1={self.f1:.3f} (tp={self.tp} fp={self.fp} fn={self.fn})"


def load_article(label: dict[str, Any]) -> Article:
    path = SAMPLE / label["file"]
    if label.get("line"):
        if path.suffix == ".jsonl":
            obj = json.loads(path.read_text(encoding="utf-8").splitlines()[label["line"] - 1])
        else:
            obj = json.loads(path.read_text(encoding="utf-8"))[label["line"] - 1]
        return parse_record(obj).article
    return parse_text(path.read_text(encoding="utf-8"), path=str(path)).article


def canon(ex: Extractor, name: str) -> str:
    """Spelling variants the gazetteer knows ("Sergei"/"Sergey") count as the same person."""
    known = ex.od.known.get(fold(ex.od.canonical(name)))
    return fold(known.name if known else name)


def labels() -> list[dict[str, Any]]:
    out = []
    for lf in (SAMPLE / ".labels.jsonl", SAMPLE / "eval" / ".labels.jsonl"):
        out += [json.loads(x) for x in lf.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def evaluate(ex: Extractor) -> tuple[PRF, PRF, tuple[int, int], float]:
    countries, officials = PRF(), PRF()
    dates_ok = total = 0
    spent = 0.0
    for lab in labels():
        article = load_article(lab)
        t0 = time.perf_counter()
        a = ex.extract(article)
        spent += time.perf_counter() - t0
        where = lab["file"] + (f":{lab['line']}" if lab.get("line") else "")
        countries.add(where, set(lab["countries"]), {c.code for c in a.countries})
        officials.add(
            where,
            {canon(ex, o) for o in lab["officials"]},
            {canon(ex, o.name) for o in a.officials},
        )
        total += 1
        got_date = a.published.day.isoformat() if a.published else None
        dates_ok += got_date == lab["date"]
    return countries, officials, (dates_ok, total), spent / max(total, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    ex = Extractor.load()
    c, o, (ok, n), per = evaluate(ex)
    print(f"labelled articles: {n}")
    print(c.line("countries"))
    print(o.line("officials"))
    print(f"dates      {ok}/{n} exact = {ok / n:.3f}")
    print(f"extraction {per * 1e6:.0f} µs per article")
    if args.verbose:
        for e in c.errors:
            print("country ", e)
        for e in o.errors:
            print("official", e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
