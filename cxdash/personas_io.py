"""Personas to and from JSON: ``{"cxdash": "personas", "version": 1, "personas": [...]}``.

Each persona is ``{"name", "avatar", "summary", "goals", "pains", "behaviours", "channels", "quote", "segment"}``
(``segment`` an object: attribute → list of values). Export then import into any workspace then export gives the
same document. Import matches personas by name: an existing one is updated, a new one created; the whole file is
validated first and written in one transaction, so a refused file changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select as sm_select

from cxdash.errors import InputRefused
from cxdash.i18n import t
from cxdash.store.engine import writer
from cxdash.store.models import Persona, utcnow
from cxdash.store.personas import FIELDS, TEXT_FIELDS, _values, list_personas, segment_of

KIND = "personas"
VERSION = 1
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, by persona name."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def message(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        return "Personas imported: " + ", ".join(parts) + "."


def persona_record(persona: Persona) -> dict[str, Any]:
    """One persona as exported (the keys in FIELDS order)."""
    record: dict[str, Any] = {"name": persona.name}
    record |= {f: getattr(persona, f) for f in TEXT_FIELDS}
    record["segment"] = segment_of(persona)
    return record


def export_personas(engine: Engine, workspace_id: int) -> dict[str, Any]:
    """The workspace's personas as a JSON-able document (in creation order)."""
    return {
        "cxdash": KIND,
        "version": VERSION,
        "personas": [persona_record(p) for p in list_personas(engine, workspace_id)],
    }


def personas_json(engine: Engine, workspace_id: int) -> str:
    """The export document as UTF-8 JSON text (indented, non-ASCII kept as is)."""
    return json.dumps(export_personas(engine, workspace_id), ensure_ascii=False, indent=2) + "\n"


def parse_personas(data: str | bytes | Mapping[str, Any]) -> list[dict[str, Any]]:
    """Validate an export document; returns the personas as column values. Raises InputRefused saying what is wrong
    and where (which persona, which field)."""
    doc: Any = data
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise InputRefused(t("personas.error.file_big", mb=f"{len(data) / 1e6:.0f}"))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputRefused(t("personas.error.file_utf8")) from error
    if isinstance(data, str):
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as error:
            raise InputRefused(
                t("personas.error.file_json", line=error.lineno, column=error.colno, error=error.msg)
            ) from error
    if not isinstance(doc, Mapping) or doc.get("cxdash") != KIND:
        raise InputRefused(t("personas.error.file_kind", start='{"cxdash": "personas", ...}'))
    if doc.get("version") != VERSION:
        raise InputRefused(t("personas.error.file_version", version=repr(doc.get("version"))))
    items = doc.get("personas")
    if not isinstance(items, list):
        raise InputRefused(t("personas.error.file_list"))
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items, start=1):
        where = t("personas.error.where", i=i)
        if not isinstance(item, Mapping):
            raise InputRefused(t("personas.error.item_object", where=where))
        if isinstance(item.get("name"), str) and item["name"].strip():
            where = t("personas.error.where_named", i=i, name=item["name"].strip())
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            raise InputRefused(
                t("personas.error.item_unknown", where=where, unknown=", ".join(unknown), fields=", ".join(FIELDS))
            )
        if "name" not in item:
            raise InputRefused(t("personas.error.item_no_name", where=where))
        for key in TEXT_FIELDS:
            if key in item and not isinstance(item[key], str):
                raise InputRefused(t("personas.error.item_text", where=where, field=key, type=type(item[key]).__name__))
        try:
            values = _values(dict(item))
        except InputRefused as error:
            raise InputRefused(t("personas.error.item_error", where=where, error=error.message)) from error
        key = values["name"].casefold()
        if key in seen:
            raise InputRefused(t("personas.error.item_same", where=where, other=seen[key]))
        seen[key] = i
        out.append(values)
    return out


def import_personas(engine: Engine, workspace_id: int, data: str | bytes | Mapping[str, Any]) -> ImportSummary:
    """Import a persona file into a workspace: by name, update or create; all or nothing."""
    items = parse_personas(data)
    summary = ImportSummary()
    with Session(writer(engine)) as session:
        existing = {
            p.name.casefold(): p for p in session.exec(sm_select(Persona).where(Persona.workspace_id == workspace_id))
        }
        for values in items:
            persona = existing.get(values["name"].casefold())
            if persona is None:
                session.add(Persona(workspace_id=workspace_id, **values))
                summary.created.append(values["name"])
            elif all(getattr(persona, k) == v for k, v in values.items()):
                summary.unchanged.append(persona.name)
            else:
                for k, v in values.items():
                    setattr(persona, k, v)
                persona.updated_at = utcnow()
                session.add(persona)
                summary.updated.append(values["name"])
        try:
            session.commit()
        except IntegrityError as error:  # pragma: no cover - a concurrent save took a name
            session.rollback()
            raise InputRefused(t("personas.error.concurrent")) from error
    return summary
