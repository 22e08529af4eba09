"""`python -m cxdash report`: a stakeholder deck (.pptx) or a self-contained HTML report (.html) of a workspace.

The suffix of ``--out`` picks the format; ``--lang en|ja`` the language of the report's words (user text — persona,
journey and touchpoint names, comments — stays as written). The lead registers the subcommand in cxdash/cli.py with
``add_report_parser(sub)``; :func:`cmd_report` runs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cxdash.errors import InputRefused
from cxdash.i18n import LANGUAGES, t, use_language

FORMATS = {".pptx": "PowerPoint deck", ".html": "HTML report", ".htm": "HTML report"}


def _filters(items: Sequence[str]) -> Any:
    from cxdash.store.queries import filters_from_pairs

    return filters_from_pairs(items)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report for ``--workspace`` (default workspace when omitted) to ``--out``, in ``--lang``."""
    with use_language(getattr(args, "lang", None) or "en"):
        return _report(args)


def _report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputRefused(t("report.cli.suffix", name=out.name))
    if not out.parent.is_dir():
        raise InputRefused(t("report.cli.no_folder", folder=out.parent))
    from cxdash.store.workspaces import get_workspace, open_store

    engine = open_store(args.db)
    ws = get_workspace(engine, args.workspace)
    assert ws.id is not None
    filters = _filters(args.filter or [])
    if suffix == ".pptx":
        from cxdash.report.pptx import build_deck

        out.write_bytes(build_deck(engine, ws.id, filters))
    else:
        from cxdash.report.html import build_html

        out.write_text(build_html(engine, ws.id, filters), encoding="utf-8")
    data = {"status": "ok", "workspace": ws.name, "format": FORMATS[suffix], "out": str(out), "lang": args.lang}
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        what = t("report.cli.deck" if suffix == ".pptx" else "report.cli.html")
        print(t("report.cli.written", what=what, workspace=ws.name, out=out))
    return 0


def add_report_parser(sub: Any) -> argparse.ArgumentParser:
    """Register `report` on the subparsers of ``python -m cxdash``."""
    help_text = "a stakeholder deck (.pptx) or a self-contained HTML report (.html) of a workspace"
    p = sub.add_parser("report", help=help_text, description=help_text)
    p.add_argument("--db", help="SQLite file path or database URL (default: CXDASH_DATABASE_URL or data/cxdash.db)")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p.add_argument("--workspace", help="workspace name (default: the demo workspace, else the first)")
    p.add_argument("--out", required=True, help="output file: .pptx for a deck, .html for a web page")
    p.add_argument("--filter", action="append", metavar="ATTR=VALUE", help="segment filter (repeatable)")
    p.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        default="en",
        help="language of the report's headings, labels and notes: en (default) or ja",
    )
    p.set_defaults(func=cmd_report)
    return p


def main_report(argv: list[str] | None = None) -> int:
    """Run `report` on its own (before it is registered in cxdash/cli.py): exit 0, or 2 with one sentence."""
    from cxdash.errors import CxdashError

    parser = argparse.ArgumentParser(prog="python -m cxdash")
    add_report_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(argv if argv is not None else sys.argv[1:])])
    try:
        return int(args.func(args))
    except CxdashError as error:
        print(f"cxdash: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
