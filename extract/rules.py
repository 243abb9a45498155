"""Run every rule family over one parsed document and assemble its :class:`DocumentFacts`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .actions import find_actions  # diplomatic event coding (issue 12)
from .agreements import find_agreements
from .context import DocContext
from .countries import find_countries
from .facts import DateValue, Document, DocumentFacts
from .gazetteer import load_gazetteer
from .lifecycle import find_lifecycle
from .meetings import find_meetings
from .organizations import find_organizations
from .partnerships import find_partnerships
from .persons import find_persons
from .places import find_places
from .programs import find_programs
from .visits import find_visits

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = ["extract_facts"]


def extract_facts(document: Document, parses: list[Doc], gazetteer=None) -> DocumentFacts:
    """Compute every fact of ``document`` from its passage parses (one Doc per passage)."""
    ctx = DocContext.build(document, parses, gazetteer or load_gazetteer())
    countries = find_countries(ctx)
    persons = find_persons(ctx)
    organizations = find_organizations(ctx)
    lifecycle = find_lifecycle(ctx, find_agreements(ctx))
    agreements = list(lifecycle.agreements)
    meetings = find_meetings(ctx, persons)
    places = _used_places(find_places(ctx), agreements, meetings, document, lifecycle.events)
    dates = sorted({d.value for ds in ctx.dates.values() for d in ds}
                   | {d.end_value for ds in ctx.dates.values() for d in ds if d.end_value}, key=DateValue.iso)
    return DocumentFacts(
        document=document,
        entities=(*countries, *persons, *organizations, *places),
        agreements=tuple(agreements),
        events=tuple(lifecycle.events),
        visits=tuple(find_visits(ctx, persons)),
        meetings=tuple(meetings),
        programs=tuple(find_programs(ctx)),
        dates=tuple(dates),
        partnerships=tuple(find_partnerships(ctx)),  # partnership ledger (issue 12)
        actions=tuple(find_actions(ctx, (*persons, *organizations))),  # event coding (issue 12)
    )


def _used_places(places, agreements, meetings, document, events=()):
    """Keep the places where something happened (or the document was issued)."""
    from .facts import make_key

    used = {x.place for x in (*agreements, *meetings, *events) if x.place}
    if document.place:
        used.add(make_key(document.place))
    return [p for p in places if p.key in used]
