"""Tests for extract.dates: hand-made inputs and real sentences from the sample corpus."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from extract.dates import DateMention, era_to_year, find_dates, parse_date
from extract.facts import DateValue

ANCHOR = DateValue(2025, 12, 18)
CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def dates(text: str, anchor: DateValue | None = None) -> list[tuple[str, str | None, bool]]:
    """(start, end or None, relative) of every mention, as ISO strings."""
    return [
        (m.value.iso(), m.end_value.iso() if m.end_value else None, m.relative)
        for m in find_dates(text, anchor)
    ]


def isos(text: str, anchor: DateValue | None = None) -> list[str]:
    return [m.value.iso() for m in find_dates(text, anchor)]


# -- single dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023年7月6日に署名された", "2023-07-06"),
        ("2022年12月に", "2022-12"),
        ("2050年までに", "2050"),
        ("2050年頃", "2050"),
        ("2050年ごろ", "2050"),
        ("2050年前後", "2050"),
        ("2023年 11月 17日", "2023-11-17"),
        ("2022 年 12 月 24 日に", "2022-12-24"),
        ("２０２３年１２月２４日", "2023-12-24"),
        ("二〇二三年十二月", "2023-12"),
        ("二〇二三年十二月二十四日", "2023-12-24"),
        ("令和元年12月19日", "2019-12-19"),
        ("平成14年7月29日", "2002-07-29"),
        ("平成十四年七月二十九日", "2002-07-29"),
        ("昭和64年1月7日", "1989-01-07"),
        ("大正元年", "1912"),
        ("明治元年", "1868"),
        ("令和7年", "2025"),
        ("令和 7 年 3 月", "2025-03"),
        ("2024年2月29日", "2024-02-29"),
        ("2025年9月時点で", "2025-09"),
        ("2023年末", "2023"),
        ("1990年生まれ", "1990"),
    ],
)
def test_single_dates(text: str, iso: str) -> None:
    found = find_dates(text)
    assert [m.value.iso() for m in found] == [iso]
    assert found[0].end_value is None and not found[0].relative


def test_offsets_and_text() -> None:
    text = "両首脳は、2022 年 12 月 24 日に東京で"
    (m,) = find_dates(text)
    assert isinstance(m, DateMention)
    assert text[m.start : m.end] == m.text == "2022 年 12 月 24 日"


def test_era_to_year() -> None:
    assert era_to_year("令和", 1) == 2019
    assert era_to_year("平成", 14) == 2002
    assert era_to_year("昭和", 64) == 1989
    assert era_to_year("大正", 15) == 1926
    assert era_to_year("明治", 45) == 1912
    with pytest.raises(ValueError):
        era_to_year("天平", 1)
    with pytest.raises(ValueError):
        era_to_year("令和", 0)


def test_parse_date() -> None:
    assert parse_date("会合は令和元年12月19日に") == DateValue(2019, 12, 19)
    assert parse_date("2023年11月17日から20日") == DateValue(2023, 11, 17)
    assert parse_date("本年2月14日", anchor=ANCHOR) == DateValue(2025, 2, 14)
    assert parse_date("31年間") is None
    assert parse_date("") is None


# -- ranges --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023年 11月 17日から 20日にかけて日本を公式訪問した", "2023-11-17", "2023-11-20"),
        ("2026年4月22日から24日まで", "2026-04-22", "2026-04-24"),
        ("2023年11月17日～20日", "2023-11-17", "2023-11-20"),
        ("2023年11月30日から12月2日", "2023-11-30", "2023-12-02"),
        ("2023年12月30日から1月2日", "2023-12-30", "2024-01-02"),
        ("2023年から2025年までの", "2023", "2025"),
        ("2023 年から 2025 年までの協力プログラム", "2023", "2025"),
        ("2025－2026年の", "2025", "2026"),
        ("2025-2026年の", "2025", "2026"),
        ("1895~97年頃", "1895", "1897"),
        ("1895 <b>~</b> 97年頃", "1895", "1897"),
        ("1998~2002年", "1998", "2002"),
        ("2023年4月から6月", "2023-04", "2023-06"),
        ("2023年4月から2024年3月まで", "2023-04", "2024-03"),
        ("令和5年から令和7年まで", "2023", "2025"),
    ],
)
def test_ranges(text: str, start: str, end: str) -> None:
    assert dates(text) == [(start, end, False)]


def test_year_less_ranges_need_a_year() -> None:
    assert dates("11月17日～20日") == []
    assert dates("11月17日～20日", ANCHOR) == [("2025-11-17", "2025-11-20", True)]
    assert dates("4月から6月", ANCHOR) == [("2025-04", "2025-06", True)]


def test_not_a_range() -> None:
    # から not followed by a date, a backwards end, a duration after から
    assert dates("2010年から無印良品との契約開始") == [("2010", None, False)]
    assert dates("2022年から10年間") == [("2022", None, False)]
    assert dates("1995年から20年間") == [("1995", None, False)]
    assert isos("2025年から2023年") == ["2025", "2023"]


# -- relative dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("本年", "2025"),
        ("今年", "2025"),
        ("本年2月14日に東京で", "2025-02-14"),
        ("今年1月のアスタナにおける", "2025-01"),
        ("昨年", "2024"),
        ("前年", "2024"),
        ("来年日本において開催", "2026"),
        ("翌年", "2026"),
        ("翌々年", "2027"),
        ("同年", "2025"),
        ("同年12月", "2025-12"),
        ("同月", "2025-12"),
        ("同日", "2025-12-18"),
        ("翌日", "2025-12-19"),
        ("本日", "2025-12-18"),
        ("8月10日に開催された", "2025-08-10"),
        ("10月に", "2025-10"),
    ],
)
def test_relative_from_anchor(text: str, iso: str) -> None:
    found = find_dates(text, ANCHOR)
    assert [m.value.iso() for m in found] == [iso]
    assert found[0].relative


@pytest.mark.parametrize(
    "text",
    ["本年2月14日", "今年1月", "来年", "同年", "同月", "同日", "同年12月", "8月10日", "10月"],
)
def test_relative_without_anchor_is_left_out(text: str) -> None:
    assert find_dates(text) == []


def test_relative_from_preceding_date() -> None:
    assert dates("1991年\tソ連崩壊。同年12月、日本は国家承認。") == [
        ("1991", None, False),
        ("1991-12", None, True),
    ]
    assert dates("1999年\t8月、事件発生。10月に解放。", ANCHOR) == [
        ("1999", None, False),
        ("1999-08", None, True),
        ("1999-10", None, True),
    ]
    assert isos("2023年11月17日に到着し、同日会談。翌日出発。") == [
        "2023-11-17",
        "2023-11-17",
        "2023-11-18",
    ]
    assert isos("2002年に開始。翌年も") == ["2002", "2003"]
    # 同日 needs a day: a month-precision date cannot give one
    assert isos("2023年11月、同日") == ["2023-11"]


def test_deictic_words_prefer_the_anchor() -> None:
    # 本年 is the year of writing, not the year last mentioned
    assert isos("2023年9月に開催。本年2月14日に", ANCHOR) == ["2023-09", "2025-02-14"]
    # without an anchor, the preceding date is the best reading there is
    assert isos("2023年9月に開催。本年2月14日に") == ["2023-09", "2023-02-14"]


def test_explicit_year_after_yoku_wins() -> None:
    assert dates("2002年\t対話立ち上げ。 翌2003年に第1回会合。 翌々2004年に") == [
        ("2002", None, False),
        ("2003", None, False),
        ("2004", None, False),
    ]


# -- not dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "31年間にわたる",
        "外交関係樹立以来 31 年間",
        "30周年",
        "5年間で総額3兆円",
        "30年近く協力してきた",
        "過去21年にわたり",
        "3次にわたる",
        "2000を超える",
        "累計340 人を派遣",
        "第9回外相会合",
        "119.15億円",
        "仙台防災枠組2015－2030",
        "1980年代",
        "2000年以上の",
        "約2000年",
        "100年前",
        "20歳",
        "2023年2月30日",
        "2023年13月",
        "2023年0月",
        "5 5 日本は",
        "# 4 日キルギス関係",
        "15 日本は",
        "同年代の",
        "日本年金機構",
        "共同日程",
        "3日間",
        "5日目",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, ANCHOR) == []


def test_invalid_date_is_not_read_in_pieces() -> None:
    # an impossible 2月30日 must not leave a stray "30日" behind
    assert find_dates("2023年2月30日", ANCHOR) == []
    assert isos("2月30日と3月1日", ANCHOR) == ["2025-03-01"]


# -- real sentences from the corpus ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "サディル・ジャパロフ・キルギス共和国大統領は、2023年 11月 17日から 20日にかけて日本を公式訪問した。",
            [("2023-11-17", "2023-11-20", False)],
        ),
        (
            "3. 両首脳は、2015 年 10 月 26 日に当時の安倍晋三総理大臣がキルギス共和国を訪問したことを想起した。",
            [("2015-10-26", None, False)],
        ),
        (
            "2023 年から 2025 年までの協力プログラムが署名されたことを歓迎した。",
            [("2023", "2025", False)],
        ),
        (
            "双方は、関心分野における協力強化に向けた2025-2026年の日本・カザフスタン外務省間協力プログラムの署名を歓迎した。",
            [("2025", "2026", False)],
        ),
        (
            "日本国外務省が主催したテロ対策ワークショップが本年2月14日に東京で成功裏に開催されたことを歓迎した。",
            [("2025-02-14", None, True)],
        ),
        (
            "官民の協力にコミットし、今年1月のアスタナにおける第1回JCM合同委員会の開催を歓迎した。",
            [("2025-01", None, True)],
        ),
        (
            "双方は、カザフスタン貿易・統合大臣の出席を得て8月10日に開催されたカザフスタン・ナショナル・デーが成功裏に開催されたことを歓迎した。",
            [("2025-08-10", None, True)],
        ),
        (
            "海の水資源保全に向けた取組や、2026年4月22日から24日まで国連及びその他の国際機関と協力して",
            [("2026-04-22", "2026-04-24", False)],
        ),
        (
            "「中央アジア+日本」法務大臣会合を来年日本において開催するという日本の意図を歓迎した。",
            [("2026", None, True)],
        ),
        (
            "首脳は、外交関係樹立以降33年間にわたる日本と中央アジア5か国の関係を振り返り、過去10回の対話を評価した。",
            [],
        ),
        (
            "1999年\t8月、南部オシュ州にて邦人誘拐事件発生。JICAの地質専門家4名を3名の通訳とともに誘拐。10月に解放。",
            [("1999", None, False), ("1999-08", None, True), ("1999-10", None, True)],
        ),
        ("1895 <b>~</b> 97年頃\t福島安正・陸軍大佐、視察。", [("1895", "1897", False)]),
        ("1980年代\tNHK特集「シルクロード」放映。", []),
        (
            "(21) 首脳は、「仙台防災枠組2015－2030」に沿って、耐震補強による予防措置を講じ",
            [],
        ),
        (
            "25. 日本側は、2025 年大阪・関西万博へのキルギス共和国の参加を歓迎した。",
            [("2025", None, False)],
        ),
        ("5 5 日本は、関心のある日本人研究者の派遣を支援する。", []),
    ],
)
def test_corpus_sentences(text: str, expected: list[tuple[str, str | None, bool]]) -> None:
    assert dates(text, ANCHOR) == expected


def test_corpus_files() -> None:
    """Every corpus file: only well-formed dates, and the ones a reader would note."""
    found: dict[str, list[str]] = {}
    for path in sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md")):
        text = unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))
        mentions = find_dates(text)
        for m in mentions:
            assert text[m.start : m.end] == m.text
            assert 1800 <= m.value.year <= 2100
        found[path.name] = [m.value.iso() for m in mentions]
    everything = {iso for isos_ in found.values() for iso in isos_}
    assert {"2022-12-24", "2023-11-17", "2015-10-26", "2023-07-06", "2025-12-18"} <= everything
    assert {"2025-12-20", "2025-03-13", "1983-11-07", "1880", "1895"} <= everything


def test_a_day_after_a_japanese_comma_is_a_date_but_a_thousands_separator_is_not() -> None:
    anchor = DateValue(2019, 4, 9)
    assert [str(m.value) for m in find_dates("総理から,8日の会談では", anchor=anchor)] == ["2019-04-08"]
    assert [str(m.value) for m in find_dates("首脳は、3日に会った", anchor=anchor)] == ["2019-04-03"]
    assert find_dates("総額1,25日", anchor=anchor) == []


def test_ranges_of_days_with_one_日_and_weekdays_between() -> None:
    anchor = DateValue(2002, 12, 17)
    spans = [(m.text, str(m.value), str(m.end_value)) for m in find_dates("12月12~17日(公式日程は12~13日のみ)", anchor)]
    assert spans == [("12月12~17日", "2002-12-12", "2002-12-17"), ("12~13日", "2002-12-12", "2002-12-13")]
    (week,) = find_dates("6月4日(水曜日)から8日(日曜日)", anchor)
    assert (str(week.value), str(week.end_value)) == ("2002-06-04", "2002-06-08")
    assert find_dates("10~20日間", anchor) == []  # a duration
