"""annotate.stance_polarity: the polarity a sentence expresses toward one mention in it.

The sentences are made up for these tests; each expected polarity is what a reader of the
sentence would say about the mention (NewsMTSC's question: how does the sentence portray it?).
"""

from __future__ import annotations

import time

import pytest

from annotate.polarity import LABELS, features, polarity_scores, stance_polarity
from tests.conftest import need_shared


def polarity(sentence: str, mention: str) -> str:
    start = sentence.index(mention)
    return stance_polarity(sentence, start, start + len(mention))


def scores(sentence: str, mention: str) -> dict[str, float]:
    start = sentence.index(mention)
    return polarity_scores(sentence, start, start + len(mention))


# -- plain evaluation and its frames ------------------------------------------------------------


def test_praise_is_favor():
    assert polarity("Voters praised Senator Miller for her courage and honesty.", "Senator Miller") == "favor"


def test_plain_report_is_neutral():
    assert polarity("Senator Miller will travel to Ohio on Tuesday to meet local officials.", "Senator Miller") == "neutral"


# -- negation -----------------------------------------------------------------------------------


def test_negation_turns_a_good_deal_around():
    good = "The agreement is a good deal for Senator Miller."
    bad = "The agreement is not a good deal for Senator Miller."
    assert polarity(bad, "Senator Miller") == "against"
    # the same words without "not" lean the other way (mildly: a 'good deal' is faint praise)
    g = scores(good, "Senator Miller")
    b = scores(bad, "Senator Miller")
    assert g["favor"] > b["favor"] and b["against"] > g["against"]
    assert g["favor"] > g["against"]


def test_negation_is_a_feature_of_the_words_it_scopes():
    s = "It is not a good deal for Miller."
    f = features(s, s.index("Miller"), s.index("Miller") + 6)
    assert "w:not_good" in f and "w:good" not in f


# -- reported disagreement ----------------------------------------------------------------------


def test_object_of_criticism_is_against():
    assert polarity("Republicans sharply criticised Governor Adams over the failed budget.", "Governor Adams") == "against"


def test_passive_accusation_is_against():
    assert polarity("Governor Adams was accused of corruption and fraud by state prosecutors.", "Governor Adams") == "against"


def test_frames_name_the_role_of_the_mention():
    s = "Governor Adams was accused of fraud."
    f = features(s, 0, len("Governor Adams"))
    assert f.get("frame:passive_against") == 1.0
    s = "Critics slammed Adams."
    f = features(s, s.index("Adams"), s.index("Adams") + 5)
    assert f.get("frame:object_against") == 1.0


# -- contrast -----------------------------------------------------------------------------------


def test_clause_after_but_dominates():
    s = "The mayor has a few nice ideas, but critics say Mayor Lopez is a dishonest and incompetent failure."
    assert polarity(s, "Mayor Lopez") == "against"
    s = "The campaign had a terrible week, but supporters say Mayor Lopez is a brilliant and honest leader."
    assert polarity(s, "Mayor Lopez") == "favor"


# -- wait and see ---------------------------------------------------------------------------------


def test_wait_and_see_is_neutral():
    s = "Moscow will wait and see what steps Washington takes next, the spokesman told reporters."
    assert polarity(s, "Washington") == "neutral"


# -- quoted insults -------------------------------------------------------------------------------


def test_quoted_insults_are_against():
    s = 'He called Senator Miller a "liar" and a "disgrace" at the rally.'
    assert polarity(s, "Senator Miller") == "against"


# -- the scores ---------------------------------------------------------------------------------


def test_scores_are_probabilities_over_the_three_labels():
    s = "Voters praised Senator Miller."
    scores = polarity_scores(s, s.index("Senator"), len(s) - 1)
    assert set(scores) == set(LABELS)
    assert abs(sum(scores.values()) - 1.0) < 1e-9
    assert max(scores, key=scores.get) == stance_polarity(s, s.index("Senator"), len(s) - 1)


@pytest.mark.parametrize("start,end", [(-1, 3), (3, 3), (5, 2), (0, 99)])
def test_a_mention_outside_the_sentence_is_an_error(start, end):
    with pytest.raises(ValueError):
        stance_polarity("Voters praised Miller.", start, end)


# -- NewsMTSC -----------------------------------------------------------------------------------


def test_newsmtsc_devtest_rw_macro_f1():
    """The issue's target: macro-F1 >= 0.60 on NewsMTSC devtest_rw (a majority guess scores
    about 0.2), and fast enough for the converter to call per stance."""
    from annotate.polarity_train import macro_f1, read_newsmtsc

    path = need_shared("corpora", "newsmtsc", "devtest_rw.jsonl")
    data = [e for group in read_newsmtsc(path) for e in group]
    assert len(data) > 1000
    stance_polarity(*data[0][:3])  # the model loads once, outside the timing
    t0 = time.process_time()  # CPU time: the wall clock of a shared machine says little
    pred = [stance_polarity(s, a, b) for s, a, b, _ in data]
    per_call = (time.process_time() - t0) / len(data)
    f1, _ = macro_f1([y for *_, y in data], pred)
    assert f1 >= 0.60
    assert per_call < 0.002  # about 0.25 ms on this machine; the converter calls it per stance


def test_the_shipped_weights_carry_the_newsmtsc_licence_notice():
    """The weights are derived from NewsMTSC (MIT): its copyright and permission notice ship
    with them, in the file's header."""
    from annotate.polarity import MODEL_FILE

    head = MODEL_FILE.read_text(encoding="utf-8")[:3000]
    assert "NewsMTSC" in head and "Copyright 2020 Felix Hamborg" in head
    assert "Permission is hereby granted, free of charge" in head
    assert MODEL_FILE.stat().st_size < 5_000_000
