"""Quote rules for news styles the tuning corpus lacks (converter 0.3.12): each case says what
an annotator following the guidelines would mark, reasoned from the sentence itself."""

from __future__ import annotations

import pytest

from annotate.converters import convert_text
from annotate.converters.mentions import _classify_words
from annotate.validate import check_prediction_task


def spans(text: str) -> list[tuple[str, str]]:
    task = convert_text(text)
    assert check_prediction_task(task) == []  # accepted unchanged, it is a valid gold record
    return [(r["value"]["labels"][0], r["value"]["text"]) for r in task["predictions"][0]["result"]
            if r["type"] == "labels" and r["value"]["labels"][0] in ("Speaker", "Quote")]


def test_told_a_bare_noun_on_a_day_that_starts_the_content_at_that():
    found = spans("The prime minister told parliament on Monday that the deal was dead.\n")
    assert ("Quote", "that the deal was dead") in found
    assert ("Speaker", "The prime minister") in found
    # "that" opening a relative clause ("a story that moved ...") is no complement: unchanged
    assert ("Quote", "that moved the crowd") not in spans("He told a story that moved the crowd.\n")


@pytest.mark.parametrize("sentence, speaker", [
    ("Two people familiar with the matter said the talks had stalled.\n", "Two people familiar with the matter"),
    ("The talks have stalled, two people familiar with the matter said.\n", "two people familiar with the matter"),
    ("A source close to the negotiations said a deal was near.\n", "A source close to the negotiations"),
])
def test_a_source_familiar_with_or_close_to_something_is_the_whole_speaker(sentence, speaker):
    assert ("Speaker", speaker) in spans(sentence)


def test_you_in_a_question_is_the_interviewer_asking_not_a_speaker():
    found = spans('Passengers were angry. What do you say to passengers? "We are sorry," the airline said.\n')
    assert ("Speaker", "you") not in found and ("Quote", "to passengers?") not in found
    assert ("Quote", '"We are sorry,"') in found and ("Speaker", "the airline") in found
    assert spans("Did you tell them the plan was dead?\n") == []


def test_straight_single_marks_quote_a_british_headline():
    found = spans("'We will strike again,' says union leader\n\nThe union said on Monday it would strike.\n")
    assert ("Quote", "'We will strike again,'") in found and ("Speaker", "union leader") in found
    found = spans("Union leader: 'We will strike again'\n\nThe union said.\n")
    assert ("Quote", "'We will strike again'") in found


def test_apostrophes_are_not_straight_single_quotes():
    found = spans("The workers' union said the members' vote was fair and the bosses' offer was 'fine'.\n")
    assert all(not q.startswith("'") for label, q in found if label == "Quote")
    # a contraction inside a single-quoted quotation does not end it
    assert ("Quote", "'We don't want this,'") in spans("'We don't want this,' said Ana Ruiz.\n")


@pytest.mark.parametrize("cue_first", [True, False])
def test_a_speaker_never_runs_over_a_sentence_end(cue_first):
    text = ('"We will win," said Ana Ruiz. The union said it was fine.\n' if cue_first
            else '"We will win," Ana Ruiz said. The union said it was fine.\n')
    found = spans(text)
    assert ("Speaker", "Ana Ruiz") in found
    assert all(". " not in s for label, s in found if label == "Speaker")


@pytest.mark.parametrize("name", ["Sen. Ana Ruiz", "J.M. Berger", "J. R. Smith"])
def test_abbreviations_and_initials_do_not_end_a_speaker(name):
    assert ("Speaker", name) in spans(f'"We will win," said {name}. The union said it was fine.\n')


def test_a_sentence_opening_with_an_emoji_ends_the_quotation_before_it():
    found = spans('Minister Ana Ruiz said: "We will not back down on this reform." 🇺🇦 supporters cheered.\n')
    assert ("Quote", '"We will not back down on this reform."') in found


def test_a_transcript_label_with_a_role_or_a_party_names_the_speaker():
    found = spans("JAKE TAPPER, CNN HOST: Welcome to the show, Senator.\n"
                  "SEN. BERNIE SANDERS (I-VT): Good to be with you, Jake.\n")
    assert ("Speaker", "JAKE TAPPER") in found and ("Quote", "Welcome to the show, Senator") in found
    assert ("Speaker", "SEN. BERNIE SANDERS") in found and ("Quote", "Good to be with you, Jake") in found
    # a role after a name in ordinary case is a headline's, not a transcript's
    assert ("Speaker", "Graham") not in spans("Graham, Senator: the plan is dead\n")



def test_a_clock_times_zone_is_no_stance_target():
    # a live blog's entries under their times: 0.3.11 listed "CET" as the only target
    text = ("Starmer defends winter fuel cut as unions threaten action – as it happened\n17.20 CET\n"
            'Starmer says government "will not be blown off course"\n'
            'Keir Starmer has told reporters that the government "will not be blown off course" by criticism '
            "of the winter fuel cut.\n16.55 CET\n"
            'Unite\'s general secretary, Sharon Graham, said the cut was "a disgrace" and warned of strikes.\n')
    assert "CET" not in [t["value"] for t in convert_text(text)["data"]["targets"]]
    assert _classify_words(("CET",)) is None and _classify_words(("GMT",)) is None
    assert _classify_words(("NATO",)) == "org"  # other capitals still name a body
