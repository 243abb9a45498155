"""kg.views: what the pyvis Network holds and what the written page contains (no browser)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from pyvis.network import Network

from kg import network as kn
from kg import views

ID = "https://w3id.org/bilateral-kg/id/"
JPN, KAZ, JICA = ID + "country/JPN", ID + "country/KAZ", ID + "organization/jica"
TRIG = (Path(__file__).parent / "network_sample.trig").read_text(encoding="utf-8")

XSS_LABEL = "<script>window.__bkg_pwned = 1; alert(1)</script>協定"
XSS_TEXT = '<img src=x onerror="window.__bkg_pwned = 2; alert(2)">本文</p>'

# URLs the inlined vis-network bundle carries in its licence header and as the SVG namespace:
# text, never fetched.
INERT_URLS = {
    "http://almende.com",
    "http://opensource.org/licenses/MIT",
    "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg",
    "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs",
    "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE",
    "https://visjs.github.io/vis-network/",
}


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    ds = rdflib.Dataset()
    ds.parse(data=TRIG, format="trig")
    return kn.entity_graph(ds)


def hostile_graph() -> nx.MultiDiGraph:
    """A tiny entity graph whose label and passage try to run script."""
    H = nx.MultiDiGraph()
    H.add_node("c", cls="Country", label="日本", label_ja="日本", label_en="Japan", years=[2023])
    H.add_node(
        "a", cls="Agreement", label=XSS_LABEL, label_ja=XSS_LABEL, years=[2023],
        dates={"date": ["2023-07-06"]},
        passages=[{"doc": XSS_LABEL, "paragraph": "1", "text": XSS_TEXT, "start": 0}],
        docs=[XSS_LABEL],
    )
    H.add_edge("a", "c", key="party", relation="party")
    return H


def data_block(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="bkg-data">(.*?)</script>', html, re.DOTALL)
    assert m, "no data block"
    return views.expand_page_data(json.loads(m.group(1)))


def test_build_view_returns_a_pyvis_network(G):
    net = views.build_view(G)
    assert isinstance(net, Network)
    assert len(net.nodes) == G.number_of_nodes() == 9
    assert len(net.edges) == G.number_of_edges()
    assert net.options["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in net.nodes)


def test_nodes_styled_by_class_with_labels_and_tooltips(G):
    net = views.build_view(G)
    by_id = {n["id"]: n for n in net.nodes}
    jpn, jica = by_id[JPN], by_id[JICA]
    assert jpn["color"] == views.NODE_STYLES["Country"].color
    assert jica["shape"] == views.NODE_STYLES["Organization"].shape
    assert jpn["label"] == "日本\nJapan"
    assert jpn["size"] > by_id[ID + "person/japarov"]["size"]  # sized by degree
    facts = dict(map(tuple, by_id[ID + "agreement/jcm"]["tip"]["facts"]))
    assert facts["date"] == "2023-07-06" and "キルギス" in facts["party"]
    passage = by_id[ID + "agreement/jcm"]["tip"]["passages"][0]
    assert passage[0] == "日キルギス共同声明" and passage[1] == "5"
    assert {e["label"] for e in net.edges} >= {"party", "participant", "implementedBy"}
    assert dict(net.legend)["Country"] == 3


def test_filters_focus_years_classes(G):
    focused = views.build_view(G, focus="JICA")
    assert {n["id"] for n in focused.nodes} == {JICA, JPN, ID + "program/ovop"}
    only = views.build_view(G, classes="Country,Program")
    assert {n["cls"] for n in only.nodes} == {"Country", "Program"}
    y2022 = views.build_view(G, years="2022-2022")
    assert ID + "agreement/jcm" not in {n["id"] for n in y2022.nodes}  # dated 2023
    assert ID + "meeting/m9" in {n["id"] for n in y2022.nodes}
    assert any("2022" in note for note in y2022.notes)
    with pytest.raises(ValueError):
        views.build_view(G, classes="Countries")
    with pytest.raises(kn.EntityNotFoundError):
        views.build_view(G, focus="Atlantis")


def test_country_and_bipartite_projections(G):
    C = views.build_view(kn.country_graph(G))
    edge = next(e for e in C.edges if {e["from"], e["to"]} == {JPN, KAZ})
    assert edge["label"] == "2" and any(f[0] == "programs" for f in edge["tip"]["facts"])
    B = views.build_view(kn.country_initiative_graph(G))
    assert {n["cls"] for n in B.nodes} == {"Country", "Agreement", "Meeting", "Program"}


def test_large_graph_is_cut_down_with_a_visible_note(tmp_path):
    big = nx.barabasi_albert_graph(1200, 2, seed=1)
    nx.set_node_attributes(big, "Organization", "cls")
    net = views.build_view(big, max_nodes=300)
    assert len(net.nodes) == 300
    assert 0 in {n["id"] for n in net.nodes} or "0" in {n["id"] for n in net.nodes}  # the hub
    page = views.write_view(net, tmp_path / "big.html").read_text(encoding="utf-8")
    assert 'class="bkg-note">Showing the 300 most connected of 1,200 nodes' in page


def test_large_graph_without_cut_gets_positions():
    big = nx.barabasi_albert_graph(900, 1, seed=2)
    net = views.build_view(big, max_nodes=None)
    assert len(net.nodes) == 900 and len({(n["x"], n["y"]) for n in net.nodes}) > 800


def test_page_has_no_external_references(G, tmp_path):
    html = views.write_view(views.build_view(G), tmp_path / "g.html").read_text(encoding="utf-8")
    # nothing that a browser would fetch
    fetching = r"""(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?//"""
    assert not re.search(fetching, html, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"@import", html, re.IGNORECASE)
    assert "bootstrap" not in html.lower()
    # every URL left is either an inert string of the vis bundle or an IRI in the graph data
    data_text = re.search(r'id="bkg-data">(.*?)</script>', html, re.DOTALL).group(1)
    outside = html.replace(data_text, "")
    leftovers = set(re.findall(r"https?://[^\s\"'<>)\\]+", outside)) - INERT_URLS
    assert leftovers == set()
    for url in re.findall(r"https?://[^\s\"'<>)\\]+", data_text):
        assert url.startswith("https://w3id.org/bilateral-kg/"), url


def test_document_text_is_never_markup(tmp_path):
    html = views.write_view(views.build_view(hostile_graph()), tmp_path / "x.html").read_text(
        encoding="utf-8"
    )
    assert "<script>window.__bkg_pwned" not in html
    assert "<img src=x" not in html
    data = data_block(html)  # the JSON still round-trips to the original text
    node = next(n for n in data["nodes"] if n["id"] == "a")
    assert node["label"] == XSS_LABEL and node["tip"]["passages"][0][2] == XSS_TEXT.replace(
        "  ", " ")


def test_heading_and_notes_are_escaped(tmp_path):
    net = views.build_view(hostile_graph(), heading="<b>見出し</b>")
    net.notes.append("<script>alert(3)</script>")
    html = views.render_html(net)
    assert "&lt;b&gt;見出し&lt;/b&gt;" in html
    assert "<script>alert(3)" not in html


def test_write_view_is_atomic(tmp_path, G):
    target = tmp_path / "sub" / "graph.html"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    views.write_view(views.build_view(G), target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["graph.html"]


def test_pyvis_write_html_uses_the_same_page(G, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = views.build_view(G)
    net.write_html("plain.html")
    assert (tmp_path / "plain.html").read_text(encoding="utf-8") == views.render_html(net)
    assert not (tmp_path / "lib").exists()


def test_parse_years_rejects_nonsense():
    with pytest.raises(ValueError):
        views.parse_years("last year")
    assert views.parse_years("2022-") == (2022, 9999)


def test_render_store_from_a_build_folder(tmp_path):
    import gc

    import pyoxigraph as ox

    store = ox.Store(str(tmp_path / "store"))
    store.load(TRIG.encode(), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    gc.collect()
    html = views.render_store(tmp_path)
    assert len(data_block(html)["nodes"]) == 9


# --- issue 13: the default view, layout, style table, provenance ---------------------------


def test_render_store_is_the_overview_with_people_hidden():
    ds = rdflib.Dataset()
    ds.parse(data=TRIG, format="trig")
    data = data_block(views.render_store(ds))
    hidden = {n["id"] for n in data["nodes"] if n.get("hidden")}
    assert hidden == {JICA, ID + "person/japarov", ID + "visit/v1"}
    assert data["hiddenClasses"] == ["Organization", "Person", "Visit"]
    assert data["years"] == [2022, 2023]
    # the program reaches Japan only through JICA: the overview says so with an edge of its own
    via = [e for e in data["edges"] if e["relation"] == "implementedBy (via)"]
    assert [(e["from"], e["to"]) for e in via] == [(ID + "program/ovop", JPN)]
    assert ["via", "国際協力機構"] in via[0]["tip"]["facts"] and via[0]["dashes"] is True
    # the most connected shown node first: labels are drawn in rank order
    ranked = sorted(data["nodes"], key=lambda n: n["rank"])
    assert ranked[0]["id"] == JPN and all(not n.get("hidden") for n in ranked[:6])


def test_same_graph_same_positions_and_bytes(G):
    one, two = views.build_view(G), views.build_view(G)
    assert [(n["id"], n["x"], n["y"]) for n in one.nodes] == [(n["id"], n["x"], n["y"])
                                                             for n in two.nodes]
    assert views.render_html(one) == views.render_html(two)
    big = nx.barabasi_albert_graph(1500, 2, seed=4)  # the igraph layout
    a, b = views.build_view(big, max_nodes=None), views.build_view(big, max_nodes=None)
    assert [(n["x"], n["y"]) for n in a.nodes] == [(n["x"], n["y"]) for n in b.nodes]
    assert len({(n["x"], n["y"]) for n in a.nodes}) > 1400


def test_ten_thousand_nodes_are_laid_out_in_ten_seconds():
    import time

    big = views._undirected(nx.barabasi_albert_graph(10_000, 2, seed=1))
    start = time.perf_counter()
    pos, approximate = views._layout(big, 7)
    assert time.perf_counter() - start <= 10 and not approximate
    assert len(pos) == 10_000 and len(set(pos.values())) > 9_900


def test_hidden_classes_are_placed_around_their_neighbours(G):
    net = views.build_view(G, hidden_classes=views.OVERVIEW_HIDDEN)
    by_id = {n["id"]: n for n in net.nodes}
    jica, jpn = by_id[JICA], by_id[JPN]
    assert jica["hidden"] and not by_id[JPN].get("hidden")
    near = min(math.dist((jica["x"], jica["y"]), (n["x"], n["y"]))
               for n in net.nodes if n["id"] in (JPN, ID + "program/ovop"))
    assert near < 120  # next to what it attaches to, not somewhere else
    assert jpn["size"] > jica["size"]


def test_one_style_table_for_nodes_and_legend(G):
    net = views.build_view(G)
    for n in net.nodes:
        style = views.NODE_STYLES[n["cls"]]
        assert (n["color"], n["shape"]) == (style.color, style.shape) and n["size"] >= style.size
    data = data_block(views.render_html(net))
    assert data["styles"]["Country"] == {"color": "#e15759", "shape": "dot", "size": 14.0,
                                         "name_ja": "国"}
    assert data["legend"] == ["Country", "Program", "Agreement", "Meeting", "Person",
                              "Organization", "Visit"]


def test_nodes_carry_both_languages_and_aliases(G):
    by_id = {n["id"]: n for n in views.build_view(G).nodes}
    assert (by_id[JICA]["ja"], by_id[JICA]["en"]) == (
        "国際協力機構", "Japan International Cooperation Agency")
    assert "JICA" in by_id[JICA]["aliases"] and by_id[JPN]["iso3"] == "JPN"
    assert by_id[ID + "agreement/jcm"]["years"] == [2023]


def test_edges_carry_the_passages_behind_them(G):
    net = views.build_view(G)
    party = next(e for e in net.edges if e["relation"] == "party" and e["to"] == KAZ.replace(
        "KAZ", "KGZ"))
    assert party["tip"]["passages"][0][:2] == ["日キルギス共同声明", "5"]
    assert "署名された協力覚書" in party["tip"]["passages"][0][2]
    impl = next(e for e in net.edges if e["relation"] == "implementedBy")
    assert impl["tip"]["passages"][0][2] == "JICAが実施する一村一品運動を歓迎した。"


def test_document_sources_go_with_the_quoted_passages():
    ds = rdflib.Dataset()
    ds.parse(data=TRIG, format="trig")
    g = ds.graph(rdflib.URIRef("https://w3id.org/bilateral-kg/graph/d1"))
    g.add((rdflib.URIRef(ID + "doc1"), rdflib.DCTERMS.source, rdflib.Literal("mofa/kgz.html")))
    assert views.document_sources(ds) == {"日キルギス共同声明": "mofa/kgz.html"}
    data = data_block(views.render_store(ds))
    jcm = next(n for n in data["nodes"] if n["id"] == ID + "agreement/jcm")
    assert jcm["tip"]["passages"][0] == [
        "日キルギス共同声明", "5", "両首脳は、2023年7月6日に署名された協力覚書を歓迎した。", "mofa/kgz.html"]


def test_a_plain_pyvis_network_renders_too():
    net = Network()
    net.add_node("x", label="東京")
    net.add_node("y", label="Tokyo")
    net.add_edge("x", "y")
    data = data_block(views.render_html(net))
    assert [n["ja"] for n in data["nodes"]] == ["東京", "Tokyo"]
    assert data["legend"] == ["Other"]


def test_positions_do_not_depend_on_the_hash_seed():
    """Sets and subgraph views iterate in hash order; the layout must not (issue 13: 0 of 85
    nodes kept their place between two runs)."""
    import subprocess
    import sys

    script = (
        "import json, networkx as nx\n"
        "from kg import views\n"
        "G = nx.relabel_nodes(nx.barabasi_albert_graph(60, 1, seed=3), lambda v: f'n{v}')\n"
        "G.add_edges_from([('x1', 'x2'), ('x2', 'x3'), ('y1', 'y2')])\n"
        "nx.set_node_attributes(G, 'Program', 'cls')\n"
        "G.nodes['n0']['cls'] = 'Person'\n"
        "net = views.build_view(G, classes='Program,Person', hidden_classes='Person')\n"
        "print(json.dumps(sorted((n['id'], n['x'], n['y']) for n in net.nodes)))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", script], env={"PYTHONHASHSEED": seed},
                           check=True, capture_output=True, text=True).stdout
            for seed in ("1", "2", "3")]
    assert runs[0] == runs[1] == runs[2] and len(json.loads(runs[0])) == 65


# --- issue 11: the page's data leaves out what the page can derive ---------------------------


def _raw_block(html: str) -> dict:
    return json.loads(re.search(r'id="bkg-data">(.*?)</script>', html, re.DOTALL).group(1))


@pytest.mark.parametrize("make", ["entity", "hostile", "store", "country", "large"])
def test_page_data_expands_to_exactly_the_views_nodes_and_edges(G, make):
    if make == "entity":
        net = views.build_view(G)
    elif make == "hostile":
        net = views.build_view(hostile_graph())
    elif make == "store":
        ds = rdflib.Dataset()
        ds.parse(data=(Path(__file__).parent / "sample_kg.trig").read_text(encoding="utf-8"), format="trig")
        net = views.overview_view(views.entity_graph(ds))
    elif make == "country":
        from kg.network import country_graph

        ds = rdflib.Dataset()
        ds.parse(data=TRIG, format="trig")
        net = views.build_view(country_graph(ds))
    else:  # above the edge-label threshold: edges carry no label at all
        big = nx.barabasi_albert_graph(2500, 2, seed=5)
        nx.set_node_attributes(big, {v: f"ノード{v}" for v in big}, "label")
        net = views.build_view(big, max_nodes=None)
    raw = _raw_block(views.render_html(net))
    assert raw["format"] == 2
    whole = views.expand_page_data(raw)
    assert whole["nodes"] == json.loads(json.dumps(net.nodes))
    assert whole["edges"] == json.loads(json.dumps(net.edges))


def test_page_data_states_a_shared_passage_once(G):
    net = views.build_view(G)
    raw = _raw_block(views.render_html(net))
    rows = [json.dumps(p, ensure_ascii=False) for p in raw["passages"]]
    assert len(rows) == len(set(rows))  # each quoted passage once, referred to by position
    quoted = [p for n in net.nodes for p in n["tip"]["passages"]] + [
        p for e in net.edges for p in e["tip"]["passages"]]
    assert len(quoted) > len(raw["passages"])  # shared by several nodes and edges
    big = nx.barabasi_albert_graph(10_000, 2, seed=1)
    html = views.render_html(views.build_view(big, max_nodes=None))
    assert len(html.encode("utf-8")) < 3_000_000  # issue 11: the 10k-node view ≤ 3 MB


def test_a_persons_english_role_is_in_its_tooltip():
    ds = rdflib.Dataset()
    ds.parse(data=TRIG, format="trig")
    g = ds.graph(rdflib.URIRef("https://w3id.org/bilateral-kg/graph/d1"))
    person = rdflib.URIRef(ID + "person/japarov")
    g.add((person, rdflib.URIRef("https://w3id.org/bilateral-kg/ontology#roleEnglish"),
           rdflib.Literal("President", lang="en")))
    data = data_block(views.render_store(ds))
    node = next(n for n in data["nodes"] if n["id"] == str(person))
    facts = node["tip"]["facts"]
    assert ["role", "大統領"] in facts and ["role (English)", "President"] in facts
