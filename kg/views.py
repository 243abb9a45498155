"""Interactive HTML views of the knowledge graph, built with pyvis (kept behind this module).

:func:`build_view` turns a NetworkX projection (:mod:`kg.network`) into a pyvis ``Network``
whose page is self-contained: vis-network is inlined, the page makes no network request, node
positions are computed beforehand with NetworkX and physics is off, so large graphs do not
freeze the browser. :func:`write_view` writes it atomically.

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment
from markupsafe import Markup
from pyvis.network import Network

from kg.network import INITIATIVE_CLASSES, entity_graph, resolve_entity

__all__ = [
    "NodeStyle",
    "NODE_STYLES",
    "DEFAULT_STYLE",
    "MAX_NODES",
    "KGNetwork",
    "parse_years",
    "parse_classes",
    "build_view",
    "render_html",
    "render_store",
    "write_view",
]


@dataclass(frozen=True)
class NodeStyle:
    """How one class of node is drawn: vis.js ``shape``, fill ``color``, legend ``symbol``."""

    color: str
    shape: str
    symbol: str
    name_ja: str


#: Node styles, keyed by class (the ``cls`` node attribute).
NODE_STYLES: dict[str, NodeStyle] = {
    "Country": NodeStyle("#e15759", "dot", "●", "国"),
    "Person": NodeStyle("#4e79a7", "triangle", "▲", "人物"),
    "Organization": NodeStyle("#f28e2b", "square", "■", "組織"),
    "Agreement": NodeStyle("#59a14f", "diamond", "◆", "合意文書"),
    "Meeting": NodeStyle("#b07aa1", "star", "★", "会議"),
    "Program": NodeStyle("#76b7b2", "hexagon", "⬢", "プログラム"),
    "Visit": NodeStyle("#edc948", "triangleDown", "▼", "訪問"),
    "Place": NodeStyle("#9c755f", "dot", "●", "地名"),
}
DEFAULT_STYLE = NodeStyle("#bab0ac", "dot", "●", "その他")

#: Above this many nodes a view keeps only the most connected ones (and says so on the page).
MAX_NODES = 400
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

    simple = _undirected(H)
    deg = dict(simple.degree())
    total = H.number_of_nodes()
    if max_nodes is not None and total > max_nodes:
        ranked = sorted(H, key=lambda n: (n != center, -deg[n], str(n)))
        H = H.subgraph(ranked[:max_nodes])
        simple = _undirected(H)
        notes.insert(0, f"Showing the {max_nodes:,} most connected of {total:,} nodes "
                        "(narrow the view with focus, years or classes to see the rest).")

    pos, approximate = _layout(simple, seed)
    if approximate:
        notes.append("Large graph: positions are approximate.")
    net = KGNetwork(heading=heading, directed=H.is_directed())
    net.notes = notes
    _fill(net, H, simple, pos)
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


def _layout(simple: nx.Graph, seed: int) -> tuple[dict[Any, tuple[float, float]], bool]:
    """Positions in pixels, and whether they are only approximate (very large graphs)."""
    n = simple.number_of_nodes()
    if n == 0:
        return {}, False
    approximate = False
    if n <= _EXACT_LAYOUT:
        return _packed_layout(simple, seed), False
    else:
        try:
            pos = nx.spring_layout(simple, seed=seed)
        except ImportError:  # no scipy: lay out the best connected core, attach the rest
            pos = _core_layout(simple, seed)
            approximate = True
    scale = 200 + 60 * math.sqrt(n)
    return {v: (round(float(x) * scale, 1), round(float(y) * scale, 1))
            for v, (x, y) in pos.items()}, approximate


def _packed_layout(simple: nx.Graph, seed: int) -> dict[Any, tuple[float, float]]:
    """Each connected component laid out on its own, sized by its node count, then packed in
    rows, largest first — so a few isolated nodes do not squeeze the main network into a dot."""
    components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), sorted(map(str, c))[0]))
    pos: dict[Any, tuple[float, float]] = {}
    x = y = row_height = 0.0
    width = 0.0
    for comp in components:
        sub = simple.subgraph(comp)
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


def _node_tip(H: nx.Graph, n: Any, data: dict[str, Any]) -> dict[str, Any]:
    cls = data.get("cls") or "Other"
    style = NODE_STYLES.get(cls, DEFAULT_STYLE)
    facts: list[list[str]] = [["class", f"{style.name_ja} {cls}"]]
    for key, name in (("label_en", "English"), ("iso3", "ISO3"), ("role", "role"),
                      ("agreement_type", "type")):
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
    shown = [
        [str(p.get("doc") or ""), str(p.get("paragraph") or ""), _clip(p.get("text") or "")]
        for p in passages[:_MAX_PASSAGES]
    ]
    tip: dict[str, Any] = {"head": str(data.get("label", n)), "facts": facts, "passages": shown}
    more = len(passages) - len(shown)
    docs = data.get("docs") or []
    if more > 0:
        tip["more"] = f"+{more} more passages ({len(docs)} documents)"
    elif not passages and docs:
        tip["more"] = "documents: " + _clip("; ".join(docs), 300)
    return tip


def _edge_tip(H: nx.Graph, u: Any, v: Any, data: dict[str, Any], relation: str) -> dict[str, Any]:
    names = (str(H.nodes[u].get("label", u)), str(H.nodes[v].get("label", v)))
    facts = [["relation", relation]]
    labels = data.get("labels") or {}
    for kind in ("agreements", "meetings", "programs", "visits"):
        items = data.get(kind)
        if items:
            facts.append([kind, _clip("; ".join(str(labels.get(i, i)) for i in items), 400)])
    if data.get("years"):
        facts.append(["years", ", ".join(str(y) for y in data["years"])])
    return {"head": f"{names[0]} — {names[1]}", "facts": facts, "passages": []}


def _fill(net: KGNetwork, H: nx.Graph, simple: nx.Graph, pos: dict) -> None:
    """Fill ``net.nodes``/``net.edges`` directly: pyvis's ``add_edge`` is quadratic."""
    deg = dict(simple.degree())
    top = max(deg.values(), default=0) or 1
    for n, data in H.nodes(data=True):
        style = NODE_STYLES.get(data.get("cls") or "", DEFAULT_STYLE)
        x, y = pos.get(n, (0.0, 0.0))
        net.nodes.append({
            "id": str(n),
            "label": _label(data, n),
            "shape": style.shape,
            "color": style.color,
            "size": round(8 + 26 * math.sqrt(deg.get(n, 0) / top), 1),
            "x": x,
            "y": y,
            "cls": data.get("cls") or "Other",
            "tip": _node_tip(H, n, data),
        })
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
        edge["tip"] = _edge_tip(H, u, v, data, relation)
        net.edges.append(edge)


def _options(directed: bool, n: int) -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n > 1000,
                        "hideEdgesOnZoom": n > 1000, "navigationButtons": False},
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": _FONT}},
        "edges": {
            "smooth": False,
            "color": {"color": "#b5b5b5", "highlight": "#444444", "hover": "#444444"},
            "font": {"size": 10, "align": "middle", "color": "#666666", "face": _FONT,
                     "strokeWidth": 2},
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


_TEMPLATE = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }}</title>
<style>{{ vis_css }}</style>
<style>
  body { margin: 0; font-family: {{ font }}; color: #222; background: #fff; }
  header { padding: 8px 14px; border-bottom: 1px solid #ddd; display: flex; flex-wrap: wrap;
           align-items: center; gap: 8px 18px; }
  header h1 { font-size: 18px; margin: 0; }
  #bkg-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0; padding: 0;
                list-style: none; font-size: 13px; }
  #bkg-legend .sym { font-size: 15px; margin-right: 3px; }
  #bkg-find { font-size: 13px; padding: 2px 6px; width: 14em; }
  .bkg-note { margin: 0; padding: 5px 14px; background: #fff7d6; border-bottom: 1px solid #eedc8a;
              font-size: 13px; }
  #mynetwork { width: {{ width }}; height: {{ height }}; background: #fff; }
  div.vis-tooltip { max-width: 460px; white-space: normal; font-family: {{ font }};
                    font-size: 12px; line-height: 1.45; padding: 8px 10px; }
  .bkg-tip-head { font-weight: bold; font-size: 13px; margin-bottom: 3px; }
  .bkg-tip-fact b { color: #555; font-weight: 600; }
  .bkg-tip-passages { margin: 5px 0 0; padding-left: 16px; }
  .bkg-tip-passages li { margin-bottom: 3px; }
  .bkg-tip-doc { color: #666; font-style: italic; }
  .bkg-tip-more { color: #666; margin-top: 3px; }
</style>
</head>
<body>
<header>
  <h1>{{ heading }}</h1>
  <ul id="bkg-legend">
  {%- for cls, style, count in legend %}
    <li data-class="{{ cls }}"><span class="sym" style="color: {{ style.color }}">{{ style.symbol }}</span>{{ style.name_ja }} {{ cls }} ({{ count }})</li>
  {%- endfor %}
  </ul>
  <label>検索 <input id="bkg-find" type="search" placeholder="label / ラベル"></label>
  <span id="bkg-count">{{ n_nodes }} nodes, {{ n_edges }} edges</span>
</header>
{%- for note in notes %}
<p class="bkg-note">{{ note }}</p>
{%- endfor %}
<div id="mynetwork"></div>
<script type="application/json" id="bkg-data">{{ data }}</script>
<script>{{ vis_js }}</script>
<script>
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("bkg-data").textContent);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function tip(t) {
    var root = el("div", "bkg-tip");
    root.appendChild(el("div", "bkg-tip-head", t.head));
    (t.facts || []).forEach(function (f) {
      var row = el("div", "bkg-tip-fact");
      row.appendChild(el("b", null, f[0] + ": "));
      row.appendChild(document.createTextNode(f[1]));
      root.appendChild(row);
    });
    if (t.passages && t.passages.length) {
      var list = el("ul", "bkg-tip-passages");
      t.passages.forEach(function (p) {
        var item = el("li");
        item.appendChild(el("span", "bkg-tip-doc", p[0] + (p[1] ? " ¶" + p[1] : "") + ": "));
        item.appendChild(document.createTextNode(p[2]));
        list.appendChild(item);
      });
      root.appendChild(list);
    }
    if (t.more) { root.appendChild(el("div", "bkg-tip-more", t.more)); }
    return root;
  }
  payload.nodes.forEach(function (n) { if (n.tip) { n.title = tip(n.tip); delete n.tip; } });
  payload.edges.forEach(function (e) { if (e.tip) { e.title = tip(e.tip); delete e.tip; } });
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, payload.options);
  window.nodes = nodes;
  window.edges = edges;
  window.network = network;
  var find = document.getElementById("bkg-find");
  find.addEventListener("change", function () {
    var q = find.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); return; }
    var hits = nodes.getIds({filter: function (n) {
      return String(n.label).toLowerCase().indexOf(q) >= 0;
    }});
    network.selectNodes(hits);
    if (hits.length) { network.fit({nodes: hits, animation: false}); }
  });
  network.once("afterDrawing", function () { window.bkgReady = true; });
})();
</script>
</body>
</html>
"""


@lru_cache(maxsize=1)
def _template() -> Any:
    return Environment(autoescape=True).from_string(_TEMPLATE)


def render_html(net: Network) -> str:
    """The whole page for a view: self-contained, no external resource.

    Works for a :class:`KGNetwork` and, without legend and notes, for any pyvis ``Network``.
    """
    js, css = _vis_assets()
    options = getattr(net, "view_options", None) or _options(net.directed, len(net.nodes))
    legend = [(cls, NODE_STYLES.get(cls, DEFAULT_STYLE), count)
              for cls, count in getattr(net, "legend", [])]
    return _template().render(
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
        data=_script_json({"nodes": net.nodes, "edges": net.edges, "options": options}),
    )


def render_store(source: Any, **view_options: Any) -> str:
    """The page for a whole build (a build folder, Store or rdflib graph): what ``graph.html`` is.

    ``view_options`` go to :func:`build_view`.
    """
    net = build_view(entity_graph(source), **view_options)
    return render_html(net)


def write_view(net: Network, path: str | os.PathLike[str]) -> Path:
    """Write a view's page atomically (a temporary file in the same folder, then rename).

    >>> import tempfile, pathlib
    >>> net = build_view(nx.Graph([("a", "b")]))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = write_view(net, pathlib.Path(d) / "g.html")
    ...     "vis.DataSet" in page.read_text(encoding="utf-8")
    True
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(net)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
