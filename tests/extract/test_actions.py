"""Diplomatic event coding (extract/actions.py) with the real model, on sentences written for the test."""

from __future__ import annotations

import json

import pytest

from extract.actions import PLOVER_TYPES, DiplomaticEvent
from extract.patterns import build_matchers, load_rules
from extract.resources import data_dir

HEAD = "日本国とアルゼンチン共和国との共同声明\n\n2024年5月10日\n\n"


def events(facts_of, body: str) -> list[DiplomaticEvent]:
    return list(facts_of(HEAD + body).actions)


def codes(evs) -> list[str]:
    return [e.code for e in evs]


def one(evs, code: str) -> DiplomaticEvent:
    found = [e for e in evs if e.code == code]
    assert len(found) == 1, [(e.code, e.predicate) for e in evs]
    return found[0]


def test_pattern_file_is_valid_and_codes_are_plover():
    from spacy.vocab import Vocab

    rules = load_rules("plover")
    build_matchers(Vocab(), rules)  # spaCy accepts every pattern
    heads = {label.split(":")[0] for label, _ in (*rules.matcher, *rules.dependency)}
    grammar = {"EXPECT", "REJECT_IF_NEGATED", "MODE", "NEG", "INTENT", "PURPOSE", "REPORTING", "QUOTE",
               "COLLECTIVE", "COUNTERPART", "SELF", "EXCHANGE_OF_VIEWS", "MAIN_FRAME"}
    assert heads - grammar <= set(PLOVER_TYPES)
    data = json.loads((data_dir() / "patterns" / "plover.json").read_text(encoding="utf-8"))
    assert data["family"] == "plover"


def test_support_welcome_and_expressed_support(facts_of):
    evs = events(facts_of, "両首脳は、新しい港湾の完成を歓迎した。\n\n山田総理大臣は、アルゼンチン共和国の改革努力に対し支持を表明した。\n")
    welcome = evs[0]
    assert welcome.code == "SUPPORT" and welcome.predicate == "歓迎した"
    assert set(welcome.sources) == {"JPN", "ARG"}
    assert welcome.topic and "港湾" in welcome.topic
    backing = evs[1]
    assert backing.code == "SUPPORT" and backing.predicate.startswith("支持を表明")
    assert backing.sources == ("JPN",) and backing.targets == ("ARG",)
    assert backing.negated is False and backing.mention.text.startswith("山田総理大臣は")


def test_accuse_condemn_and_concern_with_the_criticized_as_target(facts_of):
    evs = events(facts_of, "両国は、北朝鮮による弾道ミサイルの発射を強く非難した。\n\n双方は、地域情勢について深刻な懸念を表明した。\n")
    assert codes(evs) == ["ACCUSE", "ACCUSE"]
    assert evs[0].targets == ("PRK",) and set(evs[0].sources) == {"JPN", "ARG"}
    assert evs[1].predicate == "懸念を表明した"


def test_request_and_its_modality(facts_of):
    ev = one(events(facts_of, "両首脳は、北朝鮮に対し、核計画の放棄を求めた。\n"), "REQUEST")
    assert ev.modality == "request" and ev.targets == ("PRK",) and ev.predicate == "求めた"


def test_agreement_is_one_event_and_its_content_is_not_coded(facts_of):
    # content heads are opaque: 協力していく inside 一致した is the topic, not a COOPERATE
    evs = events(facts_of, "両首脳は、エネルギー分野で協力していくことで一致した。\n")
    assert codes(evs) == ["AGREE"]
    assert evs[0].predicate == "一致した"


def test_cooperation_done_and_intended(facts_of):
    done = events(facts_of, "両国は、港湾分野で協力してきた。\n")
    assert codes(done) == ["COOPERATE"]
    intended = events(facts_of, "両国は、港湾分野で協力していきたい。\n")
    assert codes(intended) == ["AGREE"] and intended[0].modality == "intention"
    # a plain …していく states what the parties do: the code is kept, as the event gold codes it
    assert codes(events(facts_of, "両国は、港湾分野で協力していく。\n")) == ["COOPERATE"]


def test_aid_given(facts_of):
    ev = one(events(facts_of, "日本側は、アルゼンチン共和国に対し、食糧援助として無償資金協力を供与した。\n"), "AID")
    assert ev.sources == ("JPN",) and ev.targets == ("ARG",) and ev.mode == "humanitarian"


def test_consult_meeting_visit_and_phone(facts_of):
    evs = events(facts_of, "両外相は、貿易問題について協議した。\n\n佐藤外務大臣は、ブラジルを訪問した。\n\n両首脳は、電話会談を行った。\n")
    assert codes(evs) == ["CONSULT", "CONSULT", "CONSULT"]
    assert evs[1].mode == "visit" and evs[1].targets == ("BRA",) and evs[1].sources == ("JPN",)
    assert evs[2].mode == "phone" and evs[2].predicate == "電話会談を行った"


def test_signing_is_support(facts_of):
    ev = one(events(facts_of, "両大臣は、協力覚書に署名した。\n"), "SUPPORT")
    assert ev.predicate == "署名した"


def test_negation(facts_of):
    ev = one(events(facts_of, "日本は、この地域の開発計画を支持しない。\n"), "SUPPORT")
    assert ev.negated is True
    # a refusal is REJECT, not negated
    rej = one(events(facts_of, "日本は、力による一方的な現状変更の試みを認めない。\n"), "REJECT")
    assert rej.negated is False


def test_relative_and_purpose_clauses_are_no_events(facts_of):
    evs = events(facts_of, "両首脳は、昨年署名された協定に基づく作業部会の設置を歓迎した。\n")
    assert codes(evs) == ["SUPPORT"]  # 署名された modifies 協定: not an event
    assert events(facts_of, "地域の安定のための協力について、以下のとおり記す。\n") == []


def test_reporting_verbs_are_transparent(facts_of):
    ev = one(events(facts_of, "ミレイ大統領は、日本の支援を歓迎する旨述べた。\n"), "SUPPORT")
    assert ev.predicate.startswith("歓迎")


def test_source_resolution_side_person_and_dropped_subject(facts_of):
    evs = events(facts_of, "アルゼンチン側は、日本の技術協力に謝意を表明した。\n\n"
                           "また、両国間の交流の拡大を歓迎した。\n")
    assert evs[0].sources == ("ARG",) and evs[0].code == "SUPPORT"
    assert "JPN" in evs[0].targets
    assert evs[1].sources == ("ARG",)  # no subject: the last source carries on


def test_one_event_per_code_and_actors_per_sentence(facts_of):
    evs = events(facts_of, "両首脳は、改革の成果を高く評価し、その継続を歓迎した。\n")
    assert codes(evs) == ["SUPPORT"]
    assert evs[0].predicate.startswith("評価")


def test_date_is_the_sentence_date_else_the_document_date(facts_of):
    evs = events(facts_of, "両首脳は、2023年7月6日に東京で会談を行った。\n\n両首脳は、協力の強化を歓迎した。\n")
    assert str(evs[0].date) == "2023-07-06"
    assert str(evs[1].date) == "2024-05-10"


@pytest.mark.parametrize("sentence", ["両首脳は、沿岸警備分野における協力を強化した。"])
def test_events_have_provenance(facts_of, sentence):
    facts = facts_of(HEAD + sentence + "\n")
    ev = facts.actions[0]
    passage = facts.document.passages[ev.passage]
    assert facts.document.text[ev.mention.start : ev.mention.end] == ev.mention.text == sentence
    assert passage.start <= ev.trigger.start < ev.trigger.end <= passage.end
    assert ev.key.startswith(facts.document.doc_id + "/")
