"""Property-based tests of :func:`extract.read.read_source` (and :func:`parse_document` on top).

Whatever a file holds, reading it returns text or raises :class:`DocumentError` naming the file,
never anything else; Japanese text saved in any of the encodings the reader detects is read back
as it was (the reader returns the decoded text as it is: repairs are ``normalize``'s job).
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
from pathlib import Path

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from extract.errors import DocumentError
from extract.facts import DOC_TYPES
from extract.normalize import normalize
from extract.read import html_to_text, read_source
from extract.structure import parse_document


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-read")


def read_or_error(path: Path) -> str | None:
    """The text read, or None for a DocumentError that names ``path``; any other error fails."""
    try:
        text = read_source(path)
    except DocumentError as err:
        assert err.path == path
        assert str(err).startswith(f"{path}: ")
        return None
    assert isinstance(text, str) and text.strip()
    return text


# -- strategies ------------------------------------------------------------------------------

LEGACY = ("shift_jis", "cp932", "euc_jp", "iso2022_jp")


def _consistent(char: str) -> bool:
    """Saved in every Japanese legacy encoding and read back as itself (Shift_JIS too, which the
    reader decodes as CP932: they differ for 〜 ‖ − ¢ £ ¬, which CP932 reads as ～ ∥ － ￠ ￡ ￢)."""
    try:
        if any(char.encode(enc).decode(enc) != char for enc in LEGACY):
            return False
        return char.encode("shift_jis").decode("cp932") == char
    except UnicodeError:
        return False


_POOL = [
    chr(c)
    for c in [
        *range(0x20, 0x7F),
        *range(0x3000, 0x3100),
        *range(0x4E00, 0xA000),
        *range(0xFF01, 0xFF5F),
    ]
    if _consistent(chr(c))
]
KANA = [c for c in _POOL if "\u3041" <= c <= "\u30fa"]
JAPANESE_CHAR = st.one_of(
    st.sampled_from(KANA), st.sampled_from(_POOL), st.sampled_from("、。「」・ー\u3000一二三年月日")
)
#: A small Japanese document: short lines (a line break every 16 characters at most, as the ASCII
#: a UTF-16 file without a byte order mark is recognised by).
JAPANESE_DOCUMENT = st.lists(
    st.text(JAPANESE_CHAR, min_size=1, max_size=15), min_size=2, max_size=8
).map(lambda lines: "\n".join(lines) + "\n")

ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be",
     "utf-32", "shift_jis", "cp932", "euc_jp", "iso2022_jp"]
)  # fmt: skip


def encode(text: str, encoding: str) -> bytes:
    if encoding.endswith("-bom"):
        bare = encoding[: -len("-bom")]
        bom = codecs.BOM_UTF16_LE if bare.endswith("le") else codecs.BOM_UTF16_BE
        return bom + text.encode(bare)
    return text.encode(encoding)


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


CHARSET_LABELS = st.sampled_from(
    ["utf-8", "UTF-8", "shift_jis", "Shift-JIS", "euc-jp", "iso-2022-jp", "utf-16", "utf-32",
     "idna", "punycode", "undefined", "utf-7", "unicode_escape", "base64", "rot13", "cp037",
     "latin-1", "ascii", "x-bogus", "hz", "charmap", "big5", ""]
)  # fmt: skip

BYTE_TOKENS = [
    codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE, b"\x00", b"\x00\x00", b"\x1b$B", b"\x1b(B", b"\x1b(J", b"\n", b" ",
    b"\r\n", b"<p>", b"</p>", b"<br>", b"<script>", b"<!--", b"&amp;", b"&#0;", b"<", b">",
    b"\xff", b"\x81", b"\xa4", b"\x8e",
]  # fmt: skip
CHUNKS = st.one_of(
    st.binary(max_size=12),
    st.sampled_from(BYTE_TOKENS),
    st.builds(lambda text, enc: encode(text, enc), st.text(JAPANESE_CHAR, max_size=8), ENCODINGS),
    st.builds(lambda label: b'<meta charset="%s">' % label.encode(), CHARSET_LABELS),
)
FILE_BYTES = st.one_of(st.binary(max_size=200), st.lists(CHUNKS, max_size=16).map(b"".join))
TEXT_SUFFIXES = st.sampled_from([".txt", ".md", ".html", ".htm", ".TXT"])


# -- any bytes -------------------------------------------------------------------------------


@given(FILE_BYTES, TEXT_SUFFIXES)
@example(b'<meta charset="undefined"><p>x</p>', ".html")  # a codec that refuses to decode
@example(b'<meta charset="idna"><p>' + b"x" * 70 + b"</p>", ".html")  # a label too long
@example(("\u3000一\n" * 3).encode("utf-16-le"), ".txt")
def test_any_bytes_are_text_or_a_document_error(folder: Path, data: bytes, suffix: str) -> None:
    path = folder / f"any{suffix}"
    path.write_bytes(data)
    read_or_error(path)


@given(st.text(st.characters(min_codepoint=0x61, max_codepoint=0x7A), max_size=5))
def test_an_unsupported_or_missing_file_is_a_document_error(folder: Path, suffix: str) -> None:
    path = folder / f"doc.{suffix}x"  # never a supported suffix
    path.write_bytes(b"text\n")
    assert read_or_error(path) is None
    assert read_or_error(folder / f"missing-{suffix}.txt") is None
    assert read_or_error(folder) is None  # a folder is not a file


# -- Japanese text round trip ----------------------------------------------------------------


@given(JAPANESE_DOCUMENT, ENCODINGS, st.sampled_from([".txt", ".md"]))
@example("\u3000一二三\n一日\n", "utf-16-le", ".txt")  # U+3000, U+4E00: NUL in the low byte
@example("\u3000一二三\n一日\n", "utf-16-be", ".txt")
def test_japanese_text_is_read_back_in_every_encoding(
    folder: Path, text: str, encoding: str, suffix: str
) -> None:
    assume(text.strip())
    data = encode(text, encoding)
    if not encoding.startswith("utf"):
        # a legacy file is read as such when it is not also UTF-8 (tried first) and looks like
        # Japanese: kana, which CP932 and EUC-JP do not share, settle between those two
        assume(not _valid_utf8(data) or text.isascii())
        assume(any(char in KANA for char in text) or text.isascii())
    path = folder / f"doc{suffix}"
    path.write_bytes(data)
    assert read_source(path) == text


@given(JAPANESE_DOCUMENT, ENCODINGS, st.booleans())
def test_html_is_decoded_then_reduced_to_its_text(
    folder: Path, text: str, encoding: str, declare: bool
) -> None:
    assume(text.strip())
    labels = {"shift_jis": "shift_jis", "cp932": "shift_jis", "euc_jp": "euc-jp",
              "iso2022_jp": "iso-2022-jp"}  # fmt: skip
    head = f'<meta charset="{labels.get(encoding, "utf-8")}">' if declare else ""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    page = f"<html><head>{head}<title>t</title></head><body>{body}</body></html>"
    data = encode(page, encoding)
    if not declare and not encoding.startswith("utf"):
        assume(not _valid_utf8(data) or text.isascii())
        assume(any(char in KANA for char in text) or text.isascii())
    path = folder / "page.html"
    path.write_bytes(data)
    expected = html_to_text(page)
    assert read_or_error(path) == (expected if expected.strip() else None)


@given(JAPANESE_DOCUMENT, st.sampled_from(["utf-16", "utf-32", "utf-7"]))
@example("日本\n語\n", "utf-16")
def test_an_impossible_declared_charset_is_not_believed(
    folder: Path, text: str, label: str
) -> None:
    """A meta tag read as ASCII cannot declare UTF-16/32 truly (HTML says: use UTF-8 then)."""
    assume(text.strip())
    page = (
        f'<html><head><meta charset="{label}"></head><body><p>{html.escape(text)}</p></body></html>'
    )
    path = folder / "mislabelled.html"
    path.write_bytes(page.encode("utf-8"))
    assert read_source(path) == html_to_text(page)


# -- PDF -------------------------------------------------------------------------------------


def minimal_pdf(content: bytes) -> bytes:
    """A one-page PDF with ``content`` as its content stream (same as tests/extract/test_read)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


PDF_TOKENS = [b"<<", b">>", b"[", b"]", b"/Type", b"/Pages", b"/Kids", b"/Count", b"/Length",
              b"/Filter /FlateDecode", b"/Encrypt", b"R", b"0", b"-1", b"99999999999", b"obj",
              b"endobj", b"stream\n", b"endstream", b"xref", b"trailer", b"startxref", b"(",
              b")", b"\\", b"BT", b"ET", b"Tj", b"Tf", b"/F1", b" ", b"\n", b"%%EOF"]  # fmt: skip


@st.composite
def mutated_pdf(draw: st.DrawFn) -> bytes:
    words = draw(
        st.lists(st.sampled_from([b"Joint", b"Statement", b"2025", b"(x)", b"\\)"]), max_size=4)
    )
    data = bytearray(minimal_pdf(b"BT /F1 12 Tf 20 100 Td (" + b" ".join(words) + b") Tj ET"))
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        how = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        piece = draw(st.one_of(st.binary(min_size=1, max_size=4), st.sampled_from(PDF_TOKENS)))
        if how == "replace":
            data[at : at + len(piece)] = piece
        elif how == "insert":
            data[at:at] = piece
        elif how == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=20))]
        else:
            del data[at:]
    return bytes(data)


@given(mutated_pdf())
def test_a_damaged_pdf_is_text_or_a_document_error(folder: Path, data: bytes) -> None:
    pytest.importorskip("pypdf")
    path = folder / "doc.pdf"
    path.write_bytes(data)
    read_or_error(path)


# -- parse_document: reading, normalizing and segmenting together -----------------------------

DOCUMENT_TOKENS = [
    "\n", "\n\n", "。", "、", "1 ", "(2) ", "3. ", "II ", "## ", "- ", "・", "◆", "\t",
    "(仮訳)", "2025年12月18日", "令和元年5月1日", "、東京にて署名された。", "共同声明",
    "首脳会談", "[文書名] ", "[年月日] ", "[場所] ", "(写真提供:外務省)", "&amp;", "<b>",
]  # fmt: skip
DOCUMENT_PIECES = st.one_of(
    st.text(JAPANESE_CHAR, min_size=1, max_size=10), st.sampled_from(DOCUMENT_TOKENS)
)


@given(st.lists(DOCUMENT_PIECES, max_size=30).map("".join), st.sampled_from(["utf-8", "cp932"]))
def test_parse_document_passages_are_spans_of_its_text(
    folder: Path, text: str, encoding: str
) -> None:
    path = folder / "document.txt"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        assume(False)
    try:
        document = parse_document(path)
    except DocumentError as err:
        assert err.path == path
        return
    assert document.text == normalize(read_source(path))
    assert document.text.strip()
    end = 0
    for index, passage in enumerate(document.passages):
        assert passage.index == index
        assert end <= passage.start < passage.end <= len(document.text)
        end = passage.end
        assert document.text[passage.start : passage.end] == passage.text
    assert [p.text for p in document.passages] == document.text.split("\n")
    assert document.doc_type in DOC_TYPES
    if document.date is not None:  # a real calendar date at its precision
        value = document.date
        dt.date(value.year, value.month or 1, value.day or 1)
        assert value.day is None or value.month is not None


# -- what the fuzzing found --------------------------------------------------------------------


@pytest.mark.parametrize("label", ["undefined", "idna"])
def test_a_declared_codec_that_fails_otherwise_falls_back(tmp_path: Path, label: str) -> None:
    """Their decoders raise UnicodeError, not UnicodeDecodeError: it escaped read_source."""
    path = tmp_path / "page.html"
    path.write_bytes(b'<meta charset="%s"><p>' % label.encode() + b"x" * 70 + b"</p>")
    assert read_source(path) == "x" * 70 + "\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_with_nul_low_bytes_is_read(tmp_path: Path, encoding: str) -> None:
    """U+3000 and 一 (U+4E00) have a NUL byte too: the file was refused as binary."""
    text = "\u3000一 日本国とチリ共和国\n\u3000一 協力を確認した。\n"
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(encoding))
    assert read_source(path) == text


def test_a_utf16_meta_charset_in_an_ascii_page_is_ignored(tmp_path: Path) -> None:
    """The page was decoded as UTF-16 and came out as CJK garbage."""
    path = tmp_path / "page.html"
    path.write_bytes('<meta charset="utf-16"><p>日本</p>'.encode())
    assert read_source(path) == "日本\n"
