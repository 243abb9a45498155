"""kg.store: atomic writes, opening, SPARQL with the contract's semantics, formats, stats."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from factories import KEYS, corpus, jp_kgz_joint_statement
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

from kg import store as ks
from kg.namespaces import country_iri, entity_iri
from kg.rdf import build_graph

KGZ = country_iri("KGZ")


def quads(ds: Dataset) -> int:
    return sum(len(g) for g in ds.graphs())


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    ks.write_store(build_graph(corpus()), out)
    return out


@pytest.fixture()
def store(build_dir) -> ox.Store:
    return ks.open_store(build_dir)


# --- writing --------------------------------------------------------------------------------


def test_write_store_writes_trig_and_store(build_dir) -> None:
    assert sorted(p.name for p in build_dir.iterdir()) == ["kg.trig", "store"]
    back = Dataset()
    back.parse(build_dir / "kg.trig", format="trig")
    built = build_graph(corpus())
    for g in built.graphs():
        assert isomorphic(g, back.graph(g.identifier))
    st = ks.open_store(build_dir)
    named = [q for q in st.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert len(named) == quads(built)
    assert {str(g.value) for g in st.named_graphs()} == {
        str(g.identifier) for g in built.graphs() if len(g)
    }
    assert oct((build_dir / "kg.trig").stat().st_mode & 0o044) != "0o0"  # readable by others


def test_write_store_replaces_an_existing_build(tmp_path) -> None:
    ks.write_store(build_graph(corpus()), tmp_path)
    ks.write_store(build_graph([jp_kgz_joint_statement()]), tmp_path)
    assert ks.stats(ks.open_store(tmp_path))["documents"] == 1
    assert "クルバエフ" in (tmp_path / "kg.trig").read_text("utf-8")
    assert "林芳正" not in (tmp_path / "kg.trig").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.trig", "store"]


def _snapshot(out: Path) -> tuple[bytes, int]:
    return (out / "kg.trig").read_bytes(), ks.stats(ks.open_store(out))["documents"]


def test_failed_load_leaves_the_previous_build(tmp_path, monkeypatch) -> None:
    ks.write_store(build_graph(corpus()), tmp_path)
    before = _snapshot(tmp_path)

    def broken(trig, store_dir):
        Path(store_dir).mkdir()
        (Path(store_dir) / "half").write_text("x")
        raise OSError("disk full")

    monkeypatch.setattr(ks, "load_trig", broken)
    with pytest.raises(OSError, match="disk full"):
        ks.write_store(build_graph([jp_kgz_joint_statement()]), tmp_path)
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.trig", "store"]


def test_failed_swap_rolls_back(tmp_path, monkeypatch) -> None:
    ks.write_store(build_graph(corpus()), tmp_path)
    before = _snapshot(tmp_path)
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "kg.trig" and Path(dst).parent == tmp_path:
            raise OSError("cannot rename")
        return real_replace(src, dst)

    monkeypatch.setattr(ks.os, "replace", replace)
    with pytest.raises(OSError, match="cannot rename"):
        ks.write_store(build_graph([jp_kgz_joint_statement()]), tmp_path)
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.trig", "store"]


def test_failure_on_a_fresh_folder_leaves_nothing(tmp_path, monkeypatch) -> None:
    out = tmp_path / "new"

    def broken(trig, store_dir):
        raise OSError("boom")

    monkeypatch.setattr(ks, "load_trig", broken)
    with pytest.raises(OSError):
        ks.write_store(build_graph(corpus()), out)
    assert list(out.iterdir()) == []


# --- opening --------------------------------------------------------------------------------


def test_open_store_accepts_dir_or_store(build_dir) -> None:
    assert len(ks.open_store(build_dir)) == len(ks.open_store(build_dir / "store")) > 0
    assert len(ks.open_store(str(build_dir))) > 0


def test_open_store_is_read_only_by_default(build_dir) -> None:
    st = ks.open_store(build_dir)
    with pytest.raises((OSError, RuntimeError)):
        st.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))


def test_open_store_writable(tmp_path) -> None:
    ks.write_store(build_graph(corpus()), tmp_path)
    st = ks.open_store(tmp_path, read_only=False)
    st.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))
    assert ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")) in st


def test_open_store_missing(tmp_path) -> None:
    with pytest.raises(ks.StoreNotFoundError) as err:
        ks.open_store(tmp_path / "nowhere")
    message = str(err.value)
    assert str(tmp_path / "nowhere") in message and "bkg build SOURCE --out" in message
    assert isinstance(err.value, FileNotFoundError)
    assert not (tmp_path / "nowhere").exists()  # opening does not create anything
    (tmp_path / "empty").mkdir()
    with pytest.raises(ks.StoreNotFoundError):
        ks.open_store(tmp_path / "empty")


# --- querying -------------------------------------------------------------------------------

EXAMPLE = """
SELECT ?label ?date WHERE {
  ?a a bkg:Agreement ; rdfs:label ?label ; bkg:party <https://w3id.org/bilateral-kg/id/country/KGZ> .
  OPTIONAL { ?a bkg:date ?date }
} ORDER BY ?date
"""


def rows(result) -> list[dict[str, str | None]]:
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def test_query_contract_example_with_predeclared_prefixes(store) -> None:
    assert [r["date"] for r in rows(ks.query(store, EXAMPLE))] == ["2023", "2023-07-06"]


def test_query_default_graph_is_the_union(store) -> None:
    sparql = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a bkg:Document }"
    assert rows(ks.query(store, sparql)) == [{"n": "2"}]
    # the union is a set: a triple stated in both documents matches once
    shared = "SELECT (COUNT(*) AS ?n) WHERE { ?c bkg:iso3 \"JPN\" }"
    assert rows(ks.query(store, shared)) == [{"n": "1"}]
    # pyoxigraph's own union counts it once per document graph
    assert int(rows(ks.query(store, shared, use_default_graph_as_union=True))[0]["n"]) >= 1


def test_query_own_prefix_declaration_wins(store) -> None:
    sparql = "PREFIX bkg: <urn:other#> SELECT ?d WHERE { ?d a bkg:Document }"
    assert rows(ks.query(store, sparql)) == []


def test_query_bindings_are_substituted(store) -> None:
    sparql = """SELECT ?party ?label WHERE {
      ?a a bkg:Agreement ; rdfs:label ?label ; bkg:party ?party } ORDER BY ?label"""
    kaz = rows(ks.query(store, sparql, {"party": country_iri("KAZ")}))
    assert {r["label"] for r in kaz} == {"先端技術協力に関する覚書", "「中央アジア＋日本」対話ロードマップ"}
    # pyoxigraph terms, "?name" spelling
    jcm = rows(ks.query(store, sparql, {"?label": ox.Literal("二国間クレジット制度（JCM）に関する協力覚書", language="ja")}))
    assert {r["party"] for r in jcm} == {str(country_iri("JPN")), str(KGZ)}
    # a value that would break a pasted query is just a value
    nasty = '"} } ; DROP ALL ; SELECT * { ?s ?p ?o'
    assert rows(ks.query(store, sparql, {"label": Literal(nasty, lang="ja")})) == []


def test_query_binding_of_plain_python_values(store) -> None:
    sparql = "SELECT ?m ?n WHERE { ?m bkg:ordinal ?n }"
    assert len(rows(ks.query(store, sparql, {"n": 9}))) >= 1
    assert rows(ks.query(store, sparql, {"n": 10})) == []
    with pytest.raises(ks.QueryError, match="cannot bind"):
        ks.query(store, sparql, {"n": object()})


def test_query_binding_outside_projection_is_a_query_error(store) -> None:
    with pytest.raises(ks.QueryError):
        ks.query(store, "SELECT ?label WHERE { ?a rdfs:label ?label }", {"a": KGZ})


def test_query_syntax_error(store) -> None:
    with pytest.raises(ks.QueryError, match="SPARQL syntax error"):
        ks.query(store, "SELEC ?x WHERE { ?x ?y ?z }")
    with pytest.raises(ks.QueryError):
        ks.query(store, "SELECT ?x WHERE { ?x nope:p ?z }")


def test_to_oxigraph_term() -> None:
    assert ks.to_oxigraph_term(URIRef("urn:x")) == ox.NamedNode("urn:x")
    assert ks.to_oxigraph_term(Literal("日本", lang="ja")) == ox.Literal("日本", language="ja")
    typed = ks.to_oxigraph_term(Literal("2023-07-06", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")))
    assert typed.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    assert ks.to_oxigraph_term("x") == ox.Literal("x")
    assert ks.to_oxigraph_term(True).value == "true"


# --- formatting -----------------------------------------------------------------------------


def test_table_is_aligned_for_japanese(store) -> None:
    text = ks.format_results(ks.query(store, EXAMPLE), "table")
    lines = text.splitlines()
    assert lines[0].split() == ["label", "date"]
    assert lines[-1] == "(2 rows)"
    # the date column starts at the same display column on every line
    body = [lines[0], *lines[2:-1]]
    starts = {ks._width(line[: line.index(d)]) for line, d in zip(body, ["date", "2023", "2023-07-06"])}
    assert len(starts) == 1
    assert set(lines[1]) <= {"-", " "}


def test_table_compacts_iris_and_truncates(store) -> None:
    text = ks.format_results(
        ks.query(store, "SELECT ?c ?t WHERE { ?c bkg:iso3 'KGZ' . ?p bkg:text ?t } LIMIT 20"),
        "table",
        max_width=20,
    )
    assert "id:country/KGZ" in text
    assert "…" in text
    assert all(ks._width(cell) <= 20 for line in text.splitlines()[2:-1] for cell in line.split("  "))


def test_width() -> None:
    assert ks._width("abc") == 3
    assert ks._width("日本") == 4
    assert ks._width("ＡＢ") == 4  # full-width
    assert ks._width("ｶﾅ") == 2  # half-width katakana


def test_csv_tsv_json_are_sparql_results_formats(store) -> None:
    as_csv = ks.format_results(ks.query(store, EXAMPLE), "csv")
    table = list(csv.reader(io.StringIO(as_csv)))
    assert table[0] == ["label", "date"] and len(table) == 3
    assert table[2] == ["二国間クレジット制度（JCM）に関する協力覚書", "2023-07-06"]

    as_tsv = ks.format_results(ks.query(store, EXAMPLE), "tsv")
    assert as_tsv.splitlines()[0] == "?label\t?date"
    assert '"2023-07-06"^^<http://www.w3.org/2001/XMLSchema#date>' in as_tsv

    doc = json.loads(ks.format_results(ks.query(store, EXAMPLE), "json"))
    assert doc["head"]["vars"] == ["label", "date"]
    first = doc["results"]["bindings"][0]
    assert first["label"]["xml:lang"] == "ja"
    assert first["date"]["datatype"] == "http://www.w3.org/2001/XMLSchema#gYear"


def test_ask_and_construct(store) -> None:
    assert ks.format_results(ks.query(store, "ASK { ?v a bkg:Visit }")) == "true"
    assert ks.format_results(ks.query(store, "ASK { ?v a bkg:Treaty }"), "csv") == "false"
    assert json.loads(ks.format_results(ks.query(store, "ASK { ?v a bkg:Visit }"), "json")) == {
        "head": {},
        "boolean": True,
    }
    turtle = ks.format_results(
        ks.query(store, "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c bkg:iso3 'KGZ' ; rdfs:label ?l }")
    )
    g = Dataset()
    g.parse(data=turtle, format="turtle")
    assert (KGZ, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("キルギス", lang="ja")) in g


def test_unknown_format(store) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        ks.format_results(ks.query(store, EXAMPLE), "xml")  # type: ignore[arg-type]


# --- stats ----------------------------------------------------------------------------------


def test_stats(store) -> None:
    numbers = ks.stats(store)
    ds = build_graph(corpus())
    assert numbers == {
        "documents": 2,
        "passages": 8,
        "entities": {
            "Country": 3,
            "Person": 3,
            "Organization": 1,
            "Place": 1,
            "Agreement": 3,
            "Visit": 1,
            "Meeting": 1,
            "Program": 1,
        },
        "triples": len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}),
        "quads": quads(ds),
        "graphs": 2,
    }
    assert ks.stats(ox.Store())["documents"] == 0


def test_format_stats(store) -> None:
    numbers = ks.stats(store)
    table = ks.format_stats(numbers)
    assert table.splitlines()[0].split() == ["documents", "2"]
    assert "named graphs" in table
    assert json.loads(ks.format_stats(numbers, "json")) == numbers


def test_shared_person_is_one_resource_in_the_store(store) -> None:
    kulubaev = entity_iri("person", KEYS.KULUBAEV)
    result = ks.query(
        store,
        "SELECT ?person (COUNT(DISTINCT ?doc) AS ?docs) WHERE "
        "{ ?person bkg:mentionedIn/bkg:document ?doc } GROUP BY ?person",
        {"person": kulubaev},
    )
    assert rows(result) == [{"person": str(kulubaev), "docs": "2"}]


def test_csv_cells_that_look_like_formulas_are_neutralized(tmp_path) -> None:
    """A label from a document that begins like a spreadsheet formula is written with a leading
    ' in every CSV the tool writes: bkg query --format csv, bkg export csv, the endpoint's CSV."""
    import pyoxigraph as ox

    from kg.export import export_csv
    from kg.server import _term_csv

    store = ox.Store()
    doc = ox.NamedNode("https://w3id.org/bilateral-kg/id/document/x")
    person = ox.NamedNode("https://w3id.org/bilateral-kg/id/person/x")
    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    bkg = "https://w3id.org/bilateral-kg/ontology#"
    store.add(ox.Quad(person, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode(bkg + "Person"), doc))
    store.add(ox.Quad(person, rdfs_label, ox.Literal('=HYPERLINK("http://evil.example","x")', language="ja"), doc))
    ks.merge_union(store)
    rows = list(csv.reader(io.StringIO(ks.format_results(ks.query(store, "SELECT ?l WHERE { ?p rdfs:label ?l }"), "csv"))))
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","x")']
    (persons,) = [p for p in export_csv(store, tmp_path) if p.name == "persons.csv"]
    cells = [c for row in csv.reader(persons.open(encoding="utf-8")) for c in row]
    assert not any(c.startswith("=") for c in cells) and any(c.startswith("'=HYPERLINK") for c in cells)
    assert _term_csv(ox.Literal("+1-555")) == "'+1-555" and _term_csv(ox.Literal("日本")) == "日本"


# --- row limits -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_limited_answers_format_like_pyoxigraph(store, fmt) -> None:
    sparql = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    whole = ks.format_results(ks.query(store, sparql), fmt)
    limited = ks.limit_results(ks.query(store, sparql), None)
    assert not limited.truncated
    assert ks.format_answer(limited, fmt) == whole


def test_limit_results_cuts_and_says_so(store) -> None:
    sparql = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    total = len(list(ks.query(store, sparql)))
    cut = ks.limit_results(ks.query(store, sparql), 3)
    assert len(cut) == 3 and cut.truncated
    assert [v.value for v in cut.variables] == ["s", "p", "o"]
    as_json = json.loads(ks.format_answer(cut, "json"))
    assert len(as_json["results"]["bindings"]) == 3
    exact = ks.limit_results(ks.query(store, sparql), total)
    assert len(exact) == total and not exact.truncated
    graph = ks.limit_results(ks.query(store, "CONSTRUCT WHERE { ?s ?p ?o }"), 2)
    assert isinstance(graph, ks.LimitedTriples) and len(graph) == 2 and graph.truncated
    turtle = ks.format_answer(graph, "table")
    assert len(list(ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE))) == 2
    ask = ks.limit_results(ks.query(store, "ASK { ?s ?p ?o }"), 1)
    assert ks.format_answer(ask) == "true"


def test_limited_json_keeps_every_kind_of_term() -> None:
    sparql = """SELECT * WHERE {
      VALUES (?a ?b ?c) { ("x"@en-US 1 "z\\n\\t\\"/") ("y"@ar--rtl UNDEF "日本") }
      BIND(<<( <urn:s> <urn:p> "o" )>> AS ?t) BIND(<urn:x> AS ?n) BIND(BNODE("b") AS ?bn) }"""
    import re

    def norm(text: str) -> str:  # blank node ids differ between two runs
        return re.sub(r'_:\w+|"bnode","value":"\w+"', "B", text)

    mem = ox.Store()
    for fmt in ("json", "tsv"):
        whole = norm(ks.format_results(mem.query(sparql), fmt))
        limited = norm(ks.format_answer(ks.limit_results(mem.query(sparql), 0), fmt))
        assert limited == whole, fmt


def test_syntax_errors_are_one_readable_line(store) -> None:
    with pytest.raises(ks.QueryError) as err:
        ks.query(store, "SELECT ?x WHERE { ?x nope:p ?z }")
    assert "undeclared prefix 'nope:'" in str(err.value) and "\n" not in str(err.value)


def test_bkg_load_makes_a_queryable_store_from_an_export(tmp_path):
    """bkg export --format nquads, then bkg load: the same quads, the union default graph, and
    a bad file leaves the previous store as it was."""
    from typer.testing import CliRunner

    from kg.cli import app

    build = tmp_path / "build"
    ks.write_store(build_graph(corpus()), build)
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(build), "--format", "nquads", "--out", str(tmp_path / "kg.nq")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["load", str(tmp_path / "kg.nq"), "--out", str(tmp_path / "loaded")])
    assert result.exit_code == 0, result.output
    original, loaded = ks.open_store(build), ks.open_store(tmp_path / "loaded")
    assert set(loaded) == set(original)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p a bkg:Person }"
    assert next(iter(ks.query(loaded, count)))["n"] == next(iter(ks.query(original, count)))["n"]
    del loaded
    (tmp_path / "bad.trig").write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    result = runner.invoke(app, ["load", str(tmp_path / "bad.trig"), "--out", str(tmp_path / "loaded")])
    assert result.exit_code == 2 and "bad.trig: not valid TriG" in result.output
    assert set(ks.open_store(tmp_path / "loaded")) == set(original)
    result = runner.invoke(app, ["load", str(tmp_path / "kg.xyz"), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "unknown RDF format" in result.output
