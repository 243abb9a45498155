"""Each document's graph holds its own claims; resolution across documents lives apart.

Hand-built facts (no model): two documents that report one treaty, one with a different day
and one with a year only and a shorter name, and one that names it alone.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from factories import P, make_document, mentions
from rdflib import RDFS, SKOS, Literal

from extract.facts import Agreement, DateValue, DocumentFacts
from kg.namespaces import BKG, RESOLVED_GRAPH, document_graph_iri, entity_iri
from kg.rdf import build_graph, graph_to_trig

FULL = "日本国とA国との間の投資協定"
SHORT = "投資協定"


def statement(source: str, text: str, label: str, date: DateValue | None) -> DocumentFacts:
    doc = make_document(source, f"{source} の声明", [P(text)])
    treaty = Agreement(key="投資協定a", label=label, agreement_type="treaty", date=date,
                       passages=(0,), mentions=mentions(doc, label))
    return DocumentFacts(document=doc, agreements=(treaty,))


@pytest.fixture(scope="module")
def docs():
    a = statement("a.txt", f"2024年5月11日、{FULL}に署名した。", FULL, DateValue(2024, 5, 11))
    b = statement("b.txt", f"2024年5月10日、{FULL}に署名した。", FULL, DateValue(2024, 5, 10))
    c = statement("c.txt", f"2024年に{SHORT}に署名した。", SHORT, DateValue(2024))
    return a, b, c


@pytest.fixture(scope="module")
def store(docs):
    s = ox.Store()
    s.load(graph_to_trig(build_graph(docs)).encode(), format=ox.RdfFormat.TRIG)
    return s


TREATY = entity_iri("agreement", "投資協定a")


def in_graph(ds, doc: DocumentFacts, p, o=None):
    g = ds.graph(document_graph_iri(doc.document.doc_id))
    return set(g.objects(TREATY, p)) if o is None else (TREATY, p, o) in g


def test_each_document_graph_holds_only_its_own_dates(docs):
    a, b, c = docs
    ds = build_graph(docs)
    # the resolved date is 2024-05-10 (most precise; a tie of one document each: the earliest)
    assert {str(d) for d in in_graph(ds, b, BKG.date)} == {"2024-05-10"}
    assert in_graph(ds, a, BKG.date) == set()  # a says the 11th: not written as bkg:date …
    assert in_graph(ds, c, BKG.date) == set()  # c says 2024: not promoted to the 10th
    values = {}
    for doc in docs:
        g = ds.graph(document_graph_iri(doc.document.doc_id))
        (st,) = g.objects(TREATY, BKG.dateStatement)
        values[doc.document.source] = str(g.value(st, BKG.value))
    assert values == {"a.txt": "2024-05-11", "b.txt": "2024-05-10", "c.txt": "2024"}


def test_each_document_graph_keeps_its_own_name(docs):
    a, _, c = docs
    ds = build_graph(docs)
    assert in_graph(ds, a, RDFS.label, Literal(FULL, lang="ja"))
    assert in_graph(ds, c, RDFS.label) == set()
    assert in_graph(ds, c, SKOS.altLabel, Literal(SHORT, lang="ja"))
    resolved = ds.graph(RESOLVED_GRAPH)
    assert set(resolved.objects(TREATY, RDFS.label)) == {Literal(FULL, lang="ja")}


def test_the_disagreement_is_visible_in_sparql(store):
    rows = store.query(
        """SELECT ?source ?value ?resolved ?conflict WHERE {
             ?st a bkg:DateStatement ; bkg:about ?a ; bkg:property bkg:date ; bkg:value ?value ;
                 bkg:statedIn/dcterms:source ?source .
             ?r a bkg:Resolution ; bkg:about ?a ; bkg:property bkg:date ; bkg:value ?resolved ;
                bkg:conflict ?conflict ; prov:wasDerivedFrom ?st .
           } ORDER BY ?source""",
        prefixes={"bkg": str(BKG), "dcterms": "http://purl.org/dc/terms/", "prov": "http://www.w3.org/ns/prov#"},
        use_default_graph_as_union=True,
    )
    got = [(r["source"].value, r["value"].value, r["resolved"].value, r["conflict"].value) for r in rows]
    assert got == [("a.txt", "2024-05-11", "2024-05-10", "true"),
                   ("b.txt", "2024-05-10", "2024-05-10", "true"),
                   ("c.txt", "2024", "2024-05-10", "true")]
    conflict = store.query(f"ASK {{ GRAPH <{RESOLVED_GRAPH}> {{ <{TREATY}> <{BKG.dateConflict}> true }} }}")
    assert bool(conflict)


def test_the_union_still_has_one_date_and_one_label(store):
    rows = list(store.query(
        f"SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ <{TREATY}> <{BKG.date}> ?d }} }}"))
    assert [r["d"].value for r in rows] == ["2024-05-10"]
    labels = list(store.query(
        f'SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ <{TREATY}> <{RDFS.label}> ?l FILTER(LANG(?l) = "ja") }} }}'))
    assert [r["l"].value for r in labels] == [FULL]


def test_consistent_precision_is_no_conflict():
    a = statement("a.txt", f"2024年5月10日、{FULL}に署名した。", FULL, DateValue(2024, 5, 10))
    c = statement("c.txt", f"2024年に{SHORT}に署名した。", SHORT, DateValue(2024))
    resolved = build_graph([a, c]).graph(RESOLVED_GRAPH)
    assert (TREATY, BKG.dateConflict, None) not in resolved
    assert {str(d) for d in resolved.objects(TREATY, BKG.date)} == {"2024-05-10"}


def test_a_single_document_has_no_resolved_graph():
    a = statement("a.txt", f"2024年5月10日、{FULL}に署名した。", FULL, DateValue(2024, 5, 10))
    ds = build_graph([a])
    assert len(ds.graph(RESOLVED_GRAPH)) == 0
    assert {str(d) for d in in_graph(ds, a, BKG.date)} == {"2024-05-10"}


def test_quotations_are_web_annotation_selectors(docs):
    a = docs[0]
    store = ox.Store()
    store.load(graph_to_trig(build_graph([a])).encode(), format=ox.RdfFormat.TRIG)
    rows = list(store.query(
        f"""SELECT ?exact ?start ?end ?sentence ?text WHERE {{
              <{TREATY}> bkg:quotation ?q .
              ?q a oa:SpecificResource ; oa:hasSource ?p ; bkg:sentence ?sentence ;
                 oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                                [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
              ?p bkg:text ?text }}""",
        prefixes={"bkg": str(BKG), "oa": "http://www.w3.org/ns/oa#"}, use_default_graph_as_union=True))
    assert len(rows) == 1
    r = rows[0]
    text, start, end = r["text"].value, int(r["start"].value), int(r["end"].value)
    assert text[start:end] == r["exact"].value == FULL
    assert r["sentence"].value == f"2024年5月11日、{FULL}に署名した。"


def test_two_builds_write_the_same_bytes(docs):
    assert graph_to_trig(build_graph(docs)) == graph_to_trig(build_graph(reversed(docs)))


def test_date_statements_say_how_the_date_is_written():
    text = "両国は令和元年5月1日に投資協定に署名した。同協定は同年12月20日頃に発効した。"
    doc = make_document("e.txt", "声明", [P(text)])
    treaty = Agreement(key="投資協定a", label=SHORT, agreement_type="treaty", date=DateValue(2019, 5, 1),
                       passages=(0,), mentions=mentions(doc, SHORT))
    g = build_graph([DocumentFacts(document=doc, agreements=(treaty,))]).graph(
        document_graph_iri(doc.doc_id))
    (st,) = g.objects(TREATY, BKG.dateStatement)
    assert str(g.value(st, BKG.writtenAs)) == "令和元年5月1日"
    assert str(g.value(st, BKG.era)) == "令和"
    assert g.value(st, BKG.relative).toPython() is False
    assert g.value(st, BKG.precision) == BKG.DayPrecision
    quote = g.value(st, BKG.quotation)
    assert str(g.value(quote, BKG.sentence)) == "両国は令和元年5月1日に投資協定に署名した。"


def test_signed_in_one_document_in_force_in_another_is_one_agreement_with_two_events(tmp_path, nlp):
    """Real model, real build: the signature reported by one text and the entry into force by a
    later one are two dated events of one Agreement resource."""
    from kg.build import build
    from kg.store import open_store, union_options

    name = "日本国とウルグアイ東方共和国との間の投資の相互自由化、促進及び保護に関する協定"
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(f"日・ウルグアイ首脳会談\n\n令和元年5月1日\n\n1 両国政府は、2019年1月26日、東京において{name}に署名した。\n",
                               encoding="utf-8")
    (src / "b.txt").write_text(f"投資協定の発効\n\n令和2年4月14日\n\n1 {name}は、同日に発効した。\n", encoding="utf-8")
    build([src], tmp_path / "out", nlp=nlp, progress=False)
    store = open_store(tmp_path / "out" / "store")
    rows = list(store.query(
        """SELECT ?a ?kind ?date ?source WHERE { ?a a bkg:Agreement ; bkg:event ?e .
             ?e bkg:eventKind ?kind ; prov:wasDerivedFrom/bkg:document/dcterms:source ?source .
             OPTIONAL { ?e bkg:date ?date } } ORDER BY ?date""",
        prefixes={"bkg": str(BKG), "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/"},
        **union_options(store)))
    got = [(r["kind"].value.rsplit("#")[-1], r["date"].value if r["date"] else None, r["source"].value) for r in rows]
    assert got == [("Signed", "2019-01-26", "a.txt"), ("EnteredIntoForce", "2020-04-14", "b.txt")]
    assert len({r["a"].value for r in rows}) == 1


def test_a_visit_resolved_from_two_documents_keeps_one_label():
    """One document names the visitor in full but dates the visit by year; another gives the day
    but only the surname: the resolved label combines them, and the union has exactly that one."""
    from extract.facts import Entity, Visit

    def doc(source, name, start):
        d = make_document(source, "声明", [P(f"{name}大統領が訪日した。")])
        person = Entity(kind="person", key="p", label=name, role="大統領", country="KGZ",
                        mentions=mentions(d, name))
        jpn = Entity(kind="country", key="JPN", label="日本")
        v = Visit(key="v", visitor="p", visitor_country="KGZ", destination="JPN", start=start,
                  passages=(0,), mentions=mentions(d, "訪日"))
        return DocumentFacts(document=d, entities=(person, jpn), visits=(v,))

    a = doc("a.txt", "サディル・ジャパロフ", DateValue(2023))
    b = doc("b.txt", "ジャパロフ", DateValue(2023, 11, 17))
    s = ox.Store()
    s.load(graph_to_trig(build_graph([a, b])).encode(), format=ox.RdfFormat.TRIG)
    visit = entity_iri("visit", "v")
    rows = list(s.query(f"SELECT DISTINCT ?l WHERE {{ GRAPH ?g {{ <{visit}> <{RDFS.label}> ?l }} }}"))
    assert [r["l"].value for r in rows] == ["サディル・ジャパロフ訪日 2023-11-17"]
