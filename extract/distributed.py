"""Extraction on a Dask cluster: the documents of one build shared out to many processes or machines.

``bkg build --workers N`` starts a :class:`distributed.LocalCluster` of ``N`` single-threaded
worker processes on this machine; ``bkg build --scheduler tcp://host:8786`` uses a cluster that is
already running (``dask scheduler`` on one machine, ``dask worker tcp://host:8786`` on each of the
others: docs/SCALE-OUT.md). Everything else about the build stays where it was:

* the client reads and segments every document (cheap, and the errors and warnings are named in
  the order of the sources, as in a local build) and looks each one up in the fact cache;
* only the documents the cache does not answer are sent out, one task per document, the largest
  first so that a big one does not finish last; a worker loads GiNZA once, takes parses from the
  parse cache where it can, and returns the document's :class:`~extract.facts.DocumentFacts`;
* the client writes each document's facts to the fact cache as they come back, puts them in the
  order of the documents and resolves them against each other exactly as a local build does
  (:func:`extract.pipeline.extract_paths`).

Facts of one document depend on nothing but its text, the model and the rules, so the output is
byte-identical to a local build (tests/extract/test_distributed.py builds with a two-worker
LocalCluster and compares). Workers must run the same version of bilateral-kg and the same model:
each result carries the worker's model and rules versions (:func:`versions`, as the fact cache keys
them), and a worker that differs from the client stops the build rather than give other facts.
The cluster is started (or reached) only when some document is not in the fact cache, so a build of
an unchanged corpus costs no cluster at all.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client, LocalCluster

    from .facts import Document, DocumentFacts

__all__ = ["ClusterUnavailableError", "DaskExtractor", "DistributedError", "extract_on_worker", "versions"]


class DistributedError(RuntimeError):
    """The Dask path failed: the message says where (the scheduler's address, or the document
    whose extraction failed on a worker) and why, in one line."""


class ClusterUnavailableError(DistributedError):
    """The cluster could not be started or reached, or has no worker; nothing was extracted."""


# --- in the worker ---------------------------------------------------------------------------

#: One GiNZA pipeline per worker process, loaded by its first task and kept (a worker process
#: serves many tasks; loading the model costs seconds). The lock keeps one task at a time on it
#: should a worker run several threads (the pipeline is not made to be shared between threads).
_WORKER_NLP: dict[str, object] = {}
_WORKER_LOCK = threading.Lock()


def extract_on_worker(document: Document, cache_dir: str | None, use_cache: bool) -> tuple[DocumentFacts, str, str]:
    """One document's facts, computed in a worker process, with the worker's :func:`versions` and
    its address (the client checks that the worker runs what it runs).

    Parses are read from and written to the parse cache in ``cache_dir`` (the worker's own
    default cache folder when None) unless ``use_cache`` is false: the same cache semantics as a
    local build. The model is loaded on the worker's first task and kept for the next ones."""
    from .pipeline import MODEL, ParseCache, default_cache_dir, extract_document, load_nlp

    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):  # called outside a worker (a test, a debugger)
        address = "this process"
    with _WORKER_LOCK:
        nlp = _WORKER_NLP.get(MODEL)
        if nlp is None:
            nlp = _WORKER_NLP[MODEL] = load_nlp(MODEL)
        cache = ParseCache(Path(cache_dir) if cache_dir else default_cache_dir()) if use_cache else None
        return extract_document(document, nlp, cache), versions(), address


def versions() -> str:
    """What decides a document's facts here: the model's and the rules' versions, as the fact
    cache keys them (:func:`extract.factcache.model_version`, :func:`~extract.factcache.rules_version`)."""
    from .factcache import model_version, rules_version

    return f"{model_version()} rules-{rules_version()[:12]}"


# --- in the client ---------------------------------------------------------------------------


def check_address(address: str) -> str:
    """``address`` if Dask can read it as a scheduler's address (``tcp://host:port``, ``host:port``,
    ``tls://…``), else :class:`ClusterUnavailableError` saying what is wrong with it."""
    from distributed.comm.addressing import get_address_host_port

    try:
        get_address_host_port(address)
    except ValueError as err:
        raise ClusterUnavailableError(
            f"--scheduler {address}: not a scheduler address ({err}); give tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"
        ) from None
    return address


class DaskExtractor:
    """Extracts documents on a Dask cluster; use it as a context manager around the build.

    ``scheduler``: the address of a running scheduler (``tcp://host:8786``); without it a
    LocalCluster of ``workers`` single-threaded processes (default 2) is started on this machine.
    Either is done on the first call of :meth:`extract` (a build whose facts are all cached never
    starts one) and stopped, or left, on leaving the ``with`` block.

    ``cache_dir``: the parse cache the workers use (None: each worker's default cache folder,
    which for a LocalCluster is this process's); ``use_cache=False``: no parse cache at all.
    ``timeout``: seconds to wait for the scheduler and for a first worker (None: Dask's
    ``distributed.comm.timeouts.connect`` setting, 30 s unless configured).

    >>> DaskExtractor(workers=0)
    Traceback (most recent call last):
    ...
    extract.distributed.ClusterUnavailableError: --workers must be at least 1, not 0
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None, *,
                 cache_dir: Path | str | None = None, use_cache: bool = True, progress: bool = True,
                 timeout: float | None = None) -> None:
        if scheduler is not None and workers is not None:
            raise ClusterUnavailableError("give --workers N (a cluster on this machine) or --scheduler ADDRESS "
                                          "(a running cluster), not both")
        if workers is not None and (not isinstance(workers, int) or workers < 1):
            raise ClusterUnavailableError(f"--workers must be at least 1, not {workers}")
        self.scheduler = check_address(scheduler) if scheduler is not None else None
        self.workers = 2 if workers is None else workers
        self.cache_dir = str(Path(cache_dir).absolute()) if cache_dir is not None else None
        self.use_cache = use_cache
        self.progress = progress
        self.timeout = timeout
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None

    @property
    def where(self) -> str:
        """The cluster, in words: ``the Dask scheduler at tcp://…`` or ``a local cluster of N workers``."""
        if self.scheduler is not None:
            return f"the Dask scheduler at {self.scheduler}"
        return f"a local Dask cluster of {self.workers} worker(s)"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this extractor started one."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        try:
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()

    def _connect(self) -> Client:
        if self._client is not None:
            return self._client
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - a dependency of the package's extras
            raise ClusterUnavailableError("--workers/--scheduler need Dask's distributed package "
                                          "(pip install 'dask[distributed]')") from err
        timeout = self.timeout
        if timeout is None:
            import dask
            from dask.utils import parse_timedelta

            timeout = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="seconds")
        try:
            if self.scheduler is None:
                import dask

                # spawned (not forked) processes, whatever the Dask settings say: a worker starts
                # from a fresh interpreter, not from a copy of this one and all it holds (a loaded
                # model, the documents); loopback only; no dashboard
                with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
                    self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                 host="127.0.0.1", dashboard_address=None,
                                                 silence_logs=logging.CRITICAL)
                self._client = Client(self._cluster, set_as_default=False, timeout=timeout)
            else:
                self._client = Client(self.scheduler, set_as_default=False, timeout=timeout)
        except (OSError, TimeoutError, ValueError, RuntimeError) as err:  # RuntimeError: a worker that could not start
            self.close()
            cause = str(err).splitlines()[0] if str(err) else type(err).__name__
            hint = "; is `dask scheduler` running there?" if self.scheduler is not None else ""
            raise ClusterUnavailableError(f"cannot reach {self.where}: {cause}{hint}") from None
        try:
            self._client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as err:
            self.close()
            raise ClusterUnavailableError(f"{self.where} has no worker (none joined within {timeout:g} s); "
                                          f"start some: dask worker {self.scheduler or ''}".rstrip()) from err
        return self._client

    @property
    def worker_count(self) -> int:
        """Workers of the connected cluster (0 before :meth:`extract` connected)."""
        if self._client is None:
            return 0
        return len(self._client.scheduler_info().get("workers", {}))

    def extract(self, documents: Sequence[Document]) -> Iterator[tuple[int, DocumentFacts]]:
        """``(i, facts of documents[i])`` for each document, as each is done (in no fixed order:
        the caller puts them in place). The cluster is started or reached on the first call.

        A document whose extraction fails on a worker stops the build with a
        :class:`DistributedError` naming it; the documents not yet done are cancelled."""
        documents = list(documents)
        if not documents:
            return
        client = self._connect()
        from distributed import as_completed

        ours = versions()

        # largest first, so the long one starts early; keys unique to this build (two builds may
        # share one scheduler), positions in them for the dashboard
        build = uuid.uuid4().hex[:12]
        order = sorted(range(len(documents)), key=lambda i: (-len(documents[i].text), i))
        futures = {}
        for rank, i in enumerate(order):
            future = client.submit(extract_on_worker, documents[i], self.cache_dir, self.use_cache,
                                   key=f"bkg-extract-{build}-{i}", priority=len(order) - rank, pure=False)
            futures[future] = i
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=len(documents), unit="doc", leave=False,
                       desc=f"extracting on {self.worker_count} Dask worker(s)")
        try:
            for future in as_completed(futures, loop=client.loop):
                i = futures[future]
                try:
                    facts, theirs, worker = future.result()
                except Exception as err:  # any worker failure: name the document, keep the cause
                    cause = str(err).splitlines()[0] if str(err) else ""
                    raise DistributedError(f"{documents[i].source}: extraction failed on a Dask worker "
                                           f"({type(err).__name__}: {cause})") from err
                if theirs != ours:  # its facts would not be this build's, nor belong in its fact cache
                    raise DistributedError(f"the Dask worker at {worker} runs other rules or another model than this "
                                           f"build ({theirs} there, {ours} here): install the same version of "
                                           "bilateral-kg and of the model on every machine")
                future.release()
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix_str(documents[i].source[-40:], refresh=False)
                yield i, facts
        finally:
            if bar is not None:
                bar.close()
            pending = [f for f in futures if not f.done()]
            if pending:
                client.cancel(pending)
            for future in futures:
                future.release()
