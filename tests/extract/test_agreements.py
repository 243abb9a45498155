"""The agreements family: instruments named in 「」, exchanges of notes and letters, the date and
the parties of a signing. Sentences are written for these tests (countries, people and years the
development documents do not use); fast tests need no model, the others run ja_ginza."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extract import agreements as A
from extract.context import quote_spans
from extract.facts import DateValue
from extract.lexicon import instrument_heads
from extract.patterns import apply_rules, build_matchers, load_rules

# -- fast: pure functions ---------------------------------------------------------------------


@pytest.mark.parametrize("label", ["二つの文書", "3件の覚書", "交換公文", "両国の首脳間及び外相間の書簡", "令和5年3月1日"])
def test_generic_phrases_name_nothing(label):
    assert A._generic(label, instrument_heads())


@pytest.mark.parametrize("label", ["青少年交流に関する覚書", "日本国とチリ共和国との間の投資協定", "首脳間の書簡の交換に関する取決め"])
def test_named_phrases_are_not_generic(label):
    assert not A._generic(label, instrument_heads())


def test_quoted_name_drops_link_annotations():
    name = A._quoted_name("日本国とチリ共和国との間の海洋協力に関する共同声明骨子(PDF)別ウィンドウで開く", instrument_heads())
    assert name == ("日本国とチリ共和国との間の海洋協力に関する共同声明", "共同声明", "joint_statement")
    english = A._quoted_name("漁業協力に関する覚書(Memorandum of Cooperation on Fisheries)", instrument_heads())
    assert english is not None and english[0] == "漁業協力に関する覚書"
    assert A._quoted_name("人への投資", instrument_heads()) is None


def test_letters_on_a_matter_are_an_exchange_of_notes():
    assert A._type_of("総額50億円を限度とする円借款1件に関する書簡", "other", "書簡") == "exchange_of_notes"
    assert A._type_of("首相と大統領の書簡", "other", "書簡") == "other"


def test_clean_name_and_quotes():
    assert A._clean_name("ジョン外相(H.E. Mr. John Smith)の書簡") == "ジョン外相の書簡"
    assert A._clean_name("3億円の無償資金協力(食料安全保障)に関する交換公文") == "3億円の無償資金協力(食料安全保障)に関する交換公文"
    text = "「甲(以下「乙」という。)に関する覚書」と「丙」"
    assert [text[a:b] for a, b in quote_spans(text)] == ["「甲(以下「乙」という。)に関する覚書」", "「丙」"]


def _doc(words, heads, deps, pos, lemmas):
    vocab = Vocab()
    return Doc(vocab, words=words, spaces=[False] * len(words), heads=heads, deps=deps, pos=pos, lemmas=lemmas)


def test_signed_rule_and_walk_on_a_hand_built_parse():
    # 総額20億円を限度とする円借款に関する書簡を交換した
    words = ["総額", "20億", "円", "を", "限度", "と", "する", "円借款", "に", "関する", "書簡", "を", "交換", "し", "た"]
    heads = [2, 2, 6, 2, 6, 4, 7, 10, 7, 8, 12, 10, 12, 12, 12]
    deps = ["compound", "compound", "obj", "case", "obl", "case", "acl", "nmod", "case", "fixed", "obj", "case",
            "ROOT", "aux", "aux"]
    pos = ["NOUN", "NUM", "NOUN", "ADP", "NOUN", "ADP", "VERB", "NOUN", "ADP", "VERB", "NOUN", "ADP", "VERB", "AUX", "AUX"]
    lemmas = ["総額", "20億", "円", "を", "限度", "と", "する", "円借款", "に", "関する", "書簡", "を", "交換", "する", "た"]
    doc = _doc(words, heads, deps, pos, lemmas)
    rules = load_rules("agreements")
    matcher, dep = build_matchers(doc.vocab, rules)
    apply_rules(doc, "agreements", matcher, dep, rules)
    letter = doc[10]
    assert A._sign_of(doc, letter).text == "交換"
    start = A._walk_start(doc, letter, doc.text)
    assert doc.text[start : letter.idx + len(letter.text)] == "総額20億円を限度とする円借款に関する書簡"


# -- the real model -------------------------------------------------------------------------


def _by_label(facts):
    return {a.label: a for a in facts.agreements}


GRANT = """チリ共和国に対する無償資金協力に関する交換公文の署名
令和3年8月4日
8月4日(現地時間同日)、チリ共和国の首都サンティアゴにおいて、我が方山本一郎駐チリ国大使と先方マリア・ロペス外務次官との間で、5億円の無償資金協力(経済社会開発計画)に関する交換公文の署名が行われました。
"""


@pytest.mark.model
def test_exchange_of_notes_with_amount_in_the_name(facts_of):
    found = _by_label(facts_of(GRANT))
    ag = found["5億円の無償資金協力(経済社会開発計画)に関する交換公文"]
    assert ag.agreement_type == "exchange_of_notes"
    assert ag.date == DateValue(2021, 8, 4)
    assert set(ag.parties) >= {"JPN", "CHL"}


LOAN = """ケニア共和国に対する円借款に関する書簡の署名・交換
令和2年11月9日
11月9日、ナイロビにおいて、我が方鈴木花子駐ケニア大使と先方ジョン・ムワンギ財務次官との間で、総額120.5億円を限度とする円借款3件に関する書簡の署名・交換が行われました。
"""


@pytest.mark.model
def test_letters_for_a_loan(facts_of):
    found = _by_label(facts_of(LOAN))
    ag = found["総額120.5億円を限度とする円借款3件に関する書簡"]
    assert ag.agreement_type == "exchange_of_notes"
    assert ag.date == DateValue(2020, 11, 9)
    assert set(ag.parties) == {"JPN", "KEN"}


SUMMIT = """日・ウルグアイ首脳会談
平成29年5月10日
本10日、安倍総理は、来日中のタバレ・バスケス・ウルグアイ東方共和国大統領と首脳会談を行いました。
1 両首脳は「日本国とウルグアイ東方共和国との間の投資協力に関する共同声明(PDF)別ウィンドウで開く」を発出し、協力を確認しました。
2 両首脳は、両国間では初めてとなる共同宣言を発表した。
"""


@pytest.mark.model
def test_quoted_statement_issued_by_the_leaders(facts_of):
    facts = facts_of(SUMMIT)
    found = _by_label(facts)
    ag = found["日本国とウルグアイ東方共和国との間の投資協力に関する共同声明"]
    assert ag.agreement_type == "joint_statement"
    assert set(ag.parties) == {"JPN", "URY"}
    # a relative clause on the head is not a name
    assert not any("初めてとなる" in a.label for a in facts.agreements)


LETTERS = """日・モンゴル外交関係樹立50周年に際する書簡の交換
令和4年2月24日
1 外交関係樹立50周年を記念し、24日、佐藤一郎内閣総理大臣とバトバヤル・モンゴル国首相の書簡及び田中外務大臣とガンゾリグ・モンゴル国外務大臣の書簡を交換しました。
"""


@pytest.mark.model
def test_letters_between_leaders(facts_of):
    found = _by_label(facts_of(LETTERS))
    leaders = found["佐藤一郎内閣総理大臣とバトバヤル・モンゴル国首相の書簡"]
    ministers = found["田中外務大臣とガンゾリグ・モンゴル国外務大臣の書簡"]
    for ag in (leaders, ministers):
        assert ag.agreement_type == "other"
        assert ag.date == DateValue(2022, 2, 24)


TREATY = """中央アジア首脳会合共同声明
令和5年6月2日
1 首脳は、ウズベキスタン共和国とタジキスタン共和国が2023年4月20日に国境に関する条約に署名したことを歓迎した。
2 双方は、2030年までに平和条約を締結するよう努力することを確認した。
"""


@pytest.mark.model
def test_parties_are_the_signers_and_aims_are_not_instruments(facts_of):
    facts = facts_of(TREATY)
    found = _by_label(facts)
    treaty = found["国境に関する条約"]
    assert set(treaty.parties) == {"UZB", "TJK"}
    assert treaty.date == DateValue(2023, 4, 20)
    assert "平和条約" not in found


ENUMERATED = """日・ガーナ首脳会談
平成30年3月14日
14日、安倍総理はアクフォ=アド・ガーナ共和国大統領と首脳会談を行いました。
1 ただいま、私は大統領とともに二つの文書に署名しました。その一つは「両国の若者への呼びかけ」であり、二つめは「日ガーナ経済協力共同宣言」です。
2 両首脳の立会いの下、「保健分野における協力覚書」等3本の文書の署名式が行われました。
"""


@pytest.mark.model
def test_counted_documents_are_named_by_their_members(facts_of):
    facts = facts_of(ENUMERATED)
    found = _by_label(facts)
    assert not any(a.label.startswith(("二つの文書", "等3本")) or "3本の文書" in a.label for a in facts.agreements)
    call = found["両国の若者への呼びかけ"]
    declaration = found["日ガーナ経済協力共同宣言"]
    assert call.agreement_type == "joint_statement"  # signed together
    assert declaration.agreement_type == "declaration"  # a 共同宣言 is the contract's bkg:Declaration
    for ag in (call, declaration):
        assert ag.date == DateValue(2018, 3, 14)
        assert set(ag.parties) == {"JPN", "GHA"}
    assert found["保健分野における協力覚書"].date == DateValue(2018, 3, 14)


ONE_SIDE = """ザンビア共和国に対する無償資金協力
令和6年4月2日
1 4月2日、ルサカにおいて、両国政府は、職業訓練に関する口上書の交換を行いました。
2 また、昨年派遣した調査団の報告を踏まえ、保健協力に関する書簡の署名を歓迎しました。
"""


@pytest.mark.model
def test_both_governments_of_a_one_country_title_and_clause_dates(facts_of):
    found = _by_label(facts_of(ONE_SIDE))
    note = found["職業訓練に関する口上書"]
    assert note.agreement_type == "note_verbale"
    assert set(note.parties) == {"JPN", "ZMB"}
    assert note.date == DateValue(2024, 4, 2)
    letter = found["保健協力に関する書簡"]
    assert letter.agreement_type == "exchange_of_notes"
    assert letter.date is None  # 昨年 dates the survey mission, not the letters


@pytest.mark.model
def test_treaty_under_negotiation_is_not_an_instrument(facts_of):
    text = """日・ケニア外相会談
令和元年8月27日
1 河野大臣から、租税条約締結交渉を進展させたい旨述べました。
"""
    assert "租税条約" not in _by_label(facts_of(text))


LISTED = """日・マラウイ首脳会談
平成31年1月9日
安倍総理は、ムタリカ・マラウイ共和国大統領と首脳会談を行いました。
首脳会談後、両首脳の立会いの下、以下の文書の署名式が行われました。
(1) 投資の相互促進、自由化及び保護に関する日本国とマラウイ共和国との間の協定
(2) 農業分野における協力に関する覚書
両首脳は、国連改革について意見交換を行いました。
"""


@pytest.mark.model
def test_numbered_list_of_signed_documents(facts_of):
    found = _by_label(facts_of(LISTED))
    treaty = found["投資の相互促進、自由化及び保護に関する日本国とマラウイ共和国との間の協定"]
    assert treaty.agreement_type == "treaty"
    assert set(treaty.parties) == {"JPN", "MWI"}
    assert treaty.date == DateValue(2019, 1, 9)
    assert found["農業分野における協力に関する覚書"].agreement_type == "mou"
    assert not any(a.label.startswith("以下の") for a in found.values())


WITNESSED = """日・ブータン首脳会談
令和4年11月15日
1 両首脳は、保健医療分野における協力覚書の署名式に立ち会いました。
2 両外相は、「教育分野の協力に関する覚書(MOC)」及び「人材育成に関する討議議事録」に署名した。
"""


@pytest.mark.model
def test_witnessed_ceremony_and_coordinated_quotations(facts_of):
    found = _by_label(facts_of(WITNESSED))
    for label in ("保健医療分野における協力覚書", "教育分野の協力に関する覚書", "人材育成に関する討議議事録"):
        assert found[label].date == DateValue(2022, 11, 15), label
        assert set(found[label].parties) == {"JPN", "BTN"}, label
    assert found["人材育成に関する討議議事録"].agreement_type == "other"


@pytest.mark.model
def test_purpose_clause_names_the_notes(facts_of):
    found = _by_label(facts_of("""パラグアイ共和国に対する無償資金協力に関する交換公文の署名
平成28年9月6日
1 9月6日、アスンシオンにおいて、我が方中谷好治駐パラグアイ大使と先方エラディオ・ロイサガ外務大臣との間で、供与額15億円の無償資金協力「地方給水網整備計画」を実施するための交換公文の署名が行われました。
"""))
    ag = found["供与額15億円の無償資金協力「地方給水網整備計画」を実施するための交換公文"]
    assert ag.date == DateValue(2016, 9, 6)
    assert set(ag.parties) == {"JPN", "PRY"}


@pytest.mark.model
def test_country_brief_list_of_instruments_with_signing_notes(facts_of):
    found = _by_label(facts_of("""パラオ共和国基礎データ
令和5年4月1日
二国間関係
2 二国間条約・取極
技術協力協定(2003年署名)、航空協定(2016年署名、2018年発効)、青年海外協力隊派遣取極(1990年)
"""))
    assert found["技術協力協定"].date == DateValue(2003)
    assert found["航空協定"].date == DateValue(2016)
    assert set(found["航空協定"].parties) == {"JPN", "PLW"}
    assert "青年海外協力隊派遣取極" not in found  # a heading line without a signing note


REFERRED = """日・モンゴル外相会談
令和3年4月8日
1 両外相は、発効から5年を迎えた「日本国とモンゴル国との間の経済上の連携に関する協定」の活用を確認しました。
2 両外相は、本8日、「環境分野における協力に関する覚書」に署名しました。
"""


@pytest.mark.model
def test_an_instrument_only_referred_to_is_flagged(facts_of):
    found = _by_label(facts_of(REFERRED))
    assert found["日本国とモンゴル国との間の経済上の連携に関する協定"].referenced_only is True
    signed = found["環境分野における協力に関する覚書"]
    assert signed.referenced_only is False and signed.date == DateValue(2021, 4, 8)
