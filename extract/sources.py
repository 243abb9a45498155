"""Where a document comes from: URL, publisher, title, date, place, language, licence.

A document's file name carries no meaning (the contract's rule), so what a researcher needs to cite
it comes from one of three places, field by field, the first that says winning:

1. ``NAME.meta.json`` beside ``NAME.txt`` (same stem): one JSON object for one document;
2. ``SOURCES.tsv`` in the document's folder: one row per document, its ``file`` column naming
   the document's file name exactly (compared in Unicode NFC);
3. the text's own headers (:func:`header_meta`): a database record's ``[文書名]``, ``[場所]``,
   ``[年月日]``, ``[出典]``, ``[備考]`` lines (worldjpn) and a ``(仮訳)`` note at the top.

Builds work without any sidecar. A malformed sidecar raises :class:`SidecarError` naming the
sidecar file, where in it (line, column or key) and why; :func:`document_meta` turns that into a
warning and goes on without the sidecar. The format is described in ``docs/SOURCES-SIDECAR.md``.

>>> meta = header_meta("[文書名] 東京宣言\\n[場所] 東京\\n[年月日] 令和7年12月20日\\n[出典] 外務省\\n")
>>> meta.title, meta.place, meta.date, meta.publisher, meta.origin
('東京宣言', '東京', '2025-12-20', '外務省', 'text headers')
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .dates import parse_date
from .facts import DateValue

__all__ = [
    "FIELDS",
    "META_SUFFIX",
    "ORIGIN_HEADERS",
    "TABLE_COLUMNS",
    "TABLE_NAME",
    "SidecarError",
    "SidecarWarning",
    "SourceMeta",
    "document_meta",
    "header_meta",
    "is_sidecar",
    "merge",
    "meta_path",
    "read_meta_json",
    "read_sidecar",
    "read_table",
    "table_meta",
]

#: The per-document sidecar: ``NAME.meta.json`` beside ``NAME.txt``.
META_SUFFIX = ".meta.json"
#: The folder-level sidecar: one row per document of the folder.
TABLE_NAME = "SOURCES.tsv"
#: ``origin`` of the values read from a text's own headers.
ORIGIN_HEADERS = "text headers"

#: The metadata fields, in the order of the table's columns.
FIELDS: tuple[str, ...] = (
    "url",
    "publisher",
    "title",
    "date",
    "place",
    "language",
    "source_language",
    "provisional_translation",
    "license",
    "retrieved",
    "notes",
)
#: The columns a ``SOURCES.tsv`` may have (``file`` is required, the others optional).
TABLE_COLUMNS: tuple[str, ...] = ("file", *FIELDS)

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_TABLE_CACHE_SIZE = 64


class SidecarError(ValueError):
    """A sidecar that cannot be used: ``str(err)`` reads ``"FILE: WHERE: reason"``.

    >>> str(SidecarError("a/SOURCES.tsv", "bad date '2023-13'", where="line 4, column 'date'"))
    "a/SOURCES.tsv: line 4, column 'date': bad date '2023-13'"
    """

    def __init__(self, path: Path | str, reason: str, *, where: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.where = where
        super().__init__(str(self.path), reason, where)

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.path}: {where}{self.reason}"


class SidecarWarning(UserWarning):
    """A sidecar was left out (:func:`document_meta` without a ``warn`` callback)."""


# ---------------------------------------------------------------------------------------------
# Values


def _check_date(value: str) -> str:
    """``value`` if it is an ISO date at year, month or day precision; else ValueError."""
    m = _DATE.fullmatch(value)
    if m is None:
        raise ValueError(f"bad date {value!r}: give YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        _dt.date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"bad date {value!r}: no such day") from None
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", value):
        raise ValueError(f"bad URL {value!r}: give an http:// or https:// address")
    return value


def _check_language(value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise ValueError(f"bad language tag {value!r}: give a BCP 47 tag such as 'ja' or 'en'")
    return value


def _check_license(value: str) -> str:
    return _check_url(value) if "://" in value else value


def _check_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line")
    return value


_CHECKS: dict[str, Callable[[str], str]] = {
    "url": _check_url,
    "date": _check_date,
    "retrieved": _check_date,
    "language": _check_language,
    "source_language": _check_language,
    "license": _check_license,
    "publisher": _check_line,
    "title": _check_line,
    "place": _check_line,
}


def _parse_bool(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError(f"bad boolean {value!r}: give true or false (yes/no, 1/0)")


def _clean(name: str, value: object) -> str | bool | None:
    """The value of field ``name`` as stored in :class:`SourceMeta`; ValueError if it is bad."""
    if name == "provisional_translation":
        return _parse_bool(value)
    if value is None:
        return None
    if not isinstance(value, str):
        # a value of the wrong type in a data file is a bad value: ValueError, as for the others
        raise ValueError(f"must be a string, not {type(value).__name__} {value!r}")  # noqa: TRY004
    value = value.strip()
    if not value:
        return None
    check = _CHECKS.get(name)
    return check(value) if check else value


# ---------------------------------------------------------------------------------------------
# The record


@dataclass(frozen=True)
class SourceMeta:
    """What is known about where one document comes from. Every field is optional.

    ``date`` and ``retrieved`` are ISO dates at the precision known (``2023``, ``2023-11``,
    ``2023-11-20``); ``language`` is the BCP 47 tag of the text as stored (``ja``),
    ``source_language`` that of the authentic text it translates (``en`` for MOFA's Japanese
    provisional translation of an English original); ``provisional_translation`` is ``None``
    when nothing says. ``origins`` names, for each field set, where its value came from
    (``"SOURCES.tsv"``, ``"NAME.meta.json"`` or :data:`ORIGIN_HEADERS`).

    Values are checked on construction (a bad date, URL or language tag raises ValueError).
    """

    url: str | None = None
    publisher: str | None = None
    title: str | None = None
    date: str | None = None
    place: str | None = None
    language: str | None = None
    source_language: str | None = None
    provisional_translation: bool | None = None
    license: str | None = None
    retrieved: str | None = None
    notes: str | None = None
    origins: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for name in FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if name == "provisional_translation":
                if not isinstance(value, bool):
                    raise ValueError(f"provisional_translation must be a bool, not {value!r}")
                continue
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name} must be a non-empty string, not {value!r}")
            check = _CHECKS.get(name)
            if check:
                try:
                    check(value)
                except ValueError as err:
                    raise ValueError(f"{name}: {err}") from None
        unknown = {n for n, _ in self.origins} - set(FIELDS)
        if unknown:
            raise ValueError(f"origins name unknown fields: {sorted(unknown)}")

    @classmethod
    def from_fields(cls, origin: str, values: dict[str, Any]) -> SourceMeta:
        """A record from ``{field: value}`` (unset and empty values left out), all from ``origin``.

        Raises ValueError for an unknown field or a bad value.
        """
        clean: dict[str, Any] = {}
        for name, value in values.items():
            if name not in FIELDS:
                raise ValueError(f"unknown field {name!r}")
            value = _clean(name, value)
            if value is not None:
                clean[name] = value
        return cls(**clean, origins=tuple((n, origin) for n in FIELDS if n in clean))

    def items(self) -> Iterator[tuple[str, str | bool]]:
        """``(field, value)`` for each field set, in :data:`FIELDS` order."""
        for name in FIELDS:
            value = getattr(self, name)
            if value is not None:
                yield name, value

    def as_dict(self) -> dict[str, str | bool]:
        """The fields set, as a dict (for JSON output or an RDF writer)."""
        return dict(self.items())

    def origin_of(self, name: str) -> str | None:
        """Where the value of field ``name`` came from (``None`` when it is not set)."""
        return dict(self.origins).get(name)

    @property
    def origin(self) -> str:
        """Where the values came from, each place once, in field order: ``"NAME.meta.json,
        SOURCES.tsv, text headers"``; ``""`` when nothing is known."""
        seen: list[str] = []
        for _, origin in self.origins:
            if origin not in seen:
                seen.append(origin)
        return ", ".join(seen)

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in FIELDS)

    def date_value(self) -> DateValue | None:
        """``date`` as a :class:`~extract.facts.DateValue` (at its precision), or ``None``."""
        return DateValue.from_iso(self.date) if self.date else None


def merge(first: SourceMeta | None, *rest: SourceMeta | None) -> SourceMeta:
    """Field by field, the first record that has a value wins; ``origins`` follow the values.

    ``merge(sidecar, headers)``: the sidecar's fields win, the headers fill the gaps.
    ``None`` records are skipped; with nothing given, an empty :class:`SourceMeta`.
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for meta in (first, *rest):
        if meta is None:
            continue
        known = dict(meta.origins)
        for name, value in meta.items():
            if name not in values:
                values[name] = value
                if name in known:
                    origins[name] = known[name]
    return SourceMeta(**values, origins=tuple((n, origins[n]) for n in FIELDS if n in origins))


# ---------------------------------------------------------------------------------------------
# Sidecar files


def meta_path(document: Path | str) -> Path:
    """The per-document sidecar of ``document``: ``a/NAME.meta.json`` for ``a/NAME.txt``."""
    document = Path(document)
    return document.with_name(document.stem + META_SUFFIX)


def is_sidecar(path: Path | str) -> bool:
    """True for a sidecar file (``*.meta.json``, ``SOURCES.tsv``): never a document."""
    name = Path(path).name
    return name == TABLE_NAME or name.lower().endswith(META_SUFFIX)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SidecarError(path, f"could not be read ({err.strerror or err})") from err
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SidecarError(path, f"not UTF-8 text (byte {err.start})") from err


def read_meta_json(path: Path | str) -> SourceMeta:
    """Read one ``NAME.meta.json``: a JSON object whose keys are :data:`FIELDS`.

    Values are strings or ``null``; ``provisional_translation`` is ``true``/``false`` (or the
    strings ``"yes"``/``"no"``). Raises :class:`SidecarError` for a file that is not UTF-8, not
    JSON, not an object, or has an unknown key or a bad value.
    """
    path = Path(path)
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SidecarError(
            path, f"invalid JSON: {err.msg}", where=f"line {err.lineno}, column {err.colno}"
        ) from err
    if not isinstance(data, dict):
        raise SidecarError(path, f"must be a JSON object, not {type(data).__name__}")
    for key in data:
        if key not in FIELDS:
            raise SidecarError(
                path, "unknown key; known keys: " + ", ".join(FIELDS), where=f"key {key!r}"
            )
    values: dict[str, Any] = {}
    for key, value in data.items():
        try:
            values[key] = _clean(key, value)
        except ValueError as err:
            raise SidecarError(path, str(err), where=f"key {key!r}") from None
    return SourceMeta.from_fields(path.name, values)


@dataclass(frozen=True)
class _Table:
    """A parsed ``SOURCES.tsv``: a table-wide error, or per row the record or the row's error."""

    error: SidecarError | None = None
    rows: dict[str, SourceMeta | SidecarError] = field(default_factory=dict)


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _parse_table(path: Path) -> _Table:
    try:
        text = _read_text(path)
    except SidecarError as err:
        return _Table(error=err)
    header: list[str] | None = None
    rows: dict[str, SourceMeta | SidecarError] = {}
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            error = _check_header(path, number, cells)
            if error is not None:
                return _Table(error=error)
            header = cells
            continue
        where = f"line {number}"
        if len(cells) > len(header):
            return _Table(error=SidecarError(
                path, f"{len(cells)} cells but the header has {len(header)} columns", where=where
            ))
        row = dict(zip(header, cells))  # missing trailing cells are empty
        name = row.get("file", "")
        if not name:
            return _Table(error=SidecarError(path, "the file cell is empty", where=where))
        if "/" in name or "\\" in name:
            return _Table(error=SidecarError(
                path, f"file {name!r}: give a file name in this folder, not a path", where=where
            ))
        key = _nfc(name)
        if key in first_line:
            reason = f"file {name!r} is listed twice (first on line {first_line[key]})"
            return _Table(error=SidecarError(path, reason, where=where))
        first_line[key] = number
        values: dict[str, Any] = {}
        bad: SidecarError | None = None
        for column, cell in row.items():
            if column == "file":
                continue
            try:
                values[column] = _clean(column, cell)
            except ValueError as err:
                bad = SidecarError(path, str(err), where=f"{where}, column {column!r}")
                break
        rows[key] = bad if bad is not None else SourceMeta.from_fields(path.name, values)
    if header is None:
        return _Table(error=SidecarError(path, "no header line (file, url, publisher, …)"))
    return _Table(rows=rows)


def _check_header(path: Path, number: int, cells: list[str]) -> SidecarError | None:
    where = f"line {number} (header)"
    seen: set[str] = set()
    for cell in cells:
        if cell not in TABLE_COLUMNS:
            return SidecarError(
                path,
                f"unknown column {cell!r}; known columns: " + ", ".join(TABLE_COLUMNS),
                where=where,
            )
        if cell in seen:
            return SidecarError(path, f"column {cell!r} appears twice", where=where)
        seen.add(cell)
    if "file" not in seen:
        return SidecarError(path, "no 'file' column", where=where)
    return None


@lru_cache(maxsize=_TABLE_CACHE_SIZE)
def _cached_table(path: str, mtime_ns: int, size: int) -> _Table:
    return _parse_table(Path(path))


def _table(path: Path) -> _Table | None:
    """The parsed table at ``path`` (cached per path, modification time and size), or ``None``."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return _cached_table(str(path.absolute()), stat.st_mtime_ns, stat.st_size)


def read_table(path: Path | str) -> dict[str, SourceMeta]:
    """Every row of one ``SOURCES.tsv``, keyed by its ``file`` cell (NFC).

    Strict: raises :class:`SidecarError` for the first problem anywhere in the table.
    """
    path = Path(path)
    table = _table(path)
    if table is None:
        raise SidecarError(path, "no such file")
    if table.error is not None:
        raise table.error
    result: dict[str, SourceMeta] = {}
    for name, row in table.rows.items():
        if isinstance(row, SidecarError):
            raise row
        result[name] = row
    return result


def table_meta(document: Path | str) -> SourceMeta | None:
    """The row of ``document`` in the ``SOURCES.tsv`` of its folder, or ``None`` (no table, or
    no row for it). Raises :class:`SidecarError` when the table is unusable or the row is bad;
    a bad row of another document does not matter."""
    document = Path(document)
    table = _table(document.parent / TABLE_NAME)
    if table is None:
        return None
    if table.error is not None:
        raise table.error
    row = table.rows.get(_nfc(document.name))
    if isinstance(row, SidecarError):
        raise row
    return row


def read_sidecar(path: Path | str) -> SourceMeta | None:
    """What the sidecars say about the document at ``path``: its ``NAME.meta.json`` over its
    row in the folder's ``SOURCES.tsv``, field by field; ``None`` when neither exists.

    Raises :class:`SidecarError` (naming the sidecar, where in it and why) when either is bad.
    """
    path = Path(path)
    own_path = meta_path(path)
    own = read_meta_json(own_path) if own_path.is_file() else None
    row = table_meta(path)
    if own is None and row is None:
        return None
    return merge(own, row)


# ---------------------------------------------------------------------------------------------
# The text's own headers

#: A database record's header line: 「[文書名] …」 (half- or full-width brackets).
_HEADER_LINE = re.compile(
    r"^[\[［][ \u3000]*(?P<field>[^\[\]［］\s]{1,6})[ \u3000]*[\]］][ \t\u3000]*(?P<value>.*)$"
)
_BODY_FIELD = "全文"
#: A translation note: (仮訳), （仮訳）, 【仮訳】, (外務省仮訳), (日本語仮訳)…
_PROVISIONAL_NOTE = re.compile(
    r"[(（【\[［〔][^()（）【】\[\]［］〔〕\n]{0,10}仮訳[^()（）【】\[\]［］〔〕\n]{0,10}[)）】\]］〕]"
)
_DECORATION = " \t\u3000*_#>"  # Markdown emphasis and headings around a line
_TOP_LINES = 5
_TOP_CHARS = 300


def _header_fields(text: str) -> dict[str, str]:
    """The fields of a record header at the top of ``text`` (``{"文書名": "…", …}``)."""
    found: dict[str, str] = {}
    for line in text.lstrip("\ufeff").splitlines():
        line = line.strip(" \t\u3000")
        if not line:
            continue
        m = _HEADER_LINE.match(line)
        if m is None or m.group("field") == _BODY_FIELD:
            break
        found.setdefault(m.group("field"), m.group("value").strip(" \t\u3000"))
    return found


def _marks_provisional(text: str) -> bool:
    """A ``(仮訳)`` note at the top: a line of its own, or closing a title line (not a sentence
    that mentions another text's 仮訳)."""
    top = text.lstrip("\ufeff \t\u3000\r\n")[:_TOP_CHARS]
    lines = [s for s in (line.strip(_DECORATION) for line in top.splitlines()) if s]
    for line in lines[:_TOP_LINES]:
        if line == "仮訳" or _PROVISIONAL_NOTE.fullmatch(line):
            return True
        note = None
        for note in _PROVISIONAL_NOTE.finditer(line):
            pass
        if note is not None and not line[note.end():].strip(_DECORATION) and "。" not in line:
            return True
    return False


def header_meta(text: str) -> SourceMeta:
    """What a text's own headers say about its source (raw or normalized text).

    From a database record's header at the very top (worldjpn): ``title`` from ``[文書名]``,
    ``place`` from ``[場所]``, ``date`` from ``[年月日]`` (era dates converted; left out when it is
    not a date), ``publisher`` from ``[出典]`` and ``notes`` from ``[備考]``, each as written.
    ``provisional_translation`` is True when a ``(仮訳)`` note stands at the top (one of the first
    five lines, a line of its own or ending a title line) or ``[備考]`` says 仮訳; otherwise
    ``None`` (the text does not say). Nothing is taken from the file name.
    """
    fields_ = _header_fields(text)
    values: dict[str, Any] = {
        "title": fields_.get("文書名"),
        "place": fields_.get("場所"),
        "publisher": fields_.get("出典"),
        "notes": fields_.get("備考"),
    }
    if fields_.get("年月日"):
        found = parse_date(fields_["年月日"])
        values["date"] = found.iso() if found else None
    remark = fields_.get("備考") or ""
    if _marks_provisional(text) or "仮訳" in remark:
        values["provisional_translation"] = True
    return SourceMeta.from_fields(ORIGIN_HEADERS, values)


# ---------------------------------------------------------------------------------------------
# All together


def document_meta(
    path: Path | str, text: str, warn: Callable[[str], None] | None = None
) -> SourceMeta:
    """Everything known about the source of the document at ``path`` with text ``text``.

    ``NAME.meta.json`` over ``SOURCES.tsv`` over the text's headers, field by field. A bad
    sidecar is reported to ``warn`` (default: a :class:`SidecarWarning`) and left out; the
    other sidecar and the headers still count. Never raises :class:`SidecarError`.
    """
    path = Path(path)

    def _try(read: Callable[[], SourceMeta | None]) -> SourceMeta | None:
        try:
            return read()
        except SidecarError as err:
            message = f"{err}; the sidecar is left out"
            if warn is not None:
                warn(message)
            else:
                warnings.warn(message, SidecarWarning, stacklevel=3)
            return None

    own_path = meta_path(path)
    own = _try(lambda: read_meta_json(own_path)) if own_path.is_file() else None
    row = _try(lambda: table_meta(path))
    return merge(own, row, header_meta(text))
