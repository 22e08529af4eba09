"""Errors whose message a CX analyst can act on.

Domain code raises these; pages and the CLI show the message as it is. Anything else is a bug.
"""

from __future__ import annotations


class CxdashError(Exception):
    """Base class: the message is written for the user (what, where, why, what to do)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputRefused(CxdashError):
    """The input (a file, a mapping, an argument) cannot be used; nothing was written."""


class NotFound(CxdashError):
    """A named thing (workspace, batch, journey, persona) does not exist."""
