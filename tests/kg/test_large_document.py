"""A large document (issues 9 and 11): its graph is collected in kg.rdf.QuadSink and written by
pyoxigraph, with the same quads as the rdflib Dataset that kg.rdf.build_graph builds.

The model test builds a ~150 000-character single document (one statement repeated under numbered
headings, so its passages are mostly repeats) with the real GiNZA model; the other tests use
hand-made facts. No test measures time (bench/large_document.py does)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from factories import ca_japan_dialogue, corpus, jp_kgz_joint_statement
from rdflib import Dataset, Literal, URIRef

from kg.rdf import QuadSink, add_document, build_graph, graph_body, graph_to_trig, trig_head
from kg.store import load_trig, to_oxigraph_term

ROOT = Path(__file__).resolve().parents[2]
STATEMENT = ROOT / "data" / "corpus" / "2023-11_jp-kgz_joint-statement.txt"


def _dataset_quads(ds: Dataset) -> set[str]:
    """The quads of an rdflib Dataset as N-Quads text (the old path: what rdflib holds)."""
    return {
        str(ox.Quad(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o), ox.NamedNode(str(g))))
        for s, p, o, g in ds.quads((None, None, None, None))
    }


def _trig_quads(data: bytes | str | Path) -> set[str]:
    if isinstance(data, Path):
        return set(map(str, ox.parse(path=str(data), format=ox.RdfFormat.TRIG)))
    return set(map(str, ox.parse(data, format=ox.RdfFormat.TRIG)))


def test_the_sink_writes_the_bytes_of_a_dataset_with_the_same_quads():
    facts = corpus()
    ds = build_graph(facts)
    trig = graph_to_trig(ds)
    assert _trig_quads(trig) == _dataset_quads(ds)  # pyoxigraph's TriG carries rdflib's quads
    sink = QuadSink()
    for item in reversed(facts):  # another order: the same bytes
        add_document(sink, item)
    one = Dataset()
    for item in reversed(facts):
        add_document(one, item)
    assert graph_to_trig(sink) == graph_to_trig(one)
    assert trig.startswith(trig_head() + "\n<https://w3id.org/bilateral-kg/graph/")


def test_literals_that_need_escapes_survive_the_round_trip():
    g = URIRef("https://w3id.org/bilateral-kg/graph/x")
    s = URIRef("https://w3id.org/bilateral-kg/id/document/x/p0")
    p = URIRef("https://w3id.org/bilateral-kg/ontology#text")
    values = [Literal('「引用」 "quoted" \\ back\nslash\r\tend', lang="ja"), Literal("x"),
              Literal(7), Literal(True), Literal("2023-11-20", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))]
    ds = Dataset()
    graph = ds.graph(g)
    for value in values:
        graph.add((s, p, value))
    body = graph_body(g, graph)
    assert _trig_quads(trig_head() + body) == _dataset_quads(ds)
    assert body.count("\n\t") >= 1 and "\\n" in body  # a newline inside a literal is escaped


def test_the_store_holds_the_union_loaded_without_python(tmp_path):
    facts = (jp_kgz_joint_statement(), ca_japan_dialogue())
    ds = build_graph(facts)
    trig = tmp_path / "kg.trig"
    trig.write_text(graph_to_trig(ds), encoding="utf-8")
    load_trig(trig, tmp_path / "store")
    store = ox.Store.read_only(str(tmp_path / "store"))
    reference = ox.Store()  # the file as pyoxigraph stores it (it writes xsd:nonNegativeInteger as integer)
    reference.load(path=str(trig), format=ox.RdfFormat.TRIG)
    named = [q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != ox.DefaultGraph()]
    assert set(map(str, named)) == set(map(str, reference))
    default = {str(q) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert default == {str(ox.Quad(q.subject, q.predicate, q.object)) for q in named}
    assert len(default) == len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})
    assert [p.name for p in tmp_path.iterdir()] in (["kg.trig", "store"], ["store", "kg.trig"])  # no copy left


def test_a_trig_written_by_something_else_is_merged_all_the_same(tmp_path):
    trig = tmp_path / "other.trig"
    trig.write_text(
        "PREFIX ex: <http://example.org/>\n"
        "GRAPH ex:g1 { ex:a ex:p ex:b . ex:a ex:p ex:c }\n"
        "ex:g2 { ex:a ex:p ex:b }\n",
        encoding="utf-8",
    )
    load_trig(trig, tmp_path / "store")
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 2
    assert len(list(store.quads_for_pattern(None, None, None, None))) == 5


# --- a document of 150 000 characters with the real model ------------------------------------


class _Bar:
    """A stand-in for tqdm that records what the build tells it."""

    made: ClassVar[list[_Bar]] = []

    def __init__(self, iterable=None, *, total=None, desc=None, unit=None, **_):
        self.iterable, self.total, self.desc, self.unit = iterable, total, desc, unit
        self.n, self.updates = 0, []
        _Bar.made.append(self)

    def __iter__(self):
        yield from self.iterable

    def update(self, n=1):
        self.n += n
        self.updates.append(n)

    def set_postfix_str(self, text, refresh=True):
        pass

    def close(self):
        pass


def _large_document(folder: Path, chars: int = 150_000) -> Path:
    """One statement repeated under numbered headings until the file holds ``chars`` characters."""
    text = STATEMENT.read_text(encoding="utf-8").strip()
    parts, n = ["大規模文書試験\n2023年11月20日\n"], 0
    while sum(map(len, parts)) < chars:
        n += 1
        parts.append(f"第{n}部\n\n{text}\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "large.txt"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


@pytest.mark.model
def test_a_large_document_builds_with_the_quads_of_the_old_path(nlp, tmp_path, monkeypatch):
    import tqdm

    from extract.pipeline import extract_paths
    from extract.structure import parse_document
    from kg.build import OUTPUTS, build

    source, cache = _large_document(tmp_path / "src"), tmp_path / "cache"
    _Bar.made = []
    monkeypatch.setattr(tqdm, "tqdm", _Bar)
    result = build([source], tmp_path / "out", nlp=nlp, progress=True, cache_dir=cache)
    monkeypatch.undo()
    assert result.ok and result.documents == 1

    # the progress counts passages, within the one document
    (bar,) = [b for b in _Bar.made if b.desc == "extracting"]
    assert bar.unit == "passage" and bar.total == len(parse_document(source).passages) > 100
    assert bar.n == bar.total and len(bar.updates) > 1

    # kg.trig carries the quads of the rdflib Dataset the old path serialized, and is what
    # kg.rdf writes for that Dataset, byte for byte
    facts, _ = extract_paths([source], nlp=nlp, progress=False, cache_dir=cache)
    ds = build_graph(facts)
    trig = result.trig.read_bytes()
    assert _trig_quads(result.trig) == _dataset_quads(ds)
    assert trig == graph_to_trig(ds).encode("utf-8")

    # the store: the named graphs as written, their union (a set) in the default graph
    store = ox.Store.read_only(str(result.store))
    named = [q for q in store.quads_for_pattern(None, None, None, None) if q.graph_name != ox.DefaultGraph()]
    default = {str(q) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert default == {str(ox.Quad(q.subject, q.predicate, q.object)) for q in named}
    assert len(default) == len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}) == result.triples
    del store

    # a rebuild from the caches writes nothing; a build into a new folder the same bytes
    again = build([source], tmp_path / "out", nlp=nlp, progress=False, cache_dir=cache)
    assert again.cached == 1 and again.unchanged == OUTPUTS and again.triples == result.triples
    other = build([source], tmp_path / "other", nlp=nlp, progress=False, cache_dir=cache)
    assert (tmp_path / "other" / "kg.trig").read_bytes() == trig
    assert (tmp_path / "other" / "graph.html").read_bytes() == result.html.read_bytes()
    assert other.triples == result.triples


def test_a_graph_too_big_for_memory_is_sorted_through_files_to_the_same_bytes(monkeypatch):
    """Past _TripleLines.SPILL lines a sink graph goes to sorted runs on disk (issue 9: a 20 MB
    document's millions of triples); the TriG written is byte for byte the in-memory one."""
    from factories import corpus
    from rdflib import Dataset

    from kg import rdf

    facts = corpus()
    whole = Dataset()
    for item in facts:
        rdf.add_document(whole, item)
    expected = rdf.graph_to_trig(whole)
    for spill in (7, 64, 200):  # the largest graph here has some 340 lines
        monkeypatch.setattr(rdf._TripleLines, "SPILL", spill)
        sink = rdf.QuadSink()
        for item in facts:
            rdf.add_document(sink, item)
        assert any(g._runs for g in sink.graphs())
        assert rdf.graph_to_trig(sink) == expected
        bodies = [rdf.graph_body_bytes(g.identifier, g, consume=True) for g in sink.graphs()]
        assert all(not g._runs and not len(g) for g in sink.graphs())  # emptied, its files closed
        assert b"".join(bodies)
