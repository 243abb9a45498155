"""The researcher's workflow on the real corpus build: SHACL validation, exports that pandas,
rdflib and networkx read back, and push to a real Oxigraph server on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

pytestmark = pytest.mark.model


def test_corpus_build_conforms_to_the_shapes(corpus_build):
    result = CliRunner().invoke(app, ["validate", str(corpus_build)])
    assert result.exit_code == 0, result.output
    assert "0 violation" in result.output


def test_validate_reports_a_violation(tmp_path):
    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import RDF, XSD

    from kg.namespaces import BKG
    from kg.validate import validate

    ds = Dataset()
    g = ds.graph(URIRef("https://w3id.org/bilateral-kg/graph/x"))
    meeting = URIRef("https://w3id.org/bilateral-kg/id/meeting/x")
    g.add((meeting, RDF.type, BKG.Meeting))
    g.add((meeting, BKG.date, Literal("next spring", datatype=XSD.string)))  # no label, a bad date
    (tmp_path / "kg.trig").write_text(ds.serialize(format="trig"), encoding="utf-8")
    report = validate(tmp_path)
    assert not report.conforms


@pytest.mark.parametrize("fmt,reader", [("turtle", "turtle"), ("nt", "nt"), ("nquads", "nquads"),
                                        ("trig", "trig"), ("jsonld", "json-ld")])
def test_rdf_exports_parse_back(corpus_build, tmp_path, fmt, reader):
    from rdflib import Dataset

    out = tmp_path / f"kg.{fmt}"
    result = CliRunner().invoke(app, ["export", str(corpus_build), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    ds = Dataset()
    ds.parse(out, format=reader)
    assert sum(1 for _ in ds.quads((None, None, None, None))) > 1000


def test_csv_tables_for_pandas(corpus_build, tmp_path):
    import pandas as pd

    result = CliRunner().invoke(app, ["export", str(corpus_build), "--format", "csv", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    agreements = pd.read_csv(tmp_path / "t" / "agreements.csv")
    assert len(agreements) >= 25
    assert agreements.astype(str).apply(lambda c: c.str.contains("協力覚書")).any().any()
    for table in ("visits", "meetings", "programs", "persons", "organizations"):
        assert len(pd.read_csv(tmp_path / "t" / f"{table}.csv")) > 0, table


def test_csv_iso3_columns_are_complete(corpus_build, tmp_path):
    """Every country party gets its ISO3, even when the agreement also has a ministry as party
    (GROUP_CONCAT over the party's unbound ISO3 used to void the whole cell)."""
    import csv

    import pyoxigraph as ox

    from kg.store import open_store, union_options

    result = CliRunner().invoke(app, ["export", str(corpus_build), "--format", "csv", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    store = open_store(corpus_build / "store")
    expected: dict[str, set[str]] = {}
    for row in store.query(
        "SELECT ?a ?iso3 WHERE { ?a a bkg:Agreement ; bkg:party/bkg:iso3 ?iso3 }",
        prefixes={"bkg": "https://w3id.org/bilateral-kg/ontology#"}, **union_options(store),
    ):
        assert isinstance(row["a"], ox.NamedNode)
        expected.setdefault(row["a"].value, set()).add(row["iso3"].value)
    with open(tmp_path / "t" / "agreements.csv", encoding="utf-8") as fh:
        rows = {r["iri"]: r for r in csv.DictReader(fh)}
    mixed = [iri for iri, r in rows.items() if "省" in r["parties"] and iri in expected]
    assert mixed, "the corpus has agreements between ministries and states"
    for iri, codes in expected.items():
        assert set(rows[iri]["party_iso3"].split(";")) == codes, rows[iri]["label"]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_network_exports_for_gephi(corpus_build, tmp_path, fmt):
    import networkx as nx

    out = tmp_path / f"countries.{fmt}"
    result = CliRunner().invoke(app, ["export", str(corpus_build), "--format", fmt, "--projection", "country",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    G = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    assert G.number_of_nodes() >= 6 and G.number_of_edges() >= 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oxigraph_server(tmp_path):
    """A real Oxigraph server (the `oxigraph` package's binary) on a free loopback port."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = _free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)


def _count(base: str, sparql: str) -> int:
    url = f"{base}/query?" + urllib.parse.urlencode({"query": sparql})
    req = urllib.request.Request(url, headers={"Accept": "text/csv"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return int(resp.read().decode().splitlines()[1])


def test_push_replaces_each_document_graph(corpus_build, oxigraph_server):
    from kg.store import open_store

    runner = CliRunner()
    args = ["push", str(corpus_build), "--endpoint", f"{oxigraph_server}/query"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    graphs = _count(oxigraph_server, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    quads = _count(oxigraph_server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert graphs == 6  # one per document, and the resolved graph
    import pyoxigraph

    local = sum(1 for q in open_store(corpus_build).quads_for_pattern(None, None, None, None)
                if not isinstance(q.graph_name, pyoxigraph.DefaultGraph))
    assert quads == local
    again = runner.invoke(app, args)  # a re-push replaces, it does not duplicate
    assert again.exit_code == 0, again.output
    assert _count(oxigraph_server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == quads


def test_validate_passes_on_a_document_naming_every_un_member(tmp_path, nlp):
    """Every UN member and observer state is owl:sameAs its Wikidata item: no violation."""
    from extract.gazetteer import load_gazetteer
    from kg.build import build
    from kg.validate import validate

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "extract"))
    from test_gazetteer_wikidata import OBSERVERS, UN_MEMBERS

    countries = {c.iso3: c for c in load_gazetteer().countries}
    names = [countries[code].name_ja for code in sorted(UN_MEMBERS | OBSERVERS)]
    lines = ["各国との協力に関する声明", ""]
    lines += [f"{i}. 日本は、{name}と協力する。" for i, name in enumerate(names, 1)]
    src = tmp_path / "src"
    src.mkdir()
    (src / "all.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    build([src], out, nlp=nlp, progress=False)
    report = validate(out)
    assert report.conforms, report.text if hasattr(report, "text") else report
    from kg.store import open_store, union_options

    store = open_store(out / "store")
    rows = list(store.query(
        "SELECT ?c WHERE { ?c a bkg:Country FILTER NOT EXISTS { ?c owl:sameAs ?wd } }",
        prefixes={"bkg": "https://w3id.org/bilateral-kg/ontology#", "owl": "http://www.w3.org/2002/07/owl#"},
        **union_options(store)))
    assert rows == []
    found = list(store.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a bkg:Country }",
                             prefixes={"bkg": "https://w3id.org/bilateral-kg/ontology#"}, **union_options(store)))
    assert int(found[0]["n"].value) >= 190
