"""The Drivers page's what-if sentence: signed changes that never read minus zero, in both languages."""

from __future__ import annotations

from cxdash.i18n import use_language
from cxdash.ui.drivers import what_if_text

ESTIMATE = {
    "driver": "Checkout",
    "outcome": "nps",
    "outcome_change": 0.123,
    "ci95": [-0.0, 0.31],
    "nps_change": -0.04,  # rounds to zero at one decimal
    "nps_ci95": [-0.62, 0.5],
}


def test_a_change_that_rounds_to_zero_is_plus_zero() -> None:
    for language in ("en", "ja"):
        with use_language(language):
            text = what_if_text(ESTIMATE, 1.0, (0.0, 10.0))
        assert "-0.0" not in text and "+0.0" in text and "-0.6" in text and "+0.123" in text, text
