"""The extraction pipeline: GiNZA's own components, then ours.

:func:`load_nlp` loads ``ja_ginza`` once and appends

* ``bkg_gazetteer`` — world knowledge into ``doc.spans["bkg"]``: every pattern of
  ``data/patterns/*.jsonl`` (spaCy's SpanRuler format: ``{"label", "pattern", "id"}``) found in
  the text, plus GiNZA's own entities of the kinds we use as *candidates* in
  ``doc.spans["ner"]`` (its labels are noisy: a rule confirms a candidate or drops it);
* ``bkg_rules`` once per fact family (``bkg_meetings``, ``bkg_visits`` …) — that family's
  ``Matcher`` / ``DependencyMatcher`` patterns from ``data/patterns/<family>.json`` into
  ``doc.spans[family]`` (see :mod:`extract.patterns`).

GiNZA tokenizes a compound such as 日独首脳会談 or 訪日中 as few long words, so a name is often
part of a token rather than a run of whole tokens. The gazetteer component therefore matches its
string patterns on characters and keeps the ones whose ends fall on token boundaries; a name
inside a longer word is left to the families that read characters (countries, for 日独).

The parse cache (:class:`extract.pipeline.ParseCache`) stores GiNZA's ``Doc`` *before* our
components; :func:`annotate` runs them on a cached ``Doc``, so changing a rule never re-parses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language

from .patterns import FAMILIES, PatternError, apply_rules, build_matchers, load_rules, patterns_dir

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = [
    "MODEL",
    "NER_CANDIDATES",
    "OUR_COMPONENTS",
    "annotate",
    "load_nlp",
    "load_span_patterns",
]

MODEL = "ja_ginza"

#: GiNZA's extended-entity labels that we read as candidates, and the kind each suggests.
NER_CANDIDATES = {
    "Person": "person",
    "Organization_Other": "organization",
    "International_Organization": "organization",
    "Political_Organization_Other": "organization",
    "Political_Party": "organization",
    "Government": "organization",
    "Company": "organization",
    "Company_Group": "organization",
    "Military": "organization",
    "Institute": "organization",
    "Conference": "meeting",
    "Occasion_Other": "meeting",
    "Treaty": "agreement",
    "Law": "agreement",
    "Product_Other": "program",
    "Plan": "program",
    "Policy": "program",
    "GPE_Other": "place",
    "City": "place",
    "Province": "place",
    "Country": "country",
}

OUR_COMPONENTS = ("bkg_gazetteer", *(f"bkg_{f}" for f in FAMILIES))


def load_nlp(model: str = MODEL) -> Language:
    """Load the GiNZA pipeline once, with our components after its own; callers pass it along.

    Raises a clear error with the fix when the model package is missing.
    """
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as err:  # spaCy raises OSError (E050) when the package is absent
        raise RuntimeError(
            f"the spaCy model {model!r} is not installed: run `make install` (or `pip install ja-ginza`)"
        ) from err
    add_components(nlp)
    return nlp


def add_components(nlp: Language) -> Language:
    """Append ``bkg_gazetteer`` and one ``bkg_<family>`` component per fact family."""
    if "bkg_gazetteer" not in nlp.pipe_names:
        nlp.add_pipe("bkg_gazetteer")
    for family in FAMILIES:
        if f"bkg_{family}" not in nlp.pipe_names:
            nlp.add_pipe("bkg_rules", name=f"bkg_{family}", config={"family": family})
    return nlp


def annotate(nlp: Language, doc: Doc) -> Doc:
    """Run our components (and only ours) on a GiNZA ``Doc``, e.g. one read from the parse cache."""
    for name, proc in nlp.pipeline:
        if name in OUR_COMPONENTS:
            doc = proc(doc)
    return doc


# -- the gazetteer component ----------------------------------------------------------------


@lru_cache(maxsize=4)
def load_span_patterns(directory: Path | None = None) -> tuple[dict[str, Any], ...]:
    """Every row of ``data/patterns/*.jsonl``, checked: a label, and a string or token-list pattern."""
    rows: list[dict[str, Any]] = []
    for path in sorted(Path(directory or patterns_dir()).glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise PatternError(f"{path}:{n}: not valid JSON ({err})") from err
            if not isinstance(row, dict) or not isinstance(row.get("label"), str) or "pattern" not in row:
                raise PatternError(f"{path}:{n}: a pattern needs 'label' and 'pattern'")
            if set(row) - {"label", "pattern", "id"}:
                raise PatternError(f"{path}:{n}: unknown keys {sorted(set(row) - {'label', 'pattern', 'id'})}")
            if not (isinstance(row["pattern"], str) and row["pattern"]) and not isinstance(row["pattern"], list):
                raise PatternError(f"{path}:{n}: 'pattern' must be a non-empty string or a token list")
            rows.append(row)
    return tuple(rows)


class GazetteerRuler:
    """Write gazetteer spans (``doc.spans["bkg"]``) and GiNZA's candidates (``doc.spans["ner"]``)."""

    def __init__(self, nlp: Language, name: str, patterns: Iterable[dict[str, Any]]):
        from spacy.matcher import Matcher

        self.name = name
        self._vocab = nlp.vocab
        self._strings: dict[str, tuple[str, str]] = {}
        self._matcher = Matcher(nlp.vocab, validate=True)
        for row in patterns:
            if isinstance(row["pattern"], str):
                self._strings.setdefault(row["pattern"], (row["label"], row.get("id", "")))
            else:
                key = f"{row['label']}|{row.get('id', '')}"
                try:
                    self._matcher.add(key, [row["pattern"]])
                except ValueError as err:
                    raise PatternError(f"gazetteer pattern {row!r}: {err}") from err
        forms = sorted(self._strings, key=lambda s: (-len(s), s))
        self._regex = re.compile("|".join(map(re.escape, forms))) if forms else None

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span

        spans: list[Span] = []
        taken: set[int] = set()
        if self._regex is not None:
            for m in self._regex.finditer(doc.text):
                span = doc.char_span(m.start(), m.end())
                if span is None:
                    continue  # inside a longer word: left to the character-level families
                label, kb_id = self._strings[m.group()]
                spans.append(Span(doc, span.start, span.end, label=label, kb_id=kb_id))
                taken.update(range(span.start, span.end))
        for match_id, start, end in self._matcher(doc) if len(self._matcher) else ():
            if taken.intersection(range(start, end)):
                continue
            label, _, kb_id = self._vocab.strings[match_id].partition("|")
            spans.append(Span(doc, start, end, label=label, kb_id=kb_id))
        doc.spans["bkg"] = sorted(spans, key=lambda s: (s.start, s.end))
        doc.spans["ner"] = [
            Span(doc, e.start, e.end, label=NER_CANDIDATES[e.label_]) for e in doc.ents if e.label_ in NER_CANDIDATES
        ]
        return doc


@Language.factory("bkg_gazetteer", default_config={"patterns_dir": None})
def make_gazetteer(nlp: Language, name: str, patterns_dir: str | None) -> GazetteerRuler:
    return GazetteerRuler(nlp, name, load_span_patterns(Path(patterns_dir) if patterns_dir else None))


# -- one rule component per family ----------------------------------------------------------


class FamilyRules:
    """Run one family's Matcher and DependencyMatcher patterns; write ``doc.spans[family]``."""

    def __init__(self, nlp: Language, name: str, family: str, patterns_dir: str | None = None):
        self.name = name
        self.family = family
        self.rules = load_rules(family, Path(patterns_dir) if patterns_dir else None)
        self._matcher, self._dep = build_matchers(nlp.vocab, self.rules)

    def __call__(self, doc: Doc) -> Doc:
        return apply_rules(doc, self.family, self._matcher, self._dep, self.rules)


@Language.factory("bkg_rules", default_config={"family": "meetings", "patterns_dir": None})
def make_family_rules(nlp: Language, name: str, family: str, patterns_dir: str | None) -> FamilyRules:
    if family not in FAMILIES:
        raise PatternError(f"bkg_rules: unknown family {family!r} (one of {', '.join(FAMILIES)})")
    return FamilyRules(nlp, name, family, patterns_dir)
