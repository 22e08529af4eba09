"""Personas page widgets: cards, the edit form with its segment-rule editor, cached segment figures, clusters, JSON.

Every save goes straight to the store (``cxdash.store.personas``: one small transaction), so nothing is lost on a
rerun, a page switch or a refresh. User text is shown through Markdown with every special character escaped, and an
uploaded avatar through ``st.image`` — never as HTML.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.analysis import clusters
from cxdash.analysis.drivers import drivers_report
from cxdash.errors import CxdashError, InputRefused
from cxdash.export import chart_png, chart_svg
from cxdash.i18n import current_language, fmt_number, t, use_language
from cxdash.personas_io import import_personas, personas_json
from cxdash.store import drivers_data
from cxdash.store import personas as store
from cxdash.store.frames import touchpoint_scales
from cxdash.store.models import Persona
from cxdash.store.queries import Filters
from cxdash.store.themes import comments_frame
from cxdash.ui.auth import can_edit
from cxdash.ui.data import _filters_key, _key
from cxdash.ui.errors import show_error
from cxdash.ui.labels import percent_points
from cxdash.ui.resources import data_version
from cxdash.ui.sidebar import init_language
from cxdash.viz.persona_card import file_stem, persona_card_chart

EDITING = "personas_editing"  # persona id whose form is open, or NEW
CONFIRM_DELETE = "personas_confirm_delete"  # persona id waiting for delete confirmation
CLUSTER_RUN = "personas_cluster_run"  # (k or None, seed) of the clustering shown
FLASH = "personas_flash"
IMPORT_KEY = "personas_import_file"
NEW = "new"
DRIVER_METHOD = "rw"
TEXT_AREAS = ("summary", "goals", "pains", "behaviours")  # labels: personas.form.<field>
SENTIMENTS = ("positive", "neutral", "negative")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$<>:=^&])")


# --- showing user text ------------------------------------------------------------------------------------------


def plain(text: str) -> str:
    """User text as inert Markdown: every special character escaped, line breaks as spaces."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def bullets(text: str) -> str:
    """One Markdown bullet per non-empty line of user text (escaped)."""
    return "\n".join(f"- {plain(line)}" for line in str(text).splitlines() if line.strip())


def is_image(avatar: str) -> bool:
    return avatar.startswith("data:image/")


def show_avatar(avatar: str, width: int = 96) -> None:
    """An uploaded image through st.image (decoded from its data URI), else the emoji, large."""
    if is_image(avatar):
        try:
            st.image(base64.b64decode(avatar.split(",", 1)[1]), width=width)
            return
        except (ValueError, IndexError):
            avatar = store.DEFAULT_AVATAR
    st.markdown(f"## {plain(avatar)}")


def image_to_data_uri(data: bytes, size: int = 256) -> str:
    """An uploaded picture as a PNG data URI, at most ``size`` pixels on a side (small enough for the store)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            img = opened.convert("RGBA")
            img.thumbnail((size, size))
            out = io.BytesIO()
            img.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError) as error:
        raise InputRefused(t("personas.form.avatar_unreadable")) from error
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def label(persona: Persona) -> str:
    """Name with its emoji (for select boxes)."""
    return persona.name if is_image(persona.avatar) else f"{persona.avatar} {persona.name}"


# --- cached figures of a segment ------------------------------------------------------------------------------------


@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _drivers(
    url: str, ws: int, fkey: tuple[Any, ...], v: int, lang: str, _engine: Engine, _filters: Filters
) -> dict[str, Any]:
    frame = drivers_data.driver_frame(_engine, ws, _filters)
    scales = touchpoint_scales(_engine, ws)
    n = max(len(frame), 1)
    chosen = [tp for tp in scales if tp in frame.columns and frame[tp].notna().sum() >= 0.5 * n]
    if not chosen:
        return {"error": t("personas.card.no_driver", language=lang)}
    try:
        report = drivers_report(
            frame, "nps", chosen, DRIVER_METHOD, bootstrap=0, scales={tp: scales[tp] for tp in chosen}
        )
    except InputRefused as error:
        return {"error": error.message}
    ranked = sorted(report["drivers"], key=lambda d: -(d["share"] or 0.0))
    return {"n": report["n"], "drivers": [(d["name"], d["share"], d["score"]) for d in ranked[:3]]}


def top_drivers(engine: Engine, ws: int, filters: Filters) -> dict[str, Any]:
    """The segment's 3 strongest drivers of the NPS answer (relative weights, no bootstrap), or an error message."""
    return _drivers(_key(engine), ws, _filters_key(filters), data_version(), current_language(), engine, filters)


@st.cache_data(max_entries=64, ttl=600, show_spinner=False)
def _comments(url: str, ws: int, fkey: tuple[Any, ...], v: int, _engine: Engine, _filters: Filters) -> dict[str, Any]:
    return typical_comments_of(comments_frame(_engine, ws, filters=_filters))


def typical_comments_of(frame: pd.DataFrame, k: int = 3) -> dict[str, Any]:
    """The segment's most frequent sentiment and k of its comments closest to that sentiment's median score
    (distinct texts, preferring 20–240 characters): what this segment typically says."""
    if frame.empty:
        return {"label": None, "share": None, "texts": []}
    labels = frame["label"].dropna()
    top = labels.value_counts().idxmax() if len(labels) else None
    part = frame[frame["label"] == top] if top is not None else frame
    comp = pd.to_numeric(part["compound"], errors="coerce")
    length = part["text"].str.len()
    order = pd.DataFrame(
        {
            "text": part["text"],
            "off": (comp - comp.median()).abs().fillna(0.0),
            "odd": ~length.between(20, 240),
        }
    ).sort_values(["odd", "off"], kind="stable")
    texts = list(dict.fromkeys(order["text"].str.strip()))[:k]
    share = float((labels == top).mean()) if top is not None else None
    return {"label": top, "share": share, "texts": texts}


def typical_comments(engine: Engine, ws: int, filters: Filters) -> dict[str, Any]:
    return _comments(_key(engine), ws, _filters_key(filters), data_version(), engine, filters)


@st.cache_data(max_entries=8, ttl=1800, show_spinner=False)
def _clustering(
    url: str,
    ws: int,
    fkey: tuple[Any, ...],
    k: int | None,
    seed: int,
    v: int,
    lang: str,
    _engine: Engine,
    _filters: Filters,
) -> clusters.Clustering:
    # the clusters' labels and the reasons for left-out variables are text: keyed on the language
    with use_language(lang):
        return clusters.cluster_respondents(store.respondent_frame(_engine, ws, _filters), k=k, seed=seed)


def clustering(engine: Engine, ws: int, filters: Filters, k: int | None, seed: int) -> clusters.Clustering:
    with st.spinner(t("personas.suggest.spinner")):
        return _clustering(
            _key(engine), ws, _filters_key(filters), k, seed, data_version(), current_language(), engine, filters
        )


def clustering_headline(result: clusters.Clustering, chosen: bool) -> str:
    """'**3 groups** of 2,996 respondents (as asked; silhouette k=3: 0.412; seed 0).'"""
    sil = ", ".join(f"k={j}: {s:.3f}" for j, s in result.silhouettes.items())
    how = t("personas.suggest.how_best") if chosen else t("personas.suggest.how_asked")
    text = t("personas.suggest.headline", k=result.k, n=fmt_number(result.n), how=how, silhouette=sil, seed=result.seed)
    if 0 < result.fitted_on < result.n:  # fitted on a sample
        text += " " + t("personas.suggest.sampled", fitted=fmt_number(result.fitted_on), n=fmt_number(result.n))
    return text


def _score_name(name: Any) -> str:
    """A score variable's name as shown ("NPS answer" is the clustering's name for the NPS question)."""
    return t("personas.cluster.nps_answer") if name == clusters.NPS_ANSWER else str(name)


def cluster_table(table: pd.DataFrame) -> None:
    """The clusters side by side: size, share, NPS with interval and each score's cluster mean."""
    shown = table.rename(columns={clusters.NPS_ANSWER: t("personas.cluster.nps_answer")})
    fixed = {"cluster", "label", "size", "share", "nps", "nps_lo", "nps_hi"}
    means = {c: st.column_config.NumberColumn(format="%.2f") for c in shown.columns if c not in fixed}  # 3.57
    st.dataframe(
        percent_points(shown, "share"),
        hide_index=True,
        width="stretch",
        column_config={
            **means,
            "cluster": "#",
            "label": t("personas.cluster.group"),
            "size": st.column_config.NumberColumn(t("personas.cluster.respondents"), format="localized"),
            "share": st.column_config.NumberColumn(t("personas.cluster.share"), format="%.1f%%"),
            "nps": st.column_config.NumberColumn("NPS", format="%+.0f"),
            "nps_lo": st.column_config.NumberColumn(t("personas.cluster.nps_lo"), format="%+.0f"),
            "nps_hi": st.column_config.NumberColumn(t("personas.cluster.nps_hi"), format="%+.0f"),
        },
    )


# --- cards ------------------------------------------------------------------------------------------------------


def _fmt_nps(v: float | None) -> str:
    return t("personas.na") if v is None else f"{v:+.0f}"


def segment_figures(engine: Engine, ws: int, persona: Persona, base: Filters) -> dict[str, Any]:
    """Size, NPS with 95% interval, top 3 drivers and 3 typical comments of the persona's segment; returns the size
    and NPS figures (the ``stats`` of ``persona_card_chart``)."""
    from cxdash.ui import data

    filters = store.persona_filters(persona, base)
    nps = data.kpis(engine, ws, filters)["nps"]
    stats = {"n": nps.n, "nps": nps.value, "nps_lo": nps.lo, "nps_hi": nps.hi, "low_n": bool(nps.low_n and nps.n)}
    ci = t("personas.card.ci", lo=_fmt_nps(nps.lo), hi=_fmt_nps(nps.hi)) if nps.ci95 else ""
    low = t("personas.card.small") if nps.low_n and nps.n else ""
    st.markdown(t("personas.card.segment", segment=plain(store.describe_segment(store.segment_of(persona)))))
    st.markdown(t("personas.card.nps", n=fmt_number(nps.n), nps=_fmt_nps(nps.value)) + ci + low)
    if nps.n == 0:
        st.caption(t("personas.card.no_match"))
        return stats
    drivers = top_drivers(engine, ws, filters)
    if "error" in drivers:
        st.caption(t("personas.card.drivers_error", error=plain(drivers["error"])))
    else:
        items = " · ".join(
            t("personas.card.driver", i=i, name=plain(name), share=f"{share:.0%}", score=f"{score:.2f}")
            for i, (name, share, score) in enumerate(drivers["drivers"], start=1)
        )
        st.markdown(t("personas.card.drivers", n=fmt_number(drivers["n"]), items=items))
    said = typical_comments(engine, ws, filters)
    if said["texts"]:
        mood = t(f"personas.sentiment.{said['label']}") if said["label"] in SENTIMENTS else plain(said["label"] or "")
        st.markdown(t("personas.card.comments", label=mood or t("personas.sentiment.unscored"),
                      share=f"{said['share'] or 0:.0%}"))  # fmt: skip
        for text in said["texts"]:
            st.caption(t("personas.card.quote", text=plain(text)))
    return stats


def card_downloads(persona: Persona, stats: Mapping[str, Any] | None = None) -> None:
    """PNG and SVG buttons for the persona's card; the image is only drawn when a button is clicked."""
    stem = f"persona-{file_stem(persona.name)}"
    pid = persona.id
    lang = current_language()  # the image is drawn later, outside this script run: in the page's language

    def card(render: Callable[[Any], bytes]) -> Callable[[], bytes]:
        def make() -> bytes:
            with use_language(lang):
                return render(persona_card_chart(persona, stats))

        return make

    d1, d2 = st.columns(2)
    d1.download_button(
        t("personas.card.png"),
        data=card(chart_png),
        file_name=f"{stem}.png",
        mime="image/png",
        on_click="ignore",
        key=f"persona_png_{pid}",
        width="stretch",
    )
    d2.download_button(
        t("personas.card.svg"),
        data=card(chart_svg),
        file_name=f"{stem}.svg",
        mime="image/svg+xml",
        on_click="ignore",
        key=f"persona_svg_{pid}",
        width="stretch",
    )


def persona_card(engine: Engine, ws: int, persona: Persona, base: Filters, values: Mapping[str, list[str]]) -> None:
    """One persona: view (with its segment's figures and actions) or its edit form."""
    pid = persona.id
    with st.container(border=True, key=f"persona_card_{pid}"):
        if st.session_state.get(EDITING) == pid:
            persona_form(engine, ws, persona, values)
            return
        left, right = st.columns([1, 4])
        with left:
            show_avatar(persona.avatar)
        with right:
            st.subheader(plain(persona.name), anchor=False)
            if persona.summary:
                st.markdown(plain(persona.summary))
            if persona.quote:
                st.markdown(f"> *{plain(persona.quote)}*")
        g, p, b = st.columns(3)
        for col, title, text in (
            (g, t("personas.heading.goals"), persona.goals),
            (p, t("personas.heading.pains"), persona.pains),
            (b, t("personas.heading.behaviours"), persona.behaviours),
        ):
            col.markdown(f"**{title}**\n\n{bullets(text) or '—'}")
        if persona.channels:
            st.markdown(t("personas.card.channels", channels=plain(persona.channels)))
        stats = segment_figures(engine, ws, persona, base)
        if st.session_state.get(CONFIRM_DELETE) == pid:
            st.warning(t("personas.card.confirm_delete", name=plain(persona.name)))
            c1, c2 = st.columns(2)
            c1.button(
                t("personas.card.delete_yes"),
                key=f"persona_delete_yes_{pid}",
                type="primary",
                on_click=_delete,
                args=(engine, ws, pid),
            )
            c2.button(
                t("personas.card.cancel"),
                key=f"persona_delete_no_{pid}",
                on_click=st.session_state.pop,
                args=(CONFIRM_DELETE, None),
            )
            return
        if not can_edit():  # viewers: the card and its downloads, no edit/duplicate/delete
            card_downloads(persona, stats)
            return
        c1, c2, c3 = st.columns(3)
        c1.button(t("personas.card.edit"), key=f"persona_edit_{pid}", on_click=start_edit, args=(pid,), width="stretch")
        c2.button(
            t("personas.card.duplicate"),
            key=f"persona_dup_{pid}",
            on_click=_duplicate,
            args=(engine, ws, pid),
            width="stretch",
        )
        c3.button(
            t("personas.card.delete"), key=f"persona_del_{pid}", on_click=_ask_delete, args=(pid,), width="stretch"
        )
        card_downloads(persona, stats)


def _flash(message: str) -> None:
    st.session_state[FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon="✅")
    error = st.session_state.pop(FLASH + "_error", None)
    if error:
        st.error(error, icon="⚠️")


def _run(action: Any, *args: Any) -> Any:
    """Run a store write from a callback; an expected error is shown on the next run.

    Callbacks run before the page script (and so before the app makes the session's language current): the
    language is set here first, so that messages and drafts written by the callback are in it.
    """
    init_language()
    try:
        return action(*args)
    except CxdashError as error:
        st.session_state[FLASH + "_error"] = error.message
        return None


def _duplicate(engine: Engine, ws: int, pid: int) -> None:
    if not can_edit():
        return
    copy = _run(store.duplicate_persona, engine, ws, pid)
    if copy is not None:
        _flash(t("personas.flash.created", name=copy.name))


def _ask_delete(pid: int) -> None:
    st.session_state[CONFIRM_DELETE] = pid


def _delete(engine: Engine, ws: int, pid: int) -> None:
    if not can_edit():
        return
    st.session_state.pop(CONFIRM_DELETE, None)

    def delete() -> bool:
        store.delete_persona(engine, ws, pid)
        return True

    if _run(delete):
        _flash(t("personas.flash.deleted"))


def _prefix(pid: int | str) -> str:
    return f"persona_form_{pid}_"


def start_edit(pid: int | str) -> None:
    """Open a persona's form with fresh values from the store (old widget state dropped)."""
    if not can_edit():
        return
    for key in [k for k in st.session_state if str(k).startswith(_prefix(pid))]:
        del st.session_state[key]
    st.session_state[EDITING] = pid


# --- the form ---------------------------------------------------------------------------------------------------


def segment_editor(
    prefix: str, rule: Mapping[str, Sequence[str]], values: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """One multiselect per attribute (values from the data; rule values no longer in the data kept)."""
    st.markdown(t("personas.form.rule"))
    out: dict[str, list[str]] = {}
    names = list(values) + [n for n in rule if n not in values]
    if not names:
        st.caption(t("personas.form.no_attributes"))
    for i, name in enumerate(names):
        options = list(values.get(name, [])) + [v for v in rule.get(name, []) if v not in values.get(name, [])]
        chosen = st.multiselect(
            name,
            options,
            default=list(rule.get(name, [])),
            key=f"{prefix}seg_{i}",
            placeholder=t("personas.form.anyone"),
        )
        if chosen:
            out[name] = list(chosen)
    ordered = {n: out[n] for n in rule if n in out}  # the rule keeps its order; new attributes go last
    return ordered | {n: v for n, v in out.items() if n not in ordered}


def persona_form(engine: Engine, ws: int, persona: Persona | None, values: Mapping[str, list[str]]) -> None:
    """Create (persona None) or edit a persona; Save writes to the store at once."""
    if not can_edit():
        return
    pid: int | str = NEW if persona is None else int(persona.id or 0)
    prefix = _prefix(pid)
    current = persona or Persona(workspace_id=ws, name="")
    with st.form(key=f"{prefix}form", border=False):
        st.markdown(t("personas.form.new") if persona is None else t("personas.form.editing", name=plain(current.name)))
        c1, c2, c3 = st.columns([3, 1, 2])
        name = c1.text_input(t("personas.form.name"), value=current.name, key=f"{prefix}name", max_chars=store.MAX_NAME)
        emoji = c2.text_input(
            t("personas.form.emoji"),
            value="" if is_image(current.avatar) else current.avatar,
            key=f"{prefix}emoji",
            max_chars=store.MAX_AVATAR_TEXT,
            help=t("personas.form.emoji_help"),
        )
        upload = c3.file_uploader(t("personas.form.image"), type=["png", "jpg", "jpeg"], key=f"{prefix}image")
        drop_image = False
        if is_image(current.avatar):
            drop_image = c3.checkbox(t("personas.form.drop_image"), key=f"{prefix}drop_image")
        texts = {
            f: st.text_area(t(f"personas.form.{f}"), value=getattr(current, f), key=f"{prefix}{f}", height=80)
            for f in TEXT_AREAS
        }
        texts["channels"] = st.text_input(t("personas.form.channels"), value=current.channels, key=f"{prefix}channels")
        texts["quote"] = st.text_input(t("personas.form.quote"), value=current.quote, key=f"{prefix}quote")
        rule = segment_editor(prefix, store.segment_of(current), values)
        s1, s2 = st.columns(2)
        saved = s1.form_submit_button(t("personas.form.save"), type="primary", width="stretch")
        cancelled = s2.form_submit_button(t("personas.form.cancel"), width="stretch")
    if cancelled:
        st.session_state.pop(EDITING, None)
        st.rerun()
    if not saved:
        return
    try:
        avatar = current.avatar if is_image(current.avatar) and not drop_image else (emoji or store.DEFAULT_AVATAR)
        if upload is not None:
            avatar = image_to_data_uri(upload.getvalue())
        fields = {"name": name, "avatar": avatar, "segment": rule, **texts}
        if persona is None:
            saved_persona = store.create_persona(engine, ws, **fields)
        else:
            saved_persona = store.update_persona(engine, ws, int(persona.id or 0), **fields)
    except CxdashError as error:
        show_error(error)
        return
    st.session_state.pop(EDITING, None)
    _flash(t("personas.flash.saved", name=saved_persona.name))
    st.rerun()


# --- clusters ----------------------------------------------------------------------------------------------------


def cluster_profile(c: clusters.Cluster) -> None:
    """A cluster's size, NPS, scores vs. overall and over-represented attribute values."""
    ci = t("personas.card.ci", lo=_fmt_nps(c.nps.lo), hi=_fmt_nps(c.nps.hi)) if c.nps.ci95 else ""
    st.markdown(
        t("personas.cluster.size", n=fmt_number(c.size), share=f"{c.share:.0%}", nps=_fmt_nps(c.nps.value)) + ci
    )
    left, right = st.columns(2)
    scores = c.scores.reset_index()
    scores["variable"] = scores["variable"].map(_score_name)
    left.dataframe(
        scores,
        hide_index=True,
        width="stretch",
        column_config={
            "variable": t("personas.cluster.score"),
            "cluster": st.column_config.NumberColumn(t("personas.cluster.mean"), format="%.2f"),
            "overall": st.column_config.NumberColumn(t("personas.cluster.overall_mean"), format="%.2f"),
            "diff": st.column_config.NumberColumn(t("personas.cluster.difference"), format="%+.2f"),
        },
    )
    if c.over.empty:
        right.caption(t("personas.cluster.none_over", lift=clusters.LIFT))
    else:
        right.dataframe(
            percent_points(c.over.head(8), "share", "overall"),
            hide_index=True,
            width="stretch",
            column_config={
                "attribute": t("personas.cluster.attribute"),
                "value": t("personas.cluster.value"),
                "share": st.column_config.NumberColumn(t("personas.cluster.in_cluster"), format="%.0f%%"),
                "overall": st.column_config.NumberColumn(t("personas.cluster.overall"), format="%.0f%%"),
                "lift": st.column_config.NumberColumn(t("personas.cluster.lift"), format="%.2f×"),
            },
        )


def create_from_cluster(engine: Engine, ws: int, c: clusters.Cluster) -> None:
    """Button callback: the cluster's draft becomes a persona card (name made unique)."""
    if not can_edit():
        return
    init_language()  # the draft's summary, goals and pains are written in the session's language
    draft = clusters.persona_draft(c)
    draft["name"] = store.free_name(engine, ws, draft["name"])
    made = _run(lambda: store.create_persona(engine, ws, **draft))
    if made is not None:
        _flash(t("personas.flash.from_cluster", name=made.name, number=c.number))


def import_export(engine: Engine, ws: int, ws_name: str) -> None:
    """Download the workspace's personas as JSON; upload a file to update or create personas by name."""
    c1, c2 = st.columns([1, 2])
    c1.download_button(
        t("personas.io.export"),
        data=lambda: personas_json(engine, ws),
        file_name=f"personas-{re.sub(r'[^A-Za-z0-9]+', '-', ws_name).strip('-') or 'workspace'}.json",
        mime="application/json",
        on_click="ignore",
        width="stretch",
    )
    if not can_edit():  # viewers may download the personas, not import them
        return
    with c2.form("personas_import_form", border=False, clear_on_submit=True):
        upload = st.file_uploader(t("personas.io.upload"), type=["json"], key=IMPORT_KEY)
        go = st.form_submit_button(t("personas.io.import"), help=t("personas.io.import_help"))
    if go and upload is not None:
        try:
            summary = import_personas(engine, ws, upload.getvalue())
        except CxdashError as error:
            show_error(error)
            return
        _flash(
            t(
                "personas.io.imported",
                created=len(summary.created),
                updated=len(summary.updated),
                unchanged=len(summary.unchanged),
            )
        )
        st.rerun()
