"""Messages of personas and journey maps in Japanese: a refused persona or journey file, a bad segment rule and a
segment's description say what is wrong — which persona or step, which field, which value — in the reader's
language; English stays the default."""

from __future__ import annotations

import json

import pytest

from cxdash import journeys_io
from cxdash.errors import InputRefused
from cxdash.i18n import use_language
from cxdash.personas_io import parse_personas
from cxdash.store.personas import clean_segment, describe_segment


def refused(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InputRefused) as caught:
        call(*args)
    return caught.value.message


def test_a_refused_persona_file_says_why_in_japanese() -> None:
    bad_avatar = {
        "cxdash": "personas",
        "version": 1,
        "personas": [{"name": "Good"}, {"name": "Bad", "avatar": "x" * 50}],
    }
    twice = {"cxdash": "personas", "version": 1, "personas": [{"name": "佐藤"}, {"name": " 佐藤 "}]}
    with use_language("ja"):
        assert refused(parse_personas, b'{"cxdash": ').startswith("ファイルが正しい JSON ではありません（1 行目、")
        assert refused(parse_personas, b'{"cxdash": "journey"}') == (
            'cxdash のペルソナファイルではありません。ファイルは {"cxdash": "personas", ...} で始まる必要があります。'
        )
        assert refused(parse_personas, bad_avatar) == (
            "ペルソナ 2（「Bad」）：アバター「xxxxxxxxxxxxxxxxxxxx…」が長すぎます。"
            "絵文字を使うか、画像をアップロードしてください。"
        )
        assert (
            refused(parse_personas, twice)
            == "ペルソナ 2（「佐藤」）の名前がペルソナ 1 と同じです。名前は重複できません。"
        )
        assert refused(clean_segment, '{"年代": {"a": 1}}') == (
            '「年代」のセグメント条件は値のリストにしてください（例：["Premium"]）。'
        )
    # the same file in English (the default)
    assert refused(parse_personas, bad_avatar).startswith("Persona 2 ('Bad'): The avatar 'xxxxxxxxxxxxxxxxxxxx…'")


def test_a_refused_journey_file_says_which_step_in_japanese() -> None:
    steps = [{"touchpoint_label": "決済", "emotion": 1}, {"emotion": 5}]
    doc = {
        "cxdash": "journey",
        "version": 1,
        "name": "注文から受け取りまで",
        "stages": [{"name": "購入", "steps": steps}],
    }
    with use_language("ja"):
        assert refused(journeys_io.loads, json.dumps(doc, ensure_ascii=False)) == (
            "ステージ 1（「購入」）のステップ 2：感情は −2 から +2 の整数にしてください（5 ではなく）。"
        )
        assert refused(journeys_io.loads, "{}") == (
            'cxdash のジャーニーマップのファイルではありません（"cxdash": "journey" が必要です）。'
        )
        assert refused(journeys_io.load_template, "nope") == "「nope」というジャーニーテンプレートはありません。"
    assert refused(journeys_io.loads, json.dumps(doc)) == (
        'Stage 1 ("購入"), step 2: emotion must be a whole number from −2 to +2, not 5.'
    )


def test_segment_descriptions() -> None:
    rule = {"年代": ["20代", "30代"], "Plan": ["Pro"]}
    assert describe_segment(rule) == "年代 is 20代 or 30代 and Plan is Pro"
    assert describe_segment({}) == "everyone"
    with use_language("ja"):
        assert describe_segment(rule) == "年代が20代 または 30代、かつ PlanがPro"
        assert describe_segment({}) == "全員"


def test_copy_names() -> None:
    from cxdash.store.personas import _copy_name

    assert _copy_name("Ben (copy)", {"ben (copy)"}) == "Ben (copy 2)"
    with use_language("ja"):
        assert _copy_name("佐藤さん", set()) == "佐藤さん（コピー）"
        assert _copy_name("佐藤さん（コピー）", {"佐藤さん（コピー）"}) == "佐藤さん（コピー 2）"  # a copy of a copy
