"""Bulk writes of one validated chunk inside the import's transaction (SQLAlchemy Core, executemany).

Works the same on SQLite and PostgreSQL: no RETURNING; new ids are read back by (batch_id, source_row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd
from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from cxdash.analysis.sentiment import score_texts
from cxdash.ingest.validate import ValidChunk
from cxdash.store.models import Attribute, Comment, Customer, Rating, Response, Touchpoint

IN_LIST = 900  # ids per IN (...) list: under SQLite's oldest bound-parameter limit (999)
DEFAULT_SCALE = (1, 5)

RESPONSES: Table = Response.__table__  # type: ignore[attr-defined]
CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]
TOUCHPOINTS: Table = Touchpoint.__table__  # type: ignore[attr-defined]
RATINGS: Table = Rating.__table__  # type: ignore[attr-defined]
ATTRIBUTES: Table = Attribute.__table__  # type: ignore[attr-defined]
COMMENTS: Table = Comment.__table__  # type: ignore[attr-defined]


@dataclass
class ChunkWriter:
    """Writes chunks of one batch; remembers touchpoint ids (few) but never rows (memory flat in file size)."""

    conn: Connection
    workspace_id: int
    batch_id: int
    scales: dict[str, tuple[int, int]]  # touchpoint → scale of this file's ratings
    long_scale: tuple[int, int] | None = None  # scale of a long file's 'rating' column
    csat_scale: tuple[int, int] | None = None
    ces_scale: tuple[int, int] | None = None
    touchpoint_ids: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def write(self, valid: ValidChunk) -> tuple[int, int, int]:
        """Write a chunk's responses, ratings, attributes and comments; returns (written, updated, comments)."""
        resp = valid.responses
        if resp.empty:
            return 0, 0, 0
        self.ensure_touchpoints(valid.touchpoints)
        customers = self._customer_ids(resp["customer"].dropna().unique().tolist())
        existing = _lookup(
            self.conn,
            RESPONSES,
            "external_id",
            resp["external_id"].dropna().unique().tolist(),
            workspace_id=self.workspace_id,
        )
        records = self._response_records(resp, customers)
        new = [r for r in records if r["external_id"] not in existing]
        old = [{**r, "rid": existing[r["external_id"]]} for r in records if r["external_id"] in existing]
        if new:
            self.conn.execute(insert(RESPONSES), new)
        if old:
            stmt = update(RESPONSES).where(RESPONSES.c.id == bindparam("rid"))
            self.conn.execute(stmt, old)
            for table in (RATINGS, ATTRIBUTES, COMMENTS):
                for ids in _batches([r["rid"] for r in old]):
                    self.conn.execute(delete(table).where(table.c.response_id.in_(ids)))
        rows = self._response_ids(int(resp.index.min()), int(resp.index.max()))
        self._write_ratings(valid.ratings, rows)
        self._write_attributes(valid.attributes, rows)
        comments = self._write_comments(valid.comments, rows)
        return len(records), len(old), comments

    def ensure_touchpoints(self, names: Sequence[str]) -> None:
        """Ids of the touchpoints named, creating missing ones with this file's scale."""
        missing = [n for n in names if n not in self.touchpoint_ids]
        if not missing:
            return
        query = select(TOUCHPOINTS.c.name, TOUCHPOINTS.c.id, TOUCHPOINTS.c.scale_min, TOUCHPOINTS.c.scale_max)
        stored = {
            r.name: r
            for ids in _batches(missing)
            for r in self.conn.execute(
                query.where(TOUCHPOINTS.c.workspace_id == self.workspace_id, TOUCHPOINTS.c.name.in_(ids))
            )
        }
        for name, row in stored.items():
            scale = self._scale(name)
            if scale is not None and (row.scale_min, row.scale_max) != scale:
                self.warnings.append(
                    f"Touchpoint '{name}' is rated {scale[0]}–{scale[1]} in this file but {row.scale_min}–"
                    f"{row.scale_max} in earlier imports; its stored scale is kept."
                )
            self.touchpoint_ids[name] = row.id
        new = [n for n in missing if n not in stored]
        if new:
            top = self.conn.execute(
                select(TOUCHPOINTS.c.position)
                .where(TOUCHPOINTS.c.workspace_id == self.workspace_id)
                .order_by(TOUCHPOINTS.c.position.desc())
                .limit(1)
            ).scalar()
            start = (top or 0) + 1
            self.conn.execute(
                insert(TOUCHPOINTS),
                [
                    {
                        "workspace_id": self.workspace_id,
                        "name": n,
                        "stage": None,
                        "channel": None,
                        "position": start + i,
                        "scale_min": (self._scale(n) or DEFAULT_SCALE)[0],
                        "scale_max": (self._scale(n) or DEFAULT_SCALE)[1],
                    }
                    for i, n in enumerate(new)
                ],
            )
            self.touchpoint_ids.update(_lookup(self.conn, TOUCHPOINTS, "name", new, workspace_id=self.workspace_id))

    def _scale(self, touchpoint: str) -> tuple[int, int] | None:
        return self.scales.get(touchpoint) or self.long_scale

    def _customer_ids(self, external_ids: list[str]) -> dict[str, int]:
        """Customer ids by external id, inserting the ones this workspace does not have yet."""
        known = _lookup(self.conn, CUSTOMERS, "external_id", external_ids, workspace_id=self.workspace_id)
        new = [c for c in external_ids if c not in known]
        if new:
            self.conn.execute(insert(CUSTOMERS), [{"workspace_id": self.workspace_id, "external_id": c} for c in new])
            known.update(_lookup(self.conn, CUSTOMERS, "external_id", new, workspace_id=self.workspace_id))
        return known

    def _response_records(self, resp: pd.DataFrame, customers: dict[str, int]) -> list[dict[str, Any]]:
        """Rows for the response table (Python values, None for missing)."""
        frame = pd.DataFrame(
            {
                "workspace_id": self.workspace_id,
                "batch_id": self.batch_id,
                "source_row": resp.index.astype("int64"),
                "external_id": resp["external_id"],
                "customer_id": resp["customer"].map(customers).astype("Int64"),
                "responded_at": resp["responded_at"],
                "channel": resp["channel"],
                "nps": resp["nps"].astype("Int64"),
                "csat": resp["csat"],
                "ces": resp["ces"],
            },
            index=resp.index,
        )
        records = _records(frame)
        csat, ces = self.csat_scale, self.ces_scale
        for r in records:
            r["csat_min"], r["csat_max"] = csat if csat and r["csat"] is not None else (None, None)
            r["ces_min"], r["ces_max"] = ces if ces and r["ces"] is not None else (None, None)
            ts = r["responded_at"]
            r["responded_at"] = ts.to_pydatetime() if isinstance(ts, pd.Timestamp) else ts
        return records

    def _response_ids(self, lo: int, hi: int) -> dict[int, int]:
        """Response id per source row of this batch in [lo, hi] (inserted and updated alike)."""
        query = select(RESPONSES.c.source_row, RESPONSES.c.id).where(
            RESPONSES.c.batch_id == self.batch_id, RESPONSES.c.source_row.between(lo, hi)
        )
        return {row: rid for row, rid in self.conn.execute(query)}

    def _write_ratings(self, ratings: pd.DataFrame, rows: dict[int, int]) -> None:
        if ratings.empty:
            return
        frame = pd.DataFrame(
            {
                "response_id": ratings["source_row"].map(rows),
                "touchpoint_id": ratings["touchpoint"].map(self.touchpoint_ids),
                "score": ratings["score"].astype(float),
            }
        )
        self.conn.execute(insert(RATINGS), _records(frame))

    def _write_attributes(self, attributes: pd.DataFrame, rows: dict[int, int]) -> None:
        if attributes.empty:
            return
        frame = pd.DataFrame(
            {
                "response_id": attributes["source_row"].map(rows),
                "name": attributes["name"],
                "value": attributes["value"],
            }
        )
        self.conn.execute(insert(ATTRIBUTES), _records(frame))

    def _write_comments(self, comments: pd.DataFrame, rows: dict[int, int]) -> int:
        """Insert comments with their sentiment (scored here, once per distinct text); returns how many."""
        if comments.empty:
            return 0
        texts = comments["text"].tolist()
        scores = score_texts(texts)
        tp_ids = [self.touchpoint_ids.get(t) if t else None for t in comments["touchpoint"]]
        records = [
            {
                "response_id": rows[int(row)],
                "touchpoint_id": tp,
                "source": source,
                "text": text,
                "language": s.lang,
                "compound": s.compound,
                "label": s.label,
                "method": s.method,
            }
            for row, tp, source, text, s in zip(
                comments["source_row"], tp_ids, comments["source"], texts, scores, strict=True
            )
        ]
        self.conn.execute(insert(COMMENTS), records)
        return len(records)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as a list of dicts of Python values, None where missing (what executemany wants)."""
    return cast(list[dict[str, Any]], frame.astype(object).where(frame.notna(), None).to_dict("records"))


def _batches(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), IN_LIST):
        yield values[start : start + IN_LIST]


def _lookup(conn: Connection, table: Table, key: str, values: Iterable[Any], workspace_id: int) -> dict[Any, int]:
    """``{key value: id}`` of the rows of ``table`` in the workspace whose ``key`` is one of ``values``."""
    out: dict[Any, int] = {}
    column = table.c[key]
    for chunk in _batches(list(values)):
        query = select(column, table.c.id).where(table.c.workspace_id == workspace_id, column.in_(chunk))
        out.update({k: i for k, i in conn.execute(query)})
    return out
