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

import io
import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Dataset, Literal, URIRef
from rdflib.graph import Graph

from extract.datenotes import date_notes
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
from extract.resolve import Resolution
from kg.namespaces import (
    BKG,
    ID,
    KIND_CLASSES,
    OA,
    PREFIXES,
    RESOLVED_GRAPH,
    WD,
    agreement_type_iri,
    bind_prefixes,
    country_iri,
    doc_type_iri,
    document_graph_iri,
    document_iri,
    entity_iri,
    key_hash,
    mention_iri,
    passage_iri,
    resolution_iri,
    statement_iri,
)

__all__ = [
    "TRIG_PREFIXES",
    "QuadSink",
    "add_document",
    "assemble_trig",
    "build_graph",
    "date_literal",
    "graph_body",
    "graph_body_bytes",
    "graph_to_trig",
    "trig_head",
    "visit_label",
    "write_trig",
]

class _Terms:
    """A namespace whose terms are made once. rdflib's ``Namespace`` builds and validates a new
    ``URIRef`` at every attribute access: a cost paid per triple, which counts when a document
    has millions of them (issue 9)."""

    def __init__(self, namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):  # not a term of ours (copy, pickle and mock probes)
            raise AttributeError(name)
        term = getattr(self._namespace, name)
        setattr(self, name, term)  # found on the instance from now on
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self._namespace[name]

    def __str__(self) -> str:
        return str(self._namespace)


BKG, DCTERMS, OA, OWL, PROV, RDF, RDFS, SKOS, XSD = (
    _Terms(ns) for ns in (BKG, DCTERMS, OA, OWL, PROV, RDF, RDFS, SKOS, XSD))


_ISO3 = re.compile(r"[A-Z]{3}")
_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")
_PRECISION = {4: BKG.YearPrecision, 7: BKG.MonthPrecision, 10: BKG.DayPrecision}
_EVENT_KINDS = {
    "signed": BKG.Signed, "approved": BKG.Approved, "ratified": BKG.Ratified,
    "exchanged": BKG.InstrumentsExchanged, "entered_into_force": BKG.EnteredIntoForce,
    "amended": BKG.Amended, "terminated": BKG.Terminated, "adopted": BKG.Adopted,
}
_PARTNERSHIP_STATUSES = {  # partnership ledger (issue 12)
    "established": BKG.Established, "upgraded": BKG.Upgraded,
    "reaffirmed": BKG.Reaffirmed, "referenced": BKG.Referenced,
}
_EVENT_WORDS = {
    "signed": "署名", "approved": "承認", "ratified": "批准", "exchanged": "交換",
    "entered_into_force": "発効", "amended": "改正", "terminated": "終了", "adopted": "採択・発出",
}
_DATE_PROPERTIES = {"date": BKG.date, "start": BKG.startDate, "end": BKG.endDate}
_ANCHOR_KINDS = {"document": BKG.DocumentDate, "text": BKG.EarlierDate}


_SENTENCE_END = re.compile(r"[。！？!?]")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that holds ``start:end`` (ended by 。！？; the whole text if none).

    >>> sentence_around("両国は会談した。協定に署名した。以上", 8, 10)
    '協定に署名した。'
    """
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, max(0, start))), default=0)
    m = _SENTENCE_END.search(text, max(end, left))
    right = m.end() if m else len(text)
    return text[left:right].strip()


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

    def __init__(self, graph: Graph, facts: DocumentFacts, resolution: Resolution | None = None) -> None:
        self.graph = graph
        self.facts = facts
        self.resolution = resolution or Resolution([facts])
        self.doc_id = facts.document.doc_id
        self.entities: dict[tuple[str, str], Entity] = {
            (e.kind, e.key): e for e in facts.entities
        }
        self.countries = {e.key for e in facts.entities if e.kind == "country"}
        self.date_notes = {(n.kind, n.key, n.field): n for n in date_notes(facts)}
        self._quoted: set[tuple[int, int]] = set()
        self._passages: dict[int, URIRef] = {}  # passage IRIs, made once (issue 9)
        self.resolved_labels: set[tuple[URIRef, str]] = set()  # labels only the resolution gives

    # --- small helpers ------------------------------------------------------------------

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def passage(self, index: int) -> URIRef:
        iri = self._passages.get(index)
        if iri is None:
            iri = self._passages[index] = passage_iri(self.doc_id, index)
        return iri

    def mentioned_in(self, iri: URIRef, passages: Iterable[int]) -> None:
        for index in sorted(set(passages)):
            self.add(iri, BKG.mentionedIn, self.passage(index))

    def quotation(self, index: int, start: int, end: int) -> URIRef:
        """The span ``start:end`` (offsets into the document's text) of passage ``index`` as a
        W3C Web Annotation target: ``oa:hasSource`` the passage, a ``oa:TextPositionSelector``
        (offsets into the passage's ``bkg:text``) and a ``oa:TextQuoteSelector`` (exact, prefix,
        suffix), with the sentence it sits in as ``bkg:sentence``."""
        iri = mention_iri(self.doc_id, start, end)
        if (start, end) in self._quoted:
            return iri
        self._quoted.add((start, end))
        passage = self.facts.document.passages[index]
        text = passage.text
        s, e = max(0, start - passage.start), min(len(text), end - passage.start)
        position, quote = URIRef(f"{iri}#position"), URIRef(f"{iri}#quote")
        self.add(iri, RDF.type, OA.SpecificResource)
        self.add(iri, OA.hasSource, self.passage(index))
        self.add(iri, OA.hasSelector, position)
        self.add(iri, OA.hasSelector, quote)
        self.add(position, RDF.type, OA.TextPositionSelector)
        self.add(position, OA.start, Literal(s, datatype=XSD.nonNegativeInteger))
        self.add(position, OA.end, Literal(e, datatype=XSD.nonNegativeInteger))
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(text[s:e]))
        if s:
            self.add(quote, OA.prefix, Literal(text[max(0, s - 16):s]))
        if e < len(text):
            self.add(quote, OA.suffix, Literal(text[e:e + 16]))
        self.add(iri, BKG.sentence, _ja(sentence_around(text, s, e)))
        return iri

    def quotations(self, iri: URIRef, mentions: Iterable[Mention]) -> None:
        for m in mentions:
            if 0 <= m.passage < len(self.facts.document.passages):
                self.add(iri, BKG.quotation, self.quotation(m.passage, m.start, m.end))

    def provenance(
        self, iri: URIRef, passages: Iterable[int], mentions: Iterable[Mention]
    ) -> list[int]:
        mentions = tuple(mentions)
        self.quotations(iri, mentions)
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
        self.label_claim(iri, e.kind, e.key, e.label)
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
            if e.role_en:  # the gazetteer's English for it (issue 13)
                self.add(iri, BKG.roleEnglish, Literal(e.role_en, lang="en"))
        if e.kind in ("person", "organization", "place") and e.country:
            self.add(iri, BKG.country, country_iri(e.country))
        self.mentioned_in(iri, (m.passage for m in e.mentions))
        self.quotations(iri, e.mentions)

    # --- claims ---------------------------------------------------------------------------

    def label_claim(self, iri: URIRef, kind: str, key: str, own: str) -> None:
        """The document's own name for a resource: its ``rdfs:label`` when it is the resolved
        (fullest) one, else a ``skos:altLabel`` (the resolved label is in the resolved graph)."""
        best = self.resolution.label(kind, key) or own
        self.add(iri, RDFS.label if own == best else SKOS.altLabel, _ja(own))

    def date_claim(self, iri: URIRef, prop: URIRef, kind: str, key: str, field: str,
                   value: DateValue | None, passages: Iterable[int]) -> None:
        """What the document says a date is: always a ``bkg:DateStatement``; the plain property
        (``bkg:date`` …) too when the document agrees with the resolution."""
        if value is None:
            return
        best = self.resolution.date(kind, key, field)
        if best is None or best == value:
            self.add(iri, prop, date_literal(value))
        st = statement_iri(self.doc_id, kind, key, field)
        self.add(iri, BKG.dateStatement, st)
        self.add(st, RDF.type, BKG.DateStatement)
        self.add(st, BKG.about, iri)
        self.add(st, BKG.property, prop)
        self.add(st, BKG.value, date_literal(value))
        self.add(st, BKG.precision, _PRECISION[len(value.iso())])
        self.add(st, BKG.statedIn, document_iri(self.doc_id))
        for index in sorted(set(passages)):
            self.add(st, PROV.wasDerivedFrom, self.passage(index))
        note = self.date_notes.get((kind, key, field))
        if note is not None:
            self.date_note(st, note)

    def date_note(self, st: URIRef, note) -> None:
        """How the date is written: its text, span, era, whether relative and to what, approximate."""
        self.add(st, BKG.writtenAs, _ja(note.text))
        if note.era:
            self.add(st, BKG.era, _ja(note.era))
        self.add(st, BKG.relative, Literal(bool(note.relative)))
        if note.relative and note.anchor is not None:
            self.add(st, BKG.anchoredTo, date_literal(note.anchor))
            if note.anchor_kind:
                self.add(st, BKG.anchorKind, _ANCHOR_KINDS[note.anchor_kind])
        self.add(st, BKG.approximate, Literal(bool(note.approximate)))
        if note.part_of_month:
            self.add(st, BKG.partOfMonth, Literal(note.part_of_month))
        if note.passage is not None:
            self.add(st, BKG.quotation, self.quotation(note.passage, note.start, note.end))

    # --- facts ----------------------------------------------------------------------------

    def agreement(self, a: Agreement) -> None:
        iri = entity_iri("agreement", a.key)
        self.add(iri, RDF.type, BKG.Agreement)
        self.label_claim(iri, "agreement", a.key, a.label)
        self.add(iri, BKG.agreementType, agreement_type_iri(a.agreement_type))
        where = self.provenance(iri, a.passages, a.mentions)
        for key in a.parties:
            party = self.resolve(key, ("country", "organization"), "organization", where)
            if party is not None:
                self.add(iri, BKG.party, party)
        self.date_claim(iri, BKG.date, "agreement", a.key, "date", a.date, where)
        if a.referenced_only:
            self.add(iri, BKG.referencedOnly, Literal(True))
        if a.place:
            place = self.resolve(a.place, ("place",), "place", where)
            if place is not None:
                self.add(iri, BKG.place, place)

    def event(self, ev) -> None:
        """One event of an agreement's life (signed, exchanged, ratified, in force …), one resource
        per agreement, kind and date however many documents report it."""
        iri = ID[f"event/{key_hash(ev.key)}"]
        agreement = entity_iri("agreement", ev.agreement)
        self.add(iri, RDF.type, BKG.AgreementEvent)
        self.add(iri, BKG.eventOf, agreement)
        self.add(agreement, BKG.event, iri)
        self.add(iri, BKG.eventKind, _EVENT_KINDS[ev.kind])
        name = self.resolution.label("agreement", ev.agreement) or ev.agreement
        when = f" {ev.date.iso()}" if ev.date is not None else ""
        self.add(iri, RDFS.label, _ja(f"{name} — {_EVENT_WORDS[ev.kind]}{when}"))
        if ev.date is not None:
            self.add(iri, BKG.date, date_literal(ev.date))
        if ev.scheduled:
            self.add(iri, BKG.scheduled, Literal(True))
        self.add(iri, BKG.predicate, _ja(ev.predicate))
        where = self.provenance(iri, (ev.passage,), (ev.mention,))
        if ev.place:
            place = self.resolve(ev.place, ("place",), "place", where)
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
        self.date_claim(iri, BKG.startDate, "visit", v.key, "start", v.start, where)
        self.date_claim(iri, BKG.endDate, "visit", v.key, "end", v.end, where)
        country = self.label_of("country", v.destination)
        own = visit_label(self.label_of("person", v.visitor), v.destination, country, v.start)
        best = visit_label(
            self.resolution.label("person", v.visitor) or self.label_of("person", v.visitor),
            v.destination, country, self.resolution.date("visit", v.key, "start") or v.start,
        )
        self.add(iri, RDFS.label if own == best else SKOS.altLabel, _ja(own))
        if own != best:  # the resolved visitor and start may come from different documents
            self.resolved_labels.add((iri, best))

    def meeting(self, m: Meeting) -> None:
        iri = entity_iri("meeting", m.key)
        self.add(iri, RDF.type, BKG.Meeting)
        self.label_claim(iri, "meeting", m.key, m.label)
        where = self.provenance(iri, m.passages, m.mentions)
        self.date_claim(iri, BKG.date, "meeting", m.key, "date", m.date, where)
        self.date_claim(iri, BKG.startDate, "meeting", m.key, "start", m.start, where)
        self.date_claim(iri, BKG.endDate, "meeting", m.key, "end", m.end, where)
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
        self.label_claim(iri, "program", p.key, p.label)
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

    # --- partnership ledger (issue 12) ---------------------------------------------------

    def partnership(self, pt) -> None:
        """One relationship level between partners (``bkg:Partnership``, one resource per partners
        and level, ``id:partnership/JPN-KGZ/comprehensive``), its ``bkg:PartnershipLevel`` on the
        ladder, and one ``bkg:PartnershipStatus`` per status and date, with provenance, quotation
        and a date statement."""
        from extract.partnerships import ladder

        levels = {lv.key: lv for lv in ladder()}
        iri = ID[f"partnership/{'-'.join(pt.partners)}/{pt.level}"]
        level = ID[f"partnership-level/{pt.level}"]
        self.add(iri, RDF.type, BKG.Partnership)
        self.add(iri, BKG.level, level)
        names = "・".join(self.label_of("country", k) for k in pt.partners)
        self.add(iri, RDFS.label, _ja(f"{names} {pt.label}") if pt.label else _ja(names))
        for st in pt.statuses:
            self.add(iri, BKG.levelAsWritten, _ja(st.written))
        self.add(level, RDF.type, BKG.PartnershipLevel)
        if pt.level in levels:
            self.add(level, RDFS.label, Literal(levels[pt.level].label_en, lang="en"))
            self.add(level, BKG.rank, Literal(levels[pt.level].rank, datatype=XSD.integer))
        where = self.provenance(iri, pt.passages, ())
        for key in pt.partners:
            if _ISO3.fullmatch(key):
                partner = self.resolve(key, ("country",), None, where)
            else:
                partner = ID[f"group/{key}"]
                self.add(partner, RDF.type, BKG.CountryGroup)
                self.add(partner, RDFS.label, Literal(key))
            if partner is not None:
                self.add(iri, BKG.partner, partner)
        for st in pt.statuses:
            when = st.date.iso() if st.date is not None else "undated"
            skey = f"{pt.key}/{st.status}/{when}"
            ev = ID[f"partnership-status/{key_hash(skey)}"]
            self.add(ev, RDF.type, BKG.PartnershipStatus)
            self.add(ev, BKG.statusOf, iri)
            self.add(ev, BKG.status, _PARTNERSHIP_STATUSES[st.status])
            self.add(ev, BKG.levelAsWritten, _ja(st.written))
            self.add(ev, RDFS.label, _ja(f"{names} {st.written} — {st.status}{'' if st.date is None else ' ' + when}"))
            if st.predicate:
                self.add(ev, BKG.predicate, _ja(st.predicate))
            at = self.provenance(ev, (st.passage,), (st.mention,))
            self.date_claim(ev, BKG.date, "partnership_status", skey, "date", st.date, at)

    # --- diplomatic event coding, PLOVER (issue 12) --------------------------------------

    def diplomatic_event(self, ev) -> None:
        """One diplomatic act of one sentence (``bkg:DiplomaticEvent``): its PLOVER type and mode,
        the predicate as written, source and target actors, topic, negation, date, and the
        sentence as provenance and quotation, as for an agreement's events."""
        iri = ID[f"diplomatic-event/{key_hash(ev.key)}"]
        self.add(iri, RDF.type, BKG.DiplomaticEvent)
        self.add(iri, BKG.ploverType, Literal(ev.code))
        if ev.mode:
            self.add(iri, BKG.ploverMode, Literal(ev.mode))
        self.add(iri, BKG.predicateAsWritten, _ja(ev.predicate))
        self.add(iri, BKG.negated, Literal(bool(ev.negated)))
        if ev.modality:
            self.add(iri, BKG.modality, Literal(ev.modality))
        if ev.topic:
            self.add(iri, BKG.topic, _ja(ev.topic))
        if ev.date is not None:
            self.add(iri, BKG.date, date_literal(ev.date))
        who = "・".join(self.label_of("country", k) for k in ev.sources) or "?"
        self.add(iri, RDFS.label, _ja(f"{who} {ev.predicate} ({ev.code})"))
        mentions = tuple(m for m in (ev.mention, ev.trigger) if m is not None)
        where = self.provenance(iri, (ev.passage,), mentions)
        for prop, keys in ((BKG.sourceActor, ev.sources), (BKG.targetActor, ev.targets)):
            for key in keys:
                actor = self.resolve(key, ("country", "organization", "person"), "organization", where)
                if actor is not None:
                    self.add(iri, prop, actor)

    # --- English names the text gives (issue 13) -----------------------------------------

    def english_labels(self) -> None:
        """``rdfs:label "…"@en`` for the agreements and meetings whose text gives an English
        name beside the Japanese (``label_en``; persons' come with :meth:`entity`). The
        ``rdfs:label@ja`` claims are untouched: the union keeps one Japanese label."""
        for kind, facts in (("agreement", self.facts.agreements), ("meeting", self.facts.meetings)):
            for fact in facts:
                label = getattr(fact, "label_en", None)
                if label:
                    self.add(entity_iri(kind, fact.key), RDFS.label, Literal(label, lang="en"))

    def write(self) -> None:
        self.document()
        for e in self.facts.entities:
            self.entity(e)
        for a in self.facts.agreements:
            self.agreement(a)
        for ev in self.facts.events:
            self.event(ev)
        for v in self.facts.visits:
            self.visit(v)
        for m in self.facts.meetings:
            self.meeting(m)
        for p in self.facts.programs:
            self.program(p)
        for pt in getattr(self.facts, "partnerships", ()):  # partnership ledger (issue 12)
            self.partnership(pt)
        for ev in getattr(self.facts, "actions", ()):  # diplomatic event coding (issue 12)
            self.diplomatic_event(ev)
        self.english_labels()  # issue 13


def add_document(ds: Dataset, facts: DocumentFacts, resolution: Resolution | None = None,
                 resolved_labels: set[tuple[URIRef, str]] | None = None) -> Graph:
    """Add one document's facts to ``ds`` as its own named graph and return that graph.

    ``resolution`` (of the whole corpus) decides which of the document's labels and dates are
    the resolved ones; without it the document is resolved on its own."""
    graph = ds.graph(document_graph_iri(facts.document.doc_id))
    writer = _DocumentWriter(graph, facts, resolution)
    writer.write()
    if resolved_labels is not None:
        resolved_labels |= writer.resolved_labels
    return graph


class _ResolvedWriter:
    """The resolved graph: for each resource read from several documents, its one label and one
    date per field, each with a ``bkg:Resolution`` record of the claims it was chosen from
    (``prov:wasDerivedFrom`` the documents' ``bkg:DateStatement``\\ s) and ``bkg:dateConflict``
    where the documents disagree."""

    def __init__(self, graph: Graph, resolution: Resolution) -> None:
        self.graph = graph
        self.resolution = resolution

    def write(self) -> None:
        res = self.resolution
        for (kind, key), docs in sorted(res.documents.items()):
            if len(docs) < 2 or kind == "visit":
                continue
            iri = entity_iri(kind, key)
            labels = res.labels.get((kind, key), {})
            if len(set(labels.values())) > 1:
                best = res.label(kind, key)
                self.graph.add((iri, RDFS.label, _ja(best)))
                record = resolution_iri(kind, key, "label")
                self.record(record, iri, RDFS.label, _ja(best), False)
                for doc in sorted(d for d, v in labels.items() if v == best):
                    self.graph.add((record, PROV.wasDerivedFrom, document_iri(doc)))
        for (kind, key, field), claims in sorted(res.dates.items(), key=lambda kv: kv[0]):
            if len(res.documents.get((kind, key), ())) < 2:
                continue
            iri = entity_iri(kind, key)
            prop = _DATE_PROPERTIES[field]
            best = res.date(kind, key, field)
            conflict = res.date_conflict(kind, key, field)
            self.graph.add((iri, prop, date_literal(best)))
            if conflict:
                self.graph.add((iri, BKG.dateConflict, Literal(True)))
            record = resolution_iri(kind, key, field)
            self.record(record, iri, prop, date_literal(best), conflict)
            for doc in sorted(claims):
                self.graph.add((record, PROV.wasDerivedFrom, statement_iri(doc, kind, key, field)))

    def record(self, record: URIRef, iri: URIRef, prop: URIRef, value: Literal, conflict: bool) -> None:
        self.graph.add((record, RDF.type, BKG.Resolution))
        self.graph.add((record, BKG.about, iri))
        self.graph.add((record, BKG.property, prop))
        self.graph.add((record, BKG.value, value))
        self.graph.add((record, BKG.conflict, Literal(conflict)))


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
    results = list(facts)
    resolution = Resolution(results)
    labels: set[tuple[URIRef, str]] = set()
    for item in results:
        add_document(ds, item, resolution, labels)
    resolved = Graph(store=ds.store, identifier=RESOLVED_GRAPH)
    for iri, label in labels:  # e.g. a visit's label from one document's visitor and another's date
        resolved.add((iri, RDFS.label, _ja(label)))
    _ResolvedWriter(resolved, resolution).write()
    if len(resolved) == 0:
        ds.remove_graph(resolved)
    return ds


# --- serialization (issues 9 and 11: a document of millions of triples) ----------------------
#
# rdflib's Memory store and TriG writer cost several kilobytes and tens of microseconds per
# triple: a 20 MB document (six million triples) took gigabytes and minutes. The graphs are
# therefore collected in a light sink (a set of term triples per graph, with the ``graph()`` /
# ``add()`` calls :func:`add_document` makes) and written by pyoxigraph's TriG serializer, the
# triples of each graph sorted by their N-Triples terms so that the bytes do not depend on the
# order they were added in or on the hash seed.

#: The prefixes written at the head of kg.trig. ``id:`` is left out on purpose: the local part of
#: our resource IRIs holds slashes (``id:document/d1/p0``), which TriG would have to escape.
TRIG_PREFIXES = {name: iri for name, iri in sorted(PREFIXES.items()) if name != "id"}


class QuadSink:
    """Named graphs as sets of N-Triples lines: what :func:`add_document` needs of a Dataset
    (``graph(identifier)`` and the graph's ``add(triple)``) for a fraction of the memory and
    time — a triple is turned into text as it is added and no rdflib store is built.
    :func:`graph_to_trig` serializes it as it does a Dataset, to the same bytes.

    >>> sink = QuadSink()
    >>> g = sink.graph(URIRef("http://example.org/g"))
    >>> g.add((URIRef("http://example.org/s"), RDF.type, URIRef("http://example.org/C")))
    >>> g.add((URIRef("http://example.org/s"), RDF.type, URIRef("http://example.org/C")))
    >>> len(g), [str(x.identifier) for x in sink.graphs()]
    (1, ['http://example.org/g'])
    """

    def __init__(self) -> None:
        self._graphs: dict[URIRef, _TripleLines] = {}

    def graph(self, identifier: URIRef) -> _TripleLines:
        graph = self._graphs.get(identifier)
        if graph is None:
            graph = self._graphs[identifier] = _TripleLines(identifier)
        return graph

    def graphs(self) -> list[_TripleLines]:
        return list(self._graphs.values())


# N-Triples escapes of a literal's lexical form (ECHAR); every other character is written as is
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _nt(term) -> str:
    """An rdflib term as N-Triples text (a literal of ``xsd:string`` as the plain literal it is).

    Formatted, never added: ``"<" + uriref`` would call ``URIRef.__radd__`` and make a new URIRef.

    >>> _nt(URIRef("http://example.org/a")), _nt(Literal('say "x"\\n', lang="ja")), _nt(Literal(3))
    ('<http://example.org/a>', '"say \\\\"x\\\\"\\\\n"@ja', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if type(term) is URIRef:
        return f"<{term}>"
    if isinstance(term, Literal):
        text = str.translate(term, _ESCAPES)
        if term.language:
            return f'"{text}"@{term.language}'
        datatype = term.datatype
        if datatype is not None and not str.__eq__(datatype, _XSD_STRING):
            return f'"{text}"^^<{datatype}>'
        return f'"{text}"'
    if isinstance(term, URIRef):
        return f"<{term}>"
    return f"_:{term}"  # a blank node (our graphs have none; a Dataset given by a caller may)


class _TripleLines(set):
    """One named graph of a :class:`QuadSink`: the set of its triples as ``"<s> <p> o"`` text.

    Past :attr:`SPILL` lines the set is written, sorted, to a temporary file and emptied, so a
    graph of millions of triples (a 20 MB document) is never all in memory at once;
    :meth:`sorted_lines` merges those runs with what is left, dropping repeats — the same lines,
    in the same order, as ``sorted(set(all the lines))``."""

    __slots__ = ("identifier", "_runs")
    SPILL = 400_000

    def __init__(self, identifier: URIRef) -> None:
        super().__init__()
        self.identifier = identifier
        self._runs: list = []

    def add(self, triple: tuple) -> None:  # type: ignore[override]
        s, p, o = triple
        set.add(self, _nt(s) + " " + _nt(p) + " " + _nt(o))
        if set.__len__(self) >= self.SPILL:  # len() counts the lines in memory only
            self._spill()

    def _spill(self) -> None:
        import tempfile

        run = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
        run.writelines(line + "\n" for line in sorted(self))  # N-Triples lines hold no newline
        run.seek(0)
        self._runs.append(run)
        set.clear(self)

    def sorted_lines(self, *, consume: bool = False) -> Iterable[str]:
        """Every line once, sorted; with ``consume`` the graph is emptied as they are read."""
        if not self._runs:
            lines = sorted(self)
            if consume:
                set.clear(self)
            return _drained(lines) if consume else iter(lines)
        return self._merged(consume)

    def _merged(self, consume: bool):
        import heapq

        runs, self._runs = self._runs, ([] if consume else self._runs)
        rest = sorted(self)
        if consume:
            set.clear(self)
        last = None
        try:
            for run in runs:
                run.seek(0)
            streams = [(line[:-1] for line in run) for run in runs]
            for line in heapq.merge(*streams, rest):
                if line != last:
                    yield line
                    last = line
        finally:
            if consume:
                for run in runs:
                    run.close()

    __hash__ = object.__hash__  # a graph is one object, whatever it holds


def _drained(lines: list[str]):
    """The lines of ``lines`` in order, each let go of once given."""
    for i in range(len(lines)):
        line, lines[i] = lines[i], None
        yield line


class _NQuadsReader(io.RawIOBase):
    """Sorted triple lines read as N-Quads in ``graph``, encoded a block at a time: pyoxigraph
    parses them without the whole text being built first."""

    def __init__(self, lines: Iterable[str], graph: URIRef) -> None:
        self._lines, self._suffix = iter(lines), f" <{graph}> .\n"
        self._buffer, self._done = b"", False

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        import itertools

        while not self._buffer and not self._done:
            block = list(itertools.islice(self._lines, 4096))
            if not block:
                self._done = True
                break
            self._buffer = (self._suffix.join(block) + self._suffix).encode("utf-8")
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def graph_body_bytes(identifier: URIRef, triples: Iterable[tuple], *, consume: bool = False) -> bytes:
    """One named graph as TriG in UTF-8 (``<graph> { … }``, without the prefix lines): its triples
    sorted by their N-Triples text, written by pyoxigraph with :data:`TRIG_PREFIXES` — the same
    bytes for the same triples, however and in whatever order they were added.
    ``triples``: rdflib triples, or a graph of a :class:`QuadSink` — emptied as it is written
    with ``consume`` (a graph of millions of triples is then not held twice)."""
    import pyoxigraph as ox

    if isinstance(triples, _TripleLines):
        lines = triples.sorted_lines(consume=consume)
    else:
        lines = iter(sorted({_nt(s) + " " + _nt(p) + " " + _nt(o) for s, p, o in triples}))
    first = next(lines, None)
    if first is None:
        return b""
    import itertools

    lines = itertools.chain([first], lines)
    quads = ox.parse(io.BufferedReader(_NQuadsReader(lines, identifier), 1 << 20), format=ox.RdfFormat.N_QUADS)
    text = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=TRIG_PREFIXES)
    start = 0
    while text.startswith(b"@prefix ", start):  # pyoxigraph's own prefix lines: ours are the head
        start = text.index(b"\n", start) + 1
    return text[start:] if start else text


def graph_body(identifier: URIRef, triples: Iterable[tuple]) -> str:
    """:func:`graph_body_bytes` as text."""
    return graph_body_bytes(identifier, triples).decode("utf-8")


def trig_head() -> str:
    """The prefix lines of kg.trig, one per prefix of :data:`TRIG_PREFIXES`, sorted."""
    return "".join(sorted(f"@prefix {name}: <{iri}> .\n" for name, iri in TRIG_PREFIXES.items()))


def assemble_trig(bodies: Iterable[tuple[str, str]]) -> str:
    """kg.trig from ``(graph IRI, body)`` pairs (see :func:`graph_body`): the prefix lines, then
    the graphs in the order of their IRIs, a blank line between two."""
    return trig_head() + "\n" + "\n".join(body for _, body in sorted(bodies) if body)


def graph_to_trig(ds: Dataset | QuadSink) -> str:
    """Serialize a Dataset (or a :class:`QuadSink`) as TriG, the prefixes of :data:`TRIG_PREFIXES`.

    Byte for byte the same for the same graph, whatever order the facts were added in or the
    interpreter's hash seed: each named graph is written on its own, its triples sorted, and the
    graphs in the order of their IRIs (a Dataset's default graph, empty in ours, as a graph
    named by rdflib's identifier of it)."""
    return assemble_trig((str(g.identifier), graph_body(g.identifier, g)) for g in ds.graphs())


def write_trig(ds: Dataset, path: Path | str) -> Path:
    """Write ``ds`` as TriG (UTF-8) to ``path`` atomically and return the path.

    The file is written next to the target and renamed into place, so a reader never sees a
    half-written file and a failure leaves any previous file untouched.
    """
    from .files import write_atomic

    return write_atomic(path, graph_to_trig(ds))
