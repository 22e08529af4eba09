"""The persona card chart: the name is in the spec, long English and Japanese text wraps within its budget and is
cut with "…", hostile text stays a text mark's value, and the card renders offline as PNG and SVG."""

from __future__ import annotations

import json
import re

import pytest

from cxdash.store.models import Persona
from cxdash.viz import persona_card as pc

HOSTILE = "<img src=x onerror=alert(1)>"
LONG = ("Time-poor professional who orders weekly from the app and expects every delivery to arrive on time. " * 5)[
    :400
]
JA = "平日はネットスーパー、週末は店舗でまとめ買いをする共働きの母親。「配送が遅い」と夕飯に間に合わない。" * 3
STATS = {"n": 257, "nps": 28.2, "nps_lo": 19.1, "nps_hi": 37.4, "low_n": False}


def persona(**fields: str) -> Persona:
    values = {
        "workspace_id": 1,
        "name": "Premium Priya",
        "avatar": "👩‍💼",
        "summary": "Time-poor professional.",
        "goals": "Fast delivery\nNo surprises",
        "pains": "Late slots",
        "behaviours": "Orders in the evening",
        "channels": "app, email",
        "quote": "If it says Tuesday, it needs to be Tuesday.",
        "segment_json": '{"Plan": ["Premium"]}',
    }
    return Persona.model_validate(values | fields)


def rows(chart: object, role: str) -> list[dict]:
    spec = chart.to_dict()  # type: ignore[attr-defined]
    return [r for data in spec["datasets"].values() for r in data if r.get("role") == role]


def test_spec_has_the_name_the_sections_and_the_figures() -> None:
    chart = pc.persona_card_chart(persona(), STATS)
    spec = json.dumps(chart.to_dict(), ensure_ascii=False)
    assert "Premium Priya" in spec
    assert pc.card_lines(chart, "name") == ["Premium Priya"]
    assert pc.card_lines(chart, "heading") == ["Goals", "Pains", "Behaviours", "Channels"]
    assert "“If it says Tuesday, it needs to be Tuesday.”" in pc.card_lines(chart, "quote")
    assert {"app", "email", "Fast delivery", "No surprises"} <= set(pc.card_lines(chart, "item"))
    assert pc.card_lines(chart, "segment") == ["Segment: Plan is Premium"]
    assert pc.card_lines(chart, "stats") == ["Segment size: 257 NPS answers · NPS +28 (95% CI +19 to +37)"]
    assert "Segment size" not in json.dumps(pc.persona_card_chart(persona()).to_dict())
    assert chart.to_dict()["width"] == pc.WIDTH


def test_long_summary_wraps_within_its_budget() -> None:
    chart = pc.persona_card_chart(persona(summary=LONG))
    lines = rows(chart, "summary")
    assert 2 < len(lines) <= pc.MAX_LINES["summary"]
    for r in lines:
        assert pc.text_width(r["text"]) <= r["budget"], r["text"]
    assert lines[-1]["text"].endswith("…")  # 400 characters do not fit into 4 lines: cut, and it says so
    for role in pc.STYLES:
        for r in rows(chart, role):
            assert pc.text_width(r["text"]) <= r["budget"] + 1e-9, (role, r["text"])


def test_wrap_counts_cjk_double_and_breaks_japanese() -> None:
    lines = pc.wrap(JA, 30, 10)
    assert len(lines) > 3
    assert all(pc.text_width(line) <= 30 for line in lines)
    assert pc.text_width("配送") == 4 and pc.text_width("ab") == 2
    assert not any(line[0] in "、。」" for line in lines[1:])  # no line starts with closing punctuation
    assert not any(line.endswith("「") for line in lines)
    assert "".join(lines).replace("…", "") in JA.replace(" ", "")


def test_japanese_persona_lines_wrap_on_the_card() -> None:
    chart = pc.persona_card_chart(persona(name="共働きの佐藤さん", summary=JA, quote=JA, goals=JA), STATS)
    assert pc.card_lines(chart, "name") == ["共働きの佐藤さん"]
    for role in ("summary", "quote", "item"):
        lines = rows(chart, role)
        assert len(lines) > 1, role
        for r in lines:
            assert pc.text_width(r["text"]) <= r["budget"] + 1e-9, (role, r["text"])
    assert "Noto Sans CJK JP" in json.dumps(chart.to_dict())


def test_long_words_and_lists_are_cut_not_overflowing() -> None:
    word = "x" * 300
    assert all(pc.text_width(line) <= 20 for line in pc.wrap(word, 20, 50))
    cut = pc.wrap(word, 20, 2)
    assert len(cut) == 2 and cut[-1].endswith("…")
    chart = pc.persona_card_chart(persona(goals="\n".join([LONG] * 10), name="N" * 200))
    items = rows(chart, "item")
    assert len(items) <= pc.MAX_LINES["column"] + 4  # goals capped; the other columns are short
    assert items[pc.MAX_LINES["column"] - 1]["text"].endswith("…")
    assert len(pc.card_lines(chart, "name")) == pc.MAX_LINES["name"]


def test_emoji_sequences_stay_whole() -> None:
    assert pc.clusters("👩‍💼a🧑🏽‍💻") == ["👩‍💼", "a", "🧑🏽‍💻"]
    assert pc.text_width("👩‍💼") == 2
    assert "‍" not in pc.truncate("ab👩‍💼👩‍💼👩‍💼", 5).replace("👩‍💼", "")


def test_hostile_text_is_only_a_text_value() -> None:
    chart = pc.persona_card_chart(persona(name=HOSTILE, summary=HOSTILE, quote=HOSTILE, goals=HOSTILE, avatar=HOSTILE))
    spec = chart.to_dict()
    assert pc.card_lines(chart, "name") == [HOSTILE]
    assert HOSTILE in pc.card_lines(chart, "summary")
    assert " ".join(pc.card_lines(chart, "item")).startswith(HOSTILE)  # wrapped in its column, unchanged
    layers = spec["layer"]
    assert all(layer["mark"]["type"] in ("rect", "text") for layer in layers)  # no image: the avatar is not a URI
    text = json.dumps(spec)
    assert '"href"' not in text and '"url"' not in text and '"tooltip"' not in text


def test_image_avatar_uses_an_image_mark_and_bad_uris_do_not() -> None:
    uri = "data:image/png;base64,iVBORw0KGgo="
    spec = pc.persona_card_chart(persona(avatar=uri)).to_dict()
    images = [layer for layer in spec["layer"] if layer["mark"]["type"] == "image"]
    assert len(images) == 1 and images[0]["encoding"]["url"]["field"] == "url"
    bad = pc.persona_card_chart(persona(avatar="data:text/html;base64,PHNjcmlwdD4=")).to_dict()
    assert not [layer for layer in bad["layer"] if layer["mark"]["type"] == "image"]


def test_file_stem() -> None:
    assert pc.file_stem("Premium Priya") == "Premium_Priya"
    assert pc.file_stem("../../etc/passwd") == "etc_passwd"
    assert pc.file_stem("共働きの佐藤さん") == "共働きの佐藤さん"
    assert pc.file_stem("<>:*?") == "persona"


def test_card_renders_as_png_and_svg() -> None:
    pytest.importorskip("vl_convert")
    from cxdash.export import chart_png, chart_svg

    chart = pc.persona_card_chart(persona(summary=LONG, quote=HOSTILE), STATS)
    assert chart_png(chart).startswith(b"\x89PNG\r\n\x1a\n")
    svg = chart_svg(chart).decode("utf-8")
    assert "<svg" in svg
    assert "<img" not in svg  # the hostile quote is escaped text in the SVG
    ja = pc.persona_card_chart(persona(name="共働きの佐藤さん", summary=JA))
    assert chart_png(ja).startswith(b"\x89PNG")


def test_card_words_in_japanese() -> None:
    from cxdash.i18n import use_language

    with use_language("ja"):
        chart = pc.persona_card_chart(persona(segment_json='{"年代": ["30代", "40代"], "Plan": ["Premium"]}'), STATS)
        low = pc.persona_card_chart(persona(), STATS | {"n": 12, "low_n": True})
    assert pc.card_lines(chart, "heading") == ["目標", "ペインポイント", "行動特性", "チャネル"]
    assert pc.card_lines(chart, "segment") == ["セグメント：年代が30代 または 40代、かつ PlanがPremium"]
    assert pc.card_lines(chart, "stats") == ["セグメントの規模：NPS 回答 257 件 · NPS +28（95% 信頼区間 +19〜+37）"]
    assert pc.card_lines(low, "stats")[0].endswith(" · 小さなセグメント")
    # the user's own words are never translated, and English stays the default afterwards
    assert "Fast delivery" in pc.card_lines(chart, "item")
    assert pc.card_lines(pc.persona_card_chart(persona()), "heading")[0] == "Goals"


def test_japanese_card_image_names_a_japanese_font_first() -> None:
    """In the exported SVG every text with Japanese in it is drawn with Noto Sans CJK JP first (vl-convert draws a
    text with the first family of the list it finds, so a Latin font first could turn Japanese into boxes)."""
    pytest.importorskip("vl_convert")
    from cxdash.export import chart_png, chart_svg
    from cxdash.i18n import use_language

    with use_language("ja"):
        card = pc.persona_card_chart(persona(name="共働きの佐藤さん", summary=JA), STATS)
        assert chart_png(card, scale=1).startswith(b"\x89PNG")
        svg = chart_svg(card).decode("utf-8")
    families = re.findall(r'<text[^>]*font-family="([^"]*)"[^>]*>[^<]*[\u3040-\u30ff\u4e00-\u9fff]', svg)
    assert len(families) >= 8  # name, summary, headings, segment, figures
    for family in families:
        assert family.split(",")[0].strip() in ("Noto Sans CJK JP", "Noto Color Emoji"), family
