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


def test_content_runs_into_a_quotation_of_several_sentences():
    # The clause after "wrote" goes on inside the quotation; the quotation holds two sentences.
    text = 'Ana Ruiz wrote that Lopez "has built a real movement. Such movements never last."'
    quotes = find_quotes(text)
    assert [text[q["start"]:q["end"]] for q in quotes] == [text[text.index("that"):]]
    assert quotes[0]["quote_type"] == "mixed"
    assert text[slice(*quotes[0]["speaker"])] == "Ana Ruiz"


def test_quotation_after_a_colon_keeps_its_own_region():
    # The colon introduces the quotation with its own cue; the clause before it does not swallow it.
    text = 'Ruiz said both men are "pillars of the party," but he added a warning: "Nobody wins alone. Ever."'
    found = contents(text)
    assert '"Nobody wins alone. Ever."' in found


def test_final_appositive_is_the_authors_comment():
    # "When in doubt, don't include it in the content": the appositive comments on what was said.
    text = "Ruiz said the bill would cost $2 billion, an increase of almost $200 million."
    assert contents(text) == ["the bill would cost $2 billion"]


def test_appositive_inside_the_clause_stays():
    text = "Ruiz said the bill, a costly one, would pass in May."
    assert contents(text) == ["the bill, a costly one, would pass in May"]


def test_to_before_a_quotation_is_content_not_a_recipient():
    # "To" opens the infinitive ("She hopes to become the president"), also before a quotation.
    text = "On his website, Ruiz promises to “bring the jobs back to Ohio.”"
    quotes = find_quotes(text)
    assert [text[q["start"]:q["end"]] for q in quotes] == ["to “bring the jobs back to Ohio.”"]
    assert quotes[0]["quote_type"] == "mixed"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        # "She calls him the man with two left feet": what is named belongs to the content.
        ("Ruiz called the new law “a disaster for schools.”", "the new law “a disaster for schools.”"),
        ('Then he turned on Lopez, calling him a "total disaster."', 'him a "total disaster."'),
        ('Ruiz routinely characterizes herself as a "change warrior."', 'herself as a "change warrior."'),
    ],
)
def test_what_a_naming_verb_names_is_content(text, content):
    quotes = find_quotes(text)
    assert [text[q["start"]:q["end"]] for q in quotes] == [content]
    assert quotes[0]["quote_type"] == "mixed"


def test_recipient_before_a_quotation_is_still_left_out():
    text = 'Ruiz told reporters: "We will win."'
    assert contents(text) == ['"We will win."']


def test_sentence_begun_before_the_quotation_is_part_of_it():
    # The words before the mark are the subject of what is quoted; the speaker comes after.
    text = 'Behind the scenes, Mr. Lopez is "activating his network," said Ana Ruiz, a local pastor.'
    quotes = find_quotes(text)
    assert [text[q["start"]:q["end"]] for q in quotes] == ['Behind the scenes, Mr. Lopez is "activating his network,"']
    assert quotes[0]["quote_type"] == "mixed"
    # PolNeAR's guidelines put the appositive that identifies the source in it.
    assert text[slice(*quotes[0]["speaker"])] == "Ana Ruiz, a local pastor"


@pytest.mark.parametrize(
    "text",
    [
        '“It will fail,” Ruiz said. “It always does.”',  # the quotation opens its sentence
        'Ruiz said it "will fail," and left the room.',  # a cue before the mark frames it
        'Asked whether it "will fail," Ruiz said no.',  # a lead that frames the question
    ],
)
def test_quotation_without_a_subject_before_it_keeps_its_start(text):
    quotes = find_quotes(text)
    assert quotes and all(q["start"] > 0 or text[0] == "“" for q in quotes)


def test_maintain_attributes_a_clause_not_an_object():
    # "maintained her lead" is an action; "maintained they were not marked" a claim.
    assert contents("In the race, Ruiz maintained her double-digit lead over Lopez.") == []
    assert contents("The campaign has long maintained they were not marked classified.") == [
        "they were not marked classified"]


def test_cue_in_a_description_of_the_subject_stops_at_the_main_verb():
    # "Jeremy, who supports Sanders, says he'll definitely vote tomorrow": two attributions.
    text = "John Ruiz, a former adviser who backed a bold climate policy, said Lopez understood the stakes."
    found = contents(text)
    assert "Lopez understood the stakes" in found
    assert "a bold climate policy" in found


@pytest.mark.parametrize("text, quote", [
    # British single marks: the apostrophe of a plural possessive ends no quotation
    ("'The clubs' owners are wrong,' said Gareth Hale.", "'The clubs' owners are wrong,'"),
    ("‘The clubs’ owners are wrong,’ said Gareth Hale.", "‘The clubs’ owners are wrong,’"),
    ("‘The players’ union is right,’ said Gareth Hale. ‘We agree.’", "‘The players’ union is right,’"),
])
def test_a_plural_possessive_inside_single_marks_does_not_close_the_quotation(text, quote):
    assert quote in contents(text)


@pytest.mark.parametrize("text, content", [
    ("She told reporters the footage showed an attack.", "the footage showed an attack"),
    ("He told reporters the data shows a rise.", "the data shows a rise"),
])
def test_a_short_clause_after_a_recipient_with_a_cue_verb_of_its_own_is_the_content(text, content):
    # a recipient verb's short object is a recipient ("Todd asked the real estate mogul."), but one
    # whose words hold a finite cue verb is a clause: what she told them
    assert contents(text) == [content]


def test_a_short_object_of_a_recipient_verb_is_still_no_content():
    assert contents("Todd asked the real estate mogul.") == []
    assert contents("She told voters his plans.") == []
