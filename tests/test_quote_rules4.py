"""Quote rules of converter 0.3.13: each case says what an annotator following the guidelines
would mark, reasoned from the sentence itself (embedded posts: tests/test_posts.py)."""

from __future__ import annotations

import pytest

from annotate.converters import convert_text
from annotate.validate import check_prediction_task


def said_by(text: str) -> dict[str, str]:
    """Quote text -> the text of the Speaker it is said_by."""
    task = convert_text(text)
    assert check_prediction_task(task) == []  # accepted unchanged, it is a valid gold record
    result = task["predictions"][0]["result"]
    regions = {r["id"]: r["value"]["text"] for r in result if r["type"] == "labels"}
    return {regions[r["from_id"]]: regions[r["to_id"]] for r in result
            if r["type"] == "relation" and r["labels"] == ["said_by"]}


@pytest.mark.parametrize("sentence, speaker", [
    ('Sarah Silverman heckles Sanders supporters: "You are being ridiculous."\n', "Sarah Silverman"),
    ('At the rally, the governor warned reporters: "We will not back down."\n', "the governor"),
])
def test_a_colon_after_a_verbs_object_gives_the_quote_to_the_subject(sentence, speaker):
    quote = sentence[sentence.index('"'):sentence.rindex('"') + 1]
    assert said_by(sentence).get(quote) == speaker


def test_a_colon_after_a_plain_noun_phrase_still_gives_it_the_quote():
    # no verb before the phrase: "The statement from the mayor's office:" names who speaks
    text = 'The campaign released a statement. A spokesman for the mayor: "We have no comment."\n'
    assert said_by(text).get('"We have no comment."') == "A spokesman for the mayor"


@pytest.mark.parametrize("sentence, speaker", [
    # a title or place abbreviation before a name does not end the appositive
    ('"It was chaos," said Dr. Maria Lopez, chief medical officer at St. Mary\'s Hospital in Phoenix.\n',
     "Dr. Maria Lopez, chief medical officer at St. Mary's Hospital in Phoenix"),
    ('"They misled us," said Yaakov Amidror, a former adviser to Mr. Netanyahu.\n',
     "Yaakov Amidror, a former adviser to Mr. Netanyahu"),
    # a sentence that ends with an abbreviation still ends there
    ('"It was chaos," said Maria Lopez, a nurse in Phoenix. Sen. Ruiz agreed.\n', "Maria Lopez, a nurse in Phoenix"),
])
def test_an_appositive_goes_on_past_a_title_before_a_name(sentence, speaker):
    quote = sentence[:sentence.index(",") + 2]
    assert said_by(sentence).get(quote) == speaker


def test_a_lawmakers_party_and_state_keep_the_name_before_them():
    text = "Sen. Mark Warner, D-Va., who chairs the Intelligence Committee, urged the White House to respond.\n"
    assert said_by(text).get("to respond") == "Sen. Mark Warner, D-Va., who chairs the Intelligence Committee"


@pytest.mark.parametrize("sentence, quote, speaker", [
    ('Homeland Security Secretary Alejandro Mayorkas, in an interview with CNN, called the attack "reckless."\n',
     'the attack "reckless."', "Homeland Security Secretary Alejandro Mayorkas"),
    ("Ruiz, at a rally on Monday, said the bill would fail.\n", "the bill would fail", "Ruiz"),
])
def test_where_or_when_the_source_spoke_is_no_part_of_the_source(sentence, quote, speaker):
    assert said_by(sentence).get(quote) == speaker


@pytest.mark.parametrize("sentence, quote", [
    ("He added that the plan would fail.\n", "that the plan would fail"),
    ("He added he intended to stay.\n", "he intended to stay"),
    ('She added: "We will win."\n', '"We will win."'),
    ("The plan will fail, he added.\n", "The plan will fail"),
])
def test_add_is_speech_with_a_clause_a_quotation_or_after_what_was_said(sentence, quote):
    assert quote in said_by(sentence)


@pytest.mark.parametrize("sentence", [
    "The council voted on Tuesday to add bike lanes on Main Street.\n",
    "The economy added 151,000 jobs during the month.\n",
    "He added his voice to the critics.\n",
])
def test_add_with_a_plain_object_says_nothing(sentence):
    assert said_by(sentence) == {}


@pytest.mark.parametrize("sentence, quote, speaker", [
    # a ticker after a name ending in a period, then "today" before the cue (press releases)
    ("Acme Corp. (NASDAQ: ACME) today reported record revenue of $1.2 billion.\n",
     "record revenue of $1.2 billion", "Acme Corp."),
    ("Acme Corp. (NASDAQ: ACME) said today that revenue rose.\n", "that revenue rose", "Acme Corp."),
    ("Rep. Ana Ruiz (D-Calif.) also said the plan failed.\n", "the plan failed", "Rep. Ana Ruiz"),
])
def test_a_parenthesis_after_the_source_is_passed_over(sentence, quote, speaker):
    assert said_by(sentence).get(quote) == speaker


def test_a_manner_verb_in_the_next_sentence_does_not_attribute_a_finished_quotation():
    # the quotation ends its own sentence with a period: "cheered" starts a new one
    assert said_by('Trump spoke for an hour. "We will build the wall." Supporters cheered loudly.\n') \
        .get('"We will build the wall."') != "Supporters"
    # next to the quotation, a manner verb still names its speaker; so does "said" after a period
    assert said_by('"Go back," Trump barked.\n') == {'"Go back,"': "Trump"}
    assert said_by('"Build the wall!" supporters chanted.\n') == {'"Build the wall!"': "supporters"}
    assert said_by('"We will win." Trump said.\n') == {'"We will win."': "Trump"}


@pytest.mark.parametrize("sentence, speaker", [
    ("Officials at the Pentagon said the vote would happen Friday.\n", "Officials at the Pentagon"),
    ("Spokesmen at the FBI said the vote would happen Friday.\n", "Spokesmen at the FBI"),
    ("Officials with the campaign said the vote would happen Friday.\n", "Officials with the campaign"),
    ("Members of Congress said the vote would happen Friday.\n", "Members of Congress"),
    # "familiar with" still links its own source; an object before "and said" is no source
    ("A source familiar with the talks said the vote would happen Friday.\n", "A source familiar with the talks"),
    ("Trump met officials at the Pentagon and said the vote would happen Friday.\n", "Trump"),
])
def test_a_bare_people_noun_keeps_the_place_or_body_it_belongs_to(sentence, speaker):
    assert said_by(sentence).get("the vote would happen Friday") == speaker
