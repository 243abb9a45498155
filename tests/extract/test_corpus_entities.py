"""Countries and persons of each corpus document, read by the real GiNZA model.

The expected values come from reading the documents (see data/gold/), not from the extractor.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.model


def _doc(corpus_facts, stem: str):
    for f in corpus_facts:
        if f.document.source.startswith(stem):
            return f
    raise AssertionError(f"no document {stem}")


def _persons(facts):
    return {e.label: e for e in facts.entities if e.kind == "person"}


def _countries(facts):
    return {e.key for e in facts.entities if e.kind == "country"}


def test_japan_kyrgyz_2023_persons(corpus_facts):
    persons = _persons(_doc(corpus_facts, "2023-11_jp-kgz"))
    assert persons["サディル・ジャパロフ"].role == "大統領"
    assert persons["サディル・ジャパロフ"].country == "KGZ"
    assert persons["岸田文雄"].country == "JPN"
    assert persons["岸田文雄"].role == "内閣総理大臣"
    assert persons["安倍晋三"].country == "JPN"
    # surname-only mentions (ジャパロフ大統領, 岸田総理) resolve to the full person
    assert set(persons) == {"サディル・ジャパロフ", "岸田文雄", "安倍晋三"}
    assert len(persons["サディル・ジャパロフ"].mentions) >= 4


def test_japan_kyrgyz_2023_countries(corpus_facts):
    assert {"JPN", "KGZ", "AFG", "PRK"} <= _countries(_doc(corpus_facts, "2023-11_jp-kgz"))


def test_foreign_ministers_2022(corpus_facts):
    facts = _doc(corpus_facts, "2022-12-24_ca-jad")
    persons = _persons(facts)
    expected = {
        "林芳正": ("外務大臣", "JPN"),
        "トレウベルディ": ("副首相兼外務大臣", "KAZ"),
        "クルバエフ": ("外務大臣", "KGZ"),
        "ムフリッディン": ("外務大臣", "TJK"),
        "メレドフ": ("副首相兼外務大臣", "TKM"),
        "ノロフ": ("外務大臣", "UZB"),
    }
    for name, (role, country) in expected.items():
        assert persons[name].role == role, name
        assert persons[name].country == country, name
    assert {"JPN", "KAZ", "KGZ", "TJK", "TKM", "UZB", "AFG", "PRK"} <= _countries(facts)


def test_tokyo_declaration_leaders(corpus_facts):
    persons = _persons(_doc(corpus_facts, "2025-12-20_ca-jad"))
    countries = {p.country for p in persons.values()}
    assert countries >= {"JPN", "KAZ", "KGZ", "TJK", "TKM", "UZB"}
    assert all(p.role == "大統領" for p in persons.values() if p.country != "JPN")


def test_two_japarovs_stay_two(corpus_facts):
    brief = _persons(_doc(corpus_facts, "2025-09_kgz-country-brief"))
    keys = {p.key for p in brief.values() if "ジャパロフ" in p.label}
    assert len(keys) == 2


def test_person_resolved_across_documents(corpus_facts):
    """カスム・ジョマルト・トカエフ and カシム＝ジョマルト・トカエフ are one person."""
    keys = {
        e.key
        for f in corpus_facts
        for e in f.entities
        if e.kind == "person" and "トカエフ" in e.label
    }
    assert len(keys) == 1


def test_japan_kazakhstan_2025(corpus_facts):
    facts = _doc(corpus_facts, "2025-12-18_jp-kaz")
    persons = [e for e in facts.entities if e.kind == "person"]
    assert len(persons) == 2
    takaichi = next(p for p in persons if p.label == "高市早苗")
    assert (takaichi.role, takaichi.country) == ("内閣総理大臣", "JPN")
    tokayev = next(p for p in persons if "トカエフ" in p.label)
    assert (tokayev.role, tokayev.country) == ("大統領", "KAZ")
    # one man however this document writes him (the signature, the damaged カスムジヨマルト); his
    # label is the fullest form any document gives, the forms written here are aliases
    forms = {tokayev.label, *tokayev.aliases}
    assert {"カスム・ジョマルト・トカエフ", "カスムジョマルト・トカエフ", "カスムジヨマルト・トカエフ"} <= forms
    assert {"JPN", "KAZ"} <= _countries(facts)


def test_kyrgyz_country_brief_persons(corpus_facts):
    persons = _persons(_doc(corpus_facts, "2025-09_kgz-country-brief"))
    japanese = {"西徳二郎", "福島安正", "井上靖", "川口順子", "岸田文雄", "安倍晋三", "遠藤利明", "辻清人",
                "長島昭久", "鈴木馨祐"}
    kyrgyz = {"アカエフ", "バキエフ", "アタムバエフ", "ジェエンベコフ", "アキルベク・ジャパロフ", "クルバエフ",
              "バイサロフ"}
    assert japanese | kyrgyz <= set(persons)
    assert all(persons[n].country == "JPN" for n in japanese)
    assert all(persons[n].country == "KGZ" for n in kyrgyz)
    assert persons["岸田文雄"].role == "外務大臣"  # his title at the time, as the brief gives it
