"""The journey network page: offline (vis-network inlined, no CDN tag left), every label and tooltip escaped, nodes
sized by volume and coloured by score."""

from __future__ import annotations

import re

import pandas as pd

from cxdash.viz.journey_network import NO_DATA, external_refs, journey_network, score_colour

IMG = '<img src=x onerror="window.pwned=1">'
SCRIPT = "<script>window.pwned=2</script>"
JOURNEY = {
    "name": "Map",
    "stages": [
        {"name": "A " + SCRIPT, "steps": [
            {"touchpoint": "Checkout", "touchpoint_label": IMG, "emotion": 0},
            {"touchpoint": None, "touchpoint_label": SCRIPT, "emotion": 1},
        ]},
        {"name": "B", "steps": [{"touchpoint": "Delivery", "touchpoint_label": "Waits", "emotion": -2},
                                {"touchpoint": "Checkout", "touchpoint_label": "Pays again", "emotion": 0}]},
    ],
}  # fmt: skip
EVIDENCE = pd.DataFrame(
    [
        {"touchpoint": "Checkout", "n": 900, "mean": 4.2, "scale_min": 1.0, "scale_max": 5.0, "score": 1.2, "nps": 30.0,
         "nps_n": 880, "n_comments": 50, "sentiment": 0.4, "low_n": False},
        {"touchpoint": "Delivery", "n": 10, "mean": 2.0, "scale_min": 1.0, "scale_max": 5.0, "score": -1.0, "nps": -40,
         "nps_n": 10, "n_comments": 2, "sentiment": -1.0, "low_n": True},
    ]
)  # fmt: skip


def test_hostile_labels_are_escaped_everywhere() -> None:
    page = journey_network(JOURNEY, EVIDENCE)
    for raw in (IMG, SCRIPT, "<img", 'onerror="', "window.pwned=2</script>"):
        assert raw not in page
    # escaped once by us, then made JSON-safe by the template (\u0026 = &): the text is there, inert
    assert "\\u0026lt;img src=x onerror=\\u0026quot;window.pwned=1\\u0026quot;\\u0026gt;" in page
    assert "textContent" in page  # tooltips are built as text, labels decoded for the canvas only


def test_offline_no_cdn() -> None:
    page = journey_network(JOURNEY, EVIDENCE)
    assert external_refs(page) == []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", page):
        for attr in re.findall(r"\b(?:src|href)\s*=\s*\"([^\"]*)\"", tag):
            assert "cdn" not in attr and "http://" not in attr and "https://" not in attr
    assert "bootstrap" not in page.lower()
    assert "vis.Network" in page and len(page) > 400_000  # vis-network inlined


def test_nodes_sized_by_volume_coloured_by_score_and_step_order_edges() -> None:
    page = journey_network(JOURNEY, EVIDENCE)
    nodes = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL)
    edges = re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL)
    assert nodes and edges
    import json

    n = {x["id"]: x for x in json.loads(nodes.group(1))}
    e = json.loads(edges.group(1))
    assert len(n) == 3  # Checkout appears twice in the map but is one node
    checkout, label_only, delivery = n["n0"], n["n1"], n["n2"]
    assert checkout["size"] > delivery["size"] > 0 and label_only["size"] == 12
    assert checkout["color"]["background"] == score_colour(1.2) != score_colour(-1.0) == delivery["color"]["background"]
    assert label_only["color"]["background"] == NO_DATA
    assert delivery["shapeProperties"]["borderDashes"]  # too little data: dashed
    assert [(x["from"], x["to"]) for x in e] == [("n0", "n1"), ("n1", "n2"), ("n2", "n0")]


def test_score_colour_runs_red_to_green() -> None:
    assert score_colour(-2) == "#c0392b" and score_colour(2) == "#2e8b57" and score_colour(None) == NO_DATA
    assert score_colour(float("nan")) == NO_DATA


def test_legend_and_tooltips_in_japanese() -> None:
    import html
    import json

    from cxdash.i18n import use_language

    with use_language("ja"):
        page = journey_network(JOURNEY, EVIDENCE)
    assert "ノードの大きさ：タッチポイントを評価した回答数" in page and "Node size" not in page
    nodes = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL)
    assert nodes
    tips = {n["id"]: html.unescape(n["cx_title"]) for n in json.loads(nodes.group(1))}
    checkout, label_only, delivery = tips["n0"], tips["n1"], tips["n2"]
    assert "ステージ：A " in checkout and "評価数 900 · 平均 4.20（尺度 1–5）" in checkout
    assert "評価した人の NPS：+30（n=880）" in checkout and "コメントの感情 +0.20（コメント 50 件）" in checkout
    assert label_only.endswith("アンケートデータに紐づいていません")
    assert delivery.endswith("確かな判断にはデータが少なすぎます")  # too little data
    assert not any(w in tip for tip in tips.values() for w in ("Rated by", "Stage:", "Not linked", "comments"))
