"""Generate the bundled demo: two survey exports with known true drivers, and the workspace spec.

Run ``python -m cxdash.demo.generate`` to rewrite ``data/demo/``. The same seed gives the same bytes.

The story built into Acme Online: loyalty (NPS) is driven by Delivery speed, Product quality and Support chat far
more than by Packaging, Ads & social or Payment options; Delivery speed scores worst (fix first); touchpoints of a
stage move together (collinearity); Premium customers are more loyal and Scotland less (slower delivery); a new
carrier from 2026-06-01 lifts Delivery speed and NPS follows.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from cxdash.demo import spec
from cxdash.demo.comments import delivery_comment, english_comment, japanese_comment

DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
SEED = 20261031
IMPROVEMENT_START = datetime(2026, 6, 1)

# touchpoint: (mean on 1–5 before the improvement, stage factor, weight on the latent NPS, share rated)
ACME_MODEL: dict[str, tuple[float, str | None, float, float]] = {
    "Ads & social": (3.45, None, 0.05, 0.55),
    "Website search": (3.55, "buy", 0.25, 0.85),
    "Product pages": (3.95, "buy", 0.25, 0.90),
    "Checkout": (3.85, "buy", 0.35, 0.95),
    "Payment options": (4.25, "buy", 0.06, 0.88),
    "Delivery speed": (2.55, "deliver", 1.05, 0.96),
    "Packaging": (4.05, "deliver", 0.08, 0.92),
    "Product quality": (4.10, None, 1.00, 0.97),
    "Support chat": (3.30, "support", 0.85, 1.0),  # rated by those who contacted support (decided below)
    "Returns": (3.50, "support", 0.35, 1.0),  # rated by those who returned something
}
SAKURA_MODEL: dict[str, tuple[float, str | None, float, float]] = {
    "品揃え": (3.70, "store", 0.35, 0.92),
    "アプリの使いやすさ": (3.35, None, 0.15, 0.60),
    "価格": (3.25, None, 0.40, 0.97),
    "レジの待ち時間": (3.15, "store", 0.70, 0.90),
    "スタッフの対応": (3.90, "store", 0.50, 0.85),
    "配送スピード": (2.70, None, 0.90, 0.55),
    "商品の品質": (4.05, None, 1.00, 0.97),
    "ポイント特典": (3.55, None, 0.10, 0.80),
}


def _timestamps(rng: np.random.Generator, n: int, start: datetime, end: datetime) -> list[datetime]:
    """Sorted response times between start and end, volume growing a little over time, mostly in daytime."""
    days = (end - start).days
    weights = np.linspace(0.8, 1.2, days)
    day = rng.choice(days, size=n, p=weights / weights.sum())
    seconds = np.clip(rng.normal(14.5 * 3600, 4 * 3600, n), 6 * 3600, 23.9 * 3600).astype(int)
    return sorted(start + timedelta(days=int(d), seconds=int(s)) for d, s in zip(day, seconds, strict=True))


def _scores(latent: np.ndarray) -> np.ndarray:
    """A continuous latent opinion to a 1–5 rating."""
    return np.clip(np.rint(latent), 1, 5)


def _latent(
    rng: np.random.Generator, model: dict[str, tuple[float, str | None, float, float]], n: int, halo: np.ndarray
) -> dict[str, np.ndarray]:
    """Latent touchpoint opinions: mean + halo (everyone's general mood) + stage factor + own noise."""
    factors = {f: rng.normal(0, 1, n) for f in sorted({m[1] for m in model.values() if m[1]})}
    out = {}
    for tp, (mean, factor, _, _) in model.items():
        shared = 0.45 * factors[factor] if factor else 0.0
        out[tp] = mean + 0.3 * halo + shared + rng.normal(0, 0.7, n)
    return out


FOLLOW_UP_SEED = 20260601


def generate_acme(rng: np.random.Generator, n: int = 3000) -> pd.DataFrame:
    """Acme Online: an English in-house e-commerce survey export with known drivers and a delivery fix."""
    when = _timestamps(rng, n, datetime(2025, 9, 1), datetime(2026, 11, 1))
    plan = rng.choice(["Basic", "Plus", "Premium"], n, p=[0.52, 0.30, 0.18])
    region = rng.choice(["London", "South East", "Midlands", "North", "Scotland"], n, p=[0.24, 0.22, 0.2, 0.22, 0.12])
    age = rng.choice(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"], n, p=[0.12, 0.26, 0.24, 0.18, 0.12, 0.08])
    channel = rng.choice(["web", "app", "store", "phone"], n, p=[0.46, 0.30, 0.12, 0.12])
    ramp = np.clip(np.array([(t - IMPROVEMENT_START).days for t in when]) / 45.0, 0, 1)
    halo = rng.normal(0, 1, n)
    lat = _latent(rng, ACME_MODEL, n, halo)
    lat["Delivery speed"] += 0.85 * ramp - 0.5 * (region == "Scotland") - 0.15 * (region == "North")
    lat["Delivery speed"] += 0.2 * (plan == "Premium")
    contacted = rng.random(n) < 0.22 + 0.25 * (lat["Delivery speed"] < 2.5)
    returned = rng.random(n) < 0.18
    y = 7.2 + 0.9 * (plan == "Premium") + 0.35 * (plan == "Plus") - 0.3 * (region == "Scotland")
    y = y + 0.25 * (age == "65+") + rng.normal(0, 1.3, n)
    for tp, (mean, _, weight, _) in ACME_MODEL.items():
        used = contacted if tp == "Support chat" else returned if tp == "Returns" else np.ones(n, bool)
        y = y + weight * (lat[tp] - mean) * used
    nps = np.clip(np.rint(y), 0, 10)
    csat = np.clip(np.rint(0.42 * y + 0.8 + rng.normal(0, 0.6, n)), 1, 5)
    ces = 4.7 + 0.5 * (lat["Website search"] - 3.55) + 0.5 * (lat["Checkout"] - 3.85) + 0.3 * halo
    ces = np.clip(np.rint(ces + 0.6 * contacted * (lat["Support chat"] - 3.3) + rng.normal(0, 0.9, n)), 1, 7)
    frame = pd.DataFrame(
        {
            "Response ID": [f"R-{100001 + i}" for i in range(n)],
            "Customer ID": [f"C-{v:06d}" for v in rng.integers(1, 2600, n)],
            "Submitted": [t.strftime("%Y-%m-%d %H:%M:%S") for t in when],
            "Plan": plan,
            "Region": region,
            "Age group": age,
            "Channel": channel,
            spec.ACME_NPS_Q: _blank(rng, nps, 0.01),
            spec.ACME_CSAT_Q: _blank(rng, csat, 0.03),
            spec.ACME_CES_Q: _blank(rng, ces, 0.05),
        }
    )
    rated: dict[str, np.ndarray] = {}
    for tp, (_, _, _, share) in ACME_MODEL.items():
        seen = rng.random(n) < share
        if tp == "Delivery speed":
            seen &= (channel != "store") | (rng.random(n) < 0.3)
        seen &= contacted if tp == "Support chat" else returned if tp == "Returns" else True
        rated[tp] = np.where(seen, _scores(lat[tp]), np.nan)
        frame[spec.acme_rating_column(tp)] = _int_text(rated[tp])
    weights = {tp: m[2] for tp, m in ACME_MODEL.items()}
    answer = rng.random(n) < np.where(nps <= 6, 0.68, np.where(nps <= 8, 0.5, 0.6))
    comments = []
    for i in range(n):
        scores = {tp: float(v[i]) for tp, v in rated.items() if not np.isnan(v[i])}
        text = english_comment(rng, int(nps[i]), scores, weights, improved=ramp[i] > 0.5)
        comments.append(text if answer[i] else "")
    frame[spec.ACME_COMMENT_Q] = comments
    # a follow-up question on delivery, tied to its touchpoint; its own seeded stream leaves the rest unchanged
    follow = np.random.default_rng(FOLLOW_UP_SEED)
    delivery = rated["Delivery speed"]
    asked = ~np.isnan(delivery) & (follow.random(n) < 0.3)
    frame[spec.ACME_DELIVERY_COMMENT_Q] = [
        delivery_comment(follow, float(delivery[i]), improved=ramp[i] > 0.5) if asked[i] else "" for i in range(n)
    ]
    return frame


def generate_sakura(rng: np.random.Generator, n: int = 1500) -> pd.DataFrame:
    """さくらマート: a Japanese Google-Forms-like export (opened and saved by Excel) with known drivers."""
    when = _timestamps(rng, n, datetime(2025, 11, 1), datetime(2026, 11, 1))
    age = rng.choice(["10代", "20代", "30代", "40代", "50代", "60代以上"], n, p=[0.04, 0.14, 0.22, 0.24, 0.18, 0.18])
    area = rng.choice(
        ["北海道", "東北", "関東", "中部", "近畿", "中国・四国", "九州・沖縄"],
        n,
        p=[0.1, 0.08, 0.32, 0.16, 0.18, 0.07, 0.09],
    )
    rank = rng.choice(["レギュラー", "シルバー", "ゴールド"], n, p=[0.55, 0.28, 0.17])
    halo = rng.normal(0, 1, n)
    lat = _latent(rng, SAKURA_MODEL, n, halo)
    lat["配送スピード"] -= 0.5 * (area == "北海道")
    lat["アプリの使いやすさ"] -= 0.4 * (age == "60代以上")
    delivery_user = rng.random(n) < np.where(age == "60代以上", 0.3, 0.6)
    y = 5.6 + 1.2 * (rank == "ゴールド") + 0.4 * (rank == "シルバー") + rng.normal(0, 1.3, n)
    for tp, (mean, _, weight, _) in SAKURA_MODEL.items():
        y = y + weight * (lat[tp] - mean) * (delivery_user if tp == "配送スピード" else 1)
    nps = np.clip(np.rint(y), 0, 10)
    csat = np.clip(np.rint(0.45 * y + 0.6 + rng.normal(0, 0.6, n)), 1, 5)
    frame = pd.DataFrame(
        {
            "タイムスタンプ": [t.strftime("%Y/%m/%d %H:%M") for t in when],
            "会員番号": [f"SM{v:07d}" for v in rng.integers(1, 9_000_000, n)],
            "年代": age,
            "地域": area,
            "会員ランク": rank,
            spec.SAKURA_NPS_Q: _blank(rng, nps, 0.0),
            spec.SAKURA_CSAT_Q: _blank(rng, csat, 0.02),
        }
    )
    rated: dict[str, np.ndarray] = {}
    for tp, (_, _, _, share) in SAKURA_MODEL.items():
        seen = rng.random(n) < share
        if tp == "配送スピード":
            seen = delivery_user & (rng.random(n) < 0.95)
        rated[tp] = np.where(seen, _scores(lat[tp]), np.nan)
        frame[spec.sakura_rating_column(tp)] = _int_text(rated[tp])
    weights = {tp: m[2] for tp, m in SAKURA_MODEL.items()}
    answer = rng.random(n) < np.where(nps <= 6, 0.62, 0.48)
    comments = []
    for i in range(n):
        scores = {tp: float(v[i]) for tp, v in rated.items() if not np.isnan(v[i])}
        text = japanese_comment(rng, int(nps[i]), scores, weights)
        comments.append(text if answer[i] else "")
    frame[spec.SAKURA_COMMENT_Q] = comments
    return frame


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> list[str]:
    """Integers as text with a share of unanswered (empty) cells."""
    return _int_text(np.where(rng.random(len(values)) < share, np.nan, values))


def _int_text(values: np.ndarray) -> list[str]:
    return ["" if np.isnan(v) else str(int(v)) for v in values]


def write_demo(out_dir: Path = DEMO_DIR, seed: int = SEED) -> list[Path]:
    """Write both survey files and demo_workspaces.json into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    acme = out_dir / spec.ACME_FILE
    acme.write_bytes(generate_acme(rng).to_csv(index=False, lineterminator="\n").encode("utf-8"))
    sakura = out_dir / spec.SAKURA_FILE
    # Japanese Excel saves CSV as cp932 with CRLF line ends.
    sakura.write_bytes(generate_sakura(rng).to_csv(index=False, lineterminator="\r\n").encode("cp932"))
    meta = out_dir / "demo_workspaces.json"
    meta.write_text(json.dumps(spec.workspace_specs(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [acme, sakura, meta]


def main() -> None:
    """CLI entry: regenerate data/demo/ and print what was written."""
    for path in write_demo():
        print(f"{path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
