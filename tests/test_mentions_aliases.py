"""Unit tier: the parties written with a lower-case "party" are the parties. Invented sentences."""

import pytest

from annotate.converters import annotate_text
from annotate.converters.targets import target_mentions


@pytest.mark.parametrize("surface, full", [
    ("Republican party", "Republican Party"),
    ("Democratic party", "Democratic Party"),
])
def test_party_with_lower_case_word(surface, full):
    text = f"A headline in sentence case\n\nThe {surface} met in Ohio on Monday."
    assert {text[s:e]: t for s, e, t in target_mentions(text)}.get(surface) == full


def test_lower_case_party_is_the_subject_a_stance_is_about():
    # the party is the clause's subject; before, it was no name and the stance fell back to
    # the article's main target (Pell, named most)
    text = ("Victor Pell has run the state union for a decade. Pell built it, and Pell still chairs it.\n\n"
            "“It is the Democratic party that has contempt for workers,” union leader Tom Brack said.")
    task = annotate_text(text)
    targets = [r["value"]["choices"][0] for r in task["predictions"][0]["result"] if r.get("from_name") == "target"]
    assert targets == ["Democratic Party"]


def canonical(text):
    text = "A headline in sentence case\n\n" + text
    return [(text[s:e], t) for s, e, t in target_mentions(text)]


def test_honorific_picks_the_person_of_that_gender():
    # the surname alone goes to the Brandt named most (Paul); "Mrs. Brandt" is Susan
    text = ("Paul Brandt ran the firm. Paul Brandt sold it in May. His wife Susan Brandt stayed on. "
            "Mr. Brandt left town, and Mrs. Brandt took over.")
    found = canonical(text)
    assert ("Brandt", "Paul Brandt") in found and ("Brandt", "Susan Brandt") in found
    assert [t for s, t in found if s == "Brandt"] == ["Paul Brandt", "Susan Brandt"]


def test_honorific_with_no_full_name_of_that_gender_is_the_surname():
    # only a woman Kessler is named in full: "Mr. Kessler" is not her
    text = "Mary Kessler spoke first. Mr. Kessler, her husband, spoke later. Ms. Kessler left."
    assert [t for s, t in canonical(text) if s == "Kessler"] == ["Kessler", "Mary Kessler"]


def test_honorific_stance_target():
    text = ("Paul Brandt ran the firm for years, and Paul Brandt sold it. Susan Brandt, his wife, stayed on.\n\n"
            "“Mrs. Brandt is a disgrace,” union leader Tom Quill said.")
    task = annotate_text(text)
    targets = [r["value"]["choices"][0] for r in task["predictions"][0]["result"] if r.get("from_name") == "target"]
    assert targets == ["Susan Brandt"]
