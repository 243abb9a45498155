"""Facts → RDF: one named graph per document, following ``/work/shared/CONTRACT.md``.

:func:`build_graph` is pure and deterministic: it reads :class:`extract.facts.DocumentFacts`
and returns an rdflib ``Dataset`` in which each document's graph
(:func:`kg.namespaces.document_graph_iri`) holds everything read from that document — the
``bkg:Document``, its ``bkg:Passage``\\ s, the countries, persons, organizations and places it
names, and the agreements, visits, meetings and programs read from it, each with provenance
(``bkg:mentionedIn`` / ``prov:wasDerivedFrom`` → passages). IRIs are minted from keys
(:mod:`kg.namespaces`), so a person named in two documents is one resource described in two
graphs, and two builds of the same facts are isomorphic.

Queries read the union of the named graphs as the default graph; the default graph of the
Dataset itself stays empty.

>>> from extract.facts import DocumentFacts, Document, Passage, Entity, Mention
>>> p = Passage(index=0, start=0, end=3, text="日本国")
>>> doc = Document(source="a.txt", doc_id="d1", text="日本国", title="t", date=None,
...                doc_type="other", passages=(p,))
>>> jpn = Entity(kind="country", key="JPN", label="日本", label_en="Japan", wikidata="Q17",
...              mentions=(Mention(passage=0, start=0, end=3, text="日本国"),))
>>> ds = build_graph([DocumentFacts(document=doc, entities=(jpn,))])
>>> len(ds.graph(document_graph_iri("d1"))) > 0
True
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Dataset, Literal, URIRef
from rdflib.graph import Graph

from extract.facts import (
    Agreement,
    DateValue,
    DocumentFacts,
    Entity,
    Meeting,
    Mention,
    Program,
    Visit,
    make_key,
)
from kg.namespaces import (
    BKG,
    KIND_CLASSES,
    WD,
    agreement_type_iri,
    bind_prefixes,
    country_iri,
    doc_type_iri,
    document_graph_iri,
    document_iri,
    entity_iri,
    passage_iri,
)

__all__ = [
    "build_graph",
    "add_document",
    "date_literal",
    "visit_label",
    "graph_to_trig",
    "write_trig",
]

_ISO3 = re.compile(r"[A-Z]{3}")
_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")


def date_literal(date: DateValue) -> Literal:
    """A date as a typed literal at the precision the text gives.

    >>> date_literal(DateValue(2023, 7, 6)).datatype == XSD.date
    True
    >>> str(date_literal(DateValue(2022, 12))), date_literal(DateValue(2022, 12)).datatype == XSD.gYearMonth
    ('2022-12', True)
    >>> date_literal(DateValue(2050)).datatype == XSD.gYear
    True
    """
    if date.month is None:
        datatype = XSD.gYear
    elif date.day is None:
        datatype = XSD.gYearMonth
    else:
        datatype = XSD.date
    return Literal(date.iso(), datatype=datatype)


def _ja(text: str) -> Literal:
    return Literal(text, lang="ja")


def visit_label(visitor: str, destination_iso3: str, destination: str, start: DateValue | None) -> str:
    """A readable label for a visit: ``サディル・ジャパロフ訪日 2023-11-17``.

    >>> visit_label("サディル・ジャパロフ", "JPN", "日本", DateValue(2023, 11, 17))
    'サディル・ジャパロフ訪日 2023-11-17'
    >>> visit_label("岸田文雄", "KAZ", "カザフスタン", None)
    '岸田文雄のカザフスタン訪問'
    """
    head = f"{visitor}訪日" if destination_iso3 == "JPN" else f"{visitor}の{destination}訪問"
    return f"{head} {start.iso()}" if start is not None else head


class _DocumentWriter:
    """Writes one document's facts into its named graph; resolves entity keys to IRIs."""

    def __init__(self, graph: Graph, facts: DocumentFacts) -> None:
        self.graph = graph
        self.facts = facts
        self.doc_id = facts.document.doc_id
        self.entities: dict[tuple[str, str], Entity] = {
            (e.kind, e.key): e for e in facts.entities
        }
        self.countries = {e.key for e in facts.entities if e.kind == "country"}

    # --- small helpers ------------------------------------------------------------------

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def passage(self, index: int) -> URIRef:
        return passage_iri(self.doc_id, index)

    def mentioned_in(self, iri: URIRef, passages: Iterable[int]) -> None:
        for index in sorted(set(passages)):
            self.add(iri, BKG.mentionedIn, self.passage(index))

    def provenance(
        self, iri: URIRef, passages: Iterable[int], mentions: Iterable[Mention]
    ) -> list[int]:
        indexes = sorted({*passages, *(m.passage for m in mentions)})
        for index in indexes:
            self.add(iri, BKG.mentionedIn, self.passage(index))
            self.add(iri, PROV.wasDerivedFrom, self.passage(index))
        return indexes

    def label_of(self, kind: str, key: str) -> str:
        entity = self.entities.get((kind, key))
        return entity.label if entity is not None else key

    def resolve(
        self,
        key: str,
        kinds: tuple[str, ...],
        fallback: str | None,
        passages: Iterable[int],
    ) -> URIRef | None:
        """The IRI of an entity key used inside a fact.

        A country key (ISO3) of the document → the country; else the document's entity of
        the first of ``kinds`` with that key; else an ISO3-looking key → a country when
        countries are allowed; else the ``fallback`` kind, described minimally (type, the key
        as label, mentioned in the fact's passages) so the reference does not dangle; else
        ``None`` (the key is skipped).
        """
        if not key:
            return None
        if "country" in kinds and key in self.countries:
            return country_iri(key)
        for kind in kinds:
            if (kind, key) in self.entities:
                return entity_iri(kind, key)
        if "country" in kinds and _ISO3.fullmatch(key):
            iri = country_iri(key)
            self.add(iri, RDF.type, BKG.Country)
            self.add(iri, BKG.iso3, Literal(key))
            self.mentioned_in(iri, passages)
            return iri
        if fallback is None:
            return None
        iri = entity_iri(fallback, key)
        self.add(iri, RDF.type, KIND_CLASSES[fallback])
        self.add(iri, RDFS.label, _ja(key))
        self.mentioned_in(iri, passages)
        return iri

    # --- the document and its passages ----------------------------------------------------

    def document(self) -> None:
        doc = self.facts.document
        iri = document_iri(doc.doc_id)
        self.add(iri, RDF.type, BKG.Document)
        self.add(iri, DCTERMS.title, _ja(doc.title))
        if doc.date is not None:
            self.add(iri, DCTERMS.date, date_literal(doc.date))
        self.add(iri, BKG.docType, doc_type_iri(doc.doc_type))
        self.add(iri, DCTERMS.source, Literal(doc.source))
        self.add(iri, BKG.provisionalTranslation, Literal(doc.provisional_translation))
        self.citation(iri, doc)
        if doc.place is not None and ("place", make_key(doc.place)) in self.entities:
            self.add(iri, BKG.place, entity_iri("place", make_key(doc.place)))
        for p in doc.passages:
            piri = self.passage(p.index)
            self.add(piri, RDF.type, BKG.Passage)
            self.add(piri, BKG.document, iri)
            self.add(piri, BKG.text, _ja(p.text))
            self.add(piri, BKG.charStart, Literal(p.start, datatype=XSD.integer))
            self.add(piri, BKG.charEnd, Literal(p.end, datatype=XSD.integer))
            self.add(piri, BKG.order, Literal(p.index, datatype=XSD.integer))
            self.add(piri, BKG.passageKind, Literal(p.kind))
            if p.number is not None:
                self.add(piri, BKG.paragraph, Literal(p.number))
            if p.section is not None:
                self.add(piri, BKG.section, _ja(p.section))

    def citation(self, iri: URIRef, doc) -> None:
        """Where the document comes from (a sidecar, else its own headers): what a citation needs."""
        meta = dict(doc.meta)
        if meta.get("url"):
            self.add(iri, PROV.wasQuotedFrom, URIRef(meta["url"]))
        if meta.get("publisher"):
            self.add(iri, DCTERMS.publisher, Literal(meta["publisher"]))
        if meta.get("title") and meta["title"] != doc.title:
            self.add(iri, DCTERMS.alternative, Literal(meta["title"]))
        if meta.get("date"):
            self.add(iri, DCTERMS.issued, date_literal(DateValue.from_iso(meta["date"])))
        if meta.get("place"):
            self.add(iri, BKG.issuedAt, Literal(meta["place"]))
        if meta.get("language"):
            self.add(iri, DCTERMS.language, Literal(meta["language"]))
        if meta.get("source_language"):
            self.add(iri, BKG.sourceLanguage, Literal(meta["source_language"]))
        if meta.get("license"):
            licence = meta["license"]
            self.add(iri, DCTERMS.license,
                     URIRef(licence) if licence.startswith(("http://", "https://")) else Literal(licence))
        if meta.get("retrieved"):
            self.add(iri, BKG.retrieved, date_literal(DateValue.from_iso(meta["retrieved"])))
        if meta.get("notes"):
            self.add(iri, SKOS.note, Literal(meta["notes"]))
        if doc.meta_origin:
            self.add(iri, BKG.metadataFrom, Literal(doc.meta_origin))

    # --- entities -------------------------------------------------------------------------

    def entity(self, e: Entity) -> None:
        iri = entity_iri(e.kind, e.key)
        self.add(iri, RDF.type, KIND_CLASSES[e.kind])
        self.add(iri, RDFS.label, _ja(e.label))
        if e.label_en:
            self.add(iri, RDFS.label, Literal(e.label_en, lang="en"))
        for alias in e.aliases:
            if alias and alias != e.label:
                self.add(iri, SKOS.altLabel, _ja(alias))
        if e.kind == "country":
            self.add(iri, BKG.iso3, Literal(e.key.upper()))
        if e.wikidata and _WIKIDATA_ID.fullmatch(e.wikidata):
            self.add(iri, OWL.sameAs, WD[e.wikidata])
        if e.kind == "person" and e.role:
            self.add(iri, BKG.role, _ja(e.role))
        if e.kind in ("person", "organization", "place") and e.country:
            self.add(iri, BKG.country, country_iri(e.country))
        self.mentioned_in(iri, (m.passage for m in e.mentions))

    # --- facts ----------------------------------------------------------------------------

    def agreement(self, a: Agreement) -> None:
        iri = entity_iri("agreement", a.key)
        self.add(iri, RDF.type, BKG.Agreement)
        self.add(iri, RDFS.label, _ja(a.label))
        self.add(iri, BKG.agreementType, agreement_type_iri(a.agreement_type))
        where = self.provenance(iri, a.passages, a.mentions)
        for key in a.parties:
            party = self.resolve(key, ("country", "organization"), "organization", where)
            if party is not None:
                self.add(iri, BKG.party, party)
        if a.date is not None:
            self.add(iri, BKG.date, date_literal(a.date))
        if a.referenced_only:
            self.add(iri, BKG.referencedOnly, Literal(True))
        if a.place:
            place = self.resolve(a.place, ("place",), "place", where)
            if place is not None:
                self.add(iri, BKG.place, place)

    def visit(self, v: Visit) -> None:
        iri = entity_iri("visit", v.key)
        self.add(iri, RDF.type, BKG.Visit)
        where = self.provenance(iri, v.passages, v.mentions)
        visitor = self.resolve(v.visitor, ("person",), "person", where)
        if visitor is not None:
            self.add(iri, BKG.visitor, visitor)
        destination = self.resolve(v.destination, ("country",), None, where)
        if destination is not None:
            self.add(iri, BKG.destination, destination)
        if v.start is not None:
            self.add(iri, BKG.startDate, date_literal(v.start))
        if v.end is not None:
            self.add(iri, BKG.endDate, date_literal(v.end))
        label = visit_label(
            self.label_of("person", v.visitor),
            v.destination,
            self.label_of("country", v.destination),
            v.start,
        )
        self.add(iri, RDFS.label, _ja(label))

    def meeting(self, m: Meeting) -> None:
        iri = entity_iri("meeting", m.key)
        self.add(iri, RDF.type, BKG.Meeting)
        self.add(iri, RDFS.label, _ja(m.label))
        where = self.provenance(iri, m.passages, m.mentions)
        if m.date is not None:
            self.add(iri, BKG.date, date_literal(m.date))
        if m.start is not None:
            self.add(iri, BKG.startDate, date_literal(m.start))
        if m.end is not None:
            self.add(iri, BKG.endDate, date_literal(m.end))
        if m.place:
            place = self.resolve(m.place, ("place",), "place", where)
            if place is not None:
                self.add(iri, BKG.place, place)
        for key in m.participants:
            who = self.resolve(key, ("country", "person", "organization"), None, where)
            if who is not None:
                self.add(iri, BKG.participant, who)
        if m.ordinal is not None:
            self.add(iri, BKG.ordinal, Literal(m.ordinal, datatype=XSD.integer))
        if m.series:
            self.add(iri, BKG.series, _ja(m.series))

    def program(self, p: Program) -> None:
        iri = entity_iri("program", p.key)
        self.add(iri, RDF.type, BKG.Program)
        self.add(iri, RDFS.label, _ja(p.label))
        for alias in p.aliases:
            if alias and alias != p.label:
                self.add(iri, SKOS.altLabel, _ja(alias))
        where = self.provenance(iri, p.passages, p.mentions)
        for key in p.participants:
            who = self.resolve(key, ("country", "organization"), None, where)
            if who is not None:
                self.add(iri, BKG.participant, who)
        for key in p.implemented_by:
            org = self.resolve(key, ("organization",), "organization", where)
            if org is not None:
                self.add(iri, BKG.implementedBy, org)

    def write(self) -> None:
        self.document()
        for e in self.facts.entities:
            self.entity(e)
        for a in self.facts.agreements:
            self.agreement(a)
        for v in self.facts.visits:
            self.visit(v)
        for m in self.facts.meetings:
            self.meeting(m)
        for p in self.facts.programs:
            self.program(p)


def add_document(ds: Dataset, facts: DocumentFacts) -> Graph:
    """Add one document's facts to ``ds`` as its own named graph and return that graph."""
    graph = ds.graph(document_graph_iri(facts.document.doc_id))
    _DocumentWriter(graph, facts).write()
    return graph


def build_graph(facts: Iterable[DocumentFacts]) -> Dataset:
    """Build the knowledge graph: one named graph per document, prefixes bound.

    Parameters
    ----------
    facts
        The facts of each document, in any order (the result does not depend on it).

    Returns
    -------
    rdflib.Dataset
        Named graphs ``…/graph/{doc_id}``; the default graph is left empty.

    Raises
    ------
    ValueError
        On a document or agreement type outside ``extract.facts.DOC_TYPES`` /
        ``AGREEMENT_TYPES``, or a malformed ISO3 code or document id.
    """
    ds = bind_prefixes(Dataset())
    for item in facts:
        add_document(ds, item)
    return ds


def graph_to_trig(ds: Dataset) -> str:
    """Serialize a Dataset as TriG (prefixes bound as in :func:`kg.namespaces.bind_prefixes`).

    Byte for byte the same for the same graph, whatever order the facts were added in or the
    interpreter's hash seed: the named graphs are written in the order of their IRIs (rdflib
    writes them in its store's order, which follows set iteration)."""
    ordered = Dataset()
    bind_prefixes(ordered)
    for graph in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        target = ordered.graph(graph.identifier)
        for triple in sorted(graph, key=lambda t: tuple(term.n3() for term in t)):
            target.add(triple)
    return ordered.serialize(format="trig")


def write_trig(ds: Dataset, path: Path | str) -> Path:
    """Write ``ds`` as TriG (UTF-8) to ``path`` atomically and return the path.

    The file is written next to the target and renamed into place, so a reader never sees a
    half-written file and a failure leaves any previous file untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = graph_to_trig(ds).encode("utf-8")
    # Not mkstemp: its files are private (0600); this one is created with the usual umask.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
