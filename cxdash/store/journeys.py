"""Journey maps in the store: maps, stages and steps (add, edit, reorder, delete), undo snapshots, and the evidence
per linked touchpoint (score, NPS of those who rated it, comment sentiment, impact, themes).

Every edit is one small write transaction of its own (``writer(engine)``: SQLite takes the write lock up front), so a
workshop that closes the browser mid-way loses nothing. ``snapshot`` captures a whole map (with its row ids) and
``restore`` puts it back exactly, which is how the page undoes its last change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, select
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from cxdash.analysis.metrics import MIN_N, ces_from_moments, nps_from_counts
from cxdash.errors import InputRefused, NotFound
from cxdash.i18n import t
from cxdash.store.drivers_data import TouchpointComments, read_touchpoint_comments
from cxdash.store.engine import writer
from cxdash.store.models import (
    Comment,
    CommentTheme,
    JourneyMap,
    JourneyStage,
    JourneyStep,
    Persona,
    Rating,
    Response,
    Theme,
    Touchpoint,
    utcnow,
)
from cxdash.store.queries import Filters

R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
RT = cast(Table, Rating.__table__)  # type: ignore[attr-defined]
TP = cast(Table, Touchpoint.__table__)  # type: ignore[attr-defined]
C = cast(Table, Comment.__table__)  # type: ignore[attr-defined]
CT = cast(Table, CommentTheme.__table__)  # type: ignore[attr-defined]
T = cast(Table, Theme.__table__)  # type: ignore[attr-defined]

TEXT_FIELDS = (
    "touchpoint_label",
    "channel",
    "action",
    "thinking",
    "pain_points",
    "opportunities",
    "owner",
    "backstage",
)
STEP_FIELDS = (*TEXT_FIELDS[:4], "emotion", *TEXT_FIELDS[4:])
EMOTION_MIN, EMOTION_MAX = -2, 2
MAX_NAME = 200
_KEEP = object()  # "leave this field as it is" in update_journey


# --- maps -----------------------------------------------------------------------------------------------------------


def _clean_name(name: str, what: str) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise InputRefused(t(f"journey.error.{what}_unnamed"))
    if len(text) > MAX_NAME:
        raise InputRefused(t(f"journey.error.{what}_name_long", n=len(text), max=MAX_NAME))
    return text


def list_journeys(engine: Engine, workspace_id: int) -> list[JourneyMap]:
    """The workspace's journey maps by name."""
    with Session(engine) as s:
        return list(
            s.exec(sm_select(JourneyMap).where(JourneyMap.workspace_id == workspace_id).order_by(JourneyMap.name))
        )


def get_journey(engine: Engine, journey_id: int) -> JourneyMap:
    with Session(engine) as s:
        journey = s.get(JourneyMap, journey_id)
        if journey is None:
            raise NotFound(t("journey.error.map_gone", id=journey_id))
        return journey


def _name_taken(s: Session, workspace_id: int, name: str, other_than: int | None = None) -> bool:
    stmt = sm_select(JourneyMap.id).where(JourneyMap.workspace_id == workspace_id, JourneyMap.name == name)
    return any(i != other_than for i in s.exec(stmt))


def unique_name(engine: Engine, workspace_id: int, name: str) -> str:
    """``name`` if no map of the workspace has it, else "name (2)", "name (3)" …"""
    base = _clean_name(name, "map")
    with Session(engine) as s:
        candidate, k = base, 2
        while _name_taken(s, workspace_id, candidate):
            candidate, k = f"{base} ({k})", k + 1
        return candidate


def create_journey(
    engine: Engine, workspace_id: int, name: str, description: str = "", persona_id: int | None = None
) -> int:
    """A new empty journey map; refuses a name the workspace already uses."""
    clean = _clean_name(name, "map")
    with Session(writer(engine)) as s:
        if _name_taken(s, workspace_id, clean):
            raise InputRefused(t("journey.error.map_taken", name=clean))
        journey = JourneyMap(workspace_id=workspace_id, name=clean, description=description, persona_id=persona_id)
        s.add(journey)
        s.commit()
        assert journey.id is not None
        return journey.id


def update_journey(
    engine: Engine, journey_id: int, *, name: Any = _KEEP, description: Any = _KEEP, persona_id: Any = _KEEP
) -> None:
    """Rename a map, change its description or persona (None = shared by all personas)."""
    with Session(writer(engine)) as s:
        journey = s.get(JourneyMap, journey_id)
        if journey is None:
            raise NotFound(t("journey.error.map_gone", id=journey_id))
        if name is not _KEEP:
            clean = _clean_name(name, "map")
            if _name_taken(s, journey.workspace_id, clean, other_than=journey_id):
                raise InputRefused(t("journey.error.map_taken", name=clean))
            journey.name = clean
        if description is not _KEEP:
            journey.description = str(description or "")
        if persona_id is not _KEEP:
            journey.persona_id = persona_id
        journey.updated_at = utcnow()
        s.add(journey)
        s.commit()


def delete_journey(engine: Engine, journey_id: int) -> None:
    """Delete a map with its stages and steps."""
    with Session(writer(engine)) as s:
        journey = s.get(JourneyMap, journey_id)
        if journey is not None:
            s.delete(journey)
            s.commit()


def _touch(s: Session, journey_id: int) -> None:
    journey = s.get(JourneyMap, journey_id)
    if journey is not None:
        journey.updated_at = utcnow()
        s.add(journey)


def personas(engine: Engine, workspace_id: int) -> dict[int, str]:
    """Persona id → name for the workspace (for the persona selector)."""
    with Session(engine) as s:
        rows = s.exec(
            sm_select(Persona.id, Persona.name).where(Persona.workspace_id == workspace_id).order_by(Persona.name)
        )
        return {int(i): str(n) for i, n in rows if i is not None}


def touchpoint_ids(engine: Engine, workspace_id: int) -> dict[str, int]:
    """Touchpoint name → id for the workspace, in journey order."""
    stmt = select(TP.c.name, TP.c.id).where(TP.c.workspace_id == workspace_id).order_by(TP.c.position, TP.c.id)
    with engine.connect() as conn:
        return {str(n): int(i) for n, i in conn.execute(stmt)}


# --- stages ---------------------------------------------------------------------------------------------------------


def _stages(s: Session, journey_id: int) -> list[JourneyStage]:
    stmt = sm_select(JourneyStage).where(JourneyStage.journey_id == journey_id)
    return list(s.exec(stmt.order_by(col(JourneyStage.position), col(JourneyStage.id))))


def _steps(s: Session, stage_id: int) -> list[JourneyStep]:
    stmt = sm_select(JourneyStep).where(JourneyStep.stage_id == stage_id)
    return list(s.exec(stmt.order_by(col(JourneyStep.position), col(JourneyStep.id))))


def _renumber(s: Session, rows: Sequence[JourneyStage | JourneyStep]) -> None:
    for i, row in enumerate(rows):
        if row.position != i:
            row.position = i
            s.add(row)


def add_stage(engine: Engine, journey_id: int, name: str, position: int | None = None) -> int:
    """Add a stage at ``position`` (default: last)."""
    clean = _clean_name(name, "stage")
    with Session(writer(engine)) as s:
        if s.get(JourneyMap, journey_id) is None:
            raise NotFound(t("journey.error.map_gone", id=journey_id))
        stages = _stages(s, journey_id)
        stage = JourneyStage(journey_id=journey_id, name=clean)
        stages.insert(len(stages) if position is None else max(0, min(position, len(stages))), stage)
        s.add(stage)
        _renumber(s, stages)
        _touch(s, journey_id)
        s.commit()
        assert stage.id is not None
        return stage.id


def _stage(s: Session, stage_id: int) -> JourneyStage:
    stage = s.get(JourneyStage, stage_id)
    if stage is None:
        raise NotFound(t("journey.error.stage_gone", id=stage_id))
    return stage


def rename_stage(engine: Engine, stage_id: int, name: str) -> None:
    clean = _clean_name(name, "stage")
    with Session(writer(engine)) as s:
        stage = _stage(s, stage_id)
        stage.name = clean
        s.add(stage)
        _touch(s, stage.journey_id)
        s.commit()


def move_stage(engine: Engine, stage_id: int, delta: int) -> None:
    """Move a stage ``delta`` places (−1 = one to the left); clamped at the ends."""
    with Session(writer(engine)) as s:
        stage = _stage(s, stage_id)
        stages = _stages(s, stage.journey_id)
        i = next(k for k, st in enumerate(stages) if st.id == stage_id)
        stages.insert(max(0, min(i + delta, len(stages) - 1)), stages.pop(i))
        _renumber(s, stages)
        _touch(s, stage.journey_id)
        s.commit()


def reorder_stages(engine: Engine, journey_id: int, stage_ids: Sequence[int]) -> None:
    """Put the map's stages in this order (all of them, each once)."""
    with Session(writer(engine)) as s:
        stages = {int(st.id or 0): st for st in _stages(s, journey_id)}
        if sorted(stages) != sorted(stage_ids):
            raise InputRefused(t("journey.error.stage_order"))
        _renumber(s, [stages[i] for i in stage_ids])
        _touch(s, journey_id)
        s.commit()


def delete_stage(engine: Engine, stage_id: int) -> None:
    """Delete a stage and its steps."""
    with Session(writer(engine)) as s:
        stage = s.get(JourneyStage, stage_id)
        if stage is None:
            return
        journey_id = stage.journey_id
        s.delete(stage)
        s.flush()
        _renumber(s, _stages(s, journey_id))
        _touch(s, journey_id)
        s.commit()


# --- steps ----------------------------------------------------------------------------------------------------------


def _step_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validated step fields (text as str, emotion an int in −2..+2, touchpoint_id an int or None)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "emotion":
            try:
                number = float(0 if value is None or value == "" else value)
            except (TypeError, ValueError) as error:
                raise InputRefused(t("journey.error.emotion", value=repr(value))) from error
            if math.isnan(number) or number != int(number) or not EMOTION_MIN <= number <= EMOTION_MAX:
                raise InputRefused(t("journey.error.emotion", value=repr(value)))
            out[key] = int(number)
        elif key == "touchpoint_id":
            out[key] = None if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)
        elif key in TEXT_FIELDS:
            out[key] = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        else:
            raise InputRefused(t("journey.error.step_field", field=repr(key)))
    return out


def _stage_journey(s: Session, stage_id: int) -> int:
    return _stage(s, stage_id).journey_id


def add_step(engine: Engine, stage_id: int, position: int | None = None, **fields: Any) -> int:
    """Add a step to a stage at ``position`` (default: last) with the given fields."""
    values = _step_values(fields)
    with Session(writer(engine)) as s:
        journey_id = _stage_journey(s, stage_id)
        steps = _steps(s, stage_id)
        step = JourneyStep(stage_id=stage_id, **values)
        steps.insert(len(steps) if position is None else max(0, min(position, len(steps))), step)
        s.add(step)
        _renumber(s, steps)
        _touch(s, journey_id)
        s.commit()
        assert step.id is not None
        return step.id


def update_step(engine: Engine, step_id: int, **fields: Any) -> None:
    """Change some fields of a step; ``stage_id`` moves it to the end of another stage of the same map."""
    new_stage = fields.pop("stage_id", None)
    values = _step_values(fields)
    with Session(writer(engine)) as s:
        step = s.get(JourneyStep, step_id)
        if step is None:
            raise NotFound(t("journey.error.step_gone", id=step_id))
        journey_id = _stage_journey(s, step.stage_id)
        if new_stage is not None and int(new_stage) != step.stage_id:
            if _stage_journey(s, int(new_stage)) != journey_id:
                raise InputRefused(t("journey.error.step_move"))
            old = step.stage_id
            step.stage_id, step.position = int(new_stage), len(_steps(s, int(new_stage)))
            s.add(step)
            s.flush()
            _renumber(s, _steps(s, old))
        for key, value in values.items():
            setattr(step, key, value)
        s.add(step)
        _touch(s, journey_id)
        s.commit()


def move_step(engine: Engine, step_id: int, delta: int) -> None:
    """Move a step ``delta`` places within its stage; clamped at the ends."""
    with Session(writer(engine)) as s:
        step = s.get(JourneyStep, step_id)
        if step is None:
            raise NotFound(t("journey.error.step_gone", id=step_id))
        steps = _steps(s, step.stage_id)
        i = next(k for k, st in enumerate(steps) if st.id == step_id)
        steps.insert(max(0, min(i + delta, len(steps) - 1)), steps.pop(i))
        _renumber(s, steps)
        _touch(s, _stage_journey(s, step.stage_id))
        s.commit()


def reorder_steps(engine: Engine, stage_id: int, step_ids: Sequence[int]) -> None:
    """Put a stage's steps in this order (all of them, each once)."""
    with Session(writer(engine)) as s:
        steps = {int(st.id or 0): st for st in _steps(s, stage_id)}
        if sorted(steps) != sorted(step_ids):
            raise InputRefused(t("journey.error.step_order"))
        _renumber(s, [steps[i] for i in step_ids])
        _touch(s, _stage_journey(s, stage_id))
        s.commit()


def delete_step(engine: Engine, step_id: int) -> None:
    with Session(writer(engine)) as s:
        step = s.get(JourneyStep, step_id)
        if step is None:
            return
        stage_id = step.stage_id
        s.delete(step)
        s.flush()
        _renumber(s, _steps(s, stage_id))
        _touch(s, _stage_journey(s, stage_id))
        s.commit()


# --- whole maps: content, snapshot, restore -------------------------------------------------------------------------


def journey_content(engine: Engine, journey_id: int) -> dict[str, Any]:
    """A map with its stages and steps in order: ids, persona name and touchpoint names resolved."""
    with Session(engine) as s:
        journey = s.get(JourneyMap, journey_id)
        if journey is None:
            raise NotFound(t("journey.error.map_gone", id=journey_id))
        persona = s.get(Persona, journey.persona_id) if journey.persona_id is not None else None
        names = {i: n for n, i in touchpoint_ids(engine, journey.workspace_id).items()}
        stages = []
        for stage in _stages(s, journey_id):
            assert stage.id is not None
            steps = [
                {"id": st.id, "touchpoint_id": st.touchpoint_id, "touchpoint": names.get(st.touchpoint_id or -1)}
                | {f: getattr(st, f) for f in STEP_FIELDS}
                for st in _steps(s, stage.id)
            ]
            stages.append({"id": stage.id, "name": stage.name, "steps": steps})
        return {
            "id": journey.id,
            "workspace_id": journey.workspace_id,
            "name": journey.name,
            "description": journey.description,
            "persona_id": journey.persona_id,
            "persona": persona.name if persona else None,
            "updated_at": journey.updated_at,
            "stages": stages,
        }


def snapshot(engine: Engine, journey_id: int) -> dict[str, Any]:
    """Everything needed to put the map back exactly as it is now (row ids included): take it before a change."""
    return journey_content(engine, journey_id)


def restore(engine: Engine, snap: Mapping[str, Any]) -> int:
    """Put a map back as ``snapshot`` saw it (re-created if it was deleted, renamed back if renamed); returns its id."""
    with Session(writer(engine)) as s:
        journey = s.get(JourneyMap, snap["id"])
        if journey is None:
            journey = JourneyMap(id=snap["id"], workspace_id=snap["workspace_id"], name=snap["name"])
        for stage in _stages(s, snap["id"]):
            s.delete(stage)
        s.flush()
        clash = s.exec(
            sm_select(JourneyMap).where(
                JourneyMap.workspace_id == snap["workspace_id"], JourneyMap.name == snap["name"]
            )
        ).first()
        if clash is not None and clash.id != snap["id"]:
            raise InputRefused(t("journey.error.undo_taken", name=snap["name"]))
        persona_id = snap["persona_id"]
        if persona_id is not None and s.get(Persona, persona_id) is None:
            persona_id = None
        journey.name, journey.description, journey.persona_id = snap["name"], snap["description"], persona_id
        journey.updated_at = utcnow()
        s.add(journey)
        s.flush()
        _write_stages(s, snap["id"], snap["stages"], set(touchpoint_ids(engine, snap["workspace_id"]).values()))
        s.commit()
        return int(snap["id"])


def _write_stages(s: Session, journey_id: int, stages: Sequence[Mapping[str, Any]], live_tps: set[int]) -> None:
    """Insert stages and steps in order (with their ids when given); links to vanished touchpoints are dropped."""
    for i, stage in enumerate(stages):
        row = JourneyStage(
            id=stage.get("id"), journey_id=journey_id, name=_clean_name(stage["name"], "stage"), position=i
        )
        s.add(row)
        s.flush()
        assert row.id is not None
        for j, step in enumerate(stage["steps"]):
            values = _step_values({f: step.get(f) for f in STEP_FIELDS})
            tp = step.get("touchpoint_id")
            tp = tp if tp in live_tps else None
            s.add(JourneyStep(id=step.get("id"), stage_id=row.id, position=j, touchpoint_id=tp, **values))
    s.flush()


def create_from_content(engine: Engine, workspace_id: int, content: Mapping[str, Any], *, replace: bool = False) -> int:
    """Create a whole map (name, description, persona_id, stages with steps) in one transaction; with ``replace`` a
    map of the same name is deleted first, else the name must be free."""
    name = _clean_name(content["name"], "map")
    with Session(writer(engine)) as s:
        clash = s.exec(
            sm_select(JourneyMap).where(JourneyMap.workspace_id == workspace_id, JourneyMap.name == name)
        ).first()
        if clash is not None:
            if not replace:
                raise InputRefused(t("journey.error.map_taken", name=name))
            s.delete(clash)
            s.flush()
        persona_id = content.get("persona_id")
        if persona_id is not None and s.get(Persona, persona_id) is None:
            persona_id = None
        journey = JourneyMap(
            workspace_id=workspace_id,
            name=name,
            description=str(content.get("description") or ""),
            persona_id=persona_id,
        )
        s.add(journey)
        s.flush()
        assert journey.id is not None
        _write_stages(s, journey.id, content.get("stages", []), set(touchpoint_ids(engine, workspace_id).values()))
        s.commit()
        return journey.id


# --- evidence per touchpoint ----------------------------------------------------------------------------------------


def _rescale(value: float | None, lo: float, hi: float) -> float | None:
    """A score on lo..hi mapped to the −2..+2 emotion scale."""
    if value is None or hi == lo:
        return None
    return (value - lo) / (hi - lo) * 4.0 - 2.0


@dataclass(frozen=True)
class CommentsAbout:
    """What the comments about each touchpoint say (tied to it or naming it, as ``drivers_data`` selects them):
    the (n, sum, sum of squares) of their sentiment (compound) and their themes, most frequent first."""

    sentiment: dict[str, tuple[int, float, float]]
    themes: dict[str, list[str]]


def comments_about(
    engine: Engine,
    workspace_id: int,
    names: Sequence[str],
    filters: Filters | None = None,
    comments: TouchpointComments | None = None,
) -> CommentsAbout:
    """``CommentsAbout`` for each of the touchpoint ``names``, from one read of the filtered comments and their
    theme tags (``drivers_data.read_touchpoint_comments``, or ``comments`` when the caller has it): the comments
    are folded once and searched here, instead of three scans of all comments per touchpoint in the database (a
    journey map of 12 touchpoints over 64k comments took 11 s)."""
    if comments is None:
        comments = read_touchpoint_comments(engine, workspace_id, filters)
    sentiment: dict[str, tuple[int, float, float]] = {}
    themes: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        about = comments.about(name)
        scored = comments.compound[about & ~np.isnan(comments.compound)]
        sentiment[name] = (int(scored.size), float(scored.sum()), float((scored * scored).sum()))
        volume = np.bincount(comments.tag_theme[about[comments.tag_row]], minlength=len(comments.theme_ids))
        named = [(int(v), comments.theme_names[tid]) for v, tid in zip(volume, comments.theme_ids, strict=True) if v]
        themes[name] = [theme for _, theme in sorted(named, key=lambda vt: (-vt[0], vt[1]))]
    return CommentsAbout(sentiment, themes)


EVIDENCE_COLUMNS = [
    "touchpoint", "n", "mean", "lo", "hi", "scale_min", "scale_max", "score", "score_lo", "score_hi",
    "nps", "nps_lo", "nps_hi", "nps_n", "n_comments", "sentiment", "sentiment_lo", "sentiment_hi", "low_n",
]  # fmt: skip


def touchpoint_evidence(
    engine: Engine,
    workspace_id: int,
    names: Sequence[str],
    filters: Filters | None = None,
    min_n: int = MIN_N,
    about: CommentsAbout | None = None,
) -> pd.DataFrame:
    """Per touchpoint: n, mean score (and on −2..+2 as ``score``), NPS of those who rated it, and the mean comment
    sentiment (compound ×2 on −2..+2) with 95% intervals; ``low_n`` when ratings or comments are under ``min_n``.
    ``about``: ``comments_about`` for these names and filters, when the caller has it already."""
    from cxdash.store.queries import touchpoint_scores

    wanted = list(dict.fromkeys(n for n in names if n))
    scores = touchpoint_scores(engine, workspace_id, filters, min_n, with_nps=True).set_index("touchpoint")
    rated = [name for name in wanted if name in scores.index]
    if about is None or any(name not in about.sentiment for name in rated):
        about = comments_about(engine, workspace_id, rated, filters)
    rows = []
    for name in wanted:
        if name not in scores.index:
            continue
        sc = scores.loc[name]
        lo_s, hi_s = float(sc["scale_min"]), float(sc["scale_max"])

        def num(v: Any) -> float | None:
            return None if v is None or pd.isna(v) else float(v)

        mean, lo, hi = num(sc["mean"]), num(sc["lo"]), num(sc["hi"])
        nv = nps_from_counts(int(sc["promoters"]), int(sc["passives"]), int(sc["detractors"]), min_n=min_n)
        k, total, total_sq = about.sentiment[name]
        sv = ces_from_moments(k, total, total_sq, min_n, "sentiment")
        rows.append(
            {
                "touchpoint": name,
                "n": int(sc["n"]),
                "mean": mean,
                "lo": lo,
                "hi": hi,
                "scale_min": lo_s,
                "scale_max": hi_s,
                "score": _rescale(mean, lo_s, hi_s),
                "score_lo": _rescale(lo, lo_s, hi_s),
                "score_hi": _rescale(hi, lo_s, hi_s),
                "nps": nv.value,
                "nps_lo": nv.lo,
                "nps_hi": nv.hi,
                "nps_n": nv.n,
                "n_comments": k,
                "sentiment": None if sv.value is None else 2.0 * sv.value,
                "sentiment_lo": None if sv.lo is None else max(-2.0, 2.0 * sv.lo),
                "sentiment_hi": None if sv.hi is None else min(2.0, 2.0 * sv.hi),
                "low_n": int(sc["n"]) < min_n or k < min_n,
            }
        )
    frame = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    floats = [c for c in EVIDENCE_COLUMNS if c not in ("touchpoint", "n", "nps_n", "n_comments", "low_n")]
    return frame.astype({c: "float64" for c in floats}).set_index("touchpoint", drop=False)


def touchpoint_impact(engine: Engine, workspace_id: int, filters: Filters | None = None) -> dict[str, float | None]:
    """Impact of each touchpoint on the NPS answer (relative importance, LMG, no bootstrap); {} when the data
    cannot support a driver analysis (too few complete answers, no NPS)."""
    from cxdash.analysis.drivers import drivers_report
    from cxdash.store.drivers_data import driver_frame
    from cxdash.store.frames import touchpoint_scales

    scales = touchpoint_scales(engine, workspace_id)
    frame = driver_frame(engine, workspace_id, filters)
    drivers = [t for t in scales if t in frame.columns and frame[t].notna().sum() >= frame["nps"].notna().sum() / 2]
    if len(drivers) < 2 or frame["nps"].notna().sum() == 0:
        return {}
    try:
        report = drivers_report(frame, "nps", drivers, bootstrap=0, scales={d: scales[d] for d in drivers})
    except InputRefused:
        return {}
    return {d["name"]: d["share"] for d in report["drivers"]}
