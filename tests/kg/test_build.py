"""`bkg build` end to end on the real corpus with the real model, and its failure behaviour."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from kg.cli import app

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"

PERSONS_2023 = """
SELECT DISTINCT ?name ?role ?iso3 WHERE {
  ?doc a bkg:Document ; dcterms:title ?title .
  FILTER(CONTAINS(?title, "キルギス共和国との間の"))
  ?passage bkg:document ?doc .
  ?person a bkg:Person ; rdfs:label ?name ; bkg:mentionedIn ?passage .
  OPTIONAL { ?person bkg:role ?role }
  OPTIONAL { ?person bkg:country/bkg:iso3 ?iso3 }
} ORDER BY ?name
"""


def test_build_writes_the_three_outputs(corpus_build):
    assert (corpus_build / "kg.trig").stat().st_size > 10_000
    assert (corpus_build / "store").is_dir()
    html = (corpus_build / "graph.html").read_text(encoding="utf-8")
    assert "<html" in html.lower()


def test_trig_round_trip_matches_the_store(corpus_build):
    from kg.store import open_store

    ds = Dataset()
    ds.parse(corpus_build / "kg.trig", format="trig")
    import pyoxigraph

    store = open_store(corpus_build)
    named = [q for q in store.quads_for_pattern(None, None, None, None)
             if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)]
    assert len(named) == sum(1 for _ in ds.quads((None, None, None, None)))
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert len([g for g in graphs if "/graph/" in g and not g.endswith("/resolved")]) == 5  # one per document
    assert "https://w3id.org/bilateral-kg/graph/resolved" in graphs  # and the cross-document resolution


def test_persons_of_the_2023_japan_kyrgyz_statement_via_cli(corpus_build):
    result = CliRunner().invoke(app, ["query", "--store", str(corpus_build), PERSONS_2023, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {line.split(",")[0]: line for line in result.output.strip().splitlines()[1:]}
    assert set(rows) == {"サディル・ジャパロフ", "安倍晋三", "岸田文雄"}
    assert "大統領" in rows["サディル・ジャパロフ"] and "KGZ" in rows["サディル・ジャパロフ"]
    assert "JPN" in rows["岸田文雄"] and "内閣総理大臣" in rows["岸田文雄"]


def test_two_builds_are_isomorphic(corpus_build, nlp, tmp_path):
    from kg.build import build

    again = tmp_path / "again"
    build([CORPUS], again, nlp=nlp, progress=False)
    a, b = Dataset(), Dataset()
    a.parse(corpus_build / "kg.trig", format="trig")
    b.parse(again / "kg.trig", format="trig")
    assert {g.identifier for g in a.graphs() if len(g)} == {g.identifier for g in b.graphs() if len(g)}
    for g in a.graphs():
        assert isomorphic(g, b.graph(g.identifier)), g.identifier


def test_a_bad_document_is_named_and_the_rest_still_build(nlp, tmp_path, monkeypatch):
    from kg.build import build

    src = tmp_path / "docs"
    src.mkdir()
    shutil.copy(CORPUS / "2022-12-24_ca-jad_9th-foreign-ministers_joint-statement.txt", src)
    (src / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
    out = tmp_path / "out"
    result = build([src], out, nlp=nlp, progress=False)
    assert result.documents == 1
    assert [e.path.name for e in result.errors] == ["broken.txt"]
    assert "broken.txt" in str(result.errors[0])
    assert (out / "kg.trig").exists() and (out / "store").is_dir()

    # the command line says which file and why, and exits 1
    monkeypatch.setattr("extract.pipeline.load_nlp", lambda *a, **k: nlp)
    cli = CliRunner().invoke(app, ["build", str(src), "--out", str(tmp_path / "cli"), "--quiet"])
    assert cli.exit_code == 1
    assert "broken.txt" in cli.output


def test_a_failed_run_keeps_the_previous_outputs(nlp, tmp_path, monkeypatch):
    from kg import build as build_module
    from kg.store import open_store

    src = tmp_path / "docs"
    src.mkdir()
    shutil.copy(CORPUS / "2022-12-24_ca-jad_9th-foreign-ministers_joint-statement.txt", src)
    out = tmp_path / "out"
    build_module.build([src], out, nlp=nlp, progress=False)
    before = (out / "kg.trig").read_bytes()
    quads = len(open_store(out))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kg.views.render_store", explode)
    shutil.copy(CORPUS / "2023-11_jp-kgz_joint-statement.txt", src)
    with pytest.raises(RuntimeError):
        build_module.build([src], out, nlp=nlp, progress=False)
    assert (out / "kg.trig").read_bytes() == before
    assert len(open_store(out)) == quads
    leftovers = [p.name for p in out.iterdir() if p.name not in {"kg.trig", "store", "graph.html"}]
    assert leftovers == []


def test_union_default_graph_is_a_set(corpus_build):
    """A person named in three documents is counted once (the contract's union, as a set)."""
    from kg.store import open_store, query

    store = open_store(corpus_build)
    (row,) = query(store, 'SELECT (COUNT(*) AS ?n) WHERE { ?p a bkg:Person ; rdfs:label "サディル・ジャパロフ"@ja }')
    assert int(row["n"].value) == 1
    (row,) = query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a bkg:Person }")
    (distinct,) = query(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a bkg:Person }")
    assert row["n"].value == distinct["n"].value


def test_build_says_what_is_wrong_with_its_arguments(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["build", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    (tmp_path / "empty").mkdir()
    empty = runner.invoke(app, ["build", str(tmp_path / "empty"), "--out", str(tmp_path / "o")])
    assert empty.exit_code == 2 and "no documents" in empty.output
    assert not (tmp_path / "o").exists()


def test_saved_query_with_bound_parameters_via_cli(corpus_build):
    runner = CliRunner()
    result = runner.invoke(app, ["query", str(corpus_build), "--saved", "agreements-between",
                                 "--param", "a=JPN", "--param", "b=KGZ", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "二国間クレジット制度の構築に関する協力覚書" in result.output
    assert "2023-07-06" in result.output
    # a value is bound, never pasted: a hostile value is just an unknown country
    hostile = runner.invoke(app, ["query", str(corpus_build), "--saved", "agreements-between",
                                  "--param", 'a=JPN" } ; DROP ALL ; #', "--param", "b=KGZ"])
    assert "二国間クレジット" not in hostile.output
    missing = runner.invoke(app, ["query", str(corpus_build), "--saved", "agreements-between", "--param", "a=JPN"])
    assert missing.exit_code == 2 and "missing parameter" in missing.output


def test_a_build_that_reads_no_document_keeps_the_previous_graph(nlp, tmp_path, monkeypatch):
    from kg.build import BuildError, build

    src = tmp_path / "docs"
    src.mkdir()
    (src / "a.txt").write_text("共同声明\n2024年1月5日\n1 双方は、協力を確認した。\n", encoding="utf-8")
    out = tmp_path / "out"
    build([src], out, nlp=nlp, progress=False)
    before = (out / "kg.trig").read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
    with pytest.raises(BuildError, match="no document could be built.*broken.txt.*unchanged"):
        build([bad], out, nlp=nlp, progress=False)
    assert (out / "kg.trig").read_bytes() == before
    monkeypatch.setattr("extract.pipeline.load_nlp", lambda *a, **k: nlp)
    cli = CliRunner().invoke(app, ["build", str(bad), "--out", str(out), "--quiet"])
    assert cli.exit_code == 1 and "no document could be built" in cli.output
    assert (out / "kg.trig").read_bytes() == before


def test_an_out_folder_that_cannot_be_written_is_one_clear_error_before_extraction(tmp_path):
    from kg.build import BuildError, build

    (tmp_path / "a-file").write_text("x", encoding="utf-8")

    def no_extraction(*args, **kwargs):
        raise AssertionError("extraction ran before the check")

    with pytest.raises(BuildError, match="cannot write the outputs here"):
        build([tmp_path], tmp_path / "a-file" / "out", nlp=no_extraction, progress=False)


def test_stale_staging_is_removed_and_two_builds_cannot_share_one_out(nlp, tmp_path):
    import fcntl
    import os

    from kg.build import BuildError, build

    src = tmp_path / "docs"
    src.mkdir()
    (src / "a.txt").write_text("共同声明\n2024年1月5日\n1 双方は、協力を確認した。\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / ".build-killed").mkdir(parents=True)
    (out / ".build-killed" / "kg.trig").write_text("half", encoding="utf-8")
    build([src], out, nlp=nlp, progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["graph.html", "kg.trig", "store"]
    fd = os.open(out, os.O_RDONLY)  # another build holds OUT
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(BuildError, match="another build is writing here"):
            build([src], out, nlp=nlp, progress=False)
    finally:
        os.close(fd)


def test_builds_write_identical_bytes_whatever_the_hash_seed(tmp_path):
    """Two `bkg build` processes with different PYTHONHASHSEED write the same kg.trig, the same
    Turtle export and the same quads (set iteration order must never leak into the output)."""
    import os
    import subprocess
    import sys

    bkg = str(Path(sys.executable).with_name("bkg"))
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([bkg, "build", str(CORPUS), "--out", str(out)], env=env, check=True,
                       capture_output=True)
        subprocess.run([bkg, "export", str(out), "--format", "turtle", "--out", str(out / "kg.ttl")],
                       env=env, check=True, capture_output=True)
        subprocess.run([bkg, "export", str(out), "--format", "nquads", "--out", str(out / "kg.nq")],
                       env=env, check=True, capture_output=True)
        outputs.append(out)
    a, b = outputs
    assert (a / "kg.trig").read_bytes() == (b / "kg.trig").read_bytes()
    assert (a / "kg.ttl").read_bytes() == (b / "kg.ttl").read_bytes()
    assert sorted((a / "kg.nq").read_text().splitlines()) == sorted((b / "kg.nq").read_text().splitlines())


def test_update_store_gives_the_quads_of_loading_the_whole_trig(tmp_path):
    """kg.store.update_store (issue 11) on graphs written for this test: a triple two graphs share
    stays in the union when one of them is replaced or removed; one only the old graph held goes."""
    import pyoxigraph

    from kg.store import load_trig, update_store

    head = b"@prefix ex: <http://example.org/> .\n"

    def body(g: str, *triples: str) -> bytes:
        return f"<http://example.org/{g}> {{\n".encode() + b"".join(f"\t{t} .\n".encode() for t in triples) + b"}\n"

    def trig(path: Path, *bodies: bytes) -> Path:
        path.write_bytes(head + b"\n" + b"\n".join(bodies))
        return path

    def quads(store_dir: Path) -> set[str]:
        return {str(q) for q in pyoxigraph.Store.read_only(str(store_dir)).quads_for_pattern(None, None, None, None)}

    g1 = body("g1", "ex:s ex:p ex:shared", "ex:s ex:p ex:only1")
    g2 = body("g2", "ex:s ex:p ex:shared", "ex:s ex:p ex:only2")
    load_trig(trig(tmp_path / "old.trig", g1, g2), tmp_path / "old")
    old = quads(tmp_path / "old")
    new_g1 = body("g1", "ex:s ex:p ex:new1")
    g3 = body("g3", "ex:t ex:p ex:only2")
    update_store(tmp_path / "old", tmp_path / "new", head, {
        "http://example.org/g1": new_g1, "http://example.org/g3": g3})
    load_trig(trig(tmp_path / "full.trig", new_g1, g2, g3), tmp_path / "full")
    assert quads(tmp_path / "new") == quads(tmp_path / "full")
    assert "<http://example.org/s> <http://example.org/p> <http://example.org/shared>" in quads(tmp_path / "new")
    assert quads(tmp_path / "old") == old  # the store it was made from is as it was

    update_store(tmp_path / "new", tmp_path / "fewer", head, {"http://example.org/g2": b""})
    load_trig(trig(tmp_path / "fewer.trig", new_g1, g3), tmp_path / "full2")
    assert quads(tmp_path / "fewer") == quads(tmp_path / "full2")
    assert not any("shared" in q for q in quads(tmp_path / "fewer"))
    assert {str(g) for g in pyoxigraph.Store.read_only(str(tmp_path / "fewer")).named_graphs()} == {
        "<http://example.org/g1>", "<http://example.org/g3>"}
