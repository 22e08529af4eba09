"""The stakeholder report as ONE self-contained HTML file: opens offline, prints cleanly, carries no script.

Charts are inline SVG rendered by vl-convert; there are no external scripts, fonts, images or style sheets. Every
piece of user text (workspace, personas, journeys, comments, touchpoint names) goes through ``html.escape``. The
report's own words are in the current language (``cxdash.i18n``) or the one given to :func:`build_html`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine

from cxdash.i18n import current_language, fmt_date, fmt_number, t, use_language
from cxdash.report import charts
from cxdash.report.content import (
    KPIS,
    JourneyView,
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
from cxdash.store.personas import describe_segment
from cxdash.store.queries import Filters

CSS = """
:root { --ink: #212529; --muted: #495057; --accent: #3b5bdb; --pale: #edf2ff; --line: #dee2e6; --red: #c92a2a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: var(--ink); line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP", "Yu Gothic", Meiryo,
  "Hiragino Sans", sans-serif; font-size: 16px; }
header { border-left: 10px solid var(--accent); padding: 4px 0 4px 20px; margin-bottom: 28px; }
h1 { font-size: 2.1rem; margin: 0 0 4px; }
h2 { font-size: 1.5rem; margin: 36px 0 12px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.15rem; margin: 18px 0 6px; }
.sub { color: var(--accent); font-size: 1.2rem; margin: 0 0 8px; }
.muted, .note { color: var(--muted); }
.note { font-size: 0.9rem; }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 16px; }
.kpi { background: var(--pale); border-radius: 6px; padding: 14px 16px; }
.kpi .label { font-weight: 600; color: var(--muted); }
.kpi .value { font-size: 2.6rem; font-weight: 700; color: var(--accent); line-height: 1.1; }
figure { margin: 16px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
.matrix { display: grid; grid-template-columns: minmax(0, 2.2fr) minmax(0, 1fr); gap: 20px; align-items: start; }
.fix h3 { color: var(--red); }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--accent); color: white; }
td.num { white-space: nowrap; }
.personas { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 16px; }
.persona { border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; }
.persona h3 { margin-top: 0; }
.persona .avatar { font-size: 1.8rem; margin-right: 6px; }
.persona blockquote { margin: 8px 0; padding: 6px 12px; background: var(--pale); font-style: italic;
  color: var(--accent); }
.persona ul { margin: 2px 0 8px; padding-left: 20px; }
.persona .head { font-weight: 600; color: var(--accent); margin-top: 6px; }
footer { margin-top: 40px; font-size: 0.85rem; color: var(--muted); }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  figure, .kpi, .persona, tr, .matrix { break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .kpi, .persona blockquote { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


STEP_HEADINGS = ("stage", "step", "channel", "doing", "thinking", "emotion", "pain_points", "opportunities", "owner")


def e(value: Any) -> str:
    """Escaped text for HTML content or attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def _figure(chart: Any, alt_text: str) -> str:
    if chart is None:
        return ""
    return f'<figure role="img" aria-label="{e(alt_text)}">{charts.svg(chart)}</figure>'


def _list(items: Iterable[str]) -> str:
    rows = "".join(f"<li>{e(i)}</li>" for i in items)
    return f"<ul>{rows}</ul>" if rows else '<p class="muted">—</p>'


def header(c: ReportContent) -> str:
    mark = "\x00"  # the count is set in bold inside the (escaped) sentence
    responses = e(t("report.responses", n=mark)).replace(mark, f"<strong>{fmt_number(c.n_responses)}</strong>")
    return (
        f"<header><h1>{e(c.workspace)}</h1><p class='sub'>{e(t('report.subtitle'))}</p>"
        f"<p>{responses} · {e(c.period_text)}</p>"
        f"<p class='muted'>{e(t('report.filters', filters=c.filters_text))}</p></header>"
    )


def kpi_section(c: ReportContent) -> str:
    cards = "".join(
        f"<div class='kpi' id='kpi-{key}'><div class='label'>{e(kpi_label(key, c.ces.scale))}</div>"
        f"<div class='value'>{e(kpi_value_text(c.kpis[key]))}</div>"
        f"<div class='note'>{e(kpi_detail_text(c.kpis[key]))}</div></div>"
        for key in KPIS
    )
    trend = _figure(charts.trend_picture(c, "nps", width=900, height=240), t("report.alt.trend"))
    if not trend:
        trend = f"<p class='muted'>{e(t('report.no_trend'))}</p>"
    return f"<section id='kpis'><h2>{e(t('report.title.kpis'))}</h2><div class='kpis'>{cards}</div>{trend}</section>"


def touchpoint_section(c: ReportContent) -> str:
    fig = _figure(charts.touchpoint_picture(c, width=760), t("report.alt.touchpoints"))
    body = fig or f"<p class='muted'>{e(t('report.no_touchpoints'))}</p>"
    return f"<section id='touchpoints'><h2>{e(t('report.title.touchpoints'))}</h2>{body}</section>"


def matrix_section(c: ReportContent) -> str:
    title = e(t("report.title.matrix"))
    if not c.drivers:
        note = e(c.drivers_note or t("report.matrix.none"))
        return f"<section id='matrix'><h2>{title}</h2><p class='muted'>{note}</p></section>"
    fig = _figure(charts.matrix_picture(c, width=640, height=440), t("report.alt.matrix"))
    fix = c.fix_first
    items = _list(fix_first_text(d) for d in fix) if fix else f"<p>{e(t('report.matrix.no_fix_first'))}</p>"
    missing = str(c.drivers.get("missing", ""))
    notes = [
        t("report.matrix.method", n=fmt_number(c.drivers["n"])),
        t("report.matrix.missing", missing=missing) if missing else "",
        c.drivers_note,
        *c.drivers.get("warnings", []),
    ]
    note_html = "".join(f"<p class='note'>{e(n)}</p>" for n in notes if n)
    return (
        f"<section id='matrix'><h2>{title}</h2><div class='matrix'>"
        f"<div>{fig}</div><div class='fix'><h3>{e(t('report.fix_first'))}</h3>{items}{note_html}</div></div></section>"
    )


def journey_section(journeys: list[JourneyView]) -> str:
    if not journeys:
        return (
            f"<section id='journeys'><h2>{e(t('report.title.journey'))}</h2>"
            f"<p class='muted'>{e(t('report.no_journey'))}</p></section>"
        )
    parts = ["<section id='journeys'>"]
    for j in journeys:
        who = f" <span class='muted'>{e(t('report.journey_persona', name=j.persona))}</span>" if j.persona else ""
        parts.append(f"<h2>{e(t('report.title.journey_named', name=j.name))}{who}</h2>")
        if j.description:
            parts.append(f"<p>{e(j.description)}</p>")
        picture = charts.journey_picture(j, width=1080, font_size=13, team=True)
        parts.append(_figure(picture, t("report.title.journey_named", name=j.name)))
        if j.steps:
            head = "".join(f"<th>{e(t(f'report.step.{h}'))}</th>" for h in STEP_HEADINGS)
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td>{e(v)}</td>"
                    for v in (
                        s.stage,
                        s.label,
                        s.channel,
                        s.action,
                        s.thinking,
                        f"{s.emotion:+d}" if s.emotion else "0",
                        s.pain_points,
                        s.opportunities,
                        s.owner,
                    )
                )  # fmt: skip
                + "</tr>"
                for s in j.steps
            )
            steps = e(t("report.steps"))
            parts.append(f"<h3>{steps}</h3><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def persona_card(p: PersonaCard) -> str:
    segment = describe_segment(p.segment) if p.segment else ""
    return (
        f"<article class='persona'><h3><span class='avatar'>{e(p.avatar)}</span>{e(p.name)}</h3>"
        f"<p>{e(p.summary)}</p>"
        + (f"<blockquote>{e(quoted(p.quote))}</blockquote>" if p.quote else "")
        + f"<div class='head'>{e(t('personas.heading.goals'))}</div>{_list(p.goals)}"
        f"<div class='head'>{e(t('personas.heading.pains'))}</div>{_list(p.pains)}"
        f"<div class='head'>{e(t('personas.heading.behaviours'))}</div>{_list(p.behaviours)}"
        + (f"<p><strong>{e(t('report.persona.channels'))}</strong> {e(p.channels)}</p>" if p.channels else "")
        + (f"<p class='note'>{e(t('report.persona.segment', segment=segment))}</p>" if segment else "")
        + "</article>"
    )


def persona_section(personas: list[PersonaCard]) -> str:
    body = "".join(persona_card(p) for p in personas) or f"<p class='muted'>{e(t('report.no_personas'))}</p>"
    return (
        f"<section id='personas'><h2>{e(t('report.title.personas'))}</h2><div class='personas'>{body}</div></section>"
    )


def theme_section(c: ReportContent) -> str:
    title = e(t("report.title.themes"))
    if c.themes.empty:
        return f"<section id='themes'><h2>{title}</h2><p class='muted'>{e(t('report.no_themes'))}</p></section>"
    rows = "".join(
        f"<tr><td><strong>{e(r['theme'])}</strong></td>"
        f"<td class='num'>{int(r['volume']):,} ({percent(r['share'])})</td>"
        f"<td class='num'>{percent(r['negative_share'])}</td>"
        f"<td>{'<br>'.join(e(quoted(x)) for x in r['examples'][:2]) or '—'}</td></tr>"
        for r in c.themes.to_dict("records")
    )
    return (
        f"<section id='themes'><h2>{title}</h2><table><thead><tr><th>{e(t('report.theme.theme'))}</th>"
        f"<th>{e(t('report.theme.comments'))}</th><th>{e(t('report.theme.negative'))}</th>"
        f"<th>{e(t('report.theme.examples'))}</th></tr></thead>"
        f"<tbody>{rows}</tbody></table><p class='note'>{e(t('report.theme.note'))}</p></section>"
    )


def html_from_content(c: ReportContent) -> str:
    """The report page for gathered content (its words in the current language)."""
    # the page's language: the report's words, or the workspace's when its data is Japanese (CJK glyph choice)
    lang = "ja" if c.report_language == "ja" or c.language.startswith("ja") else "en"
    body = "".join(
        [
            header(c),
            kpi_section(c),
            touchpoint_section(c),
            matrix_section(c),
            journey_section(c.journeys),
            persona_section(c.personas),
            theme_section(c),
            f"<footer>{e(t('report.generated_at', date=fmt_date(c.generated), time=f'{c.generated:%H:%M}'))}</footer>",
        ]
    )
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(t('report.page_title', workspace=c.workspace))}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def build_html(engine: Engine, workspace_id: int, filters: Filters | None = None, language: str | None = None) -> str:
    """A self-contained HTML report (one string, no external resources) for the workspace and filters, in
    ``language`` ('en' or 'ja'; default: the current language)."""
    with use_language(language or current_language()):
        return html_from_content(gather(engine, workspace_id, filters))
