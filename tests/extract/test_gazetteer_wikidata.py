"""Wikidata QIDs in the gazetteer (``owl:sameAs`` targets): every UN member and observer state has
one, none is shared, and the well-known ones are right. No model or network needed."""

from __future__ import annotations

import csv
import re

import pytest

from extract.gazetteer import GAZETTEER_DIR, load_gazetteer

QID = re.compile(r"^Q[0-9]+$")

#: The 193 UN member states (ISO 3166-1 alpha-3): the rows with a year in country_converter
#: 1.3.2's ``UNmember`` column, which @rapideditor/country-coder 5.6.1's UN grouping matches
#: exactly. ``python data/gazetteer/make_wikidata.py`` prints this list.
UN_MEMBERS = frozenset(re.findall(r"[A-Z]{3}", """
AFG AGO ALB AND ARE ARG ARM ATG AUS AUT AZE BDI BEL BEN BFA BGD
BGR BHR BHS BIH BLR BLZ BOL BRA BRB BRN BTN BWA CAF CAN CHE CHL
CHN CIV CMR COD COG COL COM CPV CRI CUB CYP CZE DEU DJI DMA DNK
DOM DZA ECU EGY ERI ESP EST ETH FIN FJI FRA FSM GAB GBR GEO GHA
GIN GMB GNB GNQ GRC GRD GTM GUY HND HRV HTI HUN IDN IND IRL IRN
IRQ ISL ISR ITA JAM JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO
LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAR MCO MDA MDG MDV MEX
MHL MKD MLI MLT MMR MNE MNG MOZ MRT MUS MWI MYS NAM NER NGA NIC
NLD NOR NPL NRU NZL OMN PAK PAN PER PHL PLW PNG POL PRK PRT PRY
QAT ROU RUS RWA SAU SDN SEN SGP SLB SLE SLV SMR SOM SRB SSD STP
SUR SVK SVN SWE SWZ SYC SYR TCD TGO THA TJK TKM TLS TON TTO TUN
TUR TUV TZA UGA UKR URY USA UZB VCT VEN VNM VUT WSM YEM ZAF ZMB
ZWE
"""))

#: Non-member observer states of the General Assembly: the Holy See and Palestine.
OBSERVERS = frozenset({"VAT", "PSE"})

SPOT_CHECKS = {
    "JPN": "Q17", "KAZ": "Q232", "KGZ": "Q813", "TJK": "Q863", "UZB": "Q265", "TKM": "Q874",
    "CHN": "Q148", "USA": "Q30", "GBR": "Q145", "FRA": "Q142", "DEU": "Q183", "RUS": "Q159",
    "IND": "Q668", "KOR": "Q884", "VAT": "Q237", "PSE": "Q219060",
    # the ISO 3166-1 entity, not the realm (see OVERRIDES in make_wikidata.py)
    "DNK": "Q35", "NLD": "Q55",
}

ORG_SPOT_CHECKS = {
    "国際連合": "Q1065", "欧州連合": "Q458", "東南アジア諸国連合": "Q7768",
    "世界銀行": "Q7164", "国際通貨基金": "Q7804", "世界貿易機関": "Q7825",
    "経済協力開発機構": "Q41550", "北大西洋条約機構": "Q7184",
    # IAEA and IEA: the table once gave the IAEA the IEA's item
    "国際原子力機関": "Q41984", "国際エネルギー機関": "Q826700",
}


def _table(name: str) -> list[dict[str, str]]:
    with (GAZETTEER_DIR / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def countries() -> dict[str, str]:
    return {r["iso3"]: r["wikidata"] for r in _table("countries.tsv")}


def test_un_member_list_is_the_193():
    assert len(UN_MEMBERS) == 193
    assert not UN_MEMBERS & OBSERVERS


@pytest.mark.parametrize("iso3", sorted(UN_MEMBERS | OBSERVERS))
def test_every_un_member_and_observer_state_has_a_qid(countries, iso3):
    assert iso3 in countries, f"{iso3} has no row in countries.tsv"
    assert QID.fullmatch(countries[iso3]), f"{iso3}: wikidata is {countries[iso3]!r}"


def test_country_qids_are_well_formed_and_unique(countries):
    filled = {iso3: q for iso3, q in countries.items() if q}
    assert all(QID.fullmatch(q) for q in filled.values()), filled
    shared = {q for q in filled.values() if list(filled.values()).count(q) > 1}
    assert not shared, {iso3: q for iso3, q in filled.items() if q in shared}


@pytest.mark.parametrize(("iso3", "qid"), sorted(SPOT_CHECKS.items()))
def test_country_spot_checks(countries, iso3, qid):
    assert countries[iso3] == qid


def test_organization_qids_are_well_formed_and_unique():
    rows = [r for r in _table("organizations.tsv") if r["wikidata"]]
    bad = [(r["name_ja"], r["wikidata"]) for r in rows if not QID.fullmatch(r["wikidata"])]
    assert not bad, bad
    qids = [r["wikidata"] for r in rows]
    assert len(qids) == len(set(qids)), sorted(q for q in set(qids) if qids.count(q) > 1)


@pytest.mark.parametrize(("name_ja", "qid"), sorted(ORG_SPOT_CHECKS.items()))
def test_organization_spot_checks(name_ja, qid):
    org = load_gazetteer().organization_by_name(name_ja)
    assert org is not None and org.wikidata == qid


def test_loader_carries_country_qids():
    gaz = load_gazetteer()
    assert gaz.country("KGZ").wikidata == "Q813"
    assert all(gaz.country(c).wikidata for c in UN_MEMBERS | OBSERVERS)
