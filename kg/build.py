"""``bkg build``: documents in, ``kg.trig``, the pyoxigraph store and ``graph.html`` out.

Every output is written atomically: a run that fails leaves the previous outputs as they were,
never half-written files. A document that cannot be read is reported and skipped; the others
are still built. A document that does not look Japanese is built and reported as a warning.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.errors import DocumentError
from extract.language import DocumentWarning

__all__ = ["BuildError", "BuildResult", "build"]


class BuildError(Exception):
    """A build that cannot write its outputs, or that produced no document: the previous outputs
    in OUT are left as they were. ``str(err)`` is one line saying what and why."""


@dataclass
class BuildResult:
    out_dir: Path
    documents: int
    errors: list[DocumentError] = field(default_factory=list)
    triples: int = 0  # distinct triples of the union of the documents' graphs
    #: documents built all the same but likely to give little (not Japanese: see extract.language)
    warnings: list[DocumentWarning] = field(default_factory=list)
    # --- incremental builds (issue 11) ---
    extracted: int = 0  # documents parsed and extracted in this run
    cached: int = 0  # documents whose facts came from the fact cache
    processes: int = 0  # processes that parsed (0: nothing was parsed)
    unchanged: tuple[str, ...] = ()  # outputs left as they were (their bytes would not change)
    removed: tuple[Path, ...] = ()  # with --add: recorded sources no longer on disk, left out

    @property
    def trig(self) -> Path:
        return self.out_dir / "kg.trig"

    @property
    def store(self) -> Path:
        return self.out_dir / "store"

    @property
    def html(self) -> Path:
        return self.out_dir / "graph.html"

    @property
    def ok(self) -> bool:
        return not self.errors


def build(
    sources: Sequence[Path | str],
    out_dir: Path | str,
    *,
    nlp: Any = None,
    progress: bool = True,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    processes: int | None = None,
    add: Sequence[Path | str] = (),
    workers: int | None = None,
    scheduler: str | None = None,
) -> BuildResult:
    """Extract facts from ``sources`` and write the graph, the store and the view to ``out_dir``.

    Incremental (issue 11): a document whose facts are cached is not parsed again, a document's
    named graph is serialized again only when its facts or the resolution answers it read changed,
    and an output whose bytes would not change is left as it is (same file, same mtime).
    ``processes``: how many processes parse uncached passages (default: the usable cores).
    ``add``: documents to add to (or update in) the build already in ``out_dir``: its recorded
    sources plus these are built — the same bytes as a full build of that final set.
    ``workers`` / ``scheduler`` (issue 11): the uncached documents are extracted on a Dask cluster,
    a LocalCluster of ``workers`` processes or the running one at the ``scheduler`` address (see
    :mod:`extract.distributed`; the same bytes as a local build). It is started or reached only
    if some document needs extracting, and a :class:`~extract.distributed.DistributedError` says
    why when it cannot be.
    """
    from contextlib import nullcontext

    from extract.pipeline import default_cache_dir, extract_paths

    executor = None
    if workers is not None or scheduler is not None:
        from extract.distributed import DaskExtractor

        # checked here, before OUT is touched: a bad count or address fails at once
        executor = DaskExtractor(scheduler=scheduler, workers=workers, cache_dir=cache_dir,
                                 use_cache=use_cache, progress=progress)
    out = Path(out_dir)
    _check_writable(out)
    with _BuildLock(out):
        _remove_stale_staging(out)
        cache = Path(cache_dir) if cache_dir else default_cache_dir()
        record = _read_record(cache, out)
        sources = list(sources)
        removed: list[Path] = []
        if add:
            if record is None:
                raise BuildError(f"{out}: no earlier build is recorded for this folder; build it first "
                                 f"(bkg build SOURCES --out {out}), then add documents to it")
            recorded = [Path(f) for f in record.get("files", ())]
            removed = [f for f in recorded if not f.exists()]
            sources = [f for f in recorded if f.exists()] + sources + [Path(a) for a in add]
        warnings: list[DocumentWarning] = []
        report: dict = {}
        with executor if executor is not None else nullcontext():  # the cluster stops before the writing
            facts, errors = extract_paths(sources, nlp=nlp, cache_dir=cache_dir, use_cache=use_cache,
                                          progress=progress, warnings=warnings, processes=processes,
                                          report=report, executor=executor)
        if not facts:
            reasons = "; ".join(str(e) for e in errors[:3]) or "no document was read"
            raise BuildError(f"no document could be built ({reasons}); the previous outputs in {out} are unchanged")
        result = _write_outputs(out, facts, errors, cache=cache, use_cache=use_cache,
                                record=record if use_cache else None, files=report.get("files", ()))
        result.warnings = warnings
        result.extracted, result.cached = report.get("extracted", 0), report.get("cached", 0)
        result.processes, result.removed = report.get("processes", 0), tuple(removed)
        return result


def _write_outputs(out: Path, facts, errors, *, cache: Path | None = None, use_cache: bool = False,
                   record: dict | None = None, files: Sequence[Path] = ()) -> BuildResult:
    """Write kg.trig, the store and the view of ``facts`` to ``out``, leaving alone each output
    whose bytes would not change (see :func:`_trig_bytes` and the build record), and updating
    the previous store in place of loading it again when the record says which graphs changed
    (see :func:`_store_changes`)."""
    from .store import load_trig, update_store

    version = _output_version()
    # kg.trig is held once, as the pieces it is made of, hashed and written without being joined
    head, pieces = _trig_pieces(facts, cache / "graphs" if (cache is not None and use_cache) else None, version)
    chunks = _join_pieces(head, pieces)
    sha = hashlib.sha256()
    for chunk in chunks:
        sha.update(chunk)
    digest = sha.hexdigest()
    graphs = {iri: [hashlib.sha256(body).hexdigest(), len(body)] for iri, body in pieces}
    same_trig = _file_digest(out / "kg.trig") == digest
    trusted = record is not None and record.get("version") == version
    keep_store = (same_trig and trusted and record.get("store") == digest
                  and record.get("store_id") == _folder_id(out / "store"))
    keep_view = keep_store and record.get("view") == _file_digest(out / "graph.html")
    triples = record.get("triples", 0) if keep_store and keep_view else 0
    view = record.get("view") if keep_view else None
    # the named graphs the store in OUT lacks or holds otherwise (None: load it all again)
    changes = None if keep_store or not trusted else _store_changes(record, out, pieces, graphs)
    del pieces
    names: list[str] = []
    # Everything is written into a staging folder first and moved into place only when all of
    # it is complete, so a failed run leaves the previous outputs untouched.
    staging = Path(tempfile.mkdtemp(dir=out, prefix=".build-"))
    try:
        if not same_trig:
            _write_file(staging / "kg.trig", chunks)
            names.append("kg.trig")
        del chunks
        if not keep_store:
            if changes is not None:
                try:  # the previous store with the changed graphs replaced (issue 11)
                    update_store(out / "store", staging / "store", head, changes)
                except (OSError, ValueError, SyntaxError):  # the store could not be updated: load it all
                    shutil.rmtree(staging / "store", ignore_errors=True)
                    changes = None
            del changes
            if not (staging / "store").exists():
                load_trig(staging / "kg.trig" if not same_trig else out / "kg.trig", staging / "store")
            names.append("store")
        if not keep_view:  # read from the store on disk: the graph is not loaded in memory again
            store = _open_read_only(staging / "store" if not keep_store else out / "store")
            triples = _count_triples(store)
            _write_view(staging, store)
            del store
            html = (staging / "graph.html").read_bytes()
            view = hashlib.sha256(html).hexdigest()
            if _read_bytes(out / "graph.html") != html:
                names.append("graph.html")
        _commit(staging, out, names)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if cache is not None:
        _write_record(cache, out, {
            "out": str(out.resolve()), "version": version, "files": [os.path.abspath(f) for f in files],
            "trig": digest, "store": digest, "store_id": _folder_id(out / "store"), "view": view,
            "triples": triples, "documents": len(facts), "graphs": graphs,
        })
    unchanged = tuple(n for n in OUTPUTS if n not in names)
    return BuildResult(out, len(facts), errors, triples, unchanged=unchanged)


#: A store is updated in place of being loaded again only while the graphs to replace (their old
#: and new TriG) come to at most this many bytes (about 200k quads: pyoxigraph's update runs as one
#: transaction, held in memory) and, past a megabyte, to no more than the new kg.trig.
_UPDATE_MAX_BYTES = 1 << 25


def _store_changes(record: dict, out: Path, pieces: Sequence[tuple[str, bytes]],
                   graphs: dict[str, list]) -> dict[str, bytes] | None:
    """The named graphs to write into the store in OUT to make it the store of ``pieces``: each
    graph whose TriG body differs from the one the build record says the store holds (``b""``
    for a graph no longer there), or None when the store must be loaded again: no record of its
    graphs, not the store that build wrote, or so much changed that a load costs no more."""
    old = record.get("graphs")
    if not isinstance(old, dict) or record.get("store") != record.get("trig") \
            or record.get("store_id") is None or record.get("store_id") != _folder_id(out / "store"):
        return None
    try:
        changes = {iri: body for iri, body in pieces if old.get(iri, [None])[0] != graphs[iri][0]}
        changes.update((iri, b"") for iri in old if iri not in graphs)
        size = sum(len(body) for body in changes.values()) + sum(int(old[i][1]) for i in changes if i in old)
    except (TypeError, IndexError, KeyError, ValueError):  # a record written otherwise: load it all
        return None
    total = sum(length for _, length in graphs.values())
    if size > _UPDATE_MAX_BYTES or (size > total and size > 1 << 20):
        return None
    return changes


def _check_writable(out: Path) -> None:
    """Make OUT (or find it) and check a file can be written in it, before any extraction."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise BuildError(f"{out}: cannot write the outputs here ({err.strerror or err}); choose another --out") from None


class _BuildLock:
    """One build at a time in one OUT: an exclusive ``flock`` on the OUT folder itself (no lock
    file is left behind; the kernel releases the lock if the build is killed)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._fd: int | None = None

    def __enter__(self) -> _BuildLock:
        import fcntl

        self._fd = os.open(self.out, os.O_RDONLY)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise BuildError(f"{self.out}: another build is writing here; wait for it to finish") from None
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        assert self._fd is not None
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)


def _remove_stale_staging(out: Path) -> None:
    """Staging folders a killed build left behind (we hold the lock: no build is using them)."""
    for leftover in out.glob(".build-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _commit(staging: Path, out: Path, names: Sequence[str]) -> None:
    """Move each finished output over the old one (a folder is swapped through a rename)."""
    for name in names:
        new, old = staging / name, out / name
        if new.is_dir():
            trash = staging / f".old-{name}"
            if old.exists():
                os.replace(old, trash)
            os.replace(new, old)
        else:
            os.replace(new, old)


def _write_view(out: Path, dataset) -> None:
    """The interactive view of the whole graph, written next to the store."""
    from . import views

    html = views.render_store(dataset)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".graph-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(html)
    os.chmod(tmp, 0o644)  # a page to share, not a secret (mkstemp creates 0600)
    os.replace(tmp, out / "graph.html")


# --- incremental outputs (issue 11) -----------------------------------------------------------
#
# kg.trig is assembled from one serialized piece per named graph, as kg.rdf.graph_to_trig writes
# it (each graph on its own, the graphs in IRI order, the prefixes merged). A document's piece is
# cached in CACHE/graphs under a hash of its resolved facts and the code version, with the
# answers the corpus resolution gave while it was written (a recording proxy of
# extract.resolve.Resolution): it is reused while the same questions get the same answers, so a
# new document re-serializes only the graphs whose labels or dates it changes, and the
# resolution graph. The build record (CACHE/builds/<hash of OUT>.json) names the sources and the
# digests of the outputs, so an output whose bytes would not change is not rewritten, and the
# digest of each named graph's piece: a store to write again is then the previous one (a
# pyoxigraph backup) with only the graphs whose piece changed replaced and its union mended
# (kg.store.update_store), not a load of the whole kg.trig — the same quads either way.

#: The outputs of a build, in the order they are moved into place.
OUTPUTS = ("kg.trig", "store", "graph.html")
_FORMAT = "1"


def _output_version() -> str:
    """The rules version and a hash of kg/ (code, ontology, static files) and the RDF libraries."""
    from importlib.metadata import PackageNotFoundError, version

    from extract.factcache import rules_version, source_digest

    if not _VERSION:
        parts = [_FORMAT, rules_version(), source_digest(Path(__file__).resolve().parent, "*")]
        for name in ("rdflib", "pyoxigraph", "networkx", "pyvis"):
            try:
                parts.append(f"{name}-{version(name)}")
            except PackageNotFoundError:
                parts.append(f"{name}-?")
        _VERSION.append(hashlib.sha256("\0".join(parts).encode()).hexdigest())
    return _VERSION[0]


_VERSION: list[str] = []


class _Recorder:
    """Stands for a Resolution and records each question asked of it and its answer."""

    def __init__(self, resolution) -> None:
        self._resolution = resolution
        self.calls: dict[tuple, Any] = {}
        self.opaque = False  # an attribute was read: what the graph depends on is unknown

    def __getattr__(self, name: str):
        value = getattr(self._resolution, name)
        if not callable(value):
            self.opaque = True
            return value

        def asked(*args, **kwargs):
            answer = value(*args, **kwargs)
            self.calls.setdefault((name, args, tuple(sorted(kwargs.items()))), answer)
            return answer

        return asked


def _answers_hold(calls, resolution) -> bool:
    try:
        return all(getattr(resolution, name)(*args, **dict(kwargs)) == answer
                   for (name, args, kwargs), answer in calls.items())
    except Exception:  # noqa: BLE001 - a question the resolution no longer answers: write again
        return False


def _document_piece(group, resolution, chunk_dir: Path | None, version: str) -> dict:
    """The serialized named graph of one document (``group``: its facts, more than one when two
    files have the same text), from the cache when its answers from ``resolution`` still hold.

    ``body`` is the graph's TriG (:func:`kg.rdf.graph_body`) as UTF-8 bytes. The graph is
    collected in a :class:`kg.rdf.QuadSink` and written by pyoxigraph (issues 9 and 11), and
    the cache entry is streamed to disk, so a document of millions of triples is held once."""
    import pickle

    from .namespaces import document_graph_iri
    from .rdf import QuadSink, add_document, graph_body_bytes

    path = None
    if chunk_dir is not None:
        key = hashlib.sha256(version.encode())
        for f in group:
            key.update(b"\0")
            key.update(repr(f).encode("utf-8", "surrogatepass"))
        path = chunk_dir / key.hexdigest()[:2] / f"{key.hexdigest()}.pickle"
        try:
            with open(path, "rb") as fh:
                piece = pickle.load(fh)
            if isinstance(piece, dict) and piece.get("format") == _PIECE_FORMAT \
                    and _answers_hold(piece["calls"], resolution):
                return piece
        except Exception:  # noqa: BLE001, S110 - absent or unreadable: write the graph
            pass
    recorder = _Recorder(resolution)
    sink = QuadSink()
    labels: set = set()
    for facts in group:
        add_document(sink, facts, recorder, labels)
    iri = document_graph_iri(group[0].document.doc_id)
    body = graph_body_bytes(iri, sink.graph(iri), consume=True)
    del sink
    piece = {"format": _PIECE_FORMAT, "calls": recorder.calls, "body": body,
             "labels": tuple(sorted((str(iri), label) for iri, label in labels))}
    if path is not None and not recorder.opaque:
        try:
            _write_pickle(path, piece)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass
    return piece


#: The layout of a cached document piece (a piece of another layout is written again).
_PIECE_FORMAT = 2


def _trig_chunks(facts, chunk_dir: Path | None, version: str) -> list[bytes]:
    """``graph_to_trig(build_graph(facts))`` as a list of byte strings whose concatenation is
    kg.trig, reusing the cached document graphs (never joined here: a large graph is not
    copied once more; :func:`_trig_bytes` joins them)."""
    return _join_pieces(*_trig_pieces(facts, chunk_dir, version))


def _trig_pieces(facts, chunk_dir: Path | None, version: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The prefix lines of kg.trig and its non-empty named graphs as ``(graph IRI, body)``, in
    the order of their IRIs (see :func:`_join_pieces`)."""
    from rdflib import RDFS, URIRef

    from extract.resolve import Resolution

    from .namespaces import RESOLVED_GRAPH, document_graph_iri
    from .rdf import QuadSink, _ja, _ResolvedWriter, graph_body_bytes, trig_head

    facts = list(facts)
    resolution = Resolution(facts)
    groups: dict[str, list] = {}
    for item in facts:
        groups.setdefault(item.document.doc_id, []).append(item)
    pieces: list[tuple[str, bytes]] = []
    labels: set = set()
    for doc_id, group in groups.items():
        piece = _document_piece(group, resolution, chunk_dir, version)
        pieces.append((str(document_graph_iri(doc_id)), piece["body"]))
        labels.update((URIRef(iri), label) for iri, label in piece["labels"])
    sink = QuadSink()
    resolved = sink.graph(RESOLVED_GRAPH)
    for iri, label in labels:  # as kg.rdf.build_graph writes the resolution graph
        resolved.add((iri, RDFS.label, _ja(label)))
    _ResolvedWriter(resolved, resolution).write()
    pieces.append((str(RESOLVED_GRAPH), graph_body_bytes(RESOLVED_GRAPH, resolved, consume=True)))
    # as kg.rdf.assemble_trig: the graphs in IRI order, the empty ones left out
    return trig_head().encode("utf-8"), sorted((p for p in pieces if p[1]), key=lambda p: p[0])


def _join_pieces(head: bytes, pieces: Sequence[tuple[str, bytes]]) -> list[bytes]:
    """kg.trig as byte strings: the prefix lines, a blank line, the bodies a blank line apart."""
    chunks = [head + b"\n"]
    for _, body in pieces:
        if len(chunks) > 1:
            chunks.append(b"\n")
        chunks.append(body)
    return chunks


def _trig_bytes(facts, chunk_dir: Path | None, version: str) -> bytes:
    """``graph_to_trig(build_graph(facts))``, byte for byte, reusing the cached document graphs."""
    return b"".join(_trig_chunks(facts, chunk_dir, version))


def _open_read_only(path: Path):
    import pyoxigraph

    return pyoxigraph.Store.read_only(str(path))


def _count_triples(store) -> int:
    """The triples of the default graph (the union of the documents' graphs), counted by the store."""
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(rows))["n"].value)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _file_digest(path: Path) -> str | None:
    """The SHA-256 of a file, read a block at a time (kg.trig may be gigabytes)."""
    sha = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 22):
                sha.update(block)
    except OSError:
        return None
    return sha.hexdigest()


def _folder_id(path: Path) -> list[int] | None:
    """Which folder is at ``path`` (device, inode): another store moved there differs."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_dev, st.st_ino]


def _write_file(path: Path, data: bytes | Sequence[bytes]) -> None:
    """``data`` (bytes, or a sequence of byte strings written one after the other) to ``path``
    atomically, readable by all (an output to share, not a secret)."""
    _write_atomically(path, lambda fh: fh.write(data) if isinstance(data, bytes) else fh.writelines(data))


def _write_pickle(path: Path, value: Any) -> None:
    """``value`` pickled to ``path`` atomically, streamed (a large body is not copied first)."""
    import pickle

    _write_atomically(path, lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL))


def _write_atomically(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _record_path(cache: Path, out: Path) -> Path:
    where = hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return cache / "builds" / f"{where}.json"


def _read_record(cache: Path, out: Path) -> dict | None:
    """What the last build into ``out`` recorded (its sources, the digests of its outputs)."""
    import json

    try:
        record = json.loads(_record_path(cache, out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("out") != str(out.resolve()):
        return None
    return record


def _write_record(cache: Path, out: Path, record: dict) -> None:
    import json

    data = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    path = _record_path(cache, out)
    if _read_bytes(path) == data:
        return
    try:
        _write_file(path, data)
    except OSError:  # the record only makes the next build faster (and --add possible)
        pass
