"""Benchmark: extracting a corpus with a cold parse cache vs a warm one.

    .venv/bin/python bench/parse_cache.py [CORPUS] [REPS]

Each repetition makes an empty temporary cache folder, runs ``extract_paths`` once there
(cold: every passage is parsed by GiNZA and written to the cache) and then once more with the
same folder (warm: every parse is read back from its ``DocBin``). The GiNZA pipeline is
loaded once, before any timing, and passed to both, as ``bkg build`` does.

Besides the wall time of ``extract_paths`` it reports the time spent inside
``document_parses`` (parsing or reading the cache; the rules and the cross-document
resolution make up the rest and cost the same in both runs) and the cache's hits and misses.
Those are read by wrapping ``extract.pipeline.ParseCache`` and ``document_parses`` for the
duration of the benchmark; nothing in the package is changed.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401  (puts the repository on sys.path)
from common import ROOT, Row, Timing, print_table, timed

import extract.pipeline as pipeline

DEFAULT_CORPUS = ROOT / "data" / "corpus"


@contextlib.contextmanager
def instrumented():
    """Record every ParseCache that ``extract_paths`` makes and the time spent parsing."""
    caches: list[pipeline.ParseCache] = []
    parse_time = [0.0]
    original_cache, original_parse = pipeline.ParseCache, pipeline.document_parses

    class RecordingCache(original_cache):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            caches.append(self)

    def timed_parse(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original_parse(*args, **kwargs)
        finally:
            parse_time[0] += time.perf_counter() - t

    pipeline.ParseCache, pipeline.document_parses = RecordingCache, timed_parse
    try:
        yield caches, parse_time
    finally:
        pipeline.ParseCache, pipeline.document_parses = original_cache, original_parse


def _run(corpus: Path, nlp, cache_dir: Path) -> dict:
    """One extraction in this process (``processes=1``: the parses are counted here) with the
    fact cache emptied first, so the warm run re-extracts from the cached parses: what is
    measured is the parse cache, not the fact cache in front of it."""
    import shutil

    shutil.rmtree(cache_dir / "facts", ignore_errors=True)
    with instrumented() as (caches, parse_time):
        seconds, (facts, errors) = timed(
            lambda: pipeline.extract_paths([corpus], nlp, cache_dir=cache_dir, progress=False,
                                           processes=1))
    return {
        "seconds": seconds,
        "parse_seconds": parse_time[0],
        "hits": sum(c.hits for c in caches),
        "misses": sum(c.misses for c in caches),
        "documents": len(facts),
        "errors": [str(e) for e in errors],
    }


def bench(corpus: Path = DEFAULT_CORPUS, *, reps: int = 3, nlp=None, log=print) -> list[Row]:
    """Rows: extract_paths cold vs warm, and the parse step alone cold vs warm."""
    load_s = 0.0
    if nlp is None:
        load_s, nlp = timed(pipeline.load_nlp)
        log(f"  parse cache: loaded {pipeline.MODEL} in {load_s:.1f}s (not in the timings)")
    nlp("日本とキルギスは協力を確認した。")  # first call initialises the tokenizer: untimed
    cold, warm, cold_parse, warm_parse = Timing(), Timing(), Timing(), Timing()
    runs = []
    for i in range(max(1, reps)):
        with tempfile.TemporaryDirectory(prefix="bkg-bench-cache-") as tmp:
            c = _run(corpus, nlp, Path(tmp))
            w = _run(corpus, nlp, Path(tmp))
        runs.append({"cold": c, "warm": w})
        cold.samples.append(c["seconds"])
        warm.samples.append(w["seconds"])
        cold_parse.samples.append(c["parse_seconds"])
        warm_parse.samples.append(w["parse_seconds"])
        log(f"  parse cache run {i + 1}: cold {c['seconds']:.2f}s ({c['hits']} hits, "
            f"{c['misses']} misses), warm {w['seconds']:.2f}s ({w['hits']} hits, {w['misses']} misses)")
    c, w = runs[-1]["cold"], runs[-1]["warm"]
    passages = c["hits"] + c["misses"]
    try:
        name = corpus.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        name = str(corpus)
    case = f"{name} ({c['documents']} docs, {passages} passages)"
    reuse = (f"reused {w['hits']}/{w['hits'] + w['misses']} parses warm, "
             f"{c['hits']}/{passages} cold")
    errors = f"; {len(c['errors'])} document(s) failed" if c["errors"] else ""
    extra = {"corpus": name, "documents": c["documents"], "passages": passages,
             "model_load_s": load_s, "runs": runs}
    return [
        Row("parse cache", f"extract_paths {case}", "cold", cold, "warm", warm, reuse + errors, extra),
        Row("parse cache", "  of which document_parses", "cold", cold_parse, "warm", warm_parse,
            "GiNZA parse + DocBin write vs DocBin read"),
    ]


if __name__ == "__main__":
    args = sys.argv[1:]
    corpus = Path(args[0]) if args else DEFAULT_CORPUS
    print_table(bench(corpus, reps=int(args[1]) if len(args) > 1 else 3))
