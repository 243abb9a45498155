"""Segmentation, title, date, place and type: hand-made texts, then each corpus document."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from extract.facts import DOC_TYPES, DateValue, Document
from extract.normalize import normalize
from extract.structure import classify, parse_document, read_date, read_place, read_title, segment

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
FM9 = CORPUS / "2022-12-24_ca-jad_9th-foreign-ministers_joint-statement.txt"
KGZ = CORPUS / "2023-11_jp-kgz_joint-statement.txt"
BRIEF = CORPUS / "2025-09_kgz-country-brief_relations.md"
KAZ = CORPUS / "2025-12-18_jp-kaz_joint-statement.txt"
TOKYO = CORPUS / "2025-12-20_ca-jad_summit_tokyo-declaration.txt"

STATEMENT = """日本国とA共和国との間の
新たな時代に関する共同声明
(仮訳)
両首脳は、会談を行った。
I. 二国間関係
1. 両首脳は、歓迎した。
両首脳は、さらに確認した。
・第一の点、
2. 両首脳は、一致した。
II. 地域協力
(3) 首脳は、評価した。
2025年12月18日、東京にて英語で2部署名された。
日本国総理大臣\tA共和国大統領"""


def _numbers(passages) -> list[str]:
    """Paragraph numbers in reading order, each once."""
    seen: list[str] = []
    for p in passages:
        if p.kind == "paragraph" and p.number is not None and p.number not in seen:
            seen.append(p.number)
    return seen


def _document(path: Path) -> Document:
    return parse_document(path)


def test_segment_kinds_numbers_sections_and_continuations() -> None:
    passages = segment(STATEMENT)
    got = [(p.kind, p.number, p.section) for p in passages]
    assert got == [
        ("title", None, None),
        ("title", None, None),
        ("title", None, None),
        ("paragraph", None, None),
        ("heading", "I", None),
        ("paragraph", "1", "I. 二国間関係"),
        ("paragraph", "1", "I. 二国間関係"),  # second sub-paragraph of 1
        ("list_item", "1", "I. 二国間関係"),  # a list inside 1
        ("paragraph", "2", "I. 二国間関係"),
        ("heading", "II", "I. 二国間関係"),
        ("paragraph", "(3)", "II. 地域協力"),
        ("signature", None, "II. 地域協力"),
        ("signature", None, "II. 地域協力"),
    ]


def test_offsets_point_into_the_text() -> None:
    text = "  見出し\n\n1 双方は、歓迎した。 \n\t\n(2) 双方は、確認した。"
    passages = segment(text)
    assert [p.index for p in passages] == list(range(len(passages)))
    for p in passages:
        assert text[p.start : p.end] == p.text
    assert [p.text for p in passages] == [
        "見出し",
        "1 双方は、歓迎した。",
        "(2) 双方は、確認した。",
    ]


@pytest.mark.parametrize(
    ("line", "number", "kind"),
    [
        ("19. 両首脳は、歓迎した。", "19", "paragraph"),
        ("43 双方は、協力する。", "43", "paragraph"),
        ("(41) 首脳は、評価した。", "(41)", "paragraph"),
        ("4-1 対日関係:二国間交流の歴史", "4-1", "heading"),
        ("III. 結び", "III", "heading"),
        ("IV その他の分野における協力", "IV", "heading"),
        ("2025年12月18日、東京にて英語で2部署名された。", None, "paragraph"),
        ("1993年\tアカエフ大統領訪日", None, "table_row"),
        ("・脆弱な立場に置かれる女性", None, "list_item"),
        ("日本と中央アジアとの間の協力のレビュー", None, "heading"),
    ],
)
def test_numbering_styles(line: str, number: str | None, kind: str) -> None:
    text = f"本文である。\n{line}\n5 双方は、確認した。"  # neither title block nor signature
    passage = segment(text)[1]
    assert (passage.number, passage.kind) == (number, kind)


def test_read_title_joins_lines_and_drops_notes() -> None:
    assert (
        read_title(STATEMENT, segment(STATEMENT))
        == "日本国とA共和国との間の新たな時代に関する共同声明"
    )
    text = "(仮訳)\n第9回外相会合共同声明(仮訳)\n2022年12月24日、東京において会合が開催された。"
    assert read_title(text, segment(text)) == "第9回外相会合共同声明"
    text = "概況 関係編\n在A国日本国大使館 2025年9月\n目次"
    assert read_title(text, segment(text)) == "概況 関係編"
    assert read_title("", ()) == ""


def test_title_fallbacks() -> None:
    text = "1 双方は、歓迎した。\n2 双方は、確認した。"
    assert read_title(text, segment(text)) == "双方は、歓迎した"  # its first sentence, unnumbered


def test_a_date_line_over_the_body_stands_alone() -> None:
    text = normalize("平成30年4月2日\nA国の首都Bにおいて,我が方C大使と先方D次官との間で交換公文の署名式が行われました。")
    passages = segment(text)
    assert [p.kind for p in passages] == ["title", "paragraph"]
    assert read_date(text, passages) == DateValue(2018, 4, 2)
    assert classify(read_title(text, passages), text) == "press_statement"


def test_a_place_line_under_the_title_is_where_it_was_issued() -> None:
    text = normalize("未来志向の協力に関する共同宣言\nベトナム社会主義共和国,ハノイ\n令和3年6月1日\n我々,両国の首脳は,会合した。")
    passages = segment(text)
    assert read_title(text, passages) == "未来志向の協力に関する共同宣言"
    assert read_place(text, passages) == "ハノイ"
    assert read_date(text, passages) == DateValue(2021, 6, 1)


def test_a_database_record_header() -> None:
    text = "[文書名] 協力に関するリマ宣言\n[場所] リマ\n[年月日] 1998年3月4日\n[出典] 外務省\n[全文]\n1.双方は、確認した。"
    passages = segment(text)
    assert [p.kind for p in passages[:5]] == ["title", "metadata", "metadata", "metadata", "metadata"]
    assert read_title(text, passages) == "協力に関するリマ宣言"
    assert read_date(text, passages) == DateValue(1998, 3, 4)
    assert read_place(text, passages) == "リマ"
    assert classify(read_title(text, passages), text) == "declaration"


def test_photo_captions_name_the_meeting_of_a_page_without_a_title() -> None:
    text = normalize("令和5年7月3日\n日・チリ首脳会談の様子 (写真提供:内閣広報室)\n 本3日、総理は、チリのA大統領と会談を行いました。")
    passages = segment(text)
    assert [p.kind for p in passages] == ["title", "caption", "paragraph"]
    assert read_title(text, passages) == "日・チリ首脳会談"
    assert classify(read_title(text, passages), text) == "meeting_summary"


def test_the_first_genre_cue_of_the_body_wins() -> None:
    text = "本5日、総理はA大統領と会談を行いました。両首脳は共同声明に署名しました。"
    assert classify("", text) == "meeting_summary"
    assert classify("A国及びB国の首脳の声明", "") == "joint_statement"


def test_read_date_and_place_from_the_closing_formula() -> None:
    passages = segment(STATEMENT)
    assert read_date(STATEMENT, passages) == DateValue(2025, 12, 18)
    assert read_place(STATEMENT, passages) == "東京"


def test_read_date_from_an_opening_dateline() -> None:
    text = "宣言\n2025年12月20日、東京において、首脳会合が開催された。\n(1) 首脳は、歓迎した。"
    passages = segment(text)
    assert read_date(text, passages) == DateValue(2025, 12, 20)
    assert read_place(text, passages) == "東京"


def test_read_date_from_a_header() -> None:
    text = "A国概況\n在A国日本国大使館 2025年9月\n目次\n1991年\tソ連崩壊。"
    passages = segment(text)
    assert read_date(text, passages) == DateValue(2025, 9)
    assert read_place(text, passages) is None


def test_a_reported_date_is_not_the_documents_date() -> None:
    text = (
        "共同声明\n大統領は、2023年11月17日から20日にかけて日本を公式訪問した。\n"
        "1. 両首脳は、2022年12月25日に署名された文書を歓迎した。"
    )
    assert read_date(text, segment(text)) is None
    assert read_place(text, segment(text)) is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("日本国とキルギス共和国との間の共同声明", "joint_statement"),
        ("「中央アジア+日本」対話・首脳会合東京宣言", "declaration"),
        ("「中央アジア+日本」対話・第9回外相会合共同声明", "joint_statement"),
        ("キルギス共和国概況日キルギス関係編", "country_brief"),
        ("A国基礎データ", "country_brief"),
        ("日・A首脳会談", "meeting_summary"),
        ("第3回政策協議の概要", "meeting_summary"),
        ("外務報道官談話", "press_statement"),
        ("A国大統領選挙について(報道発表)", "press_statement"),
        ("国連総会における総理大臣演説", "speech"),
        ("会合の概要と共同声明", "joint_statement"),
        ("交換公文の署名について", "press_statement"),  # a signing release (報道発表)
    ],
)
def test_classify_by_title(title: str, expected: str) -> None:
    assert classify(title, "") == expected
    assert expected in DOC_TYPES


def test_classify_by_body_when_the_title_says_nothing() -> None:
    assert classify("日本とA国", "両首脳は、会談を行った。") == "meeting_summary"
    assert classify("日本とA国", "何も手掛かりのない本文。") == "other"


def test_parse_document(tmp_path: Path) -> None:
    path = tmp_path / "anything-at-all.txt"
    path.write_text(STATEMENT.replace("\n", "\n\n"), encoding="cp932")
    doc = parse_document(path)
    assert doc.source == "anything-at-all.txt"
    assert doc.text == normalize(STATEMENT)
    assert doc.doc_id == hashlib.sha1(doc.text.encode("utf-8")).hexdigest()[:16]
    assert doc.title == "日本国とA共和国との間の新たな時代に関する共同声明"
    assert (doc.date, doc.place, doc.doc_type) == (
        DateValue(2025, 12, 18),
        "東京",
        "joint_statement",
    )
    assert doc.provisional_translation


# --------------------------------------------------------------------------------------------
# The corpus


@pytest.mark.parametrize("path", [FM9, KGZ, BRIEF, KAZ, TOKYO], ids=lambda p: p.name[:20])
def test_corpus_offsets_and_ids(path: Path) -> None:
    doc = _document(path)
    assert [p.index for p in doc.passages] == list(range(len(doc.passages)))
    for p in doc.passages:
        assert doc.text[p.start : p.end] == p.text
    assert len(doc.doc_id) == 16 and doc.doc_id == _document(path).doc_id
    assert doc.doc_type in DOC_TYPES


def test_corpus_9th_foreign_ministers_statement() -> None:
    doc = _document(FM9)
    assert _numbers(doc.passages) == ["1", "2", "3", "4", "5", "6"]
    assert doc.title == "「中央アジア+日本」対話・第9回外相会合共同声明"
    assert (doc.date, doc.place, doc.doc_type) == (
        DateValue(2022, 12, 24),
        "東京",
        "joint_statement",
    )
    assert doc.provisional_translation
    second = [p for p in doc.passages if p.number == "1"]
    assert len(second) == 2 and second[1].text.startswith("閣僚は、これまでに築かれてきた")


def test_corpus_japan_kyrgyz_statement() -> None:
    doc = _document(KGZ)
    assert _numbers(doc.passages) == [str(n) for n in range(1, 45)]
    assert doc.title == (
        "日本国とキルギス共和国との間の新たな時代における友好と包括的パートナーシップに関する共同声明"
    )
    # the text gives the visit's dates and earlier events, not a date of its own
    assert doc.date is None and doc.place is None
    assert doc.doc_type == "joint_statement" and doc.provisional_translation
    headings = [p.text for p in doc.passages if p.kind == "heading"]
    assert headings == ["I. 二国間関係", "II. 地域及び国際協力", "III. 結び"]
    para = {p.number: p for p in doc.passages if p.kind == "paragraph"}
    assert para["27"].section == "II. 地域及び国際協力"
    assert [p.kind for p in doc.passages[-2:]] == ["signature", "signature"]


def test_corpus_japan_kazakhstan_statement() -> None:
    doc = _document(KAZ)
    assert _numbers(doc.passages) == [str(n) for n in range(1, 61)]
    first = {p.number: p for p in reversed(doc.passages) if p.kind == "paragraph"}
    assert first["43"].text.startswith("43 双方は、教育")
    assert first["43"].section.startswith("人づくり:")
    assert doc.title == (
        "将来に向けた拡大された戦略的パートナーシップの更なる相乗効果に関する"
        "日本国及びカザフスタン共和国の間の共同声明"
    )
    assert (doc.date, doc.place, doc.doc_type) == (
        DateValue(2025, 12, 18),
        "東京",
        "joint_statement",
    )
    signature = [p.text for p in doc.passages if p.kind == "signature"]
    assert signature[0] == "2025年12月18日、東京にて英語で2部署名された。"
    assert "高市早苗" in signature


def test_corpus_tokyo_declaration() -> None:
    doc = _document(TOKYO)
    assert _numbers(doc.passages) == [f"({n})" for n in range(1, 54)]
    assert doc.title == "「中央アジア+日本」対話・首脳会合東京宣言"
    assert (doc.date, doc.place, doc.doc_type) == (DateValue(2025, 12, 20), "東京", "declaration")
    assert not any(p.kind == "signature" for p in doc.passages)
    p36 = [p for p in doc.passages if p.number == "(36)"]
    assert len(p36) == 2 and p36[1].text.startswith("この文脈において")
    p41 = next(p for p in doc.passages if p.number == "(41)")
    assert p41.section == "地域情勢・伝統的な不安定化リスクへの対処"


def test_corpus_country_brief() -> None:
    doc = _document(BRIEF)
    assert _numbers(doc.passages) == []  # numbered headings, no numbered paragraphs
    assert doc.title == "キルギス共和国概況日キルギス関係編"
    assert (doc.date, doc.place, doc.doc_type) == (DateValue(2025, 9), None, "country_brief")
    assert not doc.provisional_translation
    rows = [p for p in doc.passages if p.kind == "table_row"]
    assert rows[0].text.startswith("1880年頃\t") and rows[0].number is None
    assert any(p.number == "4-1" and p.kind == "heading" for p in doc.passages)
    years = [p for p in doc.passages if p.text.startswith("1993年")]
    assert years and years[0].section == "ハイレベルでの交流:要人往来及び外交行事"
