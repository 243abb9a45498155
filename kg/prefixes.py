"""The graph's prefixes as plain strings, importable without rdflib.

:mod:`kg.namespaces` builds its rdflib ``Namespace``\\ s from these and re-exports both names;
this module exists so that the light commands (``bkg query``, ``bkg stats``, ``bkg queries``)
and :mod:`kg.store` can declare the prefixes without importing rdflib, which costs more than
a third of a second at start.

>>> PREFIXES["bkg"]
'https://w3id.org/bilateral-kg/ontology#'
>>> SPARQL_PREFIXES.splitlines()[0]
'PREFIX bkg: <https://w3id.org/bilateral-kg/ontology#>'
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["PREFIXES", "SPARQL_PREFIXES"]

#: The contract's prefixes, plus ``rdf``, ``id``, ``wd`` and ``oa`` for convenience (the W3C
#: ones are those of rdflib's ``RDF``, ``RDFS``, ``SKOS``, ``PROV``, ``DCTERMS``, ``OWL``, ``XSD``).
PREFIXES: Final = MappingProxyType(
    {
        "bkg": "https://w3id.org/bilateral-kg/ontology#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "prov": "http://www.w3.org/ns/prov#",
        "dcterms": "http://purl.org/dc/terms/",
        "owl": "http://www.w3.org/2002/07/owl#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "id": "https://w3id.org/bilateral-kg/id/",
        "wd": "http://www.wikidata.org/entity/",
        "oa": "http://www.w3.org/ns/oa#",
    }
)

#: The PREFIX header of every query, one declaration a line.
SPARQL_PREFIXES: Final = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
