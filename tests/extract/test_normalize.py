"""Repairing extraction damage: each rule on a small case taken from the corpus, then the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.normalize import normalize
from extract.read import read_source

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
KAZ = CORPUS / "2025-12-18_jp-kaz_joint-statement.txt"
TOKYO = CORPUS / "2025-12-20_ca-jad_summit_tokyo-declaration.txt"
KGZ = CORPUS / "2023-11_jp-kgz_joint-statement.txt"
FM9 = CORPUS / "2022-12-24_ca-jad_9th-foreign-ministers_joint-statement.txt"
BRIEF = CORPUS / "2025-09_kgz-country-brief_relations.md"
CORPUS_FILES = (FM9, KGZ, BRIEF, KAZ, TOKYO)

CASES = [
    # NFKC: full-width digits, letters and brackets
    ("２０２２年１２月２４日、東京において", "2022年12月24日、東京において"),
    ("人材育成奨学計画（ＪＤＳ）", "人材育成奨学計画(JDS)"),
    # spaced-out letters and digits
    ("4 6 双方は、J I C A及びカザフスタン国際協力庁（K a z A I D）と連携し、",
     "46 双方は、JICA及びカザフスタン国際協力庁(KazAID)と連携し、"),
    ("持続可能な開発目標（S D G s）の達成", "持続可能な開発目標(SDGs)の達成"),
    ("また、日本- I M Fアジア奨学金プログラム", "また、日本-IMFアジア奨学金プログラム"),
    ("- (4 1) 首脳は、評価した。", "(41) 首脳は、評価した。"),
    ("Central Asia and Japan", "Central Asia and Japan"),
    ("Plan B I think", "Plan B I think"),
    # Japanese takes no spaces
    ("2023年 11月 17日から 20日にかけて", "2023年11月17日から20日にかけて"),
    ("外交関係樹立以来 31 年間にわたる", "外交関係樹立以来31年間にわたる"),
    ("具体的な JCMプロジェクトの案件", "具体的なJCMプロジェクトの案件"),
    ("2025 年9月時点で、累計340 人を派遣。", "2025年9月時点で、累計340人を派遣。"),
    ("国際獣疫事務局 (WOAH) の国際基準", "国際獣疫事務局(WOAH)の国際基準"),
    # stray letters of other scripts inside a word; a foreign word on its own is kept
    ("グリーン・トランسفォーメーション（GX）", "グリーン・トランォーメーション(GX)"),
    ("首都 Москва で会談", "首都 Москва で会談"),
    # Markdown and HTML remnants
    ("## **I 政治分野**", "I 政治分野"),
    ("1895 <b>~</b> 97年頃", "1895~97年頃"),
    ("日本 &amp; 中央アジア", "日本&中央アジア"),
    ("- ▶ ビシュケク・オシュ道路", "・ビシュケク・オシュ道路"),
    ("- ✓ 2007年事業開始。", "・2007年事業開始。"),
    ("◆ 総論", "総論"),
    ("---", ""),
    # paragraph numbers in every style, printed NUMBER SPACE TEXT
    ("１９． 両首脳は、歓迎した。", "19. 両首脳は、歓迎した。"),
    ("（50）首脳は、確認した。", "(50) 首脳は、確認した。"),
    ("Ⅱ．地域及び国際協力", "II. 地域及び国際協力"),
    ("# 4-1 対日関係:二国間交流の歴史", "4-1 対日関係:二国間交流の歴史"),
    ("2025年12月18日、東京にて署名された。", "2025年12月18日、東京にて署名された。"),
    # tables: one row a line, one tab between cells
    ("1993年\tアカエフ大統領訪日(公式訪問)\t", "1993年\tアカエフ大統領訪日(公式訪問)"),
    ("案件名\t\t予算規模\t交換公文 署名", "案件名\t予算規模\t交換公文署名"),
    ("日本国内閣総理大臣            キルギス共和国大統領", "日本国内閣総理大臣\tキルギス共和国大統領"),
    ("| 年 | 事項 |\n|---|---|\n| 1991年 | ソ連崩壊 |", "年\t事項\n1991年\tソ連崩壊"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_rules(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_rules_are_idempotent(raw: str, expected: str) -> None:
    assert normalize(expected) == expected


def test_every_line_followed_by_a_blank_line_is_joined() -> None:
    raw = (
        "\n２ 閣僚は、日本と中央アジア各国が過去３０年間にわたり実施してきた経済インフ\n\n"
        "ラの改善、保健・医療、環境、国境管理、農業、人材育成等の分野における協力の実\n\n"
        "績を確認した。 \n\n"
        "また、自由で開かれた中央アジアにおける持続可能な発展を達成するため、経済、\n\n"
        "\n\n"
        "社会及び人的交流を重視した。 \n\n"
        " \n\n"
        "３ 閣僚は、一致した。 \n"
    )
    assert normalize(raw).split("\n") == [
        (
            "2 閣僚は、日本と中央アジア各国が過去30年間にわたり実施してきた経済インフラの改善、"
            "保健・医療、環境、国境管理、農業、人材育成等の分野における協力の実績を確認した。"
        ),
        (
            "また、自由で開かれた中央アジアにおける持続可能な発展を達成するため、経済、"
            "社会及び人的交流を重視した。"
        ),
        "3 閣僚は、一致した。",
    ]


def test_line_broken_across_a_blank_line_is_joined() -> None:
    raw = (
        "- (15) 首脳は、進展を歓迎した。この文脈において、首脳は、GX技術\n\n"
        "を含むエネルギーインフラプロジェクトで一致した。\n\n"
        "- (16) 首脳は、歓迎した。"
    )
    assert normalize(raw).split("\n") == [
        (
            "(15) 首脳は、進展を歓迎した。この文脈において、首脳は、GX技術を含むエネルギー"
            "インフラプロジェクトで一致した。"
        ),
        "(16) 首脳は、歓迎した。",
    ]


def test_wrapped_lines_are_joined_at_the_column_width() -> None:
    wrapped = [
        "１６． 両首脳はまた、経済分野における両国の関係機関間の交流を強化し、協力の可能性",
        "を特定し、意見交換を行い、二国間交流を活性化させることを目指すことで一致した。",
        "貿易・経済・文化・人文協力に関する日・キルギス政府間委員会の将来の設立が効果的",
        "なプラットフォームとなり得る。",
        "１７． 両首脳は、日本国法務省とキルギス共和国法務省との間の法務・司法分野における",
        "協力覚書の署名を歓迎した。",
        "１８． 両首脳は、医療分野における協力に満足の意を表明し、日本国厚生労働省とキルギ",
        "ス共和国保健省との協力覚書の署名を歓迎した。",
    ]
    lines = normalize("\n\n".join(wrapped)).split("\n")
    assert lines[1] == (
        "貿易・経済・文化・人文協力に関する日・キルギス政府間委員会の将来の設立が効果的"
        "なプラットフォームとなり得る。"
    )
    assert [line.split(" ")[0] for line in lines] == ["16.", lines[1], "17.", "18."]


def test_number_alone_on_its_line_takes_the_next_line() -> None:
    assert normalize("１．\n\n両首脳は、歓迎した。") == "1. 両首脳は、歓迎した。"


def test_a_quantity_at_line_start_is_not_a_paragraph_number() -> None:
    raw = "３． 両首脳は、当時の総理大臣が 2015 年 10 月\n26 日にキルギス共和国を訪問したことに留意した。"
    assert normalize(raw) == (
        "3. 両首脳は、当時の総理大臣が2015年10月26日にキルギス共和国を訪問したことに留意した。"
    )
    assert normalize("6 日本側は、促進する。") == "6 日本側は、促進する。"


def test_heading_mark_inside_a_broken_word_is_joined_back() -> None:
    raw = (
        "42 双方は、努力する。\n\n"
        "人づくり：日本とカザフスタンのパートナーシップによる、能力強化された人\n\n"
        "## 材による繁栄\n\n"
        "4 3 双方は、協力を引き続き強化する。"
    )
    assert normalize(raw).split("\n") == [
        "42 双方は、努力する。",
        "人づくり:日本とカザフスタンのパートナーシップによる、能力強化された人材による繁栄",
        "43 双方は、協力を引き続き強化する。",
    ]


def test_real_headings_and_titles_stay_lines_of_their_own() -> None:
    raw = (
        "\n\n「中央アジア＋日本」対話・首脳会合\n\n東京宣言\n\n(仮訳)\n\n"
        "2025年12月20日、東京において、首脳会合が開催された。\n\n◆ 総論\n\n"
        "日本と中央アジアとの間の協力のレビュー\n\n- (1) 首脳は、高く評価した。\n"
        "- ✓ 箇条書き、続き。\n# 見出し\n本文、続き\n"
    )
    assert normalize(raw).split("\n") == [
        "「中央アジア+日本」対話・首脳会合",
        "東京宣言",
        "(仮訳)",
        "2025年12月20日、東京において、首脳会合が開催された。",
        "総論",
        "日本と中央アジアとの間の協力のレビュー",
        "(1) 首脳は、高く評価した。",
        "・箇条書き、続き。",
        "見出し",
        "本文、続き",
    ]


def test_output_shape() -> None:
    out = normalize(" 日本  \r\n\r\n\u3000外務省\u200b\t \n\n\n")
    assert out == "日本\n外務省"
    assert normalize("") == ""
    assert normalize(" \n\n ") == ""


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:20])
def test_corpus_is_repaired_and_idempotent(path: Path) -> None:
    text = normalize(read_source(path))
    assert normalize(text) == text
    lines = text.split("\n")
    assert all(line and line == line.strip() for line in lines)
    for debris in ("**", "<b>", "## ", "J I C A", "S D G s", "4 3 ", "(4 1)", "ー ", "  "):
        assert debris not in text
    assert "\uff10" not in text and "（" not in text  # no full-width digits or brackets left
    assert not any(0x0600 <= ord(c) <= 0x06FF for c in text)  # the Arabic debris is gone


def test_corpus_specific_repairs() -> None:
    kaz = normalize(read_source(KAZ)).split("\n")
    assert any(line.startswith("43 双方は、教育、学術") for line in kaz)
    assert any(line.startswith("60 双方は、日本とカザフスタン共和国") for line in kaz)
    assert (
        "人づくり:日本とカザフスタンのパートナーシップによる、能力強化された人材による繁栄" in kaz
    )
    assert any("持続可能な開発目標(SDGs)" in line for line in kaz)
    assert any("「核兵器のない世界」" in line for line in kaz)
    tokyo = normalize(read_source(TOKYO)).split("\n")
    assert any(line.startswith("(41) 首脳は、中央アジア諸国首脳諮問会議") for line in tokyo)
    assert any(line.startswith("(50) 首脳は、食料安全保障") for line in tokyo)
    assert any("GX技術を含むエネルギーインフラ" in line for line in tokyo)
    kgz = normalize(read_source(KGZ)).split("\n")
    assert any("2023年11月17日から20日にかけて日本を公式訪問した" in line for line in kgz)
    assert kgz[-2:] == [
        "日本国内閣総理大臣\tキルギス共和国大統領",
        "岸田文雄\tサディル・ジャパロフ",
    ]
    brief = normalize(read_source(BRIEF)).split("\n")
    assert (
        "1895~97年頃\t福島安正・陸軍大佐、ベルリン駐箚からの帰途、ロシア領コーカサス及び中央アジアを視察。帝政ロシアによる中央アジアでの鉄道建設状況や民族問題について報告。"
        in brief
    )
    assert "案件名\t予算規模\t交換公文署名" in brief
    fm9 = normalize(read_source(FM9)).split("\n")
    assert fm9[:2] == ["(仮訳)", "「中央アジア+日本」対話・第9回外相会合共同声明"]
    assert fm9[2].startswith("2022年12月24日、東京において") and fm9[2].endswith("が参加した。")


def test_a_paragraph_number_before_a_date_is_not_joined_to_it() -> None:
    assert normalize("1 6月9日、首都において") == "1 6月9日、首都において"
    assert normalize("2 3 双方は") == "23 双方は"  # spaced-out damage: every character spaced
    assert normalize("2 0 2 3 年 1 1 月") == "2023年11月"


def test_chromium_pdf_characters_are_mapped_to_the_ordinary_ones() -> None:
    # U+2027 between katakana words, CJK Radicals Supplement ⻑ ⺠ for 長 民
    text = normalize("アリ\u2027ハサン大統領は、\u2ed1期的な国\u2ea0の交流を歓迎した。")
    assert text == "アリ・ハサン大統領は、長期的な国民の交流を歓迎した。"
    assert normalize("J\u00b7K Smith") == "J\u00b7K Smith"  # only between katakana


@pytest.mark.model
def test_a_name_joined_with_a_hyphenation_point_keeps_its_visit(facts_of) -> None:
    facts = facts_of(
        "共同声明\n2024年3月1日\n"
        "1 アリ\u2027ハサン・モルディブ共和国大統領は、2024年2月27日から3月1日まで日本を公式訪問した。\n"
    )
    (visit,) = facts.visits
    assert visit.visitor.startswith("アリ") and visit.destination == "JPN"
