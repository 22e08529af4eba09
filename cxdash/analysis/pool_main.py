"""Imported first by the worker pool's forkserver process (the preload list of ``pool.get_pool``): it tells
``multiprocessing`` that this process's ``__main__`` is already the main module of the process that started the
pool, so the workers forked from it do not run that module again.

Without it every worker re-runs the starting process's main script before its first task (``multiprocessing``
prepares each forkserver child that way). In the app that script is ``app.py`` as Streamlit ran it: each worker
imported Streamlit and ran the app in bare mode (0.4–0.6 s of CPU and 40 MB more per worker, and dozens of
"missing ScriptRunContext" warnings in the server's log). The workers run cxdash's functions only: they need
nothing from ``__main__``. ``pool.get_pool`` passes the main module's path or name in ``MAIN_ENV``.
Nothing else should import this module."""

from __future__ import annotations

import importlib.machinery
import os
import sys

from cxdash.analysis.pool import MAIN_ENV

_kind, _, _value = os.environ.pop(MAIN_ENV, "").partition(":")
_main = sys.modules["__main__"]
if _kind == "path" and _value:  # multiprocessing.spawn._fixup_main_from_path: "__file__ already has the setting"
    _main.__file__ = _value
elif _kind == "name" and _value:  # multiprocessing.spawn._fixup_main_from_name: the spec's name is already that
    _main.__spec__ = importlib.machinery.ModuleSpec(_value, None)
