"""Mappings (column → role) as the UI edits them and as a user saves and reuses them (JSON)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from cxdash.errors import InputRefused
from cxdash.i18n import LANGUAGES, t, use_language
from cxdash.ingest.table import RawTable
from cxdash.roles import SCORE_KINDS, Role, format_scale, parse_role, parse_scale

# What the role editor offers: role prefix → catalogue key of its label. A prefix ending in ':' takes the Name column.
ROLE_PREFIXES: dict[str, str] = {
    "ignore": "roles.ignore",
    "response_id": "roles.response_id",
    "customer_id": "roles.customer_id",
    "date": "roles.date",
    "channel": "roles.channel",
    "nps": "roles.nps",
    "csat": "roles.csat",
    "ces": "roles.ces",
    "rating:": "roles.rating_named",
    "comment": "roles.comment",
    "comment:": "roles.comment_named",
    "attribute:": "roles.attribute",
    "touchpoint": "roles.touchpoint",
    "rating": "roles.rating_row",
    "customer_name": "roles.customer_name",
    "customer_email": "roles.customer_email",
}
EDITOR_COLUMNS = ["Column", "Question", "Examples", "Role", "Name", "Scale", "Why"]
#: the scales the role editor offers besides Auto (a saved mapping or the CLI may name any other that parse_role takes)
SCALE_CHOICES = ((1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 10), (0, 10))


def role_choices() -> dict[str, str]:
    """The role editor's options in the interface language: label shown → role prefix."""
    return {t(key): prefix for prefix, key in ROLE_PREFIXES.items()}


def _prefix_of(label: str) -> str:
    """The role prefix of an editor label in any interface language (a session may switch language mid-edit)."""
    for language in LANGUAGES:
        with use_language(language):
            prefix = role_choices().get(label)
        if prefix is not None:
            return prefix
    return "ignore"


def scale_choices() -> list[str]:
    """The role editor's scale options in the interface language: Auto, then 1–2 … 0–10."""
    return [t("import.scale_auto"), *(format_scale(s) for s in SCALE_CHOICES)]


def describe_scales(scales: dict[str, tuple[int, int]], listed: int = 4) -> str:
    """Which scale each score column is read on, grouped by scale: "1–5: 'Q5', 'Q6' · 0–10: 'NPS'" (a long matrix
    names its first ``listed`` columns and how many more)."""
    groups: dict[tuple[int, int], list[str]] = {}
    for column, scale in scales.items():
        groups.setdefault(scale, []).append(f"'{column}'")
    parts = []
    for scale, columns in groups.items():
        names = ", ".join(columns[:listed])
        if len(columns) > listed:
            names += " " + t("import.scales_more", n=len(columns) - listed)
        parts.append(f"{format_scale(scale)}: {names}")
    return " · ".join(parts)


def role_to_choice(role: str) -> tuple[str, str, str]:
    """Split a role string into (editor label, name, scale: "1–5" or Auto)."""
    parsed = parse_role(role)
    scale = format_scale(parsed.scale) if parsed.scale else t("import.scale_auto")
    if parsed.name is not None:
        return t(ROLE_PREFIXES[f"{parsed.kind}:"]), parsed.name, scale
    return t(ROLE_PREFIXES[parsed.kind]), "", scale


def choice_to_role(label: str, name: str | None, fallback_name: str, scale: str | None = None) -> str:
    """The role string for an editor row; a named role without a name takes the column's readable name, and a score
    role the scale chosen for it (any other text than a scale is Auto; roles without a scale ignore it)."""
    prefix = _prefix_of(label)
    kind = prefix.rstrip(":")
    named = ((name or "").strip() or fallback_name.strip()) if prefix.endswith(":") else None
    chosen = parse_scale(scale) if isinstance(scale, str) and kind in SCORE_KINDS else None
    return str(Role(kind, named, chosen))


def examples(table: RawTable, column: str, k: int = 3) -> str:
    """A few distinct non-empty sample values of a column, shortened, for the role editor."""
    values = table.sample[column].dropna().astype(str).str.strip()
    values = values[values != ""].drop_duplicates().head(k)
    return " · ".join(v if len(v) <= 40 else v[:39] + "…" for v in values)


def editor_frame(table: RawTable, mapping: dict[str, str], reasons: dict[str, str]) -> pd.DataFrame:
    """One row per column of the file: its key, question text, examples, suggested role and why."""
    rows = []
    for column in table.columns:
        label, name, scale = role_to_choice(mapping.get(column, "ignore"))
        question = table.questions.get(column, "")
        rows.append(
            {
                "Column": column,
                "Question": question if question != column else "",
                "Examples": examples(table, column),
                "Role": label,
                "Name": name,
                "Scale": scale,
                "Why": reasons.get(column, ""),
            }
        )
    return pd.DataFrame(rows, columns=EDITOR_COLUMNS)


def mapping_from_editor(frame: pd.DataFrame, table: RawTable) -> dict[str, str]:
    """The mapping the user confirmed in the role editor."""
    mapping = {}
    for row in frame.itertuples(index=False):
        column = str(row.Column)
        name = row.Name if isinstance(row.Name, str) else ""
        scale = row.Scale if isinstance(row.Scale, str) else None
        mapping[column] = choice_to_role(str(row.Role), name, table.label(column), scale)
    return mapping


def mapping_to_json(mapping: dict[str, str]) -> str:
    return json.dumps({"cxdash_mapping": 1, "columns": mapping}, ensure_ascii=False, indent=2)


def mapping_from_json(text: str | bytes, source: str | None = None) -> dict[str, str]:
    """Parse a saved mapping: {"columns": {column: role}} (or a plain {column: role}); roles are checked.

    ``source`` names the file in messages ("mapping file 'm.json'"); by default "the mapping file".
    """
    source = source or t("ingest.mapping_file")
    try:
        data: Any = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise InputRefused(t("ingest.mapping_not_json", source=source, error=error)) from None
    if isinstance(data, dict) and isinstance(data.get("columns"), dict):
        data = data["columns"]
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise InputRefused(t("ingest.mapping_shape", source=source))
    for column, role in data.items():
        try:
            parse_role(role)
        except InputRefused as error:
            raise InputRefused(
                t("ingest.mapping_bad_role", source=source, column=column, error=error.message)
            ) from None
    return dict(data)
