"""The vocabulary of column roles used by the importer, the CLI and saved mappings.

A role is a string: ``response_id``, ``customer_id``, ``date``, ``channel``, ``nps``, ``csat``, ``ces``,
``rating:<touchpoint>``, ``comment``, ``comment:<touchpoint>``, ``attribute:<name>``, ``ignore`` — and, for long
files with one row per review or ticket, ``touchpoint`` (the row's touchpoint name) and ``rating`` (a rating of the
row's touchpoint). ``customer_name`` and ``customer_email`` are personal data: stored on the customer only when the
import keeps personal data, else dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxdash.errors import InputRefused

SIMPLE_ROLES = (
    "response_id",
    "customer_id",
    "date",
    "channel",
    "nps",
    "csat",
    "ces",
    "touchpoint",
    "rating",
    "comment",
    "customer_name",
    "customer_email",
    "ignore",
)
PARAM_ROLES = ("rating", "comment", "attribute")
# Roles that may be given to at most one column of a file.
SINGLE_ROLES = (
    "response_id",
    "customer_id",
    "date",
    "channel",
    "nps",
    "csat",
    "ces",
    "touchpoint",
    "rating",
    "customer_name",
    "customer_email",
)
PERSONAL_ROLES = ("customer_name", "customer_email")  # contact details: kept only when the user asks
SCORE_KINDS = ("nps", "csat", "ces", "rating")


@dataclass(frozen=True)
class Role:
    """A parsed role: ``kind`` is one of SIMPLE_ROLES or ``attribute``; ``name`` the touchpoint/attribute."""

    kind: str
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind

    @property
    def is_score(self) -> bool:
        return self.kind in SCORE_KINDS


def parse_role(text: str) -> Role:
    """Parse a role string; raise InputRefused with the list of valid roles when it is not one."""
    raw = str(text).strip()
    kind, sep, name = raw.partition(":")
    kind = kind.strip().lower()
    name = name.strip()
    if sep and kind in PARAM_ROLES and name:
        return Role(kind, name)
    if not sep and kind in SIMPLE_ROLES:
        return Role(kind)
    raise InputRefused(
        f"'{raw}' is not a column role. Use one of: response_id, customer_id, date, channel, nps, csat, ces, "
        "rating:<touchpoint>, comment, comment:<touchpoint>, attribute:<name>, touchpoint, rating, customer_name, "
        "customer_email, ignore."
    )
