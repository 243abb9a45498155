"""A non-editable install carries the data files and extracts the same facts as the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TEXT = (
    "日・ペルー首脳会談\n令和2年5月11日\n"
    " 本11日、山田総理大臣は、実務訪問賓客として訪日中のペルー共和国のA大統領と首脳会談を行いました。\n"
    "1 両首脳は、G20サミットに出席するため訪問した際の協力を確認しました。\n"
)

SCRIPT = """
import json, sys
from pathlib import Path
from extract.resources import data_dir
from extract.pipeline import extract_document, load_nlp
from extract.structure import parse_document
facts = extract_document(parse_document(Path(sys.argv[1])), load_nlp())
print(json.dumps({"data": str(data_dir()), "meetings": sorted(m.label for m in facts.meetings),
                  "countries": sorted(e.key for e in facts.entities if e.kind == "country")}))
"""


@pytest.mark.model
def test_an_installed_wheel_finds_its_data_and_extracts_the_same(tmp_path, facts_of):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(wheels)],
                   check=True, cwd=tmp_path, capture_output=True)
    (wheel,) = wheels.glob("bilateral_kg-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, cwd=tmp_path, capture_output=True)
    assert (target / "bkg_data" / "patterns" / "meetings.json").is_file()
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(doc)], check=True, cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    installed = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(installed["data"]).resolve() == (target / "bkg_data").resolve()
    here = facts_of(TEXT)
    assert installed["meetings"] == sorted(m.label for m in here.meetings)
    assert installed["countries"] == sorted(e.key for e in here.entities if e.kind == "country")
    assert "日・ペルー首脳会談" in installed["meetings"]
