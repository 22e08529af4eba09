"""Synthetic survey exports of any size (seeded), for the import benchmark.

    python bench/gen_survey.py ROWS OUT.csv [--seed S] [--ja-share 0.1]

The file looks like an in-house export: ids, a date, segments, NPS, CSAT, CES, 10 touchpoint ratings with some
blanks, and a comment on about 65% of the rows: mostly distinct texts of one to three sentences (60–200 characters)
composed from varied fragments (touchpoints, opinions, reasons with numbers, product names, some emoji), about 10%
repeated short answers ("Great service", "N/A") and about 10% in Japanese — like real open-ended answers, whose
variety is what makes sentiment scoring and theme tagging cost what they cost.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

import numpy as np

TOUCHPOINTS = [
    "Website search",
    "Product pages",
    "Checkout",
    "Payment options",
    "Delivery speed",
    "Packaging",
    "Product quality",
    "Support chat",
    "Returns",
    "App experience",
]
PRODUCTS = [
    "Aero kettle", "Nimbus headphones", "Luma desk lamp", "Terra backpack", "Kite running shoes", "Orbit blender",
    "Pixel 2 charger", "Vela rain jacket", "Haven duvet", "Quill notebook set", "Zest juicer", "Atlas suitcase",
]  # fmt: skip
PLACES = [
    "the website", "the app", "checkout", "the payment page", "the delivery", "the courier", "the packaging",
    "customer support", "the support chat", "the returns process", "the search", "the product page",
    "the order confirmation email", "the tracking page", "the store", "the phone line",
]  # fmt: skip
GOOD = [
    "was really easy to use", "worked perfectly", "was quick and painless", "was much better than last time",
    "was clear and simple", "exceeded my expectations", "was friendly and helpful", "was spot on",
    "made the whole thing effortless", "was fast",
]  # fmt: skip
BAD = [
    "kept crashing", "was confusing", "took far too long", "was a nightmare", "did not work on my phone",
    "was slow and clunky", "gave me an error twice", "was rude and unhelpful", "never replied",
    "was a total mess", "could be a lot better", "was frustrating",
]  # fmt: skip
REASONS = [
    "I had to wait {n} days for a reply", "the parcel arrived {n} days late", "it arrived in {n} days",
    "I was on hold for {m} minutes", "the price went up by {p}%", "I paid £{a} for shipping",
    "the {product} broke after {n} weeks", "the {product} is great value for money",
    "the {product} was damaged in the box", "I got a refund within {n} days", "the discount code did not work",
    "the staff member sorted it out in {m} minutes", "tracking said delivered but nothing came",
    "I had to explain the problem {k} times", "the size of the {product} was wrong",
    "my card was charged twice", "I never got a confirmation email", "the {product} works exactly as described",
]  # fmt: skip
OPENERS = ["Honestly,", "Overall", "To be fair,", "As usual,", "This time", "", "", "Mixed feelings:"]
GOOD_OPENERS = ["Really happy:", "Pleasantly surprised,", "Good news:"]
BAD_OPENERS = ["Not impressed:", "Sadly", "For the third time,", "Again"]
CLOSERS = [
    "Would buy again.", "Never again.", "Thanks!", "Please fix this.", "Keep it up.", "Will recommend to friends.",
    "Still waiting for an answer.", "Not sure I will order again.", "Five stars.", "Very disappointed.",
    "Great job team.", "Loved it.",
]  # fmt: skip
EMOJI = ["", "", "", "", " 😊", " 👍", " 😡", " 🙁", " ❤️", " 🚚", " 👎", " ⭐⭐⭐"]
SHORT = [
    "Great service", "N/A", "Good", "ok", "Fine", "Fast delivery", "No comment", "Love it", "Too expensive",
    "Excellent", "-", "Nothing to add",
]  # fmt: skip
JA_SUBJECTS = [
    "配送", "スタッフの対応", "アプリ", "サイトの検索", "商品の品質", "梱包", "サポートの電話", "返品の手続き",
    "支払い画面", "お知らせのメール", "価格", "{product}",
]  # fmt: skip
JA_PREDICATES = [
    "がとても良かったです", "が遅すぎました", "が使いにくいです", "が丁寧で助かりました", "に不満があります",
    "が分かりにくかったです", "は期待通りでした", "が高すぎると思います", "がすぐに届きました",
    "が壊れていました", "に時間がかかりました", "が親切でした",
]  # fmt: skip
JA_EXTRAS = [
    "届くまで{n}日かかりました。", "{m}分待たされました。", "また利用したいです。", "二度と使いません。",
    "改善をお願いします。", "コスパは良いと思います。", "問い合わせても返信がありませんでした。",
    "送料が{y}円もかかりました。", "友人にも勧めたいです。", "説明がもう少し欲しいです。",
]  # fmt: skip
ANSWERED = 0.65  # share of rows with a comment
SHORT_SHARE = 0.10  # of the answers: repeated short answers
JA_SHARE = 0.10  # of the answers: Japanese comments


def _fill(template: str, rnd: random.Random) -> str:
    """A fragment with its numbers and product name drawn."""
    if "{" not in template:
        return template
    return template.format(
        n=rnd.randint(2, 14),
        m=rnd.choice((5, 10, 15, 20, 25, 30, 40, 45, 50, 60, 90)),
        p=rnd.randint(5, 40),
        a=f"{rnd.randint(2, 15)}.{rnd.choice(('00', '49', '95', '99'))}",
        k=rnd.randint(3, 5),
        y=rnd.choice((350, 500, 660, 800, 980, 1200)),
        product=rnd.choice(PRODUCTS),
    )


def _english(rnd: random.Random) -> str:
    """One to three sentences: an opinion on a touchpoint, a reason with numbers, a closer; some emoji."""
    good = rnd.random() < 0.55
    opener = rnd.choice(OPENERS + (GOOD_OPENERS if good else BAD_OPENERS))
    first = f"{rnd.choice(PLACES)} {rnd.choice(GOOD if good else BAD)}"
    first = f"{opener} {first}" if opener else first[0].upper() + first[1:]
    sentences = [first + ("," if rnd.random() < 0.5 else " because") + " " + _fill(rnd.choice(REASONS), rnd) + "."]
    n = rnd.choices((1, 2, 3), (0.35, 0.45, 0.2))[0]
    if n >= 2:
        other = f"{rnd.choice(PLACES)} {rnd.choice(BAD if good else GOOD)}."
        sentences.append("Also " + other if rnd.random() < 0.5 else "But " + other)
    if n >= 3:
        sentences.append(rnd.choice(CLOSERS))
    text = " ".join(sentences) + rnd.choice(EMOJI)
    if len(text) < 60:
        text += " " + rnd.choice(CLOSERS)
    return text[:200]


def _japanese(rnd: random.Random) -> str:
    """One to three Japanese sentences."""
    parts = [_fill(rnd.choice(JA_SUBJECTS), rnd) + rnd.choice(JA_PREDICATES) + "。"]
    for _ in range(rnd.choices((0, 1, 2), (0.3, 0.5, 0.2))[0]):
        parts.append(_fill(rnd.choice(JA_EXTRAS), rnd))
    return "".join(parts)


def comment(rnd: random.Random, ja_share: float = JA_SHARE) -> str:
    """One answer to the open question ('' = not answered)."""
    if rnd.random() >= ANSWERED:
        return ""
    u = rnd.random()
    if u < SHORT_SHARE:
        return rnd.choice(SHORT)
    if u < SHORT_SHARE + ja_share:
        return _japanese(rnd)
    return _english(rnd)


def generate(rows: int, out: Path, seed: int = 7, ja_share: float = JA_SHARE) -> None:
    """Write ``rows`` responses to ``out`` (UTF-8 CSV), streaming in blocks so memory stays flat."""
    rng = np.random.default_rng(seed)
    header = [
        "Response ID",
        "Customer ID",
        "Submitted",
        "Plan",
        "Region",
        "Channel",
        "How likely are you to recommend us to a friend or colleague?",
        "Overall, how satisfied are you?",
        "How easy was it to get what you needed?",
        *[f"Satisfaction - {t}" for t in TOUCHPOINTS],
        "What is the main reason for your score?",
    ]
    rnd = random.Random(seed)
    start = np.datetime64("2025-01-01T00:00")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        block = 50_000
        for lo in range(0, rows, block):
            n = min(block, rows - lo)
            latent = rng.normal(0, 1, n)
            ratings = np.clip(np.rint(3.6 + latent[:, None] * 0.8 + rng.normal(0, 0.7, (n, 10))), 1, 5).astype(int)
            nps = np.clip(np.rint(7 + 2.2 * latent + rng.normal(0, 1.2, n)), 0, 10).astype(int)
            csat = np.clip(np.rint(3.8 + latent * 0.9 + rng.normal(0, 0.5, n)), 1, 5).astype(int)
            ces = np.clip(np.rint(5 + latent + rng.normal(0, 0.8, n)), 1, 7).astype(int)
            minutes = rng.integers(0, 60 * 24 * 600, n)
            blank = rng.random((n, 10)) < 0.1
            plans = rng.choice(["Free", "Plus", "Premium"], n)
            regions = rng.choice(["North", "South", "East", "West"], n)
            channels = rng.choice(["web", "app", "store", "phone"], n)
            for i in range(n):
                when = str(start + np.timedelta64(int(minutes[i]), "m")).replace("T", " ")
                tps = ["" if blank[i, j] else str(ratings[i, j]) for j in range(10)]
                writer.writerow(
                    [
                        f"R{lo + i + 1:08d}",
                        f"C{(lo + i) % (rows // 2 + 1):07d}",
                        when,
                        plans[i],
                        regions[i],
                        channels[i],
                        nps[i],
                        csat[i],
                        ces[i],
                        *tps,
                        comment(rnd, ja_share),
                    ]
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ja-share", type=float, default=JA_SHARE, help="share of the answers in Japanese")
    args = parser.parse_args()
    generate(args.rows, args.out, args.seed, args.ja_share)


if __name__ == "__main__":
    main()
