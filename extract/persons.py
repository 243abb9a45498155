"""Persons: names next to titles of office, read over GiNZA's tokens.

The grammar, in the forms Japanese diplomatic text uses::

    NAME [・] [COUNTRY] TITLE          サディル・ジャパロフ・キルギス共和国大統領, 林芳正外務大臣
    SURNAME TITLE                      ジャパロフ大統領, 岸田総理, 森前総理
    SURNAME ORGANIZATION TITLE         緒方JICA理事長
    NAME (READING) [COUNTRY] TITLE     a kanji name with its reading in katakana as an alias
    NAME 駐 COUNTRY [国] [COUNTRY] TITLE an envoy: role 駐X大使, country the sending state
    NAME ・ [COUNTRY] BODY TITLE        the head of a body (…・ポーランド日本友好協会会長)
    NAME ・ TITLE / TITLE ・ NAME      福島安正・陸軍大佐, 外交官・西徳二郎
    NAME政権                           a leader named by the administration (pattern REGIME)

A TITLE is one or more titles of office from the gazetteer, or a ministry word before a generic
head (法務大臣, 外務副大臣), chained with 兼 (副首相兼外務大臣). A NAME is a run of tokens that
Sudachi tags as personal names (人名) or of katakana words joined by ・/＝, that is not itself a
country or a place; or, for Chinese and Korean names and surnames Sudachi reads as common or place
nouns (王建明, a family name read as a place), a whole run of 2-4 kanji holding a proper noun, with a clean left edge.
GiNZA's entity labels are not consulted: it tags countries as persons on this text.

A person's country comes from the closest evidence (see :func:`_resolve_country`): the posting,
the country written with the title, COUNTRY の/から NAME, 我が方, a title only one kanji-writing
state uses (the ``STATE_TITLE_<ISO3>`` patterns of ``data/patterns/persons.json``), the
COUNTRY側 that heads a list; Japan for a kanji name only when none of these speaks.

Mentions are then resolved within the document: a surname with a title (ジャパロフ大統領) is the
full person named with a compatible role; two people who share a surname and hold different
offices (中村総理, 中村外務報道官) stay two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from .context import KATAKANA, DocContext, is_katakana_name, shift_mention
from .countries import country_hits
from .english import with_english  # issue 13
from .facts import Entity, Mention, make_key
from .normalize import edit_distance
from .patterns import matches

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Span

__all__ = ["PersonMention", "find_persons", "loose_key", "person_mentions", "roles_compatible", "surname_of", "title_pattern"]

_KANJI = r"\u4e00-\u9fff\u3005"
# heads that make a title out of the ministry or office word before them (法務 + 大臣)
_GENERIC_HEADS = ("副大臣", "大臣政務官", "政務官", "大臣", "長官", "次官", "補佐官", "大使", "議員", "総領事", "局長", "委員長")
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
            if (x in _GENERIC_HEADS and y.endswith(x)) or (y in _GENERIC_HEADS and x.endswith(y)):
                return True  # 大臣 ~ 外務大臣: the short form of the same office
    return False


def _fuller_role(longer: str, shorter: str) -> bool:
    """Whether ``longer`` writes the same single office as ``shorter`` in full."""
    if "兼" in longer or "兼" in shorter:
        return False
    if shorter in _GENERIC_HEADS and longer.endswith(shorter):
        return True
    return _head_kind(longer) == _head_kind(shorter) != "other"


def _head_kind(role: str) -> str:
    if role.endswith("大統領") and not role.endswith("副大統領"):
        return "president"
    if role.endswith(("総理", "総理大臣", "首相")) and not role.endswith("副首相"):
        return "prime_minister"
    if role.endswith(("外務大臣", "外相")) and "副" not in role:
        return "foreign_minister"
    return "other"


_SMALL_KANA = str.maketrans("ァィゥェォャュョッヮ", "アイウエオヤユヨツワ")


@lru_cache(maxsize=65536)
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
    reading: str | None = None  # the reading written after a kanji name, in parentheses


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
    if "地名-国" in tok.tag_:
        # a country the gazetteer does not spell this way (NAME・マレイシア首相)
        return False
    if any(s.label_ == "PLACE" and s.start <= tok.i < s.end for s in tok.doc.spans.get("bkg", ())):
        return False  # a capital or a city (於ハノイ日本国外務大臣)
    if "人名" in tok.tag_:
        return True
    if "地名" in tok.tag_ and not _dotted(tok):
        return False  # a region or a place on its own (アジア局長), not part of a ・-joined name
    return is_katakana_name(tok.text)


def _dotted(tok) -> bool:
    doc = tok.doc
    return (tok.i > 0 and doc[tok.i - 1].text in _SEPARATORS) or (tok.i + 1 < len(doc) and doc[tok.i + 1].text in _SEPARATORS)


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


_KANJI_TOKEN = re.compile(rf"[{_KANJI}]+")
#: the length, in characters, of a kanji name read without Sudachi's 人名 tags (王建明)
_KANJI_RUN = (2, 4)
#: kanji that start a noun phrase as a determiner (両国, 同大臣, 各国, 当時, 歴代, 次期, 前任), not a name
_NOT_A_NAME_START = frozenset("両同各諸当貴我現歴次前元新旧全本")
#: one-kanji heads of bodies and of local governments (党, 省, 院, 県, 市 …): a run ending in one
#: names the body or the place, not its head
_NOT_A_NAME_END = frozenset("党会院局部府団社庁省銀連軍界県州市区都道")


def _kanji_name_left(doc, end_i: int, blocked: set[int]) -> list:
    """A kanji name ending right before token ``end_i`` that Sudachi did not tag as a person.

    Chinese and Korean names (王建明, 朴成俊) and some Japanese family names come out as common
    or place nouns. The run of kanji tokens before the title is taken whole: it must be 2-4
    characters, start after a non-kanji token (a particle, a comma, 我が方), hold a proper noun,
    and be no country, organization, place or title from the gazetteer.
    """
    toks: list = []
    i = end_i - 1
    while i >= 0 and _KANJI_TOKEN.fullmatch(doc[i].text) and i not in blocked:
        if toks and doc[i].idx + len(doc[i].text) != toks[0].idx:
            break
        toks.insert(0, doc[i])
        i -= 1
        if len(toks) > 4:
            return []
    glued = i >= 0 and doc[i].idx + len(doc[i].text) == (toks[0].idx if toks else -1)
    if glued and (i in blocked or doc[i].pos_ in ("NOUN", "PROPN", "NUM")) and not _ends_our_side(doc, i):
        # a kanji run glued to a country, an organization or another noun (アジア|大洋州局長)
        # is part of a longer noun, not a name
        return []
    if not toks:
        return []
    text = "".join(t.text for t in toks)
    if not _KANJI_RUN[0] <= len(text) <= _KANJI_RUN[1]:
        return []
    if any("地名-国" in t.tag_ or t.tag_.startswith("接尾辞") for t in toks) or toks[0].tag_.startswith("接頭辞"):
        return []
    if text[0] in _NOT_A_NAME_START:
        return []  # 両国外相, 同大統領, 各国首脳: a determiner before the title
    from .organizations import org_heads  # organizations reads our titles: import late

    surname_first = toks[0].tag_.endswith("人名-姓") and len(toks[0].text) == 1  # 張|軍: a name after all
    if not surname_first and (text[-1] in _NOT_A_NAME_END or any(text.endswith(h) for h, _ in org_heads())):
        return []  # 自民党総裁, 経団連会長: the head of a body, named by the body
    if not any(t.pos_ == "PROPN" or "固有名詞" in t.tag_ for t in toks):
        return []
    return toks


def _ends_our_side(doc, i: int) -> bool:
    return any(s.end - 1 == i for s in matches(doc, "persons", "OUR_SIDE"))


def _titles_in(doc, gazetteer, country_spans=()) -> Iterable[tuple[int, int, str]]:
    """(first token, last token + 1, title text) for every maximal title in the parse.

    A title never takes in a country (日本内閣総理大臣 is 日本 + 内閣総理大臣) or a place name.
    """
    pattern = title_pattern(gazetteer)

    def titleish(tok) -> bool:
        if tok.text.isdigit() and tok.i > 0 and doc[tok.i - 1].text == "第":
            return True  # 国家安保室第2次長
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
        if best and _starts_inside_a_name(doc, best[0]) and pattern.fullmatch(doc[best[0] + 1 : best[1]].text):
            # 康|京和外交部長官: a proper noun glued to a name is the name's end, not the office's start
            best = (best[0] + 1, best[1], doc[best[0] + 1 : best[1]].text)
        if best:
            yield best
            j = best[1]
        else:
            j += 1


def _starts_inside_a_name(doc, j: int) -> bool:
    tok, before = doc[j], doc[j - 1] if j > 0 else None
    name_like = "固有名詞" in tok.tag_ or (
        # 金正|恩|国務委員長: a one-kanji common noun that ends a name (not 元, 前, 副 before an office)
        len(tok.text) == 1 and tok.tag_ == "名詞-普通名詞-一般" and tok.text not in "元前副初代故現新"
    )
    return (
        before is not None
        and name_like
        and bool(_KANJI_TOKEN.fullmatch(before.text))
        and before.idx + len(before.text) == tok.idx
        and ("人名" in before.tag_ or "地名-一般" in before.tag_)
    )


@dataclass
class _Left:
    """What stands between a name and its title: countries, a posting (駐), an organization."""

    name_end: int  # token index just after the name
    role_start: int  # token index where the role as written starts
    countries: list[str] = field(default_factory=list)  # nearest first
    posted: bool = False
    posted_to: str | None = None
    sender: str | None = None
    org_country: str | None = None
    reading: str | None = None  # 朴成俊(パク・ソンジュン): the reading in parentheses


def _token_at(doc, char: int) -> int | None:
    for t in doc:
        if t.idx <= char < t.idx + len(t.text):
            return t.i
    return None


def _read_left(doc, ti: int, hits, gaz) -> _Left:
    """Step left from a title over ``[駐] COUNTRY [国] [COUNTRY [国]] [ORG] [・] [(READING)]``."""
    left = _Left(name_end=ti, role_start=ti)
    posted = {s.start for s in matches(doc, "persons", "POSTED")}
    k = ti - 1
    # 駐米大使 / 駐日大使: the posting inside the title's own first token
    if ti in posted:
        left.posted = True
        left.posted_to = _posted_abbr(gaz, doc[ti].text)
    for _ in range(2):
        if k < 0 or k in posted:
            break
        hit = next((h for h in hits if h.end == doc[k].idx + len(doc[k].text)), None)
        if hit is None and doc[k].text == "国" and k > 0:  # チリ国大使
            hit = next((h for h in hits if h.end == doc[k - 1].idx + len(doc[k - 1].text)), None)
        if hit is None:
            break
        left.countries.append(hit.iso3)
        first = _token_at(doc, hit.start)
        if first is None:
            break
        k = first - 1
        left.role_start = first
    if not left.countries and k > 0 and "地名-国" in doc[k].tag_ and doc[k - 1].text in _SEPARATORS:
        # NAME・COUNTRY TITLE with the country spelt in a way the gazetteer lacks (マレイシア)
        variant = _country_variant(gaz, doc[k].text)
        if variant:
            left.countries.append(variant)
        k -= 1
    if k >= 0 and k in posted and left.countries:
        left.posted = True
        left.role_start = k
        posted_to = _posted_abbr(gaz, doc[k].text)
        if posted_to is not None:  # 駐日フランス大使: posted to Japan, sent by France
            left.posted_to, left.sender = posted_to, left.countries[0]
        else:  # 駐チリ日本国大使: posted to the first, sent by the second
            left.posted_to = left.countries[-1]
            left.sender = left.countries[0] if len(left.countries) > 1 else None
        k -= 1
    elif left.countries:
        left.role_start = ti  # NAME COUNTRY TITLE: the role is the title alone
    if not left.countries and not left.posted and k >= 0:
        org = next((s for s in doc.spans.get("bkg", ()) if s.label_ == "ORG" and s.end == k + 1), None)
        if org is not None:  # 緒方JICA理事長: the head of an organization
            o = gaz.organization_by_name(org.kb_id_ or org.text)
            left.org_country = o.country if o else None
            left.role_start = org.start
            k = org.start - 1
    if k >= 0 and doc[k].text in _SEPARATORS:
        k -= 1
    if k >= 0 and doc[k].text in (")", "）"):
        m = k - 1
        while m >= 0 and k - m <= 8 and doc[m].text not in ("(", "（"):
            m -= 1
        inner = doc[m + 1 : k].text if m >= 0 else ""
        if m > 0 and doc[m].text in ("(", "（") and is_katakana_name(inner.replace(" ", "")):
            left.reading = inner.replace(" ", "")
            k = m - 1
    left.name_end = k + 1
    return left


@lru_cache(maxsize=256)
def _country_variant(gaz, text: str) -> str | None:
    """The one country whose katakana name is ``text`` with one letter changed
    (マレイシア ~ マレーシア), for country names older texts spell differently."""
    if len(text) < 4 or not is_katakana_name(text):
        return None
    found = {
        c.iso3
        for c in gaz.countries
        for name in c.names_ja
        if is_katakana_name(name) and abs(len(name) - len(text)) <= 1 and edit_distance(name, text) <= 1
    }
    return found.pop() if len(found) == 1 else None


def _posted_abbr(gaz, token: str) -> str | None:
    """駐日 / 駐米: the country abbreviated in the token after 駐 (日 is Japan's own)."""
    abbr = token[1:2]
    if not abbr:
        return None
    if abbr == "日":
        return "JPN"
    country = gaz.country_by_abbr(abbr)
    return country.iso3 if country else None


def _country_before(doc, tok_i: int, hits) -> str | None:
    """COUNTRY [BODY] の NAME / COUNTRY から NAME: the country a name is said to belong to
    (大韓民国の朴成俊大統領, 中国代表団の…大使, ドイツから…外務副大臣)."""
    if tok_i < 2 or doc[tok_i - 1].lemma_ not in ("の", "から"):
        return None
    k = tok_i - 2
    for _ in range(3):  # the country itself, or up to two nouns of a body after it (代表団, 外務省)
        hit = next((h for h in hits if h.end == doc[k].idx + len(doc[k].text)), None)
        if hit is not None:
            return hit.iso3
        if doc[tok_i - 1].lemma_ != "の" or k < 1 or doc[k].pos_ not in ("NOUN", "PROPN"):
            return None
        if not _KANJI_TOKEN.fullmatch(doc[k].text) or doc[k - 1].idx + len(doc[k - 1].text) != doc[k].idx:
            return None
        k -= 1
    return None


def _state_title_country(doc, ti: int, tj: int) -> str | None:
    """The state whose government alone uses this title (see ``STATE_TITLE_<ISO3>`` patterns)."""
    inside = [
        span for span in doc.spans.get("persons", ())
        if span.label_.startswith("STATE_TITLE_") and ti <= span.start and span.end <= tj
    ]
    if not inside:
        return None
    # the longest title decides: 国務委員長 (DPRK) over the 国務委員 (PRC) inside it
    return max(inside, key=lambda s: (len(s), -s.start)).label_.removeprefix("STATE_TITLE_")


def _side_country(doc, tok_i: int, hits, gaz) -> str | None:
    """日本側同席者: X, Y / 米側同席者: Z: the nearest COUNTRY側 before the name."""
    best = None
    for span in matches(doc, "persons", "SIDE"):
        if any(t.text == "。" for t in doc[span.end : tok_i]):
            continue  # the list a COUNTRY側 heads ends with its sentence
        if span.end <= tok_i:
            if len(span) == 1:  # 米側: a one-kanji abbreviation glued to 側
                country = gaz.country_by_abbr(span.text[:-1])
                best = country.iso3 if country else best
                continue
            hit = next((h for h in hits if h.start <= doc[span.start].idx < h.end), None)
            if hit is not None:
                best = hit.iso3
    return best


def person_mentions(ctx: DocContext, passage, doc) -> list[PersonMention]:
    """Every person mention of one passage: a name with its title (read leftwards from each
    title of office), a name glued to its title or country-and-title in one token, NAME氏, NAME政権.

    Read once per parse (persons and visits both ask; a repeated passage shares its parse):
    the mentions are moved to ``passage`` and new objects are returned each time."""
    origin, found = ctx.cached(("person_mentions", doc), _origin_and_mentions, ctx, passage, doc)
    return [replace(pm, mention=shift_mention(pm.mention, origin, passage)) for pm in found]


def _origin_and_mentions(ctx: DocContext, passage, doc) -> tuple[int, list[PersonMention]]:
    return passage.start, _person_mentions(ctx, passage, doc)


def _person_mentions(ctx: DocContext, passage, doc) -> list[PersonMention]:
    gaz = ctx.gazetteer
    hits = country_hits(ctx, passage.text)
    country_spans = [(h.start, h.end) for h in hits]
    blocked = {
        t.i
        for s in doc.spans.get("bkg", ())
        if s.label_ in ("COUNTRY", "ORG", "PLACE", "TITLE")
        for t in s
    } | {t.i for t in doc if any(a <= t.idx < b for a, b in country_spans)}
    in_charge = {s.start for s in matches(doc, "persons", "IN_CHARGE")}
    our_side = {s.end for s in matches(doc, "persons", "OUR_SIDE")}
    found: list[PersonMention] = []
    for ti, tj, title in _titles_in(doc, gaz, country_spans):
        if ti in in_charge:  # 中東担当大使: a field of work, not a person
            continue
        title_tok = ti
        if doc[ti].text == "国" and tj - ti > 1:  # チリ国大使
            title_tok, title = ti + 1, title[1:]
        left = _read_left(doc, title_tok, hits, gaz)
        k = left.name_end
        name_toks = _name_tokens_left(doc, k, country_spans) if k > 0 else []
        if name_toks and name_toks[-1].idx + len(name_toks[-1].text) != doc[k].idx:
            name_toks = []  # a name is glued to what follows it (not 於ハノイ⏎日本国外務大臣)
        if not name_toks and k > 0:
            name_toks = _kanji_name_left(doc, k, blocked)
        if not name_toks and k > 0 and doc[k - 1].i in in_charge:
            continue
        role = passage.text[doc[left.role_start].idx : doc[tj - 1].idx + len(doc[tj - 1].text)]
        if left.role_start == title_tok:
            role = title
        if not name_toks:
            name_toks, org_role = _name_dot_org_title(doc, title_tok, tj, country_spans, hits, left, gaz)
            role = org_role or role
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
        single_surname = len(name_toks) == 1 and name_toks[0].tag_.endswith("人名-姓")
        if len(name) < 2 and not single_surname:
            continue
        start = min(name_toks[0].idx, doc[ti].idx)
        end = max(name_toks[-1].idx + len(name_toks[-1].text), doc[tj - 1].idx + len(doc[tj - 1].text))
        kanji = bool(_JA_NAME.fullmatch(name))
        first = name_toks[0].i
        country = _resolve_country(doc, left, first, ti, tj, hits, our_side, kanji, title, gaz)
        if country is None:
            country = _country_in_english_gloss(gaz, passage.text, end)
        # a kanji run read without 人名 tags: a Chinese or Korean name of three kanji is whole
        # (王建明); a Japanese one is whole from four kanji (小田原 is a family name)
        untagged = kanji and not any("人名" in t.tag_ for t in name_toks)
        full = _is_full_name(name_toks, name) or (
            untagged and (len(name) >= 4 or (len(name) == 3 and country in _ONE_KANJI_SURNAME_STATES))
        )
        found.append(
            PersonMention(
                name=name,
                role=role,
                country=country,
                mention=ctx.mention(passage, start, end),
                kanji_name=kanji,
                surname=_surname(name_toks, name),
                full=full,
                reading=left.reading,
            )
        )
    found.extend(_country_title_token_mentions(ctx, passage, doc, hits, country_spans))
    found.extend(_glued_title_mentions(ctx, passage, doc, {m.mention.start for m in found}))
    found.extend(_described_mentions(ctx, passage, doc, {m.mention.start for m in found}))
    found.extend(_honorific_mentions(ctx, passage, doc, hits, country_spans, {m.mention.start for m in found}))
    found.extend(_regime_mentions(ctx, passage, doc, hits, country_spans, {m.mention.start for m in found}))
    return found


_JA_NAME = re.compile(rf"[{_KANJI}][{_KANJI}\u3041-\u309f]*")


def _resolve_country(doc, left: _Left, first: int, ti: int, tj: int, hits, our_side: set[int],
                     kanji: bool, title: str, gaz) -> str | None:
    """The person's state, from the closest evidence: the posting, the country written with the
    title, the organization, COUNTRY の NAME, 我が方, a title only one state uses, COUNTRY側;
    Japan for a kanji name only when none of these speaks."""
    if left.posted:
        if left.sender:
            return left.sender
        return "JPN" if kanji or first in our_side else None
    if left.countries:
        return left.countries[0]
    if left.org_country:
        return left.org_country
    before = _country_before(doc, first, hits)
    if before:
        return before
    if first in our_side:
        return "JPN"
    if kanji:
        state = _state_title_country(doc, ti, tj)
        if state:
            return state
    side = _side_country(doc, first, hits, gaz)
    if side:
        return side
    if kanji or title in _JAPAN_ONLY_TITLES:
        return "JPN"
    return None


def _name_dot_org_title(doc, ti: int, tj: int, country_spans, hits, left: _Left, gaz) -> tuple[list, str | None]:
    """NAME ・ [COUNTRY] ORGANIZATION TITLE (ヤン・コヴァルスキ・ポーランド日本友好協会会長):
    the words between the ・ and the title name the body the person heads."""
    k = ti - 1
    while k >= 0 and ti - k <= 8 and doc[k].text not in _SEPARATORS:
        tok = doc[k]
        in_country = any(s <= tok.idx < e for s, e in country_spans)
        region = "地名" in tok.tag_ and is_katakana_name(tok.text)  # 外務省アジア大洋州局長
        if not (in_country or region or _KANJI_TOKEN.fullmatch(tok.text)) or "人名" in tok.tag_:
            return [], None
        k -= 1
    if k <= 0 or doc[k].text not in _SEPARATORS or k == ti - 1:
        return [], None
    name_toks = _name_tokens_left(doc, k, country_spans)
    if not name_toks or not (any(is_katakana_name(t.text) for t in name_toks) or _is_full_name(name_toks, "")):
        return [], None  # a foreign name, or a Japanese one written in full (山田一郎・外務省…局長)
    role_start, role_end = doc[k + 1].idx, doc[tj - 1].idx + len(doc[tj - 1].text)
    inner = [h for h in hits if role_start <= h.start < role_end]
    if inner:
        left.countries.append(inner[0].iso3)
    else:
        org = next((s for s in doc.spans.get("bkg", ()) if s.label_ == "ORG" and s.start == k + 1), None)
        o = gaz.organization_by_name(org.kb_id_ or org.text) if org is not None else None
        left.org_country = o.country if o else None
    return name_toks, doc.text[role_start:role_end]


def _country_title_token_mentions(ctx: DocContext, passage, doc, hits, country_spans) -> list[PersonMention]:
    """NAME + one token that Sudachi's dictionary holds as COUNTRY + TITLE (バイデン|米国大統領)."""
    pattern = title_pattern(ctx.gazetteer)
    out: list[PersonMention] = []
    for tok in doc:
        hit = next((h for h in hits if h.start == tok.idx and h.end < tok.idx + len(tok.text)), None)
        if hit is None or tok.i == 0:
            continue
        role = tok.text[hit.end - tok.idx :]
        if not pattern.fullmatch(role):
            continue
        toks = _name_tokens_left(doc, tok.i, country_spans)
        if not toks or toks[-1].idx + len(toks[-1].text) != tok.idx:
            continue
        name = "".join(t.text for t in toks).strip("・＝=")
        if len(name) < 2:
            continue
        kanji = bool(_JA_NAME.fullmatch(name))
        mention = ctx.mention(passage, toks[0].idx, tok.idx + len(tok.text))
        out.append(PersonMention(name, role, hit.iso3, mention, kanji, _surname(toks, name), _is_full_name(toks, name)))
    return out


def _glued_title_mentions(ctx: DocContext, passage, doc, seen: set[int]) -> list[PersonMention]:
    """A name and its title that Sudachi's dictionary holds as one person token (トランプ大統領)."""
    pattern = title_pattern(ctx.gazetteer)
    out: list[PersonMention] = []
    for tok in doc:
        if "人名" not in tok.tag_ or tok.idx + passage.start in seen:
            continue
        m = re.fullmatch(rf"([{KATAKANA}ー]{{2,}})([{_KANJI}]+)", tok.text)
        if m is None or not pattern.fullmatch(m.group(2)):
            continue
        name, role = m.group(1), m.group(2)
        mention = ctx.mention(passage, tok.idx, tok.idx + len(tok.text))
        country = "JPN" if role in _JAPAN_ONLY_TITLES else None
        out.append(PersonMention(name, role, country, mention, False, name, False))
    return out


def _described_mentions(ctx: DocContext, passage, doc, seen: set[int]) -> list[PersonMention]:
    """NOUN・NAME (画家・山田太郎): a full Japanese name described by the noun before the ・."""
    out: list[PersonMention] = []
    longest: dict[int, Span] = {}
    for span in matches(doc, "persons", "DESCRIBED"):
        # the longest name, and of those the longest run of nouns that is all kanji
        dot = next(t.i for t in span if t.text == "・")
        if not all(_KANJI_TOKEN.fullmatch(t.text) for t in doc[span.start : dot]):
            continue
        best = longest.get(dot)
        if best is None or (span.end, -span.start) > (best.end, -best.start):
            longest[dot] = span
    for dot, span in longest.items():
        name_toks = list(doc[dot + 1 : span.end])
        name = "".join(t.text for t in name_toks)
        mention = ctx.mention(passage, doc[span.start].idx, doc[span.end - 1].idx + len(doc[span.end - 1].text))
        if any(mention.start <= s < mention.end for s in seen):
            continue
        role = doc[span.start : dot].text
        out.append(PersonMention(name, role, "JPN", mention, True, _surname(name_toks, name), True))
    return out


def _honorific_mentions(ctx: DocContext, passage, doc, hits, country_spans, seen: set[int]) -> list[PersonMention]:
    """NAME氏 (マララ・ユスフザイ氏, 山田花子氏): a person without an office."""
    out: list[PersonMention] = []
    for span in matches(doc, "persons", "HONORIFIC"):
        toks = _name_tokens_left(doc, span.start, country_spans)
        if not toks or toks[-1].idx + len(toks[-1].text) != doc[span.start].idx:
            continue
        name = "".join(t.text for t in toks).strip("・＝=")
        kanji = bool(_JA_NAME.fullmatch(name))
        if len(name) < 2 or (not kanji and not is_katakana_name(name)):
            continue
        start = toks[0].idx
        if start + passage.start in seen:
            continue
        country = _country_before(doc, toks[0].i, hits) or ("JPN" if kanji else None)
        mention = ctx.mention(passage, start, doc[span.start].idx + len(doc[span.start].text))
        out.append(PersonMention(name, None, country, mention, kanji, _surname(toks, name), _is_full_name(toks, name)))
    return out


def _regime_mentions(ctx: DocContext, passage, doc, hits, country_spans, seen: set[int]) -> list[PersonMention]:
    """NAME政権 (ミラー政権): a named leader, without a title."""
    out: list[PersonMention] = []
    spans = sorted(matches(doc, "persons", "REGIME"), key=lambda s: (s.end, s.start))
    longest: dict[int, object] = {}
    for s in spans:
        if s.end not in longest or s.start < longest[s.end].start:
            longest[s.end] = s
    for s in longest.values():
        toks = [t for t in s[:-1] if _is_name_token(t, country_spans)]
        if len(toks) != len(s) - 1:
            continue
        name = "".join(t.text for t in toks)
        if len(name) < 2:
            continue
        mention = ctx.mention(passage, toks[0].idx, toks[-1].idx + len(toks[-1].text))
        if mention.start in seen:
            continue
        kanji = bool(_JA_NAME.fullmatch(name))
        # no default here: 習近平政権 joins 習近平国家主席 (CHN); a kanji name left alone is
        # given Japan when the document is resolved
        country = _country_before(doc, toks[0].i, hits)
        out.append(PersonMention(name, None, country, mention, kanji, _surname(toks, name), _is_full_name(toks, name)))
    return out


def _is_full_name(tokens, name: str) -> bool:
    if any(s in name for s in _SEPARATORS):
        return True
    tags = [t.tag_ for t in tokens]
    return any(t.endswith("人名-名") for t in tags) or (
        len(tokens) == 1 and tags[0].endswith("人名-一般") and bool(re.fullmatch(rf"[{_KANJI}]{{3,}}", name))
    )


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
            forms = {pm.name} | ({pm.reading} if pm.reading else set())
            persons.append(_Person(pm.name, pm.surname, pm.role, pm.country, pm.kanji_name, pm.full, forms, [pm.mention]))
            continue
        person.forms.add(pm.name)
        if pm.reading:
            person.forms.add(pm.reading)
        person.mentions.append(pm.mention)
        if person.country is None:
            person.country = pm.country
        if pm.role and (person.role is None or (pm.full and len(pm.role) > len(person.role) and roles_compatible(pm.role, person.role))):
            person.role = pm.role if person.role is None or pm.full else person.role
        elif pm.role and person.role and len(pm.role) > len(person.role) and _fuller_role(pm.role, person.role):
            person.role = pm.role  # 田村大臣 … 田村外務大臣, 山本総理 … 山本内閣総理大臣: the office in full
    _fill_countries(ctx, persons)
    for p in persons:
        if p.country is None and p.kanji_name:
            p.country = "JPN"  # a kanji name nothing else places (山本政権)
    _add_bare_name_mentions(ctx, persons)
    _add_one_kanji_surnames(ctx, persons)
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
    return [with_english(ctx, e, "person") for e in entities]  # Latin forms, roles (issue 13)


def _match(persons: list[_Person], pm: PersonMention) -> _Person | None:
    key = loose_key(pm.name)
    for p in persons:
        same = loose_key(p.name) == key or key in {loose_key(f) for f in p.forms}
        same_country = pm.country is None or p.country is None or pm.country == p.country
        # 中村総理 and 中村外務報道官: a surname alone with two offices is two people
        if same and same_country and (pm.full or p.full or roles_compatible(p.role, pm.role)):
            return p
    if pm.full:
        return None
    # a surname with a title: the full person with that surname and a compatible role
    candidates = [
        p for p in persons
        if (p.surname == pm.surname or (p.kanji_name and pm.kanji_name and p.full and p.name.startswith(pm.name)))
        and (pm.country is None or p.country in (None, pm.country))
    ]
    compatible = [p for p in candidates if roles_compatible(p.role, pm.role)]
    if len(compatible) >= 1:
        return compatible[0]
    # マリア首相 for マリア・ソト: some are called by their given name
    segment = [
        p for p in persons
        if p.full and not p.kanji_name and pm.name in re.split(r"[・＝=]", p.name)
        and (pm.country is None or p.country in (None, pm.country)) and roles_compatible(p.role, pm.role)
    ]
    if len(segment) == 1:
        return segment[0]
    return None


_GLOSS = re.compile(r"\s*[(（]([^()（）]{3,300})[)）]")


@lru_cache(maxsize=4)
def _english_names(gaz) -> tuple[tuple[re.Pattern[str], str], ...]:
    names = sorted(((c.name_en, c.iso3) for c in gaz.countries if c.name_en), key=lambda x: -len(x[0]))
    return tuple((re.compile(rf"\bof (?:the )?(?:[A-Z][a-z]+ )*{re.escape(n)}\b"), iso3) for n, iso3 in names)


def _country_in_english_gloss(gaz, text: str, end: int) -> str | None:
    """The English gloss after a name (Mr. X, Minister of Foreign Affairs of the Republic of
    Armenia): the country an office is "of"."""
    m = _GLOSS.match(text, end)
    if m is None:
        return None
    # longest name first: "of the Republic of South Sudan" is South Sudan, not Sudan
    return next((iso3 for rx, iso3 in _english_names(gaz) if rx.search(m.group(1))), None)


def _fill_countries(ctx: DocContext, persons: list[_Person]) -> None:
    """A foreign-named person with no country in the text belongs to the document's partner
    country when the document has exactly one foreign partner (a bilateral brief or statement)."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for text, indexes in ctx.passages_by_text.items():  # a repeated passage counts as often as it is written
        for hit in country_hits(ctx, text):
            if hit.iso3 != "JPN":
                counts[hit.iso3] += len(indexes)
    if not counts:
        return
    top = counts.most_common(2)
    partner = top[0][0] if len(top) == 1 or top[0][1] >= 3 * top[1][1] else None
    international = _international_forms(ctx)
    for p in persons:
        if p.role and any(form in p.role for form in international):
            continue  # 国連事務総長, 欧州委員会委員長: an official of an international body has no state
        if p.country is None and not p.kanji_name and partner:
            p.country = partner


def _international_forms(ctx: DocContext) -> tuple[str, ...]:
    """Written forms (names, abbreviations) of the international bodies in the gazetteer."""
    return tuple(
        form
        for org in ctx.gazetteer.organizations
        if org.kind == "international" and org.country is None
        for form in (org.name_ja, *org.aliases)
        if len(form) >= 2
    )


def _add_bare_name_mentions(ctx: DocContext, persons: list[_Person]) -> None:
    """Names written without a title (a signature block, a second mention) are mentions too."""
    for p in persons:
        if not p.full:
            continue
        parts = [re.escape(x) for x in re.split(r"[・＝=]", p.name) if x]
        rx = re.compile(r"[・＝=\s]?".join(parts))
        seen = ctx.span_index((m.start, m.end) for m in p.mentions)
        for passage in ctx.passages_matching(rx):
            for m in rx.finditer(passage.text):
                mention = ctx.mention(passage, m.start(), m.end())
                if seen.covers(mention.start):
                    continue
                p.mentions.append(mention)
                p.forms.add(m.group())
                seen.add(mention.start, mention.end)


#: states whose people's names Japanese text writes in kanji, family name first and one kanji long
_ONE_KANJI_SURNAME_STATES = ("CHN", "KOR", "PRK", "TWN")


def _add_one_kanji_surnames(ctx: DocContext, persons: list[_Person]) -> None:
    """朴成俊 … 朴大統領: a Chinese or Korean name shortened to its one-kanji family name before
    the same title is the same person (when no one else in the text has that family name)."""
    pattern = title_pattern(ctx.gazetteer)
    for p in persons:
        if not (p.kanji_name and p.full and p.country in _ONE_KANJI_SURNAME_STATES and len(p.name) in (2, 3)):
            continue
        family = p.name[0]
        if any(q is not p and q.name.startswith(family) for q in persons):
            continue
        rx = re.compile(rf"(?<![{_KANJI}]){re.escape(family)}(?=[{_KANJI}])")
        seen = {(m.start, m.end) for m in p.mentions}
        for passage in ctx.passages_matching(rx):
            for m in rx.finditer(passage.text):
                rest = re.match(rf"[{_KANJI}]+", passage.text[m.end():])
                title = next((rest.group()[:n] for n in range(len(rest.group()), 0, -1)
                              if pattern.fullmatch(rest.group()[:n])), None) if rest else None
                if not title or passage.text.startswith(p.name, m.start()):
                    continue
                known = title == p.role or ctx.gazetteer.title(title) is not None  # not 文|化大臣
                if not known or not roles_compatible(p.role, title):
                    continue
                mention = ctx.mention(passage, m.start(), m.end() + len(title))
                if (mention.start, mention.end) in seen:
                    continue
                p.mentions.append(mention)
                p.forms.add(family)
                seen.add((mention.start, mention.end))

