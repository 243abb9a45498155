"""The endpoint is safe to share: each attack or protocol slip of the hardening issue, reproduced
against a real server on a free loopback port."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from test_server import RUNAWAY, _start, _stop, fetch, q

from kg.server import ServerConfig

ASK_ANY = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    from factories import corpus

    from kg.rdf import build_graph
    from kg.store import write_store

    out = tmp_path_factory.mktemp("hardening-build")
    write_store(build_graph(corpus()), out)
    return out


@pytest.fixture
def serve(build_dir):
    """``serve(**config)`` starts a server with those settings; all are stopped at the end."""
    running = []

    def start(**settings):
        server, thread, base = _start(ServerConfig(build_dir / "store", port=0, **settings))
        running.append((server, thread))
        return server, base

    yield start
    for server, thread in running:
        _stop(server, thread)


@pytest.fixture(scope="module")
def endpoint(build_dir):
    server, thread, base = _start(ServerConfig(build_dir / "store", port=0, timeout=3))
    yield base
    _stop(server, thread)


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def raw(base: str, request: bytes, wait: float = 10.0) -> bytes:
    """Send bytes as they are and read the answer until the server closes or ``wait`` passes."""
    with socket.create_connection(("127.0.0.1", _port(base)), timeout=wait) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                    break
        except TimeoutError:
            pass
    return b"".join(chunks)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


# ------------------------------------------------------------------ federation


class _Listener:
    """A loopback HTTP server standing in for a remote SPARQL endpoint; counts its requests."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
                    {"x": {"type": "literal", "value": "from afar"}}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def remote():
    listener = _Listener()
    yield listener
    listener.close()


def test_service_is_refused_and_nothing_is_fetched(endpoint, remote):
    federated = f"SELECT ?x WHERE {{ SERVICE <{remote.url}> {{ ?x ?p ?o }} }}"
    status, _, body = fetch(f"{endpoint}/sparql?{q(federated)}")
    assert status == 400 and b"federated queries are off" in body
    silent = f"SELECT ?x WHERE {{ SERVICE SILENT <{remote.url}> {{ ?x ?p ?o }} }}"
    assert fetch(f"{endpoint}/sparql?{q(silent)}")[0] == 400
    by_variable = "SELECT * WHERE { VALUES ?e { <%s> } SERVICE ?e { ?x ?p ?o } }" % remote.url
    assert fetch(f"{endpoint}/sparql?{q(by_variable)}")[0] == 400
    assert remote.hits == []
    # the word in a string is no federation
    label = "SELECT ?s WHERE { ?s ?p 'SERVICE <http://example.org/>' }"
    assert fetch(f"{endpoint}/sparql?{q(label)}")[0] == 200


def test_an_allow_listed_service_is_called(serve, remote):
    _, base = serve(allow_services=(remote.url,))
    federated = f"SELECT ?x WHERE {{ SERVICE <{remote.url}> {{ ?x ?p ?o }} }}"
    status, _, body = fetch(f"{base}/sparql?{q(federated)}")
    assert status == 200, body
    assert [b["x"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["from afar"]
    assert len(remote.hits) == 1
    other = "SELECT ?x WHERE { SERVICE <http://127.0.0.1:9/other> { ?x ?p ?o } }"
    assert fetch(f"{base}/sparql?{q(other)}")[0] == 400


# ------------------------------------------------------------------ writes, Origin, Host, CORS


@pytest.fixture
def writable(tmp_path, build_dir, serve):
    copy = tmp_path / "store"
    shutil.copytree(build_dir / "store", copy)
    server, thread, base = _start(ServerConfig(copy, port=0, timeout=3, allow_update=True))
    yield server, base
    _stop(server, thread)


DROP = urllib.parse.urlencode({"update": "DROP ALL"}).encode()
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _count(base: str) -> int:
    _, _, body = fetch(f"{base}/sparql?{q('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }')}")
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_cross_site_drop_all_is_refused(writable):
    server, base = writable
    before = _count(base)
    assert before > 0
    # what a hostile page's form or fetch sends: its own Origin, no token
    status, headers, body = fetch(f"{base}/sparql", data=DROP,
                                  headers={**FORM, "Origin": "https://evil.example"})
    assert status == 403 and b"another site" in body
    assert "Access-Control-Allow-Origin" not in headers
    # even with the token, a foreign Origin is refused
    status, _, _ = fetch(f"{base}/sparql", data=DROP, headers={
        **FORM, "Origin": "https://evil.example", "Authorization": f"Bearer {server.token}"})
    assert status == 403
    # no token: 401 saying how
    status, headers, body = fetch(f"{base}/sparql", data=DROP, headers=FORM)
    assert status == 401 and b"Authorization: Bearer" in body and headers["WWW-Authenticate"] == "Bearer"
    status, _, _ = fetch(f"{base}/sparql", data=DROP, headers={**FORM, "Authorization": "Bearer wrong"})
    assert status == 401
    status, _, _ = fetch(f"{base}/store?graph=urn:x", method="DELETE")
    assert status == 401
    assert _count(base) == before


def test_writes_with_the_token_work(writable):
    server, base = writable
    assert server.token and len(server.token) >= 24
    insert = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"
    status, headers, _ = fetch(f"{base}/update", data=insert.encode(), headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {server.token}",
        "Origin": base})  # same origin: allowed
    assert status == 204
    assert "Access-Control-Allow-Origin" not in headers
    assert json.loads(fetch(f"{base}/sparql?{q('ASK { <urn:a> ?p ?o }')}")[2])["boolean"] is True


def test_a_foreign_host_is_refused(endpoint):
    """DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends Host: evil.example."""
    request = (f"GET /sparql?{q(ASK_ANY)} HTTP/1.1\r\nHost: evil.example:{_port(endpoint)}\r\n"
               "Connection: close\r\n\r\n").encode()
    answer = raw(endpoint, request)
    assert answer.startswith(b"HTTP/1.1 403") and b"--allow-host evil.example" in answer
    for host in ("localhost", "127.0.0.1", "[::1]"):
        request = (f"GET /sparql?{q(ASK_ANY)} HTTP/1.1\r\nHost: {host}:{_port(endpoint)}\r\n"
                   "Connection: close\r\n\r\n").encode()
        assert raw(endpoint, request).startswith(b"HTTP/1.1 200")


def test_allow_host_adds_a_name(serve):
    _, base = serve(allowed_hosts=("kg.lab.example",))
    request = (f"GET /sparql?{q(ASK_ANY)} HTTP/1.1\r\nHost: kg.lab.example\r\n"
               "Connection: close\r\n\r\n").encode()
    assert raw(base, request).startswith(b"HTTP/1.1 200")


def test_cors_only_for_reads_and_only_as_configured(endpoint, serve):
    origin = {"Origin": "https://yasgui.example"}
    _, headers, _ = fetch(f"{endpoint}/sparql?{q(ASK_ANY)}", headers=origin)
    assert "Access-Control-Allow-Origin" not in headers  # none configured: none sent
    _, base = serve(cors_origins=("https://yasgui.example",))
    _, headers, _ = fetch(f"{base}/sparql?{q(ASK_ANY)}", headers=origin)
    assert headers["Access-Control-Allow-Origin"] == "https://yasgui.example"
    assert "X-BKG-Truncated" in headers["Access-Control-Expose-Headers"]
    _, headers, _ = fetch(f"{base}/sparql?{q(ASK_ANY)}", headers={"Origin": "https://other.example"})
    assert "Access-Control-Allow-Origin" not in headers
    status, headers, _ = fetch(f"{base}/sparql", method="OPTIONS", headers={
        **origin, "Access-Control-Request-Method": "POST"})
    assert status == 204 and "PUT" not in headers["Access-Control-Allow-Methods"]
    assert "Authorization" not in headers["Access-Control-Allow-Headers"]
    # a refused write carries no CORS header either
    _, headers, _ = fetch(f"{base}/sparql", data=DROP, headers={**FORM, **origin})
    assert "Access-Control-Allow-Origin" not in headers


# ------------------------------------------------------------------ connections and load


def test_idle_connections_time_out(serve):
    _, base = serve(idle_timeout=0.5, request_timeout=5)
    socks = [socket.create_connection(("127.0.0.1", _port(base)), timeout=10) for _ in range(20)]
    try:
        start = time.monotonic()
        for sock in socks:
            assert sock.recv(1) == b""  # the server closed it
        assert time.monotonic() - start < 8
    finally:
        for sock in socks:
            sock.close()
    assert fetch(f"{base}/sparql?{q(ASK_ANY)}")[0] == 200


def test_a_trickling_client_is_cut_off(serve):
    """Bytes under the idle timeout, but the request never ends: the request timeout closes it."""
    _, base = serve(idle_timeout=2, request_timeout=1)
    sock = socket.create_connection(("127.0.0.1", _port(base)), timeout=10)
    try:
        sock.sendall(b"GET /sparql?query=ASK HTTP/1.1\r\n")
        start, closed = time.monotonic(), False
        while time.monotonic() - start < 8:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            sock.settimeout(0.3)
            try:
                if sock.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
        assert closed
    finally:
        sock.close()


def test_connections_are_bounded(serve):
    _, base = serve(max_connections=4, idle_timeout=3)
    held = [socket.create_connection(("127.0.0.1", _port(base)), timeout=10) for _ in range(4)]
    try:
        time.sleep(0.3)
        answer = raw(base, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503") and b"Retry-After" in answer
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert fetch(f"{base}/sparql?{q(ASK_ANY)}")[0] == 200


def test_busy_is_not_a_time_limit(serve):
    """One worker held by a heavy query: a light one waits briefly, then hears "busy, retry"."""
    _, base = serve(workers=1, timeout=3, queue_wait=0.5)
    heavy = threading.Thread(target=fetch, args=(f"{base}/sparql?{q(RUNAWAY, limit='100000000')}",))
    heavy.start()
    time.sleep(0.5)
    status, headers, body = fetch(f"{base}/sparql?{q('ASK {}')}")
    heavy.join(30)
    assert status == 503 and b"busy" in body and b"time limit" not in body
    assert int(headers["Retry-After"]) >= 1
    status, _, body = fetch(f"{base}/sparql?{q('ASK {}')}")
    assert status == 200 and json.loads(body)["boolean"] is True


# ------------------------------------------------------------------ query limits and protocol


def test_deep_nesting_is_refused_and_the_worker_lives(endpoint):
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    status, _, body = fetch(f"{endpoint}/sparql", data=deep.encode(),
                            headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"nests brackets" in body
    assert fetch(f"{endpoint}/sparql?{q(ASK_ANY)}")[0] == 200


def test_long_queries_are_refused(serve):
    _, base = serve(max_query_length=1000)
    long = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000
    status, _, body = fetch(f"{base}/sparql", data=long.encode(),
                            headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"limit is 1,000" in body


def test_non_utf8_is_a_400_not_a_dropped_connection(endpoint):
    for ctype in ("application/sparql-query", "application/x-www-form-urlencoded"):
        body = "ASK { ?s ?p 'é' }".encode("latin-1") if "sparql" in ctype else b"query=ASK%20%7B%7D%E9"
        status, _, text = fetch(f"{endpoint}/sparql", data=body, headers={"Content-Type": ctype})
        assert status == 400 and b"UTF-8" in text
    status, _, text = fetch(f"{endpoint}/sparql?query=ASK%20%7B%7D%FF")
    assert status == 400 and b"UTF-8" in text


def test_two_queries_are_a_400(endpoint):
    status, _, body = fetch(f"{endpoint}/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400 and b"one 'query'" in body
    status, _, body = fetch(f"{endpoint}/sparql?query=ASK%7B%7D", data=b"query=ASK%7B%7D", headers=FORM)
    assert status == 400
    status, _, _ = fetch(f"{endpoint}/sparql?query=ASK%7B%7D&limit=1&limit=2")
    assert status == 400


def test_unsupported_accept_is_406_and_no_accept_is_json(endpoint):
    status, _, body = fetch(f"{endpoint}/sparql?{q(ASK_ANY)}", headers={"Accept": "image/png"})
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, body = fetch(f"{endpoint}/sparql?{q(ASK_ANY, format='yaml')}")
    assert status == 406 and b"format=" in body
    status, headers, _ = fetch(f"{endpoint}/sparql?{q(ASK_ANY)}", headers={"Accept": "*/*"})
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    req = f"GET /sparql?{q(ASK_ANY)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    answer = raw(endpoint, req.encode())  # no Accept at all: the documented default
    assert b"application/sparql-results+json" in answer.split(b"\r\n\r\n")[0]


def test_errors_are_one_readable_line(endpoint):
    bad = "SELECT * WHERE { ?s rdfs:label ?o . FILTER( }"
    status, _, body = fetch(f"{endpoint}/sparql?{q(bad)}")
    text = body.decode()
    assert status == 400 and text.count("\n") == 1
    assert "line 1, column" in text and "\\u{" not in text and ".." not in text
    undeclared = "SELECT * WHERE { ?s nope:label ?o }"
    _, _, body = fetch(f"{endpoint}/sparql?{q(undeclared)}")
    assert b"undeclared prefix 'nope:'" in body


def test_standard_prefixes_are_predeclared(endpoint):
    """The README's queries, without PREFIX lines, work on /sparql as in `bkg query`."""
    bare = "SELECT ?label WHERE { ?c a bkg:Country ; rdfs:label ?label ; bkg:iso3 'KGZ' }"
    status, _, body = fetch(f"{endpoint}/sparql?{q(bare)}")
    assert status == 200, body
    assert "Kyrgyzstan" in {b["label"]["value"] for b in json.loads(body)["results"]["bindings"]}
    # a query's own PREFIX still wins
    own = "PREFIX bkg: <urn:other#> ASK { ?c a bkg:Country }"
    assert json.loads(fetch(f"{endpoint}/sparql?{q(own)}")[2])["boolean"] is False
    prefixes = json.loads(fetch(f"{endpoint}/prefixes")[2])
    assert prefixes["bkg"] == "https://w3id.org/bilateral-kg/ontology#"
