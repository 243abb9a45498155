"""Places: cities and regions, by Sudachi's place-name tags (地名) and the place gazetteer.

A place is never a country (those are :mod:`extract.countries`). Where a fact happened is read
from the place followed by で / において / にて in the same clause.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .context import DocContext
from .countries import country_hits
from .facts import Entity, Mention, make_key
from .resources import data_dir

__all__ = ["PlaceHit", "find_places", "place_country", "place_hits", "place_of"]

_DATA = data_dir() / "gazetteer"
_SUFFIXES = ("市", "州", "県", "都", "府", "区", "村", "港", "島")
_LOCATIVE = re.compile(r"^(?:で|において|にて|に於いて)")


@dataclass(frozen=True)
class PlaceHit:
    start: int
    end: int
    name: str
    country: str | None


def place_hits(ctx: DocContext, passage, doc) -> list[PlaceHit]:
    """Places named in one passage, in passage-relative offsets (read once per parse)."""
    return list(ctx.cached(("place_hits", doc), _place_hits, ctx, passage, doc))


def _place_hits(ctx: DocContext, passage, doc) -> list[PlaceHit]:
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


@lru_cache(maxsize=1)
def _known_places(path: Path = _DATA / "places.tsv") -> dict[str, str]:
    """Written form → ISO3, from ``data/gazetteer/places.tsv`` (capitals and major cities)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    index: dict[str, str] = {}
    for n, row in enumerate(rows, start=2):
        if not row.get("name_ja") or not re.fullmatch(r"[A-Z]{3}", row.get("country") or ""):
            raise ValueError(f"{path}:{n}: a place needs a name_ja and an ISO3 country")
        for form in (row["name_ja"], *(a for a in (row.get("aliases") or "").split("|") if a)):
            index[form] = row["country"]
    return index


def place_country(name: str) -> str | None:
    """The country of a known place (東京 → JPN, アスタナ → KAZ), suffixes such as 市 tolerated."""
    known = _known_places()
    if name in known:
        return known[name]
    stem = name.rstrip("".join(_SUFFIXES))
    return known.get(stem)


def _country_of(ctx: DocContext, name: str, text: str, start: int, countries) -> str | None:
    known = place_country(name)
    if known:
        return known
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
