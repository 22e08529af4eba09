"""Journey maps as JSON files: export, import and the bundled templates (which use the same format).

Format (version 1)::

    {"cxdash": "journey", "version": 1, "name": ..., "description": ..., "persona": name or null,
     "stages": [{"name": ..., "steps": [{"touchpoint": name or null, "touchpoint_label": ..., "channel": ...,
                 "action": ..., "thinking": ..., "emotion": -2..2, "pain_points": ..., "opportunities": ...,
                 "owner": ..., "backstage": ...}]}]}

Touchpoints and the persona are named, not numbered, so a file moves between stores: on import each name is looked
up in the target workspace, and a name it does not know leaves the step unlinked (its text is kept).
Exporting what was imported into the same workspace gives the same document back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from cxdash.errors import InputRefused
from cxdash.i18n import t
from cxdash.store import journeys as store
from cxdash.store.journeys import EMOTION_MAX, EMOTION_MIN, STEP_FIELDS

FORMAT = "journey"
VERSION = 1
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "data" / "journey_templates"
MAX_STAGES, MAX_STEPS = 50, 500
OnConflict = Literal["refuse", "replace", "rename"]


@dataclass(frozen=True)
class ImportedJourney:
    """What an import did: the map's id and name, and the names it could not link (kept as text)."""

    journey_id: int
    name: str
    steps: int
    unknown_touchpoints: list[str] = field(default_factory=list)
    unknown_persona: str | None = None


def export_journey(engine: Engine, journey_id: int) -> dict[str, Any]:
    """The map as a version-1 document (JSON-able)."""
    content = store.journey_content(engine, journey_id)
    return {
        "cxdash": FORMAT,
        "version": VERSION,
        "name": content["name"],
        "description": content["description"],
        "persona": content["persona"],
        "stages": [
            {
                "name": stage["name"],
                "steps": [
                    {"touchpoint": step["touchpoint"]} | {f: step[f] for f in STEP_FIELDS} for step in stage["steps"]
                ],
            }
            for stage in content["stages"]
        ],
    }


def dumps(document: dict[str, Any]) -> str:
    """The document as pretty UTF-8 JSON text (Japanese kept readable)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def loads(text: str | bytes) -> dict[str, Any]:
    """Parse and validate a journey document; refuses anything that is not one, saying what is wrong."""
    try:
        data = json.loads(text.decode("utf-8-sig") if isinstance(text, bytes) else text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputRefused(t("journey.error.file_json", error=error)) from error
    return validate(data)


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputRefused(t("journey.error.not_text", where=where))
    return str(value)


def validate(data: Any) -> dict[str, Any]:
    """A clean copy of a journey document: known fields only, text as text, emotion a whole number in −2..+2."""
    if not isinstance(data, dict) or data.get("cxdash") != FORMAT:
        raise InputRefused(t("journey.error.file_kind"))
    if data.get("version") != VERSION:
        raise InputRefused(t("journey.error.file_version", version=repr(data.get("version")), supported=VERSION))
    name = " ".join(_text(data.get("name"), t("journey.error.where_name")).split())
    if not name:
        raise InputRefused(t("journey.error.file_no_name"))
    stages = data.get("stages")
    if not isinstance(stages, list) or len(stages) > MAX_STAGES:
        raise InputRefused(t("journey.error.stages_list", max=MAX_STAGES))
    clean_stages, total = [], 0
    for i, stage in enumerate(stages, 1):
        if (
            not isinstance(stage, dict)
            or not _text(stage.get("name"), t("journey.error.where_stage_name", i=i)).strip()
        ):
            raise InputRefused(t("journey.error.stage_no_name", i=i))
        steps = stage.get("steps", [])
        if not isinstance(steps, list):
            raise InputRefused(t("journey.error.steps_list", i=i, name=stage["name"]))
        total += len(steps)
        if total > MAX_STEPS:
            raise InputRefused(t("journey.error.too_many_steps", max=MAX_STEPS))
        clean_steps = []
        for j, step in enumerate(steps, 1):
            where = t("journey.error.where_step", i=i, name=stage["name"], j=j)
            if not isinstance(step, dict):
                raise InputRefused(t("journey.error.step_object", where=where))
            emotion = step.get("emotion", 0)
            if isinstance(emotion, bool) or not isinstance(emotion, int) or not EMOTION_MIN <= emotion <= EMOTION_MAX:
                raise InputRefused(t("journey.error.step_emotion", where=where, value=repr(emotion)))
            tp = step.get("touchpoint")
            row: dict[str, Any] = {
                "touchpoint": None
                if tp in (None, "")
                else _text(tp, t("journey.error.where_field", where=where, field="touchpoint"))
            }
            row |= {
                f: emotion
                if f == "emotion"
                else _text(step.get(f), t("journey.error.where_field", where=where, field=f))
                for f in STEP_FIELDS
            }
            clean_steps.append(row)
        clean_stages.append({"name": str(stage["name"]).strip(), "steps": clean_steps})
    persona = data.get("persona")
    return {
        "cxdash": FORMAT,
        "version": VERSION,
        "name": name,
        "description": _text(data.get("description"), t("journey.error.where_description")),
        "persona": None if persona in (None, "") else _text(persona, t("journey.error.where_persona")),
        "stages": clean_stages,
    }


def import_journey(
    engine: Engine,
    workspace_id: int,
    document: dict[str, Any],
    *,
    name: str | None = None,
    on_conflict: OnConflict = "refuse",
) -> ImportedJourney:
    """Create a map from a document in one transaction (``name`` overrides the document's; a taken name is refused,
    replaced or made unique by ``on_conflict``)."""
    doc = validate(document)
    wanted = name or doc["name"]
    existing = {j.name: j.id for j in store.list_journeys(engine, workspace_id)}
    if wanted in existing:
        if on_conflict == "refuse":
            raise InputRefused(t("journey.error.import_taken", name=wanted))
        if on_conflict == "rename":
            wanted = store.unique_name(engine, workspace_id, wanted)
    tps = store.touchpoint_ids(engine, workspace_id)
    by_name = {n: i for i, n in store.personas(engine, workspace_id).items()}
    persona_id = by_name.get(doc["persona"]) if doc["persona"] else None
    unknown: list[str] = []
    stages = []
    for stage in doc["stages"]:
        steps = []
        for step in stage["steps"]:
            values = {f: step[f] for f in STEP_FIELDS}
            tp_id = tps.get(step["touchpoint"]) if step["touchpoint"] else None
            if step["touchpoint"] and tp_id is None:
                unknown.append(step["touchpoint"])
                values["touchpoint_label"] = values["touchpoint_label"] or step["touchpoint"]
            steps.append({"id": None, "touchpoint_id": tp_id} | values)
        stages.append({"id": None, "name": stage["name"], "steps": steps})
    journey_id = store.create_from_content(
        engine,
        workspace_id,
        {"name": wanted, "description": doc["description"], "persona_id": persona_id, "stages": stages},
        replace=on_conflict == "replace",
    )
    return ImportedJourney(
        journey_id=journey_id,
        name=wanted,
        steps=sum(len(s["steps"]) for s in stages),
        unknown_touchpoints=list(dict.fromkeys(unknown)),
        unknown_persona=doc["persona"] if doc["persona"] and persona_id is None else None,
    )


# --- templates ------------------------------------------------------------------------------------------------------


def list_templates(template_dir: Path = TEMPLATE_DIR) -> list[dict[str, str]]:
    """The bundled templates: id (file stem), name, language, description — English first, then Japanese."""
    out = []
    for path in sorted(template_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.append(
            {
                "id": path.stem,
                "name": doc["name"],
                "language": doc.get("language", "en"),
                "description": doc.get("description", ""),
            }
        )
    return sorted(out, key=lambda t: (t["language"] != "en", t["id"]))


def load_template(template_id: str, template_dir: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """A template as a validated journey document."""
    path = template_dir / f"{template_id}.json"
    if not template_id.replace("_", "").isalnum() or not path.is_file():
        raise InputRefused(t("journey.error.no_template", id=template_id))
    return validate(json.loads(path.read_text(encoding="utf-8")))
