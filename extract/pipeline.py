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

from .errors import DocumentError
from .facts import Document, DocumentFacts
from .language import DocumentWarning, language_warning
from .nlp import MODEL, OUR_COMPONENTS, annotate

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, DocBin

__all__ = [
    "MODEL",
    "DocumentWarning",
    "ParseCache",
    "default_cache_dir",
    "extract_document",
    "extract_paths",
    "iter_parses",
    "load_nlp",
    "parse_passages",
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
    """
    from .read import iter_sources
    from .resolve import resolve_corpus
    from .structure import parse_document

    loops: list[tuple[Path, str]] = []
    sources = iter_sources([Path(p) for p in paths], loops)
    if nlp is None:
        nlp = load_nlp()
    cache = ParseCache(cache_dir or default_cache_dir()) if use_cache else None
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
    from .rules import extract_facts

    results: list[DocumentFacts] = []
    bar = _passage_bar(sum(len(d.passages) for d in documents), progress)
    try:
        for document in documents:
            if bar is None:
                results.append(extract_document(document, nlp, cache))
                continue
            bar.set_postfix_str(document.source[:40], refresh=False)
            parses = document_parses(nlp, document, cache, bar.update)
            bar.set_postfix_str(f"{document.source[:40]} (rules)")
            results.append(extract_facts(document, parses))
            del parses  # the next document's parses replace these, not join them
    finally:
        if bar is not None:
            bar.close()
    return resolve_corpus(results), errors


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
