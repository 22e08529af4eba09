"""``python -m cxdash``: the command line.

When a command returns, the process ends without the interpreter's teardown, which frees every object of every
module one by one: about 0.2 s after an import has loaded pandas, SQLAlchemy and the models. Everything that
matters at exit still happens first: output is flushed, ``atexit`` handlers run (the comment workers are stopped,
``weakref`` finalizers and logging's shutdown run) and every store connection is closed (a SQLite store's write-ahead
log is folded into the database file). A command that fails with an unexpected error, or a thread still running,
ends the ordinary way. Output piped into a reader that stops early (``| head``) ends the command quietly with exit
code 1, as a closed pipe does for Unix tools, instead of a traceback.
"""

import atexit
import os
import sys
import threading

from cxdash.cli import main
from cxdash.store.engine import close_all


def _flush() -> bool:
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except (OSError, ValueError):  # a closed pipe (`| head`): the interpreter's own exit reports it as it does
        return False
    return True


def _exit_now(code: int) -> None:
    """End the process with ``code`` once what exiting must do is done; return when a thread would be cut short."""
    if not _flush():
        return
    atexit._run_exitfuncs()
    close_all()
    if any(not t.daemon for t in threading.enumerate() if t is not threading.main_thread()) or not _flush():
        return  # the interpreter's own exit waits for the thread
    os._exit(code)


def _closed_pipe() -> int:
    """stdout's reader went away: further output goes nowhere (flushing it at exit would fail again)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


try:
    code = main()
except BrokenPipeError:
    code = _closed_pipe()
_exit_now(code)
raise SystemExit(code)
