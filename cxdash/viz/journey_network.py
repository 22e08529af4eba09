"""The journey as a network (pyvis / vis-network): one node per touchpoint, sized by how many customers rated it and
coloured by its mean score; arrows follow the order of the steps in the map.

The HTML works offline: vis-network is inlined (``cdn_resources="in_line"``) and the CDN <script>/<link> tags of
pyvis's template (Bootstrap) are removed. Every label and tooltip is user text, so each is HTML-escaped before it
goes into the page; a small static script then shows it as plain text (canvas labels, tooltips built with
``textContent``), so ``<img src=x onerror=...>`` reads as those characters and runs nothing.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxdash.i18n import fmt_number, fmt_signed, t

NO_DATA = "#b8bec9"
LOW, MID, HIGH = (192, 57, 43), (240, 165, 0), (46, 139, 87)
_CDN_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>|<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>",
    re.IGNORECASE,
)
_SRC_HREF = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?([^\"'\s>]*)", re.IGNORECASE)

# Static (no user text): decode the escaped labels for the canvas and build tooltips as text nodes.
_AS_TEXT = """
<script type="text/javascript">
(function () {
  function decode(s) {
    var ta = document.createElement("textarea");
    ta.innerHTML = s == null ? "" : String(s);
    return ta.value;
  }
  function tip(s) {
    var div = document.createElement("div");
    div.style.whiteSpace = "pre-line";
    div.style.maxWidth = "320px";
    div.textContent = decode(s);
    return div;
  }
  if (typeof nodes === "undefined" || typeof edges === "undefined") { return; }
  nodes.update(nodes.get().map(function (n) {
    return {id: n.id, label: decode(n.label), title: n.cx_title ? tip(n.cx_title) : undefined};
  }));
  edges.update(edges.get().map(function (e) {
    return {id: e.id, title: e.cx_title ? tip(e.cx_title) : undefined};
  }));
  if (typeof network !== "undefined") { network.fit(); network.once("afterDrawing", function () { network.fit(); }); }
})();
</script>
"""
_LEGEND = '<div style="font:13px sans-serif;color:#444;padding:6px 4px;clear:both">{text}</div>'  # static text


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def score_colour(score: float | None) -> str:
    """A colour for a score on −2..+2: red → amber → green; grey when there is none."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return NO_DATA
    t = min(max((float(score) + 2.0) / 4.0, 0.0), 1.0)
    return _mix(LOW, MID, t * 2) if t < 0.5 else _mix(MID, HIGH, (t - 0.5) * 2)


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _nodes_and_order(journey: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Touchpoint key → node facts (name, linked, stages, steps), and the step sequence as keys."""
    nodes: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for stage in journey.get("stages", []):
        for step in stage.get("steps", []):
            tp = step.get("touchpoint") or None
            name = tp or str(step.get("touchpoint_label") or "").strip()
            if not name:
                continue
            key = ("tp:" if tp else "label:") + name
            node = nodes.setdefault(key, {"name": name, "linked": bool(tp), "stages": [], "steps": []})
            if stage["name"] not in node["stages"]:
                node["stages"].append(stage["name"])
            label = str(step.get("touchpoint_label") or "")
            if label and label != name and label not in node["steps"]:
                node["steps"].append(label)
            order.append(key)
    return nodes, order


def _node_title(node: Mapping[str, Any], ev: Mapping[str, Any] | None) -> str:
    lines = [node["name"], t("journey.network.stage", names=", ".join(node["stages"]))]
    if node["steps"]:
        lines.append(t("journey.network.steps", names=", ".join(node["steps"])))
    if not node["linked"]:
        lines.append(t("journey.network.not_linked"))
    elif ev is None or not ev.get("n"):
        lines.append(t("journey.cards.no_ratings"))
    else:
        scale = f"{ev['scale_min']:.0f}–{ev['scale_max']:.0f}"
        lines.append(t("journey.network.rated", n=fmt_number(int(ev["n"])), mean=f"{ev['mean']:.2f}", scale=scale))
        if _num(ev.get("nps")) is not None:
            lines.append(t("journey.cards.nps_plain", nps=f"{ev['nps']:+.0f}", n=fmt_number(int(ev["nps_n"]))))
        if _num(ev.get("sentiment")) is not None:
            lines.append(
                t(
                    "journey.network.sentiment",
                    value=fmt_signed(ev["sentiment"] / 2),
                    n=fmt_number(int(ev["n_comments"])),
                )
            )
        if ev.get("low_n"):
            lines.append(t("journey.cards.low_n"))
    return "\n".join(lines)


def journey_network(journey: Mapping[str, Any], evidence: pd.DataFrame | None = None, height: int = 520) -> str:
    """A standalone, offline HTML page with the journey network (the string, ready for ``st.iframe``)."""
    from pyvis.network import Network

    nodes, order = _nodes_and_order(journey)
    ev_rows: dict[str, dict[str, Any]] = {}
    if evidence is not None and not evidence.empty:
        ev_rows = {str(r["touchpoint"]): dict(r) for r in evidence.reset_index(drop=True).to_dict("records")}
    volumes = [int(ev_rows[n["name"]]["n"]) for n in nodes.values() if n["linked"] and n["name"] in ev_rows]
    top = max(volumes, default=0)
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line", bgcolor="#ffffff")
    ids = {key: f"n{i}" for i, key in enumerate(nodes)}
    first = {key: order.index(key) for key in nodes}
    for key, node in nodes.items():
        ev = ev_rows.get(node["name"]) if node["linked"] else None
        n = int(ev["n"]) if ev else 0
        colour = score_colour(_num(ev.get("score")) if ev and n else None)
        low = bool(ev.get("low_n")) if ev and n else False
        size = 12 + (26 * math.sqrt(n / top) if top and n else 0)
        x = first[key] * 170
        y = (-70, 40, -20, 80)[first[key] % 4]
        net.add_node(
            ids[key],
            label=html.escape(node["name"]),
            cx_title=html.escape(_node_title(node, ev)),
            color={"background": colour, "border": "#333333" if low else colour},
            borderWidth=2 if low else 1,
            shapeProperties={"borderDashes": [4, 3] if low else False},
            size=size,
            x=x,
            y=y,
            font={"size": 15, "face": "sans-serif", "color": "#1b1b1b"},
        )
    pairs: dict[tuple[str, str], int] = {}
    for a, b in zip(order, order[1:], strict=False):
        if a != b:
            pairs[(a, b)] = pairs.get((a, b), 0) + 1
    for (a, b), count in pairs.items():
        text = f"{nodes[a]['name']} → {nodes[b]['name']}" + (t("journey.network.times", n=count) if count > 1 else "")
        net.add_edge(ids[a], ids[b], width=1 + count, color="#8896ab", cx_title=html.escape(text))
    net.set_options(
        json.dumps(
            {
                "physics": {"enabled": False},
                "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
                "edges": {"smooth": {"type": "curvedCW", "roundness": 0.15}, "arrows": {"to": {"enabled": True}}},
                "nodes": {"shape": "dot"},
            }
        )
    )
    page = net.generate_html()
    return offline_html(page)


def offline_html(page: str) -> str:
    """pyvis output with CDN tags removed, the text-only labels script and the legend added; checked for CDN links."""
    page = _CDN_TAG.sub("", page)
    page = re.sub(r"<!--\s*<link[^>]*node_modules.*?-->", "", page, flags=re.DOTALL)
    page = page.replace("<h1></h1>", "")
    legend = _LEGEND.format(text=html.escape(t("journey.network.legend")))
    page = page.replace("</body>", legend + _AS_TEXT + "</body>", 1)
    remote = [u for u in external_refs(page) if u]
    if remote:
        raise RuntimeError(f"The network HTML still loads resources from outside: {remote}")
    return page


def external_refs(page: str) -> list[str]:
    """``src``/``href`` values of <script> and <link> tags that point at a CDN or any http(s) address."""
    found = _SRC_HREF.findall(page)
    return [
        u
        for u in found
        if "cdn" in u.lower() or "http://" in u.lower() or "https://" in u.lower() or u.startswith("//")
    ]
