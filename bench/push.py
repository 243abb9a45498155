"""Benchmark: `bkg push` of a graph of about a million triples to Virtuoso 7.

    .venv/bin/python bench/push.py [--triples 1000000] [--build DIR] [--buffers 100000]
                                   [--endpoint URL --graph-store URL] [--json FILE]

The data is the sample corpus build (``--build DIR``, else ``bkg build data/corpus`` in a tmp
folder, which needs the GiNZA model) exported as N-Quads and replicated with its IRIs rewritten
per copy (``…/id/X`` → ``…/id/cK/X``, ``…/graph/D`` → ``…/graph/cK-D``) until there are
``--triples`` distinct triples, in two shapes, each made a store with ``bkg load FILE --out DIR``:

* ``documents``: each copy keeps one graph per document (~2,700 triples each, ~370 graphs);
* ``one graph``: everything in a single named graph (one ``PUT`` of the whole graph).

Each shape is pushed twice with the real CLI (``bkg push DIR --graph-store … --endpoint …``, as
a researcher runs it): to an empty server, then again (each graph replaced). The ``local`` column
is push's own work without a server (reading the store, sorting, N-Triples serialization: the
same ``kg.push.push`` with its HTTP calls stubbed out); ``push`` is the wall time of the whole
command, the server's triple-count check included.

Without ``--endpoint`` a fresh throw-away Virtuoso is started on loopback for each shape
(``tests/kg/virtuoso_server.py``, ``--buffers`` pages of 8 KiB in its buffer pool) and stopped
after it. Numbers are printed (and written to ``--json``), never asserted; this is not part of
``make test`` nor of ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BKG = str(Path(sys.executable).with_name("bkg"))
ID = "<https://w3id.org/bilateral-kg/id/"
GRAPH = "<https://w3id.org/bilateral-kg/graph/"


def run(*args: str, timeout: float = 3600) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def virtuoso_helper():
    """tests/kg/virtuoso_server.py, loaded by path (it is not a package)."""
    path = ROOT / "tests" / "kg" / "virtuoso_server.py"
    spec = importlib.util.spec_from_file_location("virtuoso_server", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["virtuoso_server"] = module
    spec.loader.exec_module(module)
    return module


def source_build(given: Path | None, work: Path) -> Path:
    if given is not None:
        return given
    out = work / "corpus-build"
    print("building data/corpus (GiNZA) …", file=sys.stderr)
    run(BKG, "build", str(ROOT / "data" / "corpus"), "--out", str(out))
    return out


def synthesize(base: list[str], target: int, one_graph: bool, out: Path) -> int:
    """Write ``target`` distinct triples as N-Quads from copies of ``base``; returns the graphs."""
    seen: set[str] = set()
    graphs: set[str] = set()
    with out.open("w", encoding="utf-8") as f:
        copy = 0
        while len(seen) < target:
            for line in base:
                line = line.replace(ID, f"{ID}c{copy}/")
                triple, _, graph = line.rstrip(" .\n").rpartition(" ")
                if one_graph:
                    graph = f"{GRAPH}bench-{target}>"
                else:
                    graph = graph.replace(GRAPH, f"{GRAPH}c{copy}-")
                key = triple if one_graph else f"{triple} {graph}"
                if key in seen:
                    continue  # one graph: a triple several documents repeat is one triple
                seen.add(key)
                graphs.add(graph)
                f.write(f"{triple} {graph} .\n")
                if len(seen) >= target:
                    break
            copy += 1
    return len(graphs)


def local_seconds(store_dir: Path) -> float:
    """kg.push.push's own work (read, sort, serialize every graph), its HTTP calls stubbed out."""
    import kg.push as kp

    real = kp._request
    kp._request = lambda *a, **k: (201, b"")
    try:
        t = time.perf_counter()
        kp.push(store_dir, graph_store="http://127.0.0.1:9/stub", verify=False)
        return time.perf_counter() - t
    finally:
        kp._request = real


def push_seconds(store_dir: Path, graph_store: str, endpoint: str) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run([BKG, "push", str(store_dir), "--graph-store", graph_store,
                           "--endpoint", endpoint, "--timeout", "1800"],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        text = " ".join(re.sub(r"<[^>]+>", " ", done.stderr or done.stdout).split())
        m = re.search(r"HTTP \d{3}.*|error: .*", text)
        return seconds, "FAILED: " + (m.group(0) if m else text)[:160]
    return seconds, "verified"


def table(rows: list[dict]) -> str:
    headers = ["shape", "graphs", "triples", "run", "local s", "push s", "triples/s", "check"]
    cells = [[r["shape"], f"{r['graphs']:,}", f"{r['triples']:,}", r["run"], f"{r['local_s']:.1f}",
              f"{r['push_s']:.1f}", f"{r['triples_per_s']:,.0f}", r["check"]] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    right = {1, 2, 4, 5, 6}

    def line(values):
        return "| " + " | ".join(v.rjust(w) if i in right else v.ljust(w)
                                 for i, (v, w) in enumerate(zip(values, widths))) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if i in right else "-")
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(headers), rule, *(line(c) for c in cells)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--build", type=Path,
                    help="a build folder to replicate (default: build data/corpus)")
    ap.add_argument("--buffers", type=int, default=100_000, help="Virtuoso's NumberOfBuffers")
    ap.add_argument("--endpoint", help="an existing server's SPARQL URL (default: start Virtuoso)")
    ap.add_argument("--graph-store", help="its Graph Store URL (with --endpoint)")
    ap.add_argument("--shapes", default="documents,one graph")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--work", type=Path,
                    help="keep the synthesized stores in this folder and reuse them next time "
                    "(default: a tmp folder, removed at the end)")
    args = ap.parse_args()
    if bool(args.endpoint) != bool(args.graph_store):
        ap.error("give --endpoint and --graph-store together")

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-push-"))
    work.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        build = source_build(args.build, work)
        run(BKG, "export", str(build), "--format", "nquads", "--out", str(work / "base.nq"))
        base = (work / "base.nq").read_text(encoding="utf-8").splitlines(keepends=True)
        print(f"source: {build} ({len(base):,} quads)", file=sys.stderr)
        vs = None if args.endpoint else virtuoso_helper()
        rows, about = [], args.endpoint
        for shape in [s.strip() for s in args.shapes.split(",")]:
            if vs is None:
                endpoint, graph_store = args.endpoint, args.graph_store
            else:  # a fresh, empty server for each shape
                if server is not None:
                    server.stop()
                server = vs.start(work / f"virtuoso-{len(rows)}", buffers=args.buffers,
                                  query_mem="2G")
                endpoint, graph_store = server.sparql, server.graph_store
                about = (f"Virtuoso {server.version} on loopback, NumberOfBuffers="
                         f"{args.buffers:,} (~{args.buffers * 8 // 1024:,} MiB)")
                print(f"server: {about}, started in {server.startup_s:.1f} s", file=sys.stderr)
            name = f"{shape.replace(' ', '-')}-{args.triples}"
            nq, store_dir = work / f"{name}.nq", work / name
            if args.work and (store_dir / "store").is_dir() and (work / f"{name}.graphs").is_file():
                graphs, load_s = int((work / f"{name}.graphs").read_text()), float("nan")
            else:
                graphs = synthesize(base, args.triples, shape == "one graph", nq)
                t = time.perf_counter()
                run(BKG, "load", str(nq), "--out", str(store_dir))
                load_s = time.perf_counter() - t
                nq.unlink()
                (work / f"{name}.graphs").write_text(str(graphs))
            local = local_seconds(store_dir)
            print(f"{shape}: {graphs} graphs, bkg load {load_s:.1f} s, local {local:.1f} s",
                  file=sys.stderr)
            for label in ("first push", "re-push (replace)"):
                seconds, check = push_seconds(store_dir, graph_store, endpoint)
                rows.append({"shape": shape, "graphs": graphs, "triples": args.triples,
                             "run": label, "local_s": local, "load_s": load_s, "push_s": seconds,
                             "triples_per_s": args.triples / seconds, "check": check})
                print(f"  {label}: {seconds:.1f} s ({check})", file=sys.stderr)
        print(f"\n`bkg push` of {args.triples:,} triples — {about}\n")
        print(table(rows))
        if args.json:
            args.json.write_text(json.dumps({"server": about, "rows": rows}, indent=2) + "\n",
                                 encoding="utf-8")
    finally:
        if server is not None:
            server.stop()
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            shutil.rmtree(work / "corpus-build", ignore_errors=True)
            for old in work.glob("virtuoso-*"):
                shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    main()
