"""Shared fixtures: a fresh, real store per test — a SQLite file by default, or a PostgreSQL database.

Set ``CXDASH_TEST_DATABASE_URL`` (or ``CXDASH_DATABASE_URL``) to a PostgreSQL server URL, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``, and every test that takes ``store_url``, ``engine``,
``demo_store_url`` or ``store_factory`` gets its own database on that server instead: created from a migrated
template (``CREATE DATABASE … TEMPLATE``, fast) and dropped after the test. Those tests carry the ``store`` marker,
so ``pytest -m store`` runs just them (``.ci/run`` does, against a private cluster). Tests marked ``sqlite_only``
(file copies, PRAGMAs, SQLite's own locking) are skipped on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from cxdash.store.workspaces import open_store
from tests.stores import BACKEND, SERVER_URL, StoreFactory

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
STORE_FIXTURES = {"store_url", "engine", "demo_store_url", "store_factory", "demo_template_url"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "store: uses a store fixture (runs on SQLite and on PostgreSQL)")
    config.addinivalue_line("markers", "sqlite_only: tests SQLite itself (files, PRAGMAs, locking); skipped on PG")


def pytest_report_header(config: pytest.Config) -> str:
    where = make_url(SERVER_URL).render_as_string(hide_password=True) if SERVER_URL else "SQLite files"
    return f"cxdash test stores: {where}"


SERIAL_DIRS = {"e2e"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SERIAL_DIRS & set(item.path.parts) or item.get_closest_marker("serial"):
            # one browser and one app server at a time, on one xdist worker; the rest spread over the others
            item.add_marker(pytest.mark.xdist_group("serial"))
        if STORE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.store)
        if BACKEND != "sqlite" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="SQLite-specific (file, PRAGMA or locking behaviour)"))


@pytest.fixture(scope="session")
def store_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreFactory]:
    factory = StoreFactory(tmp_path_factory.mktemp("stores"), SERVER_URL)
    saved = os.environ.get("CXDASH_DATABASE_URL")
    if factory.server is not None:
        # Anything that falls back to the default store lands in a throwaway database, never the maintenance one.
        os.environ["CXDASH_DATABASE_URL"] = factory.new("default")
    yield factory
    if saved is None:
        os.environ.pop("CXDASH_DATABASE_URL", None)
    else:
        os.environ["CXDASH_DATABASE_URL"] = saved
    factory.close()


@pytest.fixture
def store_url(store_factory: StoreFactory) -> Iterator[str]:
    """A fresh, empty store for this test (a URL: pass it to open_store or to the CLI's --db)."""
    url = store_factory.new()
    yield url
    store_factory.drop(url)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = open_store(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite file path (for tests of SQLite itself; other tests take ``store_url``)."""
    return tmp_path / "cxdash.db"


@pytest.fixture(scope="session")
def demo_template_url(store_factory: StoreFactory) -> str:
    """A store with the bundled demo loaded, built once per session; tests get copies (``demo_store_url``)."""
    from cxdash.demo.load import load_demo

    url = store_factory.new("demo")
    engine = open_store(url)
    load_demo(engine)
    engine.dispose()
    return url


@pytest.fixture
def demo_store_url(store_factory: StoreFactory, demo_template_url: str) -> Iterator[str]:
    """A store of this test's own holding the demo workspaces."""
    url = store_factory.copy(demo_template_url)
    yield url
    store_factory.drop(url)
