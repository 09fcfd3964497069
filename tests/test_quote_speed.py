"""The quote stage's fast paths give the answers of the regexes they stand in for.

Each speed-up of find_quotes replaced a regex scan by a cheaper test that must agree with it on
every input (benchmarks/quote_equivalence.py checks whole texts; these pin the edge cases):
- frames._has_noun_that reads each "that" back to its noun instead of scanning with _NOUN_THAT;
- speakers._unpossessed strips a final possessive without _POSS.sub;
- direct._MARK skips the apostrophe before a lowercase letter ("don’t"), which closes nothing;
- cheap substring tests before _CONTRACTED, _CONTRACTION, _VP_COORD, the headline and by-line frames.

All sentences here are invented for the tests.
"""

import re

import pytest

from annotate.converters import clauses, direct, frames, indirect, speakers
from annotate.converters import text as text_module
from annotate.converters.quotes import find_quotes


@pytest.mark.parametrize(("sent", "expected"), [
    ("The claim that taxes rose is false.", True),
    ("Her fears  that the plant will close grew.", True),       # two spaces before "that"
    ("Their worry\tthat it fails is old.", True),                # a tab is white space too
    ("A notion that", False),                                    # no space after "that"
    ("The reclaim that land plan.", False),                      # "claim" inside a word
    ("The Claim that taxes rose.", False),                       # the nouns are lower case
    ("He said that that claim that taxes rose was wrong.", True),  # the third "that" counts
    ("The acknowledgment that it failed came late.", True),       # an optional letter in the pattern
    ("The acknowledgement that it failed came late.", True),
    ("She said that he left.", False),                           # a verb, not a noun of saying
    ("that claim", False),
])
def test_noun_that_read_back_from_that_agrees_with_the_regex(sent, expected):
    assert frames._has_noun_that(sent) is expected
    assert (frames._NOUN_THAT.search(sent) is not None) is expected


@pytest.mark.parametrize(("word", "expected"), [
    ("Trump’s", "Trump"),
    ("Trump's", "Trump"),
    ("boss", "boss"),
    ("’s", ""),
    ("Trump's\n", "Trump\n"),  # `$` matches before a final newline: the regex strips it there too
    ("Trump’s’s", "Trump’s"),
])
def test_unpossessed_strips_what_the_possessive_regex_strips(word, expected):
    assert speakers._unpossessed(word) == expected
    assert speakers._POSS.sub("", word) == expected


def _span(text, quoted):
    start = text.index(quoted)
    return start, start + len(quoted)


@pytest.mark.parametrize(("text", "quoted"), [
    ("He said ‘don’t go’ today.", "‘don’t go’"),          # the inner ’ is an apostrophe
    ("He said ‘we’re here’, she’d say.", "‘we’re here’"),
    ("He said ''Go home'' now.", "''Go home''"),          # the archives' doubled apostrophe
    ("“It’s over,” she said.", "“It’s over,”"),
])
def test_direct_spans_skip_only_apostrophes_inside_words(text, quoted):
    start, end = _span(text, quoted)
    assert direct.direct_spans(text, 0, len(text)) == [(start, end, True)]


def test_a_lone_apostrophe_is_no_quote_mark():
    text = "They played rock 'n' roll all night."
    assert direct.direct_spans(text, 0, len(text)) == []


def test_a_closing_single_mark_at_the_paragraph_end_still_closes():
    text = "He called it ‘the plan’"
    assert direct.direct_spans(text, 0, len(text)) == [(_span(text, "‘the plan’")[0], len(text), True)]


def test_mark_regex_finds_the_quote_marks_but_apostrophes_before_lowercase():
    text = "‘Don’t’ “x” ''y'' it's O’Neil’ «z» ’s"
    found = [m.group() for m in direct._MARK.finditer(text)]
    # ’ before "t" and "s" (lowercase) is skipped, ’ before a space or a capital ("O’Neil") is
    # kept; a single ' never counts, a doubled '' does
    assert found == ["‘", "’", "“", "”", "''", "''", "’", "’", "«", "»"]


@pytest.mark.parametrize(("word", "verb"), [
    ("he's", True), ("she’d", True), ("they’ve", True), ("hes", False), ("the", False),
])
def test_contracted_subject_needs_an_apostrophe(word, verb):
    assert bool(("'" in word or "’" in word) and indirect._CONTRACTED.match(word)) is verb
    assert bool(indirect._CONTRACTED.match(word)) is verb


def test_coordinated_cue_cut_and_speakers_unchanged():
    # "complained about X but defended Y": the second cue ends the first one's content;
    # "complain about" is a phrasal cue (phrasal_cues.txt), whose object after "about" is the content
    text = "Ruiz complained about the delays but defended the budget."
    quotes = find_quotes(text)
    contents = [text[q["start"]:q["end"]] for q in quotes]
    assert contents == ["the delays", "the budget"]
    assert {text[q["speaker"][0]:q["speaker"][1]] for q in quotes} == {"Ruiz"}


def test_contracted_subject_speaker_is_found():
    text = "He said they’ve offered to pay the bill."
    (q,) = find_quotes(text)
    assert text[q["start"]:q["end"]] == "they’ve offered to pay the bill"
    assert text[q["speaker"][0]:q["speaker"][1]] == "He"


def test_headline_and_byline_frames_still_apply():
    text = "Graham: Trump rhetoric hurts the party\n\n“We will win this.”\n— Ana Ruiz, Ohio"
    quotes = find_quotes(text)
    by_text = {text[q["start"]:q["end"]]: q for q in quotes}
    head = by_text["Trump rhetoric hurts the party"]
    assert text[head["speaker"][0]:head["speaker"][1]] == "Graham"
    quote = by_text["“We will win this.”"]
    assert text[quote["speaker"][0]:quote["speaker"][1]] == "Ana Ruiz, Ohio"  # the place tells which reader


def _speaker_after_reading_every_token(text, start, ceiling):
    """speaker_after as it was before it read the first token alone: 14 tokens, then the test."""
    import itertools
    toks = list(itertools.islice(speakers._TOKEN.finditer(text, start, ceiling), speakers._AFTER_TOKENS))
    if not toks or text[start:toks[0].start()].strip():
        return None
    return speakers.speaker_after(text, start, ceiling)


@pytest.mark.parametrize(("text", "start", "expected"), [
    ("said Peskov.", 5, "Peskov"),                     # the sentence's period is not the name's
    ("said   Ana Ruiz, a lawyer", 5, "Ana Ruiz"),      # spaces before the first token are fine
    ('said "a," "b," "c,"', 5, None),                  # a quote mark before the first token: no phrase
    ("said, Peskov", 4, None),                          # a comma before it
    ("said", 4, None),                                   # nothing after the cue
    ("said \u00a0", 4, None),                           # white space only
    ("told (Peskov)", 5, None),
])
def test_speaker_after_reads_the_first_token_first(text, start, expected):
    found = speakers.speaker_after(text, start, len(text))
    assert (text[found[0]:found[1]] if found else None) == expected
    assert found == _speaker_after_reading_every_token(text, start, len(text))


@pytest.mark.parametrize(("text", "expected"), [
    ("“We won,” said", None),                  # a quote mark right before the cue: no phrase ends there
    ("the deal (said", None),
    ("the deal — said", None),
    ("   said", None),                          # white space only
    ("Peskov   said", "Peskov"),
    ("Ana Ruiz, a lawyer, said", "Ana Ruiz, a lawyer"),   # the appositive's comma is looked at
    ("Gov. Phil Bryant (R) said", "Gov. Phil Bryant"),     # a trailing parenthesis is skipped first
    ("the U.S. said", "the U.S."),               # a token may end with a period
])
def test_speaker_before_sees_without_tokenising_that_no_phrase_ends_at_the_cue(text, expected):
    limit = text.rindex("said")
    found = speakers.speaker_before(text, limit, 0)
    assert (text[found[0]:found[1]] if found else None) == expected


_CUE_TEXTS = [
    "Ruiz said’ they warned''we added ‘no’ and told\"us said ''yes'' it claimed ’tis",
    "He insisted that it ended that way; she argued the plan failed, warned that voters left.",
    "said'said’said-said said_ saids said",
    "“a,” said “b,” told ‘c,’ he added'' it's",
]


@pytest.mark.parametrize("text", _CUE_TEXTS)
def test_last_cue_from_the_paragraph_scan_is_find_cues_last(text):
    # every window (lo, qs) of the paragraph: the shared scan gives find_cues' last cue, also for
    # a cue word right against qs (a quote mark that is a word character: ’ or '') and "-ed that" verbs
    from annotate.converters.cues import find_cues
    para: list = []
    for qs in range(len(text) + 1):
        for lo in range(0, qs + 1, 3):
            found = find_cues(text, lo, qs)
            got = direct._last_cue(text, 0, len(text), lo, qs, para)
            assert (got.span() if got else None) == (found[-1].span() if found else None), (lo, qs)


def _random_mark_texts(n: int, seed: int) -> list[str]:
    import random
    r = random.Random(seed)
    pieces = ['"', '"', '"', '""', '"""', "''", "“", "”", "„", "«", "»", "‘", "’", "‚", " ", "a", "Go", ",", ".", "\t"]
    return ["".join(r.choice(pieces) for _ in range(r.randint(1, 40))) for _ in range(n)]


@pytest.mark.parametrize("text", ['"' * 9, '"' * 10, 'a""b', '“x ""y', '"" ""', '«""', ' "" "', "''\"\"''", '""\'\''])
def test_runs_of_straight_marks_pair_off_as_read_a_mark_at_a_time(text, monkeypatch):
    fast = direct.direct_spans(text, 0, len(text))
    monkeypatch.setattr(direct, "_PAIR_RUNS", False)
    assert fast == direct.direct_spans(text, 0, len(text))


def test_runs_of_straight_marks_pair_off_on_random_mark_soup(monkeypatch):
    texts = _random_mark_texts(3000, seed=5)
    fast = [[direct.direct_spans(t, s, len(t)) for s in range(min(3, len(t)))] for t in texts]
    monkeypatch.setattr(direct, "_PAIR_RUNS", False)
    slow = [[direct.direct_spans(t, s, len(t)) for s in range(min(3, len(t)))] for t in texts]
    assert fast == slow


def test_a_run_of_straight_marks_is_empty_quotations():
    # ten marks: five empty quotations, nothing left open; eleven: the last one opens a quotation
    assert direct.direct_spans('"' * 10, 0, 10) == [(a, a + 2, True) for a in range(0, 10, 2)]
    assert direct.direct_spans('"' * 11, 0, 11) == [(a, a + 2, True) for a in range(0, 10, 2)]  # 1 char left: no span
    assert direct.direct_spans('"' * 11 + "ab", 0, 13) == [*((a, a + 2, True) for a in range(0, 10, 2)), (10, 13, False)]


def test_a_last_sentence_without_an_end_mark_comes_back_whole():
    # "First one." ends before the capital T; the rest has no end mark and is the last sentence
    text = "First one. Then a headline without a mark"
    assert list(text_module.sentences(text, 0, len(text))) == [(0, 10), (11, len(text))]


def test_a_last_sentence_without_an_end_mark_longer_than_the_bound_is_cut_at_a_space():
    # "Start." then 500 "Word " (2,500 characters, no end mark): the tail from 7 is longer than
    # MAX_SENTENCE (2,000), so it is cut at the last space before 7 + 2,000 (the space at 2,006)
    text = "Start. " + "Word " * 500
    assert text_module.MAX_SENTENCE == 2000
    assert list(text_module.sentences(text, 0, len(text))) == [(0, 6), (7, 2006), (2007, 2507)]


@pytest.mark.parametrize(("sent", "cue", "source"), [
    ("A spokesperson for the channel said", "said", "A spokesperson for the channel"),
    ("A source close to the minister said", "said", "A source close to the minister"),
    ("The victim's mother said", "said", "The victim's mother"),
    ("Sources familiar with the talks said", "said", "Sources familiar with the talks"),
])
def test_speaker_before_reads_the_links_of_a_source(sent, cue, source):
    at = sent.index(cue)
    sp = speakers.speaker_before(sent, at, 0)
    assert sp is not None and sent[sp[0]:sp[1]] == source


@pytest.mark.parametrize("text", [
    "the plan failed, which raised concerns",        # a comma: a match of the first kind
    "the plan failed before predicting a rebound",    # no comma, an -ing word: the second kind
    "the plan failed and the vote was delayed",       # neither: no match, not scanned
    "the plan failed, and nobody said why",          # a comma that opens no clause end
    "",
])
def test_clause_end_gives_the_match_of_the_regex(text):
    got = indirect._clause_end(text, 0, len(text))
    want = indirect._CLAUSE_END.search(text, 0, len(text))
    assert (got.span() if got else None) == (want.span() if want else None)


def test_clause_end_finds_the_comma_before_which():
    text = "the plan failed, which raised concerns"
    assert indirect._clause_end(text, 0, len(text)).start() == text.index(",")
    assert indirect._clause_end("the plan failed and the vote was delayed", 0, 40) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Clinton invoked Obama and suggested", True),   # "and" right before the cue
    ("Clinton invoked Obama but then said", True),   # "but", an adverb between
    ("Clinton invoked Obama; and said", False),      # a semicolon ends the first clause
    ("Clinton invoked Obama, who said", False),      # no "and"/"but" at all
])
def test_coordinated_agrees_with_the_regex(text, expected):
    cue = text.rindex(" ") + 1
    assert indirect._coordinated(text, 0, cue) is expected
    assert (indirect._COORD_BEFORE.search(text, 0, cue) is not None) is expected


@pytest.mark.parametrize(("pattern", "old", "texts"), [
    (direct._REAL_QUOTE, r"''|[\"“”„«»‹›「」『』]", ["don't", "''Hi''", "a ' b", "“x”", "it's '' «y»", "'''", "'"]),
    (clauses._SENT_BREAK, r"[.!?][\"”’']?\s+|\n", ["Mr. Ruiz left.\nThen", "Why?” She left", "a.b. c", "end.\"\n", "x!'y z"]),
])
def test_patterns_that_open_with_a_class_match_as_the_alternations_they_replaced(pattern, old, texts):
    old = re.compile(old)
    for text in texts:
        for a in range(len(text) + 1):
            assert [m.span() for m in pattern.finditer(text, a)] == [m.span() for m in old.finditer(text, a)]
