"""The lifecycle family: signed, approved, ratified, exchanged, entered into force, amended,
terminated and adopted events of an instrument, each on the key extract.agreements gives it.

The documents are written for these tests (instruments, dates and places the corpus does not
use); fast tests need no model, the others run ja_ginza through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.vocab import Vocab

from extract import lifecycle as LC
from extract.facts import DateValue, Mention
from extract.patterns import build_matchers, load_rules

# -- fast ----------------------------------------------------------------------------------------


def test_pattern_file_is_valid_spacy_and_names_only_known_kinds():
    rules = load_rules("lifecycle")
    assert rules.path is not None and rules.path.name == "lifecycle.json"
    matcher, dep = build_matchers(Vocab(), rules)  # spaCy validates every pattern
    assert len(matcher) and len(dep)
    labels = {label for label, _ in (*rules.matcher, *rules.dependency)}
    assert labels <= {k.upper() for k in LC.EVENT_KINDS} | {"NOT_EVENT"}
    assert {k.upper() for k in LC.EVENT_KINDS} <= labels
    for label, pattern in rules.dependency:
        assert "event" in {node["RIGHT_ID"] for node in pattern}, label


def test_event_key_is_stable_and_readable():
    assert LC.event_key("投資協定", "signed", DateValue(2019, 3, 5)) == "投資協定/signed/2019-03-05"
    assert LC.event_key("投資協定", "entered_into_force", None) == "投資協定/entered_into_force/undated"


def _event(kind, date, start, agreement="a", scheduled=False):
    return LC.AgreementEvent(agreement, kind, date, None, 0, Mention(0, start, start + 2, "xx"), "署名", scheduled)


def test_dedupe_keeps_one_event_per_kind_and_date():
    d = DateValue(2020, 1, 1)
    events = [_event("signed", None, 0), _event("signed", d, 5), _event("signed", d, 9),
              _event("entered_into_force", None, 12), _event("amended", DateValue(2021), 20),
              _event("amended", DateValue(2023), 30)]
    out = LC._dedupe(events)
    assert [(e.kind, e.date) for e in out] == [
        ("signed", d), ("entered_into_force", None), ("amended", DateValue(2021)), ("amended", DateValue(2023))]
    assert out[0].mention.start == 5  # the first report of it


# -- with the model ------------------------------------------------------------------------------


@pytest.fixture
def lifecycle_of(nlp, tmp_path):
    """``lifecycle_of(text)`` → (DocumentFacts, Lifecycle) of ``text`` saved as a document."""
    from extract.pipeline import parse_passages
    from extract.rules import extract_facts
    from extract.structure import parse_document

    def run(text: str, name: str = "doc.txt"):
        path = Path(tmp_path) / name
        path.write_text(text, encoding="utf-8")
        document = parse_document(path)
        parses = parse_passages(nlp, [p.text for p in document.passages])
        facts = extract_facts(document, parses)
        return facts, LC.events_of(document, parses, facts.agreements)

    return run


def _key(agreements, needle: str) -> str:
    found = [a.key for a in agreements if needle in a.label]
    assert len(found) == 1, (needle, [a.label for a in agreements])
    return found[0]


def _kinds(lc, key=None):
    return [(e.kind, e.date.iso() if e.date else None) for e in lc.events if key is None or e.agreement == key]


def test_signature_then_entry_into_force_are_two_events_of_one_agreement(lifecycle_of):
    facts, lc = lifecycle_of(
        "日・カザフスタン投資協定の署名\n2019年3月5日\n"
        "1 両国政府は、2019年3月5日、東京において投資協定に署名した。同協定は同年12月20日に発効した。\n")
    key = _key(facts.agreements, "投資協定")
    signed, in_force = lc.events
    assert (signed.agreement, signed.kind, signed.date, signed.place) == (key, "signed", DateValue(2019, 3, 5), "東京")
    assert signed.predicate == "署名した" and "投資協定に署名した" in signed.mention.text
    assert (in_force.agreement, in_force.kind, in_force.date, in_force.place) == (
        key, "entered_into_force", DateValue(2019, 12, 20), None)
    assert in_force.predicate == "発効した" and in_force.mention.text == "同協定は同年12月20日に発効した"
    assert not in_force.scheduled
    passage = facts.document.passages[in_force.passage]
    m = in_force.mention
    assert facts.document.text[m.start : m.end] == m.text and passage.start <= m.start < passage.end


def test_approval_and_ratification_name_an_instrument_agreements_missed(lifecycle_of):
    facts, lc = lifecycle_of("日本国とウズベキスタン共和国の租税協力\n2021年7月1日\n租税条約は国会の承認を経て、2021年6月に批准された。\n")
    key = _key(lc.agreements, "租税条約")
    assert any(a.key == key for a in facts.agreements)  # named only by its events, and kept
    new = next(a for a in lc.agreements if a.key == key)
    assert new.agreement_type == "treaty" and new.referenced_only
    assert _kinds(lc, key) == [("approved", None), ("ratified", "2021-06")]
    assert next(e for e in lc.events if e.kind == "approved").predicate == "国会の承認を経て"


def test_find_events_keeps_to_the_agreements_given(nlp, tmp_path):
    from extract.context import DocContext
    from extract.gazetteer import load_gazetteer
    from extract.pipeline import parse_passages
    from extract.rules import extract_facts
    from extract.structure import parse_document

    path = Path(tmp_path) / "two.txt"
    path.write_text("日・ウズベキスタン関係\n2021年7月1日\n両国は、2021年3月2日、日本国とウズベキスタン共和国との間の航空協定に署名した。"
                    "また、租税条約は同年6月に批准された。\n", encoding="utf-8")
    document = parse_document(path)
    parses = parse_passages(nlp, [p.text for p in document.passages])
    facts = extract_facts(document, parses)
    ctx = DocContext.build(document, parses, load_gazetteer())
    events = LC.find_events(ctx, facts.agreements)
    assert {e.agreement for e in events} <= {a.key for a in facts.agreements}
    assert ("signed", DateValue(2021, 3, 2)) in [(e.kind, e.date) for e in events]
    everything = LC.find_lifecycle(ctx, facts.agreements)
    assert ("ratified", DateValue(2021, 6)) in [(e.kind, e.date) for e in everything.events]


def test_aims_and_negations_are_no_events(lifecycle_of):
    facts, lc = lifecycle_of(
        "日・チリ外相会談\n2022年4月8日\n"
        "(1) 両外相は、日本国とチリ共和国との間の社会保障協定の早期発効を目指すことで一致した。\n"
        "(2) また、日本国とチリ共和国との間の投資協定の署名に向けた交渉を加速することで一致した。\n"
        "(3) また、日本国とインドとの間の原子力協定は、まだ発効していない。\n"
        "(4) 両外相は、日本国とチリ共和国との間の航空協定に署名することを期待した。\n")
    assert facts.agreements  # the instruments are there …
    assert lc.events == ()  # … but nothing happened to them


def test_words_around_an_event_word_decide_whether_it_happened(lifecycle_of):
    facts, lc = lifecycle_of(
        "日・ブラジル関係\n2019年3月1日\n"
        "(1) 2019年2月25日、両国は、日本国とブラジル連邦共和国との間の社会保障協定の効力発生のための外交上の公文を交換した。\n"
        "(2) また、日本国とペルー共和国との間の投資協定の締結について、国会の承認を得た。\n"
        "(3) 両首脳は、日本国とチリ共和国との間の航空協定の署名・発効に向けて緊密に連携することで一致した。\n"
        "(4) 両首脳は、日本国とモンゴル国との間の経済連携協定の発効を受け、貿易が拡大したことを歓迎した。\n")
    social = _key(facts.agreements, "社会保障協定")
    peru = _key(facts.agreements, "ペルー共和国との間の投資協定")
    chile = _key(facts.agreements, "航空協定")
    mongolia = _key(facts.agreements, "経済連携協定")
    assert _kinds(lc, social) == [("exchanged", "2019-02-25")]  # the notes for its entry into force
    assert _kinds(lc, peru) == [("approved", None)]  # approval of the conclusion, not a signing
    assert _kinds(lc, chile) == []  # 署名・発効に向けて: both aimed at
    assert _kinds(lc, mongolia) == [("entered_into_force", None)]  # 発効を受け: it did, undated


def test_exchange_of_notes(lifecycle_of):
    facts, lc = lifecycle_of(
        "青年海外協力隊の派遣に関する公文の交換\n2024年5月10日\n"
        "2024年5月10日、東京において、「青年海外協力隊の派遣に関する取決め」に係る公文の交換が行われた。\n")
    key = _key(facts.agreements, "青年海外協力隊の派遣に関する取決め")
    (event,) = lc.events
    assert (event.agreement, event.kind, event.date, event.place) == (key, "exchanged", DateValue(2024, 5, 10), "東京")
    assert event.predicate == "交換が行われた"


def test_letters_signed_and_exchanged(lifecycle_of):
    facts, lc = lifecycle_of(
        "タンザニアに対する円借款に関する書簡の署名・交換\n令和6年9月12日\n"
        "9月12日、ダルエスサラームにおいて、我が方大使と先方財務次官との間で、総額120億円を限度とする円借款に関する書簡の署名・交換が行われました。\n")
    key = _key(facts.agreements, "円借款に関する書簡")
    assert sorted(_kinds(lc, key)) == [("exchanged", "2024-09-12"), ("signed", "2024-09-12")]
    assert {e.place for e in lc.events} == {"ダルエスサラーム"}


def test_amendment_and_termination(lifecycle_of):
    facts, lc = lifecycle_of(
        "日本国とタイ王国及びペルー共和国との関係\n2023年2月1日\n"
        "(1) 両国政府は、2022年2月1日、日本国とタイ王国との間の投資協定を改正した。\n"
        "(2) また、日本国とペルー共和国との間の査証免除取決めは、2020年3月31日をもって終了し、同日失効した。\n")
    thai = _key(facts.agreements, "タイ王国との間の投資協定")
    peru = _key(facts.agreements, "査証免除取決め")
    assert _kinds(lc, thai) == [("amended", "2022-02-01")]
    assert _kinds(lc, peru) == [("terminated", "2020-03-31")]  # 終了し、同日失効した: one event


def test_two_agreements_in_one_sentence_each_get_their_own_event(lifecycle_of):
    facts, lc = lifecycle_of(
        "日・ベトナム首脳会談\n2020年7月1日\n"
        "両首脳は、2020年1月10日にハノイで日本国とベトナム社会主義共和国との間の航空協定に署名し、"
        "日本国とベトナム社会主義共和国との間の租税条約は同年6月1日に発効した。\n")
    air = _key(facts.agreements, "航空協定")
    tax = _key(facts.agreements, "租税条約")
    by = {(e.agreement, e.kind): e for e in lc.events}
    assert set(by) == {(air, "signed"), (tax, "entered_into_force")}
    assert (by[air, "signed"].date, by[air, "signed"].place) == (DateValue(2020, 1, 10), "ハノイ")
    assert (by[tax, "entered_into_force"].date, by[tax, "entered_into_force"].place) == (DateValue(2020, 6, 1), None)


def test_topic_chain_and_anaphor_across_passages(lifecycle_of):
    facts, lc = lifecycle_of(
        "日・チリ社会保障協定の発効\n2021年6月9日\n"
        "1 両国は、2021年5月10日に東京で日本国とチリ共和国との間の社会保障協定の批准書を交換した。\n"
        "2 同協定は、国会の承認を得て同年5月に批准され、同年6月9日に効力を生じた。\n"
        "3 また、日本国とチリ共和国との間の投資協定は、2026年1月1日に発効する予定である。\n")
    social = _key(facts.agreements, "社会保障協定")
    invest = _key(facts.agreements, "投資協定")
    assert _kinds(lc, social) == [("exchanged", "2021-05-10"), ("approved", None), ("ratified", "2021-05"),
                                  ("entered_into_force", "2021-06-09")]
    assert next(e for e in lc.events if e.kind == "exchanged").place == "東京"
    assert next(e for e in lc.events if e.kind == "entered_into_force" and e.agreement == social).predicate == "効力を生じた"
    (scheduled,) = [e for e in lc.events if e.agreement == invest]
    assert (scheduled.kind, scheduled.date, scheduled.scheduled) == ("entered_into_force", DateValue(2026, 1, 1), True)


def test_kore_stands_for_the_instrument_just_named(lifecycle_of):
    facts, lc = lifecycle_of(
        "日・ペルー首脳会談\n2018年10月3日\n"
        "(1) 両首脳は、リマにおいて「日本国とペルー共和国との間の漁業協力に関する協定」に署名した。\n"
        "(2) ペルー側は、これを2019年2月に批准した。\n")
    key = _key(facts.agreements, "漁業協力に関する協定")
    assert [(e.agreement, e.kind, e.place) for e in lc.events] == [(key, "signed", "リマ"), (key, "ratified", None)]
    assert lc.events[1].date == DateValue(2019, 2)


def test_a_note_and_a_signature_block(lifecycle_of):
    facts, lc = lifecycle_of(
        "日本国とモンゴル国との間の共同声明\n2024年8月2日\n"
        "1 両首脳は、日本国とモンゴル国との間の経済連携協定(2015年署名、2016年発効)の着実な実施を確認した。\n"
        "2 両首脳は、両国間の防衛交流に関する覚書の署名を歓迎した。\n"
        "2024年8月2日、ウランバートルにおいて日本語及びモンゴル語で2部署名された。\n")
    epa = _key(facts.agreements, "経済連携協定")
    mou = _key(facts.agreements, "防衛交流に関する覚書")
    own = _key(facts.agreements, "共同声明")
    assert _kinds(lc, epa) == [("signed", "2015"), ("entered_into_force", "2016")]
    assert _kinds(lc, mou) == [("signed", None)]  # welcomed, undated: no date is guessed
    (signed,) = [e for e in lc.events if e.agreement == own]
    assert (signed.kind, signed.date, signed.place) == ("signed", DateValue(2024, 8, 2), "ウランバートル")


def test_one_agreement_across_documents(lifecycle_of):
    name = "日本国とカザフスタン共和国との間の投資協定"
    f1, lc1 = lifecycle_of(f"日・カザフスタン外相会談\n2014年10月23日\n両外相は、2014年10月23日、アスタナにおいて{name}に署名した。\n", "a.txt")
    f2, lc2 = lifecycle_of(f"日・カザフスタン投資協定の発効\n2015年10月25日\n{name}は、2015年10月25日に発効した。\n", "b.txt")
    k1, k2 = _key(f1.agreements, "投資協定"), _key(f2.agreements, "投資協定")
    assert k1 == k2
    events = [*lc1.events, *lc2.events]
    assert [(e.agreement, e.kind, e.date) for e in events] == [
        (k1, "signed", DateValue(2014, 10, 23)), (k1, "entered_into_force", DateValue(2015, 10, 25))]
    assert len({e.key for e in events}) == 2


def test_lost_entry_into_force_is_found(lifecycle_of):
    _facts, lc = lifecycle_of("日・ウズベキスタン関係\n2020年1月5日\nまた、日・ウズベキスタン投資協定が2019年9月8日に発効した。\n")
    key = _key(lc.agreements, "投資協定")
    assert _kinds(lc, key) == [("entered_into_force", "2019-09-08")]


def test_adoption_of_a_declaration(lifecycle_of):
    facts, lc = lifecycle_of(
        "第3回太平洋島嶼国会議(概要)\n2003年5月17日\n"
        "(1) 会議は、2003年5月17日、沖縄において「太平洋の未来に関する沖縄宣言」を採択した。\n")
    key = _key(facts.agreements, "沖縄宣言")
    (event,) = [e for e in lc.events if e.agreement == key]
    assert (event.kind, event.date, event.place) == ("adopted", DateValue(2003, 5, 17), "沖縄")


def test_sample_corpus_events_are_on_its_agreements(corpus_facts, nlp):
    """On the sample corpus every event belongs to an agreement of its document, and the
    signature block of the joint statement with Kazakhstan signs the statement itself."""
    from extract.pipeline import ParseCache, default_cache_dir, parse_passages

    cache = ParseCache(default_cache_dir())
    found = []
    for facts in corpus_facts:
        parses = parse_passages(nlp, [p.text for p in facts.document.passages], cache)
        lc = LC.events_of(facts.document, parses, facts.agreements)
        keys = {a.key for a in lc.agreements}
        assert {e.agreement for e in lc.events} <= keys
        found += [(facts.document.source, e) for e in lc.events]
    assert len(found) >= 20
    kaz = [e for src, e in found if src.startswith("2025-12-18") and e.place == "東京"]
    assert [(e.kind, e.date) for e in kaz] == [("signed", DateValue(2025, 12, 18))]
