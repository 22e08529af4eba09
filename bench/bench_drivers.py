"""Benchmark key-driver analysis: exact LMG (15 drivers × 100k rows), 1,000 bootstrap resamples of relative
weights, and the full report with relative weights and with LMG (the Drivers page's default), each 12 drivers × 100k
rows and 1,000 resamples. Targets: under 5 s and under 10 s on 2 cores. Run: ``python bench/bench_drivers.py``
(and ``OPENBLAS_NUM_THREADS=1 python bench/bench_drivers.py`` to see the single-threaded BLAS figures).
"""

from __future__ import annotations

import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from cxdash.analysis.bootstrap import bootstrap_drivers
from cxdash.analysis.drivers import analyse_drivers
from cxdash.analysis.importance import lmg


def synthetic(n: int, p: int, seed: int = 0) -> pd.DataFrame:
    """Correlated 1–5 touchpoint ratings (2% unanswered) and a 0–10 recommend answer driven by them."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1)) * 0.8 + rng.normal(size=(n, p))
    ratings = np.clip(np.round(3 + latent), 1, 5)
    y = np.clip(np.round(ratings @ rng.uniform(0.1, 0.6, p) - 2 + rng.normal(size=n)), 0, 10)
    ratings[rng.random((n, p)) < 0.02] = np.nan
    df = pd.DataFrame(ratings, columns=[f"touchpoint_{j + 1:02d}" for j in range(p)])
    df["nps"] = y
    return df


def measure(label: str, fn: Callable[[], object], target: float) -> None:
    """Wall time and traced peak memory of one call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    verdict = "ok" if wall < target else "OVER TARGET"
    print(f"{label:<58} {wall:6.2f} s  (target < {target:g} s, {verdict})  peak traced {peak / 2**20:7.1f} MB")


def main() -> None:
    load = os.getloadavg()[0]
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"{os.cpu_count()} cores, load average {load:.2f}, OPENBLAS_NUM_THREADS={threads}")
    print("(multi-threaded BLAS slows down sharply when other processes compete for the cores; compare with 1)")
    n = 100_000
    d15 = synthetic(n, 15, seed=1)
    cols15 = [c for c in d15.columns if c != "nps"]
    complete = d15.dropna()
    measure("exact LMG, 15 drivers x 100k rows (incl. correlations)", lambda: lmg(complete[cols15], complete["nps"]), 5)
    d12 = synthetic(n, 12, seed=2)
    cols12 = [c for c in d12.columns if c != "nps"]
    x, y = d12[cols12].to_numpy(float), d12["nps"].to_numpy(float)
    measure(
        "1,000 bootstrap resamples of relative weights, 12 x 100k", lambda: bootstrap_drivers(x, y, "rw", 1000, 0), 10
    )
    measure(
        "full report: rw, 12 x 100k, 1,000 resamples",
        lambda: analyse_drivers(d12, "nps", cols12, method="rw", bootstrap=1000, seed=0, scales=(1, 5)),
        10,
    )
    measure(  # the Drivers page's defaults
        "full report: lmg, 12 x 100k, 1,000 resamples",
        lambda: analyse_drivers(d12, "nps", cols12, method="lmg", bootstrap=1000, seed=0, scales=(1, 5)),
        10,
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
