"""The light commands (``bkg query``, ``bkg stats``, ``bkg queries``, ``bkg --version``) start
without the heavy libraries: each run here is a fresh interpreter on a real on-disk store built
from tests/kg/sample_kg.trig, and what it printed is compared with the Typer app's answer."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from typer.models import ArgumentInfo, OptionInfo
from typer.testing import CliRunner

from kg import cli, console
from kg.store import load_trig, stats

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).with_name("sample_kg.trig")

#: Never imported by the light commands.
HEAVY = ("spacy", "ginza", "rdflib", "pyvis", "networkx", "igraph", "extract", "pydantic", "rich")

# Runs `bkg ARGS` in this interpreter through ENTRY, then writes the exit code and the heavy
# modules it imported as JSON on the last line of stderr.
RUNNER = f"HEAVY = {HEAVY!r}\n" + """
import json, sys
entry, args = sys.argv[1], sys.argv[2:]
sys.argv = ["bkg", *args]
code = 0
try:
    if entry == "console":
        from kg.console import main
        main()
    else:
        import runpy
        runpy.run_module("kg.cli", run_name="__main__")
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
# a saved query's country parameter is checked against the gazetteer (plain TSV reading)
extract = sorted(m for m in sys.modules if m.startswith("extract."))
if set(extract) <= {"extract.gazetteer", "extract.resources"} and heavy == ["extract"]:
    heavy = [] if args[:1] == ["query"] and "--saved" in args else heavy
sys.stdout.flush()
print(json.dumps({"code": code, "heavy": heavy, "typer": "typer" in sys.modules}), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli-start")
    load_trig(SAMPLE, out / "store")
    return out


def _fresh(entry: str, *args: str) -> tuple[str, str, dict]:
    """stdout, stderr (without the report line) and the report of one fresh process."""
    done = subprocess.run([sys.executable, "-c", RUNNER, entry, *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          check=False)
    *err, report = done.stderr.splitlines()
    return done.stdout, "".join(f"{line}\n" for line in err), json.loads(report)


def _typer(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def _cases(build_dir: Path) -> list[list[str]]:
    out = str(build_dir)
    return [
        ["queries"],
        ["queries", "agreements-between"],
        ["stats", out],
        ["stats", "--json", str(build_dir / "store")],
        ["query", out, "ASK {}"],
        ["query", out, "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l", "-F", "csv"],
        ["query", "--store", out, "--format=json", "--limit", "2",
         "SELECT ?s WHERE { ?s a bkg:Country } ORDER BY ?s"],
        ["query", out, "--saved", "agreements-between", "-p", "a=KGZ", "--param", "b=jpn"],
        ["query", out, "SELECT ?x WHERE {"],  # a syntax error: exit 2 and one line
        ["stats", str(build_dir / "nothing-here")],
    ]


@pytest.mark.parametrize("index", range(10))
def test_light_commands_import_no_heavy_module_and_answer_as_typer_does(build_dir, index) -> None:
    args = _cases(build_dir)[index]
    stdout, stderr, report = _fresh("console", *args)
    assert report["heavy"] == []
    assert report["typer"] is False, "a plain command line does not need Typer at all"
    expected = _typer(*args)
    assert report["code"] == expected.exit_code
    assert stdout == expected.stdout
    assert stderr == expected.stderr


def test_the_answers_are_the_real_ones(build_dir) -> None:
    out = str(build_dir)
    assert _fresh("console", "query", out, "ASK {}")[0] == "true\n"
    table = dict(line.split() for line in _fresh("console", "stats", out)[0].splitlines()
                 if not line.startswith("named"))
    assert (table["documents"], table["Country"], table["triples"]) == ("2", "6", "161")
    listing, note, _ = _fresh("console", "queries")
    assert any(line.startswith("agreements-between ") for line in listing.splitlines())
    assert "Run one: bkg query DIR --saved NAME" in note
    version, _, report = _fresh("console", "--version")
    assert version.startswith("bkg (bilateral-kg) ") and report["code"] == 0


def test_python_m_kg_cli_takes_the_same_light_path(build_dir) -> None:
    """`python -m kg.cli` (and a `bkg` script made for kg.cli:app) imports Typer, but not
    pydantic: the command line is still read by kg.console."""
    stdout, _, report = _fresh("cli", "stats", str(build_dir))
    assert report["heavy"] == [] and report["code"] == 0
    assert stdout == _typer("stats", str(build_dir)).stdout


@pytest.mark.parametrize("args, code, words", [
    (["query", "--help"], 0, ["--store", "--file", "--format", "--saved", "union"]),
    (["stats", "--help"], 0, ["--json"]),
    (["queries", "--help"], 0, ["saved queries"]),
    (["query", "OUT", "--limit", "x", "ASK {}"], 2, ["--limit"]),  # Typer's own usage error
    (["query", "OUT", "--bogus", "ASK {}"], 2, ["--bogus"]),
    (["stats"], 2, ["Usage: bkg stats", "Missing argument"]),
])
def test_what_is_not_a_plain_command_line_goes_to_typer(args, code, words) -> None:
    stdout, stderr, report = _fresh("console", *args)
    assert report["code"] == code
    assert report["typer"] is True
    for word in words:
        assert word in stdout + stderr
    expected = _typer(*args)
    assert (stdout, stderr) == (expected.stdout, expected.stderr)


def _declared(func) -> tuple[dict, list, dict]:
    """(options, positionals, defaults) as kg.cli's Typer declarations of ``func`` say."""
    kinds = {"str": "str", "Path": "path", "int": "int", "float": "float", "bool": "flag",
             "list[str]": "list"}
    options: dict = {}
    positionals: list = []
    defaults: dict = {}
    for name, parameter in inspect.signature(func).parameters.items():
        info = parameter.default
        text = str(parameter.annotation).replace(" ", "")
        text = text.removeprefix("Optional[").removesuffix("]") if text.startswith("Optional[") else text
        kind = kinds[text.removesuffix("|None")]
        defaults[name] = info.default
        if isinstance(info, ArgumentInfo):
            positionals.append((name, kind))
        else:
            assert isinstance(info, OptionInfo)
            assert info.callback is None and info.min is None and info.max is None
            for decl in info.param_decls:
                options[decl] = (name, kind)
    return options, positionals, defaults


@pytest.mark.parametrize("name, func", [("query", cli.query_command), ("stats", cli.stats_command),
                                        ("queries", cli.queries_command)])
def test_the_light_table_is_what_kg_cli_declares(name, func) -> None:
    _, options, positionals, defaults = console.LIGHT[name]
    assert (options, positionals, defaults) == _declared(func)


def test_the_light_modules_import_without_rdflib() -> None:
    code = ("import sys, kg, kg.console, kg.prefixes, kg.store, kg.queries, kg.guard; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def test_plain_prefixes_are_rdflibs() -> None:
    from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

    from kg import namespaces, prefixes

    assert namespaces.PREFIXES is prefixes.PREFIXES
    assert dict(prefixes.PREFIXES) == {
        "bkg": str(namespaces.BKG), "rdf": str(RDF), "rdfs": str(RDFS), "skos": str(SKOS),
        "prov": str(PROV), "dcterms": str(DCTERMS), "owl": str(OWL), "xsd": str(XSD),
        "id": str(namespaces.ID), "wd": str(namespaces.WD), "oa": str(namespaces.OA),
    }


def test_stats_counts_inside_pyoxigraph_match_every_quad_read() -> None:
    a, b, c = (pyoxigraph.NamedNode(f"http://example.org/{x}") for x in "abc")
    g1, g2 = pyoxigraph.NamedNode("http://example.org/g1"), pyoxigraph.NamedNode("http://example.org/g2")
    store = pyoxigraph.Store()
    for quad in [(a, b, c, g1), (a, b, c, g2), (a, b, a, g2), (c, b, c)]:  # the last: default graph only
        store.add(pyoxigraph.Quad(*quad))
    quads = list(store.quads_for_pattern(None, None, None, None))
    numbers = stats(store)
    assert numbers["triples"] == len({(q.subject, q.predicate, q.object) for q in quads}) == 3
    assert numbers["quads"] == sum(not isinstance(q.graph_name, pyoxigraph.DefaultGraph)
                                   for q in quads) == 3
    assert numbers["graphs"] == 2
