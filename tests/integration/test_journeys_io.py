"""Journey files: export → import gives the same document back, every bundled template loads and imports, broken
files are refused with a message, and the `journey` CLI exports, imports and writes an offline network page."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cxdash import journeys_io as io
from cxdash.cli_journey import add_journey_parser
from cxdash.errors import CxdashError, InputRefused
from cxdash.store import journeys as J
from cxdash.store.workspaces import get_or_create_workspace, get_workspace, open_store

REPO = Path(__file__).resolve().parents[2]
EN = "Demo — Acme Online (EN)"


@pytest.fixture
def demo(demo_store_url: str) -> Iterator[tuple[str, Engine]]:
    engine = open_store(demo_store_url)
    yield demo_store_url, engine
    engine.dispose()


def ws_id(engine: Engine, name: str = EN) -> int:
    w = get_workspace(engine, name)
    assert w.id is not None
    return w.id


def test_round_trip_is_exact(demo: tuple[str, Engine]) -> None:
    _, engine = demo
    for name in (EN, "デモ — さくらマート (JA)"):
        ws = ws_id(engine, name)
        (journey,) = J.list_journeys(engine, ws)
        assert journey.id is not None
        doc = io.export_journey(engine, journey.id)
        assert doc["persona"] and any(s["touchpoint"] for st in doc["stages"] for s in st["steps"])
        text = io.dumps(doc)
        copy = io.import_journey(engine, ws, io.loads(text), name="Copy")
        assert copy.unknown_touchpoints == [] and copy.unknown_persona is None
        assert io.export_journey(engine, copy.journey_id) == doc | {"name": "Copy"}
        J.delete_journey(engine, journey.id)  # and back under its own name, from bytes with a BOM
        again = io.import_journey(engine, ws, io.loads(b"\xef\xbb\xbf" + text.encode()))
        assert io.export_journey(engine, again.journey_id) == doc


def test_import_into_another_store_keeps_text_of_unknown_touchpoints(demo: tuple[str, Engine], engine: Engine) -> None:
    _, demo_engine = demo
    (journey,) = J.list_journeys(demo_engine, ws_id(demo_engine))
    assert journey.id is not None
    doc = io.export_journey(demo_engine, journey.id)
    ws = get_or_create_workspace(engine, "Elsewhere").id
    assert ws is not None
    result = io.import_journey(engine, ws, doc)
    assert "Checkout" in result.unknown_touchpoints and result.unknown_persona == "Premium Priya"
    back = io.export_journey(engine, result.journey_id)
    assert all(s["touchpoint"] is None for st in back["stages"] for s in st["steps"])
    assert [s["touchpoint_label"] for st in back["stages"] for s in st["steps"]] == [
        s["touchpoint_label"] for st in doc["stages"] for s in st["steps"]
    ]
    with pytest.raises(InputRefused, match="already exists"):
        io.import_journey(engine, ws, doc)
    assert io.import_journey(engine, ws, doc, on_conflict="rename").name == doc["name"] + " (2)"
    replaced = io.import_journey(engine, ws, doc | {"description": "new"}, on_conflict="replace")
    assert J.journey_content(engine, replaced.journey_id)["description"] == "new"
    assert len(J.list_journeys(engine, ws)) == 2


def test_every_template_loads_and_imports(demo: tuple[str, Engine]) -> None:
    _, engine = demo
    templates = io.list_templates()
    assert {t["id"] for t in templates} == {
        f"{k}_{lang}" for k in ("ecommerce", "retail_store", "saas_subscription") for lang in ("en", "ja")
    }
    ws = ws_id(engine)
    for t in templates:
        doc = io.load_template(t["id"])
        steps = [s for st in doc["stages"] for s in st["steps"]]
        assert len(doc["stages"]) >= 6 and len(steps) >= 8
        assert all(s["action"] and s["thinking"] and s["pain_points"] and s["opportunities"] for s in steps)
        assert {s["emotion"] for s in steps} & {-2, -1} and {s["emotion"] for s in steps} & {1, 2}
        if t["language"] == "ja":
            assert all(any("\u3040" <= ch <= "\u9fff" for ch in s["action"]) for s in steps)
        result = io.import_journey(engine, ws, doc)
        assert result.steps == len(steps)
    # the e-commerce template names the Acme demo's touchpoints: imported there, it links and round-trips exactly
    result = io.import_journey(engine, ws, io.load_template("ecommerce_en"), name="Linked")
    assert result.unknown_touchpoints == []
    assert io.export_journey(engine, result.journey_id) == io.load_template("ecommerce_en") | {"name": "Linked"}
    with pytest.raises(InputRefused):
        io.load_template("../demo/demo_workspaces")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a JSON"),
        ('{"cxdash": "persona", "version": 1}', "not a cxdash journey"),
        ('{"cxdash": "journey", "version": 2, "name": "x", "stages": []}', "version"),
        ('{"cxdash": "journey", "version": 1, "name": "", "stages": []}', "no name"),
        (
            '{"cxdash": "journey", "version": 1, "name": "x", "stages": [{"name": "s", "steps": [{"emotion": 3}]}]}',
            "emotion",
        ),
        ('{"cxdash": "journey", "version": 1, "name": "x", "stages": [{"steps": []}]}', "needs a name"),
        (
            '{"cxdash": "journey", "version": 1, "name": "x", '
            '"stages": [{"name": "s", "steps": [{"action": {"a": 1}}]}]}',
            "text",
        ),
    ],
)
def test_broken_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputRefused, match=message):
        io.loads(text)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_journey_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_cli_export_import_html(demo: tuple[str, Engine], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, engine = demo
    out = tmp_path / "map.json"
    assert run_cli("journey", "export", "--db", db, "--workspace", EN, "--out", str(out), "--json") == 0
    assert json.loads(capsys.readouterr().out)["steps"] == 11
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["cxdash"] == "journey" and doc["name"] == "Order to doorstep"
    with pytest.raises(InputRefused, match="already exists"):
        run_cli("journey", "import", str(out), "--db", db, "--workspace", EN)
    assert run_cli("journey", "import", str(out), "--db", db, "--workspace", EN, "--rename") == 0
    assert "Order to doorstep (2)" in capsys.readouterr().out
    with pytest.raises(InputRefused, match="--name"):
        run_cli("journey", "export", "--db", db, "--workspace", EN, "--out", str(out))
    with pytest.raises(CxdashError, match="No journey map"):
        run_cli("journey", "html", "--db", db, "--workspace", EN, "--name", "Nope", "--out", str(tmp_path / "x.html"))
    page = tmp_path / "net.html"
    assert (
        run_cli("journey", "html", "--db", db, "--workspace", EN, "--name", "Order to doorstep", "--out", str(page))
        == 0
    )
    html_text = page.read_text(encoding="utf-8")
    assert "vis.Network" in html_text and "cdn.jsdelivr" not in html_text and "Delivery speed" in html_text


def test_cli_as_a_subprocess(demo: tuple[str, Engine], tmp_path: Path) -> None:
    db, _ = demo
    out = tmp_path / "m.json"
    done = subprocess.run(
        [sys.executable, "-m", "cxdash", "journey", "export", "--db", db, "--workspace", EN, "--out", str(out)],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "Order to doorstep"
