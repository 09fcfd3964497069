"""Relative clauses around a cue: who speaks, and where the content ends (converter 0.3.16).

Each case is a sentence an annotator reads one way; the expected spans are read off the sentence.
"""

from annotate.converters import convert_text
from annotate.converters.clauses import sentence_subject
from annotate.converters.speakers import speaker_before


def quotes(text: str) -> list[tuple[str, str | None]]:
    """(quote text, speaker text) of each predicted Quote, in text order."""
    result = convert_text(text, doc_id="t")["predictions"][0]["result"]
    labels = {r["id"]: r for r in result if r.get("type") == "labels"}
    said_by = {r["from_id"]: r["to_id"] for r in result if r.get("type") == "relation" and r["labels"] == ["said_by"]}
    out = []
    for r in sorted(labels.values(), key=lambda r: r["value"]["start"]):
        if r["value"]["labels"] == ["Quote"]:
            speaker = labels.get(said_by.get(r["id"]))
            out.append((r["value"]["text"], speaker["value"]["text"] if speaker else None))
    return out


def refers_to(text: str) -> list[tuple[str, str]]:
    """(mention, what it refers to) of each predicted refers_to relation."""
    result = convert_text(text, doc_id="t")["predictions"][0]["result"]
    labels = {r["id"]: r for r in result if r.get("type") == "labels"}
    return [(labels[r["from_id"]]["value"]["text"], labels[r["to_id"]]["value"]["text"])
            for r in result if r.get("type") == "relation" and r["labels"] == ["refers_to"]]


def before(sentence: str, cue: str) -> str | None:
    at = sentence.index(cue)
    span = speaker_before(sentence, at, 0)
    return sentence[span[0] : span[1]] if span else None


def test_restrictive_clause_without_a_cue_is_part_of_the_source():
    # The parents said it; "the plant" is the object inside their relative clause.
    assert before("Parents who live near the plant said the smell was bad.", " said") == \
        "Parents who live near the plant"


def test_restrictive_clause_that_is_an_attribution_stays_out_of_the_source():
    # "spoke against the tax" is an attribution of its own, so (as after a comma) the source is
    # the head noun: the residents, never "the tax".
    assert before("Residents who spoke against the tax said rents were high.", " said") == "Residents"
    assert before("Residents, who spoke against the tax, said rents were high.", " said") == "Residents"


def test_a_phrase_after_a_comma_is_not_read_into_a_relative_clause():
    # No "who" right before the phrase: the phrase itself is the source.
    assert before("At the hearing on Tuesday the committee said no.", " said") == "the committee"


def test_cue_inside_the_subjects_relative_clause_makes_no_quote():
    # "who testified" describes the parents; "were more enthusiastic ..." is the main clause's
    # predicate, not what they testified.
    assert quotes("Parents who testified were more enthusiastic than business owners.") == []


def test_cue_in_relative_clause_before_the_main_cue_leaves_the_quote_to_it():
    # "said" is the main verb: the parents said the buses were late. "testified" makes no quote
    # of its own (it would swallow "said the buses ..."), and being a cue it stays out of the source.
    found = quotes("The mayor thanked the residents. Parents who testified said the buses were late.")
    assert ("the buses were late", "Parents") in found
    assert all(speaker != "who" for _, speaker in found)


def test_possessive_opens_the_subject_of_a_coordinated_cue():
    # The second cue shares the sentence's subject, the whole "China's commerce ministry".
    text = "China's commerce ministry condemned the tariffs and threatened to retaliate against farm exports."
    at = text.index("threatened")
    span = sentence_subject(text, at, 0)
    assert text[span[0] : span[1]] == "China's commerce ministry"
    assert ("to retaliate against farm exports", "China's commerce ministry") in quotes(text)


def test_contracted_is_is_not_a_possessive():
    # "He's" is "he is": nothing after it belongs to the subject.
    text = "He's a puppet and says exactly what people want to hear."
    span = sentence_subject(text, text.index("says"), 0)
    assert span is None or text[span[0] : span[1]] in ("He", "He's")


def test_content_of_a_relative_clause_ends_where_the_predicate_resumes():
    # ", will not apply" is the predicate of "The policy changes", not what officials said.
    found = quotes("The policy changes, which officials said will go into effect in May, will not apply to all families.")
    assert found == [("will go into effect in May", "officials")]


def test_relative_clause_end_needs_a_resuming_predicate():
    # No comma and finite verb after the clause: the content runs to the end of the sentence.
    found = quotes("He cited the plan, which officials said would cost $40 million a year.")
    assert ("would cost $40 million a year", "officials") in found


def test_participle_clause_is_part_of_the_source():
    # The lawyer speaks; the family is the object of "representing".
    assert before("A lawyer representing the family said the deal was fair.", " said") == \
        "A lawyer representing the family"
    assert before("Republicans arriving in Cleveland said they were ready.", " said") == \
        "Republicans arriving in Cleveland"


def test_number_is_no_head_for_a_participle():
    # "$15" is part of the organisation's name, not a noun that "organizing" modifies.
    assert before("Fight for $15 organizing director Kendall Fells said it.", " said") == "director Kendall Fells"


def test_subordinate_clause_before_the_phrase_stops_the_widening():
    # "until Reuters asked": Reuters asked, whatever the clause before "until" says.
    assert before("donations that were not reported until Reuters asked about them", " asked") == "Reuters"


def test_aside_between_commas_is_not_part_of_the_source():
    for aside in ("however", "meanwhile", "for its part", "in a statement"):
        sentence = f"The union, {aside}, said the deal was unfair."
        assert before(sentence, " said") == "The union", aside


def test_aside_after_a_participle_clause():
    sentence = "The union representing Lakeview's maintenance workers, however, called the deal a giveaway to executives."
    assert before(sentence, " called") == "The union representing Lakeview's maintenance workers"


def test_naming_verb_takes_object_and_what_it_is_called():
    # "called the deal a giveaway to executives": "to executives" is no infinitive of a recipient.
    assert quotes("The union called the deal a giveaway to executives.") == \
        [("the deal a giveaway to executives", "The union")]
    # A recipient with an infinitive is still read as one.
    assert quotes("Ruiz called on lawmakers to act.") == [("lawmakers to act", "Ruiz")]


def test_age_after_a_name_is_not_the_source():
    # ", 71," is the speaker's age: the name (with its role) before it is who speaks.
    assert before("Retired driver Earl Thompson, 71, whose pension was cut, said he was relieved.", " said") == \
        "Retired driver Earl Thompson, 71, whose pension was cut"
    assert before("Earl Thompson, 71, a retired driver, said he was relieved.", " said") == \
        "Earl Thompson, 71, a retired driver"


def test_subject_of_an_object_relative_clause_is_the_source():
    # "a trial that prosecutors described as ...": the prosecutors describe, not the trial.
    assert before("ending a three-week trial that prosecutors described as a case of greed", " described") == \
        "prosecutors"
    assert before("the plan that the mayor described as a mistake", " described") == "the mayor"


def test_clause_whose_verb_follows_the_relative_word_gives_no_source():
    # "that allows him to share": "allows him" is a verb and its object, no speaker.
    assert before("a unique event that allows him to share some laughs", " to share") is None
    assert before("Ms. Arnold, who helped found the group", " found") is None


def test_appositive_after_according_to_belongs_to_the_source():
    found = quotes("According to Jenna Park, an auto analyst at Harbor Securities, the company had little choice.")
    assert found == [("the company had little choice", "Jenna Park, an auto analyst at Harbor Securities")]
    # Without an appositive the content starts at the comma, as before.
    assert quotes("According to Smith, the company had little choice.") == [("the company had little choice", "Smith")]


def test_asking_not_to_be_named_is_no_quote():
    found = quotes("Two aides, who asked not to be identified, said the senator would resign.")
    assert found == [("the senator would resign", "Two aides")]


def test_partitive_of_a_pronoun_is_the_source():
    assert before("One of them described the mood as grim.", " described") == "One of them"
    assert before("Both of us said no.", " said") == "Both of us"


def test_pronoun_refers_to_a_name_set_off_after_a_role():
    # The last sentence's subject is "The Commission president, Anne Duval"; "she" is Duval, not
    # the man quoted before that sentence.
    text = ('Its interior minister, Luca Bernardi, said Rome was "tired of being left alone." '
            'The Commission president, Anne Duval, struck a conciliatory tone. '
            '"Solidarity is not a menu," she said.')
    assert ("she", "Anne Duval") in refers_to(text)


def test_passive_participle_with_its_agent_is_part_of_the_source():
    # The survey found it; the Pew Research Center is the agent inside its participle phrase.
    assert before("A survey released last month by the Pew Research Center found that most agree.", " found") == \
        "A survey released last month by the Pew Research Center"


def test_common_noun_possessive_opens_the_source():
    # "The county's" opens the phrase: the whole role is the source, not "director".
    assert before("The county's emergency services director, Karen Liu, disputed that account.", " disputed") == \
        "The county's emergency services director, Karen Liu"


def test_pronoun_refers_to_a_name_after_the_subjects_role():
    # "He" is the neighbour Tom Briggs, the subject of the sentence before, not the spokesman
    # quoted two paragraphs earlier.
    text = ('"We are seeing extreme fire behavior," said Cal Fire spokesman Daniel Ruiz.\n\n'
            'Her neighbor, retired firefighter Tom Briggs, stayed behind to hose down his roof. '
            'He said he was angry that the county had not cleared brush.')
    assert ("He", "Tom Briggs") in refers_to(text)


def test_first_names_of_many_languages_tell_gender():
    from annotate.converters.speakers import gender
    assert gender("Luca Bernardi") == "m" and gender("Tom Briggs") == "m" and gender("Daniel Ruiz") == "m"
    assert gender("Sofia Marchetti") == "f" and gender("Agnieszka Nowak") == "f"
    assert gender("Jordan Ellis") is None  # a name both sexes carry tells nothing


def test_only_before_the_that_clause_is_not_content():
    # "said only that ...": the restriction is the reporter's, the content is the that-clause.
    found = quotes('A team spokesman said only that Gomez "has full confidence in the coaching staff."')
    assert found == [('that Gomez "has full confidence in the coaching staff."', "A team spokesman")]


def test_pronoun_refers_to_an_unnamed_person_just_introduced():
    # "she" is the spokeswoman of the same sentence, not the researcher quoted before.
    text = ('"It is an observational study," said Dr. Helen Park, who led the study.\n\n'
            'The agency is reviewing its rules, an agency spokeswoman said, but she would not say '
            'when new guidance might be issued.')
    assert ("she", "an agency spokeswoman") in refers_to(text)


def test_advocate_is_a_noun_after_a_modifier_and_before_a_verb_of_saying():
    # "a consumer advocate with the group": a role, no quote; "Consumer advocates say": the
    # advocates say it, "advocates" is no verb whose content would be "say ...".
    assert quotes("Rachel Ortiz, a consumer advocate with the group Fair Deal, said it was unfair.") == \
        [("it was unfair", "Rachel Ortiz, a consumer advocate with the group Fair Deal")]
    assert quotes("Consumer advocates say the fees are unfair.") == [("the fees are unfair", "Consumer advocates")]
    # The verb still reads as one after its subject.
    assert quotes("The senator advocates a ban on the fees.") == [("a ban on the fees", "The senator")]


def test_plural_possessive_after_a_determiner_opens_the_source():
    assert before("The teachers' union said the plan would help.", " said") == "The teachers' union"
    assert before("the plaintiffs’ lawyers wrote in the complaint", " wrote") == "the plaintiffs’ lawyers"


def test_capitalised_first_word_of_a_bare_plural_subject():
    # "Tech" is capitalised only because it opens the sentence: it belongs to the phrase.
    assert before("The council met. Tech industry groups warned of higher costs.", " warned") == "Tech industry groups"
    # A name followed by its verb and object is no such phrase.
    assert before("He left. Obama visited the court said", " said") == "the court"
    # A sentence adverb is not part of the subject.
    assert before("He left. Even industry groups warned of costs.", " warned") != "Even industry groups"


def test_a_noun_that_is_no_cue_does_not_hide_a_second_subject():
    # "attack" is a noun here: "but U.S. officials have said" still opens a clause of its own, so
    # the first content ends before "but" and the officials' attribution is kept.
    found = quotes("Islamic State claimed responsibility for the attack but U.S. officials have said "
                   "they do not believe he was assisted from abroad.")
    assert found == [("responsibility for the attack", "Islamic State"),
                     ("they do not believe he was assisted from abroad", "U.S. officials")]


def test_bashed_and_lambasted_are_cues_of_evaluation():
    assert quotes("On Wednesday, Clinton bashed Trump’s proposal to ban Muslims from entering.") == \
        [("Trump’s proposal to ban Muslims from entering", "Clinton")]
    assert quotes("Democrats lambasted the plan as reckless.") == [("the plan as reckless", "Democrats")]
    assert quotes("The party held a bash for donors.") == []


def test_be_before_a_progressive_cue_is_skipped_to_the_source():
    # "would be praising": the auxiliary chain stands between the source (after its aside) and the cue.
    assert quotes("A Republican, however, would be praising a plan that offers better investments.") == \
        [("a plan that offers better investments", "A Republican")]


def test_a_perfect_participle_opening_the_sentence_takes_the_main_subject():
    found = quotes("He paused. Having announced that he would not send me to prison, Judge Berman proceeded.")
    assert found == [("that he would not send me to prison", "Judge Berman")]


def test_capitalised_role_word_opening_a_bare_plural():
    assert before("He left. Local business owners said the tax was unfair.", " said") == "Local business owners"


def test_a_quotation_after_said_adding_is_a_direct_quote_of_the_same_speaker():
    # "adding," opens a second quotation of the same speaker; it is no continuation of the first
    # content, and the speaker is the one who said the first.
    found = quotes('"It was a mistake," Cruz said, adding, "I think 1,500 people were killed."')
    assert found == [('"It was a mistake,"', "Cruz"), ('"I think 1,500 people were killed."', "Cruz")]


def test_an_aside_right_after_the_cue_is_not_content():
    assert quotes("She argued, however, that the plan would fail.") == [("that the plan would fail", "She")]
    assert quotes("Mr. Comey described, in fairly blistering terms, a set of practices that left her open.") == \
        [("a set of practices that left her open", "Mr. Comey")]


def test_a_head_with_its_clause_then_an_appositive_is_one_source():
    """Converter 0.3.17: "X representing Y at Z, the NAME, said" lost the whole quote (no source
    was found before "said"): the phrase before the appositive ends a clause of the head noun."""
    assert quotes("The union representing workers at the Ohio plants, the Food Workers Guild, said it "
                  "would fight the closures.") == [
        ("it would fight the closures",
         "The union representing workers at the Ohio plants, the Food Workers Guild")]
    assert before("A lawyer representing the family, Jane Doe, said the suit was filed.", " said") == \
        "A lawyer representing the family, Jane Doe"


def test_a_clause_that_is_an_attribution_stays_out_before_an_appositive_too():
    # "voted" and "spoke" attribute on their own (PolNeAR's guidelines): the source is the head noun
    assert before("The two board members who voted against the cuts, Kevin Tran and Shirley Boateng, "
                  "said the board had rushed.", " said") == "The two board members"
    assert before("Residents who spoke against the tax, including Tom Reed, said they were angry.", " said") == "Residents"


def test_a_phrase_after_a_verb_or_inside_a_number_is_no_source_before_an_appositive():
    # "1,944 delegates heading into ..." is the object of "had captured", and 1,944 one number
    assert before("Clinton had captured 1,944 delegates heading into Tuesday's primaries, a number that "
                  "includes superdelegates, compared to Sanders' 1,192.", " compared") is None


def test_a_possessor_of_several_words_is_whole():
    """Converter 0.3.17: "The European Union's climate commissioner" gave "Union's climate
    commissioner", "Sanders' aides" gave "aides"; a possessor is all of its name."""
    assert before("The European Union's climate commissioner called it bad.", " called") == \
        "The European Union's climate commissioner"
    assert before("The United Nations' climate chief called it bad.", " called") == "The United Nations' climate chief"
    assert before("Bernie Sanders' aides say it is over.", " say") == "Bernie Sanders' aides"
    assert before("Yesterday Russia's foreign minister called it bad.", " called") == "Russia's foreign minister"
    # a bare noun after "and" shares the possessive: one phrase, not its last noun
    assert before("A look at Mr. Trump's airplanes and helicopters suggests that they are toys.", " suggests") == \
        "Mr. Trump's airplanes and helicopters"
    # an apostrophe possessive before a noun that speaks for no one is left alone
    assert before("People with direct knowledge of Gates' work said it was paid.", " said") != "Gates' work"


def test_a_role_from_a_place_is_one_source():
    """Converter 0.3.17: "The senator from Ohio said" gave "Ohio"; "from" joins a role noun to
    its place or body as "for", "of" and "at" do, before an appositive too."""
    assert before("The senator from Ohio said it was over.", " said") == "The senator from Ohio"
    assert before("The senator from Ohio, Jim Hall, said it was over.", " said") == "The senator from Ohio, Jim Hall"
    assert before("An official from the Treasury said it was over.", " said") == "An official from the Treasury"
    # not after a noun that names no one who speaks
    assert before("The limelight moved away from Donald Trump, who said it was over.", " said") != \
        "away from Donald Trump, who"


def test_a_short_quotation_is_not_the_speaker_of_a_later_coordinated_clause():
    """'Fans chanted "Fire Becker" during the game, and a radio host said ...': the host speaks in
    a clause of his own (converter 0.3.17; the chant was his, in a mixed quote from "Fans")."""
    assert quotes("Fans chanted \"Fire Becker\" during the game, and a radio host, Mike Delaney, said the "
                  "move was late.") == [("\"Fire Becker\"", "Fans"), ("the move was late", "a radio host, Mike Delaney")]


def test_a_reduced_relative_after_a_singular_noun_has_its_own_subject():
    """'a plan officials say will save money' is 'a plan [that] officials say ...': "a" cannot
    determine the plural "officials" (converter 0.3.17; the speaker was "a plan officials")."""
    assert quotes("The board approved a plan officials say will save money.") == [("will save money", "officials")]
    assert before("It is a measure critics say is unfair.", " say") == "critics"
    # a role compound or an "of" phrase stays one phrase
    assert before("A senior party official said it was over.", " said") == "A senior party official"
    assert before("A group of officials said it was over.", " said") == "A group of officials"
    assert before("A trio of governors said it was over.", " said") == "A trio of governors"


def test_a_role_held_towards_someone_is_one_source():
    """"An adviser to Mr. Trump said" gave "Mr. Trump" (converter 0.3.17)."""
    assert before("An adviser to Mr. Trump said it was over.", " said") == "An adviser to Mr. Trump"
    assert before("A former U.S. ambassador to Moscow, Michael Thornton, said it was over.", " said") == \
        "A former U.S. ambassador to Moscow, Michael Thornton"
    # "to" after a word that is no such role links nothing: "sent a letter to Congress"
    assert before("The mayor sent a letter to Congress and Ruiz said it was over.", " said") == "Ruiz"


def test_a_name_after_its_cue_takes_its_body_after_of_the():
    """'said Jordan Pike of the Patient Safety League' gave "Jordan Pike": "of the" ended the
    phrase, though "of Cheyenne" did not (converter 0.3.17)."""
    assert quotes("\"This is bad,\" said Jordan Pike of the Patient Safety League.") == [
        ("\"This is bad,\"", "Jordan Pike of the Patient Safety League")]
    assert quotes("\"This is bad,\" said Jordan Pike of the league.") == [("\"This is bad,\"", "Jordan Pike")]


def test_a_relative_that_of_the_adjunct_is_no_content():
    """'wrote in a post that was later deleted': "that" with its verb right after the adjunct's
    noun opens a relative clause; the complement's "that" is the next one (converter 0.3.17)."""
    assert quotes("Pierce wrote in a post that was later deleted.") == []
    assert quotes("The company said in a statement that has since been removed that it would appeal.") == [
        ("that it would appeal", "The company")]
    # no noun phrase before it: "that" is the clause's subject
    assert quotes("He said on Tuesday that was a mistake.") == [("that was a mistake", "He")]


def test_a_role_after_its_cue_takes_the_name_set_off_after_it():
    """'said the study's lead author, Dr. Naomi Fairweather.' gave "the study's lead author"
    (converter 0.3.17; a name after its cue already took its appositive)."""
    assert quotes("\"It held,\" said the study's lead author, Dr. Naomi Fairweather.") == [
        ("\"It held,\"", "the study's lead author, Dr. Naomi Fairweather")]
    assert quotes("The plant is under pressure, said the company's chief executive, John J. Ferriola.") == [
        ("The plant is under pressure", "the company's chief executive, John J. Ferriola")]


def test_names_joined_by_and_before_an_appositive_are_one_source():
    # "The Food and Beverage Federation, an industry group," lost "The Food and"
    assert before("The Food and Beverage Federation, an industry group, said it was unfair.", " said") == \
        "The Food and Beverage Federation, an industry group"
    assert before("Sens. Lindsey Graham and David Perdue, who are both on the committee, said it was wrong.", " said") == \
        "Sens. Lindsey Graham and David Perdue, who are both on the committee"


def test_a_relative_pronoun_after_a_comma_does_not_take_the_sentence_before():
    """'"It held," said the mayor, who was angry.' was a mixed quote of "who" ("angry" read with
    the content before its comma)."""
    assert quotes("\"It held,\" said the mayor, who was angry.") == [("\"It held,\"", "the mayor")]


def test_common_people_nouns_head_a_source():
    """'The agent, Pierre Dumont, declined' gave "Pierre Dumont", 'Presumptive Democratic nominee
    Hillary Clinton said' gave "Hillary Clinton": "agent", "nominee", "wife", "consultant" and
    other people nouns were no heads (converter 0.3.17)."""
    assert before("His agent, Pierre Dumont, declined to comment.", " declined") == "His agent, Pierre Dumont"
    assert before("Presumptive Democratic nominee Hillary Clinton said it was over.", " said") == \
        "Presumptive Democratic nominee Hillary Clinton"
    assert before("But his wife, Jane, offered a preview.", " offered") == "his wife, Jane"


def test_adjectives_set_off_by_a_comma_stay_in_the_source():
    assert quotes("\"I made climate change the top priority,\" the bespectacled, 71-year-old diplomat said.") == [
        ("\"I made climate change the top priority,\"", "the bespectacled, 71-year-old diplomat")]
    # a noun before the comma is no such adjective
    assert before("The report, senior officials said, was wrong.", " said") == "senior officials"


def test_a_charge_the_other_side_denies_is_the_authors_comment():
    """'..., a charge Moscow denies.' took "a charge Moscow" as the source of the sentence before
    (", city records show" reading); the noun of saying opens a clause of its own (converter
    0.3.17), as ", a charge she has always denied" already did."""
    assert quotes("U.S. officials have accused Russia of detaining Americans, a charge Moscow denies.") == [
        ("Russia of detaining Americans", "U.S. officials")]
    assert quotes("The plan failed, city records show.") == [("The plan failed", "city records")]


def test_a_second_relative_clause_after_and_keeps_the_first_in_the_source():
    """'A pharmacist who was robbed in July, and who asked ..., said' gave "July, and who ..."
    (converter 0.3.17); the second clause attributes on its own ("asked") and stays out."""
    assert before("A pharmacist who was robbed in July, and who asked that her name not be used, said she "
                  "was relieved.", " said") == "A pharmacist who was robbed in July"
    assert before("A pharmacist who was robbed in July, and who lives nearby, said she was relieved.", " said") == \
        "A pharmacist who was robbed in July, and who lives nearby"
