"""The programs family: ODA projects in 「」 with their phase or English title, initiatives and
policies, exchange years, dialogue frameworks, global agendas from the gazetteer. Sentences are
written for these tests; fast tests need no model, the others run ja_ginza."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import programs as P
from extract.context import quote_spans
from extract.lexicon import program_heads

# -- fast -----------------------------------------------------------------------------------


def test_phase_and_english_title_do_not_hide_the_head():
    heads = tuple(h for h, _ in program_heads())
    assert P._ends_with_head("ダッカ都市交通整備計画(第二期)", heads)
    assert P._ends_with_head("第4次財政改革支援オペレーション(Fourth Fiscal Reform Support Operation)", heads)
    assert P._ends_with_head("2021年チリにおける日本年", heads)
    assert not P._ends_with_head("人への投資", heads)


def test_signed_quotation_is_an_instrument_not_a_programme():
    assert P._signed_after("が署名された")
    assert P._signed_after("の署名を歓迎した")
    assert not P._signed_after("の成果を歓迎した")


def test_quote_spans_keep_nested_quotations():
    text = "「甲(以下「乙」という。)における協力プログラム」が署名された。"
    ((a, b),) = quote_spans(text)
    assert text[a:b] == "「甲(以下「乙」という。)における協力プログラム」"


def test_gazetteer_has_global_agendas():
    names = dict(P.known_programs())
    assert "2030アジェンダ" in names["持続可能な開発のための2030アジェンダ"]
    assert "東方政策" in names


# -- the real model -------------------------------------------------------------------------

TEXT = """日・チリ首脳会談
令和3年6月3日
1 両首脳は、「2021年チリにおける日本年」に向けた協力を確認した。
2 菅総理から、「第4次財政改革支援オペレーション(Fourth Fiscal Reform Support Operation)」及び「サンティアゴ都市交通整備計画(第二期)」への支援を表明した。
3 両首脳は、2030アジェンダの実施に向けて協力することで一致した。
4 両首脳は、2020年に東京で開催された第2回日カリブ協力対話の成果を歓迎した。
5 バルパライソ港湾開発構想については、引き続き協力していくことで一致した。
6 両首脳は「チリ南部における共同経済活動に関する日チリ協力プログラム」が署名されたことを歓迎した。
7 両国は、戦略的パートナーシップを更に強化することで一致した。
"""


@pytest.fixture
def programs_of(nlp, tmp_path):
    from extract.pipeline import extract_document
    from extract.structure import parse_document

    def run(text: str):
        path = Path(tmp_path) / "doc.txt"
        path.write_text(text, encoding="utf-8")
        return {p.label: p for p in extract_document(parse_document(path), nlp).programs}

    return run


@pytest.mark.model
def test_programmes_of_a_summit(programs_of):
    found = programs_of(TEXT)
    assert "2021年チリにおける日本年" in found
    op = found["第4次財政改革支援オペレーション"]
    assert op.aliases == ("Fourth Fiscal Reform Support Operation",)
    assert "サンティアゴ都市交通整備計画(第二期)" in found
    assert "持続可能な開発のための2030アジェンダ" in found
    assert "日カリブ協力対話" in found
    assert "バルパライソ港湾開発構想" in found
    assert set(found["2021年チリにおける日本年"].participants) == {"JPN", "CHL"}


@pytest.mark.model
def test_not_programmes(programs_of):
    found = programs_of(TEXT)
    # a signed 協力プログラム is an agreement; a relationship level is a partnership
    assert not any("協力プログラム" in label for label in found)
    assert not any("戦略的パートナーシップ" in label for label in found)


@pytest.mark.model
def test_relationship_levels_are_not_programmes(programs_of):
    found = programs_of("""日・ウルグアイ首脳会談
令和5年4月3日
1 両首脳は、日ウルグアイ戦略的パートナーシップの下、協力を深化させることで一致した。
2 両首脳は、両国関係を「包括的・戦略的パートナーシップ」に格上げした。
3 両首脳は、日本・ウルグアイ・グリーン成長パートナーシップの立ち上げを歓迎した。
""")
    assert set(found) == {"日本・ウルグアイ・グリーン成長パートナーシップ"}


@pytest.mark.model
def test_a_scheme_coordinated_with_a_known_one(programs_of):
    found = programs_of("""日・ペルー外相会談
令和6年2月1日
1 ペルー側は、特定技能制度と高度人材受入制度に関心を示した。
""")
    assert {"特定技能制度", "高度人材受入制度"} <= set(found)
