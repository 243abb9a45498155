"""Benchmark: filling a pyvis Network through add_node/add_edge vs kg.views' direct fill.

    .venv/bin/python bench/views.py [200 2000 10000]

Synthetic Barabási–Albert graphs (2 edges per new node). For each size it reports, side by side:
plain pyvis (``add_node`` + ``add_edge``, which scans every existing edge on each call), the data
fill alone as kg.views does it (``net.nodes``/``net.edges`` appended directly), and the whole of
``build_view`` (layout, tooltips, styles) with no node limit, plus the size of the page. Numbers
are printed, never asserted.
"""

from __future__ import annotations

import sys
import time

import networkx as nx
from pyvis.network import Network

from kg import views


def synthetic(n: int) -> nx.Graph:
    G = nx.barabasi_albert_graph(n, 2, seed=1)
    classes = list(views.NODE_STYLES)
    for v in G:
        G.nodes[v].update(cls=classes[v % len(classes)], label=f"ノード{v}", label_en=f"node {v}")
    for u, v in G.edges:
        G.edges[u, v]["relation"] = "participant"
    return G


def plain_pyvis(G: nx.Graph) -> float:
    t = time.perf_counter()
    net = Network(cdn_resources="in_line")
    for v, data in G.nodes(data=True):
        net.add_node(v, label=data["label"], title=data["label"], x=0, y=0)
    for u, v, data in G.edges(data=True):
        net.add_edge(u, v, label=data["relation"])
    return time.perf_counter() - t


def direct_fill(G: nx.Graph) -> float:
    t = time.perf_counter()
    net = Network(cdn_resources="in_line")
    net.nodes.extend({"id": v, "label": d["label"], "title": d["label"], "x": 0, "y": 0}
                     for v, d in G.nodes(data=True))
    net.node_ids.extend(G.nodes)
    net.edges.extend({"from": u, "to": v, "label": d["relation"]} for u, v, d in G.edges(data=True))
    return time.perf_counter() - t


def full_view(G: nx.Graph) -> tuple[float, float, int]:
    t = time.perf_counter()
    net = views.build_view(G, max_nodes=None)
    built = time.perf_counter() - t
    t = time.perf_counter()
    html = views.render_html(net)
    return built, time.perf_counter() - t, len(html.encode("utf-8"))


def main(sizes: list[int]) -> None:
    print(f"{'nodes':>7} {'edges':>7} {'pyvis add_*':>12} {'direct fill':>12} {'ratio':>8}"
          f" {'build_view':>11} {'render':>8} {'page MB':>8}")
    for n in sizes:
        G = synthetic(n)
        slow = plain_pyvis(G) if n <= 10_000 else float("nan")
        fast = direct_fill(G)
        built, rendered, size = full_view(G)
        print(f"{n:>7} {G.number_of_edges():>7} {slow:>11.3f}s {fast:>11.4f}s"
              f" {slow / fast:>7.0f}x {built:>10.2f}s {rendered:>7.2f}s {size / 1e6:>8.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200, 2000, 10000])
