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

import csv
import re
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache

from .context import DocContext, HeadHit, _compound_start, head_hits, sentence_bounds
from .countries import country_hits
from .english import with_english  # issue 13
from .facts import Meeting, make_key
from .gazetteer import load_regions
from .lexicon import meeting_heads, triggers
from .organizations import org_hits
from .patterns import dependency_matches, matches
from .places import place_of
from .principals import collective_subject, principal_countries
from .resources import data_dir

__all__ = ["find_meetings", "meeting_key"]

_ORDINAL = re.compile(r"第(\d+)回")
_YEAR_IN_NAME = re.compile(r"^(\d{4})年")
_SERIES = re.compile(r"「([^」]+)」")
_JOIN_BEFORE_ORDINAL = re.compile(r"[・の](?=第\d+回)")
_ASIDE = re.compile(r"[(（]以下[^)）]*?という。?[)）]")
_SERIES_PREFIX = re.compile(r"^(?:[・の]第\d+回|・[^\s、。・]{1,20}?(?:対話|会合|会議|フォーラム|委員会))")
_SERIES_BEFORE = re.compile(r"(「[^「」]{1,40}」[^\s、。「」()（）・]{0,12}?)(?:[(（]以下[^)）]*?という。?[)）])?[・の]$")
_SERIES_ONLY = re.compile(r"「[^「」]+」[^\s、。「」]{0,12}?[・の]")
_AFTER_MEETING_GENERIC = re.compile(r"^(?:本|同|この|当該|各|関連する|様々な|その他の|次回|前回|今回|今次|次期|累次|定期|過去|これまで)")
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
    if re.search(r"(?:開催|実施|行われ)(?:予定|される|された|中)?の$", passage_text[: hit.start]):
        return True  # 開催予定のTICAD 9
    # 開催予定の地域環境サミット: a holding word in the clause that modifies the name
    if any(t.text.startswith(hold_words) for t in tok.subtree if tok.i - 4 <= t.i < tok.i):
        return True
    after = passage_text[hit.end : hit.end + 10]
    if re.match(rf"^(?:が|を|は|の)?(?:{'|'.join(hold_words)})", after):
        return True
    # …2023年9月に開催された第1回「…」対話: a holding word between the sentence's date and the name
    s0, _ = sentence_bounds(passage_text, hit.start)
    before = passage_text[s0 : hit.start]
    return bool(re.search(rf"\d+[年月日](?:[^。、]{{0,12}})(?:{'|'.join(hold_words)})", before))


#: Rules of ``data/patterns/meetings.json`` whose ``event`` node is a meeting being held,
#: received, attended or hosted.
_EVENT_RULES = ("HELD", "HELD_PASSIVE", "CALL_RECEIVED", "ATTENDED", "ATTENDED_NAME", "HOSTED")
#: Words that qualify an event without naming it: 首脳会談 and 電話会談 are not names.
_GENERIC_WORDS = frozenset(
    ["首脳", "外相", "外務", "大臣", "閣僚", "次官", "電話", "ワーキング", "・", "共同", "記者", "非公式", "二国間", "両国", "両首脳", "会談", "会合", "会議", "会", "立ち話", "表敬", "夕食", "昼食", "懇談", "ハイレベル", "政務", "事務", "レベル", "実務", "公式"]
)


@lru_cache(maxsize=1)
def meeting_series() -> tuple[str, ...]:
    """Keys of the written forms of well-known meeting series (``data/gazetteer/meeting_series.tsv``)."""
    path = data_dir() / "gazetteer" / "meeting_series.tsv"
    forms: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for n, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            if not (row.get("name_ja") or "").strip() or not (row.get("kind") or "").strip():
                raise ValueError(f"{path}:{n}: a meeting series needs name_ja and kind")
            forms.update(make_key(f) for f in (row["name_ja"], *(row.get("aliases") or "").split("|")) if f.strip())
    return tuple(sorted((f for f in forms if len(f) >= 3), key=lambda f: (-len(f), f)))


def _occasions(doc) -> set[int]:
    """Heads of meetings named as an occasion (G20サミット出席のため, 国連総会の機会に)."""
    return {span[0].i for span in matches(doc, "meetings", "OCCASION")}


def _events(doc) -> dict[int, str]:
    """Token index of every event the meeting rules found in ``doc``, with the rule's label.

    Coordinated events count too: in 外相会談、共同記者会見及びワーキングディナーを行った GiNZA
    hangs the earlier conjuncts on the last one, which alone is the verb's object.
    """
    found: dict[int, str] = {}
    for rule in _EVENT_RULES:
        for span in dependency_matches(doc, "meetings", rule, "event"):
            found.setdefault(span.start, rule)
    for i in _occasions(doc):
        found.setdefault(i, "ATTENDED")
    for span in matches(doc, "meetings", "AFTER"):
        found.setdefault(span[0].i, "HELD")
    heads = tuple(w for w, _ in meeting_heads())
    for i, rule in list(found.items()):
        for tok in doc[i].subtree:
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if (tok.i not in found and tok.i < i and tok.text.endswith(heads) and nxt is not None
                    and (nxt.pos_ == "CCONJ" or nxt.text in {"、", ",", "，"})):
                found[tok.i] = rule
    return found


_PLANNED = frozenset({"こと", "予定", "意向", "よう", "方針", "べし", "計画", "調整", "方向"})


_QUOTED = re.compile(r"「([^「」]{2,60})」")


def _quoted_meetings(text: str, doc, hits: list[HeadHit]) -> list[HeadHit]:
    """「海洋閣僚会議in沖縄」: a name in quotes with a meeting word inside it, where the word
    does not close the name (so the head-word scan did not see it)."""
    heads = tuple(w for w, _ in meeting_heads())
    out = []
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        if inner.endswith(heads) or not any(h in inner for h in heads if len(h) >= 2):
            continue
        last = max(inner.rfind(h) + len(h) for h in heads if h in inner)
        if len(inner) - last > 8 or re.search(r"[\u3040-\u309f]", inner[last:]):
            continue  # 「…閣僚会議との間の…覚書」: the meeting word is not where the name ends
        span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if span is not None:
            word = next(h for h in heads if h in inner)
            out.append(HeadHit("", "conference" if word else "", span.root, m.start(), m.end(), m.group(0)))
    return out


_NAME_LIKE = re.compile(r"[\u30a0-\u30ffA-Za-z0-9・+＋]{3,30}")


def _attendance_dates(ctx, passage, doc, event, s0: int, s1: int):
    """5月22日にパリで…に出席した: a date that the attending verb itself takes is the meeting's
    (not the date of the sentence's main event: …出席するため訪問中の総理は、本7日…会談した)."""
    verb = event.head
    if verb.lemma_ not in {"出席", "参加"} or verb.dep_ in {"acl", "advcl"}:
        return []
    out = []
    for d in ctx.dates_in(passage, s0, s1):
        span = doc.char_span(d.start, d.end, alignment_mode="expand")
        if span is not None and span.root.head.i == verb.i:
            out.append(d)
    return out[:1]


def _attended_names(ctx, passage, doc, hits: list[HeadHit]) -> list[HeadHit]:
    """シャングリラ・ダイアローグに出席した: an event attended, named without a meeting word. Kept only when the
    name is a katakana or Latin proper name that the gazetteer does not know as a country, a
    place, a title or a body."""
    taken = {(s.start, s.end) for s in doc.spans.get("bkg", ())}  # GiNZA's label is not asked:
    # it calls シャングリラ・ダイアローグ a person; one attends a meeting, not a person
    out = []
    for span in dependency_matches(doc, "meetings", "ATTENDED_NAME", "event"):
        tok = span.root
        if any(h.token.i == tok.i or h.start <= tok.idx < h.end for h in hits):
            continue
        start = _compound_start(tok)
        phrase = doc[start : tok.i + 1]
        if not _NAME_LIKE.fullmatch(phrase.text) or any(
                a <= phrase.start and phrase.end <= b for a, b in taken):
            continue
        if country_hits(ctx, phrase.text):
            continue
        out.append(HeadHit("", "conference", tok, phrase.start_char, phrase.end_char, phrase.text))
    return out


def _may_be_own(doc, event, titled: str | None) -> bool:
    """Can the first event a summary reports be the meeting its title names? Not when the title
    names one and the event is another named one (…経済協議会が開催された in a 首脳会談 summary)."""
    if titled is None:
        return True
    t0, t1 = _event_phrase(doc, event)
    written = _tidy(doc[t0:t1].text)
    return not _is_named(written, list(doc[t0:t1])) or _subsequence(make_key(written), make_key(titled))


def _reported(doc, event, rule: str) -> bool:
    """Was the event held (会合を開催した), rather than agreed to be held (開催することで一致)?
    Attending (出席するため) and occasions (…の機会に) count as reported."""
    if rule not in {"HELD", "HELD_PASSIVE", "CALL_RECEIVED"}:
        return True
    verb = event.head
    return not any(t.lemma_ in _PLANNED for t in doc[verb.i + 1 : verb.i + 5])


def _series_number(doc) -> list[tuple[int, int]]:
    """Character spans of series written with their number (TICAD 9, COP 28): named meetings by themselves."""
    return [(s.start_char, s.end_char) for s in matches(doc, "meetings", "SERIES_NUMBER")]


def _is_named(label: str, tokens) -> bool:
    """Does the phrase name a meeting (G20ローマ・サミット, 「…閣僚会議」, 日・チリ首脳会談, 第3回対話),
    rather than only say what kind it was (首脳会談, 電話会談, 夕食会)?"""
    if _AFTER_MEETING_GENERIC.match(label):
        return False  # 本件会議, 今次サミット: a reference, not a name
    if "「" in label or _ORDINAL.search(label):
        return True
    key = make_key(label)
    if any(form in key for form in meeting_series()):
        return True
    return any(t.text not in _GENERIC_WORDS and t.pos_ in {"PROPN", "NOUN", "NUM"} for t in tokens[:-1])


def _event_phrase(doc, tok) -> tuple[int, int]:
    """Token span of the event's name: its noun compound, with a host (X主催の), a receiver
    (Xへの) or an agent (Xによる) written before it."""
    from .context import phrase_start

    start = _compound_start(tok)
    for child in tok.children:
        if child.i >= start or child.pos_ not in {"NOUN", "PROPN"}:
            continue
        after = "".join(t.text for t in doc[child.i + 1 : child.i + 3])
        if child.lemma_ == "主催" or after.startswith(("への", "による", "主催")):
            start = min(start, phrase_start(child), _compound_start(child))
    return start, tok.i + 1


def find_meetings(ctx: DocContext, persons=()) -> list[Meeting]:
    hold_words = triggers("hold")
    principals = principal_countries(ctx)
    person_at = _PersonsAt(((m.start, m.end), p) for p in persons for m in p.mentions)
    found: OrderedDict[str, Meeting] = OrderedDict()
    lead: tuple | None = None  # the first event reported in the body: a summary's own meeting
    carry = None  # the day a schedule line gives (「12日 午前 …」), for the lines under it
    paragraphs_seen = 0
    titled = _title_label(ctx.document)  # the meeting the title names, if it names one
    for passage, doc in ctx.body():
        if passage.kind in {"caption", "title", "signature"}:
            continue
        own_dates = ctx.dates_in(passage)
        schedule = passage.kind in {"heading", "table_row", "list_item"} or (
            "。" not in passage.text and len(passage.text) < _SCHEDULE_LINE_MAX)
        if schedule and own_dates and own_dates[0].start <= 2:
            carry = own_dates[0]
        elif passage.kind == "paragraph" and "。" in passage.text:
            carry = None
        events = ctx.cached(("meeting_events", doc), _events, doc)
        if passage.kind == "paragraph":
            paragraphs_seen += 1
        if lead is None and passage.kind == "paragraph" and events and paragraphs_seen <= 2:
            first = min(i for i, rule in events.items() if rule != "ATTENDED") if any(
                r != "ATTENDED" for r in events.values()) else None
            if first is not None and _may_be_own(doc, doc[first], titled):
                lead = (passage, doc, doc[first])
        orgs = org_hits(ctx, passage, doc)
        hits = list(ctx.cached(("meeting_hits", doc), _meeting_hits, ctx, passage, doc))
        for hit in hits:
            if lead is not None and lead[0] is passage and lead[2].i == hit.token.i and ctx.document.doc_type == "meeting_summary":
                continue  # the summary's own meeting: see _document_meeting
            if any(o.start < hit.end <= o.end for o in orgs):
                continue  # 閣僚会議 as a body (キルギス共和国閣僚会議), not a meeting
            if _SERIES_PREFIX.match(_ASIDE.sub("", passage.text[hit.end:])):
                continue  # 「…」対話 in 「…」対話・第9回外相会合 names the series, not a meeting
            event_rule = events.get(hit.token.i)
            if event_rule is not None:
                t0, _ = _event_phrase(doc, hit.token)
                if doc[t0].idx < hit.start:
                    hit = replace(hit, start=doc[t0].idx, label=passage.text[doc[t0].idx:hit.end])
            hit = _with_abbreviated_name(passage.text, hit)
            hit = _with_series(passage.text, hit)
            label = _tidy(_AT_PLACE.sub("", hit.label, count=1))
            phrase_start = hit.start  # the phrase's dates count (1997年のクラスノヤルスクにおける…会談)
            cut = max(passage.text.rfind(c, hit.start, hit.end) for c in "、,，:：")
            if cut >= 0 and "「" not in passage.text[hit.start : hit.end]:
                phrase_start = cut + 1  # but not across a comma (本7日…,G20サミット)
            if passage.text[hit.end - len(label) : hit.end] == label and hit.end - len(label) > hit.start:
                hit = replace(hit, start=hit.end - len(label), label=label)  # what _tidy cut is not the name
            inner = list(_ORDINAL.finditer(label))
            if inner and inner[-1].start() > 0 and not _SERIES_ONLY.fullmatch(label[: inner[-1].start()]):
                label = label[inner[-1].start():]  # …の立上げと2025年9月の第2回対話 → 第2回対話
            if _AFTER_MEETING_GENERIC.match(label) or _DEBRIS.search(label):
                continue
            if _REFERENCE_TAIL.search(label) or re.match(r"の(?:会合|会議)", passage.text[hit.end:]):
                continue  # 日中韓サミットの会合: the meetings of a series, named before
            tokens = ctx.cached(("tokens", doc, hit.start, hit.end), _tokens_in, doc, hit.start, hit.end)
            named = bool(tokens) and (not hit.word or _is_named(label, tokens))  # no meeting word: a name
            held_meal = (hit.value == "meal" and event_rule in {"HELD", "HELD_PASSIVE"}
                         and _reported(doc, hit.token, event_rule))
            if label == hit.word and not held_meal:
                continue  # 会談, 夕食会 alone: the kind of a meeting (ANNOTATION: working meals count)
            bare_ok = held_meal or (schedule and bool(own_dates or carry))
            if not named and hit.word and not bare_ok:
                continue  # 首脳会談, 電話会談: the kind of a meeting, not its name (see the lead event)
            s0, s1 = sentence_bounds(passage.text, hit.start)
            ordinal_m = _ORDINAL.search(label)
            in_phrase = ctx.dates_in(passage, phrase_start, hit.end) or _date_before(ctx, passage, hit)
            held = (event_rule in {"HELD", "HELD_PASSIVE", "CALL_RECEIVED"} or _held(hit, passage.text, hold_words)
                    or (event_rule == "ATTENDED" and _is_occasion(passage.text, hit)))
            date, start, end = None, None, None
            dates = in_phrase or (_sentence_dates(ctx, passage, s0, s1, hit, hits) if held else [])
            if not dates and event_rule in {"ATTENDED", "ATTENDED_NAME"}:
                dates = _attendance_dates(ctx, passage, doc, hit.token, s0, s1)
            if not dates and (schedule or passage.kind == "heading"):
                numbered = passage.kind == "heading" and passage.number is not None  # 1.…への表敬 (3月5日,…)
                line_dates = own_dates[:1] if numbered else [d for d in own_dates[:1] if d.start <= 2]
                dates = line_dates or ([carry] if carry is not None and passage.number is None else [])
            if (not dates and ctx.document.doc_type == "meeting_summary" and event_rule in {"HELD", "HELD_PASSIVE"}
                    and _reported(doc, hit.token, event_rule) and ctx.document.date is not None
                    and not ctx.dates_in(passage, s0, s1)):
                dates = [_Dated(ctx.document.date)]  # その後、…主催の晩餐会が行われ: on the summary's day
            if dates:
                d = dates[0]
                if d.end_value is not None:
                    start, end = d.value, d.end_value
                else:
                    date = d.value
            quoted = "「" in hit.label or passage.text[hit.start - 1 : hit.start] == "「"
            undated_ok = held_meal or named and ((event_rule is not None and _reported(doc, hit.token, event_rule))
                                                 or not hit.word or (hit.value not in _SERIES_KINDS and quoted))
            if ordinal_m is None and not dates and not undated_ok:
                continue
            series_m = _SERIES.search(label)
            place = place_of(ctx, passage, doc, s0, s1)
            participants = _participants(ctx, passage, s0, s1, hit, principals, person_at)
            _add(found, Meeting(
                key=meeting_key(label, (date or start).year if (date or start) else None), label=label,
                date=date, start=start, end=end, place=make_key(place.name) if place else None,
                participants=participants, ordinal=int(ordinal_m.group(1)) if ordinal_m else None,
                series=series_m.group(1) if series_m else None,
                passages=(passage.index,), mentions=(ctx.mention(passage, hit.start, hit.end),),
            ))
    own = _document_meeting(ctx, principals, lead, person_at)
    if own is not None:
        _add(found, own, into_own=True)
        merged = found[own.key]
        if merged.date is None and merged.start is None and ctx.document.date is not None:
            found[own.key] = replace(merged, date=ctx.document.date)  # the summary's date line
    merged_all = _merge_variants(_merge_series(list(found.values())))
    return [with_english(ctx, m, "meeting") for m in merged_all]  # English names (issue 13)


def _meeting_hits(ctx: DocContext, passage, doc) -> list[HeadHit]:
    """The phrases of one passage that may name a meeting: ending in a meeting word, a numbered
    series (TICAD 9), a quoted name, an attended event's name (read once per parse)."""
    series_spans = _series_number(doc)
    hits = head_hits(passage, doc, meeting_heads())
    for start_char, end_char in series_spans:
        if not any(h.start <= start_char < h.end for h in hits):
            tok = doc.char_span(start_char, end_char, alignment_mode="expand")
            hits.append(HeadHit("", "conference", tok.root, start_char, end_char, passage.text[start_char:end_char]))
    hits.extend(_quoted_meetings(passage.text, doc, hits))
    hits.extend(_attended_names(ctx, passage, doc, hits))
    return hits


_DEBRIS = re.compile(r"^[^「」]*[、,，][^「」]*$")
_REFERENCE_TAIL = re.compile(r"の(?:会合|会議)$")
#: Heads that name a series of meetings as often as one meeting: undated, they need an event.
_SERIES_KINDS = {"dialogue", "consultation", "committee", "forum"}
_NUMBER_DEBRIS = re.compile(r"^(?:[(（]?\d{1,2}[)）.．]|\d{1,2}\s)\s*")
_RELATIVE_CLAUSE = re.compile(
    r"^[^「」]*?(?:となる|となった|である|にある|とされる)(?:(?:来年|本年|今年|昨年|同年|翌年)の)?"
)
_PARTNER_PREFIX = re.compile(r"^[^「」]*との(?=[^「」]+$)")
_SCHEDULE_PREFIX = re.compile(
    r"^(?:\d{1,2}日(?:[(（][^()（）]{1,4}[)）])?)?(?:午前|午後|夜|朝|昼)?(?:\d{1,2}時(?:\d{1,2}分)?(?:から|より|~)?)?"
)
_DURATION = re.compile(r"^(?:約|およそ)?\d+(?:時間|分間|分|日間)(?:程度|ほど)?(?:に(?:わた|亘)り)?")
_COORDINATION = re.compile(r"^.*(?:及び|並びに|および)")


def _tidy(label: str) -> str:
    """Cut what the phrase took in that is not the name: a paragraph number (2. …), a schedule's
    day (…:), what is coordinated before it (A及びB会合 → B会合), an unclosed 「 (初の「…)."""
    label = _NUMBER_DEBRIS.sub("", label)
    label = _RELATIVE_CLAUSE.sub("", label)
    label = _PARTNER_PREFIX.sub("", label)
    label = _DURATION.sub("", label)
    label = _SCHEDULE_PREFIX.sub("", label)
    label = re.split(r"[:：]", label)[-1]
    if "「" not in label:
        label = re.split(r"[、,，]", label)[-1]  # a phrase never runs across a comma
    if "「" not in label or label.rfind("」") > label.rfind("「"):
        rest = _COORDINATION.sub("", label)
        if rest and rest != label and not re.search(r"[のをにがでと]", rest):
            label = rest  # 日英関係及び伊勢志摩サミット → 伊勢志摩サミット
    if label.count("「") > label.count("」"):
        label = label[label.rfind("「") + 1 :]
    return label.strip()


def _add(found: OrderedDict[str, Meeting], meeting: Meeting, into_own: bool = False) -> None:
    """Add a meeting, or merge it into the one of the same key (first label, first values kept)."""
    prev = found.get(meeting.key)
    if prev is None:
        found[meeting.key] = meeting
        return
    first, second = (meeting, prev) if into_own else (prev, meeting)
    found[meeting.key] = Meeting(
        key=meeting.key, label=first.label, date=first.date or second.date,
        start=first.start or second.start, end=first.end or second.end,
        place=first.place or second.place,
        participants=tuple(dict.fromkeys((*prev.participants, *meeting.participants))),
        ordinal=first.ordinal or second.ordinal, series=first.series or second.series,
        passages=tuple(dict.fromkeys((*prev.passages, *meeting.passages))),
        mentions=(*prev.mentions, *meeting.mentions),
    )


def _merge_variants(meetings: list[Meeting]) -> list[Meeting]:
    """G8サミット and G8エビアン・サミット on one day are one meeting: a shorter name whose
    characters all appear, in order, in a longer one of the same date is merged into it."""
    out: list[Meeting] = []
    for m in sorted(meetings, key=lambda m: -len(make_key(m.label))):
        when, name = m.date or m.start, make_key(m.label)
        target = next((o for o in out if (when is None or (o.date or o.start) in (None, when))
                       and len(name) >= 4 and _subsequence(name, make_key(o.label))), None)
        if target is None:
            out.append(m)
            continue
        i = out.index(target)
        out[i] = replace(
            target, date=target.date or m.date, start=target.start or m.start, end=target.end or m.end,
            place=target.place or m.place, participants=tuple(dict.fromkeys((*target.participants, *m.participants))),
            passages=tuple(dict.fromkeys((*target.passages, *m.passages))),
            mentions=(*target.mentions, *m.mentions),
        )
    order = {m.key: n for n, m in enumerate(meetings)}
    return sorted(out, key=lambda m: order[m.key])


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


_SUMMARY_TAIL = re.compile(r"(?:の)?(?:結果)?(?:概要|要旨|について)$|[(（](?:結果)?概要[^()（）]{0,6}[)）]$")
_TITLE_MEETING = re.compile(r"^(?P<meeting>.+?)(?:[/／\s]|(?=共同声明|共同宣言|宣言|共同発表|議長声明))")


_NUMBERED_TAIL = re.compile(r"[)）]?\s*(?:[IVX]{1,5}|\d{1,2})$")


def _title_label(doc) -> str | None:
    """The meeting a document's title names: the whole title of a meeting summary
    (日・ベトナム外相会談の概要), or the part before the genre word of a statement adopted at a
    meeting (「…」対話・外相会合/共同声明)."""
    heads = tuple(w for w, _ in meeting_heads())
    if not doc.title:
        return None
    if doc.doc_type == "meeting_summary":
        label = _SUMMARY_TAIL.sub("", doc.title).strip()
        core = _NUMBERED_TAIL.sub("", label)  # TICAD(アフリカ開発会議)VI
        return label if label.endswith(heads) or (core != label and core.endswith(heads)) else None
    if doc.doc_type == "press_statement":
        m = re.match(r"^(?P<meeting>.+?)の開催(?:について)?$", doc.title)
        if m and m.group("meeting").endswith(heads):
            return m.group("meeting")  # 第1回日・X協力対話の開催
    if doc.doc_type in {"joint_statement", "declaration"}:
        m = _TITLE_MEETING.match(doc.title)
        if m and m.group("meeting").endswith(heads) and m.group("meeting") != doc.title:
            return m.group("meeting")
    return None


def _document_meeting(ctx: DocContext, principals, lead, person_at) -> Meeting | None:
    """The meeting a document reports: the one its title names, or in a meeting summary the first
    event its body reports (…と会談を行いました), named as the title writes it or, when the text
    only says 首脳会談, as 日・<partner>首脳会談. Dated from the lead sentence, else the
    document's date line."""
    doc = ctx.document
    label = _title_label(doc)
    passages: tuple[int, ...] = tuple(p.index for p in ctx.passages if p.kind == "title")
    mentions = tuple(ctx.mention(p, 0, len(p.text)) for p in ctx.passages if p.kind == "title")
    when, start, end = doc.date, None, None
    participants = tuple(principals)
    if lead is not None and doc.doc_type == "meeting_summary":
        passage, pdoc, tok = lead
        t0, t1 = _event_phrase(pdoc, tok)
        written = passage.text[pdoc[t0].idx : tok.idx + len(tok.text)]
        s0, s1 = sentence_bounds(passage.text, tok.idx)
        before = ctx.dates_in(passage, s0, tok.idx)
        after = [d for d in ctx.dates_in(passage, tok.idx, s1) if d.start < tok.head.idx]
        given = before or after
        if len(given) == 1 or (given and given[0].end_value):
            d = given[0]
            when, start, end = (None, d.value, d.end_value) if d.end_value else (d.value, None, None)
        elif not before and len(after) >= 2:
            # 本件会議は、平成5年10月5日、6日両日…開催された: the days of the event itself
            when, start, end = None, after[0].value, after[-1].value
        elif given:
            when = None  # 3月4日及び5日に訪日し…会談を行った: which day is not said here
        hit = HeadHit(tok.text, "", tok, pdoc[t0].idx, tok.idx + len(tok.text), written)
        participants = tuple(dict.fromkeys((*principals, *_participants(ctx, passage, s0, s1, hit, principals, person_at))))
        if label is None:
            label = written if _is_named(written, list(pdoc[t0:t1])) else _bilateral_name(ctx, pdoc, tok, written, person_at, passage)
        passages = (*passages, passage.index)
        mentions = (*mentions, ctx.mention(passage, pdoc[t0].idx, tok.idx + len(tok.text)))
    if label is None:
        return None
    when_any = when or start or doc.date  # the key's year: the summary's year when the day is not said
    return Meeting(
        key=meeting_key(label, when_any.year if when_any else None), label=label, date=when, start=start, end=end,
        place=make_key(doc.place) if doc.place and doc.doc_type != "meeting_summary" else None,
        participants=participants, ordinal=int(m.group(1)) if (m := _ORDINAL.search(label)) else None,
        passages=passages or (0,), mentions=mentions,
    )


def _partners(doc, event) -> list:
    """The nouns marked with と that name the other side of ``event`` (Bと会談, Bと会談を行った)."""
    out = []
    for rule in ("PARTNER", "PARTNER_VERB"):
        events = dependency_matches(doc, "meetings", rule, "event")
        partners = dependency_matches(doc, "meetings", rule, "partner")
        # one match writes one span per node, in token order; pair them by their shared parent
        for partner in partners:
            head = partner.root.head
            linked = head.i == event.i or (rule == "PARTNER_VERB" and event.head.i == head.i)
            if linked and any(e.root.i == event.i or e.root.head.i == head.i for e in events):
                out.append(partner.root)
    return out


def _bilateral_name(ctx, pdoc, tok, written, person_at, passage) -> str | None:
    """日・<partner country>首脳会談 for an event the text names only by its kind."""
    partners = _partners(pdoc, tok)
    for partner in partners:
        lo, hi = pdoc[partner.left_edge.i].idx, partner.idx + len(partner.text)
        country = None
        for (ms, me), person in person_at.items():
            if passage.start + lo <= ms < passage.start + hi and person.country and person.country != "JPN":
                country = person.country
        if country is None:
            hits = [h for h in country_hits(ctx, passage.text[lo:hi]) if h.iso3 != "JPN"]
            country = hits[-1].iso3 if hits else None
        if country is not None:
            return f"日・{ctx.gazetteer.country(country).name_ja}{written}"
    return None


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


_ABBREVIATED_BEFORE = re.compile(r"[\u3005\u4e00-\u9fff\u30a0-\u30ff・]{2,30}[(（][A-Z][A-Za-z]{1,9}[)）]$")


def _with_abbreviated_name(text: str, hit: HeadHit) -> HeadHit:
    """化学兵器禁止条約(CWC)締約国会議: a name with its abbreviation in brackets runs on."""
    m = _ABBREVIATED_BEFORE.search(text, 0, hit.start)
    if m is None or m.end() != hit.start:
        return hit
    return replace(hit, start=m.start(), label=text[m.start() : hit.end])


def _with_series(text: str, hit: HeadHit) -> HeadHit:
    """第9回外相会合 preceded by its series (「中央アジア＋日本」対話・) takes the series into its name."""
    before = text[: hit.start]
    m = _SERIES_BEFORE.search(before)
    if m is None or (before.endswith("の") and not _ORDINAL.match(hit.label)):
        return hit
    series = _ASIDE.sub("", m.group(1))
    return replace(hit, start=m.start(), label=f"{series}・{hit.label}")


def _sentence_dates(ctx, passage, s0: int, s1: int, hit: HeadHit, hits=()):
    """Dates of the sentence before the phrase (…に東京で開催された X), else after it; a date
    with another meeting named between it and the phrase is that meeting's."""
    dates = ctx.dates_in(passage, s0, s1)
    doc = hit.token.doc
    others = [h for h in hits if h.end <= hit.start and h is not hit and ctx.cached(("named_hit", h), _named_hit, doc, h)]
    before = [d for d in dates if d.end <= hit.start and not any(d.end <= h.start for h in others)]
    after = [d for d in dates if d.start >= hit.end]
    return before[-1:] or after[:1]


def _named_hit(doc, h: HeadHit) -> bool:
    """Whether the phrase ``h`` names a meeting (see :func:`_is_named`); a function of the hit."""
    label = _tidy(h.label)
    return _is_named(label, [t for t in doc if h.end - len(label) <= t.idx < h.end] or [h.token])


@dataclass(frozen=True)
class _Dated:
    """A date given by the document rather than by a mention (the summary's date line)."""

    value: object
    end_value: object = None


_SCHEDULE_LINE_MAX = 80
_OCCASION_WORDS = re.compile(r"^(?:の)?(?:機会|際)")


def _date_before(ctx, passage, hit: HeadHit):
    """「6日の日米豪首脳会談」「昨年9月の…首脳会談」: a date joined to the name by の is its date."""
    return [d for d in ctx.dates_in(passage, 0, hit.start)
            if d.end < hit.start and passage.text[d.end:hit.start] == "の"]


def _is_occasion(text: str, hit: HeadHit) -> bool:
    """…サミットの機会に / …会議の際: what the sentence reports happened at that meeting."""
    return bool(_OCCASION_WORDS.match(text[hit.end:]))


def _dialogue_region(ctx, name: str) -> list[str]:
    """「中央アジア+日本」対話, 日・中央アジア…会合: a region as one side of a dialogue with Japan
    stands for its states (the UN sub-region in ``data/gazetteer/regions.tsv``)."""
    out: list[str] = []
    for region, (sub_region, members) in load_regions().items():
        if re.search(rf"(?:日・|日本・|日本\+|日本＋){region}|{region}(?:\+|＋|・)日本", name):
            out += list(members) or [c.iso3 for c in ctx.gazetteer.countries_in_region(sub_region)]
            out.append("JPN")
    return out


_PLACE_AFTER = re.compile(r"^(?:・[^\s、。,]{1,10}?)?(?:において|にて|で|を訪問|訪問|の首都|に到着|入り)")


def _tokens_in(doc, start: int, end: int) -> list:
    return [t for t in doc if start <= t.idx < end]


class _PersonsAt(dict):
    """The document's persons by mention span ``(start, end)`` — a dict — that also answers
    which persons have a mention starting in a range without reading every mention."""

    _index: tuple[list[int], list[tuple[int, int, object]]] | None = None

    def starting_in(self, lo: int, hi: int) -> list:
        """The persons of the entries whose span starts in ``lo:hi``, in the dict's order
        (what ``[p for (s, e), p in self.items() if lo <= s < hi]`` gives)."""
        if self._index is None:
            rows = sorted((s, n, p) for n, ((s, _), p) in enumerate(self.items()))
            self._index = ([r[0] for r in rows], rows)
        starts, rows = self._index
        found = rows[bisect_left(starts, lo) : bisect_left(starts, hi)]
        return [p for _, _, p in sorted(found, key=lambda r: r[1])]


def _participants(ctx, passage, s0, s1, hit, principals, person_at) -> tuple[str, ...]:
    """Who took part: the countries a meeting's name gives (日米豪首脳会談), else the persons and
    countries its sentence names — not a country named as the place (ドイツ・ハンブルクを訪問中) —
    and, in a meeting summary or where 両首脳 / 双方 act, the document's principals."""
    name = passage.text[hit.start : hit.end]
    named = [c.iso3 for c in country_hits(ctx, name)] + _dialogue_region(ctx, name)
    if named:
        return tuple(dict.fromkeys(named))
    out: list[str] = []
    for c in country_hits(ctx, passage.text):
        if s0 <= c.start < s1 and not (hit.start <= c.start < hit.end) and not _PLACE_AFTER.match(passage.text[c.end:]):
            out.append(c.iso3)
    for person in person_at.starting_in(passage.start + s0, passage.start + s1):
        out.append(person.key)
        if person.country:
            out.append(person.country)
    sentence = passage.text[s0:s1]
    if collective_subject(sentence) or ctx.document.doc_type == "meeting_summary":
        out = [*principals, *out]
    return tuple(dict.fromkeys(out))
