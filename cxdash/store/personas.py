"""Personas: list, get, create, update, duplicate and delete — each save is one small write transaction.

A persona's segment rule (``segment_json``) maps a respondent attribute to accepted values (values of one attribute
OR-ed, attributes AND-ed), e.g. ``{"Plan": ["Premium"], "Age group": ["25-34", "35-44"]}``; ``persona_filters``
merges it into the page's filters so that every analysis can be run "for this persona".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select as sm_select

from cxdash.errors import InputRefused, NotFound
from cxdash.i18n import t
from cxdash.store.engine import writer
from cxdash.store.frames import cursor_rows, response_frame
from cxdash.store.models import Attribute, Persona, Response, utcnow
from cxdash.store.queries import Filters, response_conditions

TEXT_FIELDS = ("avatar", "summary", "goals", "pains", "behaviours", "channels", "quote")
FIELDS = ("name", *TEXT_FIELDS, "segment")
MAX_NAME = 120
MAX_TEXT = 4_000
MAX_AVATAR_TEXT = 16  # an emoji (with modifiers and joiners) or a few characters
MAX_IMAGE_BYTES = 1_000_000
DEFAULT_AVATAR = "🙂"
NO_MATCH = "\x00(no value)"  # an attribute value no response has: a filter that the persona's rule contradicts
_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)$")

R = cast(Table, Response.__table__)  # type: ignore[attr-defined]
A = cast(Table, Attribute.__table__)  # type: ignore[attr-defined]

Segment = dict[str, list[str]]


# --- values -----------------------------------------------------------------------------------------------------


def clean_name(name: Any) -> str:
    """A persona name as stored: trimmed, single-line, not empty, at most MAX_NAME characters."""
    text = " ".join(str(name if name is not None else "").split())
    if not text:
        raise InputRefused(t("personas.error.no_name"))
    if len(text) > MAX_NAME:
        raise InputRefused(t("personas.error.name_long", n=len(text), max=MAX_NAME))
    return text


def clean_avatar(avatar: Any) -> str:
    """An emoji (a few characters) or a ``data:image/...;base64,`` URI of at most MAX_IMAGE_BYTES."""
    text = str(avatar if avatar is not None else "").strip()
    if not text:
        return DEFAULT_AVATAR
    if text.startswith("data:"):
        m = _DATA_URI.match(text)
        if m is None:
            raise InputRefused(t("personas.error.avatar_uri"))
        try:
            raw = base64.b64decode(m.group(2), validate=False)
        except (binascii.Error, ValueError) as error:
            raise InputRefused(t("personas.error.avatar_base64")) from error
        if len(raw) > MAX_IMAGE_BYTES:
            raise InputRefused(
                t("personas.error.avatar_big", mb=f"{len(raw) / 1e6:.1f}", max=f"{MAX_IMAGE_BYTES / 1e6:.0f}")
            )
        return text
    if len(text) > MAX_AVATAR_TEXT:
        raise InputRefused(t("personas.error.avatar_long", avatar=text[:20]))
    return text


def clean_text(field: str, value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_TEXT:
        raise InputRefused(t("personas.error.text_long", field=field, n=f"{len(text):,}", max=f"{MAX_TEXT:,}"))
    return text.replace("\r\n", "\n").strip()


def clean_segment(rule: Any) -> Segment:
    """A segment rule as stored: attribute name → non-empty list of distinct string values (empty ones dropped)."""
    if rule is None or rule == "":
        return {}
    if isinstance(rule, str):
        try:
            rule = json.loads(rule)
        except json.JSONDecodeError as error:
            raise InputRefused(t("personas.error.rule_json", error=error.msg)) from error
    if not isinstance(rule, Mapping):
        raise InputRefused(t("personas.error.rule_shape", example='{"Plan": ["Premium"]}'))
    out: Segment = {}
    for name, values in rule.items():
        if isinstance(values, str | int | float):
            values = [values]
        if not isinstance(values, Sequence) or not all(isinstance(v, str | int | float) for v in values):
            raise InputRefused(t("personas.error.rule_values", name=name, example='["Premium"]'))
        kept = list(dict.fromkeys(str(v) for v in values if str(v) != ""))
        if kept:
            out[str(name)] = kept
    return out


def segment_of(persona: Persona) -> Segment:
    """The persona's segment rule (an unreadable rule reads as everyone, never as an error on a page)."""
    try:
        return clean_segment(persona.segment_json)
    except InputRefused:
        return {}


def describe_segment(rule: Mapping[str, Sequence[str]]) -> str:
    """A one-line description of a segment rule ("everyone" when empty), in the current language."""
    if not rule:
        return t("personas.segment.everyone")
    return t("personas.segment.and").join(
        t("personas.segment.clause", name=name, values=t("personas.segment.or").join(values))
        for name, values in rule.items()
    )


def persona_filters(persona: Persona | Mapping[str, Sequence[str]] | None, base: Filters | None = None) -> Filters:
    """``base`` narrowed to the persona's segment: an attribute in both keeps the values both accept (none left →
    a filter that matches no response); other attributes are added. None (everyone) returns ``base`` unchanged."""
    base = base or Filters()
    if persona is None:
        return base
    rule = segment_of(persona) if isinstance(persona, Persona) else clean_segment(persona)
    merged: dict[str, list[str]] = {k: list(v) for k, v in base.attributes.items() if v}
    for name, values in rule.items():
        if name in merged:
            both = [v for v in merged[name] if v in set(values)]
            merged[name] = both or [NO_MATCH]
        else:
            merged[name] = list(values)
    return replace(base, attributes=merged)


# --- reads ------------------------------------------------------------------------------------------------------


def list_personas(engine: Engine, workspace_id: int) -> list[Persona]:
    """The workspace's personas in the order they were created."""
    with Session(engine) as session:
        stmt = sm_select(Persona).where(Persona.workspace_id == workspace_id).order_by(Persona.id)  # type: ignore[arg-type]
        return list(session.exec(stmt))


def get_persona(engine: Engine, workspace_id: int, persona_id: int) -> Persona:
    with Session(engine) as session:
        persona = session.get(Persona, persona_id)
        if persona is None or persona.workspace_id != workspace_id:
            raise NotFound(t("personas.error.not_found", id=persona_id))
        return persona


def find_persona(engine: Engine, workspace_id: int, name: str) -> Persona | None:
    """The persona called ``name`` (case and spacing as stored), or None."""
    with Session(engine) as session:
        stmt = sm_select(Persona).where(Persona.workspace_id == workspace_id, Persona.name == clean_name(name))
        return session.exec(stmt).first()


# --- writes -----------------------------------------------------------------------------------------------------


def _check_unique(session: Session, workspace_id: int, name: str, persona_id: int | None) -> None:
    stmt = sm_select(Persona.id, Persona.name).where(Persona.workspace_id == workspace_id)
    for pid, other in session.exec(stmt):
        if pid != persona_id and other.casefold() == name.casefold():
            raise InputRefused(t("personas.error.taken", name=other))


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validated column values for the given fields (name, the text fields, avatar, segment)."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise InputRefused(t("personas.error.unknown_fields", unknown=", ".join(unknown), fields=", ".join(FIELDS)))
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "name":
            out["name"] = clean_name(value)
        elif key == "avatar":
            out["avatar"] = clean_avatar(value)
        elif key == "segment":
            out["segment_json"] = json.dumps(clean_segment(value), ensure_ascii=False)
        else:
            out[key] = clean_text(key, value)
    return out


def _commit(session: Session, persona: Persona) -> Persona:
    session.add(persona)
    try:
        session.commit()
    except IntegrityError as error:  # a concurrent save took the name first
        session.rollback()
        raise InputRefused(t("personas.error.exists", name=persona.name)) from error
    session.refresh(persona)
    return persona


def create_persona(engine: Engine, workspace_id: int, name: str, **fields: Any) -> Persona:
    """Create a persona (fields: avatar, summary, goals, pains, behaviours, channels, quote, segment)."""
    values = _values({"name": name, **fields})
    with Session(writer(engine)) as session:
        _check_unique(session, workspace_id, values["name"], None)
        return _commit(session, Persona(workspace_id=workspace_id, **values))


def update_persona(engine: Engine, workspace_id: int, persona_id: int, **changes: Any) -> Persona:
    """Change some fields of a persona; nothing else is touched. Returns the saved persona."""
    values = _values(changes)
    with Session(writer(engine)) as session:
        persona = session.get(Persona, persona_id)
        if persona is None or persona.workspace_id != workspace_id:
            raise NotFound(t("personas.error.not_found", id=persona_id))
        if "name" in values:
            _check_unique(session, workspace_id, values["name"], persona_id)
        if all(getattr(persona, k) == v for k, v in values.items()):
            return persona
        for key, value in values.items():
            setattr(persona, key, value)
        persona.updated_at = utcnow()
        return _commit(session, persona)


def _copy_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"(?: \(copy(?: \d+)?\)|（コピー(?: \d+)?）)$", "", name)  # a copy of a copy: one suffix
    for i in range(1, 1000):
        candidate = t("personas.copy_name", name=base) if i == 1 else t("personas.copy_name_n", name=base, n=i)
        if candidate.casefold() not in taken:
            return candidate[:MAX_NAME]
    raise InputRefused(t("personas.error.copies", name=base))  # pragma: no cover


def duplicate_persona(engine: Engine, workspace_id: int, persona_id: int) -> Persona:
    """A copy of a persona named "<name> (copy)" (or "(copy 2)", …), placed last."""
    with Session(writer(engine)) as session:
        source = session.get(Persona, persona_id)
        if source is None or source.workspace_id != workspace_id:
            raise NotFound(t("personas.error.not_found", id=persona_id))
        taken = {
            n.casefold() for n in session.exec(sm_select(Persona.name).where(Persona.workspace_id == workspace_id))
        }
        data = {k: getattr(source, k) for k in (*TEXT_FIELDS, "segment_json")}
        return _commit(session, Persona(workspace_id=workspace_id, name=_copy_name(source.name, taken), **data))


def delete_persona(engine: Engine, workspace_id: int, persona_id: int) -> None:
    """Delete a persona (journey maps that used it keep their steps and lose the link)."""
    with Session(writer(engine)) as session:
        persona = session.get(Persona, persona_id)
        if persona is None or persona.workspace_id != workspace_id:
            raise NotFound(t("personas.error.not_found", id=persona_id))
        session.delete(persona)
        session.commit()


# --- respondents (input of the cluster analysis) --------------------------------------------------------------------


def respondent_frame(engine: Engine, workspace_id: int, filters: Filters | None = None) -> pd.DataFrame:
    """One row per filtered response: NPS, CSAT, CES, each touchpoint rating (NaN = not rated) and each attribute
    as text (NaN = not given), attributes prefixed ``attr:`` so they never collide with a touchpoint name."""
    frame = response_frame(engine, workspace_id, filters).drop(columns=["responded_at", "csat_max"])
    stmt = (
        select(A.c.response_id, A.c.name, A.c.value)
        .select_from(A.join(R, A.c.response_id == R.c.id))
        .where(*response_conditions(workspace_id, filters))
    )
    with engine.connect() as conn:
        long = pd.DataFrame(cursor_rows(conn.execute(stmt)), columns=["id", "name", "value"])
    if not long.empty:
        wide = long.pivot(index="id", columns="name", values="value")
        wide.columns = [f"attr:{c}" for c in wide.columns]
        frame = frame.join(wide, how="left")
    return frame


def free_name(engine: Engine, workspace_id: int, name: str) -> str:
    """``name`` if no persona of the workspace has it, else ``name 2``, ``name 3``, … (for drafts)."""
    base = clean_name(name)
    taken = {p.name.casefold() for p in list_personas(engine, workspace_id)}
    candidate, i = base, 2
    while candidate.casefold() in taken:
        candidate, i = f"{base[: MAX_NAME - 4]} {i}", i + 1
    return candidate
