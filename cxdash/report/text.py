"""Text that fits its box: width of a string in ems, greedy line wrapping, and truncation with an ellipsis.

Widths are deliberately generous (Arial-like metrics, which are wider than Calibri's or Carlito's; full-width
Japanese characters and emoji count one em or more), so that a text sized here never needs more lines in PowerPoint
or LibreOffice than counted here: greedy wrapping with narrower real glyphs cannot take more lines.
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"
LINE_HEIGHT = 1.2  # single line spacing, as a multiple of the font size
BOLD_FACTOR = 1.1
_NARROW = set("iIjlt.,;:'!|()[]{}` ")
_WIDE_LATIN = set("MWmw@%")
_ZERO = {"\u200d", "\ufe0f", "\ufe0e"}
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def char_em(ch: str) -> float:
    """Width of one character in ems (an over-estimate for common sans-serif fonts)."""
    if ch in _ZERO or unicodedata.combining(ch):
        return 0.0
    if ord(ch) >= 0x1F000:  # emoji
        return 1.25
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        return 0.3
    if ch in _NARROW:
        return 0.34
    if ch in _WIDE_LATIN:
        return 0.96
    if ch.isupper():
        return 0.78
    return 0.58


def text_em(text: str, bold: bool = False) -> float:
    """Width of a one-line string in ems."""
    return sum(char_em(c) for c in text) * (BOLD_FACTOR if bold else 1.0)


def has_cjk(text: str) -> bool:
    """True when the text holds Japanese (or other CJK) characters."""
    return bool(_CJK_RUN.search(text))


def _tokens(paragraph: str) -> list[str]:
    """Break opportunities: a CJK character stands alone; Latin words keep their trailing space."""
    out: list[str] = []
    for piece in re.findall(r"\S+\s*|\s+", paragraph):
        buf = ""
        for ch in piece:
            if unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) >= 0x1F000:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(ch)
            else:
                buf += ch
        if buf:
            out.append(buf)
    return out


def wrap(text: str, width_em: float, bold: bool = False) -> list[str]:
    """Greedy wrap of ``text`` into lines at most ``width_em`` wide; each newline starts a paragraph."""
    factor = BOLD_FACTOR if bold else 1.0
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in _tokens(paragraph):
            w = text_em(token.rstrip()) * factor
            if line and used + w > width_em:
                lines.append(line.rstrip())
                line, used = "", 0.0
                token = token.lstrip()
                w = text_em(token.rstrip()) * factor
            while w > width_em and token:  # a word longer than the line: break it by characters
                cut, acc = 0, 0.0
                for i, ch in enumerate(token):
                    acc += char_em(ch) * factor
                    if acc > width_em:
                        cut = max(i, 1)
                        break
                else:
                    cut = len(token)
                lines.append(token[:cut])
                token = token[cut:]
                w = text_em(token.rstrip()) * factor
            line += token
            used = text_em(line) * factor
        lines.append(line.rstrip())
    return lines


def lines_needed(text: str, width_em: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a column ``width_em`` wide."""
    return len(wrap(text, width_em, bold))


def truncate(text: str, width_em: float, max_lines: int, bold: bool = False) -> str:
    """``text`` cut so that it wraps into at most ``max_lines`` lines (ending with an ellipsis when cut)."""
    text = text.strip()
    if max_lines <= 0:
        return ""
    if lines_needed(text, width_em, bold) <= max_lines:
        return text

    def cut(k: int) -> str:
        return text[:k].rstrip(" ,;:.、。\n") + ELLIPSIS

    lo, hi = 0, len(text)  # the longest prefix that still fits, by bisection (line count grows with length)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if lines_needed(cut(mid), width_em, bold) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    space = text.rfind(" ", 0, lo + 1)
    if lo < len(text) and text[lo].isalnum() and not has_cjk(text[lo]) and space > lo * 0.6:
        lo = space  # do not cut a Latin word in two when a word boundary is near
    return cut(lo) if lo else ""


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces: for labels that must stay on one line."""
    return " ".join(str(text).split())
