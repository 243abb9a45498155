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
        check=False,
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
        check=False,
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


# --- limits: time, rows, nesting, federation (the hardening issue, "Command line and HTTP agree") ---

# Slow on purpose: four copies of every triple joined. COUNT blocks inside the engine (no row comes
# out before the end) yet keeps its memory flat; ORDER BY blocks too, and grows (~0.5 GB a second
# here), so its process gets an address-space cap and a short --timeout.
RUNAWAY_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
RUNAWAY_SORTED = (
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
)
# `python -m kg.cli`, its address space capped at 8 GB: a runaway sort must not take the machine
# down if --timeout failed (it then dies of an allocation failure instead, and the test fails).
_CAPPED = (
    "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30)); "
    "sys.argv = ['bkg', *sys.argv[1:]]; runpy.run_module('kg.cli', run_name='__main__')"
)
BKG = [sys.executable, "-c", _CAPPED]


def _bkg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*BKG, *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, check=False)


@pytest.mark.parametrize("sparql", [RUNAWAY_COUNT, RUNAWAY_SORTED], ids=["count", "order-by"])
def test_timeout_stops_a_runaway_query(build_dir, sparql) -> None:
    import time

    start = time.monotonic()
    done = _bkg("query", str(build_dir), sparql, "--timeout", "1")
    elapsed = time.monotonic() - start
    assert done.returncode == 124, done.stderr
    assert done.stderr.splitlines() == [
        ("error: the query ran longer than 1 s and was stopped; make it more specific or raise "
         "--timeout")
    ]
    assert done.stdout == ""
    assert elapsed < 15, elapsed  # 1 s plus start-up, generously


def test_default_timeout_is_the_servers(run) -> None:
    from kg.server import ServerConfig

    help_text = run("query", "--help").stdout
    assert ServerConfig.__dataclass_fields__["timeout"].default == 30.0
    assert ServerConfig.__dataclass_fields__["limit"].default == 10000
    assert "default: 30" in help_text.replace("30.0", "30")
    assert "10000" in help_text


def test_timeout_applies_to_saved_queries(run, build_dir, monkeypatch) -> None:
    # Through CliRunner the abandoned thread is left to finish: make it a sleep, not a join.
    import time

    import kg.store

    real_query = kg.store.query

    def slow_query(*args, **kwargs):
        time.sleep(3)
        return real_query(*args, **kwargs)

    monkeypatch.setattr(kg.store, "query", slow_query)
    result = run("query", str(build_dir), "--saved", "visits", "--timeout", "0.5")
    assert result.exit_code == 124
    assert "ran longer than 0.5 s and was stopped" in result.stderr
    assert result.stdout == ""


def _wait_until_running(proc: subprocess.Popen, seconds: float = 60) -> None:
    """Until the child has opened the store and started the query thread (so Python's SIGINT
    handler is in place): more than one thread in /proc, then a little more."""
    import time

    status = Path(f"/proc/{proc.pid}/status")
    end = time.monotonic() + seconds
    while time.monotonic() < end and proc.poll() is None:
        if not status.exists():  # not Linux: just give it time
            time.sleep(5)
            break
        threads = [line for line in status.read_text().splitlines() if line.startswith("Threads:")]
        if threads and int(threads[0].split()[1]) > 1:
            break
        time.sleep(0.05)
    time.sleep(0.5)


@pytest.mark.parametrize("extra", [[], ["--timeout", "0"]], ids=["default", "no-time-limit"])
def test_ctrl_c_stops_a_running_query_at_once(build_dir, extra) -> None:
    import signal
    import time

    proc = subprocess.Popen(
        [*BKG, "query", str(build_dir), RUNAWAY_COUNT, *extra], cwd=ROOT, text=True,
        encoding="utf-8", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        _wait_until_running(proc)
        assert proc.poll() is None, proc.communicate()
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        waited = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert waited < 10, waited  # it takes milliseconds; before, Ctrl-C waited for the query
    assert err.splitlines() == ["interrupted: the query was stopped"]
    assert "Traceback" not in err and out == ""


def test_deep_nesting_is_refused_not_a_crash(build_dir, tmp_path) -> None:
    # pyoxigraph's recursive parser overflowed its stack on this (exit 139, a segfault)
    nested = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    done = _bkg("query", str(build_dir), nested)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert done.stderr.splitlines() == [
        "error: query refused: the query nests brackets more than 100 deep; simplify it"
    ]
    rq = tmp_path / "deep.rq"
    rq.write_text(nested, encoding="utf-8")
    from_file = _bkg("query", str(build_dir), "--file", str(rq))
    assert from_file.returncode == 2 and from_file.stderr == done.stderr


def test_service_is_refused_unless_allowed(run, build_dir) -> None:
    import socket

    with socket.socket() as s:  # a local port nobody listens on: nothing leaves the machine
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/sparql"
    sparql = f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}"
    refused = run("query", str(build_dir), sparql)
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"error: query refused: federated queries are off: SERVICE <{endpoint}> is not allowed "
        "(allow an endpoint with --allow-service URL)"
    )
    other = run("query", str(build_dir), sparql, "--allow-service", "http://example.org/sparql")
    assert other.exit_code == 2 and "is not allowed" in other.stderr
    allowed = run("query", str(build_dir), sparql, "--allow-service", endpoint, "-F", "csv")
    assert allowed.exit_code == 0, allowed.output  # SILENT: the unreachable endpoint gives a row
    loud = run("query", str(build_dir), sparql.replace("SILENT ", ""), "--allow-service", endpoint)
    assert loud.exit_code == 1 and loud.stderr.startswith("error: the query failed:")
    bad = run("query", str(build_dir), sparql, "--allow-service", "not a url")
    assert bad.exit_code == 2 and "--allow-service takes an endpoint URL" in bad.stderr


def test_limit_truncates_with_a_note(run, build_dir) -> None:
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    full = run("query", str(build_dir), everything, "-F", "csv", "--limit", "0")
    assert full.exit_code == 0 and full.stderr == ""
    total = len(full.stdout.splitlines()) - 1
    assert total > 5

    cut = run("query", str(build_dir), everything, "--limit", "5")
    assert cut.exit_code == 0, cut.output
    assert cut.stdout.splitlines()[-1] == "(5 rows)"
    assert cut.stderr.splitlines() == [
        "note: the answer was cut at 5 rows (--limit 5); raise --limit, or 0 for no limit"
    ]
    as_json = run("query", str(build_dir), everything, "-F", "json", "--limit", "2")
    assert len(json.loads(as_json.stdout)["results"]["bindings"]) == 2
    as_tsv = run("query", str(build_dir), everything, "-F", "tsv", "--limit", "3").stdout
    assert len(as_tsv.splitlines()) == 4

    exact = run("query", str(build_dir), everything, "-F", "csv", "--limit", str(total))
    assert exact.stdout == full.stdout and exact.stderr == ""  # nothing left out, no note

    graph = run("query", str(build_dir), "CONSTRUCT WHERE { ?s ?p ?o }", "--limit", "3")
    assert graph.exit_code == 0
    assert "cut at 3 triples" in graph.stderr
    import pyoxigraph as ox

    assert len(list(ox.parse(graph.stdout.encode(), format=ox.RdfFormat.TURTLE))) == 3


def test_bad_limits_are_usage_errors(run, build_dir) -> None:
    for args, message in [(("--timeout", "-1"), "--timeout must be"),
                          (("--limit", "-5"), "--limit must be")]:
        result = run("query", str(build_dir), "ASK {}", *args)
        assert result.exit_code == 2 and message in result.stderr


# --- saved-query parameters -------------------------------------------------------------------


def test_unknown_country_code_names_the_nearest(run, build_dir) -> None:
    result = run("query", str(build_dir), "--saved", "agreements-between", "-p", "a=JPN",
                 "-p", "b=KYR")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: parameter 'b': KYR is not a known country code")
    assert "nearest: KGZ (Kyrgyzstan, キルギス)" in line
    assert result.stdout == ""


def test_repeated_param_is_an_error(run, build_dir) -> None:
    result = run("query", str(build_dir), "--saved", "programs-of-country",
                 "--param", "country=KAZ", "--param", "country=KGZ")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --param country given twice"


@pytest.mark.parametrize(
    "value",
    ["kgz", "id:country/KGZ", "https://w3id.org/bilateral-kg/id/country/KGZ",
     "<https://w3id.org/bilateral-kg/id/country/KGZ>", "country/KGZ", "キルギス", "Kyrgyzstan"],
)
def test_country_params_accept_what_people_type(run, build_dir, value) -> None:
    expected = run("query", str(build_dir), "--saved", "agreements-between", "-p", "a=JPN",
                   "-p", "b=KGZ", "-F", "csv")
    assert expected.exit_code == 0 and len(expected.stdout.splitlines()) == 3
    got = run("query", str(build_dir), "--saved", "agreements-between", "-p", "a=JPN",
              "-p", f"b={value}", "-F", "csv")
    assert got.exit_code == 0, got.output
    assert got.stdout == expected.stdout


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["series="], "parameter 'series': empty value"),
        (["series=「」"], "nothing left to match"),
        (["nope=1"], "unknown parameter 'nope'"),
        (["series"], "--param expects NAME=VALUE"),
    ],
)
def test_bad_params_are_one_line_errors(run, build_dir, params, message) -> None:
    args = [a for p in params for a in ("-p", p)]
    result = run("query", str(build_dir), "--saved", "meetings-of-series", *args)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert message in line


def test_param_without_saved_is_an_error(run, build_dir) -> None:
    result = run("query", str(build_dir), "ASK {}", "--param", "a=JPN")
    assert result.exit_code == 2 and "--param is for a saved query" in result.stderr


def test_help_lists_the_limits(run) -> None:
    text = run("query", "--help").stdout
    for word in ("--timeout", "--limit", "--allow-service", "124", "130", "Ctrl-C"):
        assert word in text, word


@pytest.mark.model
def test_limits_and_params_on_the_corpus_build(corpus_build) -> None:
    unknown = _bkg("query", str(corpus_build), "--saved", "timeline-pair", "-p", "a=JPN",
                   "-p", "b=KYR")
    assert unknown.returncode == 2 and "nearest: KGZ (Kyrgyzstan" in unknown.stderr
    known = _bkg("query", str(corpus_build), "--saved", "timeline-pair", "-p", "a=JPN",
                 "-p", "b=id:country/KGZ", "-F", "csv", "--limit", "1")
    assert known.returncode == 0, known.stderr
    assert len(known.stdout.splitlines()) == 2
    assert "cut at 1 rows" in known.stderr
    slow = _bkg("query", str(corpus_build), RUNAWAY_COUNT, "--timeout", "1")
    assert slow.returncode == 124 and "ran longer than 1 s" in slow.stderr
