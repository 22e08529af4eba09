"""Analysis: metrics (NPS/CSAT/CES with intervals), drivers, segments, text (language, sentiment, themes)."""
