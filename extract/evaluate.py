"""Score extracted facts against hand-written gold annotations (``bkg eval``).

Gold files live in ``data/gold/NAME.json``, one per corpus document ``NAME.txt`` (the format is
described in ``ANNOTATION.md``). :func:`load_gold` reads and validates them,
:func:`evaluate` pairs each :class:`~extract.facts.DocumentFacts` with its gold by file stem and
counts true positives, false positives and false negatives per category, and
:func:`run_eval` does both for a corpus folder, extracting with :mod:`extract.pipeline`.

Matching is one-to-one and tolerant of the forms a careful reader accepts (surname-only names,
transliteration variants, 「」-less names, abbreviations); every rule is written down in
``docs/EVALUATION.md``. The rules are the functions :func:`normalize_name`,
:func:`person_match`, :func:`organization_match` and :func:`name_match`.

On the matched pairs, the attributes of :data:`ATTRIBUTES` are then checked one by one, each as an
:class:`AttributeCheck` (dates are :class:`DateCheck`, the same thing for ``date``/``start``/``end``),
and reported as accuracy over the gold values that are set (:meth:`EvalReport.attribute_accuracy`).
Sets (agreement parties, meeting participants) must be equal; a role is compared after NFKC and
without spaces.

>>> normalize_name("「一村一品（OVOP）」")
'一村一品'
>>> person_match(["カスム・ジョマルト・トカエフ"], "KAZ", ["カシム＝ジョマルト・トカエフ"], "KAZ")
'given-name-variant'
>>> person_match(["サディル・ジャパロフ"], "KGZ", ["アキルベク・ジャパロフ"], "KGZ") is None
True
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .facts import AGREEMENT_TYPES, DOC_TYPES, DateValue, Document, DocumentFacts, make_key
from .normalize import edit_distance

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = [
    "ATTRIBUTES",
    "CATEGORIES",
    "DATE_CATEGORIES",
    "Accuracy",
    "AttributeCheck",
    "DateCheck",
    "DocumentResult",
    "EvalReport",
    "EventReport",  # diplomatic event coding (issue 12)
    "GoldError",
    "Match",
    "Miss",
    "Score",
    "built_facts",
    "corpus_documents",
    "dice",
    "evaluate",
    "evaluate_document",
    "evaluate_events",  # diplomatic event coding (issue 12)
    "load_event_gold",  # diplomatic event coding (issue 12)
    "load_gold",
    "name_forms",
    "name_match",
    "normalize_name",
    "organization_match",
    "person_match",
    "run_eval",
    "validate_gold",
]

#: Fact categories scored as tp / fp / fn, in report order.
CATEGORIES = (
    "countries",
    "persons",
    "organizations",
    "agreements",
    "visits",
    "meetings",
    "programs",
)
#: Categories whose matched facts have their dates checked.
DATE_CATEGORIES = ("agreements", "visits", "meetings")
#: The attributes checked on matched facts, ``(category, field)``, in report order; reported
#: as ``"category.field"``. ``date`` / ``start`` / ``end`` are the date checks.
ATTRIBUTES = (
    ("agreements", "parties"),  # the set of ISO3 parties
    ("agreements", "org_parties"),  # the set of organization parties, as matched organizations
    ("agreements", "type"),
    ("agreements", "date"),
    ("persons", "role"),
    ("persons", "country"),
    ("visits", "destination"),
    ("visits", "start"),
    ("visits", "end"),
    ("meetings", "date"),
    ("meetings", "start"),
    ("meetings", "end"),
    ("meetings", "participants"),  # the set of ISO3 participants
    ("partnerships", "status"),  # partnership ledger (issue 12): scored apart, see _partnership_result
)
_DATE_FIELDS = ("date", "start", "end")
#: Minimum length (normalized characters) of the shorter name for a containment match.
MIN_CONTAINED = 4
#: Minimum length of the shorter organization name for a suffix match ("外務省").
MIN_ORG_SUFFIX = 3
#: Character-bigram Dice coefficient from which two names count as the same.
MIN_DICE = 0.8

_SOURCE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")


# --------------------------------------------------------------------------------------------
# Gold files
# --------------------------------------------------------------------------------------------


class GoldError(ValueError):
    """A gold file that cannot be read or does not follow ``ANNOTATION.md``."""


_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_ISO3 = re.compile(r"^[A-Z]{3}$")

_TOP_KEYS = {
    "source_url",
    "title",
    "doc_date",
    "doc_type",
    "complete",
    "notes",
    "countries",
    "persons",
    "organizations",
    "agreements",
    "visits",
    "meetings",
    "programs",
    "dates",
    "partnerships",  # partnership ledger (issue 12), optional
}
# item field -> kind; kinds: str (required), str? , iso3, iso3?, date?, list[str], list[iso3],
# int?, type?
_ITEM_FIELDS: dict[str, dict[str, str]] = {
    "persons": {
        "name": "str",
        "aliases": "list[str]",
        "role": "str?",
        "country": "iso3?",
        "label_en": "str?",
        "notes": "str?",
    },
    "organizations": {
        "name": "str",
        "aliases": "list[str]",
        "country": "iso3?",
        "label_en": "str?",
        "notes": "str?",
    },
    "agreements": {
        "name": "str",
        "aliases": "list[str]",
        "type": "type?",
        "parties": "list[str]",
        "date": "date?",
        "place": "str?",
        "org_parties": "list[str]",
        "referenced_only": "bool?",
        "notes": "str?",
    },
    "visits": {
        "visitor": "str?",
        "visitor_role": "str?",
        "visitor_country": "iso3?",
        "destination": "iso3",
        "start": "date?",
        "end": "date?",
        "notes": "str?",
    },
    "meetings": {
        "name": "str",
        "aliases": "list[str]",
        "date": "date?",
        "start": "date?",
        "end": "date?",
        "place": "str?",
        "participants": "list[str]",
        "ordinal": "int?",
        "series": "str?",
        "notes": "str?",
    },
    "programs": {
        "name": "str",
        "aliases": "list[str]",
        "countries": "list[iso3]",
        "implemented_by": "list[str]",
        "notes": "str?",
    },
}


def _check_date(value: Any) -> bool:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return False
    if len(parts) == 3:
        import datetime

        try:
            datetime.date(*parts)
        except ValueError:
            return False
    return True


_EXPECTED = {
    "str": "a non-empty string",
    "iso3": "an ISO3 code like 'JPN'",
    "date": "an ISO date YYYY, YYYY-MM or YYYY-MM-DD",
    "int": "an integer",
    "bool": "true or false",
    "type": f"one of {', '.join(AGREEMENT_TYPES)}",
    "list[str]": "a list of strings",
    "list[iso3]": "a list of ISO3 codes",
}


def _fits(base: str, value: Any) -> bool:
    if base == "str":
        return isinstance(value, str) and bool(value.strip())
    if base == "iso3":
        return isinstance(value, str) and bool(_ISO3.match(value))
    if base == "date":
        return _check_date(value)
    if base == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if base == "bool":
        return isinstance(value, bool)
    if base == "type":
        return value in AGREEMENT_TYPES
    if base.startswith("list["):
        return isinstance(value, list) and all(_fits(base[5:-1], v) for v in value)
    raise AssertionError(base)  # pragma: no cover


def _check_value(kind: str, value: Any) -> str | None:
    """``None`` when ``value`` fits ``kind`` (``"str"``, ``"date?"``…), else what was expected."""
    base = kind.rstrip("?")
    if value is None and kind.endswith("?"):
        return None
    return None if _fits(base, value) else _EXPECTED[base]


def _check_spelling(name: str, where: str, data: Mapping[str, Any], known: Iterable[str]) -> None:
    for key in data:
        if key in known:
            continue
        close = [k for k in known if edit_distance(key.lower(), k) <= 2]
        if close:
            raise GoldError(f"{name}: {where}: unknown field {key!r} (did you mean {close[0]!r}?)")


def _fail(name: str, where: str, expected: str, value: Any) -> GoldError:
    return GoldError(
        f"{name}: {where}: expected {expected}, got {json.dumps(value, ensure_ascii=False)}"
    )


def validate_gold(data: Any, name: str = "<gold>") -> dict[str, Any]:
    """Check one parsed gold file and return it with optional item fields filled in.

    ``name`` names the file in error messages. Every category list and ``dates`` must be present
    (possibly empty): a missing list would be ambiguous between "none" and "not annotated".
    Fields this module does not know are kept and ignored (annotators may add their own), but
    one that looks like a misspelling of a known field ("alias", "organisations") is an error.

    >>> validate_gold({"countries": ["JPN"]})
    Traceback (most recent call last):
    ...
    extract.evaluate.GoldError: <gold>: missing field 'persons' (write [] when there are none)
    """
    if not isinstance(data, dict):
        raise _fail(name, "top level", "a JSON object", type(data).__name__)
    _check_spelling(name, "top level", data, _TOP_KEYS)
    for key in (*CATEGORIES, "dates"):
        if key not in data:
            raise GoldError(f"{name}: missing field {key!r} (write [] when there are none)")
        if not isinstance(data[key], list):
            raise _fail(name, key, "a list", data[key])
    for key, kind in (
        ("source_url", "str?"),
        ("title", "str?"),
        ("doc_date", "date?"),
        ("notes", "str?"),
    ):
        if key in data and (expected := _check_value(kind, data[key])):
            raise _fail(name, key, expected, data[key])
    if data.get("doc_type") is not None and data["doc_type"] not in DOC_TYPES:
        raise _fail(name, "doc_type", f"one of {', '.join(DOC_TYPES)}", data["doc_type"])
    if "complete" in data and not isinstance(data["complete"], bool):
        raise _fail(name, "complete", "true or false", data["complete"])
    for i, code in enumerate(data["countries"]):
        if _check_value("iso3", code):
            raise _fail(name, f"countries[{i}]", "an ISO3 code like 'JPN'", code)
    for i, value in enumerate(data["dates"]):
        if not _check_date(value):
            raise _fail(name, f"dates[{i}]", "an ISO date YYYY, YYYY-MM or YYYY-MM-DD", value)

    out: dict[str, Any] = dict(data)
    for category, fields in _ITEM_FIELDS.items():
        items = []
        for i, item in enumerate(data[category]):
            where = f"{category}[{i}]"
            if not isinstance(item, dict):
                raise _fail(name, where, "a JSON object", item)
            _check_spelling(name, where, item, fields)
            filled = dict(item)
            for key, kind in fields.items():
                if key not in item and kind in ("str", "iso3"):
                    raise GoldError(f"{name}: {where}: missing field {key!r}")
                value = item.get(key, [] if kind.startswith("list") else None)
                if expected := _check_value(kind, value):
                    raise _fail(name, f"{where}.{key}", expected, value)
                filled[key] = value
            items.append(filled)
        out[category] = items
    return out


def load_gold(gold_dir: Path) -> dict[str, dict[str, Any]]:
    """Read and validate every ``*.json`` in ``gold_dir``, keyed by the file stem.

    Raises :class:`GoldError` naming the file and the field when a file is not valid JSON or
    does not follow the annotation format.
    """
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise GoldError(f"{gold_dir}: not a folder of gold files")
    gold: dict[str, dict[str, Any]] = {}
    for path in sorted(gold_dir.glob("*.json")):
        if path.name.endswith(".meta.json"):  # a document's citation sidecar, not gold
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise GoldError(
                f"{path}: invalid JSON at line {err.lineno} column {err.colno}: {err.msg}"
            ) from err
        except UnicodeDecodeError as err:
            raise GoldError(f"{path}: not UTF-8 text ({err.reason})") from err
        gold[path.stem] = validate_gold(data, str(path))
    return gold


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_PAREN = re.compile(r"[（(]([^（）()]*)[）)]")
_ABBREVIATION = re.compile(r"^[A-Za-z][A-Za-z0-9&+\-.・ ]*$")
_NAME_SPLIT = re.compile(r"[・＝=\s･]+")
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")


def _is_abbreviation(text: str) -> bool:
    return bool(_ABBREVIATION.match(text.strip()))


def normalize_name(text: str) -> str:
    """NFKC, lower case, without spaces, 「」『』, ・, ＝, quotes, punctuation (as
    :func:`~extract.facts.make_key`), and without a parenthesized Latin abbreviation.

    >>> normalize_name("国際協力機構（JICA）")
    '国際協力機構'
    >>> normalize_name("カシム＝ジョマルト・トカエフ")
    'カシムジョマルトトカエフ'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _PAREN.sub(lambda m: "" if _is_abbreviation(m.group(1)) else m.group(0), text)
    return make_key(text)


def name_forms(name: str, aliases: Iterable[str] = ()) -> tuple[str, ...]:
    """Every normalized form a thing may be matched under: the name first, then its aliases
    and any abbreviation given in parentheses ("国際協力機構（JICA）" → "jica").

    >>> name_forms("一村一品（OVOP）", ["一村一品運動"])
    ('一村一品', 'ovop', '一村一品運動')
    """
    forms: list[str] = []
    for text in (name, *aliases):
        text = unicodedata.normalize("NFKC", text)
        candidates = [normalize_name(text)]
        candidates += [
            make_key(m.group(1)) for m in _PAREN.finditer(text) if _is_abbreviation(m.group(1))
        ]
        for form in candidates:
            if form and form not in forms:
                forms.append(form)
    return tuple(forms)


def _bigrams(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def dice(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two strings (multisets).

    >>> round(dice(normalize_name("日本・キルギス首脳会談"), normalize_name("日キルギス首脳会談")), 2)
    0.82
    """
    if a == b:
        return 1.0
    ba, bb = _bigrams(a), _bigrams(b)
    total = sum(ba.values()) + sum(bb.values())
    if not total:
        return 0.0
    return 2 * sum((ba & bb).values()) / total


# A match is ranked by (tier, closeness); the rule name says how it matched.
_Rank = tuple[int, float]


def name_match(a: Sequence[str], b: Sequence[str]) -> tuple[str, _Rank] | None:
    """How two named things match, given their names and aliases (``[name, *aliases]``).

    Rules, strongest first: ``exact`` (normalized names equal), ``alias`` (any normalized
    name or alias equal, abbreviations in parentheses included), ``contains`` (one form inside
    another, the shorter at least :data:`MIN_CONTAINED` characters), ``similar`` (bigram Dice of
    two forms at least :data:`MIN_DICE`). Returns ``(rule, rank)`` or ``None``.
    """
    fa, fb = name_forms(a[0], a[1:]), name_forms(b[0], b[1:])
    if not fa or not fb:
        return None
    if fa[0] == fb[0]:
        return "exact", (4, 1.0)
    if set(fa) & set(fb):
        return "alias", (3, 1.0)
    best_contained = 0.0
    best_dice = 0.0
    for x in fa:
        for y in fb:
            short, long = (x, y) if len(x) <= len(y) else (y, x)
            if len(short) >= MIN_CONTAINED and short in long:
                best_contained = max(best_contained, len(short) / len(long))
            best_dice = max(best_dice, dice(x, y))
    if best_contained:
        return "contains", (2, best_contained)
    if best_dice >= MIN_DICE:
        return "similar", (1, best_dice)
    return None


def _person_parts(name: str) -> tuple[str, tuple[str, ...], bool]:
    """(surname, given-name segments, written as one kanji token) of a person's name."""
    text = unicodedata.normalize("NFKC", name).strip()
    parts = [make_key(p) for p in _NAME_SPLIT.split(text)]
    parts = [p for p in parts if p]
    if not parts:
        return "", (), False
    if _KANJI.match(parts[0]):
        # Japanese (or Chinese) order: family name first.
        return parts[0], tuple(parts[1:]), len(parts) == 1
    return parts[-1], tuple(parts[:-1]), False


def _given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    if set(a) <= set(b) or set(b) <= set(a):
        return True
    ja, jb = "".join(a), "".join(b)
    return min(len(ja), len(jb)) >= 3 and edit_distance(ja, jb) <= 1


def person_match(
    predicted: Sequence[str],
    predicted_country: str | None,
    gold: Sequence[str],
    gold_country: str | None,
) -> str | None:
    """How a predicted person matches a gold person, or ``None``.

    ``predicted`` and ``gold`` are ``[name, *aliases]``. Rules: ``exact`` / ``alias``
    (normalized equality), else, when both countries are known and equal: ``surname`` (same
    family name, one side has no given name), ``given-name-variant`` (same family name, given
    names within one edit or one a subset of the other's segments), ``kanji-prefix`` (a
    Japanese name written without space, one the family-name prefix of the other).
    """
    rank = _person_rank(predicted, predicted_country, gold, gold_country)
    return rank[0] if rank else None


def _same_name(fp: Sequence[str], fg: Sequence[str]) -> tuple[str, _Rank] | None:
    """``exact`` (the names are equal) or ``alias`` (a name or alias of one is one of the other's)."""
    if not fp or not fg:
        return None
    if fp[0] == fg[0]:
        return "exact", (4, 1.0)
    if set(fp) & set(fg):
        return "alias", (3, 1.0)
    return None


def _person_rank(
    predicted: Sequence[str],
    predicted_country: str | None,
    gold: Sequence[str],
    gold_country: str | None,
) -> tuple[str, _Rank] | None:
    fp, fg = name_forms(predicted[0], predicted[1:]), name_forms(gold[0], gold[1:])
    same = _same_name(fp, fg)
    if same is not None or not fp or not fg:
        return same
    if not predicted_country or predicted_country != gold_country:
        return None
    best: tuple[str, _Rank] | None = None
    for p in predicted:
        sp, gp, kp = _person_parts(p)
        for g in gold:
            sg, gg, kg = _person_parts(g)
            found: tuple[str, _Rank] | None = None
            if sp and sp == sg and _given_compatible(gp, gg):
                if not gp or not gg:
                    found = "surname", (1, 0.5)
                else:
                    found = "given-name-variant", (2, 1.0)
            elif kp and kg and sp != sg and (sp.startswith(sg) or sg.startswith(sp)):
                found = "kanji-prefix", (1, 0.5)
            if found and (best is None or found[1] > best[1]):
                best = found
    return best


def organization_match(
    predicted: Sequence[str],
    predicted_country: str | None,
    gold: Sequence[str],
    gold_country: str | None,
) -> str | None:
    """How a predicted organization matches a gold one, or ``None``.

    ``exact`` / ``alias`` (normalized equality of any name or alias), else ``suffix``: one
    normalized name ends with the other, the shorter at least :data:`MIN_ORG_SUFFIX`
    characters, and both belong to the same (known) country — "日本国外務省" / "外務省" (JPN),
    "独立行政法人国際協力機構" / "国際協力機構". A longer *ending* names another body
    ("アジア開発銀行研究所" is not "アジア開発銀行"), so plain containment is not enough.
    """
    rank = _organization_rank(predicted, predicted_country, gold, gold_country)
    return rank[0] if rank else None


def _organization_rank(
    predicted: Sequence[str],
    predicted_country: str | None,
    gold: Sequence[str],
    gold_country: str | None,
) -> tuple[str, _Rank] | None:
    fp, fg = name_forms(predicted[0], predicted[1:]), name_forms(gold[0], gold[1:])
    same = _same_name(fp, fg)
    if same is not None or not fp or not fg:
        return same
    if not predicted_country or predicted_country != gold_country:
        return None
    best = 0.0
    for x in fp:
        for y in fg:
            short, long = (x, y) if len(x) <= len(y) else (y, x)
            if len(short) >= MIN_ORG_SUFFIX and long.endswith(short):
                best = max(best, len(short) / len(long))
    return ("suffix", (2, best)) if best else None


# --------------------------------------------------------------------------------------------
# Items to match: gold and predicted facts seen the same way
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One gold or predicted fact as the matcher sees it."""

    display: str
    names: tuple[str, ...] = ()  # [name, *aliases]
    country: str | None = None
    destination: str | None = None
    dates: Mapping[str, str | None] = field(default_factory=dict)  # field -> ISO
    agreement_type: str | None = None
    role: str | None = None  # persons and visitors: title as written
    optional: bool = False  # gold only: neither a fn when missed nor a tp when found
    key: str | None = None  # predicted only: the fact's or entity's key
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # parties, participants


def _iso(value: DateValue | None) -> str | None:
    return value.iso() if value is not None else None


def _span(start: str | None, end: str | None) -> str:
    if not start and not end:
        return ""
    if start == end or not end:
        return f" ({start})"
    return f" ({start or '?'}–{end})"


def _gold_items(gold: Mapping[str, Any]) -> dict[str, list[_Item]]:
    persons = [
        _Item(p["name"], (p["name"], *p["aliases"]), country=p["country"], role=p["role"])
        for p in gold["persons"]
    ]
    out: dict[str, list[_Item]] = {
        "countries": [_Item(c, (c,)) for c in dict.fromkeys(gold["countries"])],
        "persons": persons,
        "organizations": [
            _Item(o["name"], (o["name"], *o["aliases"]), country=o["country"])
            for o in gold["organizations"]
        ],
        "agreements": [
            _Item(
                a["name"] + _span(a["date"], None),
                (a["name"], *a["aliases"]),
                dates={"date": a["date"]},
                agreement_type=a["type"],
                optional=a["referenced_only"] is True,
                members={"parties": tuple(a["parties"]), "org_parties": tuple(a["org_parties"])},
            )
            for a in gold["agreements"]
        ],
        "programs": [_Item(p["name"], (p["name"], *p["aliases"])) for p in gold["programs"]],
    }
    visits = []
    for v in gold["visits"]:
        person = None
        if v["visitor"] is not None:
            visitor = set(name_forms(v["visitor"]))
            person = next(
                (p for p in persons if visitor & set(name_forms(p.names[0], p.names[1:]))), None
            )
        names = person.names if person else (v["visitor"],) if v["visitor"] else ()
        country = v["visitor_country"] or (person.country if person else None)
        who = v["visitor"] or f"({v['visitor_country'] or ''} {v['visitor_role'] or 'unnamed'})"
        visits.append(
            _Item(
                f"{who} → {v['destination']}{_span(v['start'], v['end'])}",
                names,
                country=country,
                destination=v["destination"],
                dates={"start": v["start"], "end": v["end"]},
                role=v["visitor_role"],
            )
        )
    out["visits"] = visits
    meetings = []
    for m in gold["meetings"]:
        if m["start"] is None and m["end"] is None:
            dates = {"date": m["date"]}
            when = _span(m["date"], None)
        else:  # multi-day: the gold may also give date = start; start and end are checked
            dates = {"start": m["start"] or m["date"], "end": m["end"]}
            when = _span(dates["start"], m["end"])
        meetings.append(
            _Item(
                m["name"] + when,
                (m["name"], *m["aliases"]),
                dates=dates,
                members={"participants": tuple(m["participants"])},
            )
        )
    out["meetings"] = meetings
    return out


def _predicted_items(facts: DocumentFacts) -> dict[str, list[_Item]]:
    by_kind: dict[str, list[_Item]] = {"country": [], "person": [], "organization": []}
    people = {}
    for e in facts.entities:
        if e.kind == "country":
            if all(i.display != e.key for i in by_kind["country"]):
                by_kind["country"].append(_Item(e.key, (e.key,)))
        elif e.kind in ("person", "organization"):
            item = _Item(e.label, (e.label, *e.aliases), country=e.country, role=e.role, key=e.key)
            by_kind[e.kind].append(item)
            if e.kind == "person":
                people[e.key] = item
    visits = []
    for v in facts.visits:
        person = people.get(v.visitor)
        names = person.names if person else (v.visitor,)
        country = v.visitor_country or (person.country if person else None)
        start, end = _iso(v.start), _iso(v.end)
        visits.append(
            _Item(
                f"{names[0]} → {v.destination}{_span(start, end)}",
                names,
                country=country,
                destination=v.destination,
                dates={"start": start, "end": end},
                role=person.role if person else None,
            )
        )
    meetings = []
    for m in facts.meetings:
        date, start, end = _iso(m.date), _iso(m.start), _iso(m.end)
        when = _span(date, None) if date else _span(start, end)
        meetings.append(
            _Item(
                m.label + when,
                (m.label,),
                dates={"date": date, "start": start, "end": end},
                key=m.key,
                members={"participants": m.participants},
            )
        )
    return {
        "countries": by_kind["country"],
        "persons": by_kind["person"],
        "organizations": by_kind["organization"],
        "agreements": [
            _Item(
                a.label + _span(_iso(a.date), None),
                (a.label,),
                dates={"date": _iso(a.date)},
                agreement_type=a.agreement_type,
                key=a.key,
                members={"parties": a.parties},
            )
            for a in facts.agreements
        ],
        "visits": visits,
        "meetings": meetings,
        "programs": [_Item(p.label, (p.label, *p.aliases)) for p in facts.programs],
    }


def _predicted_date(category: str, item: _Item, key: str) -> str | None:
    """The predicted value compared with the gold ``key`` date.

    A single-day meeting may be predicted as ``date`` or as ``start`` (with no or the same
    ``end``); a multi-day one is compared field by field, ``start`` falling back to ``date``.
    """
    d = item.dates
    if category == "meetings":
        if key == "date":
            if d.get("date"):
                return d["date"]
            if d.get("start") and d.get("end") in (None, d.get("start")):
                return d["start"]
            return None
        if key == "start":
            return d.get("start") or d.get("date")
        return d.get("end")
    return d.get(key)


def _date_bonus(category: str, gold: _Item, predicted: _Item) -> int:
    return sum(
        1
        for key, value in gold.dates.items()
        if value is not None and _predicted_date(category, predicted, key) == value
    )


def _rank(category: str, gold: _Item, predicted: _Item) -> tuple[str, _Rank] | None:
    if category == "countries":
        return ("exact", (4, 1.0)) if gold.display == predicted.display else None
    if category == "persons":
        return _person_rank(predicted.names, predicted.country, gold.names, gold.country)
    if category == "organizations":
        return _organization_rank(predicted.names, predicted.country, gold.names, gold.country)
    if category == "visits":
        if gold.destination != predicted.destination:
            return None
        return _visitor_rank(category, gold, predicted)
    return name_match(predicted.names, gold.names)


def _visitor_rank(category: str, gold: _Item, predicted: _Item) -> tuple[str, _Rank] | None:
    """How the visitors of two visits match, whatever their destinations."""
    if not gold.names:
        return _unnamed_visitor_rank(gold, predicted)
    return _person_rank(predicted.names, predicted.country, gold.names, gold.country)


def _unnamed_visitor_rank(gold: _Item, predicted: _Item) -> tuple[str, _Rank] | None:
    """A gold visit whose visitor the text does not name (``visitor: null``, ``visitor_role``).

    Matches a predicted visit to the same destination by a visitor of the same country, whose
    role (when both are known) contains the gold one or is contained in it.
    """
    if not gold.country or gold.country != predicted.country:
        return None
    if gold.role and predicted.role:
        g, p = make_key(gold.role), make_key(predicted.role)
        if g not in p and p not in g:
            return None
    return "unnamed-visitor", (1, 0.5)


def _assign(
    category: str,
    gold: Sequence[_Item],
    predicted: Sequence[_Item],
    rank: Callable[[str, _Item, _Item], tuple[str, _Rank] | None] = _rank,
) -> list[tuple[int, int, str]]:
    """Greedy one-to-one assignment, best candidate pair first (pairs that ``rank`` accepts).

    Pairs are ranked by rule tier, then (for dated facts) by how many gold dates the
    prediction gets right, then by closeness; ties go to required before optional gold, then
    to the earlier gold, then the earlier predicted item, so the result is deterministic.
    """
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            found = rank(category, g, p)
            if found is None:
                continue
            rule, (tier, closeness) = found
            key = (-tier, -_date_bonus(category, g, p), -closeness, g.optional, gi, pi)
            candidates.append((key, gi, pi, rule))
    candidates.sort(key=lambda c: c[0])
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for _, gi, pi, rule in candidates:
        if gi in used_gold or pi in used_predicted:
            continue
        used_gold.add(gi)
        used_predicted.add(pi)
        pairs.append((gi, pi, rule))
    return sorted(pairs)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Score:
    """True positives, false positives and false negatives, with P / R / F1.

    Precision is ``None`` when nothing was predicted, recall ``None`` when the gold has
    nothing; F1 is ``None`` only when both are (nothing to score), else 0 without a tp.

    >>> s = Score(tp=2, fp=1, fn=2)
    >>> round(s.precision, 3), s.recall, round(s.f1, 3)
    (0.667, 0.5, 0.571)
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        if self.tp + self.fp + self.fn == 0:
            return None
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class Match:
    """A gold item and the prediction it was paired with, and the rule that paired them."""

    document: str
    category: str
    gold: str
    predicted: str
    rule: str
    optional: bool = False  # the gold item is optional (not counted)


@dataclass(frozen=True)
class Miss:
    """A false positive (``kind="fp"``: predicted, not in gold) or a false negative (``"fn"``)."""

    document: str
    category: str
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}  {self.document}  {self.name}"


@dataclass(frozen=True)
class AttributeCheck:
    """One gold attribute of a matched fact and what the extractor gave for it.

    Values are compared as the strings shown: a set as ``{JPN,LAO}`` (sorted), a role after
    NFKC and without spaces. ``gold`` is ``None`` where the gold does not set the attribute; a
    check is then kept only to count a value the extractor invented.

    >>> str(AttributeCheck("doc", "agreements", "覚書", "parties", "{JPN,LAO}", "{JPN}"))
    'parties  [agreements]  doc  覚書  gold {JPN,LAO}  <=  predicted {JPN}'
    """

    document: str
    category: str
    item: str  # the gold item, as displayed in matches
    field: str  # see ATTRIBUTES
    gold: str | None
    predicted: str | None

    @property
    def correct(self) -> bool:
        return self.gold is not None and self.predicted == self.gold

    @property
    def name(self) -> str:
        """The attribute as reported: ``"agreements.parties"``."""
        return f"{self.category}.{self.field}"

    def __str__(self) -> str:
        gold = "null" if self.gold is None else self.gold
        predicted = "null" if self.predicted is None else self.predicted
        return (
            f"{self.field}  [{self.category}]  {self.document}  {self.item}"
            f"  gold {gold}  <=  predicted {predicted}"
        )


@dataclass(frozen=True)
class DateCheck(AttributeCheck):
    """One gold date of a matched fact (``field``: date | start | end) and what the extractor
    gave for it."""


@dataclass(frozen=True)
class Accuracy:
    """``correct`` of ``n`` checks; ``invented``: a date predicted where the gold has null."""

    n: int = 0
    correct: int = 0
    invented: int = 0

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.n)

    @classmethod
    def of(cls, checks: Iterable[AttributeCheck]) -> Accuracy:
        """The accuracy of ``checks``: those whose gold is set are scored, the others count
        as invented when a value was predicted."""
        checks = list(checks)
        scored = [c for c in checks if c.gold is not None]
        return cls(
            n=len(scored),
            correct=sum(c.correct for c in scored),
            invented=sum(1 for c in checks if c.gold is None and c.predicted is not None),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "invented": self.invented,
        }


@dataclass(frozen=True)
class DocumentResult:
    """The scores, matches and misses of one document."""

    document: str  # file stem
    scores: Mapping[str, Score]  # CATEGORIES and "dates"
    matches: tuple[Match, ...] = ()
    misses: tuple[Miss, ...] = ()
    date_checks: tuple[DateCheck, ...] = ()
    attribute_checks: tuple[AttributeCheck, ...] = ()  # the other ATTRIBUTES than dates


def evaluate_document(facts: DocumentFacts, gold: Mapping[str, Any]) -> DocumentResult:
    """Score one document's facts against its (validated) gold annotations."""
    stem = Path(facts.document.source).stem
    gold_items, predicted_items = _gold_items(gold), _predicted_items(facts)
    scores: dict[str, Score] = {}
    matches: list[Match] = []
    misses: list[Miss] = []
    date_checks: list[DateCheck] = []
    attribute_checks: list[AttributeCheck] = []
    pairs_of: dict[str, list[tuple[int, int, str]]] = {}
    for category in CATEGORIES:
        g_items, p_items = gold_items[category], predicted_items[category]
        pairs = pairs_of[category] = _assign(category, g_items, p_items)
        matched_g = {gi for gi, _, _ in pairs}
        matched_p = {pi for _, pi, _ in pairs}
        scores[category] = Score(
            tp=sum(1 for gi, _, _ in pairs if not g_items[gi].optional),
            fp=len(p_items) - len(matched_p),
            fn=sum(1 for gi, g in enumerate(g_items) if gi not in matched_g and not g.optional),
        )
        for gi, pi, rule in pairs:
            g, p = g_items[gi], p_items[pi]
            matches.append(Match(stem, category, g.display, p.display, rule, g.optional))
            if g.optional:
                continue
            if category in DATE_CATEGORIES:
                for key, value in g.dates.items():
                    date_checks.append(
                        DateCheck(
                            stem, category, g.display, key, value, _predicted_date(category, p, key)
                        )
                    )
            attribute_checks += _attribute_checks(
                stem,
                category,
                g,
                p,
                gold_items["organizations"],
                predicted_items["organizations"],
                pairs_of.get("organizations", []),
            )
        if category == "visits":
            attribute_checks += _destination_checks(stem, g_items, p_items, pairs)
        misses += [
            Miss(stem, category, "fp", p.display)
            for pi, p in enumerate(p_items)
            if pi not in matched_p
        ]
        misses += [
            Miss(stem, category, "fn", g.display)
            for gi, g in enumerate(g_items)
            if gi not in matched_g and not g.optional
        ]
    gold_dates = set(gold["dates"])
    predicted_dates = {d.iso() for d in facts.dates}
    scores["dates"] = Score(
        len(gold_dates & predicted_dates),
        len(predicted_dates - gold_dates),
        len(gold_dates - predicted_dates),
    )
    misses += [Miss(stem, "dates", "fp", d) for d in sorted(predicted_dates - gold_dates)]
    misses += [Miss(stem, "dates", "fn", d) for d in sorted(gold_dates - predicted_dates)]
    if gold.get("partnerships") is not None:  # partnership ledger (issue 12): its own row, not in "all"
        scores["partnerships"], p_matches, p_misses, p_checks = _partnership_result(stem, facts, gold)
        matches += p_matches
        misses += p_misses
        attribute_checks += p_checks
    return DocumentResult(
        stem, scores, tuple(matches), tuple(misses), tuple(date_checks), tuple(attribute_checks)
    )


def _text_value(value: str | None) -> str | None:
    """A value as written, compared after NFKC and without spaces (``"外務 大臣"`` = ``"外務大臣"``)."""
    if value is None:
        return None
    return "".join(unicodedata.normalize("NFKC", value).split()) or None


def _set_value(values: Iterable[str]) -> str:
    """A set shown (and compared) as ``{A,B}``, sorted."""
    return "{" + ",".join(sorted(set(values))) + "}"


def _organization_party(
    names: Sequence[str],
    gold_orgs: Sequence[_Item],
    paired_gold: _Item | None = None,
) -> str:
    """How an organization party is compared: the name of the gold organization it is (the
    one its predicted entity was matched to, else one sharing a name or alias), else its own
    normalized name."""
    if paired_gold is not None:
        return paired_gold.names[0]
    forms = set(name_forms(names[0], names[1:]))
    for g in gold_orgs:
        if forms & set(name_forms(g.names[0], g.names[1:])):
            return g.names[0]
    return normalize_name(names[0])


def _gold_type(gold: str, predicted: str | None) -> str | None:
    """The predicted type in the gold's terms: ANNOTATION.md has no ``declaration`` type, so a
    gold file may write a 宣言 as ``joint_statement``; the extractor keeps the contract's
    ``bkg:Declaration``, and the two count as one when the gold says ``joint_statement``."""
    if gold == "joint_statement" and predicted == "declaration":
        return "joint_statement"
    return predicted


def _attribute_checks(
    stem: str,
    category: str,
    g: _Item,
    p: _Item,
    gold_orgs: Sequence[_Item],
    predicted_orgs: Sequence[_Item],
    org_pairs: Sequence[tuple[int, int, str]],
) -> list[AttributeCheck]:
    """The checks of the non-date :data:`ATTRIBUTES` of one matched pair (gold ``g``, predicted
    ``p``). Sets are checked only where the gold gives one (an empty gold list may mean "not
    annotated"); a role or country also where only the prediction gives one (invented)."""
    out: list[AttributeCheck] = []

    def check(field: str, gold: str | None, predicted: str | None) -> None:
        if gold is not None or predicted is not None:
            out.append(AttributeCheck(stem, category, g.display, field, gold, predicted))

    if category == "agreements":
        if g.agreement_type is not None:
            check("type", g.agreement_type, _gold_type(g.agreement_type, p.agreement_type))
        keys = p.members.get("parties", ())
        countries = [k for k in keys if _ISO3.match(k)]
        gold_countries = [k for k in g.members.get("parties", ()) if _ISO3.match(k)]
        gold_bodies = [
            *(k for k in g.members.get("parties", ()) if not _ISO3.match(k)),
            *g.members.get("org_parties", ()),
        ]
        if gold_countries:
            check("parties", _set_value(gold_countries), _set_value(countries))
        if gold_bodies:
            by_key = {o.key: (i, o) for i, o in enumerate(predicted_orgs)}
            paired = {pi: gold_orgs[gi] for gi, pi, _ in org_pairs}
            predicted = []
            for key in keys:
                if _ISO3.match(key):
                    continue
                i, o = by_key.get(key, (None, None))
                names = o.names if o is not None else (key,)
                predicted.append(_organization_party(names, gold_orgs, paired.get(i)))
            gold = [_organization_party((n,), gold_orgs) for n in gold_bodies]
            check("org_parties", _set_value(gold), _set_value(predicted))
    elif category == "persons":
        check("role", _text_value(g.role), _text_value(p.role))
        check("country", g.country, p.country)
    elif category == "meetings" and g.members.get("participants"):
        gold = [k for k in g.members["participants"] if _ISO3.match(k)]
        predicted = [k for k in p.members.get("participants", ()) if _ISO3.match(k)]
        check("participants", _set_value(gold), _set_value(predicted))
    elif category == "visits":
        check("destination", g.destination, p.destination)
    return out


def _destination_checks(
    stem: str,
    gold: Sequence[_Item],
    predicted: Sequence[_Item],
    pairs: Sequence[tuple[int, int, str]],
) -> list[AttributeCheck]:
    """Destination checks of the visits the matching left unpaired.

    A visit is matched only to one with the same destination, so a matched visit always has
    the right one. A gold visit left unmatched whose visitor the extractor did see travelling
    (an unmatched predicted visit by the same visitor, paired as the visits are, dates first,
    but whatever the destination) is a visit with the wrong destination.
    """
    matched_g = {gi for gi, _, _ in pairs}
    matched_p = {pi for _, pi, _ in pairs}
    rest_g = [gi for gi, g in enumerate(gold) if gi not in matched_g and not g.optional]
    rest_p = [pi for pi in range(len(predicted)) if pi not in matched_p]
    found = _assign(
        "visits", [gold[i] for i in rest_g], [predicted[i] for i in rest_p], _visitor_rank
    )
    return [
        AttributeCheck(
            stem,
            "visits",
            gold[rest_g[a]].display,
            "destination",
            gold[rest_g[a]].destination,
            predicted[rest_p[b]].destination,
        )
        for a, b, _ in found
    ]


def _fmt(value: float | None) -> str:
    return "    —" if value is None else f"{value:5.3f}"


@dataclass(frozen=True)
class EvalReport:
    """Scores of a set of documents against their gold, micro-averaged over documents.

    ``skipped``: documents extracted but without a gold file. ``gold_only``: gold files whose
    document was not among the facts (not scored by :func:`evaluate`). ``failed``: documents
    that could not be extracted (``name: reason``); :func:`run_eval` scores them as empty.
    """

    documents: tuple[DocumentResult, ...]
    skipped: tuple[str, ...] = ()
    gold_only: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    events: EventReport | None = None  # diplomatic event coding (issue 12), its own table

    def totals(self) -> dict[str, Score]:
        """Micro-averaged scores: the categories, ``"all"`` (their sum) and ``"dates"``."""
        out = {c: Score() for c in (*CATEGORIES, "dates")}
        for doc in self.documents:
            out = {c: score + doc.scores[c] for c, score in out.items()}
        out["all"] = sum((out[c] for c in CATEGORIES), Score())
        return out

    def partnership_score(self) -> Score:
        """Partnerships (issue 12), micro-averaged over the documents whose gold has the field;
        reported on its own row, in neither ``"all"`` nor the macro F1."""
        return sum((d.scores["partnerships"] for d in self.documents if "partnerships" in d.scores), Score())

    def partnership_documents(self) -> int:
        """How many documents have a ``partnerships`` gold field (the others are not scored for it)."""
        return sum(1 for d in self.documents if "partnerships" in d.scores)

    def macro_f1(self) -> float | None:
        """The mean F1 of the seven categories (those with anything to score), or ``None``."""
        totals = self.totals()
        scores = [f1 for c in CATEGORIES if (f1 := totals[c].f1) is not None]
        return sum(scores) / len(scores) if scores else None

    def date_accuracy(self) -> dict[str, Accuracy]:
        """Exact-date accuracy on matched agreements, visits and meetings, and ``"all"``."""
        return {
            category: Accuracy.of(
                c for d in self.documents for c in d.date_checks if category in ("all", c.category)
            )
            for category in (*DATE_CATEGORIES, "all")
        }

    def checks(self) -> list[AttributeCheck]:
        """Every attribute check, dates included, in :data:`ATTRIBUTES` order, then document order."""
        order = {f"{c}.{f}": i for i, (c, f) in enumerate(ATTRIBUTES)}
        checks = [c for d in self.documents for c in (*d.attribute_checks, *d.date_checks)]
        return sorted(checks, key=lambda c: order.get(c.name, len(order)))

    def attribute_accuracy(self) -> dict[str, Accuracy]:
        """Accuracy of each of :data:`ATTRIBUTES` on the matched facts, keyed
        ``"category.field"`` (``"agreements.parties"``); ``Accuracy.accuracy`` and ``.n``."""
        checks = self.checks()
        return {
            f"{category}.{field}": Accuracy.of(
                c for c in checks if c.category == category and c.field == field
            )
            for category, field in ATTRIBUTES
        }

    def type_accuracy(self) -> Accuracy:
        """Agreement-type accuracy on matched agreements whose gold type is set."""
        return self.attribute_accuracy()["agreements.type"]

    def attribute_errors(self, category: str) -> list[AttributeCheck]:
        """The wrong and the invented attribute values of matched facts of ``category``
        (``"all"``: every category; ``"dates"``: the dates of every category)."""
        _check_category(category)
        return [
            c
            for c in self.checks()
            if not c.correct
            and (c.gold is not None or c.predicted is not None)
            and (
                category in ("all", c.category) or (category == "dates" and c.field in _DATE_FIELDS)
            )
        ]

    def per_document(self) -> dict[str, dict[str, Score]]:
        """``{document stem: {category: Score}}``, categories as in :meth:`totals`."""
        out = {}
        for doc in self.documents:
            scores = dict(doc.scores)
            scores["all"] = sum((scores[c] for c in CATEGORIES), Score())
            out[doc.document] = scores
        return out

    def errors(self, category: str) -> list[Miss]:
        """False positives then false negatives of ``category`` (``"all"``: every category)."""
        _check_category(category)
        misses = [
            m
            for d in self.documents
            for m in d.misses
            if category == "all" or m.category == category
        ]
        return [m for m in misses if m.kind == "fp"] + [m for m in misses if m.kind == "fn"]

    def matches(self, category: str) -> list[Match]:
        """The matched pairs of ``category`` with the rule that matched them."""
        _check_category(category)
        return [m for d in self.documents for m in d.matches if category in ("all", m.category)]

    def to_table(self) -> str:
        """A fixed-width table: P / R / F1 and tp / fp / fn per category, then date accuracy."""
        lines = [f"{len(self.documents)} document(s) scored"]
        header = f"{'category':<14} {'P':>5} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"
        lines += ["", header, "-" * len(header)]
        totals = self.totals()
        for category in (*CATEGORIES, "all", "dates"):
            if category in ("all", "dates"):
                lines.append("-" * len(header))
            s = totals[category]
            label = {"all": "all facts", "dates": "dates (set)"}.get(category, category)
            lines.append(
                f"{label:<14} {_fmt(s.precision)} {_fmt(s.recall):>6} {_fmt(s.f1):>6}"
                f" {s.tp:>5} {s.fp:>5} {s.fn:>5}"
            )
            if category == "all":
                lines.append(f"{'macro F1':<14} {'':>5} {'':>6} {_fmt(self.macro_f1()):>6}")
            if category == "dates" and self.partnership_documents():  # issue 12, not in the macro F1
                s = self.partnership_score()
                lines.append(
                    f"{'partnerships':<14} {_fmt(s.precision)} {_fmt(s.recall):>6} {_fmt(s.f1):>6}"
                    f" {s.tp:>5} {s.fp:>5} {s.fn:>5}"
                )
        header = f"{'date accuracy':<14} {'acc':>5} {'n':>6} {'invented':>9}"
        lines += ["", header, "-" * len(header)]
        for category, acc in self.date_accuracy().items():
            lines.append(f"{category:<14} {_fmt(acc.accuracy)} {acc.n:>6} {acc.invented:>9}")
        types = self.type_accuracy()
        lines.append(f"{'agreement type':<14} {_fmt(types.accuracy)} {types.n:>6}")
        header = f"{'attribute accuracy':<24} {'acc':>5} {'n':>6} {'invented':>9}"
        lines += ["", header, "-" * len(header)]
        for name, acc in self.attribute_accuracy().items():
            lines.append(f"{name:<24} {_fmt(acc.accuracy)} {acc.n:>6} {acc.invented:>9}")
        if self.events is not None:  # diplomatic event coding (issue 12): its own table
            lines += ["", self.events.to_table()]
        for title, names in (
            ("skipped (no gold)", self.skipped),
            ("gold without facts (not scored)", self.gold_only),
            ("failed to extract (scored as empty)", self.failed),
        ):
            if names:
                lines += ["", f"{title}:"] + [f"  {n}" for n in names]
        return "\n".join(lines)

    def per_document_table(self) -> str:
        """One line per document: F1 of every category (and all facts)."""
        cols = (*CATEGORIES, "all", "dates")
        short = {"organizations": "orgs", "agreements": "agreem", "countries": "countr"}
        width = max([len(d.document) for d in self.documents] + [8])
        lines = [f"{'document':<{width}} " + " ".join(f"{short.get(c, c)[:6]:>6}" for c in cols)]
        for stem, scores in self.per_document().items():
            lines.append(f"{stem:<{width}} " + " ".join(f"{_fmt(scores[c].f1):>6}" for c in cols))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """Everything in the table, per document too, as plain JSON-able values."""
        return {
            "documents": [d.document for d in self.documents],
            "skipped": list(self.skipped),
            "gold_only": list(self.gold_only),
            "failed": list(self.failed),
            "scores": {c: s.to_json() for c, s in self.totals().items()},
            "date_accuracy": {c: a.to_json() for c, a in self.date_accuracy().items()},
            "agreement_type_accuracy": self.type_accuracy().to_json(),
            "macro_f1": self.macro_f1(),
            "partnerships": {**self.partnership_score().to_json(), "documents": self.partnership_documents()},
            "attribute_accuracy": {n: a.to_json() for n, a in self.attribute_accuracy().items()},
            "events": self.events.to_json() if self.events is not None else None,  # issue 12
            "per_document": {
                stem: {c: s.to_json() for c, s in scores.items()}
                for stem, scores in self.per_document().items()
            },
        }


def _check_category(category: str) -> None:
    if category not in (*CATEGORIES, "dates", "all", "partnerships"):
        raise ValueError(
            f"unknown category {category!r}: one of {', '.join((*CATEGORIES, 'dates', 'all'))}"
        )


def evaluate(
    facts: Sequence[DocumentFacts],
    gold: Mapping[str, Mapping[str, Any]],
    *,
    failed: Sequence[str] = (),
) -> EvalReport:
    """Score ``facts`` against ``gold`` (as returned by :func:`load_gold`).

    Each :class:`DocumentFacts` is paired with the gold of ``Path(document.source).stem``;
    documents without gold are skipped and listed in ``EvalReport.skipped``, gold without
    facts is listed in ``EvalReport.gold_only``. ``failed`` is passed through to the report.
    """
    results = []
    skipped = []
    seen = set()
    for doc in facts:
        stem = Path(doc.document.source).stem
        if stem not in gold:
            skipped.append(doc.document.source)
            continue
        seen.add(stem)
        results.append(evaluate_document(doc, gold[stem]))
    gold_only = tuple(sorted(set(gold) - seen))
    return EvalReport(tuple(results), tuple(skipped), gold_only, tuple(failed))


def built_facts(facts: Sequence[DocumentFacts]) -> list[DocumentFacts]:
    """The facts as the graph receives them from extraction: what :func:`kg.build.build` does
    between :func:`extract.pipeline.extract_paths` (which already resolves entities across the
    documents with :func:`extract.resolve.resolve_corpus`) and ``build_graph``: one date per
    resource (:func:`extract.resolve.graph_facts`, which the build calls too)."""
    from .resolve import graph_facts

    return graph_facts(list(facts))


def _empty_facts(path: Path) -> DocumentFacts:
    document = Document(
        source=path.name, doc_id="", text="", title="", date=None, doc_type="other", passages=()
    )
    return DocumentFacts(document)


def corpus_documents(gold: Iterable[str], corpus_dir: Path) -> tuple[list[Path], list[str]]:
    """The corpus files whose stem has gold (one per stem, ``.txt`` first), and stems without one."""
    found: dict[str, Path] = {}
    stems = set(gold)
    for suffix in _SOURCE_SUFFIXES:
        for path in sorted(Path(corpus_dir).glob(f"*{suffix}")):
            if path.stem in stems and path.stem not in found:
                found[path.stem] = path
    return [found[s] for s in sorted(found)], sorted(stems - set(found))


def _has_documents(folder: Path) -> bool:
    """True when the gold folder holds its documents too (``data/devset/NAME.txt`` beside ``NAME.json``)."""
    return any(
        path.with_suffix(suffix).exists()
        for path in folder.glob("*.json")
        for suffix in _SOURCE_SUFFIXES
    )


def run_eval(
    gold_dir: Path,
    corpus_dir: Path | None = None,
    nlp: Language | None = None,
    *,
    progress: bool = False,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    extract: Callable[..., tuple[list[DocumentFacts], list[Any]]] | None = None,
    built: bool = False,
) -> EvalReport:
    """Extract the corpus documents that have gold and score them.

    ``built``: score the facts the graph is built from, as ``bkg build CORPUS`` writes them,
    instead of the documents' own facts: every document of the corpus folder is extracted
    together (so :func:`extract.resolve.resolve_corpus`, which extraction applies, resolves
    persons and labels across all of them), then :func:`extract.resolve.unify_dates` gives
    each resource the most precise date any document gives, as :func:`kg.build.build` does.
    Documents without gold are then listed in ``EvalReport.skipped``.

    ``corpus_dir`` defaults to ``gold_dir`` itself when the documents sit beside their gold
    (``data/devset``), else to ``data/corpus`` beside ``gold_dir`` (``data/gold``). Documents
    that fail to extract are scored as empty (every gold fact a false negative) and listed in
    ``EvalReport.failed``; gold files without a corpus document are listed in ``gold_only``.
    ``progress``, ``cache_dir`` and ``use_cache`` are passed to
    :func:`extract.pipeline.extract_paths`; ``extract`` replaces that function (for tests).
    Raises :class:`GoldError` for an invalid gold file or a gold folder without any.
    """
    gold_dir = Path(gold_dir)
    gold = load_gold(gold_dir)
    if not gold:
        raise GoldError(f"{gold_dir}: no gold files (*.json)")
    if corpus_dir is None:
        corpus_dir = gold_dir if _has_documents(gold_dir) else gold_dir.parent / "corpus"
    corpus_dir = Path(corpus_dir)
    paths, missing = corpus_documents(gold, corpus_dir)
    if extract is None:
        from .pipeline import extract_paths as extract
    facts: list[DocumentFacts] = []
    errors: list[Any] = []
    if paths:
        facts, errors = extract(
            [corpus_dir] if built else paths,
            nlp=nlp,
            progress=progress,
            cache_dir=cache_dir,
            use_cache=use_cache,
        )
    if built:
        facts = built_facts(facts)
    done = {Path(f.document.source).stem for f in facts}
    failed = []
    for path in paths:
        if path.stem not in done:
            reason = next((str(e) for e in errors if path.name in str(e)), "not extracted")
            failed.append(f"{path.name}: {reason}")
            facts = [*facts, _empty_facts(path)]
    report = evaluate(facts, gold, failed=failed)
    events = None  # diplomatic event coding (issue 12): documents with an event gold file
    event_gold = load_event_gold(event_gold_dir(gold_dir)) if event_gold_dir(gold_dir).is_dir() else {}
    if any(Path(f.document.source).stem in event_gold for f in facts):
        events = evaluate_events(facts, event_gold)
    return EvalReport(report.documents, report.skipped, tuple(missing), report.failed, events)


# --------------------------------------------------------------------------------------------
# Partnership ledger (issue 12)
# --------------------------------------------------------------------------------------------

_PARTNER_CODE = re.compile(r"^[A-Z][A-Z0-9]{2,5}$")  # ISO3, or a group code (CA5, ASEAN)
_PARTNERSHIP_STATUSES = ("established", "upgraded", "reaffirmed", "referenced")


def _gold_partnerships(gold: Mapping[str, Any], stem: str) -> list[dict[str, Any]]:
    items = gold.get("partnerships") or []
    if not isinstance(items, list):
        raise _fail(stem, "partnerships", "a list", items)
    for i, item in enumerate(items):
        where = f"partnerships[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _fail(stem, where, "an object with a 'name'", item)
        countries = item.get("countries")
        if not isinstance(countries, list) or not all(isinstance(c, str) and _PARTNER_CODE.match(c) for c in countries):
            raise _fail(stem, f"{where}.countries", "a list of ISO3 (or group) codes", countries)
        if item.get("status") not in _PARTNERSHIP_STATUSES:
            raise _fail(stem, f"{where}.status", f"one of {', '.join(_PARTNERSHIP_STATUSES)}", item.get("status"))
    return items


def _partnership_result(
    stem: str, facts: DocumentFacts, gold: Mapping[str, Any]
) -> tuple[Score, list[Match], list[Miss], list[AttributeCheck]]:
    """Partnerships matched one-to-one on the set of partners and the normalized level
    (:func:`extract.partnerships.level_of` of the gold name); the status of each matched pair
    is an attribute check (``partnerships.status``)."""
    from .partnerships import level_of

    def level(name: str) -> str:
        found = level_of(name)
        return found.key if found is not None else make_key(name)

    gold_items = [
        (tuple(sorted(set(g["countries"]))), level(g["name"]), g) for g in _gold_partnerships(gold, stem)
    ]
    predicted = list(getattr(facts, "partnerships", ()) or ())
    used: set[int] = set()
    matches: list[Match] = []
    misses: list[Miss] = []
    checks: list[AttributeCheck] = []
    tp = 0
    for partners, lv, g in gold_items:
        shown = f"{g['name']} {{{','.join(partners)}}}"
        pi = next(
            (i for i, p in enumerate(predicted)
             if i not in used and tuple(sorted(p.partners)) == partners and p.level == lv),
            None,
        )
        if pi is None:
            misses.append(Miss(stem, "partnerships", "fn", shown))
            continue
        used.add(pi)
        tp += 1
        p = predicted[pi]
        matches.append(Match(stem, "partnerships", shown, f"{p.label} {{{','.join(p.partners)}}}", "partners+level"))
        checks.append(AttributeCheck(stem, "partnerships", shown, "status", g["status"], p.status))
    fps = [p for i, p in enumerate(predicted) if i not in used]
    misses = [Miss(stem, "partnerships", "fp", f"{p.label} {{{','.join(p.partners)}}}") for p in fps] + misses
    return Score(tp=tp, fp=len(fps), fn=len(gold_items) - tp), matches, misses, checks


# --- diplomatic event coding (issue 12) -------------------------------------------------------
#
# Gold: data/gold/events/<document stem>.json (format in data/gold/events/README.md), one file per
# annotated document of the sample corpus or the development set. The unit is (document,
# sentence, PLOVER code): a predicted event matches a gold one when the codes are equal and the
# predicted sentence contains the gold "sentence" (or the gold one contains the predicted one),
# both compared after NFKC without whitespace. Units are sets: one sentence with two predicates
# of one code is one unit, on either side. Only documents with an event gold file are scored.

EVENT_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
_SPACE = re.compile(r"\s+")


def _event_text(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def event_gold_dir(gold_dir: Path | None = None) -> Path:
    """Where event gold is read: ``GOLD/events`` when it exists, else ``data/gold/events``."""
    if gold_dir is not None and (Path(gold_dir) / "events").is_dir():
        return Path(gold_dir) / "events"
    from .resources import data_dir

    return data_dir() / "gold" / "events"


def load_event_gold(directory: Path) -> dict[str, list[tuple[str, str]]]:
    """``{document stem: [(sentence, code), …]}`` of every event gold file in ``directory``.

    Raises :class:`GoldError` for a file that is not in the documented shape."""
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise GoldError(f"{path}: not valid JSON ({err})") from err
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            raise GoldError(f"{path}: expected an object with an 'events' list")
        items = []
        for i, ev in enumerate(events):
            if not isinstance(ev, dict) or not isinstance(ev.get("sentence"), str) or ev.get("code") not in EVENT_TYPES:
                raise GoldError(f"{path}: events[{i}] needs a 'sentence' and a PLOVER 'code' ({', '.join(EVENT_TYPES)})")
            items.append((ev["sentence"], ev["code"]))
        out[str(data.get("document") or path.stem)] = items
    return out


@dataclass(frozen=True)
class EventMiss:
    """A false positive (predicted, not in gold) or false negative of the event coding."""

    document: str
    kind: str  # "fp" or "fn"
    code: str
    sentence: str
    predicate: str = ""


@dataclass(frozen=True)
class EventReport:
    """P / R / F1 per PLOVER type over the documents with event gold, and the macro F1."""

    documents: tuple[str, ...]
    scores: tuple[tuple[str, Score], ...]  # (type, Score) for every type seen in gold or predicted
    misses: tuple[EventMiss, ...] = ()

    def score(self, code: str) -> Score:
        return dict(self.scores).get(code, Score())

    def total(self) -> Score:
        return sum((s for _, s in self.scores), Score())

    def macro_f1(self) -> float | None:
        """Mean F1 over the types that have gold events."""
        f1s = [s.f1 for _, s in self.scores if s.tp + s.fn and s.f1 is not None]
        return sum(f1s) / len(f1s) if f1s else None

    def to_table(self) -> str:
        header = f"{'event type':<14} {'P':>5} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"
        lines = [f"diplomatic events (PLOVER): {len(self.documents)} document(s) with event gold", header, "-" * len(header)]
        for code, s in self.scores:
            lines.append(f"{code:<14} {_fmt(s.precision)} {_fmt(s.recall):>6} {_fmt(s.f1):>6} {s.tp:>5} {s.fp:>5} {s.fn:>5}")
        s = self.total()
        lines.append("-" * len(header))
        lines.append(f"{'all events':<14} {_fmt(s.precision)} {_fmt(s.recall):>6} {_fmt(s.f1):>6} {s.tp:>5} {s.fp:>5} {s.fn:>5}")
        lines.append(f"{'macro F1':<14} {'':>5} {'':>6} {_fmt(self.macro_f1()):>6}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": list(self.documents),
            "scores": {code: s.to_json() for code, s in self.scores},
            "all": self.total().to_json(),
            "macro_f1": self.macro_f1(),
        }


def evaluate_events(facts: Sequence[DocumentFacts], gold: Mapping[str, Sequence[tuple[str, str]]]) -> EventReport:
    """Score the ``actions`` of ``facts`` against event gold (:func:`load_event_gold`)."""
    counts: dict[str, list[int]] = {}
    misses: list[EventMiss] = []
    scored = []
    for doc in facts:
        stem = Path(doc.document.source).stem
        if stem not in gold:
            continue
        scored.append(stem)
        predicted: dict[tuple[str, str], str] = {}
        for ev in getattr(doc, "actions", ()):
            if ev.mention is None:
                continue
            predicted.setdefault((_event_text(ev.mention.text), ev.code), ev.predicate)
        wanted = list(dict.fromkeys((_event_text(s), c) for s, c in gold[stem]))
        raw = {(_event_text(s), c): s for s, c in gold[stem]}
        used: set[tuple[str, str]] = set()
        for g in wanted:
            text, code = g
            hit = next((p for p in predicted if p not in used and p[1] == code and text and (text in p[0] or p[0] in text)), None)
            row = counts.setdefault(code, [0, 0, 0])
            if hit is None:
                row[2] += 1
                misses.append(EventMiss(stem, "fn", code, raw[g]))
            else:
                used.add(hit)
                row[0] += 1
        for p, predicate in predicted.items():
            if p not in used:
                counts.setdefault(p[1], [0, 0, 0])[1] += 1
                misses.append(EventMiss(stem, "fp", p[1], p[0], predicate))
    order = {c: i for i, c in enumerate(EVENT_TYPES)}
    scores = tuple((c, Score(*counts[c])) for c in sorted(counts, key=lambda c: order.get(c, len(order))))
    return EventReport(tuple(scored), scores, tuple(misses))
