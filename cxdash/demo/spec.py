"""What the demo workspaces contain besides the survey files: column roles, journey stages, personas, journeys,
improvement actions and the follow-up history of the queue.

``generate`` writes this to ``data/demo/demo_workspaces.json``; ``load`` reads that file (not this module), so a
facilitator can edit the JSON by hand.
"""

from __future__ import annotations

from typing import Any

ACME_NAME = "Demo — Acme Online (EN)"
SAKURA_NAME = "デモ — さくらマート (JA)"
ACME_FILE = "acme_online_survey.csv"
SAKURA_FILE = "sakura_mart_survey_ja.csv"

ACME_NPS_Q = "How likely are you to recommend Acme Online to a friend or colleague?"
ACME_CSAT_Q = "Overall, how satisfied are you with Acme Online?"
ACME_CES_Q = "How easy was it to get what you needed?"
ACME_COMMENT_Q = "What is the main reason for your score?"
ACME_DELIVERY_COMMENT_Q = "Anything you would like to tell us about the delivery?"
ACME_ATTRIBUTES = ["Plan", "Region", "Age group"]
# (touchpoint, stage); the order is the journey's order.
ACME_TOUCHPOINTS = [
    ("Ads & social", "Discover"),
    ("Website search", "Discover"),
    ("Product pages", "Buy"),
    ("Checkout", "Buy"),
    ("Payment options", "Buy"),
    ("Delivery speed", "Deliver"),
    ("Packaging", "Deliver"),
    ("Product quality", "Use"),
    ("Support chat", "Support"),
    ("Returns", "Support"),
]

SAKURA_NPS_Q = "さくらマートを友人や同僚に薦める可能性はどのくらいありますか？"
SAKURA_CSAT_Q = "さくらマートの総合満足度をお聞かせください"
SAKURA_COMMENT_Q = "ご意見・ご感想"
SAKURA_MATRIX_Q = "各項目の満足度をお聞かせください"
SAKURA_ATTRIBUTES = ["年代", "地域", "会員ランク"]
SAKURA_TOUCHPOINTS = [
    ("品揃え", "来店・検索"),
    ("アプリの使いやすさ", "来店・検索"),
    ("価格", "購入"),
    ("レジの待ち時間", "購入"),
    ("スタッフの対応", "購入"),
    ("配送スピード", "受け取り"),
    ("商品の品質", "利用"),
    ("ポイント特典", "継続"),
]


def acme_rating_column(touchpoint: str) -> str:
    return f"Satisfaction - {touchpoint}"


def sakura_rating_column(touchpoint: str) -> str:
    return f"{SAKURA_MATRIX_Q} [{touchpoint}]"


def _step(
    tp: str | None,
    label: str,
    channel: str,
    action: str,
    thinking: str,
    emotion: int,
    pains: str,
    opportunities: str,
    owner: str,
) -> dict[str, Any]:
    return {
        "touchpoint": tp,
        "label": label,
        "channel": channel,
        "action": action,
        "thinking": thinking,
        "emotion": emotion,
        "pain_points": pains,
        "opportunities": opportunities,
        "owner": owner,
    }


def _acme() -> dict[str, Any]:
    mapping = {
        "Response ID": "response_id",
        "Customer ID": "customer_id",
        "Submitted": "date",
        "Channel": "channel",
        ACME_NPS_Q: "nps",
        ACME_CSAT_Q: "csat",
        ACME_CES_Q: "ces",
        ACME_COMMENT_Q: "comment",
        ACME_DELIVERY_COMMENT_Q: "comment:Delivery speed",
    }
    mapping |= {a: f"attribute:{a}" for a in ACME_ATTRIBUTES}
    mapping |= {acme_rating_column(tp): f"rating:{tp}" for tp, _ in ACME_TOUCHPOINTS}
    personas = [
        {
            "name": "Premium Priya",
            "avatar": "👩‍💼",
            "summary": "Time-poor professional on the Premium plan who orders weekly from the app and expects it to "
            "just work.",
            "goals": "Get household essentials without thinking about it\nDeliveries she can plan her day around",
            "pains": "Late or vague delivery slots\nChasing support about a missing parcel",
            "behaviours": "Orders on the app in the evening\nUses saved baskets\nReads reviews only for new brands",
            "channels": "app, support chat, email",
            "quote": "If it says Tuesday, it needs to be Tuesday.",
            "segment": {"Plan": ["Premium"], "Age group": ["25-34", "35-44"]},
        },
        {
            "name": "Bargain-hunting Ben",
            "avatar": "🧢",
            "summary": "Price-driven student on the Basic plan who compares every basket and shops on the website.",
            "goals": "The lowest total price including delivery\nFree and easy returns",
            "pains": "Delivery costs and slow standard delivery\nSearch that hides the cheapest option",
            "behaviours": "Compares prices in several tabs\nWaits for promotions seen on social media",
            "channels": "web, Instagram, TikTok",
            "quote": "Cheap is great, but not if I wait ten days for it.",
            "segment": {"Plan": ["Basic"], "Age group": ["18-24", "25-34"]},
        },
    ]
    stages = [
        (
            "Discover",
            [
                _step(
                    "Ads & social",
                    "Sees an offer",
                    "social",
                    "Scrolls past a promoted post",
                    "Is that deal real?",
                    0,
                    "Ads repeat too often",
                    "Cap frequency; show live prices",
                    "Marketing",
                ),
                _step(
                    "Website search",
                    "Searches the site",
                    "web/app",
                    "Types a product name",
                    "Why is the first result out of stock?",
                    -1,
                    "Irrelevant results",
                    "Synonyms and in-stock first",
                    "E-commerce",
                ),
            ],
        ),
        (
            "Buy",
            [
                _step(
                    "Product pages",
                    "Reads product page",
                    "web/app",
                    "Checks photos, size and reviews",
                    "Looks right",
                    1,
                    "Missing dimensions",
                    "Size guides on key categories",
                    "Merchandising",
                ),
                _step(
                    "Checkout",
                    "Checks out",
                    "web/app",
                    "Pays and picks a delivery slot",
                    "Quick, good",
                    1,
                    "Forced re-login",
                    "Stay signed in on the app",
                    "E-commerce",
                ),
                _step(
                    "Payment options",
                    "Pays",
                    "web/app",
                    "Chooses card or PayPal",
                    "Fine",
                    1,
                    "",
                    "Add Apple Pay",
                    "Payments",
                ),
            ],
        ),
        (
            "Deliver",
            [
                _step(
                    "Delivery speed",
                    "Waits for the parcel",
                    "email/SMS",
                    "Tracks the parcel",
                    "Where is it? It said Tuesday.",
                    -2,
                    "Late deliveries; tracking stuck on 'in transit'",
                    "New regional carrier since June 2026; proactive delay SMS",
                    "Logistics",
                ),
                _step(
                    "Packaging",
                    "Unboxes",
                    "home",
                    "Opens the box",
                    "Lots of plastic",
                    0,
                    "Oversized boxes",
                    "Right-size packaging",
                    "Logistics",
                ),
            ],
        ),
        (
            "Use",
            [
                _step(
                    "Product quality",
                    "Uses the product",
                    "home",
                    "Uses the product for weeks",
                    "Good quality",
                    2,
                    "",
                    "Invite reviews after 2 weeks",
                    "Merchandising",
                ),
            ],
        ),
        (
            "Support",
            [
                _step(
                    "Support chat",
                    "Asks for help",
                    "support chat",
                    "Opens chat about a late parcel",
                    "Just tell me where it is",
                    -2,
                    "Long waits; bot loops",
                    "Hand over to a human after 2 turns",
                    "Customer service",
                ),
                _step(
                    "Returns",
                    "Returns an item",
                    "web/store",
                    "Prints a label, drops off the parcel",
                    "When do I get my money back?",
                    -1,
                    "Refunds take weeks",
                    "Refund on drop-off scan",
                    "Customer service",
                ),
            ],
        ),
        (
            "Loyalty",
            [
                _step(
                    None,
                    "Reorders & recommends",
                    "app/email",
                    "Reorders from history; tells a friend",
                    "Would I risk it for a gift?",
                    1,
                    "Delivery doubts hold back referrals",
                    "Referral credit once delivery is reliable",
                    "CRM",
                ),
            ],
        ),
    ]
    return {
        "name": ACME_NAME,
        "language": "en",
        "file": ACME_FILE,
        "encoding": "utf-8",
        "mapping": mapping,
        "touchpoints": [{"name": tp, "stage": st, "position": i + 1} for i, (tp, st) in enumerate(ACME_TOUCHPOINTS)],
        "personas": personas,
        "journey": {
            "name": "Order to doorstep",
            "persona": "Premium Priya",
            "description": "From seeing an offer to reordering; delivery is the moment that breaks loyalty.",
            "stages": [{"name": n, "steps": s} for n, s in stages],
        },
        "followup": {"owners": ["Sam Patel", "Chloe Martin", "Ben Okafor"], "seed": 11},
        "actions": [
            {
                "title": "Next-day courier for standard delivery",
                "touchpoints": ["Delivery speed"],
                "start": "2026-06-01",
                "status": "in_progress",
                "owner": "Logistics — Sam Patel",
                "origin": "drivers",
                "description": "Delivery speed is the fix-first touchpoint: high impact on NPS, lowest score. "
                "A second courier takes standard parcels next-day; Scotland follows in a second wave.",
                "expected_effect": "Delivery speed +0.5 points within three months; NPS of delivery raters +10.",
            },
            {
                "title": "Support chat staffed until 22:00",
                "touchpoints": ["Support chat"],
                "start": "2026-09-15",
                "status": "in_progress",
                "owner": "Service — Chloe Martin",
                "origin": "journey",
                "journey_touchpoint": "Support chat",
                "description": "Evening shoppers wait until the next morning for an answer about their parcel.",
                "expected_effect": "Support chat +0.3 points; fewer 'no answer' comments.",
            },
            {
                "title": "Prepaid returns label in every parcel",
                "touchpoints": ["Returns"],
                "start": "2026-10-20",
                "status": "planned",
                "owner": "Operations — Ben Okafor",
                "origin": "manual",
                "description": "Customers print labels themselves today; a label in the box removes that step.",
                "expected_effect": "Returns +0.3 points.",
            },
        ],
    }


def _sakura() -> dict[str, Any]:
    mapping = {
        "タイムスタンプ": "date",
        "会員番号": "customer_id",
        SAKURA_NPS_Q: "nps",
        SAKURA_CSAT_Q: "csat",
        SAKURA_COMMENT_Q: "comment",
    }
    mapping |= {a: f"attribute:{a}" for a in SAKURA_ATTRIBUTES}
    mapping |= {sakura_rating_column(tp): f"rating:{tp}" for tp, _ in SAKURA_TOUCHPOINTS}
    personas = [
        {
            "name": "共働きの佐藤さん",
            "avatar": "👩‍👧",
            "summary": "平日はネットスーパー、週末は店舗でまとめ買いをする共働きの母親。",
            "goals": "買い物の時間を短くしたい\n新鮮な食材を確実に受け取りたい",
            "pains": "配送が予定どおりに来ない\n夕方のレジが混んでいる",
            "behaviours": "通勤中にアプリで注文\n週末に家族で来店",
            "channels": "アプリ, 店舗, LINE",
            "quote": "品質は良いけど、配送が遅いと夕飯に間に合わない。",
            "segment": {"年代": ["30代", "40代"], "会員ランク": ["ゴールド", "シルバー"]},
        },
        {
            "name": "シニアの田中さん",
            "avatar": "👴",
            "summary": "毎日近所の店舗に通う年金生活者。店員との会話も楽しみのひとつ。",
            "goals": "安くて良い物を少しずつ買いたい\nポイントを無駄なく使いたい",
            "pains": "アプリが使いにくい\n価格が上がっている",
            "behaviours": "午前中に来店\nチラシで特売を確認",
            "channels": "店舗, チラシ",
            "quote": "もう少し安いとうれしい。",
            "segment": {"年代": ["60代以上"], "会員ランク": ["レギュラー", "シルバー"]},
        },
    ]
    stages = [
        (
            "来店・検索",
            [
                _step(
                    "品揃え",
                    "商品を探す",
                    "店舗",
                    "売り場で商品を探す",
                    "欲しい物はあるかな",
                    0,
                    "欠品が多い",
                    "欠品の見える化",
                    "店舗運営",
                ),
                _step(
                    "アプリの使いやすさ",
                    "アプリで注文",
                    "アプリ",
                    "通勤中に注文する",
                    "操作が分かりにくい",
                    -1,
                    "検索しにくい",
                    "よく買う商品をトップに表示",
                    "デジタル推進",
                ),
            ],
        ),
        (
            "購入",
            [
                _step(
                    "価格",
                    "価格を比べる",
                    "店舗",
                    "チラシと比較する",
                    "少し高いかも",
                    -1,
                    "値上げが続いている",
                    "会員限定価格",
                    "商品部",
                ),
                _step(
                    "レジの待ち時間",
                    "会計する",
                    "店舗",
                    "レジに並ぶ",
                    "早く帰りたい",
                    -1,
                    "夕方の混雑",
                    "セルフレジの増設",
                    "店舗運営",
                ),
                _step(
                    "スタッフの対応",
                    "店員に質問する",
                    "店舗",
                    "売り場を尋ねる",
                    "親切で助かる",
                    1,
                    "",
                    "接客の好事例を共有",
                    "店舗運営",
                ),
            ],
        ),
        (
            "受け取り",
            [
                _step(
                    "配送スピード",
                    "商品を受け取る",
                    "ネットスーパー",
                    "配送を待つ",
                    "まだ届かない…",
                    -2,
                    "配送予定日に届かない",
                    "配送枠の見直しと遅延通知",
                    "物流",
                ),
            ],
        ),
        (
            "利用",
            [
                _step(
                    "商品の品質",
                    "調理して食べる",
                    "自宅",
                    "食材を使う",
                    "新鮮でおいしい",
                    2,
                    "",
                    "産地情報の発信",
                    "商品部",
                ),
            ],
        ),
        (
            "継続",
            [
                _step(
                    "ポイント特典",
                    "ポイントを使う",
                    "アプリ",
                    "ポイントで支払う",
                    "お得感がもう少し欲しい",
                    0,
                    "使える場面が少ない",
                    "ポイント倍デーの告知",
                    "CRM",
                ),
            ],
        ),
    ]
    return {
        "name": SAKURA_NAME,
        "language": "ja",
        "file": SAKURA_FILE,
        "encoding": "cp932",
        "mapping": mapping,
        "touchpoints": [{"name": tp, "stage": st, "position": i + 1} for i, (tp, st) in enumerate(SAKURA_TOUCHPOINTS)],
        "personas": personas,
        "journey": {
            "name": "ネットスーパーの注文から受け取りまで",
            "persona": "共働きの佐藤さん",
            "description": "来店・注文から受け取り、ポイント利用まで。配送の遅れが推奨度を下げている。",
            "stages": [{"name": n, "steps": s} for n, s in stages],
        },
        "followup": {"owners": ["佐藤 花子", "鈴木 一郎", "高橋 美咲"], "seed": 23},
        "actions": [
            {
                "title": "配送時間帯の指定枠を拡大",
                "touchpoints": ["配送スピード"],
                "start": "2026-07-01",
                "status": "in_progress",
                "owner": "物流部 — 鈴木",
                "origin": "journey",
                "journey_touchpoint": "配送スピード",
                "description": "夕方の配送枠を2枠増やし、遅延時はアプリで通知する。",
                "expected_effect": "配送スピードの満足度 +0.3、配送に関する否定的なコメントの減少。",
            },
            {
                "title": "夕方のレジ応援体制",
                "touchpoints": ["レジの待ち時間"],
                "start": "2026-10-01",
                "status": "planned",
                "owner": "店舗運営部 — 高橋",
                "origin": "drivers",
                "description": "17〜19時に品出し担当がレジに入る。",
                "expected_effect": "レジの待ち時間の満足度 +0.2。",
            },
        ],
    }


def workspace_specs() -> dict[str, Any]:
    """The content of demo_workspaces.json."""
    return {"version": 1, "workspaces": [_acme(), _sakura()]}
