"""Agreements: instruments that are signed, exchanged, adopted or issued.

An instrument is a noun phrase headed by a word of ``data/lexicon/instruments.tsv`` (協力覚書,
交換公文, 書簡, 口上書, 協定, 共同声明 …), or a name in 「」 that ends in one, that is

* an argument of a signing, exchange or issuing word (rules ``SIGNED`` and ``SIGN_CEREMONY`` of
  ``data/patterns/agreements.json``: …に署名した, 「…」を発出した, …の署名式が行われた), or
* named as between two parties (日本国政府とXとの間の協定) — a concrete instrument, or
* named in 「」 with a kind word of a formal text (条約, 協定, 共同声明, 覚書 …): signed now or
  referred to (the gold marks the latter ``referenced_only``).

Counts and pointers (二つの文書, 3件の覚書) name nothing: their members, named in 「」 in the next
sentence or linked to them in the parse, are the instruments. Aims (締結するよう, 締結交渉,
rule ``ASPIRATION``) are not instruments. The name is read leftwards from the head over the
written phrase (:func:`_walk_start`) when the parse's phrase is a bare head or ran over a clause.

Parties are the countries the name gives, with the signers when the clause names them (AとBが
…に署名した); else those of the sentence; an instrument with one of a bilateral document's two
principals gets the other (我が方 … 先方 …: Japan's side). The date is the one the parse attaches
to the signing clause, else a date opening the sentence, else the nearest one in the sentence;
a summary's undated report (両首脳は「…」を発出した) happened on the day of the summary. The place
is X で / において / にて. The document itself is an agreement when it is a joint statement or a
declaration. A 宣言 is typed ``declaration`` (the contract's ``bkg:Declaration``); the evaluation
counts it as the gold's ``joint_statement``, since ANNOTATION.md lists no declaration type.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from .context import DocContext, HeadHit, clean_label, quote_spans, sentence_bounds
from .countries import country_hits
from .english import with_english  # issue 13
from .facts import Agreement, DateValue, Mention, make_key
from .lexicon import instrument_heads, triggers
from .organizations import org_hits
from .patterns import dependency_matches, matches
from .places import place_of
from .principals import collective_subject, principal_countries, side_country

__all__ = ["find_agreements", "instrument_key"]

_BETWEEN = re.compile(r"(?:と|及び)(?:の)?(?:間|間の)|間の|との")
_OTHER_EVENT = re.compile(r"開催|行われ|会合|対話|会談|訪問|(?<!おい)(?<!に)て、|(?:り|し|ており|であり)、")
_DEMONSTRATIVE = re.compile(r"^(?:この|その|これらの|同|本|当該|上記の?|前記の?|今回の|次の)")
_DOC_KINDS = {"joint_statement": "joint_statement", "declaration": "declaration"}
# an aside that annotates a document link rather than naming it: (PDF), (仮訳/英文), (H.E. Mr. …)
_ANNOTATION_PAREN = re.compile(r"\s*[(（][^()（）]*(?:[A-Za-z]|仮訳|英文|英語|和文|骨子|概要|別ウィンドウ)[^()（）]*[)）]")
_ANNOTATION_TAIL = re.compile(r"(?:骨子|概要|仮訳|英文|和文|本文|全文|PDF|別ウィンドウで開く|[()（）/・\s])*")
_DATE_ONLY = re.compile(r"^[\d\s年月日()（）令和平成昭和元.\-/~〜曜火水木金土]+$")
# modifiers that only say who (両国の首脳間及び外相間の書簡): the phrase names no instrument
_ROLE_ONLY = re.compile(r"^(?:両国|二国間|両政府|両首脳|首脳|外相|大臣|閣僚|政府|外務省|間|の|及び|並びに|と|・)*$")
# 二つの文書, 3件の協定, 以下の文書: a count or a pointer, not a name
_COUNTED = re.compile(r"^(?:[一二三四五六七八九十\d]+(?:つ|件|本|通)の|以下の|次の|これらの)|(?:等|など)[一二三四五六七八九十\d]+(?:つ|件|本|通)の[^の]{1,6}$")
# a letter "on" something is an exchange of letters (…に関する書簡); between leaders it is "other"
_ABOUT = re.compile(r"(?:に関する|に係る|に関わる|についての)")


def _generic(label: str, heads) -> bool:
    """交換公文, 二国間協力覚書, 関連協定, 二つの文書: a head with at most a generic modifier
    (a count, a pointer, the roles of who signs) names nothing; nor does a date or an empty label."""
    if not label or _DATE_ONLY.match(label) or _COUNTED.search(label):
        return True
    core = re.sub(r"^(?:両国間の?|二国間の?|両国の|関連する|関連|各種|新たな|新しい)", "", label)
    for h, _ in heads:
        if core == h or core == "協力" + h:
            return True
        if core.endswith(h) and _ROLE_ONLY.match(core[: -len(h)]):
            return True
    return False


def _type_of(label: str, head_type: str, head: str) -> str:
    """The instrument's type: the head's, except that letters on a matter are an exchange."""
    if head == "書簡" and _ABOUT.search(label):
        return "exchange_of_notes"
    return head_type


def _clean_name(label: str) -> str:
    """Drop asides that annotate the document rather than name it: (PDF), (日本語仮訳/英語),
    the English of a Japanese name's speaker (H.E. Mr. …)."""
    return _ANNOTATION_PAREN.sub("", label).strip(" 、,")


def _token_at(doc, char: int):
    for tok in doc:
        if tok.idx <= char < tok.idx + len(tok.text):
            return tok
    return None


def _sign_of(doc, tok):
    """The signing / exchange / issuing word the instrument ``tok`` is an argument of
    (rules SIGNED and SIGN_CEREMONY of ``data/patterns/agreements.json``), or None.
    A coordinated instrument (Aの書簡及びBの書簡を交換) shares its partner's signing word."""
    signs = {t.start for t in dependency_matches(doc, "agreements", "SIGNED", "sign")}
    objects = {t.start for t in dependency_matches(doc, "agreements", "SIGNED", "instrument")}
    ceremonies = {t.start for t in dependency_matches(doc, "agreements", "SIGN_CEREMONY", "ceremony")}
    held = {t.start for t in dependency_matches(doc, "agreements", "SIGN_CEREMONY", "instrument")}
    seen = 0
    while tok is not None and seen < 4:
        if tok.i in objects and tok.head.i in signs:
            return tok.head
        if tok.i in held and tok.head.i in ceremonies:
            return tok.head
        later = _sign_later(doc, tok)
        if later is not None:
            return later
        nxt = tok.nbor(1) if tok.i + 1 < len(doc) else None
        depth = 0
        while nxt is not None and (depth or nxt.text in {"(", "（", "」", "』"}):
            depth += nxt.text in {"(", "（"}
            depth -= nxt.text in {")", "）"}
            nxt = nxt.nbor(1) if nxt.i + 1 < len(doc) else None  # 覚書(MOC)」及び: past asides
        if nxt is not None and nxt.lemma_ in {"及び", "並びに", "と", "・"}:
            # Aの書簡及びBの書簡を交換, 「A」及び「B」に署名: the partner is the next instrument
            later = doc[nxt.i + 1 :]
            partner = next((t for t in later if t.text == "。" or t.i in objects and t.head.i in signs
                            or t.i in held), None)
            if partner is None or partner.text == "。":
                partner = next((t for t in later if t.text == tok.text), None)
            if partner is None:
                return None
            tok, seen = partner, seen + 1
            continue
        if tok.dep_ != "conj" or tok.head.i == tok.i:
            return None
        tok, seen = tok.head, seen + 1
    return None


def _sign_lemmas() -> frozenset[str]:
    """署名, 締結, 交換, 発出 …: the sign, exchange and adopt words of ``data/lexicon/triggers.tsv``."""
    return frozenset(triggers("sign") + triggers("exchange") + triggers("adopt"))
_RENEWAL = {"更新", "改正", "改定"}  # a renewed or amended instrument is signed anew


def _sign_later(doc, tok):
    """When the parse is lost (long English asides): the instrument marked by を / に / が is
    the argument of the first verb of its clause if that verb is a signing word."""
    nxt = tok.nbor(1) if tok.i + 1 < len(doc) else None
    if nxt is not None and nxt.text in {"」", "』"}:
        nxt = nxt.nbor(1) if nxt.i + 1 < len(doc) else None
    if nxt is not None and nxt.lemma_ == "の" and nxt.i + 1 < len(doc):
        act = nxt.nbor(1)  # 「…取決め」の更新, …覚書の署名: the act named right after the instrument
        return act if act.lemma_ in _sign_lemmas() | _RENEWAL or act.text.startswith(tuple(_sign_lemmas() | _RENEWAL)) else None
    if nxt is None or nxt.lemma_ not in {"を", "に", "が"}:
        return None
    depth = 0
    for t in doc[nxt.i + 1 :]:
        depth += t.text in {"(", "（"}
        depth -= t.text in {")", "）"}
        if depth > 0:
            continue
        if t.text == "。":
            return None
        if t.lemma_ in _sign_lemmas() and t.pos_ == "VERB":
            return t
        if t.pos_ == "VERB" and t.dep_ != "fixed":
            return None
    return None


def _predicate(sign):
    """The clause the signing belongs to: 交換が行われた, 署名式を執り行った → the light verb;
    署名した → 署名. (署名を歓迎した: the signing itself, not the welcoming.)"""
    if sign.pos_ == "NOUN" and sign.dep_ in {"nsubj", "obj", "obl"} and sign.head.lemma_ in _LIGHT_VERBS:
        return sign.head
    return sign


def _aspiration(doc, sign) -> bool:
    """締結するよう / 締結を目指す: the instrument is an aim, not a signed text (rule ASPIRATION)."""
    return any(s.start <= sign.i < s.end for s in matches(doc, "agreements", "ASPIRATION"))


def _dep_date(ctx: DocContext, passage, doc, pred, s0: int, s1: int) -> DateValue | None:
    """A date of the sentence that the parse attaches to the signing clause itself."""
    for d in ctx.dates_in(passage, s0, s1):
        tok = _token_at(doc, d.start)
        for a in ([tok, *tok.ancestors] if tok is not None else []):
            if a.i == pred.i:
                return d.value
            if a.pos_ == "VERB" and a.dep_ not in {"fixed", "aux", "compound"}:
                break
    return None


_LIGHT_VERBS = {"行う", "行なう", "する", "実施", "執り行う", "とり行う", "立ち会う", "立会う", "出席"}
_OUR_SIDE = re.compile(r"我が方|我が国|日本側")
_BOTH = re.compile(r"両国|両政府|両首脳|双方")


def _reported_now(ctx: DocContext, pred, sign, s0: int, s1: int, passage) -> bool:
    """The text reports the signing as its own event (両首脳は…を発出した, …に署名しました) in a
    sentence without any date: it happened on the document's day."""
    if ctx.document.doc_type not in {"meeting_summary", "press_statement"} or ctx.dates_in(passage, s0, s1):
        return False
    if pred.dep_ in {"acl", "csubj", "ccomp"} or sign.pos_ == "NOUN" and pred is sign:
        return False  # 署名したこと / 署名を歓迎: a signing the text refers to, not one it reports
    return pred.pos_ == "VERB"


_CONNECTOR_VERBS = {"関する", "係る", "関わる", "対する", "おける", "基づく", "向ける", "通じる", "伴う"}


def _near_mention(ctx: DocContext, passage, value: DateValue, s0: int, s1: int):
    return next((d for d in ctx.dates_in(passage, s0, s1) if d.value == value), None)


def _in_own_clause(doc, mention, start: int) -> bool:
    """The date sits in a relative clause of its own (昨年派遣したミッション): it dates that clause."""
    if mention is None or mention.end > start:
        return False
    tok = _token_at(doc, mention.start)
    for a in ([tok, *tok.ancestors] if tok is not None else []):
        if a.pos_ == "VERB" and a.dep_ not in {"fixed", "compound"}:
            return a.dep_ == "acl" and a.lemma_ not in _sign_lemmas()
    return False


def _current_date(ctx: DocContext, passage) -> DateValue | None:
    """The day a summary's undated report happened on: the nearest date of an earlier body
    passage (17日、…は共同記者会見を行いました), else the document's date. A multi-day span (5日、6日両日)
    leaves the day open."""
    # (read as: is there an earlier body passage with a day's date and 両日 — asked of the first
    # such passage, found once per document, rather than of every earlier passage each time)
    first = ctx.cached("agreements.both_days", _first_both_days, ctx)
    if first is not None and first < passage.index:
        return None  # 5日、6日両日: which day is not said
    return ctx.document.date


def _first_both_days(ctx: DocContext) -> int | None:
    """The index of the first body passage that dates a day and says 両日 (``None``: none does)."""
    for earlier in ctx.passages:
        if earlier.kind in {"title", "metadata"}:
            continue
        dates = [d for d in ctx.dates_in(earlier) if d.value.day is not None]
        if dates and "両日" in earlier.text:
            return earlier.index
    return None


def _walk_start(doc, head, text: str) -> int:
    """Where the name that ends in ``head`` starts, read leftwards over the written phrase:
    nouns, の, descriptive connectors (に関する, のための), asides in brackets and a loan's cap
    (総額X円を限度とする); it stops at a comma, a topic or case particle of the clause
    (は, が, を, で), a verb that is not part of such a connector, and a bracket."""
    caps = [(s.start, s.end) for s in matches(doc, "agreements", "AMOUNT_CAP")]
    depth = 0
    i = head.i - 1
    start = head.i
    while i >= 0:
        tok = doc[i]
        if any(a <= i < b for a, b in caps):
            start = i
            i -= 1
            continue
        if tok.text in {")", "）"}:
            depth += 1
        elif tok.text in {"(", "（"}:
            if depth == 0:
                break
            depth -= 1
            start = i
            i -= 1
            continue
        if depth:
            start = i
            i -= 1
            continue
        if tok.text in {"、", "。", ",", "，", "「", "」", "『", "』"} or tok.pos_ in {"DET", "SCONJ", "PRON", "SPACE"}:
            break
        if tok.text.isspace() or "\t" in tok.text:
            break
        if tok.lemma_ in {"及び", "並びに", "または", "又は"} and i > 0 and doc[i - 1].text.endswith(head.text):
            break  # Aの書簡及びBの書簡: two instruments
        if tok.pos_ == "ADP":
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if tok.lemma_ == "に" and not (nxt is not None and nxt.dep_ == "fixed"):
                break
            if tok.lemma_ in {"は", "が", "を", "で", "へ", "から", "より", "も", "にて"}:
                break
            if tok.lemma_ == "と" and _comitative(doc, i):
                break
        if tok.pos_ in {"VERB", "AUX"} and tok.dep_ != "fixed" and tok.lemma_ not in _CONNECTOR_VERBS:
            break
        if tok.lemma_ in _CONNECTOR_VERBS and i > 0 and doc[i - 1].lemma_ in {"に", "を"}:
            start = i - 1  # …に係る, …を通じた: a descriptive connector stays in the name
            i -= 2
            continue
        start = i
        i -= 1
    while start < head.i and (doc[start].pos_ in {"ADP", "PUNCT", "AUX"} and doc[start].text not in "(（"):
        start += 1
    if doc[start].lemma_ in _FORMAL_NOUNS and start > 0:
        start = _clause_start(doc, start)  # …「X計画」を実施するための交換公文: the purpose clause names it
    return doc[start].idx


_FORMAL_NOUNS = {"ため", "もの"}


def _clause_start(doc, i: int) -> int:
    """Where the clause that a formal noun (ため) needs begins: back over its verb and arguments
    to a comma or a topic / subject / place particle."""
    start = i
    depth = 0
    for j in range(i - 1, -1, -1):
        tok = doc[j]
        depth += tok.text in {")", "）", "」"}
        depth -= tok.text in {"(", "（", "「"}
        if depth < 0:
            break
        if depth == 0 and (tok.text in {"、", ",", "，", "。"} or tok.lemma_ in {"は", "が", "で", "にて"} and tok.pos_ == "ADP"):
            break
        start = j
    return start


def _comitative(doc, i: int) -> bool:
    """…外相と|両国外務省間の交流覚書に署名: と after a person joins the signer, not the name; between two
    persons or two countries (AとBの書簡, 日本国とXとの間の協定) it stays in the name."""
    def titled(tok) -> bool:
        return any(s.start <= tok.i < s.end for s in doc.spans.get("bkg", []) if s.label_ == "TITLE")

    def person(tok) -> bool:
        return titled(tok) or any(s.start <= tok.i < s.end for s in doc.spans.get("ner", []) if s.label_ == "person")

    j = i - 1
    while j >= 0 and doc[j].text in {")", "）"}:  # skip an aside: 外相(H.E. …)と
        depth = 0
        while j >= 0:
            depth += doc[j].text in {")", "）"}
            depth -= doc[j].text in {"(", "（"}
            j -= 1
            if depth == 0:
                break
    if j < 0 or not person(doc[j]):
        return False
    k = i + 1
    while k < len(doc) and doc[k].lemma_ not in {"の", "間", "、"} and doc[k].text not in {"(", "（"}:
        k += 1
    return not (k > i + 1 and titled(doc[k - 1]))


def _debris_tokens(doc, hit: HeadHit) -> bool:
    """The phrase holds a relative clause on the head itself (両国間では初めてとなる共同声明) or a
    signer joined by と (…外相(…)と両国外務省間の…覚書): the walk reads the name again."""
    for tok in doc:
        if not (hit.start <= tok.idx < hit.end) or tok.i >= hit.token.i:
            continue
        if tok.pos_ == "VERB" and tok.dep_ == "acl" and tok.head.i == hit.token.i:
            return True
        if tok.pos_ == "ADP" and tok.lemma_ == "と" and _comitative(doc, tok.i):
            return True
        if tok.lemma_ in {"及び", "並びに"} and tok.i > 0 and doc[tok.i - 1].text == hit.token.text:
            return True  # Aの書簡及びBの書簡: two instruments in one phrase
    return False


def _debris(label: str) -> bool:
    """A phrase the parse let run over clause boundaries (…大使と、…との間で、総額…書簡) or that
    starts inside an aside (PASHINYAN, Prime Minister …)の書簡)."""
    flat = re.sub(r"[(（][^()（）]*[)）]", "", label)
    if re.search(r"(?:と|で|は|が|を|に|て|も)[、,]|\t", flat) or "において" in flat or "の間で" in flat:
        return True
    if any(h + "、" in flat for h, _ in instrument_heads()):
        return True  # 技術協力協定(…)、投資協定(…)、…取極: a list of instruments, not one name
    return flat.count(")") != flat.count("(")


def _quoted_name(inner: str, heads) -> tuple[str, str, str] | None:
    """(name, head, type) when the quotation names an instrument: it ends in an instrument head,
    perhaps followed by what annotates a link (骨子(PDF)別ウィンドウで開く, (English title))."""
    best = None
    for head, kind in heads:
        at = inner.rfind(head)
        if at < 0:
            continue
        rest = _ANNOTATION_PAREN.sub("", inner[at + len(head):])
        if not _ANNOTATION_TAIL.fullmatch(rest):
            continue
        if best is None or at + len(head) > len(best[0]):
            best = (inner[: at + len(head)], head, kind)
    return best


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


def _once(ctx: DocContext, read, *args):
    """``read(*args)`` once per document for a reading of the parse alone (the signing word of a
    token, where a name starts): a repeated passage shares its parse, so its readings too."""
    return ctx.cached((read.__name__, *args), read, *args)


def find_agreements(ctx: DocContext) -> list[Agreement]:
    sign_words = triggers("sign") + triggers("exchange") + triggers("adopt")
    heads = instrument_heads()
    principals = principal_countries(ctx)
    found: OrderedDict[str, Agreement] = OrderedDict()

    def add(passage, doc, label, kind, start, end, tok, sign) -> None:
        s0, s1 = sentence_bounds(passage.text, start)
        sentence = passage.text[s0:s1]
        parties = _parties(ctx, passage, doc, start, end, s0, principals, sentence, sign)
        date = None
        if sign is not None:
            pred = _predicate(sign)
            date = _dep_date(ctx, passage, doc, pred, s0, s1)
        if date is None and sign is not None and _predicate(sign).dep_ != "acl":
            # 本7日(木曜日)、…は…に署名し、…: a date that opens the sentence dates its main events
            lead = [d for d in ctx.dates_in(passage, s0, s1)
                    if d.start - s0 <= 4 and passage.text[d.end : d.end + 1] in {"、", ",", "(", "（", "，"}]
            date = lead[0].value if lead else None
        if date is None:
            near = _date_near(ctx, passage, start, end, s0, s1)
            if near is not None and not (sign is not None and _in_own_clause(doc, _near_mention(ctx, passage, near, s0, s1), start)):
                date = near
        if date is None and sign is not None and _reported_now(ctx, _predicate(sign), sign, s0, s1, passage):
            date = _current_date(ctx, passage)
        place = place_of(ctx, passage, doc, s0, s1)
        key = instrument_key(label)
        if key not in found and len(key) >= 6:
            # 外務省間の交流に関する覚書 after 両国外務省間の交流に関する覚書: the same instrument again
            key = next((k for k in found if k.endswith(key)), key)
        mention = ctx.mention(passage, start, end)
        prev = found.get(key)
        place_key = make_key(place.name) if place else None
        referenced = sign is None and not _SIGNED_NOTE.match(passage.text[end:])
        if prev is None:
            found[key] = Agreement(key=key, label=label, agreement_type=kind, parties=parties, date=date,
                                   place=place_key, passages=(passage.index,), mentions=(mention,),
                                   referenced_only=referenced)
        else:
            found[key] = _merge(prev, parties, date, place_key, passage.index, mention, referenced)

    listed: set[int] = set()  # passages read as the items of a list of signed documents
    for passage, doc in ctx.body():
        if passage.kind in {"title", "caption"} or passage.index in listed:
            continue
        heading = passage.kind == "heading"  # a heading names a topic; only noted signings count there
        text = passage.text
        hits = ctx.head_hits(passage, doc, heads)
        hits += ctx.cached(("listed_hits", doc), _listed_hits, doc, heads, hits)
        counted = {}
        for hit in hits:
            sign = _once(ctx, _sign_of, doc, hit.token)
            if sign is not None and _COUNTED.search(_clean_name(clean_label(text[_once(ctx, _walk_start, doc, hit.token, text) : hit.end]))) or sign is not None and _COUNTED.search(_clean_name(hit.label)):
                counted[hit.token.i] = sign
        quoted: list[tuple[int, int]] = []
        for qs, qe in () if heading else quote_spans(text):
            named = _quoted_name(text[qs + 1 : qe - 1], heads)
            if named is None:
                continue
            name = _clean_name(named[0])
            if _generic(name, heads) or _DEMONSTRATIVE.match(name):
                continue
            tok = _token_at(doc, qs + len(named[0]))
            sign = _once(ctx, _sign_of, doc, tok) if tok is not None else None
            if sign is None:
                # the quotation's own head carries the case: 「…共同声明骨子(PDF)…英文(PDF)」を発出
                inside = [t for t in doc if qs <= t.idx < qe]
                top = [t for t in inside if not (qs <= t.head.idx < qe) or t.head.i == t.i]
                sign = next((x for x in (_once(ctx, _sign_of, doc, t) for t in top) if x is not None), None)
            if sign is None and tok is not None:
                # 「…覚書」等4本の文書の署名式: a member of a counted set shares its signing
                sign = next((counted[a.i] for a in tok.ancestors if a.i in counted), None)
            if sign is not None and _aspiration(doc, sign):
                continue
            if sign is None and named[2] in {"other", "action_plan"}:
                continue  # 「…協力プログラム」, 「…行動計画」 not signed here: as likely a programme
            quoted.append((qs, qe))
            add(passage, doc, name, _type_of(name, named[2], named[1]), qs, qe, tok, sign)
        bodies = [o for o in org_hits(ctx, passage, doc) if o.end - o.start > 2]
        spans = {}
        for hit in hits:
            label, start = _clean_name(hit.label), hit.start
            walk = _once(ctx, _walk_start, doc, hit.token, text)
            if _generic(label, heads) or _debris(hit.label) or _once(ctx, _debris_tokens, doc, hit) or walk < start:
                # the parse cut the phrase short (a mis-tagged title word) or let it run on
                start = walk
                label = _clean_name(clean_label(text[start : hit.end]))
            spans[id(hit)] = (start, label)
        for hit in hits:
            if any(qs <= hit.token.idx < qe for qs, qe in quoted):
                continue  # named in a quotation: taken above
            start, label = spans[id(hit)]
            if any(o.start <= hit.start and hit.end < o.end for o in bodies):
                continue  # 漁業協定締結問題合同委員会: the word names a body's business, not an instrument
            if any(o is not hit and spans[id(o)][0] <= start and hit.end < o.end for o in hits):
                continue  # 円借款 inside …円借款に関する交換公文: part of a longer instrument's name
            if _DEMONSTRATIVE.match(label):
                continue
            sign = _once(ctx, _sign_of, doc, hit.token)
            if sign is None:
                # A他, Bを含む3件の覚書の交換式: a member of a counted set shares its signing
                sign = next((counted[a.i] for a in hit.token.ancestors if a.i in counted), None)
            if _COUNTED.search(label) and sign is not None:
                _enumerated(ctx, passage, doc, hit, sign, heads, add)
                if _POINTER.match(label):
                    listed.update(_listed_items(ctx, passage, doc, hit, sign, heads, add))
                continue
            if _generic(label, heads):
                continue
            if sign is not None and _aspiration(doc, sign):
                continue
            if any(a.start == hit.token.i + 1 for a in matches(doc, "agreements", "ASPIRATION")):
                continue  # 租税条約締結交渉: a treaty under negotiation
            between = bool(_BETWEEN.search(label))
            noted = _SIGNED_NOTE.match(text[hit.end :])
            if heading and not noted:
                continue
            if not (sign is not None or _once(ctx, _signed, hit, sign_words) or between or noted):
                continue
            add(passage, doc, label, _type_of(label, hit.value, hit.word), start, hit.end, hit.token, sign)
            if noted and sign is None:
                _date_from_note(ctx, passage, hit.end, noted, found, instrument_key(label))
    for agreement in _table_agreements(ctx, heads, sign_words, principals):
        if agreement.key not in found:
            found[agreement.key] = agreement
    own = _document_itself(ctx, principals)
    if own is not None and own.key not in found:
        found[own.key] = own
    return [with_english(ctx, a, "agreement") for a in found.values()]  # English names (issue 13)


# 投資協定(2015年署名、2017年発効): a list of a country's instruments notes when each was signed
_SIGNED_NOTE = re.compile(r"^\s*[(（]([^()（）]{0,24}?)(署名|締結|調印|発効)")


def _date_from_note(ctx: DocContext, passage, end: int, noted, found, key: str) -> None:
    """The date of the signing note right after the name (…協定(2001年署名)): the instrument's
    date when it is the signing (or, failing that, the only date there)."""
    if key not in found:
        return
    dates = [d for d in ctx.dates_in(passage, end, end + noted.end()) if d.end <= end + noted.end()]
    if not dates:
        return
    prev = found[key]
    found[key] = Agreement(key=prev.key, label=prev.label, agreement_type=prev.agreement_type,
                           parties=prev.parties, date=dates[0].value, place=prev.place,
                           passages=prev.passages, mentions=prev.mentions, referenced_only=False)


def _listed_hits(doc, heads, hits: list[HeadHit]) -> list[HeadHit]:
    """Instrument heads followed by 他 / ほか / 等 (…のための覚書他, …): head_hits wants the head to
    close the noun compound, and these words continue it."""
    ends = {h.end for h in hits}
    out = []
    for tok in doc[:-1]:
        end = tok.idx + len(tok.text)
        if end in ends or doc[tok.i + 1].text not in {"他", "ほか", "等"}:
            continue
        word = next(((h, t) for h, t in heads if doc.text.endswith(h, 0, end)), None)
        if word is None:
            continue
        start = _walk_start(doc, tok, doc.text)
        out.append(HeadHit(word[0], word[1], tok, start, end, clean_label(doc.text[start:end])))
    return out


_POINTER = re.compile(r"^(?:以下の|次の|下記の)")
_ITEM_NUMBER = re.compile(r"^\s*(?:[(（]?[0-9０-９一二三四五六七八九十]+[)）.．、]|[ア-ン][.．、]|[・•])\s*")


def _listed_items(ctx: DocContext, passage, doc, hit: HeadHit, sign, heads, add) -> list[int]:
    """以下の文書の署名式が行われました。(1) …協定 (2) …覚書: the numbered lines that follow a
    pointer to signed documents each name one, whole (commas included)."""
    used = []
    for item in ctx.passages[passage.index + 1 : passage.index + 16]:
        if item.number is None and item.kind != "list_item":
            break
        name = _clean_name(_ITEM_NUMBER.sub("", item.text))
        named = next(((h, t) for h, t in heads if name.endswith(h)), None)
        if named is None or "。" in name or len(name) > 150:
            break
        add(passage, doc, clean_label(name), _type_of(name, named[1], named[0]), hit.start, hit.end, hit.token, sign)
        used.append(item.index)
    return used


def _enumerated(ctx: DocContext, passage, doc, hit: HeadHit, sign, heads, add) -> None:
    """二つの文書に署名しました。その一つは「A」であり、二つめは「B」です: a counted set of
    signed documents is named, quotation by quotation, in the next sentence."""
    text = passage.text
    _, s1 = sentence_bounds(text, hit.start)
    n0, n1 = sentence_bounds(text, s1) if s1 < len(text) else (s1, s1)
    # signed together (AはBとともに…署名, 両首脳は…署名): a text without a kind word is a joint one
    joint = "joint_statement" if re.search(r"とともに|と共に|両首脳|双方", text[:s1]) else "other"
    for qs, qe in quote_spans(text[n0:n1]):
        inner = text[n0 + qs + 1 : n0 + qe - 1]
        named = _quoted_name(inner, heads)
        kind = _type_of(inner, named[2], named[1]) if named else joint
        add(passage, doc, _clean_name(inner), kind, hit.start, hit.end, hit.token, sign)


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


def _parties(ctx, passage, doc, start: int, end: int, s0: int, principals, sentence: str,
             sign=None) -> tuple[str, ...]:
    """Countries (then organizations) that are parties to the instrument written at start:end.

    The countries the name itself gives (日仏…共同声明, 日本国とXとの間の…), with the signers when
    the clause names them (AとBが…条約に署名した); else those of the sentence before the name;
    an instrument that binds two sides (交換公文, 覚書 …) with only one of a bilateral
    document's two principals named gets the other too."""
    parties: list[str] = []
    orgs = [o for o in org_hits(ctx, passage, doc) if s0 <= o.start < end]
    countries = [c for c in country_hits(ctx, passage.text) if s0 <= c.start < end]
    in_phrase_orgs = [o for o in orgs if o.start >= start]
    in_phrase_countries = [c for c in countries if c.start >= start]
    signers = _signer_countries(ctx, doc, sign)
    if signers:
        in_phrase_countries = [*in_phrase_countries, *signers]
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
    if _OUR_SIDE.search(sentence) and "JPN" not in parties:
        parties.insert(0, "JPN")  # 我が方大使と先方…との間で: Japan's side signs
    iso = [p for p in parties if len(p) == 3 and p.isupper()]
    if not iso:
        side = side_country(ctx, sentence)
        if collective_subject(sentence) or _BOTH.search(sentence) or side or not parties:
            # 両首脳は…署名を歓迎した, or no party named at all: the document's principals
            parties = [*principals, *parties]
    elif len(set(iso)) == 1 and len(principals) == 2 and iso[0] in principals:
        parties = [*principals, *parties]  # one side of a two-sided signing: the other is the other principal
    iso = [p for p in parties if len(p) == 3 and p.isupper()]
    if len(set(iso)) == 1 and iso[0] != "JPN" and set(principals) <= {iso[0]} and not signers:
        # 両国政府は…, a country brief's 二国間条約: a Japanese document about one country,
        # whose instruments with no other signer named are that country's with Japan
        parties.insert(0, "JPN")
    return tuple(dict.fromkeys(parties))


def _signer_countries(ctx, doc, sign) -> list:
    """Countries named in the subject of the signing clause (キルギスとタジキスタンが…に署名した)."""
    if sign is None:
        return []
    pred = _predicate(sign)
    out = []
    for tok in (sign, pred):
        for child in tok.children:
            if child.dep_ == "nsubj":
                a, b = child.left_edge.idx, child.right_edge.idx + len(child.right_edge.text)
                out += [c for c in country_hits(ctx, doc.text[a:b])]
    return out


def _date_near(ctx: DocContext, passage, h_start: int, h_end: int, s0: int, s1: int) -> DateValue | None:
    """The date closest to the phrase (h_start:h_end) in its sentence, outside the phrase itself."""
    best = None
    best_dist = None
    text = passage.text
    for d in ctx.dates_in(passage, s0, s1):
        if h_start <= d.start < h_end:
            continue  # part of the name (2023年から2025年までの協力プログラム)
        between = text[d.end : h_start] if d.end <= h_start else text[h_end : d.start]
        if _OTHER_EVENT.search(between):
            continue
        signed_then = re.match(r"^(?:に|、)?(?:署名|締結|交換|採択|調印)", text[d.end:])
        in_brackets = re.fullmatch(r"の?(?:署名|締結|交換|採択|調印)[・署名交換]*[(（]", between)  # …の署名(令和5年3月)
        if d.start >= h_end and not (signed_then or in_brackets):
            continue  # a later date belongs to the next clause (…に署名したこと、及び2025年9月に…開催)  # the date of another event (…に開催された対話の成果として…覚書に署名)
        dist = h_start - d.end if d.end <= h_start else d.start - h_end + 1000
        if best_dist is None or dist < best_dist:
            best, best_dist = d, dist
    return best.value if best else None


def _merge(prev: Agreement, parties, date, place, index: int, mention: Mention,
           referenced: bool = True) -> Agreement:
    return Agreement(
        key=prev.key,
        label=prev.label,
        agreement_type=prev.agreement_type,
        parties=tuple(dict.fromkeys((*prev.parties, *parties))),
        date=prev.date or date,
        place=prev.place or place,
        passages=tuple(dict.fromkeys((*prev.passages, index))),
        mentions=(*prev.mentions, mention),
        referenced_only=prev.referenced_only and referenced,  # one report of its signing is enough
    )


_CAPTION_LIKE = re.compile(r"の様子$|写真|撮影|^\d{1,2}日[(（]")


def _listed_countries(text: str, hits) -> tuple[str, ...]:
    """The longest run of countries written as one list (A、B、C及びD)."""
    best: list = []
    run: list = []
    for hit in hits:
        if run and not re.fullmatch(r"[、,及び並びにと・\s]*", text[run[-1].end : hit.start]):
            run = []
        run.append(hit)
        if len(run) > len(best):
            best = list(run)
    return tuple(dict.fromkeys(h.iso3 for h in best))


def _document_itself(ctx: DocContext, principals) -> Agreement | None:
    doc = ctx.document
    kind = _DOC_KINDS.get(doc.doc_type)
    if kind is None or not doc.title or _DATE_ONLY.match(doc.title) or _CAPTION_LIKE.search(doc.title):
        return None  # a date line or a photo caption taken for the title names no instrument
    if any(p.kind == "caption" and p.text.strip() == doc.title.strip() for p in ctx.passages):
        return None
    if not principals:
        # われわれ、A、B及びCの国家元首は…: a declaration names its makers in its first lines
        for passage in ctx.passages[:12]:
            if passage.kind in {"title", "metadata"}:
                continue
            run = _listed_countries(passage.text, country_hits(ctx, passage.text))
            if len(run) >= 2:
                principals = run
                break
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
