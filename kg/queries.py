"""Saved SPARQL queries: the ``.rq`` files in ``kg/queries/`` and their parameters.

Each file starts with a comment header::

    # title: Agreements between two countries
    # description: Every agreement both countries are party to, by date.
    # param: a — first country (type: iso3)
    # param: b — second country (type: iso3)

followed by the query, which uses ``?a`` and ``?b`` as ordinary variables. A parameter line may end
in ``(type: iso3, optional)``; an optional parameter that is not given is left unbound and the query
is written so that it then matches everything.

Values are never pasted into the query text: :meth:`SavedQuery.bindings` turns ``country=KAZ`` into
the country IRI, ``year=2023`` into an ``xsd:integer``, a label into a normalized literal, and the
result is passed to pyoxigraph as ``substitutions`` (pyoxigraph requires each substituted variable to
be in the SELECT projection, so the saved queries project their parameters).

A value is read the way a user types it (see :data:`PARAM_TYPES`) and a value that cannot mean
anything is refused with one line saying why — so ``bkg query --saved`` and ``bkg serve``'s
``/queries/NAME?…`` (a ``400``) give the same message. A country code that is not in the
gazetteer (``data/gazetteer/countries.tsv``) is an error naming the nearest known codes, rather
than a query that silently matches nothing.

>>> q = load_saved("agreements-between")
>>> [p.name for p in q.params]
['a', 'b']
>>> q.bindings({"a": "jpn", "b": "id:country/KGZ"})["b"].value
'https://w3id.org/bilateral-kg/id/country/KGZ'
>>> q.bindings({"a": "JPN", "b": "KYR"})
Traceback (most recent call last):
...
kg.queries.SavedQueryError: parameter 'b': KYR is not a known country code (ISO 3166-1 alpha-3); nearest: KGZ (Kyrgyzstan, キルギス), KIR (Kiribati, キリバス), KOR (South Korea, 韓国), SYR (Syria, シリア)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.prefixes import PREFIXES

__all__ = [
    "PARAM_TYPES",
    "QUERY_DIR",
    "Param",
    "SavedQuery",
    "SavedQueryError",
    "list_saved",
    "load_saved",
    "nearest_countries",
    "parse_params",
    "run_saved",
]

QUERY_DIR = Path(__file__).with_name("queries")
ID_BASE = "https://w3id.org/bilateral-kg/id/"
COUNTRY_BASE = ID_BASE + "country/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

#: iso3: a country — ``KGZ``, ``kgz``, ``id:country/KGZ``, its IRI or a name in the gazetteer
#: (``キルギス``, ``Kyrgyzstan``); an unknown code is refused with the nearest known ones.
#: iri: any IRI — full, ``<…>``, prefixed with a predeclared prefix (``id:person/…``,
#: ``bkg:MoU``), or ``country/KAZ``, ``person/…`` relative to the ``id/`` namespace.
#: literal: a name, normalized like ``extract.facts.make_key``.
#: year: a four-digit year (``2023``, ``２０２３``, ``2023年``) as ``xsd:integer``.
#: entity: an IRI (as for iri), a known ISO3 code in capitals, else a name (as for literal).
PARAM_TYPES = ("iso3", "iri", "literal", "year", "entity")

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|-{1,2}|:)\s*(?P<meaning>.*?)\s*"
    r"\(\s*type\s*:\s*(?P<type>[a-z0-9]+)\s*(?P<optional>,\s*optional)?\s*\)\s*$"
)
_ISO3 = re.compile(r"^[A-Za-z]{3}$")
# A full IRI: a scheme, a colon, no spaces (pyoxigraph checks the rest).
_FULL_IRI = re.compile(r"^(?:https?|urn|file|mailto|tag|ftp):\S*$", re.IGNORECASE)
_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>\S*)$")
# KIND/…: an IRI relative to the id/ namespace; ``document`` for documents and passages.
_RELATIVE = re.compile(r"^(?P<kind>[a-z]+)/\S+$")
_ID_KINDS = (
    "country", "person", "organization", "place", "agreement", "meeting", "program", "visit",
    "document",
)


class SavedQueryError(ValueError):
    """A saved query that does not exist, a malformed header, or a bad parameter value."""


@dataclass(frozen=True)
class Param:
    """One parameter of a saved query."""

    name: str
    meaning: str
    type: str
    optional: bool = False

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """Convert a value as a user types it into the pyoxigraph term bound to ``?name``.

        Raises :class:`SavedQueryError` with one line saying what was expected.
        """
        value = value.strip()
        if not value:
            raise SavedQueryError(f"parameter {self.name!r}: empty value")
        if self.type == "iso3":
            return _country(value, self.name)
        if self.type == "iri":
            return _iri(value, self.name)
        if self.type == "year":
            return _year(value, self.name)
        if self.type == "literal":
            return _literal(value, self.name)
        if self.type == "entity":
            text = unicodedata.normalize("NFKC", value).strip()
            if _looks_like_iri(value, names_too=True):
                return _iri(value, self.name)
            if _ISO3.match(text) and text.isupper() and text in _countries():
                return ox.NamedNode(COUNTRY_BASE + text)
            return _literal(value, self.name)  # a name (JICA, WHO, 国際協力機構 …)
        raise SavedQueryError(f"parameter {self.name!r}: unknown type {self.type!r}")


# --- parameter values -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _countries() -> dict[str, Any]:
    """ISO3 code -> the gazetteer's Country, for every country a build can name."""
    from extract.gazetteer import load_gazetteer

    return {c.iso3: c for c in load_gazetteer().countries}


def _describe(country: Any) -> str:
    return f"{country.iso3} ({country.name_en}, {country.name_ja})"


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s,\-]+", name) if w and w.lower() not in ("and", "of", "the")]
    return "".join(w[0] for w in words).upper()


def nearest_countries(code: str, n: int = 5) -> list[Any]:
    """The known countries a mistyped ISO3 code most likely meant: first those whose English
    name starts with it or has it as initials (KYR → Kyrgyzstan, UAE → United Arab Emirates),
    then the codes one edit away — or, if there are none, two edits away.

    >>> [c.iso3 for c in nearest_countries("KYR")][:3]
    ['KGZ', 'KIR', 'KOR']
    """
    from extract.normalize import edit_distance

    code = code.upper()
    scored = []
    for c in _countries().values():
        name = c.name_en.upper()
        if name.startswith(code) or _initials(c.name_en) == code:
            rank = 0
        else:
            rank = edit_distance(code, c.iso3)
        if rank <= 2:
            scored.append((rank, c.iso3, c))
    scored.sort(key=lambda item: item[:2])
    near = [c for rank, _, c in scored if rank <= 1] or [c for _, _, c in scored]
    return near[:n]


def _unknown_country(code: str, name: str) -> SavedQueryError:
    near = nearest_countries(code)
    hint = f"; nearest: {', '.join(_describe(c) for c in near)}" if near else ""
    return SavedQueryError(
        f"parameter {name!r}: {code} is not a known country code (ISO 3166-1 alpha-3){hint}"
    )


def _country_iri(code: str, name: str) -> ox.NamedNode:
    """The IRI of a known country; an unknown code is an error naming the nearest ones."""
    code = code.upper()
    if code not in _countries():
        raise _unknown_country(code, name)
    return ox.NamedNode(COUNTRY_BASE + code)


def _country(value: str, name: str) -> ox.NamedNode:
    """KGZ, kgz, ＫＧＺ, id:country/KGZ, country/KGZ, <https://…/id/country/KGZ>, キルギス, Kyrgyzstan."""
    text = unicodedata.normalize("NFKC", value).strip()
    if _looks_like_iri(text):
        term = _iri(text, name)
        if not term.value.startswith(COUNTRY_BASE):
            raise SavedQueryError(
                f"parameter {name!r}: expected a country (an ISO 3166-1 alpha-3 code such as KAZ, "
                f"id:country/KAZ or its IRI), got {value!r}, which is not a country's IRI"
            )
        return term
    if _ISO3.match(text):
        return _country_iri(text, name)
    from extract.gazetteer import load_gazetteer

    country = load_gazetteer().country_by_name(text)
    if country is not None:
        return ox.NamedNode(COUNTRY_BASE + country.iso3)
    near = _nearest_names(text)
    hint = f"; did you mean {', '.join(_describe(c) for c in near)}?" if near else ""
    raise SavedQueryError(
        f"parameter {name!r}: expected a country — an ISO 3166-1 alpha-3 code such as KAZ, "
        f"id:country/KAZ, its IRI or a country name — got {value!r}{hint}"
    )


def _nearest_names(text: str, n: int = 3) -> list[Any]:
    """Countries whose English or Japanese name is a few edits from ``text`` (Kyrgystan)."""
    from extract.normalize import edit_distance

    key = re.sub(r"[\s・･=＝]", "", text).lower()
    if len(key) < 3:
        return []
    best: dict[str, tuple[int, Any]] = {}
    for c in _countries().values():
        for form in (c.name_en, *c.names_ja):
            form = re.sub(r"[\s・･=＝]", "", form).lower()
            d = edit_distance(key, form)
            if d <= max(1, len(key) // 4) and d < best.get(c.iso3, (99, None))[0]:
                best[c.iso3] = (d, c)
    return [c for _, c in sorted(best.values(), key=lambda item: (item[0], item[1].iso3))][:n]


def _looks_like_iri(value: str, names_too: bool = False) -> bool:
    """A full IRI, ``<…>``, a prefixed name (``id:country/KGZ``) or ``KIND/…`` (``person/…``).

    With ``names_too`` (a parameter that may also be a name), a prefixed name counts only with a
    predeclared prefix and ``KIND/…`` only with a kind of the ``id/`` namespace, so that a name
    such as ``日本/キルギス`` or ``G7:広島`` stays a name.
    """
    value = value.strip()
    if (value.startswith("<") and value.endswith(">")) or _FULL_IRI.match(value):
        return True
    m, r = _PREFIXED.match(value), _RELATIVE.match(value)
    if not names_too:
        return bool(m or r)
    return bool((m and (m["prefix"] or "") in PREFIXES) or (r and r["kind"] in _ID_KINDS))


def _iri(value: str, name: str) -> ox.NamedNode:
    """A full IRI, ``<IRI>``, ``prefix:local`` with a predeclared prefix, ``KIND/…`` relative to
    ``id/``, or an ISO3 code (a country); a country IRI must name a known country."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    iri: str | None = None
    m = _PREFIXED.match(value)
    if _FULL_IRI.match(value):
        iri = value
    elif m and not m["local"].startswith("//"):
        prefix = m["prefix"] or ""
        if prefix not in PREFIXES:
            known = ", ".join(f"{p}:" for p in PREFIXES)
            raise SavedQueryError(
                f"parameter {name!r}: unknown prefix {prefix + ':'!r} in {value!r} "
                f"(predeclared: {known}); or give the full IRI"
            )
        iri = PREFIXES[prefix] + m["local"]
    elif (r := _RELATIVE.match(value)) and r["kind"] in _ID_KINDS:
        iri = ID_BASE + value
    elif _ISO3.match(value):
        return _country_iri(value, name)
    if iri is None:
        raise SavedQueryError(
            f"parameter {name!r}: expected an IRI — a full IRI, a prefixed name such as "
            f"id:country/KAZ, or KIND/… with KIND one of {', '.join(_ID_KINDS)} — got {value!r}"
        )
    if iri.startswith(COUNTRY_BASE):
        return _country_iri(iri[len(COUNTRY_BASE):], name)
    try:
        return ox.NamedNode(iri)
    except ValueError as err:
        raise SavedQueryError(f"parameter {name!r}: {value!r} is not a valid IRI ({err})") from None


def _year(value: str, name: str) -> ox.Literal:
    """2023, ２０２３, 2023年 -> ``"2023"^^xsd:integer``."""
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("年").strip()
    if not re.fullmatch(r"\d{4}", text):
        raise SavedQueryError(
            f"parameter {name!r}: expected a four-digit year such as 2023, got {value!r}"
        )
    return ox.Literal(str(int(text)), datatype=XSD_INTEGER)


def _literal(value: str, name: str) -> ox.Literal:
    from extract.facts import make_key  # here, not at the top: `bkg queries` starts faster

    key = make_key(value)
    if not key:
        raise SavedQueryError(
            f"parameter {name!r}: {value!r} has nothing left to match once spaces and "
            f"punctuation are removed"
        )
    return ox.Literal(key)


@dataclass(frozen=True)
class SavedQuery:
    """A parsed ``.rq`` file: its header and its SPARQL text (header included, it is a comment)."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    sparql: str
    path: Path

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise SavedQueryError(f"{self.name}: unknown parameter {name!r} (parameters: {known})")

    def bindings(self, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """``{"country": "KAZ"}`` -> ``{"country": NamedNode(…/id/country/KAZ)}``.

        Raises :class:`SavedQueryError` for an unknown parameter, a bad value, or a missing
        required parameter.
        """
        params = dict(params or {})
        out: dict[str, Any] = {}
        for name, value in params.items():
            out[name] = self.param(name).term(str(value))
        missing = [p.name for p in self.params if not p.optional and p.name not in out]
        if missing:
            raise SavedQueryError(
                f"{self.name}: missing parameter(s) {', '.join(missing)} "
                f"(give them as --param NAME=VALUE)"
            )
        return out

    def substitutions(self, params: Mapping[str, str] | None = None) -> dict[ox.Variable, Any]:
        """The same as :meth:`bindings`, keyed by ``pyoxigraph.Variable`` for ``Store.query``."""
        return {ox.Variable(k): v for k, v in self.bindings(params).items()}

    def to_json(self) -> dict[str, Any]:
        """What the query page at ``/queries`` shows."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": [
                {"name": p.name, "meaning": p.meaning, "type": p.type, "optional": p.optional}
                for p in self.params
            ],
            "sparql": self.sparql,
        }


def parse_saved(text: str, name: str, path: Path | None = None) -> SavedQuery:
    """Parse the header of a saved query."""
    title = description = ""
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "title":
            title = value
        elif key == "description":
            description = f"{description} {value}".strip()
        else:
            pm = _PARAM.match(value)
            if not pm or pm["type"] not in PARAM_TYPES:
                raise SavedQueryError(
                    f"{name}: bad param line {line!r}; expected "
                    f"'# param: name — meaning (type: {'|'.join(PARAM_TYPES)}[, optional])'"
                )
            params.append(Param(pm["name"], pm["meaning"], pm["type"], bool(pm["optional"])))
    if not title:
        raise SavedQueryError(f"{name}: the header has no '# title:' line")
    return SavedQuery(name, title, description, tuple(params), text, path or Path(name))


def list_saved(directory: Path | None = None) -> list[SavedQuery]:
    """Every saved query, sorted by name."""
    directory = directory or QUERY_DIR
    return [
        parse_saved(p.read_text(encoding="utf-8"), p.stem, p)
        for p in sorted(directory.glob("*.rq"))
    ]


def load_saved(name: str, directory: Path | None = None) -> SavedQuery:
    """One saved query by name (``agreements-between`` or ``agreements-between.rq``)."""
    directory = directory or QUERY_DIR
    stem = name.removesuffix(".rq")
    path = directory / f"{stem}.rq"
    if "/" in stem or not path.is_file():
        known = ", ".join(q.name for q in list_saved(directory))
        raise SavedQueryError(f"no saved query named {name!r}; saved queries: {known}")
    return parse_saved(path.read_text(encoding="utf-8"), stem, path)


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``["a=JPN", "b=KGZ"]`` -> ``{"a": "JPN", "b": "KGZ"}`` (from ``--param k=v``); a name given
    twice is an error, not a silent choice of one value.

    >>> parse_params(["a=JPN", "series=中央アジア＋日本"])
    {'a': 'JPN', 'series': '中央アジア＋日本'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SavedQueryError(f"--param expects NAME=VALUE, got {pair!r}")
        if key in out:
            raise SavedQueryError(f"--param {key} given twice")
        out[key] = value
    return out


def run_saved(store: ox.Store, name: str, params: Mapping[str, str] | None = None) -> Any:
    """Run a saved query on a pyoxigraph store, union default graph, parameters bound."""
    from kg.store import union_options

    saved = load_saved(name)
    return store.query(
        saved.sparql,
        substitutions=saved.substitutions(params),
        **union_options(store),
    )
