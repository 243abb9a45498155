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
    ("立ち話", "meeting_summary"),
    ("表敬", "meeting_summary"),
    ("昼食会", "meeting_summary"),
    ("夕食会", "meeting_summary"),
    ("晩餐会", "meeting_summary"),
    ("記者会見", "meeting_summary"),
    ("訪日", "meeting_summary"),
    ("来日", "meeting_summary"),
    ("訪問", "meeting_summary"),
    ("概要", "meeting_summary"),
    ("の開催", "press_statement"),
    ("書簡の交換", "press_statement"),
    ("書簡の署名", "press_statement"),
    ("交換公文", "press_statement"),
    ("の署名", "press_statement"),
    ("署名・交換", "press_statement"),
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

#: Phrases in the body that give the genre away when the title does not (the one written
#: first wins: a meeting summary's lead sentence comes before any joint statement it reports).
BODY_CUES: tuple[tuple[str, str], ...] = (
    ("次のとおり宣言する", "declaration"),
    ("ここに宣言する", "declaration"),
    ("会談を行", "meeting_summary"),
    ("会談が行われ", "meeting_summary"),
    ("昼食会を行", "meeting_summary"),
    ("夕食会を行", "meeting_summary"),
    ("立ち話を行", "meeting_summary"),
    ("表敬を受け", "meeting_summary"),
    ("表敬しました", "meeting_summary"),
    ("表敬した", "meeting_summary"),
    ("概要は以下のとおり", "meeting_summary"),
    ("概要は次のとおり", "meeting_summary"),
    ("概要と評価は以下のとおり", "meeting_summary"),
    ("概要は次の通り", "meeting_summary"),
    ("概要は以下の通り", "meeting_summary"),
    ("交換公文の署名", "press_statement"),
    ("書簡の署名", "press_statement"),
    ("書簡の交換", "press_statement"),
    ("署名式が行われ", "press_statement"),
    ("が開催されました", "press_statement"),
    ("共同声明", "joint_statement"),
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


#: A database record's header line: 「[文書名] …」, 「[場所] …」, 「[年月日] …」, 「[出典] …」.
_HEADER_FIELD = re.compile(r"^\[(?P<field>[^\[\]\s]{1,6})\]\s*(?P<value>.*)$")
_CAPTION = re.compile(r"写真提供|^[(（]写真\d*[)）]|様子\d*$")
_CREDIT_ONLY = re.compile(r"^[(（]写真提供[^()（）]*[)）]$")


def _header_field(line: str) -> tuple[str, str] | None:
    """``("文書名", "…")`` for a database header line, else ``None``."""
    m = _HEADER_FIELD.match(line)
    return (m.group("field"), m.group("value").strip()) if m else None


def _is_dateline(line: str) -> bool:
    """A line that is only a date (with a weekday or 現地時間 note at most)."""
    found = _absolute_dates(line)
    if len(found) != 1 or found[0].start != 0:
        return False
    return bool(re.fullmatch(r"\s*(?:[(（][^()（）]{1,8}[)）])?\s*", line[found[0].end :]))


def _absolute_dates(text: str) -> list[DateMention]:
    return [m for m in find_dates(text) if not m.relative]


def _title_block(lines: Sequence[str]) -> int:
    """How many lines at the top are the title block (title lines, notes, a dated header)."""
    header = 0
    while header < len(lines) and _header_field(lines[header]) is not None:
        header += 1
    if header:
        return header  # 「[文書名] …」「[場所] …」「[年月日] …」: a database record's header
    count = 0
    has_title = False
    for n, line in enumerate(lines[: _TITLE_MAX_LINES + 2]):
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
            if n + 1 < len(lines) and _is_dateline(lines[n + 1]):
                count += 1  # "(概要)" after the title, then the date line
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
    header; in a database record's header, ``[文書名]`` is the title and the other fields
    ``metadata``), ``caption`` for photo captions and credits (``(写真提供:…)``),
    ``signature`` for the closing formula and signatures at the end, then
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
        field = _header_field(lines[i])
        kinds[i] = "metadata" if field is not None and field[0] != "文書名" else "title"
        numbers[i] = None
    for i in range(top, len(lines)):
        credit_next = i + 1 < len(lines) and bool(_CREDIT_ONLY.match(lines[i + 1]))
        if _CAPTION.search(lines[i]) or (credit_next and kinds[i] == "heading"):
            kinds[i], numbers[i] = "caption", None
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


def _is_place_line(line: str) -> bool:
    """「大韓民国,ソウル」 under a title: where the document was issued, not part of its title."""
    from .gazetteer import load_gazetteer
    from .places import place_country

    parts = [part for part in re.split(r"[,、，\s]+", line) if part]
    gaz = load_gazetteer()
    return bool(parts) and all(gaz.country_by_name(part) or place_country(part) for part in parts)


_MEETING_WORDS = ("会談", "会合", "会議", "サミット", "昼食会", "夕食会", "晩餐会", "立ち話", "表敬", "対話")


def _caption_title(passages: Sequence[Passage]) -> str | None:
    """A page with no title line often names its meeting in a photo caption: 「日独首脳会談」."""
    for passage in passages:
        if passage.kind != "caption":
            continue
        for part in re.split(r"\s+|[(（]写真[^()（）]*[)）]|の様子\d*", passage.text):
            part = part.strip()
            if 2 < len(part) <= 40 and part.endswith(_MEETING_WORDS) and not re.search(r"[をにがはで]", part):
                return part
    return None


def read_title(text: str, passages: Sequence[Passage]) -> str:
    """The title: the title lines at the top joined, without ``(仮訳)``-like notes, a dateline or
    the place it was issued; in a database record, its ``[文書名]`` field.

    Falls back to a meeting named in a photo caption, then to the first heading, then to the
    first sentence of the text; ``""`` for an empty document.
    """
    parts = []
    for passage in passages:
        if passage.kind != "title":
            continue
        field = _header_field(passage.text)
        line = field[1] if field is not None else passage.text
        line = _TRANSLATION_NOTE.sub("", line).strip()
        if not line or _NOTE_LINE.match(line) or _absolute_dates(line) or _is_place_line(line):
            continue
        parts.append(line)
    if parts:
        return _join_title(parts)
    caption = _caption_title(passages)
    if caption:
        return caption
    for passage in passages:
        if passage.kind == "heading" and re.search(r"[^\d\s.．()（）]", passage.text):
            return passage.text
    body = [p for p in passages if p.kind not in ("caption", "metadata", "title")] or list(passages)
    if body:
        first = _number_of(body[0].text)[1]
        stop = re.search(r"[。．!?！？]", first)
        return first[: stop.start() if stop else 100][:100]
    return ""


def _header_value(passages: Sequence[Passage], name: str) -> tuple[Passage, str] | None:
    for passage in passages:
        if passage.kind in ("title", "metadata"):
            field = _header_field(passage.text)
            if field is not None and field[0] == name and field[1]:
                return passage, field[1]
    return None


def _dated_line(passages: Sequence[Passage]) -> tuple[Passage, DateMention] | None:
    """The line that dates the document, and its date."""
    header = _header_value(passages, "年月日")
    if header is not None and _absolute_dates(header[0].text):
        return header[0], _absolute_dates(header[0].text)[0]
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
    """Where the document was issued: ``"東京"`` from ``2025年12月18日、東京にて…``, a record's
    ``[場所]`` field, or a place line under the title (``大韓民国,ソウル`` → ``ソウル``)."""
    header = _header_value(passages, "場所")
    if header is not None:
        return re.split(r"[,、，\s]+", header[1])[-1]
    for passage in passages:
        if passage.kind == "title" and _is_place_line(passage.text):
            return re.split(r"[,、，\s]+", passage.text)[-1]
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


_JOINT_AUTHORS = re.compile(r"(?:及び|並びに|と)[^、。]{1,30}の(?:共同)?声明$")


def classify(title: str, text: str) -> str:
    """The document type (one of :data:`~extract.facts.DOC_TYPES`).

    By the genre word of the title first (:data:`GENRE_CUES`), then by phrases of the body
    (:data:`BODY_CUES`); ``"other"`` when neither says.
    """
    genre = _genre_in(title, GENRE_CUES)
    if genre == "press_statement" and _JOINT_AUTHORS.search(title):
        genre = "joint_statement"  # 「A及びBの声明」: a statement of two leaders is a joint one
    if genre is None:
        found = [(text.find(cue), n, g) for n, (cue, g) in enumerate(BODY_CUES) if cue in text]
        genre = min(found)[2] if found else None
    return genre if genre in DOC_TYPES else "other"


def parse_document(path: Path | str) -> Document:
    """Read, repair and segment one document; raise :class:`DocumentError` if it has no text.

    Where it comes from (URL, publisher, licence …) is read from a sidecar beside it, else from the
    text's own headers (:func:`extract.sources.document_meta`); a bad sidecar is a warning.
    """
    from .sources import document_meta

    path = Path(path)
    text = normalize(read_source(path))
    if not text.strip():
        raise DocumentError(path, "empty after reading", "check that the file has text in it")
    passages = segment(text)
    title = read_title(text, passages)
    notes: list[str] = []
    meta = document_meta(path, text, warn=notes.append)
    provisional = meta.provisional_translation
    return Document(
        source=path.name,
        doc_id=hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
        text=text,
        title=title,
        date=read_date(text, passages),
        doc_type=classify(title, text),
        passages=passages,
        provisional_translation=bool(provisional),
        place=read_place(text, passages),
        meta=tuple(meta.items()),
        meta_origin=meta.origin or None,
        warnings=tuple(str(n) for n in notes),
    )
