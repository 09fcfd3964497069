"""Unit tier: stance spans (short evaluative expressions inside quotes) and their targets
(the target list itself is tested in test_targets.py).

All sentences are invented for the tests. Expected spans are what an annotator marks: the
evaluative words with their negator, degree words and article ("not a good idea", "a liar"),
never the whole sentence.
"""

import pytest

from annotate.converters import annotate_text
from annotate.converters.quotes import find_quotes
from annotate.converters.stance import CALIBRATION, find_stances

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


# A lede that makes Russia the article's most mentioned target: a stance whose own target is
# missed falls back to it, so the tests below see whether the frame found the right one.
LEDE = "The Russia talks, the Russia plan and Russia itself were on the agenda.\n\n"


def test_a_quote_mark_inside_a_quote_neither_ends_the_clause_nor_joins_the_span():
    # 'He' is the subject of the quoted fragment's clause: the stance is about the person he means
    text = LEDE + ("Mark Dunlow led the team for years. His colleague Paul Orban said: He was a “respected "
                   "manager” in the office.")
    found = stances(text)
    assert ("respected", "favor", "Mark Dunlow") in found, found
    assert not any("“" in span for span, _p, _t in found), found


def test_the_object_before_the_quote_mark_is_the_target():
    # the quote opens mid-clause ('called X “...”'): X stands before the opening mark
    text = LEDE + "Paul Orban spoke on Monday. He called Helena Varga “a reckless negotiator” and left."
    found = stances(text)
    assert ("a reckless negotiator", "against", "Helena Varga") in found, found


def test_the_stance_equated_with_a_name_after_the_copula():
    found = stances(LEDE + "“The clear winner of the evening was Helena Varga,” Paul Orban said.")
    assert ("winner", "favor", "Helena Varga") in found, found


def test_he_means_the_last_person_named_as_a_subject_not_after_a_preposition():
    found = stances(in_quote("Helena Varga is the best negotiator since Mark Dunlow. She is a uniter."))
    assert ("a uniter", "favor", "Helena Varga") in found, found


def test_a_possessor_inside_the_stance_is_not_its_target():
    # "Varga is Russia's best partner": the evaluation is of Varga; Russia only qualifies it
    found = stances(in_quote("Helena Varga is Russia's best partner in the region."))
    assert any(t == "Helena Varga" and "best" in span for span, _p, t in found), found


@pytest.mark.parametrize("sentence", [
    "Many voters supported Helena Varga in the primary.",
    "Helena Varga's support among young voters rose after the debate.",
    "The plan needs congressional approval before Helena Varga can sign it.",
])
def test_reported_or_measured_backing_is_no_stance_of_the_speaker(sentence):
    found = stances(in_quote(sentence))
    assert not any(p == "favor" for _s, p, _t in found), found


def test_the_speakers_own_backing_is_a_stance():
    found = stances(in_quote("I support Helena Varga and we will vote for her."))
    assert ("support", "favor", "Helena Varga") in found, found


@pytest.mark.parametrize("sentence", [
    "Three men were detained near the border with Ukraine on Tuesday.",
    "The deficit and the growth of Ukraine were discussed in a difficult meeting.",
    "Helena Varga faced a dispute over the tragedy in the north.",
])
def test_words_of_events_and_situations_are_no_stance(sentence):
    assert stances(in_quote(sentence)) == []


@pytest.mark.parametrize("sentence, span, polarity", [
    ("Helena Varga knows nothing about trade.", "knows nothing about trade", "against"),
    ("What Helena Varga proposed makes no sense at all.", "makes no sense", "against"),
    ("Helena Varga's veto was a missed opportunity.", "a missed opportunity", "against"),
])
def test_evaluative_phrases(sentence, span, polarity):
    found = stances(in_quote(sentence))
    assert (span, polarity, "Helena Varga") in found, found


def test_scores_are_the_calibration_of_the_kind():
    task = annotate_text(in_quote("Helena Varga is a liar, and we will wait and see."))
    scores = {r["value"]["text"]: r["score"] for r in task["predictions"][0]["result"]
              if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]}
    assert scores["a liar"] == CALIBRATION["hand-anchored"]
    assert scores["wait and see"] == CALIBRATION["neutral"]
    assert all(0 < v < 1 for v in CALIBRATION.values())


def test_he_in_an_indirect_quote_is_the_speaker_not_the_last_person_named():
    # "Paul Orban said ... that he was deeply disappointed": he is Orban himself, so the stance is
    # not about Mark Dunlow; no target is named in the quote, so it falls back to the article's
    # main target, Russia (the lede names it three times)
    text = LEDE + "Mark Dunlow left the team in May. Paul Orban said on Monday that he was deeply disappointed."
    assert stances(text) == [("deeply disappointed", "against", "Russia")]
    # in the speaker's own words "he" is someone else: the last person named
    text = LEDE + "Mark Dunlow left the team in May. “He was deeply disappointing,” Paul Orban said on Monday."
    assert stances(text) == [("deeply disappointing", "against", "Mark Dunlow")]


def test_a_stance_without_a_named_target_is_about_the_main_target_that_never_speaks():
    # Anna Berg is named four times, Russia three, but Berg only ever speaks: Orban's "a disgrace"
    # with no target of its own is taken to be about Russia, what the article's quotes discuss
    text = ("Anna Berg spoke in Riga about Russia. Anna Berg said Russia had moved troops. “We count every "
            "tank,” Anna Berg said. Anna Berg added that Russia had not replied.\n\n"
            "“This is a disgrace,” said Paul Orban, a minister.")
    assert stances(text) == [("a disgrace", "against", "Russia")]
    # the target list holds what stances use: Berg, who only speaks, is not offered
    assert [t["value"] for t in annotate_text(text)["data"]["targets"]] == ["Russia"]


@pytest.mark.parametrize("sentence, span, polarity", [
    # a negator reaches the evaluation across "plans to", "going to", "intention of", "be"
    ("We have no plans to congratulate Helena Varga.", "no plans to congratulate", "against"),
    ("I am not going to support Helena Varga.", "not going to support", "against"),
    ("We have no intention of backing Helena Varga.", "no intention of backing", "against"),
    ("Helena Varga can't be trusted.", "can't be trusted", "against"),
    # a denier does the same: "refused to", "far from", "lack of"
    ("We refused to endorse Helena Varga.", "refused to endorse", "against"),
    ("Helena Varga's plan is far from perfect.", "far from perfect", "against"),
])
def test_negation_across_a_frame_flips_the_polarity_and_joins_the_span(sentence, span, polarity):
    assert stances(in_quote(sentence)) == [(span, polarity, "Helena Varga")]


@pytest.mark.parametrize("sentence, span, polarity", [
    # the denied plan is further back than a span reaches (a name or an object between): the
    # polarity turns, the span stays the evaluation
    ("I am not aware of any plans by President Milan Horvat to congratulate Helena Varga.",
     "congratulate", "against"),
    ("Milan Horvat has no plans to call President Lars Olsen to congratulate Helena Varga.",
     "congratulate", "against"),
    # without the negator the plan is what it says
    ("Milan Horvat plans to call President Lars Olsen to congratulate Helena Varga.",
     "congratulate", "favor"),
])
def test_a_denied_plan_further_back_turns_the_polarity(sentence, span, polarity):
    assert stances(in_quote(sentence)) == [(span, polarity, "Helena Varga")]


@pytest.mark.parametrize("sentence, span, polarity", [
    # "far" before a comparative intensifies, it does not deny
    ("Helena Varga is far better than her rivals.", "better", "favor"),
    # "stop lying" demands that someone stop: the lying is still what the speaker condemns
    ("Helena Varga must stop lying.", "lying", "against"),
])
def test_words_that_look_like_frames_but_do_not_deny(sentence, span, polarity):
    assert stances(in_quote(sentence)) == [(span, polarity, "Helena Varga")]


def test_a_negated_word_of_backing_is_the_speakers_only_when_the_speaker_is_its_subject():
    # "we ... no intention of backing" is the speaker's own position (the frame between the
    # subject and the word of backing does not hide the subject) ...
    assert stances(in_quote("We have no intention of backing Helena Varga.")) == [
        ("no intention of backing", "against", "Helena Varga")]
    # ... a poll's "more likely to vote for" reports other people's backing: no stance
    assert stances(in_quote("They were more likely to vote for Helena Varga.")) == []


def test_a_loose_sentiment_word_whose_only_target_is_a_name_said_earlier_is_no_stance():
    # "a wonderful dinner" is neither predicated of a target nor next to one, and its clause
    # names none: the only candidate is a name said before the comma, so nothing is proposed
    found = stances(in_quote("Helena Varga met us in Berlin, and we had a wonderful dinner."))
    assert found == [], found
    # predicated ("it was a disaster"), the same word class is still proposed
    found = stances(in_quote("Helena Varga met us in Berlin, and it was a disaster."))
    assert [(span, pol) for span, pol, _t in found] == [("a disaster", "against")], found


def test_find_stances_time_grows_linearly_with_the_quotes():
    """Each quote's speaker targets are looked up without copying the rest of the mention list
    (that copy made an article of 30,000 quotes take seconds in this step alone)."""
    import time

    from annotate.converters.targets import target_mentions

    def cpu(n):
        sentence = "“The bridge will reopen in May,” Mayor Ana Ruiz said. "
        text = sentence * n
        quotes = []
        for k in range(n):
            at = k * len(sentence)
            speaker = at + sentence.index("Ana Ruiz")
            quotes.append({"start": at + 1, "end": at + sentence.index("”"), "quote_type": "direct",
                           "speaker": [speaker, speaker + len("Ana Ruiz")]})
        mentions = target_mentions(text)
        t0 = time.process_time()
        find_stances(text, quotes, ["Ana Ruiz"], mentions=mentions)
        return time.process_time() - t0

    cpu(500)  # warm up
    # A failed round is measured once more from the start (as tests/test_linear.py does): the small
    # run takes about 0.05 s, so one stretch of a neighbour's load can break a round, while a
    # quadratic lookup fails every round.
    for _round in range(3):
        small = min(cpu(5000) for _ in range(3))  # the least disturbed of three runs: the machine is shared
        large = min(cpu(20000) for _ in range(2))
        if large < 6.5 * small:
            break
    assert large < 6.5 * small, (small, large)  # 4x the quotes: about 4x the time, not 16x


def test_a_stance_inside_a_longer_one_is_dropped_and_equal_ones_stay():
    from annotate.converters.stance import _drop_contained

    spans = [dict(start=10, end=20), dict(start=12, end=15), dict(start=10, end=20),
             dict(start=30, end=34), dict(start=30, end=40), dict(start=18, end=25)]
    # (12,15) lies inside (10,20); (30,34) inside (30,40); (18,25) overlaps but sticks out
    assert _drop_contained(spans) == [spans[0], spans[2], spans[4], spans[5]]


def test_a_name_after_a_preposition_is_not_the_subject_of_the_evaluation():
    # "Russia in its dealings with Helena Varga is dangerous": Varga is the object of 'with';
    # what is called dangerous is the clause's subject, Russia
    found = stances(in_quote("Russia in its dealings with Helena Varga is dangerous."))
    assert ("dangerous", "against", "Russia") in found, found
    # with no other name in the clause the object of the preposition is still the target
    found = stances(in_quote("The fight against Helena Varga is a disgrace."))
    assert any(span.endswith("disgrace") and t == "Helena Varga" for span, _p, t in found), found


def test_a_name_inside_an_issue_phrase_points_at_the_phrase():
    # "the Varga campaign" (Varga + campaign) is an issue target of its own: what is called a
    # disgrace is her campaign, not Helena Varga herself
    found = stances(in_quote("The Varga campaign is a disgrace."))
    assert any(span.endswith("disgrace") and t == "The Varga campaign" for span, _p, t in found), found


def test_a_seed_ending_in_its_preposition_is_about_the_noun_phrase_after_it():
    # "We are open to dialogue": the speaker takes no one's side; what the openness is about is
    # the noun phrase after "open to", which the span takes in (as in the seed headline "Russia
    # is open to dialogue"); the determiner is not part of the target
    found = stances(in_quote("We are tired of the status quo in the region."))
    assert ("tired of the status quo", "against", "status quo") in found, found
    found = stances(in_quote("We are open to dialogue after the election."))
    assert ("open to dialogue", "favor", "dialogue") in found, found
    # the target list offers the phrase the stance uses
    task = annotate_text(in_quote("We are open to dialogue after the election."))
    assert {"value": "dialogue"} in task["data"]["targets"]


def test_the_noun_phrase_after_the_preposition_takes_the_listed_issue_of_the_same_head():
    # the article names the issue "dialogue with Russia"; "open to dialogue" is about that issue,
    # not about Helena Varga, named just before it in the quote
    text = ("Helena Varga proposed a dialogue with Russia.\n\n“Helena Varga made an offer. We are open "
            "to dialogue, of course,” Foreign minister Paul Orban said on Monday.")
    assert ("open to dialogue", "favor", "dialogue with Russia") in stances(text)


def test_a_named_subject_or_object_outranks_the_noun_phrase_after_the_preposition():
    # "Helena Varga fought for our liberty": the speaker praises Varga, the one who fought;
    # "fought for years" names no issue at all (a time)
    found = stances(in_quote("Helena Varga fought for our liberty."))
    assert any(t == "Helena Varga" and span.startswith("fought for") for span, _p, t in found), found
    found = stances(in_quote("We fought for years against this."))
    assert all(t != "years" for _s, _p, t in found), found


THEME_ARTICLE = ("Helena Varga thanked the volunteers. Many of the volunteers had worked for weeks.\n\n"
                 "“The volunteers did a wonderful job,” Foreign minister Paul Orban said on Monday.\n\n"
                 "“Without exception the volunteers were very brave,” he added.")


def test_a_group_the_article_keeps_naming_is_the_target_of_the_stances_about_it():
    # no name in either quote: what is praised is "the volunteers", named as a noun three times
    # in the article (twice before the quotes), and two stances are about them
    found = stances(THEME_ARTICLE)
    assert ("a wonderful job", "favor", "volunteers") in found, found
    assert ("very brave", "favor", "volunteers") in found, found
    task = annotate_text(THEME_ARTICLE)
    assert {"value": "volunteers"} in task["data"]["targets"]


def test_a_group_noun_found_by_one_stance_alone_is_not_its_target():
    # only the first quote: one stance about the volunteers is too little to list them; the
    # stance keeps the article's main target, Helena Varga (who never speaks)
    text = THEME_ARTICLE.split("\n\n“Without")[0]
    found = stances(text)
    assert ("a wonderful job", "favor", "Helena Varga") in found, found


def test_a_theme_noun_is_counted_in_its_singular_and_plural_forms():
    from annotate.converters.stance import _theme_key

    assert _theme_key("staffers") == _theme_key("staffer") == "staffer"
    assert _theme_key("business") == "business"  # -ss is no plural


def test_a_theme_noun_takes_the_listed_issue_of_the_same_head():
    # "our relations", "the relations": the quotes keep naming relations, and the article names
    # the issue "relations with Russia"; both stances are about that issue, in its own words
    # (not about Helena Varga, the name the article repeats most)
    text = ("Helena Varga spoke about relations with Russia. Helena Varga met the press, and Helena Varga left.\n\n“Our relations are very bad,” "
            "Foreign minister Paul Orban said on Monday.\n\n“The relations have been terrible for years,” he added.")
    found = stances(text)
    assert ("very bad", "against", "relations with Russia") in found, found
    assert ("terrible", "against", "relations with Russia") in found, found


def test_a_noun_that_stands_for_a_named_entity_is_no_theme():
    # "the country" twice in the quotes, two stances in its clauses: "country" stands for a
    # country (the target an annotator picks is the country itself), so the word is never the
    # target; the stances keep the target the other rules give them
    text = THEME_ARTICLE.replace("The volunteers did", "The country did").replace(
        "the volunteers were", "the country was")
    found = stances(text)
    assert all(t != "country" for _s, _p, t in found), found
    assert all(t["value"] != "country" for t in annotate_text(text)["data"]["targets"]), found


@pytest.mark.parametrize("sentence, span, polarity, target", [
    # the phrase between a calling verb and the evaluation is what it is said of
    ("Critics called the new tax plan a disaster for families.", "a disaster", "against", "new tax plan"),
    # the object of an evaluative verb
    ("I oppose mandatory military service for teenagers.", "oppose", "against", "mandatory military service"),
    ("We always reject higher taxes on farmers.", "reject", "against", "higher taxes"),
    # the noun phrase after an evaluative word's own preposition
    ("Our government will remain neutral in the border dispute.", "remain neutral", "neutral", "border dispute"),
    # the common noun a copula predicates the evaluation of
    ("Frankly, the pension reform is a disaster.", "a disaster", "against", "pension reform"),
    ("Many people believe immigration is a good thing.", "a good thing", "favor", "immigration"),
])
def test_the_noun_phrase_an_evaluation_is_said_of_is_its_target(sentence, span, polarity, target):
    found = stances(in_quote(sentence))
    assert (span, polarity, target) in found, found


@pytest.mark.parametrize("sentence, not_target", [
    ("He was a respected manager at the plant.", "manager"),  # an adjective before its noun, no verb
    ("She has the best chance of winning the race.", "winning the race"),  # a complement of the noun
    ("We don't support their right to sue the company.", "right"),  # the phrase goes on: "right to sue"
    ("We oppose a candidate who lies.", "candidate"),  # a noun that stands for a named entity
    ("They want to adopt favored policies on trade.", "policies"),  # an adjective before its noun, no verb
    ("It was an awful hate crime in the town.", "crime"),  # a noun before a noun
    ("You can see why their plan sucks.", "why their plan"),  # 'see' calls something only with 'as'
    ("The group sees itself as the enlightened part of the nation.", "itself"),  # a reflexive
    ("The plan to spend more by 2030 was warmly welcomed.", "2030"),  # a number is no noun phrase
    ("Helena Varga is very cute with a big mouth.", "big mouth"),  # the person named as subject is evaluated
    ("Their stance on the lawsuit is wrong.", "lawsuit"),  # a preposition's object is no subject
])
def test_no_noun_phrase_target_from_a_cut_or_borrowed_phrase(sentence, not_target):
    found = stances(in_quote(sentence))
    assert all(t != not_target for _s, _p, t in found), found


def test_him_after_a_calling_verb_is_the_last_person_named_even_in_an_indirect_quote():
    # in an indirect quote "he" is mostly the speaker, but the one called names is someone else
    text = ("Helena Varga opened the summit in Vienna on Monday, and Helena Varga's aides stayed "
            "until Friday. Marek Novak left the talks early. Paul Orban said the minister had "
            "called him a coward.")
    assert ("a coward", "against", "Marek Novak") in stances(text)


def test_a_general_sentiment_word_linked_to_no_target_has_a_low_score():
    # "great" (a general word) with nothing named in its quote: only the article's main target
    # (Russia) can be its target, which is mostly wrong, so its score is the lowest kind's; the
    # same word predicated of a name is anchored and scores higher
    def scored(text):
        task = annotate_text(text)
        return {r["value"]["text"]: r.get("score") for r in task["predictions"][0]["result"]
                if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]}

    # (the span takes in its article and noun: "a great evening")
    assert scored(LEDE + "“It was a great evening,” Paul Orban said on Monday.") == {"a great evening": CALIBRATION["vader-topic"]}
    assert scored(LEDE + "“Russia was great,” Paul Orban said on Monday.") == {"great": CALIBRATION["vader-anchored"]}
    assert CALIBRATION["vader-topic"] == min(CALIBRATION.values())


def test_backing_with_a_possessive_is_the_speakers_only_when_it_is_his_own():
    # "his soft support": someone else's backing, measured by the speaker, though "we" is near
    assert not any(s == "support" for s, _p, _t in stances(in_quote("We are getting his soft support for Helena Varga.")))
    # "our full support": the speaker's own
    found = stances(in_quote("Helena Varga has our full support."))
    assert any("support" in s and p == "favor" for s, p, _t in found), found


@pytest.mark.parametrize("sentence", [
    "Delegates should vote as they see fit on Helena Varga.",
    "Helena Varga is best known for her work on trade.",
    "Families of Helena Varga and their loved ones met on Monday.",
    "Helena Varga would be better off in Berlin.",
])
def test_fixed_expressions_whose_sentiment_word_evaluates_nothing_are_no_stance(sentence):
    assert stances(in_quote(sentence)) == []


def test_a_phrase_in_quote_marks_that_is_named_not_used_is_no_stance():
    # the slogan is named, not said by the speaker of anyone
    assert stances("Paul Orban said the campaign used the slogan “shameful deals” against Helena Varga.") == []
    # said of someone, the same word in quote marks is a stance
    found = stances("Paul Orban said Helena Varga ran a “dangerous” campaign.")
    assert any("dangerous" in s and p == "against" for s, p, _t in found), found


def test_he_or_she_means_a_person_of_that_gender_when_the_article_shows_it():
    # Varga is "she" and Novak "he" in the narrative; in Orban's words "He" comes right after
    # Varga is named, but he can only be Novak
    text = (LEDE + "Marek Novak left the talks early, and his aides went with him. Helena Varga stayed, "
            "and she spoke last. “I met Helena Varga today. He is a disgrace,” Paul Orban said.")
    assert ("a disgrace", "against", "Marek Novak") in stances(text)
    # without any pronoun that shows a gender, he is still the last person named
    text = (LEDE + "Marek Novak left the talks early. Helena Varga stayed. "
            "“I met Helena Varga today. He is a disgrace,” Paul Orban said.")
    assert ("a disgrace", "against", "Helena Varga") in stances(text)


def test_a_pronoun_after_a_quote_mark_or_inside_a_quote_gives_no_gender():
    # 'Novak met them. “...,” she said': she is the speaker of the next quote, not Novak; and in
    # a quote "I met Varga. He ..." says nothing of Varga: "He" stays the last person named
    text = (LEDE + "Marek Novak met them in May. “We talked for hours,” she said. "
            "“I met Helena Varga today. He is a disgrace,” Paul Orban said.")
    assert ("a disgrace", "against", "Helena Varga") in stances(text)


def test_a_name_written_with_the_is_no_person_he_or_she_stands_for():
    # "the Daily Planet" is a newspaper: in "He is a disgrace" he is Novak, named before it
    text = (LEDE + "Marek Novak left the talks early. "
            "“I read the Daily Planet today. He is a disgrace,” Paul Orban said.")
    assert ("a disgrace", "against", "Marek Novak") in stances(text)


def test_a_name_the_speaker_tells_before_the_quote_is_not_its_target():
    # "told X that ...": X is whom Orban tells, not what he finds unfair; with no other target in
    # the quote it falls back to the article's main one, Russia (the lede)
    text = LEDE + "Paul Orban told Helena Varga that it was unfair."
    found = stances(text)
    assert ("unfair", "against", "Russia") in found, found
    # the one he called names before the quote still is ('He called X “...”')
    text = LEDE + "Paul Orban spoke on Monday. He called Helena Varga “a reckless negotiator” and left."
    assert ("a reckless negotiator", "against", "Helena Varga") in stances(text)


@pytest.mark.parametrize("sentence, span, polarity, target", [
    # the subject of a word of feeling is the one who feels: the phrase after its preposition is
    # what the stance is about, even with a name as the subject
    ("Helena Varga was deeply dissatisfied with the new pension rules.", "deeply dissatisfied", "against",
     "new pension rules"),
    ("We are grateful to the mediators from the region.", "grateful", "favor", "mediators"),
])
def test_a_word_of_feeling_is_about_what_its_preposition_names_not_its_subject(sentence, span, polarity, target):
    found = stances(in_quote(sentence))
    assert (span, polarity, target) in found, found


def test_a_stance_without_a_target_keeps_the_articles_main_one_when_another_stance_is_about_it():
    # Orban's "a disgrace" is about Russia by name, so the article's main target is something a
    # speaker evaluates: Berg's bare "This is shameful" names nothing and falls back to Russia,
    # although two stances are about Varga (re-aiming every such stance at the target the
    # others agree on cost held-out target accuracy in two sessions).
    text = (LEDE + "“Helena Varga is a liar,” Paul Orban said. “Helena Varga is a disgrace,” Anna Berg "
            "said. “Russia is a disgrace,” Paul Orban said. “This is shameful,” Anna Berg said later.")
    assert ("shameful", "against", "Russia") in stances(text)


def test_the_speakers_own_pronoun_before_an_indirect_quote_is_not_its_target():
    # "he said he didn't support it": the first he is the speaker (Orban), so the stance is not
    # about Novak, the last other person named; it falls back to the main target, Russia
    text = (LEDE + "Marek Novak spoke first. Paul Orban left early. "
            "Later, he said he didn't support it.")
    assert ("didn't support", "against", "Russia") in stances(text)


def test_a_name_after_in_or_from_is_a_setting_not_the_target():
    # "out of control in the European Parliament": where things went wrong, not what is judged;
    # with no other target the stance falls back to the article's main one, Russia
    found = stances(LEDE + "“Things got out of control in the European Parliament last week.” Paul Orban said.")
    assert ("out of control", "against", "Russia") in found, found
    # a name after "by" or "with" still is: "horrified by X", "stand with X"
    found = stances(LEDE + "“We are horrified by the European Parliament.” Paul Orban said.")
    assert ("horrified", "against", "European Parliament") in found, found


def test_a_name_with_a_middle_initial_is_a_person_a_pronoun_can_stand_for():
    # "Marek J. Novak": "J." is an initial, not an acronym (as "NATO" would be), so Novak is a
    # person and "He" in Orban's words is him, the only man named; before, he was no person and
    # the stance fell back to the article's main target
    text = (LEDE + "Marek J. Novak left the talks early, and his aides went with him. "
            "“He is a disgrace,” Paul Orban said.")
    assert ("a disgrace", "against", "Marek Novak") in stances(text)  # the initial dropped as annotators do


# Three quotes about a bridge the mayor (who never speaks) opened; no quote names anyone.
UNANCHORED_ARTICLE = ("Mayor Lena Ortiz opened the new bridge on Monday. Ortiz spent four years on the project.\n\n"
                      "“Honestly, it is wonderful,” resident Tom Hale said.\n\n"
                      "“The city keeps promoting the parade every week,” resident Ana Diaz said.\n\n"
                      "“The crews did a great job,” resident Rob Vance said.")


def test_a_general_word_with_only_the_main_target_is_a_stance_when_predicated():
    # "it is wonderful" and "did a great job" evaluate something (the main target, Lena Ortiz,
    # is all the rules can offer); "Honestly" and "promoting the parade" evaluate nothing
    found = stances(UNANCHORED_ARTICLE)
    spans = [s for s, _p, _t in found]
    assert ("wonderful", "favor", "Lena Ortiz") in found, found
    assert any("great job" in s for s in spans), found
    assert not any("Honestly" in s or "promoting" in s for s in spans), found


def test_a_name_in_an_earlier_sentence_of_the_quote_is_not_the_nearest_target():
    # "Mexico" is named in the quote's first sentence, not in the one that calls something a
    # mistake: the stance falls back to the article's main target, the mayor (who never speaks)
    # ("U.S." ends no sentence: seed 003's "relations with the U.S. were at a historic low")
    text = ("Mayor Lena Ortiz opened the new library on Monday. Ortiz cut the ribbon herself.\n\n"
            "“My parents came from Mexico. Sadly, this is a mistake,” resident Tom Hale said.")
    assert stances(text) == [("a mistake", "against", "Lena Ortiz")]
    # in the same sentence the name is still the nearest target
    assert stances(text.replace("Mexico. Sadly,", "Mexico, and sadly")) == [("a mistake", "against", "Mexico")]
    # and so it is when the later sentence is the speaker's own attitude ("I am", "Let's")
    assert stances(text.replace("Sadly, this is a mistake", "I am hopeful")) == [("hopeful", "favor", "Mexico")]
    assert stances(text.replace("Sadly, this is a mistake", "Let’s wait and see")) == [
        ("wait and see", "neutral", "Mexico")]


def test_an_abbreviation_ends_no_sentence_for_the_nearest_target():
    text = ("Mayor Lena Ortiz opened the new library on Monday. Ortiz cut the ribbon herself.\n\n"
            "“Trade with the U.S. is at a historic low,” resident Tom Hale said.")
    assert [t for _s, _p, t in stances(text)] == ["United States"]


def test_a_general_noun_the_quotes_repeat_is_no_target():
    # "words" is named twice in the quotes, but it says nothing of what is evaluated: the
    # stances keep the article's main target, the governor
    text = ("Governor Ray Dunn vetoed the farm bill on Tuesday. Dunn had promised the veto for months.\n\n"
            "“Those were harsh words for the farmers,” Senator Mia Kent said.\n\n"
            "“Such words are insulting,” farmer Joe Pike said.")
    found = stances(text)
    assert [t for _s, _p, t in found] == ["Ray Dunn", "Ray Dunn"], found
    assert {"value": "words"} not in annotate_text(text)["data"]["targets"]


@pytest.mark.parametrize("last, span", [
    # "the Ortiz staffers did": the staffers (named as a noun twice in the quotes) did it, not Ortiz
    # (a group noun is a target only when two stances or more are about it: _theme_targets)
    ("Hale said that what the Ortiz staffers did “was a disgrace.”", "a disgrace"),
    # "they, the Ortiz staffers, want": the name is the nearest one before the stance, but it
    # modifies the group the quotes keep naming; a comma after the noun shows it is no verb
    ("“What they, the Ortiz staffers, want is dishonesty,” Hale said.", "dishonesty"),
])
def test_a_name_modifying_a_group_the_quotes_keep_naming_leaves_the_group_as_the_target(last, span):
    text = ("Mayor Lena Ortiz fired two staffers on Monday.\n\n"
            "“The staffers were reckless,” council member Tom Hale said.\n\n" + last)
    found = stances(text)
    assert (span, "against", "staffers") in found, found


def test_a_name_after_its_title_is_the_object_of_a_stance_ending_in_a_preposition():
    text = ("Mayor Lena Ortiz spoke on Monday. Ortiz was late.\n\n"
            "Some voters said they had no problem with Ms. Ortiz's plan.")
    found = stances(text)
    assert [(s, t) for s, _p, t in found] == [("no problem with Ms. Ortiz's", "Lena Ortiz")], found


def test_a_speaker_named_by_a_pronoun_is_not_the_target_of_her_own_stance():
    text = ('"He walked out on us," said singer Rosa Flint.\n\n'
            '"It was the worst day of my career," she added.\n')
    assert all(target != "Rosa Flint" for _, _, target in stances(text)), stances(text)


def test_an_adverb_inside_a_quoted_evaluation_is_not_what_was_called_so():
    text = ("Regulator fines Northgate Bank\n\n"
            'The office fined Northgate Bank over what it called "persistently misleading" advertising.\n')
    assert all(target != "persistently" for _, _, target in stances(text)), stances(text)


def test_an_award_is_an_event_not_an_evaluation():
    text = ("Contract row\n\nKarl Osei said the deal was \"a scandal\".\n\n"
            "According to a court filing, the contract was awarded without a tender.\n")
    assert all(span != "awarded" for span, _, _ in stances(text)), stances(text)
