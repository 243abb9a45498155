"""``bkg push``: copy a build to a SPARQL server with the SPARQL 1.1 Graph Store Protocol.

Each document's named graph is sent with ``PUT <graph-store>?graph=<graph IRI>``, which *replaces*
that graph on the server: pushing the same build twice leaves the server as after one push, and
pushing a rebuilt document replaces its old facts. Other graphs on the server are left alone.
Then the SPARQL endpoint is asked how many triples each graph holds, to check the copy.

Works with any Graph Store Protocol server: Oxigraph (``/store``), Apache Jena Fuseki
(``/DATASET/data``), Virtuoso (``/sparql-graph-crud``, authenticated: ``/sparql-graph-crud-auth``),
GraphDB (``/repositories/ID/rdf-graphs/service``). See ``docs/SCALE-OUT.md``.
Credentials, when the server needs them, come from ``BKG_PUSH_USER`` / ``BKG_PUSH_PASSWORD``
(HTTP basic auth), never from the command line.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

__all__ = ["GraphPush", "PushReport", "PushError", "default_graph_store", "push"]

_CONTENT_TYPES = {
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
}


class PushError(RuntimeError):
    """The server refused a graph or could not be reached."""


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


def _auth_header() -> dict[str, str]:
    user = os.environ.get("BKG_PUSH_USER")
    if not user:
        return {}
    token = f"{user}:{os.environ.get('BKG_PUSH_PASSWORD', '')}".encode()
    return {"Authorization": "Basic " + base64.b64encode(token).decode()}


def _request(method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers={**_auth_header(), **headers})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace")[:500]
        raise PushError(f"{method} {url}: HTTP {err.code} {err.reason}: {detail}") from err
    except urllib.error.URLError as err:
        raise PushError(f"{method} {url}: {err.reason}") from err


def _remote_counts(endpoint: str, timeout: float) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
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
    )
    rows = json.loads(data)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


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
    pushed: list[tuple[str, int, int]] = []
    for graph in graphs:
        triples = sorted(
            {
                ox.Triple(q.subject, q.predicate, q.object)
                for q in store.quads_for_pattern(None, None, None, graph)
            },
            key=str,
        )
        body = ox.serialize(triples, format=rdf_format)
        url = f"{store_url}{sep}{urlencode({'graph': graph.value})}"
        status, _ = _request("PUT", url, body, {"Content-Type": content_type}, timeout)
        pushed.append((graph.value, len(triples), status))
    counts = _remote_counts(endpoint, timeout) if (endpoint and verify) else {}
    report.graphs = [
        GraphPush(g, n, status, counts.get(g) if counts else None) for g, n, status in pushed
    ]
    return report
