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

>>> q = load_saved("agreements-between")
>>> [p.name for p in q.params]
['a', 'b']
>>> q.bindings({"a": "jpn", "b": "KGZ"})["b"].value
'https://w3id.org/bilateral-kg/id/country/KGZ'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from extract.facts import make_key

__all__ = [
    "QUERY_DIR",
    "PARAM_TYPES",
    "Param",
    "SavedQuery",
    "SavedQueryError",
    "list_saved",
    "load_saved",
    "parse_params",
    "run_saved",
]

QUERY_DIR = Path(__file__).with_name("queries")
ID_BASE = "https://w3id.org/bilateral-kg/id/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

#: iso3: a country code (or its IRI); iri: any IRI (``country/KAZ`` and ``person/…`` are read
#: relative to the ``id/`` namespace); literal: a name, normalized like ``extract.facts.make_key``;
#: year: a four-digit year as ``xsd:integer``; entity: an IRI or ISO3 code, else a name.
PARAM_TYPES = ("iso3", "iri", "literal", "year", "entity")

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|-{1,2}|:)\s*(?P<meaning>.*?)\s*"
    r"\(\s*type\s*:\s*(?P<type>[a-z0-9]+)\s*(?P<optional>,\s*optional)?\s*\)\s*$"
)
_ISO3 = re.compile(r"^[A-Za-z]{3}$")
_IRI = re.compile(r"^<?(https?|urn|file):[^\s<>\"]*>?$")


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
        """Convert a command-line value into the pyoxigraph term bound to ``?name``."""
        value = value.strip()
        if not value:
            raise SavedQueryError(f"parameter {self.name!r}: empty value")
        if self.type == "iso3":
            if _IRI.match(value):
                return ox.NamedNode(value.strip("<>"))
            if not _ISO3.match(value):
                raise SavedQueryError(
                    f"parameter {self.name!r}: expected an ISO 3166-1 alpha-3 code such as KAZ, "
                    f"got {value!r}"
                )
            return ox.NamedNode(f"{ID_BASE}country/{value.upper()}")
        if self.type == "iri":
            return _iri(value, self.name)
        if self.type == "year":
            if not re.fullmatch(r"-?\d{1,4}", value):
                raise SavedQueryError(f"parameter {self.name!r}: expected a year, got {value!r}")
            return ox.Literal(str(int(value)), datatype=XSD_INTEGER)
        if self.type == "literal":
            return ox.Literal(make_key(value))
        if self.type == "entity":
            if _IRI.match(value) or "/" in value:
                return _iri(value, self.name)
            if _ISO3.match(value) and value.isupper():
                return ox.NamedNode(f"{ID_BASE}country/{value}")
            return ox.Literal(make_key(value))
        raise SavedQueryError(f"parameter {self.name!r}: unknown type {self.type!r}")


def _iri(value: str, name: str) -> ox.NamedNode:
    value = value.strip("<>")
    if _IRI.match(value):
        return ox.NamedNode(value)
    if _ISO3.match(value):
        return ox.NamedNode(f"{ID_BASE}country/{value.upper()}")
    if re.fullmatch(r"[a-z]+/\S+", value):  # country/KAZ, person/林芳正 …
        return ox.NamedNode(ID_BASE + value)
    raise SavedQueryError(f"parameter {name!r}: expected an IRI, got {value!r}")


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
    stem = name[:-3] if name.endswith(".rq") else name
    path = directory / f"{stem}.rq"
    if "/" in stem or not path.is_file():
        known = ", ".join(q.name for q in list_saved(directory))
        raise SavedQueryError(f"no saved query named {name!r}; saved queries: {known}")
    return parse_saved(path.read_text(encoding="utf-8"), stem, path)


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``["a=JPN", "b=KGZ"]`` -> ``{"a": "JPN", "b": "KGZ"}`` (from ``--param k=v``).

    >>> parse_params(["a=JPN", "series=中央アジア＋日本"])
    {'a': 'JPN', 'series': '中央アジア＋日本'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SavedQueryError(f"--param expects NAME=VALUE, got {pair!r}")
        out[key.strip()] = value
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
