"""Workspaces: find, create, list and delete (a workspace is a brand, product or study)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cxdash.errors import NotFound
from cxdash.store.engine import make_engine, writer
from cxdash.store.models import Workspace
from cxdash.store.schema import upgrade

DEFAULT_WORKSPACE = "Demo — Acme Online (EN)"


def open_store(db: str | None = None) -> Engine:
    """An engine on ``db`` (path, URL or None for the default) with the schema upgraded to the newest version."""
    engine = make_engine(db)
    upgrade(engine)
    return engine


def list_workspaces(engine: Engine) -> list[Workspace]:
    with Session(engine) as session:
        return list(session.exec(select(Workspace).order_by(col(Workspace.id))))


def get_workspace(engine: Engine, name: str | None = None) -> Workspace:
    """The workspace called ``name``; with None, the default one (or the first there is). Raises NotFound."""
    with Session(engine) as session:
        if name is None:
            ws = session.exec(select(Workspace).where(Workspace.name == DEFAULT_WORKSPACE)).first()
            ws = ws or session.exec(select(Workspace).order_by(col(Workspace.id))).first()
            if ws is None:
                raise NotFound("The store has no workspace yet: import a file or run `python -m cxdash demo`.")
            return ws
        ws = session.exec(select(Workspace).where(Workspace.name == name)).first()
        if ws is None:
            names = ", ".join(w.name for w in session.exec(select(Workspace)))
            raise NotFound(f"No workspace called '{name}'. Workspaces in this store: {names or 'none'}.")
        return ws


def get_or_create_workspace(engine: Engine, name: str, language: str = "en") -> Workspace:
    with Session(writer(engine)) as session:
        ws = session.exec(select(Workspace).where(Workspace.name == name)).first()
        if ws is None:
            ws = Workspace(name=name, language=language)
            session.add(ws)
            session.commit()
            session.refresh(ws)
        return ws


def delete_workspace(engine: Engine, workspace_id: int) -> None:
    """Delete a workspace and everything in it (cascades through foreign keys)."""
    with Session(writer(engine)) as session:
        ws = session.get(Workspace, workspace_id)
        if ws is None:
            raise NotFound(f"Workspace {workspace_id} does not exist.")
        session.delete(ws)
        session.commit()
