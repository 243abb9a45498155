"""Visits: a named person travelling to a country.

A visit word (訪問, 公式訪問, 訪日, 来日, and 訪 + a one-kanji country abbreviation: 訪米) with

* a visitor: the person named closest before it in the sentence, who is not the inviter
  (X の招聘を受け / X に対し) — 「ジャパロフ大統領は…日本を公式訪問した」, 「アカエフ大統領訪日」;
* a destination: 訪日 / 来日 → Japan; otherwise the country named closest before the visit word
  that is not the visitor's own (キルギス共和国を訪問, キルギス訪問); with none, the country of the
  place where the document was issued (an official visit reported from Tokyo);
* dates: a range in the sentence (2023年11月17日から20日にかけて) or a single date; in a table
  row, the row's year.

Invitations and plans (訪問するよう招待, 訪問の実現に関心, 訪問を予定) are not visits.
"""

from __future__ import annotations

import csv
import re
from collections import OrderedDict
from functools import lru_cache

from .context import DocContext, sentence_bounds
from .countries import country_hits
from .facts import DateValue, Visit, make_key
from .persons import PersonMention, person_mentions
from .places import place_country
from .resources import data_dir

__all__ = ["find_visits", "visit_key"]

_VISIT = re.compile(r"(?:公式|実務|非公式)?(?:訪問|訪日|来日|視察)|訪(?=[米中韓露英仏独印豪加伊])")
_POSTED = re.compile(r"[駐在]$")
_NOT_DONE = re.compile(r"^(?:する|した|を|の|に|が)?(?:よう|ように|に招待|を招待|の招待|の実現|を計画|予定|を期待|を要請|に招|の招聘|に向け|の準備|を検討)")
_PLANNED = re.compile(r"予定され(?:て)?(?:いる|た)?の?$|予定の$")
_DURING = re.compile(r"^中の")
_INVITER = re.compile(r"^(?:の招聘|の招待|に対し|から招待)")


def visit_key(visitor: str, destination: str, start: DateValue | None) -> str:
    return make_key(f"{visitor}>{destination}>{start.year if start else ''}")


def find_visits(ctx: DocContext, persons) -> list[Visit]:
    """``persons``: the document's person Entities (to map a mention to its resolved key)."""
    by_mention = {(m.start, m.end): p for p in persons for m in p.mentions}
    issued_in = _place_country(ctx)
    found: OrderedDict[str, Visit] = OrderedDict()
    for passage, doc in ctx.body():
        if passage.kind == "title":
            continue
        mentions = person_mentions(ctx, passage, doc)
        for m in _VISIT.finditer(passage.text):
            if _NOT_DONE.match(passage.text[m.end():]) or _PLANNED.search(passage.text[max(0, m.start() - 16) : m.start()]):
                continue
            s0, s1 = sentence_bounds(passage.text, m.start())
            visitor = _visitor(mentions, passage, m.start(), s0) or _visitor_after(mentions, passage, m)
            if visitor is None:
                continue
            person = by_mention.get((visitor.mention.start, visitor.mention.end))
            if person is None:
                continue
            start, end = _dates(ctx, passage, s0, s1, m.start())
            for destination in _destinations(ctx, passage, m, s0, visitor, issued_in):
                if destination == person.country:
                    continue
                _add(found, ctx, passage, m, person, destination, start, end)
    return list(found.values())


def _add(found, ctx, passage, m, person, destination, start, end) -> None:
    """Record one visit, or add this mention to the same visit seen before."""
    key = visit_key(person.key, destination, start)
    mention = ctx.mention(passage, m.start(), m.end())
    prev = _same_visit(found, person.key, destination, start)
    if prev is None:
        found[key] = Visit(key, person.key, person.country, destination, start, end, (passage.index,), (mention,))
        return
    found[prev.key] = Visit(
        prev.key, prev.visitor, prev.visitor_country, prev.destination,
        prev.start or start, prev.end or end,
        tuple(dict.fromkeys((*prev.passages, passage.index))), (*prev.mentions, mention),
    )


def _same_visit(found, visitor: str, destination: str, start: DateValue | None) -> Visit | None:
    for v in found.values():
        if v.visitor == visitor and v.destination == destination:
            if v.start is None or start is None or v.start.year == start.year:
                return v
    return None


def _visitor(mentions: list[PersonMention], passage, pos: int, s0: int) -> PersonMention | None:
    best = None
    for pm in mentions:
        rel_start = pm.mention.start - passage.start
        rel_end = pm.mention.end - passage.start
        if s0 <= rel_start and rel_end <= pos and not _INVITER.match(passage.text[rel_end:]):
            best = pm
    return best


def _visitor_after(mentions: list[PersonMention], passage, m: re.Match) -> PersonMention | None:
    """ニューヨークを訪問中の上川陽子外務大臣: the visitor named right after 訪問中の."""
    if not _DURING.match(passage.text[m.end():]):
        return None
    start = m.end() + 2
    return next((pm for pm in mentions if pm.mention.start - passage.start == start), None)


def _destinations(ctx, passage, m: re.Match, s0: int, visitor: PersonMention, issued_in) -> list[str]:
    word = m.group()
    if word.endswith(("訪日", "来日")):
        return ["JPN"]
    if word == "訪":
        hits = country_hits(ctx, passage.text[m.end(): m.end() + 1] + "日")
        return [hits[0].iso3] if hits else []
    text = passage.text
    v0 = visitor.mention.start - passage.start
    v1 = visitor.mention.end - passage.start
    candidates = [
        h for h in country_hits(ctx, text)
        if s0 <= h.start < m.start() and not (v0 <= h.start < v1) and h.iso3 != visitor.country
        and not _POSTED.search(text[: h.start])
    ]
    # the destination sits between the visitor and the visit word (…は、…日本を公式訪問した);
    # several are joined by 及び / と / 、 (モンゴル及び中央アジア5か国を訪問)
    after_visitor = [h for h in candidates if h.start >= v1]
    chosen = after_visitor or candidates[-1:]
    if chosen:
        last = chosen[-1]
        joined = [h for h in chosen if _JOINED.fullmatch(text[h.end : last.start]) or h is last]
        found = [h.iso3 for h in joined]
    else:
        found = []
    found += _region_countries(ctx, text[max(v1, s0) : m.start()])
    if not found:
        # ニューヨークを訪問中の…: a known place names the country visited
        places = [p for p in _PLACE_BEFORE.finditer(text, s0, m.end()) if place_country(p.group(1))]
        if places:
            found = [place_country(places[-1].group(1))]
    if not found and issued_in:
        found = [issued_in]
    return list(dict.fromkeys(found))


_PLACE_BEFORE = re.compile(r"([^\s、。をにでの]{2,12}?)(?:を|に)(?=(?:公式|実務)?(?:訪問|視察))")
_JOINED = re.compile(r"(?:(?:及び|と|、|・|並びに)[^。、]{0,20}?)*")
_REGION_COUNT = re.compile(r"(\S{2,8}?)(\d+)[かカヶケ箇]国")


def _region_countries(ctx, text: str) -> list[str]:
    """中央アジア5か国 → the five states of that region, when the count matches the gazetteer."""
    out: list[str] = []
    regions = _regions()
    for m in _REGION_COUNT.finditer(text):
        name = next((r for r in regions if m.group(1).endswith(r)), None)
        if name is None:
            continue
        members = ctx.gazetteer.countries_in_region(regions[name])
        if len(members) == int(m.group(2)):
            out.extend(c.iso3 for c in members)
    return out


@lru_cache(maxsize=1)
def _regions() -> dict[str, str]:
    path = data_dir() / "gazetteer" / "regions.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {r["name_ja"]: r["region"] for r in sorted(rows, key=lambda r: -len(r["name_ja"]))}


def _place_country(ctx: DocContext) -> str | None:
    return place_country(ctx.document.place) if ctx.document.place else None


def _dates(ctx, passage, s0: int, s1: int, pos: int) -> tuple[DateValue | None, DateValue | None]:
    dates = ctx.dates_in(passage, s0, s1)
    if passage.kind == "table_row" and not dates:
        dates = ctx.dates_in(passage)
    if not dates:
        return None, None
    # the date closest before the visit word, else the first one
    before = [d for d in dates if d.end <= pos]
    d = before[-1] if before else dates[0]
    return d.value, d.end_value
