"""What a reader sees in graph.html and a focused `bkg viz`, checked in headless Chromium.

The system Chromium (with the Noto CJK fonts) through Playwright, one browser for the module.
Every request other than file: and data: is refused and recorded. Label boxes are measured in the
page from the network's own node positions (``network.canvasToDOM``) and ``ctx.measureText``,
independently of the page's label placement; the drawn pixels are read back from the canvas.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kg import views

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ID = "https://w3id.org/bilateral-kg/id/"
JPN, JICA, JCM, OVOP = (ID + "country/JPN", ID + "organization/jica", ID + "agreement/jcm",
                        ID + "program/ovop")
TRIG = (Path(__file__).parent / "network_sample.trig").read_text(encoding="utf-8")
SOURCE = """
PREFIX dcterms: <http://purl.org/dc/terms/>
<https://w3id.org/bilateral-kg/graph/d1> {
  <https://w3id.org/bilateral-kg/id/doc1> dcterms:source "mofa/kgz_2023.html" . }
"""
XSS = "<img src=x onerror=\"window.__bkg_pwned = 1\">覚書<script>window.__bkg_pwned = 2</script>"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no system Chromium at {CHROMIUM}"),
]

# Label boxes from the network's positions, measured with the page's font: [id, x, y, w, h].
MEASURE = """() => {
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = bkg.font;
  const scale = network.getScale();
  return bkg.labels().map(l => {
    const p = network.canvasToDOM(network.getPosition(l.id));
    const w = Math.max(...l.lines.map(t => ctx.measureText(t).width));
    const top = p.y + nodes.get(l.id).size * scale + 3;
    return [l.id, p.x - w / 2, top, w, bkg.lineHeight * l.lines.length];
  });
}"""
# How many dark pixels the canvas holds inside each box: the label is really drawn.
INK = """(boxes) => {
  const canvas = document.querySelector("#mynetwork canvas");
  const ratio = canvas.width / canvas.clientWidth;
  const ctx = canvas.getContext("2d");
  return boxes.map(([id, x, y, w, h]) => {
    const d = ctx.getImageData(Math.round(x * ratio), Math.round(y * ratio),
                               Math.max(1, Math.round(w * ratio)), Math.max(1, Math.round(h * ratio))).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 200 && d[i] < 110 && d[i + 1] < 110 && d[i + 2] < 110) { dark++; }
    }
    return dark;
  });
}"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    import pyoxigraph as ox

    folder = tmp_path_factory.mktemp("build")
    store = ox.Store(str(folder / "store"))
    store.load((TRIG + SOURCE).encode(), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    gc.collect()
    (folder / "graph.html").write_text(views.render_store(folder), encoding="utf-8")
    return folder


class Visit:
    """One page visit: requests, page errors and dialogs recorded; downloads accepted."""

    def __init__(self, browser, url: str):
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 800},
                                           accept_downloads=True)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
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

    def visible(self) -> set[str]:
        return set(self.page.evaluate("bkg.visibleIds()"))

    def click_node(self, node_id: str) -> None:
        pos = self.page.evaluate("(id) => network.canvasToDOM(network.getPosition(id))", node_id)
        box = self.page.locator("#mynetwork").bounding_box()
        self.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])

    def close(self) -> None:
        self.context.close()
        assert self.blocked == [], self.blocked
        assert [r for r in self.requests if not r.startswith(("file:", "data:"))] == []
        assert self.errors == [] and self.dialogs == []


@pytest.fixture()
def graph_page(browser, build_dir):
    visit = Visit(browser, (build_dir / "graph.html").as_uri())
    yield visit
    visit.close()


def overlapping(boxes: list) -> list[tuple[str, str]]:
    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[1] < b[1] + b[3] and b[1] < a[1] + a[3] and a[2] < b[2] + b[4] and b[2] < a[2] + a[4]]


def test_default_view_is_the_country_initiative_network(graph_page):
    shown = graph_page.visible()
    assert {i.split("/")[-2] for i in shown} == {"country", "agreement", "meeting", "program"}
    assert JPN in shown and JCM in shown and OVOP in shown
    assert JICA not in shown and ID + "person/japarov" not in shown  # one click away
    assert graph_page.page.evaluate("nodes.length") == 9  # … but in the page
    graph_page.page.check("#bkg-people")
    assert {JICA, ID + "person/japarov"} <= graph_page.visible()


def test_labels_are_drawn_and_do_not_overlap(graph_page):
    boxes = graph_page.page.evaluate(MEASURE)
    ids = [b[0] for b in boxes]
    assert JPN in ids and len(ids) >= 5  # the important nodes carry their label at first sight
    assert overlapping(boxes) == []
    ink = graph_page.page.evaluate(INK, boxes)
    assert all(dark > 20 for dark in ink), dict(zip(ids, ink))
    lines = dict(graph_page.page.evaluate("bkg.labels().map(l => [l.id, l.lines])"))
    assert lines[JPN] == ["日本", "Japan"]
    graph_page.page.check("input[name=bkg-lang][value=en]")
    lines = dict(graph_page.page.evaluate("bkg.labels().map(l => [l.id, l.lines])"))
    assert lines[JPN] == ["Japan"]


def test_no_overlap_in_a_dense_view(browser, tmp_path):
    G = nx.barabasi_albert_graph(300, 2, seed=5)
    for v in G:
        G.nodes[v].update(cls=("Country", "Program", "Meeting")[v % 3],
                          label_ja=f"長い名前のノード第{v}号", label_en=f"A rather long node name {v}")
    visit = Visit(browser, views.write_view(views.build_view(G), tmp_path / "dense.html").as_uri())
    try:
        boxes = visit.page.evaluate(MEASURE)
        assert 8 <= len(boxes) < 300  # some labels, not all of them
        assert overlapping(boxes) == []
        visit.page.evaluate("network.moveTo({scale: network.getScale() * 3, animation: false})")
        visit.page.evaluate("network.redraw()")
        zoomed = visit.page.evaluate(MEASURE)
        assert overlapping(zoomed) == []
        assert {b[0] for b in zoomed} - {b[0] for b in boxes}  # zooming in shows other labels
    finally:
        visit.close()


def test_legend_and_year_filter_change_the_visible_set(graph_page):
    page = graph_page.page
    before = graph_page.visible()
    page.click("#bkg-legend li[data-class=Country]")
    assert graph_page.visible() == before - {JPN, ID + "country/KAZ", ID + "country/KGZ"}
    assert "off" in page.get_attribute("#bkg-legend li[data-class=Country]", "class")
    page.click("#bkg-legend li[data-class=Country]")
    assert graph_page.visible() == before
    page.evaluate("bkg.setYears(2022, 2022)")  # the agreement is dated 2023
    shown = graph_page.visible()
    assert JCM not in shown and ID + "meeting/m9" in shown
    assert page.inner_text("#bkg-years-shown") == "2022–2022"
    page.locator("#bkg-year-to").fill("2023")
    assert JCM in graph_page.visible()


def test_search_by_alias_in_both_languages(graph_page):
    page = graph_page.page
    assert page.evaluate("bkg.search('JICA')")[0] == JICA
    assert page.evaluate("bkg.search('国際協力機構')")[0] == JICA
    assert page.evaluate("bkg.search('kyrgyz')") == [ID + "country/KGZ"]
    assert page.evaluate("bkg.search('キルギス共和国')")[0] == ID + "country/KGZ"  # skos:altLabel
    page.fill("#bkg-find", "jica")
    assert page.get_attribute("#bkg-hits li button", "data-node") == JICA
    page.press("#bkg-find", "Enter")  # found while its class is hidden: shown and opened
    assert JICA in graph_page.visible()
    assert page.get_attribute("#bkg-panel", "data-node") == JICA
    assert "国際協力機構" in page.inner_text("#bkg-panel h2")


def test_clicking_a_node_opens_its_passages_and_neighbours(graph_page):
    page = graph_page.page
    graph_page.click_node(JCM)
    page.wait_for_selector("#bkg-panel:not([hidden])")
    quote = page.inner_text("#bkg-panel blockquote")
    assert quote == "両首脳は、2023年7月6日に署名された協力覚書を歓迎した。"
    caption = page.inner_text("#bkg-panel figcaption")
    assert "日キルギス共同声明" in caption and "¶5" in caption and "mofa/kgz_2023.html" in caption
    assert "2023-07-06" in page.inner_text("#bkg-panel .bkg-facts")
    page.click(f"#bkg-panel .bkg-neighbours button[data-node='{JPN}']")
    assert page.get_attribute("#bkg-panel", "data-node") == JPN


def test_edge_hover_and_click_show_the_passages_behind_it(graph_page):
    page = graph_page.page
    mid = page.evaluate("""() => {
        const e = edges.get().find(e => e.from.endsWith('agreement/jcm') && e.to.endsWith('KGZ'));
        const a = network.canvasToDOM(network.getPosition(e.from));
        const b = network.canvasToDOM(network.getPosition(e.to));
        return {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
    }""")
    box = page.locator("#mynetwork").bounding_box()
    page.mouse.move(box["x"] + mid["x"], box["y"] + mid["y"])
    page.wait_for_selector("#bkg-tip:not([hidden])", timeout=5_000)
    tip = page.inner_text("#bkg-tip")
    assert "party" in tip and "署名された協力覚書" in tip
    page.mouse.click(box["x"] + mid["x"], box["y"] + mid["y"])
    assert page.inner_text("#bkg-panel h2") == "party"
    assert "署名された協力覚書" in page.inner_text("#bkg-panel blockquote")


def test_png_button_downloads_a_png(graph_page):
    with graph_page.page.expect_download() as info:
        graph_page.page.click("#bkg-png")
    data = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == "graph.png" and data.startswith(PNG_MAGIC)
    assert len(data) > 5_000


def test_positions_identical_across_two_builds(browser, build_dir, tmp_path):
    again = tmp_path / "graph.html"
    again.write_text(views.render_store(build_dir), encoding="utf-8")
    assert again.read_bytes() == (build_dir / "graph.html").read_bytes()
    seen = []
    for page_path in (build_dir / "graph.html", again):
        visit = Visit(browser, page_path.as_uri())
        seen.append(visit.page.evaluate(
            "[network.getPositions(), nodes.get().map(n => [n.id, n.x, n.y])]"))
        visit.close()
    assert seen[0] == seen[1]
    assert len(seen[0][0]) == 6 and len(seen[0][1]) == 9  # drawn ones; all, hidden included
    assert len({(x, y) for _, x, y in seen[0][1]}) == 9


def test_bkg_viz_png_and_svg_headless(build_dir, tmp_path):
    png, svg, page = tmp_path / "kgz.png", tmp_path / "kgz.svg", tmp_path / "kgz.html"
    bkg = [sys.executable, "-c", "from kg.cli import app; app()"]
    run = subprocess.run([*bkg, "viz", str(build_dir), "--focus", "キルギス", "--out", str(page),
                          "--png", str(png), "--svg", str(svg)],
                         check=False, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert png.read_bytes().startswith(PNG_MAGIC)
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "キルギス" in texts and "Kyrgyzstan" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}line"))) >= 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kgz.html", "kgz.png", "kgz.svg"]
    bad = subprocess.run([*bkg, "viz", str(build_dir), "--png", str(tmp_path / "x.jpg")],
                         check=False, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "png" in bad.stderr


def test_script_in_labels_and_passages_is_inert(browser, tmp_path):
    H = nx.MultiDiGraph()
    H.add_node("c", cls="Country", label="日本", label_ja="日本", years=[2023])
    H.add_node("a", cls="Agreement", label=XSS, label_ja=XSS, label_en=XSS, years=[2023],
               aliases=[XSS], passages=[{"doc": XSS, "paragraph": XSS, "text": XSS, "start": 0}])
    H.add_edge("a", "c", key="party", relation="party")
    visit = Visit(browser, views.write_view(views.build_view(H, heading=XSS),
                                            tmp_path / "x.html").as_uri())
    try:
        page = visit.page
        assert "a" in {l["id"] for l in page.evaluate("bkg.labels()")}  # drawn on the canvas
        visit.click_node("a")
        page.wait_for_selector("#bkg-panel:not([hidden])")
        assert XSS in page.inner_text("#bkg-panel blockquote")
        page.fill("#bkg-find", "覚書")
        assert XSS in page.inner_text("#bkg-hits")
        svg = page.evaluate("bkg.toSVG()")
        ET.fromstring(svg)  # well-formed: the label is escaped
        page.wait_for_timeout(300)
        assert page.evaluate("window.__bkg_pwned") is None
        assert page.evaluate("document.querySelectorAll('img, #bkg-panel script').length") == 0
    finally:
        visit.close()


def test_a_large_view_draws_its_edges_in_one_layer_that_hovers_and_clicks(browser, tmp_path):
    """Above views.EDGE_LAYER_ABOVE edges the page hands vis-network no edge objects (issue 11:
    the 10,000-node view) and draws, hovers and clicks the edges itself."""
    G = nx.barabasi_albert_graph(3000, 2, seed=8)
    for v in G:
        G.nodes[v].update(cls=("Country", "Program")[v % 2], label_ja=f"ノード{v}", years=[2000 + v % 20])
    for u, v in G.edges:
        G.edges[u, v].update(relation="partner", years=[2000 + (u + v) % 20])
    assert G.number_of_edges() > views.EDGE_LAYER_ABOVE
    visit = Visit(browser, views.write_view(views.build_view(G, max_nodes=None), tmp_path / "big.html").as_uri())
    page = visit.page
    try:
        assert page.evaluate("edges.length") == 0  # no vis-network edge objects
        # the longest shown edge on screen, its midpoint away from every node
        mid = page.evaluate("""() => {
            const dom = id => network.canvasToDOM(network.getPosition(id));
            const W = network.body.container.clientWidth, H = network.body.container.clientHeight;
            const pts = bkg.visibleIds().map(dom);
            let best = null;
            for (const e of bkg.shownEdges()) {
                const a = dom(e.from), b = dom(e.to), m = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
                if (m.x < 40 || m.y < 40 || m.x > W - 40 || m.y > H - 40) continue;
                const len = Math.hypot(a.x - b.x, a.y - b.y);
                if (len < 60 || pts.some(p => Math.hypot(p.x - m.x, p.y - m.y) < 14)) continue;
                if (!best || len > best.len) best = {len, x: m.x, y: m.y, id: e.id, from: e.from, to: e.to};
            }
            return best;
        }""")
        assert mid is not None
        drawn = page.evaluate("""([x, y]) => {
            const c = document.querySelector("#mynetwork canvas"), r = c.width / c.clientWidth;
            const d = c.getContext("2d").getImageData(Math.round(x * r) - 1, Math.round(y * r) - 1, 3, 3).data;
            let ink = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] < 240) ink++;
            return ink;
        }""", [mid["x"], mid["y"]])
        assert drawn > 0  # the edge is on the canvas
        box = page.locator("#mynetwork").bounding_box()
        page.mouse.move(box["x"] + mid["x"], box["y"] + mid["y"])
        page.wait_for_selector("#bkg-tip:not([hidden])", timeout=5_000)
        assert "partner" in page.inner_text("#bkg-tip")
        page.mouse.click(box["x"] + mid["x"], box["y"] + mid["y"])
        assert page.inner_text("#bkg-panel h2") == "partner"
        # the year filter hides edges of the layer as it hides vis-network's
        page.evaluate("bkg.setYears(2000, 2000)")
        assert all(page.evaluate("bkg.shownEdges().map(e => e.years.includes(2000))"))
    finally:
        visit.close()


def test_region_toggle_draws_a_cluster_behind_the_countries_of_one_region(graph_page):
    page = graph_page.page
    assert page.evaluate("bkg.regions()") == []  # off by default
    canvas = "document.querySelector('#mynetwork canvas').toDataURL()"
    before = page.evaluate(canvas)
    page.check("#bkg-regions")
    hulls = page.evaluate("bkg.regions()")
    # Kazakhstan and Kyrgyzstan are both Central Asia (UN M49); Japan is alone in Eastern Asia
    assert hulls == [{"region": "Central Asia", "name": "中央アジア",
                      "members": sorted([ID + "country/KAZ", ID + "country/KGZ"])}]
    assert page.evaluate(canvas) != before  # drawn
    svg = page.evaluate("bkg.toSVG()")
    root = ET.fromstring(svg)
    regions = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "region"]
    assert len(regions) == 1 and "中央アジア Central Asia" in "".join(regions[0].itertext())
    page.click("#bkg-legend li[data-class=Country]")  # hidden countries make no cluster
    assert page.evaluate("bkg.regions()") == []
