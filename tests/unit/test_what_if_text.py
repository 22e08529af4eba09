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


def test_an_estimate_and_its_interval_have_the_same_decimals() -> None:
    estimate = {"driver": "Checkout", "outcome": "csat", "outcome_change": 0.371, "ci95": [0.297, 0.47]}
    text = what_if_text(estimate, 0.5, (1.0, 5.0))
    assert "+0.371" in text and "+0.297" in text and "+0.470" in text, text
    estimate = {"driver": "Checkout", "outcome": "nps", "outcome_change": 12.34, "ci95": [9.5, 15.0]}
    text = what_if_text(estimate, 0.5, (0.0, 10.0))
    assert "+12.3" in text and "+9.5" in text and "+15.0" in text, text


def test_decimals_are_sized_by_the_largest_value() -> None:
    from cxdash.i18n import shared_decimals

    assert shared_decimals(0.371, 0.297, 0.47) == 3
    assert shared_decimals(-12.34, None, float("nan")) == 1
    assert shared_decimals(0.0, None) == 2  # nothing to size by: two decimals
    assert shared_decimals(1234.0) == 0
