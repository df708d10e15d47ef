"""Ingest throughput of newscli beside a plain-Whoosh "ceiling" over the same texts.

  python bench/bench_ingest.py --corpus sample
  python bench/bench_ingest.py --corpus gen10k --runs 3
  python bench/bench_ingest.py --corpus reuters --jobs 2
  python bench/bench_ingest.py --corpus gen10k --incremental 1000
  python bench/bench_ingest.py --corpus path/to/folder          # any folder newscli can ingest

Every variant runs as a subprocess into a fresh index, in turn, --runs times (medians are printed):

  newscli         `newscli ingest --index TMP CORPUS` (the real CLI: parsing, dates, extraction, dedup,
                  batched durable commits)
  ceiling-1proc   a plain Whoosh script (CEILING below) indexing the same files with the same schema
                  (newscli.index.make_schema()): title = first line, body = the rest (JSON records: their
                  title/body), no date parsing, no extraction, one writer, limitmb=256, one commit
  ceiling-2proc   the same with writer(procs=2, multisegment=True, limitmb=256)
  ceiling-2proc-batched
                  ceiling-2proc committing every 4,000 documents without merging (commit(merge=False))
                  and opening a new writer: segments of ~2,000 documents per process, as newscli's
                  default --batch makes them (Whoosh's MpWriter restarts its processes per writer).
  ceiling-2x1proc-batched
                  two ceiling-1proc processes side by side, each over half of the files (alternate
                  files) into its own index, committing every 2,000 documents without merging: what
                  Whoosh alone does with both cores and newscli's segment size, with no coordination
                  at all (two indexes, not one). Wall = until both exit.
  ceiling-2proc-bigpool
                  ceiling-2proc with limitmb=4096 whatever --limitmb says: a posting pool that never
                  spills to sorted runs on disk (at 100k the 256 MB pool spills several runs per
                  process and merging them costs more CPU than indexing does), at the cost of
                  ~1.5 GB RSS per process at 100k. The fastest Whoosh-only setting found.

Measured per run: wall time (spawn to exit), CPU time of the whole process tree (user+sys, from
resource.getrusage(RUSAGE_CHILDREN) deltas; this process makes itself a child subreaper so helpers that
outlive the CLI -- the multiprocessing forkserver and its workers, the resource tracker -- are reaped
here and counted too), peak RSS (ru_maxrss: the largest single process of the tree, not a sum),
articles/s, MB/s of input, and the index size on disk.

The corpus files are read once before timing, so every variant starts with a warm page cache.
gen10k / gen100k are generated with bench/generate.py (seed 1) into bench/out/ when missing; reuters is
converted from ../shared/corpora/reuters21578 with bench/reuters.py (skipped when that is absent).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
GEN = {"gen10k": 10_000, "gen100k": 100_000}
CORPUS_SEED = 1
INCREMENTAL_SEED = (
    2  # different text from every corpus generated with seed 1, so the articles are new
)

CEILING = r"""
import hashlib, json, os, sys, time
from whoosh.filedb.filestore import FileStorage
from newscli.index import make_schema
from newscli.sources import expand

index_dir, procs, limitmb, append = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "append"
batch = int(sys.argv[5])  # 0: one commit at the end
inputs = []
for arg in sys.argv[6:]:  # @FILE: the paths listed in FILE, one per line
    if arg.startswith("@"):
        with open(arg[1:], encoding="utf-8") as fh:
            inputs += [line for line in fh.read().split("\n") if line]
    else:
        inputs.append(arg)
files = [f for f in expand(inputs) if isinstance(f, str)]
storage = FileStorage(index_dir)
if append:
    ix = storage.open_index(indexname="MAIN")
else:
    os.makedirs(index_dir, exist_ok=True)
    ix = storage.create().create_index(make_schema(), indexname="MAIN")
kwargs = {"limitmb": limitmb}
if procs > 1:
    kwargs.update(procs=procs, multisegment=True)
w = ix.writer(**kwargs)
docs = 0

def add(title, body, path, k):
    global docs, w
    key = hashlib.sha1(f"{path}#{k}".encode()).hexdigest()[:16]
    w.add_document(id=key, title=title, body=body, path=path)
    docs += 1
    if batch and docs % batch == 0:
        w.commit(merge=False)
        w = ix.writer(**kwargs)

for path in files:
    with open(path, "rb") as fh:
        text = fh.read().decode("utf-8", "replace")
    ext = os.path.splitext(path)[1].lower()
    if ext in (".json", ".jsonl", ".ndjson"):
        if ext == ".json":
            doc = json.loads(text)
            keys = ("articles", "items", "data", "results", "records")
            recs = doc if isinstance(doc, list) else next(
                (doc[k] for k in keys if isinstance(doc.get(k), list)), [doc])
        else:
            recs = [json.loads(line) for line in text.split("\n") if line.strip()]
        for k, r in enumerate(recs):
            if isinstance(r, dict):
                body = r.get("body") or r.get("text") or r.get("content") or ""
                add(str(r.get("title") or r.get("headline") or ""), str(body), path, k)
    else:
        title, _, body = text.lstrip().partition("\n")
        add(title.strip(), body, path, 0)
w.commit()
print(json.dumps({"docs": docs, "files": len(files)}))
"""


# --- measuring ---------------------------------------------------------------------------------


def make_subreaper() -> bool:
    """Orphaned descendants get re-parented to this process (Linux), so their rusage reaches us."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


@dataclass
class Run:
    wall: float
    cpu: float
    user: float
    sys: float
    maxrss_mb: float
    rc: int
    stdout: str
    stderr: str
    orphans: int = 0


def measure(cmd: list[str], *, env: dict[str, str] | None = None, log: Path | None = None) -> Run:
    """Run cmd; wall time to its exit, CPU and peak RSS of it and every descendant."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out_path = (log or OUT / "last").with_suffix(".stdout")
    err_path = (log or OUT / "last").with_suffix(".stderr")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w+b") as fo, open(err_path, "w+b") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        maxrss = ru.ru_maxrss
        orphans = 0
        deadline = time.monotonic() + 60
        while True:  # helpers the command left behind (we are their subreaper): wait for them
            try:
                pid, _st, ru2 = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                if time.monotonic() > deadline:
                    print(
                        "bench: warning: a descendant is still running after 60 s; not counted",
                        file=sys.stderr,
                    )
                    break
                time.sleep(0.01)
                continue
            orphans += 1
            maxrss = max(maxrss, ru2.ru_maxrss)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        fo.seek(0)
        fe.seek(0)
        stdout = fo.read().decode("utf-8", "replace")
        stderr = fe.read().decode("utf-8", "replace")
    user = after.ru_utime - before.ru_utime
    sys_ = after.ru_stime - before.ru_stime
    return Run(wall, user + sys_, user, sys_, maxrss / 1024, p.returncode, stdout, stderr, orphans)


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(root, f))
    return total


# --- corpora -----------------------------------------------------------------------------------


def python() -> str:
    return sys.executable


def newscli_exe() -> str:
    exe = Path(sys.executable).parent / "newscli"
    if exe.exists():
        return str(exe)
    found = shutil.which("newscli")
    if not found:
        sys.exit("bench: newscli not found next to this Python or on PATH (pip install -e . first)")
    return found


def generated(folder: Path, n: int, seed: int) -> Path:
    marker = folder / ".generated.json"
    try:
        meta = json.loads(marker.read_text())
        if meta.get("n") == n and meta.get("seed") == seed and meta.get("start", 0) == 0:
            return folder
    except (OSError, ValueError):
        pass
    if folder.exists():
        shutil.rmtree(folder)
    print(f"bench: generating {n} articles into {folder} ...", file=sys.stderr)
    subprocess.run(
        [python(), str(BENCH / "generate.py"), str(n), str(folder), "--seed", str(seed)], check=True
    )
    return folder


def corpus_path(name: str) -> Path | None:
    if name == "sample":
        return ROOT / "sample_data"
    if name in GEN:
        return generated(OUT / name, GEN[name], CORPUS_SEED)
    if name == "reuters":
        src = Path(
            os.environ.get("NEWSCLI_REUTERS", ROOT.parent / "shared" / "corpora" / "reuters21578")
        )
        if not any(src.glob("reut2-*.sgm")):
            print(
                f"bench: Reuters-21578 not found at {src}; skipping the reuters corpus "
                "(set NEWSCLI_REUTERS to its folder)",
                file=sys.stderr,
            )
            return None
        dest = OUT / "reuters-text"
        marker = dest / ".converted"
        if not marker.exists():
            if dest.exists():
                shutil.rmtree(dest)
            print(f"bench: converting Reuters-21578 into {dest} ...", file=sys.stderr)
            subprocess.run(
                [python(), str(BENCH / "reuters.py"), "convert", "--format", "text", str(dest)],
                check=True,
            )
            marker.write_text("ok\n")
        return dest
    p = Path(name)
    if p.exists():
        return p
    sys.exit(f"bench: unknown corpus {name!r}: sample, reuters, gen10k, gen100k or a folder")


def input_files(corpus: Path) -> list[str]:
    """The files newscli reads from the corpus (its own folder walk), so bytes and files agree."""
    from newscli.sources import expand

    return [f for f in expand([str(corpus)]) if isinstance(f, str)]


def warm(files: list[str]) -> int:
    total = 0
    for f in files:
        with open(f, "rb") as fh:
            total += len(fh.read())
    return total


# --- variants ----------------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    runs: list[Run] = field(default_factory=list)
    articles: list[int] = field(default_factory=list)
    index_bytes: list[int] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)


_SUMMARY = re.compile(r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) rejected, (\d+) warning")


BEFORE_EXE: str | None = None  # --before: another install of newscli, for before/after in one run


def newscli_cmd(
    index: Path, inputs: list[str], jobs: int | None, *, before: bool = False
) -> list[str]:
    exe = BEFORE_EXE if before and BEFORE_EXE else newscli_exe()
    cmd = [exe, "ingest", "--index", str(index), *inputs]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    return cmd


CEILINGS = {  # variant: (writer processes, commit every N documents; 0 = once at the end)
    "ceiling-1proc": (1, 0),
    "ceiling-2proc": (2, 0),
    "ceiling-2proc-batched": (2, 4000),
    "ceiling-2x1proc-batched": (1, 2000),
    "ceiling-2proc-bigpool": (2, 0),
}
# Variants with their own writer memory instead of --limitmb: a pool that never spills to sorted
# runs on disk, whatever the corpus (Whoosh's fastest setting, at any memory cost).
LIMITMB = {"ceiling-2proc-bigpool": 4096}
RSS_TARGET_MB = 500  # newscli's own peak RSS target: the best ceiling within it is printed too
SPLIT_CEILINGS = {"ceiling-2x1proc-batched"}  # two such scripts side by side (SPLIT)

# Runs the CEILING script twice at once, each over every other file, into INDEX/a and INDEX/b.
SPLIT = r"""
import json, os, subprocess, sys
from newscli.sources import expand
ceiling, index_dir, procs, limitmb, mode, batch = sys.argv[1:7]
files = [f for f in expand(sys.argv[7:]) if isinstance(f, str)]
children = []
for k, part in enumerate("ab"):
    os.makedirs(index_dir, exist_ok=True)
    listed = f"{index_dir}/{part}.files"  # a path list: 50,000 paths overflow an argument list
    with open(listed, "w", encoding="utf-8") as fh:
        fh.write("\n".join(files[k::2]))
    children.append(subprocess.Popen(
        [sys.executable, "-c", ceiling, f"{index_dir}/{part}", procs, limitmb, mode, batch,
         "@" + listed],
        stdout=subprocess.PIPE, text=True))
outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in children]
for part in "ab":
    os.remove(f"{index_dir}/{part}.files")
if any(p.returncode for p in children):
    sys.exit(1)
print(json.dumps({"docs": sum(o["docs"] for o in outs), "files": sum(o["files"] for o in outs)}))
"""


def ceiling_cmd(
    index: Path, inputs: list[str], variant: str, limitmb: int, append: bool = False
) -> list[str]:
    procs, batch = CEILINGS[variant]
    limitmb = LIMITMB.get(variant, limitmb)
    script = [SPLIT, CEILING] if variant in SPLIT_CEILINGS else [CEILING]
    return [
        python(),
        "-c",
        *script,
        str(index),
        str(procs),
        str(limitmb),
        "append" if append else "new",
        str(batch),
        *inputs,
    ]


def count_articles(v: Variant, run: Run) -> int:
    if v.name.startswith("newscli"):
        found = list(_SUMMARY.finditer(run.stderr))
        if not found:
            return 0
        m = found[-1]
        added, updated, unchanged, rejected, warnings = map(int, m.groups())
        if rejected:
            v.notes.add(f"{rejected} rejected")
        if warnings:
            v.notes.add(f"{warnings} warning(s)")
        return added + updated + unchanged
    try:
        return int(json.loads(run.stdout.strip().splitlines()[-1])["docs"])
    except (ValueError, IndexError, KeyError):
        return 0


def record(v: Variant, run: Run, index: Path, log: Path) -> None:
    if run.rc not in (0,) and not (
        v.name.startswith("newscli") and run.rc == 2 and _SUMMARY.search(run.stderr)
    ):
        tail = "\n".join(run.stderr.strip().splitlines()[-15:])
        sys.exit(f"bench: {v.name} failed with exit status {run.rc} (logs: {log}.*):\n{tail}")
    if run.rc == 2:
        v.notes.add("exit 2 (rejections)")
    v.runs.append(run)
    v.articles.append(count_articles(v, run))
    v.index_bytes.append(dir_size(index))


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def row(v: Variant, input_bytes: int) -> dict[str, object]:
    wall = med([r.wall for r in v.runs])
    cpu = med([r.cpu for r in v.runs])
    arts = int(med(v.articles))
    return {
        "variant": v.name,
        "articles": arts,
        "wall_s": wall,
        "wall_range": (min(r.wall for r in v.runs), max(r.wall for r in v.runs)),
        "cpu_s": cpu,
        "cpu_per_wall": cpu / wall if wall else float("nan"),
        "peak_rss_mb": max(r.maxrss_mb for r in v.runs),
        "articles_per_s": arts / wall if wall else float("nan"),
        "mb_per_s": input_bytes / 1e6 / wall if wall else float("nan"),
        "index_mb": med(v.index_bytes) / 1e6,
        "notes": ", ".join(sorted(v.notes)),
    }


def print_table(rows: list[dict[str, object]], runs: int) -> None:
    head = [
        "variant",
        "articles",
        "wall s",
        "CPU s",
        "CPU/wall",
        "peak RSS MB",
        "articles/s",
        "MB/s",
        "index MB",
    ]
    if runs > 1:
        head.insert(3, "wall min-max")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        cells = [
            r["variant"],
            f"{r['articles']}",
            f"{r['wall_s']:.2f}",
            f"{r['cpu_s']:.2f}",
            f"{r['cpu_per_wall']:.2f}",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['articles_per_s']:.0f}",
            f"{r['mb_per_s']:.2f}",
            f"{r['index_mb']:.1f}",
        ]
        if runs > 1:
            lo, hi = r["wall_range"]  # type: ignore[misc]
            cells.insert(3, f"{lo:.2f}-{hi:.2f}")
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    print("\n".join(lines))
    for r in rows:
        if r["notes"]:
            print(f"  {r['variant']}: {r['notes']}")


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def src_digest() -> str:
    """sha256 (12 hex) over newscli's installed source and data files: ties a result to a code state."""
    import hashlib
    import importlib.util

    spec = importlib.util.find_spec("newscli")
    if spec is None or not spec.submodule_search_locations:
        return "?"
    root = Path(next(iter(spec.submodule_search_locations)))
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if (
            f.is_file()
            and f.suffix in (".py", ".tsv", ".md", ".json")
            and "__pycache__" not in f.parts
        ):
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def environment() -> str:
    import importlib.metadata as md

    def version(dist: str) -> str:
        try:
            return md.version(dist)
        except md.PackageNotFoundError:
            return "?"

    return (
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, nproc {os.cpu_count()}, "
        f"{platform.python_implementation()} {platform.python_version()}, Whoosh {version('Whoosh')}, "
        f"newscli {version('newscli')} (src {src_digest()}), {platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--corpus",
        default="sample",
        help="sample, reuters, gen10k, gen100k, or a folder (default sample)",
    )
    ap.add_argument(
        "--runs", type=int, default=1, help="runs of each variant; medians are printed (default 1)"
    )
    ap.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="pass --jobs J to newscli ingest (default: newscli decides)",
    )
    ap.add_argument(
        "--limitmb",
        type=int,
        default=256,
        help="Whoosh writer memory for the ceiling (default 256)",
    )
    ap.add_argument(
        "--variants",
        default="newscli,ceiling-1proc,ceiling-2proc",
        help="comma list of newscli, newscli-before (needs --before), ceiling-1proc, ceiling-2proc, "
        "ceiling-2proc-batched, ceiling-2x1proc-batched, ceiling-2proc-bigpool "
        "(default: newscli, ceiling-1proc, ceiling-2proc)",
    )
    ap.add_argument(
        "--before",
        metavar="EXE",
        help="the newscli executable of an older build (e.g. a venv with a git worktree of the old "
        "commit installed): runs as variant newscli-before, beside the current one",
    )
    ap.add_argument(
        "--incremental",
        type=int,
        metavar="N",
        default=0,
        help="after each full ingest, also time adding N new generated articles to that index",
    )
    ap.add_argument(
        "--rerun",
        action="store_true",
        help="newscli variants only: at the end, time ingesting the same inputs again (the "
        "corpus, plus the --incremental articles), every article unchanged: what a cron job "
        "re-running `newscli ingest ~/news` over an archive pays",
    )
    ap.add_argument(
        "--tmp", default=str(OUT / "tmp"), help="where the fresh indexes go (default bench/out/tmp)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the indexes of the last run")
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON to FILE")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    for n in names:
        if n not in ("newscli", "newscli-before", *CEILINGS):
            ap.error(f"unknown variant {n!r}")
    if "newscli-before" in names and not args.before:
        ap.error("variant newscli-before needs --before EXE")
    global BEFORE_EXE
    BEFORE_EXE = args.before

    corpus = corpus_path(args.corpus)
    if corpus is None:
        return 0
    reaper = make_subreaper()
    files = input_files(corpus)
    input_bytes = warm(files)
    extra: Path | None = None
    extra_bytes = 0
    if args.incremental:
        extra = generated(
            OUT / f"incr{args.incremental}-seed{INCREMENTAL_SEED}",
            args.incremental,
            INCREMENTAL_SEED,
        )
        extra_bytes = warm(input_files(extra))
    tmp = Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    logs = OUT / "logs"

    variants = {n: Variant(n) for n in names}
    incr = {n: Variant(n + f" +{args.incremental} new") for n in names} if extra else {}
    rerun_names = [n for n in names if n.startswith("newscli")] if args.rerun else []
    rerun = {n: Variant(n + " again, all unchanged") for n in rerun_names}
    print(
        f"# bench_ingest: corpus {args.corpus} = {corpus} ({len(files)} files, {input_bytes / 1e6:.1f} MB), "
        f"runs {args.runs}, newscli --jobs {args.jobs if args.jobs is not None else 'auto'}, "
        f"ceiling limitmb={args.limitmb}",
        flush=True,
    )
    print(f"# {environment()}; load average before: {loadavg()}", flush=True)
    digest = src_digest()
    if not reaper:
        print(
            "# note: could not become a child subreaper; CPU of helpers that outlive the CLI is not counted"
        )
    for r in range(args.runs):
        for n in names:
            index = tmp / f"{n}-{os.getpid()}"
            if index.exists():
                shutil.rmtree(index)
            if n.startswith("newscli"):
                cmd = newscli_cmd(index, [str(corpus)], args.jobs, before=n == "newscli-before")
            else:
                cmd = ceiling_cmd(index, [str(corpus)], n, args.limitmb)
            log = logs / f"{args.corpus.replace('/', '_')}-{n}-{r}"
            run = measure(cmd, log=log)
            record(variants[n], run, index, log)
            msg = f"  run {r + 1}/{args.runs} {n}: {run.wall:.2f}s wall, {run.cpu:.2f}s CPU"
            if run.orphans:
                msg += f" ({run.orphans} left-behind helper process(es) reaped and counted)"
            if extra:
                if n.startswith("newscli"):
                    cmd = newscli_cmd(index, [str(extra)], args.jobs, before=n == "newscli-before")
                else:
                    cmd = ceiling_cmd(index, [str(extra)], n, args.limitmb, append=True)
                log = logs / f"{args.corpus.replace('/', '_')}-{n}-{r}-incr"
                irun = measure(cmd, log=log)
                record(incr[n], irun, index, log)
                msg += f"; +{args.incremental} new: {irun.wall:.2f}s wall"
            if n in rerun:
                inputs = [str(corpus)] + ([str(extra)] if extra else [])
                cmd = newscli_cmd(index, inputs, args.jobs, before=n == "newscli-before")
                log = logs / f"{args.corpus.replace('/', '_')}-{n}-{r}-again"
                arun = measure(cmd, log=log)
                record(rerun[n], arun, index, log)
                msg += f"; again: {arun.wall:.2f}s wall"
            print(msg, file=sys.stderr, flush=True)
            if not (args.keep and r == args.runs - 1):
                shutil.rmtree(index, ignore_errors=True)

    rows = [row(variants[n], input_bytes) for n in names]
    print()
    print_table(rows, args.runs)
    by = {r["variant"]: r for r in rows}
    if "newscli" in by and "newscli-before" in by:
        print(
            f"newscli / newscli-before: "
            f"{by['newscli']['articles_per_s'] / by['newscli-before']['articles_per_s']:.2f}"
        )
    if "newscli" in by:
        ceilings = [r for r in rows if str(r["variant"]).startswith("ceiling")]
        for c in ceilings:
            print(
                f"newscli / {c['variant']}: {by['newscli']['articles_per_s'] / c['articles_per_s']:.2f} "
                f"(articles/s {by['newscli']['articles_per_s']:.0f} vs {c['articles_per_s']:.0f})"
            )
        if ceilings:
            best = max(ceilings, key=lambda c: c["articles_per_s"])  # type: ignore[arg-type,return-value]
            print(
                f"HEADLINE newscli articles/s / best ceiling ({best['variant']}) articles/s = "
                f"{by['newscli']['articles_per_s'] / best['articles_per_s']:.2f}"
            )
            bounded = [c for c in ceilings if float(c["peak_rss_mb"]) <= RSS_TARGET_MB]  # type: ignore[arg-type]
            if bounded and bounded != ceilings:
                b = max(bounded, key=lambda c: c["articles_per_s"])  # type: ignore[arg-type,return-value]
                print(
                    f"newscli / best ceiling within {RSS_TARGET_MB} MB peak RSS ({b['variant']}): "
                    f"{by['newscli']['articles_per_s'] / b['articles_per_s']:.2f}"
                )
    irows: list[dict[str, object]] = []
    if extra:
        irows = [row(incr[n], extra_bytes) for n in names]
        print()
        print(
            f"Incremental: {args.incremental} new generated articles into the full index "
            f"({extra_bytes / 1e6:.1f} MB); index MB = the whole index afterwards"
        )
        print_table(irows, args.runs)
    arows: list[dict[str, object]] = []
    if rerun:
        arows = [row(rerun[n], input_bytes + extra_bytes) for n in rerun_names]
        print()
        print("Again: the same inputs ingested once more into the finished index, all unchanged")
        print_table(arows, args.runs)
    print(f"\n# load average after: {loadavg()}")
    if src_digest() != digest:
        print(
            f"# WARNING: newscli's source changed during the run (src {digest} -> {src_digest()}); "
            "the figures mix two code states"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "corpus": args.corpus,
                    "environment": environment(),
                    "rows": rows,
                    "incremental": irows,
                    "again": arows,
                },
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
