"""The country family: every written form of every country, and Japan's abbreviation chains."""

from __future__ import annotations

import pytest

from extract.countries import _scan
from extract.gazetteer import load_gazetteer


def found(text: str) -> list[tuple[str, str]]:
    return [(text[h.start : h.end], h.iso3) for h in _scan(text, load_gazetteer())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("日独首脳会談", [("日", "JPN"), ("独", "DEU")]),
        ("日米韓の連携を確認した", [("日", "JPN"), ("米", "USA"), ("韓", "KOR")]),
        ("第7回日中韓サミット", [("日", "JPN"), ("中", "CHN"), ("韓", "KOR")]),
        ("日・米・豪首脳会合", [("日", "JPN"), ("米", "USA"), ("豪", "AUS")]),
        ("米日首脳", [("米", "USA"), ("日", "JPN")]),
        ("日米両国", [("日", "JPN"), ("米", "USA")]),
        ("日・チリ首脳会談", [("日", "JPN"), ("チリ", "CHL")]),
        ("英国及び豪州", [("英国", "GBR"), ("豪州", "AUS")]),
        ("アラブ首長国連邦の首都", [("アラブ首長国連邦", "ARE")]),
        ("マレイシア首相", [("マレイシア", "MYS")]),  # MOFA's older spelling
    ],
)
def test_countries_and_abbreviation_chains(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "来日中のA大統領",  # 日中 inside 来日中: not Japan and China
        "訪日中の首相",
        "本日米国は",  # 本日 + 米国: only the United States
        "毎日米を食べる",
        "中韓両国",  # no 日 in the chain: 中 may be anything
    ],
)
def test_bound_日_is_no_country(text):
    assert ("日", "JPN") not in found(text)
    assert ("中", "CHN") not in found(text)
