"""What a stakeholder report holds for a workspace and filters, gathered once for the deck and the HTML report.

KPIs with intervals and their trend, touchpoint scores, the priority matrix (key drivers of NPS over the touchpoints
that at least half of the responses rated, 200 seeded bootstrap resamples), journey maps, persona cards and the top
themes. Headless: plain data in, no rendering here. Text made here (notes, the display helpers at the bottom) is in
the current language (``cxdash.i18n``), like the deck and the HTML report that show it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, Table, func, select
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from cxdash.analysis.drivers import drivers_report
from cxdash.analysis.metrics import MetricValue
from cxdash.errors import CxdashError, NotFound
from cxdash.i18n import current_language, fmt_date, fmt_number, t
from cxdash.roles import format_scale
from cxdash.store.drivers_data import driver_frame
from cxdash.store.frames import touchpoint_scales
from cxdash.store.models import JourneyMap, JourneyStage, JourneyStep, Persona, Response, Workspace
from cxdash.store.queries import (
    CES_MAX,
    CES_MIN,
    CesScale,
    Filters,
    ces_scale,
    kpi_trend,
    kpis,
    response_conditions,
    touchpoint_scores,
)
from cxdash.store.themes import theme_summary

R = cast(Table, Response.__table__)  # type: ignore[attr-defined]

DRIVER_OUTCOME = "nps"
DRIVER_COVERAGE = 0.5
DRIVER_BOOTSTRAP = 200
DRIVER_SEED = 0
TOP_THEMES = 6
MAX_PERSONAS = 8
MAX_JOURNEYS = 3


@dataclass(frozen=True)
class PersonaCard:
    """A persona as the report shows it; list fields are one item per line of the stored text."""

    name: str
    avatar: str
    summary: str
    goals: list[str]
    pains: list[str]
    behaviours: list[str]
    channels: str
    quote: str
    segment: dict[str, list[str]]


@dataclass(frozen=True)
class JourneyStepView:
    stage: str
    label: str
    channel: str
    action: str
    thinking: str
    emotion: int
    pain_points: str
    opportunities: str
    owner: str


@dataclass(frozen=True)
class JourneyView:
    """A journey map's steps in order; ``content``/``evidence`` feed ``cxdash.viz.journey_chart`` when present."""

    name: str
    description: str
    persona: str | None
    stages: list[str]
    steps: list[JourneyStepView]
    content: dict[str, Any] | None = None
    evidence: pd.DataFrame | None = None


@dataclass(frozen=True)
class ReportContent:
    """Everything the deck and the HTML report show; built by :func:`gather`."""

    workspace: str
    language: str
    filters: Filters
    first: datetime | None
    last: datetime | None
    n_responses: int
    kpis: dict[str, MetricValue]
    trend: pd.DataFrame
    touchpoints: pd.DataFrame
    drivers: dict[str, Any] | None
    drivers_note: str
    journeys: list[JourneyView]
    personas: list[PersonaCard]
    themes: pd.DataFrame
    ces: CesScale = field(default_factory=CesScale)  # the scale its CES is on
    generated: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))
    report_language: str = field(default_factory=current_language)  # the language the report is written in

    @property
    def fix_first(self) -> list[dict[str, Any]]:
        """Drivers in the "Fix first" quadrant, strongest impact first."""
        if not self.drivers:
            return []
        rows = [d for d in self.drivers["drivers"] if d["quadrant"] == "Fix first"]
        return sorted(rows, key=lambda d: -(d["importance"] or 0.0))

    @property
    def period_text(self) -> str:
        """The responses' date range ('Jan 5, 2026 – Mar 30, 2026' / '2026年1月5日 – 2026年3月30日'), or a note when
        none is dated."""
        if self.first is None or self.last is None:
            return t("report.no_dates")
        return f"{fmt_date(self.first)} – {fmt_date(self.last)}"

    @property
    def filters_text(self) -> str:
        return describe_filters(self.filters)


def describe_filters(filters: Filters) -> str:
    """The filters in one line for a title page ('All responses' when there are none)."""
    parts = []
    if filters.date_from or filters.date_to:
        parts.append(t("report.filter.dates", start=_day(filters.date_from) or "…", end=_day(filters.date_to) or "…"))
    parts += [f"{name}: {', '.join(map(str, vals))}" for name, vals in filters.attributes.items() if vals]
    if filters.channels:
        parts.append(t("report.filter.channels", names=", ".join(filters.channels)))
    if filters.touchpoints:
        parts.append(t("report.filter.rated", names=", ".join(filters.touchpoints)))
    return "; ".join(parts) if parts else t("report.filter.all")


def _day(d: date | datetime | None) -> str:
    return "" if d is None else fmt_date(d)


def _lines(text: str) -> list[str]:
    return [ln.strip(" •-\t") for ln in (text or "").splitlines() if ln.strip(" •-\t")]


def response_span(engine: Engine, workspace_id: int, filters: Filters) -> tuple[datetime | None, datetime | None, int]:
    """First and last response time and the number of responses matching the filters."""
    stmt = select(func.min(R.c.responded_at), func.max(R.c.responded_at), func.count()).where(
        *response_conditions(workspace_id, filters)
    )
    with engine.connect() as conn:
        lo, hi, n = conn.execute(stmt).one()
    return lo, hi, int(n)


def priority_matrix(engine: Engine, workspace_id: int, filters: Filters) -> tuple[dict[str, Any] | None, str]:
    """The drivers report of NPS over the touchpoints rated by at least half of the responses, or None and why."""
    frame = driver_frame(engine, workspace_id, filters)
    scales = touchpoint_scales(engine, workspace_id)
    n = max(len(frame), 1)
    drivers = [t for t in scales if t in frame.columns and frame[t].notna().sum() / n >= DRIVER_COVERAGE]
    left_out = [t for t in scales if t not in drivers]
    note = t("report.matrix.left_out", names=", ".join(left_out)) if left_out else ""
    if not drivers:
        return None, t("report.matrix.none_rated")
    try:
        report = drivers_report(
            frame,
            DRIVER_OUTCOME,
            drivers,
            method="lmg",
            bootstrap=DRIVER_BOOTSTRAP,
            seed=DRIVER_SEED,
            scales={k: v for k, v in scales.items() if k in drivers},
        )
    except CxdashError as error:
        return None, t("report.matrix.failed", error=error)
    return report, note


def personas(engine: Engine, workspace_id: int) -> list[PersonaCard]:
    """The workspace's personas as cards, in the order they were created."""
    with Session(engine) as session:
        rows = session.exec(
            sm_select(Persona).where(Persona.workspace_id == workspace_id).order_by(col(Persona.id))
        ).all()
    out = []
    for p in rows[:MAX_PERSONAS]:
        try:
            seg = json.loads(p.segment_json or "{}")
        except ValueError:
            seg = {}
        segment = {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in dict(seg).items()}
        out.append(
            PersonaCard(
                p.name,
                p.avatar,
                p.summary,
                _lines(p.goals),
                _lines(p.pains),
                _lines(p.behaviours),
                p.channels,
                p.quote,
                segment,
            )
        )
    return out


def journeys(engine: Engine, workspace_id: int, filters: Filters | None = None) -> list[JourneyView]:
    """The workspace's journey maps with stages and steps in order (plus the journey store's content and
    touchpoint evidence for the journey chart, where that store module exists)."""
    try:
        from cxdash.store import journeys as journey_store
    except ImportError:  # the journey store is optional: the report then draws its own swimlane
        journey_store = None  # type: ignore[assignment]
    out = []
    with Session(engine) as session:
        maps = session.exec(
            sm_select(JourneyMap).where(JourneyMap.workspace_id == workspace_id).order_by(col(JourneyMap.id))
        ).all()
        for jm in maps[:MAX_JOURNEYS]:
            persona = session.get(Persona, jm.persona_id) if jm.persona_id is not None else None
            stages = session.exec(
                sm_select(JourneyStage).where(JourneyStage.journey_id == jm.id).order_by(col(JourneyStage.position))
            ).all()
            steps = []
            for stage in stages:
                for s in session.exec(
                    sm_select(JourneyStep).where(JourneyStep.stage_id == stage.id).order_by(col(JourneyStep.position))
                ):
                    steps.append(
                        JourneyStepView(
                            stage.name,
                            s.touchpoint_label,
                            s.channel,
                            s.action,
                            s.thinking,
                            int(s.emotion),
                            s.pain_points,
                            s.opportunities,
                            s.owner,
                        )
                    )
            who = persona.name if persona else None
            content = evidence = None
            if journey_store is not None and jm.id is not None:
                content = journey_store.journey_content(engine, jm.id)
                names = [st.get("touchpoint") for sg in content["stages"] for st in sg["steps"]]
                evidence = journey_store.touchpoint_evidence(engine, workspace_id, [n for n in names if n], filters)
            view = JourneyView(jm.name, jm.description, who, [s.name for s in stages], steps, content, evidence)
            out.append(view)
    return out


def gather(engine: Engine, workspace_id: int, filters: Filters | None = None) -> ReportContent:
    """Everything a stakeholder report shows for a workspace and filters (raises NotFound for no workspace)."""
    f = filters or Filters()
    with Session(engine) as session:
        ws = session.get(Workspace, workspace_id)
        if ws is None:
            raise NotFound(t("report.no_workspace", id=workspace_id))
        name, language = ws.name, ws.language
    first, last, n = response_span(engine, workspace_id, f)
    matrix, note = priority_matrix(engine, workspace_id, f) if n else (None, t("report.no_responses"))
    themes = theme_summary(engine, workspace_id, filters=f, n_examples=3)
    themes = themes[themes["volume"] > 0].head(TOP_THEMES).reset_index(drop=True)
    ces = ces_scale(engine, workspace_id)
    return ReportContent(
        workspace=name,
        language=language,
        filters=f,
        first=first,
        last=last,
        n_responses=n,
        kpis=kpis(engine, workspace_id, f, ces=ces),
        trend=kpi_trend(engine, workspace_id, f, ces=ces),
        touchpoints=touchpoint_scores(engine, workspace_id, f),
        drivers=matrix,
        drivers_note=note,
        journeys=journeys(engine, workspace_id, f),
        personas=personas(engine, workspace_id),
        themes=themes,
        ces=ces,
    )


# --- display helpers shared by the deck and the HTML report ---------------------------------------------------------

KPIS = ("nps", "csat", "ces")


def kpi_label(metric: str, ces_scale: tuple[int, int] = (CES_MIN, CES_MAX)) -> str:
    """'NPS', 'CSAT (top-2 box)', 'CES (ease, 1–5)' in the current language (CES on ``ces_scale``)."""
    return t(f"report.kpi.{metric}", scale=format_scale(ces_scale))


def kpi_value_text(mv: MetricValue) -> str:
    """The big number of a KPI card ('—' without data)."""
    if mv.value is None:
        return "—"
    if mv.metric == "nps":
        return f"{mv.value:+.0f}"
    if mv.metric == "csat":
        return f"{mv.value:.1f}%"  # as the Overview shows it (40.1%, not 40%)
    return f"{mv.value:.2f}"


def kpi_detail_text(mv: MetricValue) -> str:
    """n and the 95% interval under a KPI's big number."""
    n = fmt_number(mv.n)
    if mv.value is None:
        return t("report.kpi.no_data", n=n)
    if mv.ci95 is None:
        ci = t("report.kpi.no_interval")
    elif mv.metric == "nps":
        ci = t("report.kpi.ci_to", lo=f"{mv.ci95[0]:+.1f}", hi=f"{mv.ci95[1]:+.1f}")
    elif mv.metric == "csat":
        ci = t("report.kpi.ci_range", lo=f"{mv.ci95[0]:.1f}", hi=f"{mv.ci95[1]:.1f}%")
    else:
        ci = t("report.kpi.ci_range", lo=f"{mv.ci95[0]:.2f}", hi=f"{mv.ci95[1]:.2f}")
    small = t("report.kpi.small") if mv.low_n else ""
    return t("report.kpi.detail", n=n, ci=ci) + small


def fix_first_text(d: dict[str, Any]) -> str:
    """One line about a fix-first driver: its share of impact, score and bootstrap stability."""
    parts = [d["name"]]
    if d.get("share") is not None:
        parts.append(t("report.fix.share", share=f"{d['share']:.0%}"))
    if d.get("score") is not None:
        parts.append(t("report.fix.score", score=f"{d['score']:.2f}"))
    if d.get("p_fix_first") is not None:
        parts.append(t("report.fix.stability", share=f"{d['p_fix_first']:.0%}"))
    return parts[0] + (t("report.fix.colon") + t("report.fix.sep").join(parts[1:]) if len(parts) > 1 else "")


def quoted(text: str) -> str:
    """A customer's or persona's words in the quotation marks of the current language (“…” / 「…」)."""
    return t("personas.card.quote", text=text)


def percent(value: Any) -> str:
    """A 0–1 share as a whole percent ('—' when undefined)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if pd.isna(v) else f"{v:.0%}"
