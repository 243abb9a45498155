"""The notebooks run top to bottom on the corpus build, in a real Jupyter kernel, and are
committed without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.model, pytest.mark.notebooks]

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path, corpus_build, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("BKG_BUILD_DIR", str(corpus_build))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "Error" not in "".join(o.get("ename", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    if path.stem.startswith("01"):
        assert "国際協力機構" in text and "カザフスタン" in text  # the path from Kazakhstan to JICA
    if path.stem.startswith("02"):
        assert "協力覚書" in text  # the agreements table has rows
    if path.stem.startswith("03"):
        assert "community 0" in text


def test_there_are_three_notebooks():
    assert len(NOTEBOOKS) >= 3
    assert os.path.basename(str(NOTEBOOKS[0])).startswith("01")
