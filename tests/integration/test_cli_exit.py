"""How `python -m cxdash` ends: without the interpreter's teardown, but with its output whole, its exit code, the
store's log folded in, no helper process left behind, and a closed output pipe ending it quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _rows(n: int) -> str:
    lines = ["id,nps,comment"] + [
        f"r{i},{i % 11},The delivery was {'late' if i % 3 else 'quick'} number {i}" for i in range(n)
    ]
    return "\n".join(lines) + "\n"


def _group_members(pgid: int) -> list[int]:
    """Processes still in the process group ``pgid`` (zombies excluded)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_an_import_ends_with_its_result_its_log_folded_in_and_no_worker_left(tmp_path: Path) -> None:
    data = tmp_path / "survey.csv"
    data.write_text(_rows(13_000), encoding="utf-8")  # over 512 KB: the workers start early
    assert data.stat().st_size >= 512 * 1024
    db = tmp_path / "cx.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxdash", "import", str(data), "--db", str(db), "--json"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the workers and the fork server are in it
    )
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert (result["status"], result["responses"], result["comments"]) == ("imported", 13_000, 13_000)
    assert not Path(f"{db}-wal").exists()  # the last connection closed: the log was checkpointed and removed
    deadline = time.monotonic() + 10
    while _group_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group_members(proc.pid) == []


def test_a_refusal_keeps_its_exit_code_and_sentence(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cxdash", "import", str(tmp_path / "missing.csv"), "--db", str(tmp_path / "x.db")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.strip() == f"cxdash: '{tmp_path / 'missing.csv'}' is not a file."


def test_output_into_a_pipe_closed_early_ends_quietly(tmp_path: Path) -> None:
    """`python -m cxdash sentiment < many_lines | head -1`: exit code 1, no traceback."""
    texts = tmp_path / "texts.txt"
    texts.write_text("great product\n" * 200_000, encoding="utf-8")
    read_end, write_end = os.pipe()
    with texts.open("rb") as stdin:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cxdash", "sentiment"],
            cwd=REPO,
            stdin=stdin,
            stdout=write_end,
            stderr=subprocess.PIPE,
        )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        first = reader.readline()  # the reader takes one line, then goes away
    _, err = proc.communicate(timeout=300)
    assert json.loads(first)["compound"] == 0.6249
    assert proc.returncode == 1
    assert b"Traceback" not in err and b"Exception ignored" not in err, err.decode()


def test_a_bug_ends_with_one_sentence_asking_for_a_report_and_leaves_no_new_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error that is cxdash's, not the input's: exit 1, one sentence naming it (no traceback), and the workspace
    made for the import is gone again; CXDASH_DEBUG=1 shows the traceback."""
    from cxdash import cli
    from cxdash.ingest import load
    from cxdash.store.workspaces import list_workspaces, open_store

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("No")

    survey = tmp_path / "survey.csv"
    survey.write_text(_rows(20), encoding="utf-8")
    db = tmp_path / "x.db"
    monkeypatch.setattr(load, "import_table", broken)
    monkeypatch.delenv("CXDASH_DEBUG", raising=False)
    assert cli.main(["import", str(survey), "--db", str(db), "--workspace", "New", "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "error"
    assert err.startswith(
        "cxdash: cxdash import stopped on an internal error (KeyError: 'No'). This is a bug in cxdash"
    )
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert [w.name for w in list_workspaces(open_store(str(db)))] == []
    monkeypatch.setenv("CXDASH_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(["import", str(survey), "--db", str(db), "--workspace", "New"])
