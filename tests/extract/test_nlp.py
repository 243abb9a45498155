"""The pipeline's own components: gazetteer spans, GiNZA's entities as candidates, one rule
component per family, and the parse cache that keeps GiNZA's Doc while the rules run after it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from spacy.lang.ja import Japanese
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from extract.nlp import OUR_COMPONENTS, GazetteerRuler, annotate, load_span_patterns
from extract.patterns import FAMILIES, PatternError, build_matchers, load_rules, patterns_dir

ROOT = Path(__file__).resolve().parents[2]


_LANG = Japanese()


def _ruler(rows):
    return GazetteerRuler(_LANG, "bkg_gazetteer", rows)


def test_gazetteer_spans_are_written_where_names_fall_on_token_boundaries():
    rows = [{"label": "COUNTRY", "pattern": "チリ", "id": "CHL"}, {"label": "TITLE", "pattern": "大統領", "id": "head_of_state"}]
    doc = Doc(Vocab(), words=["チリ", "の", "大統領", "と", "日チリ", "首脳"], spaces=[False] * 6)
    doc = _ruler(rows)(doc)
    assert [(s.text, s.label_, s.kb_id_) for s in doc.spans["bkg"]] == [
        ("チリ", "COUNTRY", "CHL"), ("大統領", "TITLE", "head_of_state")
    ]  # チリ inside 日チリ is left to the character-level country family


def test_token_patterns_and_ginza_candidates():
    rows = [{"label": "ORG", "pattern": [{"LOWER": "jica"}], "id": "国際協力機構"}]
    doc = Doc(_LANG.vocab, words=["JICA", "の", "サトウ"], spaces=[False] * 3)
    doc.ents = [Span(doc, 2, 3, label="Person"), Span(doc, 0, 1, label="Organization_Other")]
    doc = _ruler(rows)(doc)
    assert [(s.text, s.label_, s.kb_id_) for s in doc.spans["bkg"]] == [("JICA", "ORG", "国際協力機構")]
    assert sorted((s.text, s.label_) for s in doc.spans["ner"]) == [("JICA", "organization"), ("サトウ", "person")]


def test_span_patterns_are_checked(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"label": "ORG"}\n', encoding="utf-8")
    with pytest.raises(PatternError, match=r"bad\.jsonl:1"):
        load_span_patterns(tmp_path)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_file_is_accepted_by_spacy(family):
    rules = load_rules(family)
    build_matchers(Vocab(), rules)  # raises PatternError on a pattern spaCy would not take
    assert rules.matcher or rules.dependency or rules.path is None


def test_the_committed_gazetteer_patterns_match_the_tables():
    spec = importlib.util.spec_from_file_location("make_gazetteer", patterns_dir() / "make_gazetteer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (patterns_dir() / "gazetteer.jsonl").read_text(encoding="utf-8")
    assert committed == module.render(), "run: python3 data/patterns/make_gazetteer.py"


@pytest.mark.model
def test_the_pipeline_has_our_components_after_ginzas(nlp):
    names = nlp.pipe_names
    assert names[-len(OUR_COMPONENTS):] == list(OUR_COMPONENTS)
    assert names.index("bkg_gazetteer") > names.index("ner")


@pytest.mark.model
def test_a_cached_parse_is_annotated_without_parsing_again(nlp, tmp_path):
    from extract.pipeline import ParseCache, parse_passages

    text = "山田外務大臣は、ケニアのB外相と会談を行った。"
    cache = ParseCache(tmp_path)
    (first,) = parse_passages(nlp, [text], cache)
    assert cache.misses == 1 and "meetings" in first.spans
    (again,) = parse_passages(nlp, [text], cache)
    assert cache.hits == 1
    assert [(s.text, s.label_) for s in again.spans["meetings"]] == [(s.text, s.label_) for s in first.spans["meetings"]]
    assert [(s.text, s.label_) for s in again.spans["bkg"]] == [(s.text, s.label_) for s in first.spans["bkg"]]
    # what the cache holds is GiNZA's parse alone: our spans are computed again after reading it
    from spacy.tokens import DocBin

    (stored,) = list(DocBin().from_disk(next(tmp_path.rglob("*.spacy"))).get_docs(nlp.vocab))
    assert "meetings" not in stored.spans
    assert "meetings" in annotate(nlp, stored).spans
