"""The per-document fact cache: an unchanged document is neither parsed nor extracted again.

A document's :class:`~extract.facts.DocumentFacts` (as the rules give them, before the corpus is
resolved) are pickled in ``CACHE/facts/``, next to the parse cache, under a key made of

* the document as read: its normalized text, file name and source metadata (a sidecar or
  ``SOURCES.tsv`` row is part of :class:`~extract.facts.Document`), see :func:`document_digest`;
* the model: its package name and version, with GiNZA's, spaCy's and SudachiPy's
  (:func:`model_version`, read from the installed packages: the model is not loaded);
* the rules: a hash over the source of ``extract/*.py`` and every file under ``data/patterns``,
  ``data/lexicon`` and ``data/gazetteer`` (:func:`rules_version`, computed once per process).

A changed rule, lexicon row, gazetteer entry or ``facts.py`` therefore misses the cache: old
entries are simply never read again (they can be deleted with the cache folder at any time). A
corrupt or unreadable entry is a miss too, never an error. Entries are written atomically
(a temporary file, then a rename).

>>> import tempfile
>>> from extract.facts import Document, DocumentFacts
>>> d = Document(source="a.txt", doc_id="0" * 16, text="x", title="t", date=None,
...              doc_type="other", passages=())
>>> with tempfile.TemporaryDirectory() as tmp:
...     cache = FactCache(Path(tmp))
...     cache.get(d) is None, cache.put(DocumentFacts(document=d)), cache.get(d) == DocumentFacts(document=d)
(True, None, True)
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .facts import Document, DocumentFacts

__all__ = ["FactCache", "document_digest", "model_version", "rules_version", "source_digest"]

#: The folders of ``data/`` whose files the rules read.
RULE_DATA = ("patterns", "lexicon", "gazetteer")
#: Packages whose versions decide the parse (the model's own first).
MODEL_PACKAGES = ("ginza", "spacy", "sudachipy", "sudachidict_core")
#: Bumped when the layout of an entry changes.
FORMAT = "1"


def _hash_files(paths, root: Path, h) -> None:
    for path in sorted(paths, key=lambda p: p.relative_to(root).as_posix()):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(root).as_posix().encode("utf-8")
        h.update(len(rel).to_bytes(4, "big") + rel)
        data = path.read_bytes()
        h.update(len(data).to_bytes(8, "big") + data)


def source_digest(folder: Path, pattern: str = "*.py") -> str:
    """A hash over the files of ``folder`` matching ``pattern`` (recursively), names and bytes."""
    h = hashlib.sha256()
    _hash_files(folder.rglob(pattern), folder, h)
    return h.hexdigest()


@lru_cache(maxsize=1)
def rules_version() -> str:
    """The version of the rules and their data: a hash over ``extract/*.py`` and every file of
    ``data/patterns``, ``data/lexicon`` and ``data/gazetteer``. Computed once per process."""
    from .resources import data_dir

    h = hashlib.sha256(b"bkg-rules\0")
    here = Path(__file__).resolve().parent
    _hash_files(here.rglob("*.py"), here, h)
    data = data_dir()
    for name in RULE_DATA:
        folder = data / name
        if folder.is_dir():
            h.update(name.encode() + b"\0")
            _hash_files(folder.rglob("*"), folder, h)
    return h.hexdigest()


@lru_cache(maxsize=8)
def model_version(model: str | None = None) -> str:
    """``ja_ginza-5.3.0 ginza-5.3.0 spacy-3.8.18 …``: what decides the parse, read from the
    installed packages' metadata (no model is loaded)."""
    from importlib.metadata import PackageNotFoundError, version

    from .nlp import MODEL

    parts = []
    for name in (model or MODEL, *MODEL_PACKAGES):
        try:
            parts.append(f"{name}-{version(name)}")
        except (PackageNotFoundError, ValueError):
            parts.append(f"{name}-?")
    return " ".join(parts)


def document_digest(document: Document) -> str:
    """A hash of the document as read: every field of :class:`~extract.facts.Document` (its
    normalized text, file name, metadata from a sidecar or the text's headers …)."""
    return hashlib.sha256(repr(document).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class FactCache:
    """The facts of each document on disk, keyed by the document, the model and the rules."""

    directory: Path
    model: str | None = None
    hits: int = 0
    misses: int = 0

    def key(self, document: Document) -> str:
        parts = (FORMAT, document_digest(document), model_version(self.model), rules_version())
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()

    def _path(self, document: Document) -> Path:
        key = self.key(document)
        return self.directory / "facts" / key[:2] / f"{key}.pickle"

    def get(self, document: Document) -> DocumentFacts | None:
        """The cached facts of ``document``, or None (absent, unreadable or not this document's)."""
        try:
            data = self._path(document).read_bytes()
            facts = pickle.loads(data)
        except Exception:  # noqa: BLE001 - absent, truncated, written by other code: a miss, never an error
            self.misses += 1
            return None
        if not isinstance(facts, DocumentFacts) or facts.document != document:
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def put(self, facts: DocumentFacts) -> None:
        """Store ``facts`` under its document's key (atomically; a failure to write is ignored:
        the cache is an optimisation)."""
        path = self._path(facts.document)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                pickle.dump(facts, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            Path(tmp).unlink(missing_ok=True)
