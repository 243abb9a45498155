"""The partnership ledger: relationship levels between countries, and what happens to them.

A *partnership* is a named level of a relationship between Japan and a country (or a group of
countries: 日・中央アジア, 日ASEAN): 包括的パートナーシップ, 戦略的パートナーシップ,
特別な戦略的グローバル・パートナーシップ, 「特別なパートナー」, 戦略的互恵関係. Each mention is read
with a *status*:

* ``established`` — the level is built: …を構築/樹立/確立した, …が築かれた, or a statement named
  after it is issued (「…戦略的パートナーシップに関する共同声明」を発出した);
* ``upgraded`` — the relationship is raised to it: …に格上げ, …へと発展させる, …に引き上げる;
* ``reaffirmed`` — …を再確認/確認した;
* ``referenced`` — anything else: the document's own title, …の下での協力, …の更なる発展, and an
  established or upgraded status that is only aimed at (…の構築を目指す, …構築に向けた,
  …を構築するとの志向) or negated (…を確立していない).

Where the grammar lives
-----------------------
``data/patterns/partnerships.json`` (the shape of :mod:`extract.patterns`), run here with spaCy's
``Matcher`` and ``DependencyMatcher`` over the parses already in the
:class:`~extract.context.DocContext`: the level phrase (level words ending in パートナーシップ /
パートナー / 関係), the groups, the status predicates (the level phrase is an argument of the
predicate) and the aims and negations. The ladder of levels — which level words make which level,
its rank and English label — is ``data/lexicon/partnership_levels.tsv``; a written level is
normalized by the level words it contains (:func:`level_of`), never by its whole string, and a
phrase without a defining level word (友好と相互信頼に基づくパートナーシップ) is no partnership.

Partners: the countries and groups named in the level phrase's own noun phrase (日本とXとの間の,
日X, 日・X), else those of its sentence, else (両国, 二国間, the document's own title) the
document's principal countries; Japan is added when only one other partner is named.

Date: the date of the sentence (the nearest one before the predicate, else the first in the
sentence), else the document's date. One :class:`Partnership` per partners and level in a
document, with one :class:`PartnershipStatus` per status and date (the first mention).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .context import DocContext, sentence_bounds
from .countries import country_hits
from .facts import DateValue, Mention
from .patterns import family_matchers
from .principals import principal_countries
from .resources import data_dir

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

    from .facts import Passage

__all__ = [
    "STATUSES",
    "Level",
    "Partnership",
    "PartnershipStatus",
    "find_partnerships",
    "ladder",
    "level_of",
    "partnership_key",
]

FAMILY = "partnerships"
#: Status values, strongest first (the status a document gives a partnership is its strongest).
STATUSES = ("upgraded", "established", "reaffirmed", "referenced")
_STATUS_OF_LABEL = {"UPGRADED": "upgraded", "ESTABLISHED": "established", "REAFFIRMED": "reaffirmed"}
_HEADS = ("パートナーシップ", "パートナー", "関係")
_PREFILTER = re.compile("パートナー|関係")
#: tokens that may open a match of LEVEL_PHRASE but never open a level as written
_LEADING = frozenset({"的", "な", "だ", "・", "の", "する", "れる", "た", "および", "及び", "かつ", "、"})
#: nouns that may follow the head without making it part of a longer word (…関係間, 関係等)
_AFTER_HEAD = frozenset({"間", "等", "など"})
_PAIR_WORDS = re.compile(r"両国|二国間|両首脳|双方|両政府|両外相|両大臣")
_AIM_HOPS = 2
_AIM_DEPS = frozenset({"obj", "obl", "acl", "advcl", "nmod", "ccomp", "nsubj", "compound", "xcomp"})


# -- the ladder --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One rung of the ladder (``data/lexicon/partnership_levels.tsv``)."""

    key: str  # "strategic", "comprehensive-strategic" …
    rank: int
    label_en: str
    features: frozenset[str]


@lru_cache(maxsize=1)
def _ladder_file() -> tuple[tuple[Level, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    path = data_dir() / "lexicon" / "partnership_levels.tsv"
    with path.open(encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    levels: list[Level] = []
    words: list[tuple[str, tuple[str, ...]]] = []
    for n, row in enumerate(csv.DictReader(lines, delimiter="\t")):
        kind, key = row.get("kind"), row.get("key")
        forms = tuple((row.get("words") or "").split())
        if not key or kind not in {"level", "word"}:
            raise ValueError(f"{path}: row {n + 2}: kind must be level or word, with a key")
        if kind == "word":
            if not forms:
                raise ValueError(f"{path}: row {n + 2}: word {key!r} needs its written forms")
            words.append((key, forms))
        else:
            levels.append(Level(key, int(row["rank"]), row.get("label_en") or key, frozenset(forms)))
    known = {k for k, _ in words}
    for level in levels:
        if level.features - known:
            raise ValueError(f"{path}: level {level.key!r} uses unknown features {sorted(level.features - known)}")
    return tuple(levels), tuple(words)


def ladder() -> tuple[Level, ...]:
    """The levels of the ladder, lowest rank first (ties in file order)."""
    levels, _ = _ladder_file()
    return tuple(sorted(levels, key=lambda lv: lv.rank))


def _features(written: str) -> frozenset[str]:
    _, words = _ladder_file()
    return frozenset(key for key, forms in words if any(f in written for f in forms))


def level_of(written: str) -> Level | None:
    """The ladder level of a level as written, by the level words it contains; None when no
    word that makes a level on its own qualifies it.

    >>> level_of("特別な戦略的グローバル・パートナーシップ").key
    'special-strategic-global'
    >>> level_of("拡大された戦略的パートナーシップ").key
    'expanded-strategic'
    >>> level_of("友好と相互信頼に基づくパートナーシップ") is None
    True
    """
    levels, _ = _ladder_file()
    found = _features(written)
    defining = {f for lv in levels if len(lv.features) == 1 for f in lv.features}
    if not found & defining:
        return None
    exact = [lv for lv in levels if lv.features == found]
    if exact:
        return exact[0]
    within = [lv for lv in levels if lv.features and lv.features <= found]
    return max(within, key=lambda lv: (lv.rank, len(lv.features))) if within else None


def partnership_key(partners: tuple[str, ...], level: str) -> str:
    """``JPN-KGZ/comprehensive``: the partners (sorted) and the level key.

    >>> partnership_key(("KGZ", "JPN"), "comprehensive")
    'JPN-KGZ/comprehensive'
    """
    return f"{'-'.join(sorted(partners))}/{level}"


# -- facts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipStatus:
    """What one sentence says of a partnership."""

    status: str  # one of STATUSES
    date: DateValue | None
    passage: int
    mention: Mention  # the level phrase and its predicate (or the phrase alone)
    written: str  # the level as written in this mention
    predicate: str | None = None  # the governing predicate as written (格上げする, 再確認した)


@dataclass(frozen=True)
class Partnership:
    """One relationship level between partners, as one document names it."""

    key: str  # partnership_key(partners, level)
    partners: tuple[str, ...]  # ISO3 codes and group codes (CA5, ASEAN), sorted
    level: str  # the ladder key
    label: str  # the level as first written
    statuses: tuple[PartnershipStatus, ...] = ()

    @property
    def status(self) -> str:
        """The strongest status the document gives (upgraded > established > reaffirmed > referenced)."""
        found = {s.status for s in self.statuses}
        return next((s for s in STATUSES if s in found), "referenced")

    @property
    def passages(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(s.passage for s in self.statuses))


# -- the grammar -------------------------------------------------------------------------------



def _matchers(vocab):
    return family_matchers(vocab, FAMILY)


@dataclass(frozen=True)
class _Phrase:
    """A level phrase of one parse, passage-relative (shared by passages of the same text)."""

    start: int  # characters
    end: int
    written: str
    level: str
    status: str
    pred_start: int | None  # the predicate as written
    pred_end: int | None
    np_start: int  # where the phrase's own noun phrase starts (its partners are named there)


def _read(doc: Doc) -> tuple[_Phrase, ...]:
    """The level phrases of one parse with their status, computed once per parse."""
    if not _PREFILTER.search(doc.text):
        return ()
    matcher, dep, rules = _matchers(doc.vocab)
    strings = doc.vocab.strings
    spans: dict[int, int] = {}  # head token -> earliest start
    aims: set[int] = set()
    negations: set[int] = set()
    for match_id, start, end in matcher(doc):
        label = strings[match_id]
        if label == "LEVEL_PHRASE":
            spans[end - 1] = min(start, spans.get(end - 1, start))
        elif label == "AIM":
            aims.update(range(start, end))
        elif label == "NEGATION":
            negations.update(range(start, end))
    if not spans:
        return ()
    nodes = {label: [n["RIGHT_ID"] for n in pattern] for label, pattern in rules.dependency}
    governs: dict[int, list[tuple[str, int]]] = {}  # level token -> (status, predicate token)
    for match_id, token_ids in dep(doc):
        label = strings[match_id]
        roles = dict(zip(nodes[label], token_ids))
        status = _STATUS_OF_LABEL.get(label.split("_")[0])
        if status is not None and "level" in roles:
            governs.setdefault(roles["level"], []).append((status, roles["status"]))
    out = []
    for head, start in sorted(spans.items()):
        while start < head and doc[start].lemma_ in _LEADING:
            start += 1
        nxt = doc[head + 1] if head + 1 < len(doc) else None
        if (nxt is not None and nxt.idx == doc[head].idx + len(doc[head].text)
                and nxt.pos_ in {"NOUN", "PROPN"} and nxt.text not in _AFTER_HEAD):
            continue  # パートナー国, 関係者: the head is part of a longer word
        if start == head:
            continue  # no level word: a plain パートナーシップ / 関係
        s, e = doc[start].idx, doc[head].idx + len(doc[head].text)
        written = doc.text[s:e]
        level = level_of(written)
        if level is None:
            continue
        inside = set(range(start, head + 1))
        exits = [doc[i] for i in inside if doc[i].head.i not in inside or doc[i].head.i == doc[i].i]
        status, pred = "referenced", None
        found = [(st, p) for x in exits for st, p in governs.get(x.i, []) if p not in inside]
        if not found:
            issued = _issued_quotation(doc, head, rules)
            found = [("established", issued.i)] if issued is not None else []
        if found:
            st, p = min(found, key=lambda f: STATUSES.index(f[0]))
            pred = doc[p]
            status = "referenced" if _aimed_or_negated(pred, aims, negations) else st
        np_start = min(min(x.left_edge.i for x in exits), start)
        if pred is not None:
            last = _predicate_end(doc, pred)
            p_span = (doc[pred.i].idx, doc[last].idx + len(doc[last].text))
            if pred.i > 0 and doc[pred.i - 1].text == "再":
                p_span = (doc[pred.i - 1].idx, p_span[1])
        else:
            p_span = (None, None)
        out.append(_Phrase(s, e, written, level.key, status, p_span[0], p_span[1], doc[np_start].idx))
    return tuple(out)


def _rule_lemmas(rules, label: str, node: str) -> frozenset[str]:
    """The lemmas of one node of a dependency rule (``ESTABLISHED_ISSUED``'s ``status`` …)."""
    for name, pattern in rules.dependency:
        if name == label:
            for n in pattern:
                if n.get("RIGHT_ID") == node:
                    value = n.get("RIGHT_ATTRS", {}).get("LEMMA", {})
                    return frozenset(value.get("IN", [])) if isinstance(value, dict) else frozenset([value])
    return frozenset()


def _issued_quotation(doc: Doc, head: int, rules) -> Token | None:
    """When the parse is lost in a quoted title (web-page debris such as (PDF)別ウィンドウで開く):
    the level is followed in its 「…」 by …に関する<statement noun>, the quotation by を, and the
    first predicate after it issues a statement (the lemmas of rule ``ESTABLISHED_ISSUED``):
    that predicate."""
    statements = _rule_lemmas(rules, "ESTABLISHED_ISSUED", "statement")
    issue = _rule_lemmas(rules, "ESTABLISHED_ISSUED", "status")
    lemmas = [t.lemma_ for t in doc[head + 1 : head + 3]]
    if lemmas != ["に", "関する"]:
        return None
    j = head + 3
    while j < len(doc) and doc[j].pos_ in {"NOUN", "PROPN"} and doc[j].lemma_ not in statements:
        j += 1
    if j >= len(doc) or doc[j].lemma_ not in statements:
        return None
    close = next((t for t in doc[j:] if t.text in {"」", "』", "。"}), None)
    if close is None or close.text == "。" or close.i + 1 >= len(doc) or doc[close.i + 1].lemma_ != "を":
        return None
    verb = next((t for t in doc[close.i + 2 :] if t.pos_ == "VERB" or t.text == "。"), None)
    return verb if verb is not None and verb.lemma_ in issue else None


def _predicate_end(doc: Doc, v: Token) -> int:
    """The last token of the predicate with its auxiliaries (格上げ|する, 確認|し|た)."""
    j = v.i
    while j + 1 < len(doc) and doc[j + 1].head.i == v.i and doc[j + 1].dep_ in {"aux", "fixed", "mark", "cop"}:
        j += 1
    return j


def _aimed_or_negated(pred: Token, aims: set[int], negations: set[int]) -> bool:
    """The predicate is negated (…していない, 未…) or sits under an aim (…を目指す, …に向けた,
    …するとの志向) within two hops, or carries a modal (…したい)."""
    if any(c.i in negations for c in pred.children if c.dep_ in {"aux", "compound"}):
        return True
    if any(c.i in aims for c in pred.children if c.dep_ in {"aux", "mark"}):
        return True
    tok = pred
    for _ in range(_AIM_HOPS):
        if tok.dep_ not in _AIM_DEPS or tok.head.i == tok.i:
            break
        tok = tok.head
        if tok.i in aims:
            return True
    return False


# -- partners, dates ---------------------------------------------------------------------------


def _groups(ctx: DocContext, doc: Doc) -> tuple[tuple[int, int, str], ...]:
    """Groups named in a parse (passage-relative characters, group code), computed once."""

    def compute() -> tuple[tuple[int, int, str], ...]:
        matcher, _, _ = _matchers(doc.vocab)
        out = []
        for match_id, start, end in matcher(doc):
            label = doc.vocab.strings[match_id]
            if label.startswith("GROUP_"):
                out.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text), label[len("GROUP_"):]))
        return tuple(sorted(set(out)))

    return ctx.cached(("partnerships.groups", doc), compute)


def _named(ctx: DocContext, passage: Passage, doc: Doc, start: int, end: int, skip: tuple[int, int]) -> list[str]:
    groups = [(s, e, code) for s, e, code in _groups(ctx, doc) if start <= s and e <= end and not (skip[0] <= s < skip[1])]
    found = [code for _, _, code in groups]
    for hit in country_hits(ctx, passage.text):
        if (start <= hit.start and hit.end <= end and not (skip[0] <= hit.start < skip[1])
                and not any(s <= hit.start < e for s, e, _ in groups)):
            found.append(hit.iso3)
    return list(dict.fromkeys(found))


def _partners(ctx: DocContext, passage: Passage, doc: Doc, ph: _Phrase, s0: int, s1: int) -> tuple[str, ...]:
    skip = (ph.start, ph.end)
    found = _named(ctx, passage, doc, ph.np_start, ph.end, skip)
    if not found:
        sentence = passage.text[s0:s1]
        found = _named(ctx, passage, doc, s0, s1, skip)
        if not found or (_PAIR_WORDS.search(sentence) and len(found) < 2):
            found = [*principal_countries(ctx), *found]
    if not found and passage.kind == "title":
        found = list(principal_countries(ctx))
    partners = set(found)
    if len(partners) == 1 and "JPN" not in partners:
        partners.add("JPN")
    return tuple(sorted(partners)) if len(partners) >= 2 else ()


def _date(ctx: DocContext, passage: Passage, ph: _Phrase, s0: int, s1: int) -> DateValue | None:
    dates = ctx.dates_in(passage, s0, s1)
    anchor = ph.pred_start if ph.pred_start is not None else ph.start
    before = [d for d in dates if d.end <= anchor and not (ph.start <= d.start < ph.end)]
    if before:
        return before[-1].value
    if dates:
        return dates[0].value
    return ctx.document.date


# -- entry point -------------------------------------------------------------------------------


def find_partnerships(ctx: DocContext) -> list[Partnership]:
    """The partnerships the document names, each with its statuses, in order of first mention."""
    found: dict[str, Partnership] = {}
    statuses: dict[str, dict[tuple[str, DateValue | None], PartnershipStatus]] = {}
    for passage, doc in ctx.body():
        phrases = ctx.cached(("partnerships.phrases", doc), _read, doc)
        for ph in phrases:
            s0, s1 = sentence_bounds(passage.text, ph.start)
            partners = _partners(ctx, passage, doc, ph, s0, s1)
            if not partners:
                continue
            key = partnership_key(partners, ph.level)
            status = "referenced" if passage.kind == "title" and ph.status == "referenced" else ph.status
            lo = min(ph.start, ph.pred_start if ph.pred_start is not None else ph.start)
            hi = max(ph.end, ph.pred_end or ph.end)
            predicate = passage.text[ph.pred_start:ph.pred_end] if ph.pred_start is not None else None
            st = PartnershipStatus(status, _date(ctx, passage, ph, s0, s1), passage.index,
                                   ctx.mention(passage, lo, hi), ph.written, predicate)
            if key not in found:
                found[key] = Partnership(key, partners, ph.level, ph.written)
                statuses[key] = {}
            statuses[key].setdefault((st.status, st.date), st)
    return [
        Partnership(p.key, p.partners, p.level, p.label, tuple(statuses[p.key].values()))
        for p in found.values()
    ]
