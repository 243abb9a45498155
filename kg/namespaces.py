"""Namespaces, prefixes and IRI minting for the bilateral knowledge graph.

Everything that decides what a resource is called lives here, so that two builds of the same
facts — and saved SPARQL queries written against one build — always agree on names.

IRI scheme (see ``/work/shared/CONTRACT.md``)
---------------------------------------------
========================  ==================================================================
resource                  IRI
========================  ==================================================================
country                   ``https://w3id.org/bilateral-kg/id/country/{ISO3}``
person, organization,     ``https://w3id.org/bilateral-kg/id/{kind}/{h}`` where ``h`` is the
place, agreement,         first 16 hex digits of the SHA-1 of the fact's UTF-8 ``key``
meeting, program, visit
document                  ``https://w3id.org/bilateral-kg/id/document/{doc_id}``
passage                   ``https://w3id.org/bilateral-kg/id/document/{doc_id}/p{index}``
named graph of a document ``https://w3id.org/bilateral-kg/graph/{doc_id}``
========================  ==================================================================

Keys are already normalized by :func:`extract.facts.make_key`, so the same person named in two
documents gets the same IRI; hashing keeps IRIs short, ASCII and safe in every serialization.

>>> country_iri("jpn")
rdflib.term.URIRef('https://w3id.org/bilateral-kg/id/country/JPN')
>>> str(entity_iri("person", "サディルジャパロフ")).startswith(str(ID) + "person/")
True
>>> passage_iri("0123456789abcdef", 3)
rdflib.term.URIRef('https://w3id.org/bilateral-kg/id/document/0123456789abcdef/p3')
"""

from __future__ import annotations

import hashlib
import re
from types import MappingProxyType
from typing import Final

from rdflib import Namespace, URIRef
from rdflib.graph import Graph

from kg.prefixes import PREFIXES, SPARQL_PREFIXES

__all__ = [
    "AGREEMENT_TYPE_CLASSES",
    "BKG",
    "DOC_TYPE_CLASSES",
    "ENTITY_KINDS",
    "GRAPH",
    "ID",
    "KIND_CLASSES",
    "OA",
    "PREFIXES",
    "RESOLVED_GRAPH",
    "SPARQL_PREFIXES",
    "WD",
    "agreement_type_iri",
    "bind_prefixes",
    "country_iri",
    "doc_type_iri",
    "document_graph_iri",
    "document_iri",
    "entity_iri",
    "key_hash",
    "mention_iri",
    "passage_iri",
    "resolution_iri",
    "statement_iri",
]

#: The ontology: classes, properties and the individuals of document and agreement types.
BKG: Final = Namespace(PREFIXES["bkg"])
#: Resources (countries, persons, documents, passages…).
ID: Final = Namespace(PREFIXES["id"])
#: Named graphs, one per document.
GRAPH: Final = Namespace("https://w3id.org/bilateral-kg/graph/")
#: Wikidata items (``owl:sameAs`` targets of countries).
WD: Final = Namespace(PREFIXES["wd"])
#: W3C Web Annotation: where in a passage a quotation sits (TextPositionSelector, TextQuoteSelector).
OA: Final = Namespace(PREFIXES["oa"])

# PREFIXES (the contract's prefixes, plus ``rdf``, ``id``, ``wd`` and ``oa``) and SPARQL_PREFIXES
# (the PREFIX header of every query) are plain strings in kg.prefixes, importable without
# rdflib; they are re-exported here.

#: Entity and fact kinds that get an IRI under ``…/id/{kind}/``.
ENTITY_KINDS: Final = (
    "country",
    "person",
    "organization",
    "place",
    "agreement",
    "meeting",
    "program",
    "visit",
)

#: The ``bkg:`` class of each kind.
KIND_CLASSES: Final = MappingProxyType(
    {
        "country": BKG.Country,
        "person": BKG.Person,
        "organization": BKG.Organization,
        "place": BKG.Place,
        "agreement": BKG.Agreement,
        "meeting": BKG.Meeting,
        "program": BKG.Program,
        "visit": BKG.Visit,
    }
)

#: ``extract.facts.DOC_TYPES`` → the ``bkg:docType`` individual (``speech`` is an extension).
DOC_TYPE_CLASSES: Final = MappingProxyType(
    {
        "joint_statement": BKG.JointStatement,
        "declaration": BKG.Declaration,
        "meeting_summary": BKG.MeetingSummary,
        "press_statement": BKG.PressStatement,
        "country_brief": BKG.CountryBrief,
        "speech": BKG.Speech,
        "other": BKG.OtherDocument,
    }
)

#: ``extract.facts.AGREEMENT_TYPES`` → the ``bkg:agreementType`` individual.
AGREEMENT_TYPE_CLASSES: Final = MappingProxyType(
    {
        "mou": BKG.MoU,
        "exchange_of_notes": BKG.ExchangeOfNotes,
        "treaty": BKG.Treaty,
        "joint_statement": BKG.JointStatement,
        "declaration": BKG.Declaration,
        "action_plan": BKG.ActionPlan,
        "note_verbale": BKG.NoteVerbale,
        "loan": BKG.LoanAgreement,
        "other": BKG.OtherAgreement,
    }
)

_ISO3 = re.compile(r"[A-Z]{3}")
_DOC_ID = re.compile(r"[A-Za-z0-9._~-]+")


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on an rdflib ``Graph`` or ``Dataset`` and return it.

    >>> from rdflib import Dataset
    >>> ds = bind_prefixes(Dataset())
    >>> str(dict(ds.namespaces())["bkg"]) == str(BKG)
    True
    """
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True, replace=True)
    return graph


def key_hash(key: str) -> str:
    """The first 16 hex digits of the SHA-1 of ``key`` (UTF-8): the local name of an IRI.

    >>> key_hash("jica")
    '26057cbb2756e381'
    """
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def country_iri(iso3: str) -> URIRef:
    """The IRI of a country (or ``EUR``, the European Union) from its ISO 3166-1 alpha-3 code.

    >>> country_iri("KGZ")
    rdflib.term.URIRef('https://w3id.org/bilateral-kg/id/country/KGZ')
    """
    code = iso3.strip().upper()
    if not _ISO3.fullmatch(code):
        raise ValueError(f"not an ISO 3166-1 alpha-3 code: {iso3!r}")
    return ID[f"country/{code}"]


def entity_iri(kind: str, key: str) -> URIRef:
    """The IRI of an entity or fact of ``kind`` (one of :data:`ENTITY_KINDS`) with ``key``.

    Countries are named by ISO3 (:func:`country_iri`); every other kind by a hash of its key,
    so the IRI is deterministic, ASCII and the same in every document that names the thing.

    >>> entity_iri("organization", "jica") == entity_iri("organization", "jica")
    True
    >>> entity_iri("country", "JPN") == country_iri("JPN")
    True
    """
    if kind not in KIND_CLASSES:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(ENTITY_KINDS)}")
    if kind == "country":
        return country_iri(key)
    if not key:
        raise ValueError(f"empty key for a {kind}")
    return ID[f"{kind}/{key_hash(key)}"]


def _check_doc_id(doc_id: str) -> str:
    if not _DOC_ID.fullmatch(doc_id):
        raise ValueError(f"document id must be non-empty URL-safe ASCII, got {doc_id!r}")
    return doc_id


def document_iri(doc_id: str) -> URIRef:
    """The IRI of a document.

    >>> document_iri("d1")
    rdflib.term.URIRef('https://w3id.org/bilateral-kg/id/document/d1')
    """
    return ID[f"document/{_check_doc_id(doc_id)}"]


def passage_iri(doc_id: str, index: int) -> URIRef:
    """The IRI of the passage at position ``index`` (0-based) of a document."""
    if index < 0:
        raise ValueError(f"passage index must be >= 0, got {index}")
    return ID[f"document/{_check_doc_id(doc_id)}/p{index}"]


#: The named graph of cross-document resolution: one label and one date per resource where the
#: documents' own claims differ, and the record of how each was chosen (see kg.rdf).
RESOLVED_GRAPH: Final = GRAPH["resolved"]


def statement_iri(doc_id: str, kind: str, key: str, field: str) -> URIRef:
    """The IRI of a document's date statement about one field of one fact.

    >>> statement_iri("d1", "agreement", "k", "date")
    rdflib.term.URIRef('https://w3id.org/bilateral-kg/id/document/d1/date/agreement-13fbd79c3d390e5d-date')
    """
    return ID[f"document/{_check_doc_id(doc_id)}/date/{kind}-{key_hash(key)}-{field}"]


def mention_iri(doc_id: str, start: int, end: int) -> URIRef:
    """The IRI of the span ``start:end`` of a document's normalized text (a quotation).

    >>> mention_iri("d1", 10, 14)
    rdflib.term.URIRef('https://w3id.org/bilateral-kg/id/document/d1/span/10-14')
    """
    return ID[f"document/{_check_doc_id(doc_id)}/span/{start}-{end}"]


def resolution_iri(kind: str, key: str, field: str) -> URIRef:
    """The IRI of the record of how one field of one resource was resolved across documents."""
    return ID[f"resolution/{kind}-{key_hash(key)}-{field}"]


def document_graph_iri(doc_id: str) -> URIRef:
    """The name of the graph that holds everything read from one document.

    >>> document_graph_iri("d1")
    rdflib.term.URIRef('https://w3id.org/bilateral-kg/graph/d1')
    """
    return GRAPH[_check_doc_id(doc_id)]


def doc_type_iri(doc_type: str) -> URIRef:
    """The ``bkg:docType`` individual for one of ``extract.facts.DOC_TYPES``.

    >>> doc_type_iri("meeting_summary")
    rdflib.term.URIRef('https://w3id.org/bilateral-kg/ontology#MeetingSummary')
    """
    try:
        return DOC_TYPE_CLASSES[doc_type]
    except KeyError:
        raise ValueError(
            f"unknown document type {doc_type!r}; expected one of {', '.join(DOC_TYPE_CLASSES)}"
        ) from None


def agreement_type_iri(agreement_type: str) -> URIRef:
    """The ``bkg:agreementType`` individual for one of ``extract.facts.AGREEMENT_TYPES``.

    >>> agreement_type_iri("loan")
    rdflib.term.URIRef('https://w3id.org/bilateral-kg/ontology#LoanAgreement')
    """
    try:
        return AGREEMENT_TYPE_CLASSES[agreement_type]
    except KeyError:
        raise ValueError(
            f"unknown agreement type {agreement_type!r}; "
            f"expected one of {', '.join(AGREEMENT_TYPE_CLASSES)}"
        ) from None
