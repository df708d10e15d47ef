"""Typer commands: parse options, call the core, hand results to render. No logic of its own."""

import copy
import os
import sys
from typing import Annotated, Any

import typer

from newscli import __version__
from newscli.env import Env
from newscli.errors import ExitCode, NewscliError, PipeClosed, UsageError
from newscli.paths import INGEST_BATCH

app = typer.Typer(
    name="newscli",
    help="Ingest news articles into a local full-text index and search them with facets.\n\n"
    "Example: newscli ingest sample_data/ && newscli search Kashmir --country PK",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ENV = Env()  # replaced in main() and by tests


# --- shared options -------------------------------------------------------------------------------

IndexOpt = Annotated[
    str | None,
    typer.Option(
        "--index",
        help="Index folder (default: $NEWSCLI_INDEX, else $XDG_DATA_HOME/newscli/index).",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="auto|table|json|jsonl|csv|tsv|ids (auto: table on a terminal, jsonl in a pipe).",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="From this date, inclusive: YYYY, YYYY-MM, YYYY-MM-DD, 7d, 2w, 3m, 1y, today, yesterday.",
    ),
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Up to this date, inclusive (same forms as --since).")
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        help="Country code, name or alias. Repeat = all of them; comma list = any of them.",
    ),
]
OfficialOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--official",
        "-o",
        help="Official's full name or surname, any case. Repeat = AND, comma list = OR.",
    ),
]
SourceOpt = Annotated[
    list[str] | None,
    typer.Option("--source", "-s", help="Outlet name, any case. Repeat = AND, comma list = OR."),
]
HijriOpt = Annotated[
    str | None, typer.Option("--hijri", help="Hijri year (1446) or year-month (1446-05).")
]
LiteralOpt = Annotated[
    bool,
    typer.Option("--literal", help="Search the words as typed: no operators, fields or wildcards."),
]
AliasesOpt = Annotated[
    str | None,
    typer.Option(
        "--aliases",
        help="Aliases file (default: $NEWSCLI_ALIASES, else $XDG_CONFIG_HOME/newscli/aliases.tsv).",
    ),
]
WaitOpt = Annotated[
    float, typer.Option("--wait", help="Seconds to wait for another writer's lock before failing.")
]


def _index(path: str | None, *, create: bool = False, any_version: bool = False) -> Any:
    from newscli.index import Index
    from newscli.paths import index_path

    return Index.open(index_path(path), create=create, any_version=any_version)


def _extractor(aliases: str | None, *, officials: bool = True) -> Any:
    from newscli.extract import Extractor
    from newscli.paths import aliases_path

    return Extractor.load(aliases_path(aliases), officials=officials)


def _request(query: str, *, aliases: str | None = None, **kw: Any) -> Any:
    from newscli.query import build_request, codes_first

    resolver = None
    if kw.get("countries"):
        resolver = codes_first(lambda: _resolver(aliases))
    return build_request(query, resolve_country=resolver, **kw)


def _filtered(
    query: str,
    aliases: str | None,
    literal: bool,
    since: str | None,
    until: str | None,
    country: list[str] | None,
    official: list[str] | None,
    source: list[str] | None,
    hijri: str | None,
    **kw: Any,
) -> Any:
    """The request every searching command builds from its shared filter options."""
    return _request(
        query,
        aliases=aliases,
        literal=literal,
        since=since,
        until=until,
        countries=country,
        officials=official,
        sources=source,
        hijri=hijri,
        **kw,
    )


def _resolver(aliases: str | None) -> Any:
    """--country values to codes: the gazetteer and the user's aliases, no officials' data."""
    return _extractor(aliases, officials=False).resolve_country


def _query_resolver(query: str, aliases: str | None) -> Any:
    """Country names in the query string need the gazetteer; skip loading it when unused."""
    return _resolver(aliases) if "country" in query.lower() else None


def _waiting(wait: float) -> Any:
    return lambda: _say(
        f"newscli: waiting up to {wait:g}s for another newscli writing to the index..."
    )


def _say(text: str) -> None:
    from newscli.render import message

    message(ENV, text)


# --- commands -----------------------------------------------------------------------------------


@app.command()
def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (recursive), globs, or - for stdin.", show_default=False
        ),
    ],
    index: IndexOpt = None,
    input_format: Annotated[
        str, typer.Option("--input-format", help="auto|text|json|jsonl (auto sniffs each input).")
    ] = "auto",
    month_first: Annotated[
        bool,
        typer.Option(
            "--month-first",
            help="Read ambiguous numeric dates like 03/04/2024 as month/day (default: day/month).",
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes for parsing and extraction (0 = none, in this process; -1 = by input size).",
        ),
    ] = -1,
    wait: WaitOpt = 30.0,
    batch: Annotated[
        int,
        typer.Option("--batch", help="Commit every N articles (a crash loses at most one batch)."),
    ] = INGEST_BATCH,
    aliases: AliasesOpt = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="No per-file warnings; errors and the summary only."),
    ] = False,
    rescan: Annotated[
        bool,
        typer.Option(
            "--rescan",
            help="Read every file again, even those unchanged since they were ingested "
            "(which are otherwise skipped unread).",
        ),
    ] = False,
) -> None:
    """Add articles to the index; re-ingesting never duplicates, changed articles are updated.

    A file unchanged since its last ingest (same size, times and settings) is not read again.

    Example: newscli ingest sample_data/ ; cat feed.jsonl | newscli ingest -
    """
    from newscli.paths import aliases_path
    from newscli.pipeline import IngestOptions, Interrupted
    from newscli.pipeline import ingest as run
    from newscli.render import progress

    if input_format not in ("auto", "text", "json", "jsonl"):
        raise UsageError(f"bad --input-format {input_format!r}: use auto, text, json or jsonl")
    if batch < 1:
        raise UsageError("--batch must be >= 1")
    apath = aliases_path(aliases)
    opts = IngestOptions(
        fmt=input_format,  # type: ignore[arg-type]  # checked just above
        dayfirst=not month_first,
        jobs=jobs,
        wait=wait,
        batch=batch,
        aliases=str(apath) if apath else None,
        rescan=rescan,
    )
    if apath is not None:
        _extractor(aliases)  # a broken aliases file is a usage error before any work
    ix = _index(index, create=True)

    def report(p: Any) -> None:
        from newscli.pipeline import is_warning

        if quiet and is_warning(p):
            return
        _say(f"newscli: {p}" if is_warning(p) else f"newscli: rejected: {p}")

    bar = progress(ENV)
    task = None

    def tick(summary: Any) -> None:
        if bar is not None and task is not None:
            bar.update(task, completed=summary.seen)

    try:
        if bar is not None:
            bar.start()
            task = bar.add_task("ingesting", total=None)
        try:
            summary = run(
                ix,
                paths,
                opts,
                report=report,
                on_article=tick,
                on_wait=_waiting(wait),
            )
        finally:
            if bar is not None:
                bar.stop()
    except Interrupted as exc:
        s = exc.summary
        state = (
            f"committed {s.committed} article(s) done so far"
            if exc.committed
            else "rolled back the current batch"
        )
        _say(f"newscli: interrupted: {state}; re-run the same command to continue")
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    el = summary.elapsed()
    rate = summary.seen / el if el > 0 else 0.0
    unread = (
        f" ({summary.skipped_files} file(s) not read: unchanged since their last ingest)"
        if summary.skipped_files
        else ""
    )
    _say(
        f"newscli: {summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.rejected} rejected, {summary.warnings} warning(s) from {summary.files} file(s)"
        f"{unread} in {el:.2f}s ({rate:.0f} articles/s)"
    )
    if summary.rejected:
        raise typer.Exit(ExitCode.ERROR)


@app.command()
def search(
    query: Annotated[
        str,
        typer.Argument(help="Whoosh query over title and body; words are ANDed; empty or * = all."),
    ] = "",
    index: IndexOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    country: CountryOpt = None,
    official: OfficialOpt = None,
    source: SourceOpt = None,
    hijri: HijriOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Hits to print (0 = all).")] = 10,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many hits first.")] = 0,
    sort: Annotated[
        str, typer.Option("--sort", help="relevance|date|-date (undated articles come last).")
    ] = "relevance",
    fmt: FormatOpt = "auto",
    fields: Annotated[
        str | None, typer.Option("--fields", help="Comma list of fields for json/jsonl/csv/tsv.")
    ] = None,
    no_headers: Annotated[
        bool, typer.Option("--no-headers", help="csv/tsv without the header row.")
    ] = False,
    count: Annotated[bool, typer.Option("--count", help="Print only the number of hits.")] = False,
    no_snippet: Annotated[
        bool, typer.Option("--no-snippet", help="Skip snippets (faster).")
    ] = False,
    literal: LiteralOpt = False,
    facets: Annotated[
        str | None,
        typer.Option(
            "--facets", help="Also print facet counts of the hits: e.g. country,official."
        ),
    ] = None,
    aliases: AliasesOpt = None,
) -> None:
    """Search the index. Exit 0 with hits, 1 without, 2 on error.

    Example: newscli search 'Kashmir AND talks' --country PK --since 2024-01 --format jsonl | jq -r .title
    """
    from newscli.render import (
        ALL_FIELDS,
        hits_table,
        parse_fields,
        resolve_format,
        write_records,
    )

    out = resolve_format(fmt, ENV)
    for by in (facets or "").split(","):
        if by.strip():
            _check_by(by.strip())
    if fields and "body" in [f.strip() for f in fields.split(",")]:
        raise UsageError("search hits carry no body; use `newscli show ID` or `newscli export`")
    req = _filtered(
        query,
        aliases,
        literal,
        since,
        until,
        country,
        official,
        source,
        hijri,
        limit=limit,
        offset=offset,
        sort=sort,
        snippet=not no_snippet and not count,
    )
    ix = _index(index)
    resolver = _query_resolver(query, aliases)
    if count:
        n = ix.count_hits(req, resolver)
        ENV.stdout.write(f"{n}\n")
        raise typer.Exit(ExitCode.OK if n else ExitCode.NO_HITS)
    total, hits = ix.search(req, resolver, exact_total=out == "table")
    if out == "table":
        hits_table(ENV, hits, total, offset)
        if facets:
            _facets_under(ix, req, resolver, facets)
    else:
        default = [f for f in ALL_FIELDS if f != "body"]
        write_records(
            ENV,
            out,
            (h.to_dict() for h in hits),
            fields=parse_fields(fields, default=default)
            if (fields or out in ("json", "jsonl"))
            else None,
            headers=not no_headers,
        )
    raise typer.Exit(ExitCode.OK if total else ExitCode.NO_HITS)


def _facets_under(ix: Any, req: Any, resolver: Any, spec: str) -> None:
    from newscli.render import counts_table

    for by in [b.strip() for b in spec.split(",") if b.strip()]:  # checked by search()
        total, rows = ix.facets(req, by, resolver)
        counts_table(ENV, f"by {by}", _labelled(by, rows[:10]), total)


FACET_BY = (
    "country",
    "official",
    "source",
    "year",
    "month",
    "day",
    "hijri-month",
    "country-pair",
    "official-pair",
)


def _check_by(by: str) -> None:
    if by not in FACET_BY:
        raise UsageError(f"bad --by {by!r}: use one of {', '.join(FACET_BY)}")


def _labelled(by: str, rows: list[tuple[str, int]]) -> list[tuple[str, str, int]]:
    if by not in ("country", "country-pair"):
        return [(k, "", n) for k, n in rows]
    from newscli.extract.countries import load_gazetteer

    names = load_gazetteer().names
    return [(k, " + ".join(names.get(c, c) for c in k.split(" + ")), n) for k, n in rows]


@app.command()
def facets(
    query: Annotated[str, typer.Argument(help="Optional query; empty = every article.")] = "",
    by: Annotated[
        str,
        typer.Option(
            "--by",
            "-b",
            help="country|official|source|year|month|day|hijri-month|country-pair|official-pair.",
        ),
    ] = "country",
    top: Annotated[int, typer.Option("--top", help="Show the N largest (0 = all).")] = 20,
    index: IndexOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    country: CountryOpt = None,
    official: OfficialOpt = None,
    source: SourceOpt = None,
    hijri: HijriOpt = None,
    literal: LiteralOpt = False,
    fmt: FormatOpt = "auto",
    no_headers: Annotated[
        bool, typer.Option("--no-headers", help="csv/tsv without the header row.")
    ] = False,
    aliases: AliasesOpt = None,
) -> None:
    """Exact counts of matching articles per country, official, source or period.

    Example: newscli facets Kashmir --by official --top 5 --format csv
    """
    from newscli.render import counts_table, resolve_format, write_records

    _check_by(by)
    if top < 0:
        raise UsageError("--top must be >= 0 (0 = all)")
    out = resolve_format(fmt, ENV)
    req = _filtered(
        query, aliases, literal, since, until, country, official, source, hijri, snippet=False
    )
    ix = _index(index)
    total, rows = ix.facets(req, by, _query_resolver(query, aliases))
    rows = rows[:top] if top > 0 else rows
    labelled = _labelled(by, rows)
    if out == "table":
        counts_table(ENV, f"articles by {by}", labelled, total)
    else:
        recs = ({"value": v, "label": lab or v, "count": n} for v, lab, n in labelled)
        write_records(ENV, out, recs, fields=["value", "label", "count"], headers=not no_headers)
    raise typer.Exit(ExitCode.OK if total else ExitCode.NO_HITS)


@app.command()
def timeline(
    query: Annotated[str, typer.Argument(help="Optional query; empty = every article.")] = "",
    by: Annotated[str, typer.Option("--by", "-b", help="day|week|month|year.")] = "month",
    index: IndexOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    country: CountryOpt = None,
    official: OfficialOpt = None,
    source: SourceOpt = None,
    hijri: HijriOpt = None,
    literal: LiteralOpt = False,
    fmt: FormatOpt = "auto",
    no_headers: Annotated[
        bool, typer.Option("--no-headers", help="csv/tsv without the header row.")
    ] = False,
    aliases: AliasesOpt = None,
) -> None:
    """Articles per period, empty periods shown as zero; undated articles are counted apart.

    Example: newscli timeline Kashmir --by year --format csv
    """
    from newscli.render import counts_table, resolve_format, write_records
    from newscli.timeline import periods

    if by not in ("day", "week", "month", "year"):
        raise UsageError(f"bad --by {by!r}: use day, week, month or year")
    out = resolve_format(fmt, ENV)
    req = _filtered(
        query, aliases, literal, since, until, country, official, source, hijri, snippet=False
    )
    ix = _index(index)
    total, days = ix.day_counts(req, _query_resolver(query, aliases))
    rows = periods(days, by, req.filters.since, req.filters.until)
    undated = total - sum(days.values())
    if out == "table":
        counts_table(ENV, f"articles per {by}", [(p, "", n) for p, n in rows], total)
        if undated:
            _say(f"newscli: {undated} matching article(s) have no date")
    else:
        recs = [{"period": p, "count": n} for p, n in rows]
        if undated:
            recs.append({"period": "undated", "count": undated})
        write_records(ENV, out, recs, fields=["period", "count"], headers=not no_headers)
    raise typer.Exit(ExitCode.OK if total else ExitCode.NO_HITS)


@app.command()
def show(
    article_id: Annotated[
        str, typer.Argument(help="An article id (a unique prefix is enough).", metavar="ID")
    ],
    index: IndexOpt = None,
    fmt: FormatOpt = "auto",
) -> None:
    """Print one article with all its fields.

    Example: newscli show 3f2a9c --format json
    """
    from newscli.render import article_view, resolve_format, write_records

    out = resolve_format(fmt, ENV)
    ix = _index(index)
    article_id = article_id.strip().lower()  # ids are lower-case hex
    article = ix.get(article_id)
    if article is None:
        matches = ix.get_prefix(article_id) if len(article_id) >= 4 else []
        if len(matches) > 1:
            raise UsageError(f"id prefix {article_id!r} is ambiguous ({len(matches)} articles)")
        if not matches:
            _say(f"newscli: no article with id {article_id!r}")
            raise typer.Exit(ExitCode.NO_HITS)
        article = matches[0]
    if out == "table":
        article_view(ENV, article)
    elif out == "json":
        import json

        ENV.stdout.write(
            json.dumps(article.to_dict(body=True), ensure_ascii=False, indent=2) + "\n"
        )
    else:
        write_records(ENV, out, [article.to_dict(body=True)])


@app.command()
def stats(
    index: IndexOpt = None,
    fmt: FormatOpt = "auto",
    top: Annotated[
        int, typer.Option("--top", help="How many top countries, officials and sources.")
    ] = 10,
) -> None:
    """Size, article count, date range, top countries / officials / sources.

    Example: newscli stats --format json
    """
    import json

    from newscli.render import resolve_format, stats_view

    out = resolve_format(fmt, ENV)
    if top < 0:
        raise UsageError("--top must be >= 0 (0 = all)")
    st = _index(index).stats(top or None)
    if out == "table":
        stats_view(ENV, st)
    elif out in ("json", "jsonl"):
        ENV.stdout.write(json.dumps(st._asdict(), ensure_ascii=False) + "\n")
    else:
        raise UsageError("stats prints table or json")


@app.command()
def export(
    query: Annotated[str, typer.Argument(help="Optional query; empty = every article.")] = "",
    index: IndexOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    country: CountryOpt = None,
    official: OfficialOpt = None,
    source: SourceOpt = None,
    hijri: HijriOpt = None,
    literal: LiteralOpt = False,
    aliases: AliasesOpt = None,
) -> None:
    """Stream full records (body included) as JSON Lines; `newscli ingest -` reads them back.

    Example: newscli export --country AF > afghanistan.jsonl
    """
    from newscli.render import write_records

    req = _filtered(
        query,
        aliases,
        literal,
        since,
        until,
        country,
        official,
        source,
        hijri,
        limit=0,
        snippet=False,
    )
    ix = _index(index)
    n = write_records(
        ENV,
        "jsonl",
        (a.to_dict(body=True) for a in ix.iter_articles(req, _query_resolver(query, aliases))),
    )
    raise typer.Exit(ExitCode.OK if n else ExitCode.NO_HITS)


@app.command()
def delete(
    ids: Annotated[
        list[str] | None, typer.Argument(help="Article ids to delete.", metavar="ID...")
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", help="Delete every article this query matches.")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (required with --query off a terminal).")
    ] = False,
    index: IndexOpt = None,
    wait: WaitOpt = 30.0,
) -> None:
    """Delete articles by id or by query.

    Example: newscli delete --query 'source:"Meridian Times"' --yes
    """
    from newscli.query import build_request

    ix = _index(index)
    targets = list(ids or [])
    if query:
        req = build_request(query, limit=0, snippet=False)
        targets += [a.id for a in ix.iter_articles(req, _query_resolver(query, None))]
    if not targets:
        if not ids and not query:
            raise UsageError("give article ids or --query")
        _say("newscli: nothing matches; nothing deleted")
        raise typer.Exit(ExitCode.NO_HITS)
    if query and not yes:
        if not (ENV.stdout_isatty and sys.stdin.isatty()):
            raise UsageError(
                f"--query would delete {len(targets)} article(s); add --yes to confirm"
            )
        if not typer.confirm(f"Delete {len(targets)} article(s)?", err=True):
            _say("newscli: nothing deleted")
            raise typer.Exit(ExitCode.NO_HITS)
    n = ix.delete(targets, wait=wait, on_wait=_waiting(wait))
    _say(f"newscli: deleted {n} article(s)")
    raise typer.Exit(ExitCode.OK if n else ExitCode.NO_HITS)


@app.command()
def similar(
    article_id: Annotated[str, typer.Argument(help="The article to compare with.", metavar="ID")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many similar articles.")] = 10,
    index: IndexOpt = None,
    fmt: FormatOpt = "auto",
) -> None:
    """Articles most like one article (by its key terms).

    Example: newscli similar 3f2a9c0d1e2b4a5c --limit 5
    """
    from newscli.render import hits_table, resolve_format, write_records

    if limit < 1:
        raise UsageError("--limit must be >= 1")
    out = resolve_format(fmt, ENV)
    ix = _index(index)
    if ix.get(article_id) is None:
        matches = ix.get_prefix(article_id) if len(article_id) >= 4 else []
        if len(matches) != 1:
            raise UsageError(f"no single article with id {article_id!r}")
        article_id = matches[0].id
    hits = ix.similar(article_id, limit)
    if out == "table":
        hits_table(ENV, hits, len(hits))
    else:
        write_records(ENV, out, (h.to_dict() for h in hits))
    raise typer.Exit(ExitCode.OK if hits else ExitCode.NO_HITS)


@app.command()
def reindex(
    index: IndexOpt = None,
    aliases: AliasesOpt = None,
    wait: WaitOpt = 30.0,
) -> None:
    """Re-run country and official extraction over the stored articles (after new data or aliases).

    Example: newscli reindex --aliases ~/.config/newscli/aliases.tsv
    """
    from newscli.pipeline import reindex as run

    ix = _index(index, any_version=True)
    summary = run(ix, _extractor(aliases), wait=wait)
    _say(
        f"newscli: reindexed {summary.seen} article(s): {summary.updated} changed, "
        f"{summary.unchanged} unchanged in {summary.elapsed():.2f}s"
    )


@app.command()
def check(index: IndexOpt = None) -> None:
    """Verify the index: open every segment, read every record, compare ids.

    Example: newscli check
    """
    ix = _index(index)
    problems = ix.check()
    for p in problems:
        _say(f"newscli: problem: {p}")
    if problems:
        raise typer.Exit(ExitCode.ERROR)
    _say(f"newscli: index OK: {ix.count()} article(s)")


@app.command()
def optimize(index: IndexOpt = None, wait: WaitOpt = 30.0) -> None:
    """Merge all segments into one (faster searches after many small ingests).

    Example: newscli optimize
    """
    ix = _index(index)
    ix.optimize(wait=wait, on_wait=_waiting(wait))
    _say(f"newscli: optimized: {ix.count()} article(s)")


def _version(value: bool) -> None:
    if value:
        ENV.stdout.write(f"newscli {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Ingest news articles into a local full-text index and search them with facets."""


def run(argv: list[str], env: Env) -> int:
    """Run one command line against `env`; returns the exit status (never raises)."""
    global ENV
    ENV = env
    debug = os.environ.get("NEWSCLI_DEBUG") == "1"
    try:
        rv = _app_for(argv)(args=argv, prog_name="newscli", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except NewscliError as exc:
        env.stderr.write(f"newscli: error: {' '.join(str(exc).split())}\n")
        code = int(exc.code)
    except typer.Exit as exc:
        code = exc.exit_code
    except (BrokenPipeError, PipeClosed):
        _quiet_stdout()
        code = 0
    except KeyboardInterrupt:
        env.stderr.write("newscli: interrupted\n")
        code = ExitCode.INTERRUPTED
    except Exception as exc:
        click_code = _click_code(exc)
        if click_code is not None:
            code = click_code
        else:
            if debug:
                import traceback

                traceback.print_exc()
            env.stderr.write(
                f"newscli: error: unexpected {type(exc).__name__}: {exc} (NEWSCLI_DEBUG=1 shows the traceback)\n"
            )
            code = ExitCode.ERROR
    return int(code)


def _app_for(argv: list[str]) -> typer.Typer:
    """The app, with only the command named first when argv names one: Typer builds a Click
    command for every registered command on each call (signatures, annotations, defaults:
    5-9 ms for all of them), while a call runs one. Anything else (no command, an option
    first, a typo Click should suggest a command for) gets the whole app."""
    if not argv or argv[0].startswith("-"):
        return app
    chosen = [c for c in app.registered_commands if c.callback and c.callback.__name__ == argv[0]]
    if len(chosen) != 1 or chosen[0].name is not None:
        return app
    one = copy.copy(app)
    one.registered_commands = chosen
    return one


def main() -> None:
    env = Env.from_process()
    code = run(sys.argv[1:], env)
    try:
        env.stdout.flush()
    except (BrokenPipeError, PipeClosed):
        _quiet_stdout()
    sys.exit(code)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _click_code(exc: Exception) -> int | None:
    """Typer's vendored Click errors (bad option, missing argument) in standalone_mode=False."""
    show = getattr(exc, "show", None)
    exit_code = getattr(exc, "exit_code", None)
    if callable(show) and isinstance(exit_code, int):
        show(file=ENV.stderr)
        return 2 if exit_code not in (0, 1) else exit_code
    return None
