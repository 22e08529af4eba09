"""Personas as JSON: export → import → export is exact (also across workspaces and stores), import by name updates
or creates in one transaction, refused files change nothing and say why; the CLI does the same."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cxdash.cli_persona import main_persona
from cxdash.errors import InputRefused
from cxdash.personas_io import export_personas, import_personas, parse_personas, personas_json
from cxdash.store import personas as store
from cxdash.store.workspaces import get_or_create_workspace, open_store
from tests.stores import StoreFactory

REPO = Path(__file__).resolve().parents[2]
PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def ws(engine: Engine, name: str = "Studio") -> int:
    w = get_or_create_workspace(engine, name)
    assert w.id is not None
    return w.id


def fill(engine: Engine, workspace: int) -> None:
    store.create_persona(
        engine,
        workspace,
        "Premium Priya",
        avatar="👩‍💼",
        summary="Time-poor professional",
        goals="Plan the day\nNo chasing",
        pains="Late slots",
        behaviours="Orders at night",
        channels="app, chat",
        quote="If it says Tuesday, it needs to be Tuesday.",
        segment={"Plan": ["Premium"], "Age group": ["25-34", "35-44"]},
    )
    store.create_persona(
        engine, workspace, "共働きの佐藤さん", avatar=PNG, quote="配送が遅い <b>&</b>", segment={"年代": ["30代"]}
    )
    store.create_persona(engine, workspace, "Everyone else")


def test_export_import_export_is_exact(engine: Engine, store_factory: StoreFactory) -> None:
    a = ws(engine)
    fill(engine, a)
    first = personas_json(engine, a)
    doc = json.loads(first)
    assert doc["cxdash"] == "personas" and doc["version"] == 1 and len(doc["personas"]) == 3
    assert doc["personas"][0]["segment"] == {"Plan": ["Premium"], "Age group": ["25-34", "35-44"]}
    assert "共働き" in first  # non-ASCII kept readable
    other_url = store_factory.new("other")
    other_store = open_store(other_url)
    b = ws(other_store, "Elsewhere")
    summary = import_personas(other_store, b, first.encode("utf-8"))
    assert summary.created == ["Premium Priya", "共働きの佐藤さん", "Everyone else"]
    assert personas_json(other_store, b) == first
    again = import_personas(other_store, b, first)
    assert again.unchanged == summary.created and not again.created and not again.updated
    other_store.dispose()
    store_factory.drop(other_url)


def test_import_updates_by_name_and_creates_new(engine: Engine) -> None:
    a = ws(engine)
    fill(engine, a)
    doc = export_personas(engine, a)
    doc["personas"][0]["quote"] = "New quote"
    doc["personas"].append({"name": "Bargain Ben", "avatar": "🧢", "segment": {"Plan": ["Basic"]}})
    summary = import_personas(engine, a, doc)
    assert summary.updated == ["Premium Priya"] and summary.created == ["Bargain Ben"]
    assert len(summary.unchanged) == 2
    assert "1 created, 1 updated, 2 unchanged" in summary.message()
    by_name = {p.name: p for p in store.list_personas(engine, a)}
    assert by_name["Premium Priya"].quote == "New quote"
    assert by_name["Premium Priya"].goals == "Plan the day\nNo chasing"  # untouched
    assert json.loads(by_name["Bargain Ben"].segment_json) == {"Plan": ["Basic"]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        ("{not json", r"not valid JSON \(line 1"),
        ('{"personas": []}', "not a cxdash persona file"),
        ('{"cxdash": "personas", "version": 2, "personas": []}', "version 2 is not supported"),
        ('{"cxdash": "personas", "version": 1}', 'no "personas" list'),
        ('{"cxdash": "personas", "version": 1, "personas": [{"summary": "x"}]}', "Persona 1 has no name"),
        (
            '{"cxdash": "personas", "version": 1, "personas": [{"name": "A", "mood": 1}]}',
            r"Persona 1 \('A'\) has unknown",
        ),
        ('{"cxdash": "personas", "version": 1, "personas": [{"name": "A", "goals": 3}]}', "'goals' must be text"),
        ('{"cxdash": "personas", "version": 1, "personas": [{"name": "A"}, {"name": "a"}]}', "same name as persona 1"),
        ('{"cxdash": "personas", "version": 1, "personas": [{"name": "A", "segment": [1]}]}', "must map attribute"),
        ('{"cxdash": "personas", "version": 1, "personas": [{"name": "A", "avatar": "data:x"}]}', "data URI"),
    ],
)
def test_refused_files_say_why_and_change_nothing(engine: Engine, data: str | bytes, message: str) -> None:
    a = ws(engine)
    fill(engine, a)
    before = personas_json(engine, a)
    with pytest.raises(InputRefused, match=message):
        import_personas(engine, a, data)
    assert personas_json(engine, a) == before


def test_a_bad_persona_late_in_the_file_writes_nothing(engine: Engine) -> None:
    a = ws(engine)
    doc = {"cxdash": "personas", "version": 1, "personas": [{"name": "Good"}, {"name": "Bad", "avatar": "x" * 50}]}
    with pytest.raises(InputRefused, match=r"Persona 2 \('Bad'\)"):
        import_personas(engine, a, doc)
    assert store.list_personas(engine, a) == []
    assert parse_personas({**doc, "personas": doc["personas"][:1]}) == [{"name": "Good"}]


def test_cli_export_and_import(engine: Engine, store_url: str, tmp_path: Path) -> None:
    a = ws(engine, "Studio")
    fill(engine, a)
    out = tmp_path / "personas.json"
    buf = io.StringIO()
    assert main_persona(["export", "--db", store_url, "--workspace", "Studio", "--out", str(out)], buf) == 0
    assert "3 persona(s) of 'Studio'" in buf.getvalue()
    assert out.read_text(encoding="utf-8") == personas_json(engine, a)
    ws(engine, "Copy")
    buf = io.StringIO()
    code = main_persona(["import", str(out), "--db", store_url, "--workspace", "Copy", "--json"], buf)
    assert code == 0
    assert json.loads(buf.getvalue())["created"] == ["Premium Priya", "共働きの佐藤さん", "Everyone else"]
    assert personas_json(engine, ws(engine, "Copy")) == out.read_text(encoding="utf-8")
    stdout = io.StringIO()
    assert main_persona(["export", "--db", store_url, "--workspace", "Copy", "--out", "-"], stdout) == 0
    assert stdout.getvalue() == out.read_text(encoding="utf-8")


def test_cli_refuses_with_a_message(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"cxdash": "journeys"}', encoding="utf-8")
    engine = open_store(store_url)
    ws(engine, "Studio")
    assert main_persona(["import", str(bad), "--db", store_url, "--workspace", "Studio"]) == 2
    assert "not a cxdash persona file" in capsys.readouterr().err
    assert main_persona(["import", str(tmp_path / "missing.json"), "--db", store_url]) == 2
    assert main_persona(["export", "--db", store_url, "--workspace", "Nope", "--out", "x.json"]) == 2
    assert "No workspace called 'Nope'" in capsys.readouterr().err


def test_python_m_cxdash_persona(engine: Engine, store_url: str, tmp_path: Path) -> None:
    fill(engine, ws(engine, "Studio"))
    out = tmp_path / "p.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxdash",
            "persona",
            "export",
            "--db",
            store_url,
            "--workspace",
            "Studio",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["personas"]) == 3
