"""Hostile and broken input (issue #6): every file of tests/data/hostile/ goes through the steps of the Import page
(read, suggest roles, the role editor's table, the validation report) and the import itself, into a real store.

Each file is either refused with one message that names the file and the problem (or its row), leaving the store
exactly as it was, or imported with a per-row report of what was rejected and why. No other exception than our
user-facing CxdashError may come out, and the command line exits 2 with one sentence and no traceback.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import SQLModel

from cxdash.cli import main as cli_main
from cxdash.errors import InputRefused
from cxdash.export import FORMULA_STARTS, to_safe_csv
from cxdash.i18n import use_language
from cxdash.ingest.load import import_file
from cxdash.ingest.mapping import editor_frame
from cxdash.ingest.read import read_table
from cxdash.ingest.result import ImportResult
from cxdash.ingest.suggest import suggest_with_reasons
from cxdash.ingest.validate import preview_import
from cxdash.store.models import ImportBatch
from cxdash.store.verbatims import export_verbatims
from cxdash.store.workspaces import get_workspace, list_workspaces, open_store

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO / "tests" / "data" / "hostile"
WORKSPACE = "Hostile"


def _corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS_DIR / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _corpus_module()

# Refused: the message (a regular expression) names the file and says what is wrong or where.
REFUSED: dict[str, str] = {
    "empty.csv": r"^'empty\.csv' is empty",
    "bom_only.csv": r"^'bom_only\.csv' is empty",
    "whitespace_only.csv": r"^'whitespace_only\.csv' is empty",
    "binary_random.csv": r"^'binary_random\.csv' is not a table \(it contains binary data\)",
    "pdf_renamed.csv": r"^'pdf_renamed\.csv' is a PDF document, not a table",
    "png_renamed.xlsx": r"^'png_renamed\.xlsx' is not a valid Excel workbook",
    "zip_renamed.xlsx": r"^'zip_renamed\.xlsx' is not a valid Excel workbook",
    "old_format.xls": r"^'old_format\.xls' is an old-format Excel file \(\.xls\)",
    "truncated.xlsx": r"^'truncated\.xlsx' is not a valid Excel workbook \(it is damaged, incomplete",
    "truncated_sheet.xlsx": r"^'truncated_sheet\.xlsx' is (not a valid Excel workbook|damaged)",
    "utf8_bom_but_cp932.csv": r"^'utf8_bom_but_cp932\.csv' starts with a UTF-8 marker \(BOM\) but line 1 is not UTF-8",
    "utf16_bom_but_utf8.csv": r"^'utf16_bom_but_utf8\.csv' starts with a UTF-16 marker \(BOM\) but its text is not",
    "utf8_bad_byte.csv": r"^'utf8_bad_byte\.csv' could not be read as text .* \(line 4 is not UTF-8\)",
    "nul_bytes.csv": r"^'nul_bytes\.csv' contains NUL bytes \(the first on line 4\)",
    "ragged_rows.csv": r"^'ragged_rows\.csv' row 252 has 4 cells but the rows above have 3",
    "unterminated_quote.csv": r"^'unterminated_quote\.csv' has a quote \(\"\) opened on row 3 that is never closed",
    "header_only.csv": r"^'header_only\.csv' has a header but no data rows",
    "no_score_column.csv": r"^'no_score_column\.csv' has no column for NPS, CSAT, CES, a touchpoint rating",
    "all_scores_invalid.csv": (
        r"^No row of 'all_scores_invalid\.csv' could be imported: all 9 rows were rejected "
        r"\(first: row 2, column 'NPS': 11 is outside 0–10\)"
    ),
}
# Files imported with a mapping of their own (the suggested one would not see an NPS column in them).
MAPPINGS: dict[str, dict[str, str]] = {
    "all_scores_invalid.csv": {"ResponseID": "response_id", "NPS": "nps"},
    "scores_garbage.csv": {"ResponseID": "response_id", "NPS": "nps", "Comment": "comment"},
}
# Imported: (rows read, responses written, [(row, column, start of the reason) of every rejected row]).
IMPORTED: dict[str, tuple[int, int, list[tuple[int, str, str]]]] = {
    "cp932_named_utf8.csv": (12, 12, []),
    "thousand_columns.csv": (25, 25, []),
    "formula_cells.xlsx": (6, 5, [(7, "NPS", "'#DIV/0!' is not a number")]),
    "html_js_everywhere.csv": (21, 21, []),
    "mixed_line_endings.csv": (5, 5, []),
    "dates_five_formats.csv": (
        12,
        6,
        [
            (8, "Date", "'03/07/2024' is not a date (expected like 2024-01-31"),
            (9, "Date", "'3/8/2024' is not a date"),
            (10, "Date", "'09.03.2024' is not a date"),
            (11, "Date", "'10.03.2024' is not a date"),
            (12, "Date", "'next Tuesday' is not a date"),
            (13, "Date", "'2024-02-30' is not a date"),
        ],
    ),
    "scores_garbage.csv": (
        16,
        7,
        [
            (6, "", "row has no score and no comment"),
            (7, "NPS", "11 is outside 0–10"),
            (8, "NPS", "-1 is outside 0–10"),
            (9, "NPS", "inf is outside 0–10"),
            (10, "NPS", "'nan' is not a number"),
            (11, "NPS", "inf is outside 0–10"),
            (12, "NPS", "5.5 is not a whole number"),
            (13, "NPS", "'abc' is not a number"),
            (14, "NPS", "100000000000000000000 is outside 0–10"),
        ],
    ),
    "duplicate_ids_and_headers.csv": (3, 3, []),
    "control_characters.csv": (6, 6, []),
    "huge_cell.csv": (6, 6, []),
    "excel_sep_line.csv": (3, 3, []),
    "blank_lines_and_spacers.csv": (3, 2, [(8, "", "row has no score and no comment")]),
}

BASELINE = b"ResponseID,NPS,Comment\r\nb1,9,Lovely\r\nb2,4,Slow delivery\r\n"


def snapshot(engine: Engine) -> dict[str, Any]:
    """Every table's row count and the import batches as rows: what 'the store is unchanged' compares."""
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(text(f'SELECT COUNT(*) FROM "{table.name}"')).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }
        batches = [tuple(r) for r in conn.execute(select(ImportBatch.__table__).order_by(text("id")))]  # type: ignore[attr-defined]
    return {"counts": counts, "batches": batches}


@pytest.fixture
def store(engine: Engine) -> Engine:
    """A store that already holds one good import (so 'unchanged' is checked against data, not emptiness)."""
    result = import_file(engine, BASELINE, "baseline.csv", WORKSPACE)
    assert result.status == "imported" and result.responses == 2
    return engine


def import_page_steps(engine: Engine, name: str) -> ImportResult:
    """What the Import page does with an upload, headless: read, suggest, editor table, report, then import."""
    data = (CORPUS_DIR / name).read_bytes()
    table = read_table(data, name)
    suggested = suggest_with_reasons(table)
    assert set(suggested) == set(table.columns)  # every column gets exactly one role
    mapping = {column: role for column, (role, _) in suggested.items()}
    editor = editor_frame(table, mapping, {c: why for c, (_, why) in suggested.items()})
    assert list(editor["Column"]) == table.columns
    preview = preview_import(table, MAPPINGS.get(name, mapping))
    assert preview.rows_read >= preview.rows_valid
    return import_file(engine, data, name, WORKSPACE, mapping=MAPPINGS.get(name))


# ------------------------------------------------------------------------------------------------ the corpus


def test_corpus_is_the_generators_output_and_small() -> None:
    names = {p.name for p in CORPUS_DIR.iterdir() if p.is_file() and p.name != "make_corpus.py"}
    assert names == set(corpus.CORPUS), "run: python tests/data/hostile/make_corpus.py"
    for name, make in corpus.CORPUS.items():
        assert (CORPUS_DIR / name).read_bytes() == make(), f"{name} differs from a fresh generation"
    assert sum((CORPUS_DIR / n).stat().st_size for n in names) < 2_000_000


def test_every_file_has_an_expected_outcome() -> None:
    assert set(REFUSED) | set(IMPORTED) == set(corpus.CORPUS)
    assert not set(REFUSED) & set(IMPORTED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_a_message_and_the_store_unchanged(store: Engine, name: str) -> None:
    before = snapshot(store)
    workspaces = [w.name for w in list_workspaces(store)]
    with pytest.raises(InputRefused) as refused:
        import_page_steps(store, name)
    message = refused.value.message
    assert re.search(REFUSED[name], message), message
    assert "\n" not in message and "Traceback" not in message
    assert snapshot(store) == before
    assert [w.name for w in list_workspaces(store)] == workspaces


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_imported_with_a_per_row_report(store: Engine, name: str) -> None:
    rows_read, written, rejected = IMPORTED[name]
    before = snapshot(store)["counts"]
    result = import_page_steps(store, name)
    assert result.status == "imported", result.message
    assert (result.rows_read, result.responses) == (rows_read, written), result.message
    got = [(r.row, r.column, r.reason) for r in result.rejected_rows]
    assert [(row, column) for row, column, _ in got] == [(row, column) for row, column, _ in rejected]
    for (_, _, reason), (_, _, start) in zip(got, rejected, strict=True):
        assert reason.startswith(start), reason
    if name.endswith(".csv") and rejected:  # the value is shown as it is in the file
        content = (CORPUS_DIR / name).read_bytes().decode("utf-8")
        assert all(r.value in content for r in result.rejected_rows)
    after = snapshot(store)["counts"]
    assert after["response"] - before["response"] == written
    assert after["import_batch"] == before["import_batch"] + 1


def test_refused_file_into_a_new_workspace_leaves_no_workspace(engine: Engine) -> None:
    before = snapshot(engine)
    with pytest.raises(InputRefused, match="could be imported"):
        import_file(engine, (CORPUS_DIR / "all_scores_invalid.csv").read_bytes(), "all_scores_invalid.csv", "New",
                    mapping=MAPPINGS["all_scores_invalid.csv"])  # fmt: skip
    assert list_workspaces(engine) == [] and snapshot(engine) == before


# ------------------------------------------------------------------------------------------- what is stored


def stored(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(sql))]


def test_html_and_script_are_stored_as_the_text_they_are(store: Engine) -> None:
    import_page_steps(store, "html_js_everywhere.csv")
    comments = stored(store, "SELECT text FROM comment")
    for payload in corpus.PAYLOADS:
        assert any(payload in c for c in comments), payload
    touchpoints = stored(store, "SELECT name FROM touchpoint")
    assert any("<img src=x onerror=" in n for n in touchpoints) and any("<script>" in n for n in touchpoints)
    assert set(stored(store, "SELECT DISTINCT value FROM attribute WHERE name = 'Plan'")) == set(corpus.PAYLOADS[:3])
    assert set(stored(store, "SELECT DISTINCT channel FROM response WHERE channel IS NOT NULL")) == set(corpus.PAYLOADS)


def test_formula_text_is_stored_as_typed_and_exported_neutralised(store: Engine) -> None:
    import_page_steps(store, "formula_cells.xlsx")
    comments = stored(store, "SELECT text FROM comment WHERE text NOT IN ('Lovely', 'Slow delivery') ORDER BY id")
    assert len(comments) == 5 and corpus.FORMULA in comments and "@SUM(A1:A2)" in comments and "-2+3" in comments
    workspace = get_workspace(store, WORKSPACE).id
    assert workspace is not None
    # the Voice page's "Export CSV": the store's verbatims through to_safe_csv, read back as a spreadsheet would
    exported = to_safe_csv(export_verbatims(store, workspace)).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    for text_ in comments:
        assert "'" + text_ in cells, text_
    assert not [c for c in cells if c.startswith(FORMULA_STARTS) and not re.fullmatch(r"-?\d+(\.\d+)?", c)]


def test_formula_cells_use_the_value_excel_saved(store: Engine) -> None:
    import_page_steps(store, "formula_cells.xlsx")
    nps = dict(zip(stored(store, "SELECT external_id FROM response"), stored(store, "SELECT nps FROM response"),
                   strict=True))  # fmt: skip
    assert nps["r1"] == 9  # =4+5 with its cached 9
    assert nps["r2"] is None  # a formula never calculated (no cached value) is an empty answer, not a guess


def test_control_characters_and_emoji_are_kept(store: Engine) -> None:
    import_page_steps(store, "control_characters.csv")
    comments = stored(store, "SELECT text FROM comment")
    assert "家族 👨‍👩‍👧 と来店 🎉" in comments and "abc\u202edcba" in comments


def test_dates_in_year_first_layouts_are_all_read(store: Engine) -> None:
    import_page_steps(store, "dates_five_formats.csv")
    days = sorted(
        str(d)[:10] for d in stored(store, "SELECT responded_at FROM response WHERE responded_at IS NOT NULL")
    )
    assert days == ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05", "2024-03-06"]


# --------------------------------------------------------------------------------------- made at test time


def test_enormous_single_line_is_refused(store: Engine, tmp_path: Path) -> None:
    path = corpus.enormous_line(tmp_path / "one_line.csv", megabytes=20)
    before = snapshot(store)
    with pytest.raises(InputRefused, match=r"^'one_line\.csv' has a first line longer than 16 MB"):
        import_file(store, path, path.name, WORKSPACE)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("r60000,5,Good, but slow\n", r"row 60002 has 4 cells but the rows above have 3"),
        ('r60000,5,"never closed\n', r"has a quote \(\"\) opened on row 60002 that is never closed"),
        ("r60000,5,Good\x00\n", r"contains NUL bytes \(the first on line 60002\)"),
    ],
)
def test_a_bad_row_far_down_the_file_refuses_the_whole_import(
    store: Engine, tmp_path: Path, bad_row: str, message: str
) -> None:
    """Past the sample and the first 50,000-row chunk: written chunks are rolled back, nothing stays."""
    rows = "".join(f"r{i},{i % 11},Fine\n" for i in range(60_000))
    path = tmp_path / "late.csv"
    path.write_text("ResponseID,NPS,Comment\n" + rows + bad_row + "r60001,7,Fine\n", encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(InputRefused, match=message):
        import_file(store, path, path.name, WORKSPACE)
    assert snapshot(store) == before


# ------------------------------------------------------------------------------------------------- Japanese


def test_refusals_and_reasons_in_japanese(store: Engine) -> None:
    with use_language("ja"), pytest.raises(InputRefused) as refused:
        read_table(b"", "空.csv")
    assert refused.value.message.startswith("「空.csv」は空です。")
    with use_language("ja"):
        result = import_page_steps(store, "scores_garbage.csv")
    reasons = {r.row: r.reason for r in result.rejected_rows}
    assert reasons[6] == "スコアもコメントもありません"
    assert reasons[7] == "11 は 0〜10 の範囲外です"
    assert reasons[13] == "「abc」は数値ではありません"
    assert result.message.startswith("「scores_garbage.csv」の 16 行のうち 7 行を取り込みました")


# ---------------------------------------------------------------------------------------------- the command line


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cxdash", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


#: refused files also run as their own ``python -m cxdash`` (a refusal while reading, one after validation); the
#: others go through the same ``main`` in this process, since each new interpreter costs about a second of CPU
SPAWNED = ("binary_random.csv", "all_scores_invalid.csv")


def test_cli_refuses_each_file_with_exit_2_and_one_sentence(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``import`` on every refused file: exit 2, one sentence on stderr naming the file, "rejected" on stdout."""
    mapping_files = {}
    for name, mapping in MAPPINGS.items():
        mapping_files[name] = tmp_path / f"{name}.json"
        mapping_files[name].write_text(json.dumps({"columns": mapping}), encoding="utf-8")

    def args(name: str) -> list[str]:
        out = ["import", str(CORPUS_DIR / name), "--db", store_url, "--workspace", f"CLI {name}", "--json"]
        return out + (["--mapping", str(mapping_files[name])] if name in mapping_files else [])

    outcomes: dict[str, tuple[int, str, str]] = {}
    for name in sorted(REFUSED):
        code = cli_main(args(name))
        captured = capsys.readouterr()
        outcomes[name] = (code, captured.out, captured.err)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, run in zip(SPAWNED, pool.map(lambda n: run_cli(*args(n)), SPAWNED), strict=True):
            outcomes[f"{name} (python -m cxdash)"] = (run.returncode, run.stdout, run.stderr)
    assert len(outcomes) == len(REFUSED) + len(SPAWNED)
    for key, (code, stdout, stderr) in outcomes.items():
        name = key.split(" (")[0]
        assert code == 2, (key, stderr)
        assert "Traceback" not in stderr and "Traceback" not in stdout, key
        err = stderr.strip()
        assert err.startswith("cxdash: ") and "\n" not in err and f"'{name}'" in err, err
        assert re.search(REFUSED[name].lstrip("^"), err), err
        assert json.loads(stdout)["status"] == "rejected", key
    engine = open_store(store_url)
    try:
        assert list_workspaces(engine) == []  # not even the workspaces named on the command line were left
    finally:
        engine.dispose()
