"""extract.english: English names the text gives beside the Japanese (issue 13).

Real-model tests read sentences written for these tests (no name from the documents); the
fast ones check the gloss rules on plain strings.
"""

from __future__ import annotations

import pytest
from rdflib import RDFS, Literal

from extract.english import gloss_after, person_name, role_en, title_name
from extract.gazetteer import load_gazetteer

# --- the rules on plain strings -------------------------------------------------------------


@pytest.mark.parametrize(("gloss", "name"), [
    ("H.E. Mr. Bortan KELVARO, Minister of Foreign Affairs of Somewhere", "Bortan Kelvaro"),
    ("H.E.Mr. Bortan KELVARO", "Bortan Kelvaro"),
    ("Ms. Ilse-Marie TRONVAK-ODD、President of Somewhere", "Ilse-Marie Tronvak-Odd"),
    ("Dr. Jöran Vučak", "Jöran Vučak"),
    ("Mr. Pedro de la Fuentez, Secretary", "Pedro de la Fuentez"),
    ("The Right Honourable Quill Marrow, Prime Minister of Somewhere", "Quill Marrow"),
    ("Bortan KELVARO", "Bortan Kelvaro"),  # no honorific: the LASTNAME convention
])
def test_person_names_from_glosses(gloss, name):
    assert person_name(gloss) == name


@pytest.mark.parametrize("gloss", [
    "President of the Republic of Somewhere",  # an office
    "World Weather Programme",  # a body
    "Bortan Kelvaro",  # two words, no honorific, no LASTNAME: could be anything
    "当時",
    "Mr.",
])
def test_glosses_that_name_no_person(gloss):
    assert person_name(gloss) is None


@pytest.mark.parametrize(("gloss", "title"), [
    ("Agreement on Technical Cooperation", "Agreement on Technical Cooperation"),
    ("Framework Agreement", "Framework Agreement"),
    ("First Ministerial Meeting of the  Northern Lakes Dialogue ", "First Ministerial Meeting of the Northern Lakes Dialogue"),
])
def test_titles_from_glosses(gloss, title):
    assert title_name(gloss) == title


@pytest.mark.parametrize("gloss", ["PDF", "NLD", "Provisional translation", "2024年", "英文", "March 2024"])
def test_glosses_that_are_no_title(gloss):
    assert title_name(gloss) is None


def test_gloss_positions():
    text = "「甲乙協定」（Agreement A and B）に署名。"
    assert gloss_after(text, text.index("」"), "agreement") == "Agreement A and B"
    assert gloss_after(text, text.index("」") + 1, "agreement") == "Agreement A and B"
    # a person's gloss may follow a title and a country written after the name
    text = "ボルタン・ケルバロ・某国外務大臣（H.E. Mr. Bortan KELVARO）と会談"
    assert gloss_after(text, len("ボルタン・ケルバロ"), "person") == "H.E. Mr. Bortan KELVARO"
    # ... but not one after a comma or a particle
    assert gloss_after("ケルバロ氏は、（Mr. X Y）", 4, "person") is None
    # the Latin line below the name, opening with an honorific
    lines = "ボルタン・ケルバロ外務大臣\nH.E. Mr. Bortan KELVARO\n"
    assert gloss_after(lines, len("ボルタン・ケルバロ"), "person") == "H.E. Mr. Bortan KELVARO"
    assert gloss_after("ケルバロ大臣\nSome other line", 4, "person") is None


def test_roles_from_the_gazetteer():
    gaz = load_gazetteer()
    assert role_en("大統領", gaz) == "President"
    assert role_en("外務大臣", gaz) == gaz.title("外務大臣").title_en
    chained = role_en("副首相兼外務大臣", gaz)
    assert chained is None or " and " in chained
    assert role_en("まったく無い肩書", gaz) is None and role_en(None, gaz) is None


# --- the real model -------------------------------------------------------------------------



@pytest.mark.model
def test_person_gets_the_latin_form_and_role(facts_of):
    facts = facts_of(
        "2024年5月10日、山田太郎外務大臣は、訪日中のボルタン・ケルバロ・パラグアイ共和国大統領"
        "（H.E. Mr. Bortan KELVARO, President of the Republic of Paraguay）と会談を行った。\n"
    )
    persons = {e.label: e for e in facts.entities if e.kind == "person"}
    target = next(e for label, e in persons.items() if "ケルバロ" in label)
    assert target.label_en == "Bortan Kelvaro"
    assert target.role_en == "President"
    host = next(e for label, e in persons.items() if "山田" in label)
    assert host.label_en is None  # the text gives no Latin form for him
    assert host.role_en == load_gazetteer().title("外務大臣").title_en


@pytest.mark.model
def test_agreement_and_meeting_get_the_english_name(facts_of):
    facts = facts_of(
        "2024年6月3日、両国外相は「日本国政府とパラグアイ共和国政府との間の技術協力に関する協定」"
        "（Agreement between the Government of Japan and the Government of the Republic of Paraguay "
        "on Technical Cooperation）に署名した。\n\n"
        "同日、東京で第3回日・パラグアイ経済対話（Third Japan-Paraguay Economic Dialogue）が開催された。\n"
    )
    [agreement] = [a for a in facts.agreements if "技術協力" in a.label]
    assert agreement.label_en.startswith("Agreement between the Government of Japan")
    assert agreement.label_en.endswith("on Technical Cooperation")
    meetings = [m for m in facts.meetings if "経済対話" in m.label]
    assert meetings and meetings[0].label_en == "Third Japan-Paraguay Economic Dialogue"


@pytest.mark.model
def test_no_english_without_a_gloss(facts_of):
    facts = facts_of("2024年6月3日、両国は「日本国とパラグアイ共和国との間の投資協定」に署名した（仮訳）。\n")
    assert all(a.label_en is None for a in facts.agreements)


@pytest.mark.model
def test_english_labels_in_the_graph_keep_one_japanese_label(facts_of):
    from kg.rdf import build_graph

    text = ("2024年6月3日、両国外相は「日本国政府とパラグアイ共和国政府との間の技術協力に関する協定」"
            "（Agreement on Technical Cooperation）に署名した。ボルタン・ケルバロ・パラグアイ共和国大統領"
            "（H.E. Mr. Bortan KELVARO）が立ち会った。\n")
    a, b = facts_of(text, "a.txt"), facts_of(text, "b.txt")
    ds = build_graph([a, b])
    agreement = next(x for x in a.agreements if "技術協力" in x.label)
    from kg.namespaces import entity_iri

    iri = entity_iri("agreement", agreement.key)
    labels = {o for _, _, o, _ in ds.quads((iri, RDFS.label, None, None))}
    assert Literal("Agreement on Technical Cooperation", lang="en") in labels
    assert len({o for o in labels if o.language == "ja"}) == 1
    person = next(e for e in a.entities if e.kind == "person" and "ケルバロ" in e.label)
    plabels = {o for _, _, o, _ in ds.quads((entity_iri("person", person.key), RDFS.label, None, None))}
    assert Literal("Bortan Kelvaro", lang="en") in plabels
    assert len({o for o in plabels if o.language == "ja"}) == 1


@pytest.mark.model
def test_english_name_inside_the_quotation(facts_of):
    facts = facts_of("2024年6月3日、両国は「日本国とパラグアイ共和国との間の文化交流に関する覚書"
                     "(Memorandum on Cultural Exchange between Japan and Paraguay)」に署名した。\n")
    [memo] = [a for a in facts.agreements if "文化交流" in a.label]
    assert "Memorandum" not in memo.label  # the Japanese label stays Japanese
    assert memo.label_en == "Memorandum on Cultural Exchange between Japan and Paraguay"
