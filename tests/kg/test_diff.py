"""kg.diff and `bkg diff` on real successive documents of the sample corpus and the development set.

The corpus build is the session's real `bkg build data/corpus` (tests/conftest.py); the development
set pair (Japan–Armenia, 2012 and 2022) is built once for this module. A tiny hand-written store
adds the classes other engineers are adding (bkg:Partnership, bkg:DiplomaticEvent) and hostile text.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import diff as kd
from kg.cli import app
from kg.store import load_file, open_store

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "data" / "devset"
FM_2022 = "2022-12-24_ca-jad_9th-foreign-ministers_joint-statement"
SUMMIT_2025 = "2025-12-20_ca-jad_summit_tokyo-declaration"
CHROMIUM = "/usr/bin/chromium"
XSS = "<script>window.__bkg_pwned = 1</script>協定"

TINY = """
@prefix bkg: <https://w3id.org/bilateral-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/bilateral-kg/id/> .

<https://w3id.org/bilateral-kg/graph/da> {
  id:document/da a bkg:Document ; dcterms:title "第一声明"@ja ; dcterms:date "2020-05-01"^^xsd:date ;
    bkg:docType bkg:JointStatement ; dcterms:source "first.txt" .
  id:document/da/p0 a bkg:Passage ; bkg:document id:document/da ; bkg:order 0 ; bkg:passageKind "paragraph" ;
    bkg:paragraph "1" ; bkg:text "1 両国は戦略的パートナーシップを構築し、<img src=x onerror=alert(1)>を歓迎した。"@ja .
  id:document/da/p1 a bkg:Passage ; bkg:document id:document/da ; bkg:order 1 ; bkg:passageKind "paragraph" ;
    bkg:text "双方は水資源分野の協力を確認した。"@ja .
  id:country/JPN a bkg:Country ; bkg:iso3 "JPN" ; rdfs:label "日本"@ja ; bkg:mentionedIn id:document/da/p0 .
  id:country/KAZ a bkg:Country ; bkg:iso3 "KAZ" ; rdfs:label "カザフスタン"@ja ; bkg:mentionedIn id:document/da/p0 .
  id:agreement/x a bkg:Agreement ; rdfs:label "<script>window.__bkg_pwned = 1</script>協定"@ja ;
    bkg:party id:country/JPN, id:country/KAZ ; bkg:mentionedIn id:document/da/p0 ; prov:wasDerivedFrom id:document/da/p0 .
  id:partnership/JPN-KAZ/strategic a bkg:Partnership ; bkg:levelAsWritten "戦略的パートナーシップ"@ja ;
    bkg:level bkg:StrategicPartnership ; bkg:partner id:country/JPN, id:country/KAZ ; bkg:mentionedIn id:document/da/p0 .
  id:ps/1 a bkg:PartnershipStatus ; bkg:statusOf id:partnership/JPN-KAZ/strategic ; bkg:status bkg:Established ;
    bkg:date "2020-05-01"^^xsd:date ; bkg:mentionedIn id:document/da/p0 .
  id:de/1 a bkg:DiplomaticEvent ; bkg:ploverType "SUPPORT" ; bkg:predicateAsWritten "歓迎した"@ja ;
    bkg:sourceActor id:country/JPN ; bkg:targetActor id:country/KAZ ; bkg:date "2020-05-01"^^xsd:date ;
    bkg:mentionedIn id:document/da/p0 .
}
<https://w3id.org/bilateral-kg/graph/db> {
  id:document/db a bkg:Document ; dcterms:title "第二声明"@ja ; dcterms:date "2024-05-01"^^xsd:date ;
    bkg:docType bkg:JointStatement ; dcterms:source "second.txt" .
  id:document/db/p0 a bkg:Passage ; bkg:document id:document/db ; bkg:order 0 ; bkg:passageKind "paragraph" ;
    bkg:paragraph "1" ; bkg:text "1 両国は拡大された戦略的パートナーシップに格上げし、<img src=x onerror=alert(1)>を歓迎した。"@ja .
  id:country/JPN a bkg:Country ; bkg:iso3 "JPN" ; rdfs:label "日本"@ja ; bkg:mentionedIn id:document/db/p0 .
  id:country/KAZ a bkg:Country ; bkg:iso3 "KAZ" ; rdfs:label "カザフスタン"@ja ; bkg:mentionedIn id:document/db/p0 .
  id:partnership/JPN-KAZ/strategic a bkg:Partnership ; bkg:levelAsWritten "戦略的パートナーシップ"@ja ;
    bkg:level bkg:StrategicPartnership ; bkg:partner id:country/JPN, id:country/KAZ ; bkg:mentionedIn id:document/db/p0 .
  id:partnership/JPN-KAZ/expanded a bkg:Partnership ; bkg:levelAsWritten "拡大された戦略的パートナーシップ"@ja ;
    bkg:level bkg:ExpandedStrategicPartnership ; bkg:partner id:country/JPN, id:country/KAZ ; bkg:mentionedIn id:document/db/p0 .
  id:ps/2 a bkg:PartnershipStatus ; bkg:statusOf id:partnership/JPN-KAZ/expanded ; bkg:status bkg:Upgraded ;
    bkg:date "2024-05-01"^^xsd:date ; bkg:mentionedIn id:document/db/p0 .
  id:de/2 a bkg:DiplomaticEvent ; bkg:ploverType "AGREE" ; bkg:predicateAsWritten "格上げし"@ja ;
    bkg:sourceActor id:country/JPN ; bkg:targetActor id:country/KAZ ; bkg:date "2024-05-01"^^xsd:date ;
    bkg:mentionedIn id:document/db/p0 .
  id:de/3 a bkg:DiplomaticEvent ; bkg:ploverType "SUPPORT" ; bkg:predicateAsWritten "歓迎した"@ja ;
    bkg:sourceActor id:country/JPN ; bkg:targetActor id:country/KAZ ; bkg:date "2024-05-01"^^xsd:date ;
    bkg:mentionedIn id:document/db/p0 .
}
"""


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


@pytest.fixture(scope="module")
def corpus_store(corpus_build):
    return open_store(corpus_build)


@pytest.fixture(scope="module")
def summit_diff(corpus_store):
    a = kd.find_document(corpus_store, FM_2022)
    b = kd.find_document(corpus_store, SUMMIT_2025)
    return kd.diff_documents(corpus_store, a, b)


@pytest.fixture(scope="module")
def devset_build(tmp_path_factory, nlp):
    from kg.build import build

    out = tmp_path_factory.mktemp("devset-armenia")
    build([DEVSET / "20120607_jp-am-fm-meeting-mou.txt", DEVSET / "20220907_jp-am-30th-anniversary-letters.txt"],
          out, nlp=nlp, progress=False)
    return out


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny-diff")
    trig = out / "tiny.trig"
    trig.write_text(re.sub(r"\bid:([\w/-]+)", r"<https://w3id.org/bilateral-kg/id/\1>", TINY), encoding="utf-8")
    load_file(trig, out)
    return out


# --------------------------------------------------------------------- words and alignment


def test_tokens_are_japanese_words_and_give_the_text_back():
    text = "両首脳は、外交関係樹立30周年を歓迎した。"
    words = kd.tokenize(text)
    assert "".join(words) == text
    assert "歓迎" in words and "両首脳" not in "".join(w for w in words if len(w) == 1)
    assert kd.tokenizer_name().startswith("SudachiPy")


def test_alignment_pairs_passages_by_content_not_position():
    def p(i, text):
        return kd.PassageText(i, f"p{i}", "paragraph", None, None, text)

    a = [p(0, "両国は水資源分野の協力を確認した。"), p(1, "双方は文化交流の拡大を歓迎した。")]
    b = [p(0, "新たに追加された段落である。"), p(1, "双方は文化交流の更なる拡大を歓迎した。"),
         p(2, "両国は水資源分野の協力を確認した。")]
    out = kd.align_passages(a, b)
    pairs = {(x.a.index if x.a else None, x.b.index if x.b else None): x for x in out}
    assert pairs[(0, 2)].status == "unchanged"
    assert pairs[(1, 1)].status == "reworded" and pairs[(1, 1)].added == ["更なる"]
    assert pairs[(None, 0)].status == "only_b"


# --------------------------------------------------------------------- real pairs of the corpus


def test_the_summit_declaration_rewords_the_ministers_statement(summit_diff):
    by_a = {p.a.index: p for p in summit_diff.passages if p.a is not None and p.b is not None}
    title = by_a[1]  # 「中央アジア+日本」対話・第9回外相会合共同声明 -> …・首脳会合東京宣言
    assert title.status == "reworded" and title.b.index == 0
    assert "首脳" in title.added and any("第9回外相" in d for d in title.dropped)
    opening = by_a[2]  # who took part: the ministers in 2022, the leaders in 2025
    assert opening.status == "reworded"
    assert any("林芳正外務大臣" in d for d in opening.dropped)
    assert any("高市早苗日本国総理大臣" in x for x in opening.added)
    counts = summit_diff.counts()
    assert counts["passages_a"] == 20 and counts["passages_b"] == 69
    assert counts["only_b"] > counts["only_a"] > 0


def test_facts_only_in_one_and_in_both(summit_diff):
    facts = {fc.cls: fc for fc in summit_diff.facts}
    meetings = facts["Meeting"]
    assert "「中央アジア+日本」対話・第9回外相会合" in {f.label for f in meetings.only_a}
    assert "「中央アジア+日本」対話の第1回首脳会合" in {f.label for f in meetings.only_b}
    programs = facts["Program"]
    assert "「中央アジア+日本」対話" in {y.label for _, y in programs.both}
    assert "「中央アジア+日本」対話(CA+JAD)東京イニシアティブ" in {f.label for f in programs.only_b}


def test_latest_pair_picks_the_newest_two_documents(corpus_store):
    a, b, note = kd.latest_pair(corpus_store, "JPN", "KAZ", "JointStatement")
    assert b.stem == "2025-12-18_jp-kaz_joint-statement"
    assert a.date < b.date and a.doc_type == b.doc_type == "JointStatement"
    assert "mention both" in note  # only one joint statement names Kazakhstan in its title


def test_cli_text_json_and_html(corpus_build, tmp_path):
    text = run("diff", str(corpus_build), FM_2022, SUMMIT_2025)
    assert text.exit_code == 0, text.output
    assert "~ A#1 → B#0" in text.output and "{+首脳+}" in text.output
    assert "meetings:" in text.output
    data = json.loads(run("diff", str(corpus_build), FM_2022, SUMMIT_2025, "--format", "json").stdout)
    assert data["a"]["name"] == FM_2022 and data["counts"]["passages_b"] == 69
    report = tmp_path / "diff.html"
    html = run("diff", str(corpus_build), FM_2022, SUMMIT_2025, "--html", str(report))
    assert html.exit_code == 0
    page = report.read_text(encoding="utf-8")
    assert "<ins>首脳</ins>" in page and "<del>" in page and "<svg" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_is_byte_identical_across_runs(corpus_build, tmp_path):
    outs = []
    for n in (1, 2):
        path = tmp_path / f"d{n}.html"
        r = run("diff", str(corpus_build), "--latest", "JPN", "キルギス", "--html", str(path), "--format", "json")
        assert r.exit_code == 0, r.output
        outs.append((path.read_bytes(), r.stdout))
    assert outs[0] == outs[1]


def test_cli_refuses_bad_arguments(corpus_build):
    assert run("diff", str(corpus_build), "no-such-document", SUMMIT_2025).exit_code == 2
    bad = run("diff", str(corpus_build), "--latest", "JPN", "KYR")
    assert bad.exit_code == 2 and "KGZ" in bad.output
    assert run("diff", str(corpus_build), FM_2022).exit_code == 2
    assert run("diff", str(corpus_build), "--latest", "JPN", "KAZ", "--type", "memo").exit_code == 2
    assert run("diff", str(corpus_build), FM_2022, FM_2022).exit_code == 2


# --------------------------------------------------------------------- the development set


def test_devset_pair_japan_armenia(devset_build):
    r = run("diff", str(devset_build), "--latest", "JPN", "ARM", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["a"]["name"] == "20120607_jp-am-fm-meeting-mou"
    assert data["b"]["name"] == "20220907_jp-am-30th-anniversary-letters"
    dated = [p for p in data["passages"] if p["status"] == "reworded" and "平成24" in p["dropped"]]
    assert dated and "令和4" in dated[0]["added"]  # the date line: 平成24年6月7日 -> 令和4年9月7日
    agreements = next(f for f in data["facts"] if f["class"] == "Agreement")
    assert "両国外務省間の協力に関する覚書" in {f["label"] for f in agreements["only_a"]}
    assert any("ミルゾヤン" in f["label"] for f in agreements["only_b"])


# --------------------------------------------------------------------- new classes, hostile text


def test_partnerships_and_coded_events_are_compared_when_present(tiny_build):
    store = open_store(tiny_build)
    d = kd.diff_documents(store, kd.find_document(store, "first"), kd.find_document(store, "second"))
    facts = {fc.cls: fc for fc in d.facts}
    part = facts["Partnership"]
    assert [y.label for _, y in part.both] == ["戦略的パートナーシップ"]
    assert [f.label for f in part.only_b] == ["拡大された戦略的パートナーシップ"]
    assert "Upgraded" in part.only_b[0].detail
    events = facts["DiplomaticEvent"]
    assert [(x.detail, y.detail) for x, y in events.both] == [("SUPPORT", "SUPPORT")]
    assert [f.key for f in events.only_b] == ["AGREE:格上げし"]
    assert [f.label for f in facts["Agreement"].only_a] == [XSS]
    reworded = [p for p in d.passages if p.status == "reworded"]
    assert reworded and "拡大された" in "".join(reworded[0].added)
    assert [p.status for p in d.passages if p.a is not None and p.b is None] == ["only_a"]


def test_html_escapes_document_text(tiny_build, tmp_path):
    report = tmp_path / "tiny.html"
    r = run("diff", str(tiny_build), "first.txt", "second", "--html", str(report))
    assert r.exit_code == 0, r.output
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;window.__bkg_pwned = 1&lt;/script&gt;協定" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --------------------------------------------------------------------- in a real browser


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no system Chromium at {CHROMIUM}")
def test_diff_html_in_chromium_loads_nothing_and_draws(corpus_build, tiny_build, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    pages = []
    for build, a, b in ((corpus_build, FM_2022, SUMMIT_2025), (tiny_build, "first", "second")):
        path = tmp_path / f"{a}.html"
        assert run("diff", str(build), a, b, "--html", str(path)).exit_code == 0
        pages.append(path)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for path in pages:
                requests: list[str] = []

                def record(route):
                    requests.append(route.request.url)  # noqa: B023 - used in this iteration only
                    if route.request.url.startswith(("file:", "data:")):
                        route.continue_()
                    else:
                        route.abort()

                context = browser.new_context()
                context.route("**/*", record)
                page = context.new_page()
                errors: list = []
                page.on("pageerror", lambda e: errors.append(str(e)))  # noqa: B023
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                assert [u for u in requests if not u.startswith("file:")] == []
                assert page.evaluate("document.querySelectorAll('svg line, svg rect').length") > 0
                assert page.evaluate("document.querySelectorAll('table.texts tr').length") > 1
                assert page.evaluate("window.__bkg_pwned === undefined")
                assert errors == []
                context.close()
        finally:
            browser.close()
