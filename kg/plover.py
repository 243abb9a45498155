"""Diplomatic events of a built graph in PLOVER's field layout (JSON and TSV), to set against POLECAT.

Each ``bkg:DiplomaticEvent`` (see :mod:`extract.actions`) becomes one record with PLOVER's named
fields (PLOVER manual, chapter "Data Fields"): ``id``, ``date``, ``actor`` and ``recipient`` (lists
of entity objects ``{"code", "name", "iri"}``: the ISO3 code of a country, else the name),
``event`` (the list of event types), ``mode`` and ``context`` (lists), ``event_text`` (the
predicate as written), ``text`` (the sentence) and ``cite_info`` (document, title, paragraph,
URL). Fields beyond PLOVER's, allowed by it, carry what this graph adds: ``topic``, ``negated``,
``modality``, ``iri``. ``context`` holds ``negation`` when the predicate is negated.

:func:`event_records` reads them through the store (:func:`kg.export.open_build`), in a fixed
order (date, document, position, id), so the same build gives byte-identical files;
:func:`to_json` and :func:`to_tsv` write them (TSV cells that begin like a spreadsheet formula
are neutralized, as every CSV of :mod:`kg.export` is).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "TSV_COLUMNS",
    "event_records",
    "format_table",
    "to_json",
    "to_tsv",
    "write_events",
]

#: PLOVER's event types (REQUEST is POLECAT's name for the manual's DEMAND).
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

#: TSV columns: PLOVER's field names, with lists joined by ``;`` and actors flattened.
TSV_COLUMNS = (
    "id", "date", "event", "mode", "context", "actor_code", "actor_name", "recipient_code",
    "recipient_name", "event_text", "topic", "negated", "text", "source", "title", "paragraph", "url",
)

_PREFIXES = """PREFIX bkg:     <https://w3id.org/bilateral-kg/ontology#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

_EVENTS = _PREFIXES + """
SELECT ?e ?type (SAMPLE(?m) AS ?mode) (SAMPLE(?pr) AS ?predicate) (SAMPLE(?ng) AS ?negated)
       (SAMPLE(?tp) AS ?topic) (SAMPLE(?mo) AS ?modality) (SAMPLE(?d) AS ?date)
       (SAMPLE(?src) AS ?source) (SAMPLE(?ti) AS ?title)
       (SAMPLE(?no) AS ?paragraph) (SAMPLE(?ord) AS ?order) (SAMPLE(?u) AS ?url)
WHERE {
  ?e a bkg:DiplomaticEvent ; bkg:ploverType ?type ; bkg:predicateAsWritten ?pr ; bkg:negated ?ng .
  OPTIONAL { ?e bkg:ploverMode ?m }
  OPTIONAL { ?e bkg:topic ?tp }
  OPTIONAL { ?e bkg:modality ?mo }
  OPTIONAL { ?e bkg:date ?d }
  OPTIONAL { ?e prov:wasDerivedFrom ?p . ?p bkg:document ?doc ; bkg:order ?ord .
             OPTIONAL { ?p bkg:paragraph ?no }
             ?doc dcterms:source ?src .
             OPTIONAL { ?doc dcterms:title ?ti }
             OPTIONAL { ?doc prov:wasQuotedFrom ?u } }
}
GROUP BY ?e ?type
"""

#: the quoted spans of each event: the sentence (the longest) and where it starts in its passage
_QUOTES = _PREFIXES + """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?e ?exact ?start WHERE {
  ?e a bkg:DiplomaticEvent ; bkg:quotation ?q .
  ?q oa:hasSelector ?quote, ?position .
  ?quote oa:exact ?exact . ?position oa:start ?start .
}
"""

_ACTORS = _PREFIXES + """
SELECT DISTINCT ?e ?role ?a ?iso3 ?label WHERE {
  ?e a bkg:DiplomaticEvent ; ?prop ?a .
  VALUES (?prop ?role) { (bkg:sourceActor "actor") (bkg:targetActor "recipient") }
  OPTIONAL { ?a bkg:iso3 ?iso3 }
  OPTIONAL { ?a rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "ja")) }
}
"""


def _value(term: Any) -> Any:
    return None if term is None else term.value


def _id_of(iri: str) -> str:
    return "bkg-" + iri.rsplit("/", 1)[-1]


def _order_key(record: Mapping[str, Any]) -> tuple:
    cite = record["cite_info"]
    return (record["date"] or "", cite["source"] or "", cite["order"], cite["start"], record["id"])


def event_records(source: Any, *, country: str | None = None, types: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """PLOVER records of the diplomatic events of a build (a build folder, an RDF file or a store).

    ``country``: only the events with that country (ISO3) among the actors or recipients.
    ``types``: only these PLOVER types. Deterministic order: date, document, position, id.
    """
    from kg.export import open_build
    from kg.store import union_options

    store = open_build(source)
    options = union_options(store)
    actors: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    for row in store.query(_ACTORS, **options):
        iri, role, actor = row["e"].value, row["role"].value, row["a"].value
        iso3, label = _value(row["iso3"]), _value(row["label"])
        entry = {"code": iso3 or label or actor.rsplit("/", 1)[-1], "name": label or iso3 or "", "iri": actor}
        slot = actors.setdefault(iri, {}).setdefault(role, {})
        prev = slot.get(actor)
        if prev is None or (entry["name"], entry["code"]) < (prev["name"], prev["code"]):
            slot[actor] = entry
    quotes: dict[str, tuple[int, str, int]] = {}
    for row in store.query(_QUOTES, **options):
        iri, exact, start = row["e"].value, row["exact"].value, int(row["start"].value)
        best = quotes.get(iri)
        if best is None or (-len(exact), exact, start) < best:
            quotes[iri] = (-len(exact), exact, start)
    wanted = {t.upper() for t in types} if types else None
    code = country.upper() if country else None
    records = []
    for row in store.query(_EVENTS, **options):
        iri = row["e"].value
        kind = row["type"].value
        if wanted is not None and kind not in wanted:
            continue
        found = actors.get(iri, {})
        actor = sorted(found.get("actor", {}).values(), key=lambda a: (a["code"], a["iri"]))
        recipient = sorted(found.get("recipient", {}).values(), key=lambda a: (a["code"], a["iri"]))
        if code is not None and not any(a["code"] == code for a in (*actor, *recipient)):
            continue
        negated = _value(row["negated"]) in ("true", "1")
        mode = _value(row["mode"])
        order = _value(row["order"])
        _, sentence, start = quotes.get(iri, (0, None, -1))
        records.append({
            "id": _id_of(iri),
            "date": _value(row["date"]),
            "actor": actor,
            "recipient": recipient,
            "event": [kind],
            "mode": [mode] if mode else [],
            "context": ["negation"] if negated else [],
            "event_text": [_value(row["predicate"])],
            "text": sentence,
            "topic": _value(row["topic"]),
            "negated": negated,
            "modality": _value(row["modality"]),
            "cite_info": {
                "source": _value(row["source"]),
                "title": _value(row["title"]),
                "paragraph": _value(row["paragraph"]),
                "url": _value(row["url"]),
                "order": int(order) if order is not None else -1,
                "start": start,
            },
            "iri": iri,
        })
    records.sort(key=_order_key)
    return records


def to_json(records: Iterable[Mapping[str, Any]]) -> str:
    """A JSON list of records (UTF-8 text, keys in PLOVER's order, two-space indent)."""
    return json.dumps(list(records), ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    from kg.store import spreadsheet_safe

    text = "" if value is None else str(value)
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return spreadsheet_safe(text)


def _row(record: Mapping[str, Any]) -> list[str]:
    cite = record["cite_info"]
    return [
        record["id"], record["date"], ";".join(record["event"]), ";".join(record["mode"]),
        ";".join(record["context"]), ";".join(a["code"] for a in record["actor"]),
        ";".join(a["name"] for a in record["actor"]), ";".join(a["code"] for a in record["recipient"]),
        ";".join(a["name"] for a in record["recipient"]), ";".join(t for t in record["event_text"] if t),
        record["topic"], "true" if record["negated"] else "false", record["text"], cite["source"], cite["title"],
        cite["paragraph"], cite["url"],
    ]


def to_tsv(records: Iterable[Mapping[str, Any]]) -> str:
    """Tab-separated, one header line of :data:`TSV_COLUMNS` then one line per record; cells that
    begin like a formula (= + - @) get a leading ``'``."""
    lines = ["\t".join(TSV_COLUMNS)]
    lines += ["\t".join(_cell(v) for v in _row(r)) for r in records]
    return "\n".join(lines) + "\n"


def format_table(records: Sequence[Mapping[str, Any]], width: int = 40) -> str:
    """A short readable table: date, type, mode, actors → recipients, predicate, topic."""
    if not records:
        return "no diplomatic events\n"
    def cut(text: str | None, n: int) -> str:
        text = text or ""
        return text if len(text) <= n else text[: n - 1] + "…"
    lines = []
    for r in records:
        who = ",".join(a["code"] for a in r["actor"]) or "?"
        whom = ",".join(a["code"] for a in r["recipient"])
        arrow = f"{who} → {whom}" if whom else who
        mode = f"/{r['mode'][0]}" if r["mode"] else ""
        neg = " (negated)" if r["negated"] else ""
        lines.append(f"{r['date'] or '----':<10}  {r['event'][0] + mode:<20} {arrow:<16} "
                     f"{cut(r['event_text'][0], 16)}{neg}  {cut(r['topic'], width)}")
    return "\n".join(lines) + f"\n({len(records)} event(s))\n"


def write_events(records: Sequence[Mapping[str, Any]], path: Path | str, fmt: str) -> Path:
    """Write ``records`` as ``json`` or ``tsv`` to ``path`` atomically (temp file + rename)."""
    text = to_json(records) if fmt == "json" else to_tsv(records)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
