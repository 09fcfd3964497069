"""The quote stage (find_quotes) is linear in the length of any text (issue 17, item 6).

tests/test_linear.py times the whole convert on the adversarial generators; this file times
find_quotes alone on the inputs that stress its own scans: texts made only of quote marks, a
cue before every mark, thousands of quotations in one sentence, quotes that never close, one
word as long as the text, and news run together into one line. For each, the CPU time of 4n
characters must stay within 1.75 x 4 times that of n, plus timer slack (a quadratic scan makes
the ratio 16). The sizes keep n at about 0.05-0.2 s on our machine; the best of a few runs
counts, since the machine is shared.

All texts here are invented or built from the seed articles in the repository.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from annotate.converters.clean import clean_text
from annotate.converters.quotes import find_quotes

from .conftest import SEEDS

SLACK_S = 0.05
RATIO = 1.75


def _repeat(piece: str) -> Callable[[int], str]:
    def make(n: int) -> str:
        return (piece * (n // len(piece) + 1))[:n]
    return make


def _seed_line(n: int) -> str:
    """n characters of the seed articles' clean text joined into one line (one paragraph)."""
    raw = " ".join(" ".join(clean_text(p.read_text(encoding="utf-8"))["text"].split())
                   for p in sorted(SEEDS.glob("*.txt")))
    return (raw + " ") * (n // (len(raw) + 1)) + raw[: n % (len(raw) + 1)]


# kind -> (text of n characters, n)
CASES: dict[str, tuple[Callable[[int], str], int]] = {
    "straight_marks_only": (_repeat('"'), 50_000),                 # one paragraph of " (a known slow case)
    "curly_openers_only": (_repeat("“"), 50_000),                   # a quotation opened and never closed
    "curly_pairs_only": (_repeat("“”"), 40_000),
    "marks_and_spaces": (_repeat('" '), 12_000),
    "apostrophes_only": (_repeat("'"), 12_000),                     # '' is a mark too
    "cue_before_every_mark": (_repeat('said "'), 6_000),
    "quotes_in_one_sentence": (_repeat('"a," '), 4_000),            # thousands of quotations, no sentence end
    "interrupted_quote_chain": (_repeat("“We will win,” Peskov said, "), 20_000),
    "unbalanced_quotes": (_repeat('He said "no way. '), 15_000),   # every quotation left open
    "one_long_word": (lambda n: ("Peskov said " + "x" * n)[:n], 1_000_000),
    "news_in_one_line": (_seed_line, 50_000),
}


def _cpu_seconds(text: str) -> float:
    t0 = time.process_time()
    quotes = find_quotes(text)
    elapsed = time.process_time() - t0
    for q in quotes:  # the contract holds on garbage too: in range, not empty
        assert 0 <= q["start"] < q["end"] <= len(text)
        assert text[q["start"]:q["end"]].strip()
    return elapsed


@pytest.mark.parametrize("kind", sorted(CASES))
def test_find_quotes_time_grows_linearly(kind):
    make, n = CASES[kind]
    small, large = make(n), make(4 * n)
    assert len(small) == n and len(large) == 4 * n
    t_small = min(_cpu_seconds(small) for _ in range(3))
    bound = 4 * RATIO * t_small + SLACK_S
    t_large = _cpu_seconds(large)
    if t_large > bound:
        t_large = min(t_large, _cpu_seconds(large))  # once more: the machine is shared
    assert t_large <= bound, f"{kind}: {n} chars {t_small:.3f} s, {4 * n} chars {t_large:.3f} s (bound {bound:.3f} s)"


def test_news_in_one_line_is_as_fast_as_paragraphs():
    """One paragraph of news (no line breaks) costs find_quotes no more than the same news in
    paragraphs (within 1.5x): the window cutting of long paragraphs keeps every scan bounded."""
    n = 60_000
    line = _seed_line(n)
    raw = "\n\n".join(clean_text(p.read_text(encoding="utf-8"))["text"].strip() for p in sorted(SEEDS.glob("*.txt")))
    paragraphed = (raw + "\n\n") * (n // (len(raw) + 2) + 1)
    assert "\n" not in line and paragraphed.count("\n") > 100
    t_para = min(_cpu_seconds(paragraphed[:n]) for _ in range(2)) / n
    t_line = min(_cpu_seconds(line) for _ in range(2)) / len(line)
    assert t_line <= 1.5 * t_para + SLACK_S / n, f"one line {t_line * 1e6:.2f} us/char, paragraphs {t_para * 1e6:.2f}"
