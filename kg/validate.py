"""Check a build against the data contract with SHACL (``kg/shapes.ttl``), using pySHACL.

The data graph is the union of all document graphs (as queries see it). The ontology
(``kg/ontology.ttl``) is given to pySHACL as the ontology graph; RDFS inference is off by default
(the contract is about what is asserted), ``inference="rdfs"`` turns it on.

Violations fail validation; warnings (a date or place the text does not give) are reported but
do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ONTOLOGY",
    "SHAPES",
    "ValidationResult",
    "ValidationReport",
    "validate",
    "validate_graph",
    "load_union",
]

ONTOLOGY = Path(__file__).with_name("ontology.ttl")
SHAPES = Path(__file__).with_name("shapes.ttl")

_PREFIXES = {
    "https://w3id.org/bilateral-kg/ontology#": "bkg:",
    "https://w3id.org/bilateral-kg/id/": "id:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/2002/07/owl#": "owl:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
}


def _short(term: Any) -> str:
    if term is None:
        return ""
    text = str(term)
    for long, short in _PREFIXES.items():
        if text.startswith(long):
            return short + text[len(long) :]
    return text


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, made readable."""

    severity: str  # "Violation" | "Warning" | "Info"
    focus: str  # the focus node's IRI
    focus_label: str  # its label, or the shortened IRI
    path: str  # the property, shortened ("bkg:date"), or "" for node-level results
    message: str
    value: str = ""
    shape: str = ""

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.severity}: {self.focus_label} <{self.focus}>{path}: {self.message}{value}"


@dataclass
class ValidationReport:
    """What :func:`validate` found. ``conforms`` is true when there is no violation."""

    results: list[ValidationResult] = field(default_factory=list)
    text: str = ""  # pySHACL's own report text
    triples: int = 0

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def load_union(source: Path | str) -> Any:
    """The union of a build's graphs as one rdflib ``Graph``.

    ``source`` is a build directory (``DIR/store`` or ``DIR/kg.trig``) or an RDF file.
    """
    import pyoxigraph as ox
    import rdflib

    from kg.export import open_build
    from kg.store import union_options

    store = open_build(source)
    data = ox.serialize(
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", **union_options(store)),
        format=ox.RdfFormat.N_TRIPLES,
    )
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    return graph


def validate_graph(data_graph: Any, *, inference: str = "none") -> ValidationReport:
    """Validate an rdflib graph against ``kg/shapes.ttl``."""
    import rdflib
    from pyshacl import validate as shacl_validate
    from rdflib.namespace import RDF, RDFS, SH, SKOS

    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    ontology = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    _conforms, report_graph, text = shacl_validate(
        data_graph,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference=inference,
        allow_warnings=True,
        meta_shacl=False,
        advanced=True,
    )

    def label(node: Any) -> str:
        labels = list(data_graph.objects(node, RDFS.label)) or list(
            data_graph.objects(node, SKOS.prefLabel)
        )
        ja = [lab for lab in labels if getattr(lab, "language", None) == "ja"]
        chosen = (ja or labels or [None])[0]
        return str(chosen) if chosen is not None else _short(node)

    results = []
    for res in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(res, SH.focusNode)
        severity = report_graph.value(res, SH.resultSeverity)
        path = report_graph.value(res, SH.resultPath)
        messages = [str(m) for m in report_graph.objects(res, SH.resultMessage)]
        value = report_graph.value(res, SH.value)
        shape = report_graph.value(res, SH.sourceShape)
        results.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(focus),
                focus_label=label(focus),
                path=_short(path) if isinstance(path, rdflib.URIRef) else "",
                message="; ".join(sorted(messages)) or "constraint not met",
                value=_short(value) if value is not None else "",
                shape=_short(shape) if isinstance(shape, rdflib.URIRef) else "",
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda r: (order.get(r.severity, 3), r.focus_label, r.path, r.message))
    return ValidationReport(results=results, text=text, triples=len(data_graph))


def validate(store_dir: Path | str, *, inference: str = "none") -> ValidationReport:
    """Validate a build (``DIR`` with ``store/`` or ``kg.trig``) against the contract's shapes.

    ``inference`` is pySHACL's: ``"none"`` (default) or ``"rdfs"`` (with ``kg/ontology.ttl``).
    """
    return validate_graph(load_union(store_dir), inference=inference)
