"""One large document, built (issues 9 and 11). Printed, never asserted.

A single .txt of 1 MB and 5 MB (20 MB with ``--large``) is made by concatenating the texts of
data/corpus and data/devset as many times as needed, each copy under its own numbered heading:
the passages are mostly repeats, so the parse cache makes even the first build feasible. For
each size, in a fresh process each (so that the peak RSS is the build's own):

* **cold**: the parse cache warm, the fact cache and the graph cache cold (``CACHE/facts`` and
  ``CACHE/graphs`` removed) and no earlier outputs — extraction and the whole RDF path;
* **warm**: the same build again into the same folder — facts and graphs from the caches, the
  unchanged outputs left as they are (goal at 20 MB: well under 60 s);
* **warm, new folder**: the caches warm, every output written (kg.trig, the pyoxigraph store and
  graph.html: the post-extraction path for 1M+ triples, goal ≤ 60 s for 1M).

The first build of the run also fills the parse cache (shown as ``first``). Seconds are wall
clock; CPU is user + system of the build process (not of the processes that parse for it);
peak RSS is its ``ru_maxrss``.

    nice .venv/bin/python bench/large_document.py [--sizes 1,5] [--large] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def texts() -> list[str]:
    """The texts of the sample documents (data/corpus and data/devset .txt files), in name order."""
    return [path.read_text(encoding="utf-8").strip()
            for folder in (ROOT / "data" / "corpus", ROOT / "data" / "devset")
            for path in sorted(folder.glob("*.txt"))]


def make_document(path: Path, size: int) -> Path:
    """A single document of at least ``size`` bytes (UTF-8): the sample texts again and again,
    each copy under a numbered heading (``第N部``), so that only the headings are new passages."""
    parts, total, n = ["大規模文書試験\n2024年1月1日\n"], 0, 0
    body = "\n\n".join(texts())
    while total < size:
        n += 1
        piece = f"第{n}部\n\n{body}\n"
        parts.append(piece)
        total += len(piece.encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _child(source: Path, out: Path, cache: Path) -> None:
    """One build in this process; its numbers as one JSON line on stdout."""
    import resource
    import time

    from kg.build import build

    wall, cpu = time.perf_counter(), time.process_time()
    result = build([source], out, progress=False, cache_dir=cache)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({
        "seconds": wall, "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "triples": result.triples, "extracted": result.extracted, "cached": result.cached,
        "unchanged": list(result.unchanged),
    }))


def run_build(source: Path, out: Path, cache: Path) -> dict:
    """:func:`_child` in a fresh interpreter (its own peak RSS)."""
    done = subprocess.run([sys.executable, __file__, "--child", str(source), str(out), str(cache)],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"build of {source} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(size_mb: float, work: Path, cache: Path) -> list[tuple[str, dict]]:
    source = make_document(work / f"doc-{size_mb:g}mb.txt", int(size_mb * 1_000_000))
    out = work / f"out-{size_mb:g}mb"
    rows: list[tuple[str, dict]] = []
    if not (cache / "parses-warmed").exists():  # the first build of the run fills the parse cache
        rows.append(("first", run_build(source, work / "out-first", cache)))
        (cache / "parses-warmed").touch()
    for folder in ("facts", "graphs", "builds"):
        shutil.rmtree(cache / folder, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    rows.append(("cold", run_build(source, out, cache)))
    rows.append(("warm", run_build(source, out, cache)))
    shutil.rmtree(work / "out-new", ignore_errors=True)
    rows.append(("warm, new folder", run_build(source, work / "out-new", cache)))
    shutil.rmtree(work / "out-new", ignore_errors=True)
    return [(f"{size_mb:g} MB", mode, numbers) for mode, numbers in rows]


def print_rows(rows) -> None:
    print("| size | mode | seconds | CPU s | peak RSS | triples | notes |\n|---|---|---:|---:|---:|---:|---|")
    for size, mode, n in rows:
        notes = f"extracted {n['extracted']}, cached {n['cached']}"
        if n["unchanged"]:
            notes += f"; unchanged: {', '.join(n['unchanged'])}"
        print(f"| {size} | {mode} | {n['seconds']:.1f} | {n['cpu']:.1f} | {n['peak_mb']:,.0f} MB "
              f"| {n['triples']:,} | {notes} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5", help="document sizes in MB, comma separated (default 1,5)")
    parser.add_argument("--large", action="store_true", help="add the 20 MB document")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the documents, outputs and cache go (default: a temporary folder, removed)")
    parser.add_argument("--child", nargs=3, metavar=("SOURCE", "OUT", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*(Path(a) for a in args.child))
        return 0
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    if args.large and 20 not in sizes:
        sizes.append(20)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bkg-bench-large-"))
    cache = work / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ["BKG_CACHE"] = str(cache)  # nothing of the user's cache is read
    rows = []
    try:
        for size in sizes:
            rows.extend(measure(size, work, cache))
            print(f"… {size:g} MB done", file=sys.stderr, flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nOne large document (issues 9 and 11), {os.cpu_count()} cores\n")
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
