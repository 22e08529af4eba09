"""An import scores and tags its comments in its own transaction: the tags it writes are exactly those a rebuild
from the stored comments gives, whether the comments went through the worker processes or not."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from cxdash.analysis import comments as comment_analysis
from cxdash.analysis import pool
from cxdash.analysis.sentiment import vader_compound
from cxdash.errors import InputRefused
from cxdash.ingest.load import import_table
from cxdash.ingest.table import RawTable
from cxdash.store.themes import list_themes, tag_comments
from cxdash.store.workspaces import get_or_create_workspace

REPO = Path(__file__).resolve().parents[2]

PARTS_EN = [
    "the delivery was late",
    "support never replied",
    "checkout was easy",
    "the price is too high",
    "staff were friendly",
    "the app kept crashing",
    "great value for money",
    "the parcel arrived damaged",
]
PARTS_JA = [
    "配送が遅かった",
    "スタッフの対応が丁寧でした",
    "価格が高すぎる",
    "アプリが使いにくい",
    "梱包がきれいでした",
]
MAPPING = {"id": "response_id", "nps": "nps", "Delivery": "rating:Delivery", "comment": "comment"}


def survey(n: int, seed: int) -> RawTable:
    rnd = random.Random(seed)
    texts = []
    for i in range(n):
        if i % 7 == 0:
            texts.append("、".join(rnd.sample(PARTS_JA, 2)) + f"（{i}）")
        else:
            texts.append(f"{rnd.choice(PARTS_EN).capitalize()} and {rnd.choice(PARTS_EN)} (order {i}).")
    frame = pd.DataFrame(
        {
            "id": [f"R{seed}-{i}" for i in range(n)],
            "nps": [str(rnd.randint(0, 10)) for _ in range(n)],
            "Delivery": [str(rnd.randint(1, 5)) for _ in range(n)],
            "comment": texts,
        }
    )
    return RawTable.from_frame(frame, file_name=f"survey{seed}.csv", content_hash=f"analysis-{seed}")


def stored_tags(engine: Engine) -> set[tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT c.text, ct.theme_id FROM comment_theme ct JOIN comment c ON c.id = ct.comment_id")
        )
        return {(t, tid) for t, tid in rows}


@pytest.mark.parametrize("through_pool", [False, True], ids=["in-process", "worker-pool"])
def test_import_tags_equal_a_rebuild_from_the_stored_comments(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, through_pool: bool
) -> None:
    monkeypatch.setattr(comment_analysis, "PARALLEL_TEXTS", 50 if through_pool else 10**9)
    ws = get_or_create_workspace(engine, "Tags").id
    assert ws is not None
    result = import_table(engine, ws, survey(400, seed=1), MAPPING)
    assert result.status == "imported" and result.comments == 400
    if through_pool:
        assert pool.workers() >= 2  # the comments really went to the worker processes
    assert list_themes(engine, ws), "the import seeds the default themes"
    imported = stored_tags(engine)
    assert len(imported) > 100
    tag_comments(engine, ws)  # rebuild every tag from the stored comments
    assert stored_tags(engine) == imported
    with engine.connect() as conn:
        rows = list(conn.execute(text("SELECT text, language, compound, method FROM comment")))
    english = [r for r in rows if r.language == "en"]
    assert len(english) > 300 and all(r.compound == vader_compound(r.text) for r in english)
    assert {r.language for r in rows} == {"en", "ja"}


def test_refused_import_seeds_no_themes(engine: Engine) -> None:
    ws = get_or_create_workspace(engine, "Empty").id
    assert ws is not None
    frame = pd.DataFrame({"id": ["a", "b"], "nps": ["11", "12"], "Delivery": ["1", "2"], "comment": ["x", "y"]})
    bad = RawTable.from_frame(frame, file_name="bad.csv", content_hash="bad")
    with pytest.raises(InputRefused):
        import_table(engine, ws, bad, MAPPING)
    assert list_themes(engine, ws) == []


def test_workers_run_below_the_importing_process() -> None:
    """The importing process (validating and writing rows) is an import's critical path: the workers that score
    comments get the cores it leaves."""
    import os

    if pool.get_pool() is None:
        pytest.skip("one core: no worker processes")
    mine = os.nice(0)
    theirs = pool.map_later(os.nice, [0] * pool.workers())()
    assert theirs and all(n == min(mine + pool.WORKER_NICENESS, 19) for n in theirs)  # lowered once, not twice
    from multiprocessing import forkserver

    server = getattr(forkserver._forkserver, "_forkserver_pid", None)  # noqa: SLF001 - no public accessor
    if server is not None:  # its own start (loading the scoring modules) runs below the caller too
        assert os.getpriority(os.PRIO_PROCESS, server) == min(mine + pool.WORKER_NICENESS, 19)


def test_warm_up_returns_at_once_and_the_pool_it_starts_scores_as_the_caller_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setattr(comment_analysis, "PARALLEL_TEXTS", 10)
    started = time.perf_counter()
    comment_analysis.warm_up()  # starts the workers from a thread: the caller goes on at once
    assert time.perf_counter() - started < 0.2
    texts = [f"Delivery was late, order {i} 😡" for i in range(60)] + ["配送が遅かった", "スタッフが親切でした"]
    pooled = comment_analysis.analyse_later(texts, [])()
    monkeypatch.setattr(comment_analysis, "PARALLEL_TEXTS", 10**9)
    assert comment_analysis.analyse_later(texts, [])() == pooled
    if pool.get_pool() is not None:
        assert pool.workers() >= 2


def test_the_embedding_model_is_loaded_by_its_own_worker_not_by_the_comment_workers() -> None:
    from cxdash.analysis import sentiment_ja

    sentiment_ja._e5.cache_clear()
    comment_analysis._warm(True)  # in this process: what each comment worker runs
    assert sentiment_ja._e5.cache_info().currsize == 0
    comment_analysis._warm_embedding(None)  # what the embedding worker runs
    assert sentiment_ja._e5.cache_info().currsize == 1


WORKER_START = """
import sys
import cxdash.analysis.pool_main, cxdash.analysis.pool_priority, cxdash.analysis.pool_lexicons  # the forkserver's
from cxdash.analysis import comments, pool
from cxdash.analysis.themes import load_default_taxonomy
pool._worker_init(0)
comments._warm(True)
rules = tuple((t.name, t.keywords_en, t.keywords_ja) for t in load_default_taxonomy())
packed = comments._task((["配送がとても遅くて困りました", "窓口で手続きをしました", "Great staff 😊"], rules))
assert packed[4], "a text is left to the embedding worker"
print("numpy" in sys.modules)
comments._warm_embedding(None)  # the embedding worker (forked from the same server): one thread for its products
from cxdash.analysis import sentiment_ja
import numpy, os
session = getattr(sentiment_ja._e5(), "session", None)
print(os.environ.get("OPENBLAS_NUM_THREADS"), session.get_session_options().intra_op_num_threads if session else 1)
"""


def test_a_comment_worker_starts_without_numpy_and_the_embedding_worker_uses_one_thread() -> None:
    """The forkserver and the comment workers load no numpy (0.1 s before the first comment); the embedding
    worker's model runs on one thread (there is a worker per core)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", WORKER_START], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False", "1 1"]


MAIN_SCRIPT = """
import os
with open(os.environ["CXDASH_TEST_MARK"], "a") as fh:  # what a main script does on import: here, leave a mark
    fh.write(f"{os.getpid()}\\n")
if __name__ == "__main__":
    import operator
    from cxdash.analysis import pool
    pids = pool.map_later(operator.call, [os.getpid] * 6)()
    print(pool.workers(), len(set(pids) - {os.getpid()}))
"""


@pytest.mark.parametrize("how", ["script", "module"])
def test_the_workers_do_not_run_the_main_script_again(tmp_path: Path, how: str) -> None:
    """In the app, the process that starts the pool runs ``app.py`` as its main module: the workers must not run it
    again (Streamlit in bare mode, 0.5 s and 30 MB each), whether the main module came from a path or a name."""
    import os
    import subprocess
    import sys

    (tmp_path / "cx_main_probe.py").write_text(MAIN_SCRIPT, encoding="utf-8")
    mark = tmp_path / "mark.txt"
    env = {**os.environ, "CXDASH_TEST_MARK": str(mark), "PYTHONPATH": str(REPO)}
    argv = ["cx_main_probe.py"] if how == "script" else ["-m", "cx_main_probe"]
    out = subprocess.run([sys.executable, *argv], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    workers, elsewhere = map(int, out.stdout.split())
    if workers == 0:
        pytest.skip("one core: no worker processes")
    assert elsewhere >= 1  # the tasks ran in the workers
    assert len(mark.read_text().split()) == 1  # run once: by the main process only


def _e5_loaded(_: object) -> int:
    from cxdash.analysis import sentiment_ja

    return sentiment_ja._e5.cache_info().currsize


def test_an_import_of_japanese_comments_asks_the_embedding_worker_and_only_it() -> None:
    """The comment workers leave what the lexicon cannot decide to the one embedding worker: the model is loaded
    there and in no comment worker, and the scores are those of scoring here, in one process."""
    from cxdash.analysis import sentiment_ja

    pool.shutdown_pool()
    if pool.get_pool() is None:
        pytest.skip("no worker pool on this machine")
    unsure = [f"{i}番の窓口で手続きをしました" for i in range(250)]  # factual: the lexicon is unsure of them
    japanese = unsure + [f"{i}回目ですがスタッフがとても親切でした" for i in range(50)]
    texts = japanese + [f"The staff at desk {i} were friendly" for i in range(1700)]  # enough for the workers
    analysed = comment_analysis.analyse_later(texts, [])()
    assert pool.workers(pool.EMBEDDING) == 1
    assert pool.map_later(_e5_loaded, [None], kind=pool.EMBEDDING)() == [1]
    assert pool.map_later(_e5_loaded, [None] * 8)() == [0] * 8
    assert sum(s.method == sentiment_ja.METHOD_EMBED for s in analysed.scores[:250]) > 150  # the model voted
    here = sentiment_ja.score_ja_batch(japanese)
    assert [s.method for s in analysed.scores[:300]] == [j.method for j in here]
    # the same up to float32 rounding in the model (which differs with how many texts share a batch)
    assert [s.compound for s in analysed.scores[:300]] == pytest.approx([j.compound for j in here], abs=1e-6)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts handed to scoring and tagging, in order (in-process, so every task can be seen)."""
    texts: list[str] = []
    task = comment_analysis._task

    def counting(args: tuple[list[str], tuple[tuple[str, str, str], ...]]) -> object:
        texts.extend(args[0])
        return task(args)

    monkeypatch.setattr(comment_analysis, "PARALLEL_TEXTS", 10**9)
    monkeypatch.setattr(comment_analysis, "_task", counting)
    # a pool handed ``counting`` (which cannot be pickled) gives up, for this test only, not for the later ones
    monkeypatch.setattr(pool, "_failed", pool._failed)
    return texts


@pytest.mark.parametrize("limit", [50_000, 1], ids=["room", "full"])
def test_costly_texts_are_analysed_once_per_import(sent: list[str], limit: int) -> None:
    """A Japanese comment repeated in later chunks is scored once (the workers get only the new texts); results
    are those of analysing every chunk on its own, also when the memory is full and a repeat is analysed again."""
    chunks = [
        ["配送が遅かった", "Late again", "スタッフが親切でした"],
        ["配送が遅かった", "Late again", "価格が高すぎる", "スタッフが親切でした"],
        ["スタッフが親切でした", "梱包がきれいでした"],
    ]
    memory = comment_analysis.Memory(limit=limit)
    pending = [comment_analysis.analyse_later(c, [], memory) for c in chunks[:2]]  # chunk 2 starts before 1 is in
    remembered = [pending[0](), pending[1]()]
    remembered.append(comment_analysis.analyse_later(chunks[2], [], memory)())
    alone = [comment_analysis.analyse_later(c, [])() for c in chunks]
    assert remembered == alone
    if limit > 1:
        first, second, third = (
            ["配送が遅かった", "Late again", "スタッフが親切でした"],
            ["Late again", "価格が高すぎる"],
            ["梱包がきれいでした"],
        )
        assert sorted(sent[: -sum(map(len, chunks))]) == sorted(first + second + third)


def test_an_idle_pool_is_stopped_and_started_again_on_the_next_use() -> None:
    """A long-running server gets the workers' memory back when nothing has been scored for a while."""
    import concurrent.futures
    import os
    import threading
    import time

    if pool.get_pool() is None:
        pytest.skip("one core: no worker processes")
    for thread in threading.enumerate():  # an earlier test's warm-up may still be handing its tasks over
        if thread.name == "cxdash-warm-up":
            thread.join()
    concurrent.futures.wait(list(pool._pending))  # ... or its workers still loading their models
    pending = pool.map_later(time.sleep, [0.5])
    assert not pool.reap_idle(idle_seconds=0.0) and pool.workers() >= 2  # a task is running: kept
    pending()
    assert pool.reap_idle(idle_seconds=0.0) and pool.workers() == 0  # idle: stopped
    assert pool.workers(pool.EMBEDDING) == 0  # the embedding worker with the others
    assert pool.map_later(os.nice, [0, 0])() and pool.workers() >= 2  # used again: started again
    assert not pool.reap_idle(idle_seconds=3600.0) and pool.workers() >= 2  # recently used: kept
    assert not pool.reap_idle() and pool.workers() >= 2  # the default: ten minutes


def test_what_follows_a_task_starts_as_it_ends_and_a_failure_there_is_tried_again_when_collected() -> None:
    import threading

    if pool.get_pool() is None:
        pytest.skip("one core: no worker processes")
    calls: list[tuple[int, str]] = []

    def then(result: int) -> object:
        where = threading.current_thread().name
        calls.append((result, where))
        if result == 2 and where != "MainThread":  # fails in the follow-up thread: asked again when collected
            raise RuntimeError("a lost hand-over")
        later = pool.map_later(abs, [-10 * result], kind=pool.EMBEDDING)
        return lambda: later()[0]

    collect = pool.map_then(abs, [-1, -2, -3], then)
    assert collect() == [(1, 10), (2, 20), (3, 30)]
    assert sorted(r for r, where in calls if where == "cxdash-pool-then") == [1, 2, 3]
    assert [r for r, where in calls if where == "MainThread"] == [2]
    assert pool.workers(pool.EMBEDDING) == 1


def test_a_cumulative_export_imported_again_scores_only_new_or_changed_comments(
    engine: Engine, sent: list[str]
) -> None:
    """Responses imported before keep the stored analysis of their unchanged comments (no Japanese text is scored
    twice); what is written equals a first import of the same file."""
    first = survey(300, seed=3)
    import_table(engine, get_or_create_workspace(engine, "Monthly").id, first, MAPPING)  # type: ignore[arg-type]
    grown = first.sample.copy()
    grown.loc[grown.index[5], "comment"] = "配送がとても遅かった（変更）"  # one comment edited since
    extra = survey(320, seed=3).sample.iloc[300:].assign(id=lambda f: [f"new-{i}" for i in range(len(f))])
    cumulative = RawTable.from_frame(pd.concat([grown, extra]), file_name="cumulative.csv", content_hash="cum")
    sent.clear()
    result = import_table(engine, get_or_create_workspace(engine, "Monthly").id, cumulative, MAPPING)  # type: ignore[arg-type]
    assert result.responses == 320 and result.responses_updated == 300
    assert set(sent) == {"配送がとても遅かった（変更）", *extra["comment"]}  # the rest came from the store
    import_table(engine, get_or_create_workspace(engine, "Fresh").id, cumulative, MAPPING)  # type: ignore[arg-type]

    def written(workspace: str) -> dict[str, tuple[object, ...]]:
        with engine.connect() as conn:
            where = {"w": workspace}
            rows = conn.execute(
                text(
                    "SELECT c.id, r.external_id, c.text, c.language, c.compound, c.label, c.method "
                    "FROM comment c JOIN response r ON r.id = c.response_id "
                    "JOIN workspace w ON w.id = r.workspace_id WHERE w.name = :w"
                ),
                where,
            ).all()
            tags = conn.execute(
                text(
                    "SELECT ct.comment_id, th.name FROM comment_theme ct JOIN theme th ON th.id = ct.theme_id "
                    "JOIN workspace w ON w.id = th.workspace_id WHERE w.name = :w"
                ),
                where,
            ).all()
        names: dict[int, set[str]] = {}
        for cid, name in tags:
            names.setdefault(cid, set()).add(name)
        return {r[1]: (*r[2:], frozenset(names.get(r[0], set()))) for r in rows}

    again, fresh = written("Monthly"), written("Fresh")
    assert len(again) == 320 and again == fresh
    with engine.connect() as conn:  # the replaced comments' tags went with them (the import deletes them itself)
        orphans = "SELECT count(*) FROM comment_theme ct LEFT JOIN comment c ON c.id = ct.comment_id WHERE c.id IS NULL"
        assert conn.execute(text(orphans)).scalar_one() == 0
        if engine.dialect.name == "sqlite":  # written with foreign keys unchecked: every key still points somewhere
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


@pytest.mark.parametrize("through_pool", [False, True], ids=["in-process", "worker-pool"])
def test_comments_analysed_before_validation_are_those_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, sent: list[str], through_pool: bool
) -> None:
    """A first import into a workspace starts analysing each chunk's comments before the chunk is validated: the
    comments of rejected rows are analysed for nothing, but only the stored comments are counted as masked, and
    every stored comment has the analysis of its stored (masked) text, over several chunks."""
    from cxdash.ingest import load

    monkeypatch.setattr(load, "CHUNK_ROWS", 60)
    if through_pool:
        monkeypatch.setattr(comment_analysis, "PARALLEL_TEXTS", 20)
    table = survey(200, seed=5)
    frame = table.sample.copy()
    frame.loc[frame.index[3], "nps"] = "11"  # rejected, with a comment holding an e-mail address
    frame.loc[frame.index[3], "comment"] = "配送が遅い、連絡は taro@example.com まで"
    frame.loc[frame.index[70], "comment"] = "Write to hanako@example.com about the late delivery"  # kept
    frame.loc[frame.index[150], "nps"] = "ten"  # rejected
    ws = get_or_create_workspace(engine, "Ahead").id
    assert ws is not None
    result = import_table(engine, ws, RawTable.from_frame(frame, file_name="ahead.csv", content_hash="ahead"), MAPPING)
    assert result.responses == 198 and len(result.rejected_rows) == 2
    assert result.masked.get("email") == 1 and result.masked.get("texts") == 1
    if not through_pool:
        assert "配送が遅い、連絡は [email] まで" in sent  # analysed ahead, with its address masked, then rejected
    with engine.connect() as conn:
        rows = list(conn.execute(text("SELECT text, language, compound, method FROM comment")))
    assert len(rows) == 198 and not any("@" in r.text for r in rows)
    alone = comment_analysis.analyse_later([r.text for r in rows], [])()  # other batches: float rounding may differ
    assert [(s.lang, s.method) for s in alone.scores] == [(r.language, r.method) for r in rows]
    assert [s.compound for s in alone.scores] == pytest.approx([r.compound for r in rows], abs=1e-6)
    imported = stored_tags(engine)
    tag_comments(engine, ws)
    assert stored_tags(engine) == imported


def _batch_sizes(questions: list[str]) -> dict[str, int]:
    """Each question's answer: how many questions its task had."""
    return {q: len(questions) for q in questions}


def _asleep(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def test_questions_asked_while_the_embedding_worker_is_busy_go_to_it_together() -> None:
    """The embedding worker answers the questions asked while it loads its model (or answers others) as one task:
    one batch of the model costs less than several."""
    if pool.get_pool(pool.EMBEDDING) is None:
        pytest.skip("one core: no worker processes")
    busy = pool.map_later(_asleep, [0.5], kind=pool.EMBEDDING)
    asks = [pool.ask_later(_batch_sizes, questions) for questions in (["a", "b"], ["b", "c"], ["d"])]
    assert [ask() for ask in asks] == [{"a": 4, "b": 4}, {"b": 4, "c": 4}, {"d": 4}]  # a, b, c and d: one task
    assert busy() == [0.5]
    assert pool.ask_later(_batch_sizes, ["e"])() == {"e": 1}  # an idle worker is asked at once
    assert pool.ask_later(_batch_sizes, ["f", "g"], parallel=False)() == {"f": 2, "g": 2}  # here
    assert pool.ask_later(_batch_sizes, [])() == {}


def test_questions_waiting_for_a_worker_that_breaks_are_answered_here(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    if pool.get_pool(pool.EMBEDDING) is None:
        pytest.skip("one core: no worker processes")
    monkeypatch.setattr(pool, "_failed", False)  # given up by this test only
    try:
        pool.map_later(os._exit, [1], kind=pool.EMBEDDING)  # never collected: here it would end the tests
        assert pool.ask_later(_batch_sizes, ["a", "b"])() == {"a": 2, "b": 2}
        assert pool._failed  # given up: later tasks run where they are asked for
    finally:
        pool.shutdown_pool()
