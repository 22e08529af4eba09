"""The language catalogues: both languages have the same keys and placeholders, every key the code asks for exists,
nothing is left empty or untranslated, and numbers and dates follow the language."""

from __future__ import annotations

import ast
import re
import string
from datetime import date
from pathlib import Path

import pytest

from cxdash.i18n import LANGUAGES, catalogue, fmt_date, fmt_month, normalise, t, use_language

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(REPO / "cxdash").rglob("*.py"), *(REPO / "pages").glob("*.py"), REPO / "app.py"])
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")  # kana, kanji, full-width forms
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}\s+[a-z]{2,}")  # "Save theme", "Rows read": two words of running text


def _fields(text: str) -> set[str]:
    """The str.format placeholders of a catalogue text (ValueError for a stray brace)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _t_calls() -> list[tuple[Path, int, ast.expr]]:
    """Every first argument of a call to ``t(...)`` in the app's source: (file, line, argument node)."""
    calls = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args:
                calls.append((path, node.lineno, node.args[0]))
    return calls


def test_both_catalogues_have_exactly_the_same_keys() -> None:
    en, ja = set(catalogue("en")), set(catalogue("ja"))
    assert not en - ja, f"missing in ja.toml: {sorted(en - ja)}"
    assert not ja - en, f"missing in en.toml: {sorted(ja - en)}"
    assert len(en) > 300  # the whole interface, not a skeleton


def test_placeholders_are_the_same_in_both_languages() -> None:
    en, ja = catalogue("en"), catalogue("ja")
    differ = {k: (sorted(_fields(en[k])), sorted(_fields(ja[k]))) for k in en if _fields(en[k]) != _fields(ja[k])}
    assert not differ, differ


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_value_is_empty_and_every_value_formats(language: str) -> None:
    texts = catalogue(language)
    empty = [k for k, v in texts.items() if not v.strip() and not k.endswith("_sep")]
    assert not empty, empty
    for key, text in texts.items():
        values = {name: 1 for name in _fields(text)}
        assert isinstance(t(key, language=language, **values), str)


def test_japanese_values_are_translated() -> None:
    """A Japanese text identical to the English one and made of English words was forgotten."""
    en, ja = catalogue("en"), catalogue("ja")
    same = [k for k in en if ja[k] == en[k] and ENGLISH_WORDS.search(en[k]) and not JAPANESE.search(ja[k])]
    assert not same, same
    share = sum(bool(JAPANESE.search(v)) for v in ja.values()) / len(ja)
    assert share > 0.9, f"only {share:.0%} of the Japanese catalogue has Japanese text"


def test_every_key_used_in_the_code_exists() -> None:
    """Literal keys (t("voice.title")) must exist; a key built at run time (t(f"x.{code}")) must match one."""
    keys = set(catalogue("en"))
    missing, dynamic = [], 0
    for path, line, arg in _t_calls():
        where = f"{path.relative_to(REPO)}:{line}"
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if arg.value not in keys:
                missing.append((where, arg.value))
        elif isinstance(arg, ast.JoinedStr):
            dynamic += 1
            head = ""  # the literal text before the first {…}
            for part in arg.values:
                if not isinstance(part, ast.Constant):
                    break
                head += str(part.value)
            if not any(k.startswith(head) for k in keys):
                missing.append((where, f"f-string starting {head!r}"))
    assert not missing, missing
    assert len(_t_calls()) - dynamic > 300  # the scan found the code's calls


def test_the_scan_sees_the_calls_of_pages_and_the_app() -> None:
    files = {p.relative_to(REPO).as_posix() for p, _, _ in _t_calls()}
    assert {"app.py", "pages/overview.py", "pages/drivers.py", "cxdash/ui/sidebar.py"} <= files


def test_current_language_and_fallbacks() -> None:
    assert t("overview.title") == "Overview"  # headless code speaks English unless told otherwise
    with use_language("ja-JP"):
        assert t("overview.title") == "概要"
        assert t("charts.segment_title", metric="NPS", attribute="年代") == "年代 別の NPS"
    assert t("overview.title") == "Overview"
    assert t("no.such.key") == "no.such.key"  # a page never fails on a missing key (the tests above catch it)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("ja-JP", "ja"), ("ja_JP.UTF-8", "ja"), ("JA", "ja"), ("en-GB", "en"), ("fr-FR", "en"), (None, "en")],
)
def test_browser_locales_map_to_a_supported_language(raw: str | None, code: str) -> None:
    assert normalise(raw) == code


def test_dates_and_months_follow_the_language() -> None:
    day = date(2026, 6, 1)
    assert fmt_date(day, "en") == "Jun 1, 2026" and fmt_date(day, "ja") == "2026年6月1日"
    assert fmt_month(day, "en") == "Jun 2026" and fmt_month(day, "ja") == "2026年6月"
    with use_language("ja"):
        assert t("charts.quarter", q=2, year=2026) == "2026年 第2四半期"
        assert t("charts.axis_month") == "%Y年%-m月"  # Vega's month labels too


def test_signed_numbers_never_read_minus_zero() -> None:
    from cxdash.i18n import fmt_signed

    assert [fmt_signed(v) for v in (0.3, -0.144, -0.004, 0.0, -0.0)] == ["+0.30", "-0.14", "+0.00", "+0.00", "+0.00"]
    assert fmt_signed(-0.04, 1) == "+0.0" and fmt_signed(-0.06, 1) == "-0.1"
