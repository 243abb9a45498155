"""Benchmark: how kg.views scales to a 10,000-node view.

    .venv/bin/python bench/view_scale.py [10000 ...]

For each size, a synthetic Barabási–Albert graph (2 edges per new node, classes in turn, Japanese
and English labels) is turned into a view with no node limit. Printed, never asserted:

* ``layout_s`` — the seeded layout alone (python-igraph Fruchterman–Reingold above 499 nodes);
* ``build_s`` — the whole of ``build_view`` (layout, styles, tooltips, passages);
* ``html_bytes`` — the size of the written page;
* ``first_draw_s`` — in headless Chromium (/usr/bin/chromium through Playwright, every request
  other than file:/data: refused), from navigation to the page's first drawing (``bkgReady``);
* ``settle_s`` — from navigation until a further full redraw (edges, nodes and the label pass)
  has finished: physics is off, so nothing moves after that;
* ``redraw_s`` — that one redraw alone (what a pan, zoom or filter costs);
* ``labels`` — how many labels the page drew at the default zoom.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from kg import views

CHROMIUM = "/usr/bin/chromium"


def synthetic(n: int) -> nx.Graph:
    G = nx.barabasi_albert_graph(n, 2, seed=1)
    classes = list(views.NODE_STYLES)
    for v in G:
        G.nodes[v].update(cls=classes[v % len(classes)], label=f"ノード{v}", label_ja=f"ノード{v}",
                          label_en=f"node {v}", years=[2000 + v % 25])
    for u, v in G.edges:
        G.edges[u, v]["relation"] = "participant"
    return G


def browser_times(page_path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        blocked: list[str] = []
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                      else (blocked.append(r.request.url), r.abort()))
        page = context.new_page()
        t0 = time.perf_counter()
        page.goto(page_path.as_uri())
        page.wait_for_function("window.bkgReady === true", timeout=120_000, polling=10)
        first = time.perf_counter() - t0
        redraw = page.evaluate("""() => new Promise(done => {
            const t = performance.now();
            network.once("afterDrawing", () => done((performance.now() - t) / 1000));
            network.redraw();
        })""")
        settle = time.perf_counter() - t0
        labels = page.evaluate("bkg.labels().length")
        browser.close()
    if blocked:
        raise SystemExit(f"the page made network requests: {blocked[:3]}")
    return {"first_draw_s": round(first, 2), "settle_s": round(settle, 2),
            "redraw_s": round(redraw, 3), "labels": labels}


def measure(n: int) -> dict[str, object]:
    G = synthetic(n)
    t = time.perf_counter()
    views._layout(views._undirected(G), 7)
    layout = time.perf_counter() - t
    t = time.perf_counter()
    net = views.build_view(G, max_nodes=None)
    build = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        page = views.write_view(net, Path(tmp) / "view.html")
        size = page.stat().st_size
        row: dict[str, object] = {"nodes": n, "edges": G.number_of_edges(),
                                  "layout_s": round(layout, 2), "build_s": round(build, 2),
                                  "html_bytes": size}
        row.update(browser_times(page))
    return row


COLUMNS = ("nodes", "edges", "layout_s", "build_s", "html_bytes", "first_draw_s", "settle_s",
           "redraw_s", "labels")


def main(argv: list[str]) -> None:
    """A markdown table, one row per size (goals of issues 11 and 13 at 10,000 nodes: layout
    ≤ 10 s, page ≤ 3 MB, open and settle ≤ 3 s); ``--json`` prints JSON lines instead."""
    as_json = "--json" in argv
    sizes = [int(a) for a in argv if a != "--json"] or [10_000]
    if not as_json:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
    for n in sizes:
        row = measure(n)
        if as_json:
            print(json.dumps(row), flush=True)
        else:
            print("| " + " | ".join(f"{row[c]:,}" if c == "html_bytes" else str(row[c]) for c in COLUMNS)
                  + " |", flush=True)
    if not as_json:
        print("\ngoals at 10,000 nodes: layout_s ≤ 10, html_bytes ≤ 3,000,000, settle_s ≤ 3 "
              "(headless Chromium, software rendering)")


if __name__ == "__main__":
    main(sys.argv[1:])
