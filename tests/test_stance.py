"""Unit tier: stance targets and stance spans (short evaluative expressions inside quotes).

All sentences are invented for the tests. Expected spans are what an annotator marks: the
evaluative words with their negator, degree words and article ("not a good idea", "a liar"),
never the whole sentence.
"""

import pytest

from annotate.converters import annotate_text
from annotate.converters.quotes import find_quotes
from annotate.converters.stance import CALIBRATION, find_people, find_stances, find_targets

from .test_quotes import assert_consistent, regions


def stances(text):
    """[(stance text, polarity, target)] of the pre-annotated text."""
    task = annotate_text(text)
    assert_consistent(task)
    regs, choices, _ = regions(task)
    return [(r["value"]["text"], choices[rid]["polarity"], choices[rid]["target"])
            for rid, r in sorted(regs.items(), key=lambda kv: kv[1]["value"]["start"])
            if r["value"]["labels"] == ["Stance"]]


def in_quote(sentence):
    return (f"Helena Varga met officials in Berlin.\n\n“{sentence}” "
            "Foreign minister Paul Orban said on Monday.")


@pytest.mark.parametrize("sentence, span, polarity, target", [
    # predicated of a named target: the evaluation and its article, not the sentence
    ("Helena Varga is a liar and everybody knows it.", "a liar", "against", "Helena Varga"),
    ("Frankly, Russia is dangerous for everyone in the region.", "dangerous", "against", "Russia"),
    ("Helena Varga is a brilliant negotiator.", "a brilliant negotiator", "favor", "Helena Varga"),
    # the target named right after the evaluation
    ("We support Ukraine in this war.", "support", "favor", "Ukraine"),
    ("Many of us are horrified by Helena Varga and her plans.", "horrified", "against", "Helena Varga"),
    # degree words are part of the expression
    ("What Helena Varga did was so shameful.", "so shameful", "against", "Helena Varga"),
])
def test_evaluative_expression_inside_a_quote(sentence, span, polarity, target):
    found = stances(in_quote(sentence))
    assert (span, polarity, target) in found, found


def test_wait_and_see_is_neutral():
    found = stances(in_quote("On Helena Varga and her plan, we will wait and see."))
    assert ("wait and see", "neutral", "Helena Varga") in found, found


def test_negation_flips_the_polarity_and_joins_the_span():
    found = stances(in_quote("Helena Varga is not a good partner for us."))
    assert ("not a good partner", "against", "Helena Varga") in found, found
    found = stances(in_quote("People don't trust Helena Varga any more."))
    assert ("don't trust", "against", "Helena Varga") in found, found


def test_contrast_but_starts_a_new_clause_with_its_own_target():
    found = stances(in_quote("Russia is hostile, but Ukraine is a reliable partner."))
    assert ("hostile", "against", "Russia") in found, found
    assert ("a reliable partner", "favor", "Ukraine") in found, found
    # the negator before 'but' does not reach the evaluation after it
    found = stances(in_quote("We did not expect it, but Helena Varga is brilliant."))
    assert ("brilliant", "favor", "Helena Varga") in found, found


def test_quoted_insult_is_against_the_named_target():
    text = ("Paul Orban spoke on Monday. He said Helena Varga had acted like “a clown” for months "
            "and called her plan “a hoax” in front of reporters.")
    found = stances(text)
    assert ("a clown", "against", "Helena Varga") in found, found
    task = annotate_text(text)
    scores = {r["value"]["text"]: r.get("score") for r in task["predictions"][0]["result"]
              if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]}
    assert scores["a clown"] == CALIBRATION["quoted"]


def test_an_insult_before_a_name_targets_that_name():
    found = stances(in_quote("Crooked Helena Varga will not win this time."))
    assert ("Crooked", "against", "Helena Varga") in found, found


def test_no_stance_outside_quotes():
    # the author's own evaluation, with no quote marks and no cue, is not a quote
    assert stances("Heavy rain fell on Monday. Helena Varga is a liar and a disgrace.") == []


def test_no_stance_for_plain_facts():
    assert stances(in_quote("Helena Varga will travel to Ukraine on Tuesday with three advisers.")) == []


def test_event_words_are_not_evaluations():
    # VADER scores 'killed' and 'war' strongly negative; they report events, not a position
    assert stances(in_quote("Two soldiers were killed in the war near Ukraine last year.")) == []


def test_the_speaker_is_never_the_target():
    text = "“Helena Varga is terrible at this,” Paul Orban said. “I am proud of my record,” Paul Orban added."
    for _span, _pol, target in stances(text):
        assert target != "Paul Orban"


def test_every_stance_lies_in_a_quote_with_a_listed_target():
    text = in_quote("Helena Varga is a liar, Russia is hostile, and we will wait and see.")
    task = annotate_text(text)
    assert_consistent(task)
    targets = {t["value"] for t in task["data"]["targets"]}
    result = task["predictions"][0]["result"]
    quotes = [(r["value"]["start"], r["value"]["end"]) for r in result
              if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]]
    st = [r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]]
    assert len(st) >= 3
    for r in st:
        assert any(a <= r["value"]["start"] and r["value"]["end"] <= b for a, b in quotes)
        assert r["score"] in CALIBRATION.values()
    chosen = {c["value"]["choices"][0] for c in result if c.get("from_name") == "target"}
    assert chosen <= targets


def test_spans_stay_short():
    text = in_quote("Helena Varga is the most incredibly dishonest and reckless and corrupt politician "
                    "this country has ever seen.")
    for span, _pol, _t in stances(text):
        assert len(span.split()) <= 6, span


def test_find_stances_without_targets_or_quotes():
    text = in_quote("Helena Varga is a liar.")
    assert find_stances(text, find_quotes(text), []) == []
    assert find_stances(text, [], ["Helena Varga"]) == []


def test_targets_rank_entities_by_mentions_and_use_aliases():
    text = ("Moscow and the Kremlin answered Washington. Russia said the U.S. and America were wrong. "
            "Helena Varga and Paul Orban met. Varga spoke first.")
    targets = find_targets(text)
    assert targets[:2] == ["Russia", "United States"]
    assert "Helena Varga" in targets and "Paul Orban" in targets


def test_headline_phrases_are_not_people():
    text = "Substantial Step Forward\nThe talks were a substantial step forward, said Paul Orban."
    assert find_people(text) == ["Paul Orban"]
