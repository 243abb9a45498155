"""World knowledge as data: countries, organizations and titles of office.

The tables live in ``data/gazetteer/*.tsv`` (see the README there) and are validated when they
are loaded: a bad row raises ``ValueError`` naming the file, the line and the problem.

>>> gaz = load_gazetteer()
>>> gaz.country_by_name("キルギス共和国").iso3
'KGZ'
>>> gaz.country_by_abbr("米").iso3
'USA'
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .resources import data_dir

__all__ = ["GAZETTEER_DIR", "Country", "Gazetteer", "Organization", "Title", "load_gazetteer", "load_regions"]

GAZETTEER_DIR = data_dir() / "gazetteer"

_COUNTRY_COLUMNS = ["iso3", "wikidata", "name_en", "name_ja", "name_ja_official", "abbr_ja", "aliases_ja", "region"]
_ORG_COLUMNS = ["name_ja", "name_en", "aliases", "country", "kind", "wikidata"]
_TITLE_COLUMNS = ["title_ja", "title_en", "kind"]
_ORG_KINDS = {"ministry", "agency", "bank", "international", "company", "parliament", "embassy", "other"}
_TITLE_KINDS = {"head_of_state", "head_of_government", "minister", "deputy", "legislator", "diplomat",
                "official", "royal", "other"}
_ISO3 = re.compile(r"[A-Z]{3}")
_QID = re.compile(r"Q\d+")


def _norm(text: str) -> str:
    """Width-, case- and ・-insensitive form used for lookups."""
    return re.sub(r"[\s・･=＝]", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Country:
    iso3: str
    wikidata: str | None
    name_en: str
    name_ja: str
    name_ja_official: str
    abbr_ja: str | None
    aliases_ja: tuple[str, ...]
    region: str | None

    @property
    def names_ja(self) -> tuple[str, ...]:
        """Every Japanese written form (short, official, aliases), longest first."""
        forms = {self.name_ja, self.name_ja_official, *self.aliases_ja} - {""}
        return tuple(sorted(forms, key=lambda f: (-len(f), f)))


@dataclass(frozen=True)
class Organization:
    name_ja: str
    name_en: str | None
    aliases: tuple[str, ...]
    country: str | None
    kind: str
    wikidata: str | None


@dataclass(frozen=True)
class Title:
    title_ja: str
    title_en: str | None
    kind: str


@dataclass(frozen=True)
class Gazetteer:
    countries: tuple[Country, ...]
    organizations: tuple[Organization, ...]
    titles: tuple[Title, ...]
    _by_iso3: dict[str, Country] = field(default_factory=dict, repr=False, compare=False, hash=False)
    _by_name: dict[str, Country] = field(default_factory=dict, repr=False, compare=False, hash=False)
    _by_abbr: dict[str, Country] = field(default_factory=dict, repr=False, compare=False, hash=False)
    _orgs: dict[str, Organization] = field(default_factory=dict, repr=False, compare=False, hash=False)
    _titles: dict[str, Title] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def __hash__(self) -> int:  # cached rule tables key on the gazetteer
        return id(self)

    def country(self, iso3: str) -> Country:
        return self._by_iso3[iso3]

    def country_by_name(self, name: str) -> Country | None:
        return self._by_name.get(_norm(name))

    def country_by_abbr(self, abbr: str) -> Country | None:
        return self._by_abbr.get(abbr)

    def organization_by_name(self, name: str) -> Organization | None:
        return self._orgs.get(_norm(name))

    def title(self, text: str) -> Title | None:
        return self._titles.get(text)

    def countries_in_region(self, region: str) -> tuple[Country, ...]:
        return tuple(c for c in self.countries if c.region == region)


def _rows(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        if reader.fieldnames != columns:
            raise ValueError(f"{path}:1: expected the columns {columns}, found {reader.fieldnames}")
        return [(n, {k: (v or "").strip() for k, v in row.items()}) for n, row in enumerate(reader, start=2)]


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _countries(path: Path) -> tuple[Country, ...]:
    out: list[Country] = []
    seen: dict[str, str] = {}
    for n, row in _rows(path, _COUNTRY_COLUMNS):
        if not _ISO3.fullmatch(row["iso3"]):
            raise ValueError(f"{path}:{n}: iso3 must be three upper-case letters, got {row['iso3']!r}")
        if row["wikidata"] and not _QID.fullmatch(row["wikidata"]):
            raise ValueError(f"{path}:{n}: wikidata must look like Q123, got {row['wikidata']!r}")
        if not row["name_ja"]:
            raise ValueError(f"{path}:{n}: name_ja is empty")
        country = Country(
            iso3=row["iso3"], wikidata=row["wikidata"] or None, name_en=row["name_en"],
            name_ja=row["name_ja"], name_ja_official=row["name_ja_official"] or row["name_ja"],
            abbr_ja=row["abbr_ja"] or None, aliases_ja=_split(row["aliases_ja"]), region=row["region"] or None,
        )
        if country.iso3 in seen.values():
            raise ValueError(f"{path}:{n}: {country.iso3} appears twice")
        for form in country.names_ja:
            other = seen.get(_norm(form))
            if other and other != country.iso3:
                raise ValueError(f"{path}:{n}: {form!r} names both {other} and {country.iso3}")
            seen[_norm(form)] = country.iso3
        out.append(country)
    return tuple(out)


def _organizations(path: Path) -> tuple[Organization, ...]:
    out = []
    for n, row in _rows(path, _ORG_COLUMNS):
        if not row["name_ja"]:
            raise ValueError(f"{path}:{n}: name_ja is empty")
        if row["kind"] not in _ORG_KINDS:
            raise ValueError(f"{path}:{n}: kind must be one of {sorted(_ORG_KINDS)}, got {row['kind']!r}")
        if row["country"] and not _ISO3.fullmatch(row["country"]):
            raise ValueError(f"{path}:{n}: country must be an ISO3 code or empty, got {row['country']!r}")
        if row["wikidata"] and not _QID.fullmatch(row["wikidata"]):
            raise ValueError(f"{path}:{n}: wikidata must look like Q123, got {row['wikidata']!r}")
        aliases = tuple(a for a in _split(row["aliases"]) if a != row["name_ja"])
        out.append(Organization(row["name_ja"], row["name_en"] or None, aliases, row["country"] or None,
                                row["kind"], row["wikidata"] or None))
    return tuple(out)


def _titles(path: Path) -> tuple[Title, ...]:
    out = []
    for n, row in _rows(path, _TITLE_COLUMNS):
        if not row["title_ja"] or row["kind"] not in _TITLE_KINDS:
            raise ValueError(f"{path}:{n}: a title needs title_ja and a kind in {sorted(_TITLE_KINDS)}")
        out.append(Title(row["title_ja"], row["title_en"] or None, row["kind"]))
    return tuple(out)


@lru_cache(maxsize=4)
def load_gazetteer(directory: Path | None = None) -> Gazetteer:
    """Load and validate the gazetteer tables (default: the repository's ``data/gazetteer``)."""
    directory = Path(directory) if directory else GAZETTEER_DIR
    countries = _countries(directory / "countries.tsv")
    organizations = _organizations(directory / "organizations.tsv")
    titles = _titles(directory / "titles.tsv")
    gaz = Gazetteer(countries, organizations, titles)
    for c in countries:
        gaz._by_iso3[c.iso3] = c
        gaz._by_name[_norm(c.name_en)] = c
        for form in c.names_ja:
            gaz._by_name[_norm(form)] = c
        if c.abbr_ja:
            gaz._by_abbr[c.abbr_ja] = c
    for org in organizations:
        for form in (org.name_ja, *org.aliases, *([org.name_en] if org.name_en else [])):
            gaz._orgs.setdefault(_norm(form), org)
    for t in titles:
        gaz._titles[t.title_ja] = t
    return gaz


@lru_cache(maxsize=1)
def load_regions() -> dict[str, tuple[str, tuple[str, ...]]]:
    """``regions.tsv``: name_ja → (UN M49 sub-region, listed member ISO3 codes if given), longest
    name first (バルト → ("Northern Europe", ("EST", "LVA", "LTU")))."""
    path = GAZETTEER_DIR / "regions.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for row in sorted(rows, key=lambda r: -len(r.get("name_ja") or "")):
        if not row.get("name_ja") or not row.get("region"):
            raise ValueError(f"{path}: a region needs name_ja and region (row {row})")
        members = tuple(c for c in (row.get("members") or "").split("|") if c)
        bad = [c for c in members if not _ISO3.fullmatch(c)]
        if bad:
            raise ValueError(f"{path}: members must be ISO3 codes, got {bad}")
        out[row["name_ja"]] = (row["region"], members)
    return out
