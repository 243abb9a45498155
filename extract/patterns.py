"""Rule patterns as data: spaCy ``Matcher`` and ``DependencyMatcher`` patterns per fact family.

Each family keeps its grammar in ``data/patterns/<family>.json``::

    {
      "family": "meetings",
      "matcher": [
        {"label": "HOLD", "pattern": [{"LEMMA": {"IN": ["行う", "開催する"]}}]}
      ],
      "dependency": [
        {"label": "TALK_HELD", "pattern": [
          {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"LEMMA": "行う"}},
          {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "talk",
           "RIGHT_ATTRS": {"DEP": "obj", "LEMMA": {"REGEX": "会談$"}}}
        ]}
      ]
    }

Patterns are validated when loaded, by spaCy itself (``Matcher(vocab, validate=True)``), and a
bad file raises :class:`PatternError` naming the file, the rule and the problem.

The ``bkg_rules`` component (see :mod:`extract.nlp`) runs a family's matchers over a ``Doc`` and
writes what they found into ``doc.spans[family]``: a ``Matcher`` rule gives one span labelled
with the rule's label; a ``DependencyMatcher`` rule gives one single-token span per pattern node,
labelled ``LABEL.node`` (``TALK_HELD.verb``, ``TALK_HELD.talk``), so a family reads the roles it
needs without re-running the match. :func:`matches` reads them back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .resources import data_dir

if TYPE_CHECKING:  # pragma: no cover
    from spacy.matcher import DependencyMatcher, Matcher
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab

__all__ = [
    "FAMILIES",
    "PatternError",
    "RuleSet",
    "apply_rules",
    "build_matchers",
    "dependency_matches",
    "family_matchers",
    "load_rules",
    "matches",
]

#: The fact families whose grammar lives in ``data/patterns/<family>.json``.
FAMILIES = ("meetings", "visits", "agreements", "persons", "organizations", "programs")


class PatternError(ValueError):
    """A pattern file that spaCy would not accept, or that is not in the documented shape."""


@dataclass(frozen=True)
class RuleSet:
    """One family's rules, as loaded from its JSON file."""

    family: str
    matcher: tuple[tuple[str, tuple[Any, ...]], ...]  # (label, token pattern)
    dependency: tuple[tuple[str, tuple[Any, ...]], ...]  # (label, dependency pattern)
    path: Path | None = None


def patterns_dir() -> Path:
    return data_dir() / "patterns"


def _rules_from(data: Any, where: str, family: str) -> RuleSet:
    if not isinstance(data, dict):
        raise PatternError(f"{where}: expected a JSON object with 'matcher' and 'dependency' lists")
    unknown = set(data) - {"family", "matcher", "dependency", "notes"}
    if unknown:
        raise PatternError(f"{where}: unknown keys {sorted(unknown)}")
    if data.get("family", family) != family:
        raise PatternError(f"{where}: 'family' is {data.get('family')!r}, expected {family!r}")
    parts: dict[str, list[tuple[str, tuple[Any, ...]]]] = {"matcher": [], "dependency": []}
    for kind, found in parts.items():
        rules = data.get(kind, [])
        if not isinstance(rules, list):
            raise PatternError(f"{where}: '{kind}' must be a list of rules")
        for n, rule in enumerate(rules):
            if not isinstance(rule, dict) or set(rule) - {"label", "pattern", "notes"}:
                raise PatternError(f"{where}: {kind}[{n}] must be {{'label', 'pattern'}} (and optional 'notes')")
            label, pattern = rule.get("label"), rule.get("pattern")
            if not isinstance(label, str) or not label or "." in label:
                raise PatternError(f"{where}: {kind}[{n}] needs a label without '.', got {label!r}")
            if not isinstance(pattern, list) or not pattern:
                raise PatternError(f"{where}: {kind}[{n}] ({label}) needs a non-empty pattern list")
            found.append((label, tuple(pattern)))
    return RuleSet(family, tuple(parts["matcher"]), tuple(parts["dependency"]))


@lru_cache(maxsize=32)
def load_rules(family: str, directory: Path | None = None) -> RuleSet:
    """Read and check the shape of ``data/patterns/<family>.json`` (an absent file is no rules)."""
    path = Path(directory or patterns_dir()) / f"{family}.json"
    if not path.exists():
        return RuleSet(family, (), (), None)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise PatternError(f"{path}: not valid JSON ({err})") from err
    rules = _rules_from(data, str(path), family)
    return RuleSet(rules.family, rules.matcher, rules.dependency, path)


def build_matchers(vocab: Vocab, rules: RuleSet) -> tuple[Matcher, DependencyMatcher]:
    """spaCy matchers for ``rules``, validated by spaCy; errors name the file and the rule."""
    from spacy.matcher import DependencyMatcher, Matcher

    where = str(rules.path or rules.family)
    matcher = Matcher(vocab, validate=True)
    for label, pattern in rules.matcher:
        try:
            matcher.add(label, [list(pattern)])
        except (ValueError, KeyError, TypeError) as err:
            raise PatternError(f"{where}: matcher rule {label}: {err}") from err
    dep = DependencyMatcher(vocab, validate=True)
    for label, pattern in rules.dependency:
        try:
            dep.add(label, [list(pattern)])
        except (ValueError, KeyError, TypeError) as err:
            raise PatternError(f"{where}: dependency rule {label}: {err}") from err
    return matcher, dep


_BUILT: dict[tuple[str, int], tuple[Vocab, Matcher, DependencyMatcher, RuleSet]] = {}


def family_matchers(vocab: Vocab, family: str) -> tuple[Matcher, DependencyMatcher, RuleSet]:
    """The matchers of ``data/patterns/<family>.json`` for ``vocab``, built once per vocab and
    family (a rule family that matches over the parses, not as a pipeline component, asks for
    them on every passage)."""
    entry = _BUILT.get((family, id(vocab)))
    if entry is None or entry[0] is not vocab:  # (an id can be reused by a later vocab)
        rules = load_rules(family)
        matcher, dep = build_matchers(vocab, rules)
        entry = _BUILT[(family, id(vocab))] = (vocab, matcher, dep, rules)
    return entry[1], entry[2], entry[3]


def apply_rules(doc: Doc, family: str, matcher: Matcher, dep: DependencyMatcher,
                rules: RuleSet) -> Doc:
    """Write the matches of one family into ``doc.spans[family]`` (see the module docstring)."""
    from spacy.tokens import Span

    spans: list[Span] = []
    for match_id, start, end in matcher(doc) if len(matcher) else ():
        spans.append(Span(doc, start, end, label=doc.vocab.strings[match_id]))
    if len(dep):
        node_ids = {label: [node["RIGHT_ID"] for node in pattern] for label, pattern in rules.dependency}
        for match_id, token_ids in dep(doc):
            label = doc.vocab.strings[match_id]
            for node, i in zip(node_ids[label], token_ids):
                spans.append(Span(doc, i, i + 1, label=f"{label}.{node}"))
    spans.sort(key=lambda s: (s.start, s.end, s.label_))
    doc.spans[family] = spans
    return doc


def matches(doc: Doc, family: str, label: str) -> Iterator[Span]:
    """The spans a family's rule ``label`` found in ``doc`` (``TALK_HELD.talk`` for a dependency node)."""
    group = doc.spans.get(family) if family in doc.spans else None
    for span in group or ():
        if span.label_ == label:
            yield span


def dependency_matches(doc: Doc, family: str, label: str, node: str) -> list[Span]:
    """The tokens (as one-token spans) that played ``node`` in the dependency rule ``label``."""
    return list(matches(doc, family, f"{label}.{node}"))
