"""User text in Streamlit Markdown: ``literal`` escapes what Markdown would act on and nothing a sentence needs.

(The browser test tests/e2e/test_xss.py checks the same strings as Chromium renders them.)
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdash.ui.text import literal

# CommonMark: a backslash before ASCII punctuation stands for that character.
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LIVE = re.compile(r"(?<!\\)(?:\\\\)*[\[\]<>*_`$~|&]")  # an unescaped special character


def rendered_text(markdown: str) -> str:
    return _UNESCAPE.sub(r"\1", markdown)


@pytest.mark.parametrize(
    "sentence",
    [
        "Wrong user name or password.",
        "Customer 12 forgotten: 5 responses",
        "デモ — さくらマート (JA)",
        "'survey.csv' is empty; export the survey again and upload the new file.",
    ],
)
def test_plain_sentences_are_unchanged(sentence: str) -> None:
    assert literal(sentence) == sentence


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("[click here](javascript:window.__pwned=1)", r"\[click here\](javascript:window.\_\_pwned=1)"),
        ('<img src=x onerror="a">', r'\<img src=x onerror="a"\>'),
        ("**bold** `code` $x^2$ ~~s~~ a|b &lt;", r"\*\*bold\*\* \`code\` \$x^2\$ \~\~s\~\~ a\|b \&lt;"),
        (":smile: :material/home: :red[x] 10:30", r"\:smile: \:material/home: :red\[x\] 10:30"),
        ("# title\n> quote\n- item\n1. one\n2) two", "\\# title\n\\> quote\n\\- item\n1\\. one\n2\\) two"),
        ("Shift_JIS rating:<touchpoint>", r"Shift\_JIS rating:\<touchpoint\>"),
        ("a\\b", "a\\\\b"),
    ],
)
def test_markdown_html_and_streamlit_syntax_are_escaped(text: str, escaped: str) -> None:
    assert literal(text) == escaped
    assert rendered_text(escaped) == text


@settings(max_examples=200, deadline=2_000, derandomize=True, database=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_text_renders_as_itself_with_nothing_live(text: str) -> None:
    markdown = literal(text)
    assert rendered_text(markdown) == text
    assert not _LIVE.search(markdown), markdown
    for line in re.split(r"\r\n|\r|\n", markdown):  # Markdown's line endings
        assert not re.match(r"[ \t]*(#|>|[-+=]|\d+[.)])", line), line  # no heading, quote or list item
