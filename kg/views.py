"""Interactive HTML views of the knowledge graph, built with pyvis (kept behind this module).

:func:`build_view` turns a NetworkX projection (:mod:`kg.network`) into a pyvis ``Network``
whose page is self-contained: vis-network (the bundle pyvis ships) is inlined with this
module's own script and style (``kg/static/view/``), the page makes no network request, node
positions are computed beforehand — seeded, so two builds place every node alike — and physics
is off, so large graphs do not freeze the browser. :func:`write_view` writes it atomically;
:func:`export_image` renders the same page headlessly to PNG or SVG.

:func:`overview_view` is what ``graph.html`` opens on: countries and the agreements, meetings
and programs that tie them, with persons, organizations and visits in the page but hidden until
asked for (the legend, the "persons & organizations" box, or a double click on a node).

The page draws its own labels, at a constant screen size, most connected nodes first, each only
where it overlaps no label already drawn; zooming in makes room for more. Edge relations are
shown on hover; a click opens a side panel with the facts, the quoted passages (document title,
paragraph, source) and the neighbours.

Every text shown comes from documents, so none of it is ever parsed as HTML: the graph data
travel as JSON in a ``<script type="application/json">`` block (with ``<``, ``>`` and ``&``
escaped), node and edge labels are drawn on the canvas, tooltips are built as DOM elements
with ``textContent``, and the headings, notes and legend are escaped by Jinja2.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment
from markupsafe import Markup
from pyvis.network import Network

from kg.network import INITIATIVE_CLASSES, as_store, countries_of, entity_graph, resolve_entity

__all__ = [
    "DEFAULT_STYLE",
    "MAX_NODES",
    "NODE_STYLES",
    "OVERVIEW_HIDDEN",
    "KGNetwork",
    "NodeStyle",
    "build_view",
    "country_regions",
    "document_sources",
    "expand_page_data",
    "export_image",
    "overview_graph",
    "overview_view",
    "pack_page_data",
    "parse_classes",
    "parse_years",
    "render_html",
    "render_store",
    "write_view",
]


@dataclass(frozen=True)
class NodeStyle:
    """How one class of node is drawn: vis.js ``shape``, fill ``color``, legend ``symbol``,
    Japanese ``name_ja`` and base ``size`` (grown by degree)."""

    color: str
    shape: str
    symbol: str
    name_ja: str
    size: float = 8.0


#: Node styles, keyed by class (the ``cls`` node attribute).
NODE_STYLES: dict[str, NodeStyle] = {
    "Country": NodeStyle("#e15759", "dot", "●", "国", 14.0),
    "Program": NodeStyle("#76b7b2", "hexagon", "⬢", "プログラム", 10.0),
    "Agreement": NodeStyle("#59a14f", "diamond", "◆", "合意文書", 10.0),
    "Meeting": NodeStyle("#b07aa1", "star", "★", "会議", 10.0),
    "Person": NodeStyle("#4e79a7", "triangle", "▲", "人物", 7.0),
    "Organization": NodeStyle("#f28e2b", "square", "■", "組織", 7.0),
    "Visit": NodeStyle("#edc948", "triangleDown", "▼", "訪問", 6.0),
    "Place": NodeStyle("#9c755f", "dot", "●", "地名", 6.0),
}
DEFAULT_STYLE = NodeStyle("#bab0ac", "dot", "●", "その他", 6.0)
#: Classes the overview (``graph.html``) carries but hides until asked for.
OVERVIEW_HIDDEN = ("Person", "Organization", "Visit")

#: Above this many nodes a view keeps only the most connected ones (and says so on the page).
MAX_NODES = 400
#: Above this many edges the page draws the edges itself, in one layer, instead of handing
#: vis-network an object per edge (what makes a 10,000-node view slow to open).
EDGE_LAYER_ABOVE = 5000
#: Above this many edges, edge labels are left to the tooltips.
MAX_EDGE_LABELS = 2000
_EXACT_LAYOUT = 499  # networkx's spring_layout needs scipy from 500 nodes on
_MAX_PASSAGES = 5
_MAX_TEXT = 280


class KGNetwork(Network):
    """A pyvis ``Network`` whose page is self-contained and carries a legend and notes.

    ``notes`` are shown above the graph (e.g. that a large graph was cut down), ``legend`` lists
    ``(class, count)`` pairs. :meth:`generate_html` renders this module's template instead of
    pyvis's, which pulls Bootstrap from a CDN.
    """

    def __init__(self, *, heading: str = "", directed: bool = False, height: str = "85vh"):
        super().__init__(
            height=height, width="100%", directed=directed, heading=heading,
            cdn_resources="in_line",
        )
        self.notes: list[str] = []
        self.legend: list[tuple[str, int]] = []
        self.view_options: dict[str, Any] = {}

    def generate_html(self, name: str = "index.html", local: bool = True,
                      notebook: bool = False) -> str:
        self.html = render_html(self)
        return self.html


# --- arguments ------------------------------------------------------------------------------


def parse_years(years: Any) -> tuple[int, int] | None:
    """Normalize a year filter to an inclusive ``(first, last)`` range.

    >>> parse_years("2022-2025"), parse_years(2023), parse_years("2024"), parse_years(None)
    ((2022, 2025), (2023, 2023), (2024, 2024), None)
    >>> parse_years([2025, 2022])
    (2022, 2025)
    """
    if years is None or years == "":
        return None
    if isinstance(years, int):
        return (years, years)
    if isinstance(years, str):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–~〜:]\s*(\d{4})?\s*)?", years)
        if not m:
            raise ValueError(f"years must look like 2023 or 2022-2025, not {years!r}")
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else (9999 if "-" in years.strip()[4:] else first)
        return (min(first, last), max(first, last))
    values = [int(y) for y in years]
    if not values:
        return None
    return (min(values), max(values))


def parse_classes(classes: Any) -> set[str] | None:
    """Normalize a class filter (``"Country,Program"`` or an iterable) to a set of names.

    >>> sorted(parse_classes("country, Program"))
    ['Country', 'Program']
    """
    if classes is None or classes == "":
        return None
    items = classes.split(",") if isinstance(classes, str) else list(classes)
    known = {c.lower(): c for c in NODE_STYLES}
    result = set()
    for item in items:
        name = str(item).strip()
        if not name:
            continue
        if name.lower() not in known:
            raise ValueError(f"unknown class {name!r}; known: {', '.join(NODE_STYLES)}")
        result.add(known[name.lower()])
    return result or None


# --- building the view ----------------------------------------------------------------------


def build_view(
    G: Any,
    *,
    focus: Any = None,
    radius: int = 1,
    years: Any = None,
    classes: Any = None,
    max_nodes: int | None = MAX_NODES,
    heading: str = "bilateral-kg",
    seed: int = 7,
    hidden_classes: Any = None,
    sources: Mapping[str, str] | None = None,
) -> KGNetwork:
    """Build an interactive view of a graph.

    Parameters
    ----------
    G : networkx graph or RDF source
        A projection from :mod:`kg.network` (or anything with ``cls``/``label`` node
        attributes); an RDF source is projected with :func:`kg.network.entity_graph`.
    focus : entity name or node, optional
        Show only the ego network of this entity (see :func:`kg.network.resolve_entity`).
    radius : int
        Hops around ``focus``.
    years : "2022-2025", int or (first, last), optional
        Keep nodes and edges whose ``years`` meet the range (undated ones stay).
    classes : "Country,Program" or iterable, optional
        Keep only nodes of these classes.
    max_nodes : int or None
        Above this, keep the most connected nodes (and ``focus``) and say so on the page.
    hidden_classes : "Person,Organization" or iterable, optional
        Classes in the page but hidden until the reader shows them (legend, double click).
        They are laid out around the nodes they attach to, after the others.
    sources : mapping, optional
        Document title -> source (URL or file), shown with each quoted passage
        (see :func:`document_sources`).

    Returns
    -------
    KGNetwork
        A pyvis Network; write it with :func:`write_view`.

    Examples
    --------
    >>> G = nx.Graph([("a", "b")])
    >>> nx.set_node_attributes(G, {"a": "Country", "b": "Program"}, "cls")
    >>> net = build_view(G)
    >>> sorted(n["id"] for n in net.nodes), [e["label"] for e in net.edges]
    (['a', 'b'], ['link'])
    """
    if not isinstance(G, nx.Graph):
        G = entity_graph(G)
    H: nx.Graph = G
    notes: list[str] = []

    wanted = parse_classes(classes)
    if wanted is not None:
        H = H.subgraph(n for n, c in H.nodes(data="cls") if c in wanted)
        notes.append("Classes: " + ", ".join(sorted(wanted)))
    span = parse_years(years)
    if span is not None:
        H = _filter_years(H, span)
        last = "" if span[1] == 9999 else str(span[1])
        notes.append(f"Years: {span[0]}–{last}" if span[0] != span[1] else f"Year: {span[0]}")
    center = None
    if focus is not None:
        center = resolve_entity(H, focus) if focus not in H else focus
        H = nx.ego_graph(H, center, radius=radius, undirected=True)
        notes.append(f"Around {H.nodes[center].get('label', center)} (radius {radius})")

    hidden = parse_classes(hidden_classes) or set()
    simple = _undirected(H)
    deg = dict(simple.degree())
    total = H.number_of_nodes()
    if max_nodes is not None and total > max_nodes:
        ranked = sorted(H, key=lambda n: (n != center, H.nodes[n].get("cls") in hidden,
                                          -deg[n], str(n)))
        H = H.subgraph(ranked[:max_nodes])
        simple = _undirected(H)
        notes.insert(0, f"Showing the {max_nodes:,} most connected of {total:,} nodes "
                        "(narrow the view with focus, years or classes to see the rest).")

    core = [n for n in simple if H.nodes[n].get("cls") not in hidden]
    if hidden and core and len(core) < len(simple):
        pos, approximate = _layout(simple.subgraph(core), seed)
        pos = _attach(simple, pos, seed)
    else:
        pos, approximate = _layout(simple, seed)
    if approximate:
        notes.append("Large graph: positions are approximate.")
    net = KGNetwork(heading=heading, directed=H.is_directed())
    net.notes = notes
    net.hidden_classes = sorted(hidden)
    _fill(net, H, simple, pos, hidden, sources or {})
    counts = Counter(H.nodes[n].get("cls") or "Other" for n in H)
    order = {c: i for i, c in enumerate(NODE_STYLES)}
    net.legend = sorted(counts.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    labelled = len(net.edges) <= MAX_EDGE_LABELS
    if not labelled:
        for edge in net.edges:
            edge.pop("label", None)
        net.notes.append("Many edges: relations are shown on hover only.")
    net.view_options = _options(H.is_directed(), len(net.nodes))
    net.options = net.view_options  # pyvis reads a dict of options as is
    return net


def _undirected(H: nx.Graph) -> nx.Graph:
    simple = nx.Graph()
    simple.add_nodes_from(H)
    simple.add_edges_from((u, v) for u, v in H.edges() if u != v)
    return simple


def _filter_years(H: nx.Graph, span: tuple[int, int]) -> nx.Graph:
    first, last = span

    def meets(years: Any) -> bool:
        return not years or any(first <= y <= last for y in years)

    keep = [n for n, ys in H.nodes(data="years") if meets(ys)]
    sub = H.subgraph(keep)
    if H.is_multigraph():
        edges = [(u, v, k) for u, v, k, ys in sub.edges(keys=True, data="years") if meets(ys)]
    else:
        edges = [(u, v) for u, v, ys in sub.edges(data="years") if meets(ys)]
    return _with_nodes(sub, edges)


def _with_nodes(sub: nx.Graph, edges: list) -> nx.Graph:
    out = sub.__class__()
    out.add_nodes_from(sub.nodes(data=True))
    if sub.is_multigraph():
        out.add_edges_from((u, v, k, sub.edges[u, v, k]) for u, v, k in edges)
    else:
        out.add_edges_from((u, v, sub.edges[u, v]) for u, v in edges)
    return out


def _canonical(graph: nx.Graph) -> nx.Graph:
    """A copy whose nodes and edges come in sorted order: a seeded layout then depends on the
    graph alone, not on the order sets and subgraph views happen to iterate in (which changes
    with PYTHONHASHSEED)."""
    out = nx.Graph()
    out.add_nodes_from(sorted(graph, key=str))
    out.add_edges_from(sorted((tuple(sorted((u, v), key=str)) for u, v in graph.edges()),
                              key=lambda e: (str(e[0]), str(e[1]))))
    return out


def _layout(simple: nx.Graph, seed: int) -> tuple[dict[Any, tuple[float, float]], bool]:
    """Positions in pixels, and whether they are only approximate (very large graphs)."""
    simple = _canonical(simple)
    n = simple.number_of_nodes()
    if n == 0:
        return {}, False
    approximate = False
    if n <= _EXACT_LAYOUT:
        return _packed_layout(simple, seed), False
    try:
        pos = _igraph_layout(simple, seed)
    except ImportError:  # pragma: no cover - igraph is a dependency
        try:
            pos = nx.spring_layout(simple, seed=seed)
        except ImportError:  # no scipy: lay out the best connected core, attach the rest
            pos = _core_layout(simple, seed)
            approximate = True
    scale = 200 + 60 * math.sqrt(n)
    return {v: (round(float(x) * scale, 1), round(float(y) * scale, 1))
            for v, (x, y) in pos.items()}, approximate


def _igraph_layout(simple: nx.Graph, seed: int) -> dict[Any, tuple[float, float]]:
    """Fruchterman–Reingold (grid variant) in python-igraph, seeded, scaled into [-1, 1]:
    a 10,000-node graph in about a second."""
    import igraph as ig

    nodes = sorted(simple, key=str)
    index = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=sorted((index[u], index[v]) for u, v in simple.edges()))
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = g.layout_fruchterman_reingold(grid=True, niter=500).coords
    finally:
        ig.set_random_number_generator(random)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9) / 2
    return {v: ((coords[i][0] - cx) / half, (coords[i][1] - cy) / half) for i, v in enumerate(nodes)}


def _attach(simple: nx.Graph, pos: dict[Any, tuple[float, float]],
            seed: int) -> dict[Any, tuple[float, float]]:
    """Place the nodes ``pos`` lacks around an already placed neighbour (breadth first, in a
    fixed order: the same graph gives the same places); what no placed node reaches goes in a
    block of its own to the right."""
    pos = dict(pos)
    frontier = sorted(pos, key=str)
    children: Counter[Any] = Counter()
    golden = math.pi * (3 - math.sqrt(5))
    while frontier:
        nxt = []
        for u in frontier:
            for v in sorted(simple[u], key=str):
                if v in pos:
                    continue
                i = children[u]
                children[u] += 1
                r = 55 + 12 * math.sqrt(i)
                x, y = pos[u]
                pos[v] = (round(x + r * math.cos(golden * i + 0.5), 1),
                          round(y + r * math.sin(golden * i + 0.5), 1))
                nxt.append(v)
        frontier = nxt
    rest = [v for v in simple if v not in pos]
    if rest:
        right = max((x for x, _ in pos.values()), default=0.0) + 120
        top = min((y for _, y in pos.values()), default=0.0)
        block, _ = _layout(simple.subgraph(rest), seed)
        left = min(x for x, _ in block.values())
        low = min(y for _, y in block.values())
        for v, (x, y) in block.items():
            pos[v] = (round(right + x - left, 1), round(top + y - low, 1))
    return pos


def _packed_layout(simple: nx.Graph, seed: int) -> dict[Any, tuple[float, float]]:
    """Each connected component laid out on its own, sized by its node count, then packed in
    rows, largest first — so a few isolated nodes do not squeeze the main network into a dot."""
    components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(map(str, c))))
    pos: dict[Any, tuple[float, float]] = {}
    x = y = row_height = 0.0
    width = 0.0
    for comp in components:
        sub = _canonical(simple.subgraph(comp))
        size = len(comp)
        radius = 110 * math.sqrt(size) if size > 1 else 30
        if size == 1:
            local = {next(iter(comp)): (0.0, 0.0)}
        else:
            local = nx.spring_layout(sub, seed=seed, k=1.8 / math.sqrt(size), iterations=100 if size < 200 else 50)
        if width == 0.0:
            width = max(2 * radius, 600.0)
        elif x + 2 * radius > width:
            x, y, row_height = 0.0, y + row_height + 40, 0.0
        for v, (px, py) in local.items():
            pos[v] = (round(x + radius + float(px) * radius, 1), round(y + radius + float(py) * radius, 1))
        x += 2 * radius + 40
        row_height = max(row_height, 2 * radius)
    return pos


def _core_layout(simple: nx.Graph, seed: int) -> dict[Any, tuple[float, float]]:
    rng = random.Random(seed)
    deg = dict(simple.degree())
    core = sorted(simple, key=lambda v: (-deg[v], str(v)))[:_EXACT_LAYOUT]
    pos = {v: tuple(p) for v, p in nx.spring_layout(simple.subgraph(core), seed=seed).items()}
    step = 1.5 / math.sqrt(len(simple))
    frontier = list(core)
    while frontier:  # breadth first from the core: next to an already placed neighbour
        nxt = []
        for u in frontier:
            for v in simple[u]:
                if v not in pos:
                    x, y = pos[u]
                    angle = rng.uniform(0, 2 * math.pi)
                    pos[v] = (x + step * math.cos(angle), y + step * math.sin(angle))
                    nxt.append(v)
        frontier = nxt
    rest = [v for v in simple if v not in pos]  # components the core does not reach
    for i, v in enumerate(rest):
        angle = 2 * math.pi * i / max(len(rest), 1)
        r = 1.2 + 0.1 * rng.random()
        pos[v] = (r * math.cos(angle), r * math.sin(angle))
    return pos


def _label(data: dict[str, Any], node: Any) -> str:
    ja, en = data.get("label_ja"), data.get("label_en")
    main = ja or data.get("label") or en or str(node)
    if en and en != main:
        return f"{main}\n{en}"
    return str(main)


def _clip(text: str, limit: int = _MAX_TEXT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _passage_row(p: Mapping[str, Any], sources: Mapping[str, str]) -> list[str]:
    doc = str(p.get("doc") or "")
    source = sources.get(doc, "")
    return [doc, str(p.get("paragraph") or ""), _clip(p.get("text") or ""),
            "" if source == doc else str(source)]


def _passage_key(p: Mapping[str, Any]) -> tuple:
    return (p.get("doc"), p.get("start"), p.get("text"))


def _node_tip(H: nx.Graph, n: Any, data: dict[str, Any],
              sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    cls = data.get("cls") or "Other"
    style = NODE_STYLES.get(cls, DEFAULT_STYLE)
    facts: list[list[str]] = [["class", f"{style.name_ja} {cls}"]]
    for key, name in (("label_en", "English"), ("iso3", "ISO3"), ("role", "role"),
                      ("role_en", "role (English)"), ("agreement_type", "type")):
        if data.get(key) and (key != "label_en" or data[key] != data.get("label")):
            facts.append([name, str(data[key])])
    for prop, values in sorted((data.get("dates") or {}).items()):
        facts.append([prop, ", ".join(values)])
    if data.get("places"):
        facts.append(["place", ", ".join(data["places"])])
    if data.get("aliases"):
        facts.append(["also", _clip(", ".join(data["aliases"]), 160)])
    if H.is_multigraph():
        relations: dict[str, list[str]] = {}
        for _, v, rel in H.out_edges(n, keys=True) if H.is_directed() else H.edges(n, keys=True):
            relations.setdefault(str(rel), []).append(str(H.nodes[v].get("label", v)))
        for rel, names in sorted(relations.items()):
            facts.append([rel, _clip(", ".join(sorted(set(names))), 200)])
    if cls not in INITIATIVE_CLASSES and data.get("years"):
        ys = data["years"]
        facts.append(["years", f"{ys[0]}–{ys[-1]}" if len(ys) > 1 else str(ys[0])])
    passages = data.get("passages") or []
    shown = [_passage_row(p, sources or {}) for p in passages[:_MAX_PASSAGES]]
    tip: dict[str, Any] = {"head": str(data.get("label", n)), "facts": facts, "passages": shown}
    more = len(passages) - len(shown)
    docs = data.get("docs") or []
    if more > 0:
        tip["more"] = f"+{more} more passages ({len(docs)} documents)"
    elif not passages and docs:
        tip["more"] = "documents: " + _clip("; ".join(docs), 300)
    return tip


def _edge_passages(H: nx.Graph, u: Any, v: Any, data: Mapping[str, Any]) -> list[Mapping]:
    """The passages behind a relation: those its two ends (or, for a relation through an
    intermediary, the initiative and the intermediary) were both read from; failing that, the
    passages the initiative end was derived from."""
    a, b = u, (data["via"][0] if data.get("via") else v)
    first = H.nodes[a].get("passages") or []
    second = {_passage_key(p) for p in H.nodes[b].get("passages") or []}
    both = [p for p in first if _passage_key(p) in second]
    if both:
        return both
    for end in (u, v):
        if H.nodes[end].get("cls") in INITIATIVE_CLASSES and H.nodes[end].get("passages"):
            return list(H.nodes[end]["passages"])
    return list(H.nodes[u].get("passages") or [])


def _edge_tip(H: nx.Graph, u: Any, v: Any, data: dict[str, Any], relation: str,
              sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    names = (str(H.nodes[u].get("label", u)), str(H.nodes[v].get("label", v)))
    facts = [["relation", relation]]
    if data.get("via"):
        facts.append(["via", ", ".join(str(H.nodes[x].get("label", x)) for x in data["via"])])
    labels = data.get("labels") or {}
    for kind in ("agreements", "meetings", "programs", "visits"):
        items = data.get(kind)
        if items:
            facts.append([kind, _clip("; ".join(str(labels.get(i, i)) for i in items), 400)])
    if data.get("years"):
        facts.append(["years", ", ".join(str(y) for y in data["years"])])
    passages = _edge_passages(H, u, v, data)
    tip: dict[str, Any] = {"head": f"{names[0]} — {relation} — {names[1]}", "facts": facts,
                           "passages": [_passage_row(p, sources or {})
                                        for p in passages[:_MAX_PASSAGES]]}
    if len(passages) > _MAX_PASSAGES:
        tip["more"] = f"+{len(passages) - _MAX_PASSAGES} more passages"
    return tip


@lru_cache(maxsize=1)
def country_regions() -> dict[str, tuple[str, str]]:
    """ISO3 -> (region, its Japanese name): the UN M49 sub-regions of the gazetteer's countries
    (``data/gazetteer/countries.tsv``, Japanese names from ``regions.tsv``), for the page's
    region clusters."""
    import csv

    from extract.resources import data_dir

    folder = data_dir() / "gazetteer"
    names: dict[str, str] = {}
    with open(folder / "regions.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if not row.get("members"):
                names.setdefault(row["region"], row["name_ja"])
    out: dict[str, tuple[str, str]] = {}
    with open(folder / "countries.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("region"):
                out[row["iso3"]] = (row["region"], names.get(row["region"], row["region"]))
    return out


def _fill(net: KGNetwork, H: nx.Graph, simple: nx.Graph, pos: dict,
          hidden: set[str] | frozenset[str] = frozenset(),
          sources: Mapping[str, str] | None = None) -> None:
    """Fill ``net.nodes``/``net.edges`` directly: pyvis's ``add_edge`` is quadratic.

    Each node's ``rank`` orders the labels the page draws first: shown classes before hidden
    ones, countries (what the view is about) before the rest, then by degree, then by label (a fixed order, so the same labels show every time)."""
    deg = dict(simple.degree())
    top = max(deg.values(), default=0) or 1
    ranked = sorted(H, key=lambda n: (H.nodes[n].get("cls") in hidden,
                                      H.nodes[n].get("cls") != "Country", -deg.get(n, 0),
                                      str(H.nodes[n].get("label") or n), str(n)))
    rank = {n: i for i, n in enumerate(ranked)}
    for n, data in H.nodes(data=True):
        cls = data.get("cls") or "Other"
        style = NODE_STYLES.get(cls, DEFAULT_STYLE)
        x, y = pos.get(n, (0.0, 0.0))
        ja = data.get("label_ja") or data.get("label") or ""
        en = data.get("label_en") or ""
        node: dict[str, Any] = {
            "id": str(n),
            "label": _label(data, n),
            "shape": style.shape,
            "color": style.color,
            "size": round(style.size + 16 * math.sqrt(deg.get(n, 0) / top), 1),
            "x": x,
            "y": y,
            "cls": cls,
            "ja": str(ja or en or n),
            "en": str(en),
            "aliases": [str(a) for a in data.get("aliases") or []],
            "years": [int(y) for y in data.get("years") or []],
            "rank": rank[n],
            "tip": _node_tip(H, n, data, sources),
        }
        if data.get("iso3"):
            node["iso3"] = str(data["iso3"])
            if cls == "Country" and str(data["iso3"]) in country_regions():
                node["region"] = country_regions()[str(data["iso3"])][0]
        if cls in hidden:
            node["hidden"] = True
        net.nodes.append(node)
        net.node_ids.append(str(n))
        net.node_map[str(n)] = net.nodes[-1]
    if H.is_multigraph():
        edges = ((u, v, str(k), d) for u, v, k, d in H.edges(keys=True, data=True))
    else:
        edges = ((u, v, None, d) for u, v, d in H.edges(data=True))
    for u, v, key, data in edges:
        relation = str(data.get("relation") or key or ("shared" if "weight" in data else "link"))
        edge: dict[str, Any] = {"from": str(u), "to": str(v), "relation": relation}
        weight = data.get("weight")
        if "agreements" in data:  # country graph: the number of shared initiatives
            edge["label"] = str(weight)
            edge["width"] = round(1 + 2 * math.log1p(weight or 0), 2)
        else:
            edge["label"] = relation
        if data.get("via"):
            edge["dashes"] = True
        if data.get("years"):
            edge["years"] = [int(y) for y in data["years"]]
        edge["tip"] = _edge_tip(H, u, v, data, relation, sources)
        net.edges.append(edge)


def _options(directed: bool, n: int) -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n > 1000,
                        "hideEdgesOnZoom": n > 1000, "navigationButtons": False,
                        "keyboard": False},
        # a border costs vis-network a save/stroke/restore per node and redraw: not on large views.
        # No font options: the page draws every label itself (view.js), vis-network none.
        "nodes": {"borderWidth": 1 if n <= 2000 else 0},
        "edges": {
            "smooth": False,
            "color": {"color": "#b5b5b5", "highlight": "#444444", "hover": "#444444"},
            "arrows": {"to": {"enabled": directed, "scaleFactor": 0.5}},
        },
    }


_FONT = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', sans-serif"


# --- the page -------------------------------------------------------------------------------


def _script_json(data: Any) -> Markup:
    """JSON that is safe inside a ``<script>`` element: no ``<``, ``>``, ``&`` or U+2028/9."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover
        raise RuntimeError("vis-network assets cannot be inlined safely")
    return js, css


_VIEW_DIR = Path(__file__).parent / "static" / "view"


@lru_cache(maxsize=1)
def _view_assets() -> tuple[str, str]:
    """This module's own page script and style (kg/static/view/), inlined into every page."""
    js = (_VIEW_DIR / "view.js").read_text(encoding="utf-8")
    css = (_VIEW_DIR / "view.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover
        raise RuntimeError("view assets cannot be inlined safely")
    return js, css


_TEMPLATE = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }}</title>
<style>{{ vis_css }}</style>
<style>{{ view_css }}
  body, .bkg-tooltip, #bkg-panel { font-family: {{ font }}; }
  #mynetwork { width: {{ width }}; height: {{ height }}; }
</style>
</head>
<body>
<header>
  <h1>{{ heading }}</h1>
  <ul id="bkg-legend" aria-label="凡例 legend (click to hide/show)">
  {%- for cls, style, count in legend %}
    <li data-class="{{ cls }}" role="button" title="表示/非表示 show/hide"><span class="sym" style="color: {{ style.color }}">{{ style.symbol }}</span>{{ style.name_ja }} {{ cls }} ({{ count }})</li>
  {%- endfor %}
  </ul>
  {%- if people %}
  <label><input id="bkg-people" type="checkbox"> 人物・組織を表示 show persons &amp; organizations</label>
  {%- endif %}
  {%- if years %}
  <span class="bkg-years">年 Years
    <input id="bkg-year-from" type="range" min="{{ years[0] }}" max="{{ years[1] }}" value="{{ years[0] }}" aria-label="from">
    <input id="bkg-year-to" type="range" min="{{ years[0] }}" max="{{ years[1] }}" value="{{ years[1] }}" aria-label="to">
    <span id="bkg-years-shown">{{ years[0] }}–{{ years[1] }}</span></span>
  {%- endif %}
  {%- if regions %}
  <label><input id="bkg-regions" type="checkbox"> 地域でまとめる group by region</label>
  {%- endif %}
  <span class="bkg-lang">表示 <label><input type="radio" name="bkg-lang" value="both" checked>日/EN</label>
    <label><input type="radio" name="bkg-lang" value="ja">日本語</label>
    <label><input type="radio" name="bkg-lang" value="en">English</label></span>
  <span class="bkg-search"><label>検索 <input id="bkg-find" type="search" placeholder="名称・別名 / name, alias"></label>
    <ul id="bkg-hits" hidden></ul></span>
  <button id="bkg-png" type="button">PNG</button>
  <button id="bkg-svg" type="button">SVG</button>
  <span id="bkg-count">{{ n_nodes }} nodes, {{ n_edges }} edges</span>
</header>
{%- for note in notes %}
<p class="bkg-note">{{ note }}</p>
{%- endfor %}
<main>
<div id="mynetwork"></div>
<aside id="bkg-panel" hidden><button id="bkg-panel-close" type="button" aria-label="close">×</button>
<div id="bkg-panel-body"></div></aside>
</main>
<script type="application/json" id="bkg-data">{{ data }}</script>
<script>{{ vis_js }}</script>
<script>{{ view_js }}</script>
</body>
</html>
"""


@lru_cache(maxsize=1)
def _template() -> Any:
    return Environment(autoescape=True).from_string(_TEMPLATE)


# --- the page's data: what the page cannot derive, and nothing else -------------------------
#
# The nodes and edges of a view (``net.nodes`` / ``net.edges``, as :func:`_fill` writes them) carry
# much that the page can work out for itself: the canvas label from the Japanese and English
# names, shape and colour from the style table, the tooltip's heading, its class / English /
# relation / years rows, and the same quoted passage under many nodes. The page's data leaves
# those out (a 10,000-node view: 7.4 MB -> under 3 MB) and view.js puts them back; the two
# expansions, :func:`expand_page_data` here and ``expand`` in view.js, give back exactly
# the nodes and edges of the view (tested both ways).

_FORMAT = 2


def _years_text(years: list) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def _node_derived(n: Mapping[str, Any], styles: Mapping[str, Any]) -> tuple[list, list, str]:
    """(rows the tooltip starts with, rows it ends with, their default flags) for node ``n``."""
    style = styles.get(n.get("cls")) or styles["Other"]
    en, head = n.get("en") or "", n.get("tip", {}).get("head", n.get("ja"))
    first = [("c", ["class", f"{style['name_ja']} {n.get('cls')}"]), ("e", ["English", en])]
    last = [("y", ["years", _years_text(n["years"])])] if n.get("years") else []
    default = "c" + ("e" if en and en != head else "") + (
        "y" if n.get("years") and n.get("cls") not in INITIATIVE_CLASSES else "")
    return first, last, default


def _edge_derived(e: Mapping[str, Any]) -> tuple[list, list, str]:
    years = e.get("years") or []
    last = [("y", ["years", ", ".join(str(y) for y in years)])] if years else []
    return [("r", ["relation", e.get("relation")])], last, "r" + ("y" if years else "")


def _pack_tip(tip: Mapping[str, Any], head: str, derived: tuple[list, list, str],
              passages: dict[str, int]) -> dict[str, Any]:
    first, last, default = derived
    facts, flags = list(tip.get("facts") or []), ""
    for flag, row in first:
        if facts and list(facts[0]) == row:
            facts.pop(0)
            flags += flag
    for flag, row in last:
        if facts and list(facts[-1]) == row:
            facts.pop()
            flags += flag
    out: dict[str, Any] = {}
    if tip.get("head") != head:
        out["head"] = tip.get("head")
    if facts:
        out["facts"] = facts
    if flags != default:
        out["g"] = flags
    if tip.get("passages"):
        out["p"] = [passages.setdefault(json.dumps(row, ensure_ascii=False), len(passages))
                    for row in tip["passages"]]
    if "more" in tip:
        out["more"] = tip["more"]
    return out


def _canvas_label(n: Mapping[str, Any]) -> str:
    ja, en = n.get("ja") or "", n.get("en") or ""
    return f"{ja}\n{en}" if en and en != ja else ja


_NODE_KEYS = ("label", "shape", "color", "en", "aliases", "years", "tip")


def pack_page_data(nodes: list[dict], edges: list[dict], styles: Mapping[str, Any]) -> dict[str, Any]:
    """The nodes and edges of a view as the page's data carries them (see above)."""
    passages: dict[str, int] = {}
    packed_nodes, heads = [], {}
    for n in nodes:
        style = styles.get(n.get("cls")) or styles["Other"]
        out = {k: v for k, v in n.items() if k not in _NODE_KEYS}
        for key in ("shape", "color"):
            if n.get(key) != style[key]:
                out[key] = n.get(key)
        for key in ("en", "aliases", "years"):
            if n.get(key):
                out[key] = n[key]
        if n.get("label") != _canvas_label(n):
            out["label"] = n.get("label")
        tip = n.get("tip") or {}
        heads[n["id"]] = tip.get("head", n.get("ja"))
        packed = _pack_tip(tip, n.get("ja"), _node_derived(n, styles), passages)
        if packed:
            out["tip"] = packed
        packed_nodes.append(out)
    # an edge is a row [from, to, relation, extras?]: its ends as node positions, its relation
    # as a position in the relations table (the ids, often long IRIs, are not repeated)
    index = {n["id"]: i for i, n in enumerate(nodes)}
    relations: dict[Any, int] = {}
    labelled = any("label" in e for e in edges)  # large views leave edge labels to the tooltips
    packed_edges = []
    for e in edges:
        extra = {k: v for k, v in e.items() if k not in ("from", "to", "relation", "label", "tip")}
        if "label" not in e:
            if labelled:
                extra["label"] = None
        elif e["label"] != e.get("relation"):
            extra["label"] = e["label"]
        head = f"{heads.get(e['from'], e['from'])} — {e.get('relation')} — {heads.get(e['to'], e['to'])}"
        packed = _pack_tip(e.get("tip") or {}, head, _edge_derived(e), passages)
        if packed:
            extra["tip"] = packed
        row = [index[e["from"]], index[e["to"]], relations.setdefault(e.get("relation"), len(relations))]
        packed_edges.append([*row, extra] if extra else row)
    table = [json.loads(row) for row in passages]
    return {"format": _FORMAT, "nodes": packed_nodes, "edges": packed_edges, "passages": table,
            "relations": list(relations), "edgeLabels": labelled,
            "edgeLayer": len(edges) > EDGE_LAYER_ABOVE}


def _expand_tip(tip: Mapping[str, Any], head: str, derived: tuple[list, list, str],
                passages: list) -> dict[str, Any]:
    first, last, default = derived
    flags = tip.get("g", default)
    facts = [row for flag, row in first if flag in flags] + [list(f) for f in tip.get("facts", [])]
    facts += [row for flag, row in last if flag in flags]
    out = {"head": tip.get("head", head), "facts": facts,
           "passages": [passages[i] for i in tip.get("p", [])]}
    if "more" in tip:
        out["more"] = tip["more"]
    return out


def expand_page_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The page's data with its nodes and edges whole again, as ``net.nodes`` / ``net.edges``
    hold them (what view.js does when the page opens). Other keys are returned as they are."""
    if data.get("format") != _FORMAT:
        return dict(data)
    styles, table = data["styles"], data.get("passages", [])
    nodes, heads = [], {}
    for packed in data["nodes"]:
        n = dict(packed)
        style = styles.get(n.get("cls")) or styles["Other"]
        n.setdefault("shape", style["shape"])
        n.setdefault("color", style["color"])
        n.setdefault("en", "")
        n.setdefault("aliases", [])
        n.setdefault("years", [])
        n.setdefault("label", _canvas_label(n))
        tip = packed.get("tip", {})
        n["tip"] = {"head": tip.get("head", n.get("ja"))}  # the rows read the heading
        n["tip"] = _expand_tip(tip, n.get("ja"), _node_derived(n, styles), table)
        heads[n["id"]] = n["tip"]["head"]
        nodes.append(n)
    edges = []
    for row in data["edges"]:
        extra = row[3] if len(row) > 3 else {}
        e = {"from": nodes[row[0]]["id"], "to": nodes[row[1]]["id"], "relation": data["relations"][row[2]],
             **{k: v for k, v in extra.items() if k != "tip"}}
        if "label" not in e and data.get("edgeLabels", True):
            e["label"] = e["relation"]
        elif e.get("label", "") is None:
            del e["label"]
        head = f"{heads.get(e['from'], e['from'])} — {e.get('relation')} — {heads.get(e['to'], e['to'])}"
        e["tip"] = _expand_tip(extra.get("tip", {}), head, _edge_derived(e), table)
        edges.append(e)
    out = {k: v for k, v in data.items()
           if k not in ("format", "passages", "relations", "initiatives", "edgeLabels", "edgeLayer")}
    out.update(nodes=nodes, edges=edges)
    return out


def render_html(net: Network) -> str:
    """The whole page for a view: self-contained, no external resource.

    Works for a :class:`KGNetwork` and, without legend and notes, for any pyvis ``Network``.
    """
    js, css = _vis_assets()
    view_js, view_css = _view_assets()
    options = getattr(net, "view_options", None) or _options(net.directed, len(net.nodes))
    legend_counts = getattr(net, "legend", None) or sorted(
        Counter(n.get("cls") or "Other" for n in net.nodes).items())
    legend = [(cls, NODE_STYLES.get(cls, DEFAULT_STYLE), count) for cls, count in legend_counts]
    hidden = list(getattr(net, "hidden_classes", []) or [])
    years = sorted({y for n in net.nodes for y in n.get("years") or []})
    span = (years[0], years[-1]) if years and years[0] != years[-1] else None
    styles = {cls: {"color": st.color, "shape": st.shape, "size": st.size, "name_ja": st.name_ja}
              for cls, st in [*NODE_STYLES.items(), ("Other", DEFAULT_STYLE)]}
    nodes = [n if "ja" in n else _plain_node(n) for n in net.nodes]
    names = {region: name_ja for region, name_ja in country_regions().values()}
    members = Counter(n["region"] for n in nodes if n.get("region"))
    regions = {r: names.get(r, r) for r in sorted(members) if members[r] > 1}  # clusters of two or more
    return _template().render(
        view_js=Markup(view_js),
        view_css=Markup(view_css),
        people=bool(set(hidden) & {"Person", "Organization"}),
        regions=bool(regions),
        years=span,
        heading=net.heading or "bilateral-kg",
        notes=getattr(net, "notes", []),
        legend=legend,
        n_nodes=len(net.nodes),
        n_edges=len(net.edges),
        width=net.width,
        height=net.height,
        font=Markup(_FONT),
        vis_js=Markup(js),
        vis_css=Markup(css),
        data=_script_json({**pack_page_data(nodes, net.edges, styles), "options": options,
                           "styles": styles, "initiatives": list(INITIATIVE_CLASSES), "legend": [c for c, _, _ in legend],
                           "hiddenClasses": hidden, "years": list(span) if span else None,
                           "regions": regions,
                           "font": _FONT}),
    )


def _plain_node(n: Mapping[str, Any]) -> dict[str, Any]:
    """A node a plain pyvis ``add_node`` made, with what the page script reads."""
    out = dict(n)
    style = NODE_STYLES.get(str(n.get("cls") or ""), DEFAULT_STYLE)
    label = str(n.get("label") or n.get("id"))
    out.setdefault("cls", "Other")
    out.setdefault("shape", style.shape)
    out.setdefault("size", style.size + 4)
    if not isinstance(out.get("color"), str):
        out["color"] = style.color
    out.update(id=str(n.get("id")), ja=label, en="", aliases=[], years=[],
               rank=n.get("rank", 0), tip={"head": label, "facts": [], "passages": []})
    out.setdefault("x", 0.0)
    out.setdefault("y", 0.0)
    return out


def render_store(source: Any, **view_options: Any) -> str:
    """The page for a whole build (a build folder, Store or rdflib graph): what ``graph.html`` is.

    ``view_options`` go to :func:`build_view`.
    """
    store = as_store(source)
    view_options.setdefault("sources", document_sources(store))
    if view_options.get("focus") is None and view_options.get("classes") is None:
        net = overview_view(entity_graph(store), **view_options)
    else:
        net = build_view(entity_graph(store), **view_options)
    return render_html(net)


# --- the overview: countries and the initiatives that tie them --------------------------------


def overview_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The entity graph plus, for every initiative, an edge to each country that takes part
    only through one of its persons or organizations (``via`` names them; see
    :func:`kg.network.countries_of`) — so the country–initiative network holds together with
    persons and organizations hidden.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("J", {"cls": "Country"}), ("O", {"cls": "Organization"}),
    ...                   ("P", {"cls": "Program"})])
    >>> _ = G.add_edge("P", "O", key="implementedBy"); _ = G.add_edge("O", "J", key="country")
    >>> [(u, v, d["via"]) for u, v, d in overview_graph(G).edges(data=True) if "via" in d]
    [('P', 'J', ['O'])]
    """
    H = G.copy()
    for n, data in G.nodes(data=True):
        if data.get("cls") not in INITIATIVE_CLASSES:
            continue
        direct = {v for _, v in G.out_edges(n)} | {u for u, _ in G.in_edges(n)}
        for country, rel in sorted(countries_of(G, n).items()):
            if country in direct:
                continue
            via = sorted(x for _, x, r in G.out_edges(n, keys=True)
                         if r == rel and G.has_edge(x, country, key="country"))
            H.add_edge(n, country, key=f"{rel} (via)", relation=f"{rel} (via)", via=via)
    return H


def overview_view(source: Any, **view_options: Any) -> KGNetwork:
    """The default view (``graph.html``): :func:`overview_graph`, persons, organizations and
    visits hidden until asked for. ``source`` is an entity graph or an RDF source; the other
    options go to :func:`build_view`."""
    if isinstance(source, nx.Graph):
        G = source
    else:
        store = as_store(source)
        G = entity_graph(store)
        view_options.setdefault("sources", document_sources(store))
    view_options.setdefault("hidden_classes", OVERVIEW_HIDDEN)
    view_options.setdefault("heading", "bilateral-kg — 国とイニシアティブ countries & initiatives")
    return build_view(overview_graph(G) if G.is_multigraph() else G, **view_options)


_Q_SOURCES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?doc ?title ?source WHERE {
  ?doc dcterms:source ?source .
  OPTIONAL { ?doc dcterms:title ?title }
}"""


def document_sources(source: Any) -> dict[str, str]:
    """Document title (what a passage's ``doc`` holds) -> its ``dcterms:source``, for the
    passages the page quotes. Empty for a graph without sources."""
    try:
        store = as_store(source)
    except (TypeError, ValueError, OSError):
        return {}
    found: dict[str, str] = {}
    from kg.store import union_options

    for row in store.query(_Q_SOURCES, **union_options(store)):
        title = row["title"].value if row["title"] is not None else row["source"].value
        found.setdefault(title, row["source"].value)
    return dict(sorted(found.items()))


def write_view(net: Network, path: str | os.PathLike[str]) -> Path:
    """Write a view's page atomically (a temporary file in the same folder, then rename).

    >>> import tempfile, pathlib
    >>> net = build_view(nx.Graph([("a", "b")]))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = write_view(net, pathlib.Path(d) / "g.html")
    ...     "vis.DataSet" in page.read_text(encoding="utf-8")
    True
    """
    from .files import write_atomic

    return write_atomic(path, render_html(net))


# --- headless export ------------------------------------------------------------------------

#: The system Chromium the headless exports use (Playwright's own browser when it is absent).
CHROMIUM = "/usr/bin/chromium"
_CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def export_image(net: Network | str | os.PathLike[str], target: str | os.PathLike[str], *,
                 width: int = 1600, height: int = 1000, scale: float = 2.0) -> Path:
    """Render a view headlessly (Chromium through Playwright) and write it as PNG or SVG,
    chosen by ``target``'s suffix: the same page, positions, style table and labels as in the
    browser. The PNG is the page's canvas (``scale`` × pixels, legend drawn in); the SVG is
    written by the page's own exporter from the same positions. Any request the page would
    make other than ``file:``/``data:`` is refused. Written atomically."""
    import base64

    from playwright.sync_api import sync_playwright

    out = Path(target)
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise ValueError(f"{out}: the image is a .png or .svg file")
    with tempfile.TemporaryDirectory(prefix="bkg-view-") as tmp:
        page_path = Path(tmp) / "view.html"
        if isinstance(net, Network):
            write_view(net, page_path)
        else:
            page_path.write_bytes(Path(net).read_bytes())
        with sync_playwright() as p:
            launch: dict[str, Any] = {"headless": True, "args": _CHROMIUM_ARGS}
            if os.path.exists(CHROMIUM):
                launch["executable_path"] = CHROMIUM
            browser = p.chromium.launch(**launch)
            try:
                context = browser.new_context(viewport={"width": width, "height": height},
                                              device_scale_factor=scale)
                context.route("**/*", lambda route: route.continue_()
                              if route.request.url.startswith(("file:", "data:"))
                              else route.abort())
                page = context.new_page()
                page.goto(page_path.as_uri())
                page.wait_for_function("window.bkgReady === true", timeout=120_000)
                if kind == "png":
                    url = page.evaluate("bkg.pngDataURL()")
                    data = base64.b64decode(url.split(",", 1)[1])
                else:
                    data = page.evaluate("bkg.toSVG()").encode("utf-8")
            finally:
                browser.close()
    from .files import write_atomic

    return write_atomic(out, data)
