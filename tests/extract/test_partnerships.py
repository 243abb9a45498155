"""The partnership ledger (extract/partnerships.py): levels, partners, statuses, dates.

Sentences are written for these tests; the real GiNZA model reads them (``facts_of``)."""

from __future__ import annotations

import pytest

from extract.evaluate import evaluate
from extract.facts import DateValue
from extract.partnerships import STATUSES, ladder, level_of, partnership_key


def only(facts):
    assert len(facts.partnerships) == 1, facts.partnerships
    return facts.partnerships[0]


# -- the ladder (no model) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("戦略的パートナーシップ", "strategic"),
        ("包括的パートナーシップ", "comprehensive"),
        ("包括的・戦略的パートナーシップ", "comprehensive-strategic"),
        ("特別な戦略的グローバル・パートナーシップ", "special-strategic-global"),
        ("「特別なパートナー」", "special"),
        ("戦略的互恵関係", "mutually-beneficial-strategic"),
        ("拡大された戦略的パートナーシップ", "expanded-strategic"),
        ("創造的パートナーシップ", "creative"),
    ],
)
def test_level_of_reads_the_level_words(written, key):
    assert level_of(written).key == key


def test_no_level_word_is_no_level():
    assert level_of("友好と相互信頼に基づくパートナーシップ") is None
    assert level_of("互恵的な協力関係") is None  # a modifier alone does not make a level
    assert level_of("強化された関係") is None


def test_ladder_is_ranked_and_keys_are_unique():
    levels = ladder()
    ranks = {lv.key: lv.rank for lv in levels}
    assert len(ranks) == len(levels)
    assert ranks["partnership"] < ranks["comprehensive"] < ranks["strategic"] < ranks["comprehensive-strategic"]
    assert ranks["strategic"] < ranks["special-strategic"] < ranks["special-strategic-global"]
    assert [lv.rank for lv in levels] == sorted(lv.rank for lv in levels)
    assert partnership_key(("MNG", "JPN"), "strategic") == "JPN-MNG/strategic"


# -- statuses (real model) ---------------------------------------------------------------------


def test_established_with_its_date(facts_of):
    p = only(facts_of("両首脳は、2019年3月2日、日本とベトナムとの間の包括的戦略的パートナーシップを樹立した。\n"))
    assert p.partners == ("JPN", "VNM")
    assert p.level == "comprehensive-strategic"
    assert p.status == "established"
    st = p.statuses[0]
    assert st.date == DateValue(2019, 3, 2)
    assert st.written == "包括的戦略的パートナーシップ"
    assert st.predicate.startswith("樹立")
    assert "樹立" in st.mention.text and st.mention.text.startswith("包括的")


def test_upgraded_to_a_level(facts_of):
    p = only(facts_of("2024年5月1日、両首脳は、日・モンゴル関係を戦略的パートナーシップに格上げすることを決定した。\n"))
    assert p.partners == ("JPN", "MNG")
    assert (p.level, p.status) == ("strategic", "upgraded")
    assert p.statuses[0].date == DateValue(2024, 5, 1)


def test_reaffirmed(facts_of):
    p = only(facts_of("両首脳は、日本とチリの特別な戦略的グローバル・パートナーシップを再確認した。\n"))
    assert p.partners == ("CHL", "JPN")
    assert (p.level, p.status) == ("special-strategic-global", "reaffirmed")
    assert p.statuses[0].predicate.startswith("再確認")


def test_referenced(facts_of):
    p = only(facts_of("両首脳は、日本とポルトガルの戦略的パートナーシップの下での協力の進展を歓迎した。\n"))
    assert (p.partners, p.status) == (("JPN", "PRT"), "referenced")


def test_an_aim_is_not_an_establishment(facts_of):
    p = only(facts_of("両国は、日本とペルーとの間の包括的パートナーシップの構築を目指すことで一致した。\n"))
    assert (p.partners, p.level, p.status) == (("JPN", "PER"), "comprehensive", "referenced")


def test_a_negation_is_not_an_establishment(facts_of):
    p = only(facts_of("日本とウルグアイは、まだ戦略的パートナーシップを確立していない。\n"))
    assert (p.partners, p.status) == (("JPN", "URY"), "referenced")


def test_group_partners(facts_of):
    p = only(facts_of("2023年9月、日本と中央アジアの首脳は、日・中央アジア戦略的パートナーシップを構築した。\n"))
    assert (p.partners, p.level, p.status) == (("CA5", "JPN"), "strategic", "established")
    assert p.statuses[0].date == DateValue(2023, 9)
    q = only(facts_of("2021年10月、日ASEAN関係を包括的戦略的パートナーシップへと発展させることで一致した。\n"))
    assert (q.partners, q.level, q.status) == (("ASEAN", "JPN"), "comprehensive-strategic", "upgraded")


def test_a_title_names_a_partnership(facts_of):
    facts = facts_of(
        "日本国とチリ共和国との間の戦略的パートナーシップに関する共同声明\n\n"
        "2024年5月1日、日本国総理大臣とチリ共和国大統領は東京で会談を行った。\n"
    )
    p = only(facts)
    assert (p.partners, p.level, p.status) == (("CHL", "JPN"), "strategic", "referenced")
    assert facts.document.passages[p.statuses[0].passage].kind == "title"


def test_issuing_a_statement_named_after_the_level_establishes_it(facts_of):
    p = only(facts_of("両首脳は「日本国とフィジー共和国との間の戦略的パートナーシップに関する共同声明」を発出した。\n"))
    assert (p.partners, p.status) == (("FJI", "JPN"), "established")


def test_title_and_body_give_one_partnership_with_two_statuses(facts_of):
    facts = facts_of(
        "日本国とモンゴル国との間の包括的パートナーシップに関する共同声明\n\n"
        "両首脳は、二国間関係を包括的パートナーシップに格上げすることを決定した。\n"
    )
    p = only(facts)
    assert p.partners == ("JPN", "MNG")
    assert [s.status for s in p.statuses] == ["referenced", "upgraded"]
    assert p.status == "upgraded"


def test_no_partnership_without_a_level_word(facts_of):
    facts = facts_of("日本とモンゴルは、友好と信頼に基づくパートナーシップを深め、JCMパートナー国として協力する。\n")
    assert facts.partnerships == ()


def test_scored_by_evaluate(facts_of):
    facts = facts_of("両首脳は、日本とチリの特別な戦略的グローバル・パートナーシップを再確認した。\n", name="doc.txt")
    base = {k: [] for k in ("countries", "persons", "organizations", "agreements", "visits", "meetings",
                            "programs", "dates")}
    gold = {**base, "partnerships": [{"name": "特別な戦略的グローバル・パートナーシップ", "countries": ["JPN", "CHL"],
                                      "status": "established"}]}
    report = evaluate([facts], {"doc": gold})
    s = report.partnership_score()
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)
    acc = report.attribute_accuracy()["partnerships.status"]
    assert (acc.n, acc.correct) == (1, 0)  # reaffirmed, not established
    # a document whose gold has no partnerships field is not scored for them
    assert evaluate([facts], {"doc": base}).partnership_documents() == 0
    assert set(STATUSES) == {"established", "upgraded", "reaffirmed", "referenced"}
