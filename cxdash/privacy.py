"""Personal data in free text: e-mail addresses, phone numbers and card numbers replaced by ``[email]``, ``[phone]``
and ``[card]`` before a comment is stored.

What counts (full-width characters are folded first, so ０９０－１２３４－５６７８ and ｔａｒｏ＠ｅｘ．ｊｐ count too):

- **e-mail**: ``local@domain.tld`` (ASCII or full-width letters, ``@`` or ``＠``).
- **phone**: Japanese numbers starting with 0 — mobile/IP 070/080/090/050-XXXX-XXXX (11 digits), landlines and
  free dial with hyphens, spaces, dots, brackets or none (03-1234-5678, 045(123)4567, 0120-123-456: 10 digits);
  international ``+81 90-1234-5678`` / ``+81 (0)3 1234 5678`` / ``+44 20 7946 0958`` (8–15 digits); North
  American ``(555) 123-4567``, ``555-123-4567``, ``1-800-555-1234``. Hyphens may be any dash (‐ – — － ー).
- **card**: 13–19 digits, contiguous or in the groups cards are printed in (4-4-4-4, 4-6-5 …), starting 2–6 and
  passing the Luhn check.

Kept on purpose: scores (9/10, 10点), dates (2024-03-15, 2024年3月15日, 03-15-2024), times, prices, percentages,
postcodes (〒100-0001), IP addresses, and phone-like numbers right after ``#`` or an order/tracking word
(注文番号 0312345678, order #555-123-4567) unless a phone word is there too (電話番号, tel). Bare 10-digit numbers
that do not start with 0 are phones only after a phone word (tel, phone, call, 電話, 携帯 …), and numbers glued to
letters (SKU0312345678) are codes. A Luhn-valid card number is masked whatever its label.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

KINDS = ("email", "phone", "card")
TOKENS = {"email": "[email]", "phone": "[phone]", "card": "[card]"}

# One character in, one character out: positions in the folded text are positions in the original.
_FOLD_MAP = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},  # ０-９
    **{0xFF21 + i: 0x41 + i for i in range(26)},  # Ａ-Ｚ
    **{0xFF41 + i: 0x61 + i for i in range(26)},  # ａ-ｚ
    **{ord(c): ord("-") for c in "‐‑‒–—―−－ーｰ﹣"},
    **{ord(c): ord(s) for c, s in zip("＠．＿＋（）：＃　", "@._+():# ", strict=True)},
}
_FOLD = str.maketrans(_FOLD_MAP)  # type: ignore[arg-type]

_EMAIL = r"(?P<email>(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9\-]))"  # noqa: E501
_S = r"[ .\-]"  # one separator
_CARD = (
    r"(?P<card>(?<![0-9])(?<![0-9][ \-])(?:"
    r"\d{13,19}"
    r"|\d{4}(?:[ \-]\d{4}){2}[ \-]\d{1,7}"  # 4-4-4-(1..7): 13-19 digits
    r"|\d{4}[ \-]\d{6}[ \-]\d{4,5}"  # Amex 4-6-5, Diners 4-6-4
    r")(?![0-9])(?![ \-][0-9]))"
)
_PHONE = (
    r"(?P<phone>(?<![0-9])(?<![0-9][.\-/])(?:"
    r"\+\d{1,3}(?:[ .\-]?\(0\))?(?:[ .\-]?\(?\d{1,5}\)?){2,5}"  # international
    r"|\(0\d{1,4}\)[ ]?\d{1,4}[ .\-]?\d{3,4}"  # (03) 1234-5678
    r"|0\d{1,4}(?:" + _S + r"|\(|\)|[ ]?\(|\)[ ]?)\d{1,4}(?:" + _S + r"|\)[ ]?)\d{3,4}"  # 03-1234-5678, 045(123)4567
    r"|0\d{9,10}"  # 09012345678, 0312345678
    r"|(?:1" + _S + r")?\(\d{3}\)[ ]?\d{3}" + _S + r"\d{4}"  # (555) 123-4567
    r"|(?:1" + _S + r")?[2-9]\d{2}" + _S + r"\d{3}" + _S + r"\d{4}"  # 555-123-4567, 1-800-555-1234
    r"|[2-9]\d{9}"  # 5551234567 (only after a phone word)
    r")(?![0-9])(?![.\-/][0-9]))"
)
_EMAILS = re.compile(_EMAIL, re.ASCII)
_NUMBERS = re.compile(f"{_CARD}|{_PHONE}", re.ASCII)
# Where a phone or card number can be: a run of 8+ characters of digits (any width) and separators. Searched in the
# original text (a cheap scan); only the runs, with a little context, are folded and matched in detail.
_RUN = re.compile(r"[\d+＋(（][\d \u3000()（）.．\-‐‑‒–—―−－ーｰ﹣]{6,}[\d)）]")
_CONTEXT = 24  # characters before a number searched for an order or phone word
_NON_DIGITS = re.compile(r"\D", re.ASCII)
_JP_LONG = ("070", "080", "090", "050", "060", "020", "0800")  # the 11-digit Japanese numbers
_ORDER_WORDS = re.compile(
    r"(?:\b(?:order|invoice|tracking|ticket|receipt|booking|reservation|case|ref|reference|sku|item|product|serial|"
    r"account|member|id|no)|#|注文|伝票|追跡|問い?合わせ|受付|予約|管理|会員|商品|型番|品番|請求|領収|口座|レシート|"
    r"整理|番号)[\s:.#-]*$",
    re.IGNORECASE,
)
_PHONE_WORDS = re.compile(
    r"(?:tel|phone|call|mobile|cell|fax|text|sms|whatsapp|電話|携帯|連絡先|ケータイ|スマホ|でんわ)[^0-9]{0,12}$",
    re.IGNORECASE,
)


@dataclass
class MaskCounts:
    """How many items of each kind were replaced."""

    email: int = 0
    phone: int = 0
    card: int = 0
    texts: int = 0  # texts with at least one replacement

    def add(self, other: MaskCounts) -> None:
        self.email += other.email
        self.phone += other.phone
        self.card += other.card
        self.texts += other.texts

    @property
    def total(self) -> int:
        return self.email + self.phone + self.card

    def as_dict(self) -> dict[str, int]:
        return {"email": self.email, "phone": self.phone, "card": self.card, "texts": self.texts}


@dataclass
class _Masker:
    counts: MaskCounts = field(default_factory=MaskCounts)

    def mask(self, text: str) -> str:
        spans: list[tuple[int, int, str]] = []
        if "@" in text or "＠" in text:
            folded = text if text.isascii() else text.translate(_FOLD)
            spans = [(m.start(), m.end(), "email") for m in _EMAILS.finditer(folded)]
        for run in _RUN.finditer(text):
            begin, stop = run.span()
            lo = max(0, begin - _CONTEXT)
            window = text[lo : stop + 2]
            if not window.isascii():
                window = window.translate(_FOLD)  # 1:1, so offsets carry over
            for m in _NUMBERS.finditer(window, begin - lo):
                if m.start() >= stop - lo:
                    break
                kind = m.lastgroup
                start, end = lo + m.start(), lo + m.end()
                if kind is None or any(s < end and start < e for s, e, _ in spans):
                    continue
                if _accept(kind, m.group(), window[max(0, m.start() - _CONTEXT) : m.start()]):
                    spans.append((start, end, kind))
        if not spans:
            return text
        spans.sort()
        parts: list[str] = []
        last = 0
        for start, end, kind in spans:
            parts.append(text[last:start])
            parts.append(TOKENS[kind])
            last = end
            setattr(self.counts, kind, getattr(self.counts, kind) + 1)
        self.counts.texts += 1
        parts.append(text[last:])
        return "".join(parts)


def _accept(kind: str, value: str, before: str) -> bool:
    """Whether a phone or card candidate really is one (digit counts, Luhn, the words just ``before`` it)."""
    digits = _NON_DIGITS.sub("", value)
    if kind == "card":
        return digits[0] in "23456" and _luhn(digits)
    if _ORDER_WORDS.search(before) and not _PHONE_WORDS.search(before):
        return False
    if before[-1:].isascii() and before[-1:].isalpha() and not _PHONE_WORDS.search(before):
        return False  # glued to a word: a product code like AB0312345678
    if value.startswith("+"):
        return 8 <= len(digits) <= 15
    if value.startswith(("0", "(0")):
        if len(digits) == 11:
            return digits.startswith(_JP_LONG)
        return len(digits) == 10
    if value[0] in "23456789" and value.isdigit():  # a bare 10-digit number: a phone only when called one
        return bool(_PHONE_WORDS.search(before))
    return len(digits) in (10, 11)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mask_pii(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with e-mail addresses, phone numbers and card numbers replaced, and how many of each."""
    masker = _Masker()
    masked = masker.mask(text)
    counts = masker.counts.as_dict()
    del counts["texts"]
    return masked, counts


def mask_texts(texts: Iterable[str]) -> tuple[list[str], MaskCounts]:
    """Mask many texts (a column of comments); returns them in order with the total counts.

    One scan over all texts joined finds the few that hold an '@' or a long run of digits; only those are masked
    one by one (100,000 survey comments take a fraction of a second: bench/bench_privacy.py).
    """
    out = list(texts)
    big = "\x00".join(out)  # NUL is neither in an e-mail address nor in a number
    starts = list(accumulate((len(t) + 1 for t in out[:-1]), initial=0))
    todo = {bisect_right(starts, m.start()) - 1 for m in _RUN.finditer(big)}
    for at in ("@", "＠"):
        pos = big.find(at)
        while pos >= 0:
            todo.add(bisect_right(starts, pos) - 1)
            pos = big.find(at, pos + 1)
    masker = _Masker()
    for i in sorted(todo):
        out[i] = masker.mask(out[i])
    return out, masker.counts


def describe_counts(counts: MaskCounts) -> str:
    """'3 e-mail addresses, 1 phone number in 4 comments' (in the current language; empty when nothing was masked)."""
    from cxdash.i18n import t

    if not counts.total:
        return ""
    parts = [
        t(f"privacy.count.{kind}_{'one' if n == 1 else 'many'}", n=n) for kind in KINDS if (n := getattr(counts, kind))
    ]
    texts = "privacy.count.in_comments_one" if counts.texts == 1 else "privacy.count.in_comments"
    return t(texts, items=t("privacy.count.separator").join(parts), n=counts.texts)
