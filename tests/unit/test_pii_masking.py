"""Masking personal data in comments: what is masked (e-mail, phone, card; English and Japanese formats) and,
as important, what is not (scores, dates, prices, order numbers, codes)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdash.privacy import describe_counts, mask_pii, mask_texts

EMAILS = [
    ("Contact me at taro.yamada@example.co.jp please", "Contact me at [email] please"),
    ("mail: first.last+tag@sub.example.com.", "mail: [email]."),
    ("メールはtaro@example.comです", "メールは[email]です"),
    ("メールはｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍまでお願いします", "メールは[email]までお願いします"),
    ("返信先：hanako_s@mail.example.ne.jp（平日のみ）", "返信先：[email]（平日のみ）"),
    ("two: a@b.io and c.d@e-f.org", "two: [email] and [email]"),
]
PHONES = [
    # Japanese mobile / IP phones, with and without hyphens, full-width, long-vowel mark used as a hyphen
    ("連絡先：090-1234-5678", "連絡先：[phone]"),
    ("電話番号 09012345678 に折り返してください", "電話番号 [phone] に折り返してください"),
    ("０９０－１２３４－５６７８までお電話ください", "[phone]までお電話ください"),
    ("携帯は080ー9876ー5432です", "携帯は[phone]です"),
    ("050-1234-5678", "[phone]"),
    ("070 1234 5678", "[phone]"),
    # Japanese landlines and free dial
    ("03-1234-5678", "[phone]"),
    ("(03)1234-5678", "[phone]"),
    ("（０３）１２３４－５６７８", "[phone]"),
    ("045(123)4567", "[phone]"),
    ("0123-45-6789", "[phone]"),
    ("0120-123-456 にかけました", "[phone] にかけました"),
    ("TEL:06 1234 5678", "TEL:[phone]"),
    ("TEL0312345678", "TEL[phone]"),
    ("お店の電話0312345678が繋がらない", "お店の電話[phone]が繋がらない"),
    # international
    ("+81 90-1234-5678", "[phone]"),
    ("+81-3-1234-5678", "[phone]"),
    ("+81 (0)3 1234 5678", "[phone]"),
    ("＋８１９０１２３４５６７８", "[phone]"),
    ("+44 20 7946 0958", "[phone]"),
    # North America
    ("Call (555) 123-4567 now", "Call [phone] now"),
    ("555-123-4567", "[phone]"),
    ("555.123.4567", "[phone]"),
    ("1-800-555-1234", "[phone]"),
    ("+1 555 123 4567", "[phone]"),
    ("please call me back on 5551234567", "please call me back on [phone]"),
]
CARDS = [
    ("card 4111 1111 1111 1111", "card [card]"),
    ("4111-1111-1111-1111", "[card]"),
    ("paid with 5500000000000004.", "paid with [card]."),
    ("Amex 3782 822463 10005", "Amex [card]"),
    ("カード番号は３５３０１１１３３３３０００００です", "カード番号は[card]です"),
    ("my order 4111111111111111 was charged twice", "my order [card] was charged twice"),  # a card whatever its label
]
KEPT = [
    "I give it 9/10",
    "NPS 10, CSAT 5, CES 2",
    "10点中8点です",
    "評価は５点満点で４点",
    "2024-03-15",
    "2024/03/15 10:30",
    "2024年3月15日に届いた",
    "03-15-2024",
    "15.03.2024",
    "20240315",
    "202403151030",
    "1710489600",
    "Order #123456789",
    "order #555-123-4567",
    "注文番号 0312345678 の件",
    "注文番号：090-1234-5678",  # labelled as an order number
    "伝票番号 1234-5678-9012",
    "お問い合わせ番号 0120123456",
    "Tracking 1234 5678 9012 3456",  # fails the Luhn check
    "1234 5678 9012 3456",
    "SKU0312345678",
    "〒100-0001 東京都千代田区",
    "ZIP 12345-6789",
    "¥12,800 でした",
    "price 1,234,567 yen",
    "NPS went from -20 to +35",
    "+5 points since March",
    "version 1.2.3",
    "192.168.1.1",
    "took 3-5 days",
    "1～2週間かかった",
    "2019-2023",
    "times 10:00-12:00",
    "0.5-1.0",
    "ISBN 978-4-12-345678-9",
    "5551234567",  # ten digits with no phone word: an id
    "@taro said hi",
    "me@home",
    "a@b.c",
    "The delivery was quick and the staff were friendly.",
    "配送が遅く、サポートの対応も不親切でした。",
    "",
]


@pytest.mark.parametrize(("text", "expected"), EMAILS)
def test_emails_are_masked(text: str, expected: str) -> None:
    masked, counts = mask_pii(text)
    assert masked == expected
    assert counts["email"] == expected.count("[email]") and counts["phone"] == counts["card"] == 0


@pytest.mark.parametrize(("text", "expected"), PHONES)
def test_phone_numbers_are_masked(text: str, expected: str) -> None:
    masked, counts = mask_pii(text)
    assert masked == expected
    assert counts == {"email": 0, "phone": 1, "card": 0}


@pytest.mark.parametrize(("text", "expected"), CARDS)
def test_card_numbers_with_a_valid_luhn_digit_are_masked(text: str, expected: str) -> None:
    masked, counts = mask_pii(text)
    assert masked == expected
    assert counts == {"email": 0, "phone": 0, "card": 1}


@pytest.mark.parametrize("text", KEPT)
def test_scores_dates_prices_and_order_numbers_are_kept(text: str) -> None:
    assert mask_pii(text) == (text, {"email": 0, "phone": 0, "card": 0})


def test_a_card_number_one_digit_off_is_kept() -> None:
    assert mask_pii("4111 1111 1111 1112")[0] == "4111 1111 1111 1112"


def test_several_kinds_in_one_comment_keep_the_rest_of_the_text() -> None:
    text = (
        "配送が遅い。090-1234-5678 か taro@example.jp に連絡ください。注文番号 0312345678、"
        "カード 4111 1111 1111 1111、評価 2/10、2024年3月15日。"
    )
    masked, counts = mask_pii(text)
    assert masked == (
        "配送が遅い。[phone] か [email] に連絡ください。注文番号 0312345678、カード [card]、評価 2/10、2024年3月15日。"
    )
    assert counts == {"email": 1, "phone": 1, "card": 1}


def test_mask_texts_keeps_order_and_counts_per_comment() -> None:
    texts = ["fine", "call 090-1234-5678 or 03-1234-5678", "x@example.com", "order #123", "ok ０９０１２３４５６７８"]
    masked, counts = mask_texts(texts)
    assert masked == ["fine", "call [phone] or [phone]", "[email]", "order #123", "ok [phone]"]
    assert counts.as_dict() == {"email": 1, "phone": 3, "card": 0, "texts": 3}
    assert describe_counts(counts) == "1 e-mail address, 3 phone numbers in 3 comments"
    assert describe_counts(mask_texts(["nothing here"])[1]) == ""


def test_mask_texts_of_nothing() -> None:
    masked, counts = mask_texts([])
    assert masked == [] and counts.total == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789０９ -()+@.abcｘ電話番号注文#", max_size=40), max_size=8))
def test_masking_many_equals_masking_each_and_is_idempotent(texts: list[str]) -> None:
    one_by_one = [mask_pii(t)[0] for t in texts]
    together, counts = mask_texts(texts)
    assert together == one_by_one
    assert mask_texts(together)[0] == together  # masked text has nothing left to mask
    assert counts.texts == sum(a != b for a, b in zip(texts, together, strict=True))
