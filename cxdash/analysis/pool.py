"""The worker processes that score and tag comments: one per core, started on first use, shared by the process.

Work is handed over as a list of tasks and collected later (``map_later``), so the caller can go on (an import
writes its responses and ratings) while the workers score the comments. Where there is no pool (one core, a
``__main__`` that workers cannot re-import, or a pool that failed once) the tasks run in the calling process when
their result is asked for: slower, never lost. A pool left idle for ``IDLE_SECONDS`` is stopped (each worker holds
the sentiment models: a few hundred MB) and started again on the next use.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import glob
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

A = TypeVar("A")
R = TypeVar("R")

MAX_WORKERS = 8
WORKER_NICENESS = 10  # scheduling priority below the calling process's
IDLE_SECONDS = 600.0  # an idle pool is stopped after this long (a long-running server gets its memory back)
IDLE_CHECK_SECONDS = 30.0

#: the thread-count setters of the OpenBLAS builds in numpy's wheels (scipy-openblas) and elsewhere
_BLAS_THREAD_SETTERS = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads")

_pool: ProcessPoolExecutor | None = None
_workers = 0
_failed = False
_lock = threading.RLock()
_pending: list[Future[Any]] = []  # futures handed out and maybe not done yet
_last_used = 0.0  # time.monotonic() of the last hand-over or collection
_reaper: threading.Thread | None = None


def _worker_init(caller_niceness: int) -> None:
    from cxdash.analysis import e5_int8  # noqa: PLC0415 - light (numpy); onnxruntime loads with the model

    limit_blas_threads(1)  # one worker per core: a worker's matrix products (the embedding model) use one thread
    e5_int8.set_threads(1)
    # the caller (an import writing rows) is the critical path: it goes first. The forkserver the worker was forked
    # from lowered its own priority already (cxdash.analysis.pool_priority); a forkserver started without it did not
    below = min(caller_niceness + WORKER_NICENESS, 19) - os.nice(0)
    if below > 0:
        with contextlib.suppress(OSError):
            os.nice(below)


def limit_blas_threads(n: int) -> bool:
    """Ask numpy's OpenBLAS to use ``n`` threads (a worker process, one of one per core, wants one). False when
    the BLAS is not one this knows how to ask."""
    import numpy  # noqa: PLC0415 - only worker processes need it

    libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs", "*openblas*.so*"))
    for lib in libs:
        with contextlib.suppress(OSError):
            blas = ctypes.CDLL(lib)
            for name in _BLAS_THREAD_SETTERS:
                setter = getattr(blas, name, None)
                if setter is not None:
                    setter(ctypes.c_int(n))
                    return True
    return False


def _main_is_importable() -> bool:
    """Worker processes re-import ``__main__``; they cannot when it came from stdin or a missing file."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return getattr(main, "__spec__", None) is not None or path is None or os.path.exists(path)


def get_pool() -> ProcessPoolExecutor | None:
    """The worker pool, started on first use; None on one core or after the pool has failed once. Thread-safe (a
    warm-up thread may be starting it while the caller goes on)."""
    with _lock:
        return _get_pool()


def _get_pool() -> ProcessPoolExecutor | None:
    global _pool, _workers
    if _pool is None and not _failed:
        n = min(os.cpu_count() or 1, MAX_WORKERS)
        if n < 2 or not _main_is_importable():
            return None
        try:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["cxdash.analysis.pool_priority", "cxdash.analysis.comments"])
            _pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init, initargs=(os.nice(0),))
            _workers = n
        except (OSError, ValueError):  # pragma: no cover - platforms without forkserver
            return None
        _start_reaper()
    return _pool


def _start_reaper() -> None:
    global _reaper
    if _reaper is None:
        atexit.register(shutdown_pool)
    if _reaper is None or not _reaper.is_alive():
        _reaper = threading.Thread(target=_reap_forever, name="cxdash-pool-reaper", daemon=True)
        _reaper.start()


def _reap_forever() -> None:  # pragma: no cover - timing; reap_idle is tested directly
    while True:
        time.sleep(IDLE_CHECK_SECONDS)
        reap_idle()


def reap_idle(idle_seconds: float | None = None) -> bool:
    """Stop the pool if no task is running or waiting and it has not been used for ``idle_seconds`` (default
    ``IDLE_SECONDS``); True when it was stopped by this call."""
    limit = IDLE_SECONDS if idle_seconds is None else idle_seconds
    with _lock:
        _pending[:] = [f for f in _pending if not f.done()]
        if _pool is None or _pending or time.monotonic() - _last_used < limit:
            return False
        shutdown_pool()
        return True


def workers() -> int:
    """How many worker processes the pool has (0 before it is started)."""
    return _workers if _pool is not None else 0


def shutdown_pool() -> None:
    """Stop the worker processes (they are started again on the next large batch)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


def _give_up() -> None:
    global _failed
    _failed = True
    shutdown_pool()


def map_later(fn: Callable[[A], R], tasks: Sequence[A], parallel: bool = True) -> Callable[[], list[R]]:
    """Start ``fn`` on every task (in the pool when ``parallel`` and there is one); returns a function that waits
    for the results, in task order. A pool that breaks (a killed worker) is given up and the tasks are run here."""
    global _last_used
    futures: list[Future[R]] = []
    with _lock:  # not stopped for being idle between being got and being given the tasks
        pool = _get_pool() if parallel and tasks else None
        if pool is not None:
            try:
                futures = [pool.submit(fn, task) for task in tasks]
            except Exception:  # noqa: BLE001 - e.g. BrokenProcessPool: run the tasks here instead
                _give_up()
                futures = []
            _pending.extend(futures)
            _last_used = time.monotonic()

    def collect() -> list[R]:
        global _last_used
        if futures:
            try:
                return [f.result() for f in futures]
            except Exception:  # noqa: BLE001 - never lose an import to a broken worker: run the tasks here
                _give_up()
            finally:
                _last_used = time.monotonic()
        return [fn(task) for task in tasks]

    return collect
