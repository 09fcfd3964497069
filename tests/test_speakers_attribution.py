"""Who said it: speakers the quote finder links to quotes (invented sentences)."""

from __future__ import annotations

from annotate.converters import convert_text
from annotate.converters.quotes import find_quotes


def said(text: str) -> list[tuple[str, str | None]]:
    return [(text[q["start"]:q["end"]], text[slice(*q["speaker"])] if q["speaker"] else None)
            for q in find_quotes(text)]


def refers_to(text: str) -> dict[tuple[str, int], str]:
    """(pronoun or short speaker, its offset) -> the text of the Speaker it refers_to."""
    result = convert_text(text)["predictions"][0]["result"]
    regions = {r["id"]: r["value"] for r in result if r["type"] == "labels"}
    return {(regions[r["from_id"]]["text"], regions[r["from_id"]]["start"]): regions[r["to_id"]]["text"]
            for r in result if r["type"] == "relation" and r["labels"] == ["refers_to"]}


def test_headline_holding_a_quotation_keeps_the_name_before_its_colon():
    text = "Ruiz: Lopez ‘Waving The Flag Of Surrender’ To Voters"
    assert said(text) == [("Lopez ‘Waving The Flag Of Surrender’ To Voters", "Ruiz")]


def test_transcript_line_opening_with_a_quotation_is_not_one_headline():
    text = '"Our goal is to win." Lopez: "The mission is to win, not to draw."'
    assert ('"The mission is to win, not to draw."', "Lopez") in said(text)


def test_participle_after_an_inverted_cue_and_a_question_takes_its_speaker():
    text = '"How much worse could it get?" said strategist Al Ruiz, referring to the new mayor.'
    assert said(text) == [('"How much worse could it get?"', "strategist Al Ruiz"),
                          ("the new mayor", "strategist Al Ruiz")]


def test_words_with_a_verb_between_a_comma_and_a_cue_are_no_source():
    # ", city records show" names a source; ", offered a restrained embrace" does not (a verb, a noun).
    text = "Lopez, who has endorsed Ruiz and praised his campaign, offered a restrained embrace."
    assert all(sp is None or not sp.startswith("offered") for _, sp in said(text))
    assert said("The plan has failed, city records show.") == [("The plan has failed", "city records")]


def test_subordinate_clause_after_a_comma_is_no_source():
    text = "Ruiz said voters had no problem with the plan, even if they did not agree with him."
    assert all(sp is None or "if" not in sp.split() for _, sp in said(text))


def test_people_who_say_something_in_an_object_are_the_source():
    # Only the outermost attribution is annotated, but "rebuked critics" attributes nothing the
    # critics' own saying does not: the inner cue and its "who" win.
    text = "Ruiz rebuked critics who say he should condemn the group."
    assert said(text) == [("he should condemn the group", "who")]


def test_inverted_speaker_at_the_end_of_the_sentence_keeps_its_head_noun():
    # The sentence's period is not part of the head word ("observers."), which names people.
    text = "His rise surprised everyone, said several observers."
    assert said(text) == [("His rise surprised everyone", "several observers")]


def test_participle_aside_between_subject_and_cue_is_skipped():
    text = "A local official, speaking on condition of anonymity, said that the talks had failed."
    assert ("that the talks had failed", "A local official") in said(text)


def test_second_cue_of_a_coordinated_predicate_takes_the_first_cues_subject():
    # The sentence opens with an adjunct and another clause; "said" shares "called"'s subject.
    text = 'For that she drew his ire - he called her "weak" and said she had "zero support" in the state.'
    assert ('she had "zero support" in the state', "he") in said(text)


def test_a_state_after_the_town_of_an_opening_adjunct_is_not_the_subject():
    # "In Dayton, Ohio," places the sentence: the subject of both cues is after the state's comma
    for place in ("Ohio", "New Hampshire", "France"):
        text = f"In Dayton, {place}, the mayor criticized the plan and said it would fail."
        assert said(text) == [("the plan", "the mayor"), ("it would fail", "the mayor")]


def test_a_quotation_closing_the_sources_relative_clause_does_not_hide_the_source():
    # the walk back from "said" stops at a closing mark; the clause "who calls Trump a “fraud,”"
    # belongs to Ruiz, who said the rest
    text = "Ruiz, who calls the mayor a “fraud,” said he doubts the plan will pass."
    assert said(text) == [("the mayor a “fraud,”", "who"), ("he doubts the plan will pass", "Ruiz")]
    # a direct quotation before an inverted cue keeps its speaker after the cue
    assert said("“We will win,” said Ruiz.") == [("“We will win,”", "Ruiz")]


def test_a_purpose_infinitive_after_a_place_and_a_day_takes_the_sentences_subject():
    text = "The mayor took to the steps of City Hall Wednesday to assail the council's budget."
    assert said(text) == [("the council's budget", "The mayor")]


def test_a_colon_before_a_capital_opens_the_clause_whose_subject_a_cue_takes():
    text = ("For a sense of how split the party is, consider this: The top Republicans went before "
            "reporters on Tuesday to denounce the plan.")
    assert said(text) == [("the plan", "The top Republicans")]


def test_a_cue_in_ing_between_an_adjective_and_a_noun_is_a_modifier():
    assert said("The fractured Republican nominating contest could give Clinton some cushion.") == []
    assert said("The divisive nominating contests have produced deep resentment.") == []
    # a participle with its object stays a cue
    content, speaker = said("A Republican criticizing the plan said it would fail.")[0]
    assert content.startswith("the plan") and speaker == "A Republican"


def test_called_after_a_thing_that_bears_a_name_names_it():
    assert said("He leads a Facebook group called Occupy DNC Convention.") == []
    assert said("A newly formed super PAC called Future 45 ran ads in Iowa.") == []
    # a person or a definite noun phrase still calls something something
    assert said("An official called Trump a liar.") == [("Trump a liar", "An official")]
    assert said("The group called the plan a disaster.") == [("the plan a disaster", "The group")]


def test_the_object_of_a_participle_after_its_noun_ends_at_the_sentences_verb():
    assert said("Voters supporting Trump were angry about the vote.")[0] == ("Trump", "Voters")
    text = "House Republicans supporting the bill have said they think they will have the votes."
    assert ("they think they will have the votes", "House Republicans") in said(text)


def test_a_cue_noun_in_s_before_a_comma_is_a_noun_unless_a_source_phrase_ends_there():
    # "attacks," "estimates,": a verb there would have no object
    text = "After the Paris attacks, Trump released an ad criticizing the president."
    assert [content for content, _ in said(text)] == ["the president"]
    assert ("Cost estimates", "he") in said("Cost estimates, he added, were too high.")
    # ", a new poll shows.": the content is before the comma, the source after it
    assert said("The races are all close, a new poll shows.") == [("The races are all close", "a new poll")]


def test_a_purpose_infinitive_after_a_verbs_object_takes_the_sentences_subject():
    text = "Mr. Khan has mounted an extraordinary public campaign to condemn Mr. Trump for the proposal."
    assert said(text) == [("Mr. Trump for the proposal", "Mr. Khan")]


def test_a_clause_after_an_inverted_speech_cue_is_content_too():
    text = "“It is important,” one of the prosecutors said the two cases were quite different."
    assert said(text) == [("“It is important,”", "one of the prosecutors"),
                          ("the two cases were quite different", "one of the prosecutors")]
    assert said("“It is important,” he said aboard the plane.") == [("“It is important,”", "he")]


def test_an_adjunct_before_a_clause_with_its_pronoun_belongs_to_the_content():
    assert said("Pence said in politics it takes time to build trust.") == [
        ("in politics it takes time to build trust", "Pence")]
    assert said("He said in a statement that he would run.") == [("that he would run", "He")]


def test_one_lowercase_word_is_the_object_of_an_evaluation():
    assert said("Most Republicans oppose abortion.") == [("abortion", "Most Republicans")]
    # not a pronoun of everything, not an adverb, and not after a speech verb
    assert said("He criticized everyone.") == []
    assert said("The campaign pushed back loudly.") == []


def test_two_titles_joined_by_and_open_an_inverted_speaker():
    assert said("“We lobbied on gaming,” said author and former senator Ana Ruiz.") == [
        ("“We lobbied on gaming,”", "author and former senator Ana Ruiz")]
    assert said("The firm lobbied on gaming, said lobbyist and GOP strategist Al Ruiz.") == [
        ("The firm lobbied on gaming", "lobbyist and GOP strategist Al Ruiz")]
    # a person and someone else is not one title: the name alone
    assert said("“We won,” said Ana Ruiz and her husband.") == [("“We won,”", "Ana Ruiz")]


def test_a_day_with_its_possessive_after_said_opens_the_clause():
    assert said("Berg said Thursday's speeches were good.") == [("Thursday's speeches were good", "Berg")]
    assert said("Berg said last week's debate was a disaster.") == [("last week's debate was a disaster", "Berg")]
    assert said("Berg said Thursday the speeches were good.") == [("the speeches were good", "Berg")]


def test_a_town_and_its_state_inside_an_appositive_do_not_end_the_speaker():
    # "Dayton, Ohio" is one place: the appositive goes on to the name before it
    assert said("Rachel Berg, 45, of Dayton, Ohio, said the speeches were good.") == [
        ("the speeches were good", "Rachel Berg, 45, of Dayton, Ohio")]
    assert said("Rachel Berg, a philanthropist from Monsey, New York, said Thursday's speeches were good.") == [
        ("Thursday's speeches were good", "Rachel Berg, a philanthropist from Monsey, New York")]
    assert said("“It was good,” said Rachel Berg, 45, of Dayton, Ohio.") == [
        ("“It was good,”", "Rachel Berg, 45, of Dayton, Ohio")]
    # with no appositive before the place, the phrase is read as before
    assert said("Voters in Dayton, Ohio, said the speeches were good.") == [
        ("the speeches were good", "Voters in Dayton, Ohio")]


def test_an_aside_between_dashes_after_the_cue_is_not_the_content():
    assert said("Ruiz said — on Twitter, as it happens — that the mayor raised $4 million.") == [
        ("that the mayor raised $4 million", "Ruiz")]
    assert said("Ruiz said - again falsely - that the mayor raised $4 million.") == [
        ("that the mayor raised $4 million", "Ruiz")]


def test_an_abbreviation_inside_a_participle_aside_keeps_the_subject_before_it():
    # "U.S." does not end the aside ", citing data from the U.S. State Department,"
    assert said("Ruiz, citing data from the U.S. State Department, said that 4 million people live there.") == [
        ("data from the U.S. State Department", "Ruiz"), ("that 4 million people live there", "Ruiz")]


def test_a_cue_noun_before_a_comma_far_from_the_last_comma_is_a_noun():
    # "references" ends the object of "using"; a comma five words back closes no ", X shows."
    text = "With that issue unresolved, the agency has not been using social media references, officials said."
    assert said(text) == [("With that issue unresolved, the agency has not been using social media references",
                           "officials")]
    # right after a comma the cue still closes its clause: the content is before the comma
    assert said("Turnout is rising, a new poll shows.") == [("Turnout is rising", "a new poll")]


def test_a_place_name_among_the_modifiers_after_a_determiner_stays_in_the_speaker():
    assert said("He was kind, a Cairo airport official said.") == [("He was kind", "a Cairo airport official")]
    assert said("He was kind, a New York city official said.") == [("He was kind", "a New York city official")]
    # a plural head needs no determiner after a comma
    assert said("He was kind, Boston city officials said.") == [("He was kind", "Boston city officials")]
    # not across a clause: "the Trump we all know" names no speaker
    assert said("“It is the Trump we all know,” she said.") == [("“It is the Trump we all know,”", "she")]


def test_a_contracted_subject_pronoun_opens_a_bare_clause():
    assert said("He says tonight he's a step closer to the nomination.") == [
        ("he's a step closer to the nomination", "He")]
    assert said("I think it’s a good thing.") == [("it’s a good thing", "I")]


def test_a_name_after_comma_said_at_the_sentence_end_is_the_source_of_what_comes_before():
    text = ("Ruiz lacks support from his colleagues in Congress, whom he's alienated with his rhetoric, "
            "said Al Soto, director of the Center for Politics.")
    assert said(text) == [("Ruiz lacks support from his colleagues in Congress, whom he's alienated with his rhetoric",
                           "Al Soto, director of the Center for Politics")]
    text = "That would create agony for Ruiz leading up to the vote, forcing her to fend off rivals, said Al Soto, a pollster."
    assert said(text) == [("That would create agony for Ruiz leading up to the vote, forcing her to fend off rivals",
                           "Al Soto, a pollster")]
    # an appositive speaker before the cue keeps the quote it has
    assert said("“We won,” Ana Ruiz, a former candidate, told CBS News.") == [
        ("“We won,”", "Ana Ruiz, a former candidate")]


def test_a_number_with_thousands_separators_is_one_speaker_token():
    assert said("At least 21,000 said they would help.") == [("they would help", "21,000")]


def test_a_vote_tally_before_an_infinitive_cue_is_no_speaker():
    text = "The city council voted 7-4 on Tuesday to reject a proposal for a new stadium."
    assert said(text) == [("a proposal for a new stadium", "The city council")]
    assert all(sp != "2" for _, sp in said("The board voted 5 to 2 to reject the offer."))


def test_a_forum_label_before_a_colon_is_no_headline_source():
    assert all(sp not in ("Thread", "Re") for _, sp in said("Thread: Senator's remarks on trade deal"))
    assert all(sp not in ("Thread", "Re") for _, sp in said("Re: Senator's remarks on trade deal"))


def test_a_company_legal_form_after_a_comma_stays_in_the_speaker():
    text = "Acme Robotics, Inc. today announced that it would hire 200 engineers."
    assert said(text) == [("that it would hire 200 engineers", "Acme Robotics, Inc.")]
    assert said("Globex Holdings, LLC, a maker of pumps, said profits rose.") == [
        ("profits rose", "Globex Holdings, LLC, a maker of pumps")]


def test_an_ing_cue_form_inside_a_noun_phrase_is_no_cue_of_the_participle():
    text = "The judge blocked a new voting law, saying it was unfair."
    assert said(text) == [("it was unfair", "The judge")]
    text = "A federal judge blocked a new state voting law, saying it was unfair."
    assert said(text) == [("it was unfair", "A federal judge")]


def test_lowercase_particles_inside_a_name_stay_in_the_speaker():
    assert said('"This is a historic day," said Ursula van der Berg.') == [
        ('"This is a historic day,"', "Ursula van der Berg")]
    assert said('"We have been patient," union leader Kees de Vries said.') == [
        ('"We have been patient,"', "union leader Kees de Vries")]
    assert said('"We are ready," said deputy mayor Ahmed bin Rashid.') == [
        ('"We are ready,"', "deputy mayor Ahmed bin Rashid")]
    assert said("Ursula von Brandt said the plan failed.") == [("the plan failed", "Ursula von Brandt")]


def test_the_field_of_an_office_after_of_stays_in_an_inverted_speaker():
    text = '"Customers were misled," said the office\'s director of enforcement, Sarah Bellingham.'
    assert said(text) == [('"Customers were misled,"', "the office's director of enforcement, Sarah Bellingham")]


def test_a_lowercase_plural_possessive_stays_in_the_speaker():
    assert said("The contractors' association said the comment was insulting.") == [
        ("the comment was insulting", "The contractors' association")]
    assert said('"It was insulting," said the contractors\' association.') == [
        ('"It was insulting,"', "the contractors' association")]


def test_a_group_of_people_at_an_organisation_is_the_whole_speaker():
    assert said("Employees at Brightwave say the new software records every keystroke.") == [
        ("the new software records every keystroke", "Employees at Brightwave")]
    assert said("Doctors at Eastbridge Hospital said the ward is full.") == [
        ("the ward is full", "Doctors at Eastbridge Hospital")]
    text = "On Tuesday, both of the mayor's remaining rivals for the seat criticized his handling of the flood."
    assert said(text) == [("his handling of the flood", "both of the mayor's remaining rivals for the seat")]


def test_a_clause_after_a_recipient_verb_is_no_recipient():
    text = "Governor Ilse Brandt said inflation was easing but warned it was too early to cut."
    assert said(text) == [("inflation was easing", "Governor Ilse Brandt"),
                          ("it was too early to cut", "Governor Ilse Brandt")]
    assert said("Ruiz reminded Lopez he would have to win the vote.") == [
        ("he would have to win the vote", "Ruiz")]


def test_respond_to_takes_its_object_as_the_content():
    assert said("The company did not respond to a request for comment.") == [
        ("a request for comment", "The company")]


def test_a_place_or_time_adjunct_is_no_object_of_a_cue():
    assert said("Farmers protested outside parliament on Monday.") == []
    assert said("Farmers Protest Outside Parliament\n\nThe march was peaceful.") == []
    assert said("Nurses protested across the country over the weekend.") == []
    assert said("Farmers protested on Monday.") == []
    assert said("Farmers protested Monday against the plan.") == [("the plan", "Farmers")]
    assert said("Farmers protested against the plan.") == [("the plan", "Farmers")]


def test_a_thing_recalled_or_unveiled_is_no_content():
    assert said("The retailer recalled 40,000 tablets.") == []
    assert said("Retailer Recalls Tablets Over Battery Fires\n\nNo one was hurt.") == []
    assert said("The company unveiled a new robot.") == []
    assert said("Acme Robotics Unveils Warehouse Robot\n\nThe machine lifts crates.") == []
    assert said("She recalled that the meeting was tense.") == [("that the meeting was tense", "She")]
    assert said("She recalled the meeting with the mayor.") == [("the meeting with the mayor", "She")]
    assert said("The mayor unveiled a $2 billion housing plan.") == [("a $2 billion housing plan", "The mayor")]


def test_a_headline_passive_without_its_auxiliary_names_no_speaker():
    # The one accused is what the cue is about, not its source: the same as the body's passive.
    assert said("Tech firm accused of spying on staff\n\nThe firm denies it.")[0][1] is None
    assert said("The firm was accused of spying on staff.") == [("The firm was accused of spying on staff", None)]
    assert said("Mayor criticized for slow flood response\n\nResidents waited days.") == []
    assert said("Ruiz accused Lopez of lying.") == [("Lopez of lying", "Ruiz")]
    # After a relative word the object has moved before the verb: an active cue with its source.
    assert "President Lopez" in [sp for _, sp in said("It named the group which President Lopez blamed for the attacks.")]


def test_a_written_work_is_no_content_of_write():
    text = ("Tomasz Wojcik is a transport researcher at the University of Krakow. "
            "He writes a monthly column for this newspaper.")
    assert said(text) == []
    assert said("She is writing a memoir.") == []
    assert said("She wrote an opinion piece on rising rents.") == [("rising rents", "She")]
    assert said("She wrote that the plan would fail.") == [("that the plan would fail", "She")]
    assert said("He wrote in a letter that the plan would fail.") == [("that the plan would fail", "He")]


def test_a_noun_in_ly_before_a_cue_is_the_speaker_not_an_adverb():
    assert said("The family said the funeral would be private.") == [
        ("the funeral would be private", "The family")]
    assert said("Her family said he loved the sea.") == [("he loved the sea", "Her family")]
    assert said("The funeral will be private, the family said.") == [
        ("The funeral will be private", "the family")]


def test_a_name_never_spans_a_paragraph_break():
    text = 'Runner takes the title in Lyon\n\nMira Kovac won the final.\n\n"I am thrilled," she said.\n'
    assert refers_to(text) == {("she", text.index("she said")): "Mira Kovac"}


def test_a_role_noun_that_is_also_a_cue_before_a_name_is_part_of_the_speaker():
    assert said("The defending champion Ola Berg said the wind was to blame.") == [
        ("the wind was to blame", "The defending champion Ola Berg")]
    assert said("World champion Ines Vale said the course was fast.") == [
        ("the course was fast", "World champion Ines Vale")]
    assert said("Patient advocate Tom Reyes said the wait was too long.") == [
        ("the wait was too long", "Patient advocate Tom Reyes")]
    assert said("They champion Ines Vale.") == [("Ines Vale", "They")]


def test_who_after_a_name_and_its_age_refers_to_the_name():
    text = "Tom Reyes, 52, who said he regretted the crash, was fined on Monday.\n"
    assert refers_to(text) == {("who", text.index("who")): "Tom Reyes"}


def test_an_ampersand_between_capitalised_words_joins_one_name():
    assert said("Traders at Holm & Co said the rise was a surprise.") == [
        ("the rise was a surprise", "Traders at Holm & Co")]
    assert said("Baker & Finch said profits fell.") == [("profits fell", "Baker & Finch")]
    assert said('"Profits fell," said a spokesman for Baker & Finch.') == [
        ('"Profits fell,"', "a spokesman for Baker & Finch")]


def test_a_role_then_a_name_in_an_appositive_after_an_inverted_speaker_stays_in_it():
    text = '"He was generous," said her late husband\'s brother, the painter Leo Marsh.'
    assert said(text) == [('"He was generous,"', "her late husband's brother, the painter Leo Marsh")]


def test_a_floating_quantifier_before_the_cue_is_no_part_of_the_speaker():
    assert said("Ines Vale and her coach, Tom Reyes, both said the course was fast.") == [
        ("the course was fast", "Ines Vale and her coach, Tom Reyes")]
    assert said("The two riders all also said the course was fast.") == [
        ("the course was fast", "The two riders")]


def test_an_as_clause_cue_with_its_own_complement_keeps_it_as_the_content():
    text = "Even as the rivals vowed to fight on after the vote, the mood was grim."
    assert said(text) == [("to fight on after the vote", "the rivals")]
    assert said("As he said to reporters, the plan is dead.") == [("the plan is dead", "he")]
