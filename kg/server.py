"""A SPARQL 1.1 Protocol endpoint over a build's pyoxigraph store, with an offline query page.

``bkg serve DIR`` serves ``DIR/store``:

* ``GET /sparql?query=…`` and ``POST /sparql`` (``application/x-www-form-urlencoded`` with ``query=``,
  or ``application/sparql-query``). ``/query`` is an alias. The default graph is the union of all
  named graphs (one per document) unless ``default-graph-uri`` is given.
* Results by content negotiation (``Accept``) or a ``format`` parameter: SELECT/ASK as SPARQL
  JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle, JSON-LD, N-Triples or RDF/XML.
* Read-only by default: SPARQL updates (``update=``, ``application/sparql-update``, ``/update``)
  and Graph Store Protocol writes (``PUT``/``POST``/``DELETE`` on ``/store``) get ``403``.
  ``GET /store?graph=IRI`` (or ``?default`` for the union) returns a graph.
* A time limit: each query runs in a worker *process* that also checks the deadline while it
  consumes results; a worker that does not answer by the deadline (a blocking sort or aggregate
  over a runaway join) is killed and replaced, and the client gets ``503`` with an explanation.
* A row limit (``--limit``): at most that many solutions or triples are returned; a truncated
  answer carries the header ``X-BKG-Truncated: true``. A request may ask for fewer with ``limit=``.
* ``/`` is a query page (``kg/static/``: YASGUI's editor and results table, built from npm into
  ``kg/static/vendor/`` by ``make install`` and served from here, no CDN; a plain editor when they
  are missing); ``/queries`` lists the saved queries as JSON and ``/queries/NAME?param=value`` runs
  one with its parameters bound (never pasted into the text). ``/prefixes`` and ``/ontology.json``
  (the ontology's classes and properties with labels) feed the page's completion.

Why not ``oxigraph serve-read-only``: it has a timeout and the union default graph, but no row
limit, no saved queries with bound parameters, and its query page loads YASGUI from a CDN. This
module runs the same engine (pyoxigraph) behind the standard library's ``ThreadingHTTPServer``,
so it needs no new dependency and no separate binary.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import os
import queue
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from .guard import MAX_DEPTH, MAX_LENGTH, QueryLimits, QueryRejected

__all__ = [
    "Busy",
    "NotAcceptable",
    "QueryTimeout",
    "ServerConfig",
    "WorkerCrashed",
    "WorkerPool",
    "make_server",
    "negotiate",
    "serve",
]

STATIC_DIR = Path(__file__).with_name("static")
GRACE_S = 2.0  # how long after the deadline a worker may take to answer before it is killed

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
_RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/javascript": "json",
    "application/javascript": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
_FORMAT_ALIASES = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "jsonld": ("json", "jsonld"),
    "json-ld": ("json", "jsonld"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "rdfxml": ("xml", "rdfxml"),
    "rdf+xml": ("xml", "rdfxml"),
}
_PROLOGUE_ITEM = re.compile(r"\s+|#[^\n]*(?:\n|$)|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>", re.IGNORECASE)
_UPDATE_WORD = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)


class _UpdateMatcher:
    """Whether a request is an update: the first word after the prologue (PREFIX, BASE,
    comments). A loop, not one regular expression: a long prologue (rdflib's SPARQLStore sends
    thirty PREFIX lines) made the nested pattern this replaces backtrack for minutes."""

    def match(self, query: str) -> bool:
        pos = 0
        while True:
            m = _PROLOGUE_ITEM.match(query, pos)
            if m is None or m.end() == pos:
                break
            pos = m.end()
        return bool(_UPDATE_WORD.match(query, pos))


_UPDATE_RE = _UpdateMatcher()
READ_ONLY_MESSAGE = (
    "This SPARQL endpoint is read-only: updates and graph writes are refused. "
    "Change the graph by rebuilding it (bkg build), or start `bkg serve DIR --allow-update`."
)


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class Busy(Exception):
    """Every worker stayed busy for the whole wait (or too many queries are queued): retry later."""


class WorkerCrashed(Exception):
    """The worker died while answering (it is replaced)."""


@dataclass(frozen=True)
class ServerConfig:
    """What ``bkg serve`` was asked for. The defaults are safe to leave running on loopback."""

    store_dir: Path  # the pyoxigraph store (DIR/store)
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 30.0  # seconds per query, counted from when a worker takes it
    limit: int = 10000  # rows (solutions or triples) per answer
    allow_update: bool = False
    workers: int = 2  # worker processes; 1 when updates are allowed (one writer)
    token: str | None = None  # bearer token for writes; made up at start when updates are allowed
    allow_services: tuple[str, ...] = ()  # SERVICE endpoints a query may call ("*": any)
    cors_origins: tuple[str, ...] = ()  # web origins that may read answers cross-site ("*": any)
    allowed_hosts: tuple[str, ...] = ()  # Host names accepted besides loopback and --host ("*": any)
    max_connections: int = 64  # open connections at once; more get 503 at once
    idle_timeout: float = 15.0  # seconds a connection may stay silent (keep-alive, slow client)
    request_timeout: float = 30.0  # seconds to send one request's line, headers and body
    queue_wait: float = 5.0  # seconds a query waits for a free worker before "busy, retry"
    max_queue: int = 32  # queries waiting for a worker at once
    max_query_length: int = MAX_LENGTH  # characters
    max_query_depth: int = MAX_DEPTH  # nested brackets

    @property
    def limits(self) -> QueryLimits:
        return QueryLimits(self.max_query_length, self.max_query_depth, tuple(self.allow_services))


def _accepted(accept: str | None) -> list[str]:
    """Media types of an Accept header, best first (stable for equal q)."""
    items: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            items.append((-q, i, media))
    return [m for _, _, m in sorted(items)]


class NotAcceptable(ValueError):
    """No serialization the client accepts (answered ``406``)."""


def negotiate(kind: str, accept: str | None, fmt: str | None, strict: bool = False) -> str:
    """Pick the serialization for ``kind`` ("results" or "graph").

    With ``strict``, an unknown ``format`` or an Accept header none of whose media types we
    write (and no ``*/*``) raises :class:`NotAcceptable`; otherwise the default is used.

    >>> negotiate("results", "text/csv, application/json;q=0.5", None)
    'csv'
    >>> negotiate("graph", "application/sparql-results+xml, application/rdf+xml", None)
    'rdfxml'
    >>> negotiate("graph", None, "json")
    'jsonld'
    """
    table = _RESULT_MEDIA if kind == "results" else _GRAPH_MEDIA
    default = "json" if kind == "results" else "turtle"
    if fmt:
        fmt = fmt.strip().lower()
        if fmt in _FORMAT_ALIASES:
            chosen = _FORMAT_ALIASES[fmt][0 if kind == "results" else 1]
            if chosen:
                return chosen
        elif fmt in table:
            return table[fmt]
        if strict:
            raise NotAcceptable(f"unknown format {fmt!r}; {_offer(kind)}")
    accepted = _accepted(accept)
    for media in accepted:
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    if strict and accepted:
        raise NotAcceptable(f"cannot answer as {accept.strip()!r}; {_offer(kind)}")
    return default


def _offer(kind: str) -> str:
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    media = ", ".join(table.values())
    names = ", ".join(table)
    return f"this answer can be {media} (Accept), or format={names}"


# ------------------------------------------------------------------ results serialization


def _term_json(term: Any) -> dict[str, str]:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}  # RDF-star triple: shown as text


def _term_xml(term: Any) -> str:
    j = _term_json(term)
    value = xml_escape(j["value"])
    if j["type"] == "uri":
        return f"<uri>{value}</uri>"
    if j["type"] == "bnode":
        return f"<bnode>{value}</bnode>"
    attrs = ""
    if "xml:lang" in j:
        attrs = f" xml:lang={quoteattr(j['xml:lang'])}"
    elif "datatype" in j:
        attrs = f" datatype={quoteattr(j['datatype'])}"
    return f"<literal{attrs}>{value}</literal>"


def _term_csv(term: Any) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        from .store import spreadsheet_safe

        return spreadsheet_safe(term.value)
    return str(term)


def _term_tsv(term: Any) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n")


def serialize_solutions(variables: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    """SPARQL results (already limited) in JSON, XML, CSV or TSV."""
    if fmt == "json":
        bindings = [
            {v: _term_json(t) for v, t in zip(variables, row) if t is not None} for row in rows
        ]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables))
        out.append("</head>\n<results>")
        for row in rows:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row)
                if t is not None
            )
            out.append(f"<result>{cells}</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_term_csv(t) for t in row])
        return buf.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_term_tsv(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "xml":
        text = "true" if value else "false"
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{text}</boolean></sparql>\n"
        ).encode()
    if fmt in ("csv", "tsv"):
        return (("true" if value else "false") + "\n").encode()
    return json.dumps({"head": {}, "boolean": bool(value)}).encode()


def serialize_triples(triples: Iterable[Any], fmt: str) -> bytes:
    import pyoxigraph as ox

    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "jsonld": ox.RdfFormat.JSON_LD,
        "nt": ox.RdfFormat.N_TRIPLES,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }
    prefixes = None
    if fmt in ("turtle", "rdfxml"):
        from .prefixes import PREFIXES

        prefixes = {name: PREFIXES[name] for name in ("bkg", "rdfs", "skos", "prov", "dcterms", "owl", "xsd")}
    return ox.serialize(list(triples), format=formats[fmt], prefixes=prefixes)


# ------------------------------------------------------------------ worker processes


def _limited(it: Iterator[Any], limit: int, deadline: float) -> tuple[list[Any], bool]:
    """Consume at most ``limit`` items, checking the deadline as we go."""
    out: list[Any] = []
    for i, item in enumerate(it):
        if len(out) >= limit:
            return out, True
        if i % 64 == 0 and time.monotonic() > deadline:
            raise QueryTimeout
        out.append(item)
    return out, False


def _remerge(store: Any) -> None:
    """After a write (only with --allow-update), the default graph is the documents' merge again:
    queries read the union of the named graphs as a set (see kg.store.merge_union)."""
    import pyoxigraph as ox

    from kg.store import merge_union

    store.clear_graph(ox.DefaultGraph())
    merge_union(store)


def _execute(store: Any, job: dict[str, Any]) -> tuple[int, str, bytes, dict[str, str]]:
    """Run one job in a worker; returns (status, content type, body, extra headers)."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    deadline = time.monotonic() + job["timeout"]
    op = job["op"]
    if op == "update":
        store.update(job["query"], prefixes=dict(PREFIXES))
        _remerge(store)
        store.flush()
        return 204, "text/plain", b"", {}
    if op == "gsp-write":
        graph = ox.NamedNode(job["graph"]) if job["graph"] else ox.DefaultGraph()
        if job["method"] in ("PUT", "DELETE"):
            if isinstance(graph, ox.NamedNode):
                if store.contains_named_graph(graph):
                    store.remove_graph(graph)
            else:
                store.clear_graph(graph)
        if job["method"] in ("PUT", "POST"):
            fmt = ox.RdfFormat.from_media_type(job["content_type"]) or ox.RdfFormat.TURTLE
            store.load(job["body"], format=fmt, to_graph=graph)
        _remerge(store)
        store.flush()
        return 204, "text/plain", b"", {}

    kwargs: dict[str, Any] = {}
    sparql = job["query"]
    if op == "saved":
        from kg.queries import load_saved

        saved = load_saved(job["name"])
        sparql = saved.sparql
        kwargs["substitutions"] = saved.substitutions(job["params"])
    if op == "graph":
        sparql = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
        if job["graph"]:
            kwargs["substitutions"] = {ox.Variable("g"): ox.NamedNode(job["graph"])}
        else:
            sparql = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    if job.get("default_graphs"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    else:
        from kg.store import union_options

        kwargs.update(union_options(store))
    if job.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]

    result = store.query(sparql, prefixes=dict(PREFIXES), **kwargs)
    limit = job["limit"]
    headers: dict[str, str] = {}
    if isinstance(result, ox.QueryBoolean):
        fmt = negotiate("results", job["accept"], job["format"], strict=True)
        return 200, RESULT_TYPES[fmt], serialize_boolean(bool(result), fmt), headers
    if isinstance(result, ox.QuerySolutions):
        fmt = negotiate("results", job["accept"], job["format"], strict=True)
        variables = [v.value for v in result.variables]
        rows, truncated = _limited(
            ([sol[v] for v in variables] for sol in result), limit, deadline
        )
        if truncated:
            headers["X-BKG-Truncated"] = "true"
        headers["X-BKG-Rows"] = str(len(rows))
        body = serialize_solutions(variables, rows, fmt)
        return 200, RESULT_TYPES[fmt] + "; charset=utf-8", body, headers
    fmt = negotiate("graph", job["accept"], job["format"], strict=True)
    triples, truncated = _limited(iter(result), limit, deadline)
    if truncated:
        headers["X-BKG-Truncated"] = "true"
    headers["X-BKG-Rows"] = str(len(triples))
    return 200, GRAPH_TYPES[fmt] + "; charset=utf-8", serialize_triples(triples, fmt), headers


def _worker_main(conn: Any, store_path: str, writable: bool) -> None:  # pragma: no cover
    """Worker process loop: open the store once, answer jobs until the pipe closes."""
    import pyoxigraph as ox

    try:
        store = ox.Store(store_path) if writable else ox.Store.read_only(store_path)
    except OSError as err:
        conn.send(("failed", str(err)))
        return
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", *_execute(store, job)))
        except QueryTimeout:
            conn.send(("timeout",))
        except NotAcceptable as err:
            conn.send(("error", 406, str(err)))
        except SyntaxError as err:
            from kg.guard import readable_syntax_error

            conn.send(("error", 400, readable_syntax_error(str(err), job.get("query") or "")))
        except ValueError as err:  # bad parameter, unsupported format
            conn.send(("error", 400, str(err)))
        except OSError as err:
            conn.send(("error", 500, f"store error: {err}"))
        except RuntimeError as err:
            conn.send(("error", 400, str(err)))


class _Worker:
    """One worker: a ``python -c`` subprocess talking over a socket pair.

    A plain subprocess (not ``multiprocessing``'s spawn) so that a script or notebook that calls
    :func:`serve` need not guard its ``__main__``.
    """

    def __init__(self, store_path: str, writable: bool) -> None:
        parent, child = socket.socketpair()
        code = (
            "import sys; from multiprocessing.connection import Connection; "
            "from kg.server import _worker_main; "
            f"_worker_main(Connection({child.fileno()}), {store_path!r}, {writable!r})"
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.process = subprocess.Popen(
            [sys.executable, "-c", code], pass_fds=(child.fileno(),), env=env, close_fds=True
        )
        child.close()
        self.conn = Connection(parent.detach())
        self._ready = False

    def wait_ready(self, timeout: float) -> None:
        if self._ready:
            return
        if not self.conn.poll(timeout):
            raise RuntimeError("the query worker did not start")
        msg = self.conn.recv()
        if msg != ("ready",):
            raise RuntimeError(f"the query worker failed to start: {msg}")
        self._ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.conn.close()


class WorkerPool:
    """Worker processes that each hold the store open; a worker past its deadline is killed.

    A query waits at most ``wait`` seconds for a free worker, and at most ``max_queue`` queries
    wait at once; past either it gets :class:`Busy` (not a false "time limit"). Its time limit
    starts when a worker takes it.
    """

    def __init__(self, store_dir: Path, size: int = 2, writable: bool = False,
                 wait: float = 5.0, max_queue: int = 32) -> None:
        self.store_path = str(store_dir)
        self.writable = writable
        self.size = 1 if writable else max(1, size)
        self.wait = wait
        self.max_queue = max_queue
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._waiting = 0
        self._lock = threading.Lock()
        self._closed = False
        workers = [self._spawn() for _ in range(self.size)]
        for w in workers:
            w.wait_ready(60)
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        return _Worker(self.store_path, self.writable)

    def _take(self) -> _Worker:
        with self._lock:
            if self._waiting >= self.max_queue:
                raise Busy
            self._waiting += 1
        try:
            return self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise Busy from None
        finally:
            with self._lock:
                self._waiting -= 1

    def run(self, job: dict[str, Any], timeout: float) -> tuple[Any, ...]:
        """Send a job to a free worker; raise :class:`Busy`, :class:`QueryTimeout` or
        :class:`WorkerCrashed`."""
        worker = self._take()
        job = {**job, "timeout": timeout}
        crashed = False
        try:
            worker.wait_ready(60)
            worker.conn.send(job)
            if worker.conn.poll(timeout + GRACE_S):
                reply = worker.conn.recv()
                self._idle.put(worker)
                if reply[0] == "timeout":
                    raise QueryTimeout
                return reply
        except (EOFError, OSError, BrokenPipeError, RuntimeError):
            crashed = True
        # Past the deadline (or dead): stop it and put a fresh worker in its place.
        worker.kill()
        if not self._closed:
            self._idle.put(self._spawn())
        raise WorkerCrashed if crashed else QueryTimeout

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            worker.kill()


# ------------------------------------------------------------------ HTTP


_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


class _BadRequest(Exception):
    """A request we answer with ``status`` and a one-line ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _host_name(header: str) -> str:
    """``[::1]:7878`` → ``::1``, ``Example.org:80`` → ``example.org``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _BadRequest(400, f"{what} is not valid UTF-8 (byte {err.start}); send UTF-8 text") from None


def _parse_qs(text: str, what: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise _BadRequest(400, f"{what} has percent-escapes that are not UTF-8; encode it as UTF-8") from None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise _BadRequest(400, f"give one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave together, not 40 ms apart

    def setup(self) -> None:
        self.timeout = self.server.config.idle_timeout  # socket timeout: idle or slow clients
        super().setup()

    def handle_one_request(self) -> None:
        # The watchdog closes a connection that takes longer than request_timeout to send one
        # request (a client trickling bytes under the idle timeout).
        self.server.watch(self, time.monotonic())
        self._writing = False  # set once the request turns out to be a write (no CORS then)
        try:
            super().handle_one_request()
        finally:
            self.server.watch(self, None)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)

    # -- plumbing
    def _cors(self, read: bool) -> dict[str, str]:
        """CORS headers: for reads only, and only for a configured origin."""
        origin = self.headers.get("Origin")
        allowed = self.server.config.cors_origins
        if not read or not origin or not allowed:
            return {}
        if "*" in allowed:
            value = "*"
        elif origin in allowed:
            value = origin
        else:
            return {}
        return {"Access-Control-Allow-Origin": value, "Vary": "Origin",
                "Access-Control-Expose-Headers": "X-BKG-Truncated, X-BKG-Rows"}

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
        read: bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        cors = self._cors(read and not getattr(self, "_writing", False))
        for k, v in {**cors, **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        line = " ".join(message.split())  # one line, whatever the cause
        self._send(status, (line + "\n").encode(), headers=headers)

    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _BadRequest(400, "Content-Length is not a number") from None
        if length > 10_000_000:
            raise _BadRequest(413, "request body too large (the limit is 10 MB)")
        if length < 0:
            raise _BadRequest(400, "Content-Length is negative")
        body = self.rfile.read(length) if length else b""
        self.server.watch(self, None)  # the request is in: its time limit is the query's now
        return body

    def _check_host(self) -> None:
        """Refuse a Host we do not serve: a DNS-rebinding page reaches us under its own name."""
        cfg = self.server.config
        header = self.headers.get("Host")
        if header is None or "*" in cfg.allowed_hosts:
            return
        name = _host_name(header)
        accepted = set(_LOOPBACK_HOSTS) | {h.lower() for h in cfg.allowed_hosts}
        if cfg.host not in _WILDCARD_HOSTS:
            accepted.add(cfg.host.lower().strip("[]"))
        else:
            accepted |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        if name not in accepted:
            raise _BadRequest(
                403, f"Host {header!r} is not served here; start `bkg serve --allow-host {name}` "
                     "to serve it under that name",
            )

    def _check_write(self) -> None:
        """Writes: updates allowed, same-origin (or no Origin), and the token."""
        cfg = self.server.config
        self._writing = True
        if not cfg.allow_update:
            raise _BadRequest(403, READ_ONLY_MESSAGE)
        origin = self.headers.get("Origin")
        if origin is not None:
            own = {f"http://{self.headers.get('Host', '')}".lower()}
            if origin.lower() not in own:
                raise _BadRequest(403, f"writes from another site ({origin}) are refused")
        auth = self.headers.get("Authorization") or ""
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), (self.server.token or "").encode()):
            raise _BadRequest(
                401, "writes need the token `bkg serve --allow-update` printed at start: "
                     "send the header 'Authorization: Bearer TOKEN'",
            )

    def _dispatch(self, route) -> None:
        if self.command not in ("POST", "PUT"):
            self.server.watch(self, None)  # no body to wait for
        try:
            self._check_host()
            route()
        except _BadRequest as err:
            headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
            self._error(err.status, err.message, headers)

    def _run(self, job: dict[str, Any]) -> None:
        cfg = self.server.config
        job.setdefault("accept", self.headers.get("Accept"))
        read = job["op"] not in ("update", "gsp-write")
        try:
            reply = self.server.pool.run(job, cfg.timeout)
        except Busy:
            retry = max(1, round(cfg.queue_wait))
            self._error(
                503, f"The endpoint is busy: every query worker stayed taken for {cfg.queue_wait:g} s. "
                     f"Retry in {retry} s.", {"Retry-After": str(retry)},
            )
            return
        except QueryTimeout:
            self._error(
                503,
                f"Query stopped: it ran longer than the time limit of {cfg.timeout:g} s. "
                "Make it more specific (fewer unbound patterns, a LIMIT), or start "
                "`bkg serve` with a larger --timeout.",
            )
            return
        except WorkerCrashed:
            self._error(500, "The query stopped its worker (which was restarted); simplify the query.")
            return
        if reply[0] == "ok":
            _, status, ctype, body, headers = reply
            self._send(status, body, ctype, headers, read=read)
        else:
            self._error(reply[1], reply[2])

    def _query_job(self, params: dict[str, list[str]], query: str) -> dict[str, Any]:
        cfg = self.server.config
        limit = cfg.limit
        wanted = _one(params, "limit")
        if wanted:
            try:
                limit = max(0, min(cfg.limit, int(wanted)))
            except ValueError:
                raise _BadRequest(400, f"limit must be a whole number, not {wanted!r}") from None
        return {
            "op": "query",
            "query": query,
            "format": _one(params, "format") or _one(params, "output"),
            "limit": limit,
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }

    def _check_text(self, text: str) -> None:
        try:
            self.server.config.limits.check(text)
        except QueryRejected as err:
            raise _BadRequest(400, f"Query refused: {err}.") from None

    def _sparql(self, params: dict[str, list[str]]) -> None:
        query, update = _one(params, "query"), _one(params, "update")
        if query is not None and update is not None:
            raise _BadRequest(400, "give either 'query' or 'update', not both")
        if update is not None:
            self._check_write()
            self._check_text(update)
            self._run({"op": "update", "query": update, "format": None, "limit": 0})
            return
        if not query:
            raise _BadRequest(400, "Missing 'query' parameter (SPARQL 1.1 Protocol).")
        if _UPDATE_RE.match(query):
            self._check_write()
            raise _BadRequest(400, "Send updates as 'update=' or application/sparql-update.")
        self._check_text(query)
        self._run(self._query_job(params, query))

    # -- routes
    def do_OPTIONS(self) -> None:  # noqa: N802
        def route() -> None:
            self.send_response(204)
            cors = self._cors(read=True)
            if cors:  # a preflight for reads; writes are never allowed cross-site
                cors.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                             "Access-Control-Allow-Headers": "Content-Type, Accept",
                             "Access-Control-Max-Age": "600"})
            for k, v in cors.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        self._dispatch(route)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch(self._get)

    def _get(self) -> None:
        url = urlsplit(self.path)
        params = _parse_qs(url.query, "the query string")
        path = url.path.rstrip("/") or "/"
        if path in ("/sparql", "/query"):
            if "update" in params:
                raise _BadRequest(405, "Use POST for updates.")
            self._sparql(params)
        elif path == "/update":
            self._check_write()
            raise _BadRequest(405, "Use POST for updates.")
        elif path == "/store":
            graph = _one(params, "graph")
            if graph is None and "default" not in params:
                raise _BadRequest(400, "Give ?graph=IRI or ?default.")
            job = self._query_job(params, "")
            self._run({**job, "op": "graph", "graph": graph})
        elif path == "/":
            self._static("index.html")
        elif path.startswith("/static/"):
            self._static(path[len("/static/") :])
        elif path == "/queries":
            from kg.queries import list_saved

            body = json.dumps([q.to_json() for q in list_saved()], ensure_ascii=False)
            self._send(200, body.encode(), "application/json; charset=utf-8")
        elif path == "/prefixes":
            from kg.namespaces import PREFIXES

            self._send(200, json.dumps(dict(PREFIXES)).encode(), "application/json; charset=utf-8")
        elif path == "/ontology.json":
            self._send(200, _ontology_json(), "application/json; charset=utf-8")
        elif path.startswith("/queries/"):
            self._saved(path[len("/queries/") :], params)
        else:
            raise _BadRequest(404, f"Not found: {url.path}. Try / (query page) or /sparql.")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch(self._post)

    def _post(self) -> None:
        url = urlsplit(self.path)
        params = _parse_qs(url.query, "the query string")
        path = url.path.rstrip("/") or "/"
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = self._body()
        if path == "/store":
            self._gsp_write(params, ctype, body)
            return
        if path not in ("/sparql", "/query", "/update"):
            raise _BadRequest(404, f"Not found: {url.path}")
        if ctype == "application/sparql-query":
            params = {**params, "query": params.get("query", []) + [_decode(body, "the query")]}
        elif ctype == "application/sparql-update":
            params = {**params, "update": params.get("update", []) + [_decode(body, "the update")]}
        elif ctype in ("application/x-www-form-urlencoded", ""):
            form = _parse_qs(_decode(body, "the form"), "the form")
            for key, values in form.items():
                params = {**params, key: params.get(key, []) + values}
        else:
            raise _BadRequest(415, f"Unsupported Content-Type {ctype!r} for a SPARQL request.")
        if path == "/update" and "update" not in params:
            params = {**params, "update": params.pop("query", None) or [""]}
        self._sparql(params)

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch(self._put)

    def _put(self) -> None:
        url = urlsplit(self.path)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        self._gsp_write(_parse_qs(url.query, "the query string"), ctype, self._body())

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch(lambda: self._gsp_write(_parse_qs(urlsplit(self.path).query, "the query string"), "", b""))

    def _gsp_write(self, params: dict[str, list[str]], ctype: str, body: bytes) -> None:
        self._check_write()
        self._run(
            {
                "op": "gsp-write",
                "method": self.command,
                "graph": _one(params, "graph"),
                "content_type": ctype or "text/turtle",
                "body": body,
                "format": None,
                "limit": 0,
            }
        )

    def _saved(self, name: str, params: dict[str, list[str]]) -> None:
        from kg.queries import SavedQueryError, load_saved

        control = {"format", "output", "limit"}
        values: dict[str, str] = {}
        for key in params:
            if key not in control:
                value = _one(params, key)
                if value:
                    values[key] = value
        try:
            saved = load_saved(name)
            saved.bindings(values)  # check here for a clear 400 before using a worker
        except SavedQueryError as err:
            status = 404 if "no saved query" in str(err) else 400
            raise _BadRequest(status, str(err)) from None
        job = self._query_job(params, "")
        self._run({**job, "op": "saved", "name": saved.name, "params": values})

    def _static(self, name: str) -> None:
        path = (STATIC_DIR / name).resolve()
        if STATIC_DIR.resolve() not in path.parents or not path.is_file():
            raise _BadRequest(404, f"Not found: {name}")
        ctype = _STATIC_TYPES.get(path.suffix, "application/octet-stream")
        if ctype.startswith("text/") or ctype.endswith("json"):
            ctype += "; charset=utf-8"
        stat = path.stat()
        raw, packed, etag = _static_file(str(path), stat.st_mtime_ns, stat.st_size)
        # Revalidated on every load (no stale page after `make install`), answered 304 when unchanged.
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
        if etag in [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]:
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        accept = (self.headers.get("Accept-Encoding") or "").lower()
        if packed is not None and "gzip" in accept:
            self._send(200, packed, ctype, {**headers, "Content-Encoding": "gzip"})
        else:
            self._send(200, raw, ctype, headers)


_STATIC_TYPES = {
    ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".txt": "text/plain",
    ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
    ".woff2": "font/woff2",
}


@lru_cache(maxsize=64)
def _static_file(path: str, mtime_ns: int, size: int) -> tuple[bytes, bytes | None, str]:
    """A static file's bytes, their gzip (for text over 1 KiB: the query page's YASGUI bundle is
    1 MB, 0.3 MB packed) and an ETag; cached until the file changes."""
    import gzip
    import hashlib

    raw = Path(path).read_bytes()
    packed = None
    if size > 1024 and Path(path).suffix in (".html", ".js", ".css", ".txt", ".json", ".svg"):
        packed = gzip.compress(raw, compresslevel=6, mtime=0)
    return raw, packed, '"' + hashlib.sha1(raw).hexdigest()[:20] + '"'


#: Terms outside ``bkg:`` that the builds write (kg/rdf.py), offered by the page's completion too.
_STANDARD_TERMS = {
    "classes": ["oa:SpecificResource", "oa:TextQuoteSelector", "oa:TextPositionSelector"],
    "properties": [
        "rdf:type", "rdfs:label", "rdfs:comment", "rdfs:seeAlso", "skos:altLabel", "skos:note",
        "owl:sameAs", "prov:wasDerivedFrom", "prov:wasQuotedFrom", "dcterms:title",
        "dcterms:alternative", "dcterms:date", "dcterms:issued", "dcterms:language",
        "dcterms:publisher", "dcterms:source", "dcterms:license", "oa:hasSource", "oa:hasSelector",
        "oa:exact", "oa:prefix", "oa:suffix", "oa:start", "oa:end",
    ],
}


@lru_cache(maxsize=1)
def _ontology_json() -> bytes:
    """``/ontology.json``: the classes, properties and individuals of ``kg/ontology.ttl`` with
    their Japanese and English labels and comments (and domains and ranges), then the standard
    terms the builds use — what the query page completes class and property names from."""
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS

    from kg.namespaces import PREFIXES

    namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def curie(iri: str) -> str:
        for prefix, ns in namespaces:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"

    g = rdflib.Graph().parse(STATIC_DIR.parent / "ontology.ttl", format="turtle")

    def texts(s: Any, p: Any) -> dict[str, str]:
        return {o.language or "": str(o) for o in g.objects(s, p) if isinstance(o, rdflib.Literal)}

    def term(s: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"iri": str(s), "curie": curie(str(s)), "label": texts(s, RDFS.label)}
        comment = texts(s, RDFS.comment)
        if comment:
            out["comment"] = comment
        for key, p in (("domain", RDFS.domain), ("range", RDFS.range)):
            values = sorted(curie(str(o)) for o in g.objects(s, p) if isinstance(o, rdflib.URIRef))
            if values:
                out[key] = values
        return out

    def typed(*classes: Any) -> list[Any]:
        found = {s for c in classes for s in g.subjects(RDF.type, c) if isinstance(s, rdflib.URIRef)}
        return sorted(found, key=str)

    classes = typed(OWL.Class, RDFS.Class)
    properties = typed(OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    individuals = [s for s in typed(OWL.NamedIndividual) if s not in classes]
    body: dict[str, list[dict[str, Any]]] = {
        "classes": [term(s) for s in classes],
        "properties": [term(s) for s in properties],
        "individuals": [term(s) for s in individuals],
    }
    for kind, names in _STANDARD_TERMS.items():
        known = {t["curie"] for t in body[kind]}
        for name in names:
            prefix, local = name.split(":", 1)
            if name not in known:
                body[kind].append({"iri": PREFIXES[prefix] + local, "curie": name, "label": {},
                                   "standard": True})
    return json.dumps(body, ensure_ascii=False).encode()


_BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 2\r\nConnection: close\r\nContent-Length: 52\r\n\r\n"
    b"Too many open connections to this endpoint; retry.\r\n"
)


class _Server(ThreadingHTTPServer):
    """The stdlib's threading server with bounds: at most ``max_connections`` open at once
    (the next gets ``503`` at once), each socket with the idle timeout, and a watchdog that
    closes a connection sending one request for longer than ``request_timeout``."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, config: ServerConfig, pool: WorkerPool, verbose: bool, token: str | None) -> None:
        self.config = config
        self.pool = pool
        self.verbose = verbose
        self.token = token
        self._slots = threading.BoundedSemaphore(config.max_connections)
        self._reading: dict[_Handler, float] = {}
        self._reading_lock = threading.Lock()
        self._stop = threading.Event()
        super().__init__((config.host, config.port), _Handler)
        self._watchdog = threading.Thread(target=self._watch_loop, name="bkg-watchdog", daemon=True)
        self._watchdog.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(_BUSY_RESPONSE)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def watch(self, handler: _Handler, since: float | None) -> None:
        with self._reading_lock:
            if since is None:
                self._reading.pop(handler, None)
            else:
                self._reading[handler] = since

    def _watch_loop(self) -> None:
        limit = self.config.request_timeout
        while not self._stop.wait(0.5):
            now = time.monotonic()
            with self._reading_lock:
                late = [h for h, since in self._reading.items() if now - since > limit]
                for h in late:
                    self._reading.pop(h, None)
            for h in late:
                try:
                    h.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def server_close(self) -> None:
        self._stop.set()
        super().server_close()
        self.pool.close()


def make_server(config: ServerConfig, verbose: bool = False) -> _Server:
    """Open the store in worker processes and bind the HTTP server (not yet serving).

    ``server.serve_forever()`` serves; ``server.shutdown()`` then ``server.server_close()`` stop
    it and its workers. ``config.port = 0`` picks a free port (read ``server.server_address``).
    With ``allow_update`` and no ``token``, a random token is made; read it as ``server.token``.
    """
    store_dir = Path(config.store_dir)
    if not store_dir.is_dir():
        raise FileNotFoundError(f"no pyoxigraph store at {store_dir} (run `bkg build` first)")
    token = config.token
    if config.allow_update and not token:
        token = secrets.token_urlsafe(24)
    pool = WorkerPool(store_dir, config.workers, writable=config.allow_update,
                      wait=config.queue_wait, max_queue=config.max_queue)
    try:
        return _Server(config, pool, verbose, token)
    except OSError:
        pool.close()
        raise


def serve(config: ServerConfig, verbose: bool = True) -> None:
    """Serve until interrupted."""
    server = make_server(config, verbose)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        server.server_close()
