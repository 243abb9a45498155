"""Network analysis of the knowledge graph with NetworkX.

Three projections of the RDF graph, each a plain NetworkX graph:

* :func:`entity_graph` — countries, persons, organizations, agreements, meetings, programs and
  visits, with one typed edge per RDF relation (``party``, ``participant``, ``implementedBy``,
  ``visitor``, ``destination``, ``country``);
* :func:`country_initiative_graph` — bipartite: countries and the agreements, meetings and
  programs they take part in;
* :func:`country_graph` — country–country, weighted by the initiatives two countries share.

and one function per measure over any of them (:func:`degree`, :func:`weighted_degree`,
:func:`betweenness`, :func:`eigenvector`, :func:`communities`), plus :func:`paths`,
:func:`ego`, :func:`pair_timeline`, :func:`resolve_entity` and :func:`analyze`, which writes
the tables of ``bkg analyze``.

NetworkX stays the graph model and the API. On large graphs the heavy measures (betweenness,
eigenvector centrality, Louvain communities) run on python-igraph instead: each takes an
``engine`` (``"auto"``, ``"networkx"`` or ``"igraph"``; :func:`choose_engine`), converts the
graph for the computation only and returns the same dict or list of sets. ``auto`` keeps
networkx below :data:`IGRAPH_MIN_NODES` nodes and :data:`IGRAPH_MIN_EDGES` edges, so small
graphs give exactly the results they always did. Betweenness with ``k`` samples ``k`` source
nodes exactly as networkx does (same seed, same sources, same scaling) on either engine.

A *source* is an ``rdflib`` Graph or Dataset, a ``pyoxigraph.Store``, or a build directory (its
``store/`` or, failing that, its ``kg.trig``). The projections read it with SPARQL through
pyoxigraph, with the union of the named graphs as the default graph.

Nodes are IRI strings. Every node carries ``iri``, ``cls`` (``"Country"``, ``"Agreement"``…),
``label`` (Japanese where known), ``label_ja``, ``label_en``, ``aliases``, ``years`` and
``docs``; the entity graph also carries ``dates``, ``passages`` and a few class-specific facts.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import random
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations, islice, pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from extract.facts import make_key
from kg.namespaces import BKG

BKG_IRI = str(BKG)

__all__ = [
    "DEFAULT_K",
    "ENGINES",
    "ENTITY_CLASSES",
    "EXACT_BETWEENNESS_MAX_NODES",
    "IGRAPH_MIN_EDGES",
    "IGRAPH_MIN_NODES",
    "INITIATIVE_CLASSES",
    "RELATIONS",
    "AmbiguousEntityError",
    "EntityNotFoundError",
    "Hop",
    # issue 13: cited paths and ego networks, per-year centrality
    "CITATION_FIELDS", "YEAR_CENTRALITY_FIELDS", "Citer", "avoided", "year_span", "centrality_by_year", "citation_rows",
    "citations_json", "cited_edges", "cited_paths", "format_citation",
    "analyze",
    "as_store",
    "betweenness",
    "choose_engine",
    "communities",
    "community_index",
    "countries_of",
    "country_graph",
    "country_graphs_by_year",
    "country_initiative_graph",
    "default_k",
    "degree",
    "ego",
    "eigenvector",
    "entity_graph",
    "format_path",
    "pair_timeline",
    "paths",
    "resolve_entity",
    "weighted_degree",
]

#: Classes that become nodes of the entity graph, in display order.
ENTITY_CLASSES = ("Country", "Person", "Organization", "Agreement", "Meeting", "Program", "Visit")
#: Classes a country takes part in (the other side of the bipartite projection).
INITIATIVE_CLASSES = ("Agreement", "Meeting", "Program")
#: RDF properties that become typed edges of the entity graph.
RELATIONS = ("party", "participant", "implementedBy", "visitor", "destination", "country")

#: Backends of the heavy measures (see :func:`choose_engine`).
ENGINES = ("auto", "networkx", "igraph")
#: ``engine="auto"`` picks igraph from this many nodes (of the simple undirected graph) …
IGRAPH_MIN_NODES = 1_000
#: … or from this many edges.
IGRAPH_MIN_EDGES = 5_000
#: :func:`default_k`: betweenness is exact up to this many nodes, sampled above.
EXACT_BETWEENNESS_MAX_NODES = 5_000
#: :func:`default_k`: how many source nodes betweenness samples on a larger graph.
DEFAULT_K = 200

_DATE_PROPS = ("date", "startDate", "endDate")
_PREFIXES = {
    "bkg": BKG_IRI,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
}

# The projection queries: fixed text, no values pasted in.
_Q_NODES = """
SELECT ?s ?cls WHERE {
  VALUES ?cls { bkg:Country bkg:Person bkg:Organization bkg:Agreement bkg:Meeting
                bkg:Program bkg:Visit }
  ?s a ?cls .
}"""
_Q_FACTS = """
SELECT ?s ?p ?o WHERE {
  VALUES ?cls { bkg:Country bkg:Person bkg:Organization bkg:Agreement bkg:Meeting
                bkg:Program bkg:Visit }
  VALUES ?p { rdfs:label skos:altLabel bkg:iso3 bkg:date bkg:startDate bkg:endDate bkg:role
              bkg:roleEnglish bkg:agreementType }
  ?s a ?cls ; ?p ?o .
}"""
_Q_PLACES = """
SELECT ?s ?label WHERE { ?s bkg:place ?place . ?place rdfs:label ?label . }"""
_Q_EDGES = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { bkg:party bkg:participant bkg:implementedBy bkg:visitor bkg:destination
              bkg:country }
  ?s ?p ?o .
}"""
_Q_PROVENANCE = """
SELECT ?s ?passage ?text ?para ?start ?doc ?title ?source ?date WHERE {
  VALUES ?rel { bkg:mentionedIn prov:wasDerivedFrom }
  ?s ?rel ?passage .
  OPTIONAL { ?passage bkg:text ?text }
  OPTIONAL { ?passage bkg:paragraph ?para }
  OPTIONAL { ?passage bkg:charStart ?start }
  OPTIONAL { ?passage bkg:document ?doc .
             OPTIONAL { ?doc dcterms:title ?title }
             OPTIONAL { ?doc dcterms:source ?source }
             OPTIONAL { ?doc dcterms:date ?date } }
}"""


# The lighter projection of ``entity_graph(details=False)``: what the measures and the tables
# of ``bkg analyze`` need, in a few cheap queries (no passage texts, no alias lists).
_Q_LEAN_FACTS = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { rdfs:label bkg:iso3 bkg:date bkg:startDate bkg:endDate }
  ?s ?p ?o .
}"""
_Q_MENTIONS = """
SELECT DISTINCT ?s ?passage WHERE {
  VALUES ?rel { bkg:mentionedIn prov:wasDerivedFrom }
  ?s ?rel ?passage .
}"""
_Q_DOCS_OF = """
SELECT DISTINCT ?s ?doc WHERE {
  VALUES ?rel { bkg:mentionedIn prov:wasDerivedFrom }
  ?s ?rel ?passage .
  ?passage bkg:document ?doc .
}"""
_Q_DOC_DATES = """
SELECT ?doc ?date WHERE { ?doc dcterms:date ?date . }"""


class EntityNotFoundError(LookupError):
    """No node is named so; ``candidates`` holds the closest names."""

    def __init__(self, name: str, candidates: list[str]):
        self.name = name
        self.candidates = candidates
        hint = f"; did you mean: {', '.join(candidates)}" if candidates else ""
        super().__init__(f"no entity named {name!r}{hint}")


class AmbiguousEntityError(LookupError):
    """Several nodes are named so; ``candidates`` lists them."""

    def __init__(self, name: str, candidates: list[str]):
        self.name = name
        self.candidates = candidates
        super().__init__(
            f"{name!r} names {len(candidates)} entities: {'; '.join(candidates)}"
            " (use a fuller name, an ISO3 code or the IRI)"
        )


# --- reading the RDF ------------------------------------------------------------------------


def as_store(source: Any) -> ox.Store:
    """Return a pyoxigraph Store for an rdflib graph, a Store or a build directory.

    An rdflib ``Dataset``/``ConjunctiveGraph`` keeps its named graphs; a plain ``Graph`` goes to
    the default graph. A directory is opened read-only at ``DIR/store`` when that exists (through
    ``kg.store.open_store`` when present), else ``DIR/kg.trig`` is loaded into memory.

    >>> import rdflib
    >>> g = rdflib.Graph()
    >>> _ = g.add((rdflib.URIRef("urn:a"), rdflib.RDFS.label, rdflib.Literal("a")))
    >>> len(as_store(g))
    1
    """
    if isinstance(source, ox.Store):
        return source
    if isinstance(source, (str, Path)):
        return _open_dir(Path(source))
    if hasattr(source, "serialize") and hasattr(source, "triples"):  # rdflib, imported lazily
        store = ox.Store()
        if hasattr(source, "quads") and hasattr(source, "contexts"):
            data = source.serialize(format="nquads", encoding="utf-8")
            store.load(data, format=ox.RdfFormat.N_QUADS)
            return _merged(store)
        data = source.serialize(format="nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
        return store
    raise TypeError(f"not an RDF source: {type(source).__name__}")


def _open_dir(path: Path) -> ox.Store:
    if (path / "store").is_dir():
        try:
            from kg.store import open_store  # the shared helper, once present
        except ImportError:  # pragma: no cover
            open_store = None
        try:
            if open_store is not None:
                return open_store(path)
            return ox.Store.read_only(str(path / "store"))
        except OSError:  # locked by a running server: fall back to the TriG dump
            if not (path / "kg.trig").is_file():
                raise
    trig = path / "kg.trig" if path.is_dir() else path
    if not trig.is_file():
        raise FileNotFoundError(f"{path}: neither a store/ nor a kg.trig to read")
    store = ox.Store()
    fmt = ox.RdfFormat.from_extension(trig.suffix.lstrip(".")) or ox.RdfFormat.TRIG
    store.load(path=str(trig), format=fmt)
    return _merged(store)


def _merged(store: ox.Store) -> ox.Store:
    """The union of the named graphs as a set, in the default graph (see kg.store.merge_union)."""
    from kg.store import merge_union

    return merge_union(store)


def _select(store: ox.Store, query: str) -> Iterator[dict[str, Any]]:
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in _PREFIXES.items())
    from kg.store import union_options

    result = store.query(prefixes + query, **union_options(store))
    names = [v.value for v in result.variables]
    for solution in result:
        yield {name: solution[name] for name in names}


def _solutions(store: ox.Store, query: str) -> Iterator[Any]:
    """The solutions of a SELECT, each unpackable in the order of its variables (no dicts)."""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in _PREFIXES.items())
    from kg.store import union_options

    return iter(store.query(prefixes + query, **union_options(store)))


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _year(value: str) -> int | None:
    head = value.lstrip("-")[:4]
    return int(head) if head.isdigit() else None


# --- projections ----------------------------------------------------------------------------


def entity_graph(
    source: Any, *, visits: bool = True, co_mention: bool = False, details: bool = True
) -> nx.MultiDiGraph:
    """Project the RDF graph onto its entities and initiatives.

    Parameters
    ----------
    source : rdflib Graph/Dataset, pyoxigraph Store or build directory
    visits : bool
        Keep ``bkg:Visit`` nodes (with their ``visitor`` and ``destination`` edges).
    co_mention : bool
        Also link two nodes mentioned in the same passage (relation ``co-mention``, ``weight`` =
        the number of passages they share).
    details : bool
        With False, a lighter projection for the measures (what :func:`analyze` reads): the
        same nodes, edges, ``cls``, labels, ``iso3``, ``dates`` and ``years``, but no
        ``aliases``, ``docs``, ``passages``, ``places``, ``role``, ``role_en`` or ``agreement_type``. It
        skips the passage texts, which dominate the reading time of a large store.

    Returns
    -------
    networkx.MultiDiGraph
        Edges run as in RDF (subject -> object), keyed and labelled by ``relation``.

    Examples
    --------
    >>> import rdflib
    >>> g = rdflib.Graph()
    >>> B, I = rdflib.Namespace(BKG_IRI), rdflib.Namespace("https://w3id.org/bilateral-kg/id/")
    >>> for s, c in ((I["country/KAZ"], B.Country), (I["program/p"], B.Program)):
    ...     _ = g.add((s, rdflib.RDF.type, c))
    >>> _ = g.add((I["program/p"], B.participant, I["country/KAZ"]))
    >>> G = entity_graph(g)
    >>> [(G.nodes[u]["cls"], r, G.nodes[v]["cls"]) for u, v, r in G.edges(keys=True)]
    [('Program', 'participant', 'Country')]
    """
    store = as_store(source)
    G = nx.MultiDiGraph()
    classes = ENTITY_CLASSES if visits else tuple(c for c in ENTITY_CLASSES if c != "Visit")
    rank = {c: i for i, c in enumerate(ENTITY_CLASSES)}
    for row in _select(store, _Q_NODES):
        iri, cls = row["s"].value, _local(row["cls"].value)
        if cls not in classes or not isinstance(row["s"], ox.NamedNode):
            continue
        if iri in G and rank[G.nodes[iri]["cls"]] <= rank[cls]:
            continue  # typed twice: keep the first class in ENTITY_CLASSES order
        G.add_node(iri, iri=iri, cls=cls)
    if not details:
        return _lean_entity_graph(store, G, co_mention)
    for _, data in G.nodes(data=True):
        data.update(label_ja=None, label_en=None, aliases=[], dates={}, docs=[], passages=[])
    for row in _select(store, _Q_FACTS):
        iri = row["s"].value
        if iri not in G:
            continue
        data, prop, value = G.nodes[iri], _local(row["p"].value), row["o"]
        if prop in ("label", "altLabel") and value.value in (data["label_ja"], data["label_en"]):
            continue  # the same label read from another named graph
        if prop == "label":
            lang = getattr(value, "language", None)
            key = "label_en" if lang == "en" else "label_ja"
            if data[key] is None or (lang == "ja" and key == "label_ja"):
                data[key] = value.value
            elif value.value not in data["aliases"]:
                data["aliases"].append(value.value)
        elif prop == "altLabel":
            if value.value not in data["aliases"]:
                data["aliases"].append(value.value)
        elif prop in _DATE_PROPS:
            data["dates"].setdefault(prop, []).append(value.value)
        elif prop == "iso3":
            data["iso3"] = value.value
        elif prop == "role":
            data["role"] = value.value
        elif prop == "roleEnglish":
            data["role_en"] = value.value
        elif prop == "agreementType":
            data["agreement_type"] = _local(value.value)
    for row in _select(store, _Q_PLACES):
        if row["s"].value in G:
            places = G.nodes[row["s"].value].setdefault("places", [])
            if row["label"].value not in places:
                places.append(row["label"].value)
    for row in _select(store, _Q_EDGES):
        s, o, rel = row["s"].value, row["o"].value, _local(row["p"].value)
        if s in G and o in G and not G.has_edge(s, o, key=rel):
            G.add_edge(s, o, key=rel, relation=rel)

    by_passage: dict[str, set[str]] = defaultdict(set)
    doc_years: dict[str, set[int]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for row in _select(store, _Q_PROVENANCE):
        iri, passage = row["s"].value, row["passage"].value
        if iri not in G or (iri, passage) in seen:
            continue
        seen.add((iri, passage))
        by_passage[passage].add(iri)
        doc = row["title"] or row["source"] or row["doc"]
        doc_name = doc.value if doc is not None else ""
        start = row["start"]
        G.nodes[iri]["passages"].append(
            {
                "doc": doc_name,
                "paragraph": row["para"].value if row["para"] is not None else None,
                "text": row["text"].value if row["text"] is not None else "",
                "start": int(start.value) if start is not None and start.value.isdigit() else 0,
            }
        )
        if doc_name and doc_name not in G.nodes[iri]["docs"]:
            G.nodes[iri]["docs"].append(doc_name)
        if row["date"] is not None and (y := _year(row["date"].value)) is not None:
            doc_years[iri].add(y)

    for iri, data in G.nodes(data=True):
        data["aliases"] = sorted(data["aliases"])
        data["docs"] = sorted(data["docs"])
        data["passages"].sort(key=lambda p: (p["doc"], p["start"]))
    _finish_nodes(G, doc_years)
    if co_mention:
        _add_co_mentions(G, by_passage)
    return G


def _finish_nodes(G: nx.MultiDiGraph, doc_years: Mapping[str, set[int]]) -> None:
    """Sort the dates, set ``years`` (own dates, else the documents') and ``label``."""
    for iri, data in G.nodes(data=True):
        for dates in data["dates"].values():
            dates.sort()
        own = {y for ds in data["dates"].values() for d in ds if (y := _year(d)) is not None}
        data["years"] = sorted(own or doc_years.get(iri, ()))
        data["label"] = data["label_ja"] or data["label_en"] or data.get("iso3") or _local(iri)
    for iri, data in G.nodes(data=True):
        if data["cls"] == "Visit" and data["label"] == _local(iri):
            data["label"] = _visit_label(G, iri)


def _add_co_mentions(G: nx.MultiDiGraph, by_passage: Mapping[str, set[str]]) -> None:
    shared: Counter[tuple[str, str]] = Counter()
    for members in by_passage.values():
        for u, v in combinations(sorted(members), 2):
            shared[u, v] += 1
    for (u, v), n in sorted(shared.items()):
        G.add_edge(u, v, key="co-mention", relation="co-mention", weight=n)


def _lean_entity_graph(store: ox.Store, G: nx.MultiDiGraph, co_mention: bool) -> nx.MultiDiGraph:
    """``entity_graph(details=False)`` once the nodes are in: labels, dates, edges, years."""
    for _, data in G.nodes(data=True):
        data.update(label_ja=None, label_en=None, dates={})
    nodes = G.nodes
    for s, p, value in _solutions(store, _Q_LEAN_FACTS):
        iri = s.value
        if iri not in G:
            continue
        data, prop = nodes[iri], _local(p.value)
        if prop == "label":  # as in the full projection, less the aliases it keeps
            if value.value in (data["label_ja"], data["label_en"]):
                continue
            lang = getattr(value, "language", None)
            key = "label_en" if lang == "en" else "label_ja"
            if data[key] is None or (lang == "ja" and key == "label_ja"):
                data[key] = value.value
        elif prop in _DATE_PROPS:
            data["dates"].setdefault(prop, []).append(value.value)
        elif prop == "iso3":
            data["iso3"] = value.value
    relations = {f"{BKG_IRI}{r}": r for r in RELATIONS}
    for s, p, o in _solutions(store, _Q_EDGES):
        s, o, rel = s.value, o.value, relations[p.value]
        if s in G and o in G and not G.has_edge(s, o, key=rel):
            G.add_edge(s, o, key=rel, relation=rel)
    # the years of the documents that mention a node: node -> documents, document -> dates
    dated: dict[str, set[int]] = defaultdict(set)
    for doc, date in _solutions(store, _Q_DOC_DATES):
        if (y := _year(date.value)) is not None:
            dated[doc.value].add(y)
    doc_years: dict[str, set[int]] = defaultdict(set)
    for s, doc in _solutions(store, _Q_DOCS_OF):
        if (years := dated.get(doc.value)) and s.value in G:
            doc_years[s.value].update(years)
    _finish_nodes(G, doc_years)
    if co_mention:
        by_passage: dict[str, set[str]] = defaultdict(set)
        for row in _select(store, _Q_MENTIONS):
            if row["s"].value in G:
                by_passage[row["passage"].value].add(row["s"].value)
        _add_co_mentions(G, by_passage)
    return G


def _visit_label(G: nx.MultiDiGraph, visit: str) -> str:
    visitor = next((v for _, v, r in G.out_edges(visit, keys=True) if r == "visitor"), None)
    dest = next((v for _, v, r in G.out_edges(visit, keys=True) if r == "destination"), None)
    when = (G.nodes[visit]["dates"].get("startDate") or G.nodes[visit]["dates"].get("date") or [""])
    parts = [G.nodes[n]["label"] for n in (visitor, dest) if n is not None]
    return "訪問: " + " → ".join(parts) + (f" ({when[0]})" if when[0] else "")


def _ensure_entity_graph(source: Any) -> nx.MultiDiGraph:
    if isinstance(source, nx.Graph):
        return source
    return entity_graph(source)


def countries_of(G: nx.MultiDiGraph, initiative: str) -> dict[str, str]:
    """The countries taking part in an agreement, meeting or program, and how.

    A country takes part directly (``party``/``participant``) or through a person or organization
    of that country (a ``party``, ``participant`` or ``implementedBy`` that has ``country``).

    Returns
    -------
    dict
        country node -> the relation through which it takes part.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("J", {"cls": "Country"}), ("K", {"cls": "Country"}),
    ...                   ("O", {"cls": "Organization"}), ("P", {"cls": "Program"})])
    >>> for u, v, rel in [("P", "K", "participant"), ("P", "O", "implementedBy"),
    ...                   ("O", "J", "country")]:
    ...     _ = G.add_edge(u, v, key=rel)
    >>> countries_of(G, "P")
    {'K': 'participant', 'J': 'implementedBy'}
    """
    found: dict[str, str] = {}
    for _, x, rel in G.out_edges(initiative, keys=True):
        if rel not in ("party", "participant", "implementedBy"):
            continue
        if G.nodes[x].get("cls") == "Country":
            found.setdefault(x, rel)
            continue
        for _, c, rel2 in G.out_edges(x, keys=True):
            if rel2 == "country" and G.nodes[c].get("cls") == "Country":
                found.setdefault(c, rel)
    return found


def _node_summary(data: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("iri", "cls", "label", "label_ja", "label_en", "aliases", "iso3", "years", "docs")
    return {k: data[k] for k in keys if k in data}


def country_initiative_graph(source: Any) -> nx.Graph:
    """Bipartite graph of countries (``bipartite=0``) and the initiatives they take part in (1).

    Initiatives are agreements, meetings and programs with at least one country (see
    :func:`countries_of`); the edge's ``relation`` says how the country takes part.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("K", {"cls": "Country"}), ("P", {"cls": "Program"})])
    >>> G.add_edge("P", "K", key="participant")
    'participant'
    >>> B = country_initiative_graph(G)
    >>> sorted(B.nodes(data="bipartite")), list(B.edges(data="relation"))
    ([('K', 0), ('P', 1)], [('K', 'P', 'participant')])
    """
    G = _ensure_entity_graph(source)
    B = nx.Graph()
    for n, data in G.nodes(data=True):
        if data.get("cls") == "Country":
            B.add_node(n, **_node_summary(data), bipartite=0)
    for n, data in G.nodes(data=True):
        if data.get("cls") not in INITIATIVE_CLASSES:
            continue
        members = countries_of(G, n)
        if not members:
            continue
        B.add_node(n, **_node_summary(data), bipartite=1)
        for c, rel in members.items():
            B.add_edge(c, n, relation=rel)
    return B


def country_graph(source: Any, *, year: int | None = None, visits: bool = False) -> nx.Graph:
    """Country–country graph weighted by the agreements, meetings and programs they share.

    Parameters
    ----------
    source : an entity graph (:func:`entity_graph`) or an RDF source
    year : int, optional
        Count only initiatives of that year (their own date, or else the dates of the documents
        they were read from).
    visits : bool
        Also count visits between the two countries (visitor's country and destination).

    Returns
    -------
    networkx.Graph
        Every country is a node. Edge attributes: ``weight`` (number of shared initiatives),
        ``agreements``, ``meetings``, ``programs`` (and ``visits``) — sorted lists of initiative
        nodes —, ``labels`` (initiative -> label) and ``years``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("J", {"cls": "Country"}), ("K", {"cls": "Country"}),
    ...                   ("A", {"cls": "Agreement", "label": "MoU", "years": [2023]})])
    >>> _ = [G.add_edge("A", c, key="party") for c in "JK"]
    >>> C = country_graph(G)
    >>> C["J"]["K"]["weight"], C["J"]["K"]["agreements"]
    (1, ['A'])
    >>> country_graph(G, year=2024).number_of_edges()
    0
    """
    G = _ensure_entity_graph(source)
    kinds = _country_kinds(visits)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for n, kind, members, years, label in _initiatives(G, kinds):
        if year is None or year in years:
            for pair in combinations(members, 2):
                _count(edges, pair, kind, n, label, years, kinds)
    return _country_nx(G, _finish_edges(edges, kinds))


def country_graphs_by_year(source: Any, *, visits: bool = False) -> dict[int, nx.Graph]:
    """``{year: country_graph(source, year=year, visits=visits)}`` for every year that has a
    country pair, computed in one pass over the initiatives.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("J", {"cls": "Country"}), ("K", {"cls": "Country"}),
    ...                   ("A", {"cls": "Agreement", "label": "MoU", "years": [2022, 2023]})])
    >>> _ = [G.add_edge("A", c, key="party") for c in "JK"]
    >>> {y: C["J"]["K"]["agreements"] for y, C in country_graphs_by_year(G).items()}
    {2022: ['A'], 2023: ['A']}
    """
    G = _ensure_entity_graph(source)
    kinds = _country_kinds(visits)
    _, by_year = _country_slices(G, kinds)
    return {y: _country_nx(G, edges) for y, edges in by_year.items()}


def _country_kinds(visits: bool) -> dict[str, str]:
    kinds = {"Agreement": "agreements", "Meeting": "meetings", "Program": "programs"}
    if visits:
        kinds["Visit"] = "visits"
    return kinds


def _initiatives(
    G: nx.MultiDiGraph, kinds: Mapping[str, str]
) -> Iterator[tuple[str, str, list[str], list, str]]:
    """(node, kind, its countries sorted, its years, its label) of each initiative of ``kinds``
    with at least two countries, in node order."""
    for n, data in G.nodes(data=True):
        kind = kinds.get(data.get("cls", ""))
        if kind is None:
            continue
        members = _visit_countries(G, n) if kind == "visits" else set(countries_of(G, n))
        if len(members) > 1:
            yield n, kind, sorted(members), data.get("years") or [], data.get("label", _local(n))


def _count(
    edges: dict[tuple[str, str], dict[str, Any]],
    pair: tuple[str, str],
    kind: str,
    n: str,
    label: str,
    years: Iterable,
    kinds: Mapping[str, str],
) -> None:
    """Count initiative ``n`` on the edge ``pair`` (its years gathered in a set, see
    :func:`_finish_edges`)."""
    edge = edges.get(pair)
    if edge is None:
        edge = edges[pair] = {"weight": 0, **{k: [] for k in kinds.values()}, "labels": {},
                              "years": set()}
    edge[kind].append(n)
    edge["labels"][n] = label
    edge["years"].update(years)
    edge["weight"] += 1


def _finish_edges(edges: dict[tuple[str, str], dict], kinds: Mapping[str, str]) -> dict:
    """Sort each edge's initiatives and years, as :func:`country_graph` gives them."""
    for edge in edges.values():
        for kind in kinds.values():
            edge[kind].sort()
        edge["years"] = sorted(edge["years"])
    return edges


def _country_slices(
    G: nx.MultiDiGraph, kinds: Mapping[str, str]
) -> tuple[dict[tuple[str, str], dict], dict[int, dict[tuple[str, str], dict]]]:
    """The edges of the country graph over all years and of each year's, in one pass.

    Each is ``{(a, b): edge}`` with ``a < b`` and the edge attributes of :func:`country_graph`;
    the years come out sorted. No graph is built: a slice holds only its own pairs.
    """
    every: dict[tuple[str, str], dict] = {}
    by_year: dict[Any, dict[tuple[str, str], dict]] = defaultdict(dict)
    for n, kind, members, years, label in _initiatives(G, kinds):
        pairs = list(combinations(members, 2))
        for pair in pairs:
            _count(every, pair, kind, n, label, years, kinds)
        for y in dict.fromkeys(years):
            edges = by_year[y]
            for pair in pairs:
                _count(edges, pair, kind, n, label, years, kinds)
    for edges in (every, *by_year.values()):
        _finish_edges(edges, kinds)
    return every, dict(sorted(by_year.items()))


def _country_nx(G: nx.MultiDiGraph, edges: Mapping[tuple[str, str], dict]) -> nx.Graph:
    C = nx.Graph()
    for n, data in G.nodes(data=True):
        if data.get("cls") == "Country":
            C.add_node(n, **_node_summary(data))
    for (a, b), edge in edges.items():
        C.add_edge(a, b, **edge)
    return C


def _visit_countries(G: nx.MultiDiGraph, visit: str) -> set[str]:
    found = set()
    for _, x, rel in G.out_edges(visit, keys=True):
        if rel == "destination" and G.nodes[x].get("cls") == "Country":
            found.add(x)
        elif rel == "visitor":
            found.update(
                c for _, c, r in G.out_edges(x, keys=True)
                if r == "country" and G.nodes[c].get("cls") == "Country"
            )
    return found


# --- measures -------------------------------------------------------------------------------


def _simple(G: nx.Graph, weight: str | None = "weight") -> nx.Graph:
    """Undirected simple graph; parallel edges add up their ``weight`` (1 when missing)."""
    if not G.is_multigraph() and not G.is_directed():
        return G
    H = nx.Graph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, w in G.edges(data=weight, default=1):
        if u == v:
            continue
        w = 1 if w is None else w
        if H.has_edge(u, v):
            H[u][v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


def degree(G: nx.Graph) -> dict[Any, int]:
    """Number of distinct neighbours of each node (edge direction and parallel edges ignored).

    >>> degree(nx.star_graph(3))
    {0: 3, 1: 1, 2: 1, 3: 1}
    """
    return dict(_simple(G).degree())


def weighted_degree(G: nx.Graph, weight: str = "weight") -> dict[Any, float]:
    """Sum of edge weights at each node; on a multigraph each parallel edge counts (weight 1).

    >>> G = nx.Graph([("a", "b", {"weight": 2}), ("b", "c", {"weight": 3})])
    >>> weighted_degree(G)
    {'a': 2, 'b': 5, 'c': 3}
    """
    return dict(_simple(G, weight).degree(weight="weight"))


def _igraph():
    """The python-igraph module, or an ImportError that says how to get it."""
    try:
        import igraph
    except ImportError as err:  # pragma: no cover - igraph is a dependency
        raise ImportError(
            "the igraph engine needs python-igraph: pip install igraph"
        ) from err
    return igraph


def _has_igraph() -> bool:
    try:
        _igraph()
    except ImportError:  # pragma: no cover
        return False
    return True


def choose_engine(G: nx.Graph, engine: str = "auto") -> str:
    """The backend the heavy measures run on: ``"networkx"`` or ``"igraph"``.

    ``auto`` picks igraph when the graph has at least :data:`IGRAPH_MIN_NODES` nodes or
    :data:`IGRAPH_MIN_EDGES` edges (and igraph is installed), networkx otherwise.

    >>> choose_engine(nx.path_graph(3)), choose_engine(nx.path_graph(3), "igraph")
    ('networkx', 'igraph')
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "igraph":
        _igraph()
    if engine != "auto":
        return engine
    large = G.number_of_nodes() >= IGRAPH_MIN_NODES or G.number_of_edges() >= IGRAPH_MIN_EDGES
    return "igraph" if large and _has_igraph() else "networkx"


def default_k(G: nx.Graph) -> int | None:
    """How many sources betweenness samples by default: None (exact) up to
    :data:`EXACT_BETWEENNESS_MAX_NODES` nodes, else :data:`DEFAULT_K`.

    >>> default_k(nx.path_graph(10)) is None, default_k(nx.empty_graph(6000))
    (True, 200)
    """
    return None if G.number_of_nodes() <= EXACT_BETWEENNESS_MAX_NODES else DEFAULT_K


def _to_igraph(H: nx.Graph, weight: str | None = "weight") -> tuple[Any, list]:
    """An undirected igraph copy of the simple graph ``H`` and its nodes (vertex i = nodes[i]).

    Self-loops are left out (they change no shortest path; a simple graph from :func:`_simple`
    has none). With ``weight``, the edges carry it as ``"weight"`` (1 when missing).
    """
    ig = _igraph()
    nodes = list(H)
    index = {v: i for i, v in enumerate(nodes)}
    edges, weights = [], []
    for u, v, w in H.edges(data=weight or "weight", default=1):
        if u == v:
            continue
        edges.append((index[u], index[v]))
        weights.append(1 if w is None else w)
    g = ig.Graph(n=len(nodes), edges=edges, directed=False)
    if weight:
        g.es["weight"] = weights
    return g, nodes


@contextmanager
def _igraph_seed(seed: int) -> Iterator[None]:
    """igraph's random numbers from ``random.Random(seed)`` for the block, then as before."""
    ig = _igraph()
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def betweenness(
    G: nx.Graph, *, k: int | None = None, seed: int = 0, engine: str = "auto"
) -> dict[Any, float]:
    """Normalized betweenness centrality over hops; ``k`` samples ``k`` source nodes.

    Both engines give networkx's numbers: exact with ``k=None``; with ``k`` the same sampled
    sources (``random.Random(seed).sample(list(nodes), k)``, as networkx draws them) and
    networkx's rescaling (>= 3.5: sources and other nodes scaled apart), so a seed gives the
    same result on networkx and igraph, up to float rounding.

    >>> b = betweenness(nx.path_graph(3))
    >>> b[1], b[0]
    (1.0, 0.0)
    >>> b = betweenness(nx.path_graph(3), engine="igraph")
    >>> b[1], b[0]
    (1.0, 0.0)
    """
    H = _simple(G)
    if k is not None and k >= H.number_of_nodes():
        k = None
    if choose_engine(H, engine) == "networkx":
        return nx.betweenness_centrality(H, k=k, seed=seed if k else None, normalized=True)
    g, nodes = _to_igraph(H, None)
    n = len(nodes)
    if k is None:
        raw = g.betweenness(directed=False) if n else []
        # igraph counts each unordered pair once; networkx divides the ordered count by
        # (n - 1)(n - 2)
        scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 1.0
        return {v: raw[i] * scale for i, v in enumerate(nodes)}
    sources = random.Random(seed).sample(nodes, k)
    index = {v: i for i, v in enumerate(nodes)}
    raw = g.betweenness(directed=False, sources=[index[s] for s in sources])
    if n - 1 < 2:
        return {v: raw[i] for i, v in enumerate(nodes)}
    pairs = n - 2  # (n - 1) - 1 possible targets through v, as networkx's _rescale
    on_source = 2 / ((k - 1) * pairs) if k > 1 else math.nan
    off_source = 2 / (k * pairs)
    chosen = set(sources)
    return {v: raw[i] * (on_source if v in chosen else off_source) for i, v in enumerate(nodes)}


def eigenvector(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    max_iter: int = 1000,
    tol: float = 1e-06,
    engine: str = "auto",
) -> dict[Any, float]:
    """Eigenvector centrality that copes with disconnected graphs and non-convergence.

    Each connected component is computed on its own (isolated nodes score 0) and scaled by its
    share of the nodes, so a small island does not outrank the main component. When power
    iteration does not converge on a component, its normalized degree is used instead, with a
    ``RuntimeWarning``. On igraph (ARPACK; ``max_iter`` and ``tol`` are networkx's) the
    vector of each component is normalized to unit length as networkx's.

    >>> e = eigenvector(nx.star_graph(3))
    >>> max(e, key=e.get)
    0
    >>> eigenvector(nx.empty_graph(2))
    {0: 0.0, 1: 0.0}
    """
    H = _simple(G, weight)
    n = H.number_of_nodes()
    if n and choose_engine(H, engine) == "igraph":
        return _eigenvector_igraph(H, weight)
    result: dict[Any, float] = {}
    for comp in nx.connected_components(H):
        if len(comp) == 1:
            result.update(dict.fromkeys(comp, 0.0))
            continue
        sub = H.subgraph(comp)
        try:
            scores = nx.eigenvector_centrality(
                sub, max_iter=max_iter, tol=tol, weight="weight" if weight else None
            )
        except nx.PowerIterationFailedConvergence:
            _warn_degree_fallback(len(comp))
            scores = _unit_degree(dict(sub.degree()))
        share = len(comp) / n
        result.update({v: s * share for v, s in scores.items()})
    return {v: result[v] for v in H}


def _warn_degree_fallback(size: int) -> None:
    warnings.warn(
        f"eigenvector centrality did not converge on a component of {size} nodes;"
        " using normalized degree there",
        RuntimeWarning,
        stacklevel=3,
    )


def _unit_degree(deg: Mapping[Any, float]) -> dict[Any, float]:
    norm = math.sqrt(sum(d * d for d in deg.values())) or 1.0
    return {v: d / norm for v, d in deg.items()}


def _eigenvector_igraph(H: nx.Graph, weight: str | None) -> dict[Any, float]:
    ig = _igraph()
    g, nodes = _to_igraph(H, weight)
    n = len(nodes)
    result = [0.0] * n
    for comp in g.connected_components():
        if len(comp) == 1:
            continue
        sub = g.induced_subgraph(comp, implementation="create_from_scratch")
        # induced_subgraph keeps the vertices in increasing id order
        comp = sorted(comp)
        try:
            scores = sub.eigenvector_centrality(weights="weight" if weight else None)
            norm = math.sqrt(sum(s * s for s in scores))
            if not norm or not math.isfinite(norm):
                raise ig.InternalError("no eigenvector")
            scores = [s / norm for s in scores]
        except ig.InternalError:
            _warn_degree_fallback(len(comp))
            deg = _unit_degree(dict(enumerate(sub.degree())))  # unweighted, as networkx's
            scores = [deg[i] for i in range(len(comp))]
        share = len(comp) / n
        for i, s in zip(comp, scores):
            result[i] = s * share
    return dict(zip(nodes, result))


def communities(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int = 42,
    engine: str = "auto",
) -> list[set]:
    """Louvain communities (fixed seed), largest first.

    On igraph, its multilevel (Louvain) algorithm with the same weights and resolution, its
    random numbers drawn from ``random.Random(seed)``. The two implementations visit the nodes
    in different orders, so on a graph without a clear-cut structure they may settle on
    different (equally good) partitions; each is deterministic for a seed.

    >>> G = nx.barbell_graph(4, 0)
    >>> [sorted(c) for c in communities(G)]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    >>> [sorted(c) for c in communities(G, engine="igraph")]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
    """
    H = _simple(G, weight)
    if H.number_of_nodes() and choose_engine(H, engine) == "igraph":
        g, nodes = _to_igraph(H, weight)
        with _igraph_seed(seed):
            found = g.community_multilevel(
                weights="weight" if weight else None, resolution=resolution
            )
        found = [{nodes[i] for i in part} for part in found]
    else:
        found = nx.community.louvain_communities(
            H, weight="weight" if weight else None, resolution=resolution, seed=seed
        )
    return sorted(found, key=lambda c: (-len(c), min(str(v) for v in c)))


def community_index(parts: Iterable[set]) -> dict[Any, int]:
    """Node -> the index of its community in ``parts``.

    >>> community_index([{"a", "b"}, {"c"}])["c"]
    1
    """
    return {v: i for i, part in enumerate(parts) for v in part}


# --- naming entities ------------------------------------------------------------------------


def _names(data: Mapping[str, Any]) -> list[str]:
    names = [data.get("label_ja"), data.get("label_en"), data.get("iso3"), data.get("label")]
    return [n for n in [*names, *data.get("aliases", ())] if n]


def _describe(G: nx.Graph, n: Any) -> str:
    data = G.nodes[n]
    label = data.get("label", n)
    en = data.get("label_en")
    extra = f" / {en}" if en and en != label else ""
    return f"{label}{extra} [{data.get('cls', '?')}] <{n}>"


def resolve_entity(G: Any, name: str, *, classes: Iterable[str] | None = None) -> Any:
    """Find the node a name refers to: IRI, ISO3, Japanese or English label, or alias.

    Matching ignores width, case, spaces, ・, ＝ and punctuation (NFKC, as
    :func:`extract.facts.make_key`). An exact name wins; otherwise a unique node whose name
    contains the query. Raises :class:`EntityNotFoundError` (with the closest names) or
    :class:`AmbiguousEntityError` (with the candidates).

    >>> G = nx.Graph()
    >>> G.add_node("c/KAZ", cls="Country", label_ja="カザフスタン", label_en="Kazakhstan",
    ...            iso3="KAZ", aliases=["カザフスタン共和国"])
    >>> resolve_entity(G, "ｋａｚ"), resolve_entity(G, "kazakhstan"), resolve_entity(G, "カザフ")
    ('c/KAZ', 'c/KAZ', 'c/KAZ')
    """
    G = _ensure_entity_graph(G)
    wanted = set(classes) if classes else None
    if name in G and (wanted is None or G.nodes[name].get("cls") in wanted):
        return name
    query = make_key(name)
    if not query:
        raise EntityNotFoundError(name, [])
    exact: list[Any] = []
    partial: list[Any] = []
    index: dict[str, list[Any]] = defaultdict(list)
    for n, data in G.nodes(data=True):
        if wanted is not None and data.get("cls") not in wanted:
            continue
        keys = {make_key(x) for x in _names(data)} - {""}
        keys.add(make_key(_local(str(n))))
        for key in keys:
            index[key].append(n)
        if query in keys:
            exact.append(n)
        elif any(query in key for key in keys):
            partial.append(n)
    found = exact or partial
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        if exact:  # prefer a country over what is named after it
            countries = [n for n in exact if G.nodes[n].get("cls") == "Country"]
            if len(countries) == 1:
                return countries[0]
        ranked = sorted(found, key=lambda n: (-G.degree(n), str(n)))
        raise AmbiguousEntityError(name, [_describe(G, n) for n in ranked[:10]])
    close = difflib.get_close_matches(query, list(index), n=5, cutoff=0.5)
    hits = list(dict.fromkeys(n for key in close for n in index[key]))
    raise EntityNotFoundError(name, [_describe(G, n) for n in hits[:5]])


# --- paths, ego networks, timelines ---------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """One step of a path: ``source`` to ``target`` along ``relation``.

    ``forward`` is True when the RDF triple reads ``source relation target``.
    """

    source: Any
    target: Any
    relation: str
    forward: bool = True

    def format(self, G: nx.Graph | None = None) -> str:
        def name(n: Any) -> str:
            return str(G.nodes[n].get("label", n)) if G is not None and n in G else str(n)

        arrow = f"-{self.relation}->" if self.forward else f"<-{self.relation}-"
        return f"{name(self.source)} {arrow} {name(self.target)}"


def _hop(G: nx.Graph, u: Any, v: Any) -> Hop:
    forward = _relations(G, u, v)
    backward = _relations(G, v, u) if G.is_directed() else []
    if forward:
        return Hop(u, v, "|".join(forward), True)
    return Hop(u, v, "|".join(backward) or "link", False)


def _relations(G: nx.Graph, u: Any, v: Any) -> list[str]:
    if not G.has_edge(u, v):
        return []
    data = G.get_edge_data(u, v)
    if G.is_multigraph():
        return sorted({d.get("relation", str(k)) for k, d in data.items()})
    return [data.get("relation", "link")]


def paths(
    G: Any, a: Any, b: Any, *, cutoff: int | None = 6, max_paths: int = 10,
    avoid: Iterable[Any] = (),
) -> Iterator[list[Hop]]:
    """Shortest paths linking two entities, as hops labelled with their relations.

    Edge direction is ignored when searching; each :class:`Hop` says which way the triple
    reads. Yields nothing when the two are not linked within ``cutoff`` hops. ``avoid``: nodes
    (or names, see :func:`resolve_entity`) no path may pass through, e.g. the 日本 hub.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("KAZ", {"label": "Kazakhstan"}), ("P", {"label": "Program"}),
    ...                   ("JICA", {"label": "JICA"})])
    >>> G.add_edge("P", "KAZ", key="participant", relation="participant")
    'participant'
    >>> G.add_edge("P", "JICA", key="implementedBy", relation="implementedBy")
    'implementedBy'
    >>> for path in paths(G, "KAZ", "JICA"):
    ...     print(format_path(G, path))
    Kazakhstan <-participant- Program -implementedBy-> JICA
    """
    G = _ensure_entity_graph(G)
    source, target = resolve_entity(G, str(a)), resolve_entity(G, str(b))
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    hidden = avoided(G, avoid)
    if hidden & {source, target}:
        raise ValueError("a path cannot avoid one of its own ends")
    if hidden:
        U = nx.restricted_view(U, hidden, [])
    try:
        found = nx.all_shortest_paths(U, source, target)
        for nodes in islice(found, max_paths):
            if cutoff is not None and len(nodes) - 1 > cutoff:
                return
            yield [_hop(G, u, v) for u, v in pairwise(nodes)]
    except nx.NetworkXNoPath:
        return


def format_path(G: nx.Graph, path: list[Hop]) -> str:
    """One line for a path: ``A -rel-> B <-rel- C``.

    >>> G = nx.Graph([("a", "b", {"relation": "party"})])
    >>> format_path(G, [Hop("a", "b", "party")])
    'a -party-> b'
    """
    if not path:
        return ""
    label = lambda n: str(G.nodes[n].get("label", n)) if n in G else str(n)
    parts = [label(path[0].source)]
    for hop in path:
        arrow = f"-{hop.relation}->" if hop.forward else f"<-{hop.relation}-"
        parts.append(f"{arrow} {label(hop.target)}")
    return " ".join(parts)


def ego(G: Any, entity: Any, radius: int = 1) -> nx.Graph:
    """The subgraph within ``radius`` hops of an entity (direction ignored), node attrs kept.

    >>> sorted(ego(nx.path_graph(5), 2, radius=1))
    [1, 2, 3]
    """
    G = _ensure_entity_graph(G)
    center = resolve_entity(G, entity) if entity not in G else entity
    return nx.ego_graph(G, center, radius=radius, undirected=True)


# --- citing the hops of paths and the edges of ego networks (issue 13) ----------------------

#: The passages a node was read from, with their documents and the node's quotations in them.
_Q_CITE_NODE = """
SELECT ?node ?passage ?text ?para ?pstart ?doc ?title ?source ?url ?date ?sentence ?exact ?qstart
WHERE {
  VALUES ?rel { bkg:mentionedIn prov:wasDerivedFrom }
  ?node ?rel ?passage .
  ?passage bkg:document ?doc .
  OPTIONAL { ?passage bkg:text ?text }
  OPTIONAL { ?passage bkg:paragraph ?para }
  OPTIONAL { ?passage bkg:charStart ?pstart }
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc dcterms:source ?source }
  OPTIONAL { ?doc prov:wasQuotedFrom ?url }
  OPTIONAL { ?doc dcterms:date ?date }
  OPTIONAL { ?node bkg:quotation ?q . ?q oa:hasSource ?passage ; bkg:sentence ?sentence .
             OPTIONAL { ?q oa:hasSelector ?sel . ?sel a oa:TextQuoteSelector ; oa:exact ?exact }
             OPTIONAL { ?q oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ;
                                                      oa:start ?qstart } }
}"""

#: The documents whose named graph states a triple (its claim, see README "Citing facts").
_Q_CLAIMED_BY = """
SELECT DISTINCT ?s ?p ?o ?doc WHERE {
  GRAPH ?g { ?s ?p ?o . ?doc a bkg:Document . }
}"""

#: The fields of one citation, in the order of the CSV columns.
CITATION_FIELDS = ("document", "paragraph", "date", "quote", "exact", "source", "url", "passage",
                   "names_both")


def avoided(G: Any, names: Iterable[Any]) -> set[Any]:
    """The nodes ``names`` refer to (IRIs, ISO3 codes, labels; :func:`resolve_entity`).

    >>> G = nx.Graph()
    >>> G.add_node("c/JPN", cls="Country", label_ja="日本", iso3="JPN")
    >>> avoided(G, ["jpn"])
    {'c/JPN'}
    """
    G = _ensure_entity_graph(G)
    return {n if n in G else resolve_entity(G, str(n)) for n in names}


class Citer:
    """The passages behind the edges of an entity graph, read from its RDF source once per node.

    An edge ``s -relation-> o`` is an RDF triple of the fact ``s``, claimed by the documents whose
    named graph holds it; it is cited by the passages of those documents that ``s`` was read
    from, those that also mention or write ``o`` first (all of ``s``'s passages when no graph
    says), each
    as a dict of :data:`CITATION_FIELDS`: the document's title, the paragraph number, the
    document's date, the quoted sentence (the sentence of ``s``'s quotation in that passage that
    names ``o`` where there is one; else the passage text), the exact words quoted, the document
    source (file) and URL, and the passage IRI. Citations are sorted by date, source and offset.
    """

    def __init__(self, source: Any) -> None:
        self.store = as_store(source)
        self._cache: dict[str, dict[str, dict[str, Any]]] = {}

    def passages(self, node: Any) -> dict[str, dict[str, Any]]:
        """passage IRI -> what a citation of ``node`` from that passage needs."""
        iri = str(node)
        if iri in self._cache:
            return self._cache[iri]
        from kg.store import union_options

        prefixes = "".join(f"PREFIX {p}: <{i}>\n" for p, i in _PREFIXES.items())
        prefixes += "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
        found: dict[str, dict[str, Any]] = {}
        try:
            result = self.store.query(prefixes + _Q_CITE_NODE,
                                      substitutions={ox.Variable("node"): ox.NamedNode(iri)},
                                      **union_options(self.store))
        except ValueError:  # not an IRI (a test graph's plain node name)
            result = []
        for row in result:
            value = _reader(row)
            p = found.setdefault(value("passage"), {
                "passage": value("passage"), "doc": value("doc"), "document": value("title"),
                "paragraph": value("para"), "date": value("date"), "text": value("text"),
                "source": value("source"), "url": value("url"),
                "start": int(value("pstart")) if value("pstart").lstrip("-").isdigit() else 0,
                "sentences": {},
            })
            if value("sentence"):
                qstart = value("qstart")
                where = int(qstart) if qstart.isdigit() else 0
                words = p["sentences"].setdefault(value("sentence"), [where, set()])
                words[0] = min(words[0], where)
                if value("exact"):
                    words[1].add(value("exact"))
        self._cache[iri] = found
        return found

    def claimed_by(self, s: Any, o: Any, relations: Iterable[str]) -> set[str]:
        """The documents (IRIs) whose own graph holds ``s relation o`` for one of ``relations``."""
        prefixes = "".join(f"PREFIX {p}: <{i}>\n" for p, i in _PREFIXES.items())
        docs: set[str] = set()
        for rel in relations:
            try:
                binding = {ox.Variable("s"): ox.NamedNode(str(s)),
                           ox.Variable("p"): ox.NamedNode(BKG_IRI + rel),
                           ox.Variable("o"): ox.NamedNode(str(o))}
                docs.update(row["doc"].value for row in
                            self.store.query(prefixes + _Q_CLAIMED_BY, substitutions=binding))
            except ValueError:  # not IRIs (a test graph's plain node names)
                continue
        return docs

    def edge(self, s: Any, o: Any, *, limit: int | None = 3,
             names: Iterable[str] = (), relations: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The citations of the triple(s) ``s -> o`` (``s`` the subject), at most ``limit``.

        ``names``: how ``o`` may be written (its labels and aliases); a passage of ``s`` that
        writes one counts as naming ``o`` too, and such passages come first. ``names_both``
        tells whether the cited passage names both ends. ``relations``: the triple's
        properties (local names); when given, only the passages of the documents whose graph
        states the triple are cited (all of ``s``'s when no graph says)."""
        mine, theirs = self.passages(s), self.passages(o)
        claimed = self.claimed_by(s, o, relations) if relations else set()
        if claimed and any(p["doc"] in claimed for p in mine.values()):
            mine = {k: p for k, p in mine.items() if p["doc"] in claimed}
        names = tuple(n for n in names if n and len(n) >= 2)
        both = {k for k in mine if k in theirs or any(n in mine[k]["text"] for n in names)}
        shared = [k for k in mine if k in both] or list(mine)
        their_docs = {p["doc"] for p in theirs.values()}
        cites = []
        for key in shared:
            p = mine[key]
            other = theirs.get(key, {}).get("sentences", {})
            other_words = {w for _, words in other.values() for w in words} | set(names)
            ranked = sorted(
                p["sentences"].items(),
                key=lambda kv: (not (kv[0] in other or any(w in kv[0] for w in other_words)),
                                kv[1][0], kv[0]),
            )
            if ranked:
                quote, (_, words) = ranked[0]
            elif other:
                quote, (_, words) = min(other.items(), key=lambda kv: (kv[1][0], kv[0]))
            else:
                quote, words = p["text"], set()
            cites.append({
                "document": p["document"], "paragraph": p["paragraph"], "date": p["date"],
                "quote": quote, "exact": " / ".join(sorted(words)), "source": p["source"],
                "url": p["url"], "passage": p["passage"], "names_both": key in both,
                "_start": p["start"], "_near": p["doc"] in their_docs,
            })
        # first the passages naming both ends, then those of a document that names the other
        cites.sort(key=lambda c: (not c["names_both"], not c["_near"], c["date"], c["source"],
                                  c["_start"], c["passage"]))
        for c in cites:
            del c["_start"], c["_near"]
        return cites if limit is None else cites[:limit]

    def hop(self, hop: Hop, *, limit: int | None = 3,
            names: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The citations of one hop of a path (the triple reads ``source -> target`` when
        ``hop.forward``); ``names`` as in :meth:`edge`, of the triple's object."""
        s, o = (hop.source, hop.target) if hop.forward else (hop.target, hop.source)
        relations = [r for r in hop.relation.split("|") if r in RELATIONS]
        return self.edge(s, o, limit=limit, names=names, relations=relations)


def _object_names(G: nx.Graph, o: Any) -> list[str]:
    return _names(G.nodes[o]) if o in G else []


def _reader(row: Any) -> Any:
    """``value(var)``: the text of a solution's variable, ``""`` when unbound."""
    return lambda var: row[var].value if row[var] is not None else ""


def _node_ref(G: nx.Graph, n: Any) -> dict[str, Any]:
    data = G.nodes[n] if n in G else {}
    return {"iri": str(n), "label": str(data.get("label", n)), "label_en": data.get("label_en"),
            "class": data.get("cls")}


def cited_paths(G: nx.Graph, found: list[list[Hop]], citer: Citer, *,
                limit: int | None = 3) -> list[dict[str, Any]]:
    """Paths as plain data: each hop's ends, relation, direction and citations (JSON-ready)."""
    out = []
    for number, hops in enumerate(found, 1):
        out.append({"path": number, "length": len(hops), "hops": [
            {"hop": i, "source": _node_ref(G, h.source), "relation": h.relation,
             "forward": h.forward, "target": _node_ref(G, h.target),
             "citations": citer.hop(h, limit=limit, names=_object_names(
                 G, h.target if h.forward else h.source))}
            for i, h in enumerate(hops, 1)
        ]})
    return out


def cited_edges(E: nx.Graph, citer: Citer, *, limit: int | None = 3) -> list[dict[str, Any]]:
    """The edges of an ego network as plain data, sorted by relation, source and target, each
    with its citations."""
    if E.is_multigraph():
        edges = list(E.edges(keys=True))
    else:
        edges = [(u, v, d.get("relation", "link")) for u, v, d in E.edges(data=True)]
    edges.sort(key=lambda e: (str(e[2]), str(e[0]), str(e[1])))
    return [{"source": _node_ref(E, u), "relation": str(rel), "target": _node_ref(E, v),
             "citations": citer.edge(u, v, limit=limit, names=_object_names(E, v),
                                     relations=[str(rel)] if rel in RELATIONS else [])}
            for u, v, rel in edges]


def citation_rows(items: list[dict[str, Any]], *, path: bool) -> Iterator[list[str]]:
    """CSV rows (header first) for :func:`cited_paths` (``path=True``) or :func:`cited_edges`
    output: one row per citation (one without citation fields when an edge has none), cells
    spreadsheet-safe (:func:`kg.store.spreadsheet_safe`)."""
    from kg.store import spreadsheet_safe

    lead = ["path", "hop"] if path else []
    yield [*lead, "from", "from_label", "relation", "direction", "to", "to_label",
           *CITATION_FIELDS]
    edges = ([(p["path"], h) for p in items for h in p["hops"]] if path
             else [(None, e) for e in items])
    for number, e in edges:
        head = [str(number), str(e["hop"])] if path else []
        forward = e.get("forward", True)
        head += [e["source"]["iri"], e["source"]["label"], e["relation"],
                 "forward" if forward else "backward", e["target"]["iri"], e["target"]["label"]]
        for c in e["citations"] or [dict.fromkeys(CITATION_FIELDS, "")]:
            yield [spreadsheet_safe(str(x)) for x in [*head, *(c[f] for f in CITATION_FIELDS)]]


def citations_json(data: Any) -> str:
    """Deterministic JSON (sorted keys, UTF-8 text kept, two-space indent, final newline)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def format_citation(c: Mapping[str, Any]) -> str:
    """One citation on one line: 「sentence」 — title, para. N, date, URL or source."""
    where = [c["document"] or c["source"]]
    if c["paragraph"]:
        where.append(f"para. {c['paragraph']}")
    where += [c["date"], c["url"] or c["source"]]
    return f"「{c['quote']}」 — " + ", ".join(dict.fromkeys(w for w in where if w))


def pair_timeline(source: Any, a: Any, b: Any) -> dict[int | None, dict[str, list[dict]]]:
    """Per year, the agreements, meetings and visits between two countries.

    An agreement or meeting counts when both countries take part (:func:`countries_of`); a visit
    when one is the visitor's country and the other the destination. Undated items are under
    ``None``, after the years.

    Returns
    -------
    dict
        year -> {"agreements": [...], "meetings": [...], "visits": [...]}, each item a dict with
        ``iri``, ``label`` and ``date``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("J", {"cls": "Country"}), ("K", {"cls": "Country"}),
    ...     ("A", {"cls": "Agreement", "label": "MoU", "years": [2023],
    ...            "dates": {"date": ["2023-07-06"]}})])
    >>> _ = [G.add_edge("A", c, key="party") for c in "JK"]
    >>> pair_timeline(G, "J", "K")[2023]["agreements"][0]["label"]
    'MoU'
    """
    G = _ensure_entity_graph(source)
    ca = resolve_entity(G, a, classes=["Country"]) if a not in G else a
    cb = resolve_entity(G, b, classes=["Country"]) if b not in G else b
    pair = {ca, cb}
    kinds = {"Agreement": "agreements", "Meeting": "meetings", "Visit": "visits"}
    timeline: dict[int | None, dict[str, list[dict]]] = {}
    for n, data in G.nodes(data=True):
        kind = kinds.get(data.get("cls", ""))
        if kind is None:
            continue
        members = _visit_countries(G, n) if kind == "visits" else set(countries_of(G, n))
        if not pair <= members:
            continue
        dates = data.get("dates", {})
        first = next((ds[0] for p in _DATE_PROPS if (ds := dates.get(p))), None)
        item = {"iri": n, "label": data.get("label", _local(str(n))), "date": first}
        for year in data.get("years") or [None]:
            slot = timeline.setdefault(year, {k: [] for k in kinds.values()})
            slot[kind].append(item)
    for slot in timeline.values():
        for items in slot.values():
            items.sort(key=lambda i: (i["date"] or "", i["label"]))
    return dict(sorted(timeline.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))


# --- the analyze command --------------------------------------------------------------------


def _write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Any]]) -> int:
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    tmp.replace(path)
    return count


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def analyze(
    store_dir: Any,
    out_dir: str | Path,
    *,
    top: int = 10,
    engine: str = "auto",
    k: int | None = None,
    seed: int = 0,
    years: Any = None,
) -> dict[str, Any]:
    """Compute the measures and write them as tables into ``out_dir/analysis/``.

    With ``years`` (``"2015-2025"``, ``"2023"``, ``"all"`` or ``(first, last)``) also
    ``centrality_by_year.csv`` and ``centrality_by_year.json``: :func:`centrality_by_year`.

    Files: ``centrality.csv`` (one row per node: degree, weighted degree, betweenness,
    eigenvector, community), ``communities.json``, ``country_pairs.csv`` (country pairs with
    their weight and shared initiatives), ``country_edges_by_year.csv`` and ``summary.json``.

    Parameters
    ----------
    store_dir : build directory (or any RDF source, see :func:`as_store`, or an entity graph)
    out_dir : where the ``analysis/`` folder goes
    top : how many rows the summary keeps of each ranking
    engine : ``"auto"``, ``"networkx"`` or ``"igraph"``: where betweenness, eigenvector
        centrality and communities are computed (:func:`choose_engine`)
    k : betweenness samples ``k`` source nodes; ``0`` means exact; ``None`` (the default)
        means exact up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes, else :data:`DEFAULT_K`
    seed : the seed of the betweenness sample

    The same input and options give the same tables, byte for byte.

    Returns
    -------
    dict
        The summary also written to ``summary.json``: counts, the top nodes by each measure,
        the largest communities, the heaviest country pairs and how the measures were taken.
    """
    years_asked = years is not None  # issue 13 (``years`` is reused below)
    per_year = year_span(years) if years_asked else None
    if isinstance(store_dir, nx.Graph):
        G = store_dir
    else:
        G = entity_graph(store_dir, details=False)
    folder = Path(out_dir) / "analysis"
    folder.mkdir(parents=True, exist_ok=True)

    H = _simple(G)  # one simple undirected graph for every measure
    backend = choose_engine(H, engine)
    if k is None:
        k = default_k(H)
    elif k <= 0 or k >= H.number_of_nodes():
        k = None
    deg, wdeg = degree(H), weighted_degree(H)
    btw = betweenness(H, k=k, seed=seed, engine=backend)
    eig = eigenvector(H, engine=backend)
    parts = communities(H, engine=backend)
    index = community_index(parts)
    label = {n: d.get("label", n) for n, d in G.nodes(data=True)}

    order = sorted(G, key=lambda n: (-btw[n], -deg[n], str(n)))
    _write_csv(
        folder / "centrality.csv",
        ["iri", "class", "label_ja", "label_en", "degree", "weighted_degree", "betweenness",
         "eigenvector", "community"],
        (
            [n, G.nodes[n]["cls"], G.nodes[n].get("label_ja") or "", G.nodes[n].get("label_en")
             or "", deg[n], wdeg[n], f"{btw[n]:.6f}", f"{eig[n]:.6f}", index.get(n, "")]
            for n in order
        ),
    )
    _write_json(
        folder / "communities.json",
        [
            {"community": i, "size": len(part), "members": [
                {"iri": n, "class": G.nodes[n]["cls"], "label": label[n]}
                for n in sorted(part, key=lambda n: (-deg[n], str(n)))
            ]}
            for i, part in enumerate(parts)
        ],
    )

    kinds = _country_kinds(False)
    pair_header = ["a", "b", "label_a", "label_b", "weight", "agreements", "meetings", "programs"]
    every, by_year = _country_slices(G, kinds)  # all years and each year, one pass
    # country_graph(G).edges() reports a pair from the country that comes first in G
    rank = {n: i for i, (n, c) in enumerate(G.nodes(data="cls")) if c == "Country"}

    def pair_rows(edges: Mapping[tuple[str, str], dict], year: int | None = None
                  ) -> Iterator[list[Any]]:
        def key(item: tuple[tuple[str, str], dict]) -> tuple:
            (a, b), d = item
            return (-d["weight"], *((a, b) if rank[a] <= rank[b] else (b, a)))

        for (u, v), d in sorted(edges.items(), key=key):
            row = [u, v, label.get(u, u), label.get(v, v), d["weight"]]
            row += [" | ".join(d["labels"][i] for i in d[k]) for k in pair_header[5:]]
            yield row if year is None else [year, *row]

    n_pairs = _write_csv(folder / "country_pairs.csv", pair_header, pair_rows(every))
    years = list(by_year)
    _write_csv(
        folder / "country_edges_by_year.csv",
        ["year", *pair_header],
        (row for y, edges in by_year.items() for row in pair_rows(edges, y)),
    )

    def ranking(scores: Mapping[Any, float]) -> list[dict[str, Any]]:
        best = sorted(scores, key=lambda n: (-scores[n], str(n)))[:top]
        return [{"iri": n, "label": label[n], "class": G.nodes[n]["cls"],
                 "score": round(float(scores[n]), 6)} for n in best]

    summary = {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "classes": dict(sorted(Counter(d["cls"] for _, d in G.nodes(data=True)).items())),
        "components": nx.number_connected_components(H) if len(H) else 0,
        "communities": len(parts),
        "country_pairs": n_pairs,
        "years": years,
        "measures": {"engine": backend, "betweenness_sources": k or "all",
                     "betweenness_seed": seed if k else None},
        "top": {"degree": ranking(deg), "weighted_degree": ranking(wdeg),
                "betweenness": ranking(btw), "eigenvector": ranking(eig)},
        "largest_communities": [
            {"community": i, "size": len(p),
             "members": [label[n] for n in sorted(p, key=lambda n: (-deg[n], str(n)))[:top]]}
            for i, p in enumerate(parts[:top])
        ],
        "top_country_pairs": [
            {"a": r[2], "b": r[3], "weight": r[4]} for r in islice(pair_rows(every), top)
        ],
        "files": sorted(p.name for p in folder.iterdir() if not p.name.endswith(".tmp")),
    }
    if years_asked:  # issue 13: per-year centrality of the country network
        rows = centrality_by_year(G, per_year, engine=engine, by_year=by_year)
        _write_csv(folder / "centrality_by_year.csv", list(YEAR_CENTRALITY_FIELDS),
                   ([r[f] for f in YEAR_CENTRALITY_FIELDS] for r in rows))
        _write_json(folder / "centrality_by_year.json", rows)
        summary["by_year"] = {"years": sorted({r["year"] for r in rows}),
                              "span": list(per_year) if per_year else "all", "rows": len(rows)}
        summary["files"] = sorted({*summary["files"], "centrality_by_year.csv",
                                   "centrality_by_year.json"})
    summary["files"] = sorted({*summary["files"], "summary.json"})
    _write_json(folder / "summary.json", summary)
    return summary


# --- per-year centrality (issue 13) ---------------------------------------------------------

#: The columns of ``centrality_by_year.csv``.
YEAR_CENTRALITY_FIELDS = ("year", "iri", "label_ja", "label_en", "degree", "weighted_degree",
                          "betweenness", "eigenvector", "rank")


def year_span(years: Any) -> tuple[int, int] | None:
    """``"2015-2025"`` -> (2015, 2025); ``"2023"`` -> (2023, 2023); ``"all"`` -> None.

    >>> year_span("2025-2015"), year_span("2023"), year_span("all"), year_span((2020, 2021))
    ((2015, 2025), (2023, 2023), None, (2020, 2021))
    """
    if isinstance(years, str):
        text = years.strip().lower()
        if text in ("all", "*", ""):
            return None
        first, sep, last = text.partition("-")
        if not first.strip().isdigit() or (sep and not last.strip().isdigit()):
            raise ValueError(f"--years must look like 2023, 2015-2025 or all, not {years!r}")
        a, b = int(first), int(last) if sep else int(first)
        return (min(a, b), max(a, b))
    if isinstance(years, int):
        return (years, years)
    a, b = (int(y) for y in years)
    return (min(a, b), max(a, b))


def centrality_by_year(
    source: Any, years: Any = None, *, engine: str = "auto",
    by_year: Mapping[int, Mapping[tuple[str, str], dict]] | None = None,
) -> list[dict[str, Any]]:
    """Centrality of each country in each year's country network.

    A year's network is :func:`country_graph` ``(year=…)`` restricted to the countries that share
    an initiative that year (the one-pass slices of :func:`country_graphs_by_year`). For each
    country: ``degree`` (partner countries), ``weighted_degree`` (shared initiatives, summed
    over partners), ``betweenness`` (normalized, over hops, exact) and ``eigenvector``
    (weighted), on ``engine`` (:func:`choose_engine`), and its ``rank`` that year by weighted
    degree, then betweenness. Rows are sorted by year, then rank; scores rounded to 6 places.

    ``years``: an inclusive ``(first, last)``, a string for :func:`year_span`, or None for all.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("J", {"cls": "Country", "label_ja": "日"}),
    ...                   ("K", {"cls": "Country", "label_ja": "カ"}),
    ...                   ("A", {"cls": "Agreement", "years": [2023]})])
    >>> _ = [G.add_edge("A", c, key="party") for c in "JK"]
    >>> [(r["year"], r["iri"], r["degree"]) for r in centrality_by_year(G)]
    [(2023, 'J', 1), (2023, 'K', 1)]
    """
    G = _ensure_entity_graph(source)
    span = year_span(years) if isinstance(years, str) else years
    if by_year is None:
        _, by_year = _country_slices(G, _country_kinds(False))
    rows: list[dict[str, Any]] = []
    for year, edges in by_year.items():
        if not isinstance(year, int) or (span is not None and not span[0] <= year <= span[1]):
            continue
        H = nx.Graph()
        for (a, b) in sorted(edges):
            H.add_edge(a, b, weight=edges[a, b]["weight"])
        backend = choose_engine(H, engine)
        deg, wdeg = degree(H), weighted_degree(H)
        btw = betweenness(H, engine=backend)
        eig = eigenvector(H, engine=backend)
        order = sorted(H, key=lambda n: (-wdeg[n], -round(btw[n], 9), str(n)))
        for rank, n in enumerate(order, 1):
            data = G.nodes[n] if n in G else {}
            rows.append({
                "year": year, "iri": n, "label_ja": data.get("label_ja") or "",
                "label_en": data.get("label_en") or "", "degree": deg[n],
                "weighted_degree": wdeg[n], "betweenness": round(float(btw[n]), 6) + 0.0,
                "eigenvector": round(float(eig[n]), 6) + 0.0, "rank": rank,
            })
    return rows
