"""Issue 13: `bkg path` / `bkg ego` cite the passages behind each hop, `--avoid`, `--format`,
and `bkg analyze --years` writes per-year centrality (networkx and igraph agree).

Built on tests/kg/network_sample.trig (two documents, named graphs per document) plus a third
document of this file's own, so a hub can be avoided and a year has more than one pair.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg import network as kn
from kg.cli import app

ID = "https://w3id.org/bilateral-kg/id/"
JPN, KAZ, KGZ = ID + "country/JPN", ID + "country/KAZ", ID + "country/KGZ"
TRIG = (Path(__file__).parent / "network_sample.trig").read_text(encoding="utf-8")

# A third document: Kazakhstan and Kyrgyzstan sign a memorandum without Japan (2023), with a
# quotation and a title that begins like a spreadsheet formula.
EXTRA = """
PREFIX oa: <http://www.w3.org/ns/oa#>
<https://w3id.org/bilateral-kg/graph/d3> {
  id:doc3 a bkg:Document ; dcterms:title "=両国覚書"@ja ; dcterms:date "2023-03-01"^^xsd:date ;
    dcterms:source "d3.txt" ; prov:wasQuotedFrom <https://example.org/d3> .
  id:doc3p0 a bkg:Passage ; bkg:document id:doc3 ; bkg:paragraph "7" ; bkg:charStart 0 ;
    bkg:text "前文。カザフスタンとキルギスは水資源に関する覚書に署名した。以上。" .
  <https://w3id.org/bilateral-kg/id/country/KAZ> a bkg:Country ; rdfs:label "カザフスタン"@ja ;
    bkg:iso3 "KAZ" ; bkg:mentionedIn id:doc3p0 .
  <https://w3id.org/bilateral-kg/id/country/KGZ> a bkg:Country ; rdfs:label "キルギス"@ja ;
    bkg:iso3 "KGZ" ; bkg:mentionedIn id:doc3p0 .
  <https://w3id.org/bilateral-kg/id/agreement/water> a bkg:Agreement ; rdfs:label "水資源に関する覚書"@ja ;
    bkg:agreementType bkg:MoU ; bkg:date "2023-03-01"^^xsd:date ;
    bkg:party <https://w3id.org/bilateral-kg/id/country/KAZ>, <https://w3id.org/bilateral-kg/id/country/KGZ> ;
    bkg:mentionedIn id:doc3p0 ; prov:wasDerivedFrom id:doc3p0 ;
    bkg:quotation <https://w3id.org/bilateral-kg/id/doc3/m1> .
  <https://w3id.org/bilateral-kg/id/doc3/m1> a oa:SpecificResource ; oa:hasSource id:doc3p0 ;
    oa:hasSelector <https://w3id.org/bilateral-kg/id/doc3/m1#q>, <https://w3id.org/bilateral-kg/id/doc3/m1#p> ;
    bkg:sentence "カザフスタンとキルギスは水資源に関する覚書に署名した。"@ja .
  <https://w3id.org/bilateral-kg/id/doc3/m1#q> a oa:TextQuoteSelector ; oa:exact "水資源に関する覚書" .
  <https://w3id.org/bilateral-kg/id/doc3/m1#p> a oa:TextPositionSelector ; oa:start 16 ; oa:end 25 .
}
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cite-build")
    (out / "kg.trig").write_text(TRIG + EXTRA, encoding="utf-8")
    return out


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


# --- path: citations, formats -------------------------------------------------------------


def test_path_cites_each_hop_in_the_terminal(build):
    result = run("path", build, "KGZ", "JICA")
    assert result.exit_code == 0, result.output
    # every hop is followed by its passages: 「text」 — title, para., date
    assert "「JICAが実施する一村一品運動を歓迎した。」 — 中央アジア+日本 外相会合, para. 2, 2022-12-24" in result.output
    assert "「両首脳は、2023年7月6日に署名された協力覚書を歓迎した。」 — 日キルギス共同声明, para. 5" in result.output


def test_path_json_is_deterministic_and_complete(build):
    first = run("path", build, "KGZ", "JICA", "--format", "json")
    second = run("path", build, "KGZ", "JICA", "--format", "json")
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    data = json.loads(first.output)
    assert data["from"] == KGZ and data["to"] == ID + "organization/jica" and data["avoid"] == []
    hops = data["paths"][0]["hops"]
    assert [h["hop"] for h in hops] == list(range(1, len(hops) + 1))
    for hop in hops:
        assert hop["citations"], hop
        for c in hop["citations"]:
            assert set(c) == set(kn.CITATION_FIELDS)
            assert c["document"] and c["quote"] and c["passage"].startswith(ID)
    # json.dumps with sorted keys: the keys of each object come out in order
    assert first.output.index('"avoid"') < first.output.index('"from"') < first.output.index('"paths"')


def test_quotation_sentence_and_exact_words_are_cited(build):
    result = run("path", build, "KAZ", "KGZ", "--avoid", "JPN", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    water = [h for p in data["paths"] for h in p["hops"] if h["source"]["iri"] == ID + "agreement/water"
             or h["target"]["iri"] == ID + "agreement/water"]
    assert water
    cite = water[0]["citations"][0]
    # the quotation's sentence, not the whole passage
    assert cite["quote"] == "カザフスタンとキルギスは水資源に関する覚書に署名した。"
    assert cite["exact"] == "水資源に関する覚書"
    assert (cite["paragraph"], cite["date"], cite["source"], cite["url"]) == (
        "7", "2023-03-01", "d3.txt", "https://example.org/d3")
    assert cite["names_both"] is True


def test_path_csv_neutralizes_formulas(build):
    result = run("path", build, "KAZ", "KGZ", "--avoid", "JPN", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    header = rows[0]
    assert header[:8] == ["path", "hop", "from", "from_label", "relation", "direction", "to", "to_label"]
    assert header[8:] == list(kn.CITATION_FIELDS)
    documents = {r[header.index("document")] for r in rows[1:]}
    assert "'=両国覚書" in documents and "=両国覚書" not in documents
    for r in rows[1:]:
        assert len(r) == len(header)
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in r)


def test_avoid_removes_the_hub(build):
    plain = json.loads(run("path", build, "KAZ", "KGZ", "--format", "json").output)
    avoided = json.loads(run("path", build, "KAZ", "KGZ", "--avoid", "日本", "--format", "json").output)
    assert avoided["avoid"] == [JPN]
    for data in (plain, avoided):
        assert data["paths"]
    for p in avoided["paths"]:
        assert JPN not in {h["source"]["iri"] for h in p["hops"]} | {h["target"]["iri"] for h in p["hops"]}
    # by name, ISO3, and repeated
    again = run("path", build, "KAZ", "KGZ", "--avoid", "jpn", "--avoid", "JICA", "--format", "json")
    assert again.exit_code == 0 and json.loads(again.output)["avoid"] == sorted([JPN, ID + "organization/jica"])


def test_avoid_can_leave_no_path(build):
    result = run("path", build, "KGZ", "JICA", "--avoid", "JPN", "--avoid", "一村一品")
    assert result.exit_code == 1
    assert "no path between キルギス and 国際協力機構" in result.output
    assert "avoiding 日本, 一村一品" in result.output


def test_path_errors(build):
    same = run("path", build, "KAZ", "カザフスタン")
    assert same.exit_code == 2 and "the same entity" in same.output
    end = run("path", build, "KAZ", "JPN", "--avoid", "Japan")
    assert end.exit_code == 2 and "an end of the path" in end.output
    unknown = run("path", build, "KAZ", "KGZ", "--avoid", "Atlantis")
    assert unknown.exit_code == 2 and "no entity named" in unknown.output
    bad = run("path", build, "KAZ", "KGZ", "--format", "xml")
    assert bad.exit_code == 2 and "--format" in bad.output


def test_paths_avoid_in_the_api():
    G = kn.entity_graph(_dataset())
    assert all(JPN not in {h.source for h in p} | {h.target for h in p}
               for p in kn.paths(G, KAZ, KGZ, avoid=["JPN"]))
    with pytest.raises(ValueError):
        list(kn.paths(G, KAZ, JPN, avoid=[JPN]))


# --- ego ----------------------------------------------------------------------------------


def test_ego_cites_each_edge(build):
    result = run("ego", build, "JICA")
    assert result.exit_code == 0, result.output
    assert "一村一品 -implementedBy-> 国際協力機構" in result.output
    assert "「JICAが実施する一村一品運動を歓迎した。」 — 中央アジア+日本 外相会合, para. 2" in result.output


def test_ego_json_and_csv(build):
    data = json.loads(run("ego", build, "KGZ", "--format", "json").output)
    assert data["center"] == KGZ and data["radius"] == 1
    relations = {(e["source"]["iri"], e["relation"], e["target"]["iri"]) for e in data["edges"]}
    assert (ID + "agreement/water", "party", KGZ) in relations
    water = next(e for e in data["edges"] if e["source"]["iri"] == ID + "agreement/water")
    assert [c["source"] for c in water["citations"]] == ["d3.txt"]
    # the edges of the JPN+KGZ memorandum are cited from its own document only
    jcm = next(e for e in data["edges"] if e["source"]["iri"] == ID + "agreement/jcm")
    assert {c["document"] for c in jcm["citations"]} == {"日キルギス共同声明"}
    text = run("ego", build, "KGZ", "--format", "csv").output
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:6] == ["from", "from_label", "relation", "direction", "to", "to_label"]
    assert len(rows) - 1 >= len(data["edges"])
    assert run("ego", build, "KGZ", "--format", "json").output == run("ego", build, "KGZ", "--format", "json").output


def test_cite_limit(build):
    data = json.loads(run("ego", build, "JPN", "--format", "json", "--cite", "1").output)
    assert all(len(e["citations"]) <= 1 for e in data["edges"])


# --- analyze --years ----------------------------------------------------------------------


def test_analyze_years_writes_per_year_centrality(build, tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(build, folder)
    result = run("analyze", folder, "--years", "2022-2023")
    assert result.exit_code == 0, result.output
    assert "per-year centrality" in result.output
    table = folder / "analysis" / "centrality_by_year.csv"
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert list(rows[0]) == list(kn.YEAR_CENTRALITY_FIELDS)
    by = {(int(r["year"]), r["iri"]): r for r in rows}
    # 2022: the meeting of all three; 2023: JPN+KGZ memorandum and KAZ+KGZ memorandum
    assert {y for y, _ in by} == {2022, 2023}
    assert by[2022, KAZ]["degree"] == "2"
    assert by[2023, KGZ]["degree"] == "2" and by[2023, KGZ]["rank"] == "1"
    assert float(by[2023, KGZ]["betweenness"]) == 1.0 and float(by[2023, JPN]["betweenness"]) == 0.0
    data = json.loads((folder / "analysis" / "centrality_by_year.json").read_text(encoding="utf-8"))
    assert len(data) == len(rows) and data[0]["year"] == 2022
    summary = json.loads((folder / "analysis" / "summary.json").read_text(encoding="utf-8"))
    assert summary["by_year"]["years"] == [2022, 2023]
    assert "centrality_by_year.csv" in summary["files"]
    # one year only; the same bytes on a second run
    first = table.read_bytes()
    assert run("analyze", folder, "--years", "2022-2023").exit_code == 0
    assert table.read_bytes() == first
    assert run("analyze", folder, "--years", "2023").exit_code == 0
    assert {r["year"] for r in csv.DictReader(table.open(encoding="utf-8"))} == {"2023"}
    assert run("analyze", folder, "--years", "all").exit_code == 0
    bad = run("analyze", folder, "--years", "recent")
    assert bad.exit_code == 2 and "--years" in bad.output


def test_analyze_without_years_writes_no_year_table(build, tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(build, folder)
    assert run("analyze", folder).exit_code == 0
    assert not (folder / "analysis" / "centrality_by_year.csv").exists()


def _star_years() -> nx.MultiDiGraph:
    """Six countries, initiatives over three years, a hub and a chain: something to rank."""
    G = nx.MultiDiGraph()
    countries = [f"C{i}" for i in range(6)]
    G.add_nodes_from((c, {"cls": "Country", "label_ja": c}) for c in countries)
    deals = [("A1", 2020, "C0", "C1"), ("A2", 2020, "C0", "C2"), ("A3", 2020, "C2", "C3"),
             ("A4", 2021, "C0", "C1"), ("A5", 2021, "C1", "C2"), ("A6", 2021, "C3", "C4"),
             ("A7", 2021, "C4", "C5"), ("A8", 2021, "C2", "C3"), ("A9", 2022, "C0", "C5")]
    for n, year, a, b in deals:
        G.add_node(n, cls="Agreement", years=[year], label=n)
        G.add_edge(n, a, key="party")
        G.add_edge(n, b, key="party")
    return G


def test_per_year_centrality_same_on_both_engines():
    pytest.importorskip("igraph")
    G = _star_years()
    nx_rows = kn.centrality_by_year(G, engine="networkx")
    ig_rows = kn.centrality_by_year(G, engine="igraph")
    assert [(r["year"], r["iri"], r["rank"], r["degree"], r["weighted_degree"]) for r in nx_rows] == \
        [(r["year"], r["iri"], r["rank"], r["degree"], r["weighted_degree"]) for r in ig_rows]
    for a, b in zip(nx_rows, ig_rows):
        assert a["betweenness"] == pytest.approx(b["betweenness"], abs=1e-6)
        assert a["eigenvector"] == pytest.approx(b["eigenvector"], abs=1e-5)
    # and the one-pass slices equal a country graph built for each year
    for year in (2020, 2021, 2022):
        C = kn.country_graph(G, year=year)
        H = C.subgraph([n for n in C if C.degree(n)])
        want = nx.betweenness_centrality(H, normalized=True)
        got = {r["iri"]: r["betweenness"] for r in nx_rows if r["year"] == year}
        assert got == {n: round(v, 6) for n, v in want.items()}


def test_year_span():
    assert kn.year_span("2015-2025") == (2015, 2025)
    assert kn.year_span(" 2025 - 2015 ") == (2015, 2025)
    assert kn.year_span("ALL") is None
    with pytest.raises(ValueError):
        kn.year_span("2015..2025")


def _dataset():
    import rdflib

    ds = rdflib.Dataset()
    ds.parse(data=TRIG + EXTRA, format="trig")
    return ds
