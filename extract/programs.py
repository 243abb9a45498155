"""Programs and initiatives: named projects, schemes, frameworks, movements, routes.

Forms headed by a word of ``data/lexicon/programs.tsv`` (計画, 事業, プロジェクト, オペレーション,
プログラム, 運動, イニシアティブ, 構想, 政策, 制度, 枠組み, ルート, 日本年 …):

* a name in 「」 that ends in a head (「国際幹線道路改善計画」) or is followed by one
  (「一村一品」運動, 「MIRA」プログラム), or that follows one (研修プログラム「…」);
* a name with an abbreviation in parentheses (人材育成奨学計画（JDS）);
* a compound that ends in a head and carries a proper name: katakana, Latin letters or a
  country (ビシュケク・オシュ道路改修事業, 日本・中央アジアAI協力パートナーシップ);
* a dialogue of Japan and named partners held in numbered sessions (第1回日X協力対話 → 日X協力対話;
  rule DIALOGUE_SERIES of ``data/patterns/programs.json``);
* a compound ending in 構想 (a named initiative: 港湾開発構想), and the well-known programmes,
  policies and agendas of ``data/gazetteer/programs.tsv`` (2030アジェンダ, 東方政策).

A quoted project keeps its phase (「…発電計画(第八期)」); an English title in brackets
(「…計画(Project for …)」) becomes an alias. A quotation followed by its signing (「…協力プログラム」
が署名された) is an instrument, and a head inside a longer quotation is part of that name.
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

from .context import KATAKANA, DocContext, quote_spans, sentence_bounds
from .countries import country_hits
from .facts import Program, make_key
from .lexicon import program_heads
from .organizations import org_hits
from .patterns import matches
from .principals import collective_subject, principal_countries
from .resources import data_dir

__all__ = ["find_programs", "known_programs", "program_key"]

_DATA = data_dir() / "gazetteer"

_QUOTED = re.compile(r"「([^「」]{2,120})」")
# the English title a Japanese ODA document gives in brackets: an alias, not part of the name
_ENGLISH_IN = re.compile(r"\s*[(（]([A-Za-z][A-Za-z0-9\s,.'’\-–&/]{12,})[)）]\s*$")
# a project's phase or tranche, written after its name: (第八期), (フェーズ2), (II)
_PHASE = re.compile(r"\s*[(（](?:第[0-9一二三四五六七八九十]+(?:期|次|フェーズ)|フェーズ\s*[0-9IVX]+|[IVX]+)[)）]\s*$")
_ABBR_IN = re.compile(r"\(([A-Za-z][A-Za-z0-9+\-]{1,12})\)")
# a short note in brackets after a project's name: (1号線), (II期), (地方部)
_NOTE = re.compile(r"\s*[(（][^()（）A-Za-z]{1,8}[)）]\s*$")
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
    core = _ENGLISH_IN.sub("", name)
    while _PHASE.search(core) or _NOTE.search(core):
        core = _NOTE.sub("", _PHASE.sub("", core))  # (1号線)(第四期): notes after the name
    core = re.sub(r"[\d－\-~〜]+$", "", _ABBR_IN.sub("", core)).rstrip()
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
    """(start, end, label, abbreviation) of program names in one passage (read once per parse
    and kind of passage)."""
    return list(ctx.cached(("program_candidates", doc, passage.kind), _read_candidates, ctx, passage, doc))


def _read_candidates(ctx: DocContext, passage, doc) -> list[tuple[int, int, str, str | None]]:
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
        if _signed_after(after):
            continue  # 「…協力プログラム」が署名された: a signed instrument (an agreement), not a programme
        english = _ENGLISH_IN.search(inner)
        if english is not None:
            inner = inner[: english.start()]
        abbr_m = _ABBR_IN.search(inner)
        abbr = abbr_m.group(1) if abbr_m else (english.group(1) if english else None)
        label = _ABBR_IN.sub("", inner).strip()
        if abbr is None:
            after_m = _ABBR_AFTER.match(after)
            abbr = after_m.group(1) if after_m else None
        out.append((m.start(), m.end(), label, abbr))
    for k in (*_known(text), *_table_cells(passage, heads)):
        if all(k[1] <= s or k[0] >= e for s, e, _, _ in out):
            out.append(k)
    taken = [(s, e) for s, e, _, _ in out]
    taken += quote_spans(text)  # a head inside a quotation is part of the quoted name
    out += _dialogues(ctx, doc, text, taken)
    for tok in doc:
        upto = tok.idx + len(tok.text)
        head = next((h for h in heads if tok.text.endswith(h) or text.endswith(h, 0, upto)), None)
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
        # 港湾開発構想: a 構想 is a named initiative once a noun says what it is about
        conceived = head == "構想" and tok.i - i >= 1 and len(label) >= 5 and not _GENERIC_LEAD.match(label)
        if not ((abbr and head in (*_NAMED_HEADS, "制度")) or anchored or conceived
                or _coordinated(text, start, end, head, out)):
            continue
        out.append((start, end + (abbr_m.end() if abbr_m else 0), label, abbr))
    return out


_AND = re.compile(r"^(?:と|及び|並びに|や|、|・)$")


def _coordinated(text: str, start: int, end: int, head: str, found) -> bool:
    """特定技能制度と|育成就労制度: a compound with the same head as a programme it is coordinated
    with (と, 及び, や, 、) is a programme of the same kind."""
    for s, e, label, _ in found:
        if not label.endswith(head):
            continue
        if e <= start and _AND.match(text[e:start]) or end <= s and _AND.match(text[end:s]):
            return True
    return False


_CELL_NOTE = re.compile(r"\s*\([^()]{1,12}\)\s*$")
_GENERIC_LEAD = re.compile(r"^(?:同|本|新|各|全体|基本|今回|上記)")


# words that only grade a relationship: 戦略的パートナーシップ, 包括的・戦略的パートナーシップ
_LEVEL = re.compile(
    r"(?:(?:特別|特別な|包括的な?|戦略的な?|グローバルな?|全面的な?|互恵的な?|友好|友好的な?|協力|緊密な?|新たな|"
    r"拡大された|強化された|総合的な?|未来志向の?|長期的な?|広範な?|深化した|重層的な?|パートナー)[・の]?)+"
    r"(?:パートナーシップ|関係)"
)


def _relationship_level(ctx: DocContext, label: str) -> bool:
    """日チリ戦略的パートナーシップ, 「包括的・戦略的パートナーシップ」: the countries and grading
    words alone, a relationship level (the gold's ``partnerships``), not a programme."""
    if not label.endswith(("パートナーシップ", "関係")):
        return False
    core = label
    for hit in sorted(country_hits(ctx, label), key=lambda h: -h.start):
        core = core[: hit.start] + core[hit.end :]
    core = re.sub(r"^(?:日本国?|日)?・?", "", core)  # what remains of 日チリ…, 日本・チリ…
    return bool(_LEVEL.fullmatch(core.lstrip("・間の")))


def _signed_after(after: str) -> bool:
    """The quotation is followed by its signing: (が|に|の|を)?署名 / 締結 / 調印."""
    return bool(re.match(r"^(?:が|に|の|を|への)?(?:署名|締結|調印)", after))


def _dialogues(ctx: DocContext, doc, text: str, taken) -> list[tuple[int, int, str, str | None]]:
    """第1回日・北欧協力対話 (rule DIALOGUE_SERIES of ``data/patterns/programs.json``): a dialogue
    between Japan and named partners that holds numbered sessions is a standing framework (a
    programme); the numbered session itself is a meeting (not ours)."""
    out: list[tuple[int, int, str, str | None]] = []
    for span in matches(doc, "programs", "DIALOGUE_SERIES"):
        end = span.end_char
        number = re.match(r"第[0-9０-９一二三四五六七八九十]*回?", text[span.start_char : end])
        start = span.start_char + (number.end() if number else 0)
        if any(s <= start < e for s, e in taken) or any(s <= start < e for s, e, _, _ in out):
            continue
        label = text[start:end]
        japan_and = re.match(rf"^日・?[{KATAKANA}]", label)  # 日バルト, 日・カリブ: Japan and a named partner
        if len(label) <= 3 or not (country_hits(ctx, label) or japan_and):
            continue
        out = [o for o in out if not (o[0] >= start and o[1] <= end)]
        out.append((start, end, label, None))
    return out


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
            if _relationship_level(ctx, label):
                continue  # 日X戦略的パートナーシップ: a partnership level, not a programme
            s0, s1 = sentence_bounds(passage.text, start)
            sentence = passage.text[s0:s1]
            participants = [c.iso3 for c in countries if s0 <= c.start < s1 and not (start <= c.start < end)]
            if collective_subject(sentence) or not participants:
                participants = [*principals, *participants]
            if len(principals) == 1 and principals[0] != "JPN" and "JPN" not in participants:
                participants.append("JPN")  # a Japanese document about one partner: Japan takes part
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
        taken = ctx.span_index((x.start, x.end) for x in mentions)
        for alias in p.aliases:
            rx = re.compile(rf"(?<![A-Za-z]){re.escape(alias)}(?![A-Za-z])")
            for passage in ctx.passages_matching(rx):
                for m in rx.finditer(passage.text):
                    mention = ctx.mention(passage, m.start(), m.end())
                    if taken.covers(mention.start):
                        continue
                    mentions.append(mention)
                    taken.add(mention.start, mention.end)
        out.append(Program(p.key, p.label, p.aliases, p.participants, p.implemented_by,
                           p.passages, tuple(mentions)))
    return out
