"""Suggesting a role for each column of a RawTable from its name, its question text and its values.

Rules are general patterns in English and Japanese, applied in passes: what to ignore (metadata, personal data,
empty or constant columns), ids and the response date, scores (NPS, CSAT, CES, touchpoint ratings), then
comments, channel and segment attributes. Each suggestion carries a short reason the UI shows beside it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from numbers import Real
from typing import Any

from cxdash.i18n import t
from cxdash.ingest.labels import MAX_LABELS, LabelScale, is_label, read_scale
from cxdash.ingest.parse import (
    ERA_DATE,
    ERA_FIRST,
    SERIAL_TEXT,
    STARS,
    is_compact_date,
    is_epoch_time,
    is_excel_serial,
    is_not_answered_text,
    says_nothing,
)
from cxdash.ingest.table import RawTable
from cxdash.roles import SCALE_SPAN, is_column_scale

# --------------------------------------------------------------------------------------------- name patterns

_META_EXACT = {
    "status", "progress", "duration(inseconds)", "duration", "finished", "distributionchannel", "userlanguage",
    "locationlatitude", "locationlongitude", "recipientemail", "recipientfirstname", "recipientlastname",
    "externalreference", "externaldatareference", "collectorid", "responsetype", "ipaddress", "emailaddress",
    "firstname", "lastname", "fullname", "name", "名前", "お名前", "氏名", "姓", "名", "useragent", "url", "mail",
    "phone", "tel", "telephone", "mobile", "address", "住所", "電話", "responseset",
}  # fmt: skip
_META_CONTAINS = (
    "email", "e-mail", "メールアドレス", "電話番号", "携帯番号", "phonenumber", "ipaddress", "ipアドレス", "氏名",
    "フリガナ", "ふりがな", "latitude", "longitude", "useragent", "npsgroup",
)  # fmt: skip
_META_PATTERN = re.compile(r"^(customdata\d*|recipient.*)$")
#: the company's answers to a review or ticket (a store's or developer's reply): not what customers wrote
_REPLIER = r"(?:developer|owner|company|merchant|management|store|shop|hotel|seller|host|business)(?:'?s)?"
_REPLY = re.compile(rf"^(?:{_REPLIER}\s+)?(?:reply|replies|replied)\b|^{_REPLIER} response\b|返信|[a-z.]reply\b")
# Contact details (personal data): offered as customer_name / customer_email, stored only when the import keeps
# personal data. First and last names in separate columns, kana readings and addresses stay ignored.
_NAME_COLUMN = re.compile(
    r"^(name|fullname|yourname|customername|clientname|contactname|respondentname|recipientname|"
    r"名前|お名前|氏名|ご氏名|顧客名|お客様名|お客さま名|会員名|ご芳名|氏名漢字)(\(.*\))?$"
    # who wrote a review: Trustpilot's "Review Consumer Name", Google's reviewer.displayName, 投稿者
    r"|^(review(er)?|reviewconsumer|consumer|author|reviewauthor|user|display|nick|screen|reviewer\.display)name$"
    r"|^(reviewer|author|reviewauthor|reviewedby|writtenby|postedby|nickname|投稿者|投稿者名|ニックネーム|"
    r"レビュアー|ユーザー名|ユーザ名)$"
)
_EMAIL_COLUMN = re.compile(
    r"^(e-?mail|e-?mailaddress|mail|mailaddress|recipiente-?mail|customere-?mail|contacte-?mail|youre-?mail|"
    r"eメール|eメールアドレス|メール|メールアドレス|ご?連絡先メールアドレス|ごメールアドレス)(\(.*\))?$"
)
_QUALTRICS_SYSTEM = re.compile(r"^q_[a-z]{3,}", re.IGNORECASE)  # Q_RecaptchaScore, Q_Language …
_RESPONSE_ID = re.compile(
    r"^(response|respondent|submission|review|ticket|record|survey response|survey|conversation|interaction|feedback|"
    r"口コミ|回答|回答者|レビュー|問い合わせ)"  # Medallia's Survey ID, Intercom's conversation_id
    r"[_.]?(id|no|number|番号|#)$|^(id|#|token|responsetoken|回答番号|回答id|_recordid)$"
)
_CUSTOMER_ID = re.compile(
    r"^(customer|client|user|member|account|contact|顧客|会員|ユーザー?|お客様)(id|no|number|番号|code|コード|#)$"
    r"|^(customer|顧客)$"
    r"|^(reviewer|reviewconsumer|consumer|author)(user)?id$|^review(er)?userid$"  # "Review Consumer User ID"
)
ID_REPEATS = 0.1  # a column named like a response id is one with up to this share of its values repeated
DATE_NAMED = 4  # the rank of a name that says "date" (below it: any name with "time" or 日 in it)
_DATE_NAMES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^recordeddate$"), 7),
    (re.compile(r"^(enddate|timestamp|タイムスタンプ|回答日時|submitted(at|date)?|completed(at|date)?|送信日時)$"), 6),
    (re.compile(r"(回答日|日付|日時|^date$|createdat|reviewdate|responsedate|surveydate)"), 4),
    (re.compile(r"(date|time|日)"), 2),
    (re.compile(r"^startdate$"), 1),
)
_NPS = re.compile(r"recommend|\bnps\b|net promoter|推奨|おすすめ|お勧め|お薦め|オススメ|すすめ|勧め|薦め|紹介し")
_NPS_STRONG = re.compile(r"recommend|\bnps\b|net promoter|推奨|おすすめ")
_CSAT = re.compile(r"satisf|\bcsat\b|満足")
_CES = re.compile(r"\bces\b|effort|\beas(?:y|ily|e)\b|手間|簡単|容易|スムーズ|楽に|労力|負担|苦労")
_OVERALL = re.compile(r"overall|in general|\btotal\b|総合|全体|全般|csat")
_RATING_WORDS = re.compile(r"rating|score|stars?\b|grade|評価|点数|スコア|星|満足")
_COUNT_WORDS = re.compile(
    r"\b(count|number|num|qty|quantity|amount|price|age|visits?|orders?|times|children|seconds|minutes|hours)\b|#|"
    r"\b(code|id|no)\b|個数|件数|回数|人数|年齢|金額|価格|数量|コード|番号"
)
_COMMENT = re.compile(
    r"comment|\bwhy\b|reason|feedback|tell us|verbatim|review|remark|suggest|improve|explain|describe|"
    r"anything else|open[- ]ended|\btext\b|message|body|理由|コメント|意見|感想|自由記述|自由回答|要望|お聞かせ|記述"
)
_CHANNEL = re.compile(r"channel|チャネル|チャンネル|経路|流入|媒体|\bsource\b|\bvia\b")
_TOUCHPOINT = re.compile(r"touch ?point|category|\barea\b|\btopic\b|タッチポイント|カテゴリ|接点|分類")
_ATTRIBUTE = re.compile(
    r"\b(plan|region|country|state|prefecture|city|gender|sex|age ?group|age|generation|segment|tier|industry|"
    r"department|store|branch|shop|product|device|platform|membership|rank|level|role|occupation|job|"
    r"company size|size|language|type|group|cohort)\b|"
    r"年代|性別|地域|都道府県|会員ランク|ランク|プラン|職業|業種|店舗|商品|デバイス|属性|区分|種別|エリア|居住|年齢|"
    r"世代|会員種別|契約"
)
_GENERATED_KEY = re.compile(r"^(q\d+[\w.]*|qid\d+[\w.]*|v\d+|column \d+)$", re.IGNORECASE)
_BRACKETED = re.compile(r"[\[【「『]([^\[\]【】「」『』]+)[\]】」』]")
#: a scale written in the header, "Delivery (1-7)", "満足度 [1～10]", "（1〜5点）": not a matrix row, but the scale
_SCALE_NOTE = re.compile(rf"\s*[\[(（【［]\s*{SCALE_SPAN}\s*(?:点|pts?|points?)?\s*[\])）】］]", re.IGNORECASE)
_DASH_SPLIT = re.compile(r"\s+[-–—]\s+")
_STRIP_EN = r"(?:rating|ratings|score|scores|stars?|satisfaction|satisfied|csat|evaluation|grade)"
_STRIP_JA = r"(?:の評価|の満足度|評価|満足度|満足|点数|スコア)"
#: a question's number before its text: "Q2. ", "Q3_1 ", "Q6) ", 問4, 設問5．, "1. "
_QUESTION_NUMBER = re.compile(
    r"^\s*(?:(?:q|問|設問|質問)\s*\d{1,3}(?:[-_.]\d{1,3})*\s*[-–.)．）:：、_]?|\d{1,2}\s*[.)．）])\s*(?=[^\W\d_])",
    re.I,
)
_CIRCLED = re.compile(r"^\s*[\u2460-\u2473\u3251-\u325f](?=\S)")  # ②スタッフの対応 (NFKC would make it 2)
#: the words left before a rated thing once "Satisfaction" or "Rating" is taken off its front
_JOINING_WORDS = re.compile(r"^(?:with|of)\s+(?:the\s+|our\s+|your\s+|its\s+)?", re.I)

# ------------------------------------------------------------------------------------------- value patterns

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_IPV4 = re.compile(r"^(\d{1,3}\.){3}\d{1,3}$")
_IPV6 = re.compile(r"^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$", re.IGNORECASE)
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?\(?\d{1,4}\)?([\s-]\(?\d{1,4}\)?){1,3}[\s-]\d{3,4}$")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: a date that names its month: "01 Apr 2024", "April 1, 2024", "1-Apr-24", "Mon, 01 Apr 2024 10:00:00"
_NAMED_DATE = re.compile(
    rf"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:\d{{1,2}}[ -]{_MONTH}[ -]\d{{2,4}}|{_MONTH} \d{{1,2}}, \d{{4}})",
    re.IGNORECASE,
)
#: an answer of up to four words, then its number in brackets ("Very satisfied (5)", 満足(4))
_TRAILING_INT = re.compile(r"^(?P<words>(?:[^\d\s]+\s){0,3}[^\d\s]+?)\s*\(\s*(?P<n>[+-]?\d{1,3})\s*\)$")
_DATE_TEXT = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b")
#: a value at least this wide (CJK characters count double) is long text; a column where this share of the rows hold
#: long text that repeats word for word (in 3 rows or more) is not free text from customers
LONG_TEXT = 30
REPEATED_TEXT_SHARE = 0.25
_SMALL_INT = re.compile(r"^([+-]?\d{1,3})(?:\.0+)?(?:\s+[-–:=]\s*\D.*|\s*[(（].*)?$")
_HALF = re.compile(r"^\d\.5$")  # 4.5 (stars)
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _norm(text: str) -> str:
    """Text folded for matching: NFKC, lower case, underscores as spaces, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).replace("_", " ").lower().split())


def _compact(text: str) -> str:
    """Text folded for exact-name matching: NFKC, lower case, no spaces or underscores."""
    return re.sub(r"[\s_]+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass
class _Profile:
    """What the sample says about one column's values."""

    rows: int = 0
    n: int = 0
    distinct: int = 0
    ints: list[int] = field(default_factory=list)
    int_share: float = 0.0
    number_share: float = 0.0
    date_share: float = 0.0
    email_share: float = 0.0
    ip_share: float = 0.0
    url_share: float = 0.0
    phone_share: float = 0.0
    text_share: float = 0.0
    mean_length: float = 0.0
    long_repeat_share: float = 0.0  # rows whose value is long (≥ LONG_TEXT wide) and in 3 rows or more, word for word
    labels: LabelScale | None = None  # answers in words of one verbal scale ("Very satisfied"), as its numbers
    said_nothing: int = 0  # answers that only say there is nothing to add (特になし, No, Nothing else)
    date_number_share: float = 0.0  # numbers that may be dates: Excel serials (45352: 2024-03-01), 20240301
    half_share: float = 0.0  # numbers half-way between two whole ones within 0–10 (a review's 4.5 stars)
    substance: _Profile | None = None  # the profile of the other answers, where those are many (see SAID_NOTHING)

    @cached_property  # asked for many times per column; ``ints`` is set once, by ``_profile``
    def in_scale(self) -> list[int]:
        """The integer answers within 0–10: a few stray values (typos, 99 = don't know) are left to validation."""
        return [i for i in self.ints if 0 <= i <= 10]

    @property
    def lo(self) -> int:
        return min(self.in_scale) if self.in_scale else 0

    @property
    def hi(self) -> int:
        return max(self.in_scale) if self.in_scale else 0

    @property
    def scale(self) -> str:
        if self.labels is not None:
            return t("suggest.words_scale", lo=self.labels.scale[0], hi=self.labels.scale[1])
        return f"{self.lo}–{self.hi}"

    @property
    def is_half_steps(self) -> bool:
        """Answers on a 0–10 scale in whole and half steps (a review site's 4.5 stars), mostly whole."""
        whole = self.int_share
        return self.n > 0 and self.half_share > 0 and whole >= self.half_share and whole + self.half_share >= 0.75

    @property
    def is_small_int(self) -> bool:
        """Answers on a 0–10 (or shorter) integer scale."""
        inside = self.in_scale
        mostly_inside = bool(self.ints) and len(inside) >= 0.75 * len(self.ints)
        return self.n > 0 and self.int_share >= 0.75 and mostly_inside and len(set(inside)) >= 2

    @property
    def is_free_text(self) -> bool:
        """Long, mostly distinct text: comments rather than categories."""
        ratio = self.distinct / self.n if self.n else 0.0
        return self.number_share < 0.5 and self.mean_length >= 16 and self.text_share >= 0.5 and ratio >= 0.5

    @property
    def is_repeated_category(self) -> bool:
        """Up to 100 short names, each in ten rows or more on average: a segment with many values (an airline, a
        store, a prefecture), not text and not an id."""
        many = self.distinct <= 100 and self.n >= 10 * self.distinct
        return self.n > 0 and many and self.mean_length <= 40 and self.number_share < 0.5

    @property
    def is_low_cardinality(self) -> bool:
        """Few distinct, short values: categories."""
        few = self.distinct <= MAX_CATEGORIES and (self.n < 10 or self.distinct <= max(2, self.n // 2))
        return self.n > 0 and few and self.mean_length <= 40


def _width(text: str) -> int:
    """Display length: CJK characters count double (a Japanese sentence is short in characters)."""
    return len(text) + len(_CJK.findall(text))


#: answers saying there is nothing to add, from this share of a column's answers on, leave its other answers to be
#: profiled alone as well: a comment column in which most wrote 特になし or No is still a comment column
SAID_NOTHING = 0.1
MAX_CATEGORIES = 30  # a segment has at most this many values (see _Profile.is_low_cardinality)
SAID_SOMETHING_MIN = 3  # the fewest other answers that are profiled alone


def _profile(values: Iterable[Any], rows: int) -> _Profile:
    """Profile the non-empty values of a column (each distinct value is looked at once: answers repeat)."""
    values = list(values)
    # keyed by type too: 1, 1.0 and True are equal but are counted as an integer, a number and nothing
    counts = Counter(zip(map(type, values), values, strict=True))
    few = len(values) < 200  # in a long column, an answer saying nothing that counts is one that repeats
    p = _Profile(rows=rows)
    ints: list[int] = []
    texts: set[str] = set()
    n = numbers = dates = emails = ips = urls = phones = sentences = length = long_repeats = said_nothing = 0
    serials = halves = 0
    for (_, raw), c in counts.items():
        if raw is None or (isinstance(raw, str) and is_not_answered_text(raw)):  # blank, N/A, わからない
            continue
        n += c
        if (c > 1 or few) and type(raw) is str and says_nothing(raw):  # (a marker worth counting repeats)
            said_nothing += c
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        texts.add(text)
        ascii_text = text.isascii()  # no CJK character to count
        width = len(text) if ascii_text else _width(text)
        length += width * c
        long_repeats += c * (c >= 3 and width >= LONG_TEXT)
        if type(raw) is not str:  # Excel's dates, booleans and numbers (a str is none of them)
            if isinstance(raw, dt.date | dt.datetime | dt.time):
                dates += c
                continue
            if isinstance(raw, bool):
                continue
            if isinstance(raw, Real):  # int, float and their numpy cousins
                numbers += c
                value = float(raw)
                serials += c * (
                    is_excel_serial(value) or is_compact_date(str(int(value)) if value.is_integer() else "")
                )
                halves += c * (0 < value < 10 and (2 * value).is_integer() and not value.is_integer())
                if value.is_integer():
                    ints.extend([int(value)] * c)
                continue
        ipv4 = None
        if not text[:1].isalpha():  # a number, date, IPv4 address or phone number starts with a digit, sign or bracket
            match = _SMALL_INT.match(text)
            if match:
                ints.extend([int(match.group(1))] * c)
            numbers += c * bool(_NUMBER.match(text))
            serials += c * bool(
                SERIAL_TEXT.match(text) and is_excel_serial(float(text)) or is_compact_date(text) or is_epoch_time(text)
            )
            halves += c * bool(_HALF.match(text))
            if STARS.fullmatch(text):  # ★★★☆☆
                ints.extend([text.count("★")] * c)
                numbers += c
            dated = bool(_DATE_TEXT.match(text) or _NAMED_DATE.match(text))
            dates += c * dated
            ipv4 = _IPV4.match(text)
            phones += c * bool(not dated and _PHONE.match(text))  # 13-03-2015 is a date, not a phone number
        elif (text.startswith(ERA_FIRST) and ERA_DATE.match(text)) or _NAMED_DATE.match(text):  # 令和6年, April 1
            dates += c
        elif text.endswith(")") and (match := _TRAILING_INT.match(text)) and is_label(match["words"]):
            ints.extend([int(match["n"])] * c)  # "Very satisfied (5)", 満足(4); not a comment ending "(4)"
            numbers += c
        # each pattern only where the one character or prefix it cannot match without is there (most values: none)
        emails += c * bool("@" in text and _EMAIL.match(text))
        ips += c * bool(ipv4 or (":" in text and _IPV6.match(text)))
        urls += c * bool(("://" in text or text[:4].lower() == "www.") and _URL.match(text))
        sentences += c * bool(" " in text or (not ascii_text and len(_CJK.findall(text)) >= 5))
    p.n, p.distinct, p.said_nothing = n, len(texts), said_nothing
    if not n:
        return p
    if said_nothing >= SAID_NOTHING * n and n - said_nothing >= SAID_SOMETHING_MIN:
        p.substance = _profile((v for v in values if not (type(v) is str and says_nothing(v))), rows)
    p.ints, p.int_share = ints, len(ints) / n
    p.number_share, p.date_share = numbers / n, dates / n
    p.email_share, p.ip_share, p.url_share, p.phone_share = emails / n, ips / n, urls / n, phones / n
    p.text_share, p.mean_length, p.long_repeat_share = sentences / n, length / n, long_repeats / n
    p.date_number_share, p.half_share = serials / n, halves / n
    if p.int_share < 0.5 and p.distinct <= MAX_LABELS:  # answers in words: "Very satisfied", やや不満
        words = Counter({raw: c for (kind, raw), c in counts.items() if kind is str and not is_not_answered_text(raw)})
        scale = read_scale(words) if sum(words.values()) >= 0.5 * n else None
        if scale is not None:
            p.labels = scale
            p.ints = [int(v) for text, c in words.items() if (v := scale.number(text)) is not None for _ in range(c)]
            p.int_share = p.number_share = len(p.ints) / n
            p.text_share = 0.0
    return p


# ------------------------------------------------------------------------------------------------ names


def scale_note(text: str) -> tuple[int, int] | None:
    """The scale a header writes in brackets ("Delivery (1-7)", 満足度［1～10］), when it is one a column can have."""
    match = _SCALE_NOTE.search(text)
    if match is None:
        return None
    scale = int(match.group(1)), int(match.group(2))
    return scale if is_column_scale(scale) else None


#: what a survey tool appends to a question that is not a matrix row: Qualtrics' "- Selected Choice" (a multiple-choice
#: question exported with its choice texts), SurveyMonkey's "- Response" / "- Open-Ended Response"
_NOT_A_ROW = re.compile(r"\s+-\s+(?:selected choice|response|open-ended response)$", re.IGNORECASE)


def _matrix_label(text: str) -> tuple[str, str] | None:
    """(question stem, row label) when a header names one row of a matrix question, else None."""
    text = _NOT_A_ROW.sub("", _SCALE_NOTE.sub(" ", text).strip())
    brackets = _BRACKETED.findall(text)
    if brackets:
        label = brackets[-1].strip()
        stem = _BRACKETED.sub(" ", text).strip()
        if label and stem:
            return stem, label
    parts = _DASH_SPLIT.split(text)
    if len(parts) >= 2:
        stem, label = " - ".join(parts[:-1]).strip(), parts[-1].strip()
        if stem and label and len(label) <= 60 and len(label.split()) <= 6:
            return stem, label
    return None


def clean_name(text: str) -> str:
    """A readable touchpoint/attribute name: a question number before it ("Q2.", 問4) and brackets and rating words
    around it removed ("Satisfaction with delivery" → Delivery), '_' → space."""
    name = _SCALE_NOTE.sub(" ", unicodedata.normalize("NFKC", _CIRCLED.sub("", text, count=1)))
    unnumbered = _QUESTION_NUMBER.sub("", name, count=1)
    return (_clean_words(unnumbered) if unnumbered != name else "") or _clean_words(name)  # "Q1_rating": Q1


def _clean_words(name: str) -> str:
    """clean_name after the question number: brackets and rating words off, "with"/"of" left before the thing."""
    name = name.replace("_", " ")
    name = re.sub(r"[\[\]【】「」『』]", " ", name)
    name = " ".join(name.split()).strip(" :：?？・-")
    for _ in range(3):
        name = re.sub(rf"^{_STRIP_EN}\b[\s:：-]*|[\s:：-]*\b{_STRIP_EN}$", "", name, flags=re.IGNORECASE).strip()
        name = re.sub(rf"^{_STRIP_JA}[:：\s]*|[\s:：]*{_STRIP_JA}$", "", name).strip()
        name = re.sub(r"(について|への|の)$", "", name).strip(" :：?？・-")
    joined = _JOINING_WORDS.sub("", name, count=1)  # what was "Satisfaction with …", "Rating of the …"
    if joined != name and joined:
        name = joined[:1].upper() + joined[1:] if joined.isascii() else joined
    return name


@dataclass
class _Column:
    """One column as the rules see it: its key, readable text, matrix row label and value profile."""

    key: str
    question: str
    profile: _Profile

    @property
    def text(self) -> str:
        """Key and question text, folded, for keyword matching."""
        return _norm(f"{self.key} | {self.question}" if self.question and self.question != self.key else self.key)

    @property
    def compact(self) -> str:
        return _compact(self.key)

    @property
    def display(self) -> str:
        """The most readable name: the question text when the key is a generated id like Q2_1, else the key."""
        if self.question and (_GENERATED_KEY.match(self.key.strip()) or _matrix_label(self.question)):
            return self.question
        return self.key

    @property
    def matrix(self) -> tuple[str, str] | None:
        return _matrix_label(self.display) or _matrix_label(self.key)


def _subject(column: _Column) -> str:
    """What a column is about: its matrix row label, or its readable name (without a tool's "- Selected Choice")."""
    matrix = column.matrix
    return matrix[1] if matrix else _NOT_A_ROW.sub("", column.display)


#: a rating question's words around what it rates: "How would you rate our delivery?", "How was the checkout?"
_RATE_QUESTION = re.compile(
    r"^(?:how (?:would|do|did|will) you rate|how satisfied (?:were|are) you with|how (?:was|were|is|are)|"
    r"please rate|rate)\s+(?:our|the|your|this|its)?\s*(?P<what>[^?]+?)\s*[?？]?$",
    re.IGNORECASE,
)
_JA_RATE_QUESTION = re.compile(
    r"^(?P<what>.+?)(?:は|について)(?:いかがでしたか|どうでしたか|評価してください)[?？。]?$"
)


def _touchpoint_name(column: _Column) -> str:
    """The touchpoint a score column rates, read from its matrix row label or its name (the thing a short rating
    question asks about: "How would you rate our delivery?" → Delivery, 配送はいかがでしたか → 配送)."""
    name = clean_name(_subject(column))
    asked = _RATE_QUESTION.match(name) or _JA_RATE_QUESTION.match(name)
    if asked and 0 < len(asked["what"].split()) <= 4:
        what = clean_name(asked["what"])
        return what[:1].upper() + what[1:] if what.isascii() else what
    return name


_QUESTION = re.compile(r"[?？]$|^(what|which|where|how|who|are|do|did|please)\b|教えて|ください|ですか|ますか")


def _attribute_name(column: _Column) -> str:
    """A short attribute name: the column's name, or the attribute word of a question ('Which region …?' → region)."""
    name = clean_name(_subject(column))
    if len(name) > 30 or len(name.split()) > 3 or _QUESTION.search(_norm(column.display)):
        match = _ATTRIBUTE.search(_norm(name))
        if match:
            return match.group(0)
    return name


# ------------------------------------------------------------------------------------------------ the passes


def suggest_with_reasons(table: RawTable) -> dict[str, tuple[str, str]]:
    """Column key → (suggested role, short reason), for every column of the table."""
    rows = len(table.sample)
    columns = [
        _Column(key, table.questions.get(key, ""), _profile(table.sample.get(key, []), rows)) for key in table.columns
    ]
    out: dict[str, tuple[str, str]] = {}
    todo = [c for c in columns if not _ignore_first(c, out)]
    todo = _ids(todo, out)
    todo = _date(todo, out)
    long_file = _long_touchpoint(todo, out)
    todo = [c for c in todo if c.key not in out]
    todo = _scores(todo, out, long_file)
    rated = [role.split(":", 1)[1] for role, _ in out.values() if role.startswith("rating:")]
    for column in todo:
        _rest(column, out, rated, long_file)
    for column in columns:
        _noted_scale(column, out)
    return {c.key: out[c.key] for c in columns}


def _noted_scale(column: _Column, out: dict[str, tuple[str, str]]) -> None:
    """A CSAT, CES or rating column whose header writes its scale ("Delivery (1-7)") gets that scale in its role, so
    a month in which no one answered 6 or 7 is still read on 1–7; not when its answers go beyond it."""
    role, why = out[column.key]
    kind = role.partition(":")[0]
    scale = scale_note(column.key) or scale_note(column.question)
    if scale is None or kind not in ("csat", "ces", "rating") or column.profile.labels is not None:
        return
    inside = column.profile.in_scale
    if inside and (min(inside) < scale[0] and min(inside) != 0 or max(inside) > scale[1]):
        return
    out[column.key] = (f"{role} [{scale[0]}-{scale[1]}]", why + t("suggest.scale_note", lo=scale[0], hi=scale[1]))


def suggest_roles(table: RawTable) -> dict[str, str]:
    """Column key → suggested role string (see cxdash.roles)."""
    return {key: role for key, (role, _) in suggest_with_reasons(table).items()}


def explain_roles(table: RawTable) -> dict[str, str]:
    """Column key → a short human reason for its suggested role, shown beside it in the mapping screen."""
    return {key: reason for key, (_, reason) in suggest_with_reasons(table).items()}


def _contact(column: _Column, out: dict[str, tuple[str, str]]) -> bool:
    """A customer's name or e-mail address (by name or, for e-mail, by values); True when the column is settled."""
    p, compact = column.profile, column.compact
    if _EMAIL_COLUMN.match(compact) or p.email_share >= 0.5:
        role, what = "customer_email", t("suggest.emails")
    elif _NAME_COLUMN.match(compact) and p.number_share < 0.5:
        role, what = "customer_name", t("suggest.names")
    else:
        return False
    if role in _taken(out):
        out[column.key] = ("ignore", t("suggest.contact_taken", what=what))
    else:
        out[column.key] = (role, t("suggest.personal", what=what))
    return True


def _ignore_first(column: _Column, out: dict[str, tuple[str, str]]) -> bool:
    """Ignore empty, metadata, personal-data and constant columns; True when the column is settled."""
    p, compact = column.profile, column.compact
    reason = ""
    if p.n == 0:
        reason = t("suggest.empty")
    elif _contact(column, out):
        return True
    elif (
        compact in _META_EXACT
        or _META_PATTERN.match(compact)
        or _QUALTRICS_SYSTEM.match(column.key.strip())
        or any(w in compact for w in _META_CONTAINS)
    ):
        reason = t("suggest.metadata")
    elif _REPLY.search(_norm(column.key)) and not p.is_small_int and not _QUESTION.search(_norm(column.text)):
        reason = t("suggest.reply")
    elif p.email_share >= 0.5:
        reason = t("suggest.emails")
    elif p.ip_share >= 0.5:
        reason = t("suggest.ips")
    elif p.url_share >= 0.5:
        reason = t("suggest.urls")
    elif p.phone_share >= 0.5 and p.int_share < 0.5:
        reason = t("suggest.phones")
    elif p.distinct == 1 and p.n == p.rows and p.n >= 3:
        reason = t("suggest.constant")
    if reason:
        out[column.key] = ("ignore", reason)
    return bool(reason)


def _ids(columns: list[_Column], out: dict[str, tuple[str, str]]) -> list[_Column]:
    """Response id (unique values) and customer id, by name."""
    rest: list[_Column] = []
    for column in columns:
        compact, p = column.compact, column.profile
        if _RESPONSE_ID.match(compact) and "response_id" not in _taken(out):
            repeats = p.n - p.distinct
            if repeats == 0:
                out[column.key] = ("response_id", t("suggest.response_id"))
            elif repeats <= ID_REPEATS * p.n:  # a few rows exported twice: the id column all the same
                out[column.key] = ("response_id", t("suggest.response_id_few_repeat", n=repeats))
            else:
                out[column.key] = ("ignore", t("suggest.response_id_repeats"))
        elif _CUSTOMER_ID.match(compact) and "customer_id" not in _taken(out):
            out[column.key] = ("customer_id", t("suggest.customer_id"))
        else:
            rest.append(column)
    return rest


def _taken(out: dict[str, tuple[str, str]]) -> set[str]:
    """Roles already given."""
    return {role for role, _ in out.values()}


def _date(columns: list[_Column], out: dict[str, tuple[str, str]]) -> list[_Column]:
    """One response date: the best-named column whose values are dates (or Excel's serial day numbers or dates as
    yyyymmdd, under a name that says date: 45352 and 20240301 are 2024-03-01); other date columns are ignored."""
    candidates: list[tuple[int, int, _Column]] = []
    for order, column in enumerate(columns):
        rank = next((r for pattern, r in _DATE_NAMES if pattern.search(column.compact)), 0)
        serials = column.profile.date_number_share >= 0.8 and rank >= DATE_NAMED
        if column.profile.date_share < 0.8 and not serials:
            continue
        candidates.append((rank, -order, column))
    if not candidates:
        return columns
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
    best = candidates[0][2]
    out[best.key] = ("date", t("suggest.date", column=best.key))
    for _, _, column in candidates[1:]:
        out[column.key] = ("ignore", t("suggest.date_taken", column=best.key))
    return [c for c in columns if c.key not in out]


def _long_touchpoint(columns: list[_Column], out: dict[str, tuple[str, str]]) -> bool:
    """One row per review/ticket: a low-cardinality column naming the touchpoint; True when found."""
    for column in columns:
        p = column.profile
        named = _TOUCHPOINT.search(_norm(column.key)) and len(column.key) <= 30  # a short name, not a question
        if named and p.is_low_cardinality and p.number_share < 0.5 and p.distinct >= 2:
            out[column.key] = ("touchpoint", t("suggest.long_touchpoint", n=p.distinct))
            return True
    return False


def _scores(columns: list[_Column], out: dict[str, tuple[str, str]], long_file: bool) -> list[_Column]:
    """NPS, CES and CSAT (one column each), touchpoint ratings; returns the columns left."""
    scores = [
        c
        for c in columns
        if (c.profile.is_small_int or c.profile.is_half_steps and _rated_name(c))
        and (_rated_item(c) or _rated_name(c) or not _COUNT_WORDS.search(_norm(_subject(c))))
    ]
    # a 0/1 "would recommend" flag is not an NPS answer: it stays a segment attribute (and a drivers outcome)
    nps = [
        c
        for c in scores
        if _NPS.search(c.text) and c.profile.hi > 1 and (c.profile.lo == 0 or c.profile.hi > 5 or c.profile.n < 30)
    ]
    nps.sort(key=lambda c: (c.matrix is None, bool(_NPS_STRONG.search(c.text))), reverse=True)
    if nps:
        best = nps[0]
        out[best.key] = ("nps", t("suggest.nps", scale=best.profile.scale))
        for column in nps[1:]:
            out[column.key] = ("ignore", t("suggest.nps_taken", column=best.key))
    plain = [c for c in scores if c.key not in out and c.matrix is None]
    _pick_single(plain, out, "ces", _CES, t("suggest.ces_question"))
    csat = [c for c in plain if c.key not in out and _CSAT.search(c.text) and _is_overall(c)]
    csat.sort(key=lambda c: bool(_OVERALL.search(c.text)), reverse=True)
    _pick_single(csat, out, "csat", _CSAT, t("suggest.csat_question"))
    if not long_file:  # an overall rating (overall_rating, 総合評価) scores the whole experience, not a touchpoint
        overall = [c for c in plain if c.key not in out and (_RATING_WORDS.search(c.text) or _short_overall(c))]
        _pick_single(overall, out, "csat", _OVERALL, t("suggest.overall_rating"))
        left = [c for c in scores if c.key not in out]
        if len(left) == 1 and left[0] in overall and "csat" not in _taken(out):  # a review's stars: its only rating
            out[left[0].key] = (
                "csat",
                t("suggest.answers_to", scale=left[0].profile.scale, what=t("suggest.only_rating")),
            )
    used: set[str] = set()
    for column in scores:
        if column.key in out:
            continue
        p = column.profile
        if long_file and column.matrix is None:
            if "rating" in _taken(out):
                out[column.key] = ("ignore", t("suggest.rating_taken"))
            else:
                out[column.key] = ("rating", t("suggest.long_rating", scale=p.scale))
            continue
        name = _touchpoint_name(column)
        rating_named = _rated_name(column)
        if column.matrix is None and not rating_named and (p.hi < 3 or len(name) > 40 or _is_attribute_word(name)):
            continue
        if not name:
            continue
        if name.casefold() in used:
            out[column.key] = ("ignore", t("suggest.touchpoint_taken", name=name))
            continue
        used.add(name.casefold())
        key = "suggest.rating_from_matrix" if column.matrix else "suggest.rating_from_name"
        out[column.key] = (f"rating:{name}", t(key, scale=p.scale, name=name))
    return [c for c in columns if c.key not in out]


def _rated_item(column: _Column) -> bool:
    """A matrix row of a satisfaction or rating question: "Price" or 価格 there is what is rated, not an amount."""
    stem = column.matrix[0] if column.matrix else ""
    return bool(stem) and bool(_CSAT.search(_norm(stem)) or _RATING_WORDS.search(_norm(stem)))


def named_like_score(text: str) -> bool:
    """Whether a column's name or question asks for NPS, CSAT or CES ("NPS", 推奨度, "How satisfied …")."""
    folded = _norm(text)
    return bool(_NPS.search(folded) or _CSAT.search(folded) or _CES.search(folded))


def _rated_name(column: _Column) -> bool:
    """A column named as a rating or satisfaction ("Price satisfaction", 価格の満足度, "Product rating"): what it
    names is rated, even where that word alone would be an amount or a segment."""
    return bool(_RATING_WORDS.search(column.text) or _CSAT.search(column.text))


def _is_attribute_word(name: str) -> bool:
    """Whether a name is just a segment word (region, 年代 …): small codes there are categories, not ratings."""
    return bool(_ATTRIBUTE.fullmatch(_norm(name)))


def _is_overall(column: _Column) -> bool:
    """Whether a satisfaction column is about the whole experience, not one named touchpoint."""
    if _OVERALL.search(column.text):
        return True
    name = clean_name(column.display)
    return not name or len(name) > 40 or name.endswith(("?", "？")) or len(name.split()) > 5


def _short_overall(column: _Column) -> bool:
    """A short name that says "overall" and nothing it rates: 総合 (じゃらん), "Overall", "Overall Experience (1-5)"."""
    name = clean_name(column.display)
    return bool(_OVERALL.search(_norm(name))) and 0 < len(name.split()) <= 3 and len(name) <= 30


def _pick_single(
    candidates: list[_Column], out: dict[str, tuple[str, str]], role: str, pattern: re.Pattern[str], what: str
) -> None:
    """Give ``role`` to the first candidate whose name matches ``pattern``."""
    for column in candidates:
        if column.key not in out and pattern.search(column.text) and role not in _taken(out):
            out[column.key] = (role, t("suggest.answers_to", scale=column.profile.scale, what=what))


def _rest(column: _Column, out: dict[str, tuple[str, str]], rated: list[str], long_file: bool) -> None:
    """Comments, channel, attributes, or ignore."""
    p, text = column.profile, column.text
    named = bool(_COMMENT.search(text))
    named_comment = named and p.number_share < 0.5 and p.mean_length >= 3
    # long texts repeated word for word in many rows are names or titles a system wrote (a lounge's name), not what
    # customers wrote; a column named like a comment stays one
    repeated = p.long_repeat_share >= REPEATED_TEXT_SHARE and not named_comment
    comments = None if repeated else _comments(p, named)
    if comments is not None:
        tied = None if long_file else _mentioned(text, rated)
        role = f"comment:{tied}" if tied else "comment"
        share = round(100 * comments.distinct / comments.n)
        why = t("suggest.free_text_about", share=share, name=tied) if tied else t("suggest.free_text", share=share)
        if comments is not p:
            why += t("suggest.said_nothing", n=p.said_nothing)
        out[column.key] = (role, why)
        return
    if _CHANNEL.search(text) and p.is_low_cardinality and "channel" not in _taken(out):
        out[column.key] = ("channel", t("suggest.channel", n=p.distinct))
        return
    named = bool(_ATTRIBUTE.search(text))
    if (p.is_low_cardinality and (p.n >= 10 or named)) or ((named or p.is_repeated_category) and p.distinct <= 100):
        name = _attribute_name(column)
        if name:
            kind = "named" if named else "few" if p.is_low_cardinality else "repeated"
            key = f"suggest.segment_{kind}"
            out[column.key] = (f"attribute:{name}", t(key, n=p.distinct))
            return
    if p.number_share >= 0.9:
        out[column.key] = ("ignore", t("suggest.numbers"))
    elif repeated:
        out[column.key] = ("ignore", t("suggest.repeated_texts", share=round(100 * p.long_repeat_share)))
    else:
        out[column.key] = ("ignore", t("suggest.unplaced"))


def _comments(p: _Profile, named: bool) -> _Profile | None:
    """The profile that makes a column's answers comments: its own (free text, or a column named like a comment
    with mostly distinct answers), else that of its answers other than "nothing to add" (特になし, No), else None."""
    for q in (p, p.substance):
        if q is None:
            continue
        named_comment = named and q.number_share < 0.5 and q.mean_length >= 3
        if q.is_free_text or (named_comment and q.distinct >= max(2, q.n // 2)):
            return q
    # named like a comment, with more answers than a list of categories has, sentences among them: "Good" and
    # "Great service" written by many beside what the others wrote
    many = p.distinct > MAX_CATEGORIES and not p.is_repeated_category
    if named and many and p.number_share < 0.5 and p.mean_length >= 3 and p.text_share >= 0.3:
        return p
    return None


def _mentioned(text: str, touchpoints: list[str]) -> str | None:
    """The rated touchpoint a column's name mentions (longest name first), if any."""
    for name in sorted(touchpoints, key=len, reverse=True):
        if _norm(name) and _norm(name) in text:
            return name
    return None
