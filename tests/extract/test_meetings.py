"""The meeting family: its grammar on hand-built parses, and the whole family on documents written
for these tests (other countries, people and years than any sample or devset document)."""

from __future__ import annotations

import json

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extract.facts import DateValue
from extract.patterns import PatternError, apply_rules, build_matchers, dependency_matches, load_rules


def _doc(words, heads, deps, pos, lemmas=None):
    return Doc(Vocab(), words=words, spaces=[False] * len(words), heads=heads, deps=deps, pos=pos,
               lemmas=lemmas or words)


def _annotate(doc):
    rules = load_rules("meetings")
    matcher, dep = build_matchers(doc.vocab, rules)
    return apply_rules(doc, "meetings", matcher, dep, rules)


def test_talks_held_with_a_partner_on_a_hand_built_parse():
    # 「山田外相はリー外相と会談を行った。」 as GiNZA parses it: the partner hangs on the verb
    doc = _annotate(_doc(
        ["山田", "外相", "は", "リー", "外相", "と", "会談", "を", "行っ", "た", "。"],
        [1, 8, 1, 4, 8, 4, 8, 6, 8, 8, 8],
        ["compound", "nsubj", "case", "compound", "obl", "case", "obj", "case", "ROOT", "aux", "punct"],
        ["PROPN", "NOUN", "ADP", "PROPN", "NOUN", "ADP", "NOUN", "ADP", "VERB", "AUX", "PUNCT"],
        ["山田", "外相", "は", "リー", "外相", "と", "会談", "を", "行う", "た", "。"],
    ))
    assert [s.text for s in dependency_matches(doc, "meetings", "HELD", "event")] == ["会談"]
    assert [s.text for s in dependency_matches(doc, "meetings", "PARTNER_VERB", "partner")] == ["外相"]
    assert dependency_matches(doc, "meetings", "PARTNER_VERB", "partner")[0].start == 4


def test_a_passive_holding_verb_and_a_courtesy_call():
    # 「夕食会が行われた。」 and 「表敬を受けた。」: the lemma, not the surface form, is what matches
    doc = _annotate(_doc(
        ["夕食会", "が", "行わ", "れ", "た", "。"], [2, 0, 2, 2, 2, 2],
        ["nsubj", "case", "ROOT", "aux", "aux", "punct"], ["NOUN", "ADP", "VERB", "AUX", "AUX", "PUNCT"],
        ["夕食会", "が", "行う", "れる", "た", "。"],
    ))
    assert [s.text for s in dependency_matches(doc, "meetings", "HELD_PASSIVE", "event")] == ["夕食会"]
    doc = _annotate(_doc(
        ["表敬", "を", "受け", "た"], [2, 0, 2, 2], ["obj", "case", "ROOT", "aux"], ["NOUN", "ADP", "VERB", "AUX"],
        ["表敬", "を", "受ける", "た"],
    ))
    assert [s.text for s in dependency_matches(doc, "meetings", "CALL_RECEIVED", "event")] == ["表敬"]


def test_an_object_that_is_no_event_is_not_held():
    doc = _annotate(_doc(
        ["調査", "を", "行っ", "た"], [2, 0, 2, 2], ["obj", "case", "ROOT", "aux"], ["NOUN", "ADP", "VERB", "AUX"],
        ["調査", "を", "行う", "た"],
    ))
    assert dependency_matches(doc, "meetings", "HELD", "event") == []


def test_a_bad_pattern_file_names_the_file_and_the_rule(tmp_path):
    bad = {"matcher": [], "dependency": [{"label": "X", "pattern": [{"RIGHT_ID": "v", "RIGHT_ATTRS": {"LEMMMA": "行う"}}]}]}
    (tmp_path / "meetings.json").write_text(json.dumps(bad), encoding="utf-8")
    rules = load_rules("meetings", tmp_path)
    with pytest.raises(PatternError, match=r"meetings\.json.*X"):
        build_matchers(Vocab(), rules)
    (tmp_path / "visits.json").write_text('{"matcher": [{"label": "A.B", "pattern": [{}]}]}', encoding="utf-8")
    with pytest.raises(PatternError, match="label"):
        load_rules("visits", tmp_path)


# -- the whole family, with the real model -------------------------------------------------------

model = pytest.mark.model


@model
def test_a_summary_without_a_title_line_reports_its_meeting(facts_of):
    facts = facts_of(
        "令和4年11月2日\n"
        "握手する両首脳 (写真提供:内閣広報室)\n"
        " 本2日、田中一郎内閣総理大臣は、実務訪問賓客として訪日中のガブリエル・ボリッチ・チリ共和国大統領と"
        "首脳会談を行いました。概要は以下のとおりです。\n"
        "1 両首脳は、経済関係の強化で一致しました。\n"
    )
    assert facts.document.doc_type == "meeting_summary"
    (meeting,) = facts.meetings
    assert meeting.label == "日・チリ首脳会談"
    assert meeting.date == DateValue(2022, 11, 2)
    assert {"JPN", "CHL"} <= set(meeting.participants)


@model
def test_multilateral_meetings_by_name_with_and_without_a_date(facts_of):
    facts = facts_of(
        "日・ケニア首脳会談\n平成28年8月27日\n"
        " 本27日、TICAD VI出席のためナイロビを訪問中の山田総理大臣は、ケニアのケニヤッタ大統領と会談を行いました。\n"
        "1 両首脳は、9月に中国・杭州で開催されるG20サミットに向けて連携することを確認しました。\n"
        "2 両首脳は、国連総会の機会に再び会談することで一致しました。\n"
    )
    by_label = {m.label: m for m in facts.meetings}
    assert "日・ケニア首脳会談" in by_label and by_label["日・ケニア首脳会談"].date == DateValue(2016, 8, 27)
    assert by_label["G20サミット"].date == DateValue(2016, 9)
    assert "国連総会" in by_label and by_label["国連総会"].date is None


@model
def test_a_meeting_agreed_to_be_held_is_not_one_held(facts_of):
    facts = facts_of(
        "共同声明\n2021年3月1日\n"
        "1 両首脳は、エネルギーに関する二国間閣僚会合を開催することで一致した。\n"
        "2 両首脳は、2020年10月に開催された第3回経済合同委員会の成果を歓迎した。\n"
    )
    labels = {m.label: m.date for m in facts.meetings}
    assert "エネルギーに関する二国間閣僚会合" not in labels
    assert labels == {"第3回経済合同委員会": DateValue(2020, 10)}


@model
def test_coordinated_events_and_a_working_dinner(facts_of):
    facts = facts_of(
        "ナイドゥ・フィジー外務大臣の訪日\n令和5年6月14日\n"
        " ナイドゥ・フィジー外務大臣は、6月13日及び14日に日本を訪問し、佐藤外務大臣と日・フィジー外相会談及び"
        "ワーキングディナーを行ったところ、概要は以下のとおりです。\n"
    )
    labels = {m.label for m in facts.meetings}
    assert {"日・フィジー外相会談", "ワーキングディナー"} <= labels


@model
def test_schedule_lines_date_their_events(facts_of):
    facts = facts_of(
        "ソト・ウルグアイ大統領の訪日\n(概要)\n令和6年10月20日\n"
        "1.日程\n"
        "15日 午前 鈴木経済産業大臣による表敬\n"
        "16日 午後 佐藤外務大臣主催夕食会\n"
    )
    dates = {m.label: m.date for m in facts.meetings}
    assert dates["鈴木経済産業大臣による表敬"] == DateValue(2024, 10, 15)
    assert dates["佐藤外務大臣主催夕食会"] == DateValue(2024, 10, 16)


@model
def test_a_date_is_not_borrowed_across_another_named_meeting(facts_of):
    facts = facts_of(
        "宣言\n2011年5月2日\n"
        "1 首脳は、2010年3月1日に開催された第12回ASEAN首脳会議が決定し、第9回ASEAN+3首脳会議が支持したことを想起した。\n"
    )
    dates = {m.label: m.date for m in facts.meetings}
    assert dates.get("第12回ASEAN首脳会議") == DateValue(2010, 3, 1)
    assert dates.get("第9回ASEAN+3首脳会議", "absent") is None


@model
def test_two_names_of_one_summit_are_one_meeting(facts_of):
    facts = facts_of(
        "日英首脳会談\n平成15年6月1日\n"
        " 本1日、G8エビアン・サミット出席のためフランスを訪問中の山田総理大臣は、英国のブラウン首相と会談を行いました。\n"
        "1 両首脳は、本日から開催されるG8サミットの成功に向けて協力することで一致しました。\n"
    )
    summits = [m for m in facts.meetings if "サミット" in m.label]
    assert [m.label for m in summits] == ["G8エビアン・サミット"]
    assert summits[0].date == DateValue(2003, 6, 1)


@model
def test_a_council_that_meets_is_a_meeting_on_that_day(facts_of):
    facts = facts_of(
        "日・チリ首脳会談\n令和6年11月18日\n"
        "1 山田総理より、本日(18日)、日本チリ経済協議会が5年ぶりに開催されたことを歓迎すると述べました。\n"
    )
    dates = {m.label: m.date for m in facts.meetings}
    assert dates.get("日本チリ経済協議会") == DateValue(2024, 11, 18)


@model
def test_an_event_attended_is_a_meeting_even_without_a_meeting_word(facts_of):
    facts = facts_of(
        "共同声明\n2023年6月9日\n"
        "1 山田総理は、6月2日にシンガポールでシャングリラ・ダイアローグに出席した。\n"
        "2 山田総理は、フランスのA大統領に出席を求めた。\n"
    )
    dates = {m.label: m.date for m in facts.meetings}
    assert dates.get("シャングリラ・ダイアローグ") == DateValue(2023, 6, 2)
    assert not any("フランス" in label or "大統領" in label for label in dates)
