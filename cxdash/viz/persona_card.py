"""A persona card as an Altair chart (text and rect marks), so that it can be exported as PNG or SVG.

The card shows the avatar (emoji, or an uploaded image through ``mark_image``), the name in large type, the summary,
the quote in italics, four columns (goals, pains, behaviours, channels), the segment rule and — when ``stats`` are
given — the segment's size and NPS with its 95% interval.

Text is laid out here, not by the renderer: every line is one data row (Streamlit ships chart data as Arrow, so no
lists in cells) wrapped to the width of its box. Widths are counted in columns — a CJK or emoji character counts two,
capitals and wide letters a little more than one, narrow ones less — so Japanese wraps between any characters and
other text between words, and a text that does not fit ends with "…". Each text mark also carries a pixel ``limit``
as a second guard. User text only ever becomes a text mark's value (never HTML, never a link).

Pure function: a persona (``cxdash.store.models.Persona`` or anything with the same attributes) in, a chart out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd

from cxdash.i18n import fmt_number, t

FONT = "Noto Sans CJK JP, Yu Gothic, Meiryo, sans-serif"
EMOJI_FONT = f"Noto Color Emoji, Apple Color Emoji, Segoe UI Emoji, {FONT}"
WIDTH = 760
PAD = 24
AVATAR = 88
GAP = 12
EM_PER_COLUMN = 0.58  # one column of text is at most this many font sizes wide (Latin lower case, Noto/Meiryo)
BOLD = 1.07  # bold text is this much wider
ELLIPSIS = "…"

_IMAGE_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_NARROW = set(" .,;:!|'`()[]{}ijlIftr\"’‘")
_WIDE = set("mwMW@%&")
_NO_LINE_END = set("「『（([【〔〈《“‘")
_NO_LINE_START = set("、。，．,.:;!?！？)）]」』】〕〉》’”ゝゞー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ…")


# --- measuring and wrapping ---------------------------------------------------------------------------------------


def clusters(text: str) -> list[str]:
    """The text split into user-perceived characters (an emoji with joiners, modifiers or a keycap stays one)."""
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        joined = bool(out) and (
            ch in _JOINERS
            or unicodedata.combining(ch) > 0
            or 0x1F3FB <= cp <= 0x1F3FF  # skin tone
            or 0xE0020 <= cp <= 0xE007F  # tag characters (flags of regions)
            or out[-1].endswith("\u200d")
            or (0x1F1E6 <= cp <= 0x1F1FF and len(out[-1]) == 1 and 0x1F1E6 <= ord(out[-1]) <= 0x1F1FF)
        )
        if joined:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _is_wide(cluster: str) -> bool:
    ch = cluster[0]
    cp = ord(ch)
    if unicodedata.east_asian_width(ch) in ("W", "F") or cp >= 0x1F000 or "\ufe0f" in cluster:
        return True
    # ambiguous punctuation and symbols (… — “ ” → ○ · ×) are drawn full width by Japanese fonts
    return unicodedata.east_asian_width(ch) == "A" and (cp >= 0x2000 or not ch.isalpha())


def cluster_width(cluster: str) -> float:
    """Columns one character takes: CJK and emoji 2, wide letters 1.5, capitals 1.25, narrow ones 0.6, else 1."""
    if _is_wide(cluster):
        return 2.0
    ch = cluster[0]
    if ch in _NARROW:
        return 0.6
    if ch in _WIDE:
        return 1.5
    if ch.isupper():
        return 1.25
    return 1.0


def text_width(text: str) -> float:
    """Columns a text takes (see ``cluster_width``)."""
    return sum(cluster_width(c) for c in clusters(text))


def columns_for(px: float, font_size: float, bold: bool = False) -> float:
    """How many columns of text fit into ``px`` pixels at ``font_size``."""
    return px / (font_size * EM_PER_COLUMN * (BOLD if bold else 1.0))


def _tokens(text: str) -> list[list[str]]:
    """Break opportunities: a word with its trailing space, or one CJK/emoji character (each a list of clusters)."""
    tokens: list[list[str]] = []
    word: list[str] = []
    for c in clusters(text):
        if c.isspace():
            word.append(" ")
        elif _is_wide(c):
            if word:
                tokens.append(word)
                word = []
            tokens.append([c])
        else:
            if word and word[-1] == " ":
                tokens.append(word)
                word = []
            word.append(c)
    if word:
        tokens.append(word)
    return tokens


def truncate(text: str, width: float) -> str:
    """The text cut to ``width`` columns, ending in "…" when it was cut."""
    return text if text_width(text) <= width else with_ellipsis(text, width)


def with_ellipsis(text: str, width: float) -> str:
    """The text (cut as needed) followed by "…", within ``width`` columns."""
    out: list[str] = []
    used = cluster_width(ELLIPSIS)
    for c in clusters(text.rstrip(ELLIPSIS + " ")):
        if used + cluster_width(c) > width:
            break
        out.append(c)
        used += cluster_width(c)
    return "".join(out).rstrip() + ELLIPSIS


def wrap(text: str, width: float, max_lines: int) -> list[str]:
    """Lines of at most ``width`` columns: Japanese breaks between any characters (not before 。、」 and the like),
    other text between words (a word longer than a line is cut); at most ``max_lines`` lines, the last ending in "…"
    when text was left out."""
    text = " ".join(str(text or "").split())
    if not text or max_lines < 1:
        return []
    lines: list[str] = []
    line: list[str] = []  # clusters of the line being filled

    def used() -> float:
        return sum(cluster_width(c) for c in line)

    def push() -> None:
        nonlocal line
        done = "".join(line).rstrip()
        if done:
            lines.append(done)
        line = []

    for token in _tokens(text):
        body = "".join(token).rstrip()
        if used() + text_width(body) <= width:
            line += token
            continue
        carry: list[str] = []
        if body[:1] in _NO_LINE_START and len(line) > 1 and line[-1] != " ":
            carry = [line.pop()]  # kinsoku: take the last character along rather than start a line with 。
        while len(line) > 1 and line[-1] in _NO_LINE_END:
            carry.insert(0, line.pop())  # … and never end a line with 「
        push()
        line = carry
        for c in token:  # a word longer than a line is cut where it overflows
            if c != " " and used() + cluster_width(c) > width:
                push()
            if c != " " or line:
                line.append(c)
    push()
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = with_ellipsis(lines[-1], width)
    return lines


# --- the card -----------------------------------------------------------------------------------------------------

# role: font size, line height, bold, italic, colour
STYLES: dict[str, tuple[float, float, bool, bool, str]] = {
    "name": (26, 33, True, False, "#111827"),
    "summary": (14, 20, False, False, "#374151"),
    "quote": (15, 21, False, True, "#1f3b73"),
    "heading": (13, 19, True, False, "#111827"),
    "item": (12, 17, False, False, "#1f2937"),
    "bullet": (12, 17, False, False, "#1f2937"),
    "segment": (12, 17, False, False, "#4b5563"),
    "stats": (13, 19, True, False, "#111827"),
}
SECTIONS = (  # field, colour; the heading is personas.card.<field> in the current language
    ("goals", "#1c6b3a"),
    ("pains", "#9b1c1c"),
    ("behaviours", "#1f3b73"),
    ("channels", "#7a4b00"),
)
MAX_LINES = {"name": 2, "summary": 4, "quote": 3, "item": 4, "column": 14, "segment": 3}


def _fmt_nps(value: Any) -> str:
    return t("personas.na") if value is None or pd.isna(value) else f"{float(value):+.0f}"


def _items(field: str, text: str) -> list[str]:
    """One entry per line (channels: also per comma)."""
    parts = re.split(r"[\n,、，;；]" if field == "channels" else r"\n", str(text or ""))
    return [" ".join(p.split()) for p in parts if p.strip()]


def _segment_text(persona: Any) -> str:
    from cxdash.store.personas import describe_segment, segment_of

    try:
        rule = segment_of(persona)
    except (AttributeError, TypeError, ValueError):
        rule = {}
    return t("personas.image.segment", segment=describe_segment(rule))


def stats_text(stats: Mapping[str, Any]) -> str:
    """'Segment size: 257 NPS answers · NPS +28 (95% CI +19 to +37)' (+ a small-segment note), in the current
    language."""
    n = int(stats.get("n") or 0)
    text = t("personas.image.size_one" if n == 1 else "personas.image.size", n=fmt_number(n))
    if n:
        text += t("personas.image.nps", nps=_fmt_nps(stats.get("nps")))
        lo, hi = stats.get("nps_lo"), stats.get("nps_hi")
        if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
            text += t("personas.image.ci", lo=_fmt_nps(lo), hi=_fmt_nps(hi))
        if stats.get("low_n"):
            text += t("personas.image.small")
    return text


class _Layout:
    """Rows of text, rects and images with pixel positions (top-left corners)."""

    def __init__(self) -> None:
        self.text: dict[str, list[dict[str, Any]]] = {role: [] for role in STYLES}
        self.rects: list[dict[str, Any]] = []

    def lines(self, role: str, text: str, x: float, y: float, px: float, max_lines: int, colour: str = "") -> float:
        """Wrap ``text`` into ``px`` pixels at the role's style; returns the y below the last line."""
        size, height, bold, _, default = STYLES[role]
        for line in wrap(text, columns_for(px, size, bold), max_lines):
            self.add(role, line, x, y, px, colour or default)
            y += height
        return y

    def add(self, role: str, line: str, x: float, y: float, px: float, colour: str = "") -> None:
        size, _, bold, _, default = STYLES[role]
        self.text[role].append(
            {
                "x": float(x),
                "y": float(y),
                "text": line,
                "colour": colour or default,
                "budget": columns_for(px, size, bold),
            }
        )

    def rect(self, x: float, y: float, x2: float, y2: float, fill: str) -> None:
        self.rects.append({"x": float(x), "y": float(y), "x2": float(x2), "y2": float(y2), "fill": fill})


def _column(layout: _Layout, field: str, title: str, colour: str, text: str, x: float, y: float, px: float) -> float:
    """A heading and one bullet per entry (wrapped under its first line); returns the y below it."""
    size, height, _, _, _ = STYLES["item"]
    y = layout.lines("heading", title, x, y, px, 1, colour) + 4
    layout.rect(x, y - 3, x + 28, y - 1, colour)
    y += 4
    entries = _items(field, text)
    if not entries:
        layout.add("item", "—", x, y, px, "#9ca3af")  # nothing written
        return y + height
    budget = MAX_LINES["column"]
    indent = 14
    for i, entry in enumerate(entries):
        if budget <= 0:
            break
        left = len(entries) - i - 1
        lines = wrap(entry, columns_for(px - indent, size), min(MAX_LINES["item"], budget))
        if left and len(lines) >= budget:  # no room for what follows: say so on the last line
            lines = lines[:budget]
            lines[-1] = with_ellipsis(lines[-1], columns_for(px - indent, size))
        layout.add("bullet", "•", x, y, indent, colour)
        for line in lines:
            layout.add("item", line, x + indent, y, px - indent)
            y += height
        budget -= len(lines)
        y += 3
    return y


def _avatar(persona: Any) -> tuple[str | None, str]:
    """(image data URI or None, emoji text)."""
    avatar = str(getattr(persona, "avatar", "") or "").strip()
    if avatar.startswith("data:"):
        return (avatar, "") if _IMAGE_URI.match(avatar) else (None, "🙂")
    return None, avatar or "🙂"


def _text_layer(role: str, rows: list[dict[str, Any]], limit: float | None = None) -> alt.Chart:
    size, height, bold, italic, _ = STYLES[role]
    return (
        alt.Chart(pd.DataFrame(rows, columns=["x", "y", "text", "colour", "budget"]).assign(role=role))
        .mark_text(
            align="left",
            baseline="top",
            font=FONT,
            fontSize=size,
            lineHeight=height,
            fontWeight="bold" if bold else "normal",
            fontStyle="italic" if italic else "normal",
            limit=limit or WIDTH - 2 * PAD,
        )
        .encode(
            x=alt.X("x:Q", scale=None, axis=None),
            y=alt.Y("y:Q", scale=None, axis=None),
            text=alt.Text("text:N"),
            color=alt.Color("colour:N", scale=None, legend=None),
        )
    )


def persona_card_chart(persona: Any, stats: Mapping[str, Any] | None = None) -> alt.LayerChart:
    """The persona as a card chart ``WIDTH`` pixels wide (its height follows the content).

    ``stats`` (optional): ``n`` (NPS answers in the segment), ``nps``, ``nps_lo``, ``nps_hi`` (95% interval) and
    ``low_n`` — shown at the bottom of the card.
    """
    layout = _Layout()
    inner = WIDTH - 2 * PAD
    image, emoji = _avatar(persona)

    # header: avatar, name, summary
    text_x = PAD + AVATAR + 20
    text_px = WIDTH - text_x - PAD
    y = layout.lines("name", str(getattr(persona, "name", "") or ""), text_x, PAD, text_px, MAX_LINES["name"])
    y = layout.lines("summary", str(getattr(persona, "summary", "") or ""), text_x, y + 4, text_px,
                     MAX_LINES["summary"])  # fmt: skip
    y = max(y, PAD + AVATAR) + 18
    header_bottom = y - 6

    # quote
    quote = " ".join(str(getattr(persona, "quote", "") or "").split())
    if quote:
        top = y
        y = layout.lines("quote", t("personas.card.quote", text=quote), PAD + 14, y, inner - 14, MAX_LINES["quote"])
        layout.rect(PAD, top, PAD + 4, y - 2, "#1f3b73")
        y += 14
        layout.rect(PAD, y, WIDTH - PAD, y + 1, "#e5e7eb")
        y += 16
    else:
        y += 8

    # goals / pains / behaviours / channels
    col_px = (inner - 3 * GAP) / 4
    bottoms = [
        _column(layout, field, t(f"personas.heading.{field}"), colour, str(getattr(persona, field, "") or ""),
                PAD + i * (col_px + GAP), y, col_px)
        for i, (field, colour) in enumerate(SECTIONS)
    ]  # fmt: skip
    y = max(bottoms) + 10
    layout.rect(PAD, y, WIDTH - PAD, y + 1, "#e5e7eb")
    y += 14

    # segment and its figures
    y = layout.lines("segment", _segment_text(persona), PAD, y, inner, MAX_LINES["segment"])
    if stats is not None:
        y = layout.lines("stats", stats_text(stats), PAD, y + 4, inner, 2)
    height = y + PAD - 4

    card = pd.DataFrame([{"x": 0.5, "y": 0.5, "x2": WIDTH - 0.5, "y2": height - 0.5}])
    pos = {
        "x": alt.X("x:Q", scale=None, axis=None),
        "y": alt.Y("y:Q", scale=None, axis=None),
        "x2": "x2:Q",
        "y2": "y2:Q",
    }
    layers: list[Any] = [
        alt.Chart(card).mark_rect(fill="white", stroke="#d0d7de", strokeWidth=1, cornerRadius=12).encode(**pos),
        alt.Chart(card.assign(y2=float(header_bottom)))
        .mark_rect(fill="#f3f6fb", cornerRadiusTopLeft=12, cornerRadiusTopRight=12)
        .encode(**pos),
        alt.Chart(pd.DataFrame(layout.rects, columns=["x", "y", "x2", "y2", "fill"]))
        .mark_rect()
        .encode(**pos, color=alt.Color("fill:N", scale=None, legend=None)),
    ]
    if image:
        layers.append(
            alt.Chart(pd.DataFrame([{"x": PAD + AVATAR / 2, "y": PAD + AVATAR / 2, "url": image}]))
            .mark_image(width=AVATAR, height=AVATAR, align="center", baseline="middle", aspect=True)
            .encode(x=pos["x"], y=pos["y"], url="url:N")
        )
    else:
        letters = any(ch.isalnum() for ch in emoji)  # "AB" typed as the avatar: the text font, not the emoji one
        fit = columns_for(AVATAR - 16, 1.0, bold=letters)  # font size that fits the avatar text into the circle
        size = min(52.0 if not letters else 36.0, fit / max(text_width(emoji), 2.0))
        circle = pd.DataFrame([{"x": PAD, "y": PAD, "x2": PAD + AVATAR, "y2": PAD + AVATAR}])
        layers += [
            alt.Chart(circle).mark_rect(fill="#dde6f3", cornerRadius=AVATAR / 2).encode(**pos),
            alt.Chart(pd.DataFrame([{"x": PAD + AVATAR / 2, "y": PAD + AVATAR / 2, "text": emoji}]))
            .mark_text(
                align="center",
                baseline="middle",
                font=FONT if letters else EMOJI_FONT,
                fontSize=size,
                fontWeight="bold" if letters else "normal",
                color="#1f3b73",
                limit=AVATAR,
            )
            .encode(x=pos["x"], y=pos["y"], text="text:N"),
        ]
    limits = {"name": text_px, "summary": text_px, "heading": col_px, "item": col_px}
    layers += [_text_layer(role, rows, limits.get(role)) for role, rows in layout.text.items() if rows]
    return (
        alt.layer(*layers)
        .properties(width=WIDTH, height=height, padding=0, background="transparent")
        .configure_view(stroke=None)
    )


def card_lines(chart: alt.LayerChart, role: str | None = None) -> list[str]:
    """The text lines of a card (of one role), in drawing order — for tests and for checking a card."""
    spec = chart.to_dict()
    out: list[str] = []
    for rows in spec.get("datasets", {}).values():
        out += [r["text"] for r in rows if "role" in r and (role is None or r["role"] == role)]
    return out


def file_stem(name: str, default: str = "persona") -> str:
    """A persona name as a safe file name stem (letters of any script, digits, - and _; at most 60 characters)."""
    stem = re.sub(r"[^\w\-]+", "_", unicodedata.normalize("NFKC", str(name or ""))).strip("_.-")[:60]
    return stem or default
