"""Meetings: named meetings, talks, summits, dialogues, forums, committees, workshops, expos.

A meeting is a noun phrase headed by a word of ``data/lexicon/meetings.tsv`` (外相会合, 首脳会合,
フォーラム, 合同委員会, ワークショップ, 博覧会 …) that has an ordinal (第9回) or a date: a date
written in the phrase (2025年大阪・関西万博) or a date in its sentence tied to holding it (開催,
行われ, 実施, 立上げ) — a phrase with neither is a topic (政務協議の重要性), not a meeting.

The same meeting named in several passages or documents is one resource: its key drops the
particles between the series and the ordinal (「中央アジア＋日本」対話の第1回首脳会合 and
「中央アジア＋日本」対話・第1回首脳会合 are one key). Participants are the countries and persons
named in the phrase and its sentence; where 首脳 / 閣僚 / 双方 act, the document's principals.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import replace

from .context import DocContext, HeadHit, head_hits, sentence_bounds
from .countries import country_hits
from .facts import Meeting, make_key
from .lexicon import meeting_heads, triggers
from .organizations import org_hits
from .places import place_of
from .principals import collective_subject, principal_countries

__all__ = ["find_meetings", "meeting_key"]

_ORDINAL = re.compile(r"第(\d+)回")
_YEAR_IN_NAME = re.compile(r"^(\d{4})年")
_SERIES = re.compile(r"「([^」]+)」")
_JOIN_BEFORE_ORDINAL = re.compile(r"[・の](?=第\d+回)")
_ASIDE = re.compile(r"[(（]以下[^)）]*?という。?[)）]")
_SERIES_PREFIX = re.compile(r"^(?:[・の]第\d+回|・[^\s、。・]{1,20}?(?:対話|会合|会議|フォーラム|委員会))")
_SERIES_BEFORE = re.compile(r"(「[^「」]{1,40}」[^\s、。「」()（）・]{0,12}?)(?:[(（]以下[^)）]*?という。?[)）])?[・の]$")
_SERIES_ONLY = re.compile(r"「[^「」]+」[^\s、。「」]{0,12}?[・の]")
_AFTER_MEETING_GENERIC = re.compile(r"^(?:本|同|この|当該|各|関連する|様々な|その他の|次回|前回|今回|次期)")
_AT_PLACE = re.compile(r"^[^\s、。]{1,12}?(?:における|での|で開催の)")


def meeting_key(label: str, year: int | None = None) -> str:
    """One key per meeting: particles before an ordinal dropped; a meeting without an ordinal
    takes its year (two business forums a year apart are two meetings), written the same way
    whether the name carries the year (2025年大阪・関西万博) or the date does."""
    label = _JOIN_BEFORE_ORDINAL.sub("", label)
    if _ORDINAL.search(label):
        return make_key(label)
    m = _YEAR_IN_NAME.match(label)
    if m:
        label, year = label[m.end():], int(m.group(1))
    return make_key(label) + (str(year) if year else "")


def _held(hit: HeadHit, passage_text: str, hold_words: tuple[str, ...]) -> bool:
    tok = hit.token
    near = [tok.head, tok.head.head, *tok.children]
    if any(any(t.text.startswith(w) for w in hold_words) for t in near if t.i != tok.i):
        return True
    after = passage_text[hit.end : hit.end + 10]
    if re.match(rf"^(?:が|を|は|の)?(?:{'|'.join(hold_words)})", after):
        return True
    # …2023年9月に開催された第1回「…」対話: a holding word between the sentence's date and the name
    s0, _ = sentence_bounds(passage_text, hit.start)
    before = passage_text[s0 : hit.start]
    return bool(re.search(rf"\d+[年月日](?:[^。、]{{0,12}})(?:{'|'.join(hold_words)})", before))


def find_meetings(ctx: DocContext, persons=()) -> list[Meeting]:
    hold_words = triggers("hold")
    principals = principal_countries(ctx)
    person_at = {(m.start, m.end): p for p in persons for m in p.mentions}
    found: OrderedDict[str, Meeting] = OrderedDict()
    for passage, doc in ctx.body():
        if passage.kind in {"heading"}:
            continue
        orgs = org_hits(ctx, passage, doc)
        for hit in head_hits(passage, doc, meeting_heads()):
            if any(o.start < hit.end <= o.end for o in orgs):
                continue  # 閣僚会議 as a body (キルギス共和国閣僚会議), not a meeting
            if _SERIES_PREFIX.match(_ASIDE.sub("", passage.text[hit.end:])):
                continue  # 「…」対話 in 「…」対話・第9回外相会合 names the series, not a meeting
            hit = _with_series(passage.text, hit)
            label = _AT_PLACE.sub("", hit.label, count=1)
            inner = list(_ORDINAL.finditer(label))
            if inner and inner[-1].start() > 0 and not _SERIES_ONLY.fullmatch(label[: inner[-1].start()]):
                label = label[inner[-1].start():]  # …の立上げと2025年9月の第2回対話 → 第2回対話
            if label == hit.word or _AFTER_MEETING_GENERIC.match(label):
                continue
            s0, s1 = sentence_bounds(passage.text, hit.start)
            ordinal_m = _ORDINAL.search(label)
            in_phrase = [d for d in ctx.dates_in(passage, hit.start, hit.end)]
            held = _held(hit, passage.text, hold_words)
            date, start, end = None, None, None
            dates = in_phrase or (_sentence_dates(ctx, passage, s0, s1, hit) if held else [])
            if not dates and passage.kind == "table_row":
                dates = ctx.dates_in(passage)[:1]  # a timeline row: the row's date is the event's
            if dates:
                d = dates[0]
                if d.end_value is not None:
                    start, end = d.value, d.end_value
                else:
                    date = d.value
            if ordinal_m is None and not dates:
                continue
            series_m = _SERIES.search(label)
            place = place_of(ctx, passage, doc, s0, s1)
            participants = _participants(ctx, passage, s0, s1, hit, principals, person_at)
            when = date or start
            key = meeting_key(label, when.year if when else None)
            mention = ctx.mention(passage, hit.start, hit.end)
            prev = found.get(key)
            if prev is None:
                found[key] = Meeting(
                    key=key, label=label, date=date, start=start, end=end,
                    place=make_key(place.name) if place else None, participants=participants,
                    ordinal=int(ordinal_m.group(1)) if ordinal_m else None,
                    series=series_m.group(1) if series_m else None,
                    passages=(passage.index,), mentions=(mention,),
                )
            else:
                found[key] = Meeting(
                    key=key, label=prev.label, date=prev.date or date, start=prev.start or start,
                    end=prev.end or end, place=prev.place or (make_key(place.name) if place else None),
                    participants=tuple(dict.fromkeys((*prev.participants, *participants))),
                    ordinal=prev.ordinal, series=prev.series,
                    passages=tuple(dict.fromkeys((*prev.passages, passage.index))),
                    mentions=(*prev.mentions, mention),
                )
    own = _document_meeting(ctx, principals)
    if own is not None and own.key not in found:
        found[own.key] = own
    return _merge_series(list(found.values()))


_SUMMARY_TAIL = re.compile(r"(?:の)?(?:結果)?(?:概要|要旨|について)$")


def _document_meeting(ctx: DocContext, principals) -> Meeting | None:
    """A meeting summary (日・ベトナム外相会談の概要) reports the meeting its title names, held on
    the document's date where the document says."""
    doc = ctx.document
    if doc.doc_type != "meeting_summary" or not doc.title:
        return None
    label = _SUMMARY_TAIL.sub("", doc.title).strip()
    if not any(label.endswith(h) for h, _ in meeting_heads()):
        return None
    title = [p for p in ctx.passages if p.kind == "title"] or list(ctx.passages[:1])
    when = doc.date
    return Meeting(
        key=meeting_key(label, when.year if when else None), label=label, date=when,
        place=make_key(doc.place) if doc.place else None, participants=principals,
        ordinal=int(m.group(1)) if (m := _ORDINAL.search(label)) else None,
        passages=tuple(p.index for p in title), mentions=tuple(ctx.mention(p, 0, len(p.text)) for p in title),
    )


def _merge_series(meetings: list[Meeting]) -> list[Meeting]:
    """第1回首脳会合 written alone is the series' 第1回首脳会合 named elsewhere in the document."""
    by_key = {m.key: m for m in meetings}
    out = []
    for m in meetings:
        if m.series is None and m.ordinal is not None:
            target = next((t for t in meetings if t.series and t.key.endswith(m.key) and t.key != m.key), None)
            if target is not None:
                t = by_key[target.key]
                by_key[target.key] = replace(
                    t, date=t.date or m.date, start=t.start or m.start, end=t.end or m.end,
                    place=t.place or m.place,
                    participants=tuple(dict.fromkeys((*t.participants, *m.participants))),
                    passages=tuple(dict.fromkeys((*t.passages, *m.passages))),
                    mentions=(*t.mentions, *m.mentions),
                )
                continue
        out.append(m.key)
    return [by_key[k] for k in dict.fromkeys(out)]


def _with_series(text: str, hit: HeadHit) -> HeadHit:
    """第9回外相会合 preceded by its series (「中央アジア＋日本」対話・) takes the series into its name."""
    before = text[: hit.start]
    m = _SERIES_BEFORE.search(before)
    if m is None or (before.endswith("の") and not _ORDINAL.match(hit.label)):
        return hit
    series = _ASIDE.sub("", m.group(1))
    return replace(hit, start=m.start(), label=f"{series}・{hit.label}")


def _sentence_dates(ctx, passage, s0: int, s1: int, hit: HeadHit):
    """Dates of the sentence before the phrase (…に東京で開催された X), else after it."""
    dates = ctx.dates_in(passage, s0, s1)
    before = [d for d in dates if d.end <= hit.start]
    after = [d for d in dates if d.start >= hit.end]
    return before[-1:] or after[:1]


def _participants(ctx, passage, s0, s1, hit, principals, person_at) -> tuple[str, ...]:
    out: list[str] = []
    for c in country_hits(ctx, passage.text):
        if s0 <= c.start < s1:
            out.append(c.iso3)
    for (ms, me), person in person_at.items():
        if passage.start + s0 <= ms < passage.start + s1:
            out.append(person.key)
            if person.country:
                out.append(person.country)
    sentence = passage.text[s0:s1]
    if collective_subject(sentence):
        out = [*principals, *out]
    return tuple(dict.fromkeys(out))

