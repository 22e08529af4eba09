"""Python's cyclic garbage collector less often while an import runs.

By default the collector runs its youngest generation every 700 net container allocations, and an import allocates
millions of lists, tuples and dicts, few of which are ever part of a reference cycle: 100k survey rows cost about
500 collections and 0.25 s (7% of the import), two of them full ones over every object the process holds. Inside
``collect_less()`` the youngest generation is collected every ``GEN0_THRESHOLD`` allocations instead (the older
generations keep their ratios), so cyclic garbage is still reclaimed and memory stays flat; the old thresholds come
back when the last import running in the process ends (imports in several threads of the app nest correctly).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 50_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def collect_less(gen0: int = GEN0_THRESHOLD) -> Iterator[None]:
    """Run the block with the youngest generation collected every ``gen0`` allocations (never more often than the
    process's own setting); the process's thresholds are restored when the outermost block ends. A context manager,
    or a decorator (``import_file`` and ``import_table`` are decorated)."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            first, *older = _saved
            if first > 0:  # 0: the collector is off, and stays so
                gc.set_threshold(max(first, gen0), *older)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
