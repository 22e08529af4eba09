"""In a real browser: user text never runs as HTML or JavaScript, anywhere it is shown (issue #6).

A store is filled through the store API with payloads that set ``window.__pwned`` if they ever run — in comment
texts, touchpoint names, segment values, channels, a file name, persona fields, journey stage and step texts and a
theme name — then every page that shows them is opened in Chromium (verbatims, chart tooltips, persona cards, the
journey network in its iframe, the import history) and so is the generated HTML report. In every frame the flag
must stay undefined, no element a payload would create may exist, and the text must read as typed.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import _need_browser, running_app, shot, wait_idle

pytestmark = pytest.mark.e2e

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
SVG = '"><svg onload="window.__pwned=1">'
JS_LINK = "javascript:window.__pwned=1"
MD_LINK = "[click here](javascript:window.__pwned=1)"
MD_IMAGE = "![x](javascript:window.__pwned=1)"
AUTOLINK = "<javascript:window.__pwned=1>"
PAYLOADS = (IMG, SCRIPT, SVG, JS_LINK, MD_LINK, MD_IMAGE, AUTOLINK)

TOUCHPOINTS = (f"Delivery {IMG}", f"Support {SCRIPT}", f"Checkout {MD_LINK}")
SEGMENT = f"Plan {MD_LINK}"
WORKSPACE = f"Hostile {MD_LINK} {IMG}"
PERSONA = f"Pat {IMG}"
THEME = f"Delivery theme {SVG}"
FILE_NAME = f"survey {SCRIPT}.csv"
STAGE = f"Buy {MD_LINK}"
STEP = f"Pay {IMG}"

# Elements or attributes that exist only if a payload was parsed as HTML or Markdown.
INJECTED = (
    "img[src='x'], img[onerror], svg[onload], a[href^='javascript:' i], img[src^='javascript:' i], "
    "iframe[src^='javascript:' i]"
)
FLAG = "() => typeof window.__pwned"
SCRIPT_ELEMENT = "() => [...document.scripts].some(s => s.text.trim() === 'window.__pwned=1')"


def hostile_csv(n: int = 240) -> bytes:
    """A survey whose every text field carries a payload; scores shaped so the drivers chart has points."""
    rng = random.Random(6)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "date", "nps", "t1", "t2", "t3", "comment", "channel", "plan"])
    for i in range(n):
        ratings = [rng.randint(1, 5) for _ in TOUCHPOINTS]
        nps = min(10, max(0, round(2 * ratings[0] + ratings[1] - 3 + rng.gauss(0, 1))))
        payload = PAYLOADS[i % len(PAYLOADS)]
        writer.writerow(
            [f"r{i}", f"2024-0{1 + i % 3}-{1 + i % 28:02d}", nps, *ratings,
             f"The delivery was late {payload} and support was slow", PAYLOADS[(i + 1) % 3], PAYLOADS[i % 3]]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


def fill_store(engine: Any) -> int:
    """The hostile workspace: survey, theme, persona and journey, all through the store API."""
    from cxdash import journeys_io
    from cxdash.ingest.load import import_file
    from cxdash.store.personas import create_persona
    from cxdash.store.themes import save_theme
    from cxdash.store.workspaces import get_workspace

    mapping = {"id": "response_id", "date": "date", "nps": "nps", "comment": "comment", "channel": "channel",
               "plan": f"attribute:{SEGMENT}"}  # fmt: skip
    mapping |= {f"t{i + 1}": f"rating:{tp}" for i, tp in enumerate(TOUCHPOINTS)}
    result = import_file(engine, hostile_csv(), FILE_NAME, WORKSPACE, mapping=mapping, keep_personal_data=True)
    assert result.status == "imported" and result.responses == 240, result.message
    ws = get_workspace(engine, WORKSPACE).id
    assert ws is not None
    save_theme(engine, ws, THEME, "delivery", "")
    create_persona(
        engine, ws, PERSONA, avatar="🧪", summary=f"Summary {SCRIPT} {MD_LINK}", goals=f"Goal {IMG}\nGoal {SVG}",
        pains=f"Pain {MD_IMAGE}", behaviours=f"Does {AUTOLINK}", channels=f"Web {JS_LINK}",
        quote=f"Quote {IMG}", segment={SEGMENT: [IMG]},
    )  # fmt: skip
    journeys_io.import_journey(
        engine,
        ws,
        {
            "cxdash": "journey",
            "version": 1,
            "name": f"Journey {IMG}",
            "description": f"About {MD_LINK}",
            "persona": None,
            "stages": [
                {
                    "name": STAGE,
                    "steps": [
                        {
                            "touchpoint": TOUCHPOINTS[2],
                            "touchpoint_label": STEP,
                            "emotion": -1,
                            "action": f"Clicks {SCRIPT}",
                            "thinking": f"Thinks {MD_LINK}",
                            "pain_points": f"Pain {IMG}",
                        },
                        {"touchpoint": TOUCHPOINTS[0], "touchpoint_label": f"Wait {SVG}", "emotion": -2},
                    ],
                },
                {
                    "name": f"Help {SCRIPT}",
                    "steps": [
                        {"touchpoint": TOUCHPOINTS[1], "touchpoint_label": f"Ask {AUTOLINK}", "emotion": 1},
                    ],
                },
            ],
        },  # fmt: skip
    )
    return int(ws)


@pytest.fixture(scope="module")
def store_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_browser()
    from cxdash.store.workspaces import open_store

    db = tmp_path_factory.mktemp("xss") / "xss.db"
    engine = open_store(str(db))
    fill_store(engine)
    engine.dispose()
    return db


@pytest.fixture(scope="module")
def app_url(store_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(store_db, tmp_path_factory.mktemp("log") / "streamlit.log", no_demo=True) as url:
        yield url


def assert_inert(page: Any, where: str) -> None:
    """No payload ran in any frame and none became an element."""
    for frame in page.frames:
        assert frame.evaluate(FLAG) == "undefined", f"{where}: a payload ran in {frame.url}"
        assert frame.locator(INJECTED).count() == 0, f"{where}: a payload became an element in {frame.url}"
        assert not frame.evaluate(SCRIPT_ELEMENT), f"{where}: a payload became a <script> in {frame.url}"
    assert page.evaluate("() => typeof window.parent.__pwned") == "undefined"


NAV = {"voice": "Voice of the Customer", "drivers": "Drivers", "personas": "Personas", "journey": "Journey maps",
       "import": "Import", "overview": "Overview"}  # fmt: skip


def open_page(page: Any, app_url: str, name: str) -> None:
    """Open the app, then the page from the sidebar (as a user does), and wait until it has drawn."""
    page.set_viewport_size({"width": 1500, "height": 2400})
    page.goto(app_url)
    wait_idle(page, timeout=180_000)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(NAV[name], exact=True).click()
    wait_idle(page, timeout=120_000)
    page.wait_for_timeout(1500)  # charts and iframes draw after the script run ends
    shot(page, f"xss-{name}")


def main_text(page: Any) -> str:
    return str(page.locator('[data-testid="stMain"]').inner_text())


def hover_tooltips(page: Any, chart: Any, steps: int = 28) -> list[str]:
    """Sweep the mouse over a chart and collect every tooltip Vega shows (as HTML, to check what it holds)."""
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    seen: list[str] = []
    for row in range(1, steps // 2):
        for col in range(1, steps):
            page.mouse.move(box["x"] + box["width"] * col / steps, box["y"] + box["height"] * row / (steps // 2))
            html = page.evaluate(
                "() => { const t = document.querySelector('#vg-tooltip-element.visible');"
                " return t ? t.innerHTML : ''; }"
            )
            if html and html not in seen:
                seen.append(html)
    return seen


def test_voice_verbatims_and_themes_are_text(app_url: str, page: Any) -> None:
    open_page(page, app_url, "voice")
    page.locator(".cx-verbatim").first.wait_for(timeout=60_000)
    assert_inert(page, "Voice")
    shown = "\n".join(page.locator(".cx-verbatim").all_inner_texts())
    for payload in PAYLOADS:
        assert f"late {payload} and" in shown, payload  # exactly as typed, Markdown and HTML untouched
    text = main_text(page)
    assert THEME in text or page.get_by_text(THEME, exact=False).count() > 0
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    tips = hover_tooltips(page, charts.first) if charts.count() else []
    assert all("<img" not in tip and "<script" not in tip for tip in tips), tips
    assert_inert(page, "Voice tooltips")


def test_drivers_tooltips_show_touchpoint_names_escaped(app_url: str, page: Any) -> None:
    open_page(page, app_url, "drivers")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for(timeout=120_000)
    page.wait_for_timeout(2000)
    tips = hover_tooltips(page, chart)
    assert tips, "no tooltip appeared over the drivers chart"
    joined = "\n".join(tips)
    assert "&lt;img src=x onerror=" in joined or "&lt;script&gt;" in joined, joined  # the name, as text
    assert "<img" not in joined and "<script" not in joined
    assert_inert(page, "Drivers")


def test_persona_cards_show_fields_as_typed(app_url: str, page: Any) -> None:
    open_page(page, app_url, "personas")
    page.get_by_text("Pat ", exact=False).first.wait_for(timeout=60_000)
    assert_inert(page, "Personas")
    text = main_text(page)
    for typed in (PERSONA, f"Summary {SCRIPT} {MD_LINK}", f"Goal {IMG}", f"Goal {SVG}", f"Quote {IMG}",
                  f"Pain {MD_IMAGE}", f"Does {AUTOLINK}"):  # fmt: skip
        assert typed in text, typed


def test_journey_map_and_network_run_nothing(app_url: str, page: Any) -> None:
    open_page(page, app_url, "journey")
    assert_inert(page, "Journey map")
    text = main_text(page)
    assert f"About {MD_LINK}" in text, "journey description not shown as typed"
    page.get_by_role("tab", name="🕸️ Network").click()
    page.frame_locator("iframe").first.locator("#mynetwork canvas").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    inner = next(f for f in page.frames if f != page.main_frame and f.evaluate("() => typeof nodes !== 'undefined'"))
    labels = inner.evaluate("() => nodes.get().map(n => n.label)")
    assert TOUCHPOINTS[0] in labels and TOUCHPOINTS[1] in labels, labels  # the canvas draws the name as typed
    titles = inner.evaluate("() => nodes.get().map(n => n.title && n.title.textContent)")
    assert any(STAGE in (t or "") for t in titles), titles  # tooltips are text nodes
    shot(page, "xss-journey-network")
    assert_inert(page, "Journey network")


def test_import_history_and_overview_run_nothing(app_url: str, page: Any) -> None:
    open_page(page, app_url, "import")
    assert_inert(page, "Import")
    open_page(page, app_url, "overview")
    assert_inert(page, "Overview")
    assert page.get_by_role("heading", level=1).first.inner_text().strip() == WORKSPACE  # the title, as typed
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Segments", exact=False).first.click()  # the segment filters are labelled by attribute
    wait_idle(page)
    assert SEGMENT in str(sidebar.inner_text()), "an attribute name is not shown as typed in the sidebar"
    assert_inert(page, "Sidebar")


UPLOAD_NAME = f"{MD_LINK} <img src=x onerror=window.__pwned=1>.csv"  # no slash or quote: the browser keeps it


def upload(page: Any, path: Path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))
    page.wait_for_timeout(1000)
    wait_idle(page)


def test_uploads_with_hostile_names_show_them_as_typed(app_url: str, page: Any, tmp_path: Path) -> None:
    """The Import page shows the file name, column names and messages about them: as text, with no live link."""
    open_page(page, app_url, "import")
    refused = tmp_path / "refused" / UPLOAD_NAME
    refused.parent.mkdir()
    refused.write_bytes(b"")
    upload(page, refused)
    page.locator('[data-testid="stAlert"]').first.wait_for(timeout=60_000)
    assert_inert(page, "Import refusal")
    assert f"'{UPLOAD_NAME}' is empty" in main_text(page), main_text(page)
    good = tmp_path / "good" / UPLOAD_NAME
    good.parent.mkdir()
    good.write_bytes(
        b"id,When,NPS,Rating - Wait <b>x</b> *now* $x$ `c`,Comment\r\n"
        + b"".join(f"u{i},0{1 + i % 9}/0{1 + i % 9}/2024,{i % 11},{1 + i % 5},fine {i}\r\n".encode() for i in range(12))
    )
    upload(page, good)
    page.get_by_text("Validation report").wait_for(timeout=60_000)
    wait_idle(page)
    shot(page, "xss-import-upload")
    assert_inert(page, "Import preview")
    text = main_text(page)
    assert UPLOAD_NAME in text, "the file name is not shown as typed"
    from cxdash.ingest.read import read_table
    from cxdash.ingest.suggest import suggest_roles

    roles = suggest_roles(read_table(good.read_bytes(), UPLOAD_NAME)).values()
    touchpoints = [r.split(":", 1)[1] for r in roles if r.startswith("rating:")]
    assert touchpoints and all(any(c in tp for c in "<>*$`") for tp in touchpoints), touchpoints
    for name in touchpoints:  # the "Touchpoints: …" caption of the validation report
        assert name in text, f"the touchpoint name {name!r} is not shown as typed"


def test_html_report_is_inert_and_literal(store_db: Path, tmp_path: Path, page: Any) -> None:
    from cxdash.report.html import build_html
    from cxdash.store.workspaces import get_workspace, open_store

    engine = open_store(str(store_db))
    try:
        report = build_html(engine, int(get_workspace(engine, WORKSPACE).id or 0))
    finally:
        engine.dispose()
    path = tmp_path / "report.html"
    path.write_text(report, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    shot(page, "xss-report")
    assert_inert(page, "HTML report")
    assert page.locator("script").count() == 0  # the report carries no script at all
    body = page.locator("body").inner_text()
    for typed in (WORKSPACE, PERSONA, f"Quote {IMG}", f"Summary {SCRIPT} {MD_LINK}", STAGE, STEP, f"Clicks {SCRIPT}"):
        assert typed in body, typed
