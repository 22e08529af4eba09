"""The Overview's note on the scale CES is reported on."""

from __future__ import annotations

from cxdash.store.queries import CesScale
from cxdash.ui.kpi import rescaled_note


def test_the_note_says_which_answers_were_rescaled_and_whether_the_scale_was_chosen() -> None:
    assert rescaled_note(CesScale(1, 5, 900)) is None  # one scale: nothing to say
    assert rescaled_note(CesScale(1, 5, 900, (((1, 7), 100),))) == (
        "CES on 1–5, the scale of 900 answers; those on other scales (100 on 1–7) are rescaled onto it."
    )
    several = rescaled_note(CesScale(1, 7, 40, (((0, 10), 5), ((1, 5), 1200)), chosen=True))
    assert several == (
        "CES on 1–7, the scale chosen for this workspace (40 answers on it); those on other scales "
        "(5 on 0–10, 1,200 on 1–5) are rescaled onto it."
    )
    assert rescaled_note(CesScale(1, 5, 0, (), chosen=True)) == "CES on 1–5, the scale chosen for this workspace."
