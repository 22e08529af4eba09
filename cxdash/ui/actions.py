"""The Actions page's parts: the follow-up queue (cases of unhappy customers) and improvement actions with their
measured effect; plus the small "create an action" hooks the Drivers and Journey pages use.

A page that wants to start an action elsewhere calls :func:`start_action_draft` (touchpoints, origin, a suggested
title, optionally the journey step) and switches to the Actions page, whose form opens pre-filled.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.analysis.effect import MetricEffect
from cxdash.errors import CxdashError
from cxdash.export import to_safe_csv
from cxdash.i18n import fmt_date, fmt_number, t
from cxdash.store import queries
from cxdash.store.actions import (
    DEFAULT_WINDOW_DAYS,
    ActionEffect,
    action_effect,
    create_action,
    delete_action,
    effect_series,
    journey_step_label,
    list_actions,
    update_action,
)
from cxdash.store.actions import STATUSES as ACTION_STATUSES
from cxdash.store.followup import (
    REASONS,
    STATUSES,
    CaseQuery,
    FollowupRules,
    case_owners,
    case_stats,
    get_rules,
    in_segment,
    list_cases,
    set_rules,
    update_case,
)
from cxdash.ui.auth import can_edit
from cxdash.ui.charts import show_chart
from cxdash.ui.errors import show_error
from cxdash.ui.resources import data_changed
from cxdash.ui.sidebar import PageContext
from cxdash.ui.text import literal
from cxdash.viz.effect_chart import effect_chart

DRAFT = "action_draft"  # a pre-filled new action handed over by another page
PICKED = "actions_picked"  # the action shown in detail
EDITOR_VERSION = "cases_editor_version"
FLASH = "actions_flash"
FLASH_ERROR = "actions_flash_error"
ANY = "__any__"
UNASSIGNED = "__unassigned__"


# ------------------------------------------------------------------------------------------------- shared helpers


def status_label(status: str) -> str:
    return t(f"actions.case_status.{status}")


def action_status_label(status: str) -> str:
    return t(f"actions.action_status.{status}")


def start_action_draft(
    touchpoints: list[str], origin: str, title: str = "", journey_step_id: int | None = None, note: str = ""
) -> None:
    """Remember a new action to pre-fill on the Actions page (call, then ``st.switch_page("pages/actions.py")``)."""
    st.session_state[DRAFT] = {
        "touchpoints": touchpoints,
        "origin": origin,
        "title": title,
        "journey_step_id": journey_step_id,
        "description": note,
    }


def _action_line(action: dict[str, Any]) -> str:
    """A Markdown list item: the action's title, status and start date."""
    since = t("actions.summary.since", date=fmt_date(date.fromisoformat(action["start"])))
    return f"- **{literal(action['title'])}** — {action_status_label(action['status'])}, {since}"


def actions_summary(
    engine: Engine, workspace_id: int, touchpoint: str | None = None, step_id: int | None = None
) -> None:
    """A compact list of the actions on a touchpoint (Drivers page) or from a journey step (Journey page)."""
    items = list_actions(engine, workspace_id, touchpoint=touchpoint, journey_step_id=step_id)
    if not items:
        st.caption(t("actions.summary.none"))
        return
    for a in items:
        st.markdown(_action_line(a))


def action_hook(
    engine: Engine,
    workspace_id: int,
    touchpoints: list[str],
    origin: str,
    key: str,
    title: str = "",
    journey_step_id: int | None = None,
    note: str = "",
) -> None:
    """The actions already planned on these touchpoints (or from this journey step) and a button that opens the
    Actions page with a new action pre-filled."""
    st.markdown(f"**{t('actions.hook.title')}**")
    if journey_step_id is not None:
        actions_summary(engine, workspace_id, step_id=journey_step_id)
    else:
        for tp in touchpoints:
            actions_summary(engine, workspace_id, touchpoint=tp)
    if not can_edit():
        return
    if st.button(t("actions.hook.create"), key=key, icon="➕", disabled=not touchpoints):
        start_action_draft(touchpoints, origin, title, journey_step_id, note)
        st.switch_page("pages/actions.py")
    if not touchpoints:
        st.caption(t("actions.hook.no_touchpoint"))


def pain_points_section(engine: Engine, workspace_id: int, content: dict[str, Any]) -> None:
    """Journey page: every step with a pain point, the actions on it (from the step or on its touchpoint) and a
    button to plan one."""
    steps = [
        (stage, step)
        for stage in content["stages"]
        for step in stage["steps"]
        if str(step.get("pain_points") or "").strip()
    ]
    st.subheader(t("actions.journey.title"))
    if not steps:
        st.caption(t("actions.journey.none"))
        return
    st.caption(t("actions.journey.help"))
    for stage, step in steps:
        label = step.get("touchpoint") or step.get("touchpoint_label") or step.get("action") or ""
        with st.expander(f"{literal(stage['name'])} › {literal(label)}"):
            st.markdown(f"**{t('actions.journey.pain')}**")
            st.text(str(step["pain_points"]))
            linked = {a["id"]: a for a in list_actions(engine, workspace_id, journey_step_id=step["id"])}
            if step.get("touchpoint"):
                linked |= {a["id"]: a for a in list_actions(engine, workspace_id, touchpoint=step["touchpoint"])}
            if linked:
                for a in linked.values():
                    st.markdown(_action_line(a))
            else:
                st.caption(t("actions.summary.none"))
            tps = [step["touchpoint"]] if step.get("touchpoint") else []
            if not can_edit():
                continue
            first_pain = str(step["pain_points"]).strip().splitlines()[0][:200]
            if st.button(t("actions.hook.create"), key=f"journey_action_{step['id']}", icon="➕", disabled=not tps):
                start_action_draft(tps, "journey", "", step["id"], first_pain)
                st.switch_page("pages/actions.py")
            if not tps:
                st.caption(t("actions.hook.no_touchpoint"))


def _hours(h: float | None) -> str:
    if h is None:
        return "–"
    if h < 48:
        return t("actions.queue.hours", n=fmt_number(h, 1))
    return t("actions.queue.days", n=fmt_number(h / 24.0, 1))


def _flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon="✅")
    problem = st.session_state.pop(FLASH_ERROR, None)
    if problem:
        st.error(problem, icon="⚠️")


# --------------------------------------------------------------------------------------------------------- queue


def queue_tab(ctx: PageContext) -> None:
    assert ctx.workspace is not None and ctx.workspace.id is not None
    engine, ws = ctx.engine, ctx.workspace.id
    stats = case_stats(engine, ws, ctx.filters)
    cols = st.columns(5)
    cols[0].metric(t("actions.queue.open"), fmt_number(stats.open), help=t("actions.queue.open_help"))
    cols[1].metric(status_label("new"), fmt_number(stats.by_status["new"]))
    cols[2].metric(
        t("actions.queue.time_to_contact"),
        _hours(stats.median_hours_to_contact),
        help=t("actions.queue.time_to_contact_help", n=stats.n_contacted),
    )
    cols[3].metric(
        t("actions.queue.time_to_resolution"),
        _hours(stats.median_hours_to_resolution),
        help=t("actions.queue.time_to_resolution_help", n=stats.n_resolved),
    )
    within = stats.contacted_within_48h
    cols[4].metric(t("actions.queue.within_48h"), "–" if within is None else f"{within * 100:.0f}%")
    if stats.total == 0:
        segment = bool(in_segment(ws, ctx.filters)) and case_stats(engine, ws).total > 0
        st.info(t("actions.queue.empty_segment" if segment else "actions.queue.empty"))
        if can_edit():
            _rules_form(ctx)
        return

    query = _queue_filters(ctx)
    cases = list_cases(engine, ws, query)
    st.caption(t("actions.queue.showing", n=fmt_number(len(cases)), limit=fmt_number(query.limit)))
    if cases.empty:
        st.info(t("actions.queue.no_match"))
    elif can_edit():
        _cases_editor(ctx, cases)
    else:
        st.caption(t("actions.viewer"))
        st.dataframe(cases.drop(columns=["opened_at"]), hide_index=True, width="stretch")
    if can_edit():
        _rules_form(ctx)


def _queue_filters(ctx: PageContext) -> CaseQuery:
    assert ctx.workspace is not None and ctx.workspace.id is not None
    ws = ctx.workspace.id
    c1, c2, c3, c4, c5 = st.columns([2, 2, 1.4, 1.6, 1.4])
    statuses = c1.multiselect(
        t("actions.queue.status"),
        list(STATUSES),
        default=["new", "contacted"],
        format_func=status_label,
        key=f"queue_status_{ws}",
        placeholder=t("actions.queue.any_status"),
    )
    reasons = c2.multiselect(
        t("actions.queue.reason"),
        list(REASONS),
        format_func=lambda r: t(f"actions.reason.{r}"),
        key=f"queue_reason_{ws}",
        placeholder=t("actions.queue.any_reason"),
    )
    owners = [ANY, UNASSIGNED, *case_owners(ctx.engine, ws)]
    owner = c3.selectbox(
        t("actions.queue.owner"),
        owners,
        format_func=lambda o: {ANY: t("actions.queue.anyone"), UNASSIGNED: t("actions.queue.unassigned")}.get(o, o),
        key=f"queue_owner_{ws}",
    )
    touchpoints = [ANY, *queries.touchpoint_names(ctx.engine, ws)]
    touchpoint = c4.selectbox(
        t("actions.queue.touchpoint"),
        touchpoints,
        format_func=lambda x: t("actions.queue.any_touchpoint") if x == ANY else x,
        key=f"queue_tp_{ws}",
    )
    sort = c5.selectbox(
        t("actions.queue.sort"),
        ["age", "newest", "score", "status"],
        format_func=lambda s: t(f"actions.queue.sort_{s}"),
        key=f"queue_sort_{ws}",
    )
    search = st.text_input(
        t("actions.queue.search"), key=f"queue_search_{ws}", placeholder=t("actions.queue.search_hint")
    )
    return CaseQuery(
        statuses=statuses,
        reasons=reasons,
        owner=None if owner == ANY else ("" if owner == UNASSIGNED else owner),
        touchpoint=None if touchpoint == ANY else touchpoint,
        search=search.strip() or None,
        sort=sort or "age",
        segment=ctx.filters,
    )


def _cases_editor(ctx: PageContext, cases: pd.DataFrame) -> None:
    """The queue as an editable table: status, owner and notes are saved as soon as they change."""
    assert ctx.workspace is not None and ctx.workspace.id is not None
    view = pd.DataFrame(
        {
            "case": cases["case_id"].astype(int),
            "age": cases["age_days"],
            "nps": cases["nps"],
            "touchpoint": cases["touchpoint"].fillna(""),
            "tp_score": cases["touchpoint_score"],
            "comment": cases["comment"],
            "segment": cases["segment"],
            "reason": [t(f"actions.reason.{r}") for r in cases["reason"]],
            "status": cases["status"],
            "owner": cases["owner"],
            "notes": cases["notes"],
        }
    )
    version = int(st.session_state.get(EDITOR_VERSION, 0))
    key = f"cases_editor_{ctx.workspace.id}_{version}"
    status_options: list[Any] = list(STATUSES)
    st.data_editor(  # type: ignore[call-overload]
        view,
        key=key,
        hide_index=True,
        width="stretch",
        height=min(38 * (len(view) + 1) + 4, 520),
        disabled=["case", "age", "nps", "touchpoint", "tp_score", "comment", "segment", "reason"],
        column_order=[
            "case",
            "status",
            "owner",
            "age",
            "nps",
            "touchpoint",
            "tp_score",
            "comment",
            "notes",
            "reason",
            "segment",
        ],  # fmt: skip
        column_config={
            "case": st.column_config.NumberColumn("#", width="small", format="%d"),
            "age": st.column_config.NumberColumn(t("actions.queue.col_age"), format="%.0f", width="small"),
            "nps": st.column_config.NumberColumn("NPS", format="%d", width="small"),
            "touchpoint": st.column_config.TextColumn(t("actions.queue.col_touchpoint")),
            "tp_score": st.column_config.NumberColumn(t("actions.queue.col_tp_score"), format="%.0f", width="small"),
            "comment": st.column_config.TextColumn(t("actions.queue.col_comment"), width="large"),
            "segment": st.column_config.TextColumn(t("actions.queue.col_segment")),
            "reason": st.column_config.TextColumn(t("actions.queue.col_reason"), width="small"),
            "status": st.column_config.SelectboxColumn(
                t("actions.queue.col_status"),
                options=status_options,
                format_func=lambda s: status_label(str(s)),
                required=True,
                width="small",
            ),
            "owner": st.column_config.TextColumn(t("actions.queue.col_owner"), max_chars=100),
            "notes": st.column_config.TextColumn(t("actions.queue.col_notes"), max_chars=2000, width="medium"),
        },
        on_change=_save_case_edits,
        args=(ctx.engine, key, view[["case", "status", "owner", "notes"]].to_dict("records")),
    )
    st.caption(t("actions.queue.editor_help"))
    _case_form(ctx, cases)
    st.download_button(
        t("actions.queue.download"),
        to_safe_csv(cases.drop(columns=["notes"])),
        file_name="followup_queue.csv",
        mime="text/csv",
        key=f"queue_csv_{ctx.workspace.id}",
    )


def _case_form(ctx: PageContext, cases: pd.DataFrame) -> None:
    """The same edit as the table, one case at a time (keyboard-friendly; shows the whole comment)."""
    assert ctx.workspace is not None
    by_id = {int(r["case_id"]): r for r in cases.to_dict("records")}
    with st.expander(t("actions.queue.update_one")):
        case_id = st.selectbox(
            t("actions.queue.case"),
            list(by_id),
            format_func=lambda i: t(
                "actions.queue.case_label", id=i, response=by_id[i]["response"], nps=by_id[i]["nps"]
            ),
            key=f"case_pick_{ctx.workspace.id}",
        )
        row = by_id[case_id]
        if row["comment"]:
            st.text(row["comment"])
        with st.form(f"case_form_{ctx.workspace.id}_{case_id}"):
            status = st.radio(
                t("actions.queue.col_status"),
                list(STATUSES),
                index=list(STATUSES).index(row["status"]),
                format_func=status_label,
                horizontal=True,
            )
            owner = st.text_input(t("actions.queue.col_owner"), value=row["owner"], max_chars=100)
            notes = st.text_area(t("actions.queue.col_notes"), value=row["notes"], max_chars=2000)
            if st.form_submit_button(t("actions.queue.save_case")):
                try:
                    update_case(ctx.engine, case_id, status=status, owner=owner, notes=notes)
                except CxdashError as error:
                    show_error(error)
                else:
                    data_changed()
                    st.session_state[EDITOR_VERSION] = int(st.session_state.get(EDITOR_VERSION, 0)) + 1
                    st.session_state[FLASH] = t("actions.queue.saved", n=1)
                    st.rerun()


def _save_case_edits(engine: Engine, key: str, rows: list[dict[str, Any]]) -> None:
    """data_editor callback: write each edited row (status, owner, notes) to the store, then reset the editor."""
    edits = st.session_state.get(key, {}).get("edited_rows", {})
    saved = 0
    try:
        for index, change in edits.items():
            row = rows[int(index)]
            fields = {k: v for k, v in change.items() if k in ("status", "owner", "notes") and v is not None}
            if fields:
                update_case(engine, int(row["case"]), **fields)
                saved += 1
    except CxdashError as error:
        st.session_state[FLASH_ERROR] = error.message
    st.session_state[EDITOR_VERSION] = int(st.session_state.get(EDITOR_VERSION, 0)) + 1
    if saved:
        data_changed()
        st.session_state[FLASH] = t("actions.queue.saved", n=saved)


def _rules_form(ctx: PageContext) -> None:
    assert ctx.workspace is not None and ctx.workspace.id is not None
    ws = ctx.workspace.id
    rules = get_rules(ctx.engine, ws)
    with st.expander(t("actions.rules.title")):
        st.caption(t("actions.rules.help"))
        with st.form(f"rules_{ws}"):
            detractors = st.checkbox(t("actions.rules.detractors"), value=rules.detractors)
            low_csat = st.checkbox(t("actions.rules.low_csat"), value=rules.low_csat)
            negative = st.checkbox(t("actions.rules.negative_comment"), value=rules.negative_comment)
            names = queries.touchpoint_names(ctx.engine, ws)
            tps = st.multiselect(
                t("actions.rules.negative_touchpoints"),
                names,
                default=[x for x in rules.negative_touchpoints if x in names],
                help=t("actions.rules.negative_touchpoints_help"),
                placeholder=t("actions.rules.any_touchpoint"),
            )
            if st.form_submit_button(t("actions.rules.save")):
                opened = set_rules(ctx.engine, ws, FollowupRules(detractors, low_csat, negative, tuple(tps)))
                data_changed()
                st.session_state[FLASH] = t("actions.rules.saved", n=opened)
                st.rerun()


# ------------------------------------------------------------------------------------------------------- actions


def actions_tab(ctx: PageContext) -> None:
    assert ctx.workspace is not None and ctx.workspace.id is not None
    engine, ws = ctx.engine, ctx.workspace.id
    if can_edit():
        _new_action_form(ctx)
    else:
        st.caption(t("actions.viewer"))
    items = list_actions(engine, ws)
    if not items:
        st.info(t("actions.list.empty"))
        return
    table = pd.DataFrame(
        {
            "id": [a["id"] for a in items],
            "title": [a["title"] for a in items],
            "touchpoints": [", ".join(a["touchpoints"]) for a in items],
            "start": [a["start"] for a in items],
            "status": [action_status_label(a["status"]) for a in items],
            "owner": [a["owner"] for a in items],
            "origin": [t(f"actions.origin.{a['origin']}") for a in items],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("#", format="%d", width="small"),
            "title": st.column_config.TextColumn(t("actions.form.title")),
            "touchpoints": st.column_config.TextColumn(t("actions.form.touchpoints")),
            "start": st.column_config.TextColumn(t("actions.form.start")),
            "status": st.column_config.TextColumn(t("actions.form.status")),
            "owner": st.column_config.TextColumn(t("actions.form.owner")),
            "origin": st.column_config.TextColumn(t("actions.list.origin")),
        },
    )
    by_id = {a["id"]: a for a in items}
    if st.session_state.get(PICKED) not in by_id:
        # the started action with the longest "after" period tells most; else the newest
        started = [a for a in items if a["status"] in ("in_progress", "done")]
        st.session_state[PICKED] = (min(started, key=lambda a: a["start"]) if started else items[0])["id"]
    picked = st.selectbox(
        t("actions.list.pick"),
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i]['title']}",
        key=PICKED,
    )
    _action_detail(ctx, by_id[picked])


def _new_action_form(ctx: PageContext) -> None:
    assert ctx.workspace is not None and ctx.workspace.id is not None
    ws = ctx.workspace.id
    draft = st.session_state.get(DRAFT)
    touchpoints = queries.touchpoint_names(ctx.engine, ws)
    with st.expander(t("actions.form.new"), expanded=draft is not None):
        if draft:
            origin_note = t(f"actions.origin.{draft['origin']}")
            st.info(t("actions.form.from", origin=origin_note, touchpoints=literal(", ".join(draft["touchpoints"]))))
        with st.form(f"new_action_{ws}", clear_on_submit=True):
            title = st.text_input(t("actions.form.title"), value=(draft or {}).get("title", ""), max_chars=300)
            chosen = st.multiselect(
                t("actions.form.touchpoints"),
                touchpoints,
                default=[x for x in (draft or {}).get("touchpoints", []) if x in touchpoints],
                help=t("actions.form.touchpoints_help"),
                placeholder=t("common.choose"),
            )
            c1, c2, c3 = st.columns(3)
            owner = c1.text_input(t("actions.form.owner"), max_chars=100)
            start = c2.date_input(t("actions.form.start"), value=date.today(), help=t("actions.form.start_help"))
            status = c3.selectbox(t("actions.form.status"), list(ACTION_STATUSES), format_func=action_status_label)
            description = st.text_area(t("actions.form.description"), value=(draft or {}).get("description", ""))
            expected = st.text_input(t("actions.form.expected"), help=t("actions.form.expected_help"))
            if st.form_submit_button(t("actions.form.create"), type="primary"):
                try:
                    action = create_action(
                        ctx.engine,
                        ws,
                        title,
                        chosen,
                        start if isinstance(start, date) else date.today(),
                        owner=owner,
                        description=description,
                        status=status or "planned",
                        expected_effect=expected,
                        origin=(draft or {}).get("origin", "manual"),
                        journey_step_id=(draft or {}).get("journey_step_id"),
                    )
                except CxdashError as error:
                    show_error(error)
                else:
                    st.session_state.pop(DRAFT, None)
                    st.session_state[PICKED] = action["id"]
                    st.session_state[FLASH] = t("actions.form.created", title=action["title"])
                    data_changed()
                    st.rerun()
        if draft and st.button(t("actions.form.discard_draft")):
            st.session_state.pop(DRAFT, None)
            st.rerun()


def _action_detail(ctx: PageContext, action: dict[str, Any]) -> None:
    engine = ctx.engine
    st.subheader(literal(action["title"]))
    meta = [
        t("actions.detail.touchpoints", touchpoints=", ".join(action["touchpoints"])),
        t("actions.detail.start", date=fmt_date(date.fromisoformat(action["start"]))),
        action_status_label(action["status"]),
    ]
    if action["owner"]:
        meta.append(t("actions.detail.owner", owner=action["owner"]))
    step = journey_step_label(engine, action["journey_step_id"])
    if step:
        meta.append(t("actions.detail.journey_step", step=step))
    st.caption(" · ".join(literal(m) for m in meta))
    if action["description"]:
        st.text(action["description"])
    if action["expected_effect"]:
        st.markdown(f"**{t('actions.form.expected')}:** {literal(action['expected_effect'])}")

    if can_edit():
        _edit_action(ctx, action)
    st.markdown(f"#### {t('actions.effect.title')}")
    c1, c2, c3 = st.columns([1, 1, 2])
    before_days = int(
        c1.number_input(
            t("actions.effect.before_days"), 7, 730, DEFAULT_WINDOW_DAYS, step=7, key=f"effect_before_{action['id']}"
        )
    )
    after_days = int(
        c2.number_input(
            t("actions.effect.after_days"), 7, 730, DEFAULT_WINDOW_DAYS, step=7, key=f"effect_after_{action['id']}"
        )
    )
    c3.caption(t("actions.effect.windows_help"))
    try:
        effect = action_effect(
            engine, action["id"], before_days=before_days, after_days=after_days, filters=ctx.filters
        )
    except CxdashError as error:
        show_error(error)
        return
    _effect_summary(effect)
    series = effect_series(engine, action["id"], "week", filters=ctx.filters)
    if series.dropna(subset=["mean"]).empty:
        st.info(t("actions.effect.no_series"))
    else:
        score = effect.metrics["score"]
        chart = effect_chart(
            series,
            effect.windows.start,
            effect.windows.before_from,
            effect.windows.after_to,
            score.before.value,
            score.after.value,
            title=t("actions.chart.title", touchpoints=", ".join(action["touchpoints"])),
            y_title=t("actions.chart.y_rescaled") if effect.rescaled else t("actions.chart.y"),
        )
        show_chart(chart)
    st.caption(t("actions.effect.caveat"))
    if ctx.filters.attributes or ctx.filters.channels:
        st.caption(t("actions.effect.filtered"))


_METRIC_FORMAT = {
    "score": ("{:.2f}", "{:+.2f}"),
    "nps": ("{:+.1f}", "{:+.1f}"),  # NPS is signed everywhere (+16.9, -3.6)
    "negative_share": ("{:.1f}%", "{:+.1f}"),
}


def _effect_summary(effect: ActionEffect) -> None:
    cols = st.columns(3)
    rows = []
    for col, (name, m) in zip(cols, effect.metrics.items(), strict=True):
        value_fmt, diff_fmt = _METRIC_FORMAT[name]
        label = t(f"actions.metric.{name}")
        after = "–" if m.after.value is None else value_fmt.format(m.after.value)
        delta = None if m.comparison.diff is None else diff_fmt.format(m.comparison.diff)
        col.metric(
            label,
            after,
            delta,
            delta_color="inverse" if name == "negative_share" else "normal",
            help=t(
                "actions.effect.metric_help",
                before="–" if m.before.value is None else value_fmt.format(m.before.value),
                n_before=m.before.n,
                n_after=m.after.n,
            ),
        )
        col.caption(_verdict_text(name, m))
        c = m.comparison
        rows.append(
            {
                "metric": label,
                "before": m.before.value,
                "n_before": m.before.n,
                "after": m.after.value,
                "n_after": m.after.n,
                "difference": c.diff,
                "ci_low": c.ci95[0] if c.ci95 else None,
                "ci_high": c.ci95[1] if c.ci95 else None,
                "p": _p_text(c.p_value),
                "verdict": t(f"actions.verdict.{m.verdict}"),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "metric": st.column_config.TextColumn(t("actions.effect.col_metric")),
            "before": st.column_config.NumberColumn(t("actions.effect.before"), format="%.2f"),
            "n_before": st.column_config.NumberColumn("n", format="%d"),
            "after": st.column_config.NumberColumn(t("actions.effect.after"), format="%.2f"),
            "n_after": st.column_config.NumberColumn("n ", format="%d"),
            "difference": st.column_config.NumberColumn(t("actions.effect.difference"), format="%+.2f"),
            "ci_low": st.column_config.NumberColumn(t("actions.effect.ci_low"), format="%.2f"),
            "ci_high": st.column_config.NumberColumn(t("actions.effect.ci_high"), format="%.2f"),
            "p": st.column_config.TextColumn("p"),
            "verdict": st.column_config.TextColumn(t("actions.effect.col_verdict")),
        },
    )
    st.caption(
        t(
            "actions.effect.windows",
            before_from=fmt_date(effect.windows.before_from),
            start=fmt_date(effect.windows.start),
            after_to=fmt_date(effect.windows.after_to - timedelta(days=1)),
        )
    )


def _p_text(p: float | None) -> str:
    if p is None:
        return "–"
    return "< 0.0001" if p < 0.0001 else f"{p:.4f}"


def _verdict_text(name: str, m: MetricEffect) -> str:
    c = m.comparison
    if m.verdict == "not_enough_data":
        return t("actions.verdict_text.not_enough_data", n_before=c.n_b, n_after=c.n_a, need=30)
    assert c.ci95 is not None and c.p_value is not None
    p = "p < 0.001" if c.p_value < 0.001 else f"p = {c.p_value:.3f}"
    return t(
        f"actions.verdict_text.{m.verdict}",
        ci=f"{c.ci95[0]:+.2f} … {c.ci95[1]:+.2f}",
        p=p,
    )


def _edit_action(ctx: PageContext, action: dict[str, Any]) -> None:
    touchpoints = queries.touchpoint_names(ctx.engine, ctx.workspace.id or 0 if ctx.workspace else 0)
    with st.expander(t("actions.detail.edit")):
        with st.form(f"edit_action_{action['id']}"):
            title = st.text_input(t("actions.form.title"), value=action["title"], max_chars=300)
            chosen = st.multiselect(
                t("actions.form.touchpoints"),
                touchpoints,
                default=[x for x in action["touchpoints"] if x in touchpoints],
                placeholder=t("common.choose"),
            )
            c1, c2, c3 = st.columns(3)
            owner = c1.text_input(t("actions.form.owner"), value=action["owner"], max_chars=100)
            start = c2.date_input(t("actions.form.start"), value=date.fromisoformat(action["start"]))
            status = c3.selectbox(
                t("actions.form.status"),
                list(ACTION_STATUSES),
                index=list(ACTION_STATUSES).index(action["status"]),
                format_func=action_status_label,
            )
            description = st.text_area(t("actions.form.description"), value=action["description"])
            expected = st.text_input(t("actions.form.expected"), value=action["expected_effect"])
            if st.form_submit_button(t("actions.detail.save")):
                try:
                    update_action(
                        ctx.engine,
                        action["id"],
                        title=title,
                        touchpoints=chosen,
                        owner=owner,
                        start=start if isinstance(start, date) else None,
                        status=status,
                        description=description,
                        expected_effect=expected,
                    )
                except CxdashError as error:
                    show_error(error)
                else:
                    data_changed()
                    st.session_state[FLASH] = t("actions.detail.saved")
                    st.rerun()
        confirm = st.checkbox(t("actions.detail.confirm_delete"), key=f"confirm_delete_action_{action['id']}")
        if st.button(t("actions.detail.delete"), disabled=not confirm, key=f"delete_action_{action['id']}"):
            try:
                delete_action(ctx.engine, action["id"])
            except CxdashError as error:
                show_error(error)
            else:
                st.session_state.pop(PICKED, None)
                data_changed()
                st.session_state[FLASH] = t("actions.detail.deleted", title=action["title"])
                st.rerun()


def page(ctx: PageContext) -> None:
    """The whole Actions page below its title."""
    _flash()
    labels = [t("actions.tabs.queue"), t("actions.tabs.actions")]
    # a draft handed over by the Drivers or Journey page opens the actions tab with its form
    queue, improvements = st.tabs(labels, default=labels[1] if st.session_state.get(DRAFT) else labels[0])
    with queue:
        queue_tab(ctx)
    with improvements:
        actions_tab(ctx)
