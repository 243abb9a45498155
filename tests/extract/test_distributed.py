"""``bkg build --workers N`` / ``--scheduler ADDRESS``: extraction on a Dask cluster gives the same
bytes as a local build, shares the caches as a local build does, and fails clearly and at once
when the cluster cannot be reached (issue 11)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"
#: Three of the sample corpus's documents, the smaller ones (two workers share them unevenly:
#: one of them gets two documents).
DOCUMENTS = [
    CORPUS / "2022-12-24_ca-jad_9th-foreign-ministers_joint-statement.txt",
    CORPUS / "2025-09_kgz-country-brief_relations.md",
    CORPUS / "2025-12-20_ca-jad_summit_tokyo-declaration.txt",
]


def _children() -> set[int]:
    """This process's descendants, but Python's own multiprocessing resource tracker (started with
    the first spawned process, it lives as long as this process does)."""
    import psutil

    pids = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if not any("multiprocessing.resource_tracker" in part for part in child.cmdline()):
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return pids


def _closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _parse_entries(cache: Path) -> int:
    return sum(1 for _ in cache.glob("*/*/*.spacy"))


def test_a_two_worker_build_is_byte_identical_to_a_local_build(nlp, tmp_path):
    import psutil

    from kg.build import build

    local = build(DOCUMENTS, tmp_path / "local", nlp=nlp, progress=False, cache_dir=tmp_path / "cache-local",
                  processes=1)
    before = _children()
    dask = build(DOCUMENTS, tmp_path / "dask", progress=False, cache_dir=tmp_path / "cache-dask", workers=2)
    # the LocalCluster is stopped when the extraction is done: no worker process is left behind
    left = [psutil.Process(pid) for pid in _children() - before if psutil.pid_exists(pid)]
    alive = psutil.wait_procs(left, timeout=30)[1]
    assert not alive, [p.cmdline() for p in alive]

    assert (local.extracted, local.cached) == (3, 0)
    assert (dask.extracted, dask.cached, dask.processes) == (3, 0, 2)
    assert not dask.errors and dask.documents == local.documents == 3
    assert dask.triples == local.triples > 0
    assert (tmp_path / "dask" / "kg.trig").read_bytes() == (tmp_path / "local" / "kg.trig").read_bytes()
    assert (tmp_path / "dask" / "graph.html").read_bytes() == (tmp_path / "local" / "graph.html").read_bytes()

    # the workers filled the parse cache given to the build, as the local build filled its own
    assert _parse_entries(tmp_path / "cache-dask") == _parse_entries(tmp_path / "cache-local") > 0
    # and the client the fact cache: the same build again sends nothing out and starts no cluster
    again = build(DOCUMENTS, tmp_path / "dask", progress=False, cache_dir=tmp_path / "cache-dask", workers=2)
    assert (again.extracted, again.cached, again.processes) == (0, 3, 0)
    assert set(again.unchanged) >= {"kg.trig", "graph.html"}
    assert not _children() - before


def test_an_unreachable_scheduler_is_named_at_once_and_nothing_is_written(tmp_path):
    import dask
    import distributed  # noqa: F401 - its settings must be loaded before one is changed (and restored)
    from typer.testing import CliRunner

    from kg.cli import app

    address = f"tcp://127.0.0.1:{_closed_port()}"
    out = tmp_path / "out"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(app, ["build", str(DOCUMENTS[0]), "--out", str(out), "--quiet",
                                          "--cache-dir", str(tmp_path / "cache"), "--scheduler", address])
    assert result.exit_code == 2, result.output
    message = result.output.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("error: cannot reach the Dask scheduler at " + address)
    assert "Timed out" in message[0]
    assert not (out / "kg.trig").exists()
    assert not (tmp_path / "cache" / "facts").exists() or not any((tmp_path / "cache" / "facts").iterdir())


@pytest.mark.parametrize(("options", "says"), [
    (["--scheduler", "localhost"], "--scheduler localhost: not a scheduler address"),
    (["--workers", "0"], "--workers"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "not both"),
    (["--workers", "2", "--processes", "2"], "--processes is for a build on this machine"),
])
def test_bad_cluster_options_are_refused_before_anything_runs(tmp_path, options, says):
    from typer.testing import CliRunner

    from kg.cli import app

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(DOCUMENTS[0]), "--out", str(out), "--quiet",
                                      "--cache-dir", str(tmp_path / "cache"), *options])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not (out / "kg.trig").exists()


def test_the_extractor_checks_its_arguments_without_a_cluster():
    from extract.distributed import ClusterUnavailableError, DaskExtractor

    with pytest.raises(ClusterUnavailableError, match="at least 1, not 0"):
        DaskExtractor(workers=0)
    with pytest.raises(ClusterUnavailableError, match="not both"):
        DaskExtractor(scheduler="tcp://127.0.0.1:8786", workers=2)
    extractor = DaskExtractor(scheduler="tcp://127.0.0.1:8786")
    assert extractor.where == "the Dask scheduler at tcp://127.0.0.1:8786"
    with extractor:
        assert list(extractor.extract([])) == []  # nothing to extract: no connection is tried
    assert extractor.worker_count == 0


def test_a_worker_that_runs_other_rules_stops_the_build_and_the_cluster(tmp_path, monkeypatch):
    import psutil

    from extract import distributed
    from extract.structure import parse_document

    path = tmp_path / "a.txt"
    path.write_text("日本・モンゴル外相会談\n2024年5月8日\n1 両外相は、鉱物資源分野での協力を確認した。\n",
                    encoding="utf-8")
    document = parse_document(path)
    # the worker reports its own (real) versions; this client pretends to run other rules
    monkeypatch.setattr(distributed, "versions", lambda: "ja_ginza-0 rules-000000000000")
    before = _children()
    refused = r"the Dask worker at tcp://127\.0\.0\.1:\d+ runs other rules or another model than this build"
    with pytest.raises(distributed.DistributedError, match=refused), \
            distributed.DaskExtractor(workers=1, cache_dir=tmp_path / "cache", progress=False) as extractor:
        list(extractor.extract([document]))
    left = [psutil.Process(pid) for pid in _children() - before if psutil.pid_exists(pid)]
    assert not psutil.wait_procs(left, timeout=30)[1]  # the failed build stopped its cluster
