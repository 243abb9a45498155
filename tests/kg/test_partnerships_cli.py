"""`bkg partnerships BUILD [COUNTRY]` and the saved query `partnerships`: each pair's ladder over time."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kg.cli import app

FIRST = (
    "日本国とモンゴル国との間の包括的パートナーシップに関する共同声明\n\n"
    "2019年4月2日、日本国総理大臣とモンゴル国大統領は東京で会談を行った。\n\n"
    "両首脳は、二国間関係を包括的パートナーシップとして構築した。\n"
)
SECOND = (
    "日・モンゴル首脳会談\n\n"
    "2024年6月3日、日本国総理大臣はモンゴル国首相と会談を行った。\n\n"
    "両首脳は、日・モンゴル関係を特別な戦略的パートナーシップに格上げすることを決定した。\n\n"
    "両首脳は、日本とチリの戦略的パートナーシップにも言及した。\n"
)
FORMULA = (
    "=日本とペルーの共同声明\n\n"
    "2020年1月5日、両首脳は、日本とペルーとの間の包括的パートナーシップを再確認した。\n"
)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory, nlp):
    from kg.build import build

    src = tmp_path_factory.mktemp("partnership-src")
    (src / "a_first.txt").write_text(FIRST, encoding="utf-8")
    (src / "b_second.txt").write_text(SECOND, encoding="utf-8")
    (src / "=c_formula.txt").write_text(FORMULA, encoding="utf-8")  # a file name like a formula
    out = tmp_path_factory.mktemp("partnership-out")
    build([src], out, nlp=nlp, progress=False)
    return out


def run(*args: str):
    result = CliRunner().invoke(app, ["partnerships", *map(str, args)])
    return result


def test_json_rows_give_the_ladder_of_a_pair_in_date_order(build_dir):
    result = run(build_dir, "MNG", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["partners"] for r in rows} == {"JPN-MNG"}
    dated = [(r["date"], r["level"], r["status"]) for r in rows if r["date"]]
    assert ("2019-04-02", "comprehensive", "established") in dated
    assert ("2024-06-03", "special-strategic", "upgraded") in dated
    assert dated == sorted(dated)
    upgraded = next(r for r in rows if r["status"] == "upgraded")
    assert upgraded["written"] == "特別な戦略的パートナーシップ"
    assert upgraded["rank"] > next(r for r in rows if r["status"] == "established")["rank"]
    assert upgraded["documents"] == "b_second.txt"


def test_without_a_country_every_pair(build_dir):
    result = run(build_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    pairs = {r["partners"] for r in json.loads(result.output)}
    assert {"JPN-MNG", "CHL-JPN", "JPN-PER"} <= pairs


def test_table_groups_rows_by_pair(build_dir):
    result = run(build_dir, "モンゴル")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "JPN-MNG"
    assert any("2024-06-03" in line and "→ special-strategic" in line and "upgraded" in line for line in lines)
    assert "CHL-JPN" not in result.output


def test_csv_cells_are_spreadsheet_safe(build_dir):
    result = run(build_dir, "PER", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and all(r["partners"] == "JPN-PER" for r in rows)
    assert {r["status"] for r in rows} >= {"reaffirmed"}
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())
    assert {r["documents"] for r in rows} == {"'=c_formula.txt"}  # neutralized, not dropped


def test_bad_arguments(build_dir, tmp_path):
    assert run(build_dir, "--format", "xml").exit_code == 2
    assert run(build_dir, "XXQ").exit_code == 2
    assert run(tmp_path).exit_code == 2  # no build there
