"""Incremental builds and both cores, measured (issue 11). Printed, never asserted.

On a temporary corpus of 50 documents recombined from the paragraphs of data/corpus and
data/devset (each paragraph marked with its copy number, so no passage is in any cache; the
cache is a fresh temporary folder too), it reports:

* cold build (model already loaded), warm rebuild of the unchanged corpus, and their ratio
  (goal ≥ 20×);
* adding one new document to the built corpus vs building that document alone (goal ≤ 3×);
* parse throughput on the same uncached passages: raw ``nlp.pipe`` with ``n_process=1`` and
  ``2``, and the cold build's (goal: build ≥ 0.85× ``n_process=2``).

    nice .venv/bin/python bench/incremental.py [--documents 50] [--chars 200000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def paragraphs() -> list[str]:
    """The non-empty paragraphs (blank-line or line separated blocks) of the sample documents."""
    out: list[str] = []
    for folder in (ROOT / "data" / "corpus", ROOT / "data" / "devset"):
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".txt", ".md") or path.name.startswith("SOURCES"):
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if len(line) >= 20 and not line.startswith(("#", "|", "[", "http")):
                    out.append(line)
    return out


def make_corpus(folder: Path, documents: int, chars: int, tag: str) -> list[Path]:
    """``documents`` files of about ``chars / documents`` characters, paragraphs dealt in turn;
    each use of a paragraph is marked (copy number and ``tag``) so that every passage is new."""
    paras = paragraphs()
    folder.mkdir(parents=True, exist_ok=True)
    per_doc = chars // documents
    files, n = [], 0
    for d in range(documents):
        body, size = [], 0
        while size < per_doc:
            text = f"{paras[n % len(paras)]}（{tag}第{n // len(paras) + 1}稿{n}）"
            body.append(text)
            size += len(text)
            n += 1
        path = folder / f"doc{d:03d}.txt"
        path.write_text(f"ベンチマーク文書{d}\n2024年{d % 12 + 1}月{d % 27 + 1}日\n\n" + "\n\n".join(body) + "\n",
                        encoding="utf-8")
        files.append(path)
    return files


def passage_texts(files: list[Path]) -> list[str]:
    from extract.structure import parse_document

    seen: dict[str, None] = {}
    for path in files:
        for p in parse_document(path).passages:
            seen.setdefault(p.text, None)
    return list(seen)


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--chars", type=int, default=210_000)
    args = parser.parse_args()

    from extract.nlp import OUR_COMPONENTS
    from extract.pipeline import load_nlp, usable_cores
    from kg.build import build

    tmp = Path(tempfile.mkdtemp(prefix="bkg-bench-incremental-"))
    os.environ["BKG_CACHE"] = str(tmp / "unused-cache")  # nothing of the user's cache is read
    tag = f"{os.getpid()}-{int(time.time())}"
    corpus = make_corpus(tmp / "corpus", args.documents, args.chars, tag)
    extra = make_corpus(tmp / "extra", 1, args.chars // args.documents, f"{tag}x")[0]
    texts = passage_texts(corpus)
    chars = sum(len(t) for t in texts)

    load_s, nlp = timed(load_nlp)
    ours = [n for n in nlp.pipe_names if n in OUR_COMPONENTS]
    rows: list[tuple[str, str, str]] = []

    cold_s, cold = timed(lambda: build([tmp / "corpus"], tmp / "out", nlp=nlp, progress=False,
                                       cache_dir=tmp / "cache"))
    warm_s, warm = timed(lambda: build([tmp / "corpus"], tmp / "out", progress=False, cache_dir=tmp / "cache"))
    rows.append(("cold build", f"{cold_s:.1f} s", (f"{cold.documents} docs, {chars:,} chars, "
                 f"{cold.processes} processes (model load {load_s:.1f} s apart)")))
    rows.append(("warm rebuild", f"{warm_s:.2f} s", (f"{cold_s / warm_s:.0f}× faster than cold (goal ≥ 20×); "
                 f"unchanged: {', '.join(warm.unchanged) or 'none'}")))

    alone_s, _ = timed(lambda: build([extra], tmp / "alone", nlp=nlp, progress=False, cache_dir=tmp / "cache-alone"))
    add_s, added = timed(lambda: build([], tmp / "out", nlp=nlp, progress=False, cache_dir=tmp / "cache",
                                       add=[extra]))
    rows.append(("one document alone", f"{alone_s:.1f} s", f"{len(extra.read_text(encoding='utf-8')):,} chars"))
    rows.append(("add it to the built corpus", f"{add_s:.1f} s",
                 f"{add_s / alone_s:.2f}× the document alone (goal ≤ 3×); {added.documents} docs"))

    n1_s, _ = timed(lambda: sum(1 for _ in nlp.pipe(texts, disable=ours, batch_size=64)))
    cores = min(2, usable_cores())
    n2_s, _ = timed(lambda: sum(1 for _ in nlp.pipe(texts, disable=ours, batch_size=16, n_process=cores)))
    raw2 = chars / n2_s
    rows.append(("raw nlp.pipe n_process=1", f"{chars / n1_s:,.0f} chars/s", f"{n1_s:.1f} s"))
    rows.append((f"raw nlp.pipe n_process={cores}", f"{raw2:,.0f} chars/s", f"{n2_s:.1f} s"))
    rows.append(("bkg build (cold, above)", f"{chars / cold_s:,.0f} chars/s",
                 f"{chars / cold_s / raw2:.2f}× raw n_process={cores} (goal ≥ 0.85×)"))

    print(f"\nIncremental builds and parsing ({args.documents} documents, {chars:,} uncached chars, "
          f"{usable_cores()} usable cores)\n")
    print("| measure | value | notes |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
