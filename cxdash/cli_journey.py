"""`python -m cxdash journey …`: export a journey map to JSON, import one, or write its network view as an offline
HTML file. The lead registers it in cxdash/cli.py with ``add_journey_parser(sub)``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cxdash.errors import InputRefused, NotFound

EXIT_OK = 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="SQLite file path or database URL (default: CXDASH_DATABASE_URL or data/cxdash.db)")
    p.add_argument("--workspace", help="workspace name (default: the demo workspace, else the first)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")


def add_journey_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `journey export|import|html` to the subparsers of `python -m cxdash`."""
    p: argparse.ArgumentParser = sub.add_parser(
        "journey", help="journey maps: export / import JSON, network view as HTML", description=__doc__.splitlines()[0]
    )
    jsub = p.add_subparsers(dest="journey_command", required=True)
    ex = jsub.add_parser("export", help="write a journey map as JSON")
    _common(ex)
    ex.add_argument("--name", help="map name (default: the workspace's only map)")
    ex.add_argument("--out", required=True, help="JSON file to write (- for stdout)")
    ex.set_defaults(func=cmd_export)
    im = jsub.add_parser("import", help="create a journey map from a JSON file")
    im.add_argument("file")
    _common(im)
    im.add_argument("--name", help="name for the new map (default: the file's)")
    group = im.add_mutually_exclusive_group()
    group.add_argument("--replace", action="store_true", help="replace a map of the same name")
    group.add_argument("--rename", action="store_true", help="add (2), (3)… to a name already in use")
    im.set_defaults(func=cmd_import)
    ht = jsub.add_parser("html", help="write the map's network view as a standalone offline HTML file")
    _common(ht)
    ht.add_argument("--name", help="map name (default: the workspace's only map)")
    ht.add_argument("--out", required=True, help="HTML file to write")
    ht.set_defaults(func=cmd_html)
    return p


def _open(args: argparse.Namespace) -> tuple[Any, int]:
    from cxdash.store.workspaces import get_workspace, open_store

    engine = open_store(args.db)
    ws = get_workspace(engine, args.workspace)
    assert ws.id is not None
    return engine, ws.id


def _find(engine: Any, ws: int, name: str | None) -> int:
    from cxdash.store.journeys import list_journeys

    maps = {j.name: int(j.id or 0) for j in list_journeys(engine, ws)}
    if name is None:
        if len(maps) == 1:
            return int(next(iter(maps.values())))
        raise InputRefused(f"Name the map with --name; this workspace has {len(maps)}: {', '.join(maps) or 'none'}.")
    if name not in maps:
        raise NotFound(f"No journey map called '{name}'. Maps in this workspace: {', '.join(maps) or 'none'}.")
    return int(maps[name])


def _say(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(text)


def cmd_export(args: argparse.Namespace) -> int:
    from cxdash.journeys_io import dumps, export_journey

    engine, ws = _open(args)
    doc = export_journey(engine, _find(engine, ws, args.name))
    if args.out == "-":
        sys.stdout.write(dumps(doc))
        return EXIT_OK
    Path(args.out).write_text(dumps(doc), encoding="utf-8")
    steps = sum(len(s["steps"]) for s in doc["stages"])
    _say(args, {"status": "ok", "name": doc["name"], "stages": len(doc["stages"]), "steps": steps, "out": args.out},
         f"Wrote '{doc['name']}' ({len(doc['stages'])} stages, {steps} steps) to {args.out}")  # fmt: skip
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from cxdash.journeys_io import import_journey, loads

    path = Path(args.file)
    if not path.is_file():
        raise InputRefused(f"'{args.file}' is not a file.")
    doc = loads(path.read_bytes())
    engine, ws = _open(args)
    mode = "replace" if args.replace else "rename" if args.rename else "refuse"
    result = import_journey(engine, ws, doc, name=args.name, on_conflict=mode)  # type: ignore[arg-type]
    note = f"; not in this workspace's data (kept as text): {', '.join(result.unknown_touchpoints)}"
    _say(
        args,
        {"status": "ok", "name": result.name, "steps": result.steps, "unknown_touchpoints": result.unknown_touchpoints,
         "unknown_persona": result.unknown_persona},
        f"Imported '{result.name}' ({result.steps} steps)" + (note if result.unknown_touchpoints else ""),
    )  # fmt: skip
    return EXIT_OK


def cmd_html(args: argparse.Namespace) -> int:
    from cxdash.store.journeys import journey_content, touchpoint_evidence
    from cxdash.viz.journey_network import journey_network

    engine, ws = _open(args)
    content = journey_content(engine, _find(engine, ws, args.name))
    names = [s["touchpoint"] for st in content["stages"] for s in st["steps"] if s["touchpoint"]]
    page = journey_network(content, touchpoint_evidence(engine, ws, names))
    Path(args.out).write_text(page, encoding="utf-8")
    _say(
        args,
        {"status": "ok", "name": content["name"], "out": args.out},
        f"Wrote the network of '{content['name']}' to {args.out}",
    )
    return EXIT_OK
