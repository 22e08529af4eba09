"""What a reader sees in a page's main area (AppTest), and which English words of a catalogue table are still there
when the page runs in Japanese."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from streamlit.testing.v1 import AppTest

from cxdash.i18n import catalogue

# element types whose text is a value (markdown, notes) or a label (widgets, tabs, expanders)
VALUE_TYPES = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error", "toast")
LABEL_TYPES = (
    "button",
    "download_button",
    "form_submit_button",
    "toggle",
    "checkbox",
    "selectbox",
    "multiselect",
    "text_input",
    "text_area",
    "number_input",
    "file_uploader",
    "tab",
    "expandable",
)


def _label(element: object) -> str:
    label = getattr(element, "label", None)
    if isinstance(label, str):
        return label
    proto = getattr(element, "proto", None)
    return str(getattr(proto, "label", "") or "")


def visible_texts(at: AppTest) -> list[str]:
    """Titles, text, notes and widget/tab/expander labels of the page's main area (Markdown escapes removed)."""
    out: list[str] = []
    for kind in VALUE_TYPES:
        out += [str(getattr(el, "value", "")) for el in at.main.get(kind)]
    for kind in LABEL_TYPES:
        out += [_label(el) for el in at.main.get(kind)]
    for el in at.main.get("selectbox"):  # the options a select box shows
        out += [str(o) for o in getattr(el, "options", [])]
    return [re.sub(r"\\(.)", r"\1", text) for text in out if text]


def english_fragments(tables: Iterable[str], min_letters: int = 6) -> dict[str, str]:
    """Literal pieces (between placeholders, Markdown marks stripped) of the English texts of ``tables`` whose
    Japanese text differs — fragment → key. Pieces shorter than ``min_letters`` letters are left out (they could be
    user data or a shared word such as 'NPS')."""
    en, ja = catalogue("en"), catalogue("ja")
    prefixes = tuple(f"{t}." for t in tables)
    out: dict[str, str] = {}
    for key, text in en.items():
        if not key.startswith(prefixes) or ja.get(key) == text:
            continue
        for literal, *_ in string.Formatter().parse(text):
            piece = " ".join(re.sub(r"[*`>#_]", " ", literal or "").split()).strip(" ·:;,.()")
            if sum(c.isalpha() for c in piece) >= min_letters and piece not in ja[key]:
                out[piece] = key
    return out


def english_left(texts: Iterable[str], tables: Iterable[str]) -> dict[str, str]:
    """English fragments of ``tables`` found in ``texts`` (fragment → key): empty when the page is all Japanese."""
    joined = "\n".join(texts)
    return {piece: key for piece, key in english_fragments(tables).items() if piece in joined}
