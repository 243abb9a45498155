"""The language detector (extract.language) and the build's warning for a non-Japanese document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extract.language import detect_language, language_warning

ROOT = Path(__file__).resolve().parents[2]
JAPANESE_DOC = ROOT / "data" / "corpus" / "2023-11_jp-kgz_joint-statement.txt"

JAPANESE = "両首脳は、二国間関係の強化について意見交換を行い、経済分野での協力を一層進めていくことで一致した。"
JAPANESE_WITH_ENGLISH = (
    "岸田総理大臣は、「Free and Open Indo-Pacific is the vision we share with our partners in the region」と"
    "述べ、両国の協力を歓迎した。会談の詳細は https://www.mofa.go.jp/mofaj/area/page1_001234.html 及び"
    "https://www.example.org/en/press/release-2023-11-20-joint-statement-on-cooperation を参照。"
    "(Joint Statement on the Enhanced Strategic Partnership between Japan and the Kyrgyz Republic)"
)
PDF_NOISE = (
    "日本国政府及びキルギス共和国政府は、(cid:12)(cid:345)(cid:7) 以下のとおり合意した。 ﬁ ﬂ l l l I I | | "
    "xxxx yy zz ___ 123 456 ・・・ 第1条 両国政府は協力を促進する。 Page 3 of 12 ──── ■ □"
)
ENGLISH = (
    "The Prime Minister of Japan and the President of the Kyrgyz Republic held a summit meeting in Tokyo. "
    "The two leaders welcomed the signing of the memorandum and agreed to strengthen their cooperation."
)
CHINESE = "中华人民共和国外交部发言人表示，中方愿同日方一道，推动两国关系健康稳定发展。双方同意加强经贸合作。"
KOREAN = "대한민국 외교부 장관은 일본 외무대신과 회담을 가졌다. 양측은 경제 협력을 강화하기로 합의했다."
RUSSIAN = "Президент России и премьер-министр Японии провели переговоры в Москве и обсудили вопросы сотрудничества."


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (JAPANESE, "ja"),
        (JAPANESE_WITH_ENGLISH, "ja"),
        (PDF_NOISE, "ja"),
        (ENGLISH, "en"),
        (CHINESE, "zh"),
        (KOREAN, "ko"),
        (RUSSIAN, "ru"),
    ],
)
def test_detects_the_language(text, code):
    assert detect_language(text).code == code


def test_japanese_is_japanese_and_english_is_named():
    assert detect_language(JAPANESE).is_japanese
    found = detect_language(ENGLISH)
    assert not found.is_japanese and found.name == "English"
    assert found.shares == {"latin": 1.0} and 0 < found.confidence <= 1


@pytest.mark.parametrize("text", ["", "   \n\t ", "12345 678 -- ### 2023-11-20"])
def test_no_letters_is_no_language(text):
    found = detect_language(text)
    assert found.code == "und" and not found.is_japanese and found.confidence == 0


def test_a_latin_text_that_is_no_known_language():
    found = detect_language("Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor")
    assert found.code == "latin" and found.name == "a Latin-script language"


def test_an_english_text_quoting_japanese_terms_is_english():
    text = ENGLISH + " The so-called 「一村一品」 movement and JICA programmes were also discussed."
    assert detect_language(text).code == "en"


def test_a_long_japanese_text_with_an_english_annex_is_judged_on_samples():
    text = (JAPANESE + "\n") * 5000 + (ENGLISH + "\n") * 500
    assert len(text) > 200_000
    assert detect_language(text).code == "ja"


def test_the_warning_names_the_file_and_the_language(tmp_path):
    assert language_warning(tmp_path / "ja.txt", JAPANESE) is None
    warning = language_warning(tmp_path / "en.txt", ENGLISH)
    assert warning is not None and warning.language.code == "en"
    assert str(warning) == f"{tmp_path / 'en.txt'}: looks like English, not Japanese; few facts will be found"


@pytest.mark.model
def test_bkg_build_warns_about_an_english_document(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    src = tmp_path / "docs"
    src.mkdir()
    english = src / "english-statement.txt"
    english.write_text("Joint Statement\n\n1. " + ENGLISH + "\n2. " + ENGLISH + "\n", encoding="utf-8")
    shutil.copy(JAPANESE_DOC, src / JAPANESE_DOC.name)
    result = CliRunner().invoke(app, ["build", str(src), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {english}: looks like English, not Japanese; few facts will be found"]
    assert "built 2 document(s)" in result.stdout  # the English document is built all the same
