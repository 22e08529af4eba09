"""The worker processes that score and tag comments: one per core, started on first use, shared by the process; and
one more that runs the embedding model for them.

Work is handed over as a list of tasks and collected later (``map_later``), so the caller can go on (an import
writes its responses and ratings) while the workers score the comments. Where there is no pool (one core, a
``__main__`` that workers cannot re-import, or a pool that failed once) the tasks run in the calling process when
their result is asked for: slower, never lost. A pool left idle for ``IDLE_SECONDS`` is stopped (each worker holds
the sentiment models: a few hundred MB) and started again on the next use.

The embedding model's process (``EMBEDDING``) is its own pool of one: the comment workers leave to it what the
lexicon cannot decide (``map_then`` hands each comment task's questions on as soon as the task is done), so the
model is loaded once, not once per core, and the comment workers start on the lexicon without waiting for it.
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
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

A = TypeVar("A")
R = TypeVar("R")
S = TypeVar("S")

COMMENTS = "comments"  # one worker per core: language, lexicon sentiment, themes
EMBEDDING = "embedding"  # one worker: the embedding model's votes

MAX_WORKERS = 8
WORKER_NICENESS = 10  # scheduling priority below the calling process's
IDLE_SECONDS = 600.0  # an idle pool is stopped after this long (a long-running server gets its memory back)
IDLE_CHECK_SECONDS = 30.0
MAIN_ENV = "CXDASH_POOL_MAIN"  # the starting process's main module, for the forkserver (cxdash.analysis.pool_main)

#: the thread-count setters of the OpenBLAS builds in numpy's wheels (scipy-openblas) and elsewhere
_BLAS_THREAD_SETTERS = ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads")

_pools: dict[str, ProcessPoolExecutor] = {}
_sizes: dict[str, int] = {}
_failed = False
_lock = threading.RLock()
_pending: list[Future[Any]] = []  # futures handed out and maybe not done yet
_running: dict[str, list[Future[Any]]] = {}  # per kind: the futures handed out and maybe not done yet
_last_used = 0.0  # time.monotonic() of the last hand-over or collection
_reaper: threading.Thread | None = None


_in_worker = False  # this process is one of the pool's workers


def in_worker() -> bool:
    """Whether this process is a worker of a pool (its models then use one thread: there is a worker per core)."""
    return _in_worker


def _worker_init(caller_niceness: int) -> None:
    global _in_worker
    _in_worker = True
    # one worker per core: a worker's matrix products (the embedding model) use one thread, asked for without
    # loading numpy here: a comment worker never needs it, and its start (0.1 s) would delay the first texts
    if "numpy" in sys.modules:
        limit_blas_threads(1)
    else:
        os.environ["OPENBLAS_NUM_THREADS"] = "1"  # read by numpy's OpenBLAS when it loads
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


def get_pool(kind: str = COMMENTS) -> ProcessPoolExecutor | None:
    """The worker pool of that kind, started on first use; None on one core or after a pool has failed once.
    Thread-safe (a warm-up thread may be starting it while the caller goes on)."""
    with _lock:
        return _get_pool(kind)


def _get_pool(kind: str = COMMENTS) -> ProcessPoolExecutor | None:
    if kind not in _pools and not _failed:
        cores = min(os.cpu_count() or 1, MAX_WORKERS)
        if cores < 2 or not _main_is_importable():
            return None
        n = cores if kind == COMMENTS else 1
        try:
            ctx = multiprocessing.get_context("forkserver")
            _name_main_for_forkserver()
            preload = ["cxdash.analysis.pool_main", "cxdash.analysis.pool_priority", "cxdash.analysis.pool_lexicons"]
            ctx.set_forkserver_preload(preload)
            _pools[kind] = ProcessPoolExecutor(
                max_workers=n, mp_context=ctx, initializer=_worker_init, initargs=(os.nice(0),)
            )
            _sizes[kind] = n
        except (OSError, ValueError):  # pragma: no cover - platforms without forkserver
            return None
        _start_reaper()
    return _pools.get(kind)


def _name_main_for_forkserver() -> None:
    """Put this process's main module (a script's path or a module's name, as ``multiprocessing`` hands it to each
    worker) in ``MAIN_ENV``, which the forkserver, started with this environment, reads (``pool_main``): the
    workers then do not run the main script again (in the app: ``app.py``, Streamlit and all)."""
    from multiprocessing import spawn  # noqa: PLC0415 - only when a pool starts

    try:
        data = spawn.get_preparation_data("cxdash-worker")
    except RuntimeError:  # pragma: no cover - asked while this process is itself being bootstrapped
        data = {}
    if "init_main_from_path" in data:
        os.environ[MAIN_ENV] = f"path:{data['init_main_from_path']}"
    elif "init_main_from_name" in data:
        os.environ[MAIN_ENV] = f"name:{data['init_main_from_name']}"
    else:
        os.environ.pop(MAIN_ENV, None)


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
        if not _pools or _pending or time.monotonic() - _last_used < limit:
            return False
        shutdown_pool()
        return True


def workers(kind: str = COMMENTS) -> int:
    """How many worker processes the pool of that kind has (0 before it is started)."""
    return _sizes.get(kind, 0) if kind in _pools else 0


def shutdown_pool() -> None:
    """Stop the worker processes of every kind (they are started again on the next large batch)."""
    with _lock:
        while _pools:
            _, executor = _pools.popitem()
            executor.shutdown(wait=True, cancel_futures=True)


def _give_up() -> None:
    global _failed
    _failed = True
    shutdown_pool()


def map_later(
    fn: Callable[[A], R], tasks: Sequence[A], parallel: bool = True, kind: str = COMMENTS
) -> Callable[[], list[R]]:
    """Start ``fn`` on every task (in the pool of that kind when ``parallel`` and there is one); returns a function
    that waits for the results, in task order. A pool that breaks (a killed worker) is given up and the tasks are
    run here."""
    futures = _submit(fn, tasks, parallel, kind)

    def collect() -> list[R]:
        return _results(fn, tasks, futures)

    return collect


def map_then(
    fn: Callable[[A], R], tasks: Sequence[A], then: Callable[[R], Callable[[], S]], parallel: bool = True
) -> Callable[[], list[tuple[R, S]]]:
    """As ``map_later``, and as soon as a task's result is in, ``then(result)`` is called (from a thread of this
    process): it may start more work (in another pool) and returns a function that waits for that. The function
    returned here waits for all of it: (result, what ``then``'s function gave) per task, in task order. Where a task
    ran here instead (no pool, or a broken one), ``then`` is called for it when the results are asked for."""
    futures = _submit(fn, tasks, parallel, COMMENTS)
    followed: dict[int, Callable[[], S]] = {}
    chain: threading.Thread | None = None
    if futures:
        index = {id(f): i for i, f in enumerate(futures)}

        def follow() -> None:
            for future in as_completed(futures):
                if not future.cancelled() and future.exception() is None:
                    # a failure is asked again, here, when the results are collected
                    with contextlib.suppress(Exception):
                        followed[index[id(future)]] = then(future.result())

        chain = threading.Thread(target=follow, name="cxdash-pool-then", daemon=True)
        chain.start()

    def collect() -> list[tuple[R, S]]:
        results = _results(fn, tasks, futures)
        if chain is not None:
            chain.join()
        return [(r, (followed.get(i) or then(r))()) for i, r in enumerate(results)]

    return collect


def _submit(fn: Callable[[A], R], tasks: Sequence[A], parallel: bool, kind: str) -> list[Future[R]]:
    global _last_used
    futures: list[Future[R]] = []
    with _lock:  # not stopped for being idle between being got and being given the tasks
        executor = _get_pool(kind) if parallel and tasks else None
        if executor is not None:
            try:
                futures = [executor.submit(fn, task) for task in tasks]
            except Exception:  # noqa: BLE001 - e.g. BrokenProcessPool: run the tasks here instead
                _give_up()
                futures = []
            _pending.extend(futures)
            _running[kind] = [f for f in _running.get(kind, []) if not f.done()] + futures
            _last_used = time.monotonic()
    return futures


def _busy(kind: str) -> list[Future[Any]]:
    """The tasks of that kind handed out and not done yet."""
    with _lock:
        running = _running[kind] = [f for f in _running.get(kind, []) if not f.done()]
        return list(running)


Q = TypeVar("Q")


class _Ask:
    """The questions of one ``ask_later`` call, and their answers once the task that took them is done."""

    def __init__(self, questions: list[Any]) -> None:
        self.questions = questions
        self.done = threading.Event()
        self.answers: dict[Any, Any] | None = None
        self.failed = False


class _Asks:
    """The questions of ``ask_later`` calls with one function and kind that wait for that kind's busy worker."""

    def __init__(self, fn: Callable[[list[Any]], dict[Any, Any] | None], kind: str) -> None:
        self.fn, self.kind = fn, kind
        self.waiting: list[_Ask] = []
        self.lock = threading.Lock()
        self.armed = False  # a busy task will call ``send`` when it ends

    def add(self, ask: _Ask) -> None:
        with self.lock:
            self.waiting.append(ask)
        self.send()

    def send(self) -> None:
        """Hand the waiting questions over as one task when no task of this kind is running; else once one ends."""
        busy = _busy(self.kind)
        with self.lock:
            if not self.waiting or (busy and self.armed):
                return
            if busy:
                self.armed = True
                for future in busy:  # called on a new thread: never on the pool's own thread, which may hold its lock
                    future.add_done_callback(lambda _: threading.Thread(target=self._resend, daemon=True).start())
                return
            batch, self.waiting = self.waiting, []
            questions = list(dict.fromkeys(q for ask in batch for q in ask.questions))
            futures = _submit(self.fn, [questions], True, self.kind)
        if not futures:  # no pool (any more): each asker runs its own questions when it asks for the answers
            for ask in batch:
                ask.failed = True
                ask.done.set()
            return

        def answered(future: Future[Any]) -> None:
            answers = None if future.cancelled() or future.exception() is not None else future.result()
            failed = future.cancelled() or future.exception() is not None
            for ask in batch:
                ask.failed = failed
                ask.answers = None if answers is None else {q: answers[q] for q in ask.questions if q in answers}
                ask.done.set()

        futures[0].add_done_callback(answered)

    def _resend(self) -> None:
        with self.lock:
            self.armed = False
        self.send()


_asks: dict[tuple[Any, str], _Asks] = {}


def ask_later(
    fn: Callable[[list[Q]], dict[Q, R] | None], questions: list[Q], parallel: bool = True, kind: str = EMBEDDING
) -> Callable[[], dict[Q, R] | None]:
    """Start ``fn(questions)`` (questions → {question: answer}, or None) in the one-worker pool of that kind; returns
    a function that waits for the answers. While that worker is busy (loading its model, or answering earlier
    questions), the questions of all such calls wait and then go as one task: the embedding model answers 36
    sentences in one batch in two thirds of the time of nine batches of four. Without a pool, or when it breaks,
    the questions are answered here when their answers are asked for."""
    if not parallel or not questions:
        return lambda: fn(questions)
    with _lock:
        if _get_pool(kind) is None:
            return lambda: fn(questions)
        asks = _asks.get((fn, kind))
        if asks is None:
            asks = _asks[(fn, kind)] = _Asks(fn, kind)
    ask = _Ask(list(questions))
    asks.add(ask)

    def collect() -> dict[Q, R] | None:
        global _last_used
        ask.done.wait()
        _last_used = time.monotonic()
        if ask.failed:  # never lose an import to a broken worker: answered here
            _give_up()
            return fn(questions)
        return ask.answers

    return collect


def _results(fn: Callable[[A], R], tasks: Sequence[A], futures: list[Future[R]]) -> list[R]:
    """The tasks' results from their futures; the tasks run here when there are none or the pool broke."""
    global _last_used
    if futures:
        try:
            return [f.result() for f in futures]
        except Exception:  # noqa: BLE001 - never lose an import to a broken worker: run the tasks here
            _give_up()
        finally:
            _last_used = time.monotonic()
    return [fn(task) for task in tasks]
