"""Programs and initiatives: named projects, schemes, frameworks, movements, routes.

Three forms, all headed by a word of ``data/lexicon/programs.tsv`` (計画, 事業, プロジェクト,
プログラム, 運動, イニシアティブ, 制度, 枠組み, ルート …):

* a name in 「」 that ends in a head (「国際幹線道路改善計画」) or is followed by one
  (「一村一品」運動, 「MIRA」プログラム), or that follows one (研修プログラム「…」);
* a name with an abbreviation in parentheses (人材育成奨学計画（JDS）);
* a compound that ends in a head and carries a proper name: katakana, Latin letters or a
  country (ビシュケク・オシュ道路改修事業, 日本・中央アジアAI協力パートナーシップ).

A quotation without a head (「人への投資」, 「成長の質」) is a slogan, not a program. The
abbreviation becomes an alias, and later bare mentions of it (JDS奨学生) are mentions too.
Participants are the countries of the sentence (or the principals where 両首脳 / 双方 act);
implementers are the organizations of the sentence named as agents (JICAによる, …と連携し).
"""

from __future__ import annotations

import csv
import re
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from .context import KATAKANA, DocContext, sentence_bounds
from .countries import country_hits
from .facts import Program, make_key
from .lexicon import program_heads
from .organizations import org_hits
from .principals import collective_subject, principal_countries
from .resources import data_dir

__all__ = ["find_programs", "known_programs", "program_key"]

_DATA = data_dir() / "gazetteer"

_QUOTED = re.compile(r"「([^「」]{2,60})」")
_ABBR_IN = re.compile(r"\(([A-Za-z][A-Za-z0-9+\-]{1,12})\)")
_ABBR_AFTER = re.compile(r"^\s?\(([A-Za-z][A-Za-z0-9+\-－]{1,14})\)")
_PROPER = re.compile(rf"[{KATAKANA}A-Za-z]")
_NAMED_PREFIX = re.compile(r"「[^「」]{1,30}」[^\s、。「」()]{0,8}\([A-Za-z][A-Za-z0-9+\-]{1,12}\)$")
_SERIES_SESSION = re.compile(r"^[・の]?第\d+回")
_NAMED_HEADS = ("計画", "事業", "プロジェクト", "プログラム", "パートナーシップ", "イニシアティブ", "イニシアチブ")
_AGENT = re.compile(r"^(?:[(（][A-Za-z][A-Za-z0-9]*[)）])?(?:による|が実施|の支援|と連携|が主催|が開発)")


def program_key(label: str) -> str:
    return make_key(_ABBR_IN.sub("", label))


def _heads() -> tuple[str, ...]:
    return tuple(h for h, _ in program_heads())


def _ends_with_head(name: str, heads) -> bool:
    core = re.sub(r"[\d－\-~〜]+$", "", _ABBR_IN.sub("", name)).rstrip()
    return any(core.endswith(h) for h in heads)


@lru_cache(maxsize=1)
def known_programs(path: Path = _DATA / "programs.tsv") -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Well-known programmes and schemes (name, aliases) from ``data/gazetteer/programs.tsv``."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for n, row in enumerate(rows, start=2):
        if not row.get("name_ja"):
            raise ValueError(f"{path}:{n}: a program needs a name_ja")
    return tuple((r["name_ja"], tuple(a for a in (r.get("aliases") or "").split("|") if a)) for r in rows)


def _known(text: str) -> list[tuple[int, int, str, str | None]]:
    out = []
    for name, aliases in known_programs():
        for form in (name, *aliases):
            ascii_form = form.isascii()
            rx = rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])" if ascii_form else re.escape(form)
            for m in re.finditer(rx, text):
                out.append((m.start(), m.end(), name, aliases[0] if aliases and aliases[0].isascii() else None))
    # longest first, no overlaps
    out.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    chosen: list[tuple[int, int, str, str | None]] = []
    for c in out:
        if all(c[1] <= x[0] or c[0] >= x[1] for x in chosen):
            chosen.append(c)
    return chosen


def _candidates(ctx: DocContext, passage, doc) -> list[tuple[int, int, str, str | None]]:
    """(start, end, label, abbreviation) of program names in one passage."""
    text = passage.text
    heads = _heads()
    out: list[tuple[int, int, str, str | None]] = []
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        after = text[m.end():]
        before = text[: m.start()]
        followed = next((h for h in heads if after.startswith(h)), None)
        preceded = any(before.endswith(h) for h in heads)
        if after.startswith("対話") and not _SERIES_SESSION.match(after[2:]):
            # 「中央アジア+日本」対話: a dialogue framework (its sessions are meetings)
            out.append((m.start(), m.end() + 2, f"「{inner}」対話", None))
            continue
        if not (_ends_with_head(inner, heads) or followed or preceded):
            continue
        abbr_m = _ABBR_IN.search(inner)
        abbr = abbr_m.group(1) if abbr_m else None
        label = _ABBR_IN.sub("", inner).strip()
        if abbr is None:
            after_m = _ABBR_AFTER.match(after)
            abbr = after_m.group(1) if after_m else None
        out.append((m.start(), m.end(), label, abbr))
    for k in (*_known(text), *_table_cells(passage, heads)):
        if all(k[1] <= s or k[0] >= e for s, e, _, _ in out):
            out.append(k)
    taken = [(s, e) for s, e, _, _ in out]
    for tok in doc:
        head = next((h for h in heads if tok.text.endswith(h) or text[: tok.idx + len(tok.text)].endswith(h)), None)
        if head is None:
            continue
        end = tok.idx + len(tok.text)
        if any(s <= tok.idx < e for s, e in taken):
            continue
        nxt = tok.nbor(1) if tok.i + 1 < len(doc) else None
        if nxt is not None and nxt.idx == end and nxt.pos_ in {"NOUN", "PROPN"}:
            continue
        # extend left over the noun compound
        i = tok.i
        while i > 0:
            prev = doc[i - 1]
            if prev.idx + len(prev.text) != doc[i].idx:
                break
            if prev.pos_ in {"NOUN", "PROPN", "NUM"} or prev.text in {"・", "－", "-", "+", "＋"}:
                i -= 1
                continue
            break
        start = doc[i].idx
        while start < end and text[start] in "・－-+＋":
            start += 1
        lead = _NAMED_PREFIX.search(text[:start])
        if lead is not None:
            start = lead.start()  # 「中央アジア+日本」対話(CA+JAD)東京イニシアティブ
        label = text[start:end]
        if label in heads or len(label) <= len(head) + 1:
            continue
        abbr_m = _ABBR_AFTER.match(text[end:])
        abbr = abbr_m.group(1) if abbr_m else None
        if text[end:].startswith("「"):
            continue  # 研修プログラム「…」: the quoted name is the program
        place_named = any("地名" in t.tag_ for t in doc[i : tok.i + 1])
        anchored = (bool(country_hits(ctx, label)) or place_named) and head in _NAMED_HEADS
        if not ((abbr and head in (*_NAMED_HEADS, "制度")) or anchored):
            continue
        out.append((start, end + (abbr_m.end() if abbr_m else 0), label, abbr))
    return out


_CELL_NOTE = re.compile(r"\s*\([^()]{1,12}\)\s*$")


def _table_cells(passage, heads) -> list[tuple[int, int, str, str | None]]:
    """A table cell that ends in a program head names a program (案件名 columns of ODA tables)."""
    if passage.kind != "table_row":
        return []
    out = []
    pos = 0
    for cell in passage.text.split("\t"):
        start, pos = pos, pos + len(cell) + 1
        name = _CELL_NOTE.sub("", cell).strip()
        if 4 <= len(name) <= 40 and any(name.endswith(h) for h in _NAMED_HEADS) and "。" not in name:
            out.append((start, start + len(name), name, None))
    return out


def _abbreviated_alias(label: str) -> str | None:
    """「中央アジア+日本」対話(CA+JAD)東京イニシアティブ → CA+JAD東京イニシアティブ."""
    m = _ABBR_IN.search(label)
    if m is None or m.end() == len(label):
        return None
    return m.group(1) + label[m.end():]


def find_programs(ctx: DocContext) -> list[Program]:
    principals = principal_countries(ctx)
    found: OrderedDict[str, Program] = OrderedDict()
    alias_key: dict[str, str] = {}
    for passage, doc in ctx.body():
        if passage.kind == "title":
            continue
        orgs = org_hits(ctx, passage, doc)
        countries = country_hits(ctx, passage.text)
        for start, end, label, abbr in _candidates(ctx, passage, doc):
            if any(o.start <= start and start + len(label) <= o.end for o in orgs if o.gazetteer_name):
                continue  # 国連開発計画（UNDP） is a body, not a plan
            s0, s1 = sentence_bounds(passage.text, start)
            sentence = passage.text[s0:s1]
            participants = [c.iso3 for c in countries if s0 <= c.start < s1 and not (start <= c.start < end)]
            if collective_subject(sentence) or not participants:
                participants = [*principals, *participants]
            implementers = [
                o.key for o in orgs
                if s0 <= o.start < s1 and (_AGENT.match(passage.text[o.end:]) or o.end <= start and start - o.end <= 2)
            ]
            key = alias_key.get(make_key(label)) or program_key(label)
            mention = ctx.mention(passage, start, end)
            prev = found.get(key)
            aliases = tuple(a for a in (abbr, _abbreviated_alias(label)) if a)
            if prev is None:
                found[key] = Program(key, label, aliases, tuple(dict.fromkeys(participants)),
                                     tuple(dict.fromkeys(implementers)), (passage.index,), (mention,))
            else:
                found[key] = Program(
                    key, prev.label, tuple(dict.fromkeys((*prev.aliases, *aliases))),
                    tuple(dict.fromkeys((*prev.participants, *participants))),
                    tuple(dict.fromkeys((*prev.implemented_by, *implementers))),
                    tuple(dict.fromkeys((*prev.passages, passage.index))), (*prev.mentions, mention),
                )
            for a in aliases:
                alias_key.setdefault(make_key(a), key)
    return _bare_alias_mentions(ctx, list(found.values()))


def _bare_alias_mentions(ctx: DocContext, programs: list[Program]) -> list[Program]:
    """JDS奨学生, JCMの実施: a program's abbreviation used alone is a mention of it."""
    out = []
    for p in programs:
        mentions = list(p.mentions)
        for alias in p.aliases:
            rx = re.compile(rf"(?<![A-Za-z]){re.escape(alias)}(?![A-Za-z])")
            for passage in ctx.passages:
                for m in rx.finditer(passage.text):
                    mention = ctx.mention(passage, m.start(), m.end())
                    if any(x.start <= mention.start < x.end for x in mentions):
                        continue
                    mentions.append(mention)
        out.append(Program(p.key, p.label, p.aliases, p.participants, p.implemented_by,
                           p.passages, tuple(mentions)))
    return out
