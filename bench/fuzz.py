"""Fuzz newscli's input path with mutated copies of the sample articles.

  python bench/fuzz.py [--cases 10000] [--seed 1] [--ingest]

Each case is a sample file (text, JSON or JSON Lines) mutated by a few random operations (bit
flips, byte insertions and deletions, truncation, control and escape sequences, odd Unicode,
duplicated or dropped lines, two files spliced, re-encoding) and run through exactly what
`newscli ingest` runs on a file: decoding, layout parsing, date and Hijri parsing, extraction.
With --ingest the cases are also written to a folder and ingested by the real CLI, which must
exit 0 or 2 (never an "unexpected" error), after which `newscli check` must pass.
Prints the number of cases, how many were articles, rejected or warned, and every exception.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from newscli.extract import Extractor
from newscli.pipeline import Parsed, is_warning, run_task
from newscli.sources import Problem, Task, _sniff

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"

NASTY = [
    b"\x1b[31m",
    b"\x1b]8;;http://x.test\x07",
    b"\x00",
    b"\r",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"[bold]",
    "ﷺ".encode(),
    "\u202e".encode(),
    b"\xc3",
    b"{",
    b"}",
    b"[",
    b'"',
    b"\\",
    b"\n\n",
    b"31 February 2024",
    b"20 Foobar 1446 AH",
    b"Title: ",
    b"Date: 0000-01-01",
    "٢٠ رمضان ١٤٤٦".encode(),
    b"U.S.-",
    b"Gen ",
]


def mutate(data: bytes, other: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        op = rnd.randrange(9)
        pos = rnd.randrange(len(b) + 1)
        if op == 0 and b:
            i = rnd.randrange(len(b))
            b[i] ^= 1 << rnd.randrange(8)
        elif op == 1:
            b[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        elif op == 2:
            del b[pos : pos + rnd.randint(1, 64)]
        elif op == 3:
            del b[pos:]
        elif op == 4:
            b[pos:pos] = rnd.choice(NASTY)
        elif op == 5:
            lines = bytes(b).split(b"\n")
            if lines:
                i = rnd.randrange(len(lines))
                lines.insert(i, lines[i]) if rnd.random() < 0.5 else lines.pop(i)
            b = bytearray(b"\n".join(lines))
        elif op == 6:
            b = bytearray(bytes(b[:pos]) + other[rnd.randrange(len(other) + 1) :])
        elif op == 7:
            with contextlib.suppress(UnicodeError, ValueError):
                b = bytearray(
                    bytes(b).decode("utf-8").encode(rnd.choice(["utf-16", "latin-1", "cp1252"]))
                )
        else:
            b[pos:pos] = (
                b" " * rnd.randint(1, 5000) if rnd.random() < 0.5 else b"A" * rnd.randint(1, 5000)
            )
    return bytes(b)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ingest", action="store_true")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    files = [p for p in sorted(SAMPLE.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    blobs = [(p, p.read_bytes()) for p in files]
    ex = Extractor.load()
    articles = rejected = warned = 0
    failures: list[str] = []
    out_dir = Path(tempfile.mkdtemp(prefix="newscli-fuzz-")) if args.ingest else None
    t0 = time.perf_counter()
    for case in range(args.cases):
        path, data = rnd.choice(blobs)
        _, other = rnd.choice(blobs)
        mutated = mutate(data, other, rnd)
        name = f"case{case:05d}{path.suffix}"
        if out_dir is not None:
            (out_dir / name).write_bytes(mutated)
        try:
            fmt = _sniff(name, mutated[:65536], "auto")
            for res in run_task(Task(name, fmt, mutated), ex, True):
                if isinstance(res, Parsed):
                    articles += 1
                elif isinstance(res, Problem) and is_warning(res):
                    warned += 1
                else:
                    rejected += 1
        except Exception:
            failures.append(f"case {case} ({path.name}): {traceback.format_exc(limit=3)}")
    spent = time.perf_counter() - t0
    print(f"cases: {args.cases} (seed {args.seed}) in {spent:.1f}s")
    print(f"articles parsed: {articles}, rejections: {rejected}, warnings: {warned}")
    print(f"exceptions: {len(failures)}")
    for f in failures[:20]:
        print(f)
    if out_dir is not None:
        index = out_dir.with_name(out_dir.name + "-index")
        r = subprocess.run(
            [sys.executable, "-m", "newscli", "ingest", "--index", str(index), "-q", str(out_dir)],
            capture_output=True,
            text=True,
            check=False,
        )
        summary = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
        unexpected = "unexpected" in r.stderr or "Traceback" in r.stderr
        print(f"ingest of {args.cases} files: exit {r.returncode}; {summary}")
        c = subprocess.run(
            [sys.executable, "-m", "newscli", "check", "--index", str(index)],
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"check: exit {c.returncode}; {c.stderr.strip()}")
        if unexpected or r.returncode not in (0, 2) or c.returncode != 0:
            print("FAILED: unexpected error during ingest or check")
            return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
