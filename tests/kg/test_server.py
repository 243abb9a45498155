"""The SPARQL endpoint: a real server on a free loopback port, queried like researchers would."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib

from kg.server import GRACE_S, ServerConfig, make_server, negotiate

BKG = "https://w3id.org/bilateral-kg/ontology#"
ID = "https://w3id.org/bilateral-kg/id/"
COUNTRIES = f"SELECT ?c ?iso3 WHERE {{ ?c a <{BKG}Country> ; <{BKG}iso3> ?iso3 }} ORDER BY ?iso3"
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?l ?a"  # must finish to sort
RUNAWAY_SORTED = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    from factories import corpus

    from kg.rdf import build_graph
    from kg.store import write_store

    out = tmp_path_factory.mktemp("server-build")
    write_store(build_graph(corpus()), out)
    return out


def _start(config: ServerConfig):
    server = make_server(config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    return server, thread, f"http://{host}:{port}"


def _stop(server, thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(scope="module")
def endpoint(build_dir: Path):
    """Base URL of a read-only server (2 s time limit, 1000-row limit), stopped at the end."""
    config = ServerConfig(build_dir / "store", host="127.0.0.1", port=0, timeout=TIMEOUT, limit=1000)
    server, thread, base = _start(config)
    yield base
    _stop(server, thread)


def fetch(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
          method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def q(query: str, **extra: str) -> str:
    return urllib.parse.urlencode({"query": query, **extra})


# ------------------------------------------------------------------------ negotiation


def test_negotiate_picks_by_accept_then_format_parameter():
    assert negotiate("results", "text/csv;q=0.5, application/sparql-results+xml", None) == "xml"
    assert negotiate("results", "*/*", None) == "json"
    assert negotiate("results", "text/csv", "tsv") == "tsv"
    assert negotiate("graph", "application/ld+json", None) == "jsonld"
    assert negotiate("graph", None, None) == "turtle"
    assert negotiate("graph", "text/html", "nt") == "nt"


def test_loopback_is_the_default_host():
    assert ServerConfig(Path("x")).host == "127.0.0.1"


# ------------------------------------------------------------------------ SPARQLWrapper


def test_sparqlwrapper_json_xml_csv(endpoint):
    from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

    sw = SPARQLWrapper(f"{endpoint}/sparql")
    sw.setQuery(COUNTRIES)
    sw.setReturnFormat(JSON)
    data = sw.query().convert()
    isos = [b["iso3"]["value"] for b in data["results"]["bindings"]]
    assert sorted(set(isos)) == ["JPN", "KAZ", "KGZ"]

    sw.setReturnFormat(XML)
    doc = sw.query().convert()  # xml.dom.minidom document
    uris = [u.firstChild.data for u in doc.getElementsByTagName("uri")]
    assert f"{ID}country/KGZ" in uris

    sw.setReturnFormat(CSV)
    text = sw.query().convert().decode("utf-8")
    assert text.splitlines()[0] == "c,iso3" and "KAZ" in text


def test_sparqlwrapper_update_is_refused(endpoint):
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    sw = SPARQLWrapper(f"{endpoint}/sparql", updateEndpoint=f"{endpoint}/sparql")
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)) as info:
        sw.query()
    assert "403" in str(info.value) or "read-only" in str(info.value)


# ------------------------------------------------------------------------ plain HTTP


def test_get_and_post_forms(endpoint):
    status, headers, body = fetch(f"{endpoint}/sparql?{q(COUNTRIES)}")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    got = json.loads(body)
    assert got["head"]["vars"] == ["c", "iso3"]

    status, _, body2 = fetch(f"{endpoint}/sparql", data=q(COUNTRIES).encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body2) == got

    status, _, body3 = fetch(f"{endpoint}/query", data=COUNTRIES.encode(),
                             headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and json.loads(body3) == got


def test_accept_and_format_parameter(endpoint):
    status, headers, body = fetch(f"{endpoint}/sparql?{q(COUNTRIES)}",
                                  headers={"Accept": "text/tab-separated-values"})
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    lines = body.decode().splitlines()
    assert lines[0] == "?c\t?iso3" and f"<{ID}country/JPN>\t\"JPN\"" in lines

    status, headers, body = fetch(f"{endpoint}/sparql?{q(COUNTRIES, format='csv')}",
                                  headers={"Accept": "application/json"})
    assert headers["Content-Type"].startswith("text/csv") and b"KGZ" in body

    status, headers, body = fetch(f"{endpoint}/sparql?{q(COUNTRIES)}",
                                  headers={"Accept": "application/sparql-results+xml"})
    assert headers["Content-Type"].startswith("application/sparql-results+xml")
    assert b"<sparql" in body and b"KAZ" in body


def test_ask(endpoint):
    ask = f"ASK {{ <{ID}country/KGZ> a <{BKG}Country> }}"
    status, _, body = fetch(f"{endpoint}/sparql?{q(ask)}")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_construct_as_turtle_jsonld_ntriples(endpoint):
    construct = f"CONSTRUCT {{ ?a ?p ?o }} WHERE {{ ?a a <{BKG}Agreement> ; ?p ?o }}"
    status, headers, body = fetch(f"{endpoint}/sparql?{q(construct)}",
                                  headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=body.decode(), format="turtle")
    agreements = set(g.subjects(rdflib.RDF.type, rdflib.URIRef(BKG + "Agreement")))
    assert len(agreements) == 3

    _, headers, body = fetch(f"{endpoint}/sparql?{q(construct)}",
                             headers={"Accept": "application/ld+json"})
    assert headers["Content-Type"].startswith("application/ld+json")
    assert len(rdflib.Graph().parse(data=body.decode(), format="json-ld")) == len(g)

    _, headers, body = fetch(f"{endpoint}/sparql?{q(construct, format='nt')}")
    assert headers["Content-Type"].startswith("application/n-triples")
    assert len(rdflib.Graph().parse(data=body.decode(), format="nt")) == len(g)


def test_union_default_graph_and_named_graphs(endpoint):
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    _, _, body = fetch(f"{endpoint}/sparql?{q(graphs)}")
    assert len(json.loads(body)["results"]["bindings"]) == 2
    docs = f"SELECT ?d WHERE {{ ?d a <{BKG}Document> }}"
    _, _, body = fetch(f"{endpoint}/sparql?{q(docs)}")
    assert len(json.loads(body)["results"]["bindings"]) == 2  # no GRAPH: the union


def test_updates_and_graph_writes_are_refused(endpoint):
    insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    for url, data, ctype in [
        (f"{endpoint}/sparql", urllib.parse.urlencode({"update": insert}).encode(),
         "application/x-www-form-urlencoded"),
        (f"{endpoint}/update", insert.encode(), "application/sparql-update"),
        (f"{endpoint}/sparql", q(insert).encode(), "application/x-www-form-urlencoded"),
    ]:
        status, _, body = fetch(url, data=data, headers={"Content-Type": ctype})
        assert status == 403 and b"read-only" in body
    status, _, body = fetch(f"{endpoint}/store?graph=urn:x", data=b"<urn:a> <urn:b> <urn:c> .",
                            headers={"Content-Type": "application/n-triples"}, method="PUT")
    assert status == 403
    status, _, _ = fetch(f"{endpoint}/store?graph=urn:x", method="DELETE")
    assert status == 403
    _, _, body = fetch(f"{endpoint}/sparql?{q('ASK { <urn:a> ?p ?o }')}")
    assert json.loads(body)["boolean"] is False


def test_syntax_errors_are_400(endpoint):
    status, _, body = fetch(f"{endpoint}/sparql?{q('SELECT WHERE {')}")
    assert status == 400 and b"syntax" in body.lower()
    status, _, _ = fetch(f"{endpoint}/sparql")
    assert status == 400


def test_row_limit(endpoint):
    everything = "SELECT * WHERE { ?s ?p ?o }"
    status, headers, body = fetch(f"{endpoint}/sparql?{q(everything, limit='5')}")
    assert status == 200 and headers.get("X-BKG-Truncated") == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 5
    pairs = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }"  # ~40 000 rows
    _, headers, body = fetch(f"{endpoint}/sparql?{q(pairs, limit='999999')}")
    assert headers.get("X-BKG-Truncated") == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 1000  # the server's --limit
    _, headers, _ = fetch(f"{endpoint}/sparql?{q(COUNTRIES)}")
    assert "X-BKG-Truncated" not in headers


@pytest.mark.parametrize("query", [RUNAWAY, RUNAWAY_SORTED])
def test_runaway_query_is_stopped(endpoint, query):
    start = time.monotonic()
    status, _, body = fetch(f"{endpoint}/sparql?{q(query, limit='100000000')}")
    elapsed = time.monotonic() - start
    assert status == 503 and b"time limit" in body
    assert elapsed < TIMEOUT + GRACE_S + 5
    # and the server still answers
    status, _, _ = fetch(f"{endpoint}/sparql?{q(COUNTRIES)}")
    assert status == 200


def test_rdflib_sparqlstore_reads_it(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(f"{endpoint}/sparql")
    g = rdflib.Graph(store=store)
    res = g.query(COUNTRIES)
    assert {str(row.iso3) for row in res} == {"JPN", "KAZ", "KGZ"}
    label = rdflib.RDFS.label
    labels = set(g.objects(rdflib.URIRef(f"{ID}country/KGZ"), label))
    assert rdflib.Literal("Kyrgyzstan", lang="en") in labels


# ------------------------------------------------------------------------ the page and saved queries


def test_query_page_is_offline(endpoint):
    status, headers, body = fetch(f"{endpoint}/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = body.decode()
    assert "/static/app.js" in html and "<textarea" in html
    assert "cdn" not in html.lower() and 'src="http' not in html and 'href="http' not in html
    status, _, js = fetch(f"{endpoint}/static/app.js")
    # namespace IRIs appear as text (to shorten results); nothing is loaded from another host
    assert status == 200 and b"fetch(" in js
    assert b'fetch("http' not in js and b"fetch('http" not in js and b"//cdn" not in js and b"import " not in js
    assert fetch(f"{endpoint}/static/../server.py")[0] == 404


def test_saved_queries_are_listed_and_run_with_bound_parameters(endpoint):
    status, _, body = fetch(f"{endpoint}/queries")
    saved = {s["name"]: s for s in json.loads(body)}
    assert "agreements-between" in saved
    assert [p["name"] for p in saved["agreements-between"]["params"]] == ["a", "b"]
    status, _, body = fetch(f"{endpoint}/queries/agreements-between?a=JPN&b=KGZ")
    assert status == 200
    labels = [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert "二国間クレジット制度（JCM）に関する協力覚書" in labels
    status, _, body = fetch(f"{endpoint}/queries/agreements-between?a=JPN")
    assert status == 400 and b"missing" in body
    assert fetch(f"{endpoint}/queries/nope")[0] == 404
    _, headers, body = fetch(f"{endpoint}/queries/visits?country=JPN&format=csv")
    assert headers["Content-Type"].startswith("text/csv") and "ジャパロフ" in body.decode()


def test_graph_store_get(endpoint):
    _, _, body = fetch(f"{endpoint}/sparql?{q('SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }')}")
    graph = json.loads(body)["results"]["bindings"][0]["g"]["value"]
    status, headers, body = fetch(f"{endpoint}/store?{urllib.parse.urlencode({'graph': graph})}",
                                  headers={"Accept": "application/n-triples"})
    assert status == 200 and len(rdflib.Graph().parse(data=body.decode(), format="nt")) > 50


def test_allow_update_accepts_updates(tmp_path, build_dir):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(build_dir / "store", copy)
    server, thread, base = _start(
        ServerConfig(copy, port=0, timeout=TIMEOUT, allow_update=True, token="s3cret")
    )
    try:
        insert = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
        status, _, _ = fetch(f"{base}/update", data=insert.encode(),
                             headers={"Content-Type": "application/sparql-update",
                                      "Authorization": "Bearer s3cret"})
        assert status == 204
        _, _, body = fetch(f"{base}/sparql?{q('ASK { <urn:a> ?p ?o }')}")
        assert json.loads(body)["boolean"] is True
    finally:
        _stop(server, thread)
