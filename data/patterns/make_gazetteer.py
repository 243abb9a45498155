"""Write ``gazetteer.jsonl`` (spaCy SpanRuler patterns) from the tables in ``data/gazetteer``.

Run from the repository root after editing a table:  python data/patterns/make_gazetteer.py
A test fails when the committed file is out of date with the tables.

Labels: COUNTRY (id: ISO3), ORG (id: the organization's Japanese name), TITLE (id: the title's
kind), PLACE (id: the place's country), PROGRAM (id: the programme's Japanese name).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GAZ = HERE.parent / "gazetteer"


def _table(name: str) -> list[dict[str, str]]:
    with (GAZ / name).open(encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh, delimiter="\t")]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def rows() -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for c in _table("countries.tsv"):
        for form in dict.fromkeys([c["name_ja"], c["name_ja_official"], *_split(c["aliases_ja"])]):
            if form:
                out.append({"label": "COUNTRY", "pattern": form, "id": c["iso3"]})
    for o in _table("organizations.tsv"):
        for form in dict.fromkeys([o["name_ja"], *_split(o["aliases"])]):
            out.append({"label": "ORG", "pattern": form, "id": o["name_ja"]})
    for t in _table("titles.tsv"):
        out.append({"label": "TITLE", "pattern": t["title_ja"], "id": t["kind"]})
    for p in _table("places.tsv"):
        for form in dict.fromkeys([p["name_ja"], *_split(p["aliases"])]):
            out.append({"label": "PLACE", "pattern": form, "id": p["country"]})
    for p in _table("programs.tsv"):
        for form in dict.fromkeys([p["name_ja"], *_split(p["aliases"])]):
            out.append({"label": "PROGRAM", "pattern": form, "id": p["name_ja"]})
    return out


def render() -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows())


if __name__ == "__main__":
    target = HERE / "gazetteer.jsonl"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target} ({len(rows())} patterns)", file=sys.stderr)
