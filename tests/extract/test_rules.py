"""The rule families on small hand-written documents about countries and years the corpus never
mentions — the rules must generalize, not remember the corpus. Runs the real ja_ginza model."""

from __future__ import annotations

import pytest

from extract.facts import DateValue

pytestmark = pytest.mark.model




INDIA = """日本国とインド共和国との間の特別戦略的グローバル・パートナーシップに関する共同声明
(仮訳)
ナレンドラ・モディ・インド共和国首相は、安倍晋三内閣総理大臣の招待により、2018年10月28日から29日にかけて日本を公式訪問した。
1 両首脳は、日本国外務省とインド共和国外務省との間の協力覚書の署名を歓迎した。
2 両首脳は、2017年9月14日に署名された「日本国政府とインド共和国政府との間の高速鉄道計画に関する協力覚書」に基づく協力を確認した。
3 両首脳は、国際協力機構(JICA)による技術協力プロジェクト「母子保健改善計画」の成果を歓迎した。
4 モディ首相は、2019年に第2回日印外務・防衛閣僚会合が東京で開催されることを歓迎した。
2018年10月29日、東京にて署名された。
"""


def test_persons_with_country_and_title(facts_of):
    facts = facts_of(INDIA)
    persons = {e.label: e for e in facts.entities if e.kind == "person"}
    assert persons["ナレンドラ・モディ"].country == "IND"
    assert persons["ナレンドラ・モディ"].role == "首相"
    assert persons["安倍晋三"].country == "JPN"
    # モディ首相 is the same person, not a new one
    assert "モディ" not in persons
    assert "モディ" in persons["ナレンドラ・モディ"].aliases


def test_countries_from_gazetteer(facts_of):
    facts = facts_of(INDIA)
    assert {e.key for e in facts.entities if e.kind == "country"} == {"JPN", "IND"}


def test_visit_with_date_range(facts_of):
    facts = facts_of(INDIA)
    (visit,) = facts.visits
    assert visit.destination == "JPN"
    assert visit.visitor_country == "IND"
    assert visit.start == DateValue(2018, 10, 28)
    assert visit.end == DateValue(2018, 10, 29)


def test_agreements_with_parties_and_date(facts_of):
    facts = facts_of(INDIA)
    by_type = {}
    for a in facts.agreements:
        by_type.setdefault(a.agreement_type, []).append(a)
    mous = {a.label: a for a in by_type["mou"]}
    ministries = next(a for label, a in mous.items() if label.startswith("日本国外務省とインド共和国外務省"))
    assert {"JPN", "IND"} <= set(ministries.parties)
    rail = next(a for label, a in mous.items() if "高速鉄道" in label)
    assert rail.date == DateValue(2017, 9, 14)
    assert not rail.label.startswith("2017")  # the signing clause is not part of the name
    # the document itself is a joint statement, dated by its signature line
    (own,) = by_type["joint_statement"]
    assert own.date == DateValue(2018, 10, 29)


def test_program_with_implementer(facts_of):
    facts = facts_of(INDIA)
    programs = {p.label: p for p in facts.programs}
    assert "母子保健改善計画" in programs
    orgs = {e.key: e for e in facts.entities if e.kind == "organization"}
    jica = next(e for e in orgs.values() if "JICA" in e.aliases)
    assert jica.key in programs["母子保健改善計画"].implemented_by


def test_meeting_with_ordinal(facts_of):
    facts = facts_of(INDIA)
    (meeting,) = [m for m in facts.meetings if m.ordinal == 2]
    assert meeting.date == DateValue(2019)
    assert "閣僚会合" in meeting.label


def test_invitation_is_not_a_visit(facts_of):
    text = """日本国とベトナム社会主義共和国との共同声明
1 グエン・スアン・フック・ベトナム社会主義共和国首相は、菅義偉内閣総理大臣に対し、都合の良い時期にベトナムを訪問するよう招待した。
"""
    facts = facts_of(text)
    assert facts.visits == ()


def test_two_people_sharing_a_surname_stay_two(facts_of):
    text = "要人往来\n2019年\tアリ・ラフマノフ大統領訪日\n2020年\tボリス・ラフマノフ外務大臣訪日\n2021年\tラフマノフ大統領訪日\n"
    facts = facts_of(text)
    persons = [e for e in facts.entities if e.kind == "person"]
    assert len(persons) == 2
    ali = next(p for p in persons if p.label == "アリ・ラフマノフ")
    assert sum(1 for v in facts.visits if v.visitor == ali.key) == 2


SUMMARY = """日・ベトナム外相会談の概要
令和5年9月20日(現地時間)、ニューヨークを訪問中の上川陽子外務大臣は、ブイ・タイン・ソン・ベトナム社会主義共和国外務大臣と約30分間会談を行ったところ、概要は以下のとおりです。
1 両外相は、同年11月に予定されているヴォー・ヴァン・トゥオン国家主席の訪日に向けて緊密に連携することで一致しました。
2 上川大臣から、日本国政府とベトナム社会主義共和国政府との間の円借款に関する交換公文の署名(令和5年3月)を歓迎すると述べました。
"""


def test_meeting_summary_with_era_dates(facts_of):
    facts = facts_of(SUMMARY)
    assert facts.document.doc_type == "meeting_summary"
    assert facts.document.date == DateValue(2023, 9, 20)
    (meeting,) = facts.meetings
    assert meeting.label == "日・ベトナム外相会談"
    assert meeting.date == DateValue(2023, 9, 20)
    assert set(meeting.participants) >= {"JPN", "VNM"}
    (notes,) = facts.agreements
    assert notes.agreement_type == "exchange_of_notes"
    assert notes.date == DateValue(2023, 3)  # 令和5年3月
    assert {"JPN", "VNM"} <= set(notes.parties)


def test_visit_in_progress_and_planned_visit(facts_of):
    facts = facts_of(SUMMARY)
    # 訪問中の上川陽子外務大臣: a visit to the United States (New York), on the day of the talks;
    # the state president's visit is only planned (予定されている…訪日に向けて): not a visit
    (visit,) = facts.visits
    assert visit.destination == "USA"
    assert visit.start is None  # 令和5年9月20日 dates the talks, not the start of the visit
    persons = {e.key: e for e in facts.entities if e.kind == "person"}
    assert persons[visit.visitor].label == "上川陽子"


PRESS = """日本国とウズベキスタン共和国との間の投資協定の署名について(外務報道官談話)
平成20年8月15日
1 我が国は、本15日、タシケントにおいて、日本国とウズベキスタン共和国との間の投資の自由化、促進及び保護に関する協定の署名が行われたことを歓迎します。
2 この協定は、平成18年3月にカリモフ・ウズベキスタン共和国大統領が訪日した際の首脳会談において交渉の開始が合意されたものです。
"""


def test_press_statement_of_another_decade(facts_of):
    facts = facts_of(PRESS)
    assert facts.document.doc_type == "press_statement"
    assert facts.document.date == DateValue(2008, 8, 15)  # 平成20年
    (treaty,) = facts.agreements
    assert treaty.agreement_type == "treaty"
    assert set(treaty.parties) == {"JPN", "UZB"}
    assert treaty.date == DateValue(2008, 8, 15)  # 本15日
    places = {e.key: e for e in facts.entities if e.kind == "place"}
    assert places[treaty.place].label == "タシケント" and places[treaty.place].country == "UZB"
    (visit,) = facts.visits
    assert (visit.destination, visit.start) == ("JPN", DateValue(2006, 3))
