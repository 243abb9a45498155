"""Organizations: the gazetteer's bodies, plus named bodies found by grammar.

Grammar over GiNZA's tokens: a noun compound that ends in an organization head (省, 庁, 機構,
銀行, センター, 議員連盟 …, listed in ``data/gazetteer/org_heads.tsv``) is an organization when it
is anchored as a name: it starts with a country (キルギス共和国外務省, 日本・キルギス友好議員連盟),
carries an abbreviation in parentheses (日本輸出信用機関（ECA）, 南部解放戦線(SLF:…)), holds a
katakana or Latin proper name (エア・アスタナ社), opens with a Japanese legal form
(独立行政法人…センター, LEGAL_FORM), or — for a committee-like head (委員会, 協議会, 統計局 …) —
is a compound of two or more nouns or is named by a に関する phrase (投資環境整備に関する委員会).
Some heads need more: 軍 a country before it (チリ軍, also in チリ軍輸送機), 運動 an
abbreviation after it (X・イスラーム運動(IMU), not 一村一品運動). A person's katakana name glued
before a country with ・ is not part of the name (NAME・ケニア日本友好議員連盟), nor is a number,
date or ordinal before it; a quoted proper name after the head is (…機関『KMF』). Generic phrases
(関係機関, 国際機関, 両国外務省) are not organizations. An abbreviation in parentheses after a
name is linked to it as an alias.

What the parse says about a hit (``data/patterns/organizations.json``) then removes the mentions
that are not of a standing body: a body written before a meeting, forum, charter, building or
status (国連総会, ASEAN+3首脳会議, 国連憲章, 国連本部, 安保理非常任理事国: OCCASION), a council
that is held or a numbered session (協議会が開催された, 第2回合同委員会: HELD…), a body that is only
planned or asked for (…委員会の将来の設立, 大使館を開設してほしい: PLANNED, REQUESTED), and the
ministries of two sides (外務省間). An office of a known body (ジェトロ事務所) is that body;
在X(日本国)大使館 is Japan's (ANNOTATION.md), and a bare 日本大使館 in a document about X is it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .context import KATAKANA, DocContext
from .countries import country_hits
from .facts import Entity, Mention, make_key
from .patterns import dependency_matches, matches
from .persons import title_pattern
from .principals import principal_countries
from .resources import data_dir

__all__ = ["OrgHit", "find_organizations", "org_heads", "org_hits"]

_DATA = data_dir() / "gazetteer"
_LEAD = re.compile(r"^(?:在|駐日|駐)")
_EVENT_NOUNS = ("開設", "設立", "開催", "署名", "締結", "訪問", "主催", "加盟")
_ABBR = re.compile(r"\(([A-Za-z][A-Za-z0-9&+\-・]{1,15}|[A-Z][A-Za-z]{1,12})(?:\)|[:：](?=\s*[A-Z]))")
_NOUNISH = {"NOUN", "PROPN", "NUM"}
_LATIN = re.compile(r"[A-Za-z0-9]")
_KATA = re.compile(rf"[{KATAKANA}]")
_KATA_NAME = re.compile(rf"[{KATAKANA}・]+")
#: heads named by a long compound or a に関する phrase (漁業協定締結問題合同委員会)
_NAMED_BY_COMPOUND = {"committee", "bureau"}
_ABOUT = {"関する", "係る", "関わる", "おける", "対する"}
#: offices of a body: ジェトロ事務所 is JETRO
_QUOTED_NAME = re.compile(rf"『[A-Za-z0-9{KATAKANA}・\- ]{{1,20}}』")
_COUNTERS = {"回", "次", "年", "年度", "月", "日"}
_AFTER_PLACE = {"内", "前", "周辺", "敷地"}
_OFFICE_HEADS = ("事務所", "現地事務所", "支所", "出張所")


@lru_cache(maxsize=1)
def org_heads(path: Path = _DATA / "org_heads.tsv") -> tuple[tuple[str, str], ...]:
    """(head, kind) pairs, longest head first."""
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t")]
    for n, r in enumerate(rows, start=2):
        if not r.get("head") or not r.get("kind"):
            raise ValueError(f"{path}:{n}: a row needs both 'head' and 'kind'")
    return tuple(sorted(((r["head"], r["kind"]) for r in rows), key=lambda x: -len(x[0])))


@dataclass(frozen=True)
class OrgHit:
    start: int
    end: int
    name: str
    country: str | None
    kind: str
    abbr: str | None = None
    gazetteer_name: str | None = None  # canonical name when the gazetteer knows it
    label_en: str | None = None
    body: str | None = None  # the name without its leading country (外務省 in キルギス共和国外務省)
    wikidata: str | None = None  # the gazetteer's Wikidata item ("Q1065")

    @property
    def key(self) -> str:
        """One key for one body however its country is written: 日本国外務省, 日本外務省 and the
        gazetteer's 外務省 (a Japanese ministry) are one organization; キルギス共和国外務省 another."""
        if self.body and self.country:
            return make_key(self.country + self.body)
        if self.gazetteer_name and self.country:
            return make_key(self.country + self.gazetteer_name)
        return make_key(self.gazetteer_name or self.name)


_COLLECTIVE_BEFORE = ("両国", "各国", "両", "各", "関係", "当該")


def _gazetteer_hits(ctx: DocContext, text: str) -> list[OrgHit]:
    pattern, index = _gazetteer_pattern(ctx.gazetteer)
    countries = country_hits(ctx, text)
    hits = []
    for m in pattern.finditer(text):
        s, e = m.span()
        if text[:s].endswith(_COLLECTIVE_BEFORE) and index[m.group()].kind == "ministry":
            continue  # 両国外務省: the ministries of both, not one body
        form = m.group()
        if _LATIN.match(form[0]) and s > 0 and _LATIN.match(text[s - 1]):
            continue
        if _LATIN.match(form[-1]) and e < len(text) and _LATIN.match(text[e]):
            continue
        if any(c.start <= s and e <= c.end and (c.start, c.end) != (s, e) for c in countries):
            continue  # 国連 inside アラブ首長国連邦
        org = index[form]
        hits.append(OrgHit(s, e, form, org.country, org.kind, None, org.name_ja, org.name_en,
                           wikidata=org.wikidata))
    return hits


@lru_cache(maxsize=4)
def _gazetteer_pattern(gazetteer):
    index = {}
    for org in gazetteer.organizations:
        for form in (org.name_ja, *org.aliases):
            if form and len(form) >= 2:
                index.setdefault(form, org)
    alternation = "|".join(re.escape(f) for f in sorted(index, key=len, reverse=True))
    return re.compile(alternation), index


def _grammar_hits(ctx: DocContext, passage_text: str, doc) -> list[OrgHit]:
    heads = org_heads()
    countries = country_hits(ctx, passage_text)
    titles = title_pattern(ctx.gazetteer)
    known_titles = {t.title_ja for t in ctx.gazetteer.titles}
    gazetteer_spans = _gazetteer_hits(ctx, passage_text)
    legal_forms = {sp.start for sp in matches(doc, "organizations", "LEGAL_FORM")}
    hits = []
    n = len(doc)
    for j, tok in enumerate(doc):
        upto = tok.idx + len(tok.text)  # the passage up to this token's end (no copy of it)
        head = next((h for h in heads if passage_text.endswith(h[0], 0, upto)), None)
        if head is None or tok.pos_ not in _NOUNISH | {"SYM"} and tok.text != head[0]:
            continue
        military = head[1] == "military"
        nxt = doc[j + 1] if j + 1 < n else None
        if nxt is not None and nxt.pos_ in {"NOUN", "PROPN"} and nxt.idx == tok.idx + len(tok.text) and not nxt.text.startswith(("(", "（")):
            # the compound goes on (機関投資家 is not an organization), except for 外務省間,
            # 銀行側, a title held in the body (友好議員連盟副会長), an event (センター開設) or what
            # armed forces have (チリ軍輸送機)
            rest = passage_text[nxt.idx:]
            title = titles.match(rest)
            if title and title.group() not in known_titles and re.search("[局部課室]", title.group()[:-1]):
                continue  # 財務省経済関係局次官: the body named is the bureau, inside a title
            if not (military or nxt.text in {"間", "等", "など", "側"} or title or rest.startswith(_EVENT_NOUNS)):
                continue
        # extend left over the noun compound (nouns, proper nouns, ・, 「」)
        i = j
        about = False
        while i - 1 >= 0:
            prev = doc[i - 1]
            if prev.idx + len(prev.text) != doc[i].idx or not prev.text.strip() or "\t" in prev.text:
                break
            if "地名" in prev.tag_ and not prev.tag_.endswith("国") and doc[i].text == "・":
                break  # 東京・外務省: a place, then the body
            if head[1] in _NAMED_BY_COMPOUND and not about and _about_phrase(doc, i - 1):
                about = True  # 水資源管理に関する委員会: a committee named by what it is about
                i -= 2
                continue
            if (prev.text == "な" and i >= 2 and doc[i - 2].tag_.startswith("形状詞") and doc[i].pos_ in _NOUNISH
                    and doc[i - 2].idx + len(doc[i - 2].text) == prev.idx):
                i -= 2  # 国連持続可能な開発目標地域センター: a な-adjective inside the name
                continue
            if prev.pos_ == "NUM" or prev.like_num:
                break  # 2008年度…統計局, 第2回…委員会: a date or an ordinal is not part of the name
            adjectival = prev.tag_.startswith("形状詞") and prev.i + 1 < n and doc[prev.i + 1].pos_ in _NOUNISH
            if prev.pos_ in _NOUNISH or adjectival or prev.text in {"・", "「", "」", "『", "』", "＋", "+"} or prev.tag_.startswith("接頭辞"):
                i -= 1
                continue
            break
        counted = False
        while i < j and (doc[i].text in {"・", "」", "』"}
                         or doc[i].lemma_ in _COUNTERS and i > 0 and (doc[i - 1].pos_ == "NUM" or doc[i - 1].like_num)):
            counted = counted or doc[i].lemma_ in {"回", "次"}
            i += 1
        if counted and head[1] == "committee":
            continue  # 第2回…合同委員会: a session of the committee, a meeting
        i = _after_person_name(doc, i, j, countries)
        start, end = doc[i].idx, tok.idx + len(tok.text)
        name = passage_text[start:end]
        # 「」 only when balanced inside the name
        if name.count("「") != name.count("」"):
            name = name.lstrip("「」")
            if name.count("「") > name.count("」"):
                name = name[name.rindex("「") + 1 :]  # 有限責任会社「…機関: the name opens at the quote
            start = end - len(name)
        quoted = _QUOTED_NAME.match(passage_text, end)
        after = passage_text[quoted.end() if quoted else end :]
        abbr_m = _ABBR.match(after)
        abbr = abbr_m.group(1) if abbr_m else None
        lead = _LEAD.match(name)
        anchor_at = start + (lead.end() if lead else 0)  # 在キルギス日本国大使館, 駐日キルギス大使館
        anchored_country = next((c for c in countries if c.start == anchor_at), None)
        proper = bool(re.search(rf"[{KATAKANA}A-Za-z]", name[: -len(head[0])]))
        known_inside = any(start <= g.start and g.end < end for g in gazetteer_spans)  # 国連…センター
        legal = i in legal_forms and i < j  # 独立行政法人海洋研究センター
        head_start = end - len(head[0])
        modifiers = [t for t in doc[i:j + 1] if t.idx + len(t.text) <= head_start and t.pos_ in _NOUNISH]
        named = head[1] in _NAMED_BY_COMPOUND and (about or len(modifiers) >= 2)  # 漁業協定締結問題合同委員会
        if military and not anchored_country:
            continue  # 軍 only as a country's armed forces (チリ軍)
        if head[1] == "movement" and not abbr:
            continue  # X・イスラーム運動(IMU) is a group; 一村一品運動 is a campaign
        if not (anchored_country or abbr or proper or known_inside or legal or named):
            continue
        if name == head[0] or len(name) <= len(head[0]) + 1 and not abbr and not military:
            continue
        if head[1] in {"ministry", "agency"} and len([c for c in countries if start <= c.start < end]) > 1:
            continue  # 日本・カザフスタン外務省間: two ministries, not one body
        country = anchored_country.iso3 if anchored_country else ("JPN" if legal else None)
        if head[1] == "committee" and len({c.iso3 for c in countries if start <= c.start < end}) > 1:
            country = None  # 日本・ケニア合同委員会: a joint body of two countries
        body = passage_text[anchored_country.end : end].lstrip("・") if anchored_country and not lead else None
        if lead and lead.group() == "在" and head[1] == "embassy" and anchored_country and anchored_country.iso3 != "JPN":
            # 在キルギス(日本国)大使館: Japan's embassy in the country (ANNOTATION.md), one body
            country, body = "JPN", f"在{anchored_country.iso3}{head[0]}"
        if quoted:  # マイクロファイナンス機関『KMF』: the quoted proper name is part of the name
            end = quoted.end()
            name = passage_text[start:end]
        hits.append(OrgHit(start, end, name, country, head[1], abbr, body=body or None))
    return hits


def _about_phrase(doc, k: int) -> bool:
    """Whether token ``k`` is 関する in 「NOUN NOUN に関する」 (水資源管理に関する委員会)."""
    return (k >= 3 and doc[k].text in _ABOUT and doc[k - 1].text == "に"
            and doc[k - 2].pos_ in _NOUNISH and doc[k - 3].pos_ in _NOUNISH)


def _after_person_name(doc, i: int, j: int, countries) -> int:
    """Where a body's name starts when a person's katakana name is glued before it: at the country
    after the ・ (ジョン・スミス・ケニア日本友好議員連盟 → ケニア日本友好議員連盟), or at a body the
    gazetteer knows (ジョン・スミス欧州委員会委員長 → 欧州委員会)."""
    known = {s.start for s in doc.spans.get("bkg", ()) if s.label_ == "ORG"}
    for k in range(i + 1, j + 1):
        left = doc[i:k].text
        if k in known and "・" in left and _KATA_NAME.fullmatch(left):
            return k  # ウルズラ・フォン・デア・ライエン欧州委員会委員長: the name, then a known body
    for k in range(i, j):
        if doc[k].text != "・" or k + 1 > j:
            continue
        country_next = any(c.start == doc[k + 1].idx for c in countries)
        left = doc[i:k].text if k > i else ""
        if country_next and left and _KATA_NAME.fullmatch(left) and not any(
                doc[i].idx <= c.start < doc[k].idx for c in countries):
            return k + 1
    return i


def _last_token(doc, end: int) -> int | None:
    """The index of the token that holds the character before ``end``."""
    for t in doc:
        if t.idx < end <= t.idx + len(t.text):
            return t.i
    return None


def _compound_after(doc, end: int) -> int | None:
    """The last token of the noun compound that goes on after ``end`` (国連|総会, ASEAN|+3首脳会議,
    G7|シャルルボワ・サミット), or ``None`` when the compound ends at ``end``."""
    k = _last_token(doc, end)
    if k is None:
        return None
    m = k
    while m + 1 < len(doc):
        nxt = doc[m + 1]
        if nxt.idx != doc[m].idx + len(doc[m].text):
            break
        if nxt.pos_ in _NOUNISH or nxt.text in {"・", "+", "＋"}:
            m += 1
            continue
        break
    if m == k and doc[k].idx + len(doc[k].text) <= end:
        return None
    return m


def _not_a_body(doc, hit: OrgHit, passage_text: str) -> bool:
    """What the parse says against a hit being a mention of a standing body (see the module
    docstring and ``data/patterns/organizations.json``)."""
    occasion = {t for sp in matches(doc, "organizations", "OCCASION") for t in range(sp.start, sp.end)}
    after = _compound_after(doc, hit.end)
    if after is not None:
        k = _last_token(doc, hit.end) or 0
        first = next((t.i for t in doc[k + 1 : after + 1] if t.i in occasion or not (
            t.pos_ in {"PROPN", "NUM"} or t.like_num or t.text in {"・", "+", "＋"} or _KATA_NAME.fullmatch(t.text))), None)
        while after > k + 1 and doc[after].lemma_ in _AFTER_PLACE:
            after -= 1  # 国連本部内で
        if after in occasion or first in occasion:
            return True  # 国連総会(出席中), 国連憲章, 国連本部, 安保理非常任理事国, ASEAN+3首脳会議
    last = _last_token(doc, hit.end)
    for label in ("HELD", "HELD_PASSIVE", "HELD_ACL", "HELD_NOUN", "PLANNED", "PLANNED_OF", "REQUESTED"):
        if label == "REQUESTED" and hit.kind != "embassy":
            continue
        for sp in dependency_matches(doc, "organizations", label, "body"):
            if sp.start != last:
                continue
            if label == "HELD_NOUN" and _holds_its_session(doc[last]):
                continue  # 委員会の第5回会合の開催: the committee holds a session; it is a body
            return True  # 経済協議会が開催された; 大使館を開設してほしい; …委員会の将来の設立
    if hit.kind == "ministry" and hit.gazetteer_name and passage_text[hit.end:].startswith("間"):
        return True  # 外務省間: the ministries of both sides (not 日本経済産業省とX国Y省間)
    # a katakana name inside a longer katakana word
    opening = _last_token(doc, hit.start + 1)
    inside_start = opening is not None and _KATA.match(hit.name[0]) and doc[opening].idx < hit.start
    inside_end = last is not None and _KATA.match(hit.name[-1]) and doc[last].idx + len(doc[last].text) > hit.end
    return bool(inside_start or inside_end)


def _holds_its_session(body) -> bool:
    """Whether the holding noun that ``body`` depends on also has a session of it (会合, 会議)."""
    return any(c.i != body.i and c.dep_ == "nmod" and re.search("(会合|会議)$", c.lemma_)
               for c in body.head.children)


def _office_of_known_body(hit: OrgHit, gaz: list[OrgHit], passage_text: str) -> bool:
    """ジェトロ事務所 / 日本貿易振興機構(ジェトロ)事務所: an office of a gazetteer body is that body."""
    office = next((o for o in _OFFICE_HEADS if hit.name.endswith(o)), None)
    if office is None or hit.gazetteer_name is not None:
        return False
    before = re.sub(r"\([^()]*\)$", "", passage_text[hit.start : hit.end - len(office)])
    return any(g.start >= hit.start and g.end == hit.start + len(before) for g in gaz)


def org_hits(ctx: DocContext, passage, doc) -> list[OrgHit]:
    """Organization hits in one passage: gazetteer first, grammar for the rest; no overlaps.

    Several families ask for them; they are computed once per parse (:meth:`DocContext.cached`:
    a repeated passage shares its parse), in passage-relative offsets."""
    return list(ctx.cached(("org_hits", doc), _org_hits, ctx, passage, doc))


def _org_hits(ctx: DocContext, passage, doc) -> list[OrgHit]:
    gaz = _gazetteer_hits(ctx, passage.text)
    gram = _grammar_hits(ctx, passage.text, doc)
    gram = [h for h in gram if not _office_of_known_body(h, gaz, passage.text)]
    titles = title_pattern(ctx.gazetteer)
    # 衆議院議員, 財務省次官: a title of office, not a mention of the body; but an international
    # body in an official's title is named (欧州委員会委員長, 国連事務総長)
    gaz = [g for g in gaz if not ((t := titles.match(passage.text, g.start)) and t.end() > g.end
                                  and g.kind != "international")]
    country_ends = {c.end for c in country_hits(ctx, passage.text)}
    gaz = [g for g in gaz if not (g.kind == "ministry" and (g.start in country_ends or g.start - 1 in country_ends)
                                  and not any(x.start < g.start and x.end >= g.end for x in gram))]
    chosen: list[OrgHit] = []
    # longer spans win; a grammar hit that contains a gazetteer hit wins (日本国外務省 ⊃ 外務省)
    for hit in sorted(gaz + gram, key=lambda h: (-(h.end - h.start), h.start)):
        if any(not (hit.end <= c.start or hit.start >= c.end) for c in chosen):
            continue
        if hit.gazetteer_name is None:
            inner = next((g for g in gaz if hit.start <= g.start and g.end <= hit.end and g.end == hit.end), None)
            if inner is not None and inner.gazetteer_name and hit.country is None:
                hit = OrgHit(hit.start, hit.end, hit.name, inner.country, inner.kind, hit.abbr, body=hit.body)
        chosen.append(hit)
    chosen = [h for h in chosen if not _not_a_body(doc, h, passage.text)]
    # abbreviation in parentheses after a gazetteer name: (JICA) is an alias, not a second body
    return sorted(chosen, key=lambda h: h.start)


@dataclass
class _Org:
    name: str
    country: str | None
    kind: str
    label_en: str | None
    wikidata: str | None = None
    aliases: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)


def find_organizations(ctx: DocContext) -> list[Entity]:
    orgs: dict[str, _Org] = {}
    alias_of: dict[str, str] = {}
    for passage, doc in ctx.body():
        for hit in org_hits(ctx, passage, doc):
            canonical = hit.gazetteer_name or hit.name
            key = alias_of.get(make_key(hit.name)) or hit.key
            org = orgs.get(key)
            if org is None:
                org = orgs[key] = _Org(canonical, hit.country, hit.kind, hit.label_en, hit.wikidata)
            if hit.name != org.name:
                org.aliases.add(hit.name)
            mention = ctx.mention(passage, hit.start, hit.end)
            org.mentions.append(mention)
            if hit.abbr:
                org.aliases.add(hit.abbr)
                alias_of[make_key(hit.abbr)] = key
            for a in org.aliases:
                alias_of.setdefault(make_key(a), key)
    _bare_abbreviations(ctx, orgs)
    _japanese_embassy(ctx, orgs)
    entities = []
    for key in sorted(orgs):
        org = orgs[key]
        entities.append(
            Entity(
                kind="organization",
                key=key,
                label=org.name,
                label_en=org.label_en,
                wikidata=org.wikidata,
                aliases=tuple(sorted(org.aliases - {org.name})),
                country=org.country,
                mentions=tuple(sorted(org.mentions, key=lambda m: m.start)),
            )
        )
    return entities


def _japanese_embassy(ctx: DocContext, orgs: dict[str, _Org]) -> None:
    """日本大使館 in a document about country X, which names 在X(日本国)大使館, is that embassy."""
    bare = [k for k, o in orgs.items() if o.name in {"日本大使館", "日本国大使館"}]
    if not bare:
        return
    partners = [c for c in principal_countries(ctx) if c != "JPN"]
    abroad = []
    for key, org in orgs.items():
        if org.name.startswith("在") and org.country == "JPN" and org.kind == "embassy":
            located = country_hits(ctx, org.name)
            if located and located[0].start == 1 and (len(partners) != 1 or located[0].iso3 == partners[0]):
                abroad.append(key)
    if len(abroad) != 1:
        return
    target = orgs[abroad[0]]
    for key in bare:
        org = orgs.pop(key)
        target.aliases.add(org.name)
        target.mentions.extend(org.mentions)


def _bare_abbreviations(ctx: DocContext, orgs: dict[str, _Org]) -> None:
    """KRJCが…: an abbreviation introduced in parentheses, used alone later, is a mention."""
    for org in orgs.values():
        for alias in org.aliases:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9&+\-]{1,15}", alias):
                continue
            rx = re.compile(rf"(?<![A-Za-z]){re.escape(alias)}(?![A-Za-z])")
            seen = ctx.span_index((m.start, m.end) for m in org.mentions)
            for passage in ctx.passages_matching(rx):
                for m in rx.finditer(passage.text):
                    mention = ctx.mention(passage, m.start(), m.end())
                    if not seen.covers(mention.start):
                        org.mentions.append(mention)
                        seen.add(mention.start, mention.end)
