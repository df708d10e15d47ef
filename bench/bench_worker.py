"""What one ingest worker spends per article, stage by stage, in-process.

  python bench/bench_worker.py                          # 2,000 gen10k files, 5 rounds
  python bench/bench_worker.py --files 1000 --rounds 8
  python bench/bench_worker.py --before /tmp/before-wt/src   # another source tree, alternating

Stages, each timed over all the files (ms per article): decode (bytes -> text), parse (layout and
dates), extract (countries and officials), fields (id, stamp, hash, the document's fields), add
(SegmentWriter.add_document), flush (writing the segment). The extractor is loaded and warmed on
50 files first (its regexes compile at first use); that start-up is printed apart.

Each source tree runs in its own subprocess (PYTHONPATH=<tree>) for every round, trees alternating,
so both see the same phases of the machine. Printed: the least and the median of the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
STAGES = ("decode", "parse", "extract", "fields", "add", "flush")

ROUND = r"""
import gc, json, shutil, sys, tempfile, time
from pathlib import Path

t0 = time.process_time()
from newscli.extract import Extractor
from newscli.index import Index, SegmentBuilder, _to_fields, digest_of
from newscli.parse.layouts import parse_text
from newscli.parse.text import decode
from newscli.pipeline import stamp

files = json.loads(sys.argv[1])
datas = [Path(f).read_bytes() for f in files]
t1 = time.process_time()
ex = Extractor.load(None)
for d in datas[:50]:
    ex.extract(parse_text(decode(d)[0], path="x").article)
t2 = time.process_time()
out = {"imports": t1 - t0, "warm-up": t2 - t1}


def timed(name, fn):
    gc.collect()
    t = time.perf_counter()
    r = fn()
    out[name] = time.perf_counter() - t
    return r


texts = timed("decode", lambda: [decode(d)[0] for d in datas])
parsed = timed("parse", lambda: [parse_text(t, path=f).article for t, f in zip(texts, files)])
arts = timed("extract", lambda: [ex.extract(a) for a in parsed])


def fields():
    out = []
    for a, f in zip(arts, files):
        a = stamp(a.with_id())
        out.append(_to_fields(a, digest_of(a), "path:" + f))
    return out


docs = timed("fields", fields)
tmp = Path(tempfile.mkdtemp(dir=sys.argv[2]))
try:
    Index.open(tmp / "idx", create=True)
    b = SegmentBuilder(tmp / "idx", "bench")
    from newscli.index import _writer_class, WRITER_MB

    b._w = w = _writer_class()(b._scratch, _lk=False, limitmb=WRITER_MB, compound=False)

    def add():
        for d in docs:
            w.add_document(**d)

    timed("add", add)
    timed("flush", b.flush)
    b.close()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--corpus", default=str(BENCH / "out" / "gen10k"), help="a folder of .txt files"
    )
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--before", help="another newscli source tree (the folder holding newscli/)")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        sys.exit(
            f"bench_worker: {corpus}: no such folder (python bench/generate.py 10000 {corpus})"
        )
    files = sorted(str(p) for p in corpus.rglob("*.txt"))[: args.files]
    n = len(files)
    trees = {"newscli": str(ROOT / "src")}
    if args.before:
        trees["before"] = str(Path(args.before).resolve())
    scratch = BENCH / "out" / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, float]]] = {k: [] for k in trees}
    for r in range(args.rounds):
        for name, tree in trees.items():
            env = dict(os.environ, PYTHONPATH=tree)
            proc = subprocess.run(
                [sys.executable, "-c", ROUND, json.dumps(files), str(scratch)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                sys.exit(f"bench_worker: {name} failed:\n{proc.stderr}")
            results[name].append(json.loads(proc.stdout))
            print(f"  round {r + 1}/{args.rounds} {name}", file=sys.stderr)
    print(
        f"# bench_worker: {n} files of {corpus}, {args.rounds} rounds, ms per article (least / median)"
    )
    head = "| stage | " + " | ".join(trees) + " |"
    print(head)
    print("|---" * (len(trees) + 1) + "|")
    for stage in (*STAGES, "total"):
        cells = []
        for name in trees:
            if stage == "total":
                vals = [sum(x[s] for s in STAGES) for x in results[name]]
            else:
                vals = [x[stage] for x in results[name]]
            cells.append(f"{1000 * min(vals) / n:.3f} / {1000 * statistics.median(vals) / n:.3f}")
        print(f"| {stage} | " + " | ".join(cells) + " |")
    for stage in ("imports", "warm-up"):
        cells = [
            f"{1000 * statistics.median(x[stage] for x in results[name]):.0f} ms" for name in trees
        ]
        print(f"| {stage} (once, CPU) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
