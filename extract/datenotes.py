"""How each date a fact carries is written: the text, the era, relative or not and from what, approximate.

Facts keep a :class:`~extract.facts.DateValue` (the value at its precision). A researcher citing a
date also needs what the text wrote — 平成30年10月1日, 同年12月20日, 本年秋, 11月上旬 — and how it
became that value. :func:`date_notes` finds, for every dated field of every agreement, meeting and
visit of a document, the date expression that gives the value, nearest to the fact's own
mentions, and describes it as a :class:`DateNote`. It reads the document's text only (no parse),
so it can run at any time after extraction.

A relative date's anchor follows :mod:`extract.dates`' rule: words that point at the time of
writing (本年, 来年, 本日, 今月 …) are anchored to the document's date; words that point back
(同年, 同月, 同日, 翌年 …) and dates without a year to the nearest earlier date in the text (or the
document's date when there is none).

>>> from extract.facts import Agreement, Document, DocumentFacts, Mention, Passage
>>> text = "2019年3月5日に協定に署名した。同協定は同年12月20日頃に発効した。"
>>> doc = Document(source="a.txt", doc_id="d", text=text, title="t", date=None, doc_type="other",
...                passages=(Passage(index=0, start=0, end=len(text), text=text),))
>>> a = Agreement(key="k", label="協定", agreement_type="treaty", date=DateValue(2019, 12, 20),
...               passages=(0,), mentions=(Mention(0, 10, 12, "協定"),))
>>> (note,) = date_notes(DocumentFacts(document=doc, agreements=(a,)))
>>> note.text, note.relative, note.anchor, note.anchor_kind, note.approximate
('同年12月20日頃', True, DateValue(year=2019, month=3, day=5), 'text', True)
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .dates import _REL_DAY, _REL_MONTH, _REL_YEAR, ERAS, DateMention, find_dates
from .facts import DateValue, DocumentFacts, Mention

__all__ = ["DateNote", "date_notes"]

_DEICTIC = tuple(w for table in (_REL_YEAR, _REL_MONTH, _REL_DAY)
                 for w, (kind, _) in table.items() if kind == "deictic")
#: words after a date that make it approximate, with the part of the month they name
_QUALIFIERS = re.compile(r"[ \u3000]*(上旬|初旬|中旬|下旬|初め|初頭|半ば|末|頃|ごろ|前後|春|夏|秋|冬)+")
_PART_OF_MONTH = {"上旬": "early", "初旬": "early", "中旬": "mid", "下旬": "late"}


@dataclass(frozen=True)
class DateNote:
    """One dated field of one fact (``kind``, ``key``, ``field``) as the text writes it."""

    kind: str  # agreement | meeting | visit
    key: str
    field: str  # date | start | end
    value: DateValue
    text: str  # as written, with an approximating word after it (頃, 上旬 …)
    passage: int | None
    start: int  # offsets into the document's text
    end: int
    era: str | None = None  # 令和, 平成 … when written in an era
    relative: bool = False
    anchor: DateValue | None = None  # what a relative date was resolved from
    anchor_kind: str | None = None  # "document" or "text"
    approximate: bool = False
    part_of_month: str | None = None  # early | mid | late


def _fields(facts: DocumentFacts):
    for a in facts.agreements:
        yield "agreement", a.key, a.passages, a.mentions, (("date", a.date),)
    for m in facts.meetings:
        yield "meeting", m.key, m.passages, m.mentions, (("date", m.date), ("start", m.start), ("end", m.end))
    for v in facts.visits:
        yield "visit", v.key, v.passages, v.mentions, (("start", v.start), ("end", v.end))


def _gives(dm: DateMention, field: str, value: DateValue) -> bool:
    if field == "end":
        return dm.end_value == value or (dm.end_value is None and dm.value == value)
    return dm.value == value


def _distance(dm: DateMention, mentions: tuple[Mention, ...]) -> int:
    if not mentions:
        return 0
    return min(max(m.start - dm.end, dm.start - m.end, 0) for m in mentions)


def date_notes(facts: DocumentFacts) -> tuple[DateNote, ...]:
    """A :class:`DateNote` for every dated field of the document's agreements, meetings and visits
    whose value a date expression in the text gives (a value from nowhere gets none)."""
    doc = facts.document
    found = sorted(find_dates(doc.text, anchor=doc.date), key=lambda d: d.start)
    ends = [d.end for d in found]
    starts = [p.start for p in doc.passages]
    spans = [(p.start, p.end) for p in doc.passages]
    notes: list[DateNote] = []
    for kind, key, passages, mentions, fields in _fields(facts):
        own = {i for i in passages} | {m.passage for m in mentions}
        for field, value in fields:
            if value is None:
                continue
            candidates = [dm for dm in found if _gives(dm, field, value)]
            if not candidates:
                continue
            inside = [dm for dm in candidates if any(
                spans[i][0] <= dm.start < spans[i][1] for i in own if 0 <= i < len(spans))]
            dm = min(inside or candidates, key=lambda d: (_distance(d, mentions), d.start))
            notes.append(_describe(kind, key, field, value, dm, found, ends, doc, spans, starts))
    return tuple(notes)


def _describe(kind, key, field, value, dm: DateMention, found, ends, doc, spans, starts) -> DateNote:
    tail = _QUALIFIERS.match(doc.text, dm.end)
    end = tail.end() if tail else dm.end
    words = tail.group(0) if tail else ""
    part = next((p for w, p in _PART_OF_MONTH.items() if w in words), None)
    era = next((e for e in ERAS if e in dm.text), None)
    anchor = anchor_kind = None
    if dm.relative:
        if any(w in dm.text for w in _DEICTIC):
            anchor, anchor_kind = doc.date, "document"
        else:
            i = bisect.bisect_right(ends, dm.start)  # found is in text order
            if i:
                anchor, anchor_kind = found[i - 1].value, "text"
            else:
                anchor, anchor_kind = doc.date, "document"
    i = bisect.bisect_right(starts, dm.start) - 1
    passage = i if i >= 0 and spans[i][0] <= dm.start < spans[i][1] else None
    return DateNote(
        kind=kind, key=key, field=field, value=value, text=doc.text[dm.start:end].strip(),
        passage=passage, start=dm.start, end=end, era=era, relative=dm.relative,
        anchor=anchor, anchor_kind=anchor_kind if anchor is not None else None,
        approximate=bool(words) or "頃" in dm.text, part_of_month=part,
    )
