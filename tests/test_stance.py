"""Unit tier: stance targets and the three stance frames (precision first).

All sentences are invented for the tests.
"""

import pytest

from annotate.converters import annotate_text
from annotate.converters.stance import find_people, find_targets

from .test_quotes import assert_consistent, regions


def stances(text):
    """[(stance text, polarity, target)] of the pre-annotated text."""
    task = annotate_text(text)
    assert_consistent(task)
    regs, choices, _ = regions(task)
    return [(r["value"]["text"], choices[rid]["polarity"], choices[rid]["target"])
            for rid, r in sorted(regs.items(), key=lambda kv: kv[1]["value"]["start"])
            if r["value"]["labels"] == ["Stance"]]


@pytest.mark.parametrize("sentence, polarity, target", [
    ("We fully support Ukraine in this war.", "favor", "Ukraine"),
    ("Our government strongly condemned Russia for the strike.", "against", "Russia"),
    ("Frankly, NATO is dangerous for everyone in the region.", "against", "NATO"),
    ("America is actually sick and it needs to heal.", "against", "United States"),
    ("Helena Varga is a genius at building coalitions.", "favor", "Helena Varga"),
    ("There will be no more aggression against Ukraine from our side.", None, None),
    ("We value our cooperation with Canada on trade.", "favor", "Canada"),
    ("They described the United States as an “unfriendly country” again.", "against", "United States"),
])
def test_stance_frames_inside_a_quote(sentence, polarity, target):
    text = (f"Helena Varga met officials in Berlin.\n\n“{sentence} Nothing else matters today,” "
            "Foreign minister Paul Orban said.")
    found = stances(text)
    if polarity is None:
        assert found == []
    else:
        assert (polarity, target) in [(p, t) for _, p, t in found], found
        span = next(s for s, p, t in found if (p, t) == (polarity, target))
        assert span == sentence


def test_no_stance_outside_quotes():
    assert stances("Heavy rain fell. Critics condemned Russia for the strike on Monday.") == []


@pytest.mark.parametrize("sentence", [
    "We did not congratulate Trump on his win.",                  # negated: not a stance
    "The president remains committed to this position.",          # a disposition, not about a target
    "Let us wait and see what happens in January.",               # no target, no polarity
    "U.S. support for Ukraine will continue next year.",          # someone else's support
    "He is open to dialogue with Washington.",                    # openness is not evaluation
    "Terrorists bent on attacking Canada were arrested.",         # an action, not the speaker's stance
    "It is an unfair perception that NATO is dangerous.",         # a reported claim, not asserted
    "We want more support for Ukraine troops on the border.",     # the mention only modifies a noun
])
def test_no_stance_for_ambiguous_sentences(sentence):
    text = f"“{sentence} We will talk about it again,” Foreign minister Paul Orban said."
    assert stances(text) == []


def test_mixed_signals_in_one_sentence_give_no_stance():
    text = "“We support Ukraine but we condemned Ukraine for the decision,” Paul Orban said."
    assert stances(text) == []


def test_targets_rank_entities_by_mentions_and_use_aliases():
    text = ("Moscow and the Kremlin answered Washington. Russia said the U.S. and America were wrong. "
            "Helena Varga and Paul Orban met. Varga spoke first.")
    targets = find_targets(text)
    assert targets[:2] == ["Russia", "United States"]
    assert "Helena Varga" in targets and "Paul Orban" in targets


def test_headline_phrases_are_not_people():
    text = "Substantial Step Forward\nThe talks were a substantial step forward, said Paul Orban."
    assert find_people(text) == ["Paul Orban"]
