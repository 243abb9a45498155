"""``bkg push``: copy a build to a SPARQL server with the SPARQL 1.1 Graph Store Protocol.

Each document's named graph is sent with ``PUT <graph-store>?graph=<graph IRI>``, which *replaces*
that graph on the server: pushing the same build twice leaves the server as after one push, and
pushing a rebuilt document replaces its old facts. Other graphs on the server are left alone.
A graph of more than :data:`CHUNK_TRIPLES` triples is sent in parts: a ``PUT`` of the first part,
then a ``POST`` (add) of each further one; a deadlock reported by the server is retried.
Then the SPARQL endpoint is asked how many triples each graph holds, to check the copy.

Works with any Graph Store Protocol server: Oxigraph (``/store``), Apache Jena Fuseki
(``/DATASET/data``), Virtuoso (``/sparql-graph-crud``, authenticated: ``/sparql-graph-crud-auth``),
GraphDB (``/repositories/ID/rdf-graphs/service``). See ``docs/SCALE-OUT.md``.
Credentials, when the server needs them, come from ``BKG_PUSH_USER`` / ``BKG_PUSH_PASSWORD``,
never from the command line. They are sent with HTTP basic auth, or with digest auth (RFC 7616)
when the server asks for it, as Virtuoso's ``/sparql-graph-crud-auth`` does: before the first
write, an unauthenticated ``HEAD`` of the graph store tells which scheme the server wants
(``BKG_PUSH_AUTH=basic`` or ``digest`` skips that question).

The copy is checked by asking the endpoint for the triple count of each pushed graph only (in
batches, so a server's row cap — Virtuoso's ``ResultSetMaxRows``, ``bkg serve --limit`` — cannot
hide a graph, and a server holding other data is not counted in full); a pushed graph the
server does not have counts as 0 triples.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

__all__ = ["GraphPush", "PushError", "PushReport", "default_graph_store", "push"]

_CONTENT_TYPES = {
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
}


class PushError(RuntimeError):
    """The server refused a graph or could not be reached (``status``: its HTTP status, if any)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def transient(self) -> bool:
        """A failure worth one more try: the server is busy (503) or reports a deadlock (Virtuoso:
        ``SR172: Transaction deadlocked``, HTTP 500)."""
        return self.status == 503 or (
            self.status is not None and self.status >= 500 and "deadlock" in str(self).lower()
        )


@dataclass(frozen=True)
class GraphPush:
    graph: str
    triples: int
    status: int
    remote_triples: int | None = None  # what the endpoint reports afterwards


@dataclass
class PushReport:
    graph_store: str
    endpoint: str | None
    graphs: list[GraphPush] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    @property
    def verified(self) -> bool:
        return all(g.remote_triples in (None, g.triples) for g in self.graphs)


def default_graph_store(endpoint: str) -> str:
    """Guess the Graph Store endpoint from a SPARQL query endpoint.

    >>> default_graph_store("http://127.0.0.1:7878/query")        # Oxigraph
    'http://127.0.0.1:7878/store'
    >>> default_graph_store("http://localhost:3030/kg/sparql")    # Fuseki
    'http://localhost:3030/kg/data'
    """
    parts = urlsplit(endpoint)
    segments = parts.path.rstrip("/").split("/")
    if len(segments) == 2 and segments[1] in ("query", "sparql"):
        path = "/store"
    elif len(segments) >= 3 and segments[-1] in ("query", "sparql"):
        path = "/".join(segments[:-1]) + "/data"
    else:
        raise PushError(
            f"cannot guess the Graph Store URL from {endpoint!r}; give --graph-store "
            "(see docs/SCALE-OUT.md)"
        )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class _Auth:
    """The credentials of ``BKG_PUSH_USER`` / ``BKG_PUSH_PASSWORD`` and the scheme the server wants
    (``BKG_PUSH_AUTH``, else what :meth:`probe` finds out).

    Basic auth is sent with every request. Digest auth answers the server's challenge, then reuses
    its nonce (counting requests with ``nc``) so that each graph is uploaded once; a new challenge
    (a stale nonce) is answered by one retry. Digest never falls back to basic.
    """

    def __init__(self, user: str | None, password: str, scheme: str | None = None) -> None:
        if scheme not in (None, "basic", "digest"):
            raise PushError(f"BKG_PUSH_AUTH must be basic or digest, not {scheme!r}")
        self.user, self.password, self.scheme = user, password, scheme
        self.challenge: dict[str, str] | None = None
        self.count = 0

    @classmethod
    def from_env(cls) -> _Auth:
        return cls(
            os.environ.get("BKG_PUSH_USER") or None,
            os.environ.get("BKG_PUSH_PASSWORD", ""),
            (os.environ.get("BKG_PUSH_AUTH") or "").lower() or None,
        )

    def learn(self, headers) -> bool:
        """Keep a digest challenge from a ``401`` answer's ``WWW-Authenticate``; True if found."""
        for value in (headers.get_all("WWW-Authenticate") or []) if headers else []:
            scheme, _, params = value.strip().partition(" ")
            if scheme.lower() == "digest":
                parsed = urllib.request.parse_keqv_list(
                    [item for item in urllib.request.parse_http_list(params) if "=" in item]
                )
                if "nonce" in parsed and "realm" in parsed:
                    self.scheme, self.challenge, self.count = "digest", parsed, 0
                    return True
        return False

    def _head(self, url: str, timeout: float, authenticated: bool) -> urllib.error.HTTPError | None:
        headers = self.headers("HEAD", url) if authenticated else {}
        try:
            urllib.request.urlopen(
                urllib.request.Request(url, method="HEAD", headers=headers), timeout=timeout
            ).close()
        except urllib.error.HTTPError as err:
            return err
        except (urllib.error.URLError, OSError):
            pass  # the request itself will say what is wrong
        return None

    def probe(self, url: str, timeout: float) -> None:
        """Ask the graph store, without credentials, which scheme it wants (once); for digest,
        check the credentials too, since a server may hang up on a refused upload (EPIPE)."""
        if not self.user:
            return
        if self.scheme is None or (self.scheme == "digest" and not self.challenge):
            err = self._head(url, timeout, authenticated=False)
            if not (err is not None and err.code == 401 and self.learn(err.headers)):
                self.scheme = self.scheme or "basic"
        if self.scheme == "digest" and self.challenge:
            for _ in (1, 2):  # a refusal may come with a fresh nonce: one more try
                err = self._head(url, timeout, authenticated=True)
                if err is None or err.code != 401:
                    return
                if not self.learn(err.headers):
                    break
            raise PushError(
                f"{url}: the server refused the credentials of BKG_PUSH_USER {self.user!r} "
                "(digest auth)"
            )

    def headers(self, method: str, url: str) -> dict[str, str]:
        if not self.user:
            return {}
        if self.scheme == "digest" and not self.challenge:
            return {}  # never basic when digest was asked for: wait for the server's challenge
        if self.scheme != "digest":
            token = f"{self.user}:{self.password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(token).decode()}
        c = self.challenge
        algorithm = c.get("algorithm", "MD5")
        name = {"md5": "md5", "md5-sess": "md5", "sha-256": "sha256", "sha-256-sess": "sha256"}.get(
            algorithm.lower()
        )
        if name is None:
            raise PushError(f"the server wants digest auth with {algorithm}, which push lacks")

        def h(text: str) -> str:
            return hashlib.new(name, text.encode()).hexdigest()

        parts = urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        self.count += 1
        nc, cnonce = f"{self.count:08x}", secrets.token_hex(8)
        ha1 = h(f"{self.user}:{c['realm']}:{self.password}")
        if algorithm.lower().endswith("-sess"):
            ha1 = h(f"{ha1}:{c['nonce']}:{cnonce}")
        ha2 = h(f"{method}:{uri}")
        qops = [q.strip() for q in c.get("qop", "").split(",")]
        fields = {"username": self.user, "realm": c["realm"], "nonce": c["nonce"], "uri": uri}
        if "auth" in qops:
            fields["response"] = h(f"{ha1}:{c['nonce']}:{nc}:{cnonce}:auth:{ha2}")
            fields.update(qop="auth", nc=nc, cnonce=cnonce)
        else:
            fields["response"] = h(f"{ha1}:{c['nonce']}:{ha2}")
        fields["algorithm"] = algorithm
        if "opaque" in c:
            fields["opaque"] = c["opaque"]
        unquoted = ("qop", "nc", "algorithm")
        return {"Authorization": "Digest " + ", ".join(
            f"{k}={v}" if k in unquoted else f'{k}="{v}"' for k, v in fields.items()
        )}


def _request(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout: float,
    auth: _Auth | None = None,
) -> tuple[int, bytes]:
    auth = auth or _Auth(None, "")
    for attempt in (1, 2):
        req = urllib.request.Request(
            url, data=body, method=method, headers={**auth.headers(method, url), **headers}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:2000]
            if "html" in (err.headers.get("Content-Type") or "").lower():
                detail = " ".join(re.sub(r"<[^>]*>", " ", detail).split())  # Virtuoso's error page
            detail = detail[:500]
            if err.code == 401 and attempt == 1 and auth.user and auth.learn(err.headers):
                continue  # a (new) digest challenge: answer it once
            raise PushError(
                f"{method} {url}: HTTP {err.code} {err.reason}: {detail}", err.code
            ) from err
        except urllib.error.URLError as err:
            hint = ""
            if isinstance(err.reason, (BrokenPipeError, ConnectionResetError)):
                # e.g. Virtuoso hangs up on an upload it will not accept (no or wrong credentials)
                hint = (
                    " (the server hung up: check BKG_PUSH_USER, _PASSWORD and _AUTH)" if auth.user
                    else " (the server hung up: does it want BKG_PUSH_USER and _PASSWORD?)"
                )
            raise PushError(f"{method} {url}: {err.reason}{hint}") from err
        except TimeoutError as err:
            raise PushError(f"{method} {url}: no answer within {timeout:g} s (--timeout)") from err
    raise AssertionError("unreachable")


#: Most triples sent in one request. A bigger graph is sent as a ``PUT`` of its first part
#: (replacing the graph) and a ``POST`` of each further part (adding to it): Virtuoso 7 loses
#: triples from, or deadlocks on, a single ``PUT`` of a few hundred thousand triples into an
#: empty store (see docs/SCALE-OUT.md). A graph with blank nodes is always sent whole, since a
#: blank node label means one node only within one request.
CHUNK_TRIPLES = 100_000

#: More tries of a graph the server could not take for a passing reason (see PushError.transient).
RETRIES = 2


def _parts(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    if len(triples) <= CHUNK_TRIPLES or any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return [triples]
    return [triples[i:i + CHUNK_TRIPLES] for i in range(0, len(triples), CHUNK_TRIPLES)]


def _send_graph(
    url: str,
    triples: list[ox.Triple],
    content_type: str,
    rdf_format: ox.RdfFormat,
    timeout: float,
    auth: _Auth,
) -> int:
    """Replace the graph at ``url`` by ``triples``; the HTTP status of the ``PUT``.

    A transient failure (a deadlock) sends the whole graph again, from its ``PUT``: that is
    idempotent, whatever part of it the server kept.
    """
    for attempt in range(RETRIES + 1):
        try:
            status = 0
            for i, part in enumerate(_parts(triples)):
                body = ox.serialize(part, format=rdf_format)
                method = "PUT" if i == 0 else "POST"
                code, _ = _request(method, url, body, {"Content-Type": content_type}, timeout, auth)
                status = status or code
            return status
        except PushError as err:
            if not err.transient or attempt == RETRIES:
                raise
            time.sleep(1.0 + attempt)
    raise AssertionError("unreachable")


#: Graphs named in one count query (a VALUES block), well under any server's query size limit.
COUNT_BATCH = 200


def _remote_counts(
    endpoint: str, graphs: list[str], timeout: float, auth: _Auth | None = None
) -> dict[str, int]:
    """How many triples the endpoint holds in each of ``graphs`` (0 for a graph it lacks)."""
    counts = dict.fromkeys(graphs, 0)
    for start in range(0, len(graphs), COUNT_BATCH):
        batch = " ".join(f"<{g}>" for g in graphs[start:start + COUNT_BATCH])
        query = (
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {batch} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        body = urlencode({"query": query}).encode()
        _, data = _request(
            "POST",
            endpoint,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
            timeout,
            auth,
        )
        for row in json.loads(data)["results"]["bindings"]:
            if row["g"]["value"] in counts:
                counts[row["g"]["value"]] = int(row["n"]["value"])
    return counts


def push(
    source: Path | str | ox.Store,
    *,
    endpoint: str | None = None,
    graph_store: str | None = None,
    fmt: str = "nt",
    timeout: float = 60.0,
    verify: bool = True,
) -> PushReport:
    """PUT each named graph of a build to a Graph Store Protocol server.

    ``endpoint`` (the SPARQL query URL) is used to guess ``graph_store`` when that is not given
    and to verify the triple counts afterwards.
    """
    from kg.export import open_build

    if not endpoint and not graph_store:
        raise PushError("give --endpoint (SPARQL query URL) and/or --graph-store")
    store_url = graph_store or default_graph_store(endpoint or "")
    content_type, rdf_format = _CONTENT_TYPES[fmt]
    store = open_build(source)
    report = PushReport(graph_store=store_url, endpoint=endpoint)
    graphs = sorted(store.named_graphs(), key=lambda g: g.value)
    if not graphs:
        raise PushError("the build has no named graphs to push")
    sep = "&" if urlsplit(store_url).query else "?"
    auth = _Auth.from_env()
    auth.probe(store_url, timeout)
    pushed: list[tuple[str, int, int]] = []
    for graph in graphs:
        # a graph's quads are distinct triples already; the store's index order is stable
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, graph)
        ]
        url = f"{store_url}{sep}{urlencode({'graph': graph.value})}"
        status = _send_graph(url, triples, content_type, rdf_format, timeout, auth)
        pushed.append((graph.value, len(triples), status))
    counts = (
        _remote_counts(endpoint, [g for g, _, _ in pushed], timeout, auth)
        if (endpoint and verify) else {}
    )
    report.graphs = [GraphPush(g, n, status, counts.get(g)) for g, n, status in pushed]
    return report
