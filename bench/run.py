"""Speed, measured side by side in one run (``make bench``). Nothing here is asserted.

    .venv/bin/python bench/run.py [--quick]

1. Parse cache: extracting the sample corpus with an empty cache vs the same cache again.
2. SPARQL: the same queries on contract-shaped synthetic graphs of growing size, through rdflib's
   own engine vs pyoxigraph (the store ``bkg build`` writes).
3. Views: filling a pyvis Network through ``add_edge`` vs kg.views' direct fill (bench/views.py).

Each variant runs a few times; the median is reported with the ratio, and everything is also
written to ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUERIES = {
    "join": """SELECT ?name ?title WHERE {
        ?p a bkg:Person ; rdfs:label ?name ; bkg:mentionedIn ?s . ?s bkg:document ?d . ?d dcterms:title ?title }""",
    "aggregate": """SELECT ?year (COUNT(?a) AS ?n) WHERE {
        ?a a bkg:Agreement ; bkg:date ?date BIND(YEAR(?date) AS ?year) } GROUP BY ?year""",
    "path": """SELECT ?a ?iso WHERE { ?a a bkg:Agreement ; bkg:party/bkg:iso3 ?iso }""",
}


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_cache(repeat: int) -> dict:
    from extract.pipeline import extract_paths, load_nlp

    nlp = load_nlp()
    corpus = ROOT / "data" / "corpus"
    cold, warm = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            t = time.perf_counter()
            extract_paths([corpus], nlp=nlp, cache_dir=Path(cache), progress=False)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            extract_paths([corpus], nlp=nlp, cache_dir=Path(cache), progress=False)
            warm.append(time.perf_counter() - t)
    c, w = statistics.median(cold), statistics.median(warm)
    return {"cold_s": c, "warm_s": w, "ratio": c / w}


def synthetic_facts(n_docs: int):
    """Contract-shaped facts: documents with passages, persons, agreements, shared countries."""
    from extract.facts import Agreement, DateValue, Document, DocumentFacts, Entity, Mention, Passage

    out = []
    for d in range(n_docs):
        passages = tuple(Passage(i, i * 40, i * 40 + 39, f"第{i}段落 文書{d}", str(i + 1)) for i in range(20))
        doc = Document(f"doc{d}.txt", f"{d:016x}", "x" * 800, f"共同声明{d}", DateValue(2000 + d % 25, 1, 1),
                       "joint_statement", passages)
        m = (Mention(0, 0, 5, "名前"),)
        entities = [Entity("country", "JPN", "日本", "Japan", mentions=m),
                    Entity("country", "KGZ", "キルギス", "Kyrgyzstan", mentions=m)]
        entities += [Entity("person", f"person{d}-{k}", f"人物{d}-{k}", role="大臣", country="JPN", mentions=m)
                     for k in range(10)]
        agreements = tuple(Agreement(f"agreement{d}-{k}", f"協力覚書{d}-{k}", "mou", ("JPN", "KGZ"),
                                     DateValue(2000 + (d + k) % 25), passages=(k,), mentions=m) for k in range(10))
        out.append(DocumentFacts(doc, tuple(entities), agreements))
    return out


def bench_sparql(sizes: list[int], repeat: int, rdflib_budget_s: float) -> list[dict]:
    import pyoxigraph
    from rdflib import Dataset

    from kg.rdf import build_graph
    from kg.store import merge_union, query

    rows = []
    for n_docs in sizes:
        ds = build_graph(synthetic_facts(n_docs))
        triples = sum(1 for _ in ds.quads((None, None, None, None)))
        store = pyoxigraph.Store()
        store.load(ds.serialize(format="nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
        merge_union(store)
        union = Dataset(default_union=True)
        union.parse(data=ds.serialize(format="nquads"), format="nquads")
        prefixes = "PREFIX bkg: <https://w3id.org/bilateral-kg/ontology#>\n" \
                   "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" \
                   "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        for name, sparql in QUERIES.items():
            ox_s = median_time(lambda: list(query(store, sparql)), repeat)
            t = time.perf_counter()
            list(union.query(prefixes + sparql))
            first = time.perf_counter() - t
            rdf_s = first if first > rdflib_budget_s else median_time(lambda: list(union.query(prefixes + sparql)), repeat)
            rows.append({"documents": n_docs, "triples": triples, "query": name,
                         "rdflib_s": rdf_s, "pyoxigraph_s": ox_s, "ratio": rdf_s / ox_s})
    return rows


def bench_views(n: int, repeat: int) -> dict:
    import views as view_bench

    G = view_bench.synthetic(n)
    plain = median_time(lambda: view_bench.plain_pyvis(G), repeat)
    direct = median_time(lambda: view_bench.direct_fill(G), repeat)
    return {"nodes": n, "add_edge_s": plain, "direct_s": direct, "ratio": plain / direct}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repetitions")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else 3
    sizes = [5, 50] if args.quick else [5, 50, 500]
    results = {"machine": "see bench/README.md", "repeat": repeat}

    print("1. parse cache (sample corpus, extract_paths)")
    results["cache"] = c = bench_cache(repeat)
    print(f"   cold {c['cold_s']:.2f} s   warm {c['warm_s']:.2f} s   ratio {c['ratio']:.1f}x")

    print("2. SPARQL: rdflib engine vs pyoxigraph (median seconds)")
    results["sparql"] = rows = bench_sparql(sizes, repeat, rdflib_budget_s=5.0)
    print(f"   {'docs':>5} {'triples':>8} {'query':<10} {'rdflib':>9} {'pyoxigraph':>11} {'ratio':>8}")
    for r in rows:
        print(f"   {r['documents']:>5} {r['triples']:>8} {r['query']:<10} {r['rdflib_s']:>9.4f} "
              f"{r['pyoxigraph_s']:>11.4f} {r['ratio']:>7.1f}x")

    print("3. views: pyvis add_node/add_edge vs direct fill")
    results["views"] = v = bench_views(500 if args.quick else 2000, repeat)
    print(f"   {v['nodes']} nodes: add_edge {v['add_edge_s']:.3f} s   direct {v['direct_s']:.4f} s   "
          f"ratio {v['ratio']:.0f}x")

    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
