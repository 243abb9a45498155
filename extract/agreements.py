"""Agreements: instruments that are signed, exchanged, adopted or issued.

An instrument is a noun phrase headed by a word of ``data/lexicon/instruments.tsv`` (協力覚書,
交換公文, 口上書, 協定, 行動計画 …) that is

* the object or subject of a signing, exchange or adoption word (署名, 締結, 交換, 採択) in the
  dependency parse, or
* named as between two parties (日本国政府とXとの間の協定) — a concrete instrument.

Parties are the countries and organizations named in the phrase or, failing that, in the
sentence; failing that, the document's principals when 両首脳 / 双方 act. The date is the date
closest to the signing word outside the phrase; the place is X で / において / にて.
The document itself is an agreement when it is a joint statement or a declaration.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from .context import DocContext, HeadHit, head_hits, sentence_bounds
from .countries import country_hits
from .facts import Agreement, DateValue, Mention, make_key
from .lexicon import instrument_heads, triggers
from .organizations import org_hits
from .places import place_of
from .principals import collective_subject, principal_countries, side_country

__all__ = ["find_agreements", "instrument_key"]

_BETWEEN = re.compile(r"(?:と|及び)(?:の)?(?:間|間の)|間の|との")
_OTHER_EVENT = re.compile(r"開催|行われ|会合|対話|会談|訪問|(?<!おい)(?<!に)て、|(?:り|し|ており|であり)、")
_DEMONSTRATIVE = re.compile(r"^(?:この|その|これらの|同|本|当該|上記の?|前記の?|今回の|次の)")
_DOC_KINDS = {"joint_statement": "joint_statement", "declaration": "declaration"}


def _generic(label: str, heads) -> bool:
    """交換公文, 二国間協力覚書, 関連協定: a head with at most a generic modifier names nothing."""
    core = re.sub(r"^(?:両国間の?|二国間の?|両国の|関連する|関連|各種|新たな|新しい)", "", label)
    return any(core == h or core == "協力" + h for h, _ in heads)


def instrument_key(label: str) -> str:
    return make_key(label)


def _signed(hit: HeadHit, sign_words: tuple[str, ...]) -> bool:
    """The head is tied to a signing word: its governor, a child, or the governor's governor."""
    if any(w in hit.word for w in sign_words):
        return True  # 書簡の交換, 口上書の交換: the head names the act
    tok = hit.token
    near = [tok.head, tok.head.head, *tok.children, *(c for ch in tok.children for c in ch.children)]
    for t in near:
        if t.i == tok.i:
            continue
        if any(t.text.startswith(w) or t.lemma_.startswith(w) for w in sign_words):
            return True
    # 署名・交換, 交換公文の署名: the signing word right after the phrase
    after = hit.token.doc.text[hit.end : hit.end + 8]
    return bool(re.match(rf"^(?:の|が|に|を|へ|への)?(?:{'|'.join(sign_words)})", after))


def find_agreements(ctx: DocContext) -> list[Agreement]:
    sign_words = triggers("sign") + triggers("exchange") + triggers("adopt")
    heads = instrument_heads()
    principals = principal_countries(ctx)
    found: OrderedDict[str, Agreement] = OrderedDict()
    for passage, doc in ctx.body():
        if passage.kind in {"title", "heading"}:
            continue
        hits = head_hits(passage, doc, heads)
        for hit in hits:
            if _DEMONSTRATIVE.match(hit.label) or _generic(hit.label, heads):
                continue
            if any(o is not hit and o.start <= hit.start and hit.end < o.end for o in hits):
                continue  # 円借款 inside …円借款に関する交換公文: part of a longer instrument's name
            between = bool(_BETWEEN.search(hit.label))
            if not (_signed(hit, sign_words) or between):
                continue
            s0, s1 = sentence_bounds(passage.text, hit.start)
            sentence = passage.text[s0:s1]
            parties = _parties(ctx, passage, doc, hit, s0, principals, sentence)
            date = _date_near(ctx, passage, hit, s0, s1)
            place = place_of(ctx, passage, doc, s0, s1)
            key = instrument_key(hit.label)
            mention = ctx.mention(passage, hit.start, hit.end)
            prev = found.get(key)
            if prev is None:
                found[key] = Agreement(
                    key=key,
                    label=hit.label,
                    agreement_type=hit.value,
                    parties=parties,
                    date=date,
                    place=make_key(place.name) if place else None,
                    passages=(passage.index,),
                    mentions=(mention,),
                )
            else:
                found[key] = _merge(prev, parties, date, make_key(place.name) if place else None, passage.index, mention)
    for agreement in _table_agreements(ctx, heads, sign_words, principals):
        if agreement.key not in found:
            found[agreement.key] = agreement
    own = _document_itself(ctx, principals)
    if own is not None and own.key not in found:
        found[own.key] = own
    return list(found.values())


_CELL_NOTE = re.compile(r"\s*\((?!\d+\))[^()]{1,12}\)\s*$")


def _table_agreements(ctx: DocContext, heads, sign_words, principals) -> list[Agreement]:
    """A table whose header names an instrument and its signing (交換公文署名, 協定締結日) lists one
    instrument per row: the row's name cell, the instrument, the date in that column."""
    out: list[Agreement] = []
    header: list[str] | None = None
    column = head_word = head_type = None
    for passage in ctx.passages:
        if passage.kind != "table_row":
            header = None
            continue
        cells = passage.text.split("\t")
        if header is None and not ctx.dates_in(passage) and all(len(c) <= 12 for c in cells):
            for i, cell in enumerate(cells):
                hit = next(((h, t) for h, t in heads if h in cell), None)
                if hit and any(w in cell for w in sign_words):
                    header, column, (head_word, head_type) = cells, i, hit
                    break
            if header is not None:
                continue
        if header is None or column is None or len(cells) <= column:
            continue
        name = _CELL_NOTE.sub("", cells[0]).strip()
        if not name or name == cells[column]:
            continue
        offset = sum(len(c) + 1 for c in cells[:column])
        dates = [d for d in ctx.dates_in(passage) if d.start >= offset]
        label = f"{name}の{head_word}"
        out.append(Agreement(
            key=instrument_key(label), label=label, agreement_type=head_type, parties=principals,
            date=dates[0].value if dates else None, passages=(passage.index,),
            mentions=(ctx.mention(passage, 0, len(cells[0])),),
        ))
    return out


def _parties(ctx, passage, doc, hit: HeadHit, s0: int, principals, sentence: str) -> tuple[str, ...]:
    parties: list[str] = []
    orgs = [o for o in org_hits(ctx, passage, doc) if s0 <= o.start < hit.end]
    countries = [c for c in country_hits(ctx, passage.text) if s0 <= c.start < hit.end]
    in_phrase_orgs = [o for o in orgs if o.start >= hit.start]
    in_phrase_countries = [c for c in countries if c.start >= hit.start]
    use_orgs = in_phrase_orgs or orgs
    use_countries = in_phrase_countries or countries
    for o in use_orgs:
        if o.country and o.country not in parties:
            parties.append(o.country)
    for c in use_countries:
        if c.iso3 not in parties and not any(o.start <= c.start < o.end for o in use_orgs if o.country):
            parties.append(c.iso3)
    for o in use_orgs:
        if o.key not in parties:
            parties.append(o.key)
    if not any(len(p) == 3 and p.isupper() for p in parties):
        side = side_country(ctx, sentence)
        if collective_subject(sentence) or side or not parties:
            # 両首脳は…署名を歓迎した, or no party named at all: the document's principals
            parties = [*principals, *parties]
    return tuple(dict.fromkeys(parties))


def _date_near(ctx: DocContext, passage, hit: HeadHit, s0: int, s1: int) -> DateValue | None:
    """The date closest to the phrase in its sentence, outside the phrase itself."""
    best = None
    best_dist = None
    text = passage.text
    for d in ctx.dates_in(passage, s0, s1):
        if hit.start <= d.start < hit.end:
            continue  # part of the name (2023年から2025年までの協力プログラム)
        between = text[d.end : hit.start] if d.end <= hit.start else text[hit.end : d.start]
        if _OTHER_EVENT.search(between):
            continue
        signed_then = re.match(r"^(?:に|、)?(?:署名|締結|交換|採択|調印)", text[d.end:])
        in_brackets = re.fullmatch(r"の?(?:署名|締結|交換|採択|調印)[・署名交換]*[(（]", between)  # …の署名(令和5年3月)
        if d.start >= hit.end and not (signed_then or in_brackets):
            continue  # a later date belongs to the next clause (…に署名したこと、及び2025年9月に…開催)  # the date of another event (…に開催された対話の成果として…覚書に署名)
        dist = hit.start - d.end if d.end <= hit.start else d.start - hit.end + 1000
        if best_dist is None or dist < best_dist:
            best, best_dist = d, dist
    return best.value if best else None


def _merge(prev: Agreement, parties, date, place, index: int, mention: Mention) -> Agreement:
    return Agreement(
        key=prev.key,
        label=prev.label,
        agreement_type=prev.agreement_type,
        parties=tuple(dict.fromkeys((*prev.parties, *parties))),
        date=prev.date or date,
        place=prev.place or place,
        passages=tuple(dict.fromkeys((*prev.passages, index))),
        mentions=(*prev.mentions, mention),
    )


def _document_itself(ctx: DocContext, principals) -> Agreement | None:
    doc = ctx.document
    kind = _DOC_KINDS.get(doc.doc_type)
    if kind is None or not doc.title:
        return None
    title_passages = [p for p in ctx.passages if p.kind == "title"] or list(ctx.passages[:1])
    mentions = tuple(ctx.mention(p, 0, len(p.text)) for p in title_passages)
    return Agreement(
        key=instrument_key(doc.title),
        label=doc.title,
        agreement_type=kind,
        parties=principals,
        date=doc.date,
        place=make_key(doc.place) if doc.place else None,
        passages=tuple(p.index for p in title_passages),
        mentions=mentions,
    )
