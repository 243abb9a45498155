"""Regenerate ``countries.tsv`` from pycountry (ISO 3166 codes and Japanese names),
country_converter's table (UN M49 sub-regions) and the npm package @rapideditor/country-coder
(Wikidata QIDs, read by ``make_wikidata.py``, which lists the few QIDs it overrides and why), with
the overrides below for the forms Japanese diplomatic text actually uses. Run by hand; the TSV is
committed so builds need none of these packages::

    pip install pycountry country_converter
    npm install --prefix /tmp/cc @rapideditor/country-coder@5.6.1
    COUNTRY_CODER_DIR=/tmp/cc/node_modules/@rapideditor/country-coder \
        python data/gazetteer/make_countries.py > data/gazetteer/countries.tsv
    python data/patterns/make_gazetteer.py
"""

from __future__ import annotations

import csv
import gettext
import sys
from pathlib import Path

import country_converter
import make_wikidata  # beside this file
import pycountry

# MOFA-style short names, formal names, one-kanji abbreviations and other written forms.
OVERRIDES: dict[str, dict[str, str]] = {
    "JPN": {"short": "日本", "official": "日本国", "aliases": "我が国|わが国"},
    "KGZ": {"short": "キルギス", "official": "キルギス共和国", "aliases": "キルギスタン|クルグズ|クルグズスタン"},
    "KAZ": {"official": "カザフスタン共和国"},
    "TJK": {"official": "タジキスタン共和国"},
    "UZB": {"official": "ウズベキスタン共和国"},
    "TKM": {"official": "トルクメニスタン"},
    "USA": {"short": "米国", "official": "アメリカ合衆国", "abbr": "米", "aliases": "アメリカ|合衆国"},
    "GBR": {"short": "英国", "official": "グレートブリテン及び北アイルランド連合王国", "abbr": "英", "aliases": "イギリス|連合王国"},
    "RUS": {"short": "ロシア", "official": "ロシア連邦", "abbr": "露"},
    "CHN": {"short": "中国", "official": "中華人民共和国", "abbr": "中"},
    "KOR": {"short": "韓国", "official": "大韓民国", "abbr": "韓"},
    "PRK": {"short": "北朝鮮", "official": "朝鮮民主主義人民共和国"},
    "TWN": {"short": "台湾", "official": "台湾", "abbr": "台"},
    "FRA": {"official": "フランス共和国", "abbr": "仏"},
    "DEU": {"official": "ドイツ連邦共和国", "abbr": "独"},
    "ITA": {"official": "イタリア共和国", "abbr": "伊"},
    "CAN": {"abbr": "加"},
    "AUS": {"short": "オーストラリア", "official": "オーストラリア連邦", "abbr": "豪", "aliases": "豪州"},
    "IND": {"official": "インド共和国", "abbr": "印"},
    "VNM": {"official": "ベトナム社会主義共和国", "abbr": "越"},
    "PHL": {"official": "フィリピン共和国", "abbr": "比"},
    "SGP": {"official": "シンガポール共和国", "abbr": "星"},
    "IDN": {"official": "インドネシア共和国", "abbr": "尼"},
    "MYS": {"aliases": "マレイシア"},  # MOFA's spelling until 2010s documents
    "THA": {"short": "タイ", "official": "タイ王国", "abbr": "泰"},
    "MEX": {"official": "メキシコ合衆国", "abbr": "墨"},
    "BRA": {"official": "ブラジル連邦共和国", "abbr": "伯"},
    "ESP": {"official": "スペイン王国", "abbr": "西"},
    "NLD": {"short": "オランダ", "official": "オランダ王国", "abbr": "蘭"},
    "MNG": {"short": "モンゴル", "official": "モンゴル国"},
    "IRN": {"short": "イラン", "official": "イラン・イスラム共和国"},
    "SYR": {"short": "シリア", "official": "シリア・アラブ共和国"},
    "LAO": {"short": "ラオス", "official": "ラオス人民民主共和国"},
    "VEN": {"short": "ベネズエラ", "official": "ベネズエラ・ボリバル共和国"},
    "BOL": {"short": "ボリビア", "official": "ボリビア多民族国"},
    "TZA": {"short": "タンザニア", "official": "タンザニア連合共和国"},
    "MDA": {"short": "モルドバ", "official": "モルドバ共和国"},
    "CZE": {"short": "チェコ", "official": "チェコ共和国"},
    "MKD": {"short": "北マケドニア", "official": "北マケドニア共和国"},
    "PSE": {"short": "パレスチナ", "official": "パレスチナ"},
    "VAT": {"short": "バチカン", "official": "ローマ法王庁", "aliases": "聖座|ローマ教皇庁"},
    "FSM": {"short": "ミクロネシア", "official": "ミクロネシア連邦"},
    "CIV": {"short": "コートジボワール", "official": "コートジボワール共和国"},
    "COD": {"short": "コンゴ民主共和国", "official": "コンゴ民主共和国"},
    "COG": {"short": "コンゴ共和国", "official": "コンゴ共和国"},
    "GEO": {"short": "ジョージア", "official": "ジョージア", "aliases": "グルジア"},
    "TLS": {"short": "東ティモール", "official": "東ティモール民主共和国"},
    "MMR": {"short": "ミャンマー", "official": "ミャンマー連邦共和国"},
    "BLR": {"aliases": "ベラルーシー"},
    "UKR": {"short": "ウクライナ"},
    "SAU": {"short": "サウジアラビア", "official": "サウジアラビア王国"},
    "ARE": {"short": "アラブ首長国連邦", "aliases": "UAE"},
    "TUR": {"short": "トルコ", "official": "トルコ共和国", "aliases": "テュルキエ"},
    "EUU": {"short": "EU", "official": "欧州連合", "aliases": "欧州連合(EU)"},
}


def main() -> None:
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    table = Path(country_converter.__file__).with_name("country_data.tsv")
    with table.open(encoding="utf-8") as fh:
        cc = {row["ISO3"]: row for row in csv.DictReader(fh, delimiter="\t")}
    wikidata = make_wikidata.country_qids([c.alpha_3 for c in pycountry.countries] + ["EUU", "XKX"])
    make_wikidata.check(wikidata)
    rows = []
    for c in pycountry.countries:
        iso3 = c.alpha_3
        info = cc.get(iso3, {})
        short = ja.gettext(c.name).split(" (")[0]
        official = ja.gettext(c.official_name) if hasattr(c, "official_name") else short
        over = OVERRIDES.get(iso3, {})
        rows.append({
            "iso3": iso3,
            "wikidata": wikidata.get(iso3, ""),
            "name_en": getattr(c, "common_name", None) or info.get("name_short") or c.name,
            "name_ja": over.get("short", short),
            "name_ja_official": over.get("official", official),
            "abbr_ja": over.get("abbr", ""),
            "aliases_ja": "|".join(dict.fromkeys(
                a for a in (over.get("aliases", "").split("|") + [short, official])
                if a and a not in (over.get("short", short), over.get("official", official)))),
            "region": info.get("UNregion", ""),
        })
    rows.append({"iso3": "EUU", "wikidata": wikidata.get("EUU", ""), "name_en": "European Union", "name_ja": "EU",
                 "name_ja_official": "欧州連合", "abbr_ja": "", "aliases_ja": "", "region": "Europe"})
    rows.append({"iso3": "XKX", "wikidata": wikidata.get("XKX", ""), "name_en": "Kosovo", "name_ja": "コソボ",
                 "name_ja_official": "コソボ共和国", "abbr_ja": "", "aliases_ja": "", "region": "Southern Europe"})
    # a written form may name one country only: territories that share a Japanese name with
    # another (サンマルタン) keep it only as the first one; later ones fall back to the English
    taken: set[str] = set()
    for row in sorted(rows, key=lambda r: (r["region"] == "", r["iso3"])):
        if row["name_ja"] in taken:
            row["name_ja"] = row["name_en"]
        forms = [row["name_ja"], row["name_ja_official"], *row["aliases_ja"].split("|")]
        if row["name_ja_official"] in taken - {row["name_ja"]}:
            row["name_ja_official"] = row["name_ja"]
        row["aliases_ja"] = "|".join(a for a in row["aliases_ja"].split("|") if a and a not in taken)
        taken.update(f for f in forms if f)
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r["iso3"]):
        writer.writerow(row)


if __name__ == "__main__":
    main()
