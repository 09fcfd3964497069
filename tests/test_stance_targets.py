"""Unit tier: the target of a stance that names no one before or after it (issue 19).
All sentences are invented for the tests."""


from .test_stance import stances  # [(stance text, polarity, target)] of the pre-annotated text

PROFILE = ("Victor Pell has run the state party for a decade. Pell built its machine, and Pell still chairs it. "
           "Governor Dana Kowalski toured the Ohio plants on Monday, and he shook hands with workers. "
           "Maria Estevez arrived later; she is the union's lawyer.\n\n")


def test_possessive_in_the_span_is_whose_it_is():
    # "his" inside the span is the man named last: Kowalski, not the woman named after him
    # (before: the article's main target, Pell, the name the text repeats most)
    text = PROFILE + "“I find his reckless spending deplorable,” union leader Tom Brack said on Tuesday."
    assert [t for s, _p, t in stances(text) if "reckless" in s] == ["Dana Kowalski"]


def test_possessive_in_an_indirect_quote_of_a_group():
    # an indirect quote whose speaker is no named person: "his" is still the man named last
    text = PROFILE + "Critics have long attacked his reckless spending, the paper said."
    assert [t for s, _p, t in stances(text) if "reckless" in s] == ["Dana Kowalski"]


def test_possessive_of_a_named_speaker_in_an_indirect_quote_is_not_resolved():
    # "he said his ...": in an indirect quote of a named man, his is mostly the speaker himself,
    # who is never the target; the rule stays out of it
    text = PROFILE + "Tom Brack said his own union had shown deplorable judgment."
    assert all(t != "Tom Brack" for _s, _p, t in stances(text))


def test_said_of_names_what_the_quote_is_about():
    # no name in the quote: the cue says whom it is about (before: the article's main target, Pell)
    for quote in ("“What a disgrace,” union leader Tom Brack said of Kowalski on Monday.",
                  "Union leader Tom Brack said of Kowalski: “What a disgrace.”"):
        assert [t for s, _p, t in stances(PROFILE + quote) if "disgrace" in s] == ["Dana Kowalski"], quote
