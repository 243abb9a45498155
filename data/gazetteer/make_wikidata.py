"""Wikidata QIDs for the rows of ``countries.tsv``, read from a published package; used by
``make_countries.py`` (run by hand, like it: the TSV is committed, so builds need neither).

Source: the npm package **@rapideditor/country-coder** (ISC licence), maintained by the
OpenStreetMap iD/Rapid editor team. Its ``src/data/borders.json`` gives every ISO 3166-1 country
and territory (plus the EU, Kosovo and the UN M49 regions) with a ``wikidata`` property; this
module reads that JSON directly, so Node itself is not needed::

    npm install --prefix /tmp/cc @rapideditor/country-coder@5.6.1
    export COUNTRY_CODER_DIR=/tmp/cc/node_modules/@rapideditor/country-coder

Without ``COUNTRY_CODER_DIR`` the package is looked for in ``./node_modules`` and in
``npm root -g``. Version 5.6.1 gave the committed table; another version prints a note.

The 193 UN member states are the rows with a year in country_converter's ``UNmember`` column
(the same package ``make_countries.py`` reads for regions); country-coder's own UN grouping
(``isInUnitedNations``) gives the same 193. The Holy See (VAT) and Palestine (PSE) are the two
observer states. ``python data/gazetteer/make_wikidata.py`` prints the member list, for
``tests/extract/test_gazetteer_wikidata.py``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = "@rapideditor/country-coder"
VERSION = "5.6.1"
OBSERVER_STATES = ("PSE", "VAT")  # UN General Assembly non-member observer states

# country-coder writes the EU's exceptionally reserved alpha-3 as EUE; countries.tsv uses EUU.
_ISO3_ALIASES = {"EUU": "EUE"}

# Where the source's QID is not the item for the ISO 3166-1 entity, with the reason.
OVERRIDES: dict[str, tuple[str, str]] = {
    # country-coder codes DK as the Kingdom of Denmark (Q756617), the realm that also takes in
    # Greenland and the Faroe Islands. ISO 3166-1 DK excludes both (they are GRL and FRO here,
    # with their own QIDs Q223 and Q4628), so the row is Denmark itself.
    "DNK": ("Q35", "Denmark; the source has the Kingdom of Denmark, Q756617"),
    # Likewise NL is coded as the Kingdom of the Netherlands (Q29999), which also takes in
    # Aruba, Curaçao and Sint Maarten (ABW, CUW, SXM here, each with its own QID). ISO 3166-1 NL
    # is the country of the Netherlands.
    "NLD": ("Q55", "the Netherlands; the source has the Kingdom of the Netherlands, Q29999"),
}

_QID = re.compile(r"Q[1-9][0-9]*")


def _package_dir() -> Path:
    candidates = []
    if os.environ.get("COUNTRY_CODER_DIR"):
        candidates.append(Path(os.environ["COUNTRY_CODER_DIR"]))
    candidates.append(Path("node_modules") / PACKAGE)
    npm = shutil.which("npm")
    if npm and not any((path / "package.json").is_file() for path in candidates):
        root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
        if root.stdout.strip():
            candidates.append(Path(root.stdout.strip()) / PACKAGE)
    for path in candidates:
        if (path / "src" / "data" / "borders.json").is_file():
            return path
    raise SystemExit(f"{PACKAGE} not found: install it and set COUNTRY_CODER_DIR (see {__file__})")


def source_version() -> str:
    return json.loads((_package_dir() / "package.json").read_text(encoding="utf-8"))["version"]


def source_qids() -> dict[str, str]:
    """ISO 3166-1 alpha-3 -> QID, exactly as the package has them."""
    pkg = _package_dir()
    version = source_version()
    if version != VERSION:
        print(f"note: {PACKAGE} {version}; the committed table came from {VERSION}",
              file=sys.stderr)
    borders = json.loads((pkg / "src" / "data" / "borders.json").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for feature in borders["features"]:
        props = feature["properties"]
        iso3, qid = props.get("iso1A3"), props.get("wikidata")
        if iso3 and qid:
            out[iso3] = qid
    return out


def country_qids(iso3_codes: list[str]) -> dict[str, str]:
    """QID for each code: the source's, or the override; a code the source lacks is left out."""
    source = source_qids()
    out = {}
    for iso3 in iso3_codes:
        qid = OVERRIDES[iso3][0] if iso3 in OVERRIDES else source.get(_ISO3_ALIASES.get(iso3, iso3))
        if qid:
            if not _QID.fullmatch(qid):
                raise SystemExit(f"{iso3}: {qid!r} is not a QID")
            out[iso3] = qid
    seen: dict[str, str] = {}
    for iso3, qid in out.items():
        if qid in seen:
            raise SystemExit(f"{iso3} and {seen[qid]} would share {qid}")
        seen[qid] = iso3
    return out


def un_members() -> list[str]:
    """ISO3 codes of the UN member states, from country_converter's ``UNmember`` column."""
    import country_converter

    table = Path(country_converter.__file__).with_name("country_data.tsv")
    with table.open(encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return sorted(r["ISO3"] for r in rows if r["UNmember"].strip())


def check(qids: dict[str, str]) -> None:
    """Every UN member and observer state must have a QID."""
    members = un_members()
    if len(members) != 193:
        raise SystemExit(f"expected 193 UN member states, country_converter lists {len(members)}")
    missing = [c for c in [*members, *OBSERVER_STATES] if c not in qids]
    if missing:
        raise SystemExit(f"no QID for UN member or observer state(s): {', '.join(missing)}")


if __name__ == "__main__":
    members = un_members()
    print(f"# {len(members)} UN member states (country_converter UNmember column)")
    for i in range(0, len(members), 16):
        print(" ".join(members[i:i + 16]))
