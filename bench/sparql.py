"""Benchmark: the same SPARQL queries through rdflib's own engine and through pyoxigraph.

    .venv/bin/python bench/sparql.py [1000 10000 100000]

A synthetic graph shaped like the data contract (/work/shared/CONTRACT.md): one named graph
per document holding its ``bkg:Document``, ``bkg:Passage``\\ s, the countries, persons and
organizations it names (re-described in every document that names them, as ``kg.rdf`` does)
and the agreements and meetings read from it, with ``bkg:mentionedIn`` /
``prov:wasDerivedFrom`` provenance. Documents are added until the union holds the requested
number of distinct triples.

Both engines answer over the union of the named graphs, as a set: rdflib through
``Dataset(default_union=True)``, pyoxigraph through an in-memory store whose default graph
holds the merge (``kg.store.merge_union``, as ``bkg build`` writes it) queried with
``kg.store.query``. Each timing covers parsing the query and reading every row. Both engines
must return the same number of rows; a mismatch is reported in the note.

Each engine is capped per query: a size is skipped for an engine when the sizes already
measured predict a run longer than the budget (see :class:`Budget`), and repetitions stop once
the budget is spent. In practice that caps rdflib on the join and pyoxigraph on ``path+join``,
whose plan re-evaluates the transitive path for every candidate row.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass

import common  # noqa: F401  (puts the repository on sys.path)
import pyoxigraph
from common import Row, Timing, fmt_s, print_table, repeat, timed
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Dataset, Literal, URIRef

from kg.namespaces import (
    BKG,
    PREFIXES,
    WD,
    agreement_type_iri,
    country_iri,
    doc_type_iri,
    document_graph_iri,
    document_iri,
    entity_iri,
    passage_iri,
)
from kg.store import merge_union, query, to_oxigraph_term

COUNTRIES = {
    "JPN": ("日本", "Japan", "Q17"), "KGZ": ("キルギス", "Kyrgyzstan", "Q813"),
    "KAZ": ("カザフスタン", "Kazakhstan", "Q232"), "UZB": ("ウズベキスタン", "Uzbekistan", "Q265"),
    "TJK": ("タジキスタン", "Tajikistan", "Q863"), "TKM": ("トルクメニスタン", "Turkmenistan", "Q874"),
    "MNG": ("モンゴル", "Mongolia", "Q711"), "KOR": ("韓国", "South Korea", "Q884"),
    "CHN": ("中国", "China", "Q148"), "USA": ("米国", "United States", "Q30"),
    "IND": ("インド", "India", "Q668"), "VNM": ("ベトナム", "Vietnam", "Q881"),
    "THA": ("タイ", "Thailand", "Q869"), "IDN": ("インドネシア", "Indonesia", "Q252"),
    "PHL": ("フィリピン", "Philippines", "Q928"), "AUS": ("豪州", "Australia", "Q408"),
    "FRA": ("フランス", "France", "Q142"), "DEU": ("ドイツ", "Germany", "Q183"),
    "GBR": ("英国", "United Kingdom", "Q145"), "TUR": ("トルコ", "Türkiye", "Q43"),
}
DOC_TYPES = ("joint_statement", "declaration", "meeting_summary", "press_statement", "country_brief")
AGREEMENT_TYPES = ("mou", "exchange_of_notes", "treaty", "joint_statement", "declaration",
                   "action_plan", "note_verbale", "loan", "other")
ROLES = ("大統領", "首相", "外務大臣", "外務副大臣", "大使", "経済大臣")

#: The queries, each run unchanged by both engines (the prefixes of kg.namespaces are declared).
QUERIES = {
    # persons, the passages that mention them and the documents those belong to
    "join": """
SELECT ?person ?name ?doc ?title ?date WHERE {
  ?person a bkg:Person ; rdfs:label ?name ; bkg:mentionedIn ?passage .
  ?passage bkg:document ?doc .
  ?doc a bkg:Document ; dcterms:title ?title ; dcterms:date ?date .
} ORDER BY ?date ?name""",
    # the same join without ``?doc a bkg:Document``: rdflib orders a BGP by its bound terms, so
    # with both ``a`` patterns it starts from persons x documents; without it, it does not
    "join-lean": """
SELECT ?person ?name ?doc ?title ?date WHERE {
  ?person a bkg:Person ; rdfs:label ?name ; bkg:mentionedIn ?passage .
  ?passage bkg:document ?doc .
  ?doc dcterms:title ?title ; dcterms:date ?date .
} ORDER BY ?date ?name""",
    # agreements per year (dates are xsd:date, xsd:gYearMonth or xsd:gYear)
    "aggregate": """
SELECT ?year (COUNT(DISTINCT ?a) AS ?agreements) WHERE {
  ?a a bkg:Agreement ; bkg:date ?d .
  BIND (SUBSTR(STR(?d), 1, 4) AS ?year)
} GROUP BY ?year ORDER BY ?year""",
    # property path alone: countries reachable from Japan through chains of shared agreements
    "closure": """
SELECT DISTINCT ?country WHERE {
  <https://w3id.org/bilateral-kg/id/country/JPN> (^bkg:party/bkg:party)+ ?country .
}""",
    # the same closure written with * (zero or more): the same rows here, since Japan is a party
    # of its own agreements; pyoxigraph 0.5 evaluates this form far faster than the + form
    "closure*": """
SELECT DISTINCT ?country WHERE {
  <https://w3id.org/bilateral-kg/id/country/JPN> (^bkg:party/bkg:party)* ?country .
}""",
    # the same path joined with a sequence path: for each such country, the documents its
    # agreements were read from
    "path+join": """
SELECT ?country (COUNT(DISTINCT ?doc) AS ?docs) WHERE {
  <https://w3id.org/bilateral-kg/id/country/JPN> (^bkg:party/bkg:party)+ ?country .
  ?country ^bkg:party/prov:wasDerivedFrom/bkg:document ?doc .
} GROUP BY ?country""",
}


@dataclass
class Synthetic:
    dataset: Dataset
    quads: list[tuple]
    documents: int
    triples: int  # distinct triples of the union


def synthetic(target: int, seed: int = 1) -> Synthetic:
    """Documents in contract shape, added until the union holds ``target`` distinct triples."""
    rng = random.Random(seed)
    quads: list[tuple] = []
    distinct: set[tuple] = set()
    codes = list(COUNTRIES)
    n = 0
    while len(distinct) < target:
        doc_id = f"d{n:05d}"
        g = document_graph_iri(doc_id)
        out: list[tuple] = []

        def add(s, p, o):
            out.append((s, p, o, g))

        year = rng.randint(1995, 2025)
        doc = document_iri(doc_id)
        add(doc, RDF.type, BKG.Document)
        add(doc, DCTERMS.title, Literal(f"共同声明 {n}", lang="ja"))
        add(doc, DCTERMS.date, Literal(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                       datatype=XSD.date))
        add(doc, BKG.docType, doc_type_iri(rng.choice(DOC_TYPES)))
        add(doc, DCTERMS.source, Literal(f"{doc_id}.txt"))
        passages = []
        pos = 0
        for i in range(8):
            p = passage_iri(doc_id, i)
            passages.append(p)
            length = rng.randint(40, 200)
            add(p, RDF.type, BKG.Passage)
            add(p, BKG.document, doc)
            add(p, BKG.text, Literal(f"第{i + 1}段落。" + "両国は協力を確認した。" * (length // 12), lang="ja"))
            add(p, BKG.charStart, Literal(pos))
            add(p, BKG.charEnd, Literal(pos + length))
            add(p, BKG.paragraph, Literal(str(i + 1)))
            pos += length + 1

        named = ["JPN", *rng.sample(codes[1:], 2)]
        for code in named:
            ja, en, qid = COUNTRIES[code]
            c = country_iri(code)
            add(c, RDF.type, BKG.Country)
            add(c, RDFS.label, Literal(ja, lang="ja"))
            add(c, RDFS.label, Literal(en, lang="en"))
            add(c, BKG.iso3, Literal(code))
            add(c, OWL.sameAs, WD[qid])
            add(c, BKG.mentionedIn, rng.choice(passages))

        # persons recur across documents (a pool that grows with the corpus)
        for _ in range(3):
            k = int(rng.paretovariate(1.2) * 3) % (2 * n + 6)
            person = entity_iri("person", f"person-{k}")
            add(person, RDF.type, BKG.Person)
            add(person, RDFS.label, Literal(f"人物{k} 氏名", lang="ja"))
            add(person, SKOS.altLabel, Literal(f"人物{k}", lang="ja"))
            add(person, BKG.role, Literal(ROLES[k % len(ROLES)], lang="ja"))
            add(person, BKG.country, country_iri(codes[k % len(codes)]))
            add(person, BKG.mentionedIn, rng.choice(passages))

        k = rng.randrange(n // 2 + 3)
        org = entity_iri("organization", f"org-{k}")
        add(org, RDF.type, BKG.Organization)
        add(org, RDFS.label, Literal(f"機関{k}", lang="ja"))
        add(org, SKOS.altLabel, Literal(f"ORG{k}"))
        add(org, BKG.country, country_iri(codes[k % len(codes)]))
        add(org, BKG.mentionedIn, rng.choice(passages))

        for j in range(2):
            a = entity_iri("agreement", f"agreement-{n}-{j}")
            p = rng.choice(passages)
            add(a, RDF.type, BKG.Agreement)
            add(a, RDFS.label, Literal(f"協定{n}-{j}", lang="ja"))
            add(a, BKG.agreementType, agreement_type_iri(rng.choice(AGREEMENT_TYPES)))
            for code in rng.sample(named, 2):
                add(a, BKG.party, country_iri(code))
            precision = rng.random()
            if precision < 0.7:
                date = Literal(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", datatype=XSD.date)
            elif precision < 0.9:
                date = Literal(f"{year}-{rng.randint(1, 12):02d}", datatype=XSD.gYearMonth)
            else:
                date = Literal(str(year), datatype=XSD.gYear)
            add(a, BKG.date, date)
            add(a, BKG.mentionedIn, p)
            add(a, PROV.wasDerivedFrom, p)

        m = entity_iri("meeting", f"meeting-{n}")
        p = rng.choice(passages)
        add(m, RDF.type, BKG.Meeting)
        add(m, RDFS.label, Literal(f"会合{n}", lang="ja"))
        add(m, BKG.date, Literal(f"{year}-{rng.randint(1, 12):02d}-01", datatype=XSD.date))
        for code in named[:2]:
            add(m, BKG.participant, country_iri(code))
        add(m, BKG.mentionedIn, p)
        add(m, PROV.wasDerivedFrom, p)

        quads.extend(out)
        distinct.update(q[:3] for q in out)
        n += 1

    ds = Dataset(default_union=True)
    ds.addN(quads)
    return Synthetic(ds, quads, n, len(distinct))


def oxigraph_store(data: Synthetic) -> pyoxigraph.Store:
    """An in-memory pyoxigraph store of the same quads, with the union merged into its default
    graph the way ``kg.store.write_store`` does it."""
    store = pyoxigraph.Store()
    store.bulk_extend(
        pyoxigraph.Quad(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o),
                        pyoxigraph.NamedNode(str(g)))
        for s, p, o, g in data.quads
    )
    return merge_union(store)


def run_rdflib(ds: Dataset, sparql: str) -> int:
    return sum(1 for _ in ds.query(sparql, initNs=dict(PREFIXES)))


def run_oxigraph(store: pyoxigraph.Store, sparql: str) -> int:
    return sum(1 for _ in query(store, sparql))


class Budget:
    """Bounded runs of one engine on one query across growing sizes.

    Before a size, the time of one run is predicted from the sizes already measured (growth
    exponent between the last two sizes, at least linear, at most cubic); when the prediction
    exceeds the budget the size is skipped for that engine. Repetitions stop once the budget is
    spent."""

    def __init__(self, budget_s: float, reps: int):
        self.budget_s, self.reps = budget_s, reps
        self.seen: list[tuple[int, float]] = []  # (triples, median seconds)

    def predict(self, triples: int) -> float | None:
        if not self.seen:
            return None
        n1, t1 = self.seen[-1]
        exponent = 1.0
        if len(self.seen) >= 2:
            n0, t0 = self.seen[-2]
            if t0 > 0 and n1 > n0:
                exponent = min(3.0, max(1.0, math.log(t1 / t0) / math.log(n1 / n0)))
        return t1 * (triples / n1) ** exponent

    def measure(self, triples: int, fn) -> tuple[Timing, int | None]:
        out = Timing()
        predicted = self.predict(triples)
        if predicted is not None and predicted > self.budget_s:
            out.skipped = f"predicted {predicted:.0f}s > budget {self.budget_s:.0f}s"
            return out, None
        t, rows = timed(fn)
        out.samples.append(t)
        if t * 2 <= self.budget_s and self.reps > 1:
            out.samples.extend(repeat(fn, reps=self.reps - 1, budget_s=self.budget_s - t).samples)
        self.seen.append((triples, out.median))
        return out, rows


def bench(
    sizes: list[int],
    *,
    reps: int = 5,
    rdflib_budget_s: float = 15.0,
    oxigraph_budget_s: float = 15.0,
    log=print,
) -> list[Row]:
    """One row per (size, query): rdflib's engine against pyoxigraph, on the same graph."""
    rows: list[Row] = []
    # Warm both engines (imports, rdflib's query grammar) on a tiny graph, untimed.
    tiny = synthetic(200)
    tiny_store = oxigraph_store(tiny)
    for q in QUERIES.values():
        run_rdflib(tiny.dataset, q)
        run_oxigraph(tiny_store, q)

    budgets = {name: (Budget(rdflib_budget_s, reps), Budget(oxigraph_budget_s, reps))
               for name in QUERIES}
    for target in sizes:
        t_gen, data = timed(lambda target=target: synthetic(target))
        t_load, store = timed(lambda data=data: oxigraph_store(data))
        log(f"  sparql: {data.triples} triples ({len(data.quads)} quads) in {data.documents} "
            f"documents; rdflib Dataset built in {t_gen:.1f}s, pyoxigraph store in {t_load:.1f}s")
        for name, sparql in QUERIES.items():
            rd_budget, ox_budget = budgets[name]
            # pyoxigraph first: it is the one a user runs, and its row count is the reference
            ox, ox_rows = ox_budget.measure(data.triples, lambda q=sparql: run_oxigraph(store, q))
            rd, rd_rows = rd_budget.measure(data.triples, lambda q=sparql: run_rdflib(data.dataset, q))
            notes = []
            if ox.skipped:
                notes.append(f"pyoxigraph skipped: {ox.skipped}")
            if rd.skipped:
                notes.append(f"rdflib skipped: {rd.skipped}")
            if ox_rows is not None and rd_rows is not None and ox_rows != rd_rows:
                notes.insert(0, f"ROW COUNTS DIFFER: rdflib {rd_rows}, pyoxigraph {ox_rows}")
            else:
                rows_seen = ox_rows if ox_rows is not None else rd_rows
                if rows_seen is not None:
                    notes.insert(0, f"{rows_seen} rows")
            row = Row("sparql", f"{name} @ {data.triples // 1000 or data.triples}"
                      f"{'k' if data.triples >= 1000 else ''} triples", "rdflib", rd,
                      "pyoxigraph", ox, "; ".join(notes),
                      extra={"query": name, "triples": data.triples, "quads": len(data.quads),
                             "documents": data.documents, "rows_pyoxigraph": ox_rows,
                             "rows_rdflib": rd_rows, "rdflib_build_s": t_gen,
                             "oxigraph_load_s": t_load})
            rows.append(row)
            log(f"    {name:<10} rdflib {fmt_s(rd):>16}  pyoxigraph {fmt_s(ox):>16}  {row.note}")
    return rows


if __name__ == "__main__":
    print_table(bench([int(a) for a in sys.argv[1:]] or [1000, 10_000, 100_000]))
