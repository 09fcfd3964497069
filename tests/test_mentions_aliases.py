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
