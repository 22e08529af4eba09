"""Tokenisation: Japanese by morphological analysis (compounds, base forms), English words, stop words."""

from __future__ import annotations

import pytest

from cxdash.analysis.tokens import analyse, language_of, lemma_en, ngrams, stopwords, terms


def test_japanese_noun_compound_stays_one_word() -> None:
    got = terms("配送スピードが遅かった", "ja")
    assert got[0] == "配送スピード"
    assert "配" not in got and "配送" not in got and "スピード" not in got


def test_japanese_adjective_in_base_form() -> None:
    assert "遅い" in terms("配送スピードが遅かった", "ja")
    assert "遅い" in terms("配送が遅くて届かない", "ja")


def test_japanese_verbs_in_base_form_and_particles_dropped() -> None:
    got = terms("配送が遅くて届いた", "ja")
    assert got == ["配送", "遅い", "届く"]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("配送が遅くて届かない", "届かない"),  # not 届く: a keyword means what the customer said
        ("届かなかった", "届かない"),
        ("二度と使わない", "使わない"),  # and no 度: a counter after a number is no word
        ("もう使いません", "使いません"),
        ("味は良くない", "良くない"),
        ("アプリが使いやすくない", "使いやすくない"),
    ],
)
def test_japanese_negated_words_keep_their_negation(text: str, term: str) -> None:
    got = terms(text, "ja")
    assert term in got and "度" not in got


def test_japanese_words_are_not_split_into_characters() -> None:
    got = terms("店員さんの対応がとても丁寧でした。朝食バイキングは美味しかった", "ja")
    assert {"店員", "対応", "丁寧", "朝食バイキング", "美味しい"} <= set(got)
    assert all(len(t) > 1 for t in got)
    assert "さん" not in got and "とても" not in got  # honorific suffix and stop word dropped


def test_japanese_verb_with_ease_suffix_is_one_term() -> None:
    assert "使いにくい" in terms("アプリが使いにくい", "ja")
    assert "見づらい" in terms("サイトが見づらい", "ja")


def test_japanese_full_width_ascii_is_normalised() -> None:
    assert "app" in terms("ＡＰＰが重い", "ja")


def test_japanese_punctuation_breaks_phrases() -> None:
    runs = analyse("返品・返金の手続きが面倒", "ja").runs
    assert runs[0] == ("返品",)
    assert "返品 返金" not in ngrams(runs)
    assert "返金 手続き" in ngrams(runs)


def test_japanese_stop_words_removed() -> None:
    got = terms("今回はとても良いと思いました", "ja")
    assert "今回" not in got and "思う" not in got


def test_english_lower_case_plurals_and_stop_words() -> None:
    got = terms("The PARCELS arrived three days late, and the Deliveries were not tracked!", "en")
    assert got == ["parcel", "arrived", "day", "late", "delivery", "tracked"]
    assert "the" in stopwords("en") and "and" not in got


@pytest.mark.parametrize(
    ("word", "lemma"),
    [("boxes", "box"), ("replies", "reply"), ("classes", "class"), ("bus", "bus"), ("news", "news"), ("days", "day")],
)
def test_english_plural_rules(word: str, lemma: str) -> None:
    assert lemma_en(word) == lemma


def test_english_phrases_do_not_span_stop_words() -> None:
    grams = ngrams(analyse("Customer service was slow and the staff were rude", "en").runs)
    assert "customer service" in grams
    assert "service slow" not in grams and "slow staff" not in grams


def test_ngrams_up_to_three_words() -> None:
    assert ngrams([("a1", "b1", "c1", "d1")], 3) == {
        "a1", "b1", "c1", "d1", "a1 b1", "b1 c1", "c1 d1", "a1 b1 c1", "b1 c1 d1",
    }  # fmt: skip


def test_ngrams_of_every_length_as_slices_give_them() -> None:
    import random

    rng = random.Random(4)
    for _ in range(300):
        runs = [tuple(rng.choice("abcde") for _ in range(rng.randrange(0, 7))) for _ in range(rng.randrange(0, 4))]
        for max_n in range(0, 6):
            sliced = {" ".join(r[i : i + n]) for r in runs for n in range(1, max_n + 1) for i in range(len(r) - n + 1)}
            assert ngrams(runs, max_n) == sliced, (runs, max_n)


def test_language_routing() -> None:
    assert language_of("配送が遅い", None) == "ja"
    assert language_of("Delivery was slow", "other") == "en"
    assert language_of("OK", "ja") == "ja"


def test_english_words_as_the_regular_expressions_split_them() -> None:
    """A text is split by str.translate and split (its non-ASCII characters made spaces), not by the two regular
    expressions: the same clauses and words as splitting on clause breaks and finding the words in each, on texts
    full of the characters where the two could differ (' and - at word edges and doubled, breaks in a row, non-ASCII
    letters, emoji, full-width forms, white space outside ASCII)."""
    import random
    import re

    from cxdash.analysis.tokens import _en_form, en_haystack, en_terms, en_words, normalize

    clause_breaks = re.compile(r"[.!?;:,()\[\]{}\"/\n\r\t…|]+")
    word = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")

    def reference(text: str) -> list[list[str]]:
        found = (word.findall(clause) for clause in clause_breaks.split(normalize(text)))
        return [[_en_form(w) for w in words] for words in found if words]

    pieces = [
        *"abcXYZ019 '-.,!?;:()[]{}\"/\n\t|…’‘é日-_*&%$#@~`^+=<>\\",
        *"⭐👍\ufe0f£ßİﬁ①—\u2028\x85\x1c",
        "ｆｕｌｌ",
        "Ａ",
        "\u3000",
        "ｰ",
        "boxes",
        "it's",
    ]
    rnd = random.Random(7)
    texts = ["", " ", "Don't--stop; it's well-known... 'quoted' -dash- a'-b", "Café's 'best' e-mail(s)!"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30))) for _ in range(20_000)]
    for text in texts:
        expected = reference(text)
        assert en_words(text) == expected, text
        assert en_terms(text) == [w for i, words in enumerate(expected) for w in (["|"] if i else []) + words]
        assert en_haystack(text) == " " + " | ".join(" ".join(words) for words in expected) + " "


def test_japanese_tokens_read_from_raw_features_as_fugashi_reads_them() -> None:
    """``_tag`` reads pos1, pos2 and orthBase from each node's raw CSV features instead of fugashi's named tuple:
    the same tokens, on words the dictionary knows and does not know (fewer fields), quotes and commas in the text
    (quoted fields), symbols, emoji, half-width kana and Latin letters."""
    import random

    from cxdash.analysis.tokens import _tag, _tagger, normalize

    def reference(text: str) -> list[tuple[str, str, str, str]]:
        out = []
        for w in _tagger()(text):
            f = w.feature
            out.append((w.surface, getattr(f, "orthBase", None) or w.surface, f.pos1 or "", f.pos2 or ""))
        return out

    pieces = [*'価格が"高い",、。「」ｶﾀｶﾅＡＢＣabc 123😀𠮷ー〜…・\u3000', "配送スピード", "使いやすい", "ﾃｽﾄ"]
    rnd = random.Random(3)
    texts = ["", "価格がとても良かったです。", '"引用",と、カンマ', "スタッフの対応は最悪だった…二度と行かない"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 25))) for _ in range(3_000)]
    for text in texts:
        norm = normalize(text)
        assert _tag(norm) == (reference(norm) if norm else []), text


def test_raw_features_with_a_quoted_field_before_the_base_form_are_left_to_fugashi() -> None:
    from cxdash.analysis.tokens import _features

    known = '名詞,普通名詞,一般,*,*,*,カカク,価格,価格,カカク,価格,カカク,漢,*,*,*,*,カカク,"0,1",C2,*'
    assert _features(known) == ("価格", "名詞", "普通名詞")  # a quoted field after orthBase is not read
    assert _features("名詞,普通名詞,一般,*,*,*") == (None, "名詞", "普通名詞")  # an unknown word
    assert _features('名詞,固有名詞,一般,*,*,*,エー,"A,B",A,エー,"A,B",エー,外,*') is None
