"""Convert's memory on one huge single-line article: the stages this file checks hold a few
copies of the text at most, never a list of all its words or the whole task line twice."""

from __future__ import annotations

import random
import re
import tracemalloc

from annotate.converters import (
    CONVERTER_VERSION,
    MODEL_VERSION,
    clean,
    find_all_quotes,
    find_all_stances,
)
from annotate.converters.clean import clean_text
from annotate.converters.mentions import _LOWER_WORD, _lower_words
from annotate.converters.tasks import build_line_parts, build_task
from annotate.io import dumps

WORDS = "the minister said that talks with Russia would continue “we will see” Peskov told reporters".split()


def _line(size: int, seed: int = 5) -> str:
    rnd = random.Random(seed)
    out, n = [], 0
    while n < size:
        w = rnd.choice(WORDS)
        out.append(w)
        n += len(w) + 1
    return " ".join(out)


def _peak(fn, *args) -> tuple[object, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_cleaning_a_huge_line_does_not_cut_it_into_words():
    """The title test counted a line's words with split(): a 1 MB line became 200,000 strings
    (about 12 MB); now it splits at most 25 times. The bound: 3 copies of the text."""
    text = _line(1_000_000)  # one line, non-ASCII (“ ”): 2 bytes a character
    cleaned, peak = _peak(clean_text, text)
    assert cleaned["text"] == text
    assert peak < 3 * 2 * len(text), peak  # 5.5 copies before


def test_lower_words_read_in_pieces_are_the_words_read_at_once():
    rnd = random.Random(3)
    alphabet = ["ab", "c", " ", ".", "x.y", "Ab", "_", "é", "q", "\n", "’s", "zz"]
    for _ in range(300):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 80)))
        for chunk in (1, 2, 5, 17):
            assert _lower_words(text, chunk) == set(_LOWER_WORD.findall(text)), (text, chunk)
    assert _lower_words("a" * 50 + " b", 4) == {"a" * 50, "b"}  # a word longer than a piece is not cut


def test_lower_words_of_a_huge_text_are_not_all_listed_at_once():
    text = _line(3_000_000).replace("“", "").replace("”", "")
    words, peak = _peak(_lower_words, text)
    assert words == set(re.findall(r"(?<![\w.])[a-z]+(?![a-z])", text))
    assert peak < len(text), peak  # the list of every word alone is about 10 times the text


def test_the_line_of_a_huge_article_is_written_in_pieces():
    """dumps(build_task(...)) holds the task's dicts and the line (2 bytes a character once a
    single “ is in it) at once; build_line_parts holds the pieces only."""
    doc = next(find_all_stances(find_all_quotes(clean([{"raw": _line(300_000), "doc_id": "d", "source_file": ""}]))))
    line, old = _peak(lambda: dumps(build_task(doc, MODEL_VERSION, CONVERTER_VERSION)))
    (parts, _counts), new = _peak(build_line_parts, doc, MODEL_VERSION, CONVERTER_VERSION)
    assert "".join(parts) == line
    assert new < 0.75 * old, (new, old)
