"""Reading source documents as text: which files, which encoding, which format.

:func:`iter_sources` turns the files and folders given on the command line into the list of
documents to read; :func:`read_source` reads one of them and returns its raw text (still to be
repaired by :mod:`extract.normalize`). Anything that cannot be read raises a
:class:`~extract.errors.DocumentError` naming the file and the reason.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

from .errors import DocumentError

__all__ = ["IGNORE_FILE", "SUPPORTED_SUFFIXES", "html_to_text", "iter_sources", "read_source"]

#: File suffixes read as documents (compared lower-cased).
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")

#: Name of the per-folder ignore file honoured by :func:`iter_sources`.
IGNORE_FILE = ".bkgignore"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_JAPANESE_ENCODINGS = ("cp932", "euc_jp")
_JIS_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


# ---------------------------------------------------------------------------------------------
# Which files


def iter_sources(paths: Iterable[Path | str], loops: list[tuple[Path, str]] | None = None) -> list[Path]:
    """The documents to read under ``paths``: sorted, without duplicates, deterministic.

    A file given by name is always listed (if it cannot be read, :func:`read_source` says why).
    A folder is searched recursively for files whose suffix is in :data:`SUPPORTED_SUFFIXES`,
    skipping hidden files and folders (names starting with ``.``) and whatever a ``.bkgignore``
    file excludes.

    ``.bkgignore``: a text file in any folder, one glob pattern a line (blank lines and lines
    starting with ``#`` are skipped). A pattern is matched, with :func:`fnmatch.fnmatch`, against
    the name of each file and folder below that folder and against its path relative to that
    folder (``/``-separated); a match leaves the file, or the whole folder, out. A trailing ``/``
    restricts a pattern to folders. Example: ``SOURCES.md`` or ``drafts/`` or ``*.bak.txt``.

    Each real folder is walked once and each real file listed once, whatever links lead to them:
    a symbolic link that loops is named in ``loops`` (when given) and the walk goes on.
    """
    found: dict[Path, Path] = {}  # real path -> the first path it was reached by
    seen_dirs: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            listed = _walk(path, (), seen_dirs, loops)
        else:
            listed = [path]
        for file in listed:
            found.setdefault(_real(file), file)
    return sorted(found.values(), key=lambda p: p.as_posix())


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop on the file itself
        return path.absolute()


def _walk(folder: Path, rules: tuple[tuple[Path, tuple[str, ...]], ...], seen: set[Path],
          loops: list[tuple[Path, str]] | None) -> list[Path]:
    """Files below ``folder``; each real folder is walked once, so links that loop (a → b → a)
    or reach a folder twice are named in ``loops`` and not followed again."""
    real = _real(folder)
    if real in seen:
        if loops is not None:
            loops.append((folder, f"reaches {real} again through a symbolic link (a loop); not read twice"))
        return []
    seen.add(real)
    ignore = folder / IGNORE_FILE
    if ignore.is_file():
        rules = (*rules, (folder, _read_patterns(ignore)))
    files: list[Path] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        is_dir = entry.is_dir()
        if _ignored(entry, is_dir, rules):
            continue
        if is_dir:
            files.extend(_walk(entry, rules, seen, loops))
        elif entry.is_file() and entry.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(entry)
    return files


def _read_patterns(path: Path) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return tuple(s for s in (line.strip() for line in lines) if s and not s.startswith("#"))


def _ignored(entry: Path, is_dir: bool, rules: tuple[tuple[Path, tuple[str, ...]], ...]) -> bool:
    for base, patterns in rules:
        relative = entry.relative_to(base).as_posix()
        for pattern in patterns:
            if pattern.endswith("/"):
                if not is_dir:
                    continue
                pattern = pattern.rstrip("/")
            pattern = pattern.lstrip("/")
            if fnmatch(entry.name, pattern) or fnmatch(relative, pattern):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Reading one file


def read_source(path: Path | str) -> str:
    """The text of one document (``.txt``, ``.md``, ``.html``/``.htm`` or ``.pdf``).

    Text files are decoded by detecting their encoding, never by assuming it: a byte order mark
    (UTF-8, UTF-16, UTF-32), ISO-2022-JP when its escapes are there, strict UTF-8, then the
    Japanese legacy encodings (CP932 / Shift_JIS and EUC-JP; when both decode, the more plausible
    Japanese text wins), then charset-normalizer. HTML is reduced to its text (see :func:`html_to_text`). PDF needs the
    ``pypdf`` package and a text layer.

    Raises :class:`DocumentError` for a missing, binary, undecodable or empty document.
    """
    path = Path(path)
    if not path.is_file():
        raise DocumentError(path, "no such file" if not path.exists() else "not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            path,
            f"not a supported document type ({suffix or 'no suffix'})",
            "give a " + ", ".join(SUPPORTED_SUFFIXES) + " file",
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(path, f"could not be read ({err.strerror or err})") from err
    if not data.strip():
        raise DocumentError(path, "empty file")
    if suffix == ".pdf":
        text = _read_pdf(path, data)
    else:
        declared = _declared_charset(data) if suffix in (".html", ".htm") else None
        text = decode_bytes(data, path, declared)
        if suffix in (".html", ".htm"):
            text = html_to_text(text)
    if not text.strip():
        raise DocumentError(path, "empty after reading", "check that the file has text in it")
    return text


def decode_bytes(data: bytes, path: Path, declared: str | None = None) -> str:
    """Decode ``data`` by detecting its encoding; ``declared`` (an HTML charset) is tried first."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding), path)
            except UnicodeDecodeError as err:
                raise DocumentError(
                    path, f"starts with a {encoding} byte order mark but is not {encoding}"
                ) from err
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise DocumentError(path, "not a text file (binary content)")
        return _check_text(text, path)
    candidates = [declared] if declared else []
    if any(escape in data for escape in _JIS_ESCAPES):
        candidates.append("iso2022_jp")  # 7-bit: would pass for UTF-8
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return _check_text(data.decode(encoding), path)
        except (UnicodeError, LookupError):  # UnicodeError: codecs such as idna, undefined
            continue
    decoded = []
    for encoding in _JAPANESE_ENCODINGS:
        try:
            decoded.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if decoded:
        return _check_text(max(decoded, key=_japanese_score), path)
    return _check_text(_detect_with_charset_normalizer(data, path), path)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte order mark: the NUL bytes of its ASCII characters (newlines,
    digits, spaces) all fall on one side of each code unit. ``None`` when the bytes are not that."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    # (the other side has NUL bytes too when the text has characters U+xx00: 一 U+4E00, the
    # ideographic space U+3000; read both ways, the wrong one is not text)
    readings = []
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) < max(2, len(zeros) // 20):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch.isspace() for ch in text)
        if printable >= 0.98 * len(text):
            readings.append((zeros.count(0), text))
    return max(readings, key=lambda reading: reading[0])[1] if readings else None


def _detect_with_charset_normalizer(data: bytes, path: Path) -> str:
    """Last resort for other legacy encodings; refuses guesses that cannot be real text.

    Without a byte order mark, UTF-16/32 text would have NUL bytes (already refused), and a text
    document has at least one space or line break.
    """
    from charset_normalizer import from_bytes

    for match in from_bytes(data):
        encoding = (match.encoding or "").lower()
        if encoding.startswith(("utf_16", "utf_32")):
            continue
        text = str(match)
        if any(char.isspace() for char in text):
            return text
    raise DocumentError(path, "could not detect the encoding", "save it as UTF-8")


def _japanese_score(text: str) -> float:
    """How much ``text`` looks like ordinary Japanese: half-width katakana counts against it."""
    good = bad = 0
    for char in text:
        code = ord(char)
        if 0xFF61 <= code <= 0xFF9F or 0xE000 <= code <= 0xF8FF:
            bad += 1
        elif (
            code < 0x80
            or 0x3000 <= code <= 0x30FF
            or 0x4E00 <= code <= 0x9FFF
            or 0xFF01 <= code <= 0xFF5E
        ):
            good += 1
    return (good - 2 * bad) / max(len(text), 1)


def _check_text(text: str, path: Path) -> str:
    """Refuse decoded text that is really binary: control characters other than whitespace."""
    controls = sum(
        1 for char in text if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc"
    )
    if controls > max(2, len(text) // 100):
        raise DocumentError(path, "not a text file (binary content)")
    return text


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        name = codecs.lookup(name).name
        # the tag was read as ASCII: a charset it is not written in (UTF-16, UTF-32, EBCDIC)
        # is a false declaration (HTML: "utf-16" in a meta tag means UTF-8)
        if match.group(0).decode(name) != match.group(0).decode("latin-1"):
            return None
    except (LookupError, UnicodeError):
        return None
    return name


def _read_pdf(path: Path, data: bytes) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as err:
        raise DocumentError(
            path, "reading PDF needs the pypdf package", "pip install pypdf"
        ) from err
    from io import BytesIO

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(path, "the PDF is encrypted", "save an unencrypted copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as err:
        raise DocumentError(path, f"not a readable PDF ({err})") from err
    text = "\n".join(pages)
    if not text.strip():
        raise DocumentError(
            path, "the PDF has no text layer (scanned pages?)", "run OCR on it first"
        )
    return text


# ---------------------------------------------------------------------------------------------
# HTML

_SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template", "svg", "iframe"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "tr", "table", "thead", "tbody", "tfoot", "ul", "ol", "dl", "dt", "dd",
        "section", "article", "header", "footer", "main", "nav", "aside", "blockquote", "pre",
        "hr", "figure", "figcaption", "address", "caption", "form", "fieldset", "body", "html",
    }
)  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELL_TAGS = frozenset({"td", "th"})
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area"})


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML page, keeping block boundaries as line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._pre = 0
        self._cells_in_row = 0

    def _newline(self) -> None:
        self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            if tag not in _VOID_TAGS:
                self._skip += 1
            return
        if self._skip:
            return
        if tag == "tr":
            self._cells_in_row = 0
        if tag in _BLOCK_TAGS:
            self._newline()
            if tag == "pre":
                self._pre += 1
        elif tag in _HEADING_TAGS:
            self.parts.append("\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _CELL_TAGS:
            if self._cells_in_row:
                self.parts.append("\t")
            self._cells_in_row += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._skip and tag in ("br", "hr"):
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _BLOCK_TAGS or tag in _HEADING_TAGS or tag == "li":
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._pre:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text content of an HTML page.

    Scripts, styles and the ``<head>`` are dropped; block elements (``p``, ``div``, ``br``,
    ``li``, ``tr``, ``h1``–``h6``…) become line breaks, table cells are separated by tabs,
    headings are marked ``#`` and list items ``-`` (as Markdown), which
    :func:`extract.normalize.normalize` understands.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))
    text = "\n".join(lines)
    return re.sub(r"\n{2,}", "\n", text).strip("\n") + "\n"
