"""Import benchmark: cxdash's import (validation, normalised ratings, dedupe, sentiment) beside the hand-written
script (bench/baseline_script.py), on synthetic files of 10k / 100k / 1M rows, each run in its own process.

    python bench/bench_import.py [--sizes 10000 100000 1000000] [--ja-share 0.1] [--repeat N] [--end-to-end]

Prints, per size: wall time, rows/s and peak memory (max RSS) of each, and the ratio cxdash / script. With
``--repeat N`` each size runs N times, cxdash and the script taking turns on the same file (the machine's speed
drifts: interleaved runs share it), each run's line printed, then the medians, their ratio, and in how many runs
cxdash was the faster. cxdash's
import is timed as the app runs it (its modules loaded); the script as a whole run of it minus Python's own
start (its imports of pandas and vaderSentiment included). With --end-to-end, also both as whole commands:
`python -m cxdash import FILE --db NEW.db --json` (Python's start, module loading, a new store, the import and
exit) against `python bench/baseline_script.py FILE OUT.db`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

CXDASH_RUN = """
import json, resource, sys, time
from pathlib import Path
from cxdash.ingest.load import import_file
from cxdash.store.workspaces import open_store
path, db = Path(sys.argv[1]), sys.argv[2]
engine = open_store(db)
t0 = time.perf_counter()
result = import_file(engine, path, path.name, workspace="bench")
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "responses": result.responses, "comments": result.comments,
                  "rejected": len(result.rejected_rows),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE_RUN = """
import json, resource, sys, time, runpy
t0 = time.perf_counter()
script = sys.argv[3]
sys.argv = ["baseline_script.py", sys.argv[1], sys.argv[2]]
runpy.run_path(script, run_name="__main__")
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _command(argv: list[str]) -> float:
    """Wall time of a whole command (its exit included)."""
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=REPO, capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--ja-share", type=float, default=None, help="share of Japanese answers (default 10%%)")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs per size (medians printed)")
    parser.add_argument("--end-to-end", action="store_true", help="also time both as whole commands")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from gen_survey import generate

    print(
        f"{'rows':>9} | {'cxdash s':>8} {'rows/s':>9} {'peak MB':>8} | {'script s':>8} {'rows/s':>9} "
        f"{'peak MB':>8} | ratio"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for run, rows in enumerate(args.sizes):  # a size given twice is a second run, into new stores
            csv_path = Path(tmp) / f"survey_{rows}_{run}.csv"
            t0 = time.perf_counter()
            if args.ja_share is None:
                generate(rows, csv_path)
            else:
                generate(rows, csv_path, ja_share=args.ja_share)
            gen_s = time.perf_counter() - t0
            script = str(HERE / "baseline_script.py")
            pairs: list[tuple[float, float]] = []
            for turn in range(max(1, args.repeat)):
                ours_db, base_db = Path(tmp) / f"cx_{rows}_{run}_{turn}.db", Path(tmp) / f"base_{rows}_{run}_{turn}.db"
                ours = _run(CXDASH_RUN, str(csv_path), str(ours_db))
                base = _run(BASELINE_RUN, str(csv_path), str(base_db), script)
                for db in (ours_db, base_db):  # a 1M-row store is hundreds of MB
                    for leftover in db.parent.glob(db.name + "*"):
                        leftover.unlink()
                pairs.append((ours["seconds"], base["seconds"]))
                o, b = ours["seconds"], base["seconds"]
                print(
                    f"{rows:>9,} | {o:>8.2f} {rows / o:>9,.0f} {ours['max_rss_mb']:>8.0f} | "
                    f"{b:>8.2f} {rows / b:>9,.0f} {base['max_rss_mb']:>8.0f} | "
                    f"{o / b:.2f}   (file generated in {gen_s:.1f} s)",
                    flush=True,
                )
            if len(pairs) > 1:
                ours_m, base_m = (statistics.median(p[i] for p in pairs) for i in (0, 1))
                faster = sum(o < b for o, b in pairs)
                print(
                    f"{'':>9}   medians of {len(pairs)} interleaved runs: cxdash {ours_m:.3f} s, the script "
                    f"{base_m:.3f} s, ratio {ours_m / base_m:.3f}; cxdash faster in {faster} of {len(pairs)}",
                    flush=True,
                )
            if args.end_to_end:
                cli = _command(
                    [
                        sys.executable,
                        "-m",
                        "cxdash",
                        "import",
                        str(csv_path),
                        "--db",
                        str(Path(tmp) / f"e2e_{rows}_{run}.db"),
                        "--json",
                    ]
                )
                plain = _command([sys.executable, script, str(csv_path), str(Path(tmp) / f"e2e_base_{rows}_{run}.db")])
                print(
                    f"{'':>9}   end to end: `python -m cxdash import` {cli:.2f} s, the script {plain:.2f} s, "
                    f"ratio {cli / plain:.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
