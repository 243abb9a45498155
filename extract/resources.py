"""Where the project's data files are: ``data/`` of a source checkout, else the installed package data.

A non-editable ``pip install`` ships ``data/gazetteer``, ``data/lexicon`` and ``data/patterns`` as the
package ``bkg_data`` (see ``pyproject.toml``), so an installed extractor reads the same tables and
patterns as a checkout and extracts the same facts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["data_dir"]

_CHECKOUT = Path(__file__).resolve().parents[1] / "data"


@lru_cache(maxsize=1)
def data_dir() -> Path:
    """The folder holding ``gazetteer/``, ``lexicon/`` and ``patterns/``."""
    if (_CHECKOUT / "patterns").is_dir():
        return _CHECKOUT
    from importlib.resources import files

    installed = Path(str(files("bkg_data")))
    if not (installed / "patterns").is_dir():
        raise RuntimeError(
            f"bilateral-kg's data files are missing (looked in {_CHECKOUT} and {installed}): "
            "reinstall the package (`make install`)"
        )
    return installed
