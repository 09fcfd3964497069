"""Unit tier: stance rules added for issue 19 (session of 2026-12-06): the fallback target of a
stance that names nothing, event words of the courts, and general evaluative words and phrases.

All sentences are invented for the tests; the expected spans, polarities and targets follow
from the rules in converters/stance.py and the lexicons beside it.
"""

import pytest

from annotate.converters import annotate_text
from annotate.converters.stance import _topic_targets

from .test_stance import LEDE, in_quote, stances


def test_a_bare_stance_is_re_aimed_when_nobody_evaluates_the_main_target():
    # Russia is named most (three times in the lede) but no stance is about it; the two stances
    # with a target of their own are both about Varga, so Orban's bare "This is shameful" is
    # taken to be about Varga too, and Russia is not listed for it alone.
    text = (LEDE + "“Helena Varga is a liar,” Paul Orban said. “Helena Varga is a disgrace,” Anna Berg "
            "said. “This is shameful,” Paul Orban said later.")
    assert stances(text) == [("a liar", "against", "Helena Varga"), ("a disgrace", "against", "Helena Varga"),
                             ("shameful", "against", "Helena Varga")]
    assert [t["value"] for t in annotate_text(text)["data"]["targets"]] == ["Helena Varga"]


def test_a_bare_stance_alone_keeps_the_main_target():
    # no other stance in the article: nothing to re-aim at, the main target stays
    text = LEDE + "“This is shameful,” Paul Orban said later."
    assert stances(text) == [("shameful", "against", "Russia")]


def test_topic_targets_takes_the_most_used_anchored_target_first_on_a_tie():
    def st(start, target, how):
        return {"start": start, "end": start + 1, "target": target, "how": how}

    # A and B are each used by one anchored stance; A comes first in the text, so the tie goes to A.
    # The topic stance aimed at C (used by no anchored stance) is re-aimed; the one aimed at B stays.
    out = _topic_targets([st(0, "A", "subject"), st(5, "C", "topic"), st(9, "B", "object"), st(12, "B", "topic")])
    assert [s["target"] for s in out] == ["A", "A", "B", "B"]
    # B used twice by anchored stances outranks A used once, wherever A comes
    out = _topic_targets([st(0, "A", "subject"), st(3, "B", "pronoun"), st(6, "B", "object"), st(9, "C", "topic")])
    assert out[-1]["target"] == "B"
    # only topic stances: left as they are
    only = [st(0, "C", "topic")]
    assert _topic_targets(only)[0]["target"] == "C"


@pytest.mark.parametrize("sentence", [
    "Helena Varga was found guilty of conspiracy and two felonies.",
    "Helena Varga was indicted after the assassination of the mayor.",
])
def test_words_of_the_courts_name_events_not_evaluations(sentence):
    assert stances(in_quote(sentence)) == []


@pytest.mark.parametrize("sentence, span, polarity, target", [
    # "a single" is a degree word: the negator before it turns the evaluation
    ("Helena Varga's record shows not a single accomplishment.", "not a single accomplishment", "against",
     "Helena Varga"),
    ("Helena Varga is a substantive and articulate leader.", "a substantive and articulate leader", "favor",
     "Helena Varga"),
    ("Helena Varga ran a whisper campaign against us.", "a whisper campaign", "against", "Helena Varga"),
    ("Helena Varga had the nerve to blame us.", "the nerve to blame", "against", "Helena Varga"),
    ("Helena Varga fits the bill.", "fits the bill", "favor", "Helena Varga"),
    ("Helena Varga is fraught with contradictions.", "fraught", "against", "Helena Varga"),
])
def test_general_evaluative_words_and_phrases(sentence, span, polarity, target):
    assert (span, polarity, target) in stances(in_quote(sentence))


def test_a_single_before_a_noun_without_a_negator_changes_nothing():
    assert stances(in_quote("Helena Varga is a single mother and a great leader.")) == [
        ("a great leader", "favor", "Helena Varga")]


def test_an_adjective_of_nationality_names_its_listed_country():
    # "Russian aggression" names no target, but the adjective stands for Russia, which the
    # article lists (named in the lede): the stance is anchored to it, not a bare fallback
    text = LEDE + "“Helena Varga is a liar,” Paul Orban said. “We condemn Russian aggression,” Anna Berg said."
    found = stances(text)
    assert ("aggression", "against", "Russia") in found, found


def test_an_adjective_of_nationality_whose_country_is_not_listed_is_no_target():
    # Iran is never named, so it is no target: "Iranian aggression" falls back like a bare
    # stance, to what the other stance is about (Varga), and Iran is not offered
    text = LEDE + "“Helena Varga is a liar,” Paul Orban said. “We condemn Iranian aggression,” Anna Berg said."
    assert ("aggression", "against", "Helena Varga") in stances(text)
    assert "Iran" not in [t["value"] for t in annotate_text(text)["data"]["targets"]]


def test_no_target_phrase_reaches_across_the_quote_mark_that_opens_the_evaluation():
    # 'called the young soldier “an American hero”': the phrase between the calling verb and the
    # evaluation stops at the mark; one across it ('young soldier “an American') is never a target
    text = ("Helena Varga met officials in Berlin.\n\nPaul Orban said Helena Varga called the young soldier "
            "“an American hero” this week.")
    targets = [t["value"] for t in annotate_text(text)["data"]["targets"]]
    assert not any("“" in t or '"' in t for t in targets), targets
    assert [s for s in stances(text) if s[0] == "hero"], stances(text)


@pytest.mark.parametrize("sentence", [
    # measures of strength, horse-race popularity, events and settings: not evaluations
    "Helena Varga runs a strong campaign with a powerful super PAC.",
    "Helena Varga is focused on the economy and stays active in the region.",
    "Helena Varga is popular in the polls despite the recession.",
    "Helena Varga was charged with assault after the scandal.",
])
def test_descriptive_and_event_words_are_no_stance(sentence):
    assert stances(in_quote(sentence)) == []


@pytest.mark.parametrize("sentence, span, polarity, target", [
    # a negated acceptance is a rejection of what follows ('accept' alone names no position)
    ("We could not accept the plan of Helena Varga.", "could not accept", "against", "the plan of Helena Varga"),
    # 'believe in' is support; its negator turns it and joins the span
    ("We believe in Helena Varga.", "believe in", "favor", "Helena Varga"),
    ("We do not believe in the plan of Helena Varga.", "not believe in", "against", "the plan of Helena Varga"),
    ("We have no problem with Helena Varga.", "no problem with", "favor", "Helena Varga"),
])
def test_frames_of_acceptance_and_belief(sentence, span, polarity, target):
    assert (span, polarity, target) in stances(in_quote(sentence))


def test_accepting_alone_is_no_stance():
    assert stances(in_quote("Helena Varga will accept the invitation next week.")) == []


@pytest.mark.parametrize("sentence, span", [
    # the noun phrase takes in the noun it modifies but not a time after it
    ("Helena Varga is a dangerous mistake every day.", "a dangerous mistake"),
    ("Helena Varga was a reckless leader last year.", "a reckless leader"),
    ("Helena Varga is a liar today.", "a liar"),
])
def test_a_stance_does_not_run_into_a_time_after_it(sentence, span):
    assert span in [s for s, _p, _t in stances(in_quote(sentence))]


@pytest.mark.parametrize("sentence, span", [
    # leaving the choice to others is an explicit no-position: neutral, the negator taken in
    ("On Helena Varga, we will let the voters decide.", "let the voters decide"),
    ("We do not want to tip the scales for Helena Varga.", "not want to tip the scales"),
    ("We will work with whoever wins, Helena Varga or not.", "whoever wins"),
])
def test_leaving_the_choice_to_others_is_neutral(sentence, span):
    assert (span, "neutral", "Helena Varga") in stances(in_quote(sentence))


def test_a_transcript_speaker_label_is_no_target():
    # 'HOST:' and 'BOATENG:' open their lines in capitals before a colon: they say who speaks the
    # line, so neither is offered as a target (nothing in the lines evaluates anyone by name)
    task = annotate_text("HOST: Minister, thanks for joining us.\n\nBOATENG: Thank you for having me.\n\n"
                         "HOST: Is the government failing patients?\n")
    assert not {"HOST", "BOATENG"} & {t["value"] for t in task["data"]["targets"]}


def test_a_name_in_capitals_inside_a_line_is_still_a_target():
    # only the label at the start of a line is left out: the same capitals mid-sentence are a name
    from annotate.converters.targets import _transcript_label

    text = "HOST: We asked BOATENG: is it true?"
    assert _transcript_label(text, 0, 4)
    assert not _transcript_label(text, text.index("BOATENG"), text.index("BOATENG") + 7)


@pytest.mark.parametrize("sentence, span, polarity", [
    # uniting the party is praise of whoever does it; the negator turns it
    ("Helena Varga can unite the party.", "unite the party", "favor"),
    ("Helena Varga doesn't unite the party.", "doesn't unite the party", "against"),
])
def test_uniting_the_party_is_praise(sentence, span, polarity):
    assert (span, polarity, "Helena Varga") in stances(in_quote(sentence))
