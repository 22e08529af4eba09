"""Personas in a real store: create, update, duplicate, delete (each saved at once), unique names with a
clear message, segment rules merged into filters so that KPIs are those of the persona's respondents."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from cxdash.errors import InputRefused, NotFound
from cxdash.store import personas as store
from cxdash.store.queries import Filters, kpis
from cxdash.store.workspaces import get_or_create_workspace, get_workspace, open_store

PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def demo(demo_store_url: str) -> Iterator[Engine]:
    engine = open_store(demo_store_url)
    yield engine
    engine.dispose()


def ws_id(engine: Engine, name: str = "Studio") -> int:
    ws = get_or_create_workspace(engine, name)
    assert ws.id is not None
    return ws.id


def reopen(engine: Engine) -> Engine:
    """A new engine on the same store: what a browser refresh or another process sees."""
    return open_store(engine.url.render_as_string(hide_password=False))


def test_create_update_and_read_back_from_a_new_connection(engine: Engine) -> None:
    ws = ws_id(engine)
    p = store.create_persona(
        engine, ws, "  Premium   Priya ", avatar="👩‍💼", goals="Plan the day\nNo chasing", segment={"Plan": ["Premium"]}
    )
    assert p.id is not None and p.name == "Premium Priya"
    before = p.updated_at
    store.update_persona(
        engine, ws, p.id, quote="If it says Tuesday…", segment={"Plan": ["Premium", "Plus"], "Age": []}
    )
    again = store.get_persona(reopen(engine), ws, p.id)
    assert again.quote == "If it says Tuesday…" and again.goals == "Plan the day\nNo chasing"
    assert json.loads(again.segment_json) == {"Plan": ["Premium", "Plus"]}  # empty value lists dropped
    assert again.updated_at >= before
    store.update_persona(engine, ws, p.id, avatar=PNG)
    assert store.get_persona(reopen(engine), ws, p.id).avatar == PNG


def test_names_are_unique_per_workspace_case_insensitively(engine: Engine) -> None:
    ws, other = ws_id(engine), ws_id(engine, "Other")
    a = store.create_persona(engine, ws, "Ben")
    b = store.create_persona(engine, ws, "Priya")
    store.create_persona(engine, other, "Ben")  # another workspace may use the name
    with pytest.raises(InputRefused, match="A persona called 'Ben' already exists in this workspace"):
        store.create_persona(engine, ws, "ben ")
    with pytest.raises(InputRefused, match="already exists"):
        store.update_persona(engine, ws, b.id or 0, name="BEN")
    assert store.update_persona(engine, ws, a.id or 0, name="Ben").name == "Ben"  # its own name is fine
    with pytest.raises(InputRefused, match="needs a name"):
        store.create_persona(engine, ws, "   ")
    assert [p.name for p in store.list_personas(engine, ws)] == ["Ben", "Priya"]


def test_refuses_bad_fields_with_messages(engine: Engine) -> None:
    ws = ws_id(engine)
    with pytest.raises(InputRefused, match="data URI"):
        store.create_persona(engine, ws, "X", avatar="data:text/html;base64,PHNjcmlwdD4=")
    with pytest.raises(InputRefused, match="emoji or upload an image"):
        store.create_persona(engine, ws, "X", avatar="<img src=x onerror=alert(1)>")
    with pytest.raises(InputRefused, match="list of values"):
        store.create_persona(engine, ws, "X", segment={"Plan": {"a": 1}})
    with pytest.raises(InputRefused, match="Unknown persona field"):
        store.create_persona(engine, ws, "X", mood="happy")
    with pytest.raises(NotFound):
        store.update_persona(engine, ws, 999, quote="x")
    assert store.list_personas(engine, ws) == []


def test_duplicate_and_delete(engine: Engine) -> None:
    ws = ws_id(engine)
    p = store.create_persona(engine, ws, "Ben", avatar="🧢", pains="Slow delivery", segment={"Plan": ["Basic"]})
    c1 = store.duplicate_persona(engine, ws, p.id or 0)
    c2 = store.duplicate_persona(engine, ws, p.id or 0)
    c3 = store.duplicate_persona(engine, ws, c1.id or 0)
    assert [c1.name, c2.name, c3.name] == ["Ben (copy)", "Ben (copy 2)", "Ben (copy 3)"]
    assert (c1.avatar, c1.pains, c1.segment_json) == (p.avatar, p.pains, p.segment_json)
    store.delete_persona(engine, ws, c2.id or 0)
    assert [x.name for x in store.list_personas(reopen(engine), ws)] == ["Ben", "Ben (copy)", "Ben (copy 3)"]
    with pytest.raises(NotFound):
        store.delete_persona(engine, ws, c2.id or 0)
    other = ws_id(engine, "Other")
    with pytest.raises(NotFound):  # a persona of another workspace is not reachable
        store.delete_persona(engine, other, p.id or 0)


def test_persona_filters_merge_with_the_sidebar_filters() -> None:
    base = Filters(channels=["web"], attributes={"Plan": ["Premium", "Basic"], "Region": ["North"]})
    rule = {"Plan": ["Premium", "Plus"], "Age group": ["25-34"]}
    merged = store.persona_filters(rule, base)
    assert merged.attributes == {"Plan": ["Premium"], "Region": ["North"], "Age group": ["25-34"]}
    assert merged.channels == ["web"]
    clash = store.persona_filters({"Plan": ["Plus"]}, Filters(attributes={"Plan": ["Basic"]}))
    assert clash.attributes == {"Plan": [store.NO_MATCH]}
    assert store.persona_filters(None, base) is base


def test_persona_filter_changes_kpis_to_the_segments(demo: Engine) -> None:
    ws = get_workspace(demo, "Demo — Acme Online (EN)").id
    assert ws is not None
    priya = next(p for p in store.list_personas(demo, ws) if p.name == "Premium Priya")
    everyone = kpis(demo, ws)["nps"]
    hers = kpis(demo, ws, store.persona_filters(priya))["nps"]
    by_hand = kpis(demo, ws, Filters(attributes={"Plan": ["Premium"], "Age group": ["25-34", "35-44"]}))["nps"]
    assert hers.n == by_hand.n and hers.value == by_hand.value
    assert 0 < hers.n < everyone.n and hers.value != everyone.value
    premium_only = kpis(demo, ws, Filters(attributes={"Plan": ["Premium"]}))["nps"]
    assert hers.n < premium_only.n  # the age rule is AND-ed
    none = kpis(demo, ws, store.persona_filters(priya, Filters(attributes={"Plan": ["Basic"]})))["nps"]
    assert none.n == 0


def test_respondent_frame_has_scores_and_attributes(demo: Engine) -> None:
    ws = get_workspace(demo, "Demo — Acme Online (EN)").id
    assert ws is not None
    frame = store.respondent_frame(demo, ws)
    assert len(frame) == 3000
    assert {"nps", "Delivery speed", "attr:Plan", "attr:Age group", "attr:Region"} <= set(frame.columns)
    priya = next(p for p in store.list_personas(demo, ws) if p.name == "Premium Priya")
    hers = store.respondent_frame(demo, ws, store.persona_filters(priya))
    assert set(hers["attr:Plan"]) == {"Premium"} and set(hers["attr:Age group"]) == {"25-34", "35-44"}
