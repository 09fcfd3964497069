"""Speed rewrites of the stance stage give the same result as the code they replace."""

import random

from annotate.converters.stance import _TOKEN, _token_spans


def _by_regex(low: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m[0]) for m in _TOKEN.finditer(low, start, end)]


def test_token_spans_are_the_regex_tokens_of_any_span():
    # runs of hyphens and apostrophes, a token cut by the span's ends, digits, repeated words
    texts = ["he said 'don't--stop' -- no-one's 2-for-1 deal, the the the",
             "'-ab-- cd' ''x'' a-b-c- -9 99 e'e 'e' ab ab",
             "“bad,” “bad” bad-bad bad’s - - -a- a",
             ""]
    rng = random.Random(3)
    for low in texts:
        for _ in range(300):
            s = rng.randint(0, len(low))
            e = rng.randint(s, len(low))
            assert _token_spans(low, s, _TOKEN.findall(low, s, e)) == _by_regex(low, s, e), (low, s, e)


def test_token_spans_of_a_quote_start_inside_a_word():
    low = "the unbelievable plan"
    # from inside 'unbelievable' the first token is its tail, 'believable'
    assert _token_spans(low, 6, _TOKEN.findall(low, 6, len(low))) == [(6, 16, "believable"), (17, 21, "plan")]
