"""One way to show an expected error: the message as written for the analyst, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from cxdash.errors import CxdashError
from cxdash.ui.text import literal


def show_error(error: CxdashError) -> None:
    # messages are plain text that quotes file names, column names and values: never let Markdown act on them
    st.error(literal(error.message), icon="⚠️")


@contextmanager
def user_errors() -> Iterator[None]:
    """Run a block; a CxdashError inside is shown with show_error and the page goes on."""
    try:
        yield
    except CxdashError as error:
        show_error(error)


def show_flash() -> None:
    """Show (once) the message a previous run left for this one, e.g. after an import or a delete."""
    from cxdash.ui import state

    message = st.session_state.pop(state.FLASH, None)
    if message:
        st.success(message, icon="✅")
