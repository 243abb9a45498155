"""kg.views in a real headless Chromium (the system browser, through Playwright).

Every request other than file: and data: is blocked and recorded: a view must make none. The page
must load without console errors, show the expected number of nodes (read from its vis DataSet),
and never run script smuggled into a label or a passage.
"""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import pytest
import rdflib

from kg import network as kn
from kg import views

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ID = "https://w3id.org/bilateral-kg/id/"
TRIG = (Path(__file__).parent / "network_sample.trig").read_text(encoding="utf-8")
XSS_LABEL = "<script>window.__bkg_pwned = 1; alert(1)</script>協定"
XSS_TEXT = '<img src=x onerror="window.__bkg_pwned = 2; alert(2)">本文'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no system Chromium at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """One page visit: requests, console messages, page errors and dialogs recorded."""

    def __init__(self, browser, url: str):
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(url)
        self.page.wait_for_function("window.bkgReady === true", timeout=60_000)

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def hover(self, node_id: str) -> None:
        pos = self.page.evaluate(
            "(id) => network.canvasToDOM(network.getPosition(id))", node_id
        )
        box = self.page.locator("#mynetwork").bounding_box()
        self.page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        self.page.wait_for_selector("#bkg-tip", state="visible", timeout=5_000)

    def close(self) -> None:
        self.context.close()


def open_view(browser, net, path: Path) -> Visit:
    views.write_view(net, path)
    return Visit(browser, path.as_uri())


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    ds = rdflib.Dataset()
    ds.parse(data=TRIG, format="trig")
    return kn.entity_graph(ds)


def test_the_harness_sees_external_requests(browser, tmp_path):
    """A page that does fetch from the web is caught: the recorder is not blind."""
    page_path = tmp_path / "leaky.html"
    page_path.write_text(
        '<img src="https://cdn.example.invalid/x.png"><script>window.bkgReady = true</script>',
        encoding="utf-8",
    )
    visit = Visit(browser, page_path.as_uri())
    visit.page.wait_for_timeout(200)
    visit.close()
    assert visit.blocked == ["https://cdn.example.invalid/x.png"]


def test_view_loads_offline_without_errors(browser, G, tmp_path):
    visit = open_view(browser, views.build_view(G), tmp_path / "graph.html")
    try:
        assert visit.page.evaluate("nodes.length") == G.number_of_nodes()
        assert visit.page.evaluate("edges.length") == G.number_of_edges()
        assert visit.page.evaluate("Object.keys(network.getPositions()).length") == len(G)
        legend = visit.page.locator("#bkg-legend li").all_inner_texts()
        assert any("Country (3)" in item for item in legend)
        visit.hover(ID + "agreement/jcm")
        tooltip = visit.page.locator("#bkg-tip").inner_text()
        assert "2023-07-06" in tooltip and "日キルギス共同声明" in tooltip
    finally:
        visit.close()
    assert visit.blocked == [], visit.blocked
    assert [r for r in visit.requests if not r.startswith("file:")] == []
    assert visit.errors == []
    assert [m for m in visit.console if m[0] == "error"] == []


def test_hostile_text_does_not_run(browser, tmp_path):
    H = nx.MultiDiGraph()
    H.add_node("c", cls="Country", label="日本", label_ja="日本", years=[2023])
    H.add_node(
        "a", cls="Agreement", label=XSS_LABEL, label_ja=XSS_LABEL, label_en=XSS_TEXT,
        years=[2023], docs=[XSS_LABEL],
        passages=[{"doc": XSS_TEXT, "paragraph": XSS_LABEL, "text": XSS_TEXT, "start": 0}],
    )
    H.add_edge("a", "c", key="party", relation="party")
    net = views.build_view(H, heading=XSS_LABEL)
    net.notes.append(XSS_TEXT)
    visit = open_view(browser, net, tmp_path / "hostile.html")
    try:
        labels = {l["id"]: l["lines"] for l in visit.page.evaluate("bkg.labels()")}
        assert labels["a"][0].startswith("<script>window.")  # drawn on the canvas, as text
        assert labels["a"][1].startswith("<img src=x")  # (clipped there, in full on hover)
        visit.hover("a")  # builds and shows the tooltip with the passage
        tooltip = visit.page.locator("#bkg-tip").inner_text()
        assert "<img src=x onerror=" in tooltip  # shown as text
        visit.page.wait_for_timeout(300)  # give a broken image's onerror time to fire
        assert visit.page.evaluate("window.__bkg_pwned") is None
        assert visit.page.evaluate("document.querySelectorAll('img').length") == 0
    finally:
        visit.close()
    assert visit.dialogs == []
    assert visit.blocked == []
    assert visit.errors == []


def test_large_view_renders_the_cut_down_graph(browser, tmp_path):
    big = nx.barabasi_albert_graph(3000, 2, seed=3)
    nx.set_node_attributes(big, "Person", "cls")
    visit = open_view(browser, views.build_view(big, max_nodes=500), tmp_path / "big.html")
    try:
        assert visit.page.evaluate("nodes.length") == 500
        note = visit.page.locator(".bkg-note").first.inner_text()
        assert "500" in note and "3,000" in note
    finally:
        visit.close()
    assert visit.blocked == [] and visit.errors == []


def test_query_page_links_only_web_iris(browser, tmp_path):
    """An IRI from a document can be javascript:…; the query page shows it as text, never a link."""
    import threading

    from kg.server import ServerConfig, make_server
    from kg.store import write_store

    ds = rdflib.Dataset()
    g = ds.graph(rdflib.URIRef(ID + "document/hostile"))
    s = rdflib.URIRef(ID + "agreement/x")
    g.add((s, rdflib.RDFS.seeAlso, rdflib.URIRef("javascript:window.__bkg_pwned=3")))
    g.add((s, rdflib.RDFS.seeAlso, rdflib.URIRef("https://example.org/page")))
    write_store(ds, tmp_path)
    server = make_server(ServerConfig(tmp_path / "store", port=0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/")
        # the editor is YASQE (kg/static/vendor/) or, without it, the plain #query textarea
        page.wait_for_function("window.bkgReady === true", timeout=60_000)
        page.evaluate("q => window.bkg.setQuery(q)", "SELECT ?o WHERE { ?s rdfs:seeAlso ?o } ORDER BY ?o")
        page.click("#run")
        page.wait_for_selector("#results table tbody td", timeout=20_000)
        hrefs = page.eval_on_selector_all("#results td a", "els => els.map(e => e.getAttribute('href'))")
        cells = page.eval_on_selector_all("#results td", "els => els.map(e => e.textContent)")
        assert hrefs == ["https://example.org/page"]
        assert any("javascript:window.__bkg_pwned=3" in c for c in cells)  # YASR adds <…>
        page.click("#results td >> text=javascript:window.__bkg_pwned=3")
        assert page.evaluate("window.__bkg_pwned") is None
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        thread.join(10)
