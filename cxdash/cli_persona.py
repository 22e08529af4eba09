"""`python -m cxdash persona export|import`: personas of a workspace to and from a JSON file.

``persona export --db X [--workspace W] --out FILE.json`` writes the workspace's personas (``--out -`` = stdout);
``persona import FILE.json --db X [--workspace W]`` updates personas of the same name and creates the others (all or
nothing). The lead registers it in cxdash/cli.py with ``add_persona_parser(sub)``; :func:`main_persona` runs it alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from cxdash.errors import CxdashError, InputRefused

EXIT_OK = 0
EXIT_REFUSED = 2


def _workspace(args: argparse.Namespace) -> tuple[Any, int, str]:
    from cxdash.store.workspaces import get_workspace, open_store

    engine = open_store(args.db)
    ws = get_workspace(engine, args.workspace)
    assert ws.id is not None
    return engine, ws.id, ws.name


def cmd_persona_export(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    from cxdash.personas_io import personas_json

    out = stdout if stdout is not None else sys.stdout
    engine, ws_id, ws_name = _workspace(args)
    text = personas_json(engine, ws_id)
    count = len(json.loads(text)["personas"])
    if args.out == "-":
        out.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        message = f"{count} persona(s) of '{ws_name}' written to {args.out}"
        _report(args, out, {"status": "ok", "workspace": ws_name, "personas": count, "out": args.out}, message)
    return EXIT_OK


def cmd_persona_import(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    from cxdash.personas_io import import_personas

    out = stdout if stdout is not None else sys.stdout
    path = Path(args.file)
    if not path.is_file():
        raise InputRefused(f"'{args.file}' is not a file.")
    engine, ws_id, ws_name = _workspace(args)
    summary = import_personas(engine, ws_id, path.read_bytes())
    data = {
        "status": "ok",
        "workspace": ws_name,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
    }
    _report(args, out, data, f"{summary.message()} (workspace '{ws_name}')")
    return EXIT_OK


def _report(args: argparse.Namespace, out: TextIO, data: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        out.write(text + "\n")


def add_persona_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `persona` subcommand (export, import) to the subparsers of `python -m cxdash`."""
    p: argparse.ArgumentParser = sub.add_parser(
        "persona", help="export or import personas as JSON", description="Export or import a workspace's personas."
    )
    actions = p.add_subparsers(dest="persona_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--db", help="SQLite file path or database URL (default: CXDASH_DATABASE_URL or data/cxdash.db)")
        q.add_argument("--workspace", help="workspace name (default: the demo workspace, else the first)")
        q.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    e = actions.add_parser("export", help="write the personas to a JSON file", description="Write personas as JSON.")
    common(e)
    e.add_argument("--out", required=True, metavar="FILE.json", help="output file (- for stdout)")
    e.set_defaults(func=cmd_persona_export)
    i = actions.add_parser(
        "import",
        help="update or create personas from a JSON file",
        description="Import personas: same name → updated, new name → created; a refused file changes nothing.",
    )
    i.add_argument("file", metavar="FILE.json")
    common(i)
    i.set_defaults(func=cmd_persona_import)
    return p


def main_persona(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run `persona` alone (tests, or before cli.py registers it); refused input → one line on stderr, exit 2."""
    parser = argparse.ArgumentParser(prog="python -m cxdash")
    add_persona_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["persona", *(argv or [])])
    try:
        return int(args.func(args, stdout))
    except CxdashError as error:
        print(f"cxdash: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_REFUSED
