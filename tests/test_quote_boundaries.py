"""Where quote contents start and stop (invented sentences, the annotators' guidelines as the rule)."""

from __future__ import annotations

import pytest

from annotate.converters.quotes import find_quotes


def contents(text: str) -> list[str]:
    return [text[q["start"]:q["end"]] for q in find_quotes(text)]


@pytest.mark.parametrize(
    ("text", "content"),
    [
        # The verb group keeps its preposition ("They have repeatedly called for a cease fire").
        ("The senator would not speculate freely about the motives of his rival.", "the motives of his rival"),
        ("The mayor will advocate for the creation of two new parks.", "the creation of two new parks"),
        ("Ana Ruiz wrote about the visit of the delegation.", "the visit of the delegation"),
    ],
)
def test_verb_group_preposition_is_not_content(text, content):
    assert content in contents(text)


def test_adjunct_after_speech_verb_is_still_skipped():
    # "on Tuesday" opens an adjunct after a speech verb, not the content.
    assert contents("Ana Ruiz said on Tuesday that the plan had failed.") == ["that the plan had failed"]
