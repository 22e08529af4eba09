"""Journey maps in a real store: every kind of edit persists (seen through a fresh engine), reorders keep a
dense order, and a snapshot taken before a change puts the map back exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from cxdash.errors import InputRefused
from cxdash.store import journeys as J
from cxdash.store.models import Persona
from cxdash.store.workspaces import get_or_create_workspace, open_store


@pytest.fixture
def ws(engine: Engine) -> int:
    w = get_or_create_workspace(engine, "Shop")
    assert w.id is not None
    return w.id


def reopen(store_url: str) -> Engine:
    return open_store(store_url)


def names(content: dict) -> list[tuple[str, list[str]]]:
    return [(s["name"], [x["touchpoint_label"] for x in s["steps"]]) for s in content["stages"]]


def build(engine: Engine, ws: int) -> int:
    jid = J.create_journey(engine, ws, "Order", description="first order")
    a = J.add_stage(engine, jid, "Discover")
    b = J.add_stage(engine, jid, "Buy")
    J.add_step(engine, a, touchpoint_label="Sees ad", action="scrolls", emotion=0)
    J.add_step(engine, a, touchpoint_label="Searches", emotion=-1, pain_points="bad results")
    J.add_step(engine, b, touchpoint_label="Pays", emotion=2)
    return jid


def test_maps_create_rename_describe_persona_delete(engine: Engine, store_url: str, ws: int) -> None:
    jid = J.create_journey(engine, ws, "  Order   to door ")
    with pytest.raises(InputRefused, match="already exists"):
        J.create_journey(engine, ws, "Order to door")
    with pytest.raises(InputRefused, match="name"):
        J.create_journey(engine, ws, "   ")
    from sqlmodel import Session

    with Session(engine) as s:
        p = Persona(workspace_id=ws, name="Priya")
        s.add(p)
        s.commit()
        pid = p.id
    J.update_journey(engine, jid, name="Door to door", description="why", persona_id=pid)
    fresh = J.journey_content(reopen(store_url), jid)
    assert (fresh["name"], fresh["description"], fresh["persona"]) == ("Door to door", "why", "Priya")
    J.update_journey(engine, jid, persona_id=None)
    assert J.journey_content(reopen(store_url), jid)["persona"] is None
    other = J.create_journey(engine, ws, "Other")
    with pytest.raises(InputRefused):
        J.update_journey(engine, other, name="Door to door")
    assert J.unique_name(engine, ws, "Other") == "Other (2)"
    J.delete_journey(engine, jid)
    assert [j.name for j in J.list_journeys(reopen(store_url), ws)] == ["Other"]


def test_stage_edits_persist_and_reorder(engine: Engine, store_url: str, ws: int) -> None:
    jid = build(engine, ws)
    c = J.journey_content(engine, jid)
    a, b = (s["id"] for s in c["stages"])
    c_id = J.add_stage(engine, jid, "Deliver")
    first = J.add_stage(engine, jid, "Aware", position=0)
    assert [s["name"] for s in J.journey_content(reopen(store_url), jid)["stages"]] == [
        "Aware",
        "Discover",
        "Buy",
        "Deliver",
    ]
    J.rename_stage(engine, b, "Purchase")
    J.move_stage(engine, c_id, -1)
    J.move_stage(engine, first, -5)  # clamped
    assert [s["name"] for s in J.journey_content(reopen(store_url), jid)["stages"]] == [
        "Aware",
        "Discover",
        "Deliver",
        "Purchase",
    ]
    J.reorder_stages(engine, jid, [b, a, c_id, first])
    assert [s["name"] for s in J.journey_content(reopen(store_url), jid)["stages"]] == [
        "Purchase",
        "Discover",
        "Deliver",
        "Aware",
    ]
    with pytest.raises(InputRefused):
        J.reorder_stages(engine, jid, [b, a])
    J.delete_stage(engine, a)  # with its two steps
    content = J.journey_content(reopen(store_url), jid)
    assert names(content) == [("Purchase", ["Pays"]), ("Deliver", []), ("Aware", [])]
    from sqlalchemy import text

    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from journey_step")).scalar() == 1
        positions = conn.execute(text("select position from journey_stage order by position")).scalars().all()
    assert positions == [0, 1, 2]


def test_step_edits_persist_move_and_validate(engine: Engine, store_url: str, ws: int) -> None:
    from cxdash.ingest.load import import_file

    import_file(
        engine,
        b"id,nps,Checkout\n1,9,5\n2,3,2\n",
        "s.csv",
        "Shop",
        mapping={"id": "response_id", "nps": "nps", "Checkout": "rating:Checkout"},
    )
    tp = J.touchpoint_ids(engine, ws)["Checkout"]
    jid = build(engine, ws)
    c = J.journey_content(engine, jid)
    (s_ad, s_search), (s_pay,) = (tuple(x["id"] for x in s["steps"]) for s in c["stages"])
    J.update_step(
        engine, s_pay, touchpoint_id=tp, thinking="hope it works", emotion=-2, owner="Payments", backstage="PSP"
    )
    step = J.journey_content(reopen(store_url), jid)["stages"][1]["steps"][0]
    assert (step["touchpoint"], step["thinking"], step["emotion"], step["owner"], step["backstage"]) == (
        "Checkout", "hope it works", -2, "Payments", "PSP")  # fmt: skip
    J.move_step(engine, s_search, -1)
    assert names(J.journey_content(reopen(store_url), jid))[0] == ("Discover", ["Searches", "Sees ad"])
    J.reorder_steps(engine, c["stages"][0]["id"], [s_ad, s_search])
    J.update_step(engine, s_ad, stage_id=c["stages"][1]["id"])  # move to the other stage, last
    assert names(J.journey_content(reopen(store_url), jid)) == [
        ("Discover", ["Searches"]),
        ("Buy", ["Pays", "Sees ad"]),
    ]
    J.add_step(engine, c["stages"][1]["id"], position=0, touchpoint_label="Basket")
    J.delete_step(engine, s_pay)
    assert names(J.journey_content(reopen(store_url), jid))[1] == ("Buy", ["Basket", "Sees ad"])
    for bad in (3, -3, 1.5, "x"):
        with pytest.raises(InputRefused, match="Emotion"):
            J.update_step(engine, s_search, emotion=bad)
    with pytest.raises(InputRefused):
        J.update_step(engine, s_search, colour="red")
    other = J.create_journey(engine, ws, "Other")
    foreign = J.add_stage(engine, other, "X")
    with pytest.raises(InputRefused, match="same journey"):
        J.update_step(engine, s_search, stage_id=foreign)


def test_snapshot_restores_every_kind_of_change(engine: Engine, store_url: str, ws: int) -> None:
    jid = build(engine, ws)
    before = J.snapshot(engine, jid)
    stage_a = before["stages"][0]["id"]
    step = before["stages"][0]["steps"][0]["id"]
    changes = [
        lambda: J.update_step(engine, step, action="changed", emotion=2),
        lambda: J.delete_step(engine, step),
        lambda: J.delete_stage(engine, stage_a),
        lambda: J.rename_stage(engine, stage_a, "Renamed"),
        lambda: J.move_stage(engine, stage_a, 1),
        lambda: J.add_step(engine, stage_a, touchpoint_label="new"),
        lambda: J.update_journey(engine, jid, name="Renamed map", description="x"),
        lambda: J.delete_journey(engine, jid),
    ]
    strip = lambda c: {k: v for k, v in c.items() if k != "updated_at"}  # noqa: E731
    for apply in changes:
        snap = J.snapshot(engine, jid)
        apply()
        J.restore(engine, snap)
        assert strip(J.journey_content(reopen(store_url), jid)) == strip(before)  # same ids, order and text


def test_restore_refuses_when_the_name_was_taken(engine: Engine, ws: int) -> None:
    jid = build(engine, ws)
    snap = J.snapshot(engine, jid)
    J.update_journey(engine, jid, name="New")
    J.create_journey(engine, ws, "Order")
    with pytest.raises(InputRefused, match="Cannot undo"):
        J.restore(engine, snap)
