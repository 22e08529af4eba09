"""The stakeholder deck (PowerPoint, 16:9): KPIs, touchpoints, priority matrix, journey maps, personas, top themes.

Every text box is filled through :func:`add_text`, which cuts user text to what its box holds at its font size
(measured by :mod:`cxdash.report.text`), so nothing overflows; runs name an East Asian font so Japanese renders.
Charts are real pictures rendered offline by vl-convert. The deck's own words are in the current language
(``cxdash.i18n``) or the one given to :func:`build_deck`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.text.text import TextFrame, _Run
from pptx.util import Emu, Inches, Length, Pt
from sqlalchemy import Engine

from cxdash.i18n import current_language, fmt_date, fmt_number, t, use_language
from cxdash.report import charts
from cxdash.report.content import (
    KPIS,
    PersonaCard,
    ReportContent,
    fix_first_text,
    gather,
    kpi_detail_text,
    kpi_label,
    kpi_value_text,
    percent,
    quoted,
)
from cxdash.report.text import LINE_HEIGHT, has_cjk, lines_needed, one_line, truncate
from cxdash.store.personas import describe_segment
from cxdash.store.queries import Filters

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_W = Emu(SLIDE_W - 2 * MARGIN)
INSET_X, INSET_Y = Inches(0.1), Inches(0.05)
WIDTH_SAFETY = 0.94  # room for kinsoku (Japanese line-start rules) and font substitution
EA_FONT = "Yu Gothic"  # Office's Japanese UI font; viewers without it substitute a Japanese font (charset 128)
TITLE_PT, BODY_PT, SMALL_PT = 32, 18, 14
MIN_TITLE_PT = 26  # a long title (Japanese ones are wide) shrinks to this before it is cut
DARK, MUTED, ACCENT = RGBColor(0x21, 0x25, 0x29), RGBColor(0x49, 0x50, 0x57), RGBColor(0x3B, 0x5B, 0xDB)
RED, PALE = RGBColor(0xC9, 0x2A, 0x2A), RGBColor(0xED, 0xF2, 0xFF)
SLIDES = ("kpis", "touchpoints", "matrix", "journey", "themes")  # slide titles: report.title.<slide>


@dataclass(frozen=True)
class Para:
    """One paragraph of a text box: its text and how it looks."""

    text: str
    size: int = BODY_PT
    bold: bool = False
    italic: bool = False
    color: RGBColor = DARK


def width_em(box_width: int, size_pt: float) -> float:
    """How many ems of text fit on one line of a box ``box_width`` EMU wide (insets and safety margin off)."""
    return (box_width - 2 * INSET_X) / 12700 / size_pt * WIDTH_SAFETY


def usable_height_pt(box_height: int) -> float:
    """Points of text height inside a box (top and bottom insets off)."""
    return (box_height - 2 * INSET_Y) / 12700


def fit(paras: Sequence[Para], box_width: int, box_height: int) -> list[Para]:
    """The paragraphs cut to fill the box at most: later paragraphs are shortened or dropped first."""
    room = usable_height_pt(box_height)
    out: list[Para] = []
    for p in paras:
        line = p.size * LINE_HEIGHT
        lines = int(room / line + 1e-6)
        if lines <= 0:
            break
        text = truncate(p.text, width_em(box_width, p.size), lines, p.bold)
        if not text:
            break
        out.append(Para(text, p.size, p.bold, p.italic, p.color))
        room -= lines_needed(text, width_em(box_width, p.size), p.bold) * line
    return out


def _east_asian(run: _Run, text: str) -> None:
    """Name the East Asian font on the run (and mark Japanese text as such) so that Japanese renders."""
    rpr = run._r.get_or_add_rPr()
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", EA_FONT)
    ea.set("charset", "-128")
    if has_cjk(text):
        rpr.set("lang", "ja-JP")
        rpr.set("altLang", "en-US")


def fill_frame(tf: TextFrame, paras: Sequence[Para], align: Any = None) -> None:
    """Write paragraphs into a text frame: fixed size, wrapped, explicit insets, fonts on every run."""
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = INSET_X
    tf.margin_top = tf.margin_bottom = INSET_Y
    tf.vertical_anchor = MSO_ANCHOR.TOP
    for i, p in enumerate(paras):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        if align is not None:
            para.alignment = align
        run = para.add_run()
        run.text = p.text
        run.font.size = Pt(p.size)
        run.font.bold = p.bold
        run.font.italic = p.italic
        run.font.color.rgb = p.color
        _east_asian(run, p.text)


def add_text(
    slide: Slide,
    left: Length,
    top: Length,
    width: Length,
    height: Length,
    paras: Sequence[Para],
    fill: RGBColor | None = None,
    align: Any = None,
) -> Any:
    """A text box (a filled rectangle when ``fill`` is given) whose text is cut to fit it."""
    if fill is None:
        shape = slide.shapes.add_textbox(left, top, width, height)
    else:
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
        shape.fill.solid()
        shape.fill.fore_color.rgb = fill
        shape.line.fill.background()
        shape.shadow.inherit = False
    fill_frame(shape.text_frame, fit(paras, width, height), align)
    return shape


def add_title(slide: Slide, text: str) -> None:
    """The slide's title on one line: at 32 pt, or a little smaller (down to 26 pt) before a long one is cut —
    Japanese titles are wider per character."""
    line = one_line(text)
    size = next(
        (pt for pt in range(TITLE_PT, MIN_TITLE_PT - 1, -2) if lines_needed(line, width_em(CONTENT_W, pt), True) <= 1),
        MIN_TITLE_PT,
    )
    add_text(slide, MARGIN, Inches(0.3), CONTENT_W, Inches(0.85), [Para(line, size, bold=True)])


def add_picture(slide: Slide, png: bytes, left: Length, top: Length, width: Length, height: Length) -> Any:
    """The PNG scaled to fit the box (aspect kept), centred horizontally and top-aligned."""
    w_px, h_px = charts.png_size(png)
    scale = min(width / w_px, height / h_px)
    w, h = int(w_px * scale), int(h_px * scale)
    return slide.shapes.add_picture(io.BytesIO(png), Emu(left + (width - w) // 2), Emu(top), Emu(w), Emu(h))


def _note(slide: Slide, text: str) -> None:
    add_text(slide, MARGIN, Inches(1.4), CONTENT_W, Inches(1.2), [Para(text, BODY_PT, color=MUTED)])


# --- slides ------------------------------------------------------------------------------------------------------


def _blank(prs: Any) -> Slide:
    return prs.slides.add_slide(prs.slide_layouts[6])


def title_slide(prs: Any, c: ReportContent) -> None:
    s = _blank(prs)
    band = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(0), Emu(0), Inches(0.35), SLIDE_H)
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    add_text(s, Inches(1.0), Inches(1.6), Inches(11.3), Inches(1.5), [Para(one_line(c.workspace), 40, bold=True)])
    add_text(s, Inches(1.0), Inches(3.2), Inches(11.3), Inches(0.6), [Para(t("report.subtitle"), 24, color=ACCENT)])
    details = [
        Para(f"{t('report.responses', n=fmt_number(c.n_responses))} · {c.period_text}", 20),
        Para(t("report.filters", filters=c.filters_text), 16, color=MUTED),
        Para(t("report.generated_on", date=fmt_date(c.generated)), SMALL_PT, color=MUTED),
    ]
    add_text(s, Inches(1.0), Inches(4.1), Inches(11.3), Inches(1.9), details)


def kpi_slide(prs: Any, c: ReportContent) -> None:
    s = _blank(prs)
    add_title(s, t("report.title.kpis"))
    gap = Inches(0.3)
    card_w = Emu((CONTENT_W - 2 * gap) // 3)
    for i, key in enumerate(KPIS):
        mv = c.kpis[key]
        paras = [
            Para(kpi_label(key, c.ces.scale), BODY_PT, bold=True, color=MUTED),
            Para(kpi_value_text(mv), 44, bold=True, color=ACCENT),
            Para(kpi_detail_text(mv), SMALL_PT, color=MUTED),
        ]
        add_text(s, Emu(MARGIN + i * (card_w + gap)), Inches(1.25), card_w, Inches(1.75), paras, fill=PALE)
    chart = charts.trend_picture(c, "nps", width=1000, height=230)
    if chart is None:
        add_text(s, MARGIN, Inches(3.3), CONTENT_W, Inches(0.8), [Para(t("report.no_trend"), BODY_PT)])
    else:
        add_picture(s, charts.png(chart), MARGIN, Inches(3.2), CONTENT_W, Inches(4.1))


def touchpoint_slide(prs: Any, c: ReportContent) -> None:
    s = _blank(prs)
    add_title(s, t("report.title.touchpoints"))
    chart = charts.touchpoint_picture(c, width=600)
    if chart is None:
        _note(s, t("report.no_touchpoints"))
        return
    add_picture(s, charts.png(chart), MARGIN, Inches(1.25), Inches(8.4), Inches(5.9))
    rated = c.touchpoints[c.touchpoints["n"] > 0].copy()
    span = (rated["scale_max"] - rated["scale_min"]).where(lambda v: v > 0, 1)
    rated["pct"] = (rated["mean"] - rated["scale_min"]) / span
    paras = [Para(t("report.lowest"), 20, bold=True)]
    for _, r in rated.sort_values("pct").head(4).iterrows():
        line = t(
            "report.lowest_item", name=one_line(r["touchpoint"]), mean=f"{r['mean']:.2f}", max=int(r["scale_max"]),
            top2=f"{r['top2']:.0f}",
        )  # fmt: skip
        paras.append(Para(f"• {line}"))
    paras.append(Para(t("report.touchpoints_note"), SMALL_PT, color=MUTED))
    add_text(s, Inches(9.1), Inches(1.4), Inches(3.73), Inches(5.7), paras)


def matrix_slide(prs: Any, c: ReportContent) -> None:
    s = _blank(prs)
    add_title(s, t("report.title.matrix"))
    chart = charts.matrix_picture(c, width=640, height=440)
    if chart is None or not c.drivers:
        _note(s, c.drivers_note or t("report.matrix.none"))
        return
    add_picture(s, charts.png(chart), MARGIN, Inches(1.2), Inches(8.3), Inches(6.0))
    fix = c.fix_first
    paras = [Para(t("report.fix_first"), 22, bold=True, color=RED)]
    if fix:
        paras += [Para("• " + fix_first_text(d), 16) for d in fix]
    else:
        paras.append(Para(t("report.matrix.no_fix_first"), 16))
    foot = t("report.matrix.foot", n=fmt_number(c.drivers["n"]), missing=c.drivers.get("missing", "").split(":")[0])
    paras.append(Para(foot, SMALL_PT, color=MUTED))
    if c.drivers_note:
        paras.append(Para(c.drivers_note, SMALL_PT, color=MUTED))
    add_text(s, Inches(9.0), Inches(1.3), Inches(3.83), Inches(5.9), paras)


def journey_slides(prs: Any, c: ReportContent) -> None:
    if not c.journeys:
        s = _blank(prs)
        add_title(s, t("report.title.journey"))
        _note(s, t("report.no_journey_ws"))
        return
    for j in c.journeys:
        s = _blank(prs)
        add_title(s, t("report.title.journey_named", name=j.name))
        if j.description:
            add_text(s, MARGIN, Inches(1.1), CONTENT_W, Inches(0.5), [Para(one_line(j.description), 16, color=MUTED)])
        chart = charts.journey_picture(j, width=1150, font_size=14)
        if chart is None:
            _note(s, t("report.no_steps"))
            continue
        add_picture(s, charts.png(chart), MARGIN, Inches(1.65), CONTENT_W, Inches(5.7))


def _bullets(heading: str, items: Sequence[str]) -> list[Para]:
    return [Para(heading, BODY_PT, bold=True, color=ACCENT)] + [Para("• " + one_line(t), 16) for t in items]


def persona_slide(prs: Any, p: PersonaCard) -> None:
    s = _blank(prs)
    add_title(s, t("report.title.persona", name=f"{one_line(p.avatar)} {one_line(p.name)}"))
    left_w, right_l = Inches(5.3), Inches(6.1)
    right_w = Emu(SLIDE_W - MARGIN - right_l)
    add_text(s, MARGIN, Inches(1.25), left_w, Inches(1.9), [Para(p.summary, BODY_PT)])
    if p.quote:
        add_text(
            s,
            MARGIN,
            Inches(3.25),
            left_w,
            Inches(1.6),
            [Para(quoted(one_line(p.quote)), 20, italic=True, color=ACCENT)],
            fill=PALE,
        )
    extra = []
    if p.channels:
        extra.append(Para(f"{t('report.persona.channels')} {one_line(p.channels)}", 16))
    if p.segment:
        extra.append(Para(t("report.persona.segment", segment=describe_segment(p.segment)), SMALL_PT, color=MUTED))
    if extra:
        add_text(s, MARGIN, Inches(5.0), left_w, Inches(2.1), extra)
    sections = ((t("personas.heading.goals"), p.goals), (t("personas.heading.pains"), p.pains),
                (t("personas.heading.behaviours"), p.behaviours))  # fmt: skip
    for k, (heading, items) in enumerate(sections):
        add_text(s, right_l, Inches(1.25 + k * 1.95), right_w, Inches(1.85), _bullets(heading, items or ["—"]))


def themes_slide(prs: Any, c: ReportContent) -> None:
    s = _blank(prs)
    add_title(s, t("report.title.themes"))
    if c.themes.empty:
        _note(s, t("report.no_themes_here"))
        return
    widths = [Inches(2.7), Inches(1.7), Inches(1.7), Emu(CONTENT_W - Inches(6.1))]
    head_h, row_h = Inches(0.5), Inches(0.62)
    rows = len(c.themes) + 1
    shape = s.shapes.add_table(rows, 4, MARGIN, Inches(1.25), CONTENT_W, Emu(head_h + row_h * (rows - 1)))
    table = shape.table
    for j, w in enumerate(widths):
        table.columns[j].width = w
    table.rows[0].height = head_h
    header = [
        t("report.theme.theme"),
        t("report.theme.comments"),
        t("report.theme.negative"),
        t("report.theme.example"),
    ]
    for j, text in enumerate(header):
        _cell(table.cell(0, j), widths[j], head_h, Para(text, 16, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF)))
    for i, r in enumerate(c.themes.to_dict("records"), start=1):
        table.rows[i].height = row_h
        example = one_line(r["examples"][0]) if r["examples"] else "—"
        cells = [
            Para(one_line(r["theme"]), SMALL_PT, bold=True),
            Para(f"{int(r['volume']):,} ({percent(r['share'])})", SMALL_PT),
            Para(percent(r["negative_share"]), SMALL_PT, color=RED if (r["negative_share"] or 0) >= 0.5 else DARK),
            Para(quoted(example) if r["examples"] else example, SMALL_PT, italic=True),
        ]
        for j, para in enumerate(cells):
            _cell(table.cell(i, j), widths[j], row_h, para)
    foot = t("report.theme.note")
    top = Emu(Inches(1.25) + head_h + row_h * (rows - 1) + Inches(0.15))
    add_text(s, MARGIN, top, CONTENT_W, Inches(0.8), [Para(foot, SMALL_PT, color=MUTED)])


def _cell(cell: Any, width: int, height: int, para: Para) -> None:
    cell.margin_left = cell.margin_right = INSET_X
    cell.margin_top = cell.margin_bottom = INSET_Y
    cell.vertical_anchor = MSO_ANCHOR.TOP
    fill_frame(cell.text_frame, fit([para], width, height))


# --- the deck ----------------------------------------------------------------------------------------------------


def deck_from_content(c: ReportContent) -> bytes:
    """The deck's bytes for gathered content (slides: title, KPIs, touchpoints, matrix, journeys, personas, themes)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    title_slide(prs, c)
    kpi_slide(prs, c)
    touchpoint_slide(prs, c)
    matrix_slide(prs, c)
    journey_slides(prs, c)
    for p in c.personas:
        persona_slide(prs, p)
    themes_slide(prs, c)
    prs.core_properties.title = t("report.deck_title", workspace=c.workspace)
    prs.core_properties.language = "ja-JP" if c.report_language == "ja" else "en-US"
    prs.core_properties.author = "cxdash"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def build_deck(engine: Engine, workspace_id: int, filters: Filters | None = None, language: str | None = None) -> bytes:
    """A stakeholder deck (.pptx bytes) for the workspace and filters, in ``language`` ('en' or 'ja'; default: the
    current language)."""
    with use_language(language or current_language()):
        return deck_from_content(gather(engine, workspace_id, filters))


__all__ = ["Para", "build_deck", "deck_from_content", "fit", "usable_height_pt", "width_em"]
