"""What every rule family sees: the segmented document, its parses, the gazetteer, the dates.

Rule families are pure functions ``DocContext -> list[...]``. The context holds no state that
rules mutate; each family returns what it found and :mod:`extract.rules` assembles the result.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, TypeVar

from .facts import DateValue, Document, Mention, Passage

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

    from .dates import DateMention
    from .gazetteer import Gazetteer

__all__ = ["KATAKANA", "DocContext", "SpanIndex", "is_katakana_name", "quote_spans", "sentence_bounds", "shift_mention"]

T = TypeVar("T")

KATAKANA = r"\u30a1-\u30fa\u30fc-\u30ff\uff66-\uff9f"  # katakana letters, not ・
_KATAKANA_NAME = re.compile(rf"[{KATAKANA}ー]+(?:[・＝=][{KATAKANA}ー]+)*")
_SENTENCE_END = re.compile(r"[。！？!?](?![)）」』])")


def is_katakana_name(text: str) -> bool:
    """True for a run of katakana words joined by ・ or ＝ (how foreign names are written)."""
    return bool(_KATAKANA_NAME.fullmatch(text)) and not set(text) <= {"・", "＝", "=", "ー"}


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """The sentence of ``text`` around character ``pos``: ends at 。 (or the passage end)."""
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    m = _SENTENCE_END.search(text, pos)
    end = m.end() if m else len(text)
    return start, end


@dataclass
class DocContext:
    document: Document
    parses: list[Doc]
    gazetteer: Gazetteer
    dates: dict[int, list[DateMention]] = field(default_factory=dict)  # passage index -> dates
    #: per-document results that several families read (organization hits of a passage …),
    #: computed once (:meth:`cached`) — never state that a rule changes
    memo: dict[object, object] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, document: Document, parses: list[Doc], gazetteer: Gazetteer) -> DocContext:
        from .dates import find_dates

        dates: dict[int, list[DateMention]] = {}
        anchor = document.date
        by_text: dict[str, list[DateMention]] = {}  # a repeated passage is read once
        for passage in document.passages:
            found = by_text.get(passage.text)
            if found is None:
                found = by_text[passage.text] = find_dates(passage.text, anchor=anchor)
            dates[passage.index] = list(found)
        return cls(document, parses, gazetteer, dates)

    def cached(self, key: object, compute: Callable[..., T], *args: object) -> T:
        """``compute(*args)``, computed once per ``key`` for this document.

        What a rule reads of one passage is a function of its parse, and a document holds one
        ``Doc`` per distinct passage text (:func:`extract.pipeline.document_parses`): keyed on
        the ``Doc`` (or the text), a passage repeated a thousand times is read once. The value is
        shared: callers copy it before changing it, and never store passage positions in it
        (:func:`shift_mention` moves a mention to another passage of the same text)."""
        try:
            return self.memo[key]  # type: ignore[return-value]
        except KeyError:
            value = self.memo[key] = compute(*args)
            return value

    @cached_property
    def passages_by_text(self) -> dict[str, list[int]]:
        """Passage indexes by text, in document order (distinct texts in first-seen order)."""
        groups: dict[str, list[int]] = {}
        for passage in self.passages:
            groups.setdefault(passage.text, []).append(passage.index)
        return groups

    @cached_property
    def _bounds(self) -> tuple[list[int], list[int]]:
        return passage_bounds(self.passages)

    def span_index(self, spans: Iterable[tuple[int, int]] = ()) -> SpanIndex:
        """A :class:`SpanIndex` over this document's passages, holding ``spans``."""
        return SpanIndex(self._bounds, spans)

    def passages_matching(self, rx: re.Pattern[str]) -> list[Passage]:
        """The passages whose text ``rx`` finds something in, in document order (each distinct
        text is searched once)."""
        found = [i for text, indexes in self.passages_by_text.items() if rx.search(text) for i in indexes]
        return [self.passages[i] for i in sorted(found)]

    # -- passages and tokens ---------------------------------------------------------------
    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.document.passages

    def parse(self, passage: Passage) -> Doc:
        return self.parses[passage.index]

    def body(self) -> Iterator[tuple[Passage, Doc]]:
        """Passages with their parses, the document's title line included; a database record's
        header fields (``[出典] 外務省``) are metadata, not mentions, and are left out."""
        for passage in self.passages:
            if passage.kind != "metadata":
                yield passage, self.parses[passage.index]

    def mention(self, passage: Passage, start: int, end: int) -> Mention:
        """A Mention from passage-relative character offsets."""
        return Mention(passage.index, passage.start + start, passage.start + end, passage.text[start:end])

    def tokens_between(self, doc: Doc, start: int, end: int) -> list[Token]:
        return [t for t in doc if t.idx >= start and t.idx + len(t.text) <= end]

    def dates_in(self, passage: Passage, start: int = 0, end: int | None = None) -> list[DateMention]:
        end = len(passage.text) if end is None else end
        return [d for d in self.dates.get(passage.index, []) if d.start >= start and d.end <= end]

    def head_hits(self, passage: Passage, doc: Doc, heads: tuple[tuple[str, str], ...]) -> list[HeadHit]:
        """:func:`head_hits`, computed once per parse and head list (a new list each call)."""
        return list(self.cached(("head_hits", doc, heads), head_hits, passage, doc, heads))

    @cached_property
    def doc_year(self) -> int | None:
        return self.document.date.year if self.document.date else None

    @property
    def anchor(self) -> DateValue | None:
        return self.document.date


def passage_bounds(passages: Iterable[Passage]) -> tuple[list[int], list[int]]:
    """The passages' starts and ends, for :class:`SpanIndex`; empty lists when the passages do not
    follow each other without overlap (then every question scans every span)."""
    items = list(passages)
    starts, ends = [p.start for p in items], [p.end for p in items]
    if all(starts[i] <= ends[i] <= starts[i + 1] for i in range(len(items) - 1)):
        return starts, ends
    return [], []


def shift_mention(mention: Mention, origin: int, passage: Passage) -> Mention:
    """``mention``, read in a passage starting at ``origin``, moved to ``passage`` (same text)."""
    delta = passage.start - origin
    return Mention(passage.index, mention.start + delta, mention.end + delta, mention.text)


class SpanIndex:
    """Document-offset spans, asked whether any contains a position: ``any(s <= pos < e)``.

    The rules keep such sets of the mentions already taken, and ask of every new match whether
    it falls in one; over a long document a linear scan per question makes that quadratic. A
    span inside one passage's extent can only contain positions of that passage, so spans are
    kept by passage and a question reads its passage's few (and the rare span that runs past
    its passage's end). Gives the same answers as the scan."""

    def __init__(self, bounds: tuple[list[int], list[int]], spans: Iterable[tuple[int, int]] = ()) -> None:
        """``bounds``: :func:`passage_bounds` of the document's passages (or :meth:`DocContext.span_index`)."""
        self._starts, self._ends = bounds
        self._by_passage: dict[int, list[tuple[int, int]]] = {}
        self._wide: list[tuple[int, int]] = []
        for s, e in spans:
            self.add(s, e)

    def _passage_of(self, pos: int) -> int:
        return bisect_right(self._starts, pos) - 1

    def add(self, start: int, end: int) -> None:
        i = self._passage_of(start)
        if i >= 0 and end <= self._ends[i]:
            self._by_passage.setdefault(i, []).append((start, end))
        else:
            self._wide.append((start, end))

    def covers(self, pos: int) -> bool:
        """Whether some span ``(s, e)`` has ``s <= pos < e``."""
        i = self._passage_of(pos)
        if i >= 0 and any(s <= pos < e for s, e in self._by_passage.get(i, ())):
            return True
        return any(s <= pos < e for s, e in self._wide)


_CLAUSE_DEPS = {"acl", "advcl", "csubj", "ccomp"}
_LEADING_DATE = re.compile(r"^(?:(?:本|今|昨|来|同)年|\d{4}年)(?:\d{1,2}月(?:\d{1,2}日)?)?の")
_PAREN_ASIDE = re.compile(r"[(（]以下[^)）]*?という。?[)）]")


_EVENT_WORDS = ("署名", "締結", "交換", "採択", "開催", "行わ", "行う", "実施", "訪問", "発出", "設立", "立上げ", "立ち上げ")


def _is_event_clause(tok: Token) -> bool:
    """A clause that reports an event: its verb is an event word (署名された, 開催された), or it
    has its own date or subject (2023年7月6日に…, …が). Descriptive clauses (…に関する,
    …を有する) are judged by their own verb and arguments, not by what the parse hangs on them."""
    if tok.text.startswith(_EVENT_WORDS) or tok.lemma_.startswith(_EVENT_WORDS):
        return True
    for child in tok.children:
        if child.dep_ in {"nsubj", "csubj"}:
            return True
        if child.dep_ in {"obl", "nmod"} and child.text in {"年", "月", "日"} and child.i > 0 and child.nbor(-1).like_num:
            return True
    return False


def phrase_start(head: Token) -> int:
    """Token index where the noun phrase headed by ``head`` starts.

    The phrase is the head's left subtree, cut after any clause in it that reports an event
    (``2023年7月6日に署名された「…覚書」`` → the phrase starts after ``された``). Clauses that only
    describe (``…に関する``, ``…を通じた``) stay in the name.
    """
    start = head.left_edge.i
    for tok in head.doc[head.left_edge.i : head.i]:
        if (tok.dep_ in _CLAUSE_DEPS or tok.pos_ == "VERB") and tok.right_edge.i < head.i and _is_event_clause(tok):
            start = max(start, tok.right_edge.i + 1)
    doc = head.doc
    # never begin on a particle, a comma or a closing bracket
    while start < head.i and (doc[start].pos_ in {"ADP", "PUNCT", "SCONJ", "AUX", "CCONJ"} and doc[start].text not in "「『"):
        start += 1
    return start


_COMPOUND_POS = {"NOUN", "PROPN", "NUM"}


def _compound_start(head: Token) -> int:
    """Where the noun compound written right before ``head`` starts (第9回外相会合, even when
    the parse attaches 第9回 elsewhere)."""
    doc = head.doc
    i = head.i
    while i > 0:
        prev = doc[i - 1]
        if prev.idx + len(prev.text) != doc[i].idx:
            break
        if prev.text == "・" and doc[i].text == "第":
            break  # 「…」対話・第5回外相会合: the series is not part of the compound
        if prev.pos_ in _COMPOUND_POS or prev.text in {"・", "+", "＋", "-", "－"}:
            i -= 1
            continue
        break
    while i < head.i and doc[i].text in {"・", "+", "＋", "-", "－"}:
        i += 1
    return i


_MODIFIER_BEFORE = re.compile(
    r"(?:「[^「」]{1,60}」|[\u4e00-\u9fff\u3005\u30a1-\u30fa\u30fc・A-Za-z0-9]{2,30})"
    r"(?:における|に関する|に係る|に関わる|のための|に向けた|を通じた|に対する)$|「[^「」]{1,60}」の$"
)


_CONNECTORS = ("における", "に関する", "に係る", "に関わる", "のための", "に向けた", "を通じた", "に対する")


def _extend_modifiers(text: str, start: int, ends: dict[int, Token]) -> int:
    """Take in the descriptive modifiers written right before a phrase that the parse attached
    elsewhere: 環境保護分野における|二国間協力覚書, …基本的枠組みに関する|協力覚書,
    「…事業」の|交換公文. The modifier's own phrase is cut at event clauses as usual."""
    for _ in range(3):
        conn = next((c for c in _CONNECTORS if text.endswith(c, 0, start)), None)
        tok = ends.get(start - len(conn)) if conn else None
        if tok is not None and tok.pos_ in {"NOUN", "PROPN"}:
            while tok.dep_ == "compound" and tok.head.i != tok.i and tok.head.idx < start:
                tok = tok.head  # 枠組み in 基本的枠組み: the phrase is the compound's head's
            first = min(phrase_start(tok), _compound_start(tok))
            new = tok.doc[first].idx
            if new < start - len(conn):
                start = new
                continue
        m = _MODIFIER_BEFORE.search(text, 0, start)
        if m is None or m.end() != start:
            break
        start = m.start()
    return start


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Top-level 「…」 spans as (start, end) with the brackets; nested quotations stay inside
    (…(以下「諸島」という。)…).

    >>> quote_spans("「A(以下「B」という。)」とC「D」")
    [(0, 16), (18, 21)]
    """
    return list(_quote_spans(text))


@lru_cache(maxsize=8192)
def _quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "「":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "」" and depth:
            depth -= 1
            if depth == 0:
                out.append((start, i + 1))
    return tuple(out)


def clean_label(text: str) -> str:
    """A name as a researcher would write it: no aside like （以下「対話」という。）, no outer 「」."""
    text = _PAREN_ASIDE.sub("", text).strip(" 、,")
    text = _LEADING_DATE.sub("", text)
    if text.startswith("「") and text.endswith("」") and text.count("「") == 1:
        text = text[1:-1]
    if text.startswith("「") and "」" not in text:
        text = text[1:]
    if text.endswith("」") and "「" not in text:
        text = text[:-1]
    return text


@dataclass(frozen=True)
class HeadHit:
    """A noun phrase ending in a lexicon head (覚書, 会合, 計画 …) in one passage."""

    word: str  # the lexicon head
    value: str  # its type or kind
    token: Token  # the phrase's head token
    start: int  # passage-relative character span of the whole phrase
    end: int
    label: str  # the phrase, cleaned


#: Nouns that may follow a meeting's name inside one compound: G20サミット出席のため.
_ATTENDING = frozenset({"出席", "参加", "出席中", "参加中", "議長", "議長国", "開催国", "首脳", "後", "直後", "前", "直前", "終了後"})


def head_hits(passage: Passage, doc: Doc, heads: tuple[tuple[str, str], ...]) -> list[HeadHit]:
    """Every phrase of ``doc`` that ends in one of ``heads`` at a token boundary."""
    text = passage.text
    ends = {t.idx + len(t.text): t for t in doc}
    hits: list[HeadHit] = []
    taken: set[int] = set()
    for word, value in heads:
        for m in re.finditer(re.escape(word), text):
            end = m.end()
            if end in taken or end not in ends:
                continue
            tok = ends[end]
            # the head must close the compound: 協定終了後 or 機関投資家 are not instruments
            nxt = tok.nbor(1) if tok.i + 1 < len(doc) else None
            if (nxt is not None and nxt.idx == end and nxt.pos_ in {"NOUN", "PROPN"}
                    and nxt.text not in {"間", "等", "など", "他", "ほか"} and not nxt.text.startswith(_EVENT_WORDS)
                    and nxt.lemma_ not in _ATTENDING):
                continue
            if any(a.start() <= m.start() < a.end() for a in _PAREN_ASIDE.finditer(text)):
                continue  # （以下「対話」という。） is an aside, not a mention
            first = min(phrase_start(tok), _compound_start(tok))
            # a multi-token head starts no later than the head word itself
            start = min(doc[first].idx, m.start()) if first <= tok.i else m.start()
            start = _extend_modifiers(text, start, ends)
            raw = text[start:end]
            hits.append(HeadHit(word, value, tok, start, end, clean_label(raw)))
            taken.add(end)
    return sorted(hits, key=lambda h: h.start)
