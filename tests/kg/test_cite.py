"""`bkg cite` and the saved query `cite`: the exact sentence, title, paragraph and source URL of a fact."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from kg.cli import app

DEVSET = __import__("pathlib").Path(__file__).resolve().parents[2] / "data" / "devset"
NEPAL = "20110317_jp-np-food-aid-exchange-of-notes.txt"


@pytest.fixture(scope="module")
def nepal_build(tmp_path_factory, nlp):
    """One real document with its SOURCES.tsv row (which gives the source URL), built for real."""
    from kg.build import build

    src = tmp_path_factory.mktemp("nepal-src")
    shutil.copy(DEVSET / NEPAL, src / NEPAL)
    rows = [line for line in (DEVSET / "SOURCES.tsv").read_text(encoding="utf-8").splitlines()
            if line.startswith(("file\t", NEPAL))]
    (src / "SOURCES.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("nepal-out")
    build([src], out, nlp=nlp, progress=False)
    return out


def test_cite_gives_sentence_title_paragraph_and_url(nepal_build):
    result = CliRunner().invoke(app, ["cite", str(nepal_build), "ネパール", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    assert rows
    text = (DEVSET / NEPAL).read_text(encoding="utf-8")
    for row in rows:
        assert row["exact"]["value"] in row["sentence"]["value"]
        assert row["url"]["value"] == "https://www.mofa.go.jp/mofaj/gaiko/oda/data/zyoukyou/h22/110317_3.html"
        assert row["title"]["value"]
    from extract.normalize import normalize

    normalized = normalize(text)
    assert all(r["sentence"]["value"] in normalized for r in rows)


def test_cite_an_agreement_in_text(nepal_build):
    from kg.store import open_store, union_options

    store = open_store(nepal_build / "store")
    (row,) = list(store.query(
        "SELECT ?a ?l WHERE { ?a a bkg:Agreement ; rdfs:label ?l FILTER(LANG(?l) = 'ja') } LIMIT 1",
        prefixes={"bkg": "https://w3id.org/bilateral-kg/ontology#",
                  "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}, **union_options(store)))
    result = CliRunner().invoke(app, ["cite", str(nepal_build), row["a"].value])
    assert result.exit_code == 0, result.output
    assert "quotation(s)" in result.output and "「" in result.output
    assert "https://www.mofa.go.jp/" in result.output


def test_positions_point_at_the_quoted_words(corpus_build):
    from kg.store import open_store, union_options

    store = open_store(corpus_build / "store")
    rows = list(store.query(
        """SELECT ?text ?start ?end ?exact WHERE {
             ?x bkg:quotation ?q . ?q oa:hasSource/bkg:text ?text ;
             oa:hasSelector [ oa:start ?start ; oa:end ?end ] , [ oa:exact ?exact ] } LIMIT 500""",
        prefixes={"bkg": "https://w3id.org/bilateral-kg/ontology#", "oa": "http://www.w3.org/ns/oa#"},
        **union_options(store)))
    assert len(rows) == 500
    for r in rows:
        assert r["text"].value[int(r["start"].value):int(r["end"].value)] == r["exact"].value


def test_cite_unknown_and_ambiguous_names_are_clear(corpus_build):
    result = CliRunner().invoke(app, ["cite", str(corpus_build), "存在しない機関"])
    assert result.exit_code == 2 and "no entity named" in result.output
    result = CliRunner().invoke(app, ["cite", str(corpus_build), "ジャパロフ"])
    assert result.exit_code == 2 and "names 2 entities" in result.output
