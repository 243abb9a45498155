"""kg.namespaces: the contract's names, deterministic and safe IRIs, type maps."""

from __future__ import annotations

import re

import pytest
from rdflib import DCTERMS, OWL, PROV, RDFS, SKOS, XSD, Graph, URIRef

from extract.facts import AGREEMENT_TYPES, DOC_TYPES
from kg import namespaces as ns

BASE = "https://w3id.org/bilateral-kg/id/"


def test_contract_prefixes() -> None:
    assert str(ns.BKG) == "https://w3id.org/bilateral-kg/ontology#"
    assert str(ns.ID) == BASE
    assert str(ns.GRAPH) == "https://w3id.org/bilateral-kg/graph/"
    expected = {
        "bkg": "https://w3id.org/bilateral-kg/ontology#",
        "rdfs": str(RDFS),
        "skos": str(SKOS),
        "prov": str(PROV),
        "dcterms": str(DCTERMS),
        "owl": str(OWL),
        "xsd": str(XSD),
    }
    for prefix, iri in expected.items():
        assert ns.PREFIXES[prefix] == iri
        assert f"PREFIX {prefix}: <{iri}>\n" in ns.SPARQL_PREFIXES


def test_bind_prefixes() -> None:
    g = ns.bind_prefixes(Graph())
    bound = {prefix: str(iri) for prefix, iri in g.namespaces()}
    for prefix, iri in ns.PREFIXES.items():
        assert bound[prefix] == iri


def test_country_iri_is_the_contracts() -> None:
    assert ns.country_iri("JPN") == URIRef(BASE + "country/JPN")
    assert ns.country_iri(" kgz ") == URIRef(BASE + "country/KGZ")
    assert ns.entity_iri("country", "EUR") == URIRef(BASE + "country/EUR")
    for bad in ("JP", "JAPAN", "", "J1N"):
        with pytest.raises(ValueError):
            ns.country_iri(bad)


@pytest.mark.parametrize(
    "kind", ["person", "organization", "place", "agreement", "meeting", "program", "visit"]
)
def test_entity_iri_is_stable_ascii_and_kind_scoped(kind: str) -> None:
    key = "サディルジャパロフ"
    iri = ns.entity_iri(kind, key)
    assert iri == ns.entity_iri(kind, key)
    assert re.fullmatch(re.escape(BASE + kind + "/") + "[0-9a-f]{16}", str(iri))
    assert str(iri).isascii()
    assert ns.entity_iri(kind, key + "x") != iri


def test_entity_iri_hash_is_sha1_prefix() -> None:
    # pinned: changing the scheme breaks every saved IRI
    assert ns.entity_iri("organization", "国際協力機構") == URIRef(
        BASE + "organization/1a077e4cfa655507"
    )
    assert ns.key_hash("jica") == "26057cbb2756e381"


def test_entity_iri_rejects_unknown_kind_and_empty_key() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        ns.entity_iri("ship", "x")
    with pytest.raises(ValueError, match="empty key"):
        ns.entity_iri("person", "")


def test_document_passage_and_graph_iris() -> None:
    assert ns.document_iri("0123abcd") == URIRef(BASE + "document/0123abcd")
    assert ns.passage_iri("0123abcd", 7) == URIRef(BASE + "document/0123abcd/p7")
    assert ns.document_graph_iri("0123abcd") == URIRef(
        "https://w3id.org/bilateral-kg/graph/0123abcd"
    )
    for bad in ("", "a b", "a/b", "日本"):
        with pytest.raises(ValueError):
            ns.document_iri(bad)
    with pytest.raises(ValueError):
        ns.passage_iri("d1", -1)


def test_every_doc_type_and_agreement_type_is_mapped() -> None:
    assert set(ns.DOC_TYPE_CLASSES) == set(DOC_TYPES)
    assert set(ns.AGREEMENT_TYPE_CLASSES) == set(AGREEMENT_TYPES)
    contract_docs = {"JointStatement", "Declaration", "MeetingSummary", "PressStatement",
                     "CountryBrief", "OtherDocument"}
    assert {str(ns.doc_type_iri(t)).split("#")[1] for t in DOC_TYPES} == contract_docs | {"Speech"}
    contract_agreements = {"MoU", "ExchangeOfNotes", "Treaty", "JointStatement", "Declaration",
                           "ActionPlan", "NoteVerbale", "LoanAgreement", "OtherAgreement"}
    assert {str(ns.agreement_type_iri(t)).split("#")[1] for t in AGREEMENT_TYPES} == (
        contract_agreements
    )
    with pytest.raises(ValueError, match="unknown document type"):
        ns.doc_type_iri("memo")
    with pytest.raises(ValueError, match="unknown agreement type"):
        ns.agreement_type_iri("contract")
