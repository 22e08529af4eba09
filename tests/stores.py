"""Fresh stores for tests: new SQLite files, or new databases on a PostgreSQL server (see tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from cxdash.store.workspaces import open_store


def _server_url() -> str | None:
    """The PostgreSQL server the store fixtures use, or None for SQLite files."""
    for var in ("CXDASH_TEST_DATABASE_URL", "CXDASH_DATABASE_URL"):
        value = os.environ.get(var, "")
        if value.startswith("postgresql"):
            return value
    return None


SERVER_URL = _server_url()
BACKEND = "postgresql" if SERVER_URL else "sqlite"


class StoreFactory:
    """Fresh stores for one test session: URLs of new SQLite files, or of new databases on a PostgreSQL server.

    ``new()`` gives an empty store with the current schema; ``copy(url)`` a copy of a store whose engines have
    been disposed (SQLite: the file; PostgreSQL: ``CREATE DATABASE … TEMPLATE``); ``drop(url)`` removes one.
    """

    def __init__(self, root: Path, server_url: str | None) -> None:
        self.root = root
        self.server = make_url(server_url) if server_url else None
        self.prefix = f"cxt_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.created: list[str] = []
        self.template: str | None = None
        self._admin: Engine | None = None

    @property
    def backend(self) -> str:
        return "sqlite" if self.server is None else "postgresql"

    def _name(self) -> str:
        return f"{self.prefix}_{uuid.uuid4().hex[:10]}"

    def _url(self, database: str) -> str:
        assert self.server is not None
        return self.server.set(database=database).render_as_string(hide_password=False)

    def admin(self) -> Engine:
        """An autocommit engine on the server's maintenance database (CREATE / DROP DATABASE)."""
        if self._admin is None:
            assert self.server is not None
            self._admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            self._sweep()
        return self._admin

    def _sweep(self) -> None:
        """Drop the databases that test sessions killed before their teardown left behind (``cxt_<pid>_…`` of a
        process that no longer runs)."""
        assert self._admin is not None
        with self._admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'cxt\\_%'")).scalars()
            for name in list(names):
                pid = name.split("_")[1]
                if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _create(self, name: str, template: str) -> None:
        with self.admin().connect() as conn:
            # A template must have no other session: end leftovers of engines a test forgot to dispose.
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"), {"d": template}
            )
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.created.append(name)

    def new(self, name: str = "cxdash") -> str:
        """The URL of a new, empty store with the current schema."""
        if self.server is None:
            folder = self.root / uuid.uuid4().hex[:12]
            folder.mkdir(parents=True)
            return f"sqlite:///{folder / (name + '.db')}"
        if self.template is None:
            self.template = f"{self.prefix}_template"
            with self.admin().connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{self.template}"')
            self.created.append(self.template)
            open_store(self._url(self.template)).dispose()
        db = self._name()
        self._create(db, self.template)
        return self._url(db)

    def blank(self, name: str = "blank") -> str:
        """The URL of a new store without any schema (for tests of the migrations themselves)."""
        if self.server is None:
            return self.new(name)
        db = self._name()
        with self.admin().connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
        self.created.append(db)
        return self._url(db)

    def copy(self, url: str) -> str:
        """A new store holding the same data as ``url`` (dispose its engines first)."""
        if self.server is None:
            source = Path(make_url(url).database or "")
            folder = self.root / uuid.uuid4().hex[:12]
            folder.mkdir(parents=True)
            target = folder / source.name
            shutil.copy(source, target)
            return f"sqlite:///{target}"
        db = self._name()
        self._create(db, make_url(url).database or "")
        return self._url(db)

    def drop(self, url: str) -> None:
        """Remove a store (PostgreSQL: drop the database, ending its sessions; SQLite files go with tmp_path)."""
        if self.server is None:
            return
        name = make_url(url).database
        with self.admin().connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        if self.server is not None:
            for name in reversed(list(self.created)):
                try:
                    self.drop(self._url(name))
                except Exception as error:  # one stuck database must not keep the others
                    print(f"could not drop test database {name}: {error}")
        if self._admin is not None:
            self._admin.dispose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
