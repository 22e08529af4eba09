"""`python -m cxdash drivers` on a CSV (mtcars known answers) and on a demo store; refused input exits 2 (through
``cxdash.cli.main`` in this process: see tests/cli_run.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli_run import run_cli

REPO = Path(__file__).resolve().parents[2]
MTCARS = REPO.parent / "shared" / "eval" / "kda" / "mtcars.csv"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("drivers", *args)


@pytest.mark.skipif(not MTCARS.is_file(), reason="shared/eval/kda/mtcars.csv not present")
def test_csv_lmg_matches_the_published_mtcars_values() -> None:
    out = _run("--csv", str(MTCARS), "--outcome", "mpg", "--drivers", "am,vs,cyl", "--bootstrap", "200", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    got = {d["name"]: d["importance"] for d in report["drivers"]}
    assert got == pytest.approx({"am": 0.1774892, "vs": 0.2027032, "cyl": 0.3817849}, abs=1e-6)
    assert report["method"] == "lmg" and report["n"] == 32
    assert all(d["ci95"][0] <= d["importance"] <= d["ci95"][1] for d in report["drivers"])


@pytest.mark.skipif(not MTCARS.is_file(), reason="shared/eval/kda/mtcars.csv not present")
def test_seeded_runs_repeat_and_methods_differ() -> None:
    args = ("--csv", str(MTCARS), "--outcome", "mpg", "--drivers", "am,vs,cyl", "--bootstrap", "100", "--json")
    a, b = json.loads(_run(*args).stdout), json.loads(_run(*args).stdout)
    assert a == b
    rw = json.loads(_run(*args, "--method", "rw").stdout)
    assert rw["method"] == "rw" and sum(d["importance"] for d in rw["drivers"]) == pytest.approx(rw["r2"])


@pytest.mark.skipif(not MTCARS.is_file(), reason="shared/eval/kda/mtcars.csv not present")
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--outcome", "mpg", "--drivers", "am,nope"), "nope"),
        (("--outcome", "mpg"), "--drivers"),
        (("--outcome", "mpg", "--drivers", "am", "--not-rated", "x"), "--not-rated"),
    ],
)
def test_refused_input_exits_2_with_one_sentence(args: tuple[str, ...], words: str) -> None:
    out = _run("--csv", str(MTCARS), *args, "--bootstrap", "0")
    assert out.returncode == 2
    assert words in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_too_few_rows_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "tiny.csv"
    csv.write_text("y,a,b,c\n1,1,2,3\n2,2,1,3\n3,1,1,1\n", encoding="utf-8")
    out = _run("--csv", str(csv), "--outcome", "y", "--drivers", "a,b,c", "--bootstrap", "0")
    assert out.returncode == 2 and "too few" in out.stderr


def test_demo_store_defaults_to_nps_and_all_touchpoints(demo_store_url: str) -> None:
    db = demo_store_url
    out = _run("--db", db, "--workspace", "Demo — Acme Online (EN)", "--bootstrap", "200", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["outcome"] == "nps" and len(report["drivers"]) == 10
    by_name = {d["name"]: d for d in report["drivers"]}
    assert by_name["Delivery speed"]["quadrant"] == "Fix first"
    assert "complete cases" in report["missing"]
    text = _run(
        "--db",
        db,
        "--workspace",
        "Demo — Acme Online (EN)",
        "--method",
        "rw",
        "--bootstrap",
        "0",
        "--outcome",
        "promoter",
    )
    assert text.returncode == 0 and "outcome promoter" in text.stdout
