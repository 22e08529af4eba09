"""In a real browser: upload a Japanese Excel CSV (cp932), import it, and see it on the Overview."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import running_app, shot, wait_idle

pytestmark = pytest.mark.e2e
ROWS_FOR_WORKERS = 6_000  # a full sample (5,000 rows) starts the comment workers at the preview

ROWS = [
    (
        "タイムスタンプ",
        "会員番号",
        "年代",
        "当店を友人に薦める可能性はどのくらいありますか？",
        "各項目の満足度 [配送スピード]",
        "各項目の満足度 [店員の対応]",
        "ご意見・ご感想",
    ),
    ("2026/10/01 10:00:00", "M001", "30代", "9", "4", "5", "店員さんがとても丁寧でした①"),
    ("2026/10/02 11:30:00", "M002", "40代", "3", "1", "3", "配送が遅くて残念です。髙島屋の方が早い"),
    ("2026/10/03 09:15:00", "M003", "20代", "10", "5", "5", "また利用します"),
    ("2026/10/04 18:45:00", "M004", "30代", "abc", "3", "4", ""),
]


def _write_cp932(tmp_path: Path) -> Path:
    path = tmp_path / "アンケート結果.csv"
    text = "\r\n".join(",".join(row) for row in ROWS) + "\r\n"
    path.write_bytes(text.encode("cp932"))
    return path


def test_upload_import_and_overview(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server)
    wait_idle(page, timeout=180_000)  # the first visit creates the store and loads the demo
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Import").click()
    wait_idle(page)
    page.get_by_text("Import into workspace").wait_for()
    # choose a new workspace
    page.locator('[data-testid="stSelectbox"]', has_text="Import into workspace").click()
    page.get_by_role("option", name="➕ New workspace…").click()
    wait_idle(page)
    page.get_by_label("New workspace name").fill("E2E さくら")
    page.get_by_label("New workspace name").press("Enter")
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(_write_cp932(tmp_path)))
    page.get_by_text("Validation report").wait_for()
    wait_idle(page)
    shot(page, "import-preview")
    page.get_by_text("encoding cp932").wait_for()
    page.get_by_text("Rows that will be rejected (1)").wait_for()  # the table itself is a canvas
    page.get_by_text("Why rows are rejected").wait_for()  # one line per column and reason, above the rows
    page.get_by_text("Scales: 0–10: '当店を友人に薦める可能性はどのくらいありますか？' · 1–5: ").wait_for()
    shot(page, "import-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported アンケート結果.csv into E2E さくら").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_role("heading", name="E2E さくら").is_visible()
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "n = 3" in body  # 3 valid NPS answers; the 'abc' row was rejected
    assert "+33" in body  # 2 promoters, 1 detractor of 3 → +33
    shot(page, "overview-after-import")


def test_a_large_import_in_the_app_scores_in_workers_that_do_not_run_the_app(  # type: ignore[no-untyped-def]
    server: str, server_log: Path, page, tmp_path: Path
) -> None:
    """A file large enough for the worker processes (they start while the roles are reviewed): it is imported, and
    the workers did not run ``app.py`` again (Streamlit in bare mode: "missing ScriptRunContext" in the log)."""
    from bench.gen_survey import generate

    path = tmp_path / "large_survey.csv"
    generate(ROWS_FOR_WORKERS, path, seed=11)
    page.goto(f"{server}/import")
    wait_idle(page, timeout=180_000)
    page.locator('[data-testid="stSelectbox"]', has_text="Import into workspace").click()  # a workspace of its own
    page.get_by_role("option", name="➕ New workspace…").click()
    wait_idle(page)
    page.get_by_label("New workspace name").fill("E2E large")
    page.get_by_label("New workspace name").press("Enter")
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))
    page.get_by_text("Validation report").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported large_survey.csv into E2E large").wait_for(timeout=120_000)
    wait_idle(page)
    log = server_log.read_text(errors="replace")
    assert "ScriptRunContext" not in log and "Traceback" not in log, log[-3000:]


def test_import_deep_link_as_the_servers_first_request(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A bookmark to /import on a server that has run nothing yet opens the Import page, with no "Page not found"."""
    with running_app(tmp_path / "fresh.db", tmp_path / "streamlit.log", no_demo=True) as url:
        page.goto(f"{url}/import")
        page.get_by_text("Survey export or review file").wait_for(timeout=60_000)
        page.wait_for_timeout(2000)  # the dialog, when there was one, came up after the page
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator('[role="dialog"]').count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Import").is_visible()
