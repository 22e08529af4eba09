"""Widgets of the journey page: pick/create/rename/delete a map, edit stages and steps (saved as you go), undo the
last change, data cards per linked touchpoint, presentation mode and exports.

Every change goes through :func:`change`, which keeps a snapshot of the map taken just before it in the session, so
"Undo last change" can put the map back exactly (``cxdash.store.journeys.restore``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash import journeys_io
from cxdash.analysis.metrics import MIN_N
from cxdash.errors import CxdashError
from cxdash.i18n import current_language, fmt_number, fmt_signed, t
from cxdash.store import journeys as store
from cxdash.store.queries import Filters
from cxdash.ui.auth import can_edit
from cxdash.ui.data import _filters_key, _key, touchpoint_comments
from cxdash.ui.errors import show_error
from cxdash.ui.resources import data_changed, data_version
from cxdash.ui.text import literal

JOURNEY_ID = "journey_id"
UNDO = "journey_undo"  # (journey_id, what, snapshot or None when the change created the map)
REV = "journey_rev"  # bumped after each write: fresh keys for the editors
PRESENT = "journey_present"
PRESENT_STAGE = "journey_present_stage"
PRESENT_WHOLE = "journey_present_whole"
ERROR = "journey_error"
SELECT_NEXT = "journey_select_next_run"  # the picker's key cannot change once drawn: the next run selects this
FLASH = "journey_flash"
BLANK = "blank"
STEP_COLUMNS = (  # the step editor's columns, in order; each one's heading is journey.col.<name>
    "position",
    "touchpoint_label",
    "touchpoint",
    "channel",
    "action",
    "thinking",
    "emotion",
    "pain_points",
    "opportunities",
    "owner",
    "backstage",
    "stage",
)
# Static CSS (no user text): presentation mode hides the sidebar and enlarges type.
PRESENT_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"] {display: none !important;}
[data-testid="stMainBlockContainer"] {max-width: 100% !important; padding-top: 1rem !important;}
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li {font-size: 1.35rem !important;}
[data-testid="stMainBlockContainer"] h1 {font-size: 2.6rem !important;}
[data-testid="stMainBlockContainer"] [data-testid="stSelectbox"] input {font-size: 1.2rem !important;}
</style>"""


#: the map keeps its own width (stretching it squeezes the lanes): wider than the page, it scrolls inside its own box
#: instead of widening the whole page (static CSS, no user text)
MAP_BOX = "journey_map_box"
MAP_BOX_CSS = f"<style>.st-key-{MAP_BOX} {{overflow-x: auto; overflow-y: hidden;}}</style>"


def map_box() -> Any:
    """The box a journey map is drawn in: as wide as the page, scrolling sideways when the map is wider."""
    st.markdown(MAP_BOX_CSS, unsafe_allow_html=True)
    return st.container(key=MAP_BOX)


def rev() -> int:
    return int(st.session_state.get(REV, 0))


def steps_key(stage_id: int) -> str:
    """Session key of a stage's step editor (changes after every write, so the editor starts clean)."""
    return f"journey_steps_{stage_id}_{rev()}"


def _written() -> None:
    st.session_state[REV] = rev() + 1
    data_changed()


@contextmanager
def change(engine: Engine, journey_id: int | None, what: str) -> Iterator[None]:
    """Run one edit of a map: snapshot before (for undo), errors shown as messages, caches refreshed after."""
    try:
        snap = store.snapshot(engine, journey_id) if journey_id is not None else None
        yield
    except CxdashError as error:  # shown at the top of the next run (the caller reruns)
        st.session_state[ERROR] = error.message
        return
    st.session_state[UNDO] = (journey_id, what, snap)
    _written()


def undo(engine: Engine) -> str | None:
    """Undo the last change of this session; returns what was undone."""
    entry = st.session_state.pop(UNDO, None)
    if entry is None:
        return None
    journey_id, what, snap = entry
    try:
        if snap is None:  # the change created the map: undo deletes it
            store.delete_journey(engine, journey_id)
        else:
            st.session_state[SELECT_NEXT] = store.restore(engine, snap)
    except CxdashError as error:
        show_error(error)
        return None
    _written()
    return what


def show_messages() -> None:
    """The error or note a change left for this run."""
    error = st.session_state.pop(ERROR, None)
    if error:
        show_error(CxdashError(error))
    note = st.session_state.pop(FLASH, None)
    if note:
        st.info(literal(note))


def undo_button(engine: Engine) -> None:
    if not can_edit():  # viewers read the map; editing widgets are not drawn
        return
    entry = st.session_state.get(UNDO)
    label = t("journey.undo.what", what=entry[1]) if entry else t("journey.undo.last")
    if st.button(label, key="journey_undo_btn", disabled=entry is None, help=t("journey.undo.help")):
        done = undo(engine)
        if done:
            st.toast(t("journey.undo.done", what=done))
            st.rerun()


# --- choosing and creating maps -------------------------------------------------------------------------------------


def map_picker(engine: Engine, workspace_id: int) -> int | None:
    """Select box of the workspace's maps (None when there is none); remembers the choice."""
    maps = store.list_journeys(engine, workspace_id)
    ids = [m.id for m in maps if m.id is not None]
    if not ids:
        return None
    wanted = st.session_state.pop(SELECT_NEXT, None)
    if wanted in ids:
        st.session_state[JOURNEY_ID] = wanted
    if st.session_state.get(JOURNEY_ID) not in ids:
        st.session_state[JOURNEY_ID] = ids[0]
    names = {m.id: m.name for m in maps}
    return int(st.selectbox(t("journey.picker"), ids, format_func=lambda i: names[i], key=JOURNEY_ID))


def _persona_choice(engine: Engine, workspace_id: int, key: str, current: int | None = None) -> int | None:
    people = store.personas(engine, workspace_id)
    options: list[int | None] = [None, *people]
    index = options.index(current) if current in options else 0
    shared = t("journey.persona_shared")  # option labels fixed while drawing (not looked up later, elsewhere)
    return st.selectbox(
        t("journey.persona"),
        options,
        index=index,
        format_func=lambda i: shared if i is None else people[i],
        key=key,
        help=t("journey.persona_help"),
    )


def new_map_form(engine: Engine, workspace_id: int, expanded: bool) -> None:
    """Create a map from a template or blank, or import a journey JSON file."""
    if not can_edit():
        return
    with st.expander(t("journey.new.title"), expanded=expanded):
        lang = current_language()  # templates in the page's language first (the order is otherwise EN, then JA)
        listed = sorted(journeys_io.list_templates(), key=lambda tpl: not str(tpl.get("language", "")).startswith(lang))
        templates = {tpl["id"]: tpl for tpl in listed}
        labels = {BLANK: t("journey.new.blank")} | {
            i: t("journey.new.template", name=tpl["name"]) for i, tpl in templates.items()
        }
        choice = st.selectbox(
            t("journey.new.start_from"),
            list(labels),
            format_func=labels.__getitem__,
            key="journey_new_template",
        )
        default = "" if choice == BLANK else templates[choice]["name"]
        name = st.text_input(t("journey.name"), value=default, key=f"journey_new_name_{choice}", max_chars=200)
        persona = _persona_choice(engine, workspace_id, "journey_new_persona")
        if st.button(t("journey.new.create"), key="journey_create", type="primary"):
            created: dict[str, int] = {}
            with change(engine, None, t("journey.what.create")):
                if choice == BLANK:
                    created["id"] = store.create_journey(engine, workspace_id, name, persona_id=persona)
                else:
                    doc = journeys_io.load_template(choice) | {"persona": None}
                    result = journeys_io.import_journey(engine, workspace_id, doc, name=name or doc["name"])
                    created["id"] = result.journey_id
                    if persona is not None:
                        store.update_journey(engine, result.journey_id, persona_id=persona)
            if "id" in created:
                st.session_state[UNDO] = (created["id"], t("journey.what.create"), None)
                st.session_state[SELECT_NEXT] = created["id"]
                st.rerun()
        upload = st.file_uploader(t("journey.new.upload"), type=["json"], key="journey_upload")
        if upload is not None and st.button(t("journey.new.import"), key="journey_import"):
            try:
                result = journeys_io.import_journey(
                    engine, workspace_id, journeys_io.loads(upload.getvalue()), on_conflict="rename"
                )
            except CxdashError as error:
                show_error(error)
                return
            st.session_state[UNDO] = (result.journey_id, t("journey.what.import"), None)
            st.session_state[SELECT_NEXT] = result.journey_id
            _written()
            if result.unknown_touchpoints:
                st.session_state[FLASH] = t("journey.new.unknown", names=", ".join(result.unknown_touchpoints))
            st.rerun()


def map_settings(engine: Engine, content: dict[str, Any]) -> None:
    """Rename, describe, assign a persona, or delete the current map."""
    if not can_edit():
        return
    jid = int(content["id"])
    with st.expander(t("journey.settings.title")):
        with st.form(f"journey_settings_{jid}_{rev()}", border=False):
            name = st.text_input(t("journey.name"), value=content["name"], max_chars=200)
            description = st.text_area(t("journey.settings.description"), value=content["description"], height=80)
            persona = _persona_choice(
                engine, content["workspace_id"], f"journey_persona_{jid}_{rev()}", content["persona_id"]
            )
            if st.form_submit_button(t("journey.settings.save")):
                with change(engine, jid, t("journey.what.settings")):
                    store.update_journey(engine, jid, name=name, description=description, persona_id=persona)
                st.rerun()
        if st.button(t("journey.settings.delete"), key=f"journey_delete_{jid}"):
            with change(engine, jid, t("journey.what.delete_map", name=content["name"])):
                store.delete_journey(engine, jid)
            st.rerun()


# --- stages and steps -----------------------------------------------------------------------------------------------


def stage_editor(engine: Engine, content: dict[str, Any]) -> None:
    """One row per stage: rename in place, move left/right, delete; and a field to add a stage."""
    if not can_edit():  # viewers: the stages in order, read-only
        st.markdown(" → ".join(inert_md(s["name"]) for s in content["stages"]) or "–")
        return
    jid = int(content["id"])
    stages = content["stages"]
    for i, stage in enumerate(stages):
        sid = int(stage["id"])
        c1, c2, c3, c4 = st.columns([6, 1, 1, 1], vertical_alignment="bottom")
        new = c1.text_input(
            t("journey.stage.numbered", number=i + 1),
            value=stage["name"],
            key=f"journey_stage_{sid}_{rev()}",
            max_chars=200,
        )
        if new.strip() and new != stage["name"]:
            with change(engine, jid, t("journey.what.rename_stage", name=stage["name"])):
                store.rename_stage(engine, sid, new)
            st.rerun()
        if c2.button("◀", key=f"journey_stage_left_{sid}", disabled=i == 0, help=t("journey.stage.earlier")):
            with change(engine, jid, t("journey.what.move_stage", name=stage["name"])):
                store.move_stage(engine, sid, -1)
            st.rerun()
        if c3.button(
            "▶", key=f"journey_stage_right_{sid}", disabled=i == len(stages) - 1, help=t("journey.stage.later")
        ):
            with change(engine, jid, t("journey.what.move_stage", name=stage["name"])):
                store.move_stage(engine, sid, 1)
            st.rerun()
        if c4.button("🗑️", key=f"journey_stage_del_{sid}", help=t("journey.stage.delete")):
            with change(engine, jid, t("journey.what.delete_stage", name=stage["name"])):
                store.delete_stage(engine, sid)
            st.rerun()
    with st.form(f"journey_add_stage_{jid}", clear_on_submit=True, border=False):
        c1, c2 = st.columns([6, 3], vertical_alignment="bottom")
        name = c1.text_input(t("journey.stage.new"), placeholder=t("journey.stage.placeholder"), max_chars=200)
        if c2.form_submit_button(t("journey.stage.add")) and name.strip():
            with change(engine, jid, t("journey.what.add_stage", name=name.strip())):
                store.add_stage(engine, jid, name)
            st.rerun()


def steps_frame(stage: dict[str, Any]) -> pd.DataFrame:
    """The editor's table of a stage's steps, in order."""
    rows = [
        {c: step.get(c) for c in STEP_COLUMNS if c != "stage"} | {"stage": stage["name"]} for step in stage["steps"]
    ]
    frame = pd.DataFrame(rows, columns=list(STEP_COLUMNS))  # row i is stage["steps"][i]
    frame["position"] = range(1, len(frame) + 1)
    return frame.astype({"emotion": "int64", "position": "int64"})


def _clean(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _values(row: dict[str, Any], tps: dict[str, int]) -> dict[str, Any]:
    """Store fields from an editor row (touchpoint name → id)."""
    out: dict[str, Any] = {}
    for col, value in row.items():
        value = _clean(value)
        if col == "touchpoint":
            out["touchpoint_id"] = tps.get(value) if value else None
        elif col in store.STEP_FIELDS:
            out[col] = 0 if col == "emotion" and value is None else value
    return out


def apply_step_edits(
    engine: Engine, content: dict[str, Any], stage: dict[str, Any], edits: dict[str, Any], tps: dict[str, int]
) -> bool:
    """Write an editor's changes (edited, added, deleted rows; a new "#" reorders, a new stage moves). True if any."""
    ids = [int(s["id"]) for s in stage["steps"]]
    stage_id = int(stage["id"])
    stage_ids = {s["name"]: int(s["id"]) for s in content["stages"]}
    edited, added, deleted = edits.get("edited_rows", {}), edits.get("added_rows", []), edits.get("deleted_rows", [])
    if not (edited or added or deleted):
        return False
    with change(engine, int(content["id"]), t("journey.what.edit_steps", name=stage["name"])):
        order = {sid: float(i + 1) for i, sid in enumerate(ids)}
        leaving = {ids[int(d)] for d in deleted}
        for row_index, row in edited.items():
            sid = ids[int(row_index)]
            fields = _values(row, tps)
            target = stage_ids.get(row.get("stage") or "", stage_id)
            if target != stage_id:
                fields["stage_id"] = target
                leaving.add(sid)
            new = _clean(row.get("position"))
            if new is not None:  # after the step that had this number when moving down, before it when moving up
                order[sid] = float(new) + (0.5 if float(new) > order[sid] else -0.5)
            if fields:
                store.update_step(engine, sid, **fields)
        for row in added:
            store.add_step(engine, stage_ids.get(row.get("stage") or "", stage_id), **_values(row, tps))
        for sid in [ids[int(d)] for d in deleted]:
            store.delete_step(engine, sid)
        if any(_clean(row.get("position")) is not None for row in edited.values()):
            fresh = next(s for s in store.journey_content(engine, int(content["id"]))["stages"] if s["id"] == stage_id)
            now = [int(x["id"]) for x in fresh["steps"]]
            kept = [sid for sid in sorted(order, key=lambda k: order[k]) if sid not in leaving and sid in now]
            store.reorder_steps(engine, stage_id, kept + [sid for sid in now if sid not in kept])
    return True


def step_editor(engine: Engine, content: dict[str, Any], stage: dict[str, Any], tps: dict[str, int]) -> None:
    """A data editor for one stage's steps; changes are written as soon as they are made."""
    if not can_edit():  # viewers: the steps as a read-only table
        st.dataframe(steps_frame(stage), hide_index=True, width="stretch")
        return
    key = steps_key(int(stage["id"]))
    edits = st.session_state.get(key)
    if isinstance(edits, dict) and apply_step_edits(engine, content, stage, edits, tps):
        st.rerun()
    stage_names = [s["name"] for s in content["stages"]]
    st.data_editor(
        steps_frame(stage),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "position": st.column_config.NumberColumn(
                "#", min_value=1, step=1, width="small", help=t("journey.col.position_help")
            ),
            "touchpoint_label": st.column_config.TextColumn(
                t("journey.col.touchpoint_label"), help=t("journey.col.touchpoint_label_help")
            ),
            "touchpoint": st.column_config.SelectboxColumn(
                t("journey.col.touchpoint"), options=list(tps), help=t("journey.col.touchpoint_help")
            ),
            "emotion": st.column_config.SelectboxColumn(
                t("journey.col.emotion"),
                options=[-2, -1, 0, 1, 2],
                default=0,
                required=True,
                help=t("journey.col.emotion_help"),
            ),
            "stage": st.column_config.SelectboxColumn(
                t("journey.col.stage"), options=stage_names, help=t("journey.col.stage_help")
            ),
        }
        | {
            c: st.column_config.TextColumn(t(f"journey.col.{c}"))
            for c in STEP_COLUMNS
            if c in store.TEXT_FIELDS and c != "touchpoint_label"
        },
    )


# --- data cards -----------------------------------------------------------------------------------------------------


@st.cache_data(max_entries=32, ttl=600, show_spinner=False)
def _about(
    url: str, ws: int, names: tuple[str, ...], fk: tuple[Any, ...], v: int, _engine: Engine, _f: Filters
) -> store.CommentsAbout:
    return store.comments_about(_engine, ws, names, _f, comments=touchpoint_comments(_engine, ws, _f))


@st.cache_data(max_entries=32, ttl=600, show_spinner=False)
def _evidence(
    url: str, ws: int, names: tuple[str, ...], fk: tuple[Any, ...], v: int, _engine: Engine, _f: Filters
) -> pd.DataFrame:
    about = _about(url, ws, names, fk, v, _engine, _f)  # the comments once, for this and the cards' themes
    return store.touchpoint_evidence(_engine, ws, names, _f, about=about)


def linked_touchpoints(content: dict[str, Any]) -> tuple[str, ...]:
    """The touchpoints the map's steps are linked to, in map order, each once."""
    return tuple(dict.fromkeys(s["touchpoint"] for st_ in content["stages"] for s in st_["steps"] if s["touchpoint"]))


def evidence(engine: Engine, ws: int, content: dict[str, Any], filters: Filters) -> pd.DataFrame:
    """Evidence (scores, NPS, sentiment) of the map's linked touchpoints, cached."""
    names = linked_touchpoints(content)
    with st.spinner(t("journey.cards.reading")):
        return _evidence(_key(engine), ws, names, _filters_key(filters), data_version(), engine, filters)


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _impact(url: str, ws: int, fk: tuple[Any, ...], v: int, _engine: Engine, _f: Filters) -> dict[str, float | None]:
    return store.touchpoint_impact(_engine, ws, _f)


def data_cards(engine: Engine, ws: int, content: dict[str, Any], ev: pd.DataFrame, filters: Filters) -> None:
    """One card per linked touchpoint: n, score, NPS of raters, impact, top themes; thin data is marked."""
    if ev.empty:
        st.caption(t("journey.cards.none"))
        return
    with st.spinner(t("journey.cards.impact")):
        impact = _impact(_key(engine), ws, _filters_key(filters), data_version(), engine, filters)
        names = linked_touchpoints(content)  # as ``evidence`` asked: its cached reading of the comments
        about = _about(_key(engine), ws, names, _filters_key(filters), data_version(), engine, filters)
    cols = st.columns(3)
    for i, row in enumerate(ev.itertuples(index=False)):
        with cols[i % 3].container(border=True):
            st.markdown(f"**{inert_md(row.touchpoint)}**")
            if not row.n:
                st.caption(t("journey.cards.no_ratings"))
                continue
            if row.n < MIN_N:  # the ratings are thin; thin comments only qualify the comment line
                st.warning(t("journey.cards.low_ratings", n=fmt_number(row.n), min=MIN_N), icon="⚠️")
            share = impact.get(row.touchpoint)
            nps = "–" if pd.isna(row.nps) else f"{row.nps:+.0f}"
            lines = [
                t("journey.cards.rated", n=fmt_number(row.n), mean=f"{row.mean:.2f}",
                  scale=f"{row.scale_min:.0f}–{row.scale_max:.0f}", ci=f"{row.lo:.2f}–{row.hi:.2f}"),
                t("journey.cards.nps", nps=nps, n=fmt_number(row.nps_n)),
                t("journey.cards.impact_line", share="–" if share is None else f"{share:.0%}"),
                t("journey.cards.comments", n=fmt_number(row.n_comments))
                + ("" if pd.isna(row.sentiment) else t("journey.cards.sentiment", value=fmt_signed(row.sentiment / 2)))
                + (t("journey.cards.few_comments", min=MIN_N) if 0 < row.n_comments < MIN_N else ""),
            ]  # fmt: skip
            st.markdown("  \n".join(lines))
            themes = about.themes.get(row.touchpoint, [])[:3]
            if themes:
                st.caption(t("journey.cards.themes", themes=", ".join(inert_md(x) for x in themes)))


def inert_md(text: str) -> str:
    """User text made inert for st.markdown (no HTML, no Markdown syntax)."""
    import html

    escaped = html.escape(str(text))
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in escaped)


# --- presentation ---------------------------------------------------------------------------------------------------


def presentation_controls(n_stages: int) -> int | None:
    """Hide the sidebar and enlarge type; return the stage to show (None = the whole map)."""
    st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    whole = st.toggle(t("journey.present_whole"), key=PRESENT_WHOLE)
    if whole or n_stages == 0:
        return None
    index = min(int(st.session_state.get(PRESENT_STAGE, 0)), n_stages - 1)
    c1, c2, c3 = st.columns([1, 1, 6])
    if c1.button(t("journey.present_prev"), key="journey_prev", disabled=index == 0):
        index -= 1
    if c2.button(t("journey.present_next"), key="journey_next", disabled=index >= n_stages - 1):
        index += 1
    st.session_state[PRESENT_STAGE] = index
    c3.markdown(t("journey.present_stage", number=index + 1, total=n_stages))
    return index


def download(label: str, make: Callable[[], bytes], file_name: str, mime: str, column: Any) -> None:
    column.download_button(label, make, file_name, mime, on_click="ignore", key=f"journey_dl_{file_name}")
