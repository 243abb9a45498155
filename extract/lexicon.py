"""Word lists that drive the fact rules: instrument, meeting and programme heads, and triggers.

They live in ``data/lexicon/*.tsv`` (two columns, a header row) so that a researcher can extend
them without touching code. Each file is validated when loaded.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from .facts import AGREEMENT_TYPES
from .resources import data_dir

__all__ = ["LEXICON_DIR", "instrument_heads", "load_lexicon", "meeting_heads", "program_heads", "triggers"]

LEXICON_DIR = data_dir() / "lexicon"


@lru_cache(maxsize=16)
def load_lexicon(name: str, directory: Path = LEXICON_DIR) -> tuple[tuple[str, str], ...]:
    """Rows of ``directory/name.tsv`` as (word, value), longest word first."""
    path = directory / f"{name}.tsv"
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader, None)
        if header is None or len(header) != 2:
            raise ValueError(f"{path}: expected a header row with two tab-separated columns")
        rows = []
        for n, row in enumerate(reader, start=2):
            if not row or not row[0].strip():
                continue
            if len(row) != 2 or not row[1].strip():
                raise ValueError(f"{path}:{n}: expected two tab-separated columns, got {row!r}")
            rows.append((row[0].strip(), row[1].strip()))
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


def instrument_heads() -> tuple[tuple[str, str], ...]:
    rows = load_lexicon("instruments")
    bad = [r for r in rows if r[1] not in AGREEMENT_TYPES]
    if bad:
        raise ValueError(f"instruments.tsv: unknown agreement types {bad}")
    return rows


def meeting_heads() -> tuple[tuple[str, str], ...]:
    return load_lexicon("meetings")


def program_heads() -> tuple[tuple[str, str], ...]:
    return load_lexicon("programs")


def triggers(role: str) -> tuple[str, ...]:
    return tuple(w for w, r in load_lexicon("triggers") if r == role)
