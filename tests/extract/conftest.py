"""Fixtures of the extraction tests: run the whole extractor on a text written for a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.pipeline import extract_document
from extract.structure import parse_document


@pytest.fixture
def facts_of(nlp, tmp_path):
    """``facts_of(text)``: the DocumentFacts of ``text`` saved as a document, with the real model."""

    def run(text: str, name: str = "doc.txt"):
        path = Path(tmp_path) / name
        path.write_text(text, encoding="utf-8")
        return extract_document(parse_document(path), nlp)

    return run
