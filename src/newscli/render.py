"""Every output format (table, json, jsonl, csv, tsv, ids) and every message; the only place rich is imported."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from newscli.env import Env
from newscli.errors import UsageError
from newscli.models import Article, Hit
from newscli.parse.text import clean, clean_line

FORMATS = ("auto", "table", "json", "jsonl", "csv", "tsv", "ids")
DEFAULT_FIELDS = ("id", "date", "source", "title", "countries", "officials", "url", "path")
ALL_FIELDS = (
    "id",
    "title",
    "source",
    "date",
    "published",
    "date_from",
    "hijri_date",
    "hijri",
    "dateline",
    "author",
    "countries",
    "main_country",
    "officials",
    "path",
    "url",
    "ingested_at",
    "score",
    "snippet",
    "highlights",
    "body",
)


def resolve_format(fmt: str, env: Env) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"bad --format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "auto":
        return "table" if env.stdout_isatty else "jsonl"
    return fmt


def parse_fields(spec: str | None, *, default: Sequence[str] = DEFAULT_FIELDS) -> list[str]:
    if not spec:
        return list(default)
    fields = [f.strip() for f in spec.split(",") if f.strip()]
    bad = [f for f in fields if f not in ALL_FIELDS]
    if bad:
        raise UsageError(f"unknown field(s) {', '.join(bad)}; available: {', '.join(ALL_FIELDS)}")
    return fields


def _console(env: Env, stream: TextIO | None = None) -> Any:
    from rich.console import Console

    out = stream or env.stdout
    tty = env.stdout_isatty if stream is None or stream is env.stdout else env.stderr_isatty
    return Console(
        file=out,
        force_terminal=tty and not env.no_color,
        no_color=env.no_color or not tty,
        highlight=False,
        markup=False,
        emoji=False,
        width=env.width if env.width else (None if tty else 120),
        soft_wrap=False,
    )


# --- records ------------------------------------------------------------------------------------


def _select(d: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    if not fields:
        return d
    return {f: d.get(f) for f in fields}


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, dict):
                parts.append(str(v.get("code") or v.get("name") or ""))
            elif isinstance(v, list):
                parts.append("-".join(str(x) for x in v))
            else:
                parts.append(str(v))
        return ";".join(parts)
    return clean_line(str(value))


def write_records(
    env: Env,
    fmt: str,
    records: Iterable[dict[str, Any]],
    *,
    fields: Sequence[str] | None = None,
    headers: bool = True,
) -> int:
    """json / jsonl / csv / tsv / ids. Returns the number of records written."""
    out = env.stdout
    n = 0
    if fmt == "json":
        out.write("[")
        for rec in records:
            out.write(
                ("," if n else "") + "\n" + json.dumps(_select(rec, fields), ensure_ascii=False)
            )
            n += 1
        out.write("\n]\n" if n else "]\n")
    elif fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(_select(rec, fields), ensure_ascii=False) + "\n")
            n += 1
    elif fmt in ("csv", "tsv"):
        cols = list(fields or DEFAULT_FIELDS)
        if fmt == "csv":
            w = csv.writer(out, lineterminator="\n")
            if headers:
                w.writerow(cols)
            for rec in records:
                w.writerow([_flat(rec.get(c)) for c in cols])
                n += 1
        else:
            if headers:
                out.write("\t".join(cols) + "\n")
            for rec in records:
                out.write("\t".join(_flat(rec.get(c)).replace("\t", " ") for c in cols) + "\n")
                n += 1
    elif fmt == "ids":
        for rec in records:
            out.write(str(rec.get("id") or rec.get("value") or rec.get("period") or "") + "\n")
            n += 1
    else:
        raise UsageError(f"format {fmt!r} is not available here")
    out.flush()
    return n


# --- tables -------------------------------------------------------------------------------------


def _text(s: str | None, style: str = "") -> Any:
    from rich.text import Text

    return Text(clean_line(s or ""), style=style)


def hits_table(env: Env, hits: Sequence[Hit], total: int, offset: int = 0) -> None:
    from rich.table import Table
    from rich.text import Text

    con = _console(env)
    table = Table(show_lines=False, header_style="bold", expand=False, pad_edge=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("source", max_width=20, overflow="fold")
    table.add_column("headline / snippet", ratio=1, min_width=20)
    table.add_column("countries", max_width=18, overflow="fold")
    # the id is what `show` needs: never cropped
    table.add_column("id", style="dim", no_wrap=True, min_width=16, max_width=16)
    for i, hit in enumerate(hits, offset + 1):
        a = hit.article
        cell = Text()
        cell.append(clean_line(a.title), style="bold")
        if hit.snippet:
            snippet = Text(clean_line(hit.snippet), style="dim" if not env.no_color else "")
            for s, e in hit.highlights:
                snippet.stylize("bold yellow" if not env.no_color else "bold", s, e)
            cell.append("\n")
            cell.append_text(snippet)
        table.add_row(
            str(i),
            a.published.day.isoformat() if a.published else "—",
            _text(a.source),
            cell,
            _text(",".join(c.code for c in a.countries[:6])),
            a.id,
        )
    con.print(table)
    shown = f"{offset + 1}-{offset + len(hits)}" if hits else "0"
    con.print(Text(f"{shown} of {total} hits", style="dim"))


def article_view(env: Env, a: Article) -> None:
    from rich.table import Table
    from rich.text import Text

    con = _console(env)
    con.print(Text(clean_line(a.title), style="bold"))
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="dim")
    meta.add_column()
    rows = [
        ("id", a.id),
        ("source", a.source),
        ("published", a.published.iso() if a.published else None),
        ("hijri", f"{a.hijri.text} ({a.hijri.ymd})" if a.hijri else None),
        ("dateline", a.dateline),
        ("author", a.author),
        ("url", a.url),
        ("path", a.path),
        ("countries", ", ".join(f"{c.name} ({c.code}) ×{c.mentions}" for c in a.countries)),
        ("main country", a.main_country),
        (
            "officials",
            "; ".join(
                f"{o.name}" + (f" — {o.title}" if o.title else "") + f" ×{o.mentions}"
                for o in a.officials
            ),
        ),
    ]
    for k, v in rows:
        if v:
            meta.add_row(k, Text(clean_line(str(v))))
    con.print(meta)
    con.print()
    con.print(Text(clean(a.body)))


def counts_table(
    env: Env, title: str, rows: Sequence[tuple[str, str, int]], total: int, *, bars: bool = True
) -> None:
    """rows: (value, label, count)."""
    from rich.table import Table
    from rich.text import Text

    con = _console(env)
    table = Table(title=title, header_style="bold", pad_edge=False)
    table.add_column("value", no_wrap=True)
    table.add_column("label")
    table.add_column("count", justify="right")
    table.add_column("", no_wrap=True)
    peak = max((r[2] for r in rows), default=0) or 1
    for value, label, n in rows:
        bar = "█" * max(1, round(24 * n / peak)) if n and bars else ""
        table.add_row(
            Text(clean_line(value)), Text(clean_line(label)), str(n), Text(bar, style="cyan")
        )
    con.print(table)
    con.print(Text(f"{total} matching articles", style="dim"))


def stats_view(env: Env, st: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    con = _console(env)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    grid.add_row("index", st.path)
    grid.add_row("articles", str(st.articles))
    grid.add_row("size", f"{st.size_bytes / 1048576:.1f} MB in {st.segments} segment(s)")
    grid.add_row("dates", f"{st.first_date or '—'} … {st.last_date or '—'} ({st.undated} undated)")
    for label, rows in (
        ("top countries", st.countries),
        ("top officials", st.officials),
        ("top sources", st.sources),
    ):
        grid.add_row(label, Text(", ".join(f"{clean_line(k)} ({n})" for k, n in rows) or "—"))
    con.print(grid)


# --- messages -----------------------------------------------------------------------------------


def message(env: Env, text: str) -> None:
    """One line on stderr, plain text, never markup."""
    env.stderr.write(clean_line(text) + "\n")
    env.stderr.flush()


def progress(env: Env) -> Any:
    """A Rich progress display on stderr when it is a terminal, else None."""
    if not env.stderr_isatty:
        return None
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} articles"),
        TimeElapsedColumn(),
        console=_console(env, env.stderr),
        transient=True,
    )
