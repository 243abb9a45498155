"""The build's progress bar counts passages across the whole build, and warnings are data."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
STATEMENT = ROOT / "data" / "corpus" / "2023-11_jp-kgz_joint-statement.txt"
BRIEF = ROOT / "data" / "corpus" / "2025-09_kgz-country-brief_relations.md"


class _Bar:
    """A stand-in for tqdm that records what the build tells it."""

    made: ClassVar[list[_Bar]] = []

    def __init__(self, iterable=None, *, total=None, desc=None, unit=None, leave=True, **_):
        self.iterable, self.total, self.desc, self.unit = iterable, total, desc, unit
        self.n = 0
        self.updates: list[int] = []
        self.postfixes: list[str] = []
        self.closed = False
        _Bar.made.append(self)

    def __iter__(self):
        yield from self.iterable

    def update(self, n=1):
        self.n += n
        self.updates.append(n)

    def set_postfix_str(self, text, refresh=True):
        self.postfixes.append(text)

    def close(self):
        self.closed = True


@pytest.fixture
def bars(monkeypatch):
    import tqdm

    _Bar.made = []
    monkeypatch.setattr(tqdm, "tqdm", _Bar)
    return _Bar.made


def _sources(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    big = STATEMENT.read_text(encoding="utf-8").strip()
    (src / "long-statement.txt").write_text("\n\n".join([big] * 3) + "\n", encoding="utf-8")
    shutil.copy(BRIEF, src / BRIEF.name)
    return src


def test_the_bar_counts_passages_and_names_the_document(nlp, tmp_path, bars):
    from extract.structure import parse_document
    from kg.build import build

    src = _sources(tmp_path)
    passages = {p.name: len(parse_document(p).passages) for p in src.iterdir()}
    build([src], tmp_path / "out", nlp=nlp, progress=True, cache_dir=tmp_path / "cache")
    (bar,) = [b for b in bars if b.desc == "extracting"]
    assert bar.unit == "passage" and bar.total == sum(passages.values())
    assert bar.n == bar.total and bar.closed
    assert len(bar.updates) > len(passages)  # it moves within a document, not once per document
    assert any(f.startswith("long-statement.txt") for f in bar.postfixes)
    assert any(f.startswith(BRIEF.name) for f in bar.postfixes)


def test_no_bar_without_progress(nlp, tmp_path, bars):
    from kg.build import build

    build([_sources(tmp_path)], tmp_path / "out", nlp=nlp, progress=False, cache_dir=tmp_path / "cache")
    assert bars == []


def test_a_document_in_english_is_built_with_a_warning(nlp, tmp_path):
    from kg.build import build

    src = _sources(tmp_path)
    english = src / "statement-en.txt"
    english.write_text(
        "Joint Statement\n\n1. The Prime Minister of Japan and the President of the Kyrgyz Republic held a "
        "summit meeting in Tokyo and agreed to strengthen their cooperation in trade and investment.\n",
        encoding="utf-8",
    )
    result = build([src], tmp_path / "out", nlp=nlp, progress=False, cache_dir=tmp_path / "cache")
    assert result.documents == 3 and result.ok
    assert [str(w) for w in result.warnings] == [
        f"{english}: looks like English, not Japanese; few facts will be found"
    ]
    assert result.warnings[0].language.code == "en"
