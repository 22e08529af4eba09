"""The user interface's words in English and Japanese: one catalogue per language, looked up by key.

    from cxdash.i18n import t
    t("overview.title")                       # "Overview" / "概要"
    t("actions.effect.n", n=120)              # placeholders are str.format fields

Catalogues are ``en.toml`` and ``ja.toml`` beside this module, with dotted keys grouped in TOML tables
(``[overview]`` → ``overview.*``). ``tests/unit/test_i18n.py`` fails when a key is in one and not the other, or
when their placeholders differ. The current language is a context variable: the app sets it once per script run
from the sidebar's choice (``use_language``); headless code (CLI, reports) gets English unless told otherwise.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: dict[str, str] = {"en": "English", "ja": "日本語"}
DEFAULT = "en"
HERE = Path(__file__).parent

_current: ContextVar[str] = ContextVar("cxdash_language", default=DEFAULT)


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = str(value)
    return out


@cache
def catalogue(language: str) -> dict[str, str]:
    """All keys of one language's catalogue (flattened dotted keys)."""
    with (HERE / f"{language}.toml").open("rb") as fh:
        return _flatten(tomllib.load(fh))


def normalise(language: str | None) -> str:
    """'ja-JP', 'ja_JP.UTF-8', 'JA' → 'ja'; anything not supported → English."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0].split(".")[0]
    return code if code in LANGUAGES else DEFAULT


def current_language() -> str:
    return _current.get()


def set_language(language: str | None) -> str:
    """Make ``language`` current for this thread/context; returns the normalised code."""
    code = normalise(language)
    _current.set(code)
    return code


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    token = _current.set(normalise(language))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def t(key: str, /, language: str | None = None, **values: Any) -> str:
    """The text of ``key`` in the current (or given) language, with ``values`` filled in.

    A key missing from the catalogue is a bug caught by the tests; at run time it falls back to English and then to
    the key itself rather than failing a page.
    """
    lang = normalise(language) if language else _current.get()
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT).get(key, key)
    return text.format(**values) if values else text


def fmt_number(value: float | int | None, digits: int = 0, language: str | None = None) -> str:
    """A number with thousands separators (both languages use ',' and '.'); '–' for missing."""
    if value is None or value != value:  # NaN
        return "–"
    return f"{value:,.{digits}f}"


def fmt_signed(value: float, digits: int = 2) -> str:
    """A signed number (+0.30, -0.14); one that rounds to zero is +0.00, never -0.00."""
    return f"{(round(value, digits) or 0.0):+.{digits}f}"


def shared_decimals(*values: float | None, significant: int = 3) -> int:
    """Decimals that give the largest of ``values`` ``significant`` digits: an estimate and its interval are then
    shown alike (+0.371, +0.297 to +0.470; not +0.47). Undefined values are left out."""
    sizes = [abs(v) for v in values if v is not None and math.isfinite(v) and v != 0]
    if not sizes:
        return significant - 1
    return max(0, significant - 1 - math.floor(math.log10(max(sizes))))


def fmt_percent(value: float | None, digits: int = 0, language: str | None = None) -> str:
    """A share 0..1 as a percentage."""
    if value is None or value != value:
        return "–"
    return f"{value * 100:.{digits}f}%"


def fmt_month(value: date | datetime | None, language: str | None = None) -> str:
    """2026-06-01 → 'Jun 2026' in English, '2026年6月' in Japanese."""
    if value is None:
        return "–"
    lang = normalise(language) if language else _current.get()
    if lang == "ja":
        return f"{value.year}年{value.month}月"
    return f"{value:%b} {value.year}"


def fmt_date(value: date | datetime | None, language: str | None = None) -> str:
    """2026-06-01 → 'Jun 1, 2026' in English, '2026年6月1日' in Japanese."""
    if value is None:
        return "–"
    lang = normalise(language) if language else _current.get()
    if lang == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value:%b} {value.day}, {value.year}"
