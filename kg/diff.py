"""Statement diffs: what a document says that another one did not, passage by passage and fact by fact.

:func:`diff_documents` compares two documents of a build (read from its store; the passage text
is the ``bkg:text`` of each ``bkg:Passage``, the normalized text of the document):

* **passages** are aligned by content, not by position: each passage's text (without its printed
  paragraph number, NFKC, no spaces) is cut into words (:func:`tokenize`: SudachiPy, the
  tokenizer GiNZA itself runs on, in its longest split mode C; one token per character when
  SudachiPy is not installed), every pair of passages is scored with difflib's
  ``SequenceMatcher`` ratio over those words, and the pairs are assigned greedily, best score
  first (ties: the earlier passages), above :data:`MIN_RATIO`. An aligned pair is *unchanged* or
  *reworded*, with its word-level diff (the words dropped from A and added in B); a passage left
  over is *only in A* or *only in B*.
* **facts** — agreements, programs, meetings, visits and, when the build has them, partnerships
  (``bkg:Partnership``, by level) and coded diplomatic events (``bkg:DiplomaticEvent``, by PLOVER
  type and predicate) — are read from each document's own graph and compared per class by IRI or
  by normalized key (the label through :func:`extract.facts.make_key`; a visit by visitor and
  destination): only in A, only in B, in both.

The result renders as text (:func:`format_text`), JSON (:func:`diff_to_json`) and an offline HTML
report with the two texts side by side (:func:`render_html`); all three are deterministic.

>>> [s.op for s in word_diff(["日本", "は", "歓迎", "した"], ["日本", "は", "強く", "歓迎", "した"])]
['equal', 'insert', 'equal']
"""

from __future__ import annotations

import difflib
import html
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .files import write_atomic  # re-exported: kg.diff.write_atomic is used by the CLI

__all__ = [
    "DOC_TYPE_NAMES",
    "FACT_CLASSES",
    "MIN_RATIO",
    "AlignedPassage",
    "DocumentInfo",
    "DocumentNotFound",
    "Fact",
    "FactComparison",
    "PassageText",
    "Segment",
    "StatementDiff",
    "align_passages",
    "diff_documents",
    "diff_to_json",
    "document_facts",
    "document_passages",
    "find_document",
    "format_text",
    "latest_pair",
    "list_documents",
    "render_html",
    "tokenize",
    "tokenizer_name",
    "word_diff",
    "write_atomic",
]

BKG = "https://w3id.org/bilateral-kg/ontology#"
#: Two passages scoring below this ratio (0–1, over their words) are not aligned.
MIN_RATIO = 0.4
#: The fact classes compared, in display order: class local name → heading.
FACT_CLASSES = {
    "Agreement": "agreements",
    "Program": "programs",
    "Meeting": "meetings",
    "Visit": "visits",
    "Partnership": "partnerships",
    "DiplomaticEvent": "diplomatic events",
}
#: ``--type`` values → the ``bkg:docType`` local name.
DOC_TYPE_NAMES = {
    "joint-statement": "JointStatement",
    "declaration": "Declaration",
    "meeting-summary": "MeetingSummary",
    "press-statement": "PressStatement",
    "country-brief": "CountryBrief",
    "other": "OtherDocument",
}
_NUMBER = re.compile(
    r"^\s*(?:[(（]\s*[0-9０-９]+\s*[)）]|[0-9０-９]+(?:\s*[.．、)）])?|[IVXⅠ-Ⅻ]+(?:\s*[.．])?"
    r"|[(（]?[a-zａ-ｚ][)）])\s+"
)


class DocumentNotFound(LookupError):
    """A document name that matches no document (or several) of the build."""


# --- what a build holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    """One ``bkg:Document``: its IRI, file name (and stem), title, date, type and countries."""

    iri: str
    source: str
    title: str
    date: str | None
    doc_type: str
    title_countries: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return Path(self.source).stem

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "name": self.stem, "source": self.source, "title": self.title,
                "date": self.date, "type": self.doc_type}


@dataclass(frozen=True)
class PassageText:
    """One ``bkg:Passage``: position, kind, paragraph number as printed, section, text."""

    index: int
    iri: str
    kind: str
    paragraph: str | None
    section: str | None
    text: str

    @property
    def body(self) -> str:
        """The text without its printed number (``1 双方は…`` → ``双方は…``)."""
        if self.kind == "heading":
            return self.text.strip()
        return _NUMBER.sub("", self.text, count=1).strip()

    @property
    def where(self) -> str:
        """How a reader finds it: ``¶3`` (its printed number) or ``#12`` (its position)."""
        return f"¶{self.paragraph}" if self.paragraph else f"#{self.index}"


@dataclass(frozen=True)
class Fact:
    """A fact as one document states it, with the key it is compared by."""

    cls: str
    iri: str
    label: str
    key: str
    detail: str = ""
    passage: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"class": self.cls, "iri": self.iri, "label": self.label, "key": self.key,
                "detail": self.detail, "passage": self.passage}


def _value(term: Any) -> str | None:
    return None if term is None else term.value


def _run(store: Any, name: str, params: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    from kg.queries import run_saved

    result = run_saved(store, name, params or {})
    names = [v.value for v in result.variables]
    return [{n: _value(row[n]) for n in names} for row in result]


def list_documents(store: Any, country: str | None = None) -> list[DocumentInfo]:
    """Every document of the build (``kg/queries/documents.rq``), newest first, then by file name.

    A document's date is its ``dcterms:date``, else the ``dcterms:issued`` its source gives.
    """
    rows = _run(store, "documents", {"country": country} if country else None)
    docs = [
        DocumentInfo(
            iri=r["doc"] or "", source=r["source"] or "", title=r["title"] or "",
            date=r["date"] or r["issued"], doc_type=(r["type"] or "").rpartition("#")[2],
            title_countries=tuple(sorted(set((r["titleCountries"] or "").split()))),
            countries=tuple(sorted(set((r["countries"] or "").split()))),
        )
        for r in rows
    ]
    docs.sort(key=lambda d: d.source)
    docs.sort(key=lambda d: d.date or "", reverse=True)
    return docs


def find_document(store: Any, name: str) -> DocumentInfo:
    """The document named ``name``: its file name, stem (``2023-11_jp-kgz_joint-statement``), a path
    ending in it, its IRI or the end of its IRI. Raises :class:`DocumentNotFound`."""
    docs = list_documents(store)
    text = name.strip()
    base = Path(text).name
    exact = [d for d in docs if text in (d.iri, d.source, d.stem) or base in (d.source, d.stem)
             or (d.iri.endswith("/" + text) and text)]
    if len(exact) == 1:
        return exact[0]
    if not exact:
        partial = [d for d in docs if text and (text in d.stem or text in d.title)]
        if len(partial) == 1:
            return partial[0]
        exact = partial
    known = ", ".join(d.stem for d in sorted(exact or docs, key=lambda d: d.source))
    what = "several documents" if exact else "no document"
    raise DocumentNotFound(f"{name!r} names {what} of this build; documents: {known}")


def latest_pair(store: Any, a_iso3: str, b_iso3: str,
                doc_type: str | None = None) -> tuple[DocumentInfo, DocumentInfo, str]:
    """The latest two documents of a country pair (older first) and a note on how they were chosen.

    Documents that mention both countries (of ``doc_type``, a ``bkg:docType`` local name, when
    given) are candidates; those whose title names both come first when there are two of them,
    else the two newest candidates are taken. Raises :class:`DocumentNotFound` with fewer than two.
    """
    docs = [d for d in list_documents(store)
            if a_iso3 in d.countries and b_iso3 in d.countries
            and (doc_type is None or d.doc_type == doc_type)]
    named = [d for d in docs if a_iso3 in d.title_countries and b_iso3 in d.title_countries]
    what = f"{doc_type} documents" if doc_type else "documents"
    if len(named) >= 2:
        b, a = named[0], named[1]
        return a, b, f"the latest two {what} whose title names {a_iso3} and {b_iso3}"
    if len(docs) >= 2:
        b, a = docs[0], docs[1]
        return a, b, (f"fewer than two {what} name {a_iso3} and {b_iso3} in their title: "
                      f"the latest two {what} that mention both")
    raise DocumentNotFound(f"fewer than two {what} of this build mention both {a_iso3} and {b_iso3}"
                           f" ({len(docs)} found)")


def document_passages(store: Any, doc: DocumentInfo) -> list[PassageText]:
    """The passages of ``doc`` in order (``kg/queries/document-passages.rq``)."""
    rows = _run(store, "document-passages", {"doc": doc.iri})
    out = [
        PassageText(index=int(r["order"]) if r["order"] is not None else i, iri=r["passage"] or "",
                    kind=r["kind"] or "", paragraph=r["paragraph"], section=r["section"],
                    text=r["text"] or "")
        for i, r in enumerate(rows)
    ]
    out.sort(key=lambda p: (p.index, p.iri))
    return out


def document_facts(store: Any, doc: DocumentInfo) -> list[Fact]:
    """The facts ``doc``'s own graph states (``kg/queries/document-facts.rq``), one per class and
    key (the first by passage), in class order, then passage order."""
    from extract.facts import make_key

    facts: dict[tuple[str, str], Fact] = {}
    counts: dict[tuple[str, str], int] = {}
    for r in _run(store, "document-facts", {"doc": doc.iri}):
        cls = (r["cls"] or "").rpartition("#")[2]
        label = r["label"] or r["altLabel"] or ""
        detail = ""
        if cls == "Visit":
            key = f"{r['visitorIri'] or make_key(label)}→{r['destination'] or ''}"
            detail = r["visitorLabel"] or ""
        elif cls == "Partnership":
            level = (r["level"] or "").rpartition("/")[2].rpartition("#")[2]
            label = r["levelAsWritten"] or label or level
            key = level or make_key(label)
            partners = " ".join(sorted(p.rpartition("/")[2] for p in (r["partners"] or "").split()))
            key = f"{key}|{partners}"
            detail = " ".join(x for x in (partners, r["statuses"] or "") if x)
        elif cls == "DiplomaticEvent":
            plover = r["ploverType"] or ""
            label = r["predicate"] or label
            key = f"{plover}:{make_key(label)}"
            detail = plover
        else:
            key = make_key(label) or r["fact"] or ""
        first = int(r["first"]) if r["first"] is not None else None
        fact = Fact(cls=cls, iri=r["fact"] or "", label=label, key=key, detail=detail, passage=first)
        slot = (cls, key)
        counts[slot] = counts.get(slot, 0) + 1
        old = facts.get(slot)
        if old is None or (fact.passage if fact.passage is not None else 1 << 30, fact.iri) < (
                old.passage if old.passage is not None else 1 << 30, old.iri):
            facts[slot] = fact
    out = []
    for slot, fact in facts.items():
        if fact.cls == "DiplomaticEvent" and counts[slot] > 1:
            fact = Fact(fact.cls, fact.iri, fact.label, fact.key, f"{fact.detail} ×{counts[slot]}",
                        fact.passage)
        out.append(fact)
    order = list(FACT_CLASSES)
    out.sort(key=lambda f: (order.index(f.cls) if f.cls in order else len(order),
                            f.passage if f.passage is not None else 1 << 30, f.key, f.iri))
    return out


# --- words ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _sudachi() -> Any:
    try:
        from sudachipy import dictionary, tokenizer
    except ImportError:
        return None
    try:
        tok = dictionary.Dictionary().create()
    except Exception:  # noqa: BLE001 - no dictionary installed: fall back to characters
        return None
    return tok, tokenizer.Tokenizer.SplitMode.C


def tokenizer_name() -> str:
    """Which word splitter :func:`tokenize` uses here."""
    return "SudachiPy (mode C)" if _sudachi() is not None else "characters (SudachiPy not installed)"


_ASCII_RUN = re.compile(r"[A-Za-z0-9]+|\s+|.", re.DOTALL)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    sudachi = _sudachi()
    if sudachi is None:
        return tuple(m.group() for m in _ASCII_RUN.finditer(text))
    tok, mode = sudachi
    out: list[str] = []
    # SudachiPy refuses very long inputs: cut at sentence ends (they end a word anyway).
    for chunk in re.split(r"(?<=[。！？])", text):
        if chunk:
            out.extend(m.surface() for m in tok.tokenize(chunk, mode))
    return tuple(out)


def tokenize(text: str) -> list[str]:
    """Japanese words of ``text`` (SudachiPy mode C; characters as a fallback). The tokens joined
    give the text back.

    >>> "".join(tokenize("両首脳は協力覚書の署名を歓迎した。"))
    '両首脳は協力覚書の署名を歓迎した。'
    """
    return list(_tokens(text))


@dataclass(frozen=True)
class Segment:
    """A run of words of a word diff: ``equal``, ``delete`` (only in A) or ``insert`` (only in B)."""

    op: str
    text: str


def word_diff(a: Sequence[str], b: Sequence[str]) -> list[Segment]:
    """The word-level diff of two token lists, runs merged; a replacement is a delete then an insert."""
    out: list[Segment] = []

    def push(op: str, words: Sequence[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Segment(op, out[-1].text + text)
        else:
            out.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(None, list(a), list(b), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", a[i1:i2])
        else:
            push("delete", a[i1:i2])
            push("insert", b[j1:j2])
    return out


# --- passages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlignedPassage:
    """A passage of A and its counterpart in B (either may be ``None``) with the word diff."""

    a: PassageText | None
    b: PassageText | None
    score: float
    status: str  # unchanged, reworded, only_a, only_b
    segments: tuple[Segment, ...] = ()

    @property
    def added(self) -> list[str]:
        return [s.text for s in self.segments if s.op == "insert"]

    @property
    def dropped(self) -> list[str]:
        return [s.text for s in self.segments if s.op == "delete"]

    def to_json(self) -> dict[str, Any]:
        def side(p: PassageText | None) -> dict[str, Any] | None:
            if p is None:
                return None
            return {"index": p.index, "iri": p.iri, "paragraph": p.paragraph, "kind": p.kind,
                    "text": p.text}

        return {"status": self.status, "score": round(self.score, 3), "a": side(self.a),
                "b": side(self.b), "added": self.added, "dropped": self.dropped,
                "segments": [[s.op, s.text] for s in self.segments]}


def align_passages(a: Sequence[PassageText], b: Sequence[PassageText],
                   min_ratio: float = MIN_RATIO) -> list[AlignedPassage]:
    """Align the passages of two documents by content (see the module's docstring), in reading
    order: B's order, each passage only in A placed after the B passage its predecessor in A was
    aligned to."""
    # words as written (spaces kept, for the diff shown) and without spaces (for the comparison)
    wa = [_tokens(unicodedata.normalize("NFKC", p.body)) for p in a]
    wb = [_tokens(unicodedata.normalize("NFKC", p.body)) for p in b]
    ta = [tuple(w for w in words if w.strip()) for words in wa]
    tb = [tuple(w for w in words if w.strip()) for words in wb]
    candidates: list[tuple[float, int, int]] = []
    for i, x in enumerate(ta):
        if not x:
            continue
        for j, y in enumerate(tb):
            if not y:
                continue
            if x == y:
                candidates.append((-1.0, i, j))
                continue
            m = difflib.SequenceMatcher(None, x, y, autojunk=False)
            if m.real_quick_ratio() < min_ratio or m.quick_ratio() < min_ratio:
                continue
            r = m.ratio()
            if r >= min_ratio:
                candidates.append((-r, i, j))
    candidates.sort(key=lambda c: (c[0], abs(c[1] / max(1, len(a)) - c[2] / max(1, len(b))), c[1], c[2]))
    a_to_b: dict[int, tuple[int, float]] = {}
    taken_b: set[int] = set()
    for neg, i, j in candidates:
        if i in a_to_b or j in taken_b:
            continue
        a_to_b[i] = (j, -neg)
        taken_b.add(j)
    keyed: list[tuple[tuple[int, int, int], AlignedPassage]] = []
    for i, (j, score) in a_to_b.items():
        same = ta[i] == tb[j]
        segments = tuple(word_diff(wa[i], wb[j])) if not same else (Segment("equal", b[j].body),)
        keyed.append(((j, 0, i), AlignedPassage(a[i], b[j], score, "unchanged" if same else "reworded",
                                                segments)))
    for j, p in enumerate(b):
        if j not in taken_b:
            keyed.append(((j, 0, -1), AlignedPassage(None, p, 0.0, "only_b",
                                                     (Segment("insert", p.body),) if p.body else ())))
    last_b = -1
    for i, p in enumerate(a):
        if i in a_to_b:
            last_b = a_to_b[i][0]
        else:
            keyed.append(((last_b, 1, i), AlignedPassage(p, None, 0.0, "only_a",
                                                         (Segment("delete", p.body),) if p.body else ())))
    keyed.sort(key=lambda kv: kv[0])
    return [item for _, item in keyed]


# --- facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactComparison:
    """The facts of one class: only in A, only in B, in both (A's and B's form)."""

    cls: str
    only_a: tuple[Fact, ...]
    only_b: tuple[Fact, ...]
    both: tuple[tuple[Fact, Fact], ...]

    def to_json(self) -> dict[str, Any]:
        return {"class": self.cls, "only_a": [f.to_json() for f in self.only_a],
                "only_b": [f.to_json() for f in self.only_b],
                "both": [{"a": x.to_json(), "b": y.to_json()} for x, y in self.both]}


def compare_facts(a: Sequence[Fact], b: Sequence[Fact]) -> list[FactComparison]:
    """Per class (those present in either document): a fact of A is in both when B has a fact of
    the class with the same IRI, else the same key."""
    classes = [c for c in FACT_CLASSES if any(f.cls == c for f in (*a, *b))]
    classes += sorted({f.cls for f in (*a, *b)} - set(classes))
    out = []
    for cls in classes:
        fa = [f for f in a if f.cls == cls]
        fb = [f for f in b if f.cls == cls]
        by_iri = {f.iri: f for f in reversed(fb)}
        by_key = {f.key: f for f in reversed(fb)}
        used: set[int] = set()
        both, only_a = [], []
        for f in fa:
            match = by_iri.get(f.iri)
            if match is None or id(match) in used:
                match = by_key.get(f.key)
            if match is not None and id(match) not in used:
                used.add(id(match))
                both.append((f, match))
            else:
                only_a.append(f)
        only_b = [f for f in fb if id(f) not in used]
        out.append(FactComparison(cls, tuple(only_a), tuple(only_b), tuple(both)))
    return out


# --- the diff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementDiff:
    """Two documents compared: their passages aligned and their facts set side by side."""

    a: DocumentInfo
    b: DocumentInfo
    passages: tuple[AlignedPassage, ...]
    facts: tuple[FactComparison, ...]
    tokenizer: str
    note: str = ""

    def counts(self) -> dict[str, int]:
        c = {"unchanged": 0, "reworded": 0, "only_a": 0, "only_b": 0}
        for p in self.passages:
            c[p.status] += 1
        c["passages_a"] = sum(1 for p in self.passages if p.a is not None)
        c["passages_b"] = sum(1 for p in self.passages if p.b is not None)
        return c


def diff_documents(store: Any, a: DocumentInfo, b: DocumentInfo, note: str = "",
                   min_ratio: float = MIN_RATIO) -> StatementDiff:
    """Compare document ``a`` with document ``b`` of the build whose store is ``store``."""
    passages = align_passages(document_passages(store, a), document_passages(store, b), min_ratio)
    facts = compare_facts(document_facts(store, a), document_facts(store, b))
    return StatementDiff(a, b, tuple(passages), tuple(facts), tokenizer_name(), note)


def diff_to_json(diff: StatementDiff) -> str:
    """The diff as JSON (UTF-8 text, keys in a fixed order)."""
    data = {
        "a": diff.a.to_json(), "b": diff.b.to_json(), "note": diff.note,
        "tokenizer": diff.tokenizer, "counts": diff.counts(),
        "passages": [p.to_json() for p in diff.passages],
        "facts": [f.to_json() for f in diff.facts],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _marked(segments: Sequence[Segment]) -> str:
    return "".join(s.text if s.op == "equal" else f"[-{s.text}-]" if s.op == "delete"
                   else f"{{+{s.text}+}}" for s in segments)


def _doc_line(tag: str, d: DocumentInfo) -> str:
    return f"{tag}: {d.stem}  {d.date or 'undated'}  {d.doc_type}\n   {d.title}"


def format_text(diff: StatementDiff, unchanged: bool = False, width: int = 0) -> str:
    """The diff as readable text: headers, then each passage (``~`` reworded, with the words
    dropped as ``[-…-]`` and added as ``{+…+}``; ``-`` only in A; ``+`` only in B; ``=``
    unchanged, listed only with ``unchanged=True``), then the facts per class."""
    c = diff.counts()
    lines = [_doc_line("A", diff.a), _doc_line("B", diff.b)]
    if diff.note:
        lines.append(f"chosen: {diff.note}")
    lines.append(
        f"passages: {c['passages_a']} in A, {c['passages_b']} in B — {c['unchanged']} unchanged, "
        f"{c['reworded']} reworded, {c['only_a']} only in A, {c['only_b']} only in B "
        f"(words: {diff.tokenizer})"
    )
    lines.append("")
    for p in diff.passages:
        if p.status == "unchanged":
            if unchanged:
                lines.append(f"= A{p.a.where} = B{p.b.where}  {p.b.body}")
            continue
        if p.status == "reworded":
            lines.append(f"~ A{p.a.where} → B{p.b.where}  (similarity {p.score:.2f})")
            lines.append(f"    {_marked(p.segments)}")
            if p.dropped:
                lines.append("    dropped: " + " | ".join(p.dropped))
            if p.added:
                lines.append("    added:   " + " | ".join(p.added))
        elif p.status == "only_a":
            lines.append(f"- only in A{p.a.where}  {p.a.body}")
        else:
            lines.append(f"+ only in B{p.b.where}  {p.b.body}")
    lines.append("")
    lines.append("facts (only in A / in both / only in B):")
    if not diff.facts:
        lines.append("  none in either document")
    for fc in diff.facts:
        name = FACT_CLASSES.get(fc.cls, fc.cls)
        lines.append(f"  {name}: {len(fc.only_a)} only in A, {len(fc.both)} in both, "
                     f"{len(fc.only_b)} only in B")
        for f in fc.only_a:
            lines.append(f"    - {f.label}" + (f"  [{f.detail}]" if f.detail else ""))
        for x, y in fc.both:
            same = x.label == y.label
            lines.append(f"    = {y.label}" + ("" if same else f"  (A: {x.label})")
                         + (f"  [{y.detail}]" if y.detail else ""))
        for f in fc.only_b:
            lines.append(f"    + {f.label}" + (f"  [{f.detail}]" if f.detail else ""))
    text = "\n".join(lines) + "\n"
    return text


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:1.5em;color:#222;line-height:1.6}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.35em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.where{white-space:nowrap;color:#666;font-size:.85em}
del{background:#fdd;color:#900;text-decoration:line-through}ins{background:#dfd;color:#060;text-decoration:none}
tr.only_a td.a{background:#fff5f5}tr.only_b td.b{background:#f5fff5}tr.unchanged td{color:#777}
.meta{color:#555}.legend span{margin-right:1.2em}ul{margin:0;padding-left:1.2em}
"""
_STATUS_COLOUR = {"unchanged": "#bbbbbb", "reworded": "#d08c00", "only_a": "#cc3333", "only_b": "#2e8b57"}
_STATUS_WORDS = {"unchanged": "unchanged", "reworded": "reworded", "only_a": "only in A",
                 "only_b": "only in B"}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _side(p: PassageText | None, segments: Sequence[Segment], keep: str) -> str:
    if p is None:
        return ""
    parts = []
    for s in segments:
        if s.op == "equal":
            parts.append(_e(s.text))
        elif s.op == keep:
            tag = "del" if keep == "delete" else "ins"
            parts.append(f"<{tag}>{_e(s.text)}</{tag}>")
    return "".join(parts)


def _alignment_map(diff: StatementDiff) -> str:
    """A small SVG: A's passages on the left, B's on the right, a line for each aligned pair."""
    na = max((p.a.index for p in diff.passages if p.a is not None), default=0) + 1
    nb = max((p.b.index for p in diff.passages if p.b is not None), default=0) + 1
    h = max(na, nb) * 4 + 20
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="260" height="{h}" viewBox="0 0 260 {h}" '
           f'role="img" aria-label="passage alignment"><title>passage alignment</title>'),
           '<text x="20" y="10" font-size="10">A</text><text x="232" y="10" font-size="10">B</text>']
    for p in diff.passages:
        colour = _STATUS_COLOUR[p.status]
        tip = _e(f"{_STATUS_WORDS[p.status]}: " + " → ".join(
            f"{t}{q.where}" for t, q in (("A", p.a), ("B", p.b)) if q is not None))
        if p.a is not None:
            y = 16 + p.a.index * 4
            out.append(f'<rect class="pa" x="10" y="{y}" width="30" height="3" fill="{colour}">'
                       f"<title>{tip}</title></rect>")
        if p.b is not None:
            y = 16 + p.b.index * 4
            out.append(f'<rect class="pb" x="220" y="{y}" width="30" height="3" fill="{colour}">'
                       f"<title>{tip}</title></rect>")
        if p.a is not None and p.b is not None:
            out.append(f'<line x1="40" y1="{17.5 + p.a.index * 4}" x2="220" y2="{17.5 + p.b.index * 4}" '
                       f'stroke="{colour}" stroke-width="0.8"><title>{tip}</title></line>')
    out.append("</svg>")
    return "".join(out)


def render_html(diff: StatementDiff) -> str:
    """An offline HTML report: the documents, an alignment map (inline SVG), the two texts side by
    side (deletions in A struck through, insertions in B marked) and the facts table. All document
    text is escaped; the page loads nothing (a Content-Security-Policy forbids any fetch)."""
    c = diff.counts()
    a, b = diff.a, diff.b
    out = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"),
        f"<title>{_e(f'bkg diff: {a.stem} → {b.stem}')}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(a.title)} → {_e(b.title)}</h1>",
        '<table class="docs"><tr><th></th><th>document</th><th>date</th><th>type</th><th>title</th></tr>',
    ]
    for tag, d in (("A", a), ("B", b)):
        out.append(f"<tr><td>{tag}</td><td>{_e(d.source)}</td><td>{_e(d.date or 'undated')}</td>"
                   f"<td>{_e(d.doc_type)}</td><td>{_e(d.title)}</td></tr>")
    out.append("</table>")
    if diff.note:
        out.append(f'<p class="meta">chosen: {_e(diff.note)}</p>')
    out.append(
        f'<p class="meta">passages: {c["passages_a"]} in A, {c["passages_b"]} in B — '
        f'{c["unchanged"]} unchanged, {c["reworded"]} reworded, {c["only_a"]} only in A, '
        f'{c["only_b"]} only in B. Words: {_e(diff.tokenizer)}.</p>'
    )
    out.append('<p class="legend">' + "".join(
        f'<span><svg width="12" height="12"><rect width="12" height="12" fill="{_STATUS_COLOUR[s]}"/>'
        f"</svg> {_e(w)}</span>" for s, w in _STATUS_WORDS.items()) + "</p>")
    out.append('<h2>Alignment</h2><div class="map">' + _alignment_map(diff) + "</div>")
    out.append('<h2>Texts side by side</h2><table class="texts">'
               f"<tr><th></th><th>A: {_e(a.stem)}</th><th></th><th>B: {_e(b.stem)}</th></tr>")
    for p in diff.passages:
        out.append(
            f'<tr class="{p.status}" title="{_e(_STATUS_WORDS[p.status])}">'
            f'<td class="where">{_e("A" + p.a.where) if p.a else ""}</td>'
            f'<td class="a" lang="ja">{_side(p.a, p.segments, "delete")}</td>'
            f'<td class="where">{_e("B" + p.b.where) if p.b else ""}</td>'
            f'<td class="b" lang="ja">{_side(p.b, p.segments, "insert")}</td></tr>'
        )
    out.append("</table>")
    out.append('<h2>Facts</h2><table class="facts"><tr><th>class</th><th>only in A</th>'
               "<th>in both</th><th>only in B</th></tr>")

    def items(facts: Sequence[str]) -> str:
        return "<ul>" + "".join(f"<li>{x}</li>" for x in facts) + "</ul>" if facts else ""

    def one(f: Fact) -> str:
        return _e(f.label) + (f' <span class="meta">[{_e(f.detail)}]</span>' if f.detail else "")

    def both(x: Fact, y: Fact) -> str:
        was = "" if x.label == y.label else f' <span class="meta">(A: {_e(x.label)})</span>'
        return one(y) + was

    for fc in diff.facts:
        out.append(
            f"<tr><td>{_e(FACT_CLASSES.get(fc.cls, fc.cls))}</td>"
            f"<td>{items([one(f) for f in fc.only_a])}</td>"
            f"<td>{items([both(x, y) for x, y in fc.both])}</td>"
            f"<td>{items([one(f) for f in fc.only_b])}</td></tr>"
        )
    if not diff.facts:
        out.append('<tr><td colspan="4">none in either document</td></tr>')
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"


