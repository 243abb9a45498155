"""The facts that travel from ``extract`` to ``kg``.

Plain frozen dataclasses: no spaCy objects, no rdflib terms. Text spans are character offsets
into the document's *normalized* text, so a fact can always be shown in context, printed,
compared in tests and cached without a model.

Keys
----
Every entity and fact carries a ``key``: a normalized string that is the same for the same
thing across passages, documents and builds. ``kg`` mints IRIs from keys, so keys must be
deterministic and must not depend on file names or on the order documents are read.

* Country: its ISO 3166-1 alpha-3 code (``"JPN"``), or ``"EUR"`` for the European Union.
* Person / Organization / Place / Agreement / Meeting / Program: :func:`make_key` of the
  fullest Japanese name (see there).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .actions import DiplomaticEvent  # diplomatic event coding, PLOVER (issue 12)
    from .lifecycle import AgreementEvent
    from .partnerships import Partnership  # partnership ledger (issue 12)

__all__ = [
    "AGREEMENT_TYPES",
    "DOC_TYPES",
    "Agreement",
    "DateValue",
    "Document",
    "DocumentFacts",
    "Entity",
    "Meeting",
    "Mention",
    "Passage",
    "Program",
    "Visit",
    "make_key",
]

#: Document types, as used in gold files and mapped to ``bkg:`` classes by ``kg``.
DOC_TYPES = (
    "joint_statement",
    "declaration",
    "meeting_summary",
    "press_statement",
    "country_brief",
    "speech",
    "other",
)

#: Agreement types, as used in gold files and mapped to ``bkg:`` individuals by ``kg``.
AGREEMENT_TYPES = (
    "mou",
    "exchange_of_notes",
    "treaty",
    "joint_statement",
    "declaration",
    "action_plan",
    "note_verbale",
    "loan",
    "other",
)

_KEY_DROP = re.compile(r"[\s・･＝=「」『』“”\"'（）()\[\]【】〈〉《》、，,。．.:：/／\-－‐―—～~]+")


def make_key(text: str) -> str:
    """Normalize a name into a key: NFKC, lower case, without spaces, 「」, ・, ＝ and punctuation.

    >>> make_key("「一村一品（OVOP）」")
    '一村一品ovop'
    >>> make_key("サディル・ジャパロフ") == make_key("サディル ジャパロフ")
    True
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return _KEY_DROP.sub("", text)


@dataclass(frozen=True, order=True)
class DateValue:
    """A calendar date at the precision the text gives (year, year-month or full date)."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """ISO 8601 at the given precision: ``2023``, ``2023-07`` or ``2023-07-06``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_iso(cls, value: str) -> DateValue:
        parts = [int(p) for p in value.split("-")]
        return cls(*parts)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class Mention:
    """Where a thing is named: a character span in the document's normalized text."""

    passage: int  # index of the Passage in Document.passages
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A numbered paragraph, list item, table row, heading or sentence of a document."""

    index: int  # position in the document, 0-based
    start: int  # offsets into Document.text
    end: int
    text: str  # == Document.text[start:end]
    number: str | None = None  # as printed once repaired: "19", "(41)", "4-1"; None when unnumbered
    kind: str = "paragraph"  # paragraph | list_item | table_row | heading | title | signature
    section: str | None = None  # text of the heading this passage sits under, if any


@dataclass(frozen=True)
class Document:
    """One source document after reading, repair and segmentation."""

    source: str  # the file name (no directory): dcterms:source
    doc_id: str  # stable id: sha1 of the normalized text, first 16 hex digits
    text: str  # the whole normalized text
    title: str
    date: DateValue | None
    doc_type: str  # one of DOC_TYPES
    passages: tuple[Passage, ...]
    provisional_translation: bool = False  # the text (or its sidecar) says 仮訳
    place: str | None = None  # where it was issued, when the text says ("東京")
    #: where the document comes from, field by field (url, publisher, issued date, language,
    #: licence …): a sidecar's values, else the text's own headers (see :mod:`extract.sources`)
    meta: tuple[tuple[str, str | bool], ...] = ()
    meta_origin: str | None = None  # "SOURCES.tsv", "NAME.meta.json, text headers" …
    warnings: tuple[str, ...] = ()  # what a reader should know (a bad sidecar, …), one line each

    def meta_value(self, name: str) -> str | bool | None:
        """One field of :attr:`meta` (``"url"``, ``"publisher"`` …), or None."""
        return dict(self.meta).get(name)


@dataclass(frozen=True)
class Entity:
    """A country, person, organization or place, resolved within a document."""

    kind: str  # country | person | organization | place
    key: str  # ISO3 for countries, make_key(fullest name) otherwise
    label: str  # fullest Japanese name as written (after normalization)
    label_en: str | None = None
    aliases: tuple[str, ...] = ()  # other forms used in the text (surname-only, abbreviation…)
    role: str | None = None  # persons: title as written ("大統領", "外務大臣")
    country: str | None = None  # ISO3 of the person's / organization's / place's country
    wikidata: str | None = None  # "Q17" for Japan, where known
    mentions: tuple[Mention, ...] = ()
    role_en: str | None = None  # persons: the role in English, from the gazetteer's titles (issue 13)


@dataclass(frozen=True)
class Agreement:
    key: str
    label: str
    agreement_type: str  # one of AGREEMENT_TYPES
    parties: tuple[str, ...] = ()  # entity keys (ISO3 or organization keys)
    date: DateValue | None = None
    place: str | None = None  # place key
    passages: tuple[int, ...] = ()  # passage indexes the facts were read from
    mentions: tuple[Mention, ...] = ()
    #: the document only refers to the instrument (an EPA in force, a past declaration, a treaty
    #: under negotiation): no mention of it reports it signed, exchanged, adopted or issued
    referenced_only: bool = False
    label_en: str | None = None  # the English name the text gives beside it (issue 13)


@dataclass(frozen=True)
class Visit:
    key: str  # make_key(visitor key + destination + start date)
    visitor: str  # person key
    visitor_country: str | None
    destination: str  # ISO3
    start: DateValue | None = None
    end: DateValue | None = None
    passages: tuple[int, ...] = ()
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class Meeting:
    key: str
    label: str
    date: DateValue | None = None  # single-day meetings
    start: DateValue | None = None  # multi-day meetings
    end: DateValue | None = None
    place: str | None = None  # place key
    participants: tuple[str, ...] = ()  # entity keys (ISO3, person keys, organization keys)
    ordinal: int | None = None  # 第9回 → 9
    series: str | None = None  # the dialogue or framework it belongs to ("中央アジア+日本")
    passages: tuple[int, ...] = ()
    mentions: tuple[Mention, ...] = ()
    label_en: str | None = None  # the English name the text gives beside it (issue 13)


@dataclass(frozen=True)
class Program:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()  # ISO3
    implemented_by: tuple[str, ...] = ()  # organization keys
    passages: tuple[int, ...] = ()
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True)
class DocumentFacts:
    """Everything read from one document."""

    document: Document
    entities: tuple[Entity, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    #: what happened to an agreement: signed, exchanged, approved, ratified, entered into force…
    events: tuple[AgreementEvent, ...] = ()
    visits: tuple[Visit, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    programs: tuple[Program, ...] = ()
    dates: tuple[DateValue, ...] = field(default=())  # every date the text gives
    #: partnership ledger (issue 12): relationship levels named between countries, each with
    #: its statuses (established, upgraded, reaffirmed, referenced), see extract/partnerships.py
    partnerships: tuple[Partnership, ...] = ()
    #: diplomatic event coding (issue 12): who did what to whom, coded to PLOVER types and
    #: modes (SUPPORT, AGREE, CONSULT …), see extract/actions.py; ``events`` is the agreement lifecycle
    actions: tuple[DiplomaticEvent, ...] = ()
