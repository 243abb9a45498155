"""The ``bkg`` command line: one Typer app, thin commands over importable functions.

Each command checks its arguments, calls a function from ``extract`` or ``kg`` and prints.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from . import console


class _App(typer.Typer):
    """The Typer app; called as a program (``python -m kg.cli``, or a ``bkg`` script made for
    ``kg.cli:app``) it first lets :func:`kg.console.run_light` run the light commands
    (``query``, ``stats``, ``queries``, ``--version``) on a plain command line without Typer's
    parsing (which imports pydantic). Only what those commands need is imported at the top of
    this module: each other command imports its own modules (rdflib, spaCy, networkx, pyvis …)
    inside its function.
    """

    def __call__(self, *args, **kwargs):
        if not args and not kwargs:
            console.run_light(sys.argv[1:])  # exits when it ran the command
        return super().__call__(*args, **kwargs)


app = _App(
    name="bkg",
    help="bilateral-kg: Japanese diplomatic documents -> a queryable knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)



def _version(value: bool) -> None:
    if value:
        typer.echo(console.version_text())
        raise typer.Exit()


def _light(command, **kwargs) -> None:
    """Run one of :mod:`kg.console`'s commands (query, stats, queries) from its Typer command."""
    try:
        command(**kwargs)
    except console.Exit as stop:
        raise typer.Exit(stop.code) from None


@app.callback()
def main(
    show_version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit."),
) -> None:
    """bilateral-kg: Japanese diplomatic documents -> a queryable knowledge graph."""


# --- build / query / stats (issue 2) -------------------------------------------------------


@app.command()
def build(
    sources: list[Path] = typer.Argument(..., help="Files or folders of .txt .md .html .pdf documents."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output folder (kg.trig, store/, graph.html)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse and extract every document again instead of reusing cached parses and facts."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Where parses and facts are cached (default: ~/.cache/bilateral-kg or $BKG_CACHE)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    processes: Optional[int] = typer.Option(None, "--processes", "-j", min=1, help="Processes that extract uncached documents (parse and rules; default: the usable cores; 1: in this process)."),
    add: bool = typer.Option(False, "--add", help="Add SOURCES to (or update them in) the build already in OUT, whose recorded sources are kept."),
    workers: int | None = typer.Option(None, "--workers", "-w", min=1, metavar="N", help="Extract uncached documents on a Dask LocalCluster of N single-threaded worker processes on this machine."),
    scheduler: str | None = typer.Option(None, "--scheduler", metavar="ADDRESS", help="Extract uncached documents on the running Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786; see docs/SCALE-OUT.md)."),
) -> None:
    """Build the knowledge graph of SOURCES into OUT.

    Writes OUT/kg.trig (TriG, one named graph per document), OUT/store (an embedded pyoxigraph
    store for `bkg query`) and OUT/graph.html (the interactive view). A document that cannot be
    read is named with the reason and skipped; the exit code is then 1. A document that does not
    look Japanese (English, Chinese …) is built all the same, with a warning naming its language.

    Incremental: an unchanged document is neither parsed nor extracted again (its facts are
    cached), and an output whose bytes would not change is not rewritten. `bkg build --add DOC…
    --out OUT` adds documents to an existing build (the same result as a full build of them all).

    Scale-out: `--workers N` or `--scheduler tcp://HOST:8786` extracts the uncached documents on
    a Dask cluster, with the same outputs byte for byte (docs/SCALE-OUT.md).
    """
    from .build import build as run_build

    if workers is not None and scheduler is not None:
        raise _fail("give --workers N (a cluster on this machine) or --scheduler ADDRESS (a running cluster), not both")
    if processes is not None and (workers is not None or scheduler is not None):
        raise _fail("--processes is for a build on this machine; with --workers or --scheduler each Dask worker "
                    "process parses its documents")

    missing = [s for s in sources if not s.exists()]
    if missing:
        for s in missing:
            typer.echo(f"error: {s}: no such file or folder", err=True)
        raise typer.Exit(2)
    from extract.read import SUPPORTED_SUFFIXES, iter_sources

    if not iter_sources(sources):
        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        typer.echo(f"error: no documents ({kinds}) in {' '.join(map(str, sources))}", err=True)
        raise typer.Exit(2)
    from extract.distributed import ClusterUnavailableError, DistributedError

    from .build import BuildError

    try:
        result = run_build([] if add else sources, out, progress=not quiet, cache_dir=cache_dir,
                           use_cache=not no_cache, processes=processes, add=sources if add else (),
                           workers=workers, scheduler=scheduler)
    except ClusterUnavailableError as err:  # nothing extracted; the previous outputs are unchanged
        raise _fail(str(err), 2) from None
    except (BuildError, DistributedError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    for err in result.errors:
        typer.echo(f"skipped {err}", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for gone in result.removed:
        typer.echo(f"removed {gone}: no longer on disk", err=True)
    typer.echo(f"built {result.documents} document(s), {result.triples} triples")
    if workers is not None or scheduler is not None:
        parsed = f" on {result.processes} Dask worker(s)" if result.extracted else ""
    else:
        parsed = f" in {result.processes} processes" if result.processes > 1 else ""
    kept = f"; unchanged: {', '.join(result.unchanged)}" if result.unchanged else ""
    typer.echo(f"  {result.extracted} extracted{parsed}, {result.cached} from the cache{kept}")
    typer.echo(f"  graph:  {result.trig}")
    typer.echo(f"  store:  {result.store}   (query it: bkg query --store {result.out_dir} 'SELECT …')")
    typer.echo(f"  view:   {result.html}   (open it in a browser; works offline)")
    if result.errors:
        raise typer.Exit(1)


def _fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _open_store_or_exit(build_dir: Path):
    from .store import StoreNotFoundError, open_store

    try:
        return open_store(build_dir)
    except StoreNotFoundError as err:
        raise _fail(str(err)) from None
    except OSError as err:
        raise _fail(f"cannot open the store at {build_dir}: {err}", 1) from None


@app.command("query")
def query_command(
    first: str | None = typer.Argument(
        None, metavar="DIR", show_default=False,
        help="The build folder, when --store is not given (else the query).",
    ),
    second: str | None = typer.Argument(
        None, metavar="SPARQL", show_default=False,
        help="The query, when --file is not given.",
    ),
    store: Path | None = typer.Option(
        None, "--store", "-s", help="The build folder (from `bkg build --out DIR`) or its store/."
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="Read the query from a .rq file ('-' reads standard input)."
    ),
    fmt: str = typer.Option(
        "table", "--format", "-F",
        help="table (aligned, for reading), csv, tsv or json (SPARQL 1.1 results formats).",
    ),
    max_width: int = typer.Option(80, "--max-width", help="Widest table cell, in columns."),
    saved: str | None = typer.Option(
        None, "--saved", help="Run a saved query by name (see `bkg queries`) instead of SPARQL text."
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p",
        help="A saved query's parameter, name=value, each name once (e.g. country=KAZ; a country "
        "may also be kaz, id:country/KAZ, its IRI or カザフスタン); repeatable.",
    ),
    timeout: float = typer.Option(
        30.0, "--timeout", metavar="SECONDS",
        help="Stop the query after this many seconds (exit 124); 0: no time limit.",
    ),
    limit: int = typer.Option(
        10000, "--limit", metavar="ROWS",
        help="Print at most this many rows (solutions or triples), with a note on stderr when "
        "rows are left out; 0: no row limit.",
    ),
    allow_service: list[str] = typer.Option(
        [], "--allow-service", metavar="URL",
        help="A SPARQL endpoint that SERVICE may call (repeatable; '*': any). Without it a "
        "federated query is refused.",
    ),
) -> None:
    """Run a SPARQL query on a built graph: bkg query DIR 'SPARQL' (or --store DIR, --file q.rq,
    --saved NAME --param k=v).

    The default graph is the union of all documents' graphs.

    Predeclared prefixes: bkg: rdf: rdfs: skos: prov: dcterms: owl: xsd: id: wd:

    SELECT prints rows, ASK prints true/false, CONSTRUCT and DESCRIBE print Turtle.

    The limits are those of `bkg serve`: 30 s per query (--timeout) and 10,000 rows (--limit, with a note on stderr when rows are left out). A query nested more than 100 brackets deep, or calling an endpoint not given with --allow-service, is refused before it runs. Ctrl-C stops a query at once.

    Exit codes: 0 done; 1 the store could not be read; 2 a bad argument, parameter or query; 124 the query ran past --timeout; 130 interrupted (Ctrl-C).

    Example: bkg query out 'SELECT ?label WHERE { ?a a bkg:Agreement ; rdfs:label ?label }'
    """
    _light(console.query, first=first, second=second, store=store, file=file, fmt=fmt,
           max_width=max_width, saved=saved, param=param, timeout=timeout, limit=limit,
           allow_service=allow_service)

#: Exit codes of `bkg query` beyond 1 and 2: as timeout(1) for a query stopped at its deadline,
#: and 128 + SIGINT for Ctrl-C.
QUERY_TIMEOUT_EXIT = console.QUERY_TIMEOUT_EXIT
QUERY_INTERRUPTED_EXIT = console.QUERY_INTERRUPTED_EXIT


@app.command("stats")
def stats_command(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`) or its store/."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Count documents, passages, entities by class, triples and named graphs of a build."""
    _light(console.stats, build_dir=build_dir, as_json=as_json)

# --- eval (issue 3) ------------------------------------------------------------------------

_EVAL_CATEGORIES = "countries, persons, organizations, agreements, visits, meetings, programs, dates or all"


@app.command("eval")
def eval_command(
    gold: Path = typer.Option(Path("data/gold"), "--gold", "-g", help="Folder of gold NAME.json files (see ANNOTATION.md)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", "-c", help="Folder of the documents NAME.txt|.md (default: data/corpus beside --gold)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of a table."),
    errors: Optional[str] = typer.Option(None, "--errors", "-e", help=f"Also list the false positives and negatives of a category: {_EVAL_CATEGORIES}."),
    matches: Optional[str] = typer.Option(None, "--matches", "-m", help="Also list the matched pairs of a category, with the rule that matched them."),
    per_document: bool = typer.Option(False, "--per-document", "-d", help="Also print F1 per document and category."),
    built: bool = typer.Option(
        False,
        "--built",
        help="Score the facts the graph is built from, as `bkg build CORPUS` writes them: every document of the "
        "corpus folder extracted together (persons and labels resolved across all of them) and one date per "
        "resource (the most precise any document gives). Without it: the facts extracted from the documents that "
        "have gold, each with its own dates.",
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Parse every passage again instead of reusing cached parses."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Score the extractor against hand-written gold: precision, recall and F1 per category.

    Extracts the documents that have gold (data/corpus/NAME.txt for data/gold/NAME.json).

    Facts are matched one-to-one, tolerating surname-only names, transliteration variants, 「」 and abbreviations.

    The matching rules are in docs/EVALUATION.md. The macro F1 is the mean F1 of the seven categories.

    Also reports the exact-date accuracy of matched agreements, visits and meetings, and the accuracy of the attributes of matched facts: agreement parties (set of ISO3; organization parties), type and date; person role and country; visit destination, start and end; meeting date(s) and participants (set of ISO3). --errors also lists the wrong attribute values of the category (gold <= predicted).

    Scored by default: the facts extracted from the documents with gold (persons resolved across those documents, each document's own dates). With --built: the facts of the built graph (see --built).

    Exit 0 whatever the scores (a report, not a gate); 2 for a bad argument or gold file.

    Example: bkg eval --gold data/gold --errors persons
    """
    import json
    from dataclasses import asdict

    from extract.evaluate import GoldError, run_eval

    for option, value in (("--errors", errors), ("--matches", matches)):
        if value is not None and value not in _EVAL_CATEGORIES.replace(" or ", ", ").split(", "):
            raise _fail(f"{option} must be one of {_EVAL_CATEGORIES}, not {value!r}")
    if corpus is not None and not corpus.is_dir():
        raise _fail(f"{corpus}: no such corpus folder")
    try:
        report = run_eval(gold, corpus, progress=not quiet, use_cache=not no_cache, built=built)
    except GoldError as err:
        raise _fail(str(err)) from None
    except RuntimeError as err:  # the spaCy model is missing
        raise _fail(str(err), 1) from None
    if as_json:
        data = report.to_json()
        data["built"] = built
        if errors:
            data["errors"] = [asdict(m) for m in report.errors(errors)]
            data["attribute_errors"] = [asdict(c) for c in report.attribute_errors(errors)]
        if matches:
            data["matches"] = [asdict(m) for m in report.matches(matches)]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if built:
        typer.echo("scored: the facts of the built graph (all documents of the corpus resolved together, one date per resource)")
    typer.echo(report.to_table())
    if per_document:
        typer.echo("\nF1 per document:\n" + report.per_document_table())
    if errors:
        misses = report.errors(errors)
        typer.echo(f"\n{errors}: {len(misses)} miss(es) (fp: predicted, not in gold; fn: in gold, not found)")
        for miss in misses:
            typer.echo(f"  {miss.kind}  [{miss.category}]  {miss.document}  {miss.name}")
        wrong = report.attribute_errors(errors)
        typer.echo(f"\n{errors}: {len(wrong)} wrong attribute(s) of matched facts (gold <= predicted; null: not given)")
        for check in wrong:
            typer.echo(f"  {check}")
    if matches:
        pairs = report.matches(matches)
        typer.echo(f"\n{matches}: {len(pairs)} match(es)")
        for m in pairs:
            note = " (optional gold)" if m.optional else ""
            typer.echo(f"  {m.rule:<18} [{m.category}]  {m.gold}  <=  {m.predicted}{note}")

# --- analyze / path / ego / viz (issue 4) --------------------------------------------------


def _entity_graph_or_exit(build_dir: Path):
    from .network import entity_graph

    if not build_dir.exists():
        typer.echo(f"error: {build_dir}: no such build folder", err=True)
        raise typer.Exit(2)
    try:
        return entity_graph(build_dir)
    except (FileNotFoundError, OSError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


def _resolve_or_exit(G, name: str, classes=None):
    from .network import resolve_entity

    try:
        return resolve_entity(G, name, classes=classes)
    except LookupError as err:
        typer.echo(f"error: {err.args[0] if err.args else err}", err=True)
        raise typer.Exit(2) from None


@app.command()
def analyze(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`)."),
    top: int = typer.Option(10, "--top", help="How many rows of each ranking to print."),
    engine: str = typer.Option(
        "auto", "--engine",
        help="Where betweenness, eigenvector and communities run: auto (igraph on large "
             "graphs), networkx or igraph."),
    k: int | None = typer.Option(
        None, "--k", min=0,
        help="Betweenness from K sampled source nodes (seeded, deterministic); 0 = exact. "
             "Default: exact up to 5,000 nodes, else 200."),
    years: Optional[str] = typer.Option(
        None, "--years",
        help="Also write per-year centrality of the country network (centrality_by_year.csv "
             "and .json): e.g. 2015-2025, 2023 or all."),
) -> None:
    """Centrality, communities and country pairs of DIR, written as tables to DIR/analysis/."""
    from .network import ENGINES, year_span
    from .network import analyze as run_analyze

    if not build_dir.is_dir():
        typer.echo(f"error: {build_dir}: no such build folder", err=True)
        raise typer.Exit(2)
    if engine not in ENGINES:
        typer.echo(f"error: --engine must be one of {', '.join(ENGINES)}, not {engine!r}", err=True)
        raise typer.Exit(2)
    if k == 1:
        typer.echo("error: --k must be 0 (exact) or at least 2", err=True)
        raise typer.Exit(2)
    if years is not None:
        try:
            year_span(years)
        except ValueError as err:
            raise _fail(str(err)) from None
    try:
        summary = run_analyze(build_dir, build_dir, top=top, engine=engine, k=k, years=years)
    except ImportError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{summary['nodes']} nodes, {summary['edges']} edges, "
               f"{summary['components']} components, {summary['communities']} communities")
    how = summary["measures"]
    sources = how["betweenness_sources"]
    typer.echo(f"engine: {how['engine']}; betweenness: "
               + ("exact" if sources == "all" else f"{sources} sampled sources (--k)"))
    typer.echo("classes: " + ", ".join(f"{c} {n}" for c, n in summary["classes"].items()))
    for measure, rows in summary["top"].items():
        typer.echo(f"\ntop {measure}:")
        for row in rows:
            typer.echo(f"  {row['score']:>10.4f}  {row['label']}  [{row['class']}]")
    typer.echo("\nheaviest country pairs:")
    for row in summary["top_country_pairs"]:
        typer.echo(f"  {row['weight']:>4}  {row['a']} — {row['b']}")
    typer.echo("\nlargest communities:")
    for row in summary["largest_communities"]:
        typer.echo(f"  #{row['community']} ({row['size']}): " + ", ".join(row["members"]))
    if "by_year" in summary:
        got = summary["by_year"]["years"]
        typer.echo(f"\nper-year centrality: {summary['by_year']['rows']} rows, "
                   + (f"{got[0]}–{got[-1]} ({len(got)} years)" if got else "no dated country pair"))
    typer.echo(f"\ntables: {build_dir / 'analysis'} ({', '.join(summary['files'])})")


@app.command()
def path(
    build_dir: Path = typer.Argument(..., help="A build folder."),
    a: str = typer.Argument(..., help="An entity: label (ja/en), alias, ISO3 or IRI."),
    b: str = typer.Argument(..., help="Another entity."),
    cutoff: int = typer.Option(6, "--cutoff", help="Longest path to look for, in hops."),
    limit: int = typer.Option(10, "--max", help="At most this many shortest paths."),
    avoid: list[str] = typer.Option([], "--avoid", help="A hub no path may pass through (ISO3, name or IRI; repeatable), e.g. --avoid JPN."),
    fmt: str = typer.Option("table", "--format", help="table (readable, with the passages), json or csv (one row per hop and passage)."),
    cite: int = typer.Option(3, "--cite", min=0, help="Passages cited per hop (0: all)."),
) -> None:
    """How two entities are connected: the shortest paths, hop by hop, with their relations and
    the passages behind each hop (document title, paragraph, quoted sentence, source)."""
    from .network import (
        Citer,
        citation_rows,
        citations_json,
        cited_paths,
        format_citation,
        format_path,
        paths,
    )

    if cutoff < 1 or limit < 1:
        raise _fail("--cutoff and --max must be at least 1")
    if fmt not in ("table", "json", "csv"):
        raise _fail(f"--format must be table, json or csv, not {fmt!r}")
    G = _entity_graph_or_exit(build_dir)
    source, target = _resolve_or_exit(G, a), _resolve_or_exit(G, b)
    if source == target:
        raise _fail(f"{a} and {b} are the same entity ({G.nodes[source]['label']}): name two different ones")
    hidden = sorted({_resolve_or_exit(G, name) for name in avoid}, key=str)
    for end, name in ((source, a), (target, b)):
        if end in hidden:
            raise _fail(f"--avoid names {name} ({G.nodes[end]['label']}), an end of the path")
    found = list(paths(G, source, target, cutoff=cutoff, max_paths=limit, avoid=hidden))
    if not found:
        through = (" avoiding " + ", ".join(G.nodes[n]["label"] for n in hidden)) if hidden else ""
        typer.echo(f"no path between {G.nodes[source]['label']} and {G.nodes[target]['label']}"
                   f" within {cutoff} hops{through}", err=True)
        raise typer.Exit(1)
    data = cited_paths(G, found, Citer(build_dir), limit=cite or None)
    if fmt == "json":
        typer.echo(citations_json({"from": str(source), "to": str(target),
                                   "avoid": [str(n) for n in hidden], "paths": data}), nl=False)
        return
    if fmt == "csv":
        _echo_csv(citation_rows(data, path=True))
        return
    typer.echo(f"{len(found)} shortest path(s) of {len(found[0])} hop(s)"
               + (" avoiding " + ", ".join(G.nodes[n]["label"] for n in hidden) if hidden else "") + ":")
    for hops, item in zip(found, data):
        typer.echo("\n  " + format_path(G, hops))
        for hop, cited in zip(hops, item["hops"]):
            typer.echo("    " + hop.format(G))
            for c in cited["citations"]:
                typer.echo("      " + format_citation(c))
            if not cited["citations"]:
                typer.echo("      (no passage: from a gazetteer, not a text)")


def _echo_csv(rows) -> None:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    typer.echo(buf.getvalue(), nl=False)


@app.command()
def ego(
    build_dir: Path = typer.Argument(..., help="A build folder."),
    entity: str = typer.Argument(..., help="An entity: label (ja/en), alias, ISO3 or IRI."),
    radius: int = typer.Option(1, "--radius", "-r", help="Hops around the entity."),
    fmt: str = typer.Option("table", "--format", help="table (readable, with the passages), json or csv (one row per edge and passage)."),
    cite: int = typer.Option(3, "--cite", min=0, help="Passages cited per edge (0: all)."),
) -> None:
    """The neighbourhood of an entity: who and what lies within RADIUS hops, each edge with the
    passages behind it."""
    from .network import Citer, citation_rows, citations_json, cited_edges, format_citation
    from .network import ego as run_ego

    if radius < 1:
        raise _fail(f"--radius must be at least 1 (got {radius})")
    if fmt not in ("table", "json", "csv"):
        raise _fail(f"--format must be table, json or csv, not {fmt!r}")
    G = _entity_graph_or_exit(build_dir)
    center = _resolve_or_exit(G, entity)
    E = run_ego(G, center, radius=radius)
    edges = cited_edges(E, Citer(build_dir), limit=cite or None)
    if fmt == "json":
        typer.echo(citations_json({"center": str(center), "radius": radius,
                                   "nodes": sorted(str(n) for n in E), "edges": edges}), nl=False)
        return
    if fmt == "csv":
        _echo_csv(citation_rows(edges, path=False))
        return
    typer.echo(f"{G.nodes[center]['label']} [{G.nodes[center]['cls']}]: "
               f"{len(E) - 1} neighbour(s) within {radius} hop(s)")
    for e in edges:
        typer.echo(f"  {e['source']['label']} -{e['relation']}-> {e['target']['label']}")
        for c in e["citations"]:
            typer.echo("      " + format_citation(c))


@app.command()
def viz(
    build_dir: Path = typer.Argument(..., help="A build folder."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The HTML file to write."),
    focus: Optional[str] = typer.Option(None, "--focus", help="Show only around this entity."),
    radius: int = typer.Option(1, "--radius", "-r", help="Hops around --focus."),
    years: Optional[str] = typer.Option(None, "--years", help="e.g. 2023 or 2022-2025."),
    classes: Optional[str] = typer.Option(None, "--classes", help="e.g. Country,Program."),
    projection: str = typer.Option(
        "overview", "--projection",
        help="overview (countries and initiatives; persons and organizations one click away, "
             "or shown around --focus), entity, country or bipartite."),
    max_nodes: int = typer.Option(400, "--max-nodes", help="Keep the most connected nodes above this."),
    png: Optional[Path] = typer.Option(None, "--png", help="Also render the view headlessly to this PNG."),
    svg: Optional[Path] = typer.Option(None, "--svg", help="Also render the view headlessly to this SVG."),
) -> None:
    """Write an interactive, self-contained HTML view of the graph (works offline), and/or
    render the same view to PNG or SVG for a paper (headless Chromium)."""
    from .network import country_graph, country_initiative_graph
    from .views import (
        OVERVIEW_HIDDEN,
        build_view,
        document_sources,
        export_image,
        overview_graph,
        write_view,
    )

    projections = {"overview": overview_graph, "entity": lambda G: G, "country": country_graph,
                   "bipartite": country_initiative_graph}
    if projection not in projections:
        typer.echo(f"error: --projection must be one of {', '.join(projections)}", err=True)
        raise typer.Exit(2)
    if out is None and png is None and svg is None:
        raise _fail("give --out FILE.html, --png FILE.png and/or --svg FILE.svg")
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        typer.echo(f"error: {out}: the view is an .html file", err=True)
        raise typer.Exit(2)
    for image, suffix in ((png, ".png"), (svg, ".svg")):
        if image is not None and image.suffix.lower() != suffix:
            raise _fail(f"{image}: --{suffix[1:]} writes a {suffix} file")
    if radius < 1 or max_nodes < 1:
        raise _fail("--radius and --max-nodes must be at least 1")
    G = projections[projection](_entity_graph_or_exit(build_dir))
    heading = f"bilateral-kg — {projection} graph"
    hidden = OVERVIEW_HIDDEN if projection == "overview" and focus is None and classes is None else None
    try:
        net = build_view(G, focus=focus, radius=radius, years=years, classes=classes,
                         max_nodes=max_nodes, heading=heading, hidden_classes=hidden,
                         sources=document_sources(build_dir))
    except (LookupError, ValueError) as err:
        typer.echo(f"error: {err.args[0] if err.args else err}", err=True)
        raise typer.Exit(2) from None
    if out is not None:
        write_view(net, out)
        typer.echo(f"wrote {out}: {len(net.nodes)} nodes, {len(net.edges)} edges")
    for image in (png, svg):
        if image is not None:
            try:
                export_image(net, image)
            except ImportError as err:
                raise _fail(f"{image}: rendering needs Playwright ({err})") from None
            typer.echo(f"wrote {image}: {len(net.nodes)} nodes")
    for note in net.notes:
        typer.echo(f"  {note}")

# --- serve / queries / validate / export / push (issue 5) ----------------------------------


def _store_dir_or_exit(build_dir: Path) -> Path:
    """DIR/store (or DIR itself when it is a store)."""
    for candidate in (build_dir / "store", build_dir):
        if (candidate / "CURRENT").is_file():
            return candidate
    raise _fail(f"no store at {build_dir}: run `bkg build SOURCE --out {build_dir}` first")


@app.command("cite")
def cite_command(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`)."),
    name: str = typer.Argument(..., help="An entity or fact: label (ja/en), alias, ISO3 or IRI."),
    fmt: str = typer.Option("text", "--format", help="text (quotations to read or paste), csv or json."),
    limit: int = typer.Option(50, "--max", help="At most this many quotations."),
) -> None:
    """The exact sentences a fact or entity was read from, with document title, paragraph, date
    and source: what a researcher quotes. Also the saved query `cite`.

    Example: bkg cite out JICA
    """
    from .queries import load_saved
    from .store import format_results, open_store, union_options

    if fmt not in ("text", "csv", "json"):
        raise _fail(f"--format must be text, csv or json, not {fmt!r}")
    if limit < 1:
        raise _fail("--max must be at least 1")
    G = _entity_graph_or_exit(build_dir)
    node = _resolve_or_exit(G, name)
    import pyoxigraph as ox

    saved = load_saved("cite")
    try:
        oxstore = open_store(_store_dir_or_exit(build_dir))
    except OSError as err:
        raise _fail(f"cannot open the store of {build_dir}: {err}", 1) from None
    result = oxstore.query(saved.sparql, substitutions={ox.Variable("entity"): ox.NamedNode(str(node))},
                           **union_options(oxstore))
    if fmt != "text":
        typer.echo(format_results(result, fmt), nl=False)
        return
    label = G.nodes[node].get("label") or str(node)
    rows = list(result)
    if not rows:
        typer.echo(f"{label}: no quotation in this build (it may come from a gazetteer, not a text)")
        raise typer.Exit(1)
    typer.echo(f"{label} <{node}>: {len(rows)} quotation(s)" + (f", the first {limit}" if len(rows) > limit else ""))
    for row in rows[:limit]:
        def value(var: str) -> str:
            term = row[var]
            return term.value if term is not None else ""

        where = [value("title") or value("source")]
        if value("paragraph"):
            where.append(f"para. {value('paragraph')}")
        if value("docDate"):
            where.append(value("docDate"))
        where.append(value("url") or value("source"))
        typer.echo(f"\n  「{value('sentence')}」")
        typer.echo(f"    [{value('exact')}] — " + ", ".join(w for w in where if w))


# --- diff / timeline (issue 12: statement diffs and pair timelines) -------------------------


def _country_or_exit(value: str, option: str) -> str:
    """A country as ISO3, read the way `bkg query --param` reads one (KAZ, kaz, カザフスタン …)."""
    from .queries import Param, SavedQueryError

    try:
        return Param(option, "a country", "iso3").term(value).value.rpartition("/")[2]
    except SavedQueryError as err:
        raise _fail(str(err).replace(f"parameter {option!r}", option)) from None


@app.command("diff")
def diff_command(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`)."),
    a: Optional[str] = typer.Argument(None, help="The earlier document: its file name or stem."),
    b: Optional[str] = typer.Argument(None, help="The later document."),
    latest: Optional[tuple[str, str]] = typer.Option(
        None, "--latest", metavar="A B",
        help="Instead of A and B: the latest two documents of this country pair (ISO3 or names)."),
    doc_type: Optional[str] = typer.Option(
        None, "--type", help="With --latest: only documents of this type (joint-statement, "
        "declaration, meeting-summary, press-statement, country-brief, other)."),
    fmt: str = typer.Option("text", "--format", "-F", help="text (default) or json."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write an offline HTML report here."),
    unchanged: bool = typer.Option(False, "--unchanged", help="Also list unchanged passages (text)."),
) -> None:
    """What document B says that document A did not: passages aligned by content (added, dropped,
    reworded, word by word), and the agreements, programs, meetings, visits (partnerships, coded
    events) only in A, only in B or in both.

    Example: bkg diff out 2022-12-24_ca-jad_9th-foreign-ministers_joint-statement 2025-12-20_ca-jad_summit_tokyo-declaration
    or: bkg diff out --latest JPN KAZ --type joint-statement --html diff.html
    """
    from .diff import DOC_TYPE_NAMES, DocumentNotFound, diff_documents, diff_to_json
    from .diff import find_document, format_text, latest_pair, render_html, write_atomic

    if fmt not in ("text", "json"):
        raise _fail(f"--format must be text or json, not {fmt!r}")
    if doc_type is not None and doc_type not in DOC_TYPE_NAMES:
        raise _fail(f"--type must be one of {', '.join(DOC_TYPE_NAMES)}, not {doc_type!r}")
    if doc_type is not None and latest is None:
        raise _fail("--type goes with --latest A B")
    if latest is not None and (a is not None or b is not None):
        raise _fail("give either two documents or --latest A B, not both")
    if latest is None and (a is None or b is None):
        raise _fail("which documents? bkg diff DIR A B, or bkg diff DIR --latest JPN KAZ")
    store = _open_store_or_exit(build_dir)
    note = ""
    try:
        if latest is not None:
            x, y = (_country_or_exit(v, "--latest") for v in latest)
            if x == y:
                raise _fail(f"--latest needs two different countries, got {x} twice")
            doc_a, doc_b, note = latest_pair(store, x, y, DOC_TYPE_NAMES.get(doc_type or ""))
        else:
            doc_a, doc_b = find_document(store, a), find_document(store, b)
    except DocumentNotFound as err:
        raise _fail(str(err.args[0] if err.args else err)) from None
    if doc_a.iri == doc_b.iri:
        raise _fail(f"A and B are the same document ({doc_a.stem})")
    result = diff_documents(store, doc_a, doc_b, note=note)
    if html_out is not None:
        if html_out.suffix.lower() not in (".html", ".htm"):
            raise _fail(f"{html_out}: the report is an .html file")
        write_atomic(html_out, render_html(result))
    if fmt == "json":
        typer.echo(diff_to_json(result), nl=False)
    else:
        typer.echo(format_text(result, unchanged=unchanged), nl=False)
    if html_out is not None:
        typer.echo(f"wrote {html_out}", err=True)


@app.command("timeline")
def timeline_command(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`)."),
    a: str = typer.Argument(..., help="A country: ISO3 (KAZ) or name (カザフスタン, Kazakhstan)."),
    b: Optional[str] = typer.Argument(None, help="The other country of a pair (optional)."),
    out: Optional[Path] = typer.Option(
        None, "--out", "-o", help="FILE.html (page with legend and table), .svg, .png or .csv."),
    fmt: Optional[str] = typer.Option(
        None, "--format", "-F", help="html, svg, png or csv (default: from --out's suffix; csv "
        "without --out prints the table)."),
) -> None:
    """Visits (by the visitor's level), meetings, agreements with their stages, partnership steps
    and coded events of a country or a pair on one time axis: an offline HTML page, SVG, PNG
    (headless Chromium) or a tidy CSV table for pandas / R.

    Example: bkg timeline out JPN KAZ --out jpn-kaz.html
    """
    from .diff import write_atomic
    from .timeline import render_html, render_png, render_svg, rows_to_csv, timeline_rows

    formats = ("html", "svg", "png", "csv")
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out is not None else "csv"
        fmt = "html" if suffix == "htm" else suffix
    if fmt not in formats:
        raise _fail(f"--format must be one of {', '.join(formats)} (or --out with that suffix), not {fmt!r}")
    if out is None and fmt != "csv":
        raise _fail(f"--format {fmt} writes a file: give --out FILE.{fmt}")
    x = _country_or_exit(a, "A")
    y = _country_or_exit(b, "B") if b is not None else None
    if x == y:
        raise _fail(f"A and B are the same country ({x})")
    store = _open_store_or_exit(build_dir)
    rows = timeline_rows(store, x, y)
    from extract.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    names = [gaz.country(c).name_ja if c in {k.iso3 for k in gaz.countries} else c
             for c in (x, y) if c is not None]
    title = "–".join(names) + " 関係の年表 (" + "–".join(c for c in (x, y) if c) + ")"
    if fmt == "csv":
        text = rows_to_csv(rows)
        if out is None:
            typer.echo(text, nl=False)
            return
        write_atomic(out, text)
    elif fmt == "svg":
        write_atomic(out, render_svg(rows, title))
    elif fmt == "html":
        write_atomic(out, render_html(rows, title))
    else:
        try:
            png = render_png(render_html(rows, title))
        except Exception as err:  # noqa: BLE001 - Playwright's errors have no common base
            raise _fail(f"cannot draw the PNG with headless Chromium: {err}", 1) from None
        write_atomic(out, png)
    dated = sum(1 for r in rows if r.date)
    typer.echo(f"wrote {out}: {len(rows)} fact(s), {dated} dated")


# --- partnerships (issue 12: the partnership ledger) ----------------------------------------


_PARTNERSHIP_COLUMNS = ("partners", "date", "written", "level", "rank", "status", "predicate", "documents")


@app.command("partnerships")
def partnerships_command(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`)."),
    country: Optional[str] = typer.Argument(None, help="Only the partnerships of this country (ISO3 or name)."),
    fmt: str = typer.Option("table", "--format", "-F", help="table (one block per pair), csv or json."),
) -> None:
    """The partnership ladder of each pair over time: date, level as written, normalized level
    (with its rank on data/lexicon/partnership_levels.tsv), status (established, upgraded,
    reaffirmed, referenced) and document. Also the saved query `partnerships`.

    Example: bkg partnerships out KGZ
    """
    import csv
    import io
    import json

    from .queries import SavedQueryError, run_saved
    from .store import open_store, spreadsheet_safe

    if fmt not in ("table", "csv", "json"):
        raise _fail(f"--format must be table, csv or json, not {fmt!r}")
    params = {"country": country} if country else {}
    try:
        store = open_store(_store_dir_or_exit(build_dir))
    except OSError as err:
        raise _fail(f"cannot open the store of {build_dir}: {err}", 1) from None
    try:
        result = run_saved(store, "partnerships", params)
    except SavedQueryError as err:
        raise _fail(str(err)) from None
    rows = []
    for solution in result:
        def value(var: str, solution=solution) -> str:
            term = solution[var]
            return term.value if term is not None else ""

        rows.append({"partners": value("partners"), "date": value("date"), "written": value("written"),
                     "level": value("level"), "rank": int(value("rank")) if value("rank") else None,
                     "status": value("status"), "predicate": value("predicate"), "documents": value("documents")})
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(_PARTNERSHIP_COLUMNS)
        for row in rows:
            writer.writerow([spreadsheet_safe("" if row[c] is None else str(row[c])) for c in _PARTNERSHIP_COLUMNS])
        typer.echo(buf.getvalue(), nl=False)
        return
    if not rows:
        typer.echo("no partnership in this build" + (f" for {country}" if country else ""))
        return
    pairs: dict[str, list[dict]] = {}
    for row in rows:
        pairs.setdefault(row["partners"], []).append(row)
    for partners, items in pairs.items():
        typer.echo(partners)
        for row in items:
            level = f"{row['level']} ({row['rank']})" if row["rank"] is not None else row["level"]
            typer.echo(f"  {row['date'] or 'undated':<10}  {row['written']}  → {level}  {row['status']}"
                       f"{'  ' + row['predicate'] if row['predicate'] else ''}  [{row['documents']}]")


# --- diplomatic event coding, PLOVER (issue 12) -------------------------------------------


@app.command("events")
def events_command(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`)."),
    country: Optional[str] = typer.Option(None, "--country", "-c", help="Only events with this country as actor or recipient (ISO3 or name)."),
    types: Optional[str] = typer.Option(None, "--type", "-t", help="Only these PLOVER types, comma-separated (SUPPORT,ACCUSE)."),
    fmt: str = typer.Option("table", "--format", "-F", help="table, json (PLOVER records) or tsv."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file (atomically) instead of printing."),
) -> None:
    """Diplomatic events coded to PLOVER (who did what to whom: SUPPORT, AGREE, CONSULT, ACCUSE,
    REQUEST …), in PLOVER's field layout: id, date, actor, recipient, event, mode, context,
    event_text, text, cite_info (plus topic, negated). Same build, same bytes.

    Example: bkg events out --country KGZ --type SUPPORT --format json
    """
    from .plover import PLOVER_TYPES, event_records, format_table, to_json, to_tsv, write_events
    from .queries import Param, SavedQueryError

    if fmt not in ("table", "json", "tsv"):
        raise _fail(f"--format must be table, json or tsv, not {fmt!r}")
    wanted = [t.strip().upper() for t in types.split(",") if t.strip()] if types else None
    unknown = [t for t in wanted or () if t not in PLOVER_TYPES]
    if unknown:
        raise _fail(f"--type {', '.join(unknown)}: not a PLOVER type ({', '.join(PLOVER_TYPES)})")
    iso3 = None
    if country:
        try:
            iso3 = Param("country", "", "iso3").term(country).value.rsplit("/", 1)[-1]
        except SavedQueryError as err:
            raise _fail(str(err).replace("parameter 'country'", "--country")) from None
    try:
        _store_dir_or_exit(build_dir)
        records = event_records(build_dir, country=iso3, types=wanted)
    except OSError as err:
        raise _fail(f"cannot open the store of {build_dir}: {err}", 1) from None
    if out is not None:
        if fmt == "table":
            raise _fail("--out needs --format json or tsv")
        write_events(records, out, fmt)
        typer.echo(f"{len(records)} event(s) -> {out}")
        return
    text = {"json": to_json, "tsv": to_tsv, "table": format_table}[fmt](records)
    typer.echo(text, nl=False)


@app.command("load")
def load_command(
    file: Path = typer.Argument(..., help="An RDF file: .trig, .nq, .ttl, .nt, .jsonld or .rdf."),
    out: Path = typer.Option(..., "--out", "-o", help="The folder whose store/ to (re)create."),
    fmt: Optional[str] = typer.Option(None, "--format", help="The RDF format, when the suffix does not say."),
) -> None:
    """Load an existing TriG / N-Quads (or Turtle …) file into a store, to query, serve or analyze
    it like a build: bkg load kg.nq --out DIR, then bkg query DIR … / bkg serve DIR."""
    from .store import LoadError, load_file

    try:
        count = load_file(file, out, fmt)
    except LoadError as err:
        raise _fail(str(err)) from None
    except OSError as err:
        raise _fail(f"{out}: cannot write the store here ({err.strerror or err})", 1) from None
    typer.echo(f"loaded {count} quads into {out / 'store'}   (query it: bkg query {out} 'SELECT …')")


@app.command("serve")
def serve_command(
    build_dir: Path = typer.Argument(..., help="A build folder (from `bkg build --out DIR`)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(7878, "--port", "-p", help="TCP port (0: any free port)."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds a query may run before it is stopped."),
    limit: int = typer.Option(10000, "--limit", help="Most rows (or triples) one answer returns."),
    workers: int = typer.Option(2, "--workers", help="Query worker processes."),
    allow_update: bool = typer.Option(False, "--allow-update", help="Accept SPARQL updates and graph writes, with a bearer token (off: read-only, 403)."),
    token: Optional[str] = typer.Option(None, "--token", envvar="BKG_SERVE_TOKEN", help="The token writes must send (Authorization: Bearer …); made up and printed when not given."),
    allow_service: list[str] = typer.Option([], "--allow-service", help="A SPARQL endpoint URL that SERVICE may call (repeatable; '*': any). Federation is off by default."),
    cors_origin: list[str] = typer.Option([], "--cors-origin", help="A web origin (https://host) whose pages may read answers (repeatable; '*': any). Off by default."),
    allow_host: list[str] = typer.Option([], "--allow-host", help="A Host name to answer besides loopback and --host, e.g. the machine's name on a LAN (repeatable)."),
    max_connections: int = typer.Option(64, "--max-connections", help="Open connections at once; more are answered 503."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not log requests."),
) -> None:
    """Serve DIR as a SPARQL 1.1 endpoint (/sparql) with a query page (/) and saved queries.

    Safe by default on loopback: read-only, no federated queries (SERVICE), no cross-site readers, Host checked, connections and query size bounded. See the README's "Security".
    """
    from .server import ServerConfig, make_server

    if max_connections < 1 or workers < 1:
        raise _fail("--max-connections and --workers must be at least 1")
    config = ServerConfig(
        store_dir=_store_dir_or_exit(build_dir), host=host, port=port, timeout=timeout,
        limit=limit, allow_update=allow_update, workers=workers, token=token,
        allow_services=tuple(allow_service), cors_origins=tuple(cors_origin),
        allowed_hosts=tuple(allow_host), max_connections=max_connections,
    )
    try:
        server = make_server(config, verbose=not quiet)
    except (OSError, RuntimeError) as err:
        raise _fail(f"cannot serve {build_dir}: {err}", 1) from None
    bound_host, bound_port = server.server_address[:2]
    mode = "read-write" if allow_update else "read-only"
    typer.echo(f"SPARQL endpoint http://{bound_host}:{bound_port}/sparql ({mode}); "
               f"query page http://{bound_host}:{bound_port}/ — Ctrl-C to stop", err=True)
    if allow_update and not token:
        typer.echo(f"writes need the header 'Authorization: Bearer {server.token}'", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        server.server_close()


@app.command("queries")
def queries_command(
    name: Optional[str] = typer.Argument(None, help="Show this saved query in full."),
) -> None:
    """List the saved queries (kg/queries/*.rq), or show one with its parameters."""
    _light(console.queries, name=name)

@app.command("validate")
def validate_command(
    build_dir: Path = typer.Argument(..., help="A build folder, or a TriG/Turtle file."),
    warnings: bool = typer.Option(False, "--warnings", "-w", help="Also list warnings (missing optional facts)."),
    rdfs: bool = typer.Option(False, "--rdfs", help="Apply RDFS inference with kg/ontology.ttl first."),
) -> None:
    """Check DIR against the contract's SHACL shapes; exit 1 when there is a violation."""
    from .validate import validate

    try:
        report = validate(build_dir, inference="rdfs" if rdfs else "none")
    except (FileNotFoundError, OSError) as err:
        raise _fail(str(err)) from None
    shown = report.violations + (report.warnings if warnings else [])
    for r in shown:
        typer.echo(str(r))
    typer.echo(
        f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s) "
        f"in {report.triples} triples" + ("" if warnings or not report.warnings else " (--warnings lists them)"),
        err=True,
    )
    if not report.conforms:
        raise typer.Exit(1)


@app.command("export")
def export_command(
    build_dir: Path = typer.Argument(..., help="A build folder."),
    fmt: str = typer.Option(..., "--format", "-F", help="turtle, nt, nquads, trig, jsonld, csv, gexf or graphml."),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write (a folder for csv)."),
    projection: str = typer.Option("entity", "--projection", help="For gexf/graphml: entity, country or bipartite."),
) -> None:
    """Export DIR as RDF (turtle/nt: union; nquads/trig/jsonld: with graphs), CSV tables or a network."""
    from .export import FORMATS, PROJECTIONS, export

    if fmt not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if projection not in PROJECTIONS:
        raise _fail(f"--projection must be one of {', '.join(PROJECTIONS)}, not {projection!r}")
    try:
        written = export(build_dir, fmt, out, projection=projection)
    except FileNotFoundError as err:
        raise _fail(str(err)) from None
    for path in written:
        typer.echo(str(path))


@app.command("push")
def push_command(
    build_dir: Path = typer.Argument(..., help="A build folder."),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help="The server's SPARQL query URL (used to check the copy)."),
    graph_store: Optional[str] = typer.Option(None, "--graph-store", help="The Graph Store Protocol URL (guessed for Oxigraph and Fuseki)."),
    fmt: str = typer.Option("nt", "--format", help="nt (N-Triples) or turtle."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds per HTTP request."),
) -> None:
    """PUT each document's named graph to a SPARQL server (replacing it there)."""
    from .push import PushError, push

    if fmt not in ("nt", "turtle"):
        raise _fail(f"--format must be nt or turtle, not {fmt!r}")
    try:
        report = push(build_dir, endpoint=endpoint, graph_store=graph_store, fmt=fmt, timeout=timeout)
    except (PushError, FileNotFoundError) as err:
        raise _fail(str(err), 1) from None
    for g in report.graphs:
        remote = "" if g.remote_triples is None else f", server has {g.remote_triples}"
        typer.echo(f"{g.graph}: {g.triples} triples (HTTP {g.status}{remote})")
    typer.echo(f"{len(report.graphs)} graph(s), {report.triples} triples -> {report.graph_store}", err=True)
    if not report.verified:
        raise _fail("the server's triple counts differ from the build", 1)


if __name__ == "__main__":  # pragma: no cover
    app()
