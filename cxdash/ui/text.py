"""User text inside Streamlit Markdown, shown exactly as typed.

st.markdown, st.caption, st.title, st.error/warning/info/success and every widget label render Markdown (plus
Streamlit's own :emoji:, :color[...] and $LaTeX$ syntax): a file name like ``[click](javascript:…)`` would become
a link, ``**x**`` bold, ``<touchpoint>`` would vanish as an unknown tag. ``literal`` backslash-escapes what Markdown
would act on, so a value from a file or a form reads as its characters; plain sentences are left as they are.
"""

from __future__ import annotations

import re

# Characters that open inline Markdown, HTML, entities, LaTeX, strikethrough or table cells anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>&$~|])")
# Streamlit's shortcodes: :smile:, :material/home:, :red[…] (the bracket is escaped above).
_SHORTCODE = re.compile(r":(?=[\w+\-/]+:)")
# Block syntax that only counts at the start of a line (after CR, LF or CRLF): headings, quotes, list items,
# setext underlines.
_LINE_START = re.compile(r"(?:^|(?<=[\r\n]))([ \t]*)([#>+\-=]|\d+(?=[.)]))")


def literal(text: object) -> str:
    """``text`` as Markdown that renders as the same characters (no link, emphasis, HTML, emoji or formula)."""
    escaped = _INLINE.sub(r"\\\1", str(text))
    escaped = _SHORTCODE.sub(r"\\:", escaped)
    return _LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    lead, mark = match.group(1), match.group(2)
    return f"{lead}{mark}\\" if mark[0].isdigit() else f"{lead}\\{mark}"
