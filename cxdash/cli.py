"""The command line: the same services as the app, without the browser.

Exit codes: 0 success, 2 refused input (one sentence on stderr, never a traceback). ``--json`` prints JSON on
stdout. ``--db`` takes a file path or a database URL; ``--workspace`` a workspace name.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cxdash.cli_actions import add_actions_parser
from cxdash.cli_journey import add_journey_parser
from cxdash.cli_output import emit
from cxdash.cli_persona import add_persona_parser
from cxdash.cli_privacy import add_privacy_parsers, cli_actor
from cxdash.cli_report import add_report_parser
from cxdash.cli_sentiment import add_sentiment_parser
from cxdash.errors import CxdashError, InputRefused

EXIT_OK = 0
EXIT_REFUSED = 2
EXIT_INTERNAL = 1  # a bug: the message asks for a report


def _open(args: argparse.Namespace) -> Any:
    from cxdash.store.workspaces import open_store

    return open_store(args.db)


def cmd_demo(args: argparse.Namespace) -> int:
    from cxdash.demo.load import load_demo

    engine = _open(args)
    names = load_demo(engine)
    emit(args, {"status": "ok", "workspaces": names}, "Demo workspaces ready: " + ", ".join(names))
    return EXIT_OK


#: a file at least this large starts the comment workers before the import's modules are loaded (the same size as
#: ``cxdash.ingest.load.EARLY_WORKERS_BYTES``, which would load them to be read)
EARLY_WORKERS_BYTES = 512 * 1024


def _start_workers_early(path: Path, dry_run: bool) -> None:
    """Start the comment-scoring worker processes (in the background) before loading the rest of the import: their
    own start-up (about 0.7 s) then overlaps with this process's (about 1 s of module loading) instead of following
    it. Only for a file large enough to use them (the import starts them itself anyway, later)."""
    if dry_run or not path.is_file() or path.stat().st_size < EARLY_WORKERS_BYTES:
        return
    from cxdash.analysis.comments import warm_up
    from cxdash.ingest.sniff import starts_japanese

    warm_up(japanese=starts_japanese(path))


def cmd_import(args: argparse.Namespace) -> int:
    _start_workers_early(Path(args.file), args.dry_run)
    from cxdash.ingest.load import import_file
    from cxdash.ingest.mapping import mapping_from_json
    from cxdash.ingest.result import group_rejections, rows_rejected
    from cxdash.store.workspaces import DEFAULT_WORKSPACE

    path = Path(args.file)
    if not path.is_file():
        raise InputRefused(f"'{args.file}' is not a file.")
    mapping = None
    if args.mapping:
        mapping_path = Path(args.mapping)
        if not mapping_path.is_file():
            raise InputRefused(f"The mapping file '{args.mapping}' does not exist.")
        mapping = mapping_from_json(mapping_path.read_bytes(), source=f"mapping file '{mapping_path.name}'")
    engine = _open(args)
    result = import_file(
        engine,
        path,
        path.name,
        workspace=args.workspace or DEFAULT_WORKSPACE,
        sheet=args.sheet,
        mapping=mapping,
        dry_run=args.dry_run,
        keep_personal_data=True if args.keep_pii else False if args.mask_pii else None,
        actor=cli_actor(),
    )
    rejected_rows = rows_rejected(result.rejected_rows)
    text = (
        f"{result.status}: {result.responses} responses ({result.responses_updated} updated), "
        f"{result.comments} comments, {result.touchpoints} touchpoints, {rejected_rows} rows rejected"
        + (f" — {result.message}" if result.message else "")
    )
    groups = group_rejections(result.rejected_rows)
    lines = [text]
    for g in groups:  # why, one line per column and reason (the rows themselves are in --json)
        where = f"column '{g.column}': " if g.column else ""
        example = f", e.g. {g.example!r}" if g.example else ""
        rows = f"{g.rows} row{'s' * (g.rows != 1)}"
        lines.append(f"  rejected {rows}: {where}{g.reason} (first row {g.first_row}{example})")
    lines += [f"  note: {warning}" for warning in result.warnings]
    emit(args, result.to_json() | {"rejected_summary": [asdict(g) for g in groups]}, "\n".join(lines))
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from cxdash.store.queries import counts, touchpoint_names
    from cxdash.store.workspaces import get_workspace

    engine = _open(args)
    ws = get_workspace(engine, args.workspace)
    assert ws.id is not None
    data = {"workspace": ws.name, **counts(engine, ws.id), "touchpoint_names": touchpoint_names(engine, ws.id)}
    lines = [f"{k}: {v}" for k, v in data.items()]
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def _parse_filters(items: Sequence[str]) -> Any:
    from cxdash.store.queries import filters_from_pairs

    return filters_from_pairs(items)


def cmd_metrics(args: argparse.Namespace) -> int:
    from cxdash.i18n import t
    from cxdash.roles import format_scale, parse_scale
    from cxdash.store.queries import ces_scale, kpis, set_ces_scale
    from cxdash.store.workspaces import get_workspace

    engine = _open(args)
    ws = get_workspace(engine, args.workspace)
    assert ws.id is not None
    if args.ces_scale:
        auto = args.ces_scale.strip().lower() == "auto"
        wanted = None if auto else parse_scale(args.ces_scale)
        if not auto and wanted is None:
            raise InputRefused(t("kpi.ces_scale_text", text=args.ces_scale))
        set_ces_scale(engine, ws.id, wanted)
    ces = ces_scale(engine, ws.id)
    result = kpis(engine, ws.id, _parse_filters(args.filter or []), ces=ces)
    data: dict[str, dict[str, Any]] = {
        key: {"value": m.value, "n": m.n, "ci95": list(m.ci95) if m.ci95 else None} for key, m in result.items()
    }
    data["ces"]["scale"] = list(ces.scale)  # CES's mean is on this scale (the one most of its answers were given on)
    data["ces"]["rescaled"] = [{"scale": list(scale), "n": n} for scale, n in ces.others]
    data["ces"]["scale_chosen"] = ces.chosen  # chosen for the workspace (else: the scale of most answers)
    names = {"nps": "NPS", "csat": "CSAT", "ces": f"CES ({format_scale(ces.scale)})"}
    lines = [
        f"{names[k]}: {v['value'] if v['value'] is not None else '—'} (n={v['n']}, 95% CI {v['ci95']})"
        for k, v in data.items()
    ]
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def cmd_drivers(args: argparse.Namespace) -> int:
    """Key-driver report (impact × score with bootstrap intervals) from a CSV file or a workspace of the store."""
    import pandas as pd

    from cxdash.analysis.drivers import drivers_report

    scales: dict[str, tuple[int, int]] | None = None
    drivers = [d.strip() for d in (args.drivers or "").split(",") if d.strip()]
    if args.csv:
        path = Path(args.csv)
        if not path.is_file():
            raise InputRefused(f"'{args.csv}' is not a file.")
        try:
            frame = pd.read_csv(path, encoding="utf-8-sig")
        except (ValueError, UnicodeDecodeError) as error:
            raise InputRefused(f"'{path.name}' could not be read as CSV ({error}).") from error
        outcome = args.outcome
        if not outcome or not drivers:
            raise InputRefused("With --csv, name the outcome column (--outcome) and the drivers (--drivers A,B,...).")
    else:
        from cxdash.store.drivers_data import driver_frame, numeric_attributes
        from cxdash.store.frames import touchpoint_scales
        from cxdash.store.workspaces import get_workspace

        engine = _open(args)
        ws = get_workspace(engine, args.workspace)
        assert ws.id is not None
        outcome = args.outcome or "nps"
        attrs = [outcome] if outcome in numeric_attributes(engine, ws.id) else []
        frame = driver_frame(engine, ws.id, None, attrs)
        scales = touchpoint_scales(engine, ws.id)
        drivers = drivers or list(scales)
        scales = {k: v for k, v in scales.items() if k in drivers}
    not_rated = None
    if args.not_rated:
        try:
            not_rated = [float(c) for c in args.not_rated.split(",") if c.strip()]
        except ValueError as error:
            raise InputRefused(f"--not-rated takes numbers separated by commas, not '{args.not_rated}'.") from error
    report = drivers_report(
        frame,
        outcome,
        drivers,
        method=args.method,
        bootstrap=args.bootstrap,
        seed=args.seed,
        scales=scales,
        not_rated=not_rated,
        quadrant=args.quadrant,
        missing=args.missing,
    )
    lines = [f"{report['method']} · outcome {report['outcome']} · n = {report['n']} · R² = {report['r2']}"]
    for d in sorted(report["drivers"], key=lambda d: -abs(d["importance"] or 0)):
        lines.append(
            f"  {d['name']}: impact {d['importance']:.4f} {d['ci95']} · score {d['score']:.2f} · "
            f"n {d['n']} · {d['quadrant']}"
        )
    lines += [f"missing: {report['missing']}", *(f"warning: {w}" for w in report["warnings"])]
    emit(args, report, "\n".join(lines))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cxdash", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text.replace("%", "%%"), description=help_text)
        p.add_argument("--db", help="SQLite file path or database URL (default: CXDASH_DATABASE_URL or data/cxdash.db)")
        p.add_argument("--json", action="store_true", help="print JSON on stdout")
        p.set_defaults(func=func)
        return p

    add("demo", cmd_demo, "create or refresh the demo workspaces")
    p = add("import", cmd_import, "import a survey export, review or ticket file")
    p.add_argument("file")
    p.add_argument("--workspace", help="workspace name (created if new; default: the demo workspace name)")
    p.add_argument("--sheet", help="Excel sheet name")
    p.add_argument("--mapping", help="JSON file mapping column names to roles (default: the suggested roles)")
    p.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    pii = p.add_mutually_exclusive_group()
    pii.add_argument(
        "--keep-pii",
        action="store_true",
        help="keep personal data: comments unmasked, customer name/e-mail columns stored (audited)",
    )
    pii.add_argument("--mask-pii", action="store_true", help="mask personal data even if the workspace keeps it")
    p = add("info", cmd_info, "counts of what a workspace holds")
    p.add_argument("--workspace")
    p = add("metrics", cmd_metrics, "NPS, CSAT and CES with n and 95% intervals")
    p.add_argument("--workspace")
    p.add_argument("--filter", action="append", metavar="ATTR=VALUE", help="segment filter (repeatable)")
    p.add_argument(
        "--ces-scale",
        metavar="LO-HI|auto",
        help="report the workspace's CES on this scale from now on, e.g. 1-5 (kept for it, as the Overview's choice; "
        "auto: the scale of most answers)",
    )
    p = add("drivers", cmd_drivers, "key drivers: impact of each touchpoint on loyalty vs. its score")
    p.add_argument("--csv", help="a CSV file with the outcome and driver columns (instead of --db)")
    p.add_argument("--workspace", help="workspace name (with --db)")
    p.add_argument("--outcome", help="outcome column (with --db: nps, csat, ces, promoter or a numeric attribute)")
    p.add_argument("--drivers", help="driver columns, comma-separated (with --db: default all touchpoints)")
    p.add_argument("--method", default="lmg", choices=["lmg", "rw", "beta", "pearson", "spearman"])
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples (0 = no intervals)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--not-rated", help="codes meaning 'not rated', comma-separated (e.g. 0)")
    p.add_argument("--quadrant", default="mean", choices=["mean", "median", "midpoint"])
    p.add_argument("--missing", default="complete", choices=["complete", "mean"])
    add_sentiment_parser(sub)
    add_persona_parser(sub)
    add_journey_parser(sub)
    add_report_parser(sub)
    add_privacy_parsers(sub)
    add_actions_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except CxdashError as error:
        message = " ".join(str(error).split())
        if getattr(args, "json", False):
            json.dump({"status": "rejected", "error": message}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        print(f"cxdash: {message}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as error:  # a bug of ours, not the input: one sentence, the traceback only when asked for
        if os.environ.get("CXDASH_DEBUG") or isinstance(error, BrokenPipeError):  # `| head` closed stdout
            raise
        from cxdash.i18n import t

        message = t("app.internal_error", command=args.command, error=f"{type(error).__name__}: {error}")
        if getattr(args, "json", False):
            json.dump({"status": "error", "error": message}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        print(f"cxdash: {message}", file=sys.stderr)
        return EXIT_INTERNAL
