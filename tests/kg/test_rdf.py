"""kg.rdf: facts → one named graph per document, following the contract."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest
from factories import KEYS, ca_japan_dialogue, corpus, jp_kgz_joint_statement
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from extract.facts import Agreement, DateValue, DocumentFacts, Meeting, Program, Visit
from kg.namespaces import (
    BKG,
    PREFIXES,
    WD,
    country_iri,
    document_graph_iri,
    document_iri,
    entity_iri,
    passage_iri,
)
from kg.rdf import build_graph, date_literal, graph_to_trig, write_trig

JPN, KGZ, KAZ = country_iri("JPN"), country_iri("KGZ"), country_iri("KAZ")


@pytest.fixture(scope="module")
def docs() -> tuple[DocumentFacts, ...]:
    return corpus()


@pytest.fixture(scope="module")
def ds(docs) -> Dataset:
    return build_graph(docs)


def graph_of(ds: Dataset, facts: DocumentFacts) -> Graph:
    return ds.graph(document_graph_iri(facts.document.doc_id))


def union(ds: Dataset) -> Graph:
    g = Graph()
    for quad in ds.quads((None, None, None, None)):
        g.add(quad[:3])
    return g


def to_store(ds: Dataset) -> ox.Store:
    store = ox.Store()
    store.load(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


def select(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    result = store.query(sparql, prefixes=dict(PREFIXES), use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


# --- shape ----------------------------------------------------------------------------------


def test_one_named_graph_per_document_and_empty_default_graph(ds, docs) -> None:
    names = {g.identifier for g in ds.graphs() if len(g)}
    assert names == {document_graph_iri(d.document.doc_id) for d in docs}
    assert len(ds.default_graph) == 0


def test_document_and_passages(ds, docs) -> None:
    d1 = docs[0]
    g = graph_of(ds, d1)
    doc = document_iri(d1.document.doc_id)
    assert (doc, RDF.type, BKG.Document) in g
    assert g.value(doc, DCTERMS.title) == Literal(d1.document.title, lang="ja")
    assert g.value(doc, DCTERMS.date) == Literal("2023-11-20", datatype=XSD.date)
    assert g.value(doc, BKG.docType) == BKG.JointStatement
    assert g.value(doc, DCTERMS.source) == Literal("2023-11_jp-kgz_joint-statement.txt")
    assert g.value(doc, BKG.provisionalTranslation) == Literal(True)
    assert graph_of(ds, docs[1]).value(
        document_iri(docs[1].document.doc_id), BKG.docType
    ) == BKG.MeetingSummary

    assert len(list(g.subjects(RDF.type, BKG.Passage))) == len(d1.document.passages)
    for p in d1.document.passages:
        piri = passage_iri(d1.document.doc_id, p.index)
        assert g.value(piri, BKG.document) == doc
        assert str(g.value(piri, BKG.text)) == p.text == d1.document.text[p.start : p.end]
        assert g.value(piri, BKG.charStart) == Literal(p.start, datatype=XSD.integer)
        assert g.value(piri, BKG.charEnd) == Literal(p.end, datatype=XSD.integer)
        assert g.value(piri, BKG.order).toPython() == p.index
        assert str(g.value(piri, BKG.passageKind)) == p.kind
        number = g.value(piri, BKG.paragraph)
        assert (number is None) if p.number is None else (str(number) == p.number)
        section = g.value(piri, BKG.section)
        assert (section is None) if p.section is None else (str(section) == p.section)


def test_country(ds, docs) -> None:
    g = graph_of(ds, docs[0])
    assert (KGZ, RDF.type, BKG.Country) in g
    assert set(g.objects(KGZ, RDFS.label)) == {
        Literal("キルギス", lang="ja"),
        Literal("Kyrgyzstan", lang="en"),
    }
    assert Literal("キルギス共和国", lang="ja") in set(g.objects(KGZ, SKOS.altLabel))
    assert g.value(KGZ, BKG.iso3) == Literal("KGZ")
    assert g.value(KGZ, OWL.sameAs) == WD.Q813
    assert set(g.objects(KGZ, BKG.mentionedIn)) == {
        passage_iri(docs[0].document.doc_id, i) for i in (0, 1, 3)
    }


def test_person_organization_place(ds, docs) -> None:
    d1 = docs[0].document.doc_id
    g = graph_of(ds, docs[0])
    japarov = entity_iri("person", KEYS.JAPAROV)
    assert (japarov, RDF.type, BKG.Person) in g
    assert g.value(japarov, RDFS.label) == Literal("サディル・ジャパロフ", lang="ja")
    assert g.value(japarov, SKOS.altLabel) == Literal("ジャパロフ", lang="ja")
    assert g.value(japarov, BKG.role) == Literal("大統領", lang="ja")
    assert g.value(japarov, BKG.country) == KGZ
    assert set(g.objects(japarov, BKG.mentionedIn)) == {passage_iri(d1, 1)}

    jica = entity_iri("organization", KEYS.JICA)
    assert (jica, RDF.type, BKG.Organization) in g
    assert g.value(jica, SKOS.altLabel) == Literal("JICA", lang="ja")
    assert g.value(jica, BKG.country) == JPN

    tokyo = entity_iri("place", KEYS.TOKYO)
    assert (tokyo, RDF.type, BKG.Place) in g
    assert g.value(tokyo, RDFS.label) == Literal("東京", lang="ja")
    assert g.value(tokyo, BKG.country) == JPN


def test_a_persons_role_in_english_is_its_own_property(docs) -> None:
    """bkg:role keeps the title as written (one value, as the contract says); the gazetteer's
    English goes to bkg:roleEnglish (issue 13)."""
    facts = docs[0]
    entities = tuple(replace(e, role_en="President") if e.key == KEYS.JAPAROV else e
                     for e in facts.entities)
    g = graph_of(build_graph([replace(facts, entities=entities)]), facts)
    japarov = entity_iri("person", KEYS.JAPAROV)
    assert list(g.objects(japarov, BKG.role)) == [Literal("大統領", lang="ja")]
    assert list(g.objects(japarov, BKG.roleEnglish)) == [Literal("President", lang="en")]
    assert list(g.objects(entity_iri("person", KEYS.KULUBAEV), BKG.roleEnglish)) == []  # none given


def test_agreement(ds, docs) -> None:
    d1 = docs[0].document.doc_id
    g = graph_of(ds, docs[0])
    mou = entity_iri("agreement", KEYS.JCM_MOU)
    assert (mou, RDF.type, BKG.Agreement) in g
    assert g.value(mou, BKG.agreementType) == BKG.MoU
    assert set(g.objects(mou, BKG.party)) == {JPN, KGZ}
    assert g.value(mou, BKG.date) == Literal("2023-07-06", datatype=XSD.date)
    assert g.value(mou, BKG.place) == entity_iri("place", KEYS.TOKYO)
    assert set(g.objects(mou, BKG.mentionedIn)) == {passage_iri(d1, 2)}
    assert set(g.objects(mou, PROV.wasDerivedFrom)) == {passage_iri(d1, 2)}


def test_an_agreement_only_referred_to_says_so_in_its_documents_graph(docs) -> None:
    d1 = docs[0]
    referred = replace(d1, agreements=tuple(replace(a, referenced_only=True) for a in d1.agreements))
    ds = build_graph([referred])
    mou = entity_iri("agreement", KEYS.JCM_MOU)
    assert graph_of(ds, referred).value(mou, BKG.referencedOnly) == Literal(True)
    assert graph_of(build_graph([d1]), d1).value(mou, BKG.referencedOnly) is None  # signed: no flag


def test_visit(ds, docs) -> None:
    d1 = docs[0].document.doc_id
    g = graph_of(ds, docs[0])
    visit = entity_iri("visit", KEYS.JAPAROV_VISIT)
    assert (visit, RDF.type, BKG.Visit) in g
    assert g.value(visit, BKG.visitor) == entity_iri("person", KEYS.JAPAROV)
    assert g.value(visit, BKG.destination) == JPN
    assert g.value(visit, BKG.startDate) == Literal("2023-11-17", datatype=XSD.date)
    assert g.value(visit, BKG.endDate) == Literal("2023-11-20", datatype=XSD.date)
    assert g.value(visit, RDFS.label) == Literal("サディル・ジャパロフ訪日 2023-11-17", lang="ja")
    assert set(g.objects(visit, PROV.wasDerivedFrom)) == {passage_iri(d1, 1)}
    assert set(g.objects(visit, BKG.mentionedIn)) == {passage_iri(d1, 1)}


def test_meeting(ds, docs) -> None:
    d2 = docs[1].document.doc_id
    g = graph_of(ds, docs[1])
    meeting = entity_iri("meeting", KEYS.CA_MEETING)
    assert (meeting, RDF.type, BKG.Meeting) in g
    assert g.value(meeting, BKG.date) == Literal("2022-12-24", datatype=XSD.date)
    assert g.value(meeting, BKG.place) == entity_iri("place", KEYS.TOKYO)
    assert set(g.objects(meeting, BKG.participant)) == {
        JPN,
        KGZ,
        KAZ,
        entity_iri("person", KEYS.HAYASHI),
        entity_iri("person", KEYS.KULUBAEV),
    }
    assert g.value(meeting, BKG.ordinal) == Literal(9, datatype=XSD.integer)
    assert g.value(meeting, BKG.series) == Literal("中央アジア＋日本", lang="ja")
    # read from passage 1, named in the title (passage 0) too
    both = {passage_iri(d2, 0), passage_iri(d2, 1)}
    assert set(g.objects(meeting, PROV.wasDerivedFrom)) == both
    assert set(g.objects(meeting, BKG.mentionedIn)) == both


def test_program(ds, docs) -> None:
    g = graph_of(ds, docs[0])
    ovop = entity_iri("program", KEYS.OVOP)
    assert (ovop, RDF.type, BKG.Program) in g
    assert g.value(ovop, RDFS.label) == Literal("一村一品", lang="ja")
    assert g.value(ovop, SKOS.altLabel) == Literal("OVOP", lang="ja")
    assert set(g.objects(ovop, BKG.participant)) == {KGZ}
    assert set(g.objects(ovop, BKG.implementedBy)) == {entity_iri("organization", KEYS.JICA)}


def test_contract_provenance_holds_everywhere(ds) -> None:
    g = union(ds)
    for cls in (BKG.Country, BKG.Person, BKG.Organization, BKG.Place, BKG.Agreement,
                BKG.Visit, BKG.Meeting, BKG.Program):
        for s in g.subjects(RDF.type, cls):
            passages = set(g.objects(s, BKG.mentionedIn))
            assert passages, f"{s} ({cls}) has no bkg:mentionedIn"
            assert all((p, RDF.type, BKG.Passage) in g for p in passages)
    for cls in (BKG.Agreement, BKG.Visit, BKG.Meeting, BKG.Program):
        for s in g.subjects(RDF.type, cls):
            assert set(g.objects(s, PROV.wasDerivedFrom)), f"{s} has no prov:wasDerivedFrom"


# --- dates ----------------------------------------------------------------------------------


def test_date_datatypes_by_precision(ds) -> None:
    assert date_literal(DateValue(2023, 7, 6)) == Literal("2023-07-06", datatype=XSD.date)
    assert date_literal(DateValue(2022, 12)) == Literal("2022-12", datatype=XSD.gYearMonth)
    assert date_literal(DateValue(2050)) == Literal("2050", datatype=XSD.gYear)
    g = union(ds)
    assert g.value(entity_iri("agreement", KEYS.TECH_MOU), BKG.date) == Literal(
        "2022-12", datatype=XSD.gYearMonth
    )
    assert g.value(entity_iri("agreement", KEYS.ROADMAP), BKG.date) == Literal(
        "2023", datatype=XSD.gYear
    )


def test_missing_dates_are_left_out() -> None:
    d1 = jp_kgz_joint_statement()
    undated = replace(
        d1,
        document=replace(d1.document, date=None),
        agreements=tuple(replace(a, date=None) for a in d1.agreements),
        visits=tuple(replace(v, start=None, end=None) for v in d1.visits),
    )
    g = union(build_graph([undated]))
    assert not list(g.triples((None, DCTERMS.date, None)))
    assert not list(g.triples((None, BKG.date, None)))
    assert not list(g.triples((None, BKG.startDate, None)))
    assert g.value(entity_iri("visit", KEYS.JAPAROV_VISIT), RDFS.label) == Literal(
        "サディル・ジャパロフ訪日", lang="ja"
    )


# --- identity across documents and builds ---------------------------------------------------


def test_shared_person_is_one_resource_with_provenance_in_both_graphs(ds, docs) -> None:
    kulubaev = entity_iri("person", KEYS.KULUBAEV)
    for facts in docs:
        g = graph_of(ds, facts)
        assert (kulubaev, RDF.type, BKG.Person) in g
        mentioned = set(g.objects(kulubaev, BKG.mentionedIn))
        assert mentioned and all(
            str(p).startswith(str(document_iri(facts.document.doc_id)) + "/p") for p in mentioned
        )
    persons = {s for s in union(ds).subjects(RDF.type, BKG.Person)}
    assert len(persons) == 3  # Japarov, Kulubaev, Hayashi: the shared one counted once
    # shared places and countries too
    tokyo = entity_iri("place", KEYS.TOKYO)
    assert all((tokyo, RDF.type, BKG.Place) in graph_of(ds, f) for f in docs)


def test_two_builds_are_isomorphic(ds, docs) -> None:
    again = build_graph(reversed(corpus()))
    for facts in docs:
        assert isomorphic(graph_of(ds, facts), graph_of(again, facts))
    assert isomorphic(union(ds), union(again))
    assert graph_to_trig(ds) == graph_to_trig(again)  # byte for byte, whatever the order


def test_trig_round_trip(ds, docs, tmp_path) -> None:
    path = write_trig(ds, tmp_path / "kg.trig")
    assert [p.name for p in tmp_path.iterdir()] == ["kg.trig"]  # no temp file left
    back = Dataset()
    back.parse(path, format="trig")
    for facts in docs:
        assert isomorphic(graph_of(ds, facts), graph_of(back, facts))
    assert isomorphic(union(ds), union(back))
    assert "@prefix bkg: <https://w3id.org/bilateral-kg/ontology#>" in path.read_text("utf-8")


def test_contract_example_query(ds) -> None:
    rows = select(
        to_store(ds),
        """
        SELECT ?label ?date WHERE {
          ?a a bkg:Agreement ; rdfs:label ?label ;
             bkg:party <https://w3id.org/bilateral-kg/id/country/KGZ> .
          OPTIONAL { ?a bkg:date ?date }
        } ORDER BY ?date
        """,
    )
    assert [(r["label"], r["date"]) for r in rows] == [
        ("「中央アジア＋日本」対話ロードマップ", "2023"),
        ("二国間クレジット制度（JCM）に関する協力覚書", "2023-07-06"),
    ]


def test_shared_person_in_sparql(ds) -> None:
    rows = select(
        to_store(ds),
        """
        SELECT DISTINCT ?doc WHERE {
          ?person rdfs:label "ジェエンベク・クルバエフ"@ja ; bkg:mentionedIn ?p .
          ?p bkg:document ?doc .
        }
        """,
    )
    assert len(rows) == 2


# --- resolution of keys inside facts --------------------------------------------------------


def test_unknown_keys_resolve_without_dangling_references() -> None:
    d1 = jp_kgz_joint_statement()
    extra = replace(
        d1,
        agreements=(
            Agreement(key="loan1", label="円借款", agreement_type="loan",
                      parties=("JPN", "UZB", "アジア開発銀行"), place="ビシュケク", passages=(2,)),
        ),
        meetings=(Meeting(key="m1", label="会談", participants=("JPN", "謎の人物"), passages=(1,)),),
        programs=(Program(key="p1", label="計画", participants=("KGZ",),
                          implemented_by=("jetro",), passages=(3,)),),
        visits=(Visit(key="v1", visitor="無名", visitor_country=None, destination="KGZ",
                      passages=(1,)),),
    )
    g = union(build_graph([extra]))
    loan = entity_iri("agreement", "loan1")
    assert g.value(loan, BKG.agreementType) == BKG.LoanAgreement
    uzb = country_iri("UZB")
    adb = entity_iri("organization", "アジア開発銀行")
    assert set(g.objects(loan, BKG.party)) == {JPN, uzb, adb}
    assert (uzb, RDF.type, BKG.Country) in g and (adb, RDF.type, BKG.Organization) in g
    place = g.value(loan, BKG.place)
    assert (place, RDF.type, BKG.Place) in g
    assert g.value(place, RDFS.label) == Literal("ビシュケク", lang="ja")
    # an unknown participant key of unknown kind is skipped, not guessed
    assert set(g.objects(entity_iri("meeting", "m1"), BKG.participant)) == {JPN}
    assert g.value(entity_iri("program", "p1"), BKG.implementedBy) == entity_iri(
        "organization", "jetro"
    )
    visit = entity_iri("visit", "v1")
    assert g.value(visit, BKG.visitor) == entity_iri("person", "無名")
    assert g.value(visit, RDFS.label) == Literal("無名のキルギス訪問", lang="ja")
    # every referenced resource has a type and provenance
    for s in {loan, uzb, adb, place, visit}:
        assert set(g.objects(s, BKG.mentionedIn))


def test_bad_types_are_refused() -> None:
    d2 = ca_japan_dialogue()
    with pytest.raises(ValueError, match="unknown document type"):
        build_graph([replace(d2, document=replace(d2.document, doc_type="memo"))])
    bad = replace(d2, agreements=(replace(d2.agreements[0], agreement_type="contract"),))
    with pytest.raises(ValueError, match="unknown agreement type"):
        build_graph([bad])


def test_build_graph_is_pure(docs) -> None:
    before = repr(docs)
    build_graph(docs)
    assert repr(docs) == before


def test_iris_are_ascii(ds) -> None:
    for quad in ds.quads((None, None, None, None)):
        for term in quad:
            if isinstance(term, URIRef):
                assert str(term).isascii(), term


def test_organizations_are_same_as_their_wikidata_item():
    from rdflib import OWL, URIRef

    from extract.facts import Document, DocumentFacts, Entity, Mention, Passage
    from kg.rdf import build_graph

    text = "国際連合"
    doc = Document(source="a.txt", doc_id="d1", text=text, title="t", date=None, doc_type="other",
                   passages=(Passage(index=0, start=0, end=4, text=text),))
    un = Entity(kind="organization", key="国際連合", label="国際連合", wikidata="Q1065",
                mentions=(Mention(passage=0, start=0, end=4, text=text),))
    ds = build_graph([DocumentFacts(document=doc, entities=(un,))])
    objects = {o for _, _, o, _ in ds.quads((None, OWL.sameAs, None, None))}
    assert objects == {URIRef("http://www.wikidata.org/entity/Q1065")}


def test_a_document_carries_its_citation_metadata(tmp_path):
    """A SOURCES.tsv row beside the file becomes dcterms/prov properties of the Document;
    a text with no sidecar still builds, with what its own headers say."""
    from rdflib import DCTERMS, PROV, Literal, URIRef

    from extract.facts import DocumentFacts
    from extract.structure import parse_document
    from kg.namespaces import BKG, document_iri
    from kg.rdf import build_graph

    (tmp_path / "a.txt").write_text("日本国とA国の共同声明（仮訳）\n\n1 両国は協力する。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("[文書名] B宣言\n[場所] 東京\n[出典] 外務省\n\n両国は協力する。\n",
                                    encoding="utf-8")
    (tmp_path / "SOURCES.tsv").write_text(
        "file\turl\tpublisher\tlanguage\tsource_language\tretrieved\tlicense\n"
        "a.txt\thttps://www.example.go.jp/a.html\t外務省\tja\ten\t2026-11-30\t"
        "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0\n",
        encoding="utf-8")
    a, b = parse_document(tmp_path / "a.txt"), parse_document(tmp_path / "b.txt")
    ds = build_graph([DocumentFacts(document=a), DocumentFacts(document=b)])

    def value(doc, prop):
        return {o for _, _, o, _ in ds.quads((document_iri(doc.doc_id), prop, None, None))}

    assert value(a, PROV.wasQuotedFrom) == {URIRef("https://www.example.go.jp/a.html")}
    assert value(a, DCTERMS.publisher) == {Literal("外務省")}
    assert value(a, BKG.sourceLanguage) == {Literal("en")}
    assert {str(v) for v in value(a, BKG.retrieved)} == {"2026-11-30"}
    assert value(a, BKG.provisionalTranslation) == {Literal(True)}
    assert value(a, BKG.metadataFrom) == {Literal("SOURCES.tsv, text headers")}
    assert value(b, PROV.wasQuotedFrom) == set()
    assert value(b, DCTERMS.publisher) == {Literal("外務省")}
    assert value(b, BKG.issuedAt) == {Literal("東京")}
    assert value(b, BKG.provisionalTranslation) == {Literal(False)}


def test_a_bad_sidecar_is_a_warning_naming_it(tmp_path):
    from extract.structure import parse_document

    (tmp_path / "a.txt").write_text("共同声明\n\n両国は協力する。\n", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text("{not json", encoding="utf-8")
    doc = parse_document(tmp_path / "a.txt")
    assert len(doc.warnings) == 1 and "a.meta.json" in doc.warnings[0]
    assert doc.title
