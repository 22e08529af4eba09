"""`python -m cxdash forget-customer | allow-customer | delete-workspace | audit | privacy | hash-password`: personal
data and access from the command line.

- ``forget-customer --db X --workspace W --customer ID --yes`` deletes everything about one customer id (without
  ``--yes``: shows what would be deleted and deletes nothing); the id goes on the workspace's suppression list,
  so later imports skip the customer's rows;
- ``allow-customer --db X --workspace W --customer ID`` takes a forgotten id off that list again (the customer
  gave their data again);
- ``delete-workspace --db X --workspace W --yes`` deletes a workspace with everything in it;
- ``audit --db X [--workspace W] [--limit N]`` lists the audit log, newest first;
- ``privacy --db X --workspace W [--keep-pii | --mask-pii]`` shows or sets the workspace's import default;
- ``hash-password [--user NAME]`` prints a line for the ``[passwords]`` section of ``.streamlit/secrets.toml``
  (the password is asked twice, or read from the first line of stdin when it is not a terminal).

Exit codes as in cxdash/cli.py: 0 done (or shown), 2 refused (one sentence on stderr).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any, TextIO

from cxdash.cli_output import emit
from cxdash.errors import InputRefused

EXIT_OK = 0


def cli_actor() -> str:
    """Who the audit log names for a command: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _workspace(args: argparse.Namespace) -> tuple[Any, int, str]:
    from cxdash.store.workspaces import get_workspace, open_store

    if not args.workspace:
        raise InputRefused("Name the workspace with --workspace (deleting is never done on the default one).")
    engine = open_store(args.db)
    ws = get_workspace(engine, args.workspace)
    assert ws.id is not None
    return engine, ws.id, ws.name


def cmd_forget_customer(args: argparse.Namespace) -> int:
    from cxdash.store.privacy import customer_footprint, delete_customer

    engine, ws_id, ws_name = _workspace(args)
    if args.yes:
        done = delete_customer(engine, ws_id, args.customer, actor=args.actor or cli_actor())
        status, verb = "deleted", "Deleted"
    else:
        done = customer_footprint(engine, ws_id, args.customer)
        status, verb = "dry_run", "Would delete"
    counts = done.counts()
    text = (
        f"{verb} customer '{done.customer_id}' of '{ws_name}': {counts['responses']} responses, "
        f"{counts['ratings']} ratings, {counts['comments']} comments, {counts['attributes']} attributes, "
        f"{counts['theme_tags']} theme tags, {counts['followup_cases']} follow-up cases"
        + (", name/e-mail" if counts["contact_details"] else "")
        + ("." if args.yes else ". Nothing was deleted: add --yes to delete.")
    )
    emit(args, {"status": status, "workspace": ws_name, "customer": done.customer_id, **counts}, text)
    return EXIT_OK


def cmd_allow_customer(args: argparse.Namespace) -> int:
    from cxdash.store.privacy import allow_customer_again

    engine, ws_id, ws_name = _workspace(args)
    customer = allow_customer_again(engine, ws_id, args.customer, actor=args.actor or cli_actor())
    text = f"Customer '{customer}' of '{ws_name}' is off the suppression list: later imports keep their rows."
    emit(args, {"status": "allowed", "workspace": ws_name, "customer": customer}, text)
    return EXIT_OK


def cmd_delete_workspace(args: argparse.Namespace) -> int:
    from cxdash.store.privacy import delete_workspace, workspace_footprint

    engine, ws_id, ws_name = _workspace(args)
    if args.yes:
        counts = delete_workspace(engine, ws_id, actor=args.actor or cli_actor(), confirm_name=ws_name)
        status, verb = "deleted", "Deleted"
    else:
        counts = workspace_footprint(engine, ws_id)
        status, verb = "dry_run", "Would delete"
    text = (
        f"{verb} workspace '{ws_name}': {counts['import_batches']} import batches, {counts['responses']} responses, "
        f"{counts['comments']} comments, {counts['customers']} customers"
        + ("." if args.yes else ". Nothing was deleted: add --yes to delete.")
    )
    emit(args, {"status": status, "workspace": ws_name, **counts}, text)
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from cxdash.store.privacy import audit_entries
    from cxdash.store.workspaces import open_store

    if args.limit < 1:
        raise InputRefused(f"--limit must be 1 or more, not {args.limit}.")
    entries = audit_entries(open_store(args.db), args.workspace, limit=args.limit)
    lines = [
        f"{e.at:%Y-%m-%d %H:%M:%S} UTC  {e.actor or '-'}  {e.event}  {e.workspace}  "
        + json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
        for e in entries
    ]
    emit(args, [e.to_json() for e in entries], "\n".join(lines) or "The audit log is empty.")
    return EXIT_OK


def cmd_privacy(args: argparse.Namespace) -> int:
    from cxdash.store.privacy import keep_personal_data, set_keep_personal_data

    engine, ws_id, ws_name = _workspace(args)
    if args.keep_pii or args.mask_pii:
        set_keep_personal_data(engine, ws_id, bool(args.keep_pii), actor=args.actor or cli_actor())
    keep = keep_personal_data(engine, ws_id)
    text = (
        f"Imports into '{ws_name}' keep personal data (comments unmasked, customer names and e-mail addresses stored)."
        if keep
        else f"Imports into '{ws_name}' mask personal data in comments and drop customer names and e-mail addresses."
    )
    emit(args, {"workspace": ws_name, "keep_personal_data": keep}, text)
    return EXIT_OK


def cmd_hash_password(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    from cxdash.access import hash_password

    source = stdin or sys.stdin
    if source.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise InputRefused("The two passwords differ: nothing was printed.")
    else:
        password = source.readline().rstrip("\r\n")
    hashed = hash_password(password)
    user = (args.user or "").strip()
    line = f'"{user}" = "{hashed}"' if user else hashed
    emit(args, {"user": user or None, "hash": hashed}, line)
    return EXIT_OK


def add_privacy_parsers(sub: Any) -> None:
    """Add forget-customer, allow-customer, delete-workspace, audit, privacy and hash-password to `python -m cxdash`."""

    def add(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print JSON on stdout")
        p.set_defaults(func=func)
        return p

    def store(p: argparse.ArgumentParser, workspace_help: str) -> None:
        p.add_argument("--db", help="SQLite file path or database URL (default: CXDASH_DATABASE_URL or data/cxdash.db)")
        p.add_argument("--workspace", help=workspace_help)
        p.add_argument("--actor", help="name recorded in the audit log (default: cli:<your login name>)")

    p = add("forget-customer", cmd_forget_customer, "delete everything about one customer id (with an audit entry)")
    store(p, "workspace name")
    p.add_argument("--customer", required=True, metavar="ID", help="the customer id as imported")
    p.add_argument("--yes", action="store_true", help="really delete (without it: show what would be deleted)")
    p = add("allow-customer", cmd_allow_customer, "take a forgotten customer id off the suppression list again")
    store(p, "workspace name")
    p.add_argument("--customer", required=True, metavar="ID", help="the customer id as it was forgotten")
    p = add("delete-workspace", cmd_delete_workspace, "delete a workspace with everything in it (with an audit entry)")
    store(p, "workspace name")
    p.add_argument("--yes", action="store_true", help="really delete (without it: show what would be deleted)")
    p = add("audit", cmd_audit, "the audit log of deletions and personal-data choices, newest first")
    store(p, "only this workspace's entries")
    p.add_argument("--limit", type=int, default=200, help="at most this many entries (default 200)")
    p = add("privacy", cmd_privacy, "show or set whether imports into a workspace keep personal data")
    store(p, "workspace name")
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--keep-pii", action="store_true", help="keep personal data by default")
    choice.add_argument("--mask-pii", action="store_true", help="mask personal data by default (the default)")
    p = add("hash-password", cmd_hash_password, "hash a password for the [passwords] section of secrets.toml")
    p.add_argument("--user", help="print a whole 'user = \"hash\"' line for this user name")
