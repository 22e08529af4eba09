"""`python -m cxdash sentiment`: score texts without a store — one JSON object per input line, in input order.

Input is one text per line (FILE, or stdin with ``-``), or with ``--column NAME`` one column of a CSV/Excel file
(read like an import: encoding sniffed, survey header rows detected). Each output line is
``{"text", "lang", "compound", "label", "method"}``. The lead registers the subcommand in cxdash/cli.py with
``add_sentiment_parser(sub)``; :func:`main_sentiment` runs it on its own.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from cxdash.errors import CxdashError, InputRefused

EXIT_OK = 0
EXIT_REFUSED = 2
LANGS = ("auto", "en", "ja")


def _score_lines(lines: Iterable[str], lang: str) -> Iterator[dict[str, Any]]:
    from cxdash.analysis import sentiment

    if hasattr(sentiment, "sentiment_lines"):
        yield from sentiment.sentiment_lines(lines, lang)
        return
    batch = [line.rstrip("\r\n") for line in lines]  # pragma: no cover - older analyser without sentiment_lines
    for text, s in zip(batch, sentiment.score_texts(batch, lang), strict=True):  # pragma: no cover
        yield {"text": text, "lang": s.lang, "compound": s.compound, "label": s.label, "method": s.method}


def _text_lines(source: str, stdin: BinaryIO) -> Iterator[str]:
    """Lines of a text file (encoding sniffed as the importer does) or of stdin (UTF-8, BOM or not), streamed."""
    if source == "-":
        stream = io.TextIOWrapper(stdin, encoding="utf-8-sig", newline=None)
        try:
            yield from stream
        except UnicodeDecodeError as error:
            raise InputRefused("stdin is not UTF-8 text: save the texts as UTF-8, or pass the file's name.") from error
        finally:
            with contextlib.suppress(ValueError):  # already closed (the command ended on a closed output pipe)
                stream.detach()  # stdin's buffer stays open
        return
    path = Path(source)
    if not path.is_file():
        raise InputRefused(f"'{source}' is not a file.")
    from cxdash.ingest.sniff import read_head, sniff_encoding

    def opener() -> BinaryIO:
        return path.open("rb")

    encoding = sniff_encoding(opener, read_head(opener), path.name)
    with path.open(encoding=encoding, newline=None) as handle:
        yield from handle


def _column_lines(source: str, column: str, stdin: BinaryIO) -> Iterator[str]:
    """The cells of one column of a CSV/Excel file (by column key or header text), empty cells as ''."""
    from cxdash.ingest.read import read_table

    if source == "-":
        table = read_table(stdin.read(), "stdin.csv")
    else:
        path = Path(source)
        if not path.is_file():
            raise InputRefused(f"'{source}' is not a file.")
        table = read_table(path, path.name)
    key = column if column in table.columns else next((c for c in table.columns if table.label(c) == column), None)
    if key is None:
        listed = ", ".join(f"'{c}'" for c in table.columns[:20])
        raise InputRefused(f"'{table.file_name}' has no column '{column}'. Its columns: {listed}.")
    for chunk in table.chunks():
        for value in chunk[key]:
            yield "" if value is None else " ".join(str(value).splitlines())


def add_sentiment_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `sentiment` subcommand to the subparsers of `python -m cxdash`."""
    p: argparse.ArgumentParser = sub.add_parser(
        "sentiment",
        help="score texts: one JSON object per line (text, lang, compound, label, method)",
        description="Score each line of FILE (or stdin) — or each cell of a CSV column — for sentiment.",
    )
    p.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="text file, CSV/Excel with --column, or - (stdin)"
    )
    p.add_argument("--lang", choices=LANGS, default="auto", help="language of the texts (default: detect per text)")
    p.add_argument("--column", metavar="NAME", help="score this column of a CSV/Excel file instead of lines")
    p.set_defaults(func=cmd_sentiment)
    return p


def cmd_sentiment(args: argparse.Namespace, stdin: BinaryIO | None = None, stdout: TextIO | None = None) -> int:
    """Write one JSON line per input text, in input order."""
    source = stdin if stdin is not None else sys.stdin.buffer
    out = stdout if stdout is not None else sys.stdout
    if out is sys.stdout and hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8")  # JSON lines are UTF-8 whatever the locale says
    lines = _column_lines(args.file, args.column, source) if args.column else _text_lines(args.file, source)
    for record in _score_lines(lines, args.lang):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()
    return EXIT_OK


def main_sentiment(
    argv: Sequence[str] | None = None, stdin: BinaryIO | None = None, stdout: TextIO | None = None
) -> int:
    """Run `sentiment` alone (tests, or before cli.py registers it); refused input → one line on stderr, exit 2."""
    parser = argparse.ArgumentParser(prog="python -m cxdash")
    add_sentiment_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["sentiment", *(argv or [])])
    try:
        return cmd_sentiment(args, stdin, stdout)
    except CxdashError as error:
        print(f"cxdash: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_REFUSED
