"""Persons: the grammar of names next to titles, on hand-built Docs and on the real model.

Every sentence here is written for the test (other people, other countries, other years).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from extract.gazetteer import load_gazetteer
from extract.patterns import apply_rules, build_matchers, load_rules, matches
from extract.persons import (
    _country_variant,
    _fuller_role,
    _kanji_name_left,
    roles_compatible,
    surname_of,
)


def _doc(rows: list[tuple[str, str, str, str]]) -> Doc:
    """A Doc from (word, lemma, POS, Sudachi tag) rows, written without spaces."""
    words = [r[0] for r in rows]
    return Doc(
        Vocab(),
        words=words,
        spaces=[False] * len(words),
        lemmas=[r[1] for r in rows],
        pos=[r[2] for r in rows],
        tags=[r[3] for r in rows],
    )


def _run_person_rules(doc: Doc) -> Doc:
    rules = load_rules("persons")
    matcher, dep = build_matchers(doc.vocab, rules)
    return apply_rules(doc, "persons", matcher, dep, rules)


PROPER = "名詞-固有名詞-一般"
COMMON = "名詞-普通名詞-一般"
SURNAME = "名詞-固有名詞-人名-姓"
GIVEN = "名詞-固有名詞-人名-名"
COUNTRY = "名詞-固有名詞-地名-国"


# --- pure functions ---------------------------------------------------------------------------


def test_bare_head_is_the_short_form_of_a_full_title():
    assert roles_compatible("経済産業大臣", "大臣")
    assert roles_compatible("大使", "駐フランス大使")
    assert not roles_compatible("総理", "外務報道官")


def test_fuller_role_prefers_the_office_written_in_full():
    assert _fuller_role("内閣総理大臣", "総理")
    assert _fuller_role("文部科学大臣", "大臣")
    assert not _fuller_role("副首相兼財務大臣", "大臣")  # a chain is not one office
    assert not _fuller_role("外務報道官", "総理")


def test_country_spelt_with_one_letter_changed():
    gaz = load_gazetteer()
    assert _country_variant(gaz, "マレイシア") == "MYS"
    assert _country_variant(gaz, "アジア") is None  # a region is no country
    assert _country_variant(gaz, "トヨタ") is None


def test_surname_of_a_foreign_name_is_its_last_segment():
    assert surname_of("マリア・ロペス") == "ロペス"


# --- kanji names that Sudachi does not tag as persons ---------------------------------------


def test_three_kanji_name_read_whole_before_a_title():
    # 、|王|建|国|国務|院|総理: a Chinese name cut into pieces, only one tagged 人名
    doc = _doc([
        ("、", "、", "PUNCT", "補助記号-読点"),
        ("王", "王", "PROPN", SURNAME),
        ("建", "建", "NOUN", COMMON),
        ("明", "明", "PROPN", PROPER),
        ("国務", "国務", "NOUN", COMMON),
    ])
    toks = _kanji_name_left(doc, 4, blocked=set())
    assert "".join(t.text for t in toks) == "王建明"


def test_kanji_run_needs_a_proper_noun_and_a_clean_left_edge():
    # 各国|首脳: common nouns before a title are not a name
    doc = _doc([("各国", "各国", "NOUN", COMMON), ("首脳", "首脳", "NOUN", COMMON)])
    assert _kanji_name_left(doc, 1, blocked=set()) == []
    # 両国|外相: a determiner, even when tagged as a proper noun
    doc = _doc([("両国", "両国", "PROPN", PROPER), ("外相", "外相", "NOUN", COMMON)])
    assert _kanji_name_left(doc, 1, blocked=set()) == []
    # アジア|大洋州|局長: glued to another noun, part of a longer noun
    doc = _doc([
        ("アジア", "アジア", "PROPN", "名詞-固有名詞-地名-一般"),
        ("大洋州", "大洋州", "PROPN", PROPER),
        ("局長", "局長", "NOUN", COMMON),
    ])
    assert _kanji_name_left(doc, 2, blocked=set()) == []
    # a country is never a name
    doc = _doc([("、", "、", "PUNCT", "補助記号-読点"), ("中国", "中国", "PROPN", COUNTRY), ("首相", "首相", "NOUN", COMMON)])
    assert _kanji_name_left(doc, 2, blocked=set()) == []


# --- the patterns of data/patterns/persons.json ----------------------------------------------


def test_side_and_our_side_patterns():
    doc = _doc([
        ("英国", "英国", "PROPN", COUNTRY),
        ("側", "側", "NOUN", "名詞-普通名詞-一般"),
        ("出席", "出席", "NOUN", COMMON),
        ("者", "者", "NOUN", "接尾辞-名詞的-一般"),
        ("、", "、", "PUNCT", "補助記号-読点"),
        ("我が", "我が", "DET", "連体詞"),
        ("方", "方", "NOUN", COMMON),
        ("米側", "米側", "NOUN", COMMON),
    ])
    doc = _run_person_rules(doc)
    assert [s.text for s in matches(doc, "persons", "SIDE")] == ["英国側", "米側"]
    assert [s.text for s in matches(doc, "persons", "OUR_SIDE")] == ["我が方"]


def test_state_title_patterns_name_the_state():
    doc = _doc([
        ("国務", "国務", "NOUN", COMMON),
        ("院", "院", "NOUN", "接尾辞-名詞的-一般"),
        ("総理", "総理", "NOUN", COMMON),
        ("と", "と", "ADP", "助詞-格助詞"),
        ("統一", "統一", "NOUN", COMMON),
        ("部", "部", "NOUN", COMMON),
        ("長官", "長官", "NOUN", COMMON),
    ])
    doc = _run_person_rules(doc)
    assert [s.text for s in matches(doc, "persons", "STATE_TITLE_CHN")] == ["国務院総理"]
    assert "統一部長官" in [s.text for s in matches(doc, "persons", "STATE_TITLE_KOR")]


def test_regime_and_in_charge_patterns():
    doc = _doc([
        ("ミラー", "ミラー", "PROPN", "名詞-固有名詞-人名-一般"),
        ("政権", "政権", "NOUN", COMMON),
        ("、", "、", "PUNCT", "補助記号-読点"),
        ("中東", "中東", "PROPN", "名詞-固有名詞-地名-一般"),
        ("担当", "担当", "NOUN", COMMON),
        ("大使", "大使", "NOUN", COMMON),
    ])
    doc = _run_person_rules(doc)
    assert [s.text for s in matches(doc, "persons", "REGIME")] == ["ミラー政権"]
    assert [s.text for s in matches(doc, "persons", "IN_CHARGE")] == ["担当"]
    assert isinstance(next(matches(doc, "persons", "IN_CHARGE")), Span)


# --- the real model, on sentences written for the test ---------------------------------------

@pytest.fixture
def persons_of(nlp, tmp_path):
    from extract.pipeline import extract_document
    from extract.structure import parse_document

    def run(text: str, as_list: bool = False):
        path = Path(tmp_path) / "doc.txt"
        path.write_text("テスト\n\n" + text + "\n", encoding="utf-8")
        facts = extract_document(parse_document(path), nlp)
        people = [e for e in facts.entities if e.kind == "person"]
        return people if as_list else {e.label: e for e in people}

    return run


@pytest.mark.model
def test_surname_and_title_officials(persons_of):
    p = persons_of("日本側出席者:山口官房副長官、高木国家安全保障局長、松井衆院議長。")
    assert (p["山口"].role, p["山口"].country) == ("官房副長官", "JPN")
    assert p["高木"].role == "国家安全保障局長"
    assert p["松井"].role == "衆院議長"


@pytest.mark.model
def test_chinese_and_korean_leaders_written_in_kanji(persons_of):
    p = persons_of("2023年、習近平国家主席と王毅外交部長は、尹錫悦大統領と朴振外交部長官と会談した。")
    assert (p["習近平"].role, p["習近平"].country) == ("国家主席", "CHN")
    assert p["王毅"].country == "CHN"
    assert (p["尹錫悦"].role, p["尹錫悦"].country) == ("大統領", "KOR")
    assert (p["朴振"].role, p["朴振"].country) == ("外交部長官", "KOR")


@pytest.mark.model
def test_country_named_before_the_person(persons_of):
    p = persons_of("議長国であるベトナムのグエン・ヴァン・アン国家主席と、中国の李強国務院総理が出席した。")
    assert p["李強"].country == "CHN"
    assert p["グエン・ヴァン・アン"].country == "VNM"


@pytest.mark.model
def test_reading_in_parentheses_is_an_alias(persons_of):
    p = persons_of("山本一郎内閣総理大臣は,尹錫悦(ユン・ソンニョル)韓国大統領との間で会談を行った。")
    assert p["尹錫悦"].country == "KOR"
    assert "ユン・ソンニョル" in p["尹錫悦"].aliases


@pytest.mark.model
def test_ambassadors_are_of_the_sending_state(persons_of):
    p = persons_of(
        "我が方山本健太駐チリ国大使と先方ホセ・ロドリゲス外務次官との間で署名が行われた。"
        "また、ピエール・マルタン駐日フランス大使が同席した。"
    )
    assert (p["山本健太"].role, p["山本健太"].country) == ("駐チリ国大使", "JPN")
    assert (p["ピエール・マルタン"].role, p["ピエール・マルタン"].country) == ("駐日フランス大使", "FRA")


@pytest.mark.model
def test_country_and_organization_after_a_dotted_name(persons_of):
    p = persons_of("ヤン・コヴァルスキ・ポーランド日本友好協会会長及びアンナ・ノヴァク・ポーランド首相が来日した。")
    assert p["ヤン・コヴァルスキ"].country == "POL"
    assert p["ヤン・コヴァルスキ"].role == "ポーランド日本友好協会会長"
    assert p["アンナ・ノヴァク"].role == "首相"
    assert not any("ポーランド" in name for name in p)


@pytest.mark.model
def test_places_and_fields_are_not_persons(persons_of):
    p = persons_of("2010年5月1日、於ハノイ日本国外務大臣は、中東担当大使の新設を発表した。両国外相は署名した。")
    assert p == {}


@pytest.mark.model
def test_two_people_sharing_a_surname_with_different_offices(persons_of):
    people = persons_of("中村総理は記者会見を行った。司会:中村外務報道官。", as_list=True)
    assert sorted((e.label, e.role) for e in people) == [("中村", "外務報道官"), ("中村", "総理")]


@pytest.mark.model
def test_short_and_full_mentions_are_one_person(persons_of):
    people = persons_of(
        "田村大臣とソト大臣が出席した。田村健二外務大臣とマリア・ソト・チリ外務大臣が会談した。"
        "マリア首相代行も出席した。",
        as_list=True,
    )
    by_label = {e.label: e for e in people}
    assert by_label["田村健二"].role == "外務大臣"
    assert "田村" not in by_label  # 田村大臣 is 田村健二外務大臣
    assert by_label["マリア・ソト"].country == "CHL"


@pytest.mark.model
def test_name_glued_to_its_title_in_one_token(persons_of):
    p = persons_of("ワシントンにおいて、トランプ大統領と会談した。")
    assert p["トランプ"].role == "大統領"


@pytest.mark.model
def test_heads_of_bodies_named_by_the_body_are_not_persons(persons_of):
    assert persons_of("民主党総裁、社会党代表、商工会会長、中央銀総裁、北海道知事、広島県知事が出席した。") == {}


@pytest.mark.model
def test_a_name_is_not_swallowed_by_a_generic_title(persons_of):
    p = persons_of("2021年、金正恩国務委員長は、蔡英文総統と会談しなかった。")
    assert (p["金正恩"].role, p["金正恩"].country) == ("国務委員長", "PRK")
    assert p["蔡英文"].country == "TWN"


@pytest.mark.model
def test_one_kanji_family_name_of_a_korean_leader_is_an_alias(persons_of):
    p = persons_of("2004年、盧武鉉大統領は来日した。盧大統領は、文化交流にも触れた。")
    assert "盧" in p["盧武鉉"].aliases
    assert len(p) == 1


@pytest.mark.model
def test_family_name_alone_joins_the_full_japanese_name(persons_of):
    people = persons_of(
        "本日、小田原潔外務副大臣とマリア・ロペス・ペルー外務大臣が署名した。日本国政府代表の小田原副大臣は述べた。",
        as_list=True,
    )
    assert sorted(e.label for e in people) == ["マリア・ロペス", "小田原潔"]


@pytest.mark.model
def test_name_with_the_honorific_shi(persons_of):
    p = persons_of("2016年、ジョン・ミラー氏と佐藤花子氏が講演し、参加者は氏名を記入した。")
    assert p["佐藤花子"].country == "JPN"
    assert p["ジョン・ミラー"].role is None
    assert len(p) == 2


def test_country_from_the_english_gloss():
    from extract.persons import _country_in_english_gloss

    gaz = load_gazetteer()
    text = "ミゲル・サンチェス外務次官(Mr. Miguel Sanchez, Vice Minister of Foreign Affairs of the Republic of Chile)と"
    end = text.index("(")
    assert _country_in_english_gloss(gaz, text, end) == "CHL"
    assert _country_in_english_gloss(gaz, "X大臣(Minister of Finance)", 3) is None


@pytest.mark.model
def test_country_and_title_held_in_one_token(persons_of):
    p = persons_of("2022年、ジョー・バイデン米国大統領が来日した。")
    assert (p["ジョー・バイデン"].role, p["ジョー・バイデン"].country) == ("大統領", "USA")


@pytest.mark.model
def test_country_of_the_body_before_no(persons_of):
    p = persons_of("2014年の会合では、米国務省のエミリー・ベイカー報道官が説明した。")
    assert p["エミリー・ベイカー"].country == "USA"


@pytest.mark.model
def test_full_japanese_name_dot_office_with_a_region(persons_of):
    p = persons_of("2012年、田辺次郎・外務省中東アフリカ局長が出席した。")
    assert (p["田辺次郎"].role, p["田辺次郎"].country) == ("外務省中東アフリカ局長", "JPN")


@pytest.mark.model
def test_occupation_dot_full_name(persons_of):
    p = persons_of("1975年、画家・山田太郎がタシケントを訪れた。教育・文化の交流が進んだ。")
    assert (p["山田太郎"].role, p["山田太郎"].country) == ("画家", "JPN")
    assert len(p) == 1


@pytest.mark.model
def test_an_official_of_an_international_body_has_no_state(facts_of):
    facts = facts_of(
        "日・ペルー首脳会談\n令和5年5月1日\n"
        " 本1日、山田総理大臣は、ペルーのA大統領と会談を行いました。\n"
        "1 両首脳は、グテーレス国連事務総長との連携を確認しました。\n"
    )
    (guterres,) = [e for e in facts.entities if e.kind == "person" and e.label == "グテーレス"]
    assert guterres.role == "国連事務総長" and guterres.country is None
