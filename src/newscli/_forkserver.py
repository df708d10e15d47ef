"""Imported by the ingest workers' forkserver before it forks them (parallel.Workers): loads
what every worker needs once, in the forkserver, instead of once per worker."""

try:
    from newscli.parallel import preload

    preload()
except Exception:  # the workers then load their own; the forkserver must live on
    pass
