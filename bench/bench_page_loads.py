"""Whole pages, cold, on a large workspace: what a user waits for on the first visit after the app started.

    python bench/bench_page_loads.py [--rows 100000] [--repeat 2]

A synthetic survey file (``gen_survey``: 10 touchpoints, 10% Japanese comments) is imported with the real importer
into a new store, with the e-commerce journey template linked to its touchpoints. Then, per run, a fresh app
(Streamlit's AppTest, in a new process: empty caches) opens each page and the time to run it is printed; so is
"Suggest personas from data" (best k in 2–6) on all respondents. The median of ``--repeat`` runs is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

PAGES = ["overview", "voice", "drivers", "personas", "journey", "actions"]

RUN = """
import json, os, sys, time
from streamlit.testing.v1 import AppTest
out = {}
at = AppTest.from_file(os.path.join(sys.argv[1], "app.py"), default_timeout=600)
t0 = time.perf_counter(); at.run(); out["overview"] = time.perf_counter() - t0
assert not at.exception, at.exception
for page in sys.argv[2:]:
    t0 = time.perf_counter(); at.switch_page(f"pages/{page}.py").run(); out[page] = time.perf_counter() - t0
    assert not at.exception, (page, at.exception)
from cxdash.analysis.clusters import cluster_respondents
from cxdash.store import personas
from cxdash.store.workspaces import get_workspace, open_store
engine = open_store(os.environ["CXDASH_DATABASE_URL"])
ws = get_workspace(engine, "bench").id
t0 = time.perf_counter(); frame = personas.respondent_frame(engine, ws)
result = cluster_respondents(frame, seed=0); out["personas: find groups"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def build(rows: int, folder: Path) -> str:
    """A store holding the imported survey and a journey map; returns its URL."""
    sys.path.insert(0, str(HERE))
    from gen_survey import generate

    csv_path = folder / f"survey_{rows}.csv"
    generate(rows, csv_path)
    db = folder / "pages.db"
    cli = [sys.executable, "-m", "cxdash"]
    subprocess.run([*cli, "import", str(csv_path), "--db", str(db), "--workspace", "bench"], cwd=REPO, check=True)
    template = REPO / "data" / "journey_templates" / "ecommerce_en.json"
    subprocess.run([*cli, "journey", "import", str(template), "--db", str(db), "--workspace", "bench"], cwd=REPO,
                   check=True, capture_output=True)  # fmt: skip
    return f"sqlite:///{db}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        url = build(args.rows, Path(tmp))
        print(f"{args.rows:,} responses imported in {time.perf_counter() - t0:.1f} s; load {os.getloadavg()[0]:.2f}")
        env = os.environ | {"CXDASH_DATABASE_URL": url, "CXDASH_NO_DEMO": "1"}
        runs: list[dict[str, float]] = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-c", RUN, str(REPO), *PAGES[1:]],
                cwd=REPO, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{'page (cold)':<24} {'median s':>9}   runs")
        for key in runs[0]:
            times = [r[key] for r in runs]
            print(f"{key:<24} {statistics.median(times):>9.2f}   {', '.join(f'{x:.2f}' for x in times)}")


if __name__ == "__main__":
    main()
