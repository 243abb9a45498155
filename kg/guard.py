"""Checks a SPARQL text passes before it reaches the parser, shared by ``bkg query`` and ``bkg serve``.

pyoxigraph's parser is recursive: a query nested a few thousand levels deep overflows its stack
and kills the process (``bkg query`` exited 139; a server worker died). It also evaluates
``SERVICE <url>`` by fetching the URL, which lets anyone who can reach a read-only endpoint make
it send requests anywhere. :func:`check_query` reads the text once with a small lexer — strings,
IRIs and comments skipped, so a brace or the word SERVICE inside a label does not count — and
refuses, with one readable line:

* a text longer than ``max_length`` characters,
* brackets (``{ ( [``) nested deeper than ``max_depth``,
* a ``SERVICE`` whose endpoint is not in ``allow_services`` (no federation by default). An
  endpoint given as a variable or a prefixed name is refused unless ``"*"`` is allowed.

>>> check_query("SELECT * WHERE { ?s ?p 'SERVICE {' }")
>>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.guard.QueryRejected: federated queries are off: SERVICE <http://example.org/sparql> is not allowed (allow an endpoint with --allow-service URL)
"""

from __future__ import annotations

import re
from collections.abc import Collection

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "QueryLimits", "QueryRejected", "check_query",
           "readable_syntax_error", "services"]

MAX_LENGTH = 200_000  # characters: the longest saved query is ~2,000; a big VALUES block fits
MAX_DEPTH = 100  # brackets deep: real queries rarely pass 10; pyoxigraph overflows in the thousands


class QueryRejected(ValueError):
    """The query was refused before parsing; ``str(err)`` is one line saying why."""


class QueryLimits:
    """What a query may be: its length, its bracket depth, the SERVICE endpoints it may call.

    Immutable and compared by value. A plain class rather than a dataclass: ``dataclasses``
    imports ``inspect``, a cost the quick command line (kg/console.py) does not pay.

    >>> QueryLimits(max_depth=5) == QueryLimits(MAX_LENGTH, 5), QueryLimits().allow_services
    (True, ())
    """

    __slots__ = ("max_length", "max_depth", "allow_services")

    def __init__(self, max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH,
                 allow_services: tuple[str, ...] = ()) -> None:
        for name, value in (("max_length", max_length), ("max_depth", max_depth),
                            ("allow_services", tuple(allow_services))):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"QueryLimits is immutable: cannot set {name}")

    def _key(self) -> tuple:
        return (self.max_length, self.max_depth, self.allow_services)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QueryLimits) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"QueryLimits(max_length={self.max_length}, max_depth={self.max_depth}, "
                f"allow_services={self.allow_services!r})")

    def check(self, sparql: str) -> None:
        check_query(sparql, max_length=self.max_length, max_depth=self.max_depth,
                    allow_services=self.allow_services)


# One token at a time; order matters (long strings before short, IRIs before the < operator).
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
               |'(?:[^'\\\n]|\\.)*(?:'|$)
               |"(?:[^"\\\n]|\\.)*(?:"|$))
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
    | (?P<word>[A-Za-z_\u00c0-\uffff][\w\-.\u00b7\u00c0-\uffff]*:?[\w\-.:%\u00b7\u00c0-\uffff\\]*)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(sparql: str):
    for m in _TOKEN.finditer(sparql):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        yield kind, m.group()


def services(sparql: str) -> list[str]:
    """The endpoints of the query's ``SERVICE`` clauses, as written (``<IRI>``, ``?var`` or ``p:x``)."""
    found: list[str] = []
    expect = False
    for kind, text in _tokens(sparql):
        if expect:
            if kind == "word" and text.upper() == "SILENT":
                continue
            found.append(text)
            expect = False
        elif kind == "word" and text.upper() == "SERVICE":
            expect = True
    return found


def check_query(
    sparql: str,
    *,
    max_length: int = MAX_LENGTH,
    max_depth: int = MAX_DEPTH,
    allow_services: Collection[str] = (),
) -> None:
    """Raise :class:`QueryRejected` if ``sparql`` is too long, too deep or federated without leave."""
    if len(sparql) > max_length:
        raise QueryRejected(
            f"the query is {len(sparql):,} characters long; the limit is {max_length:,}"
        )
    depth = deepest = 0
    expect_service = False
    for kind, text in _tokens(sparql):
        if kind == "open":
            depth += 1
            if depth > max_depth:
                raise QueryRejected(
                    f"the query nests brackets more than {max_depth} deep; simplify it"
                )
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        if expect_service:
            if kind == "word" and text.upper() == "SILENT":
                continue
            expect_service = False
            _check_service(text, kind, allow_services)
        elif kind == "word" and text.upper() == "SERVICE":
            expect_service = True


def _check_service(text: str, kind: str, allowed: Collection[str]) -> None:
    if "*" in allowed:
        return
    if kind == "iri" and text[1:-1] in allowed:
        return
    how = "(allow an endpoint with --allow-service URL)"
    if kind != "iri" and allowed:
        how = "(an allowed endpoint must be written as a full <IRI>)"
    raise QueryRejected(f"federated queries are off: SERVICE {text} is not allowed {how}")


_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.DOTALL)
_CHAR_CLASS = re.compile(r"\['.*?'\]", re.DOTALL)


def readable_syntax_error(message: str, sparql: str) -> str:
    """pyoxigraph's syntax error as one readable line: where, near what, and the expected
    keywords — without the parser's Unicode ranges.

    >>> readable_syntax_error("error at 1:15: expected one of REDUCED, [_]", "SELECT WHERE {")
    "SPARQL syntax error at line 1, column 15 (near 'SELECT WHERE {'): expected REDUCED"
    """
    m = _POSITION.match(message.strip())
    if m is None:
        return "SPARQL syntax error: " + " ".join(message.split())
    line_no, col = int(m.group(1)), int(m.group(2))
    lines = sparql.splitlines() or [""]
    line = lines[min(line_no, len(lines)) - 1]
    near = line[max(0, col - 30): col + 10].strip()
    expected = m.group(3)
    if "Prefix not found" in expected:
        names = re.findall(r"([A-Za-z][\w.-]*)?:", line[: col + 1])
        prefix = f"{names[-1]}:" if names else "a prefix"
        what = f"undeclared prefix {prefix!r} (add a PREFIX line; `bkg queries` lists the predeclared ones)"
    else:
        body = expected.removeprefix("expected").strip().removeprefix("one of").strip()
        words = [w.strip() for w in _CHAR_CLASS.sub("", body).split(",")]
        words = [w for w in words if w and w != "[_]"]
        if not words:
            what = "unexpected text"
        else:
            what = ("expected " if len(words) == 1 else "expected one of ") + ", ".join(words)
    return f"SPARQL syntax error at line {line_no}, column {col} (near {near!r}): {' '.join(what.split())}"
