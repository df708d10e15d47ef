"""newscli: ingest news articles into a local Whoosh index and search them from the shell."""

__version__ = "0.1.0"
