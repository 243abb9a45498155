"""kg.timeline and `bkg timeline` on the sample corpus (Japan–Kyrgyzstan, Japan–Kazakhstan) and on a
tiny hand-written store with the classes other engineers are adding (partnership statuses, coded
events) and hostile labels."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re

import pytest
from typer.testing import CliRunner

from kg import timeline as kt
from kg.cli import app
from kg.store import load_file, open_store

CHROMIUM = "/usr/bin/chromium"
XSS = "<script>window.__bkg_pwned = 1</script>協定"
FORMULA = "=HYPERLINK(\"http://x\")会合"

TINY = """
@prefix bkg: <https://w3id.org/bilateral-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/bilateral-kg/graph/dt> {
  id:document/dt a bkg:Document ; dcterms:title "声明"@ja ; dcterms:date "2021-03-01"^^xsd:date ;
    bkg:docType bkg:JointStatement ; dcterms:source "tiny.txt" .
  id:document/dt/p0 a bkg:Passage ; bkg:document id:document/dt ; bkg:order 0 ; bkg:text "本文"@ja .
  id:country/JPN a bkg:Country ; bkg:iso3 "JPN" ; rdfs:label "日本"@ja .
  id:country/KAZ a bkg:Country ; bkg:iso3 "KAZ" ; rdfs:label "カザフスタン"@ja .
  id:country/UZB a bkg:Country ; bkg:iso3 "UZB" ; rdfs:label "ウズベキスタン"@ja .
  id:agreement/x a bkg:Agreement ; rdfs:label "<script>window.__bkg_pwned = 1</script>協定"@ja ;
    bkg:party id:country/JPN, id:country/KAZ ; bkg:event id:event/x1, id:event/x2 ; prov:wasDerivedFrom id:document/dt/p0 .
  id:event/x1 a bkg:AgreementEvent ; bkg:eventOf id:agreement/x ; bkg:eventKind bkg:Signed ;
    bkg:date "2019-06-10"^^xsd:date ; prov:wasDerivedFrom id:document/dt/p0 .
  id:event/x2 a bkg:AgreementEvent ; bkg:eventOf id:agreement/x ; bkg:eventKind bkg:EnteredIntoForce ;
    bkg:date "2020-01"^^xsd:gYearMonth ; prov:wasDerivedFrom id:document/dt/p0 .
  id:meeting/m a bkg:Meeting ; rdfs:label "=HYPERLINK(\\"http://x\\")会合"@ja ; bkg:date "2020"^^xsd:gYear ;
    bkg:participant id:country/JPN, id:country/KAZ ; prov:wasDerivedFrom id:document/dt/p0 .
  id:person/v a bkg:Person ; rdfs:label "訪問者"@ja ; bkg:role "外務大臣"@ja ; bkg:country id:country/KAZ .
  id:visit/v a bkg:Visit ; rdfs:label "訪問者訪日 2021-02-01"@ja ; bkg:visitor id:person/v ;
    bkg:destination id:country/JPN ; bkg:startDate "2021-02-01"^^xsd:date ; prov:wasDerivedFrom id:document/dt/p0 .
  id:person/u a bkg:Person ; rdfs:label "別の人"@ja ; bkg:role "大統領"@ja ; bkg:country id:country/UZB .
  id:visit/u a bkg:Visit ; rdfs:label "別の人訪日 2021"@ja ; bkg:visitor id:person/u ;
    bkg:destination id:country/JPN ; bkg:startDate "2021"^^xsd:gYear ; prov:wasDerivedFrom id:document/dt/p0 .
  id:partnership/JPN-KAZ/s a bkg:Partnership ; bkg:levelAsWritten "戦略的パートナーシップ"@ja ;
    bkg:partner id:country/JPN, id:country/KAZ .
  id:ps/1 a bkg:PartnershipStatus ; bkg:statusOf id:partnership/JPN-KAZ/s ; bkg:status bkg:Upgraded ;
    bkg:date "2021-03-01"^^xsd:date ; bkg:mentionedIn id:document/dt/p0 .
  id:de/1 a bkg:DiplomaticEvent ; bkg:ploverType "SUPPORT" ; bkg:predicateAsWritten "支持した"@ja ;
    bkg:sourceActor id:country/JPN ; bkg:targetActor id:country/KAZ ; bkg:date "2021-03-01"^^xsd:date ;
    bkg:mentionedIn id:document/dt/p0 .
  id:de/2 a bkg:DiplomaticEvent ; bkg:ploverType "AGREE" ; bkg:predicateAsWritten "合意した"@ja ;
    bkg:sourceActor id:country/JPN ; bkg:targetActor id:country/KAZ ; bkg:date "2021-03-01"^^xsd:date ;
    bkg:mentionedIn id:document/dt/p0 .
}
"""


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny-timeline")
    trig = out / "tiny.trig"
    trig.write_text(re.sub(r"\bid:([\w/-]+)", r"<https://w3id.org/bilateral-kg/id/\1>", TINY),
                    encoding="utf-8")
    load_file(trig, out)
    return out


# --------------------------------------------------------------------- the real corpus


def test_japan_kyrgyzstan_rows(corpus_build):
    rows = kt.timeline_rows(open_store(corpus_build), "JPN", "KGZ")
    got = {(r.date, r.kind, r.label, r.level) for r in rows}
    # 2023-11-17: President Japarov's visit to Japan (the 2023 joint statement)
    assert ("2023-11-17", "visit", "サディル・ジャパロフ訪日 2023-11-17", "leader") in got
    # the country brief's list of exchanges of notes
    assert ("2015", "agreement", "国際幹線道路改修計画の交換公文", "Signed") in got
    assert ("2022", "visit", "クルバエフ訪日 2022", "minister") in got
    visit = next(r for r in rows if r.label == "サディル・ジャパロフ訪日 2023-11-17")
    assert "2023-11_jp-kgz_joint-statement.txt" in visit.document and "/p" in visit.passage
    assert all("JPN" in r.countries.split() and "KGZ" in r.countries.split() for r in rows)
    dated = [r.date for r in rows if r.date]
    assert dated == sorted(dated) and rows[-1].date is None  # date order, undated last


def test_a_pair_keeps_only_visits_between_the_two(corpus_build):
    rows = kt.timeline_rows(open_store(corpus_build), "JPN", "KAZ")
    visits = {r.label for r in rows if r.kind == "visit"}
    assert "安倍晋三のカザフスタン訪問 2015" in visits
    assert not any("キルギス" in v for v in visits)
    alone = set(kt.timeline_rows(open_store(corpus_build), "KAZ"))
    assert set(rows) < alone  # the pair's rows are among the country's, which has more


def test_cli_writes_html_svg_csv_identically_twice(corpus_build, tmp_path):
    for suffix in ("html", "svg", "csv"):
        outs = []
        for n in (1, 2):
            path = tmp_path / f"t{n}.{suffix}"
            r = run("timeline", str(corpus_build), "JPN", "キルギス", "--out", str(path))
            assert r.exit_code == 0, r.output
            outs.append(path.read_bytes())
        assert outs[0] == outs[1], suffix
    page = (tmp_path / "t1.html").read_text(encoding="utf-8")
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="timeline"' in page
    assert "visits — leaders" in page and "サディル・ジャパロフ訪日 2023-11-17" in page
    assert "<title>サディル・ジャパロフ訪日 2023-11-17\n2023-11-17 — visit (leader)" in page
    rows = table((tmp_path / "t1.csv").read_text(encoding="utf-8"))
    assert list(rows[0]) == list(kt.CSV_COLUMNS)
    assert {"date": "2023-11-17", "kind": "visit", "level": "leader"}.items() <= next(
        r for r in rows if r["label"] == "サディル・ジャパロフ訪日 2023-11-17").items()
    printed = run("timeline", str(corpus_build), "KGZ", "JPN", "--format", "csv")
    assert printed.exit_code == 0 and printed.stdout.startswith("date,kind,label,level,")
    assert not list(tmp_path.glob(".*.tmp"))


def test_cli_refuses_bad_arguments(corpus_build, tmp_path):
    bad = run("timeline", str(corpus_build), "JPN", "KYR", "--out", str(tmp_path / "x.html"))
    assert bad.exit_code == 2 and "KGZ" in bad.output
    assert run("timeline", str(corpus_build), "JPN", "--out", str(tmp_path / "x.pdf")).exit_code == 2
    assert run("timeline", str(corpus_build), "JPN", "日本", "--out", str(tmp_path / "x.svg")).exit_code == 2
    assert run("timeline", str(corpus_build), "JPN", "--format", "svg").exit_code == 2


def test_labels_do_not_overlap(corpus_build):
    svg = kt.render_svg(kt.timeline_rows(open_store(corpus_build), "JPN", "KGZ"), "t")
    boxes: dict[float, list[tuple[float, float]]] = {}
    for x, y, text in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="11">([^<]*)</text>', svg):
        start = float(x)
        boxes.setdefault(float(y), []).append((start, start + kt._text_width(text, 11)))
    assert sum(len(v) for v in boxes.values()) > 30
    for spans in boxes.values():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, spans


# --------------------------------------------------------------------- new classes, hostile text


def test_stages_partnerships_and_event_counts(tiny_build):
    rows = kt.timeline_rows(open_store(tiny_build), "JPN", "KAZ")
    got = [(r.date, r.kind, r.level) for r in rows]
    assert got == [
        ("2019-06-10", "agreement", "Signed"),
        ("2020", "meeting", ""),
        ("2020-01", "agreement", "EnteredIntoForce"),
        ("2021-02-01", "visit", "minister"),
        ("2021-03-01", "partnership", "Upgraded"),
        ("2021-03-01", "event", "AGREE"),
        ("2021-03-01", "event", "SUPPORT"),
    ]
    assert "別の人訪日 2021" not in {r.label for r in rows}  # a visit from a third country
    svg = kt.render_svg(rows, "t")
    assert "partnership" in svg and "coded events / year" in svg
    assert "2021: 2 coded event(s)\nAGREE: 1\nSUPPORT: 1" in svg
    assert "visits — leaders" not in svg  # no lane without a fact


def test_html_svg_and_csv_neutralize_hostile_labels(tiny_build, tmp_path):
    for suffix in ("html", "svg"):
        path = tmp_path / f"t.{suffix}"
        assert run("timeline", str(tiny_build), "JPN", "KAZ", "--out", str(path)).exit_code == 0
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text and "&lt;script&gt;" in text
    path = tmp_path / "t.csv"
    assert run("timeline", str(tiny_build), "JPN", "KAZ", "--out", str(path)).exit_code == 0
    labels = [r["label"] for r in table(path.read_text(encoding="utf-8"))]
    assert "'" + FORMULA in labels and XSS in labels


# --------------------------------------------------------------------- in a real browser


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no system Chromium at {CHROMIUM}")
def test_timeline_in_chromium_loads_nothing_draws_and_exports_png(corpus_build, tiny_build, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    pages = []
    for build, pair in ((corpus_build, ("JPN", "KGZ")), (tiny_build, ("JPN", "KAZ"))):
        path = tmp_path / f"{build.name}.html"
        assert run("timeline", str(build), *pair, "--out", str(path)).exit_code == 0
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
                assert page.evaluate("document.querySelectorAll('svg#timeline g.mark').length") > 0
                box = page.locator("svg#timeline").bounding_box()
                assert box["width"] > 300 and box["height"] > 100
                assert page.evaluate("window.__bkg_pwned === undefined") and errors == []
                context.close()
        finally:
            browser.close()
    png = tmp_path / "kgz.png"
    r = run("timeline", str(corpus_build), "JPN", "KGZ", "--out", str(png))
    assert r.exit_code == 0, r.output
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
