"""Search folding: text compared as NFKC in lower case, so a search finds a comment whatever its width and case.

Japanese exports mix full-width and half-width forms (ＷｉＦｉ and WiFi, ﾎﾟｲﾝﾄ and ポイント, １０分 and 10分): NFKC makes
them one form. The verbatim search compares ``fold(term)`` with the folded comment inside the database
(:class:`folded`: a function SQLite gets from :func:`register_sqlite`; ``lower(normalize(…, NFKC))`` on PostgreSQL),
and the highlighter finds the same matches in the comment as written (:func:`folded_spans`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

SQLITE_FUNCTION = "cx_fold"
#: half-width voiced sound marks: NFKC joins them to the kana before them (ﾎﾟ → ポ)
_JOIN_PREVIOUS = frozenset("\uff9e\uff9f")


def fold(text: str) -> str:
    """NFKC, then lower case (an ASCII text only lower-cased: NFKC leaves it as it is)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).lower()


def _fold_sql(value: Any) -> str | None:
    return None if value is None else fold(str(value))


def register_sqlite(dbapi_conn: Any) -> None:
    """Give a SQLite connection ``cx_fold(text)`` (the same as :func:`fold`)."""
    dbapi_conn.create_function(SQLITE_FUNCTION, 1, _fold_sql, deterministic=True)


class folded(FunctionElement[str]):  # noqa: N801 - an SQL function, named as one
    """``fold(column)`` in SQL."""

    type = String()
    inherit_cache = True


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower(normalize({compiler.process(element.clauses, **kw)}, NFKC))"


@compiles(folded)
def _folded_other(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def _pieces(text: str) -> Iterable[tuple[int, int]]:
    """The text cut where folding one piece at a time folds it as a whole: a character with the combining marks
    (and half-width voiced sound marks) after it."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in _JOIN_PREVIOUS):
            j += 1
        yield i, j
        i = j


def folded_spans(text: str, term: str) -> list[tuple[int, int]]:
    """Where ``term`` occurs in ``text`` as the search compares them (folded), as spans of the text as written."""
    needle = fold(term)
    if not needle or not text:
        return []
    if text.isascii():  # folded, it is only lower-cased: the same length, the same positions
        return _find_all(text.lower(), needle)
    owners: list[tuple[int, int]] = []  # folded character -> the piece of the text it came from
    parts = []
    for i, j in _pieces(text):
        piece = fold(text[i:j])
        parts.append(piece)
        owners.extend([(i, j)] * len(piece))
    return [(owners[a][0], owners[b - 1][1]) for a, b in _find_all("".join(parts), needle)]


def _find_all(haystack: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` in ``haystack`` (overlapping ones too), as spans."""
    spans = []
    at = haystack.find(needle)
    while at >= 0:
        spans.append((at, at + len(needle)))
        at = haystack.find(needle, at + 1)
    return spans
