"""The CX analyst's hand-written alternative that cxdash must not be slower than:
pandas read_csv → a vaderSentiment loop over the comments → to_sql of one wide table.

    python bench/baseline_script.py FILE.csv OUT.db
"""

from __future__ import annotations

import sqlite3
import sys

import pandas as pd
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def main(path: str, out: str) -> None:
    frame = pd.read_csv(path)
    analyzer = SentimentIntensityAnalyzer()
    comment = frame.columns[-1]
    frame["compound"] = [
        analyzer.polarity_scores(t)["compound"] if isinstance(t, str) else None for t in frame[comment]
    ]
    with sqlite3.connect(out) as conn:
        frame.to_sql("responses", conn, if_exists="replace", index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
