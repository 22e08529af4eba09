"""Streamlit glue shared by the pages: cached engine, workspace and filter widgets, error display.

This package is the only part of cxdash that imports streamlit.
"""
