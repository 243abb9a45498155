"""Diplomatic event coding: who did what to whom, coded to PLOVER event types and modes.

Each finite predicate of a main or coordinated clause that reports a diplomatic act — 歓迎する,
支持を表明する, 高く評価する, 懸念を表明する, 非難する, 要請する / 求める, 合意する, 一致する,
確認する, 協力する, 支援する / 供与する, 署名する, 訪問する, 会談を行う, 協議する … — becomes one
:class:`DiplomaticEvent` with its PLOVER type (``AGREE``, ``CONSULT``, ``SUPPORT``, ``COOPERATE``,
``AID``, ``REQUEST``, ``ACCUSE``, ``REJECT`` …) and mode, the source actor(s), the target actor(s) or
topic, the predicate as written, negation, modality, date and the sentence it was read from.

Where the grammar lives
-----------------------
The predicate → code table is data: ``data/patterns/plover.json`` (the shape of
:mod:`extract.patterns`), run here with spaCy's ``Matcher`` and ``DependencyMatcher`` over the
parses already in the :class:`~extract.context.DocContext`. A rule labelled with a PLOVER type (or
``TYPE:mode``) marks an event word: a verb (歓迎した), or a noun carried by a light or expressing
verb (支持を表明した, 会談を行った, 懸念を共有した). The other labels of the file are the grammar
around it (see the file's notes). The coding decisions follow the event codebook,
``data/gold/events/README.md``:

* only finite main-clause or coordinated-clause predicates are events (…し、…した / …するととも
  に): a relative clause (署名された協定), a purpose clause (…のため, …に向けて) and the content of
  a content head (協力を強化することで一致した: one AGREE) are not; reporting verbs (述べる, 説明
  する, 旨表明する) are transparent: the act inside what is said is coded;
* negation (…しない, …せず) gives ``negated=True`` with the un-negated code; 認めない / 受け入れ
  ない are REJECT, not negated;
* an intention (…していく, …したい, …する考え / 用意) makes the cooperative acts (COOPERATE, AID,
  CONSULT) AGREE, as PLOVER codes future cooperation; a plain non-past (…協力する。) keeps its
  code (a declaration states what the parties do); 期待する / 希望する are REQUEST when another
  actor is the one expected to act, else AGREE;
* one event per (code, sources, targets) per sentence, on the first predicate in text order;
* a sentence may end on the verbal noun (…ことを確認。 / …が参加。); a contrastive clause (…したの
  に対し、 / …できたが、) is coordinated with what follows; acts carried by ある / なす (支持があった,
  招請がなされた, 要請があった) are coded by their noun; 〜していただきたい / 〜てほしい / 〜の協力を得たい
  are REQUEST;
* 期待 / 希望 is REQUEST when the object names who else is to act (Xが…すること, その役割, a process
  with its own subject), AGREE for the parties' own relations or cooperation, no event as an
  impersonal passive (…ことが期待される);
* affirming a condemnation (…は非難されるべきであることを確認した) is ACCUSE; one country's 協力 in a
  sentence about development cooperation (重点分野, 無償資金協力, 円借款 …) is AID; the parties'
  支援 of their own cooperation (双方は…協力の強化を支援する) is SUPPORT.

Actors
------
The source is the subject (…は / …が) of the predicate or of the clause chain it is coordinated
into; 両首脳 / 両国 / 双方 / 閣僚 stand for the document's principal countries
(:func:`extract.principals.principal_countries`), X側 for X, 我が国 / 総理 / 大臣 (with no name) for
Japan, a named person for his or her country, a country or an organization for itself. A sentence
without a subject takes its speaker (安倍総理から、… / 大統領より、…) when it names one, else the last
source of the document before it (Japanese drops a repeated subject), the principals at the start. Targets are the actors named in the predicate's に対し /
へ / と phrase or, for SUPPORT, ACCUSE, REQUEST and AID, in its object (北朝鮮による発射を非難 →
PRK); a visit's target is the country visited. Sources are never targets of their own event.

Date: the date written in the sentence before the predicate (the nearest), else the document date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .context import DocContext, sentence_bounds
from .countries import country_hits
from .facts import DateValue, Entity, Mention
from .patterns import family_matchers
from .principals import principal_countries, side_country

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

    from .facts import Passage

__all__ = ["PLOVER_TYPES", "DiplomaticEvent", "find_actions"]

FAMILY = "plover"

#: The 16 PLOVER event types (REQUEST is POLECAT's name for the manual's DEMAND).
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
#: cooperative acts that PLOVER codes AGREE when stated as an intention or a future act
_FUTURE_IS_AGREE = frozenset({"CONSULT", "COOPERATE", "AID"})
_SKIP_KINDS = frozenset({"title", "heading", "metadata", "caption", "signature"})
_SUBJECT_CASES = frozenset({"は", "が", "も", "では", "からは", "から"})
_TARGET_CASES = frozenset({"に", "へ", "と", "から"})
_SPEAKER_CASES = frozenset({"より", "から", "からは", "よりは"})
_ABOUT_CASES = frozenset({"について", "につき", "に関して", "に関し"})
_COORDINATION = frozenset({"advcl", "conj", "dep"})  # dep: a clause the parser left unlabelled (after a paragraph number)
_CLAUSE_LINKS = frozenset({"acl", "ccomp", "obj", "obl", "nsubj", "csubj", "advcl", "nmod", "compound", "fixed", "case", "mark", "aux"})
_TAIL_DEPS = frozenset({"aux", "mark", "fixed", "cop"})
#: verbal acts that are never the content of another predicate (see _main_clause)
_VERBAL = frozenset({"SUPPORT", "AGREE", "ACCUSE", "REQUEST"})
_OBJECT_CODES = frozenset({"SUPPORT", "ACCUSE", "REQUEST", "AID", "REJECT", "SANCTION"})
_TOPIC_MAX = 60


@dataclass(frozen=True)
class DiplomaticEvent:
    """One diplomatic act, as one sentence of one document reports it."""

    key: str  # <document id>/<passage>/<offset of the event word>: stable across builds
    code: str  # a PLOVER type (PLOVER_TYPES)
    mode: str | None  # a PLOVER mode (visit, phone, multilateral, economic, humanitarian …) or None
    predicate: str  # the predicate as written: 歓迎した, 支持を表明した, 会談を行った
    lemma: str  # the lemma of the event word: 歓迎, 支持, 会談
    sources: tuple[str, ...]  # actor keys: ISO3 of countries, organization keys
    targets: tuple[str, ...] = ()
    topic: str | None = None  # what it is about, as written (the object of the predicate)
    negated: bool = False
    modality: str | None = None  # "intention", "request", "expectation" or None (reported)
    date: DateValue | None = None
    passage: int = 0
    mention: Mention | None = None  # the sentence
    trigger: Mention | None = None  # the predicate


# -- the grammar ------------------------------------------------------------------------------



def _matchers(vocab):
    return family_matchers(vocab, FAMILY)


@dataclass(frozen=True)
class _Trigger:
    label: str  # TYPE, TYPE:mode, EXPECT or REJECT_IF_NEGATED
    event: int  # token index of the event word
    verb: int  # token index of the predicate head (the event word, or the verb carrying it)
    first: int = -1  # first token of the predicate as matched (満足の意 → 満足); -1: the event word


@dataclass
class _Marks:
    triggers: dict[int, _Trigger]
    cues: dict[str, set[int]]  # grammar label -> token indexes (last token of a Matcher match)
    modes: dict[str, list[tuple[int, str]]]  # TYPE -> [(token, mode)]


def _marks(ctx: DocContext, doc: Doc) -> _Marks:
    return ctx.cached(("actions.marks", doc), _compute_marks, doc)


def _compute_marks(doc: Doc) -> _Marks:
    matcher, dep, rules = _matchers(doc.vocab)
    strings = doc.vocab.strings
    triggers: dict[int, _Trigger] = {}
    cues: dict[str, set[int]] = {}
    modes: dict[str, list[tuple[int, str]]] = {}
    exchange: set[int] = set()
    for match_id, start, end in matcher(doc) if len(matcher) else ():
        label = strings[match_id]
        last = end - 1
        while last > start and doc[last].is_punct:
            last -= 1  # …ことを確認。: a rule may require the full stop after its event word
        if label.startswith("MODE:"):
            _, code, mode = label.split(":", 2)
            modes.setdefault(code, []).append((last, mode))
        elif label == "EXCHANGE_OF_VIEWS":
            exchange.add(last)
        elif _is_event_label(label):
            tok = doc[last]
            verb = last
            if start < last and tok.pos_ in {"NOUN", "PROPN"} and tok.dep_ in {"obj", "obl", "nsubj"} and tok.head.pos_ == "VERB":
                verb = tok.head.i  # 感謝の意を表した / 署名式が行われた: the verb that carries the noun
            triggers.setdefault(last, _Trigger(label, last, verb, start))
        else:
            cues.setdefault(label, set()).update(range(start, end))
    if len(dep):
        nodes = {label: [n["RIGHT_ID"] for n in pattern] for label, pattern in rules.dependency}
        sizes: dict[int, int] = {}
        for match_id, token_ids in sorted(dep(doc), key=lambda m: (m[1][0], m[0])):
            label = strings[match_id]
            roles = dict(zip(nodes[label], token_ids))
            event = roles.get("event")
            if event is None:
                continue
            verb = roles.get("verb", event)
            prev = triggers.get(event)
            if prev is None or prev.verb == prev.event or len(token_ids) > sizes.get(event, 0):
                triggers[event] = _Trigger(label, event, verb)
                sizes[event] = len(token_ids)  # the more specific rule (more nodes) wins
    for i in exchange:  # 意見交換を行った / 意見交換した: CONSULT, never an exchange of instruments
        t = triggers.get(i)
        if t is not None and t.label.startswith("SUPPORT"):
            triggers[i] = _Trigger("CONSULT", i, t.verb)
        elif t is None and doc[i].pos_ == "VERB":
            triggers[i] = _Trigger("CONSULT", i, i)
    # a noun carried by a verb that is a trigger itself (支持を表明 is SUPPORT, not a report)
    verbs = {t.verb: t for t in triggers.values() if t.verb != t.event}
    for v in list(triggers):
        if v in verbs and triggers[v].verb == v:
            del triggers[v]
    return _Marks(triggers, cues, modes)


def _is_event_label(label: str) -> bool:
    head = label.split(":", 1)[0]
    return head in PLOVER_TYPES or head in {"EXPECT", "REJECT_IF_NEGATED"}


# -- clauses ----------------------------------------------------------------------------------


def _tail(doc: Doc, head: Token) -> list[Token]:
    """The predicate's auxiliaries and markers (し, た, ない, て, いく …, and a fixed expression such as
    こと|と|なる), in text order, and the noun it modifies when that is a modal noun (…する考え / …する用意)."""
    out = [c for c in head.children if c.i > head.i and (
        c.dep_ in _TAIL_DEPS or (c.dep_ == "compound" and any(g.dep_ == "fixed" for g in c.children)))]  # …こととなった
    for c in list(out):
        out += [g for g in c.children if g.dep_ in _TAIL_DEPS]
    if head.dep_ == "acl" and head.head.i > head.i:
        out.append(head.head)
    return sorted(set(out), key=lambda t: t.i)


def _has(marks: _Marks, label: str, tokens: Iterable[Token]) -> bool:
    found = marks.cues.get(label, set())
    return any(t.i in found for t in tokens)


def _main_clause(marks: _Marks, doc: Doc, head: Token, verbal: bool = False, talks: bool = False) -> Token | None:
    """The top predicate of the coordination chain ``head`` is in, or None when ``head`` is not a
    finite main-clause or coordinated-clause predicate (a relative clause, a purpose clause, the
    content of another predicate). Reporting verbs (述べる, 旨表明した) are transparent.

    ``verbal``: ``head`` is a verbal act (歓迎し, 合意し, 確認し): when it ends a clause with a comma
    (…を歓迎しつつ、…で一致した), it is coordinated with the sentence's main predicate even where
    the parser hangs it inside the content clause that follows (a frequent misattachment). ``talks``:
    ``head`` reports talks (意見交換し, 会談を行い): the same holds when it ends in its 連用形 before a
    comma and is not inside a こと-clause (…について率直に意見交換し、…を再確認した)."""
    cur = head
    lifted = False
    for _ in range(40):
        if cur.dep_ == "ROOT" or cur.head.i == cur.i:
            return cur
        up = cur.head
        comma_clause = _comma_clause(marks, doc, cur)
        if (cur.dep_ == "dep" and cur.pos_ == "VERB") or comma_clause:  # a clause the parser left unattached
            while up.head.i != up.i:  # (or hung on a noun after it): the sentence's root
                up = up.head
        if cur.dep_ in _COORDINATION or _contrastive(marks, cur) or comma_clause:
            if _has(marks, "PURPOSE", _tail(doc, cur)) or _has(marks, "PURPOSE", [c for c in cur.children if c.dep_ in {"mark", "case"}]):
                return None
            if _clause_end(doc, cur).i in marks.cues.get("RELATIVE_END", set()):
                return None  # …に署名された、…の覚書: a relative clause set off by a comma
            tail = _tail(doc, cur)
            after = (tail[-1] if tail and tail[-1].i > cur.i else cur).i + 1
            if cur.i == head.i and after < len(doc) and doc[after].text in {"、", "，", ","} and (
                    verbal or (talks and _clause_end(doc, cur).i in marks.cues.get("CLAUSE_END", set()) and not _in_content(cur))):
                lifted = True  # …について率直に意見交換し、…を再確認した: a clause of the sentence, not of what follows
            cur = up
            continue
        if lifted:
            while cur.head.i != cur.i:
                cur = cur.head
            return cur
        if cur.dep_ == "acl" and up.i in marks.cues.get("MAIN_FRAME", set()) or _has(marks, "MAIN_FRAME", _tail(doc, cur)):
            return cur  # …会談を行ったところ、 / …を供与するものです
        # what is said: …を歓迎する旨述べた / …を歓迎すると述べた / …したことを説明した
        reporting = marks.cues.get("REPORTING", set()) - {t.verb for t in marks.triggers.values()}
        quote = marks.cues.get("QUOTE", set())
        if cur.dep_ in {"acl", "ccomp", "advcl"} and up.i in quote and up.head.i in reporting and up.head.i not in marks.triggers:
            cur = up.head
            continue
        if (cur.dep_ in {"ccomp", "advcl", "obl", "obj"} and up.i in reporting and up.i not in marks.triggers
                and (cur.dep_ == "ccomp" or _has(marks, "QUOTE", [c for c in cur.children if c.dep_ in {"mark", "case", "fixed"}]))):
            cur = up
            continue
        return None
    return None


def _contrastive(marks: _Marks, pred: Token) -> bool:
    """``pred`` ends a contrastive clause (…したのに対し、…): coordinated with what follows, however
    the parser attached it."""
    return _has(marks, "CONTRAST", [c for c in pred.children if c.i > pred.i and c.dep_ in {"mark", "case"}])


def _comma_clause(marks: _Marks, doc: Doc, pred: Token) -> bool:
    """A verb or adjective the parser took for a relative clause (acl) although it ends in its 連用形
    or 終止形 before a comma (…意見交換を行い、… / …うれしい、…): a clause of the sentence's chain. A
    relative clause is in its 連体形 (…署名された、…協力覚書)."""
    if pred.dep_ != "acl" or pred.pos_ not in {"VERB", "ADJ"} or pred.head.i < pred.i:
        return False
    if _in_content(pred):
        return False  # …を強化し、…を行い、…させることで一致した: inside the content of a head
    return _clause_end(doc, pred).i in marks.cues.get("CLAUSE_END", set())


def _in_content(pred: Token) -> bool:
    """``pred`` is inside a clause nominalized by こと / の (the content of a head such as 一致した)."""
    return any(a.lemma_ in {"こと", "の"} and a.pos_ in {"NOUN", "SCONJ", "PRON"} for a in pred.ancestors)


def _clause_end(doc: Doc, pred: Token) -> Token:
    """The last word of a predicate: its last auxiliary or marker, else itself."""
    tail = [t for t in _tail(doc, pred) if t.i > pred.i and t.dep_ in _TAIL_DEPS]
    return tail[-1] if tail else pred


def _chain(head: Token, top: Token) -> list[Token]:
    """``head`` and the predicates above it up to ``top`` (its coordination chain)."""
    out = [head]
    cur = head
    while cur.i != top.i and cur.head.i != cur.i:
        cur = cur.head
        out.append(cur)
    return out


def _case_of(tok: Token) -> str:
    """The particles after a noun (its last case, with what is fixed to it: に対し, について)."""
    parts = [c for c in tok.children if c.dep_ == "case" and c.i > tok.i]
    if not parts:
        return ""
    last = parts[-1]
    return last.text + "".join(f.text for f in last.children if f.dep_ == "fixed")


def _phrase(tok: Token) -> tuple[int, int]:
    """Token range [start, end) of the noun phrase headed by ``tok`` (without its particles)."""
    start = tok.left_edge.i
    return start, tok.i + 1


# -- actors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Actors:
    principals: tuple[str, ...]
    persons: tuple[tuple[int, int, str], ...]  # document offsets of a person mention -> country
    organizations: tuple[tuple[int, int, str], ...]  # document offsets -> organization key


def _actor_index(ctx: DocContext, entities: Sequence[Entity]) -> _Actors:
    persons, orgs = [], []
    for e in entities:
        for m in e.mentions:
            if e.kind == "person" and e.country:
                persons.append((m.start, m.end, e.country))
            elif e.kind == "organization":
                orgs.append((m.start, m.end, e.key))
    return _Actors(principal_countries(ctx), tuple(persons), tuple(orgs))


def _actors_in(ctx: DocContext, passage: Passage, doc: Doc, start: int, end: int, actors: _Actors,
               marks: _Marks, subject: bool) -> tuple[str, ...]:
    """The actors a phrase (token range) names: countries, persons' countries, organizations,
    and (for a subject) 両首脳 / 先方 / 我が国 / 総理."""
    if start >= end:
        return ()
    c0, c1 = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
    text = passage.text
    found: list[str] = []
    toks = list(doc[start:end])
    if subject and _has(marks, "COLLECTIVE", toks):
        return actors.principals
    if subject and _has(marks, "COUNTERPART", toks):
        others = tuple(c for c in actors.principals if c != "JPN")
        return others
    if subject:
        side = side_country(ctx, text[c0:c1] + "は") if "側" in text[c0:c1] else None
        if side:
            return (side,)
    d0, d1 = passage.start + c0, passage.start + c1
    spans: list[tuple[int, str]] = []
    for s, e, country in actors.persons:
        if s < d1 and e > d0:
            spans.append((s, country))
    for s, e, key in actors.organizations:
        if s < d1 and e > d0 and not any(s <= p < e for p, _ in spans):
            spans.append((s, key))
    covered = [(s, e) for s, e, _ in actors.persons if s < d1 and e > d0]
    for hit in country_hits(ctx, text[c0:c1]):
        pos = d0 + hit.start
        if any(s <= pos < e for s, e in covered):
            continue  # キルギス共和国大統領: the person stands for the country
        spans.append((pos, hit.iso3))
    for _, key in sorted(spans):
        if key not in found:
            found.append(key)
    if not found and subject and _has(marks, "SELF", toks):
        return ("JPN",)
    return tuple(found)


def _speaker(ctx: DocContext, passage: Passage, doc: Doc, s0: int, before: int, actors: _Actors,
             marks: _Marks) -> tuple[str, ...]:
    """The actor of a sentence written as its speaker (安倍総理から、… / 大統領より、… / 先方からは、…)
    when the predicate has no subject: the first phrase before the event word, in the sentence, that
    names an actor with より / から. The parser often hangs it on a verb inside what is said."""
    for t in doc[:before]:
        if t.idx < s0 or t.pos_ not in {"NOUN", "PROPN", "PRON"} or _case_of(t) not in _SPEAKER_CASES:
            continue
        a, b = _phrase(t)
        found = _actors_in(ctx, passage, doc, a, b, actors, marks, subject=True)
        if found:
            return found
    return ()


def _subject(doc: Doc, chain: list[Token], before: int) -> Token | None:
    """The subject of the clause chain: the nearest …は / …が (nsubj, or a topic marked は) of
    the chain's predicates, else the first one of a predicate coordinated into it (両首脳は、…を
    再確認し、…を決定した: the subject hangs on the first clause)."""
    def subjects(pred: Token) -> list[Token]:
        return [c for c in pred.children if c.i < pred.i and c.i < before and (
            c.dep_ in {"nsubj", "csubj"} or (c.dep_ in {"obl", "dislocated"} and _case_of(c) in {"は", "も", "では"}))]

    for pred in chain:
        found = subjects(pred)
        if found:
            return found[-1]
    top = chain[-1]
    stack, seen, found = [top], set(), []
    while stack:
        cur = stack.pop()
        if cur.i in seen:
            continue
        seen.add(cur.i)
        found += subjects(cur)
        stack += [c for c in cur.children if c.dep_ in _COORDINATION]
    return min(found, key=lambda t: t.i) if found else None


# -- the events -------------------------------------------------------------------------------


def _predicate_text(doc: Doc, trig: _Trigger, text: str) -> tuple[int, int]:
    """Character span of the predicate as written: from the event word (or its compound
    modifiers: 電話会談) to the end of the carrying verb's auxiliaries."""
    first = doc[trig.event]
    if trig.event < trig.verb and first.head.i != trig.verb and first.head.pos_ == "VERB":
        first = doc[trig.verb]  # 協定が署名され、…実施されている: the event word is another clause's subject
    start = first.i if trig.first < 0 or first.i != trig.event else min(trig.first, first.i)
    while start > 0 and doc[start - 1].dep_ == "compound" and doc[start - 1].head.i == first.i:
        start -= 1
    head = doc[max(trig.verb, trig.event)]
    last = head
    for t in _tail(doc, head):
        if t.dep_ in _TAIL_DEPS and t.i == last.i + 1:
            last = t
    s = doc[min(start, trig.verb)].idx if trig.verb < trig.event else doc[start].idx
    return s, last.idx + len(last.text)


@dataclass(frozen=True)
class _Expectation:
    """What the object of a 期待 / 希望 says about who is to act."""

    doers: tuple[str, ...] = ()  # countries named as the subject (…が) of the object clause
    own_subject: bool = False  # the object clause has a subject that is no actor (…プロセスが進むことを期待)
    heads: tuple[Token, ...] = ()  # the object's head words and the verb of its clause (その役割に期待: 役割)
    tokens: tuple[Token, ...] = ()  # the whole object (両国の経済関係の発展への期待)


def _object_heads(heads: Sequence[Token]) -> tuple[Token, ...]:
    """The object's heads and the predicate of the clause each one heads (…を成功させること: 成功)."""
    out = list(heads)
    for h in heads:
        out += [c for c in h.children if c.dep_ == "acl" and c.i < h.i]
    return tuple(out)


def _object_tokens(doc: Doc, heads: Sequence[Token]) -> tuple[Token, ...]:
    out: list[Token] = []
    for h in heads:
        out += doc[h.left_edge.i : h.right_edge.i + 1]
    return tuple(out)


def _condemned(marks: _Marks, heads: Sequence[Token]) -> bool:
    """The object of an affirmation is a clause whose own predicate condemns or criticizes
    (テロ攻撃は…非難されるべきであることを確認した): the affirmation is that ACCUSE."""
    for h in heads:
        for c in h.children:
            t = marks.triggers.get(c.i)
            if c.dep_ == "acl" and c.i < h.i and t is not None and t.label.split(":")[0] == "ACCUSE":
                return True
    return False


def _tokens_between(doc: Doc, c0: int, c1: int) -> list[Token]:
    """The tokens that start within the character range [c0, c1) of the passage."""
    return [t for t in doc if c0 <= t.idx < c1]


def _expectation_code(marks: _Marks, doc: Doc, trig: _Trigger, tail: list[Token], obj_actors: tuple[str, ...],
                      sources: tuple[str, ...], expect: _Expectation) -> str | None:
    """期待する / 希望する: REQUEST when another actor is the one expected to act (Xが…することを期待,
    その役割に期待, …プロセスが進むことを期待), AGREE when the expectation is the parties' own relations
    or cooperation (両国関係の発展への期待); None for an impersonal passive (…に貢献することが期待される)."""
    if trig.event == trig.verb and _has(marks, "PASSIVE", tail):
        return None
    if any(d not in sources for d in expect.doers):
        return "REQUEST"
    if expect.doers:
        return "AGREE"  # the source itself is to act
    if _has(marks, "RELATIONS", expect.tokens):
        return "AGREE"
    if any(a not in sources for a in obj_actors):
        return "REQUEST"
    if _has(marks, "EXPECT_OTHER", expect.heads) or expect.own_subject:
        return "REQUEST"
    return "AGREE"


def _code(trig: _Trigger, marks: _Marks, doc: Doc, tail: list[Token], top_tail: list[Token],
          negated: bool, obj_actors: tuple[str, ...], sources: tuple[str, ...],
          expect: _Expectation | None = None, chain_tail: Sequence[Token] = ()) -> tuple[str | None, str | None, bool]:
    """(code, modality, negated) of a trigger, or (None, …) when it codes nothing. ``chain_tail``: the
    tails of the predicates the trigger's clause is coordinated into (a wish there scopes over it)."""
    label = trig.label
    head = label.split(":", 1)[0]
    intention = _has(marks, "INTENT", tail) or _has(marks, "INTENT", top_tail)
    if head == "REJECT_IF_NEGATED":
        return ("REJECT", None, False) if negated else (None, None, False)
    if head == "EXPECT":
        code = _expectation_code(marks, doc, trig, tail, obj_actors, sources, expect or _Expectation())
        return code, ("expectation" if code else None), negated
    if head == "REQUEST":
        return head, "request", negated
    if head in _FUTURE_IS_AGREE and not negated and (intention or _has(marks, "INTENT", chain_tail)):
        return "AGREE", "intention", False
    if intention and head in {"SUPPORT"} and _has(marks, "INTENT", tail):
        return "AGREE", "intention", False
    return head, ("intention" if intention else None), negated


def _mode(label: str, code: str, marks: _Marks, s0: int, s1: int, doc: Doc) -> str | None:
    parts = label.split(":")
    mode = parts[1] if len(parts) > 1 and parts[0] == code else None
    for tok, cue in marks.modes.get(code, ()):
        if s0 <= doc[tok].idx < s1:
            if code == "CONSULT" and mode == "visit" and cue == "multilateral":
                continue
            mode = cue
    return mode


def _topic(doc: Doc, chain: list[Token], trig: _Trigger, text: str) -> tuple[str | None, list[Token]]:
    """The object of the predicate as written (its noun phrase or clause), and its head tokens."""
    verb = doc[trig.verb]
    event = doc[trig.event]
    heads = [c for c in verb.children if c.dep_ == "obj" and c.i != event.i]
    if not heads and event.i != verb.i:
        heads = [c for c in event.children if c.dep_ == "nmod"]
    if not heads:
        heads = [c for c in verb.children if c.dep_ == "obl" and c.i < verb.i and _case_of(c) in {"を", "に", "について", "に関して", "に対し", "に対して"}
                 and c.i != event.i]
        heads = heads[-1:]
    if not heads:
        return None, []
    tok = heads[-1]
    start = tok.left_edge.i
    words = text[doc[start].idx : tok.idx + len(tok.text)].strip("、 ")
    if len(words) > _TOPIC_MAX:
        words = words[-_TOPIC_MAX:]
    return (words or None), heads


def find_actions(ctx: DocContext, entities: Sequence[Entity] = ()) -> list[DiplomaticEvent]:
    """The diplomatic events of the document, in text order.

    ``entities`` are the document's persons and organizations (and countries): a person
    named as subject stands for his or her country, an organization for itself."""
    actors = _actor_index(ctx, entities)
    doc_id = ctx.document.doc_id
    events: list[DiplomaticEvent] = []
    last_sources: tuple[str, ...] = actors.principals
    for passage, doc in ctx.body():
        if passage.kind in _SKIP_KINDS:
            continue
        marks = _marks(ctx, doc)
        text = passage.text
        seen: set[tuple[int, str, tuple[str, ...], tuple[str, ...]]] = set()
        for i in sorted(marks.triggers):
            trig = marks.triggers[i]
            verb = doc[trig.verb]
            verbal = trig.label.split(":")[0] in _VERBAL and trig.verb not in marks.cues.get("EXPANDING", set())
            top = _main_clause(marks, doc, verb, verbal, talks=trig.label == "CONSULT")
            if top is None:
                continue
            chain = _chain(verb, top)
            s0, s1 = sentence_bounds(text, doc[trig.event].idx)
            subj = _subject(doc, chain, doc[trig.event].i)
            sources: tuple[str, ...] = ()
            if subj is not None and s0 <= subj.idx < s1:
                a, b = _phrase(subj)
                sources = _actors_in(ctx, passage, doc, a, b, actors, marks, subject=True)
            if not sources:
                sources = _speaker(ctx, passage, doc, s0, trig.event, actors, marks)
            if not sources:
                sources = last_sources
            tail = _tail(doc, verb)
            top_tail = _tail(doc, top) if top.i != verb.i else []
            chain_tail = [t for p in chain[1:] for t in _tail(doc, p)]  # …を強化し、…につなげたい: the wish scopes over the chain
            negated = _has(marks, "NEG", tail)
            topic, topic_heads = _topic(doc, chain, trig, text)
            obj_actors: list[str] = []
            for h in topic_heads:
                a, b = _phrase(h)
                obj_actors += _actors_in(ctx, passage, doc, a, b, actors, marks, subject=False)
            # who is to act in the object clause (Xが…することを期待): a country it names
            agents = [a for a in obj_actors if _is_country(a)]
            doers: list[str] = []  # the subject (…が) of the object clause: who is to act
            own_subject = False
            for h in topic_heads:
                a, b = h.left_edge.i, h.right_edge.i + 1
                agents += [x for x in _actors_in(ctx, passage, doc, a, b, actors, marks, subject=False) if _is_country(x)]
                for t in doc[a:b]:
                    if t.dep_ == "nsubj" and _case_of(t) == "が" and t.i != trig.event:
                        x0, x1 = _phrase(t)
                        who = _actors_in(ctx, passage, doc, x0, x1, actors, marks, subject=True)
                        doers += [x for x in who if _is_country(x)]
                        own_subject = own_subject or not who
            expect = _Expectation(tuple(doers), own_subject, _object_heads(topic_heads), _object_tokens(doc, topic_heads))
            if (trig.label.startswith("COOPERATE") and verb.dep_ in _COORDINATION and top.i != verb.i
                    and any(c.dep_ == "obl" and _case_of(c) == "と" for c in verb.children) and not _has(marks, "INTENT", tail)):
                continue  # JICAと連携し、…を提供する: how the next act is done, not an act of its own
            code, modality, negated = _code(trig, marks, doc, tail, top_tail, negated, tuple(agents), sources, expect, chain_tail)
            if code is None:
                continue
            if code == "AGREE" and verb.i in marks.cues.get("DELIBERATE", set()) and any(
                    c.dep_ == "obl" and _case_of(c) in _ABOUT_CASES for c in verb.children):
                code = "CONSULT"  # …の見通しについて徹底的に検討した: talks, not a plan to consider
            if code == "AGREE" and _condemned(marks, topic_heads):
                code = "ACCUSE"  # …は非難されるべきであることを確認した: the act in the object decides
            if code == "AID" and len(sources) > 1 and _has(marks, "RELATIONS", _object_tokens(doc, topic_heads)):
                code = "SUPPORT"  # 双方は…協力の強化を支援する: backing their own cooperation, no recipient of aid
            if code == "COOPERATE" and len(sources) == 1 and _has(marks, "ODA", _tokens_between(doc, s0, s1)):
                code = "AID"  # 我が国は…を重点分野として協力してきている: development cooperation (ODA) is aid
            targets = _targets(ctx, passage, doc, chain, trig, code, actors, marks, obj_actors)
            targets = tuple(t for t in targets if t not in sources)
            key = (s0, code, sources, targets)
            if key in seen:
                continue
            seen.add(key)
            last_sources = sources
            p0, p1 = _predicate_text(doc, trig, text)
            date = _date(ctx, passage, s0, doc[trig.event].idx)
            events.append(DiplomaticEvent(
                key=f"{doc_id}/{passage.index}/{doc[trig.event].idx}",
                code=code,
                mode=_mode(trig.label, code, marks, s0, s1, doc) or ("economic" if code == "AID" else None),
                predicate=text[p0:p1],
                lemma=doc[trig.event].lemma_,
                sources=sources,
                targets=targets,
                topic=topic,
                negated=negated,
                modality=modality,
                date=date,
                passage=passage.index,
                mention=ctx.mention(passage, s0, s1),
                trigger=ctx.mention(passage, p0, p1),
            ))
        # a sentence without a subject of its own continues the last one
    return events


def _targets(ctx: DocContext, passage: Passage, doc: Doc, chain: list[Token], trig: _Trigger, code: str,
             actors: _Actors, marks: _Marks, obj_actors: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    verb = doc[trig.verb]
    for c in verb.children:
        if c.dep_ not in {"obl", "iobj", "obj"} or c.i > verb.i or c.i == trig.event:
            continue
        case = _case_of(c)
        visit = trig.label.endswith(":visit")
        if case.startswith(("に対", "へ")) or (case in _TARGET_CASES and (code == "CONSULT" or case == "に")) or (visit and c.dep_ == "obj"):
            a, b = _phrase(c)
            found += _actors_in(ctx, passage, doc, a, b, actors, marks, subject=False)
    if code in _OBJECT_CODES:
        found += obj_actors
    return tuple(dict.fromkeys(found))


def _is_country(key: str) -> bool:
    return bool(_ISO3.fullmatch(key))


_ISO3 = re.compile(r"[A-Z]{3}")
_ANCHORED = re.compile(r"^(?:同|翌|前|本|今|昨|来)")


def _date(ctx: DocContext, passage: Passage, s0: int, at: int) -> DateValue | None:
    dates = [d for d in ctx.dates_in(passage, s0, at)]
    if dates:
        return dates[-1].value
    return ctx.document.date
