"""Regenerate ``countries.tsv`` from pycountry (ISO 3166 codes and Japanese names) and
country_converter's table (UN M49 sub-regions), with the overrides below for the forms Japanese
diplomatic text actually uses. Run by hand; the TSV is committed so builds need neither package::

    pip install pycountry country_converter
    python data/gazetteer/make_countries.py > data/gazetteer/countries.tsv
"""

from __future__ import annotations

import csv
import gettext
import sys
from pathlib import Path

import country_converter
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

def _wikidata() -> dict[str, str]:
    tokens = """
JPN Q17 CHN Q148 USA Q30 RUS Q159 GBR Q145 FRA Q142 DEU Q183 ITA Q38 ESP Q29 CAN Q16 AUS Q408
IND Q668 BRA Q155 MEX Q96 KOR Q884 PRK Q423 KAZ Q232 KGZ Q813 TJK Q863 TKM Q874 UZB Q265
AFG Q889 MNG Q711 VNM Q881 THA Q869 IDN Q252 PHL Q928 MYS Q833 SGP Q334 MMR Q836 KHM Q424
LAO Q819 BRN Q921 PAK Q843 BGD Q902 LKA Q854 NPL Q837 IRN Q794 IRQ Q796 SAU Q851 TUR Q43
ISR Q801 EGY Q79 ZAF Q258 NGA Q1033 KEN Q114 ETH Q115 ARG Q414 CHL Q298 PER Q419 COL Q739
UKR Q212 BLR Q184 POL Q36 NLD Q55 BEL Q31 CHE Q39 AUT Q40 SWE Q34 NOR Q20 DNK Q35 FIN Q33
PRT Q45 GRC Q41 IRL Q27 NZL Q664 GEO Q230 ARM Q399 AZE Q227 EUU Q458 TWN Q865 QAT Q846
ARE Q878 KWT Q817 OMN Q842 JOR Q810 SYR Q858 LBN Q822 YEM Q805 MAR Q1028 DZA Q262 TUN Q948
LBY Q1016 SDN Q1049 GHA Q117 SEN Q1041 TZA Q924 UGA Q1036 TLS Q574 PNG Q691 FJI Q712 CUB Q241
VEN Q717 CZE Q213 HUN Q28 ROU Q218 BGR Q219 SRB Q403 HRV Q224 SVK Q214 SVN Q215 LTU Q37
LVA Q211 EST Q191 MDA Q217 ISL Q189 LUX Q32 BTN Q917 MDV Q826 PSE Q219060 VAT Q237 XKX Q1246
""".split()
    return dict(zip(tokens[::2], tokens[1::2]))


def main() -> None:
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    table = Path(country_converter.__file__).with_name("country_data.tsv")
    with table.open(encoding="utf-8") as fh:
        cc = {row["ISO3"]: row for row in csv.DictReader(fh, delimiter="\t")}
    wikidata = _wikidata()
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
    rows.append({"iso3": "EUU", "wikidata": "Q458", "name_en": "European Union", "name_ja": "EU",
                 "name_ja_official": "欧州連合", "abbr_ja": "", "aliases_ja": "", "region": "Europe"})
    rows.append({"iso3": "XKX", "wikidata": "Q1246", "name_en": "Kosovo", "name_ja": "コソボ",
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
