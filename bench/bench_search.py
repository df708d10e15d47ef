"""Wall time of newscli query commands, as a user in a shell sees it, beside ripgrep over the raw files.

  python bench/bench_search.py --index bench/out/idx-gen10k --corpus-dir bench/out/gen10k
  python bench/bench_search.py --index /tmp/idx-sample --corpus-dir sample_data --runs 50

Each command is a fresh process (start to exit, so Python start-up and imports are included), run
--runs times round-robin after one untimed warm-up round; p50 and p95 (nearest rank) are printed.
Searches use --format jsonl --limit 10 with stdout captured through a pipe, so the output cost is
small and the same for every query. The reference is `rg -c -i minister DIR` (or `grep -r -c -i`
when ripgrep is missing: `apt-get install ripgrep`).

If --index does not exist yet (or is an empty folder), --corpus-dir is ingested into it first (not timed).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_ingest import environment, loadavg, newscli_exe, src_digest  # shared helpers


def percentile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def ensure_index(index: Path, corpus: Path, exe: str) -> None:
    if (index / "newscli-index.json").exists():
        return
    if index.exists() and any(not n.startswith(".") for n in os.listdir(index)):
        sys.exit(f"bench: {index} is not a newscli index and not empty")
    print(f"bench: building {index} from {corpus} (not timed) ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    r = subprocess.run(
        [exe, "ingest", "--index", str(index), "--quiet", str(corpus)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if r.returncode not in (0, 2):
        sys.exit(f"bench: ingest failed ({r.returncode}):\n{r.stderr}")
    print(
        f"bench: built in {time.perf_counter() - t0:.1f}s: {r.stderr.strip().splitlines()[-1]}",
        file=sys.stderr,
        flush=True,
    )


def commands(exe: str, index: str, corpus: str) -> list[tuple[str, list[str]]]:
    s = [exe, "search", "--index", index, "--format", "jsonl", "--limit", "10"]
    rg = shutil.which("rg")
    ref = (
        ([rg, "-c", "-i", "minister", corpus], "rg -c -i minister DIR")
        if rg
        else (["grep", "-r", "-c", "-i", "minister", corpus], "grep -r -c -i minister DIR (no rg)")
    )
    return [
        ("search minister", [*s, "minister"]),
        ("search minister --no-snippet", [*s, "--no-snippet", "minister"]),
        ("search lavrov (a rare term)", [*s, "lavrov"]),
        ("search 'foreign minister' (2 terms)", [*s, "foreign minister"]),
        ("search '\"foreign minister\"' (phrase)", [*s, '"foreign minister"']),
        ("search minister --country PK", [*s, "--country", "PK", "minister"]),
        (
            "search minister --since 2020 --until 2022",
            [*s, "--since", "2020", "--until", "2022", "minister"],
        ),
        (
            "facets --by country (all)",
            [exe, "facets", "--index", index, "--by", "country", "--format", "tsv"],
        ),
        ("newscli --help", [exe, "--help"]),
        (ref[1], ref[0]),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--index", required=True, help="newscli index folder (built from --corpus-dir if missing)"
    )
    ap.add_argument(
        "--corpus-dir", required=True, help="the raw files, for rg (and for building the index)"
    )
    ap.add_argument("--runs", type=int, default=20, help="timed runs of each command (default 20)")
    ap.add_argument(
        "--before",
        metavar="EXE",
        help="an older build's newscli executable: its search minister, facets and --help run in "
        "the same rounds, for before/after figures from one run",
    )
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    exe = newscli_exe()
    index, corpus = Path(args.index), Path(args.corpus_dir)
    if not corpus.is_dir():
        sys.exit(f"bench: {corpus} is not a folder")
    ensure_index(index, corpus, exe)
    cmds = commands(exe, str(index), str(corpus))
    if args.before:
        # Each older build's command runs next to the same command of this build, first in every
        # other round, so both meet the VM in the same state (the first command of a round,
        # after rg, was the slowest).
        old = dict(commands(args.before, str(index), str(corpus)))
        keep = ("search minister", "facets --by country (all)", "newscli --help")
        paired: list[tuple[str, list[str]]] = []
        for name, cmd in cmds:
            paired.append((name, cmd))
            if name in keep:
                paired.append((f"{name} [before]", old[name]))
        cmds = paired
    env = dict(os.environ, NO_COLOR="1")
    # As on a user's machine, Python keeps the compiled bytecode of newscli's modules after the
    # warm-up round (an editable install has none until then). An environment that forbids
    # writing it (PYTHONDONTWRITEBYTECODE, set on this project's build VM) would make every run
    # compile them again: ~20 ms more on `newscli --help`.
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def hits(query: str) -> str:
        cmd = [exe, "search", "--index", str(index), "--count", query]
        return subprocess.run(cmd, capture_output=True, text=True, env=env).stdout.strip()

    count, articles = hits("minister"), hits("*")
    print(f"# bench_search: index {index} ({articles} articles), corpus {corpus}, runs {args.runs}")
    print(f"# {environment()}; load average before: {loadavg()}", flush=True)
    digest = src_digest()

    times: dict[str, list[float]] = {name: [] for name, _ in cmds}
    last: dict[str, tuple[int, int, int]] = {}
    # Every other round each [before] command goes first in its pair.
    swapped = list(cmds)
    for i in range(len(swapped) - 1):
        if swapped[i + 1][0] == f"{swapped[i][0]} [before]":
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    for r in range(args.runs + 1):  # round 0 is the warm-up
        for name, cmd in cmds if r % 2 else swapped:
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, env=env)
            dt = time.perf_counter() - t0
            if p.returncode not in (0, 1):
                sys.exit(
                    f"bench: {name} failed ({p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}"
                )
            if r:
                times[name].append(dt)
            last[name] = (p.returncode, p.stdout.count(b"\n"), len(p.stdout))

    head = ["command", "p50 ms", "p95 ms", "min ms", "exit", "output lines", "output bytes"]
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for name, _ in cmds:
        ts = times[name]
        rc, lines, size = last[name]
        print(
            f"| {name} | {statistics.median(ts) * 1000:.0f} | {percentile(ts, 95) * 1000:.0f} | "
            f"{min(ts) * 1000:.0f} | {rc} | {lines} | {size} |"
        )
    ref = cmds[-1][0]
    one = statistics.median(times["search minister"])
    rg = statistics.median(times[ref])
    print(f"\nnewscli search minister hits: {count} (rg: {last[ref][1]} files with a match)")
    print(
        f"RATIO newscli search minister / {ref.split()[0]} (p50): {one / rg:.1f}x "
        f"({one * 1000:.0f} ms vs {rg * 1000:.0f} ms)"
    )
    if args.before:
        for name in ("search minister", "facets --by country (all)", "newscli --help"):
            now, then = statistics.median(times[name]), statistics.median(times[f"{name} [before]"])
            print(f"before -> after, {name} (p50): {then * 1000:.0f} ms -> {now * 1000:.0f} ms")
    help_ms = statistics.median(times["newscli --help"]) * 1000
    print(f"start-up floor (newscli --help p50): {help_ms:.0f} ms; load average after: {loadavg()}")
    if src_digest() != digest:
        print(
            f"# WARNING: newscli's source changed during the run (src {digest} -> {src_digest()}); "
            "the figures mix two code states"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
