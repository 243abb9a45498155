"""The organization family: gazetteer bodies, bodies found by grammar, and what the parse says
against a hit being a standing body. Fast tests on hand-built Docs; model tests on sentences
written for the test (countries, bodies and people the corpus does not mention)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extract.gazetteer import load_gazetteer
from extract.organizations import _about_phrase, _after_person_name, _compound_after, org_heads
from extract.patterns import apply_rules, build_matchers, load_rules, matches
from extract.pipeline import extract_document
from extract.structure import parse_document


def _doc(words, pos, lemmas=None, deps=None, heads=None) -> Doc:
    n = len(words)
    return Doc(Vocab(), words=words, spaces=[False] * n, pos=pos, lemmas=lemmas or list(words),
               deps=deps or ["dep"] * n, heads=heads or list(range(n)))


def _with_rules(doc: Doc) -> Doc:
    rules = load_rules("organizations")
    matcher, dep = build_matchers(doc.vocab, rules)
    return apply_rules(doc, "organizations", matcher, dep, rules)


# -- data -----------------------------------------------------------------------------------


def test_pattern_file_is_valid_spacy():
    rules = load_rules("organizations")
    labels = {label for label, _ in rules.matcher} | {label for label, _ in rules.dependency}
    assert {"OCCASION", "LEGAL_FORM", "HELD", "HELD_PASSIVE", "REQUESTED"} <= labels
    build_matchers(Vocab(), rules)  # raises on a pattern spaCy rejects


def test_international_bodies_have_no_country():
    gaz = load_gazetteer()
    by_name = {o.name_ja: o for o in gaz.organizations}
    for name in ("国際連合", "欧州連合", "G7", "G20", "アジア開発銀行", "東南アジア諸国連合"):
        assert by_name[name].country is None, name
    assert by_name["自衛隊"].country == "JPN"
    assert "EU" in by_name["欧州連合"].aliases
    assert "国連総会" not in by_name  # a session of the Assembly, not a body


def test_committee_heads_are_longer_than_parliament():
    heads = dict(org_heads())
    assert heads["協議会"] == "committee"  # 経済協議会 is not a 議会
    order = [h for h, _ in org_heads()]
    assert order.index("協議会") < order.index("議会")


# -- grammar on hand-built Docs --------------------------------------------------------------


def test_occasion_marks_meeting_charter_building_status():
    doc = _with_rules(_doc(["ASEAN", "+", "3", "首脳", "会議", "と", "国連", "憲章", "と", "OECD", "閣僚", "理事会"],
                           ["PROPN", "SYM", "NUM", "NOUN", "NOUN", "ADP", "PROPN", "NOUN", "ADP", "PROPN", "NOUN", "NOUN"]))
    marked = {t for sp in matches(doc, "organizations", "OCCASION") for t in range(sp.start, sp.end)}
    assert {4, 7, 10, 11} <= marked
    assert 0 not in marked and 6 not in marked


def test_compound_after_a_body():
    doc = _doc(["ASEAN", "+", "3", "首脳", "会議", "が", "国連", "改革"],
               ["PROPN", "SYM", "NUM", "NOUN", "NOUN", "ADP", "PROPN", "NOUN"])
    assert _compound_after(doc, len("ASEAN")) == 4
    text = doc.text
    assert _compound_after(doc, text.index("が")) is None
    assert _compound_after(doc, text.index("国連") + 2) == 7


def test_person_name_glued_before_a_body():
    words = ["ジョン", "・", "スミス", "・", "ケニア", "日本", "友好", "議員", "連盟"]
    doc = _doc(words, ["PROPN", "SYM", "PROPN", "SYM", "PROPN", "PROPN", "NOUN", "NOUN", "NOUN"])

    class Hit:  # a country hit as country_hits gives it
        def __init__(self, start, end):
            self.start, self.end = start, end

    kenya = doc.text.index("ケニア")
    japan = doc.text.index("日本")
    countries = [Hit(kenya, kenya + 3), Hit(japan, japan + 2)]
    assert _after_person_name(doc, 0, 8, countries) == 4
    # a country before the ・ is part of the name (ケニア・ウガンダ友好議員連盟)
    doc2 = _doc(["ケニア", "・", "ウガンダ", "友好", "議員", "連盟"], ["PROPN", "SYM", "PROPN", "NOUN", "NOUN", "NOUN"])
    countries2 = [Hit(0, 3), Hit(4, 8)]
    assert _after_person_name(doc2, 0, 5, countries2) == 0


def test_about_phrase():
    doc = _doc(["投資", "環境", "に", "関する", "委員会"], ["NOUN", "NOUN", "ADP", "VERB", "NOUN"])
    assert _about_phrase(doc, 3)
    doc2 = _doc(["これ", "に", "関する", "委員会"], ["PRON", "ADP", "VERB", "NOUN"])
    assert not _about_phrase(doc2, 2)


# -- the whole extractor on written sentences -------------------------------------------------


@pytest.fixture
def orgs_of(nlp, tmp_path):
    def run(text: str) -> dict[str, object]:
        path = Path(tmp_path) / "doc.txt"
        path.write_text(text, encoding="utf-8")
        facts = extract_document(parse_document(path), nlp)
        return {e.label: e for e in facts.entities if e.kind == "organization"}

    return run


@pytest.mark.model
def test_meeting_charter_and_headquarters_are_not_the_body(orgs_of):
    orgs = orgs_of("チリ大統領との会談\n国連総会出席のため訪問中の首相は、国連本部でチリ大統領と会談し、"
                   "国連憲章の原則を確認した。両首脳はASEAN+3首脳会議について意見交換した。\n")
    assert "国際連合" not in orgs
    assert "東南アジア諸国連合" not in orgs


@pytest.mark.model
def test_body_acting_is_a_mention(orgs_of):
    orgs = orgs_of("ペルー外相との会談\n両外相は、国連改革及び安保理決議の履行について協力することで一致した。"
                   "また、欧州連合(EU)及びアフリカ連合との連携を確認した。\n")
    assert {"国際連合", "国連安全保障理事会", "欧州連合", "アフリカ連合"} <= set(orgs)
    assert orgs["欧州連合"].country is None


@pytest.mark.model
def test_no_body_inside_a_country_name(orgs_of):
    orgs = orgs_of("首脳会談\nアラブ首長国連邦の首相と会談した。\n")
    assert not orgs


@pytest.mark.model
def test_committees_named_by_grammar(orgs_of):
    orgs = orgs_of("共同声明\n両国は、投資環境整備に関する委員会及び漁業資源保全合同委員会が設置されたことを歓迎した。\n")
    assert "投資環境整備に関する委員会" in orgs
    assert "漁業資源保全合同委員会" in orgs


@pytest.mark.model
def test_a_council_that_is_held_is_a_meeting(orgs_of):
    orgs = orgs_of("首脳会談\n本日、日本メキシコ経済協議会が10年ぶりに開催された。第3回日本・ケニア合同委員会も開催された。\n")
    assert not any(name.endswith(("協議会", "委員会")) for name in orgs)


@pytest.mark.model
def test_person_name_is_not_part_of_the_league(orgs_of):
    orgs = orgs_of("表敬\n首相は、ジョン・スミス・ケニア日本友好議員連盟会長の表敬を受けた。\n")
    assert "ケニア日本友好議員連盟" in orgs
    assert orgs["ケニア日本友好議員連盟"].country == "KEN"


@pytest.mark.model
def test_armed_forces_legal_forms_and_fronts(orgs_of):
    orgs = orgs_of("外相会談\n外相は、ニュージーランド軍輸送機の派遣に謝意を表し、独立行政法人海外技術支援センターの"
                   "協力を紹介した。また、ケニア政府と南部解放戦線(SLF:Southern Liberation Front)の和平を歓迎した。\n")
    assert orgs["ニュージーランド軍"].country == "NZL"
    assert orgs["独立行政法人海外技術支援センター"].country == "JPN"
    assert "SLF" in orgs["南部解放戦線"].aliases


@pytest.mark.model
def test_office_of_a_known_body_and_requested_embassy(orgs_of):
    orgs = orgs_of("首脳会談\n首相は、ケニアにおける国際協力機構(JICA)事務所の活動を評価した。"
                   "先方は、モンバサに日本総領事館を開設してほしいと述べた。\n")
    assert "国際協力機構" in orgs
    assert not any(name.endswith("事務所") for name in orgs)
    assert not any(name.endswith("総領事館") for name in orgs)


@pytest.mark.model
def test_groups_as_bodies_not_their_summits(orgs_of):
    orgs = orgs_of("首脳会談\n両首脳は、G20として結束することで一致した。G7ローマ・サミットの成功に向け協力する。\n")
    assert "G20" in orgs
    assert "G7" not in orgs


@pytest.mark.model
def test_quoted_name_adjective_and_movement(orgs_of):
    orgs = orgs_of("共同声明\n双方は、株式会社「ソーラー開発機構『SDK』」を通じた協力と、国連持続可能な開発目標研究センターの"
                   "設立を歓迎した。ボリビア・アンデス解放運動(ALM)の武装解除を求めた。一村一品運動を推進する。\n")
    assert "ソーラー開発機構『SDK』" in orgs
    assert "国連持続可能な開発目標研究センター" in orgs
    assert "ボリビア・アンデス解放運動" in orgs
    assert not any(name.endswith("一村一品運動") for name in orgs)


@pytest.mark.model
def test_japanese_embassy_in_the_partner_country(orgs_of):
    orgs = orgs_of("日・ウガンダ関係\nウガンダ共和国との関係\n1995年 在ウガンダ日本国大使館開設(在ケニア大使館が兼轄)。\n"
                   "2000年 日本大使館が実館となる。\n")
    embassy = orgs["在ウガンダ日本国大使館"]
    assert embassy.country == "JPN"
    assert "日本大使館" in embassy.aliases
    assert orgs["在ケニア大使館"].country == "JPN"


@pytest.mark.model
def test_a_katakana_name_glued_before_a_known_body_is_not_part_of_it(facts_of):
    facts = facts_of(
        "共同声明\n2023年7月13日\n"
        "1 山田総理は、ウルズラ・フォン・デア・ライエン欧州委員会委員長と会談した。\n"
    )
    labels = {e.label for e in facts.entities if e.kind == "organization"}
    assert "欧州委員会" in labels
    assert not any(label.startswith("ウルズラ") for label in labels)


def test_gazetteer_bodies_carry_their_wikidata_item(facts_of):
    facts = facts_of("日本は国際連合及び世界銀行と協力する。")
    items = {e.label: e.wikidata for e in facts.entities if e.kind == "organization"}
    assert items.get("国際連合") == "Q1065"
    assert items.get("世界銀行") == "Q7164"
