"""Bulk writes of one validated chunk inside the import's transaction (SQLAlchemy Core, executemany).

Works the same on SQLite and PostgreSQL: no RETURNING; new ids are read back by (batch_id, source_row). On
PostgreSQL rows are streamed with COPY and key lookups take one array parameter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, any_, bindparam, delete, func, insert, literal_column, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from cxdash.analysis import sentiment
from cxdash.analysis.comments import CommentAnalysis, Found, Memory, analyse_later, found_later, in_order
from cxdash.analysis.themes import ThemeRules
from cxdash.i18n import t
from cxdash.ingest.validate import ValidChunk
from cxdash.privacy import MaskCounts, mask_texts
from cxdash.store.models import Attribute, Comment, CommentTheme, Customer, Rating, Response, Touchpoint

SQLITE_PARAMS = 999  # bound parameters per SQLite statement: its oldest limit (3.32+ allows 32,766)
SQLITE_ROWS_PER_INSERT = 200  # rows per multi-row INSERT on SQLite (more gains nothing measurable)
REMEMBERED_CUSTOMERS = 100_000  # customers a batch remembers having made (about 20 MB), instead of looking them up
IN_LIST = 900  # ids per IN (...) list: under SQLite's oldest bound-parameter limit (999)
ANY_LIST = 100_000  # keys per PostgreSQL "= ANY(array)" lookup
STATS_MIN_ROWS = 1_000  # bulk writes of at least this many rows may refresh the planner's statistics …
STATS_GROWTH = 0.2  # … when they add more than this share of the rows the statistics know of
SQLITE_ANALYSED = ("response",)  # SQLite: tables whose statistics are kept (ANALYZE reads the whole table)
#: SQLite: indexes whose keys a file's rows bring in no order (the response time; a returning customer's id): a large
#: batch drops them and builds them again, sorted, before its commit (``DeferredIndexes``)
SQLITE_DEFERRED_INDEXES = ("ix_response_ws_time", "ix_response_customer_id")
DEFER_MIN_ROWS = 2_000  # a batch's first chunk of at least this many responses may defer them …
DEFER_SHARE = 0.5  # … when it holds at least this share of the rows the table has (a build reads them all)
DEFAULT_SCALE = (1, 5)
SQLITE_DATETIME_FORMAT = sqlite.DATETIME._storage_format  # SQLAlchemy's text form of a datetime in SQLite

RESPONSES: Table = Response.__table__  # type: ignore[attr-defined]
CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]
TOUCHPOINTS: Table = Touchpoint.__table__  # type: ignore[attr-defined]
RATINGS: Table = Rating.__table__  # type: ignore[attr-defined]
ATTRIBUTES: Table = Attribute.__table__  # type: ignore[attr-defined]
COMMENTS: Table = Comment.__table__  # type: ignore[attr-defined]
COMMENT_THEMES: Table = CommentTheme.__table__  # type: ignore[attr-defined]


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
    kept: Collection[str] = ()  # a long file's touchpoints whose stored scale validation held their ratings to
    touchpoint_ids: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    keep_personal_data: bool = False  # False: comments masked (cxdash.privacy), names and e-mail addresses dropped
    masked: MaskCounts = field(default_factory=MaskCounts)
    contacts_stored: int = 0  # customers whose name or e-mail address was written
    themes: list[ThemeRules] = field(default_factory=list)  # the workspace's themes (with ids): comments are tagged
    added: dict[str, int] = field(default_factory=dict)  # rows written per table (planner statistics at the end)
    _pending: tuple[pd.DataFrame, _RowIds, list[str], Callable[[], CommentAnalysis]] | None = None
    _memory: Memory = field(default_factory=Memory)  # costly texts already analysed in this batch's earlier chunks
    # the next chunk's comments, analysed before validation, and the masked form of those that masking changed
    _ahead: tuple[Callable[[], dict[str, Found]], dict[str, str]] | None = None
    _empty_before: dict[str, bool] = field(default_factory=dict)  # table → the workspace had no row in it before
    _customers_made: dict[str, int] | None = field(default_factory=dict)  # external id → id, made by this batch
    _deferred: DeferredIndexes | None = None  # indexes dropped for this batch, built again by ``finish``

    # Comments go in one chunk late: the workers score and tag chunk k's comments while this process validates and
    # writes chunk k + 1's rows; ``finish`` writes the last chunk's.

    def write(self, valid: ValidChunk) -> tuple[int, int, int]:
        """Write a chunk's responses, ratings, attributes and comments; returns (written, updated, comments)."""
        resp = valid.responses
        if resp.empty:
            return 0, 0, 0
        existing = (
            {}
            if self._none_stored_before(RESPONSES)  # and the file's own ids are each in one chunk (repeats rejected)
            else _lookup(
                self.conn,
                RESPONSES,
                "external_id",
                resp["external_id"].dropna().unique().tolist(),
                workspace_id=self.workspace_id,
            )
        )
        # scored by the workers while this writes the rest; the unchanged comments of updated responses are not
        stored = self._stored_analyses(list(existing.values())) if existing and not valid.comments.empty else {}
        texts, analysis = self._analyse_comments(valid.comments, stored)
        self.ensure_touchpoints(valid.touchpoints)
        customers = self._customer_ids(resp["customer"].dropna().unique().tolist())
        if self.keep_personal_data:
            self._store_contacts(resp, customers)
        columns = self._response_columns(resp, customers)
        ext = columns["external_id"]
        is_old = [e is not None and e in existing for e in ext]
        new_idx = [i for i, flag in enumerate(is_old) if not flag]
        old_idx = [i for i, flag in enumerate(is_old) if flag]
        ids: list[int] = [existing[e] if flag else 0 for e, flag in zip(ext, is_old, strict=True)]
        for i, rid in zip(new_idx, reserve_ids(self.conn, RESPONSES, len(new_idx)), strict=True):
            ids[i] = rid
        if new_idx:
            if self._deferred is None:  # the batch's first responses: is it large enough to build the index after?
                self._deferred = DeferredIndexes.start(self.conn, RESPONSES, SQLITE_DEFERRED_INDEXES, len(new_idx))
            self._insert(
                RESPONSES,
                {"id": [ids[i] for i in new_idx]} | {k: _take(v, new_idx) for k, v in columns.items()},
            )
        if old_idx:
            old_ids = [ids[i] for i in old_idx]
            update_rows(self.conn, RESPONSES, "id", old_ids, {k: _take(v, old_idx) for k, v in columns.items()})
            for where in _in_clauses(self.conn, COMMENTS.c.response_id, old_ids):  # their comments' theme tags
                self.conn.execute(
                    delete(COMMENT_THEMES).where(COMMENT_THEMES.c.comment_id.in_(select(COMMENTS.c.id).where(where)))
                )
            for table in (RATINGS, ATTRIBUTES, COMMENTS):  # replaced by the file's
                delete_where_in(self.conn, table, "response_id", old_ids)
        rows = _RowIds(columns["source_row"], ids)
        self._write_ratings(valid.ratings, rows)
        self._write_attributes(valid.attributes, rows)
        self._flush_comments()
        self._pending = (valid.comments, rows, texts, analysis)
        return len(ext), len(old_idx), len(texts)

    def _flush_comments(self) -> None:
        """Write the comments of the chunk before (waiting for their analysis if it is not done yet)."""
        if self._pending is not None:
            comments, rows, texts, analysis = self._pending
            self._pending = None
            self._write_comments(comments, rows, texts, analysis)

    def _insert(self, table: Table, columns: dict[str, list[Any]]) -> None:
        insert_rows(self.conn, table, columns, analyse=False)
        self.added[table.name] = self.added.get(table.name, 0) + len(next(iter(columns.values()), []))

    def finish(self) -> None:
        """Write the last chunk's comments; build the indexes the batch deferred; refresh the planner's statistics of
        the tables this batch grew by a good part (once, not per chunk)."""
        self._flush_comments()
        rebuilt = self._deferred is not None and self._deferred.build()
        for table in (CUSTOMERS, RESPONSES, RATINGS, ATTRIBUTES, COMMENTS, COMMENT_THEMES):
            refresh_statistics(self.conn, table, self.added.get(table.name, 0), force=rebuilt and table is RESPONSES)

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
            if scale is not None and (row.scale_min, row.scale_max) != scale and name not in self.kept:
                self.warnings.append(
                    t(
                        "ingest.scale_conflict",
                        name=name,
                        lo=scale[0],
                        hi=scale[1],
                        old_lo=row.scale_min,
                        old_hi=row.scale_max,
                    )
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
        """Customer ids by external id, inserting the ones this workspace does not have yet. In a workspace that
        had no customers before this batch, the ones the batch made are remembered (up to ``REMEMBERED_CUSTOMERS``)
        instead of looked up in the store for each chunk."""
        made = self._customers_made if self._none_stored_before(CUSTOMERS) else None
        if made is not None:
            known = {c: made[c] for c in external_ids if c in made}
        else:
            known = _lookup(self.conn, CUSTOMERS, "external_id", external_ids, workspace_id=self.workspace_id)
        new = [c for c in external_ids if c not in known]
        if new:
            ids = reserve_ids(self.conn, CUSTOMERS, len(new))
            self._insert(CUSTOMERS, {"id": ids, "workspace_id": [self.workspace_id] * len(new), "external_id": new})
            known.update(zip(new, ids, strict=True))
            if made is not None and len(made) + len(new) > REMEMBERED_CUSTOMERS:
                self._customers_made = None  # memory stays bounded: the store is asked from here on
            elif made is not None:
                made.update(zip(new, ids, strict=True))
        return known

    def _none_stored_before(self, table: Table) -> bool:
        """True when the workspace had no row in ``table`` before this batch (asked once, before the batch writes
        any: the import holds the workspace's write lock, so no other session adds one meanwhile)."""
        if table.name not in self._empty_before:
            query = select(table.c.id).where(table.c.workspace_id == self.workspace_id).limit(1)
            self._empty_before[table.name] = self.conn.execute(query).first() is None
        return self._empty_before[table.name]

    def _store_contacts(self, resp: pd.DataFrame, customers: dict[str, int]) -> None:
        """Name and e-mail address of each customer of the chunk (the last given in the file wins; blanks keep what
        the store has). Only called when the import keeps personal data."""
        have = resp["customer"].notna() & (resp["customer_name"].notna() | resp["customer_email"].notna())
        if not have.any():
            return
        latest = resp.loc[have, ["customer", "customer_name", "customer_email"]].groupby("customer", sort=False).last()
        rows = [
            {"cid": customers[str(c)], "new_name": _value(r.customer_name), "new_email": _value(r.customer_email)}
            for c, r in latest.iterrows()
        ]
        stmt = (
            update(CUSTOMERS)
            .where(CUSTOMERS.c.id == bindparam("cid"))
            .values(
                name=func.coalesce(bindparam("new_name"), CUSTOMERS.c.name),
                email=func.coalesce(bindparam("new_email"), CUSTOMERS.c.email),
            )
        )
        self.conn.execute(stmt, rows)
        self.contacts_stored += len(rows)

    def _response_columns(self, resp: pd.DataFrame, customers: dict[str, int]) -> dict[str, Any]:
        """Columns for the response table as lists of Python values (None for missing); the time as datetime64."""
        n = len(resp)
        csat, ces = self.csat_scale, self.ces_scale
        csat_v, ces_v = _values(resp["csat"]), _values(resp["ces"])
        when = pd.to_datetime(resp["responded_at"]).to_numpy(dtype="datetime64[us]")
        return {
            "workspace_id": [self.workspace_id] * n,
            "batch_id": [self.batch_id] * n,
            "source_row": resp.index.astype("int64").tolist(),
            "external_id": _values(resp["external_id"]),
            "customer_id": _values(resp["customer"].map(customers).astype("Int64")),
            "responded_at": when,  # datetime64 array: bound in one go by insert_rows
            "channel": _values(resp["channel"]),
            "nps": _values(resp["nps"].astype("Int64")),
            "csat": csat_v,
            "csat_min": [csat[0] if csat and v is not None else None for v in csat_v],
            "csat_max": [csat[1] if csat and v is not None else None for v in csat_v],
            "ces": ces_v,
            "ces_min": [ces[0] if ces and v is not None else None for v in ces_v],
            "ces_max": [ces[1] if ces and v is not None else None for v in ces_v],
        }

    def _write_ratings(self, ratings: pd.DataFrame, rows: _RowIds) -> None:
        if ratings.empty:
            return
        codes, names = pd.factorize(ratings["touchpoint"])
        response_ids = rows.of(ratings["source_row"])
        touchpoint_ids = np.array([self.touchpoint_ids[n] for n in names], dtype="int64")[codes]
        order = np.lexsort([touchpoint_ids, response_ids])  # the primary key's order (response_id, touchpoint_id)
        columns = {
            "response_id": response_ids,
            "touchpoint_id": touchpoint_ids,
            "score": ratings["score"].to_numpy(float),
        }
        self._insert(RATINGS, {k: v[order].tolist() for k, v in columns.items()})

    def _write_attributes(self, attributes: pd.DataFrame, rows: _RowIds) -> None:
        if attributes.empty:
            return
        # by response, then by name: each response's rows land at the end of the primary key
        codes, _ = pd.factorize(attributes["name"])
        response_ids = rows.of(attributes["source_row"])
        order = np.lexsort([codes, response_ids])
        self._insert(
            ATTRIBUTES,
            {
                "response_id": response_ids[order].tolist(),
                "name": attributes["name"].to_numpy(object)[order].tolist(),
                "value": attributes["value"].to_numpy(object)[order].tolist(),
            },
        )

    def analyse_ahead(self, texts: Iterable[str]) -> None:
        """Start scoring and tagging the comment texts of the chunk ``write`` gets next, before that chunk is
        validated: the workers get a head start of the validation's length, which the last chunk's comments would
        otherwise be waited for at the end. Only where the workspace had no response before this batch (else
        ``write`` first looks for stored analyses it can reuse); the comments of rows validation rejects are
        analysed for nothing."""
        if not self._none_stored_before(RESPONSES):
            return
        unique = list(dict.fromkeys(texts))
        changed: dict[str, str] = {}
        if unique and not self.keep_personal_data:
            masked, _ = mask_texts(unique)  # counted by ``write``, for the comments it stores
            changed = {raw: out for raw, out in zip(unique, masked, strict=True) if out != raw}
            unique = masked
        self._ahead = (found_later(unique, self.themes, self._memory), changed)

    def _analyse_comments(
        self, comments: pd.DataFrame, stored: dict[str, Found]
    ) -> tuple[list[str], Callable[[], CommentAnalysis]]:
        """The chunk's comment texts as stored (masked unless personal data is kept) and their pending analysis."""
        texts: list[str] = comments["text"].tolist() if not comments.empty else []
        ahead, self._ahead = self._ahead, None
        if ahead is not None:  # masked already: only the few texts masking changed are masked again, to count them
            found, changed = ahead
            if changed:
                self.masked.add(mask_texts([t for t in texts if t in changed])[1])
                texts = [changed.get(t, t) for t in texts]
            return texts, in_order(found, texts)
        if texts and not self.keep_personal_data:
            texts, counts = mask_texts(texts)
            self.masked.add(counts)
        return texts, analyse_later(texts, self.themes, self._memory, stored)

    def _stored_analyses(self, response_ids: list[int]) -> dict[str, Found]:
        """Sentiment and theme tags the store holds for the comments of responses this chunk updates (a cumulative
        export imported again), by text, where the stored sentiment is what scoring the text now would give."""
        position = {t.theme_id: i for i, t in enumerate(self.themes)}
        query = (
            select(COMMENTS.c.id, COMMENTS.c.text, COMMENTS.c.language, COMMENTS.c.compound, COMMENTS.c.method)
            .add_columns(COMMENT_THEMES.c.theme_id)
            .select_from(COMMENTS.outerjoin(COMMENT_THEMES, COMMENT_THEMES.c.comment_id == COMMENTS.c.id))
            .where(COMMENTS.c.method.in_(sentiment.current_methods()))
            .where(COMMENTS.c.compound.is_not(None), COMMENTS.c.language.is_not(None))
        )
        stored: dict[int, tuple[str, Any, list[int]]] = {}  # comment id → (text, score, theme positions)
        for where in _in_clauses(self.conn, COMMENTS.c.response_id, response_ids):
            for cid, text_, language, compound, method, theme_id in self.conn.execute(query.where(where)):
                entry = stored.get(cid)
                if entry is None:
                    score = sentiment.make_score((language, float(compound), method))
                    entry = stored[cid] = (text_, score, [])
                if theme_id in position:
                    entry[2].append(position[theme_id])
        return {text_: (score, tuple(sorted(hits))) for text_, score, hits in stored.values()}

    def _write_comments(
        self,
        comments: pd.DataFrame,
        rows: _RowIds,
        texts: list[str],
        analysis: Callable[[], CommentAnalysis],
    ) -> None:
        """Insert comments with their sentiment and theme tags (the tags in the same transaction)."""
        if comments.empty:
            return
        done = analysis()
        scores = done.scores
        ids = reserve_ids(self.conn, COMMENTS, len(texts))
        tp_ids = [self.touchpoint_ids.get(t) if t else None for t in comments["touchpoint"]]
        self._insert(
            COMMENTS,
            {
                "id": ids,
                "response_id": rows.of(comments["source_row"]).tolist(),
                "touchpoint_id": tp_ids,
                "source": _values(comments["source"]),
                "text": texts,
                "language": [x.lang for x in scores],
                "compound": [x.compound for x in scores],
                "label": [x.label for x in scores],
                "method": [x.method for x in scores],
            },
        )
        theme_ids = [t.theme_id for t in self.themes]
        tags = [(cid, theme_ids[i]) for cid, hit in zip(ids, done.themes, strict=True) for i in hit]
        self._insert(COMMENT_THEMES, {"comment_id": [c for c, _ in tags], "theme_id": [t for _, t in tags]})


class _RowIds:
    """The response id of each source row of a chunk (numpy look-ups instead of a dict per row)."""

    def __init__(self, source_rows: list[int], ids: list[int]) -> None:
        self._rows = np.asarray(source_rows, dtype="int64")
        self._ids = np.asarray(ids, dtype="int64")
        self._order = np.argsort(self._rows, kind="stable")

    def of(self, source_rows: pd.Series) -> np.ndarray:
        """Response ids of ``source_rows`` (each one a row of the chunk)."""
        wanted = source_rows.to_numpy(dtype="int64")
        found = np.searchsorted(self._rows, wanted, sorter=self._order)
        at = self._order[np.minimum(found, len(self._rows) - 1)]
        if len(wanted) and not np.array_equal(self._rows[at], wanted):
            raise KeyError("a rating, attribute or comment of a row that is not in its chunk")
        return self._ids[at]


def reserve_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """``n`` new ids for ``table``'s integer primary key, for rows this transaction inserts with their ids given.

    SQLite: the next ids after the largest (what SQLite would pick itself; the import holds the write lock).
    PostgreSQL: taken from the column's sequence, so concurrent writers never collide.
    """
    if n == 0:
        return []
    if conn.dialect.name == "postgresql":
        seq = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        name = conn.dialect.identifier_preparer.format_table(table)
        return [int(i) for (i,) in conn.execute(seq, {"t": name, "n": n})]
    top = conn.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(top + 1, top + 1 + n))


def _value(value: Any) -> Any:
    """A cell as a Python value, None when missing."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _take(values: Any, positions: list[int]) -> Any:
    """The values at ``positions`` of a list or numpy array (all of them as they are when every one is taken)."""
    if len(positions) == len(values):
        return values
    if isinstance(values, np.ndarray):
        return values[positions]
    return [values[i] for i in positions]


def _bound_datetimes(values: np.ndarray, impl: Any, dialect: Any) -> list[Any]:
    """A datetime64 column as the driver's parameters: SQLite's text form formatted in one numpy call (exactly what
    SQLAlchemy's DATETIME writes by default), Python datetimes through the column's bind processor elsewhere."""
    missing = np.isnat(values)
    proc = impl.bind_processor(dialect)
    if isinstance(impl, sqlite.DATETIME) and impl._storage_format == SQLITE_DATETIME_FORMAT:
        text = np.char.replace(np.datetime_as_string(values.astype("datetime64[us]"), unit="us"), "T", " ")
        return [None if m else v for v, m in zip(text.tolist(), missing.tolist(), strict=True)]
    stamps = [None if m else pd.Timestamp(v).to_pydatetime() for v, m in zip(values, missing.tolist(), strict=True)]
    return [proc(v) if v is not None else None for v in stamps] if proc else stamps


def _values(series: pd.Series) -> list[Any]:
    """A column as Python values, None where missing (numpy/pandas scalars converted)."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":  # numpy ints/bools cannot be missing
        return series.tolist()
    return series.astype(object).where(series.notna(), None).tolist()


_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric_dollar": "${}", "numeric": ":{}"}


def insert_rows(
    conn: Connection, table: Table, columns: dict[str, list[Any]], chunk: int = 50_000, analyse: bool = True
) -> None:
    """Bulk INSERT through the driver's executemany with plain tuples.

    Skips SQLAlchemy's per-row parameter processing (several times slower for a million rows); each column's
    own bind processor (e.g. SQLite's datetime format) is still applied, so stored values are exactly what
    ``insert(table)`` would write.
    """
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return
    dialect = conn.dialect
    values = [_bound(conn, table, name, columns[name]) for name in names]
    prep = dialect.identifier_preparer
    target = f"{prep.format_table(table)} ({', '.join(prep.quote(n) for n in names)})"
    n = len(values[0])
    if dialect.name == "sqlite":
        _insert_multirow(conn, f"INSERT INTO {target} VALUES ", values, chunk)
    elif dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_rows(conn, f"COPY {target} FROM STDIN", list(zip(*values, strict=True)))
    else:
        mark = _PLACEHOLDER[dialect.paramstyle]
        sql = f"INSERT INTO {target} VALUES ({', '.join(mark.format(i + 1) for i in range(len(names)))})"
        rows = list(zip(*values, strict=True))
        for start in range(0, n, chunk):
            conn.exec_driver_sql(sql, rows[start : start + chunk])
    if analyse:
        refresh_statistics(conn, table, n)


def _insert_multirow(conn: Connection, head: str, values: list[list[Any]], chunk: int) -> None:
    """SQLite: executemany of ``INSERT … VALUES (…), (…), …`` with up to SQLITE_PARAMS parameters per statement.

    The same rows in the same order as one row per statement, with a third to a half less time per row: SQLite's
    per-statement work (reset, step, Python's per-row loop and GIL hand-off) is paid once per group of rows.
    """
    n, width = len(values[0]), len(values)
    if any(len(v) != n for v in values):
        raise ValueError("insert_rows: columns of different lengths")
    per = max(1, min(SQLITE_ROWS_PER_INSERT, SQLITE_PARAMS // width))
    row = "(" + ", ".join("?" * width) + ")"
    flat: list[Any] = [None] * (n * width)  # row-major: the parameters of row i are flat[i * width:(i + 1) * width]
    for j, column in enumerate(values):
        flat[j::width] = column
    full = n // per * per  # rows that fill whole statements; the rest go in one row per statement
    step = per * width  # parameters per statement
    per_call = max(1, chunk // per) * step  # parameters per executemany call (about ``chunk`` rows)
    if full:
        statement = head + ", ".join([row] * per)
        for start in range(0, full * width, per_call):
            stop = min(full * width, start + per_call)
            conn.exec_driver_sql(statement, [tuple(flat[i : i + step]) for i in range(start, stop, step)])
    if full < n:
        conn.exec_driver_sql(head + row, [tuple(flat[i : i + width]) for i in range(full * width, n * width, width)])


def _bound(conn: Connection, table: Table, name: str, column: Any) -> list[Any]:
    """A column's values as the driver's parameters: through the column's bind processor, as SQLAlchemy would."""
    dialect = conn.dialect
    impl = table.c[name].type.dialect_impl(dialect)
    if isinstance(column, np.ndarray) and column.dtype.kind == "M":
        return _bound_datetimes(column, impl, dialect)
    proc = impl.bind_processor(dialect)
    if proc is None:
        return column if isinstance(column, list) else list(column)
    return [proc(v) if v is not None else None for v in column]


def update_rows(conn: Connection, table: Table, key: str, keys: list[Any], columns: dict[str, Any]) -> None:
    """Bulk ``UPDATE table SET column = … WHERE key = …`` through the driver's executemany, values bound as
    ``insert_rows`` binds them (the same stored values as SQLAlchemy's ``update``, without its per-row work)."""
    if not keys:
        return
    names = list(columns)
    values = [_bound(conn, table, name, columns[name]) for name in names] + [_bound(conn, table, key, keys)]
    mark = _PLACEHOLDER[conn.dialect.paramstyle]
    prep = conn.dialect.identifier_preparer
    sets = ", ".join(f"{prep.quote(n)} = {mark.format(i + 1)}" for i, n in enumerate(names))
    where = f"{prep.quote(key)} = {mark.format(len(names) + 1)}"
    conn.exec_driver_sql(f"UPDATE {prep.format_table(table)} SET {sets} WHERE {where}", list(zip(*values, strict=True)))


def delete_where_in(conn: Connection, table: Table, column: str, values: list[int]) -> None:
    """``DELETE FROM table WHERE column IN (values)`` for many integer values (see ``_in_clauses``)."""
    for where in _in_clauses(conn, table.c[column], values):
        conn.execute(delete(table).where(where))


def _in_clauses(conn: Connection, column: Any, values: Iterable[Any]) -> Iterator[Any]:
    """Conditions ``column IN (values)`` for many keys: one per 100,000 keys on SQLite (a JSON array read by
    json_each, when every key goes through JSON unchanged) and on PostgreSQL (an array parameter), IN lists of 900
    otherwise (SQLite's oldest bound-parameter limit is 999)."""
    dialect = conn.dialect.name
    keys = [v.item() if isinstance(v, np.generic) else v for v in values]
    as_json = dialect == "sqlite" and _json_safe(keys)
    for part in _batches(keys, ANY_LIST if as_json or dialect == "postgresql" else IN_LIST):
        if as_json:  # probed through the column's index like an IN list
            yield column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(list(part)))))
        elif dialect == "postgresql":
            yield column == any_(bindparam("keys", list(part), type_=postgresql.ARRAY(column.type)))
        else:
            yield column.in_(part)


def _copy_rows(conn: Connection, copy_sql: str, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: stream rows with COPY inside the connection's transaction (executemany sends one INSERT per
    row, about 20× slower for a large import)."""
    driver_conn: Any = conn.connection.driver_connection
    with driver_conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row(row)


def refresh_statistics(conn: Connection, table: Table, added: int, force: bool = False) -> None:
    """ANALYZE a table that a bulk write grew by a good part, inside the write's transaction (its own new rows count);
    ``force``: one whose index was built again (dropping it dropped its statistics), however much it grew.

    PostgreSQL: stale statistics made the planner take a just-loaded table for nearly empty and turn the follow-up
    and theme queries after an import into nested loops over every row (minutes instead of milliseconds). SQLite:
    without statistics every page query walks the response table through its workspace index in time order, one
    random page read per response; with them it scans the table (8× faster on 100k responses). SQLite analyses
    whole tables, so only the response table (the one every page query starts from) is analysed there.
    """
    dialect = conn.dialect.name
    if added < STATS_MIN_ROWS or dialect not in ("postgresql", "sqlite"):
        return
    name = conn.dialect.identifier_preparer.format_table(table)
    if dialect == "postgresql":
        known = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": name}).scalar()
    elif table.name not in SQLITE_ANALYSED:
        return
    else:
        has_stats = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
        stat = (
            conn.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t LIMIT 1"), {"t": table.name}).scalar()
            if has_stats
            else None
        )
        known = int(str(stat).split()[0]) if stat else None
    if force or known is None or added > STATS_GROWTH * max(float(known), 0.0):
        conn.exec_driver_sql(f"ANALYZE {name}")


@dataclass
class DeferredIndexes:
    """SQLite indexes dropped for a large batch and built again, from their own ``CREATE INDEX``, before its commit.

    A response's time comes in no order in a file, so each row written goes to a random place of the time index:
    at 100k responses that index cost 0.33 s of the 0.57 s the response rows took, at 1M 6.4 s of 9.2 s; built after
    them (sorted) it takes 0.08 s and 1.3 s. A returning customer's id goes to a random place of the customer index
    too (1M: 0.7 s written row by row, 0.27 s built). A build reads the whole table, so only a batch whose first
    chunk holds at least ``DEFER_SHARE`` of the rows already there defers them. Dropping and building happen inside
    the import's transaction: a batch that fails is rolled back, dropping included, so its indexes and their
    statistics are as they were; other sessions read the indexes meanwhile (SQLite's write-ahead log shows them the
    store before the batch)."""

    conn: Connection
    statements: list[str]  # the CREATE INDEX of each index dropped, as SQLite keeps it

    @classmethod
    def start(cls, conn: Connection, table: Table, names: Sequence[str], rows: int) -> DeferredIndexes:
        """Drop those of ``names`` that exist when ``rows`` new rows are worth building them again for (SQLite)."""
        if conn.dialect.name != "sqlite" or rows < DEFER_MIN_ROWS or not names:
            return cls(conn, [])
        have = conn.execute(select(func.count()).select_from(table)).scalar() or 0
        if rows < DEFER_SHARE * have:
            return cls(conn, [])
        indexes = text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t")
        found = [(name, sql) for name, sql in conn.execute(indexes, {"t": table.name}) if name in names]
        for name, _ in found:
            conn.exec_driver_sql(f"DROP INDEX {conn.dialect.identifier_preparer.quote(name)}")
        return cls(conn, [sql for _, sql in found])

    def build(self) -> bool:
        """Build the dropped indexes again (once); True when there were any."""
        statements, self.statements = self.statements, []
        for sql in statements:
            self.conn.exec_driver_sql(sql)
        return bool(statements)


def _batches(values: Sequence[Any], size: int = IN_LIST) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _json_safe(values: list[Any]) -> bool:
    """Keys that go through SQLite's json_each unchanged: integers, or strings without NUL or lone surrogates."""
    if all(type(v) is int for v in values):
        return True
    if not all(isinstance(v, str) for v in values):
        return False
    joined = "".join(values)
    if "\x00" in joined:
        return False
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _lookup(conn: Connection, table: Table, key: str, values: Iterable[Any], workspace_id: int) -> dict[Any, int]:
    """``{key value: id}`` of the rows of ``table`` in the workspace whose ``key`` is one of ``values``."""
    column = table.c[key]
    out: dict[Any, int] = {}
    for where in _in_clauses(conn, column, values):
        query = select(column, table.c.id).where(table.c.workspace_id == workspace_id, where)
        out.update({k: i for k, i in conn.execute(query)})
    return out
