"""`sentiment` subcommand: one JSON object per input text, in input order, from lines or a CSV column."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cxdash.analysis.sentiment import score_texts
from cxdash.cli_sentiment import main_sentiment

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["I love this shop", "配送が遅くて残念です", "", "The checkout kept crashing. Terrible!", "ok"]


def run(argv: list[str], stdin: bytes = b"") -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    code = main_sentiment(argv, stdin=io.BytesIO(stdin), stdout=out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_lines_from_a_file_in_input_order(tmp_path: Path) -> None:
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    code, records = run([str(path)])
    assert code == 0
    assert [r["text"] for r in records] == TEXTS
    assert all(set(r) == {"text", "lang", "compound", "label", "method"} for r in records)
    for r, s in zip(records, score_texts(TEXTS), strict=True):
        assert (r["lang"], r["compound"], r["label"], r["method"]) == (s.lang, s.compound, s.label, s.method)
    assert records[0]["label"] == "positive" and records[1]["lang"] == "ja" and records[1]["label"] == "negative"


def test_stdin_with_bom_and_crlf() -> None:
    code, records = run(["-"], ("\r\n".join(TEXTS[:2])).encode("utf-8-sig"))
    assert code == 0 and [r["text"] for r in records] == TEXTS[:2]


def test_a_cp932_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ja.txt"
    path.write_bytes("髙島屋の店員さんが丁寧でした①\n配送が遅い\n".encode("cp932"))
    code, records = run([str(path)])
    assert code == 0 and [r["text"] for r in records] == ["髙島屋の店員さんが丁寧でした①", "配送が遅い"]


def test_lang_forces_the_analyser() -> None:
    code, records = run(["--lang", "en", "-"], "配送が遅くて残念です\n".encode())
    assert code == 0 and records[0]["lang"] == "en" and records[0]["method"].startswith("vader")


def test_a_csv_column_by_name(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text('id,comment\n1,"Great, fast delivery"\n2,\n3,配送が遅い\n', encoding="utf-8")
    code, records = run(["--column", "comment", str(path)])
    assert code == 0
    assert [r["text"] for r in records] == ["Great, fast delivery", "", "配送が遅い"]
    assert records[0]["label"] == "positive"


def test_refusals_exit_2_with_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("id,comment\n1,hi\n", encoding="utf-8")
    assert run(["--column", "text", str(path)])[0] == 2
    assert "has no column 'text'" in capsys.readouterr().err
    assert run([str(tmp_path / "missing.txt")])[0] == 2
    assert "is not a file" in capsys.readouterr().err


def test_subprocess_python_m_cxdash_sentiment(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cxdash", "sentiment", "-"],
        cwd=REPO,
        input="\n".join(TEXTS).encode("utf-8"),
        capture_output=True,
        check=True,
    )
    records = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert [r["text"] for r in records] == TEXTS
