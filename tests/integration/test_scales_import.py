"""A score column's scale in the store: inferred (a 1–5 CES stays 1–5) or set in the mapping, and what the
metrics make of it. Through the library and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from cxdash.cli import main
from cxdash.ingest.load import import_file
from cxdash.store.frames import touchpoint_scales
from cxdash.store.queries import kpis
from cxdash.store.workspaces import get_workspace

pytestmark = pytest.mark.store
N = 90


def _export(path: Path) -> list[tuple[int, int]]:
    """A survey whose effort question and delivery rating are asked on 1–5; returns each row's (ease, delivery)."""
    rng = random.Random(5)
    lines = ["Response ID,Date,How easy was it to get your issue resolved?,Delivery,How likely to recommend?"]
    truth = []
    for i in range(N):
        ease, delivery = rng.randint(1, 5), rng.randint(1, 5)
        truth.append((ease, delivery))
        lines.append(f"R{i},2026-05-{1 + i % 28:02d},{ease},{delivery},{rng.randint(0, 10)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


def _stored_ces_scales(engine: Engine, workspace: str) -> set[tuple[int, int]]:
    ws = get_workspace(engine, workspace).id
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT DISTINCT ces_min, ces_max FROM response WHERE workspace_id = :ws AND ces IS NOT NULL"),
            {"ws": ws},
        )
        return {(int(lo), int(hi)) for lo, hi in rows}


def test_a_five_point_ces_is_stored_and_reported_on_five_points(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "ces5.csv"
    truth = _export(path)
    result = import_file(engine, path, path.name, workspace="Auto")
    assert result.status == "imported" and result.mapping["How easy was it to get your issue resolved?"] == "ces"
    assert _stored_ces_scales(engine, "Auto") == {(1, 5)}
    ws = get_workspace(engine, "Auto").id
    assert ws is not None
    mean = sum(ease for ease, _ in truth) / N
    assert kpis(engine, ws, {})["ces"].value == pytest.approx(1 + (mean - 1) * 6 / 4)  # reported on CES's 1–7
    assert touchpoint_scales(engine, ws) == {"Delivery": (1, 5)}


def test_a_scale_set_in_the_mapping_is_the_one_stored(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "ces5.csv"
    truth = _export(path)
    mapping = {
        "Response ID": "response_id",
        "Date": "date",
        "How easy was it to get your issue resolved?": "ces [1-7]",
        "Delivery": "rating:Delivery [1-10]",
        "How likely to recommend?": "nps",
    }
    result = import_file(engine, path, path.name, workspace="Set", mapping=mapping)
    assert result.status == "imported" and result.mapping == mapping
    assert _stored_ces_scales(engine, "Set") == {(1, 7)}
    ws = get_workspace(engine, "Set").id
    assert ws is not None
    assert kpis(engine, ws, {})["ces"].value == pytest.approx(sum(ease for ease, _ in truth) / N)
    assert touchpoint_scales(engine, ws) == {"Delivery": (1, 10)}
    with engine.connect() as conn:
        saved = conn.execute(text("SELECT mapping_json FROM import_batch WHERE workspace_id = :ws"), {"ws": ws})
        assert json.loads(saved.scalar_one())["Delivery"] == "rating:Delivery [1-10]"


def test_the_command_line_takes_scales_from_the_mapping_file_and_refuses_bad_ones(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ces5.csv"
    _export(path)
    saved = tmp_path / "mapping.json"
    roles = {"Response ID": "response_id", "How easy was it to get your issue resolved?": "ces [1-4]"}
    saved.write_text(json.dumps({"cxdash_mapping": 1, "columns": roles}), encoding="utf-8")
    args = ["import", str(path), "--db", store_url, "--workspace", "CLI", "--mapping", str(saved), "--json"]
    assert main([*args, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    fives = [r for r in dry["rejected_rows"] if r["value"] == "5"]
    assert fives and all(r["reason"] == "5 is outside 1–4" for r in fives)
    roles["How easy was it to get your issue resolved?"] = "ces [2-6]"
    saved.write_text(json.dumps({"columns": roles}), encoding="utf-8")
    assert main(args) == 2
    out = capsys.readouterr()
    assert "'ces [2-6]'" in out.err and "starts at 0 or 1" in out.err and "mapping file 'mapping.json'" in out.err
