"""AppTest fixtures: each test gets its own store through CXDASH_DATABASE_URL, and Streamlit caches are cleared."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxdash.demo.load import load_demo
from cxdash.store.workspaces import open_store

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store built once per test session; each test works on its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = open_store(str(path))
    load_demo(engine)
    engine.dispose()
    return path


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_app(tmp_path: Path, demo_db_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db_template, db)
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CXDASH_NO_DEMO", "1")
    _clear_caches()
    yield db
    _clear_caches()


@pytest.fixture
def empty_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    db = tmp_path / "empty.db"
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CXDASH_NO_DEMO", "1")
    _clear_caches()
    yield db
    _clear_caches()


def new_app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
