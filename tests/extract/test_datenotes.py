"""extract.datenotes: every date a fact carries, as the text writes it (no model needed)."""

from __future__ import annotations

from extract.datenotes import date_notes
from extract.facts import Agreement, DateValue, Document, DocumentFacts, Meeting, Mention, Passage, Visit


def facts(text: str, *, date: DateValue | None = None, **kinds) -> DocumentFacts:
    doc = Document(source="a.txt", doc_id="d", text=text, title="t", date=date, doc_type="other",
                   passages=(Passage(index=0, start=0, end=len(text), text=text),))
    return DocumentFacts(document=doc, **kinds)


def mention(text: str, word: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Mention(0, start, start + len(word), word)


def test_era_date_keeps_its_era_and_text():
    text = "平成30年10月1日、両国は租税条約に署名した。"
    a = Agreement("k", "租税条約", "treaty", date=DateValue(2018, 10, 1), passages=(0,),
                  mentions=(mention(text, "租税条約"),))
    (note,) = date_notes(facts(text, agreements=(a,)))
    assert (note.text, note.era, note.relative, note.approximate) == ("平成30年10月1日", "平成", False, False)
    assert text[note.start:note.end] == note.text


def test_deictic_dates_are_anchored_to_the_document_and_anaphoric_ones_to_the_text():
    text = "2024年5月に首脳会談を行った。本年秋にフォーラムを開催した。同年12月に覚書に署名した。"
    forum = Meeting("f", "フォーラム", date=DateValue(2025), passages=(0,), mentions=(mention(text, "フォーラム"),))
    mou = Agreement("m", "覚書", "mou", date=DateValue(2025, 12), passages=(0,), mentions=(mention(text, "覚書"),))
    notes = {n.key: n for n in date_notes(facts(text, date=DateValue(2025, 3, 1), meetings=(forum,), agreements=(mou,)))}
    assert notes["f"].text == "本年秋" and notes["f"].anchor_kind == "document"
    assert notes["f"].anchor == DateValue(2025, 3, 1) and notes["f"].approximate
    assert notes["m"].text == "同年12月" and notes["m"].anchor_kind == "text"
    assert notes["m"].anchor == DateValue(2025)  # the nearest earlier date: 本年 (2025)


def test_part_of_month():
    text = "大統領は2023年11月下旬に訪日した。"
    v = Visit("v", "p", "KGZ", "JPN", start=DateValue(2023, 11), passages=(0,), mentions=(mention(text, "訪日"),))
    (note,) = date_notes(facts(text, visits=(v,)))
    assert (note.text, note.part_of_month, note.approximate) == ("2023年11月下旬", "late", True)


def test_the_nearest_expression_giving_the_value_is_chosen():
    text = "2023年7月6日に協定Aに署名した。また、2023年7月6日に協定Bにも署名した。"
    b = Agreement("b", "協定B", "treaty", date=DateValue(2023, 7, 6), passages=(0,), mentions=(mention(text, "協定B"),))
    (note,) = date_notes(facts(text, agreements=(b,)))
    assert note.start == text.index("2023年7月6日", 5)


def test_a_range_gives_start_and_end():
    text = "首相は2026年4月22日から24日まで訪問した。"
    v = Visit("v", "p", "JPN", "KAZ", start=DateValue(2026, 4, 22), end=DateValue(2026, 4, 24),
              passages=(0,), mentions=(mention(text, "訪問"),))
    notes = {n.field: n for n in date_notes(facts(text, visits=(v,)))}
    assert notes["start"].text == notes["end"].text == "2026年4月22日から24日"


def test_a_value_the_text_does_not_write_gets_no_note():
    text = "両国は協定に署名した。"
    a = Agreement("k", "協定", "treaty", date=DateValue(2020, 1, 1), passages=(0,), mentions=(mention(text, "協定"),))
    assert date_notes(facts(text, agreements=(a,))) == ()
