"""The places gazetteer (``data/gazetteer/places.tsv``) is valid world knowledge: no model needed."""

from __future__ import annotations

import csv

import pytest

from extract.gazetteer import GAZETTEER_DIR
from extract.places import place_country

#: The 193 member states of the United Nations (ISO 3166-1 alpha-3).
UN_MEMBERS = frozenset("""
AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA BRA
BRN BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG CRI CIV HRV CUB CYP CZE PRK COD DNK
DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB
GUY HTI HND HUN ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR KWT KGZ LAO LVA LBN LSO
LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MCO MNG MNE MAR MOZ MMR NAM NRU
NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL POL PRT QAT KOR MDA ROU RUS RWA
KNA LCA VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD ESP LKA SDN SUR SWE CHE
SYR TJK THA TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR TZA USA URY UZB VUT VEN VNM YEM ZMB
ZWE
""".split())

#: Members deliberately without a place row: the capital is written exactly like the country
#: (クウェート, ルクセンブルク, モナコ, サンマリノ, ジブチ), which the country gazetteer already
#: recognises; a PLACE pattern would only duplicate the COUNTRY span on the same characters.
SKIPPED = {
    "KWT": "capital クウェート = country name",
    "LUX": "capital ルクセンブルク = country name",
    "MCO": "capital モナコ = country name",
    "SMR": "capital サンマリノ = country name",
    "DJI": "capital ジブチ = country name",
    "SYC": "capital ビクトリア is also a queen's, a state's and many cities' name: too ambiguous",
}

#: Place forms that are also a country's written form, kept on purpose (city-states/territories).
PLACE_IS_COUNTRY = {"シンガポール", "香港"}


def _tsv(name: str) -> list[dict[str, str]]:
    with (GAZETTEER_DIR / name).open(encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh, delimiter="\t")]


PLACES = _tsv("places.tsv")
COUNTRIES = _tsv("countries.tsv")
ISO3 = {c["iso3"] for c in COUNTRIES}


def _forms(row: dict[str, str]) -> list[str]:
    return [row["name_ja"], *(a.strip() for a in row["aliases"].split("|") if a.strip())]


def test_the_un_member_list_has_193_states_all_in_countries_tsv():
    assert len(UN_MEMBERS) == 193
    assert UN_MEMBERS <= ISO3


def test_every_place_has_a_name_and_a_valid_iso3():
    bad = [(r["name_ja"], r["country"]) for r in PLACES if not r["name_ja"] or r["country"] not in ISO3]
    assert not bad


def test_no_written_form_names_two_countries():
    seen: dict[str, str] = {}
    clashes = []
    for row in PLACES:
        for form in _forms(row):
            if seen.setdefault(form, row["country"]) != row["country"]:
                clashes.append((form, seen[form], row["country"]))
    assert not clashes


def test_no_place_name_is_written_twice():
    names = [r["name_ja"] for r in PLACES]
    assert len(names) == len(set(names))


def test_a_place_is_not_a_country_name():
    country_forms = set()
    for c in COUNTRIES:
        country_forms |= {c["name_ja"], c["name_ja_official"], *(a for a in c["aliases_ja"].split("|") if a)}
    overlap = {f for r in PLACES for f in _forms(r)} & country_forms
    assert overlap <= PLACE_IS_COUNTRY


def test_every_un_member_with_a_japanese_name_has_a_place():
    with_name = {c["iso3"] for c in COUNTRIES if c["name_ja"] and c["iso3"] in UN_MEMBERS}
    covered = {r["country"] for r in PLACES}
    missing = with_name - covered - set(SKIPPED)
    assert not missing, sorted(missing)
    assert not set(SKIPPED) & covered, "a skipped country now has a place: drop it from SKIPPED"


@pytest.mark.parametrize("iso3", ["XKX", "PSE", "TWN"])
def test_observers_and_partners_have_a_place(iso3):
    assert iso3 in {r["country"] for r in PLACES}


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("ヘルシンキ", "FIN"),
        ("ブカレスト", "ROU"),
        ("アディスアベバ", "ETH"),
        ("ボゴタ", "COL"),
        ("スバ", "FJI"),
        ("ビリニュス", "LTU"),
        ("ヌルスルタン", "KAZ"),
        ("ネピドー", "MMR"),
        ("ダルエスサラーム", "TZA"),
        ("スクレ", "BOL"),
        ("ベルン市", "CHE"),
    ],
)
def test_spot_checks(name, iso3):
    assert place_country(name) == iso3
