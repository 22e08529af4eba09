"""Load the bundled demo into a store through the real importer, then add stages, personas and journey maps.

Idempotent: a second run changes nothing (same file content → the importer reports "unchanged", and personas,
touchpoints and journeys are only written where they differ from the spec). After the files or the spec changed,
a run refreshes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cxdash.demo.generate import DEMO_DIR
from cxdash.errors import CxdashError
from cxdash.store.engine import writer
from cxdash.store.models import JourneyMap, JourneyStage, JourneyStep, Persona, Touchpoint, utcnow
from cxdash.store.workspaces import get_or_create_workspace, list_workspaces

Progress = Callable[[float, str], None]
SPEC_FILE = "demo_workspaces.json"
PERSONA_FIELDS = ("avatar", "summary", "goals", "pains", "behaviours", "channels", "quote")
STEP_FIELDS = ("channel", "action", "thinking", "emotion", "pain_points", "opportunities", "owner")


def read_spec(demo_dir: Path = DEMO_DIR) -> dict[str, Any]:
    """The demo workspace spec (demo_workspaces.json)."""
    return json.loads((demo_dir / SPEC_FILE).read_text(encoding="utf-8"))


def load_demo(engine: Engine, progress: Progress | None = None, demo_dir: Path = DEMO_DIR) -> list[str]:
    """Import every demo file into its workspace and set up touchpoint stages, personas and a journey map."""
    from cxdash.ingest.load import import_file

    names = []
    for ws in read_spec(demo_dir)["workspaces"]:
        workspace = get_or_create_workspace(engine, ws["name"], ws.get("language", "en"))
        assert workspace.id is not None
        result = import_file(
            engine, demo_dir / ws["file"], ws["file"], workspace=ws["name"], mapping=ws["mapping"], progress=progress
        )
        if result.status == "rejected":
            raise CxdashError(f"The demo file '{ws['file']}' could not be imported: {result.message}")
        with Session(writer(engine)) as session:
            tps = _apply_touchpoints(session, workspace.id, ws.get("touchpoints", []))
            personas = _apply_personas(session, workspace.id, ws.get("personas", []))
            if ws.get("journey"):
                _apply_journey(session, workspace.id, ws["journey"], tps, personas)
            session.commit()
        _apply_actions(engine, workspace.id, ws.get("actions", []))
        if ws.get("followup"):
            _apply_followup(engine, workspace.id, ws["followup"])
        names.append(ws["name"])
    return names


def ensure_demo(engine: Engine, progress: Progress | None = None) -> list[str]:
    """Load the demo only into a store that has no workspace at all (the app's first start); else do nothing."""
    if list_workspaces(engine):
        return []
    return load_demo(engine, progress)


def _apply_touchpoints(session: Session, workspace_id: int, items: list[dict[str, Any]]) -> dict[str, int]:
    """Set stage and position of the imported touchpoints; returns name → id of all of the workspace's."""
    by_name = {t.name: t for t in session.exec(select(Touchpoint).where(Touchpoint.workspace_id == workspace_id))}
    for item in items:
        tp = by_name.get(item["name"])
        if tp is not None and (tp.stage, tp.position) != (item.get("stage"), item.get("position", 0)):
            tp.stage, tp.position = item.get("stage"), int(item.get("position", 0))
            session.add(tp)
    session.flush()
    return {name: tp.id for name, tp in by_name.items() if tp.id is not None}


def _apply_personas(session: Session, workspace_id: int, items: list[dict[str, Any]]) -> dict[str, int]:
    """Create or update the spec's personas by name; returns name → id."""
    existing = {p.name: p for p in session.exec(select(Persona).where(Persona.workspace_id == workspace_id))}
    for item in items:
        wanted = {f: str(item.get(f, "")) for f in PERSONA_FIELDS}
        wanted["segment_json"] = json.dumps(item.get("segment", {}), ensure_ascii=False)
        persona = existing.get(item["name"])
        if persona is None:
            persona = Persona.model_validate({"workspace_id": workspace_id, "name": item["name"], **wanted})
            existing[item["name"]] = persona
        elif all(getattr(persona, k) == v for k, v in wanted.items()):
            continue
        else:
            for k, v in wanted.items():
                setattr(persona, k, v)
            persona.updated_at = utcnow()
        session.add(persona)
    session.flush()
    return {name: p.id for name, p in existing.items() if p.id is not None}


def _journey_content(session: Session, journey_id: int) -> list[dict[str, Any]]:
    """A stored journey's stages and steps in the shape of the spec (for comparison)."""
    stages = session.exec(
        select(JourneyStage).where(JourneyStage.journey_id == journey_id).order_by(col(JourneyStage.position))
    ).all()
    out = []
    for stage in stages:
        steps = session.exec(
            select(JourneyStep).where(JourneyStep.stage_id == stage.id).order_by(col(JourneyStep.position))
        ).all()
        out.append({"name": stage.name, "steps": [_step_row(s) for s in steps]})
    return out


def _step_row(step: JourneyStep) -> dict[str, Any]:
    return {"touchpoint_id": step.touchpoint_id, "label": step.touchpoint_label} | {
        f: getattr(step, f) for f in STEP_FIELDS
    }


def _wanted_steps(stages: list[dict[str, Any]], tps: dict[str, int]) -> list[dict[str, Any]]:
    """The spec's stages with steps resolved to touchpoint ids (unknown touchpoints stay unlinked)."""
    out = []
    for stage in stages:
        steps = []
        for s in stage.get("steps", []):
            row = {"touchpoint_id": tps.get(s.get("touchpoint") or ""), "label": s.get("label") or s.get("touchpoint")}
            row |= {f: int(s.get(f, 0)) if f == "emotion" else str(s.get(f, "")) for f in STEP_FIELDS}
            steps.append(row)
        out.append({"name": stage["name"], "steps": steps})
    return out


def _apply_journey(
    session: Session, workspace_id: int, item: dict[str, Any], tps: dict[str, int], personas: dict[str, int]
) -> None:
    """Create the journey map, or rebuild its stages and steps when they differ from the spec."""
    journey = session.exec(
        select(JourneyMap).where(JourneyMap.workspace_id == workspace_id, JourneyMap.name == item["name"])
    ).first()
    wanted = _wanted_steps(item.get("stages", []), tps)
    persona_id = personas.get(item.get("persona") or "")
    description = str(item.get("description", ""))
    if journey is not None and journey.id is not None:
        same_head = (journey.persona_id, journey.description) == (persona_id, description)
        if same_head and _journey_content(session, journey.id) == wanted:
            return
        for stage in session.exec(select(JourneyStage).where(JourneyStage.journey_id == journey.id)):
            session.delete(stage)
        journey.persona_id, journey.description, journey.updated_at = persona_id, description, utcnow()
    else:
        journey = JourneyMap(
            workspace_id=workspace_id, name=item["name"], persona_id=persona_id, description=description
        )
    session.add(journey)
    session.flush()
    assert journey.id is not None
    for i, spec_stage in enumerate(wanted):
        row = JourneyStage(journey_id=journey.id, name=spec_stage["name"], position=i)
        session.add(row)
        session.flush()
        assert row.id is not None
        for j, s in enumerate(spec_stage["steps"]):
            fields = {f: s[f] for f in STEP_FIELDS}
            session.add(
                JourneyStep(
                    stage_id=row.id,
                    position=j,
                    touchpoint_id=s["touchpoint_id"],
                    touchpoint_label=s["label"] or "",
                    **fields,
                )
            )
    session.flush()


def _apply_actions(engine: Engine, workspace_id: int, items: list[dict[str, Any]]) -> None:
    """Create the spec's improvement actions that are not there yet (matched by title)."""
    from cxdash.store.actions import create_action, list_actions

    have = {a["title"] for a in list_actions(engine, workspace_id)}
    for item in items:
        if item["title"] in have:
            continue
        step_id = _step_of_touchpoint(engine, workspace_id, item.get("journey_touchpoint"))
        create_action(
            engine,
            workspace_id,
            item["title"],
            item["touchpoints"],
            item["start"],
            owner=item.get("owner", ""),
            description=item.get("description", ""),
            status=item.get("status", "planned"),
            expected_effect=item.get("expected_effect", ""),
            origin=item.get("origin", "manual"),
            journey_step_id=step_id,
        )


def _step_of_touchpoint(engine: Engine, workspace_id: int, touchpoint: str | None) -> int | None:
    if not touchpoint:
        return None
    with Session(engine) as session:
        step = session.exec(
            select(JourneyStep)
            .join(JourneyStage, col(JourneyStage.id) == col(JourneyStep.stage_id))
            .join(JourneyMap, col(JourneyMap.id) == col(JourneyStage.journey_id))
            .join(Touchpoint, col(Touchpoint.id) == col(JourneyStep.touchpoint_id))
            .where(JourneyMap.workspace_id == workspace_id, Touchpoint.name == touchpoint)
        ).first()
        return step.id if step is not None else None


FOLLOWUP_MARK = "demo_followup_history"


def _apply_followup(engine: Engine, workspace_id: int, item: dict[str, Any]) -> None:
    """Give the demo queue a plausible history once: older cases mostly contacted and resolved by an owner, the
    newest still waiting — so the queue, its service times and the scorecard have something true to show."""
    import numpy as np
    from sqlalchemy import bindparam, update

    from cxdash.store.models import FollowupCase, Response, Setting

    with Session(engine) as session:
        if session.get(Setting, (workspace_id, FOLLOWUP_MARK)) is not None:
            return
        rows = session.exec(
            select(FollowupCase.id, FollowupCase.opened_at, Response.responded_at)
            .join(Response, col(Response.id) == col(FollowupCase.response_id))
            .where(FollowupCase.workspace_id == workspace_id)
            .order_by(col(FollowupCase.id))
        ).all()
    if not rows:
        return
    rng = np.random.default_rng(int(item.get("seed", 0)))
    owners = list(item.get("owners", [])) or [""]
    end = max(r[2] or r[1] for r in rows)
    updates = []
    for case_id, opened, _ in rows:
        age = (end - opened).total_seconds() / 86400.0
        if age > 60:
            p = [0.0, 0.0, 0.86, 0.14]
        elif age > 21:
            p = [0.05, 0.10, 0.72, 0.13]
        elif age > 7:
            p = [0.25, 0.30, 0.40, 0.05]
        else:
            p = [0.70, 0.25, 0.05, 0.0]
        status = str(rng.choice(["new", "contacted", "resolved", "no_action"], p=p))
        contact = resolved = None
        owner = "" if status == "new" and rng.random() < 0.7 else str(rng.choice(owners))
        if status in ("contacted", "resolved"):
            contact = min(opened + timedelta(hours=float(rng.lognormal(np.log(20), 0.8))), end)
        if status == "resolved":
            assert contact is not None
            resolved = min(contact + timedelta(hours=float(rng.lognormal(np.log(60), 0.7))), end)
        if status == "no_action":
            resolved = min(opened + timedelta(hours=float(rng.lognormal(np.log(30), 0.5))), end)
        updates.append(
            {
                "cid": case_id,
                "status": status,
                "owner": owner,
                "fc": contact,
                "ra": resolved,
                "ua": resolved or contact or opened,
            }
        )
    table = FollowupCase.__table__  # type: ignore[attr-defined]
    stmt = (
        update(table)
        .where(table.c.id == bindparam("cid"))
        .values(status=bindparam("status"), owner=bindparam("owner"), first_contact_at=bindparam("fc"),
                resolved_at=bindparam("ra"), updated_at=bindparam("ua"))
    )  # fmt: skip
    with writer(engine).begin() as conn:
        conn.execute(stmt, updates)
        conn.execute(Setting.__table__.insert().values(workspace_id=workspace_id, key=FOLLOWUP_MARK, value_json="true"))  # type: ignore[attr-defined]
