"""Japanese dates: find them in text and normalize them to :class:`~extract.facts.DateValue`.

Dates are lexical, so this module is a compact regular-expression parser. It handles

* Western dates at the precision the text gives: ``2023年7月6日``, ``2022年12月``, ``2050年``,
  with stray spaces (``2022 年 12 月 24 日``), full-width digits and kanji numerals
  (``二〇二三年十二月``);
* era dates: ``令和元年12月19日``, ``平成14年7月29日`` (令和, 平成, 昭和, 大正, 明治);
* ranges: ``2023年11月17日から20日``, ``11月17日～20日``, ``2023年から2025年``,
  ``2025－2026年``, ``1895~97年``, ``4月から6月``;
* relative dates, resolved as a careful reader would:

  - words that point at the time of writing (本年, 今年, 昨年, 来年, 本日, 今月…) from ``anchor``
    (the document's date), or else from the nearest preceding date in the text;
  - words that point back (同年, 同月, 同日, 前年, 翌年, 翌々年, 翌日…) and year-less dates
    (``8月10日``, ``10月``) from the nearest preceding date in the text, or else from ``anchor``.

  A relative date that cannot be resolved at its precision is left out, never guessed.

Not dates: durations and counts (``31年間``, ``30周年``, ``30年近く``, ``2000年以上``), decades
(``1980年代``), numbers without a date unit, and year pairs without 年 inside names
(``仙台防災枠組2015－2030``: the name, not an event date).

>>> [m.value.iso() for m in find_dates("2023年 11月 17日から 20日にかけて訪日した。")]
['2023-11-17']
>>> parse_date("同日、署名された。", anchor=DateValue(2025, 12, 18))
DateValue(year=2025, month=12, day=18)
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from .facts import DateValue

__all__ = ["ERAS", "DateMention", "era_to_year", "find_dates", "parse_date"]

#: Japanese eras: the Western year of each era's first year (元年).
ERAS: dict[str, int] = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868}


@dataclass(frozen=True)
class DateMention:
    """A date, or a date range, found in a text.

    ``start``/``end`` are offsets into the text given to :func:`find_dates`; ``value`` is the
    date or the start of a range, ``end_value`` the end of a range. ``relative`` is True when
    any part was resolved from the anchor or from a preceding date (本年, 同日, ``8月10日``).
    """

    start: int
    end: int
    text: str
    value: DateValue
    end_value: DateValue | None = None
    relative: bool = False


def era_to_year(era: str, year: int) -> int:
    """The Western year of year ``year`` (元年 = 1) of a Japanese era.

    >>> era_to_year("令和", 1), era_to_year("平成", 14), era_to_year("令和", 7)
    (2019, 2002, 2025)

    Raises :class:`ValueError` for an unknown era or a year below 1. Years past an era's end are
    computed all the same (documents written before 2019 speak of 平成32年 = 2020).
    """
    try:
        first = ERAS[era]
    except KeyError:
        raise ValueError(f"unknown era: {era!r}") from None
    if year < 1:
        raise ValueError(f"era year must be 1 or more: {year}")
    return first + year - 1


# -- patterns --------------------------------------------------------------------------------

_S = r"[ \u3000]*"  # stray spaces (not tabs or newlines: those separate cells and lines)
_D = r"[0-9０-９]"
_NOT_NUM_BEFORE = r"(?<![0-9０-９.．])(?<![0-9０-９][,，])"  # a comma after a digit is a thousands separator
_KDIGIT = "〇○零一二三四五六七八九"
_NOT_KANJI_NUM_BEFORE = r"(?<![〇○零一二三四五六七八九十百千万億兆])"
_NOT_KANJI_BEFORE = r"(?<![\u3400-\u9fff々〆])"  # relative words start a word (not 日本年…)
_TAG = r"<[^<>\n]{1,20}>"  # inline markup left in .md sources: "1895 <b>~</b> 97年"
_DASHES = "~～〜\\-－‐‑–—―"
_WEEKDAY = r"(?:[(（][月火水木金土日](?:曜日?)?[)）])"  # 4日(水曜日)から8日(日曜日)
_SEP = rf"{_S}{_WEEKDAY}?{_S}(?:{_TAG}{_S})*(?:から|より|[{_DASHES}]){_S}(?:{_TAG}{_S})*"
_SEP_LOOK = rf"{_S}(?:{_TAG}{_S})*[{_DASHES}]{_S}(?:{_TAG}{_S})*"

_ERA = "|".join(ERAS)
_KMONTH = "十[一二]|十|[一二三四五六七八九]"
_KDAY = "三十一|三十|二十[一二三四五六七八九]|二十|十[一二三四五六七八九]|十|[一二三四五六七八九]"
_KERA_YEAR = "[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九]"

# relative words -> (kind, offset); deictic words point at the time of writing,
# anaphoric ones at the preceding date
_REL_YEAR = {
    "一昨年": ("deictic", -2), "再来年": ("deictic", 2), "本年": ("deictic", 0),
    "今年": ("deictic", 0), "昨年": ("deictic", -1), "去年": ("deictic", -1),
    "来年": ("deictic", 1), "翌々年": ("anaphoric", 2), "翌年": ("anaphoric", 1),
    "前年": ("anaphoric", -1), "同年": ("anaphoric", 0),
}  # fmt: skip
_REL_MONTH = {
    "今月": ("deictic", 0), "先月": ("deictic", -1), "来月": ("deictic", 1),
    "同月": ("anaphoric", 0), "翌月": ("anaphoric", 1), "前月": ("anaphoric", -1),
}  # fmt: skip
_REL_DAY = {
    "本日": ("deictic", 0), "同日": ("anaphoric", 0), "翌日": ("anaphoric", 1),
    "前日": ("anaphoric", -1),
}  # fmt: skip


def _alts(words: dict[str, tuple[str, int]]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _expr(p: str, *, short_year: bool) -> str:
    """One date expression: [year part] [month part] [day part], group names prefixed ``p``."""
    year_alts = [
        rf"(?P<{p}era>{_ERA}){_S}(?P<{p}eyear>元|{_D}{{1,2}}|{_KERA_YEAR}){_S}年",
        rf"{_NOT_NUM_BEFORE}(?P<{p}year>{_D}{{4}}|[{_KDIGIT}]{{4}}){_S}年",
        rf"{_NOT_KANJI_BEFORE}(?P<{p}ryear>{_alts(_REL_YEAR)})(?!代|齢|比)",
    ]
    if short_year:
        year_alts.append(rf"{_NOT_NUM_BEFORE}(?P<{p}syear>{_D}{{2}}){_S}年")
    year = "|".join(year_alts)
    month = (
        rf"{_NOT_NUM_BEFORE}{_NOT_KANJI_NUM_BEFORE}(?P<{p}month>{_D}{{1,2}}|{_KMONTH}){_S}月"
        rf"|{_NOT_KANJI_BEFORE}(?P<{p}rmonth>{_alts(_REL_MONTH)})"
    )
    day = (
        rf"{_NOT_NUM_BEFORE}{_NOT_KANJI_NUM_BEFORE}(?P<{p}day>{_D}{{1,2}}|{_KDAY})(?P<{p}dsp>{_S})日"
        rf"|{_NOT_KANJI_BEFORE}(?P<{p}rday>{_alts(_REL_DAY)})"
    )
    # the lookahead keeps the all-optional body from matching the empty string
    first = "|".join(re.sub(r"\(\?P<\w+>", "(?:", x) for x in (year, month, day))
    return (
        rf"(?=(?:{first}))"
        rf"(?:{year})?(?:{_S}(?:{month}))?(?:{_S}(?:{day}))?"
    )


_DATE_RE = re.compile(
    rf"(?:{_NOT_NUM_BEFORE}(?P<bare>{_D}{{4}})(?={_SEP_LOOK}{_D}{{2,4}}{_S}年)"
    rf"|{_expr('a_', short_year=False)})"
    rf"(?:(?P<sep>{_SEP}){_expr('b_', short_year=True)})?"
)
_SINGLE_RE = re.compile(_expr("a_", short_year=False))

# what makes a number + unit a duration, a count or a decade rather than a date
_NOT_AFTER_YEAR = re.compile(
    r"[ \u3000]*(?:間|代|以上|以下|未満|以内|以来|来|前(?![後半])|後(?!半)|ぶり|振り|余|目|近く|にわた|に渡|"
    r"超|弱|強|半|ほど|程度|越し|もの|の歴史)"
)
_NOT_AFTER_MONTH = re.compile(
    r"[ \u3000]*(?:間|目|以上|以下|未満|以内|前(?![後半])|後(?!半)|ぶり|振り|余|近く|にわた|に渡|半|ほど|程度)"
)
_NOT_AFTER_DAY = re.compile(
    r"[ \u3000]*(?:間|目|以上|以下|未満|以内|前(?![後半])|後(?!半)|ぶり|振り|余|近く|にわた|に渡|半|分|ほど|程度|も早)"
)
# a bare day ("24日") glued to what follows: 日本, 日中, 日キルギス… are not dates
_DAY_GLUED = re.compile(r"[本系中米露韓欧印豪英仏独台越朝・+＋\u30a0-\u30ff]")
_NOT_BEFORE_YEAR = re.compile(r"(?:約|過去|累計|延べ|およそ|計)[ \u3000]*$")

_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


def _number(text: str) -> int:
    """ASCII, full-width or kanji numerals: ``"12"``, ``"１２"``, ``"十二"``, ``"二〇二三"``, ``"元"``."""
    if text == "元":
        return 1
    if text.isdecimal():
        return int(text)
    if "十" not in text:  # digit by digit: 二〇二三
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


# -- resolution ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    """The pieces of one matched date expression, before resolution."""

    end: int  # where the accepted pieces end (may be before the regex match end)
    year: int | None = None  # explicit year
    short_year: int | None = None  # two-digit year of a range end
    rel_year: str | None = None
    month: int | None = None
    rel_month: str | None = None
    day: int | None = None
    rel_day: str | None = None
    last_unit: str = "year"  # year | month | day | word


def _parts(m: re.Match[str], p: str, text: str) -> _Parts | None:
    """Read the groups prefixed ``p``; None when they make no date (e.g. a bare ``5 日``)."""
    g = m.groupdict()
    year = short_year = month = day = None
    rel_year = rel_month = rel_day = None
    end = -1
    has_year = False
    if g[f"{p}era"] is not None:
        try:
            year = era_to_year(g[f"{p}era"], _number(g[f"{p}eyear"]))
        except ValueError:
            return None
        has_year, end, last = True, m.end(f"{p}eyear"), "year"
    elif g[f"{p}year"] is not None:
        year = _number(g[f"{p}year"])
        if _NOT_BEFORE_YEAR.search(text, max(0, m.start(f"{p}year") - 8), m.start(f"{p}year")):
            return None
        has_year, end, last = True, m.end(f"{p}year"), "year"
    elif g.get(f"{p}syear") is not None:
        short_year = _number(g[f"{p}syear"])
        has_year, end, last = True, m.end(f"{p}syear"), "year"
    elif g[f"{p}ryear"] is not None:
        rel_year = g[f"{p}ryear"]
        has_year, end, last = True, m.end(f"{p}ryear"), "word"
    if has_year and last == "year":
        end = text.index("年", end) + 1
    has_month = False
    if g[f"{p}month"] is not None:
        month = _number(g[f"{p}month"])
        end = text.index("月", m.end(f"{p}month")) + 1
        has_month, last = True, "month"
    elif g[f"{p}rmonth"] is not None and not has_year:
        rel_month = g[f"{p}rmonth"]
        end = m.end(f"{p}rmonth")
        has_month, last = True, "word"
    if g[f"{p}day"] is not None and (has_month or not has_year):
        raw = g[f"{p}day"]
        d_end = text.index("日", m.end(f"{p}day")) + 1
        if has_month or (
            raw.isdecimal() and not g[f"{p}dsp"] and not _DAY_GLUED.match(text, d_end)
        ):
            day, end, last = _number(raw), d_end, "day"
    elif g[f"{p}rday"] is not None and not has_year and not has_month:
        rel_day, end, last = g[f"{p}rday"], m.end(f"{p}rday"), "word"
    if end < 0:
        return None
    return _Parts(end, year, short_year, rel_year, month, rel_month, day, rel_day, last)


def _shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def _base(kind: str, ref: DateValue | None, anchor: DateValue | None) -> list[DateValue]:
    """Where a relative piece is resolved from, in order of preference."""
    order = (anchor, ref) if kind == "deictic" else (ref, anchor)
    return [b for b in order if b is not None]


def _valid(year: int, month: int | None, day: int | None) -> DateValue | None:
    if not 1 <= year <= 9999:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        if month is None:
            return None
        try:
            _dt.date(year, month, day)
        except ValueError:
            return None
    return DateValue(year, month, day)


def _resolve(
    parts: _Parts, ref: DateValue | None, anchor: DateValue | None, start: DateValue | None = None
) -> tuple[DateValue, bool] | None:
    """The date ``parts`` give, and whether it was resolved from elsewhere; None if unresolvable.

    ``start`` is the start of a range when ``parts`` is its end: missing higher units come from it.
    """
    if parts.rel_day is not None:
        kind, offset = _REL_DAY[parts.rel_day]
        for base in _base(kind, ref, anchor):
            if base.day is not None and base.month is not None:
                try:
                    d = _dt.date(base.year, base.month, base.day) + _dt.timedelta(days=offset)
                except OverflowError:  # the day after 9999-12-31
                    return None
                return DateValue(d.year, d.month, d.day), True
        return None
    if parts.rel_month is not None:
        kind, offset = _REL_MONTH[parts.rel_month]
        for base in _base(kind, ref, anchor):
            if base.month is not None:
                y, mo = _shift_month(base.year, base.month, offset)
                value = _valid(y, mo, parts.day)
                return (value, True) if value else None
        return None
    relative = False
    year = parts.year
    if parts.short_year is not None:
        if start is None:
            return None
        year = start.year // 100 * 100 + parts.short_year
        if year <= start.year:
            year += 100
    elif parts.rel_year is not None:
        kind, offset = _REL_YEAR[parts.rel_year]
        bases = _base(kind, ref, anchor)
        if not bases:
            return None
        year, relative = bases[0].year + offset, True
    elif year is None:  # year-less: 8月10日, 10月, 20日
        month = parts.month
        if start is not None:
            year = start.year
            if month is None:
                month = start.month
        else:
            need_month = month is None
            bases = [
                b for b in _base("anaphoric", ref, anchor) if b.month is not None or not need_month
            ]
            if not bases:
                return None
            year, relative = bases[0].year, True
            if need_month:
                month = bases[0].month
        value = _valid(year, month, parts.day)
        return (value, relative) if value else None
    assert year is not None
    value = _valid(year, parts.month, parts.day)
    return (value, relative) if value else None


def _rejected_after(parts: _Parts, text: str) -> bool:
    """True when what follows makes the expression a duration or count (``31年間``, ``5日目``)."""
    table = {"year": _NOT_AFTER_YEAR, "month": _NOT_AFTER_MONTH, "day": _NOT_AFTER_DAY}
    pattern = table.get(parts.last_unit)
    return bool(pattern and pattern.match(text, parts.end))


def _key(v: DateValue, *, high: bool) -> tuple[int, int, int]:
    pad = 99 if high else 0
    return (v.year, v.month if v.month is not None else pad, v.day if v.day is not None else pad)


# -- public functions ------------------------------------------------------------------------


def find_dates(text: str, anchor: DateValue | None = None) -> list[DateMention]:
    """Every date and date range in ``text``, in order of appearance.

    ``anchor`` is the document's date, for 本年, 来年, 同日… Relative dates are resolved from it
    and from the nearest preceding date in ``text`` (the end of a preceding range, and resolved
    relative dates count); those that cannot be resolved are left out.

    >>> [(m.text, str(m.value), str(m.end_value)) for m in find_dates("2025－2026年の計画")]
    [('2025－2026年', '2025', '2026')]
    >>> [str(m.value) for m in find_dates("本年2月14日に開催", anchor=DateValue(2025, 12, 18))]
    ['2025-02-14']
    >>> find_dates("外交関係樹立以来31年間、30周年")
    []
    """
    found: list[DateMention] = []
    ref: DateValue | None = None
    pos = 0
    day_ranges = {m.start(): m for m in _DAY_RANGE.finditer(text)}
    while True:
        m = _DATE_RE.search(text, pos)
        if m is None:
            break
        short = next((r for at, r in day_ranges.items() if at <= m.start() < r.end()), None)
        if short is not None and short.start() < pos:  # it begins inside the date before
            pos = short.end()
            continue
        if short is not None:  # 12月12~17日: the month's days, the first without its 日
            mention = _day_range(short, text, ref, anchor)
            if mention is not None:
                found.append(mention)
                ref = mention.end_value
                pos = short.end()
                continue
        mention = _range(m, text, ref, anchor)
        if mention is None:
            mention, skip = _single(m.start(), text, ref, anchor)
            if mention is None:  # not a date: skip what was read as one (2023年2月30日, 2000年以上)
                pos = max(skip, m.start() + 1)
                continue
        found.append(mention)
        ref = mention.end_value or mention.value
        pos = mention.end
    return found


_DAY_RANGE = re.compile(
    rf"(?:(?P<y>{_D}{{4}}){_S}年{_S})?(?:(?P<m>{_D}{{1,2}}){_S}月{_S})?{_NOT_NUM_BEFORE}"
    rf"(?P<d1>{_D}{{1,2}}){_S}[{_DASHES}]{_S}(?P<d2>{_D}{{1,2}}){_S}日(?![間目])"
)


def _day_range(m: re.Match[str], text: str, ref: DateValue | None, anchor: DateValue | None) -> DateMention | None:
    """``12月12~17日`` (or ``12~13日`` in the month just named): a range of days written with one 日."""
    year, relative = (_number(m.group("y")), False) if m.group("y") else (None, True)
    month = _number(m.group("m")) if m.group("m") else None
    if year is None or month is None:
        bases = [b for b in _base("anaphoric", ref, anchor) if month is not None or b.month is not None]
        if not bases:
            return None
        year = year if year is not None else bases[0].year
        month = month if month is not None else bases[0].month
    d1, d2 = _number(m.group("d1")), _number(m.group("d2"))
    start, end = _valid(year, month, d1), _valid(year, month, d2)
    if start is None or end is None or d2 <= d1:
        return None
    return DateMention(m.start(), m.end(), m.group(), start, end, relative)


def _single(
    at: int, text: str, ref: DateValue | None, anchor: DateValue | None
) -> tuple[DateMention | None, int]:
    """The date expression at ``at``, and where it ends (also when it is not a date)."""
    m = _SINGLE_RE.match(text, at)
    if m is None:
        return None, at
    parts = _parts(m, "a_", text)
    if parts is None:
        return None, at
    resolved = None if _rejected_after(parts, text) else _resolve(parts, ref, anchor)
    if resolved is None:
        return None, parts.end
    value, relative = resolved
    return DateMention(at, parts.end, text[at : parts.end], value, None, relative), parts.end


def _range(
    m: re.Match[str], text: str, ref: DateValue | None, anchor: DateValue | None
) -> DateMention | None:
    """The range ``m`` matched (start SEP end), or None when it is not a valid range."""
    if m.group("sep") is None:
        return None
    if m.group("bare") is not None:
        start_parts: _Parts | None = _Parts(m.end("bare"), year=_number(m.group("bare")))
    else:
        start_parts = _parts(m, "a_", text)
    end_parts = _parts(m, "b_", text)
    if start_parts is None or end_parts is None or end_parts.end != m.end():
        return None
    if start_parts.end != m.start("sep"):  # the start expression was cut short
        return None
    if end_parts.short_year is not None and not re.search(f"[{_DASHES}]", m.group("sep")):
        return None  # 1895~97年, but not 2020年から10年
    if m.group("bare") is not None and (
        end_parts.month is not None or end_parts.rel_year is not None
    ):
        return None
    if _rejected_after(end_parts, text):
        return None
    start = _resolve(start_parts, ref, anchor)
    if start is None:
        return None
    end = _resolve(end_parts, start[0], anchor, start=start[0])
    if end is None:
        return None
    if (
        _key(end[0], high=True) <= _key(start[0], high=False)
        and end_parts.month is not None
        and (end_parts.year is None and end_parts.rel_year is None)
    ):  # 12月30日から1月2日: the end falls in the next year
        value = _valid(end[0].year + 1, end[0].month, end[0].day)
        if value is None:
            return None
        end = (value, end[1])
    # the end must carry the start's precision at least as far as the start's own units reach
    if _key(end[0], high=True) <= _key(start[0], high=False) or end[0] == start[0]:
        return None
    relative = start[1] or end[1]
    return DateMention(m.start(), m.end(), text[m.start() : m.end()], start[0], end[0], relative)


def parse_date(text: str, anchor: DateValue | None = None) -> DateValue | None:
    """The first date in ``text`` (the start of a range), or None.

    >>> parse_date("令和元年12月19日")
    DateValue(year=2019, month=12, day=19)
    >>> parse_date("21年にわたり") is None
    True
    """
    found = find_dates(text, anchor)
    return found[0].value if found else None
