"""The learned stage's faster feature code makes exactly what the plain code made.

Each reference below is the straightforward version the fast one replaced (feature set 4);
seeded soups of words, quote marks, stops, abbreviations and line breaks exercise both."""

from __future__ import annotations

import random
import re

import pytest

from annotate.learn import features as F

_SOUP = ["said", "the", "Mr.", "U.S.", "Sen.", "p.m.", "a", "“", "”", "\"", "'", "’s", ",", ".", ";", "?", "!",
         "\n", "\n\n", "Obama", "don’t", "well-known", "3.5", "e.g.", "that", "told", "reporters", "(", ")",
         "ABC", "x", "Reform", "—", "said:", "NASA’s", "St.", "ok"]


def soup(seed: int, n: int = 400) -> str:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        out.append(rnd.choice(_SOUP))
        out.append(rnd.choice([" ", " ", " ", "", "  ", "\n"]))
    return "".join(out)


def ref_window(text, pos, n=F.WINDOW):
    reach = n * F._SLICE
    size = len(text)
    while True:
        lo, hi = max(0, pos - reach), min(size, pos + reach)
        spans = [m.span() for m in F.TOKEN.finditer(text, lo, hi)]
        if lo > 0 and spans:
            del spans[0]
        a = 0
        for a, (_, e) in enumerate(spans):  # noqa: B007
            if e > pos:
                break
        else:
            a = len(spans)
        if (a >= n or lo == 0) and (len(spans) - a >= n or hi == size) or reach >= n * 400:
            break
        reach *= 4
    i, j = max(0, a - n), min(len(spans), a + n)
    spans = spans[i:j]
    return [s for s, _ in spans], [e for _, e in spans], [text[s:e] for s, e in spans], a - i


def ref_boundary_features(text, kind, q, starts, ends, words, anchor):
    n = len(words)
    dd_of = {d: str(d) for d in range(-3, 4)}
    facts = F.quote_facts(q)
    out = []
    for i in range(n):
        d = i - anchor
        dd = dd_of.get(d) or ("<" if d < 0 else ">")
        low = words[i].lower()
        own = word_features(words[i], "")
        f = ["T=" + kind, "d=" + dd, "in=1" if q["start"] <= starts[i] and ends[i] <= q["end"] else "in=0",
             "d|" + facts[0] + "=" + dd, "w|d=" + low + "|" + dd, *own]
        if i:
            f += word_features(words[i - 1], "-1")
            f.append("-1w|w=" + words[i - 1].lower() + "|" + low)
            if "\n" in text[ends[i - 1]:starts[i]]:
                f.append("nl")
        else:
            f.append("first")
        if i + 1 < n:
            f += word_features(words[i + 1], "+1")
            if "\n" in text[ends[i]:starts[i + 1]]:
                f.append("+1nl")
        else:
            f.append("last")
        if d == 0:
            f.extend(facts)
        out.append(f)
    return out


def word_features(w, side):
    low = w.lower()
    mark = F._mark(w)
    cue = low in F.CUE_WORDS
    if not side:
        f = ["w=" + low, "s=" + F.shape(w)] + (["m=" + mark] if mark else [])
        if cue:
            f.append("c=" + F._cue(low))
        return f + (["suf=" + low[-3:]] if len(low) > 3 else [])
    return [side + "w=" + low, side + "s=" + F.shape(w)] + ([side + "m=" + mark] if mark else []) + ([side + "c"] if cue else [])


def ref_sentence_start(text, pos):
    lo = max(0, pos - F._SENT_BACK)
    last = lo
    for m in re.finditer(r"[.!?;\n]", text[:pos]):
        if m.start() >= lo and F._stop(text, m.start()):
            last = m.end()
    return last


@pytest.mark.parametrize("seed", range(12))
def test_window_and_boundary_features_as_the_plain_code(seed):
    text = soup(seed)
    rnd = random.Random(seed)
    for pos in [0, len(text), len(text) - 1, *(rnd.randrange(len(text)) for _ in range(60))]:
        got = F.window(text, pos)
        assert got == ref_window(text, pos), pos
        starts, ends, words, anchor = got
        for qt in ("direct", "indirect", "mixed"):
            q = {"start": pos, "end": min(len(text), pos + rnd.randrange(1, 200)), "quote_type": qt,
                 "cue": rnd.choice(["say/verb", "tell", ""]), "speaker": rnd.choice([None, (0, 3)])}
            assert F.boundary_features(text, "s", q, starts, ends, words, anchor) == \
                ref_boundary_features(text, "s", q, starts, ends, words, anchor), (pos, qt)


def test_window_of_a_long_token_reaches_further():
    text = "x " * 3 + "y" * 500 + " said the man to the press today."
    assert F.window(text, 506) == ref_window(text, 506)
    starts, ends, words, anchor = F.window(text, 506)
    assert words[:anchor] == ["x", "x", "x", "y" * 500]  # all four tokens before (the first slice held none)
    assert words[anchor:] == ["said", "the", "man", "to", "the", "press"]


@pytest.mark.parametrize("seed", range(12))
def test_sentence_start_as_the_forward_scan(seed):
    text = soup(seed + 100, 600)
    for pos in range(0, len(text), 7):
        assert F._sentence_start(text, pos) == ref_sentence_start(text, pos), pos
