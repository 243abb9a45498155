"""The visits family: its grammar on hand-built Docs (no model), its date and region helpers,
and whole short documents written for these tests (people, countries and years of our own)
on the real ja_ginza model."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extract.dates import DateMention, find_dates
from extract.facts import DateValue
from extract.patterns import apply_rules, build_matchers, load_rules
from extract.visits import region_countries, visit_dates, visit_roles


def _doc(rows: list[tuple[str, str, str, int, str]]) -> Doc:
    """A Doc from (word, lemma, pos, head index, dep) rows."""
    words = [r[0] for r in rows]
    return Doc(
        Vocab(), words=words, spaces=[False] * len(words), lemmas=[r[1] for r in rows],
        pos=[r[2] for r in rows], heads=[r[3] for r in rows], deps=[r[4] for r in rows],
    )


def _roles(doc: Doc):
    rules = load_rules("visits")
    matcher, dep = build_matchers(doc.vocab, rules)
    apply_rules(doc, "visits", matcher, dep, rules)
    return visit_roles(doc)


# -- grammar on hand-built parses ------------------------------------------------------------


def test_during_names_the_noun_it_modifies():
    # 山田大臣は 訪日中の ロペス外相と 会談した: the visitor is ロペス外相, not 山田大臣
    doc = _doc([
        ("山田", "山田", "PROPN", 1, "compound"), ("大臣", "大臣", "NOUN", 10, "nsubj"),
        ("は", "は", "ADP", 1, "case"), ("訪日", "訪日", "NOUN", 4, "compound"),
        ("中", "中", "NOUN", 7, "nmod"), ("の", "の", "ADP", 4, "case"),
        ("ロペス", "ロペス", "PROPN", 7, "compound"), ("外相", "外相", "NOUN", 10, "obl"),
        ("と", "と", "ADP", 7, "case"), ("会談", "会談", "NOUN", 10, "obj"),
        ("し", "する", "VERB", 10, "ROOT"),
    ])
    roles = _roles(doc)
    assert roles.visitor == {3: 7}
    assert roles.during == frozenset({3})


def test_possessor_and_subject():
    # ガルシア首相の訪日 / ガルシア首相が来日した
    doc = _doc([
        ("ガルシア", "ガルシア", "PROPN", 1, "compound"), ("首相", "首相", "NOUN", 3, "nmod"),
        ("の", "の", "ADP", 1, "case"), ("訪日", "訪日", "NOUN", 3, "ROOT"),
    ])
    assert _roles(doc).visitor == {3: 1}
    doc = _doc([
        ("ガルシア", "ガルシア", "PROPN", 1, "compound"), ("首相", "首相", "NOUN", 3, "nsubj"),
        ("が", "が", "ADP", 1, "case"), ("来日", "来日", "VERB", 3, "ROOT"),
        ("し", "する", "AUX", 3, "aux"), ("た", "た", "AUX", 3, "aux"),
    ])
    assert _roles(doc).visitor == {3: 1}


def test_modified_noun_of_a_visit_clause():
    # 来日した ガルシア首相: the noun the clause modifies
    doc = _doc([
        ("来日", "来日", "VERB", 3, "acl"), ("し", "する", "AUX", 0, "aux"),
        ("ガルシア", "ガルシア", "PROPN", 3, "compound"), ("首相", "首相", "NOUN", 3, "ROOT"),
    ])
    assert _roles(doc).visitor == {0: 3}


def test_speaker_of_a_verb_of_saying():
    # 田中総理から、昨年の ローマ訪問を 振り返り、…と述べた: a speaker pair (述べ, 総理)
    doc = _doc([
        ("田中", "田中", "PROPN", 1, "compound"), ("総理", "総理", "NOUN", 7, "obl"),
        ("から", "から", "ADP", 1, "case"), ("ローマ", "ローマ", "PROPN", 4, "compound"),
        ("訪問", "訪問", "NOUN", 6, "obj"), ("を", "を", "ADP", 4, "case"),
        ("思う", "思う", "VERB", 7, "advcl"), ("述べ", "述べる", "VERB", 7, "ROOT"),
    ])
    roles = _roles(doc)
    assert (7, 1) in roles.speakers
    assert roles.visitor == {}


def test_frame_noun_possessor_and_descriptive_compounds():
    # 田中総理の チリ訪問以来: 訪問 is framed by 以来, whose の-possessor is the visitor
    doc = _doc([
        ("田中", "田中", "PROPN", 1, "compound"), ("総理", "総理", "NOUN", 5, "nmod"),
        ("の", "の", "ADP", 1, "case"), ("チリ", "チリ", "PROPN", 5, "compound"),
        ("訪問", "訪問", "NOUN", 5, "compound"), ("以来", "以来", "NOUN", 5, "ROOT"),
    ])
    roles = _roles(doc)
    assert roles.visitor == {4: 1}
    assert roles.framed == frozenset({4})
    # 訪日 外国人: a compound that only describes is not framed
    doc = _doc([("訪日", "訪日", "NOUN", 1, "compound"), ("外国人", "外国人", "NOUN", 1, "ROOT")])
    assert _roles(doc).framed == frozenset()


# -- dates of the visit's clause -------------------------------------------------------------


def test_visit_dates_range_forms():
    anchor = DateValue(2021, 9, 30)
    for text, start, end in [
        ("9月4日(土曜日)から8日(水曜日)、", "2021-09-04", "2021-09-08"),
        ("9月4日及び5日に", "2021-09-04", "2021-09-05"),
        ("9月12~17日", "2021-09-12", "2021-09-17"),
        ("昨年3月に", "2020-03", None),
    ]:
        s, e = visit_dates(text, find_dates(text, anchor))
        assert (s.iso(), e.iso() if e else None) == (start, end), text


def test_visit_dates_prefer_the_date_on_the_visit_word():
    anchor = DateValue(2021, 9, 30)
    text = "9月3~6日(首脳会談は4日)"
    found = find_dates(text, anchor)
    on_verb = next(d for d in found if d.text.startswith("9月3"))  # one range: 9月3~6日
    s, e = visit_dates(text, found, on_verb)
    assert (s.iso(), e.iso()) == ("2021-09-03", "2021-09-06")
    text = "2019年の合意に基づき、5月3日から6日まで"
    found = find_dates(text, anchor)
    s, e = visit_dates(text, found, found[1])
    assert (s.day, e.day) == (3, 6)


def test_visit_dates_none_without_a_date():
    assert visit_dates("訪日中の", []) == (None, None)
    one = DateMention(0, 5, "2019年", DateValue(2019))
    assert visit_dates("2019年の", [one]) == (DateValue(2019), None)


def test_region_with_a_count_in_kanji_or_digits():
    ctx = SimpleNamespace(gazetteer=SimpleNamespace(countries_in_region=lambda region: ()))
    regions = {"ベネルクス": ("Western Europe", ("BEL", "NLD", "LUX"))}
    assert region_countries(ctx, "ベネルクス三国", regions) == ["BEL", "NLD", "LUX"]
    assert region_countries(ctx, "ベネルクス3か国", regions) == ["BEL", "NLD", "LUX"]
    assert region_countries(ctx, "ベネルクス2か国", regions) == []


# -- whole documents on the real model -------------------------------------------------------


@pytest.fixture
def visits_of(nlp, tmp_path):
    from extract.pipeline import extract_document
    from extract.structure import parse_document

    def run(text: str):
        path = Path(tmp_path) / "doc.txt"
        path.write_text(text, encoding="utf-8")
        facts = extract_document(parse_document(path), nlp)
        names = {e.key: e.label for e in facts.entities if e.kind == "person"}
        found = [
            (names.get(v.visitor, v.visitor), v.destination, v.start.iso() if v.start else None,
             v.end.iso() if v.end else None)
            for v in facts.visits
        ]
        return sorted(found, key=lambda v: tuple(x or "" for x in v))

    return run


@pytest.mark.model
def test_visitor_is_the_guest_during_a_visit_not_the_host(visits_of):
    text = (
        "日・チリ外相会談\n令和5年4月15日\n"
        "鈴木一郎外務大臣は、15日午後、訪日中のマリア・ゴメス・チリ外務大臣との間で約1時間にわたり外相会談を行いました。\n"
    )
    # the date is the talks', not the visit's
    assert visits_of(text) == [("マリア・ゴメス", "JPN", None, None)]


@pytest.mark.model
def test_visiting_a_city_and_a_visit_recalled_in_speech(visits_of):
    text = (
        "日伊首脳会談\n令和5年5月2日\n"
        "ローマ訪問中の田中太郎内閣総理大臣は、2日夕刻、ルカ・ビアンキ・イタリア首相との首脳会談に臨みました。\n"
        "1 冒頭、田中総理大臣から、昨年5月のローマ訪問の際にビアンキ首相から受けた歓迎に改めて謝意を表する旨述べました。\n"
    )
    assert visits_of(text) == [("田中太郎", "ITA", None, None), ("田中太郎", "ITA", "2022-05", None)]


@pytest.mark.model
def test_speaker_recalls_own_visit_and_welcomes_the_guest(visits_of):
    text = (
        "日・ペルー首脳会談\n令和4年11月20日\n"
        "山本一郎内閣総理大臣は、20日、公式訪問中のカルロス・ロペス・ペルー大統領と首脳会談を行いました。\n"
        "(1)山本総理大臣は、ロペス大統領の今回の訪日に歓迎の意を表しました。また、山本総理大臣は、"
        "「本年4月にペルーを訪れた際に多くの市民と交流できたことは忘れられない」と述べました。\n"
    )
    assert visits_of(text) == [("カルロス・ロペス", "JPN", None, None), ("山本一郎", "PER", "2022-04", None)]


@pytest.mark.model
def test_arrival_with_a_date_range(visits_of):
    text = (
        "ミュラー・オーストリア首相の訪日\n令和5年3月6日\n"
        "3月3日から6日まで、ハンス・ミュラー・オーストリア首相が来日しました。\n"
    )
    assert visits_of(text) == [("ハンス・ミュラー", "JPN", "2023-03-03", "2023-03-06")]


@pytest.mark.model
def test_visit_clause_modifying_the_visitor(visits_of):
    text = (
        "日・ブラジル首脳会談\n令和6年7月3日\n"
        "7月1日~3日、G20首脳会合出席のためブラジルを訪問した佐藤健内閣総理大臣は、"
        "ルイス・シルバ・ブラジル大統領と会談しました。\n"
    )
    assert visits_of(text) == [("佐藤健", "BRA", "2024-07-01", "2024-07-03")]


@pytest.mark.model
def test_an_invitation_is_not_a_visit(visits_of):
    text = (
        "日・ブラジル首脳会談\n令和6年7月3日\n"
        "佐藤健内閣総理大臣は、ルイス・シルバ・ブラジル大統領に対し、早期の訪日を招待しました。\n"
        "シルバ大統領から、訪日への招待に感謝する旨述べました。\n"
    )
    assert visits_of(text) == []


@pytest.mark.model
def test_several_destinations_and_a_range(visits_of):
    text = (
        "田中外務大臣の東南アジア訪問\n令和6年1月12日\n"
        "田中花子外務大臣は、1月9日から12日まで、フィリピン、インドネシア及びベトナムを訪問しました。\n"
    )
    assert visits_of(text) == [
        ("田中花子", iso3, "2024-01-09", "2024-01-12") for iso3 in ("IDN", "PHL", "VNM")
    ]


@pytest.mark.model
def test_earlier_visits_referred_to(visits_of):
    text = (
        "共同声明\n令和5年6月1日\n"
        "1 両首脳は、2022年の鈴木一郎総理のフィリピン訪問以来の二国間関係の進展を歓迎した。\n"
        "2 鈴木総理から、昨年8月のインド訪問の際に合意した事項の進捗を歓迎しました。\n"
    )
    assert visits_of(text) == [("鈴木一郎", "IND", "2022-08", None), ("鈴木一郎", "PHL", "2022", None)]


@pytest.mark.model
def test_inviter_is_not_the_visitor_and_a_future_visit_is_a_plan(visits_of):
    text = (
        "日・ペルー外相会談\n令和5年6月1日\n"
        "ロペス・ペルー外務大臣は、鈴木一郎外務大臣の招待により、5月30日から6月1日まで来日しました。\n"
        "鈴木大臣から、来年のペルー訪問に強い意欲を示しました。\n"
    )
    assert visits_of(text) == [("ロペス", "JPN", "2023-05-30", "2023-06-01")]


@pytest.mark.model
def test_visit_words_that_only_describe_a_noun(visits_of):
    text = (
        "日・ホンジュラス外相会談\n令和5年6月1日\n"
        "鈴木一郎外務大臣から、訪日外国人旅行者の増加を歓迎しました。\n"
        "ペドロ・ガルシア・ホンジュラス外務大臣から、経済訪問団の派遣に謝意を表明しました。\n"
    )
    assert visits_of(text) == []


@pytest.mark.model
def test_tour_and_couple(visits_of):
    text = (
        "田中総理の東南アジア訪問\n令和6年1月12日\n"
        "田中一郎総理は、1月9日から12日まで、タイ及びラオスを歴訪した。\n"
        "本日、国賓として訪日中のペドロ・ガルシア・ホンジュラス大統領夫妻は、天皇陛下と会見した。\n"
    )
    assert visits_of(text) == [
        ("ペドロ・ガルシア", "JPN", None, None),
        ("田中一郎", "LAO", "2024-01-09", "2024-01-12"),
        ("田中一郎", "THA", "2024-01-09", "2024-01-12"),
    ]


@pytest.mark.model
def test_visit_in_an_aside_after_a_person(visits_of):
    text = (
        "日・ホンジュラス外相会談\n令和5年6月1日\n"
        "山田一郎外務大臣は、ジョン・スミス・ホンジュラス外相(ガルシア大統領に随行して来日中。)と懇談しました。"
        "ペドロ・ガルシア・ホンジュラス大統領は、国賓として来日しています。\n"
    )
    assert visits_of(text) == [("ジョン・スミス", "JPN", None, None), ("ペドロ・ガルシア", "JPN", None, None)]


@pytest.mark.model
def test_a_courtesy_call_is_not_a_visit_to_a_country(visits_of):
    text = (
        "ロペス・ペルー外務大臣による鈴木総理大臣表敬\n令和5年6月1日\n"
        "来日中のロペス・ペルー外務大臣は、鈴木一郎内閣総理大臣を表敬訪問しました。\n"
    )
    assert visits_of(text) == [("ロペス", "JPN", None, None)]


@pytest.mark.model
def test_closest_subject_and_a_possessor_who_is_no_person(visits_of):
    text = (
        "日・ラオス共同声明\n令和5年6月1日\n"
        "1 両首脳は、2015年10月26日に当時の田中一郎総理大臣がラオス人民民主共和国を訪問した際に"
        "署名された文書を想起した。\n"
        "2 ソムサイ・ラオス首相から、経済使節団のラオス訪問に謝意を述べました。\n"
    )
    assert visits_of(text) == [("田中一郎", "LAO", "2015-10-26", None)]


@pytest.mark.model
def test_possessor_of_the_frame_noun_not_the_speaker(visits_of):
    text = (
        "日・チリ首脳会談\n平成30年11月30日\n"
        "ウルグアイを訪問中の鈴木一郎内閣総理大臣は、30日、モンテビデオ市内でセバスティアン・ロハス・チリ共和国大統領との"
        "首脳会談に臨みました。\n"
        "1 ロハス大統領から、2016年の鈴木総理のチリ訪問以来の再会を喜ぶ旨述べました。"
        "鈴木総理から、来年のロハス大統領の訪日を心待ちにしている旨述べました。\n"
    )
    assert visits_of(text) == [("鈴木一郎", "CHL", "2016", None), ("鈴木一郎", "URY", None, None)]


@pytest.mark.model
def test_visit_written_with_a_country_abbreviation(visits_of):
    text = (
        "日米首脳会談\n令和5年6月1日\n"
        "訪米中の田中一郎内閣総理大臣は、ジョン・スミス米国大統領と会談した。\n"
    )
    assert visits_of(text) == [("田中一郎", "USA", None, None)]


@pytest.mark.model
def test_coordinated_destinations_and_an_aside_without_a_clause(visits_of):
    text = (
        "共同声明\n令和5年6月1日\n"
        "1 両首脳は、本年1月の田中一郎総理大臣のイタリア及びフランス訪問の成果を確認した。\n"
        "2 鈴木一郎総理大臣は、カルロス・ロペス・ペルー大統領(実務訪問賓客として訪日中)と会談を行いました。\n"
    )
    assert visits_of(text) == [
        ("カルロス・ロペス", "JPN", None, None),
        ("田中一郎", "FRA", "2023-01", None),
        ("田中一郎", "ITA", "2023-01", None),
    ]


@pytest.mark.model
def test_joint_statement_with_an_earlier_visit_and_an_invitation(visits_of):
    text = (
        "日本国とモンテネグロとの間の共同声明\n令和6年3月14日\n"
        "ミロ・ヨヴァノヴィッチ・モンテネグロ首相は、鈴木一郎日本国内閣総理大臣の招待により、"
        "2024年3月12日から15日まで日本を公式訪問した。\n"
        "1 両首脳は、2018年1月の鈴木総理のモンテネグロ訪問以降、両国関係が着実に発展してきたことを歓迎した。\n"
        "2 ヨヴァノヴィッチ首相は、滞在中、京都を訪問し、伝統文化に触れた。\n"
        "3 ヨヴァノヴィッチ首相は、鈴木総理に対し、都合の良い時期にモンテネグロを訪問するよう招待した。\n"
        "2024年3月14日、東京にて\n"
    )
    assert visits_of(text) == [
        ("ミロ・ヨヴァノヴィッチ", "JPN", "2024-03-12", "2024-03-15"),
        ("鈴木一郎", "MNE", "2018-01", None),
    ]


@pytest.mark.model
def test_an_announced_visit_is_a_plan(visits_of):
    text = (
        "ガルシア・ホンジュラス大統領の訪日\n令和6年5月1日\n"
        "ペドロ・ガルシア・ホンジュラス大統領は、5月10日から13日まで、公式実務訪問賓客として訪日します。\n"
    )
    assert visits_of(text) == []


@pytest.mark.model
def test_country_brief_narrative_with_an_anaphor(visits_of):
    text = (
        "日本とモンゴルの関係\n令和6年4月\n"
        "(1)2015年10月、鈴木一郎総理大臣がモンゴルを訪問し、バトトルガ大統領と首脳会談を行った。"
        "同大統領は翌年3月に訪日した。\n"
        "(2)2023年11月、フレルスフ大統領が国賓として訪日した際、天皇陛下と会見した。\n"
    )
    assert visits_of(text) == [
        ("バトトルガ", "JPN", "2016-03", None),
        ("フレルスフ", "JPN", "2023-11", None),
        ("鈴木一郎", "MNG", "2015-10", None),
    ]


@pytest.mark.model
def test_hoped_for_visits_are_plans(visits_of):
    text = (
        "日・ペルー首脳電話会談\n令和6年5月1日\n"
        "鈴木一郎総理大臣は、カルロス・ロペス・ペルー大統領と電話会談を行いました。"
        "鈴木総理から、ロペス大統領の訪日が実現することを期待する旨述べました。"
        "ロペス大統領から、鈴木総理のペルー訪問を心待ちにしている旨述べました。\n"
    )
    assert visits_of(text) == []
