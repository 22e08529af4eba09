"""Stakeholder reports on the demo store: the deck opens, has its slides, real chart pictures, text that fits its
boxes and Japanese fonts; the HTML report is one offline file with escaped user text and the KPIs."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from sqlalchemy import Engine
from sqlmodel import Session

from cxdash.cli_report import main_report
from cxdash.demo.spec import ACME_NAME, SAKURA_NAME
from cxdash.report.content import gather, kpi_value_text
from cxdash.report.html import build_html
from cxdash.report.pptx import MIN_TITLE_PT, SLIDE_H, SLIDE_W, build_deck, usable_height_pt, width_em
from cxdash.report.text import LINE_HEIGHT, has_cjk, lines_needed, truncate
from cxdash.store.models import JourneyMap, JourneyStage, JourneyStep, Persona
from cxdash.store.queries import kpis
from cxdash.store.workspaces import get_or_create_workspace, get_workspace, open_store
from tests.stores import StoreFactory

REPO = Path(__file__).resolve().parents[2]
HOSTILE = "<img src=x onerror=alert(1)>"
LONG = "This persona's summary runs on and on " * 30


@pytest.fixture(scope="module")
def store(store_factory: StoreFactory, demo_template_url: str) -> Iterator[tuple[Engine, str]]:
    """The demo store (a copy of this module's own) and its URL."""
    url = store_factory.copy(demo_template_url)
    engine = open_store(url)
    yield engine, url
    engine.dispose()
    store_factory.drop(url)


def _ws(engine: Engine, name: str) -> int:
    ws_id = get_workspace(engine, name).id
    assert ws_id is not None
    return ws_id


@pytest.fixture(scope="module")
def hostile_ws(store: tuple[Engine, str]) -> int:
    """A workspace without responses whose persona and journey carry markup and very long text."""
    engine, _ = store
    ws = get_or_create_workspace(engine, "Hostile & <b>bold</b> workspace")
    assert ws.id is not None
    with Session(engine) as session:
        p = Persona(workspace_id=ws.id, name=HOSTILE, summary=LONG, goals="\n".join([LONG] * 5), quote=LONG)
        session.add(p)
        session.flush()
        jm = JourneyMap(workspace_id=ws.id, name=f"Journey {HOSTILE}", persona_id=p.id)
        session.add(jm)
        session.flush()
        assert jm.id is not None
        stage = JourneyStage(journey_id=jm.id, name=HOSTILE, position=0)
        session.add(stage)
        session.flush()
        assert stage.id is not None
        session.add(JourneyStep(stage_id=stage.id, touchpoint_label=LONG, action=HOSTILE, emotion=-2))
        session.commit()
    return ws.id


def _open(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


@pytest.fixture(scope="module")
def acme_deck(store: tuple[Engine, str]) -> Any:
    engine, _ = store
    return _open(build_deck(engine, _ws(engine, ACME_NAME)))


@pytest.fixture(scope="module")
def sakura_deck(store: tuple[Engine, str]) -> Any:
    engine, _ = store
    return _open(build_deck(engine, _ws(engine, SAKURA_NAME)))


@pytest.fixture(scope="module")
def acme_html(store: tuple[Engine, str]) -> str:
    engine, _ = store
    return build_html(engine, _ws(engine, ACME_NAME))


def _title(slide: Any) -> str:
    """The slide's title: the first shape carrying text (the title box is added first)."""
    for shape in slide.shapes:
        if shape.has_text_frame and shape.text_frame.text.strip():
            return str(shape.text_frame.text)
    return ""


def _frames(slide: Any) -> Iterator[tuple[Any, int, int]]:
    """Every text frame of the slide with the width and height of its box (table cells included)."""
    for shape in slide.shapes:
        if shape.has_text_frame:
            yield shape.text_frame, shape.width, shape.height
        if shape.has_table:
            table = shape.table
            for i, row in enumerate(table.rows):
                for j, col in enumerate(table.columns):
                    yield table.cell(i, j).text_frame, col.width, row.height


def _pictures(slide: Any) -> list[Any]:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_deck_has_the_stakeholder_slides_in_order(acme_deck: Any) -> None:
    titles = [_title(s) for s in acme_deck.slides]
    assert titles == [
        ACME_NAME,
        "Headline KPIs",
        "Touchpoint scores",
        "Priority matrix: what to fix first",
        "Journey map: Order to doorstep",
        "Persona: 👩‍💼 Premium Priya",
        "Persona: 🧢 Bargain-hunting Ben",
        "Top themes in customer comments",
    ]
    assert acme_deck.slide_width == SLIDE_W and acme_deck.slide_height == SLIDE_H


def test_chart_slides_carry_real_png_pictures_inside_the_slide(acme_deck: Any) -> None:
    slides = list(acme_deck.slides)
    for index in (1, 2, 3, 4):  # KPIs (trend), touchpoints, matrix, journey
        pictures = _pictures(slides[index])
        assert len(pictures) == 1, _title(slides[index])
        pic = pictures[0]
        blob = pic.image.blob
        assert blob[:8] == b"\x89PNG\r\n\x1a\n"
        image = Image.open(io.BytesIO(blob))
        image.verify()
        assert image.size[0] >= 1000  # rendered at scale 2: sharp when projected
        assert pic.left >= 0 and pic.top >= 0
        assert pic.left + pic.width <= SLIDE_W and pic.top + pic.height <= SLIDE_H


def test_every_text_fits_its_box_with_readable_fonts(acme_deck: Any, sakura_deck: Any) -> None:
    for deck in (acme_deck, sakura_deck):
        for k, slide in enumerate(deck.slides):
            for shape in slide.shapes:
                assert shape.left + shape.width <= SLIDE_W and shape.top + shape.height <= SLIDE_H
            for tf, width, height in _frames(slide):
                if not tf.text.strip():
                    continue
                used = 0.0
                for p in tf.paragraphs:
                    size = p.runs[0].font.size.pt
                    assert size >= 14, (k, p.text)
                    used += lines_needed(p.text, width_em(width, size), bool(p.runs[0].font.bold)) * size * LINE_HEIGHT
                assert used <= usable_height_pt(height) + 0.01, (k, tf.text)
            title = next(s for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip())
            assert title.text_frame.paragraphs[0].runs[0].font.size.pt >= 28


def test_kpi_slide_shows_the_store_kpis_and_matrix_names_fix_first(store: tuple[Engine, str], acme_deck: Any) -> None:
    engine, _ = store
    k = kpis(engine, _ws(engine, ACME_NAME))
    slides = list(acme_deck.slides)
    kpi_text = " ".join(tf.text for tf, _, _ in _frames(slides[1]))
    for key in ("nps", "csat", "ces"):
        assert kpi_value_text(k[key]) in kpi_text
        assert f"n = {k[key].n:,}" in kpi_text
    assert "95% CI" in kpi_text
    matrix_text = " ".join(tf.text for tf, _, _ in _frames(slides[3]))
    assert "Fix first" in matrix_text and "Delivery speed" in matrix_text  # the demo's planted key driver


def test_japanese_deck_has_japanese_text_with_an_east_asian_font(sakura_deck: Any) -> None:
    runs = [r for s in sakura_deck.slides for tf, _, _ in _frames(s) for p in tf.paragraphs for r in p.runs]
    japanese = [r for r in runs if has_cjk(r.text)]
    assert any("共働きの佐藤さん" in r.text for r in japanese)
    for run in japanese:
        rpr = run._r.find(qn("a:rPr"))
        ea = rpr.find(qn("a:ea"))
        assert ea is not None and ea.get("typeface")
        assert rpr.get("lang") == "ja-JP"


def test_long_and_hostile_text_is_cut_to_fit_and_an_empty_workspace_still_builds(
    store: tuple[Engine, str], hostile_ws: int
) -> None:
    engine, _ = store
    deck = _open(build_deck(engine, hostile_ws))
    titles = [_title(s) for s in deck.slides]
    assert titles[1] == "Headline KPIs" and f"Persona: 🙂 {HOSTILE}" in titles
    persona = deck.slides[titles.index(f"Persona: 🙂 {HOSTILE}")]
    texts = [tf.text for tf, _, _ in _frames(persona)]
    assert any(t.startswith("This persona's summary") and t.endswith("…") for t in texts)
    for tf, width, height in (f for s in deck.slides for f in _frames(s)):
        if tf.text.strip():
            used = sum(
                lines_needed(p.text, width_em(width, p.runs[0].font.size.pt), bool(p.runs[0].font.bold))
                * p.runs[0].font.size.pt
                * LINE_HEIGHT
                for p in tf.paragraphs
            )
            assert used <= usable_height_pt(height) + 0.01


def test_html_report_is_one_offline_file_with_the_kpis(store: tuple[Engine, str], acme_html: str) -> None:
    engine, _ = store
    text = acme_html
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text.lower()
    assert "<link" not in text.lower() and "@import" not in text
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", text, re.IGNORECASE)
    assert "http://" not in text and "https://" not in text
    k = kpis(engine, _ws(engine, ACME_NAME))
    for key in ("nps", "csat", "ces"):
        assert kpi_value_text(k[key]) in text
    assert "CES (ease, 1–7)" in text  # the demo asks CES on 1–7
    assert text.count("<svg") >= 4  # trend, touchpoints, matrix, journey
    assert "Premium Priya" in text and "Delivery speed" in text


def test_html_report_escapes_user_text(store: tuple[Engine, str], hostile_ws: int) -> None:
    engine, _ = store
    text = build_html(engine, hostile_ws)
    assert HOSTILE not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<b>bold</b>" not in text and "Hostile &amp; &lt;b&gt;bold&lt;/b&gt; workspace" in text


def test_a_report_gives_ces_on_the_scale_it_was_asked_on(store: tuple[Engine, str], tmp_path: Path) -> None:
    from cxdash.ingest.load import import_file

    engine, _ = store
    path = tmp_path / "effort.csv"
    rows = [f"E{i},2026-0{1 + i % 3}-10,{1 + i % 5}" for i in range(60)]
    path.write_text("id,date,ease\n" + "\n".join(rows) + "\n", encoding="utf-8")
    mapping = {"id": "response_id", "date": "date", "ease": "ces"}
    assert import_file(engine, path, path.name, workspace="Effort on five", mapping=mapping).responses == 60
    ws = _ws(engine, "Effort on five")
    content = gather(engine, ws)
    assert content.ces.scale == (1, 5) and content.kpis["ces"].value == pytest.approx(3.0)
    text = build_html(engine, ws)
    assert "CES (ease, 1–5)" in text and "3.00" in text
    deck = _open(build_deck(engine, ws))
    words = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert "CES (ease, 1–5)" in words


def test_japanese_html_report(store: tuple[Engine, str]) -> None:
    engine, _ = store
    text = build_html(engine, _ws(engine, SAKURA_NAME))
    assert "<html lang='ja'>" in text
    assert "共働きの佐藤さん" in text and "配送スピード" in text


def test_gather_uses_touchpoints_rated_by_half_and_seeded_bootstrap(store: tuple[Engine, str]) -> None:
    engine, _ = store
    ws = _ws(engine, ACME_NAME)
    first, second = gather(engine, ws), gather(engine, ws)
    assert first.drivers is not None and first.drivers == second.drivers
    names = {d["name"] for d in first.drivers["drivers"]}
    assert "Support chat" not in names and "Returns" not in names  # rated by fewer than half
    assert "Support chat" in first.drivers_note


def test_truncate_cuts_with_an_ellipsis_within_the_lines() -> None:
    assert truncate("short", 10, 1) == "short"
    cut = truncate("word " * 50, 10, 2)
    assert cut.endswith("…") and lines_needed(cut, 10) <= 2
    ja = truncate("配送が遅くて困る。" * 10, 8, 2)
    assert ja.endswith("…") and lines_needed(ja, 8) <= 2


def test_cli_function_writes_both_formats_and_refuses_other_suffixes(
    store: tuple[Engine, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = store
    deck, page = tmp_path / "r.pptx", tmp_path / "r.html"
    assert main_report(["--db", str(path), "--workspace", SAKURA_NAME, "--out", str(deck)]) == 0
    assert len(_open(deck.read_bytes()).slides) >= 7
    assert main_report(["--db", str(path), "--out", str(page), "--filter", "Plan=Basic"]) == 0
    assert "Plan: Basic" in page.read_text(encoding="utf-8")
    assert main_report(["--db", str(path), "--out", str(tmp_path / "r.pdf")]) == 2
    assert "must end in .pptx" in capsys.readouterr().err


def test_python_m_cxdash_report(store: tuple[Engine, str], tmp_path: Path) -> None:
    _, path = store
    out = tmp_path / "deck.pptx"
    run = subprocess.run(
        [sys.executable, "-m", "cxdash", "report", "--db", str(path), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert _title(_open(out.read_bytes()).slides[0]) == ACME_NAME


# --- in Japanese -------------------------------------------------------------------------------------------------

JA_TITLES = [
    SAKURA_NAME,
    "主要 KPI",
    "タッチポイント別スコア",
    "優先度マトリクス：最優先で改善すべき点",
    "ジャーニーマップ：ネットスーパーの注文から受け取りまで",
    "ペルソナ：👩‍👧 共働きの佐藤さん",
    "ペルソナ：👴 シニアの田中さん",
    "顧客コメントの主なテーマ",
]


@pytest.fixture(scope="module")
def sakura_deck_ja(store: tuple[Engine, str]) -> Any:
    engine, _ = store
    return _open(build_deck(engine, _ws(engine, SAKURA_NAME), language="ja"))


def test_japanese_deck_has_japanese_headings_and_words(sakura_deck_ja: Any) -> None:
    assert [_title(s) for s in sakura_deck_ja.slides] == JA_TITLES
    text = " ".join(tf.text for s in sakura_deck_ja.slides for tf, _, _ in _frames(s))
    for words in ("顧客体験レポート", "回答 ", "件", "絞り込み：すべての回答", "95% 信頼区間", "最優先で改善", "目標",
                  "ペインポイント", "スコアが低い項目", "テーマ", "コメント数"):  # fmt: skip
        assert words in text, words
    for english in ("Headline KPIs", "responses", "Filters:", "Generated", "Fix first", "Goals", "Lowest scores",
                    "95% CI", "Theme", "Comments:"):  # fmt: skip
        assert english not in text, english
    # dates in the Japanese form, and Japanese text marked and fonted as such
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 – \d{4}年\d{1,2}月\d{1,2}日", text)
    for run in (r for s in sakura_deck_ja.slides for tf, _, _ in _frames(s) for p in tf.paragraphs for r in p.runs):
        if has_cjk(run.text):
            assert run._r.find(qn("a:rPr")).get("lang") == "ja-JP"
    assert sakura_deck_ja.core_properties.language == "ja-JP"


def test_japanese_deck_text_still_fits_its_boxes(sakura_deck_ja: Any) -> None:
    for slide in sakura_deck_ja.slides:
        title = next(s for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip())
        assert title.text_frame.paragraphs[0].runs[0].font.size.pt >= MIN_TITLE_PT
        assert not title.text_frame.text.endswith("…")  # long Japanese titles shrink a little rather than lose words
        for tf, width, height in _frames(slide):
            if tf.text.strip():
                used = sum(
                    lines_needed(p.text, width_em(width, p.runs[0].font.size.pt), bool(p.runs[0].font.bold))
                    * p.runs[0].font.size.pt
                    * LINE_HEIGHT
                    for p in tf.paragraphs
                )
                assert used <= usable_height_pt(height) + 0.01, tf.text


def test_japanese_html_report_has_japanese_headings(store: tuple[Engine, str]) -> None:
    engine, _ = store
    text = build_html(engine, _ws(engine, ACME_NAME), language="ja")  # English data, Japanese report
    assert "<html lang='ja'>" in text
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    assert headings[:3] == ["主要 KPI", "タッチポイント別スコア", "優先度マトリクス：最優先で改善すべき点"]
    assert "ジャーニーマップ：Order to doorstep" in headings[3]
    assert headings[4:] == ["ペルソナ", "顧客コメントの主なテーマ"]
    for words in ("顧客体験レポート", "<th>ステージ</th>", "<th>ペインポイント</th>", "<th>改善機会</th>", "目標",
                  "最優先で改善", "95% 信頼区間", "cxdash で作成"):  # fmt: skip
        assert words in text, words
    assert "Premium Priya" in text and "Delivery speed" in text  # user text and data stay as they are
    # the journey chart inside the report speaks Japanese too
    assert "タッチポイント" in text and "想定の感情（マップ）" in text
    for english in ("Headline KPIs", "Touchpoint scores", "Fix first", "<th>Stage</th>", "Goals", "Generated"):
        assert english not in text, english


def test_report_language_does_not_leak(store: tuple[Engine, str]) -> None:
    """A Japanese report leaves English the current language (and so the default of the next report)."""
    engine, _ = store
    build_html(engine, _ws(engine, SAKURA_NAME), language="ja")
    text = build_html(engine, _ws(engine, SAKURA_NAME))
    assert "<h2>Headline KPIs</h2>" in text and "主要 KPI" not in text


def test_cli_lang_option(store: tuple[Engine, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, path = store
    deck, page = tmp_path / "ja.pptx", tmp_path / "ja.html"
    assert main_report(["--db", str(path), "--workspace", SAKURA_NAME, "--out", str(deck), "--lang", "ja"]) == 0
    assert [_title(s) for s in _open(deck.read_bytes()).slides] == JA_TITLES
    assert "を " in capsys.readouterr().out  # the confirmation is in Japanese too
    assert main_report(["--db", str(path), "--out", str(page), "--lang", "ja", "--filter", "Plan=Basic"]) == 0
    html_text = page.read_text(encoding="utf-8")
    assert "絞り込み：Plan: Basic" in html_text and "<h2>主要 KPI</h2>" in html_text
    assert main_report(["--db", str(path), "--out", str(tmp_path / "r.pdf"), "--lang", "ja"]) == 2
    assert "--out は .pptx" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main_report(["--db", str(path), "--out", str(page), "--lang", "fr"])
    assert "invalid choice: 'fr'" in capsys.readouterr().err
