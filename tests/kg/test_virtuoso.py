"""`bkg push` to a real Virtuoso 7 on loopback, and a saved query run through its endpoint.

The server is Debian's ``virtuoso-opensource`` (``make system-deps``), started by
``virtuoso_server.start`` with its own database in a tmp folder and two free loopback ports, and
stopped at the end; without ``virtuoso-t``, or when it does not answer within 60 s, the tests are
skipped with the reason. Writes go to the Graph Store endpoint ``/sparql-graph-crud`` (the
anonymous SPARQL user is granted ``SPARQL_UPDATE``) or, with digest auth, to
``/sparql-graph-crud-auth``. See docs/SCALE-OUT.md, "Virtuoso".
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner
from virtuoso_server import Virtuoso, VirtuosoUnavailable, start

from kg.cli import app

pytestmark = pytest.mark.model

GRAPH = "https://w3id.org/bilateral-kg/graph/"
BKG = "https://w3id.org/bilateral-kg/ontology#"
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory) -> Virtuoso:
    try:
        server = start(tmp_path_factory.mktemp("virtuoso"), wait=60)
    except VirtuosoUnavailable as err:
        pytest.skip(f"Virtuoso cannot run here: {err}")
    yield server
    server.stop()


# --- helpers ----------------------------------------------------------------------------------


def local_graphs(build: Path) -> dict[str, set[ox.Triple]]:
    """The build's named graphs, as sets of triples."""
    from kg.store import open_store

    store = open_store(build)
    return {
        g.value: {ox.Triple(q.subject, q.predicate, q.object)
                  for q in store.quads_for_pattern(None, None, None, g)}
        for g in store.named_graphs()
    }


def server_counts(v: Virtuoso) -> dict[str, int]:
    """Triples per bilateral-kg graph on the server (Virtuoso's own graphs left out)."""
    rows = v.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }} GROUP BY ?g'
    )["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def server_graph(v: Virtuoso, graph: str) -> set[ox.Triple]:
    """One graph as the server gives it back (Graph Store GET, N-Triples)."""
    url = f"{v.graph_store}?" + urllib.parse.urlencode({"graph": graph})
    req = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        body = resp.read()
    return {ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}


def bkg_push(build: Path, graph_store: str, endpoint: str):
    return CliRunner().invoke(app, ["push", str(build), "--graph-store", graph_store,
                                    "--endpoint", endpoint])


def projection(select: str) -> list[str]:
    """The variables a SELECT clause projects: ``?a`` and ``(… AS ?x)`` at the top level."""
    names, depth, group = [], 0, ""
    for token in re.findall(r"\(|\)|\?\w+|[^()?]+|\?", select):
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth == 0:
                names.append(re.findall(r"\bAS\s+(\?\w+)", group, re.IGNORECASE)[-1])
                group = ""
        elif depth:
            group += token
        elif token.startswith("?") and len(token) > 1:
            names.append(token)
    return names


def for_remote_endpoint(name: str, params: dict[str, str]) -> str:
    """A saved query's text for a remote endpoint, its parameters bound in the text.

    ``bkg query`` passes parameters to pyoxigraph as substitutions; a remote endpoint gets them
    as a ``VALUES`` block at the head of the WHERE clause (terms converted exactly as for
    ``bkg query``, by ``SavedQuery.bindings``). Virtuoso 7 refuses an ``ORDER BY`` that names an
    aggregate's alias (``SP031 … used in the result set outside aggregate``), so a query with
    ``ORDER BY`` is wrapped: ``SELECT vars WHERE { { the query } } ORDER BY …`` — the same
    solutions in the same order, in any SPARQL 1.1 engine.
    """
    from kg.queries import load_saved

    saved = load_saved(name)
    bindings = saved.bindings(params)
    lines = saved.sparql.splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    m = re.search(r"^(?P<prologue>.*?)(?P<query>\bSELECT\b.*?)(?P<order>\bORDER\s+BY\b.*)?$",
                  text, re.DOTALL | re.IGNORECASE)
    assert m, f"{name} is not a SELECT query"
    query = m["query"]
    if bindings:
        values = ("VALUES (" + " ".join(f"?{k}" for k in bindings) + ") { ("
                  + " ".join(str(t) for t in bindings.values()) + ") }")
        query = re.sub(r"\bWHERE\s*\{", lambda w: f"{w.group(0)}\n  {values}", query, count=1,
                       flags=re.IGNORECASE)
    if not m["order"]:
        return m["prologue"] + query
    select = re.match(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\b", query,
                      re.DOTALL | re.IGNORECASE)
    outer = " ".join(projection(select[1]))
    return f"{m['prologue']}SELECT {outer} WHERE {{\n{{\n{query}\n}}\n}}\n{m['order']}"


def term(value: dict | None) -> tuple | None:
    """A JSON results term, comparable across servers (Virtuoso says ``typed-literal``)."""
    if value is None:
        return None
    kind = "literal" if value["type"] in ("literal", "typed-literal") else value["type"]
    return (kind, value["value"], value.get("datatype"), value.get("xml:lang"))


def rows(results: dict, concat: tuple[str, ...] = ()) -> list[dict]:
    """Rows as ``{var: term}``; a GROUP_CONCAT variable's parts sorted (their order is free)."""
    out = []
    for binding in results["results"]["bindings"]:
        row = {var: term(binding.get(var)) for var in results["head"]["vars"]}
        for var in concat:
            if row.get(var):
                kind, value, dt, lang = row[var]
                row[var] = (kind, "; ".join(sorted(value.split("; "))), dt, lang)
        out.append(row)
    return out


# --- tests ------------------------------------------------------------------------------------


def test_push_copies_every_graph_and_a_repush_replaces(corpus_build, virtuoso):
    local = local_graphs(corpus_build)
    assert len(local) == 6  # five documents and the resolved graph

    first = bkg_push(corpus_build, virtuoso.graph_store, virtuoso.sparql)
    assert first.exit_code == 0, first.output
    for graph, triples in local.items():
        n = len(triples)
        assert f"{graph}: {n} triples (HTTP 201, server has {n})" in first.output
    assert server_counts(virtuoso) == {g: len(t) for g, t in local.items()}
    # the exact triples come back: Japanese literals, language tags, xsd:date/gYear, integers
    for graph, triples in local.items():
        assert server_graph(virtuoso, graph) == triples, graph

    again = bkg_push(corpus_build, virtuoso.graph_store, virtuoso.sparql)
    assert again.exit_code == 0, again.output
    assert "(HTTP 200, server has" in again.output  # replaced, not created
    assert server_counts(virtuoso) == {g: len(t) for g, t in local.items()}  # nothing doubled


def test_repush_of_a_changed_document_replaces_its_graph(corpus_build, virtuoso, tmp_path):
    """A rebuild that extracts other facts from the same text (same doc_id, same graph) and is
    pushed alone: that graph is replaced on the server, the others stay as they were."""
    from kg.push import push

    assert push(corpus_build, graph_store=virtuoso.graph_store, endpoint=virtuoso.sparql).verified
    local = local_graphs(corpus_build)
    before = server_counts(virtuoso)
    doc = max((g for g in local if not g.endswith("/resolved")), key=lambda g: len(local[g]))
    dropped = {t for t in local[doc] if t.predicate.value == BKG + "mentionedIn"}
    assert dropped
    marker = ox.Triple(ox.NamedNode(doc), RDFS_COMMENT, ox.Literal("再抽出", language="ja"))
    variant = (local[doc] - dropped) | {marker}
    nq = tmp_path / "variant.nq"
    nq.write_bytes(ox.serialize([ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(doc))
                                 for t in variant], format=ox.RdfFormat.N_QUADS))
    loaded = CliRunner().invoke(app, ["load", str(nq), "--out", str(tmp_path / "variant")])
    assert loaded.exit_code == 0, loaded.output

    result = bkg_push(tmp_path / "variant", virtuoso.graph_store, virtuoso.sparql)
    assert result.exit_code == 0, result.output
    assert f"{doc}: {len(variant)} triples (HTTP 200, server has {len(variant)})" in result.output
    assert server_graph(virtuoso, doc) == variant  # old facts gone, the new one there
    assert server_counts(virtuoso) == {**before, doc: len(variant)}  # the other graphs untouched

    restored = bkg_push(corpus_build, virtuoso.graph_store, virtuoso.sparql)
    assert restored.exit_code == 0, restored.output
    assert server_counts(virtuoso) == before


def test_saved_query_through_virtuoso_matches_bkg_query(corpus_build, virtuoso):
    from kg.push import push

    assert push(corpus_build, graph_store=virtuoso.graph_store, endpoint=virtuoso.sparql).verified
    params = {"a": "JPN", "b": "KGZ"}
    local_run = CliRunner().invoke(app, ["query", str(corpus_build), "--saved",
                                         "agreements-between", "-p", "a=JPN", "-p", "b=KGZ",
                                         "--format", "json"])
    assert local_run.exit_code == 0, local_run.output
    local = json.loads(local_run.stdout)
    # The dataset named explicitly (default-graph-uri = the build's graphs): without it Virtuoso's
    # default graph is every graph it holds, its system graphs included.
    remote = virtuoso.select(for_remote_endpoint("agreements-between", params),
                             default_graphs=sorted(local_graphs(corpus_build)))
    assert remote["head"]["vars"] == local["head"]["vars"]
    mine, theirs = rows(local, concat=("documents",)), rows(remote, concat=("documents",))
    assert len(mine) >= 10
    assert all(r["a"][1].endswith("/JPN") and r["b"][1].endswith("/KGZ") for r in theirs)
    key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)
    assert sorted(theirs, key=key) == sorted(mine, key=key)
    # ORDER BY (!BOUND(?date)) STR(?date) ?label: the dates come in the same order; ties between
    # language-tagged labels have no order in SPARQL 1.1 (Virtuoso's is not code-point order)
    dates = lambda rs: [r["date"] and r["date"][1] for r in rs]
    assert dates(theirs) == dates(mine)


def test_push_with_digest_auth(corpus_build, virtuoso, monkeypatch):
    from kg.push import PushError, push

    monkeypatch.delenv("BKG_PUSH_AUTH", raising=False)
    monkeypatch.delenv("BKG_PUSH_USER", raising=False)
    refused = bkg_push(corpus_build, virtuoso.graph_store_auth, virtuoso.sparql)
    assert refused.exit_code == 1  # Virtuoso answers 401, or hangs up on the upload:
    assert "HTTP 401" in refused.output or "does it want BKG_PUSH_USER" in refused.output

    monkeypatch.setenv("BKG_PUSH_USER", "dba")
    monkeypatch.setenv("BKG_PUSH_PASSWORD", "wrong")
    with pytest.raises(PushError, match="refused the credentials of BKG_PUSH_USER 'dba'"):
        push(corpus_build, graph_store=virtuoso.graph_store_auth, endpoint=virtuoso.sparql)

    monkeypatch.setenv("BKG_PUSH_PASSWORD", "dba")
    sent: list[tuple[str, str]] = []
    real_urlopen = urllib.request.urlopen

    def spy(req, *args, **kwargs):
        sent.append((req.get_method(), req.get_header("Authorization", "").split(" ")[0]))
        return real_urlopen(req, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", spy)
    report = push(corpus_build, graph_store=virtuoso.graph_store_auth, endpoint=virtuoso.sparql)
    assert report.verified and len(report.graphs) == 6
    assert all(g.remote_triples == g.triples for g in report.graphs)
    puts = [auth for method, auth in sent if method == "PUT"]
    assert puts == ["Digest"] * 6  # each graph uploaded once, never with basic auth
    assert server_counts(virtuoso) == {g: len(t) for g, t in local_graphs(corpus_build).items()}


def test_a_big_graph_goes_in_parts_and_a_deadlock_is_retried(corpus_build, virtuoso, monkeypatch):
    """Virtuoso loses triples from (or deadlocks on) one PUT of a few 100,000 triples into an
    empty store, so push sends a big graph as a PUT and POSTs of CHUNK_TRIPLES each, and sends a
    graph again when the server reports a deadlock. Here with parts of 1,000 triples."""
    import urllib.error
    from email.message import Message
    from io import BytesIO

    import kg.push as kp

    monkeypatch.delenv("BKG_PUSH_USER", raising=False)
    monkeypatch.setattr(kp, "CHUNK_TRIPLES", 1000)
    monkeypatch.setattr(kp, "COUNT_BATCH", 4)  # the count check in two queries
    monkeypatch.setattr(kp.time, "sleep", lambda s: None)
    local = local_graphs(corpus_build)
    sent: list[tuple[str, str]] = []
    real_urlopen = urllib.request.urlopen
    deadlocks = [1]

    def flaky(req, *args, **kwargs):
        sent.append((req.get_method(), req.full_url))
        if req.get_method() == "POST" and deadlocks and "graph=" in req.full_url:
            deadlocks.pop()  # once, as Virtuoso says it
            headers = Message()
            headers["Content-Type"] = "text/html; charset=UTF-8"
            page = b"<html><h3>Error 40001</h3><xmp>SR172: Transaction deadlocked</xmp></html>"
            raise urllib.error.HTTPError(req.full_url, 500, "Request Failed", headers,
                                         BytesIO(page))
        return real_urlopen(req, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", flaky)
    report = kp.push(corpus_build, graph_store=virtuoso.graph_store, endpoint=virtuoso.sparql)
    assert report.verified and all(g.remote_triples == g.triples for g in report.graphs)
    parts = sum(-(-len(t) // 1000) for t in local.values())  # 18 for 16,066 triples
    writes = [method for method, url in sent if "graph=" in url]
    assert writes.count("PUT") == len(local) + 1  # every graph once, the deadlocked one twice
    assert len(writes) == parts + 2  # + the PUT and the POST of the attempt that deadlocked
    assert [url for _, url in sent if "graph=" not in url] == [virtuoso.sparql] * 2  # counts
    for graph, triples in local.items():
        assert server_graph(virtuoso, graph) == triples, graph

    # not a passing failure: no retry, the server's words in the error, without its HTML
    monkeypatch.setattr(urllib.request, "urlopen", real_urlopen)
    with pytest.raises(kp.PushError) as info:
        kp.push(corpus_build, graph_store=virtuoso.base + "/no-such-endpoint", verify=False)
    assert "<" not in str(info.value) and not info.value.transient


def test_a_graph_with_blank_nodes_is_sent_whole(virtuoso, tmp_path, monkeypatch):
    import kg.push as kp

    monkeypatch.delenv("BKG_PUSH_USER", raising=False)
    monkeypatch.setattr(kp, "CHUNK_TRIPLES", 2)
    g = ox.NamedNode(GRAPH + "bnodes-test")
    node = ox.BlankNode()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), RDFS_COMMENT, node, g)
             for i in range(4)] + [ox.Quad(node, label, ox.Literal("one node"), g)]
    store = ox.Store()
    store.extend(quads)
    assert kp._parts([ox.Triple(q.subject, q.predicate, q.object) for q in quads]) == [
        [ox.Triple(q.subject, q.predicate, q.object) for q in quads]]
    report = kp.push(store, graph_store=virtuoso.graph_store, endpoint=virtuoso.sparql)
    assert report.verified and report.graphs[0].remote_triples == 5
    answer = virtuoso.select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH <{g.value}> "
                             f"{{ ?s <{RDFS_COMMENT.value}> ?o }} }}")
    assert answer["results"]["bindings"][0]["n"]["value"] == "1"  # still one blank node
    url = f"{virtuoso.graph_store}?" + urllib.parse.urlencode({"graph": g.value})
    urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=30).close()
    assert g.value not in server_counts(virtuoso)
