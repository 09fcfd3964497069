"""The converter's faster regex spellings and fast paths find exactly what the plain ones found."""

from __future__ import annotations

import random
import re

import pytest

from annotate.converters import mentions
from annotate.converters.clean import _ANY_DATE, find_published
from annotate.converters.cues import word_alternation

# --- the faster spellings of the mention and date regexes match what the plain ones matched ----


def _soup(alphabet: list[str], n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60))) for _ in range(n)]


def test_gazetteer_matches_what_the_lookahead_spelling_matched():
    plain = re.compile(r"(?=[A-Z])(?<![\w.’'-])(?:" + word_alternation(mentions.SURFACE)
                       + r")(?=\.?(?![\w.&’'-]|['’]s\b)|['’]s\b)")
    texts = ["Moscow-based #Russia @US x.Russia U.S. officials, the US's and Russia’s; USA. USAF UK.\nKremlin",
             "Russia", "aRussia", "'Russia' -Russia .Russia"]
    texts += _soup(["US", "U.S.", "Russia", "Moscow", "Kremlin", "EU", " ", "\n", ".", "'", "’", "-", "&", "s",
                    "#", "@", "a", "A", "é", "'s"], 2000, 3)
    for text in texts:
        assert [(m.span(), m.group()) for m in mentions._GAZETTEER.finditer(text)] == \
               [(m.span(), m.group()) for m in plain.finditer(text)], text


def test_date_scan_matches_what_the_plain_spelling_matched():
    plain = re.compile(_ANY_DATE.pattern.replace(r"(?=[\dJFMASOND])(?:", "", 1)[:-1])
    texts = ["Posted 2024-11-06", "Nov 6, 2024 and 06-11-2024", "x2024-11-06", "November 6, 2024.",
             "Sept. 12, 2016", "ISO 2016-09-12x", "١٢-١١-٢٠٢٤"]
    texts += _soup(["2024", "-", "11", "6", "Nov", "Sept", ".", " ", ", ", "x", "ember", "J", "١"], 2000, 5)
    for text in texts:
        assert [(m.span(), m.lastgroup) for m in _ANY_DATE.finditer(text)] == \
               [(m.span(), m.lastgroup) for m in plain.finditer(text)], text
    assert find_published("Updated: Nov 6, 2024, later 2024-11-07") == "2024-11-07"  # an ISO date wins
    assert find_published("Sept. 12, 2016 then 13-09-2016") == "2016-09-12"


@pytest.mark.parametrize("regex, tails", [("_PREP_BEFORE", "_PREP_TAILS"), ("_PLACE_BEFORE", "_PLACE_TAILS")])
def test_the_cheap_tests_before_a_regex_never_turn_a_match_away(regex, tails):
    """The mention finder runs these regexes only when the text before a name, spaces stripped,
    ends with one of the tails: a match must always pass that test."""
    pattern, endings = getattr(mentions, regex), getattr(mentions, tails)
    words = ["in", "at", "the", "with", "of", "to", "towards", "between", "within", "then", ",", "a"]
    matched = 0
    for text in _soup([*words, " ", "  ", "\n", "\t", "\xa0", "x"], 5000, 7):
        if pattern.search(text, max(0, len(text) - 14), len(text)):
            matched += 1
            assert text[max(0, len(text) - 14):].rstrip().endswith(endings), repr(text)
    assert matched > 100


@pytest.mark.parametrize("chain, pieces", [
    ("Trump", ((0, 5, ("Trump",), False, True, False),)),
    ("Trump's", ((0, 5, ("Trump",), False, True, False),)),  # the possessive goes
    ("NATO", ((0, 4, ("NATO",), False, True, False),)),
    ("Mr.", ()), ("President", ()), ("Monday", ()), ("But", ()),  # titles, days and function words alone
    ("Mr. Trump", ((4, 9, ("Trump",), True, False, False),)),  # after a title
    ("Department of Justice", ((0, 21, ("Department", "Justice"), False, True, True),)),
])
def test_chain_pieces(chain, pieces):
    assert mentions._chain_pieces(chain) == pieces
