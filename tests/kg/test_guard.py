"""kg.guard: the checks a query passes before pyoxigraph's parser sees it."""

from __future__ import annotations

import pytest

from kg.guard import QueryLimits, QueryRejected, check_query, readable_syntax_error, services


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def test_depth_is_bounded_and_ordinary_nesting_passes():
    check_query(nested(20))
    check_query("SELECT * WHERE { ?s ?p ?o FILTER((((?o > 1)))) OPTIONAL { ?s ?q [ ?r ?t ] } }")
    with pytest.raises(QueryRejected, match="more than 100 deep"):
        check_query(nested(5000))
    with pytest.raises(QueryRejected, match="more than 3 deep"):
        check_query(nested(4), max_depth=3)


def test_brackets_and_keywords_inside_strings_iris_and_comments_do_not_count():
    text = ("SELECT * WHERE { ?s rdfs:label \"{{{{{{{{\" ; rdfs:comment '''SERVICE <http://x/> {'''\n"
            "  # SERVICE <http://y/> {{{{{{{{{{{{\n  ; bkg:x <http://e.org/a#b> . FILTER(?a < 3 && ?b > 2) }")
    check_query(text, max_depth=2)
    assert services(text) == []


def test_length_limit():
    with pytest.raises(QueryRejected, match="limit is 10"):
        check_query("ASK { ?s ?p ?o }", max_length=10)


def test_service_endpoints_as_written():
    text = "PREFIX e: <http://e.org/> SELECT * { SERVICE <http://a/> {} SERVICE SILENT ?v {} service e:s {} }"
    assert services(text) == ["<http://a/>", "?v", "e:s"]


def test_service_allow_list():
    federated = "SELECT * WHERE { SERVICE <http://a.example/sparql> { ?s ?p ?o } }"
    with pytest.raises(QueryRejected, match="federated queries are off"):
        check_query(federated)
    check_query(federated, allow_services=["http://a.example/sparql"])
    with pytest.raises(QueryRejected):
        check_query(federated, allow_services=["http://b.example/sparql"])
    by_variable = "SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }"
    with pytest.raises(QueryRejected, match="full <IRI>"):
        check_query(by_variable, allow_services=["http://a.example/sparql"])
    check_query(by_variable, allow_services=["*"])
    QueryLimits(allow_services=("*",)).check(by_variable)


@pytest.mark.parametrize("query", [
    "SELECT WHERE {",
    "SELECT * WHERE { ?s ?p ?o . FILTER( }",
    "SELECT * WHERE { ?s ?p }",
    "SELECT * WHERE {\n  ?s ?p ?o .\n  ?s undeclared:x ?y }",
])
def test_syntax_errors_become_one_readable_line(query):
    import pyoxigraph as ox

    with pytest.raises(SyntaxError) as info:
        ox.Store().query(query)
    line = readable_syntax_error(str(info.value), query)
    assert "\n" not in line and "\\u{" not in line and "..=" not in line
    assert line.startswith("SPARQL syntax error at line ")
    if "undeclared" in query:
        assert "undeclared prefix 'undeclared:'" in line and "line 3" in line
