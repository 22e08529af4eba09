"""How the Overview and Drivers pages' compute time grows with the number of responses, on SQLite and PostgreSQL.

    python bench/bench_pages.py                       # 10k, 100k and 1M responses, both backends
    python bench/bench_pages.py --quick               # 10k only
    python bench/bench_pages.py --sizes 100000 --backends sqlite --pg-url postgresql+psycopg://…/postgres

Each size is generated once (seeded; numpy) and written straight into a fresh store with the same bulk writer as the
importer (``insert_rows``: executemany on SQLite, COPY on PostgreSQL) — no import pipeline, so 1M responses load in
about a minute: 10 touchpoints rated by 40–95% of the respondents (≈ 8 ratings each), 3 segment attributes, 30%
with a comment (a scored pool of texts), two years of dates. PostgreSQL runs in a private throwaway cluster
(``.ci/pg-cluster``) unless ``--pg-url`` names a server.

Timed, per backend and size (median of ``--repeat`` runs, warm caches — what a user waits for when the page's
Streamlit cache is cold but the database is not):
- **Overview**: every store call of the page and its sidebar — date range, attribute and channel values,
  personas, KPI tiles, the 30-day scorecard, the monthly trend, touchpoint scores, the first segment table. All
  are SQL aggregates: the rows returned stay the same whatever the number of responses.
- **Drivers, data**: every store call of the Drivers page — touchpoint scales, numeric attributes, the
  respondent × touchpoint frame (``driver_frame``) and the focus touchpoint's trend, verbatims and themes. The
  regression needs one row per respondent, so this part grows with the responses by nature.
- **Drivers, analysis** (numpy, the same on both backends, timed once per size): the page's defaults — Shapley/LMG
  with 1,000 bootstrap resamples on complete cases of the touchpoints rated by at least half.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, insert
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from anywhere without installing

from cxdash.analysis.drivers import analyse_drivers  # noqa: E402
from cxdash.analysis.sentiment import score_texts  # noqa: E402
from cxdash.ingest.write import insert_rows  # noqa: E402
from cxdash.store import drivers_data, queries  # noqa: E402
from cxdash.store.engine import writer  # noqa: E402
from cxdash.store.frames import touchpoint_scales  # noqa: E402
from cxdash.store.models import (  # noqa: E402
    Attribute,
    Comment,
    ImportBatch,
    Rating,
    Response,
    Touchpoint,
    Workspace,
)
from cxdash.store.personas import list_personas  # noqa: E402
from cxdash.store.workspaces import open_store  # noqa: E402

TOUCHPOINTS = [  # name, stage, share of respondents who rate it, true weight on the recommend answer
    ("Website search", "Discover", 0.95, 0.2),
    ("Product pages", "Discover", 0.90, 0.3),
    ("Checkout", "Buy", 0.95, 0.4),
    ("Payment options", "Buy", 0.85, 0.1),
    ("Delivery speed", "Deliver", 0.90, 0.9),
    ("Packaging", "Deliver", 0.80, 0.1),
    ("Product quality", "Use", 0.95, 0.8),
    ("Support chat", "Support", 0.45, 0.7),
    ("Returns", "Support", 0.40, 0.3),
    ("App experience", "Use", 0.60, 0.2),
]
SEGMENTS = {
    "Plan": ["Basic", "Plus", "Premium"],
    "Region": ["North", "South", "East", "West", "Central"],
    "Age group": ["18-24", "25-34", "35-44", "45-54", "55+"],
}
CHANNELS = ["web", "app", "email", "store"]
COMMENTS = [
    "Delivery was late again and nobody told me",
    "Great quality, will buy again",
    "Checkout kept failing on my phone",
    "Support chat sorted it out in minutes",
    "The parcel arrived damaged",
    "Fast delivery, lovely packaging",
    "Returns took far too long",
    "Easy to find what I needed",
    "Prices went up but the product is still good",
    "The app crashes when I pay",
    "Friendly staff and quick answers",
    "Never again, awful experience",
    "配送が遅くて困りました",
    "品質がとても良いです",
    "OK",
    "N/A",
]
START = datetime(2024, 1, 1)
DAYS = 730
CHUNK = 100_000


# ------------------------------------------------------------------------------------------------ data


def generate(conn: Any, n: int, seed: int = 7) -> None:
    """One workspace with ``n`` responses (ids 1..n), written in chunks with the importer's bulk writer."""
    rng = np.random.default_rng(seed)
    conn.execute(insert(Workspace.__table__).values(id=1, name="Bench", language="en", created_at=START))  # type: ignore[attr-defined]
    conn.execute(
        insert(ImportBatch.__table__).values(  # type: ignore[attr-defined]
            id=1,
            workspace_id=1,
            file_name="bench.csv",
            content_hash="bench",
            rows_read=n,
            responses=n,
            created_at=START,
        )
    )
    conn.execute(
        insert(Touchpoint.__table__),  # type: ignore[attr-defined]
        [
            {"id": i, "workspace_id": 1, "name": name, "stage": stage, "position": i, "scale_min": 1, "scale_max": 5}
            for i, (name, stage, _, _) in enumerate(TOUCHPOINTS, start=1)
        ],
    )
    pool = score_texts(COMMENTS)
    weights = np.array([w for *_, w in TOUCHPOINTS])
    coverage = np.array([c for _, _, c, _ in TOUCHPOINTS])
    for lo in range(0, n, CHUNK):
        m = min(CHUNK, n - lo)
        ids = np.arange(lo + 1, lo + m + 1)
        latent = rng.normal(size=(m, 1))
        ratings = np.clip(np.round(3.2 + 0.9 * latent + rng.normal(scale=0.9, size=(m, len(TOUCHPOINTS)))), 1, 5)
        rated = rng.random((m, len(TOUCHPOINTS))) < coverage
        filled = np.where(rated, ratings, 3.0)
        nps = np.clip(np.round((filled - 3) @ weights * 0.9 + 7 + rng.normal(scale=1.5, size=m)), 0, 10)
        nps_v = [None if miss else int(v) for v, miss in zip(nps, rng.random(m) < 0.05, strict=True)]
        csat = np.clip(np.round(3.5 + 0.8 * latent[:, 0] + rng.normal(scale=0.8, size=m)), 1, 5)
        csat_v = [None if miss else float(v) for v, miss in zip(csat, rng.random(m) < 0.15, strict=True)]
        ces = np.clip(np.round(5 + 0.9 * latent[:, 0] + rng.normal(scale=1.0, size=m)), 1, 7)
        ces_v = [None if miss else float(v) for v, miss in zip(ces, rng.random(m) < 0.4, strict=True)]
        when = [START + timedelta(seconds=int(s)) for s in rng.integers(0, DAYS * 86_400, m)]
        insert_rows(
            conn,
            Response.__table__,  # type: ignore[attr-defined]
            {
                "id": ids.tolist(),
                "workspace_id": [1] * m,
                "batch_id": [1] * m,
                "source_row": (ids + 1).tolist(),
                "external_id": [f"R{i}" for i in ids],
                "responded_at": when,
                "channel": [CHANNELS[i] for i in rng.integers(0, len(CHANNELS), m)],
                "nps": nps_v,
                "csat": csat_v,
                "csat_min": [None if v is None else 1 for v in csat_v],
                "csat_max": [None if v is None else 5 for v in csat_v],
                "ces": ces_v,
                "ces_min": [None if v is None else 1 for v in ces_v],
                "ces_max": [None if v is None else 7 for v in ces_v],
            },
        )
        r_idx, t_idx = np.nonzero(rated)
        insert_rows(
            conn,
            Rating.__table__,  # type: ignore[attr-defined]
            {
                "response_id": ids[r_idx].tolist(),
                "touchpoint_id": (t_idx + 1).tolist(),
                "score": ratings[r_idx, t_idx].tolist(),
            },
        )
        attr: dict[str, list[Any]] = {"response_id": [], "name": [], "value": []}
        for name, values in SEGMENTS.items():
            has = rng.random(m) < 0.95
            picks = rng.integers(0, len(values), m)
            attr["response_id"] += ids[has].tolist()
            attr["name"] += [name] * int(has.sum())
            attr["value"] += [values[i] for i in picks[has]]
        insert_rows(conn, Attribute.__table__, attr)  # type: ignore[attr-defined]
        says = np.nonzero(rng.random(m) < 0.3)[0]
        texts = rng.integers(0, len(COMMENTS), says.size)
        tied = rng.random(says.size) < 0.3
        tps = rng.integers(1, len(TOUCHPOINTS) + 1, says.size)
        insert_rows(
            conn,
            Comment.__table__,  # type: ignore[attr-defined]
            {
                "response_id": ids[says].tolist(),
                "touchpoint_id": [int(tp) if t else None for tp, t in zip(tps, tied, strict=True)],
                "source": ["comment"] * says.size,
                "text": [COMMENTS[i] for i in texts],
                "language": [pool[i].lang for i in texts],
                "compound": [pool[i].compound for i in texts],
                "label": [pool[i].label for i in texts],
                "method": [pool[i].method for i in texts],
            },
        )
    if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for table in ("workspace", "import_batch", "touchpoint", "response"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )


# ------------------------------------------------------------------------------------------------ what the pages do


def overview(engine: Engine) -> dict[str, Callable[[], Any]]:
    """The store calls of the Overview page and its sidebar, in page order (cxdash/ui/data.py, pages/overview.py)."""
    f = queries.Filters()
    first = sorted(SEGMENTS)[0]
    scorecard_filters = (
        queries.Filters(date_from=START + timedelta(days=DAYS - 30)),
        queries.Filters(date_from=START + timedelta(days=DAYS - 60), date_to=START + timedelta(days=DAYS - 30)),
    )
    return {
        "date range": lambda: queries.date_range(engine, 1),
        "attribute values": lambda: queries.attribute_values(engine, 1),
        "channel values": lambda: queries.channel_values(engine, 1),
        "personas": lambda: list_personas(engine, 1),
        "KPI tiles": lambda: queries.kpis(engine, 1, f),
        "scorecard (30 days vs before)": lambda: [queries.kpis(engine, 1, sf) for sf in scorecard_filters],
        "monthly trend": lambda: queries.kpi_trend(engine, 1, f, period="month"),
        "touchpoint scores": lambda: queries.touchpoint_scores(engine, 1, f),
        f"segments by {first}": lambda: queries.kpis_by_attribute(engine, 1, f, first),
    }


def drivers_data_calls(engine: Engine) -> dict[str, Callable[[], Any]]:
    """The store calls of the Drivers page (cxdash/ui/drivers.py): everything but the regression itself."""
    f = queries.Filters()
    kept: list[drivers_data.TouchpointComments] = []

    def read() -> drivers_data.TouchpointComments:  # as the page keeps it: a click reads it only the first time
        if not kept:
            kept.append(drivers_data.read_touchpoint_comments(engine, 1, f))
        return kept[0]

    return {
        "touchpoint scales": lambda: touchpoint_scales(engine, 1),
        "numeric attributes": lambda: drivers_data.numeric_attributes(engine, 1),
        "respondent frame": lambda: drivers_data.driver_frame(engine, 1, f),
        "focus: trend": lambda: drivers_data.touchpoint_trend(engine, 1, "Delivery speed", f),
        "focus: the comments read once": lambda: drivers_data.read_touchpoint_comments(engine, 1, f),
        "focus: verbatims": lambda: drivers_data.touchpoint_comments(engine, 1, "Delivery speed", f, comments=read()),
        "focus: themes": lambda: drivers_data.touchpoint_themes(engine, 1, "Delivery speed", f, comments=read()),
    }


def page_analysis(frame: pd.DataFrame) -> Any:
    """The Drivers page's default analysis: LMG, 1,000 resamples, complete cases, touchpoints rated by half."""
    names = [name for name, *_ in TOUCHPOINTS if frame[name].notna().mean() >= 0.5]
    scales = {name: (1, 5) for name in names}
    return analyse_drivers(frame, "nps", names, "lmg", 1000, 0, scales=scales, quadrant="mean", missing="complete")


def returned_rows(value: Any) -> int:
    """Rows a call hands back to Python (a frame's rows, a list's length, a dict's values, 1 for a scalar)."""
    if isinstance(value, pd.DataFrame):
        return len(value)
    if isinstance(value, tuple) and value and isinstance(value[0], pd.DataFrame):
        return len(value[0])
    if isinstance(value, dict):
        return sum(len(v) if isinstance(v, list) else 1 for v in value.values())
    if isinstance(value, list):
        return sum(returned_rows(v) for v in value) if value and isinstance(value[0], dict) else len(value)
    return 1


def timed(calls: dict[str, Callable[[], Any]], repeat: int) -> tuple[float, dict[str, float], int]:
    """(median total seconds, median seconds per call, rows returned) over ``repeat`` runs of all calls."""
    totals: list[float] = []
    each: dict[str, list[float]] = {k: [] for k in calls}
    rows = 0
    for _ in range(repeat):
        total = 0.0
        rows = 0
        for name, fn in calls.items():
            t0 = time.perf_counter()
            value = fn()
            dt = time.perf_counter() - t0
            each[name].append(dt)
            total += dt
            rows += returned_rows(value)
        totals.append(total)
    return statistics.median(totals), {k: statistics.median(v) for k, v in each.items()}, rows


# ------------------------------------------------------------------------------------------------ stores


@contextmanager
def private_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (``.ci/pg-cluster``) for the run; yields its server URL."""
    root = Path(tempfile.mkdtemp(prefix="cxbench-pg-"))
    os.chmod(root, 0o755)  # the server runs as 'postgres' when we are root
    data = root / "data"
    script = REPO / ".ci" / "pg-cluster"
    out = subprocess.run(["bash", str(script), "start", str(data)], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(out.stderr.strip() or "the private PostgreSQL cluster did not start")
    try:
        yield out.stdout.strip()
    finally:
        subprocess.run(["bash", str(script), "stop", str(data)], capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def fresh_store(backend: str, n: int, workdir: Path, server: str | None) -> str:
    """The URL of a new, empty store for size ``n``."""
    if backend == "sqlite":
        path = workdir / f"bench_{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    assert server is not None
    name = f"cxbench_{n}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_store(url: str, server: str | None) -> None:
    if server is None or not url.startswith("postgresql"):
        Path(make_url(url).database or "").unlink(missing_ok=True)
        return
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


# ------------------------------------------------------------------------------------------------ main


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_n(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def run(args: argparse.Namespace, server: str | None) -> None:
    with ExitStack() as stack:
        if args.workdir:
            workdir = Path(args.workdir)
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cxbench-")))
        measure_all(args, server, workdir)


def measure_all(args: argparse.Namespace, server: str | None, workdir: Path) -> None:
    results: list[dict[str, Any]] = []
    analysis: dict[int, float] = {}
    for n in args.sizes:
        for backend in args.backends:
            if backend == "postgresql" and server is None:
                continue
            url = fresh_store(backend, n, workdir, server)
            engine = open_store(url)
            t0 = time.perf_counter()
            with writer(engine).begin() as conn:
                generate(conn, n)
            load_s = time.perf_counter() - t0
            ov_total, ov_each, ov_rows = timed(overview(engine), args.repeat)
            dd_total, dd_each, dd_rows = timed(drivers_data_calls(engine), args.repeat)
            row = {"n": n, "backend": backend, "load": load_s, "overview": ov_total, "overview_rows": ov_rows}
            row |= {"drivers_data": dd_total, "drivers_rows": dd_rows, "each": {**ov_each, **dd_each}}
            results.append(row)
            print(
                f"  {fmt_n(n):>4} {backend:<10} loaded in {fmt_s(load_s)}; overview {fmt_s(ov_total)} "
                f"({ov_rows} rows back), drivers data {fmt_s(dd_total)} ({dd_rows:,} rows back)",
                flush=True,
            )
            if n not in analysis and not args.no_analysis:
                frame = drivers_data.driver_frame(engine, 1, queries.Filters())
                t0 = time.perf_counter()
                page_analysis(frame)
                analysis[n] = time.perf_counter() - t0
                print(f"  {fmt_n(n):>4} drivers analysis (numpy, page defaults) {fmt_s(analysis[n])}", flush=True)
                del frame
            engine.dispose()
            if not args.keep:
                drop_store(url, server)
    print_tables(results, analysis)


def print_tables(results: list[dict[str, Any]], analysis: dict[int, float]) -> None:
    print()
    print("| responses | backend | Overview (all calls) | rows back | Drivers: data | rows back | Drivers: analysis |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        a = analysis.get(r["n"])
        print(
            f"| {fmt_n(r['n'])} | {r['backend']} | {fmt_s(r['overview'])} | {r['overview_rows']} | "
            f"{fmt_s(r['drivers_data'])} | {r['drivers_rows']:,} | {fmt_s(a) if a is not None else '—'} |"
        )
    if not results:
        return
    print()
    calls = list(results[0]["each"])
    head = " | ".join(f"{fmt_n(r['n'])} {r['backend']}" for r in results)
    print(f"| call | {head} |")
    print("|---|" + "---|" * len(results))
    for name in calls:
        print(f"| {name} | " + " | ".join(fmt_s(r["each"][name]) for r in results) + " |")
    print()
    print("| responses | backend | load (bulk writer, not the importer) |")
    print("|---|---|---|")
    for r in results:
        print(f"| {fmt_n(r['n'])} | {r['backend']} | {fmt_s(r['load'])} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help="10k responses only")
    parser.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", help="a PostgreSQL server URL (default: start a private cluster)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--no-analysis", action="store_true", help="skip the drivers regression (numpy)")
    parser.add_argument("--workdir", help="where the SQLite files go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the generated stores (with --workdir)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = [10_000]
    load1 = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load1:.2f}; sizes {', '.join(map(fmt_n, args.sizes))}")
    with ExitStack() as stack:
        server = args.pg_url
        if "postgresql" in args.backends and server is None:
            try:
                server = stack.enter_context(private_postgres())
                print(f"PostgreSQL: private cluster at {make_url(server).render_as_string(hide_password=True)}")
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                print(f"PostgreSQL skipped: {error}")
        run(args, server)
    if not math.isclose(os.getloadavg()[0], load1, abs_tol=1.0):
        print(f"(load average moved from {load1:.2f} to {os.getloadavg()[0]:.2f} during the run: figures are noisy)")


if __name__ == "__main__":
    main()
