"""Extraction on a Dask cluster: the documents of one build shared out to many processes or machines.

``bkg build --workers N`` starts a :class:`distributed.LocalCluster` of ``N`` single-threaded
worker processes on this machine; ``bkg build --scheduler tcp://host:8786`` uses a cluster that is
already running (``dask scheduler`` on one machine, ``dask worker tcp://host:8786`` on each of the
others: docs/SCALE-OUT.md). Everything else about the build stays where it was:

* the client reads and segments every document (cheap, and the errors and warnings are named in
  the order of the sources, as in a local build) and looks each one up in the fact cache;
* only the documents the cache does not answer are sent out, one task per document, the largest
  first so that a big one does not finish last; a worker loads GiNZA once, takes parses from the
  shared parse cache where it can, and returns the document's :class:`~extract.facts.DocumentFacts`;
* the client gathers the facts in the order of the documents, writes them to the fact cache and
  resolves them against each other exactly as :func:`extract.pipeline.extract_paths` does.

Facts of one document depend on nothing but its text, the model and the rules, so the output is
byte-identical to a local build (tested with a two-worker LocalCluster). Workers must run the
same version of bilateral-kg and the same model; the cache folder, to be shared, must be one path
that every worker can read and write (a network file system), else each worker keeps its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .facts import Document, DocumentFacts

__all__ = ["DaskExtractor", "DistributedError"]

_NLP = None  # one GiNZA pipeline per worker process, loaded by its first task


class DistributedError(RuntimeError):
    """The cluster could not be reached or started, or a worker failed: the message says which."""


def _worker_nlp():
    global _NLP
    if _NLP is None:
        from .pipeline import load_nlp

        _NLP = load_nlp()
    return _NLP


def extract_on_worker(document: Document, cache_dir: str | None) -> DocumentFacts:
    """One document's facts, computed in a worker (parses from and to ``cache_dir`` if given)."""
    from .pipeline import ParseCache, extract_document

    cache = ParseCache(Path(cache_dir)) if cache_dir else None
    return extract_document(document, _worker_nlp(), cache)


class DaskExtractor:
    """Extracts documents on a Dask cluster; use as a context manager around the build.

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``); without it a
    LocalCluster of ``workers`` processes (default 2) is started here and stopped on exit.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 cache_dir: Path | None = None, progress: bool = True) -> None:
        if scheduler is None and workers is not None and workers < 1:
            raise DistributedError(f"--workers must be at least 1, not {workers}")
        self.scheduler = scheduler
        self.workers = workers or 2
        self.cache_dir = str(cache_dir) if cache_dir is not None else None
        self.progress = progress
        self._cluster = None
        self._client = None

    def __enter__(self) -> DaskExtractor:
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - a dependency of the package
            raise DistributedError("the Dask distributed package is not installed "
                                   "(pip install 'dask[distributed]')") from err
        try:
            if self.scheduler is None:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             silence_logs="error")
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            self.__exit__(None, None, None)
            where = self.scheduler or f"a local cluster of {self.workers} workers"
            raise DistributedError(f"cannot reach {where}: {err}") from err
        return self

    def __exit__(self, *exc) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def worker_count(self) -> int:
        if self._client is None:
            return 0
        return len(self._client.scheduler_info().get("workers", {}))

    def extract(self, documents: Sequence[Document]) -> list[DocumentFacts]:
        """The facts of each of ``documents``, in their order."""
        from distributed import as_completed

        if self._client is None:
            raise DistributedError("DaskExtractor.extract called outside its `with` block")
        documents = list(documents)
        if not documents:
            return []
        # largest first, so the long one starts early; the key names the document's position
        order = sorted(range(len(documents)), key=lambda i: (-len(documents[i].text), i))
        futures = {}
        for i in order:
            future = self._client.submit(extract_on_worker, documents[i], self.cache_dir,
                                         key=f"bkg-extract-{i}-{documents[i].doc_id}", pure=False)
            futures[future] = i
        results: list[DocumentFacts | None] = [None] * len(documents)
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=sum(len(d.passages) for d in documents), unit="passage",
                       desc=f"extracting ({self.worker_count} workers)")
        try:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as err:  # noqa: BLE001 - name the document, keep the cause
                    raise DistributedError(f"{documents[i].source}: extraction failed on a worker "
                                           f"({type(err).__name__}: {err})") from err
                if bar is not None:
                    bar.update(len(documents[i].passages))
                    bar.set_postfix_str(documents[i].source[-40:], refresh=False)
        finally:
            if bar is not None:
                bar.close()
            for future in futures:
                future.release()
        return [r for r in results if r is not None]
