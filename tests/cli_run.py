"""``python -m cxdash …`` run through ``cxdash.cli.main`` in the test's own process, its output captured as a shell
would see it: the same exit codes, standard output and standard error, without a new interpreter (about a second of
CPU each). How the real ``python -m cxdash`` process ends is tests/integration/test_cli_exit.py's to check."""

from __future__ import annotations

import contextlib
import io
import subprocess

from cxdash.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cxdash *args``: its exit code, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse's usage errors and --help
            code = stop.code if isinstance(stop.code, int) else 2
    return subprocess.CompletedProcess(["python", "-m", "cxdash", *args], code, out.getvalue(), err.getvalue())
