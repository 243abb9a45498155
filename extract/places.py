"""Places: cities and regions, by Sudachi's place-name tags (地名) and the place gazetteer.

A place is never a country (those are :mod:`extract.countries`). Where a fact happened is read
from the place followed by で / において / にて in the same clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .context import DocContext
from .countries import country_hits
from .facts import Entity, Mention, make_key

__all__ = ["PlaceHit", "place_hits", "place_of", "find_places"]

_SUFFIXES = ("市", "州", "県", "都", "府", "区", "村", "港", "島")
_LOCATIVE = re.compile(r"^(?:で|において|にて|に於いて)")


@dataclass(frozen=True)
class PlaceHit:
    start: int
    end: int
    name: str
    country: str | None


def place_hits(ctx: DocContext, passage, doc) -> list[PlaceHit]:
    countries = country_hits(ctx, passage.text)
    hits: list[PlaceHit] = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if "地名" in tok.tag_ and not tok.tag_.endswith("国") and not any(c.start <= tok.idx < c.end for c in countries):
            j = i + 1
            while j < n and doc[j].text in _SUFFIXES and doc[j].idx == doc[j - 1].idx + len(doc[j - 1].text):
                j += 1
            start, end = tok.idx, doc[j - 1].idx + len(doc[j - 1].text)
            name = passage.text[start:end]
            hits.append(PlaceHit(start, end, name, _country_of(ctx, name, passage.text, start, countries)))
            i = j
            continue
        i += 1
    return hits


def _country_of(ctx: DocContext, name: str, text: str, start: int, countries) -> str | None:
    lookup = getattr(ctx.gazetteer, "place_by_name", None)
    if lookup is not None:
        place = lookup(name)
        if place is not None:
            return place.country
    # カザフスタン・アスタナ, キルギスのビシュケク: a country written right before the place
    before = next((c for c in countries if 0 <= start - c.end <= 1), None)
    return before.iso3 if before else None


def place_of(ctx: DocContext, passage, doc, lo: int, hi: int) -> PlaceHit | None:
    """The place where something in ``passage.text[lo:hi]`` happened (X で / において / にて)."""
    best = None
    for hit in place_hits(ctx, passage, doc):
        if lo <= hit.start < hi and _LOCATIVE.match(passage.text[hit.end:]):
            best = hit
    return best


def find_places(ctx: DocContext) -> list[Entity]:
    found: dict[str, tuple[PlaceHit, list[Mention]]] = {}
    for passage, doc in ctx.body():
        for hit in place_hits(ctx, passage, doc):
            key = make_key(hit.name)
            entry = found.setdefault(key, (hit, []))
            entry[1].append(ctx.mention(passage, hit.start, hit.end))
    return [
        Entity(kind="place", key=key, label=hit.name, country=hit.country, mentions=tuple(ms))
        for key, (hit, ms) in sorted(found.items())
    ]
