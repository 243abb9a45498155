"""Hand-made facts for the ``kg`` tests: a tiny two-document corpus, no model needed.

Import from a test module in ``tests/kg`` (pytest puts this folder on ``sys.path``)::

    from factories import corpus, KEYS

The corpus mirrors the sample documents:

* ``jp_kgz_joint_statement()`` — Japan–Kyrgyzstan joint statement, 2023-11-20, 仮訳: President
  Japarov's visit to Japan (2023-11-17 → 20) with Foreign Minister Kulubaev, the JCM
  memorandum (MoU, signed in Tokyo on 2023-07-06), JICA's One Village One Product program.
* ``ca_japan_dialogue()`` — the 9th "Central Asia + Japan" foreign ministers' meeting, Tokyo,
  2022-12-24, chaired by 林芳正, attended by Kulubaev (the person named in both documents); a
  Japan–Kazakhstan memorandum dated 2022-12 (year-month) and a roadmap dated 2023 (year).

Everything is built through small helpers (:func:`make_document`, :func:`mention`,
:func:`country`, …) that compute offsets from the text, so new cases are quick to write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extract.facts import (
    Agreement,
    DateValue,
    Document,
    DocumentFacts,
    Entity,
    Meeting,
    Mention,
    Passage,
    Program,
    Visit,
    make_key,
)

__all__ = [
    "P",
    "KEYS",
    "COUNTRIES",
    "make_document",
    "mention",
    "mentions",
    "country",
    "person",
    "organization",
    "place",
    "jp_kgz_joint_statement",
    "ca_japan_dialogue",
    "corpus",
]


@dataclass(frozen=True)
class P:
    """A passage to be: its text and how it is printed."""

    text: str
    number: str | None = None
    kind: str = "paragraph"
    section: str | None = None


#: ISO3 → (Japanese label, English label, Japanese variants, Wikidata id).
COUNTRIES: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "JPN": ("日本", "Japan", ("日本国",), "Q17"),
    "KGZ": ("キルギス", "Kyrgyzstan", ("キルギス共和国",), "Q813"),
    "KAZ": ("カザフスタン", "Kazakhstan", ("カザフスタン共和国",), "Q232"),
}


class KEYS:
    """The keys of the corpus's entities and facts, as ``extract`` would make them."""

    JAPAROV = make_key("サディル・ジャパロフ")
    KULUBAEV = make_key("ジェエンベク・クルバエフ")
    HAYASHI = make_key("林芳正")
    JICA = make_key("国際協力機構")
    TOKYO = make_key("東京")
    JCM_MOU = make_key("二国間クレジット制度（JCM）に関する協力覚書")
    TECH_MOU = make_key("先端技術協力に関する覚書")
    ROADMAP = make_key("「中央アジア＋日本」対話ロードマップ")
    OVOP = make_key("一村一品（OVOP）")
    CA_MEETING = make_key("第9回「中央アジア＋日本」対話・外相会合")
    JAPAROV_VISIT = make_key(f"{make_key('サディル・ジャパロフ')}JPN2023-11-17")


def make_document(
    source: str,
    title: str,
    passages: Sequence[P],
    *,
    date: DateValue | None = None,
    doc_type: str = "joint_statement",
    provisional_translation: bool = False,
    place: str | None = None,
) -> Document:
    """A Document whose text is the passages joined by newlines, offsets computed.

    ``doc_id`` is the first 16 hex digits of the SHA-1 of the text, as ``extract`` makes it.
    """
    text = "\n".join(p.text for p in passages)
    built: list[Passage] = []
    start = 0
    for index, p in enumerate(passages):
        end = start + len(p.text)
        built.append(
            Passage(
                index=index,
                start=start,
                end=end,
                text=p.text,
                number=p.number,
                kind=p.kind,
                section=p.section,
            )
        )
        start = end + 1
    doc_id = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return Document(
        source=source,
        doc_id=doc_id,
        text=text,
        title=title,
        date=date,
        doc_type=doc_type,
        passages=tuple(built),
        provisional_translation=provisional_translation,
        place=place,
    )


def mention(doc: Document, index: int, surface: str) -> Mention:
    """The first occurrence of ``surface`` in passage ``index`` of ``doc``, as a Mention."""
    passage = doc.passages[index]
    at = passage.text.find(surface)
    if at < 0:
        raise ValueError(f"{surface!r} is not in passage {index}: {passage.text!r}")
    start = passage.start + at
    assert doc.text[start : start + len(surface)] == surface
    return Mention(passage=index, start=start, end=start + len(surface), text=surface)


def mentions(doc: Document, surface: str, indexes: Iterable[int] | None = None) -> tuple[Mention, ...]:
    """The first occurrence of ``surface`` in every passage (or in ``indexes``) that has it."""
    chosen = range(len(doc.passages)) if indexes is None else indexes
    return tuple(mention(doc, i, surface) for i in chosen if surface in doc.passages[i].text)


def country(iso3: str, doc: Document, *surfaces: str) -> Entity:
    """A country from :data:`COUNTRIES`, mentioned wherever one of ``surfaces`` occurs."""
    label, label_en, variants, wikidata = COUNTRIES[iso3]
    found = tuple(m for s in surfaces or (label,) for m in mentions(doc, s))
    return Entity(
        kind="country",
        key=iso3,
        label=label,
        label_en=label_en,
        aliases=variants,
        wikidata=wikidata,
        mentions=tuple(sorted(set(found), key=lambda m: (m.start, m.end))),
    )


def person(
    label: str, doc: Document, *, role: str, iso3: str, aliases: tuple[str, ...] = ()
) -> Entity:
    """A person, mentioned wherever the full name or an alias occurs."""
    found = tuple(m for s in (label, *aliases) for m in mentions(doc, s))
    return Entity(
        kind="person",
        key=make_key(label),
        label=label,
        aliases=aliases,
        role=role,
        country=iso3,
        mentions=tuple(sorted(set(found), key=lambda m: (m.start, m.end))),
    )


def organization(
    label: str, doc: Document, *, iso3: str | None, aliases: tuple[str, ...] = ()
) -> Entity:
    """An organization, mentioned wherever its name or an alias (e.g. "JICA") occurs."""
    found = tuple(m for s in (label, *aliases) for m in mentions(doc, s))
    return Entity(
        kind="organization",
        key=make_key(label),
        label=label,
        aliases=aliases,
        country=iso3,
        mentions=tuple(sorted(set(found), key=lambda m: (m.start, m.end))),
    )


def place(label: str, doc: Document, *, iso3: str) -> Entity:
    """A city or region."""
    return Entity(
        kind="place", key=make_key(label), label=label, country=iso3, mentions=mentions(doc, label)
    )


def jp_kgz_joint_statement() -> DocumentFacts:
    """Japan–Kyrgyzstan joint statement (2023-11-20, provisional translation)."""
    doc = make_document(
        "2023-11_jp-kgz_joint-statement.txt",
        "日本国とキルギス共和国との間の新たな時代における友好と包括的パートナーシップに関する共同声明",
        [
            P(
                "日本国とキルギス共和国との間の新たな時代における友好と"
                "包括的パートナーシップに関する共同声明（仮訳）",
                kind="title",
            ),
            P(
                "サディル・ジャパロフ・キルギス共和国大統領は、2023年11月17日から20日まで"
                "日本国を公式訪問した。ジェエンベク・クルバエフ外務大臣が同行した。",
                number="1",
            ),
            P(
                "両首脳は、2023年7月6日に東京で署名された二国間クレジット制度（JCM）に関する"
                "協力覚書を歓迎した。",
                number="5",
                section="経済協力",
            ),
            P(
                "両首脳は、国際協力機構（JICA）がキルギスで実施する一村一品（OVOP）運動の"
                "成果を高く評価した。",
                number="6",
                section="経済協力",
            ),
        ],
        date=DateValue(2023, 11, 20),
        doc_type="joint_statement",
        provisional_translation=True,
        place="東京",
    )
    entities = (
        country("JPN", doc, "日本国"),
        country("KGZ", doc, "キルギス共和国", "キルギスで"),
        person("サディル・ジャパロフ", doc, role="大統領", iso3="KGZ", aliases=("ジャパロフ",)),
        person("ジェエンベク・クルバエフ", doc, role="外務大臣", iso3="KGZ"),
        organization("国際協力機構", doc, iso3="JPN", aliases=("JICA",)),
        place("東京", doc, iso3="JPN"),
    )
    agreement = Agreement(
        key=KEYS.JCM_MOU,
        label="二国間クレジット制度（JCM）に関する協力覚書",
        agreement_type="mou",
        parties=("JPN", "KGZ"),
        date=DateValue(2023, 7, 6),
        place=KEYS.TOKYO,
        passages=(2,),
        mentions=(mention(doc, 2, "二国間クレジット制度（JCM）に関する協力覚書"),),
    )
    visit = Visit(
        key=KEYS.JAPAROV_VISIT,
        visitor=KEYS.JAPAROV,
        visitor_country="KGZ",
        destination="JPN",
        start=DateValue(2023, 11, 17),
        end=DateValue(2023, 11, 20),
        passages=(1,),
        mentions=(mention(doc, 1, "公式訪問"),),
    )
    program = Program(
        key=KEYS.OVOP,
        label="一村一品",
        aliases=("OVOP",),
        participants=("KGZ",),
        implemented_by=(KEYS.JICA,),
        passages=(3,),
        mentions=(mention(doc, 3, "一村一品（OVOP）"),),
    )
    return DocumentFacts(
        document=doc,
        entities=entities,
        agreements=(agreement,),
        visits=(visit,),
        programs=(program,),
        dates=(DateValue(2023, 11, 17), DateValue(2023, 11, 20), DateValue(2023, 7, 6)),
    )


def ca_japan_dialogue() -> DocumentFacts:
    """The 9th "Central Asia + Japan" foreign ministers' meeting (Tokyo, 2022-12-24)."""
    doc = make_document(
        "2022-12-24_ca-jad_9th-foreign-ministers.txt",
        "第9回「中央アジア＋日本」対話・外相会合",
        [
            P("第9回「中央アジア＋日本」対話・外相会合", kind="title"),
            P(
                "2022年12月24日、東京において第9回「中央アジア＋日本」対話・外相会合が開催され、"
                "林芳正外務大臣が議長を務め、ジェエンベク・クルバエフ・キルギス共和国外務大臣"
                "及びカザフスタン共和国の代表が出席した。",
                number="1",
            ),
            P(
                "日本国とカザフスタン共和国は、2022年12月に先端技術協力に関する覚書に署名した。",
                number="2",
            ),
            P(
                "参加国は、2023年に「中央アジア＋日本」対話ロードマップを採択した。",
                number="(3)",
                kind="list_item",
            ),
        ],
        date=DateValue(2022, 12, 24),
        doc_type="meeting_summary",
    )
    entities = (
        country("JPN", doc, "日本国", "日本"),
        country("KGZ", doc, "キルギス共和国"),
        country("KAZ", doc, "カザフスタン共和国"),
        person("林芳正", doc, role="外務大臣", iso3="JPN"),
        person("ジェエンベク・クルバエフ", doc, role="外務大臣", iso3="KGZ"),
        place("東京", doc, iso3="JPN"),
    )
    meeting = Meeting(
        key=KEYS.CA_MEETING,
        label="第9回「中央アジア＋日本」対話・外相会合",
        date=DateValue(2022, 12, 24),
        place=KEYS.TOKYO,
        participants=("JPN", "KGZ", "KAZ", KEYS.HAYASHI, KEYS.KULUBAEV),
        ordinal=9,
        series="中央アジア＋日本",
        passages=(1,),
        mentions=(mention(doc, 0, "第9回「中央アジア＋日本」対話・外相会合"),),
    )
    tech_mou = Agreement(
        key=KEYS.TECH_MOU,
        label="先端技術協力に関する覚書",
        agreement_type="mou",
        parties=("JPN", "KAZ"),
        date=DateValue(2022, 12),
        passages=(2,),
        mentions=(mention(doc, 2, "先端技術協力に関する覚書"),),
    )
    roadmap = Agreement(
        key=KEYS.ROADMAP,
        label="「中央アジア＋日本」対話ロードマップ",
        agreement_type="action_plan",
        parties=("JPN", "KGZ", "KAZ"),
        date=DateValue(2023),
        passages=(3,),
        mentions=(mention(doc, 3, "「中央アジア＋日本」対話ロードマップ"),),
    )
    return DocumentFacts(
        document=doc,
        entities=entities,
        agreements=(tech_mou, roadmap),
        meetings=(meeting,),
        dates=(DateValue(2022, 12, 24), DateValue(2022, 12), DateValue(2023)),
    )


def corpus() -> tuple[DocumentFacts, ...]:
    """Both documents, Japan–Kyrgyzstan first."""
    return (jp_kgz_joint_statement(), ca_japan_dialogue())
