"""A score column's scale in the store: inferred (a 1–5 CES stays 1–5) or set in the mapping, and what the
metrics make of it. Through the library and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from cxdash.cli import main
from cxdash.errors import InputRefused
from cxdash.ingest.load import import_file
from cxdash.store.frames import touchpoint_scales
from cxdash.store.queries import CesScale, ces_scale, kpis
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
    assert ces_scale(engine, ws) == CesScale(1, 5, N)  # every CES answer on 1–5: CES is reported on 1–5
    assert kpis(engine, ws, {})["ces"].value == pytest.approx(mean)
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
    assert dry["scales"] == {"How easy was it to get your issue resolved?": [1, 4]}
    fives = [r for r in dry["rejected_rows"] if r["value"] == "5"]
    assert fives and all(r["reason"] == "5 is outside 1–4" for r in fives)
    roles["How easy was it to get your issue resolved?"] = "ces [2-6]"
    saved.write_text(json.dumps({"columns": roles}), encoding="utf-8")
    assert main(args) == 2
    out = capsys.readouterr()
    assert "'ces [2-6]'" in out.err and "starts at 0 or 1" in out.err and "mapping file 'mapping.json'" in out.err


def test_the_command_line_reports_ces_on_its_scale(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`metrics` gives CES on the scale of most of its answers and says which answers were rescaled onto it."""
    path = tmp_path / "ces5.csv"
    truth = _export(path)
    assert main(["import", str(path), "--db", store_url, "--workspace", "Effort", "--json"]) == 0
    older = tmp_path / "older.csv"
    older.write_text("id,ease\n" + "".join(f"old{i},{1 + i % 7}\n" for i in range(30)), encoding="utf-8")
    saved = tmp_path / "mapping.json"
    saved.write_text(json.dumps({"columns": {"id": "response_id", "ease": "ces [1-7]"}}), encoding="utf-8")
    assert main(["import", str(older), "--db", store_url, "--workspace", "Effort", "--mapping", str(saved)]) == 0
    capsys.readouterr()
    assert main(["metrics", "--db", store_url, "--workspace", "Effort", "--json"]) == 0
    ces = json.loads(capsys.readouterr().out)["ces"]
    mean = (sum(ease for ease, _ in truth) + sum(1 + (i % 7) * 4 / 6 for i in range(30))) / (N + 30)
    assert ces["scale"] == [1, 5] and ces["rescaled"] == [{"scale": [1, 7], "n": 30}]
    assert ces["n"] == N + 30 and ces["value"] == pytest.approx(mean)
    assert main(["metrics", "--db", store_url, "--workspace", "Effort"]) == 0
    assert f"CES (1–5): {ces['value']}" in capsys.readouterr().out
    # Chosen for the workspace from the command line, as on the Overview, and back to the scale of most answers.
    assert main(["metrics", "--db", store_url, "--workspace", "Effort", "--ces-scale", "1-7", "--json"]) == 0
    seven = json.loads(capsys.readouterr().out)["ces"]
    assert seven["scale"] == [1, 7] and seven["scale_chosen"] is True
    assert seven["value"] == pytest.approx(1 + (ces["value"] - 1) * 6 / 4)
    assert main(["metrics", "--db", store_url, "--workspace", "Effort", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ces"]["scale"] == [1, 7]  # kept
    assert main(["metrics", "--db", store_url, "--workspace", "Effort", "--ces-scale", "auto", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ces"]["scale"] == [1, 5]
    for wrong, said in (("2-6", "2–6 is not a scale CES can be reported on"), ("easy", "'easy' is not a scale")):
        assert main(["metrics", "--db", store_url, "--workspace", "Effort", "--ces-scale", wrong]) == 2
        assert said in capsys.readouterr().err


def _scores(engine: Engine, query: str) -> list[float]:
    """The scores a query of the store selects."""
    with engine.connect() as conn:
        return [float(score) for score in conn.execute(text(query)).scalars()]


def _effort(path: Path, answers: list[object], prefix: str) -> Path:
    lines = ["Response ID,How easy was it to get your issue resolved?"]
    lines += [f"{prefix}{i},{answer}" for i, answer in enumerate(answers)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_ces_keeps_the_workspace_scale_when_its_answers_fit_and_says_when_they_do_not(
    engine: Engine, tmp_path: Path
) -> None:
    """A tracker asks CES on 1–7. A month without a 6 or 7 is read on 1–7; a file answered on 1–5 by the user's
    choice, or with answers beyond 1–5 in a 1–5 workspace, keeps its own scale, with a warning that CES is
    rescaled where it is reported."""
    question = "How easy was it to get your issue resolved?"
    seven = import_file(engine, _effort(tmp_path / "may.csv", [1, 2, 3, 4, 5, 6, 7] * 5, "M"), "may.csv", "Track")
    assert seven.warnings == [] and _stored_ces_scales(engine, "Track") == {(1, 7)}
    june = import_file(engine, _effort(tmp_path / "june.csv", [2, 3, 4, 5] * 5, "J"), "june.csv", "Track")
    assert any(
        w.startswith(f"Column '{question}': CES read on 1–7, the scale of this workspace's CES answers")
        for w in june.warnings
    )
    assert _stored_ces_scales(engine, "Track") == {(1, 7)}
    ws = get_workspace(engine, "Track").id
    assert ws is not None
    assert ces_scale(engine, ws) == CesScale(1, 7, 55)
    assert (
        import_file(engine, _effort(tmp_path / "elsewhere.csv", [2, 3, 4, 5] * 5, "E"), "e.csv", "Other").warnings == []
    )
    # The user says the question is now asked on 1–5: kept, and the warning says how CES will be reported.
    chosen = {"Response ID": "response_id", question: "ces [1-5]"}
    july = import_file(engine, _effort(tmp_path / "july.csv", [1, 5] * 5, "L"), "july.csv", "Track", mapping=chosen)
    assert any(
        w.startswith(f"Column '{question}': CES answered on 1–5, while this workspace's CES answers so far are on 1–7")
        for w in july.warnings
    )
    assert ces_scale(engine, ws) == CesScale(1, 7, 55, (((1, 5), 10),))
    # Answers beyond the workspace's 1–5 keep their 1–7 (they would otherwise be rejected) and are rescaled.
    import_file(engine, _effort(tmp_path / "five.csv", [1, 2, 3, 4, 5] * 8, "F"), "five.csv", "Five")
    beyond = import_file(engine, _effort(tmp_path / "beyond.csv", [1, 4, 7] * 3, "B"), "beyond.csv", "Five")
    assert beyond.rejected_rows == [] and any("CES answered on 1–7" in w for w in beyond.warnings)
    assert _stored_ces_scales(engine, "Five") == {(1, 5), (1, 7)}


def test_a_long_file_holds_each_stored_touchpoint_to_its_scale(engine: Engine, tmp_path: Path) -> None:
    """A file of one row per rating (store, stars): a touchpoint the workspace rates 1–5 keeps 1–5 though the file's
    stars go to 7; its 6s and 7s are rejected naming it, the new touchpoint takes the file's scale, and the preview
    says so before anything is written."""
    wide = _ratings(tmp_path / "wide.csv", [1, 2, 3, 4, 5] * 4, "W")
    import_file(engine, wide, wide.name, "Long")
    rows = [f"L{i},{('Delivery', 'Checkout')[i % 2]},{1 + i % 7}" for i in range(28)]
    path = tmp_path / "long.csv"
    path.write_text("Review,Touchpoint,Stars\n" + "\n".join(rows) + "\n", encoding="utf-8")
    mapping = {"Review": "response_id", "Touchpoint": "touchpoint", "Stars": "rating"}
    dry = import_file(engine, path, path.name, "Long", mapping=mapping, dry_run=True)
    said = "Column 'Stars': touchpoints rated on another scale in this workspace keep it ('Delivery' 1–5)"
    assert any(w.startswith(said) for w in dry.warnings), dry.warnings
    result = import_file(engine, path, path.name, "Long", mapping=mapping)
    assert any(w.startswith(said) for w in result.warnings)
    assert not any("earlier imports" in w for w in result.warnings)  # said once, before writing
    reasons = {r.reason for r in result.rejected_rows}
    assert reasons == {f"{v} is outside 1–5, the scale touchpoint 'Delivery' has in this workspace" for v in (6, 7)}
    ws = get_workspace(engine, "Long").id
    assert ws is not None
    assert touchpoint_scales(engine, ws) == {"Delivery": (1, 5), "Checkout": (1, 7)}
    delivery = "SELECT r.score FROM rating r JOIN touchpoint t ON t.id = r.touchpoint_id WHERE t.name = 'Delivery'"
    assert max(_scores(engine, delivery)) == 5


def _ratings(path: Path, answers: list[object], prefix: str) -> Path:
    lines = ["Response ID,How likely to recommend?,Delivery"]
    lines += [f"{prefix}{i},{i % 11},{answer}" for i, answer in enumerate(answers)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _batches(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM import_batch")).scalar_one())


def test_a_touchpoint_rated_before_keeps_its_scale(engine: Engine, tmp_path: Path) -> None:
    """Monthly files of one tracker: a month without a 6 or 7 on the 1–7 delivery question is read on 1–7 (said in a
    warning), since its ratings are stored against the touchpoint's one scale; a scale set against it, or words of
    another scale, are refused before anything is written; answers above it are rejected row by row."""
    first = _ratings(tmp_path / "may.csv", [1, 2, 3, 4, 5, 6, 7] * 6, "M")
    assert import_file(engine, first, first.name, workspace="Tracker").status == "imported"
    ws = get_workspace(engine, "Tracker").id
    assert ws is not None
    june = _ratings(tmp_path / "june.csv", [2, 3, 4, 5] * 10, "J")
    result = import_file(engine, june, june.name, workspace="Tracker")
    assert result.status == "imported" and result.rejected_rows == []
    assert any(
        w.startswith("Column 'Delivery': read on 1–7, the scale touchpoint 'Delivery' has in this workspace")
        and "would make it 1–5" in w
        for w in result.warnings
    )
    assert touchpoint_scales(engine, ws) == {"Delivery": (1, 7)}
    elsewhere = import_file(engine, june, june.name, workspace="New", dry_run=True)
    assert not any("read on 1–7" in w for w in elsewhere.warnings)  # another workspace: the file's own scale

    before = _batches(engine)
    july = _ratings(tmp_path / "july.csv", [1, 2, 3, 4, 5] * 8, "K")
    mapping = {"Response ID": "response_id", "How likely to recommend?": "nps", "Delivery": "rating:Delivery [1-5]"}
    with pytest.raises(InputRefused) as refused:
        import_file(engine, july, july.name, workspace="Tracker", mapping=mapping)
    assert refused.value.message == (
        "Column 'Delivery' of 'july.csv': touchpoint 'Delivery' is rated 1–7 in this workspace, so its ratings cannot "
        "be read on 1–5. Set the column's Scale to Auto (or 1–7), or give it another touchpoint name."
    )
    five = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
    words = _ratings(tmp_path / "august.csv", five * 8, "A")  # every point of a 5-point scale: another question
    with pytest.raises(InputRefused, match="answers in words .* are not on that scale"):
        import_file(engine, words, words.name, workspace="Tracker")
    assert _batches(engine) == before

    some = _ratings(tmp_path / "september.csv", five[1:] * 8, "S")  # no one very dissatisfied: placed on 1–7
    placed = import_file(engine, some, some.name, workspace="Tracker")
    assert placed.status == "imported" and placed.rejected_rows == []
    september = "SELECT r.score FROM rating r JOIN response p ON p.id = r.response_id WHERE p.external_id LIKE 'S%'"
    assert sorted(set(_scores(engine, september))) == [2.0, 4.0, 6.0, 7.0]

    ten = _ratings(tmp_path / "october.csv", [1, 4, 7, 8, 9, 10] * 6, "T")  # stored 1–7, answers up to 10
    late = import_file(engine, ten, ten.name, workspace="Tracker")
    reasons = {r.reason for r in late.rejected_rows}
    assert reasons == {"8 is outside 1–7", "9 is outside 1–7", "10 is outside 1–7"}
    assert touchpoint_scales(engine, ws) == {"Delivery": (1, 7)}
