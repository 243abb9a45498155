"""The query page of ``bkg serve`` in a real headless Chromium, against a real server on loopback.

The page is YASGUI (the YASQE editor and the YASR results table, from npm, built into
``kg/static/vendor/`` by ``make install``) wired to this server by ``kg/static/app.js``. Every
request that does not go to the server is blocked and recorded: the page must make none — no CDN,
no prefix.cc, no Linked Open Vocabularies look-up, no font — and must load without console errors.

The first tests need no browser: the routes the page uses (``/ontology.json``, the static files).
"""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib

from kg.server import STATIC_DIR, ServerConfig, make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VENDOR = STATIC_DIR / "vendor"
BKG = "https://w3id.org/bilateral-kg/ontology#"
ID = "https://w3id.org/bilateral-kg/id/"
HOSTILE = "javascript:window.__bkg_pwned=3"
XSS_TEXT = '<img src=x onerror="window.__bkg_pwned=4">協定'
XSS_IRI = "https://example.org/a'onmouseover='window.__bkg_pwned=5'x"
COUNTRIES = (
    "PREFIX bkg: <https://w3id.org/bilateral-kg/ontology#>\n"
    "SELECT ?c ?iso3 WHERE { ?c a bkg:Country ; bkg:iso3 ?iso3 }"
)
ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
JCM = "二国間クレジット制度（JCM）に関する協力覚書"

browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no system Chromium at {CHROMIUM}"),
    pytest.mark.skipif(
        not (VENDOR / "yasgui.min.js").is_file(),
        reason="the query page's assets are not built (run `make install`: npm ci + web/build.mjs)",
    ),
]


def browser_only(fn):
    for mark in reversed(browser_test):
        fn = mark(fn)
    return fn


# ------------------------------------------------------------------------ a server


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The test corpus plus a hostile graph (a javascript: IRI next to a web one), served on a
    free loopback port with a 1000-row limit."""
    from factories import corpus

    from kg.rdf import build_graph
    from kg.store import write_store

    out = tmp_path_factory.mktemp("query-page")
    ds = build_graph(corpus())
    g = ds.graph(rdflib.URIRef(ID + "document/hostile"))
    s = rdflib.URIRef(ID + "agreement/x")
    g.add((s, rdflib.RDFS.seeAlso, rdflib.URIRef(HOSTILE)))
    g.add((s, rdflib.RDFS.seeAlso, rdflib.URIRef("https://example.org/page")))
    y = rdflib.URIRef(ID + "agreement/y")
    g.add((y, rdflib.RDFS.label, rdflib.Literal(XSS_TEXT, lang="ja")))
    g.add((y, rdflib.OWL.sameAs, rdflib.URIRef(XSS_IRI)))
    write_store(ds, out)
    server = make_server(ServerConfig(out / "store", host="127.0.0.1", port=0, timeout=10, limit=1000))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# ------------------------------------------------------------------------ the routes, no browser


def test_ontology_json_lists_classes_and_properties_with_labels(base):
    status, headers, body = get(base + "/ontology.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    terms = json.loads(body)
    classes = {t["curie"]: t for t in terms["classes"]}
    properties = {t["curie"]: t for t in terms["properties"]}
    assert classes["bkg:Agreement"]["iri"] == BKG + "Agreement"
    assert classes["bkg:Agreement"]["label"]["en"] == "Agreement" and classes["bkg:Agreement"]["label"]["ja"]
    assert "bkg:Document" in properties["bkg:docType"]["domain"]
    assert {"bkg:party", "bkg:iso3", "rdfs:label", "rdf:type"} <= set(properties)
    assert "bkg:MoU" in {t["curie"] for t in terms["individuals"]}


def test_static_files_are_compressed_and_revalidated(base):
    status, headers, raw = get(base + "/static/app.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    etag = headers["ETag"]
    status, headers, packed = get(base + "/static/app.js", {"Accept-Encoding": "gzip"})
    assert headers.get("Content-Encoding") == "gzip"
    import gzip

    assert gzip.decompress(packed) == raw
    status, _, body = get(base + "/static/app.js", {"If-None-Match": etag})
    assert status == 304 and body == b""
    assert get(base + "/static/vendor/../../server.py")[0] == 404
    assert get(base + "/static/%2e%2e/server.py")[0] == 404


@browser_only
def test_vendor_assets_are_served_from_here(base):
    total = 0
    for name, ctype in (("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")):
        status, headers, body = get(f"{base}/static/vendor/{name}")
        assert status == 200 and headers["Content-Type"].startswith(ctype)
        assert b"sourceMappingURL" not in body[-200:]
        total += len(body)
    assert total < 1_500_000, f"the query page's vendor assets grew to {total} bytes"


# ------------------------------------------------------------------------ in Chromium


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """One visit in a fresh context: requests to anywhere but the server blocked and recorded,
    console messages, page errors and dialogs recorded."""

    def __init__(self, browser, base: str, path: str = "/", block: tuple[str, ...] = ()):
        self.base = base
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.bytes = 0
        self._block = block
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("response", self._response)
        self.page.goto(base + path)
        self.page.wait_for_function("window.bkgReady === true", timeout=60_000)

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        local = url == self.base or url.startswith(self.base + "/")
        if local and not any(part in url for part in self._block):
            route.continue_()
        else:
            if not local:
                self.blocked.append(url)
            route.abort()

    def _response(self, response):
        length = response.headers.get("content-length")
        if length and response.url.startswith(self.base + "/static/"):
            self.bytes += int(length)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    # -- helpers
    def set_query(self, text: str) -> None:
        self.page.evaluate("(q) => window.bkg.setQuery(q)", text)

    def query(self) -> str:
        return self.page.evaluate("window.bkg.getQuery()")

    def run(self, text: str | None = None) -> None:
        if text is not None:
            self.set_query(text)
        self.page.evaluate("document.querySelector('#status').textContent = ''")
        self.page.click("#run")
        self.wait_for_results()

    def wait_for_results(self) -> None:
        self.page.wait_for_function(
            "/ rows? | triples | true| false|^\\d{3}: /.test(document.querySelector('#status').textContent)",
            timeout=30_000,
        )

    def column(self, n: int) -> list[str]:
        """The text of the nth column of the table's current page (1: YASR's row number)."""
        return self.page.eval_on_selector_all(
            f"#results tbody tr td:nth-child({n})", "els => els.map(e => e.textContent.trim())"
        )

    def info(self) -> str:
        return self.page.inner_text("#results .dt-info")

    def close(self) -> None:
        self.context.close()

    def assert_clean(self, expected_error: str | None = None) -> None:
        assert self.blocked == [], self.blocked
        assert all(r.startswith(self.base + "/") or r == self.base for r in self.requests), self.requests
        assert self.errors == []
        errors = [m for m in self.console if m[0] == "error"]
        assert [m for m in errors if not (expected_error and expected_error in m[1])] == []
        assert self.dialogs == []


@pytest.fixture
def visit(browser, base):
    opened: list[Visit] = []

    def open_(path: str = "/", **kw) -> Visit:
        v = Visit(browser, base, path, **kw)
        opened.append(v)
        return v

    yield open_
    for v in opened:
        v.close()


@browser_only
def test_page_loads_offline_with_yasgui_and_no_errors(visit):
    v = visit()
    v.page.wait_for_selector("#editor .CodeMirror")
    assert v.page.evaluate("typeof window.Yasgui.Yasqe") == "function"
    assert v.page.is_hidden("#query")  # the plain textarea is the fallback only
    v.run()  # the example query
    assert len(v.column(2)) == 2
    v.page.wait_for_timeout(300)
    paths = {urllib.parse.urlsplit(r).path for r in v.requests}
    assert {"/static/vendor/yasgui.min.js", "/prefixes", "/ontology.json", "/queries", "/sparql"} <= paths
    assert 0 < v.bytes < 1_500_000  # what the page loads from /static/ (gzip: about 0.3 MB)
    v.assert_clean()


@browser_only
def test_typed_query_completes_from_the_ontology_and_shows_a_table(visit):
    v = visit()
    v.page.click("#editor .CodeMirror-code")
    v.page.keyboard.press("Control+A")
    v.page.keyboard.press("Delete")
    v.page.keyboard.type("SELECT ?c ?iso WHERE { ?c a bkg:Coun")
    # typing bkg: added its PREFIX line, from /prefixes
    assert v.query().startswith("PREFIX bkg: <https://w3id.org/bilateral-kg/ontology#>\n")
    v.page.keyboard.press("Control+Space")
    v.page.wait_for_selector(".CodeMirror-hints li")
    hints = v.page.eval_on_selector_all(".CodeMirror-hints li", "els => els.map(e => e.textContent)")
    # every ontology class starting so, exact match first (Enter takes it)
    assert hints == ["bkg:Country  — 国 / Country", "bkg:CountryGroup  — 国の集まり / group of countries"]
    v.page.keyboard.press("Enter")
    v.page.keyboard.type(" ; bkg:iso")
    v.page.keyboard.press("Control+Space")
    v.page.wait_for_selector(".CodeMirror-hints li >> text=bkg:iso3")
    v.page.keyboard.press("Enter")
    v.page.keyboard.type(" ?iso }")
    assert v.query().endswith("SELECT ?c ?iso WHERE { ?c a bkg:Country ; bkg:iso3 ?iso }")
    assert v.page.locator("#editor .cm-keyword").count() > 0  # highlighted
    v.page.click("#run")
    v.wait_for_results()
    assert sorted(v.column(3)) == ["JPN", "KAZ", "KGZ"]
    assert v.page.inner_text("#status").startswith("3 rows")
    assert v.page.eval_on_selector_all("#results td a", "els => els.map(e => e.textContent)") != []
    v.assert_clean()


@browser_only
def test_sorting_a_column_reorders_the_rows(visit):
    v = visit()
    v.run(COUNTRIES + " ORDER BY DESC(?iso3)")
    assert v.column(3) == ["KGZ", "KAZ", "JPN"]
    header = v.page.locator("#results thead th", has_text="iso3")
    header.locator(".dt-column-title").click()
    v.page.wait_for_function("document.querySelector('#results thead th[aria-sort]') !== null")
    assert header.get_attribute("aria-sort") == "ascending"
    assert v.column(3) == ["JPN", "KAZ", "KGZ"]
    header.locator(".dt-column-title").click()
    v.page.wait_for_function(
        "document.querySelector('#results thead th[aria-sort]').getAttribute('aria-sort') === 'descending'"
    )
    assert v.column(3) == ["KGZ", "KAZ", "JPN"]
    v.assert_clean()


@browser_only
def test_paging_a_long_result(visit):
    v = visit()
    v.run(ALL_TRIPLES)
    rows = int(v.page.inner_text("#status").split()[0])
    assert rows > 100
    assert v.info() == f"Showing 1 to 50 of {rows} entries"
    assert v.page.locator("#results tbody tr").count() == 50
    first_page = v.column(2)
    v.page.click("#results .dt-paging button.next")
    assert v.info() == f"Showing 51 to 100 of {rows} entries"
    assert v.column(2) != first_page
    v.page.select_option("#results select.tableSizer", "10")
    assert v.page.locator("#results tbody tr").count() == 10
    v.assert_clean()


@browser_only
def test_saved_query_runs_with_its_parameter_form(visit):
    v = visit()
    v.page.select_option("#saved", "agreements-between")
    assert v.page.inner_text("#saved-description")
    assert v.query().strip() and "?a" in v.query()
    v.page.fill("#param-a", "JPN")
    v.page.click("#run")
    v.wait_for_results()
    assert v.page.inner_text("#status").startswith("400:") and "missing" in v.page.inner_text("#status")
    v.page.fill("#param-b", "KGZ")
    v.run()
    sent = [r for r in v.requests if "/queries/agreements-between?" in r]
    assert sent[-1].endswith("/queries/agreements-between?a=JPN&b=KGZ")
    labels = v.page.eval_on_selector_all("#results tbody td", "els => els.map(e => e.textContent)")
    assert any(JCM in text for text in labels)
    assert v.page.url.endswith("#saved=agreements-between&a=JPN&b=KGZ")
    v.assert_clean(expected_error="status of 400")  # Chromium logs the refused request


@browser_only
def test_downloads_json_tsv_and_csv_from_the_server(visit, tmp_path):
    v = visit()
    v.set_query(COUNTRIES + " ORDER BY ?iso3")
    with v.page.expect_download() as info:
        v.page.click("button.download[data-format=json]")
    download = info.value
    assert download.suggested_filename == "query.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["head"]["vars"] == ["c", "iso3"]
    assert [b["iso3"]["value"] for b in data["results"]["bindings"]] == ["JPN", "KAZ", "KGZ"]
    assert data["results"]["bindings"][0]["c"] == {"type": "uri", "value": ID + "country/JPN"}
    with v.page.expect_download() as info:
        v.page.click("button.download[data-format=tsv]")
    tsv = Path(info.value.path()).read_text(encoding="utf-8").splitlines()
    assert tsv[0] == "?c\t?iso3" and tsv[1] == f'<{ID}country/JPN>\t"JPN"'
    # a saved query downloads through /queries/NAME with its parameters
    v.page.select_option("#saved", "agreements-between")
    v.page.fill("#param-a", "JPN")
    v.page.fill("#param-b", "KGZ")
    with v.page.expect_download() as info:
        v.page.click("button.download[data-format=csv]")
    assert info.value.suggested_filename == "agreements-between.csv"
    assert JCM in Path(info.value.path()).read_text(encoding="utf-8")
    v.assert_clean()


@browser_only
def test_permalink_restores_the_query_in_a_new_browser(visit):
    v = visit()
    query = COUNTRIES + " ORDER BY ?iso3  # 日本語も"
    v.set_query(query)
    link = v.page.get_attribute("#permalink", "href")
    assert link.startswith(v.base + "/#query=")
    fresh = visit(link[len(v.base):])  # a new context: nothing in its localStorage
    assert fresh.query() == query
    fresh.wait_for_results()  # a permalink runs its query
    assert fresh.column(3) == ["JPN", "KAZ", "KGZ"]
    saved = visit("/#saved=agreements-between&a=JPN&b=KGZ")
    saved.wait_for_results()
    assert saved.page.input_value("#saved") == "agreements-between"
    assert saved.page.input_value("#param-b") == "KGZ"
    assert JCM in saved.page.inner_text("#results")
    for each in (v, fresh, saved):
        each.assert_clean()


@browser_only
def test_history_keeps_the_queries_run(visit):
    v = visit()
    v.run(COUNTRIES)
    v.run(ALL_TRIPLES)
    options = v.page.eval_on_selector_all("#history option", "els => els.map(e => e.textContent)")
    assert len(options) == 3 and "SELECT ?s ?p ?o" in options[1] and "SELECT ?c ?iso3" in options[2]
    v.page.select_option("#history", index=2)
    assert v.query() == COUNTRIES
    v.assert_clean()


@browser_only
def test_clicking_an_entity_shows_its_facts_in_the_page(visit):
    v = visit()
    v.run(COUNTRIES + " ORDER BY ?iso3")
    link = v.page.locator("#results td a", has_text="id:country/KGZ")
    assert link.get_attribute("href") == ID + "country/KGZ"
    link.click()
    v.page.wait_for_function("window.bkg.getQuery().includes('country/KGZ> ?property ?value')")
    v.wait_for_results()
    assert v.page.url.startswith(v.base + "/#query=")  # still this page, not the w3id IRI
    assert len(v.context.pages) == 1  # and no new tab
    properties = v.column(2)
    values = v.column(3)
    assert "bkg:iso3" in properties and "KGZ" in values
    assert any("Kyrgyzstan" in value for value in values)
    v.page.go_back()  # back to the query the entity was clicked in
    v.page.wait_for_function("window.bkg.getQuery().includes('?c a bkg:Country')")
    v.assert_clean()


@browser_only
def test_a_javascript_iri_is_text_not_a_link(visit):
    v = visit()
    v.run("SELECT ?o WHERE { ?s rdfs:seeAlso ?o } ORDER BY ?o")
    hrefs = v.page.eval_on_selector_all("#results td a", "els => els.map(e => e.getAttribute('href'))")
    cells = v.page.eval_on_selector_all("#results td", "els => els.map(e => e.textContent)")
    assert hrefs == ["https://example.org/page"]
    assert any(HOSTILE in c for c in cells)
    v.page.click(f"#results td >> text={HOSTILE}")
    v.page.wait_for_timeout(200)
    assert v.page.evaluate("window.__bkg_pwned") is None
    assert HOSTILE not in v.query()  # no facts query for it either
    v.assert_clean()


@browser_only
def test_without_the_built_assets_the_page_falls_back_to_plain_mode(visit):
    v = visit(block=("/static/vendor/",))
    assert v.page.evaluate("typeof window.Yasgui") == "undefined"
    assert v.page.is_visible("#query")
    v.page.fill("#query", "SELECT ?o WHERE { ?s rdfs:seeAlso ?o } ORDER BY ?o")
    v.page.click("#run")
    v.wait_for_results()
    hrefs = v.page.eval_on_selector_all("#results td a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == ["https://example.org/page"]
    v.page.click("#results td a")  # the facts, in the page
    v.page.wait_for_function("document.querySelector('#query').value.includes('?property ?value')")
    assert v.blocked == [] and v.errors == []


@browser_only
def test_hostile_text_and_iris_do_not_run(visit):
    v = visit()
    v.run(f"SELECT ?p ?o WHERE {{ <{ID}agreement/y> ?p ?o }} ORDER BY ?p")
    text = v.page.inner_text("#results tbody")
    assert '<img src=x onerror="window.__bkg_pwned=4">協定' in text  # shown as text
    assert v.page.evaluate("document.querySelectorAll('#results img').length") == 0
    for a in v.page.query_selector_all("#results td a"):
        a.hover()
        assert a.get_attribute("onmouseover") is None
    # the link is the whole IRI, quote and all, and so is the facts query it opens
    link = v.page.locator("#results td a", has_text="example.org/a'")
    assert link.get_attribute("href") == XSS_IRI
    link.click()
    v.page.wait_for_function("window.bkg.getQuery().includes('?property ?value')")
    assert f"<{XSS_IRI}>" in v.query()
    v.wait_for_results()
    v.page.wait_for_timeout(300)  # give a broken image's onerror time to fire
    assert v.page.evaluate("window.__bkg_pwned") is None
    v.assert_clean()
