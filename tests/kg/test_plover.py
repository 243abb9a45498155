"""PLOVER export of diplomatic events (kg/plover.py, `bkg events`) on a tiny corpus built for the test."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.plover import TSV_COLUMNS, event_records, to_json, to_tsv

TEXT_A = """日本国とペルー共和国との共同声明

2021年3月4日

両首脳は、2021年3月4日に東京で会談を行った。

山田総理大臣は、ペルー共和国の改革努力を高く評価し、支持を表明した。

両首脳は、北朝鮮による弾道ミサイルの発射を強く非難した。
"""

TEXT_B = """日本国とチリ共和国との共同声明

2022年6月1日

両国は、地域情勢について深刻な懸念を表明した。

両首脳は、=港湾分野で協力していくことで一致した。
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory, nlp):
    from kg.build import build as run_build

    src = tmp_path_factory.mktemp("plover-src")
    (src / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (src / "b.txt").write_text(TEXT_B, encoding="utf-8")
    out = tmp_path_factory.mktemp("plover-out")
    run_build([src], out, nlp=nlp, progress=False)
    return out


def test_records_have_plover_field_layout(build):
    records = event_records(build)
    assert records, "no events exported"
    for r in records:
        assert list(r)[:11] == ["id", "date", "actor", "recipient", "event", "mode", "context", "event_text",
                                "text", "topic", "negated"]
        assert r["id"].startswith("bkg-") and isinstance(r["event"], list) and len(r["event"]) == 1
        assert all({"code", "name", "iri"} <= set(a) for a in (*r["actor"], *r["recipient"]))
        assert r["cite_info"]["source"] in {"a.txt", "b.txt"}
        assert r["text"] and r["event_text"][0] in r["text"]
    by_type = {r["event"][0]: r for r in records}
    assert {"CONSULT", "SUPPORT", "ACCUSE", "AGREE"} <= set(by_type)
    support = by_type["SUPPORT"]
    assert [a["code"] for a in support["actor"]] == ["JPN"]
    assert [a["code"] for a in support["recipient"]] == ["PER"]
    accuse = [r for r in records if r["event"][0] == "ACCUSE" and r["recipient"]]
    assert accuse and accuse[0]["recipient"][0]["code"] == "PRK" and accuse[0]["date"] == "2021-03-04"
    # deterministic order: by date, then document and position
    dates = [r["date"] or "" for r in records]
    assert dates == sorted(dates)


def test_filters(build):
    peru = event_records(build, country="PER")
    assert peru and all(any(a["code"] == "PER" for a in (*r["actor"], *r["recipient"])) for r in peru)
    assert all(r["cite_info"]["source"] == "a.txt" for r in peru)
    only = event_records(build, types=["accuse"])
    assert only and {r["event"][0] for r in only} == {"ACCUSE"}


def test_json_and_tsv(build):
    records = event_records(build)
    assert json.loads(to_json(records)) == records
    assert to_json(records) == to_json(event_records(build))  # byte-identical
    rows = list(csv.reader(io.StringIO(to_tsv(records)), delimiter="\t"))
    assert tuple(rows[0]) == TSV_COLUMNS and len(rows) == len(records) + 1
    text = dict(zip(rows[0], rows[1 + next(i for i, r in enumerate(records) if r["event"][0] == "AGREE")]))["text"]
    assert not text.startswith("=")
    assert to_tsv([{**records[0], "topic": "=HYPERLINK(1)"}]).split("\n")[1].split("\t")[10] == "'=HYPERLINK(1)"


def test_cli(build, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["events", str(build), "--type", "SUPPORT", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data and {r["event"][0] for r in data} == {"SUPPORT"}
    table = runner.invoke(app, ["events", str(build), "--country", "ペルー"])
    assert table.exit_code == 0 and "SUPPORT" in table.output and "PER" in table.output
    out = tmp_path / "events.tsv"
    done = runner.invoke(app, ["events", str(build), "--format", "tsv", "--out", str(out)])
    assert done.exit_code == 0 and out.read_text(encoding="utf-8").startswith("id\tdate\tevent")
    assert runner.invoke(app, ["events", str(build), "--type", "HUG"]).exit_code == 2
    bad = runner.invoke(app, ["events", str(build), "--country", "KYR"])
    assert bad.exit_code == 2 and "KGZ" in bad.output


def test_saved_queries(build):
    from kg.queries import run_saved
    from kg.store import open_store

    store = open_store(build / "store")
    accused = list(run_saved(store, "condemned-by-year", {"country": "JPN"}))
    assert any(row["year"].value == "2021" and "非難" in row["predicate"].value for row in accused)
    supported = list(run_saved(store, "supported-by", {}))  # Japan by default
    assert any(row["target"] is not None and row["target"].value == "ペルー" for row in supported)
    assert list(run_saved(store, "supported-by", {"country": "CHL"})) == []
