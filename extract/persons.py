"""Persons: names next to titles of office, read over GiNZA's tokens.

The grammar, in the forms Japanese diplomatic text uses::

    NAME [・] [COUNTRY] TITLE        サディル・ジャパロフ・キルギス共和国大統領, 林芳正外務大臣
    SURNAME TITLE                    ジャパロフ大統領, 岸田総理
    NAME ・ TITLE / TITLE ・ NAME    福島安正・陸軍大佐, 外交官・西徳二郎

A TITLE is one or more titles of office from the gazetteer, or a ministry word before a generic
head (法務大臣, 外務副大臣), chained with 兼 (副首相兼外務大臣). A NAME is a run of tokens that
Sudachi tags as personal names (人名) or of katakana words joined by ・/＝, that is not itself a
country. GiNZA's entity labels are not consulted: it tags countries as persons on this text.

Mentions are then resolved within the document: a surname with a title (ジャパロフ大統領) is the
full person named with a compatible role; two people who share a surname stay two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .context import DocContext, is_katakana_name
from .countries import country_hits
from .facts import Entity, Mention, make_key

__all__ = ["PersonMention", "find_persons", "loose_key", "person_mentions", "roles_compatible", "surname_of", "title_pattern"]

_KANJI = r"\u4e00-\u9fff\u3005"
# heads that make a title out of the ministry or office word before them (法務 + 大臣)
_GENERIC_HEADS = ("副大臣", "大臣政務官", "政務官", "大臣", "長官", "次官", "補佐官", "大使", "議員", "総領事")
_JAPAN_ONLY_TITLES = ("内閣総理大臣", "総理大臣", "総理", "衆議院議員", "参議院議員", "内閣官房長官", "官房長官")
_SEPARATORS = {"・", "＝", "="}


@lru_cache(maxsize=4)
def title_pattern(gazetteer) -> re.Pattern[str]:
    """A regex that fully matches a (possibly chained) title of office."""
    titles = sorted({t.title_ja for t in gazetteer.titles}, key=len, reverse=True)
    base = "|".join(re.escape(t) for t in titles)
    generic = rf"[{_KANJI}・]{{1,10}}?(?:{'|'.join(_GENERIC_HEADS)})"
    one = rf"(?:元|前|副|初代)?(?:{base}|{generic})"
    return re.compile(rf"{one}(?:兼{one})*")


def surname_of(name: str) -> str:
    """The family name: the last ・-segment of a foreign name, the first name token otherwise.

    >>> surname_of("サディル・ジャパロフ")
    'ジャパロフ'
    """
    parts = [p for p in re.split(r"[・＝=\s]", name) if p]
    return parts[-1] if parts else name


def roles_compatible(a: str | None, b: str | None) -> bool:
    """Whether two titles can be one person's: a shared part (副首相兼外務大臣 ~ 外務大臣), one
    title written in full and short (総理 ~ 内閣総理大臣), or the same office (首相 ~ 総理大臣).

    >>> roles_compatible("大統領", "内閣議長兼大統領府長官")
    False
    """
    if not a or not b:
        return True
    parts_a = {p.removeprefix("元").removeprefix("前") for p in a.split("兼")}
    parts_b = {p.removeprefix("元").removeprefix("前") for p in b.split("兼")}
    for x in parts_a:
        for y in parts_b:
            if x == y or _head_kind(x) == _head_kind(y) != "other":
                return True
            if (x.endswith(y) or y.endswith(x)) and _head_kind(x) == _head_kind(y):
                return True
    return False


def _head_kind(role: str) -> str:
    if role.endswith("大統領") and not role.endswith("副大統領"):
        return "president"
    if role.endswith(("総理", "総理大臣", "首相")) and not role.endswith("副首相"):
        return "prime_minister"
    if role.endswith(("外務大臣", "外相")) and "副" not in role:
        return "foreign_minister"
    return "other"


_SMALL_KANA = str.maketrans("ァィゥェォャュョッヮ", "アイウエオヤユヨツワ")


def loose_key(name: str) -> str:
    """A key that forgives transliteration: small kana as large (ジョ ~ ジヨ), no ・ or ＝."""
    return make_key(name).translate(_SMALL_KANA)


@dataclass
class PersonMention:
    name: str  # as written, normalized (no spaces)
    role: str | None
    country: str | None
    mention: Mention
    kanji_name: bool
    surname: str
    full: bool  # the name has a given name too


@dataclass
class _Person:
    name: str
    surname: str
    role: str | None
    country: str | None
    kanji_name: bool
    full: bool
    forms: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)


def _is_name_token(tok, country_spans: list[tuple[int, int]]) -> bool:
    if any(s <= tok.idx < e for s, e in country_spans):
        return False
    if "人名" in tok.tag_:
        return True
    return is_katakana_name(tok.text)


def _name_tokens_left(doc, end_i: int, country_spans) -> list:
    """Name tokens ending right before token index ``end_i`` (exclusive)."""
    toks: list = []
    i = end_i - 1
    while i >= 0:
        tok = doc[i]
        if tok.text in _SEPARATORS and toks and i > 0 and _is_name_token(doc[i - 1], country_spans):
            toks.insert(0, tok)
            i -= 1
            continue
        if tok.text not in _SEPARATORS and _is_name_token(tok, country_spans):
            # names are written without spaces between tokens
            if toks and tok.idx + len(tok.text) != toks[0].idx:
                break
            toks.insert(0, tok)
            i -= 1
            continue
        break
    return toks


def _titles_in(doc, gazetteer, country_spans=()) -> Iterable[tuple[int, int, str]]:
    """(first token, last token + 1, title text) for every maximal title in the parse.

    A title never takes in a country (日本内閣総理大臣 is 日本 + 内閣総理大臣) or a place name.
    """
    pattern = title_pattern(gazetteer)

    def titleish(tok) -> bool:
        return (
            bool(re.fullmatch(rf"[{_KANJI}・]+", tok.text))
            and "人名" not in tok.tag_
            and "地名" not in tok.tag_
            and not any(s <= tok.idx < e for s, e in country_spans)
        )

    n = len(doc)
    j = 0
    while j < n:
        best = None
        # a title is a run of kanji tokens; try the longest run starting at j that fully matches
        k = j
        while k < n and titleish(doc[k]):
            k += 1
            text = doc[j:k].text
            if pattern.fullmatch(text) and not text.startswith("兼") and not text.endswith("・"):
                best = (j, k, text)
        if best:
            yield best
            j = best[1]
        else:
            j += 1


def person_mentions(ctx: DocContext, passage, doc) -> list[PersonMention]:
    gaz = ctx.gazetteer
    hits = country_hits(ctx, passage.text)
    country_spans = [(h.start, h.end) for h in hits]
    found: list[PersonMention] = []
    for ti, tj, title in _titles_in(doc, gaz, country_spans):
        # NAME [・] [COUNTRY] [・] TITLE
        i = ti
        country = None
        title_start = doc[ti].idx
        k = i - 1
        if k >= 0 and doc[k].text in _SEPARATORS:
            k -= 1
        country_hit = next((h for h in hits if h.end == (doc[k].idx + len(doc[k].text) if k >= 0 else -1)), None)
        if country_hit is not None:
            country = country_hit.iso3
            # step over the country's tokens
            while k >= 0 and doc[k].idx >= country_hit.start:
                k -= 1
            if k >= 0 and doc[k].text in _SEPARATORS:
                k -= 1
            name_toks = _name_tokens_left(doc, k + 1, country_spans)
        else:
            name_toks = _name_tokens_left(doc, i if doc[i - 1].text not in _SEPARATORS else i - 1, country_spans) if i > 0 else []
        role = title
        if not name_toks:
            # TITLE ・ NAME (外交官・西徳二郎)
            if tj + 1 < len(doc) and doc[tj].text == "・":
                m = tj + 1
                right = []
                while m < len(doc) and "人名" in doc[m].tag_:
                    right.append(doc[m])
                    m += 1
                if right:
                    name_toks = right
            if not name_toks:
                continue
        name = "".join(t.text for t in name_toks).strip("・＝=")
        if len(name) < 2:
            continue
        start = name_toks[0].idx
        end = max(name_toks[-1].idx + len(name_toks[-1].text), doc[tj - 1].idx + len(doc[tj - 1].text))
        start = min(start, title_start)
        kanji = bool(re.fullmatch(rf"[{_KANJI}]+", name))
        full = _is_full_name(name_toks, name)
        if country is None and (kanji or title in _JAPAN_ONLY_TITLES or any(title.startswith(t) for t in _JAPAN_ONLY_TITLES)):
            country = "JPN" if (kanji or title in _JAPAN_ONLY_TITLES) else None
        found.append(
            PersonMention(
                name=name,
                role=role,
                country=country,
                mention=ctx.mention(passage, start, end),
                kanji_name=kanji,
                surname=_surname(name_toks, name),
                full=full,
            )
        )
    return found


def _is_full_name(tokens, name: str) -> bool:
    if any(s in name for s in _SEPARATORS):
        return True
    tags = [t.tag_ for t in tokens]
    if any(t.endswith("人名-名") for t in tags) or (len(tokens) == 1 and tags[0].endswith("人名-一般") and re.fullmatch(rf"[{_KANJI}]{{3,}}", name)):
        return True
    return False


def _surname(tokens, name: str) -> str:
    if any(s in name for s in _SEPARATORS):
        return surname_of(name)
    for t in tokens:
        if t.tag_.endswith("人名-姓"):
            return t.text
    return name


def find_persons(ctx: DocContext) -> list[Entity]:
    """Resolve person mentions into one Entity per individual in the document."""
    mentions: list[PersonMention] = []
    for passage, doc in ctx.body():
        mentions.extend(person_mentions(ctx, passage, doc))
    # full names first, so surname-only mentions attach to them
    persons: list[_Person] = []
    for pm in sorted(mentions, key=lambda m: (not m.full, m.mention.start)):
        person = _match(persons, pm)
        if person is None:
            persons.append(_Person(pm.name, pm.surname, pm.role, pm.country, pm.kanji_name, pm.full, {pm.name}, [pm.mention]))
            continue
        person.forms.add(pm.name)
        person.mentions.append(pm.mention)
        if person.country is None:
            person.country = pm.country
        if pm.role and (person.role is None or (pm.full and len(pm.role) > len(person.role) and roles_compatible(pm.role, person.role))):
            person.role = pm.role if person.role is None or pm.full else person.role
    _fill_countries(ctx, persons)
    _add_bare_name_mentions(ctx, persons)
    entities = []
    for p in persons:
        aliases = sorted((p.forms | ({p.surname} if p.full else set())) - {p.name})
        entities.append(
            Entity(
                kind="person",
                key=make_key(p.name),
                label=p.name,
                aliases=tuple(aliases),
                role=p.role,
                country=p.country,
                mentions=tuple(sorted(p.mentions, key=lambda m: m.start)),
            )
        )
    return entities


def _match(persons: list[_Person], pm: PersonMention) -> _Person | None:
    key = loose_key(pm.name)
    for p in persons:
        if loose_key(p.name) == key or key in {loose_key(f) for f in p.forms}:
            if pm.country is None or p.country is None or pm.country == p.country:
                return p
    if pm.full:
        return None
    # a surname with a title: the full person with that surname and a compatible role
    candidates = [
        p for p in persons
        if p.surname == pm.surname and (pm.country is None or p.country in (None, pm.country))
    ]
    compatible = [p for p in candidates if roles_compatible(p.role, pm.role)]
    if len(compatible) >= 1:
        return compatible[0]
    return None


def _fill_countries(ctx: DocContext, persons: list[_Person]) -> None:
    """A foreign-named person with no country in the text belongs to the document's partner
    country when the document has exactly one foreign partner (a bilateral brief or statement)."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for passage in ctx.passages:
        for hit in country_hits(ctx, passage.text):
            if hit.iso3 != "JPN":
                counts[hit.iso3] += 1
    if not counts:
        return
    top = counts.most_common(2)
    partner = top[0][0] if len(top) == 1 or top[0][1] >= 3 * top[1][1] else None
    for p in persons:
        if p.country is None and not p.kanji_name and partner:
            p.country = partner


def _add_bare_name_mentions(ctx: DocContext, persons: list[_Person]) -> None:
    """Names written without a title (a signature block, a second mention) are mentions too."""
    for p in persons:
        if not p.full:
            continue
        parts = [re.escape(x) for x in re.split(r"[・＝=]", p.name) if x]
        rx = re.compile(r"[・＝=\s]?".join(parts))
        seen = {(m.start, m.end) for m in p.mentions}
        for passage in ctx.passages:
            for m in rx.finditer(passage.text):
                mention = ctx.mention(passage, m.start(), m.end())
                if any(s <= mention.start < e for s, e in seen):
                    continue
                p.mentions.append(mention)
                p.forms.add(m.group())
                seen.add((mention.start, mention.end))
