"""Where a document comes from: sidecars (NAME.meta.json, SOURCES.tsv), text headers, merging."""

from __future__ import annotations

import dataclasses
import json
import os
import unicodedata
from pathlib import Path

import pytest

from extract.facts import DateValue
from extract.read import iter_sources
from extract.sources import (
    FIELDS,
    ORIGIN_HEADERS,
    TABLE_COLUMNS,
    SidecarError,
    SidecarWarning,
    SourceMeta,
    document_meta,
    header_meta,
    is_sidecar,
    merge,
    meta_path,
    read_meta_json,
    read_sidecar,
    read_table,
    table_meta,
)

DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "\t".join(TABLE_COLUMNS)


def _table(folder: Path, *rows: str, header: str = HEADER) -> Path:
    path = folder / "SOURCES.tsv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _row(**cells: str) -> str:
    return "\t".join(cells.get(c, "") for c in TABLE_COLUMNS)


def _doc(folder: Path, name: str = "doc.txt", text: str = "本文。\n") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the record --------------------------------------------------------------------------------


def test_fields_are_the_dataclass_fields() -> None:
    names = tuple(f.name for f in dataclasses.fields(SourceMeta) if f.name != "origins")
    assert names == FIELDS
    assert TABLE_COLUMNS == ("file", *FIELDS)


def test_record_checks_its_values() -> None:
    assert SourceMeta(date="2023").date_value() == DateValue(2023)
    assert SourceMeta(date="2023-11-20").date_value() == DateValue(2023, 11, 20)
    for bad in ({"date": "2023-13"}, {"date": "20231120"}, {"url": "ftp://x.org/a"},
                {"language": "Japanese!"}, {"provisional_translation": "yes"}, {"title": ""}):
        with pytest.raises(ValueError):
            SourceMeta(**bad)  # type: ignore[arg-type]


def test_record_is_frozen_and_hashable() -> None:
    meta = SourceMeta.from_fields("x", {"title": "T"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        meta.title = "U"  # type: ignore[misc]
    assert hash(meta) == hash(SourceMeta.from_fields("x", {"title": "T"}))


# -- NAME.meta.json ----------------------------------------------------------------------------


def test_meta_json_is_read(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "a.b.txt")
    assert meta_path(doc) == tmp_path / "a.b.meta.json"
    meta_path(doc).write_text(json.dumps({
        "url": "https://www.mofa.go.jp/mofaj/x.html",
        "publisher": " 外務省 ",
        "date": "2025-12-18",
        "language": "ja",
        "source_language": "en",
        "provisional_translation": True,
        "retrieved": "2026-01-05",
        "license": "PDL-1.0",
        "notes": "two lines\nare fine here",
        "title": None,
        "place": "",
    }, ensure_ascii=False), encoding="utf-8")
    meta = read_sidecar(doc)
    assert meta is not None
    assert meta.publisher == "外務省"  # trimmed
    assert meta.title is None and meta.place is None  # null and "" are "not given"
    assert meta.provisional_translation is True and meta.source_language == "en"
    assert meta.origin == "a.b.meta.json"
    assert meta.origin_of("url") == "a.b.meta.json" and meta.origin_of("title") is None


def test_meta_json_with_bom_and_string_boolean(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    meta_path(doc).write_bytes(b"\xef\xbb\xbf" + b'{"provisional_translation": "no"}')
    assert read_meta_json(meta_path(doc)).provisional_translation is False


@pytest.mark.parametrize(
    ("content", "where", "reason"),
    [
        ('{"title": "x",}', "line 1, column", "invalid JSON"),
        ('["title"]', None, "must be a JSON object"),
        ('{"titel": "x"}', "key 'titel'", "unknown key"),
        ('{"date": "2023-02-30"}', "key 'date'", "no such day"),
        ('{"date": "R5.11"}', "key 'date'", "bad date"),
        ('{"retrieved": "yesterday"}', "key 'retrieved'", "bad date"),
        ('{"url": "www.mofa.go.jp/x"}', "key 'url'", "bad URL"),
        ('{"license": "ftp://x.org/l"}', "key 'license'", "bad URL"),
        ('{"provisional_translation": "maybe"}', "key 'provisional_translation'", "bad boolean"),
        ('{"provisional_translation": 2}', "key 'provisional_translation'", "bad boolean"),
        ('{"language": "日本語"}', "key 'language'", "bad language tag"),
        ('{"title": 12}', "key 'title'", "must be a string"),
        ('{"place": "東京\\n大阪"}', "key 'place'", "one line"),
    ],
)
def test_meta_json_errors_name_file_place_and_reason(
    tmp_path: Path, content: str, where: str | None, reason: str
) -> None:
    doc = _doc(tmp_path)
    meta_path(doc).write_text(content, encoding="utf-8")
    with pytest.raises(SidecarError) as info:
        read_sidecar(doc)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.path == meta_path(doc)
    assert str(err).startswith(f"{meta_path(doc)}: ")
    assert reason in str(err)
    if where:
        assert where in str(err)


def test_meta_json_not_utf8(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    meta_path(doc).write_bytes('{"title": "東京宣言"}'.encode("cp932"))
    with pytest.raises(SidecarError, match="not UTF-8"):
        read_sidecar(doc)


# -- SOURCES.tsv -------------------------------------------------------------------------------


def test_table_row_is_read(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "東京宣言.txt")
    _doc(tmp_path, "other.txt")
    _table(
        tmp_path,
        "# a comment line",
        _row(file="東京宣言.txt", url="https://example.org/a", title="「中央アジア＋日本」対話 東京宣言",
             date="2025-12", provisional_translation="yes"),
        "",
        _row(file="other.txt", publisher="在キルギス日本国大使館"),
    )
    meta = read_sidecar(doc)
    assert meta == SourceMeta.from_fields(
        "SOURCES.tsv",
        {"url": "https://example.org/a", "title": "「中央アジア＋日本」対話 東京宣言",
         "date": "2025-12", "provisional_translation": True},
    )
    assert meta.origin == "SOURCES.tsv"
    other = read_sidecar(tmp_path / "other.txt")
    assert other is not None and other.publisher == "在キルギス日本国大使館"


def test_table_with_some_columns_bom_crlf_and_short_rows(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    (tmp_path / "SOURCES.tsv").write_bytes(
        "\ufefffile\tdate\tnotes\r\ndoc.txt\t2023\r\n".encode()
    )
    meta = table_meta(doc)
    assert meta is not None and meta.date == "2023" and meta.notes is None


def test_table_file_names_compare_in_nfc(tmp_path: Path) -> None:
    name = "ガイド.txt"
    doc = _doc(tmp_path, unicodedata.normalize("NFD", name))
    _table(tmp_path, _row(file=name, title="NFC"))
    assert table_meta(doc).title == "NFC"  # type: ignore[union-attr]


def test_no_sidecar_no_row(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    assert read_sidecar(doc) is None
    _table(tmp_path, _row(file="someone-else.txt", title="x"))
    assert read_sidecar(doc) is None  # the name must match exactly
    assert table_meta(tmp_path / "DOC.TXT") is None


def test_table_in_another_folder_does_not_count(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    doc = _doc(sub)
    _table(tmp_path, _row(file="doc.txt", title="x"))
    assert read_sidecar(doc) is None


@pytest.mark.parametrize(
    ("lines", "where", "reason"),
    [
        (["file\tdate\ttype", "doc.txt\t2023\tx"], "line 1 (header)", "unknown column 'type'"),
        (["url\tdate", "https://a.org\t2023"], "line 1 (header)", "no 'file' column"),
        (["file\tdate\tdate", "doc.txt\t2023\t2023"], "line 1 (header)", "'date' appears twice"),
        (["# only a comment"], None, "no header line"),
        (["file\tdate", "doc.txt\t2023\textra"], "line 2", "3 cells but the header has 2"),
        (["file\tdate", "\t2023"], "line 2", "the file cell is empty"),
        (["file\tdate", "sub/doc.txt\t2023"], "line 2", "not a path"),
        (["file\tdate", "doc.txt\t2023", "# c", "doc.txt\t2024"], "line 4",
         "listed twice (first on line 2)"),
        (["file\tdate", "doc.txt\t2023/11"], "line 2, column 'date'", "bad date"),
        (["file\turl", "doc.txt\tmofa.go.jp"], "line 2, column 'url'", "bad URL"),
        (["file\tprovisional_translation", "doc.txt\t仮訳"],
         "line 2, column 'provisional_translation'", "bad boolean"),
        (["file\tlanguage", "doc.txt\tjapanese language"], "line 2, column 'language'",
         "bad language tag"),
    ],
)
def test_table_errors_name_file_line_and_reason(
    tmp_path: Path, lines: list[str], where: str | None, reason: str
) -> None:
    doc = _doc(tmp_path)
    path = tmp_path / "SOURCES.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for call in (lambda: read_sidecar(doc), lambda: read_table(path)):
        with pytest.raises(SidecarError) as info:
            call()
        assert info.value.path == path
        assert str(info.value).startswith(f"{path}: ")
        assert reason in str(info.value)
        if where:
            assert f": {where}: " in str(info.value)


def test_a_bad_row_only_spoils_its_own_document(tmp_path: Path) -> None:
    good, bad = _doc(tmp_path, "good.txt"), _doc(tmp_path, "bad.txt")
    path = _table(
        tmp_path, _row(file="bad.txt", date="2023-99"), _row(file="good.txt", date="2023")
    )
    assert read_sidecar(good).date == "2023"  # type: ignore[union-attr]
    with pytest.raises(SidecarError, match="line 2, column 'date'"):
        read_sidecar(bad)
    with pytest.raises(SidecarError):
        read_table(path)  # strict: the whole table


def test_table_not_utf8(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    (tmp_path / "SOURCES.tsv").write_bytes("file\ttitle\ndoc.txt\t東京宣言\n".encode("cp932"))
    with pytest.raises(SidecarError, match="not UTF-8"):
        read_sidecar(doc)


def test_table_is_parsed_once_per_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extract import sources

    docs = [_doc(tmp_path, f"d{n}.txt") for n in range(50)]
    path = _table(tmp_path, *(_row(file=d.name, title=f"t{n}") for n, d in enumerate(docs)))
    calls: list[Path] = []
    real = sources._parse_table
    monkeypatch.setattr(sources, "_parse_table", lambda p: calls.append(p) or real(p))
    sources._cached_table.cache_clear()
    titles = [table_meta(d).title for d in docs]  # type: ignore[union-attr]
    assert titles == [f"t{n}" for n in range(50)]
    assert len(calls) == 1
    # an edited table is read again
    _table(tmp_path, _row(file="d0.txt", title="new, longer title"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert table_meta(docs[0]).title == "new, longer title"  # type: ignore[union-attr]
    assert table_meta(docs[1]) is None
    assert len(calls) == 2


# -- precedence --------------------------------------------------------------------------------


def test_meta_json_wins_over_table_field_by_field(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    _table(tmp_path, _row(file="doc.txt", title="table title", date="2023-11", publisher="外務省"))
    meta_path(doc).write_text('{"title": "own title", "date": null}', encoding="utf-8")
    meta = read_sidecar(doc)
    assert meta is not None
    assert (meta.title, meta.date, meta.publisher) == ("own title", "2023-11", "外務省")
    assert meta.origin_of("title") == "doc.meta.json"
    assert meta.origin_of("date") == "SOURCES.tsv"
    assert meta.origin == "SOURCES.tsv, doc.meta.json"  # each once, in field order


def test_document_meta_sidecars_over_headers(tmp_path: Path) -> None:
    text = "[文書名] 見出しの題\n[場所] 東京\n[年月日] 平成17年12月14日\n[出典] 外務省\n[全文]\n本文。\n"
    doc = _doc(tmp_path, text=text)
    _table(tmp_path, _row(file="doc.txt", title="表の題", url="https://worldjpn.net/x.html"))
    meta = document_meta(doc, text, warn=pytest.fail)
    assert (meta.title, meta.url, meta.place, meta.date) == (
        "表の題", "https://worldjpn.net/x.html", "東京", "2005-12-14"
    )
    assert meta.origin == "SOURCES.tsv, text headers"
    assert meta.origin_of("place") == ORIGIN_HEADERS


def test_document_meta_leaves_a_bad_sidecar_out_with_a_warning(tmp_path: Path) -> None:
    text = "東京宣言\n(仮訳)\n本文。\n"
    doc = _doc(tmp_path, text=text)
    meta_path(doc).write_text("{not json", encoding="utf-8")
    _table(tmp_path, _row(file="doc.txt", publisher="外務省"))
    messages: list[str] = []
    meta = document_meta(doc, text, warn=messages.append)
    assert meta.publisher == "外務省" and meta.provisional_translation is True  # the rest still counts
    assert len(messages) == 1
    assert str(meta_path(doc)) in messages[0] and "invalid JSON" in messages[0]
    with pytest.warns(SidecarWarning, match="invalid JSON"):
        document_meta(doc, text)


def test_document_meta_without_sidecars_or_headers(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    meta = document_meta(doc, "本文。\n", warn=pytest.fail)
    assert meta.is_empty and meta.origin == "" and meta.as_dict() == {}


# -- text headers ------------------------------------------------------------------------------


def test_header_meta_of_a_database_record() -> None:
    text = (
        "[文書名] 日本国と某国との共同声明\n"
        "\n"
        "[場所] 某国,首都\n"
        "[年月日] 昭和48年10月10日\n"
        "[出典] 日本外交主要文書・年表(4),1243－1245頁. \n"
        "[備考] 外務省仮訳\n"
        "[全文]\n"
        "[注] 本文の注は見出しではない\n"
        "1.両国は…\n"
    )
    meta = header_meta(text)
    assert meta.as_dict() == {
        "publisher": "日本外交主要文書・年表(4),1243－1245頁.",
        "title": "日本国と某国との共同声明",
        "date": "1973-10-10",
        "place": "某国,首都",
        "provisional_translation": True,
        "notes": "外務省仮訳",
    }
    assert meta.origin == ORIGIN_HEADERS


def test_header_meta_full_width_brackets_and_undated() -> None:
    meta = header_meta("\ufeff［文書名］　ある宣言\n［年月日］　不明\n［出典］　外務省\n本文。\n")
    assert (meta.title, meta.date, meta.publisher) == ("ある宣言", None, "外務省")
    assert meta.provisional_translation is None  # the text does not say


def test_header_meta_reads_only_the_header_at_the_top() -> None:
    assert header_meta("前文。\n[文書名] 本文中の括弧\n[出典] 外務省\n").is_empty


@pytest.mark.parametrize(
    "text",
    [
        "某国との共同声明\n（仮訳）\n\n本文。\n",
        "\n（仮訳） \n「某対話」第１回外相会合 共同声明 \n本文。\n",
        "**将来に向けた共同声明  \n(仮訳)**\n\n本文。\n",
        "北東アジアにおける平和と協力のための共同宣言(仮訳)\n大韓民国,ソウル\n本文。\n",
        "某宣言\n【仮訳】\n本文。\n",
        "某宣言\n仮訳\n本文。\n",
    ],
)
def test_header_meta_provisional_translation_note(text: str) -> None:
    assert header_meta(text).provisional_translation is True


@pytest.mark.parametrize(
    "text",
    [
        "日・某国外相会談(概要)\n平成24年6月7日\n両外相は覚書(日本語仮訳/英語)に署名した。\n",
        "某会談\n本文。\n" + "続き。\n" * 5 + "(仮訳)\n",  # not at the top
        "某会談\n" + "あ" * 320 + "\n(仮訳)\n",  # past the first 300 characters
        "某国概況\n在某国日本国大使館 2025年9月\n",
    ],
)
def test_header_meta_no_provisional_translation_note(text: str) -> None:
    assert header_meta(text).provisional_translation is None


# -- merge -------------------------------------------------------------------------------------


def test_merge_sidecar_wins_headers_fill_gaps() -> None:
    sidecar = SourceMeta.from_fields(
        "SOURCES.tsv", {"title": "T1", "provisional_translation": False}
    )
    headers = SourceMeta.from_fields(
        ORIGIN_HEADERS, {"title": "T2", "place": "東京", "provisional_translation": True}
    )
    meta = merge(sidecar, headers)
    assert (meta.title, meta.place, meta.provisional_translation) == ("T1", "東京", False)
    assert dict(meta.origins) == {
        "title": "SOURCES.tsv", "place": ORIGIN_HEADERS, "provisional_translation": "SOURCES.tsv"
    }
    assert merge(None, headers) == headers
    assert merge(None) == SourceMeta()


# -- sidecars are never documents ----------------------------------------------------------------


def test_sidecars_are_not_read_as_documents(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    meta_path(doc).write_text("{}", encoding="utf-8")
    _table(tmp_path, _row(file="doc.txt"))
    assert is_sidecar(meta_path(doc)) and is_sidecar(tmp_path / "SOURCES.tsv")
    assert not is_sidecar(doc)
    assert iter_sources([tmp_path]) == [doc]


# -- the committed tables ------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["corpus", "devset"])
def test_committed_table_parses_and_names_existing_files(folder: str) -> None:
    directory = DATA / folder
    table = read_table(directory / "SOURCES.tsv")
    names = {unicodedata.normalize("NFC", p.name) for p in directory.iterdir()}
    assert set(table) <= names, set(table) - names
    documents = [p for p in iter_sources([directory]) if not is_sidecar(p)]
    assert documents and all(not is_sidecar(p) for p in iter_sources([directory]))
    assert {p.name for p in documents} == set(table)  # every document has a row, and only those
    for name, meta in table.items():
        assert meta.publisher and meta.title and meta.date and meta.language == "ja", name


def test_committed_corpus_table_keeps_the_unconfirmed_urls_empty() -> None:
    table = read_table(DATA / "corpus" / "SOURCES.tsv")
    assert all(meta.url is None and meta.retrieved is None for meta in table.values())
    kaz = table["2025-12-18_jp-kaz_joint-statement.txt"]
    assert (kaz.provisional_translation, kaz.source_language) == (True, "en")
    brief = table["2025-09_kgz-country-brief_relations.md"]
    assert brief.provisional_translation is False and brief.license is None


def test_committed_devset_table_agrees_with_the_gold() -> None:
    table = read_table(DATA / "devset" / "SOURCES.tsv")
    for name, meta in table.items():
        gold = json.loads((DATA / "devset" / name).with_suffix(".json").read_text(encoding="utf-8"))
        assert (meta.url, meta.date) == (gold["source_url"], gold["doc_date"]), name


def test_committed_corpus_table_agrees_with_the_text_headers() -> None:
    from extract.read import read_source

    for name, meta in read_table(DATA / "corpus" / "SOURCES.tsv").items():
        headers = header_meta(read_source(DATA / "corpus" / name))
        assert headers.provisional_translation in (None, meta.provisional_translation), name
        assert (headers.provisional_translation is True) == bool(meta.provisional_translation), name
