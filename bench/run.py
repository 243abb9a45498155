"""All the benchmarks of bilateral-kg in one run (``make bench``): speed ratios, side by side.

    .venv/bin/python bench/run.py            # full run (a few minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # smaller sizes, fewer repetitions
    .venv/bin/python bench/run.py --only sparql --sparql-sizes 1000 10000

Sections (each a comparison of two variants measured in the same run, interleaved):

* ``parse cache`` — ``extract_paths`` over the sample corpus with an empty cache folder (cold)
  vs the same folder again (warm), and the parse step alone; hits and misses of the cache
  (bench/parse_cache.py).
* ``sparql`` — the same queries through rdflib's SPARQL engine vs pyoxigraph over synthetic,
  contract-shaped graphs of ~1k, ~10k and ~100k triples, each engine capped by a time budget
  (bench/sparql.py).
* ``views`` — filling a pyvis Network with ``add_node``/``add_edge`` vs the direct fill of
  ``kg.views``, at 2,000 nodes (bench/views.py).

Prints a table of median seconds per variant and the ratio (baseline / faster), and writes
every sample to ``bench/results.json``. Numbers are measurements of this machine at this
moment, never assertions: nothing here fails because something got slower.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (puts the repository on sys.path)
from common import BENCH, Row, print_table, side_by_side  # noqa: E402

SECTIONS = ("cache", "sparql", "views")
PACKAGES = ("spacy", "ginza", "ja-ginza", "SudachiPy", "rdflib", "pyoxigraph", "pyvis", "networkx")

FULL = {"cache_reps": 3, "sparql_sizes": [1000, 10_000, 100_000], "sparql_reps": 5,
        "rdflib_budget": 15.0, "oxigraph_budget": 15.0, "view_nodes": 2000, "view_reps": 5}
QUICK = {"cache_reps": 1, "sparql_sizes": [1000, 10_000], "sparql_reps": 3,
         "rdflib_budget": 5.0, "oxigraph_budget": 5.0, "view_nodes": 2000, "view_reps": 2}


def _load_views_bench():
    """bench/views.py, imported by path (the name ``views`` is kg.views' inside the package)."""
    spec = importlib.util.spec_from_file_location("bench_views", BENCH / "views.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def views_section(nodes: int, reps: int) -> list[Row]:
    vb = _load_views_bench()
    G = vb.synthetic(nodes)
    vb.direct_fill(G)  # warm imports and allocations, untimed
    # plain_pyvis / direct_fill time themselves; side_by_side adds only a gc pause around them
    samples_slow, samples_fast = [], []
    slow, fast = side_by_side(lambda: samples_slow.append(vb.plain_pyvis(G)),
                              lambda: samples_fast.append(vb.direct_fill(G)), reps=reps)
    slow.samples, fast.samples = samples_slow, samples_fast
    return [Row("views", f"pyvis fill, {nodes} nodes / {G.number_of_edges()} edges",
                "add_node/add_edge", slow, "direct fill", fast,
                "add_edge scans every existing edge; kg.views appends directly",
                extra={"nodes": nodes, "edges": G.number_of_edges()})]


def machine() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "packages": versions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smaller run: 1 cold/warm pair, 1k and 10k triples, 2 view repetitions")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="run only this section (repeatable)")
    parser.add_argument("--corpus", type=Path, default=common.ROOT / "data" / "corpus",
                        help="documents for the parse cache section (default: data/corpus)")
    parser.add_argument("--sparql-sizes", type=int, nargs="+", metavar="TRIPLES",
                        help="synthetic graph sizes, in distinct triples")
    parser.add_argument("--rdflib-budget", type=float, metavar="SECONDS",
                        help="per query: skip a size for rdflib when a run is predicted longer, "
                             "and stop repeating once spent")
    parser.add_argument("--oxigraph-budget", type=float, metavar="SECONDS",
                        help="the same cap for pyoxigraph")
    parser.add_argument("--json", type=Path, default=BENCH / "results.json",
                        help="where to write every sample (default: bench/results.json)")
    args = parser.parse_args(argv)

    cfg = dict(QUICK if args.quick else FULL)
    if args.sparql_sizes:
        cfg["sparql_sizes"] = args.sparql_sizes
    if args.rdflib_budget is not None:
        cfg["rdflib_budget"] = args.rdflib_budget
    if args.oxigraph_budget is not None:
        cfg["oxigraph_budget"] = args.oxigraph_budget
    sections = args.only or list(SECTIONS)

    started = time.perf_counter()
    rows: list[Row] = []
    print(f"bilateral-kg benchmarks ({'quick' if args.quick else 'full'} run, "
          f"{os.cpu_count()} CPUs): {', '.join(sections)}", flush=True)
    if "cache" in sections:
        import parse_cache

        rows += parse_cache.bench(args.corpus, reps=cfg["cache_reps"],
                                  log=lambda m: print(m, flush=True))
    if "sparql" in sections:
        import sparql

        rows += sparql.bench(cfg["sparql_sizes"], reps=cfg["sparql_reps"],
                             rdflib_budget_s=cfg["rdflib_budget"],
                             oxigraph_budget_s=cfg["oxigraph_budget"],
                             log=lambda m: print(m, flush=True))
    if "views" in sections:
        print(f"  views: {cfg['view_nodes']} nodes, {cfg['view_reps']} repetitions", flush=True)
        rows += views_section(cfg["view_nodes"], cfg["view_reps"])
    elapsed = time.perf_counter() - started

    print()
    print_table(rows)
    print(f"\nmedians of interleaved repetitions; ratio = baseline / faster (below 1: the baseline "
          f"won). Whole run: {elapsed:.0f}s.")

    result = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "sections": sections,
        "config": cfg,
        "machine": machine(),
        "elapsed_s": elapsed,
        "rows": [r.to_json() for r in rows],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
