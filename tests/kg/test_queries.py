"""Saved queries: headers, parameter binding, and an expected answer for each query."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from extract.facts import make_key
from kg.queries import (
    PARAM_TYPES,
    QUERY_DIR,
    SavedQueryError,
    list_saved,
    load_saved,
    parse_params,
    run_saved,
)

ID = "https://w3id.org/bilateral-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
EXPECTED_QUERIES = {
    "agreements-between",
    "agreements-per-country-year",
    "visits",
    "meetings-of-series",
    "programs-of-country",
    "passages-mentioning",
    "neighbourhood",
    "timeline-pair",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> ox.Store:
    """The factories corpus, built with kg.rdf and written with kg.store, opened read-only."""
    from factories import corpus

    from kg.rdf import build_graph
    from kg.store import open_store, write_store

    out = tmp_path_factory.mktemp("queries-build")
    write_store(build_graph(corpus()), out)
    return open_store(out)


def rows(store: ox.Store, name: str, **params: str) -> list[dict[str, str | None]]:
    result = run_saved(store, name, params)
    names = [v.value for v in result.variables]
    return [
        {n: (sol[n].value if sol[n] is not None else None) for n in names} for sol in result
    ]


# ------------------------------------------------------------------------ headers and binding


def test_the_saved_queries_are_there_with_headers():
    saved = {q.name: q for q in list_saved()}
    assert EXPECTED_QUERIES <= set(saved)
    for q in saved.values():
        assert q.title and q.description, q.name
        assert q.path.parent == QUERY_DIR
        for p in q.params:
            assert p.type in PARAM_TYPES and p.meaning, (q.name, p)
            assert f"?{p.name}" in q.sparql, (q.name, p.name)


@pytest.mark.parametrize("query", sorted(p.stem for p in QUERY_DIR.glob("*.rq")))
def test_every_saved_query_runs_on_an_empty_store(query):
    q = load_saved(query)
    values = {"iso3": "JPN", "iri": f"{ID}country/JPN", "literal": "日本", "year": "2023",
              "entity": "JPN"}
    params = {p.name: values[p.type] for p in q.params}
    assert list(run_saved(ox.Store(), query, params)) == []


def test_bindings_convert_values_to_terms():
    q = load_saved("agreements-between")
    b = q.bindings({"a": "kaz", "b": f"{ID}country/KGZ"})
    assert b["a"] == ox.NamedNode(f"{ID}country/KAZ")
    assert b["b"] == ox.NamedNode(f"{ID}country/KGZ")
    series = load_saved("meetings-of-series").bindings({"series": "「中央アジア＋日本」"})["series"]
    assert series == ox.Literal(make_key("中央アジア＋日本"))
    entity = load_saved("passages-mentioning").param("entity")
    assert entity.term("KGZ") == ox.NamedNode(f"{ID}country/KGZ")
    assert entity.term("person/abc") == ox.NamedNode(f"{ID}person/abc")
    assert entity.term("JICA") == ox.Literal("jica")
    year = load_saved("agreements-per-country-year").param("country")
    assert year.optional


def test_year_parameters_are_integers():
    from kg.queries import Param

    term = Param("year", "a year", "year").term("2023")
    assert term == ox.Literal("2023", datatype=ox.NamedNode(XSD + "integer"))
    with pytest.raises(SavedQueryError):
        Param("year", "a year", "year").term("last year")


def test_bad_parameters_are_refused_with_a_clear_message():
    q = load_saved("agreements-between")
    with pytest.raises(SavedQueryError, match="missing parameter"):
        q.bindings({"a": "JPN"})
    with pytest.raises(SavedQueryError, match="unknown parameter"):
        q.bindings({"a": "JPN", "b": "KGZ", "c": "KAZ"})
    with pytest.raises(SavedQueryError, match="ISO 3166"):
        q.bindings({"a": "JPN", "b": "KGZ> } DROP ALL #"})
    with pytest.raises(SavedQueryError, match="no saved query"):
        load_saved("no-such-query")
    with pytest.raises(SavedQueryError):
        parse_params(["a"])
    assert parse_params(["a=JPN", "series=x=y"]) == {"a": "JPN", "series": "x=y"}


def test_values_are_bound_never_pasted(store):
    # A value full of SPARQL syntax is just a string that matches nothing.
    assert rows(store, "meetings-of-series", series='" ) } DELETE WHERE { ?s ?p ?o } #') == []
    assert load_saved("meetings-of-series").sparql.count("DELETE") == 0


def test_the_sparql_normalization_matches_make_key(store):
    # The label normalization spelt out in the .rq files must agree with extract.facts.make_key.
    q = """SELECT ?k WHERE { BIND(REPLACE(LCASE(REPLACE(STR(?s), "＋", "+")),
      "[\\\\s・･＝=「」『』“”\\"'（）()\\\\[\\\\]【】〈〉《》、，,。．.:：/／\\\\-－‐―—～~]+", "") AS ?k) }"""
    text = (QUERY_DIR / "meetings-of-series.rq").read_text(encoding="utf-8")
    assert '"[\\\\s・･＝=「」『』“”\\"\'（）()\\\\[\\\\]【】〈〉《》、，,。．.:：/／\\\\-－‐―—～~]+"' in text
    for s in ["第9回「中央アジア＋日本」対話・外相会合", "一村一品（OVOP）", "サディル・ジャパロフ",
              "Japan - Kyrgyzstan"]:
        sparql = q.replace("?s", "?x").replace("SELECT ?k", "SELECT ?x ?k")
        (sol,) = ox.Store().query(sparql, substitutions={ox.Variable("x"): ox.Literal(s)})
        assert sol["k"].value == make_key(s), s


# ------------------------------------------------------------------------ answers (factories corpus)


def test_agreements_between(store):
    got = rows(store, "agreements-between", a="JPN", b="KGZ")
    # by the ISO string of the date: a year-only date sorts before the days of that year
    assert [(r["label"], r["date"]) for r in got] == [
        ("「中央アジア＋日本」対話ロードマップ", "2023"),
        ("二国間クレジット制度（JCM）に関する協力覚書", "2023-07-06"),
    ]
    assert got[1]["type"].endswith("#MoU") and got[1]["place"] == "東京"
    assert got[1]["documents"] == "2023-11_jp-kgz_joint-statement.txt"
    assert rows(store, "agreements-between", a="KGZ", b="JPN") == [
        {**r, "a": r["b"], "b": r["a"]} for r in got
    ]


def test_agreements_per_country_year(store):
    got = rows(store, "agreements-per-country-year")
    table = {(r["iso3"], int(r["year"])): int(r["agreements"]) for r in got}
    assert table == {("JPN", 2022): 1, ("JPN", 2023): 2, ("KAZ", 2022): 1, ("KAZ", 2023): 1,
                     ("KGZ", 2023): 2}
    only = rows(store, "agreements-per-country-year", country="KAZ")
    assert {(r["iso3"], r["year"]) for r in only} == {("KAZ", "2022"), ("KAZ", "2023")}


def test_visits_by_person_or_to_country(store):
    (by_name,) = rows(store, "visits", person="ジャパロフ")
    assert by_name["visitorLabel"] == "サディル・ジャパロフ"
    assert by_name["destination"] == f"{ID}country/JPN"
    assert (by_name["start"], by_name["end"]) == ("2023-11-17", "2023-11-20")
    assert rows(store, "visits", country="JPN") != []
    assert rows(store, "visits", country="KAZ") == []
    assert rows(store, "visits", person="林") == []
    assert len(rows(store, "visits")) == 1


def test_meetings_of_series(store):
    (meeting,) = rows(store, "meetings-of-series", series="中央アジア＋日本")
    assert meeting["date"] == "2022-12-24" and meeting["place"] == "東京"
    assert meeting["ordinal"] == "9"
    assert set(meeting["countries"].split(";")) == {"JPN", "KGZ", "KAZ"}
    assert rows(store, "meetings-of-series", series="中央アジア+日本") == [meeting]
    assert rows(store, "meetings-of-series", series="日・ASEAN") == []


def test_programs_of_country(store):
    (program,) = rows(store, "programs-of-country", country="KGZ")
    assert program["label"] == "一村一品" and program["altLabels"] == "OVOP"
    assert "JICA" in program["implementedByLabels"]
    assert "国際協力機構" in program["implementedByLabels"]
    assert rows(store, "programs-of-country", country="KAZ") == []


def test_passages_mentioning(store):
    got = rows(store, "passages-mentioning", entity="KAZ")
    assert {r["paragraph"] for r in got} == {"1", "2"}
    assert all("カザフスタン" in r["text"] for r in got)
    (jica,) = rows(store, "passages-mentioning", entity="JICA")
    assert "一村一品" in jica["text"] and jica["source"] == "2023-11_jp-kgz_joint-statement.txt"
    # by IRI: the same answer
    same = rows(store, "passages-mentioning", entity=jica["e"])
    assert [r["passage"] for r in same] == [jica["passage"]]


def test_neighbourhood(store):
    got = {r["label"]: r for r in rows(store, "neighbourhood", entity="国際協力機構")}
    assert got["一村一品"]["hops"] == "1"
    assert got["日本"]["hops"] == "1"  # JICA -bkg:country-> Japan
    assert got["キルギス"]["hops"] == "2" and got["キルギス"]["via"] == "一村一品"
    kgz = {r["label"]: r["hops"] for r in rows(store, "neighbourhood", entity="KGZ")}
    assert kgz["二国間クレジット制度（JCM）に関する協力覚書"] == "1"
    assert kgz["日本"] == "2"


def test_timeline_pair(store):
    got = rows(store, "timeline-pair", a="JPN", b="KGZ")
    assert [(r["date"], r["kind"]) for r in got] == [
        ("2022-12-24", "meeting"),
        ("2023", "agreement"),
        ("2023-07-06", "agreement"),
        ("2023-11-17", "visit"),
    ]
    assert rows(store, "timeline-pair", a="KGZ", b="KAZ")[0]["kind"] == "meeting"


# ------------------------------------------------------------------------ answers (real corpus)


@pytest.mark.model
def test_saved_queries_on_the_corpus(corpus_build: Path):
    from kg.store import open_store

    store = open_store(corpus_build)
    jcm = [r for r in rows(store, "agreements-between", a="JPN", b="KGZ")
           if r["date"] == "2023-07-06"]
    assert jcm, "the 2023-07-06 JCM MoU between Japan and Kyrgyzstan"
    assert any(r["type"].endswith("#MoU") for r in jcm)
    meetings = rows(store, "meetings-of-series", series="中央アジア＋日本")
    assert any(r["date"] == "2022-12-24" for r in meetings), meetings
    programs = rows(store, "programs-of-country", country="KGZ")
    ovop = [r for r in programs if "一村一品" in (r["label"] or "")]
    assert ovop and any("JICA" in (r["implementedByLabels"] or "") or "国際協力機構" in
                        (r["implementedByLabels"] or "") for r in ovop)
    timeline = rows(store, "timeline-pair", a="JPN", b="KGZ")
    assert {"agreement", "meeting"} <= {r["kind"] for r in timeline}
    assert rows(store, "passages-mentioning", entity="KGZ")
    assert rows(store, "neighbourhood", entity="KGZ")
    years = rows(store, "agreements-per-country-year", country="KGZ")
    assert any(r["year"] == "2023" for r in years)


# ------------------------------------------------------------------------ values as users type them


KGZ_IRI = ox.NamedNode(f"{ID}country/KGZ")


@pytest.mark.parametrize(
    "value",
    ["KGZ", "kgz", " KGZ ", "ＫＧＺ", "id:country/KGZ", "id:country/kgz", "country/KGZ",
     f"{ID}country/KGZ", f"<{ID}country/KGZ>", "キルギス", "キルギス共和国", "Kyrgyzstan"],
)
def test_country_parameter_forms(value):
    assert load_saved("agreements-between").param("b").term(value) == KGZ_IRI


def test_unknown_country_code_lists_the_nearest_known_codes():
    q = load_saved("agreements-between")
    with pytest.raises(SavedQueryError) as err:
        q.bindings({"a": "JPN", "b": "KYR"})
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("parameter 'b': KYR is not a known country code")
    assert "nearest: KGZ (Kyrgyzstan, キルギス)" in message  # by name first: KYRgyzstan
    assert "KIR (Kiribati" in message and "KOR (South Korea" in message  # one edit away
    for form in ("id:country/KYR", f"{ID}country/KYR", "kyr"):
        with pytest.raises(SavedQueryError, match="KYR is not a known country code"):
            q.param("b").term(form)


def test_nearest_countries():
    from kg.queries import nearest_countries

    assert [c.iso3 for c in nearest_countries("KYR")][:3] == ["KGZ", "KIR", "KOR"]
    assert nearest_countries("UAE")[0].iso3 == "ARE"  # initials of United Arab Emirates
    assert nearest_countries("GER")[0].iso3 == "DEU"  # Germany
    assert nearest_countries("KAZ")[0].iso3 == "KAZ"


def test_country_parameter_refusals_are_clear():
    p = load_saved("agreements-between").param("a")
    with pytest.raises(SavedQueryError, match="did you mean KGZ"):
        p.term("Kyrgystan")  # a misspelt name: the nearest names
    with pytest.raises(SavedQueryError, match="not a country's IRI"):
        p.term("bkg:Agreement")
    with pytest.raises(SavedQueryError, match="not a country's IRI"):
        p.term("https://example.org/KGZ")
    with pytest.raises(SavedQueryError, match="unknown prefix 'foo:'"):
        p.term("foo:KGZ")


def test_iri_parameter_forms():
    from kg.queries import Param

    p = Param("x", "any IRI", "iri")
    assert p.term("id:person/abc") == ox.NamedNode(f"{ID}person/abc")
    assert p.term("person/abc") == ox.NamedNode(f"{ID}person/abc")
    assert p.term("bkg:MoU") == ox.NamedNode("https://w3id.org/bilateral-kg/ontology#MoU")
    assert p.term("wd:Q813") == ox.NamedNode("http://www.wikidata.org/entity/Q813")
    assert p.term("<urn:x:y>") == ox.NamedNode("urn:x:y")
    assert p.term("KGZ") == KGZ_IRI
    with pytest.raises(SavedQueryError, match="KYR is not a known country code"):
        p.term("country/KYR")
    with pytest.raises(SavedQueryError, match="expected an IRI"):
        p.term("hello world")
    with pytest.raises(SavedQueryError, match="expected an IRI"):
        p.term("thing/abc")  # not a kind of the id/ namespace
    with pytest.raises(SavedQueryError, match="unknown prefix"):
        p.term("G7:x")


def test_entity_parameter_forms():
    entity = load_saved("passages-mentioning").param("entity")
    assert entity.term("id:country/KGZ") == KGZ_IRI
    assert entity.term("KGZ") == KGZ_IRI
    # capitals that are no country code are a name (WHO, not id:country/WHO)
    assert entity.term("WHO") == ox.Literal("who")
    # a slash or colon inside a name does not make it an IRI
    assert entity.term("日本/キルギス") == ox.Literal(make_key("日本/キルギス"))
    assert entity.term("G7:広島") == ox.Literal(make_key("G7:広島"))
    with pytest.raises(SavedQueryError, match="KYR is not a known country code"):
        entity.term("id:country/KYR")
    with pytest.raises(SavedQueryError, match="nothing left to match"):
        entity.term("「」")


@pytest.mark.parametrize("value", ["2023", " 2023 ", "２０２３", "2023年"])
def test_year_forms(value):
    from kg.queries import Param

    assert Param("year", "a year", "year").term(value) == ox.Literal(
        "2023", datatype=ox.NamedNode(XSD + "integer"))


@pytest.mark.parametrize("value", ["23", "2023-07-06", "令和5年", "20234"])
def test_year_refusals(value):
    from kg.queries import Param

    with pytest.raises(SavedQueryError, match="expected a four-digit year such as 2023"):
        Param("year", "a year", "year").term(value)


def test_repeated_param_is_an_error():
    with pytest.raises(SavedQueryError, match="^--param country given twice$"):
        parse_params(["country=KAZ", "country=KGZ"])
    with pytest.raises(SavedQueryError, match="given twice"):
        parse_params(["country=KAZ", " country =KAZ"])


def test_unknown_country_gives_no_rows_never(store):
    # What used to return 0 rows without a word is now an error; a known code still works.
    with pytest.raises(SavedQueryError, match="nearest"):
        rows(store, "programs-of-country", country="KYR")
    assert rows(store, "programs-of-country", country="id:country/KGZ") == rows(
        store, "programs-of-country", country="KGZ")
