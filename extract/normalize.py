"""Repairing the damage that PDF extraction and format conversion do to Japanese text.

:func:`normalize` turns raw text into one logical line per paragraph, list item, table row or
heading, ``\\n``-separated. Every rule is general (about scripts, punctuation and layout), never
about particular documents:

* Unicode NFKC (full-width digits, letters and brackets become ASCII); line ends unified;
  zero-width and control characters dropped.
* HTML entities decoded and stray tags (``<b>~</b>``) dropped; Markdown ``**bold**`` marks,
  ``#`` heading marks, block quotes, rules and pipe tables undone.
* Line-start bullets (``-``, ``*``, ``▶``, ``✓``, ``•``, ``・``…) become one canonical ``・``;
  section marks (``◆``, ``■``…) are dropped and the line stays a line of its own; a bullet
  before a paragraph number is dropped (the number carries the structure).
* Paragraph numbers are recognised in every usual style (``１．``, ``1 ``, ``(1)``, ``（50）``,
  ``1)``, ``4-1``, Roman ``Ⅰ．``/``I ``) and printed as ``NUMBER BODY`` with one space.
* Letters and digits spaced out by the extraction are closed up (``J I C A`` → ``JICA``,
  ``4 3`` → ``43``, ``(4 1)`` → ``(41)``) unless they sit beside a real word.
* Japanese takes no spaces: a space next to a kana, kanji or Japanese punctuation mark is
  removed (``2023年 11月`` → ``2023年11月``, ``31 年間`` → ``31年間``), except around a word
  in another script than Latin (which the spaces keep apart); runs of three or more spaces
  inside a line are column gaps and become a tab.
* Letters of other scripts stuck inside a Japanese word (``トランسفォーメーション``) are
  extraction debris and are dropped; a foreign word standing on its own is kept.
* Physical lines are joined into logical ones. Blank lines carry no meaning (some extractions put
  one after every line, others break a sentence across one). A line continues the one before
  when it starts with a character no line starts with (``、``, ``を``, a small kana…) or in
  lower case, or when the one before is unfinished (no ``。``, ``．``, ``!``, ``?`` at its end)
  and either filled the column of text wrapped at a fixed width or is prose (has a comma or full
  stop outside brackets; a title or heading has none). It never continues a Roman-numbered
  heading, a note such as ``(仮訳)`` or a table row, and a line that starts with a paragraph
  number, bullet or section mark, or is a table row or note, starts a new one. A Markdown heading
  mark that lands inside unfinished prose (``…能力強化された人`` / ``## 材による繁栄``) is
  extraction debris: the heading text is joined back.
* A bare number at line start followed by a unit (``26 日に``) is a quantity when the line
  continues the one before, and a paragraph number otherwise (``6 日本側は``).
* Table rows (lines with tabs) stay one line, cells separated by one tab.

The result is deterministic and idempotent: ``normalize(normalize(x)) == normalize(x)``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

__all__ = ["NUMBER_PATTERN", "ROMAN_PATTERN", "edit_distance", "is_japanese_char", "normalize"]

# ---------------------------------------------------------------------------------------------
# Character classes


def is_japanese_char(char: str) -> bool:
    """Kana, kanji, the prolonged-sound mark, iteration marks and Japanese punctuation."""
    code = ord(char)
    return (
        0x3000 < code <= 0x30FF  # CJK punctuation, hiragana, katakana (not the ideographic space)
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x31F0 <= code <= 0x31FF
        or 0x20000 <= code <= 0x2FA1F
    )


def _is_japanese_letter(char: str) -> bool:
    """Kana and kanji (and ``ー``, ``々``), not punctuation."""
    code = ord(char)
    return (
        0x3041 <= code <= 0x309F
        or 0x30A1 <= code <= 0x30FA
        or code in (0x30FC, 0x3005, 0x3006, 0x3007)
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


# Scripts that belong in Japanese text; letters of any other script inside a Japanese word are
# extraction debris (mis-mapped glyphs).
_NATIVE_SCRIPTS = frozenset(
    {"LATIN", "CJK", "HIRAGANA", "KATAKANA", "GREEK", "HANGUL", "FULLWIDTH", "HALFWIDTH",
     "IDEOGRAPHIC", "COMBINING", "MODIFIER", "DIGIT", "SUPERSCRIPT", "SUBSCRIPT", "ROMAN"}
)  # fmt: skip


@cache  # one answer per character: a long text asks millions of times
def _is_foreign_letter(char: str) -> bool:
    if char.isascii() or is_japanese_char(char) or unicodedata.category(char)[0] not in "LM":
        return False  # (Japanese marks named otherwise are Japanese: 〻 VERTICAL…, 〼 MASU MARK)
    name = unicodedata.name(char, "")
    return bool(name) and re.split(r"[ -]", name, 1)[0] not in _NATIVE_SCRIPTS


# ---------------------------------------------------------------------------------------------
# Character-level cleaning of the whole text

_NEWLINES = re.compile(r"\r\n?|[\f\v\x85\u2028\u2029]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BOLD = re.compile(r"\*\*|__(?=\S)|(?<=\S)__")
_COLUMN_GAP = re.compile(r"(?<=\S) {3,}(?=\S)")
_SPACES = re.compile(r" {2,}")


#: CJK Radicals Supplement characters that PDFs printed by Chromium use for common kanji; NFKC
#: leaves them alone (it maps only the Kangxi radicals block).
_RADICALS = str.maketrans(
    "⺠⻑⻄⻘⻝⻤⻣⻯⻩⻭⻲⺟⻁⻆⻉⻋⻊⻨⻫⻬",
    "民長西青食鬼骨竜黄歯亀母虎角貝車足麦斉斎",
)
#: dots that stand for the katakana middle dot between two katakana words (サディル‧ジャパロフ)
_DOT_BETWEEN_KATAKANA = re.compile(r"(?<=[\u30a1-\u30fa\u30fc])[\u2027\u00b7\u2219\u22c5\u2022](?=[\u30a1-\u30fa])")


def _clean_code_points(text: str) -> str:
    # invisible and control characters go before NFKC, which must see the marks they separated
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_RADICALS)
    return _DOT_BETWEEN_KATAKANA.sub("・", text)


def _clean_characters(raw: str) -> str:
    text = _clean_code_points(raw)
    # entities inside entities (&amp;lt;): decode to a fixed point. This ends: a pass that changes
    # the text decodes an entity, so the text loses an "&" or keeps them all and gets shorter.
    while True:
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = _clean_code_points(decoded)  # an entity may stand for a line end or a control
    text = _TAG.sub("", text)
    text = _BOLD.sub("", text)
    text = _COLUMN_GAP.sub("\t", text)
    return _SPACES.sub(" ", text)  # two spaces are one (three are a column gap, above)


# ---------------------------------------------------------------------------------------------
# Line-level cleaning of a logical line's body

_SPACED_ALNUM = re.compile(
    r"(?<![A-Za-z0-9])(?<![A-Za-z0-9] )[A-Za-z0-9](?: [A-Za-z0-9])+(?![A-Za-z0-9])(?! [A-Za-z0-9])"
)
_CONNECTORS = frozenset("-+/~:&・")
_NUMBER_RANGE = re.compile(r"(?<=\d) *([~\-]) *(?=\d)")


def _close_spaced_alnum(text: str, *, line_start: bool = True) -> str:
    """``J I C A`` → ``JICA``, ``4 3`` → ``43``: single letters/digits spaced out by extraction.

    At the start of a line, digits whose last one runs straight into a word are a paragraph
    number and what it numbers (``1 6月9日、…`` is paragraph 1 of 9 June, not 16月): spaced-out
    extraction damage spaces every character, the unit too (``1 6 月``).

    >>> _close_spaced_alnum("1 6月9日、")
    '1 6月9日、'
    >>> _close_spaced_alnum("4 3 双方は")
    '43 双方は'
    """

    def close(m: re.Match[str]) -> str:
        glued = m.end() < len(text) and not text[m.end()].isspace()
        if line_start and m.start() == 0 and glued and m.group(0)[-1].isdigit():
            return m.group(0)
        return m.group(0).replace(" ", "")

    return _SPACED_ALNUM.sub(close, text)


def _drop_foreign_debris(text: str) -> str:
    """Drop runs of other-script letters wedged between Japanese letters."""
    if text.isascii() or not any(map(_is_foreign_letter, set(text))):
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if _is_foreign_letter(text[i]):
            j = i
            while j < n and _is_foreign_letter(text[j]):
                j += 1
            wedged = i > 0 and j < n and _is_japanese_letter(text[i - 1])
            if not (wedged and _is_japanese_letter(text[j])):
                out.append(text[i:j])
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _drop_japanese_spaces(text: str) -> str:
    """Remove spaces Japanese does not take; collapse the others to one."""
    parts = re.split(r"( +)", text)
    out: list[str] = []
    for k, part in enumerate(parts):
        if not part.startswith(" ") or not part:
            out.append(part)
            continue
        left = out[-1] if out and out[-1] else ""
        right = parts[k + 1] if k + 1 < len(parts) else ""
        if not left or not right:
            continue  # leading / trailing
        if _space_removable(left, right):
            continue
        out.append(" ")
    return "".join(out)


def _space_removable(left: str, right: str) -> bool:
    last, first = left[-1], right[0]
    if _is_foreign_letter(last) or _is_foreign_letter(first):
        return False  # "首都 Москва で": the spaces set a foreign word apart
    if is_japanese_char(last) or is_japanese_char(first):
        return True
    if last in _CONNECTORS and len(left) > 1 and is_japanese_char(left[-2]):
        return True
    if first in _CONNECTORS and len(right) > 1 and is_japanese_char(right[1]):
        return True
    return bool(last in "([{" or first in ")]}")


def _clean_seams(text: str) -> str:
    """Markup that joining lines or dropping spaces put together: ``__`` + ``a``, ``<`` + ``b>``,
    ``日&`` + `` amp;``, ``ァ •ァ``; cleaned as the whole text was (an entity for a line end is a
    space)."""
    if not any(mark in text for mark in "&<_*\u2027\u00b7\u2219\u22c5\u2022"):
        return text
    return _SPACES.sub(" ", re.sub(r"[\t\n]", " ", _clean_characters(text)))


@lru_cache(maxsize=8192)  # a line is cleaned for its length and again when printed; headers repeat
def _clean_body(text: str, *, line_start: bool = True) -> str:
    """``line_start``: whether ``text`` starts its printed line (not after a paragraph number)."""
    text = _close_spaced_alnum(text, line_start=line_start)
    text = _drop_foreign_debris(text)
    text = _NUMBER_RANGE.sub(r"\1", text)
    text = _clean_seams(_drop_japanese_spaces(text.strip()))
    return _drop_japanese_spaces(text.strip())  # a removal can bring a new pair side by side


def _clean_row(text: str) -> str:
    cells = (_clean_body(cell) for cell in text.split("\t"))
    return "\t".join(cell for cell in cells if cell)


# ---------------------------------------------------------------------------------------------
# Physical lines: what each one starts with

_HEADING_MARK = re.compile(r"^#{1,6}(?:\s+|$)")
_HEADING_TAIL = re.compile(r"\s+#+\s*$")
_QUOTE_MARK = re.compile(r"^(?:>\s?)+")
_RULE = re.compile(r"^(?:[-*_=]\s*){3,}$")
_PIPE_SEPARATOR = re.compile(r"^\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*\|?$")
_BULLET = re.compile(r"^(?:[-*+\u2013\u2014\u2212]\s+|[▶▷►▸▹•●○◦▪▫✓✔✅➢➤⇒・]\s*)+")
_SECTION_MARK = re.compile(r"^[◆◇■□★☆]+\s*")
_NOTE = re.compile(r"^\([^()\d\s][^()]{0,19}\)$")

#: A paragraph number at the start of a normalized line; group ``number`` is what is printed.
NUMBER_PATTERN = re.compile(
    r"^(?:(?P<paren>\((?P<pn>\d{1,3})\))"
    r"|(?P<dash>\d{1,3}(?:-\d{1,3})+)(?= )"
    r"|(?P<dot>(?P<dn>\d{1,3})[.)])(?!\d)"
    r"|(?P<bare>\d{1,3})(?= ))"
)
#: A Roman-numeral heading number (after NFKC, ``Ⅱ`` is ``II``) followed by non-ASCII text.
ROMAN_PATTERN = re.compile(
    r"^(?P<roman>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)(?:(?P<dot>\.) *| +)(?=[^\x00-\x7f])"
)
# After a bare number, these mean the number is a quantity ("31 年間"), not a paragraph number.
_UNITS = "年月日時分秒人名件回か箇ヶヵカ個つ歳%億万千百円倍位点号条項度ドル"
_TERMINAL = re.compile(r"[。．.!?！？](?:[」』)\]》〉】”’\"'])*$")


#: What a printed line may start with, or hold, that makes it read as another kind of line.
_REREAD = re.compile(r"^[\d(#>|*+\-\u2013\u2014\u2212IVX▶▷►▸▹•●○◦▪▫✓✔✅➢➤⇒・◆◇■□★☆]|[&<_*]")


@dataclass
class _Line:
    kind: str  # plain | number | roman | list | heading | note | row
    prefix: str  # printed before the body ("43 ", "(41) ", "I. ", "・")
    body: str
    number: str | None = None
    raw: str = ""  # the line as read, when a bare number may be a quantity instead ("26 日に")
    tail: int = 0  # length of the last physical line, once cleaned

    def __post_init__(self) -> None:
        self.tail = len(self.prefix) + len(self.clean())

    def clean(self) -> str:
        """The body, cleaned; after a paragraph number it does not start the line ("0) 0 0:")."""
        return _clean_body(self.body, line_start=self.kind == "list" or not self.prefix)

    def render(self) -> str:
        text = self._print()
        if self.kind in ("plain", "heading", "list"):
            # joined or cleaned, the line may read as something else: a paragraph number
            # ("(4" + ") 双方は"), a bullet alone, markup ("・" + "__"). Print it as it will be read.
            for _ in range(4):
                if not _REREAD.search(text):
                    break
                cleaned = _clean_characters(text)
                if "\n" in cleaned:
                    break
                again = _parse_line(cleaned)
                printed = again._print() if again is not None else ""
                if printed == text:
                    break
                text = printed
        return text

    def _print(self) -> str:
        if self.kind == "row":
            return _clean_row(self.body)
        body = self.clean()
        if self.kind == "list":
            return self.prefix + body
        return (self.prefix + " " + body).strip() if self.prefix else body


def _parse_line(line: str) -> _Line | None:
    """Classify one physical line by how it starts; ``None`` for a blank line or a rule."""
    heading = False
    while True:  # marks in any order and number, before anything: "> ## ◆ 総論", "## ---"
        line = line.strip()
        if not line or _RULE.match(line) or _PIPE_SEPARATOR.match(line):
            return None
        if line.startswith("|") and line.endswith("|") and line.count("|") >= 3:
            line = "\t".join(cell.strip() for cell in line.strip("|").split("|"))
            continue  # the cells may be a rule ("|==|=|") or one cell, a line like any other
        if "\t" in line:
            return _Line("row", "", line)
        marked = _QUOTE_MARK.sub("", line)
        if _HEADING_MARK.match(marked):
            marked = _HEADING_TAIL.sub("", _HEADING_MARK.sub("", marked))
            heading = True
        if _SECTION_MARK.match(marked):
            marked = _SECTION_MARK.sub("", marked)
            heading = True
        if heading:
            marked = _BULLET.sub("", marked)  # "## ・総論": the heading mark says it all
        if marked == line:
            break
        line = marked
    bullet = False
    if not heading and _BULLET.match(line):
        line = _BULLET.sub("", line)
        bullet = True
    line = _close_spaced_alnum(line).strip()
    if not line:
        return None
    numbered = _parse_number(line)
    if numbered is not None:  # (under a heading mark too: it is printed, so read again, as one)
        return numbered
    if heading:
        return _Line("heading", "", line)
    if bullet:
        return _Line("list", "・", line)
    if _NOTE.match(line):
        return _Line("note", "", line)
    return _Line("plain", "", line)


def _parse_number(line: str) -> _Line | None:
    match = ROMAN_PATTERN.match(line)
    if match:
        rest = line[match.end() :].lstrip(". ")
        if rest and not rest[0].isascii():
            prefix = match.group("roman") + ("." if match.group("dot") else "")
            return _Line("roman", prefix, rest, match.group("roman"))
    match = NUMBER_PATTERN.match(line)
    if not match:
        return None
    rest = line[match.end() :]
    body = rest.lstrip()
    raw = ""
    if match.group("bare") or match.group("dash"):
        if not body or body[0].isdigit():
            return None
        if body[0] in _UNITS:
            raw = line
    if match.group("paren"):
        number, prefix = match.group("paren"), match.group("paren")
    elif match.group("dash"):
        number = prefix = match.group("dash")
    elif match.group("dot"):
        number, prefix = match.group("dn"), match.group("dot")
    else:
        number = prefix = match.group("bare")
    return _Line("number", prefix, body, number, raw)


# ---------------------------------------------------------------------------------------------
# Joining physical lines into logical ones

_PROSE_MARKS = frozenset("、。,")
_OPENING = frozenset("([{「『【〔〈《")
_CLOSING = frozenset(")]}」』】〕〉》")
_BLOCKING = frozenset({"roman", "note", "row"})
_PROSE_KINDS = frozenset({"plain", "number", "list", "heading"})
# Characters no sentence or heading starts with: a line starting with one continues the last.
_CANNOT_START = frozenset(
    "、。，．,)]}」』】〕〉》ーんをぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
# Wrapped text: at least this share of (at least this many) lines have lengths within the slack.
_WRAP_MIN_LINES = 8
_WRAP_SHARE = 0.5
_WRAP_SLACK = 4
_WRAP_MIN_WIDTH = 15


def _ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text))


def _is_prose(text: str) -> bool:
    """Has a comma or full stop outside brackets: a sentence, not a title or heading.

    (A heading may carry a bracketed list, ``通商関係(輸出入額、貿易赤字額)``.)
    """
    depth = 0
    for char in text:
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(0, depth - 1)
        elif depth == 0 and char in _PROSE_MARKS:
            return True
    return False


_DATELINE = re.compile(
    r"(?:(?:令和|平成|昭和)(?:\d{1,2}|元)|\d{4})年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:[(（][^()（）]{1,8}[)）])?"
)


_SCHEDULE_DAY = re.compile(r"\s*(?:\d{1,2}\s*日\s*[(（][月火水木金土日]|\d{1,2}\s*日\s+(?:午前|午後)|(?:午前|午後)\s)")


def _is_dateline(text: str) -> bool:
    """A line that is a date and nothing else (a page's date line): it stands alone."""
    return bool(_DATELINE.fullmatch(re.sub(r"\s+", "", text)))


def _continues(prev: _Line, nxt: _Line, full_width: int | None) -> bool:
    """Does physical line ``nxt`` continue the logical line ``prev``?

    ``nxt`` continues only plain text (or a heading cutting a word, which is read as plain), and
    only when it starts with a character no line starts with, or when ``prev`` is unfinished
    and is prose, or filled the column of wrapped text, or ``nxt`` starts in lower case.
    """
    if prev.kind in _BLOCKING:
        return False
    if nxt.kind == "heading" and not nxt.prefix:
        nxt = _Line("plain", "", nxt.body)  # "…能力強化された人" / "## 材による繁栄"
    if nxt.kind != "plain":
        return False
    if _is_dateline(nxt.body) or _is_dateline(prev.body):
        return False  # a date line under a title, or over the body, is a line of its own
    if _SCHEDULE_DAY.match(nxt.body):
        return False  # 「6日(金曜日):…」: the next day of a schedule
    if nxt.body[0] in _CANNOT_START:
        return True
    body = prev.clean()
    if not body:
        return prev.kind == "number"  # a number alone on its line: its text follows
    if _ends_sentence(body):
        return False
    if full_width is not None and prev.tail >= full_width:
        return True  # the line before filled the column: it was wrapped
    first = nxt.body[0]
    if first.isascii() and first.islower():
        return True  # wrapped Latin-script text: no sentence starts in lower case
    return _is_prose(body)


def _wrap_width(lines: list[_Line]) -> int | None:
    """The column width of text wrapped at a fixed width, if most lines share one length.

    Returns the shortest length that counts as a full line, or ``None`` for unwrapped text.
    """
    lengths = [line.tail for line in lines if line.kind in _PROSE_KINDS]
    if len(lengths) < _WRAP_MIN_LINES:
        return None
    best_count, best_width = 0, 0
    for width in sorted(set(lengths)):
        count = sum(1 for n in lengths if width - _WRAP_SLACK <= n <= width)
        if count > best_count:
            best_count, best_width = count, width
    if best_width < _WRAP_MIN_WIDTH or best_count < _WRAP_SHARE * len(lengths):
        return None
    return best_width - _WRAP_SLACK


def _join_text(left: str, right: str) -> str:
    left, right = left.rstrip(), right.lstrip()
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii():
        return left + " " + right
    return left + right


def _logical_lines(text: str) -> list[_Line]:
    physical = [line for line in map(_parse_line, text.split("\n")) if line is not None]
    full_width = _wrap_width(physical)
    lines: list[_Line] = []
    for parsed in physical:
        if parsed.raw and lines:
            quantity = _Line("plain", "", parsed.raw)
            if _continues(lines[-1], quantity, full_width):
                parsed = quantity  # "…2015 年 10 月" / "26 日に…": a quantity, not a number
        if lines and _continues(lines[-1], parsed, full_width):
            lines[-1].body = _join_text(lines[-1].body, parsed.body)
            lines[-1].tail = parsed.tail
            continue
        lines.append(parsed)
    return lines


# ---------------------------------------------------------------------------------------------


def normalize(raw: str) -> str:
    """Repair ``raw`` text and return it as logical lines, one per paragraph, item, row or heading.

    >>> normalize("4 3 双方は、J I C A と\\n\\n協力する。")
    '43 双方は、JICAと協力する。'
    >>> normalize("## I 政治分野\\n\\n2023年 11月 17日")
    'I 政治分野\\n2023年11月17日'
    """
    text = _clean_characters(raw)
    rendered = (line.render() for line in _logical_lines(text))
    text = "\n".join(line.rstrip() for line in rendered if line.strip())
    # dropping tags, spaces or debris can bring a combining mark to a new base: compose it
    return unicodedata.normalize("NFKC", text)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions of one character.

    >>> edit_distance("カスム", "カシム")
    1
    """
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
