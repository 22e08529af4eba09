"""cxdash: a Customer Experience workbench — headless core (store, ingest, analysis, viz) and CLI."""

__version__ = "0.1.0"
