"""Property-based tests of :mod:`extract.dates`: find_dates, parse_date and era_to_year.

Arbitrary text never makes the parser raise, and whatever it returns is a real calendar date at
its precision, found where it says; well-formed dates, drawn at random and written the ways
Japanese documents write them (Western or era year, half- or full-width or kanji numerals,
stray spaces), are read back as the same date at the same precision.

(The module does not read 上旬/中旬/下旬 or 頃: after a month they leave the month's precision,
which is what the round trip checks.)
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from extract.dates import ERAS, DateMention, era_to_year, find_dates, parse_date
from extract.facts import DateValue
from extract.normalize import normalize

# -- eras ------------------------------------------------------------------------------------

#: The day each era began (明治 counts from 1 January 1868: the change of era was made to apply
#: to the whole year), and the last day it was in use.
ERA_SPANS = (
    ("明治", dt.date(1868, 1, 1), dt.date(1912, 7, 29)),
    ("大正", dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    ("昭和", dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    ("平成", dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    ("令和", dt.date(2019, 5, 1), dt.date(2117, 12, 31)),  # (year 99: two digits)
)


def era_of(day: dt.date) -> tuple[str, int]:
    for era, first, last in ERA_SPANS:
        if first <= day <= last:
            return era, day.year - first.year + 1
    raise ValueError(day)


ERA_BOUNDARIES = [
    ("明治元年1月1日", DateValue(1868, 1, 1)),
    ("明治45年7月29日", DateValue(1912, 7, 29)),
    ("大正元年7月30日", DateValue(1912, 7, 30)),
    ("大正15年12月24日", DateValue(1926, 12, 24)),
    ("昭和元年12月25日", DateValue(1926, 12, 25)),
    ("昭和64年1月7日", DateValue(1989, 1, 7)),
    ("平成元年1月8日", DateValue(1989, 1, 8)),
    ("平成31年4月30日", DateValue(2019, 4, 30)),
    ("令和元年5月1日", DateValue(2019, 5, 1)),
    ("令和1年5月1日", DateValue(2019, 5, 1)),
    ("令和２年", DateValue(2020)),
    ("平成三十一年四月三十日", DateValue(2019, 4, 30)),
    ("昭和 64 年 1 月 7 日", DateValue(1989, 1, 7)),
]


@pytest.mark.parametrize(("text", "expected"), ERA_BOUNDARIES)
def test_era_boundaries(text: str, expected: DateValue) -> None:
    assert parse_date(text) == expected
    assert [m.value for m in find_dates(text)] == [expected]


def test_era_table_is_each_era_s_first_year() -> None:
    assert ERAS == {era: first.year for era, first, _ in ERA_SPANS}


@given(st.sampled_from(sorted(ERAS)), st.integers(min_value=-5, max_value=200))
def test_era_to_year(era: str, year: int) -> None:
    if year < 1:
        with pytest.raises(ValueError):
            era_to_year(era, year)
    else:
        assert era_to_year(era, year) == ERAS[era] + year - 1


@given(st.text(max_size=4))
def test_era_to_year_refuses_unknown_eras(era: str) -> None:
    assume(era not in ERAS)
    with pytest.raises(ValueError):
        era_to_year(era, 1)


# -- rendering dates the ways documents write them --------------------------------------------

_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_KANJI = "〇一二三四五六七八九"


def kanji_number(n: int) -> str:
    """1–99 in kanji numerals: 九, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    return (
        ("" if tens < 2 else _KANJI[tens]) + ("十" if tens else "") + (_KANJI[ones] if ones else "")
    )


@st.composite
def numerals(draw: st.DrawFn, n: int, *, kanji: bool = True, width: int = 0) -> str:
    style = draw(st.sampled_from(["half", "full", "kanji"] if kanji else ["half", "full"]))
    if style == "kanji":
        return kanji_number(n)
    text = str(n).zfill(width) if width else str(n)
    return text.translate(_FULL) if style == "full" else text


SPACE = st.sampled_from(["", "", "", " ", "\u3000", "  "])

PRECISIONS = ("year", "month", "day")
DATES = st.one_of(
    st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.dates(min_value=dt.date(1868, 1, 1), max_value=dt.date(2117, 12, 31)),
    st.builds(
        lambda first, shift: first + dt.timedelta(days=shift),
        st.sampled_from([first for _, first, _ in ERA_SPANS[1:]]),
        st.integers(min_value=-3, max_value=3),
    ),
)


def at_precision(day: dt.date, precision: str) -> DateValue:
    if precision == "year":
        return DateValue(day.year)
    if precision == "month":
        return DateValue(day.year, day.month)
    return DateValue(day.year, day.month, day.day)


@st.composite
def written_date(
    draw: st.DrawFn, day: dt.date, precision: str, *, units: tuple[str, ...] = PRECISIONS
) -> str:
    """``day`` written at ``precision``, with only the ``units`` asked for (a range's end may
    leave out the year, or the year and month, it shares with the start)."""
    parts = []
    if "year" in units:
        in_era = day >= ERA_SPANS[0][1] and day <= ERA_SPANS[-1][2] and draw(st.booleans())
        if in_era:
            era, year = era_of(day)
            number = "元" if year == 1 and draw(st.booleans()) else draw(numerals(year))
            parts.append(era + draw(SPACE) + number + draw(SPACE) + "年")
        elif draw(st.booleans()):
            zero = draw(st.sampled_from("〇○"))
            parts.append("".join(_KANJI[int(c)] for c in str(day.year)).replace("〇", zero))
            parts.append(draw(SPACE) + "年")
        else:
            parts.append(draw(numerals(day.year, kanji=False)) + draw(SPACE) + "年")
    if precision in ("month", "day") and "month" in units:
        parts.append(draw(SPACE) + draw(numerals(day.month)) + draw(SPACE) + "月")
    if precision == "day":
        # a day without its month is read in digits only (一日, 十日 are as often counts)
        kanji = "month" in units
        parts.append(draw(SPACE) + draw(numerals(day.day, kanji=kanji)) + draw(SPACE) + "日")
    return "".join(parts)


# what may stand around a date without changing it
PREFIXES = st.sampled_from(["", "、", "は", "本協定は", "(", "「", "日本国と", "\n", "\t"])
SUFFIXES = st.sampled_from(
    ["", "に", "、", "。", "に署名された。", "付", "上旬", "中旬", "下旬", "頃", "ごろ", "現在", "まで",
     "の会談", "(水)", "(現地時間)", "」", "\n", " 東京"]
)  # fmt: skip


@given(DATES, st.sampled_from(PRECISIONS), PREFIXES, SUFFIXES, st.data())
def test_a_written_date_is_read_back(
    day: dt.date, precision: str, prefix: str, suffix: str, data: st.DataObject
) -> None:
    written = data.draw(written_date(day, precision))
    expected = at_precision(day, precision)
    text = prefix + written + suffix
    found = find_dates(text)
    assert found == [DateMention(len(prefix), len(prefix) + len(written), written, expected)]
    assert parse_date(text) == expected
    # parse_document reads dates from the normalized text: the same date there
    assert [m.value for m in find_dates(normalize(text))] == [expected]


@given(DATES, DATES, st.sampled_from(PRECISIONS), st.data())
def test_a_written_range_is_read_back(
    first: dt.date, second: dt.date, precision: str, data: st.DataObject
) -> None:
    start, end = at_precision(first, precision), at_precision(second, precision)
    key = lambda v: (v.year, v.month or 0, v.day or 0)
    assume(key(start) < key(end))
    units = PRECISIONS
    if end.year == start.year and precision != "year" and data.draw(st.booleans()):
        same_month = precision == "day" and end.month == start.month
        units = ("day",) if same_month and data.draw(st.booleans()) else ("month", "day")
    left = data.draw(written_date(first, precision))
    right = data.draw(written_date(second, precision, units=units))
    sep = data.draw(st.sampled_from(["から", "~", "〜", "～", "－", "-", " から ", "より", "—"]))
    text = left + sep + right
    # a day without its month is read without a space before 日 only (a bare "5 日" is not
    # read): the space is gone once the text is normalized, where parse_document reads dates
    if units != ("day",) or not re.search(r"[ \u3000]日$", right):
        assert find_dates(text) == [DateMention(0, len(text), text, start, end)]
    if not re.search(r"[ \u3000]{3,}", text):  # (three spaces are a column gap: a tab, a cell)
        assert [(m.value, m.end_value) for m in find_dates(normalize(text))] == [(start, end)]


@given(
    st.integers(min_value=1000, max_value=9899),
    st.integers(min_value=1, max_value=99),
    st.sampled_from(["~", "〜", "－", "-"]),
    st.booleans(),
)
def test_a_short_range_of_years_is_read_back(year: int, span: int, dash: str, short: bool) -> None:
    """``1895~97年`` and ``2025－2026年``: one 年 for both years."""
    end = year + span
    text = f"{year}{dash}{end % 100:02d}年" if short else f"{year}{dash}{end}年"
    assert find_dates(text) == [DateMention(0, len(text), text, DateValue(year), DateValue(end))]


# -- arbitrary text ---------------------------------------------------------------------------

DATE_TOKENS = st.sampled_from(
    [
        "0", "1", "2", "9", "12", "31", "2019", "2023", "9999", "0000", "1895", "97",
        "０", "１", "２", "３", "１２", "２０２３", "〇", "○", "一", "二", "十", "三十一", "二〇二三",
        "年", "月", "日", "元年", "令和", "平成", "昭和", "大正", "明治", "令和元年", "平成31年",
        "同年", "本年", "今年", "昨年", "来年", "翌年", "前年", "翌々年", "一昨年", "同月", "今月",
        "翌月", "先月", "同日", "本日", "翌日", "前日", "上旬", "中旬", "下旬", "頃", "ごろ",
        "~", "〜", "～", "－", "-", "から", "より", "まで", "にかけて", "(水)", "(木曜日)",
        "<b>", "</b>", "間", "目", "以上", "代", "周年", "約", "過去", "日本", "日中", "、", "。",
        " ", "\u3000", "\n", "\t", ".", ",", "第", "号",
    ]
)  # fmt: skip
DATE_TEXT = st.one_of(
    st.lists(DATE_TOKENS, max_size=25).map("".join),
    st.text(max_size=60),
    st.text(
        st.sampled_from("0123456789０１２年月日元令和平成昭和同本翌前~〜から 十一二三"), max_size=40
    ),
)
ANCHORS = st.one_of(
    st.none(),
    st.builds(
        at_precision,
        st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
        st.sampled_from(PRECISIONS),
    ),
    st.sampled_from(
        [DateValue(9999, 12, 31), DateValue(1, 1, 1), DateValue(9999, 12), DateValue(1)]
    ),
)


def is_calendar_date(value: DateValue) -> bool:
    if not 1 <= value.year <= 9999:
        return False
    if value.month is None:
        return value.day is None
    if not 1 <= value.month <= 12:
        return False
    if value.day is None:
        return True
    try:
        dt.date(value.year, value.month, value.day)
    except ValueError:
        return False
    return True


def _low(v: DateValue) -> tuple[int, int, int]:
    return (v.year, v.month or 0, v.day or 0)


def _high(v: DateValue) -> tuple[int, int, int]:
    return (v.year, v.month or 99, v.day or 99)


@given(DATE_TEXT, ANCHORS)
@example("9999年12月31日、翌日", None)  # the day after the last date there is
@example("翌日", DateValue(9999, 12, 31))
@example("前日", DateValue(1, 1, 1))
@example("2019年4月から5月1~3日", None)  # a range of days starting inside the range before
@example("令和元年~来年", None)
def test_find_dates_returns_real_dates_where_it_says(text: str, anchor: DateValue | None) -> None:
    found = find_dates(text, anchor)
    end = 0
    for mention in found:
        assert end <= mention.start < mention.end <= len(text), "in order, not overlapping"
        end = mention.end
        assert text[mention.start : mention.end] == mention.text
        assert is_calendar_date(mention.value), mention
        if mention.end_value is not None:
            assert is_calendar_date(mention.end_value), mention
            assert mention.end_value != mention.value
            assert _high(mention.end_value) > _low(mention.value), "a range ends after it starts"
    if anchor is None and found:
        # nothing to resolve the first date from, but a range's end may be resolved from its
        # start (2019年~来年: the preceding date stands in for a missing anchor, by design)
        assert not found[0].relative or found[0].end_value is not None, found[0]
    assert parse_date(text, anchor) == (found[0].value if found else None)


@given(DATE_TEXT)
def test_an_absolute_date_reads_the_same_on_its_own(text: str) -> None:
    """A date that was not resolved from anything is read the same without its context."""
    for mention in find_dates(text):
        if mention.relative:
            continue
        alone = find_dates(mention.text)
        assert [(m.value, m.end_value) for m in alone] == [(mention.value, mention.end_value)]


# -- what the fuzzing found --------------------------------------------------------------------


def test_no_day_after_the_last_date_or_before_the_first() -> None:
    """翌日/前日 beyond 9999-12-31 or 0001-01-01 raised OverflowError; now they are left out."""
    assert [m.value for m in find_dates("9999年12月31日、翌日")] == [DateValue(9999, 12, 31)]
    assert find_dates("翌日", anchor=DateValue(9999, 12, 31)) == []
    assert find_dates("前日", anchor=DateValue(1, 1, 1)) == []


def test_a_range_of_days_starting_inside_the_date_before_is_not_read_twice() -> None:
    """``5月`` ended one range and started the next (5月1~3日): the mentions overlapped."""
    found = find_dates("2019年4月から5月1~3日")
    assert [(m.text, m.value, m.end_value) for m in found] == [
        ("2019年4月から5月", DateValue(2019, 4), DateValue(2019, 5))
    ]
