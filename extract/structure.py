"""A document's shape: passages, title, date, place and genre, read from its normalized text.

:func:`parse_document` is the whole way in: read the file, repair the text
(:func:`extract.normalize.normalize`), cut it into passages (:func:`segment`) and read what the
document says about itself (:func:`read_title`, :func:`read_date`, :func:`read_place`,
:func:`classify`). Nothing is taken from the file name, and nothing is guessed: a date the text
does not give is ``None``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from .dates import DateMention, find_dates
from .errors import DocumentError
from .facts import DOC_TYPES, DateValue, Document, Passage
from .normalize import NUMBER_PATTERN, ROMAN_PATTERN, normalize
from .read import read_source

__all__ = [
    "BODY_CUES",
    "GENRE_CUES",
    "classify",
    "parse_document",
    "read_date",
    "read_place",
    "read_title",
    "segment",
]

#: Genre words in a title, and the document type they mean. When a title has several, the one
#: ending last wins (the genre word closes a Japanese title), then the longest.
GENRE_CUES: tuple[tuple[str, str], ...] = (
    ("共同声明", "joint_statement"),
    ("共同コミュニケ", "joint_statement"),
    ("共同発表", "joint_statement"),
    ("宣言", "declaration"),
    ("概況", "country_brief"),
    ("基礎データ", "country_brief"),
    ("会談", "meeting_summary"),
    ("会合の概要", "meeting_summary"),
    ("会議の概要", "meeting_summary"),
    ("協議の概要", "meeting_summary"),
    ("結果概要", "meeting_summary"),
    ("談話", "press_statement"),
    ("報道発表", "press_statement"),
    ("プレスリリース", "press_statement"),
    ("声明", "press_statement"),
    ("演説", "speech"),
    ("スピーチ", "speech"),
    ("挨拶", "speech"),
    ("あいさつ", "speech"),
    ("講演", "speech"),
)

#: Phrases in the body that give the genre away when the title does not (first match wins).
BODY_CUES: tuple[tuple[str, str], ...] = (
    ("共同声明", "joint_statement"),
    ("次のとおり宣言する", "declaration"),
    ("ここに宣言する", "declaration"),
    ("会談を行った", "meeting_summary"),
    ("会談が行われた", "meeting_summary"),
    ("概要は以下のとおり", "meeting_summary"),
    ("ご来場の皆様", "speech"),
    ("ご清聴", "speech"),
)

# Closing formula of a signed document: "…、東京にて英語で2部署名された。"
_SIGNING_WORDS = ("署名", "作成", "採択")
_PLACE_AFTER_DATE = re.compile(r"^[、,]\s*(?P<place>[^、。,\s「」()]{1,12}?)(?:において|にて)")
_NOTE_LINE = re.compile(r"^\([^()]{1,20}\)$")
_TRANSLATION_NOTE = re.compile(r"\([^()]{0,8}訳[^()]{0,8}\)")
_SENTENCE_END = re.compile(r"[。．.!?！？]")

_HEADING_MAX = 60  # an unnumbered line without a full stop, at most this long, is a heading
_NUMBERED_HEADING_MAX = 40
_TITLE_MAX_LINES = 4
_TITLE_MAX_CHARS = 120
_SIGNATURE_CELL_MAX = 30


# ---------------------------------------------------------------------------------------------
# Passages


def _line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-blank line, without surrounding spaces."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group(0)
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        spans.append((start, start + len(stripped)))
    return spans


def _number_of(line: str) -> tuple[str | None, str]:
    """The paragraph number as printed (``"19"``, ``"(41)"``, ``"4-1"``, ``"II"``) and the rest."""
    match = ROMAN_PATTERN.match(line)
    if match:
        return match.group("roman"), line[match.end() :].strip()
    match = NUMBER_PATTERN.match(line)
    if not match:
        return None, line
    rest = line[match.end() :].strip()
    if not rest and not match.group("paren"):
        return None, line
    number = match.group("paren") or match.group("dash") or match.group("dn") or match.group("bare")
    return number, rest


def _has_full_stop(text: str) -> bool:
    return "。" in text or text.rstrip().endswith((".", "!", "?", "！", "？"))


def _classify_line(line: str) -> tuple[str, str | None]:
    """``(kind, number)`` of one normalized line, before title and signature are known."""
    if "\t" in line:
        return "table_row", None
    if line.startswith("・"):
        return "list_item", None
    if ROMAN_PATTERN.match(line):
        return "heading", _number_of(line)[0]
    number, rest = _number_of(line)
    if number is not None:
        short = len(rest) <= _NUMBERED_HEADING_MAX and not _has_full_stop(rest)
        if "-" in number or (short and "、" not in rest):
            return ("heading" if short else "paragraph"), number
        return "paragraph", number
    if len(line) <= _HEADING_MAX and not _has_full_stop(line) and not _NOTE_LINE.match(line):
        return "heading", None
    return "paragraph", None


def _absolute_dates(text: str) -> list[DateMention]:
    return [m for m in find_dates(text) if not m.relative]


def _title_block(lines: Sequence[str]) -> int:
    """How many lines at the top are the title block (title lines, notes, a dated header)."""
    count = 0
    has_title = False
    for line in lines[: _TITLE_MAX_LINES + 2]:
        kind, number = _classify_line(line)
        is_note = bool(_NOTE_LINE.match(line))
        if number is not None or kind in ("list_item", "table_row"):
            break
        if _has_full_stop(line) or len(line) > _TITLE_MAX_CHARS:
            break
        count += 1
        if _absolute_dates(line):
            break  # a header with the date closes the block: "在…大使館 2025年9月"
        if is_note and has_title:
            break  # "(仮訳)" after the title
        has_title = has_title or not is_note
        if count >= _TITLE_MAX_LINES:
            break
    return count


def _is_signing_line(line: str) -> bool:
    """The closing formula of a signed text: a date first, then who signed where."""
    found = _absolute_dates(line)
    return bool(found) and found[0].start == 0 and any(w in line for w in _SIGNING_WORDS)


def _signature_block(lines: Sequence[str], kinds: Sequence[str], numbers: Sequence) -> int:
    """Index of the first line of the signature block at the end (``len(lines)`` if none)."""
    first = len(lines)
    has_signing = False
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if _is_signing_line(line):
            has_signing = True
            first = i
            continue
        if numbers[i] is not None or kinds[i] == "list_item" or _has_full_stop(line):
            break
        cells = line.split("\t")
        if any(len(cell) > _SIGNATURE_CELL_MAX for cell in cells):
            break
        first = i
    if first == len(lines):
        return first
    numbered_before = any(
        n is not None and k == "paragraph" for n, k in zip(numbers[:first], kinds[:first])
    )
    return first if (has_signing or numbered_before) else len(lines)


def segment(text: str) -> tuple[Passage, ...]:
    """One :class:`~extract.facts.Passage` per logical line of normalized ``text``.

    ``kind`` is ``title`` for the block at the top (title lines, a ``(仮訳)`` note, a dated
    header), ``signature`` for the closing formula and signatures at the end, then
    ``table_row`` (tabs), ``list_item`` (``・``), ``heading`` (Roman-numbered, ``4-1``-numbered,
    or short without a full stop) or ``paragraph``. ``number`` is the paragraph number as printed
    once repaired (``"19"``, ``"(41)"``, ``"4-1"``, ``"II"``; a year at line start is not one).

    Continuation: an unnumbered paragraph, list item or table row that follows a numbered
    paragraph (its second sub-paragraph, a list inside it) is a passage of its own that carries
    the same ``number``, until the next heading or numbered paragraph. ``section`` is the text of
    the nearest heading above (for a heading: the heading above it).
    """
    spans = _line_spans(text)
    lines = [text[s:e] for s, e in spans]
    classified = [_classify_line(line) for line in lines]
    kinds = [kind for kind, _ in classified]
    numbers: list[str | None] = [number for _, number in classified]
    top = _title_block(lines)
    for i in range(top):
        kinds[i], numbers[i] = "title", None
    bottom = max(top, _signature_block(lines, kinds, numbers))
    for i in range(bottom, len(lines)):
        kinds[i], numbers[i] = "signature", None

    passages = []
    section: str | None = None
    current: str | None = None  # number of the paragraph we are inside
    for index, ((start, end), line) in enumerate(zip(spans, lines)):
        kind, number = kinds[index], numbers[index]
        passage_section = section
        if kind == "heading":
            section, current = line, None
        elif kind == "paragraph" and number is not None:
            current = number
        elif kind in ("paragraph", "list_item", "table_row"):
            number = current
        passages.append(
            Passage(
                index=index,
                start=start,
                end=end,
                text=line,
                number=number,
                kind=kind,
                section=passage_section,
            )
        )
    return tuple(passages)


# ---------------------------------------------------------------------------------------------
# What the document says about itself


def _join_title(parts: Sequence[str]) -> str:
    title = ""
    for part in parts:
        if title and title[-1].isascii() and title[-1].isalnum() and part[:1].isascii():
            title += " "
        title += part
    return title


def read_title(text: str, passages: Sequence[Passage]) -> str:
    """The title: the title lines at the top joined, without ``(仮訳)``-like notes or a dateline.

    Falls back to the first heading, then to the first sentence of the text; ``""`` for an
    empty document.
    """
    parts = []
    for passage in passages:
        if passage.kind != "title":
            continue
        line = _TRANSLATION_NOTE.sub("", passage.text).strip()
        if not line or _NOTE_LINE.match(line) or _absolute_dates(line):
            continue
        parts.append(line)
    if parts:
        return _join_title(parts)
    for passage in passages:
        if passage.kind == "heading":
            return passage.text
    if passages:
        first = passages[0].text
        stop = _SENTENCE_END.search(first)
        return first[: stop.start() if stop else 100][:100]
    return ""


def _dated_line(passages: Sequence[Passage]) -> tuple[Passage, DateMention] | None:
    """The line that dates the document, and its date."""
    for passage in passages:  # the closing formula, or a date among the signatures
        if passage.kind == "signature":
            found = _absolute_dates(passage.text)
            if found:
                return passage, found[0]
    for passage in passages:  # a dated header in the title block
        if passage.kind == "title":
            found = _absolute_dates(passage.text)
            if found:
                return passage, found[0]
    for passage in passages:  # an opening dateline: "2025年12月20日、東京において、…"
        if passage.kind in ("title", "heading"):
            continue
        found = _absolute_dates(passage.text)
        # "2025年12月20日、…" or "令和5年9月20日(現地時間)、…"
        if found and found[0].start == 0 and re.match(r"(?:\([^()]{1,8}\))?[、,]", passage.text[found[0].end :]):
            return passage, found[0]
        return None
    return None


def read_date(text: str, passages: Sequence[Passage]) -> DateValue | None:
    """The document's own date, from its closing formula, a dated header or an opening dateline.

    Only the document's date: a date the first paragraph reports in passing (a visit, an earlier
    meeting) is not it. ``None`` when the text does not give one.
    """
    found = _dated_line(passages)
    return found[1].value if found else None


def read_place(text: str, passages: Sequence[Passage]) -> str | None:
    """Where the document was issued: ``"東京"`` from ``2025年12月18日、東京にて…``."""
    candidates = [p for p in passages if p.kind == "signature"]
    dated = _dated_line(passages)
    if dated is not None:
        candidates.append(dated[0])
    for passage in candidates:
        for mention in _absolute_dates(passage.text):
            match = _PLACE_AFTER_DATE.match(passage.text[mention.end :])
            if match:
                return match.group("place")
    return None


def _genre_in(text: str, cues: Sequence[tuple[str, str]]) -> str | None:
    best: tuple[int, int, str] | None = None
    for cue, genre in cues:
        end = text.rfind(cue)
        if end < 0:
            continue
        key = (end + len(cue), len(cue), genre)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def classify(title: str, text: str) -> str:
    """The document type (one of :data:`~extract.facts.DOC_TYPES`).

    By the genre word of the title first (:data:`GENRE_CUES`), then by phrases of the body
    (:data:`BODY_CUES`); ``"other"`` when neither says.
    """
    genre = _genre_in(title, GENRE_CUES)
    if genre is None:
        genre = next((g for cue, g in BODY_CUES if cue in text), None)
    return genre if genre in DOC_TYPES else "other"


def parse_document(path: Path | str) -> Document:
    """Read, repair and segment one document; raise :class:`DocumentError` if it has no text."""
    path = Path(path)
    text = normalize(read_source(path))
    if not text.strip():
        raise DocumentError(path, "empty after reading", "check that the file has text in it")
    passages = segment(text)
    title = read_title(text, passages)
    return Document(
        source=path.name,
        doc_id=hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
        text=text,
        title=title,
        date=read_date(text, passages),
        doc_type=classify(title, text),
        passages=passages,
        provisional_translation="仮訳" in text,
        place=read_place(text, passages),
    )
