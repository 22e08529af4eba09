"""One font list for every chart, so that Japanese text renders in the browser and in exported images (no tofu).

``FONT_FAMILY`` names Noto Sans CJK JP first — Debian/Ubuntu ship it as ``fonts-noto-cjk`` — then the Japanese
fonts of macOS (Hiragino) and Windows (Yu Gothic, Meiryo), then the generic sans-serif. The Japanese font must come
first: vl-convert (PNG/SVG export) does not fall back glyph by glyph along the list, it draws every character with
the first family it finds, so a Latin-only font first would turn Japanese into boxes in an exported image.

    from cxdash.viz.fonts import FONT_FAMILY, with_font
    chart = with_font(my_chart)              # top-level config.font, any other config kept
    alt.Text(..., font=FONT_FAMILY)          # or name it on a text mark

``cxdash.ui.charts.show_chart`` and ``cxdash.export.chart_png`` / ``chart_svg`` apply :func:`with_font` to every
chart they get, so chart builders need not. :func:`register_export_fonts` adds font directories (the
``CXDASH_FONT_DIR`` environment variable, ``os.pathsep``-separated) to vl-convert's system fonts.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt

JAPANESE_FONT = "Noto Sans CJK JP"
FONT_FAMILY = (
    f'"{JAPANESE_FONT}", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo, sans-serif'
)
FONT_DIR_ENV = "CXDASH_FONT_DIR"


def with_font(chart: Any, family: str = FONT_FAMILY) -> Any:
    """The chart with ``family`` as its default font (titles, axes, legends, text marks); other config is kept.

    A chart whose config already names a font keeps it. Anything that is not a top-level Altair chart is returned
    unchanged.
    """
    if not isinstance(chart, alt.TopLevelMixin):
        return chart
    config: Any = getattr(chart, "config", alt.Undefined)
    if config is alt.Undefined:
        new_config: Any = alt.Config(font=family)
    elif isinstance(config, dict):
        if config.get("font"):
            return chart
        new_config = {**config, "font": family}
    else:
        if getattr(config, "font", alt.Undefined) is not alt.Undefined:
            return chart
        new_config = config.copy(deep=True)
        new_config.font = family
    out: Any = chart.copy(deep=False)  # type: ignore[attr-defined]  # every top-level chart is a SchemaBase
    out.config = new_config
    return out


def font_dirs() -> list[Path]:
    """Extra font directories for exports (``CXDASH_FONT_DIR``) that exist on this machine."""
    raw = os.environ.get(FONT_DIR_ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip() and Path(p).is_dir()]


@cache
def _registered(dirs: tuple[str, ...]) -> tuple[str, ...]:
    import vl_convert

    for d in dirs:
        vl_convert.register_font_directory(d)
    return dirs


def register_export_fonts() -> list[Path]:
    """Make vl-convert see the extra font directories (once per process); returns them.

    vl-convert already knows the system's fonts (``/usr/share/fonts`` …), so on a machine with ``fonts-noto-cjk``
    nothing needs registering; ``CXDASH_FONT_DIR`` is for fonts unpacked elsewhere.
    """
    dirs = font_dirs()
    if dirs:
        _registered(tuple(str(d.resolve()) for d in dirs))
    return dirs
