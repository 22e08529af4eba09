"""Free-text answers for the demo surveys, written from templates so that each comment fits its scores.

A comment names the worst-rated touchpoint for detractors, the best one for promoters and both (with a contrast)
for passives; a share of answers are the short, repeated ones real surveys are full of.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

# English: (positive, negative) clauses per touchpoint; they start lower-case and carry sentiment words.
EN_PHRASES: dict[str, tuple[list[str], list[str]]] = {
    "Ads & social": (
        ["the offers on Instagram are genuinely useful", "your ads actually showed me something I wanted"],
        ["the ads are annoying and follow me everywhere", "the social ads promised a discount that wasn't there"],
    ),
    "Website search": (
        ["search finds exactly what I want", "the website search is quick and easy"],
        ["search is useless, it never finds the right product", "the website search is frustrating and slow"],
    ),
    "Product pages": (
        ["the product pages are clear with great photos", "product descriptions are detailed and helpful"],
        ["product pages are missing basic details", "the photos on the product page were misleading"],
    ),
    "Checkout": (
        ["checkout is smooth and fast", "checkout took seconds, love it"],
        ["checkout kept crashing", "the checkout is confusing and keeps asking me to log in again"],
    ),
    "Payment options": (
        ["lots of payment options, nice", "paying with PayPal was easy"],
        ["not enough payment options", "my card was declined twice for no reason"],
    ),
    "Delivery speed": (
        ["delivery was really quick", "my parcel arrived the next day, excellent", "super fast delivery"],
        [
            "delivery took over a week, really frustrating",
            "my parcel arrived four days late",
            "delivery is painfully slow",
            "the delivery was late again and tracking was useless",
        ],
    ),
    "Packaging": (
        ["nice packaging, everything arrived safe", "the packaging is good and recyclable"],
        ["far too much plastic in the packaging", "the box was damaged on arrival"],
    ),
    "Product quality": (
        ["the product quality is excellent", "great quality for the price", "the products are brilliant"],
        ["the quality is poor, it broke after a week", "the product was cheap and disappointing"],
    ),
    "Support chat": (
        ["the support chat agent was friendly and solved it fast", "support chat was helpful and kind"],
        [
            "support chat kept me waiting 40 minutes and never solved my issue",
            "the chat bot is useless and I couldn't reach a human",
            "support was rude and unhelpful",
        ],
    ),
    "Returns": (
        ["returns were easy and the refund was quick", "hassle-free returns"],
        ["the return took weeks to refund", "returns are a nightmare, I'm still waiting for my money"],
    ),
}
EN_DELIVERY_IMPROVED = ["delivery has got much quicker lately", "delivery is faster than it used to be, great"]
EN_SHORT = {
    "promoter": ["Great service", "Love it!", "Excellent", "👍", "Great", "All good", "Fast and easy", "Love Acme 😍"],
    "passive": ["OK", "Fine", "Good but could be better", "Average", "It's ok", "Nothing special"],
    "detractor": ["Never again.", "Terrible service", "Disappointed.", "Too slow", "👎", "Not good enough"],
}
EN_CLOSERS = {
    "promoter": ["Highly recommend!", "Keep it up 😊", "Will definitely order again.", "Thanks Acme!", ""],
    "passive": ["Fix that and you'd get a 10.", "Could be better.", "", ""],
    "detractor": ["Not impressed.", "Sort it out, Acme!", "Will shop elsewhere next time.", "😡", ""],
}

# Japanese: plain-form clauses that combine as 「Aが、B。」 for contrast (e.g. 品質は良いが配送が遅い).
JA_PHRASES: dict[str, tuple[list[str], list[str]]] = {
    "品揃え": (
        ["品揃えが豊富で楽しい", "欲しい物がだいたい揃っている"],
        ["品揃えが少ない", "欲しい商品がいつも欠品している"],
    ),
    "アプリの使いやすさ": (
        ["アプリが使いやすい", "アプリで簡単に注文できる"],
        ["アプリが使いにくい", "アプリがすぐ落ちるのでストレスだ"],
    ),
    "価格": (["価格が手頃でうれしい", "値段が安い"], ["価格が高い", "他店より値段が高い"]),
    "レジの待ち時間": (
        ["レジがスムーズだ", "レジの待ち時間が短い"],
        ["レジがいつも混んでいる", "レジの待ち時間が長すぎる"],
    ),
    "スタッフの対応": (
        ["スタッフの対応が丁寧だ", "店員さんがとても親切だ"],
        ["スタッフの対応が悪い", "店員さんの態度が冷たい"],
    ),
    "配送スピード": (
        ["配送が早くて助かる", "注文した翌日に届く"],
        ["配送が遅い", "配送予定日に届かない", "配送が遅くて困る"],
    ),
    "商品の品質": (["品質は良い", "野菜が新鮮でおいしい", "商品の品質が高い"], ["品質が悪い", "野菜が傷んでいた"]),
    "ポイント特典": (["ポイントがたまりやすい", "会員特典がお得だ"], ["ポイントが使いにくい", "会員特典に魅力がない"]),
}
JA_SHORT = {
    "promoter": ["満足です", "いつもありがとうございます", "大満足！", "とても良い"],
    "passive": ["特になし", "普通", "まあまあです", "特にありません"],
    "detractor": ["不満です", "二度と使わない", "最悪でした", "残念です"],
}
JA_CLOSERS = {
    "promoter": ["また利用します！", "これからも応援しています。", "友人にも勧めました。", ""],
    "passive": ["もう少し安いとうれしい。", "改善に期待します。", "", ""],
    "detractor": ["二度と使わない。", "改善してほしいです。", "がっかりしました。", "もう利用しないと思います。", ""],
}


def nps_class(nps: int) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    return "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"


def _pick(rng: np.random.Generator, items: list[str]) -> str:
    return items[int(rng.integers(len(items)))]


def _extreme(
    rng: np.random.Generator, scores: Mapping[str, float], weights: Mapping[str, float], worst: bool
) -> str | None:
    """The lowest (or highest) rated touchpoint; ties go to the one that matters more, with some chance."""
    if not scores:
        return None
    target = min(scores.values()) if worst else max(scores.values())
    ties = [k for k, v in scores.items() if v == target]
    w = np.array([weights.get(k, 0.1) + 0.05 for k in ties])
    return ties[int(rng.choice(len(ties), p=w / w.sum()))]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def english_comment(
    rng: np.random.Generator, nps: int, scores: Mapping[str, float], weights: Mapping[str, float], improved: bool
) -> str:
    """An English answer to 'What is the main reason for your score?' that fits the NPS and ratings."""
    cls = nps_class(nps)
    if rng.random() < 0.14:
        return _pick(rng, EN_SHORT[cls])
    best = _extreme(rng, scores, weights, worst=False)
    worst = _extreme(rng, scores, weights, worst=True)
    if best is None or worst is None:
        return _pick(rng, EN_SHORT[cls])

    def pos(tp: str) -> str:
        if tp == "Delivery speed" and improved and rng.random() < 0.6:
            return _pick(rng, EN_DELIVERY_IMPROVED)
        return _pick(rng, EN_PHRASES[tp][0])

    def neg(tp: str) -> str:
        return _pick(rng, EN_PHRASES[tp][1])

    if cls == "promoter":
        body = _sentence(pos(best))
        others = [k for k, v in scores.items() if v >= 4 and k != best]
        if others and rng.random() < 0.35:
            body += " and " + pos(_pick(rng, others))
    elif cls == "detractor":
        body = _sentence(neg(worst))
        others = [k for k, v in scores.items() if v <= 2 and k != worst]
        if others and rng.random() < 0.3:
            body += ", and " + neg(_pick(rng, others))
    elif best == worst:
        body = _sentence(pos(best)) + ", but nothing really stands out"
    else:
        body = _sentence(pos(best)) + ", but " + neg(worst)
    closer = _pick(rng, EN_CLOSERS[cls])
    return f"{body}. {closer}".strip() if not closer.startswith(("😊", "😡")) else f"{body} {closer}"


def japanese_comment(
    rng: np.random.Generator, nps: int, scores: Mapping[str, float], weights: Mapping[str, float]
) -> str:
    """A Japanese ご意見・ご感想 that fits the NPS and ratings (contrast for passives, negation for detractors)."""
    cls = nps_class(nps)
    if rng.random() < 0.18:
        return _pick(rng, JA_SHORT[cls])
    best = _extreme(rng, scores, weights, worst=False)
    worst = _extreme(rng, scores, weights, worst=True)
    if best is None or worst is None:
        return _pick(rng, JA_SHORT[cls])
    pos, neg = _pick(rng, JA_PHRASES[best][0]), _pick(rng, JA_PHRASES[worst][1])
    if cls == "promoter":
        body = f"{pos}。"
    elif cls == "detractor":
        body = f"{neg}。" if rng.random() < 0.6 or best == worst else f"{pos}が、{neg}。"
    else:
        body = f"{pos}が、{neg}。" if best != worst else f"{pos}が、特に印象に残らない。"
    return body + _pick(rng, JA_CLOSERS[cls])


EN_DELIVERY_MIXED = [
    "delivery was fine, nothing special",
    "the parcel came a day later than promised, but it came",
    "delivery was OK but the tracking updates were confusing",
]


def delivery_comment(rng: np.random.Generator, score: float, improved: bool) -> str:
    """An answer to the delivery follow-up question that fits the Delivery speed rating (1–5)."""
    good, bad = EN_PHRASES["Delivery speed"]
    if score >= 4:
        text = _pick(rng, EN_DELIVERY_IMPROVED if improved and rng.random() < 0.5 else good)
    elif score <= 2:
        text = _pick(rng, bad)
    else:
        text = _pick(rng, EN_DELIVERY_MIXED)
    return _sentence(text) + "."
