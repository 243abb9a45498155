"""Incremental builds: the fact cache, outputs left alone when unchanged, and ``--add``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

#: Short documents written for these tests (no sentence of the corpus). C names the minister of
#: A again (one person across documents), D shares nothing with A and B.
TEXTS = {
    "a.txt": "日本・ウズベキスタン外相会談\n2024年2月6日\n"
             "1 山田一郎外務大臣は、東京でサイドフ外務大臣と会談した。\n"
             "2 両大臣は、経済協力を一層強化することで一致した。\n",
    "b.txt": "日本国政府とモンゴル国政府との間の覚書\n2023年9月14日\n"
             "1 双方は、鉱物資源分野における協力に関する覚書に署名した。\n",
    "c.txt": "山田外務大臣のタジキスタン訪問\n2024年5月10日\n"
             "1 山田一郎外務大臣は、2024年5月9日から10日までタジキスタンを訪問した。\n",
    "d.txt": "日本・トルクメニスタン首脳会談\n2022年11月3日\n"
             "1 両首脳は、エネルギー分野の協力について意見交換を行った。\n",
}
OUTPUTS = ("kg.trig", "store", "graph.html")


def _write(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(TEXTS[name], encoding="utf-8")
    return folder


def _identity(out: Path) -> dict[str, tuple[int, int]]:
    return {n: (os.stat(out / n).st_ino, os.stat(out / n).st_mtime_ns) for n in OUTPUTS}


class _Counter:
    def __init__(self, monkeypatch, target: str, replacement=None):
        import importlib

        module_name, name = target.rsplit(".", 1)
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        self.calls = 0

        def counted(*args, **kwargs):
            self.calls += 1
            return (replacement or original)(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


def _no_model(*args, **kwargs):
    raise AssertionError("the model was loaded")


def test_a_warm_build_neither_loads_the_model_nor_extracts_and_rewrites_nothing(nlp, tmp_path, monkeypatch):
    from kg.build import build

    src, out, cache = _write(tmp_path / "src", "a.txt", "b.txt"), tmp_path / "out", tmp_path / "cache"
    first = build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    assert (first.extracted, first.cached) == (2, 0) and first.unchanged == ()
    before, trig = _identity(out), (out / "kg.trig").read_bytes()

    loads = _Counter(monkeypatch, "extract.pipeline.load_nlp", _no_model)
    rules = _Counter(monkeypatch, "extract.rules.extract_facts")
    parses = _Counter(monkeypatch, "extract.pipeline.iter_parses")
    again = build([src], out, progress=False, cache_dir=cache)  # nlp=None: loaded only if needed
    assert loads.calls == 0 and rules.calls == 0 and parses.calls == 0
    assert (again.extracted, again.cached) == (0, 2)
    assert again.unchanged == OUTPUTS and again.triples == first.triples
    assert _identity(out) == before  # same inode, same mtime: not rewritten
    assert (out / "kg.trig").read_bytes() == trig


def test_no_cache_parses_again_and_changed_rules_invalidate_the_facts(nlp, tmp_path, monkeypatch):
    import extract.factcache
    from extract.factcache import FactCache
    from extract.structure import parse_document
    from kg.build import build

    src, out, cache = _write(tmp_path / "src", "a.txt"), tmp_path / "out", tmp_path / "cache"
    build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    loads = _Counter(monkeypatch, "extract.pipeline.load_nlp", lambda *a, **k: nlp)
    bypass = build([src], out, progress=False, cache_dir=cache, use_cache=False)
    assert loads.calls == 1 and bypass.extracted == 1 and bypass.cached == 0
    assert "kg.trig" in bypass.unchanged  # same facts, same bytes: left alone all the same

    document = parse_document(src / "a.txt")
    assert FactCache(cache).get(document) is not None
    extract.factcache.rules_version.cache_clear()
    monkeypatch.setattr(extract.factcache, "rules_version", lambda: "another version of the rules")
    assert FactCache(cache).get(document) is None
    rebuilt = build([src], out, progress=False, cache_dir=cache)
    assert loads.calls == 2 and rebuilt.extracted == 1


def test_a_changed_document_is_extracted_again_alone(nlp, tmp_path, monkeypatch):
    from kg.build import build

    src, out, cache = _write(tmp_path / "src", "a.txt", "b.txt"), tmp_path / "out", tmp_path / "cache"
    build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    (src / "b.txt").write_text(TEXTS["b.txt"] + "2 双方は、協力を継続することを確認した。\n", encoding="utf-8")
    result = build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    assert (result.extracted, result.cached) == (1, 1)
    assert "kg.trig" not in result.unchanged


def test_add_gives_the_bytes_of_a_full_build_and_rewrites_only_affected_graphs(nlp, tmp_path, monkeypatch):
    from extract.pipeline import extract_paths
    from kg.build import build
    from kg.rdf import build_graph, graph_to_trig

    src, out, cache = _write(tmp_path / "src", "a.txt", "b.txt"), tmp_path / "out", tmp_path / "cache"
    extra = _write(tmp_path / "extra", "c.txt", "d.txt")
    build([src], out, nlp=nlp, progress=False, cache_dir=cache)

    graphs = _Counter(monkeypatch, "kg.rdf.add_document")
    added = build([], out, nlp=nlp, progress=False, cache_dir=cache, add=[extra / "d.txt"])
    assert added.documents == 3 and (added.extracted, added.cached) == (1, 2)
    assert graphs.calls == 1  # d shares nothing with a and b: their graphs are reused as written
    added = build([], out, nlp=nlp, progress=False, cache_dir=cache, add=[extra / "c.txt"])
    assert added.documents == 4 and added.extracted == 1

    full = tmp_path / "full"
    everything = _write(tmp_path / "all", *TEXTS)
    build([everything], full, nlp=nlp, progress=False, cache_dir=tmp_path / "cold", use_cache=False)
    assert (out / "kg.trig").read_bytes() == (full / "kg.trig").read_bytes()
    assert (out / "graph.html").read_bytes() == (full / "graph.html").read_bytes()
    # and both are what kg.rdf writes for the whole corpus at once
    facts, _ = extract_paths([everything], nlp=nlp, progress=False, use_cache=False)
    assert (full / "kg.trig").read_bytes() == graph_to_trig(build_graph(facts)).encode("utf-8")


def test_add_from_the_command_line_and_a_removed_source(nlp, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kg.cli import app

    monkeypatch.setattr("extract.pipeline.load_nlp", lambda *a, **k: nlp)
    monkeypatch.setenv("BKG_CACHE", str(tmp_path / "cache"))
    src, out = _write(tmp_path / "src", "a.txt", "d.txt"), tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(app, ["build", str(src), "--out", str(out), "--quiet", "--processes", "1"])
    assert first.exit_code == 0, first.output
    (src / "d.txt").unlink()
    _write(tmp_path / "new", "b.txt")
    added = runner.invoke(app, ["build", "--add", str(tmp_path / "new" / "b.txt"), "--out", str(out), "--quiet"])
    assert added.exit_code == 0, added.output
    assert "built 2 document(s)" in added.output and "1 extracted" in added.output
    assert "d.txt: no longer on disk" in added.output
    trig = (out / "kg.trig").read_text(encoding="utf-8")
    assert "トルクメニスタン首脳会談" not in trig and "モンゴル国政府" in trig

    nowhere = runner.invoke(app, ["build", "--add", str(tmp_path / "new" / "b.txt"), "--out", str(tmp_path / "o2")])
    assert nowhere.exit_code == 1 and "no earlier build is recorded" in nowhere.output


def _quads(out: Path) -> set[tuple[str, str, str, str]]:
    """The store's quads as a set of N-Triples terms, ``""`` naming the default graph."""
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / "store"))
    return {(str(q.subject), str(q.predicate), str(q.object),
             "" if isinstance(q.graph_name, pyoxigraph.DefaultGraph) else str(q.graph_name))
            for q in store.quads_for_pattern(None, None, None, None)}


def _graph_of(quads, text: str) -> tuple[str, set[tuple[str, str, str]]]:
    """The document graph in which some object holds ``text``: its name and its triples."""
    (name,) = {g for s, p, o, g in quads if g and "/resolved" not in g and text in o}
    return name, {(s, p, o) for s, p, o, g in quads if g == name}


def _assert_same_as_a_full_build(nlp, out: Path, full: Path, sources: list[Path]) -> None:
    """OUT holds what a build of ``sources`` from nothing (no cache, no earlier outputs) writes."""
    from kg.build import build

    shutil.rmtree(full, ignore_errors=True)
    build(sources, full, nlp=nlp, progress=False, cache_dir=full.with_name(full.name + "-cache"), use_cache=False)
    for name in ("kg.trig", "graph.html"):
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    assert _quads(out) == _quads(full)


def _count(out: Path) -> int:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / "store"))
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


def test_a_new_removed_or_changed_file_updates_the_store_and_gives_the_quads_of_a_full_build(nlp, tmp_path, monkeypatch):
    """The store in OUT is updated graph by graph (issue 11), never loaded again from kg.trig, and
    holds the quads of a full build after each step: a document added (plain rebuild and --add),
    one that shares a person with another removed (its triples stay in the union only where
    another graph holds them), one changed."""
    from kg.build import build

    src, out, cache = _write(tmp_path / "src", "a.txt", "b.txt"), tmp_path / "out", tmp_path / "cache"
    full = tmp_path / "full"
    build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    loads = _Counter(monkeypatch, "kg.store.load_trig")
    updates = _Counter(monkeypatch, "kg.store.update_store")

    _write(src, "c.txt")  # a plain rebuild that finds a new file; C names A's minister again
    result = build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    assert result.extracted == 1 and "store" not in result.unchanged
    assert (loads.calls, updates.calls) == (0, 1)
    _assert_same_as_a_full_build(nlp, out, full, [src])  # (a load: loads.calls is 1 from here)
    before = _quads(out)

    d = _write(tmp_path / "x", "d.txt") / "d.txt"
    added = build([], out, nlp=nlp, progress=False, cache_dir=cache, add=[d])
    assert added.documents == 4 and (loads.calls, updates.calls) == (1, 2)
    _assert_same_as_a_full_build(nlp, out, full, [src, d])

    (src / "c.txt").unlink()
    removed = build([src, d], out, nlp=nlp, progress=False, cache_dir=cache)
    assert removed.documents == 3 and (loads.calls, updates.calls) == (2, 3)
    _assert_same_as_a_full_build(nlp, out, full, [src, d])
    now = _quads(out)
    c_name, c_triples = _graph_of(before, "タジキスタン訪問")
    shared = c_triples & _graph_of(before, "ウズベキスタン外相会談")[1]
    only_c = c_triples - {(s, p, o) for s, p, o, g in before if g and g != c_name}
    union = {(s, p, o) for s, p, o, g in now if not g}
    assert shared and shared <= union  # what C says of A's minister stays in the union, held by A's graph
    assert only_c and not only_c & union  # what only C said left it

    (src / "b.txt").write_text(TEXTS["b.txt"] + "2 双方は、協力を継続することを確認した。\n", encoding="utf-8")
    changed = build([src, d], out, nlp=nlp, progress=False, cache_dir=cache)
    assert changed.extracted == 1 and (loads.calls, updates.calls) == (3, 4)
    _assert_same_as_a_full_build(nlp, out, full, [src, d])
    assert changed.triples == _count(out)


def test_a_failed_update_keeps_the_previous_store_and_one_that_cannot_be_made_loads_the_store_again(
        nlp, tmp_path, monkeypatch):
    import kg.build
    import kg.store
    from kg.build import build

    src, out, cache = _write(tmp_path / "src", "a.txt"), tmp_path / "out", tmp_path / "cache"
    build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    before, quads = _identity(out), _quads(out)

    def broken_view(*args, **kwargs):
        raise OSError("disk full")

    _write(src, "b.txt")
    with monkeypatch.context() as patch:
        patch.setattr(kg.build, "_write_view", broken_view)  # fails after the store was updated
        updates = _Counter(patch, "kg.store.update_store")
        with pytest.raises(OSError, match="disk full"):
            build([src], out, nlp=nlp, progress=False, cache_dir=cache)
        assert updates.calls == 1
    assert _identity(out) == before and _quads(out) == quads  # the backup left the old store as it was
    assert not list(out.glob(".build-*"))

    def uncopyable(*args, **kwargs):
        raise OSError("cannot copy the store")

    monkeypatch.setattr(kg.store, "update_store", uncopyable)
    loads = _Counter(monkeypatch, "kg.store.load_trig")
    build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    assert loads.calls == 1  # loaded from kg.trig instead
    _assert_same_as_a_full_build(nlp, out, tmp_path / "full", [src])

    def not_called(*args, **kwargs):
        raise AssertionError("the store was updated")

    monkeypatch.setattr(kg.store, "update_store", not_called)
    monkeypatch.setattr(kg.build, "_UPDATE_MAX_BYTES", 0)  # more to replace than an update may hold
    _write(src, "c.txt")
    build([src], out, nlp=nlp, progress=False, cache_dir=cache)
    assert loads.calls == 3  # 1: the full build above
    _assert_same_as_a_full_build(nlp, out, tmp_path / "full", [src])
