"""Countries: every written form from the gazetteer, matched on word boundaries.

GiNZA's own labels are not trusted for countries (it tags キルギス共和国 as a Person); the
gazetteer decides. Forms are matched longest first so that インドネシア is never read as インド.
Katakana names must not sit inside a longer katakana word; one-kanji abbreviations (米, 露, 韓)
count only in the compounds they are made for (日米, 日・韓, 日露関係).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from functools import lru_cache

from .context import DocContext
from .facts import Entity, Mention
from .resources import data_dir

__all__ = ["CountryHit", "country_pattern", "find_countries"]

_KATA = re.compile(r"[\u30a1-\u30fa\u30fc-\u30ff\uff66-\uff9f]")


class CountryHit(tuple):
    """(start, end, iso3) in passage-relative offsets."""

    __slots__ = ()

    @property
    def start(self) -> int:
        return self[0]

    @property
    def end(self) -> int:
        return self[1]

    @property
    def iso3(self) -> str:
        return self[2]


@lru_cache(maxsize=1)
def _lookalikes() -> tuple[str, ...]:
    """Names that contain a country's name but are not the country (data/gazetteer)."""
    path = data_dir() / "gazetteer" / "country_lookalikes.tsv"
    with path.open(encoding="utf-8") as fh:
        return tuple(row["form"] for row in csv.DictReader(fh, delimiter="\t") if row.get("form"))


@lru_cache(maxsize=4)
def country_pattern(gazetteer) -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str] | None, dict[str, str]]:
    names: dict[str, str] = {}
    for country in gazetteer.countries:
        for name in country.names_ja:
            if len(name) >= 2:
                names.setdefault(name, country.iso3)
    for form in _lookalikes():
        names[form] = ""  # インド太平洋 is a region, not India
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    abbrs = {c.abbr_ja: c.iso3 for c in gazetteer.countries if c.abbr_ja}
    abbr_re = None
    if abbrs:
        letters = "".join(re.escape(a) for a in abbrs)
        # 日米, 日・韓, 日露関係, 米日 — an abbreviation next to 日 (Japan's own abbreviation)
        # 日米韓, 日中韓サミット, 日・米・豪: a chain of abbreviations with 日 in it (not 本日米国…)
        abbr_re = re.compile(
            rf"(?<![本今昨毎翌同前後両各当休祝平土来訪離在駐滞親対反知])(?=[日{letters}]・?[日{letters}])"
            rf"((?:[日{letters}]・?){{1,5}}[日{letters}])(?=[・関首外間共友協経会政サ三閣両二]|の(?![日{letters}])|$)"
        )
    return re.compile(alternation), names, abbr_re, abbrs


def _scan(text: str, gazetteer) -> list[CountryHit]:
    pattern, names, abbr_re, abbrs = country_pattern(gazetteer)
    hits: list[CountryHit] = []
    for m in pattern.finditer(text):
        s, e = m.span()
        name = m.group()
        if not names[name]:
            continue
        if name.isascii() and ((s > 0 and text[s - 1].isascii() and text[s - 1].isalnum())
                               or (e < len(text) and text[e].isascii() and text[e].isalnum())):
            continue
        if _KATA.match(name[0]) and s > 0 and _KATA.match(text[s - 1]):
            continue
        if _KATA.match(name[-1]) and e < len(text) and _KATA.match(text[e]):
            continue
        hits.append(CountryHit((s, e, names[name])))
    if abbr_re is not None:
        taken = [(h.start, h.end) for h in hits]
        for m in abbr_re.finditer(text):
            if "日" not in m.group(1):
                continue  # 中韓 alone may be anything: the chain must include Japan
            for i in range(m.start(1), m.end(1)):
                ch = text[i]
                if ch == "・" or any(a <= i < b for a, b in taken):
                    continue
                hits.append(CountryHit((i, i + 1, "JPN" if ch == "日" else abbrs[ch])))
                taken.append((i, i + 1))
        # 日 in 日米 / 日・キルギス stands for Japan
        for m in re.finditer(r"(?<![本今昨毎翌同前後両各当休祝平土来訪離在駐滞親対反知])日(?=・?[" + "".join(re.escape(a) for a in abbrs) + r"]|・[^\s・]{2,})", text):
            s = m.start()
            if any(a <= s < b for a, b in taken):
                continue
            after = text[m.end():]
            nxt = after.lstrip("・")
            if any(nxt.startswith(n) for n in names) or (nxt[:1] in abbrs):
                hits.append(CountryHit((s, s + 1, "JPN")))
    hits.sort()
    return hits


def country_hits(ctx: DocContext, passage_text: str) -> list[CountryHit]:
    """The countries named in ``passage_text`` (any text: a passage, a name, a sentence), scanned
    once per text and document (a new list each call)."""
    return list(ctx.cached(("country_hits", passage_text), _scan, passage_text, ctx.gazetteer))


def find_countries(ctx: DocContext) -> list[Entity]:
    """One Entity per country named in the document, with every mention."""
    mentions: dict[str, list[Mention]] = defaultdict(list)
    for passage in ctx.passages:
        for hit in country_hits(ctx, passage.text):
            mentions[hit.iso3].append(ctx.mention(passage, hit.start, hit.end))
    entities = []
    for iso3 in sorted(mentions):
        c = ctx.gazetteer.country(iso3)
        written = sorted({m.text for m in mentions[iso3]} - {c.name_ja})
        entities.append(
            Entity(
                kind="country",
                key=iso3,
                label=c.name_ja,
                label_en=c.name_en,
                aliases=tuple(sorted(set(written) | ({c.name_ja_official} - {c.name_ja}))),
                wikidata=c.wikidata,
                mentions=tuple(mentions[iso3]),
            )
        )
    return entities
