"""Benchmark: how fast the light commands of ``bkg`` start and answer, in fresh processes.

    .venv/bin/python bench/cli_start.py                 # a small store (~10k triples), 10 runs
    .venv/bin/python bench/cli_start.py --million       # a 1M-triple store (built once, cached)
    .venv/bin/python bench/cli_start.py --triples 200000 --reps 5

Each timing is the wall time of one whole process, from spawn to exit, as a user sees it:

* ``bkg --version``, ``bkg queries``, ``bkg stats OUT`` against ``python -c pass`` (the
  interpreter's own start, the floor no command can go under);
* ``bkg query OUT <query>`` against the same query run by a bare ``python -c 'import
  pyoxigraph; …'`` that opens the same store and prints every row (raw pyoxigraph).

The store is contract-shaped synthetic data (documents, passages, countries, persons,
agreements with dates, in one named graph per document), written as TriG and loaded with
``kg.store.load_trig`` the way ``bkg build`` loads its store. Built stores are kept under
``--workdir`` (default: the system's temporary folder) and reused by later runs.

The query counts the agreements between two countries per year: about 50 ms inside pyoxigraph
on the 1M-triple store (its in-process time is printed in the note), 36 rows.
Numbers are measurements of this machine at this moment, never assertions.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401  (puts the repository on sys.path)
from common import ROOT, Row, print_table, repeat, side_by_side

#: The query of ``bkg query`` and of the raw run: agreements between two countries, per year
#: (some 50 ms inside pyoxigraph on the 1M-triple store; 36 rows).
QUERY = """SELECT ?year (COUNT(?a) AS ?n) WHERE {
  ?a bkg:party <https://w3id.org/bilateral-kg/id/country/KGZ>,
               <https://w3id.org/bilateral-kg/id/country/UZB> ;
     bkg:date ?date .
  BIND (SUBSTR(STR(?date), 1, 4) AS ?year)
} GROUP BY ?year ORDER BY ?year"""

#: What ``bkg query`` predeclares, written out for the raw run.
RAW_PREFIXES = {"bkg": "https://w3id.org/bilateral-kg/ontology#"}

#: The raw run: open the store read-only, run the same query over its default graph (where
#: ``bkg build`` keeps the union of the documents' graphs) and print every row.
RAW = f"""import sys, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
out = [" ".join(str(t) for t in row) for row in store.query(sys.argv[2], prefixes={RAW_PREFIXES!r})]
print("\\n".join(out))
"""

ONTOLOGY = "https://w3id.org/bilateral-kg/ontology#"
ID = "https://w3id.org/bilateral-kg/id/"
GRAPH = "https://w3id.org/bilateral-kg/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
CODES = ("JPN", "KGZ", "KAZ", "UZB", "TJK", "TKM", "MNG", "KOR", "CHN", "USA", "IND", "VNM")


#: How ``bkg`` is started: what the console script of pyproject.toml runs (kg.console:main), the
#: script installed beside this interpreter as it is (made for whatever entry point was
#: installed), or ``python -m kg.cli`` (Typer imported, the light path still taken).
ENTRIES = ("console", "script", "cli")


def _bkg_command(entry: str = "console") -> list[str]:
    if entry == "script":
        script = Path(sys.executable).with_name("bkg")
        if not script.exists():
            raise SystemExit(f"no bkg script beside {sys.executable}; use --entry console")
        return [str(script)]
    if entry == "cli":
        return [sys.executable, "-m", "kg.cli"]
    return [sys.executable, "-c",
            "import sys; sys.argv[0] = 'bkg'; from kg.console import main; main()"]


def _env() -> dict[str, str]:
    """This environment, but with bytecode caching on: an installed package has its ``.pyc``
    files, so the warm-up run writes them and the timed runs read them."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _adder(lines: list[str]):
    def add(s: str, p: str, o: str) -> None:
        lines.append(f"  {s} {p} {o} .\n")

    return add


def write_trig(path: Path, triples: int, seed: int = 1) -> int:
    """Write contract-shaped documents to ``path`` (TriG, one graph per document) until the
    union holds about ``triples`` distinct triples, and return that number (every triple is
    new but a country's ``a bkg:Country``, re-stated in each document that names it, as
    ``kg.rdf`` does)."""
    rng = random.Random(seed)
    typed: set[str] = set()
    written = 0
    n = 0
    with path.open("w", encoding="utf-8") as out:
        while written < triples:
            lines: list[str] = []
            add = _adder(lines)

            doc = f"<{ID}document/d{n:07d}>"
            year = rng.randint(1990, 2025)
            add(doc, f"<{RDF_TYPE}>", f"<{ONTOLOGY}Document>")
            add(doc, f"<{ONTOLOGY}docType>", f"<{ONTOLOGY}JointStatement>")
            passages = []
            for i in range(6):
                p = f"<{ID}document/d{n:07d}/p{i}>"
                passages.append(p)
                add(p, f"<{RDF_TYPE}>", f"<{ONTOLOGY}Passage>")
                add(p, f"<{ONTOLOGY}document>", doc)
                add(p, f"<{ONTOLOGY}text>", f'"第{i + 1}段落。両国は協力を確認した。"@ja')
            named = ["JPN", *rng.sample(CODES[1:], 2)]
            repeated = 0
            for code in named:
                c = f"<{ID}country/{code}>"
                add(c, f"<{RDF_TYPE}>", f"<{ONTOLOGY}Country>")
                repeated += code in typed
                typed.add(code)
                add(c, f"<{ONTOLOGY}mentionedIn>", rng.choice(passages))
            for j in range(3):
                a = f"<{ID}agreement/a{n:07d}-{j}>"
                add(a, f"<{RDF_TYPE}>", f"<{ONTOLOGY}Agreement>")
                add(a, f"<{LABEL}>", f'"協定{n}-{j}"@ja')
                add(a, f"<{ONTOLOGY}date>",
                    f'"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"^^<{XSD_DATE}>')
                for code in rng.sample(named, 2):
                    add(a, f"<{ONTOLOGY}party>", f"<{ID}country/{code}>")
                add(a, f"<{ONTOLOGY}mentionedIn>", rng.choice(passages))
            out.write(f"<{GRAPH}d{n:07d}> {{\n{''.join(lines)}}}\n")
            written += len(lines) - repeated
            n += 1
    return written


def build_store(workdir: Path, triples: int) -> Path:
    """A build folder ``workdir/cli-start-N`` holding ``store/`` (reused when already there)."""
    from kg.store import load_trig

    out = workdir / f"cli-start-{triples}"
    if (out / "store" / "CURRENT").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    trig = out / "kg.trig"
    write_trig(trig, triples)
    partial = out / "store.partial"
    if partial.exists():
        import shutil

        shutil.rmtree(partial)
    load_trig(trig, partial)
    partial.rename(out / "store")
    return out


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=_ENV, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}… exited {done.returncode}: "
                           f"{done.stderr.decode('utf-8', 'replace')[-400:]}")


def _in_process_query_s(store_dir: Path, reps: int) -> float:
    """Median seconds of the query inside this process (the store opened once)."""
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(store_dir))
    return repeat(lambda: sum(1 for _ in store.query(QUERY, prefixes=RAW_PREFIXES)), reps=reps).median or 0.0


def _rows(out: Path) -> int:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / "store"))
    n = sum(1 for _ in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph()))
    del store
    return n


_ENV = _env()
TARGET_START_S = 0.15
TARGET_QUERY_RATIO = 1.3


def bench(triples: int = 10_000, *, reps: int = 10, workdir: Path | None = None,
          entry: str = "console", log=print) -> list[Row]:
    """One row per command: its process wall time against the interpreter's bare start, and
    ``bkg query`` against raw pyoxigraph on the same store and query."""
    workdir = workdir or Path(tempfile.gettempdir())
    t0 = time.perf_counter()
    out = build_store(workdir, triples)
    size = _rows(out)
    log(f"  cli start: store {out} ({size:,} triples in the union), ready in "
        f"{time.perf_counter() - t0:.1f}s; bkg started as {entry!r}")
    bkg = _bkg_command(entry)
    floor = [sys.executable, "-c", "pass"]
    for argv in (floor, [*bkg, "--version"], [*bkg, "stats", str(out)]):  # untimed warm-up
        _run(argv)
    rows: list[Row] = []
    label = f"{size // 1000}k" if size < 1_000_000 else f"{size / 1e6:.1f}M"
    for case, argv in (("bkg --version", [*bkg, "--version"]),
                       ("bkg queries", [*bkg, "queries"]),
                       (f"bkg stats @ {label}", [*bkg, "stats", str(out)])):
        _run(argv)
        slow, fast = side_by_side(lambda a=argv: _run(a), lambda: _run(floor), reps=reps)
        ok = "ok" if slow.median <= TARGET_START_S else "OVER"
        rows.append(Row("cli start", case, case.split(" @")[0], slow, "python -c pass", fast,
                        f"{slow.median - fast.median:+.3f}s over the interpreter; "
                        f"target <= {TARGET_START_S:.2f}s: {ok}"))
        log(f"    {case}: {slow.median:.3f}s (python -c pass {fast.median:.3f}s)")
    query_argv = [*bkg, "query", str(out), QUERY]
    raw_argv = [sys.executable, "-c", RAW, str(out / "store"), QUERY]
    _run(query_argv)
    _run(raw_argv)
    inside = _in_process_query_s(out / "store", min(reps, 5))
    slow, fast = side_by_side(lambda: _run(query_argv), lambda: _run(raw_argv), reps=reps)
    ratio = slow.median / fast.median if fast.median else float("nan")
    ok = "ok" if ratio <= TARGET_QUERY_RATIO else "OVER"
    rows.append(Row("cli start", f"bkg query @ {label}", "bkg query", slow, "raw pyoxigraph", fast,
                    f"query alone {inside * 1e3:.0f}ms in process; target bkg/raw <= "
                    f"{TARGET_QUERY_RATIO}: {ok}",
                    extra={"triples": size, "query_in_process_s": inside}))
    log(f"    bkg query: {slow.median:.3f}s, raw {fast.median:.3f}s (query alone {inside:.3f}s)")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--million", action="store_true", help="a 1M-triple store")
    size.add_argument("--triples", type=int, default=10_000, metavar="N",
                      help="store size in triples (default: 10000)")
    parser.add_argument("--reps", type=int, default=10, help="runs of each command (default: 10)")
    parser.add_argument("--entry", choices=ENTRIES, default="console",
                        help="how bkg is started (default: console, the entry point of "
                             "pyproject.toml, kg.console:main)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where stores are built and kept (default: the temporary folder)")
    args = parser.parse_args(argv)
    triples = 1_000_000 if args.million else args.triples
    rows = bench(triples, reps=args.reps, workdir=args.workdir, entry=args.entry,
                 log=lambda m: print(m, flush=True))
    print()
    print_table(rows)
    print("\nmedian wall time of whole processes; ratio = command / baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
