"""Resolve entities across documents: one key for one real individual.

Within a document, :mod:`extract.persons` already ties surnames to full names. Across documents
the same person may be written differently (カスム・ジョマルト・トカエフ, カシム＝ジョマルト・トカエフ,
カスムジョマルト・トカエフ) or by surname only (ジャパロフ大統領 in a brief). Two person entities are
the same individual when they share the surname and the country and either

* both give names that are the same up to one transliteration letter, or
* one gives no given name and their roles are compatible (so アキルベク・ジャパロフ, 内閣議長, and
  サディル・ジャパロフ, 大統領, stay two people).

The canonical name is the fullest written form (longest, then lexicographically first), so the
result does not depend on the order documents are read.

Resolution gives one *key* (so one IRI) to one individual; it does not rewrite what each document
says. Every document's facts keep their own labels, aliases and dates — its claims. What the
documents say together (the fullest label, the most precise date, where they disagree) is
:class:`Resolution`, which the graph writes into its own named graph (``…/graph/resolved``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .facts import DateValue, DocumentFacts, Entity, make_key
from .persons import loose_key, roles_compatible, surname_of
from .visits import visit_key

__all__ = ["Resolution", "graph_facts", "resolve_corpus", "same_person", "unify_dates"]


def _given(name: str) -> str:
    parts = [p for p in re.split(r"[・＝=\s]", name) if p]
    return "".join(parts[:-1])


def _close(a: str, b: str) -> bool:
    """Equal, or one substitution / insertion apart (カスム vs カシム, ジョマルト vs ジヨマルト)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def same_person(a: Entity, b: Entity) -> bool:
    """Whether two person entities from different documents are one individual."""
    if loose_key(a.label) == loose_key(b.label):
        return a.country is None or b.country is None or a.country == b.country
    if a.country and b.country and a.country != b.country:
        return False
    kanji = re.compile(r"[\u4e00-\u9fff]+")
    if kanji.fullmatch(a.label) or kanji.fullmatch(b.label):
        # Japanese names: surname-only forms live in aliases
        forms_a = {make_key(x) for x in (a.label, *a.aliases)}
        forms_b = {make_key(x) for x in (b.label, *b.aliases)}
        return bool(forms_a & forms_b) and roles_compatible(a.role, b.role) and (
            make_key(a.label) in forms_b or make_key(b.label) in forms_a)
    if loose_key(surname_of(a.label)) != loose_key(surname_of(b.label)):
        return False
    ga, gb = loose_key(_given(a.label)), loose_key(_given(b.label))
    if ga and gb:
        return _close(ga, gb) or ga.startswith(gb) or gb.startswith(ga)
    return roles_compatible(a.role, b.role)


def _canonical(names: Sequence[str]) -> str:
    return sorted(names, key=lambda n: (-len(make_key(n)), n))[0]


def resolve_corpus(results: list[DocumentFacts]) -> list[DocumentFacts]:
    """Rewrite person keys so that one individual has one key across all documents."""
    persons = [e for r in results for e in r.entities if e.kind == "person"]
    # union-find over person entities
    parent = list(range(len(persons)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    full_first = sorted(range(len(persons)), key=lambda i: (-len(make_key(persons[i].label)), persons[i].label))
    for x in full_first:
        for y in full_first:
            if x < y and find(x) != find(y) and same_person(persons[x], persons[y]):
                # never join two groups whose full names differ (two Japarovs)
                group_x = [persons[i] for i in range(len(persons)) if find(i) == find(x)]
                group_y = [persons[i] for i in range(len(persons)) if find(i) == find(y)]
                if all(same_person(a, b) or not (_given(a.label) and _given(b.label)) and roles_compatible(a.role, b.role)
                       for a in group_x for b in group_y):
                    parent[find(y)] = find(x)
    groups: dict[int, list[Entity]] = {}
    for i, p in enumerate(persons):
        groups.setdefault(find(i), []).append(p)
    canon_of: dict[int, str] = {}
    for members in groups.values():
        label = _canonical([m.label for m in members])
        for m in members:
            canon_of[id(m)] = label
    out = []
    for r in results:
        mapping: dict[str, str] = {}
        entities = []
        for e in r.entities:
            if e.kind != "person":
                entities.append(e)
                continue
            new_key = make_key(canon_of[id(e)])
            mapping[e.key] = new_key
            entities.append(replace(e, key=new_key))  # the document's own label and aliases
        out.append(_rekey(r, mapping, tuple(entities)))
    return out


def _canonical_labels(results: list[DocumentFacts]) -> list[DocumentFacts]:
    """One label per resource across documents: the fullest form any document writes.

    The same meeting, agreement, program or organization is one resource (one key); documents
    may name it more or less fully («対話・経済エネルギー対話» / «「中央アジア+日本」対話・経済
    エネルギー対話»). Every document's facts then carry the fullest label, and the shorter forms
    become aliases where the class has them.
    """
    labels: dict[tuple[str, str], set[str]] = {}
    for r in results:
        for kind, items in (("agreement", r.agreements), ("meeting", r.meetings), ("program", r.programs)):
            for x in items:
                labels.setdefault((kind, x.key), set()).add(x.label)
        for e in r.entities:
            if e.kind in ("organization", "person"):
                labels.setdefault((e.kind, e.key), set()).add(e.label)
    best = {k: _canonical(sorted(v)) for k, v in labels.items()}
    out = []
    for r in results:
        out.append(replace(
            r,
            agreements=tuple(replace(x, label=best[("agreement", x.key)]) for x in r.agreements),
            meetings=tuple(replace(x, label=best[("meeting", x.key)]) for x in r.meetings),
            programs=tuple(
                replace(x, label=best[("program", x.key)],
                        aliases=tuple(dict.fromkeys(a for a in (*x.aliases, x.label) if a != best[("program", x.key)])))
                for x in r.programs
            ),
            entities=tuple(
                replace(e, label=best[(e.kind, e.key)],
                        aliases=tuple(dict.fromkeys(a for a in (*e.aliases, e.label) if a != best[(e.kind, e.key)])))
                if e.kind in ("organization", "person") else e
                for e in r.entities
            ),
        ))
    return out


def canonical_labels(results: list[DocumentFacts]) -> list[DocumentFacts]:
    """The union view of labels: every document's facts carry the resource's fullest label
    (:meth:`Resolution.label`), their own forms as aliases. For ``bkg eval --built``."""
    return _canonical_labels(results)


def unify_dates(results: list[DocumentFacts]) -> list[DocumentFacts]:
    """One date per resource for the graph: where documents give the same fact at different
    precisions (a brief's 2023, a statement's 2023-11-17), every document's fact carries the most
    precise. Extraction (and its evaluation) keeps each document's own dates; the graph builder
    applies this so that a resource has one ``bkg:date``."""
    dates = _precise_dates(results)

    def dated(kind: str, x, *fields: str):
        return replace(x, **{f: dates.get((kind, x.key, f), getattr(x, f)) for f in fields})

    return [
        replace(
            r,
            agreements=tuple(dated("agreement", x, "date") for x in r.agreements),
            meetings=tuple(dated("meeting", x, "date", "start", "end") for x in r.meetings),
            visits=tuple(dated("visit", x, "start", "end") for x in r.visits),
        )
        for r in results
    ]


def _precise_dates(results: list[DocumentFacts]) -> dict[tuple[str, str, str], DateValue]:
    """For a fact read from several documents, the most precise of the dates they give
    (2023-11-17 over 2023), so the resource carries one date, not one per document."""
    seen: dict[tuple[str, str, str], list[DateValue]] = {}
    for r in results:
        for kind, items, fields in (("agreement", r.agreements, ("date",)),
                                    ("meeting", r.meetings, ("date", "start", "end")),
                                    ("visit", r.visits, ("start", "end"))):
            for x in items:
                for f in fields:
                    value = getattr(x, f)
                    if value is not None:
                        seen.setdefault((kind, x.key, f), []).append(value)
    return {k: sorted(v, key=lambda d: (-len(d.iso()), d.iso()))[0] for k, v in seen.items()}


def _rekey(r: DocumentFacts, mapping: dict[str, str], entities: tuple[Entity, ...]) -> DocumentFacts:
    def m(keys: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(mapping.get(k, k) for k in keys))

    visits = []
    for v in r.visits:
        visitor = mapping.get(v.visitor, v.visitor)
        visits.append(replace(v, visitor=visitor, key=visit_key(visitor, v.destination, v.start)))
    return replace(
        r,
        entities=entities,
        visits=tuple(visits),
        meetings=tuple(replace(x, participants=m(x.participants)) for x in r.meetings),
        agreements=tuple(replace(x, parties=m(x.parties)) for x in r.agreements),
    )


def graph_facts(results: list[DocumentFacts]) -> list[DocumentFacts]:
    """The facts as the graph's union default graph gives them: each resource with its resolved
    label (the fullest) and date (the most precise) — what a query without ``GRAPH`` sees.
    ``bkg eval --built`` scores this; the build writes each document's own claims and the
    :class:`Resolution` apart, and their union says the same."""
    return unify_dates(_canonical_labels(results))


_FIELDS = {"agreement": ("date",), "meeting": ("date", "start", "end"), "visit": ("start", "end")}


def _consistent(a: DateValue, b: DateValue) -> bool:
    """One date refines the other (2023 and 2023-11-17), or they are the same."""
    short, long_ = sorted((a.iso(), b.iso()), key=len)
    return long_.startswith(short)


class Resolution:
    """What the documents say together, resource by resource: one label, one date per field,
    the documents that claim each, and where they disagree. Deterministic: it does not depend
    on the order of ``results``.

    >>> from extract.facts import Agreement, Document, DocumentFacts
    >>> def doc(i, date):
    ...     d = Document(source=f"{i}.txt", doc_id=f"{i:016x}", text="x", title="t", date=None,
    ...                  doc_type="other", passages=())
    ...     return DocumentFacts(document=d, agreements=(Agreement("k", "協定", "treaty", date=date),))
    >>> r = Resolution([doc(1, DateValue(2024, 5, 11)), doc(2, DateValue(2024, 5, 10)), doc(3, DateValue(2024))])
    >>> r.date("agreement", "k", "date"), r.date_conflict("agreement", "k", "date")
    (DateValue(year=2024, month=5, day=10), True)
    """

    def __init__(self, results: Sequence[DocumentFacts]) -> None:
        self.labels: dict[tuple[str, str], dict[str, str]] = {}
        self.dates: dict[tuple[str, str, str], dict[str, DateValue]] = {}
        self.documents: dict[tuple[str, str], set[str]] = {}
        for r in results:
            doc = r.document.doc_id
            named = [("agreement", x.key, x.label) for x in r.agreements]
            named += [("meeting", x.key, x.label) for x in r.meetings]
            named += [("program", x.key, x.label) for x in r.programs]
            named += [(e.kind, e.key, e.label) for e in r.entities if e.kind in ("person", "organization", "place")]
            for kind, key, label in named:
                self.labels.setdefault((kind, key), {})[doc] = label
                self.documents.setdefault((kind, key), set()).add(doc)
            for kind, items in (("agreement", r.agreements), ("meeting", r.meetings), ("visit", r.visits)):
                for x in items:
                    self.documents.setdefault((kind, x.key), set()).add(doc)
                    for f in _FIELDS[kind]:
                        value = getattr(x, f)
                        if value is not None:
                            self.dates.setdefault((kind, x.key, f), {})[doc] = value
        self._best_dates = {k: self._choose(v) for k, v in self.dates.items()}

    @staticmethod
    def _choose(claims: dict[str, DateValue]) -> tuple[DateValue, bool]:
        """The most precise date; among equally precise ones the one most documents give, then
        the earliest. A conflict: some claim is not consistent with the chosen date."""
        values = list(claims.values())
        best = min(values, key=lambda d: (-len(d.iso()), -values.count(d), d.iso()))
        return best, not all(_consistent(best, v) for v in values)

    def shared(self, kind: str, key: str) -> bool:
        """Read from more than one document."""
        return len(self.documents.get((kind, key), ())) > 1

    def label(self, kind: str, key: str) -> str | None:
        claims = self.labels.get((kind, key))
        return _canonical(sorted(set(claims.values()))) if claims else None

    def date(self, kind: str, key: str, field: str) -> DateValue | None:
        best = self._best_dates.get((kind, key, field))
        return best[0] if best else None

    def date_conflict(self, kind: str, key: str, field: str) -> bool:
        best = self._best_dates.get((kind, key, field))
        return bool(best and best[1])

    def date_claims(self, kind: str, key: str, field: str) -> dict[str, DateValue]:
        """Document id → the date that document gives."""
        return dict(self.dates.get((kind, key, field), {}))
