"""Stance words VADER lacks (converter 0.3.15): evaluative nouns and phrases of local and
economic politics, in lexicons/against.txt and favor.txt. The sentences are invented; the
expected span is the evaluation with its article, its polarity the word's, and its target the
named one the sentence says it of."""

import pytest

from .test_stance import in_quote, stances


@pytest.mark.parametrize("sentence, span, polarity, target", [
    # an issue the sentence names (its target phrase is test_stance_issue_targets' business)
    ("The stadium deal is a giveaway and nothing else.", "a giveaway", "against", None),
    # a person: the subject the evaluation is predicated of, or the one it is said of
    ("For families, Helena Varga and her schedule are a nightmare.", "a nightmare", "against", "Helena Varga"),
    ("Helena Varga is handing the owners a blank check.", "a blank check", "against", "Helena Varga"),
    ("Helena Varga's tax plan is a boondoggle.", "a boondoggle", "against", "Helena Varga"),
    ("For the diners downtown, Helena Varga is a lifeline.", "a lifeline", "favor", "Helena Varga"),
    ("Helena Varga's treaty is a step in the right direction.", "a step in the right direction", "favor",
     "Helena Varga"),
    ("Helena Varga has been toothless.", "toothless", "against", "Helena Varga"),
    ("What Helena Varga signed is unconstitutional.", "unconstitutional", "against", "Helena Varga"),
    # converter 0.3.17: evaluations of political news that VADER lacks or scores too weakly
    ("Helena Varga's decision was a mistake.", "a mistake", "against", "Helena Varga"),
    ("What Helena Varga did was egregious.", "egregious", "against", "Helena Varga"),
    ("Helena Varga's ruling is arbitrary.", "arbitrary", "against", "Helena Varga"),
    ("Helena Varga is a phony.", "a phony", "against", "Helena Varga"),
    ("Helena Varga's claims are baseless.", "baseless", "against", "Helena Varga"),
    ("Helena Varga's remarks were totally inappropriate.", "totally inappropriate", "against", "Helena Varga"),
    ("Helena Varga is very thin-skinned.", "very thin-skinned", "against", "Helena Varga"),
    ("Helena Varga is a reasonable leader.", "a reasonable leader", "favor", "Helena Varga"),
])
def test_evaluative_nouns_vader_lacks_are_stances(sentence, span, polarity, target):
    found = stances(in_quote(sentence))
    assert [(s, p) for s, p, _t in found] == [(span, polarity)]
    if target is not None:
        assert found[0][2] == target


def test_profits_and_secured_report_business_and_deals_not_a_position():
    """VADER scores 'profits' and 'secured' as positive; in the news they report ("the profits
    of the debate", "secured the nomination"), so they seed no stance (not_evaluative.txt)."""
    assert stances(in_quote("Helena Varga secured the nomination and the profits went up.")) == []


def test_the_new_words_are_not_stances_outside_a_quote():
    text = ("Helena Varga met officials in Berlin.\n\nThe stadium deal was called a giveaway by critics. "
            "Foreign minister Paul Orban arrived on Monday.")
    assert stances(text) == []


def test_vote_against_is_the_speakers_stance_only_as_their_own_vote():
    """'vote against', like 'vote for', is a word of backing: a stance when the speaker votes
    ('I will', or he/she in an indirect quote), not when the quote reports other people's votes."""
    mine = stances("Helena Varga met officials in Berlin.\n\n“I will vote against the Lisbon treaty,” "
                   "Foreign minister Paul Orban said on Monday.")
    assert [(s, p) for s, p, _t in mine] == [("vote against the Lisbon treaty", "against")]
    others = stances("Helena Varga met officials in Berlin.\n\n“Twelve senators will vote against "
                     "the Lisbon treaty,” Foreign minister Paul Orban said on Monday.")
    assert others == []


def test_a_great_deal_and_best_friends_are_no_evaluation():
    """'a great deal' is an amount and 'best friend' a relation (converter 0.3.16), though VADER
    scores 'great' and 'best' as positive; 'a great plan' still is a stance."""
    assert stances(in_quote("Helena Varga has given a great deal to this town and is my best friend.")) == []
    assert [(s, p) for s, p, _t in stances(in_quote("Helena Varga has a great plan."))] == [("a great plan", "favor")]


def test_a_reasonable_period_of_time_is_no_evaluation():
    """'reasonable' praises a person or a plan, not a length of time (converter 0.3.17)."""
    assert stances(in_quote("Helena Varga will answer within a reasonable period of time.")) == []


def test_prisoners_attackers_and_gains_report_events_not_positions():
    """VADER scores "prisoner(s)", "attackers", "illnesses", "gained" and "gaining"; in the news
    they report ("a prisoner exchange", "hackers gained access", "no illnesses were reported"),
    so they seed no stance (converter 0.3.17)."""
    assert stances(in_quote("Helena Varga discussed a prisoner exchange after hackers gained access "
                            "and no illnesses were reported.")) == []


def test_at_best_is_a_hedge_and_privileges_are_rights():
    """'at best' hedges ("its benefits are, at best, speculative": 'speculative' carries the
    judgment, not 'best'), and 'admitting privileges' names a right (converter 0.3.17)."""
    found = stances(in_quote("Helena Varga's plan is at best a distraction and needs admitting privileges."))
    assert all(s not in ("best", "privileges") for s, _p, _t in found)


def test_a_charge_or_an_allegation_reports_no_position():
    """What someone is charged with or accused of is the content of the charge: the quote's
    speaker takes no position in it (converter 0.3.18)."""
    assert stances(in_quote("Prosecutors charged Helena Varga with three felonies, including fraud "
                            "and violating the law.")) == []
    assert "racism" not in [s for s, _p, _t in stances(in_quote("Helena Varga rejected accusations of racism."))]
    # the speaker's own evaluation still counts
    assert stances(in_quote("Helena Varga is corrupt.")) == [("corrupt", "against", "Helena Varga")]


@pytest.mark.parametrize("sentence, span, polarity", [
    # converter 0.3.18: wait-and-see, misrepresenting, going after, fitting the bill
    ("I don't know. I'm going to see what happens with Helena Varga.", "see what happens", "neutral"),
    ("Helena Varga is misrepresenting what had occurred.", "misrepresenting", "against"),
    ("Helena Varga's statement was false.", "false", "against"),
    ("Helena Varga is going to go after her opponents.", "go after", "against"),
    ("Helena Varga fits the bill.", "fits the bill", "favor"),
])
def test_phrases_of_converter_0_3_18(sentence, span, polarity):
    assert [(s, p) for s, p, _t in stances(in_quote(sentence))] == [(span, polarity)]
