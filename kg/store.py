"""The on-disk graph: ``DIR/kg.trig`` and a pyoxigraph store at ``DIR/store``; SPARQL over it.

* :func:`write_store` writes both atomically from an rdflib ``Dataset``.
* :func:`open_store` opens a build directory (or its ``store/``), read-only by default.
* :func:`query` runs SPARQL with the contract's semantics — the union of all named graphs is
  the default graph, the standard prefixes are predeclared, values are bound as
  ``substitutions`` and never pasted into the query text.
* :func:`format_results` renders any result as an aligned table (East-Asian-width aware), CSV,
  TSV or JSON (the SPARQL 1.1 results formats), ``true``/``false`` for ASK and Turtle for
  CONSTRUCT/DESCRIBE.
* :func:`stats` counts documents, passages, entities by class, quads and named graphs.

>>> from pyoxigraph import NamedNode, Quad, Store
>>> store = Store()
>>> store.add(Quad(NamedNode("https://w3id.org/bilateral-kg/id/country/JPN"),
...     NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
...     NamedNode("https://w3id.org/bilateral-kg/ontology#Country"),
...     NamedNode("https://w3id.org/bilateral-kg/graph/d1")))
>>> print(format_results(query(store, "SELECT ?c WHERE { ?c a bkg:Country }")))
c
--------------
id:country/JPN
(1 row)
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

import pyoxigraph

# Light on purpose: `bkg query` and `bkg stats` import this module, so rdflib and kg.rdf (which
# brings the extraction modules) are imported only by the functions that write a build.
from kg.prefixes import PREFIXES

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = [
    "LOAD_FORMATS",
    "LoadError",
    "load_file",
    "spreadsheet_safe",
    "TRIG_NAME",
    "STORE_NAME",
    "FORMATS",
    "STAT_CLASSES",
    "StoreNotFoundError",
    "QueryError",
    "write_store",
    "load_trig",
    "update_store",
    "open_store",
    "to_oxigraph_term",
    "query",
    "limit_results",
    "LimitedSolutions",
    "LimitedTriples",
    "format_answer",
    "format_results",
    "stats",
    "format_stats",
]

TRIG_NAME = "kg.trig"
STORE_NAME = "store"
#: Output formats of :func:`format_results`.
FORMATS = ("table", "csv", "json", "tsv")
#: The classes :func:`stats` counts, in display order.
STAT_CLASSES = (
    "Country",
    "Person",
    "Organization",
    "Place",
    "Agreement",
    "Visit",
    "Meeting",
    "Program",
)

Format = Literal["table", "csv", "json", "tsv"]
OxTerm = Union[pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal, pyoxigraph.Triple]
Result = Union[pyoxigraph.QuerySolutions, pyoxigraph.QueryBoolean, pyoxigraph.QueryTriples]


class StoreNotFoundError(FileNotFoundError):
    """There is no pyoxigraph store at the given path."""


class QueryError(ValueError):
    """A SPARQL query that cannot be run: a syntax error or a bad binding."""


# --- writing --------------------------------------------------------------------------------


def load_trig(trig: Path | str, store_dir: Path | str) -> None:
    """Bulk-load a TriG file into a new pyoxigraph store at ``store_dir`` and close it, the
    union of its named graphs in the default graph (see :func:`merge_union`).

    For a kg.trig as :mod:`kg.rdf` writes it, the union is loaded by pyoxigraph from a copy of
    the file whose graphs are unnamed (``{ … }``, TriG's default graph): no triple passes
    through Python, which matters for millions of them (issue 11). Any other TriG is merged
    by :func:`merge_union`."""
    import tempfile

    store = pyoxigraph.Store(str(store_dir))
    _bulk_load_in_batches(store, Path(trig))
    fd, union = tempfile.mkstemp(dir=Path(store_dir).parent, prefix=".union-", suffix=".trig")
    try:
        with os.fdopen(fd, "wb") as fh:
            unnamed = _unnamed_copy(Path(trig), fh)
        if unnamed:
            _bulk_load_in_batches(store, Path(union))
        else:
            merge_union(store)
    finally:
        os.unlink(union)
    store.flush()
    del store  # pyoxigraph closes the database when the last reference goes


#: The graph in which :func:`update_store` keeps the replaced graphs' triples while it mends
#: the union (dropped before it returns; no build names a graph so).
_RETIRED = "urn:x-bkg:build:retired"


def update_store(
    previous: Path | str, store_dir: Path | str, head: bytes, graphs: Mapping[str, bytes]
) -> None:
    """A new store at ``store_dir``: the store at ``previous`` (as :func:`load_trig` wrote it)
    with each named graph of ``graphs`` replaced by its TriG body as :mod:`kg.rdf` writes it
    (``<graph> {`` … ``}``; ``b""``: the graph removed), and its default graph mended — the same
    quads as :func:`load_trig` of the whole new TriG (issue 11: adding one document to a built
    corpus loads that document, not the corpus).

    ``previous`` is not changed: it is copied by pyoxigraph's backup (hard links to its
    immutable files). ``head``: the prefix lines the bodies are written with. The new triples
    reach the union as :func:`load_trig` loads it (the body with its graph unnamed); a triple
    of a replaced graph leaves the union only when no named graph holds it any more, which one
    SPARQL update decides in the store. A body of another layout is a ``ValueError``."""
    unnamed: list[bytes] = []
    for iri, body in sorted(graphs.items()):
        opening = f"<{iri}> {{\n".encode()
        if body and not (body.startswith(opening) and body.endswith(b"}\n")):
            raise ValueError(f"{iri}: not a graph body as kg.rdf writes it")
        if body:
            unnamed.append(head + b"\n{\n" + body[len(opening):])
    pyoxigraph.Store.read_only(str(previous)).backup(str(store_dir))
    store = pyoxigraph.Store(str(store_dir))
    retired = pyoxigraph.NamedNode(_RETIRED)
    for iri in sorted(graphs):
        graph = pyoxigraph.NamedNode(iri)
        store.extend([pyoxigraph.Quad(q.subject, q.predicate, q.object, retired)
                      for q in store.quads_for_pattern(None, None, None, graph)])
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
    for iri, body in sorted(graphs.items()):
        if body:
            store.bulk_load(head + b"\n" + body, format=pyoxigraph.RdfFormat.TRIG)
    for text in unnamed:
        store.bulk_load(text, format=pyoxigraph.RdfFormat.TRIG)
    store.update(_MEND_UNION)
    store.flush()
    del store


#: The triples of the replaced graphs that no named graph holds any more leave the union.
_MEND_UNION = f"""DELETE {{ ?s ?p ?o }} WHERE {{
  GRAPH <{_RETIRED}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{_RETIRED}>) }}
}} ;
DROP SILENT GRAPH <{_RETIRED}>"""


#: Quads given to pyoxigraph's bulk loader at a time: one ``bulk_load`` of a whole file holds
#: about 1 GB per million quads until it ends; batches keep the memory flat (issue 9).
_LOAD_BATCH = 200_000


def _bulk_load_in_batches(store: pyoxigraph.Store, trig: Path) -> None:
    from itertools import islice

    quads = pyoxigraph.parse(path=str(trig), format=pyoxigraph.RdfFormat.TRIG)
    while batch := list(islice(quads, _LOAD_BATCH)):
        store.bulk_extend(batch)


def _unnamed_copy(trig: Path, out) -> bool:
    """Write ``trig`` to ``out`` with each ``<graph> {`` line made ``{`` (its triples then go to
    the default graph); False, with ``out`` left partial, if the file is not laid out as
    pyoxigraph writes TriG (prefix lines, ``<graph> {`` at the start of a line, triples
    indented, ``}``)."""
    with open(trig, "rb") as fh:
        for line in fh:
            head = line[:1]
            if head == b"\t" or line in (b"}\n", b"\n") or line.startswith(b"@prefix "):
                out.write(line)
            elif head == b"<" and line.endswith(b"> {\n") and b" " not in line[:-3]:
                out.write(b"{\n")
            else:
                return False
    return True


def merge_union(store: pyoxigraph.Store) -> pyoxigraph.Store:
    """Put the RDF merge of all named graphs into the store's default graph.

    The contract answers queries over the union of the documents' graphs. pyoxigraph's
    ``use_default_graph_as_union`` evaluates that union as a bag (a person named in three
    documents would match three times and COUNT three), so the store keeps the union as a
    set in its default graph instead, and queries read the default graph. The named graphs
    stay as they are for ``GRAPH ?g`` queries, export and push.
    """
    default = pyoxigraph.DefaultGraph()
    triples = {
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, None)
        if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)
    }
    store.bulk_extend(pyoxigraph.Quad(s, p, o, default) for s, p, o in triples)
    return store


def union_options(store: pyoxigraph.Store) -> dict[str, Any]:
    """How to query ``store`` so that its default graph is the set union of its named graphs:
    nothing to add when the merge is stored (see :func:`merge_union`), pyoxigraph's bag union
    for a store written by something else."""
    has_default = next(iter(store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())), None)
    return {} if has_default is not None else {"use_default_graph_as_union": True}


def write_store(ds: Dataset, out_dir: Path | str) -> None:
    """Write ``out_dir/kg.trig`` and the pyoxigraph store ``out_dir/store``, atomically.

    Both are built in a hidden temporary folder inside ``out_dir`` (so on the same file
    system), then renamed into place. An existing store is replaced only once the new one is
    complete; if anything fails, the previous ``kg.trig`` and ``store/`` stay as they were and
    no partial output is left behind.

    Parameters
    ----------
    ds
        The graph, e.g. from :func:`kg.rdf.build_graph`.
    out_dir
        The build directory; created if missing.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".bkg-store-", dir=out))
    try:
        from kg.rdf import write_trig

        new_trig = write_trig(ds, tmp / TRIG_NAME)
        new_store = tmp / STORE_NAME
        load_trig(new_trig, new_store)
        _swap_in(new_store, new_trig, out, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


#: file suffix -> pyoxigraph format, for :func:`load_file`
LOAD_FORMATS = {
    ".trig": pyoxigraph.RdfFormat.TRIG,
    ".nq": pyoxigraph.RdfFormat.N_QUADS,
    ".nquads": pyoxigraph.RdfFormat.N_QUADS,
    ".ttl": pyoxigraph.RdfFormat.TURTLE,
    ".turtle": pyoxigraph.RdfFormat.TURTLE,
    ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
    ".jsonld": pyoxigraph.RdfFormat.JSON_LD,
    ".rdf": pyoxigraph.RdfFormat.RDF_XML,
    ".owl": pyoxigraph.RdfFormat.RDF_XML,
}


class LoadError(ValueError):
    """An RDF file that cannot be loaded; ``str(err)`` names the file and the reason."""


def load_file(path: Path | str, out_dir: Path | str, fmt: str | None = None) -> int:
    """Load an RDF file (TriG, N-Quads, Turtle, N-Triples, JSON-LD, RDF/XML) into a new store
    ``out_dir/store``, atomically: the previous store stays until the new one is complete.

    Quads keep their named graphs and the default graph becomes their merge (as a build's store:
    :func:`merge_union`); a triple format is loaded into the default graph. Returns the number
    of quads in the new store. Raises :class:`LoadError` on an unknown format or a syntax error.
    """
    path, out = Path(path), Path(out_dir)
    if fmt:
        by_name = {k.lstrip("."): v for k, v in LOAD_FORMATS.items()} | {"n-quads": LOAD_FORMATS[".nq"],
                                                                        "n-triples": LOAD_FORMATS[".nt"]}
        rdf_format = by_name.get(fmt.lower())
    else:
        rdf_format = LOAD_FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        known = ", ".join(sorted(k.lstrip(".") for k in LOAD_FORMATS))
        raise LoadError(f"{path}: unknown RDF format {fmt or path.suffix!r}; use one of {known} (--format)")
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".bkg-load-", dir=out))
    try:
        store = pyoxigraph.Store(str(tmp / STORE_NAME))
        try:
            store.bulk_load(path=str(path), format=rdf_format)
        except (SyntaxError, ValueError) as err:
            raise LoadError(f"{path}: not valid {rdf_format.name}: {' '.join(str(err).split())}") from None
        if rdf_format.supports_datasets:
            merge_union(store)
        store.flush()
        count = len(store)
        del store
        target, old = out / STORE_NAME, tmp / "old-store"
        had_old = target.exists()
        if had_old:
            os.replace(target, old)
        try:
            os.replace(tmp / STORE_NAME, target)
        except BaseException:
            if had_old:
                os.replace(old, target)
            raise
        return count
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _swap_in(new_store: Path, new_trig: Path, out: Path, tmp: Path) -> None:
    """Move a complete store and TriG into ``out``, rolling back on failure."""
    target = out / STORE_NAME
    old = tmp / "old-store"
    had_old = target.exists()
    if had_old:
        os.replace(target, old)
    try:
        os.replace(new_store, target)
        try:
            os.replace(new_trig, out / TRIG_NAME)
        except BaseException:
            os.replace(target, new_store)
            raise
    except BaseException:
        if had_old:
            os.replace(old, target)
        raise


# --- opening --------------------------------------------------------------------------------


def _is_store(path: Path) -> bool:
    return (path / "CURRENT").is_file()


def open_store(path: Path | str, read_only: bool = True) -> pyoxigraph.Store:
    """Open the store of a build: ``path`` is the build directory or its ``store/``.

    Raises
    ------
    StoreNotFoundError
        When there is no store there (a :class:`FileNotFoundError`).
    OSError
        When pyoxigraph cannot open it (e.g. locked for writing by another process).
    """
    path = Path(path)
    for candidate in (path / STORE_NAME, path):
        if candidate.is_dir() and _is_store(candidate):
            if read_only:
                return pyoxigraph.Store.read_only(str(candidate))
            return pyoxigraph.Store(str(candidate))
    out = path.parent if path.name == STORE_NAME else path
    raise StoreNotFoundError(f"no store at {path}: run `bkg build SOURCE --out {out}` first")


# --- querying -------------------------------------------------------------------------------


def to_oxigraph_term(value: Any) -> OxTerm:
    """Convert a bound value to a pyoxigraph term.

    Accepts pyoxigraph terms, rdflib ``URIRef``/``BNode``/``Literal``, and plain Python
    ``bool``/``int``/``float``/``str`` (as typed literals; a ``str`` is an ``xsd:string``).

    >>> from rdflib import URIRef
    >>> to_oxigraph_term(URIRef("https://w3id.org/bilateral-kg/id/country/KGZ"))
    <NamedNode value=https://w3id.org/bilateral-kg/id/country/KGZ>
    >>> to_oxigraph_term(2023).datatype.value
    'http://www.w3.org/2001/XMLSchema#integer'
    """
    ox_types = (
        pyoxigraph.NamedNode,
        pyoxigraph.BlankNode,
        pyoxigraph.Literal,
        pyoxigraph.Triple,
    )
    if isinstance(value, ox_types):
        return value
    # An rdflib term can only exist once rdflib is imported: no need to import it here.
    rdflib_term = sys.modules.get("rdflib.term")
    if rdflib_term is not None and isinstance(value, rdflib_term.Identifier):
        if isinstance(value, rdflib_term.URIRef):
            return pyoxigraph.NamedNode(str(value))
        if isinstance(value, rdflib_term.BNode):
            return pyoxigraph.BlankNode(str(value))
        if isinstance(value, rdflib_term.Literal):
            if value.language:
                return pyoxigraph.Literal(str(value), language=value.language)
            if value.datatype is not None:
                return pyoxigraph.Literal(str(value),
                                          datatype=pyoxigraph.NamedNode(str(value.datatype)))
            return pyoxigraph.Literal(str(value))
    if isinstance(value, (bool, int, float, str)):
        return pyoxigraph.Literal(value)
    raise QueryError(f"cannot bind a value of type {type(value).__name__}: {value!r}")


def query(
    store: pyoxigraph.Store,
    sparql: str,
    bindings: Mapping[str, Any] | None = None,
    use_default_graph_as_union: bool | None = None,
) -> Result:
    """Run a SPARQL query the contract's way.

    Parameters
    ----------
    store
        A pyoxigraph store (see :func:`open_store`).
    sparql
        The query. The prefixes of :data:`kg.namespaces.PREFIXES` are predeclared; a
        ``PREFIX`` in the query wins over them.
    bindings
        Variable name (with or without ``?``) → value (see :func:`to_oxigraph_term`), passed to
        pyoxigraph as ``substitutions``. pyoxigraph requires a bound variable to appear in the
        ``SELECT`` projection (``SELECT *`` will do).
    use_default_graph_as_union
        ``None`` (the default): answer over the union of all named graphs, the contract's
        rule, as a set — a store written by :func:`write_store` holds that union in its default
        graph (:func:`merge_union`). ``True`` forces pyoxigraph's own union (a bag: a triple
        stated in two documents matches twice); ``False`` reads the default graph only.

    Returns
    -------
    pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
        For SELECT, ASK and CONSTRUCT/DESCRIBE respectively.

    Raises
    ------
    QueryError
        On a syntax error or a binding pyoxigraph refuses.
    """
    substitutions = {
        pyoxigraph.Variable(name.lstrip("?$")): to_oxigraph_term(value)
        for name, value in (bindings or {}).items()
    }
    try:
        options = union_options(store) if use_default_graph_as_union is None else (
            {"use_default_graph_as_union": True} if use_default_graph_as_union else {})
        return store.query(
            sparql,
            prefixes=dict(PREFIXES),
            substitutions=substitutions or None,
            **options,
        )
    except SyntaxError as err:
        from kg.guard import readable_syntax_error

        raise QueryError(readable_syntax_error(str(err), sparql)) from err
    except RuntimeError as err:  # pyoxigraph's report of an unusable substitution
        raise QueryError(str(err)) from err


# --- row limits -----------------------------------------------------------------------------


class LimitedSolutions:
    """The first rows of a ``SELECT`` answer, read into memory by :func:`limit_results`.

    It quacks like ``pyoxigraph.QuerySolutions`` for :func:`format_results`: ``variables``,
    iteration, and ``serialize(format=…)``, which writes exactly what pyoxigraph writes (the
    rows go through pyoxigraph's own SPARQL JSON parser and serializer).
    """

    def __init__(self, variables: list[pyoxigraph.Variable], rows: list[Any], truncated: bool) -> None:
        self.variables = variables
        self.rows = rows
        self.truncated = truncated

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def serialize(self, format: pyoxigraph.QueryResultsFormat) -> bytes:
        names = [v.value for v in self.variables]
        doc = {
            "head": {"vars": names},
            "results": {"bindings": [
                {n: _json_term(sol[n]) for n in names if sol[n] is not None} for sol in self.rows
            ]},
        }
        data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        parsed = pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.JSON)
        return parsed.serialize(format=format)


class LimitedTriples(list):
    """The first triples of a ``CONSTRUCT``/``DESCRIBE`` answer (see :func:`limit_results`)."""

    truncated: bool = False


def _json_term(term: Any) -> dict[str, Any]:
    """A term in the SPARQL 1.1 JSON results format (RDF 1.2 triple terms and directions too)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Triple):
        return {"type": "triple", "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        }}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
        if term.direction is not None:
            out["its:dir"] = term.direction.value
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def limit_results(result: Result, limit: int | None) -> Any:
    """Read at most ``limit`` rows (solutions or triples) of ``result`` into memory.

    Returns the ``QueryBoolean`` of an ``ASK`` as it is, else a :class:`LimitedSolutions` or a
    :class:`LimitedTriples` whose ``truncated`` says whether rows were left unread. ``None`` or
    ``0``: no limit. :func:`format_answer` renders the result like :func:`format_results`.

    >>> store = pyoxigraph.Store()
    >>> rows = limit_results(store.query("SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"), 2)
    >>> len(rows), rows.truncated
    (2, True)
    """
    import itertools

    if isinstance(result, pyoxigraph.QueryBoolean):
        return result
    it = iter(result)
    if limit:
        items = list(itertools.islice(it, limit))
        truncated = next(it, None) is not None
    else:
        items, truncated = list(it), False
    if isinstance(result, pyoxigraph.QuerySolutions):
        return LimitedSolutions(list(result.variables), items, truncated)
    triples = LimitedTriples(items)
    triples.truncated = truncated
    return triples


def format_answer(result: Any, fmt: Format = "table", *, max_width: int = 80) -> str:
    """:func:`format_results` for what :func:`limit_results` returns (or a plain result)."""
    if isinstance(result, LimitedTriples):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        data = pyoxigraph.serialize(result, format=pyoxigraph.RdfFormat.TURTLE, prefixes=_TURTLE_PREFIXES)
        return data.decode("utf-8") if data else ""
    return format_results(result, fmt, max_width=max_width)


# --- formatting -----------------------------------------------------------------------------

_RESULT_FORMATS = {
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
    "json": pyoxigraph.QueryResultsFormat.JSON,
}
# ``id:`` would need ``id:country\/JPN`` in Turtle: full IRIs read better.
_TURTLE_PREFIXES = {p: iri for p, iri in PREFIXES.items() if p != "id"}
# Longest namespace first, so ``id:`` does not shadow a longer one.
_COMPACT = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def _width(text: str) -> int:
    """Display width in a terminal: East-Asian wide and full-width characters count 2."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _truncate(text: str, limit: int) -> str:
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = _width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(term: Any) -> str:
    """A term as shown in a table: prefixed IRIs, literals by their lexical form."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        iri = term.value
        for prefix, ns in _COMPACT:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Literal):
        return " ".join(term.value.split())  # one line per row
    return str(term)


def _table(result: pyoxigraph.QuerySolutions, max_width: int) -> str:
    names = [v.value for v in result.variables]
    rows = [[_truncate(_cell(sol[name]), max_width) for name in names] for sol in result]
    widths = [max([_width(name), *(_width(r[i]) for r in rows)]) for i, name in enumerate(names)]
    lines = [
        "  ".join(_pad(name, w) for name, w in zip(names, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)


def format_results(result: Result, fmt: Format = "table", *, max_width: int = 80) -> str:
    """Render a query result as text.

    Parameters
    ----------
    result
        What :func:`query` returned (consumed: results are iterators).
    fmt
        ``table`` (aligned columns, Japanese characters counted double-width, IRIs prefixed,
        cells cut at ``max_width``), or ``csv`` / ``tsv`` / ``json`` — the SPARQL 1.1 query
        results formats, complete and untruncated.
    max_width
        Widest table cell, in terminal columns.

    Returns
    -------
    str
        For ASK: ``true``/``false`` (JSON: the SPARQL results document); for CONSTRUCT and
        DESCRIBE: Turtle, whatever ``fmt``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if isinstance(result, pyoxigraph.QueryBoolean):
        if fmt == "json":
            return result.serialize(format=pyoxigraph.QueryResultsFormat.JSON).decode("utf-8")
        return "true" if bool(result) else "false"
    if isinstance(result, pyoxigraph.QueryTriples):
        turtle = pyoxigraph.RdfFormat.TURTLE
        data = pyoxigraph.serialize(result, format=turtle, prefixes=_TURTLE_PREFIXES)
        return data.decode("utf-8") if data else ""
    if fmt == "table":
        return _table(result, max_width)
    if fmt == "csv":
        return _csv_results(result)
    return result.serialize(format=_RESULT_FORMATS[fmt]).decode("utf-8")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet will not evaluate: text from a document that begins like a
    formula (``=HYPERLINK(…)``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading
    ``'``, as OWASP recommends against CSV injection.

    >>> spreadsheet_safe("=1+2"), spreadsheet_safe("日本")
    ("'=1+2", '日本')
    """
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_results(result) -> str:
    """SPARQL 1.1 CSV results (plain values, CRLF rows), each cell spreadsheet-safe."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    names = [v.value for v in result.variables]
    writer.writerow(names)
    for solution in result:
        row = []
        for name in names:
            term = solution[name]
            if term is None:
                row.append("")
            elif isinstance(term, pyoxigraph.BlankNode):
                row.append(f"_:{term.value}")
            else:
                row.append(spreadsheet_safe(term.value))
        writer.writerow(row)
    return buf.getvalue()


# --- statistics -----------------------------------------------------------------------------

_BKG = PREFIXES["bkg"]
_COUNT_CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"


def stats(store: pyoxigraph.Store) -> dict[str, Any]:
    """Count what a store holds.

    Returns
    -------
    dict
        ``documents``, ``passages``, ``entities`` (``{"Country": n, …}`` for each of
        :data:`STAT_CLASSES`, distinct resources over all graphs), ``triples`` (distinct
        triples of the union), ``quads`` (triples in the documents' named graphs, so a fact
        stated in two documents counts twice) and ``graphs`` (named graphs).

    >>> stats(pyoxigraph.Store())["entities"]["Person"]
    0
    """
    counts = dict.fromkeys(("Document", "Passage", *STAT_CLASSES), 0)
    for sol in store.query(_COUNT_CLASSES, **union_options(store)):
        iri = sol["class"].value
        name = iri[len(_BKG) :] if iri.startswith(_BKG) else None
        if name in counts:
            counts[name] = int(sol["n"].value)
    return {
        "documents": counts["Document"],
        "passages": counts["Passage"],
        "entities": {name: counts[name] for name in STAT_CLASSES},
        "triples": _count(store, _COUNT_DISTINCT_TRIPLES),
        "quads": len(store) - _count(store, _COUNT_DEFAULT_GRAPH),
        "graphs": sum(1 for _ in store.named_graphs()),
    }


def format_stats(numbers: Mapping[str, Any], fmt: Literal["table", "json"] = "table") -> str:
    """Render :func:`stats` as a two-column table or as JSON."""
    if fmt == "json":
        return json.dumps(numbers, ensure_ascii=False, indent=2)
    rows = [("documents", numbers["documents"]), ("passages", numbers["passages"])]
    rows += [(name, n) for name, n in numbers["entities"].items()]
    rows += [("triples", numbers["triples"]), ("named graphs", numbers["graphs"])]
    width = max(len(name) for name, _ in rows)
    digits = max(len(str(n)) for _, n in rows)
    return "\n".join(f"{name:<{width}}  {n:>{digits}}" for name, n in rows)


# Counted inside pyoxigraph rather than by reading every quad into Python (~20 s for 1M
# triples): the distinct triples of all graphs, the default graph included; and the triples of
# the default graph alone, which with len(store) (all quads) gives the named graphs' quads.
_COUNT_DISTINCT_TRIPLES = """SELECT (COUNT(*) AS ?n) WHERE {
  SELECT DISTINCT ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }
}"""
_COUNT_DEFAULT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(store: pyoxigraph.Store, sparql: str) -> int:
    return int(next(iter(store.query(sparql)))["n"].value)
