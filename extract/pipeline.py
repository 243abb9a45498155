"""From source files to :class:`~extract.facts.DocumentFacts`.

One GiNZA pipeline is loaded once (:func:`load_nlp`) and passed along. Passages are parsed with
``nlp.pipe`` and the parses are cached on disk as spaCy ``DocBin`` files keyed by a hash of the
passage text and the model version, so rebuilding an unchanged corpus does not parse again.

Large documents: parses stream through the cache batch by batch (:func:`iter_parses`), and a
document holds one ``Doc`` per *distinct* passage text — a passage repeated a thousand times (a
running header, a boilerplate paragraph) is read, annotated and kept once. The build's progress
bar counts passages, so one huge file shows progress too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from .distributed import DistributedError
from .errors import DocumentError
from .facts import Document, DocumentFacts
from .language import DocumentWarning, language_warning
from .nlp import MODEL, OUR_COMPONENTS, annotate

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, DocBin

    from .distributed import DaskExtractor

__all__ = [
    "MODEL",
    "DocumentWarning",
    "ParseCache",
    "WorkerError",
    "default_cache_dir",
    "extract_document",
    "extract_documents",
    "extract_paths",
    "iter_parses",
    "load_nlp",
    "parse_passages",
    "usable_cores",
]

#: Passages looked up in the cache (and their misses parsed by ``nlp.pipe``) at a time.
BATCH_SIZE = 64


def load_nlp(model: str = MODEL) -> Language:
    """Load GiNZA with our components after its own (see :mod:`extract.nlp`); callers pass it along."""
    from .nlp import load_nlp as _load

    return _load(model)


def default_cache_dir() -> Path:
    """``$BKG_CACHE``, else ``$XDG_CACHE_HOME/bilateral-kg``, else ``~/.cache/bilateral-kg``."""
    if os.environ.get("BKG_CACHE"):
        return Path(os.environ["BKG_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bilateral-kg"


@dataclass
class ParseCache:
    """Parses on disk, one ``DocBin`` file per passage text, keyed by model name and version."""

    directory: Path
    hits: int = 0
    misses: int = 0
    _vocab: object = field(default=None, repr=False)
    _model: tuple | None = field(default=None, repr=False)

    def _path(self, nlp: Language, text: str) -> Path:
        model = self._model_of(nlp)
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        return self.directory / model / digest[:2] / f"{digest}.spacy"

    def _model_of(self, nlp: Language) -> str:
        """``ja_ginza-5.2.0``: the key's model part, read once per pipeline (``nlp.meta`` is slow)."""
        if self._model is None or self._model[0] is not nlp:
            meta = nlp.meta
            self._model = (nlp, f"{meta.get('lang', 'xx')}_{meta.get('name', 'model')}-{meta.get('version', '0')}")
        return self._model[1]

    def get(self, nlp: Language, text: str) -> Doc | None:
        path = self._path(nlp, text)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            docs = list(_docbin_from_bytes(data).get_docs(nlp.vocab))
        except (ValueError, OSError, KeyError, TypeError):
            # A corrupt cache entry is not an error: parse again and overwrite it.
            self.misses += 1
            return None
        if len(docs) != 1 or docs[0].text != text:
            self.misses += 1
            return None
        self.hits += 1
        return docs[0]

    def has(self, nlp: Language, text: str) -> bool:
        """Whether a parse of ``text`` is on disk (without reading it: a corrupt entry is still
        a miss for :meth:`get`)."""
        return self._path(nlp, text).is_file()

    def put(self, nlp: Language, doc: Doc) -> None:
        from spacy.tokens import DocBin

        path = self._path(nlp, doc.text)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        DocBin(attrs=["ORTH", "TAG", "HEAD", "DEP", "POS", "MORPH", "LEMMA", "ENT_IOB", "ENT_TYPE",
                      "SENT_START", "NORM"], store_user_data=False, docs=[doc]).to_disk(tmp)
        os.replace(tmp, path)


_MSGPACK_HOOK: list = []  # [object_hook], built once


def _docbin_from_bytes(data: bytes) -> DocBin:
    """``DocBin().from_bytes(data)``, without its per-call cost.

    srsly's ``msgpack_loads`` looks its decoders up in the entry points of every installed
    package on each call, which costs more than reading a passage's parse: the decoders are the
    same for the whole run, so they are looked up once here. The fields are then filled as
    ``DocBin.from_bytes`` fills them."""
    import functools
    import zlib

    import numpy
    from spacy.tokens import DocBin
    from srsly.msgpack import _unpackb, msgpack_decoders
    from thinc.api import NumpyOps

    if not _MSGPACK_HOOK:
        hook = None
        for decoder in msgpack_decoders.get_all().values():
            hook = functools.partial(decoder, chain=hook)
        _MSGPACK_HOOK.append(hook)
    try:
        msg = _unpackb(zlib.decompress(data), raw=False, use_list=True, object_hook=_MSGPACK_HOOK[0])
    except zlib.error as err:
        raise ValueError(f"not a DocBin: {err}") from None
    if not isinstance(msg, dict) or msg.get("version") is None:
        return DocBin().from_bytes(data)  # an older layout: let spaCy read it
    out = DocBin()
    out.attrs = msg["attrs"]
    out.strings = set(msg["strings"])
    lengths = numpy.frombuffer(msg["lengths"], dtype="int32")
    flat_spaces = numpy.frombuffer(msg["spaces"], dtype=bool)
    flat_tokens = numpy.frombuffer(msg["tokens"], dtype="uint64")
    flat_tokens = flat_tokens.reshape((flat_tokens.size // len(out.attrs), len(out.attrs)))
    flat_spaces = flat_spaces.reshape((flat_spaces.size, 1))
    out.tokens = NumpyOps().unflatten(flat_tokens, lengths)
    out.spaces = NumpyOps().unflatten(flat_spaces, lengths)
    out.cats = msg["cats"]
    out.span_groups = msg.get("span_groups", [b"" for _ in lengths])
    out.flags = msg.get("flags", [{} for _ in lengths])
    out.user_data = list(msg["user_data"]) if "user_data" in msg else [None] * len(out)
    return out


def iter_parses(
    nlp: Language, texts: Iterable[str], cache: ParseCache | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[Doc]:
    """One annotated ``Doc`` per text, in order, parsed batch by batch.

    ``texts`` is consumed lazily, ``batch_size`` at a time: each batch is looked up in the cache,
    its misses are parsed with ``nlp.pipe`` and written back, and its ``Doc`` objects are
    annotated and yielded before the next batch is read. The cache holds GiNZA's parse alone;
    our rule components (:func:`extract.nlp.annotate`) run on every ``Doc`` afterwards, cached
    or fresh, so a changed rule never forces a re-parse.
    """
    ours = [name for name in nlp.pipe_names if name in OUR_COMPONENTS]
    items = iter(texts)
    while True:
        batch = list(islice(items, batch_size))
        if not batch:
            return
        docs: list[Doc | None] = [cache.get(nlp, t) if cache else None for t in batch]
        todo = [i for i, d in enumerate(docs) if d is None]
        if todo:
            for i, doc in zip(todo, nlp.pipe((batch[i] for i in todo), batch_size=batch_size, disable=ours)):
                docs[i] = doc
                if cache is not None:
                    cache.put(nlp, doc)
        for doc in docs:
            if doc is not None:
                yield annotate(nlp, doc)


def parse_passages(
    nlp: Language, texts: Sequence[str], cache: ParseCache | None = None, batch_size: int = BATCH_SIZE
) -> list[Doc]:
    """Parse passage texts with ``nlp.pipe``, reusing cached parses where the text is unchanged
    (see :func:`iter_parses`): one annotated ``Doc`` per text, in order."""
    return list(iter_parses(nlp, texts, cache, batch_size))


def document_parses(
    nlp: Language,
    document: Document,
    cache: ParseCache | None = None,
    progress: Callable[[int], object] | None = None,
) -> list[Doc]:
    """The parse of each passage of ``document``, indexed like ``document.passages``.

    Passages with the same text share one ``Doc``: each distinct text is read (or parsed) and
    annotated once, so a long document that repeats itself holds as many parses as it has
    distinct passages. ``progress(n)`` is called as passages get their parse (``n`` of them at a
    time, a batch at most)."""
    distinct = list(dict.fromkeys(p.text for p in document.passages))
    stream = iter_parses(nlp, distinct, cache)
    by_text: dict[str, Doc] = {}
    parses: list[Doc] = []
    pending = 0
    for passage in document.passages:
        doc = by_text.get(passage.text)
        if doc is None:
            if pending and progress is not None and len(by_text) % BATCH_SIZE == 0:
                progress(pending)  # the next distinct text starts a batch: report what is done
                pending = 0
            # texts are requested in the order they first appear, which is the stream's order
            doc = by_text[passage.text] = next(stream)
        parses.append(doc)
        pending += 1
    if pending and progress is not None:
        progress(pending)
    return parses


def extract_document(
    document: Document,
    nlp: Language,
    cache: ParseCache | None = None,
    progress: Callable[[int], object] | None = None,
) -> DocumentFacts:
    """Parse one segmented document and run every rule family over it.

    ``progress(n)``, when given, is called as ``n`` more passages are parsed (see
    :func:`document_parses`)."""
    from .rules import extract_facts

    return extract_facts(document, document_parses(nlp, document, cache, progress))


def extract_paths(
    paths: Iterable[Path | str],
    nlp: Language | None = None,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    progress: bool = True,
    warnings: list[DocumentWarning] | None = None,
    processes: int | None = None,
    report: dict | None = None,
    executor: DaskExtractor | None = None,
) -> tuple[list[DocumentFacts], list[DocumentError]]:
    """Read, segment and extract every document under ``paths``.

    A document that cannot be read is reported as a :class:`DocumentError` and skipped; the
    others are still extracted. Facts of different documents are then resolved against each
    other (the same person named in two documents becomes one key).

    ``warnings``, when given, receives a :class:`~extract.language.DocumentWarning` for each
    document that is extracted but does not look like Japanese (an English text, a Chinese
    one …): it is built all the same, and few facts will be found in it.

    With ``progress``, a bar counts the passages of all documents (the documents are read and
    segmented first, so the total is known), its postfix naming the document being extracted.

    With ``use_cache``, a document whose facts are in the fact cache (:mod:`extract.factcache`:
    same text, metadata, model and rules) is neither parsed nor extracted, and the model is loaded
    (when ``nlp`` is None) only if some document needs parsing. Uncached documents are extracted
    with ``processes`` processes (default: the usable cores; see :func:`extract_documents`).
    ``report``, when given, receives ``files`` (every source file, in order), ``extracted``
    (documents parsed and extracted), ``cached`` (documents from the fact cache) and
    ``processes`` (how many parsed; 0 when nothing was parsed).

    With an ``executor`` (a :class:`~extract.distributed.DaskExtractor`), the uncached documents
    are extracted on its Dask cluster instead of here (``nlp`` and ``processes`` are then not
    used, and this process never loads the model); each one's facts go to the fact cache as they
    come back and take their place in the order of the documents, so what is returned is the same
    as from a local build. ``report["processes"]`` is then the number of workers.
    """
    from .factcache import FactCache
    from .read import iter_sources
    from .resolve import resolve_corpus
    from .structure import parse_document

    loops: list[tuple[Path, str]] = []
    sources = iter_sources([Path(p) for p in paths], loops)
    cache = ParseCache(cache_dir or default_cache_dir()) if use_cache else None
    fact_cache = FactCache(cache_dir or default_cache_dir()) if use_cache else None
    errors: list[DocumentError] = [DocumentError(folder, reason) for folder, reason in loops]
    documents: list[Document] = []
    for path in _progress(sources, progress and len(sources) > 1, desc="reading", unit="doc"):
        try:
            document = parse_document(path)
        except DocumentError as err:
            errors.append(err)
            continue
        documents.append(document)
        warning = language_warning(path, document.text)
        if warning is not None and warnings is not None:
            warnings.append(warning)
    found: list[DocumentFacts | None] = [fact_cache.get(d) if fact_cache else None for d in documents]
    todo = [i for i, f in enumerate(found) if f is None]
    used: list[int] = [0]
    if todo and executor is not None:
        for k, facts in executor.extract([documents[i] for i in todo]):
            found[todo[k]] = facts
            if fact_cache is not None:
                fact_cache.put(facts)
        used[0] = executor.worker_count
    elif todo:
        if nlp is None:
            nlp = load_nlp()  # only now: an unchanged corpus never loads the model
        extracted = extract_documents(nlp, [documents[i] for i in todo], cache, progress=progress,
                                      processes=processes, used=used)
        for i, facts in zip(todo, extracted):
            found[i] = facts
            if fact_cache is not None:
                fact_cache.put(facts)
    if report is not None:
        report.update(files=list(sources), extracted=len(todo), cached=len(documents) - len(todo),
                      processes=used[0])
    results = [f for f in found if f is not None]
    return resolve_corpus(results), errors


# --- both cores: uncached passages parsed by nlp.pipe(n_process=N) (issue 11) ---------------

#: Below this many characters of uncached passage text, parsing stays in this process (forking
#: workers and sending them the passages costs more than it saves).
PARALLEL_MIN_CHARS = 20_000
#: Passages sent to a worker at a time (small, so two workers share a small corpus evenly).
PARALLEL_BATCH = 16


def usable_cores() -> int:
    """The cores this process may run on (``os.sched_getaffinity``), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def extract_documents(
    nlp: Language,
    documents: Sequence[Document],
    cache: ParseCache | None = None,
    *,
    progress: bool = True,
    processes: int | None = None,
    used: list[int] | None = None,
) -> Iterator[DocumentFacts]:
    """The facts of each of ``documents``, in order, yielded as each is done.

    With ``processes`` > 1 (default: :func:`usable_cores`) and at least
    :data:`PARALLEL_MIN_CHARS` characters of uncached passage text, the uncached passages of all
    the documents are parsed as one stream by ``nlp.pipe(n_process=processes)`` and written to
    the parse cache; each document takes its parses from that stream (or the cache) as it comes,
    so only a few batches of ``Doc`` objects are in memory at a time. The facts are the same as
    with one process. If the workers cannot be started (a pipeline that cannot be sent to them),
    a warning says so and the rest is parsed in this process. ``used[0]`` is set to the number
    of processes that parsed.

    When the uncached text is spread over several documents (:func:`_share_documents`), whole
    documents go to ``processes`` worker processes instead (:func:`_pooled_facts`): each worker
    parses a document's passages (through the same parse cache) *and* runs the rules over them,
    so the rules no longer wait in this process for the parses. One large document keeps the
    passage stream above: its parse is shared by the workers, its rules run here."""
    from .rules import extract_facts

    documents = list(documents)
    wanted = usable_cores() if processes is None else max(1, int(processes))
    plans: list[set[str]] | None = None
    pending: list[str] = []
    if wanted > 1:
        plans, pending = _plan_parses(nlp, documents, cache)
        if sum(len(t) for t in pending) < PARALLEL_MIN_CHARS:
            plans = None
    workers = min(wanted, len(documents)) if plans is not None and _share_documents(documents, wanted) else 0
    if used is not None:
        used[0] = workers or (wanted if plans is not None else 1)
    bar = _passage_bar(sum(len(d.passages) for d in documents), progress)
    try:
        if workers:
            del pending, plans
            yield from _pooled_facts(nlp, documents, workers, cache, bar)
            return
        if plans is None:
            for document in documents:
                if bar is None:
                    yield extract_document(document, nlp, cache)
                    continue
                bar.set_postfix_str(document.source[:40], refresh=False)
                parses = document_parses(nlp, document, cache, bar.update)
                bar.set_postfix_str(f"{document.source[:40]} (rules)")
                facts = extract_facts(document, parses)
                del parses  # the next document's parses replace these, not join them
                yield facts
            return
        stream = _parallel_parses(nlp, pending, wanted, cache)
        del pending
        for document, mine in zip(documents, plans):
            if bar is not None:
                bar.set_postfix_str(document.source[:40], refresh=False)
            parses = _planned_parses(nlp, document, mine, stream, cache, bar.update if bar is not None else None)
            if bar is not None:
                bar.set_postfix_str(f"{document.source[:40]} (rules)")
            facts = extract_facts(document, parses)
            del parses
            yield facts
        next(stream, None)  # let the stream end, and its workers exit, in their own time
        stream.close()
    finally:
        if bar is not None:
            bar.close()


#: The documents are shared out whole (:func:`_pooled_facts`) unless the largest one holds more
#: than this share of all their text: then one worker would be left with most of the work, and the
#: passage stream (:func:`_parallel_parses`) shares it better.
LARGEST_SHARE = 0.5


def _share_documents(documents: Sequence[Document], processes: int) -> bool:
    """Whether ``documents`` can be shared out whole between ``processes`` workers (see
    :data:`LARGEST_SHARE`)."""
    if processes < 2 or len(documents) < 2:
        return False
    sizes = [_size(d) for d in documents]
    return max(sizes) <= LARGEST_SHARE * sum(sizes)


def _size(document: Document) -> int:
    """The characters of a document's distinct passage texts: what its parse and rules cost."""
    return sum(len(t) for t in dict.fromkeys(p.text for p in document.passages))


class WorkerError(DistributedError):
    """A document whose extraction failed in a worker process: ``str(err)`` names its file and the
    error; the worker's traceback follows in ``err.details``. (A :class:`DistributedError`, as a
    document that fails on a Dask worker, so that ``bkg build`` reports both the same way.)"""

    def __init__(self, source: str, reason: str, details: str = "") -> None:
        self.source = source
        self.reason = reason
        self.details = details
        super().__init__(source, reason, details)

    def __str__(self) -> str:
        return f"{self.source}: extraction failed in a worker process ({self.reason})"


#: What a worker process extracts with: (nlp, parse cache). Set in each worker by
#: :func:`_worker_start`; in this process only while a pool is being forked (the workers are
#: copies of this process, the loaded pipeline included, as spaCy's own ``n_process`` workers).
_WORKER: dict[str, object] = {}


def _worker_start(model: str | None, cache_dir: str | None) -> None:
    """A worker's set-up: ignore Ctrl-C (this process stops the workers), and take the pipeline
    (forked: inherited; spawned: loaded here, once per worker) and the parse cache."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if model is not None:  # a spawned worker: nothing inherited
        _WORKER["nlp"] = load_nlp(model)
    _WORKER["cache"] = ParseCache(Path(cache_dir)) if cache_dir is not None else None


def _worker_extract(task: tuple[int, Document]) -> tuple[int, DocumentFacts | None, tuple[str, str] | None]:
    """One document's facts, in a worker: ``(index, facts, None)``, or ``(index, None, (reason,
    traceback))`` when its extraction raised."""
    index, document = task
    try:
        return index, extract_document(document, _WORKER["nlp"], _WORKER["cache"]), None
    except Exception as err:  # noqa: BLE001 - sent back, and raised there naming the file
        import traceback

        return index, None, (f"{type(err).__name__}: {err}", traceback.format_exc())


def _pool_context():
    """``fork`` where there is one (the workers start with the loaded pipeline and need not load
    the model again), else ``spawn``."""
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def _pooled_facts(nlp: Language, documents: Sequence[Document], processes: int,
                  cache: ParseCache | None, bar) -> Iterator[DocumentFacts]:
    """The facts of each of ``documents``, in order, each extracted whole (parse and rules) by one
    of ``processes`` worker processes. The largest documents are handed out first, so that a big
    one does not finish last; facts are yielded in the documents' order as soon as the ones
    before them are in, so the outcome is the same as in one process. A document whose
    extraction fails raises :class:`WorkerError` naming it; the pool is stopped, and its workers
    ended, however this generator is left (the end, an error, Ctrl-C, ``close()``). If the
    workers cannot be started, a warning says so and the documents are extracted here."""
    import warnings

    context = _pool_context()
    forked = context.get_start_method() == "fork"
    cache_dir = str(cache.directory) if cache is not None else None
    order = sorted(range(len(documents)), key=lambda i: (-_size(documents[i]), i))
    if forked:
        _WORKER.update(nlp=nlp)
    try:
        pool = context.Pool(processes, initializer=_worker_start,
                            initargs=(None if forked else MODEL, cache_dir))
    except (OSError, ValueError) as err:
        warnings.warn(f"starting {processes} worker processes failed ({type(err).__name__}: {err}); "
                      "extracting in one process", RuntimeWarning, stacklevel=3)
        for document in documents:
            if bar is not None:
                bar.set_postfix_str(document.source[:40], refresh=False)
            facts = extract_document(document, nlp, cache)
            if bar is not None:
                bar.update(len(document.passages))
            yield facts
        return
    finally:
        _WORKER.clear()  # the workers hold their copies; this process keeps no reference
    done: dict[int, DocumentFacts] = {}
    ended = False
    try:
        results = pool.imap_unordered(_worker_extract, ((i, documents[i]) for i in order), chunksize=1)
        following = 0
        for index, facts, failure in results:
            if failure is not None:
                raise WorkerError(documents[index].source, failure[0], failure[1])
            done[index] = facts
            if bar is not None:
                bar.set_postfix_str(documents[index].source[:40], refresh=False)
                bar.update(len(documents[index].passages))
            while following in done:
                yield done.pop(following)
                following += 1
        pool.close()
        pool.join()
        ended = True
    finally:
        if not ended:
            pool.terminate()
            pool.join()


def _plan_parses(nlp: Language, documents: Sequence[Document],
                 cache: ParseCache | None) -> tuple[list[set[str]], list[str]]:
    """Which distinct passage texts of each document come from the parse stream, and that stream's
    texts in the order the documents will ask for them. With a cache, a text is parsed once for
    the whole build (a later document reads it back from the cache)."""
    scheduled: set[str] = set()
    plans: list[set[str]] = []
    pending: list[str] = []
    for document in documents:
        mine: set[str] = set()
        for text in dict.fromkeys(p.text for p in document.passages):
            if cache is not None and (text in scheduled or cache.has(nlp, text)):
                continue
            mine.add(text)
            pending.append(text)
            if cache is not None:
                scheduled.add(text)
        plans.append(mine)
    return plans, pending


def _parallel_parses(nlp: Language, texts: Sequence[str], processes: int,
                     cache: ParseCache | None) -> Iterator[Doc]:
    """GiNZA's parse of each of ``texts``, in order, by ``processes`` worker processes, each
    written to ``cache``. Falls back to this process, with a warning, if the workers fail."""
    import multiprocessing
    import warnings
    from collections import deque

    ours = [name for name in nlp.pipe_names if name in OUR_COMPONENTS]
    source = iter(texts)
    sent: deque[str] = deque()  # read by nlp.pipe, not yet returned

    def feed() -> Iterator[str]:
        for text in source:
            sent.append(text)
            yield text

    before = set(multiprocessing.active_children())
    pipe = nlp.pipe(feed(), batch_size=PARALLEL_BATCH, disable=ours, n_process=processes)
    complete = False
    failure: Exception | None = None
    try:
        for doc in pipe:
            sent.popleft()
            if cache is not None:
                cache.put(nlp, doc)
            yield doc
        complete = True
    except Exception as err:  # noqa: BLE001 - any failure of the workers: parse here instead
        failure = err
    finally:
        if not complete:  # failed, or closed before the end (an error downstream)
            _stop_workers(pipe, before)
    if complete:
        return
    warnings.warn(f"parsing with {processes} processes failed ({type(failure).__name__}: {failure}); "
                  "parsing in one process", RuntimeWarning, stacklevel=2)
    from itertools import chain

    rest = chain(list(sent), source)
    for doc in nlp.pipe(rest, batch_size=BATCH_SIZE, disable=ours):
        if cache is not None:
            cache.put(nlp, doc)
        yield doc


def _stop_workers(pipe, before: set) -> None:
    """End the workers of a parse stream left before its end. spaCy's own shutdown waits for
    them, and a worker blocked on a full pipe (another worker holds its other end) never ends."""
    import multiprocessing
    import warnings

    for child in set(multiprocessing.active_children()) - before:
        child.terminate()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # spaCy's W127: the workers did not exit with 0
        try:
            pipe.close()
        except Exception:  # noqa: BLE001, S110 - shutting down what already failed
            pass


def _planned_parses(nlp: Language, document: Document, mine: set[str], stream: Iterator[Doc],
                    cache: ParseCache | None, progress: Callable[[int], object] | None) -> list[Doc]:
    """:func:`document_parses` for a document whose texts in ``mine`` come from ``stream`` and the
    others from ``cache``: the same ``Doc`` per distinct text, annotated by our components."""
    ours = [name for name in nlp.pipe_names if name in OUR_COMPONENTS]
    by_text: dict[str, Doc] = {}
    parses: list[Doc] = []
    pending = 0
    for passage in document.passages:
        doc = by_text.get(passage.text)
        if doc is None:
            if pending and progress is not None and len(by_text) % BATCH_SIZE == 0:
                progress(pending)
                pending = 0
            if passage.text in mine:
                doc = next(stream)
                if doc.text != passage.text:  # pragma: no cover - the plan and the stream disagree
                    raise RuntimeError(f"{document.source}: parse stream out of order")
            else:
                doc = cache.get(nlp, passage.text) if cache is not None else None
                if doc is None:  # a cache entry gone or corrupt since the plan: parse it here
                    doc = next(nlp.pipe([passage.text], disable=ours))
                    if cache is not None:
                        cache.put(nlp, doc)
            doc = by_text[passage.text] = annotate(nlp, doc)
        parses.append(doc)
        pending += 1
    if pending and progress is not None:
        progress(pending)
    return parses


def _progress(items: Sequence[Path], enabled: bool, **options) -> Iterable[Path]:
    if not enabled or not items:
        return items
    from tqdm import tqdm

    return tqdm(items, leave=False, **options)


def _passage_bar(total: int, enabled: bool):
    """The build's bar: passages extracted out of all the documents' passages (``None``: no bar)."""
    if not enabled or not total:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="extracting", unit="passage", leave=False)
