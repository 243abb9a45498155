"""Organizations: the gazetteer's bodies, plus named bodies found by grammar.

Grammar over GiNZA's tokens: a noun compound that ends in an organization head (省, 庁, 機構,
銀行, センター, 議員連盟 …, listed in ``data/gazetteer/org_heads.tsv``) is an organization when it
is anchored as a name: it starts with a country (キルギス共和国外務省, 日本・キルギス友好議員連盟),
carries an abbreviation in parentheses (日本輸出信用機関（ECA）), or holds a katakana or Latin
proper name (エア・アスタナ社). Generic phrases (関係機関, 国際機関, 両国外務省) are not
organizations. An abbreviation in parentheses after a name is linked to it as an alias.
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
from .persons import title_pattern
from .resources import data_dir

__all__ = ["OrgHit", "find_organizations", "org_heads", "org_hits"]

_DATA = data_dir() / "gazetteer"
_LEAD = re.compile(r"^(?:在|駐日|駐)")
_EVENT_NOUNS = ("開設", "設立", "開催", "署名", "締結", "訪問", "主催", "加盟")
_ABBR = re.compile(r"\(([A-Za-z][A-Za-z0-9&+\-・]{1,15}|[A-Z][A-Za-z]{1,12})\)")
_NOUNISH = {"NOUN", "PROPN", "NUM"}
_LATIN = re.compile(r"[A-Za-z]")


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
        org = index[form]
        hits.append(OrgHit(s, e, form, org.country, org.kind, None, org.name_ja, org.name_en))
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
    gazetteer_spans = _gazetteer_hits(ctx, passage_text)
    hits = []
    n = len(doc)
    for j, tok in enumerate(doc):
        upto = passage_text[: tok.idx + len(tok.text)]
        head = next((h for h in heads if upto.endswith(h[0])), None)
        if head is None or tok.pos_ not in _NOUNISH | {"SYM"} and tok.text != head[0]:
            continue
        nxt = doc[j + 1] if j + 1 < n else None
        if nxt is not None and nxt.pos_ in {"NOUN", "PROPN"} and nxt.idx == tok.idx + len(tok.text) and not nxt.text.startswith(("(", "（")):
            # the compound goes on (機関投資家 is not an organization), except for 外務省間,
            # 銀行側, a title held in the body (友好議員連盟副会長) or an event (センター開設)
            rest = passage_text[nxt.idx:]
            if not (nxt.text in {"間", "等", "など", "側"} or titles.match(rest) or rest.startswith(_EVENT_NOUNS)):
                continue
        # extend left over the noun compound (nouns, proper nouns, ・, 「」)
        i = j
        while i - 1 >= 0:
            prev = doc[i - 1]
            if prev.idx + len(prev.text) != doc[i].idx or not prev.text.strip() or "\t" in prev.text:
                break
            if "地名" in prev.tag_ and not prev.tag_.endswith("国") and doc[i].text == "・":
                break  # 東京・外務省: a place, then the body
            adjectival = prev.tag_.startswith("形状詞") and prev.i + 1 < n and doc[prev.i + 1].pos_ in _NOUNISH
            if prev.pos_ in _NOUNISH or adjectival or prev.text in {"・", "「", "」", "『", "』", "＋", "+"} or prev.tag_.startswith("接頭辞"):
                i -= 1
                continue
            break
        while i < j and doc[i].text in {"・", "」", "』"}:
            i += 1
        start, end = doc[i].idx, tok.idx + len(tok.text)
        name = passage_text[start:end]
        # 「」 only when balanced inside the name
        if name.count("「") != name.count("」"):
            name = name.lstrip("「」")
            start = end - len(name)
        after = passage_text[end:]
        abbr_m = _ABBR.match(after)
        abbr = abbr_m.group(1) if abbr_m else None
        lead = _LEAD.match(name)
        anchor_at = start + (lead.end() if lead else 0)  # 在キルギス日本国大使館, 駐日キルギス大使館
        anchored_country = next((c for c in countries if c.start == anchor_at), None)
        proper = bool(re.search(rf"[{KATAKANA}A-Za-z]", name[: -len(head[0])]))
        known_inside = any(start <= g.start and g.end < end for g in gazetteer_spans)  # 国連…センター
        if not (anchored_country or abbr or proper or known_inside):
            continue
        if name == head[0] or len(name) <= len(head[0]) + 1 and not abbr:
            continue
        if head[1] in {"ministry", "agency"} and len([c for c in countries if start <= c.start < end]) > 1:
            continue  # 日本・カザフスタン外務省間: two ministries, not one body
        country = anchored_country.iso3 if anchored_country else None
        body = passage_text[anchored_country.end : end].lstrip("・") if anchored_country and not lead else None
        hits.append(OrgHit(start, end, name, country, head[1], abbr, body=body or None))
    return hits


def org_hits(ctx: DocContext, passage, doc) -> list[OrgHit]:
    """Organization hits in one passage: gazetteer first, grammar for the rest; no overlaps."""
    gaz = _gazetteer_hits(ctx, passage.text)
    gram = _grammar_hits(ctx, passage.text, doc)
    titles = title_pattern(ctx.gazetteer)
    gaz = [g for g in gaz if not ((t := titles.match(passage.text, g.start)) and t.end() > g.end)]  # 衆議院議員
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
    # abbreviation in parentheses after a gazetteer name: (JICA) is an alias, not a second body
    return sorted(chosen, key=lambda h: h.start)


@dataclass
class _Org:
    name: str
    country: str | None
    kind: str
    label_en: str | None
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
                org = orgs[key] = _Org(canonical, hit.country, hit.kind, hit.label_en)
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
    entities = []
    for key in sorted(orgs):
        org = orgs[key]
        entities.append(
            Entity(
                kind="organization",
                key=key,
                label=org.name,
                label_en=org.label_en,
                aliases=tuple(sorted(org.aliases - {org.name})),
                country=org.country,
                mentions=tuple(sorted(org.mentions, key=lambda m: m.start)),
            )
        )
    return entities


def _bare_abbreviations(ctx: DocContext, orgs: dict[str, _Org]) -> None:
    """KRJCが…: an abbreviation introduced in parentheses, used alone later, is a mention."""
    for org in orgs.values():
        for alias in org.aliases:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9&+\-]{1,15}", alias):
                continue
            rx = re.compile(rf"(?<![A-Za-z]){re.escape(alias)}(?![A-Za-z])")
            seen = {(m.start, m.end) for m in org.mentions}
            for passage in ctx.passages:
                for m in rx.finditer(passage.text):
                    mention = ctx.mention(passage, m.start(), m.end())
                    if not any(s <= mention.start < e for s, e in seen):
                        org.mentions.append(mention)
                        seen.add((mention.start, mention.end))
