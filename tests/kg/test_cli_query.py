"""``bkg query`` and ``bkg stats`` on a real on-disk build of the hand-made corpus."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from factories import corpus
from typer.testing import CliRunner

from kg.cli import app
from kg.rdf import build_graph
from kg.store import write_store

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = """SELECT ?label ?date WHERE {
  ?a a bkg:Agreement ; rdfs:label ?label ; bkg:party <https://w3id.org/bilateral-kg/id/country/KGZ> .
  OPTIONAL { ?a bkg:date ?date }
} ORDER BY ?date"""


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli-build")
    write_store(build_graph(corpus()), out)
    return out


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input)

    return invoke


def test_query_positional_dir(run, build_dir) -> None:
    result = run("query", str(build_dir), EXAMPLE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["label", "date"]
    assert "二国間クレジット制度（JCM）に関する協力覚書" in lines[3]
    assert lines[-1] == "(2 rows)"


def test_query_store_option_and_store_subfolder(run, build_dir) -> None:
    a = run("query", "--store", str(build_dir), EXAMPLE)
    b = run("query", "--store", str(build_dir / "store"), EXAMPLE)
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout


def test_query_from_file_and_stdin(run, build_dir, tmp_path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("# agreements with Kyrgyzstan\n" + EXAMPLE, encoding="utf-8")
    from_file = run("query", str(build_dir), "--file", str(rq), "--format", "csv")
    assert from_file.exit_code == 0, from_file.output
    table = list(csv.reader(io.StringIO(from_file.stdout)))
    assert table[0] == ["label", "date"]
    assert [row[1] for row in table[1:]] == ["2023", "2023-07-06"]

    with_store = run("query", "-s", str(build_dir), "-f", str(rq), "-F", "csv")
    assert with_store.stdout == from_file.stdout

    from_stdin = run("query", str(build_dir), "--file", "-", "--format", "csv", input=EXAMPLE)
    assert from_stdin.stdout == from_file.stdout


def test_query_formats(run, build_dir) -> None:
    as_json = json.loads(run("query", str(build_dir), EXAMPLE, "--format", "json").stdout)
    assert as_json["head"]["vars"] == ["label", "date"]
    assert len(as_json["results"]["bindings"]) == 2
    as_tsv = run("query", str(build_dir), EXAMPLE, "--format", "tsv").stdout
    assert as_tsv.splitlines()[0] == "?label\t?date"
    assert run("query", str(build_dir), "ASK { ?v a bkg:Visit }").stdout.strip() == "true"
    turtle = run(
        "query", str(build_dir), "CONSTRUCT { ?c bkg:iso3 ?i } WHERE { ?c bkg:iso3 ?i }"
    ).stdout
    assert '<https://w3id.org/bilateral-kg/id/country/KGZ> bkg:iso3 "KGZ"' in turtle


def test_query_syntax_error_is_a_message_not_a_traceback(run, build_dir) -> None:
    result = run("query", str(build_dir), "SELEC ?x WHERE { ?x ?y ?z }")
    assert result.exit_code == 2
    assert "SPARQL syntax error" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "which graph"),
        (("DIR",), "no query"),
        (("DIR", "ASK {}", "--file", "q.rq"), "not both"),
        (("DIR", "ASK {}", "--format", "xml"), "--format must be one of"),
        (("DIR", "   "), "empty"),
        (("--store", "DIR", "ASK {}", "extra"), "unexpected argument"),
    ],
)
def test_query_usage_errors(run, build_dir, args, message) -> None:
    args = tuple(str(build_dir) if a == "DIR" else a for a in args)
    result = run("query", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_query_missing_store(run, tmp_path) -> None:
    result = run("query", str(tmp_path / "nope"), "ASK {}")
    assert result.exit_code == 2
    assert f"no store at {tmp_path / 'nope'}" in result.stderr
    assert "bkg build SOURCE --out" in result.stderr


def test_query_missing_file(run, build_dir, tmp_path) -> None:
    result = run("query", str(build_dir), "--file", str(tmp_path / "missing.rq"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_stats_table_and_json(run, build_dir) -> None:
    table = run("stats", str(build_dir))
    assert table.exit_code == 0, table.output
    lines = dict(line.rsplit(None, 1) for line in table.stdout.splitlines())
    assert lines["documents"] == "2" and lines["Person"] == "3" and lines["named graphs"] == "2"
    numbers = json.loads(run("stats", str(build_dir), "--json").stdout)
    assert numbers["entities"]["Agreement"] == 3
    assert numbers["passages"] == 8


def test_stats_missing_store(run, tmp_path) -> None:
    result = run("stats", str(tmp_path))
    assert result.exit_code == 2
    assert "no store at" in result.stderr


def test_help_texts(run) -> None:
    q = run("query", "--help")
    assert q.exit_code == 0
    for word in ("--store", "--file", "--format", "union"):
        assert word in q.stdout
    assert run("stats", "--help").exit_code == 0


def test_real_process(build_dir) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", str(build_dir), EXAMPLE, "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "2023-07-06" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", str(build_dir), "SELECT ?x WHERE {"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: SPARQL syntax error")
    assert "Traceback" not in bad.stderr


def test_version_and_arguments_that_make_no_sense(run, build_dir) -> None:
    version = run("--version")
    assert version.exit_code == 0 and version.output.startswith("bkg (bilateral-kg) ")
    same = run("path", str(build_dir), "KGZ", "キルギス")
    assert same.exit_code == 2 and "same entity" in same.output
    assert run("ego", str(build_dir), "KGZ", "--radius", "-1").exit_code == 2
    assert "at least 1" in run("ego", str(build_dir), "KGZ", "--radius", "0").output
    bad = run("viz", str(build_dir), "--out", str(build_dir / "v.html"), "--radius", "-1")
    assert bad.exit_code == 2 and "at least 1" in bad.output
