"""Agreement lifecycle: the events of an instrument, each with its date, place and provenance.

An instrument is signed (署名, 調印, 締結, 署名式), approved (国会の承認, 承認を得て), ratified (批准),
its instruments exchanged (公文の交換, 書簡を交換, 批准書の交換), enters into force (発効, 効力を生ずる),
is amended (改正, 改定), terminated (終了, 失効, 廃棄) or adopted (採択, 発出, 発表). Each of these is
one :class:`AgreementEvent` of the :class:`~extract.facts.Agreement` that
:func:`extract.agreements.find_agreements` found, under the same key: the key is
:func:`~extract.agreements.instrument_key` of the name, so the statement that reports a signature
and a later one that reports the entry into force give one agreement with two events.

Where the grammar lives
-----------------------
The event words and what blocks them are data, ``data/patterns/lifecycle.json`` (the shape of
:mod:`extract.patterns`), run here with spaCy's ``Matcher`` and ``DependencyMatcher`` over the
parses already in the :class:`~extract.context.DocContext` (no second model run, no pipeline
component). Which instrument an event word belongs to is read from the parse:

* the instrument is an argument of the event word (…協定に署名した, …協定が発効した, …協定の発効),
  through a document noun (協定の批准書を交換, 「…取決め」に係る公文の交換) or a light verb that
  carries the event noun (署名が行われた, 国会の承認を経て, 国会の承認を得た, 発効する予定);
* the instrument is the topic (…は) of a chain of clauses: 同協定は2019年3月5日に署名され、同年
  12月20日に発効した gives both events;
* the event clause modifies the instrument (2023年7月6日に署名された「…覚書」);
* an anaphor stands for the instrument: 同協定 / 本協定 / 当該覚書 / この条約 for the latest
  instrument named before it whose name ends in the same head word (within five passages), これ
  (as an argument, not これにより) for the latest instrument of the passage or the one before;
* a signature block's subjectless 署名された (…、東京にて英語で2部署名された。) signs the document
  itself, when the document is a joint statement or a declaration;
* a note after the name (投資協定(2015年署名、2017年発効)) and the columns of a table whose header
  names the event (交換公文 署名) give one event per date.

Negated and aimed-at events are no events (decision): 発効していない, 未発効, 早期発効, 発効を目指す,
署名に向けた, 批准を期待する, 署名することで一致した, 発効のための国内手続 (rules ``NOT_EVENT``), and
neither is a modal (署名すべき). An event told in the non-past (2026年1月1日に発効する, 発効する予定)
is an event with ``scheduled=True`` when its clause gives a date, and no event without one (a
treaty's own text: この協定は…日に効力を生ずる).

Date: the date the parse attaches to the event word, its light verb or (for an event noun under a
reporting verb: 7日、…の署名を歓迎した) that verb; else the nearest date before the event word in
its clause, outside the instrument's name. Relative dates are resolved as :mod:`extract.dates`
does, with the document date as anchor and the preceding text, the passages before included for
同年 / 同日 at the start of a passage. No date is guessed: an undated report gives ``date=None``.
Place: X で / において / にて in the same clause (a place key, as ``Agreement.place``).

One event per (agreement, kind, date) in a document; an undated event is dropped when the
document dates the same kind of event of the same agreement.

:func:`find_lifecycle` also returns the instruments that only a lifecycle event names (…租税条約は
国会の承認を経て批准された: no signing, no 「」, no "between" — lost before), as new
:class:`~extract.facts.Agreement` objects built with the same naming and keying as
:mod:`extract.agreements`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .agreements import (
    _DEMONSTRATIVE,
    _clean_name,
    _debris,
    _debris_tokens,
    _generic,
    _parties,
    _type_of,
    _walk_start,
    instrument_key,
)
from .context import DocContext, clean_label, head_hits, sentence_bounds
from .facts import Agreement, DateValue, Document, Mention, make_key
from .lexicon import instrument_heads
from .organizations import org_hits
from .patterns import family_matchers, load_rules
from .places import place_hits
from .principals import principal_countries

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

    from .dates import DateMention
    from .facts import Passage

__all__ = [
    "EVENT_KINDS",
    "AgreementEvent",
    "Lifecycle",
    "event_key",
    "events_of",
    "find_events",
    "find_lifecycle",
]

#: The kinds of event, in the order of an instrument's life.
EVENT_KINDS = ("signed", "approved", "ratified", "exchanged", "entered_into_force", "amended", "terminated", "adopted")

FAMILY = "lifecycle"


@dataclass(frozen=True)
class AgreementEvent:
    """One event of an instrument, as one passage of one document reports it."""

    agreement: str  # the Agreement's key
    kind: str  # one of EVENT_KINDS
    date: DateValue | None
    place: str | None  # place key (make_key of the place as written), as Agreement.place
    passage: int  # index of the Passage the event is read from
    mention: Mention  # the clause: instrument (or its anaphor), date and predicate
    predicate: str  # the predicate as written: 発効した, 効力を生じた, 交換が行われた, 署名
    #: told in the non-past with a date (2026年1月1日に発効する, 発効する予定): announced, not yet reported
    scheduled: bool = False

    @property
    def key(self) -> str:
        return event_key(self.agreement, self.kind, self.date)


def event_key(agreement: str, kind: str, date: DateValue | None) -> str:
    """A stable key for one event across documents: ``<agreement key>/<kind>/<ISO date or undated>``.

    >>> event_key("投資協定", "signed", DateValue(2019, 3, 5))
    '投資協定/signed/2019-03-05'
    """
    return f"{agreement}/{kind}/{date.iso() if date else 'undated'}"


@dataclass(frozen=True)
class Lifecycle:
    """What :func:`find_lifecycle` found: the agreements (those given, then the new ones) and the events."""

    agreements: tuple[Agreement, ...]
    events: tuple[AgreementEvent, ...]


# -- the grammar ------------------------------------------------------------------------------

_KIND_OF_LABEL = {k.upper(): k for k in EVENT_KINDS}
#: verbs and nouns that carry an event noun: 署名が行われた, 承認を経て, 発効する予定, 発効を見た
_CARRIERS = frozenset({
    "行う", "行なう", "執り行う", "とり行う", "する", "経る", "得る", "受ける", "迎える", "至る", "見る",
    "予定", "見込み", "見通し", "完了",
})
_SCHEDULE_NOUNS = frozenset({"予定", "見込み", "見通し"})
#: the nouns an instrument is exchanged or signed as: 協定の批准書を交換, …覚書の署名式
_DOCUMENT_NOUNS = frozenset({"書", "批准書", "公文", "書簡", "口上書", "文書", "式", "署名式", "交換式", "原本", "正本"})
_CONNECTORS = frozenset({"係る", "関する", "関わる"})
_MODAL = frozenset({"べし", "たい", "う", "よう", "まい"})
_NEGATION = frozenset({"ない", "ず", "ぬ", "ん"})
_ANAPHOR_PREFIX = r"(?:同|本|当該|この|上記の?|前記の?|右)"
_WORD_CHAR = re.compile(r"[\u3400-\u9fff\u3005\u30a1-\u30fa\u30fc々A-Za-z0-9]")
_ANAPHORIC_DATE = re.compile(r"^(?:同|翌|前)")
_NOTE = re.compile(r"^\s*[(（]([^()（）]{2,60})[)）]")
_NOTE_EVENT = re.compile(r"(署名|調印|締結|発効|批准|改正|終了|失効|採択)")
_NOTE_KINDS = {"署名": "signed", "調印": "signed", "締結": "signed", "発効": "entered_into_force", "批准": "ratified",
               "改正": "amended", "終了": "terminated", "失効": "terminated", "採択": "adopted"}
#: kinds an instrument may be found by here alone; signings, exchanges and adoptions are
#: extract.agreements' to find (it chose to leave out what it left out)
_NEW_INSTRUMENT_KINDS = frozenset({"approved", "ratified", "entered_into_force", "terminated"})
_SELF_KINDS = frozenset({"signed", "adopted"})




def _lemmas(attrs: dict) -> list[str]:
    value = attrs.get("LEMMA")
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and isinstance(value.get("IN"), list):
        return [v for v in value["IN"] if isinstance(v, str)]
    return []


@lru_cache(maxsize=1)
def _prefilter() -> re.Pattern[str]:
    """What a passage must contain for an event rule to match: for each rule, the kanji stems of
    its most specific word (効力 for 効力を生ずる, 署名 for …に署名した). Passages without any are
    not matched at all."""
    rules = load_rules(FAMILY)
    stems: set[str] = set()
    for label, pattern in (*rules.matcher, *rules.dependency):
        if label == "NOT_EVENT":
            continue
        best: list[str] = []
        for node in pattern:
            attrs = node.get("RIGHT_ATTRS", node) if isinstance(node, dict) else {}
            words = [re.sub(r"[\u3041-\u309f]+$", "", w) or w for w in _lemmas(attrs)]
            if words and (not best or min(map(len, words)) > min(map(len, best))):
                best = words
        stems.update(best)
    return re.compile("|".join(sorted(map(re.escape, stems), key=len, reverse=True)))


def _matchers(vocab):
    return family_matchers(vocab, FAMILY)


@dataclass(frozen=True)
class _Trigger:
    kind: str
    event: int  # token index of the event word
    first: int  # first token of the predicate as matched


def _triggers(ctx: DocContext, passage: Passage, doc: Doc) -> tuple[dict[int, _Trigger], set[int]]:
    """Event words of one passage (token index → trigger) and the blocked ones, computed once."""
    memo_key = ("lifecycle.triggers", passage.text)  # token positions: the same for a repeated text
    cached = ctx.memo.get(memo_key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    found: dict[int, _Trigger] = {}
    blocked: set[int] = set()
    if not _prefilter().search(passage.text):
        ctx.memo[memo_key] = (found, blocked)
        return found, blocked
    matcher, dep, rules = _matchers(doc.vocab)
    strings = doc.vocab.strings
    events = set(_KIND_OF_LABEL)
    for match_id, start, end in matcher(doc) if len(matcher) else ():
        label = strings[match_id]
        span = doc[start:end]
        if label == "NOT_EVENT":
            blocked.update(t.i for t in span if _is_event_word(t))
            continue
        if label in events:
            root = span.root
            prev = found.get(root.i)
            if prev is None or start < prev.first:
                found[root.i] = _Trigger(_KIND_OF_LABEL[label], root.i, start)
    if len(dep):
        nodes = {label: [n["RIGHT_ID"] for n in pattern] for label, pattern in rules.dependency}
        for match_id, token_ids in dep(doc):
            label = strings[match_id]
            roles = dict(zip(nodes[label], token_ids))
            event = roles.get("event")
            if event is None:
                continue
            if label == "NOT_EVENT":
                blocked.add(event)
            elif label in events:
                first = min(token_ids)
                prev = found.get(event)
                if prev is None or first < prev.first or prev.kind != _KIND_OF_LABEL[label]:
                    found[event] = _Trigger(_KIND_OF_LABEL[label], event, min(first, prev.first) if prev else first)
    result = (found, blocked)
    ctx.memo[memo_key] = result
    return result


_EVENT_LEMMAS = ("発効", "署名", "締結", "批准", "承認", "調印", "交換", "改正", "改定", "終了", "失効", "採択", "生ずる", "生じる", "発する")


def _is_event_word(tok: Token) -> bool:
    return tok.lemma_.startswith(_EVENT_LEMMAS)


# -- instruments and their anaphors ------------------------------------------------------------


@dataclass(frozen=True)
class _Anchor:
    """A span of a passage that stands for one agreement: a mention of it, or an anaphor."""

    key: str
    passage: int
    start: int  # passage-relative characters
    end: int
    direct: bool


def _of_passage(anchors: Sequence[_Anchor], passage: int) -> Sequence[_Anchor]:
    """The anchors of one passage, out of a list sorted by passage (a slice, not a scan: a long
    document has tens of thousands)."""
    lo = bisect_left(anchors, passage, key=_passage_of)
    return anchors[lo : bisect_right(anchors, passage, lo, key=_passage_of)]


def _passage_of(anchor: _Anchor) -> int:
    return anchor.passage


def _tokens(doc: Doc, start: int, end: int) -> list[Token]:
    return [t for t in doc if t.idx < end and t.idx + len(t.text) > start]


def _exits(doc: Doc, start: int, end: int) -> list[Token]:
    """Tokens of the span whose head lies outside it: where the span hangs in the clause."""
    inside = _tokens(doc, start, end)
    ids = {t.i for t in inside}
    return [t for t in inside if t.head.i not in ids or t.head.i == t.i]


def _direct_anchors(ctx: DocContext, agreements: Sequence[Agreement]) -> list[_Anchor]:
    out = []
    for a in agreements:
        for m in a.mentions:
            if not 0 <= m.passage < len(ctx.passages):
                continue
            p = ctx.passages[m.passage]
            s, e = m.start - p.start, m.end - p.start
            if 0 <= s < e <= len(p.text):
                out.append(_Anchor(a.key, p.index, s, e, True))
    return sorted(set(out), key=lambda x: (x.passage, x.start, x.end, x.key))


def _anaphor_heads() -> tuple[str, ...]:
    heads = {h for h, _ in instrument_heads()} | {"声明", "計画", "取極め", "協約"}
    return tuple(sorted(heads, key=len, reverse=True))


def _anaphor_anchors(ctx: DocContext, direct: list[_Anchor], labels: dict[str, str]) -> list[_Anchor]:
    """同協定, 本覚書, 当該条約, この協定 (and これ as an argument) resolved to the agreement they stand for."""
    heads = _anaphor_heads()
    pattern = re.compile(rf"{_ANAPHOR_PREFIX}({'|'.join(map(re.escape, heads))})")
    out: list[_Anchor] = []
    for passage, doc in ctx.body():
        text = passage.text
        candidates = list(pattern.finditer(text))
        ends = {t.idx + len(t.text) for t in doc} if candidates else set()
        starts = {t.idx for t in doc} if candidates else set()
        for m in candidates:
            if m.start() > 0 and _WORD_CHAR.match(text[m.start() - 1]):
                continue  # 基本協定, 共同声明, 日本協定: part of a longer word
            if m.end() not in ends or m.start() not in starts:
                continue
            if any(a.start <= m.start() < a.end for a in _of_passage(direct, passage.index)):
                continue  # inside a name (…同協定を改正する議定書 as named by agreements.py)
            head = m.group(1)
            key = _antecedent(direct, labels, passage.index, m.start(), lambda k, h=head: _ends_with_head(labels[k], h), 5)
            if key is not None:
                out.append(_Anchor(key, passage.index, m.start(), m.end(), False))
        for tok in doc if "これ" in text else ():
            if tok.text not in {"これ", "これら"} or tok.pos_ != "PRON":
                continue
            case = [c for c in tok.children if c.dep_ == "case"]
            fixed = any(g.dep_ == "fixed" for c in case for g in c.children)
            if not {c.lemma_ for c in case} & {"に", "を", "が", "は"} or fixed or re.match(r"を(?:受け|踏まえ)", text[tok.idx + len(tok.text):]):
                continue  # これにより / これを受けて: a cause, not the instrument
            key = _antecedent(direct, labels, passage.index, tok.idx, lambda k: True, 1)
            if key is not None:
                out.append(_Anchor(key, passage.index, tok.idx, tok.idx + len(tok.text), False))
    return out


def _ends_with_head(label: str, head: str) -> bool:
    label = re.sub(r"[(（][^()（）]*[)）]$", "", label).rstrip("」』 ")
    if head in {"文書"}:
        return True  # 同文書: any instrument
    if head in {"取極", "取極め", "取決め"}:
        return label.endswith(("取極", "取極め", "取決め"))
    return label.endswith(head)


def _antecedent(direct: list[_Anchor], labels: dict[str, str], passage: int, start: int, fits, window: int) -> str | None:
    """The nearest anchor of ``direct`` (sorted) before ``start`` of ``passage``, at most ``window``
    passages back, whose key ``fits``."""
    i = bisect_left(direct, (passage, start), key=lambda a: (a.passage, a.start))
    while i > 0:
        i -= 1
        a = direct[i]
        if a.passage < passage - window:
            break
        if fits(a.key):
            return a.key
    return None


# -- linking an instrument to its event words ---------------------------------------------------


def _case(tok: Token) -> set[str]:
    return {c.lemma_ for c in tok.children if c.dep_ in {"case", "mark"}}


def _plain_case(tok: Token) -> set[str]:
    """Case particles of ``tok`` that are not the start of a compound particle (において, により)."""
    return {c.lemma_ for c in tok.children if c.dep_ == "case" and not any(g.dep_ == "fixed" for g in c.children)}


def _group(doc: Doc, t: Token, triggers: dict[int, _Trigger]) -> list[Token]:
    """An event word with the event words coordinated with it: 署名・交換, 署名及び交換."""
    out = [t]
    for c in t.children:
        if c.i in triggers and c.dep_ in {"compound", "conj", "nmod"} and c.i < t.i:
            out.append(c)
    if t.dep_ in {"compound", "conj"} and t.head.i in triggers and t.head.i != t.i:
        out.append(t.head)
    return out


def _under_carrier(t: Token) -> Token | None:
    """The light verb that carries an event noun (署名が行われた, 承認を経て, 発効する予定)."""
    h = t.head
    if h.i != t.i and (h.lemma_ in _CARRIERS) and t.dep_ in {"nsubj", "obj", "obl", "acl", "nmod"} and not _about(t):
        return h
    return None


def _scope_verbs(x: Token) -> list[Token]:
    """The predicates a topic (…は) governs: its head, the clauses that head ends, and the clauses
    chained into them after the topic that have no subject of their own."""
    h = x.head
    seen: list[Token] = []
    todo = [h]
    up = h
    while up.dep_ in {"advcl", "conj"} and up.head.i != up.i:
        up = up.head
        todo.append(up)
    while todo:
        v = todo.pop()
        if v in seen:
            continue
        seen.append(v)
        for c in v.children:
            if c.dep_ in {"advcl", "conj"} and c.i > x.i and not any(g.dep_ == "nsubj" for g in c.children):
                todo.append(c)
    return seen


def _linked(doc: Doc, start: int, end: int, triggers: dict[int, _Trigger], banned: set[int],
            blocked: set[int] | frozenset[int] = frozenset()) -> list[Token]:
    """Event words the span start:end (an instrument or its anaphor) is an argument of; a group
    (署名・発効に向けて) is blocked as a whole when one of its words is."""
    out: list[Token] = []
    refused: list[Token] = []

    def take(tok: Token) -> None:
        if tok.i in triggers and tok.i not in banned:
            group = _group(doc, tok, triggers)
            if any(g.i in blocked for g in group):
                refused.append(tok)
                return
            for g in group:
                if g.i not in banned and g not in out:
                    out.append(g)

    def carried(v: Token) -> None:
        """v itself, or the event nouns v carries (v = 行う, 経る, 得る, 予定 …)."""
        take(v)
        if v.lemma_ in _CARRIERS:
            for c in v.children:
                if c.i in triggers and c.dep_ in {"nsubj", "obj", "obl", "acl", "nmod"} and not _about(c):
                    take(c)

    inside = {t.i for t in _tokens(doc, start, end)}
    for c in doc:
        # the clause that modifies the instrument: 2023年に署名された「…」, 発効した協定; not a
        # transitive one, whose head is its agent (同協定を改正する議定書)
        if c.dep_ == "acl" and c.head.i in inside and c.i not in inside and not any(g.dep_ == "obj" for g in c.children):
            take(c)
    for x in _exits(doc, start, end):
        if x.head.i == x.i:
            continue
        seen = 0
        while x.dep_ == "conj" and x.head.pos_ in {"NOUN", "PROPN"} and seen < 3:
            x, seen = x.head, seen + 1  # A協定及びB協定に署名: the partner's role
        h = x.head
        hops = 0
        while hops < 4 and (h.i not in triggers or _about(h)) and h.head.i != h.i:
            if h.i in triggers:
                x, h = h, h.head  # …協定の締結について国会の承認を得た: what is done about the event
            elif h.lemma_ in _DOCUMENT_NOUNS and x.dep_ in {"nmod", "compound"}:
                x, h = h, h.head  # 協定の批准書を交換, 覚書の署名式
            elif h.lemma_ in _CONNECTORS and h.dep_ == "acl" and _document_exchange(h.head, triggers):
                x, h = h, h.head  # 「…取決め」に係る公文の交換
            elif h.lemma_ in {"含む", "始める"} and h.dep_ == "acl" and x.dep_ == "obj" and h.head.i not in triggers:
                x, h = h.head, h.head.head  # Aを含む3件の覚書交換式: a member of a counted set
            elif h.lemma_ in {"発生", "発効"} and h.head.lemma_ == "ため" and _purpose_document(h.head) is not None:
                x = _purpose_document(h.head)  # …協定の効力発生のための(外交上の)公文を交換した
                h = x.head
            else:
                break
            hops += 1
        carried(h)
        if _case(x) & {"は", "も"}:
            for v in _scope_verbs(x):
                carried(v)
    if not out and not refused:
        found = _linear(doc, end, triggers, banned)
        out = [] if any(g.i in blocked for t in found for g in _group(doc, t, triggers)) else found
    return out


def _purpose_document(tok: Token) -> Token | None:
    """The document noun that a ため phrase modifies, over at most two nouns (のための外交上の公文)."""
    d = tok.head
    for _ in range(3):
        if d.lemma_ in _DOCUMENT_NOUNS:
            return d
        if d.pos_ not in {"NOUN", "PROPN"} or d.head.i == d.i:
            return None
        d = d.head
    return None


def _about(tok: Token) -> bool:
    """…の締結について / …の署名に関し: the event is what something else is about."""
    return any(c.dep_ == "case" and c.lemma_ == "に" and any(g.dep_ == "fixed" and g.lemma_ in {"つく", "関する", "対する", "係る"}
                                                            for g in c.children) for c in tok.children)


def _linear(doc: Doc, end: int, triggers: dict[int, _Trigger], banned: set[int]) -> list[Token]:
    """When the parse is lost (long English asides): the instrument marked by を / に / が / は is
    an argument of the first predicate of its clause if that is an event word; …の交換: the event
    noun right after it."""
    after = [t for t in doc if t.idx >= end]
    while after and after[0].text in {"」", "』"}:
        after = after[1:]
    if not after:
        return []
    mark = after[0]
    if mark.lemma_ in {"及び", "並びに"}:
        # Aの書簡及びBの書簡を交換: the partner, the next phrase ending in the same word, tells
        last = next((t for t in reversed(doc[: after[0].i]) if t.text not in {"」", "』"}), None)
        partner = next((t for t in after[1:] if last is not None and t.text == last.text or t.text == "。"), None)
        if partner is None or partner.text == "。":
            return []
        return _linear(doc, partner.idx + len(partner.text), triggers, banned)
    if mark.lemma_ == "の" and len(after) > 1:
        nxt = after[1]
        return _group(doc, nxt, triggers) if nxt.i in triggers and nxt.i not in banned and not _about(nxt) else []
    if mark.lemma_ not in {"を", "に", "が", "は"} or mark.pos_ != "ADP":
        return []
    depth = 0
    for t in after[1:]:
        depth += t.text in {"(", "（"}
        depth -= t.text in {")", "）"} and depth > 0
        if depth or t.text.isascii() and t.text not in {"。"}:
            continue
        if t.text == "。":
            return []
        if t.i in triggers and t.i not in banned and (t.pos_ == "VERB" or _under_carrier(t) is not None):
            return _group(doc, t, triggers)
        if _is_predicate(t):
            return []
    return []


def _document_exchange(tok: Token, triggers: dict[int, _Trigger]) -> bool:
    """交換 / 署名 of a document noun (公文の交換, 書簡の署名): what a 係る-clause may hang on."""
    if tok.i not in triggers:
        return False
    return any(c.lemma_ in _DOCUMENT_NOUNS | {"交換公文"} for c in tok.children if c.dep_ in {"nmod", "obj", "compound", "nsubj"})


# -- mood, tense, date, place ------------------------------------------------------------------


def _aux_lemmas(v: Token) -> list[str]:
    return [c.lemma_ for c in v.children if c.dep_ in {"aux", "mark", "fixed", "cop"}] + [
        g.lemma_ for c in v.children if c.dep_ in {"aux", "mark"} for g in c.children if g.dep_ == "fixed"]


_FORMAL = frozenset({"こと", "の", "よう", "ところ", "旨"})


def _status(t: Token, carrier: Token | None) -> str | None:
    """``"reported"``, ``"scheduled"`` (non-past), or None (negated, modal).

    A clause chained into another (署名され、…発効した) has the tense of the chain; when the
    parse hangs it in a complement (…を発出し、…協力を強化していくことで一致した), of the verb
    the complement belongs to."""
    v = carrier or t
    if v.lemma_ in _SCHEDULE_NOUNS:
        return "scheduled"
    chained = False
    for _ in range(6):
        aux = _aux_lemmas(v)
        if _NEGATION & set(aux) or _MODAL & set(aux):
            return None
        if "た" in aux or "いる" in aux or "おる" in aux:
            return "reported"
        if v.pos_ in {"NOUN", "PROPN"} and not aux:
            return "reported"  # …の署名を歓迎した, 交換公文締結。: an event noun under a report
        if v.dep_ in {"advcl", "conj"} and v.head.i != v.i:
            v, chained = v.head, True
            continue
        if v.dep_ == "acl" and v.head.lemma_ in _SCHEDULE_NOUNS:
            return "scheduled"
        if chained and v.dep_ == "acl" and v.head.lemma_ in _FORMAL and v.head.head.i != v.head.i:
            v = v.head.head
            continue
        if v.dep_ in {"obj", "nsubj", "obl", "nmod"} and v.pos_ in {"NOUN", "PROPN"}:
            return "reported"
        return "scheduled"
    return "scheduled"


def _predicate_end(doc: Doc, v: Token) -> int:
    """Token index after the predicate's auxiliaries (発効|し|た)."""
    j = v.i + 1
    while j < len(doc) and doc[j].head.i in {v.i} | {k for k in range(v.i, j)} and doc[j].dep_ in {"aux", "fixed", "mark", "cop"}:
        j += 1
    return j


def _is_predicate(tok: Token) -> bool:
    """A verb that heads a clause (not a fixed part of に関する, not a proper noun tagged VERB)."""
    return tok.pos_ == "VERB" and tok.dep_ not in {"fixed", "compound", "aux", "nmod"} and not tok.tag_.startswith("名詞-固有名詞")


def _ancestor_verb(tok: Token) -> Token | None:
    """The first predicate above a date or place token (its own clause's verb)."""
    for a in tok.ancestors:
        if _is_predicate(a):
            return a
        if a.dep_ == "ROOT":
            return a
    return None


def _clause_start(doc: Doc, t: Token, preds: set[int], s0: int) -> int:
    """Character where the event's clause starts: after the last predicate before it (predicates
    in an aside in brackets, or in English, do not count)."""
    start = s0
    depth = 0
    for k in doc:
        if k.i >= t.i:
            break
        depth += k.text in {"(", "（"}
        depth -= k.text in {")", "）"} and depth > 0
        if k.idx < s0 or depth or k.i in preds or k.lemma_ in _CONNECTORS or k.text.isascii():
            continue
        if _is_predicate(k):
            end = _predicate_end(doc, k)
            start = max(start, doc[end - 1].idx + len(doc[end - 1].text))
    return start


def _dates(ctx: DocContext, passage: Passage, s0: int, s1: int) -> list[DateMention]:
    """The dates of a sentence; 同年 / 同日 opening a passage resolved from the passages before."""
    from .dates import find_dates

    found = ctx.dates_in(passage, s0, s1)
    out = []
    for d in found:
        if d.relative and _ANAPHORIC_DATE.match(d.text) and not ctx.dates_in(passage, 0, d.start):
            before = [p.text for p in ctx.passages[max(0, passage.index - 3) : passage.index] if p.kind not in {"title", "metadata"}]
            if before:
                prefix = "\n".join(before) + "\n"
                again = [x for x in find_dates(prefix + passage.text, anchor=ctx.anchor) if x.start == len(prefix) + d.start]
                if again:
                    d = replace(again[0], start=d.start, end=d.end)
        out.append(d)
    return out


def _date_verb(doc: Doc, d: DateMention, preds: set[int]) -> tuple[bool, Token | None]:
    """Whether the parse attaches the date to the event (its word, light verb or the rule's other
    words) before any other predicate, and else the predicate it attaches to."""
    tok = _token_at(doc, max(d.start, d.end - 1))
    if tok is None:
        return False, None
    for a in [tok, *tok.ancestors]:
        if a.i in preds:
            return True, None
        if a is not tok and _is_predicate(a):
            return False, a
    return False, None


def _event_date(ctx: DocContext, passage: Passage, doc: Doc, t: Token, preds: set[int], report: Token | None,
                clause: int, avoid: list[tuple[int, int]], s0: int, s1: int) -> DateMention | None:
    dates = [d for d in _dates(ctx, passage, s0, s1) if not any(a <= d.start < b for a, b in avoid)]
    above = {a.i for a in t.ancestors}
    in_acl = t.dep_ == "acl" and t.head.i not in preds
    text = passage.text
    opening = s0 + (len(passage.number) if s0 == 0 and passage.number and text.startswith(passage.number) else 0)
    attached, reporting, near, lead = [], [], [], []
    for d in dates:
        on_event, verb = _date_verb(doc, d, preds)
        if on_event:
            attached.append(d)
        elif report is not None and verb is not None and verb.i == report.i:
            reporting.append(d)
        elif clause <= d.start and d.end <= t.idx and (verb is None or verb.i in above):
            near.append(d)
        elif (not in_acl and d.end <= t.idx and re.match(r"\s*[、,，(（]", text[d.end :])
              and (verb is None or verb.i in above or verb.dep_ in {"ROOT", "advcl", "conj"} or d.start - opening <= 4)):
            lead.append(d)  # 7日、…を交換しました: a date set off by a comma dates the sentence's main events
    for group in (attached, reporting, near, lead):
        if group:
            return min(group, key=lambda d: t.idx - d.end if d.end <= t.idx else d.start - t.idx + 1000)
    return None


def _token_at(doc: Doc, char: int) -> Token | None:
    for tok in doc:
        if tok.idx <= char < tok.idx + len(tok.text):
            return tok
    return None


_LOCATIVE = re.compile(r"^(?:で|において|にて|に於いて)")


def _event_place(ctx: DocContext, passage: Passage, doc: Doc, t: Token, preds: set[int], report: Token | None,
                 clause: int, s0: int, s1: int) -> str | None:
    """X で / において / にて that the parse attaches to the event, else one in its clause."""
    attached, near = [], []
    above = {a.i for a in t.ancestors}
    for hit in place_hits(ctx, passage, doc):
        if not _LOCATIVE.match(passage.text[hit.end :]) or not (s0 <= hit.start < s1):
            continue
        tok = _token_at(doc, max(hit.start, hit.end - 1))
        if tok is None:
            continue
        chain = [tok, *tok.ancestors]
        verb = next((a for a in chain[1:] if _is_predicate(a) or a.i in preds), None)
        if verb is not None and verb.i in preds or report is not None and verb is not None and verb.i == report.i:
            attached.append(hit)
        elif clause <= hit.start < t.idx and (verb is None or verb.i in above):
            near.append(hit)
    best = (attached or near or [None])[-1]
    return make_key(best.name) if best else None


# -- the events --------------------------------------------------------------------------------


def _banned(anchors: Sequence[_Anchor], passage: int, doc: Doc) -> set[int]:
    """Event words inside an instrument's name (…を改正する議定書, 交換公文) report no event of it.
    ``anchors`` are sorted by passage."""
    out: set[int] = set()
    for a in _of_passage(anchors, passage):
        if not (a.start == 0 and a.end >= len(doc.text.rstrip())):
            out.update(t.i for t in _tokens(doc, a.start, a.end))  # (a title that names the document itself bans nothing)
    return out


def _events_at(ctx: DocContext, passage: Passage, doc: Doc, anchor: _Anchor, triggers, blocked, banned) -> list[AgreementEvent]:
    out = []
    text = passage.text
    for t in _linked(doc, anchor.start, anchor.end, triggers, banned, blocked):
        trig = triggers[t.i]
        carrier = _under_carrier(t)
        if carrier is None and t.dep_ in {"compound", "conj"} and t.head.i in triggers:
            carrier = _under_carrier(t.head)  # 署名・交換が行われた: the partner's light verb
        status = _status(t, carrier)
        if status is None:
            continue
        s0, s1 = sentence_bounds(text, t.idx)
        preds = {t.i} | ({carrier.i} if carrier is not None else set())
        if trig.first < t.i:
            preds |= set(range(trig.first, t.i))
        report = t.head if t.pos_ in {"NOUN", "PROPN"} and carrier is None and t.head.i != t.i else None
        clause = _clause_start(doc, doc[trig.first], preds, s0)
        avoid = [(anchor.start, anchor.end)]
        own = next((d for d in ctx.dates_in(passage, anchor.start, anchor.end) if d.start == anchor.start), None)
        if (own is not None and own.end_value is None and text[own.end : own.end + 1] == "の"
                and trig.kind in {"signed", "exchanged", "adopted"}):
            avoid = [(own.end, anchor.end)]  # 2024年8月の…文書の署名: the date a document is known by is its signing's
        date = _event_date(ctx, passage, doc, t, preds, report, clause, avoid, s0, s1)
        if status == "scheduled" and date is None:
            continue  # この協定は…効力を生ずる / 署名する: nothing reported, nothing dated
        place = _event_place(ctx, passage, doc, t, preds, report, clause, s0, s1)
        last = doc[_predicate_end(doc, carrier if carrier is not None and carrier.i > t.i else t) - 1]
        p_start = doc[trig.first].idx
        p_end = last.idx + len(last.text)
        starts = [p_start] + ([anchor.start] if s0 <= anchor.start < s1 else []) + ([date.start] if date else [])
        ends = [p_end] + ([anchor.end] if s0 <= anchor.start < s1 else [])
        out.append(AgreementEvent(
            agreement=anchor.key, kind=trig.kind, date=date.value if date else None, place=place,
            passage=passage.index, mention=ctx.mention(passage, min(starts), max(ends)),
            predicate=text[p_start:p_end], scheduled=status == "scheduled",
        ))
    return out


def _note_events(ctx: DocContext, passage: Passage, anchor: _Anchor) -> list[AgreementEvent]:
    """投資協定(2015年署名、2017年発効): a note after the name dates its events."""
    m = _NOTE.match(passage.text[anchor.end :])
    if m is None or not _NOTE_EVENT.search(m.group(1)):
        return []
    base = anchor.end + m.start(1)
    out = []
    pos = 0
    for part in re.split(r"[、,，/／;；]", m.group(1)):
        lo, hi = base + pos, base + pos + len(part)
        pos += len(part) + 1
        word = _NOTE_EVENT.search(part)
        if word is None or re.search(r"(?:予定|目指|未|見込)", part):
            continue
        dates = [d for d in ctx.dates_in(passage, lo, hi)]
        out.append(AgreementEvent(
            agreement=anchor.key, kind=_NOTE_KINDS[word.group(1)], date=dates[0].value if dates else None, place=None,
            passage=passage.index, mention=ctx.mention(passage, anchor.start, hi), predicate=word.group(1),
        ))
    return out


def _table_events(ctx: DocContext, anchors: list[_Anchor]) -> list[AgreementEvent]:
    """A table whose header names events (交換公文 署名, 発効日): a row's instrument, one event per dated column."""
    out = []
    rows = {a.passage: a for a in anchors if ctx.passages[a.passage].kind == "table_row" and a.direct}
    header: list[tuple[int, str]] | None = None
    for passage in ctx.passages:
        if passage.kind != "table_row":
            header = None
            continue
        cells = passage.text.split("\t")
        if not ctx.dates_in(passage):
            kinds = [(i, _NOTE_KINDS[w.group(1)]) for i, c in enumerate(cells) if (w := _NOTE_EVENT.search(c)) and len(c) <= 16]
            header = kinds or header
            continue
        anchor = rows.get(passage.index)
        if header is None or anchor is None:
            continue
        for col, kind in header:
            if col >= len(cells) or col == 0:
                continue
            lo = sum(len(c) + 1 for c in cells[:col])
            dates = ctx.dates_in(passage, lo, lo + len(cells[col]))
            if dates:
                out.append(AgreementEvent(
                    agreement=anchor.key, kind=kind, date=dates[0].value, place=None, passage=passage.index,
                    mention=ctx.mention(passage, 0, len(passage.text)), predicate=cells[col].strip(),
                ))
    return out


def _self_events(ctx: DocContext, agreements: Sequence[Agreement], anchors: list[_Anchor]) -> list[AgreementEvent]:
    """…、東京にて英語で2部署名された。: the signature block signs the document itself."""
    doc_ = ctx.document
    if not doc_.title or doc_.doc_type not in {"joint_statement", "declaration"}:
        return []
    own = next((a for a in agreements if a.key == instrument_key(doc_.title)), None)
    if own is None:
        return []
    out = []
    tail = [p for p in ctx.passages if p.kind == "signature"]
    body = [p for p in ctx.passages if p.kind not in {"title", "metadata", "caption", "signature"}]
    for passage in tail + body[-2:]:
        doc = ctx.parse(passage)
        triggers, blocked = _triggers(ctx, passage, doc)
        banned = _banned(anchors, passage.index, doc)
        for t in doc:
            trig = triggers.get(t.i)
            if trig is None or trig.kind not in _SELF_KINDS or t.i in blocked or t.i in banned or t.dep_ != "ROOT":
                continue
            if any(c.dep_ in {"nsubj", "obj", "iobj"} or c.dep_ == "obl" and _plain_case(c) & {"に", "を"} for c in t.children):
                continue  # it signs something named
            status = _status(t, None)
            if status != "reported":
                continue
            s0, s1 = sentence_bounds(passage.text, t.idx)
            date = _event_date(ctx, passage, doc, t, {t.i}, None, s0, [], s0, s1)
            place = _event_place(ctx, passage, doc, t, {t.i}, None, s0, s0, s1)
            last = doc[_predicate_end(doc, t) - 1]
            out.append(AgreementEvent(
                agreement=own.key, kind=trig.kind, date=date.value if date else None, place=place,
                passage=passage.index, mention=ctx.mention(passage, s0, last.idx + len(last.text)),
                predicate=passage.text[t.idx : last.idx + len(last.text)],
            ))
    return out


def _dedupe(events: list[AgreementEvent]) -> list[AgreementEvent]:
    """One event per (agreement, kind, date); undated ones yield to a dated one of the same kind."""
    dated = {(e.agreement, e.kind) for e in events if e.date is not None}
    seen: dict[tuple[str, str, DateValue | None], AgreementEvent] = {}
    for e in events:
        if e.date is None and (e.agreement, e.kind) in dated:
            continue
        k = (e.agreement, e.kind, e.date)
        prev = seen.get(k)
        if prev is None or (prev.scheduled and not e.scheduled) or (prev.place is None and e.place is not None):
            seen[k] = e
    return sorted(seen.values(), key=lambda e: (e.mention.start, EVENT_KINDS.index(e.kind), e.agreement))


# -- instruments that only an event names ------------------------------------------------------


def _new_instruments(ctx: DocContext, agreements: Sequence[Agreement],
                     anchors: list[_Anchor]) -> list[tuple[_Anchor, Agreement | None]]:
    """Instruments named as the subject or object of an entry into force, a ratification, an
    approval or a termination, that :mod:`extract.agreements` did not take (…租税条約は国会の承認を
    経て批准された): named and keyed as it names and keys them."""
    heads = instrument_heads()
    principals = None
    known = {a.key: a for a in agreements}
    out: list[tuple[_Anchor, Agreement | None]] = []
    for passage, doc in ctx.body():
        if passage.kind in {"title", "caption", "heading", "signature"}:
            continue
        text = passage.text
        triggers, blocked = _triggers(ctx, passage, doc)
        if not any(tr.kind in _NEW_INSTRUMENT_KINDS for tr in triggers.values()):
            continue
        taken = [(a.start, a.end) for a in _of_passage(anchors, passage.index)]
        hits = head_hits(passage, doc, heads)
        bodies = [o for o in org_hits(ctx, passage, doc) if o.end - o.start > 2]
        banned = _banned(anchors, passage.index, doc)
        for hit in hits:
            if any(s <= hit.start < e or s < hit.end <= e for s, e in taken):
                continue
            label, start = _clean_name(hit.label), hit.start
            walk = _walk_start(doc, hit.token, text)
            if _generic(label, heads) or _debris(hit.label) or _debris_tokens(doc, hit) or walk < start:
                start = walk
            lead = len(passage.number) if passage.number and text.startswith(passage.number) else 0
            while start < lead or start < hit.end and text[start].isspace():
                start += 1  # 4 日本国と…協定: the paragraph's number is not part of the name
            label = _clean_name(clean_label(text[start : hit.end]))
            if _generic(label, heads) or _DEMONSTRATIVE.match(label) or not label:
                continue
            if any(o.start <= hit.start and hit.end < o.end for o in bodies):
                continue
            if any(o is not hit and o.start <= start and hit.end < o.end for o in hits):
                continue
            linked = [t for t in _linked(doc, start, hit.end, triggers, banned, blocked)
                      if triggers[t.i].kind in _NEW_INSTRUMENT_KINDS
                      and _status(t, _under_carrier(t)) is not None]
            if not linked:
                continue
            key = instrument_key(label)
            if key not in known:
                longer = [k for k in known if k.endswith(key) and k != key]
                if len(longer) == 1 or longer and len(key) >= 6:
                    key = longer[0]  # 投資協定 after 日本国とチリ共和国との間の投資協定
            mention = ctx.mention(passage, start, hit.end)
            anchor = _Anchor(key, passage.index, start, hit.end, True)
            if key in known:
                out.append((anchor, None))  # named again: one more mention of a known instrument
                continue
            if principals is None:
                principals = principal_countries(ctx)
            s0, s1 = sentence_bounds(text, start)
            parties = _parties(ctx, passage, doc, start, hit.end, s0, principals, text[s0:s1])
            agreement = Agreement(key=key, label=label, agreement_type=_type_of(label, hit.value, hit.word),
                                  parties=parties, passages=(passage.index,), mentions=(mention,), referenced_only=True)
            known[key] = agreement
            out.append((anchor, agreement))
    return out


# -- entry points ------------------------------------------------------------------------------


def find_lifecycle(ctx: DocContext, agreements: Sequence[Agreement]) -> Lifecycle:
    """The events of the document's instruments, and the instruments only an event names.

    ``agreements`` are those of :func:`extract.agreements.find_agreements`; the result's
    ``agreements`` are they (a new mention added where one is found again) followed by the new ones.
    """
    labels = {a.key: a.label for a in agreements}
    direct = _direct_anchors(ctx, agreements)
    news = _new_instruments(ctx, agreements, direct)
    merged: dict[str, Agreement] = {a.key: a for a in agreements}
    for anchor, agreement in news:
        if agreement is not None:
            labels[agreement.key] = agreement.label
            merged[agreement.key] = agreement
            continue
        prev = merged[anchor.key]
        mention = ctx.mention(ctx.passages[anchor.passage], anchor.start, anchor.end)
        if mention not in prev.mentions:
            merged[anchor.key] = replace(prev, mentions=(*prev.mentions, mention),
                                         passages=tuple(dict.fromkeys((*prev.passages, anchor.passage))))
    direct = sorted({*direct, *(a for a, _ in news)}, key=lambda x: (x.passage, x.start, x.end, x.key))
    anaphors = _anaphor_anchors(ctx, direct, labels)
    anchors = sorted([*direct, *anaphors], key=lambda x: (x.passage, x.start, x.end, x.key))
    events: list[AgreementEvent] = []
    for anchor in anchors:
        passage = ctx.passages[anchor.passage]
        if passage.kind == "metadata":
            continue
        doc = ctx.parse(passage)
        triggers, blocked = _triggers(ctx, passage, doc)
        banned = _banned(anchors, passage.index, doc)
        events += _events_at(ctx, passage, doc, anchor, triggers, blocked, banned)
        if anchor.direct:
            events += _note_events(ctx, passage, anchor)
    events += _table_events(ctx, direct)
    events += _self_events(ctx, list(merged.values()), anchors)
    return Lifecycle(agreements=tuple(merged.values()), events=tuple(_dedupe(events)))


def find_events(ctx: DocContext, agreements: Sequence[Agreement]) -> list[AgreementEvent]:
    """The events of ``agreements`` (and only of them) that the document reports."""
    keys = {a.key for a in agreements}
    return [e for e in find_lifecycle(ctx, agreements).events if e.agreement in keys]


def events_of(document: Document, parses: list[Doc], agreements: Sequence[Agreement], gazetteer=None) -> Lifecycle:
    """:func:`find_lifecycle` for a document and its passage parses (a context built as
    :func:`extract.rules.extract_facts` builds it)."""
    from .gazetteer import load_gazetteer

    ctx = DocContext.build(document, parses, gazetteer or load_gazetteer())
    return find_lifecycle(ctx, agreements)
