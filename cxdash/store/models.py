"""All table models of cxdash, in one module.

Everything belongs to a Workspace. Responses carry the scores of a survey answer; touchpoint ratings, segment
attributes and comments hang off a response and go with it (ON DELETE CASCADE), and responses go with their
import batch.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Naive UTC timestamp (SQLite stores no zone; all times in the store are UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Workspace(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    language: str = Field(default="en", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ImportBatch(SQLModel, table=True):
    __tablename__ = "import_batch"
    __table_args__ = (UniqueConstraint("workspace_id", "content_hash", name="uq_batch_content"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", index=True)
    file_name: str
    content_hash: str = Field(max_length=64)
    sheet: str | None = None
    encoding: str | None = None
    header_rows: int = 1
    mapping_json: str = "{}"
    rows_read: int = 0
    responses: int = 0
    responses_updated: int = 0
    comments: int = 0
    rows_rejected: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Customer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "external_id", name="uq_customer_external"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    external_id: str
    name: str | None = None  # stored only when the user asks to keep personal data
    email: str | None = None


class Response(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id", name="uq_response_external"),
        Index("ix_response_ws_time", "workspace_id", "responded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    batch_id: int = Field(foreign_key="import_batch.id", ondelete="CASCADE", index=True)
    source_row: int = 0
    external_id: str | None = None
    customer_id: int | None = Field(default=None, foreign_key="customer.id", ondelete="SET NULL", index=True)
    responded_at: datetime | None = Field(default=None, sa_type=DateTime)
    channel: str | None = None
    nps: int | None = None
    csat: float | None = None
    csat_min: int | None = None
    csat_max: int | None = None
    ces: float | None = None
    ces_min: int | None = None
    ces_max: int | None = None


class Touchpoint(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_touchpoint_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    name: str
    stage: str | None = None
    channel: str | None = None
    position: int = 0
    scale_min: int = 1
    scale_max: int = 5


# Ratings, attributes and theme tags are the bulk of a store (nine ratings per response is common). On SQLite they
# are WITHOUT ROWID tables: one B-tree ordered by the primary key instead of a rowid table plus a key index, so an
# import writes each row once and a page reads a response's rows together (migration 0005). Ratings have no index
# on the touchpoint alone: every query reaches them through responses (the key's first column).
BULK_TABLE = {"sqlite_with_rowid": False}


class Rating(SQLModel, table=True):
    __table_args__ = BULK_TABLE

    response_id: int = Field(foreign_key="response.id", ondelete="CASCADE", primary_key=True)
    touchpoint_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE", primary_key=True)
    score: float


class Attribute(SQLModel, table=True):
    """A segment attribute of a response (plan, region, 年代 …), one row per response and name."""

    __table_args__ = (Index("ix_attribute_name_value", "name", "value"), BULK_TABLE)

    response_id: int = Field(foreign_key="response.id", ondelete="CASCADE", primary_key=True)
    name: str = Field(primary_key=True)
    value: str


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="response.id", ondelete="CASCADE", index=True)
    touchpoint_id: int | None = Field(default=None, foreign_key="touchpoint.id", ondelete="SET NULL", index=True)
    source: str | None = None
    text: str
    language: str | None = None
    compound: float | None = None
    label: str | None = None
    method: str | None = None


class Persona(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_persona_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    name: str
    avatar: str = "🙂"
    summary: str = ""
    goals: str = ""
    pains: str = ""
    behaviours: str = ""
    channels: str = ""
    quote: str = ""
    segment_json: str = "{}"
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)


class JourneyMap(SQLModel, table=True):
    __tablename__ = "journey_map"
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_journey_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    persona_id: int | None = Field(default=None, foreign_key="persona.id", ondelete="SET NULL")
    name: str
    description: str = ""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)


class JourneyStage(SQLModel, table=True):
    __tablename__ = "journey_stage"

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(foreign_key="journey_map.id", ondelete="CASCADE", index=True)
    name: str
    position: int = 0


class JourneyStep(SQLModel, table=True):
    __tablename__ = "journey_step"

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(foreign_key="journey_stage.id", ondelete="CASCADE", index=True)
    position: int = 0
    touchpoint_id: int | None = Field(default=None, foreign_key="touchpoint.id", ondelete="SET NULL")
    touchpoint_label: str = ""
    channel: str = ""
    action: str = ""
    thinking: str = ""
    emotion: int = 0
    pain_points: str = ""
    opportunities: str = ""
    owner: str = ""
    backstage: str = ""


class Theme(SQLModel, table=True):
    """A theme of the voice of the customer: a name and keyword rules (one per line) in English and Japanese."""

    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_theme_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    keywords_en: str = ""
    keywords_ja: str = ""
    position: int = 0


class CommentTheme(SQLModel, table=True):
    """A comment tagged with a theme (rebuilt by cxdash.store.themes.tag_comments)."""

    __tablename__ = "comment_theme"
    __table_args__ = BULK_TABLE

    comment_id: int = Field(foreign_key="comment.id", ondelete="CASCADE", primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="CASCADE", primary_key=True, index=True)


class Setting(SQLModel, table=True):
    """A workspace setting (JSON value): follow-up rules, privacy choices …"""

    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", primary_key=True)
    key: str = Field(primary_key=True, max_length=100)
    value_json: str = "null"


class FollowupCase(SQLModel, table=True):
    """A response in the follow-up queue (a detractor, or one matching a follow-up rule): one case per response."""

    __tablename__ = "followup_case"
    __table_args__ = (
        UniqueConstraint("response_id", name="uq_case_response"),
        Index("ix_case_ws_status", "workspace_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE")
    response_id: int = Field(foreign_key="response.id", ondelete="CASCADE")
    reason: str = Field(default="detractor", max_length=40)
    status: str = Field(default="new", max_length=20)
    owner: str = ""
    notes: str = ""
    opened_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)
    first_contact_at: datetime | None = Field(default=None, sa_type=DateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=DateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ImprovementAction(SQLModel, table=True):
    """An improvement action on one or more touchpoints, with a start date its effect is measured against."""

    __tablename__ = "improvement_action"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=300)
    description: str = ""
    owner: str = ""
    start_date: datetime = Field(sa_type=DateTime)
    status: str = Field(default="planned", max_length=20)
    expected_effect: str = ""
    origin: str = Field(default="manual", max_length=20)
    journey_step_id: int | None = Field(default=None, foreign_key="journey_step.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ActionTouchpoint(SQLModel, table=True):
    __tablename__ = "action_touchpoint"

    action_id: int = Field(foreign_key="improvement_action.id", ondelete="CASCADE", primary_key=True)
    touchpoint_id: int = Field(foreign_key="touchpoint.id", ondelete="CASCADE", primary_key=True, index=True)


class AuditLog(SQLModel, table=True):
    """Who did what to personal data or whole workspaces; kept when the workspace itself is deleted."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime)
    actor: str = ""
    workspace_name: str = ""
    event: str = Field(max_length=60)
    detail_json: str = "{}"


class ForgottenCustomer(SQLModel, table=True):
    """A customer deleted at their request: the fingerprint of their id, so a later import skips their rows (a
    suppression list; the id itself is not kept)."""

    __tablename__ = "forgotten_customer"

    workspace_id: int = Field(foreign_key="workspace.id", ondelete="CASCADE", primary_key=True)
    ref: str = Field(primary_key=True, max_length=64)
    forgotten_at: datetime = Field(default_factory=utcnow, sa_type=DateTime)
