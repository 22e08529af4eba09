"""Imported second by the worker pool's forkserver process (the preload list of ``pool.get_pool``): it lowers that
process's scheduling priority before the forkserver loads the scoring modules, so that neither its start (0.2 s
of CPU) nor the workers forked from it (they inherit the priority) take a core from the process that started the
pool, whose import is the critical path. Nothing else should import this module."""

from __future__ import annotations

import contextlib
import os

from cxdash.analysis.pool import WORKER_NICENESS

with contextlib.suppress(OSError):  # relative to the parent's priority, which the forkserver inherited
    os.nice(WORKER_NICENESS)
