"""Visits: a named person travelling to a country.

A visit word (訪問, 公式訪問, 訪日, 来日, 歴訪, 訪れる, and 訪 + a one-kanji country abbreviation:
訪米) with

* a visitor, read from the role a phrase plays around the visit word in GiNZA's parse (the
  patterns of ``data/patterns/visits.json``):

  - DURING: the noun that 訪日中の / 訪問中の modifies (「訪日中のX首相」, 「パリを訪問中のX総理」);
  - SUBJECT: the subject of the visit verb (「X大統領が来日した」);
  - MODIFIED: the noun the visit clause modifies (「来日したX外相」);
  - POSSESSOR: the noun joined to the visit noun by の (「X首相の訪日」), or to the frame noun
    it is compounded into (FRAME_POSSESSOR: 「X総理のチリ訪問以来」);
  - SPEECH: for a visit with none of these inside what someone says, the speaker
    (「X総理から、昨年のY訪問を…述べた」);

  and when the parse gives no role, the person named closest before the visit word in the
  sentence, who is not the inviter (X の招聘を受け / X に対し);
* a destination: 訪日 / 来日 → Japan; a country or a known place that is the object or part
  of the compound of the visit word (「エストニアを訪問」, 「パリ訪問」); else the country named
  closest before it that is not the visitor's own; a region with a count (中央アジア5か国,
  バルト三国) → its member states; with none, the country of the place where the document was
  issued;
* dates: only those of the visit's own clause (the parse subtree of the visit word, not
  crossing another event's verb) — a range (6月4日から8日, 12月12~17日) or a single date; in a
  table row, the row's year. A date the clause does not give is ``None``: 「…から約30分間、
  訪日中のX首相と会談した」 dates the talks, not the visit.

Invitations and plans (訪問するよう招待, 訪問の実現に関心, 訪問を予定, a visit dated after the
document: 来年の訪日, and then the undated mentions of the same visit, as in its heading) are not
visits, nor is a visit word that only describes the noun it is
compounded into (訪日外国人, 訪問団, the status 公式実務訪問賓客), nor a courtesy call (表敬訪問).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .context import DocContext, sentence_bounds
from .countries import country_hits
from .dates import DateMention
from .facts import DateValue, Visit, make_key
from .gazetteer import load_regions
from .patterns import dependency_matches
from .persons import PersonMention, person_mentions, roles_compatible
from .places import place_country

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["VisitRoles", "find_visits", "region_countries", "visit_dates", "visit_key", "visit_roles"]

_FAMILY = "visits"
_VISIT = re.compile(r"(?:公式|実務|非公式)?(?:訪問|訪日|来日|視察|歴訪)|訪れ(?=[たてまる])|訪(?=[米中韓露英仏独印豪加伊])")
_POSTED = re.compile(r"[駐在]$")
_NOT_DONE = re.compile(r"^(?:する|した|を|の|に|が|への)?(?:よう|ように|に招待|を招待|の招待|招待|の実現|を計画|予定|を期待|を要請|に招|の招聘|の招へい|招へい|招聘|に向け|の準備|を検討|の早期実現|が実現|を心待ち|を楽しみ|に意欲|への意欲|を希望|を調整|に期待|への期待)")
_PLANNED = re.compile(r"予定され(?:て)?(?:いる|た)?の?$|予定の$")
_DURING = re.compile(r"^中の")
_INVITER = re.compile(r"^(?:の招聘|の招待|に対し|から招待)")
# a date reached through another event's verb belongs to that event (2019年に署名された協定に基づき訪問)
_OTHER_EVENTS = ("署名", "締結", "開催", "行う", "会談", "採択", "発表", "合意", "出席", "参加", "設立", "発効")
# what joins the two ends of a written range: 6月4日(水曜日)から8日, 3月4日及び5日
_RANGE_JOIN = re.compile(r"\s*(?:[(（][^()（）]{0,12}[)）])?\s*(?:から|より|~|〜|～|－|-|–|及び|および|と)\s*")
# 12月12~17日: a day range after a month (the month is found as a date, the days are not)
_DAY_RANGE = re.compile(r"\s*(\d{1,2})\s*日?\s*[~〜～－\-–]\s*(\d{1,2})\s*日")


def visit_key(visitor: str, destination: str, start: DateValue | None) -> str:
    return make_key(f"{visitor}>{destination}>{start.year if start else ''}")


# --------------------------------------------------------------------------------------------
# Roles from the parse
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitRoles:
    """What the visit patterns found in one parsed passage, by token index.

    ``visitor``: visit token → the token of the phrase that names who travels (DURING, SUBJECT,
    POSSESSOR, FRAME_POSSESSOR, MODIFIED); ``speakers``: (verb of saying, speaker) token pairs
    (SPEECH).
    """

    visitor: dict[int, int]
    speakers: tuple[tuple[int, int], ...]
    during: frozenset[int] = frozenset()  # visit tokens of 訪日中の / 訪問中の
    strict: frozenset[int] = frozenset()  # visit tokens whose role names the traveller itself
    framed: frozenset[int] = frozenset()  # visit tokens compounded into a frame noun (訪問時)


def visit_roles(doc: Doc) -> VisitRoles:
    """Pair up the nodes the ``visits`` dependency patterns wrote into ``doc.spans``."""
    visitor: dict[int, int] = {}
    during = {s.start for s in dependency_matches(doc, _FAMILY, "DURING", "during")}
    for span in dependency_matches(doc, _FAMILY, "DURING", "visit"):
        tok = doc[span.start]
        if tok.head.i in during and tok.head.head.i != tok.head.i:
            visitor.setdefault(tok.i, tok.head.head.i)
    subjects = {s.start for s in dependency_matches(doc, _FAMILY, "SUBJECT", "visitor")}
    owners = {s.start for s in dependency_matches(doc, _FAMILY, "POSSESSOR", "visitor")}
    for label, found in (("SUBJECT", subjects), ("POSSESSOR", owners)):
        for span in dependency_matches(doc, _FAMILY, label, "visit"):
            tok = doc[span.start]
            # the closest one: 両首脳は、…に X総理が Y を訪問した際 has the topic as a second subject
            child = max((c for c in tok.children if c.i in found), key=lambda c: c.i, default=None)
            if child is not None:
                visitor.setdefault(tok.i, child.i)
    # X総理のチリ訪問以来: the possessor of the frame noun, the closest that is not a time word
    frame_owners = {s.start for s in dependency_matches(doc, _FAMILY, "FRAME_POSSESSOR", "visitor")}
    for span in dependency_matches(doc, _FAMILY, "FRAME_POSSESSOR", "visit"):
        tok = doc[span.start]
        owners_of_frame = [c for c in tok.head.children if c.i in frame_owners and c.i < tok.i and not _is_time_word(c)]
        if owners_of_frame and tok.i not in visitor:
            visitor[tok.i] = owners_of_frame[-1].i
    strict = set(visitor)  # DURING, SUBJECT, POSSESSOR: the role is who travels
    for span in dependency_matches(doc, _FAMILY, "MODIFIED", "visit"):
        tok = doc[span.start]
        visitor.setdefault(tok.i, tok.head.i)
    says = [doc[s.start] for s in dependency_matches(doc, _FAMILY, "SPEECH", "say")]
    speakers = {s.start for s in dependency_matches(doc, _FAMILY, "SPEECH", "speaker")}
    pairs = []
    for say in dict.fromkeys(says):
        for tok in say.subtree:
            if tok.i in speakers:
                pairs.append((say.i, tok.i))
    during_visits = frozenset(i for i in visitor if doc[i].head.i in during)
    framed = frozenset(s.start for s in dependency_matches(doc, _FAMILY, "FRAME", "visit"))
    return VisitRoles(visitor, tuple(pairs), during_visits, frozenset(strict), framed)


def _is_ancestor(anc: Token, tok: Token) -> bool:
    return any(a.i == anc.i for a in tok.ancestors)


def _speaker(doc: Doc, roles: VisitRoles, tok: Token) -> int | None:
    """The speaker of the closest verb of saying above ``tok``, named before it."""
    best: tuple[int, int] | None = None  # (depth of the verb above tok, speaker)
    depths = {a.i: n for n, a in enumerate(tok.ancestors)}
    for say, speaker in roles.speakers:
        if say not in depths or speaker >= tok.i or _is_ancestor(doc[speaker], tok):
            continue
        if best is None or depths[say] < best[0] or (depths[say] == best[0] and speaker > best[1]):
            best = (depths[say], speaker)
    return best[1] if best else None


def _mention_of(mentions: Iterable[PersonMention], passage, tok: Token) -> PersonMention | None:
    """The person mention whose text holds ``tok`` (the visitor's title or name), or holds the
    compound written right before it (X大統領|夫妻, X首相|一行)."""
    parts = [tok, *sorted((c for c in tok.children if c.dep_ == "compound" and c.i < tok.i), key=lambda c: -c.i)]
    for part in parts:
        for pm in mentions:
            start = pm.mention.start - passage.start
            end = pm.mention.end - passage.start
            if start <= part.idx < end:
                return pm
    return None


def _visit_token(doc: Doc, start: int, end: int) -> Token | None:
    """The token holding the last character of the visit word (訪問 in 公式訪問)."""
    for tok in doc:
        if tok.idx <= end - 1 < tok.idx + len(tok.text):
            return tok
        if tok.idx >= end:
            break
    return None


def _clause_head(tok: Token) -> Token:
    """The visit's own phrase: up through the compounds it is part of (訪日 → 中 in 訪日中)."""
    while tok.dep_ == "compound" and tok.head.i != tok.i:
        tok = tok.head
    return tok


# --------------------------------------------------------------------------------------------
# The family
# --------------------------------------------------------------------------------------------


def find_visits(ctx: DocContext, persons) -> list[Visit]:
    """``persons``: the document's person Entities (to map a mention to its resolved key)."""
    by_mention = {(m.start, m.end): p for p in persons for m in p.mentions}
    issued_in = _place_country(ctx)
    found: OrderedDict[str, Visit] = OrderedDict()
    ongoing_keys: set[str] = set()  # visits reported as going on (訪日中の): the document's own
    planned: set[tuple[str, str]] = set()  # (visitor, destination) of visits dated after the document
    earlier = _Antecedents()  # the person mentions of the passages before
    for passage, doc in ctx.body():
        mentions = person_mentions(ctx, passage, doc)
        roles = ctx.cached(("visit_roles", doc), visit_roles, doc)
        for m in _VISIT.finditer(passage.text):
            if _NOT_DONE.match(passage.text[m.end():]) or _PLANNED.search(passage.text[max(0, m.start() - 16) : m.start()]):
                continue
            tok = _visit_token(doc, m.start(), m.end())
            if tok is not None and tok.dep_ == "compound" and tok.head.i > tok.i and tok.i not in roles.framed:
                continue  # 訪日外国人, 訪問団, 公式実務訪問賓客: the word only describes a noun
            if tok is not None and any(c.dep_ == "compound" and c.lemma_ == "表敬" for c in tok.children):
                continue  # 表敬訪問: a courtesy call on a person (a meeting), not travel to a country
            s0, s1 = sentence_bounds(passage.text, m.start())
            visitor = _grammar_visitor(doc, roles, mentions, passage, tok)
            if visitor is False:
                # 同大統領は…訪日した: the person last named with that title
                visitor = earlier.find(mentions, passage, _anaphor(doc, roles, tok), m.start())
                if visitor is None:
                    continue  # the parse names a visitor who is not a person we know
            if visitor is None:
                visitor = (_visitor_aside(mentions, passage, m.start()) or _visitor(mentions, passage, m.start(), s0)
                           or _visitor_after(mentions, passage, m))
            if visitor is None:
                continue
            person = by_mention.get((visitor.mention.start, visitor.mention.end))
            if person is None:
                continue
            start, end = _dates(ctx, passage, doc, tok, s0, s1)
            dests = _grammar_destinations(ctx, doc, m, tok) or _destinations(ctx, passage, m, s0, visitor, issued_in)
            if _after_document(ctx, start):
                planned.update((person.key, d) for d in dests)  # 来年の訪日に意欲: a plan
                continue
            for destination in dests:
                if destination == person.country:
                    continue
                ongoing = (tok is not None and tok.i in roles.during) or passage.text.startswith("中", m.end())
                _add(found, ongoing_keys, ctx, passage, m, person, destination, start, end, ongoing)
        earlier.extend(mentions)
    # a heading 「X大統領の訪日」 over a text that dates the visit after the document announces a
    # plan: the undated mentions of that visitor are the plan too, unless the visit is going on
    return [v for v in found.values()
            if not ((v.visitor, v.destination) in planned and v.start is None and v.key not in ongoing_keys)]


def _grammar_visitor(doc: Doc, roles: VisitRoles, mentions, passage, tok: Token | None) -> PersonMention | bool | None:
    """The visitor the parse names: a person mention, ``False`` for a role that is no known
    person (訪日中の一行), ``None`` when the parse gives no role."""
    if tok is None:
        return None
    role = roles.visitor.get(tok.i)
    if role is None and tok.dep_ == "compound":
        role = roles.visitor.get(tok.head.i)  # 公式 + 訪問: the roles hang on the head word
    if role is not None:
        pm = _mention_of(mentions, passage, doc[role])
        if pm is None:
            # X外相の5年ぶりの来日: the possessor of the modifier that the parse put in between
            owner = next((c for c in doc[role].children if c.dep_ == "nmod"
                          and any(g.dep_ == "case" and g.lemma_ == "の" for g in c.children)), None)
            pm = _mention_of(mentions, passage, owner) if owner is not None else None
        if pm is None and (tok.i in roles.during or (tok.i in roles.strict and not _is_time_word(doc[role]))):
            return False  # 訪日中の一行, 使節団の訪問: the parse names who travels, and it is no person we know
        if pm is not None:
            return pm
    speaker = _speaker(doc, roles, tok)
    if speaker is not None:
        return _mention_of(mentions, passage, doc[speaker])
    return None


def _anaphor(doc: Doc, roles: VisitRoles, tok: Token | None) -> str | None:
    """The title of a visitor written 同 + TITLE (同大統領, 同首相), else ``None``."""
    role = roles.visitor.get(tok.i) if tok is not None else None
    if role is None:
        return None
    head = doc[role]
    if not any(c.dep_ == "compound" and c.lemma_ == "同" for c in head.children):
        return None
    titles = [s for s in doc.spans.get("bkg", ()) if s.label_ == "TITLE" and s.start <= head.i < s.end]
    return titles[0].text if titles else None


class _Antecedents:
    """The person mentions of the passages read so far, for :func:`_antecedent` over them and
    the current passage's without scanning them all: a long document has thousands, but few
    roles, and for each role only its latest mention can be the antecedent."""

    def __init__(self) -> None:
        self.mentions: list[PersonMention] = []
        self._latest: dict[str, tuple[int, int]] = {}  # role -> (start, position) of its latest mention
        self._compatible: dict[tuple[str, str], bool] = {}

    def extend(self, mentions: Iterable[PersonMention]) -> None:
        for pm in mentions:
            position = len(self.mentions)
            self.mentions.append(pm)
            if pm.role:
                best = self._latest.get(pm.role)
                if best is None or pm.mention.start > best[0]:
                    self._latest[pm.role] = (pm.mention.start, position)

    def _fits(self, role: str, title: str) -> bool:
        key = (role, title)
        if key not in self._compatible:
            self._compatible[key] = roles_compatible(role, title)
        return self._compatible[key]

    def find(self, current: list[PersonMention], passage, title: str | None, pos: int) -> PersonMention | None:
        """``_antecedent([*self.mentions, *current], passage, title, pos)``."""
        if title is None:
            return None
        limit = passage.start + pos
        best: tuple[int, int] | None = None
        for role, (start, position) in self._latest.items():
            if not self._fits(role, title):
                continue
            if self.mentions[position].mention.end > limit:  # not an earlier passage's: ask them all
                return _antecedent([*self.mentions, *current], passage, title, pos)
            if best is None or start > best[0] or (start == best[0] and position < best[1]):
                best = (start, position)
        chosen = self.mentions[best[1]] if best is not None else None
        for pm in current:
            if (pm.mention.end <= limit and pm.role and self._fits(pm.role, title)
                    and (chosen is None or pm.mention.start > chosen.mention.start)):
                chosen = pm
        return chosen


def _antecedent(mentions: list[PersonMention], passage, title: str | None, pos: int) -> PersonMention | None:
    """The person named last before ``pos`` with a title compatible with ``title``."""
    if title is None:
        return None
    limit = passage.start + pos
    found = [pm for pm in mentions if pm.mention.end <= limit and pm.role and roles_compatible(pm.role, title)]
    return max(found, key=lambda pm: pm.mention.start, default=None)


# deictic and time words that modify a visit noun without naming who travels (今回の訪日)
_TIME_WORDS = frozenset({"今回", "前回", "今次", "初", "初めて", "最初", "先般", "先日", "当時", "同", "本",
                         "昨年", "本年", "今年", "先月", "前年", "翌年", "昨今", "今般"})


def _is_time_word(tok: Token) -> bool:
    """今回 / 3年ぶり / 2019年: a modifier that says when, not who."""
    return (tok.lemma_ in _TIME_WORDS or tok.ent_type_ in {"Date", "Period_Time", "Ordinal_Number", "Frequency"}
            or any(t.pos_ == "NUM" for t in tok.subtree))


def _add(found, ongoing_keys: set[str], ctx, passage, m, person, destination, start, end, ongoing: bool) -> None:
    """Record one visit, or add this mention to the same visit seen before."""
    key = visit_key(person.key, destination, start)
    mention = ctx.mention(passage, m.start(), m.end())
    prev = _same_visit(found, ongoing_keys, ctx, person.key, destination, start, ongoing)
    if prev is None:
        while key in found:
            key += "+"
        found[key] = Visit(key, person.key, person.country, destination, start, end, (passage.index,), (mention,))
        if ongoing:
            ongoing_keys.add(key)
        return
    found[prev.key] = Visit(
        prev.key, prev.visitor, prev.visitor_country, prev.destination,
        prev.start or start, prev.end or end,
        tuple(dict.fromkeys((*prev.passages, passage.index))), (*prev.mentions, mention),
    )
    if ongoing:
        ongoing_keys.add(prev.key)


def _after_document(ctx: DocContext, value: DateValue | None) -> bool:
    """True when ``value`` is later than the document's date, at the precision both give."""
    doc_date = ctx.document.date
    if value is None or doc_date is None:
        return False
    for a, b in ((value.year, doc_date.year), (value.month, doc_date.month), (value.day, doc_date.day)):
        if a is None or b is None:
            return False
        if a != b:
            return a > b
    return False


def _current(ctx: DocContext, value: DateValue | None) -> bool:
    """True unless ``value`` is clearly before the document (a visit of the document's own time)."""
    doc_date = ctx.document.date
    if value is None or doc_date is None:
        return True
    if value.year != doc_date.year:
        return value.year > doc_date.year
    if value.month is None or doc_date.month is None:
        return True
    return value.month >= doc_date.month - 1


def _same_visit(found, ongoing_keys: set[str], ctx, visitor: str, destination: str,
                start: DateValue | None, ongoing: bool) -> Visit | None:
    """The visit seen before that this one is: same visitor and destination, and the same year
    when both are dated; an undated mention is the same visit, except that a visit going on now
    (訪問中の) is not an earlier one (昨年1月以来となる…訪問)."""
    for v in found.values():
        if v.visitor != visitor or v.destination != destination:
            continue
        if v.start is not None and start is not None:
            if v.start.year == start.year:
                return v
            continue
        dated = v.start or start
        now = ongoing if v.start is not None else (v.key in ongoing_keys)
        if now and not _current(ctx, dated):
            continue
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


def _visitor_aside(mentions: list[PersonMention], passage, pos: int) -> PersonMention | None:
    """X外相(…に同行して来日中。): a visit in the aside written right after a person is theirs."""
    text = passage.text
    depth, i = 0, pos - 1
    while i >= 0:
        if text[i] in ")）":
            depth += 1
        elif text[i] in "(（":
            if depth == 0:
                return next((pm for pm in mentions if pm.mention.end - passage.start == i), None)
            depth -= 1
        elif text[i] == "。" and depth == 0 and i + 1 < len(text) and text[i + 1] not in ")）":
            return None
        i -= 1
    return None


def _visitor_after(mentions: list[PersonMention], passage, m: re.Match) -> PersonMention | None:
    """ニューヨークを訪問中の上川陽子外務大臣: the visitor named right after 訪問中の."""
    if not _DURING.match(passage.text[m.end():]):
        return None
    start = m.end() + 2
    return next((pm for pm in mentions if pm.mention.start - passage.start == start), None)


# --------------------------------------------------------------------------------------------
# Destinations
# --------------------------------------------------------------------------------------------


def _is_title(tok: Token) -> bool:
    """A title of office (首相, 大統領): a place joined to it names the person's country."""
    return any(s.start <= tok.i < s.end and s.label_ == "TITLE" for s in tok.doc.spans.get("bkg", ()))


def _bkg_country(doc: Doc, tok: Token) -> str | None:
    """ISO3 of the country or known place our gazetteer found at ``tok``."""
    group = doc.spans.get("bkg", ())
    for span in group:
        if span.start <= tok.i < span.end and span.label_ in {"COUNTRY", "PLACE"} and span.kb_id_:
            return span.kb_id_
    return None


def _grammar_destinations(ctx: DocContext, doc: Doc, m: re.Match, tok: Token | None) -> list[str]:
    """The places the parse attaches to the visit word: the countries and known places in the
    phrase that is its object (エストニアを訪問, A及びBを訪問) or the compound it ends (パリ訪問),
    and the members of a region counted there (中央アジア5か国, バルト三国)."""
    word = m.group()
    if word.endswith(("訪日", "来日")) or tok is None or word == "訪":
        return []
    out: list[str] = []
    children = list(tok.children)
    if tok.dep_ == "compound" and tok.head.i > tok.i:
        # ローマ訪問中: the parse may hang the place on the frame noun (中) instead
        children += [c for c in tok.head.children if c.dep_ == "compound" and c.i < tok.i]
    for child in children:
        if child.i > tok.i or not (child.dep_ in {"obj", "compound", "conj"} or _bare_nmod(child)):
            continue
        phrase = doc[child.left_edge.i : child.i + 1]
        for t in phrase:
            iso3 = _bkg_country(doc, t)
            if iso3 is not None and not _POSTED.search(doc.text[: t.idx]) and _part_of(t, child):
                out.append(iso3)
        out.extend(region_countries(ctx, phrase.text))
    if not out:
        # パリを訪問中の…: the object written right before the visit word, wherever the parse
        # hung it
        first = next((t for t in doc if t.idx == m.start()), tok)
        case = doc[first.i - 1] if first.i > 0 else None
        if case is not None and case.pos_ == "ADP" and case.lemma_ in {"を", "に"} and case.i > 0:
            iso3 = _bkg_country(doc, doc[case.i - 1])
            if iso3 is not None:
                out.append(iso3)
    return list(dict.fromkeys(out))


_JOINING_CASES = {"の", "と", "や"}


def _bare_nmod(tok: Token) -> bool:
    """A noun modifier without の: the first of coordinated places (イタリア及びフランス訪問)."""
    return tok.dep_ == "nmod" and not any(c.dep_ == "case" for c in tok.children)


def _part_of(tok: Token, head: Token) -> bool:
    """True when ``tok`` names (part of) the place ``head`` stands for: joined to it by の, と,
    及び or a compound, not by another case or a verb (ベルリン駐在からの帰途、ロシアを視察)."""
    node = tok
    while node.i != head.i:
        if node.pos_ in {"VERB", "AUX"} or _is_title(node) or any(
            c.dep_ == "case" and c.lemma_ not in _JOINING_CASES for c in node.children
        ):
            return False
        if node.head.i == node.i:
            return False
        node = node.head
    return True


def _destinations(ctx, passage, m: re.Match, s0: int, visitor: PersonMention, issued_in) -> list[str]:
    word = m.group()
    if word.endswith(("訪日", "来日")):
        return ["JPN"]
    if word == "訪":
        # 訪米 / 訪中: the one-kanji abbreviation, read as the gazetteer reads it in 日米 / 日中
        hits = country_hits(ctx, "日" + passage.text[m.end(): m.end() + 1])
        return [h.iso3 for h in hits if h.start == 1][:1]
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
    found += region_countries(ctx, text[max(v1, s0) : m.start()])
    if not found:
        # ニューヨークを訪問中の…: a known place names the country visited
        places = [c for p in _PLACE_BEFORE.finditer(text, s0, m.end()) if (c := _place_suffix(p.group(1)))]
        if places:
            found = [places[-1]]
    if not found and issued_in:
        found = [issued_in]
    return list(dict.fromkeys(found))


def _place_suffix(text: str) -> str | None:
    """The country of the known place that ``text`` ends with (出席するためパリ → FRA)."""
    for i in range(len(text) - 2, -1, -1):
        iso3 = place_country(text[i:])
        if iso3:
            return iso3
    return None


_PLACE_BEFORE = re.compile(r"([^\s、。をにでの]{2,12}?)(?:を|に)(?=(?:公式|実務)?(?:訪問|視察))")
_JOINED = re.compile(r"(?:(?:及び|と|、|・|並びに)[^。、]{0,20}?)*")
_REGION_COUNT = re.compile(r"(\S{2,8}?)(\d+|[一二三四五六七八九十]+)(?:[かカヶケ箇]国|国)")
_KANJI_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", start=1)}


def _count(text: str) -> int:
    """5 / 五 / 十五 as a number."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _KANJI_DIGITS.get(tens, 1) * 10 + _KANJI_DIGITS.get(ones, 0)
    return _KANJI_DIGITS.get(text, 0)


def region_countries(ctx, text: str, regions: dict[str, tuple[str, tuple[str, ...]]] | None = None) -> list[str]:
    """中央アジア5か国 / バルト三国 → the states of that region, when the count matches: the
    region's listed members (``members`` in regions.tsv) or else its UN sub-region.
    ``regions`` (name → (sub-region, members)) defaults to regions.tsv."""
    out: list[str] = []
    regions = load_regions() if regions is None else regions
    for m in _REGION_COUNT.finditer(text):
        name = next((r for r in regions if m.group(1).endswith(r)), None)
        if name is None:
            continue
        region, listed = regions[name]
        members = list(listed) or [c.iso3 for c in ctx.gazetteer.countries_in_region(region)]
        if len(members) == _count(m.group(2)):
            out.extend(members)
    return out


def _place_country(ctx: DocContext) -> str | None:
    return place_country(ctx.document.place) if ctx.document.place else None


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def _dates(ctx, passage, doc: Doc, tok: Token | None, s0: int, s1: int) -> tuple[DateValue | None, DateValue | None]:
    """The visit's dates: those of its clause in the sentence ``s0:s1``; in a table row, the row's."""
    dates = ctx.dates_in(passage, s0, s1)
    preferred = None
    if tok is not None:
        head = _clause_head(tok)
        dates = [d for d in dates if _in_clause(doc, d, head)]
        # a date hung on the visit word itself is its date (2019年の…合意に基づき、5月に訪問した)
        preferred = next((d for d in dates if _date_head(doc, d) is not None and _date_head(doc, d).head.i == head.i), None)
    if passage.kind == "table_row" and not dates:
        dates = ctx.dates_in(passage)
    return visit_dates(passage.text, dates, preferred)


def _date_head(doc: Doc, date: DateMention) -> Token | None:
    """The token of a date mention whose head lies outside it."""
    toks = [t for t in doc if date.start <= t.idx < date.end]
    return next((t for t in toks if not (date.start <= t.head.idx < date.end) or t.head.i == t.i), toks[-1] if toks else None)


def _in_clause(doc: Doc, date: DateMention, head: Token) -> bool:
    """True when ``date`` hangs in the subtree of ``head`` without crossing another event's verb,
    or is written right before the visit's phrase and joined to it by の (昨年1月のX総理のY訪問:
    the parse sometimes hangs such a leading date on a later noun)."""
    if doc.text[date.end : date.end + 1] == "の" and date.end + 1 == head.left_edge.idx:
        return True
    top = _date_head(doc, date)
    if top is None:
        return False
    node = top
    while node.i != head.i:
        if node.head.i == node.i:
            return False  # reached the root without meeting the visit's phrase
        node = node.head
        if node.i != head.i and node.pos_ == "VERB" and node.lemma_.startswith(_OTHER_EVENTS):
            return False
    return True


def visit_dates(text: str, dates: list[DateMention], preferred: DateMention | None = None) -> tuple[DateValue | None, DateValue | None]:
    """Start and end of a visit from the dates of its clause: ``preferred`` (the date hung on the
    visit word) or else the first in text order, with the date a range joins to it (から, ~, 及び:
    6月4日から8日) or its own range (12月12~17日)."""
    spans = _ranges(text, dates)
    if not spans:
        return None, None
    k = 0
    if preferred is not None:
        k = next((i for i, r in enumerate(spans) if r.start <= preferred.start < r.end), 0)
    date = spans[k]
    if date.end_value is not None:
        return date.value, date.end_value
    if k > 0 and _joined(text, spans[k - 1], date):
        return spans[k - 1].value, date.value
    if k + 1 < len(spans) and _joined(text, date, spans[k + 1]):
        return date.value, spans[k + 1].end_value or spans[k + 1].value
    return date.value, None


def _ranges(text: str, dates: list[DateMention]) -> list[DateMention]:
    """``dates`` in text order, a month followed by a day range (12月12~17日) made one range."""
    out: list[DateMention] = []
    for d in sorted(dates, key=lambda d: d.start):
        if out and d.start < out[-1].end:
            continue  # inside the range made just before
        v = d.value
        days = _DAY_RANGE.match(text, d.end) if v.month is not None and v.day is None else None
        if days:
            d = DateMention(d.start, days.end(), text[d.start : days.end()],
                            DateValue(v.year, v.month, int(days.group(1))),
                            DateValue(v.year, v.month, int(days.group(2))), d.relative)
        out.append(d)
    return out


def _joined(text: str, a: DateMention, b: DateMention) -> bool:
    """``a`` and ``b`` are the two ends of one written range."""
    return a.end_value is None and bool(_RANGE_JOIN.fullmatch(text[a.end : b.start])) and _before(a.value, b.value)


def _before(a: DateValue, b: DateValue) -> bool:
    key = lambda d: (d.year, d.month or 0, d.day or 0)
    return key(a) < key(b)
