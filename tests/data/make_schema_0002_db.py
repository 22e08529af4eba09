"""How ``cxdash_schema_0002.db`` was made: a store written by the release before schema 0003, with that release's code.

The file is checked in and must not be regenerated with newer code (it stands for a user's database from the
previous release). To remake it, run this script against the last commit with schema 0002 — never a checkout of
this working tree:

    git archive c18c680 | tar -x -C /tmp/cxdash-0002
    PYTHONPATH=/tmp/cxdash-0002 python tests/data/make_schema_0002_db.py tests/data/cxdash_schema_0002.db

It holds two workspaces filled through that release's own import pipeline: an English one (two survey batches,
the second updating ten responses; a persona; a journey map from a template with an edited stage and step; a
custom theme) and a Japanese one (a cp932 Google-Forms-style export and a Japanese journey map).
"""

from __future__ import annotations

import random
import sqlite3
import sys
from pathlib import Path

EN_COMMENTS = [
    "Delivery was quick and the parcel arrived in perfect condition.",
    "The checkout kept failing with my card, very frustrating.",
    "Support answered within minutes and solved it. Great service!",
    "Returns took three weeks, far too slow.",
    "Prices went up again and the quality did not.",
    "Easy to find what I needed on the website.",
    "The courier left the box in the rain.",
    "Love the app, but the search is poor.",
    "",
    "",
    "N/A",
]
JA_COMMENTS = [
    "配送がとても早くて助かりました。",
    "店員さんの対応が丁寧でした①",
    "届くまで一週間かかり、連絡もありませんでした。",
    "髙島屋の方が品揃えが良いと思います。",
    "特になし",
    "",
    "アプリが使いにくいです。",
]
TOUCHPOINTS = ["Website", "Delivery", "Support", "Returns"]
EN_MAPPING = {
    "Response ID": "response_id",
    "Customer ID": "customer_id",
    "Submitted": "date",
    "How likely are you to recommend us to a friend?": "nps",
    "Overall satisfaction": "csat",
    "How easy was it?": "ces",
    **{f"Satisfaction - {t}": f"rating:{t}" for t in TOUCHPOINTS},
    "Plan": "attribute:Plan",
    "Region": "attribute:Region",
    "Comment": "comment",
}


def en_rows(rnd: random.Random, ids: list[str]) -> list[list[str]]:
    header = list(EN_MAPPING)
    rows = [header]
    for rid in ids:
        tps = [str(rnd.randint(1, 5)) if rnd.random() > 0.15 else "" for _ in TOUCHPOINTS]
        rows.append(
            [
                rid,
                f"CU-{rnd.randint(1, 90):03d}",
                f"2025-{rnd.randint(7, 12):02d}-{rnd.randint(1, 28):02d} "
                f"{rnd.randint(8, 21):02d}:{rnd.randint(0, 59):02d}",
                str(rnd.randint(0, 10)),
                str(rnd.randint(1, 5)),
                str(rnd.randint(1, 7)),
                *tps,
                rnd.choice(["Free", "Plus", "Premium"]),
                rnd.choice(["North", "South", "East", "West"]),
                rnd.choice(EN_COMMENTS),
            ]
        )
    return rows


def ja_rows(rnd: random.Random, n: int) -> list[list[str]]:
    rows = [
        [
            "タイムスタンプ",
            "会員番号",
            "年代",
            "当店を友人に薦める可能性はどのくらいありますか？",
            "各項目の満足度 [配送スピード]",
            "各項目の満足度 [店員の対応]",
            "ご意見・ご感想",
        ]
    ]
    for i in range(n):
        rows.append(
            [
                f"2025/{rnd.randint(8, 11)}/{rnd.randint(1, 28)} {rnd.randint(9, 20)}:{rnd.randint(0, 59):02d}:00",
                f"M{i + 1:04d}",
                rnd.choice(["20代", "30代", "40代", "50代"]),
                str(rnd.randint(0, 10)),
                str(rnd.randint(1, 5)),
                str(rnd.randint(1, 5)),
                rnd.choice(JA_COMMENTS),
            ]
        )
    return rows


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def main(out: Path) -> None:
    from cxdash import journeys_io
    from cxdash.ingest.load import import_file
    from cxdash.store import journeys
    from cxdash.store.personas import create_persona
    from cxdash.store.schema import head_revision
    from cxdash.store.themes import save_theme
    from cxdash.store.workspaces import get_workspace, open_store

    if head_revision() != "0002":
        sys.exit(f"this is cxdash with schema {head_revision()}: run it with the schema-0002 release (see above)")
    if out.exists():
        sys.exit(f"{out} exists: remove it first")
    rnd = random.Random(2002)
    engine = open_store(str(out))

    en = "Legacy shop (EN)"
    first = [f"EN-{i:04d}" for i in range(1, 151)]
    second = first[:10] + [f"EN-{i:04d}" for i in range(151, 181)]  # ten responses answered again: updates
    for name, ids in (("survey_2025q3.csv", first), ("survey_2025q4.csv", second)):
        result = import_file(engine, csv_bytes(en_rows(rnd, ids)), name, workspace=en, mapping=EN_MAPPING)
        assert result.status == "imported", result.message
    ws_en = get_workspace(engine, en).id
    assert ws_en is not None
    create_persona(
        engine,
        ws_en,
        "Busy parent",
        avatar="👩‍👧",
        summary="Orders on the phone between school runs.",
        goals="Fast delivery\nNo surprises",
        pains="Late parcels",
        quote="I just need it to arrive when you say.",
        segment={"Plan": ["Plus", "Premium"]},
    )
    imported = journeys_io.import_journey(engine, ws_en, journeys_io.load_template("ecommerce_en"), name="Online order")
    content = journeys.journey_content(engine, imported.journey_id)
    journeys.rename_stage(engine, int(content["stages"][0]["id"]), "Discover & compare")
    journeys.add_step(
        engine,
        int(content["stages"][0]["id"]),
        touchpoint_label="Reads reviews",
        action="Reads three reviews",
        emotion=1,
        pain_points="Fake-looking reviews",
    )
    save_theme(engine, ws_en, "Rain damage", ["rain", "wet box"], ["雨", "濡れ"])

    ja = "旧店舗アンケート (JA)"
    rows = ja_rows(rnd, 60)
    ja_mapping = dict(zip(rows[0], ["date", "customer_id", "attribute:年代", "nps", "rating:配送スピード",
                                    "rating:店員の対応", "comment"], strict=True))  # fmt: skip
    result = import_file(engine, csv_bytes(rows, "cp932"), "アンケート結果_2025.csv", workspace=ja, mapping=ja_mapping)
    assert result.status == "imported", result.message
    ws_ja = get_workspace(engine, ja).id
    assert ws_ja is not None
    journeys_io.import_journey(engine, ws_ja, journeys_io.load_template("ecommerce_ja"))
    engine.dispose()

    conn = sqlite3.connect(out)
    conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (cxdash turns WAL on when it opens it)
    conn.execute("VACUUM")
    conn.close()
    print(f"{out}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
