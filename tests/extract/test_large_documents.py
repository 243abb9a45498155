"""Large documents: parses stream in batches, a repeated passage is parsed and read once, and no
per-passage helper is called a number of times that grows faster than the document.

None of these tests times anything: they count calls, cache look-ups and consumed items.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from extract.context import SpanIndex, passage_bounds
from extract.facts import Mention, Passage

ROOT = Path(__file__).resolve().parents[2]
STATEMENT = ROOT / "data" / "corpus" / "2023-11_jp-kgz_joint-statement.txt"


def _long_document(tmp_path: Path, copies: int, name: str = "long.txt"):
    """One document made of ``copies`` copies of a real joint statement (most passages repeat)."""
    from extract.structure import parse_document

    text = STATEMENT.read_text(encoding="utf-8").strip()
    path = tmp_path / name
    path.write_text("\n\n".join([text] * copies) + "\n", encoding="utf-8")
    return parse_document(path)


# -- without the model ---------------------------------------------------------------------


def _passages(lengths: list[int], gap: int = 1) -> tuple[Passage, ...]:
    out, pos = [], 0
    for i, n in enumerate(lengths):
        out.append(Passage(index=i, start=pos, end=pos + n, text="x" * n))
        pos += n + gap
    return tuple(out)


def test_span_index_answers_as_a_scan_does():
    rng = random.Random(7)
    passages = _passages([rng.randint(0, 40) for _ in range(60)])
    spans: list[tuple[int, int]] = []
    index = SpanIndex(passage_bounds(passages))
    end = passages[-1].end + 5
    for _ in range(400):
        p = rng.choice(passages)
        s = rng.randint(p.start, p.end)
        e = s + rng.randint(0, 12)  # some run past their passage's end
        spans.append((s, e))
        index.add(s, e)
        for pos in (rng.randint(-2, end) for _ in range(5)):
            assert index.covers(pos) == any(a <= pos < b for a, b in spans)


def test_span_index_on_passages_out_of_order_scans():
    passages = (Passage(0, 10, 20, "x" * 10), Passage(1, 0, 5, "x" * 5))
    index = SpanIndex(passage_bounds(passages), [(12, 15), (0, 3)])
    assert index.covers(13) and index.covers(2) and not index.covers(7)


def test_persons_by_mention_start_keep_the_dict_order():
    from extract.meetings import _PersonsAt

    rng = random.Random(3)
    pairs = [((rng.randint(0, 300), rng.randint(0, 300)), f"p{n}") for n in range(200)]
    persons = _PersonsAt(pairs)
    plain = dict(pairs)
    for _ in range(100):
        lo = rng.randint(0, 300)
        hi = lo + rng.randint(0, 60)
        assert persons.starting_in(lo, hi) == [p for (s, _), p in plain.items() if lo <= s < hi]


def test_the_antecedent_of_a_visit_is_found_without_scanning_every_mention():
    from extract.persons import PersonMention
    from extract.visits import _antecedent, _Antecedents

    rng = random.Random(11)
    roles = ["大統領", "首相", "外務大臣", "外相", "大使", None, "内閣総理大臣", "副大統領"]
    passages = _passages([50] * 40)
    earlier = _Antecedents()
    seen: list[PersonMention] = []
    for passage in passages:
        current = []
        for _ in range(rng.randint(0, 4)):
            s = rng.randint(0, 45)
            current.append(PersonMention("X", rng.choice(roles), None,
                                         Mention(passage.index, passage.start + s, passage.start + s + 3, "XYZ"),
                                         False, "X", True))
        for title in ("大統領", "首相", "外相", None):
            pos = rng.randint(0, 50)
            assert earlier.find(current, passage, title, pos) is _antecedent([*seen, *current], passage, title, pos)
        earlier.extend(current)
        seen.extend(current)


# -- with the model ------------------------------------------------------------------------


class _Counting:
    """Wrap ``module.name`` and count its calls."""

    def __init__(self, monkeypatch, module, name: str):
        self.calls = 0
        original = getattr(module, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


@pytest.mark.model
def test_a_long_document_reports_progress_passage_by_passage(nlp, tmp_path):
    from extract.pipeline import BATCH_SIZE, ParseCache, extract_document

    document = _long_document(tmp_path, 4)
    reports: list[int] = []
    facts = extract_document(document, nlp, ParseCache(tmp_path / "cache"), progress=reports.append)
    assert sum(reports) == len(document.passages)
    distinct = len({p.text for p in document.passages})
    assert len(reports) >= distinct // BATCH_SIZE  # one report per batch of parses, not one per document
    assert facts.entities


@pytest.mark.model
def test_repeated_passages_share_one_parse_and_the_facts_do_not_change(nlp, tmp_path):
    from extract.pipeline import ParseCache, document_parses, parse_passages
    from extract.rules import extract_facts

    document = _long_document(tmp_path, 3)
    texts = [p.text for p in document.passages]
    cache = ParseCache(tmp_path / "cache")
    parses = document_parses(nlp, document, cache)
    assert len(parses) == len(texts) and [d.text for d in parses] == texts
    assert len({id(d) for d in parses}) == len(set(texts))  # one Doc per distinct text
    assert cache.hits + cache.misses == len(set(texts))  # each distinct text looked up once
    one_each = parse_passages(nlp, texts, cache)  # a Doc of its own for every passage
    assert extract_facts(document, parses) == extract_facts(document, one_each)


@pytest.mark.model
def test_parses_stream_through_the_cache_in_batches(nlp, tmp_path):
    from extract.pipeline import ParseCache, iter_parses

    consumed: list[str] = []

    def texts():
        for n in range(10):
            consumed.append(f"第{n}回の会合が東京で開催された。")
            yield consumed[-1]

    stream = iter_parses(nlp, texts(), ParseCache(tmp_path), batch_size=3)
    first = next(stream)
    assert first.text == "第0回の会合が東京で開催された。"
    assert len(consumed) == 3  # one batch read, not the whole input
    assert [d.text for d in stream] == consumed[1:] and len(consumed) == 10


@pytest.mark.model
def test_per_passage_work_does_not_grow_with_repetition(nlp, tmp_path, monkeypatch):
    """Doubling a document that repeats itself: the readings of a passage's parse are not done
    again for the copies, and the cross-passage helpers grow with the document, not its square."""
    import extract.agreements
    import extract.countries
    import extract.persons
    import extract.programs
    import extract.visits
    from extract.pipeline import ParseCache, extract_document

    cache = ParseCache(tmp_path / "cache")
    counts = {}
    for copies in (2, 4):
        document = _long_document(tmp_path, copies, f"long{copies}.txt")
        with monkeypatch.context() as m:
            counters = {
                "person_mentions": _Counting(m, extract.persons, "_person_mentions"),
                "program_candidates": _Counting(m, extract.programs, "_read_candidates"),
                "country_scan": _Counting(m, extract.countries, "_scan"),
                "sign_of": _Counting(m, extract.agreements, "_sign_of"),
            }
            extract_document(document, nlp, cache)
        counts[copies] = {k: c.calls for k, c in counters.items()}
    two, four = counts[2], counts[4]
    for helper in ("person_mentions", "program_candidates", "country_scan", "sign_of"):
        assert four[helper] == two[helper], (helper, two, four)  # once per distinct text


#: A visit report whose visitor is named again as 同大統領 (the antecedent of each is looked for
#: among the person mentions before it).
_VISIT_BLOCK = (
    "トカエフ・カザフスタン共和国大統領は、2024年5月20日から23日まで日本を公式訪問した。",
    "同大統領は、岸田文雄内閣総理大臣と首脳会談を行った。",
    "同大統領は、22日に大阪を訪問し、関西の経済界と懇談した。",
    "トカエフ大統領は、同日、天皇陛下と会見した。",
)


@pytest.mark.model
def test_antecedents_are_not_compared_with_every_earlier_mention(nlp, tmp_path, monkeypatch):
    import extract.persons
    import extract.visits
    from extract.pipeline import ParseCache, extract_document
    from extract.structure import parse_document

    cache = ParseCache(tmp_path / "cache")
    calls = {}
    for copies in (10, 20):
        path = tmp_path / f"visit{copies}.txt"
        path.write_text("日・カザフスタン首脳会談\n\n" + "\n".join(_VISIT_BLOCK * copies) + "\n", encoding="utf-8")
        with monkeypatch.context() as m:
            counters = [_Counting(m, extract.persons, "roles_compatible"), _Counting(m, extract.visits, "roles_compatible")]
            facts = extract_document(parse_document(path), nlp, cache)
        calls[copies] = sum(c.calls for c in counters)
        assert len(facts.visits) == 1
    # linear: twice the document, about twice the comparisons (it was about four times)
    assert calls[20] <= 2.2 * calls[10] + 5, calls
