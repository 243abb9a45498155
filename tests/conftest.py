"""Shared fixtures: one real ja_ginza pipeline and one real corpus build per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "data" / "gold"


@pytest.fixture(scope="session")
def nlp():
    """The real GiNZA model, loaded once."""
    from extract.pipeline import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def corpus_facts(nlp):
    """``list[DocumentFacts]`` for the sample corpus, extracted once with the real model."""
    from extract.pipeline import extract_paths

    facts, errors = extract_paths([CORPUS], nlp=nlp, progress=False)
    assert not errors, errors
    return facts


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory, nlp):
    """A real ``bkg build data/corpus --out DIR``, done once; returns DIR."""
    from kg.build import build

    out = tmp_path_factory.mktemp("corpus-build")
    build([CORPUS], out, nlp=nlp, progress=False)
    return out


@pytest.fixture
def facts_of(nlp, tmp_path):
    """``facts_of(text)``: the DocumentFacts of ``text`` saved as a document, with the real model."""
    from extract.pipeline import extract_document
    from extract.structure import parse_document

    def run(text: str, name: str = "doc.txt"):
        path = Path(tmp_path) / name
        path.write_text(text, encoding="utf-8")
        return extract_document(parse_document(path), nlp)

    return run
