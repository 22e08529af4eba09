"""Cached reads for the pages: the key is (store URL, workspace, filters, data version), never an engine."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from cxdash.store import drivers_data, queries
from cxdash.store.queries import CesScale, Filters
from cxdash.ui.resources import data_version


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _filters_key(filters: Filters) -> tuple[Any, ...]:
    return (
        filters.date_from,
        filters.date_to,
        tuple(sorted((k, tuple(v)) for k, v in filters.attributes.items())),
        tuple(filters.channels),
    )


@st.cache_data(max_entries=64, ttl=300, show_spinner=False)
def _date_range(url: str, workspace_id: int, version: int, _engine: Engine) -> tuple[date | None, date | None]:
    return queries.date_range(_engine, workspace_id)


def date_range(engine: Engine, workspace_id: int) -> tuple[date | None, date | None]:
    return _date_range(_key(engine), workspace_id, data_version(), engine)


@st.cache_data(max_entries=64, ttl=300, show_spinner=False)
def _attribute_values(url: str, workspace_id: int, version: int, _engine: Engine) -> dict[str, list[str]]:
    return queries.attribute_values(_engine, workspace_id)


def attribute_values(engine: Engine, workspace_id: int) -> dict[str, list[str]]:
    return _attribute_values(_key(engine), workspace_id, data_version(), engine)


@st.cache_data(max_entries=64, ttl=300, show_spinner=False)
def _channel_values(url: str, workspace_id: int, version: int, _engine: Engine) -> list[str]:
    return queries.channel_values(_engine, workspace_id)


def channel_values(engine: Engine, workspace_id: int) -> list[str]:
    return _channel_values(_key(engine), workspace_id, data_version(), engine)


@st.cache_data(max_entries=64, ttl=300, show_spinner=False)
def _ces_scale(url: str, workspace_id: int, version: int, _engine: Engine) -> CesScale:
    return queries.ces_scale(_engine, workspace_id)


def ces_scale(engine: Engine, workspace_id: int) -> CesScale:
    """The scale the workspace's CES is reported on (the same under every filter)."""
    return _ces_scale(_key(engine), workspace_id, data_version(), engine)


@st.cache_data(max_entries=64, ttl=300, show_spinner=False)
def _csat_scale(url: str, workspace_id: int, version: int, _engine: Engine) -> tuple[int, int]:
    return queries.csat_scale(_engine, workspace_id)


def csat_scale(engine: Engine, workspace_id: int) -> tuple[int, int]:
    """The scale most of the workspace's CSAT answers have (the one Drivers reads a CSAT answer on)."""
    return _csat_scale(_key(engine), workspace_id, data_version(), engine)


@st.cache_data(max_entries=128, ttl=300, show_spinner=False)
def _kpis(url: str, ws: int, fkey: tuple[Any, ...], version: int, _engine: Engine, _filters: Filters) -> dict[str, Any]:
    return queries.kpis(_engine, ws, _filters, ces=ces_scale(_engine, ws))


def kpis(engine: Engine, workspace_id: int, filters: Filters) -> dict[str, Any]:
    return _kpis(_key(engine), workspace_id, _filters_key(filters), data_version(), engine, filters)


@st.cache_data(max_entries=128, ttl=300, show_spinner=False)
def _trend(
    url: str, ws: int, fkey: tuple[Any, ...], period: str, version: int, _engine: Engine, _filters: Filters
) -> pd.DataFrame:
    return queries.kpi_trend(_engine, ws, _filters, period=period, ces=ces_scale(_engine, ws))


def kpi_trend(engine: Engine, workspace_id: int, filters: Filters, period: str = "month") -> pd.DataFrame:
    return _trend(_key(engine), workspace_id, _filters_key(filters), period, data_version(), engine, filters)


@st.cache_data(max_entries=128, ttl=300, show_spinner=False)
def _by_attribute(
    url: str, ws: int, fkey: tuple[Any, ...], attribute: str, version: int, _engine: Engine, _filters: Filters
) -> pd.DataFrame:
    return queries.kpis_by_attribute(_engine, ws, _filters, attribute, ces=ces_scale(_engine, ws))


def kpis_by_attribute(engine: Engine, workspace_id: int, filters: Filters, attribute: str) -> pd.DataFrame:
    return _by_attribute(_key(engine), workspace_id, _filters_key(filters), attribute, data_version(), engine, filters)


@st.cache_data(max_entries=128, ttl=300, show_spinner=False)
def _touchpoints(
    url: str, ws: int, fkey: tuple[Any, ...], version: int, _engine: Engine, _filters: Filters
) -> pd.DataFrame:
    return queries.touchpoint_scores(_engine, ws, _filters)


def touchpoint_scores(engine: Engine, workspace_id: int, filters: Filters) -> pd.DataFrame:
    return _touchpoints(_key(engine), workspace_id, _filters_key(filters), data_version(), engine, filters)


@st.cache_resource(max_entries=2, ttl=600, show_spinner=False)
def _touchpoint_comments(
    url: str, ws: int, fkey: tuple[Any, ...], version: int, _engine: Engine, _filters: Filters
) -> drivers_data.TouchpointComments:
    return drivers_data.read_touchpoint_comments(_engine, ws, _filters)


def touchpoint_comments(engine: Engine, ws: int, filters: Filters) -> drivers_data.TouchpointComments:
    """The filtered comments read and folded once, to find each touchpoint's (the Drivers page's focus and the
    journey map's data cards): kept as they are, not copied (a resource, never changed), for the two latest
    filters; a click on another touchpoint then takes milliseconds instead of a second at 100k responses."""
    return _touchpoint_comments(_key(engine), ws, _filters_key(filters), data_version(), engine, filters)
