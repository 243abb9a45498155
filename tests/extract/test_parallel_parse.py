"""Both cores: documents extracted whole (parse and rules) by worker processes, or the passages of
one large document parsed by ``nlp.pipe(n_process=2)``, give the same facts as one process, write
the same parse cache, name the file whose extraction failed, leave no process behind, and fall
back to one process when the workers cannot start."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
#: Three short devset documents (real text, read as a build reads them).
REAL = ("20180927_jp-baltic-1st-cooperation-dialogue.txt", "20110317_jp-np-food-aid-exchange-of-notes.txt",
        "20021217_jp-my-mahathir-visit.txt")

#: Short documents written for these tests (no sentence of the corpus).
TEXTS = {
    "a.txt": "日本・ウズベキスタン外相会談\n2024年2月6日\n"
             "1 山田一郎外務大臣は、東京でサイドフ外務大臣と会談した。\n"
             "2 両大臣は、経済協力を一層強化することで一致した。\n",
    "b.txt": "日本国政府とモンゴル国政府との間の覚書\n2023年9月14日\n"
             "1 双方は、鉱物資源分野における協力に関する覚書に署名した。\n"
             "2 双方は、次回の対話を2024年に東京で開催することを確認した。\n",
}


def _documents(tmp_path: Path):
    from extract.structure import parse_document

    docs = []
    for name, text in TEXTS.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        docs.append(parse_document(path))
    return docs


def test_the_usable_cores_are_the_default():
    import os

    from extract.pipeline import usable_cores

    assert usable_cores() == len(os.sched_getaffinity(0))


def test_two_processes_give_the_same_facts_and_fill_the_same_cache(nlp, tmp_path, monkeypatch):
    from extract import pipeline

    docs = _documents(tmp_path)
    one, two = [0], [0]
    alone = list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=1, used=one))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)  # small texts: parallel all the same
    monkeypatch.setattr(pipeline, "LARGEST_SHARE", 0.0)  # as for one large document: the passage stream
    cache = pipeline.ParseCache(tmp_path / "cache")
    shared = list(pipeline.extract_documents(nlp, docs, cache, progress=False, processes=2, used=two))
    assert one == [1] and two == [2]
    assert shared == alone
    texts = {p.text for d in docs for p in d.passages}
    assert all(cache.has(nlp, t) for t in texts)  # the workers' parses are in the parse cache
    # and read back from it (no parsing: every lookup a hit), the facts are the same again
    again = pipeline.ParseCache(tmp_path / "cache")
    assert list(pipeline.extract_documents(nlp, docs, again, progress=False, processes=2)) == alone
    assert again.misses == 0 and again.hits == len(texts)


def test_little_uncached_text_is_parsed_in_this_process(nlp, tmp_path):
    from extract import pipeline

    used = [0]
    list(pipeline.extract_documents(nlp, _documents(tmp_path), None, progress=False, processes=2, used=used))
    assert used == [1]  # far below PARALLEL_MIN_CHARS: not worth forking workers


def test_workers_that_cannot_start_fall_back_to_one_process(nlp, tmp_path, monkeypatch):
    import pickle

    from extract import pipeline

    docs = _documents(tmp_path)
    alone = list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=1))

    def cannot_pickle(*args, **kwargs):
        raise pickle.PicklingError("Can't pickle <function bkg_component>")
        yield  # a generator, as spaCy's

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(pipeline, "LARGEST_SHARE", 0.0)  # the passage stream
    monkeypatch.setattr(nlp, "_multiprocessing_pipe", cannot_pickle)
    with pytest.warns(RuntimeWarning, match="parsing with 2 processes failed.*PicklingError"):
        facts = list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=2))
    assert facts == alone


def test_the_parse_stream_reads_its_input_lazily(nlp, monkeypatch):
    """Memory stays bounded: the parallel stream does not read all its texts before yielding."""
    import multiprocessing

    from extract import pipeline

    read: list[int] = []

    def texts():
        for n in range(400):
            read.append(n)
            yield f"第{n}回の協議が行われた。"

    stream = pipeline._parallel_parses(nlp, texts(), 2, None)
    first = next(stream)
    assert first.text == "第0回の協議が行われた。"
    assert len(read) < 400
    stream.close()
    assert multiprocessing.active_children() == []  # the workers of a stream left early are ended


# --- whole documents in worker processes -----------------------------------------------------


def _real_documents():
    from extract.structure import parse_document

    return [parse_document(ROOT / "data" / "devset" / name) for name in REAL]


def test_worker_processes_give_the_facts_of_one_process_in_source_order(nlp, tmp_path, monkeypatch):
    from extract import pipeline

    docs = _real_documents()
    docs.sort(key=pipeline._size)  # the largest last: handed out first, yielded last
    alone = list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=1))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)
    assert pipeline._share_documents(docs, 2)
    used = [0]
    cache = pipeline.ParseCache(tmp_path / "cache")
    pooled = list(pipeline.extract_documents(nlp, docs, cache, progress=False, processes=2, used=used))
    assert used == [2]
    assert [f.document.source for f in pooled] == [d.source for d in docs]
    assert pooled == alone
    assert [repr(f) for f in pooled] == [repr(f) for f in alone]
    assert multiprocessing.active_children() == []  # the pool's workers have exited
    # the workers wrote their parses to the parse cache, and this process reads them back
    texts = {p.text for d in docs for p in d.passages}
    again = pipeline.ParseCache(tmp_path / "cache")
    assert list(pipeline.extract_documents(nlp, docs, again, progress=False, processes=1)) == alone
    assert again.misses == 0 and again.hits == len(texts)
    # and a pooled build from the warm parse cache gives the same facts again
    assert list(pipeline.extract_documents(nlp, docs, cache, progress=False, processes=2)) == alone


def test_extract_paths_with_worker_processes_equals_one_process(nlp, tmp_path, monkeypatch):
    from extract import pipeline

    for name in REAL:
        (tmp_path / "docs").mkdir(exist_ok=True)
        (tmp_path / "docs" / name).write_bytes((ROOT / "data" / "devset" / name).read_bytes())
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)
    one, two = {}, {}
    alone, _ = pipeline.extract_paths([tmp_path / "docs"], nlp, cache_dir=tmp_path / "c1", progress=False,
                                      processes=1, report=one)
    pooled, _ = pipeline.extract_paths([tmp_path / "docs"], nlp, cache_dir=tmp_path / "c2", progress=True,
                                       processes=2, report=two)
    assert (one["processes"], two["processes"]) == (1, 2)
    assert repr(pooled) == repr(alone)  # resolved across the documents, the same
    assert multiprocessing.active_children() == []


def test_a_failing_document_is_named_and_the_workers_end(nlp, tmp_path, monkeypatch):
    from extract import pipeline

    docs = _documents(tmp_path)
    real = pipeline.extract_document

    def fails_on_b(document, *args, **kwargs):  # the workers are forked: they run this too
        if document.source.endswith("b.txt"):
            raise ValueError("no rule for this")
        return real(document, *args, **kwargs)

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(pipeline, "LARGEST_SHARE", 1.0)  # two small documents: shared out all the same
    monkeypatch.setattr(pipeline, "extract_document", fails_on_b)
    with pytest.raises(pipeline.WorkerError, match=r"b\.txt: extraction failed in a worker process "
                                                   r"\(ValueError: no rule for this\)") as caught:
        list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=2))
    assert "fails_on_b" in caught.value.details  # the worker's traceback
    assert multiprocessing.active_children() == []


def test_a_pool_left_early_ends_its_workers(nlp, tmp_path, monkeypatch):
    """Ctrl-C, an error downstream or a consumer that stops: the generator's exit stops the pool."""
    from extract import pipeline

    docs = _documents(tmp_path) + _real_documents()
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)
    facts = pipeline.extract_documents(nlp, docs, None, progress=False, processes=2)
    first = next(facts)
    assert first.document.source == docs[0].source
    facts.close()
    assert multiprocessing.active_children() == []


def test_a_pool_that_cannot_start_falls_back_to_one_process(nlp, tmp_path, monkeypatch):
    from extract import pipeline

    docs = _documents(tmp_path)
    alone = list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=1))

    class NoProcesses:
        def get_start_method(self):
            return "fork"

        def Pool(self, *args, **kwargs):  # multiprocessing's name
            raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(pipeline, "LARGEST_SHARE", 1.0)
    monkeypatch.setattr(pipeline, "_pool_context", NoProcesses)
    with pytest.warns(RuntimeWarning, match="starting 2 worker processes failed.*OSError"):
        facts = list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=2))
    assert facts == alone


def test_one_large_document_keeps_the_passage_stream(tmp_path):
    from extract import pipeline

    docs = _real_documents()
    assert pipeline._share_documents(docs, 2)  # three documents of about the same size
    from extract.structure import parse_document

    path = tmp_path / "big.txt"
    path.write_text("".join(f"{n}. 両国は第{n}回の協議を行った。\n" for n in range(300)), encoding="utf-8")
    big = parse_document(path)
    assert not pipeline._share_documents([big, *docs], 2)  # one holds most of the text: passage stream
    assert not pipeline._share_documents(docs[:1], 2)  # one document: nothing to share out
    assert not pipeline._share_documents(docs, 1)


def test_spawned_workers_load_the_model_and_give_the_same_facts(nlp, tmp_path, monkeypatch):
    """Where there is no ``fork`` (macOS, Windows) the workers are spawned and load GiNZA themselves."""
    from extract import pipeline

    docs = _real_documents()
    alone = list(pipeline.extract_documents(nlp, docs, None, progress=False, processes=1))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(pipeline, "_pool_context", lambda: multiprocessing.get_context("spawn"))
    used = [0]
    pooled = list(pipeline.extract_documents(nlp, docs, pipeline.ParseCache(tmp_path / "cache"), progress=False,
                                             processes=2, used=used))
    assert used == [2]
    assert pooled == alone
    assert multiprocessing.active_children() == []
