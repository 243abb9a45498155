"""Both cores: uncached passages parsed by ``nlp.pipe(n_process=2)`` give the same facts as one
process, write the same parse cache, and fall back to one process when the workers fail."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.model

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
