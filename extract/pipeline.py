"""From source files to :class:`~extract.facts.DocumentFacts`.

One GiNZA pipeline is loaded once (:func:`load_nlp`) and passed along. Passages are parsed with
``nlp.pipe`` and the parses are cached on disk as spaCy ``DocBin`` files keyed by a hash of the
passage text and the model version, so rebuilding an unchanged corpus does not parse again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DocumentError
from .facts import Document, DocumentFacts
from .nlp import MODEL, OUR_COMPONENTS, annotate

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "MODEL",
    "ParseCache",
    "default_cache_dir",
    "extract_document",
    "extract_paths",
    "load_nlp",
    "parse_passages",
]

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
        from spacy.tokens import DocBin

        path = self._path(nlp, text)
        if not path.exists():
            self.misses += 1
            return None
        try:
            docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        except (ValueError, OSError, KeyError):
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


def parse_passages(
    nlp: Language, texts: Sequence[str], cache: ParseCache | None = None, batch_size: int = 64
) -> list[Doc]:
    """Parse passage texts with ``nlp.pipe``, reusing cached parses where the text is unchanged.

    The cache holds GiNZA's parse alone; our rule components (:func:`extract.nlp.annotate`) run
    on every ``Doc`` afterwards, cached or fresh, so a changed rule never forces a re-parse.
    """
    docs: list[Doc | None] = [cache.get(nlp, t) if cache else None for t in texts]
    todo = [i for i, d in enumerate(docs) if d is None]
    ours = [name for name in nlp.pipe_names if name in OUR_COMPONENTS]
    for i, doc in zip(todo, nlp.pipe((texts[i] for i in todo), batch_size=batch_size, disable=ours)):
        docs[i] = doc
        if cache is not None:
            cache.put(nlp, doc)
    return [annotate(nlp, d) for d in docs if d is not None]


def extract_document(document: Document, nlp: Language, cache: ParseCache | None = None) -> DocumentFacts:
    """Parse one segmented document and run every rule family over it."""
    from .rules import extract_facts

    parses = parse_passages(nlp, [p.text for p in document.passages], cache)
    return extract_facts(document, parses)


def extract_paths(
    paths: Iterable[Path | str],
    nlp: Language | None = None,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    progress: bool = True,
) -> tuple[list[DocumentFacts], list[DocumentError]]:
    """Read, segment and extract every document under ``paths``.

    A document that cannot be read is reported as a :class:`DocumentError` and skipped; the
    others are still extracted. Facts of different documents are then resolved against each
    other (the same person named in two documents becomes one key).
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
    results: list[DocumentFacts] = []
    bar = _progress(sources, progress)
    for path in bar:
        if hasattr(bar, "set_postfix_str"):
            bar.set_postfix_str(path.name[:40])
        try:
            document = parse_document(path)
        except DocumentError as err:
            errors.append(err)
            continue
        results.append(extract_document(document, nlp, cache))
    return resolve_corpus(results), errors


def _progress(items: Sequence[Path], enabled: bool) -> Iterable[Path]:
    if not enabled or not items:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="extracting", unit="doc", leave=False)
