"""Names of the codes that several pages offer as choices (periods, KPIs), in the current interface language.

Widgets keep the codes as their values (``"month"``, ``"nps"``) and show these names through ``format_func``, so a
choice survives a change of language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from cxdash.i18n import t

PERIODS = ["month", "quarter", "week"]
METRICS = ["nps", "csat", "ces"]


def shown_as(name: Callable[[Any], str], options: Iterable[Any]) -> Callable[[Any], str]:
    """A widget's ``format_func`` showing each option by ``name``, translated now, while the page is drawn.

    Streamlit may call a format function later and elsewhere (AppTest calls it in the test's own thread, where the
    session's language is not current), so the names are looked up once, here.
    """
    names = {option: name(option) for option in options}
    return lambda option: names.get(option, str(option))


def period_name(period: str) -> str:
    """'month' → 'Month' / '月次'."""
    names = {"month": t("common.month"), "quarter": t("common.quarter"), "week": t("common.week")}
    return names.get(period, period)


def metric_name(metric: str) -> str:
    """'csat' → 'CSAT' / '顧客満足度（CSAT）'."""
    names = {"nps": t("kpi.label_nps"), "csat": t("kpi.label_csat"), "ces": t("kpi.label_ces")}
    return names.get(metric, metric)


def percent_points(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy of ``frame`` with the share columns (0..1) in percentage points, for a ``"%.1f%%"`` column format:
    Streamlit's ``"percent"`` format shows as many decimals as the value has (62.87%, 97.2%, 100%)."""
    return frame.assign(**{c: frame[c].astype(float) * 100 for c in columns if c in frame.columns})
