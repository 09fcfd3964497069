"""Quote rules of converter 0.3.14, found by reading invented business, sports and court stories:
each case says what an annotator following the guidelines would mark, reasoned from the
sentence itself."""

from __future__ import annotations

import pytest

from annotate.converters import convert_text
from annotate.validate import check_prediction_task


def _result(text: str) -> list[dict]:
    """The prediction's result items for `text`, checked first: accepted unchanged, it is a valid
    gold record."""
    task = convert_text(text)
    assert check_prediction_task(task) == []
    return task["predictions"][0]["result"]


def quotes(text: str) -> dict[str, str | None]:
    """Quote text -> the text of the Speaker it is said_by (None when it has none)."""
    result = _result(text)
    regions = {r["id"]: r["value"]["text"] for r in result if r["type"] == "labels"}
    said = {r["from_id"]: regions[r["to_id"]] for r in result
            if r["type"] == "relation" and r["labels"] == ["said_by"]}
    return {r["value"]["text"]: said.get(r["id"]) for r in result
            if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]}


@pytest.mark.parametrize("sentence", [
    "Apple shares fell 3% on Monday in New York.\n",
    "Acme Corp shares slide after weak forecast\n",
    "Tesla shares and bonds rallied on Friday.\n",
    "Weekly jobless claims have doubled since 2010.\n",
    "Insurance claims jumped after the storm.\n",
    "Company shares dropped sharply on Tuesday.\n",
    "The jobs report was released on Friday morning.\n",
])
def test_a_plural_noun_before_its_predicate_is_no_cue(sentence):
    # "shares", "claims": the subject's head, followed by its verb; nobody says anything here
    assert quotes(sentence) == {}


def test_the_real_attribution_behind_a_market_report_is_kept():
    text = "Apple shares fell 3% on Monday after the company said iPhone sales slowed.\n"
    assert quotes(text) == {"iPhone sales slowed": "the company"}


@pytest.mark.parametrize("sentence, quote, speaker", [
    # the same words as verbs: a subject, then the cue, then its object
    ("The senator shares the concerns of many voters about the deal.\n",
     "the concerns of many voters about the deal", "The senator"),
    ("The survey shows increased support for the plan.\n", "increased support for the plan", "The survey"),
    # an auxiliary after "hopes"/"says" opens the clause whose subject was moved before the cue
    ("It is a move that the kingdom hopes will shatter perceptions.\n", "will shatter perceptions",
     "the kingdom"),
    ("Tax cuts are the policy he believes will define his career.\n", "will define his career", "he"),
    ("He attacked the moderator, who he claims has been unfair to him.\n", "has been unfair to him", "he"),
])
def test_a_cue_verb_before_its_object_or_a_moved_clause_still_attributes(sentence, quote, speaker):
    assert quotes(sentence).get(quote) == speaker


@pytest.mark.parametrize("label", ["NOTES", "UP NEXT", "INJURIES", "Background"])
def test_a_section_label_before_a_colon_is_no_speaker(label):
    text = (f'"We never stopped believing," Ruiz said.\n\n'
            f"{label}: The Rangers have won five straight. Boston fell to 2-3 in overtime games.\n")
    assert quotes(text) == {'"We never stopped believing,"': "Ruiz"}


def refers_to(text: str) -> dict[tuple[str, int], str]:
    """(pronoun or short speaker, its offset) -> the text of the Speaker it refers_to."""
    result = _result(text)
    regions = {r["id"]: r["value"] for r in result if r["type"] == "labels"}
    return {(regions[r["from_id"]]["text"], regions[r["from_id"]]["start"]): regions[r["to_id"]]["text"]
            for r in result if r["type"] == "relation" and r["labels"] == ["refers_to"]}


def test_a_pronoun_refers_to_the_subject_of_the_sentence_before_not_the_last_speaker():
    text = ('"Igor was unbelievable tonight," said Rangers coach Peter Laviolette.\n\n'
            "Bruins captain Brad Marchand was blunt about his team's third period. "
            '"We just sat back and let them take it to us," he said.\n')
    assert refers_to(text) == {("he", text.index("he said")): "Brad Marchand"}


def test_a_pronoun_after_a_role_before_the_name_refers_to_that_person():
    text = ('"We will appeal," Attorney General Chris Carr said in a statement.\n\n'
            "The law's sponsor, state Sen. Max Burns, argued that the measure was needed. "
            "He did not respond to a request for comment Friday.\n")
    links = refers_to(text)
    # "Max Burns" is the speaker of "argued"; the pronoun is his, not the attorney general's
    assert "Max Burns" in links[("He", text.index("He did"))]
    assert "Carr" not in links[("He", text.index("He did"))]


def test_a_name_in_a_quotation_or_after_a_preposition_is_no_subject():
    text = ('Team captain Chris Park spoke after the game. '
            '"Coach Jordan Lee never gave up on us," he said.\n\n'
            'With Jordan Lee beside him, Mayor Sam Ortiz opened the stadium. "It is a great day," he said.\n')
    links = refers_to(text)
    assert links[("he", text.index("he said"))] == "Chris Park"
    assert links[("he", text.index("he said", text.index("With")))] in ("Sam Ortiz", "Mayor Sam Ortiz")


def test_a_persons_belonging_is_not_what_a_pronoun_refers_to():
    text = ("Sen. Bernie Sanders spoke in Iowa on Monday. "
            '"We raised $5 million this week," Sanders’ aides said. "We are not done," he said.\n')
    links = refers_to(text)
    assert links[("he", text.index("he said"))] == "Bernie Sanders"


def test_a_role_owned_by_someone_then_a_name_is_that_person():
    text = ("Hill's attorney, Diane Foster, said her client intends to plead not guilty. "
            '"There is a lot more to this story," she said.\n')
    links = refers_to(text)
    assert "Diane Foster" in links[("she", text.index("she said"))]


def quote_types(text: str) -> dict[str, str]:
    """Quote text -> its quote_type."""
    result = _result(text)
    labels = {r["id"]: r["value"]["text"] for r in result if r["type"] == "labels"}
    return {labels[r["id"]]: r["value"]["choices"][0] for r in result if r.get("from_name") == "quote_type"}


@pytest.mark.parametrize("sentence, quote", [
    # British papers quote words in straight single marks, the stop after the closing mark
    ("Labour's shadow chancellor said the numbers were 'a damning verdict on 14 years of failure'.\n",
     "the numbers were 'a damning verdict on 14 years of failure'"),
    ("The Chancellor insisted the economy was 'turning a corner'.\n", "the economy was 'turning a corner'"),
])
def test_words_in_single_straight_marks_inside_a_paraphrase_make_it_mixed(sentence, quote):
    assert quote_types(sentence) == {quote: "mixed"}


def test_an_apostrophe_does_not_make_a_paraphrase_mixed():
    text = "The minister said the players' union and the clubs' owners had agreed a deal.\n"
    assert quote_types(text) == {"the players' union and the clubs' owners had agreed a deal": "indirect"}


def test_a_cue_in_the_past_after_a_plural_noun_is_the_verb():
    text = "Official figures showed government borrowing was higher than forecast last month.\n"
    assert quotes(text) == {"government borrowing was higher than forecast last month": "Official figures"}


def test_a_bare_surname_refers_to_the_first_full_mention_even_if_it_said_nothing():
    text = ("Gov. Elena Marquez signed the state budget on Thursday.\n\n"
            '"We cannot spend money we do not have," Marquez told reporters.\n')
    assert refers_to(text) == {("Marquez", text.index("Marquez told")): "Gov. Elena Marquez"}


@pytest.mark.parametrize("first", [
    "Marquez Says Budget Is Balanced\n\nThe budget passed on Thursday.\n\n",  # a headline's words run into the name
    "The plan, Marquez said last week, would pass.\n\n",  # first named bare: nothing fuller to point to
])
def test_a_bare_surname_without_a_full_first_mention_refers_to_nothing(first):
    text = first + '"We cannot spend money we do not have," Marquez told reporters.\n'
    assert ("Marquez", text.index("Marquez told")) not in refers_to(text)


def test_a_fronted_phrase_before_said_with_a_that_clause_after_it_is_not_the_content():
    text = ("Courted by most of the Republican candidates, Adelson said earlier on Friday during a news "
            "conference that he may wait until the primaries to decide.\n")
    assert quotes(text) == {"that he may wait until the primaries to decide": "Adelson"}


def test_according_to_before_a_quotation_names_its_speaker():
    text = ("Trump will give a speech on Monday addressing the attacks in Orlando. According to the Trump "
            "campaign, “The speech will be delivered at the New Hampshire Institute of Politics.”\n")
    assert quotes(text)["“The speech will be delivered at the New Hampshire Institute of Politics.”"] \
        == "the Trump campaign"


def test_put_it_before_a_colon_is_the_cue_not_the_speaker():
    text = ("Or, as Tom Ridge, a former secretary of homeland security, put it: "
            "\"The barbarians are no longer at the gate. They're inside.\"\n")
    speaker = quotes(text)["\"The barbarians are no longer at the gate. They're inside.\""]
    assert speaker is not None and speaker.startswith("Tom Ridge")


def test_the_owners_noun_before_an_infinitive_cue_is_not_the_speaker():
    text = "Comey did go out of his way to criticize the State Department more broadly on Tuesday.\n"
    assert quotes(text) == {"the State Department more broadly on Tuesday": "Comey"}


def test_a_prepositions_object_before_an_infinitive_cue_is_not_the_speaker():
    text = "Sue Smith, a longtime supporter of Clinton, even went on CNN to declare Clinton the winner.\n"
    assert quotes(text) == {"Clinton the winner": "Sue Smith"}


def test_a_long_opening_adjunct_is_passed_over_to_the_subject():
    text = ("Shortly after Murphy’s conference call with reporters ended, Rubio’s campaign sent out a press "
            "release saying Murphy owes voters an explanation.\n")
    assert quotes(text) == {"Murphy owes voters an explanation": "Rubio’s campaign"}


@pytest.mark.parametrize("text, quote, speaker", [
    ("Hastily, Trump cast the blame on his rivals and emphasized the threat that terrorism poses.\n",
     "the threat that terrorism poses", "Trump"),
    # a first name in -ly is no adverb
    ("Ashley Parker, a reporter, emphasized that the race was close.\n", "that the race was close",
     "Ashley Parker, a reporter"),
])
def test_an_adverb_opening_the_sentence_is_not_its_subject(text, quote, speaker):
    assert quotes(text) == {quote: speaker}


def test_urged_after_a_quotation_attributes_it():
    text = '"Please stay off the roads if you can," the governor urged in a video on Saturday.\n'
    assert quotes(text) == {'"Please stay off the roads if you can,"': "the governor"}


def test_a_pronoun_after_a_sentence_opened_by_a_bare_surname_refers_to_that_person():
    text = ('When the flood waters receded, Rosa Delgado was the first to reopen on Main Street.\n\n'
            '"She kept this town together," said Fire Chief Dan Morrow.\n\n'
            'Delgado shrugs off the praise. "More bread," she said.\n')
    assert refers_to(text)[("she", text.index("she said"))] == "Rosa Delgado"


def test_according_to_people_familiar_with_the_matter_keeps_what_identifies_them():
    text = ("Prosecutors are weighing charges against the aide, according to three people familiar with "
            "the matter who spoke on the condition of anonymity.\n")
    assert quotes(text) == {"Prosecutors are weighing charges against the aide": "three people familiar with the matter"}


def test_a_background_sentence_about_someone_else_does_not_take_the_ongoing_speakers_pronoun():
    # the quote goes on with the speaker of the paragraph before; Trump is only talked about
    text = ('Kremlin spokesperson Dmitry Peskov said Moscow was open to dialogue. "We will see," Peskov said.\n\n'
            'Trump will be sworn in as president in January. "Relations are at their lowest point," he said.\n')
    assert "Peskov" in refers_to(text)[("he", text.index("he said"))]


def test_a_name_inside_a_speakers_span_is_referred_to_through_that_span():
    # "Paul Stanek" is inside the speaker "The chief executive of ..., Paul Stanek": the surname
    # refers to that region, and no second Speaker region overlaps it
    text = ("The chief executive of Orecrest Mining, Paul Stanek, said the company would cut 2,000 jobs.\n\n"
            '"We have no choice," Stanek said.\n')
    assert refers_to(text) == {("Stanek", text.index("Stanek said")): "The chief executive of Orecrest Mining, Paul Stanek"}
    spans = sorted((r["value"]["start"], r["value"]["end"]) for r in _result(text)
                   if r["type"] == "labels" and r["value"]["labels"] == ["Speaker"])
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_a_pronoun_refers_to_a_name_with_accented_letters():
    text = "The chief, Marguerite Lefèvre, spoke on Monday. She said that congestion would ease.\n"
    assert refers_to(text) == {("She", text.index("She said")): "Marguerite Lefèvre"}


@pytest.mark.parametrize("headline", [
    "Transcript: Senator Laura Smith on the farm bill",
    "Q&A: Senator Laura Smith on the farm bill",
])
def test_a_format_label_before_a_headlines_colon_is_no_source(headline):
    assert quotes(headline + "\n\nThe hearing took place on Monday.\n") == {}
