"""Property-based tests of :func:`extract.normalize.normalize` (what its docstring promises).

``normalize`` returns text, no offset map, so the properties are about that text: it never
raises, it is idempotent, and it holds none of what the normalizer removes or maps away
(other line ends, control and zero-width characters, non-NFKC forms, CJK radicals, blank lines,
stray spaces).
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from extract.normalize import edit_distance, is_japanese_char, normalize

# -- strategies ------------------------------------------------------------------------------


def _block(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.characters(min_codepoint=lo, max_codepoint=hi, exclude_categories=("Cs",))


#: Japanese-heavy characters and the debris PDF extraction leaves among them.
JAPANESE_CHARS = st.one_of(
    _block(0x3041, 0x30FF),  # hiragana, katakana
    _block(0x4E00, 0x9FFF),  # CJK ideographs
    _block(0x3000, 0x303F),  # CJK punctuation (、。「」〜…)
    _block(0xFF01, 0xFF9F),  # full-width ASCII, half-width katakana
    _block(0x2E80, 0x2EFF),  # CJK Radicals Supplement (Chromium PDFs: ⻑ for 長)
    _block(0x2F00, 0x2FDF),  # Kangxi radicals (NFKC maps them)
    _block(0x0300, 0x036F),  # combining marks
    _block(0x3099, 0x309A),  # combining (han)dakuten
    _block(0x0000, 0x001F),  # C0 controls, NUL, tab, line ends
    _block(0x007F, 0x009F),  # DEL, C1 controls (NEL)
    _block(0x2000, 0x206F),  # general punctuation: spaces, ZWSP, U+2027, U+2028/2029, WJ
    _block(0x0600, 0x06FF),  # another script, for the "debris inside a word" rule
    _block(0x0400, 0x04FF),
    st.sampled_from("\u2027\u00b7\u2219\u22c5\u2022・ー\u00ad\ufeff\u3000\u00a0 \t\n\r"),
    st.sampled_from("ⅠⅡⅢⅣⅤ①②③㈱㍻℡ｶﾞﾊﾟ"),  # compatibility characters NFKC rewrites
    _block(0x0020, 0x007E),
)

#: Pieces of the layout and markup the normalizer undoes, to reach its line-level rules.
MARKUP = st.sampled_from(
    [
        "\n", "\n\n", "\r\n", "\r", "\u2028", "\x0c", " ", "   ", "\t", "\u3000",
        "# ", "## ", "###### ", " ##", "> ", ">", "**", "__", "---", "***", "| ", " |", "|---|",
        "- ", "* ", "+ ", "• ", "・", "▶", "✓", "◆", "■ ", "★",
        "1 ", "12 ", "１．", "1.", "2)", "(1) ", "（５０）", "4-1 ", "Ⅱ．", "I ", "IV. ", "XII ",
        "(仮訳)", "(概要)", "、", "。", "．", "!", "?", "」", "「", "(", ")", "ー", "を", "っ",
        "&amp;", "&amp;amp;", "&lt;b&gt;", "&#13;", "&#x2028;", "&#x200b;", "&#133;", "&nbsp;",
        "&#12354;", "&", "<b>", "</b>", "<br/>", "<span class='x'>", "amp;", "lt", "#10;", "<",
        "b>", "_", "__", "‧", "サ", "ジ",
        "J I C A", "4 3", "(4 1)", "a", "Z", "0", "9",
        "2023年 11月 17日", "令和元年", "31 年間", "26 日に", "6 日本側は", "年", "月", "日",
        "双方は、", "協力する", "首脳は", "確認した。", "トランسفォーメーション", "Москва",
        "サディル\u2027ジャパロフ", "⻑官", "\u200b", "\ufeff", "\x00", "e\u0301", "\u0301",
    ]
)  # fmt: skip

JAPANESE_TEXT = st.text(JAPANESE_CHARS, max_size=80)
DOCUMENT_LIKE = st.lists(
    st.one_of(MARKUP, st.text(JAPANESE_CHARS, min_size=1, max_size=6)), max_size=40
).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=80), JAPANESE_TEXT, DOCUMENT_LIKE)

# what the normalizer removes or maps away; none of it may be in its output
_OTHER_LINE_ENDS = re.compile(r"[\r\v\f\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_MAPPED_RADICALS = "⺠⻑⻄⻘⻝⻤⻣⻯⻩⻭⻲⺟⻁⻆⻉⻋⻊⻨⻫⻬"
_DOT_BETWEEN_KATAKANA = re.compile(
    r"[\u30a1-\u30fa\u30fc][\u2027\u00b7\u2219\u22c5\u2022][\u30a1-\u30fa]"
)


# -- properties ------------------------------------------------------------------------------


#: Inputs the fuzzing found (or that reading the code predicted) that broke idempotence, and
#: what they normalize to now.
REGRESSIONS = [
    # an entity standing for a line end, a control or a zero-width character was decoded after
    # those had been dropped, so the second pass dropped or split them
    ("a&#13;b", "ab"),
    ("日本&#x2028;語", "日本\n語"),
    ("&#x200b;J&#xad;ICA&#xfeff;", "JICA"),
    # more levels of entities than the decoding loop allowed (5)
    ("&amp;amp;amp;amp;amp;amp;lt;", "<"),
    # a dropped control, zero-width space or tag brought marks together that NFKC composes or
    # reorders on the second pass
    ("\u034a\x1f\u0316", "\u0316\u034a"),
    ("e\u200b\u0301", "é"),
    ("e<b>\u0301</b>", "é"),
    # a mark under a mark: only the first was taken off
    ("## > 見出し", "見出し"),
    ("◆ ## 見出し", "見出し"),
    ("# # 見出し", "見出し"),
    ("# •", ""),
    ("## ・総論", "総論"),
    # a rule under a heading mark or in a pipe table's cells
    ("# -|", ""),
    ("|===||", ""),
    ("|==|=|", ""),
    # two spaces between digits were collapsed after the spaced-out digits had been closed up
    ("0 &nbsp0", "00"),
    ("0  0", "00"),
    # a numbered heading is printed as a numbered line, so it must be read as one
    ("◆0.\r0", "0. 0"),
    ("テキスト、\n◆26 日に", "テキスト、26日に"),
    # a line joined to the one before can start with a paragraph number: printed as one
    ("0\r):", "0) :"),
    ("(4\n) 双方は", "(4) 双方は"),
    ("# 0\r):", "0) :"),
    ("- 0\r):", "0) :"),
    # markup that joining lines or dropping a space put together was left for the second pass
    ("__\ra", "a"),
    ("__ &#12011", "斉"),
    ("<\nb>x", "x"),
    ("&\nlt;x", "<x"),
    ("日& amp;", "日&"),
    ("ァ •ァ", "ァ・ァ"),
    # Japanese marks whose Unicode names do not start with a Japanese script were taken for
    # foreign letters: kept apart by spaces, dropped between kana
    ("⼀ 〻", "一〻"),
    ("ます〼です", "ます〼です"),
    # ... or a bullet that, printed, is a bullet alone or a mark before markup
    ("+ __", ""),
    ("__ ・", ""),
    # a body joined to a paragraph number alone does not start the line: its digits close up
    ("0)\r0 0:", "0) 00:"),
]


@pytest.mark.parametrize(("raw", "expected"), REGRESSIONS)
def test_regressions(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


@given(ANY_TEXT)
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    assert isinstance(once, str)
    assert normalize(once) == once


@given(ANY_TEXT)
def test_normalized_text_holds_nothing_the_normalizer_removes(raw: str) -> None:
    text = normalize(raw)
    assert not _OTHER_LINE_ENDS.search(text), "only \\n separates lines"
    assert not _CONTROLS.search(text), "control characters are dropped"
    assert not _INVISIBLE.search(text), "zero-width characters are dropped"
    assert unicodedata.is_normalized("NFKC", text), "the text is NFKC"
    assert not any(char in _MAPPED_RADICALS for char in text), "radicals become kanji"
    assert not _DOT_BETWEEN_KATAKANA.search(text), "a dot between katakana words becomes ・"
    assert not re.search(r"[\uff01-\uff5e]", text), "full-width ASCII becomes ASCII"


@given(ANY_TEXT)
@example("a\n\n\nb")
def test_normalized_lines_are_logical_lines(raw: str) -> None:
    text = normalize(raw)
    if not text:
        return
    for line in text.split("\n"):
        assert line, "no blank lines"
        assert line == line.strip(), "no spaces around a line"
        assert "  " not in line, "spaces are collapsed (a wider gap is a tab)"
        assert not re.search(r" \t|\t | ?\t\t", line), "cells are separated by one tab"
        assert not line.startswith(("\t", "・・")), "no empty first cell, one bullet"


@given(JAPANESE_TEXT)
@example("⼀ 〻")  # 〻 and 〼 were "foreign" letters by their Unicode names (VERTICAL…, MASU…)
@example("日 〼 日")
def test_no_space_between_two_japanese_characters(raw: str) -> None:
    text = normalize(raw)
    for match in re.finditer(r"(.) (.)", text):
        left, right = match.groups()
        assert not (is_japanese_char(left) and is_japanese_char(right)), text


@given(DOCUMENT_LIKE, st.sampled_from(["\n\n", "\n \n", "\n\u3000\n\n"]))
def test_blank_lines_carry_no_meaning(raw: str, blank: str) -> None:
    assert normalize(raw.replace("\n", blank)) == normalize(raw)


@given(DOCUMENT_LIKE, st.sampled_from(["\r\n", "\r", "\u2028", "\x85"]))
def test_line_ends_are_unified(raw: str, line_end: str) -> None:
    assert normalize(raw.replace("\n", line_end)) == normalize(raw)


@given(st.text(max_size=12), st.text(max_size=12), st.text(max_size=12))
def test_edit_distance_is_a_metric(a: str, b: str, c: str) -> None:
    ab = edit_distance(a, b)
    assert ab == edit_distance(b, a)
    assert (ab == 0) == (a == b)
    assert abs(len(a) - len(b)) <= ab <= max(len(a), len(b))
    assert edit_distance(a, c) <= ab + edit_distance(b, c)
