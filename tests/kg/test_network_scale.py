"""kg.network at scale: the igraph engine gives networkx's answers, sampling is deterministic,
per-year country slices equal the old per-year computation. No timing is asserted here
(``bench/analyze.py`` measures).

What "the same" means, measure by measure:

* betweenness — exact on both engines, so equal to float rounding (1e-12); with ``k`` both
  engines sample the same sources (``random.Random(seed)``, as networkx does) and rescale as
  networkx >= 3.5 does, so equal too;
* eigenvector — networkx iterates until the L1 change is below ``n * tol`` (1e-6 by default),
  igraph solves with ARPACK: compared with networkx run at a tight tolerance, within 1e-8; with
  networkx's default tolerance (as ``bkg analyze`` runs it), within 1e-5 (the sample graph
  differs by 4e-6, the networkx side being the less precise);
* communities — both run Louvain with a seed, but visit the nodes in different orders, so a
  graph without a clear-cut structure may end in two different local optima (even the
  9-node sample graph has two). Where the structure is unambiguous (cliques joined by single
  edges, planted partitions) the partitions must be identical; elsewhere the igraph
  partition must cover every node once and be at least as good (modularity not below
  networkx's by more than 0.01) and close (within 0.05).
"""

from __future__ import annotations

import csv
import json
import random
from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest

from kg import network as kn

pytest.importorskip("igraph")

TRIG = (Path(__file__).parent / "network_sample.trig").read_text(encoding="utf-8")
NX_35 = tuple(int(x) for x in nx.__version__.split(".")[:2]) >= (3, 5)


def _graphs() -> dict[str, nx.Graph]:
    disconnected = nx.union(nx.karate_club_graph(), nx.path_graph(5), rename=("k", "p"))
    disconnected.add_node("lonely")
    return {
        "karate": nx.karate_club_graph(),
        "les_miserables": nx.les_miserables_graph(),
        "florentine": nx.florentine_families_graph(),
        "barbell": nx.barbell_graph(6, 2),
        "grid": nx.grid_2d_graph(6, 7),
        "tree": nx.balanced_tree(3, 3),
        "disconnected": disconnected,
        "random": nx.gnm_random_graph(120, 260, seed=5),
    }


GRAPHS = _graphs()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    (folder / "kg.trig").write_text(TRIG, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sample_graph(sample) -> nx.MultiDiGraph:
    return kn.entity_graph(sample)


def synthetic_entity_graph(seed: int = 0, *, countries: int = 12, initiatives: int = 300,
                           years: range = range(1995, 2011)) -> nx.MultiDiGraph:
    """An entity graph shaped like :func:`kg.network.entity_graph`'s: countries, their
    organizations and persons, agreements/meetings/programs over several years (some
    undated), joined directly or through an organization, and visits."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    cs = [f"c/{i:02d}" for i in range(countries)]
    for c in cs:
        G.add_node(c, cls="Country", label=c.upper(), years=[])
    orgs = [f"o/{i}" for i in range(countries * 2)]
    for i, o in enumerate(orgs):
        G.add_node(o, cls="Organization", label=f"org {i}", years=[])
        G.add_edge(o, cs[i % countries], key="country", relation="country")
    people = [f"p/{i}" for i in range(countries)]
    for i, p in enumerate(people):
        G.add_node(p, cls="Person", label=f"person {i}", years=[])
        G.add_edge(p, cs[(i * 5) % countries], key="country", relation="country")
    for i in range(initiatives):
        cls = ("Agreement", "Meeting", "Program")[i % 3]
        n = f"{cls.lower()}/{i}"
        spread = rng.choice((0, 1, 1, 1, 2, 3))
        first = rng.choice(years)
        G.add_node(n, cls=cls, label=f"{cls} {i}",
                   years=sorted({first + d for d in range(spread)}))
        for c in rng.sample(cs, rng.choice((1, 2, 2, 3, 5))):
            rel = "party" if cls == "Agreement" else "participant"
            G.add_edge(n, c, key=rel, relation=rel)
        if rng.random() < 0.4:
            G.add_edge(n, rng.choice(orgs), key="implementedBy", relation="implementedBy")
    for i in range(initiatives // 5):
        v = f"visit/{i}"
        G.add_node(v, cls="Visit", label=f"visit {i}", years=[rng.choice(years)])
        G.add_edge(v, rng.choice(people), key="visitor", relation="visitor")
        G.add_edge(v, rng.choice(cs), key="destination", relation="destination")
    return G


def reference_country_graph(G: nx.MultiDiGraph, year=None, visits: bool = False) -> nx.Graph:
    """The per-year computation as it was before the one-pass slices (one pass per year)."""
    C = nx.Graph()
    for n, data in G.nodes(data=True):
        if data.get("cls") == "Country":
            C.add_node(n, **kn._node_summary(data))
    kinds = {"Agreement": "agreements", "Meeting": "meetings", "Program": "programs"}
    if visits:
        kinds["Visit"] = "visits"
    for n, data in G.nodes(data=True):
        kind = kinds.get(data.get("cls", ""))
        if kind is None:
            continue
        years = data.get("years") or []
        if year is not None and year not in years:
            continue
        members = kn._visit_countries(G, n) if kind == "visits" else set(kn.countries_of(G, n))
        for a, b in combinations(sorted(members), 2):
            if not C.has_edge(a, b):
                C.add_edge(a, b, weight=0, **{k: [] for k in kinds.values()}, labels={}, years=[])
            edge = C[a][b]
            edge[kind].append(n)
            edge["labels"][n] = data.get("label", kn._local(n))
            edge["years"] = sorted(set(edge["years"]) | set(years))
            edge["weight"] += 1
    for _, _, edge in C.edges(data=True):
        for kind in kinds.values():
            edge[kind].sort()
    return C


def reference_by_year_rows(G: nx.MultiDiGraph) -> list[list[str]]:
    """``country_edges_by_year.csv`` as the old analyze wrote it: a country graph per year."""
    label = {n: d.get("label", n) for n, d in G.nodes(data=True)}
    kinds = ["agreements", "meetings", "programs"]
    C = reference_country_graph(G)
    rows = []
    for y in sorted({y for _, _, d in C.edges(data=True) for y in d["years"]}):
        graph = reference_country_graph(G, year=y)
        for u, v, d in sorted(graph.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1])):
            u, v = sorted((u, v))
            rows.append([str(x) for x in (y, u, v, label[u], label[v], d["weight"])]
                        + [" | ".join(d["labels"][i] for i in d[k]) for k in kinds])
    return rows


def _read(folder: Path, name: str) -> bytes:
    return (folder / "analysis" / name).read_bytes()


FILES = ("centrality.csv", "communities.json", "country_pairs.csv", "country_edges_by_year.csv",
         "summary.json")


# --- choosing the engine --------------------------------------------------------------------


def test_choose_engine_by_size_and_by_name():
    assert kn.choose_engine(nx.path_graph(10)) == "networkx"
    assert kn.choose_engine(nx.empty_graph(kn.IGRAPH_MIN_NODES)) == "igraph"
    dense = nx.gnm_random_graph(200, kn.IGRAPH_MIN_EDGES, seed=1)
    assert kn.choose_engine(dense) == "igraph"
    assert kn.choose_engine(nx.empty_graph(kn.IGRAPH_MIN_NODES), "networkx") == "networkx"
    assert kn.choose_engine(nx.path_graph(3), "igraph") == "igraph"
    with pytest.raises(ValueError, match="engine must be one of"):
        kn.choose_engine(nx.path_graph(3), "graph-tool")


def test_default_k_exact_on_small_graphs_sampled_on_large():
    assert kn.default_k(nx.empty_graph(kn.EXACT_BETWEENNESS_MAX_NODES)) is None
    assert kn.default_k(nx.empty_graph(kn.EXACT_BETWEENNESS_MAX_NODES + 1)) == kn.DEFAULT_K


# --- measures: igraph against networkx -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_exact_betweenness_igraph_equals_networkx(name):
    G = GRAPHS[name]
    expected = kn.betweenness(G, engine="networkx")
    got = kn.betweenness(G, engine="igraph")
    assert list(got) == list(expected)
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.skipif(not NX_35, reason="networkx < 3.5 rescales sampled betweenness otherwise")
@pytest.mark.parametrize("name", ["karate", "les_miserables", "grid", "disconnected", "random"])
@pytest.mark.parametrize("k, seed", [(5, 0), (12, 7)])
def test_sampled_betweenness_same_on_both_engines(name, k, seed):
    G = GRAPHS[name]
    expected = kn.betweenness(G, k=k, seed=seed, engine="networkx")
    got = kn.betweenness(G, k=k, seed=seed, engine="igraph")
    assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("engine", ["networkx", "igraph"])
def test_sampled_betweenness_is_deterministic(engine):
    G = GRAPHS["random"]
    first = kn.betweenness(G, k=20, seed=3, engine=engine)
    assert kn.betweenness(G, k=20, seed=3, engine=engine) == first
    assert kn.betweenness(G, k=20, seed=4, engine=engine) != first  # the seed matters
    assert kn.betweenness(G, k=len(G), engine=engine) == kn.betweenness(G, engine=engine)


def test_sampling_leaves_the_global_random_state_alone():
    random.seed(11)
    expected = random.random()
    random.seed(11)
    kn.betweenness(GRAPHS["karate"], k=5, engine="igraph")
    kn.communities(GRAPHS["karate"], engine="igraph")
    assert random.random() == expected


@pytest.mark.parametrize("weight", ["weight", None])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_eigenvector_igraph_close_to_networkx(name, weight):
    G = GRAPHS[name]
    expected = kn.eigenvector(G, weight=weight, tol=1e-12, max_iter=100_000, engine="networkx")
    got = kn.eigenvector(G, weight=weight, engine="igraph")
    assert list(got) == list(expected)
    assert got == pytest.approx(expected, abs=1e-8)


def test_eigenvector_igraph_on_islands_and_empty_graphs():
    G = GRAPHS["disconnected"]
    eig = kn.eigenvector(G, engine="igraph")
    assert eig["lonely"] == 0.0 and eig["k0"] > eig["p2"] > 0
    assert kn.eigenvector(nx.Graph(), engine="igraph") == {}
    assert kn.eigenvector(nx.empty_graph(3), engine="igraph") == {0: 0.0, 1: 0.0, 2: 0.0}


@pytest.mark.parametrize(
    "G",
    [nx.barbell_graph(6, 2), nx.ring_of_cliques(6, 5),
     nx.planted_partition_graph(4, 12, 0.9, 0.01, seed=7), nx.florentine_families_graph()],
    ids=["barbell", "ring_of_cliques", "planted", "florentine"],
)
def test_communities_identical_where_the_structure_is_clear(G):
    assert kn.communities(G, engine="igraph") == kn.communities(G, engine="networkx")


def _as_good(G: nx.Graph, nx_parts: list[set], ig_parts: list[set], weight="weight") -> None:
    assert set().union(*ig_parts) == set(G) and sum(map(len, ig_parts)) == len(G)
    q_nx = nx.community.modularity(G, nx_parts, weight=weight)
    q_ig = nx.community.modularity(G, ig_parts, weight=weight)
    assert q_ig >= q_nx - 0.01 and abs(q_ig - q_nx) <= 0.05


@pytest.mark.parametrize("weight", ["weight", None])
@pytest.mark.parametrize("name", ["karate", "les_miserables", "random", "disconnected"])
def test_communities_igraph_as_good_as_networkx(name, weight):
    G = GRAPHS[name]
    _as_good(G, kn.communities(G, weight=weight, engine="networkx"),
             kn.communities(G, weight=weight, engine="igraph"), weight)


def test_communities_igraph_deterministic_for_a_seed():
    G = GRAPHS["les_miserables"]
    first = kn.communities(G, engine="igraph", seed=1)
    assert kn.communities(G, engine="igraph", seed=1) == first
    assert [len(c) for c in first] == sorted((len(c) for c in first), reverse=True)


def test_sample_graph_measures_agree(sample_graph):
    H = kn._simple(sample_graph)
    assert kn.betweenness(H, engine="igraph") == pytest.approx(kn.betweenness(H), abs=1e-12)
    assert kn.eigenvector(H, engine="igraph") == pytest.approx(kn.eigenvector(H), abs=1e-5)
    _as_good(H, kn.communities(H), kn.communities(H, engine="igraph"))


# --- projection -----------------------------------------------------------------------------


def test_lean_projection_keeps_what_the_measures_read(sample, sample_graph):
    lean = kn.entity_graph(sample, details=False)
    assert list(lean.nodes) == list(sample_graph.nodes)
    assert list(lean.edges(keys=True)) == list(sample_graph.edges(keys=True))
    for n, data in sample_graph.nodes(data=True):
        for key in ("iri", "cls", "label", "label_ja", "label_en", "iso3", "years", "dates"):
            assert lean.nodes[n].get(key) == data.get(key), (n, key)
        assert "passages" not in lean.nodes[n]


def test_lean_projection_co_mentions(sample):
    full = kn.entity_graph(sample, co_mention=True)
    lean = kn.entity_graph(sample, co_mention=True, details=False)

    def co(G):
        return sorted((u, v, d["weight"]) for u, v, k, d in G.edges(keys=True, data=True)
                      if k == "co-mention")

    assert co(lean) == co(full) and co(full)


# --- per-year country slices ----------------------------------------------------------------


def _same_graph(A: nx.Graph, B: nx.Graph) -> None:
    assert list(A.nodes(data=True)) == list(B.nodes(data=True))
    assert list(A.edges(data=True)) == list(B.edges(data=True))


@pytest.mark.parametrize("visits", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_per_year_slices_equal_the_old_per_year_graphs(seed, visits):
    G = synthetic_entity_graph(seed)
    slices = kn.country_graphs_by_year(G, visits=visits)
    whole = reference_country_graph(G, visits=visits)
    years = sorted({y for _, _, d in whole.edges(data=True) for y in d["years"]})
    assert list(slices) == years and len(years) > 5
    for y in years:
        _same_graph(slices[y], reference_country_graph(G, year=y, visits=visits))
        _same_graph(kn.country_graph(G, year=y, visits=visits),
                    reference_country_graph(G, year=y, visits=visits))
    _same_graph(kn.country_graph(G, visits=visits), whole)


def test_per_year_slices_on_the_sample(sample_graph):
    slices = kn.country_graphs_by_year(sample_graph)
    assert list(slices) == [2022, 2023]
    for y, C in slices.items():
        _same_graph(C, reference_country_graph(sample_graph, year=y))


@pytest.mark.parametrize("source", ["sample", "synthetic"])
def test_analyze_by_year_table_equals_the_old_one(source, sample, sample_graph, tmp_path):
    G = sample_graph if source == "sample" else synthetic_entity_graph(3)
    kn.analyze(G, tmp_path)
    with (tmp_path / "analysis" / "country_edges_by_year.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "year"
    assert rows[1:] == reference_by_year_rows(G)


# --- analyze and the command line -----------------------------------------------------------


def test_analyze_engines_agree_on_the_sample(sample, tmp_path):
    a, b = tmp_path / "nx", tmp_path / "ig"
    sa = kn.analyze(sample, a, engine="networkx")
    sb = kn.analyze(sample, b, engine="igraph")
    assert (sa["measures"]["engine"], sb["measures"]["engine"]) == ("networkx", "igraph")
    for name in ("country_pairs.csv", "country_edges_by_year.csv"):
        assert _read(a, name) == _read(b, name), name
    ra = list(csv.DictReader((a / "analysis" / "centrality.csv").open(encoding="utf-8")))
    rb = list(csv.DictReader((b / "analysis" / "centrality.csv").open(encoding="utf-8")))
    assert [r["iri"] for r in ra] == [r["iri"] for r in rb]  # ordered by betweenness
    for x, y in zip(ra, rb):
        assert (x["degree"], x["weighted_degree"], x["betweenness"]) == (
            y["degree"], y["weighted_degree"], y["betweenness"])
        assert float(x["eigenvector"]) == pytest.approx(float(y["eigenvector"]), abs=1e-5)
    G = kn._simple(kn.entity_graph(sample))

    def parts(folder: Path) -> list[set]:
        found = json.loads(_read(folder, "communities.json"))
        return [{m["iri"] for m in c["members"]} for c in found]

    _as_good(G, parts(a), parts(b))


def test_analyze_auto_uses_igraph_and_samples_on_a_large_graph(tmp_path, monkeypatch):
    G = synthetic_entity_graph(2, countries=20, initiatives=900)
    assert kn.choose_engine(kn._simple(G)) == "igraph"
    monkeypatch.setattr(kn, "EXACT_BETWEENNESS_MAX_NODES", 500)
    summary = kn.analyze(G, tmp_path)
    assert summary["measures"] == {"engine": "igraph", "betweenness_sources": kn.DEFAULT_K,
                                   "betweenness_seed": 0}
    first = {name: _read(tmp_path, name) for name in FILES}
    kn.analyze(G, tmp_path)
    assert {name: _read(tmp_path, name) for name in FILES} == first  # byte for byte


@pytest.mark.parametrize("engine", ["networkx", "igraph"])
def test_analyze_with_k_is_deterministic(sample, tmp_path, engine):
    summary = kn.analyze(sample, tmp_path / "one", engine=engine, k=4)
    assert summary["measures"]["betweenness_sources"] == 4
    kn.analyze(sample, tmp_path / "two", engine=engine, k=4)
    for name in FILES:
        assert _read(tmp_path / "one", name) == _read(tmp_path / "two", name), name
    exact = kn.analyze(sample, tmp_path / "exact", engine=engine, k=0)
    assert exact["measures"]["betweenness_sources"] == "all"


def test_cli_engine_and_k(sample, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["analyze", str(sample), "--engine", "igraph", "--k", "4"])
    assert result.exit_code == 0, result.output
    assert "engine: igraph; betweenness: 4 sampled sources" in result.output
    summary = json.loads((sample / "analysis" / "summary.json").read_text(encoding="utf-8"))
    assert summary["measures"]["engine"] == "igraph"
    result = runner.invoke(app, ["analyze", str(sample), "--engine", "networkx"])
    assert result.exit_code == 0 and "engine: networkx; betweenness: exact" in result.output
    assert runner.invoke(app, ["analyze", str(sample), "--engine", "spark"]).exit_code == 2
    assert runner.invoke(app, ["analyze", str(sample), "--k", "1"]).exit_code == 2
    assert runner.invoke(app, ["analyze", str(sample), "--k", "-3"]).exit_code == 2
