"""Binary quality of cxdash's Japanese sentiment on a labelled file.

Usage: python bench/bench_sentiment_ja.py FILE [--lexicon-only] [--errors] [--windows]

FILE is tab-separated ``text<TAB>label`` with labels pos/neg (positive/negative, 1/0 also accepted); a header line
is skipped. A header naming a ``sentence`` or ``text`` column and a ``label`` column selects those columns (so the
chABSA file in shared/eval/ja can be given as it is); rows with an empty or other label are skipped.
Prints n, accuracy, macro-F1, negative recall/precision and coverage (share of texts with a non-abstaining
score: the sign decides, compound ≥ 0 → pos), and the throughput.

With ``--windows`` the file's third column must name each sentence's source as ``file:line`` (cxdash's crowd-review
sets do): every 2 and 3 consecutive lines of one source whose labels agree are joined into one comment, so the
analyser is measured on comments of several sentences as a survey collects them.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cxdash.analysis.sentiment_ja import explain, score_ja_batch  # noqa: E402

_POS = {"pos", "positive", "1", "p"}
_NEG = {"neg", "negative", "0", "n"}


def read_labelled(path: str) -> tuple[list[str], list[str]]:
    csv.field_size_limit(10_000_000)
    texts: list[str] = []
    labels: list[str] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    if not rows:
        return texts, labels
    text_col, label_col = 0, 1
    header = [c.strip().lower() for c in rows[0]]
    start = 0
    if "label" in header:
        label_col = header.index("label")
        text_col = next((header.index(c) for c in ("text", "sentence", "comment") if c in header), 0)
        start = 1
    elif len(rows[0]) > 1 and rows[0][1].strip().lower() not in _POS | _NEG:
        start = 1
    for row in rows[start:]:
        if len(row) <= max(text_col, label_col):
            continue
        label = row[label_col].strip().lower()
        text = row[text_col]
        if not text.strip() or label not in _POS | _NEG:
            continue
        texts.append(text)
        labels.append("pos" if label in _POS else "neg")
    return texts, labels


def read_windows(path: str, sizes: tuple[int, ...] = (2, 3)) -> tuple[list[str], list[str]]:
    """Comments of ``sizes`` consecutive sentences of one source (``file:line`` in the third column) that share a
    label, joined as written (each sentence keeps its 。)."""
    by_source: dict[str, list[tuple[int, str, str]]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 3 or row[0].startswith("#") or ":" not in row[2]:
                continue
            label = row[1].strip().lower()
            if label not in _POS | _NEG:
                continue
            source, line = row[2].rsplit(":", 1)
            by_source.setdefault(source, []).append((int(line), row[0], "pos" if label in _POS else "neg"))
    texts: list[str] = []
    labels: list[str] = []
    for rows in by_source.values():
        rows.sort()
        for k in range(len(rows)):
            for n in sizes:
                window = rows[k : k + n]
                if len(window) == n and window[-1][0] - window[0][0] == n - 1 and len({w[2] for w in window}) == 1:
                    texts.append("".join(w[1] for w in window))
                    labels.append(window[0][2])
    return texts, labels


def metrics(gold: list[str], pred: list[str | None]) -> dict[str, float]:
    n = len(gold)
    covered = [(g, p) for g, p in zip(gold, pred, strict=True) if p is not None]
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0
    f1s = []
    out: dict[str, float] = {"n": n, "accuracy": acc, "coverage": len(covered) / n if n else 0.0}
    for cls in ("pos", "neg"):
        tp = sum(1 for g, p in covered if g == cls and p == cls)
        fp = sum(1 for g, p in covered if g != cls and p == cls)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p != cls)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        f1s.append(f1)
        out[f"{cls}_precision"], out[f"{cls}_recall"], out[f"{cls}_f1"] = prec, rec, f1
    out["macro_f1"] = sum(f1s) / 2
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--lexicon-only", action="store_true", help="do not consult the embedding classifier")
    ap.add_argument("--errors", action="store_true", help="print misclassified texts (development sets only)")
    ap.add_argument("--windows", action="store_true", help="2-3 consecutive same-label sentences as one comment")
    args = ap.parse_args(argv)
    texts, gold = read_windows(args.file) if args.windows else read_labelled(args.file)
    if not texts:
        print("no labelled rows")
        return 1
    t0 = time.perf_counter()
    scores = score_ja_batch(texts, use_embedding=not args.lexicon_only)
    elapsed = time.perf_counter() - t0
    pred: list[str | None] = ["pos" if s.compound >= 0 else "neg" for s in scores]
    m = metrics(gold, pred)
    n_embed = sum(1 for s in scores if s.p_embed is not None)
    share_pos = gold.count("pos") / len(gold)
    print(f"file: {args.file}")
    print(f"n={int(m['n'])} (pos {share_pos:.0%})  embedding consulted on {n_embed} ({n_embed / len(texts):.0%})")
    print(f"accuracy   {m['accuracy']:.3f}")
    print(f"macro-F1   {m['macro_f1']:.3f}")
    print(f"neg recall {m['neg_recall']:.3f}  neg precision {m['neg_precision']:.3f}")
    print(f"pos recall {m['pos_recall']:.3f}  pos precision {m['pos_precision']:.3f}")
    print(f"coverage   {m['coverage']:.3f}")
    print(f"speed      {len(texts) / elapsed:.0f} texts/s ({elapsed:.2f} s)")
    if args.errors:
        for t, g, s in zip(texts, gold, scores, strict=True):
            p = "pos" if s.compound >= 0 else "neg"
            if p != g:
                pe = "" if s.p_embed is None else f" p={s.p_embed:.2f}"
                print(f"  [{g}] {s.compound:+.2f} lex={s.lexicon_sum:+.2f}{pe} {t}  {explain(t).hits}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
