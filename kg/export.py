"""``bkg export``: a build as RDF files, CSV tables or network files.

* RDF: ``turtle`` and ``nt`` write the union of the document graphs (each triple once);
  ``nquads`` and ``trig`` keep one named graph per document; ``jsonld`` keeps them too.
* ``csv``: a folder with one table per class (agreements, visits, meetings, programs, persons,
  organizations, countries), one row per resource, readable columns, multiple values joined with
  ``;`` — ready for ``pandas.read_csv`` or R's ``read.csv``. Each table is the result of a saved
  query ``kg/queries/table-*.rq``.
* ``gexf`` / ``graphml``: a NetworkX projection from :mod:`kg.network` (``entity``, ``country`` or
  ``bipartite`` country–initiative), attribute values made writable (lists joined with ``;``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.prefixes import PREFIXES as _PREFIXES
from kg.store import merge_union, spreadsheet_safe, union_options

__all__ = [
    "RDF_FORMATS",
    "TABLES",
    "FORMATS",
    "PROJECTIONS",
    "open_build",
    "export",
    "export_rdf",
    "export_csv",
    "export_network",
    "writable_graph",
]

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
#: CSV file name -> saved query
TABLES = {
    "agreements": "table-agreements",
    "visits": "table-visits",
    "meetings": "table-meetings",
    "programs": "table-programs",
    "persons": "table-persons",
    "organizations": "table-organizations",
    "countries": "table-countries",
}
FORMATS = (*RDF_FORMATS, "csv", "gexf", "graphml")
PROJECTIONS = ("entity", "country", "bipartite")

PREFIXES = {name: _PREFIXES[name]
            for name in ("bkg", "id", "rdfs", "skos", "prov", "dcterms", "owl", "xsd", "wd")}


def open_build(source: Path | str | ox.Store) -> ox.Store:
    """A store for a build directory (``DIR/store``, else ``DIR/kg.trig``) or an RDF file.

    The store directory is opened read-only (through ``kg.store.open_store`` when that exists), so
    a running ``bkg serve`` does not block it.
    """
    if isinstance(source, ox.Store):
        return source
    path = Path(source)
    if (path / "store").is_dir():
        try:
            try:
                from kg.store import open_store
            except ImportError:
                return ox.Store.read_only(str(path / "store"))
            return open_store(path)
        except OSError:
            if not (path / "kg.trig").is_file():
                raise
    if path.is_dir() and (path / "kg.trig").is_file():
        path = path / "kg.trig"
    if not path.is_file():
        raise FileNotFoundError(f"{source}: no store/ or kg.trig (run `bkg build` first)")
    store = ox.Store()
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TRIG
    store.load(path=str(path), format=fmt)
    return merge_union(store)


def _union_triples(store: ox.Store) -> list[ox.Triple]:
    """Each triple of the union of all graphs once, in a stable order."""
    seen = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, None)
    }
    return sorted(seen, key=str)


def export_rdf(store: ox.Store, fmt: str, out: Path) -> Path:
    """Write RDF: ``turtle``/``nt`` as the union; ``nquads``/``trig``/``jsonld`` with graphs."""
    out.parent.mkdir(parents=True, exist_ok=True)
    rdf_format = RDF_FORMATS[fmt]
    if fmt in ("turtle", "nt"):
        prefixes = PREFIXES if fmt == "turtle" else None
        ox.serialize(_union_triples(store), str(out), rdf_format, prefixes=prefixes)
    else:
        # the documents' named graphs; the default graph only holds their merge (kg.store.merge_union)
        quads = sorted((q for q in store.quads_for_pattern(None, None, None, None)
                        if not isinstance(q.graph_name, ox.DefaultGraph)), key=str)
        prefixes = PREFIXES if fmt in ("trig", "jsonld") else None
        ox.serialize(quads, str(out), rdf_format, prefixes=prefixes)
    return out


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return term.value
    return str(term)


def export_csv(store: ox.Store, out_dir: Path) -> list[Path]:
    """One UTF-8 CSV per class in ``out_dir``; returns the files written."""
    from kg.queries import load_saved

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table, query_name in TABLES.items():
        saved = load_saved(query_name)
        result = store.query(saved.sparql, **union_options(store))
        columns = [v.value for v in result.variables]
        path = out_dir / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for solution in result:
                writer.writerow([spreadsheet_safe(_cell(solution[c])) for c in columns])
        written.append(path)
    return written


def _writable(value: Any) -> str | int | float | bool | None:
    """A value GEXF/GraphML writers accept: str, int, float, bool; lists joined with ``;``."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ";".join(str(v) for v in items if v is not None)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def writable_graph(G: Any) -> Any:
    """A copy of ``G`` whose node, edge and graph attributes the networkx writers accept.

    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_node("KGZ", labels=["キルギス", "Kyrgyzstan"], year=None)
    >>> dict(writable_graph(G).nodes["KGZ"])
    {'labels': 'キルギス;Kyrgyzstan'}
    """
    H = G.__class__()
    H.graph.update(
        {k: v for k, v in ((k, _writable(v)) for k, v in G.graph.items()) if v is not None}
    )
    for n, data in G.nodes(data=True):
        attrs = {k: _writable(v) for k, v in data.items()}
        H.add_node(str(n), **{k: v for k, v in attrs.items() if v is not None})
    if G.is_multigraph():
        for u, v, key, data in G.edges(keys=True, data=True):
            attrs = {k: _writable(x) for k, x in data.items()}
            H.add_edge(str(u), str(v), key=str(key), **{k: x for k, x in attrs.items() if x is not None})
    else:
        for u, v, data in G.edges(data=True):
            attrs = {k: _writable(x) for k, x in data.items()}
            H.add_edge(str(u), str(v), **{k: x for k, x in attrs.items() if x is not None})
    return H


def export_network(store: ox.Store, fmt: str, out: Path, projection: str = "entity") -> Path:
    """Write a :mod:`kg.network` projection as GEXF or GraphML."""
    import networkx as nx

    from kg import network

    builders = {
        "entity": network.entity_graph,
        "country": network.country_graph,
        "bipartite": network.country_initiative_graph,
    }
    if projection not in builders:
        raise ValueError(f"unknown projection {projection!r}; choose from {', '.join(PROJECTIONS)}")
    G = writable_graph(builders[projection](store))
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gexf":
        nx.write_gexf(G, out)
    elif fmt == "graphml":
        nx.write_graphml(G, out)
    else:
        raise ValueError(f"not a network format: {fmt!r}")
    return out


def export(
    source: Path | str | ox.Store, fmt: str, out: Path | str, *, projection: str = "entity"
) -> list[Path]:
    """Export a build in ``fmt`` to ``out`` (a file, or a folder for ``csv``)."""
    out = Path(out)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    store = open_build(source)
    if fmt in RDF_FORMATS:
        return [export_rdf(store, fmt, out)]
    if fmt == "csv":
        return export_csv(store, out)
    return [export_network(store, fmt, out, projection)]
