"""Benchmark: ``bkg analyze`` on a research-scale graph (~1M triples), time and peak memory.

    .venv/bin/python bench/analyze.py                 # build the inputs once, then measure
    .venv/bin/python bench/analyze.py --copies 40     # a smaller synthetic graph
    .venv/bin/python bench/analyze.py --engine networkx --k 200 --runs 1

Steps (each skipped when its output is already there, so a rerun only measures):

1. ``bkg build data/corpus --out WORK/small`` — the sample corpus (5 documents, ~16k triples);
2. ``bkg export WORK/small --format nquads`` — its named graphs as N-Quads;
3. :func:`synthesize` — ``--copies`` copies of those graphs with the entity, document and graph
   IRIs rewritten per copy (``…/person/<hash>`` -> ``…/person/<hash>-c7``), the years shifted
   back by up to 19 years per copy and the countries other than Japan rotated through a pool of
   40, so the graph stays connected through shared countries and spreads over ~two decades.
   The first ``--doc-copies`` copies replicate the documents and passages too; the others
   replicate only the entity statements and cite the passages of one of those copies, which
   gives the research-scale shape (~29k nodes, ~65k edges and ~1M triples with the defaults);
4. ``bkg load WORK/big.nq --out WORK/big`` — a store as ``bkg analyze`` reads it;
5. ``bkg analyze`` on the small build and the big store under ``/usr/bin/time -v``: wall
   seconds and peak RSS, printed and written to ``WORK/results.json``.

WORK is ``$TMPDIR/bkg-bench-analyze`` unless ``--work`` says otherwise: nothing is written in
the repository tree. Numbers are measurements of this machine at this moment, never assertions.
This file imports nothing from the other benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BKG = str(BIN / "bkg")

ID = "https://w3id.org/bilateral-kg/id/"
_ENTITY = re.compile(
    r"<https://w3id\.org/bilateral-kg/id/"
    r"(person|organization|agreement|meeting|program|visit|place|event|resolution)/([^>/]+)"
)
_DOC = re.compile(r"<https://w3id\.org/bilateral-kg/id/document/([^>/]+)")
_GRAPH = re.compile(r"<https://w3id\.org/bilateral-kg/graph/([^>]+)>")
_COUNTRY = re.compile(r"<https://w3id\.org/bilateral-kg/id/country/([A-Z]{3})>")
_DATE = re.compile(
    r'"(\d{4})((?:-\d\d){0,2})([^"]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#'
    r"(date|gYear|gYearMonth|dateTime)>"
)
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
_SAME = "<http://www.w3.org/2002/07/owl#sameAs>"
_ISO3 = "<https://w3id.org/bilateral-kg/ontology#iso3>"

#: Countries the rotation adds to those of the sample corpus (ISO3, Japanese, English).
EXTRA_COUNTRIES = (
    ("CHN", "中国", "China"), ("KOR", "韓国", "Republic of Korea"), ("IND", "インド", "India"),
    ("IDN", "インドネシア", "Indonesia"), ("VNM", "ベトナム", "Viet Nam"), ("THA", "タイ", "Thailand"),
    ("PHL", "フィリピン", "Philippines"), ("MYS", "マレーシア", "Malaysia"),
    ("USA", "アメリカ合衆国", "United States"), ("GBR", "英国", "United Kingdom"),
    ("FRA", "フランス", "France"), ("DEU", "ドイツ", "Germany"), ("ITA", "イタリア", "Italy"),
    ("AUS", "オーストラリア", "Australia"), ("BRA", "ブラジル", "Brazil"), ("TUR", "トルコ", "Türkiye"),
    ("IRN", "イラン", "Iran"), ("PAK", "パキスタン", "Pakistan"), ("BGD", "バングラデシュ", "Bangladesh"),
    ("EGY", "エジプト", "Egypt"), ("KEN", "ケニア", "Kenya"), ("ZAF", "南アフリカ", "South Africa"),
    ("MEX", "メキシコ", "Mexico"), ("CAN", "カナダ", "Canada"), ("AZE", "アゼルバイジャン", "Azerbaijan"),
    ("GEO", "ジョージア", "Georgia"), ("ARM", "アルメニア", "Armenia"), ("UKR", "ウクライナ", "Ukraine"),
    ("POL", "ポーランド", "Poland"), ("SAU", "サウジアラビア", "Saudi Arabia"),
    ("ARE", "アラブ首長国連邦", "United Arab Emirates"),
)
HOME = "JPN"  # never rotated: every copy links to it


def _lit(text: str, lang: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


def _country_names(lines: list[str]) -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    for line in lines:
        m = _COUNTRY.match(line)
        if not m or f" {_LABEL} " not in line:
            continue
        lit = re.search(r'"((?:[^"\\]|\\.)*)"@(\w+)', line)
        if lit:
            names.setdefault(m.group(1), {}).setdefault(lit.group(2), lit.group(1))
    for code, ja, en in EXTRA_COUNTRIES:
        names.setdefault(code, {"ja": ja, "en": en})
    return names


def synthesize(small_nq: Path, out_nq: Path, *, copies: int, doc_copies: int) -> dict[str, int]:
    """Write ``copies`` rewritten copies of ``small_nq`` to ``out_nq``; returns line counts.

    Copy 0 is the sample itself. Copy ``c`` suffixes every entity, event, resolution, document
    and named-graph IRI with ``-c<c>``; copies ``>= doc_copies`` leave out the document and
    passage statements and cite those of copy ``c % doc_copies`` instead. Years move back by
    ``(c % doc_copies) % 20``; countries other than Japan rotate by ``7 c`` through a pool of 40.
    Deterministic: the same arguments give the same file.
    """
    lines = small_nq.read_text(encoding="utf-8").splitlines()
    names = _country_names(lines)
    pool = sorted({m.group(1) for line in lines for m in _COUNTRY.finditer(line)} - {HOME})
    pool += [c for c, _, _ in EXTRA_COUNTRIES if c not in pool]
    doc_copies = max(1, min(doc_copies, copies))
    written = {"quads": 0, "copies": copies, "doc_copies": doc_copies}
    tmp = out_nq.with_name(out_nq.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for c in range(copies):
            docs_of = c % doc_copies
            shift = docs_of % 20
            own, cited = f"-c{c}" if c else "", f"-c{docs_of}" if docs_of else ""
            step = (7 * c) % len(pool)
            rotate = {code: pool[(i + step) % len(pool)] for i, code in enumerate(pool)}

            def entity(m: re.Match, own: str = own) -> str:
                return f"<{ID}{m.group(1)}/{m.group(2)}{own}"

            def doc(m: re.Match, cited: str = cited) -> str:
                return f"<{ID}document/{m.group(1)}{cited}"

            def graph(m: re.Match, own: str = own) -> str:
                return f"<https://w3id.org/bilateral-kg/graph/{m.group(1)}{own}>"

            def country(m: re.Match, rotate: dict = rotate) -> str:
                return f"<{ID}country/{rotate.get(m.group(1), m.group(1))}>"

            def date(m: re.Match, shift: int = shift) -> str:
                year, rest = int(m.group(1)) - shift, m.group(2)
                if rest == "-02-29":
                    rest = "-02-28"
                return f'"{year:04d}{rest}{m.group(3)}"^^<http://www.w3.org/2001/XMLSchema#{m.group(4)}>'

            for line in lines:
                if c >= doc_copies and line.startswith(f"<{ID}document/"):
                    continue
                head = _COUNTRY.match(line)
                if head and c and (code := rotate.get(head.group(1))) and code != head.group(1):
                    pred = line.split(" ", 2)[1]
                    if pred in (_ALT, _SAME):
                        continue
                    if pred == _LABEL:
                        lang = "en" if line.rstrip().rsplit(" ", 2)[0].endswith("@en") else "ja"
                        name = names.get(code, {}).get(lang) or code
                        g = line.rstrip(" .").rsplit(" ", 1)[1]
                        line = f"{head.group(0)} {_LABEL} {_lit(name, lang)} {g} ."
                    elif pred == _ISO3:
                        g = line.rstrip(" .").rsplit(" ", 1)[1]
                        line = f'{head.group(0)} {_ISO3} "{code}" {g} .'
                if c:
                    line = _ENTITY.sub(entity, line)
                    line = _DOC.sub(doc, line)
                    line = _GRAPH.sub(graph, line)
                    line = _COUNTRY.sub(country, line)
                if shift:
                    line = _DATE.sub(date, line)
                out.write(line + "\n")
                written["quads"] += 1
    tmp.replace(out_nq)
    return written


# --- running ---------------------------------------------------------------------------------


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def measure(cmd: list[str], timeout: float) -> dict[str, object]:
    """Run ``cmd`` under ``/usr/bin/time -v``: wall and CPU (user + system) seconds, peak RSS
    (MB), exit code. On a shared machine the CPU seconds are the steadier number."""
    timer = shutil.which("time") or "/usr/bin/time"
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as fh:
        report = fh.name
    print("$", " ".join(cmd), flush=True)
    start = time.perf_counter()
    try:
        proc = subprocess.run([timer, "-v", "-o", report, *cmd], check=False, capture_output=True,
                              text=True, timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        return {"seconds": None, "cpu_seconds": None, "peak_rss_mb": None, "exit": "timeout",
                "timeout_s": timeout}
    wall = time.perf_counter() - start
    text = Path(report).read_text()
    os.unlink(report)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    elapsed = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", text)
    cpu = sum(float(m.group(1)) for m in re.finditer(r"(?:User|System) time \(seconds\): ([\d.]+)",
                                                        text))
    seconds = wall
    if elapsed:
        h, m, s = elapsed.groups()
        seconds = int(h or 0) * 3600 + int(m) * 60 + float(s)
    if code:
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else None, "exit": code}


def prepare(work: Path, copies: int, doc_copies: int) -> tuple[Path, Path, dict]:
    small, small_nq = work / "small", work / "small.nq"
    big, big_nq = work / "big", work / "big.nq"
    if not (small / "store").is_dir():
        _run([BKG, "build", str(ROOT / "data" / "corpus"), "--out", str(small)],
             stdout=subprocess.DEVNULL)
    if not small_nq.is_file():
        _run([BKG, "export", str(small), "--format", "nquads", "--out", str(small_nq)])
    stamp = work / "big.json"
    wanted = {"copies": copies, "doc_copies": doc_copies}
    info = json.loads(stamp.read_text()) if stamp.is_file() else {}
    if {k: info.get(k) for k in wanted} != wanted or not (big / "store").is_dir():
        info = synthesize(small_nq, big_nq, copies=copies, doc_copies=doc_copies)
        _run([BKG, "load", str(big_nq), "--out", str(big)])
        from pyoxigraph import DefaultGraph, Store

        store = Store.read_only(str(big / "store"))
        info["triples"] = sum(1 for _ in store.quads_for_pattern(None, None, None, DefaultGraph()))
        del store
        stamp.write_text(json.dumps(info, indent=2) + "\n")
    return small, big, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "bkg-bench-analyze")
    parser.add_argument("--copies", type=int, default=150)
    parser.add_argument("--doc-copies", type=int, default=46)
    parser.add_argument("--engine", default=None, help="passed to bkg analyze --engine")
    parser.add_argument("--k", default=None, help="passed to bkg analyze --k")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--only", choices=("small", "big"), default=None)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    small, big, info = prepare(args.work, args.copies, args.doc_copies)
    print(f"big graph: {info.get('triples'):,} triples (default graph), {info['quads']:,} quads,"
          f" {info['copies']} copies ({info['doc_copies']} with documents)")
    extra = [*(["--engine", args.engine] if args.engine else []),
             *(["--k", str(args.k)] if args.k else [])]
    results = {"graph": info, "args": extra, "runs": {}}
    for name, folder in (("small", small), ("big", big)):
        if args.only and name != args.only:
            continue
        runs = [measure([BKG, "analyze", str(folder), *extra], args.timeout)
                for _ in range(args.runs)]
        results["runs"][name] = runs
        for r in runs:
            print(f"{name:>6}: {r['seconds']} s wall, {r['cpu_seconds']} s CPU,"
                  f" peak RSS {r['peak_rss_mb']} MB, exit {r['exit']}")
    (args.work / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {args.work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
