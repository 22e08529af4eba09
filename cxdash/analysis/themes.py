"""Keywords, phrases and an editable theme taxonomy for the voice of the customer (English and Japanese).

Theme rules, one per line (commas and 、 also separate rules; a line starting with # is a comment):

* English — a word (``parcel``; plurals match: ``parcels``), a prefix with ``*`` (``deliver*`` matches delivery,
  delivered, deliveries), or a phrase whose words must follow each other (``customer service``,
  ``wait* too long``). Matching is on lower-cased, singularised words, so case and plurals do not matter.
* Japanese — a word or fragment found anywhere in the comment text *or* in the base forms of its words: ``届``
  matches 届かない, ``遅い`` matches 遅かった. Words separated by a space must all occur (``配送 遅い``).
  A trailing ``*`` is allowed and changes nothing (fragments always match inside words).
* A rule starting with ``-`` excludes: a comment matching it is not tagged with that theme, whatever else it
  matches (``-free delivery`` keeps "free delivery" praise out of a Delivery-problems theme).

English rules apply to English comments and Japanese rules to Japanese ones (language from the comment's stored
language, else from its script).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from cxdash.analysis.tokens import DATA, analyse, en_terms, en_words, language_of, ngrams, normalize, terms_haystack
from cxdash.errors import InputRefused

if TYPE_CHECKING:  # loaded where a frame is built or terms are ranked: the comment workers (and the process server
    import numpy as np  # they are forked from) tag texts without pandas or numpy, 0.4 s and 0.1 s less start-up
    import pandas as pd

DEFAULT_TAXONOMY = DATA / "themes_default.json"
NO_GROUP = "(all comments)"
MISSING_GROUP = "(none)"
WORD_CACHE = 200_000  # words whose candidate themes a matcher remembers
_RULE_SPLIT = re.compile(r"[\n,、，;]+")
_TERM_COLUMNS = ["group", "term", "n_words", "count", "share", "score", "example_ids", "examples"]


@dataclass(frozen=True)
class ThemeRules:
    """A theme as the matcher sees it: its name and its rule texts (one rule per line)."""

    name: str
    keywords_en: str = ""
    keywords_ja: str = ""
    theme_id: int | None = None


def parse_rules(text: str | Sequence[str]) -> list[str]:
    """Rules from a text (one per line; commas also separate) or a list, stripped, blanks and # lines dropped."""
    raw = _RULE_SPLIT.split(text) if isinstance(text, str) else [r for item in text for r in _RULE_SPLIT.split(item)]
    return [r.strip() for r in raw if r.strip() and not r.strip().startswith("#")]


def rules_text(rules: str | Sequence[str]) -> str:
    """Rules normalised for storage: one per line."""
    return "\n".join(parse_rules(rules))


def load_default_taxonomy(path: Path = DEFAULT_TAXONOMY, language: str = "en") -> list[ThemeRules]:
    """The seed themes shipped with cxdash (English and Japanese rules), named in ``language`` (a Japanese
    workspace gets 価格・コスパ where an English one gets Price & value; other languages the English names)."""
    items = json.loads(path.read_text(encoding="utf-8"))
    return [
        ThemeRules(i.get(f"name_{language}", i["name"]), rules_text(i["keywords_en"]), rules_text(i["keywords_ja"]))
        for i in items
    ]


def _en_rule(rule: str, theme: str) -> str | re.Pattern[str]:
    """One English rule as a literal to find in the haystack (' word word | word '), or a regex if it must be."""
    parts, literal = [], True
    words_in_rule = rule.split()
    for k, word in enumerate(words_in_rule):
        prefix = word.endswith("*")
        words = [w for clause in en_words(word.rstrip("*")) for w in clause]
        if not words:
            raise InputRefused(f"Theme '{theme}': the English rule '{rule}' has no letters or digits to match.")
        if prefix:
            stem = normalize(word.rstrip("*")).replace("'", "")
            parts.append(re.escape(stem) + r"[^ |]*" if k < len(words_in_rule) - 1 else stem)
            literal = literal and k == len(words_in_rule) - 1
        else:
            parts.extend(words)
    if literal:
        return " " + " ".join(parts) + ("" if words_in_rule[-1].endswith("*") else " ")
    return re.compile(" " + " ".join(p if "[" in p else re.escape(p) for p in parts) + " ")


def _en_head(rule: str) -> tuple[str, bool]:
    """The word every match of an English rule starts at, as ``_en_rule`` compiles it: (word, False) when a
    haystack word must equal it, (stem, True) when a haystack word must start with it."""
    first = rule.split()[0]
    if first.endswith("*"):
        return normalize(first.rstrip("*")).replace("'", ""), True
    return next(w for clause in en_words(first) for w in clause), False


def _ja_parts(rule: str, theme: str) -> tuple[str, ...]:
    parts = tuple(p.rstrip("*") for p in normalize(rule).split() if p.rstrip("*"))
    if not parts:
        raise InputRefused(f"Theme '{theme}': the Japanese rule '{rule}' is empty.")
    return parts


class _Side:
    """The compiled rules of one theme in one language: one regex of literals/patterns, all-of-these-parts rules."""

    def __init__(
        self, literals: Sequence[str], patterns: Sequence[re.Pattern[str]] = (), multi: Sequence[tuple[str, ...]] = ()
    ) -> None:
        rules = [*literals, *(p.pattern for p in patterns)]
        if rules and all(r.startswith(" ") for r in rules):
            # English rules all start with a space: factored out, the engine only tries the rules at word starts
            rest = [re.escape(lit[1:]) for lit in literals] + [p.pattern[1:] for p in patterns]
            self.regex: re.Pattern[str] | None = re.compile(" (?:" + "|".join(rest) + ")")
        else:
            alternatives = [re.escape(lit) for lit in literals] + [p.pattern for p in patterns]
            self.regex = re.compile("|".join(alternatives)) if alternatives else None
        self.multi = tuple(multi)

    def hit(self, haystack: str) -> bool:
        """True when any rule matches the haystack (no look-arounds: the regex engine stays fast)."""
        if self.regex is not None and self.regex.search(haystack):
            return True
        return any(all(p in haystack for p in parts) for parts in self.multi)

    @property
    def empty(self) -> bool:
        return self.regex is None and not self.multi


def _compile(rules: list[str], language: str, theme: str) -> _Side:
    if language == "en":
        compiled = [_en_rule(r, theme) for r in rules]
        return _Side([c for c in compiled if isinstance(c, str)], [c for c in compiled if not isinstance(c, str)])
    parts = [_ja_parts(r, theme) for r in rules]
    return _Side([p[0] for p in parts if len(p) == 1], (), [p for p in parts if len(p) > 1])


class ThemeMatcher:
    """Tags texts with themes: compiled once from the rules, then fast for many comments."""

    def __init__(self, themes: Sequence[ThemeRules]) -> None:
        self.themes = list(themes)
        self._sides: list[dict[str, tuple[_Side, _Side]]] = []
        for t in self.themes:
            sides = {}
            for lang, text in (("en", t.keywords_en), ("ja", t.keywords_ja)):
                rules = parse_rules(text)
                pos = [r for r in rules if not r.startswith("-")]
                neg = [r[1:].strip() for r in rules if r.startswith("-") and r[1:].strip()]
                sides[lang] = (_compile(pos, lang, t.name), _compile(neg, lang, t.name))
            self._sides.append(sides)
        # per language, only the themes with rules in it: (index, positive side, negative side or None)
        self._active = {
            lang: [(i, s[lang][0], None if s[lang][1].empty else s[lang][1]) for i, s in enumerate(self._sides)]
            for lang in ("en", "ja")
        }
        for lang, active in self._active.items():
            self._active[lang] = [a for a in active if not a[1].empty]
        # English pre-filter: a theme can only match a text that has a word its rules start at (each rule matches
        # from the start of a word), so only those themes' rules are tried. Two bits per active English theme:
        # bit k when a one-word rule (`staff`, `deliver*`) matches the word, which is a hit without the regular
        # expression; bit k + n when a longer rule (`front desk`) starts there, which the expression must confirm
        n = self._en_themes = len(self._active["en"])
        self._en_words: dict[str, int] = {}  # word → bits of the themes with a rule starting at exactly that word
        self._en_stems: list[tuple[str, int]] = []  # (stem, bit) of rules starting with a word prefix
        for bit, (i, _, _) in enumerate(self._active["en"]):
            theme = self.themes[i]
            for rule in {r for r in parse_rules(theme.keywords_en) if not r.startswith("-")}:
                word, is_prefix = _en_head(rule)
                compiled = _en_rule(rule, theme.name)
                one_word = isinstance(compiled, str) and " " not in compiled.strip()
                flag = 1 << (bit if one_word else bit + n)
                if is_prefix:
                    self._en_stems.append((word, flag))
                else:
                    self._en_words[word] = self._en_words.get(word, 0) | flag
        self._en_mask: dict[str, int] = {}  # haystack word → bits of the themes that could start there (a cache)

    def match(self, text: str, language: str | None = None) -> list[int]:
        """Indices (into ``themes``) of the themes whose rules match the text."""
        lang = language_of(text, language)
        if lang == "en":
            terms = en_terms(text)
            hay = terms_haystack(terms)
            mask = self._candidates(terms)
            sure, maybe = mask, mask >> self._en_themes
            return [
                i
                for bit, (i, pos, neg) in enumerate(self._active["en"])
                if (sure >> bit & 1 or maybe >> bit & 1 and pos.hit(hay)) and (neg is None or not neg.hit(hay))
            ]
        hay = analyse(text, lang).haystack
        return [i for i, pos, neg in self._active[lang] if pos.hit(hay) and (neg is None or not neg.hit(hay))]

    def _candidates(self, terms: list[str]) -> int:
        """Bits of the English themes with a rule that starts at one of the text's words (``en_terms``): see
        ``__init__``."""
        known = self._en_mask
        if len(known) > WORD_CACHE:
            known.clear()
        mask = 0
        for word in set(terms):
            bits = known.get(word)
            if bits is None:
                bits = self._en_words.get(word, 0)
                for stem, bit in self._en_stems:
                    if word.startswith(stem):
                        bits |= bit
                known[word] = bits
            mask |= bits
        return mask

    def match_many(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[list[int]]:
        """``match`` for each text (identical texts matched once)."""
        langs = languages if languages is not None else [None] * len(texts)
        seen: dict[tuple[str, str | None], list[int]] = {}
        out = []
        for t, lang in zip(texts, langs, strict=True):
            hit = seen.get((t, lang))
            if hit is None:
                hit = seen[(t, lang)] = self.match(t, lang)
            out.append(hit)
        return out

    def names(self, text: str, language: str | None = None) -> list[str]:
        """Names of the themes that match the text."""
        return [self.themes[i].name for i in self.match(text, language)]


def log_odds_z(
    group: np.ndarray,
    rest: np.ndarray,
    prior: np.ndarray,
    totals: tuple[float, float, float] | None = None,
) -> np.ndarray:
    """Log-odds ratio with an informative Dirichlet prior, as z-scores (Monroe, Colaresi & Quinn 2008).

    ``totals`` = (group total, rest total, prior total) over the whole vocabulary when the arrays hold a subset.
    """
    import numpy as np

    n_g, n_r, a0 = totals if totals is not None else (group.sum(), rest.sum(), prior.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        odds_g = (group + prior) / (n_g + a0 - group - prior)
        odds_r = (rest + prior) / (n_r + a0 - rest - prior)
        var = 1.0 / (group + prior) + 1.0 / (rest + prior)
        return np.nan_to_num((np.log(odds_g) - np.log(odds_r)) / np.sqrt(var))


def _drop_subsumed(ranked: list[str], counts: Counter[str], ratio: float = 0.8) -> list[str]:
    """Drop a term whose occurrences are mostly inside a longer listed phrase (customer ⊂ customer service)."""
    phrases = [p for p in ranked if " " in p]
    keep = []
    for t in ranked:
        padded = f" {t} "
        inside = any(p != t and padded in f" {p} " and counts[p] >= ratio * counts[t] for p in phrases)
        if not inside:
            keep.append(t)
    return keep


def top_terms(
    frame: pd.DataFrame,
    group_col: str | None = None,
    k: int = 15,
    *,
    text_col: str = "text",
    language_col: str = "language",
    id_col: str = "id",
    min_count: int = 2,
    max_n: int = 3,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Top terms and 2–3-word phrases per group, ranked by how distinctive they are for the group.

    ``count`` is the number of comments in the group that contain the term (a comment counts once); ``score``
    is the log-odds z-score of the group against all other comments (a comment in several groups, e.g. several
    themes, counts once in the background). Without ``group_col`` the ranking is by count and ``score`` is the
    share of comments containing the term. Examples are the first comments of the group containing the term.
    """
    import numpy as np
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(columns=_TERM_COLUMNS)
    langs = frame[language_col] if language_col in frame else pd.Series([None] * len(frame), index=frame.index)
    groups = frame[group_col].astype(object).where(frame[group_col].notna(), MISSING_GROUP) if group_col else None
    texts, ids = frame[text_col].astype(str).tolist(), frame[id_col].tolist()
    lang_list = [lang if isinstance(lang, str) else None for lang in langs]
    group_list = [str(g) for g in groups] if groups is not None else [NO_GROUP] * len(texts)

    # each distinct text's grams are made once (survey comments repeat), and each group's sets are counted in one
    # pass (a Counter built from one iterable counts in C; an update per comment cost more than the counting)
    of_text: dict[tuple[str, str | None], set[str]] = {}
    grams: list[set[str]] = []
    members: dict[str, list[set[str]]] = {}
    first: list[set[str]] = []  # each comment's grams once (a comment in several groups counts once in the total)
    seen: set[object] = set()
    for text, cid, lang, g in zip(texts, ids, lang_list, group_list, strict=True):
        gs = of_text.get((text, lang))
        if gs is None:
            gs = of_text[(text, lang)] = ngrams(analyse(text, lang).runs, max_n)
        grams.append(gs)
        members.setdefault(g, []).append(gs)
        if cid not in seen:
            seen.add(cid)
            first.append(gs)
    per_group = {g: Counter(chain.from_iterable(sets)) for g, sets in members.items()}
    size = {g: len(sets) for g, sets in members.items()}
    total = Counter(chain.from_iterable(first))
    n_comments = len(seen)
    n_all = float(sum(total.values()))

    rows = []
    for g, counts in per_group.items():
        # in term order: terms that tie are then ranked alike in every process (a set's order follows the string
        # hashes, which Python seeds anew in each process)
        cand = sorted(t for t, c in counts.items() if c >= min_count)
        if not cand:
            continue
        c_g = np.array([counts[t] for t in cand], dtype=float)
        if group_col is None or len(per_group) == 1:
            score = c_g / max(n_comments, 1)
            order = np.lexsort((np.array([-len(t.split()) for t in cand]), -c_g))
        else:
            c_all = np.array([total[t] for t in cand], dtype=float)
            n_g = float(sum(counts.values()))
            totals = (n_g, max(n_all - n_g, 0.0), n_all)
            score = log_odds_z(c_g, np.maximum(c_all - c_g, 0.0), c_all, totals)
            order = np.argsort(-score, kind="stable")
            order = order[score[order] > 0]
        ranked = [cand[i] for i in order[: max(k * 20, 200)]]
        chosen = _drop_subsumed(ranked, counts)[:k]
        sc = dict(zip(cand, score.tolist(), strict=True))
        for t in chosen:
            rows.append(
                {
                    "group": g,
                    "term": t,
                    "n_words": len(t.split()),
                    "count": counts[t],
                    "share": counts[t] / size[g],
                    "score": round(float(sc[t]), 4),
                }
            )
    out = pd.DataFrame(rows, columns=_TERM_COLUMNS[:-2])
    return _with_examples(out, texts, ids, grams, group_list, n_examples)


def _with_examples(
    out: pd.DataFrame, texts: list[str], ids: list[object], grams: list[set[str]], groups: list[str], n: int
) -> pd.DataFrame:
    """Add example_ids / examples: up to n comments of the group that contain the term."""
    wanted: dict[str, set[str]] = {}
    for g, t in zip(out["group"], out["term"], strict=True):
        wanted.setdefault(g, set()).add(t)
    found: dict[tuple[str, str], list[int]] = {}
    for i, (g, gs) in enumerate(zip(groups, grams, strict=True)):
        for t in wanted.get(g, set()) & gs:
            hits = found.setdefault((g, t), [])
            if len(hits) < n:
                hits.append(i)
    keys = list(zip(out["group"], out["term"], strict=True))
    out["example_ids"] = [[ids[i] for i in found.get(key, [])] for key in keys]
    out["examples"] = [[texts[i] for i in found.get(key, [])] for key in keys]
    return out.reset_index(drop=True)


def uncovered_terms(
    frame: pd.DataFrame,
    covered: Sequence[bool],
    matcher: ThemeMatcher | None = None,
    k: int = 10,
    *,
    min_count: int = 2,
) -> pd.DataFrame:
    """Terms and phrases frequent in comments no theme covers, and distinctive for them against covered comments.

    A term that an existing theme's rules already match is left out. Columns: term, n_words, count, share,
    score, example_ids, examples.
    """
    import pandas as pd

    flag = pd.Series(["uncovered" if not c else "covered" for c in covered], index=frame.index)
    work = frame.assign(_coverage=flag)
    if not (flag == "uncovered").any():
        return pd.DataFrame(columns=_TERM_COLUMNS[1:])
    grouped = top_terms(work, "_coverage", k=max(k * 5, 50), min_count=min_count)
    res = grouped[grouped["group"] == "uncovered"].drop(columns="group")
    if (flag == "covered").sum() == 0:
        res = top_terms(work, None, k=max(k * 5, 50), min_count=min_count).drop(columns="group")
    if not res.empty:  # a theme is what comments are about: "excellent" or "不満" alone is a sentiment, not a topic
        res = res[[not _only_sentiment(t) for t in res["term"]]]
    if matcher is not None and not res.empty:
        res = res[[not matcher.match(t) for t in res["term"]]]
    return res.head(k).reset_index(drop=True)


def _only_sentiment(term: str) -> bool:
    """Whether every word of a term is a sentiment word (VADER's lexicon, the Japanese polarity dictionaries)."""
    from cxdash.analysis.sentiment import vader_lexicon
    from cxdash.analysis.sentiment_ja import polar_words

    english, japanese = vader_lexicon(), polar_words()
    return all(w.lower() in english or w in japanese for w in term.split())
