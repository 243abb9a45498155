"""Reading source files: encodings, formats, folders and the errors for what cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.errors import DocumentError
from extract.read import html_to_text, iter_sources, read_source

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
SAMPLE = "２０２３年１１月、日本国とキルギス共和国は共同声明を発出した。（第９回）\n"
CORPUS_FILES = (
    "2022-12-24_ca-jad_9th-foreign-ministers_joint-statement.txt",
    "2023-11_jp-kgz_joint-statement.txt",
    "2025-09_kgz-country-brief_relations.md",
    "2025-12-18_jp-kaz_joint-statement.txt",
    "2025-12-20_ca-jad_summit_tokyo-declaration.txt",
)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932", "euc_jp", "iso2022_jp"]
)
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    assert read_source(path) == SAMPLE


def test_shift_jis_that_is_also_valid_euc_jp_is_read_as_shift_jis(tmp_path: Path) -> None:
    text = "共同声明 日本国政府 キルギス共和国政府 協力覚書 署名"
    path = tmp_path / "sjis.md"
    path.write_bytes(text.encode("shift_jis"))
    assert read_source(path) == text


def test_html_keeps_text_and_block_boundaries(tmp_path: Path) -> None:
    page = (
        "<html><head><title>drop me</title><style>p {color: red}</style></head><body>"
        "<h2>二国間関係</h2><p>両首脳は、<b>協力</b>を&nbsp;確認した。</p>"
        "<script>var x = '秘密';</script>"
        "<ul><li>第一</li><li>第二</li></ul>"
        "<table><tr><td>1993年</td><td>大統領訪日</td></tr></table>"
        "<p>一行目<br>二行目</p></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    lines = read_source(path).splitlines()
    text = "\n".join(lines)
    assert "drop me" not in text and "秘密" not in text and "color" not in text
    assert "## 二国間関係" in lines
    assert "両首脳は、協力を\xa0確認した。" in lines
    assert "- 第一" in lines and "- 第二" in lines
    assert "1993年\t大統領訪日" in lines
    assert "一行目" in lines and "二行目" in lines


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    page = '<html><head><meta charset="shift_jis"></head><body><p>外務省</p></body></html>'
    path = tmp_path / "page.htm"
    path.write_bytes(page.encode("shift_jis"))
    assert read_source(path).strip() == "外務省"


def test_html_to_text_of_nested_cells() -> None:
    text = html_to_text(
        "<table><tr><th>年</th><th>事項</th></tr><tr><td>2000年</td><td>開設</td></tr></table>"
    )
    assert text.split("\n") == ["年\t事項", "2000年\t開設", ""]


def test_binary_file_is_a_document_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(DocumentError) as caught:
        read_source(path)
    assert caught.value.path == path
    assert "not a text file" in caught.value.reason
    assert str(caught.value).startswith(f"{path}: ")


def test_empty_file_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n\n")
    with pytest.raises(DocumentError, match="empty"):
        read_source(path)


def test_html_without_text_is_empty_after_reading(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>t</title></head><body><script>x()</script></body></html>")
    with pytest.raises(DocumentError, match="empty after reading"):
        read_source(path)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match="not a supported document type"):
        read_source(path)
    with pytest.raises(DocumentError, match="no such file"):
        read_source(tmp_path / "missing.txt")


def test_undecodable_bytes_say_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes([0x81, 0xFF, 0xFE, 0x80]) * 3)
    with pytest.raises(DocumentError) as caught:
        read_source(path)
    assert str(caught.value) == f"{path}: could not detect the encoding; save it as UTF-8"


def _minimal_pdf(content: bytes) -> bytes:
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


def test_pdf_text_layer_is_read(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    path = tmp_path / "statement.pdf"
    path.write_bytes(_minimal_pdf(b"BT /F1 12 Tf 20 100 Td (Joint Statement 2025) Tj ET"))
    assert "Joint Statement 2025" in read_source(path)


def test_pdf_without_text_layer_is_a_document_error(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    path = tmp_path / "scan.pdf"
    path.write_bytes(_minimal_pdf(b"0 0 m 100 100 l S"))
    with pytest.raises(DocumentError, match="no text layer"):
        read_source(path)


def test_broken_pdf_is_a_document_error(tmp_path: Path) -> None:
    pytest.importorskip("pypdf")
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a pdf at all")
    with pytest.raises(DocumentError):
        read_source(path)


def test_iter_sources_expands_folders_deterministically(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b", encoding="utf-8")
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "c.html").write_text("<p>c</p>", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"x")
    (tmp_path / ".hidden.txt").write_text("h", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "d.PDF").write_bytes(b"%PDF")
    found = iter_sources([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.md", "b.txt", "c.html", "sub/d.PDF",
    ]  # fmt: skip
    assert iter_sources([sub, tmp_path, tmp_path / "b.txt"]) == found


def test_bkgignore_leaves_files_and_folders_out(tmp_path: Path) -> None:
    (tmp_path / ".bkgignore").write_text(
        "# notes\nSOURCES.md\ndrafts/\n*.bak.txt\n", encoding="utf-8"
    )
    for name in ("SOURCES.md", "keep.md", "old.bak.txt", "keep.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "draft.txt").write_text("x", encoding="utf-8")
    deeper = tmp_path / "deeper"
    deeper.mkdir()
    (deeper / "SOURCES.md").write_text("x", encoding="utf-8")
    (deeper / "doc.txt").write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_sources([tmp_path])]
    assert found == ["deeper/doc.txt", "keep.md", "keep.txt"]


def test_explicit_files_are_always_listed(tmp_path: Path) -> None:
    odd = tmp_path / "odd.rtf"
    odd.write_text("x", encoding="utf-8")
    assert iter_sources([odd]) == [odd]


def test_corpus_documents_are_found_and_read() -> None:
    found = {p.name for p in iter_sources([CORPUS])}
    assert set(CORPUS_FILES) <= found
    for name in CORPUS_FILES:
        text = read_source(CORPUS / name)
        assert "両首脳" in text or "閣僚" in text or "キルギス" in text


def test_document_error_message() -> None:
    err = DocumentError("x/y.txt", "could not detect the encoding", "save it as UTF-8")
    assert str(err) == "x/y.txt: could not detect the encoding; save it as UTF-8"
    assert err.path == Path("x/y.txt") and err.reason == "could not detect the encoding"
    assert str(DocumentError("z.txt", "empty file")) == "z.txt: empty file"


def test_symbolic_link_loops_are_walked_once_and_named(tmp_path):
    from extract.read import iter_sources

    root = tmp_path / "docs"
    (root / "a").mkdir(parents=True)
    (root / "a" / "one.txt").write_text("x", encoding="utf-8")
    (root / "a" / "back").symlink_to(root, target_is_directory=True)  # a → docs → a …
    (root / "b").mkdir()
    (root / "b" / "up").symlink_to(root, target_is_directory=True)  # a second loop
    (root / "same.txt").symlink_to(root / "a" / "one.txt")  # one file by two names
    loops: list = []
    found = iter_sources([root], loops)
    assert [p.relative_to(root).as_posix() for p in found] == ["a/one.txt"]
    assert sorted(str(folder.relative_to(root)) for folder, _ in loops) == ["a/back", "b/up"]
    assert all("symbolic link" in reason for _, reason in loops)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path, encoding):
    text = "日本国とチリ共和国との間の共同声明\n2024年5月1日\n1 双方は、協力を確認した。\n"
    path = tmp_path / "statement.txt"
    path.write_bytes(text.encode(encoding))
    assert read_source(path) == text


def test_binary_with_nul_bytes_is_still_refused(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DocumentError, match="binary"):
        read_source(path)
