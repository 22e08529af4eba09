"""Shared fixtures: a fresh SQLite store per test (a real file, never a mock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cxdash.store.workspaces import open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cxdash.db"


@pytest.fixture
def engine(db_path: Path) -> Iterator[Engine]:
    engine = open_store(str(db_path))
    yield engine
    engine.dispose()
