"""Loading into a real store (SQLite or PostgreSQL): counts, idempotence, updates, deletion, all-or-nothing, chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from cxdash.errors import InputRefused, NotFound
from cxdash.ingest.load import delete_batch, import_file, import_table, list_batches
from cxdash.ingest.table import CHUNK_ROWS, RawTable
from cxdash.store.workspaces import get_or_create_workspace

TABLES = ("import_batch", "customer", "response", "touchpoint", "rating", "attribute", "comment")
MAPPING = {
    "ResponseID": "response_id",
    "Customer": "customer_id",
    "Date": "date",
    "NPS": "nps",
    "Delivery": "rating:Delivery",
    "Support": "rating:Support",
    "Comment": "comment",
    "Plan": "attribute:plan",
}


@pytest.fixture
def ws(engine: Engine) -> int:
    workspace_id = get_or_create_workspace(engine, "Test").id
    assert workspace_id is not None
    return workspace_id


def survey(ids: list[str], nps: list[str], delivery: list[str], content_hash: str) -> RawTable:
    n = len(ids)
    frame = pd.DataFrame(
        {
            "ResponseID": ids,
            "Customer": [f"c{i % 2}" for i in range(n)],
            "Date": ["2024-03-0" + str(1 + i % 9) for i in range(n)],
            "NPS": nps,
            "Delivery": delivery,
            "Support": ["4"] * n,
            "Comment": ["The delivery was wonderful" if i % 2 == 0 else "Terrible, awful support" for i in range(n)],
            "Plan": [" gold "] * n,
        }
    )
    return RawTable.from_frame(frame, file_name="survey.csv", content_hash=content_hash)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


def scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_import_writes_responses_ratings_attributes_and_comments(engine: Engine, ws: int) -> None:
    t = survey(["r1", "r2", "r3", "r4"], ["10", "abc", "3", "9"], ["5", "4", "1", "2"], "h1")
    calls: list[tuple[float, str]] = []
    result = import_table(engine, ws, t, MAPPING, progress=lambda f, m: calls.append((f, m)))
    assert result.status == "imported" and result.batch_id is not None
    assert (result.rows_read, result.responses, result.comments, result.touchpoints) == (4, 3, 3, 2)
    assert [(r.row, r.column, r.value) for r in result.rejected_rows] == [(3, "NPS", "abc")]
    assert calls[-1][0] == 1.0
    c = counts(engine)
    assert (c["response"], c["rating"], c["attribute"], c["comment"], c["customer"]) == (3, 6, 3, 3, 2)
    with engine.connect() as conn:
        per_tp = dict(
            conn.execute(
                text(
                    "SELECT t.name, COUNT(*) FROM rating r JOIN touchpoint t ON t.id = r.touchpoint_id GROUP BY t.name"
                )
            ).all()
        )
        labels = conn.execute(text("SELECT label, method FROM comment ORDER BY id")).all()
        batch = conn.execute(text("SELECT rows_read, responses, rows_rejected, comments FROM import_batch")).one()
        nps = conn.execute(text("SELECT external_id, nps, responded_at FROM response ORDER BY source_row")).all()
    assert per_tp == {"Delivery": 3, "Support": 3}
    assert [lab for lab, _ in labels] == ["positive", "positive", "negative"]  # rows 2, 4, 5
    assert {m for _, m in labels} == {"vader-3.3.2"}
    assert tuple(batch) == (4, 3, 1, 3)
    assert [(e, n) for e, n, _ in nps] == [("r1", 10), ("r3", 3), ("r4", 9)]
    assert str(nps[0][2]).startswith("2024-03-01")
    assert scalar(engine, "SELECT DISTINCT value FROM attribute") == "gold"


def test_same_content_again_is_unchanged(engine: Engine, ws: int) -> None:
    t = survey(["r1", "r2"], ["10", "9"], ["5", "4"], "same")
    first = import_table(engine, ws, t, MAPPING)
    before = counts(engine)
    again = import_table(engine, ws, survey(["r1", "r2"], ["10", "9"], ["5", "4"], "same"), MAPPING)
    assert again.status == "unchanged" and again.batch_id == first.batch_id
    assert "already imported" in again.message
    assert counts(engine) == before


def test_reimported_response_ids_are_updated_not_duplicated(engine: Engine, ws: int) -> None:
    import_table(engine, ws, survey(["r1", "r2", "r3"], ["10", "9", "8"], ["5", "5", "5"], "h1"), MAPPING)
    second = import_table(engine, ws, survey(["r2", "r3", "r4"], ["1", "2", "3"], ["1", "2", "3"], "h2"), MAPPING)
    assert (second.responses, second.responses_updated) == (3, 2)
    c = counts(engine)
    assert (c["response"], c["rating"], c["comment"], c["attribute"], c["customer"]) == (4, 8, 4, 4, 2)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.external_id, r.nps, r.batch_id, g.score FROM response r "
                "JOIN rating g ON g.response_id = r.id JOIN touchpoint t ON t.id = g.touchpoint_id "
                "WHERE t.name = 'Delivery' ORDER BY r.external_id"
            )
        ).all()
    assert [(e, n, b, s) for e, n, b, s in rows] == [
        ("r1", 10, 1, 5.0),
        ("r2", 1, 2, 1.0),
        ("r3", 2, 2, 2.0),
        ("r4", 3, 2, 3.0),
    ]
    assert [b.id for b in list_batches(engine, ws)] == [2, 1]


def test_delete_batch_cascades(engine: Engine, ws: int) -> None:
    first = import_table(engine, ws, survey(["r1", "r2"], ["10", "9"], ["5", "4"], "h1"), MAPPING)
    import_table(engine, ws, survey(["r3"], ["7"], ["3"], "h2"), MAPPING)
    assert first.batch_id is not None
    delete_batch(engine, first.batch_id)
    c = counts(engine)
    assert (c["import_batch"], c["response"], c["rating"], c["attribute"], c["comment"]) == (1, 1, 2, 1, 1)
    orphans = (
        "SELECT COUNT(*) FROM {child} LEFT JOIN response ON response.id = {child}.response_id WHERE response.id IS NULL"
    )
    assert [scalar(engine, orphans.format(child=t)) for t in ("rating", "attribute", "comment")] == [0, 0, 0]
    with pytest.raises(NotFound):
        delete_batch(engine, first.batch_id)


def test_all_rows_invalid_is_refused_and_store_unchanged(engine: Engine, ws: int) -> None:
    import_table(engine, ws, survey(["r1"], ["10"], ["5"], "h1"), MAPPING)
    before = counts(engine)
    bad = survey([f"x{i}" for i in range(120)], ["abc"] * 120, ["4"] * 120, "h-bad")
    with pytest.raises(InputRefused) as err:
        import_table(engine, ws, bad, MAPPING)
    assert err.value.message == (
        "No row of 'survey.csv' could be imported: all 120 rows were rejected "
        "(first: row 2, column 'NPS': 'abc' is not a number)."
    )
    assert counts(engine) == before


def test_error_mid_load_leaves_nothing(engine: Engine, ws: int) -> None:
    import_table(engine, ws, survey(["r1"], ["10"], ["5"], "h1"), MAPPING)
    before = counts(engine)
    good = survey(["r1", "r2", "r3"], ["1", "2", "3"], ["1", "2", "3"], "h2")

    def failing(size: int) -> Iterator[pd.DataFrame]:
        yield next(good.chunks(size))
        raise OSError("disk went away")

    t = RawTable(
        file_name="survey.csv", columns=good.columns, sample=good.sample, chunk_source=failing, content_hash="h2"
    )
    with pytest.raises(OSError, match="disk went away"):
        import_table(engine, ws, t, MAPPING)
    assert counts(engine) == before
    assert scalar(engine, "SELECT nps FROM response WHERE external_id = 'r1'") == 10


def test_long_review_file(engine: Engine, ws: int) -> None:
    frame = pd.DataFrame(
        {
            "Review": ["v1", "v2", "v3", "v4"],
            "Store": ["Shibuya", "Umeda", "Shibuya", "Namba"],
            "Stars": ["5", "2", "4", None],
            "Text": ["Wonderful staff", "Dirty and slow", None, "スタッフがとても親切でした"],
        }
    )
    t = RawTable.from_frame(frame, file_name="reviews.csv", content_hash="rev")
    result = import_table(
        engine, ws, t, {"Review": "response_id", "Store": "touchpoint", "Stars": "rating", "Text": "comment"}
    )
    assert (result.responses, result.comments, result.touchpoints) == (4, 3, 3)
    with engine.connect() as conn:
        ratings = conn.execute(
            text("SELECT t.name, g.score FROM rating g JOIN touchpoint t ON t.id = g.touchpoint_id ORDER BY g.score")
        ).all()
        comments = conn.execute(
            text(
                "SELECT t.name, c.language, c.label FROM comment c JOIN touchpoint t ON t.id = c.touchpoint_id "
                "ORDER BY c.id"
            )
        ).all()
        scales = conn.execute(text("SELECT name, scale_min, scale_max FROM touchpoint ORDER BY position")).all()
    assert [tuple(r) for r in ratings] == [("Umeda", 2.0), ("Shibuya", 4.0), ("Shibuya", 5.0)]
    assert [tuple(c)[:2] for c in comments] == [("Shibuya", "en"), ("Umeda", "en"), ("Namba", "ja")]
    assert [c[2] for c in comments][:2] == ["positive", "negative"]
    assert [tuple(s) for s in scales] == [("Shibuya", 1, 5), ("Umeda", 1, 5), ("Namba", 1, 5)]


def test_dry_run_writes_nothing(engine: Engine, ws: int) -> None:
    before = counts(engine)
    result = import_table(engine, ws, survey(["r1", "r2"], ["10", "x"], ["5", "4"], "h1"), MAPPING, dry_run=True)
    assert (result.status, result.batch_id, result.responses, len(result.rejected_rows)) == ("dry_run", None, 1, 1)
    assert counts(engine) == before


def test_large_file_is_loaded_in_chunks(engine: Engine, ws: int) -> None:
    n = 120_000
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "ResponseID": [f"id{i}" for i in range(n)],
            "NPS": rng.integers(0, 11, n).astype(str),
            "Delivery": rng.integers(1, 6, n).astype(str),
            "Plan": rng.choice(["basic", "pro"], n),
        }
    )
    frame.loc[n - 1, "NPS"] = "12"
    t = RawTable.from_frame(frame, file_name="big.csv", content_hash="big")
    sizes: list[int] = []
    source = t.chunk_source

    def counting(size: int) -> Iterator[pd.DataFrame]:
        for chunk in source(size):
            sizes.append(len(chunk))
            yield chunk

    t.chunk_source = counting
    progress: list[float] = []
    result = import_table(
        engine,
        ws,
        t,
        {"ResponseID": "response_id", "NPS": "nps", "Delivery": "rating:Delivery", "Plan": "attribute:plan"},
        progress=lambda f, _m: progress.append(f),
    )
    full, rest = divmod(n, CHUNK_ROWS)
    assert sizes == [CHUNK_ROWS] * full + ([rest] if rest else [])
    assert len(sizes) >= 3
    # one step per chunk, then opening follow-up cases, then done
    assert len(progress) == len(sizes) + 2 and progress == sorted(progress) and progress[-1] == 1.0
    assert result.responses == n - 1
    assert [(r.row, r.reason) for r in result.rejected_rows] == [(n + 1, "12 is outside 0–10")]
    c = counts(engine)
    assert (c["response"], c["rating"], c["attribute"]) == (n - 1, n - 1, n - 1)
    assert scalar(engine, "SELECT COUNT(DISTINCT source_row) FROM response") == n - 1


def test_an_import_runs_with_the_collector_tuned_and_gives_its_thresholds_back(engine: Engine, ws: int) -> None:
    import gc

    from cxdash.gctune import GEN0_THRESHOLD

    before = gc.get_threshold()
    during: list[int] = []
    progress = lambda fraction, message: during.append(gc.get_threshold()[0])  # noqa: E731 - one line
    import_table(engine, ws, survey(["r1", "r2"], ["9", "3"], ["5", "1"], "gc1"), MAPPING, progress=progress)
    assert during and all(t >= GEN0_THRESHOLD for t in during)
    roles = {"ID": "response_id", "NPS": "nps", "Comment": "comment"}
    data = b"ID,NPS,Comment\nr1,9,Great app\nr2,3,Too slow\n"
    assert import_file(engine, data, "s.csv", "Files", mapping=roles, progress=progress).responses == 2
    assert gc.get_threshold() == before
    with pytest.raises(InputRefused):  # every score invalid: refused
        import_file(engine, b"ID,NPS,Comment\nr1,x,Hm\n", "bad.csv", "Files", mapping=roles)
    assert gc.get_threshold() == before


def test_import_file_with_a_saved_mapping(engine: Engine) -> None:
    data = b"ID,NPS,Comment,Extra\nr1,9,Great app,x\nr2,3,Too slow,y\n"
    with pytest.raises(InputRefused, match="'Region'"):
        import_file(engine, data, "s.csv", "Files", mapping={"ID": "response_id", "Region": "attribute:region"})
    assert counts(engine)["response"] == 0
    result = import_file(
        engine, data, "s.csv", "Files", mapping={"ID": "response_id", "NPS": "nps", "Comment": "comment"}
    )
    assert (result.status, result.responses, result.comments) == ("imported", 2, 2)
    assert any("'Extra'" in w for w in result.warnings)
    assert (
        import_file(engine, data, "s.csv", "Files", mapping={"ID": "response_id", "NPS": "nps"}).status == "unchanged"
    )


def test_workers_start_as_soon_as_a_large_file_is_read(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """import_file starts the comment workers right after reading a file whose sample is full (before suggesting
    roles and planning); not for a small file, and not for a dry run."""
    import cxdash.ingest.load as load
    from cxdash.ingest.table import SAMPLE_ROWS

    calls: list[str] = []
    monkeypatch.setattr(load, "warm_up", lambda japanese=False: calls.append("warm ja" if japanese else "warm"))
    small = b"ResponseID,NPS,Comment\nr1,9,Great\nr2,3,Slow\n"
    import_file(engine, small, "small.csv", workspace="W")
    assert calls == []
    lines = [f"r{i},{i % 11},comment {i % 7}" for i in range(SAMPLE_ROWS + 10)]
    large = ("ResponseID,NPS,Comment\n" + "\n".join(lines) + "\n").encode()
    import_file(engine, large, "large.csv", workspace="W", dry_run=True)
    assert calls == []
    no_comments = {"ResponseID": "response_id", "NPS": "nps", "Comment": "ignore"}  # the import itself never warms up
    import_file(engine, large, "large.csv", workspace="W", mapping=no_comments)
    assert calls == ["warm"]
    # Japanese comments in the sample: the workers load the embedding model too; a Japanese segment value does not
    japanese = [f"j{i},{i % 11},配送が遅くて困りました。{i}" for i in range(SAMPLE_ROWS + 10)]
    import_file(engine, ("ResponseID,NPS,Comment\n" + "\n".join(japanese) + "\n").encode(), "ja.csv", workspace="W")
    segment = [f"s{i},{i % 11},会員,comment {i % 7}" for i in range(SAMPLE_ROWS + 10)]
    import_file(
        engine, ("ResponseID,NPS,会員ランク,Comment\n" + "\n".join(segment) + "\n").encode(), "s.csv", workspace="W"
    )
    assert calls == ["warm", "warm ja", "warm ja", "warm"]  # ja.csv: at reading, and again by its comments


@pytest.mark.parametrize("remembered", [2, 1_000])
def test_customers_across_chunks_are_made_once_and_linked(
    engine: Engine, ws: int, monkeypatch: pytest.MonkeyPatch, remembered: int
) -> None:
    """Customers repeated across chunks are made once, in a new workspace (remembered by the batch, or looked up in
    the store once more than ``REMEMBERED_CUSTOMERS`` were made) and in one that has customers already."""
    from cxdash.ingest import load, write

    monkeypatch.setattr(load, "CHUNK_ROWS", 4)
    monkeypatch.setattr(write, "REMEMBERED_CUSTOMERS", remembered)
    n = 23

    def table(prefix: str, content_hash: str) -> RawTable:
        frame = pd.DataFrame(
            {
                "ResponseID": [f"{prefix}{i}" for i in range(n)],
                "Customer": [f"c{i % 7}" for i in range(n)],
                "NPS": [str(i % 11) for i in range(n)],
            }
        )
        return RawTable.from_frame(frame, file_name="c.csv", content_hash=content_hash)

    mapping = {"ResponseID": "response_id", "Customer": "customer_id", "NPS": "nps"}
    other = get_or_create_workspace(engine, "Other").id
    assert other is not None
    for workspace, prefix in ((ws, "a"), (ws, "b"), (other, "a")):
        result = import_table(engine, workspace, table(prefix, f"{workspace}{prefix}"), mapping)
        assert result.responses == n
    with engine.connect() as conn:
        linked = conn.execute(
            text(
                "SELECT r.workspace_id, r.external_id, c.external_id, c.workspace_id FROM response r "
                "JOIN customer c ON c.id = r.customer_id"
            )
        ).all()
        made = conn.execute(text("SELECT workspace_id, COUNT(*) FROM customer GROUP BY workspace_id")).all()
    assert sorted(made) == sorted([(ws, 7), (other, 7)])
    assert len(linked) == 3 * n
    for workspace, response, customer, customer_ws in linked:
        assert customer_ws == workspace and customer == f"c{int(response[1:]) % 7}"


def test_import_file_of_a_large_file_starts_the_workers_before_reading_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library's import_file starts the workers as the command line does (a large file, not a dry run), before
    the file is read, bytes or path; the command line's threshold is the library's."""
    from cxdash import cli
    from cxdash.ingest import load, read

    events: list[str] = []
    monkeypatch.setattr(load, "warm_up", lambda japanese=False: events.append(f"warm {japanese}"))
    real_read = read.read_table
    monkeypatch.setattr(read, "read_table", lambda *a, **k: (events.append("read"), real_read(*a, **k))[1])
    assert cli.EARLY_WORKERS_BYTES == load.EARLY_WORKERS_BYTES
    small = b"id,nps,comment\nr1,9,fine\n"
    large = b"id,nps,comment\n" + b"".join(b"r%d,9,fine\n" % i for i in range(load.EARLY_WORKERS_BYTES // 10))
    roles = {"id": "response_id", "nps": "nps", "comment": "comment"}
    load.import_file(engine, small, "small.csv", workspace="w", mapping=roles)
    load.import_file(engine, large, "large.csv", workspace="w", mapping=roles, dry_run=True)
    assert events == ["read", "read"]  # a small file, a dry run: no workers
    events.clear()
    path = tmp_path / "large.csv"
    path.write_bytes(large)
    load.import_file(engine, path, "large.csv", workspace="w", mapping=roles)
    assert events[:2] == ["warm False", "read"] and set(events[2:]) == {"warm False"}  # and again after reading
