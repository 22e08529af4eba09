"""The vocabulary of column roles used by the importer, the CLI and saved mappings.

A role is a string: ``response_id``, ``customer_id``, ``date``, ``channel``, ``nps``, ``csat``, ``ces``,
``rating:<touchpoint>``, ``comment``, ``comment:<touchpoint>``, ``attribute:<name>``, ``ignore`` — and, for long
files with one row per review or ticket, ``touchpoint`` (the row's touchpoint name) and ``rating`` (a rating of the
row's touchpoint). ``customer_name`` and ``customer_email`` are personal data: stored on the customer only when the
import keeps personal data, else dropped.

A score role (``csat``, ``ces``, ``rating``, ``rating:<touchpoint>``) may end with its scale in square brackets,
``ces [1-5]``, ``rating:Delivery [1-7]``: the column is then read on that scale instead of the one inferred from its
answers. NPS is always 0–10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cxdash.errors import InputRefused
from cxdash.i18n import t

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
#: the scales a score column may be given: from 0 or 1 up to at most 10, two points or more
MAX_SCALE_TOP = 10
#: two numbers joined by a dash or a wave dash, as a scale is written: 1-5, 1–5, １～５, 1〜5 (\d: ０-９ too)
SCALE_SPAN = r"(\d+)\s*[-–—~〜～－]\s*(\d+)"
_SCALE_SUFFIX = re.compile(rf"\s*[\[［]\s*{SCALE_SPAN}\s*[\]］]\s*$")
_SCALE_TEXT = re.compile(rf"[\[［]?\s*{SCALE_SPAN}\s*[\]］]?")


@dataclass(frozen=True)
class Role:
    """A parsed role: ``kind`` is one of SIMPLE_ROLES or ``attribute``; ``name`` the touchpoint/attribute."""

    kind: str
    name: str | None = None
    scale: tuple[int, int] | None = None  # the scale the user set; None: inferred from the answers

    def __str__(self) -> str:
        return self.base + (f" [{self.scale[0]}-{self.scale[1]}]" if self.scale else "")

    @property
    def base(self) -> str:
        """The role without its scale: ``rating:Delivery`` for ``rating:Delivery [1-5]``."""
        return f"{self.kind}:{self.name}" if self.name else self.kind

    @property
    def is_score(self) -> bool:
        return self.kind in SCORE_KINDS


def format_scale(scale: tuple[int, int]) -> str:
    """A scale as the interface shows it: ``1–5`` (``1〜5`` in Japanese); parse_scale reads either."""
    return t("roles.scale_span", lo=scale[0], hi=scale[1])


def parse_scale(text: str) -> tuple[int, int] | None:
    """``1-5``, ``1–5``, ``[1-5]`` or ``１～５`` as (1, 5); None when the text is not a scale of two numbers."""
    match = _SCALE_TEXT.fullmatch(str(text).strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def is_column_scale(scale: tuple[int, int]) -> bool:
    """Whether a score column (other than NPS) can have this scale: from 0 or 1 to above it, at most MAX_SCALE_TOP."""
    lo, hi = scale
    return lo in (0, 1) and lo < hi <= MAX_SCALE_TOP


def _checked_scale(kind: str, scale: tuple[int, int], raw: str) -> tuple[int, int]:
    """A scale the user set, refused when it is not one a column of this kind can have."""
    lo, hi = scale
    if kind == "nps":
        if scale != (0, 10):
            raise InputRefused(t("roles.nps_scale", role=raw))
        return scale
    if not is_column_scale(scale):
        raise InputRefused(t("roles.bad_scale", role=raw, lo=lo, hi=hi, top=MAX_SCALE_TOP))
    return scale


def parse_role(text: str) -> Role:
    """Parse a role string; raise InputRefused with the list of valid roles when it is not one."""
    raw = str(text).strip()
    scale = None
    suffix = _SCALE_SUFFIX.search(raw)
    if suffix is not None and raw[: suffix.start()].partition(":")[0].strip().lower() in SCORE_KINDS:
        scale = (int(suffix.group(1)), int(suffix.group(2)))
        raw = raw[: suffix.start()].strip()
    kind, sep, name = raw.partition(":")
    kind = kind.strip().lower()
    name = name.strip()
    if scale is not None:
        scale = _checked_scale(kind, scale, str(text).strip())
    if sep and kind in PARAM_ROLES and name:
        return Role(kind, name, scale)
    if not sep and kind in SIMPLE_ROLES:
        return Role(kind, None, scale)
    raise InputRefused(
        f"'{raw}' is not a column role. Use one of: response_id, customer_id, date, channel, nps, csat, ces, "
        "rating:<touchpoint>, comment, comment:<touchpoint>, attribute:<name>, touchpoint, rating, customer_name, "
        "customer_email, ignore; a score role may end with its scale, as in 'ces [1-5]'."
    )
