"""`python -m cxdash actions list|add|effect|case`: the follow-up queue and improvement actions from the shell.

``actions list --db X [--workspace W] [--status new ...]`` → ``{"cases": [...], "actions": [...]}``;
``actions add --db X --title T --touchpoint NAME [--touchpoint ...] --start YYYY-MM-DD [--owner O]`` → the new
action with its ``id``; ``actions effect --db X --id N [--window-days D]`` → per metric (touchpoint score, NPS,
negative-comment share) ``{"before": {"value", "n"}, "after": {"value", "n"}, "difference", "ci95", "p_value"}``;
``actions case --db X --id N [--status S] [--owner O] [--notes T]`` updates a follow-up case.
"""

from __future__ import annotations

import argparse
from typing import Any

from cxdash.cli_output import emit

# The choices, spelled here so that `python -m cxdash` starts without loading pandas and scipy (the store modules
# load them); tests/integration/test_closed_loop.py checks they equal cxdash.store.actions / followup's.
DEFAULT_WINDOW_DAYS = 90
ACTION_STATUSES = ("planned", "in_progress", "done", "stopped")
CASE_STATUSES = ("new", "contacted", "resolved", "no_action")

EXIT_OK = 0


def _workspace(args: argparse.Namespace) -> tuple[Any, int, str]:
    from cxdash.store.workspaces import get_workspace, open_store

    engine = open_store(args.db)
    ws = get_workspace(engine, getattr(args, "workspace", None))
    assert ws.id is not None
    return engine, ws.id, ws.name


def _num(x: Any, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def cmd_list(args: argparse.Namespace) -> int:
    from cxdash.store.actions import list_actions
    from cxdash.store.followup import CaseQuery, case_stats, list_cases

    engine, ws_id, ws_name = _workspace(args)
    cases = list_cases(engine, ws_id, CaseQuery(statuses=args.status or (), limit=args.limit))
    records = [
        {("id" if k == "case_id" else k): (None if v is None or v != v else v) for k, v in row.items()}  # NaN → null
        for row in cases.to_dict("records")
    ]
    actions = list_actions(engine, ws_id)
    stats = case_stats(engine, ws_id)
    data = {
        "workspace": ws_name,
        "queue": {
            "by_status": stats.by_status,
            "open": stats.open,
            "median_hours_to_first_contact": stats.median_hours_to_contact,
            "median_hours_to_resolution": stats.median_hours_to_resolution,
        },
        "cases": records,
        "actions": actions,
    }
    lines = [f"Workspace '{ws_name}': {stats.open} open case(s) of {stats.total}; {len(actions)} action(s)."]
    for a in actions:
        lines.append(f"  #{a['id']} [{a['status']}] {a['title']} — {', '.join(a['touchpoints'])} from {a['start']}")
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from cxdash.store.actions import create_action

    engine, ws_id, ws_name = _workspace(args)
    action = create_action(
        engine,
        ws_id,
        args.title,
        args.touchpoint,
        args.start,
        owner=args.owner or "",
        description=args.description or "",
        status=args.status,
        expected_effect=args.expected or "",
    )
    emit(args, action, f"Action #{action['id']} '{action['title']}' added to '{ws_name}' (starts {action['start']}).")
    return EXIT_OK


def cmd_effect(args: argparse.Namespace) -> int:
    from cxdash.store.actions import action_effect

    engine, _, _ = _workspace(args)
    effect = action_effect(engine, args.id, args.window_days, before_days=args.before_days, after_days=args.after_days)
    data = effect.as_dict()
    lines = [f"Action #{args.id} '{effect.action['title']}' — before {data['windows']['before']}, after "
             f"{data['windows']['after']}"]  # fmt: skip
    for name, m in effect.metrics.items():
        c = m.comparison
        ci = f"[{_num(c.ci95[0])}, {_num(c.ci95[1])}]" if c.ci95 else "–"
        lines.append(
            f"  {name}: {_num(m.before.value)} (n={m.before.n}) → {_num(m.after.value)} (n={m.after.n}); "
            f"difference {_num(c.diff)} {ci}, p={_num(c.p_value, 4)} — {m.verdict.replace('_', ' ')}"
        )
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def cmd_case(args: argparse.Namespace) -> int:
    from cxdash.store.followup import update_case

    engine, _, _ = _workspace(args)
    row = update_case(engine, args.id, status=args.status, owner=args.owner, notes=args.notes)
    emit(args, row, f"Case #{row['id']}: {row['status']}, owner '{row['owner'] or '—'}'.")
    return EXIT_OK


def add_actions_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `actions` subcommand (list, add, effect, case) to the subparsers of `python -m cxdash`."""
    p: argparse.ArgumentParser = sub.add_parser(
        "actions",
        help="follow-up queue and improvement actions",
        description="The follow-up queue of unhappy customers and improvement actions with their measured effect.",
    )
    commands = p.add_subparsers(dest="actions_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--db", help="SQLite file path or database URL (default: CXDASH_DATABASE_URL or data/cxdash.db)")
        q.add_argument("--workspace", help="workspace name (default: the demo workspace, else the first)")
        q.add_argument("--json", action="store_true", help="print JSON on stdout")

    q = commands.add_parser("list", help="cases and actions", description="List follow-up cases and actions.")
    common(q)
    q.add_argument("--status", action="append", choices=CASE_STATUSES, help="only cases with this status (repeatable)")
    q.add_argument("--limit", type=int, default=500, help="at most this many cases, oldest first (default 500)")
    q.set_defaults(func=cmd_list)

    q = commands.add_parser("add", help="add an improvement action", description="Add an improvement action.")
    common(q)
    q.add_argument("--title", required=True)
    q.add_argument("--touchpoint", action="append", required=True, help="touchpoint name (repeatable)")
    q.add_argument("--start", required=True, metavar="YYYY-MM-DD", help="start date: the effect is measured from it")
    q.add_argument("--owner")
    q.add_argument("--description")
    q.add_argument("--expected", help="expected effect, in words")
    q.add_argument("--status", default="planned", choices=ACTION_STATUSES)
    q.set_defaults(func=cmd_add)

    q = commands.add_parser(
        "effect", help="before vs. after an action's start", description="Effect of an action: before vs. after."
    )
    common(q)
    q.add_argument("--id", type=int, required=True, help="action id (see `actions list`)")
    q.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS, help="days before and after (default 90)")
    q.add_argument("--before-days", type=int, help="days before the start (default: --window-days)")
    q.add_argument("--after-days", type=int, help="days after the start (default: --window-days)")
    q.set_defaults(func=cmd_effect)

    q = commands.add_parser("case", help="update a follow-up case", description="Change a case's status/owner/notes.")
    common(q)
    q.add_argument("--id", type=int, required=True, help="case id (see `actions list`)")
    q.add_argument("--status", choices=CASE_STATUSES)
    q.add_argument("--owner")
    q.add_argument("--notes")
    q.set_defaults(func=cmd_case)
    return p
