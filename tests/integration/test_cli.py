"""The command line as a user runs it: exit codes, JSON shapes, one-sentence refusals without tracebacks (through
``cxdash.cli.main`` in this process: see tests/cli_run.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_run import run_cli as run
from tests.stores import StoreFactory


@pytest.fixture(scope="module")
def demo_db(store_factory: StoreFactory) -> Iterator[str]:
    db = store_factory.new("demo")
    out = run("demo", "--db", db, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["workspaces"] == ["Demo — Acme Online (EN)", "デモ — さくらマート (JA)"]
    yield db
    store_factory.drop(db)


def test_info_counts(demo_db: str) -> None:
    out = run("info", "--db", demo_db, "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info["workspace"] == "Demo — Acme Online (EN)"
    assert info["responses"] == 3000 and info["batches"] == 1
    assert info["personas"] == 2 and info["journeys"] == 1
    assert info["touchpoints"] == len(info["touchpoint_names"]) >= 8
    assert info["comments"] > 1000


def test_metrics_with_filter(demo_db: str) -> None:
    everyone = json.loads(run("metrics", "--db", demo_db, "--json").stdout)
    premium = json.loads(run("metrics", "--db", demo_db, "--filter", "Plan=Premium", "--json").stdout)
    assert set(everyone) == {"nps", "csat", "ces"}
    for key in ("nps", "csat", "ces"):
        lo, hi = everyone[key]["ci95"]
        assert lo <= everyone[key]["value"] <= hi
    assert premium["nps"]["n"] < everyone["nps"]["n"]
    assert premium["nps"]["value"] > everyone["nps"]["value"]  # the demo's premium customers are happier


def test_metrics_of_an_empty_workspace_are_null(tmp_path: Path, store_url: str) -> None:
    db = store_url
    csv = tmp_path / "c.csv"
    csv.write_text("Comment\nHello there, nice shop\nToo slow for me\nFriendly staff, will return\n", encoding="utf-8")
    assert run("import", str(csv), "--db", db, "--workspace", "W").returncode == 0
    data = json.loads(run("metrics", "--db", db, "--workspace", "W", "--json").stdout)
    assert data["nps"] == {"value": None, "n": 0, "ci95": None}


def test_import_then_unchanged_then_update(tmp_path: Path, store_url: str) -> None:
    db = store_url
    first = tmp_path / "first.csv"
    first.write_text(
        "ResponseId,RecordedDate,How likely are you to recommend us?,Comment\n"
        "R1,2026-03-01,9,Great service\nR2,2026-03-02,12,Too slow\nR3,2026-03-03,2,Never again\n"
        "R4,2026-03-04,10,Love it\nR5,2026-03-04,7,\nR6,2026-03-05,8,Fine\n",
        encoding="utf-8",
    )
    out = run("import", str(first), "--db", db, "--workspace", "CLI", "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["status"] == "imported" and res["responses"] == 5 and res["rows_read"] == 6
    assert res["rejected_rows"] == [
        {"row": 3, "column": "How likely are you to recommend us?", "value": "12", "reason": "12 is outside 0–10"}
    ]
    assert res["mapping"]["How likely are you to recommend us?"] == "nps" and res["encoding"] == "utf-8"
    again = json.loads(run("import", str(first), "--db", db, "--workspace", "CLI", "--json").stdout)
    assert again["status"] == "unchanged" and again["batch_id"] == res["batch_id"]
    second = tmp_path / "second.csv"
    second.write_text(
        "ResponseId,RecordedDate,How likely are you to recommend us?\nR1,2026-03-05,10\n", encoding="utf-8"
    )
    saved = tmp_path / "mapping.json"
    reuse = {k: v for k, v in res["mapping"].items() if k != "Comment"}  # the second export has no comment column
    saved.write_text(json.dumps({"columns": reuse}), encoding="utf-8")
    upd = json.loads(
        run("import", str(second), "--db", db, "--workspace", "CLI", "--mapping", str(saved), "--json").stdout
    )
    assert upd["responses_updated"] == 1
    info = json.loads(run("info", "--db", db, "--workspace", "CLI", "--json").stdout)
    assert info["responses"] == 5 and info["batches"] == 2


def test_dry_run_writes_nothing(tmp_path: Path, store_url: str) -> None:
    db = store_url
    csv = tmp_path / "c.csv"
    csv.write_text("NPS\n9\n10\n", encoding="utf-8")
    out = run(
        "import",
        str(csv),
        "--db",
        db,
        "--workspace",
        "Dry",
        "--mapping",
        _mapping(tmp_path),
        "--dry-run",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "dry_run"
    assert run("info", "--db", db, "--workspace", "Dry").returncode == 2  # the workspace was never created


def _mapping(tmp_path: Path) -> str:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"NPS": "nps"}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "empty.csv", "empty"),
        (b"NPS,Comment\n", "header.csv", "no data rows"),
        (b"PK\x03\x04garbage", "fake.xlsx", "fake.xlsx"),
        (b"\x00\x01\x02\x03" * 50, "binary.csv", "binary.csv"),
        (b"NPS\nabc\nxyz\n", "bad.csv", "bad.csv"),
    ],
)
def test_refused_input_exits_2_with_one_sentence(
    tmp_path: Path, store_url: str, content: bytes, name: str, expected: str
) -> None:
    db = store_url
    path = tmp_path / name
    path.write_bytes(content)
    mapping = ["--mapping", _mapping(tmp_path)] if name == "bad.csv" else []
    out = run("import", str(path), "--db", db, *mapping, "--json")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    err = out.stderr.strip()
    assert err.startswith("cxdash: ") and "\n" not in err and expected in err
    assert json.loads(out.stdout)["status"] == "rejected"


def test_unknown_workspace_and_missing_file(tmp_path: Path, store_url: str) -> None:
    out = run("info", "--db", store_url, "--workspace", "Nope")
    assert out.returncode == 2 and "No workspace called 'Nope'" in out.stderr
    out = run("import", str(tmp_path / "missing.csv"), "--db", store_url)
    assert out.returncode == 2 and "is not a file" in out.stderr


def test_a_large_import_starts_the_workers_before_loading_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`import` of a file of EARLY_WORKERS_BYTES or more starts the comment workers first (their start-up overlaps
    the CLI's module loading); a small file or a dry run does not."""
    from cxdash import cli
    from cxdash.analysis import comments

    started: list[bool] = []  # japanese: the embedding model's worker too
    monkeypatch.setattr(comments, "warm_up", lambda japanese=False: started.append(japanese))
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text("id,nps\nr1,9\n", encoding="utf-8")
    large.write_bytes(b"id,nps\n" + b"r1,9\n" * (cli.EARLY_WORKERS_BYTES // 5 + 1))
    cli._start_workers_early(small, dry_run=False)
    cli._start_workers_early(large, dry_run=True)
    cli._start_workers_early(tmp_path / "missing.csv", dry_run=False)
    assert started == []
    cli._start_workers_early(large, dry_run=False)
    japanese = tmp_path / "japanese.csv"
    row = "r1,9,スタッフの対応がとても丁寧でした\n".encode("cp932")
    japanese.write_bytes(b"id,nps,comment\n" + row * (cli.EARLY_WORKERS_BYTES // len(row) + 1))
    cli._start_workers_early(japanese, dry_run=False)
    assert started == [False, True]


def test_import_says_why_rows_were_rejected_in_text_and_json(tmp_path: Path, store_url: str) -> None:
    """Without --json, one line per column and reason, then the warnings; with it, the same as rejected_summary."""
    csv = tmp_path / "why.csv"
    rows = [f"R{i},{i % 11}" for i in range(20)] + ["R20,12", "R21,15", "R22,abc", "R23,"]
    csv.write_text("ResponseId,How likely are you to recommend us?\n" + "\n".join(rows) + "\n", encoding="utf-8")
    args = ["import", str(csv), "--db", store_url, "--workspace", "Why", "--dry-run"]
    out = run(*args)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().split("\n")
    assert lines[0].startswith("dry_run: 20 responses") and "4 rows rejected" in lines[0]
    nps = "column 'How likely are you to recommend us?'"
    assert lines[1:4] == [
        f"  rejected 2 rows: {nps}: … is outside 0–10 (first row 22, e.g. '12')",
        f"  rejected 1 row: {nps}: '…' is not a number (first row 24, e.g. 'abc')",
        "  rejected 1 row: row has no score and no comment (first row 25)",
    ]
    summary = json.loads(run(*args, "--json").stdout)["rejected_summary"]
    assert [(g["reason"], g["rows"], g["first_row"]) for g in summary] == [
        ("… is outside 0–10", 2, 22),
        ("'…' is not a number", 1, 24),
        ("row has no score and no comment", 1, 25),
    ]
