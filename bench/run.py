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

Sections that are programs of their own, each run in a fresh process (so its time and peak
memory are its own) and its printed table kept as it is:

* ``viewscale`` — the view at 2,000 / 5,000 / 10,000 nodes: layout, build, page size, first
  draw and settle in headless Chromium (bench/view_scale.py);
* ``incremental`` — cold build vs warm rebuild, adding one document, build vs raw
  ``nlp.pipe`` throughput on 1 and 2 processes (bench/incremental.py);
* ``analyze`` — ``bkg analyze`` on a ~1M-triple graph: seconds and peak RSS (bench/analyze.py);
* ``cli`` — process start of ``bkg query`` / ``stats`` / ``queries`` vs raw pyoxigraph
  (bench/cli_start.py);
* ``large`` — one large document: build time and peak memory, cold and cached
  (bench/large_document.py).

Every section's output also goes into the "Last run" part of bench/README.md.

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
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402  (puts the repository on sys.path)
from common import BENCH, Row, print_table, side_by_side  # noqa: E402

SECTIONS = ("cache", "sparql", "views", "viewscale", "incremental", "analyze", "cli", "large")
#: section -> (script, arguments of a full run, arguments of a quick run)
PROGRAMS = {
    "viewscale": ("view_scale.py", ["2000", "5000", "10000"], ["10000"]),
    "incremental": ("incremental.py", [], ["--documents", "10", "--chars", "40000"]),
    "analyze": ("analyze.py", [], ["--copies", "20", "--doc-copies", "8"]),
    "cli": ("cli_start.py", ["--million"], []),
    "large": ("large_document.py", ["--sizes", "1,5"], ["--sizes", "0.2"]),
}
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


def program_section(name: str, quick: bool) -> dict:
    """Run one benchmark program in a fresh process; its output, as printed."""
    script, full, short = PROGRAMS[name]
    path = BENCH / script
    if not path.exists():
        return {"section": name, "skipped": f"{script} is not there", "output": ""}
    cmd = [sys.executable, str(path), *(short if quick else full)]
    print(f"  {name}: {' '.join(cmd[1:])}", flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=common.ROOT, capture_output=True, text=True)
    output = proc.stdout.rstrip()
    print(output, flush=True)
    if proc.returncode:
        print(proc.stderr[-2000:], file=sys.stderr, flush=True)
    return {"section": name, "command": " ".join(cmd[1:]), "exit": proc.returncode,
            "seconds": round(time.perf_counter() - started, 1), "output": output}


def rows_markdown(rows: list[Row]) -> str:
    def fmt(t) -> str:
        return "—" if t.median is None else f"{t.median:.3f} s"

    lines = ["| section | case | baseline | faster | ratio |", "|---|---|---|---|---|"]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.1f}×"
        lines.append(f"| {r.section} | {r.case} | {r.slow_name}: {fmt(r.slow)} | "
                     f"{r.fast_name}: {fmt(r.fast)} | {ratio} |")
    return "\n".join(lines)


BEGIN, END = "<!-- make bench: begin -->", "<!-- make bench: end -->"


def write_readme(rows: list[Row], programs: list[dict], header: str) -> Path:
    """Replace the generated part of bench/README.md with this run's tables."""
    parts = [BEGIN, "", header, ""]
    if rows:
        parts += [rows_markdown(rows), ""]
    for p in programs:
        parts.append(f"### {p['section']}")
        parts.append("")
        if p.get("skipped"):
            parts += [f"not run: {p['skipped']}", ""]
            continue
        parts += [f"`{p['command']}` ({p['seconds']} s, exit {p['exit']})", "", "```text",
                  p["output"] or "(no output)", "```", ""]
    parts.append(END)
    readme = BENCH / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = "\n".join(parts)
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Last run (written by `make bench`)\n\n" + block + "\n"
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, readme)
    return readme


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
    parser.add_argument("--no-readme", action="store_true",
                        help="do not write this run's tables into bench/README.md")
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
    programs = [program_section(name, args.quick) for name in sections if name in PROGRAMS]
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
        "programs": programs,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    if not args.no_readme:
        header = (f"{result['when']}, {'quick' if args.quick else 'full'} run, {os.cpu_count()} CPUs, "
                  f"Python {platform.python_version()}; whole run {elapsed:.0f} s.")
        print(f"wrote {write_readme(rows, programs, header)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
