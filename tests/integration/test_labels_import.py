"""A Qualtrics export with "choice text" (answers in words) imported with the suggested roles, as a new user would:
the words become the numbers of their scale in the store, and CSAT, CES and the touchpoint scores follow from them."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cxdash.ingest.load import import_file
from cxdash.store.frames import touchpoint_scales
from cxdash.store.queries import kpis
from cxdash.store.workspaces import get_workspace

pytestmark = pytest.mark.store

SATISFACTION = [  # Qualtrics' 5-point satisfaction scale
    "Extremely dissatisfied",
    "Somewhat dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Somewhat satisfied",
    "Extremely satisfied",
]
EASE = ["Extremely difficult", "Somewhat difficult", "Neither easy nor difficult", "Somewhat easy", "Extremely easy"]
N = 120


def _choice_text_export(path: Path) -> list[tuple[int, int, int]]:
    """Write the export; return each response's (satisfaction, ease, delivery) as numbers 1–5."""
    rng = random.Random(11)
    header = [
        ("ResponseId", "Response ID"),
        ("RecordedDate", "Recorded Date"),
        ("Q1", "How likely are you to recommend ShopCo to a friend or colleague?"),
        ("Q2", "Overall, how satisfied or dissatisfied are you with ShopCo?"),
        ("Q3", "How easy was it to find what you were looking for?"),
        ("Q4_1", "How satisfied were you with each of the following? - Delivery"),
    ]
    rows: list[list[str]] = [[h[0] for h in header], [h[1] for h in header]]
    rows.append([json.dumps({"ImportId": f"QID{i}"}) for i in range(len(header))])
    truth = []
    for i in range(N):
        sat, ease, delivery = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
        truth.append((sat, ease, delivery))
        rows.append(
            [
                f"R_{i:04d}",
                f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00:00",
                str(rng.randint(0, 10)),
                SATISFACTION[sat - 1],
                EASE[ease - 1],
                SATISFACTION[delivery - 1],
            ]
        )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return truth


def test_choice_text_is_imported_as_numbers(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "qualtrics_choice_text.csv"
    truth = _choice_text_export(path)
    result = import_file(engine, path, path.name, workspace="Choice text")
    assert result.status == "imported" and result.rejected_rows == []
    assert (
        result.mapping["Q2"] == "csat" and result.mapping["Q3"] == "ces" and result.mapping["Q4_1"] == "rating:Delivery"
    )
    said = [w for w in result.warnings if "answers in words are read as a 1–5 scale" in w]
    assert len(said) == 2  # the two satisfaction columns share one sentence; the ease question has its own
    assert any(w.startswith("Columns 'Q2', 'Q4_1': ") and "Extremely dissatisfied = 1" in w for w in said)
    ws = get_workspace(engine, "Choice text").id
    assert ws is not None
    assert touchpoint_scales(engine, ws) == {"Delivery": (1, 5)}
    metrics = kpis(engine, ws, {})
    top2 = sum(sat >= 4 for sat, _, _ in truth)
    assert metrics["csat"].n == N and metrics["csat"].value == pytest.approx(100 * top2 / N)
    mean_ease = sum(ease for _, ease, _ in truth) / N  # on its own 1–5 scale, the scale CES is reported on
    assert metrics["ces"].n == N and metrics["ces"].value == pytest.approx(mean_ease)


def test_zendesk_good_or_bad_satisfaction_is_csat_as_zendesk_counts_it(engine: Engine, tmp_path: Path) -> None:
    """A ticket export: 'Satisfaction Score' is Good, Bad, Offered (asked, no answer) or Unoffered. Good / Bad is a
    1–2 scale, CSAT the share of Good (the top box: on a scale this short the top two would be everyone); tickets
    with neither a score nor a comment are not feedback and are left out with that reason."""
    rng = random.Random(3)
    scores = [rng.choice(["Good", "Good", "Bad", "Offered", "Unoffered"]) for _ in range(N)]
    rows = [["Id", "Subject", "Created at", "Satisfaction Score", "Satisfaction Comment", "Via"]]
    for i, score in enumerate(scores):
        comment = f"Ticket {i}: " + ("thanks, fixed fast" if score == "Good" else "still waiting") if i % 2 else ""
        rows.append([str(5000 + i), "Refund", f"2024-04-{1 + i % 28:02d} 10:00:00 +0900", score, comment, "Email"])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "zendesk_tickets.csv"
    path.write_bytes(buffer.getvalue().encode())
    result = import_file(engine, path, path.name, workspace="Tickets")
    assert result.mapping["Satisfaction Score"] == "csat"
    assert any("1–2 scale: Bad = 1, Good = 2" in w for w in result.warnings)
    ws = get_workspace(engine, "Tickets").id
    assert ws is not None
    csat = kpis(engine, ws, {})["csat"]
    good, bad = scores.count("Good"), scores.count("Bad")
    assert csat.n == good + bad and csat.value == pytest.approx(100 * good / (good + bad))
