"""Stakeholder reports: a PowerPoint deck (``cxdash.report.pptx.build_deck``) and a self-contained HTML page
(``cxdash.report.html.build_html``) built from the same gathered content (``cxdash.report.content.gather``)."""
